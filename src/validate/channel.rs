//! Document-level and channel rules (XML-*, RSS-*, APPLE-CH-*, SPOT-CH-*, …).

use super::rules::{RuleId, id};
use super::xml::{self, Doc, KNOWN_NAMESPACES, Node, Ns};
use super::{Cx, Finding, Findings, Severity, Where, dates};
use crate::manifest::categories;
use crate::text::{is_email, is_http_url, is_language_code, truncate_chars, two_letter_form};

/// Apple's limit for most tags, in characters.
pub const TAG_LIMIT: usize = 255;
/// Apple's limit for descriptions, in bytes.
pub const DESCRIPTION_LIMIT: usize = 4000;

/// Rules about the document as a whole: declaration, encoding, namespaces.
pub fn document(doc: &Doc, bytes: &[u8], out: &mut Findings) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !doc.declaration_first {
        let trimmed = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
        // Anything before the declaration makes the file unparseable; a
        // missing declaration is legal XML (UTF-8 is the default), and big
        // Podcasting 2.0 feeds without one are listed by Apple: a warning.
        let (message, line, severity) = match doc.declaration_line {
            Some(_) if is_declaration(&body[trimmed..]) => (
                "there is whitespace before the <?xml …?> declaration (Apple: \"Can't parse your feed\")".to_string(),
                1 + body[..trimmed].iter().filter(|&&b| b == b'\n').count(),
                Severity::Error,
            ),
            Some(at) => (
                format!(
                    "something comes before the <?xml …?> declaration of line {at}: {} (Apple: \"Can't parse your feed\")",
                    match &body[trimmed..] {
                        b if b.starts_with(b"<!--") => "a comment",
                        b if b.starts_with(b"<?") => "a processing instruction",
                        _ => "text or markup",
                    }
                ),
                1 + body[..trimmed].iter().filter(|&&b| b == b'\n').count(),
                Severity::Error,
            ),
            None => (
                "the feed has no <?xml version=\"1.0\" encoding=\"UTF-8\"?> declaration".to_string(),
                1,
                Severity::Warning,
            ),
        };
        out.push(
            Finding::new(
                id::XML_DECL_FIRST,
                Where::Line(line),
                message,
                "make <?xml version=\"1.0\" encoding=\"UTF-8\"?> the very first bytes of the file",
            )
            .severity(severity),
        );
    }
    if let Some(enc) = &doc.encoding
        && !enc.eq_ignore_ascii_case("utf-8")
    {
        out.push(Finding::new(
            id::XML_UTF8,
            Where::Line(1),
            format!("the feed declares encoding=\"{enc}\""),
            "write the feed as UTF-8 and declare encoding=\"UTF-8\"",
        ));
    }
    namespaces(doc, out);
    let root = &doc.nodes[0];
    if root.is(&Ns::Rss, "rss") && root.attr("version") != Some("2.0") {
        out.push(Finding::new(
            id::RSS_ROOT,
            Where::Line(root.line),
            match root.attr("version") {
                Some(v) => format!("<rss> has version=\"{}\"", crate::text::truncate_chars(v, 40)),
                None => "<rss> has no version attribute".to_string(),
            },
            "write <rss version=\"2.0\" …>",
        ));
    }
}

/// Every known namespace bound to its exact URI, every prefix declared.
fn namespaces(doc: &Doc, out: &mut Findings) {
    for (prefix, uri, line) in &doc.declarations {
        let expected = KNOWN_NAMESPACES.iter().find(|(p, _)| *p == &**prefix).map(|(_, u)| *u);
        let miscased = KNOWN_NAMESPACES.iter().find(|(_, u)| u.eq_ignore_ascii_case(uri) && *u != uri);
        // (By its URI, whatever the prefix: the tags of either are read as
        // the namespace's, so the URI must be said.)
        // The podcast namespace at another address that is read as it: with
        // http (Podcast Index reads it, apps that match it exactly do not),
        // or the older one (readers must accept it).
        let other_address = match &**uri {
            xml::PODCAST_HTTP => Some((
                Severity::Warning,
                "written with http: Podcast Index reads it, apps that match the URI exactly do not",
            )),
            xml::PODCAST_ALT => Some((
                Severity::Info,
                "at its older address: readers must accept it, but it is no longer the namespace's own",
            )),
            _ => None,
        };
        if let Some((severity, what)) = other_address {
            out.push(
                Finding::new(
                    id::XML_NS_EXACT,
                    Where::Line(*line),
                    format!("xmlns:{prefix}=\"{uri}\" is the podcast namespace {what}"),
                    format!("write xmlns:{prefix}=\"{}\" exactly", xml::PODCAST),
                )
                .severity(severity),
            );
            continue;
        }
        let wrong = match expected {
            Some(xml::PODCAST) => uri != xml::PODCAST && uri != xml::PODCAST_ALT,
            Some(e) => uri != e,
            None => false,
        };
        let https_itunes = (&**uri == xml::ITUNES_HTTPS).then_some(xml::ITUNES);
        if wrong || miscased.is_some() || https_itunes.is_some() {
            let right = expected.or(miscased.map(|(_, u)| *u)).or(https_itunes).unwrap_or_default();
            let name = if https_itunes.is_some() { "itunes" } else { prefix.as_ref() };
            let finding = Finding::new(
                id::XML_NS_EXACT,
                Where::Line(*line),
                format!("xmlns:{prefix}=\"{uri}\" is not the {name} namespace apps look for"),
                format!(
                    "write xmlns:{prefix}=\"{right}\" exactly (it is case-sensitive); apps ignore every {prefix}: tag otherwise"
                ),
            );
            // Without its atom:, media:, spotify: or psc: tags a feed still
            // lists and plays; without itunes: or podcast: it does not.
            out.push(match &**prefix {
                "atom" | "media" | "spotify" | "psc" => finding.severity(Severity::Warning),
                _ => finding,
            });
        }
    }
    undeclared_prefixes(doc, out);
}

