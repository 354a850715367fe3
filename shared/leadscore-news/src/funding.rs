//! Funding rounds from news text (pure).
//!
//! A sentence announces a closed round when it has a funding trigger (a
//! verb or noun: "raises", "secures", "closed a round", "sammelt ... ein",
//! "lève", "capta", "recebe aporte", "tour de table", ...) and an amount, a
//! round name or an "undisclosed amount", and none of the negatives:
//! rumours and targets ("in talks to raise", "aims to raise"), venture
//! funds raised or closed, aggregates over many companies, secondary sales,
//! acquisitions, layoffs, historical rounds ("had raised"). Amounts next to
//! a valuation, a total, revenue, losses, a contract, a grant or a fund are
//! never the round's amount; the valuation and the total are kept apart.

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

use crate::article::Article;
use crate::money::{Money, MoneyMention, find_money};
use crate::text::{normalize, resolve_relative_date, sentences};

/// The stage of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Round {
    /// Pre-seed.
    PreSeed,
    /// Seed (also "amorçage", "semilla", "semente").
    Seed,
    /// Pre-Series A.
    PreSeriesA,
    /// Series A.
    SeriesA,
    /// Series B.
    SeriesB,
    /// Series C.
    SeriesC,
    /// Series D.
    SeriesD,
    /// Series E.
    SeriesE,
    /// Series F.
    SeriesF,
    /// Series G.
    SeriesG,
    /// Series H.
    SeriesH,
    /// Growth round, and lettered rounds after H.
    Growth,
    /// Debt: venture debt, credit facility, loan.
    Debt,
    /// A round whose stage is not named.
    Undisclosed,
}

impl Round {
    /// The snake_case name used in signals and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Round::PreSeed => "pre_seed",
            Round::Seed => "seed",
            Round::PreSeriesA => "pre_series_a",
            Round::SeriesA => "series_a",
            Round::SeriesB => "series_b",
            Round::SeriesC => "series_c",
            Round::SeriesD => "series_d",
            Round::SeriesE => "series_e",
            Round::SeriesF => "series_f",
            Round::SeriesG => "series_g",
            Round::SeriesH => "series_h",
            Round::Growth => "growth",
            Round::Debt => "debt",
            Round::Undisclosed => "undisclosed",
        }
    }

    fn from_letter(l: char) -> Round {
        match l.to_ascii_lowercase() {
            'a' => Round::SeriesA,
            'b' => Round::SeriesB,
            'c' => Round::SeriesC,
            'd' => Round::SeriesD,
            'e' => Round::SeriesE,
            'f' => Round::SeriesF,
            'g' => Round::SeriesG,
            'h' => Round::SeriesH,
            _ => Round::Growth,
        }
    }
}

impl std::fmt::Display for Round {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A closed funding round reported by a news item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundingEvent {
    /// Amount raised in full units, `None` when undisclosed.
    pub amount: Option<u64>,
    /// ISO 4217 currency of `amount` (the original currency, not a conversion).
    pub currency: Option<String>,
    /// Stage.
    pub round: Round,
    /// An extension, top-up or second close of an earlier round.
    pub is_extension: bool,
    /// Lead investors ("led by ...").
    pub lead_investors: Vec<String>,
    /// Other investors ("with participation from ...").
    pub other_investors: Vec<String>,
    /// Announcement date: a relative date in the text resolved against the
    /// publication date, else the publication date.
    pub announced_on: Option<NaiveDate>,
    /// Valuation, never taken as the amount.
    pub valuation: Option<Money>,
    /// Total raised to date, never taken as the amount.
    pub total_raised: Option<Money>,
    /// The item's headline, or the sentence when there is none.
    pub headline: String,
    /// The sentence the round was read from.
    pub evidence: String,
    /// Link to the item.
    pub source_url: Option<String>,
    /// Other items reporting the same round (after [`dedupe`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_reported_by: Vec<String>,
    /// 0–1: how sure the extractor is that this is a closed round with
    /// the right amount.
    pub confidence: f32,
}

fn re(p: &str) -> Regex {
    Regex::new(p).expect("valid funding pattern")
}

static TRIGGER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:rais(?:e|es|ed|ing)|secur(?:e|es|ed|ing)|clos(?:e|es|ed|ing)|land(?:s|ed)|bag(?:s|ged)|nab(?:s|bed)|snag(?:s|ged)
          |add(?:s|ed)|picked\ up|picks\ up|took\ in|takes\ in|took\ a\ chunk|gets|got|receiv(?:e|es|ed)|complet(?:e|es|ed)|announc(?:e|es|ed)
          |fundrais\w*|funding|financing|round|led\ the\ list|topped)\b
      | \b(?:eingesammelt|einsammeln|sammelt|sammeln|sammelten|erhält|erhalten|erhielt|bekommt|bekam|abgeschlossen|schließt|finanzierung\w*|\w*runde|gingen)\b
      | \b(?:lève|lèvent|levé|levés|lever|levée|levées|récolte|récolté|récoltant|boucle|bouclé|bouclée|bouclant|rassemblés|tour\ de\ table|obtient|obtenu)\b
      | \b(?:capta|captó|captado|captan|recauda|recaudó|recaudado|levanta|levantó|cierra|cerró|ronda|obtiene|obtuvo)\b
      | \b(?:capta|captou|captaram|captação|recebe|recebeu|aporte|rodada|levanta|levantou)\b
    ")
});

