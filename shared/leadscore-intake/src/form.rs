//! Parsing and validating a form body (JSON or
//! `application/x-www-form-urlencoded`) into a [`Submission`], with one error
//! per bad field. Pure: bytes in, data out.

use std::collections::BTreeMap;

use leadscore_core::domain::{Domain, Email};
use serde::Serialize;

/// Longest accepted email address (RFC 5321 path limit).
pub const MAX_EMAIL: usize = 254;
/// Longest accepted name, company or phone value.
pub const MAX_SHORT: usize = 200;
/// Longest accepted free-text value.
pub const MAX_TEXT: usize = 2000;

/// Fields that become lead attributes as they are.
pub const ATTRIBUTE_FIELDS: [&str; 7] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "country",
    "phone",
];

/// How a form is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormRules {
    /// A field humans never see; a filled one marks a bot.
    pub honeypot_field: String,
    /// Whether the consent field must be true.
    pub require_consent: bool,
    /// The consent field's name.
    pub consent_field: String,
    /// Form name when the body does not give one.
    pub default_form: String,
}

impl Default for FormRules {
    fn default() -> Self {
        Self {
            honeypot_field: "_gotcha".into(),
            require_consent: true,
            consent_field: "consent".into(),
            default_form: "website".into(),
        }
    }
}

/// A valid submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    /// Normalized email.
    pub email: Email,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Company name.
    pub company: Option<String>,
    /// The company website, normalized.
    pub website: Option<Domain>,
    /// The website as typed (start URL for enrichment).
    pub website_url: Option<String>,
    /// Which form.
    pub form: String,
    /// The page the form was on.
    pub page_url: Option<String>,
    /// Free message.
    pub message: Option<String>,
    /// Consent given.
    pub consent: bool,
    /// Attribute fields (UTM, country, phone).
    pub attributes: BTreeMap<String, String>,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name.
    pub field: String,
    /// What is wrong, for the person filling the form.
    pub message: String,
}

/// Why a body is not a submission.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Neither JSON nor URL-encoded.
    #[error(
        "unsupported content type {0:?}; send application/json or application/x-www-form-urlencoded"
    )]
    UnsupportedMediaType(String),
    /// The body is not what its content type says.
    #[error("malformed body: {0}")]
    Malformed(String),
    /// Fields failed validation.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// The honeypot was filled: a bot. Checked after the fields, so a bot
    /// gets the answer a person with the same fields would (its address, to
    /// answer in the same shape).
    #[error("honeypot field filled")]
    Honeypot(Email),
}

/// The body's media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    UrlEncoded,
}

impl MediaType {
    /// Reads a `Content-Type` value (parameters such as `charset` ignored).
    pub fn from_content_type(value: Option<&str>) -> Result<Self, FormError> {
        let essence = value
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/json" => Ok(Self::Json),
            "application/x-www-form-urlencoded" => Ok(Self::UrlEncoded),
            _ => Err(FormError::UnsupportedMediaType(
                value.unwrap_or("(none)").to_owned(),
            )),
        }
    }
}

/// The fields [`validate`] reads besides [`ATTRIBUTE_FIELDS`] and the
/// rules' consent and honeypot fields.
const READ_FIELDS: [&str; 11] = [
    "email",
    "first_name",
    "last_name",
    "name",
    "title",
    "job_title",
    "company",
    "website",
    "form",
    "page_url",
    "message",
];