/// XML-NS-DECLARED: prefixes used on elements or attributes but never
/// declared, each said once (the first few: a crafted feed may hold
/// thousands).
fn undeclared_prefixes(doc: &Doc, out: &mut Findings) {
    const MAX_SAID: usize = 5;
    let mut reported: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let on_elements = doc.nodes.iter().filter_map(|node| match node.ns {
        Ns::Undeclared(i) => {
            let prefix = &*doc.names[i as usize];
            Some((prefix, format!("<{prefix}:{}>", node.local), node.line, "elements"))
        }
        _ => None,
    });
    let on_attributes = doc
        .undeclared_attributes
        .iter()
        .map(|(prefix, name, line)| (&**prefix, format!("the attribute {name}"), *line, "attributes"));
    let mut more = 0;
    for (prefix, on, line, what) in on_elements.chain(on_attributes) {
        if !reported.insert(prefix) {
            continue;
        }
        if reported.len() > MAX_SAID {
            more += 1;
            continue;
        }
        let fix = KNOWN_NAMESPACES
            .iter()
            .find(|(p, _)| *p == prefix)
            .map(|(p, u)| format!("add xmlns:{p}=\"{u}\" to the <rss> element"))
            .unwrap_or_else(|| format!("declare xmlns:{prefix}=\"…\" on <rss>, or remove the {prefix}: {what}"));
        out.push(Finding::new(
            id::XML_NS_DECLARED,
            Where::Line(line),
            format!("the prefix `{prefix}:` (on {on}) is used but never declared"),
            fix,
        ));
    }
    if more > 0 {
        out.push(Finding::new(
            id::XML_NS_DECLARED,
            Where::Document,
            format!("{more} more prefixes are used but never declared"),
            "declare each prefix the feed uses on <rss>, or remove what uses it",
        ));
    }
}

/// Channel rules.
pub fn check(cx: &mut Cx<'_>) {
    self_link(cx);
    required(cx);
    cover(cx);
    language(cx);
    explicit(cx);
    people(cx);
    show_type(cx);
    apple_flags(cx);
    lengths(cx);
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    let has_episode = cx.facts.iter().any(|f| f.enclosure.is_some());
    if !has_episode {
        cx.push(Finding::new(
            id::APPLE_CH_HASEPISODE,
            at(None),
            "the feed has no item with an enclosure: there is nothing to listen to",
            "publish at least one episode (Apple and Spotify require one)",
        ));
    }

    for name in ["lastBuildDate", "pubDate"] {
        if let Some(d) = cx.child(ch, &Ns::Rss, name) {
            date_rule(cx, id::RSS_DATE, d, at(Some(d)));
        }
    }
    duplicates(cx, ch, at(None), CHANNEL_SINGLES);
    spotify(cx);
    if cx.child(ch, &Ns::Podcast, "guid").is_none() || cx.child(ch, &Ns::Podcast, "locked").is_none() {
        let missing: Vec<&str> =
            ["guid", "locked"].into_iter().filter(|n| cx.child(ch, &Ns::Podcast, n).is_none()).collect();
        cx.push(Finding::new(
            id::PSP_CH_REC,
            at(None),
            format!("the channel has no {}", missing.iter().map(|m| format!("<podcast:{m}>")).collect::<Vec<_>>().join(" or ")),
            "add them: podcast:guid identifies the show across moves, podcast:locked guards it from being imported elsewhere",
        ));
    }
    protocols(cx);
    placeholders(cx);
}

/// The folder URL of the feed, from its `atom:link rel="self"`, ending in `/`.
pub fn base(cx: &Cx<'_>) -> Option<String> {
    let link = cx.children(cx.channel, &Ns::Atom, "link").into_iter().find(|l| l.attr("rel") == Some("self"))?;
    let href = link.attr("href").filter(|h| is_http_url(h))?;
    Some(href.rsplit_once('/').map_or(href.to_string(), |(dir, _)| format!("{dir}/")))
}

/// `atom:link rel="self"`.
fn self_link(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    let selfs: Vec<&Node> =
        cx.children(ch, &Ns::Atom, "link").into_iter().filter(|l| l.attr("rel") == Some("self")).collect();
    match selfs.first() {
        None => cx.push(Finding::new(
            id::RSS_SELF,
            at(None),
            "the channel has no <atom:link rel=\"self\"> (W3C warns; Cast and PSP-1 call it an error)",
            "add <atom:link href=\"https://…/feed.xml\" rel=\"self\" type=\"application/rss+xml\"/>",
        )),
        Some(link) => match link.attr("href") {
            Some(href) if is_http_url(href) => {
                // Apple: a feed URL everyone can reach, with no password.
                super::items::host_rules(cx, href, at(Some(link)), "feed's own");
                if super::items::has_scheme(href, "http") {
                    cx.push(Finding::new(
                        id::APPLE_HOST_HTTPS,
                        at(Some(link)),
                        "the feed's own URL uses http://",
                        "serve the feed over https: Apple has announced secure feeds will be required",
                    ));
                }
            }
            other => cx.push(Finding::new(
                id::RSS_SELF,
                at(Some(link)),
                format!("atom:link rel=\"self\" has href=\"{}\", not the feed's absolute URL", other.unwrap_or("")),
                "give the full https:// address the feed is served from",
            )),
        },
    }
}

/// RSS 2.0's required elements, and Apple's rules on their values.
fn required(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    for name in ["title", "link", "description"] {
        if cx.child(ch, &Ns::Rss, name).is_none() {
            let finding = Finding::new(
                id::RSS_CH_REQ,
                at(None),
                format!("the channel has no <{name}>"),
                format!("add <{name}> to the channel: RSS 2.0 requires it"),
            );
            // Apple only recommends the show's web site; directories list a
            // feed without one (the W3C validator does not pass it).
            cx.push(match name {
                "link" => finding
                    .severity(Severity::Warning)
                    .help("add <link> with the show's web site: RSS 2.0 requires it, Apple recommends it"),
                _ => finding,
            });
        }
    }
    if let Some(title) = cx.child(ch, &Ns::Rss, "title") {
        if title.text.is_empty() {
            cx.push(Finding::new(
                id::APPLE_CH_TITLE,
                at(Some(title)),
                "the show title is empty",
                "give the show its name",
            ));
        } else if title.text.chars().count() > TAG_LIMIT {
            cx.push(
                Finding::new(
                    id::APPLE_CH_TITLE,
                    at(Some(title)),
                    format!("the show title is {} characters long", title.text.chars().count()),
                    "keep it to 255 characters at most: Apple may remove shows whose titles are keyword lists",
                )
                .severity(Severity::Warning),
            );
        }
    }
    if let Some(desc) = cx.child(ch, &Ns::Rss, "description") {
        if !desc.children.is_empty() {
            raw_html(cx, desc, at(Some(desc)), id::APPLE_CH_DESC);
        } else if desc.text.is_empty() || words_of_html(&desc.text).trim().is_empty() {
            cx.push(Finding::new(
                id::APPLE_CH_DESC,
                at(Some(desc)),
                match desc.text.is_empty() {
                    true => "the show description is empty",
                    false => "the show description is empty once its HTML tags are left out",
                },
                "describe the show in a few sentences: Apple requires it",
            ));
        } else if desc.text.len() > DESCRIPTION_LIMIT {
            cx.push(
                Finding::new(
                    id::APPLE_CH_DESC,
                    at(Some(desc)),
                    format!("the show description is {} bytes, over Apple's 4000", desc.text.len()),
                    "shorten it; Apple cuts or refuses longer descriptions",
                )
                .severity(Severity::Warning),
            );
        }
    }
    if let Some(link) = cx.child(ch, &Ns::Rss, "link")
        && !is_http_url(&link.text)
    {
        cx.push(Finding::new(
            id::APPLE_CH_LINK,
            at(Some(link)),
            format!("the channel link \"{}\" is not an http(s) URL", truncate_chars(&link.text, 80)),
            "link to the show's web page with its full https:// address",
        ));
    }
}