static RUMOUR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:in\ (?:early\ |advanced\ |preliminary\ )?(?:talks|discussions|negotiations)|looking\ to\ raise|seek(?:s|ing)?\ to\ raise|is\ seeking|are\ seeking
          |trying\ to\ raise|tries\ to\ raise|aim(?:s|ing)?\ to\ raise|plan(?:s|ning)?\ to\ raise|intend(?:s|ing)?\ to\ raise|hop(?:es|ing)\ to\ raise|hopes\ of\ raising
          |set\ to\ raise|is\ raising|are\ raising|could\ raise|would\ raise|may\ raise|might\ raise|expected\ to\ (?:raise|close)|in\ fundraising\ mode|will\ raise|to\ raise\ up\ to
          |cherche\ à\ lever|veut\ lever|souhaite\ lever|en\ (?:discussion|négociation)s?|busca\ (?:levantar|recaudar|captar)|en\ conversaciones|negocia|negociando|negociação
          |quer\ captar|pretende\ captar|in\ gesprächen|verhandelt|will\ .{0,30}\ einsammeln|plant\ .{0,30}\ finanzierungsrunde)\b
    ")
});

static FUND_CLOSE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:closes?|closed|closing|raising|raised|raises|launch(?:es|ed)?|unveil(?:s|ed)?|announce[sd]?)\s+(?:(?:its|a|the|their|new|first|second|third|fourth|fifth|sixth|seventh|debut|inaugural|latest|largest|maiden|oversubscribed|final|early-stage|growth|seed|venture|VC|\$?[\d.,]+\s?(?:bn|b|m|mn|million|billion)?|[A-Z][\w&'-]*)\s+){0,5}(?:fund|vehicle)\b
      | \bfor\s+(?:its|a|their|the)\s+(?:\w+\s+){0,2}fund\b
      | \b(?:first|final|second|third)\s+close\b
      | \bVC\ fund\b|\bventure\ fund\b
      | \b(?:lanzamiento\ del|lanza\ un|lanzó\ un|creó\ un|crea\ un|lancement\ du|lance\ un|criou\ um|cria\ um|lança\ um|lançou\ um|auflage\ eines|legt\ .{0,20}\ auf)\s+(?:\w+\s+){0,3}(?:fondo|fonds|fundo|fund)\b
      | \b(?:fondo|fonds|fundo)\s+de\s+(?:inversión|capital|investimento|venture)\b
    ")
});

static AGGREGATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:across|in|en|em|répartis\ en|über)\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|sete|dos|tres|deux|trois)\s+(?:deals|rounds|transactions|rodadas|rondas|operaciones|opérations|operações|investissements|finanzierungsrunden|deals)\b
      | \bstartups\b|\bstart-ups\b|\bles\ start-up\b|\bjeunes\ pousses\b|\bjungen\ unternehmen\b|\bjungunternehmer\b|\bfintechs\b
      | \b(?:insgesamt|in\ total|en\ total|au\ total|no\ total|collectively|combined|cumulatively|altogether|a\ total\ of)\b
      | \b\d+\s+(?:empresas|companies|unternehmen|entreprises|operaciones|operações|opérations)\b
    ")
});

