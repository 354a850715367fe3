//! Wiring: configuration, tracing, clients (once per cold start), run.

use std::sync::Arc;

use lambda_notify::config::Config;
use lambda_notify::handler::{Deps, Parking, handle_queue};
use lambda_notify::{CLAIM_LEASE, LazySlack, WebhookUrl};
use lambda_runtime::{LambdaEvent, service_fn};
use leadscore_aws::{
    DynamoStore, Recipients, SecretReader, SesEmail, SqsSender, lambda_sdk_config,
};
use leadscore_lambda::{Env, init_tracing};
use leadscore_notify::once::Once;
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
        // A connection that cannot be made fails as a connect error (sure
        // not to have posted), not as the request's timeout (maybe posted).
        let client = leadscore_fetch::https_client_builder()?
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(lambda_notify::SLACK_TIMEOUT)
            .build()?;
        let source = SecretUrl {
            reader: SecretReader::new(&sdk),
            secret: secret.clone(),
        };
        channels.push((
            "slack".into(),
            Arc::new(
                Once::new(store.clone(), "slack", LazySlack::new(source, client))
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
    let parking = config.failure_queue.as_ref().map(|url| {
        Arc::new(FailureQueue(SqsSender::new(
            aws_sdk_sqs::Client::new(&sdk),
            url,
        ))) as Arc<dyn Parking>
    });
    let deps = Deps { channels, parking };
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| async {
        Ok::<_, std::convert::Infallible>(handle_queue(&deps, event).await)
    }))
    .await
}

/// The failure queue (`FAILURE_QUEUE_URL`), where a message that is no
/// alert goes at once.
struct FailureQueue(SqsSender);

#[async_trait::async_trait]
impl Parking for FailureQueue {
    async fn park(&self, body: &str, reason: &str) -> Result<(), String> {
        self.0.send(body, reason).await
    }
}

/// The Slack webhook URL in its secret (`SLACK_WEBHOOK_SECRET`), read
/// through one client.
struct SecretUrl {
    reader: SecretReader,
    secret: String,
}

#[async_trait::async_trait]
impl WebhookUrl for SecretUrl {
    async fn url(&self) -> Result<String, String> {
        self.reader.read(&self.secret, "url").await.map_err(|e| {
            tracing::error!(secret = %self.secret, error = %e, "reading the Slack webhook secret failed");
            format!("reading SLACK_WEBHOOK_SECRET {}: {e}", self.secret)
        })
    }
}
