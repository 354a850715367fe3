//! CSV import parsing (pure: bytes in, records and per-row errors out).
//!
//! Column formats are documented in `docs/import.md`. A bad row is reported
//! with its line number and reason and never stops the good rows.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use encoding_rs::Encoding;
use serde::Serialize;

use crate::domain::{Activity, ActivityId, ActivityKind, Domain, Email, Firmographics, Lead};

/// A file-level problem: nothing could be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The encoding label is not one that encoding_rs knows.
    #[error("unknown encoding `{0}` (try utf-8, windows-1252, iso-8859-1, utf-16le)")]
    UnknownEncoding(String),
    /// The header row (line 1) is missing or unreadable.
    #[error("{0}")]
    Header(String),
    /// Required columns are missing from the header (line 1).
    #[error("missing required column{}: {}", if .0.len() == 1 { "" } else { "s" }, columns(.0))]
    MissingColumns(Vec<&'static str>),
}

impl ImportError {
    /// The line the problem is on, when it is on one (the header's).
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::UnknownEncoding(_) => None,
            Self::Header(_) | Self::MissingColumns(_) => Some(1),
        }
    }
}

/// `` `a`, `b` ``.
fn columns(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// Why it was rejected.
    pub reason: String,
}

/// Parsed rows and rejected rows of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// Good rows with their line numbers.
    pub rows: Vec<(u64, T)>,
    /// Rejected rows.
    pub errors: Vec<RowError>,
    /// The keys of a leads file's columns kept as free lead attributes (the
    /// ones a rule must name to use, `lead = "attributes.KEY"`; a `lead.`
    /// prefix stripped), so an unexpected one can be told apart.
    pub attribute_columns: Vec<String>,
    /// The keys of its `account.KEY` columns, kept as account attributes
    /// (`account = "attributes.KEY"`).
    pub account_attribute_columns: Vec<String>,
    /// Rows of an activities file that repeat an earlier row exactly (line,
    /// the earlier line): one activity, imported once.
    pub repeated: Vec<(u64, u64)>,
    /// An activities file's columns that are not read (its header's
    /// names, normalized).
    pub ignored_columns: Vec<String>,
    /// The custom kinds of an activities file's rows imported: name, rows,
    /// and the built-in kind it likely stands for (`pageview`:
    /// `page_viewed`), which rules name instead.
    pub custom_kinds: Vec<(String, usize, Option<&'static str>)>,
}

/// A lead row: the lead and what it tells about its account.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadRow {
    /// The lead (account derived from email or website).
    pub lead: Lead,
    /// The row's website, read for a free-mail address only (where it is
    /// the account): the host as written, before [`Domain::registrable`].
    pub website: Option<Domain>,
    /// Company display name.
    pub company: Option<String>,
    /// Firmographics given on the row, for the lead's account.
    pub firmographics: Firmographics,
}

/// Decodes `bytes` (stripping a BOM) with the encoding labelled `label`, or
/// returns `None` for strict UTF-8 handled row by row.
fn decode(bytes: &[u8], label: Option<&str>) -> Result<Option<String>, ImportError> {
    match label.map(str::trim) {
        None => Ok(None),
        Some(l) if l.eq_ignore_ascii_case("utf-8") || l.eq_ignore_ascii_case("utf8") => Ok(None),
        Some(l) => {
            let enc = Encoding::for_label(l.as_bytes())
                .ok_or_else(|| ImportError::UnknownEncoding(l.to_owned()))?;
            let (text, _, _) = enc.decode(bytes);
            Ok(Some(text.into_owned()))
        }
    }
}

struct Table {
    header: Vec<String>,
    records: Vec<(u64, Result<Vec<String>, String>)>,
}

/// The field separator the header line uses: a comma, or the semicolon
/// of a European-locale Excel "CSV", or the tab of Excel's "Unicode Text"
/// (its only UTF-16 export), whichever it has most of outside quotes.
pub fn delimiter(data: &[u8]) -> u8 {
    // The first line, whatever ends it (a lone `\r` in old Mac exports).
    let line = data
        .split(|&b| matches!(b, b'\n' | b'\r'))
        .next()
        .unwrap_or(data);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t'][best]
    }
}

/// A first line `sep=X` (which Excel writes and reads to name the
/// separator): the separator and the data after that line.
fn sep_line(data: &[u8]) -> Option<(u8, &[u8])> {
    let end = data.iter().position(|&b| b == b'\n' || b == b'\r')?;
    let line = &data[..end];
    let sep = match line {
        [s, e, p, b'=', x] if [*s, *e, *p].eq_ignore_ascii_case(b"sep") => *x,
        _ => return None,
    };
    let mut rest = &data[end..];
    rest = rest.strip_prefix(b"\r").unwrap_or(rest);
    rest = rest.strip_prefix(b"\n").unwrap_or(rest);
    Some((sep, rest))
}

