//! The funding evaluation set: real sentences and headlines from public
//! news (`tests/eval/funding.jsonl`, each with its source URL). Reports
//! precision, recall and F1 of "is a closed funding round" and the
//! exact-match rate of amount + currency + round over the true rounds.
//!
//! Run with `cargo test -p leadscore-news --test news eval -- --nocapture`.

use leadscore_news::funding::extract_funding_text_with;
use leadscore_news::funding::veto::{self, Example, FundingVeto, TrainParams};
use serde::Deserialize;

#[derive(Deserialize)]
struct Expected {
    is_round: bool,
    amount: Option<u64>,
    currency: Option<String>,
    round: Option<String>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    url: String,
    lang: String,
    expected: Expected,
    /// The page's publication date, `YYYY-MM-DD` or `YYYY-MM`, where it
    /// was looked up (held-out 9): the article's date the extractor gets in
    /// production, against which a dated round is an earlier one.
    #[serde(default)]
    published: Option<String>,
}

impl Case {
    fn published(&self) -> Option<chrono::NaiveDate> {
        let p = self.published.as_deref()?;
        chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d")
            .or_else(|_| chrono::NaiveDate::parse_from_str(&format!("{p}-01"), "%Y-%m-%d"))
            .ok()
    }
}

/// The cases of a JSON-lines set, one object per line.
fn parse_cases(raw: &str) -> Vec<Case> {
    raw.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn cases() -> Vec<Case> {
    parse_cases(include_str!("../eval/funding.jsonl"))
}

/// The held-out sets, in the order they were collected (held-out 1 first).
const HELDOUT: [&str; 23] = [
    include_str!("../eval/funding_heldout.jsonl"),
    include_str!("../eval/funding_heldout2.jsonl"),
    include_str!("../eval/funding_heldout3.jsonl"),
    include_str!("../eval/funding_heldout4.jsonl"),
    include_str!("../eval/funding_heldout5.jsonl"),
    include_str!("../eval/funding_heldout6.jsonl"),
    include_str!("../eval/funding_heldout7.jsonl"),
    include_str!("../eval/funding_heldout8.jsonl"),
    include_str!("../eval/funding_heldout9.jsonl"),
    include_str!("../eval/funding_heldout10.jsonl"),
    include_str!("../eval/funding_heldout11.jsonl"),
    include_str!("../eval/funding_heldout12.jsonl"),
    include_str!("../eval/funding_heldout13.jsonl"),
    include_str!("../eval/funding_heldout14.jsonl"),
    include_str!("../eval/funding_heldout15.jsonl"),
    include_str!("../eval/funding_heldout16.jsonl"),
    include_str!("../eval/funding_heldout17.jsonl"),
    include_str!("../eval/funding_heldout18.jsonl"),
    include_str!("../eval/funding_heldout19.jsonl"),
    include_str!("../eval/funding_heldout20.jsonl"),
    include_str!("../eval/funding_heldout21.jsonl"),
    include_str!("../eval/funding_heldout22.jsonl"),
    include_str!("../eval/funding_heldout23.jsonl"),
];

/// Held-out set `n` (1-based, as the docs number them).
fn heldout(n: usize) -> Vec<Case> {
    parse_cases(HELDOUT[n - 1])
}

/// Every case of the tuning set and of the held-out sets before `n`.
fn collected_before(n: usize) -> Vec<Case> {
    cases()
        .into_iter()
        .chain((1..n).flat_map(heldout))
        .collect()
}

/// At least `min` cases, a third of them negatives, at least 20 non-English
/// or non-USD, every one with its source URL.
fn assert_large_and_varied(cases: &[Case], min: usize) {
    assert!(cases.len() >= min, "{} cases", cases.len());
    let negatives = cases.iter().filter(|c| !c.expected.is_round).count();
    assert!(negatives * 3 >= cases.len(), "{negatives} negatives");
    let varied = cases
        .iter()
        .filter(|c| {
            c.lang != "en"
                || c.expected
                    .currency
                    .as_deref()
                    .is_some_and(|cur| cur != "USD")
        })
        .count();
    assert!(varied >= 20, "{varied} non-English or non-USD cases");
    assert!(cases.iter().all(|c| c.url.starts_with("http")));
}

/// As [`assert_large_and_varied`], and no text or page (URL) of `cases`
/// is in any of the `earlier` sets.
fn assert_large_varied_and_new(cases: &[Case], min: usize, earlier: Vec<Case>) {
    let earlier: std::collections::HashSet<String> =
        earlier.into_iter().flat_map(|c| [c.text, c.url]).collect();
    assert_large_and_varied(cases, min);
    for c in cases {
        assert!(
            !earlier.contains(&c.text),
            "case already in an earlier set: {}",
            c.text
        );
        assert!(
            !earlier.contains(&c.url),
            "page already used by an earlier set: {}",
            c.url
        );
    }
}

#[test]
fn eval_set_is_large_and_varied() {
    assert_large_and_varied(&cases(), 80);
}

/// The figures of one run of the extractor over a set of cases.
struct Score {
    cases: usize,
    positives: u32,
    precision: f64,
    recall: f64,
    f1: f64,
    exact: u32,
    exact_rate: f64,
    /// Every miss: `FP` (a round found where there is none), `FN` (a round
    /// missed), `BAD` (a round found with the wrong amount, currency or round).
    misses: Vec<String>,
}

/// The figures of the extractor as shipped (the rules and the shipped veto).
fn score(cases: &[Case]) -> Score {
    score_with(cases, Some(FundingVeto::shipped()))
}

/// The figures of the rules with `veto`, or alone.
fn score_with(cases: &[Case], veto: Option<&FundingVeto>) -> Score {
    let (mut tp, mut fp, mut fn_, mut exact, mut positives) = (0u32, 0u32, 0u32, 0u32, 0u32);
    let mut misses = Vec::new();
    for c in cases {
        let found = extract_funding_text_with(&c.text, c.published(), Some(&c.url), veto);
        let predicted = !found.is_empty();
        match (predicted, c.expected.is_round) {
            (true, true) => tp += 1,
            (true, false) => {
                fp += 1;
                misses.push(format!("FP  {}", c.text));
            }
            (false, true) => {
                fn_ += 1;
                misses.push(format!("FN  {}", c.text));
            }
            (false, false) => {}
        }
        if c.expected.is_round {
            positives += 1;
            let ok = found.first().is_some_and(|e| {
                e.amount == c.expected.amount
                    && e.currency == c.expected.currency
                    && Some(e.round.as_str()) == c.expected.round.as_deref()
            });
            if ok {
                exact += 1;
            } else if let Some(e) = found.first() {
                misses.push(format!(
                    "BAD {:?} {:?} {} (want {:?} {:?} {:?})  {}",
                    e.amount,
                    e.currency,
                    e.round,
                    c.expected.amount,
                    c.expected.currency,
                    c.expected.round,
                    c.text
                ));
            }
        }
    }
    let precision = f64::from(tp) / f64::from(tp + fp).max(1.0);
    let recall = f64::from(tp) / f64::from(tp + fn_).max(1.0);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let exact_rate = f64::from(exact) / f64::from(positives).max(1.0);
    Score {
        cases: cases.len(),
        positives,
        precision,
        recall,
        f1,
        exact,
        exact_rate,
        misses,
    }
}

#[allow(clippy::print_stdout)] // the figures are the point of the test
fn report(name: &str, s: &Score) {
    for m in &s.misses {
        println!("{m}");
    }
    println!(
        "{name}: {} cases ({} rounds, {} negatives): precision {:.3}, recall {:.3}, F1 {:.3}, exact amount+currency+round {:.3} ({}/{})",
        s.cases,
        s.positives,
        s.cases as u32 - s.positives,
        s.precision,
        s.recall,
        s.f1,
        s.exact_rate,
        s.exact,
        s.positives
    );
}

/// Scores `cases`, prints the figures, and fails below the given F1 and
/// exact-match rate.
fn assert_at_least(label: &str, cases: &[Case], f1: f64, exact: f64) {
    let s = score(cases);
    report(label, &s);
    assert!(s.f1 >= f1, "{label}: F1 {:.3} below {f1}", s.f1);
    assert!(
        s.exact_rate >= exact,
        "{label}: exact {:.3} below {exact}",
        s.exact_rate
    );
}

#[test]
fn eval_funding_extraction_meets_goals() {
    assert_at_least("funding eval", &cases(), 0.95, 0.90);
}

/// The held-out set (`tests/eval/funding_heldout.jsonl`): real sentences and
/// headlines collected on 2026-11-30 from pages the rules were never tuned
/// on, labelled by meaning before the extractor was run on them. On
/// 2026-12-01 its misses were used to fix their general causes, so it is
/// now tuning material too, no longer unseen news: a fresh held-out set is
/// needed to measure how the rules generalise.
#[test]
fn heldout_set_is_large_and_varied() {
    let training: std::collections::HashSet<String> = cases().into_iter().map(|c| c.text).collect();
    let cases = heldout(1);
    assert_large_and_varied(&cases, 60);
    for c in &cases {
        assert!(
            !training.contains(&c.text),
            "held-out case is in the tuning set: {}",
            c.text
        );
    }
}

#[test]
fn eval_funding_heldout() {
    // Regression floors, a little under the figures measured on 2026-12-01
    // after the fixes (97 cases: precision 1.000, recall 0.979, F1 0.989,
    // exact 0.979 = 46/47; on 2026-11-30, before them: F1 0.689, exact
    // 0.532). Since the set was used to fix the rules these figures
    // overstate accuracy on unseen news.
    assert_at_least("funding held-out eval", &heldout(1), 0.97, 0.95);
}

/// The second held-out set (`tests/eval/funding_heldout2.jsonl`): 103 real
/// sentences and headlines collected on 2026-12-01 from pages used by
/// neither earlier set, labelled by meaning before the extractor was run on
/// them, after the fixes made with the first held-out set. Unseen until the
/// third session of 2026-12-01, when its misses were used to fix their
/// general causes: tuning material since.
#[test]
fn heldout2_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(2), 80, collected_before(2));
}

