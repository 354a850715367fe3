//! Seniority and department of a lead from its job title.
//!
//! A compact keyword classifier for the titles people type into forms and
//! CRMs ("Director of Marketing", "VP Sales", "Head of Growth", "CEO"). The
//! richer, data-driven taxonomy used for job posts lives in the hiring crate;
//! this one only needs to place a lead on the seniority ladder and in a
//! function, in English, Spanish, Portuguese, French and German.

use crate::domain::{Department, Seniority};

/// Seniority and department found in a title; either may be unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TitleClass {
    /// Seniority, if recognized.
    pub seniority: Option<Seniority>,
    /// Department, if recognized.
    pub department: Option<Department>,
}

/// Classifies a free-text job title.
pub fn classify(title: &str) -> TitleClass {
    let t = normalize(title);
    TitleClass {
        seniority: seniority(&t),
        department: department(&t),
    }
}

/// Lowercase, punctuation to spaces, padded with spaces so that `has(" vp ")`
/// matches whole words.
fn normalize(title: &str) -> String {
    let mut out = String::with_capacity(title.len() + 2);
    out.push(' ');
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn any(t: &str, words: &[&str]) -> bool {
    words.iter().any(|w| t.contains(w))
}

fn seniority(t: &str) -> Option<Seniority> {
    const INTERN: &[&str] = &[
        " intern ",
        " internship ",
        " trainee ",
        " werkstudent",
        " praktikant",
        " estagiário ",
        " estagiario ",
        " stagiaire ",
        " becario ",
        " apprentice ",
        " working student ",
    ];
    const C_LEVEL: &[&str] = &[
        " ceo ",
        " cto ",
        " cfo ",
        " coo ",
        " cmo ",
        " cro ",
        " cio ",
        " ciso ",
        " cpo ",
        " cdo ",
        " chief ",
        " founder ",
        " co founder ",
        " cofounder ",
        " president ",
        " owner ",
        " managing director ",
        " geschäftsführer",
        " geschaftsfuhrer",
        " fundador",
        " fondateur",
        " directeur général ",
        " directeur general ",
        " director general ",
        " diretor geral ",
        " presidente ",
        " président ",
        " pdg ",
        " vorstand",
    ];
    const VP: &[&str] = &[
        " vp ",
        " svp ",
        " evp ",
        " avp ",
        " vice president ",
        " vicepresidente ",
        " vice presidente ",
        " vice président ",
    ];
    const HEAD: &[&str] = &[" head ", " leiter", " leiterin", " responsable ", " jefe "];
    const DIRECTOR: &[&str] = &[
        " director ",
        " directora ",
        " diretor",
        " directeur ",
        " directrice ",
        " direktor",
    ];
    const MANAGER: &[&str] = &[
        " manager ",
        " gerente ",
        " lead ",
        " team lead ",
        " supervisor ",
        " coordinator ",
        " coordinador",
        " coordenador",
        " gestor",
        " responsable ",
    ];
    const SENIOR: &[&str] = &[
        " senior ",
        " sr ",
        " staff ",
        " principal ",
        " sênior ",
        " lead ",
    ];
    if any(t, INTERN) {
        return Some(Seniority::Intern);
    }
    // "Vice President" contains "president": check VP first.
    if any(t, VP) {
        return Some(Seniority::Vp);
    }
    if any(t, C_LEVEL) {
        return Some(Seniority::CLevel);
    }
    if any(t, HEAD) || t.starts_with(" head") {
        return Some(Seniority::Head);
    }
    if any(t, DIRECTOR) {
        return Some(Seniority::Director);
    }
    if any(t, MANAGER) {
        return Some(Seniority::Manager);
    }
    if any(t, SENIOR) {
        return Some(Seniority::Senior);
    }
    if t.trim().is_empty() {
        None
    } else {
        Some(Seniority::Ic)
    }
}

fn department(t: &str) -> Option<Department> {
    // Ordered: more specific functions first ("sales engineer" is sales,
    // "marketing operations" is marketing, "revenue operations" is operations).
    const TABLE: &[(Department, &[&str])] = &[
        (
            Department::Operations,
            &[
                " revenue operations ",
                " revops ",
                " sales operations ",
                " sales ops ",
            ],
        ),
        (
            Department::Marketing,
            &[
                " marketing",
                " growth ",
                " demand gen",
                " demand generation ",
                " brand ",
                " content ",
                " seo ",
                " communications ",
                " pr ",
                " cmo ",
                " lead generation ",
                " mercadeo ",
                " comunicación ",
            ],
        ),
        (
            Department::Sales,
            &[
                " sales",
                " sdr ",
                " bdr ",
                " account executive ",
                " ae ",
                " business development ",
                " cro ",
                " revenue ",
                " commercial ",
                " ventas ",
                " vendas ",
                " comercial ",
                " vertrieb",
                " ventes ",
                " commercial ",
                " partnerships ",
                " account manager ",
            ],
        ),
        (
            Department::CustomerSuccess,
            &[
                " customer success ",
                " customer support ",
                " support ",
                " customer experience ",
                " cx ",
            ],
        ),
        (
            Department::Data,
            &[
                " data ",
                " analytics ",
                " analyst ",
                " machine learning ",
                " bi ",
                " cdo ",
            ],
        ),
        (
            Department::Engineering,
            &[
                " engineer",
                " developer ",
                " engineering ",
                " software ",
                " devops ",
                " sre ",
                " cto ",
                " it ",
                " ingeniero",
                " engenheiro",
                " ingénieur",
                " entwickler",
                " desarrollador",
                " desenvolvedor",
            ],
        ),
        (
            Department::Product,
            &[" product ", " producto ", " produto ", " produit ", " cpo "],
        ),
        (
            Department::Design,
            &[" design", " ux ", " ui ", " diseño ", " diseñador"],
        ),
        (
            Department::Finance,
            &[
                " finance ",
                " financial ",
                " cfo ",
                " accounting ",
                " accountant ",
                " controller ",
                " finanzas ",
                " finanças ",
                " finanzen ",
            ],
        ),
        (
            Department::People,
            &[
                " hr ",
                " human resources ",
                " people ",
                " talent ",
                " recruit",
                " recursos humanos ",
                " rh ",
                " personal ",
            ],
        ),
        (
            Department::Legal,
            &[
                " legal ",
                " counsel ",
                " lawyer ",
                " attorney ",
                " compliance ",
                " jurídico ",
            ],
        ),
        (
            Department::Operations,
            &[
                " operations ",
                " coo ",
                " operaciones ",
                " operações ",
                " opérations ",
            ],
        ),
    ];
    for (dept, words) in TABLE {
        if any(t, words) {
            return Some(*dept);
        }
    }
    let executive = any(
        t,
        &[
            " ceo ",
            " founder ",
            " cofounder ",
            " co founder ",
            " president ",
            " owner ",
            " managing director ",
            " geschäftsführer",
        ],
    );
    if executive {
        Some(Department::Other)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_titles() {
        use Department as D;
        use Seniority as S;
        for (title, s, d) in [
            (
                "Director of Marketing",
                Some(S::Director),
                Some(D::Marketing),
            ),
            ("VP Sales", Some(S::Vp), Some(D::Sales)),
            (
                "Vice President, Engineering",
                Some(S::Vp),
                Some(D::Engineering),
            ),
            ("Head of Growth", Some(S::Head), Some(D::Marketing)),
            ("CEO & Co-Founder", Some(S::CLevel), Some(D::Other)),
            ("Chief Revenue Officer", Some(S::CLevel), Some(D::Sales)),
            (
                "Senior Software Engineer",
                Some(S::Senior),
                Some(D::Engineering),
            ),
            ("Marketing Manager", Some(S::Manager), Some(D::Marketing)),
            (
                "Sales Development Representative (SDR)",
                Some(S::Ic),
                Some(D::Sales),
            ),
            (
                "Revenue Operations Manager",
                Some(S::Manager),
                Some(D::Operations),
            ),
            (
                "Directora de Marketing",
                Some(S::Director),
                Some(D::Marketing),
            ),
            ("Leiter Vertrieb", Some(S::Head), Some(D::Sales)),
            ("Marketing Intern", Some(S::Intern), Some(D::Marketing)),
            ("Geschäftsführer", Some(S::CLevel), Some(D::Other)),
            ("", None, None),
        ] {
            let c = classify(title);
            assert_eq!((c.seniority, c.department), (s, d), "{title}");
        }
    }
}
