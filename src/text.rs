//! Small text helpers shared by the pipeline: slugs, clock times, URL
//! checks and percent-encoding, XML character hygiene, "did you mean".

/// Lowercase hex of `bytes` (a digest's, for a record or a file name).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Edit distance counting a swap of two neighbours as one edit (optimal
/// string alignment), for "did you mean" suggestions: `titel` → `title` is 1.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// The edit distance of `a` and `b` if it is at most `max`. Strings whose
/// lengths differ by more than `max` are not compared at all: the distance
/// is at least that difference, and comparing costs the product of the
/// lengths (a 30 KB value against a table of names took seconds).
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.abs_diff(lb) > max {
        return None;
    }
    Some(edit_distance(a, b)).filter(|d| *d <= max)
}

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .filter_map(|c| Some((edit_distance_within(word, c, (c.len() / 3).max(1))?, *c)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The longest slug made from a title: a page address people can share
/// (and a folder name every file system takes).
pub const SLUG_MAX: usize = 80;
/// The longest slug a manifest may set by hand.
pub const SLUG_MAX_GIVEN: usize = 120;

/// Whether `slug` is one a page may be named by: a-z, 0-9, - and _ only
/// (its length is checked apart: [`SLUG_MAX_GIVEN`]).
pub fn is_plain_slug(slug: &str) -> bool {
    !slug.is_empty() && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A URL-safe slug from a title: lower-case ASCII letters, digits and `-`,
/// at most [`SLUG_MAX`] characters, cut at a word boundary. Any script is
/// transliterated (`Björn` → `bjorn`, `日本語` → `ri-ben-yu`).
pub fn slugify(title: &str) -> String {
    let mut out = slug::slugify(title);
    if out.len() > SLUG_MAX {
        // At the last word boundary that keeps most of it, else mid-word.
        let cut = out[..=SLUG_MAX].rfind('-').filter(|&i| i >= SLUG_MAX / 2).unwrap_or(SLUG_MAX);
        out.truncate(cut);
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// `s` as a whole number if it is written in plain digits: no sign, no
/// spaces (Rust's `parse` takes a leading `+`, which feeds may not write).
///
/// ```
/// assert_eq!(podsmith::text::whole_number::<u64>("1000"), Some(1000));
/// assert_eq!(podsmith::text::whole_number::<u64>("+1000"), None);
/// ```
pub fn whole_number<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// "s" unless `n` is 1: the plural of most nouns a message counts.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `n` of `noun`, as a sentence says it: "1 episode", "3 episodes" (for
/// nouns whose plural takes an "s").
///
/// ```
/// assert_eq!(podsmith::text::count(1, "episode"), "1 episode");
/// assert_eq!(podsmith::text::count(0, "media file"), "0 media files");
/// ```
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

/// Whole seconds as a listener reads them: `M:SS` under an hour, `H:MM:SS` above.
pub fn clock(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// `s` with its scheme in lower case (`HTTPS://x/` → `https://x/`):
/// schemes are case-insensitive (RFC 3986 §3.1), for checks written in
/// lower case.
pub fn lower_scheme(s: &str) -> std::borrow::Cow<'_, str> {
    match s.split_once("://") {
        Some((scheme, rest)) if scheme.bytes().any(|b| b.is_ascii_uppercase()) => {
            std::borrow::Cow::Owned(format!("{}://{rest}", scheme.to_ascii_lowercase()))
        }
        _ => std::borrow::Cow::Borrowed(s),
    }
}

/// True for an absolute `http://` or `https://` URL with a host and no
/// whitespace or control characters (the scheme in lower case, as podsmith
/// writes it; see [`lower_scheme`] for URLs read from elsewhere).
pub fn is_http_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Why `s` may not be published as a URL, if it may not: the strict check
/// for URLs a podcaster writes into the manifest (they end up in every feed
/// and page). An absolute `http(s)://` URL with a host name, no user name
/// or password, a port from 1 to 65535, and nothing that must be
/// percent-encoded (spaces, quotes, angle brackets …).
pub fn url_problem(s: &str) -> Option<String> {
    let Some((scheme, rest)) = s.split_once("://") else {
        return Some("is not an absolute URL; write it in full, starting with https://".into());
    };
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Some(format!("is a {scheme}: URL; podcast apps fetch only http(s)"));
    }
    if scheme != "https" && scheme != "http" {
        return Some(format!(
            "writes its scheme as \"{scheme}\"; write it in lower case: {}",
            scheme.to_ascii_lowercase()
        ));
    }
    if let Some(c) = s.chars().find(|c| c.is_control() || invisible(*c)) {
        return Some(format!("holds {}: take it out (it was likely pasted with the address)", describe_char(c)));
    }
    if let Some(c) = s.chars().find(|c| c.is_whitespace()) {
        return Some(format!("holds {}; write it percent-encoded (a space is %20)", describe_char(c)));
    }
    if let Some(c) = s.chars().find(|c| matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^')) {
        return Some(format!(
            "holds {}, which a URL may not carry as it is; write it percent-encoded (%{:02X})",
            describe_char(c),
            c as u32
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Some(
            "holds a user name or password (user:password@); it would be published in every feed and page: remove it, \
             and protect the files another way"
                .into(),
        );
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, after)) => (addr, after.strip_prefix(':')),
            None => return Some("has an IPv6 address without its closing ]".into()),
        },
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Some("has no host name (https://example.com/…)".into());
    }
    let v6 = authority.starts_with('[');
    let host_ok = if v6 {
        host.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') && !host.starts_with(['.', '-'])
    };
    if !host_ok {
        return Some(format!(
            "has the host name \"{host}\", which holds characters a host name cannot have (a name with accents is written in its xn-- form)"
        ));
    }
    if let Some(port) = port {
        match port.parse::<u32>() {
            Ok(1..=65535) => {}
            _ => return Some(format!("has the port \"{port}\"; a port is a number from 1 to 65535")),
        }
    }
    None
}

/// Why URL `s`, valid otherwise, cannot be the show's address, a cover's
/// or an enclosure's as written: it holds letters beyond ASCII, which
/// Apple takes only percent-encoded there (an IRI is not a URL to it).
/// The message gives the URL to write.
pub fn unencoded(s: &str) -> Option<String> {
    use std::fmt::Write;
    let c = s.chars().find(|c| !c.is_ascii())?;
    // (Pasted with the address, unseen: no file's name holds it.)
    if let Some(c) = s.chars().find(|c| invisible(*c)) {
        return Some(format!("holds an invisible character (U+{:04X}): take it out", u32::from(c)));
    }
    let mut encoded = String::with_capacity(s.len() * 2);
    for ch in s.chars() {
        match ch.is_ascii() {
            true => encoded.push(ch),
            false => {
                for b in ch.encode_utf8(&mut [0; 4]).bytes() {
                    let _ = write!(encoded, "%{b:02X}");
                }
            }
        }
    }
    Some(format!("holds \"{c}\", which Apple Podcasts takes only percent-encoded in this URL: write \"{encoded}\""))
}

/// Whether `c` shows as nothing: a zero-width space or joiner, a
/// direction mark, a soft hyphen, a byte-order mark.
fn invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '"' => "a double quote (\")".into(),
        '<' | '>' => format!("an angle bracket ({c})"),
        c if c.is_control() => format!("a control character (U+{:04X})", c as u32),
        c if invisible(c) => format!("an invisible character (U+{:04X})", c as u32),
        c if c.is_whitespace() => format!("white space (U+{:04X})", c as u32),
        c => format!("\"{c}\""),
    }
}

/// Percent-encodes a relative path for use in a URL, segment by segment:
/// everything but RFC 3986 unreserved characters and `/` is encoded, so the
/// result is plain ASCII as Apple asks.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A percent-encoded URL path decoded (`None` if it has a query, a
/// fragment, a bad escape or is not UTF-8 once decoded).
pub fn decode_path(path: &str) -> Option<String> {
    if path.contains(['?', '#']) {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// True for characters XML 1.0 allows in a document.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `s` holds a character XML 1.0 forbids (see
/// [`is_xml_char`]): a C0 control other than tab, line feed and
/// carriage return, or U+FFFE or U+FFFF (a `str` holds no surrogate).
/// Told from the bytes, without decoding: a big show's notes are megabytes.
pub fn has_invalid_xml(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().any(|&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'))
        || memchr::memmem::find_iter(b, b"\xEF\xBF").any(|i| matches!(b.get(i + 2), Some(0xBE | 0xBF)))
}

/// Whether `c` may stand in text podsmith writes: a character XML 1.0
/// allows ([`is_xml_char`]) that is not one of the controls HTML forbids
/// (DEL and the C1 controls, U+007F–U+009F: XML allows them, but a page
/// holding one is not valid HTML and shows a box or nothing).
pub fn is_text_char(c: char) -> bool {
    is_xml_char(c) && !('\u{7f}'..='\u{9f}').contains(&c)
}

/// Whether `s` holds a character [`is_text_char`] refuses. Told from the
/// bytes, without decoding.
pub fn has_control(s: &str) -> bool {
    // Every string of a manifest is looked at as it is read (a big show's
    // notes are megabytes): first, a block at a time, whether any byte could
    // start one (a C0 control, DEL, the lead byte of a C1 control or of
    // U+FFFE/U+FFFF), without a branch a byte, which the compiler makes a
    // few instructions per 16 or 32 bytes; then where one could, exactly.
    let maybe = |block: &[u8]| {
        block.iter().fold(false, |any, &c| {
            any | ((c < 0x20) & (c != b'\t') & (c != b'\n') & (c != b'\r')) | (c == 0x7F) | (c == 0xC2) | (c == 0xEF)
        })
    };
    let b = s.as_bytes();
    if !b.chunks(4096).any(maybe) {
        return false;
    }
    has_invalid_xml(s)
        || memchr::memchr(0x7F, b).is_some()
        || memchr::memchr_iter(0xC2, b).any(|i| matches!(b.get(i + 1), Some(0x80..=0x9F)))
}

/// `s` in double quotes, as a message names a title: a `"` or `\` in it
/// escaped (`\"`, `\\`), and a control character as Rust writes it
/// (`\u{1b}`), so that where the title ends is plain to see.
///
/// ```
/// assert_eq!(podsmith::text::quoted("Ep \"quoted\" 🎙 don't"), r#""Ep \"quoted\" 🎙 don't""#);
/// ```
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_debug()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` as a message shows a value of a show's files unquoted (a URL): each
/// control character as Rust writes it (`\t`, `\u{1b}`), never sent to the
/// terminal as it is.
///
/// ```
/// assert_eq!(podsmith::text::shown("jav\tascript:a"), r"jav\tascript:a");
/// ```
pub fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c.is_control() {
            true => out.extend(c.escape_debug()),
            false => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Where in `text` (Markdown, HTML) the value `decoded` was written, though
/// it may have been written with character references (`jav&#x09;ascript:`):
/// where it is as it is, else where the longest start of it (three
/// characters at least) is; `None` if neither is.
///
/// ```
/// let notes = "# Title\n\n[x](jav&#x09;ascript:a)";
/// assert_eq!(podsmith::text::written_at(notes, "jav\tascript:a"), Some(13));
/// ```
pub fn written_at(text: &str, decoded: &str) -> Option<usize> {
    if let Some(at) = text.find(decoded) {
        return Some(at);
    }
    let ends: Vec<usize> = decoded.char_indices().map(|(i, _)| i).skip(3).collect();
    ends.into_iter().rev().find_map(|end| text.find(&decoded[..end]))
}

/// An episode as a message names it: `episode "Its title"`, the title
/// [`quoted`].
///
/// ```
/// assert_eq!(podsmith::text::episode_place(r#"He said "hi" \o/"#), r#"episode "He said \"hi\" \\o/""#);
/// ```
pub fn episode_place(title: &str) -> String {
    format!("episode {}", quoted(title))
}

/// What [`quoted`] was given, back from what it made; `None` for text it
/// cannot have made (no quotes around it, an unescaped `"` inside, an
/// escape it does not write).
pub fn unquoted(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => out.push(match chars.next()? {
                c @ ('"' | '\\' | '\'') => c,
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                '0' => '\0',
                'u' => {
                    let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                }
                _ => return None,
            }),
            c => out.push(c),
        }
    }
    Some(out)
}

/// Removes the characters [`is_text_char`] refuses (control characters
/// pasted from elsewhere). Returns the cleaned text and how many were
/// removed.
pub fn strip_control(s: &str) -> (String, usize) {
    if !has_control(s) {
        return (s.to_string(), 0);
    }
    let cleaned: String = s.chars().filter(|c| is_text_char(*c)).collect();
    let removed = s.chars().count() - cleaned.chars().count();
    (cleaned, removed)
}

/// The direction of `s` by most of its words (each by its first letter),
/// where it is not that of its first letter, by which a browser lays out
/// an isolate (`<bdi>`, `dir="auto"`): a Hebrew title that opens with
/// "CoreDNS" is right to left (`rtl`), an Arabic one of mostly English
/// words left to right (`ltr`). `None` where the first letter tells.
pub fn direction(s: &str) -> Option<&'static str> {
    let rtl = |c: char| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF);
    let of = |w: &str| w.chars().find(|c| c.is_alphabetic()).map(rtl);
    let words: Vec<bool> = s.split_whitespace().filter_map(of).collect();
    let first = *words.first()?;
    let right = words.iter().filter(|r| **r).count();
    let most = match right * 2 {
        n if n > words.len() => true,
        n if n < words.len() => false,
        _ => first,
    };
    (most != first).then_some(if most { "rtl" } else { "ltr" })
}

/// `s` with the bidirectional embeddings, overrides and isolates it opens
/// and leaves open closed at its end (U+202C, U+2069), and how many;
/// `None` if it leaves none open. One left open turns the text after it
/// around wherever `s` is shown: a page's title read the show's name
/// after an episode's backwards, a line of `podsmith list` the columns
/// after it. (Closers without an opener change nothing: they stay.)
pub fn close_bidi(s: &str) -> Option<(String, usize)> {
    // Whether each open one is an isolate (else an embedding or override).
    let mut open: Vec<bool> = Vec::new();
    for c in s.chars() {
        match c {
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => open.push(false),
            '\u{202C}' if open.last() == Some(&false) => {
                open.pop();
            }
            '\u{2066}'..='\u{2068}' => open.push(true),
            // An isolate's end ends what was opened in it too.
            '\u{2069}' => {
                if let Some(at) = open.iter().rposition(|&isolate| isolate) {
                    open.truncate(at);
                }
            }
            _ => {}
        }
    }
    if open.is_empty() {
        return None;
    }
    let mut closed = s.to_string();
    closed.extend(open.iter().rev().map(|&isolate| if isolate { '\u{2069}' } else { '\u{202C}' }));
    Some((closed, open.len()))
}

/// At most `max` characters of `s`, with `…` when cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// An ISO 639 language code (ISO 639-1's two letters, or 639-3's three),
/// optionally with region subtags (`en`, `en-us`, `de-CH`).
pub fn is_language_code(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    let known = match lang.len() {
        2 => isolang::Language::from_639_1(&lang).is_some(),
        3 => isolang::Language::from_639_3(&lang).is_some(),
        _ => false,
    };
    known && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The region subtags a language code may carry: the ISO 3166-1 alpha-2
/// codes assigned to countries and territories (249, as Debian's
/// iso-codes 4.15.0 lists them), and the three BCP 47 adds (EU, EZ, UN).
/// (A region of three digits, a UN M.49 area such as `es-419`, is taken as
/// it is.)
const REGIONS: [&str; 252] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "EU", "EZ", "FI", "FJ", "FK", "FM", "FO",
    "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW",
    "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR",
    "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
    "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR",
    "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE",
    "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR",
    "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT",
    "TV", "TW", "TZ", "UA", "UG", "UM", "UN", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS",
    "YE", "YT", "ZA", "ZM", "ZW",
];

/// Whether `s` is a country's (or territory's) ISO 3166-1 alpha-2 code,
/// in any case.
pub fn is_country_code(s: &str) -> bool {
    s.len() == 2
        && !["EU", "EZ", "UN"].iter().any(|r| r.eq_ignore_ascii_case(s))
        && REGIONS.binary_search(&s.to_ascii_uppercase().as_str()).is_ok()
}

/// A language code whose region subtag (two letters, after the language
/// and any script) is no country's: the subtag as written, and the code
/// to write instead (`en-uk` → `en-gb`, the United Kingdom's ISO code; any
/// other, the code without its region).
pub fn bad_region(s: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = s.split('-').collect();
    // Subtags after a one-letter one are an extension's, not a region.
    let end = parts.iter().position(|p| p.len() == 1).unwrap_or(parts.len());
    let at = (1..end).find(|&i| parts[i].len() == 2 && parts[i].bytes().all(|b| b.is_ascii_alphabetic()))?;
    let region = parts[at];
    if REGIONS.binary_search(&region.to_ascii_uppercase().as_str()).is_ok() {
        return None;
    }
    let mut fixed: Vec<String> = parts.iter().map(|p| (*p).to_string()).collect();
    match region.eq_ignore_ascii_case("uk") {
        true => fixed[at] = if region == "UK" { "GB".into() } else { "gb".into() },
        false => {
            fixed.remove(at);
        }
    }
    Some((region.to_string(), fixed.join("-")))
}

/// The first subtag of language tag `s` that is in no place BCP 47 (RFC
/// 5646 §2.1) allows after the language, in order: a script (four
/// letters), a region (two letters or three digits), variants (five to
/// eight letters or digits, or four starting with a digit), then
/// extensions (a one-letter subtag and what follows it). With the tag cut
/// to its language and a region that is a country's, the fix.
/// (`fr-fr-fr`: the third `fr` is none of those.)
pub fn misplaced_subtag(s: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = s.split('-').collect();
    let alpha = |p: &str| p.bytes().all(|b| b.is_ascii_alphabetic());
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mut stage = 0; // 1 script, 2 region, 3 variants
    let mut extlangs = 0;
    for (i, p) in parts.iter().enumerate().skip(1) {
        if p.len() == 1 {
            return None; // an extension or private use: left as it is
        }
        // Up to three extended language subtags right after a language of
        // two or three letters (`zh-yue`, `zh-cmn-Hans-CN`).
        if stage == 0 && extlangs < 3 && i == extlangs + 1 && parts[0].len() <= 3 && p.len() == 3 && alpha(p) {
            extlangs += 1;
            continue;
        }
        let next = match () {
            _ if stage < 1 && p.len() == 4 && alpha(p) => 1,
            _ if stage < 2 && ((p.len() == 2 && alpha(p)) || (p.len() == 3 && digits(p))) => 2,
            _ if (5..=8).contains(&p.len()) || (p.len() == 4 && p.as_bytes()[0].is_ascii_digit()) => 3,
            _ => {
                let kept: Vec<&str> = std::iter::once(parts[0])
                    .chain(parts[1..i].iter().copied().filter(|r| r.len() == 2 && is_country_code(r)))
                    .collect();
                return Some(((*p).to_string(), kept.join("-")));
            }
        };
        stage = next;
    }
    None
}

/// The same language code with its two-letter primary subtag, where `s`
/// starts with an ISO 639 three-letter code that has one (`eng-GB` →
/// `en-GB`): Apple takes two letters, and BCP 47 (RFC 5646 §2.2.1) the
/// shortest code. `None` for any other code.
pub fn two_letter_form(s: &str) -> Option<String> {
    let (lang, rest) = s.split_once('-').map_or((s, None), |(l, r)| (l, Some(r)));
    if lang.len() != 3 {
        return None;
    }
    let two = isolang::Language::from_639_3(&lang.to_ascii_lowercase())?.to_639_1()?;
    Some(rest.map_or(two.to_string(), |r| format!("{two}-{r}")))
}

/// A plausible e-mail address (one `@`, a dotted domain, no spaces).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ':' | '/'))
        && !domain.contains('@')
}

