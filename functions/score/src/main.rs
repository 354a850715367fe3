//! Wiring: configuration, tracing, clients (once per cold start), run.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use lambda_score::config::Config;
use lambda_score::handler::{Deps, handle};
use leadscore_aws::{DynamoStore, EventBridgeBus, lambda_sdk_config};
use leadscore_lambda::{Env, init_tracing, load_model};
use leadscore_pipeline::BusAlertSink;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let env = Env::process();
    let config = Config::from_env(&env)?;
    let sdk = lambda_sdk_config()?;
    let model = load_model(&env, &sdk).await?;
    let bus = Arc::new(EventBridgeBus::new(
        aws_sdk_eventbridge::Client::new(&sdk),
        &config.event_bus,
    ));
    let deps = Deps {
        store: Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            &config.table,
        )),
        model: Arc::new(model),
        alerts: Arc::new(BusAlertSink { bus: bus.clone() }),
        bus,
        drain_limit: config.drain_limit,
        pass_limit: config.pass_limit,
        now: chrono::Utc::now,
    };
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| handle(&deps, event))).await
}
