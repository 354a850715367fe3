//! Money amounts in text: currency symbols and ISO codes before or currency
//! words after the number, scale words in five languages (k/M/mn/bn,
//! mi/bi, Mill., million/billion, Millionen/Milliarden, millions/milliards,
//! millones/milhões, crore/lakh), small number words ("zehn Millionen
//! Franken"), decimal commas, thousands separators (including Indian
//! grouping), ranges and qualifiers ("over", "more than").

use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// An amount of money in full units of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Full units (`$4.5M` is 4 500 000).
    pub amount: u64,
    /// ISO 4217 code (`USD`, `EUR`, `GBP`, `INR`, `BRL`, ...).
    pub currency: String,
}

/// A money amount found in a text, with its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyMention {
    /// The amount (the lower bound of a range).
    pub money: Money,
    /// The upper bound of a range ("$70-100 million").
    pub upper: Option<u64>,
    /// Qualified with "over", "about", "more than", "rund", "plus de", ...
    pub approximate: bool,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
}

const NUM: &str = r"(?P<num>\d{1,3}(?:[.,]\d{2,3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)";
const RANGE: &str =
    r"(?:\s?(?:-|to|bis|à|a|and|y|e)\s?(?:US\$|\$|€|£|₹)?(?P<num2>\d+(?:[.,]\d+)?))?";
const SCALE: &str = r"(?:\s?-?\s?(?P<scale>mil\s+millones|thousand|tausend|millions?|millones|mill[oó]n|milh[õo]es|milh[ãa]o|millionen|mill|mio\b\.?|mn|mln|mm|mi|m|billions?|bln|bilh[õo]es|bilh[ãa]o|milliarden|milliarde|milliards?|mrd\b\.?|bn|bi|b|crores?|cr\b\.?|lakhs?|lacs?|k|mil)\b\.?)?";
/// ISO 4217 codes of the currencies funding news names besides the dollars,
/// euro, pound, franc, rupee, real, yuan, yen and peso the patterns spell
/// out: the Nordic and central European currencies, the Gulf's, Israel's,
/// Turkey's, Africa's and Asia's startup markets, Latin America's. Read in
/// capitals only ("SEK 300 million", "raised ZAR50 million", "50m NOK"), so
/// that words such as "try" or "sek" before a number are no currency. Left
/// out: codes that are common capitalized words before a number in news
/// (PHP, the language: "PHP 8"; COP, the climate conference: "COP 28";
/// ALL, TOP, CUP).
const OTHER_CODES: &[&str] = &[
    "AED", "ARS", "BDT", "BGN", "CLP", "CZK", "DKK", "EGP", "GHS", "HUF", "IDR", "ILS", "ISK",
    "KES", "KRW", "KWD", "LKR", "MAD", "MYR", "NGN", "NOK", "PEN", "PKR", "PLN", "QAR", "RON",
    "RSD", "RWF", "SAR", "SEK", "THB", "TRY", "TWD", "TZS", "UAH", "UGX", "UYU", "VND", "ZAR",
];

/// [`OTHER_CODES`] as a case-sensitive alternation.
fn other_codes() -> String {
    format!("(?-i:{})", OTHER_CODES.join("|"))
}

/// Currency signs that name one currency, written before the number
/// (matched in any case: "KSh", "Ksh").
const SIGNS_BEFORE: &[(&str, &str)] = &[
    ("₦", "NGN"),
    ("₩", "KRW"),
    ("₪", "ILS"),
    ("₱", "PHP"),
    ("₺", "TRY"),
    ("฿", "THB"),
    ("NT$", "TWD"),
    ("KSh", "KES"),
];

/// Currency signs that name one currency, written after the number.
const SIGNS_AFTER: &[(&str, &str)] = &[("₫", "VND"), ("zł", "PLN")];

/// `signs` as a regex alternation.
fn alternation(signs: &[(&str, &str)]) -> String {
    signs
        .iter()
        .map(|(sign, _)| regex::escape(sign))
        .collect::<Vec<_>>()
        .join("|")
}

/// The currency after an amount: [`POST_WORDS`], one of [`OTHER_CODES`],
/// or one of [`SIGNS_AFTER`] ("50.000 ₫", "20 mln zł").
fn post() -> String {
    format!(
        "(?P<post>{POST_WORDS}|{}\\b|{})",
        other_codes(),
        alternation(SIGNS_AFTER)
    )
}

