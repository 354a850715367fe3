//! `leadscore report --html FILE`: one self-contained HTML page (inline CSS
//! and SVG, no script, no external asset) with the leaderboard, the fit ×
//! engagement matrix, the score distribution, every lead's explanation with
//! its evidence, and each account's technology, hiring and funding
//! highlights. Everything shown comes from the store; text from crawled
//! pages is escaped and only http(s) links become links.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use leadscore_core::ScoringModel;
use leadscore_core::domain::{Account, Domain, Lead};
use leadscore_core::rollup::AccountScore;
use leadscore_core::scoring::Contribution;
use leadscore_core::{Tier, domain::EnrichmentSnapshot};
use leadscore_enrich::Details;
use leadscore_store::{ScoreRecord, Store};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::output::signed;

/// `report` options.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Write the report to this file.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
    /// Scoring model whose thresholds the page shows (default: the shipped
    /// model).
    #[arg(long, env = "LEADSCORE_MODEL")]
    pub model: Option<PathBuf>,
    /// Page title.
    #[arg(long, default_value = "Which accounts to call today")]
    pub title: String,
}

/// Everything the page shows, read from the store.
#[derive(Debug)]
pub struct ReportData {
    /// Page title.
    pub title: String,
    /// When it was made.
    pub generated_at: DateTime<Utc>,
    /// The model for thresholds.
    pub model: ScoringModel,
    /// Current scores, highest first.
    pub scores: Vec<ScoreRecord>,
    /// Leads by email.
    pub leads: BTreeMap<String, Lead>,
    /// Accounts by domain.
    pub accounts: BTreeMap<Domain, Account>,
    /// Rolled-up account scores, highest first.
    pub account_scores: Vec<AccountScore>,
    /// Newest snapshot per account.
    pub snapshots: BTreeMap<Domain, EnrichmentSnapshot>,
}

