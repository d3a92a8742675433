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

/// A rule's id. Only the constants in [`id`] are ids, so a check that
/// names a rule that is not in the table does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleId(&'static str, Severity);

impl RuleId {
    /// The id as written in the catalogue (`APPLE-CH-IMAGE`).
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The severity of the rule's main finding.
    pub fn severity(self) -> Severity {
        self.1
    }
}

/// Makes the rule table and, from the same rows, a constant per id.
macro_rules! rule_table {
    ($($name:ident: $id:literal, $severity:ident, $kind:ident, $what:expr;)*) => {
        /// Every rule's id, as a constant named after it (`id::APPLE_CH_IMAGE`).
        pub mod id {
            use super::RuleId;
            use super::Severity::*;
            $(
                #[doc = $id]
                pub const $name: RuleId = RuleId($id, $severity);
            )*
        }

        /// Every rule, in catalogue order.
        pub static RULES: &[Rule] = &[$(r($id, $severity, $kind, $what)),*];
    };
}

rule_table! {
    // XML / RSS 2.0
    XML_WELLFORMED: "XML-WELLFORMED", Error, S, "Well-formed XML: `&` and `<` escaped outside CDATA (and `<` in attribute values), no `]]>` in text, tags closed, attributes apart, one root element with nothing but white space, comments and processing instructions around it, a declaration as XML writes it (`version`, then `encoding`, then `standalone`, quoted; no `<?XML`), only the five XML entities (no `&nbsp;`); at most 64 MB and 256 levels deep (warning: a DOCTYPE).";
    XML_DECL_FIRST: "XML-DECL-FIRST", Error, S, "`<?xml version=\"1.0\" encoding=\"UTF-8\"?>` is the very first thing in the file: no blank line or text before it (warning: no declaration at all, or a BOM).";
    XML_UTF8: "XML-UTF8", Error, S, "The feed is UTF-8 and declares no other encoding.";
    XML_NS_DECLARED: "XML-NS-DECLARED", Error, S, "Every prefix used (`itunes:`, `podcast:`, `media:` …) is declared.";
    XML_NS_EXACT: "XML-NS-EXACT", Error, S, "Known prefixes are bound to their exact, case-sensitive namespace URIs (`itunes`, `podcast`, `content`, `atom`, `spotify`, `media`; warning: `podcast` written `http://podcastindex.org/namespace/1.0`, which Podcast Index reads; note: its older GitHub address, which readers accept).";
    RSS_ROOT: "RSS-ROOT", Error, S, "The root is `<rss version=\"2.0\">` with exactly one `<channel>`.";
    RSS_CH_REQ: "RSS-CH-REQ", Error, S, "The channel has `title`, `link` and `description` (warning: no `link`, which Apple only recommends).";
    RSS_IT_TITLE_OR_DESC: "RSS-IT-TITLE-OR-DESC", Error, S, "Every item has a title or a description.";
    RSS_ENC_ATTRS: "RSS-ENC-ATTRS", Error, S, "`enclosure` has `url`, `length` and `type` (not `size=`).";
    RSS_ENC_ONE: "RSS-ENC-ONE", Warning, S, "One `enclosure` per item: apps and Podcast Index use the first; other formats belong in `podcast:alternateEnclosure`.";
    RSS_GUID_PERMALINK: "RSS-GUID-PERMALINK", Warning, S, "`guid isPermaLink` is `true` or `false`; a permalink guid (the default) is an http(s) URL. A warning: directories read any guid as a plain id (Apple's own sample feed writes a bare UUID); the W3C validator and RSS readers take a permalink for a link.";
    RSS_DATE: "RSS-DATE", Error, S, "The channel's `pubDate`/`lastBuildDate` are RFC 2822 dates with the right weekday and clock fields in range (warning: year before 1990; an item's: APPLE-IT-PUBDATE).";
    RSS_SELF: "RSS-SELF", Warning, S, "`atom:link rel=\"self\"` gives the feed's own absolute URL.";
    // Apple: channel
    APPLE_CH_TITLE: "APPLE-CH-TITLE", Error, S, "The show title is not empty (warning over 255 characters).";
    APPLE_CH_DESC: "APPLE-CH-DESC", Error, S, "The show description is not empty (warning over 4000 bytes).";
    APPLE_CH_IMAGE: "APPLE-CH-IMAGE", Error, S, "`itunes:image` is present, with an absolute http(s) URL in its `href` attribute (not as text).";
    APPLE_CH_IMAGE_SIZE: "APPLE-CH-IMAGE-SIZE", Error, M, "The cover is square and 1400–3000 px on a side.";
    APPLE_CH_IMAGE_FORMAT: "APPLE-CH-IMAGE-FORMAT", Error, M, "The cover is JPEG or PNG by its content, whole (not cut short, its header and tables undamaged, every PNG chunk matching its checksum), and the URL ends in .jpg, .jpeg or .png to match (without the file, a URL naming another picture type, such as .webp or .gif, fails too).";
    APPLE_CH_IMAGE_COLOR: "APPLE-CH-IMAGE-COLOR", Error, M, "The cover is RGB, not CMYK or greyscale (warning: transparency).";
    APPLE_CH_IMAGE_BYTES: "APPLE-CH-IMAGE-BYTES", Warning, M, "The cover file is at most 512 KB (Spotify, NPR One).";
    APPLE_CH_LANG: "APPLE-CH-LANG", Error, S, "`language` is an ISO 639 code, optionally with a region (`en`, `en-us`).";
    APPLE_CH_CAT: "APPLE-CH-CAT", Error, S, "At least one `itunes:category` from Apple's list, spelled exactly (one name per `text`, no spaces around it, no `Parent > Sub` in one attribute), each subcategory nested under its own parent.";
    APPLE_CH_CAT_LEGACY: "APPLE-CH-CAT-LEGACY", Warning, S, "No pre-2019 category names (`Games & Hobbies`, `Technology > Podcasting` …); the message says what to use instead.";
    APPLE_CH_EXPLICIT: "APPLE-CH-EXPLICIT", Error, S, "`itunes:explicit` is present and `true` or `false` (warning: the legacy `yes`/`no`/`clean`, still read by Apple).";
    APPLE_CH_AUTHOR: "APPLE-CH-AUTHOR", Warning, S, "`itunes:author` is at most 255 characters.";
    APPLE_CH_LINK: "APPLE-CH-LINK", Warning, S, "The channel `link` is an http(s) URL.";
    APPLE_CH_OWNER: "APPLE-CH-OWNER", Warning, S, "`itunes:owner` is present with an `itunes:name`.";
    APPLE_CH_TYPE: "APPLE-CH-TYPE", Error, S, "`itunes:type` is `episodic` or `serial`.";
    APPLE_CH_SERIAL_EPNUM: "APPLE-CH-SERIAL-EPNUM", Error, S, "In a serial show every full episode has `itunes:episode` (trailers and bonus episodes may have none).";
    APPLE_CH_COPYRIGHT: "APPLE-CH-COPYRIGHT", Info, S, "A `copyright` line, if the show is copyrighted.";
    APPLE_CH_NEWFEED: "APPLE-CH-NEWFEED", Error, S, "`itunes:new-feed-url` is an absolute http(s) URL (warning: the feed's own address, its `atom:link rel=\"self\"`, which moves no one).";
    APPLE_CH_BLOCK: "APPLE-CH-BLOCK", Warning, S, "`itunes:block` is `Yes` or `No` (any other value has no effect), and not `Yes`, which keeps the show out of Apple Podcasts (fine if meant).";
    APPLE_CH_COMPLETE: "APPLE-CH-COMPLETE", Warning, S, "`itunes:complete` is `Yes` or `No`.";
    APPLE_CH_LEN: "APPLE-CH-LEN", Warning, S, "Other Apple tags (an episode's `title`, `itunes:title`, `itunes:subtitle`, `itunes:name` …) are at most 255 characters; `itunes:summary` at most 4,000; titles and names open and end with no spaces; `itunes:summary` and `itunes:subtitle` hold no HTML.";
    APPLE_CH_DEPRECATED: "APPLE-CH-DEPRECATED", Info, S, "`itunes:summary`, `itunes:subtitle` and `itunes:keywords` are no longer read by Apple.";
    APPLE_CH_HASEPISODE: "APPLE-CH-HASEPISODE", Error, S, "The feed has at least one item with an enclosure (Apple, Spotify).";
    // Apple: items
    APPLE_IT_TITLE: "APPLE-IT-TITLE", Error, S, "Every item has a non-empty title (warning: episode numbers or the show title in it, or in its `itunes:title`; an empty `itunes:title`).";
    APPLE_IT_ENCL: "APPLE-IT-ENCL", Error, S, "Every item has an `enclosure`.";
    APPLE_IT_ENCL_EXT: "APPLE-IT-ENCL-EXT", Error, S, "The enclosure URL's path ends in an extension Apple lists (.mp3 .m4a .mp4 .m4v .mov .pdf): OGG, Opus, FLAC and WAV are not shown by Apple.";
    APPLE_IT_ENCL_TYPE: "APPLE-IT-ENCL-TYPE", Error, S, "The enclosure `type` is one Apple lists and matches the extension (warning: `audio/mp3` and its other aliases for .mp3; `audio/mp4`, `audio/m4a` or `audio/aac` for .m4a).";
    APPLE_IT_ENCL_UNIQUE: "APPLE-IT-ENCL-UNIQUE", Error, S, "No two items share an enclosure URL (Apple ignores the duplicates).";
    APPLE_IT_ENCL_LENGTH: "APPLE-IT-ENCL-LENGTH", Error, S, "The enclosure `length` is the file size in bytes: a whole number (warning: 0), equal to the real file's size [M].";
    APPLE_IT_ENCL_ASCII: "APPLE-IT-ENCL-ASCII", Error, S, "Enclosure and image URLs are ASCII with no spaces (percent-encode the rest).";
    APPLE_IT_GUID: "APPLE-IT-GUID", Error, S, "Every item has a `guid`, unique in the feed.";
    APPLE_IT_PUBDATE: "APPLE-IT-PUBDATE", Error, S, "An item's `pubDate` that is present is an RFC 2822 date with the right weekday and clock fields in range (warning: year before 1990; the channel's dates: RSS-DATE).";
    APPLE_IT_DESC: "APPLE-IT-DESC", Warning, S, "The episode description is at most 4000 bytes, in HTML Apple shows (`p ol ul li a`; `b i strong em`).";
    APPLE_IT_DURATION: "APPLE-IT-DURATION", Error, S, "`itunes:duration` is seconds, `MM:SS` or `HH:MM:SS` with fields under 60, no fractions (warning: missing).";
    APPLE_IT_LINK: "APPLE-IT-LINK", Warning, S, "Every item has a `link` to its web page.";
    APPLE_IT_IMAGE: "APPLE-IT-IMAGE", Warning, S, "Episode art has an http(s) `href`; [M] the file meets the cover's rules (square, 1400–3000 px, JPEG/PNG, RGB) (error: an audio file given as the art).";
    APPLE_IT_EXPLICIT: "APPLE-IT-EXPLICIT", Error, S, "An item's `itunes:explicit` is `true` or `false` (warning: legacy `yes`/`no`/`clean`, or none).";
    APPLE_IT_EPISODE: "APPLE-IT-EPISODE", Error, S, "`itunes:episode` is a whole number from 1 up.";
    APPLE_IT_SEASON: "APPLE-IT-SEASON", Error, S, "`itunes:season` is a whole number from 1 up.";
    APPLE_IT_EPTYPE: "APPLE-IT-EPTYPE", Error, S, "`itunes:episodeType` is `full`, `trailer` or `bonus`.";
    APPLE_IT_BLOCK: "APPLE-IT-BLOCK", Warning, S, "An item's `itunes:block` is `Yes` or `No`; note: `Yes`, which hides the episode in Apple Podcasts.";
    APPLE_IT_CHAPTERS: "APPLE-IT-CHAPTERS", Warning, S, "Timestamps in the description start at 00:00 and give at least three chapters (Apple's rule for description chapters).";
    // Hosting
    APPLE_HOST_PUBLIC: "APPLE-HOST-PUBLIC", Error, S, "The feed's own URL (`atom:link rel=\"self\"`), media and image URLs are not on a private network (10.x, 192.168.x, *.local …), a multicast or broadcast address, or a one-label name (`intranet`) public DNS does not resolve; loopback (`localhost`, `localhost.`, 127.x) gets a warning. [N] No redirect of a media or image URL leads to such a host (unless the URL is on that kind of host itself): that hop is not followed.";
    APPLE_HOST_HTTPS: "APPLE-HOST-HTTPS", Warning, S, "Feed, media and image URLs use https; [N] no redirect of an https media or image URL leads to http.";
    URL_CREDENTIALS: "URL-CREDENTIALS", Error, S, "The feed's own URL, media and image URLs carry no user name or password: everyone who reads the feed reads them, and browsers refuse such URLs in pages (Fetch standard), so web players and show-notes pages cannot play them.";
    APPLE_HOST_HEAD: "APPLE-HOST-HEAD", Error, N, "Every media and image URL answers HEAD with 200 (after redirects).";
    APPLE_HOST_RANGE: "APPLE-HOST-RANGE", Error, N, "Every media URL answers `Range: bytes=0-1` with 206 and `Content-Range` (after redirects).";
    APPLE_HOST_LENGTH: "APPLE-HOST-LENGTH", Error, N, "The served `Content-Length` equals the enclosure `length`.";
    APPLE_HOST_CTYPE: "APPLE-HOST-CTYPE", Error, N, "The served `Content-Type` matches the enclosure `type` (images: an image type).";
    APPLE_HOST_IMGTYPE: "APPLE-HOST-IMGTYPE", Error, N, "The image bytes served match the URL's extension (no WebP behind .png).";
    HOST_UNREACHABLE: "HOST-UNREACHABLE", Error, N, "The URL can be fetched at all (DNS, connection, TLS, timeout).";
    HOST_DURATION: "HOST-DURATION", Warning, N, "A media file whose length is in its headers plays for its item's `itunes:duration`, to the second (measured over Range requests, at most 128 KiB of it read).";
    // Spotify, Google, Podcast Index
    SPOT_CH_EMAIL: "SPOT-CH-EMAIL", Error, S, "`itunes:owner/itunes:email` holds a valid address: Spotify and YouTube send their ownership code there (warning when absent).";
    SPOT_CH_AUTHOR: "SPOT-CH-AUTHOR", Error, S, "`itunes:author` is present (Spotify needs it for a show to go live).";
    SPOT_IT_PUBDATE: "SPOT-IT-PUBDATE", Error, S, "Every item has a `pubDate` (Spotify, Pocket Casts).";
    SPOT_IT_ENCL_TYPE: "SPOT-IT-ENCL-TYPE", Error, S, "The enclosure `type` is an audio or video MIME type (Spotify ignores episodes typed `image/jpeg` or untyped).";
    SPOT_NS: "SPOT-NS", Warning, S, "`spotify:limit@recentCount` is a whole number and `spotify:countryOfOrigin` holds ISO 3166 codes.";
    GOOG_PROTOCOL: "GOOG-PROTOCOL", Warning, S, "The feed, its link and its enclosures do not mix http and https.";
    PI_ENCL_HTTP: "PI-ENCL-HTTP", Error, S, "Enclosure URLs start with http:// or https:// (Podcast Index drops other items).";
    PI_GUID: "PI-GUID", Warning, S, "guids are at most 740 characters and `language` at most 8 (Podcast Index cuts them).";
    PI_FUTURE: "PI-FUTURE", Warning, S, "Items dated in the future are hidden by apps until then.";
    W3C_KEYWORDS: "W3C-KEYWORDS", Warning, S, "`itunes:keywords` are separated by commas.";
    W3C_DUP_ELEMENTS: "W3C-DUP-ELEMENTS", Error, S, "Elements that occur once (`title`, `pubDate`, `guid`, `itunes:*`, `podcast:guid`, `podcast:chapters` …) are not repeated in a channel or item.";
    MISTAKE_DATE_TZ: "MISTAKE-DATE-TZ", Warning, S, "Dates use a numeric offset (`+0000`), not a zone name like `PST` that apps misread.";
    // Podcasting 2.0
    P20_HTTPS: "P20-HTTPS", Error, S, "URLs in `podcast:*` attributes (and each URL of a `podcast:images` `srcset`) are https (warning: an http URL of a `podcast:source`, which may use other schemes such as ipfs:, or of a link a listener follows rather than a file apps fetch: a `person`'s `href` and `img`, a `contentLink`, `funding` or `license` URL, a `remoteItem`'s `feedUrl`).";
    P20_ATTR_REQ: "P20-ATTR-REQ", Error, S, "`podcast:*` elements carry their required attributes and values (a `remoteItem`'s `feedGuid` is a UUID; a `liveItem` has a `status` of pending, live or ended and an ISO 8601 `start`; warning: a `liveItem` without a `podcast:contentLink`).";
    P20_GUID: "P20-GUID", Error, S, "`podcast:guid` is a UUID (warning: not version 5; note: not the UUIDv5 of the self URL; a feed without one: PSP-CH-REC).";
    P20_LOCKED: "P20-LOCKED", Error, S, "`podcast:locked` is `yes` or `no` (a feed without one: PSP-CH-REC).";
    P20_TRANSCRIPT: "P20-TRANSCRIPT", Error, S, "`podcast:transcript` has `url` and `type` (warning: a type apps do not know, a `language` that is not an ISO 639 code, a `rel` other than `captions`).";
    P20_CHAPTERS: "P20-CHAPTERS", Error, S, "`podcast:chapters` has a `url` and a `type` (warning: a type other than `application/json+chapters`); [M] the JSON has `version` and a `chapters` list, not empty, each `startTime` from 0 and before the audio ends (warning: not in ascending order); the file is there.";
    P20_PERSON: "P20-PERSON", Error, S, "`podcast:person` names someone, in at most 128 characters (warning: unknown role or group, or a role not of its group).";
    P20_FUNDING: "P20-FUNDING", Error, S, "`podcast:funding` has a `url` (warning: text over 128 characters).";
    P20_ALTENC: "P20-ALTENC", Error, S, "`podcast:alternateEnclosure` has `type` and at least one `podcast:source` (warning: no `length`); with `--media-root`, its `length` is the size of the file of its first http(s) source.";
    P20_SOURCE: "P20-SOURCE", Error, S, "`podcast:source` has a `uri`.";
    P20_SEASON: "P20-SEASON", Error, S, "`podcast:season` is a whole number.";
    P20_EPISODE: "P20-EPISODE", Error, S, "`podcast:episode` is a number, decimals allowed (`315.5`), written without a sign or an exponent.";
    P20_MEDIUM: "P20-MEDIUM", Error, S, "`podcast:medium` is one of the spec's values (warning: a list medium, `podcastL` and the like or `mixed`, or `publisher`, on a feed of items: such a feed holds `podcast:remoteItem`s).";
    P20_LICENSE: "P20-LICENSE", Error, S, "`podcast:license` is not empty, and a custom one (not an SPDX-style slug) has a `url` (warning: a slug without one that neither the SPDX list nor Podcast Index's has).";
    P20_TXT: "P20-TXT", Warning, S, "`podcast:txt` is at most 4000 characters, its `purpose` at most 128.";
    P20_PODROLL: "P20-PODROLL", Error, S, "`podcast:podroll` holds `podcast:remoteItem`s, each with a `feedGuid`.";
    P20_VALUE: "P20-VALUE", Error, S, "`podcast:value` has `type` and `method` (and a `suggested` amount that is a number) and recipients with `type`, `address` (a node's public key, 66 hex digits; a Lightning address, name@domain) and `split`.";
    P20_TRAILER: "P20-TRAILER", Error, S, "`podcast:trailer` has a title, a `url`, an RFC 2822 `pubdate` and, if it has a `length` or a `season`, a number of bytes and a season number (warning: a title over 128 characters).";
    P20_OTHER: "P20-OTHER", Error, S, "`podcast:soundbite` (startTime, duration), `podcast:location` (≤128 chars; warning: a `geo` that is not a geo: URI, an `osm` that is not N, W or R and a number, a `rel` other than subject or creator, a `country` that is not ISO 3166), `podcast:block` (yes/no; warning: `yes`, which asks the platforms it names, or all, not to list the show), `podcast:image` (href), `podcast:updateFrequency` (a text; `complete` true/false; `dtstart` an ISO 8601 date; `rrule` with a FREQ, a `dtstart` if it has a COUNT, and an UNTIL of the dtstart's form, a date or a date and time).";
    P20_PLACE: "P20-PLACE", Warning, S, "Each `podcast:*` tag is where the namespace puts it, as apps look for it there alone: `transcript`, `chapters`, `soundbite`, `season`, `episode`, `alternateEnclosure` and `socialInteract` in an item; `guid`, `locked`, `medium`, `updateFrequency`, `podroll`, `trailer`, `block`, `liveItem`, `publisher` and `podping` in the channel; `source` and `integrity` in an `alternateEnclosure`, `valueRecipient` and `valueTimeSplit` in a `value` (note: a tag the namespace does not define, such as a misspelling).";
    PSC_CHAPTERS: "PSC-CHAPTERS", Error, S, "`psc:chapters` (Podlove Simple Chapters, which Spotify reads) holds `psc:chapter`s, each with a `title` and a `start` in normal play time such as `00:01:30.000` (warning: starts not in ascending order, or after the item's `itunes:duration`).";
    PLACEHOLDER: "PLACEHOLDER", Warning, S, "Nothing is left from `podsmith init` or an example: URLs or e-mail on example.com (or .example, .test, .invalid), text saying \"placeholder\", [M] the placeholder cover.";
    MISTAKE_GUID_UNSTABLE: "MISTAKE-GUID-UNSTABLE", Warning, S, "No guid is a media URL (the enclosure's, or any URL of an audio or video file): generators that make the guid from the URL give every episode a new one when the media move to another host, and apps then download every episode again. Not in podsmith's own feeds (its `generator`), whose guids stay as published whatever the URLs. A warning, not the catalogue's error: the feed works as it is, and its published guids must stay.";
    PSP_CH_REC: "PSP-CH-REC", Warning, S, "The channel has `podcast:guid` and `podcast:locked`, as the PSP-1 standard recommends.";
    // Against the media
    MEDIA_MISSING: "MEDIA-MISSING", Error, M, "Every enclosure and image URL maps to a file in the show (or under `--media-root`).";
    MEDIA_UNREADABLE: "MEDIA-UNREADABLE", Error, M, "Every media file can be measured (not empty, not truncated, really audio).";
    MEDIA_TYPE: "MEDIA-TYPE", Error, M, "The enclosure `type` matches what the file really is.";
    MEDIA_DURATION: "MEDIA-DURATION", Error, M, "`itunes:duration` is within 1 s of the measured duration.";
    MEDIA_FORMATS_AGREE: "MEDIA-FORMATS-AGREE", Warning, M, "The formats of one episode (enclosure and alternates) agree in duration within 1 s.";
    MEDIA_VBR_NO_HEADER: "MEDIA-VBR-NO-HEADER", Warning, M, "A VBR MP3 has a Xing or VBRI header; without one, players show a wrong length and seek badly.";
}

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
    (
        "PSP-IT-REC",
        "APPLE-IT-LINK, APPLE-IT-PUBDATE, APPLE-IT-DESC, APPLE-IT-DURATION, APPLE-IT-IMAGE, APPLE-IT-EXPLICIT, P20-TRANSCRIPT",
    ),
    (
        "PODBASE-BASICS",
        "XML-WELLFORMED, RSS-ROOT (a feed given by URL is fetched first; one that cannot be is an error)",
    ),
    ("APPLE-CH-IMAGE-RENAME", "podsmith build (a cover changed under the URL it was published at is warned of)"),
];