/// Currency words, signs and codes after an amount.
const POST_WORDS: &str = r"(?:euros?|eur\b|€|us-dollars?|u\.?s\.?\s+dollars?|dollars?|d[óo]lares|usd\b|pounds?(?:\s+sterling)?|livres?(?:\s+sterling)?|libras?(?:\s+esterlinas?)?|gbp\b|£|rupees|inr\b|reais|brl\b|swiss\s+francs|francs\s+suisses|francs?\b|(?:schweizer\s+)?franken|chf\b|fr\.|\$|yuan|renminbi|rmb\b|cny\b|yen\b|jpy\b|pesos\s+mexicanos|mxn\b)";

static PREFIXED: LazyLock<Regex> = LazyLock::new(|| {
    let signs = alternation(SIGNS_BEFORE);
    let others = other_codes();
    let pre = format!(
        r"(?P<pre>US\$|\$US|R\$|CA\$|AU\$|A\$|C\$|S\$|HK\$|NZ\$|\$|€|£|₹|¥|{signs}|\b(?:USD|EUR|GBP|INR|BRL|CHF|CAD|AUD|SGD|JPY|CNY|MXN)|\b{others}|\bRs\b\.?)"
    );
    let post = post();
    // A dollar amount may name its dollar after it ("$5M CAD").
    let code = r"\s(?P<code>CAD|AUD|NZD|SGD|HKD|USD)\b";
    Regex::new(&format!(
        r"(?i){pre}\s?{NUM}{RANGE}{SCALE}(?:\s?(?:de\s+|d')?{post}|{code})?"
    ))
    .expect("valid money pattern")
});

static SUFFIXED: LazyLock<Regex> = LazyLock::new(|| {
    let post = post();
    Regex::new(&format!(r"(?i)\b{NUM}{RANGE}{SCALE}\s?(?:de\s+|d')?{post}"))
        .expect("valid money pattern")
});

/// A scale glued to an ISO code ("40 MCHF", "12 MUSD", "3 MdEUR"), as
/// French finance news writes it.
static GLUED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b{NUM}\s?(?P<scale>m|md|mds|mrd)(?P<post>chf|usd|eur|gbp)\b"
    ))
    .expect("valid money pattern")
});

static WORDS: LazyLock<Regex> = LazyLock::new(|| {
    let post = post();
    Regex::new(&format!(
        r"(?i)\b(?P<words>(?:eine\s+)?halbe\s+million|half\s+a\s+million|a\s+million|one\s+million|eine\s+million|un\s+million|un\s+mill[oó]n|um\s+milh[ãa]o|a\s+billion|one\s+billion|eine\s+milliarde|un\s+milliard)\s+(?:de\s+|d')?{post}"
    ))
    .expect("valid money pattern")
});