static HISTORICAL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \bhad\s+(?:\w+\s+)?(?:raised|secured|closed|notched|received|bagged|collected)\b
      | \b(?:previously|earlier|last|already)\s+(?:raised|secured|closed)\b
      | \bhatte\s+.{0,60}\b(?:eingesammelt|erhalten)\b
      | \bavait\s+(?:levé|récolté)\b|\bhabía\s+(?:recaudado|captado|levantado)\b|\btinha\s+(?:captado|levantado|recebido)\b
    ")
});

static SECONDARY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bsecondary\s+(?:stake|share|sale|transaction|deal)|\bsekundär|\bsecundári|\bsecundari|\bsecondaire",
    )
});

static ACQUISITION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:acquir(?:e|es|ed|ing)|acquisitions?|purchase\ of|buy(?:s|ing)\ |bought|merger|takeover|taken\ over
          |übernommen|übernimmt|übernahme|kauft|gekauft|rachète|racheté|rachat|acquiert|acquis\ par|fusion\ avec
          |adquiere|adquirió|adquisición|compra|compró|adquire|adquiriu|aquisição|comprou)\b
    ")
});

static LAYOFF: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:laid\ off|lay(?:s|ing)?\ off|layoffs?|job\ cuts|cut(?:s|ting)?\ \d[\d,]*\ jobs|redundanc\w+|reduction\ in\ force
          |stellenabbau|entlässt|entlassungen|streicht\ .{0,20}stellen|licenci\w+|plan\ social|plan\ de\ restructuration|suppressions?\ de\ postes|restructuring
          |despid\w+|despedir|demiss\w+|demite|demitiu|cortes?\ de\ (?:empleos?|empregos?|plantilla))\b
    ")
});

static ROUND: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        (?P<preseed>\bpr[eé][-\ ]?seed\b|\bpré-amorçage\b|\bpre-?semilla\b|\bpré-?semente\b)
      | (?P<preseries>\bpr[eé][-\ ]?s[eé]ries?[-\ ](?P<pl>[a-z])\b)
      | (?P<series>\bs[eé]ries?[-\ ](?P<l>[a-z])(?:-?\d)?\b)
      | (?P<seed>\bseed\b|\bamorçage\b|\bsemilla\b|\bsemente\b)
      | (?P<growth>\bgrowth[-\ ](?:round|equity|funding|financing|investment)\b|\bwachstumsfinanzierung\b|\blate-stage\ round\b|\bpre-ipo\b)
      | (?P<debt>\bventure\ debt\b|\bdebt\b|\bcredit\ facility\b|\bloan\b|\bfremdkapital\w*|\bdette\b|\bdeuda\b|\bdívida\b|\bkreditlinie\b)
    ")
});

static UNDISCLOSED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:undisclosed|unspecified|unannounced|nicht\ genannte[nr]?|ungenannte[nr]?|siebenstellige[nr]?|sechsstellige[nr]?|achtstellige[nr]?|non\ divulgué|montant\ non|no\ revelad[ao]|não\ revelad[ao]|não\ divulgad[ao]|montante\ não)\b",
    )
});

static EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:extension|extends?|extended|top-?up|topped\ up|add-on|second\ close|on\ top\ of\ its|aufgestockt|stockt|aufstockung|weitere|additional|further|zweiten\ closing|extensión|ampliación|extensão|prolonge|prolongeait|rallonge)\b",
    )
});

