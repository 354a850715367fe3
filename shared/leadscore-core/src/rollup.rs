//! Account score rolled up from its leads' scores.
//!
//! Rule (documented in `docs/scoring-model.md`): the account's total is its
//! best lead's total plus `rollup.bonus_per_lead` for every *other* engaged
//! lead (total at or above `rollup.engaged_at`), the bonus capped at
//! `rollup.max_bonus` and the result at 100. Several engaged people at one
//! company are a buying committee, worth more than one keen individual, but
//! never more than a capped amount.

use serde::{Deserialize, Serialize};

use crate::domain::{Domain, Email};
use crate::model::ScoringModel;
use crate::scoring::{Tier, round1, tier_of};

/// An account's rolled-up score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountScore {
    /// The account.
    pub domain: Domain,
    /// Rolled-up total, 0–100.
    pub total: f64,
    /// Tier of the total.
    pub tier: Tier,
    /// The best lead, if any.
    pub top_lead: Option<Email>,
    /// Leads at or above `rollup.engaged_at`.
    pub engaged_leads: u32,
    /// All scored leads.
    pub leads: u32,
    /// The bonus added to the best lead's total.
    pub bonus: f64,
}

/// Rolls up `(lead, total)` pairs of one account.
pub fn rollup(model: &ScoringModel, domain: Domain, leads: &[(Email, f64)]) -> AccountScore {
    let r = &model.rollup;
    let best = leads
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
    let engaged = leads.iter().filter(|(_, t)| *t >= r.engaged_at).count() as u32;
    let others = engaged.saturating_sub(u32::from(best.is_some_and(|b| b.1 >= r.engaged_at)));
    let bonus = (f64::from(others) * r.bonus_per_lead).min(r.max_bonus);
    let base = best.map_or(0.0, |b| b.1);
    let total = round1((base + bonus).clamp(0.0, 100.0));
    AccountScore {
        domain,
        total,
        tier: tier_of(model, total),
        top_lead: best.map(|b| b.0.clone()),
        engaged_leads: engaged,
        leads: leads.len() as u32,
        bonus,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_lead_plus_capped_bonus() {
        let m = ScoringModel::default_model().unwrap();
        let d = Domain::parse("acme.com").unwrap();
        let e = |s: &str| Email::parse(s).unwrap();
        let r = rollup(
            &m,
            d.clone(),
            &[
                (e("a@acme.com"), 70.0),
                (e("b@acme.com"), 55.0),
                (e("c@acme.com"), 20.0),
            ],
        );
        assert_eq!(r.total, 70.0 + m.rollup.bonus_per_lead);
        assert_eq!(r.top_lead, Some(e("a@acme.com")));
        assert_eq!((r.engaged_leads, r.leads), (2, 3));
        let many: Vec<_> = (0..10)
            .map(|i| (e(&format!("p{i}@acme.com")), 98.0))
            .collect();
        let r = rollup(&m, d.clone(), &many);
        assert_eq!(r.bonus, m.rollup.max_bonus);
        assert_eq!(r.total, 100.0);
        let r = rollup(&m, d, &[]);
        assert_eq!((r.total, r.top_lead), (0.0, None));
    }
}
