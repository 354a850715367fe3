//! Other company events in news items: layoffs, acquisitions (acquirer or
//! acquired), leadership hires, product launches, and the press mention
//! that every item is.

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

use crate::article::Article;
use crate::money::{Money, find_money};
use crate::text::{cap_sentence, normalize, resolve_relative_date, sentences};

/// Where an event was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEvidence {
    /// The sentence or headline.
    pub text: String,
    /// The item's link.
    pub url: Option<String>,
    /// The event's date (a relative date resolved against the publication
    /// date, else the publication date).
    pub date: Option<NaiveDate>,
}

/// The company's side of an acquisition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcquisitionRole {
    /// "X acquires Y", "X übernimmt Y".
    Acquirer,
    /// "Y is acquired by X", "Y wird von X übernommen".
    Acquired,
    /// Not clear from the sentence.
    Unknown,
}

/// A company event with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CompanyEvent {
    /// Layoffs or a restructuring with job cuts.
    Layoffs {
        /// People affected, when stated.
        headcount: Option<u32>,
        /// Share of the workforce in percent, when stated.
        share_percent: Option<f32>,
        /// Where it was read.
        evidence: EventEvidence,
    },
    /// An acquisition.
    Acquisition {
        /// Which side the subject of the sentence is on.
        role: AcquisitionRole,
        /// The price, when stated.
        price: Option<Money>,
        /// Where it was read.
        evidence: EventEvidence,
    },
    /// A new executive.
    LeadershipHire {
        /// The title named ("Chief Revenue Officer", "CEO", "VP Sales").
        title: String,
        /// Where it was read.
        evidence: EventEvidence,
    },
    /// A product launch.
    ProductLaunch {
        /// Where it was read.
        evidence: EventEvidence,
    },
    /// The item itself: the company was in the news.
    PressMention {
        /// The headline.
        evidence: EventEvidence,
    },
}

impl CompanyEvent {
    /// The signal name the event feeds (`docs/signals.md`).
    pub fn signal_name(&self) -> &'static str {
        match self {
            CompanyEvent::Layoffs { .. } => "news.layoffs",
            CompanyEvent::Acquisition { .. } => "news.acquisition",
            CompanyEvent::LeadershipHire { .. } => "news.leadership_hire",
            CompanyEvent::ProductLaunch { .. } => "news.product_launch",
            CompanyEvent::PressMention { .. } => "news.press_mention",
        }
    }

    /// The evidence.
    pub fn evidence(&self) -> &EventEvidence {
        match self {
            CompanyEvent::Layoffs { evidence, .. }
            | CompanyEvent::Acquisition { evidence, .. }
            | CompanyEvent::LeadershipHire { evidence, .. }
            | CompanyEvent::ProductLaunch { evidence }
            | CompanyEvent::PressMention { evidence } => evidence,
        }
    }
}

fn re(p: &str) -> Regex {
    Regex::new(p).expect("valid event pattern")
}