/// Words just before an amount that make it not the round's amount.
static NOT_ROUND_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)\b(?:
        valuation|valued|valuing|valuations|post-money|pre-money|market\ cap\w*|worth\ of|bewertung|bewertet|valorisation|valoris[ée]e?|valoración|valorad[ao]|avaliação(?:\ de\ mercado)?|avaliad[ao]
      | total\w*|bringing|brings|gesamt\w*|insgesamt|porte\ à|to\ date|so\ far|cumulative
      | revenues?|sales|arr|turnover|umsatz\w*|chiffre\ d'affaires|ingresos|faturamento|receita|facturación
      | loss(?:es)?|pérdidas|perdas|pertes|verlust\w*|profits?|gewinn|bénéfice|write-?down|debts?\ of|owes|deuda\ de
      | contract|contrat|contrato|auftrag\w*|order|deal\ worth|tender
      | grant|grants|förder\w*|subvention\w*|subvenci\w+|subsídio|fundo\ perdido|award\w*|prize|prix|premio|prêmio
      | fund|fonds|fondo|fundo|under\ management|aum|commitments
      | purchase|price|acquisition|acquired|acquire|buying|bought|kaufpreis|rachat|compra|merger
      | last\ year|previous(?:ly)?|prior|earlier|last\ raised|letztes\ jahr|l'an\ dernier|el\ año\ pasado|ano\ passado
      )\W*(?:\w+\W+){0,4}$")
});

/// Words just after an amount that make it not the round's amount.
static NOT_ROUND_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)^\W*(?:
        (?:\w+\W+)?(?:post-money\ |pre-money\ )?(?:valuation|bewertung|valorisation|valoración|avaliação)
      | (?:\w+\W+){0,2}?(?:in\ (?:annual\ )?(?:revenue|sales|losses|arr)|of\ (?:revenue|losses)|de\ (?:pérdidas|perdas|ingresos|faturamento|receita|chiffre)|an\ umsatz|umsatz)
      | (?:\w+\W+){0,3}?(?:to\ date|so\ far|in\ total|bisher|au\ total|en\ total|no\ total)
      | (?:\w+\W+)?(?:vc\ |venture\ |new\ |growth\ |seed\ )?(?:fund|fonds|fondo|fundo)\b
      | (?:\w+\W+)?(?:contract|grant|merger|acquisition|deal\ to\ (?:buy|acquire))
      | (?:\w+\W+){0,4}?last\ year
      )")
});

static PREFERRED_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)(?:weitere|additional|further|another|extra|supplémentaires|adicionales|adicionais|zusätzliche|nouveaux|new)\s*$",
    )
});

static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:co-led|led|spearheaded|headed)\s+by\s+(?P<a>[^,.;()]+)|\b(?:liderad[ao]|encabezad[ao]|capitanead[ao])\s+por\s+(?P<b>[^,.;()]+)|\b(?:menée?|conduite?)\s+par\s+(?P<c>[^,.;()]+)|\b(?:angeführt|geführt)\s+von\s+(?P<d>[^,.;()]+)|\bfederführend\s+(?:ist|war|sind)\s+(?P<e>[^,.;()]+)",
    )
});

static PARTICIPATION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:with\ participation\ (?:from|of)|participation\ from|along\ with|alongside|joined\ by|with\ (?:existing|new)\ investors?|auprès\ d[e']|avec\ la\ participation\ de|con\ la\ participación\ de|com\ participação\ d[eao]s?|unter\ beteiligung\ von|mit\ beteiligung\ von)\s+(?P<o>[^.;()]+)",
    )
});

fn split_names(s: &str) -> Vec<String> {
    static SPLIT: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i),\s*(?:and\s+|et\s+|y\s+|e\s+|und\s+)?|\s+(?:and|et|y|e|und|as well as)\s+")
    });
    static STRIP: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^(?:the\s+|existing\s+(?:investors?|backers?)\s+|investors?\s+|new\s+investors?\s+|[\w-]+-based\s+|(?:\w+\s+)?(?:investment\s+firm|venture\s+capital\s+firm|vc\s+firm|private\s+equity\s+firm|fund)\s+)+",
        )
    });
    static TAIL: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)\s+(?:with|through|via|at|in|for|to|who|which|that|as|on|from|alongside|participation|existing|among)\b.*$",
        )
    });
    SPLIT
        .split(s)
        .map(|n| TAIL.replace(n.trim(), "").trim().to_owned())
        .map(|n| STRIP.replace(&n, "").trim().to_owned())
        .filter(|n| {
            n.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                && n.len() > 1
                && n.split_whitespace().count() <= 6
        })
        .collect()
}