#[test]
fn eval_funding_heldout2() {
    // Regression floors, a little under the figures after the fixes made
    // with this set (103 cases: precision 0.977, recall 0.977, F1 0.977,
    // exact 0.977 = 43/44; unseen, before them: F1 0.716, exact 0.705).
    // These figures overstate accuracy on unseen news; see held-out 3.
    assert_at_least("funding held-out 2 eval", &heldout(2), 0.96, 0.95);
}

/// The third held-out set (`tests/eval/funding_heldout3.jsonl`): 129 real
/// sentences and headlines collected on 2026-12-01 (third session) from 81
/// sites used by no earlier set, labelled by meaning before the extractor
/// was run on them. Unseen until its misses were used, in the same session,
/// to fix their general causes: tuning material since.
#[test]
fn heldout3_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(3), 100, collected_before(3));
}

#[test]
fn eval_funding_heldout3() {
    // Regression floors, a little under the figures after the fixes made
    // with this set (129 cases: precision 0.981, recall 0.981, F1 0.981,
    // exact 0.981 = 51/52; unseen, it measured F1 0.718 and then 0.724).
    // These figures overstate accuracy on unseen news; see held-out 4.
    // Since 2026-12-05 "recibió" is a verb of raising, and one negative here
    // (a grant of $40 millones, Colombian pesos, "en misión internacional")
    // reads as a round: F1 0.962.
    assert_at_least("funding held-out 3 eval", &heldout(3), 0.96, 0.97);
}

