//! The DynamoDB adapter of [`Store`]: one table, documented in
//! `docs/dynamodb.md`. The key and index names here are the ones the SAM
//! template declares (a consistency test checks the three agree).

use std::collections::HashMap;
use std::io::{Read, Write};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, CreateGlobalSecondaryIndexAction,
    GlobalSecondaryIndex, GlobalSecondaryIndexUpdate, KeySchemaElement, KeyType, KeysAndAttributes,
    Projection, ProjectionType, Put, PutRequest, ScalarAttributeType, TimeToLiveSpecification,
    TransactWriteItem, Update, WriteRequest,
};
use chrono::{DateTime, Duration, Utc};
use leadscore_core::Tier;
use leadscore_core::domain::{Account, Activity, Domain, Email, EnrichmentSnapshot, Lead};
use leadscore_core::rollup::AccountScore;
use leadscore_store::{
    AccountContext, Claim, LeadContext, PendingAlert, Result, ScoreRecord, ScoreWrite, Store,
    StoreError, timestamp,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Partition key attribute.
pub const PK: &str = "pk";
/// Sort key attribute.
pub const SK: &str = "sk";
/// TTL attribute (epoch seconds) of transient items.
pub const TTL_ATTRIBUTE: &str = "expires_at";

/// A global secondary index: name, partition key, sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    /// Index name.
    pub name: &'static str,
    /// Partition key attribute.
    pub pk: &'static str,
    /// Sort key attribute.
    pub sk: &'static str,
    /// What the index holds of an item besides the keys.
    pub projected: Projected,
}

/// What an index holds of an item besides the table's and its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projected {
    /// Every attribute.
    All,
    /// Nothing else.
    KeysOnly,
    /// These attributes.
    Include(&'static [&'static str]),
}

/// Leads of an account: `ACCOUNT#domain` → `LEAD#email`.
pub const LEADS_BY_ACCOUNT: Index = Index {
    name: "leads_by_account",
    pk: "acct_pk",
    sk: "acct_sk",
    projected: Projected::All,
};
/// Leads by tier and score: `TIER#hot` → zero-padded total.
pub const LEADS_BY_SCORE: Index = Index {
    name: "leads_by_score",
    pk: "score_pk",
    sk: "score_sk",
    projected: Projected::All,
};
/// Accounts by last enrichment: `DUE#shard` → enriched_at (`0` = never).
pub const ACCOUNTS_BY_ENRICHMENT: Index = Index {
    name: "accounts_by_enrichment",
    pk: "due_pk",
    sk: "due_sk",
    // Its queries read the domain alone: the account's data and signals,
    // rewritten with every snapshot, stay out of the index.
    projected: Projected::Include(&["domain"]),
};
/// Undelivered alerts (sparse): `PENDING` → created_at#version, or
/// failed_at#id once a delivery has failed (the back of the queue).
pub const PENDING_ALERTS: Index = Index {
    name: "pending_alerts",
    pk: "outbox_pk",
    sk: "outbox_sk",
    projected: Projected::All,
};
/// Current scores by when they were last checked: `CHECK#shard` →
/// `time#email`, the time the later of `scored_at` and the last rescoring
/// that found the score unchanged, `0` when never (keys only: the lead is
/// in the item's `pk`).
pub const SCORES_BY_CHECK: Index = Index {
    name: "scores_by_check",
    pk: "check_pk",
    sk: "check_sk",
    projected: Projected::KeysOnly,
};
/// Every index of the table.
pub const INDEXES: [Index; 5] = [
    LEADS_BY_ACCOUNT,
    LEADS_BY_SCORE,
    ACCOUNTS_BY_ENRICHMENT,
    PENDING_ALERTS,
    SCORES_BY_CHECK,
];

/// Sort-key prefix of score history items. It sorts after `ACT#`, `LEAD`
/// and `SCORE`, so one `sk < "VERSION#"` query reads a lead's context
/// without its history.
pub const HISTORY_PREFIX: &str = "VERSION#";
/// Attribute of the account item holding the newest snapshot's signals.
const SIGNALS: &str = "signals";

/// Shards of the partitions of the due-for-enrichment and scores-by-check
/// indexes.
pub const DUE_SHARDS: u32 = 4;
/// Records larger than this are stored gzip-compressed.
const COMPRESS_ABOVE: usize = 32 * 1024;
/// Retention of delivered alerts.
const DELIVERED_ALERT_TTL_DAYS: i64 = 30;
/// Retention of completed idempotency claims.
const CLAIM_TTL_DAYS: i64 = 90;
/// Retention of score history and snapshots.
const HISTORY_TTL_DAYS: i64 = 400;
/// Keys per BatchGetItem call (the service limit).
const BATCH_GET: usize = 100;
/// Items per BatchWriteItem call (the service limit).
const BATCH_WRITE: usize = 25;
/// Rounds of resending unprocessed keys or items.
const UNPROCESSED_ROUNDS: u32 = 8;

/// Exponential backoff with full jitter before round `round` (none before
/// the first).
async fn backoff(round: u32) {
    if round == 0 {
        return;
    }
    let cap = 25u64 << round.min(6);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    tokio::time::sleep(std::time::Duration::from_millis(nanos % cap + 1)).await;
}

/// Items per TransactWriteItems call (the service limit).
const TRANSACT_LIMIT: usize = 100;

/// Bytes per TransactWriteItems call, under the service's 4 MB (item sizes
/// are estimated as DynamoDB counts them, names and values).
const TRANSACT_BYTES: usize = 3_500_000;

/// The largest item DynamoDB stores.
const ITEM_LIMIT: usize = 400 * 1024;

/// An item's size as DynamoDB counts it (attribute names and values, a few
/// bytes per nested value), close enough to stay under the limits.
fn item_size(item: &Item) -> usize {
    fn value(v: &AttributeValue) -> usize {
        match v {
            AttributeValue::S(s) | AttributeValue::N(s) => s.len(),
            AttributeValue::B(b) => b.as_ref().len(),
            AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
            AttributeValue::M(m) => {
                3 + m.iter().map(|(k, v)| 1 + k.len() + value(v)).sum::<usize>()
            }
            AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + value(v)).sum::<usize>(),
            AttributeValue::Ss(s) | AttributeValue::Ns(s) => s.iter().map(String::len).sum(),
            AttributeValue::Bs(b) => b.iter().map(|b| b.as_ref().len()).sum(),
            _ => 0,
        }
    }
    item.iter().map(|(k, v)| k.len() + value(v)).sum()
}