/// Rules in the catalogue that `validate` does not check, and why: what a
/// directory does with a feed rather than what it asks of it, what no feed
/// can show, and what is no fault.
pub static NOT_CHECKED: &[(&str, &str)] = &[
    ("AMZN-GUID", "Amazon Music keeps identifiers of its own, unrelated to the feed's: nothing in a feed to check"),
    ("AMZN-SPEC", "Amazon publishes no feed specification: Apple's rules stand for it"),
    (
        "APPLE-CH-VERIFY",
        "Apple's ownership check is a `podcast:txt` a podcaster adds when asked to (P20-TXT checks its form)",
    ),
    ("APPLE-IT-TRANSCRIPT", "how Apple takes transcripts (P20-TRANSCRIPT checks the tag)"),
    ("CAST-ID3", "an MP3's own title tag: no directory refuses a file without one, and apps show the feed's title"),
    (
        "CAST-CBR",
        "a VBR MP3 is no fault where it has a Xing or VBRI header (MEDIA-VBR-NO-HEADER); `podsmith probe` says each file's mode",
    ),
    (
        "PI-EXPLICIT",
        "how Podcast Index reads `itunes:explicit` (APPLE-CH-EXPLICIT asks for true or false, which it reads alike)",
    ),
    ("PI-GUID-CANON", "how Podcast Index takes a `podcast:guid` (PSP-CH-REC asks for one, P20-GUID checks it)"),
    ("PODBASE-TLS", "Podbase's old certificate check (APPLE-HOST-HTTPS asks for https)"),
    ("PODBASE-URL", "whether the domain a feed is served from is the podcaster's own cannot be told from the feed"),
    (
        "PSP-CH-COPYRIGHT",
        "PSP-1 and Apple's own example disagree on a year or \"Copyright\" in `copyright`: directories take either",
    ),
    (
        "SPOT-CHAPTERS",
        "where Spotify reads chapters from (PSC-CHAPTERS checks Podlove chapters, which podsmith writes)",
    ),
    (
        "W3C-NS",
        "a namespace a reader does not know is no fault: apps and directories skip its tags (the known ones: XML-NS-EXACT)",
    ),
    ("YT-ADS", "about the audio's content, not the feed"),
    ("YT-THUMB", "`media:thumbnail` is optional (its namespace: XML-NS-DECLARED)"),
    ("YT-UPDATES", "how often YouTube reads a feed: nothing in it to check"),
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// What a rule needs to be checked, as the lists name it.
fn needs(kind: Kind) -> &'static str {
    match kind {
        Kind::Feed => "feed",
        Kind::Media => "media",
        Kind::Online => "--online",
    }
}