/// The fourth held-out set (`tests/eval/funding_heldout4.jsonl`): 127 real
/// sentences and headlines collected on 2026-12-01 (third session) from
/// sites used by no earlier set, labelled by meaning before the extractor
/// was run on them. Unseen until 2026-12-05, when its misses were used to
/// fix their general causes: tuning material since.
#[test]
fn heldout4_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(4), 100, collected_before(4));
}

#[test]
fn eval_funding_heldout4() {
    // Regression floors, a little under the figures after the fixes made
    // with this set on 2026-12-05 (127 cases: precision 0.953, recall
    // 0.953, F1 0.953, exact 0.953 = 41/43; unseen, it measured F1 0.759,
    // exact 0.744). These figures overstate accuracy on unseen news; see
    // held-out 5.
    // With the fixes made with held-out 5: F1 0.965, exact 0.953.
    assert_at_least("funding held-out 4 eval", &heldout(4), 0.94, 0.94);
}

/// The fifth held-out set (`tests/eval/funding_heldout5.jsonl`): 136 real
/// sentences and headlines collected on 2026-12-05 from pages used by no
/// earlier set, labelled by meaning before the extractor was run on them,
/// after the fixes made with held-out 4. Unseen until its misses were used,
/// the same day, to fix their general causes (among them the verb moods of
/// `funding/mood.rs`): tuning material since.
#[test]
fn heldout5_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(5), 100, collected_before(5));
}

