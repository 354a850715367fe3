//! Human and JSON output of the CLI.

use std::collections::HashMap;
use std::io::Write;

use leadscore_core::domain::{Email, Lead, is_bidi_control};
use leadscore_core::scoring::Contribution;
use leadscore_store::ScoreRecord;
use serde::Serialize;

/// Each lead's name and title, by email, for the rows of the scored leads
/// (a score record holds neither).
#[derive(Debug, Default)]
pub struct LeadNames(HashMap<Email, (Option<String>, Option<String>)>);

impl LeadNames {
    /// The names and titles of `leads`.
    pub fn of(leads: Vec<Lead>) -> Self {
        Self(
            leads
                .into_iter()
                .map(|l| {
                    let name =
                        (l.first_name.is_some() || l.last_name.is_some()).then(|| l.display_name());
                    (l.email, (name, l.title))
                })
                .collect(),
        )
    }

    /// The names and titles of the leads of `records` ([`Store::get_leads`]:
    /// a short list of a large store does not read every lead). None, with
    /// a warning, when they cannot be read: the scores are listed all the
    /// same (`score` has written them by then).
    ///
    /// [`Store::get_leads`]: leadscore_store::Store::get_leads
    pub async fn load(store: &dyn leadscore_store::Store, records: &[ScoreRecord]) -> Self {
        let emails: Vec<Email> = records.iter().map(|r| r.lead.clone()).collect();
        match store.get_leads(&emails).await {
            Ok(leads) => Self::of(leads),
            Err(e) => {
                eprintln!("warning: the leads' names and titles could not be read: {e}");
                Self::default()
            }
        }
    }

    /// The lead's name (first and last), when known.
    pub fn name(&self, email: &Email) -> Option<&str> {
        self.0.get(email).and_then(|(n, _)| n.as_deref())
    }

    /// The lead's job title, when known.
    pub fn title(&self, email: &Email) -> Option<&str> {
        self.0.get(email).and_then(|(_, t)| t.as_deref())
    }

    /// `Name, Title`, either alone, or empty; a long name is cut so that
    /// the title shows too.
    fn who(&self, email: &Email) -> String {
        match (self.name(email), self.title(email)) {
            (Some(n), Some(t)) => format!("{}, {t}", truncate(n, 24)),
            (Some(x), None) | (None, Some(x)) => x.to_owned(),
            (None, None) => String::new(),
        }
    }
}

/// One lead in `score --json` and `leads --json`.
#[derive(Debug, Serialize)]
pub struct LeadRowJson<'a> {
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    account: Option<&'a str>,
    total: f64,
    fit: f64,
    engagement: f64,
    tier: leadscore_core::Tier,
    grade: String,
    top_reasons: Vec<&'a str>,
    model_version: &'a str,
    scored_at: chrono::DateTime<chrono::Utc>,
}

impl<'a> LeadRowJson<'a> {
    /// The row of `r`, with its lead's name and title from `names`.
    pub fn new(r: &'a ScoreRecord, names: &'a LeadNames) -> Self {
        let reasons = r.score.ranked_reasons();
        Self {
            email: r.lead.as_str(),
            name: names.name(&r.lead),
            title: names.title(&r.lead),
            account: r.account.as_ref().map(|d| d.as_str()),
            total: r.score.total,
            fit: r.score.fit,
            engagement: r.score.engagement,
            tier: r.tier,
            grade: r.score.grade.to_string(),
            top_reasons: reasons.iter().take(3).map(|c| &*c.label).collect(),
            model_version: &r.score.model_version,
            scored_at: r.score.scored_at,
        }
    }
}

/// Pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Prints one value as one compact JSON line on stdout.
pub fn print_json_line<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// `s` in at most `max` terminal columns, cut with `…` (a wide character
/// takes two; a combining one none, and stays with its letter).
fn truncate(s: &str, max: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= max {
        return s.to_owned();
    }
    let mut t = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max.saturating_sub(1) {
            break;
        }
        used += w;
        t.push(c);
    }
    t.push('…');
    t
}