impl ReportData {
    /// The model versions of the scores other than the page's model.
    pub fn other_models(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .scores
            .iter()
            .map(|r| &*r.score.model_version)
            .filter(|v| **v != *self.model.version)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Reads it all.
    pub async fn load(
        store: &dyn Store,
        model: ScoringModel,
        title: &str,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        let scores = store.list_scores(None).await?;
        let leads = store
            .list_leads()
            .await?
            .into_iter()
            .map(|l| (l.email.to_string(), l))
            .collect();
        let accounts: BTreeMap<Domain, Account> = store
            .list_accounts()
            .await?
            .into_iter()
            .map(|a| (a.domain.clone(), a))
            .collect();
        let mut snapshots = BTreeMap::new();
        for d in accounts.keys() {
            if let Some(s) = store.latest_snapshot(d).await? {
                snapshots.insert(d.clone(), s);
            }
        }
        Ok(Self {
            title: title.to_owned(),
            generated_at: now,
            model,
            scores,
            leads,
            accounts,
            account_scores: store.list_account_scores().await?,
            snapshots,
        })
    }
}

impl ReportData {
    /// Accounts whose latest enrichment fetched a page (one that fetched
    /// none is a failure, not an enrichment).
    pub fn enriched(&self) -> usize {
        self.snapshots
            .values()
            .filter(|s| fetched_a_page(&Details::of(s)))
            .count()
    }
}

/// Whether a snapshot's run fetched a page (a snapshot from before pages
/// were recorded counts as fetched).
fn fetched_a_page(details: &Details) -> bool {
    details.pages.is_empty() || details.pages.iter().any(|p| p.error.is_none())
}

/// `href` only for web links: a crawled page could hand us `javascript:`.
fn web_link(url: &str) -> Option<&str> {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

fn tier_class(t: Tier) -> &'static str {
    match t {
        Tier::Hot => "hot",
        Tier::Warm => "warm",
        Tier::Cold => "cold",
    }
}

/// The lead's display name, or the email of a lead not stored.
fn lead_name(lead: Option<&Lead>, email: &str) -> String {
    lead.map_or_else(|| email.to_owned(), Lead::display_name)
}

fn money(amount: Option<u64>, currency: Option<&str>) -> String {
    let Some(a) = amount else {
        return String::new();
    };
    let sym = match currency.unwrap_or("USD") {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        other => return format!("{other} {}", short_amount(a)),
    };
    format!("{sym}{}", short_amount(a))
}

fn short_amount(a: u64) -> String {
    let a = a as f64;
    if a >= 1e9 {
        format!("{:.1}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}K", a / 1e3)
    } else {
        format!("{a:.0}")
    }
}

const CSS: &str = r#"
:root{--hot:#d9480f;--warm:#e8a200;--cold:#4c6ef5;--ink:#1d232a;--muted:#68717a;--line:#e3e6ea;--bg:#f7f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#10151b;color:#fff;padding:20px 32px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;color:#aab3bc}
header p.warning{margin-top:8px;color:#ffd8a8}header p.warning code{color:#fff}
main{padding:24px 32px;max-width:1280px}section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 20px}
h2{font-size:17px;margin:0 0 12px}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:0 0 20px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 18px;min-width:130px}.card b{display:block;font-size:24px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.badge.hot{background:var(--hot)}.badge.warm{background:var(--warm)}.badge.cold{background:var(--cold)}
.bar{height:8px;background:var(--line);border-radius:4px;min-width:80px}.bar i{display:block;height:8px;border-radius:4px;background:var(--ink)}
tr.hot .bar i{background:var(--hot)}tr.warm .bar i{background:var(--warm)}tr.cold .bar i{background:var(--cold)}
.grid{display:grid;grid-template-columns:minmax(300px,420px) 1fr;gap:20px}
table.heatmap{width:auto}table.heatmap td,table.heatmap th{width:72px;height:52px;text-align:center;border:2px solid #fff}
table.heatmap td{font-size:16px;font-weight:600;border-radius:4px}table.heatmap th{text-transform:none;font-size:14px;color:var(--ink)}
table.heatmap th.corner{font-size:11px;color:var(--muted);width:90px}
.muted{color:var(--muted)}.chips span{display:inline-block;background:#eef1f4;border-radius:10px;padding:1px 8px;margin:0 4px 4px 0;font-size:12px}
details{border-top:1px solid var(--line);padding:8px 0}summary{cursor:pointer;font-weight:600}
td.pos{color:#2b8a3e}td.neg{color:#c92a2a}.accounts td{width:25%}
@media print{details{display:block}}
"#;

/// Renders the page.
pub fn render(data: &ReportData) -> String {
    let count = |t: Tier| data.scores.iter().filter(|r| r.tier == t).count();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("leadscore {}", env!("CARGO_PKG_VERSION")));
                title { (data.title) " — leadscore" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (data.title) }
                    p {
                        "Generated " (data.generated_at.format("%Y-%m-%d %H:%M UTC"))
                        " · model " code { (data.model.version) }
                        " · hot ≥ " (data.model.tiers.hot) ", warm ≥ " (data.model.tiers.warm)
                    }
                    @let others = data.other_models();
                    @if !others.is_empty() {
                        p.warning #model-mismatch {
                            "The scores were computed with another model ("
                            @for (i, v) in others.iter().enumerate() {
                                @if i > 0 { ", " }
                                code { (v) }
                            }
                            "): the thresholds above are this page's model's. Pass the model you score with (--model or LEADSCORE_MODEL)."
                        }
                    }
                }
                main {
                    div.cards #summary {
                        div.card { b { (data.scores.len()) } "leads scored" }
                        div.card { b style="color:var(--hot)" data-tier="hot" { (count(Tier::Hot)) } "hot" }
                        div.card { b style="color:var(--warm)" data-tier="warm" { (count(Tier::Warm)) } "warm" }
                        div.card { b style="color:var(--cold)" data-tier="cold" { (count(Tier::Cold)) } "cold" }
                        div.card { b { (data.accounts.len()) } "accounts" }
                        div.card { b { (data.enriched()) } "enriched" }
                    }
                    div.grid {
                        (matrix(data))
                        (distribution(data))
                    }
                    (leaderboard(data))
                    (accounts(data))
                    (explanations(data))
                }
            }
        }
    };
    // A direction override in a name or a scraped text would show it
    // reversed: the page's own text has none.
    page.into_string()
        .chars()
        .map(|c| {
            if leadscore_core::domain::is_bidi_control(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// A fit or an engagement in whole points, rounded down: 69.5 shows as 69,
/// as the grade it gives (70 is an A) says, not as 70.
pub(crate) fn whole(x: f64) -> String {
    format!("{}", x.floor() as i64)
}

fn leaderboard(data: &ReportData) -> Markup {
    html! {
        section #leaderboard {
            h2 { "Leaderboard" }
            @if data.scores.is_empty() {
                p.muted { "No scored leads yet: import leads and run `leadscore score` or `leadscore run`." }
            } @else {
                table {
                    thead { tr {
                        th { "#" } th { "Lead" } th { "Account" } th { "Score" } th {}
                        th { "Fit" } th { "Engagement" } th { "Tier" } th { "Grade" } th { "Top reason" }
                    } }
                    tbody {
                        @for (i, r) in data.scores.iter().enumerate() {
                            @let email = r.lead.to_string();
                            @let lead = data.leads.get(&email);
                            tr.(tier_class(r.tier)) data-lead=(email) {
                                td.num { (i + 1) }
                                td {
                                    a href=(format!("#lead-{}", i + 1)) { (lead_name(lead, &email)) }
                                    @if let Some(t) = lead.and_then(|l| l.title.as_deref()) {
                                        br; span.muted { (t) }
                                    }
                                }
                                td { @if let Some(a) = &r.account { a href=(format!("#account-{a}")) { (a) } } }
                                td.num.score { (format!("{:.1}", r.score.total)) }
                                td { div.bar { i style=(format!("width:{:.0}%", r.score.total.clamp(0.0, 100.0))) {} } }
                                td.num { (whole(r.score.fit)) }
                                td.num { (whole(r.score.engagement)) }
                                td { span.badge.(tier_class(r.tier)) { (r.tier) } }
                                td { (r.score.grade) }
                                td.muted {
                                    @if let Some(c) = r.score.top_reasons(1).first() {
                                        (c.label) " (" (signed(c.points)) ")"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn matrix(data: &ReportData) -> Markup {
    let mut counts = [[0usize; 4]; 4];
    let mut disqualified = 0;
    for r in &data.scores {
        // A disqualified lead keeps the grade it would have had, but is no
        // one to call: not counted.
        if r.score.disqualified_by.is_some() {
            disqualified += 1;
            continue;
        }
        let f = (r.score.grade.fit as u8).saturating_sub(b'A').min(3) as usize;
        let e = r.score.grade.engagement.clamp(1, 4) as usize - 1;
        counts[f][e] += 1;
    }
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    html! {
        section #matrix {
            h2 { "Fit × engagement" }
            p.muted {
                "Leads per grade: fit A (best) to D, engagement 1 (most engaged) to 4. Call A1 first."
                @if disqualified > 0 { " Not counted: " (disqualified) " disqualified lead(s)." }
            }
            table.heatmap {
                thead { tr { th.corner { "fit ↓ engagement →" } @for e in 1..=4 { th { (e) } } } }
                tbody {
                    @for (f, row) in counts.iter().enumerate() {
                        @let letter = (b'A' + f as u8) as char;
                        tr {
                            th { (letter) }
                            @for (e, n) in row.iter().enumerate() {
                                @let alpha = 0.08 + 0.87 * (*n as f64 / max as f64);
                                td data-grade=(format!("{letter}{}", e + 1)) data-count=(n)
                                    style=(format!("background:rgba(217,72,15,{alpha:.2});color:{}", if alpha > 0.5 { "#fff" } else { "#1d232a" }))
                                    title=(format!("{letter}{}: {n} lead(s)", e + 1)) { (n) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn distribution(data: &ReportData) -> Markup {
    let mut bins = [0usize; 10];
    for r in &data.scores {
        let b = ((r.score.total / 10.0).floor().clamp(0.0, 9.0)) as usize;
        bins[b] += 1;
    }
    let max = bins.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, pad) = (520.0, 200.0, 28.0);
    let bw = (w - pad) / 10.0;
    let x_of = |score: f64| pad + score / 100.0 * (w - pad);
    html! {
        section #distribution {
            h2 { "Score distribution" }
            svg xmlns="http://www.w3.org/2000/svg" width=(w) height=(h + 24.0) viewBox=(format!("0 0 {w} {}", h + 24.0)) role="img" aria-label="Histogram of lead scores" {
                @for (i, n) in bins.iter().enumerate() {
                    @let bh = (h - 30.0) * (*n as f64) / (max as f64);
                    @let lo = i as f64 * 10.0;
                    @let fill = if lo >= data.model.tiers.hot { "#d9480f" } else if lo + 10.0 > data.model.tiers.warm { "#e8a200" } else { "#4c6ef5" };
                    rect.bin x=(format!("{:.1}", pad + i as f64 * bw + 2.0)) y=(format!("{:.1}", h - bh)) width=(format!("{:.1}", bw - 4.0)) height=(format!("{bh:.1}")) fill=(fill) data-count=(n) {
                        title { (format!("{lo:.0}–{:.0}: {n} lead(s)", lo + 10.0)) }
                    }
                    @if *n > 0 {
                        text x=(format!("{:.1}", pad + i as f64 * bw + bw / 2.0)) y=(format!("{:.1}", h - bh - 3.0)) font-size="11" text-anchor="middle" { (n) }
                    }
                    text x=(format!("{:.1}", pad + i as f64 * bw)) y=(h + 16.0) font-size="11" fill="#68717a" { (format!("{lo:.0}")) }
                }
                @for (label, t) in [("hot", data.model.tiers.hot), ("warm", data.model.tiers.warm)] {
                    line x1=(format!("{:.1}", x_of(t))) x2=(format!("{:.1}", x_of(t))) y1="0" y2=(h) stroke="#1d232a" stroke-dasharray="4 3" {}
                    text x=(format!("{:.1}", x_of(t) + 3.0)) y="12" font-size="11" { (label) " " (t) }
                }
                line x1=(pad) x2=(w) y1=(h) y2=(h) stroke="#adb5bd" {}
            }
        }
    }
}

fn accounts(data: &ReportData) -> Markup {
    let mut order: Vec<&Domain> = data.account_scores.iter().map(|s| &s.domain).collect();
    for d in data.accounts.keys() {
        if !order.contains(&d) {
            order.push(d);
        }
    }
    let rollup: BTreeMap<&Domain, &AccountScore> =
        data.account_scores.iter().map(|s| (&s.domain, s)).collect();
    html! {
        section #accounts {
            h2 { "Accounts" }
            table.accounts {
                thead { tr { th { "Account" } th { "Technology" } th { "Hiring" } th { "Funding and news" } } }
                tbody {
                    @for d in order {
                        @let snapshot = data.snapshots.get(d);
                        @let details = snapshot.map(Details::of).unwrap_or_default();
                        tr #(format!("account-{d}")) data-account=(d) {
                            td {
                                b { (data.accounts.get(d).and_then(|a| a.name.clone()).unwrap_or_else(|| d.to_string())) }
                                br; span.muted { (d) }
                                @if let Some(s) = rollup.get(d) {
                                    br; span.badge.(tier_class(s.tier)) { (s.tier) " " (format!("{:.1}", s.total)) }
                                    " " span.muted { (s.leads) " lead(s), " (s.engaged_leads) " engaged" }
                                }
                                br; span.muted {
                                    @match snapshot {
                                        Some(s) if !fetched_a_page(&details) => { "no page could be fetched " (s.enriched_at.format("%Y-%m-%d")) }
                                        Some(s) => { "enriched " (s.enriched_at.format("%Y-%m-%d")) }
                                        None => { "not enriched yet" }
                                    }
                                }
                            }
                            td.chips.tech {
                                @for t in &details.technologies {
                                    span title=(t.categories.join(", ")) { (t.name) }
                                }
                                @if details.technologies.is_empty() && snapshot.is_some() { span.muted { "none detected" } }
                                @for c in &details.changes {
                                    br; span.muted { (if c.installed { "+ installed " } else { "− removed " }) (c.technology) }
                                }
                            }
                            td.hiring {
                                @if let Some(h) = &details.hiring {
                                    @for b in &h.boards {
                                        div {
                                            (b.ats) " "
                                            @if b.token.is_empty() { span.muted { "(the site's own pages)" } } @else { code { (b.token) } }
                                            ": " (b.roles) " posting(s) listed"
                                            @if let Some(e) = &b.error { " — " span.muted { (e) } }
                                        }
                                    }
                                    @if let Some(s) = &h.summary {
                                        @let get = |k: &str| s.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
                                        div.muted { (get("open_roles")) " open role(s) counted: " (get("sales_roles")) " sales, " (get("growth_marketing_roles")) " growth/marketing, " (get("leadership_roles")) " leadership; " (get("new_last_30_days")) " new in 30 days" }
                                    }
                                    @for role in h.roles.iter().take(6) {
                                        @let title = role.get("title").and_then(serde_json::Value::as_str).unwrap_or("");
                                        @let url = role.get("url").and_then(serde_json::Value::as_str).and_then(web_link);
                                        div { @match url { Some(u) => a href=(u) { (title) }, None => (title) } }
                                    }
                                    @if h.roles.len() + h.roles_omitted > 6 { div.muted { "… " (h.roles.len() + h.roles_omitted - 6) " more" } }
                                } @else {
                                    span.muted { "no job board found" }
                                }
                            }
                            td.news {
                                @if let Some(n) = &details.news {
                                    @for f in n.funding.iter().take(3) {
                                        div.funding {
                                            b { (f.round) } " " (money(f.amount, f.currency.as_deref()))
                                            @if let Some(d) = f.announced_on { " · " (d) }
                                            @if !f.lead_investors.is_empty() { " · led by " (f.lead_investors.join(", ")) }
                                            br; span.muted { (f.headline) }
                                        }
                                    }
                                    @for e in n.events.iter().filter(|e| e.signal_name() != "news.press_mention").take(3) {
                                        @let ev = e.evidence();
                                        div.event {
                                            b { (e.signal_name().trim_start_matches("news.").replace('_', " ")) }
                                            @if let Some(d) = ev.date { " · " (d) }
                                            br;
                                            @match ev.url.as_deref().and_then(web_link) {
                                                Some(u) => a.muted href=(u) { (ev.text) },
                                                None => span.muted { (ev.text) },
                                            }
                                        }
                                    }
                                    @if n.funding.is_empty() && n.events.iter().all(|e| e.signal_name() == "news.press_mention") {
                                        span.muted { (n.items) " item(s) read, no funding or events" }
                                    }
                                } @else {
                                    span.muted { "no press page or feed" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn contribution_row(c: &Contribution) -> Markup {
    html! {
        tr {
            td.num.(if c.points >= 0.0 { "pos" } else { "neg" }) { (signed(c.points)) }
            td {
                (c.label)
                @if c.capped { " " span.muted { "(capped from " (signed(c.uncapped_points())) ")" } }
                br; span.muted { (c.evidence) }
            }
            td.num.muted { (signed(c.raw_points)) @if c.decay < 0.999 { br; "× " (format!("{:.2}", c.decay)) " decay" } }
            td.muted {
                @if let Some(at) = c.observed_at { (at.format("%Y-%m-%d")) br; }
                @if let Some(u) = c.source_url.as_deref().and_then(web_link) { a href=(u) { "source" } }
            }
        }
    }
}

fn explanations(data: &ReportData) -> Markup {
    html! {
        section #explanations {
            h2 { "Why each lead scores what it does" }
            @for (i, r) in data.scores.iter().enumerate() {
                @let email = r.lead.to_string();
                @let lead = data.leads.get(&email);
                details #(format!("lead-{}", i + 1)) open[r.tier == Tier::Hot] data-lead=(email) {
                    summary {
                        span.badge.(tier_class(r.tier)) { (r.tier) } " "
                        (lead_name(lead, &email)) " · " (format!("{:.1}", r.score.total)) " · " (r.score.grade)
                        span.muted { " — fit " (format!("{:.1}", r.score.fit)) ", engagement " (format!("{:.1}", r.score.engagement)) }
                        @if let Some(c) = r.score.disqualifier() {
                            " · " strong { "disqualified: " (c.label.as_str()) }
                        }
                    }
                    p.muted {
                        a href=(r.lead.mailto()) { (email) }
                        @if let Some(t) = lead.and_then(|l| l.title.as_deref()) { " · " (t) }
                        @if let Some(a) = &r.account { " · " a href=(format!("#account-{a}")) { (a) } }
                        " · scored " (r.score.scored_at.format("%Y-%m-%d %H:%M"))
                    }
                    table {
                        thead { tr { th { "Points" } th { "Rule and evidence" } th { "Raw" } th { "Observed" } } }
                        tbody { @for c in &r.score.contributions { (contribution_row(c)) } }
                    }
                }
            }
        }
    }
}

/// Runs `report`.
pub async fn main(store: &dyn Store, args: &ReportArgs, now: DateTime<Utc>) -> Result<()> {
    let model = crate::load_model(args.model.as_deref())?;
    let data = ReportData::load(store, model, &args.title, now).await?;
    write(&data, &args.html)?;
    eprintln!(
        "wrote {} ({} leads, {} accounts)",
        args.html.display(),
        data.scores.len(),
        data.accounts.len()
    );
    let others = data.other_models();
    if !others.is_empty() {
        let named = match others.len() {
            n if n > 3 => format!("{} and {} more", others[..3].join(", "), n - 3),
            _ => others.join(", "),
        };
        eprintln!(
            "warning: the scores were computed with another model ({named}) than the page's {}: its thresholds are not theirs; pass the model you score with (--model or LEADSCORE_MODEL)",
            data.model.version
        );
    }
    Ok(())
}

/// Writes the page to `path`.
pub fn write(data: &ReportData, path: &std::path::Path) -> Result<()> {
    std::fs::write(path, render(data)).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fit or an engagement shows the whole points it has: 69.5 is not
    /// shown as the 70 an A needs.
    #[test]
    fn whole_points_round_down() {
        assert_eq!(whole(69.5), "69");
        assert_eq!(whole(69.99), "69");
        assert_eq!(whole(70.0), "70");
        assert_eq!(whole(0.0), "0");
        assert_eq!(whole(100.0), "100");
    }

    /// An account whose last run fetched no page is not counted enriched.
    #[test]
    fn a_snapshot_without_a_page_fetched_is_no_enrichment() {
        let page = |error: Option<&str>| serde_json::json!({"url": "https://acme.test/", "kind": "homepage", "error": error});
        let details = |pages: serde_json::Value| -> Details {
            serde_json::from_value(serde_json::json!({ "pages": pages })).unwrap()
        };
        assert!(!fetched_a_page(&details(serde_json::json!([
            page(Some("connect: refused")),
            page(Some("robots_unavailable"))
        ]))));
        assert!(fetched_a_page(&details(serde_json::json!([
            page(Some("connect: refused")),
            page(None)
        ]))));
        // Written before pages were recorded: counted as before.
        assert!(fetched_a_page(&details(serde_json::json!([]))));
    }

    #[test]
    fn only_web_links_become_links() {
        assert_eq!(web_link("https://a.example/x"), Some("https://a.example/x"));
        assert_eq!(web_link("javascript:alert(1)"), None);
        assert_eq!(web_link(" JavaScript:alert(1)"), None);
        assert_eq!(web_link("data:text/html,hi"), None);
    }

    #[test]
    fn amounts_read_like_headlines() {
        assert_eq!(money(Some(25_000_000), Some("USD")), "$25.0M");
        assert_eq!(money(Some(1_200_000_000), Some("EUR")), "€1.2B");
        assert_eq!(money(Some(800_000), Some("CHF")), "CHF 800K");
        assert_eq!(money(None, Some("USD")), "");
    }
}
