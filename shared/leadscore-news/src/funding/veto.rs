//! A learned veto over the funding rules.
//!
//! The rules of [`super`] decide which sentences announce a closed round. On
//! news they have never seen they also accept sentences that only look
//! like one (a grant, a ranking, a sector's total). This module holds a
//! small logistic-regression model over the words of a sentence, trained on
//! the labelled evaluation sets, that gives the probability that a sentence
//! announces a round; a sentence the rules accept is rejected when that
//! probability is below the model's threshold. It never turns a rejected
//! sentence into a round, so every amount, currency and stage still comes
//! from the rules.
//!
//! The model is data: `data/funding/veto.json`, made by [`train`] from the
//! evaluation sets under `tests/eval/` (the test
//! `funding_veto_is_trained_from_the_eval_sets` checks that the shipped
//! file is what training on them gives, within 1e-5 per weight, and
//! rewrites it when run with `LEADSCORE_BLESS=1`). Its format is documented in `docs/funding.md`.
//!
//! Features: the sentence is lowercased, every number becomes `<num>`, and
//! its tokens are runs of letters, `<num>` and currency signs; the features
//! are the distinct tokens and pairs of adjacent tokens (`"series a"`,
//! `"raises $"`). A sentence's vector has `1/sqrt(k)` for each of its `k`
//! features known to the model, so long sentences weigh no more than short
//! ones.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The version of the model file format this code reads.
pub const FORMAT: u32 = 1;

/// The shipped model.
const SHIPPED: &str = include_str!("../../../../data/funding/veto.json");

/// A model file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VetoError {
    #[error("funding veto model: {0}")]
    Json(#[from] serde_json::Error),
    #[error("funding veto model: format {found}, this build reads format {FORMAT}")]
    Format { found: u32 },
    #[error("funding veto model: threshold {0} is not within 0..1")]
    Threshold(f64),
}

/// The model file (`data/funding/veto.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: u32,
    /// What it was trained on, for people reading the file.
    trained_on: String,
    /// How the threshold was chosen, for people reading the file.
    threshold_rule: String,
    threshold: f64,
    bias: f64,
    /// Feature -> weight, sorted so the file diffs well.
    weights: BTreeMap<String, f64>,
}

/// A trained veto: a linear model over a sentence's word features.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingVeto {
    file: ModelFile,
    index: HashMap<String, f64>,
}

static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\W\d_]+|<num>|[$€£¥₹]").expect("valid token pattern"));
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.,\u{a0}\u{202f} ]\d+)*").expect("valid number pattern"));
static DEFAULT: LazyLock<FundingVeto> =
    LazyLock::new(|| FundingVeto::from_json(SHIPPED).expect("the shipped funding veto parses"));

/// The sentence lowercased, its numbers folded to `<num>`.
fn fold(sentence: &str) -> String {
    let lower = sentence
        .to_lowercase()
        .replace("us$", " us$ ")
        .replace("r$", " r$ ");
    match NUMBER.replace_all(&lower, " <num> ") {
        std::borrow::Cow::Borrowed(_) => lower,
        std::borrow::Cow::Owned(folded) => folded,
    }
}

/// The distinct tokens and distinct pairs of adjacent tokens of a folded
/// sentence, each list sorted.
fn tokens_and_pairs(text: &str) -> (Vec<&str>, Vec<(&str, &str)>) {
    let tokens: Vec<&str> = TOKEN.find_iter(text).map(|m| m.as_str()).collect();
    let mut pairs: Vec<(&str, &str)> = tokens.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut tokens = tokens;
    tokens.sort_unstable();
    tokens.dedup();
    (tokens, pairs)
}

