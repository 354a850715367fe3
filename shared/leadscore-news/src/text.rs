//! Text helpers: normalization, sentence splitting and relative dates.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::Regex;
use std::sync::LazyLock;

/// Normalizes typography so patterns stay simple: non-breaking and thin
/// spaces become spaces, curly apostrophes become `'`, runs of spaces and
/// tabs collapse (newlines are kept: they separate headlines and paragraphs).
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.chars() {
        let c = match c {
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' | '\t' => ' ',
            '\u{2019}' | '\u{2018}' | '\u{02bc}' | '\u{b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{ab}' | '\u{bb}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            '\r' => '\n',
            c => c,
        };
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        out.push(c);
    }
    out
}

/// Words that end with a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mio", "mrd", "mln", "rs", "pvt", "ltd", "inc", "co", "corp", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mr", "mrs", "ms", "dr", "st", "vs",
    "no", "nr", "ca", "approx", "e.g", "i.e", "u.s", "u.k", "bzw", "z.b", "abs", "sr", "jr",
    "mass", "calif", "nev", "fig", "est", "resp", "etc", "tsd", "mill",
];

/// Splits text into sentences: at `.`, `!` or `?` followed by a space and
/// an uppercase letter, digit, quote or bracket (not after a known
/// abbreviation or an initial), and at line breaks.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut start = 0;
        for (i, &(pos, c)) in chars.iter().enumerate() {
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            let Some(&(_, next)) = chars.get(i + 1) else {
                continue;
            };
            if next != ' ' {
                continue;
            }
            let Some(&(_, after)) = chars.get(i + 2) else {
                continue;
            };
            if !(after.is_uppercase()
                || after.is_ascii_digit()
                || matches!(after, '"' | '(' | '\'' | '['))
            {
                continue;
            }
            if c == '.' {
                let word: String = line[start..pos]
                    .rsplit(|ch: char| ch.is_whitespace() || ch == '(')
                    .next()
                    .unwrap_or("")
                    .to_lowercase();
                // An initial ("J.") or a dotted acronym ("L.E.S.S.", "U.S.A."):
                // single letters between dots.
                if word
                    .split('.')
                    .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
                {
                    continue;
                }
                if ABBREVIATIONS.contains(&word.as_str()) {
                    continue;
                }
            }
            let end = pos + c.len_utf8();
            push_sentence(&mut out, &line[start..end]);
            start = end;
        }
        push_sentence(&mut out, &line[start..]);
    }
    out
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let s = cap_sentence(s.trim());
    if !s.is_empty() {
        out.push(s.to_owned());
    }
}

/// The longest sentence read, in bytes. News sentences run to a few
/// hundred; a longer run of text without sentence ends is a list or a
/// hostile page, and the extraction's passes over each amount's context
/// grow with the square of a sentence's length.
pub const MAX_SENTENCE_BYTES: usize = 2_000;

/// `s` cut to at most [`MAX_SENTENCE_BYTES`], at the last space before the
/// limit (so no amount or word is cut in half), or at a character boundary
/// when there is none.
pub fn cap_sentence(s: &str) -> &str {
    if s.len() <= MAX_SENTENCE_BYTES {
        return s;
    }
    let mut end = MAX_SENTENCE_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let head = &s[..end];
    head.rfind(char::is_whitespace)
        .map_or(head, |i| head[..i].trim_end())
}

static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        \b(?P<yesterday>yesterday|gestern|hier|ayer|ontem)\b
      | \b(?P<today>today|heute|aujourd'hui|hoy|hoje)\b
      | \b(?:(?P<n1>\d{1,2})\s+days?\s+ago
          | vor\s+(?P<n2>\d{1,2})\s+tagen
          | il\s+y\s+a\s+(?P<n3>\d{1,2})\s+jours?
          | hace\s+(?P<n4>\d{1,2})\s+d[ií]as?
          | h[aá]\s+(?P<n5>\d{1,2})\s+dias?)\b
      | \b(?P<lastweek>last\s+week|letzte\s+woche|la\s+semaine\s+derni[eè]re|la\s+semana\s+pasada|semana\s+passada)\b
      | \bon\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b
        ",
    )
    .expect("valid relative-date pattern")
});