/// The raw fields of a body: name → value (a repeated URL-encoded field's
/// values joined by `, `, as a checkbox group posts them, but the consent
/// field ticked when one of its values is; a repeated JSON key's last
/// value; JSON numbers and booleans become their text, a JSON list of
/// them its items joined by `, `), and an error
/// for each field that is a JSON object or nested list and that the form
/// reads (such a field is left out; for any other it is ignored: a page's
/// script may post its own data beside the form's).
pub fn fields(
    media: MediaType,
    body: &[u8],
    rules: &FormRules,
) -> Result<(BTreeMap<String, String>, Vec<FieldError>), FormError> {
    // A UTF-8 byte-order mark some clients put first is no part of the form.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match media {
        MediaType::UrlEncoded => {
            let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut errors = Vec::new();
            for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
                let (k, v) = match pair.iter().position(|&b| b == b'=') {
                    Some(i) => (&pair[..i], &pair[i + 1..]),
                    None => (pair, &b""[..]),
                };
                let key = url_decoded(k)
                    .ok_or_else(|| FormError::Malformed("a field name is not UTF-8".into()))?;
                match url_decoded(v) {
                    Some(v) => values.entry(key).or_default().push(v),
                    // The honeypot says nothing to a bot: an unreadable
                    // value is a filled one, not a field error naming it.
                    None if key == rules.honeypot_field => {
                        values.entry(key).or_default().push(UNREADABLE.into());
                    }
                    // A page in another character set posts its form in
                    // it (`Jos%E9`): refused rather than stored garbled.
                    None if reads(&key, rules) => errors.push(FieldError {
                        field: key,
                        message: "is not UTF-8: the page posts its form in another character set (add accept-charset=\"UTF-8\" to the <form>)".into(),
                    }),
                    None => {}
                }
            }
            let out = values
                .into_iter()
                .map(|(k, mut vs)| {
                    let v = if vs.len() == 1 {
                        vs.pop().unwrap_or_default()
                    } else if k == rules.honeypot_field {
                        // A snippet included twice posts its honeypot
                        // twice: filled if one is.
                        vs.into_iter()
                            .find(|v| honeypot_filled(v))
                            .unwrap_or_default()
                    } else if k == rules.consent_field {
                        // A checkbox with a hidden fallback posts both
                        // (`consent=true&consent=false`): ticked if one
                        // says so.
                        let ticked = vs.iter().find(|v| consent_value(v) == Some(true)).cloned();
                        ticked.or_else(|| vs.pop()).unwrap_or_default()
                    } else {
                        // A checkbox group, as a JSON list is read.
                        vs.retain(|v| !v.trim().is_empty());
                        vs.join(", ")
                    };
                    (k, v)
                })
                .collect();
            Ok((out, errors))
        }
        MediaType::Json => {
            let value: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| FormError::Malformed(format!("invalid JSON: {e}")))?;
            let serde_json::Value::Object(map) = value else {
                return Err(FormError::Malformed("JSON body must be an object".into()));
            };
            let mut out = BTreeMap::new();
            let mut errors = Vec::new();
            for (k, v) in map {
                match v {
                    serde_json::Value::Array(items) if items.iter().all(scalar) => {
                        let texts: Vec<String> =
                            items.into_iter().filter_map(scalar_text).collect();
                        out.insert(k, texts.join(", "));
                    }
                    v if scalar(&v) => {
                        // Null: not given.
                        if let Some(text) = scalar_text(v) {
                            out.insert(k, text);
                        }
                    }
                    _ if k == rules.honeypot_field => {
                        out.insert(k, UNREADABLE.into());
                    }
                    _ if reads(&k, rules) => errors.push(FieldError {
                        field: k,
                        message: "must be a string".into(),
                    }),
                    _ => {}
                }
            }
            Ok((out, errors))
        }
    }
}

/// One name or value of a URL-encoded body: `+` is a space, `%XX` a byte;
/// none when the bytes are not UTF-8.
fn url_decoded(raw: &[u8]) -> Option<String> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    String::from_utf8(percent_encoding::percent_decode(&spaced).collect()).ok()
}

/// The honeypot's value when what was posted in it cannot be read (not
/// UTF-8, an object): filled, as only a bot fills it.
const UNREADABLE: &str = "(unreadable)";

/// Whether a honeypot value is filled: `false` and `0` are what a form
/// library posts for a hidden checkbox or an untouched value, not a bot's
/// text.
fn honeypot_filled(v: &str) -> bool {
    !matches!(v.trim(), "" | "false" | "0")
}

