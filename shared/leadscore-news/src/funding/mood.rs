//! How each verb of raising in a sentence is said: as a fact ("raised",
//! "has raised", "vient de lever", "hat ... eingesammelt"), as background
//! ("had raised", "avait levé", "hatte ... eingesammelt") or as a prospect
//! ("will raise", "could raise", "is raising", "to raise", "de lever",
//! "einzusammeln").
//!
//! The sentence patterns of [`super`] match words next to each other; news
//! puts adverbs and subjects between an auxiliary and its verb ("avait en
//! effet levé", "sammelte demnach 2021", "was actively working on
//! securing"). This reads each verb's own clause instead: the words since
//! the last clause break (`,` `;` `:` brackets, dashes, quotes) before it,
//! a few of them for English and Romance auxiliaries, all of them for
//! German, whose auxiliary opens the clause and whose participle or
//! infinitive closes it.

use regex::Regex;
use std::sync::LazyLock;

// Patterns are accent-tolerant, as the other funding patterns (for verbs:
// "LEVE" in an all-caps headline).
use super::re;

/// How one verb of raising is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mood {
    /// Reported as done or happening now.
    Fact,
    /// An earlier raise told as background (pluperfect).
    Background,
    /// A plan, a wish, a possibility or a raise under way.
    Prospect,
}

/// An exact pattern, for auxiliaries whose accents matter ("könnte" is a
/// prospect, "konnte" an achievement).
fn exact(p: &str) -> Regex {
    Regex::new(p).expect("valid mood pattern")
}

/// Words and clause breaks.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\d+(?:[.,]\d+)+|[\p{L}\p{M}\p{N}'$€£.-]*[\p{L}\p{M}\p{N}]|[,;:()\[\]\x22«»–—]")
});

/// A verb of raising money, as a whole word, with its form: `en` an
/// English infinitive (read only after "to": "a raise" is a noun), `inf` a
/// Romance infinitive, `ger` an English or Iberian gerund, `zu` a German
/// zu-infinitive, `de` a German infinitive, participle or finite form; the
/// rest are English and Romance finite forms and participles.
static VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?xi)^(?:
        (?P<en>raise|secure|close|land|obtain|receive|get|collect)
      | (?P<inf>lever|récolter|boucler|obtenir|recevoir|sécuriser|décrocher|injecter|inyectar|injetar
          |levantar|recaudar|captar|cerrar|obtener|recibir|conseguir|asegurar|fechar|receber|arrecadar|angariar|garantir)
      | (?P<ger>raising|securing|closing|landing|obtaining|receiving|collecting
          |levantando|recaudando|captando|cerrando|obteniendo|recibiendo|consiguiendo|fechando|recebendo|arrecadando|angariando)
      | (?P<zu>einzusammeln|einzuwerben|abzuschließen|aufzunehmen)
      | raised|raises|secured|secures|closed|closes|lands|landed|bagged|bags|nabbed|snagged|grabs|grabbed|received|receives|obtained|obtains|gets|got|collected|picked|picks|took|takes|raked|rakes|hauled|hauls
      | completed|completes|injected|injects|invested|invests
      | complét(?:é|ée)|complète|inject(?:e|é|ée|ent)|investi|investit|complet(?:ó|a|aron|ado|ou|aram)|inyect(?:ó|a|aron|ado)|injet(?:ou|a|aram|ado)|invirtió|invierte|investiu|investe
      | l[eè]ve|l[eè]vent|lev[ée]e?s?|levait|levaient|leva|récolt(?:e|ent|é|ée|és)|boucl(?:e|ent|é|ée)|obtient|obtiennent|obtenu|obtenue|re[çc]oit|re[çc]u|re[çc]ue|sécuris(?:e|é|ée)|décroch(?:e|é)
      | levant(?:a|ó|an|aron|ado|ou|aram)|recaud(?:a|ó|an|aron|ado)|capt(?:a|ó|an|aron|ado|ou|aram)|cierra|cierran|cerró|cerraron|cerrado|obtiene|obtienen|obtuvo|obtuvieron|obtenido|recibe|recibió|recibido|consigue|consiguió|asegura|aseguró
      | fech(?:a|ou|aram|ado)|receb(?:e|eu|eram|ido)|arrecad(?:a|ou|aram|ado)|angari(?:a|ou|aram|ado|ava)|garant(?:e|iu)
      | (?P<de>einsammeln|einwerben|abschließen|aufnehmen|erhalten|bekommen|sichern|eingesammelt|sammelt|sammelte|sammelten|erhält|erhielt|erhielten
          |bekommt|bekam|abgeschlossen|schließt|schloss|gesichert|sichert|sicherte|sicherten|eingeworben|investiert|investierte
          |holt|holte|holten|geholt)
    )$")
});