/// `item`'s size, or an error naming `what` when DynamoDB would refuse it.
fn checked_size(item: &Item, what: &str) -> Result<usize> {
    let size = item_size(item);
    if size > ITEM_LIMIT {
        return Err(StoreError::Backend(format!(
            "{what}: {size} bytes stored, over DynamoDB's 400 KB item limit"
        )));
    }
    Ok(size)
}

/// Sends of one transaction cancelled by a concurrent one before giving up.
const TRANSACT_ATTEMPTS: u32 = 5;

type Item = HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn account_pk(d: &Domain) -> String {
    format!("ACCOUNT#{d}")
}

fn lead_pk(e: &Email) -> String {
    format!("LEAD#{e}")
}

fn due_shard(d: &Domain) -> u32 {
    shard_of(d.as_str())
}

fn attribute(name: &str) -> Result<AttributeDefinition> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| StoreError::Backend(e.to_string()))
}

fn key_element(name: &str, kind: KeyType) -> Result<KeySchemaElement> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|e| StoreError::Backend(e.to_string()))
}

fn projection(index: Index) -> Projection {
    match index.projected {
        Projected::All => Projection::builder().projection_type(ProjectionType::All),
        Projected::KeysOnly => Projection::builder().projection_type(ProjectionType::KeysOnly),
        Projected::Include(names) => names.iter().fold(
            Projection::builder().projection_type(ProjectionType::Include),
            |b, name| b.non_key_attributes(*name),
        ),
    }
    .build()
}

/// A `scores_by_check` sort key: the check time, then the lead, so equal
/// times list by email as in the other stores; `< timestamp(before)`
/// still selects the times before `before`.
fn check_sk(at: DateTime<Utc>, email: &Email) -> String {
    format!("{}#{email}", timestamp(at))
}

fn shard_of(key: &str) -> u32 {
    key.bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % DUE_SHARDS
}

fn score_sk(total: f64, email: &Email) -> String {
    format!("{total:06.1}#{email}")
}

fn ttl(at: DateTime<Utc>) -> AttributeValue {
    n(at.timestamp())
}

/// The outcome of a conditional write whose failed condition means there
/// is nothing to do: `true` when it was written, `false` when its condition
/// failed; any other error as [`sdk_error`].
fn written<O, E>(
    op: &str,
    result: std::result::Result<
        O,
        SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
    >,
) -> Result<bool>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(SdkError::ServiceError(ref se))
            if se.err().code() == Some("ConditionalCheckFailedException") =>
        {
            Ok(false)
        }
        Err(e) => Err(sdk_error(op, e)),
    }
}

/// The attribute of a claim naming its claimer (see [`holder_token`]).
const HOLDER: &str = "holder";

/// A token no other claim write carries: 128 bits from the standard
/// library's randomly seeded hasher, over the time and a process counter.
fn holder_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut halves = [0u64; 2];
    for (i, half) in halves.iter_mut().enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u64(n);
        h.write_usize(i);
        h.write_u32(std::process::id());
        *half = h.finish();
    }
    format!("{:016x}{:016x}", halves[0], halves[1])
}

/// Classifies an SDK error: throttling and transport problems, and any
/// 5xx, are retryable (the SDK has already retried them with backoff).
fn sdk_error<E>(
    op: &str,
    e: SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> StoreError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    let retryable = matches!(
        e,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    );
    let code = match &e {
        SdkError::ServiceError(se) => se.err().code().map(str::to_owned),
        _ => None,
    };
    let message = match &e {
        SdkError::ServiceError(se) => se.err().message().map(str::to_owned),
        _ => None,
    };
    let text = format!(
        "{op}: {}{}",
        code.as_deref().unwrap_or("error"),
        message
            .map(|m| format!(": {m}"))
            .unwrap_or_else(|| format!(" ({e})"))
    );
    // The SDK's own throttling and transient codes (a retried transaction
    // still running is `TransactionInProgressException`), DynamoDB's
    // server errors, and any 5xx.
    use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
    let throttled = code.as_deref().is_some_and(|c| {
        THROTTLING_ERRORS.contains(&c)
            || TRANSIENT_ERRORS.contains(&c)
            || matches!(c, "InternalServerError" | "ServiceUnavailable")
    }) || matches!(&e, SdkError::ServiceError(se) if se.raw().status().is_server_error());
    if retryable || throttled {
        StoreError::Unavailable(text)
    } else {
        StoreError::Backend(text)
    }
}

fn encode<T: Serialize>(item: &mut Item, value: &T) -> Result<()> {
    let json =
        serde_json::to_vec(value).map_err(|e| StoreError::Backend(format!("encoding: {e}")))?;
    if json.len() > COMPRESS_ABOVE {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&json)
            .and_then(|()| gz.finish())
            .map(|bytes| {
                item.insert("data".into(), AttributeValue::B(bytes.into()));
            })
            .map_err(|e| StoreError::Backend(format!("compressing: {e}")))?;
    } else {
        let text = String::from_utf8(json).map_err(|e| StoreError::Backend(e.to_string()))?;
        item.insert("data".into(), AttributeValue::S(text));
    }
    Ok(())
}

