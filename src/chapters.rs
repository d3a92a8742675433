//! Chapters: given in the manifest (`[[episode.chapters]]` tables or a
//! Podcasting 2.0 chapters JSON file) or carried by the MP3 itself (its
//! ID3v2 `CHAP` frames: [`crate::probe::id3`]); checked against the measured
//! audio of every format of the episode; published as
//! `episodes/<slug>/chapters.json` (JSON chapters 1.2) with
//! `podcast:chapters`, and listed on the page.

use serde::{Deserialize, Serialize};

use crate::manifest::Asset;
use crate::probe::id3::TaggedChapter;

/// One chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// Start, in seconds from the start of the episode.
    pub start: f64,
    /// End, in seconds, where given.
    pub end: Option<f64>,
    /// Title.
    pub title: String,
    /// A web page about it.
    pub url: Option<crate::url::HttpUrl>,
    /// Its picture: a file in the show folder, or a URL.
    pub image: Option<Asset>,
    /// Listed in the table of contents (`toc = false`: a silent marker,
    /// e.g. a picture change).
    pub toc: bool,
    /// The manifest's line that gives it: its own `[[episode.chapters]]`
    /// table's, or the `chapters_file` line; 0 for an MP3's own chapter.
    pub line: usize,
    /// The place it is about, as a chapters file gives it (JSON chapters'
    /// `location`: a name and a `geo:` URI), published as given.
    pub location: Option<Place>,
    /// An MP3's own chapter's picture (its `APIC` frame): where it is in
    /// the MP3 the chapters come from ([`Origin::Tagged`]).
    pub embedded: Option<crate::probe::id3::Picture>,
}

/// A chapter's place (JSON chapters' `location`, as the Podcasting 2.0
/// `podcast:location` tag has it): its name, and where it is as a `geo:`
/// URI (RFC 5870) and an OpenStreetMap object, where given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// Its name ("Berlin"), at most 128 characters.
    #[serde(default)]
    pub name: String,
    /// `geo:52.52,13.405`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<String>,
    /// An OpenStreetMap object: a type letter and its id (`R62422`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osm: Option<String>,
}

impl Place {
    /// What is wrong with it, if anything (chapter `n`).
    fn problem(&self, n: usize) -> Option<String> {
        let name = self.name.trim();
        if name.is_empty() || self.name.chars().count() > 128 {
            return Some(format!("chapter {n}: `location` needs a `name` of 1 to 128 characters"));
        }
        if let Some(geo) = &self.geo
            && !(geo.starts_with("geo:") && geo.len() > 4 && geo.len() <= 256 && !crate::text::has_control(geo))
        {
            return Some(format!("chapter {n}: `location` `geo` \"{geo}\" is not a geo: URI (geo:52.52,13.405)"));
        }
        if let Some(osm) = &self.osm {
            let mut chars = osm.chars();
            let kind_ok = chars.next().is_some_and(|c| matches!(c, 'N' | 'W' | 'R'));
            let rest = chars.as_str();
            let (id, revision) = rest.split_once('#').unwrap_or((rest, "1"));
            let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
            if !(kind_ok && digits(id) && digits(revision)) {
                return Some(format!(
                    "chapter {n}: `location` `osm` \"{osm}\" is not an OpenStreetMap object (N, W or R and its id: R62422)"
                ));
            }
        }
        None
    }
}

/// What a chapters file says of the episode as a whole (JSON chapters'
/// `title`, `podcastName`, `author`): a build gives the episode's and the
/// show's, and `import` keeps those of the file it rewrites.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    /// The episode's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The show's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub podcast_name: Option<String>,
    /// Who made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

impl About {
    /// What the chapters file `bytes` says of its episode, where it is one
    /// (strings only; anything else is left out).
    pub fn of_json(bytes: &[u8]) -> About {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Lax {
            title: Option<serde_json::Value>,
            podcast_name: Option<serde_json::Value>,
            author: Option<serde_json::Value>,
        }
        let text = |v: Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s),
            _ => None,
        };
        match serde_json::from_slice::<Lax>(bytes) {
            Ok(l) => About { title: text(l.title), podcast_name: text(l.podcast_name), author: text(l.author) },
            Err(_) => About::default(),
        }
    }
}

