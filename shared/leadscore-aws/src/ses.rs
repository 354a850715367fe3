//! The SES v2 email sink: alerts as HTML + text email to the lead's owner or
//! a configured sales address.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use leadscore_core::domain::Alert;
use leadscore_notify::render;
use leadscore_pipeline::{AlertSink, DeliveryError};

/// Who receives alert emails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients {
    /// Always sent to (e.g. a sales channel address); used when the lead has
    /// no owner or owners are not routed.
    pub default: Vec<String>,
    /// Send to the lead's owner when it looks like an email address.
    pub route_to_owner: bool,
}

impl Recipients {
    /// The addresses for one alert.
    pub fn for_alert(&self, alert: &Alert) -> Vec<String> {
        // An owner that is a valid address, as parsed (" dana@x.com" and
        // "mailto:dana@x.com" are sent as dana@x.com); a name or a Slack
        // handle ("@dana") goes to the default list, not to SES to be
        // refused.
        match alert
            .owner
            .as_deref()
            .filter(|_| self.route_to_owner)
            .and_then(|o| leadscore_core::domain::Email::parse(o).ok())
        {
            Some(owner) => vec![owner.to_string()],
            None => self.default.clone(),
        }
    }
}

/// Sends alert emails through SES v2.
#[derive(Debug, Clone)]
pub struct SesEmail {
    client: Client,
    from: String,
    recipients: Recipients,
}

impl SesEmail {
    /// The addresses an alert goes to.
    pub fn recipients_for(&self, alert: &Alert) -> Vec<String> {
        self.recipients.for_alert(alert)
    }

    /// A sink sending from a verified `from` identity.
    pub fn new(client: Client, from: impl Into<String>, recipients: Recipients) -> Self {
        Self {
            client,
            from: from.into(),
            recipients,
        }
    }
}

fn content(data: String) -> Result<Content, DeliveryError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| DeliveryError {
            sink: "email".into(),
            reason: e.to_string(),
            retryable: false,
            outcome_unknown: false,
        })
}

#[async_trait]
impl AlertSink for SesEmail {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        let to = self.recipients.for_alert(alert);
        if to.is_empty() {
            // Owner routing without a fallback list, and a lead without an
            // owner address: nobody to email. Not a failure a retry could
            // mend (it would only send the alert to the failure queue), and
            // the other channels have it.
            tracing::warn!(alert = %alert.id, lead = %alert.lead, "no email recipient: the lead has no owner address and SALES_EMAIL is empty; email skipped");
            return Ok(());
        }
        let mail = render::email(alert);
        let message = Message::builder()
            .subject(content(mail.subject)?)
            .body(
                Body::builder()
                    .text(content(mail.text)?)
                    .html(content(mail.html)?)
                    .build(),
            )
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().set_to_addresses(Some(to)).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                let retryable = !e.as_service_error().is_some_and(|se| {
                    se.is_message_rejected()
                        || se.is_mail_from_domain_not_verified_exception()
                        || se.is_bad_request_exception()
                });
                DeliveryError {
                    sink: "email".into(),
                    reason: format!(
                        "SES SendEmail: {}",
                        aws_sdk_sesv2::error::DisplayErrorContext(&e)
                    ),
                    retryable,
                    outcome_unknown: false,
                }
            })
    }
}