/// Small number words in the five languages (one to twenty, the tens, a
/// hundred), read before a scale word and a currency ("zehn Millionen
/// Franken", "six millions de dollars", "cuarenta millones de dólares").
const NUMBER_WORDS: &[(&str, u32)] = &[
    // en
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("a hundred", 100),
    ("one hundred", 100),
    ("hundred", 100),
    // de
    ("ein", 1),
    ("eine", 1),
    ("einer", 1),
    ("zwei", 2),
    ("drei", 3),
    ("vier", 4),
    ("fünf", 5),
    ("sechs", 6),
    ("sieben", 7),
    ("acht", 8),
    ("neun", 9),
    ("zehn", 10),
    ("elf", 11),
    ("zwölf", 12),
    ("dreizehn", 13),
    ("vierzehn", 14),
    ("fünfzehn", 15),
    ("sechzehn", 16),
    ("siebzehn", 17),
    ("achtzehn", 18),
    ("neunzehn", 19),
    ("zwanzig", 20),
    ("dreißig", 30),
    ("dreissig", 30),
    ("vierzig", 40),
    ("fünfzig", 50),
    ("sechzig", 60),
    ("siebzig", 70),
    ("achtzig", 80),
    ("neunzig", 90),
    ("hundert", 100),
    ("einhundert", 100),
    // fr
    ("un", 1),
    ("une", 1),
    ("deux", 2),
    ("trois", 3),
    ("quatre", 4),
    ("cinq", 5),
    ("sept", 7),
    ("huit", 8),
    ("neuf", 9),
    ("dix", 10),
    ("onze", 11),
    ("douze", 12),
    ("treize", 13),
    ("quatorze", 14),
    ("quinze", 15),
    ("seize", 16),
    ("dix-sept", 17),
    ("dix-huit", 18),
    ("dix-neuf", 19),
    ("vingt", 20),
    ("trente", 30),
    ("quarante", 40),
    ("cinquante", 50),
    ("soixante", 60),
    ("soixante-dix", 70),
    ("quatre-vingt", 80),
    ("quatre-vingts", 80),
    ("quatre-vingt-dix", 90),
    ("cent", 100),
    // es
    ("uno", 1),
    ("una", 1),
    ("dos", 2),
    ("tres", 3),
    ("cuatro", 4),
    ("cinco", 5),
    ("seis", 6),
    ("siete", 7),
    ("ocho", 8),
    ("nueve", 9),
    ("diez", 10),
    ("once", 11),
    ("doce", 12),
    ("trece", 13),
    ("catorce", 14),
    ("quince", 15),
    ("dieciséis", 16),
    ("diecisiete", 17),
    ("dieciocho", 18),
    ("diecinueve", 19),
    ("veinte", 20),
    ("treinta", 30),
    ("cuarenta", 40),
    ("cincuenta", 50),
    ("sesenta", 60),
    ("setenta", 70),
    ("ochenta", 80),
    ("noventa", 90),
    ("cien", 100),
    ("ciento", 100),
    // pt
    ("um", 1),
    ("uma", 1),
    ("dois", 2),
    ("duas", 2),
    ("três", 3),
    ("quatro", 4),
    ("sete", 7),
    ("oito", 8),
    ("nove", 9),
    ("dez", 10),
    ("doze", 12),
    ("treze", 13),
    ("dezesseis", 16),
    ("dezasseis", 16),
    ("dezessete", 17),
    ("dezassete", 17),
    ("dezoito", 18),
    ("dezenove", 19),
    ("dezanove", 19),
    ("vinte", 20),
    ("trinta", 30),
    ("quarenta", 40),
    ("cinquenta", 50),
    ("sessenta", 60),
    ("oitenta", 80),
    ("cem", 100),
];

/// Whether a number word after `before` is the last part of a compound
/// ("twenty-five", "vingt-cinq", "vinte e cinco", "one hundred and fifty"):
/// only its last word would be read, so none is.
fn in_compound_number(before: &str) -> bool {
    let before = before.to_lowercase();
    if before.ends_with('-') {
        return true;
    }
    let words: Vec<&str> = before.split_whitespace().collect();
    let counts = |w: &str| {
        number_word_value(w).is_some()
            || matches!(
                w,
                "hundred" | "hundert" | "cent" | "cents" | "cien" | "ciento" | "cientos" | "cento"
            )
    };
    // A word right before counts only as a ten or a hundred ("twenty
    // five"): "eine", "un" and "a" are articles too ("eine zwölf Millionen
    // Euro schwere Runde").
    match words.as_slice() {
        [.., w] if counts(w) && number_word_value(w).is_none_or(|v| v >= 20) => true,
        [.., n, "and" | "e" | "y" | "et" | "und"] => counts(n),
        _ => false,
    }
}

fn number_word_value(w: &str) -> Option<u32> {
    let w = w.to_lowercase();
    let w = w.split_whitespace().collect::<Vec<_>>().join(" ");
    NUMBER_WORDS.iter().find(|(k, _)| *k == w).map(|&(_, v)| v)
}

static NUMBER_WORD_MONEY: LazyLock<Regex> = LazyLock::new(|| {
    let mut words: Vec<&str> = NUMBER_WORDS.iter().map(|(w, _)| *w).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let words = words
        .iter()
        .map(|w| regex::escape(w).replace(' ', r"\s+"))
        .collect::<Vec<_>>()
        .join("|");
    let post = post();
    Regex::new(&format!(
        r"(?i)\b(?P<nw>{words})\s+(?P<scale>mil\s+millones|millionen|millions?|millones|mill[oó]n|milh[õo]es|milh[ãa]o|mio\.?|milliarden|milliarde|milliards?|billions?|bilh[õo]es|bilh[ãa]o|thousand|tausend|mille|mil)\b\.?\s+(?:de\s+|d')?{post}"
    ))
    .expect("valid money pattern")
});