/// Auxiliaries of an earlier raise (pluperfect).
static BACKGROUND_AUX: LazyLock<Regex> =
    LazyLock::new(|| exact(r"(?i)^(?:had|avait|avaient|había|habían|havia|haviam|tinha|tinham)$"));
static BACKGROUND_AUX_DE: LazyLock<Regex> = LazyLock::new(|| exact(r"(?i)^(?:hatte|hatten)$"));

/// Modal, future and conditional auxiliaries, and verbs of planning.
static PROSPECT_AUX: LazyLock<Regex> = LazyLock::new(|| {
    exact(
        r"(?xi)^(?:
        (?-i:will|would|could|may|might|should|shall)|plans?|planning|aims?|aiming|seeks?|seeking|hopes?|hoping|intends?|expects?|wants?|looking
      | pourrait|pourraient|devrait|devraient|va|vont|sera|seront|compte|souhaite|cherche|envisage|prévoit|espère|espèrent|veut|veulent
      | podría|podrían|debería|deberían|será|serán|van|planea|busca|pretende|quiere
      | poderia|poderiam|deverá|deve|vai|vão|irá|quer|planeja|prevê
    )$",
    )
});
/// German modal, future and planning verbs, read over the whole clause of
/// a German verb ("Acme will in diesem Jahr 20 Millionen einsammeln").
static PROSPECT_AUX_DE: LazyLock<Regex> = LazyLock::new(|| {
    exact(
        r"(?i)^(?:will|wollen|soll|sollen|sollte|sollten|könnte|könnten|wird|werden|möchte|plant|planen|muss)$",
    )
});

/// "Is raising", "working on securing", "in the process of raising",
/// "está levantando": a raise under way.
static UNDER_WAY_BEFORE_GERUND: LazyLock<Regex> = LazyLock::new(|| {
    exact(
        r"(?i)^(?:is|are|was|were|be|been|on|of|about|está|están|estaba|estão|estava|estavam|sigue|segue)$",
    )
});

/// Words of planning, trying or deciding that govern an infinitive ("plans
/// to raise", "est sur le point en effet de lever", "beschlossen haben, ...
/// einzusammeln"). Without one, the infinitive is a purpose or an
/// achievement ("shares ... to raise Rs 1,002 crore", "a réussi l'exploit
/// de lever").
static PLAN: LazyLock<Regex> = LazyLock::new(|| {
    exact(
        r"(?xi)^(?:
        plans?|planned|planning|aims?|aiming|seeks?|seeking|sought|hopes?|hoping|intends?|intending|expects?|expected|expecting|wants?|wanted
      | looking|tries|trying|tried|attempts?|attempting|efforts?|campaign|bid|set|about|verge|will|would|could|may|might|should|going|needs?
      | point|cherche|cherchent|veut|veulent|souhaite|souhaitent|compte|comptent|prévoit|prévoient|envisage|envisagent|vise|visent|espère|espèrent|tente|tentent|objectif|ambition|pourrait|devrait|va|vont
      | busca|buscan|pretende|pretenden|quiere|quieren|planea|planean|espera|esperan|intenta|intentan|prevé|prevén|objetivo|podría|debería|van
      | quer|querem|planeja|planejam|tenta|tentam|prevê|preveem|poderia|deverá|vai|vão|meta
      | plant|planen|will|wollen|möchte|soll|sollen|beabsichtigt|versucht|hofft|ziel|beschlossen|beschließt|entschieden|vor
    )$",
    )
});