/// What fixes a problem of a chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Its start.
    Start,
    /// Its end.
    End,
    /// Its title.
    Title,
}

/// A problem of one chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The chapter's index in the list (0-based).
    pub chapter: usize,
    /// What is wrong.
    pub message: String,
    /// What fixes it.
    pub fix: Fix,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where an episode's chapters come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `[[episode.chapters]]` tables.
    Inline,
    /// A chapters JSON file in the show folder (its path).
    File(String),
    /// The MP3's ID3v2 tag (its path or URL).
    Tagged(String),
}

/// An episode's chapters and where they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapters {
    /// The chapters, by start.
    pub list: Vec<Chapter>,
    /// Where they come from.
    pub origin: Origin,
    /// Whether apps are to show the chapters' locations on a map, as a
    /// route (a chapters file's `waypoints`).
    pub waypoints: bool,
}

impl Chapters {
    /// The chapters of an MP3's tag, and what of them is not published,
    /// a line for each chapter: a link that is not an http(s) URL (or is
    /// over 2,000 characters).
    pub fn tagged(tagged: &[TaggedChapter], of: &str) -> Option<(Chapters, Vec<String>)> {
        if tagged.is_empty() {
            return None;
        }
        let mut said = Vec::new();
        let list = tagged
            .iter()
            .enumerate()
            .map(|(n, t)| {
                let start = f64::from(t.start_ms) / 1000.0;
                let url = t.url.as_deref().and_then(|u| match link_problem(u) {
                    None => crate::url::HttpUrl::parse(u).ok(),
                    Some(problem) => {
                        let (title, u) = (
                            crate::text::quoted(&crate::text::truncate_chars(&t.title, 40)),
                            crate::text::truncate_chars(u, 80),
                        );
                        said.push(format!(
                            "chapter {} ({title}, {}): its link \"{u}\" {problem}: published without it",
                            n + 1,
                            clock(start)
                        ));
                        None
                    }
                });
                if t.title.contains(['\u{202D}', '\u{202E}']) {
                    said.push(format!(
                        "chapter {} ({}): its title holds a direction override (U+202D or U+202E), which shows the \
                         letters after it in the reverse order: it reads as other words in apps than it holds",
                        n + 1,
                        clock(start)
                    ));
                }
                Chapter {
                    start,
                    end: t.end_ms.map(|e| f64::from(e) / 1000.0),
                    title: one_line_title(&t.title),
                    url,
                    image: None,
                    toc: t.toc,
                    line: 0,
                    location: None,
                    embedded: t.picture,
                }
            })
            .collect();
        Some((Chapters { list, origin: Origin::Tagged(of.to_string()), waypoints: false }, said))
    }

