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

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

mod mood;
pub mod veto;

use crate::article::Article;
use crate::money::{Money, MoneyMention, find_money};
use crate::text::{cap_sentence, normalize, resolve_relative_date, sentences};

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

/// Compiles a funding pattern so that its accented letters also match
/// their plain letters: all-caps headlines and hurried copy drop accents
/// ("LEVE 7 MILLIONS D'EUROS", "AMORCAGE").
fn re(p: &str) -> Regex {
    Regex::new(&accent_tolerant(p)).expect("valid funding pattern")
}

/// Ceiling on the lazy DFA cache of the patterns compiled by [`re_large`],
/// in bytes (the regex crate's default is 2 MB).
const LARGE_DFA_CACHE_BYTES: usize = 32 << 20;

/// [`re`] for a pattern whose lazy DFA needs more than the default cache.
///
/// The regex crate matches through a lazy DFA that builds its states as
/// searches need them, in a cache of bounded size. When the cache fills it
/// is cleared, and when clearing happens too often the search gives up on
/// the DFA and falls back to the NFA engines, several times slower. Two
/// patterns matched against the words before an amount, each a long
/// alternation of keywords (case-insensitive, accent-tolerant, with
/// Unicode word boundaries) followed by a few words and the end of the
/// text (`\b(?:valuation|...)\b\W*(?:\w+\W+){0,4}$`), outgrow 2 MB on real
/// news, and with 8 or 16 MB a more varied corpus still thrashed. The
/// keyword alternation is the cause, not the words after it: the same
/// list anchored at the end of the text and tried only where a scan found
/// the last five words ending (the same matches, checked on generated
/// texts and on every evaluation sentence) ran 38 % more instructions
/// with the default cache and none fewer with 32 MB, so it was not kept
/// (BENCHMARKS.md, fifteenth session). Measured: with 32 MB for the two
/// patterns that need it, extraction runs a third fewer instructions on the
/// benchmark's corpus and about a quarter fewer on all the evaluation
/// sets' sentences; no other pattern gained from a larger cache. The
/// ceiling is not an allocation: a cache grows only as far as the text
/// matched drives it (the evaluation sets' 627 articles raised the peak
/// RSS by 13 MB). Text that drove both caches to their ceilings would cost
/// at most 60 MB more than the default per thread extracting at once,
/// against the enrich Lambda's 512 MB.
fn re_large(p: &str) -> Regex {
    regex::RegexBuilder::new(&accent_tolerant(p))
        .dfa_size_limit(LARGE_DFA_CACHE_BYTES)
        .build()
        .expect("valid funding pattern")
}

/// The plain letter of an accented Latin letter, if `c` is one.
fn plain_letter(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        _ => return None,
    })
}

/// Rewrites a regex so each accented letter also matches its plain letter:
/// `lève` becomes `l[èe]ve`, and `[eé]` inside a class gains nothing new.
fn accent_tolerant(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            c => match plain_letter(c) {
                Some(p) if in_class => {
                    out.push(c);
                    out.push(p);
                }
                Some(p) => {
                    out.push('[');
                    out.push(c);
                    out.push(p);
                    out.push(']');
                }
                None => out.push(c),
            },
        }
    }
    out
}

static TRIGGER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:rais(?:e|es|ed|ing)|secur(?:e|es|ed|ing)|clos(?:e|es|ed|ing)|land(?:s|ed)|bag(?:s|ged)|nab(?:s|bed)|snag(?:s|ged)|grab(?:s|bed)
          |add(?:s|ed)|picked\ up|picks\ up|took\ in|takes\ in|rak(?:es|ed)\ in|haul(?:s|ed)\ in|took\ a\ chunk|gets|got|receiv(?:e|es|ed)|complet(?:e|es|ed)|announc(?:e|es|ed)
          |fundrais\w*|funding|financing|round|mega-?\ ?round|led\ the\ list|topped|capital\ increase
          |pour(?:s|ed|ing)|pump(?:s|ed|ing)|inject(?:s|ed|ing)|tops?\ up|topped\ up|injection
          |invest(?:s|ed)\s+(?:an?\s+)?(?:additional\s+|further\s+|another\s+|fresh\s+)?(?:\$|€|£|₹|rs\b|usd|eur|inr|gbp|chf))
      # a stage followed by its amount (su Serie C de 86 millones)
      | \bs[eé]ries?[-\ ][a-h]\s+(?:round\s+|ronda\s+|rodada\s+)?(?:de|of|von|à|worth)\s+(?:us\$|r\$|\$|€|£|₹|\d)
      # an amount followed by its stage (a $65 million Series A)
      | \b(?:million|billion|mn|bn|m|millions|millones|milhões|millionen|mio\.?|milliards?|millions\ d'euros|millones\ de\ (?:euros|dólares)|milhões\ de\ (?:reais|dólares))\s+(?:euros?\s+|dollars?\s+)?(?:s[eé]ries?[-\ ][a-h]|seed|pre-seed|serie\ [a-h])\b
      | \b(?:eingesammelt|einsammeln|sammelt|sammeln|sammelte|sammelten|erhält|erhalten|erhielt|bekommt|bekam|abgeschlossen|schließt|finanzierung\w*|\w*runde|gingen|kapitalerhöhung
          |gesichert|sichert|sicherte|sicherten|pumpen|pumpt|pumpte|schießen|schießt|schoss|kriegt|kriegen|eingeworben|finanzspritze\w*|eingenommen|bekommen
          |zufluss|zufliesst|zufließt|zuflossen|fließen|fliessen|fließt|fliesst|flossen|floss)\b
      | \b(?:holt|holte|holten)\s+(?:es\s+|sie\s+|er\s+)?sich\b|\bgeholt\b
      | \bvien(?:t|nent)\s+d(?:e\s+|['’])(?:décrocher|lever|boucler|obtenir|sécuriser|récolter|conclure|finaliser|réaliser|clôturer)\b
      | \bamass(?:e|é|ée|ent|er)\s+(?:[\w'’]+\s+){0,3}?(?:\d|«|plus\s+de)
      | \b(?:nimmt|nahm|nehmen)\b.{1,60}\bein\b
      | \b(?:lève|lèvent|levé|levés|lever|levée|levées|récolte|récolté|récolter|récoltant|boucle|bouclé|bouclée|bouclant|rassemblés|tour\ de\ table|obtient|obtenu|levait|levaient|bouclait|récoltait|opération|méga-?levée|augmentation\ de\ capital|reçoit|reçu|recevoir|en\ levant|tour\ de\ financement|tour\ d'amorçage|collecte|collectent|collecté|collectée)\b
      | \b(?:capt|recaud|levant)(?:a|ó|ado|ada|an|aron|aba|aban|ará|arán)\b
      | \b(?:cierra|cerró|cerraba|cierre|(?:mega|mini|macro|super)?-?rondas?|obtiene|obtienen|obtuvo|obtuvieron|obtenía|obtenido|obtenida|reúne|reúnen|reunió|reunieron|ampliación\ de\ capital|aumento\ de\ capital
          |recaudación|captación|financiación|financiamiento|inyecta|inyectó|inyectan|inyectaron|inyectar|inyección
          |acaba\ de\ (?:levantar|captar|recaudar|cerrar|conseguir|recibir))\b
      | \b(?:capt|levant)(?:a|ou|am|aram|ava|avam)\b
      | \brecib(?:e|en|ió|ieron|ido|ía)\b
      | \b(?:captação|recebe|recebeu|recebia|aporte|(?:mega|mini)?-?rodadas?|financiamento|injeta|injetou|injetam|injetaram|injeção
          |acaba\ de\ (?:levantar|captar|receber|fechar|arrecadar)|arrecad(?:a|ou|ado|aram|ar)|angari(?:a|ou|am|aram|ava|ado)|angariação)\b
      | \b(?:injecte|injectent|injecté|injectée|sécuris(?:e|é|ée|er|ant)|décroch(?:e|é|ent|ant))\b
      # asegura, consigue, garante: verbs of many senses, a trigger
      # only right before the money or the round
      | \b(?:asegur|consigu|logr)(?:a|an|ó|aron|ado)\s+(?:(?:una|un|su|más\ de|cerca\ de)\s+)?(?:us\$|r\$|\$|€|£|\d|financiación|financiamiento|inversión|ronda)
      | \b(?:garant|consegu)(?:e|em|iu|iram)\s+(?:(?:uma|um|mais\ de|cerca\ de)\s+)?(?:us\$|r\$|\$|€|£|\d|aporte|investimento|financiamento|rodada)
    ")
});

static RUMOUR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:in\ (?:early\ |advanced\ |preliminary\ )?(?:talks|discussions|negotiations)|looking\ to\ raise|seek(?:s|ing)?\ to\ raise|is\ seeking|are\ seeking
          |trying\ to\ raise|tries\ to\ raise|aim(?:s|ing)?\ to\ raise|plan(?:s|ning)?\ to\ raise|intend(?:s|ing)?\ to\ raise|hop(?:es|ing)\ to\ raise|hopes\ of\ raising
          |set\ to\ raise|is\ raising|are\ raising|could\ raise|would\ raise|may\ raise|might\ raise|expected\ to\ (?:raise|close)|in\ fundraising\ mode|will\ raise|to\ raise\ up\ to
          |cherche\ à\ lever|veut\ lever|souhaite\ lever|en\ (?:discussion|négociation)s?|busca\ (?:levantar|recaudar|captar)|en\ conversaciones|negocia|negociando|negociação
          |quer\ captar|pretende\ captar|in\ gesprächen|verhandelt|will\ .{0,30}\ einsammeln|plant\ .{0,30}\ finanzierungsrunde
          |about\ to\ (?:raise|close)|on\ the\ verge\ of\ (?:raising|closing)|close\ to\ (?:raising|closing)
          |poursui(?:t|vent)\ (?:une|sa|leur)\ levée|en\ cours\ de\ levée|qui\ sera\ réalisée|(?:estamos|está|estão)\ (?:numa|em\ uma|en\ una|en\ plena|em\ plena)\ (?:rodada|ronda|captação)
          |est[áa]\ (?:para|prestes\ a)\ (?:fechar|captar|levantar|receber|concluir)|prestes\ a\ (?:fechar|captar|levantar|receber|concluir)
          |a\ punto\ de\ (?:cerrar|captar|levantar|recaudar)|a\ la\ espera\ de|sur\ le\ point\ de\ (?:lever|boucler|clore|finaliser)
          |kurz\ vor\ (?:dem\ abschluss|einer\ finanzierung\w*)
          |(?:discuss|consider|explor|weigh|contemplat|evaluat)(?:es|e|ed|ing|s)?\ (?:raising|a\ (?:new\ )?raise|a\ new\ (?:funding\ )?round)
          |intention\ (?:de|to)\ (?:lever|raise)|l'intention\ de|intends?\ to|intenci[oó]n\ de\ (?:levantar|captar|recaudar)|intenção\ de\ (?:captar|levantar)|absicht\w*,?\ .{0,40}\ einzusammeln
          |s'engage(?:ait|aient|ant|nt)?\ à\ lever|se\ comprometi[óo]\ a\ (?:levantar|captar|recaudar)|se\ comprometeu\ a\ (?:captar|levantar)
          |plane(?:a|an|aba|aban)\ (?:captar|capturar|levantar|recaudar|cerrar)|planeja(?:m|va)?\ (?:captar|levantar|fechar)|prévoi(?:t|ent)\ de\ lever|prévoyai(?:t|ent)\ (?:une|de)|(?:prepara|preparan|prepares|preparing|prépare|préparent)\ (?:su|sua|its|their|sa|son|una|uma|a|une)\ (?:[\w-]+\ ){0,2}?(?:ronda|rodada|round|levée|tour)|compte\ lever|plant,?\ .{0,40}\ einzusammeln
          |nunca\ se\ (?:llegó\ a\ )?(?:materializ|concret)\w*|never\ (?:materiali[sz]ed|closed|happened|came\ through)|fell\ through|jamais\ (?:été\ )?concrétisée?|nunca\ se\ (?:materializou|concretizou)|kam\ nie\ zustande|ist\ geplatzt
          |(?:effort|campaign|bid|drive|attempt)\ to\ raise|campagne\ pour\ lever|campaña\ para\ (?:recaudar|captar)|campanha\ para\ (?:captar|arrecadar)
          |(?:abriu|abre|opened|opens|launched|lança|lançou|lanzó|lanza|lance|ouvre|a\ ouvert)\ (?:\w+\ ){0,5}?(?:para|to|pour)\ (?:arrecadar|captar|levantar|raise|lever|recaudar)
          |targets?\ to\ raise|ongoing\ (?:[\w-]+\ )?round|laufende[nr]?\ (?:finanzierungs)?runde|ronda\ en\ curso|rodada\ em\ andamento|levée\ en\ cours
          # a round begun, not closed (acaba de comenzar una ronda)
          |(?:comenzar|comenzó|comienza|empezar|empezó|empieza|iniciar|inició|started|starts|began|begins|initie|initié|iniciou|começou|começa|startet|startete)\ (?:una|un|a|an|uma|um|une|eine|its|su|sua|sa|son|ihre)\ (?:[\w-]+\ ){0,2}?(?:ronda|round|rodada|levée|tour|finanzierungsrunde|runde|campaign|campaña|campanha)
          # German reported plans (soll ... planen, soll ... einbringen, auftreiben wollen)
          # (Investoren sollen ihr Know-how einbringen is no plan to raise)
          |(?:auftreiben|einsammeln|einwerben|aufnehmen)\ (?:wollen|will|möchte|möchten|soll|sollen)|soll(?:en)?\ .{0,40}\bplanen
          |soll(?:en)?\ .{0,60}(?:millionen|milliarden|mio|mrd|euro|dollar|franken).{0,20}\beinbringen
          # a round sought, expected or opened, not closed
          |\w*runde\b.{0,60}?\banstreb\w*|strebt\ .{0,60}?\w*runde\b.{0,40}?\ an|nähert\ sich\b.{0,80}\babschluss
          |plans?\ (?:a|an|its)\ (?:new\ |next\ )?(?:[\w-]+\ ){0,2}?(?:round|raise|fundraise|funding)
          |devrait\ (?:clore|clôturer|lever|boucler|finaliser)|en\ passe\ de\ (?:clôturer|clore|boucler|lever|finaliser)|n'exclut\ pas\ (?:une|de|d')\ ?.{0,30}?(?:levée|augmentation|tour)
          |(?:ha\ abierto|abre|abrió|abren|abriu|abrem)\ (?:una|uma|su|sua)\ (?:nueva\ |nova\ )?(?:ronda|rodada)
          |(?:está|estão)\ com\ uma\ rodada\b.{0,80}\baberta
          # conditionals of reported plans (buscaría, estaría en proceso de
          # recaudar, serait en pourparlers, chercherait à lever, aurait levé)
          |buscar[ií]a|estar[ií]a\ en\ (?:proceso|conversaciones|negociaciones)|serait\ en\ (?:pourparlers|discussions?|négociations?)|chercherait|lèverait|aurait\ levé|levantar[ií]a|recaudar[ií]a|captar[ií]a|cerrar[ií]a|captaria|levantaria|fecharia|estaria\ (?:em\ )?negocia\w*
          |negoci(?:an|am|aba|aban|avam|ava)|(?:en|em|in)\ [\x22“«]?\ ?(?:negociaciones|negociações|pourparlers)
          |(?:ultima|ultiman)\ (?:una|su|la)\ (?:nueva\ )?(?:ronda|ampliación)|(?:se\ )?aproxima(?:ndo)?\ (?:de\ )?(?:uma|una)\ (?:nova\ )?(?:rodada|ronda)|approaching\ a\ (?:[\w$.-]+\ ){0,3}?round
          |(?:prépare|préparent|prepara|preparan)\ un\ (?:[\w-]+\ ){0,2}?(?:tour|round|levée|ronda)
          |(?:esper(?:a|an|aba|aban|am|ava)\ (?:captar|levantar|recaudar|cerrar|arrecadar|fechar)|espère(?:nt)?\ lever|expects?\ to\ (?:raise|close|secure))\b.{0,40}?(?:(?:\$|€|£)\s?\d|\d[\d.,]*\s*(?:millones|milhões|millions?|milliards?|billions?|mio\b|m€|bn\b|mn\b|m\b|k\b)|\b(?:una?|uma?|a|an|its|su|sua|sa|une)\ (?:[\w-]+\ )?(?:ronda|rodada|round|levée|financiación|financiamento|funding|financing)\b)
          |(?:abrirá|abrirán|lanzará|ouvrira|lancera|abrirão)\ (?:una|uma|su|sua|une|sa|son)\ (?:nueva\ |nova\ |nouvelle\ )?(?:ronda|rodada|levée|tour))\b
    ")
});

