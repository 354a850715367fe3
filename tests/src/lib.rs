//! Reading `infra/template.yaml` the way the tests need it, and building the
//! template's event wiring (bus, rules with the template's own patterns) in
//! moto, with an SQS queue standing in for each rule's Lambda target.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value as Json;
use serde_yaml_ng::Value;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The SAM template, parsed.
#[derive(Debug, Clone)]
pub struct Template {
    doc: Value,
}

impl Template {
    /// Loads `infra/template.yaml`.
    pub fn load() -> Self {
        let path = root().join("infra/template.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        Self {
            doc: serde_yaml_ng::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        }
    }

    /// A resource by logical id.
    pub fn resource(&self, id: &str) -> &Value {
        self.doc
            .get("Resources")
            .and_then(|r| r.get(id))
            .unwrap_or_else(|| panic!("no resource {id} in the template"))
    }

    /// A function's timeout in seconds: its own, or the template's global.
    pub fn function_timeout(&self, id: &str) -> u64 {
        self.resource(id)["Properties"]
            .get("Timeout")
            .or_else(|| self.doc["Globals"]["Function"].get("Timeout"))
            .and_then(Value::as_u64)
            .unwrap_or_else(|| panic!("{id}: no Timeout, and none in Globals"))
    }

    /// Every action a function's inline policies allow (whatever the
    /// resource or condition).
    pub fn function_actions(&self, id: &str) -> BTreeSet<String> {
        fn walk(v: &Value, out: &mut BTreeSet<String>) {
            match v {
                Value::Mapping(m) => {
                    for (k, v) in m {
                        if k.as_str() == Some("Action") {
                            match v {
                                Value::String(a) => {
                                    out.insert(a.clone());
                                }
                                Value::Sequence(list) => {
                                    out.extend(
                                        list.iter().filter_map(Value::as_str).map(str::to_owned),
                                    );
                                }
                                _ => {}
                            }
                        } else {
                            walk(v, out);
                        }
                    }
                }
                Value::Sequence(list) => list.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut out = BTreeSet::new();
        walk(&self.resource(id)["Properties"]["Policies"], &mut out);
        out
    }

    /// Logical ids of the resources of a type.
    pub fn resources_of(&self, kind: &str) -> Vec<String> {
        self.doc["Resources"]
            .as_mapping()
            .unwrap()
            .iter()
            .filter(|(_, v)| v["Type"].as_str() == Some(kind))
            .map(|(k, _)| k.as_str().unwrap().to_owned())
            .collect()
    }

    /// A parameter's default, as text.
    pub fn parameter_default(&self, name: &str) -> Option<String> {
        let v = self.doc.get("Parameters")?.get(name)?.get("Default")?;
        Some(scalar(v))
    }

    /// A function's environment: names with values resolved for a local
    /// run (`Ref` to a parameter gives its default, `Ref` to a resource
    /// gives `<resource>`).
    pub fn function_env(&self, id: &str) -> BTreeMap<String, String> {
        let vars = &self.resource(id)["Properties"]["Environment"]["Variables"];
        let Some(map) = vars.as_mapping() else {
            return BTreeMap::new();
        };
        map.iter()
            .map(|(k, v)| {
                let value = match v.get("Ref").and_then(Value::as_str) {
                    Some(r) => self
                        .parameter_default(r)
                        .unwrap_or_else(|| format!("<{r}>")),
                    None => scalar(v),
                };
                (k.as_str().unwrap().to_owned(), value)
            })
            .collect()
    }

    /// A function's binary name (`Metadata.BuildProperties.Binary`).
    pub fn binary(&self, id: &str) -> String {
        self.resource(id)["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Every `AWS::Events::Rule`: logical id → event pattern as JSON, with
    /// `Fn::Sub` parameters replaced by their defaults.
    pub fn rule_patterns(&self) -> BTreeMap<String, Json> {
        self.resources_of("AWS::Events::Rule")
            .into_iter()
            .map(|id| {
                let p = &self.resource(&id)["Properties"]["EventPattern"];
                let json = match p.get("Fn::Sub").and_then(Value::as_str) {
                    Some(text) => {
                        let mut text = text.to_owned();
                        for name in self.parameter_names() {
                            if let Some(d) = self.parameter_default(&name) {
                                text = text.replace(&format!("${{{name}}}"), &d);
                            }
                        }
                        serde_json::from_str(&text)
                            .unwrap_or_else(|e| panic!("{id}: pattern is not JSON: {e}"))
                    }
                    None => serde_json::to_value(p).unwrap(),
                };
                (id, json)
            })
            .collect()
    }

    fn parameter_names(&self) -> Vec<String> {
        self.doc["Parameters"]
            .as_mapping()
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The table's key schema: `(attribute, HASH|RANGE)`.
    pub fn table_keys(&self) -> Vec<(String, String)> {
        keys(&self.resource("Table")["Properties"]["KeySchema"])
    }

    /// The table's GSIs: name → key schema.
    pub fn table_indexes(&self) -> BTreeMap<String, Vec<(String, String)>> {
        self.resource("Table")["Properties"]["GlobalSecondaryIndexes"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["IndexName"].as_str().unwrap().to_owned(),
                    keys(&g["KeySchema"]),
                )
            })
            .collect()
    }

    /// The `ProjectionType` of one of the table's indexes, and its
    /// `NonKeyAttributes`.
    pub fn index_projection(&self, name: &str) -> (String, Vec<String>) {
        let projection = self.resource("Table")["Properties"]["GlobalSecondaryIndexes"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|g| g["IndexName"].as_str() == Some(name))
            .map(|g| &g["Projection"])
            .unwrap_or_else(|| panic!("index {name}: no projection"));
        let kind = projection["ProjectionType"]
            .as_str()
            .unwrap_or_else(|| panic!("index {name}: no projection type"))
            .to_owned();
        let attributes = projection
            .get("NonKeyAttributes")
            .and_then(Value::as_sequence)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        (kind, attributes)
    }

    /// The table's TTL attribute.
    pub fn ttl_attribute(&self) -> String {
        self.resource("Table")["Properties"]["TimeToLiveSpecification"]["AttributeName"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn keys(v: &Value) -> Vec<(String, String)> {
    v.as_sequence()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["AttributeName"].as_str().unwrap().to_owned(),
                k["KeyType"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// The event wiring of the template in moto: the bus, and each rule (with
/// the template's pattern) delivering to an SQS queue of its own.
#[derive(Debug, Clone)]
pub struct Wiring {
    /// The bus name.
    pub bus: String,
    /// Rule logical id → queue URL receiving what the rule matches.
    pub queues: BTreeMap<String, String>,
}

impl Wiring {
    /// Creates the bus and the rules.
    pub async fn create(sdk: &aws_config::SdkConfig, template: &Template, prefix: &str) -> Self {
        let eb = aws_sdk_eventbridge::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let bus = format!("{prefix}-bus");
        eb.create_event_bus().name(&bus).send().await.unwrap();
        let mut queues = BTreeMap::new();
        for (id, pattern) in template.rule_patterns() {
            let q = sqs
                .create_queue()
                .queue_name(format!("{prefix}-{id}"))
                .send()
                .await
                .unwrap();
            let url = q.queue_url().unwrap().to_owned();
            let arn = sqs
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .send()
                .await
                .unwrap()
                .attributes()
                .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
                .clone();
            let rule = format!("{prefix}-{id}");
            eb.put_rule()
                .name(&rule)
                .event_bus_name(&bus)
                .event_pattern(pattern.to_string())
                .send()
                .await
                .unwrap();
            eb.put_targets()
                .rule(&rule)
                .event_bus_name(&bus)
                .targets(
                    aws_sdk_eventbridge::types::Target::builder()
                        .id("queue")
                        .arn(arn)
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
            queues.insert(id, url);
        }
        Self { bus, queues }
    }

    /// Receives (and deletes) what a rule's queue holds now: the events as
    /// EventBridge delivers them to a target.
    pub async fn drain(&self, sdk: &aws_config::SdkConfig, rule: &str) -> Vec<Json> {
        drain_queue(sdk, &self.queues[rule]).await
    }
}

/// Receives (and deletes) every message a queue holds now, as JSON bodies.
pub async fn drain_queue(sdk: &aws_config::SdkConfig, url: &str) -> Vec<Json> {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let mut out = Vec::new();
    for _ in 0..50 {
        let r = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let msgs = r.messages();
        if msgs.is_empty() {
            break;
        }
        for m in msgs {
            out.push(serde_json::from_str(m.body().unwrap()).unwrap());
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
    out
}

/// Names read from a function's environment, for comparison with the
/// template.
pub fn names(set: &BTreeSet<String>) -> Vec<&str> {
    set.iter().map(String::as_str).collect()
}
