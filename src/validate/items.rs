//! Item rules (RSS-IT-*, RSS-ENC-*, APPLE-IT-*, SPOT-IT-*, PI-*).

use super::channel::{DESCRIPTION_LIMIT, date_rule, duplicates, explicit_help, explicit_severity, is_true_false};
use super::rules::id;
use super::xml::{self, Node, Ns};
use super::{Cx, Finding, Formats, Severity, Where, dates};
use crate::text::{is_http_url, truncate_chars};
use crate::url::Reach;

/// Extensions Apple lists for enclosures, with their MIME types.
const APPLE_TYPES: &[(&str, &[&str])] = &[
    ("mp3", &["audio/mpeg"]),
    ("m4a", &["audio/x-m4a", "audio/mp4", "audio/m4a", "audio/aac"]),
    ("mp4", &["video/mp4"]),
    ("m4v", &["video/x-m4v", "video/mp4"]),
    ("mov", &["video/quicktime"]),
    ("pdf", &["application/pdf"]),
];

/// Elements an item has at most once.
const ITEM_SINGLES: &[(&Ns, &str)] = &[
    (&Ns::Rss, "title"),
    (&Ns::Rss, "link"),
    (&Ns::Rss, "description"),
    (&Ns::Rss, "guid"),
    (&Ns::Rss, "pubDate"),
    (&Ns::Itunes, "title"),
    (&Ns::Itunes, "duration"),
    (&Ns::Itunes, "episode"),
    (&Ns::Itunes, "season"),
    (&Ns::Itunes, "episodeType"),
    (&Ns::Itunes, "explicit"),
    (&Ns::Itunes, "image"),
    (&Ns::Itunes, "block"),
    (&Ns::Podcast, "chapters"),
    (&Ns::Podcast, "season"),
    (&Ns::Podcast, "episode"),
    (&Ns::Podcast, "license"),
];

