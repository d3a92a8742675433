//! The rule table: every check `validate` makes, with its id, severity and
//! what it needs. The README's rule list is generated from this table
//! (`podsmith validate --list-rules`), and a test keeps the two equal.
//!
//! Ids and severities follow `shared/directory-rules.md`, where each rule
//! names the directory or spec that requires it. Adding a rule: a row here,
//! a check in the module for its area, and a broken feed under
//! `tests/fixtures/rules/`.

use super::Severity::{self, Error, Info, Warning};

/// What a rule needs to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The feed alone (\[S\]).
    Feed,
    /// The media and image files (\[M\]).
    Media,
    /// Requests to the published URLs, with `--online` (\[N\]).
    Online,
}

impl Kind {
    /// The marker used in the rule catalogue.
    pub fn marker(self) -> &'static str {
        match self {
            Kind::Feed => "S",
            Kind::Media => "M",
            Kind::Online => "N",
        }
    }
}

/// One rule.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Rule {
    /// Stable id, as in the rule catalogue.
    pub id: &'static str,
    /// Severity of its main finding (some rules also give a lesser one, said in `what`).
    pub severity: Severity,
    /// What it needs.
    pub kind: Kind,
    /// What it checks.
    pub what: &'static str,
}

const fn r(id: &'static str, severity: Severity, kind: Kind, what: &'static str) -> Rule {
    Rule { id, severity, kind, what }
}

use Kind::{Feed as S, Media as M, Online as N};

