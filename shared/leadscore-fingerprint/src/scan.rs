//! Which of a set of literals occur in a text, ignoring ASCII case: the page
//! prefilter of detection.
//!
//! Each literal of four bytes or more is represented by one 4-byte window,
//! the rarest by a static byte-frequency rank, avoiding windows other
//! literals already have (every occurrence of a shared window such as `/wp-`
//! or `<!--` was compared with each of its dozens of literals). The scan
//! reads every 4-byte window of the text once, folds it (ASCII letters to
//! lowercase), hashes it into a 2^18-bit set, and only where the set says a
//! literal's window may start does it look the window up and compare the
//! whole literal. Shorter literals (a few dozen of the shipped data's page
//! literals, js paths included; 11 of its script URL literals) are either
//! reported as present on every text (a prefilter may let through more,
//! never fewer), or, for a scan made for short texts such as URLs, looked
//! for one by one. Unlike an automaton over every literal, this needs no
//! lowercased copy of the page, and its cost per byte does not grow with the
//! number of literals; it finds every occurrence, overlapping or not,
//! because every position of the text is tried.

const WINDOW: usize = 4;
const BITS_LOG2: u32 = 18;
/// Words of the window bit set.
const WORDS: usize = 1 << (BITS_LOG2 - 6);
/// What choosing a window that another literal already has costs, against
/// the sum of its bytes' [`commonness`].
const SHARED_COST: u32 = 30;

/// A literal's window, folded, with where it sits in the literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    window: u32,
    literal: u32,
    offset: u32,
}

/// The compiled literal set.
#[derive(Debug)]
pub(crate) struct LiteralScan {
    /// Literals, ASCII-lowercased, by id.
    literals: Vec<Box<[u8]>>,
    /// Bit `hash(window)` set for every entry.
    bits: Box<[u64; WORDS]>,
    /// Entries sorted by the hash of their window (then by window).
    entries: Vec<Entry>,
    /// Where the entries whose hash falls in each word of `bits` start
    /// (one more than the words: the last is the number of entries), so a
    /// hit looks at the few entries of its word instead of searching.
    word_start: Vec<u32>,
    /// Literals shorter than a window.
    short: Vec<u32>,
    /// Look for the short literals instead of reporting them on every text.
    search_short: bool,
}

/// ASCII letters to lowercase, four at a time (other bytes change too, the
/// same way in literals and text: this only feeds the hash and the lookup;
/// the comparison is exact, ignoring ASCII case).
fn fold(window: [u8; WINDOW]) -> u32 {
    u32::from_le_bytes(window) | 0x2020_2020
}

/// The first window at or after `from` whose hash is in `bits`: its
/// position, folded window and hash. The hot loop of a scan, kept apart so
/// that it has the registers to itself.
fn next_hit(bits: &[u64; WORDS], text: &[u8], from: usize) -> Option<(usize, u32, usize)> {
    let mut i = from;
    while let Some(w) = text.get(i..i + WINDOW) {
        let folded = fold([w[0], w[1], w[2], w[3]]);
        let h = hash(folded);
        if bits[h >> 6] & (1 << (h & 63)) != 0 {
            return Some((i, folded, h));
        }
        i += 1;
    }
    None
}

fn hash(folded: u32) -> usize {
    (folded.wrapping_mul(0x9E37_79B1) >> (32 - BITS_LOG2)) as usize
}

/// How common a byte is in web pages (higher is more common), for choosing
/// the rarest window of a literal. Lowercase letters by English frequency,
/// then markup, URL and script punctuation and digits.
fn commonness(b: u8) -> u32 {
    const COMMON: &[u8] = b" etaoinsrlhdcumpfgywb.,v-k>/<=\"'x:_;0123456789jqz()";
    let b = b.to_ascii_lowercase();
    COMMON
        .iter()
        .position(|&c| c == b)
        .map_or(0, |i| (COMMON.len() - i) as u32)
}

/// Whether `lit` occurs in `text`, ignoring ASCII case: from each
/// occurrence of its first byte in either case.
fn contains_ignoring_ascii_case(text: &[u8], lit: &[u8]) -> bool {
    let Some(&first) = lit.first() else {
        return true;
    };
    memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), text).any(|at| {
        text.get(at..at + lit.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(lit))
    })
}

impl LiteralScan {
    /// Compiles `literals` (ids are their positions). They are compared
    /// ignoring ASCII case. Those shorter than four bytes are reported on
    /// every text.
    pub(crate) fn new(literals: &[&str]) -> Self {
        Self::build(literals, false)
    }