fn investors(s: &str) -> (Vec<String>, Vec<String>) {
    let mut leads = Vec::new();
    for c in LEAD.captures_iter(s) {
        for g in ["a", "b", "c", "d", "e"] {
            if let Some(m) = c.name(g) {
                let mut text = m.as_str();
                for stop in [
                    " with ",
                    " and saw ",
                    " and included ",
                    " and existing ",
                    " con ",
                    " com ",
                    " avec ",
                    " mit ",
                ] {
                    if let Some(i) = text.find(stop) {
                        text = &text[..i];
                    }
                }
                leads.extend(split_names(text));
            }
        }
    }
    let mut others = Vec::new();
    for c in PARTICIPATION.captures_iter(s) {
        if let Some(m) = c.name("o") {
            others.extend(
                split_names(m.as_str())
                    .into_iter()
                    .filter(|n| !leads.contains(n)),
            );
        }
    }
    (leads, others)
}

/// Why a sentence with a funding trigger is not a closed round (or `None`
/// when nothing speaks against it).
fn negative_reason(s: &str, has_round_word: bool) -> Option<&'static str> {
    if RUMOUR.is_match(s) {
        return Some("rumour");
    }
    if FUND_CLOSE.is_match(s) {
        return Some("vc_fund");
    }
    if AGGREGATE.is_match(s) {
        return Some("aggregate");
    }
    if HISTORICAL.is_match(s) {
        return Some("historical");
    }
    if SECONDARY.is_match(s) {
        return Some("secondary");
    }
    if LAYOFF.is_match(s) {
        return Some("layoffs");
    }
    if !has_round_word && ACQUISITION.is_match(s) {
        return Some("acquisition");
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AmountRole {
    Round,
    Valuation,
    Total,
    Other,
    Conversion,
}

static PAREN_QUALIFIER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\(\s*(?:around|about|approximately|approx\.?|roughly|unos|soit|environ|ca\.|rund|~|equivalent to|or)\s*$",
    )
});
static VALUATION_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)valuation|valued|valuing|bewert|valoris|valora|avalia|post-money|pre-money")
});
static TOTAL_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)total|gesamt|insgesamt|porte à|bringing|brings|to date|so far"));

fn classify_amount(s: &str, m: &MoneyMention, prev_end: Option<usize>) -> AmountRole {
    let before = &s[..m.start];
    let after = &s[m.end..];
    let trimmed = before.trim_end();
    let in_parens = trimmed.ends_with('(') || PAREN_QUALIFIER.is_match(before);
    if in_parens && prev_end.is_some_and(|e| m.start.saturating_sub(e) <= 24) {
        return AmountRole::Conversion;
    }
    let window_start = before.char_indices().rev().nth(48).map_or(0, |(i, _)| i);
    let window = &before[window_start..];
    let lower_window = window.to_lowercase();
    let after_window: String = after.chars().take(48).collect::<String>().to_lowercase();
    let after_short: String = after_window.chars().take(30).collect();
    if NOT_ROUND_BEFORE.is_match(&lower_window) || NOT_ROUND_AFTER.is_match(&after_window) {
        // The nearest valuation or total word decides which one it is.
        let before_dist = |r: &Regex| {
            r.find_iter(&lower_window)
                .last()
                .map(|m| lower_window.len() - m.end())
        };
        let valuation = [
            before_dist(&VALUATION_WORD),
            VALUATION_WORD.find(&after_short).map(|m| m.start()),
        ]
        .into_iter()
        .flatten()
        .min();
        let total = [
            before_dist(&TOTAL_WORD),
            TOTAL_WORD.find(&after_window).map(|m| m.start()),
        ]
        .into_iter()
        .flatten()
        .min();
        return match (valuation, total) {
            (Some(v), Some(t)) if t < v => AmountRole::Total,
            (Some(_), _) => AmountRole::Valuation,
            (None, Some(_)) => AmountRole::Total,
            (None, None) => AmountRole::Other,
        };
    }
    AmountRole::Round
}

