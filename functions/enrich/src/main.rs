//! Wiring: configuration, tracing, clients (once per cold start), run.

use std::sync::Arc;

use lambda_enrich::config::Config;
use lambda_enrich::handler::{Deps, handle};
use lambda_runtime::{LambdaEvent, service_fn};
use leadscore_aws::{DynamoStore, EventBridgeBus, lambda_sdk_config};
use leadscore_lambda::{Env, build_enricher, init_tracing};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let env = Env::process();
    let config = Config::from_env(&env)?;
    let enricher = build_enricher(&env)?;
    let sdk = lambda_sdk_config()?;
    let deps = Deps {
        store: Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            &config.table,
        )),
        bus: Arc::new(EventBridgeBus::new(
            aws_sdk_eventbridge::Client::new(&sdk),
            &config.event_bus,
        )),
        enricher: Arc::new(enricher),
        concurrency: config.concurrency,
    };
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| handle(&deps, event))).await
}
