//! Alerts rendered for people: Slack Block Kit and email.

use leadscore_core::domain::{Alert, AlertKind, is_bidi_control};
use serde_json::{Value, json};

/// Escapes text for Slack mrkdwn (`&`, `<`, `>`).
pub fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn is_web_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(['<', '>', '|', ' ', '"'])
}

/// `s` without direction controls (the messages' own text has none: any
/// there came from a name, a title or scraped evidence).
fn without_bidi(s: String) -> String {
    if s.chars().any(is_bidi_control) {
        s.chars().filter(|c| !is_bidi_control(*c)).collect()
    } else {
        s
    }
}

/// Every text of a Slack message without direction controls.
fn strip_bidi_json(v: &mut Value) {
    match v {
        Value::String(s) => *s = without_bidi(std::mem::take(s)),
        Value::Array(items) => items.iter_mut().for_each(strip_bidi_json),
        Value::Object(map) => map.values_mut().for_each(strip_bidi_json),
        _ => {}
    }
}

/// `s` as one line of plain text for a header or a subject: control
/// characters as spaces, direction overrides and isolates dropped (they
/// would show a name reversed), and `=?` broken (a mail client decodes an
/// encoded word in a subject, whatever put it there).
fn one_line(s: &str) -> String {
    let text: String = s
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("=?", "= ?")
}

/// The account's name on one line, cut to 100 characters, when known.
fn account_name(alert: &Alert) -> Option<String> {
    let name = one_line(alert.account_name.as_deref()?);
    (!name.is_empty()).then(|| truncate(&name, 100))
}

fn headline(alert: &Alert) -> String {
    let who = match (account_name(alert), &alert.account) {
        (Some(name), _) => format!("{} at {name}", alert.lead_name),
        (None, Some(a)) => format!("{} at {a}", alert.lead_name),
        (None, None) => alert.lead_name.clone(),
    };
    // One line: a name's line break never reaches an email's subject.
    let who = one_line(&who);
    match alert.kind {
        AlertKind::BecameHot => format!("🔥 Hot lead: {who}"),
        AlertKind::Cooled => format!("Lead cooled: {who}"),
    }
}

fn score_text(alert: &Alert) -> String {
    match alert.previous_score {
        Some(p) => format!("{:.1} (was {p:.1})", alert.score),
        None => format!("{:.1}", alert.score),
    }
}

fn signed(points: f64) -> String {
    if points >= 0.0 {
        format!("+{points:.1}")
    } else {
        format!("{points:.1}")
    }
}

/// A Block Kit `mrkdwn` text object, `verbatim`: Slack then makes no link
/// of a bare URL, channel name or mention in it (a form's name field
/// `https://evil.example/login` or `@here` stays text); the message's own
/// links are written `<url|text>`, which Slack still reads.
fn mrkdwn(text: impl Into<String>) -> Value {
    json!({"type": "mrkdwn", "text": text.into(), "verbatim": true})
}

/// The Slack message (incoming-webhook payload): a plain `text` fallback
/// for notifications, and Block Kit blocks: header, lead/account/score
/// fields, the top reasons with evidence links, and a context line.
pub fn slack_message(alert: &Alert) -> Value {
    // Form and CSV values are cut before they are escaped (an entity is
    // never split), so that a field stays under Block Kit's 2,000
    // characters even when every character is escaped: one field over it
    // and Slack refuses the whole message, for good.
    let mut lead = format!(
        "*Lead*\n<{0}|{1}>",
        slack_escape(&alert.lead.mailto()),
        slack_escape(&truncate(&alert.lead_name, 120))
    );
    if let Some(t) = &alert.title {
        lead.push('\n');
        lead.push_str(&slack_escape(&truncate(t, 150)));
    }
    let mut fields = vec![mrkdwn(lead)];
    if let Some(a) = &alert.account {
        let text = match account_name(alert) {
            Some(name) => format!("*Account*\n{}\n<https://{a}|{a}>", slack_escape(&name)),
            None => format!("*Account*\n<https://{a}|{a}>"),
        };
        fields.push(mrkdwn(text));
    }
    fields.push(mrkdwn(format!("*Score*\n{}", score_text(alert))));
    fields.push(mrkdwn(format!(
        "*Tier · grade*\n{} · {}",
        alert.tier, alert.grade
    )));
    if let Some(o) = &alert.owner {
        fields.push(mrkdwn(format!(
            "*Owner*\n{}",
            slack_escape(&truncate(o, 200))
        )));
    }
    let reasons: Vec<String> = alert
        .reasons
        .iter()
        .map(|c| {
            let mut line = format!(
                "• *{}* {} — {}",
                signed(c.points),
                slack_escape(&c.label),
                slack_escape(&c.evidence.to_string())
            );
            if let Some(u) = c.source_url.as_deref().filter(|u| is_web_link(u)) {
                line.push_str(&format!(" (<{u}|source>)"));
            }
            line
        })
        .collect();
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": truncate(&headline(alert), 150), "emoji": true}}),
        json!({"type": "section", "fields": fields}),
    ];
    if !reasons.is_empty() {
        blocks.push(json!({"type": "section", "text": mrkdwn(truncate(&format!("*Why*\n{}", reasons.join("\n")), 3000))}));
    }
    blocks.push(json!({"type": "context", "elements": [mrkdwn(format!("model `{}` · alert `{}`", alert.model_version, alert.id))]}));
    let mut message = json!({
        // Slack reads the fallback text as mrkdwn too (and shows it in
        // notifications): a name such as `<!channel>` must stay text.
        "text": format!(
            "{} — {} {} {}",
            slack_escape(&truncate(&headline(alert), 300)),
            score_text(alert),
            alert.tier,
            alert.grade
        ),
        "blocks": blocks,
    });
    strip_bidi_json(&mut message);
    message
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// An email: subject, plain text and HTML bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailContent {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body (self-contained, inline styles).
    pub html: String,
}