/// The sentence's distinct features, sorted: its tokens and its pairs of
/// adjacent tokens (joined by a space).
pub fn features(sentence: &str) -> Vec<String> {
    let text = fold(sentence);
    let (tokens, pairs) = tokens_and_pairs(&text);
    let mut out: Vec<String> = tokens.iter().map(|t| (*t).to_owned()).collect();
    out.extend(pairs.iter().map(|(a, b)| format!("{a} {b}")));
    out.sort_unstable();
    out
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl FundingVeto {
    /// The model shipped in `data/funding/veto.json`.
    pub fn shipped() -> &'static FundingVeto {
        &DEFAULT
    }

    /// Reads a model file.
    pub fn from_json(json: &str) -> Result<Self, VetoError> {
        // The format first, so a file of another format says so rather
        // than naming a field this build does not know.
        #[derive(Deserialize)]
        struct Format {
            format: u32,
        }
        let Format { format } = serde_json::from_str(json)?;
        if format != FORMAT {
            return Err(VetoError::Format { found: format });
        }
        let file: ModelFile = serde_json::from_str(json)?;
        if !(0.0..1.0).contains(&file.threshold) {
            return Err(VetoError::Threshold(file.threshold));
        }
        Ok(Self::from_file(file))
    }

    fn from_file(file: ModelFile) -> Self {
        let index = file.weights.iter().map(|(f, w)| (f.clone(), *w)).collect();
        Self { file, index }
    }

    /// The model file's text (pretty JSON, features sorted).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.file).expect("a model serializes");
        s.push('\n');
        s
    }

    /// The probability that `sentence` announces a round.
    pub fn probability(&self, sentence: &str) -> f64 {
        // As `features`, without a string per feature.
        let text = fold(sentence);
        let (tokens, pairs) = tokens_and_pairs(&text);
        let (mut known, mut sum) = (0usize, 0.0f64);
        let mut add = |w: Option<&f64>| {
            if let Some(w) = w {
                known += 1;
                sum += w;
            }
        };
        for t in tokens {
            add(self.index.get(t));
        }
        let mut pair = String::new();
        for (a, b) in pairs {
            pair.clear();
            pair.push_str(a);
            pair.push(' ');
            pair.push_str(b);
            add(self.index.get(pair.as_str()));
        }
        if known == 0 {
            return sigmoid(self.file.bias);
        }
        sigmoid(self.file.bias + sum / (known as f64).sqrt())
    }

    /// True when a sentence the rules accept is unlikely to announce a
    /// round: its probability is below the threshold.
    pub fn vetoes(&self, sentence: &str) -> bool {
        self.probability(sentence) < self.file.threshold
    }

    /// The probability under which sentences are vetoed.
    pub fn threshold(&self) -> f64 {
        self.file.threshold
    }

    /// The number of features with a weight.
    pub fn len(&self) -> usize {
        self.file.weights.len()
    }

    /// True when the model knows no feature.
    pub fn is_empty(&self) -> bool {
        self.file.weights.is_empty()
    }

    /// The largest difference between the weights, bias and threshold of
    /// two models (a feature one lacks counts as weight 0).
    pub fn max_difference(&self, other: &FundingVeto) -> f64 {
        let mut d = (self.file.bias - other.file.bias)
            .abs()
            .max((self.file.threshold - other.file.threshold).abs());
        for (f, w) in &self.file.weights {
            d = d.max((w - other.index.get(f).copied().unwrap_or(0.0)).abs());
        }
        for (f, w) in &other.file.weights {
            d = d.max((w - self.index.get(f).copied().unwrap_or(0.0)).abs());
        }
        d
    }
}

/// One labelled sentence to train on.
#[derive(Debug, Clone)]
pub struct Example<'a> {
    pub text: &'a str,
    /// True when it announces a round.
    pub is_round: bool,
    /// The set it comes from: the threshold is chosen by leaving out one
    /// set at a time.
    pub group: usize,
}

/// How [`train`] trains.
#[derive(Debug, Clone)]
pub struct TrainParams {
    /// L2 regularization strength.
    pub lambda: f64,
    /// Passes of stochastic gradient descent over the examples.
    pub epochs: usize,
    /// The initial learning rate.
    pub eta0: f64,
    /// The seed of the example order.
    pub seed: u64,
    /// A feature is kept when at least this many examples have it.
    pub min_count: usize,
    /// The threshold is the highest (on a 0.01 grid) at which the
    /// rounds, each scored by a model trained without its set, keep at
    /// least this recall.
    pub target_recall: f64,
    /// Written into the model file.
    pub trained_on: String,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            lambda: 1e-5,
            epochs: 20,
            eta0: 0.5,
            seed: 0,
            min_count: 2,
            target_recall: 0.95,
            trained_on: String::new(),
        }
    }
}