/// The terminal columns `s` takes.
fn columns(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Points with their sign and one decimal: `+12.0`, `-15.0`.
pub fn signed(points: f64) -> String {
    if points >= 0.0 {
        format!("+{points:.1}")
    } else {
        format!("{points:.1}")
    }
}

/// The rows of `records` as JSON, with their leads' names and titles.
pub fn print_json_rows(records: &[ScoreRecord], names: &LeadNames) -> anyhow::Result<()> {
    print_json(
        &records
            .iter()
            .map(|r| LeadRowJson::new(r, names))
            .collect::<Vec<_>>(),
    )
}

/// The leaderboard table; a column of names and titles when any lead has
/// one.
pub fn print_table(records: &[ScoreRecord], names: &LeadNames) {
    let who: Vec<String> = records.iter().map(|r| names.who(&r.lead)).collect();
    let with_names = who.iter().any(|w| !w.is_empty());
    let rows: Vec<Vec<String>> = records
        .iter()
        .zip(&who)
        .map(|(r, who)| {
            let top = r
                .score
                .top_reasons(1)
                .first()
                .map(|c| format!("{} ({})", c.label, signed(c.points)))
                .unwrap_or_default();
            let mut row = vec![r.lead.to_string()];
            if with_names {
                row.push(truncate(who, 40));
            }
            row.extend([
                r.account
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                format!("{:.1}", r.score.total),
                r.tier.to_string(),
                r.score.grade.to_string(),
                format!(
                    "{}/{}",
                    crate::report::whole(r.score.fit),
                    crate::report::whole(r.score.engagement)
                ),
                truncate(&top, 48),
            ]);
            row
        })
        .collect();
    // Each cell as the terminal shows it, so that its columns are counted
    // as shown.
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| term(c).into_owned()).collect())
        .collect();
    let mut header = vec!["EMAIL"];
    if with_names {
        header.push("NAME, TITLE");
    }
    header.extend(["ACCOUNT", "SCORE", "TIER", "GRADE", "FIT/ENG", "TOP REASON"]);
    // The score column is right-aligned.
    let score_column = header.iter().position(|h| *h == "SCORE");
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(columns(cell));
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, &w)) in cells.iter().zip(&widths).enumerate() {
            // Padded by columns, not characters: a name in CJK or with
            // combining accents keeps the columns after it in line.
            let pad = " ".repeat(w.saturating_sub(columns(cell)));
            if Some(i) == score_column {
                s.push_str(&pad);
                s.push_str(cell);
                s.push_str("  ");
            } else if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&pad);
                s.push_str("  ");
            }
        }
        s.trim_end().to_owned()
    };
    println!(
        "{}",
        line(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())
    );
    for row in &rows {
        println!("{}", term(&line(row)));
    }
}

