//! Extraction tests per pattern (the evaluation set covers real news; these
//! pin one rule each).

use chrono::{NaiveDate, TimeZone, Utc};
use leadscore_news::article::Article;
use leadscore_news::funding::{Round, dedupe, extract_funding, extract_funding_text};

fn one(s: &str) -> leadscore_news::funding::FundingEvent {
    let v = extract_funding_text(s, None, None);
    assert_eq!(v.len(), 1, "{s}: {v:#?}");
    v.into_iter().next().unwrap()
}

fn none(s: &str) {
    let v = extract_funding_text(s, None, None);
    assert!(v.is_empty(), "{s}: {v:#?}");
}

#[test]
fn amount_currency_round_and_investors() {
    let e = one(
        "Acme has raised $12.5M in a Series B round led by Foo Ventures and Bar Capital, with participation from Baz Partners.",
    );
    assert_eq!(e.amount, Some(12_500_000));
    assert_eq!(e.currency.as_deref(), Some("USD"));
    assert_eq!(e.round, Round::SeriesB);
    assert_eq!(e.lead_investors, vec!["Foo Ventures", "Bar Capital"]);
    assert_eq!(e.other_investors, vec!["Baz Partners"]);
    assert!(e.confidence > 0.9);
}

#[test]
fn valuation_and_total_are_kept_apart() {
    let e = one(
        "Acme raised $40 million in Series C funding at a $400 million valuation, bringing its total funding to $95 million.",
    );
    assert_eq!(e.amount, Some(40_000_000));
    assert_eq!(e.valuation.as_ref().map(|m| m.amount), Some(400_000_000));
    assert_eq!(e.total_raised.as_ref().map(|m| m.amount), Some(95_000_000));
    let e = one("Acme, valued at $1.2 billion, closed a $150 million growth round.");
    assert_eq!(e.amount, Some(150_000_000));
    assert_eq!(e.round, Round::Growth);
    assert_eq!(e.valuation.as_ref().map(|m| m.amount), Some(1_200_000_000));
}

#[test]
fn rounds_in_five_languages() {
    assert_eq!(
        one("Acme sammelt 8 Millionen Euro in einer Seed-Runde ein.").round,
        Round::Seed
    );
    assert_eq!(
        one("Acme lève 15 millions d'euros en série A.").round,
        Round::SeriesA
    );
    assert_eq!(
        one("Acme recauda 3 millones de euros en una ronda pre-semilla.").round,
        Round::PreSeed
    );
    assert_eq!(
        one("Acme capta R$ 20 milhões em rodada série B.").round,
        Round::SeriesB
    );
    assert_eq!(one("Acme raises $30M Series J").round, Round::Growth);
    assert_eq!(
        one("Acme secures a $25 million credit facility from Big Bank.").round,
        Round::Debt
    );
    assert_eq!(one("Acme raises $2M pre-Series A").round, Round::PreSeriesA);
}

#[test]
fn dual_currency_keeps_the_original() {
    let e = one("Acme raised Rs 100 crore ($12 million) in its Series B round.");
    assert_eq!(
        (e.amount, e.currency.as_deref()),
        (Some(1_000_000_000), Some("INR"))
    );
    let e = one("Acme raised EUR 105mn ($113mn) in a Series C.");
    assert_eq!(
        (e.amount, e.currency.as_deref()),
        (Some(105_000_000), Some("EUR"))
    );
}

#[test]
fn extensions_and_undisclosed_amounts() {
    let e = one("Acme adds $10 million to its Series A, an extension led by Foo Ventures.");
    assert!(e.is_extension);
    assert_eq!(e.amount, Some(10_000_000));
    let e = one("Acme raised an undisclosed amount of seed funding from angels.");
    assert_eq!((e.amount, e.round), (None, Round::Seed));
}

#[test]
fn rumours_targets_and_other_money_are_not_rounds() {
    none("Acme is in talks to raise $100 million at a $1 billion valuation.");
    none("Acme aims to raise €20M by the end of the year.");
    none("Foo Ventures closes its $300 million third fund.");
    none("Acme acquired Widget Co for $50 million.");
    none("Acme's revenue grew to $80 million last year.");
    none("Acme won a $20 million contract from the Department of Defense.");
    none("Acme lays off 200 employees despite raising $50M last year.");
    none("Startups raised $2.1 billion across 150 deals in March.");
    none("Acme had raised $20 million in a Series A in 2019.");
    none("The company has raised $60 million to date.");
    none("Acme reported a net loss of $12 million.");
}

#[test]
fn headline_and_body_reporting_one_round_give_one_event() {
    let a = Article {
        url: Some("https://acme.example/news/series-b".into()),
        title: "Acme raises $25M Series B led by Foo Ventures".into(),
        published: Some(Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap()),
        text: "Acme announced yesterday that it has raised $25 million in Series B funding. The round was led by Foo Ventures, with participation from Bar Capital.".into(),
    };
    let v = extract_funding(&a);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(
        v[0].headline,
        "Acme raises $25M Series B led by Foo Ventures"
    );
    assert_eq!(v[0].announced_on, NaiveDate::from_ymd_opt(2026, 10, 1));
    assert_eq!(v[0].lead_investors, vec!["Foo Ventures"]);
}

#[test]
fn dedupe_merges_reports_of_one_round_across_items() {
    let mk = |url: &str, day: u32, amount: &str| Article {
        url: Some(url.into()),
        title: format!("Acme raises {amount} Series B"),
        published: Some(Utc.with_ymd_and_hms(2026, 10, day, 9, 0, 0).unwrap()),
        text: String::new(),
    };
    let mut all = extract_funding(&mk("https://a.example/1", 1, "$25M"));
    all.extend(extract_funding(&mk(
        "https://b.example/2",
        3,
        "$25.5 million",
    )));
    all.extend(extract_funding(&mk("https://c.example/3", 2, "€8M")));
    let d = dedupe(all);
    assert_eq!(d.len(), 2, "{d:#?}");
    let usd = d
        .iter()
        .find(|e| e.currency.as_deref() == Some("USD"))
        .unwrap();
    assert_eq!(usd.also_reported_by.len(), 1);
    assert_eq!(usd.announced_on, NaiveDate::from_ymd_opt(2026, 10, 1));
}
