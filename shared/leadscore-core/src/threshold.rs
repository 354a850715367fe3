//! Threshold crossing with hysteresis: a pure function from the previous
//! tier and a new total to the settled tier and the crossing, if any.
//!
//! A lead enters a tier when its total reaches the tier's threshold, and
//! leaves it only when its total falls below the threshold minus the
//! hysteresis margin, so a lead hovering at the threshold does not flap
//! between hot and warm (and does not page sales twice).

use serde::{Deserialize, Serialize};

use crate::model::Tiers;
use crate::scoring::{Score, Tier};

/// What happened at the hot threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crossing {
    /// Not hot before (or never scored), hot now.
    BecameHot,
    /// Hot before, no longer hot.
    Cooled,
    /// No change at the hot threshold.
    None,
}

/// The tier after hysteresis, and the crossing it implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    /// The tier to store.
    pub tier: Tier,
    /// The crossing at the hot threshold.
    pub crossing: Crossing,
}

/// Far below the tenths totals are rounded to, far above the error of
/// subtracting two thresholds.
const FLOOR_SLACK: f64 = 1e-9;

/// Settles `total` against the thresholds, given the lead's previous tier.
pub fn settle(previous: Option<Tier>, total: f64, tiers: &Tiers) -> Settled {
    let raw = if total >= tiers.hot {
        Tier::Hot
    } else if total >= tiers.warm {
        Tier::Warm
    } else {
        Tier::Cold
    };
    // Going down, a tier is kept while the total is within the margin.
    let tier = match previous {
        Some(prev) if prev > raw => {
            // Less a hair: the difference of two decimals is not always
            // the decimal it reads as (64.4 - 5 is 59.400000000000006), and
            // a total of exactly 59.4 is within the margin.
            let floor = |t: Tier| match t {
                Tier::Hot => tiers.hot - tiers.hysteresis - FLOOR_SLACK,
                Tier::Warm => tiers.warm - tiers.hysteresis - FLOOR_SLACK,
                Tier::Cold => f64::NEG_INFINITY,
            };
            if total >= floor(prev) {
                prev
            } else if prev == Tier::Hot && total >= floor(Tier::Warm) {
                Tier::Warm
            } else {
                raw
            }
        }
        _ => raw,
    };
    let was_hot = previous == Some(Tier::Hot);
    let crossing = match (was_hot, tier == Tier::Hot) {
        (false, true) => Crossing::BecameHot,
        (true, false) => Crossing::Cooled,
        _ => Crossing::None,
    };
    Settled { tier, crossing }
}

/// [`settle`] for a score: a disqualified lead
/// ([`Score::disqualified_by`]) is cold whatever the thresholds (a model
/// may put `warm` at 0), and cools if it was hot.
pub fn settle_score(previous: Option<Tier>, score: &Score, tiers: &Tiers) -> Settled {
    if score.disqualified_by.is_some() {
        return Settled {
            tier: Tier::Cold,
            crossing: if previous == Some(Tier::Hot) {
                Crossing::Cooled
            } else {
                Crossing::None
            },
        };
    }
    settle(previous, score.total, tiers)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A total exactly at a threshold minus the margin stays in the tier,
    /// also where that difference is not exact in floating point.
    #[test]
    fn a_total_exactly_at_the_floor_keeps_its_tier_with_decimal_thresholds() {
        let tiers = Tiers {
            hot: 64.4,
            warm: 40.3,
            hysteresis: 5.0,
        };
        assert!(
            tiers.hot - tiers.hysteresis > 59.4,
            "the difference this test is about"
        );
        let s = settle(Some(Tier::Hot), 59.4, &tiers);
        assert_eq!((s.tier, s.crossing), (Tier::Hot, Crossing::None));
        assert_eq!(settle(Some(Tier::Hot), 59.3, &tiers).tier, Tier::Warm);
        assert_eq!(settle(Some(Tier::Warm), 35.3, &tiers).tier, Tier::Warm);
        assert_eq!(settle(Some(Tier::Warm), 35.2, &tiers).tier, Tier::Cold);
    }

    const T: Tiers = Tiers {
        hot: 80.0,
        warm: 50.0,
        hysteresis: 5.0,
    };

    #[test]
    fn first_score_can_be_hot() {
        assert_eq!(settle(None, 85.0, &T).crossing, Crossing::BecameHot);
        assert_eq!(
            settle(None, 79.9, &T),
            Settled {
                tier: Tier::Warm,
                crossing: Crossing::None
            }
        );
    }

    #[test]
    fn hovering_at_the_threshold_does_not_flap() {
        let mut tier = None;
        let mut crossings = Vec::new();
        for total in [79.0, 80.0, 79.0, 80.5, 76.0, 81.0, 75.1, 80.0] {
            let s = settle(tier, total, &T);
            tier = Some(s.tier);
            if s.crossing != Crossing::None {
                crossings.push((total, s.crossing));
            }
        }
        assert_eq!(crossings, vec![(80.0, Crossing::BecameHot)]);
        let s = settle(tier, 74.9, &T);
        assert_eq!(
            s,
            Settled {
                tier: Tier::Warm,
                crossing: Crossing::Cooled
            }
        );
        assert_eq!(settle(Some(Tier::Warm), 79.9, &T).crossing, Crossing::None);
    }

    #[test]
    fn warm_also_has_hysteresis_and_a_hot_lead_can_drop_to_cold() {
        assert_eq!(settle(Some(Tier::Warm), 46.0, &T).tier, Tier::Warm);
        assert_eq!(settle(Some(Tier::Warm), 44.9, &T).tier, Tier::Cold);
        assert_eq!(settle(Some(Tier::Hot), 47.0, &T).tier, Tier::Warm);
        assert_eq!(
            settle(Some(Tier::Hot), 10.0, &T),
            Settled {
                tier: Tier::Cold,
                crossing: Crossing::Cooled
            }
        );
    }
}
