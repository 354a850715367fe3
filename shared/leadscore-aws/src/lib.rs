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

/// The shared SDK configuration: the standard chain, with a retry policy
/// that rides out throttling.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(std::time::Duration::from_millis(50)),
        )
        .load()
        .await
}
