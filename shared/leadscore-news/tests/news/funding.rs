//! Extraction tests per pattern (the evaluation set covers real news; these
//! pin one rule each, so they read sentences with the rules alone: the
//! learned veto, which can only reject a round, has its own tests).

use chrono::{NaiveDate, TimeZone, Utc};
use leadscore_news::article::Article;
use leadscore_news::funding::veto::FundingVeto;
use leadscore_news::funding::{
    Round, dedupe, extract_funding, extract_funding_text, extract_funding_text_with,
};

/// The rounds the rules find in `s`.
fn rules(s: &str, published: Option<NaiveDate>) -> Vec<leadscore_news::funding::FundingEvent> {
    extract_funding_text_with(s, published, None, None)
}

fn one(s: &str) -> leadscore_news::funding::FundingEvent {
    let v = rules(s, None);
    assert_eq!(v.len(), 1, "{s}: {v:#?}");
    v.into_iter().next().unwrap()
}

fn none(s: &str) {
    let v = rules(s, None);
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

fn amount(s: &str) -> (Option<u64>, Option<String>, Round) {
    let e = one(s);
    (e.amount, e.currency, e.round)
}

fn money(n: u64, cur: &str, round: Round) -> (Option<u64>, Option<String>, Round) {
    (Some(n), Some(cur.to_owned()), round)
}

#[test]
fn short_scales_mi_mill_and_mn() {
    assert_eq!(
        amount("Healthtech carioca Acme levanta R$ 4,5 mi"),
        money(4_500_000, "BRL", Round::Undisclosed)
    );
    // "Mill." neither ends the sentence nor loses its scale.
    assert_eq!(
        amount("Mit 12 Mill. Euro sammelte Acme das frische Kapital bei Foo Capital ein."),
        money(12_000_000, "EUR", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme Bags $25 Mn In Series B Led By Foo Ventures"),
        money(25_000_000, "USD", Round::SeriesB)
    );
}

#[test]
fn more_trigger_verbs_and_nouns() {
    let eur = |n| money(n, "EUR", Round::Undisclosed);
    // fr: "une opération de", a bare amount before "levés"
    assert_eq!(
        amount(
            "Acme décroche la première place avec une opération de 12 millions d'euros menée par Foo Capital."
        ),
        eur(12_000_000)
    );
    assert_eq!(
        amount("Avec 4,2 millions levés, Acme ouvre un bureau à Lyon."),
        eur(4_200_000)
    );
    // es: perfect, "reúne", imperfect, "megaronda", capital increase
    assert_eq!(
        amount("La startup valenciana Acme ha obtenido 12 millones de euros de Foo Capital."),
        eur(12_000_000)
    );
    assert_eq!(
        amount("La insurtech Acme reúne €8M para crecer en México."),
        eur(8_000_000)
    );
    assert_eq!(
        amount("Ese mismo año, la logística Acme captaba 5 millones de euros."),
        eur(5_000_000)
    );
    assert_eq!(
        amount(
            "Acme se convierte en unicornio tras cerrar una megaronda de 200 millones de dólares."
        ),
        money(200_000_000, "USD", Round::Undisclosed)
    );
    let e = one(
        "Acme completó una ampliación de capital de 15 millones de euros liderada por Foo Capital.",
    );
    assert_eq!((e.amount, e.is_extension), (Some(15_000_000), false));
    // de: "investiert" by a named investor, "sammelte ... ein"
    assert_eq!(
        amount("Ein Münchner Investor hat 3 Millionen Euro in die Drohnenfirma Acme investiert."),
        eur(3_000_000)
    );
    // pt: "um investimento de ... feito pela"
    assert_eq!(
        amount(
            "Graças a um investimento de 40 milhões de reais feito pela Foo Capital, a Acme vai abrir escritórios no México."
        ),
        money(40_000_000, "BRL", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme reçoit un investissement de 2 millions d'euros de la part de Foo Capital."),
        eur(2_000_000)
    );
    // an investment without an investor is not a round
    none("Acme plant eine Investition von 20 Millionen Euro in ein neues Werk.");
}

#[test]
fn amounts_in_words() {
    assert_eq!(
        amount("Ein Zürcher Business Angel hat acht Millionen Franken in Acme investiert."),
        money(8_000_000, "CHF", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme a levé vingt millions d'euros auprès de Foo Capital."),
        money(20_000_000, "EUR", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme captó treinta millones de dólares en una ronda serie B."),
        money(30_000_000, "USD", Round::SeriesB)
    );
    assert_eq!(
        amount("A Acme captou cinquenta milhões de reais com a Foo Capital."),
        money(50_000_000, "BRL", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme raised ten million dollars in seed funding."),
        money(10_000_000, "USD", Round::Seed)
    );
    assert_eq!(
        amount("Acme hat fünfzehn Millionen Euro eingesammelt."),
        money(15_000_000, "EUR", Round::Undisclosed)
    );
}

#[test]
fn a_conversion_in_brackets_keeps_the_first_amount() {
    assert_eq!(
        amount(
            "En marzo, Acme captó doce millones de dólares (11 millones de euros) de Foo Capital."
        ),
        money(12_000_000, "USD", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme cierra una ronda de 20 millones de dólares (18,4 millones de euros)."),
        money(20_000_000, "USD", Round::Undisclosed)
    );
}

#[test]
fn loan_describing_the_company_is_not_debt() {
    assert_eq!(
        amount("Digital loan marketplace Acme has raised $12 million from Foo Capital."),
        money(12_000_000, "USD", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme secures a $30 million loan from Big Bank."),
        money(30_000_000, "USD", Round::Debt)
    );
}

#[test]
fn a_share_price_is_not_the_amount() {
    assert_eq!(
        amount(
            "Acme's board approved issuing Series C preference shares at Rs 1,250 each to raise Rs 75 crore from Foo Capital."
        ),
        money(750_000_000, "INR", Round::SeriesC)
    );
}

#[test]
fn an_earlier_dated_round_is_not_the_amount() {
    let e = one(
        "Die nun abgeschlossene Series-A-Runde folgt auf eine Seed-Finanzierung über 3 Millionen Euro im Mai 2021.",
    );
    assert_eq!((e.amount, e.round), (None, Round::SeriesA));
    // With the item's date, an amount dated in an earlier year is earlier.
    let v = extract_funding_text(
        "Acme closed its Series B round, which comes after a €6 million seed investment in 2023.",
        NaiveDate::from_ymd_opt(2026, 10, 1),
        None,
    );
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!((v[0].amount, v[0].round), (None, Round::SeriesB));
    // An amount "a year ago" is an earlier one; "now" marks the current.
    // The Series A is named with the earlier amount, so the current
    // round's stage is not given.
    assert_eq!(
        amount("Acme closed a $5 million Series A a year ago and now raises $15 million."),
        money(15_000_000, "USD", Round::Undisclosed)
    );
    // "Nach einer Seed-Runde" does not date an amount raised "jetzt".
    assert_eq!(
        amount("Nach einer erfolgreichen Seed-Runde sammelt Acme jetzt 10 Mio. Euro ein."),
        money(10_000_000, "EUR", Round::Seed)
    );
}

#[test]
fn a_stage_named_by_its_letter() {
    assert_eq!(
        amount("Acme has closed $14 million as part of an extended D round."),
        money(14_000_000, "USD", Round::SeriesD)
    );
    assert_eq!(
        amount("Acme secured $6 million in its B round led by Foo Ventures."),
        money(6_000_000, "USD", Round::SeriesB)
    );
    assert_eq!(
        amount("Acme hat in einer B-Runde 9 Millionen Euro eingesammelt."),
        money(9_000_000, "EUR", Round::SeriesB)
    );
    // "a round" is no stage
    assert_eq!(
        amount("Acme raised $5 million in a round led by Foo Ventures."),
        money(5_000_000, "USD", Round::Undisclosed)
    );
}

#[test]
fn rumours_in_portuguese_and_headlines() {
    none("A Acme está prestes a fechar uma rodada de US$ 50 milhões, segundo fontes.");
    none("A healthtech está para captar R$ 30 milhões com fundos americanos.");
    none("Acme Eyes $50 Mn Fundraise From Existing Investors");
    none("Acme mulls $200 million raise as growth slows");
}

#[test]
fn aggregates_without_a_plural_startups_subject() {
    none("Die Finanzierungsvolumina heimischer Gründer stiegen auf 900 Millionen Euro.");
    none("Im dritten Quartal sank das Gesamtvolumen der Finanzierungsrunden auf 1,2 Mrd. Euro.");
    none("Une vingtaine d'opérations ont permis de lever 80 millions d'euros cette semaine.");
    // "the largest fintechs" ranks the company; it is not a plural subject
    assert_eq!(
        amount(
            "Graças a um aporte de US$ 30 milhões, a Acme entra na lista das maiores fintechs do país."
        ),
        money(30_000_000, "USD", Round::Undisclosed)
    );
}

#[test]
fn totals_and_their_parts_are_not_rounds() {
    none("Acme, which makes farm drones, has raised $48 million in all.");
    none(
        "Acme has raised $90 million to date, including a $60 million Series C it closed last spring.",
    );
}

#[test]
fn rounds_dated_in_the_past_are_not_current() {
    none("Acme raised $8 million in a seed round two years ago.");
    none("In 2017, Acme raised $3 million in a Series A led by Foo Ventures.");
    none("So erhielt 2018 das Start-up Acme von Investoren 5 Millionen Euro.");
    assert_eq!(
        amount("Founded two years ago, Acme raised $8 million in seed funding."),
        money(8_000_000, "USD", Round::Seed)
    );
    // A year that is the item's own is current.
    let v = extract_funding_text(
        "In 2026, Acme raised $3 million in a Series A led by Foo Ventures.",
        NaiveDate::from_ymd_opt(2026, 10, 1),
        None,
    );
    assert_eq!(v.len(), 1, "{v:#?}");
}

#[test]
fn vc_funds_ipos_and_valuations_are_not_rounds() {
    none("Foo Ventures has raised $40 million as part of its debut fund for climate founders.");
    none("Acme raises Rs 300 crore from anchor investors ahead of its IPO");
    none("Acme was valued at $2 billion in its Series D round, according to filings.");
    let e = one("Acme closed its Series D at a $2 billion valuation.");
    assert_eq!((e.amount, e.round), (None, Round::SeriesD));
    assert_eq!(e.valuation.map(|m| m.amount), Some(2_000_000_000));
}

#[test]
fn a_completed_round_without_amount_or_stage() {
    let e =
        one("La medtech a bouclé son premier tour de table auprès de Foo Capital et Bar Invest.");
    assert_eq!((e.amount, e.round), (None, Round::Undisclosed));
    let e = one("Acme quietly completed a new funding round with Foo Ventures.");
    assert_eq!((e.amount, e.round), (None, Round::Undisclosed));
}

#[test]
fn fundraising_nouns_and_investing_verbs_announce_rounds() {
    // Nouns of raising and closing (es/pt), "injecting" and "pouring" verbs.
    assert_eq!(
        amount("Nubelia anunció una recaudación de 2,4 millones de euros para crecer en Portugal."),
        money(2_400_000, "EUR", Round::Undisclosed)
    );
    assert_eq!(
        amount(
            "La insurtech Cubre anunció el cierre de un financiamiento por USD 30 millones en deuda."
        ),
        money(30_000_000, "USD", Round::Debt)
    );
    assert_eq!(
        amount("Northwind Ventures has poured $14m into Tallyrand, the invoicing startup."),
        money(14_000_000, "USD", Round::Undisclosed)
    );
    assert_eq!(
        amount("Investoren pumpen 9 Millionen Euro in das Kölner Start-up Lernwerk."),
        money(9_000_000, "EUR", Round::Undisclosed)
    );
    assert_eq!(
        amount("Die Plattform hat sich in der Serie B insgesamt 23 Millionen Euro gesichert."),
        money(23_000_000, "EUR", Round::SeriesB)
    );
    // "Levée de fonds" is fundraising, not a venture fund.
    assert_eq!(
        amount("La start-up lyonnaise Ombel a réalisé une levée de fonds de 12 millions d'euros."),
        money(12_000_000, "EUR", Round::Undisclosed)
    );
    // Money from a fund is a round; a plain funding round of an amount too.
    assert_eq!(
        amount("A Plantô recebeu R$ 3 milhões do fundo Semear Capital para expandir."),
        money(3_000_000, "BRL", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme closed a funding round of $5 million."),
        money(5_000_000, "USD", Round::Undisclosed)
    );
}

#[test]
fn unspecified_millions_are_undisclosed_rounds() {
    for s in [
        "Münchner Robotik-Start-up sammelt Millionen bei Investoren ein",
        "Der Wettbewerber hatte erst kürzlich einen zweistelligen Millionenbetrag eingesammelt.",
    ] {
        let e = one(s);
        assert_eq!((e.amount, e.round), (None, Round::Undisclosed), "{s}");
    }
}

#[test]
fn aggregates_statistics_and_comparisons_are_not_rounds() {
    none(
        "En lo que va de mes, cuatro megarrondas de empresas tecnológicas suman más de 900 millones de euros.",
    );
    none("Avec 9 tours de table, la semaine totalise 25 millions d'euros levés.");
    none("Rodadas Série A alcançaram uma mediana de US$ 9 milhões no trimestre.");
    none("Seed rounds reached a median of $3 million in the quarter.");
    none("Dennoch sammelten Gründer in Hamburg weniger Kapital ein: 1,2 statt 1,6 Mrd. Euro.");
}

#[test]
fn earlier_raises_and_totals_are_not_this_round() {
    // "Comes N months after X raised".
    none(
        "The round comes eight months after Finly raised $40 million in its Series B from Atlas Partners.",
    );
    none(
        "This development comes almost two years after the company raised $2 million in a seed round.",
    );
    // Pluperfect with an adverb, totals since founding, earlier rounds.
    none(
        "Fondée en 2019, Volteo, qui avait jusqu'ici levé 11 millions d'euros, fabrique des batteries.",
    );
    none("A Genomix recebeu R$ 40 milhões desde a fundação, em 2018, segundo a empresa.");
    none(
        "Con estos fondos, sumados a los USD 4 millones obtenidos en rondas anteriores, la empresa eleva su capital total a USD 19 millones.",
    );
    // A stage named with an earlier amount belongs to it.
    none(
        "Es la tercera ronda que cierra Tribu este año, tras conseguir el año pasado una Serie B de 60 millones de euros.",
    );
    // "Founded three years ago" ("depuis sa fondation il y a trois ans")
    // does not make the round historical.
    let e = one(
        "Cette levée de série C porte à 90 millions de dollars les capitaux levés, soit 150 millions depuis sa fondation il y a trois ans.",
    );
    assert_eq!((e.amount, e.round), (None, Round::SeriesC));
}

#[test]
fn intentions_discussions_and_plans_are_not_rounds() {
    none(
        "The startup is discussing raising $300 million from new investors, people familiar said.",
    );
    none("Lors de ses résultats, Kelvo avait annoncé son intention de lever 200 millions d'euros.");
    none(
        "Son fondateur s'engageait à lever jusqu'à 2 milliards d'euros pour ses centres de données.",
    );
    none(
        "La empresa prepara una nueva ronda en la que planea captar más de 100 millones de dólares.",
    );
}

#[test]
fn funds_raised_to_invest_in_startups_are_vc_funds() {
    none(
        "O fundo Andes Ventures levantou US$ 500 milhões para investir em fundadores latino-americanos.",
    );
    none("Northstar raised $250 million to invest in early-stage startups across Europe.");
}

#[test]
fn valuations_contracts_and_described_debt_are_not_the_round() {
    // "Valant" (worth) is a valuation.
    let e = one(
        "Alan est devenue une licorne - une entreprise valant plus d'un milliard de dollars - après une nouvelle levée de fonds de 185 millions d'euros.",
    );
    assert_eq!(
        (e.amount, e.currency.as_deref()),
        (Some(185_000_000), Some("EUR"))
    );
    none(
        "The NASA contract announced on Monday is valued at $900,000 with an option to add an additional $2 million.",
    );
    let e = one(
        "Collecto, an app that helps lenders collect on debt, raised $20 million from Sierra Ventures.",
    );
    assert_eq!(e.round, Round::Undisclosed);
}

#[test]
fn more_ways_to_say_a_round_closed() {
    for (s, want) in [
        (
            "Northgate has invested an additional $2.5 million in Ledgerly in the latest tranche, filings show.",
            money(2_500_000, "USD", Round::Undisclosed),
        ),
        (
            "Zürcher Fintech Bexio kriegt 12 Mio. Fr.",
            money(12_000_000, "CHF", Round::Undisclosed),
        ),
        (
            "Zwei Millionen Euro haben mehrere Geldgeber dem Start-up bereitgestellt.",
            money(2_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Carewell led the week with a $40 million Series A for its nurse-scheduling software.",
            money(40_000_000, "USD", Round::SeriesA),
        ),
        (
            "La société a bouclé sa Série B en levant 30 millions d'euros.",
            money(30_000_000, "EUR", Round::SeriesB),
        ),
        (
            "Das Münchner Start-up hat weitere 20 Millionen Euro eingeworben.",
            money(20_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "A startup paulista Cotafácil acaba de levantar US$ 3,2 milhões.",
            money(3_200_000, "USD", Round::Undisclosed),
        ),
        (
            "And CHF 4 million went to the insurance platform Covero – the lead investor is Helvetia Ventures.",
            money(4_000_000, "CHF", Round::Undisclosed),
        ),
        // Undated, a month-precise opening is that month's news.
        (
            "In March 2024, Brightpath secured $18 million in a Series B round led by Lumen Capital.",
            money(18_000_000, "USD", Round::SeriesB),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
    // Without an amount: "tops up", a noun round with its stage, a plural
    // participle of leading.
    for (s, round) in [
        (
            "Exclusive: Vertex tops up Kiwiflow Series A",
            Round::SeriesA,
        ),
        (
            "La nueva inyección de capital (Serie D) servirá para crecer en México.",
            Round::SeriesD,
        ),
        (
            "Os investimentos de série A foram liderados pela Kaszek e pela Canary.",
            Round::SeriesA,
        ),
    ] {
        let e = one(s);
        assert_eq!((e.amount, e.round), (None, round), "{s}");
    }
}

#[test]
fn background_targets_and_failed_rounds_are_not_rounds() {
    for s in [
        // Earlier rounds told as background.
        "Both Northgate and Sequel had also invested $3 million in Ledgerly's seed round in 2019.",
        "Especializada en pagos, Paytrek anunció en 2023 una ronda Serie A por 9 millones de dólares.",
        "Fue en 2018 cuando encontraron su modelo y desde entonces han levantado 120 millones de euros.",
        "Desde que começou a vender, em 2020, a empresa já recebeu R$ 12 milhões de investidores.",
        "We covered its $60 million Series B round in March 2021.",
        "2018 bekam das Berliner Start-up Finanzspritzen von mehr als 300 Millionen Euro.",
        // Plans, campaigns and rounds that never closed.
        "Em maio, a empresa abriu uma rodada de captação para arrecadar R$ 20 milhões.",
        "It started a crowdfunding campaign to raise the $900,000 it needs to keep going.",
        "La startup anunció una ronda de 40 millones de euros que nunca se llegó a materializar.",
        // A fund, a valuation, totals and aggregates.
        "Des accélérateurs comme Startway (qui vient de lever 15 millions d'euros pour son premier fonds) se multiplient.",
        "Im März wurde das Kölner Start-up in einer Finanzierungsrunde mit 1,2 Milliarden Euro bewertet.",
        "Com o aporte, o total captado pela empresa chega a US$ 24 milhões.",
        "Les cas de Alan – 185 millions d'euros – et de Swile – 200 millions – font réfléchir.",
        "Le montant levé a atteint 500 millions d'euros entre janvier et juin, 8% de moins qu'un an plus tôt.",
        "Die drei grössten Finanzierungen kamen auf kumuliert 210 Mio. Fr.",
    ] {
        none(s);
    }
    // "After having raised" an amount: the earlier one; the new round keeps
    // its own amount, and the stage named with the earlier one is not its.
    assert_eq!(
        amount(
            "Depois de, em março, a empresa ter arrecadado 10 milhões de dólares numa ronda série A, a startup anuncia agora que captou 40 milhões de dólares."
        ),
        money(40_000_000, "USD", Round::Undisclosed)
    );
}

#[test]
fn review_cases_of_the_new_rules() {
    // "just" as an amount qualifier keeps a pluperfect raise historical, and
    // "comes just six months after X raised" is background.
    none("The startup had raised just $1.5 million from angels.");
    none("The funding comes just six months after Acme raised a $5 million seed round.");
    // A fund that leads a round is no fund closing; "levée de fonds" is no
    // fund; "contre" a share of the capital is no comparison of amounts.
    assert_eq!(
        amount("Le fonds a mené la levée de 5 millions d'euros de la start-up Kiro."),
        money(5_000_000, "EUR", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme a obtenu 3 millions d'euros pour sa levée de fonds."),
        money(3_000_000, "EUR", Round::Undisclosed)
    );
    assert_eq!(
        amount("Acme lève 5 millions d'euros contre 20 % du capital."),
        money(5_000_000, "EUR", Round::Undisclosed)
    );
    // "A total of" with a stage is the round's amount.
    assert_eq!(
        amount("Acme raised a total of $30 million in its Series B."),
        money(30_000_000, "USD", Round::SeriesB)
    );
}

#[test]
fn amounts_written_m_dollar_mchf_and_bare_francs() {
    assert_eq!(
        amount("Acme réalise un tour de table de 12 M$ en série A."),
        money(12_000_000, "USD", Round::SeriesA)
    );
    assert_eq!(
        amount("Acme a réussi à sécuriser 25 MCHF d'augmentation de capital."),
        money(25_000_000, "CHF", Round::Undisclosed)
    );
    assert_eq!(
        amount("La start-up genevoise Acme a levé 20 millions de francs."),
        money(20_000_000, "CHF", Round::Undisclosed)
    );
}

#[test]
fn all_caps_headlines_without_accents() {
    assert_eq!(
        amount("FINTECH : LA START-UP ACME LEVE 5 MILLIONS D'EUROS"),
        money(5_000_000, "EUR", Round::Undisclosed)
    );
    assert_eq!(
        amount("ACME RECOLTE 2 MILLIONS D'EUROS EN AMORCAGE"),
        money(2_000_000, "EUR", Round::Seed)
    );
}

#[test]
fn more_ways_investors_provide_a_round() {
    for (s, n, cur) in [
        (
            "Acme asegura 12 millones de dólares para crecer en México",
            12_000_000,
            "USD",
        ),
        (
            "Der Investor Foo Capital stellt Acme insgesamt 3 Millionen Euro zur Verfügung.",
            3_000_000,
            "EUR",
        ),
        (
            "Die Investoren fördern Acme mit weiteren 2 Millionen Euro.",
            2_000_000,
            "EUR",
        ),
        (
            "Foo Corp, which has made a $20 million investment in the company, joins the board.",
            20_000_000,
            "USD",
        ),
    ] {
        assert_eq!(amount(s), money(n, cur, Round::Undisclosed), "{s}");
    }
}

#[test]
fn a_fund_named_as_the_lead_is_an_investor() {
    assert_eq!(
        amount("Acme closes a $30 million Series B led by the Foo Health Venture Fund."),
        money(30_000_000, "USD", Round::SeriesB)
    );
    // A venture fund being raised is still a fund.
    none("Foo Partners closes a $200 million venture fund for seed startups.");
}

#[test]
fn a_round_totalling_an_amount_and_a_part_closed_now() {
    assert_eq!(
        amount(
            "Acme launched with a seed round of funding totaling €3.2 million (US$3.5 million)."
        ),
        money(3_200_000, "EUR", Round::Seed)
    );
    assert_eq!(
        amount(
            "Acme has raised $60 million since 2015, including a $25 million Series C that closed this week."
        ),
        money(25_000_000, "USD", Round::SeriesC)
    );
}

#[test]
fn pluperfect_narratives_changes_counts_periods_and_lists_are_not_rounds() {
    for s in [
        // Pluperfect and narrated sequences: background.
        "En mars 2021, Acme avait signé une levée de fonds de 40 millions d'euros.",
        "A empresa já havia levantado R$ 5 milhões em uma rodada seed.",
        "Acme won a prize in 2015, then it raised a $2m seed round, and then a $10m Series A.",
        // A change between two amounts: a statistic.
        "Das Investitionsvolumen stieg von 200 Mio. auf 350 Mio. Euro.",
        "Funding in the sector rose from $1.2 billion to $2 billion.",
        // Counted deals or projects, an investment volume.
        "Seven edtech deals were announced for ~$12M in disclosed funding.",
        "312 proyectos han levantado capital por más de US$50 millones.",
        "Berliner Start-ups verbuchten ein Investitionsvolumen von 120 Millionen Euro, das sich auf knapp 40 Finanzierungsrunden verteilte.",
        // A quarter or a half-year: an aggregate.
        "The first quarter saw $500 million of venture financing obtained by the city's tech companies.",
        "El segundo trimestre cerró con US$ 900 millones invertidos a nivel mundial.",
        // A list of companies, each with its amount.
        "April brought several notable rounds, including Foo (12 million CHF), Bar (8 million CHF) and Baz (5 million CHF).",
    ] {
        none(s);
    }
}

#[test]
fn verbs_said_as_plans_or_background_wherever_the_words_fall() {
    for s in [
        "Acme est sur le point en effet de lever 20 millions d'euros.",
        "Ils avaient en effet injecté 25 M€ dans la société.",
        "Acme was actively working on securing $50 million in its Series B round.",
        "Das Unternehmen soll zunächst beschlossen haben, bis zu 400 Millionen US-Dollar einzusammeln.",
        "El fondo podría recaudar hasta US$ 50 millones en marzo.",
        "Estamos numa rodada de R$ 500 mil, conta o CEO.",
        "Acme levantou R$ 50 milhões em 2021, numa rodada série A.",
    ] {
        none(s);
    }
}

#[test]
fn totals_valuations_grants_and_offerings_said_differently() {
    for s in [
        "Depuis sa création en 2017, Acme a levé 90 M$.",
        "Since its founding in 2016, Acme has raised $80 million.",
        "The valuation of Acme got a boost from Foo Capital, reaching approximately $2 billion.",
        "La fintech Acme fue avaluada en US$1.000 millones en una ronda liderada por Foo.",
        "À l'occasion de la plus grosse opération de 2022, Acme a été évaluée à 2 milliards de dollars.",
        "Acme reçoit une aide de Bpifrance de 1,5 M€ pour son programme.",
        "Acme closed its public offering of 5 million shares for gross proceeds of $40 million.",
        "Acme raised just under $15 million during its life, from Foo and Bar.",
    ] {
        none(s);
    }
}

#[test]
fn more_rounds_said_differently() {
    for (s, want) in [
        (
            "Acme completó su ronda semilla de USD 5 millones, en la cual ya había recibido USD 2 millones.",
            money(5_000_000, "USD", Round::Seed),
        ),
        (
            "Foo Capital investiert 3 Mio. Franken in das Zürcher Start-up Acme.",
            money(3_000_000, "CHF", Round::Undisclosed),
        ),
        (
            "Acme recibió una nueva inversión de 30 millones de dólares.",
            money(30_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Acme comunicó su Serie C de 50 millones de dólares.",
            money(50_000_000, "USD", Round::SeriesC),
        ),
        (
            "Acme nimmt 4 Millionen Franken ein",
            money(4_000_000, "CHF", Round::Undisclosed),
        ),
        (
            "Acme recebeu uma nova rodada de aportes avaliada em mais de US$ 100 milhões.",
            money(100_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Acme angariava um total de 20 milhões de dólares (cerca de €18 milhões).",
            money(20_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Acme réalise un tour de table de 10 M€ mené par Foo Ventures, le fonds de capital-risque du groupe Bar.",
            money(10_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Dois anos depois de ter garantido 5 milhões de euros (5,5 milhões de dólares) numa ronda série A, a Acme anuncia mais 20 milhões de euros numa série B.",
            money(20_000_000, "EUR", Round::SeriesB),
        ),
        (
            "Acme capta $20M extra de créditos con Foo.",
            money(20_000_000, "USD", Round::Debt),
        ),
        (
            "Acme has obtained a total of $50 million in an oversubscribed Series B extension round.",
            money(50_000_000, "USD", Round::SeriesB),
        ),
        (
            "Acme raised $60 million since its founding in 2012, including a $25 million Series C that closed today.",
            money(25_000_000, "USD", Round::SeriesC),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
    // Carbon credits are no debt.
    assert_eq!(
        amount("Acme capta 2 millones de dólares para créditos de carbono."),
        money(2_000_000, "USD", Round::Undisclosed)
    );
}

#[test]
fn companies_opening_a_clause_and_a_company_picked_out_of_counted_deals() {
    // Plural companies as the subject of a clause: an aggregate ...
    none("Num ano difícil, as empresas do setor angariaram 300 milhões de euros.");
    // ... but not companies a start-up serves.
    assert_eq!(
        amount("Acme, que ajuda as empresas a pagar, angariou 3 milhões de euros."),
        money(3_000_000, "EUR", Round::Undisclosed)
    );
    // Counted deals are an aggregate unless the company is picked out.
    none("Four fintech deals closed for $12 million this week.");
    assert_eq!(
        amount("Among the four Series A deals, Acme took a chunk of $15 million."),
        money(15_000_000, "USD", Round::SeriesA)
    );
}

#[test]
fn more_verbs_and_round_words() {
    for (s, want) in [
        (
            "Acme Grabs $12M, Led by Foo Ventures",
            money(12_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Acme hat weitere 47 Millionen Euro von bestehenden Investoren bekommen.",
            money(47_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Acme holte sich 75 Millionen Euro frisches Geld von Investoren.",
            money(75_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Acme vient de recevoir 4,5 millions d'euros de Foo.",
            money(4_500_000, "EUR", Round::Undisclosed),
        ),
        (
            "Acme confirme un tour de financement de 26 millions d'euros.",
            money(26_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Acme garantiu USD 8,1 milhões em financiamento da rodada A.",
            money(8_100_000, "USD", Round::SeriesA),
        ),
        (
            "Acme has secured 3 million US dollars (about ₹25 crore) in a Series A round.",
            money(3_000_000, "USD", Round::SeriesA),
        ),
        (
            "Acme gab den Abschluss einer Finanzierungsrunde über insgesamt 500 Millionen Dollar bekannt.",
            money(500_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Après 150 M$ en 2018 et 200 M$ en 2020, Acme a bouclé un tour de table de 100 M$.",
            money(100_000_000, "USD", Round::Undisclosed),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
    assert_eq!(
        one("Acme annonce un tour d'amorçage mené par Foo Capital.").round,
        Round::Seed
    );
}

#[test]
fn reviews_shares_sectors_and_plans_are_not_rounds() {
    for s in [
        // A controlling stake is an acquisition.
        "Foo Partners has invested $625 million for a controlling stake in Acme.",
        // A fund raising money.
        "Der Fonds hat eine Milliarde Euro eingesammelt und strebt ein Volumen von 1,5 Milliarden Euro an.",
        // Rounds listed as examples, and a company ranked in a review.
        "Notable rounds achieved by local companies include Acme's £50m Series C round in November.",
        "Acme was among the London fintechs to secure a major funding round this year, raising 322 million pounds.",
        "Acme es la que más financiación ha levantado: unos 24 millones de euros.",
        // A sector's funding, multiplied, so far this year, or since a year.
        "Avec 490 millions d'euros levés en 2023, l'agritech a plus que quintuplé ses financements en cinq ans.",
        "En lo que va de año, Acme ha levantado 27,8 millones de euros.",
        "Según Foo, desde 2018 el sector ha captado 95,1 millones de euros en financiación.",
        // A share of a total.
        "La levée d'Acme, d'un montant de 173 millions d'euros, compte pour 30 % du total.",
        // A round begun, and German reported plans.
        "Acme acaba de comenzar una ronda de levantamiento de capital por US$ 25 millones.",
        "Acme soll eine Finanzierungsrunde planen und dabei eine Milliarde Dollar auftreiben wollen.",
        "Eine neue Finanzierungsrunde soll mehrere hundert Millionen Dollar einbringen.",
        // An earlier round, after having received it.
        "O anúncio ocorre dois meses após a empresa ter recebido outra rodada de 430 milhões de reais.",
    ] {
        none(s);
    }
}

#[test]
fn reported_pluperfects_lines_of_credit_and_earlier_amounts() {
    for (s, want) in [
        // A pluperfect reported as this week's news.
        (
            "Acme announced this week that it had closed its Series A with an investment of $11 million.",
            money(11_000_000, "USD", Round::SeriesA),
        ),
        (
            "Acme closed on a $24 million line of credit with Foo Bank.",
            money(24_000_000, "USD", Round::Debt),
        ),
        // An earlier amount set beside this round's.
        (
            "Acme – coming off a $122 million funding year – has secured a raise of $58 million.",
            money(58_000_000, "USD", Round::Undisclosed),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
    for s in [
        "This year's biggest round of tech funding in Nigeria was the Series D round of $250 million raised by Acme.",
        "The highest round at €861 million went to Acme, one of two rounds they did in 2021.",
        "In Österreich erhielt Acme mit 45,6 Millionen Euro die höchste Finanzierung.",
        "Acme's $119 million raise in July holds the top spot for private funding deals.",
        "Foo injected €60 billion into the French economy, down from €63 billion in 2023.",
        "Im vergangenen Jahr betrug das Venture-Capital-Finanzierungsvolumen rund 1,85 Milliarden Euro.",
        "Acme not only raised US$ 17,5 million in the last few months but also hired.",
        "It previously obtained $1.4m in a seed round led by Foo Capital.",
        "Foo took part in an ongoing financing round in which Acme targets to raise $31M.",
        "This brings the total amount the company has raised to $42.2 million.",
        "Esta ronda se une a la de 104 millones de dólares que cerró Acme.",
        "En aquel momento, la ampliación de capital valoró la compañía en 320 millones de dólares.",
    ] {
        none(s);
    }
    // A round ranked as the week's largest is that week's news.
    assert_eq!(
        amount("The largest deal was Acme's $23 million Series C round led by Foo."),
        money(23_000_000, "USD", Round::SeriesC)
    );
}

#[test]
fn past_seasons_possessive_earlier_rounds_and_investors_putting_money_in() {
    for s in [
        // A clause break is not cut at a decimal comma: the pluperfect holds.
        "Erst Mitte Mai hatten die Niederländer 12,5 Millionen Euro bei zwei Investoren eingesammelt.",
        "Auch Foo sammelte im vergangenen Herbst über 128 Millionen Euro ein.",
        "Earlier, Acme closed a US$400 million series C funding round.",
        "La firma había llevado a cabo otra ronda de cuatro millones de euros hace pocos meses.",
        "To date, Acme has raised approximately $180 million from investors including Foo Capital.",
        "Foo prévoyait une levée de fonds de 20 millions d'euros pour son vélo électrique.",
        "Llega en un momento en el que Acme prepara su primera ronda de financiación de Serie A.",
        "After Foo's impressive $27 million Series C funding from Bar Ventures, Acme decided to sell.",
        "A decade ago, seed meant the first institutional VC cheque, often £500k-£1.5m.",
    ] {
        none(s);
    }
    for (s, want) in [
        (
            "Ende August sicherten sich die Spezialisten der Acme Foundation 102 Millionen Franken.",
            money(102_000_000, "CHF", Round::Undisclosed),
        ),
        (
            "De acordo com a Bloomberg, Acme conseguiu arrecadar US$ 90 milhões.",
            money(90_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Foo hat über seine Beteiligungsgesellschaft rund 2,7 Millionen Euro in das Jungunternehmen gesteckt.",
            money(2_700_000, "EUR", Round::Undisclosed),
        ),
        // Led by an investor, "in total" is the round's total.
        (
            "Angeführt vom Risikokapitalgeber Foo Ventures erhält Acme 70 Millionen US-Dollar und verdoppelt damit seine bisherige Finanzierungssumme auf insgesamt 132 Millionen US-Dollar.",
            money(70_000_000, "USD", Round::Undisclosed),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
}

#[test]
fn descriptions_and_news_leads_are_not_taken_for_reviews() {
    for (s, want) in [
        (
            "Acme, which is among the fastest-growing startups, raised $10 million in a Series A.",
            money(10_000_000, "USD", Round::SeriesA),
        ),
        (
            "Acme raised $100 million at a $1 billion valuation, up from $400 million last year.",
            money(100_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Acme sammelt 5 Millionen Euro ein; die Investoren sollen ihr Know-how einbringen.",
            money(5_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Earlier this week, Acme raised $5 million in a seed round.",
            money(5_000_000, "USD", Round::Seed),
        ),
        (
            "Acme closed this year's largest Series A in Europe, $50 million led by Foo.",
            money(50_000_000, "USD", Round::SeriesA),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
}

#[test]
fn a_round_dated_by_a_month_well_before_the_article_is_background() {
    let in_may = NaiveDate::from_ymd_opt(2024, 5, 20);
    let found = |s: &str, on| !rules(s, on).is_empty();
    // Two months or more before the article: background.
    assert!(!found("Acme raised $5 million in March.", in_may));
    assert!(!found(
        "Acme hat im Dezember 5 Millionen Euro eingesammelt.",
        in_may
    ));
    assert!(!found(
        "Acme a levé 5 millions d'euros fin février.",
        in_may
    ));
    // Last month or this month: the news.
    assert!(found("Acme raised $5 million in April.", in_may));
    assert!(found(
        "Acme sammelte Ende Mai 5 Millionen Euro ein.",
        in_may
    ));
    // The most recent month named decides; a year makes it the year rules'.
    assert!(found(
        "Acme, founded in January, raised $5 million in May.",
        in_may
    ));
    assert!(found("Acme raised $5 million in May 2024.", in_may));
    // Without the article's date, a month dates nothing.
    assert!(found("Acme raised $5 million in March.", None));
    // "May" as a modal is no month.
    assert!(!found("Acme may raise $5 million.", in_may));
}

#[test]
fn dollars_named_after_the_amount_new_verbs_and_review_wordings() {
    // The dollar named after the amount; verbs "raked in", "hauled in",
    // "vient de récolter"; "espère"/"veut" make a plan.
    for (s, want) in [
        (
            "Acme raises $1.35M CAD / Canada, Education / Foo Capital",
            money(1_350_000, "CAD", Round::Undisclosed),
        ),
        (
            "Acme has raked in €150 million from existing investors including Foo.",
            money(150_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "The startup hauled in $20 million in a Series A led by Foo.",
            money(20_000_000, "USD", Round::SeriesA),
        ),
        (
            "Acme vient de récolter 2,1 millions d’euros pour développer son robot.",
            money(2_100_000, "EUR", Round::Undisclosed),
        ),
        (
            "Acme recently announced it had raised $5 million in a seed round.",
            money(5_000_000, "USD", Round::Seed),
        ),
        // A new round counted from a year stays a round.
        (
            "Acme has raised $10 million in a Series A led by Foo, its first funding since 2021.",
            money(10_000_000, "USD", Round::SeriesA),
        ),
        // A round ranked in its year, but not a review's subject.
        (
            "Acme raised $50 million, the largest round of 2024 in Spain.",
            money(50_000_000, "USD", Round::Undisclosed),
        ),
        // A total since a year whose named part is the news, the year
        // first: the part.
        (
            "Since 2015, Acme has raised $50 million, including a $25 million Series C that closed this week.",
            money(25_000_000, "USD", Round::SeriesC),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
    for s in [
        "La start-up espère récolter 5 millions d'euros d'ici juin.",
        "Acme veut lever 5 millions d'euros.",
        // Totals since a year, the year after the verb.
        "Acme has raised over $22 million in equity, debt and grants since 2015.",
        "A fintech Acme captou R$ 40 milhões desde 2019.",
        // ... and the year first.
        "Desde 2018, Acme ha captado 12 millones de euros.",
        "Seit 2016 hat Acme 30 Millionen Euro eingesammelt.",
        // The rounds of a past year as a review's subject.
        "The biggest fundraise of 2022 came from Acme, which raised £110m to expand.",
        "Other big fundraisers included Acme, that secured £84m on top of a debt facility.",
        // Companies of a kind as the subject.
        "Manchester tech companies raised a record £532 million of funding in 2022.",
        "As agtechs chinesas captaram US$ 5,7 bilhões em 2018.",
        // An investor as the subject.
        "Foo Capital, the climate-focused VC firm launched by Jane Doe, has raised $800 million in capital.",
    ] {
        none(s);
    }
}

#[test]
fn the_veto_rejects_look_alikes_the_rules_accept_and_keeps_plain_rounds() {
    let veto = FundingVeto::shipped();
    // Sentences of the held-out sets the rules took for rounds.
    for s in [
        "Climate tech seems immune to the venture capital chill, kicking off 2024 with a scorching $8.1 billion fundraising blitz.",
        "InBrain Neuroelectronics encabeza el ranking en captación de capital privado (20 M€), con la operación más grande registrada en la BioRegió en 2023.",
    ] {
        assert!(!rules(s, None).is_empty(), "the rules take it: {s}");
        assert!(
            extract_funding_text(s, None, None).is_empty(),
            "vetoed ({:.2}): {s}",
            veto.probability(s)
        );
    }
    for s in [
        "Acme raises $12 million Series A led by Foo Ventures",
        "La start-up Acme lève 5 millions d'euros auprès de Foo Capital.",
        "Acme sammelt 10 Millionen Euro in einer Series-A-Finanzierungsrunde ein.",
    ] {
        assert_eq!(
            extract_funding_text(s, None, None).len(),
            1,
            "kept ({:.2}): {s}",
            veto.probability(s)
        );
    }
    // A round whose stage the sentence names is left to the rules: a veto
    // that rejects everything rejects only the round without a stage.
    let reject_all = FundingVeto::from_json(
        r#"{"format": 1, "trained_on": "test", "threshold_rule": "test", "threshold": 0.99, "bias": -10.0, "weights": {}}"#,
    )
    .unwrap();
    let with = |s: &str| extract_funding_text_with(s, None, None, Some(&reject_all));
    let staged = with("Acme raises $12 million Series A led by Foo Ventures");
    assert_eq!(staged.len(), 1, "{staged:?}");
    assert_eq!(staged[0].round, Round::SeriesA);
    assert!(with("Acme raises $12 million from Foo Ventures").is_empty());
}

#[test]
fn plurals_that_are_no_subject_investors_and_money_flowing_plans_and_totals_so_far() {
    for (s, want) in [
        // Plural companies compared with, in a web address, after a
        // singular article: no aggregate.
        (
            "FintechOS raises $14M help banks launch products as fast as FinTech Startups",
            money(14_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Frankfurt-based #fintech Giroxx raises 900.000 Euro venture capital writes deutsche-startups.de",
            money(900_000, "EUR", Round::Undisclosed),
        ),
        (
            "La startups española Glovo cerró una ronda de financiación de 150 millones de euros.",
            money(150_000_000, "EUR", Round::Undisclosed),
        ),
        // Investors as the subject; money poured or flowing in.
        (
            "Atomico und Altinvestoren wie Balderton Capital investieren 100 Millionen US-Dollar in das Berliner Startup Infarm.",
            money(100_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Investors led by Foo Ventures are pouring $10 million into Acme.",
            money(10_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Das Handelsblatt vermeldet nun den Zufluss von 50 Millionen Franken.",
            money(50_000_000, "CHF", Round::Undisclosed),
        ),
        (
            "Monzo collecte 66 millions d’euros",
            money(66_000_000, "EUR", Round::Undisclosed),
        ),
        // A period before an auxiliary of another verb is no total.
        (
            "Acme, que hasta ahora se financiaba con recursos propios, ha cerrado una ronda de 5 millones de euros.",
            money(5_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Acme, que hasta ahora se financiaba sola, ha cerrado una ronda de 5 millones de euros.",
            money(5_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Acme, which until now has been bootstrapped, raised a $10 million Series A.",
            money(10_000_000, "USD", Round::SeriesA),
        ),
        (
            "Bislang hat sich Acme selbst finanziert, nun sammelt das Startup 5 Millionen Euro ein.",
            money(5_000_000, "EUR", Round::Undisclosed),
        ),
        // Aims and exclusions that are no round.
        (
            "Acme, das die Marktführerschaft anstrebt, sammelt 10 Millionen Euro ein.",
            money(10_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Acme, qui n'exclut pas de s'étendre aux États-Unis, lève 10 millions d'euros.",
            money(10_000_000, "EUR", Round::Undisclosed),
        ),
        // A year opening the sentence without a perfect dates no total.
        (
            "Seit 2020 am Markt, sammelt Acme nun 5 Mio. Euro ein.",
            money(5_000_000, "EUR", Round::Undisclosed),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
    for s in [
        // Compounds and counts of plural companies stay aggregates.
        "KI-Startups haben im ersten Quartal 500 Millionen Euro eingesammelt.",
        "More than 100 startups raised $2 billion in 2023.",
        // Rounds sought, expected or opened.
        "Erst in der vergangenen Woche wurde bekannt, dass Acme eine Finanzierungsrunde von über 200 Millionen Euro anstrebt.",
        "Acme strebt eine Finanzierungsrunde von 50 Millionen Euro an.",
        "Acme nähert sich dem Abschluss einer Series-C-Runde in Höhe von 178 Millionen Euro.",
        "The company plans a new seed funding round in the fourth quarter.",
        "L'entreprise devrait clore avant l'été une augmentation de capital de 5 millions d'euros.",
        "Acme est en passe de clôturer une levée de fonds de 250.000 euros.",
        "La direction n'exclut pas une nouvelle levée de fonds de 100 millions d'euros.",
        "La startup Acme ha abierto una ronda de financiación de cuatro millones de euros.",
        "A startup está com uma rodada de investimentos de R$ 2,5 milhões aberta.",
        // Totals so far or over a period.
        "Hasta ahora Acme ha levantado 38 millones de dólares de inversión.",
        "Innerhalb von zehn Jahren konnte Acme Kapital in Höhe von mehr als 125 Millionen US-Dollar einsammeln.",
        "Desde que surgiu, a Acme levantou US$ 16 milhões em três rodadas de capital.",
        "Nos últimos 12 meses a Acme recebeu mais de 300 milhões de dólares.",
    ] {
        none(s);
    }
}

/// Patterns added from the misses of held-out sets 15-21 (thirteenth
/// session): a pluperfect after a verb of reporting is the news itself.
#[test]
fn a_reported_pluperfect_is_news() {
    for (s, want) in [
        (
            "On Thursday, Barcelona-based Acme announced it had raised $160 million in a new funding round.",
            money(160_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Acme, a life sciences company, yesterday said it had completed a £900,000 funding round from new investors.",
            money(900_000, "GBP", Round::Undisclosed),
        ),
        (
            "MADRID (Reuters) - La empresa Acme anunció el miércoles que había cerrado una ronda de financiación de 180 millones de euros.",
            money(180_000_000, "EUR", Round::Undisclosed),
        ),
        (
            "Na quarta-feira, a Acme anunciou que tinha fechado uma ronda de investimento Série D no valor de 200 milhões de dólares.",
            money(200_000_000, "USD", Round::SeriesD),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
    // Without a verb of reporting the pluperfect stays background.
    none("Acme had raised $5 million from Foo Capital.");
}

#[test]
fn just_done_gathered_and_fetched_are_raises() {
    for (s, want) in [
        (
            "Acme vient de décrocher un financement de 27 millions de dollars pour construire des robots.",
            money(27_000_000, "USD", Round::Undisclosed),
        ),
        (
            "La start-up Acme a annoncé vendredi avoir amassé 200 millions $ auprès de Foo Capital.",
            money(200_000_000, "USD", Round::Undisclosed),
        ),
        (
            "Nun holte es sich weitere 18 Millionen Euro, wie Techcrunch berichtet.",
            money(18_000_000, "EUR", Round::Undisclosed),
        ),
        // A round's first close is no fund's.
        (
            "Acme said on Thursday that it has raised $7.5 million in the first close of a Series A2 financing round.",
            money(7_500_000, "USD", Round::SeriesA),
        ),
        // An acquisition the money is for is no acquisition told.
        (
            "Acme ha levantado este miércoles una ronda de 4,4 millones de euros con el objetivo de impulsar la adquisición de centros en España.",
            money(4_400_000, "EUR", Round::Undisclosed),
        ),
        // "Insgesamt" with one round named sums its tranches.
        (
            "So hat Acme in einer aktuellen Finanzierungsrunde insgesamt 5 Millionen Euro eingesammelt.",
            money(5_000_000, "EUR", Round::Undisclosed),
        ),
    ] {
        assert_eq!(amount(s), want, "{s}");
    }
}

/// Why the rules reject `s` (dated `published`), as `extract_sentence`
/// reports it; `None` when they take it for a round or no trigger is found.
fn rejected(s: &str, published: Option<NaiveDate>) -> Option<&'static str> {
    leadscore_news::funding::extract_sentence_with(s, None, None, published, None).rejected
}

#[test]
fn conditional_negotiated_and_planned_rounds_are_not_closed() {
    for s in [
        "La nueva startup Acme buscaría una financiación inicial récord de 2.000 millones de dólares.",
        "La startup Acme estaría en proceso de recaudar una ronda de 10.000 millones de dólares.",
        "La néo-banque Acme serait en pourparlers avec Foo Capital pour réaliser une levée de 50 millions d'euros.",
        "Le quotidien assure que Acme chercherait à lever 500 millions d'euros.",
        "Os investidores da Acme negociam uma nova rodada de investimentos de US$ 120 milhões.",
        "Acme, operación récord: el grupo ultima una ronda de alrededor de 500 millones de euros",
        "Acme está se aproximando de uma rodada de financiamento de US$ 6 bilhões.",
        "Dans un autre registre, Acme prépare un tour de table de 7 millions de dollars auprès de Foo.",
        "Han iniciado los trámites para una ampliación de capital en la que esperan captar entre 3 y 5 millones de euros.",
        "Para impulsar este crecimiento, Acme abrirá una ronda serie A de 2 millones de euros este mes.",
    ] {
        assert_eq!(rejected(s, None), Some("rumour"), "{s}");
    }
}

#[test]
fn funds_grants_and_totals_so_far_are_not_rounds() {
    for (s, why) in [
        // A fund named after an adjective; a Romance first close.
        (
            "Le fonds sénégalais Acme Capital a levé 3,4 millions USD pour financer son implantation en Mauritanie.",
            "vc_fund",
        ),
        (
            "El fondo de crecimiento Acme ha anunciado un primer cierre de 750 millones de euros.",
            "vc_fund",
        ),
        // German grant nouns after the amount.
        ("Acme aus Freiburg erhält 800.000 Euro Förderung.", "grant"),
        ("Acme erhält 800.000 € Förderung.", "grant"),
        (
            "Acme erhält 2,15 Millionen Euro an EU-Fördermitteln.",
            "grant",
        ),
        // Totals so far.
        (
            "Acme hat bislang mehr als 255 Millionen US-Dollar eingesammelt.",
            "aggregate",
        ),
        (
            "It has thus far pulled in more than $30 million in funding.",
            "aggregate",
        ),
        (
            "Acme, fundada en 2008, ha obtenido cerca de 15 millones de dólares en varias rondas de financiación.",
            "aggregate",
        ),
        (
            "Nacida en 2017, Acme lleva captados 520 millones de dólares en financiación.",
            "aggregate",
        ),
        // An ecosystem as the subject.
        (
            "Uganda's startup ecosystem has secured $30 million in venture capital.",
            "aggregate",
        ),
    ] {
        assert_eq!(rejected(s, None), Some(why), "{s}");
    }
}

#[test]
fn past_years_and_months_date_a_round_as_background() {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    for (s, published) in [
        (
            "A mediados de 2021, la compañía cerró una primera ronda de financiación de 200.000 euros.",
            date(2024, 11, 25),
        ),
        (
            "El pasado febrero, Acme cerró su primera ronda de financiación, en la que levantó 300.000 euros.",
            date(2022, 10, 27),
        ),
        (
            "Helping the startup grow was a $4.2 million series A capital raise last July led by Foo Ventures.",
            date(2017, 5, 1),
        ),
        // A year right after a raised amount.
        (
            "La start-up Acme a levé 3 millions d'euros en 2015 auprès de Foo Capital.",
            date(2020, 9, 1),
        ),
        // A year closing a sentence of one clause (a comma between digits
        // is no clause break).
        (
            "The company received $102 million in a series A round in 2017.",
            date(2019, 7, 10),
        ),
        (
            "The company received $1,500,000 in a seed round in 2017.",
            date(2021, 7, 10),
        ),
        // "Last year" opening a sentence, even undated.
        (
            "A principios del año pasado, Acme recibió una inversión de US$ 250 millones de Foo Capital.",
            None,
        ),
        (
            "Vergangenes Jahr erhielt das Start-up Acme eine Investition von 2 Millionen Euro.",
            None,
        ),
    ] {
        assert_eq!(rejected(s, published), Some("historical"), "{s}");
    }
    // The same year as the article's is the news.
    assert_eq!(
        rules(
            "The company received $102 million in a series A round in 2017.",
            date(2017, 7, 10)
        )
        .len(),
        1
    );
    // A closing year within a later clause dates that clause alone, and the
    // earlier amount is not the round's.
    let v = rules(
        "Acme closed its Series B round, which comes after a €6 million seed investment in 2023.",
        date(2026, 10, 1),
    );
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!((v[0].amount, v[0].round), (None, Round::SeriesB));
}

/// Rounds that look like the patterns above and must stay rounds (a
/// review's probes of 4d4d908, each of which that commit rejected).
#[test]
fn look_alikes_of_the_new_patterns_stay_rounds() {
    for s in [
        "Tras meses de negociaciones, Acme ha cerrado una ronda de 10 millones de euros.",
        "Après plusieurs mois de pourparlers, Acme a bouclé une levée de 10 millions d'euros.",
        "Após meses de negociações, a Acme captou R$ 10 milhões.",
        "Acme finaliza su ronda de 5 millones de euros con la entrada de Foo.",
        "Acme, ein Liebling der Startup-Szene, hat 10 Millionen Euro eingesammelt.",
        "Acme, una pyme clave del tejido empresarial gallego, ha captado 2 millones de euros.",
        "Ecosystem builder Acme has raised $5 million in seed funding.",
        "Acme, which grew fivefold throughout 2024, raised $20 million in a Series B.",
        "Acme raised $20 million from investors who backed it in several earlier rounds.",
        "Acme hat in der bisher größten Seed-Runde Europas 20 Millionen Euro eingesammelt.",
        "Acme has so far focused on Germany and now raised €5M.",
        "Acme a annoncé le premier closing de sa levée de fonds de série A, à 5 M€.",
        "Acme ha anunciado el primer cierre de su ronda de financiación serie A de 5 millones de euros.",
        "Acme vient d'obtenir 5 M€ auprès de Foo Capital.",
    ] {
        assert_eq!(rules(s, None).len(), 1, "{s}: {:?}", rejected(s, None));
    }
    // ... and look-alike negatives that must stay negatives.
    for s in [
        "Acme espera cerrar el año con una facturación de 5 millones de euros tras captar 2 millones.",
        "He said the company had raised $2 million from friends and family before launching.",
        "Nach der jüngsten Finanzierungsrunde hat Acme seit 2019 insgesamt 30 Millionen Euro eingesammelt.",
    ] {
        none(s);
    }
}