fn decode<T: DeserializeOwned>(item: &Item) -> Result<T> {
    match item.get("data") {
        Some(AttributeValue::S(text)) => {
            serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
        }
        Some(AttributeValue::B(blob)) => {
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(blob.as_ref())
                .read_to_end(&mut json)
                .map_err(|e| StoreError::Corrupt(format!("gzip: {e}")))?;
            serde_json::from_slice(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
        }
        _ => Err(StoreError::Corrupt(format!(
            "item {:?} has no data attribute",
            item.get(PK)
        ))),
    }
}

fn keyed(pk: String, sk: impl Into<String>, kind: &str) -> Item {
    let mut item = Item::new();
    item.insert(PK.into(), s(pk));
    item.insert(SK.into(), s(sk));
    item.insert("kind".into(), s(kind));
    item
}

/// The DynamoDB adapter of [`Store`]. Cheap to clone (the SDK client is an
/// `Arc` inside); build one per process.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// The stored items of `keys`, read with BatchGetItem ([`BATCH_GET`]
    /// keys a call, consistent), unprocessed keys resent with backoff up to
    /// [`UNPROCESSED_ROUNDS`] rounds, else a retryable
    /// [`StoreError::Unavailable`]; only their keys when `keys_only`.
    async fn batch_get(&self, keys: Vec<Item>, keys_only: bool) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        for chunk in keys.chunks(BATCH_GET) {
            let mut keys: Vec<Item> = chunk.to_vec();
            for round in 0..UNPROCESSED_ROUNDS {
                if keys.is_empty() {
                    break;
                }
                backoff(round).await;
                let mut ka = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut keys)))
                    .consistent_read(true);
                if keys_only {
                    ka = ka
                        .projection_expression("#pk, #sk")
                        .expression_attribute_names("#pk", PK)
                        .expression_attribute_names("#sk", SK);
                }
                let ka = ka.build().map_err(|e| StoreError::Backend(e.to_string()))?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, ka)
                    .send()
                    .await
                    .map_err(|e| sdk_error("BatchGetItem", e))?;
                items.extend(
                    out.responses
                        .unwrap_or_default()
                        .remove(&self.table)
                        .unwrap_or_default(),
                );
                keys = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
            if !keys.is_empty() {
                return Err(StoreError::Unavailable(format!(
                    "BatchGetItem left {} keys unprocessed after {UNPROCESSED_ROUNDS} rounds",
                    keys.len()
                )));
            }
        }
        Ok(items)
    }

    /// A store over `table` using a client built from the SDK's standard
    /// configuration (environment, profile, `AWS_ENDPOINT_URL[_DYNAMODB]`).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Builds the client from the standard configuration chain.
    pub async fn from_env(table: impl Into<String>) -> Self {
        let config = crate::sdk_config().await;
        Self::new(Client::new(&config), table)
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table with the schema of `infra/template.yaml` (keys,
    /// indexes, TTL; on-demand billing) and waits until it is active. An
    /// existing table is left as it is.
    pub async fn create_table(&self) -> Result<bool> {
        let mut req = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute(PK)?)
            .attribute_definitions(attribute(SK)?)
            .key_schema(key_element(PK, KeyType::Hash)?)
            .key_schema(key_element(SK, KeyType::Range)?);
        for index in INDEXES {
            req = req
                .attribute_definitions(attribute(index.pk)?)
                .attribute_definitions(attribute(index.sk)?)
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.name)
                        .key_schema(key_element(index.pk, KeyType::Hash)?)
                        .key_schema(key_element(index.sk, KeyType::Range)?)
                        .projection(projection(index))
                        .build()
                        .map_err(|e| StoreError::Backend(e.to_string()))?,
                );
        }
        let created = match req.send().await {
            Ok(_) => true,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_resource_in_use_exception()) =>
            {
                false
            }
            Err(e) => return Err(sdk_error("CreateTable", e)),
        };
        // Also for a table that exists: a first `store init` cut off while
        // the table was still being created left it without its TTL.
        let mut active = false;
        for _ in 0..240 {
            if self
                .describe()
                .await?
                .table_status()
                .is_some_and(|s| s.as_str() == "ACTIVE")
            {
                active = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        if !active {
            return Err(StoreError::Unavailable(format!(
                "table {} is not active after 2 minutes; run `store init` again",
                self.table
            )));
        }
        self.enable_ttl().await?;
        Ok(created)
    }

    /// Turns on the table's TTL on `expires_at`, unless it is on already.
    async fn enable_ttl(&self) -> Result<()> {
        let status = self
            .client
            .describe_time_to_live()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTimeToLive", e))?;
        let on = status.time_to_live_description().is_some_and(|d| {
            d.attribute_name() == Some(TTL_ATTRIBUTE)
                && d.time_to_live_status()
                    .is_some_and(|s| matches!(s.as_str(), "ENABLED" | "ENABLING"))
        });
        if on {
            return Ok(());
        }
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL_ATTRIBUTE)
                    .enabled(true)
                    .build()
                    .map_err(|e| StoreError::Backend(e.to_string()))?,
            )
            .send()
            .await
            .map_err(|e| sdk_error("UpdateTimeToLive", e))?;
        Ok(())
    }

    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", e))?;
        Ok(out.item)
    }

    async fn put(&self, item: Item) -> Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", e))?;
        Ok(())
    }

    /// Runs a query page by page (each page continuing from the previous
    /// one's last key) until the end or `limit` items.
    async fn query_all(
        &self,
        base: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        limit: Option<usize>,
    ) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut req = base.clone().set_exclusive_start_key(start.take());
            if let Some(l) = limit {
                req = req.limit(l.saturating_sub(items.len()).clamp(1, 1000) as i32);
            }
            let out = req.send().await.map_err(|e| sdk_error("Query", e))?;
            items.extend(out.items.unwrap_or_default());
            if limit.is_some_and(|l| items.len() >= l) {
                break;
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        if let Some(l) = limit {
            items.truncate(l);
        }
        Ok(items)
    }

    /// All items of one partition whose sort key starts with `prefix`, in
    /// sort-key order (descending if `desc`), up to `limit`.
    async fn query_prefix(
        &self,
        pk: String,
        prefix: &str,
        desc: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Item>> {
        let base = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
            .scan_index_forward(!desc)
            .consistent_read(true);
        self.query_all(base, limit).await
    }

    /// Items of an index partition, optionally with a sort-key upper bound.
    async fn query_index(
        &self,
        index: Index,
        pk: String,
        below: Option<String>,
        desc: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Item>> {
        let base = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index.name)
            .expression_attribute_names("#pk", index.pk)
            .expression_attribute_values(":pk", s(pk))
            .scan_index_forward(!desc);
        let base = match below {
            Some(b) => base
                .key_condition_expression("#pk = :pk AND #sk < :below")
                .expression_attribute_names("#sk", index.sk)
                .expression_attribute_values(":below", s(b)),
            None => base.key_condition_expression("#pk = :pk"),
        };
        self.query_all(base, limit).await
    }

    /// Adds the indexes of [`INDEXES`] an existing table lacks (one
    /// created by an earlier version), one at a time, each waited for until
    /// active; returns their names. DynamoDB builds a new index from the
    /// items already stored.
    pub async fn add_missing_indexes(&self) -> Result<Vec<&'static str>> {
        let mut added = Vec::new();
        for index in INDEXES {
            let table = self.describe().await?;
            if table
                .global_secondary_indexes()
                .iter()
                .any(|g| g.index_name() == Some(index.name))
            {
                continue;
            }
            self.client
                .update_table()
                .table_name(&self.table)
                .attribute_definitions(attribute(index.pk)?)
                .attribute_definitions(attribute(index.sk)?)
                .global_secondary_index_updates(
                    GlobalSecondaryIndexUpdate::builder()
                        .create(
                            CreateGlobalSecondaryIndexAction::builder()
                                .index_name(index.name)
                                .key_schema(key_element(index.pk, KeyType::Hash)?)
                                .key_schema(key_element(index.sk, KeyType::Range)?)
                                .projection(projection(index))
                                .build()
                                .map_err(|e| StoreError::Backend(e.to_string()))?,
                        )
                        .build(),
                )
                .send()
                .await
                .map_err(|e| sdk_error("UpdateTable", e))?;
            // Building an index over a large table takes minutes.
            let mut active = false;
            for _ in 0..1_200 {
                let table = self.describe().await?;
                active = table.global_secondary_indexes().iter().any(|g| {
                    g.index_name() == Some(index.name)
                        && g.index_status().is_some_and(|s| s.as_str() == "ACTIVE")
                });
                if active {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            if !active {
                return Err(StoreError::Unavailable(format!(
                    "index {} of {} is not active after 10 minutes; run store init again later",
                    index.name, self.table
                )));
            }
            added.push(index.name);
        }
        Ok(added)
    }

    async fn describe(&self) -> Result<aws_sdk_dynamodb::types::TableDescription> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTable", e))?
            .table
            .ok_or_else(|| StoreError::Backend(format!("{}: no table description", self.table)))
    }

    /// Puts the current scores written before the `scores_by_check` index
    /// existed into it, as never checked (due for the next rescoring pass);
    /// returns how many. `store init` runs it on an existing table: without
    /// it, such a score would wait for its next write. A paginated scan;
    /// idempotent (a score with check keys is left as it is).
    pub async fn backfill_score_checks(&self) -> Result<usize> {
        let unchecked = self
            .scan_all(
                self.client
                    .scan()
                    .table_name(&self.table)
                    .filter_expression("#kind = :kind AND attribute_not_exists(#cpk)")
                    .expression_attribute_names("#kind", "kind")
                    .expression_attribute_names("#cpk", SCORES_BY_CHECK.pk)
                    .expression_attribute_values(":kind", s("score"))
                    .projection_expression("#pk")
                    .expression_attribute_names("#pk", PK),
            )
            .await?;
        let mut added = 0;
        for item in unchecked {
            let Some(AttributeValue::S(pk)) = item.get(PK) else {
                continue;
            };
            let email = pk.strip_prefix("LEAD#").unwrap_or(pk);
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(PK, s(pk.clone()))
                .key(SK, s("SCORE"))
                .update_expression("SET #cpk = :shard, #csk = :never")
                .condition_expression("attribute_exists(#pk) AND attribute_not_exists(#cpk)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#cpk", SCORES_BY_CHECK.pk)
                .expression_attribute_names("#csk", SCORES_BY_CHECK.sk)
                .expression_attribute_values(":shard", s(format!("CHECK#{}", shard_of(email))))
                // Sorts before every timestamp.
                .expression_attribute_values(":never", s(format!("0#{email}")))
                .send()
                .await;
            // Not written: written or checked meanwhile, it has its keys.
            added += usize::from(written("UpdateItem", result)?);
        }
        Ok(added)
    }

    /// The items of a sharded time index (`PREFIX#0` … `PREFIX#3`) whose
    /// sort key is before `before`, oldest first, at most `limit`: each
    /// shard read up to `limit`, the lists merged by sort key.
    async fn due_on_shards<T: Ord>(
        &self,
        index: Index,
        prefix: &str,
        before: DateTime<Utc>,
        limit: usize,
        key: impl Fn(&Item) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut due: Vec<(String, T)> = Vec::new();
        for shard in 0..DUE_SHARDS {
            let items = self
                .query_index(
                    index,
                    format!("{prefix}#{shard}"),
                    Some(timestamp(before)),
                    false,
                    Some(limit),
                )
                .await?;
            for item in items {
                let Some(AttributeValue::S(at)) = item.get(index.sk) else {
                    return Err(StoreError::Corrupt(format!(
                        "{} item without its sort key",
                        index.name
                    )));
                };
                due.push((at.clone(), key(&item)?));
            }
        }
        due.sort();
        Ok(due.into_iter().take(limit).map(|(_, k)| k).collect())
    }

    /// Every item of one kind (a paginated scan; for listings and reports).
    async fn scan_kind(&self, kind: &str) -> Result<Vec<Item>> {
        self.scan_all(
            self.client
                .scan()
                .table_name(&self.table)
                .filter_expression("#kind = :kind")
                .expression_attribute_names("#kind", "kind")
                .expression_attribute_values(":kind", s(kind))
                .consistent_read(true),
        )
        .await
    }

    /// Runs a scan page by page (each page continuing from the previous
    /// one's last key) until the end.
    async fn scan_all(
        &self,
        base: aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder,
    ) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = base
                .clone()
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("Scan", e))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        Ok(items)
    }

    /// Runs TransactWriteItems; a failed condition is a conflict. A
    /// transaction cancelled only because another one was writing the same
    /// items at that moment (`TransactionConflict`, which is not a failed
    /// condition: two scorings of one lead overlapping) is sent again, up to
    /// [`TRANSACT_ATTEMPTS`] times with jittered backoff; its conditions are
    /// evaluated anew, so a retry that finds the other write done is a
    /// conflict, which the pipeline resolves by reading again.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<()> {
        let mut round = 0;
        loop {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let e = match result {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            if let Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c)) =
                e.as_service_error()
            {
                let codes: Vec<&str> = c.cancellation_reasons().iter().filter_map(|r| r.code()).collect();
                if codes.contains(&"ConditionalCheckFailed") {
                    return Err(StoreError::Conflict(format!("transaction cancelled: {codes:?}")));
                }
                if codes.contains(&"TransactionConflict") && round + 1 < TRANSACT_ATTEMPTS {
                    round += 1;
                    backoff(round).await;
                    continue;
                }
                if codes.iter().any(|c| matches!(*c, "ThrottlingError" | "TransactionConflict" | "ProvisionedThroughputExceeded")) {
                    return Err(StoreError::Unavailable(format!("transaction cancelled: {codes:?}")));
                }
            }
            return Err(sdk_error("TransactWriteItems", e));
        }
    }

    /// Writes one chunk of [`Store::upsert_leads`] in one transaction. A
    /// failed condition means an account's stored enrichment time is later
    /// than the copy's (a snapshot written since it was read): the chunk is
    /// sent again with the stored times, up to five times.
    async fn transact_chunk(&self, mut chunk: Vec<LeadsWrite>) -> Result<()> {
        let mut attempts = 0;
        loop {
            let items = chunk
                .iter()
                .map(|w| match w {
                    LeadsWrite::Account(a) => Ok(TransactWriteItem::builder()
                        .update(self.account_update(a)?)
                        .build()),
                    LeadsWrite::Put(item) => put_request(&self.table, item.clone(), None),
                })
                .collect::<Result<Vec<_>>>()?;
            match self.transact(items).await {
                Err(StoreError::Conflict(e)) if attempts < 5 => {
                    attempts += 1;
                    tracing::debug!(error = %e, "an account was enriched meanwhile; writing again");
                    for w in &mut chunk {
                        if let LeadsWrite::Account(a) = w {
                            self.with_stored_enrichment(a).await?;
                        }
                    }
                }
                other => return other,
            }
        }
    }

    fn account_item(account: &Account) -> Result<Item> {
        let mut item = keyed(account_pk(&account.domain), "ACCOUNT", "account");
        item.insert(
            ACCOUNTS_BY_ENRICHMENT.pk.into(),
            s(format!("DUE#{}", due_shard(&account.domain))),
        );
        item.insert(
            ACCOUNTS_BY_ENRICHMENT.sk.into(),
            s(account
                .enriched_at
                .map_or_else(|| "0".to_owned(), timestamp)),
        );
        item.insert("domain".into(), s(account.domain.as_str()));
        encode(&mut item, account)?;
        Ok(item)
    }

    /// An update that writes the account's own attributes and keeps the
    /// others (the newest snapshot's signals), on condition that the stored
    /// enrichment time is not later than the account's: a writer holding a
    /// copy read before a snapshot gets a conflict instead of making the
    /// account due again (see [`Self::with_stored_enrichment`]).
    fn account_update(&self, account: &Account) -> Result<Update> {
        let item = Self::account_item(account)?;
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(PK, s(account_pk(&account.domain)))
            .key(SK, s("ACCOUNT"));
        let mut sets = Vec::new();
        let mut condition = String::new();
        for (i, (name, value)) in item
            .into_iter()
            .filter(|(k, _)| k != PK && k != SK)
            .enumerate()
        {
            sets.push(format!("#a{i} = :a{i}"));
            if name == ACCOUNTS_BY_ENRICHMENT.sk {
                // "0" (never) sorts before every timestamp.
                condition = format!("attribute_not_exists(#a{i}) OR #a{i} <= :a{i}");
            }
            update = update
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), value);
        }
        update
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(condition)
            .build()
            .map_err(|e| StoreError::Backend(e.to_string()))
    }

    /// Takes the stored enrichment time into `account` where it is later:
    /// what a write whose [`Self::account_update`] condition failed sends
    /// again.
    async fn with_stored_enrichment(&self, account: &mut Account) -> Result<()> {
        if let Some(stored) = self.get_account(&account.domain).await? {
            account.enriched_at = account.enriched_at.max(stored.enriched_at);
        }
        Ok(())
    }

    fn lead_item(lead: &Lead) -> Result<Item> {
        let mut item = keyed(lead_pk(&lead.email), "LEAD", "lead");
        if let Some(d) = &lead.account {
            item.insert(LEADS_BY_ACCOUNT.pk.into(), s(account_pk(d)));
            item.insert(LEADS_BY_ACCOUNT.sk.into(), s(lead_pk(&lead.email)));
        }
        encode(&mut item, lead)?;
        Ok(item)
    }
}