static FUND_CLOSE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:closes?|closed|closing|raising|raised|raises|launch(?:es|ed)?|unveil(?:s|ed)?|announce[sd]?)\s+(?:(?:its|a|the|their|new|first|second|third|fourth|fifth|sixth|seventh|debut|inaugural|latest|largest|maiden|oversubscribed|final|early-stage|growth|seed|venture|VC|\$?[\d.,]+\s?(?:bn|b|m|mn|million|billion)?|[A-Z][\w&'-]*)\s+){0,5}(?:fund|vehicle)\b
      | \b(?:for|as\ part\ of|toward|towards)\s+(?:its|a|their|the)\s+(?:\w+\s+){0,2}fund\b
      | \b(?:pour|para|für)\s+(?:son|sa|leur|un|su|seu|sua|um|seinen|ihren|einen)\s+(?:\w+\s+){0,2}(?:fonds|fondo|fundo)\b
      | \b(?:first|final|second|third)\s+close\b
      | \b(?:primer|primeiro|premier)\s+(?:cierre|fechamento|closing)\b
      # a capitalized Venture Fund is an investor's name, not a fund raised
      | (?-i:\b(?:VC|vc|[Vv]enture)\ fund\b)
      | \b(?:lanzamiento\ del|lanza\ un|lanzó\ un|creó\ un|crea\ un|lancement\ du|lance\ un|criou\ um|cria\ um|lança\ um|lançou\ um|auflage\ eines|legt\ .{0,20}\ auf)\s+(?:\w+\s+){0,3}(?:fondo|fonds|fundo|fund)\b
      | \b(?:fondo|fonds|fundo)\s+de\s+(?:inversión|capital|investimento|venture)\b
      | ^\W*(?:the|o|le|el|der|das)\s+(?:new\s+|nuevo\s+|nouveau\s+|novo\s+|neue\s+)?(?:fund|fundo|fonds|fondo)\s+(?:could|would|will|may|podría|podrá|pourrait|poderia|könnte|wird)\s+(?:raise|recaudar|levantar|captar|lever|einsammeln|close|cerrar|boucler|fechar)\b
      | ^\W*(?:the|o|le|el|der)\s+(?:new\s+|nuevo\s+|nouveau\s+|novo\s+|neue\s+)?(?:fund|fundo|fonds|fondo)\s+(?:has|hat|a|ha|tem)\s+(?:[\w-]+\s+){0,4}?(?:raised|closed|secured|collected|eingesammelt|eingeworben|levé|bouclé|récolté|captado|levantado|recaudado|cerrado|captou|levantou|fechou)\b
      | ^\W*(?:the|o|le|el|der|das)\s+(?:fund|fundo|fonds|fondo)\s+(?:(?-i:\p{Ll})[\p{L}-]+\s+){0,3}?(?-i:\p{Lu}).{0,160}?\b(?:raised|closed|levantou|captou|fechou|levantó|recaudó|cerró|a\ levé|a\ bouclé|sammelte|hat\ .{0,30}eingesammelt)\b
      | \b(?:to\ invest\ in|para\ investir\ em|para\ invertir\ en|pour\ investir\ dans|um\ in)\s+(?:[\w-]+\s+){0,2}?(?:startups?|start-ups?|founders|fundadores|fondateurs|gründer\w*|empresas|companies|entreprises|jeunes\ pousses|unternehmen)\b
    ")
});

static AGGREGATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:across|in|en|em|répartis\ en|über)\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|sete|dos|tres|deux|trois)\s+(?:deals|rounds|transactions|rodadas|rondas|operaciones|opérations|operações|investissements|finanzierungsrunden|deals)\b
      | \b(?:insgesamt|in\ total|en\ total|au\ total|no\ total|collectively|combined|cumulatively|altogether|a\ total\ of)\b
      | \b\d+\s+(?:empresas|companies|unternehmen|entreprises|operaciones|operações|opérations)\b
      # volumes: the sum of many rounds
      | \b\w*volumina\b|\bgesamtvolumen\s+(?:der|aller)\s+\w*(?:runden|deals|investitionen|finanzierungen|unternehmen)\b
      | \b(?:funding|investment|deal|financing|venture)\s+volumes?\b
      | \bvolumes?\s+(?:de|des|du)\s+(?:financement|levées|investissements?|fonds\ levés)\b
      | \bvolumen\s+de\s+(?:inversión|financiación|capital)\b|\bvolume\s+de\s+(?:investimentos?|aportes|captações)\b
      # approximate counts of deals or companies
      | \b(?:dizaine|douzaine|quinzaine|vingtaine|trentaine|quarantaine|cinquantaine|centaine)\s+d(?:e\s+|')(?:opérations|levées|deals|start-?ups?|entreprises|tours|sociétés)\b
      | \b(?:dozens|a\ dozen|scores|hundreds)\s+of\s+(?:deals|rounds|startups|start-ups|companies|transactions)\b
      | \b(?:decenas|una\ decena|docenas|dezenas|uma\ dezena)\s+de\s+(?:operaciones|operações|rondas|rodadas|startups|empresas)\b
      | \b(?:dutzende|ein\ dutzend)\s+(?:finanzierungsrunden|deals|start-?ups|unternehmen)\b
      # many rounds summed (suman, totalise) or counted (avec 14 tours de table)
      | \b(?:suman|sumaron|totalizan|totalizaron|totalise|totalisent|totalisait|totalizam|totalizaram|somam|somaram|summieren\ sich)\b
      | \b(?:with|avec|con|com|mit|after|après|tras|após|nach)\s+(?:\d+|two|three|four|five|deux|trois|quatre|cinq|dos|tres|cuatro|cinco|duas|três|quatro|zwei|drei|vier|fünf)\s+(?:deals|rounds|tours\ de\ table|levées|opérations|rondas|operaciones|rodadas|operações|finanzierungsrunden|deals)\b
      # statistics: a median or an average, a comparison of two amounts
      | \bmedian\b|\bmediana\b|\bmédiane\b|\b(?:an|the)\s+average\b|\b(?:une|la|en)\s+moyenne\b|\b(?:uma|a|na|em)\s+média\b|\bpromedio\b|\bdurchschnitt\w*
      | \b(?:statt|anstatt|instead\ of|compared\ (?:to|with)|versus|vs\.?|frente\ a|contre|face\ à|par\ rapport\ à|em\ relação\ a|gegenüber)\s+(?:[\w-]+\s+){0,2}?(?:\$|€|£|\d[\d.,]*\s?(?:mio\b|mrd\b|millions?|milliards?|millones|milhões|millionen|milliarden|bn\b|m\b|€|\$|£|euros?|dollars?))
      | \b(?:plus\ de\ (?:levées|tours|opérations)|more\ (?:rounds|raises|deals|megarounds)|más\ (?:rondas|operaciones)|mais\ (?:rodadas|operações|aportes)|mehr\ (?:finanzierungs)?runden)\b
      | \b(?:les\ cas\ de|the\ cases\ of|los\ casos\ de|os\ casos\ de)\b
      | \bkumuliert\w*|\bcumulée?s?\b|\bacumulad[oa]s?\b
      | \b(?:die|the|les|los|las|as|os)\s+(?:\w+\s+)?(?:drei|fünf|zehn|three|five|ten|trois|cinq|dix|tres|cinco|diez|três|dez|\d+)\s+(?:\w+\s+)?(?:finanzierungen|finanzierungsrunden|rounds|deals|levées|tours|rondas|rodadas|operaciones|operações)\b
      | \b(?:entre\ janvier\ et|between\ january\ and|entre\ enero\ y|zwischen\ januar\ und|entre\ janeiro\ e)\b|\b(?:à\ la\ même\ période|(?:in\ )?the\ same\ period|(?:en\ el\ )?mismo\ periodo|(?:no\ )?mesmo\ período|vorjahreszeitraum)\b
      | \b\d+\ ?%\ (?:de\ (?:moins|plus)|less|more|weniger|mehr|menos|más|mais)\b
      # a change between two amounts (stieg von 529 Mio. auf 881 Mio. Euro)
      | \b(?:rose|grew|increased|jumped|climbed|fell|dropped|declined|went\ up|stieg|wuchs|sank|fiel|kletterte|sprang|est\ passée?|a\ augmenté|a\ bondi|a\ chuté|pasó|creció|aumentó|cayó|subió|passou|cresceu|aumentou|caiu|subiu)\b
        .{0,40}?\b(?:from|von|de)\s+(?:us\$|r\$|\$|€|£)?\s?\d[\d.,]*\b.{0,25}?\b(?:to|auf|à|a|para)\s+(?:us\$|r\$|\$|€|£)?\s?\d
      | \binvestitionsvolumen\b|\bvolume\s+(?:captado|levantado|arrecadado)\b|\b\w*(?:finanzierungs|transaktions|markt)volumen\b
      # a change from a year (down from €63 billion in 2023), not a
      # valuation's rise told with a round (up from $400 million)
      | \b(?:down|up)\s+from\s+(?:us\$|\$|€|£)?\s?\d[^,;]{0,40}\b(?:in|en|im)\s+20\d\d\b
      # the biggest round of a year, ranked in a review (this year's
      # biggest round was; the highest round went to ... in 2021)
      | \b(?:this|last)\s+year['’]s\s+(?:biggest|largest|highest)\b.{0,80}?\bwas\b
      | \b(?:biggest|largest|highest|höchste|größte)\s+(?:[\w-]+\s+){0,4}?(?:rounds?|funding|deals?|finanzierung\w*)\b.{0,80}?\b(?:went\s+to|ging\s+an|gingen\s+an)\b.*\b20\d\d\b
      | \bmit\s+.{0,40}\bdie\s+(?:höchste|größte)\s+(?:finanzierung\w*|runde|summe)\b
      | \b(?:holds?|held)\s+the\s+top\s+spot\b
      # rounds listed as examples (notable rounds include ...)
      | \b(?:rounds|deals|raises|financings|fundraisers|fund\ ?raisings|fundraises|levées|rondas|rodadas|finanzierungsrunden)\s+(?:[\w-]+\s+){0,4}?(?:include|included|incluyen|incluem|comprennent)\b
      # a company ranked among others in a review (was among the fintechs to
      # secure), not one described (which is among the fastest-growing)
      | \b(?:was|were)\s+among\s+the\s+(?:[\w-]+\s+){0,4}?to\s+(?:raise|secure|close|land|receive|get)\b
      | \b(?:es|fue|is|was|est|foi|é)\s+(?:la|el|the|le|a|o)\s+(?:que\s+más|que\s+mais|qui\s+a\s+le\s+plus|one\s+that\s+raised\s+the\s+most)\b
      # funding multiplied over years (a plus que quintuplé ses financements)
      | \b(?:doubled|tripled|quadrupled|quintupled|doublé|triplé|quadruplé|quintuplé|multiplié|duplicado|duplicó|triplicado|triplicó|dobrou|triplicou|verdoppelt\w*|verdreifacht\w*)\s+(?:[\w-]+\s+){0,2}?(?:its|their|ses|leurs|su|sus|seu|seus|sein\w*|ihr\w*)\s+(?:financements?|funding|financing|financiación|financiamento|finanzierung\w*|investissements?|investments?)\b
      # the year so far
      | \ben\ lo\ que\ va\ de(?:l)?\ (?:año|ejercicio)\b|\bso\ far\ this\ year\b|\byear[-\ ]to[-\ ]date\b|\bdepuis\ le\ début\ de\ l'année\b|\bseit\ (?:jahresbeginn|anfang\ des\ jahres)\b|\bno\ acumulado\ do\ ano\b|\bdesde\ (?:o\ início\ do\ ano|principios\ de\ año|inicios\ de\ año)\b
      | \bhasta\ (?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\b
      # a share of a total (compte pour 30 % du total)
      | \b(?:compte\s+pour|représente|represents?|accounts?\s+for|representa|macht)\s+(?:[\w-]+\s+){0,2}?\d+(?:[.,]\d+)?\s?%
      # a sector as the subject (el sector ha captado, the sector has raised)
      | (?:^|,\s*)(?:el|the|le|o|der|die)\s+(?:[\w-]+\s+)?(?:sector|secteur|setor|sektor|branche|vertical|industry|industrie|industria|indústria)\s+(?:[\w-]+\s+)?(?:ha|has|have|a|tem|hat)\s
    ")
});

/// More aggregates and totals so far, apart from [`AGGREGATE`]: within it
/// these patterns slowed extraction by 18 % (its lazy DFA outgrew its
/// cache).
static AGGREGATE_MORE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        # a total over several rounds (en varias rondas, in mehreren Runden)
          \d[\d.,]*\s*(?:\S+\s+){0,3}?(?:en|in|em|over|across|über|through)\s+(?:varias|several|various|várias|vários|mehreren|plusieurs|diversas|diversos|multiple|successive|sucesivas|sucessivas)\s+(?:[\w-]+\s+)?(?:rondas|rounds|rodadas|\w*runden|tours|levées|operaciones|operações|opérations)\b
        | \blleva(?:n)?\s+(?:\w+\s+){0,2}?(?:recibid\w*|captad\w*|levantad\w*|recaudad\w*|invertid\w*|recibió)
        # an ecosystem or a scene as the subject (Uganda's startup ecosystem has)
        | ^\W*(?:[\w'’-]+\s+){0,4}?(?:ecosystem|ecosistema|écosystème|ökosystem|ecossistema|startup-?szene|tejido\s+empresarial)\s+(?:[\w-]+\s+)?(?:has|have|had|saw|sees|secured|raised|attracted|received|recorded|ha|han|a|ont|hat|haben|tem|têm|registr\w*|capt\w*|recib\w*|receb\w*|atrajo|atraiu|sammelte|erhielt|attir\w*)\b
        | ^\W*(?:les|the|las|los|as|os|die)\s+(?:levées\s+de\s+fonds|rondas\s+de\s+(?:financiación|inversión)|funding\s+rounds|finanzierungsrunden|rodadas\s+de\s+investimento)\b
    ")
});

/// The biggest or notable rounds of a year as a review's subject ("the
/// biggest fundraise of 2022 came from"), not a round ranked in its year
/// ("raised $50 million, the largest round of 2024 in Spain"). Apart from
/// [`AGGREGATE`]: within it, this pattern slowed extraction by a seventh.
static YEAR_RANKED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:biggest|largest|notable|top|plus\s+grosses?|plus\s+importantes?|mayores|maiores|größten?)\s+(?:[\w-]+\s+){0,2}?(?:fund\s?rais\w*|rounds?|deals?|raises|opérations|levées?|rondas|rodadas|operaciones|operações|finanzierungs\w*)\s+(?:of|in|de|del|do|da|des|im\s+jahr)\s+(?:19|20)\d\d\b\W*(?:came\s+from|went\s+to|was|were|included|include|belonged\s+to|fue|fueron|foi|foram|était|étaient|war|waren|ging\s+an)\b",
    )
});

