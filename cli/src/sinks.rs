//! Where the local product's alerts go: stdout, a Slack incoming webhook and
//! SMTP email, each optional but stdout. Every channel is wrapped in
//! [`Once`], so an alert re-delivered after an interruption or a failed
//! sibling channel never posts (or prints) twice, and every channel is tried
//! whatever another one answers.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use async_trait::async_trait;
use leadscore_core::domain::{Alert, AlertKind};
use leadscore_notify::once::Once;
use leadscore_notify::slack::SlackWebhook;
use leadscore_notify::smtp::SmtpEmail;
use leadscore_pipeline::{AlertSink, DeliveryError};
use leadscore_store::Store;

/// Alert channels (flags or environment).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SinkArgs {
    /// Post alerts to this Slack incoming webhook too (the notify Lambda's
    /// Block Kit message).
    #[arg(long, env = "LEADSCORE_SLACK_WEBHOOK", hide_env_values = true, value_parser = webhook_url)]
    pub slack_webhook: Option<url::Url>,
    /// Email alerts through this SMTP server: smtp://user:pass@host:587?tls=required
    /// (STARTTLS), smtps://user:pass@host (TLS), smtp://127.0.0.1:25 (a local relay).
    #[arg(
        long,
        env = "LEADSCORE_SMTP_URL",
        hide_env_values = true,
        requires = "email_to"
    )]
    pub smtp_url: Option<String>,
    /// Sender of alert emails.
    #[arg(
        long,
        env = "LEADSCORE_EMAIL_FROM",
        default_value = "leadscore <leadscore@localhost>"
    )]
    pub email_from: String,
    /// Recipient of alert emails (repeatable, or comma-separated).
    #[arg(
        long = "email-to",
        env = "LEADSCORE_EMAIL_TO",
        value_delimiter = ',',
        requires = "smtp_url"
    )]
    pub email_to: Vec<String>,
}

/// A webhook URL: `https://` with a host, or `http://` to this machine (a
/// relay, a test): its secret path is not sent in the clear elsewhere.
fn webhook_url(s: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    let ok = match url.scheme() {
        "https" => url.host_str().is_some_and(|h| !h.is_empty()),
        "http" => loopback,
        _ => false,
    };
    if !ok {
        return Err(
            "a Slack webhook is an https:// URL (https://hooks.slack.com/services/...); http:// only to this machine"
                .into(),
        );
    }
    Ok(url)
}

/// What a delivery (`who`: "this command", "this run") says of the alerts
/// it held for channels it was not given, if any.
pub fn held_note(d: &leadscore_pipeline::DrainSummary, who: &str) -> Option<String> {
    (d.held > 0).then(|| {
        format!(
            "{} alert(s) held: their last delivery failed on {}, which {who} was not given ({}); they stay pending",
            d.held,
            d.held_for.join(", "),
            flags_for(&d.held_for)
        )
    })
}

