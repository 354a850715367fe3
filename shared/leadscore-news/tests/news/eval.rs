//! The funding evaluation set: real sentences and headlines from public
//! news (`tests/eval/funding.jsonl`, each with its source URL). Reports
//! precision, recall and F1 of "is a closed funding round" and the
//! exact-match rate of amount + currency + round over the true rounds.
//!
//! Run with `cargo test -p leadscore-news --test news eval -- --nocapture`.

use leadscore_news::funding::extract_funding_text;
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
}

fn cases() -> Vec<Case> {
    let raw = include_str!("../eval/funding.jsonl");
    raw.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn eval_set_is_large_and_varied() {
    let cases = cases();
    assert!(cases.len() >= 80, "{} cases", cases.len());
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

#[test]
fn eval_funding_extraction_meets_goals() {
    let cases = cases();
    let (mut tp, mut fp, mut fn_, mut exact, mut positives) = (0u32, 0u32, 0u32, 0u32, 0u32);
    let mut misses = Vec::new();
    for c in &cases {
        let found = extract_funding_text(&c.text, None, Some(&c.url));
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
    for m in &misses {
        println!("{m}");
    }
    println!(
        "funding eval: {} cases ({} rounds, {} negatives): precision {:.3}, recall {:.3}, F1 {:.3}, exact amount+currency+round {:.3} ({}/{})",
        cases.len(),
        positives,
        cases.len() as u32 - positives,
        precision,
        recall,
        f1,
        exact_rate,
        exact,
        positives
    );
    assert!(f1 >= 0.95, "F1 {f1:.3} below 0.95");
    assert!(exact_rate >= 0.90, "exact {exact_rate:.3} below 0.90");
}
