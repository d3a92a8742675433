//! HTML read as hosts and podcasters write it, a tag at a time: rarely
//! well-formed XML (unclosed `<p>` and `<li>`, `<br>` without a slash,
//! unquoted attributes, HTML's named entities). What `import` turns into
//! Markdown and what show notes' raw HTML is read with
//! ([`crate::markdown`]); and [`clean`], an HTML document others wrote
//! made safe to publish.

pub mod clean;

/// Where the tag that starts `s` (at its `<`) ends, quotes respected.
pub(crate) fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('>', None) => return Some(i),
            ('<', None) if i == 1 => return None,
            _ => {}
        }
    }
    None
}

/// A tag: its lower-case name, whether it closes, and its attributes.
pub(crate) struct Tag {
    pub(crate) name: String,
    pub(crate) closing: bool,
    pub(crate) self_closing: bool,
    pub(crate) attrs: Vec<(String, String)>,
}

impl Tag {
    pub(crate) fn parse(inner: &str) -> Option<Tag> {
        let inner = inner.trim();
        let (closing, inner) = match inner.strip_prefix('/') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, inner),
        };
        let self_closing = inner.ends_with('/');
        let inner = inner.trim_end_matches('/');
        let name_end = inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None; // <!DOCTYPE …>, <?xml …?> and the like
        }
        let mut attrs = Vec::new();
        let mut a = inner[name_end..].trim_start();
        while !a.is_empty() {
            let key_end = a.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(a.len());
            let key = a[..key_end].to_ascii_lowercase();
            a = a[key_end..].trim_start();
            let mut value = String::new();
            if let Some(v) = a.strip_prefix('=') {
                let v = v.trim_start();
                let (val, rest) = match v.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let end = v[1..].find(q).map_or(v.len(), |e| e + 1);
                        (&v[1..end], v.get(end + 1..).unwrap_or(""))
                    }
                    _ => {
                        let end = v.find(char::is_whitespace).unwrap_or(v.len());
                        (&v[..end], &v[end..])
                    }
                };
                value = decode(val);
                a = rest.trim_start();
            }
            if !key.is_empty() {
                attrs.push((key, value));
            }
        }
        Some(Tag { name, closing, self_closing, attrs })
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The named HTML entities hosts write: Latin-1's and the typographic
/// ones (sorted by name, for a binary search).
const NAMED: &[(&str, char)] = &[
    ("AElig", '\u{c6}'),
    ("Aacute", '\u{c1}'),
    ("Acirc", '\u{c2}'),
    ("Agrave", '\u{c0}'),
    ("Aring", '\u{c5}'),
    ("Atilde", '\u{c3}'),
    ("Auml", '\u{c4}'),
    ("Ccedil", '\u{c7}'),
    ("Dagger", '\u{2021}'),
    ("ETH", '\u{d0}'),
    ("Eacute", '\u{c9}'),
    ("Ecirc", '\u{ca}'),
    ("Egrave", '\u{c8}'),
    ("Euml", '\u{cb}'),
    ("Iacute", '\u{cd}'),
    ("Icirc", '\u{ce}'),
    ("Igrave", '\u{cc}'),
    ("Iuml", '\u{cf}'),
    ("Ntilde", '\u{d1}'),
    ("OElig", '\u{152}'),
    ("Oacute", '\u{d3}'),
    ("Ocirc", '\u{d4}'),
    ("Ograve", '\u{d2}'),
    ("Oslash", '\u{d8}'),
    ("Otilde", '\u{d5}'),
    ("Ouml", '\u{d6}'),
    ("Prime", '\u{2033}'),
    ("Scaron", '\u{160}'),
    ("THORN", '\u{de}'),
    ("Uacute", '\u{da}'),
    ("Ucirc", '\u{db}'),
    ("Ugrave", '\u{d9}'),
    ("Uuml", '\u{dc}'),
    ("Yacute", '\u{dd}'),
    ("Yuml", '\u{178}'),
    ("aacute", '\u{e1}'),
    ("acirc", '\u{e2}'),
    ("acute", '\u{b4}'),
    ("aelig", '\u{e6}'),
    ("agrave", '\u{e0}'),
    ("aring", '\u{e5}'),
    ("atilde", '\u{e3}'),
    ("auml", '\u{e4}'),
    ("bdquo", '\u{201e}'),
    ("brvbar", '\u{a6}'),
    ("bull", '\u{2022}'),
    ("ccedil", '\u{e7}'),
    ("cedil", '\u{b8}'),
    ("cent", '\u{a2}'),
    ("circ", '\u{2c6}'),
    ("clubs", '\u{2663}'),
    ("copy", '\u{a9}'),
    ("curren", '\u{a4}'),
    ("dagger", '\u{2020}'),
    ("darr", '\u{2193}'),
    ("deg", '\u{b0}'),
    ("diams", '\u{2666}'),
    ("divide", '\u{f7}'),
    ("eacute", '\u{e9}'),
    ("ecirc", '\u{ea}'),
    ("egrave", '\u{e8}'),
    ("emsp", '\u{2003}'),
    ("ensp", '\u{2002}'),
    ("eth", '\u{f0}'),
    ("euml", '\u{eb}'),
    ("euro", '\u{20ac}'),
    ("fnof", '\u{192}'),
    ("frac12", '\u{bd}'),
    ("frac14", '\u{bc}'),
    ("frac34", '\u{be}'),
    ("frasl", '\u{2044}'),
    ("harr", '\u{2194}'),
    ("hearts", '\u{2665}'),
    ("hellip", '\u{2026}'),
    ("iacute", '\u{ed}'),
    ("icirc", '\u{ee}'),
    ("iexcl", '\u{a1}'),
    ("igrave", '\u{ec}'),
    ("iquest", '\u{bf}'),
    ("iuml", '\u{ef}'),
    ("laquo", '\u{ab}'),
    ("larr", '\u{2190}'),
    ("ldquo", '\u{201c}'),
    ("lrm", '\u{200e}'),
    ("lsaquo", '\u{2039}'),
    ("lsquo", '\u{2018}'),
    ("macr", '\u{af}'),
    ("mdash", '\u{2014}'),
    ("micro", '\u{b5}'),
    ("middot", '\u{b7}'),
    ("nbsp", '\u{a0}'),
    ("ndash", '\u{2013}'),
    ("not", '\u{ac}'),
    ("ntilde", '\u{f1}'),
    ("oacute", '\u{f3}'),
    ("ocirc", '\u{f4}'),
    ("oelig", '\u{153}'),
    ("ograve", '\u{f2}'),
    ("oline", '\u{203e}'),
    ("ordf", '\u{aa}'),
    ("ordm", '\u{ba}'),
    ("oslash", '\u{f8}'),
    ("otilde", '\u{f5}'),
    ("ouml", '\u{f6}'),
    ("para", '\u{b6}'),
    ("permil", '\u{2030}'),
    ("plusmn", '\u{b1}'),
    ("pound", '\u{a3}'),
    ("prime", '\u{2032}'),
    ("raquo", '\u{bb}'),
    ("rarr", '\u{2192}'),
    ("rdquo", '\u{201d}'),
    ("reg", '\u{ae}'),
    ("rlm", '\u{200f}'),
    ("rsaquo", '\u{203a}'),
    ("rsquo", '\u{2019}'),
    ("sbquo", '\u{201a}'),
    ("scaron", '\u{161}'),
    ("sect", '\u{a7}'),
    ("shy", '\u{ad}'),
    ("spades", '\u{2660}'),
    ("sup1", '\u{b9}'),
    ("sup2", '\u{b2}'),
    ("sup3", '\u{b3}'),
    ("szlig", '\u{df}'),
    ("thinsp", '\u{2009}'),
    ("thorn", '\u{fe}'),
    ("tilde", '\u{2dc}'),
    ("times", '\u{d7}'),
    ("trade", '\u{2122}'),
    ("uacute", '\u{fa}'),
    ("uarr", '\u{2191}'),
    ("ucirc", '\u{fb}'),
    ("ugrave", '\u{f9}'),
    ("uml", '\u{a8}'),
    ("uuml", '\u{fc}'),
    ("yacute", '\u{fd}'),
    ("yen", '\u{a5}'),
    ("yuml", '\u{ff}'),
    ("zwj", '\u{200d}'),
    ("zwnj", '\u{200c}'),
];

