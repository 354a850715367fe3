//! AWS adapters of leadscore's ports: [`DynamoStore`] (the [`Store`] port on
//! one DynamoDB table), [`EventBridgeBus`] (the event bus), [`SqsEnrichQueue`]
//! (the enrichment queue), [`SesEmail`] (an alert sink), Secrets Manager, and the SDK configuration every Lambda and the CLI share.
//!
//! Endpoints, region and credentials come from the SDK's standard
//! configuration chain only (`AWS_REGION`, `AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_DYNAMODB`, profiles, the Lambda role); there is no
//! test-only code path.
//!
//! [`Store`]: leadscore_store::Store

pub mod dynamodb;
pub mod eventbridge;
pub mod secrets;
pub mod ses;
pub mod sqs;

pub use dynamodb::DynamoStore;
pub use eventbridge::EventBridgeBus;
pub use secrets::{SecretError, read_secret};
pub use ses::{Recipients, SesEmail};
pub use sqs::SqsEnrichQueue;

/// Attempts per SDK call, throttling and transient errors included (the
/// SDK's standard retry mode: exponential backoff with jitter).
pub const MAX_ATTEMPTS: u32 = 8;

/// The SDK's HTTPS client: its own hyper client, with rustls on ring (the
/// crypto provider of every other leadscore client) trusting the platform's
/// roots.
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// The shared SDK configuration: the standard chain, [`https_client`], and a
/// retry policy that rides out throttling.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(std::time::Duration::from_millis(50)),
        )
        .load()
        .await
}