/// The cover art.
fn cover(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    match cx.child(ch, &Ns::Itunes, "image") {
        None => cx.push(Finding::new(
            id::APPLE_CH_IMAGE,
            at(None),
            "the channel has no <itunes:image> (an RSS <image> alone is not enough)",
            "add <itunes:image href=\"https://…/cover.jpg\"/> with 1400–3000 px square art",
        )),
        Some(img) => match img.attr("href") {
            None => cx.push(Finding::new(
                id::APPLE_CH_IMAGE,
                at(Some(img)),
                if img.text.is_empty() {
                    "<itunes:image> has no href attribute".to_string()
                } else {
                    "<itunes:image> has the URL as text; Apple reads only the href attribute".to_string()
                },
                "write <itunes:image href=\"https://…/cover.jpg\"/>",
            )),
            // (One with spaces is told so by the URL rules.)
            Some(href)
                if !is_http_url(&crate::text::lower_scheme(&href.trim().replace(char::is_whitespace, "%20"))) =>
            {
                cx.push(Finding::new(
                    id::APPLE_CH_IMAGE,
                    at(Some(img)),
                    format!("itunes:image href=\"{href}\" is not an absolute http(s) URL"),
                    "give the full https:// address of the cover",
                ))
            }
            Some(href) => {
                super::items::url_rules(cx, href, at(Some(img)), "cover art");
                if cx.scope == super::Scope::Feed {
                    super::media::art_url(cx, href, at(Some(img)), true);
                }
            }
        },
    }
}

/// The language.
fn language(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    match cx.child(ch, &Ns::Rss, "language") {
        None => cx.push(Finding::new(
            id::APPLE_CH_LANG,
            at(None),
            "the channel has no <language> (Apple: \"no language tag\")",
            "add <language>en</language> (an ISO 639 code)",
        )),
        Some(l) if !is_language_code(&l.text) => cx.push(Finding::new(
            id::APPLE_CH_LANG,
            at(Some(l)),
            format!("<language>{}</language> is not an ISO 639 code", l.text),
            language_help(&l.text),
        )),
        Some(l) if two_letter_form(&l.text).is_some() => cx.push(Finding::new(
            id::APPLE_CH_LANG,
            at(Some(l)),
            format!("<language>{}</language> is a three-letter code where Apple takes two", l.text),
            format!("use <language>{}</language>", two_letter_form(&l.text).unwrap_or_default()),
        )),
        Some(l) if let Some((part, fixed)) = crate::text::misplaced_subtag(&l.text) => cx.push(
            Finding::new(
                id::APPLE_CH_LANG,
                at(Some(l)),
                format!("<language>{}</language>: \"{part}\" is no part a language code has there", l.text),
                format!("use <language>{fixed}</language> (a language, then optionally a country: en-gb, en-us)"),
            )
            .severity(Severity::Warning),
        ),
        Some(l) if let Some((region, fixed)) = crate::text::bad_region(&l.text) => {
            cx.push(
                Finding::new(
                    id::APPLE_CH_LANG,
                    at(Some(l)),
                    format!("<language>{}</language>: \"{region}\" is no country's code (ISO 3166)", l.text),
                    format!("use <language>{fixed}</language> (a region is a country's two letters: en-gb, en-us)"),
                )
                .severity(Severity::Warning),
            );
        }
        Some(l) if l.text.len() > 8 => cx.push(Finding::new(
            id::PI_GUID,
            at(Some(l)),
            format!("<language>{}</language> is longer than the 8 characters Podcast Index keeps", l.text),
            "use the short form, e.g. en-us",
        )),
        Some(_) => {}
    }

    categories_rule(cx);
}

/// `itunes:explicit`.
fn explicit(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    match cx.child(ch, &Ns::Itunes, "explicit") {
        None => cx.push(Finding::new(
            id::APPLE_CH_EXPLICIT,
            at(None),
            "the channel has no <itunes:explicit> (Apple: \"There is no explicit tag in your feed\")",
            "add <itunes:explicit>false</itunes:explicit> (or true)",
        )),
        Some(e) if !is_true_false(&e.text) => cx.push(
            Finding::new(
                id::APPLE_CH_EXPLICIT,
                at(Some(e)),
                format!("<itunes:explicit>{}</itunes:explicit> is not true or false", e.text),
                explicit_help(&e.text),
            )
            .severity(explicit_severity(&e.text)),
        ),
        Some(_) => {}
    }
}