/// Weights rounded to this, so the file stays small and stable.
const PRECISION: f64 = 1e6;

/// How fast the learning rate decays: at step `t` it is
/// `eta0 / (1 + eta0 * lambda * t * DECAY)`.
const DECAY: f64 = 50.0;

/// The example order: a seeded SplitMix64 generator and a Fisher–Yates
/// shuffle, written out so that training gives the same model on every
/// platform and with every version of its dependencies.
struct Shuffler(u64);

impl Shuffler {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            // The modulo bias is negligible for a few thousand items, and
            // the same everywhere.
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// A linear model before it becomes a [`FundingVeto`].
struct Linear {
    vocabulary: Vec<String>,
    weights: Vec<f64>,
    bias: f64,
}

/// Each example's features as indices into `vocabulary`.
fn vectors(features: &[Vec<String>], vocabulary: &HashMap<&str, usize>) -> Vec<Vec<usize>> {
    features
        .iter()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| vocabulary.get(f.as_str()).copied())
                .collect()
        })
        .collect()
}

/// Logistic regression by stochastic gradient descent (L2-regularized,
/// with the weights' common scale kept apart so regularization costs
/// nothing per step) on the examples `which` of `features`/`labels`.
fn fit(features: &[Vec<String>], labels: &[bool], which: &[usize], p: &TrainParams) -> Linear {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for &i in which {
        for f in &features[i] {
            *counts.entry(f.as_str()).or_default() += 1;
        }
    }
    let mut vocabulary: Vec<String> = counts
        .into_iter()
        .filter(|&(_, n)| n >= p.min_count)
        .map(|(f, _)| f.to_owned())
        .collect();
    vocabulary.sort_unstable();
    let index: HashMap<&str, usize> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let all = vectors(features, &index);
    let mut v = vec![0.0f64; vocabulary.len()];
    let mut scale = 1.0f64;
    let mut bias = 0.0f64;
    let mut order: Vec<usize> = which.to_vec();
    let mut rng = Shuffler(p.seed);
    let mut t = 0.0f64;
    for _ in 0..p.epochs {
        rng.shuffle(&mut order);
        for &k in &order {
            let eta = p.eta0 / (1.0 + p.eta0 * p.lambda * t * DECAY);
            t += 1.0;
            let x = &all[k];
            let xv = if x.is_empty() {
                0.0
            } else {
                1.0 / (x.len() as f64).sqrt()
            };
            let z = bias + scale * x.iter().map(|&i| v[i] * xv).sum::<f64>();
            let g = sigmoid(z) - if labels[k] { 1.0 } else { 0.0 };
            scale *= 1.0 - eta * p.lambda;
            if scale < 1e-6 {
                v.iter_mut().for_each(|w| *w *= scale);
                scale = 1.0;
            }
            let c = eta * g / scale;
            for &i in x {
                v[i] -= c * xv;
            }
            bias -= eta * g;
        }
    }
    Linear {
        vocabulary,
        weights: v.into_iter().map(|w| w * scale).collect(),
        bias,
    }
}

impl Linear {
    fn into_veto(self, threshold: f64, p: &TrainParams) -> FundingVeto {
        let round = |w: f64| (w * PRECISION).round() / PRECISION;
        let weights = self
            .vocabulary
            .into_iter()
            .zip(self.weights)
            // Every feature stays, even at weight 0: a sentence's scale
            // counts its features known to the model, as in training.
            .map(|(f, w)| (f, round(w)))
            .collect();
        FundingVeto::from_file(ModelFile {
            format: FORMAT,
            trained_on: p.trained_on.clone(),
            threshold_rule: format!(
                "the highest threshold (0.01 steps) at which rounds scored by models trained without their set keep a recall of at least {}",
                p.target_recall
            ),
            threshold,
            bias: round(self.bias),
            weights,
        })
    }
}