/// An investor firm as the subject ("X, the climate-focused VC firm ...,
/// has raised"): its own fund, not a round. Apart from [`FUND_CLOSE`],
/// whose literal prefilter an unanchored start would disable.
static INVESTOR_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^[^,]{1,60},\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,4}?(?:VC|venture(?:\s+capital)?|investment|private\s+equity)\s+(?:firm|investor|house)\b[^;]{0,160}?\b(?:has|have)\s+(?:raised|closed|secured)\b",
    )
});

/// A company's total raised since a year, the year before the verb
/// ("desde 2018 ... ha captado") or after it ("has raised over $22 million
/// since 2015"); see [`FIRST_SINCE`].
static TOTAL_SINCE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b{SINCE_YEAR}\b.{{0,60}}?\b{TOTAL_VERB}|\b{TOTAL_VERB}\b.{{0,80}}?\b{SINCE_YEAR}\b"
    ))
});
/// "Since" and a year.
const SINCE_YEAR: &str = r"(?:since|desde|depuis|seit)\s+(?:19|20)\d\d";
/// The verbs of a total raised (a perfect, or a past with a year to count
/// from).
const TOTAL_VERB: &str = r"(?:has\s+raised|have\s+raised|ha\s+(?:captado|levantado|recaudado|recibido)|han\s+(?:captado|levantado|recaudado)|a\s+levé|ont\s+levé|tem\s+(?:captado|levantado)|captou|levantou|captaram|hat\b.{0,40}?eingesammelt)";
/// A company's total over a period or so far, the period first and the
/// verb within a few words ("Hasta ahora Nuvocargo ha levantado", "Desde
/// que surgiu, a Hilab levantou", "Innerhalb von zehn Jahren konnte",
/// "nos últimos 12 meses a healthtech recebeu").
static TOTAL_SO_FAR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:hasta\ ahora|até\ agora|até\ aqui|jusqu'(?:ici|à\ présent|à\ maintenant)|bislang
          |innerhalb\ von\ \w+\ jahren|in\ den\ letzten\ \w+\ (?:jahren|monaten)
          |desde\ que\ (?:surgiu|nasceu|nació|foi\ fundada|fue\ fundada|se\ fundó)
          |(?:nos|en\ los|in\ the|over\ the|au\ cours\ des)\ (?:últimos|last|past|derniers)\ \w+\ (?:meses|months|mois|years|años|anos|ans))
        \W+(?:[\w-]+\W+){0,4}?
        # a verb of raising: an auxiliary with its participle, a modal with
        # its infinitive, or a simple past (not an auxiliary alone)
        (?:(?:hat|haben|ha|han|has|have|ont|tem|a)\W+(?:[\w-]+\W+){0,2}?(?:raised|secured|received|levantado|captado|recaudado|recebido|recibido|lev[ée]s?|eingesammelt|erhalten|bekommen)
          |konnte\b.{0,100}?\b(?:einsammeln|erhalten|aufnehmen)
          |raised|secured|received|levantou|captou|recebeu|recibió|levantó|captó|recaudó|sammelte|erhielt|bekam)\b
    ")
});

/// A total so far, the adverb after the auxiliary ("hat bislang ...
/// eingesammelt", "has thus far pulled in") or after the participle ("o
/// investimento captado até ao momento").
static TOTAL_ADVERB: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:has|have|hat|haben|ha|han|tem|têm|ont)\s+(?:thus\s+far|so\s+far|to\s+date|bislang|bisher\s+(?:\d|mehr\s+als|rund|über|knapp|fast|etwa)|bis\s+dato|bis\s+zuletzt|hasta\s+ahora|hasta\s+la\s+fecha|até\s+agora|jusqu'ici|à\s+ce\s+jour)\b
      | \b(?:captado|levantado|angariado|recebido|recaudado|levés?|eingesammelt|investierten)\s+(?:até\s+(?:ao|o)\s+momento|até\s+agora|hasta\s+(?:ahora|la\s+fecha)|to\s+date|so\s+far|à\s+ce\s+jour|jusqu'ici|bis\s+zuletzt)\b
    ")
});

/// "Its first round since 2021": a new round counted from a year.
static FIRST_SINCE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:first|premier|première|primera|primer|primeira|primeiro|erste\w*)\s+(?:[\w-]+\s+){{0,3}}?{SINCE_YEAR}\b"
    ))
});

/// A quarter or a half-year, the period of market statistics ("the first
/// quarter saw", "el tercer trimestre", "im ersten Halbjahr").
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:first|second|third|fourth|last|latest|same|previous)\s+quarter\b|\bq[1-4]\s+(?:of\s+)?20\d\d\b|\bh[12]\s+20\d\d\b
      | \b(?:first|second)\s+half\s+of\s+(?:the\s+year|20\d\d)\b
      | \btrimestre\b|\bsemestre\b|\bquartal\b|\bhalbjahr\w*
    ")
});

/// "One of the (biggest) deals of the quarter": one company's round, ranked.
static ONE_OF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:one\s+of\s+the|l'une\s+des|l'un\s+des|una\s+de\s+las|uno\s+de\s+los|uma\s+das|um\s+dos|eine[rs]?\s+der)\b",
    )
});

/// Counted deals or projects ("four fintech deals", "auf beinahe 60
/// Finanzierungsrunden", "259 proyectos"): an aggregate, unless the
/// company is picked out of them ("among the four Series A deals, X").
static COUNTED_DEALS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        (?P<among>\b(?:among|of|entre|unter|von|de|dos|das)\s+(?:the\s+|les\s+|los\s+|las\s+|den\s+|os\s+|as\s+)?)?
        \b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|deux|trois|quatre|cinq|huit|neuf|dix|dos|tres|cuatro|cinco|siete|ocho|nueve|diez|dois|duas|três|quatro|sete|oito|nove|dez)
        \s+(?:[\w+-]+\s+){0,2}?(?:deals|financings|transactions|finanzierungsrunden|finanzierungen|opérations|levées|operaciones|operações|proyectos|projets|projetos|projects)\b
    ")
});

/// A German round named in the singular ("in einer aktuellen
/// Finanzierungsrunde insgesamt fünf Millionen"): "insgesamt" sums its
/// tranches. (In the Romance languages "en total" with a round noun
/// still counts companies: "En una primera ronda, serán 42 en total".)
static ONE_ROUND_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:in|an)\s+einer\s+(?:[\w,.-]+\s+){0,5}?\w*finanzierungsrunde\b|\bnach\s+der\s+(?:[\w-]+\s+){0,3}?\w*finanzierungsrunde\b",
    )
});
/// What makes "insgesamt" a total even with one round named ("seit 2019
/// insgesamt", "bisher insgesamt", "damit insgesamt").
static TOTAL_CONTEXT_DE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:seit|bisher|bislang|damit)\b"));

/// One German round named, and no total since or so far.
fn one_german_round(s: &str) -> bool {
    ONE_ROUND_NOUN.is_match(s) && !TOTAL_CONTEXT_DE.is_match(s)
}

/// "In total" words, which with a named stage sum the round's tranches.
static IN_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^(?:insgesamt|in\s+total|en\s+total|au\s+total|no\s+total|a\s+total\s+of)$")
});

/// A round noun and its preposition right before "in total" ("eine
/// Finanzierungsrunde über insgesamt").
static ROUND_OF: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"(?i){ROUND_NOUN_OF}\s*$")));

/// The same before an amount ("einer Finanzierungsrunde über insgesamt
/// 500 Millionen Dollar"): the round's amount.
static ROUND_OF_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i){ROUND_NOUN_OF}\s+(?:insgesamt|in\s+total|a\s+total\s+of|un\s+total\s+de|um\s+total\s+de|au\s+total)\W*$"
    ))
});

/// A round noun and the preposition of its amount ("Finanzierungsrunde
/// über", "round of", "levée d'un").
const ROUND_NOUN_OF: &str =
    r"\b(?:\w*runde|round|levée|ronda|rodada|tour\s+de\s+table)\s+(?:über|von|of|de|d'un)";

/// Plural companies as a subject ("startups raised ..."): an aggregate,
/// unless they rank the company ("one of the largest fintechs").
static PLURAL_COMPANIES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bstartups\b|\bstart-ups\b|\bles\ start-up\b|\bjeunes\ pousses\b|\bjungen\ unternehmen\b|\bjungunternehmer\b|\bfintechs\b|\b(?:agtechs|healthtechs|edtechs|insurtechs|proptechs|scale-?ups)\b|\b(?:tech|technology|software|portfolio)\s+(?:companies|firms)\b|(?:^|[,;:]\s*)(?:as|os|les|los|las|the)\s+(?:empresas|entreprises|sociétés|companies|firms)\b",
    )
});
static RANKING_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:maiores|principais|largest|biggest|leading|top|most\s+\w+|plus\s+grandes|principales|mayores|größten|wichtigsten|wertvollsten|one\s+of\s+the|uma\s+das|um\s+dos|uno\s+de\s+los|una\s+de\s+las|l'une\s+des|l'un\s+des|eine\s+der|einer\s+der|among(?:\s+the)?)\s+(?:[\w-]+\s+){0,2}$",
    )
});

