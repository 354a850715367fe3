//! Secrets read once per cold start, from Secrets Manager (a name or ARN).

use aws_config::SdkConfig;

/// Why a secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The service call failed.
    #[error("reading secret {id}: {reason}")]
    Read {
        /// The secret's id.
        id: String,
        /// Why.
        reason: String,
    },
    /// The secret has no string value, or its JSON has no usable field.
    #[error("secret {id} has no usable value: {reason}")]
    Empty {
        /// The secret's id.
        id: String,
        /// Why.
        reason: String,
    },
}

/// Reads a secret string from Secrets Manager (`id` is a name or ARN). A
/// JSON object value yields its `field` member (e.g. `{"url": "https://hooks..."}`).
/// For a secret read once at cold start; one read again while the function
/// runs goes through a [`SecretReader`] built once.
pub async fn read_secret(config: &SdkConfig, id: &str, field: &str) -> Result<String, SecretError> {
    SecretReader::new(config).read(id, field).await
}

/// A Secrets Manager client, built once per cold start, for secrets read
/// more than once (the notify function reads its Slack webhook again after
/// Slack refuses it).
#[derive(Debug, Clone)]
pub struct SecretReader {
    client: aws_sdk_secretsmanager::Client,
}

impl SecretReader {
    /// A reader with `config`'s endpoint, region and credentials.
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_secretsmanager::Client::new(config),
        }
    }

    /// [`read_secret`] through this reader's client.
    pub async fn read(&self, id: &str, field: &str) -> Result<String, SecretError> {
        read_with(&self.client, id, field).await
    }
}

async fn read_with(
    client: &aws_sdk_secretsmanager::Client,
    id: &str,
    field: &str,
) -> Result<String, SecretError> {
    let out = client
        .get_secret_value()
        .secret_id(id)
        .send()
        .await
        .map_err(|e| SecretError::Read {
            id: id.to_owned(),
            reason: aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string(),
        })?;
    let raw = out.secret_string().ok_or_else(|| SecretError::Empty {
        id: id.to_owned(),
        reason: "no string value".into(),
    })?;
    value_of(raw, field).ok_or_else(|| SecretError::Empty {
        id: id.to_owned(),
        reason: format!("a JSON value without a string `{field}`"),
    })
}

/// The usable value of a secret string: the string itself, or the `field`
/// member of a JSON object.
pub fn value_of(raw: &str, field: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(trimmed).ok()?;
        return v.get(field)?.as_str().map(str::to_owned);
    }
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::value_of;

    #[test]
    fn plain_and_json_values() {
        assert_eq!(
            value_of(" https://h/x \n", "url").as_deref(),
            Some("https://h/x")
        );
        assert_eq!(
            value_of(r#"{"url":"https://h/y"}"#, "url").as_deref(),
            Some("https://h/y")
        );
        assert_eq!(value_of(r#"{"webhook":"https://h/y"}"#, "url"), None);
        assert_eq!(value_of("  ", "url"), None);
    }
}