#[test]
fn eval_funding_heldout5() {
    // Regression floors, a little under the figures after the fixes made
    // with this set (136 cases: precision 0.962, recall 0.962, F1 0.962,
    // exact 0.962 = 51/53; unseen, it measured F1 0.752, exact 0.755, and
    // before the fixes made with held-out 4, F1 0.746, exact 0.736). These
    // figures overstate accuracy on unseen news; see held-out 6.
    assert_at_least("funding held-out 5 eval", &heldout(5), 0.95, 0.95);
}

/// The sixth held-out set (`tests/eval/funding_heldout6.jsonl`): 136 real
/// sentences and headlines collected on 2026-12-05 from pages used by no
/// earlier set, labelled by meaning before the extractor was run on them,
/// after the verb moods and the fixes made with held-out 5. Measured
/// unseen first; since 2026-12-05 (ninth session) its misses are tuning
/// material too (see held-out 7 for the unseen figure).
#[test]
fn heldout6_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(6), 100, collected_before(6));
}

#[test]
fn eval_funding_heldout6() {
    // Regression floors, a little under the figures after the fixes made
    // with this set (136 cases: precision 0.891, recall 0.925, F1 0.907,
    // exact 0.906 = 48/53). Unseen, it measured F1 0.730, exact 0.717
    // after the verb moods and the fixes made with held-out 5; F1 0.690,
    // exact 0.698 with only the fixes made with held-out 4; F1 0.661,
    // exact 0.679 before them. These figures overstate accuracy on unseen
    // news; see held-out 7 and 8.
    assert_at_least("funding held-out 6 eval", &heldout(6), 0.90, 0.90);
}

/// The seventh held-out set (`tests/eval/funding_heldout7.jsonl`): 136 real
/// sentences and headlines collected on 2026-12-05 (ninth session) from
/// pages used by no earlier set, labelled by meaning before the extractor
/// was run on them, after the fixes made with held-out 6. Measured unseen
/// first; then its misses were tuning material (see held-out 8 for the
/// unseen figure).
#[test]
fn heldout7_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(7), 100, collected_before(7));
}

#[test]
fn eval_funding_heldout7() {
    // Regression floors, a little under the figures after the fixes made
    // with this set (136 cases: precision 0.912, recall 1.000, F1 0.954,
    // exact 1.000 = 52/52). Unseen, it measured F1 0.850, exact 0.942 =
    // 49/52, the same before and after the fixes made with held-out 6
    // (which changed none of its cases). These figures overstate accuracy
    // on unseen news; see held-out 8 and 9.
    assert_at_least("funding held-out 7 eval", &heldout(7), 0.95, 0.95);
}

/// The eighth held-out set (`tests/eval/funding_heldout8.jsonl`): 136 real
/// sentences and headlines collected on 2026-12-05 (ninth session) from
/// pages used by no earlier set, labelled by meaning before the extractor
/// was run on them, after the fixes made with held-out 7. Measured unseen
/// first; then its misses were tuning material (see held-out 9 for the
/// unseen figure).
#[test]
fn heldout8_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(8), 100, collected_before(8));
}

#[test]
fn eval_funding_heldout8() {
    // Regression floors, a little under the figures after the fixes made
    // with this set (136 cases: precision 0.850, recall 0.944, F1 0.895,
    // exact 0.944 = 51/54). Unseen, it measured F1 0.780, exact 0.852 =
    // 46/54, the same at the start of the day and after the fixes made
    // with held-out 6 and 7 (which changed none of its cases). These
    // figures overstate accuracy on unseen news; see held-out 9.
    assert_at_least("funding held-out 8 eval", &heldout(8), 0.89, 0.94);
}

/// The ninth held-out set (`tests/eval/funding_heldout9.jsonl`): 136 real
/// sentences and headlines collected on 2026-12-05 (ninth session) from
/// pages used by no earlier set, labelled by meaning before the extractor
/// was run on them, after the fixes made with held-out 8. Not used to
/// change any rule: the honest estimate on unseen news.
#[test]
fn heldout9_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(9), 100, collected_before(9));
}

#[test]
fn eval_funding_heldout9() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (136 cases: precision 0.800, recall 0.846, F1 0.822,
    // exact 0.731 = 38/52), the same at the start of that day and after
    // the fixes made with held-out 6, 7 and 8: none of them changed one of
    // its cases. With the publication dates then looked up for 61 of its
    // cases (the article's date the extractor gets in production), the
    // same rules give precision 0.815, F1 0.830, exact 0.731: one round
    // dated in an earlier year is known as background. The month rule
    // written next (a month two or more before the article's), with this
    // set's misses in view, gives 0.838 (no longer an unseen figure; see
    // held-out 10). The goals (F1 >= 0.95, exact >= 0.90) are not met on
    // unseen news; these floors only catch a regression.
    assert_at_least("funding held-out 9 eval", &heldout(9), 0.80, 0.71);
}