/// A French amount without a currency word right before a funding
/// participle ("avec 9,3 millions levés"): euros.
static BARE_RAISED_FR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b{NUM}\s?(?P<scale>millions?|milliards?|M)\s+(?P<fr>levés|levées|récoltés|récoltées|collectés|collectées)\b"
    ))
    .expect("valid money pattern")
});

static QUALIFIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:over|more than|about|around|approximately|approx\.?|roughly|nearly|almost|some|up to|at least|just under|close to|plus de|près de|environ|mehr als|rund|etwa|knapp|über|más de|cerca de|casi|unos|mais de|quase|aproximadamente|~)\s*$")
        .expect("valid qualifier pattern")
});

fn currency_from_symbol(s: &str) -> Option<&'static str> {
    let u = s.trim_end_matches('.').to_uppercase();
    Some(match u.as_str() {
        "$" | "US$" | "$US" | "USD" => "USD",
        "R$" | "BRL" => "BRL",
        "A$" | "AU$" | "AUD" => "AUD",
        "C$" | "CA$" | "CAD" => "CAD",
        "S$" | "SGD" => "SGD",
        "HK$" | "HKD" => "HKD",
        "NZ$" | "NZD" => "NZD",
        "€" | "EUR" => "EUR",
        "£" | "GBP" => "GBP",
        "₹" | "RS" | "INR" => "INR",
        "¥" | "JPY" => "JPY",
        "CNY" => "CNY",
        "CHF" => "CHF",
        "MXN" => "MXN",
        other => return other_currency(other),
    })
}

/// One of [`OTHER_CODES`], or of [`SIGNS_BEFORE`] and [`SIGNS_AFTER`]
/// (`code` in capitals).
fn other_currency(code: &str) -> Option<&'static str> {
    OTHER_CODES
        .iter()
        .copied()
        .find(|c| *c == code)
        .or_else(|| {
            SIGNS_BEFORE
                .iter()
                .chain(SIGNS_AFTER)
                .find(|(sign, _)| sign.to_uppercase() == code)
                .map(|&(_, c)| c)
        })
}

fn currency_from_word(s: &str) -> Option<&'static str> {
    let w = s.to_lowercase();
    let w = w.as_str();
    Some(if w.starts_with("euro") || w == "eur" || w == "€" {
        "EUR"
    } else if w.contains("dollar")
        || w.starts_with("dólar")
        || w.starts_with("dolar")
        || w == "usd"
        || w == "$"
    {
        "USD"
    } else if w.starts_with("pound")
        || w.starts_with("livre")
        || w.starts_with("libra")
        || w == "gbp"
        || w == "£"
    {
        "GBP"
    } else if w == "rupees" || w == "inr" {
        "INR"
    } else if w == "reais" || w == "brl" {
        "BRL"
    } else if w.contains("franc") || w.contains("franken") || w == "chf" || w == "fr." {
        "CHF"
    } else if w == "yuan" || w == "renminbi" || w == "rmb" || w == "cny" {
        "CNY"
    } else if w == "yen" || w == "jpy" {
        "JPY"
    } else if w.starts_with("pesos") || w == "mxn" {
        "MXN"
    } else {
        return other_currency(&w.to_uppercase());
    })
}

fn scale_factor(s: &str) -> f64 {
    let s = s.to_lowercase();
    let s = s.trim_end_matches('.');
    if s.starts_with("mil ") {
        return 1e9;
    }
    match s {
        "thousand" | "tausend" | "k" | "mil" | "mille" => 1e3,
        "m" | "mn" | "mln" | "mm" | "mio" | "mi" => 1e6,
        "b" | "bn" | "bln" | "bi" | "mrd" | "md" | "mds" => 1e9,
        "cr" | "crore" | "crores" => 1e7,
        "lakh" | "lakhs" | "lac" | "lacs" => 1e5,
        _ if s.starts_with("milliard") => 1e9,
        _ if s.starts_with("mill") || s.starts_with("milh") => 1e6,
        _ if s.starts_with("bil") => 1e9,
        _ => 1.0,
    }
}

