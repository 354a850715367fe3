//! Wiring: configuration, tracing, clients (once per cold start), run.

use std::sync::Arc;

use lambda_form_submit::config::Config;
use lambda_form_submit::handler::handle;
use lambda_http::{Request, service_fn};
use leadscore_aws::{DynamoStore, EventBridgeBus, SqsEnrichQueue, lambda_sdk_config};
use leadscore_intake::Intake;
use leadscore_lambda::{Env, init_tracing, load_model};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    init_tracing();
    let env = Env::process();
    let config = Config::from_env(&env)?;
    let sdk = lambda_sdk_config()?;
    let model = load_model(&env, &sdk).await?;
    let intake = Intake {
        store: Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            &config.table,
        )),
        model: Arc::new(model),
        queue: Some(Arc::new(SqsEnrichQueue::new(
            aws_sdk_sqs::Client::new(&sdk),
            &config.queue_url,
        ))),
        bus: Some(Arc::new(EventBridgeBus::new(
            aws_sdk_eventbridge::Client::new(&sdk),
            &config.event_bus,
        ))),
        config: config.intake,
    };
    lambda_http::run(service_fn(|req: Request| handle(&intake, req))).await
}
