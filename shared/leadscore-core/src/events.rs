//! The events leadscore emits on its bus (EventBridge in AWS), documented in
//! `docs/events.md` with a JSON Schema per detail-type in `docs/events/`.
//!
//! Every detail carries an `idempotency_key`: a receiver that has seen a key
//! drops the event, so a redelivery never notifies twice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Alert, AlertKind, Domain, Lead};
use crate::domain::{Email, IdentityError};
use crate::scoring::{Category, Contribution, Grade, Tier};

/// The `source` of every leadscore event.
pub const SOURCE: &str = "leadscore";

/// Detail-types.
pub mod detail_type {
    /// A lead crossed the hot threshold upwards.
    pub const LEAD_BECAME_HOT: &str = "Lead Became Hot";
    /// A hot lead fell below the threshold minus the hysteresis margin.
    pub const LEAD_COOLED: &str = "Lead Cooled";
    /// An account's enrichment snapshot was written.
    pub const ACCOUNT_ENRICHED: &str = "Account Enriched";
    /// A technology appeared on an account's website.
    pub const TECHNOLOGY_INSTALLED: &str = "Technology Installed";
    /// A technology disappeared from an account's website.
    pub const TECHNOLOGY_REMOVED: &str = "Technology Removed";
    /// A lead submitted a web form.
    pub const LEAD_SUBMITTED: &str = "Lead Submitted";
    /// Scores last checked before a cutoff are due for rescoring (decay
    /// and expiry need no new data): the scheduled rescoring pass.
    pub const SCORES_DUE: &str = "Scores Due";
    /// Every detail-type.
    pub const ALL: [&str; 7] = [
        LEAD_BECAME_HOT,
        LEAD_COOLED,
        ACCOUNT_ENRICHED,
        TECHNOLOGY_INSTALLED,
        TECHNOLOGY_REMOVED,
        LEAD_SUBMITTED,
        SCORES_DUE,
    ];
}

/// An event ready for the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// One of [`detail_type`].
    pub detail_type: String,
    /// The detail object.
    pub detail: serde_json::Value,
    /// The idempotency key (also inside `detail`).
    pub idempotency_key: String,
    /// When it happened.
    pub time: DateTime<Utc>,
}

/// A lead as events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadRef {
    /// Normalized email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Sales owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl From<&Lead> for LeadRef {
    fn from(l: &Lead) -> Self {
        Self {
            email: l.email.to_string(),
            name: l.display_name(),
            title: l.title.clone(),
            owner: l.owner.clone(),
        }
    }
}

/// A reason for a score, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Rule id.
    pub rule: String,
    /// Rule label.
    pub label: String,
    /// Points after decay and caps.
    pub points: f64,
    /// Fit or engagement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// What matched.
    pub evidence: String,
    /// Link to the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// When the matched fact was observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<Utc>>,
}

/// Detail of `Lead Became Hot` and `Lead Cooled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadAlertDetail {
    /// The alert id: stable across redeliveries.
    pub idempotency_key: String,
    /// The lead.
    pub lead: LeadRef,
    /// The lead's account domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The account's name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// New total, 0–100.
    pub score: f64,
    /// Previous total, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_score: Option<f64>,
    /// New tier.
    pub tier: Tier,
    /// New grade.
    pub grade: Grade,
    /// Largest contributions first.
    pub reasons: Vec<Reason>,
    /// Model version.
    pub model_version: String,
    /// Score version that crossed.
    pub score_version: u64,
    /// When the crossing happened.
    pub occurred_at: DateTime<Utc>,
}

impl LeadAlertDetail {
    /// The alert this detail was made from, for a receiver (the notify
    /// function) that renders it. Contributions carry what the event
    /// carries: points, category, evidence and source; raw points equal
    /// points and decay is 1.
    pub fn to_alert(&self, kind: AlertKind) -> Result<Alert, IdentityError> {
        Ok(Alert {
            id: self.idempotency_key.clone(),
            kind,
            lead: Email::parse(&self.lead.email)?,
            lead_name: self.lead.name.clone(),
            title: self.lead.title.clone(),
            owner: self.lead.owner.clone(),
            account: self.account.as_deref().map(Domain::parse).transpose()?,
            account_name: self.account_name.clone(),
            score: self.score,
            previous_score: self.previous_score,
            tier: self.tier,
            grade: self.grade,
            reasons: self
                .reasons
                .iter()
                .map(|r| Contribution {
                    rule: r.rule.as_str().into(),
                    label: r.label.as_str().into(),
                    category: r.category.unwrap_or(Category::Fit),
                    points: r.points,
                    raw_points: r.points,
                    decay: 1.0,
                    occurrences: 1,
                    capped: false,
                    evidence: r.evidence.as_str().into(),
                    source_url: r.source_url.clone(),
                    observed_at: r.observed_at,
                })
                .collect(),
            model_version: self.model_version.clone(),
            score_version: self.score_version,
            created_at: self.occurred_at,
        })
    }
}

