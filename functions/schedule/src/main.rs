//! Wiring: configuration, tracing, clients (once per cold start), run.

use std::sync::Arc;

use chrono::Duration;
use lambda_runtime::{LambdaEvent, service_fn};
use lambda_schedule::config::Config;
use lambda_schedule::handler::{Deps, handle};
use leadscore_aws::{DynamoStore, EventBridgeBus, SqsEnrichQueue, lambda_sdk_config};
use leadscore_lambda::{Env, init_tracing};
use leadscore_pipeline::BusAlertSink;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let env = Env::process();
    let config = Config::from_env(&env)?;
    let sdk = lambda_sdk_config()?;
    let bus = Arc::new(EventBridgeBus::new(
        aws_sdk_eventbridge::Client::new(&sdk),
        &config.event_bus,
    ));
    let deps = Deps {
        store: Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            &config.table,
        )),
        queue: Arc::new(SqsEnrichQueue::new(
            aws_sdk_sqs::Client::new(&sdk),
            &config.queue_url,
        )),
        alerts: Arc::new(BusAlertSink { bus: bus.clone() }),
        bus,
        stale_after: Duration::days(config.stale_after_days),
        rescore_after: Duration::hours(config.rescore_after_hours),
        max_accounts: config.max_accounts,
        drain_limit: config.drain_limit,
    };
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| handle(&deps, event))).await
}