static LAYOFFS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:laid\ off|lay(?:s|ing)?\ off|layoffs?|job\ cuts|cut(?:s|ting)?\ (?:\d[\d,]*\ |about\ |around\ )?(?:jobs|roles|positions|staff)|redundancies|reduction\ in\ force|reduc(?:e|es|ed|ing)\ (?:its\ )?(?:workforce|headcount|staff)
        |stellenabbau|entlässt|entlassungen|streicht\ .{0,25}stellen|baut\ .{0,25}stellen\ ab|licenciements?|licencie|plan\ social|plan\ de\ restructuration|suppressions?\ de\ postes
        |despidos?|despide|despedirá|ere\b|demissões|demite|demitiu|cortes?\ de\ (?:empleos?|empregos?|plantilla))",
    )
});
/// Writing about layoffs, not reporting one: advice, guides and questions
/// (an HR or payroll vendor's blog: "5 ways to handle layoffs with
/// empathy"), and cuts avoided. Verbs such as survive or handle count only
/// with the layoff word as their object ("to survive the downturn" is said
/// of real cuts too), and "wie Sie" only opening the sentence.
static LAYOFF_ADVICE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:how\ to|ways\ to|tips|guide|what\ to\ do|checklist|best\ practices
        |(?:surviv(?:e|ing|al\ of)|navigat(?:e|ing)|handl(?:e|ing)|cop(?:e|ing)\ with|lessons\ from|avoid(?:s|ed|ing)?|prevent(?:s|ed|ing)?|without)\ (?:the\ |your\ |a\ |any\ |further\ |more\ )?(?:layoffs?|job\ cuts|redundancies)
        |tipps|ratgeber|(?:entlassungen|stellenabbau)\ (?:zu\ )?vermeiden|vermeidet\ (?:entlassungen|stellenabbau)
        |comment\ (?:gérer|éviter|survivre)|conseils|éviter\ (?:les\ |des\ )?licenciements
        |cómo|consejos|evitar\ (?:los\ )?despidos|dicas|evitar\ demissões)\b|\?\s*$|^\W*wie\ sie\b",
    )
});
static HEADCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?P<n>\d[\d.,]*)\s+(?:people|employees|staff|workers|jobs|positions|roles|mitarbeitende|mitarbeiter(?:innen)?|beschäftigte|stellen|postes|salariés|emplois|empleados|trabajadores|empleos|funcionários|empregados)",
    )
});
static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?P<p>\d{1,2}(?:[.,]\d+)?)\s?(?:%|percent|per\ cent|prozent|pour\ cent|por\ ciento|por\ cento)",
    )
});
static ACQUIRED_BY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:(?:is|was|has\ been|to\ be|will\ be|agreed\ to\ be|gets)\ (?:being\ )?(?:acquired|bought)\ by|sells\ itself\ to|sold\ to|wird\ von\ .{1,60}\ übernommen|wurde\ von\ .{1,60}\ übernommen|geht\ an|rachetée?\ par|acquise?\ par|rejoint\ le\ groupe|adquirida\ por|adquirido\ por|comprada\ por|comprado\ por|vendida\ a|vendida\ para|ist\ jetzt\ teil|ist\ nun\ teil|now\ part\ of|joins\ forces\ with)\b",
    )
});
static ACQUIRES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:acquires|acquired|to\ acquire|has\ acquired|completes?\ (?:the\ )?acquisition|buys|bought|agreed\ to\ buy|übernimmt|hat\ .{1,60}\ übernommen|kauft|rachète|a\ racheté|acquiert|a\ acquis|adquiere|adquirió|compra|compró|adquire|adquiriu|comprou|acquisition\ of)\b",
    )
});
static HIRE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:appoints?|appointed|appointment\ of|names?|named|hires?|hired|welcomes?|promotes?|promoted|joins?\ as|joined\ as|has\ joined|taps|ernennt|ernannt|beruft|berufen|holt|nomme|nommé|nommée|nomination|recrute|nombra|nombrado|nombrada|ficha|nomeia|nomeado|nomeada|contrata|anuncia\ .{0,20}\ como)\b",
    )
});
static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?x)\b(?P<t>Chief\ [A-Z][a-z]+(?:\ [A-Z][a-z]+)?\ Officer|C[EFTORM]O|CISO|CPO|CHRO|President|(?:Senior\ |Executive\ )?Vice\ President(?:\ of)?(?:\ [A-Z][a-z]+)?|(?:S|E)?VP(?:\ of)?(?:\ [A-Z][a-z]+)?|Head\ of\ [A-Z][a-z]+(?:\ [A-Z][a-z]+)?|General\ Manager|Managing\ Director|Geschäftsführer(?:in)?|Vorstand\w*|Directeur\ général|Directrice\ générale|Director\ General|Diretor(?:a)?\ (?:executiv[oa]|geral|financeir[oa])|Country\ Manager|Board\ (?:member|director))\b",
    )
});
/// Where a quote's speaker is named, after the quote or a comma ("…,"
/// said Jane Doe, CEO of Acme; "…, says CEO Jane Doe"): a title after it
/// is the speaker's, not a hire's. ("Acme said on Tuesday it had appointed
/// …" is no quote.)
static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)[,"”’']\s*(?:said|says|commented|comments|added|adds|explained|explains|noted|notes|according\ to|sagt|sagte|erklärt|erklärte|a\ déclaré|déclare|explique|dijo|afirmó|explicó|disse|afirmou|explicou)\b"#,
    )
});
/// A title right before a verb that ends the clause: "zum Geschäftsführer
/// ernannt", "als CTO berufen", "named CEO" is read by [`hired_title`]'s
/// forward look.
static TITLE_THEN_VERB: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:zum|zur|als|as|comme|como)\s+(?:neuen\s+|neue\s+|new\s+)?$"));
static FINAL_HIRE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:ernannt|berufen|bestellt|appointed|named|promoted|nommée?|nombrad[oa]|nomead[oa])\b",
    )
});
/// Objects of "acquired"/"bought" that are no company: customers, users,
/// a stake, rights ("acquired more than 500 new customers in Q3").
static ACQUIRED_THINGS: LazyLock<Regex> = LazyLock::new(|| {
    // The object word ends its phrase ("500 new customers in Q3", "a stake
    // in Widget"): "acquires customer data platform Segment" is a company.
    re(
        r"(?xi)\b(?:acquires|acquired|acquiring|bought|buys)\s+(?:(?:more\ than|over|nearly|about|almost|around|some|its\ first|their\ first|new|\d[\d,.]*\+?|[\d,.]+\s?(?:k|m|million))\s+){0,4}(?:customers?|users?|clients?|subscribers?|members?|accounts|logos|talent|skills?|licen[cs]es?|shares?|stakes?|a\ (?:minority\ |majority\ )?stake|data|land|propert(?:y|ies)|equipment|rights|patents?|domains?)(?:\s+(?:in|from|for|during|this|last|across|since|through|over|and|to|on|at|of|worth)\b|\s*[,.;:!]|\s*$)",
    )
});
/// The hiring verb of a non-hire ("holt sich 5 Mio. Euro": fetches money).
static NOT_HIRE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bholt\s+sich\s+(?:[\d.,]+|frisches|neues|weitere[sn]?|Kapital|Geld|eine\s+Finanzierung|Millionen)",
    )
});