/// Plural companies that are no subject: compared with ("as fast as
/// fintech startups", "like startups"), or a plural after a singular
/// article ("La startups española Glovo"); "more than 100 startups" is.
static PLURAL_NOT_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:\bas\s+\w+\s+as\s+(?:[\w-]+\s+)?|\b(?:like|than|la|el|le|une|una|uma)\s+)$")
});

fn plural_companies_subject(s: &str) -> bool {
    PLURAL_COMPANIES.find_iter(s).any(|m| {
        let before = &s[..m.start()];
        let after = &s[m.end()..];
        // Part of a web address ("deutsche-startups.de") or after a number
        // ("Top 100-Startups"); a compound such as "KI-Startups" stays.
        let after_number = before
            .strip_suffix('-')
            .is_some_and(|b| b.ends_with(|c: char| c.is_ascii_digit()));
        let in_word = before.ends_with(['.', '/'])
            || after_number
            || (after.starts_with('.') && after[1..].starts_with(char::is_alphanumeric));
        let tail = last_chars(before, 41);
        !in_word && !RANKING_BEFORE.is_match(tail) && !PLURAL_NOT_SUBJECT.is_match(tail)
    })
}

/// The last `n` characters of `text` (all of it when shorter).
fn last_chars(text: &str, n: usize) -> &str {
    let start = text
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &text[start..]
}

/// Rounds dated in the past: "a year ago", "two years ago", "hace un año"
/// (not "founded two years ago").
static YEARS_AGO: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:a|one|two|three|four|five|\d+)\s+years?\s+ago\b
      | \bhace\s+(?:un|dos|tres|\d+)\s+años?\b
      | \bil\ y\ a\s+(?:un|deux|trois|\d+)\s+ans?\b
      | \bvor\s+(?:einem|zwei|drei|\d+)\s+jahren?\b
      | \bh[áa]\s+(?:um|dois|três|\d+)\s+anos?\b
    ")
});
static FOUNDED_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:found\w*|launch\w*|start\w*|establish\w*|creat\w*|set\s+up|incorporated|gegründet|gestartet|gründung|fond[ée]\w*|fondation|création|créé\w*|lancé\w*|fundad[ao]s?|fundación|fundação|cread[ao]s?|creación|lanzad[ao]s?|criad[ao]s?|criação|lançad[ao]s?)\W+(?:\w+\W+){0,3}$",
    )
});
/// A sentence that opens with a year ("In 2013, ...", "Im Jahr 2019 ...").
static YEAR_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:(?:back\s+in|in|during|im\s+jahr|im|en|em|au\s+cours\s+de|durante|no\s+ano\s+de|a\s+(?:mediados|principios|finales|comienzos|fines)\s+de|(?:em|a)\s+meados\s+de|mitte)\s+(?:(?:early|late|mid|anfang|ende|début|fin|finales\s+de|principios\s+de|início\s+de|final\s+de)\W+)?(?P<m>\w+\s+(?:de\s+)?)?)?(?P<y>(?:19|20)\d\d)\b",
    )
});
/// "Last year" opening a sentence ("El año pasado, X recaudó", "Vergangenes
/// Jahr erhielt"): background. Within a sentence it often dates an earlier
/// tranche beside the news, so only the opening counts.
static LAST_YEAR_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:last\s+year|(?:a\s+(?:principios|finales|mediados)\s+d)?el\s+año\s+pasado|l'an\s+dernier|l'année\s+dernière|im\s+vergangenen\s+jahr|vergangenes\s+jahr|letztes\s+jahr|no\s+ano\s+passado|o\s+ano\s+passado)\b",
    )
});
/// A year right after the amount of a verb of raising ("a levée 2,5 M€
/// en 2012", "raised $5 million in 2019"), not after another amount
/// ("doubling its revenue to $1 billion in 2024").
static AMOUNT_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:raised|secured|received|landed|closed|levé|levée|levait|recaudó|captó|levantó|obtuvo|recibió|captou|levantou|recebeu|arrecadou|sammelte|erhielt)\s+(?:[^\s]+\s+){0,3}?(?:us\$|r\$|\$|€|£)?\d[\d.,]*\s?(?:m€|k€|mio\.?|mrd\.?|m|mn|bn|k|\s?(?:millions?|millones|milhões|millionen|milliards?|milliarden|billions?|crores?)(?:\s+(?:d'euros|de\s+(?:euros|dólares|reais)|euros?|dollars?|reais|us-dollar|pounds))?)?(?:\[\d+\])?\s+(?:in|en|em|im)\s+(?P<y>(?:19|20)\d\d)\b",
    )
});
/// A year closing a sentence of one clause ("received $102 million in a
/// series A round in 2017."), unless it dates a founding.
static YEAR_CLOSING: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:in|en|em|im)\s+(?P<y>(?:19|20)\d\d)\W*$"));
/// A year right after the verb of raising ("So erhielt 2019 das Start-up
/// ...", "raised in 2019 a seed round").
static YEAR_AFTER_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:raised|secured|closed|received|landed|announced|erhielt|sammelte|bekam|holte|levait|leva|captó|recaudó|levantó|obtuvo|anunció|captou|recebeu|levantou|anunciou|annonçait)\s+(?:(?:im\s+jahr|im|in|en|em)\s+|(?:[^\s,;:()]+\s+){1,5}?(?:im\s+jahr|in|en|em)\s+)?(?P<y>(?:19|20)\d\d)\b",
    )
});

/// Words that place a sentence in the present ("the round closed now
/// follows ..."), against which a dated amount is an earlier one.
static NOW_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:now|today|this\s+week|jetzt|nun|heute|diese\s+woche|aujourd'hui|maintenant|cette\s+semaine|hoy|ahora|esta\s+semana|hoje|agora)\b",
    )
});

fn dated_in_past(s: &str, announced_on: Option<NaiveDate>) -> bool {
    if NOW_WORD.is_match(s) {
        return false;
    }
    let ago = YEARS_AGO
        .find_iter(s)
        .any(|m| !FOUNDED_BEFORE.is_match(last_chars(&s[..m.start()], 41)));
    if ago {
        return true;
    }
    if LAST_YEAR_OPENING.is_match(s) {
        return true;
    }
    // A closing year dates the whole sentence only when it has one clause
    // ("... which comes after a €6 million seed investment in 2023" dates
    // the earlier round alone); a comma between digits ("$1,500,000", "1,5
    // millones") is no clause break. Read only when no earlier pattern
    // dates the sentence.
    let closing = || {
        let one_clause = !s.contains([';', '(', '–', '—'])
            && s.match_indices(',')
                .all(|(i, _)| s[i + 1..].starts_with(|c: char| c.is_ascii_digit()));
        YEAR_CLOSING.captures(s).filter(|c| {
            one_clause
                && !c
                    .name("y")
                    .is_some_and(|y| FOUNDED_BEFORE.is_match(last_chars(&s[..y.start()], 41)))
        })
    };
    [&*YEAR_OPENING, &*YEAR_AFTER_VERB, &*AMOUNT_YEAR]
        .into_iter()
        .map(|r| r.captures(s))
        .chain(std::iter::once_with(closing))
        .any(|c| {
            let Some(c) = c else {
                return false;
            };
            // Undated, "In September 2023, X raised ..." reads as the news of
            // that month, while "In 2013, X raised ..." is background.
            if announced_on.is_none() && c.name("m").is_some_and(|m| MONTH.is_match(m.as_str())) {
                return false;
            }
            c.name("y")
                .and_then(|y| y.as_str().parse::<i32>().ok())
                .is_some_and(|y| announced_on.is_none_or(|d| y < d.year()))
        })
        || announced_on.is_some_and(|d| dated_months_before(s, d) >= MONTHS_BEFORE)
}

/// How many months before the article a round dated by a month without
/// a year is at least ("raised $5M in March" in a May article).
const MONTHS_BEFORE: u32 = 2;

/// A month without a year, as the time of what the sentence tells ("in
/// March", "im September", "Ende August", "fin août", "en octubre").
static MONTH_DATED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:in|im|en|em|au\ mois\ d[e']|en\ el\ mes\ de|no\ mês\ de|ende|anfang|mitte|fin|début|early|late|mid|finales\ de|principios\ de|início\ de|final\ de|last|this\ past|el\ pasado|o\ passado)\s+
        (?:de\s+)?(?P<m>[\p{L}]+)\b(?P<y>\s+(?:de\s+)?(?:19|20)\d\d)?
    ")
});

/// The month (1-12) a name means in one of the five languages.
fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    MONTH_NAMES
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|&(_, m)| m)
}

/// How many months before the article (`announced_on`) the latest month
/// named without a year in `s` is, taking each as the most recent such
/// month not after the article (0 when none is named).
fn dated_months_before(s: &str, announced_on: NaiveDate) -> u32 {
    let now = announced_on.month();
    MONTH_DATED
        .captures_iter(s)
        .filter(|c| c.name("y").is_none())
        .filter_map(|c| month_number(c.name("m")?.as_str()))
        .map(|m| if m <= now { now - m } else { now + 12 - m })
        .min()
        .unwrap_or(0)
}

/// The months' names in the five languages, with their numbers.
pub(crate) const MONTH_NAMES: [(&str, u32); 54] = [
    ("january", 1),
    ("enero", 1),
    ("janvier", 1),
    ("januar", 1),
    ("janeiro", 1),
    ("february", 2),
    ("febrero", 2),
    ("février", 2),
    ("februar", 2),
    ("fevereiro", 2),
    ("march", 3),
    ("marzo", 3),
    ("mars", 3),
    ("märz", 3),
    ("março", 3),
    ("april", 4),
    ("abril", 4),
    ("avril", 4),
    ("may", 5),
    ("mayo", 5),
    ("mai", 5),
    ("maio", 5),
    ("june", 6),
    ("junio", 6),
    ("juin", 6),
    ("juni", 6),
    ("junho", 6),
    ("july", 7),
    ("julio", 7),
    ("juillet", 7),
    ("juli", 7),
    ("julho", 7),
    ("august", 8),
    ("agosto", 8),
    ("août", 8),
    ("september", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("septembre", 9),
    ("setembro", 9),
    ("october", 10),
    ("octubre", 10),
    ("octobre", 10),
    ("oktober", 10),
    ("outubro", 10),
    ("november", 11),
    ("noviembre", 11),
    ("novembre", 11),
    ("novembro", 11),
    ("december", 12),
    ("diciembre", 12),
    ("décembre", 12),
    ("dezember", 12),
    ("dezembro", 12),
];

/// A month's name in the five languages.
static MONTH: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<&str> = MONTH_NAMES.iter().map(|&(n, _)| n).collect();
    re(&format!(r"(?i)^(?:{})\b", names.join("|")))
});

static HISTORICAL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \bhad\s+(?:\w+\s+)?(?:raised|secured|closed|notched|received|bagged|collected|invested|put|poured|injected)\b
      | \b(?:desde\ entonces|since\ then|depuis\ lors|desde\ então|seitdem)\b.{0,80}\b(?:levantado|recaudado|captado|raised|levé|eingesammelt|recebido|arrecadado)\b
      | \b(?:já|ya|déjà|bereits|schon|already)\s+(?:recebeu|captou|levantou|arrecadou|recibió|captó|recaudó|levantó|a\ levé|raised|has\ raised)\b
      | \b(?:we|i)\s+(?:covered|reported\ on|wrote\ about)\b
      | \b(?:previously|earlier|last|already|initially|originally)\s+(?:raised|secured|closed|obtained|received|landed|bagged|collected|got)\b
      | \b(?:in\ the\ (?:last|past)\ (?:few\ )?months|en\ los\ últimos\ meses|nos\ últimos\ meses|ces\ derniers\ mois|au\ cours\ des\ derniers\ mois|in\ den\ letzten\ monaten)\b
      | \bhatten?\s+.{0,60}\b(?:eingesammelt|erhalten|bekommen|gesichert)\b
      # Earlier, X closed; not: Earlier this week, X raised
      | ^\W*(?:earlier|previously|auparavant|anteriormente|zuvor|früher)\s*,
      # a past season (last fall, im vergangenen Herbst)
      | \b(?:last|this\ past)\s+(?:fall|autumn|spring|summer|winter)\b|\b(?:el\ otoño|el\ verano|el\ invierno|la\ primavera)\ pasad[oa]\b
      | \bim\ (?:vergangenen|letzten)\ (?:herbst|frühjahr|sommer|winter)\b|\b(?:l'automne|l'été|l'hiver|le\ printemps)\ derni(?:er|ère)\b
      | \ba\ decade\ ago\b|\bhace\ una\ década\b|\bhá\ uma\ década\b|\bil\ y\ a\ une\ décennie\b|\bvor\ einem\ jahrzehnt\b
      | \bavai(?:t|ent)\s+(?:[\w']+\s+){0,2}?(?:levé|récolté|obtenu|bouclé|signé)\b|\bhabían?\s+(?:\w+\s+){0,2}?(?:recaudado|captado|levantado|cerrado|llevado\ a\ cabo)\b
      | \b(?:tinha|tinham|havia|haviam)\s+(?:\w+\s+){0,2}?(?:captado|levantado|recebido|arrecadado|fechado)\b
      # a narrated sequence (then it raised a seed round, and then ...)
      | \b(?:then|puis|ensuite|luego|depois|dann|danach)\s+(?:it\s+|they\s+|the\s+company\s+|a\s+|il\s+a\s+|elle\s+a\s+)?(?:raised|secured|closed|landed|levé|levó|levantó|recaudó|captó|levantou|captou|sammelte|erhielt)\b
      # the round comes (six months) after an earlier raise
      | \b(?:comes?|came|coming|arrives?|arrived|follows?)\s+(?:[\w-]+\s+){0,4}?(?:after|since)\s+(?:[\w'’-]+\s+){1,3}?(?:raised|secured|closed|received|landed|bagged)\b
      | \b(?:llega|llegó|intervient|arrive|chega|chegou|kommt|folgt)\s+(?:[\w-]+\s+){0,4}?(?:después\ de\ que|tras\ que|après\ que|depois\ que|nachdem)\s+(?:[\w'’-]+\s+){1,3}?(?:levantó|recaudó|captó|cerró|a\ levé|a\ bouclé|captou|levantou|recebeu|eingesammelt|erhalten)\b
    ")
});

/// A grant, an aid or a prize as what the company receives ("reçoit une
/// Aide au Développement Deeptech", "receives a grant of", "erhält eine
/// Förderung"): no round, unless a stage is named.
static GRANT_OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:re[çc]oit|re[çc]u|obtient|obtenu|receives?|received|wins?|won|awarded|erhält|erhielt|bekommt|bekam|recibe|recibió|obtiene|obtuvo|recebe|recebeu|ganha|ganhou)
        \s+(?:une?\s+|a\s+|an\s+|eine\s+|einen\s+|una?\s+|uma?\s+|the\s+|la\s+|le\s+|l')?(?:[\w'-]+\s+){0,2}?
        (?:aide|subvention|grant|prize|award|zuschuss|förderung|preis|ayuda|subvención|premio|subvenção|bolsa|prêmio|prix)\b
      # an amount of grants (800.000 Euro Förderung, Millionen Euro an EU-Fördermitteln)
      | (?:\beuro|€|\bdollar|\bfranken)\s+(?:an\s+)?(?:[\w]+-)?(?:förderung|fördermitteln?|fördergeld(?:er|ern)?|zuschuss|zuschüssen)\b
    ")
});

/// An IPO or its anchor allocation, not a private round.
static IPO: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \banchor\s+(?:investors?|book|allocation|portion)\b
      | \b(?:in|through|via)\s+(?:its|the|an|their)\s+(?:initial\ public\ offering|ipo)\b
      | \bipo\s+proceeds\b|\bahead\s+of\s+(?:its\s+|the\s+|an\s+)?ipo\b
      | \bbörsengang\b|\bintroduction\ en\ bourse\b|\bsalida\ a\ bolsa\b|\boferta\ pública\ inicial\b
      # a listed company's share offering
      | \b(?:public|follow-on|secondary|registered\ direct)\s+offering\b|\bgross\s+proceeds\b
    ")
});

