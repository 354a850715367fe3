//! Alert emails over SMTP (lettre): the local product's email channel. The
//! Lambdas send the same [`render::email`](crate::render::email) content
//! through SES.

use async_trait::async_trait;
use leadscore_core::domain::Alert;
use leadscore_pipeline::{AlertSink, DeliveryError};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::render;

/// A bad SMTP setting, found when the sink is built.
#[derive(Debug, thiserror::Error)]
pub enum SmtpConfigError {
    /// The server URL is not one lettre understands.
    #[error(
        "SMTP URL `{url}`: {reason} (expected smtp://[user:pass@]host[:port], smtps://… for implicit TLS, or ?tls=required for STARTTLS)"
    )]
    Url {
        /// The URL, with any password hidden.
        url: String,
        /// Why.
        reason: String,
    },
    /// A sender or recipient is not an email address.
    #[error("`{address}` is not an email address: {reason}")]
    Address {
        /// The address.
        address: String,
        /// Why.
        reason: String,
    },
    /// No recipient.
    #[error("no email recipient (give at least one --email-to)")]
    NoRecipient,
}

/// Sends each alert as one multipart (text + HTML) email.
pub struct SmtpEmail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    limit: std::time::Duration,
}

impl std::fmt::Debug for SmtpEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpEmail")
            .field("from", &self.from.to_string())
            .field("to", &self.to.len())
            .finish_non_exhaustive()
    }
}

fn mailbox(address: &str) -> Result<Mailbox, SmtpConfigError> {
    address.parse().map_err(|e| SmtpConfigError::Address {
        address: address.to_owned(),
        reason: format!("{e}"),
    })
}

/// `url` with its user-info (user name and password) replaced, for
/// messages: some providers take the API token as the user name (Postmark,
/// as both). A URL too broken to parse has its whole user-info hidden too.
fn redact(url: &str) -> String {
    if let Ok(mut u) = url::Url::parse(url) {
        if u.password().is_some() {
            let _ = u.set_password(Some("***"));
        }
        if !u.username().is_empty() {
            let _ = u.set_username("***");
        }
        return u.to_string();
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// The longest one email's SMTP conversation may take.
pub const SEND_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

impl SmtpEmail {
    /// A sink sending through the server at `url` (lettre's URL form:
    /// `smtp://user:pass@host:587?tls=required`, `smtps://host`, or plain
    /// `smtp://127.0.0.1:2525` for a local relay), from `from` to every `to`.
    pub fn new(url: &str, from: &str, to: &[String]) -> Result<Self, SmtpConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpConfigError::Url {
                url: redact(url),
                reason: e.to_string(),
            })?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        if to.is_empty() {
            return Err(SmtpConfigError::NoRecipient);
        }
        Ok(Self {
            transport,
            from: mailbox(from)?,
            to: to.iter().map(|a| mailbox(a)).collect::<Result<_, _>>()?,
            limit: SEND_LIMIT,
        })
    }

    /// Overrides how long one email's conversation may take
    /// ([`SEND_LIMIT`] by default).
    #[must_use]
    pub fn with_send_limit(mut self, limit: std::time::Duration) -> Self {
        self.limit = limit;
        self
    }

    fn message(&self, alert: &Alert) -> Result<Message, DeliveryError> {
        let content = render::email(alert);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(content.subject)
            // One alert, one Message-ID: a relay that saw it already can
            // drop the copy a crashed retry sends.
            .message_id(Some(format!("<alert-{}@leadscore>", alert.id)));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                content.text,
                content.html,
            ))
            .map_err(|e| DeliveryError {
                sink: "smtp".into(),
                reason: format!("building the email: {e}"),
                retryable: false,
                outcome_unknown: false,
            })
    }
}

/// Transient SMTP failures (4xx replies, connection and timeout errors) are
/// retried by the outbox; permanent ones (5xx) are not.
fn retryable(e: &SmtpError) -> bool {
    !e.is_permanent()
}

#[async_trait]
impl AlertSink for SmtpEmail {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        let message = self.message(alert)?;
        // The whole conversation is bounded: the transport's timeout is per
        // read, and a server that takes the connection and never greets
        // (or stalls after DATA) held each alert for minutes, and every
        // later one behind it.
        match tokio::time::timeout(self.limit, self.transport.send(message)).await {
            Ok(sent) => sent.map(|_| ()).map_err(|e| DeliveryError {
                sink: "smtp".into(),
                reason: e.to_string(),
                retryable: retryable(&e),
                outcome_unknown: false,
            }),
            Err(_) => Err(DeliveryError {
                sink: "smtp".into(),
                reason: format!(
                    "the mail server did not finish within {:.1} s",
                    self.limit.as_secs_f64()
                ),
                retryable: true,
                // The cut may come before the server ever greeted (nothing
                // sent): not taken as maybe delivered, so it is sent again
                // rather than lost (the Message-ID lets a relay drop a
                // copy).
                outcome_unknown: false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The transport's connection pool needs a runtime to be built in.
    /// A server that takes the connection and never greets: the delivery
    /// fails (retryably) when the limit is up, not minutes later.
    #[tokio::test]
    async fn a_server_that_never_answers_fails_the_send_at_its_limit() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((sock, _)) = listener.accept().await {
                held.push(sock);
            }
        });
        let sink = SmtpEmail::new(
            &format!("smtp://127.0.0.1:{port}"),
            "a@b.example",
            &["c@d.example".into()],
        )
        .unwrap()
        .with_send_limit(std::time::Duration::from_millis(300));
        let alert: Alert = serde_json::from_value(serde_json::json!({
            "id": "k1", "kind": "became_hot", "lead": "ada@acme.example", "lead_name": "Ada",
            "score": 80.0, "tier": "hot", "grade": "A1", "reasons": [], "model_version": "m@1",
            "score_version": 1, "created_at": "2026-11-01T00:00:00Z"
        }))
        .unwrap();
        let e = tokio::time::timeout(std::time::Duration::from_secs(10), sink.deliver(&alert))
            .await
            .expect("bounded")
            .unwrap_err();
        assert!(
            e.retryable && e.reason.contains("did not finish within 0.3 s"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn bad_settings_are_typed_errors_without_the_password() {
        let err = SmtpEmail::new(
            "smtp://user:hunter2@",
            "a@b.example",
            &["c@d.example".into()],
        )
        .unwrap_err();
        assert!(matches!(err, SmtpConfigError::Url { .. }), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        // A token as the user name (Postmark takes it as both) is hidden too.
        let err = SmtpEmail::new(
            "smtp://tok123:tok123@smtp.example:587?tls=bogus",
            "a@b.example",
            &["c@d.example".into()],
        )
        .unwrap_err();
        assert!(!err.to_string().contains("tok123"), "{err}");
        assert!(redact("smtp://tok123@h:587").contains("***@h"));
        let err = SmtpEmail::new(
            "smtp://127.0.0.1:2525",
            "not an address",
            &["c@d.example".into()],
        )
        .unwrap_err();
        assert!(matches!(err, SmtpConfigError::Address { .. }), "{err}");
        let err = SmtpEmail::new("smtp://127.0.0.1:2525", "a@b.example", &[]).unwrap_err();
        assert!(matches!(err, SmtpConfigError::NoRecipient), "{err}");
        assert!(
            SmtpEmail::new(
                "smtp://127.0.0.1:2525",
                "a@b.example",
                &["c@d.example".into()]
            )
            .is_ok()
        );
    }
}
