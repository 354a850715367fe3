//! Bounded decompression and charset decoding. Pure functions.

use std::io::Read;

use encoding_rs::Encoding;

use crate::error::PageError;

/// Undo the `Content-Encoding` of `body`, never producing more than `cap`
/// bytes: a decompression bomb is cut at the cap with [`PageError::TooLarge`].
/// Supports `gzip`/`x-gzip`, `deflate` (zlib or raw), `br` and `identity`,
/// including stacked encodings (`gzip, br`).
pub fn decompress(
    body: Vec<u8>,
    content_encoding: Option<&str>,
    cap: usize,
) -> Result<Vec<u8>, PageError> {
    decompress_with(body, content_encoding, cap, Overflow::Refuse).map(|(data, _)| data)
}

/// What to do with a body over its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Refuse it: [`PageError::TooLarge`].
    Refuse,
    /// Keep its first `cap` bytes: a prefix of a compressed stream (cut on
    /// the wire) gives what it decodes to before it ends.
    Cut,
}

/// [`decompress`] with a choice of what a body over the cap gives; the flag
/// says whether it was cut.
pub fn decompress_with(
    body: Vec<u8>,
    content_encoding: Option<&str>,
    cap: usize,
    overflow: Overflow,
) -> Result<(Vec<u8>, bool), PageError> {
    let (mut data, mut cut) = check_len(body, cap, overflow)?;
    let Some(header) = content_encoding else {
        return Ok((data, cut));
    };
    let codings: Vec<String> = header
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    if codings.len() > 3 {
        return Err(PageError::Decode(format!(
            "too many content codings: {header}"
        )));
    }
    // Codings are listed in the order they were applied: undo in reverse.
    for coding in codings.iter().rev() {
        let (decoded, cut_here) = match coding.as_str() {
            "gzip" | "x-gzip" => read_capped(
                flate2::read::MultiGzDecoder::new(&data[..]),
                cap,
                overflow,
                cut,
            )?,
            "deflate" => match read_capped(
                flate2::read::ZlibDecoder::new(&data[..]),
                cap,
                overflow,
                cut,
            ) {
                Err(PageError::Decode(_)) => read_capped(
                    flate2::read::DeflateDecoder::new(&data[..]),
                    cap,
                    overflow,
                    cut,
                )?,
                other => other?,
            },
            // The window a large-window stream asks for (up to 1 GiB) is
            // allocated before any output, so the cap cannot bound it.
            "br" if is_large_window_brotli(&data) => {
                return Err(PageError::Decode(
                    "brotli stream with a large window (RFC 7932 streams, which web \
                     servers send, have windows of 16 MiB at most)"
                        .into(),
                ));
            }
            "br" => read_capped(
                brotli_decompressor::Decompressor::new(&data[..], 8192),
                cap,
                overflow,
                cut,
            )?,
            // A coding we never asked for: misconfigured servers send
            // `Content-Encoding: utf-8` or `none` over a plain body. Read a
            // body that is plainly text as it is, as browsers do; anything
            // else (a compression we do not know) stays an error.
            other if looks_like_text(&data) => {
                tracing::debug!(
                    coding = other,
                    "unknown content coding over a plain body; read as is"
                );
                continue;
            }
            other => {
                return Err(PageError::Decode(format!(
                    "unsupported content encoding {other:?}"
                )));
            }
        };
        data = decoded;
        cut |= cut_here;
    }
    Ok((data, cut))
}

/// Whether a body reads as text (markup, JSON, prose in any ASCII-based
/// encoding): no NUL byte and hardly any other control byte in its first
/// 512 bytes. Compressed streams are full of both.
fn looks_like_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(512)];
    let control = head
        .iter()
        .filter(|b| **b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    !head.contains(&0) && control * 50 <= head.len()
}

fn check_len(
    mut body: Vec<u8>,
    cap: usize,
    overflow: Overflow,
) -> Result<(Vec<u8>, bool), PageError> {
    if body.len() <= cap {
        Ok((body, false))
    } else if overflow == Overflow::Cut {
        body.truncate(cap);
        Ok((body, true))
    } else {
        Err(PageError::TooLarge { limit: cap })
    }
}

