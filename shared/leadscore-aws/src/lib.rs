//! AWS adapters of leadscore's ports: [`DynamoStore`] (the [`Store`] port on
//! one DynamoDB table), [`EventBridgeBus`] (the event bus), [`SqsEnrichQueue`]
//! (the enrichment queue), [`SesEmail`] (an alert sink), Secrets Manager, and the SDK configuration every Lambda and the CLI share.
//!
//! Endpoints, region and credentials come from the SDK's standard
//! configuration chain for the CLI ([`sdk_config`]: `AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB`, profiles, …) and from
//! what the Lambda service sets for the functions ([`lambda_sdk_config`]);
//! there is no test-only code path.
//!
//! [`Store`]: leadscore_store::Store

pub mod dynamodb;
pub mod eventbridge;
pub mod secrets;
pub mod ses;
pub mod sqs;

pub use aws_config::SdkConfig;
pub use dynamodb::DynamoStore;
pub use eventbridge::EventBridgeBus;
pub use secrets::{SecretError, SecretReader, read_secret};
pub use ses::{Recipients, SesEmail};
pub use sqs::{SqsEnrichQueue, SqsSender};

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

fn retry_config() -> aws_config::retry::RetryConfig {
    aws_config::retry::RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(std::time::Duration::from_millis(50))
}

/// The shared SDK configuration of the CLI: the standard chain (profiles, SSO
/// where the CLI adds it, instance roles, `AWS_ENDPOINT_URL[_SERVICE]`, …),
/// [`https_client`], and a retry policy that rides out throttling.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(retry_config())
        .load()
        .await
}

/// A Lambda function's SDK configuration, from what the Lambda service sets
/// in the environment: `AWS_REGION` and the execution role's credentials
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), plus
/// `AWS_ENDPOINT_URL` when set (a local AWS-compatible server). Not the
/// standard chain: profiles, SSO, STS role assumption and instance metadata
/// never apply inside Lambda, and leaving them out makes every function
/// binary ~0.6 MB smaller and its cold start shorter. Same HTTPS client and
/// retry policy as [`sdk_config`].
pub fn lambda_sdk_config() -> Result<SdkConfig, LambdaEnvError> {
    lambda_sdk_config_from(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

fn lambda_sdk_config_from(
    var: impl Fn(&str) -> Option<String>,
) -> Result<SdkConfig, LambdaEnvError> {
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .ok_or(LambdaEnvError::Missing("AWS_REGION"))?;
    for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        if var(name).is_none() {
            return Err(LambdaEnvError::Missing(name));
        }
    }
    let mut config = SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            ),
        )
        .http_client(https_client())
        .retry_config(retry_config())
        .time_source(aws_smithy_async::time::SystemTimeSource::new());
    if let Some(sleep) = aws_smithy_async::rt::sleep::default_async_sleep() {
        config = config.sleep_impl(sleep);
    }
    if let Some(url) = var("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(url);
    }
    Ok(config.build())
}

/// The Lambda environment lacks what [`lambda_sdk_config`] needs.
#[derive(Debug, thiserror::Error)]
pub enum LambdaEnvError {
    /// A variable the Lambda service always sets is missing.
    #[error("{0} is not set (the Lambda service sets it; set it to run a function elsewhere)")]
    Missing(&'static str),
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<SdkConfig, LambdaEnvError> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        lambda_sdk_config_from(|name| vars.get(name).cloned())
    }

    const CREDS: [(&str, &str); 2] = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ];

    #[test]
    fn a_lambda_config_is_read_from_what_lambda_sets() {
        let c = config(&[("AWS_REGION", "eu-west-1"), CREDS[0], CREDS[1]]).unwrap();
        assert_eq!(c.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(c.endpoint_url(), None);
        assert!(c.credentials_provider().is_some());
        assert!(c.http_client().is_some());
        assert!(c.sleep_impl().is_some());
        assert_eq!(
            c.retry_config().map(|r| r.max_attempts()),
            Some(MAX_ATTEMPTS)
        );
        let local = config(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            CREDS[0],
            CREDS[1],
        ])
        .unwrap();
        assert_eq!(local.endpoint_url(), Some("http://127.0.0.1:5000"));
    }

    #[test]
    fn a_missing_region_or_credential_is_named() {
        let e = config(&[CREDS[0], CREDS[1]]).unwrap_err();
        assert!(e.to_string().starts_with("AWS_REGION is not set"), "{e}");
        let e = config(&[("AWS_REGION", "us-east-1"), CREDS[0]]).unwrap_err();
        assert!(e.to_string().starts_with("AWS_SECRET_ACCESS_KEY"), "{e}");
    }
}