/// One write of [`Store::upsert_leads`]: an account (its update is built
/// at each attempt, see [`DynamoStore::transact_chunk`]) or a lead's item.
enum LeadsWrite {
    Account(Account),
    Put(Item),
}

fn put_request(table: &str, item: Item, condition: Option<&str>) -> Result<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_owned))
        .build()
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

fn decode_all<T: DeserializeOwned>(items: &[Item]) -> Result<Vec<T>> {
    items.iter().map(decode).collect()
}

#[async_trait]
impl Store for DynamoStore {
    async fn upsert_account(&self, account: &Account) -> Result<()> {
        self.upsert_leads(&[], std::slice::from_ref(account)).await
    }

    async fn get_account(&self, domain: &Domain) -> Result<Option<Account>> {
        self.get(account_pk(domain), "ACCOUNT")
            .await?
            .map(|i| decode(&i))
            .transpose()
    }

    async fn list_accounts(&self) -> Result<Vec<Account>> {
        let mut v: Vec<Account> = decode_all(&self.scan_kind("account").await?)?;
        v.sort_by(|a, b| a.domain.cmp(&b.domain));
        Ok(v)
    }

    async fn upsert_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<()> {
        // Each write with its item's size, all checked before the first is
        // sent: an item over DynamoDB's limit fails the call, not a chunk
        // after others were committed.
        let mut writes = Vec::with_capacity(leads.len() + accounts.len());
        for a in accounts {
            let size = checked_size(&Self::account_item(a)?, a.domain.as_str())?;
            writes.push((LeadsWrite::Account(a.clone()), size));
        }
        for l in leads {
            let item = Self::lead_item(l)?;
            let size = checked_size(&item, l.email.as_str())?;
            writes.push((LeadsWrite::Put(item), size));
        }
        // Atomic per chunk: at most 100 items (the TransactWriteItems limit)
        // and TRANSACT_BYTES (a stored enrichment time taken over adds a
        // few dozen bytes to an account, far inside the margin).
        let mut chunk = Vec::new();
        let mut bytes = 0;
        for (write, size) in writes {
            if chunk.len() == TRANSACT_LIMIT || (!chunk.is_empty() && bytes + size > TRANSACT_BYTES)
            {
                self.transact_chunk(std::mem::take(&mut chunk)).await?;
                bytes = 0;
            }
            chunk.push(write);
            bytes += size;
        }
        if !chunk.is_empty() {
            self.transact_chunk(chunk).await?;
        }
        Ok(())
    }