/// The tenth held-out set (`tests/eval/funding_heldout10.jsonl`): 136 real
/// sentences and headlines collected on 2026-12-05 (ninth session) from
/// pages used by no earlier set, labelled by meaning before the extractor
/// was run on them, 64 of them with their page's publication date; the
/// first set that measured the article's date as context. Unseen until
/// the tenth session, whose fixes (01df367) were made from its misses.
#[test]
fn heldout10_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(10), 100, collected_before(10));
}

#[test]
fn eval_funding_heldout10() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (136 cases: precision 0.754, recall 0.907, F1 0.824,
    // exact 0.833 = 45/54). Before the rule that reads a month named
    // two or more months before the article's as background (f5dc8a3),
    // and with no dates at all: precision 0.731, F1 0.810, exact 0.833.
    // Then tuning material: after the fixes made from its misses
    // (01df367) precision 0.852, recall 0.963, F1 0.904, exact 0.926
    // (50/54). The goals (F1 >= 0.95, exact >= 0.90) are not met on unseen
    // news (held-out 11); these floors only catch a regression.
    assert_at_least("funding held-out 10 eval", &heldout(10), 0.89, 0.91);
}

/// The eleventh held-out set (`tests/eval/funding_heldout11.jsonl`): 136
/// real sentences and headlines collected on 2026-12-05 (tenth session)
/// from 99 hosts, pages used by no earlier set, labelled by meaning before
/// the extractor was run on them, 69 of them with their page's
/// publication date. Not used to change any rule: the honest estimate on
/// unseen news.
#[test]
fn heldout11_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(11), 100, collected_before(11));
}

#[test]
fn eval_funding_heldout11() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (136 cases: precision 0.731, recall 0.717, F1 0.724,
    // exact 0.717 = 38/53), the same with the rules from before the
    // fixes made from set 10 (7a1329f). Without the pages' dates:
    // precision 0.679, F1 0.697. The goals (F1 >= 0.95, exact >= 0.90)
    // are not met on unseen news; these floors only catch a regression.
    assert_at_least("funding held-out 11 eval", &heldout(11), 0.70, 0.70);
}

/// The twelfth held-out set (`tests/eval/funding_heldout12.jsonl`): 136
/// real sentences and headlines collected on 2026-12-05 (eleventh session)
/// from 105 hosts, pages used by no earlier set, none in English, labelled
/// by meaning before the extractor was run on them, 48 of them with their
/// page's publication date. Not used to change any rule.
#[test]
fn heldout12_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(12), 100, collected_before(12));
}

#[test]
fn eval_funding_heldout12() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 with the rules alone (136 cases: precision 0.695, recall
    // 0.759, F1 0.726, exact 0.704 = 38/54; without the pages' dates F1
    // 0.719). The goals (F1 >= 0.95, exact >= 0.90) are not met on unseen
    // news; these floors only catch a regression.
    assert_at_least("funding held-out 12 eval", &heldout(12), 0.70, 0.68);
}

/// The thirteenth held-out set (`tests/eval/funding_heldout13.jsonl`): 138
/// real sentences and headlines collected on 2026-12-05 (eleventh session)
/// from 108 hosts, pages used by no earlier set, labelled by meaning
/// before the extractor was run on them, 52 of them with their page's
/// publication date. Not used to change any rule; the first set to
/// measure the learned veto unseen.
#[test]
fn heldout13_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(13), 100, collected_before(13));
}

#[test]
fn eval_funding_heldout13() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05: the rules alone precision 0.636, recall 0.750, F1 0.689,
    // exact 0.732 = 41/56; with the veto trained on sets 0-12, before this
    // set was added to its training, precision 0.700, F1 0.724, exact
    // 0.732 (see `eval_funding_veto_on_sets_it_has_not_seen`). The goals
    // (F1 >= 0.95, exact >= 0.90) are not met on unseen news; these floors
    // only catch a regression.
    assert_at_least("funding held-out 13 eval", &heldout(13), 0.70, 0.71);
}