/// HTML entities decoded: the XML five, numeric ones, and the named ones
/// hosts write. A numeric one is read as browsers read it: 128–159 as
/// windows-1252, what no text may hold as U+FFFD.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(|c: char| c == ';' || c == '&' || c.is_whitespace()).map(|e| e + 1);
        let entity = end.filter(|e| rest[*e..].starts_with(';')).map(|e| &rest[1..e]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16).ok().map(numeric),
            e if e.starts_with('#') => e[1..].parse().ok().map(numeric),
            e => NAMED.binary_search_by(|(n, _)| n.cmp(&e)).ok().map(|i| NAMED[i].1),
        });
        match (decoded, entity) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a numeric reference `&#n;` stands for, as HTML reads it:
/// 128–159 are windows-1252's (old blog posts write `&#146;` for ’), and
/// what no text may hold (NUL, other controls, a surrogate, U+FFFE, past
/// U+10FFFF) is U+FFFD, not a character that would make the feed invalid
/// XML or show as nothing.
fn numeric(n: u32) -> char {
    const CP1252: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ];
    let n = match n {
        0x80..=0x9F => u32::from(CP1252[(n - 0x80) as usize]),
        n => n,
    };
    match char::from_u32(n) {
        Some(c) if (crate::text::is_xml_char(c) && !c.is_control()) || matches!(c, '\t' | '\n' | '\r') => c,
        _ => '\u{fffd}',
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn numeric_references_are_read_as_browsers_read_them() {
        // windows-1252's in 128–159, as old blog posts write them.
        assert_eq!(decode("It&#146;s a 9&#150;5 job, &#147;they&#148; said &#x80;5"), "It’s a 9–5 job, “they” said €5");
        // What no text may hold is U+FFFD, never a NUL or a control that makes the feed invalid XML.
        for bad in ["&#0;", "&#1;", "&#x1F;", "&#x81;", "&#xD800;", "&#xFFFE;", "&#x110000;", "&#127;"] {
            assert_eq!(decode(bad), "\u{fffd}", "{bad}");
        }
        assert_eq!(decode("a&#9;b&#10;c&#233;&#x1F600;"), "a\tb\nc\u{e9}\u{1F600}");
        assert_eq!(decode("&#99999999999; &#x;"), "&#99999999999; &#x;");
    }
}