/// The author and the owner.
fn people(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    match cx.child(ch, &Ns::Itunes, "author") {
        None => cx.push(Finding::new(
            id::SPOT_CH_AUTHOR,
            at(None),
            "the channel has no <itunes:author>",
            "add <itunes:author>Your name</itunes:author>: Spotify needs it for the show to go live",
        )),
        Some(a) if a.text.is_empty() => cx.push(Finding::new(
            id::SPOT_CH_AUTHOR,
            at(Some(a)),
            "<itunes:author> is empty",
            "put the show's author in it: Spotify needs it",
        )),
        Some(a) if a.text.chars().count() > TAG_LIMIT => cx.push(Finding::new(
            id::APPLE_CH_AUTHOR,
            at(Some(a)),
            format!("<itunes:author> is {} characters long", a.text.chars().count()),
            "keep it to 255 characters at most",
        )),
        Some(_) => {}
    }
    let owner = cx.child(ch, &Ns::Itunes, "owner");
    let email = owner.and_then(|o| cx.child(o, &Ns::Itunes, "email"));
    match owner {
        None => cx.push(Finding::new(
            id::APPLE_CH_OWNER,
            at(None),
            "the channel has no <itunes:owner>",
            "add <itunes:owner><itunes:name>…</itunes:name><itunes:email>…</itunes:email></itunes:owner>",
        )),
        Some(o) if cx.child(o, &Ns::Itunes, "name").is_none_or(|n| n.text.is_empty()) => cx.push(Finding::new(
            id::APPLE_CH_OWNER,
            at(Some(o)),
            "<itunes:owner> has no <itunes:name>",
            "add the owner's name",
        )),
        Some(_) => {}
    }
    match email {
        Some(e) if is_email(&e.text) => {}
        Some(e) => cx.push(Finding::new(
            id::SPOT_CH_EMAIL,
            at(Some(e)),
            if e.text.is_empty() {
                "<itunes:email> is empty".to_string()
            } else {
                format!("<itunes:email>{}</itunes:email> is not an e-mail address", e.text)
            },
            match e.text.get(..7).is_some_and(|m| m.eq_ignore_ascii_case("mailto:")) {
                true => {
                    "write the address alone, without mailto: (Spotify and YouTube send their ownership code there)"
                }
                false => "Spotify and YouTube send their ownership code to this address: give a real one",
            },
        )),
        // Apple no longer asks for it; Spotify and YouTube need it only to
        // claim the show: a warning when absent, an error when wrong.
        None => cx.push(
            Finding::new(
                id::SPOT_CH_EMAIL,
                at(owner),
                "the feed has no <itunes:owner><itunes:email>",
                "add the owner's e-mail: Spotify and YouTube send their ownership code there",
            )
            .severity(Severity::Warning),
        ),
    }
}

/// The show type, and the numbering a serial show needs.
fn show_type(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    let serial = match cx.child(ch, &Ns::Itunes, "type") {
        Some(t) if &*t.text == "episodic" => false,
        Some(t) if &*t.text == "serial" => true,
        Some(t) => {
            cx.push(Finding::new(
                id::APPLE_CH_TYPE,
                at(Some(t)),
                format!("<itunes:type>{}</itunes:type> is not episodic or serial", t.text),
                "write episodic (newest first) or serial (in order), in lower case",
            ));
            false
        }
        None => false,
    };
    // Each item's number is checked with the rules across items (across::check).
    cx.serial = serial;
}

/// Copyright, a new feed URL, `itunes:block` and `itunes:complete`.
fn apple_flags(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    if cx.child(ch, &Ns::Rss, "copyright").is_none() {
        cx.push(Finding::new(
            id::APPLE_CH_COPYRIGHT,
            at(None),
            "the channel has no <copyright>",
            "if the show is copyrighted, say so: <copyright>© 2026 Your Name</copyright>",
        ));
    }
    if let Some(n) = cx.child(ch, &Ns::Itunes, "new-feed-url")
        && !is_http_url(&crate::text::lower_scheme(&n.text))
    {
        cx.push(Finding::new(
            id::APPLE_CH_NEWFEED,
            at(Some(n)),
            format!("<itunes:new-feed-url>{}</itunes:new-feed-url> is not an absolute http(s) URL", n.text),
            "give the full address of the show's new feed",
        ));
    }
    // Set on the new feed rather than the old one: apps that read it stay.
    let own = cx.children(ch, &Ns::Atom, "link").into_iter().find(|l| l.attr("rel") == Some("self"));
    if let (Some(n), Some(own)) = (cx.child(ch, &Ns::Itunes, "new-feed-url"), own.and_then(|l| l.attr("href")))
        && same_url(n.text.trim(), own.trim())
    {
        cx.push(
            Finding::new(
                id::APPLE_CH_NEWFEED,
                at(Some(n)),
                format!("<itunes:new-feed-url> is this feed's own address ({own}): it moves no one"),
                "a move is told by the old feed: publish it once more with the new address in new-feed-url (and \
                 redirect it there); leave new-feed-url out of the new feed",
            )
            .severity(Severity::Warning),
        );
    }
    for misspelt in ["new_feed_url", "newfeedurl", "new-feed"] {
        if let Some(n) = cx.child(ch, &Ns::Itunes, misspelt) {
            cx.push(Finding::new(
                id::APPLE_CH_NEWFEED,
                at(Some(n)),
                format!("<itunes:{misspelt}> is not an Apple tag; the move will not be seen"),
                "spell it <itunes:new-feed-url>",
            ));
        }
    }
    if let Some(n) = cx.child(ch, &Ns::Itunes, "block")
        && n.text.eq_ignore_ascii_case("yes")
    {
        // (A warning: a whole show kept out of Apple is rarely what a feed
        // about to be submitted means.)
        cx.push(Finding::new(
            id::APPLE_CH_BLOCK,
            at(Some(n)),
            format!("<itunes:block>{}</itunes:block>: Apple Podcasts will not list the show", n.text),
            "fine if that is meant; remove the tag for the show to be listed",
        ));
    }
    for (name, rule) in [("block", id::APPLE_CH_BLOCK), ("complete", id::APPLE_CH_COMPLETE)] {
        if let Some(n) = cx.child(ch, &Ns::Itunes, name)
            && !is_yes_no(&n.text)
        {
            cx.push(Finding::new(
                rule,
                at(Some(n)),
                format!("<itunes:{name}>{}</itunes:{name}> has no effect: Apple acts only on Yes", n.text),
                format!("write <itunes:{name}>Yes</itunes:{name}>, or remove the tag"),
            ));
        }
    }
}