/// `unicode_trim`: cells are trimmed of Unicode spaces too (a no-break
/// space pasted from a web page), not only of the ASCII ones the reader
/// trims. Leads files only: an activity's cells make its derived id, and
/// an id must stay what an earlier import made it.
fn read_table(
    bytes: &[u8],
    encoding: Option<&str>,
    unicode_trim: bool,
) -> Result<Table, ImportError> {
    let decoded = decode(bytes, encoding)?;
    let data: &[u8] = match &decoded {
        Some(s) => s.as_bytes(),
        None => bytes,
    };
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    // Excel's `sep=;` first line names the separator; the header follows.
    let (data, separator, skipped) = match sep_line(data) {
        Some((sep, rest)) => (rest, sep, 1),
        None => (data, delimiter(data), 0),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(separator)
        .from_reader(data);
    let header = reader
        .byte_headers()
        .map_err(|e| ImportError::Header(e.to_string()))?
        .iter()
        .map(|h| {
            String::from_utf8(h.to_vec())
                .map(|s| header_name(&s))
                .map_err(|_| {
                    ImportError::Header("the header is not valid UTF-8; pass --encoding".into())
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if header.iter().all(String::is_empty) {
        return Err(ImportError::Header("empty header row".into()));
    }
    // UTF-16 read as UTF-8 (or any 8-bit encoding) has a NUL between its
    // letters: no column would be found.
    if header.iter().any(|h| h.contains('\0')) {
        return Err(ImportError::Header(
            "the header has NUL bytes between its letters: the file looks like UTF-16; pass --encoding utf-16le (or utf-16be)".into(),
        ));
    }
    let mut records = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    loop {
        let before = reader.position().clone();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.line_at(data, record.position().unwrap_or(&before)) + skipped;
                if record.iter().all(<[u8]>::is_empty) {
                    continue;
                }
                let fields = record
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        // Trimmed of Unicode spaces too (a no-break space
                        // pasted from a web page), as the reader trims
                        // ASCII ones.
                        String::from_utf8(f.to_vec())
                            .map(|s| {
                                let t = s.trim();
                                if !unicode_trim || t.len() == s.len() {
                                    s
                                } else {
                                    t.to_owned()
                                }
                            })
                            .map_err(|e| {
                            format!(
                                "column {} is not valid UTF-8 (byte {}); if the file comes from Excel, pass --encoding windows-1252",
                                i + 1,
                                e.utf8_error().valid_up_to() + 1
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>();
                let fields = fields.and_then(|f| {
                    if let Some((i, problem)) = f
                        .iter()
                        .enumerate()
                        .find_map(|(i, v)| cell_problem(v).map(|p| (i, p)))
                    {
                        let name = header.get(i).map_or("", String::as_str);
                        return Err(format!("`{name}` (column {}) {problem}", i + 1));
                    }
                    if f.len() > header.len() {
                        Err(format!(
                            "{} fields but the header has {}",
                            f.len(),
                            header.len()
                        ))
                    } else {
                        Ok(f)
                    }
                });
                records.push((line, fields));
            }
            Err(e) => {
                let line = lines.line_at(data, e.position().unwrap_or(&before));
                records.push((line, Err(format!("unreadable CSV: {e}"))));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    Ok(Table { header, records })
}

/// The 1-based line a record starts on. The CSV reader's own line count
/// is one short after a CRLF line end or a blank line (it counts the `\n`
/// ending the line before as part of the next record), so the lines are
/// counted here, from the record's first byte past those line ends.
#[derive(Debug, Default)]
pub struct LineCounter {
    /// Where the count was last taken, and the `\n`s before it.
    at: usize,
    newlines: u64,
}

impl LineCounter {
    /// The line of the record at `position` of `data` (the bytes the
    /// reader reads); records are taken in order.
    pub fn line_at(&mut self, data: &[u8], position: &csv::Position) -> u64 {
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(data.len());
        while start < data.len() && matches!(data[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.at {
            // Never behind the last record; counted again from the top.
            *self = Self::default();
        }
        // A line ends at `\n`, or at a `\r` that no `\n` follows (the
        // Macintosh CSV Excel for Mac writes).
        self.newlines += (self.at..start)
            .filter(|&i| match data[i] {
                b'\n' => true,
                b'\r' => data.get(i + 1) != Some(&b'\n'),
                _ => false,
            })
            .count() as u64;
        self.at = start;
        self.newlines + 1
    }
}

/// The longest value a cell may hold, in characters: far above any name,
/// title or note, far below what a store item can hold (DynamoDB's is
/// 400 KB).
pub const MAX_CELL_CHARS: usize = 10_000;

/// Why a cell cannot be stored as it is: too long, or control characters
/// (line breaks and tabs aside), which would reach terminals and Slack
/// messages as they are.
fn cell_problem(v: &str) -> Option<String> {
    if v.chars().count() > MAX_CELL_CHARS {
        return Some(format!("is longer than {MAX_CELL_CHARS} characters"));
    }
    v.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| format!("contains the control character U+{:04X}", u32::from(c)))
}

struct Row<'a> {
    header: &'a [String],
    fields: &'a [String],
}

impl Row<'_> {
    fn get(&self, col: &str) -> Option<&str> {
        self.header
            .iter()
            .position(|h| h == col)
            .and_then(|i| self.fields.get(i))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// A number cell's value, unless it says there is none: `n/a`, `-`,
/// `unknown`, an Excel error (`#N/A`, `#VALUE!`); such a cell is empty.
fn known(v: &str) -> Option<&str> {
    const NONE: [&str; 12] = [
        "n/a", "na", "n.a.", "-", "--", "—", "–", "?", "null", "none", "unknown", "tbd",
    ];
    let lower = v.trim().to_lowercase();
    // Excel's accounting zero (`$ -`): a dash after a currency sign.
    let bare: String = lower
        .chars()
        .filter(|c| !CURRENCY_SIGNS.contains(c) && !c.is_whitespace())
        .collect();
    (!(NONE.contains(&lower.as_str())
        || (bare != lower && NONE.contains(&bare.as_str()))
        || (lower.starts_with('#') && lower.len() <= 8)))
        .then_some(v)
}

/// A website cell's value, unless it says there is none ([`known`]'s
/// words, and what forms and exports put there: `not provided`, a bare
/// `http://`, `www`).
fn known_website(v: &str) -> Option<&str> {
    let lower = v.trim().to_lowercase();
    let none = [
        "not provided",
        "not available",
        "no website",
        "http://",
        "https://",
        "www",
        "www.",
    ];
    known(v).filter(|_| !none.contains(&lower.as_str()))
}

/// `v` without a word saying it is approximate (`~200`, `approx. 200`,
/// `ca. 5M`, `about 50`).
fn without_approx(v: &str) -> &str {
    let t = v.trim_start();
    for prefix in [
        "approximately",
        "approx.",
        "approx",
        "about",
        "circa",
        "ca.",
        "~",
        "≈",
    ] {
        if let Some(rest) = t.get(..prefix.len())
            && rest.eq_ignore_ascii_case(prefix)
        {
            return t[prefix.len()..].trim_start();
        }
    }
    t
}

/// A whole number (`1,200`, `1.200`, `1 200`), or a size band as CRM and
/// data vendors export them (`51-200`, `51 to 200`, `10,001+`), counted as
/// its lower bound.
fn parse_count(col: &str, cell: &str) -> Result<u64, String> {
    const EXPECTED: &str = "a whole number or a band such as 51-200";
    let v = without_approx(cell);
    // LinkedIn's own label for a company of one.
    if v.trim().eq_ignore_ascii_case("self-employed") {
        return Ok(1);
    }
    // A count with its unit (`250 employees`, `10,001+ employees`, `1
    // employee`, `201-500 Mitarbeiter`): the unit is dropped.
    let v = strip_people_word(v);
    // An amount of money in the headcount column (a revenue pasted one
    // column off): no number of people.
    let money = v.contains(CURRENCY_SIGNS)
        || v.split(|c: char| !c.is_alphabetic())
            .any(|w| w.len() >= 3 && CURRENCY_CODES.contains(&w.to_lowercase().as_str()));
    if money {
        return Err(format!(
            "`{col}` `{cell}` is an amount of money, not a number of people"
        ));
    }
    let (lower, upper) = match v.split_once(['-', '–']).or_else(|| v.split_once(" to ")) {
        Some((low, high)) => (low, Some(high)),
        None => (v.trim_end().strip_suffix('+').unwrap_or(v), None),
    };
    let n = parse_decimal(lower).map_err(|e| e.reason(col, cell, EXPECTED))?;
    if !(n >= 0.0 && n.fract() == 0.0 && n <= u64::MAX as f64) {
        return Err(NotANumber::Invalid.reason(col, cell, EXPECTED));
    }
    // A band's upper bound (`5K`, or its number before the words of `51 -
    // 200 employees`) is not below its lower one (`500-100` is a typo, not
    // 500); a third part (`1-2-3`, a date) is no band.
    if let Some(high) = upper {
        if high.contains(['-', '–']) {
            return Err(NotANumber::Invalid.reason(col, cell, EXPECTED));
        }
        let high = parse_decimal(high).or_else(|_| {
            let number: Vec<&str> = high
                .split_whitespace()
                .take_while(|w| !w.starts_with(char::is_alphabetic))
                .collect();
            parse_decimal(&number.join(" "))
        });
        match high {
            Ok(high) if high < n => {
                return Err(format!("`{col}` band `{cell}` ends below where it starts"));
            }
            Ok(_) => {}
            // `10-Jan`: a spreadsheet turned the band `1-10` into a date.
            Err(_) => {
                return Err(format!(
                    "`{col}` `{cell}` is no band of numbers (a spreadsheet may have turned a band such as `1-10` into a date)"
                ));
            }
        }
    }
    Ok(n as u64)
}

/// `v` without a last word that names what a headcount counts.
fn strip_people_word(v: &str) -> &str {
    const WORDS: [&str; 16] = [
        "employees",
        "employee",
        "people",
        "persons",
        "staff",
        "ftes",
        "fte",
        "mitarbeiter",
        "mitarbeitende",
        "beschäftigte",
        "salariés",
        "salaries",
        "employés",
        "empleados",
        "funcionários",
        "funcionarios",
    ];
    let t = v.trim_end();
    match t.rsplit_once(char::is_whitespace) {
        Some((rest, word))
            if WORDS.contains(&word.to_lowercase().as_str())
                && rest.chars().any(|c| c.is_ascii_digit()) =>
        {
            rest.trim_end()
        }
        _ => t,
    }
}

/// A non-negative amount: [`parse_decimal`]'s forms, with a currency sign
/// or code and a multiplier (`€1.234,56`, `USD 2,500,000`, `2.5M`).
fn parse_amount(col: &str, v: &str) -> Result<f64, String> {
    const EXPECTED: &str = "a non-negative number";
    let v = without_approx(v);
    // A band as data vendors give revenue (`$10M - $50M`, `$1B+`): its
    // lower bound, as a headcount band's.
    let v = v.trim_end().strip_suffix('+').unwrap_or(v);
    if let Some((low, high)) = v.split_once(" - ").or_else(|| v.split_once(" – "))
        && let (Ok(l), Ok(h)) = (parse_decimal(low), parse_decimal(high))
        && l >= 0.0
    {
        return if h >= l {
            Ok(l)
        } else {
            Err(format!("`{col}` band `{v}` ends below where it starts"))
        };
    }
    match parse_decimal(v) {
        Ok(x) if x >= 0.0 => Ok(x),
        Ok(_) => Err(NotANumber::Invalid.reason(col, v, EXPECTED)),
        Err(e) => Err(e.reason(col, v, EXPECTED)),
    }
}

/// Currency signs and codes an amount may carry; they are dropped (amounts
/// are compared as numbers, in whatever currency the file uses).
const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥', '₹', '₩', '₽', '₺', '₪', '₱', '₫', '₦'];
const CURRENCY_CODES: &[&str] = &[
    "usd", "eur", "gbp", "chf", "jpy", "cny", "rmb", "inr", "cad", "aud", "nzd", "sek", "nok",
    "dkk", "pln", "czk", "huf", "brl", "mxn", "ars", "clp", "cop", "zar", "sgd", "hkd", "krw",
    "ils", "try", "aed", "sar", "us", "ca", "au", "nz", "hk", "s", "r", "a", "c", "kr", "zł",
];

/// Multipliers written after a number, lowercase, longest first.
const MULTIPLIERS: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("millions", 1e6),
    ("million", 1e6),
    ("billions", 1e9),
    ("billion", 1e9),
    ("mio.", 1e6),
    ("mio", 1e6),
    ("mrd.", 1e9),
    ("mrd", 1e9),
    ("bn", 1e9),
    ("mm", 1e6),
    ("mn", 1e6),
    ("k", 1e3),
    ("m", 1e6),
    ("b", 1e9),
];

/// Why a text is no number for [`parse_decimal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotANumber {
    /// One mark before a multiplier that reads both ways (`1,250k`).
    Ambiguous,
    /// Any other text.
    Invalid,
}

impl NotANumber {
    /// The reason for a column's value, `expected` saying what it takes.
    fn reason(self, col: &str, v: &str, expected: &str) -> String {
        match self {
            Self::Ambiguous => format!(
                "`{col}` `{v}` is ambiguous before its multiplier (1.25 or 1,250 thousand for `1,250k`?): write `1.25k` or `1250k`"
            ),
            Self::Invalid => format!("`{col}` must be {expected}, got `{v}`"),
        }
    }
}

/// A number as spreadsheets and CRMs write it, in either convention:
/// `1,234,567.89` or `1.234.567,89` (also with spaces, non-breaking spaces
/// or apostrophes between groups, and the Indian `12,34,567`), with an
/// optional currency sign or code and an optional multiplier (`2.5M`,
/// `1,5 Mio`, `3bn`, `750k`).
///
/// Which of `.` and `,` is the decimal mark: the last one when both occur;
/// a group separator when one occurs more than once; when one occurs once,
/// a group separator if exactly three digits follow it and one to three
/// (not a lone `0`) come before (`1,234` and `1.234` are 1234), else the
/// decimal mark (`1,5`, `2.50`, `0.125`). Before a multiplier, such a
/// single mark is refused (`1,250k`: 1.25 or 1,250 thousand?), as is any
/// other form: `1,23,4` or `1.2.3,4,5` is no number.
fn parse_decimal(v: &str) -> Result<f64, NotANumber> {
    let mut s: String = v
        .chars()
        .filter(|c| {
            !(c.is_whitespace()
                || matches!(c, '\'' | '’' | '_' | '\u{202F}' | '\u{2009}')
                || CURRENCY_SIGNS.contains(c))
        })
        .collect::<String>()
        .to_lowercase();
    // A code before the number (`USD 5,000`, `US$5,000` with its sign
    // gone), then after it (`5.000 EUR`).
    if let Some(code) = CURRENCY_CODES
        .iter()
        .find(|c| s.starts_with(**c) && s[c.len()..].starts_with(|d: char| d.is_ascii_digit()))
    {
        s.drain(..code.len());
    }
    // After the number or its multiplier (`5.000 EUR`, `750k USD`, `5 Mio.
    // EUR`).
    let ends_a_number = |rest: &str| {
        rest.ends_with(|d: char| d.is_ascii_digit())
            || MULTIPLIERS.iter().any(|(suffix, _)| {
                rest.strip_suffix(suffix)
                    .is_some_and(|r| r.ends_with(|d: char| d.is_ascii_digit()))
            })
    };
    for code in CURRENCY_CODES.iter().filter(|c| c.chars().count() >= 2) {
        if let Some(rest) = s.strip_suffix(code)
            && ends_a_number(rest)
        {
            s.truncate(rest.len());
            break;
        }
    }
    let mut multiplier = 1.0;
    if let Some((suffix, m)) = MULTIPLIERS.iter().find(|(suffix, _)| {
        s.strip_suffix(suffix)
            .is_some_and(|rest| rest.ends_with(|d: char| d.is_ascii_digit()))
    }) {
        s.truncate(s.len() - suffix.len());
        multiplier = *m;
    }
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    if digits.is_empty()
        || !digits
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return Err(NotANumber::Invalid);
    }
    let last_dot = digits.rfind('.');
    let last_comma = digits.rfind(',');
    let decimal = match (last_dot, last_comma) {
        (None, None) => None,
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(i), None) | (None, Some(i)) => {
            let mark = digits.as_bytes()[i];
            let once = digits.bytes().filter(|b| *b == mark).count() == 1;
            let (before, after) = (&digits[..i], &digits[i + 1..]);
            let grouping = after.len() == 3 && (1..=3).contains(&before.len()) && before != "0";
            // Before a multiplier, `1,250k` is 1.25 thousand to one reader
            // and 1,250 thousand to another: refused, not guessed.
            if once && grouping && multiplier != 1.0 {
                return Err(NotANumber::Ambiguous);
            }
            (once && !grouping).then_some(i)
        }
    };
    let (int, frac) = match decimal {
        Some(i) => (&digits[..i], &digits[i + 1..]),
        None => (digits, ""),
    };
    if frac.contains(['.', ',']) || (decimal.is_some() && frac.is_empty()) {
        return Err(NotANumber::Invalid);
    }
    let int = ungroup(int).ok_or(NotANumber::Invalid)?;
    let number: f64 = format!("{int}.{}", if frac.is_empty() { "0" } else { frac })
        .parse()
        .map_err(|_| NotANumber::Invalid)?;
    let n = number * multiplier;
    if n.is_finite() {
        Ok(if negative { -n } else { n })
    } else {
        Err(NotANumber::Invalid)
    }
}

/// The digits of an integer part written with one group separator, checked
/// against Western (`1,234,567`) or Indian (`12,34,567`) grouping.
fn ungroup(int: &str) -> Option<String> {
    let Some(sep) = int.bytes().find(|b| !b.is_ascii_digit()) else {
        return (!int.is_empty()).then(|| int.to_owned());
    };
    let groups: Vec<&str> = int.split(sep as char).collect();
    let (first, rest) = groups.split_first()?;
    let (last, middle) = rest.split_last()?;
    let lengths_are = |n: usize| middle.iter().all(|g| g.len() == n);
    let western = (1..=3).contains(&first.len()) && last.len() == 3 && lengths_are(3);
    let indian = (1..=2).contains(&first.len()) && last.len() == 3 && lengths_are(2);
    let digits_only = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    (digits_only && (western || indian)).then(|| groups.concat())
}

/// Whose attribute a free column of a leads file is, under which key.
enum AttributeOf<'c> {
    /// `account.KEY`: the account's.
    Account(&'c str),
    /// Any other: the lead's (a `lead.` prefix stripped).
    Lead(&'c str),
}

fn attribute_of(column: &str) -> AttributeOf<'_> {
    match column.strip_prefix("account.") {
        Some(key) => AttributeOf::Account(key),
        None => AttributeOf::Lead(column.strip_prefix("lead.").unwrap_or(column)),
    }
}

/// Refuses a header that names a column the import reads (`read`) twice
/// (`title,…,Title`, after the normalization): which of the two values is
/// meant cannot be told. Other columns may repeat (CRM exports give two
/// objects' fields one label): as attributes, the last value is kept.
fn no_repeated_columns(header: &[String], read: &[&str]) -> Result<(), ImportError> {
    for (i, h) in header
        .iter()
        .enumerate()
        .filter(|(_, h)| read.contains(&h.as_str()))
    {
        if let Some(j) = header[i + 1..].iter().position(|other| other == h) {
            return Err(ImportError::Header(format!(
                "column `{h}` appears twice in the header (columns {} and {}): remove or rename one",
                i + 1,
                i + j + 2
            )));
        }
    }
    Ok(())
}

/// Columns of the leads CSV that are not free attributes.
pub const LEAD_COLUMNS: [&str; 11] = [
    "email",
    "first_name",
    "last_name",
    "title",
    "company",
    "website",
    "industry",
    "employees",
    "revenue",
    "country",
    "owner",
];

/// Other names CRM exports give the lead columns (after the header's
/// normalization: lowercase, spaces and hyphens as underscores): HubSpot's
/// `Job Title`, `Company Name`, `Website URL`, `Number of Employees`,
/// `Contact owner`; Salesforce's `No. of Employees`, `Lead Owner`,
/// `Account Name`; and common variants.
const LEAD_COLUMN_ALIASES: &[(&str, &[&str])] = &[
    (
        "email",
        &[
            "email_address",
            "e_mail",
            "e_mail_address",
            "work_email",
            "business_email",
        ],
    ),
    ("first_name", &["firstname", "given_name"]),
    ("last_name", &["lastname", "surname", "family_name"]),
    ("title", &["job_title", "jobtitle", "position"]),
    (
        "company",
        &[
            "company_name",
            "account_name",
            "organization",
            "organisation",
            // Salesforce's "Company / Account".
            "company_/_account",
        ],
    ),
    (
        "website",
        &[
            "website_url",
            "company_website",
            "web_site",
            "domain",
            "company_domain_name",
            "company_domain",
        ],
    ),
    (
        "employees",
        &[
            "number_of_employees",
            "no._of_employees",
            "employee_count",
            "num_employees",
            "headcount",
            // Apollo's "# Employees", Sales Navigator exports' "Company Size".
            "#_employees",
            "company_size",
            "numberofemployees",
        ],
    ),
    // Salesforce's and HubSpot's API names too (`NumberOfEmployees`,
    // `AnnualRevenue`, a Contact's `MailingCountry`).
    ("revenue", &["annual_revenue", "annualrevenue"]),
    (
        "country",
        &[
            "country/region",
            "country_region",
            "mailingcountry",
            "mailing_country",
            "billingcountry",
            "billing_country",
        ],
    ),
    (
        "owner",
        &[
            "contact_owner",
            "lead_owner",
            "account_owner",
            "record_owner",
        ],
    ),
];

/// Renames a header's aliases of the lead columns to the column, unless
/// the column itself is there (then the alias stays an attribute).
fn alias_lead_columns(header: &mut [String]) {
    alias_columns(header, LEAD_COLUMN_ALIASES);
}

/// Parses a leads CSV. `now` stamps created/updated times. Columns are
/// matched by name, with the aliases of CRM exports (`Job Title` is the
/// title); [`Parsed::attribute_columns`] names those kept as attributes.
pub fn parse_leads(
    bytes: &[u8],
    encoding: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Parsed<LeadRow>, ImportError> {
    let mut table = read_table(bytes, encoding, true)?;
    alias_lead_columns(&mut table.header);
    no_repeated_columns(&table.header, &LEAD_COLUMNS)?;
    if !table.header.iter().any(|h| h == "email") {
        return Err(ImportError::MissingColumns(vec!["email"]));
    }
    let mut out = Parsed {
        rows: Vec::new(),
        errors: Vec::new(),
        attribute_columns: Vec::new(),
        account_attribute_columns: Vec::new(),
        repeated: Vec::new(),
        ignored_columns: Vec::new(),
        custom_kinds: Vec::new(),
    };
    for h in &table.header {
        if h.is_empty() || LEAD_COLUMNS.contains(&h.as_str()) {
            continue;
        }
        // A column named twice is one attribute, listed once.
        let (keys, key) = match attribute_of(h) {
            AttributeOf::Account(key) => (&mut out.account_attribute_columns, key),
            AttributeOf::Lead(key) => (&mut out.attribute_columns, key),
        };
        if !keys.iter().any(|k| k == key) {
            keys.push(key.to_owned());
        }
    }
    let mut seen: HashMap<Email, u64> = HashMap::new();
    for (line, fields) in table.records {
        let result = fields.and_then(|fields| {
            let row = Row {
                header: &table.header,
                fields: &fields,
            };
            let email = Email::parse(row.get("email").ok_or("`email` is empty")?)
                .map_err(|e| format!("`email`: {e}"))?;
            if let Some(why) = email.lead_problem() {
                return Err(format!("`email`: {why}"));
            }
            if let Some(first) = seen.get(&email) {
                return Err(format!("duplicate of line {first} (same email {email})"));
            }
            // The website is the account only for a free-mail address; for
            // the others it is not read, so a value such as `N/A` there does
            // not cost the row.
            let website = row
                .get("website")
                .filter(|_| email.is_free_mail())
                .and_then(known_website)
                .map(|w| {
                    Domain::parse(w)
                        .map_err(|e| format!("`website`: {e}"))
                        .and_then(|d| {
                            if d.is_address() {
                                Err(format!(
                                    "`website`: `{w}` is an IP address, not a company's website"
                                ))
                            } else {
                                Ok(d)
                            }
                        })
                })
                .transpose()?;
            let mut lead = Lead::new(email.clone(), website.as_ref(), now);
            lead.first_name = row.get("first_name").map(str::to_owned);
            lead.last_name = row.get("last_name").map(str::to_owned);
            lead.set_title(row.get("title").map(str::to_owned));
            lead.owner = row.get("owner").map(str::to_owned);
            let mut firmographics = Firmographics {
                industry: row.get("industry").map(str::to_owned),
                employees: row
                    .get("employees")
                    .and_then(known)
                    .map(|v| parse_count("employees", v))
                    .transpose()?,
                revenue: row
                    .get("revenue")
                    .and_then(known)
                    .map(|v| parse_amount("revenue", v))
                    .transpose()?,
                country: row.get("country").map(str::to_owned),
                attributes: BTreeMap::new(),
            };
            for (i, col) in table.header.iter().enumerate() {
                if col.is_empty() || LEAD_COLUMNS.contains(&col.as_str()) {
                    continue;
                }
                let Some(v) = fields.get(i).filter(|v| !v.is_empty()) else {
                    continue;
                };
                match attribute_of(col) {
                    AttributeOf::Account(key) => {
                        firmographics.attributes.insert(key.to_owned(), v.clone());
                    }
                    AttributeOf::Lead(key) => {
                        lead.attributes.insert(key.to_owned(), v.clone());
                    }
                }
            }
            seen.insert(email, line);
            Ok(LeadRow {
                lead,
                website,
                company: row.get("company").map(str::to_owned),
                firmographics,
            })
        });
        match result {
            Ok(row) => out.rows.push((line, row)),
            Err(reason) => out.errors.push(RowError { line, reason }),
        }
    }
    Ok(out)
}

/// The path of a page's address as analytics exports write it: a full
/// URL, one without its scheme (`acme.com/pricing?utm_source=x`), or a
/// path alone (`/pricing#plans`); query and fragment dropped.
fn url_path(u: &str) -> Option<String> {
    let u = u.trim();
    if u.starts_with('/') && !u.starts_with("//") {
        let end = u.find(['?', '#']).unwrap_or(u.len());
        return Some(u[..end].to_owned());
    }
    let parsed = url::Url::parse(u)
        .ok()
        .filter(|x| matches!(x.scheme(), "http" | "https"))
        .or_else(|| {
            // A host first (`acme.com/pricing`, `www.acme.com`): no scheme.
            let host = u.split(['/', '?', '#']).next().unwrap_or_default();
            (host.contains('.') && !host.contains([' ', '@', ':']))
                .then(|| url::Url::parse(&format!("https://{u}")).ok())
                .flatten()
        })?;
    Some(parsed.path().to_owned())
}

/// Parses a timestamp: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (UTC) or
/// `YYYY-MM-DD` (midnight UTC). A year before 1970 is refused: the parser
/// reads a two-digit year (`22.11.26`, `26-11-22`) as the year 26.
pub fn parse_timestamp(v: &str) -> Result<DateTime<Utc>, String> {
    let t = parse_any_timestamp(v)?;
    if t.year() < 1970 {
        return Err(format!(
            "`{}` reads as the year {}: write the year with four digits",
            v.trim(),
            t.year()
        ));
    }
    Ok(t)
}

fn parse_any_timestamp(v: &str) -> Result<DateTime<Utc>, String> {
    let v = v.trim();
    // BigQuery's `2026-12-01 09:12:00 UTC`; year-first with slashes
    // (`2026/12/01`), which reads one way only.
    let utc_word = v
        .strip_suffix(" UTC")
        .or_else(|| v.strip_suffix(" GMT"))
        .map(|t| format!("{t}Z"));
    let v = utc_word.as_deref().unwrap_or(v);
    let dashed = (v.len() >= 10
        && v.as_bytes()[4] == b'/'
        && v.as_bytes()[7] == b'/'
        && v.is_char_boundary(10))
    .then(|| format!("{}{}", v[..10].replace('/', "-"), &v[10..]));
    let v = dashed.as_deref().unwrap_or(v);
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    // With an offset as exports write it (`+0100`, `+01:00`, a space
    // before it, a `Z` after a space-separated time).
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M%z",
        // Without seconds: `Z`, ` UTC` and an hour-only `+01` too.
        "%Y-%m-%dT%H:%M%#z",
        "%Y-%m-%d %H:%M%#z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(v, fmt) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.fZ",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, fmt) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc());
    }
    // RFC 2822 (`Tue, 01 Dec 2026 09:12:00 +0100`: email and feed exports).
    if let Ok(t) = DateTime::parse_from_rfc2822(v) {
        return Ok(t.with_timezone(&Utc));
    }
    // Unix time: seconds (10 digits, 2001 to 2286) or milliseconds (13).
    if v.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = v.parse::<i64>()
        && ((n >= 1_000_000_000 && v.len() == 10) || (n >= 1_000_000_000_000 && v.len() == 13))
    {
        let t = if v.len() == 10 {
            DateTime::from_timestamp(n, 0)
        } else {
            DateTime::from_timestamp_millis(n)
        };
        if let Some(t) = t {
            return Ok(t);
        }
    }
    // Unix time with a fraction, as pandas and BigQuery write it
    // (`1764771725.123`, `1764771725000.0`).
    if let Some((whole, frac)) = v.split_once('.')
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && let Ok(x) = v.parse::<f64>()
    {
        let t = match whole.len() {
            10 => DateTime::from_timestamp_millis((x * 1000.0).round() as i64),
            13 => DateTime::from_timestamp_millis(x.round() as i64),
            _ => None,
        };
        if let Some(t) = t {
            return Ok(t);
        }
    }
    // A dotted date is day-first wherever it is written (`03.11.2026
    // 14:22`, German and other European exports).
    for fmt in ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, fmt) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%d.%m.%Y")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc());
    }
    // `12/02/2026` is December 2nd to one export, February 12th to another.
    let slashed: Vec<&str> = v
        .split([' ', 'T'])
        .next()
        .unwrap_or("")
        .split('/')
        .collect();
    if slashed.len() == 3
        && slashed
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!(
            "`occurred_at` `{v}`: a date with slashes reads as month/day to one export and day/month to another; write it as YYYY-MM-DD (export ISO dates, or convert the column)"
        ));
    }
    Err(format!(
        "`occurred_at` must be RFC 3339, `YYYY-MM-DD HH:MM:SS` (UTC, or with an offset such as +0100), `YYYY-MM-DD`, RFC 2822 or Unix time, got `{v}`"
    ))
}