/// The fourteenth held-out set (`tests/eval/funding_heldout14.jsonl`): 137
/// real sentences and headlines collected on 2026-12-05 (eleventh session)
/// from 112 hosts, pages used by no earlier set, labelled by meaning
/// before the extractor was run on them, 64 of them with their page's
/// publication date. Not used to change any rule: it measured the rules
/// written from sets 11-13 and the veto, unseen.
#[test]
fn heldout14_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(14), 100, collected_before(14));
}

#[test]
fn eval_funding_heldout14() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (137 cases): the rules from before the fixes made from
    // sets 11-13, alone, F1 0.842, exact 0.836; after them, alone, F1
    // 0.835, exact 0.836 (one false round more); with the veto trained on
    // sets 0-13, before this set joined its training: precision 0.885,
    // recall 0.836, F1 0.860, exact 0.800 (the veto rejected five false
    // rounds and two true ones). The goals (F1 >= 0.95, exact >= 0.90) are
    // not met on unseen news; these floors only catch a regression.
    assert_at_least("funding held-out 14 eval", &heldout(14), 0.84, 0.78);
}

/// The fifteenth held-out set (`tests/eval/funding_heldout15.jsonl`): 135
/// real sentences and headlines collected on 2026-12-05 (eleventh session)
/// from 113 hosts, pages used by no earlier set, labelled by meaning
/// before the extractor was run on them, 59 of them with their page's
/// publication date. Not used to change any rule: it measured the review
/// fixes and the veto, unseen.
#[test]
fn heldout15_set_is_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(15), 100, collected_before(15));
}

#[test]
fn eval_funding_heldout15() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (135 cases): the rules from the session's start, alone,
    // F1 0.745, exact 0.704; the rules at 2ee9fa8, alone, precision
    // 0.745, recall 0.759, F1 0.752, exact 0.704; with the veto trained
    // on sets 0-14, before this set joined its training, with or without
    // sparing rounds of a named stage: precision 0.774, F1 0.766, exact
    // 0.704 (two false rounds rejected, no true one). The goals (F1 >=
    // 0.95, exact >= 0.90) are not met on unseen news; these floors only
    // catch a regression.
    assert_at_least("funding held-out 15 eval", &heldout(15), 0.74, 0.69);
}

/// The sixteenth and seventeenth held-out sets
/// (`tests/eval/funding_heldout16.jsonl`, `funding_heldout17.jsonl`): 138
/// real sentences each, collected on 2026-12-05 (eleventh session) in
/// parallel from pages used by no earlier set (16: English about companies
/// outside the Americas, German, French, 115 hosts; 17: English about
/// companies in the Americas, Spanish, Portuguese, 106 hosts), labelled by
/// meaning before the extractor was run on them. Not used to change any
/// rule.
#[test]
fn heldout16_and_17_sets_are_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(16), 100, collected_before(16));
    assert_large_varied_and_new(&heldout(17), 100, collected_before(17));
}

#[test]
fn eval_funding_heldout16_and_17() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (the rules at 877ca2c, the same as at the session's start
    // on both sets, and the veto trained on sets 0-15): set 16, rules alone
    // F1 0.722, exact 0.667; with the veto precision 0.736, recall 0.722,
    // F1 0.729 (one false round rejected); without the pages' dates F1
    // 0.741, exact 0.685. Set 17, rules alone F1 0.727, exact 0.692; with
    // the veto precision 0.727, recall 0.769, F1 0.748 (three false rounds
    // rejected, no true one). The goals (F1 >= 0.95, exact >= 0.90) are
    // not met on unseen news; these floors only catch a regression.
    assert_at_least("funding held-out 16 eval", &heldout(16), 0.71, 0.65);
    assert_at_least("funding held-out 17 eval", &heldout(17), 0.72, 0.68);
}

/// The eighteenth and nineteenth held-out sets
/// (`tests/eval/funding_heldout18.jsonl`, `funding_heldout19.jsonl`): 139
/// real sentences each, collected on 2026-12-05 (twelfth session) in
/// parallel from pages used by no earlier set (18: news of 2015-2021 about
/// companies in Europe and Latin America, 104 hosts; 19: news of 2022-2026
/// about companies in Asia, Africa, North America, Iberia and Brazil, 106
/// hosts), labelled by meaning before the extractor was run on them. Not
/// used to change any rule.
#[test]
fn heldout18_and_19_sets_are_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(18), 100, collected_before(18));
    assert_large_varied_and_new(&heldout(19), 100, collected_before(19));
}