/// Headline verbs of a target, not a closed round ("Eyes $100 Mn
/// Funding", "mulls a raise").
static HEADLINE_RUMOUR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:eyes|eyeing|mulls|mulling|weighs|weighing|explores|exploring|seeks|scouts\s+for|vise)\s+(?:(?:a|an|its|new|fresh|more|another|additional|further|up\s+to|over|about|around|une|un|nouvelle|nouveau)\s+){0,2}(?:\$|€|£|₹|rs\b|usd\b|eur\b|inr\b|gbp\b|funding\b|round\b|raise\b|fundraise\b|investment\b|capital\b|financing\b|levée\b|financement\b)",
    )
});

/// A round named as the object of a completion verb, with neither amount
/// nor stage ("a bouclé son premier tour de table", "closed a new funding
/// round", "Finanzierungsrunde abgeschlossen").
static COMPLETED_ROUND: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:boucl\w+|réalis\w+|finalis\w+|clôtur\w+)\s+(?:(?:un|une|son|sa|leur|premier|première|nouveau|nouvelle|deuxième|second|seconde)\s+){1,2}(?:tour\s+de\s+table|levée\s+de\s+fonds)\b
      | \b(?:closed|completed|closes|completes)\s+(?:a|an|its|their)\s+(?:[\w-]+\s+){0,2}(?:funding|financing|investment)\s+round\b
      | \b(?:finanzierungsrunde|[\w-]+-runde)\s+(?:\w+\s+){0,3}abgeschlossen\b
      | \b(?:cierra|cerró|ha\ cerrado)\s+(?:una|su)\s+(?:\w+\s+){0,2}ronda\b
      | \b(?:fecha|fechou|concluiu|conclui)\s+(?:uma|sua)\s+(?:\w+\s+){0,2}rodada\b
    ")
});

/// Investing verbs and "an investment of", which announce a round when an
/// investor or an agent ("made by", "feito pelo") is named.
static INVEST_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:investiert|investierte|investierten|investit|invirtió|invirtieron|investiu|investiram)\b|\b(?:investimentos?|inversión|inversiones|investissements?|investments?|investition(?:en)?)\s+(?:de|of|von|d')\s|\b(?:went|goes)\s+to\b|\bging(?:en)?\s+an\b|\b(?:fue|fueron)\s+para\b|\bforam\s+para\b|\bbereit\s?gestellt\b|\bstell(?:t|en|te|ten)\s+.{0,60}\bbereit\b|\bstell(?:t|en|te|ten)\s+.{0,160}\bzur\s+verfügung\b|\bförder(?:n|t|te|ten)\s+.{0,60}\bmit\b",
    )
});
static INVESTOR_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:investors?|investoren|geldgeber\w*|kapitalgeber\w*|risikokapitalgeber\w*|business\s+angels?|investisseurs?|inversores|inversionistas|investidores?)\b|\b(?:feit[oa]s?|realizad[oa]s?|hech[oa]s?|made|led|liderad[oa]s?|menée?s?|angeführt|provided)\s+(?:por|pelo|pela|by|par|von)\b|\blead\s+investors?\b|\bde\s+la\s+part\s+d[e']",
    )
});

/// An investment made in the company, which names its investor by itself
/// ("Foo, which has made a $20 million investment in the company").
static MADE_INVESTMENT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:made|makes|making|has\s+made)\s+an?\s+(?:[\w$€£.,-]+\s+){0,4}?investment\s+in\b")
});

/// An investor putting money into the company ("investiert ... 7,75 Mio.
/// Franken in das Schweizer Start-up", "invests $5M in the startup"),
/// or investors entering its capital ("viennent d'entrer au capital").
static INVEST_IN_COMPANY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:invests?|invested|investiert\w*|investieren|investit|investissent|invierte\w*|invirtió|investe|investiu|investem|steckt|steckte|steckten|gesteckt)\b
        .{0,120}?\b(?:in\s+(?:das|die|den|the)|into\s+the|dans\s+(?:la|le|l')|en\s+(?:la|el)|na|no)\s+(?:[\w-]+\s+){0,3}?
        (?:start-?up|startup|unternehmen|jungunternehmen|firma|company|société|entreprise|empresa|compañía)(?:\s+(?-i:\p{Lu})|\s*[,.;]|\s*$)
      # German word order: the company, then the verb (in das Jungunternehmen gesteckt)
      | \bin\s+(?:das|die|den)\s+(?:[\w-]+\s+){0,3}?(?:start-?up|unternehmen|jungunternehmen|firma)\s+(?:gesteckt|investiert|gepumpt)\b
      | \bentr(?:er|ent|é|ée|és|ées|ait|aient)\s+au\s+capital\b|\bentrée\s+au\s+capital\b
      | \bingres(?:a|an|ó|aron)\s+al\s+capital\b|\bentra(?:m|ram)?\s+no\s+capital\b
    ")
});

/// A verb of raising or closing (not only a round noun).
static FUNDING_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:rais\w*|secur\w*|clos\w*|land(?:s|ed)|bag(?:s|ged)|receiv\w*|complet\w*|got|gets|picked|picks|took|takes|add(?:s|ed)|eingesammelt|sammel\w*|erh(?:ält|alten|ielt)|bekomm\w*|bekam|abgeschlossen|schließt|investiert\w*|l[eè]v\w*|récolt\w*|boucl\w*|obt\w*|capt\w*|recaud\w*|levant\w*|cierr\w*|cerr\w*|receb\w*|fech\w*|reún\w*|reuni\w*)",
    )
});

/// Words that introduce parts of a total ("to date, including a $150
/// million Series B").
static INCLUDING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:including|includes|among\s+them|darunter|einschließlich|inklusive|dont|y\s+compris|incluyendo|incluid[ao]s?|incluindo)\b",
    )
});

/// A stage named only by its letter ("a continuing C round", "eine
/// B-Runde").
static LETTER_ROUND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i:\b(?:an?|the|its|their|this|that|ein|eine|einer|einen|der|die|seine|ihre)\s+(?:[a-zäöüé]+\s+)?)(?P<l>[A-H])[-\ ](?i:rounds?|runde)\b|\b(?i:rodada|ronda)\s+(?P<l2>[A-H])\b",
    )
});

/// "loan", "debt" or "credit" describing what the company does ("gold
/// loan platform", "debt collection app"), not the round.
static DESCRIPTIVE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:de\s+carbon[oe]|carbon|platforms?|apps?|application|company|companies|firm|startup|start-up|provider|marketplace|business|lender|fintech|services?|products?|market|segment|management|collection|recovery|software|solutions?|book|portfolio|origination|plattform|plateforme|plataforma)\b",
    )
});

/// ... or the debt of others that the company deals with ("helps banks
/// collect on debt", "student loans").
static DESCRIPTIVE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:collect(?:s|ing)?(?:\s+on)?|recover(?:s|ing)?|manag(?:e|es|ing)|consolidat\w+|pay(?:s|ing)?\s+(?:off|down)|repay(?:s|ing)?|their|your|consumer|household|student|bad|unpaid|outstanding|medical|personal|mortgage)\s+$",
    )
});

/// The first round stage in the sentence, skipping "loan"/"debt" used to
/// describe the company.
fn find_round(s: &str) -> Option<regex::Captures<'_>> {
    round_words(s).next()
}

/// The round stages of the sentence, in order, without "loan"/"debt" used
/// to describe the company.
fn round_words(s: &str) -> impl Iterator<Item = regex::Captures<'_>> {
    ROUND.captures_iter(s).filter(move |c| {
        c.name("debt").is_none_or(|m| {
            !DESCRIPTIVE_AFTER.is_match(&s[m.end()..])
                && !DESCRIPTIVE_BEFORE.is_match(last_chars(&s[..m.start()], 30))
        })
    })
}

static SECONDARY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bsecondary\s+(?:stake|share|sale|transaction|deal)|\bsekundär|\bsecundári|\bsecundari|\bsecondaire",
    )
});

static ACQUISITION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)
        \b(?:acquir(?:e|es|ed|ing)|acquisitions?|purchase\ of|buy(?:s|ing)\ |bought|merger|takeover|taken\ over
          |übernommen|übernimmt|übernahme|kauft|gekauft|rachète|racheté|rachat|acquiert|acquis\ par|fusion\ avec
          |adquiere|adquirió|adquisición|compra|compró|adquire|adquiriu|aquisição|comprou
          |controlling\ stake|majority\ stake|mehrheitsbeteiligung|participation\ majoritaire|participación\ mayoritaria|participação\ majoritária|participação\ de\ controle)\b
    ")
});

/// Acquisitions as what the money is for ("para impulsar la adquisición
/// de centros", "to fund acquisitions"), not a deal told.
static PURPOSE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:impulsar|financiar|acelerar|fund|finance|accelerate|pursue|support|financer|accélérer|finanzieren)\s+(?:(?:la|el|las|los|les|the|its|their|further|new|de|sus|ses|seus|suas|a|as|o|os|die|weitere|des|y|and|et|e|und)\s+)*(?:[\w-]+\s+)?$",
    )
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
      | (?P<debt>\bventure\ debt\b|\bdebt\b|\bcredit\ facility\b|\bloan\b|\bcréditos\b|\bfremdkapital\w*|\bdette\b|\bdeuda\b|\bdívida\b|\bkreditlinie\b|\bline\s+of\s+credit\b|\bcredit\s+line\b|\blinha\s+de\s+crédito\b|\blínea\s+de\s+crédito\b|\bligne\s+de\s+crédit\b)
    ")
});

static UNDISCLOSED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:undisclosed|unspecified|unannounced|nicht\ genannte[nr]?|ungenannte[nr]?|siebenstellige[nr]?|sechsstellige[nr]?|achtstellige[nr]?|non\ divulgué|montant\ non|no\ revelad[ao]|não\ revelad[ao]|não\ divulgad[ao]|montante\ não
          |(?:ein(?:en)?\ )?(?:ein|zwei|drei)stellige[nr]?\ millionenbetrag|millionenbetrag|millionensumme
          |(?:sammel\w*|erh(?:ält|ielt)|raises?|raised|secures?|secured|lève|levé|capta|captó|recaudó|levanta|levantou|captou|recebe|recebeu)\ (?:[^\W\d]+\ )?(?:millionen|millions|millones|milhões)
          |several\ million|mehrere\ millionen|plusieurs\ millions|varios\ millones|vários\ milhões)\b",
    )
});

/// A capital increase ("ampliación de capital") is not an extension.
static CAPITAL_INCREASE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bampliación\s+de\s+capital\b"));

static EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:extension|extends?|extended|top-?up|topped\ up|add-on|second\ close|on\ top\ of\ its|aufgestockt|stockt|aufstockung|zweiten\ closing|extensión|ampliación|extensão|prolonge|prolongeait|rallonge)\b
        # More money, not more of anything (to further expand is no
        # extension): the word before an amount or a word for money.
        | \b(?:weitere[nms]?|additional|further|another)\s+(?:(?:US|CA|A)?\$|€|£|\d|(?:[\w-]+\s+)?(?:funding|financing|capital|investment|Finanzierung|Kapital|Millionen|Mio\b))",
    )
});

