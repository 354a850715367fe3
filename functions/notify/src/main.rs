//! Wiring: configuration, tracing, clients (once per cold start), run.

use std::sync::Arc;

use lambda_notify::config::Config;
use lambda_notify::handler::{Deps, handle_queue};
use lambda_notify::{CLAIM_LEASE, Misconfigured};
use lambda_runtime::{LambdaEvent, service_fn};
use leadscore_aws::{DynamoStore, Recipients, SdkConfig, SesEmail, lambda_sdk_config, read_secret};
use leadscore_lambda::{Env, init_tracing};
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
        let client = leadscore_fetch::https_client_builder()?
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        // A secret that cannot be read or is no URL fails Slack's deliveries
        // only: email still goes out, and the failed invocation's retry
        // (or a replay once the secret is fixed) redoes Slack alone.
        let sink: Arc<dyn AlertSink> = match slack_url(&sdk, secret).await {
            Ok(url) => Arc::new(
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
            Err(reason) => {
                tracing::error!(secret = %secret, %reason, "Slack is not configured; its deliveries fail until the secret is fixed");
                Arc::new(Misconfigured {
                    channel: "slack".into(),
                    reason,
                })
            }
        };
        channels.push(("slack".into(), sink));
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
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| async {
        Ok::<_, std::convert::Infallible>(handle_queue(&deps, event).await)
    }))
    .await
}

/// The webhook URL in the Slack secret, or why it cannot be had.
async fn slack_url(sdk: &SdkConfig, secret: &str) -> Result<url::Url, String> {
    let url = read_secret(sdk, secret, "url")
        .await
        .map_err(|e| format!("reading SLACK_WEBHOOK_SECRET {secret}: {e}"))?;
    url::Url::parse(&url).map_err(|e| format!("SLACK_WEBHOOK_SECRET {secret} is not a URL: {e}"))
}