impl Event {
    /// The event of an alert from the outbox.
    pub fn from_alert(alert: &Alert) -> Self {
        let detail = LeadAlertDetail {
            idempotency_key: alert.id.clone(),
            lead: LeadRef {
                email: alert.lead.to_string(),
                name: alert.lead_name.clone(),
                title: alert.title.clone(),
                owner: alert.owner.clone(),
            },
            account: alert.account.as_ref().map(ToString::to_string),
            account_name: alert.account_name.clone(),
            score: alert.score,
            previous_score: alert.previous_score,
            tier: alert.tier,
            grade: alert.grade,
            reasons: alert
                .reasons
                .iter()
                .map(|c| Reason {
                    rule: c.rule.to_string(),
                    label: c.label.to_string(),
                    points: (c.points * 10.0).round() / 10.0,
                    category: Some(c.category),
                    evidence: c.evidence.to_string(),
                    source_url: c.source_url.clone(),
                    observed_at: c.observed_at,
                })
                .collect(),
            model_version: alert.model_version.clone(),
            score_version: alert.score_version,
            occurred_at: alert.created_at,
        };
        Self {
            detail_type: match alert.kind {
                AlertKind::BecameHot => detail_type::LEAD_BECAME_HOT,
                AlertKind::Cooled => detail_type::LEAD_COOLED,
            }
            .to_owned(),
            detail: serde_json::to_value(&detail).unwrap_or_default(),
            idempotency_key: alert.id.clone(),
            time: alert.created_at,
        }
    }

    /// `Account Enriched`.
    pub fn account_enriched(
        domain: &Domain,
        enriched_at: DateTime<Utc>,
        signals: usize,
        technologies: &[String],
        errors: usize,
    ) -> Self {
        let key = key(&[
            "account_enriched",
            domain.as_str(),
            &enriched_at.to_rfc3339(),
        ]);
        Self {
            detail_type: detail_type::ACCOUNT_ENRICHED.to_owned(),
            detail: serde_json::json!({
                "idempotency_key": key,
                "account": domain.as_str(),
                "enriched_at": enriched_at,
                "signals": signals,
                "technologies": technologies,
                "errors": errors,
            }),
            idempotency_key: key,
            time: enriched_at,
        }
    }

    /// `Technology Installed` (`installed = true`) or `Technology Removed`,
    /// noticed at `last_seen` against the snapshot of `compared_with`. The
    /// key names that snapshot, not `last_seen`: a retry, or a second run
    /// at the same time, compares with the same stored snapshot at another
    /// instant and finds the same change, under the same key.
    pub fn technology_change(
        domain: &Domain,
        technology: &str,
        installed: bool,
        first_seen: Option<DateTime<Utc>>,
        last_seen: DateTime<Utc>,
        compared_with: Option<DateTime<Utc>>,
    ) -> Self {
        let dt = if installed {
            detail_type::TECHNOLOGY_INSTALLED
        } else {
            detail_type::TECHNOLOGY_REMOVED
        };
        let baseline = compared_with.map_or_else(
            || format!("noticed {}", last_seen.to_rfc3339()),
            |t| t.to_rfc3339(),
        );
        let key = key(&[dt, domain.as_str(), technology, &baseline]);
        let mut detail = serde_json::json!({
            "idempotency_key": key,
            "account": domain.as_str(),
            "technology": technology,
            "last_seen": last_seen,
        });
        if let Some(f) = first_seen {
            detail["first_seen"] = serde_json::json!(f);
        }
        Self {
            detail_type: dt.to_owned(),
            detail,
            idempotency_key: key,
            time: last_seen,
        }
    }

    /// `Scores Due`: rescore the leads whose score was last checked before
    /// `before`. `round` counts the passes of one scheduled run: a pass that
    /// could not finish asks for the next one (round + 1) with the same
    /// cutoff, so the key is the pair.
    pub fn scores_due(before: DateTime<Utc>, round: u32, at: DateTime<Utc>) -> Self {
        let key = key(&["scores_due", &before.to_rfc3339(), &round.to_string()]);
        Self {
            detail_type: detail_type::SCORES_DUE.to_owned(),
            detail: serde_json::json!({
                "idempotency_key": key,
                "before": before,
                "round": round,
            }),
            idempotency_key: key,
            time: at,
        }
    }

    /// `Lead Submitted`; `submission_key` is the form's idempotency key.
    pub fn lead_submitted(
        lead: &Lead,
        form: &str,
        submission_key: &str,
        at: DateTime<Utc>,
    ) -> Self {
        let key = key(&["lead_submitted", submission_key]);
        let mut detail = serde_json::json!({
            "idempotency_key": key,
            "lead": LeadRef::from(lead),
            "form": form,
            "submitted_at": at,
        });
        if let Some(a) = &lead.account {
            detail["account"] = serde_json::json!(a.as_str());
        }
        Self {
            detail_type: detail_type::LEAD_SUBMITTED.to_owned(),
            detail,
            idempotency_key: key,
            time: at,
        }
    }
}

fn key(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    crate::domain::hex(&h.finalize()[..16])
}