/// How many words before an infinitive a plan word may stand.
const PLAN_REACH: usize = 12;

/// "To", "de", "pour", "para": an infinitive of purpose or plan.
static BEFORE_INFINITIVE: LazyLock<Regex> =
    LazyLock::new(|| exact(r"(?i)^(?:de|d'|pour|para|a|à)$"));

/// "Vient de lever", "acaba de levantar": a raise just done.
static JUST_DONE: LazyLock<Regex> = LazyLock::new(|| {
    exact(r"(?i)^(?:vient|viennent|venait|venaient|acaba|acaban|acabó|acabou|acabam)$")
});

/// Words that make a pluperfect recent news ("hatte erst kürzlich ...
/// eingesammelt", "had just raised").
static RECENT: LazyLock<Regex> = LazyLock::new(|| {
    exact(r"(?i)^(?:just|recently|kürzlich|récemment|recientemente|recentemente)$")
});

/// Verbs that report a pluperfect as news ("announced this week that it
/// had closed its Series A"): the same lists as [`super::RECENT_PLUPERFECT`]
/// reads the sentence with.
static REPORTED: LazyLock<Regex> = LazyLock::new(|| {
    exact(&format!(
        "(?i)^(?:{}|{})$",
        super::REPORTING_VERBS_EN,
        super::REPORTING_VERBS_ROMANCE
    ))
});

/// English and Romance auxiliaries stand at most this many words before
/// their verb ("had also recently raised").
const WINDOW: usize = 4;

/// The mood of every verb of raising in `s`, in order.
pub(super) fn verb_moods(s: &str) -> Vec<Mood> {
    let tokens: Vec<&str> = TOKEN.find_iter(s).map(|m| m.as_str()).collect();
    let mut moods = Vec::new();
    let mut clause_start = 0;
    for (i, &t) in tokens.iter().enumerate() {
        if t.chars().all(|c| !c.is_alphanumeric()) {
            clause_start = i + 1;
            continue;
        }
        let Some(c) = VERB.captures(t) else {
            continue;
        };
        let clause = &tokens[clause_start..i];
        let near = &clause[clause.len().saturating_sub(WINDOW)..];
        let prev = clause.last().copied().unwrap_or("");
        let prev2 = clause.iter().rev().nth(1).copied().unwrap_or("");
        let german = c.name("de").is_some();
        let infinitive = c.name("zu").is_some()
            || (german && prev.eq_ignore_ascii_case("zu"))
            || (c.name("en").is_some() && prev.eq_ignore_ascii_case("to"))
            || (c.name("inf").is_some()
                && BEFORE_INFINITIVE.is_match(prev)
                && !JUST_DONE.is_match(prev2));
        let mood = if infinitive {
            let reach = &tokens[i.saturating_sub(PLAN_REACH)..i];
            if reach.iter().any(|w| PLAN.is_match(w)) {
                Mood::Prospect
            } else {
                Mood::Fact
            }
        } else if (c.name("ger").is_some() && UNDER_WAY_BEFORE_GERUND.is_match(prev))
            || (german && clause.iter().any(|w| PROSPECT_AUX_DE.is_match(w)))
            || (!german && near.iter().any(|w| PROSPECT_AUX.is_match(w)))
        {
            Mood::Prospect
        } else if ((german && clause.iter().any(|w| BACKGROUND_AUX_DE.is_match(w)))
            || (!german && near.iter().any(|w| BACKGROUND_AUX.is_match(w))))
            && !clause
                .iter()
                .any(|w| RECENT.is_match(w) || REPORTED.is_match(w))
        {
            Mood::Background
        } else {
            Mood::Fact
        };
        moods.push(mood);
    }
    moods
}