/// Lengths of Apple's text tags, and keywords.
fn lengths(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let line = ch.line;
    let at = |n: Option<&Node>| Where::Line(n.map_or(line, |n| n.line));
    let mut long_tags: Vec<&Node> = Vec::new();
    for name in ["title", "subtitle", "keywords"] {
        long_tags.extend(cx.child(ch, &Ns::Itunes, name));
    }
    if let Some(o) = cx.child(ch, &Ns::Itunes, "owner") {
        long_tags.extend(cx.child(o, &Ns::Itunes, "name"));
    }
    for n in long_tags {
        if n.text.chars().count() > TAG_LIMIT {
            cx.push(Finding::new(
                id::APPLE_CH_LEN,
                at(Some(n)),
                format!("<itunes:{}> is {} characters long", n.local, n.text.chars().count()),
                "Apple limits its tags to 255 characters",
            ));
        }
    }
    if let Some(n) = cx.child(ch, &Ns::Itunes, "summary") {
        summary_length(cx, n, at(Some(n)));
    }
    for name in ["summary", "subtitle"] {
        if let Some(n) = cx.child(ch, &Ns::Itunes, name) {
            plain_text(cx, n, at(Some(n)));
        }
    }
    let mut named: Vec<&Node> = [(Ns::Rss, "title"), (Ns::Itunes, "title"), (Ns::Itunes, "author")]
        .iter()
        .filter_map(|(ns, name)| cx.child(ch, ns, name))
        .collect();
    if let Some(o) = cx.child(ch, &Ns::Itunes, "owner") {
        named.extend(cx.child(o, &Ns::Itunes, "name"));
    }
    for n in named {
        padded(cx, n, at(Some(n)));
    }
    for name in ["summary", "subtitle", "keywords"] {
        if let Some(n) = cx.child(ch, &Ns::Itunes, name) {
            cx.push(Finding::new(
                id::APPLE_CH_DEPRECATED,
                at(Some(n)),
                format!("<itunes:{name}> is no longer read by Apple"),
                "harmless; the description is what Apple shows",
            ));
        }
    }
    if let Some(k) = cx.child(ch, &Ns::Itunes, "keywords")
        && k.text.contains(' ')
        && !k.text.contains(',')
    {
        cx.push(Finding::new(
            id::W3C_KEYWORDS,
            at(Some(k)),
            "<itunes:keywords> has spaces but no commas",
            "separate keywords with commas",
        ));
    }
}

/// `rule` for a description (`d`) holding HTML written as XML elements
/// (`<description><p>…</p></description>`) rather than escaped or in
/// CDATA: apps read only the text outside the tags, often nothing.
pub fn raw_html(cx: &mut Cx<'_>, d: &Node, at: Where, rule: RuleId) {
    let first = cx.doc.all_children(d).next().map_or_else(String::new, |n| format!(" (<{}>)", n.local));
    cx.push(Finding::new(
        rule,
        at,
        format!("the description holds HTML tags written into the XML{first}, not in CDATA: apps read only the text outside them"),
        "wrap the HTML in <![CDATA[ … ]]> (Apple: HTML only inside CDATA)",
    ));
}

/// APPLE-CH-LEN for a name or title (`n`, at `at`) that opens or ends
/// with spaces: Apple's tags take none, and apps show them as written.
pub fn padded(cx: &mut Cx<'_>, n: &Node, at: Where) {
    if n.padded {
        let prefix = if n.ns == Ns::Itunes { "itunes:" } else { "" };
        cx.push(Finding::new(
            id::APPLE_CH_LEN,
            at,
            format!(
                "<{prefix}{}> opens or ends with spaces (around \"{}\")",
                n.local,
                crate::text::truncate_chars(&n.text, 80)
            ),
            "remove the spaces around it: Apple's tags take no leading or trailing spaces",
        ));
    }
}

/// The most characters `itunes:summary` may have (the W3C validator's
/// limit, as the description's is Apple's).
pub const SUMMARY_LIMIT: usize = 4000;

/// APPLE-CH-LEN for `itunes:summary` (channel or item, `at`): at most
/// [`SUMMARY_LIMIT`] characters; the W3C validator rejects a longer one.
pub fn summary_length(cx: &mut Cx<'_>, n: &Node, at: Where) {
    let chars = n.text.chars().count();
    if chars > SUMMARY_LIMIT {
        cx.push(Finding::new(
            id::APPLE_CH_LEN,
            at,
            format!("<itunes:summary> is {chars} characters long"),
            "at most 4,000 characters: the W3C validator rejects a longer one; shorten it, or drop it (Apple reads the description)",
        ));
    }
}

/// The text of `html` (as written in CDATA, or escaped) as apps show it:
/// its tags and comments left out, its character references read.
fn words_of_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        match after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            true => rest = after.find('>').map_or("", |gt| &after[gt + 1..]),
            false => {
                text.push('<');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    crate::lenient_html::decode(&text)
}

/// APPLE-CH-LEN for `itunes:summary` or `itunes:subtitle` (`n`, at `at`)
/// that holds HTML (escaped or in CDATA): both are plain text, and the
/// apps that still read them show the tags as text (the W3C validator
/// warns of it).
pub fn plain_text(cx: &mut Cx<'_>, n: &Node, at: Where) {
    // Written as elements into the XML (`<b>x</b>`, no namespace's), or as text.
    let element = cx.doc.all_children(n).find(|c| c.ns == Ns::Rss).map(|c| c.local.to_string());
    let tag = element.or_else(|| {
        n.text.match_indices('<').find_map(|(i, _)| {
            let rest = &n.text[i + 1..];
            let name: String = rest.trim_start_matches('/').chars().take_while(char::is_ascii_alphanumeric).collect();
            let known =
                ["p", "br", "a", "b", "i", "em", "strong", "ul", "ol", "li", "div", "span", "img", "h1", "h2", "h3"];
            (known.contains(&name.to_ascii_lowercase().as_str()) && rest.contains('>')).then_some(name)
        })
    });
    if let Some(tag) = tag {
        cx.push(
            Finding::new(
                id::APPLE_CH_LEN,
                at,
                format!(
                    "<itunes:{}> holds HTML (<{tag}>): it is plain text, and apps show the tags as written",
                    n.local
                ),
                "write it as plain text (HTML belongs in the description, in CDATA)",
            )
            .severity(Severity::Warning),
        );
    }
}

/// Whether `a` and `b` are one address (whatever the case of their scheme
/// and host, or a default port written out).
fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Hosts reserved for examples (RFC 2606): nothing real is served there.
fn reserved_host(url_or_email: &str) -> Option<String> {
    let rest = url_or_email.split_once("://").map_or(url_or_email, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h).split(':').next().unwrap_or("").to_ascii_lowercase();
    let reserved =
        ["example.com", "example.net", "example.org"].iter().any(|d| host == *d || host.ends_with(&format!(".{d}")))
            || [".example", ".test", ".invalid"].iter().any(|t| host.ends_with(t));
    reserved.then_some(host)
}