/// Reads a decoder to its end or to `cap` bytes. A stream that was cut
/// (`input_cut`) ends early: with [`Overflow::Cut`], what it decoded to
/// before that is kept.
fn read_capped<R: Read>(
    reader: R,
    cap: usize,
    overflow: Overflow,
    input_cut: bool,
) -> Result<(Vec<u8>, bool), PageError> {
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    match reader.take(limit).read_to_end(&mut out) {
        Ok(_) => {}
        Err(_) if overflow == Overflow::Cut && input_cut && !out.is_empty() => {
            let (out, _) = check_len(out, cap, overflow)?;
            return Ok((out, true));
        }
        Err(e) => return Err(PageError::Decode(e.to_string())),
    }
    check_len(out, cap, overflow)
}

/// The charset named by a `Content-Type` header value, if encoding_rs knows it.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("charset") {
            Encoding::for_label(v.trim().trim_matches(|c| c == '"' || c == '\'').as_bytes())
        } else {
            None
        }
    })
}

/// Sniff `<meta charset=...>` or `<meta http-equiv=... content="...; charset=...">`
/// in the first 1024 bytes of an HTML document.
pub fn sniff_meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(1024)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(off) = find(&lower[pos..], b"<meta") {
        let start = pos + off + 5;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let mut rest = &tag[c + 7..];
            rest = trim_start(rest);
            if let Some(r) = rest.strip_prefix(b"=") {
                let r = trim_start(r);
                let r = r
                    .strip_prefix(b"\"")
                    .or_else(|| r.strip_prefix(b"'"))
                    .unwrap_or(r);
                let label_end = r
                    .iter()
                    .position(|b| {
                        matches!(b, b'"' | b'\'' | b';' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
                    })
                    .unwrap_or(r.len());
                if let Some(enc) = Encoding::for_label(&r[..label_end]) {
                    // Per WHATWG, a meta declaring UTF-16 means UTF-8.
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        return Some(encoding_rs::UTF_8);
                    }
                    return Some(enc);
                }
            }
        }
        pos = end.max(start);
        if pos >= lower.len() {
            break;
        }
    }
    None
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The encoding named by an XML declaration (`<?xml version="1.0"
/// encoding="ISO-8859-1"?>`) opening the body: feeds and sitemaps served
/// without a charset. UTF-16 named in ASCII bytes means UTF-8, as for
/// `<meta>`.
pub fn sniff_xml_encoding(body: &[u8]) -> Option<&'static Encoding> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let head = &body[..body.len().min(256)];
    let rest = head.strip_prefix(b"<?xml")?;
    let decl = &rest[..find(rest, b"?>")?];
    let at = find(decl, b"encoding")?;
    let value = trim_start(trim_start(&decl[at + 8..]).strip_prefix(b"=")?);
    let quote = *value.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let value = &value[1..];
    let label = &value[..value.iter().position(|&b| b == quote)?];
    let enc = Encoding::for_label(label)?;
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return Some(encoding_rs::UTF_8);
    }
    Some(enc)
}

/// Decode a body to text: a BOM wins, then the `Content-Type` charset, then
/// an opening XML declaration, then a `<meta>` declaration in the first 1024
/// bytes, then UTF-8. Invalid sequences become U+FFFD; never fails. Returns
/// the text and the encoding name used.
pub fn decode_text(body: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    let encoding = content_type
        .and_then(charset_from_content_type)
        .or_else(|| sniff_xml_encoding(body))
        .or_else(|| sniff_meta_charset(body))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, used, _had_errors) = encoding.decode(body);
    (text.into_owned(), used.name())
}

/// How deep an HTML page's elements may nest before the rest of the page is
/// dropped. Real pages nest a few dozen levels; an HTML parser checks the
/// whole open-element stack at many start tags, so a page of a million
/// nested `<div>`s would cost it hours.
pub const MAX_HTML_DEPTH: usize = 1024;

/// Elements that never have content.
const VOID: &[&[u8]] = &[
    b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param",
    b"source", b"track", b"wbr",
];
/// Elements a parser closes by itself when a sibling starts: they do not
/// deepen the tree in practice.
const SELF_ENDING: &[&[u8]] = &[
    b"p",
    b"li",
    b"dt",
    b"dd",
    b"option",
    b"optgroup",
    b"tr",
    b"td",
    b"th",
    b"thead",
    b"tbody",
    b"tfoot",
    b"colgroup",
    b"caption",
    b"rb",
    b"rt",
    b"rp",
];
/// Elements whose content is text up to their end tag.
const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
];