/// The extension of a URL's path (query and fragment ignored), lower case.
pub fn url_extension(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let path = path.split_once("://").map_or(path, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
    let name = path.rsplit('/').next()?;
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// Whether an enclosure at `url` is one Apple lists by its name: its path
/// ends in an extension of Apple's list (APPLE-IT-ENCL-EXT).
pub fn apple_lists_url(url: &str) -> bool {
    url_extension(url).is_some_and(|x| APPLE_TYPES.iter().any(|(e, _)| *e == x))
}

/// Item rules.
pub fn check(cx: &mut Cx<'_>) {
    let show_title = cx.child(cx.channel, &Ns::Rss, "title").map(|t| t.text.clone()).unwrap_or_default();
    let psc = cx.doc.names.iter().position(|n| &**n == xml::PSC).map(|i| Ns::Other(i as u32));
    for i in 0..cx.items.len() {
        let item = cx.items[i];
        let w = cx.item_where(i);
        titles(cx, item, &w, &show_title);
        enclosures(cx, item, &w);
        guid(cx, item, &w);
        pub_date(cx, item, &w);
        description(cx, item, &w);
        duration(cx, item, &w);
        link_and_art(cx, item, &w);
        explicit(cx, item, &w);
        numbering(cx, item, &w);
        block(cx, item, &w);
        itunes_title(cx, item, &w);
        if let Some(psc) = &psc {
            simple_chapters(cx, item, &w, psc);
        }
        duplicates(cx, item, w.clone(), ITEM_SINGLES);
    }
}

/// RSS-IT-TITLE-OR-DESC and APPLE-IT-TITLE: a title (or at least a
/// description), not empty, without an episode number or the show's name.
fn titles(cx: &mut Cx<'_>, item: &Node, w: &Where, show_title: &str) {
    let title = cx.child(item, &Ns::Rss, "title");
    let description = cx.child(item, &Ns::Rss, "description");
    if title.is_none() && description.is_none() {
        cx.push(Finding::new(
            id::RSS_IT_TITLE_OR_DESC,
            w.clone(),
            "the item has neither a title nor a description",
            "give every episode a title",
        ));
    }
    match title {
        None => {
            cx.push(Finding::new(id::APPLE_IT_TITLE, w.clone(), "the item has no <title>", "give the episode a title"))
        }
        Some(t) if t.text.is_empty() => cx.push(Finding::new(
            id::APPLE_IT_TITLE,
            w.at(t.line),
            "the item's title is empty",
            "give the episode a title",
        )),
        Some(t) => {
            if let Some(why) = title_smell(&t.text, show_title) {
                cx.push(
                    Finding::new(id::APPLE_IT_TITLE, w.at(t.line), why, "Apple asks for titles without numbers or the show's name: use itunes:episode and itunes:season for numbers")
                        .severity(Severity::Warning),
                );
            }
        }
    }
    // The title Apple shows, where one is given: the same rule (it is
    // there to leave the number and the show's name out); and not empty.
    if let Some(t) = cx.child(item, &Ns::Itunes, "title")
        && t.text.is_empty()
    {
        cx.push(
            Finding::new(
                id::APPLE_IT_TITLE,
                w.at(t.line),
                "the item's <itunes:title> is empty: apps that show it rather than <title> (Apple, Podcast Index) show no title",
                "give itunes:title the episode's title, or leave the tag out",
            )
            .severity(Severity::Warning),
        );
    } else if let Some(t) = cx.child(item, &Ns::Itunes, "title")
        && let Some(why) = title_smell(&t.text, show_title)
    {
        cx.push(
            Finding::new(
                id::APPLE_IT_TITLE,
                w.at(t.line),
                format!("<itunes:title>: {}", why.replacen("the title", "its title", 1)),
                "leave the number and the show's name out of itunes:title: Apple shows itunes:episode beside it",
            )
            .severity(Severity::Warning),
        );
    }
}

/// RSS-ENC-ONE and APPLE-IT-ENCL: one enclosure, then the first one's rules.
fn enclosures(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    let enclosures = cx.children(item, &Ns::Rss, "enclosure");
    if enclosures.len() > 1 {
        cx.push(Finding::new(
            id::RSS_ENC_ONE,
            w.at(enclosures[1].line),
            format!("the item has {} enclosures; apps and Podcast Index play only the first", enclosures.len()),
            "keep one enclosure (MP3 or AAC) and list other formats as <podcast:alternateEnclosure>",
        ));
    }
    match enclosures.first() {
        None => cx.push(Finding::new(
            id::APPLE_IT_ENCL,
            w.clone(),
            "the item has no <enclosure>: there is no audio to play, and directories drop it",
            "add <enclosure url=\"…\" length=\"bytes\" type=\"audio/mpeg\"/>",
        )),
        Some(e) => enclosure(cx, e, w.at(e.line)),
    }
}

/// APPLE-IT-GUID, PI-GUID and RSS-GUID-PERMALINK: the item's identity, a
/// non-empty guid of at most 740 characters, a permalink only if a URL.
fn guid(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    match cx.child(item, &Ns::Rss, "guid") {
        None => cx.push(Finding::new(
            id::APPLE_IT_GUID,
            w.clone(),
            "the item has no <guid>",
            "give every episode a guid that never changes (podsmith's manifest requires one)",
        )),
        Some(g) if g.text.is_empty() => cx.push(Finding::new(
            id::APPLE_IT_GUID,
            w.at(g.line),
            "the item's guid is empty",
            "give every episode a guid that never changes",
        )),
        Some(g) => {
            // A guid shared with another item: see across::check.
            if g.text.chars().count() > 740 {
                cx.push(Finding::new(
                    id::PI_GUID,
                    w.at(g.line),
                    "the guid is longer than the 740 characters Podcast Index keeps",
                    "use a shorter guid, e.g. a UUID",
                ));
            }
            match g.attr("isPermaLink") {
                marked @ (Some("true") | None) if !is_http_url(&g.text) => cx.push(Finding::new(
                    id::RSS_GUID_PERMALINK,
                    w.at(g.line),
                    format!(
                        "the guid \"{}\" is {} but not an http(s) URL",
                        truncate_chars(&g.text, 60),
                        if marked.is_some() {
                            "marked as a permalink (isPermaLink=\"true\")"
                        } else {
                            "a permalink (isPermaLink is true by default)"
                        }
                    ),
                    "add isPermaLink=\"false\" to the guid: directories read it as a plain id, but the W3C \
                     validator and RSS readers take it for a link",
                )),
                Some("true") | Some("false") | None => {}
                Some(other) => cx.push(Finding::new(
                    id::RSS_GUID_PERMALINK,
                    w.at(g.line),
                    format!("isPermaLink=\"{other}\" is not true or false"),
                    "write isPermaLink=\"false\" (or \"true\" for a URL guid)",
                )),
            }
        }
    }
}

/// SPOT-IT-PUBDATE, APPLE-IT-PUBDATE and PI-FUTURE: a valid date, not in the future.
fn pub_date(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    match cx.child(item, &Ns::Rss, "pubDate") {
        None => cx.push(Finding::new(
            id::SPOT_IT_PUBDATE,
            w.clone(),
            "the item has no <pubDate>",
            "add the publication date: Spotify and Pocket Casts refuse items without one",
        )),
        Some(d) => {
            if let Some(p) = date_rule(cx, id::APPLE_IT_PUBDATE, d, w.at(d.line))
                && p.at.with_timezone(&chrono::Utc) > cx.opts.now + chrono::Duration::minutes(10)
            {
                cx.push(Finding::new(
                    id::PI_FUTURE,
                    w.at(d.line),
                    format!("the item is dated {}, in the future: apps hide it until then", d.text),
                    "fine for a scheduled episode; otherwise fix the date",
                ));
            }
        }
    }
}

/// APPLE-IT-DESC and APPLE-IT-CHAPTERS: the description's size, its HTML
/// and the chapter timestamps in the show notes.
fn description(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    let description = cx.child(item, &Ns::Rss, "description");
    if let Some(d) = description.filter(|d| !d.children.is_empty()) {
        super::channel::raw_html(cx, d, w.at(d.line), id::APPLE_IT_DESC);
    } else if let Some(d) = description {
        if d.text.len() > DESCRIPTION_LIMIT {
            cx.push(Finding::new(
                id::APPLE_IT_DESC,
                w.at(d.line),
                format!("the description is {} bytes, over Apple's 4000", d.text.len()),
                "shorten the show notes in <description>; the full notes can stay in content:encoded",
            ));
        }
        let others = tags_not_shown(&d.text);
        if !others.is_empty() {
            let named: Vec<String> = others.iter().map(|t| format!("<{t}>")).collect();
            cx.push(Finding::new(
                id::APPLE_IT_DESC,
                w.at(d.line),
                format!(
                    "the description's HTML has {}: Apple shows <p>, <ol>, <ul>, <li> and <a> in a description \
                     (and the Podcast Standards Project <b>, <i>, <strong> and <em>); apps show the rest as text, \
                     or not at all",
                    named.join(", ")
                ),
                "keep the description to those tags (a heading as a paragraph in bold); the full notes, in any \
                 HTML, can stay in content:encoded",
            ));
        }
    }
    if let Some(d) = description.or_else(|| cx.child(item, &Ns::Content, "encoded")) {
        chapters_in_description(cx, d, w.at(d.line));
    }
}

/// The tags of a description's HTML (`text`, as read from its CDATA or
/// escaped) that are not among those Apple and the Podcast Standards
/// Project name ([`crate::markdown::DESCRIPTION_TAGS`]): each once, in the
/// order they come, at most five. A `<` that opens no tag is text.
fn tags_not_shown(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (i, _) in text.match_indices('<') {
        let Some(end) = crate::lenient_html::tag_end(&text[i..]) else { continue };
        let inner = &text[i + 1..i + end];
        if inner.starts_with(['!', '?']) {
            continue; // a comment, a declaration
        }
        let Some(tag) = crate::lenient_html::Tag::parse(inner) else { continue };
        let named = tag.name.starts_with(|c: char| c.is_ascii_alphabetic());
        let known = !named || crate::markdown::DESCRIPTION_TAGS.contains(&tag.name.as_str());
        if !known && !found.contains(&tag.name) && found.len() < 5 {
            found.push(tag.name);
        }
    }
    found
}

/// APPLE-IT-DURATION: an `itunes:duration` in a form Apple reads.
fn duration(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    match cx.child(item, &Ns::Itunes, "duration") {
        None => cx.push(
            Finding::new(
                id::APPLE_IT_DURATION,
                w.clone(),
                "the item has no <itunes:duration>; apps show no length until they download it",
                "add the duration in whole seconds (podsmith measures it)",
            )
            .severity(Severity::Warning),
        ),
        Some(d) => {
            if let Err(why) = dates::duration(&d.text) {
                cx.push(Finding::new(
                    id::APPLE_IT_DURATION,
                    w.at(d.line),
                    why,
                    "write whole seconds, e.g. <itunes:duration>1801</itunes:duration>",
                ));
            }
        }
    }
}

/// APPLE-IT-LINK and APPLE-IT-IMAGE: a link to the episode's page; episode
/// art with an absolute http(s) `href`.
fn link_and_art(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    if cx.child(item, &Ns::Rss, "link").is_none() {
        cx.push(Finding::new(
            id::APPLE_IT_LINK,
            w.clone(),
            "the item has no <link> to its web page",
            "link each episode to its show-notes page",
        ));
    }
    if let Some(img) = cx.child(item, &Ns::Itunes, "image") {
        match img.attr("href").filter(|h| is_http_url(h)) {
            Some(href) => {
                url_rules(cx, href, w.at(img.line), "episode art");
                super::media::art_url(cx, href, w.at(img.line), false);
            }
            None => cx.push(Finding::new(
                id::APPLE_IT_IMAGE,
                w.at(img.line),
                "the episode's <itunes:image> has no absolute http(s) href",
                "write <itunes:image href=\"https://…/art.jpg\"/>",
            )),
        }
    }
}

/// APPLE-IT-EXPLICIT: an item's `itunes:explicit` is true or false.
fn explicit(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    match cx.child(item, &Ns::Itunes, "explicit") {
        Some(e) if !is_true_false(&e.text) => cx.push(
            Finding::new(
                id::APPLE_IT_EXPLICIT,
                w.at(e.line),
                format!("<itunes:explicit>{}</itunes:explicit> is not true or false", e.text),
                explicit_help(&e.text),
            )
            .severity(explicit_severity(&e.text)),
        ),
        Some(_) => {}
        None => cx.push(
            Finding::new(
                id::APPLE_IT_EXPLICIT,
                w.clone(),
                "the item has no <itunes:explicit> (Apple recommends one on every episode)",
                "add <itunes:explicit>false</itunes:explicit> (or true)",
            )
            .severity(Severity::Warning),
        ),
    }
}

/// APPLE-IT-EPISODE, APPLE-IT-SEASON and APPLE-IT-EPTYPE: episode and season
/// numbers from 1 up; the episode type full, trailer or bonus.
fn numbering(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    for (name, rule) in [("episode", id::APPLE_IT_EPISODE), ("season", id::APPLE_IT_SEASON)] {
        if let Some(n) = cx.child(item, &Ns::Itunes, name)
            && crate::text::whole_number::<u32>(&n.text).is_none_or(|v| v == 0)
        {
            // (A whole number past what apps hold, 4294967295, is said so.)
            let t = n.text.trim();
            let too_large = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.parse::<u32>().is_err();
            let why = if too_large {
                "is too large for apps (at most 4294967295)"
            } else {
                "is not a whole number from 1 up"
            };
            cx.push(Finding::new(
                rule,
                w.at(n.line),
                format!("<itunes:{name}>{}</itunes:{name}> {why}", crate::text::truncate_chars(&n.text, 40)),
                if name == "episode" {
                    "write the number alone, e.g. 12 (for 12.5 use <podcast:episode>)"
                } else {
                    "write the season number alone, e.g. 2"
                },
            ));
        }
    }
    if let Some(t) = cx.child(item, &Ns::Itunes, "episodeType")
        && !["full", "trailer", "bonus"].contains(&&*t.text)
    {
        cx.push(Finding::new(
            id::APPLE_IT_EPTYPE,
            w.at(t.line),
            format!("<itunes:episodeType>{}</itunes:episodeType> is not full, trailer or bonus", t.text),
            "write full, trailer or bonus, in lower case",
        ));
    }
}

/// APPLE-IT-BLOCK: an item's `itunes:block` is Yes or No (Yes: a note).
fn block(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    if let Some(b) = cx.child(item, &Ns::Itunes, "block")
        && b.text.eq_ignore_ascii_case("yes")
    {
        cx.push(
            Finding::new(
                id::APPLE_IT_BLOCK,
                w.at(b.line),
                format!("<itunes:block>{}</itunes:block>: Apple Podcasts hides the episode", b.text),
                "fine if that is meant; remove the tag for the episode to be shown",
            )
            .severity(Severity::Info),
        );
    } else if let Some(b) = cx.child(item, &Ns::Itunes, "block")
        && !b.text.eq_ignore_ascii_case("no")
    {
        cx.push(Finding::new(
            id::APPLE_IT_BLOCK,
            w.at(b.line),
            format!("<itunes:block>{}</itunes:block> has no effect: Apple acts only on Yes", b.text),
            "write Yes to hide the episode, or remove the tag",
        ));
    }
}

/// APPLE-CH-LEN for items: `title`, `itunes:title`, `itunes:subtitle`,
/// `itunes:keywords` and `itunes:author` are at most 255 characters (the
/// W3C validator rejects longer ones too); the titles and author open and
/// end with no spaces.
fn itunes_title(cx: &mut Cx<'_>, item: &Node, w: &Where) {
    // (The RSS title too: Apple shows it where there is no itunes:title.)
    let tags =
        [("", "title"), ("itunes:", "title"), ("itunes:", "subtitle"), ("itunes:", "keywords"), ("itunes:", "author")];
    for (prefix, name) in tags {
        let ns = if prefix.is_empty() { Ns::Rss } else { Ns::Itunes };
        if let Some(n) = cx.child(item, &ns, name)
            && n.text.chars().count() > super::channel::TAG_LIMIT
        {
            cx.push(Finding::new(
                id::APPLE_CH_LEN,
                w.at(n.line),
                format!("<{prefix}{name}> is {} characters long", n.text.chars().count()),
                "Apple limits its tags to 255 characters; the W3C validator rejects longer ones",
            ));
        }
    }
    if let Some(n) = cx.child(item, &Ns::Itunes, "summary") {
        super::channel::summary_length(cx, n, w.at(n.line));
    }
    for name in ["summary", "subtitle"] {
        if let Some(n) = cx.child(item, &Ns::Itunes, name) {
            super::channel::plain_text(cx, n, w.at(n.line));
        }
    }
    for (ns, name) in [(Ns::Rss, "title"), (Ns::Itunes, "title"), (Ns::Itunes, "author")] {
        if let Some(n) = cx.child(item, &ns, name) {
            super::channel::padded(cx, n, w.at(n.line));
        }
    }
}

/// RSS-ENC-ATTRS, then the rules for the enclosure's URL, type and length.
fn enclosure(cx: &mut Cx<'_>, e: &Node, at: Where) {
    let (url, length, mime) = (e.attr("url"), e.attr("length"), e.attr("type"));
    // Media types are case-insensitive (RFC 2045): Audio/MPEG is audio/mpeg.
    let lower = mime.map(str::to_ascii_lowercase);
    let mime = lower.as_deref();
    let missing: Vec<&str> = [("url", url), ("length", length), ("type", mime)]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
    if !missing.is_empty() {
        let size_hint = if e.attr("size").is_some() { " (the attribute is length, not size)" } else { "" };
        cx.push(Finding::new(
            id::RSS_ENC_ATTRS,
            at.clone(),
            format!("the enclosure has no {}{size_hint}", missing.join(", ")),
            "an enclosure needs url, length (bytes) and type",
        ));
    }
    if let Some(url) = url {
        enclosure_url(cx, url, mime, &at);
    }
    if let Some(m) = mime {
        enclosure_media_type(cx, m, &at);
    }
    if let Some(l) = length {
        enclosure_length(cx, l, at);
    }
}

/// PI-ENCL-HTTP, the URL rules, and APPLE-IT-ENCL-EXT / APPLE-IT-ENCL-TYPE:
/// an http(s) URL whose extension Apple lists, typed to match it.
fn enclosure_url(cx: &mut Cx<'_>, url: &str, mime: Option<&str>, at: &Where) {
    // Spaces around the URL are said once; the URL within is judged as
    // it is (not said to lack its scheme, nor to end in ".mp3 ").
    if url.trim() != url && !url.trim().is_empty() {
        cx.push(Finding::new(
            id::APPLE_IT_ENCL_ASCII,
            at.clone(),
            format!("the enclosure URL \"{}\" has spaces around it", truncate_chars(url, 80)),
            "write the URL alone between the quotes: apps that take it as it is fetch nothing",
        ));
    }
    let url = url.trim();
    if !has_scheme(url, "http") && !has_scheme(url, "https") {
        cx.push(Finding::new(
            id::PI_ENCL_HTTP,
            at.clone(),
            format!("the enclosure URL \"{}\" does not start with http:// or https://", truncate_chars(url, 80)),
            "give the media's full https:// address; Podcast Index drops the episode otherwise",
        ));
    }
    // A URL shared with another item: see across::check.
    url_rules(cx, url, at.clone(), "enclosure");
    let ext = url_extension(url);
    match ext.as_deref().and_then(|x| APPLE_TYPES.iter().find(|(e, _)| *e == x)) {
        None => unlisted_extension(cx, ext, mime, at),
        Some((x, types)) => type_for_extension(cx, x, types, mime, at),
    }
}

/// APPLE-IT-ENCL-EXT: an extension Apple does not list (only noted for a
/// per-format feed or a show meant for other apps).
fn unlisted_extension(cx: &mut Cx<'_>, ext: Option<String>, mime: Option<&str>, at: &Where) {
    match cx.opts.formats {
        Formats::PerFormat => cx.push(
            Finding::new(
                id::APPLE_IT_ENCL_EXT,
                at.clone(),
                format!(
                    "the enclosure is .{}: this feed is for apps that play it, not for Apple",
                    ext.unwrap_or_default()
                ),
                "submit feed.xml (MP3/AAC enclosures) to Apple and Spotify, not this one",
            )
            .severity(Severity::Info),
        ),
        Formats::Any => cx.push(
            Finding::new(
                id::APPLE_IT_ENCL_EXT,
                at.clone(),
                format!(
                    "the enclosure is .{}: Apple Podcasts and Spotify will not list this episode",
                    ext.unwrap_or_default()
                ),
                "the show says so on purpose (formats = \"any\"); apps that play the format will",
            )
            .severity(Severity::Info),
        ),
        Formats::Apple => {
            // MP3 or AAC already, by its type: the URL is what is wrong.
            let apple_type = APPLE_TYPES.iter().find(|(_, types)| mime.is_some_and(|m| types.contains(&m)));
            let help = match apple_type {
                Some((x, _)) => format!(
                    "the file is {} already: serve it at a URL whose path ends in .{x} (a direct link to the file, \
                     not a /download or tracking endpoint that hides the name)",
                    mime.unwrap_or_default()
                ),
                None => {
                    "make an MP3 (or AAC .m4a) the enclosure and offer other formats as <podcast:alternateEnclosure>"
                        .to_string()
                }
            };
            cx.push(Finding::new(
                id::APPLE_IT_ENCL_EXT,
                at.clone(),
                format!(
                    "the enclosure URL ends in {}; Apple lists only .mp3, .m4a, .mp4, .m4v, .mov and .pdf, and will not show this episode",
                    ext.map_or("no extension".into(), |x| format!(".{x}"))
                ),
                help,
            ))
        }
    }
}

/// APPLE-IT-ENCL-TYPE: a type that matches the extension `x`, one of
/// Apple's list (warning: a common alias of audio/mpeg; for .m4a, a type
/// apps play but Apple does not list).
fn type_for_extension(cx: &mut Cx<'_>, x: &str, types: &[&str], mime: Option<&str>, at: &Where) {
    let Some(m) = mime.filter(|m| !m.is_empty()) else { return };
    // The right type with parameters (`audio/mpeg; charset=binary`, as some
    // servers' `file -i` gives it): a type apps compare whole.
    if let Some((base, _)) = m.split_once(';')
        && types.contains(&base.trim())
    {
        cx.push(
            Finding::new(
                id::APPLE_IT_ENCL_TYPE,
                at.clone(),
                format!("type=\"{m}\" carries parameters; apps and directories compare the type whole"),
                format!("write type=\"{}\"", base.trim()),
            )
            .severity(Severity::Warning),
        );
        return;
    }
    if !types.contains(&m) {
        // audio/mp3 is not registered, but common and played everywhere.
        let alias = x == "mp3" && ["audio/mp3", "audio/x-mp3", "audio/mpeg3", "audio/x-mpeg"].contains(&m);
        let message = match alias {
            true => format!("type=\"{m}\" is not a registered type, nor in Apple's list (.{x} is {})", types[0]),
            false => format!("type=\"{m}\" does not match the .{x} extension"),
        };
        cx.push(
            Finding::new(id::APPLE_IT_ENCL_TYPE, at.clone(), message, format!("write type=\"{}\"", types[0]))
                .severity(if alias { Severity::Warning } else { Severity::Error }),
        );
    } else if x == "m4a" && m != "audio/x-m4a" {
        let broke = if m == "audio/mp4" { " (and broke one app)" } else { "" };
        cx.push(
            Finding::new(
                id::APPLE_IT_ENCL_TYPE,
                at.clone(),
                format!("type=\"{m}\" for .m4a is not in Apple's list{broke}"),
                "write type=\"audio/x-m4a\"",
            )
            .severity(Severity::Warning),
        );
    }
}

/// Whether `url` starts with `scheme://`, in any case (URL schemes are
/// case-insensitive: HTTPS:// is https://).
pub(crate) fn has_scheme(url: &str, scheme: &str) -> bool {
    url.split_once("://").is_some_and(|(s, _)| s.eq_ignore_ascii_case(scheme))
}

/// SPOT-IT-ENCL-TYPE: the enclosure's type is an audio, video or PDF type.
fn enclosure_media_type(cx: &mut Cx<'_>, m: &str, at: &Where) {
    if !(m.starts_with("audio/") || m.starts_with("video/") || m == "application/pdf") {
        cx.push(Finding::new(
            id::SPOT_IT_ENCL_TYPE,
            at.clone(),
            if m.is_empty() {
                "the enclosure's type is empty".to_string()
            } else {
                format!("the enclosure's type \"{m}\" is not an audio type")
            },
            "give the media's MIME type, e.g. audio/mpeg for MP3; Spotify ignores the episode otherwise",
        ));
    }
}

/// APPLE-IT-ENCL-LENGTH: the enclosure's length is a size in bytes (warning: 0).
fn enclosure_length(cx: &mut Cx<'_>, l: &str, at: Where) {
    match crate::text::whole_number::<u64>(l) {
        None => cx.push(Finding::new(
            id::APPLE_IT_ENCL_LENGTH,
            at,
            match !l.trim().is_empty() && l.trim().bytes().all(|b| b.is_ascii_digit()) {
                true => format!("length=\"{}\" is larger than any file", crate::text::truncate_chars(l, 40)),
                false => format!("length=\"{l}\" is not a size in bytes (a whole number)"),
            },
            "write the file's size in bytes (not its duration)",
        )),
        Some(0) => cx.push(
            Finding::new(
                id::APPLE_IT_ENCL_LENGTH,
                at,
                "length=\"0\": the size is unknown",
                "write the file's size in bytes",
            )
            .severity(Severity::Warning),
        ),
        Some(_) => {}
    }
}

/// APPLE-IT-ENCL-ASCII, APPLE-HOST-PUBLIC and APPLE-HOST-HTTPS for a media or image URL.
pub fn url_rules(cx: &mut Cx<'_>, url: &str, at: Where, what: &str) {
    if url.chars().any(|c| !c.is_ascii() || c.is_whitespace()) {
        cx.push(Finding::new(
            id::APPLE_IT_ENCL_ASCII,
            at.clone(),
            format!("the {what} URL \"{}\" has spaces or non-ASCII characters", truncate_chars(url, 80)),
            "use plain ASCII file names, or percent-encode the URL",
        ));
    }
    host_rules(cx, url, at.clone(), what);
    if has_scheme(url, "http") {
        cx.push(Finding::new(
            id::APPLE_HOST_HTTPS,
            at,
            format!("the {what} URL uses http://"),
            "serve it over https: Apple has announced secure feeds will be required, and browsers block mixed content",
        ));
    }
}

/// URL-CREDENTIALS and APPLE-HOST-PUBLIC for a URL that directories and
/// apps fetch (the feed's own, a media file's, an image's): no user name
/// or password in it, and a host on the public internet.
pub fn host_rules(cx: &mut Cx<'_>, url: &str, at: Where, what: &str) {
    let host = url.split_once("://").map(|(_, r)| r.split(['/', '?', '#']).next().unwrap_or("")).unwrap_or("");
    if let Some((user, _)) = host.rsplit_once('@') {
        let what_is_in_it = if user.contains(':') { "a user name and password" } else { "a user name" };
        cx.push(Finding::new(
            id::URL_CREDENTIALS,
            at.clone(),
            format!("the {what} URL \"{}\" carries {what_is_in_it}", truncate_chars(url, 80)),
            "publish the files where they can be fetched without one (anyone who reads the feed reads it)",
        ));
    }
    let host = crate::url::host_name(host);
    match crate::url::reach(&host) {
        Reach::Public => {}
        Reach::Loopback => cx.push(
            Finding::new(
                id::APPLE_HOST_PUBLIC,
                at,
                format!("the {what} URL points at {host}: only this computer can reach it"),
                "fine for a preview; set base_url to the public address before publishing",
            )
            .severity(Severity::Warning),
        ),
        Reach::Private => cx.push(Finding::new(
            id::APPLE_HOST_PUBLIC,
            at,
            format!("the {what} URL points at {host}, an address on a private network that directories cannot reach"),
            "host the files at a public address",
        )),
        Reach::Unserved(kind) => cx.push(Finding::new(
            id::APPLE_HOST_PUBLIC,
            at,
            format!("the {what} URL points at {host}, {kind}: no server can be reached there"),
            "host the files at a public address",
        )),
        Reach::OneLabel => cx.push(Finding::new(
            id::APPLE_HOST_PUBLIC,
            at,
            format!(
                "the {what} URL's host \"{host}\" is a name of one label, without a domain: public DNS does not resolve it, only a local network can"
            ),
            "use the full public name of the host (e.g. files.example.com)",
        )),
    }
}

/// A reason the title looks like it carries a number or the show's name.
fn title_smell(title: &str, show: &str) -> Option<String> {
    let lower = title.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("episode")
        .or_else(|| lower.strip_prefix("ep."))
        .or_else(|| lower.strip_prefix("ep"))
        .or_else(|| lower.strip_prefix('#'))
        .map(|r| r.trim_start_matches([' ', '.', '#']));
    if rest.is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())) {
        return Some(format!(
            "the title {} starts with an episode number",
            crate::text::quoted(&truncate_chars(title, 60))
        ));
    }
    if show.chars().count() >= 4 && title != show && contains_words(title, show) {
        return Some(format!("the title {} repeats the show's name", crate::text::quoted(&truncate_chars(title, 60))));
    }
    None
}