/// A consent value as yes or no; none for anything else.
fn consent_value(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// Whether [`validate`] reads the field `name`.
fn reads(name: &str, rules: &FormRules) -> bool {
    READ_FIELDS.contains(&name)
        || ATTRIBUTE_FIELDS.contains(&name)
        || name == rules.consent_field
        || name == rules.honeypot_field
}

fn scalar(v: &serde_json::Value) -> bool {
    !matches!(
        v,
        serde_json::Value::Array(_) | serde_json::Value::Object(_)
    )
}

/// A JSON scalar's text (none for null).
fn scalar_text(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Validates raw fields into a submission. Every bad field is reported, not
/// only the first.
pub fn validate(
    fields: &BTreeMap<String, String>,
    rules: &FormRules,
) -> Result<Submission, FormError> {
    // Filled means a bot.
    let honeypot = fields
        .get(&rules.honeypot_field)
        .is_some_and(|v| honeypot_filled(v));
    let mut errors = Vec::new();
    let mut text = |name: &str, max: usize| -> Option<String> {
        let v = fields.get(name)?.trim();
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max {
            errors.push(FieldError {
                field: name.into(),
                message: format!("must be at most {max} characters"),
            });
            return None;
        }
        // Line breaks and tabs only in the message; nowhere a control
        // character, nor an invisible or direction-changing one (a
        // right-to-left override in a name would change how the lead reads
        // in Slack and email).
        let multiline = name == "message";
        // U+2028 and U+2029 are line and paragraph separators: line breaks
        // in Slack and plain-text email, so single-line fields refuse them.
        let line_break = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
        if v.chars().any(|c| {
            (c.is_control() || line_break(c)) && !(multiline && (line_break(c) || c == '\t'))
        }) {
            errors.push(FieldError {
                field: name.into(),
                message: "must not contain control characters".into(),
            });
            return None;
        }
        // Direction embeddings, overrides and isolates reorder the text
        // after them (a name or an address would read as another):
        // refused.
        if v.chars().any(leadscore_core::domain::is_bidi_control) {
            errors.push(FieldError {
                field: name.into(),
                message: "must not contain invisible or direction-changing characters".into(),
            });
            return None;
        }
        // The invisible marks a paste carries (a left-to-right or Arabic
        // letter mark from Hebrew or Arabic input, a zero-width space, a
        // byte-order mark) are dropped: the person cannot see them to take
        // them out, and they reorder nothing. The zero-width joiner and
        // non-joiner are letters' glue in Persian (محمد‌رضا), Indic scripts
        // and emoji sequences: names and titles keep them (an email address
        // is checked on its own, without).
        let dropped = |c: char| {
            (leadscore_core::domain::is_invisible(c) && !matches!(c, '\u{200C}' | '\u{200D}'))
                || c == '\u{061C}'
        };
        let kept: String = v.chars().filter(|&c| !dropped(c)).collect();
        let kept = kept.trim();
        (!kept.is_empty()).then(|| kept.to_owned())
    };
    let email_raw = text("email", MAX_EMAIL);
    let mut first_name = text("first_name", MAX_SHORT);
    let mut last_name = text("last_name", MAX_SHORT);
    let name = text("name", MAX_SHORT);
    let title = text("title", MAX_SHORT).or_else(|| text("job_title", MAX_SHORT));
    let company = text("company", MAX_SHORT);
    let website_raw = text("website", MAX_SHORT);
    let form = text("form", 100);
    let page_url = text("page_url", MAX_TEXT);
    let message = text("message", MAX_TEXT);
    let consent_raw = text(&rules.consent_field, 20);
    let attributes: BTreeMap<String, String> = ATTRIBUTE_FIELDS
        .iter()
        .filter_map(|f| text(f, MAX_SHORT).map(|v| ((*f).to_owned(), v)))
        .collect();

    let email = match email_raw {
        None => {
            errors.push(FieldError {
                field: "email".into(),
                message: "is required".into(),
            });
            None
        }
        Some(e) => match Email::parse(&e) {
            Ok(e) => match e.lead_problem() {
                Some(why) => {
                    errors.push(FieldError {
                        field: "email".into(),
                        message: why,
                    });
                    None
                }
                None => Some(e),
            },
            Err(err) => {
                errors.push(FieldError {
                    field: "email".into(),
                    message: err.to_string(),
                });
                None
            }
        },
    };
    let website = match &website_raw {
        None => None,
        Some(w) => match Domain::parse(w) {
            Ok(d) if d.is_address() => {
                errors.push(FieldError {
                    field: "website".into(),
                    message: "is an IP address, not a company's website".into(),
                });
                None
            }
            Ok(d) => Some(d),
            Err(err) => {
                errors.push(FieldError {
                    field: "website".into(),
                    message: err.to_string(),
                });
                None
            }
        },
    };
    let consent = match consent_raw.as_deref().map(consent_value) {
        None => false,
        Some(Some(yes)) => yes,
        Some(None) => {
            errors.push(FieldError {
                field: rules.consent_field.clone(),
                message: "must be true or false".into(),
            });
            false
        }
    };
    if rules.require_consent && !consent && !errors.iter().any(|e| e.field == rules.consent_field) {
        errors.push(FieldError {
            field: rules.consent_field.clone(),
            message: "consent is required".into(),
        });
    }
    if let (None, None, Some(n)) = (&first_name, &last_name, name) {
        match n.split_once(char::is_whitespace) {
            Some((f, l)) => {
                first_name = Some(f.trim().to_owned());
                last_name = Some(l.trim().to_owned());
            }
            None => first_name = Some(n),
        }
    }
    match (email, errors.is_empty()) {
        (Some(email), true) if honeypot => Err(FormError::Honeypot(email)),
        (Some(email), true) => Ok(Submission {
            email,
            first_name,
            last_name,
            title,
            company,
            website,
            website_url: website_raw,
            form: form.unwrap_or_else(|| rules.default_form.clone()),
            page_url,
            message,
            consent,
            attributes,
        }),
        _ => Err(FormError::Invalid(errors)),
    }
}

/// Parses and validates a body in one step.
pub fn parse(
    content_type: Option<&str>,
    body: &[u8],
    rules: &FormRules,
) -> Result<Submission, FormError> {
    let media = MediaType::from_content_type(content_type)?;
    let (fields, mut errors) = fields(media, body, rules)?;
    let validated = validate(&fields, rules);
    if errors.is_empty() {
        return validated;
    }
    // The fields of the wrong type, and every other bad field (not those
    // again: missing, as they were left out).
    if let Err(FormError::Invalid(more)) = validated {
        let typed: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        errors.extend(more.into_iter().filter(|e| !typed.contains(&e.field)));
    }
    Err(FormError::Invalid(errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> FormRules {
        FormRules::default()
    }

    #[test]
    fn json_and_urlencoded_give_the_same_submission() {
        let json = br#"{"email":" Ada@Acme.COM ","name":"Ada Lovelace","title":"VP Sales","website":"https://www.acme.com/","consent":true,"utm_source":"g"}"#;
        let form = b"email=+Ada%40Acme.COM+&name=Ada+Lovelace&title=VP+Sales&website=https%3A%2F%2Fwww.acme.com%2F&consent=on&utm_source=g";
        let a = parse(Some("application/json; charset=utf-8"), json, &rules()).unwrap();
        let b = parse(Some("application/x-www-form-urlencoded"), form, &rules()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.email.as_str(), "ada@acme.com");
        assert_eq!(a.first_name.as_deref(), Some("Ada"));
        assert_eq!(a.last_name.as_deref(), Some("Lovelace"));
        assert_eq!(a.website.as_ref().unwrap().as_str(), "acme.com");
        assert_eq!(a.attributes["utm_source"], "g");
        assert_eq!(a.form, "website");
    }

    /// A form on a windows-1252 page posts `José` as `Jos%E9`: refused for
    /// that field, not stored as `Jos\u{FFFD}`; a field the form does not
    /// read in that set is ignored.
    #[test]
    fn a_field_in_another_character_set_is_a_field_error() {
        let body = b"email=jo%40acme.com&consent=on&first_name=Jos%E9&tracking=%FF";
        let Err(FormError::Invalid(errs)) =
            parse(Some("application/x-www-form-urlencoded"), body, &rules())
        else {
            panic!("expected a field error")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_name"]);
        assert!(errs[0].message.contains("accept-charset"), "{errs:?}");
        let utf8 = b"email=jo%40acme.com&consent=on&first_name=Jos%C3%A9";
        let s = parse(Some("application/x-www-form-urlencoded"), utf8, &rules()).unwrap();
        assert_eq!(s.first_name.as_deref(), Some("Jos\u{e9}"));
    }

    /// Repeated URL-encoded fields: a checkbox with a hidden fallback
    /// (`consent=true&consent=false`) is ticked; a checkbox group keeps
    /// every value, as its JSON list does.
    #[test]
    fn repeated_urlencoded_fields_read_as_a_browser_posts_them() {
        let form =
            b"email=jo%40acme.com&consent=true&consent=false&utm_term=crm&utm_term=&utm_term=b2b";
        let s = parse(Some("application/x-www-form-urlencoded"), form, &rules()).unwrap();
        assert!(s.consent);
        assert_eq!(s.attributes["utm_term"], "crm, b2b");
        let json = br#"{"email":"jo@acme.com","consent":true,"utm_term":["crm","b2b"]}"#;
        let j = parse(Some("application/json"), json, &rules()).unwrap();
        assert_eq!(j.attributes["utm_term"], s.attributes["utm_term"]);
        // Unticked: the fallback alone.
        let form = b"email=jo%40acme.com&consent=false";
        assert!(parse(Some("application/x-www-form-urlencoded"), form, &rules()).is_err());
    }

    #[test]
    fn every_bad_field_is_reported() {
        let body = br#"{"email":"not-an-email","website":"http://","first_name":"a\u0007b","consent":"maybe"}"#;
        let Err(FormError::Invalid(errs)) = parse(Some("application/json"), body, &rules()) else {
            panic!("expected field errors")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "email", "website", "consent"]);
    }

    #[test]
    fn an_address_is_no_website() {
        for website in [
            "http://169.254.169.254/latest/meta-data/",
            "127.0.0.1",
            "10.0.0.5",
            "0x7f.1",
        ] {
            let body =
                serde_json::json!({"email": "sam@gmail.com", "website": website, "consent": true})
                    .to_string();
            let Err(FormError::Invalid(errs)) =
                parse(Some("application/json"), body.as_bytes(), &rules())
            else {
                panic!("{website}: expected a field error")
            };
            assert_eq!(errs.len(), 1, "{errs:?}");
            assert_eq!(errs[0].field, "website");
            assert!(errs[0].message.contains("IP address"), "{errs:?}");
        }
        // Nor an email's domain: its account would be the address (and
        // crawled), or a public suffix no company owns.
        for (email, why) in [
            ("jo@203.0.113.9", "IP address"),
            ("jo@0x7f.1", "IP address"),
            ("jo@co.uk", "public suffix"),
        ] {
            let body = serde_json::json!({"email": email, "consent": true}).to_string();
            let Err(FormError::Invalid(errs)) =
                parse(Some("application/json"), body.as_bytes(), &rules())
            else {
                panic!("{email}: expected a field error")
            };
            assert_eq!(errs.len(), 1, "{errs:?}");
            assert_eq!(errs[0].field, "email");
            assert!(errs[0].message.contains(why), "{errs:?}");
        }
    }

    #[test]
    fn a_byte_order_mark_and_line_separators() {
        for (ct, body) in [
            (
                "application/json",
                &b"\xEF\xBB\xBF{\"email\":\"a@b.co\",\"consent\":true}"[..],
            ),
            (
                "application/x-www-form-urlencoded",
                b"\xEF\xBB\xBFemail=a%40b.co&consent=on",
            ),
        ] {
            let s = parse(Some(ct), body, &rules()).unwrap();
            assert_eq!(s.email.as_str(), "a@b.co");
        }
        // U+2028 is a line break in Slack: refused in a name, kept in the
        // message.
        let body = "{\"email\":\"a@b.co\",\"consent\":true,\"first_name\":\"Ada\u{2028}*CEO*\",\"message\":\"one\u{2028}two\"}";
        let Err(FormError::Invalid(errs)) =
            parse(Some("application/json"), body.as_bytes(), &rules())
        else {
            panic!("expected field errors")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_name"]);
        // The Arabic letter mark is a mark like U+200F: dropped.
        let body = "{\"email\":\"a@b.co\",\"consent\":true,\"last_name\":\"\u{061C}Lee\"}";
        let s = parse(Some("application/json"), body.as_bytes(), &rules()).unwrap();
        assert_eq!(s.last_name.as_deref(), Some("Lee"));
    }

    #[test]
    fn missing_email_and_consent() {
        let Err(FormError::Invalid(errs)) = parse(Some("application/json"), b"{}", &rules()) else {
            panic!()
        };
        assert_eq!(errs.len(), 2);
        let mut r = rules();
        r.require_consent = false;
        let Err(FormError::Invalid(errs)) = parse(Some("application/json"), b"{}", &r) else {
            panic!()
        };
        assert_eq!(errs[0].field, "email");
    }

    #[test]
    fn honeypot_media_type_and_malformed_bodies() {
        assert_eq!(
            parse(
                Some("application/json"),
                br#"{"email":"a@b.co","consent":true,"_gotcha":"x"}"#,
                &rules()
            ),
            Err(FormError::Honeypot(Email::parse("a@b.co").unwrap()))
        );
        assert!(matches!(
            parse(Some("text/plain"), b"email=a@b.co", &rules()),
            Err(FormError::UnsupportedMediaType(_))
        ));
        assert!(matches!(
            parse(None, b"", &rules()),
            Err(FormError::UnsupportedMediaType(_))
        ));
        assert!(matches!(
            parse(Some("application/json"), b"{\"email\":", &rules()),
            Err(FormError::Malformed(_))
        ));
        assert!(matches!(
            parse(Some("application/json"), b"[1,2]", &rules()),
            Err(FormError::Malformed(_))
        ));
        // Bytes that are no UTF-8: the field they are in is in error; a
        // name that is none, the body.
        assert!(matches!(
            parse(
                Some("application/x-www-form-urlencoded"),
                b"email=\xff",
                &rules()
            ),
            Err(FormError::Invalid(e)) if e[0].field == "email"
        ));
        assert!(matches!(
            parse(
                Some("application/x-www-form-urlencoded"),
                b"em%FFail=jo%40acme.com",
                &rules()
            ),
            Err(FormError::Malformed(_))
        ));
        let Err(FormError::Invalid(errs)) = parse(
            Some("application/json"),
            br#"{"email":{"x":1},"consent":true}"#,
            &rules(),
        ) else {
            panic!()
        };
        assert_eq!(errs[0].field, "email");
        assert_eq!(errs[0].message, "must be a string");
        assert_eq!(errs.len(), 1, "{errs:?}");
        // Every bad field, not only the one of the wrong type.
        let Err(FormError::Invalid(errs)) = parse(
            Some("application/json"),
            br#"{"email":"bad","title":"x\u0007y","first_name":{"a":1},"consent":true}"#,
            &rules(),
        ) else {
            panic!()
        };
        let mut fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["email", "first_name", "title"], "{errs:?}");
        // A page script's own data beside the form's, and a checkbox group.
        let s = parse(
            Some("application/json"),
            br#"{"email":"a@b.co","consent":true,"meta":{"v":2},"tags":[[1]],"utm_term":["crm","b2b"]}"#,
            &rules(),
        )
        .unwrap();
        assert_eq!(s.attributes["utm_term"], "crm, b2b");
        // A list of lists or an object in a field the form reads is refused.
        let Err(FormError::Invalid(errs)) = parse(
            Some("application/json"),
            br#"{"email":"a@b.co","consent":true,"company":[{"n":"Acme"}]}"#,
            &rules(),
        ) else {
            panic!()
        };
        assert_eq!(errs[0].field, "company");
    }

    #[test]
    fn an_unticked_honeypot_is_no_bot() {
        for honeypot in ["false", "0", "\"\"", "null", "\" \""] {
            let body = format!(r#"{{"email":"a@b.co","consent":true,"_gotcha":{honeypot}}}"#);
            let got = parse(Some("application/json"), body.as_bytes(), &rules());
            assert!(got.is_ok(), "{honeypot}: {got:?}");
        }
        // An object or a list holding one: unreadable, so filled (not a
        // field error that would tell a bot which field is the trap).
        for honeypot in ["\"http://spam.example\"", "true", "1", "{\"x\":1}", "[{}]"] {
            let body = format!(r#"{{"email":"a@b.co","consent":true,"_gotcha":{honeypot}}}"#);
            let got = parse(Some("application/json"), body.as_bytes(), &rules());
            assert!(
                matches!(got, Err(FormError::Honeypot(_))),
                "{honeypot}: {got:?}"
            );
        }
        // A snippet included twice posts its empty honeypot twice: no bot.
        let form = Some("application/x-www-form-urlencoded");
        for body in [
            "email=a%40b.co&consent=on&_gotcha=0&_gotcha=0",
            "email=a%40b.co&consent=on&_gotcha=&_gotcha=",
        ] {
            let got = parse(form, body.as_bytes(), &rules());
            assert!(got.is_ok(), "{body}: {got:?}");
        }
        for body in [
            "email=a%40b.co&consent=on&_gotcha=&_gotcha=spam",
            "email=a%40b.co&consent=on&_gotcha=%FF",
        ] {
            let got = parse(form, body.as_bytes(), &rules());
            assert!(
                matches!(got, Err(FormError::Honeypot(_))),
                "{body}: {got:?}"
            );
        }
    }

    #[test]
    fn line_breaks_only_in_the_message_and_no_invisible_characters() {
        let body = "{\"email\":\"a@b.co\",\"consent\":true,\"name\":\"Ada\\nLovelace\",\"company\":\"Acme\u{202E}moc.evil\",\"title\":\"CEO\u{200B}\",\"message\":\"Hello,\\nplease call.\"}";
        let Err(FormError::Invalid(errs)) =
            parse(Some("application/json"), body.as_bytes(), &rules())
        else {
            panic!("expected errors")
        };
        let mut fields: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                (
                    "company",
                    "must not contain invisible or direction-changing characters"
                ),
                ("name", "must not contain control characters"),
            ]
        );
        // An invisible mark a paste carries is dropped, not refused: the
        // person cannot see it (a right-to-left mark after Hebrew input, a
        // zero-width space).
        let pasted = serde_json::json!({
            "email": "\u{200E}dovid@acme.co.il\u{200F}",
            "consent": true,
            "first_name": "\u{200F}דוד",
            "title": "CEO\u{200B}",
            "company": "\u{FEFF}Acme\u{2060}",
        })
        .to_string();
        let s = parse(Some("application/json"), pasted.as_bytes(), &rules()).unwrap();
        assert_eq!(s.email.as_str(), "dovid@acme.co.il");
        assert_eq!(s.first_name.as_deref(), Some("דוד"));
        assert_eq!(s.title.as_deref(), Some("CEO"));
        assert_eq!(s.company.as_deref(), Some("Acme"));
        let ok =
            "{\"email\":\"a@b.co\",\"consent\":true,\"message\":\"Hello,\\r\\nplease\\tcall.\"}";
        let s = parse(Some("application/json"), ok.as_bytes(), &rules()).unwrap();
        assert_eq!(s.message.as_deref(), Some("Hello,\r\nplease\tcall."));
        // Joiners are letters' glue in Persian, Indic scripts and emoji:
        // real names keep them.
        let names = serde_json::json!({
            "email": "a@b.co",
            "consent": true,
            "first_name": "محمد\u{200C}رضا",
            "last_name": "क्\u{200D}ष",
            "title": "Head of 👩\u{200D}💻 Engineering",
        });
        let s = parse(
            Some("application/json"),
            names.to_string().as_bytes(),
            &rules(),
        )
        .unwrap();
        assert_eq!(s.first_name.as_deref(), Some("محمد\u{200C}رضا"));
        assert_eq!(s.last_name.as_deref(), Some("क्\u{200D}ष"));
    }

    #[test]
    fn lengths_are_capped() {
        let long = "x".repeat(MAX_SHORT + 1);
        let body = serde_json::json!({"email": "a@b.co", "consent": true, "company": long});
        let Err(FormError::Invalid(errs)) = parse(
            Some("application/json"),
            body.to_string().as_bytes(),
            &rules(),
        ) else {
            panic!()
        };
        assert_eq!(errs[0].field, "company");
    }
}