/// Every rule, in catalogue order.
pub static RULES: &[Rule] = &[
    // XML / RSS 2.0
    r(
        "XML-WELLFORMED",
        Error,
        S,
        "Well-formed XML: `&` and `<` escaped outside CDATA, tags closed, only the five XML entities (no `&nbsp;`); at most 64 MB and 256 levels deep.",
    ),
    r(
        "XML-DECL-FIRST",
        Error,
        S,
        "`<?xml version=\"1.0\" encoding=\"UTF-8\"?>` is the very first thing in the file: no blank line or text before it (warning: no declaration at all, or a BOM).",
    ),
    r("XML-UTF8", Error, S, "The feed is UTF-8 and declares no other encoding."),
    r("XML-NS-DECLARED", Error, S, "Every prefix used (`itunes:`, `podcast:`, `media:` …) is declared."),
    r(
        "XML-NS-EXACT",
        Error,
        S,
        "Known prefixes are bound to their exact, case-sensitive namespace URIs (`itunes`, `podcast`, `content`, `atom`, `spotify`, `media`).",
    ),
    r("RSS-ROOT", Error, S, "The root is `<rss version=\"2.0\">` with exactly one `<channel>`."),
    r("RSS-CH-REQ", Error, S, "The channel has `title`, `link` and `description`."),
    r("RSS-IT-TITLE-OR-DESC", Error, S, "Every item has a title or a description."),
    r("RSS-ENC-ATTRS", Error, S, "`enclosure` has `url`, `length` and `type` (not `size=`)."),
    r(
        "RSS-ENC-ONE",
        Warning,
        S,
        "One `enclosure` per item: apps and Podcast Index use the first; other formats belong in `podcast:alternateEnclosure`.",
    ),
    r(
        "RSS-GUID-PERMALINK",
        Error,
        S,
        "`guid isPermaLink` is `true` or `false`; a permalink guid (the default) is an http(s) URL.",
    ),
    r(
        "RSS-DATE",
        Error,
        S,
        "`pubDate`/`lastBuildDate` are RFC 2822 dates with the right weekday and clock fields in range (warning: year before 1990).",
    ),
    r("RSS-SELF", Warning, S, "`atom:link rel=\"self\"` gives the feed's own absolute URL."),
    // Apple: channel
    r("APPLE-CH-TITLE", Error, S, "The show title is not empty (warning over 255 characters)."),
    r("APPLE-CH-DESC", Error, S, "The show description is not empty (warning over 4000 bytes)."),
    r(
        "APPLE-CH-IMAGE",
        Error,
        S,
        "`itunes:image` is present, with an absolute http(s) URL in its `href` attribute (not as text).",
    ),
    r("APPLE-CH-IMAGE-SIZE", Error, M, "The cover is square and 1400–3000 px on a side."),
    r(
        "APPLE-CH-IMAGE-FORMAT",
        Error,
        M,
        "The cover is JPEG or PNG by its content, and the URL ends in .jpg, .jpeg or .png to match.",
    ),
    r("APPLE-CH-IMAGE-COLOR", Error, M, "The cover is RGB, not CMYK or greyscale (warning: transparency)."),
    r("APPLE-CH-IMAGE-BYTES", Warning, M, "The cover file is at most 512 KB (Spotify, NPR One)."),
    r("APPLE-CH-LANG", Error, S, "`language` is an ISO 639 code, optionally with a region (`en`, `en-us`)."),
    r(
        "APPLE-CH-CAT",
        Error,
        S,
        "At least one `itunes:category` from Apple's list, spelled exactly, each subcategory nested under its own parent.",
    ),
    r(
        "APPLE-CH-CAT-LEGACY",
        Warning,
        S,
        "No pre-2019 category names (`Games & Hobbies`, `Technology > Podcasting` …); the message says what to use instead.",
    ),
    r(
        "APPLE-CH-EXPLICIT",
        Error,
        S,
        "`itunes:explicit` is present and `true` or `false` (warning: the legacy `yes`/`no`/`clean`, still read by Apple).",
    ),
    r("APPLE-CH-AUTHOR", Warning, S, "`itunes:author` is at most 255 characters."),
    r("APPLE-CH-LINK", Warning, S, "The channel `link` is an http(s) URL."),
    r("APPLE-CH-OWNER", Warning, S, "`itunes:owner` is present with an `itunes:name`."),
    r("APPLE-CH-TYPE", Error, S, "`itunes:type` is `episodic` or `serial`."),
    r("APPLE-CH-SERIAL-EPNUM", Error, S, "In a serial show every item has `itunes:episode`."),
    r("APPLE-CH-COPYRIGHT", Info, S, "A `copyright` line, if the show is copyrighted."),
    r("APPLE-CH-NEWFEED", Error, S, "`itunes:new-feed-url` is an absolute http(s) URL."),
    r("APPLE-CH-BLOCK", Warning, S, "`itunes:block` is `Yes` or `No` (any other value has no effect)."),
    r("APPLE-CH-COMPLETE", Warning, S, "`itunes:complete` is `Yes` or `No`."),
    r(
        "APPLE-CH-LEN",
        Warning,
        S,
        "Other Apple tags (`itunes:title`, `itunes:subtitle`, `itunes:name` …) are at most 255 characters.",
    ),
    r(
        "APPLE-CH-DEPRECATED",
        Info,
        S,
        "`itunes:summary`, `itunes:subtitle` and `itunes:keywords` are no longer read by Apple.",
    ),
    r("APPLE-CH-HASEPISODE", Error, S, "The feed has at least one item with an enclosure (Apple, Spotify)."),
    // Apple: items
    r(
        "APPLE-IT-TITLE",
        Error,
        S,
        "Every item has a non-empty title (warning: episode numbers or the show title in it).",
    ),
    r("APPLE-IT-ENCL", Error, S, "Every item has an `enclosure`."),
    r(
        "APPLE-IT-ENCL-EXT",
        Error,
        S,
        "The enclosure URL's path ends in an extension Apple lists (.mp3 .m4a .mp4 .m4v .mov .pdf): OGG, Opus, FLAC and WAV are not shown by Apple.",
    ),
    r(
        "APPLE-IT-ENCL-TYPE",
        Error,
        S,
        "The enclosure `type` is one Apple lists and matches the extension (warning: `audio/mp4` for .m4a).",
    ),
    r("APPLE-IT-ENCL-UNIQUE", Error, S, "No two items share an enclosure URL (Apple ignores the duplicates)."),
    r(
        "APPLE-IT-ENCL-LENGTH",
        Error,
        S,
        "The enclosure `length` is the file size in bytes: a whole number (warning: 0), equal to the real file's size [M].",
    ),
    r("APPLE-IT-ENCL-ASCII", Error, S, "Enclosure and image URLs are ASCII with no spaces (percent-encode the rest)."),
    r("APPLE-IT-GUID", Error, S, "Every item has a `guid`, unique in the feed."),
    r("APPLE-IT-PUBDATE", Error, S, "A `pubDate` that is present is an RFC 2822 date (see RSS-DATE)."),
    r("APPLE-IT-DESC", Warning, S, "The episode description is at most 4000 bytes."),
    r(
        "APPLE-IT-DURATION",
        Error,
        S,
        "`itunes:duration` is seconds, `MM:SS` or `HH:MM:SS` with fields under 60, no fractions (warning: missing).",
    ),
    r("APPLE-IT-LINK", Warning, S, "Every item has a `link` to its web page."),
    r(
        "APPLE-IT-IMAGE",
        Warning,
        S,
        "Episode art has an http(s) `href`; [M] the file meets the cover's rules (square, 1400–3000 px, JPEG/PNG, RGB).",
    ),
    r(
        "APPLE-IT-EXPLICIT",
        Error,
        S,
        "An item's `itunes:explicit` is `true` or `false` (warning: legacy `yes`/`no`/`clean`).",
    ),
    r("APPLE-IT-EPISODE", Error, S, "`itunes:episode` is a whole number from 1 up."),
    r("APPLE-IT-SEASON", Error, S, "`itunes:season` is a whole number from 1 up."),
    r("APPLE-IT-EPTYPE", Error, S, "`itunes:episodeType` is `full`, `trailer` or `bonus`."),
    r("APPLE-IT-BLOCK", Warning, S, "An item's `itunes:block` is `Yes` or `No`."),
    r(
        "APPLE-IT-CHAPTERS",
        Warning,
        S,
        "Timestamps in the description start at 00:00 and give at least three chapters (Apple's rule for description chapters).",
    ),
    // Hosting
    r(
        "APPLE-HOST-PUBLIC",
        Error,
        S,
        "Media and image URLs are not on a private network (10.x, 192.168.x, *.local …); loopback gets a warning.",
    ),
    r("APPLE-HOST-HTTPS", Warning, S, "Feed, media and image URLs use https."),
    r("APPLE-HOST-HEAD", Error, N, "Every media and image URL answers HEAD with 200 (after redirects)."),
    r(
        "APPLE-HOST-RANGE",
        Error,
        N,
        "Every media URL answers `Range: bytes=0-1` with 206 and `Content-Range` (after redirects).",
    ),
    r("APPLE-HOST-LENGTH", Error, N, "The served `Content-Length` equals the enclosure `length`."),
    r("APPLE-HOST-CTYPE", Error, N, "The served `Content-Type` matches the enclosure `type` (images: an image type)."),
    r("APPLE-HOST-IMGTYPE", Error, N, "The image bytes served match the URL's extension (no WebP behind .png)."),
    r("HOST-UNREACHABLE", Error, N, "The URL can be fetched at all (DNS, connection, TLS, timeout)."),
    // Spotify, Google, Podcast Index
    r(
        "SPOT-CH-EMAIL",
        Error,
        S,
        "`itunes:owner/itunes:email` holds a valid address: Spotify and YouTube send their ownership code there (warning when absent).",
    ),
    r("SPOT-CH-AUTHOR", Error, S, "`itunes:author` is present (Spotify needs it for a show to go live)."),
    r("SPOT-IT-PUBDATE", Error, S, "Every item has a `pubDate` (Spotify, Pocket Casts)."),
    r(
        "SPOT-IT-ENCL-TYPE",
        Error,
        S,
        "The enclosure `type` is an audio or video MIME type (Spotify ignores episodes typed `image/jpeg` or untyped).",
    ),
    r(
        "SPOT-NS",
        Warning,
        S,
        "`spotify:limit@recentCount` is a whole number and `spotify:countryOfOrigin` holds ISO 3166 codes.",
    ),
    r("GOOG-PROTOCOL", Warning, S, "The feed, its link and its enclosures do not mix http and https."),
    r("PI-ENCL-HTTP", Error, S, "Enclosure URLs start with http:// or https:// (Podcast Index drops other items)."),
    r("PI-GUID", Warning, S, "guids are at most 740 characters and `language` at most 8 (Podcast Index cuts them)."),
    r("PI-FUTURE", Warning, S, "Items dated in the future are hidden by apps until then."),
    r("W3C-KEYWORDS", Warning, S, "`itunes:keywords` are separated by commas."),
    r(
        "W3C-DUP-ELEMENTS",
        Error,
        S,
        "Elements that occur once (`title`, `pubDate`, `guid`, `itunes:*` …) are not repeated in a channel or item.",
    ),
    r(
        "MISTAKE-DATE-TZ",
        Warning,
        S,
        "Dates use a numeric offset (`+0000`), not a zone name like `PST` that apps misread.",
    ),
    // Podcasting 2.0
    r(
        "P20-HTTPS",
        Error,
        S,
        "URLs in `podcast:*` attributes are https (warning for a `podcast:source`, which may use other schemes such as ipfs:).",
    ),
    r("P20-ATTR-REQ", Error, S, "`podcast:*` elements carry their required attributes and values."),
    r(
        "P20-GUID",
        Error,
        S,
        "`podcast:guid` is a UUID (warning: not version 5, or missing; note: not the UUIDv5 of the self URL).",
    ),
    r("P20-LOCKED", Error, S, "`podcast:locked` is `yes` or `no` (warning: missing)."),
    r("P20-TRANSCRIPT", Error, S, "`podcast:transcript` has `url` and `type` (warning: a type apps do not know)."),
    r(
        "P20-CHAPTERS",
        Error,
        S,
        "`podcast:chapters` has `url` and `type` `application/json+chapters`; [M] the JSON has `version` and `chapters` with ascending `startTime`s.",
    ),
    r(
        "P20-PERSON",
        Error,
        S,
        "`podcast:person` names someone, in at most 128 characters (warning: unknown role or group).",
    ),
    r("P20-FUNDING", Error, S, "`podcast:funding` has a `url` (warning: text over 128 characters)."),
    r(
        "P20-ALTENC",
        Error,
        S,
        "`podcast:alternateEnclosure` has `type` and at least one `podcast:source` (warning: no `length`).",
    ),
    r("P20-SOURCE", Error, S, "`podcast:source` has a `uri`."),
    r("P20-SEASON", Error, S, "`podcast:season` is a whole number."),
    r("P20-EPISODE", Error, S, "`podcast:episode` is a number (decimals allowed)."),
    r("P20-MEDIUM", Error, S, "`podcast:medium` is one of the spec's values."),
    r("P20-LICENSE", Error, S, "A custom `podcast:license` (not an SPDX-style slug) has a `url`."),
    r("P20-TXT", Warning, S, "`podcast:txt` is at most 4000 characters, its `purpose` at most 128."),
    r("P20-PODROLL", Error, S, "`podcast:podroll` holds `podcast:remoteItem`s, each with a `feedGuid`."),
    r(
        "P20-VALUE",
        Error,
        S,
        "`podcast:value` has `type` and `method` and recipients with `type`, `address` and `split`.",
    ),
    r("P20-TRAILER", Error, S, "`podcast:trailer` has a title, a `url` and an RFC 2822 `pubdate`."),
    r(
        "P20-OTHER",
        Error,
        S,
        "`podcast:soundbite` (startTime, duration), `podcast:location` (≤128 chars), `podcast:block` (yes/no), `podcast:image` (href).",
    ),
    r(
        "PLACEHOLDER",
        Warning,
        S,
        "Nothing is left from `podsmith init` or an example: URLs or e-mail on example.com (or .example, .test, .invalid), text saying \"placeholder\", [M] the placeholder cover.",
    ),
    r(
        "PSP-CH-REC",
        Warning,
        S,
        "The channel has `podcast:guid` and `podcast:locked`, as the PSP-1 standard recommends.",
    ),
    // Against the media
    r("MEDIA-MISSING", Error, M, "Every enclosure and image URL maps to a file in the show (or under `--media-root`)."),
    r("MEDIA-UNREADABLE", Error, M, "Every media file can be measured (not empty, not truncated, really audio)."),
    r("MEDIA-TYPE", Error, M, "The enclosure `type` matches what the file really is."),
    r("MEDIA-DURATION", Error, M, "`itunes:duration` is within 1 s of the measured duration."),
    r(
        "MEDIA-FORMATS-AGREE",
        Warning,
        M,
        "The formats of one episode (enclosure and alternates) agree in duration within 1 s.",
    ),
    r(
        "MEDIA-VBR-NO-HEADER",
        Warning,
        M,
        "A VBR MP3 has a Xing or VBRI header; without one, players show a wrong length and seek badly.",
    ),
];

