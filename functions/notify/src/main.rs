//! Wiring: configuration, tracing, clients (once per cold start), run.

use std::sync::Arc;

use lambda_notify::CLAIM_LEASE;
use lambda_notify::config::Config;
use lambda_notify::handler::{Deps, handle};
use lambda_runtime::{LambdaEvent, service_fn};
use leadscore_aws::{DynamoStore, Recipients, SesEmail, lambda_sdk_config, read_secret};
use leadscore_lambda::{ConfigError, Env, init_tracing};
use leadscore_notify::once::Once;
use leadscore_notify::slack::SlackWebhook;
use leadscore_pipeline::AlertSink;
use leadscore_store::Store;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let env = Env::process();
    let config = Config::from_env(&env)?;
    let sdk = lambda_sdk_config()?;
    let store: Arc<dyn Store> = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        &config.table,
    ));
    let mut channels: Vec<(String, Arc<dyn AlertSink>)> = Vec::new();
    if let Some(secret) = &config.slack_secret {
        let url = read_secret(&sdk, secret, "url").await?;
        let url = url::Url::parse(&url).map_err(|e| ConfigError::Invalid {
            name: "SLACK_WEBHOOK_SECRET".into(),
            value: secret.clone(),
            reason: format!("the secret is not a URL: {e}"),
        })?;
        let client = leadscore_fetch::https_client_builder()?
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        channels.push((
            "slack".into(),
            Arc::new(
                Once::new(
                    store.clone(),
                    "slack",
                    // Three attempts, waits of at most 5 s: a retry loop
                    // that fits the claim's lease.
                    SlackWebhook::new(client, url)
                        .with_limits(3, std::time::Duration::from_secs(5)),
                )
                .with_lease(CLAIM_LEASE),
            ),
        ));
    }
    if let Some(from) = &config.ses_from {
        let ses = SesEmail::new(
            aws_sdk_sesv2::Client::new(&sdk),
            from,
            Recipients {
                default: config.sales_email.clone(),
                route_to_owner: config.email_owner,
            },
        );
        channels.push((
            "email".into(),
            Arc::new(Once::new(store.clone(), "email", ses).with_lease(CLAIM_LEASE)),
        ));
    }
    let deps = Deps { channels };
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| handle(&deps, event))).await
}
