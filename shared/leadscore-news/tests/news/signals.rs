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

#[test]
fn one_round_reported_over_seven_weeks_is_one_event_in_any_order() {
    // Reports 24 and 26 days apart: each within 30 days of the next, the
    // first and last 50 days apart. Linked in date order they are one round
    // whatever order the items come in; before, one order gave two.
    let day = |m: u32, d: u32| Some(Utc.with_ymd_and_hms(2026, m, d, 8, 0, 0).unwrap());
    let reports = [
        ("https://acme.example/a", day(1, 1)),
        ("https://news.example/b", day(1, 25)),
        ("https://blog.example/c", day(2, 20)),
    ];
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let arts: Vec<Article> = order
            .iter()
            .map(|&i| Article {
                url: Some(reports[i].0.into()),
                title: "Acme raises $25 million Series B led by Foo Ventures".into(),
                published: reports[i].1,
                text: String::new(),
            })
            .collect();
        let f = extract(&arts);
        assert_eq!(f.funding.len(), 1, "{order:?}: {:#?}", f.funding);
        assert_eq!(f.funding[0].also_reported_by.len(), 2, "{order:?}");
        assert_eq!(
            f.funding[0].announced_on,
            NaiveDate::from_ymd_opt(2026, 1, 1),
            "{order:?}"
        );
    }
}

#[test]
fn a_report_naming_no_stage_or_amount_does_not_join_two_rounds() {
    let day = |m: u32, d: u32| Some(Utc.with_ymd_and_hms(2026, m, d, 8, 0, 0).unwrap());
    let reports = [
        ("Acme raises $10 million Series A", day(1, 1)),
        (
            "Acme raises an undisclosed amount in a funding round led by Foo Ventures",
            day(1, 20),
        ),
        ("Acme raises $30 million Series B", day(2, 5)),
    ];
    for order in [[0, 1, 2], [1, 0, 2], [2, 1, 0], [1, 2, 0]] {
        let arts: Vec<Article> = order
            .iter()
            .map(|&i| Article {
                url: Some(format!("https://acme.example/{i}")),
                title: reports[i].0.into(),
                published: reports[i].1,
                text: String::new(),
            })
            .collect();
        let f = extract(&arts);
        let rounds: Vec<&str> = f.funding.iter().map(|e| e.round.as_str()).collect();
        // The vague report joins the nearer round (B, 16 days against 19).
        assert_eq!(
            rounds,
            ["series_b", "series_a"],
            "{order:?}: {:#?}",
            f.funding
        );
        assert_eq!(f.funding[0].also_reported_by.len(), 1, "{order:?}");
    }
}