/// The alert email.
pub fn email(alert: &Alert) -> EmailContent {
    let head = headline(alert).trim_start_matches("🔥 ").to_owned();
    let subject = format!("{head} — {:.1} {} {}", alert.score, alert.tier, alert.grade);
    let mut text = format!("{head}\n\nLead:  {} <{}>\n", alert.lead_name, alert.lead);
    if let Some(t) = &alert.title {
        text.push_str(&format!("Title: {t}\n"));
    }
    match (account_name(alert), &alert.account) {
        (Some(name), Some(a)) => text.push_str(&format!("Account: {name} ({a})\n")),
        (None, Some(a)) => text.push_str(&format!("Account: {a}\n")),
        (Some(name), None) => text.push_str(&format!("Account: {name}\n")),
        (None, None) => {}
    }
    text.push_str(&format!(
        "Score: {}  Tier: {}  Grade: {}\n\nWhy:\n",
        score_text(alert),
        alert.tier,
        alert.grade
    ));
    let mut rows = String::new();
    for c in &alert.reasons {
        text.push_str(&format!(
            "  {:>6}  {} — {}\n",
            signed(c.points),
            c.label,
            c.evidence
        ));
        if let Some(u) = &c.source_url {
            text.push_str(&format!("          {u}\n"));
        }
        let link = c
            .source_url
            .as_deref()
            .filter(|u| is_web_link(u))
            .map(|u| format!(r#" <a href="{}">source</a>"#, html_escape(u)))
            .unwrap_or_default();
        rows.push_str(&format!(
            r#"<tr><td style="padding:4px 12px 4px 0;text-align:right;font-weight:600">{}</td><td style="padding:4px 0">{}<br><span style="color:#666">{}</span>{link}</td></tr>"#,
            signed(c.points),
            html_escape(&c.label),
            html_escape(&c.evidence.to_string())
        ));
    }
    text.push_str(&format!(
        "\nModel {} · alert {}\n",
        alert.model_version, alert.id
    ));
    let html = format!(
        r#"<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111">
<h2 style="margin:0 0 12px">{}</h2>
<p style="margin:0 0 12px"><a href="{}">{}</a>{}{}</p>
<p style="margin:0 0 12px;font-size:18px"><b>{}</b> · {} · grade {}</p>
<table style="border-collapse:collapse">{rows}</table>
<p style="color:#888;font-size:12px;margin-top:16px">model {} · alert {}</p>
</body></html>"#,
        html_escape(&head),
        html_escape(&alert.lead.mailto()),
        html_escape(&alert.lead_name),
        alert
            .title
            .as_deref()
            .map(|t| format!(" — {}", html_escape(t)))
            .unwrap_or_default(),
        account_name(alert)
            .or_else(|| alert.account.as_ref().map(ToString::to_string))
            .map(|a| format!(" at {}", html_escape(&a)))
            .unwrap_or_default(),
        html_escape(&score_text(alert)),
        alert.tier,
        alert.grade,
        html_escape(&alert.model_version),
        html_escape(&alert.id),
    );
    EmailContent {
        subject,
        text: without_bidi(text),
        html: without_bidi(html),
    }
}