/// The columns of the activities CSV.
const ACTIVITY_COLUMNS: [&str; 7] = [
    "email",
    "kind",
    "occurred_at",
    "path",
    "url",
    "detail",
    "id",
];

/// Other names activity exports give the activities' columns (after the
/// header's normalization), first preferred. Only for the columns without
/// which a file was refused, and `path` (a page view without one was
/// refused): a file imported before these names were read imports the same
/// activities under the same ids. `url`, `detail` and `id` have none: read
/// under another name, they would change the ids of rows imported before,
/// and a re-import would add them again.
const ACTIVITY_COLUMN_ALIASES: &[(&str, &[&str])] = &[
    (
        "email",
        &[
            "email_address",
            "e_mail",
            "e_mail_address",
            "work_email",
            "business_email",
            "contact_email",
        ],
    ),
    (
        "kind",
        &["activity_type", "event_type", "activity", "event", "type"],
    ),
    (
        "occurred_at",
        &[
            "timestamp",
            "activity_date",
            "event_date",
            "event_time",
            "date",
            "time",
        ],
    ),
    ("path", &["page_path"]),
];

/// A header cell as columns are named: trimmed, lowercase, spaces and
/// dashes as underscores (`First Name` is `first_name`).
pub fn header_name(cell: &str) -> String {
    cell.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Renames to each column the first of its `aliases` in the header (in the
/// aliases' order, not the header's: `Event Type` before `Event`), unless
/// the column itself is there (then the aliases stay as they are). Header
/// names are [`header_name`]s.
pub fn alias_columns(header: &mut [String], aliases: &[(&str, &[&str])]) {
    for (column, names) in aliases {
        if header.iter().any(|h| h == column) {
            continue;
        }
        if let Some(i) = names
            .iter()
            .find_map(|n| header.iter().position(|h| h == n))
        {
            header[i] = (*column).to_owned();
        }
    }
}

/// The longest activity `id` a file may give, in bytes.
pub const MAX_ID_BYTES: usize = 512;

/// Parses an activities CSV. Rows of one lead with the same id (given, or
/// derived from email, kind, path, time, URL and detail) are kept once; two
/// leads' `evt-1` are two activities, as in the store.
pub fn parse_activities(
    bytes: &[u8],
    encoding: Option<&str>,
) -> Result<Parsed<Activity>, ImportError> {
    let mut table = read_table(bytes, encoding, false)?;
    // A day in one column and its time in another: neither alone is when
    // it happened (two opens of one day would be one activity).
    let has = |c: &str| table.header.iter().any(|h| h == c);
    let day = ["date", "activity_date", "event_date"]
        .into_iter()
        .find(|c| has(c));
    let time = ["time", "activity_time", "event_time"]
        .into_iter()
        .find(|c| has(c));
    if !has("occurred_at")
        && !has("timestamp")
        && let (Some(day), Some(time)) = (day, time)
    {
        return Err(ImportError::Header(format!(
            "the time is split over `{day}` and `{time}` columns: join them into one `occurred_at` column (`2026-12-01 09:12:00`)"
        )));
    }
    alias_columns(&mut table.header, ACTIVITY_COLUMN_ALIASES);
    no_repeated_columns(&table.header, &ACTIVITY_COLUMNS)?;
    let missing: Vec<&'static str> = ["email", "kind", "occurred_at"]
        .into_iter()
        .filter(|col| !table.header.iter().any(|h| h == col))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing));
    }
    let mut out = Parsed {
        rows: Vec::new(),
        errors: Vec::new(),
        attribute_columns: Vec::new(),
        account_attribute_columns: Vec::new(),
        repeated: Vec::new(),
        ignored_columns: table
            .header
            .iter()
            .filter(|h| !h.is_empty() && !ACTIVITY_COLUMNS.contains(&h.as_str()))
            .cloned()
            .collect(),
        custom_kinds: Vec::new(),
    };
    let mut custom: BTreeMap<String, usize> = BTreeMap::new();
    // Each (lead, id): its line and its index in `out.rows`.
    let mut seen: HashMap<(Email, ActivityId), (u64, usize)> = HashMap::new();
    for (line, fields) in table.records {
        let result = fields.and_then(|fields| {
            let row = Row {
                header: &table.header,
                fields: &fields,
            };
            let email = Email::parse(row.get("email").ok_or("`email` is empty")?)
                .map_err(|e| format!("`email`: {e}"))?;
            let kind_name = row.get("kind").ok_or("`kind` is empty")?;
            // A page view's path, or its URL's.
            let path = row
                .get("path")
                .map(str::to_owned)
                .or_else(|| row.get("url").and_then(url_path));
            if kind_name.trim().eq_ignore_ascii_case("page_viewed") && path.is_none() {
                return Err(
                    "`path` is empty: a page_viewed row needs the page's path (or its full address in `url`)"
                        .into(),
                );
            }
            let kind = ActivityKind::from_name(kind_name, path.as_deref())
                .map_err(|e| format!("`kind`: {e}"))?;
            let at = parse_timestamp(row.get("occurred_at").ok_or("`occurred_at` is empty")?)?;
            let mut activity = Activity::new(email, kind, at);
            activity.url = row.get("url").map(str::to_owned);
            activity.detail = row.get("detail").map(str::to_owned);
            activity.id = match row.get("id") {
                // A key part in DynamoDB (at most 1,024 bytes with its
                // prefix): a longer one would fail the whole batch there.
                Some(id) if id.len() > MAX_ID_BYTES => {
                    return Err(format!(
                        "`id` is {} bytes long; at most {MAX_ID_BYTES}",
                        id.len()
                    ));
                }
                Some(id) => ActivityId(id.to_owned()),
                None => activity.derived_id(),
            };
            Ok(activity)
        });
        match result {
            Ok(a) => match seen.get(&(a.lead.clone(), a.id.clone())) {
                // The same row again (an export that overlaps itself): one
                // activity, which the store keeps once.
                Some(&(first, index)) if out.rows.get(index).is_some_and(|(_, b)| *b == a) => {
                    out.repeated.push((line, first));
                }
                // Another activity under an id already taken: refused, not
                // dropped unseen behind the first.
                Some((first, _)) => out.errors.push(RowError {
                    line,
                    reason: format!(
                        "id `{}` of {} is line {first}'s, which is another activity",
                        a.id.0, a.lead
                    ),
                }),
                None => {
                    if let ActivityKind::Custom { name } = &a.kind {
                        *custom.entry(name.to_string()).or_default() += 1;
                    }
                    seen.insert((a.lead.clone(), a.id.clone()), (line, out.rows.len()));
                    out.rows.push((line, a));
                }
            },
            Err(reason) => out.errors.push(RowError { line, reason }),
        }
    }
    out.custom_kinds = custom
        .into_iter()
        .map(|(name, rows)| {
            let meant = ActivityKind::likely_meant(&name);
            (name, rows, meant)
        })
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        parse_timestamp("2026-06-01T00:00:00Z").unwrap()
    }

    #[test]
    fn leads_with_bad_rows_and_duplicates() {
        let csv = "\u{feff}Email,First Name,Title,Company,Website,Employees,Industry,Plan\n\
            jane@acme.com,Jane,Director of Marketing,Acme,acme.com,\"1,200\",Software,pro\n\
            not-an-email,Bob,CEO,,,,,\n\
            joe@gmail.com,Joe,VP Sales,Joe Co,joeco.io,7,,\n\
            JANE@acme.com,Dup,,,,,,\n\
            amy@beta.io,Amy,,,,lots,,\n\
            sam@co.uk,Sam,,,,,,\n";
        let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
        assert_eq!(p.rows.len(), 2);
        let (line, jane) = &p.rows[0];
        assert_eq!(*line, 2);
        assert_eq!(jane.lead.email.as_str(), "jane@acme.com");
        assert_eq!(jane.lead.seniority, Some(crate::Seniority::Director));
        assert_eq!(jane.firmographics.employees, Some(1200));
        assert_eq!(
            jane.lead.attributes.get("plan").map(String::as_str),
            Some("pro")
        );
        assert_eq!(
            p.rows[1].1.lead.account.as_ref().unwrap().as_str(),
            "joeco.io"
        );
        let lines: Vec<u64> = p.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 5, 6, 7]);
        assert!(
            p.errors[1].reason.contains("duplicate of line 2"),
            "{:?}",
            p.errors
        );
        assert!(p.errors[2].reason.contains("employees"), "{:?}", p.errors);
        assert!(
            p.errors[3].reason.contains("public suffix"),
            "{:?}",
            p.errors
        );
    }

    /// An activities export under its own column names: `Email Address`,
    /// `Activity Type`, `Timestamp` are read as `email`, `kind` and
    /// `occurred_at`; other columns (an `Activity ID` too: read as the id,
    /// it would change the ids of rows imported before) are listed as not
    /// read; a page view with its address in `url` only takes its path
    /// from it; custom kinds are counted, with the built-in kind another
    /// system's name stands for.
    #[test]
    fn activities_under_export_column_names() {
        let csv = "Activity ID,Email Address,Activity Type,Timestamp,URL,Campaign\n\
                   a-1,ana@acme.io,page_viewed,2026-05-01T10:00:00Z,https://acme.io/pricing?utm=x,spring\n\
                   a-2,ana@acme.io,pageview,2026-05-01T10:01:00Z,,spring\n\
                   a-3,ana@acme.io,pageview,2026-05-01T10:02:00Z,,spring\n\
                   a-4,ana@acme.io,demo_request,2026-05-01T10:03:00Z,,spring\n";
        let p = parse_activities(csv.as_bytes(), None).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let (_, view) = &p.rows[0];
        assert_eq!(view.id, view.derived_id());
        assert_eq!(view.lead.as_str(), "ana@acme.io");
        assert_eq!(
            view.kind,
            ActivityKind::from_name("page_viewed", Some("/pricing")).unwrap()
        );
        assert_eq!(p.ignored_columns, ["activity_id", "campaign"]);
        assert_eq!(
            p.custom_kinds,
            [
                ("demo_request".to_owned(), 1, None),
                ("pageview".to_owned(), 2, Some("page_viewed")),
            ]
        );
        // Without a usable address, a page view still needs its path.
        let p = parse_activities(
            b"email,kind,occurred_at,url\nana@acme.io,page_viewed,2026-05-01,not a url\n",
            None,
        )
        .unwrap();
        assert!(
            p.errors[0].reason.contains("`path` is empty"),
            "{:?}",
            p.errors
        );
        // Names are taken in the aliases' order, whatever the header's:
        // `Event Type` is the kind, `Event` (a webinar's name) is not.
        let p = parse_activities(
            b"Email,Event,Event Type,Timestamp\nana@acme.io,Q3 Pipeline Webinar,webinar_attended,2026-05-01\n",
            None,
        )
        .unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.rows[0].1.kind, ActivityKind::WebinarAttended);
        assert_eq!(p.ignored_columns, ["event"]);
        // A day and its time in two columns are refused, not half read.
        let e = parse_activities(
            b"Email,Type,Date,Time\nana@acme.io,email_opened,2026-05-01,10:32\n",
            None,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("join them into one `occurred_at`"),
            "{e}"
        );
    }

    /// The times exports write: offsets with or without a colon, RFC 2822,
    /// Unix seconds and milliseconds; a slashed date is refused as
    /// ambiguous.
    #[test]
    fn export_timestamps() {
        for (v, want) in [
            ("2026-12-01T09:12:00+0100", "2026-12-01T08:12:00Z"),
            ("2026-12-01 09:12:00+01:00", "2026-12-01T08:12:00Z"),
            ("2026-12-01 09:12:00 +0100", "2026-12-01T08:12:00Z"),
            ("2026-12-01 08:12:00.250", "2026-12-01T08:12:00.250Z"),
            ("2026-12-01 08:12:00Z", "2026-12-01T08:12:00Z"),
            ("2026-12-01T08:12", "2026-12-01T08:12:00Z"),
            ("Tue, 01 Dec 2026 09:12:00 +0100", "2026-12-01T08:12:00Z"),
            ("1796112720", "2026-12-01T08:12:00Z"),
            ("1796112720000", "2026-12-01T08:12:00Z"),
            ("2026-12-01 09:12:00+01", "2026-12-01T08:12:00Z"),
            ("2026-12-01 08:12:00 UTC", "2026-12-01T08:12:00Z"),
            ("2026/12/01 08:12", "2026-12-01T08:12:00Z"),
            ("2026/12/01", "2026-12-01T00:00:00Z"),
            ("2026-12-01 08:12 UTC", "2026-12-01T08:12:00Z"),
            ("2026-12-01 08:12Z", "2026-12-01T08:12:00Z"),
            ("2026-12-01 09:12+01", "2026-12-01T08:12:00Z"),
            ("2026-12-01T09:12+01", "2026-12-01T08:12:00Z"),
        ] {
            let want = DateTime::parse_from_rfc3339(want)
                .unwrap()
                .with_timezone(&Utc);
            assert_eq!(parse_timestamp(v), Ok(want), "{v}");
        }
        for short in ["22.11.26", "22.11.26 15:04", "26-11-22", "0026-11-22"] {
            let e = parse_timestamp(short).unwrap_err();
            assert!(e.contains("four digits"), "{short}: {e}");
        }
        let e = parse_timestamp("12/02/2026 3:45 PM").unwrap_err();
        assert!(e.contains("write it as YYYY-MM-DD"), "{e}");
        for bad in ["12345", "yesterday", "2026-13-01", "0000000000"] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }

    /// Line numbers are the file's, whatever its line ends: CRLF (Excel's
    /// and most CRM exports'), blank lines between rows, a quoted cell over
    /// two lines.
    #[test]
    fn rejected_rows_are_reported_on_their_own_lines() {
        let lines = |csv: &str| -> Vec<u64> {
            let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
            p.errors.iter().map(|e| e.line).collect()
        };
        assert_eq!(
            lines("email,title\r\na@x.test,VP\r\nbad,VP\r\nA@x.test,CEO\r\n"),
            [3, 4]
        );
        let p = parse_leads(
            "email,title\r\na@x.test,VP\r\nA@x.test,CEO\r\n".as_bytes(),
            None,
            now(),
        )
        .unwrap();
        assert!(
            p.errors[0].reason.contains("duplicate of line 2"),
            "{:?}",
            p.errors
        );
        assert_eq!(
            lines("email,title\na@x.test,VP\n\nb@x.test,VP\nbad,VP\n\n\nA@x.test,CEO\n"),
            [5, 8]
        );
        assert_eq!(
            lines("email,title\r\n\r\na@x.test,\"Head of\r\nSales\"\r\nbad,VP\r\n"),
            [5]
        );
        // A lone CR ends a line too (Excel for Mac's "CSV (Macintosh)").
        assert_eq!(
            lines("email,title\ra@x.test,VP\rbad,VP\rA@x.test,CEO\r"),
            [3, 4]
        );
        // And its separator is read from the header line alone.
        let p = parse_leads(
            "email;title;revenue\ra@x.test;VP;1,5\rb@x.test;VP;2,5\r".as_bytes(),
            None,
            now(),
        )
        .unwrap();
        assert_eq!((p.rows.len(), p.errors.len()), (2, 0), "{:?}", p.errors);
    }

    #[test]
    fn oversized_cells_and_control_characters_reject_their_row() {
        let long = "x".repeat(MAX_CELL_CHARS + 1);
        let csv = format!(
            "email,title,notes\nana@acme.io,CEO\u{1b}[31m,\nbo@acme.io,CTO,{long}\ncy@acme.io,\"Head of\nSales\",ok\n"
        );
        let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
        let reasons: Vec<(u64, &str)> = p
            .errors
            .iter()
            .map(|e| (e.line, e.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    2,
                    "`title` (column 2) contains the control character U+001B"
                ),
                (3, "`notes` (column 3) is longer than 10000 characters"),
            ]
        );
        assert_eq!(p.rows.len(), 1, "a line break in a quoted cell is fine");
    }

    /// What a hunt over real CRM and analytics exports found refused or
    /// misread.
    #[test]
    fn exports_as_crms_and_analytics_tools_write_them() {
        let csv = "sep=;\r\nemail;title;website;employees;revenue\r\n\
            MAILTO:Chris@Globex.com;\u{a0}CEO\u{a0};;10,001+ employees;$10M - $50M\r\n\
            a1@gmail.com;VP Sales;n/a;250 employees;$1B+\r\n\
            a2@gmail.com;;Not provided;1 employee;$ -\r\n\
            a3@gmail.com;;-;Self-employed;\r\n\
            a4@gmail.com;;;201-500 Mitarbeiter;\r\n";
        // (Apollo's, Salesforce's and Sales Navigator's headers: below.)
        let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let rows: Vec<&LeadRow> = p.rows.iter().map(|(_, r)| r).collect();
        assert_eq!(rows[0].lead.email.as_str(), "chris@globex.com");
        assert_eq!(rows[0].lead.title.as_deref(), Some("CEO"));
        assert_eq!(rows[0].firmographics.employees, Some(10_001));
        assert_eq!(rows[0].firmographics.revenue, Some(10_000_000.0));
        assert_eq!(rows[1].firmographics.employees, Some(250));
        assert_eq!(rows[1].firmographics.revenue, Some(1e9));
        assert_eq!(rows[1].website, None, "`n/a` is no website");
        assert_eq!(rows[2].firmographics.employees, Some(1));
        assert_eq!(rows[2].firmographics.revenue, None);
        assert_eq!(rows[3].firmographics.employees, Some(1));
        assert_eq!(rows[4].firmographics.employees, Some(201));
        // Line numbers count the `sep=` line.
        assert_eq!(p.rows[0].0, 3);
        for header in [
            "Email,Company / Account,# Employees",
            "Email,Company / Account,Company Size",
        ] {
            let csv = format!("{header}\nana@acme.com,Acme Corp,51-200\n");
            let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
            assert!(
                p.attribute_columns.is_empty(),
                "{header}: {:?}",
                p.attribute_columns
            );
            assert_eq!(
                p.rows[0].1.company.as_deref(),
                Some("Acme Corp"),
                "{header}"
            );
            assert_eq!(p.rows[0].1.firmographics.employees, Some(51), "{header}");
        }

        // A day and its time in two columns of any name: refused, not
        // read as the day alone (two visits of one day were one).
        for header in [
            "email,kind,event_date,event_time",
            "email,kind,activity_date,time",
            "email,kind,date,time",
        ] {
            let csv = format!("{header}\nga@ga.com,page_viewed,2026-12-03,14:22:05\n");
            let err = parse_activities(csv.as_bytes(), None).unwrap_err();
            assert!(err.to_string().contains("split over"), "{header}: {err}");
        }
        // Kinds written as labels, addresses without a scheme or host,
        // timestamps as exports write them.
        let csv = "email,kind,occurred_at,url\n\
            a@acme.com,Page Viewed,2026-12-03T14:22:05+01,ourco.com/pricing?utm_source=x\n\
            a@acme.com,page-viewed,2026-12-03 14:22:05 GMT,/demo#top\n\
            a@acme.com,Visit Webpage,1764771725.123,\n\
            a@acme.com,email_opened,1764771725000.0,\n\
            a@acme.com,email_clicked,03.11.2026 14:22,\n";
        let p = parse_activities(csv.as_bytes(), None).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let acts: Vec<&Activity> = p.rows.iter().map(|(_, a)| a).collect();
        assert_eq!(acts[0].kind.name(), "page_viewed");
        assert_eq!(acts[0].subject(), Some("/pricing"));
        assert_eq!(
            acts[0].occurred_at.to_rfc3339(),
            "2026-12-03T13:22:05+00:00"
        );
        assert_eq!(acts[1].subject(), Some("/demo"));
        assert_eq!(
            acts[1].occurred_at.to_rfc3339(),
            "2026-12-03T14:22:05+00:00"
        );
        assert_eq!(acts[2].kind.name(), "visit_webpage");
        assert_eq!(acts[2].occurred_at.timestamp_millis(), 1_764_771_725_123);
        assert_eq!(acts[3].occurred_at.timestamp_millis(), 1_764_771_725_000);
        assert_eq!(
            acts[4].occurred_at.to_rfc3339(),
            "2026-11-03T14:22:00+00:00"
        );
        // An activity's cells stay as an earlier import read them: its
        // derived id hashes them.
        let csv = "email,kind,occurred_at,detail\na@acme.com,webinar_attended,2026-05-03,Q2 launch\u{a0}\n";
        let p = parse_activities(csv.as_bytes(), None).unwrap();
        assert_eq!(p.rows[0].1.detail.as_deref(), Some("Q2 launch\u{a0}"));
    }

    #[test]
    fn a_website_is_checked_only_where_it_is_read() {
        let csv = "email,website\njane@acme.com,N/A\njoe@gmail.com,no-such-site\n";
        let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
        // Jane's account is her email's domain; Joe's would be the website.
        assert_eq!(p.rows.len(), 1);
        assert_eq!(
            p.rows[0].1.lead.account.as_ref().unwrap().as_str(),
            "acme.com"
        );
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 3);
        assert!(p.errors[0].reason.contains("`website`"), "{:?}", p.errors);
        // An address is no company's website (it would be the account).
        let csv = "email,website