/// Words just before an amount that make it not the round's amount.
static NOT_ROUND_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re_large(
        r"(?xi)\b(?:
        valuation|valued|valuing|valuations|post-money|pre-money|market\ cap\w*|worth\ of|bewertung|bewertet|valorisation|valoris[ée]e?|évaluée?s?|valant|valait|valent|valoración|valorad[ao]|valuad[ao]|avaluad[ao]|avaliação(?:\ de\ mercado)?|avaliad[ao]|estimée?\ à|estimad[ao]\ en
      | total\w*|bringing|brings|gesamt\w*|insgesamt|porte\ à|to\ date|so\ far|cumulative
      | revenues?|sales|arr|turnover|umsatz\w*|chiffre\ d'affaires|ingresos|faturamento|receita|facturación
      | loss(?:es)?|pérdidas|perdas|pertes|verlust\w*|profits?|gewinn|bénéfice|write-?down|debts?\ of|owes|deuda\ de
      | contract|contrat|contrato|auftrag\w*|order|deal\ worth|tender
      | grant|grants|förder(?:ung|mittel|geld|programm|preis|summe)\w*|gefördert|subvention\w*|subvenci\w+|subsídio|fundo\ perdido|award\w*|prize|prix|premio|prêmio
      | fund|fonds|fondo|fundo|under\ management|aum|commitments
      | purchase|price|priced|per\ share|acquisition|acquired|acquire|buying|bought|kaufpreis|rachat|compra|merger
      | last\ year|previous(?:ly)?|prior|earlier|last\ raised|letztes\ jahr|l'an\ dernier|el\ año\ pasado|ano\ passado
      | sumad[oa]s\ a|added\ to|en\ plus\ des?|zusätzlich\ zu
      )\b\W*(?:\w+\W+){0,4}$",
    )
});

/// Words just after an amount that make it not the round's amount.
static NOT_ROUND_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)^\W*(?:
        (?:\w+\W+)?(?:post-money\ |pre-money\ )?(?:valuation|bewertung|bewertet|valorisation|valorisée?|valoración|valorad[ao]|avaliação|avaliad[ao])
      | (?:\w+\W+){0,2}?(?:in\ (?:annual\ )?(?:revenue|sales|losses|arr)|of\ (?:revenue|losses)|de\ (?:pérdidas|perdas|ingresos|faturamento|receita|chiffre)|an\ umsatz|umsatz)
      | (?:\w+\W+){0,3}?(?:to\ date|so\ far|during\ its\ (?:life|lifetime|existence)|over\ its\ (?:life|lifetime)|in\ total|in\ all|all\ told|bisher|au\ total|en\ tout|à\ ce\ jour|en\ total|hasta\ la\ fecha|no\ total|ao\ todo|até\ hoje)\b
      | (?:\w+\W+){0,3}?(?:since\ (?:19|20)\d\d|depuis\ (?:19|20)\d\d|desde\ (?:19|20)\d\d|seit\ (?:19|20)\d\d|since\ (?:its\ )?(?:founding|foundation|inception|launch)|depuis\ (?:sa|leur)\ (?:création|fondation)|desde\ (?:su|a|sua)\ (?:fundación|fundação|creación|criação)|seit\ (?:der|ihrer|seiner)\ gründung)\b
      | (?:\w+\W+){0,4}?(?:rondas?\ anteriores|rodadas?\ anteriores|previous\ rounds?|prior\ rounds?|earlier\ rounds?|tours?\ précédents|levées?\ précédentes|früheren\ (?:finanzierungs)?runden|vorherigen\ (?:finanzierungs)?runden)\b
      | (?:each|apiece|per\ share|a\ share|pro\ aktie|je\ aktie|par\ action|por\ acci[oó]n|por\ a[cç][aã]o)\b
      | (?:\w+\W+)?(?:vc\ |venture\ |new\ |growth\ |seed\ )?(?:fund|fonds|fondo|fundo)\b
      | (?:\w+\W+)?(?:contract|grant|award|merger|acquisition|deal\ to\ (?:buy|acquire))
      | (?:\w+\W+){0,4}?(?:last\ year|(?:a|one|two|three|\d+)\ years?\ ago|l'an\ dernier|il\ y\ a\ (?:un|deux|trois|\d+)\ ans?|el\ año\ pasado|hace\ (?:un|dos|tres|\d+)\ años?|im\ vorjahr|letztes\ jahr|vor\ (?:einem|zwei|drei|\d+)\ jahren?|ano\ passado|há\ (?:um|dois|três|\d+)\ anos?)\b
      )")
});

static PREFERRED_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)(?:weitere|additional|further|another|extra|supplémentaires|adicionales|adicionais|zusätzliche|nouveaux|new)\s*$",
    )
});

static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?xi)\b(?:co-led|led|spearheaded|headed)\s+by\s+(?P<a>[^,.;()]+)|\b(?:liderad[ao]|encabezad[ao]|capitanead[ao])\s+por\s+(?P<b>[^,.;()]+)|\b(?:menée?|conduite?)\s+par\s+(?P<c>[^,.;()]+)|\b(?:angeführt|geführt)\s+(?:von|vom)\s+(?P<d>[^,.;()]+)|\bfederführend\s+(?:ist|war|sind)\s+(?P<e>[^,.;()]+)",
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

/// A contract as the sentence's subject ("The SDA contract announced this
/// week is valued at ...").
static CONTRACT_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:the|a|an|this|its|le|ce|el|este|o|este|der|dieser)\s+(?:[\w-]+\s+){0,2}?(?:contract|contrat|contrato|auftrag)\s+(?:announced|awarded|signed|won|is|was|worth|valued|annoncé|signé|remporté|anunciado|firmado|adjudicado|assinado|ist|wurde)\b",
    )
});

/// Verbs that report a raise told in the pluperfect as news, in English.
const REPORTING_VERBS_EN: &str = "announced|announces|confirmed|confirms|said|says|disclosed";

/// The same in Spanish, Portuguese and French.
const REPORTING_VERBS_ROMANCE: &str = "anunció|anunciaron|confirmó|dijo|informó|anunciou|anunciaram|confirmou|disse|informou|annoncé|annonce|confirmé|indiqué";

/// Pluperfect raises that are recent news ("hatte erst kürzlich ...
/// eingesammelt", "had just raised"), not history: the adverb belongs to
/// the pluperfect, or a reporting verb ([`REPORTING_VERBS_EN`],
/// [`REPORTING_VERBS_ROMANCE`]) makes it news. Only four English verbs
/// report it across words between the verb and "that": with "said" or
/// "disclosed" those words tend to date the raise ("said last September
/// that it had secured"), which makes it history.
static RECENT_PLUPERFECT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\bhatten?\s+(?:\w+\s+){{0,3}}?(?:erst\s+kürzlich|kürzlich|vor\s+kurzem)\b|\bhad\s+(?:just|recently)\s+(?:raised|secured|closed|received)\b|\bavait\s+récemment\b|\bhabía\s+recientemente\b|\btinha\s+recentemente\b|\b(?:announced|announces|confirmed|confirms)\s+(?:[\w-]+\s+){{0,3}}?that\s+(?:[\w-]+\s+){{1,3}}?had\s+(?:\w+\s+)?(?:raised|secured|closed|received)\b|\b(?:recently|just)\s+(?:announced|confirmed)\s+(?:it|they)\s+had\s+(?:raised|secured|closed|received)\b|\b(?:{en})\s+(?:on\s+\w+\s+)?(?:that\s+)?(?:it|they)\s+had\s+(?:\w+\s+)?(?:raised|secured|closed|received|completed)\b|\b(?:{romance})\s+(?:[\w-]+\s+){{0,4}}?(?:que|qu')\s*(?:\w+\s+)?(?:había|habían|tinha|tinham|havia|haviam|avait|avaient)\s+(?:\w+\s+)?(?:cerrado|recaudado|captado|levantado|conseguido|fechado|recebido|levé|bouclé|obtenu|réalisé)\b",
        en = REPORTING_VERBS_EN,
        romance = REPORTING_VERBS_ROMANCE,
    ))
});

/// Why a sentence with a funding trigger is not a closed round (or `None`
/// when nothing speaks against it).
fn negative_reason(
    s: &str,
    has_round_word: bool,
    investors_provide: bool,
    announced_on: Option<NaiveDate>,
) -> Option<&'static str> {
    if RUMOUR.is_match(s) || HEADLINE_RUMOUR.is_match(s) {
        return Some("rumour");
    }
    // "Levée de fonds" is fundraising: its "fonds" is no fund.
    // A fund named among the lead investors ("mené par Safran Corporate
    // Ventures, le fonds de capital-risque du groupe") is an investor.
    let before_leads = LEAD.find(s).map_or(s, |m| &s[..m.start()]);
    // A round's first close ("in the first close of a Series A2 financing
    // round") is no fund's.
    let funds = FUNDRAISING_FUNDS.replace_all(before_leads, "$1");
    // "Raises $20 million Series A to fund expansion": a verb, no fund; "from
    // the Alexa Fund": an investor. Neither is a fund the sentence raises.
    // Money raised "to fund startups" is a venture fund's, whatever else.
    if FUND_STARTUPS.is_match(&funds) {
        return Some("vc_fund");
    }
    let funds = FUND_AS_VERB.replace_all(&funds, "$1 finance");
    let funds = FROM_A_FUND.replace_all(&funds, "from,$1");
    if FUND_CLOSE.is_match(&ROUND_CLOSE.replace_all(&funds, "round"))
        || INVESTOR_SUBJECT.is_match(s)
    {
        return Some("vc_fund");
    }
    let aggregate = AGGREGATE.find_iter(s).any(|m| {
        // "in der Serie C insgesamt elf Millionen": the round's total.
        // "eine Finanzierungsrunde über insgesamt 500 Millionen": one round's.
        !((has_round_word
            || investors_provide
            || LEAD.is_match(s)
            || ROUND_OF.is_match(&s[..m.start()])
            || one_german_round(s))
            && IN_TOTAL.is_match(m.as_str()))
    });
    let period = !has_round_word && PERIOD.is_match(s) && !ONE_OF.is_match(s);
    let counted = COUNTED_DEALS
        .captures_iter(s)
        .any(|c| c.name("among").is_none());
    // Unless a part of the total is the news ("including a $25 million
    // Series C that closed this week").
    let total_since = (TOTAL_SINCE.is_match(s)
        || TOTAL_SO_FAR.is_match(s)
        || (TOTAL_ADVERB.is_match(s) && !NOW_WORD.is_match(s)))
        && !FIRST_SINCE.is_match(s)
        && !INCLUDING.is_match(s);
    if aggregate
        || period
        || counted
        || total_since
        || YEAR_RANKED.is_match(s)
        || AGGREGATE_MORE.is_match(s)
        || plural_companies_subject(s)
    {
        return Some("aggregate");
    }
    if (HISTORICAL.is_match(s) && !RECENT_PLUPERFECT.is_match(s)) || dated_in_past(s, announced_on)
    {
        return Some("historical");
    }
    if let Some(reason) = mood::no_fact(s) {
        return Some(reason);
    }
    if !has_round_word && CONTRACT_SUBJECT.is_match(s) {
        return Some("contract");
    }
    if SECONDARY.is_match(s) {
        return Some("secondary");
    }
    if LAYOFF.is_match(s) {
        return Some("layoffs");
    }
    if !has_round_word
        && ACQUISITION
            .find_iter(s)
            .any(|m| !PURPOSE_BEFORE.is_match(last_chars(&s[..m.start()], 41)))
    {
        return Some("acquisition");
    }
    if !has_round_word && GRANT_OBJECT.is_match(s) {
        return Some("grant");
    }
    if !has_round_word && IPO.is_match(s) {
        return Some("ipo");
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
        r"(?i)\(\s*(?:around|about|approximately|approx\.?|roughly|unos|soit|environ|env\.|ca\.|rund|etwa|circa|cerca\s+de|aproximadamente|aprox\.?|~|equivalent to|or)\s*$",
    )
});
static VALUATION_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)valuation|valued|valuing|bewert|valoris|évalué|valant|valait|valent|valora|valuad|avaluad|avalia|post-money|pre-money",
    )
});
static TOTAL_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)total|gesamt|insgesamt|porte à|bringing|brings|to date|so far|in all\b|all told|bisher|en tout|à ce jour|hasta la fecha|ao todo|até hoje|since (?:19|20)\d\d|since (?:its )?(?:founding|foundation|inception|launch)|depuis (?:sa|leur) (?:création|fondation)|desde (?:su|a|sua) (?:fundación|fundação|creación|criação)|seit (?:der|ihrer|seiner) gründung",
    )
});

/// An earlier round named just before an amount ("folgte auf ein
/// Investment in Höhe von rund 16 Millionen Euro", "after a seed round of
/// $2 million").
static PREVIOUS_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re_large(
        r"(?i)\b(?:follow(?:s|ed|ing)?(?:\s+on)?|folgte\s+auf|folgt\s+auf|nach|after|fait\s+suite\s+à|faisant\s+suite\s+à|après|tras|después\s+de|após|depois\s+de)\s+(?:a|an|its|their|the|ein|eine|einem|einer|une|un|sa|son|leur|una|su|uma|um|sua|[\w-]+['’]s)\s+(?:[\w-]+\s+){0,2}?(?:round|funding|investment|raise|investition|investment|finanzierung\w*|[\w-]*runde|levée|tour\s+de\s+table|ronda|rodada|aporte|inversión|investimento|seed|series\s+\w)\W+(?P<tail>(?:[\w-]+\W+){0,4})$",
    )
});