    /// An MP3's own chapters made fit to publish with audio of `duration`
    /// seconds (the shortest of the episode's formats; `what` names it as
    /// [`Chapters::problems`] has it): in the order of their start, without
    /// a chapter that starts where the one before does or after the end,
    /// and without an end before its start or past the end (such a chapter
    /// ends where the next one starts). What was done, a line for each
    /// chapter, said as [`Chapters::problems`] says it. The podcaster cannot
    /// easily edit a tag that an editing app wrote, and the MP3 carries these
    /// chapters to the apps that read them whatever the feed says: the
    /// episode is published, with the chapters as they can be played.
    pub fn repair(&mut self, duration: f64, what: &str) -> Vec<String> {
        let mut said = Vec::new();
        let label = |n: usize, c: &Chapter| {
            format!(
                "chapter {} ({}, {})",
                n + 1,
                crate::text::quoted(&crate::text::truncate_chars(&c.title, 40)),
                clock(c.start)
            )
        };
        // Numbered as the tag has them: what is said names the tag's chapters.
        let mut list: Vec<(usize, Chapter)> = std::mem::take(&mut self.list).into_iter().enumerate().collect();
        if list.windows(2).any(|w| w[1].1.start < w[0].1.start) {
            said.push("the chapters are not in the order of their start: published in that order".to_string());
            list.sort_by(|a, b| a.1.start.total_cmp(&b.1.start));
        }
        // Each kept, numbered as the tag has it, and whether it ended where it started.
        let mut kept: Vec<(usize, Chapter, bool)> = Vec::with_capacity(list.len());
        for (n, mut c) in list {
            if !c.start.is_finite() || c.start >= duration {
                let (start, end) = apart(c.start, duration);
                let label = format!(
                    "chapter {} ({}, {start})",
                    n + 1,
                    crate::text::quoted(&crate::text::truncate_chars(&c.title, 40))
                );
                said.push(format!("{label} starts after the end of {what} ({end}): left out"));
                continue;
            }
            let empty = c.end.is_some_and(|end| end <= c.start);
            if let Some((m, b, b_empty)) = kept.last()
                && c.start <= b.start
            {
                // Of two at one start, one of no length goes.
                if *b_empty && !empty {
                    said.push(format!("{} starts where chapter {} does and ends there: left out", label(*m, b), n + 1));
                    kept.pop();
                } else {
                    said.push(format!("{} starts where chapter {} does: left out", label(n, &c), m + 1));
                    continue;
                }
            }
            match c.end {
                Some(end) if end <= c.start => {
                    let when = if end < c.start { "before it starts" } else { "where it starts" };
                    said.push(format!(
                        "{} ends ({}) {when}: published ending where the next one starts",
                        label(n, &c),
                        clock(end)
                    ));
                    c.end = None;
                }
                Some(end) if end > duration + 1.0 => {
                    let (end, length) = apart(end, duration);
                    said.push(format!(
                        "{} ends at {end}, after the end of {what} ({length}): published ending where the next one \
                         starts",
                        label(n, &c)
                    ));
                    c.end = None;
                }
                _ => {}
            }
            kept.push((n, c, empty));
        }
        self.list = kept.into_iter().map(|(_, c, _)| c).collect();
        said
    }

    /// What is wrong with them for audio of `duration` seconds (`what`
    /// names it: "the MP3", followed by its length where it is known): a
    /// start not after the one before, a first chapter not at 0, a start or
    /// end past the end, an empty title. Times that read the same to the
    /// second are told to the tenth (or finer) where they differ.
    pub fn problems(&self, duration: f64, what: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut before: Option<&Chapter> = None;
        let mut say = |chapter: usize, fix: Fix, message: String| out.push(Problem { chapter, message, fix });
        for (n, c) in self.list.iter().enumerate() {
            let title = crate::text::quoted(&crate::text::truncate_chars(&c.title, 40));
            let label = |start: &str| format!("chapter {} ({title}, {start})", n + 1);
            if n == 0 && c.start > 0.0 {
                // (To the fraction where it reads 0:00: "0:00.5, not at 0".)
                let start = apart(c.start, 0.0).0;
                say(
                    n,
                    Fix::Start,
                    format!("{} starts at {start}, not at 0: apps show nothing before it", label(&start)),
                );
            }
            if let Some(b) = before
                && c.start <= b.start
            {
                let (start, b_start) = (clock(c.start), clock(b.start));
                say(n, Fix::Start, format!("{} does not start after the chapter before it ({b_start})", label(&start)));
            }
            if c.start >= duration {
                let (start, end) = apart(c.start, duration);
                say(n, Fix::Start, format!("{} starts after the end of {what} ({end})", label(&start)));
            }
            if let Some(end) = c.end {
                if end <= c.start {
                    let (start, end) = (clock(c.start), clock(end));
                    say(n, Fix::End, format!("{} ends ({end}) before it starts", label(&start)));
                } else if end > duration + 1.0 {
                    let (end, length) = apart(end, duration);
                    let start = clock(c.start);
                    say(n, Fix::End, format!("{} ends at {end}, after the end of {what} ({length})", label(&start)));
                }
            }
            if c.title.trim().is_empty() && c.toc {
                say(n, Fix::Title, format!("chapter {} ({}) has no title", n + 1, clock(c.start)));
            }
            before = Some(c);
        }
        out
    }