/// The title a hiring verb brings in: the first after the verb (within a
/// few words, "appoints Jane Doe as Chief Revenue Officer", "names new
/// CFO"), before any quote's attribution ("…," said Jane Doe, CEO: the
/// speaker's title; "to welcome Globex as a customer").
fn hired_title(s: &str) -> Option<String> {
    let scope = ATTRIBUTION.find(s).map_or(s, |m| &s[..m.start()]);
    let scope = NOT_HIRE.replace_all(scope, " ");
    let after_verb = HIRE.find_iter(&scope).find_map(|verb| {
        let after = &scope[verb.end()..];
        TITLE
            .captures(after)
            .filter(|c| c.get(0).is_some_and(|m| m.start() <= 80))
            .map(|c| c["t"].to_owned())
    });
    after_verb.or_else(|| {
        // "… zum Geschäftsführer ernannt": the title just before a verb
        // that ends the clause, after "zum", "als", "as".
        FINAL_HIRE_VERB.find_iter(&scope).find_map(|verb| {
            let before = &scope[..verb.start()];
            TITLE.captures_iter(before).last().and_then(|c| {
                let m = c.get(0)?;
                let gap = before[m.end()..].trim();
                (gap.split_whitespace().count() <= 2
                    && TITLE_THEN_VERB.is_match(&before[..m.start()]))
                .then(|| c["t"].to_owned())
            })
        })
    })
}