/// A round called new or latest ("après une nouvelle levée de fonds de"):
/// the current one, whatever precedes it.
static NEW_ROUND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:new|latest|fresh|nouvelle|nouveau|dernière|nueva|nuevo|última|nova|novo|neue|neuen|neuer|jüngste\w*)\b",
    )
});

/// A date with a year right after an amount ("16 Millionen Euro im März
/// 2020", "$5 million in 2019").
static DATED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:[\w-]+\W+){0,2}?(?:in|im|en|em|au|dans|de)\s+(?:[a-zäöüéèçû]+\s+(?:de\s+)?)?(?P<y>(?:19|20)\d\d)\b",
    )
});

/// "After" opening the clause of a dated amount ("Après 150 M$ en 2018 et
/// 200 M$ en 2020, la start-up a bouclé ..."): earlier rounds.
static AFTER_DATED: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)\b(?:{AFTER})\s+[^,;]*$")));

/// "After" in the five languages.
const AFTER: &str = r"after|après|tras|después\s+de|após|depois\s+de|nach";

/// "Earlier this week", "earlier today": the time of the news.
static EARLIER_NOW: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bearlier\s+(?:this|today|on\s+\w+day)\b"));

/// A round's close ("the first close of a Series A2 financing round",
/// "el primer cierre de su ronda"), which [`FUND_CLOSE`] would take for a
/// fund's.
static ROUND_CLOSE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:first|final|second|third)\s+close\s+of\s+(?:(?:a|an|its|the|their)\s+)?(?:[\w$.,-]+\s+){0,3}?(?:round|series|financing|funding)\b|\b(?:primer|premier|primeiro)\s+(?:cierre|closing|fechamento)\s+d(?:e|u|a|o)\s+(?:(?:su|sa|sua|la|le|l'|son|seu|una|une|uma)\s*)?(?:[\w-]+\s+){0,3}?(?:ronda|levée|rodada|tour|série|serie)\b",
    )
});

/// "Fund" as a verb ("to fund expansion", "will fund", "help fund"): money
/// put to use, not a fund raised.
static FUND_AS_VERB: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(to|will|would|help|helps|helped|and)\s+fund\b"));

/// "From" before a fund's name: the investor's ("raised $3 million from the
/// Alexa Fund"). Its comma stops the words a raised fund's name may take;
/// "from LPs for a new fund" stays as it is.
static FROM_A_FUND: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bfrom(\s+(?:the\s+)?(?:(?-i:\p{Lu})[\w&'-]*\s+){1,4}Fund\b)"));

/// "To fund" startups, founders or companies: a venture fund's purpose.
static FUND_STARTUPS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bto\s+(?:fund|back|invest\s+in)\s+(?:[\w-]+\s+){0,3}?(?:startups?|start-ups?|founders|entrepreneurs|portfolio\s+companies|early-stage\s+companies|companies)\b",
    )
});

/// "Levée de fonds" and "recaudación de fondos" mean fundraising: their
/// "fonds"/"fondos" is no venture fund.
static FUNDRAISING_FUNDS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(lev(?:ée|ées|er|é|és|ant|ait|aient)|recaudación|recaudar|captación|captar|captação|levantamento)\s+(?:de|des|d')\s*(?:fonds|fondos|fundos|recursos)\b",
    )
});

/// Money from a fund is a round ("recebeu R$ 1 milhão do fundo M3").
static FROM_FUND_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:from|do|da|del|de\s+la|du|von|vom|de)\s+(?:the\s+|o\s+|la\s+|le\s+|dem\s+|der\s+)?(?:[\w-]+\s+){0,2}?(?:fund|fundo|fondo|fonds)\b",
    )
});

/// A round that valued the company at the amount ("la ampliación de
/// capital valoró la compañía en 320 millones").
static VALUED_AT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:valoró|valora|valued|values|valorise|valorisé|valorisant|avaliou|avalia|bewertete|bewertet)\s+(?:a\s+la\s+|la\s+|the\s+|a\s+|l'|die\s+|o\s+)?(?:[\w-]+\s+){0,2}?(?:en|at|à|em|mit)\W*(?:(?:about|around|some|más\s+de|over|more\s+than|plus\s+de|mais\s+de|über|rund)\W+)?$",
    )
});

/// An earlier round the amount is set beside ("coming off a $122 million
/// funding year", "se une a la de 104 millones"): not this round.
static BESIDE_EARLIER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?:coming|fresh)\s+off\s+(?:a|an|its|their)|on\s+the\s+heels\s+of\s+(?:a|an|its|their)|se\s+(?:une|suma)\s+a\s+la\s+de|s'ajoute\s+à\s+celle\s+de|comes\s+on\s+top\s+of\s+(?:a|an|its|the))\W*$",
    )
});

/// "After" and a determiner right before an amount ("After Foo's
/// impressive $27 million Series C, ..."): an earlier round.
static AFTER_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:following|{AFTER})\s+(?:a|an|its|their|the|[\w-]+['’]s)\s+(?:[\w-]+\s+){{0,2}}?\W*$"
    ))
});

/// A valuation that "stood at" the amount, said of the company
/// ("la valoración de la compañía se situó en 1.400 millones").
static VALUATION_REACHES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:valoración|valuation|valorisation|bewertung|avaliação|su\s+valor|seu\s+valor|its\s+value|sa\s+valeur|ihr\s+wert|sein\s+wert)\b.{0,100}\b(?:se\s+situ[óoa]\s+en|se\s+sitúa\s+en|s'établit\s+à|s'élève\s+à|stood\s+at|reached|reaching|rose\s+to|rising\s+to|alcanzó|alcanza|atingiu|chegou\s+a|stieg\s+auf|liegt\s+bei|lag\s+bei|ha\s+aumentado\s+hasta|aumentó\s+(?:a|hasta)|subió\s+a|increased\s+to|passou\s+para|a\s+atteint)\W*(?:(?:about|around|approximately|some|nearly|almost|casi|quase|presque|fast|más\s+de|over|more\s+than|plus\s+de|mais\s+de|über|rund)\W+)?$",
    )
});

/// A total that "reaches" the amount ("o total captado pela empresa chega
/// a").
static TOTAL_REACHES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:total|gesamt\w*)\b.{0,60}\b(?:chega\s+a|llega\s+a|alcanza|alcança|atinge|atteint|reaches|reached|erreicht|steigt\s+auf|soma|suma)\W*(?:(?:about|around|some|más\s+de|over|more\s+than|plus\s+de|mais\s+de|über|rund)\W+)?$|\bbring(?:s|ing)?\s+(?:its|the|their)\s+(?:total|overall)\b.{0,60}\bto\W*(?:(?:about|around|some|más\s+de|over|more\s+than|plus\s+de|mais\s+de|über|rund)\W+)?$",
    )
});

/// An amount raised "after having raised" it ("Depois de, em janeiro, a
/// empresa ter arrecadado 25 milhões"): an earlier round.
static AFTER_HAVING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:after\s+having|après\s+avoir|tras\s+haber|después\s+de\s+haber|(?:depois\s+de|após)\W+(?:[\w,]+\W+){0,6}?ter|após\s+ter|nachdem\s+.{0,40}?)\s*(?:\w+\s+)?(?:raised|secured|closed|levé|récolté|bouclé|sécurisé|obtenu|recaudado|captado|levantado|arrecadado|conseguido|obtenido|asegurado|recebido|garantido|obtido|eingesammelt)\W+(?:(?:another|outra|otra|une\s+autre|a|an|uma|um|una|un|une)\s+(?:[\w-]+\s+){0,2}?(?:de|of|d')\s+)?(?:(?:about|around|some|more\s+than|plus\s+de|más\s+de|mais\s+de|über|rund|cerca\s+de)\W+)?$",
    )
});

/// "In total" right before an amount ("in der Serie C insgesamt elf
/// Millionen"): with a named stage, the round's amount over its tranches.
static IN_TOTAL_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:insgesamt|in\s+total|en\s+total|au\s+total|no\s+total|a\s+total\s+of|un\s+total\s+de|um\s+total\s+de)\W*$",
    )
});

/// A round "totalling" the amount ("a series A round of funding totaling
/// €7.6 million"): the round's own amount, not a total raised.
static ROUND_TOTALLING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:round|funding|financing|investment|raise|runde|finanzierung\w*|levée|tour\s+de\s+table|ronda|rodada|aporte)\s+(?:of\s+(?:funding|financing)\s+)?(?:totall?ing|amounting\s+to|totalisant|totalizando)\W*$",
    )
});

/// "Since its founding", "depuis sa création", "seit der Gründung" before
/// an amount: a total raised to date, wherever it stands in the sentence
/// (a year, "since 2015", only when it opens the sentence and a perfect
/// follows: "Since 2015, Acme has raised").
static SINCE_FOUNDING: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?xi)
        \bsince\s+(?:its\s+|their\s+)?(?:founding|foundation|inception|launch|creation)\b|^\W*to\s+date\b
      | ^\W*{SINCE_YEAR}\b\W*(?:[\w-]+\s+){{0,3}}?(?:has|have|ha|han|a|ont|tem|hat|haben)\b
      | \bdepuis\s+(?:sa|leur)\s+(?:création|fondation|lancement)\b
      | \bdesde\s+(?:su|sua|a)\s+(?:fundación|fundação|creación|criação|lanzamiento)\b
      | \bseit\s+(?:der|ihrer|seiner)\s+gründung\b
    "
    ))
});

/// A verb of raising right before "a total of" ("angariava um total de",
/// "has obtained a total of $200 million in an ... extension round"): the
/// round's amount, unless the words after make it a total to date.
static RAISED_A_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:raised|raises|secured|obtained|closed|received|angariava|angariou|captou|levantou|recaudó|levantó|captó|a\s+levé|sammelte|erhielt)\s+(?:a\s+total\s+of|um\s+total\s+de|un\s+total\s+de|au\s+total|insgesamt)\W*(?:(?:about|around|more\s+than|over|mais\s+de|más\s+de|plus\s+de|rund|über)\W+)?$",
    )
});

/// A round "worth" or "valued at" the amount ("uma nova rodada de aportes
/// avaliada em mais de US$ 300 milhões"): the round's amount, not a
/// valuation of the company.
static ROUND_WORTH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:rodada|ronda|round|levée|runde|aportes?|investimento|inversión)\s+(?:[\w-]+\s+){0,3}?(?:avaliad[ao]|valorad[ao]|valued|évaluée|worth)\s+(?:em|en|at|à)?\W*(?:(?:mais\s+de|más\s+de|more\s+than|over|plus\s+de|about|around)\W+)?$",
    )
});

/// The role of amount `m` in sentence `s`. `one_round` says the sentence is
/// about one round (a stage is named, a round noun in the singular, or
/// investors provide the money), so
/// an amount "in total" sums that round's tranches or investors.
fn classify_amount(
    s: &str,
    m: &MoneyMention,
    prev_end: Option<usize>,
    announced_on: Option<NaiveDate>,
    one_round: bool,
) -> AmountRole {
    let before = &s[..m.start];
    let after = &s[m.end..];
    let trimmed = before.trim_end();
    let in_parens = trimmed.ends_with('(') || PAREN_QUALIFIER.is_match(before);
    if in_parens && prev_end.is_some_and(|e| m.start.saturating_sub(e) <= 24) {
        return AmountRole::Conversion;
    }
    let window = last_chars(before, 49);
    let lowered = window.to_lowercase();
    let lower_window = FUNDRAISING_FUNDS.replace_all(&lowered, "$1");
    // "Earlier this week" dates the news, not an earlier round.
    let lower_window = EARLIER_NOW.replace_all(&lower_window, "now").into_owned();
    let after_window: String = after.chars().take(48).collect::<String>().to_lowercase();
    let after_short: String = after_window.chars().take(30).collect();
    // ... unless a verb of raising or "now" comes between ("nach einer
    // Seed-Runde sammelt Acme jetzt 10 Mio. Euro ein").
    if let Some(c) = PREVIOUS_BEFORE.captures(&lower_window)
        && let Some(tail) = c.name("tail")
        && !FUNDING_VERB.is_match(tail.as_str())
        && !NOW_WORD.is_match(tail.as_str())
        && !NEW_ROUND.is_match(c.get(0).map_or("", |m| m.as_str()))
    {
        return AmountRole::Other;
    }
    // An amount dated in an earlier year than the item (or, undated, set
    // against "now") is an earlier round.
    let dated_year = DATED_AFTER
        .captures(&after_window)
        .and_then(|c| c.name("y")?.as_str().parse::<i32>().ok());
    if let Some(y) = dated_year {
        let earlier = match announced_on {
            Some(d) => y < d.year(),
            None => NOW_WORD.is_match(s) || AFTER_DATED.is_match(before),
        };
        if earlier {
            return AmountRole::Other;
        }
    }
    let long_window = last_chars(before, 120);
    if VALUATION_REACHES.is_match(long_window) || VALUED_AT.is_match(window) {
        return AmountRole::Valuation;
    }
    if BESIDE_EARLIER.is_match(window) || AFTER_AMOUNT.is_match(window) {
        return AmountRole::Other;
    }
    if TOTAL_REACHES.is_match(long_window) {
        return AmountRole::Total;
    }
    if AFTER_HAVING.is_match(long_window) && !NOW_WORD.is_match(long_window) {
        return AmountRole::Other;
    }
    if (ROUND_TOTALLING.is_match(&lower_window)
        || RAISED_A_TOTAL.is_match(&lower_window)
        || ROUND_WORTH.is_match(&lower_window))
        && !NOT_ROUND_AFTER.is_match(&after_window)
    {
        return AmountRole::Round;
    }
    // ... unless a part of it is named after ("since its founding in 2011,
    // including a $37 million Series B").
    if let Some(since) = SINCE_FOUNDING.find_iter(before).last()
        && !INCLUDING.is_match(&before[since.end()..])
    {
        return AmountRole::Total;
    }
    if (one_round || ROUND_OF_TOTAL.is_match(&lower_window))
        && IN_TOTAL_BEFORE.is_match(&lower_window)
        && !NOT_ROUND_AFTER.is_match(&after_window)
    {
        return AmountRole::Round;
    }
    let not_round_after =
        NOT_ROUND_AFTER.is_match(&after_window) && !FROM_FUND_AFTER.is_match(&after_window);
    if NOT_ROUND_BEFORE.is_match(&lower_window) || not_round_after {
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

/// Amounts written in brackets after a name ("Metafuels (18.5 million
/// CHF), L.E.S.S. (17 million CHF)"): two or more make a list of companies
/// and their rounds. A conversion ("€7.6 million (US$8.1 million)") follows
/// another amount and does not count.
fn listed_amounts(s: &str, mentions: &[MoneyMention]) -> usize {
    let mut prev_end = 0;
    let mut listed = 0;
    for m in mentions {
        let before = s[prev_end..m.start].trim_end();
        if let Some(head) = before.strip_suffix('(').map(str::trim_end)
            && head.len() > 1
            && head
                .chars()
                .last()
                .is_some_and(|c| c.is_alphabetic() || c == '.')
        {
            listed += 1;
        }
        prev_end = m.end;
    }
    listed
}

/// Only small words between a stage and an amount ("una Serie C de 120
/// millones", "$75 million in its Series C"): the stage names that amount.
static JOINER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:(?:de|of|von|über|por|for|worth|in|its|their|a|an|the|une|un|una|uma|um|em|en|im|einer|eine|ein|à|au|du|del|da|do|numa|num|na|no|ronda|rodada|round|funding|financing|runde|investimento|inversión|investment|financiamento|financiación|financement|investissement)\W+){0,4}$",
    )
});