/// `s` safe for a terminal: a tab or a line break is a space; other
/// control characters (escape sequences that could retitle the window,
/// hide text or plant a hyperlink, from a scraped job title or headline)
/// and direction overrides and isolates (which would show a name reversed)
/// are shown as `�`.
pub fn term(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        s.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if c.is_control() || is_bidi_control(c) => '\u{FFFD}',
                c => c,
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// The breakdown of one lead's score.
pub fn print_explanation(
    lead: &Lead,
    record: &ScoreRecord,
    history: &[ScoreRecord],
    model: Option<&leadscore_core::ScoringModel>,
) {
    let s = &record.score;
    if lead.first_name.is_some() || lead.last_name.is_some() {
        println!("{} <{}>", term(&lead.display_name()), lead.email);
    } else {
        println!("{}", lead.email);
    }
    if let Some(t) = &lead.title {
        let extra: Vec<&str> = [
            lead.seniority.map(|x| x.as_str()),
            lead.department.map(|x| x.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if extra.is_empty() {
            println!("  title:   {}", term(t));
        } else {
            println!("  title:   {} ({})", term(t), extra.join(", "));
        }
    }
    if let Some(a) = &lead.account {
        println!("  account: {a}");
    }
    println!(
        "  score:   {:.1} {} (grade {}; fit {:.1}, engagement {:.1})",
        s.total, record.tier, s.grade, s.fit, s.engagement
    );
    println!(
        "  model:   {} at {}",
        s.model_version,
        s.scored_at.format("%Y-%m-%d %H:%M UTC")
    );
    let disqualifier = s.disqualifier();
    if let Some(c) = disqualifier {
        println!(
            "  disqualified: {} ({}): the total is 0 whatever else it scores",
            term(&c.label),
            term(&c.evidence.to_string())
        );
    }
    for (cat, name) in [
        (leadscore_core::Category::Fit, "fit"),
        (leadscore_core::Category::Engagement, "engagement"),
    ] {
        let items: Vec<&Contribution> = s
            .contributions
            .iter()
            .filter(|c| c.category == cat)
            .collect();
        // How the points make the half's score: their sum over the model's
        // scale, as a percentage, never below 0 nor above 100.
        let sum: f64 = items.iter().map(|c| c.points).sum();
        let half = if cat == leadscore_core::Category::Fit {
            s.fit
        } else {
            s.engagement
        };
        let scale = model.map(|m| {
            if cat == leadscore_core::Category::Fit {
                m.scale.fit_max
            } else {
                m.scale.engagement_max
            }
        });
        let bound = if sum < 0.0 {
            " (a half is never below 0: points under 0 count as 0)"
        } else if scale.is_some_and(|m| sum > m) {
            " (at most 100)"
        } else {
            ""
        };
        match scale {
            Some(m) => println!(
                "\n  {name}: {} points of {m} → {half:.1}{bound}",
                signed(sum)
            ),
            None => println!("\n  {name}: {} points → {half:.1}{bound}", signed(sum)),
        }
        if items.is_empty() {
            println!("    (no rule matched)");
        }
        for c in items {
            let mut notes = Vec::new();
            // A factor that shows as ×1.00 says nothing.
            if c.decay < 0.995 {
                notes.push(format!(
                    "decayed ×{:.2} from {}",
                    c.decay,
                    signed(c.raw_points)
                ));
            }
            if c.capped {
                // What the rule's or its group's cap cut the points from.
                let rule = model.and_then(|m| m.rules().iter().find(|r| r.id == c.rule));
                let by = match rule {
                    Some(r) if r.cap.is_some_and(|cap| (cap - c.points.abs()).abs() < 1e-9) => {
                        " by the rule's cap".to_owned()
                    }
                    Some(r) => r
                        .group
                        .and_then(|g| model.and_then(|m| m.groups.get(g)))
                        .map(|g| format!(" by group `{}`'s cap", g.name))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                notes.push(format!("capped{by} from {}", signed(c.uncapped_points())));
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", notes.join(", "))
            };
            println!("    {:>6}  {}{notes}", signed(c.points), term(&c.label));
            println!("            {}", term(&c.evidence.to_string()));
            if let Some(u) = &c.source_url {
                println!("            {}", term(u));
            }
        }
    }
    match model {
        Some(_) if disqualifier.is_some() => {
            println!("\n  total: 0.0 (disqualified)");
        }
        Some(m) => println!(
            "\n  total: {:.2} × fit {:.1} + {:.2} × engagement {:.1} = {:.1}",
            m.weights.fit, s.fit, m.weights.engagement, s.engagement, s.total
        ),
        None => println!(
            "\n  (the points' scale and the total's weights are the model's: give `--model FILE` of {} to see them)",
            s.model_version
        ),
    }
    if history.len() > 1 {
        println!("\n  history:");
        for r in history {
            println!(
                "    v{:<3} {:>5.1} {:<4}  {}",
                r.version,
                r.score.total,
                r.tier,
                r.score.scored_at.format("%Y-%m-%d %H:%M")
            );
        }
    }
}

/// Pending alerts.
pub fn print_alerts(alerts: &[leadscore_store::PendingAlert]) {
    if alerts.is_empty() {
        println!("no pending alerts");
        return;
    }
    for p in alerts {
        let a = &p.alert;
        println!(
            "{}  {:<15} {} ({}) {:.1} {} {}  [{}]",
            a.created_at.format("%Y-%m-%d %H:%M"),
            a.kind.detail_type(),
            term(&a.lead_name),
            a.lead,
            a.score,
            a.tier,
            a.grade,
            a.id
        );
        if let Some(e) = &p.last_error {
            println!(
                "    failed {} time(s); last: {}",
                p.attempts,
                term(&truncate(e, 300))
            );
        }
    }
}