/// What one sentence says about a round.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceFinding {
    /// The round, when the sentence announces a closed one.
    pub event: Option<FundingEvent>,
    /// Why a sentence with a funding trigger was rejected.
    pub rejected: Option<&'static str>,
}

/// Reads one sentence (or headline). `headline` and `source_url` are copied
/// into the event; `announced_on` is its date.
pub fn extract_sentence(
    sentence: &str,
    headline: Option<&str>,
    source_url: Option<&str>,
    announced_on: Option<NaiveDate>,
) -> SentenceFinding {
    let s = normalize(sentence);
    let s = s.trim();
    let none = SentenceFinding {
        event: None,
        rejected: None,
    };
    if !TRIGGER.is_match(s) {
        return none;
    }
    let round_match = ROUND.captures(s);
    let has_round_word = round_match.is_some();
    if let Some(reason) = negative_reason(s, has_round_word) {
        return SentenceFinding {
            event: None,
            rejected: Some(reason),
        };
    }
    let mentions = find_money(s);
    let mut round_amount: Option<&MoneyMention> = None;
    let mut preferred: Option<&MoneyMention> = None;
    let mut valuation = None;
    let mut total = None;
    let mut prev_end = None;
    for m in &mentions {
        match classify_amount(s, m, prev_end) {
            AmountRole::Round => {
                if round_amount.is_none() {
                    round_amount = Some(m);
                }
                if preferred.is_none() && PREFERRED_BEFORE.is_match(&s[..m.start]) {
                    preferred = Some(m);
                }
            }
            AmountRole::Valuation => {
                if valuation.is_none() {
                    valuation = Some(m.money.clone());
                }
            }
            AmountRole::Total => {
                if total.is_none() {
                    total = Some(m.money.clone());
                }
            }
            AmountRole::Other | AmountRole::Conversion => {}
        }
        prev_end = Some(m.end);
    }
    let amount = preferred.or(round_amount);
    let undisclosed = UNDISCLOSED.is_match(s);
    if amount.is_none() && !has_round_word && !undisclosed {
        return SentenceFinding {
            event: None,
            rejected: (!mentions.is_empty()).then_some("no_round_amount"),
        };
    }
    let round = round_match.map_or(Round::Undisclosed, |c| {
        if c.name("preseed").is_some() {
            Round::PreSeed
        } else if let Some(l) = c.name("pl") {
            match Round::from_letter(l.as_str().chars().next().unwrap_or('a')) {
                Round::SeriesA => Round::PreSeriesA,
                Round::SeriesB => Round::SeriesA,
                Round::SeriesC => Round::SeriesB,
                other => other,
            }
        } else if let Some(l) = c.name("l") {
            Round::from_letter(l.as_str().chars().next().unwrap_or('a'))
        } else if c.name("seed").is_some() {
            Round::Seed
        } else if c.name("growth").is_some() {
            Round::Growth
        } else {
            Round::Debt
        }
    });
    let (lead_investors, other_investors) = investors(s);
    let is_extension = EXTENSION.is_match(s);
    let mut confidence: f32 = 0.55;
    if amount.is_some() {
        confidence += 0.2;
    }
    if has_round_word {
        confidence += 0.15;
    }
    if !lead_investors.is_empty() {
        confidence += 0.05;
    }
    if amount.is_some_and(|a| a.approximate) {
        confidence -= 0.05;
    }
    let date = announced_on.map(|d| resolve_relative_date(s, d).unwrap_or(d));
    SentenceFinding {
        event: Some(FundingEvent {
            amount: amount.map(|a| a.money.amount),
            currency: amount.map(|a| a.money.currency.clone()),
            round,
            is_extension,
            lead_investors,
            other_investors,
            announced_on: date,
            valuation,
            total_raised: total,
            headline: headline.unwrap_or(s).to_owned(),
            evidence: s.to_owned(),
            source_url: source_url.map(str::to_owned),
            also_reported_by: Vec::new(),
            confidence: confidence.min(0.99),
        }),
        rejected: None,
    }
}