    /// Whether `other` is the same chapters (to the second, same titles).
    pub fn agrees_with(&self, other: &Chapters) -> bool {
        self.list.len() == other.list.len()
            && self.list.iter().zip(&other.list).all(|(a, b)| (a.start - b.start).abs() < 1.0 && a.title == b.title)
    }

    /// The JSON chapters file (version 1.2.0), of the episode `about`
    /// says: `image_url` gives the URL of a chapter's picture.
    /// Deterministic: the same chapters give the same bytes.
    pub fn to_json(&self, about: &About, image_url: &dyn Fn(&Asset) -> String) -> Vec<u8> {
        let file = JsonOut {
            version: "1.2.0",
            about,
            waypoints: self.waypoints,
            chapters: self
                .list
                .iter()
                .map(|c| JsonChapter {
                    start_time: c.start,
                    end_time: c.end,
                    title: Some(c.title.clone()).filter(|t| !t.is_empty()),
                    img: c.image.as_ref().map(image_url),
                    url: c.url.as_ref().map(ToString::to_string),
                    toc: (!c.toc).then_some(false),
                    location: c.location.clone(),
                })
                .collect(),
        };
        let mut out = serde_json::to_vec_pretty(&file).unwrap_or_default();
        out.push(b'\n');
        out
    }
}

/// A title a media file's own chapter carries, as a line a list shows:
/// without control characters (an escape made the feed no XML), its
/// line ends and tabs spaces, as any tool's title that was typed in a box.
fn one_line_title(title: &str) -> String {
    let (clean, _) = crate::text::strip_control(&title.replace(['\n', '\r', '\t'], " "));
    clean.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What keeps a link of an MP3's tag from being published, if anything.
fn link_problem(u: &str) -> Option<String> {
    match u.chars().count() > crate::probe::id3::MAX_LINK {
        true => Some(format!("is over {} characters long", crate::probe::id3::MAX_LINK)),
        false => crate::url::HttpUrl::parse(u).err(),
    }
}

/// A chapters JSON file as the Podcasting 2.0 specification writes it.
#[derive(Debug, Serialize, Deserialize)]
struct JsonFile {
    /// Which version of the specification it follows: published as the
    /// one podsmith writes, so a file without it (as a JSON transcript may
    /// be) is taken.
    #[serde(default)]
    version: String,
    chapters: Vec<JsonChapter>,
}

/// A chapters JSON file as podsmith writes it: with what it says of its
/// episode (read apart, by [`About::of_json`], so that a file whose
/// `author` is not a string is read all the same).
#[derive(Debug, Serialize)]
struct JsonOut<'a> {
    version: &'a str,
    #[serde(flatten)]
    about: &'a About,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    waypoints: bool,
    chapters: Vec<JsonChapter>,
}