#[test]
fn eval_funding_heldout18_and_19() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (the rules at 5f869d5 and the veto trained on sets 0-17):
    // set 18, rules alone precision 0.648, recall 0.648, F1 0.648, exact
    // 0.611; with the veto precision 0.694, recall 0.630, F1 0.660, exact
    // 0.593 (four false rounds rejected and one true one). Set 19, rules
    // alone precision 0.774, recall 0.828, F1 0.800, exact 0.690; with
    // the veto precision 0.842, F1 0.835, exact 0.690 (five false rounds
    // rejected, no true one). The goals (F1 >= 0.95, exact >= 0.90) are
    // not met on unseen news; these floors only catch a regression.
    assert_at_least("funding held-out 18 eval", &heldout(18), 0.64, 0.58);
    assert_at_least("funding held-out 19 eval", &heldout(19), 0.79, 0.67);
}

/// The twentieth and twenty-first held-out sets
/// (`tests/eval/funding_heldout20.jsonl`, `funding_heldout21.jsonl`), 114
/// and 136 real sentences, collected on 2026-12-05 (twelfth session) in
/// parallel from pages used by no earlier set (20: regional and trade news,
/// 78 hosts; 21: national business and tech press, 98 hosts), labelled by
/// meaning before the extractor was run on them. Not used to change any
/// rule. After a review, set 21 lost two sentences that repeat others (one
/// of set 19's, one of its own from another outlet) and one label was
/// aligned with set 15's label of the same story (a round of January told
/// in October: historical).
#[test]
fn heldout20_and_21_sets_are_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(20), 100, collected_before(20));
    assert_large_varied_and_new(&heldout(21), 100, collected_before(21));
}

#[test]
fn eval_funding_heldout20_and_21() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (the rules at 5f869d5, the veto trained on sets 0-19):
    // set 20, rules alone precision 0.667, recall 0.750, F1 0.706, exact
    // 0.719; with the veto precision 0.686, F1 0.716, exact 0.719 (one
    // false round rejected, no true one). Set 21 as it now is, rules alone
    // precision 0.755, recall 0.889, F1 0.816, exact 0.756; with the veto
    // precision 0.837, recall 0.800, F1 0.818, exact 0.711: six false
    // rounds rejected and four true ones (as first collected, before the
    // review: F1 0.824 alone, 0.804 with the veto). The goals (F1 >= 0.95,
    // exact >= 0.90) are not met on unseen news; these floors only catch a
    // regression.
    assert_at_least("funding held-out 20 eval", &heldout(20), 0.70, 0.70);
    assert_at_least("funding held-out 21 eval", &heldout(21), 0.80, 0.70);
}

#[test]
fn heldout22_and_23_sets_are_large_varied_and_new() {
    assert_large_varied_and_new(&heldout(22), 100, collected_before(22));
    assert_large_varied_and_new(&heldout(23), 100, collected_before(23));
}

#[test]
fn eval_funding_heldout22_and_23() {
    // Regression floors, a little under the figures measured unseen on
    // 2026-12-05 (thirteenth session), with the rules frozen at 4d4d908
    // before either set was read and the veto trained on sets 0-21: set
    // 22, rules alone precision 0.712, recall 0.764, F1 0.737, exact
    // 0.709; with the veto precision 0.737, F1 0.750, exact 0.709. Set 23,
    // rules alone precision 0.695, recall 0.745, F1 0.719, exact 0.691;
    // with the veto precision 0.784, recall 0.727, F1 0.755, exact 0.673.
    // The rules before the thirteenth session's tuning (c41aabb) gave F1
    // 0.726 and 0.719 alone: the tuning on sets 15-21, worth +0.03 to
    // +0.10 on those sets, was worth +0.011 and +0.000 here. The goals
    // (F1 >= 0.95, exact >= 0.90) are not met on unseen news; these floors
    // only catch a regression. The shipped veto has since been trained on
    // these two sets as well, so what this test runs is in-sample for the
    // veto; the unseen figures are the ones above (and the chronological
    // `eval_funding_veto_on_sets_it_has_not_seen`).
    assert_at_least("funding held-out 22 eval", &heldout(22), 0.72, 0.68);
    assert_at_least("funding held-out 23 eval", &heldout(23), 0.72, 0.65);
}