/// Trains a veto on `examples`: the threshold from models trained without
/// one group at a time (so it is set on sentences the model has not seen),
/// then the weights on all of them.
pub fn train(examples: &[Example<'_>], p: &TrainParams) -> FundingVeto {
    let features: Vec<Vec<String>> = examples
        .iter()
        .map(|e| features(&crate::text::normalize(e.text)))
        .collect();
    let labels: Vec<bool> = examples.iter().map(|e| e.is_round).collect();
    let mut groups: Vec<usize> = examples.iter().map(|e| e.group).collect();
    groups.sort_unstable();
    groups.dedup();
    // Out-of-group probabilities of the rounds.
    let mut round_probabilities = Vec::new();
    for &g in &groups {
        let train_on: Vec<usize> = (0..examples.len())
            .filter(|&i| examples[i].group != g)
            .collect();
        let model = fit(&features, &labels, &train_on, p).into_veto(0.5, p);
        round_probabilities.extend(
            examples
                .iter()
                .filter(|e| e.group == g && e.is_round)
                .map(|e| model.probability(&crate::text::normalize(e.text))),
        );
    }
    let recall_at = |t: f64| {
        round_probabilities.iter().filter(|&&q| q >= t).count() as f64
            / round_probabilities.len().max(1) as f64
    };
    let threshold = (1..100)
        .rev()
        .map(|i| f64::from(i) / 100.0)
        .find(|&t| recall_at(t) >= p.target_recall)
        .unwrap_or(0.0);
    let all: Vec<usize> = (0..examples.len()).collect();
    fit(&features, &labels, &all, p).into_veto(threshold, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_words_and_pairs_with_numbers_folded() {
        assert_eq!(
            features("Acme raises $5.5M Series A"),
            [
                "$",
                "$ <num>",
                "<num>",
                "<num> m",
                "acme",
                "acme raises",
                "a",
                "m",
                "m series",
                "raises",
                "raises $",
                "series",
                "series a",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_shipped_model_parses_and_knows_words() {
        let veto = FundingVeto::shipped();
        assert!(veto.len() > 1000, "{} features", veto.len());
        assert!((0.0..1.0).contains(&veto.threshold()));
    }

    #[test]
    fn bad_model_files_are_refused() {
        let ok = FundingVeto::shipped().to_json();
        assert!(FundingVeto::from_json(&ok).is_ok());
        let wrong_format = ok.replacen("\"format\": 1", "\"format\": 2", 1);
        assert!(matches!(
            FundingVeto::from_json(&wrong_format),
            Err(VetoError::Format { found: 2 })
        ));
        assert!(matches!(
            FundingVeto::from_json("{"),
            Err(VetoError::Json(_))
        ));
        let file = |threshold: &str, weight: &str| {
            format!(
                r#"{{"format": 1, "trained_on": "t", "threshold_rule": "t", "threshold": {threshold}, "bias": 0.0, "weights": {{"raises": {weight}}}}}"#
            )
        };
        assert!(FundingVeto::from_json(&file("0.2", "1.5")).is_ok());
        for threshold in ["1.5", "-0.1", "1.0"] {
            assert!(
                matches!(
                    FundingVeto::from_json(&file(threshold, "1.5")),
                    Err(VetoError::Threshold(_))
                ),
                "{threshold}"
            );
        }
        // JSON has no infinities: a weight out of range is a JSON error.
        assert!(matches!(
            FundingVeto::from_json(&file("0.2", "1e999")),
            Err(VetoError::Json(_))
        ));
    }

    #[test]
    fn training_separates_a_toy_language() {
        let texts = [
            ("Acme raises $5M in a seed round", true),
            ("Foo raises $10M Series A", true),
            ("Bar closes $3M seed round", true),
            ("Baz raises $8M Series A led by Qux", true),
            ("Startups raised $5B in 2023", false),
            ("Fintechs raised $2B last year", false),
            ("Startups in Spain raised $1B in 2022", false),
            ("Healthtechs raised $4B in 2021", false),
        ];
        let examples: Vec<Example<'_>> = texts
            .iter()
            .enumerate()
            .map(|(i, (t, r))| Example {
                text: t,
                is_round: *r,
                group: i % 4,
            })
            .collect();
        let params = TrainParams {
            min_count: 1,
            epochs: 200,
            ..TrainParams::default()
        };
        let veto = train(&examples, &params);
        assert!(veto.probability("Qux raises $7M seed round") > 0.5);
        assert!(veto.probability("Proptechs raised $3B in 2020") < 0.5);
        // Trained twice, the same model.
        assert_eq!(veto, train(&examples, &params));
    }
}