/// PLACEHOLDER: what `podsmith init` or a copied example left behind.
fn placeholders(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let mut urls: Vec<(String, usize)> = Vec::new();
    if let Some(l) = cx.children(ch, &Ns::Atom, "link").into_iter().find(|l| l.attr("rel") == Some("self")) {
        urls.extend(l.attr("href").map(|h| (h.to_string(), l.line)));
    }
    if let Some(img) = cx.child(ch, &Ns::Itunes, "image") {
        urls.extend(img.attr("href").map(|h| (h.to_string(), img.line)));
    }
    urls.extend(cx.facts.iter().filter_map(|f| f.enclosure.clone()));
    let url_host = urls.iter().find_map(|(u, l)| reserved_host(u).map(|h| (h, *l)));
    let email = cx.child(ch, &Ns::Itunes, "owner").and_then(|o| cx.child(o, &Ns::Itunes, "email"));
    let email_host = email.and_then(|e| reserved_host(&e.text).map(|h| (h, e.line)));
    // The fix names episodes.toml only in a feed podsmith made.
    let own = cx.child(ch, &Ns::Rss, "generator").is_some_and(|g| g.text.trim() == "podsmith");
    let (what, fix) = match (&url_host, &email_host, own) {
        (Some(_), Some(_), true) => {
            ("the feed's URLs and the owner e-mail", "set base_url and the owner's email in episodes.toml to real ones")
        }
        (Some(_), None, true) => {
            ("the feed's URLs", "set base_url in episodes.toml to the address where public/ will be served")
        }
        (Some(_), Some(_), false) => {
            ("the feed's URLs and the owner e-mail", "give the feed the addresses it is served at, and a real e-mail")
        }
        (Some(_), None, false) => ("the feed's URLs", "give the feed the addresses it and its files are served at"),
        (None, Some(_), _) => {
            ("the owner e-mail", "give the owner's real e-mail address: directories send ownership codes there")
        }
        (None, None, _) => ("", ""),
    };
    let said = match (&url_host, &email_host) {
        // Each on its own (one said would be wrong of the other).
        (Some((urls, _)), Some((mail, _))) if urls != mail => format!(
            "the feed's URLs are on {urls} and the owner e-mail on {mail}, domains reserved for examples: nothing \
             is served or delivered there"
        ),
        _ => url_host.as_ref().or(email_host.as_ref()).map_or(String::new(), |(host, _)| {
            format!(
                "{what} {} on {host}, a domain reserved for examples: nothing is served or delivered there",
                if what == OWNER_EMAIL { "is" } else { "are" }
            )
        }),
    };
    if let Some((_, line)) = url_host.or(email_host) {
        cx.push(Finding::new(id::PLACEHOLDER, Where::Line(line), said, fix));
    }
    for (ns, name) in [(Ns::Rss, "title"), (Ns::Rss, "description"), (Ns::Itunes, "author")] {
        if let Some(n) = cx.child(ch, &ns, name)
            && n.text.to_ascii_lowercase().contains("placeholder")
        {
            cx.push(Finding::new(
                id::PLACEHOLDER,
                Where::Line(n.line),
                format!("{SHOWS}{name} is still a placeholder: \"{}\"", truncate_chars(&n.text, 60)),
                format!("write the show's real {name} in episodes.toml"),
            ));
        }
    }
    let owner = cx.child(ch, &Ns::Itunes, "owner").and_then(|o| cx.child(o, &Ns::Itunes, "name"));
    if let Some(n) = owner.filter(|n| n.text.to_ascii_lowercase().contains("placeholder")) {
        cx.push(Finding::new(
            id::PLACEHOLDER,
            Where::Line(n.line),
            format!("{OWNER_NAME} is still a placeholder: \"{}\"", truncate_chars(&n.text, 60)),
            "write the owner's real name in episodes.toml (Spotify and YouTube address their e-mails to it)",
        ));
    }
}

/// How [`placeholders`] names the show's fields, and the owner's e-mail.
const SHOWS: &str = "the show's ";
const OWNER_EMAIL: &str = "the owner e-mail";
const OWNER_NAME: &str = "the owner's name";

/// The key of `[podcast]` in `episodes.toml` that a channel's PLACEHOLDER
/// finding (of the channel, or of the cover) is about: where a build
/// says to fix it.
pub fn placeholder_key(f: &Finding) -> Option<&'static str> {
    if f.code != id::PLACEHOLDER.as_str() || f.item().is_some() {
        return None;
    }
    let m = f.message.as_str();
    if m.ends_with(super::media::PLACEHOLDER_COVER_SAID) {
        return Some("image");
    }
    if let Some(rest) = m.strip_prefix(SHOWS) {
        return ["title", "description", "author"].into_iter().find(|k| rest.starts_with(&format!("{k} is still")));
    }
    if m.starts_with("the feed's URLs") {
        return Some("base_url");
    }
    (m.starts_with(OWNER_EMAIL) || m.starts_with(OWNER_NAME)).then_some("owner")
}

fn categories_rule(cx: &mut Cx<'_>) {
    let ch = cx.channel;
    let top = cx.children(ch, &Ns::Itunes, "category");
    if top.is_empty() {
        cx.push(Finding::new(
            id::APPLE_CH_CAT,
            Where::Line(ch.line),
            "the channel has no <itunes:category> (Apple: \"no category tag\")",
            "add one from Apple's list, e.g. <itunes:category text=\"Technology\"/>",
        ));
    }
    let mut listed = false;
    let mut said = false;
    for cat in &top {
        let Some(parent) = cat.attr("text") else {
            said = true;
            cx.push(Finding::new(
                id::APPLE_CH_CAT,
                Where::Line(cat.line),
                "<itunes:category> has no text attribute",
                "write the category in the text attribute: <itunes:category text=\"Technology\"/>",
            ));
            continue;
        };
        listed |= categories::listed_exactly(parent, None);
        let subs = cx.children(cat, &Ns::Itunes, "category");
        let mut names: Vec<(Option<&str>, usize)> = vec![(None, cat.line)];
        for s in &subs {
            if let Some(third) = cx.child(s, &Ns::Itunes, "category") {
                said = true;
                cx.push(Finding::new(
                    id::APPLE_CH_CAT,
                    Where::Line(third.line),
                    format!(
                        "\"{parent} > {}\" holds a category of its own (\"{}\"): Apple's list has two levels",
                        s.attr("text").unwrap_or(""),
                        third.attr("text").unwrap_or("")
                    ),
                    "nest a subcategory in its top-level category only",
                ));
            }
            let Some(name) = s.attr("text") else {
                // `<itunes:category>Gadgets</itunes:category>`: the name as text.
                said = true;
                let text = truncate_chars(s.text.trim(), 60);
                cx.push(Finding::new(
                    id::APPLE_CH_CAT,
                    Where::Line(s.line),
                    match text.is_empty() {
                        true => format!("a subcategory of \"{parent}\" has no text attribute"),
                        false => format!(
                            "the subcategory \"{text}\" of \"{parent}\" is written as the element's text, not in its text attribute: Apple reads only the attribute"
                        ),
                    },
                    format!(
                        "write <itunes:category text=\"{}\"/> inside <itunes:category text=\"{parent}\">",
                        if text.is_empty() { "SUBCATEGORY" } else { text.as_str() }
                    ),
                ));
                continue;
            };
            names.push((Some(name), s.line));
        }
        for (sub, line) in names {
            said |= category_name(cx, parent, sub, line);
        }
    }
    if !top.is_empty() && !listed && !said {
        cx.push(Finding::new(
            id::APPLE_CH_CAT,
            Where::Line(top[0].line),
            "none of the show's categories is in Apple's list: retired ones do not count, so Apple has none to list the show under",
            "use the current names the APPLE-CH-CAT-LEGACY warnings give",
        ));
    }
}