/// Whether the chapters file `bytes` asks apps to show its chapters'
/// locations on a map, as a route (`"waypoints": true`; anything else,
/// or no such file, is no).
pub fn waypoints(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Lax {
        waypoints: Option<serde_json::Value>,
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice::<Lax>(bytes).is_ok_and(|l| l.waypoints == Some(serde_json::Value::Bool(true)))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonChapter {
    start_time: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end_time: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    img: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    toc: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location: Option<Place>,
}

/// The most chapters an episode has, wherever they are given (a long
/// audiobook has hundreds).
pub const MAX_CHAPTERS: usize = 10_000;

/// The chapters of a Podcasting 2.0 chapters JSON file, or what is wrong
/// with it. Pictures and links must be absolute http(s) URLs.
pub fn from_json(bytes: &[u8]) -> Result<Vec<Chapter>, String> {
    if let Some(how) = crate::transcript::utf16_mark(bytes) {
        return Err(format!("UTF-16 text ({how}): save it as UTF-8"));
    }
    // (A byte-order mark is no JSON, but editors on Windows write one.)
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Chapters in another format than JSON's, as other tools write them.
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    let head = text.trim_start();
    let other = match () {
        _ if head.starts_with('<') && text.contains("psc:") => Some("Podlove Simple Chapters (XML)"),
        _ if head.starts_with('<') => Some("XML"),
        _ if head.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && head.lines().next().is_some_and(|l| l.contains(':')) =>
        {
            Some("a list of times and titles (mp4chaps or the like)")
        }
        _ => None,
    };
    if let Some(format) = other {
        return Err(format!(
            "not a chapters file: it is {format}, and a chapters_file is Podcasting 2.0 JSON (give the chapters as \
             [[episode.chapters]] tables instead: start and title each)"
        ));
    }
    let file: JsonFile = serde_json::from_slice(bytes).map_err(|e| format!("not a chapters file: {e}"))?;
    if file.chapters.len() > MAX_CHAPTERS {
        return Err(format!("{} chapters: at most 10,000", file.chapters.len()));
    }
    let url = |what: &str, n: usize, u: Option<String>| -> Result<Option<crate::url::HttpUrl>, String> {
        u.map(|u| crate::url::HttpUrl::parse(&u).map_err(|p| format!("chapter {n}: `{what}` \"{u}\" {p}"))).transpose()
    };
    file.chapters
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let n = i + 1;
            if !(c.start_time.is_finite() && c.start_time >= 0.0) {
                return Err(format!("chapter {n}: startTime {} is not a time", c.start_time));
            }
            if let Some(problem) = c.location.as_ref().and_then(|p| p.problem(n)) {
                return Err(problem);
            }
            Ok(Chapter {
                start: c.start_time,
                end: c.end_time.filter(|e| e.is_finite()),
                title: c.title.unwrap_or_default(),
                url: url("url", n, c.url)?,
                image: url("img", n, c.img)?.map(Asset::Remote),
                toc: c.toc.unwrap_or(true),
                line: 0,
                location: c.location,
                embedded: None,
            })
        })
        .collect()
}

/// A chapter's start as written in the manifest: seconds (`90`, `90.5`),
/// `"MM:SS"` or `"HH:MM:SS"` (each with optional `.fff`); also how a
/// Podlove Simple Chapters `start` (normal play time, RFC 2326) is read.
pub fn parse_time(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let (last, whole) = parts.split_last()?;
    let secs: f64 = last.parse().ok().filter(|s: &f64| s.is_finite() && *s >= 0.0)?;
    if !whole.is_empty() && secs >= 60.0 {
        return None;
    }
    let mut total = 0u64;
    for (i, p) in whole.iter().enumerate() {
        let v: u64 = p.parse().ok()?;
        if i > 0 && v >= 60 {
            return None;
        }
        total = total.checked_mul(60)?.checked_add(v)?;
    }
    Some(total as f64 * 60.0 + secs)
}

/// A time in an episode as an ISO 8601 / HTML duration (`PT12M30S`,
/// `PT2.6S`): the `datetime` of a page's `<time>`.
pub fn duration_string(secs: f64) -> String {
    let ms = (secs.max(0.0) * 1000.0).round() as u64;
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}M"));
    }
    match frac {
        0 => out.push_str(&format!("{s}S")),
        f => out.push_str(&format!("{s}.{}S", format!("{f:03}").trim_end_matches('0'))),
    }
    out
}

/// `H:MM:SS` or `M:SS`, as pages and messages show a time.
pub fn clock(secs: f64) -> String {
    crate::text::clock(secs.max(0.0).floor() as u64)
}

/// A time and a length as [`clock`] and the rest of podsmith tell them
/// (a length to the nearest second, as `list` shows it), to the tenth,
/// hundredth or thousandth of a second where they read the same to the
/// second (`0:30.4` and `0:30.0`, not `0:30` twice). An infinite length
/// (not known) is told as "?".
fn apart(at: f64, length: f64) -> (String, String) {
    let to = |secs: f64, digits: u32, nearest: bool| {
        if !secs.is_finite() {
            return "?".to_string();
        }
        let ms = (secs.max(0.0) * 1000.0).round() as u64;
        match digits {
            0 if nearest => crate::text::clock((ms + 500) / 1000),
            0 => crate::text::clock(ms / 1000),
            d => format!("{}.{:0w$}", crate::text::clock(ms / 1000), ms % 1000 / 10u64.pow(3 - d), w = d as usize),
        }
    };
    let told = |d| (to(at, d, false), to(length, d, true));
    (0..=3).map(told).find(|(x, y)| x != y).unwrap_or_else(|| told(0))
}