/// Whether a scale word is English ("million", "bn", "m"): after a dollar
/// or pound sign and before one, a single `.` is a decimal point ("$2.125
/// million"), not the thousands separator it is in "1.800 millones",
/// "1.500 Millionen" or "2.210M€".
fn english_scale(s: &str) -> bool {
    let s = s.to_lowercase();
    matches!(
        s.trim_end_matches('.').trim_start_matches(['-', ' ']),
        "million"
            | "millions"
            | "billion"
            | "billions"
            | "thousand"
            | "m"
            | "mn"
            | "mln"
            | "mm"
            | "b"
            | "bn"
            | "bln"
            | "k"
    )
}

/// [`parse_number`], except that before an English scale word one `.` and
/// no `,` is a decimal point ("2.125 million" is 2,125,000).
fn parse_number_before(s: &str, english_scale: bool) -> Option<f64> {
    if english_scale && s.matches('.').count() == 1 && !s.contains(',') {
        return s.parse().ok();
    }
    parse_number(s)
}

/// Parses a number with `.` or `,` as decimal or thousands separator: a
/// single separator kind whose groups after the first all have three digits
/// (or two then three, the Indian grouping) is a thousands separator;
/// with both kinds, the last one is the decimal separator.
pub fn parse_number(s: &str) -> Option<f64> {
    let seps: Vec<char> = s.chars().filter(|c| matches!(c, '.' | ',')).collect();
    if seps.is_empty() {
        return s.parse().ok();
    }
    let last_sep = *seps.last()?;
    let mixed = seps.iter().any(|&c| c != last_sep);
    let cleaned: String = if mixed {
        s.chars()
            .filter(|&c| c != if last_sep == '.' { ',' } else { '.' })
            .map(|c| if c == last_sep { '.' } else { c })
            .collect()
    } else {
        let groups: Vec<&str> = s.split(last_sep).collect();
        let tail = &groups[1..];
        let thousands = tail.last().is_some_and(|g| g.len() == 3)
            && tail.iter().all(|g| g.len() == 3 || g.len() == 2)
            && (tail.len() == 1
                || tail[..tail.len() - 1]
                    .iter()
                    .all(|g| g.len() == tail[0].len()));
        if thousands {
            s.chars().filter(|&c| c != last_sep).collect()
        } else if seps.len() == 1 {
            s.replace(last_sep, ".")
        } else {
            return None;
        }
    };
    cleaned.parse().ok()
}

fn to_units(n: f64, factor: f64) -> Option<u64> {
    let v = (n * factor).round();
    if v.is_finite() && (1.0..1e16).contains(&v) {
        Some(v as u64)
    } else {
        None
    }
}

fn from_caps(caps: &Captures<'_>, text: &str) -> Option<MoneyMention> {
    let whole = caps.get(0)?;
    // A bare French amount before "levés" is in euros.
    let currency = caps
        .name("fr")
        .map(|_| "EUR")
        .or_else(|| {
            // A bare "$" takes the dollar named after the amount.
            caps.name("code")
                .filter(|_| caps.name("pre").is_some_and(|p| p.as_str() == "$"))
                .and_then(|m| currency_from_symbol(m.as_str()))
        })
        .or_else(|| {
            caps.name("pre")
                .and_then(|m| currency_from_symbol(m.as_str()))
        })
        .or_else(|| {
            caps.name("post")
                .and_then(|m| currency_from_word(m.as_str()))
        })?;
    let factor = caps.name("scale").map_or(1.0, |m| scale_factor(m.as_str()));
    let amount = if let Some(w) = caps.name("words") {
        let w = w.as_str().to_lowercase();
        if w.contains("halb") || w.contains("half") {
            500_000
        } else if w.contains("billion") || w.contains("milliard") {
            1_000_000_000
        } else {
            1_000_000
        }
    } else if let Some(w) = caps.name("nw") {
        if in_compound_number(&text[..w.start()]) {
            return None;
        }
        to_units(f64::from(number_word_value(w.as_str())?), factor)?
    } else {
        let num = caps.name("num")?.as_str();
        // A dollar or pound sign before, an English scale word after.
        let english = caps
            .name("scale")
            .is_some_and(|m| english_scale(m.as_str()))
            && caps.name("pre").is_some_and(|p| {
                let p = p.as_str().to_uppercase();
                p.contains('$') || p == "£" || matches!(p.as_str(), "USD" | "GBP" | "CAD" | "AUD")
            });
        to_units(parse_number_before(num, english)?, factor)?
    };
    let upper = caps
        .name("num2")
        .and_then(|m| parse_number(m.as_str()))
        .and_then(|n| to_units(n, factor))
        .filter(|&u| u > amount);
    // A range's second number must be a range ("$70-100 million"), not a
    // following word: a lower bound above the upper is no range.
    let approximate = QUALIFIER.is_match(&text[..whole.start()]);
    Some(MoneyMention {
        money: Money {
            amount,
            currency: currency.to_owned(),
        },
        upper,
        approximate,
        start: whole.start(),
        end: whole.end(),
    })
}