joe@gmail.com,http://169.254.169.254/
";
        let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
        assert!(p.rows.is_empty());
        assert!(p.errors[0].reason.contains("IP address"), "{:?}", p.errors);
    }

    #[test]
    fn wrong_encoding_is_reported_per_row_and_decodable_with_a_label() {
        let mut bytes = b"email,title\nana@acme.es,Directora de Compa".to_vec();
        bytes.push(0xF1); // 'ñ' in windows-1252
        bytes.extend_from_slice(b"ia\nluis@acme.es,CEO\n");
        let strict = parse_leads(&bytes, None, now()).unwrap();
        assert_eq!(strict.rows.len(), 1);
        assert_eq!(strict.errors[0].line, 2);
        assert!(strict.errors[0].reason.contains("--encoding windows-1252"));
        let decoded = parse_leads(&bytes, Some("windows-1252"), now()).unwrap();
        assert_eq!(decoded.rows.len(), 2);
        assert_eq!(
            decoded.rows[0].1.lead.title.as_deref(),
            Some("Directora de Compañia")
        );
        assert!(matches!(
            parse_leads(&bytes, Some("klingon"), now()),
            Err(ImportError::UnknownEncoding(_))
        ));
    }

    #[test]
    fn missing_email_column_is_a_file_error() {
        assert_eq!(
            parse_leads(b"name,title\nx,y\n", None, now()).unwrap_err(),
            ImportError::MissingColumns(vec!["email"])
        );
    }

    #[test]
    fn activities_parse_dedupe_and_report() {
        let csv = "email,kind,occurred_at,path,detail\n\
            jane@acme.com,page_viewed,2026-05-01T10:00:00Z,/pricing,\n\
            jane@acme.com,page_viewed,2026-05-01T10:00:00Z,/pricing,\n\
            jane@acme.com,page_viewed,2026-05-02,,\n\
            jane@acme.com,webinar_attended,2026-05-03 15:00,,Q2 launch\n\
            jane@acme.com,teleported,yesterday,,\n\
            jane@acme.com,Trial Started,2026-05-03,,\n\
            ,email_opened,2026-05-03,,\n\
            jane@acme.com,trial_started,2026-05-04,,,extra\n";
        let p = parse_activities(csv.as_bytes(), None).unwrap();
        assert_eq!(p.rows.len(), 3, "{:?}", p.errors);
        assert_eq!(p.rows[1].1.detail.as_deref(), Some("Q2 launch"));
        // A kind written as a label is its snake_case name.
        assert_eq!(p.rows[2].1.kind.name(), "trial_started");
        let lines: Vec<u64> = p.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 6, 8, 9], "{:?}", p.errors);
        assert_eq!(
            p.errors[0].reason,
            "`path` is empty: a page_viewed row needs the page's path (or its full address in `url`)"
        );
        assert!(p.errors[1].reason.contains("occurred_at"));
        assert!(p.errors[3].reason.contains("6 fields"));
        // Other characters than words, spaces and dashes stay refused.
        let odd = parse_activities(
            b"email,kind,occurred_at\njane@acme.com,Fill Out Form!,2026-05-03\n",
            None,
        )
        .unwrap();
        assert!(
            odd.errors[0].reason.contains("must be snake_case"),
            "{:?}",
            odd.errors
        );
    }

    #[test]
    fn crm_export_headers_are_the_lead_columns() {
        // HubSpot's contact export.
        let csv = "Email,First Name,Last Name,Job Title,Company Name,Website URL,Number of Employees,Contact owner,Country/Region,Lifecycle Stage\n\
            dana@northwind.io,Dana,Reyes,VP Marketing,Northwind,northwind.io,85,sam@us.example,Germany,lead\n";
        let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let row = &p.rows[0].1;
        assert_eq!(row.lead.title.as_deref(), Some("VP Marketing"));
        assert_eq!(row.company.as_deref(), Some("Northwind"));
        assert_eq!(row.firmographics.employees, Some(85));
        assert_eq!(row.firmographics.country.as_deref(), Some("Germany"));
        assert_eq!(row.lead.owner.as_deref(), Some("sam@us.example"));
        assert_eq!(p.attribute_columns, ["lifecycle_stage"]);
        // A file with both names: the column wins, the alias stays an
        // attribute.
        let both = "email,title,job_title\nann@acme.io,CEO,Chief\n";
        let p = parse_leads(both.as_bytes(), None, now()).unwrap();
        assert_eq!(p.rows[0].1.lead.title.as_deref(), Some("CEO"));
        assert_eq!(p.attribute_columns, ["job_title"]);
    }

    /// A column named twice is refused with both places, whatever its
    /// spelling; an alias beside its column is no repeat (it stays an
    /// attribute). UTF-16 without a byte-order mark gets the hint.
    #[test]
    fn a_repeated_column_or_utf16_without_a_mark_is_refused_with_the_reason() {
        let e = parse_leads(b"email,title,Title\nz@dup.com,CEO,CTO\n", None, now()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column `title` appears twice in the header (columns 2 and 3): remove or rename one"
        );
        assert_eq!(e.line(), Some(1));
        let e = parse_activities(
            b"email,kind,occurred_at,kind\na@b.co,email_opened,2026-11-01,x\n",
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("column `kind` appears twice"), "{e}");
        let p = parse_leads(
            b"email,title,job_title,,\nz@dup.com,CEO,CTO,,\n",
            None,
            now(),
        )
        .unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.attribute_columns, ["job_title"]);
        // A free column named twice (two CRM objects' `Created Date`) is an
        // attribute, the last value kept, as before.
        let p = parse_leads(
            b"email,Created Date,title,Created Date\nz@dup.com,2026-01-01,CEO,2026-02-02\n",
            None,
            now(),
        )
        .unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.rows[0].1.lead.attributes["created_date"], "2026-02-02");
        assert_eq!(p.attribute_columns, ["created_date"]);
        let utf16: Vec<u8> = "email,title\r\nz@a.com,CEO\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let e = parse_leads(&utf16, None, now()).unwrap_err();
        assert!(e.to_string().contains("pass --encoding utf-16le"), "{e}");
        let p = parse_leads(&utf16, Some("utf-16le"), now()).unwrap();
        assert_eq!(p.rows.len(), 1);
        // Read with an 8-bit encoding, the NULs are still there to see.
        let e = parse_leads(&utf16, Some("windows-1252"), now()).unwrap_err();
        assert!(e.to_string().contains("looks like UTF-16"), "{e}");
    }

    #[test]
    fn an_employee_band_counts_as_its_lower_bound() {
        for (v, want) in [
            ("51-200", 51),
            ("51 - 200", 51),
            ("1,001–5,000", 1001),
            ("10,001+", 10_001),
            ("11 to 50", 11),
            ("1 200", 1200),
            ("1.200", 1200),
            ("1.001–5.000", 1001),
            ("2k", 2000),
        ] {
            assert_eq!(parse_count("employees", v), Ok(want), "{v}");
        }
        for bad in ["many", "-5", "a-b", "+", "1,5", "2.5"] {
            assert!(parse_count("employees", bad).is_err(), "{bad}");
        }
        // A band that ends below its start is a typo, not its first number.
        for reversed in ["500-100", "5,000 to 1,000", "500 - 100 employees"] {
            let e = parse_count("employees", reversed).unwrap_err();
            assert!(e.contains("ends below where it starts"), "{reversed}: {e}");
        }
        assert_eq!(parse_count("employees", "100-100"), Ok(100));
        for date in ["10-Jan", "50-abc"] {
            let e = parse_count("employees", date).unwrap_err();
            assert!(e.contains("no band of numbers"), "{date}: {e}");
        }
        // Approximate figures, as people type them.
        assert_eq!(parse_count("employees", "approx. 200"), Ok(200));
        assert_eq!(parse_count("employees", "~1,200"), Ok(1200));
        assert_eq!(parse_count("employees", "ca. 50-100"), Ok(50));
        assert_eq!(parse_amount("revenue", "About $5M"), Ok(5_000_000.0));
        // A cell saying there is no figure is empty, not a rejected row.
        for none in ["n/a", "N/A", "-", "unknown", "#N/A", "#VALUE!", "TBD"] {
            assert_eq!(known(none), None, "{none}");
        }
        assert_eq!(known("200"), Some("200"));
        // Such a cell imports its lead, without the figure.
        let p = parse_leads(
            b"email,employees,revenue\nana@acme.io,n/a,#N/A\nbo@acme.io,~200,about $5M\n",
            None,
            now(),
        )
        .unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let firmographics: Vec<(Option<u64>, Option<f64>)> = p
            .rows
            .iter()
            .map(|(_, r)| (r.firmographics.employees, r.firmographics.revenue))
            .collect();
        assert_eq!(
            firmographics,
            [(None, None), (Some(200), Some(5_000_000.0))]
        );
        // A currency is no headcount.
        for money in ["5M USD", "$200", "200 EUR", "€ 1.000"] {
            let e = parse_count("employees", money).unwrap_err();
            assert!(e.contains("amount of money"), "{money}: {e}");
        }
        assert_eq!(parse_count("employees", "51 - 200 employees"), Ok(51));
        // Bands with multipliers, as data vendors write them.
        assert_eq!(parse_count("employees", "1K-5K"), Ok(1000));
        assert_eq!(parse_count("employees", "251-1K"), Ok(251));
        assert_eq!(parse_count("employees", "10k - 50k employees"), Ok(10_000));
        for not_a_band in ["1-2-3", "2024-01-15"] {
            assert!(
                parse_count("employees", not_a_band).is_err(),
                "{not_a_band}"
            );
        }
    }

    #[test]
    fn numbers_are_read_in_either_convention() {
        for (v, want) in [
            ("1234", 1234.0),
            ("1,234", 1234.0),
            ("1.234", 1234.0),
            ("1,234,567", 1_234_567.0),
            ("1.234.567", 1_234_567.0),
            ("1 234 567", 1_234_567.0),
            ("1\u{a0}234\u{202f}567,5", 1_234_567.5),
            ("1'234'567.50", 1_234_567.5),
            ("12,34,567", 1_234_567.0),
            ("1,234,567.89", 1_234_567.89),
            ("1.234.567,89", 1_234_567.89),
            ("1.234,56 €", 1234.56),
            ("€ 2.500.000,00", 2_500_000.0),
            ("$2,500,000", 2_500_000.0),
            ("US$ 2,500,000", 2_500_000.0),
            ("USD 2500000", 2_500_000.0),
            ("2.500.000 EUR", 2_500_000.0),
            ("1,5", 1.5),
            ("2.50", 2.5),
            ("0.125", 0.125),
            ("0,500", 0.5),
            ("12345,678", 12345.678),
            ("2.5M", 2_500_000.0),
            ("1,5 Mio", 1_500_000.0),
            ("750k", 750_000.0),
            ("3bn", 3e9),
            ("$4.2 million", 4_200_000.0),
            ("10MM", 10_000_000.0),
            ("-5", -5.0),
            ("5.000 kr", 5000.0),
            ("R$ 1.500,00", 1500.0),
            // A code after a multiplier, as CRMs export revenue.
            ("5M USD", 5_000_000.0),
            ("750k USD", 750_000.0),
            ("3bn USD", 3e9),
            ("1,5 Mio EUR", 1_500_000.0),
            ("5 Mio. EUR", 5_000_000.0),
            ("5 million USD", 5_000_000.0),
        ] {
            assert_eq!(parse_decimal(v), Ok(want), "{v}");
        }
        for bad in [
            "",
            "abc",
            "1,23,4",
            "1.2.3,4,5",
            "1,2345,678",
            "1.",
            "1,,000",
            "--5",
            "5 apples",
            "1e9",
            "12,34,56",
            "1,234.5.6",
            "m",
            "$",
            "1,250k",
            "1.250M",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
        assert!(parse_amount("revenue", "-5").is_err());
        // The ambiguous forms say why, not that they are negative.
        for v in ["1,250k", "1.250k", "1,250 Mio"] {
            assert_eq!(parse_decimal(v), Err(NotANumber::Ambiguous), "{v}");
            let e = parse_amount("revenue", v).unwrap_err();
            assert!(e.contains("is ambiguous"), "{v}: {e}");
            assert!(!e.contains("non-negative"), "{v}: {e}");
        }
        assert!(
            parse_amount("revenue", "abc")
                .unwrap_err()
                .contains("must be a non-negative number")
        );
        assert_eq!(parse_amount("revenue", "1.234,56 €"), Ok(1234.56));
    }

    #[test]
    fn european_revenue_in_a_semicolon_file_is_read_as_written() {
        let csv = "email;revenue;employees\n\
            ann@acme.io;1.234,56 €;1.200\n\
            bo@beta.io;€ 2.500.000,00;51-200\n\
            cy@gamma.io;1,5;10.001+\n";
        let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let got: Vec<_> = p
            .rows
            .iter()
            .map(|(_, r)| (r.firmographics.revenue, r.firmographics.employees))
            .collect();
        assert_eq!(
            got,
            [
                (Some(1234.56), Some(1200)),
                (Some(2_500_000.0), Some(51)),
                (Some(1.5), Some(10_001))
            ]
        );
    }

    /// Salesforce's Data Loader and HubSpot's internal names for headcount,
    /// revenue and a contact's country reach the account.
    #[test]
    fn crm_api_names_are_read_as_their_columns() {
        let p = parse_leads(
            "Email,FirstName,LastName,Title,Company,NumberOfEmployees,AnnualRevenue,MailingCountry\n\
             ann@acme.io,Ann,Lee,CEO,Acme,250,5000000,DE\n"
                .as_bytes(),
            None,
            now(),
        )
        .unwrap();
        let f = &p.rows[0].1.firmographics;
        assert_eq!(
            (f.employees, f.revenue, f.country.as_deref()),
            (Some(250), Some(5_000_000.0), Some("DE"))
        );
        assert!(p.attribute_columns.is_empty(), "{:?}", p.attribute_columns);
    }

    #[test]
    fn semicolon_and_tab_separated_files_are_read() {
        for csv in [
            "email;title;employees\nann@acme.io;VP Sales;\"1,200\"\n",
            "email\ttitle\temployees\nann@acme.io\tVP Sales\t1,200\n",
            "email,title,employees\nann@acme.io,VP Sales,\"1,200\"\n",
        ] {
            let p = parse_leads(csv.as_bytes(), None, now()).unwrap();
            assert!(p.errors.is_empty(), "{csv}: {:?}", p.errors);
            let row = &p.rows[0].1;
            assert_eq!(row.lead.title.as_deref(), Some("VP Sales"), "{csv}");
            assert_eq!(row.firmographics.employees, Some(1200), "{csv}");
        }
        // A comma header whose quoted name holds a semicolon stays commas.
        assert_eq!(delimiter(b"email,\"a;b\",c\n"), b',');
    }

    #[test]
    fn two_leads_activities_with_one_source_id_are_both_kept() {
        // Merged exports that number each contact's events: Bo's meeting was
        // dropped as a repeat of Ana's open.
        let csv = "email,kind,occurred_at,id\n\
            ana@acme.io,email_opened,2026-05-01,1\n\
            bo@beta.io,meeting_booked,2026-05-02,1\n\
            bo@beta.io,meeting_booked,2026-05-02,1\n";
        let p = parse_activities(csv.as_bytes(), None).unwrap();
        let lines: Vec<u64> = p.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3]);
        assert_eq!(p.repeated, [(4, 3)]);
        assert!(p.errors.is_empty());
    }

    #[test]
    fn an_overlong_id_is_refused_alone() {
        let long = "x".repeat(MAX_ID_BYTES + 1);
        let csv = format!(
            "email,kind,occurred_at,id\nann@acme.io,email_opened,2026-05-01,{long}\nann@acme.io,email_opened,2026-05-02,{}\n",
            "y".repeat(MAX_ID_BYTES)
        );
        let p = parse_activities(csv.as_bytes(), None).unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].reason.contains("at most 512"), "{:?}", p.errors);
    }

    #[test]
    fn another_activity_under_a_taken_id_is_refused_not_dropped() {
        let csv = "email,kind,occurred_at,id\n\
            ann@acme.io,email_opened,2026-05-01,e1\n\
            ann@acme.io,meeting_booked,2026-05-02,e1\n";
        let p = parse_activities(csv.as_bytes(), None).unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 3);
        assert!(p.errors[0].reason.contains("line 2"), "{:?}", p.errors);
    }

    #[test]
    fn activities_differing_in_detail_or_url_are_kept_apart() {
        // A date-only export: two assets downloaded on one day, one of them
        // listed twice.
        let csv = "email,kind,occurred_at,detail,url\n\
            jane@acme.com,content_downloaded,2026-05-01,Pricing guide,\n\
            jane@acme.com,content_downloaded,2026-05-01,ROI calculator,\n\
            jane@acme.com,content_downloaded,2026-05-01,Pricing guide,\n\
            jane@acme.com,email_clicked,2026-05-01,,https://acme.com/a\n\
            jane@acme.com,email_clicked,2026-05-01,,https://acme.com/b\n";
        let p = parse_activities(csv.as_bytes(), None).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let lines: Vec<u64> = p.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 5, 6]);
        assert_eq!(p.repeated, [(4, 2)]);
        for (_, a) in &p.rows {
            assert_eq!(a.id, a.derived_id());
        }
    }
}
