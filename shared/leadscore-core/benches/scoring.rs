//! Scoring throughput on the default model, 20 activities per lead.
//!
//! Run: `cargo bench -p leadscore-core --bench scoring`
//!
//! Four cases, all with the full explanation: `score` (a fresh `Score` per
//! lead); `Scorer::score` (one scorer reusing its buffers across the leads
//! of a batch); `AccountScorer::score` with 4 leads per account, and with 1
//! (the account's own contributions computed once per account, when its
//! second lead is scored, and copied into its leads' scores, as the
//! pipeline's rescoring does).
//!
//! Besides criterion's report, prints leads/s per core for each case and its
//! ratio to a baseline measured in the same run: a bare scan that reads every
//! activity of the lead once (the least work any scorer must do), so the
//! ratio is comparable across noisy machines.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group};
use leadscore_core::domain::{
    Account, Activity, ActivityKind, Domain, Email, Lead, Signal, SignalValue,
};
use leadscore_core::{ScoreInput, Scorer, ScoringModel, score};

struct Fixture {
    leads: Vec<Lead>,
    account: Account,
    signals: Vec<Signal>,
    activities: Vec<Vec<Activity>>,
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn fixture(n: usize) -> Fixture {
    let titles = [
        "Director of Marketing",
        "VP Sales",
        "Software Engineer",
        "CEO",
        "Marketing Manager",
    ];
    let kinds = [
        ActivityKind::PageViewed {
            path: "/pricing".into(),
        },
        ActivityKind::PageViewed {
            path: "/blog/how-to-score-leads".into(),
        },
        ActivityKind::PageViewed {
            path: "/demo".into(),
        },
        ActivityKind::EmailOpened,
        ActivityKind::EmailClicked,
        ActivityKind::WebinarAttended,
        ActivityKind::ContentDownloaded,
        ActivityKind::FormSubmitted,
    ];
    let mut account = Account::new(
        Domain::parse("acme.com").unwrap_or_else(|e| panic!("{e}")),
        now(),
    );
    account.firmographics.industry = Some("Computer Software".into());
    account.firmographics.employees = Some(240);
    let signals = vec![
        Signal::new("tech", SignalValue::Text("HubSpot".into()), now()),
        Signal::new(
            "tech",
            SignalValue::Text("Google Tag Manager".into()),
            now(),
        ),
        Signal::new("hiring.sales_roles", SignalValue::Number(3.0), now()),
        Signal::new(
            "funding.round",
            SignalValue::Text("series_b".into()),
            now() - chrono::Duration::days(40),
        ),
    ];
    let mut leads = Vec::with_capacity(n);
    let mut activities = Vec::with_capacity(n);
    for i in 0..n {
        let email = Email::parse(&format!("person{i}@acme.com")).unwrap_or_else(|e| panic!("{e}"));
        let mut lead = Lead::new(email.clone(), None, now());
        lead.set_title(Some(titles[i % titles.len()].into()));
        let acts = (0..20)
            .map(|j| {
                let kind = kinds[(i + j) % kinds.len()].clone();
                Activity::new(
                    email.clone(),
                    kind,
                    now() - chrono::Duration::hours((j * 31 + i % 17) as i64),
                )
            })
            .collect();
        leads.push(lead);
        activities.push(acts);
    }
    Fixture {
        leads,
        account,
        signals,
        activities,
    }
}

impl Fixture {
    /// The input of lead `i`, cycling through the leads.
    fn input(&self, i: usize) -> ScoreInput<'_> {
        let i = i % self.leads.len();
        ScoreInput {
            lead: &self.leads[i],
            account: Some(&self.account),
            signals: &self.signals,
            activities: &self.activities[i],
        }
    }
}

/// (iterations, elapsed) of each case, recorded from criterion's own samples.
static SAMPLES: Mutex<Vec<(&'static str, u64, Duration)>> = Mutex::new(Vec::new());

fn record(name: &'static str, iters: u64, elapsed: Duration) -> Duration {
    SAMPLES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push((name, iters, elapsed));
    elapsed
}

fn bench(c: &mut Criterion) {
    let model = ScoringModel::default_model().unwrap_or_else(|e| panic!("{e}"));
    let f = fixture(1024);
    let now = now();
    let mut group = c.benchmark_group("scoring");
    group.bench_function("baseline_scan", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for k in 0..iters as usize {
                let i = k % f.leads.len();
                let mut acc = 0u64;
                for a in &f.activities[i] {
                    acc = acc.wrapping_add(
                        a.kind.name().len() as u64 + a.occurred_at.timestamp() as u64,
                    );
                }
                black_box(acc);
            }
            record("baseline_scan", iters, start.elapsed())
        });
    });
    group.bench_function("score_default_model_20_activities", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for k in 0..iters as usize {
                let s = score(&model, &f.input(k), now);
                black_box(s);
            }
            record("score_default_model_20_activities", iters, start.elapsed())
        });
    });
    group.bench_function("scorer_default_model_20_activities", |b| {
        let mut scorer = Scorer::new();
        b.iter_custom(|iters| {
            let start = Instant::now();
            for k in 0..iters as usize {
                let s = scorer.score(&model, &f.input(k), now);
                black_box(s);
            }
            record("scorer_default_model_20_activities", iters, start.elapsed())
        });
    });
    for (case, per_account) in [
        ("account_scorer_4_leads_per_account", 4),
        ("account_scorer_1_lead_per_account", 1),
    ] {
        group.bench_function(case, |b| {
            let mut scorer = Scorer::new();
            b.iter_custom(|iters| {
                let start = Instant::now();
                let mut k = 0;
                while k < iters as usize {
                    // A new account every `per_account` leads: its own
                    // contributions are computed again for each.
                    let mut scoped = scorer.for_account(&model, Some(&f.account), &f.signals, now);
                    for _ in 0..per_account.min(iters as usize - k) {
                        let i = k % f.leads.len();
                        black_box(scoped.score(&f.leads[i], &f.activities[i]));
                        k += 1;
                    }
                }
                record(case, iters, start.elapsed())
            });
        });
    }
    group.finish();
}

fn report() {
    let samples = SAMPLES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let per_iter = |name: &str| {
        let (iters, nanos) = samples
            .iter()
            .filter(|(n, _, _)| *n == name)
            .fold((0u64, 0u128), |(i, t), (_, it, el)| {
                (i + it, t + el.as_nanos())
            });
        (iters > 0).then(|| nanos as f64 / iters as f64)
    };
    let Some(base) = per_iter("baseline_scan") else {
        return;
    };
    eprintln!("\n== scoring throughput (same run) ==");
    eprintln!(
        "{:<36} {base:>9.1} ns/lead  {:>12.0} leads/s per core",
        "baseline_scan:",
        1e9 / base
    );
    for case in [
        "score_default_model_20_activities",
        "scorer_default_model_20_activities",
        "account_scorer_4_leads_per_account",
        "account_scorer_1_lead_per_account",
    ] {
        let Some(t) = per_iter(case) else {
            continue;
        };
        eprintln!(
            "{:<36} {t:>9.1} ns/lead  {:>12.0} leads/s per core  {:>5.1}x baseline  goal >= 1,000,000: {}",
            format!("{case}:"),
            1e9 / t,
            t / base,
            if 1e9 / t >= 1e6 { "met" } else { "NOT met" }
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