/// Resolves the first relative date in `text` ("yesterday", "2 days ago",
/// "on Tuesday", "vor 3 Tagen", "hier", "hace 2 días", ...) against the
/// anchor date (an article's `datePublished` or feed date). A weekday means
/// the most recent such day on or before the anchor.
pub fn resolve_relative_date(text: &str, anchor: NaiveDate) -> Option<NaiveDate> {
    // "hier" is French for yesterday and German for here ("Hier finden Sie
    // …"): in German text it dates nothing, and a later expression may.
    let caps = RELATIVE.captures_iter(text).find(|c| {
        !c.name("yesterday")
            .is_some_and(|m| m.as_str().eq_ignore_ascii_case("hier") && reads_german(text))
    })?;
    if caps.name("yesterday").is_some() {
        return anchor.checked_sub_signed(Duration::days(1));
    }
    if caps.name("today").is_some() {
        return Some(anchor);
    }
    for n in ["n1", "n2", "n3", "n4", "n5"] {
        if let Some(m) = caps.name(n) {
            let days: i64 = m.as_str().parse().ok()?;
            return anchor.checked_sub_signed(Duration::days(days));
        }
    }
    if caps.name("lastweek").is_some() {
        return anchor.checked_sub_signed(Duration::days(7));
    }
    if let Some(w) = caps.name("weekday") {
        let target: Weekday = w.as_str().parse().ok()?;
        let back = (7 + anchor.weekday().num_days_from_monday() as i64
            - target.num_days_from_monday() as i64)
            % 7;
        return anchor.checked_sub_signed(Duration::days(back));
    }
    None
}

/// German function words that French, Spanish, Portuguese and English news
/// do not use.
static GERMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:und|der|das|hat|ist|mit|für|sich|eine[nmr]?|wurde|auf|nach|bei|ihre?n?)\b",
    )
    .expect("valid German-word pattern")
});

/// Whether `text` reads as German: at least two of its words are German
/// function words (one could be a name).
fn reads_german(text: &str) -> bool {
    GERMAN.find_iter(text).nth(1).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_text_without_sentence_ends_is_cut_at_a_space() {
        let long = "Acme raised $1M ".repeat(1_000);
        let out = sentences(&long);
        assert_eq!(out.len(), 1);
        assert!(out[0].len() <= MAX_SENTENCE_BYTES, "{}", out[0].len());
        assert!(out[0].ends_with("$1M"), "{}", &out[0][out[0].len() - 20..]);
        // Multi-byte text with no space: cut at a character boundary.
        let wide = "€".repeat(1_000);
        assert!(cap_sentence(&wide).len() <= MAX_SENTENCE_BYTES);
        assert_eq!(cap_sentence("short one"), "short one");
    }

    #[test]
    fn splits_sentences_but_not_abbreviations() {
        let s = sentences(
            "Sorare hat 40 Mio. Euro erhalten. Das ist viel. Girnar Software Pvt. Ltd raised $5.5 million.\nHeadline without period",
        );
        assert_eq!(
            s,
            vec![
                "Sorare hat 40 Mio. Euro erhalten.",
                "Das ist viel.",
                "Girnar Software Pvt. Ltd raised $5.5 million.",
                "Headline without period"
            ]
        );
        // A dotted acronym does not end a sentence.
        assert_eq!(
            sentences("Rounds for Metafuels, L.E.S.S. (17 million CHF) and CDR Life. Next one."),
            vec![
                "Rounds for Metafuels, L.E.S.S. (17 million CHF) and CDR Life.",
                "Next one."
            ]
        );
    }

    #[test]
    fn relative_dates() {
        let anchor = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(); // a Friday
        let d = |t: &str| resolve_relative_date(t, anchor);
        assert_eq!(
            d("announced yesterday"),
            NaiveDate::from_ymd_opt(2026, 11, 19)
        );
        assert_eq!(d("2 days ago"), NaiveDate::from_ymd_opt(2026, 11, 18));
        assert_eq!(d("vor 3 Tagen"), NaiveDate::from_ymd_opt(2026, 11, 17));
        assert_eq!(d("hace 1 día"), NaiveDate::from_ymd_opt(2026, 11, 19));
        assert_eq!(d("said on Tuesday"), NaiveDate::from_ymd_opt(2026, 11, 17));
        assert_eq!(d("on Friday"), Some(anchor));
        assert_eq!(d("no date here"), None);
        // French "hier" is yesterday; German "hier" is here.
        assert_eq!(
            d("Acme a annoncé hier une levée de 5 millions d'euros"),
            NaiveDate::from_ymd_opt(2026, 11, 19)
        );
        assert_eq!(
            d("Hier hat das Start-up Acme 5 Millionen Euro eingesammelt"),
            None
        );
        assert_eq!(
            d("Acme ist hier seit 2019 aktiv und hat vor 2 Tagen 5 Millionen Euro erhalten"),
            NaiveDate::from_ymd_opt(2026, 11, 18)
        );
    }

    #[test]
    fn normalizes_typography() {
        assert_eq!(
            normalize("7,5 millions d\u{2019}euros\u{a0} levés"),
            "7,5 millions d'euros levés"
        );
    }
}