    async fn add_new_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<usize> {
        // Each item on its own, conditional on its absence: a transaction
        // would fail whole on the one a submit stored meanwhile. Accounts
        // first, so a lead is never stored before its account.
        // A few at a time (an import may name thousands of unknown emails).
        use futures::{StreamExt, TryStreamExt};
        const AT_ONCE: usize = 8;
        let mut account_items = Vec::with_capacity(accounts.len());
        for a in accounts {
            let item = Self::account_item(a)?;
            checked_size(&item, a.domain.as_str())?;
            account_items.push(item);
        }
        let mut lead_items = Vec::with_capacity(leads.len());
        for l in leads {
            let item = Self::lead_item(l)?;
            checked_size(&item, l.email.as_str())?;
            lead_items.push(item);
        }
        let put_new = |item: Item| async move {
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await;
            written("PutItem", put)
        };
        futures::stream::iter(account_items)
            .map(put_new)
            .buffer_unordered(AT_ONCE)
            .try_collect::<Vec<bool>>()
            .await?;
        let added = futures::stream::iter(lead_items)
            .map(put_new)
            .buffer_unordered(AT_ONCE)
            .try_fold(0, |n, new| async move { Ok(n + usize::from(new)) })
            .await?;
        Ok(added)
    }

    async fn get_lead(&self, email: &Email) -> Result<Option<Lead>> {
        self.get(lead_pk(email), "LEAD")
            .await?
            .map(|i| decode(&i))
            .transpose()
    }