/// A UUID in its 36-character hyphenated form.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

/// What is wrong with `rule` as the RFC 5545 recurrence rule of a
/// `podcast:updateFrequency` (`dtstart`: the one given beside it), if
/// anything: it is `KEY=VALUE` parts joined by `;`, with a FREQ; a rule
/// that counts its releases (COUNT) needs the date they count from; an
/// UNTIL is a date (`20261231`) or a date and time (`20261231T090000Z`),
/// the same as the dtstart (RFC 5545 3.3.10).
pub fn rrule_problem(rule: &str, dtstart: Option<&str>) -> Option<&'static str> {
    const FREQS: &[&str] = &["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
    let parts: Option<Vec<(&str, &str)>> =
        rule.split(';').map(|p| p.split_once('=').filter(|(k, v)| !k.is_empty() && !v.is_empty())).collect();
    let Some(parts) = parts else { return Some("not an RFC 5545 rule (KEY=VALUE;…)") };
    let has = |key: &str| parts.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| *v);
    if !has("FREQ").is_some_and(|f| FREQS.iter().any(|x| x.eq_ignore_ascii_case(f))) {
        return Some("an RFC 5545 rule with no FREQ (DAILY, WEEKLY, MONTHLY …)");
    }
    if has("COUNT").is_some() && dtstart.is_none() {
        return Some("a rule that counts its releases (COUNT) with no dtstart to count from");
    }
    if let Some(until) = has("UNTIL") {
        let digits = |s: &str| s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit());
        let timed = match until.split_once(['T', 't']) {
            None => digits(until),
            Some((date, time)) => {
                let time = time.strip_suffix(['Z', 'z']).unwrap_or(time);
                digits(date) && time.len() == 6 && time.bytes().all(|b| b.is_ascii_digit())
            }
        };
        if !timed {
            return Some("a rule whose UNTIL is not a date (20261231) or a date and time (20261231T090000Z)");
        }
        if dtstart.is_some_and(|d| d.contains(['T', 't']) != until.contains(['T', 't'])) {
            return Some(
                "a rule whose UNTIL and dtstart are not both dates, or both dates and times (RFC 5545 asks for the \
                 same form)",
            );
        }
    }
    None
}