    /// Like [`new`](Self::new), for short texts: the literals shorter than
    /// four bytes are looked for one by one (a pass over the text each).
    pub(crate) fn for_short_texts(literals: &[&str]) -> Self {
        Self::build(literals, true)
    }

    fn build(literals: &[&str], search_short: bool) -> Self {
        let mut entries = Vec::with_capacity(literals.len());
        let mut short = Vec::new();
        // Shortest literals first (they have the fewest windows to choose
        // from); a window already taken costs more, as every occurrence of
        // a shared window is compared with each of its literals.
        let mut order: Vec<usize> = (0..literals.len()).collect();
        order.sort_by_key(|&id| (literals[id].len(), id));
        let mut uses: foldhash::HashMap<u32, u32> = foldhash::HashMap::default();
        for id in order {
            let bytes = literals[id].as_bytes();
            if bytes.len() < WINDOW {
                short.push(id as u32);
                continue;
            }
            let folded_at = |o: usize| fold([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
            let offset = (0..=bytes.len() - WINDOW)
                .min_by_key(|&o| {
                    bytes[o..o + WINDOW]
                        .iter()
                        .map(|&b| commonness(b))
                        .sum::<u32>()
                        + SHARED_COST * uses.get(&folded_at(o)).copied().unwrap_or(0)
                })
                .unwrap_or(0);
            let window = folded_at(offset);
            *uses.entry(window).or_insert(0) += 1;
            entries.push(Entry {
                window,
                literal: id as u32,
                offset: offset as u32,
            });
        }
        short.sort_unstable();
        entries.sort_unstable_by_key(|e| (hash(e.window), *e));
        let mut bits = Box::new([0u64; WORDS]);
        let mut word_start = vec![0u32; WORDS + 1];
        for e in &entries {
            let h = hash(e.window);
            bits[h >> 6] |= 1 << (h & 63);
            word_start[(h >> 6) + 1] += 1;
        }
        for w in 0..WORDS {
            word_start[w + 1] += word_start[w];
        }
        Self {
            literals: literals
                .iter()
                .map(|l| l.to_ascii_lowercase().into_bytes().into_boxed_slice())
                .collect(),
            bits,
            entries,
            word_start,
            short,
            search_short,
        }
    }

    /// Calls `found(id)` for every literal that occurs in `text` (ignoring
    /// ASCII case), at least once each, and unless the scan is made for
    /// short texts, for every literal shorter than four bytes; callers
    /// deduplicate.
    pub(crate) fn scan(&self, text: &str, mut found: impl FnMut(usize)) {
        self.scan_at(text, &[], |id, _| found(id));
    }

    /// Whether [`scan_at`](Self::scan_at) reports where `literal` occurs
    /// (it is not shorter than a window).
    pub(crate) fn reports_positions(literal: &str) -> bool {
        literal.len() >= WINDOW
    }

    /// Like [`scan`](Self::scan), with where each occurrence starts: every
    /// occurrence of a literal of four bytes or more whose id is true in
    /// `every`, only the first of the others (later ones are not even
    /// compared), in ascending order of the window's position (not of the
    /// start); the shorter literals are reported once each, without a
    /// position.
    pub(crate) fn scan_at(
        &self,
        text: &str,
        every: &[bool],
        mut found: impl FnMut(usize, Option<usize>),
    ) {
        let text = text.as_bytes();
        // Literals found that need no further occurrence, one bit each.
        let mut done = vec![0u64; self.literals.len().div_ceil(64)];
        for &id in &self.short {
            let lit = &self.literals[id as usize];
            if !self.search_short || contains_ignoring_ascii_case(text, lit) {
                found(id as usize, None);
            }
        }
        if self.entries.is_empty() {
            return;
        }
        let mut next = 0;
        while let Some((i, folded, h)) = next_hit(&self.bits, text, next) {
            next = i + 1;
            let word = h >> 6;
            let (from, to) = (self.word_start[word], self.word_start[word + 1]);
            for e in self.entries[from as usize..to as usize]
                .iter()
                .filter(|e| e.window == folded)
            {
                let id = e.literal as usize;
                if done[id >> 6] & (1 << (id & 63)) != 0 {
                    continue;
                }
                let lit = &self.literals[id];
                let Some(start) = i.checked_sub(e.offset as usize) else {
                    continue;
                };
                if text
                    .get(start..start + lit.len())
                    .is_some_and(|t| t.eq_ignore_ascii_case(lit))
                {
                    found(id, Some(start));
                    if !every.get(id).copied().unwrap_or(false) {
                        done[id >> 6] |= 1 << (id & 63);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn present(scan: &LiteralScan, text: &str) -> Vec<usize> {
        let mut v = Vec::new();
        scan.scan(text, |id| v.push(id));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The literals a case-insensitive `contains` finds, and unless
    /// `search_short`, the short ones.
    fn naive(literals: &[&str], text: &str, search_short: bool) -> Vec<usize> {
        let lower = text.to_ascii_lowercase();
        literals
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                (l.len() < WINDOW && !search_short) || lower.contains(&l.to_ascii_lowercase())
            })
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn scan_at_reports_every_occurrence_only_where_asked() {
        let scan = LiteralScan::new(&["data-v", "hybr", "ab"]);
        let text = "data-v hybr DATA-V hybr data-vdata-v ab";
        let mut got: Vec<(usize, Option<usize>)> = Vec::new();
        scan.scan_at(text, &[true], |id, at| got.push((id, at)));
        got.sort_unstable();
        assert_eq!(
            got,
            [
                (0, Some(0)),
                (0, Some(12)),
                (0, Some(24)),
                (0, Some(30)),
                (1, Some(7)),
                (2, None)
            ]
        );
    }

    #[test]
    fn finds_overlapping_short_long_and_edge_occurrences() {
        let lits = [
            "js.hs-scripts.com",
            "hs-scripts",
            "scripts.com/",
            "alt",
            "ab",
            "_hsq",
            "wp-content",
            "Ünïcode-ß",
        ];
        // "alt" and "ab" (3 and 4) are shorter than a window: always there.
        for (text, want) in [
            (
                "<script src=\"//JS.HS-Scripts.com/123.js\">",
                vec![0, 1, 2, 3, 4],
            ),
            ("_hsq", vec![3, 4, 5]),
            ("x_HSQ", vec![3, 4, 5]),
            ("alt=\"\" AB wp-conten", vec![3, 4]),
            ("wp-content", vec![3, 4, 6]),
            ("…Ünïcode-ß…", vec![3, 4, 7]),
            ("ÜNÏCODE-ß", vec![3, 4]),
            ("", vec![3, 4]),
        ] {
            let scan = LiteralScan::new(&lits);
            assert_eq!(present(&scan, text), want, "{text:?}");
            assert_eq!(naive(&lits, text, false), want, "naive {text:?}");
        }
    }

    #[test]
    fn a_scan_for_short_texts_looks_for_short_literals() {
        let lits = ["alt", "ab", ".js", "hs-scripts"];
        let scan = LiteralScan::for_short_texts(&lits);
        for (text, want) in [
            ("//JS.HS-Scripts.com/123.JS", vec![2, 3]),
            ("xALab", vec![1]),
            ("xaLT", vec![0]),
            ("a", vec![]),
            ("", vec![]),
        ] {
            assert_eq!(present(&scan, text), want, "{text:?}");
            assert_eq!(naive(&lits, text, true), want, "naive {text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Same answer as a case-insensitive `contains` per literal, on
        /// texts stitched from pieces of the literals, their case variants
        /// and noise.
        #[test]
        fn agrees_with_a_naive_search(
            lits in prop::collection::vec("[a-zA-Z0-9./_<>=\"-]{1,14}", 1..40),
            picks in prop::collection::vec((any::<prop::sample::Index>(), 0usize..14, 0usize..14, any::<bool>()), 0..30),
            noise in prop::collection::vec("[a-zA-Z0-9 ./_<>=\"-]{0,6}", 0..30),
        ) {
            let refs: Vec<&str> = lits.iter().map(String::as_str).collect();
            let mut text = String::new();
            for (k, (i, a, b, upper)) in picks.iter().enumerate() {
                let l = i.get(&lits);
                let (a, b) = ((*a).min(l.len()), (*b).min(l.len()));
                let piece = if a <= b { &l[..] } else { &l[b..a] };
                text.push_str(&if *upper { piece.to_ascii_uppercase() } else { piece.to_owned() });
                if let Some(n) = noise.get(k) {
                    text.push_str(n);
                }
            }
            let scan = LiteralScan::new(&refs);
            prop_assert_eq!(present(&scan, &text), naive(&refs, &text, false));
            let scan = LiteralScan::for_short_texts(&refs);
            prop_assert_eq!(present(&scan, &text), naive(&refs, &text, true));
        }
    }
}