/// The flags that give `channels` (for a message naming what is missing).
fn flags_for(channels: &[String]) -> String {
    channels
        .iter()
        .map(|c| match c.as_str() {
            "slack" => "--slack-webhook",
            "email" => "--smtp-url and --email-to",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How alerts are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdoutFormat {
    /// One JSON object per line (the `Lead Became Hot` detail).
    JsonLines,
    /// One human line per alert.
    Text,
    /// One human line per alert, on stderr: when stdout carries a JSON
    /// document (`run --json`).
    TextOnStderr,
}

/// Alerts on stdout.
#[derive(Debug)]
pub struct Stdout(pub StdoutFormat);

#[async_trait]
impl AlertSink for Stdout {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        let out = match self.0 {
            StdoutFormat::JsonLines => crate::output::print_json_line(alert),
            StdoutFormat::Text => {
                println!("{}", crate::output::term(&alert_line(alert)));
                Ok(())
            }
            StdoutFormat::TextOnStderr => {
                eprintln!("{}", crate::output::term(&alert_line(alert)));
                Ok(())
            }
        };
        out.map_err(|e| DeliveryError {
            sink: "stdout".into(),
            reason: e.to_string(),
            retryable: true,
            outcome_unknown: false,
        })
    }
}

/// `🔥 became hot: Dana Reyes <dana@…> (VP Sales, northwind.example) 82.0 A1 —
/// top reason: …`, or `❄ cooled: …` for a lead that fell out of hot.
pub fn alert_line(alert: &Alert) -> String {
    let mut who = Vec::new();
    if let Some(t) = &alert.title {
        who.push(t.clone());
    }
    if let Some(a) = &alert.account {
        who.push(a.to_string());
    }
    // The reasons are ranked (`Score::ranked_reasons`): what disqualified
    // the lead, if anything did, then the largest points.
    let top = alert
        .reasons
        .first()
        .map(|r| format!(" — top reason: {} ({:+.0})", r.label, r.points))
        .unwrap_or_default();
    let what = match alert.kind {
        AlertKind::BecameHot => "🔥 became hot",
        AlertKind::Cooled => "❄ cooled",
    };
    format!(
        "{what}: {} <{}>{} {:.1} {}{}",
        alert.lead_name,
        alert.lead,
        if who.is_empty() {
            String::new()
        } else {
            format!(" ({})", who.join(", "))
        },
        alert.score,
        alert.grade,
        top
    )
}

/// Every configured sink; an alert is delivered when all took it. Each is
/// tried even when one before it failed (a revoked Slack webhook must not
/// keep the email from going out), and the ones that took it are not
/// repeated on the retry: they are wrapped in [`Once`].
#[derive(Default)]
pub struct Fanout(Vec<(String, Box<dyn AlertSink>)>);

impl std::fmt::Debug for Fanout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| n))
            .finish()
    }
}

impl Fanout {
    /// Names of the channels, for messages.
    pub fn channels(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }
}

#[async_trait]
impl AlertSink for Fanout {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        // Every channel at once: a hanging one (a mail server that never
        // greets) does not hold the others' message back.
        let outcomes =
            futures::future::join_all(self.0.iter().map(|(_, sink)| sink.deliver(alert))).await;
        let mut failed: Vec<DeliveryError> = outcomes.into_iter().filter_map(Result::err).collect();
        match failed.len() {
            0 => Ok(()),
            1 => Err(failed.remove(0)),
            _ => Err(DeliveryError {
                sink: failed
                    .iter()
                    .map(|e| e.sink.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                reason: failed
                    .iter()
                    .map(|e| format!("{}: {}", e.sink, e.reason))
                    .collect::<Vec<_>>()
                    .join("; "),
                // Worth a retry when one of them is.
                retryable: failed.iter().any(|e| e.retryable),
                outcome_unknown: false,
            }),
        }
    }

    async fn release_abandoned(&self) {
        for (_, sink) in &self.0 {
            sink.release_abandoned().await;
        }
    }

    fn channels(&self) -> Option<Vec<String>> {
        Some(self.0.iter().map(|(n, _)| n.clone()).collect())
    }
}