/// Rules in the catalogue that another rule here already checks.
pub static COVERED: &[(&str, &str)] = &[
    ("APPLE-CH-DECL", "XML-NS-EXACT"),
    ("APPLE-CH-ITITLE", "APPLE-CH-LEN"),
    ("APPLE-IT-ITITLE", "APPLE-CH-LEN"),
    ("SPOT-CH-IMAGE", "APPLE-CH-IMAGE"),
    ("SPOT-CH-EPISODE", "APPLE-CH-HASEPISODE"),
    ("SPOT-IT-GUID", "APPLE-IT-GUID"),
    ("YT-EMAIL", "SPOT-CH-EMAIL"),
    ("PI-ENCL-FIRST", "RSS-ENC-ONE"),
    ("P20-NS", "XML-NS-DECLARED, XML-NS-EXACT"),
    ("PSP-NS", "XML-NS-DECLARED"),
    ("PSP-CH-REQ", "RSS-SELF, RSS-CH-REQ, APPLE-CH-*"),
    ("PSP-IT-REQ", "APPLE-IT-TITLE, APPLE-IT-ENCL, APPLE-IT-GUID"),
    ("PSP-IT-OPT", "APPLE-IT-EPISODE, APPLE-IT-SEASON, APPLE-IT-EPTYPE"),
    ("W3C-EXPLICIT", "APPLE-CH-EXPLICIT, APPLE-IT-EXPLICIT"),
    ("W3C-BLOCK", "APPLE-CH-BLOCK"),
    ("W3C-LEN", "APPLE-CH-LEN, APPLE-CH-AUTHOR"),
    ("W3C-CATEGORY", "APPLE-CH-CAT, APPLE-CH-CAT-LEGACY"),
    ("W3C-OWNER", "APPLE-CH-OWNER, SPOT-CH-EMAIL"),
    ("W3C-ITUNES-MISSING", "APPLE-CH-LANG, APPLE-CH-CAT, APPLE-CH-EXPLICIT"),
    ("W3C-IMAGE", "APPLE-CH-IMAGE"),
    ("W3C-FORMAT", "APPLE-IT-ENCL-EXT"),
    ("W3C-NUM-ENUM", "APPLE-IT-EPISODE, APPLE-IT-SEASON, APPLE-IT-EPTYPE, APPLE-CH-TYPE, APPLE-IT-DURATION"),
    ("W3C-ENC", "RSS-ENC-ATTRS, APPLE-IT-ENCL-LENGTH, PI-ENCL-HTTP"),
    ("W3C-GUID", "APPLE-IT-GUID, RSS-GUID-PERMALINK"),
    ("W3C-DATE", "RSS-DATE"),
    ("W3C-UTF8", "XML-UTF8"),
    ("W3C-SELF", "RSS-SELF"),
    ("CAST-SELF", "RSS-SELF"),
    ("CAST-LANG", "APPLE-CH-LANG"),
    ("CAST-LENGTH", "APPLE-IT-ENCL-LENGTH"),
    ("CAST-DUP-ENCL", "APPLE-IT-ENCL-UNIQUE"),
    ("CAST-ART", "APPLE-CH-IMAGE"),
    ("CAST-HOST", "APPLE-HOST-HEAD, APPLE-HOST-RANGE"),
    ("PODBASE-ART", "APPLE-CH-IMAGE-SIZE, APPLE-CH-IMAGE-BYTES"),
    ("PODBASE-HOST", "APPLE-HOST-HEAD, APPLE-HOST-RANGE"),
    ("PODBASE-META", "APPLE-CH-CAT, APPLE-CH-EXPLICIT, RSS-CH-REQ, SPOT-CH-EMAIL"),
    ("PODBASE-EXT", "APPLE-IT-ENCL-EXT"),
    ("MISTAKE-AMP", "XML-WELLFORMED"),
    ("MISTAKE-HTML-ENTITY", "XML-WELLFORMED"),
    ("MISTAKE-LEADING-WS", "XML-DECL-FIRST"),
    ("MISTAKE-UNBOUND-NS", "XML-NS-DECLARED, XML-NS-EXACT"),
    ("MISTAKE-LENGTH", "APPLE-IT-ENCL-LENGTH"),
    ("MISTAKE-ENCL-TYPE", "APPLE-IT-ENCL-TYPE, SPOT-IT-ENCL-TYPE"),
    ("MISTAKE-ENCL-MISSING", "APPLE-IT-ENCL"),
    ("MISTAKE-MULTI-ENCL", "RSS-ENC-ONE"),
    ("MISTAKE-DATE", "RSS-DATE, SPOT-IT-PUBDATE"),
    ("MISTAKE-DATE-NOW", "podsmith build (dates come from the manifest)"),
    ("MISTAKE-GUID-DUP", "APPLE-IT-GUID"),
    ("MISTAKE-EXPLICIT", "APPLE-CH-EXPLICIT"),
    ("MISTAKE-CATEGORY", "APPLE-CH-CAT"),
    ("MISTAKE-ART", "APPLE-CH-IMAGE, APPLE-CH-IMAGE-SIZE, APPLE-CH-IMAGE-FORMAT"),
    ("MISTAKE-EMAIL", "SPOT-CH-EMAIL"),
    ("MISTAKE-DURATION", "APPLE-IT-DURATION, MEDIA-DURATION"),
    ("MISTAKE-HOSTING", "APPLE-HOST-*"),
    ("MISTAKE-HTTP", "APPLE-HOST-HTTPS"),
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The rule list as Markdown, for the README (`podsmith validate --list-rules`).
pub fn markdown() -> String {
    let mut out = String::from("| rule | severity | needs | what it checks |\n|---|---|---|---|\n");
    for rule in RULES {
        let needs = match rule.kind {
            Kind::Feed => "feed",
            Kind::Media => "media",
            Kind::Online => "--online",
        };
        out.push_str(&format!("| {} | {} | {} | {} |\n", rule.id, rule.severity.as_str(), needs, rule.what));
    }
    out.push_str("\nCatalogue rules that the rules above already check:\n\n");
    for (id, by) in COVERED {
        out.push_str(&format!("- {id}: {by}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.id), "{} twice", rule.id);
            assert!(rule.id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'), "{}", rule.id);
        }
        for (id, _) in COVERED {
            assert!(find(id).is_none(), "{id} is both a rule and covered");
        }
    }
}