/// The rule list as one JSON object (`validate --list-rules --format
/// json`): `rules` (id, severity, needs, what), `covered` (id, by) and
/// `not_checked` (id, why), as [`markdown`] has them.
pub fn json() -> serde_json::Value {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|r| serde_json::json!({"id": r.id, "severity": r.severity.as_str(), "needs": needs(r.kind), "what": r.what}))
        .collect();
    let pairs = |list: &[(&str, &str)], key: &str| -> Vec<serde_json::Value> {
        list.iter().map(|(id, text)| serde_json::json!({"id": id, key: text})).collect()
    };
    serde_json::json!({"rules": rules, "covered": pairs(COVERED, "by"), "not_checked": pairs(NOT_CHECKED, "why")})
}

/// The rule list as Markdown, for the README (`podsmith validate --list-rules`).
pub fn markdown() -> String {
    let mut out = String::from("| rule | severity | needs | what it checks |\n|---|---|---|---|\n");
    for rule in RULES {
        let needs = needs(rule.kind);
        out.push_str(&format!("| {} | {} | {} | {} |\n", rule.id, rule.severity.as_str(), needs, rule.what));
    }
    out.push_str("\nCatalogue rules that the rules above already check:\n\n");
    for (id, by) in COVERED {
        out.push_str(&format!("- {id}: {by}\n"));
    }
    out.push_str("\nCatalogue rules not checked, and why:\n\n");
    for (id, why) in NOT_CHECKED {
        out.push_str(&format!("- {id}: {why}\n"));
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
        for (id, _) in COVERED.iter().chain(NOT_CHECKED) {
            assert!(find(id).is_none(), "{id} is both a rule and covered or not checked");
            assert!(seen.insert(id), "{id} listed twice");
        }
    }
}