    async fn get_leads(&self, emails: &[Email]) -> Result<Vec<Lead>> {
        // BatchGetItem: no scan of the table for a short list of a large
        // store.
        let wanted: std::collections::BTreeSet<&Email> = emails.iter().collect();
        let keys: Vec<Item> = wanted
            .into_iter()
            .map(|e| {
                HashMap::from([
                    (PK.to_owned(), s(lead_pk(e))),
                    (SK.to_owned(), s("LEAD".to_owned())),
                ])
            })
            .collect();
        self.batch_get(keys, false)
            .await?
            .iter()
            .map(decode::<Lead>)
            .collect()
    }

    async fn list_leads(&self) -> Result<Vec<Lead>> {
        let mut v: Vec<Lead> = decode_all(&self.scan_kind("lead").await?)?;
        v.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(v)
    }

    async fn leads_of_account(&self, domain: &Domain) -> Result<Vec<Lead>> {
        let items = self
            .query_index(LEADS_BY_ACCOUNT, account_pk(domain), None, false, None)
            .await?;
        decode_all(&items)
    }

    async fn add_activities(&self, activities: &[Activity]) -> Result<usize> {
        // Which ids are new: BatchGetItem (100 keys a call), then the new ones
        // with BatchWriteItem (25 a call), retrying unprocessed keys/items.
        // Puts are keyed by id, so a retry or a concurrent import rewrites
        // the same item: never a duplicate.
        let mut unique: Vec<&Activity> = Vec::with_capacity(activities.len());
        let mut seen = std::collections::HashSet::new();
        for a in activities {
            if seen.insert((&a.lead, &a.id)) {
                unique.push(a);
            }
        }
        let key = |a: &Activity| {
            HashMap::from([
                (PK.to_owned(), s(lead_pk(&a.lead))),
                (SK.to_owned(), s(format!("ACT#{}", a.id.0))),
            ])
        };
        let mut existing = std::collections::HashSet::new();
        for item in self
            .batch_get(unique.iter().map(|a| key(a)).collect(), true)
            .await?
        {
            if let (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) =
                (item.get(PK), item.get(SK))
            {
                existing.insert((pk.clone(), sk.clone()));
            }
        }
        let fresh: Vec<&Activity> = unique
            .into_iter()
            .filter(|a| !existing.contains(&(lead_pk(&a.lead), format!("ACT#{}", a.id.0))))
            .collect();
        for chunk in fresh.chunks(BATCH_WRITE) {
            let mut requests = Vec::with_capacity(chunk.len());
            for a in chunk {
                let mut item = keyed(lead_pk(&a.lead), format!("ACT#{}", a.id.0), "activity");
                item.insert("occurred_at".into(), s(timestamp(a.occurred_at)));
                encode(&mut item, *a)?;
                requests.push(
                    WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(item))
                                .build()
                                .map_err(|e| StoreError::Backend(e.to_string()))?,
                        )
                        .build(),
                );
            }
            for round in 0..UNPROCESSED_ROUNDS {
                if requests.is_empty() {
                    break;
                }
                backoff(round).await;
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, std::mem::take(&mut requests))
                    .send()
                    .await
                    .map_err(|e| sdk_error("BatchWriteItem", e))?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
            }
            if !requests.is_empty() {
                return Err(StoreError::Unavailable(format!(
                    "BatchWriteItem left {} items unprocessed after {UNPROCESSED_ROUNDS} rounds",
                    requests.len()
                )));
            }
        }
        Ok(fresh.len())
    }

    async fn activities_of(&self, email: &Email) -> Result<Vec<Activity>> {
        let mut v: Vec<Activity> = decode_all(
            &self
                .query_prefix(lead_pk(email), "ACT#", false, None)
                .await?,
        )?;
        v.sort_by(|a, b| {
            a.occurred_at
                .cmp(&b.occurred_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(v)
    }

    async fn put_snapshot(&self, snapshot: &EnrichmentSnapshot) -> Result<()> {
        let pk = account_pk(&snapshot.domain);
        let mut snap = keyed(
            pk.clone(),
            format!("SNAP#{}", timestamp(snapshot.enriched_at)),
            "snapshot",
        );
        snap.insert(
            TTL_ATTRIBUTE.into(),
            ttl(snapshot.enriched_at + Duration::days(HISTORY_TTL_DAYS)),
        );
        encode(&mut snap, snapshot)?;
        // Refused before sending, naming the account (DynamoDB's own refusal
        // names neither).
        checked_size(&snap, &format!("the snapshot of {}", snapshot.domain))?;
        // The account is read and rewritten in the same transaction,
        // conditional on it being unchanged, so enriched_at never regresses
        // and the account JSON stays the single source of truth.
        for _ in 0..5 {
            let current = self.get(pk.clone(), "ACCOUNT").await?;
            let (mut account, condition) = match &current {
                Some(item) => (decode::<Account>(item)?, "#data = :old"),
                None => (
                    Account::new(snapshot.domain.clone(), snapshot.enriched_at),
                    "attribute_not_exists(pk)",
                ),
            };
            let newest = account
                .enriched_at
                .is_none_or(|t| t <= snapshot.enriched_at);
            if newest {
                account.enriched_at = Some(snapshot.enriched_at);
            }
            let mut item = Self::account_item(&account)?;
            let signals = if newest {
                Some(s(serde_json::to_string(&snapshot.signals)
                    .map_err(|e| StoreError::Backend(e.to_string()))?))
            } else {
                current.as_ref().and_then(|i| i.get(SIGNALS)).cloned()
            };
            if let Some(signals) = signals {
                item.insert(SIGNALS.into(), signals);
            }
            checked_size(
                &item,
                &format!("the account {} with its signals", snapshot.domain),
            )?;
            let mut put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(condition);
            if let Some(old) = current.as_ref().and_then(|i| i.get("data")) {
                put = put
                    .expression_attribute_names("#data", "data")
                    .expression_attribute_values(":old", old.clone());
            }
            let account_write = TransactWriteItem::builder()
                .put(
                    put.build()
                        .map_err(|e| StoreError::Backend(e.to_string()))?,
                )
                .build();
            match self
                .transact(vec![
                    put_request(&self.table, snap.clone(), None)?,
                    account_write,
                ])
                .await
            {
                Err(StoreError::Conflict(_)) => continue,
                other => return other,
            }
        }
        Err(StoreError::Conflict(format!(
            "account {} kept changing",
            snapshot.domain
        )))
    }

    async fn latest_snapshot(&self, domain: &Domain) -> Result<Option<EnrichmentSnapshot>> {
        let items = self
            .query_prefix(account_pk(domain), "SNAP#", true, Some(1))
            .await?;
        items.first().map(decode).transpose()
    }

    async fn accounts_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Domain>> {
        self.due_on_shards(ACCOUNTS_BY_ENRICHMENT, "DUE", before, limit, |item| {
            let Some(AttributeValue::S(d)) = item.get("domain") else {
                return Err(StoreError::Corrupt("account item without due keys".into()));
            };
            Domain::parse(d).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .await
    }

    async fn current_score(&self, email: &Email) -> Result<Option<ScoreRecord>> {
        self.get(lead_pk(email), "SCORE")
            .await?
            .map(|i| decode(&i))
            .transpose()
    }

    async fn save_score(&self, write: &ScoreWrite) -> Result<()> {
        let rec = &write.record;
        if rec.version != write.expected_version + 1 {
            return Err(StoreError::Backend(format!(
                "record version {} must be expected version {} + 1",
                rec.version, write.expected_version
            )));
        }
        let pk = lead_pk(&rec.lead);
        let mut score = keyed(pk.clone(), "SCORE", "score");
        score.insert("version".into(), n(rec.version));
        score.insert(LEADS_BY_SCORE.pk.into(), s(format!("TIER#{}", rec.tier)));
        score.insert(
            LEADS_BY_SCORE.sk.into(),
            s(score_sk(rec.score.total, &rec.lead)),
        );
        score.insert(
            SCORES_BY_CHECK.pk.into(),
            s(format!("CHECK#{}", shard_of(rec.lead.as_str()))),
        );
        score.insert(
            SCORES_BY_CHECK.sk.into(),
            s(check_sk(rec.score.scored_at, &rec.lead)),
        );
        encode(&mut score, rec)?;
        let put_score = if write.expected_version == 0 {
            Put::builder().condition_expression("attribute_not_exists(pk)")
        } else {
            Put::builder()
                .condition_expression("#version = :expected")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":expected", n(write.expected_version))
        }
        .table_name(&self.table)
        .set_item(Some(score))
        .build()
        .map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut history = keyed(
            pk,
            format!("{HISTORY_PREFIX}{:020}", rec.version),
            "score_history",
        );
        history.insert(
            TTL_ATTRIBUTE.into(),
            ttl(rec.score.scored_at + Duration::days(HISTORY_TTL_DAYS)),
        );
        encode(&mut history, rec)?;
        let mut writes = vec![
            TransactWriteItem::builder().put(put_score).build(),
            put_request(&self.table, history, Some("attribute_not_exists(pk)"))?,
        ];
        if let Some(alert) = &write.alert {
            let mut item = keyed(format!("ALERT#{}", alert.id), "ALERT", "alert");
            item.insert(PENDING_ALERTS.pk.into(), s("PENDING"));
            item.insert(
                PENDING_ALERTS.sk.into(),
                s(format!(
                    "{}#{:020}",
                    timestamp(alert.created_at),
                    alert.score_version
                )),
            );
            item.insert("attempts".into(), n(0));
            encode(&mut item, alert)?;
            writes.push(put_request(
                &self.table,
                item,
                Some("attribute_not_exists(pk)"),
            )?);
        }
        self.transact(writes).await
    }

    async fn list_scores(&self, tier: Option<Tier>) -> Result<Vec<ScoreRecord>> {
        let tiers = match tier {
            Some(t) => vec![t],
            None => vec![Tier::Hot, Tier::Warm, Tier::Cold],
        };
        let mut all: Vec<ScoreRecord> = Vec::new();
        for t in tiers {
            let items = self
                .query_index(LEADS_BY_SCORE, format!("TIER#{t}"), None, true, None)
                .await?;
            all.extend(decode_all::<ScoreRecord>(&items)?);
        }
        // The index is eventually consistent: a lead that has just changed
        // tier can be listed under both; its latest version counts.
        all.sort_by(|a, b| a.lead.cmp(&b.lead).then(b.version.cmp(&a.version)));
        all.dedup_by(|later, first| later.lead == first.lead);
        all.sort_by(|a, b| {
            b.score
                .total
                .total_cmp(&a.score.total)
                .then_with(|| a.lead.cmp(&b.lead))
        });
        Ok(all)
    }

    async fn scores_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Email>> {
        self.due_on_shards(SCORES_BY_CHECK, "CHECK", before, limit, |item| {
            let Some(AttributeValue::S(pk)) = item.get(PK) else {
                return Err(StoreError::Corrupt("score item without its key".into()));
            };
            pk.strip_prefix("LEAD#")
                .ok_or_else(|| StoreError::Corrupt(format!("score item under {pk}")))
                .and_then(|e| Email::parse(e).map_err(|e| StoreError::Corrupt(e.to_string())))
        })
        .await
    }

    async fn mark_score_checked(
        &self,
        email: &Email,
        version: u64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(lead_pk(email)))
            .key(SK, s("SCORE"))
            .update_expression("SET #cpk = :shard, #csk = :at")
            // A score written before the index existed has no check keys.
            .condition_expression("#version = :v AND (attribute_not_exists(#csk) OR #csk < :at)")
            .expression_attribute_names("#cpk", SCORES_BY_CHECK.pk)
            .expression_attribute_names("#csk", SCORES_BY_CHECK.sk)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":shard", s(format!("CHECK#{}", shard_of(email.as_str()))))
            .expression_attribute_values(":at", s(check_sk(at, email)))
            .expression_attribute_values(":v", n(version))
            .send()
            .await;
        // Not written: rewritten since, checked later, or gone; nothing to do.
        written("UpdateItem", result).map(|_| ())
    }

    async fn score_history(&self, email: &Email, limit: usize) -> Result<Vec<ScoreRecord>> {
        decode_all(
            &self
                .query_prefix(lead_pk(email), HISTORY_PREFIX, true, Some(limit))
                .await?,
        )
    }

    async fn save_account_score(&self, score: &AccountScore) -> Result<()> {
        let mut item = keyed(account_pk(&score.domain), "ACCOUNT_SCORE", "account_score");
        encode(&mut item, score)?;
        self.put(item).await
    }

    async fn list_account_scores(&self) -> Result<Vec<AccountScore>> {
        let mut v: Vec<AccountScore> = decode_all(&self.scan_kind("account_score").await?)?;
        v.sort_by(|a, b| {
            b.total
                .total_cmp(&a.total)
                .then_with(|| a.domain.cmp(&b.domain))
        });
        Ok(v)
    }

    async fn lead_context(&self, email: &Email) -> Result<Option<LeadContext>> {
        // One query: ACT#…, LEAD and SCORE sort before the history items.
        // Backwards, so the score comes first (then the lead, then the
        // activities), also when a lead's activities take more pages than
        // one: a score saved after the activities were read is then newer
        // than the one read, and a write from this context conflicts (see
        // `Store::lead_context`).
        let base = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk < :history")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(lead_pk(email)))
            .expression_attribute_values(":history", s(HISTORY_PREFIX))
            .scan_index_forward(false)
            .consistent_read(true);
        let items = self.query_all(base, None).await?;
        let (mut lead, mut score, mut activities) = (None, None, Vec::new());
        for item in &items {
            match item.get(SK) {
                Some(AttributeValue::S(sk)) if sk == "LEAD" => lead = Some(decode::<Lead>(item)?),
                Some(AttributeValue::S(sk)) if sk == "SCORE" => {
                    score = Some(decode::<ScoreRecord>(item)?)
                }
                Some(AttributeValue::S(sk)) if sk.starts_with("ACT#") => {
                    activities.push(decode::<Activity>(item)?)
                }
                _ => {}
            }
        }
        activities.sort_by(|a, b| {
            a.occurred_at
                .cmp(&b.occurred_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(lead.map(|lead| LeadContext {
            lead,
            activities,
            score,
        }))
    }

    async fn account_context(&self, domain: &Domain) -> Result<AccountContext> {
        let Some(item) = self.get(account_pk(domain), "ACCOUNT").await? else {
            return Ok(AccountContext {
                account: None,
                signals: Vec::new(),
            });
        };
        let signals = match item.get(SIGNALS) {
            Some(AttributeValue::S(json)) => {
                serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?
            }
            _ => Vec::new(),
        };
        Ok(AccountContext {
            account: Some(decode(&item)?),
            signals,
        })
    }

    async fn claim(
        &self,
        key: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Claim> {
        let mut item = keyed(format!("CLAIM#{key}"), "CLAIM", "claim");
        item.insert("lease_until".into(), s(timestamp(lease_until)));
        // Tells this claimer's own write from another's: a write that
        // landed while its answer was lost is sent again by the SDK, and its
        // condition then fails on the claim it made itself.
        let holder = holder_token();
        item.insert(HOLDER.into(), s(holder.clone()));
        item.insert(
            TTL_ATTRIBUTE.into(),
            ttl(lease_until + Duration::days(CLAIM_TTL_DAYS)),
        );
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(pk) OR (attribute_not_exists(completed_at) AND lease_until <= :now)",
            )
            .expression_attribute_values(":now", s(timestamp(now)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Acquired),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                let stored = self.get(format!("CLAIM#{key}"), "CLAIM").await?;
                Ok(match stored {
                    Some(i) if i.contains_key("completed_at") => Claim::Done,
                    Some(i) if i.get(HOLDER) == Some(&s(holder)) => Claim::Acquired,
                    _ => Claim::Busy,
                })
            }
            Err(e) => Err(sdk_error("PutItem", e)),
        }
    }

    async fn release(&self, key: &str, lease_until: DateTime<Utc>) -> Result<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PK, s(format!("CLAIM#{key}")))
            .key(SK, s("CLAIM"))
            .condition_expression("attribute_not_exists(completed_at) AND lease_until = :lease")
            .expression_attribute_values(":lease", s(timestamp(lease_until)))
            .send()
            .await;
        // Not deleted: completed, or held under another lease.
        written("DeleteItem", result).map(|_| ())
    }

    async fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<()> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(format!("CLAIM#{key}")))
            .key(SK, s("CLAIM"))
            .update_expression(
                "SET completed_at = if_not_exists(completed_at, :now), #kind = :kind, #ttl = :ttl",
            )
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":now", s(timestamp(now)))
            .expression_attribute_values(":kind", s("claim"))
            .expression_attribute_values(":ttl", ttl(now + Duration::days(CLAIM_TTL_DAYS)))
            .send()
            .await
            .map_err(|e| sdk_error("UpdateItem", e))?;
        Ok(())
    }

    async fn count_hit(
        &self,
        key: &str,
        _now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64> {
        // DynamoDB's TTL drops the item some time after `expires_at`.
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(format!("COUNT#{key}")))
            .key(SK, s("COUNT"))
            .update_expression("ADD hits :one SET #kind = :kind, #ttl = if_not_exists(#ttl, :ttl)")
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":kind", s("counter"))
            .expression_attribute_values(":ttl", ttl(expires_at))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| sdk_error("UpdateItem", e))?;
        out.attributes()
            .and_then(|a| a.get("hits"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("counter {key}: no hit count returned")))
    }

    async fn pending_alert_records(&self, limit: usize) -> Result<Vec<PendingAlert>> {
        let items = self
            .query_index(PENDING_ALERTS, "PENDING".into(), None, false, Some(limit))
            .await?;
        items
            .iter()
            .map(|item| {
                Ok(PendingAlert {
                    alert: decode(item)?,
                    attempts: match item.get("attempts") {
                        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
                        _ => 0,
                    },
                    last_error: match item.get("last_error") {
                        Some(AttributeValue::S(e)) => Some(e.clone()),
                        _ => None,
                    },
                })
            })
            .collect()
    }

    async fn mark_alert_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(format!("ALERT#{id}")))
            .key(SK, s("ALERT"))
            .update_expression("SET delivered_at = :at, #ttl = :ttl REMOVE #opk, #osk")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(delivered_at)")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_names("#opk", PENDING_ALERTS.pk)
            .expression_attribute_names("#osk", PENDING_ALERTS.sk)
            .expression_attribute_values(":at", s(timestamp(at)))
            .expression_attribute_values(":ttl", ttl(at + Duration::days(DELIVERED_ALERT_TTL_DAYS)))
            .send()
            .await;
        // Not written: unknown or already delivered; nothing to do.
        written("UpdateItem", result).map(|_| ())
    }

    async fn record_alert_failure(&self, id: &str, error: &str, at: DateTime<Utc>) -> Result<()> {
        // Only a pending alert: a delivered one has left the index.
        let update = Update::builder()
            .table_name(&self.table)
            .key(PK, s(format!("ALERT#{id}")))
            .key(SK, s("ALERT"))
            .update_expression("ADD #attempts :one SET last_error = :err, #osk = :queue")
            .expression_attribute_names("#attempts", "attempts")
            .expression_attribute_names("#opk", PENDING_ALERTS.pk)
            .expression_attribute_names("#osk", PENDING_ALERTS.sk)
            .condition_expression("attribute_exists(pk) AND attribute_exists(#opk)")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":err", s(error))
            .expression_attribute_values(":queue", s(format!("{}#{id}", timestamp(at))))
            .build()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        match self
            .transact(vec![TransactWriteItem::builder().update(update).build()])
            .await
        {
            Ok(()) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