/// What one sentence says about a round.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceFinding {
    /// The round, when the sentence announces a closed one.
    pub event: Option<FundingEvent>,
    /// Why a sentence with a funding trigger was rejected.
    pub rejected: Option<&'static str>,
}

/// Reads one sentence (or headline). `headline` and `source_url` are copied
/// into the event; `announced_on` is its date. A round the rules find is
/// kept only when the shipped [`veto::FundingVeto`] does not reject it.
pub fn extract_sentence(
    sentence: &str,
    headline: Option<&str>,
    source_url: Option<&str>,
    announced_on: Option<NaiveDate>,
) -> SentenceFinding {
    extract_sentence_with(
        sentence,
        headline,
        source_url,
        announced_on,
        Some(veto::FundingVeto::shipped()),
    )
}

/// [`extract_sentence`] with another veto, or none (the rules alone).
pub fn extract_sentence_with(
    sentence: &str,
    headline: Option<&str>,
    source_url: Option<&str>,
    announced_on: Option<NaiveDate>,
    veto: Option<&veto::FundingVeto>,
) -> SentenceFinding {
    let s = normalize(sentence);
    let s = s.trim();
    let none = SentenceFinding {
        event: None,
        rejected: None,
    };
    let invests = (INVEST_WORD.is_match(s) && INVESTOR_SOURCE.is_match(s))
        || MADE_INVESTMENT.is_match(s)
        || INVEST_IN_COMPANY.is_match(s);
    if !TRIGGER.is_match(s) && !invests {
        return none;
    }
    let mut round_match = find_round(s);
    let letter_round = if round_match.is_none() {
        LETTER_ROUND
            .captures(s)
            .and_then(|c| c.name("l").or_else(|| c.name("l2")))
            .and_then(|l| l.as_str().chars().next())
            .map(Round::from_letter)
    } else {
        None
    };
    let has_round_word = round_match.is_some() || letter_round.is_some();
    if let Some(reason) = negative_reason(s, has_round_word, invests, announced_on) {
        return SentenceFinding {
            event: None,
            rejected: Some(reason),
        };
    }
    let mentions = find_money(s);
    if listed_amounts(s, &mentions) >= 2 {
        return SentenceFinding {
            event: None,
            rejected: Some("aggregate"),
        };
    }
    let mut round_amount: Option<&MoneyMention> = None;
    let mut preferred: Option<&MoneyMention> = None;
    let mut valuation = None;
    let mut total = None;
    let mut prev_end = None;
    // Amounts that are neither the round's, a valuation nor a total: an
    // earlier round, a fund, a contract, ...
    let mut others: Vec<(usize, usize)> = Vec::new();
    // Whether the sentence is about one round, for every amount in it.
    let one_round = has_round_word || invests || one_german_round(s);
    for m in &mentions {
        let mut role = classify_amount(s, m, prev_end, announced_on, one_round);
        // After a total, "including a $150 million Series B" is part of it.
        // ... unless that part is the news ("including a $37 million Series
        // B round that closed this week").
        if role == AmountRole::Round
            && total.is_some()
            && INCLUDING.is_match(&s[..m.start])
            && !NOW_WORD.is_match(&s[m.end..])
        {
            role = AmountRole::Other;
        }
        match role {
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
            AmountRole::Other => others.push((m.start, m.end)),
            // The conversion of another amount extends it ("10,2 milhões
            // de euros (11,8 milhões de dólares) numa ronda série A").
            AmountRole::Conversion => {
                if let Some(last) = others.last_mut()
                    && Some(last.1) == prev_end
                {
                    last.1 = s[m.end..].find(')').map_or(m.end, |i| m.end + i + 1);
                }
            }
        }
        prev_end = Some(m.end);
    }
    let amount = preferred.or(round_amount);
    // A stage named right next to another amount belongs to that one
    // ("tras conseguir el año pasado una Serie C de 120 millones"): the
    // next stage, if any, is this round's.
    if round_match.is_some() && !others.is_empty() {
        let attached = |c: &regex::Captures<'_>| {
            let (start, end) = c.get(0).map_or((0, 0), |m| (m.start(), m.end()));
            others.iter().any(|&(a, b)| {
                (end <= a && JOINER.is_match(&s[end..a]))
                    || (start >= b && JOINER.is_match(&s[b..start]))
            })
        };
        if round_match.as_ref().is_some_and(attached) {
            round_match = round_words(s).find(|c| !attached(c));
        }
    }
    let has_round_word = round_match.is_some() || letter_round.is_some();
    let undisclosed = UNDISCLOSED.is_match(s);
    if amount.is_none() && !undisclosed {
        // Without the round's amount, a valuation stated without a verb of
        // raising ("was valued at ... in the series E round") or a total
        // with its parts ("to date, including a Series B") is no round.
        if valuation.is_some() && !FUNDING_VERB.is_match(s) {
            return SentenceFinding {
                event: None,
                rejected: Some("valuation"),
            };
        }
        if total.is_some() && INCLUDING.is_match(s) {
            return SentenceFinding {
                event: None,
                rejected: Some("total"),
            };
        }
    }
    let completed_round = COMPLETED_ROUND.is_match(s);
    if amount.is_none() && !has_round_word && !undisclosed && !completed_round {
        return SentenceFinding {
            event: None,
            rejected: (!mentions.is_empty()).then_some("no_round_amount"),
        };
    }
    let round = round_match.map_or(letter_round.unwrap_or(Round::Undisclosed), |c| {
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
    // The veto judges rounds whose stage the sentence does not name: a
    // named stage (seed, Series C, debt) is strong evidence of its own.
    if round == Round::Undisclosed && veto.is_some_and(|v| v.vetoes(s)) {
        return SentenceFinding {
            event: None,
            rejected: Some("unlikely"),
        };
    }
    let (lead_investors, other_investors) = investors(s);
    let is_extension = EXTENSION.is_match(&CAPITAL_INCREASE.replace_all(s, ""));
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
    let title = cap_sentence(title.trim());
    let mut items: Vec<String> = Vec::new();
    if !title.is_empty() {
        items.push(title.to_owned());
    }
    items.extend(sentences(&normalize(&article.text)));
    let headline = (!title.is_empty()).then_some(title);
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
    extract_funding_text_with(
        text,
        published,
        source_url,
        Some(veto::FundingVeto::shipped()),
    )
}

/// [`extract_funding_text`] with another veto, or none (the rules alone).
pub fn extract_funding_text_with(
    text: &str,
    published: Option<NaiveDate>,
    source_url: Option<&str>,
    veto: Option<&veto::FundingVeto>,
) -> Vec<FundingEvent> {
    let mut out = Vec::new();
    for s in sentences(&normalize(text)) {
        if let Some(ev) = extract_sentence_with(&s, None, source_url, published, veto).event {
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
/// undisclosed), compatible stages, announced within 30 days of another
/// report of it. Reports that name a stage or an amount are linked in date
/// order; a report naming neither then joins the round whose report is
/// nearest in date (it could match any round, and must not join two into
/// one). Ties are broken by content, so the result does not depend on the
/// order the reports come in. The most confident report is kept, the other
/// sources go to `also_reported_by`; the result is sorted newest first.
pub fn dedupe(mut events: Vec<FundingEvent>) -> Vec<FundingEvent> {
    // Dated first, oldest first; undated last; then by content.
    events.sort_by(|a, b| {
        (
            a.announced_on.is_none(),
            a.announced_on,
            &a.headline,
            &a.source_url,
            a.amount,
        )
            .cmp(&(
                b.announced_on.is_none(),
                b.announced_on,
                &b.headline,
                &b.source_url,
                b.amount,
            ))
    });
    let days_apart = |k: &FundingEvent, e: &FundingEvent| match (k.announced_on, e.announced_on) {
        (Some(a), Some(b)) => (a - b).num_days().abs(),
        _ => 0,
    };
    let (named, vague): (Vec<FundingEvent>, Vec<FundingEvent>) = events
        .into_iter()
        .partition(|e| e.round != Round::Undisclosed || e.amount.is_some());
    let mut clusters: Vec<Vec<FundingEvent>> = Vec::new();
    for e in named {
        match clusters.iter_mut().find(|c| {
            c.iter()
                .any(|k| days_apart(k, &e) <= 30 && same_round(k, &e))
        }) {
            Some(c) => c.push(e),
            None => clusters.push(vec![e]),
        }
    }
    for e in vague {
        let nearest = clusters
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.iter()
                    .filter(|k| same_round(k, &e))
                    .map(|k| days_apart(k, &e))
                    .filter(|d| *d <= 30)
                    .min()
                    .map(|d| (d, i))
            })
            .min();
        match nearest {
            Some((_, i)) => clusters[i].push(e),
            None => clusters.push(vec![e]),
        }
    }
    let mut out: Vec<FundingEvent> = clusters
        .into_iter()
        .filter_map(|mut c| {
            // Stable: equally confident reports keep the order above.
            c.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
            let mut reports = c.into_iter();
            let mut keep = reports.next()?;
            for other in reports {
                merge_into(&mut keep, other);
            }
            Some(keep)
        })
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.announced_on));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(sentence: &str) -> FundingEvent {
        let f = extract_sentence(sentence, None, None, None);
        f.event
            .unwrap_or_else(|| panic!("{sentence}: rejected as {:?}", f.rejected))
    }

    /// "Further", "additional" and "weitere" make an extension only before
    /// money: "to further expand" is no extension.
    #[test]
    fn an_extension_is_more_money_not_more_of_anything() {
        assert!(
            !round("Acme raises $10 million Series A to further expand into Europe").is_extension
        );
        assert!(!round("Acme raises $10 million Series A and plans additional hires").is_extension);
        assert!(round("Acme raises an additional $5 million for its Series A").is_extension);
        assert!(round("Acme raises further $8 million in Series B extension").is_extension);
    }

    /// "To fund" is a verb and "from the Alexa Fund" an investor: the
    /// round is kept, not taken for a venture fund raised. A second close
    /// of a round is the round's.
    #[test]
    fn fund_as_a_verb_or_an_investor_is_no_fund_raised() {
        let e = round("Acme raises $20 million Series A to fund expansion");
        assert_eq!((e.amount, e.round), (Some(20_000_000), Round::SeriesA));
        let f = extract_sentence("Acme raises $8M to fund its AI platform", None, None, None);
        assert_ne!(f.rejected, Some("vc_fund"), "{f:?}");
        let e = round("Acme raised $3 million from the Alexa Fund");
        assert_eq!(e.amount, Some(3_000_000));
        let e = round("Acme announces $5M second close of Series A");
        assert_eq!((e.amount, e.round), (Some(5_000_000), Round::SeriesA));
        // A venture fund raised is still one.
        for fund in [
            "Northlight Capital closes $150 million Fund III",
            "Granite Arch raises its new $400M growth fund",
            "Index Ventures raises $2.3 billion to fund startups",
            "Granite raises $100M from LPs for new fund",
        ] {
            let f = extract_sentence(fund, None, None, None);
            assert_eq!(f.rejected, Some("vc_fund"), "{fund}: {f:?}");
        }
    }

    #[test]
    fn accented_letters_also_match_plain_ones() {
        assert_eq!(accent_tolerant("lève"), "l[èe]ve");
        // Inside a class the plain letter joins it; escapes are kept.
        assert_eq!(accent_tolerant(r"pr[eé]\.é"), r"pr[eée]\.[ée]");
        assert_eq!(accent_tolerant(r"\é"), r"\é");
        let r = re(r"(?i)\blève\b");
        assert!(r.is_match("ACME LEVE 5 MILLIONS"));
        assert!(r.is_match("Acme lève 5 millions"));
        assert!(!r.is_match("Acme lave 5 millions"));
    }
}