/// A start as Podlove Simple Chapters writes it: normal play time
/// (RFC 2326), `HH:MM:SS.mmm`, to the millisecond.
///
/// ```
/// assert_eq!(podsmith::chapters::normal_play_time(0.0), "00:00:00.000");
/// assert_eq!(podsmith::chapters::normal_play_time(3725.5), "01:02:05.500");
/// ```
pub fn normal_play_time(secs: f64) -> String {
    let ms = (secs.max(0.0) * 1000.0).round() as u64;
    let (s, ms) = (ms / 1000, ms % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    /// A media file's own chapter title is published as one line of text:
    /// its line ends and tabs spaces, its control characters (an escape,
    /// which made the feed no XML) left out.
    #[test]
    fn a_files_own_chapter_title_is_one_line_of_text() {
        let tagged = crate::probe::id3::TaggedChapter {
            start_ms: 0,
            end_ms: None,
            title: "Line\nbreak\ttab \u{1b}[31mred".into(),
            toc: true,
            url: None,
            picture: None,
        };
        let (chapters, said) = Chapters::tagged(std::slice::from_ref(&tagged), "media/x.m4a").unwrap();
        assert_eq!(chapters.list[0].title, "Line break tab [31mred");
        assert!(said.is_empty(), "{said:?}");
        // A direction override is said (it is kept: a title is as written).
        let turned = crate::probe::id3::TaggedChapter { title: "a \u{202e}b\u{202c}".into(), ..tagged };
        let (_, said) = Chapters::tagged(&[turned], "media/x.m4a").unwrap();
        assert_eq!(said.len(), 1);
        assert!(said[0].starts_with("chapter 1 (0:00): its title holds a direction override"), "{said:?}");
    }

    use super::*;

    fn chapter(start: f64, title: &str) -> Chapter {
        Chapter {
            start,
            end: None,
            title: title.into(),
            url: None,
            image: None,
            toc: true,
            line: 0,
            location: None,
            embedded: None,
        }
    }

    /// A chapters file written again as a build publishes it reads back to
    /// the very same times (the fuzzer found 17-digit times one ulp off).
    #[test]
    fn a_chapters_file_written_again_reads_back_the_same() {
        let json = br#"{"version":"1.2.0","chapters":[{"startTime":0},{"startTime":20.666666666566666,"endTime":909.9983673469388,"title":"B"}]}"#;
        let list = from_json(json).unwrap();
        assert_eq!(list[1].start.to_string(), "20.666666666566666");
        let c = Chapters { list, origin: Origin::Inline, waypoints: false };
        let again = from_json(&c.to_json(&About::default(), &|_| String::new())).unwrap();
        assert_eq!(again, c.list);
    }

    /// A tag's chapters out of order, two at one start, an end before its
    /// start and one past the end are published in order, once, ending
    /// where the next starts; a chapter after the end is left out; what
    /// was done is said of each, numbered as the tag has them.
    #[test]
    fn a_tags_chapters_are_repaired_to_what_can_be_played() {
        let with_end = |start, end, title| Chapter { end: Some(end), ..chapter(start, title) };
        let list = vec![
            with_end(0.0, 2.0, "A"),
            with_end(3.0, 1.0, "B"),
            chapter(2.0, "C"),
            with_end(2.0, 2.5, "D"),
            with_end(4.0, 9.0, "E"),
            chapter(6.0, "F"),
        ];
        let mut c = Chapters { list, origin: Origin::Tagged("media/x.mp3".into()), waypoints: false };
        let said = c.repair(5.0, "the MP3");
        let got: Vec<_> = c.list.iter().map(|c| (c.start, c.end, c.title.as_str())).collect();
        assert_eq!(got, [(0.0, Some(2.0), "A"), (2.0, None, "C"), (3.0, None, "B"), (4.0, None, "E")]);
        assert_eq!(
            said,
            [
                "the chapters are not in the order of their start: published in that order",
                "chapter 4 (\"D\", 0:02) starts where chapter 3 does: left out",
                "chapter 2 (\"B\", 0:03) ends (0:01) before it starts: published ending where the next one starts",
                "chapter 5 (\"E\", 0:04) ends at 0:09, after the end of the MP3 (0:05): published ending where the \
                 next one starts",
                "chapter 6 (\"F\", 0:06) starts after the end of the MP3 (0:05): left out",
            ]
        );
        assert!(c.problems(5.0, "the MP3").is_empty(), "{:?}", c.problems(5.0, "the MP3"));
        // Of two at one start, the one that ends where it starts goes.
        let list = vec![with_end(0.0, 1.0, "A"), with_end(1.0, 1.0, "Empty"), with_end(1.0, 3.0, "Real")];
        let mut c = Chapters { list, origin: Origin::Tagged("media/x.mp3".into()), waypoints: false };
        let said = c.repair(5.0, "the MP3");
        let got: Vec<_> = c.list.iter().map(|c| (c.start, c.end, c.title.as_str())).collect();
        assert_eq!(got, [(0.0, Some(1.0), "A"), (1.0, Some(3.0), "Real")]);
        assert_eq!(
            said,
            [
                "chapter 2 (\"Empty\", 0:01) ends (0:01) where it starts: published ending where the next one starts",
                "chapter 2 (\"Empty\", 0:01) starts where chapter 3 does and ends there: left out",
            ]
        );
        // Nothing before the end: nothing is left.
        let mut c = Chapters { list: vec![chapter(7.0, "G")], origin: Origin::Tagged("x".into()), waypoints: false };
        assert_eq!(c.repair(5.0, "the MP3").len(), 1);
        assert!(c.list.is_empty());
    }

    #[test]
    fn times_are_read_as_written() {
        assert_eq!(parse_time("0"), Some(0.0));
        assert_eq!(parse_time("90.5"), Some(90.5));
        assert_eq!(parse_time("01:30"), Some(90.0));
        assert_eq!(parse_time("1:02:03.5"), Some(3723.5));
        // Podlove's normal play time, as podsmith writes it.
        assert_eq!(parse_time(&normal_play_time(62.5)), Some(62.5));
        for bad in ["", ":", "1:", "1:60", "1:61:00", "a", "-1", "1:2:3:4", "NaN", "inf"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn html_durations_for_time_elements() {
        assert_eq!(duration_string(0.0), "PT0S");
        assert_eq!(duration_string(2.6), "PT2.6S");
        assert_eq!(duration_string(750.0), "PT12M30S");
        assert_eq!(duration_string(3723.25), "PT1H2M3.25S");
    }

    #[test]
    fn problems_name_the_chapter_and_what_is_wrong() {
        let ok = Chapters {
            list: vec![chapter(0.0, "Intro"), chapter(60.0, "Talk")],
            origin: Origin::Inline,
            waypoints: false,
        };
        assert_eq!(ok.problems(120.0, "the MP3"), Vec::<Problem>::new());
        let bad = Chapters {
            list: vec![
                chapter(5.0, "Late"),
                chapter(5.0, "Same"),
                chapter(130.0, "Past"),
                Chapter { end: Some(150.0), ..chapter(131.0, "Long") },
            ],
            origin: Origin::Inline,
            waypoints: false,
        };
        let p = bad.problems(120.0, "the MP3");
        let said: Vec<(usize, Fix, &str)> = p.iter().map(|p| (p.chapter, p.fix, p.message.as_str())).collect();
        assert_eq!(
            said,
            [
                (0, Fix::Start, "chapter 1 (\"Late\", 0:05) starts at 0:05, not at 0: apps show nothing before it"),
                (1, Fix::Start, "chapter 2 (\"Same\", 0:05) does not start after the chapter before it (0:05)"),
                (2, Fix::Start, "chapter 3 (\"Past\", 2:10) starts after the end of the MP3 (2:00)"),
                (3, Fix::Start, "chapter 4 (\"Long\", 2:11) starts after the end of the MP3 (2:00)"),
                (3, Fix::End, "chapter 4 (\"Long\", 2:11) ends at 2:30, after the end of the MP3 (2:00)"),
            ]
        );
        // Half a second in: told as it is, not as "0:00, not at 0".
        let half = Chapters { list: vec![chapter(0.5, "Intro")], origin: Origin::Inline, waypoints: false };
        let said: Vec<String> = half.problems(120.0, "the MP3").into_iter().map(|p| p.message).collect();
        assert_eq!(said, ["chapter 1 (\"Intro\", 0:00.5) starts at 0:00.5, not at 0: apps show nothing before it"]);
    }

    /// Times that read the same to the second are told finer.
    #[test]
    fn times_that_read_the_same_are_told_finer() {
        let c =
            Chapters { list: vec![chapter(0.0, "a"), chapter(30.4, "c")], origin: Origin::Inline, waypoints: false };
        let p = c.problems(30.0, "the MP3");
        assert_eq!(p[0].message, "chapter 2 (\"c\", 0:30.4) starts after the end of the MP3 (0:30.0)");
        let c = Chapters {
            list: vec![chapter(0.0, "a"), chapter(30.0, "b"), chapter(30.05, "c")],
            origin: Origin::Inline,
            waypoints: false,
        };
        assert!(
            c.problems(30.0, "the MP3")[0].message.contains("(\"b\", 0:30) starts after the end of the MP3 (0:30)")
        );
        assert_eq!(apart(30.05, 30.0), ("0:30.05".into(), "0:30.00".into()));
        assert_eq!(apart(1.0, f64::INFINITY), ("0:01".into(), "?".into()));
    }

    #[test]
    fn json_round_trips_and_bad_files_are_refused() {
        let c = Chapters {
            list: vec![
                Chapter { toc: false, end: Some(10.0), ..chapter(0.0, "Intro") },
                Chapter { url: crate::url::HttpUrl::parse("https://example.com/a").ok(), ..chapter(10.0, "A") },
            ],
            origin: Origin::Inline,
            waypoints: false,
        };
        let json = c.to_json(&About::default(), &|_| String::new());
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(text.contains("\"version\": \"1.2.0\"") && text.contains("\"startTime\": 10.0"), "{text}");
        assert_eq!(from_json(&json).unwrap(), c.list);
        assert!(from_json(b"{}").unwrap_err().starts_with("not a chapters file"));
        // Another tool's format is named, with what to do.
        let podlove = br#"<?xml version="1.0"?><psc:chapters version="1.2" xmlns:psc="http://podlove.org/simple-chapters"><psc:chapter start="00:00:00" title="Intro"/></psc:chapters>"#;
        assert!(from_json(podlove).unwrap_err().contains("it is Podlove Simple Chapters (XML)"));
        assert!(from_json(b"00:00:00.000 Intro\n00:01:00.000 Talk\n").unwrap_err().contains("mp4chaps"));
        // A byte-order mark is read past.
        assert_eq!(
            from_json(b"\xEF\xBB\xBF{\"version\":\"1.2.0\",\"chapters\":[{\"startTime\":0,\"title\":\"A\"}]}")
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            from_json(br#"{"version":"1.2.0","chapters":[{"startTime":-1}]}"#).unwrap_err(),
            "chapter 1: startTime -1 is not a time"
        );
        // Without its version, as a JSON transcript may be, it is taken.
        let taken = from_json(br#"{"chapters":[{"startTime":0,"title":"A"},{"startTime":10,"title":"B"}]}"#).unwrap();
        assert_eq!(taken.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        let relative = from_json(br#"{"version":"1.2.0","chapters":[{"startTime":1,"img":"a.jpg"}]}"#).unwrap_err();
        assert!(relative.starts_with("chapter 1: `img` \"a.jpg\" "), "{relative}");
    }
}