/// The sinks of `args`, after stdout in `format`.
pub fn build(store: &Arc<dyn Store>, args: &SinkArgs, format: StdoutFormat) -> Result<Fanout> {
    let mut sinks: Vec<(String, Box<dyn AlertSink>)> = vec![(
        "stdout".into(),
        Box::new(Once::new(store.clone(), "stdout", Stdout(format))),
    )];
    if let Some(url) = &args.slack_webhook {
        let client = leadscore_fetch::https_client_builder()?
            // A connection that cannot be made fails as a connect error
            // (sure not to have posted), not as the request's timeout.
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .context("building the HTTP client")?;
        sinks.push((
            "slack".into(),
            Box::new(Once::new(
                store.clone(),
                "slack",
                SlackWebhook::new(client, url.clone()),
            )),
        ));
    }
    if let Some(url) = &args.smtp_url {
        let email = SmtpEmail::new(url, &args.email_from, &args.email_to)
            // A bad option value, as clap's own are.
            .map_err(|e| crate::fail(crate::exit::USAGE, format!("--smtp-url: {e}")))?;
        sinks.push((
            "email".into(),
            Box::new(Once::new(store.clone(), "email", email)),
        ));
    }
    Ok(Fanout(sinks))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Mutex;

    /// Refuses every alert, or records it.
    struct Channel(&'static str, bool, Mutex<Vec<String>>);

    #[async_trait]
    impl AlertSink for Channel {
        async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
            if self.1 {
                return Err(DeliveryError {
                    sink: self.0.into(),
                    reason: "HTTP 404".into(),
                    retryable: false,
                    outcome_unknown: false,
                });
            }
            self.2.lock().unwrap().push(alert.id.clone());
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_failing_channel_does_not_keep_the_others_from_the_alert() {
        let store = leadscore_store::MemoryStore::new();
        leadscore_pipeline::import_leads(
            &store,
            &leadscore_core::import::parse_leads(
                b"email,title,industry,employees\ndana@acme.example,VP Sales,Software,200\n",
                None,
                chrono::Utc::now(),
            )
            .unwrap(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let email = leadscore_core::domain::Email::parse("dana@acme.example").unwrap();
        let model = leadscore_core::ScoringModel::from_toml(
            "name = \"t\"\n[scale]\nfit_max = 10\nengagement_max = 10\n[weights]\nfit = 1\nengagement = 0\n[tiers]\nhot = 70\nwarm = 40\nhysteresis = 5\n[grades]\nfit = [70, 45, 25]\nengagement = [75, 50, 25]\n[[rule]]\nid = \"vp\"\nlead = \"seniority\"\nequals = \"vp\"\npoints = 10\n",
            "t.toml",
        )
        .unwrap();
        let r = leadscore_pipeline::rescore_lead(&store, &model, &email, chrono::Utc::now())
            .await
            .unwrap();
        let alert = r.alert.unwrap();
        let slack = Arc::new(Channel("slack", true, Mutex::default()));
        let email_sink = Arc::new(Channel("email", false, Mutex::default()));
        struct Shared(Arc<Channel>);
        #[async_trait]
        impl AlertSink for Shared {
            async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
                self.0.deliver(alert).await
            }
        }
        let fanout = Fanout(vec![
            ("slack".into(), Box::new(Shared(slack.clone()))),
            ("email".into(), Box::new(Shared(email_sink.clone()))),
        ]);
        let err = fanout.deliver(&alert).await.unwrap_err();
        assert_eq!((err.sink.as_str(), err.retryable), ("slack", false));
        // Before, the email was never tried after Slack's refusal.
        assert_eq!(
            email_sink.2.lock().unwrap().as_slice(),
            std::slice::from_ref(&alert.id)
        );
    }

    #[test]
    fn a_cooled_alert_says_cooled() {
        use leadscore_core::domain::{Domain, Email};
        use leadscore_core::{Grade, Tier};
        let mut alert = Alert {
            id: "a1".into(),
            kind: AlertKind::Cooled,
            lead: Email::parse("dana@northwind.example").unwrap(),
            lead_name: "Dana Reyes".into(),
            title: Some("VP Sales".into()),
            owner: None,
            account: Some(Domain::parse("northwind.example").unwrap()),
            account_name: Some("Northwind".into()),
            score: 63.0,
            previous_score: Some(72.0),
            tier: Tier::Warm,
            grade: Grade {
                fit: 'B',
                engagement: 2,
            },
            reasons: Vec::new(),
            model_version: "default@x".into(),
            score_version: 3,
            created_at: chrono::Utc::now(),
        };
        assert_eq!(
            alert_line(&alert),
            "❄ cooled: Dana Reyes <dana@northwind.example> (VP Sales, northwind.example) 63.0 B2"
        );
        alert.kind = AlertKind::BecameHot;
        assert!(alert_line(&alert).starts_with("🔥 became hot: Dana Reyes"));
        // The reasons come ranked (a disqualifying rule first, whatever its
        // points): the line gives the first, not the largest.
        let reason = |rule: &str, label: &str, points: f64| leadscore_core::Contribution {
            rule: rule.into(),
            label: label.into(),
            category: leadscore_core::Category::Fit,
            points,
            raw_points: points,
            decay: 1.0,
            occurrences: 1,
            capped: false,
            evidence: "".into(),
            source_url: None,
            observed_at: None,
        };
        alert.kind = AlertKind::Cooled;
        alert.reasons = vec![
            reason("competitor", "Works at a competitor", -1.0),
            reason("demo", "Requested a demo", 40.0),
        ];
        assert!(
            alert_line(&alert).ends_with("— top reason: Works at a competitor (-1)"),
            "{}",
            alert_line(&alert)
        );
    }
}