static LAUNCH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:launch(?:es|ed)?|unveil(?:s|ed)?|introduc(?:es|ed)|releases|released|rolls?\ out|rolled\ out|debuts?|announces?\ (?:the\ )?(?:general\ )?availability|now\ (?:generally\ )?available|generally\ available|startet|lanciert|stellt\ .{1,60}\ vor|präsentiert|lance|lancé|dévoile|présente|lanza|lanzó|presenta|lança|lançou|apresenta)\b",
    )
});
static NOT_PRODUCT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:fund|fonds|fondo|fundo|round|funding|campaign|investigation|lawsuit|ipo|offering|initiative)\b",
    )
});

fn evidence(s: &str, url: Option<&str>, published: Option<NaiveDate>) -> EventEvidence {
    EventEvidence {
        text: s.to_owned(),
        url: url.map(str::to_owned),
        date: published.map(|d| resolve_relative_date(s, d).unwrap_or(d)),
    }
}

fn parse_count(s: &str) -> Option<u32> {
    s.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// Events in one sentence or headline (`launch_allowed`: product launches
/// are only read from headlines and an item's first sentences, where the
/// company's own news is).
pub fn events_in_sentence(
    sentence: &str,
    url: Option<&str>,
    published: Option<NaiveDate>,
    launch_allowed: bool,
) -> Vec<CompanyEvent> {
    let s = normalize(sentence);
    let s = s.trim();
    let mut out = Vec::new();
    // A number of people or a share of staff is a report, whatever else
    // the sentence says.
    if LAYOFFS.is_match(s)
        && (HEADCOUNT.is_match(s) || PERCENT.is_match(s) || !LAYOFF_ADVICE.is_match(s))
    {
        out.push(CompanyEvent::Layoffs {
            headcount: HEADCOUNT.captures(s).and_then(|c| parse_count(&c["n"])),
            share_percent: PERCENT
                .captures(s)
                .and_then(|c| c["p"].replace(',', ".").parse().ok()),
            evidence: evidence(s, url, published),
        });
    }
    let acquired = ACQUIRED_BY.is_match(s);
    if acquired || (ACQUIRES.is_match(s) && !ACQUIRED_THINGS.is_match(s)) {
        let role = if acquired {
            AcquisitionRole::Acquired
        } else if s.to_lowercase().starts_with("acquisition of") {
            AcquisitionRole::Unknown
        } else {
            AcquisitionRole::Acquirer
        };
        out.push(CompanyEvent::Acquisition {
            role,
            price: find_money(s).into_iter().next().map(|m| m.money),
            evidence: evidence(s, url, published),
        });
    }
    if let Some(title) = hired_title(s) {
        out.push(CompanyEvent::LeadershipHire {
            title,
            evidence: evidence(s, url, published),
        });
    }
    if launch_allowed && LAUNCH.is_match(s) && !NOT_PRODUCT.is_match(s) && out.is_empty() {
        out.push(CompanyEvent::ProductLaunch {
            evidence: evidence(s, url, published),
        });
    }
    out
}

/// The events a news item reports, at most one per kind, plus one press
/// mention for the item itself.
pub fn extract_events(article: &Article) -> Vec<CompanyEvent> {
    let published = article.published.map(|p| p.date_naive());
    let url = article.url.as_deref();
    let title = normalize(&article.title);
    let title = cap_sentence(title.trim());
    let body = sentences(&normalize(&article.text));
    let mut out: Vec<CompanyEvent> = Vec::new();
    let items = std::iter::once((title, true))
        .filter(|(t, _)| !t.is_empty())
        .chain(body.iter().enumerate().map(|(i, s)| (s.as_str(), i < 2)));
    for (s, launch_allowed) in items {
        for e in events_in_sentence(s, url, published, launch_allowed) {
            if !out.iter().any(|o| o.signal_name() == e.signal_name()) {
                out.push(e);
            }
        }
    }
    let headline = if title.is_empty() {
        body.first().cloned().unwrap_or_default()
    } else {
        title.to_owned()
    };
    if !headline.is_empty() {
        out.push(CompanyEvent::PressMention {
            evidence: EventEvidence {
                text: headline,
                url: url.map(str::to_owned),
                date: published,
            },
        });
    }
    out
}