/// The funding rounds a news item reports: its headline and body sentences
/// are read one by one; sentences about the same round (the headline and
/// the first paragraph, say) are merged.
pub fn extract_funding(article: &Article) -> Vec<FundingEvent> {
    let published = article.published.map(|p| p.date_naive());
    let title = normalize(&article.title);
    let mut items: Vec<String> = Vec::new();
    if !title.trim().is_empty() {
        items.push(title.trim().to_owned());
    }
    items.extend(sentences(&normalize(&article.text)));
    let headline = (!title.trim().is_empty()).then_some(title.trim());
    let mut out: Vec<FundingEvent> = Vec::new();
    for s in &items {
        if let Some(ev) = extract_sentence(s, headline, article.url.as_deref(), published).event {
            out.push(ev);
        }
    }
    merge_within(out)
}

/// Funding rounds in plain text (no headline): every sentence is read.
pub fn extract_funding_text(
    text: &str,
    published: Option<NaiveDate>,
    source_url: Option<&str>,
) -> Vec<FundingEvent> {
    let mut out = Vec::new();
    for s in sentences(&normalize(text)) {
        if let Some(ev) = extract_sentence(&s, None, source_url, published).event {
            out.push(ev);
        }
    }
    merge_within(out)
}

fn same_round(a: &FundingEvent, b: &FundingEvent) -> bool {
    let amounts_agree = match (a.amount, &a.currency, b.amount, &b.currency) {
        (Some(x), Some(cx), Some(y), Some(cy)) => {
            cx == cy && (x.max(y) - x.min(y)) as f64 <= 0.1 * x.max(y) as f64
        }
        _ => true,
    };
    let rounds_agree =
        a.round == b.round || a.round == Round::Undisclosed || b.round == Round::Undisclosed;
    amounts_agree && rounds_agree
}

fn merge_into(keep: &mut FundingEvent, other: FundingEvent) {
    if keep.amount.is_none() && other.amount.is_some() {
        keep.amount = other.amount;
        keep.currency = other.currency;
    }
    if keep.round == Round::Undisclosed {
        keep.round = other.round;
    }
    keep.is_extension |= other.is_extension;
    for n in other.lead_investors {
        if !keep.lead_investors.contains(&n) {
            keep.lead_investors.push(n);
        }
    }
    for n in other.other_investors {
        if !keep.other_investors.contains(&n) && !keep.lead_investors.contains(&n) {
            keep.other_investors.push(n);
        }
    }
    if keep.valuation.is_none() {
        keep.valuation = other.valuation;
    }
    if keep.total_raised.is_none() {
        keep.total_raised = other.total_raised;
    }
    keep.announced_on = match (keep.announced_on, other.announced_on) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(u) = other.source_url
        && keep.source_url.as_ref() != Some(&u)
        && !keep.also_reported_by.contains(&u)
    {
        keep.also_reported_by.push(u);
    }
    for u in other.also_reported_by {
        if keep.source_url.as_ref() != Some(&u) && !keep.also_reported_by.contains(&u) {
            keep.also_reported_by.push(u);
        }
    }
    keep.confidence = keep.confidence.max(other.confidence);
}

fn merge_within(events: Vec<FundingEvent>) -> Vec<FundingEvent> {
    let mut out: Vec<FundingEvent> = Vec::new();
    for e in events {
        if let Some(k) = out.iter_mut().find(|k| same_round(k, &e)) {
            merge_into(k, e);
        } else {
            out.push(e);
        }
    }
    out
}

/// Merges events that report the same round (several articles, or a
/// headline and a paragraph): same currency and amounts within 10 % (or one
/// undisclosed), compatible stages, announced within 30 days of each other.
/// The most confident report is kept, the other sources go to
/// `also_reported_by`; the result is sorted newest first.
pub fn dedupe(mut events: Vec<FundingEvent>) -> Vec<FundingEvent> {
    events.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    let mut out: Vec<FundingEvent> = Vec::new();
    for e in events {
        let close_in_time = |k: &FundingEvent| match (k.announced_on, e.announced_on) {
            (Some(a), Some(b)) => (a - b).num_days().abs() <= 30,
            _ => true,
        };
        if let Some(k) = out
            .iter_mut()
            .find(|k| close_in_time(k) && same_round(k, &e))
        {
            merge_into(k, e);
        } else {
            out.push(e);
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.announced_on));
    out
}