/// The position of the first `</name` at or after `from`, any case.
fn end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let at = i + off;
        let tail = &b[at + 1..];
        if tail.first() == Some(&b'/')
            && tail.len() > name.len()
            && tail[1..=name.len()].eq_ignore_ascii_case(name)
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Where to cut `html` so that its elements nest at most `max` deep: the
/// start of the first tag past that depth, if any. A light scan (tags,
/// comments, raw-text elements, end tags closing the nearest open element
/// of their name as a parser does); it errs towards deeper, never towards
/// cutting a page a parser reads as shallow by much.
pub fn html_nesting_cut(html: &str, max: usize) -> Option<usize> {
    let b = html.as_bytes();
    let mut open: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let at = i + off;
        i = at + 1;
        if b[i..].starts_with(b"!--") {
            match find(&b[i + 3..], b"-->") {
                Some(e) => {
                    i += 3 + e + 3;
                    continue;
                }
                None => break,
            }
        }
        let closing = b.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if len == 0 {
            continue;
        }
        let name = b[start..start + len].to_ascii_lowercase();
        let Some(gt) = memchr::memchr(b'>', &b[start + len..]) else {
            break;
        };
        let end = start + len + gt;
        i = end + 1;
        if closing {
            if let Some(k) = open.iter().rposition(|n| *n == name) {
                open.truncate(k);
            }
            continue;
        }
        let name_ref: &[u8] = &name;
        if RAW_TEXT.contains(&name_ref) {
            match end_tag(b, i, &name) {
                Some(e) => i = e,
                None => break,
            }
            continue;
        }
        if VOID.contains(&name_ref) || SELF_ENDING.contains(&name_ref) || b[end - 1] == b'/' {
            continue;
        }
        open.push(name);
        if open.len() > max {
            return Some(at);
        }
    }
    None
}

