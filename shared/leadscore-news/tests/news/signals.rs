//! Signals match the names the default scoring model uses.

use chrono::{NaiveDate, TimeZone, Utc};
use leadscore_core::domain::SignalValue;
use leadscore_news::article::Article;
use leadscore_news::extract;
use leadscore_news::signals::to_signals;

#[test]
fn funding_and_news_signals() {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let arts = vec![
        Article {
            url: Some("https://acme.example/news/b".into()),
            title: "Acme raises €30 million Series B".into(),
            published: Some(Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap()),
            text: String::new(),
        },
        Article {
            url: Some("https://acme.example/news/a".into()),
            title: "Acme raises €5 million seed round".into(),
            published: Some(Utc.with_ymd_and_hms(2025, 1, 10, 8, 0, 0).unwrap()),
            text: String::new(),
        },
        Article {
            url: Some("https://acme.example/news/c".into()),
            title: "Acme lays off 10% of staff".into(),
            published: Some(Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap()),
            text: String::new(),
        },
    ];
    let f = extract(&arts);
    assert_eq!(f.funding.len(), 2);
    let sigs = to_signals(&f.funding, &f.events, now);
    let get = |n: &str| {
        sigs.iter()
            .find(|s| s.name == n)
            .unwrap_or_else(|| panic!("{n}: {sigs:#?}"))
    };
    assert_eq!(
        get("funding.round").value,
        SignalValue::Text("series_b".into())
    );
    assert_eq!(
        get("funding.round").observed_at.date_naive(),
        NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
    );
    assert_eq!(
        get("funding.amount").value,
        SignalValue::Number(30_000_000.0)
    );
    assert_eq!(
        get("funding.last_round_days").value,
        SignalValue::Number(20.0)
    );
    assert_eq!(get("news.layoffs").value, SignalValue::Flag(true));
    assert_eq!(
        get("news.press_mentions_90d").value,
        SignalValue::Number(1.0)
    );
    assert_eq!(sigs.iter().filter(|s| s.name == "funding.round").count(), 1);
}

#[test]
fn default_model_scores_the_signals() {
    use leadscore_core::domain::{Email, Lead};
    use leadscore_core::{ScoreInput, ScoringModel, score};
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let arts = vec![
        Article {
            url: Some("https://acme.example/news/b".into()),
            title: "Acme raises $20M Series A led by Foo Ventures".into(),
            published: Some(Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap()),
            text: String::new(),
        },
        Article {
            url: Some("https://acme.example/news/c".into()),
            title: "Acme lays off 40 employees".into(),
            published: Some(Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap()),
            text: String::new(),
        },
    ];
    let f = extract(&arts);
    let signals = to_signals(&f.funding, &f.events, now);
    let model = ScoringModel::default_model().unwrap();
    let lead = Lead::new(Email::parse("dana@acme.example").unwrap(), None, now);
    let s = score(
        &model,
        &ScoreInput {
            lead: &lead,
            account: None,
            signals: &signals,
            activities: &[],
        },
        now,
    );
    let rules: Vec<&str> = s.contributions.iter().map(|c| &*c.rule).collect();
    assert!(rules.contains(&"funding-recent"), "{rules:?}");
    assert!(rules.contains(&"layoffs-recent"), "{rules:?}");
}

#[test]
fn a_dated_round_is_preferred_to_an_undated_or_far_future_one() {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let art = |title: &str, published: Option<chrono::DateTime<Utc>>| Article {
        url: Some(format!("https://acme.example/{}", title.len())),
        title: title.into(),
        published,
        text: String::new(),
    };
    let arts = vec![
        // A feed item whose date did not parse.
        art("Acme raises $5 million seed round", None),
        // A typo'd year.
        art(
            "Acme raises $9 million pre-seed round",
            Some(Utc.with_ymd_and_hms(2062, 1, 1, 0, 0, 0).unwrap()),
        ),
        art(
            "Acme raises $30 million Series B",
            Some(Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap()),
        ),
    ];
    let f = extract(&arts);
    assert_eq!(f.funding.len(), 3, "{:#?}", f.funding);
    let sigs = to_signals(&f.funding, &f.events, now);
    let get = |n: &str| sigs.iter().find(|s| s.name == n).unwrap();
    // Before, the undated seed round was the newest (dated now) at every run.
    assert_eq!(
        get("funding.round").value,
        SignalValue::Text("series_b".into())
    );
    assert_eq!(
        get("funding.last_round_days").value,
        SignalValue::Number(52.0)
    );
    // Only the dated item in the window is a press mention.
    assert_eq!(
        get("news.press_mentions_90d").value,
        SignalValue::Number(1.0)
    );
}