/// APPLE-CH-CAT and APPLE-CH-CAT-LEGACY for the category `parent` (with
/// the subcategory `sub` nested in it) at `line`, as the feed spells them:
/// Apple matches the text exactly. True when an error was said.
fn category_name(cx: &mut Cx<'_>, parent: &str, sub: Option<&str>, line: usize) -> bool {
    if categories::listed_exactly(parent, sub) {
        return false;
    }
    let name = match sub {
        Some(s) => format!("{parent} > {s}"),
        None => parent.to_string(),
    };
    let text = sub.unwrap_or(parent);
    let (message, help) = if text.contains('>') {
        (
            format!(
                "text=\"{text}\" writes a category and a subcategory in one attribute: Apple reads it as one name, which is not in its list"
            ),
            match categories::lookup(text) {
                Ok((p, Some(s))) if sub.is_none() => format!(
                    "nest the subcategory: <itunes:category text=\"{}\"><itunes:category text=\"{}\"/></itunes:category>",
                    p.replace('&', "&amp;"),
                    s.replace('&', "&amp;")
                ),
                _ => "write one name per <itunes:category>, each subcategory nested in its parent".into(),
            },
        )
    } else if let Some(new) = categories::retired(&name) {
        cx.push(Finding::new(
            id::APPLE_CH_CAT_LEGACY,
            Where::Line(line),
            format!("\"{name}\" is a category Apple retired in 2019"),
            format!("use \"{new}\" instead"),
        ));
        return false;
    } else if text != text.trim() {
        (
            format!("text=\"{text}\" has spaces around the name: Apple matches the category's text exactly"),
            format!("write text=\"{}\"", text.trim().replace('&', "&amp;")),
        )
    } else {
        let help = match categories::lookup(&name) {
            // A subcategory nested in the wrong parent: its own, nested.
            Err(Some(s)) if sub.is_some() && s.contains(" > ") => {
                let (p, s) = s.split_once(" > ").unwrap_or((&s, ""));
                format!(
                    "\"{s}\" is a subcategory of \"{p}\": <itunes:category text=\"{}\"><itunes:category text=\"{}\"/></itunes:category>",
                    p.replace('&', "&amp;"),
                    s.replace('&', "&amp;")
                )
            }
            Err(Some(s)) => format!("did you mean \"{s}\"? (Apple's list since 2019, exact spelling)"),
            _ => {
                "use a category from Apple's list (see the README), with each subcategory inside its own parent".into()
            }
        };
        (format!("\"{name}\" is not an Apple Podcasts category"), help)
    };
    cx.push(Finding::new(id::APPLE_CH_CAT, Where::Line(line), message, help));
    true
}

/// Elements a channel has at most once.
const CHANNEL_SINGLES: &[(&Ns, &str)] = &[
    (&Ns::Rss, "title"),
    (&Ns::Rss, "link"),
    (&Ns::Rss, "description"),
    (&Ns::Rss, "language"),
    (&Ns::Rss, "copyright"),
    (&Ns::Rss, "lastBuildDate"),
    (&Ns::Rss, "pubDate"),
    (&Ns::Itunes, "author"),
    (&Ns::Itunes, "explicit"),
    (&Ns::Itunes, "type"),
    (&Ns::Itunes, "image"),
    (&Ns::Itunes, "owner"),
    (&Ns::Itunes, "block"),
    (&Ns::Itunes, "complete"),
    (&Ns::Itunes, "new-feed-url"),
    (&Ns::Podcast, "guid"),
    (&Ns::Podcast, "locked"),
    (&Ns::Podcast, "medium"),
    (&Ns::Podcast, "license"),
    (&Ns::Podcast, "podroll"),
    (&Ns::Podcast, "updateFrequency"),
];

/// W3C-DUP-ELEMENTS for `node`.
pub fn duplicates(cx: &mut Cx<'_>, node: &Node, at: Where, singles: &[(&Ns, &str)]) {
    for (ns, name) in singles {
        let found = cx.children(node, ns, name);
        if found.len() > 1 {
            let prefix = match ns {
                Ns::Itunes => "itunes:",
                Ns::Podcast => "podcast:",
                _ => "",
            };
            let at = at.at(found[1].line);
            cx.push(Finding::new(
                id::W3C_DUP_ELEMENTS,
                at,
                format!("<{prefix}{name}> appears {} times", found.len()),
                format!("keep one <{prefix}{name}>; apps read only one of them"),
            ));
        }
    }
}

fn spotify(cx: &mut Cx<'_>) {
    let Some(i) = cx.doc.names.iter().position(|n| &**n == xml::SPOTIFY) else { return };
    let ns = Ns::Other(i as u32);
    if let Some(limit) = cx.child(cx.channel, &ns, "limit") {
        let ok = limit.attr("recentCount").is_some_and(|v| crate::text::whole_number::<u64>(v).is_some());
        if !ok {
            cx.push(Finding::new(
                id::SPOT_NS,
                Where::Line(limit.line),
                "<spotify:limit> needs recentCount=\"N\" with a whole number",
                "write <spotify:limit recentCount=\"10\"/>, or remove it",
            ));
        }
    }
    if let Some(c) = cx.child(cx.channel, &ns, "countryOfOrigin") {
        let not_one = c.text.split_whitespace().find(|w| !crate::text::is_country_code(w));
        if c.text.is_empty() || not_one.is_some() {
            let which = not_one.map(|w| format!(" (\"{}\" is no country's)", crate::text::truncate_chars(w, 20)));
            cx.push(Finding::new(
                id::SPOT_NS,
                Where::Line(c.line),
                format!(
                    "<spotify:countryOfOrigin>{}</spotify:countryOfOrigin> is not a list of ISO 3166 country codes{}",
                    crate::text::truncate_chars(&c.text, 80),
                    which.unwrap_or_default()
                ),
                "write two-letter codes separated by spaces, e.g. us gb (the United Kingdom is gb)",
            ));
        }
    }
}