/// All money amounts in `text` (normalize it first, see
/// [`crate::text::normalize`]), in order, without overlaps. Numbers without
/// a currency are not money.
pub fn find_money(text: &str) -> Vec<MoneyMention> {
    let mut found: Vec<MoneyMention> = Vec::new();
    for re in [
        &*PREFIXED,
        &*WORDS,
        &*GLUED,
        &*SUFFIXED,
        &*NUMBER_WORD_MONEY,
        &*BARE_RAISED_FR,
    ] {
        for caps in re.captures_iter(text) {
            if let Some(m) = from_caps(&caps, text)
                && !found.iter().any(|f| m.start < f.end && f.start < m.end)
            {
                found.push(m);
            }
        }
    }
    found.sort_by_key(|m| m.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> (u64, String) {
        let m = find_money(s);
        assert_eq!(m.len(), 1, "{s}: {m:?}");
        (m[0].money.amount, m[0].money.currency.clone())
    }

    /// "bln" is a billion, and a `.` between a dollar or pound sign and an
    /// English scale word is a decimal point even with three digits after
    /// it; before "millones" or "M€" it stays a thousands separator.
    #[test]
    fn bln_and_three_decimals_before_an_english_scale() {
        assert_eq!(one("raised $1.5 bln"), (1_500_000_000, "USD".into()));
        assert_eq!(one("raised $2.125 million"), (2_125_000, "USD".into()));
        assert_eq!(one("a $1.125 billion round"), (1_125_000_000, "USD".into()));
        assert_eq!(one("raised $1,125 million"), (1_125_000_000, "USD".into()));
        assert_eq!(one("US$ 1.500 millones"), (1_500_000_000, "USD".into()));
        assert_eq!(one("1.500 Millionen Euro"), (1_500_000_000, "EUR".into()));
    }

    /// A compound number in words is not read at all: its last word alone
    /// would give 5 million for twenty-five.
    #[test]
    fn compound_number_words_are_not_read() {
        for s in [
            "Acme raised twenty-five million dollars",
            "Acme lève vingt-cinq millions d'euros",
            "Acme capta vinte e cinco milhões de reais",
            "Acme raised one hundred and fifty million dollars",
            "Acme raised twenty five million dollars",
        ] {
            assert!(find_money(s).is_empty(), "{s}: {:?}", find_money(s));
        }
        assert_eq!(
            one("Acme raised five million dollars"),
            (5_000_000, "USD".into())
        );
        assert_eq!(
            one("eine zwölf Millionen Euro schwere Runde"),
            (12_000_000, "EUR".into())
        );
    }

    #[test]
    fn amounts_and_units() {
        assert_eq!(one("raised $4.5 million"), (4_500_000, "USD".into()));
        assert_eq!(one("raised $50m"), (50_000_000, "USD".into()));
        assert_eq!(one("a $1.05-billion deal"), (1_050_000_000, "USD".into()));
        assert_eq!(
            one("NEA closes $2.5bn VC fund"),
            (2_500_000_000, "USD".into())
        );
        assert_eq!(one("at least $US1 billion"), (1_000_000_000, "USD".into()));
        assert_eq!(one("GBP6.5 million"), (6_500_000, "GBP".into()));
        assert_eq!(one("EUR 105mn"), (105_000_000, "EUR".into()));
        assert_eq!(one("40 Mio. Euro erhalten"), (40_000_000, "EUR".into()));
        assert_eq!(one("8,5 Milliarden Euro"), (8_500_000_000, "EUR".into()));
        assert_eq!(one("200 Millionen US-Dollar"), (200_000_000, "USD".into()));
        assert_eq!(one("104 millions d'euros"), (104_000_000, "EUR".into()));
        assert_eq!(one("lève 7 M€"), (7_000_000, "EUR".into()));
        assert_eq!(one("2.210M€"), (2_210_000_000, "EUR".into()));
        assert_eq!(
            one("1.800 millones de dólares"),
            (1_800_000_000, "USD".into())
        );
        assert_eq!(one("R$ 3,6 milhões"), (3_600_000, "BRL".into()));
        assert_eq!(one("US$ 1,5 bilhão"), (1_500_000_000, "USD".into()));
        assert_eq!(one("₹4 crore"), (40_000_000, "INR".into()));
        assert_eq!(one("Rs 263.56 crore"), (2_635_600_000, "INR".into()));
        assert_eq!(one("Rs 50 lakh"), (5_000_000, "INR".into()));
        assert_eq!(one("Rs 1,00,000"), (100_000, "INR".into()));
        assert_eq!(one("$500,000"), (500_000, "USD".into()));
        assert_eq!(one("eine halbe Million Euro"), (500_000, "EUR".into()));
        assert_eq!(one("a million pounds"), (1_000_000, "GBP".into()));
        assert_eq!(one("17 billion yuan"), (17_000_000_000, "CNY".into()));
        assert_eq!(one("R$ 200 mil"), (200_000, "BRL".into()));
        assert_eq!(one("€53M de pérdidas"), (53_000_000, "EUR".into()));
        assert_eq!(one("un tour de 30 M$"), (30_000_000, "USD".into()));
        assert_eq!(one("40 MCHF"), (40_000_000, "CHF".into()));
        assert_eq!(one("2 MdEUR"), (2_000_000_000, "EUR".into()));
        assert_eq!(one("50 millions de francs"), (50_000_000, "CHF".into()));
        assert_eq!(one("3 million US dollars"), (3_000_000, "USD".into()));
        assert_eq!(one("3 million U.S. dollars"), (3_000_000, "USD".into()));
        // Other ISO codes, in capitals, before or after; signs naming one
        // currency.
        assert_eq!(one("SEK 300 million"), (300_000_000, "SEK".into()));
        assert_eq!(one("raised ZAR50 million"), (50_000_000, "ZAR".into()));
        assert_eq!(one("a 50m NOK round"), (50_000_000, "NOK".into()));
        assert_eq!(one("KES 11.4 billion"), (11_400_000_000, "KES".into()));
        assert_eq!(one("₦500 million"), (500_000_000, "NGN".into()));
        assert_eq!(one("₩10 billion"), (10_000_000_000, "KRW".into()));
        assert_eq!(one("NT$100 million"), (100_000_000, "TWD".into()));
        assert_eq!(one("KSh 50 million"), (50_000_000, "KES".into()));
        assert_eq!(one("Ksh4.8 billion"), (4_800_000_000, "KES".into()));
        assert_eq!(one("20 mln zł"), (20_000_000, "PLN".into()));
        // ...but not in lower case: words, not currencies.
        assert!(find_money("try 30 million times, sek 5 more").is_empty());
        assert!(find_money("runs on PHP 8 since COP 28").is_empty());
        // A bare dollar sign with its dollar named after the amount.
        assert_eq!(one("raises $1.35M CAD / Canada"), (1_350_000, "CAD".into()));
        assert_eq!(one("raised $5 million AUD"), (5_000_000, "AUD".into()));
        assert_eq!(one("raised CA$12M"), (12_000_000, "CAD".into()));
        // A prefixed dollar keeps its own.
        assert_eq!(one("raised A$5 million USD"), (5_000_000, "AUD".into()));
    }

    #[test]
    fn ranges_qualifiers_and_no_currency() {
        let m = find_money("between $70-100 million");
        assert_eq!(m[0].money.amount, 70_000_000);
        assert_eq!(m[0].upper, Some(100_000_000));
        assert!(find_money("raised more than $20 million")[0].approximate);
        assert!(find_money("founded in 2016 with 250 employees").is_empty());
        let two = find_money("Rs 100 crore ($14 million)");
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].money.currency, "USD");
    }
}