/// Whether `words` occurs in `text` as whole words: not inside a longer
/// word ("Tech" is in "Tech trends" and "Big Tech", not in "FinTech"). A
/// letter or digit of any script next to it makes it part of a word.
fn contains_words(text: &str, words: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let starts_word = alnum(words.chars().next());
    let ends_word = alnum(words.chars().next_back());
    text.match_indices(words).any(|(at, _)| {
        (!starts_word || !alnum(text[..at].chars().next_back()))
            && (!ends_word || !alnum(text[at + words.len()..].chars().next()))
    })
}

/// PSC-CHAPTERS: Podlove Simple Chapters, inline in the item: every
/// chapter has a title and a start in normal play time, in order.
fn simple_chapters(cx: &mut Cx<'_>, item: &Node, w: &Where, psc: &Ns) {
    let length = cx.child(item, &Ns::Itunes, "duration").and_then(|d| dates::duration(d.text.trim()).ok());
    for list in cx.children(item, psc, "chapters") {
        let mut last: Option<f64> = None;
        let chapters = cx.children(list, psc, "chapter");
        if chapters.is_empty() {
            cx.push(Finding::new(
                id::PSC_CHAPTERS,
                w.at(list.line),
                "<psc:chapters> holds no <psc:chapter>",
                "list the chapters in it, or leave it out",
            ));
        }
        for (n, c) in chapters.into_iter().enumerate() {
            let at = w.at(c.line);
            let start = c.attr("start");
            match start.map(crate::chapters::parse_time) {
                None => cx.push(Finding::new(
                    id::PSC_CHAPTERS,
                    at.clone(),
                    format!("<psc:chapter> {} has no start", n + 1),
                    "give every chapter a start, e.g. start=\"00:01:30.000\"",
                )),
                Some(None) => cx.push(Finding::new(
                    id::PSC_CHAPTERS,
                    at.clone(),
                    format!(
                        "<psc:chapter> {} starts at \"{}\", which is not a normal play time",
                        n + 1,
                        start.unwrap_or_default()
                    ),
                    "write the start as HH:MM:SS.mmm, e.g. start=\"00:01:30.000\"",
                )),
                Some(Some(secs)) => {
                    // A second's grace: durations are whole seconds.
                    if let Some(length) = length.filter(|&l| secs > l as f64 + 1.0) {
                        cx.push(
                            Finding::new(
                                id::PSC_CHAPTERS,
                                at.clone(),
                                format!(
                                    "<psc:chapter> {} starts at {}, after the episode's end ({} by itunes:duration)",
                                    n + 1,
                                    start.unwrap_or_default(),
                                    crate::text::clock(length)
                                ),
                                "fix the chapter's start, or the duration",
                            )
                            .severity(Severity::Warning),
                        );
                    }
                    if last.is_some_and(|l| secs < l) {
                        cx.push(
                            Finding::new(
                                id::PSC_CHAPTERS,
                                at.clone(),
                                format!("<psc:chapter> {} starts before the chapter listed above it", n + 1),
                                "list the chapters in the order they start",
                            )
                            .severity(Severity::Warning),
                        );
                    }
                    last = Some(secs);
                }
            }
            if c.attr("title").is_none_or(|t| t.trim().is_empty()) {
                cx.push(Finding::new(
                    id::PSC_CHAPTERS,
                    at,
                    format!("<psc:chapter> {} has no title", n + 1),
                    "give every chapter a title: apps list chapters by it",
                ));
            }
        }
    }
}