/// GOOG-PROTOCOL: one protocol for feed, homepage and enclosures.
fn protocols(cx: &mut Cx<'_>) {
    let mut urls: Vec<&str> = Vec::new();
    if let Some(b) = cx.base.as_deref() {
        urls.push(b);
    }
    if let Some(l) = cx.child(cx.channel, &Ns::Rss, "link") {
        urls.push(&l.text);
    }
    urls.extend(cx.facts.iter().filter_map(|f| f.enclosure.as_ref().map(|(u, _)| u.as_str())));
    let https = urls.iter().any(|u| super::items::has_scheme(u, "https"));
    let http = urls.iter().any(|u| super::items::has_scheme(u, "http"));
    if https && http {
        cx.push(Finding::new(
            id::GOOG_PROTOCOL,
            Where::Line(cx.channel.line),
            "the feed mixes http:// and https:// URLs (feed, link, enclosures)",
            "serve everything over https",
        ));
    }
}

/// A date element checked under `rule` (RSS-DATE or APPLE-IT-PUBDATE).
pub fn date_rule(cx: &mut Cx<'_>, rule: RuleId, d: &Node, at: Where) -> Option<dates::Parsed> {
    match dates::parse(&d.text) {
        Err(why) => {
            cx.push(Finding::new(
                rule,
                at,
                format!(
                    "<{}>{}</{}> is not an RFC 2822 date: {}",
                    d.local,
                    crate::text::truncate_chars(&d.text, 80),
                    d.local,
                    crate::text::truncate_chars(&why, 200)
                ),
                "write dates like \"Wed, 02 Oct 2002 13:00:00 +0000\"",
            ));
            None
        }
        Ok(p) => {
            if let Some(zone) = &p.zone_name {
                cx.push(Finding::new(
                    id::MISTAKE_DATE_TZ,
                    at.clone(),
                    format!("<{}> uses the zone name {zone}, which some apps misread", d.local),
                    if zone == "UTC" { "write +0000 (or GMT)" } else { "write a numeric offset, e.g. -0800" },
                ));
            }
            if p.miscased {
                cx.push(
                    Finding::new(
                        rule,
                        at.clone(),
                        format!("<{}>{}</{}> writes its names in another case than RFC 2822", d.local, d.text, d.local),
                        "write them as RFC 2822 does (Wed, Oct, GMT): the grammar takes any case, some apps do not",
                    )
                    .severity(Severity::Warning),
                );
            }
            let year = chrono::Datelike::year(&p.at);
            if p.two_digit_year || year < super::dates::FIRST_PLAUSIBLE_YEAR {
                let (what, help) = match p.two_digit_year {
                    true => ("a two-digit year", "write the four-digit year".to_string()),
                    false => (
                        "an implausible year",
                        format!(
                            "write the year the episode came out (one before {} is most likely a mistake)",
                            super::dates::FIRST_PLAUSIBLE_YEAR
                        ),
                    ),
                };
                cx.push(
                    Finding::new(rule, at, format!("<{}>{}</{}> has {what}", d.local, d.text, d.local), help)
                        .severity(Severity::Warning),
                );
            }
            Some(p)
        }
    }
}

/// `true`/`false`, any case (W3C is case-insensitive; Apple writes lower case).
pub fn is_true_false(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
}

fn is_yes_no(s: &str) -> bool {
    s.eq_ignore_ascii_case("yes") || s.eq_ignore_ascii_case("no")
}

/// What to write instead of `value`, which is not a language code: the
/// code now used for a withdrawn one (`iw` → `he`), a region after a
/// hyphen (`en_US` → `en-US`), else what a code looks like.
fn language_help(value: &str) -> String {
    let (lang, region) = match value.split_once(['-', '_']) {
        Some((l, r)) => (l, Some(r)),
        None => (value, None),
    };
    // ISO 639-1 codes withdrawn in 1989, which Java wrote for years.
    let renamed = match lang.to_ascii_lowercase().as_str() {
        "iw" => Some("he"),
        "in" => Some("id"),
        "ji" => Some("yi"),
        "mo" => Some("ro"),
        _ => None,
    };
    let with_region = |l: &str| region.filter(|r| !r.is_empty()).map_or(l.to_string(), |r| format!("{l}-{r}"));
    match renamed {
        Some(now) => format!("\"{lang}\" is the withdrawn code: use <language>{}</language>", with_region(now)),
        None if value.contains('_') && is_language_code(&value.replace('_', "-")) => {
            format!("join the region with a hyphen: <language>{}</language>", value.replace('_', "-"))
        }
        None => "use two letters, optionally with a region: en, en-us, de".to_string(),
    }
}

/// Legacy `yes`/`no`/`clean` are outside Apple's spec but still read (BBC,
/// Anchor and Libsyn feeds carry them and are listed): a warning. Anything
/// else is an error.
pub fn explicit_severity(value: &str) -> Severity {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "no" | "clean" | "explicit" => Severity::Warning,
        _ => Severity::Error,
    }
}

/// What to write instead of a legacy explicit value.
pub fn explicit_help(value: &str) -> String {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "explicit" => {
            "write true: Apple still reads the legacy value, but its spec and the W3C validator now take only true \
             or false"
                .into()
        }
        "no" | "clean" => {
            "write false: Apple still reads the legacy value, but its spec and the W3C validator now take only true \
             or false"
                .into()
        }
        _ => "write true or false".into(),
    }
}

/// Whether `bytes` begin with an `<?xml …?>` declaration (not an
/// instruction such as `<?xml-stylesheet …?>`).
fn is_declaration(bytes: &[u8]) -> bool {
    bytes.strip_prefix(b"<?xml").is_some_and(|rest| rest.first().is_some_and(|b| b.is_ascii_whitespace() || *b == b'?'))
}