/// Whether a brotli stream starts with the header of the large-window
/// extension: window bits `1`, `000`, then `001` (its low 7 bits `0x11`),
/// which RFC 7932 leaves invalid. The decoder reads it with windows of up
/// to 2^30 bytes and allocates the window at the first meta-block.
fn is_large_window_brotli(data: &[u8]) -> bool {
    data.first().is_some_and(|b| b & 0x7f == 0x11)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Writes bits least significant first, as brotli reads them.
    #[derive(Default)]
    struct Bits {
        out: Vec<u8>,
        used: u32,
    }

    impl Bits {
        fn put(&mut self, value: u64, n: u32) {
            for i in 0..n {
                if self.used.is_multiple_of(8) {
                    self.out.push(0);
                }
                let bit = ((value >> i) & 1) as u8;
                *self.out.last_mut().unwrap() |= bit << (self.used % 8);
                self.used += 1;
            }
        }
        fn align(&mut self) {
            self.used = self.used.div_ceil(8) * 8;
        }
        fn bytes(&mut self, b: &[u8]) {
            self.align();
            self.out.extend_from_slice(b);
            self.used += 8 * b.len() as u32;
        }
    }

    /// A valid brotli stream of `text` in one uncompressed meta-block,
    /// with the window header `window` writes.
    fn brotli_stored(window: impl Fn(&mut Bits), text: &[u8]) -> Vec<u8> {
        let mut b = Bits::default();
        window(&mut b);
        // Not the last meta-block; 4 nibbles of length; uncompressed.
        b.put(0, 1);
        b.put(0, 2);
        b.put(text.len() as u64 - 1, 16);
        b.put(1, 1);
        b.bytes(text);
        // The last meta-block, empty.
        b.put(1, 1);
        b.put(1, 1);
        b.out
    }

    #[test]
    fn a_large_window_brotli_stream_is_refused_before_its_window_is_allocated() {
        let text = b"<html><body>hello</body></html>";
        // A standard stream: window bits `1` `000` `000` is 2^17 (RFC 7932).
        let standard = brotli_stored(
            |b| {
                b.put(1, 1);
                b.put(0, 3);
                b.put(0, 3);
            },
            text,
        );
        assert_eq!(
            decompress(standard, Some("br"), 1 << 20).unwrap(),
            text.to_vec()
        );
        // The same with the large-window header asking for 2^30 bytes: the
        // decoder reads it (a 1 GiB window) unless it is refused first.
        let large = brotli_stored(
            |b| {
                b.put(1, 1);
                b.put(0, 3);
                b.put(1, 3);
                b.put(0, 1);
                b.put(30, 6);
            },
            text,
        );
        assert_eq!(large[0] & 0x7f, 0x11);
        match decompress(large, Some("br"), 1 << 20) {
            Err(PageError::Decode(m)) => assert!(m.contains("large window"), "{m}"),
            other => panic!("read as {other:?}"),
        }
    }

    #[test]
    fn only_pages_nesting_past_the_limit_are_cut() {
        let shallow = [
            format!(
                "<html><body>{}x{}</body></html>",
                "<div>".repeat(50),
                "</div>".repeat(50)
            ),
            // Implicitly closed, void and self-closed elements do not nest.
            format!("<ul>{}</ul>", "<li>item".repeat(10_000)),
            format!("<p>{}", "<p>para<br><img src=x><span/>".repeat(10_000)),
            "<div></div>".repeat(10_000),
            // Tags inside scripts, styles and comments are text.
            format!("<script>{}</SCRIPT><p>x", "<div>".repeat(5_000)),
            format!("<!-- {} --><p>x", "<div>".repeat(5_000)),
        ];
        for page in &shallow {
            assert_eq!(html_nesting_cut(page, MAX_HTML_DEPTH), None, "{:.60}", page);
        }
        // The tag past the limit starts the cut.
        let deep = "<div>".repeat(1_000_000);
        assert_eq!(
            html_nesting_cut(&deep, MAX_HTML_DEPTH),
            Some(5 * MAX_HTML_DEPTH)
        );
        // An end tag closing nothing open is ignored, as a parser does.
        let sly = "<div></b>".repeat(2_000);
        assert_eq!(
            html_nesting_cut(&sly, MAX_HTML_DEPTH),
            Some(9 * MAX_HTML_DEPTH)
        );
        // An end tag closes the nearest open element of its name and the
        // ones inside it.
        let closed = "<section><div><b>x</section>".repeat(3_000);
        assert_eq!(html_nesting_cut(&closed, MAX_HTML_DEPTH), None);
    }

    #[test]
    fn charset_precedence() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body>caf\xe9</body></html>";
        let (t, enc) = decode_text(latin1, Some("text/html"));
        assert!(t.contains("café"), "{t}");
        assert_eq!(enc, "windows-1252");
        let (t, _) = decode_text("café".as_bytes(), Some("text/html; charset=utf-8"));
        assert_eq!(t, "café");
        let sjis = b"\x82\xb1\x82\xf1"; // "こん" in Shift_JIS
        let (t, enc) = decode_text(sjis, Some("text/html; charset=Shift_JIS"));
        assert_eq!(t, "こん");
        assert_eq!(enc, "Shift_JIS");
        let http_equiv =
            b"<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>\xcf\xf0\xe8";
        assert!(decode_text(http_equiv, None).0.ends_with("При"));
        let (t, enc) = decode_text(b"ok \xff\xfe bad", None);
        assert_eq!(enc, "UTF-8");
        assert!(t.contains('\u{FFFD}'));
    }

    #[test]
    fn an_xml_declaration_names_the_encoding_of_a_feed_served_without_one() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><title>Acme l\xe8ve 5 M\x80</title></rss>";
        let (text, enc) = decode_text(latin1, Some("application/rss+xml"));
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("lève 5 M€"), "{text}");
        // The header's charset still wins; single quotes and a BOM are read.
        assert_eq!(
            decode_text(latin1, Some("text/xml; charset=utf-8")).1,
            "UTF-8"
        );
        assert_eq!(
            sniff_xml_encoding(b"\xEF\xBB\xBF<?xml version='1.0' encoding = 'Shift_JIS' ?><a/>"),
            Some(encoding_rs::SHIFT_JIS)
        );
        // Not an opening declaration, none at all, or UTF-16 in ASCII bytes.
        assert_eq!(sniff_xml_encoding(b"<rss><?xml encoding='latin1'?>"), None);
        assert_eq!(sniff_xml_encoding(b"<?xml version='1.0'?><rss/>"), None);
        assert_eq!(
            sniff_xml_encoding(b"<?xml version='1.0' encoding='UTF-16'?>"),
            Some(encoding_rs::UTF_8)
        );
    }

    #[test]
    fn gzip_bomb_is_cut_at_cap() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 4 * 1024 * 1024]).unwrap();
        let small = enc.finish().unwrap();
        assert!(small.len() < 64 * 1024);
        let e = decompress(small.clone(), Some("gzip"), 1024 * 1024).unwrap_err();
        assert_eq!(e, PageError::TooLarge { limit: 1024 * 1024 });
        assert_eq!(
            decompress(small, Some("gzip"), 8 * 1024 * 1024)
                .unwrap()
                .len(),
            4 * 1024 * 1024
        );
    }

    #[test]
    fn a_body_over_the_cap_can_be_cut_instead_of_refused() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        // Plain: the first cap bytes.
        let (plain, cut) = decompress_with(text.clone(), None, 1000, Overflow::Cut).unwrap();
        assert_eq!((plain.as_slice(), cut), (&text[..1000], true));
        // Compressed, whole: decoded up to the cap.
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&text).unwrap();
        let gz = enc.finish().unwrap();
        let (whole, cut) =
            decompress_with(gz.clone(), Some("gzip"), 50_000, Overflow::Cut).unwrap();
        assert_eq!((whole.as_slice(), cut), (&text[..50_000], true));
        // Compressed and cut on the wire: what the prefix decodes to
        // (bytes that do not compress, so it decodes to less than the cap
        // and the stream ends early).
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&noise).unwrap();
        let noisy = enc.finish().unwrap();
        let cap = noisy.len() / 2;
        let (prefix, cut) = decompress_with(noisy, Some("gzip"), cap, Overflow::Cut).unwrap();
        assert!(cut);
        assert!(!prefix.is_empty() && prefix.len() < cap);
        assert!(noise.starts_with(&prefix));
        // Under the cap nothing is cut; refused stays refused.
        let (all, cut) = decompress_with(gz.clone(), Some("gzip"), 1 << 24, Overflow::Cut).unwrap();
        assert_eq!((all.len(), cut), (text.len(), false));
        assert_eq!(
            decompress(gz, Some("gzip"), 1000).unwrap_err(),
            PageError::TooLarge { limit: 1000 }
        );
        // A stream broken without a cut is still an error.
        assert_eq!(
            decompress_with(b"garbage".to_vec(), Some("gzip"), 10, Overflow::Cut)
                .unwrap_err()
                .kind(),
            "decode"
        );
    }

    #[test]
    fn deflate_zlib_and_raw() {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"hello").unwrap();
        assert_eq!(
            decompress(z.finish().unwrap(), Some("deflate"), 100).unwrap(),
            b"hello"
        );
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        d.write_all(b"hello").unwrap();
        assert_eq!(
            decompress(d.finish().unwrap(), Some("deflate"), 100).unwrap(),
            b"hello"
        );
    }

    #[test]
    fn unknown_and_identity_encodings() {
        assert_eq!(
            decompress(b"x".to_vec(), Some("identity"), 10).unwrap(),
            b"x"
        );
        // An unknown coding over a compressed body stays an error...
        let zstd_frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x01, 0x00, 0x00];
        assert_eq!(
            decompress(zstd_frame, Some("zstd"), 100)
                .unwrap_err()
                .kind(),
            "decode"
        );
        // ...and over a plain body (`Content-Encoding: utf-8` from a
        // misconfigured server) reads it as it is.
        for coding in ["utf-8", "none", "text/html"] {
            let page = b"<!doctype html>\n<p>Acme</p>".to_vec();
            assert_eq!(
                decompress(page.clone(), Some(coding), 100).unwrap(),
                page,
                "{coding}"
            );
        }
        assert_eq!(
            decompress(vec![0; 11], None, 10).unwrap_err().kind(),
            "too_large"
        );
        assert_eq!(
            decompress(b"garbage".to_vec(), Some("gzip"), 10)
                .unwrap_err()
                .kind(),
            "decode"
        );
    }
}