/// What is wrong with `address` as the address of a `podcast:valueRecipient`
/// of type `kind`, if anything: a node's is its public key (66 hex digits,
/// 02 or 03 first), a Lightning address is `name@domain`; the addresses of
/// other types are not known to podsmith.
pub fn recipient_address_problem(kind: &str, address: &str) -> Option<&'static str> {
    let a = address.trim();
    match kind.trim() {
        "node" => {
            let key = a.len() == 66 && (a.starts_with("02") || a.starts_with("03"));
            (!(key && a.bytes().all(|b| b.is_ascii_hexdigit())))
                .then_some("is not a node's public key (66 hex digits, 02 or 03 first)")
        }
        "lnaddress" => (!is_email(a)).then_some("is not a Lightning address (name@domain)"),
        _ => None,
    }
}

/// Whether `s` is an amount: a decimal number, zero or more (`0.00000005000`).
pub fn is_amount(s: &str) -> bool {
    let s = s.trim();
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction)
}

/// An ISO 8601 date (`2026-01-05`) or date and time (RFC 3339).
pub fn is_iso_date(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() || chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[cfg(test)]
mod tests {
    /// A title's direction is that of most of its words, where its first
    /// letter would say the other.
    #[test]
    fn a_direction_is_that_of_most_words() {
        assert_eq!(direction("CoreDNS 1.0 \u{2014} \u{5de}\u{5d4} \u{5d7}\u{5d3}\u{5e9}?"), Some("rtl"));
        assert_eq!(direction("\u{645}\u{642}\u{62f}\u{645}\u{629} about Kubernetes"), Some("ltr"));
        assert_eq!(direction("\u{645}\u{642}\u{62f}\u{645}\u{629} CoreDNS!"), None);
        assert_eq!(direction("Intro \u{5de}\u{5d4}"), None);
        assert_eq!(direction("1.0 \u{2014} 2.0"), None);
    }

    use super::*;

    /// A title read back from its quoted form is itself, whatever it holds;
    /// text `quoted` cannot have made is not read.
    #[test]
    fn a_quoted_title_reads_back_as_itself() {
        for title in ["plain", r#"He said "hi" \o/"#, "a\ttab\nline\u{1b}[31m\u{85}", "\\\"", "", "don't 🎙"] {
            assert_eq!(unquoted(&quoted(title)).as_deref(), Some(title), "{}", quoted(title));
        }
        for not in ["plain", r#""a "b" c""#, r#""ends \""#, r#""\q""#, "\"", r#""\u{zz}""#] {
            assert_eq!(unquoted(not), None, "{not}");
        }
    }

    #[test]
    fn bidi_marks_left_open_are_closed_at_the_end() {
        assert_eq!(close_bidi("plain"), None);
        assert_eq!(close_bidi("a \u{202E}b\u{202C} c"), None);
        assert_eq!(close_bidi("Bidi \u{202E}evil"), Some(("Bidi \u{202E}evil\u{202C}".into(), 1)));
        // An isolate's end ends the override opened in it.
        assert_eq!(close_bidi("\u{2067}a\u{202E}b\u{2069}"), None);
        assert_eq!(
            close_bidi("\u{202B}a\u{2068}b\u{202D}c"),
            Some(("\u{202B}a\u{2068}b\u{202D}c\u{202C}\u{2069}\u{202C}".into(), 3))
        );
        // A PDF inside an isolate does not end the embedding around it.
        assert_eq!(
            close_bidi("\u{202A}a\u{2066}\u{202C}"),
            Some(("\u{202A}a\u{2066}\u{202C}\u{2069}\u{202C}".into(), 2))
        );
    }

    #[test]
    fn an_update_rule_has_a_freq_and_a_start_if_it_counts() {
        assert_eq!(rrule_problem("FREQ=WEEKLY", None), None);
        assert_eq!(rrule_problem("freq=monthly;BYMONTHDAY=1", None), None);
        assert_eq!(rrule_problem("FREQ=DAILY;COUNT=10", Some("2026-01-05")), None);
        assert_eq!(rrule_problem("WEEKLY", None), Some("not an RFC 5545 rule (KEY=VALUE;…)"));
        assert_eq!(rrule_problem("FREQ=WEEKLY;", None), Some("not an RFC 5545 rule (KEY=VALUE;…)"));
        assert_eq!(rrule_problem("INTERVAL=2", None), Some("an RFC 5545 rule with no FREQ (DAILY, WEEKLY, MONTHLY …)"));
        assert_eq!(
            rrule_problem("FREQ=FORTNIGHTLY", None),
            Some("an RFC 5545 rule with no FREQ (DAILY, WEEKLY, MONTHLY …)")
        );
        assert_eq!(
            rrule_problem("FREQ=DAILY;COUNT=10", None),
            Some("a rule that counts its releases (COUNT) with no dtstart to count from")
        );
        assert!(is_iso_date("2026-01-05") && is_iso_date("2023-04-01T00:00:00.000Z"));
        assert!(!is_iso_date("April") && !is_iso_date("2026-01-05T09:00:00"));
    }

    #[test]
    fn a_language_codes_parts_are_where_bcp_47_has_them() {
        for ok in
            ["en", "en-us", "zh-Hant-TW", "es-419", "de-CH-1996", "sr-Latn", "de-x-uk", "en-a-bbb-x-c", "sl-rozaj"]
        {
            assert_eq!(misplaced_subtag(ok), None, "{ok}");
        }
        assert_eq!(misplaced_subtag("fr-fr-fr"), Some(("fr".into(), "fr-fr".into())));
        assert_eq!(misplaced_subtag("en-xx-yy-zz-aa"), Some(("yy".into(), "en".into())));
        assert_eq!(misplaced_subtag("en-Latn-Cyrl"), Some(("Cyrl".into(), "en".into())));
        // Extended language subtags (RFC 5646 §2.2.2).
        assert_eq!(misplaced_subtag("zh-yue"), None);
        assert_eq!(misplaced_subtag("zh-cmn-Hans-CN"), None);
    }

    #[test]
    fn a_region_is_a_countrys_code() {
        for ok in ["en", "en-us", "en-GB", "fr-ch", "es-419", "zh-Hant-TW", "en-eu", "de-x-uk", "sr-Latn"] {
            assert_eq!(bad_region(ok), None, "{ok}");
        }
        assert_eq!(bad_region("en-uk"), Some(("uk".into(), "en-gb".into())));
        assert_eq!(bad_region("en-UK"), Some(("UK".into(), "en-GB".into())));
        assert_eq!(bad_region("en-en"), Some(("en".into(), "en".into())));
        assert_eq!(bad_region("zh-Hant-xx"), Some(("xx".into(), "zh-Hant".into())));
        assert!(REGIONS.windows(2).all(|w| w[0] < w[1]), "sorted, for the binary search");
        assert!(is_country_code("de") && is_country_code("GB") && is_country_code("AX"));
        assert!(!is_country_code("uk") && !is_country_code("EU") && !is_country_code("xx") && !is_country_code("usa"));
    }

    #[test]
    fn e_mail_addresses_are_the_address_alone() {
        for ok in ["ann@example.com", "ann.b+podcast@mail.example.co.uk"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in ["mailto:ann@example.com", "ann@example", "Ann <ann@example.com>", "ann@exa/mple.com", "@x.com"] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn slugs_fold_accents_and_punctuation() {
        assert_eq!(slugify("Björn Rabenstein, Prometheus/SoundCloud"), "bjorn-rabenstein-prometheus-soundcloud");
        assert_eq!(slugify("  Ep. 1: <Hello> & \"World\"!  "), "ep-1-hello-world");
        assert_eq!(slugify("Straße, Æsir, Œuvre, Ça, Über"), "strasse-aesir-oeuvre-ca-uber");
        assert_eq!(slugify("???"), "");
    }

    #[test]
    fn slugs_transliterate_any_script() {
        assert_eq!(slugify("日本語のポッドキャスト"), "ri-ben-yu-nopotudokiyasuto");
        assert_eq!(slugify("中文播客"), "zhong-wen-bo-ke");
        assert_eq!(slugify("Подкаст о Rust"), "podkast-o-rust");
    }

    #[test]
    fn long_titles_make_slugs_cut_at_a_word() {
        let title = "A very long title ".repeat(20);
        let slug = slugify(&title);
        assert!(slug.len() <= SLUG_MAX && slug.len() >= SLUG_MAX / 2, "{slug}");
        assert!(title.to_lowercase().replace(' ', "-").starts_with(&format!("{slug}-")), "{slug}");
        let one_word = "x".repeat(300);
        assert_eq!(slugify(&one_word), "x".repeat(SLUG_MAX));
    }

    #[test]
    fn clock_switches_to_hours_at_one_hour() {
        assert_eq!(clock(910), "15:10");
        assert_eq!(clock(59), "0:59");
        assert_eq!(clock(3599), "59:59");
        assert_eq!(clock(3600), "1:00:00");
        assert_eq!(clock(3725), "1:02:05");
    }

    #[test]
    fn http_urls_need_a_scheme_and_host() {
        assert!(is_http_url("https://example.com"));
        assert!(is_http_url("http://example.com/a?b=1&c=2"));
        assert!(!is_http_url("ftp://example.com/"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("https://exa mple.com/"));
        assert!(!is_http_url("example.com"));
    }

    #[test]
    fn urls_that_must_not_be_published_are_explained() {
        assert_eq!(url_problem("https://example.com/podcast/"), None);
        assert_eq!(url_problem("http://127.0.0.1:8080/a?b=1&c=%20#x"), None);
        assert_eq!(url_problem("https://[::1]:443/"), None);
        let problem = |u: &str| url_problem(u).unwrap_or_default();
        assert!(problem("https://ann:secret@example.com/").starts_with("holds a user name or password"));
        assert!(problem("https://@example.com/").starts_with("holds a user name or password"));
        assert_eq!(problem("https://example.com:70000/"), "has the port \"70000\"; a port is a number from 1 to 65535");
        assert_eq!(problem("https://example.com:0/"), "has the port \"0\"; a port is a number from 1 to 65535");
        assert!(
            problem("https://example.com/a\"onload=\"x")
                .starts_with("holds a double quote (\"), which a URL may not carry")
        );
        assert!(problem("https://example.com/<script>").starts_with("holds an angle bracket (<)"));
        assert!(problem("https://example.com/my show/").starts_with("holds a space"));
        assert!(problem("ftp://example.com/").starts_with("is a ftp: URL"));
        assert!(problem("HTTPS://example.com/").starts_with("writes its scheme as \"HTTPS\""));
        assert!(problem("https:///path").starts_with("has no host name"));
        assert!(problem("https://exa_mple.com/").starts_with("has the host name \"exa_mple.com\""));
        assert!(problem("example.com/podcast").starts_with("is not an absolute URL"));
    }

    #[test]
    fn paths_are_percent_encoded_per_byte() {
        assert_eq!(encode_path("media/ep 1 & más.mp3"), "media/ep%201%20%26%20m%C3%A1s.mp3");
        assert_eq!(encode_path("media/a-b_c.d~e.mp3"), "media/a-b_c.d~e.mp3");
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(strip_control("a\u{1}b\u{8}c\td\u{FFFE}"), ("abc\td".to_string(), 3));
        assert_eq!(strip_control("plain"), ("plain".to_string(), 0));
        // DEL and the C1 controls (XML allows them, HTML does not); not the Latin-1 letters after them.
        assert_eq!(strip_control("a\u{7f}b\u{85}c\u{9f}d\u{a0}é"), ("abcd\u{a0}é".to_string(), 3));
        assert!(!has_control("déjà vu ✓ \u{a0}") && has_control("\u{80}") && has_control("x\u{7f}"));
    }

    #[test]
    fn invalid_xml_is_told_from_the_bytes_as_from_the_characters() {
        // Every character, alone and between others.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let alone = c.to_string();
            assert_eq!(has_invalid_xml(&alone), !is_xml_char(c), "{:?}", c);
            assert_eq!(has_control(&alone), !is_text_char(c), "{:?}", c);
            if !c.is_ascii() && (c as u32).is_multiple_of(97) {
                let among = format!("é{c}\u{FFFD}x");
                assert_eq!(has_invalid_xml(&among), !is_xml_char(c), "{:?}", c);
            }
        }
        assert!(!has_invalid_xml("Notes with \u{FFBF} and \u{EFBF}, tabs\t and lines\r\n"));
        assert!(has_invalid_xml("ends with \u{FFFF}"));
    }

    #[test]
    fn language_codes_come_from_iso_639() {
        for ok in ["en", "en-us", "de-CH", "fil", "haw", "pt-BR"] {
            assert!(is_language_code(ok), "{ok}");
        }
        for bad in ["zz", "xx-us", "english", "e", "qqq", "en-", ""] {
            assert!(!is_language_code(bad), "{bad}");
        }
        // Three letters where two say the same: the two are preferred.
        assert_eq!(two_letter_form("eng").as_deref(), Some("en"));
        assert_eq!(two_letter_form("DEU-ch").as_deref(), Some("de-ch"));
        assert_eq!(two_letter_form("fil"), None, "Filipino has no two-letter code");
        assert_eq!(two_letter_form("en-us"), None);
        assert_eq!(two_letter_form("qqq"), None);
        assert!(is_uuid("0b8a5cda-7f2c-4d8f-9d0e-0c4a3b8d2f11"));
        assert!(!is_uuid("0b8a5cda7f2c4d8f9d0e0c4a3b8d2f11"), "only the hyphenated form");
        assert!(!is_uuid("0b8a5cda-7f2c-4d8f-9d0e-0c4a3b8d2f1g"));
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(did_you_mean("titel", &["title", "date"]), Some("title"));
        assert_eq!(did_you_mean("zzz", &["title", "date"]), None);
        // Lengths further apart than the allowed distance are not compared.
        assert_eq!(edit_distance_within("titel", "title", 1), Some(1));
        assert_eq!(edit_distance_within(&"e".repeat(30_000), "Technology", 3), None);
        assert_eq!(did_you_mean(&"e".repeat(30_000), &["title", "date"]), None);
        assert_eq!(edit_distance("noets", "notes"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
