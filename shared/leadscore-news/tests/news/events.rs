//! Company events per pattern.

use chrono::{TimeZone, Utc};
use leadscore_news::article::Article;
use leadscore_news::events::{AcquisitionRole, CompanyEvent, events_in_sentence, extract_events};

fn kinds(s: &str) -> Vec<&'static str> {
    events_in_sentence(s, None, None, true)
        .iter()
        .map(CompanyEvent::signal_name)
        .collect()
}

#[test]
fn layoffs_with_headcount_and_share() {
    let v = events_in_sentence(
        "Acme lays off 120 employees, about 15% of its staff.",
        None,
        None,
        false,
    );
    match &v[0] {
        CompanyEvent::Layoffs {
            headcount,
            share_percent,
            ..
        } => {
            assert_eq!(*headcount, Some(120));
            assert_eq!(*share_percent, Some(15.0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        kinds("Acme streicht 300 Stellen in Berlin"),
        vec!["news.layoffs"]
    );
    assert_eq!(kinds("Acme annonce un plan social"), vec!["news.layoffs"]);
}

#[test]
fn writing_about_layoffs_is_not_a_layoff() {
    for s in [
        "5 ways to handle layoffs with empathy",
        "How to communicate job cuts to your team",
        "Should you announce layoffs on a Friday?",
        "Acme cut salaries to avoid layoffs",
        "Wie Sie Entlassungen fair gestalten: fünf Tipps",
        "Navigating layoffs as a manager",
        "Lessons from layoffs at fast-growing startups",
        "Cómo comunicar despidos a tu equipo",
    ] {
        assert!(kinds(s).is_empty(), "{s}: {:?}", kinds(s));
    }
    for s in [
        "Acme lays off 8% of its staff",
        "Acme announces layoffs amid restructuring",
        "Acme demite 50 funcionários como parte da reestruturação",
        "Acme lays off 200 without notice",
        "Acme despide a 40 empleados para evitar la quiebra",
        "Die Acme GmbH baut 200 Stellen ab, wie sie am Dienstag mitteilte.",
        "Acme lays off staff to survive the downturn",
        "Acme cuts jobs while navigating a slowdown",
    ] {
        assert_eq!(kinds(s), vec!["news.layoffs"], "{s}");
    }
}

#[test]
fn acquisitions_know_the_side() {
    let role = |s: &str| match &events_in_sentence(s, None, None, false)[0] {
        CompanyEvent::Acquisition { role, .. } => *role,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        role("Acme acquires Widget Co for $30 million"),
        AcquisitionRole::Acquirer
    );
    assert_eq!(
        role("Widget Co is acquired by Acme"),
        AcquisitionRole::Acquired
    );
    assert_eq!(
        role("Widget wird von Acme übernommen"),
        AcquisitionRole::Acquired
    );
    assert_eq!(role("Acme übernimmt Widget"), AcquisitionRole::Acquirer);
}

#[test]
fn leadership_hires_and_launches() {
    match &events_in_sentence(
        "Acme appoints Jane Doe as Chief Revenue Officer",
        None,
        None,
        false,
    )[0]
    {
        CompanyEvent::LeadershipHire { title, .. } => assert_eq!(title, "Chief Revenue Officer"),
        other => panic!("{other:?}"),
    }
    assert_eq!(kinds("Acme names new CFO"), vec!["news.leadership_hire"]);
    assert_eq!(
        kinds("Acme launches Acme Cloud for mid-market teams"),
        vec!["news.product_launch"]
    );
    assert!(kinds("Foo Ventures launches a $100M fund").is_empty());
    // A title after a hiring verb is a hire, wherever the verb stands.
    assert_eq!(
        kinds("Jane Doe joins as VP of Sales after a decade at Oracle"),
        vec!["news.leadership_hire"]
    );
    for s in [
        "Acme ernennt Max Mustermann zum Geschäftsführer",
        "Acme Corp said on Tuesday it had appointed Jane Doe as Chief Financial Officer.",
        "Acme hat Max Mustermann zum Geschäftsführer ernannt",
        "Max Mustermann wurde zum CEO berufen",
        "Acme holt sich Ex-Google-Managerin als CTO",
    ] {
        assert_eq!(kinds(s), vec!["news.leadership_hire"], "{s}");
    }
    // A quote's speaker and a customer welcomed are no hire; nor is money
    // fetched ("holt sich").
    for s in [
        "\"We're thrilled to welcome Globex as a customer,\" said Jane Doe, CEO of Acme.",
        "Being named a Leader is a testament to our team, said CEO Jane Doe.",
        "Acme holt sich 5 Mio. Euro, sagt Geschäftsführer Max Mustermann.",
    ] {
        assert!(kinds(s).is_empty(), "{s}: {:?}", kinds(s));
    }
    // Customers, users and a stake acquired are no acquisition.
    for s in [
        "Acme acquired more than 500 new customers in Q3.",
        "Acme bought a minority stake in Widget Co.",
    ] {
        assert!(kinds(s).is_empty(), "{s}: {:?}", kinds(s));
    }
    for s in [
        "Acme acquired Widget Co, a data startup, last week.",
        "Twilio acquires customer data platform Segment",
        "Acme acquires talent platform Hirely",
    ] {
        assert_eq!(kinds(s), vec!["news.acquisition"], "{s}");
    }
    assert!(events_in_sentence("Acme launches Acme Cloud", None, None, false).is_empty());
}

#[test]
fn an_item_gives_one_event_per_kind_and_a_press_mention() {
    let a = Article {
        url: Some("https://acme.example/news/1".into()),
        title: "Acme launches Acme Cloud".into(),
        published: Some(Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()),
        text: "Acme today launched Acme Cloud. It also launched a mobile app.".into(),
    };
    let v = extract_events(&a);
    let names: Vec<_> = v.iter().map(CompanyEvent::signal_name).collect();
    assert_eq!(names, vec!["news.product_launch", "news.press_mention"]);
    assert_eq!(v[1].evidence().text, "Acme launches Acme Cloud");
}