/// Why a sentence whose every verb of raising is background or prospect is
/// not a closed round, or `None` when one of them is a fact (or there is
/// no such verb: the sentence names the round with a noun).
pub(super) fn no_fact(s: &str) -> Option<&'static str> {
    let moods = verb_moods(s);
    if moods.is_empty() || moods.contains(&Mood::Fact) {
        return None;
    }
    Some(if moods.contains(&Mood::Prospect) {
        "rumour"
    } else {
        "historical"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moods(s: &str) -> Vec<Mood> {
        verb_moods(s)
    }

    #[test]
    fn facts_background_and_prospects() {
        use Mood::*;
        assert_eq!(moods("Acme raised $5 million."), [Fact]);
        assert_eq!(moods("Acme has now raised $5 million."), [Fact]);
        assert_eq!(moods("Acme had already raised $5 million."), [Background]);
        assert_eq!(moods("Acme had just raised $5 million."), [Fact]);
        assert_eq!(
            moods("Acme announced this week that it had closed its Series A."),
            [Fact]
        );
        // Every reporting verb of the pluperfect's sentence-level rule
        // reports it here too, "annonce" among them.
        assert_eq!(
            moods("La start-up annonce qu'elle avait bouclé sa série A."),
            [Fact]
        );
        assert_eq!(moods("La start-up avait bouclé sa série A."), [Background]);
        assert_eq!(
            moods("Acme is actively working on securing $5M."),
            [Prospect]
        );
        assert_eq!(moods("Acme could raise $5M."), [Prospect]);
        // "May" the month is no modal.
        assert_eq!(moods("In May Acme raised $5M."), [Fact]);
        assert_eq!(moods("Ils avaient en effet levé 5 M€."), [Background]);
        assert_eq!(moods("Acme vient de lever 5 M€."), [Fact]);
        assert_eq!(
            moods("Acme est sur le point en effet de lever 5 M€."),
            [Prospect]
        );
        assert_eq!(moods("Acme hat 5 Mio. Euro eingesammelt."), [Fact]);
        // A decimal comma is no clause break.
        assert_eq!(
            moods("Erst im Mai hatten sie 12,5 Millionen Euro eingesammelt."),
            [Background]
        );
        assert_eq!(
            moods("Acme hatte im Vorjahr 5 Mio. Euro eingesammelt."),
            [Background]
        );
        assert_eq!(
            moods("Acme hatte erst kürzlich 5 Mio. eingesammelt."),
            [Fact]
        );
        assert_eq!(
            moods("Acme will 2025 rund 5 Mio. Euro einsammeln."),
            [Prospect]
        );
        assert_eq!(moods("Acme plant, 5 Mio. Euro einzusammeln."), [Prospect]);
        assert_eq!(moods("Acme konnte 5 Mio. Euro einsammeln."), [Fact]);
        assert_eq!(moods("Acme könnte 5 Mio. Euro einsammeln."), [Prospect]);
        // An infinitive without a plan word is a purpose or an achievement.
        assert_eq!(moods("Acme a réussi l'exploit de lever 5 M€."), [Fact]);
        assert_eq!(moods("Acme issued shares to raise $5M."), [Fact]);
        assert_eq!(moods("Acme aims this year to raise $5M."), [Prospect]);
        // A clause break ends the auxiliary's reach.
        assert_eq!(
            moods("Foo, which had raised $2M, now raises $10M."),
            [Background, Fact]
        );
        assert_eq!(moods("Acme acaba de levantar US$ 5 millones."), [Fact]);
        assert_eq!(moods("Acme está levantando una ronda."), [Prospect]);
        assert_eq!(
            moods("A empresa já havia levantado R$ 5 milhões."),
            [Background]
        );
    }

    #[test]
    fn a_sentence_needs_one_fact() {
        assert_eq!(no_fact("Acme raised $5M to secure its lead."), None);
        assert_eq!(no_fact("Acme won a Series A round of $5M."), None);
        assert_eq!(no_fact("Acme could raise $5M."), Some("rumour"));
        assert_eq!(no_fact("Acme had raised $5M."), Some("historical"));
    }
}