/// The text of show notes with their tags taken out, a line break for each
/// tag that starts a line (`<br />`, `<p class="x">`, `<li>`, `<div>`, …).
fn lines_of_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let tag = rest[open + 1..open + close].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect();
        if matches!(name.as_str(), "br" | "p" | "li" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr") {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// APPLE-IT-CHAPTERS: chapter timestamps in show notes.
fn chapters_in_description(cx: &mut Cx<'_>, d: &Node, at: Where) {
    let mut stamps: Vec<u64> = Vec::new();
    // Timestamps that begin a line (or a paragraph/list item in HTML).
    let text = lines_of_html(&d.text);
    for line in text.lines() {
        let line = line.trim_start().trim_start_matches(['(', '[']);
        let stamp: String = line.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
        if stamp.contains(':')
            && let Ok(s) = dates::duration(stamp.trim_end_matches(':'))
        {
            stamps.push(s);
        }
    }
    if stamps.is_empty() {
        return;
    }
    if stamps[0] != 0 || stamps.len() < 3 {
        cx.push(Finding::new(
            id::APPLE_IT_CHAPTERS,
            at,
            format!(
                "the show notes have {}, the first at {} s: Apple makes chapters only from 3 or more starting at 00:00",
                crate::text::count(stamps.len(), "timestamp"),
                stamps[0]
            ),
            "start the first chapter at 00:00 and list at least three, or use <podcast:chapters>",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_show_name_inside_a_longer_word_is_not_repeated() {
        assert_eq!(title_smell("FinTech trends in 2024", "Tech"), None);
        assert_eq!(title_smell("Technology today", "Tech"), None);
        assert_eq!(title_smell("Über Straßenbahn", "Straße"), None);
        assert_eq!(title_smell("Café Tech2024", "Tech"), None);
        assert!(title_smell("Big Tech, small news", "Tech").is_some_and(|w| w.contains("repeats the show's name")));
        assert!(title_smell("Tech: the year", "Tech").is_some());
        assert!(title_smell("über Straße reden", "Straße").is_some());
    }
}