/// The sets the shipped veto is trained on: the tuning set (group 0) and
/// the held-out sets (group n), in collection order.
fn veto_examples(sets: &[Vec<Case>]) -> Vec<Example<'_>> {
    sets.iter()
        .enumerate()
        .flat_map(|(group, cases)| {
            cases.iter().map(move |c| Example {
                text: &c.text,
                is_round: c.expected.is_round,
                group,
            })
        })
        .collect()
}

/// Every labelled set, the tuning set first.
fn all_sets() -> Vec<Vec<Case>> {
    std::iter::once(cases())
        .chain((1..=HELDOUT.len()).map(heldout))
        .collect()
}

/// The veto shipped in `data/funding/veto.json` is the one training on
/// every labelled set gives (within 1e-5 per weight, the same description);
/// `LEADSCORE_BLESS=1` rewrites the file instead.
#[test]
fn funding_veto_is_trained_from_the_eval_sets() {
    let sets = all_sets();
    let trained = veto::train(
        &veto_examples(&sets),
        &TrainParams {
            trained_on: format!(
                "tests/eval/funding.jsonl and funding_heldout*.jsonl: {} sets, {} sentences",
                sets.len(),
                sets.iter().map(Vec::len).sum::<usize>()
            ),
            ..TrainParams::default()
        },
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/funding/veto.json");
    if std::env::var_os("LEADSCORE_BLESS").is_some() {
        // The build still holds the old file; the next run checks this one.
        std::fs::write(path, trained.to_json()).unwrap();
        return;
    }
    let shipped = FundingVeto::shipped();
    let d = trained.max_difference(shipped);
    let retrain = "run `LEADSCORE_BLESS=1 cargo test -p leadscore-news --test news funding_veto_is_trained` and commit the file";
    assert!(
        d < 1e-5,
        "data/funding/veto.json is not what training on the eval sets gives (largest difference {d}); {retrain}"
    );
    let described = |json: &str| {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        (v["trained_on"].clone(), v["threshold_rule"].clone())
    };
    assert_eq!(
        described(&trained.to_json()),
        described(&shipped.to_json()),
        "data/funding/veto.json describes other training; {retrain}"
    );
}

/// The veto measured honestly: for each of the last held-out sets, a veto
/// trained only on the sets collected before it, with the rules as they
/// are, against the rules alone. The rules have been tuned on the sets up
/// to 13, and since the thirteenth session on the misses of sets 15-21
/// too (which rounds the veto judges was chosen with sets 12 and 14 in
/// view); the veto has seen none of the set it is measured on.
#[test]
#[allow(clippy::print_stdout)] // the figures are the point of the test
fn eval_funding_veto_on_sets_it_has_not_seen() {
    let sets = all_sets();
    // Every held-out set from the eleventh, the last one included: a set
    // added to `HELDOUT` is measured here too.
    let last = HELDOUT.len();
    let mut gains = Vec::new();
    for n in 11..=last {
        let veto = veto::train(&veto_examples(&sets[..n]), &TrainParams::default());
        let alone = score_with(&sets[n], None);
        let with = score_with(&sets[n], Some(&veto));
        println!(
            "held-out {n}: rules alone F1 {:.3} exact {:.3}; with a veto trained on sets 0-{} (threshold {:.2}): precision {:.3}, recall {:.3}, F1 {:.3}, exact {:.3}",
            alone.f1,
            alone.exact_rate,
            n - 1,
            veto.threshold(),
            with.precision,
            with.recall,
            with.f1,
            with.exact_rate
        );
        gains.push(with.f1 - alone.f1);
    }
    // Until set 21 the veto raised F1 on every set it had not seen; on set
    // 21 it lowered it slightly (0.816 to 0.809 trained on sets 0-20).
    // Since the rules were tuned on the misses of sets 15-21 (2026-12-05,
    // thirteenth session), the veto gains less over them: +0.015 on
    // average over sets 11-23, and on set 21 it costs 0.020 (true rounds
    // its labeller had marked unsure). What must hold: a gain on average,
    // and no set losing more than about three sentences' worth of F1
    // (0.03, in sets of ~50 rounds).
    let mean = gains.iter().sum::<f64>() / gains.len() as f64;
    println!("mean F1 gain over sets 11-{last}: {mean:+.3}");
    assert!(mean > 0.0, "the veto lowers F1 on average ({mean:+.3})");
    for (n, g) in (11..).zip(&gains) {
        assert!(*g > -0.03, "held-out {n}: the veto lowers F1 by {:.3}", -g);
    }
}
