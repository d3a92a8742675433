//! Transcripts: WebVTT, SRT, the Podcasting 2.0 JSON transcript format, or
//! HTML; read and checked where the manifest names them (cues parse, start
//! ≤ end, in order), checked against the measured audio (the last cue ends
//! within the episode), published beside the page
//! (`episodes/<slug>/transcript.vtt`, with the SRT or VTT counterpart so
//! apps that read only one of them have it) with `podcast:transcript`, and
//! shown on the page as text whose timestamps seek the player.
//!
//! A transcript file may be damaged or crafted: it is read with a size
//! limit, its timestamps are checked, at most 100,000 cues are read, and
//! its text reaches pages and files only through escaping writers.

use serde::{Deserialize, Serialize};

/// A transcript's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// WebVTT (`.vtt`).
    Vtt,
    /// SubRip (`.srt`).
    Srt,
    /// The Podcasting 2.0 JSON transcript format (`.json`).
    Json,
    /// An HTML document (`.html`): not timed.
    Html,
}

impl Kind {
    /// The format of a file named `name`, by its extension.
    pub fn of(name: &str) -> Option<Kind> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "vtt" => Kind::Vtt,
            "srt" => Kind::Srt,
            "json" => Kind::Json,
            "html" | "htm" => Kind::Html,
            _ => return None,
        })
    }

    /// `type` of `podcast:transcript`.
    pub fn mime_type(self) -> &'static str {
        match self {
            Kind::Vtt => "text/vtt",
            Kind::Srt => "application/x-subrip",
            Kind::Json => "application/json",
            Kind::Html => "text/html",
        }
    }

    /// The extension it is published with.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Vtt => "vtt",
            Kind::Srt => "srt",
            Kind::Json => "json",
            Kind::Html => "html",
        }
    }

    /// Whether it has timestamps (then `rel="captions"`).
    pub fn is_timed(self) -> bool {
        self != Kind::Html
    }
}

/// One cue: a stretch of speech.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Start, in seconds.
    pub start: f64,
    /// End, in seconds.
    pub end: f64,
    /// Who speaks, where the format says (a VTT voice span, a JSON speaker).
    pub speaker: Option<String>,
    /// What is said, as plain text (markup removed): the cue's lines,
    /// apart by a line end (`- Who?` / `- Me.`).
    pub text: String,
}

/// A transcript, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// Its file, as the manifest names it (relative to the show folder).
    pub rel: String,
    /// Its format.
    pub kind: Kind,
    /// Its language (an ISO 639 code; the show's unless given).
    pub language: String,
    /// Its bytes as read, published as they are; an HTML one's written
    /// anew, without what would run on the show's site
    /// ([`crate::lenient_html::clean`]).
    pub bytes: Vec<u8>,
    /// Its cues (none for HTML).
    pub cues: Vec<Cue>,
    /// What an HTML one had that was left out (`<script>`, `onclick=`, …).
    pub left_out: Vec<String>,
    /// An HTML one's links and images at addresses relative to where the
    /// file is in the show: published beside the episode's page, they lead
    /// elsewhere.
    pub relative: Vec<String>,
}

const MAX_CUES: usize = 100_000;

/// The latest time a transcript may name: under a million hours, as far as
/// a `HH:MM:SS.mmm` timestamp of the readers goes (a JSON transcript's
/// times go into the VTT file a build publishes beside it).
const MAX_SECONDS: f64 = 1_000_000.0 * 3600.0;

/// How `bytes` tell they are UTF-16 text (what Windows tools save
/// "Unicode" text as), if they are: the byte-order mark they start with,
/// or, without one, a 0 byte beside every letter of their first line.
pub fn utf16_mark(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] => return Some("it starts with the byte-order mark FF FE"),
        [0xFE, 0xFF, ..] => return Some("it starts with the byte-order mark FE FF"),
        _ => {}
    }
    let pairs: Vec<&[u8]> = bytes[..bytes.len().min(256)].chunks_exact(2).collect();
    let beside = |zero: usize| pairs.iter().filter(|p| p[zero] == 0 && p[1 - zero] != 0).count();
    (pairs.len() >= 4 && (beside(0) * 5 >= pairs.len() * 4 || beside(1) * 5 >= pairs.len() * 4))
        .then_some("every other byte of it is 0")
}

/// Reads a transcript of format `kind`: its cues, or what is wrong.
pub fn parse(kind: Kind, bytes: &[u8]) -> Result<Vec<Cue>, String> {
    if let Some(how) = utf16_mark(bytes) {
        return Err(format!("UTF-16 text ({how}): save it as UTF-8"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!(
            "not UTF-8 text (byte 0x{:02X} on line {line}): save it as UTF-8 (a subtitle tool set to Latin-1 or \
             Windows-1252 writes such bytes for accented letters)",
            bytes.get(at).copied().unwrap_or(0)
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A lone CR ends a line too (WebVTT says so; old Mac tools write them).
    let text = match text.contains('\r') {
        true => std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n")),
        false => std::borrow::Cow::Borrowed(text),
    };
    let cues = match kind {
        Kind::Vtt => vtt(&text)?,
        Kind::Srt => srt(&text)?,
        Kind::Json => json(bytes)?,
        Kind::Html => return Ok(Vec::new()),
    };
    if cues.is_empty() {
        return Err("it has no cues".into());
    }
    for (n, pair) in cues.windows(2).enumerate() {
        if pair[1].start < pair[0].start {
            return Err(format!(
                "cue {} starts ({}) before cue {} ({}): cues must be in order",
                n + 2,
                stamp(pair[1].start, '.'),
                n + 1,
                stamp(pair[0].start, '.')
            ));
        }
    }
    Ok(cues)
}

/// WebVTT: a `WEBVTT` line, then blocks; a cue block has an optional id
/// line, a `start --> end [settings]` line and text lines.
fn vtt(text: &str) -> Result<Vec<Cue>, String> {
    let mut blocks = blocks(text);
    let first = blocks.next().unwrap_or_default();
    if !first
        .first()
        .is_some_and(|l| l.starts_with("WEBVTT") && l[6..].chars().next().is_none_or(|c| c == ' ' || c == '\t'))
    {
        return Err("a WebVTT file starts with a WEBVTT line".into());
    }
    let mut cues = Vec::new();
    let mut problems = Problems::of(text);
    for block in blocks {
        let head = block.first().copied().unwrap_or_default();
        if head.starts_with("NOTE") || head.starts_with("STYLE") || head.starts_with("REGION") {
            continue;
        }
        let Some(timed) = cues_in(&block, '.') else {
            problems.at(head, "a block without a \"start --> end\" line".into());
            continue;
        };
        for (timing, lines) in timed {
            match timing_line(timing, '.') {
                Ok((start, end)) => add_cues(&mut cues, start, end, voices(&lines.join("\n")))?,
                Err(e) => problems.at(timing, e),
            }
        }
    }
    problems.or(cues)
}

/// What is wrong with a transcript file, each at its line: said together
/// (the first few, and how many more), so that one round of fixes mends
/// them, found where they are (a WebVTT file's cues have no numbers).
struct Problems<'t> {
    text: &'t str,
    said: Vec<String>,
    more: usize,
}

impl<'t> Problems<'t> {
    /// How many are said; the rest are counted.
    const SAID: usize = 5;

    fn of(text: &'t str) -> Problems<'t> {
        Problems { text, said: Vec::new(), more: 0 }
    }

    /// `what` is wrong at `line`, a line of the text.
    fn at(&mut self, line: &str, what: String) {
        if self.said.len() == Self::SAID {
            self.more += 1;
            return;
        }
        // (Where the line is in the text, by its address: lines are slices of it.)
        let at = (line.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize).min(self.text.len());
        let n = self.text.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        self.said.push(format!("line {n}: {what}"));
    }

    /// `ok` if nothing is wrong; else what is.
    fn or<T>(self, ok: T) -> Result<T, String> {
        match (self.said.is_empty(), self.more) {
            (true, _) => Ok(ok),
            (false, 0) => Err(self.said.join("; ")),
            (false, n) => Err(format!("{}; and {n} more", self.said.join("; "))),
        }
    }
}

/// The cues of a cue's text, by voice (`parts`), from `start` to `end`
/// onto `cues`: one for each voice, at the same time.
fn add_cues(cues: &mut Vec<Cue>, start: f64, end: f64, parts: Voices) -> Result<(), String> {
    // (A cue of no words is no caption: an empty block in the SubRip
    // counterpart, an empty paragraph on the page. It is left out.)
    for (speaker, text) in parts.into_iter().filter(|(_, text)| !text.trim().is_empty()) {
        cues.push(Cue { start, end, speaker, text });
    }
    match cues.len() > MAX_CUES {
        true => Err(format!("more than {MAX_CUES} cues")),
        false => Ok(()),
    }
}

/// A block's cues: each timing line and the text lines after it (`None`:
/// no timing line in its first two lines, after an id or a number). A line
/// of the text that is a timing line (with `sep` before the milliseconds)
/// starts the next cue, as WebVTT's parsing rules say: a file that lost the
/// blank line between two cues; in SubRip, a number just before it is that
/// cue's own, not text.
fn cues_in<'a>(block: &'a [&'a str], sep: char) -> Option<Vec<(&'a str, &'a [&'a str])>> {
    let mut at = block.iter().position(|l| l.contains("-->")).filter(|&i| i <= 1)?;
    let mut out = Vec::new();
    loop {
        let next = (at + 1..block.len()).find(|&i| block[i].contains("-->") && timing_line(block[i], sep).is_ok());
        let numbered = |n: usize| sep == ',' && n > at + 1 && block[n - 1].trim().bytes().all(|b| b.is_ascii_digit());
        let text_end = match next {
            Some(n) if numbered(n) => n - 1,
            Some(n) => n,
            None => block.len(),
        };
        out.push((block[at], &block[at + 1..text_end]));
        match next {
            Some(n) => at = n,
            None => return Some(out),
        }
    }
}

/// A SubRip cue's text by who speaks: as [`voices`] reads it, without
/// the override tags SubRip writers copy from ASS (`{\an8}`, `{\i1}`:
/// players hide them), and a `Name: ` that starts it read as the speaker,
/// as the SRT counterpart writes one (see [`speaker_prefix`]).
fn srt_voices(text: &str) -> Voices {
    let mut parts = voices(&ass_escapes(&without_overrides(text)));
    if let [(who @ None, said)] = &mut parts[..]
        && let Some((name, rest)) = speaker_prefix(said)
    {
        (*who, *said) = (Some(name.to_string()), rest.to_string());
    }
    parts
}

/// `text` with the escapes SubRip writers copy from ASS (Aegisub's
/// exports) read as players read them: `\N` a line break, `\h` a hard
/// space. Shown as written, they reached the page and the WebVTT
/// counterpart. (`\n`, a break only where the renderer is told to wrap
/// so, and rare, stays as written.)
fn ass_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\\') {
        return text.into();
    }
    text.replace("\\N", "\n").replace("\\h", "\u{a0}").into()
}

/// `text` without ASS override blocks (`{\` up to the next `}` on its
/// line), which SubRip players (VLC, FFmpeg's) hide.
fn without_overrides(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{\\") {
        out.push_str(&rest[..at]);
        match rest[at..].find(['}', '\n']) {
            Some(end) if rest[at + end..].starts_with('}') => rest = &rest[at + end + 1..],
            _ => {
                out.push_str("{\\");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The speaker's name and the words of a cue text that starts with
/// `Name: ` (the SRT counterpart writes a speaker so, as people do), on
/// its first line. Taken only where it is plainly a name: one to three
/// words of letters (`.`, `'`, `’`, `-` within), each a capital (or of a
/// script without case; `van`, `de` … between), and not a word captions
/// open a line with (`Note:`, `WARNING:`, `Remember:`), so `so: yes`,
/// `Rule number one: …`, `Step 2: …` and `https://…` stay text: a player
/// shows no speaker, and the words would be lost from its captions.
fn speaker_prefix(text: &str) -> Option<(&str, &str)> {
    const LEAD_INS: &[&str] = &[
        "note",
        "notes",
        "warning",
        "caution",
        "update",
        "remember",
        "reminder",
        "question",
        "answer",
        "tip",
        "hint",
        "important",
        "example",
        "summary",
        "edit",
        "ps",
        "disclaimer",
        "spoiler",
        "fact",
        "bonus",
        "quote",
        "step",
        "rule",
        "chapter",
        "part",
        "intro",
        "outro",
        "music",
        "sound",
        "applause",
        "laughter",
        "translation",
        "source",
        "credit",
        "credits",
        "correction",
        "announcement",
        "breaking",
        "news",
        "today",
        "tonight",
        "also",
        "plus",
    ];
    const BETWEEN: &[&str] =
        &["van", "von", "de", "da", "del", "der", "den", "di", "du", "la", "le", "bin", "al", "ten", "ter"];
    let (name, rest) = text.split_once(": ")?;
    let words: Vec<&str> = name.split(' ').collect();
    let letters = |w: &str| {
        w.chars().next().is_some_and(char::is_alphabetic)
            && w.chars().all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
    };
    let capital = |w: &str| w.chars().next().is_some_and(|c| !c.is_lowercase());
    let named = words.iter().enumerate().all(|(i, w)| capital(w) || (i > 0 && BETWEEN.contains(w)));
    let lead_in = LEAD_INS.contains(&words[0].to_lowercase().as_str());
    let plainly =
        named && !lead_in && name.chars().count() <= 40 && words.len() <= 3 && words.iter().all(|w| letters(w));
    plainly.then_some((name, rest))
}

/// SubRip: numbered blocks of a `start --> end` line and text lines.
fn srt(text: &str) -> Result<Vec<Cue>, String> {
    let mut cues = Vec::new();
    let mut problems = Problems::of(text);
    for block in blocks(text) {
        let Some(timed) = cues_in(&block, ',') else {
            let head = block.first().copied().unwrap_or_default();
            problems.at(head, "a block without a \"start --> end\" line".into());
            continue;
        };
        for (timing, lines) in timed {
            match timing_line(timing, ',') {
                Ok((start, end)) => add_cues(&mut cues, start, end, srt_voices(&lines.join("\n")))?,
                Err(e) => problems.at(timing, e),
            }
        }
    }
    problems.or(cues)
}

#[derive(Deserialize)]
struct JsonTranscript {
    segments: Vec<JsonSegment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonSegment {
    #[serde(default)]
    speaker: Option<String>,
    start_time: f64,
    /// "If available", the namespace says: else the next segment's start.
    #[serde(default)]
    end_time: Option<f64>,
    #[serde(default)]
    body: String,
}

/// The Podcasting 2.0 JSON format: `segments` of `startTime`, `endTime`
/// (if given), `body` and `speaker`. A file of one word a segment (what
/// speech-to-text tools write, for highlighting word by word) is read as
/// phrases: one cue a word is no caption a player shows, nor a page to read.
fn json(bytes: &[u8]) -> Result<Vec<Cue>, String> {
    // (A byte-order mark is no JSON, but editors on Windows write one.)
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let t: JsonTranscript = serde_json::from_slice(bytes).map_err(|e| format!("not a JSON transcript: {e}"))?;
    if t.segments.len() > MAX_CUES {
        return Err(format!("more than {MAX_CUES} segments"));
    }
    let next_starts: Vec<f64> = t.segments.iter().skip(1).map(|s| s.start_time).collect();
    let cues = t
        .segments
        .into_iter()
        .enumerate()
        .map(|(n, s)| {
            let ok = |t: f64| t.is_finite() && (0.0..MAX_SECONDS).contains(&t);
            // (The last, or one the next starts with: a second, as a cue
            // that ends where it starts is no caption; the audio's end
            // has a second's grace.)
            let end = s.end_time.unwrap_or_else(|| match next_starts.get(n) {
                Some(&next) if next > s.start_time => next,
                _ => s.start_time + 1.0,
            });
            if !(ok(s.start_time) && ok(end)) {
                return Err(format!("segment {}: startTime and endTime must be times in seconds", n + 1));
            }
            if end < s.start_time {
                return Err(format!("segment {} ends before it starts", n + 1));
            }
            // Plain text, its spaces as the timed formats' readers leave them.
            let speaker = s.speaker.map(|v| one_line(&v)).filter(|v| !v.is_empty());
            Ok(Cue { start: s.start_time, end, speaker, text: one_line(&s.body) })
        })
        .collect::<Result<Vec<Cue>, String>>()?;
    let cues: Vec<Cue> = cues.into_iter().filter(|c| !c.text.trim().is_empty()).collect();
    let words = cues.iter().filter(|c| !c.text.is_empty() && !c.text.contains(' ')).count();
    Ok(if cues.len() >= 4 && words * 2 > cues.len() { phrases(cues) } else { cues })
}

/// Cues of a word each made phrases: a word joins the one before unless
/// another speaker says it, the phrase before ends a sentence, a pause
/// comes between, or the phrase is long already. (A word with no speaker
/// is the speaker's before it.)
fn phrases(words: Vec<Cue>) -> Vec<Cue> {
    const PAUSE: f64 = 1.5;
    const LONGEST_SECONDS: f64 = 10.0;
    const LONGEST_CHARS: usize = 100;
    let mut out: Vec<Cue> = Vec::new();
    for w in words {
        if let Some(last) = out.last_mut() {
            let same_speaker = w.speaker.is_none() || w.speaker == last.speaker;
            let ended = last.text.ends_with(['.', '?', '!', '…']);
            let paused = w.start - last.end > PAUSE;
            let long = w.end - last.start > LONGEST_SECONDS || last.text.chars().count() >= LONGEST_CHARS;
            if same_speaker && !ended && !paused && !long && w.start >= last.start {
                if !w.text.is_empty() {
                    if !last.text.is_empty() {
                        last.text.push(' ');
                    }
                    last.text.push_str(&w.text);
                }
                last.end = last.end.max(w.end);
                continue;
            }
        }
        out.push(w);
    }
    out
}

/// The blocks of a file: runs of non-blank lines.
fn blocks(text: &str) -> impl Iterator<Item = Vec<&str>> {
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    std::iter::from_fn(move || {
        let mut block = Vec::new();
        for line in lines.by_ref() {
            if line.trim().is_empty() {
                if block.is_empty() {
                    continue;
                }
                return Some(block);
            }
            block.push(line);
        }
        (!block.is_empty()).then_some(block)
    })
}

/// Why `text` is not a timestamp of a file whose milliseconds follow
/// `sep`, with the one meant where it can tell: SubRip's comma written as
/// WebVTT's dot (or the other way), or no milliseconds.
fn not_a_timestamp(text: &str, sep: char) -> String {
    let other = if sep == ',' { '.' } else { ',' };
    let swapped = text.replace(other, &sep.to_string());
    let meant = match () {
        _ if swapped != text && timestamp(&swapped, sep).is_some() => Some(swapped),
        _ if !text.contains([sep, other]) && timestamp(&format!("{text}{sep}000"), sep).is_some() => {
            Some(format!("{text}{sep}000"))
        }
        _ => None,
    };
    match meant {
        Some(m) => format!("\"{text}\" is not a timestamp of this format: write \"{m}\""),
        None => format!("\"{text}\" is not a timestamp"),
    }
}

/// `start --> end`, with `sep` before the milliseconds; settings after
/// the end are ignored.
fn timing_line(line: &str, sep: char) -> Result<(f64, f64), String> {
    let (a, b) = line.split_once("-->").ok_or("no -->")?;
    let b = b.split_whitespace().next().unwrap_or_default();
    let start = timestamp(a.trim(), sep).ok_or_else(|| not_a_timestamp(a.trim(), sep))?;
    let end = timestamp(b, sep).ok_or_else(|| not_a_timestamp(b, sep))?;
    if end < start {
        return Err(format!("it ends ({b}) before it starts ({})", a.trim()));
    }
    Ok((start, end))
}

/// `[HH:]MM:SS{sep}mmm`.
fn timestamp(s: &str, sep: char) -> Option<f64> {
    let (clock, millis) = s.split_once(sep)?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, sec) = match parts[..] {
        [h, m, s] => (h, m, s),
        [m, s] => ("0", m, s),
        _ => return None,
    };
    let num = |p: &str, max: u64| p.parse::<u64>().ok().filter(|v| *v < max && !p.is_empty() && p.len() <= 9);
    let (h, m, sec) = (num(h, 1_000_000)?, num(m, 60)?, num(sec, 60)?);
    if m >= 60 || sec >= 60 || parts[parts.len() - 1].len() != 2 {
        return None;
    }
    Some((h * 3600 + m * 60 + sec) as f64 + millis.parse::<f64>().ok()? / 1000.0)
}

/// A cue's text by who speaks: (speaker, what is said) each.
type Voices = Vec<(Option<String>, String)>;

/// A cue's text without markup, by who speaks: each voice span (`<v
/// Ann>…`) and what follows it up to the next is Ann's; text before the
/// first is no one's (in WebVTT a `Name: ` prefix is not assumed). One
/// part at least (an empty cue is one, empty).
fn voices(text: &str) -> Voices {
    let mut parts = Vec::new();
    let (mut speaker, mut rest) = (None, text);
    loop {
        // The next voice span's opening tag: `<v` then a space or a class.
        let next = rest.match_indices("<v").map(|(at, _)| at).find(|&at| rest[at + 2..].starts_with([' ', '.']));
        let Some((head, after)) = next.and_then(|at| Some((at, rest[at..].split_once('>')?))) else {
            parts.push((speaker, plain(rest)));
            break;
        };
        let (at, (tag, after)) = (head, after);
        parts.push((speaker.take(), plain(&rest[..at])));
        let name = one_line(&entities(tag[2..].trim_start_matches('.').split_once(' ').map_or("", |(_, n)| n)));
        speaker = Some(name).filter(|n| !n.is_empty());
        rest = after;
    }
    let said: Vec<_> = parts.iter().filter(|(_, t)| !t.is_empty()).cloned().collect();
    match said.is_empty() {
        true => vec![parts.pop().unwrap_or((None, String::new()))],
        false => said,
    }
}

/// Cue text's character references read, as WebVTT reads them (HTML's:
/// named, `&#233;`, `&#xE9;`; `&lrm;`, `&rlm;`, `&nbsp;`, `&eacute;` …);
/// one it does not know stays as written. SubRip has none, but files
/// converted from WebVTT or HTML carry them.
fn entities(text: &str) -> String {
    // (The table is the one show notes' HTML is read with. quick-xml's full
    // HTML5 table comes with its `escape-html` feature, which would also
    // make the feed validator take `&nbsp;` in a feed, invalid XML, as
    // defined.)
    crate::lenient_html::decode(text)
}

/// `text` on one line: every run of spaces, line ends and other white
/// space one space, none at either end. No-break spaces (`&nbsp;`) are
/// kept: they hold `10 km` together.
fn one_line(text: &str) -> String {
    // Control characters pasted into a cue reach no page or counterpart.
    // (Those that are whitespace, a form feed say, part words first.)
    let space = |c: char| c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}');
    let words = text.split(space).map(|w| crate::text::strip_control(w).0).filter(|w| !w.is_empty());
    words.collect::<Vec<_>>().join(" ")
}

/// Text with its tags removed (see [`is_tag`]), its character references
/// read (see [`entities`]) and its lines kept, each [`one_line`]; lines
/// left empty are dropped. Any other `<` is text: `I <3 you`, `5 < 6`,
/// `<https://…>` (SubRip has no escapes, and people write WebVTT by hand).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        // (A tag ends at its `>`, on its own line.)
        match after.find(['>', '<', '\n']) {
            Some(end) if after[end..].starts_with('>') && is_tag(&after[..end]) => rest = &after[end + 1..],
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    // (A reference is read within its line: `&#10;` is a space, not a
    // line end.)
    let lines = out.split('\n').map(|l| one_line(&entities(l))).filter(|l| !l.is_empty());
    lines.collect::<Vec<_>>().join("\n")
}

/// Whether `tag` (between a `<` and its `>`) is one of the timed formats'
/// tags, opening or closing: WebVTT's cue spans (`c`, `i`, `b`, `u`, `v`,
/// `ruby`, `rt`, `lang`, with classes and annotations) and timestamps
/// (`00:01.500`), SubRip's `i`, `b`, `u`, `s` and `font`.
fn is_tag(tag: &str) -> bool {
    const NAMES: &[&str] = &["c", "i", "b", "u", "v", "s", "ruby", "rt", "lang", "font"];
    let closing = tag.strip_prefix('/');
    let t = closing.unwrap_or(tag);
    let name = t.split(['.', ' ', '\t']).next().unwrap_or_default();
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) || (closing.is_none() && timestamp(t, '.').is_some())
}

/// `HH:MM:SS{sep}mmm`.
pub fn stamp(secs: f64, sep: char) -> String {
    let ms = (secs.max(0.0) * 1000.0).round() as u64;
    format!("{:02}:{:02}:{:02}{sep}{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

impl Transcript {
    /// What is wrong with it for audio of `duration` seconds (`what` names
    /// it): a cue that ends more than a second after the audio does.
    pub fn problem(&self, duration: f64, what: &str) -> Option<String> {
        let last = self.cues.iter().map(|c| c.end).fold(0.0, f64::max);
        (last > duration + 1.0).then(|| {
            format!("{}'s last cue ends at {}, after the end of {what}", self.rel, crate::chapters::clock(last))
        })
    }

    /// The same cues in the other timed format apps ask for: SRT for a VTT
    /// file, VTT for an SRT or JSON file; `None` for HTML.
    pub fn counterpart(&self) -> Option<(Kind, Vec<u8>)> {
        let to = match self.kind {
            Kind::Vtt => Kind::Srt,
            Kind::Srt | Kind::Json => Kind::Vtt,
            Kind::Html => return None,
        };
        let mut out = String::new();
        if to == Kind::Vtt {
            out.push_str("WEBVTT\n");
        }
        for (n, c) in self.cues.iter().enumerate() {
            let text = escape_cue(&c.text);
            match to {
                Kind::Vtt => {
                    let (a, b) = (stamp(c.start, '.'), stamp(c.end, '.'));
                    match &c.speaker {
                        Some(s) => out.push_str(&format!("\n{a} --> {b}\n<v {}>{text}\n", escape_cue(s))),
                        None => out.push_str(&format!("\n{a} --> {b}\n{text}\n")),
                    }
                }
                _ => {
                    let (a, b) = (stamp(c.start, ','), stamp(c.end, ','));
                    out.push_str(&format!("{}\n{a} --> {b}\n{}\n\n", n + 1, srt_text(&said(c))));
                }
            }
        }
        Some((to, out.into_bytes()))
    }
}

/// A cue's words as the SRT counterpart says them: `Name: ` first where
/// a speaker is known.
pub(crate) fn said(c: &Cue) -> String {
    match &c.speaker {
        Some(s) => format!("{s}: {}", c.text),
        None => c.text.clone(),
    }
}

/// Cue text as an SRT file can hold it. SubRip has no escapes: VLC and
/// FFmpeg (mpv, Kodi, Jellyfin) show `&lt;` as those four characters, and
/// read a `<` before a letter (spaces and a `/` between) as a tag, `<b`
/// as bold, whatever follows (FFmpeg also `<3 … >`, a digit's tag, up to
/// a `>` before the next `<`). So such a `<` is written `‹` (U+2039),
/// which every player shows as a `<`-like mark and none reads as markup;
/// any other `<` stays. `{\` (an override block to them, hidden) is
/// written `{ \`, and `-->` (a timing line's arrow) `->`. A backslash
/// before `N`, `n` or `h` (a line break, a hard space to VLC and to the
/// ASS renderer FFmpeg's players hand SubRip to) gets a word joiner
/// (U+2060, shown as nothing) after it, so it is shown as written.
pub(crate) fn srt_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let after = &text[at + c.len_utf8()..];
        match c {
            '<' if opens_tag(after) => out.push('\u{2039}'),
            '{' if after.starts_with('\\') => out.push_str("{ "),
            '\\' if after.starts_with(['N', 'n', 'h']) => out.push_str("\\\u{2060}"),
            c => out.push(c),
        }
    }
    out.replace("-->", "->")
}

/// What podsmith reads back from the SRT counterpart's text for `c`: its
/// words (with the speaker's name) as [`srt_text`] writes them, read as
/// any SubRip cue is, references and all.
pub(crate) fn srt_read_back(c: &Cue) -> String {
    let lines =
        srt_text(&said(c)).split('\n').map(|l| one_line(&entities(l))).filter(|l| !l.is_empty()).collect::<Vec<_>>();
    lines.join("\n")
}

/// Whether a `<` before `after` opens a tag to SubRip players (see
/// [`srt_text`]).
fn opens_tag(after: &str) -> bool {
    let name = after.trim_start_matches(' ');
    let name = name.strip_prefix('/').unwrap_or(name).trim_start_matches(' ');
    // (FFmpeg's tag ends at a `>` before the next `<`, over lines too.)
    let tag = name.split('<').next().unwrap_or_default();
    match name.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => true,
        Some(c) if c.is_ascii_digit() || c == '_' => tag.contains('>'),
        _ => false,
    }
}

/// Cue text safe in a VTT file: no tag or entity it does not mean, no
/// blank line or `-->` that would end the cue.
fn escape_cue(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace("\n\n", "\n")
}

/// A paragraph of a transcript as the page shows it: cues that follow
/// one another, read as one (see [`paragraphs`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueView {
    /// Start in seconds (for `#t=` and seeking).
    pub start: f64,
    /// Start as `M:SS`.
    pub time: String,
    /// Start as an HTML duration (`PT2.6S`), for `<time datetime>`.
    pub datetime: String,
    /// Who speaks (shown when it changes).
    pub speaker: Option<String>,
    /// What is said: its lines apart by a line end (which HTML shows as
    /// a space).
    pub text: String,
    /// What is said, line by line (the page shows a `<br>` between): one
    /// line, but for a dialogue's cue (`- Who?` / `- Me.`), a line a turn.
    pub lines: Vec<String>,
}

/// A paragraph goes on past this many seconds only to end a sentence.
const PARAGRAPH_SECONDS: f64 = 20.0;

/// A paragraph ends by this many seconds, in the middle of a sentence if it
/// must (captions without punctuation).
const PARAGRAPH_MOST_SECONDS: f64 = 60.0;

/// A transcript's cues as a reader reads them: paragraphs, each with one
/// link to its time. A caption file's cues are the lines of a screen, and
/// a transcript made by speech recognition may hold one word a cue: a cue
/// a paragraph made a page of thousands of links (a tab stop each, for
/// whoever moves by keyboard), the words of a sentence apart. A paragraph
/// ends where the speaker changes, at the end of a sentence once it has
/// lasted 20 s (`PARAGRAPH_SECONDS`), or at 60 s (`PARAGRAPH_MOST_SECONDS`), and
/// where a cue opens with a dash (a turn: someone else speaks); a cue of a
/// dialogue's turns (lines that open with a dash) is one of its own, its
/// turns kept line by line. The other line ends of a cue are where a
/// screen was full: read as spaces (as nothing, in a language written
/// without spaces between words). The speaker is named where it changes.
pub fn paragraphs(t: &Transcript) -> Vec<CueView> {
    let unspaced = written_without_spaces(&t.language);
    let mut views: Vec<CueView> = Vec::new();
    let mut speaking: Option<&str> = None;
    // Whether the last paragraph is open to the next cue.
    let mut open = false;
    for c in &t.cues {
        let changed = c.speaker.as_deref().filter(|s| Some(*s) != speaking);
        if c.speaker.is_some() {
            speaking = c.speaker.as_deref();
        }
        let dialogue = c.text.lines().filter(|l| is_turn(l)).count() > 1;
        // (A cue that opens with a dash is a turn: someone else speaks.)
        let turn = c.text.lines().next().is_some_and(is_turn);
        // A turn a line, each turn's own line ends spaces.
        let mut turns: Vec<String> = Vec::new();
        for line in c.text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match turns.last_mut() {
                Some(last) if !(dialogue && is_turn(line)) => glue(last, line, unspaced),
                _ => turns.push(line.to_string()),
            }
        }
        let text = turns.join("\n");
        let goes_on = views.last_mut().filter(|v| {
            let lasted = c.start - v.start;
            open && changed.is_none()
                && !turn
                && lasted < PARAGRAPH_MOST_SECONDS
                && (lasted < PARAGRAPH_SECONDS || !ends_sentence(&v.text))
        });
        match goes_on {
            Some(v) => glue(&mut v.text, &text, unspaced),
            None => views.push(CueView {
                start: c.start,
                time: crate::chapters::clock(c.start),
                datetime: crate::chapters::duration_string(c.start),
                speaker: changed.map(str::to_string),
                lines: Vec::new(),
                text,
            }),
        }
        open = !dialogue;
    }
    for v in &mut views {
        v.lines = v.text.lines().map(str::to_string).collect();
    }
    views
}

/// `next` after `text`, a space between (but at the start); in a language
/// written without spaces between words (`unspaced`), only between two
/// words of a script that has them ("CoreDNS," and "cloud" in a Japanese
/// transcript), none between its own letters.
fn glue(text: &mut String, next: &str, unspaced: bool) {
    let spaced = |c: Option<char>| c.is_some_and(|c| !without_spaces(c));
    if !text.is_empty() && (!unspaced || (spaced(text.chars().next_back()) && spaced(next.chars().next()))) {
        text.push(' ');
    }
    text.push_str(next);
}

/// Whether `c` is of a script written without spaces between words (Han,
/// kana, Thai, Lao, Khmer, Burmese), or their full-width punctuation.
fn without_spaces(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF | 0x2E80..=0x2FDF | 0x3000..=0x30FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Whether `line` of a cue is a turn of a dialogue: it opens with a dash
/// before a space or a word.
fn is_turn(line: &str) -> bool {
    let mut chars = line.trim_start().chars();
    // (Before a space or a word: "-5 degrees" is a number.)
    matches!(chars.next(), Some('-' | '\u{2013}' | '\u{2014}'))
        && chars.next().is_some_and(|c| c.is_whitespace() || c.is_alphabetic())
}

/// Whether `text` ends a sentence (a full stop, a question or an
/// exclamation, of any script, perhaps inside quotes or brackets).
fn ends_sentence(text: &str) -> bool {
    let text = text
        .trim_end()
        .trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', '\u{bb}', ')', ']', '\u{300d}', '\u{300f}']);
    text.ends_with(['.', '?', '!', '\u{2026}', '\u{3002}', '\u{ff1f}', '\u{ff01}', '\u{61f}', '\u{964}', '\u{6d4}'])
}

/// Whether words of `language` are written without spaces between them
/// (Chinese, Japanese, Thai, Lao, Khmer, Burmese): cues joined as they are.
fn written_without_spaces(language: &str) -> bool {
    let primary = language.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    matches!(primary.as_str(), "zh" | "ja" | "yue" | "cmn" | "wuu" | "th" | "lo" | "km" | "my")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transcript of `kind` in `language`, its file `text` read as `cues`.
    fn transcript(kind: Kind, language: &str, text: &str, cues: Vec<Cue>) -> Transcript {
        let ext = match kind {
            Kind::Vtt => "vtt",
            Kind::Srt => "srt",
            Kind::Json => "json",
            Kind::Html => "html",
        };
        let (rel, language, bytes) = (format!("t.{ext}"), language.to_string(), text.as_bytes().to_vec());
        Transcript { left_out: Vec::new(), relative: Vec::new(), rel, kind, language, bytes, cues }
    }

    #[test]
    fn vtt_srt_and_json_read_the_same_cues() {
        let vtt = "WEBVTT\n\nNOTE made by hand\n\n1\n00:00:00.000 --> 00:00:02.600 align:start\n<v Miek>Core<i>DNS</i> &amp; more\n\n00:02.600 --> 00:05.760\ncloud native\n";
        let srt = "1\r\n00:00:00,000 --> 00:00:02,600\r\n<v Miek>CoreDNS &amp; more\r\n\r\n2\r\n00:00:02,600 --> 00:00:05,760\r\ncloud native\r\n";
        let json = r#"{"version":"1.0.0","segments":[{"speaker":"Miek","startTime":0,"endTime":2.6,"body":"CoreDNS & more"},{"startTime":2.6,"endTime":5.76,"body":"cloud native"}]}"#;
        let want = vec![
            Cue { start: 0.0, end: 2.6, speaker: Some("Miek".into()), text: "CoreDNS & more".into() },
            Cue { start: 2.6, end: 5.76, speaker: None, text: "cloud native".into() },
        ];
        assert_eq!(parse(Kind::Vtt, vtt.as_bytes()).unwrap(), want);
        assert_eq!(parse(Kind::Srt, srt.as_bytes()).unwrap(), want);
        assert_eq!(parse(Kind::Json, json.as_bytes()).unwrap(), want);
    }

    /// A cue of two voices is a cue for each, at the same time: no words
    /// are credited to the first speaker; text before the first voice is
    /// no one's.
    #[test]
    fn each_voice_of_a_cue_keeps_its_words() {
        let vtt = "WEBVTT\n\n00:06.500 --> 00:09.000\n<v Ann>Second line</v>\n<v.loud Bob>Third &amp; last</v>\n\n\
                   00:09.000 --> 00:10.000\nIntro <v Cy>hi\n\n00:10.000 --> 00:11.000\n<v Dee></v>\n";
        let cue = |start, end, who: Option<&str>, text: &str| Cue {
            start,
            end,
            speaker: who.map(str::to_string),
            text: text.into(),
        };
        assert_eq!(
            parse(Kind::Vtt, vtt.as_bytes()).unwrap(),
            vec![
                cue(6.5, 9.0, Some("Ann"), "Second line"),
                cue(6.5, 9.0, Some("Bob"), "Third & last"),
                cue(9.0, 10.0, None, "Intro"),
                cue(9.0, 10.0, Some("Cy"), "hi"),
                // (A voice of no words is no caption: left out.)
            ]
        );
    }

    /// A `<` that opens no tag of the formats is text: SubRip has no
    /// escapes, and WebVTT written by hand has them where it should not.
    /// The formats' tags still go.
    #[test]
    fn a_less_than_sign_that_opens_no_tag_is_text() {
        let srt =
            "1\n00:00:00,000 --> 00:00:03,000\nI <3 you & 5<6 but x>y, see <https://example.org> and <Ann> said hi\n";
        let cues = parse(Kind::Srt, srt.as_bytes()).unwrap();
        assert_eq!(cues[0].text, "I <3 you & 5<6 but x>y, see <https://example.org> and <Ann> said hi");
        let vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nI <3 you and 5 < 6\n\n00:02.000 --> 00:03.000\n\
                   <i>a</i> <font color=\"red\">b</font> <00:00:02.500>c <c.loud>d</c> <lang en>e</lang> <B>f</B>\n";
        let cues = parse(Kind::Vtt, vtt.as_bytes()).unwrap();
        let texts: Vec<&str> = cues.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["I <3 you and 5 < 6", "a b c d e f"]);
    }

    /// WebVTT cue text reads HTML's character references, named and
    /// numeric, as the spec says; one that is not one stays as written.
    /// The page and the SRT counterpart carry the characters.
    #[test]
    fn character_references_in_cue_text_are_read() {
        let vtt = "WEBVTT\n\n00:00.000 --> 00:02.500\n<v Dana &amp; Co>&rlm;שלום&lrm; and caf&eacute; &#8217;&#x2019; \
                   10&nbsp;km &bogus; AT&T &amp;lt;\n";
        let cues = parse(Kind::Vtt, vtt.as_bytes()).unwrap();
        let said = "\u{200f}שלום\u{200e} and caf\u{e9} \u{2019}\u{2019} 10\u{a0}km &bogus; AT&T &lt;";
        assert_eq!(cues, [Cue { start: 0.0, end: 2.5, speaker: Some("Dana & Co".into()), text: said.into() }]);
        let t = transcript(Kind::Vtt, "he", vtt, cues);
        let (_, srt) = t.counterpart().unwrap();
        assert_eq!(String::from_utf8(srt).unwrap(), format!("1\n00:00:00,000 --> 00:00:02,500\nDana & Co: {said}\n\n"));
    }

    /// A cue's lines are kept (a dialogue's two), an SRT cue's ASS
    /// override tags left out, and its `Name: ` read as the speaker, as
    /// the SRT counterpart writes one: SRT to VTT says the same.
    #[test]
    fn srt_lines_and_speakers_reach_the_vtt_counterpart_without_override_tags() {
        let srt = "1\n00:00:00,000 --> 00:00:02,500\n{\\an8}Ann: on top\n\n2\n00:00:02,500 --> 00:00:05,000\n\
                   - Who?\n  - Me.  {\\i1}\n\n3\n00:00:05,000 --> 00:00:06,000\n{\\no end\n";
        let cues = parse(Kind::Srt, srt.as_bytes()).unwrap();
        let said: Vec<_> = cues.iter().map(|c| (c.speaker.as_deref(), c.text.as_str())).collect();
        assert_eq!(said, [(Some("Ann"), "on top"), (None, "- Who?\n- Me."), (None, "{\\no end")]);
        let t = transcript(Kind::Srt, "en", srt, cues);
        let (_, vtt) = t.counterpart().unwrap();
        assert_eq!(
            String::from_utf8(vtt).unwrap(),
            "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n<v Ann>on top\n\n00:00:02.500 --> 00:00:05.000\n- Who?\n- Me.\n\n\
             00:00:05.000 --> 00:00:06.000\n{\\no end\n"
        );
    }

    /// Only what is plainly a name before `: ` starts an SRT cue as its
    /// speaker.
    #[test]
    fn a_name_before_a_colon_is_an_srt_cues_speaker_only_where_plainly_a_name() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Ann: hi", Some("Ann")),
            ("Ann Marie Example: hi", Some("Ann Marie Example")),
            ("Dr. Ann O’Neil: hi", Some("Dr. Ann O’Neil")),
            ("דנה: hi", Some("דנה")),
            ("so: yes", None),
            ("Step 2: go", None),
            ("One two three four: x", None),
            ("Note to self, Ann: hi", None),
            ("see https://example.org", None),
            ("Ann:hi", None),
            ("Hello\nAnn: hi", None),
            // Words captions open a line with, and lower-case words, are
            // no name: a player shows no speaker, and they would be lost.
            ("Remember: always back up", None),
            ("Rule number one: never trust", None),
            ("WARNING: loud noise", None),
            ("Note: this", None),
            ("JOHN: hello", Some("JOHN")),
            ("Ludwig van Beethoven: hi", Some("Ludwig van Beethoven")),
        ];
        for (text, who) in cases {
            let srt = format!("1\n00:00:00,000 --> 00:00:01,000\n{text}\n");
            let cue = &parse(Kind::Srt, srt.as_bytes()).unwrap()[0];
            assert_eq!(cue.speaker.as_deref(), *who, "{text:?}");
            assert_eq!(said(cue), *text, "{text:?}");
        }
    }

    /// The ASS escapes of an Aegisub export's SubRip are read as players
    /// show them: `\N` a line break, `\h` a hard space.
    #[test]
    fn an_srt_cues_ass_line_breaks_are_line_breaks() {
        let srt = "1\n00:00:00,000 --> 00:00:02,000\nOne line\\Nthe next, a\\hb c\n";
        let cues = parse(Kind::Srt, srt.as_bytes()).unwrap();
        assert_eq!(cues[0].text, "One line\nthe next, a\u{a0}b c");
        let t = transcript(Kind::Srt, "en", srt, cues);
        let (_, vtt) = t.counterpart().unwrap();
        assert!(String::from_utf8(vtt).unwrap().ends_with("\nOne line\nthe next, a\u{a0}b c\n"));
    }

    /// SubRip has no escapes: a `<` that players would read as a tag is
    /// written `‹`, an override block's `{\\` as `{ \\`; every other `<`
    /// stays.
    #[test]
    fn the_srt_counterpart_writes_no_markup_players_would_read() {
        let vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\nif a &lt;b &amp;&amp; c &gt; d\n&lt;/i&gt; a &lt; b\n\n\
                   00:01.000 --> 00:02.000\nI &lt;3 you, 5 &lt; 6, &lt;3 &gt; 2, x {\\an8} y &lt;-- --&gt;\n\n\
                   00:02.000 --> 00:03.000\nC:\\New\\notes and \\h, \\x\n";
        let cues = parse(Kind::Vtt, vtt.as_bytes()).unwrap();
        let t = transcript(Kind::Vtt, "en", vtt, cues);
        let (_, srt) = t.counterpart().unwrap();
        assert_eq!(
            String::from_utf8(srt.clone()).unwrap(),
            "1\n00:00:00,000 --> 00:00:01,000\nif a \u{2039}b && c > d\n\u{2039}/i> a \u{2039} b\n\n\
             2\n00:00:01,000 --> 00:00:02,000\nI <3 you, 5 < 6, \u{2039}3 > 2, x { \\an8} y <-- ->\n\n\
             3\n00:00:02,000 --> 00:00:03,000\nC:\\\u{2060}New\\\u{2060}notes and \\\u{2060}h, \\x\n\n"
        );
        let back = parse(Kind::Srt, &srt).unwrap();
        assert!(back.iter().zip(&t.cues).all(|(a, b)| said(a) == srt_read_back(b)), "{back:?}");
    }

    /// A timing line in a cue's text starts the next cue (WebVTT's parsing
    /// rules): a file that lost a blank line does not merge two cues; in
    /// SubRip the next cue's number goes with it. A lone CR ends a line.
    #[test]
    fn a_timing_line_without_a_blank_line_before_it_starts_a_cue() {
        let want = |cues: Vec<Cue>| cues.into_iter().map(|c| (c.start, c.end, c.text)).collect::<Vec<_>>();
        let two = vec![(0.0, 3.0, "x".to_string()), (3.0, 4.0, "y".to_string())];
        let srt = "1\n00:00:00,000 --> 00:00:03,000\nx\n2\n00:00:03,000 --> 00:00:04,000\ny\n";
        assert_eq!(want(parse(Kind::Srt, srt.as_bytes()).unwrap()), two);
        let vtt = "WEBVTT\n\n00:00.000 --> 00:03.000\nx\n00:03.000 --> 00:04.000\ny\n";
        assert_eq!(want(parse(Kind::Vtt, vtt.as_bytes()).unwrap()), two);
        let cr = "WEBVTT\r\r00:00.000 --> 00:03.000\rx\r\r00:03.000 --> 00:04.000\ry\r";
        assert_eq!(want(parse(Kind::Vtt, cr.as_bytes()).unwrap()), two);
        // Text that only looks like one stays text.
        let srt = "1\n00:00:00,000 --> 00:00:03,000\nthen --> now\n";
        assert_eq!(parse(Kind::Srt, srt.as_bytes()).unwrap()[0].text, "then --> now");
    }

    /// A cue of no words is no caption: left out (the SubRip counterpart
    /// would hold an empty block, the page an empty paragraph).
    #[test]
    fn cues_without_words_are_left_out() {
        let vtt =
            "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n\n00:01.000 --> 00:02.000\n   \n\n00:02.000 --> 00:03.000\nthere\n";
        let cues = parse(Kind::Vtt, vtt.as_bytes()).unwrap();
        assert_eq!(cues.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["hi", "there"]);
        let json = r#"{"segments":[{"startTime":0,"endTime":1,"body":"hi"},{"startTime":1,"endTime":2}]}"#;
        assert_eq!(parse(Kind::Json, json.as_bytes()).unwrap().len(), 1);
    }

    #[test]
    fn broken_transcripts_say_what_is_wrong() {
        let cases: &[(Kind, &str, &str)] = &[
            (Kind::Vtt, "00:00.000 --> 00:01.000\nhi\n", "starts with a WEBVTT line"),
            (Kind::Vtt, "WEBVTT\n\n00:02.000 --> 00:01.000\nhi\n", "ends (00:01.000) before it starts"),
            (Kind::Vtt, "WEBVTT\n\n00:00.000 --> 00:61.000\nhi\n", "is not a timestamp"),
            (Kind::Vtt, "WEBVTT\n\n00:05.000 --> 00:06.000\na\n\n00:01.000 --> 00:02.000\nb\n", "must be in order"),
            (Kind::Vtt, "WEBVTT\n", "no cues"),
            (
                Kind::Srt,
                "1\n00:00:00.000 --> 00:00:01,000\nhi\n",
                "is not a timestamp of this format: write \"00:00:00,000\"",
            ),
            (Kind::Vtt, "WEBVTT\n\n00:00:01 --> 00:00:02.000\nhi\n", "write \"00:00:01.000\""),
            (Kind::Srt, "1\nhello\n", "line 1: a block without a \"start --> end\" line"),
            (Kind::Json, "{}", "not a JSON transcript"),
            (Kind::Json, r#"{"segments":[{"startTime":2,"endTime":1}]}"#, "ends before it starts"),
        ];
        for (kind, text, says) in cases {
            let e = parse(*kind, text.as_bytes()).unwrap_err();
            assert!(e.contains(says), "{text:?}: {e}");
        }
        // Every problem at once (a few, and how many more), each at its line.
        let vtt = "WEBVTT\n\nNOTE x\n\n00:00,000 --> 00:01.000\na\n\n00:02.000 --> 00:01.000\nb\n\n00:03.000 --> 00:04.000\nc\n";
        let e = parse(Kind::Vtt, vtt.as_bytes()).unwrap_err();
        assert_eq!(
            e,
            "line 5: \"00:00,000\" is not a timestamp of this format: write \"00:00.000\"; \
             line 8: it ends (00:01.000) before it starts (00:02.000)"
        );
        let many: String = (0..9).map(|i| format!("{i}\n00:00:0{i}.000 --> 00:00:09,000\nx\n\n")).collect();
        let e = parse(Kind::Srt, many.as_bytes()).unwrap_err();
        assert!(e.starts_with("line 2: \"00:00:00.000\" is not") && e.contains("; line 6: "), "{e}");
        assert!(e.ends_with("; and 4 more"), "{e}");
        let latin1 = parse(Kind::Vtt, b"WEBVTT\n\n00:00.000 --> 00:01.000\ncaf\xe9\n").unwrap_err();
        assert!(latin1.starts_with("not UTF-8 text (byte 0xE9 on line 4): save it as UTF-8"), "{latin1}");
        // UTF-16 without its byte-order mark is told as UTF-16, not as a file without a WEBVTT line.
        let text = "WEBVTT\n\n00:00.000 --> 00:01.000\ncaf\u{e9}\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [le, be] {
            assert_eq!(
                parse(Kind::Vtt, &bytes).unwrap_err(),
                "UTF-16 text (every other byte of it is 0): save it as UTF-8"
            );
        }
        assert!(utf16_mark(b"WEBVTT\n\n").is_none() && utf16_mark(b"\0\0\0\0\0\0\0\0").is_none());
    }

    #[test]
    fn the_counterpart_reads_back_as_the_same_cues() {
        let vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:02.600\n<v Ann Example>a <b> --> c\n\n00:00:02.600 --> 00:01:05.760\nd & e\n";
        let cues = parse(Kind::Vtt, vtt.as_bytes()).unwrap();
        let t = transcript(Kind::Vtt, "en", vtt, cues.clone());
        let (kind, srt) = t.counterpart().unwrap();
        assert_eq!(kind, Kind::Srt);
        let back = parse(Kind::Srt, &srt).unwrap();
        assert_eq!(back.iter().map(|c| (c.start, c.end)).collect::<Vec<_>>(), [(0.0, 2.6), (2.6, 65.76)]);
        let from_srt = Transcript { kind: Kind::Srt, bytes: srt, cues: back, ..t };
        let (kind, vtt_again) = from_srt.counterpart().unwrap();
        assert_eq!(kind, Kind::Vtt);
        assert_eq!(parse(Kind::Vtt, &vtt_again).unwrap().len(), 2);
        assert_eq!(stamp(3723.5, ','), "01:02:03,500");
    }

    /// What the fuzzer found: a JSON transcript whose VTT counterpart read
    /// back otherwise (a speaker with markup characters, text over lines)
    /// or not at all (a time past what a timestamp can say).
    #[test]
    fn a_json_transcript_and_its_vtt_counterpart_read_the_same() {
        let json = r#"{"segments":[{"speaker":"Ann <host>","startTime":0,"endTime":1.5,"body":"a\nb\u000cc  d"}]}"#;
        let cues = parse(Kind::Json, json.as_bytes()).unwrap();
        assert_eq!(cues, [Cue { start: 0.0, end: 1.5, speaker: Some("Ann <host>".into()), text: "a b c d".into() }]);
        let t = transcript(Kind::Json, "en", json, cues);
        let (kind, vtt) = t.counterpart().unwrap();
        assert_eq!(kind, Kind::Vtt);
        assert_eq!(parse(Kind::Vtt, &vtt).unwrap(), t.cues, "{}", String::from_utf8_lossy(&vtt));
        let far = r#"{"segments":[{"startTime":0,"endTime":1.8e16,"body":"x"}]}"#;
        assert!(parse(Kind::Json, far.as_bytes()).unwrap_err().contains("must be times in seconds"));
    }

    /// `endTime` is "if available": a segment without one ends where the
    /// next starts (the last, a second after it starts); a byte-order mark is read past.
    #[test]
    fn a_json_segment_without_an_end_ends_where_the_next_starts() {
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("1\n".bytes().flat_map(|b| [b, 0])).collect();
        assert_eq!(
            parse(Kind::Srt, &utf16).unwrap_err(),
            "UTF-16 text (it starts with the byte-order mark FF FE): save it as UTF-8"
        );
        let json = "\u{feff}{\"version\":\"1.0.0\",\"segments\":[{\"speaker\":\"A\",\"startTime\":0.5,\"body\":\"Hello there\"},{\"startTime\":2,\"body\":\"General Kenobi\"}]}";
        let cues = parse(Kind::Json, json.as_bytes()).unwrap();
        assert_eq!(
            cues,
            [
                Cue { start: 0.5, end: 2.0, speaker: Some("A".into()), text: "Hello there".into() },
                Cue { start: 2.0, end: 3.0, speaker: None, text: "General Kenobi".into() }
            ]
        );
    }

    /// The namespace's own example, one word a segment: read as phrases, a
    /// sentence or a speaker each.
    #[test]
    fn a_json_transcript_of_a_word_a_segment_is_read_as_phrases() {
        let json = r#"{"version":"1.0.0","segments":[
            {"speaker":"Darth Vader","startTime":0.5,"endTime":0.75,"body":"I"},
            {"speaker":"Darth Vader","startTime":0.75,"endTime":1.0,"body":"am"},
            {"speaker":"Darth Vader","startTime":1.0,"endTime":1.25,"body":"your"},
            {"speaker":"Darth Vader","startTime":1.25,"endTime":1.5,"body":"father."},
            {"speaker":"Darth Vader","startTime":1.6,"endTime":1.8,"body":"Search"},
            {"startTime":1.8,"endTime":2.0,"body":"your"},
            {"startTime":2.0,"endTime":2.3,"body":"feelings."},
            {"speaker":"Luke Skywalker","startTime":5.5,"endTime":6.0,"body":"Nooooo"}
        ]}"#;
        let cues = parse(Kind::Json, json.as_bytes()).unwrap();
        let said: Vec<(f64, f64, Option<&str>, &str)> =
            cues.iter().map(|c| (c.start, c.end, c.speaker.as_deref(), c.text.as_str())).collect();
        assert_eq!(
            said,
            [
                (0.5, 1.5, Some("Darth Vader"), "I am your father."),
                (1.6, 2.3, Some("Darth Vader"), "Search your feelings."),
                (5.5, 6.0, Some("Luke Skywalker"), "Nooooo"),
            ]
        );
        // Segments of phrases are taken as they are.
        let phrases =
            r#"{"segments":[{"startTime":0,"endTime":1,"body":"a b"},{"startTime":1,"endTime":2,"body":"c d"}]}"#;
        assert_eq!(parse(Kind::Json, phrases.as_bytes()).unwrap().len(), 2);
    }

    /// Cues of `(start, speaker, text)`, a second long each, in `language`.
    fn timed(language: &str, cues: &[(f64, Option<&str>, &str)]) -> Transcript {
        let cue = |&(start, who, text): &(f64, Option<&str>, &str)| Cue {
            start,
            end: start + 1.0,
            speaker: who.map(str::to_string),
            text: text.to_string(),
        };
        transcript(Kind::Vtt, language, "", cues.iter().map(cue).collect())
    }

    /// What the page shows of each paragraph: start, speaker, lines.
    fn shown(t: &Transcript) -> Vec<(f64, Option<String>, Vec<String>)> {
        paragraphs(t).into_iter().map(|v| (v.start, v.speaker, v.lines)).collect()
    }

    /// A caption file's lines of a screen, and a recognizer's word a cue,
    /// are read as paragraphs: a speaker each, a sentence ending one once
    /// it lasted 20 s, 60 s at most; a screen's line ends are spaces.
    #[test]
    fn cues_are_read_as_paragraphs_a_speaker_and_some_sentences_each() {
        let t = timed(
            "en",
            &[
                (0.0, Some("Ann"), "Welcome to the show,"),
                (2.0, None, "this week\nwith Bob."),
                (4.0, Some("Bob"), "Thanks."),
                (6.0, Some("Bob"), "Glad to be here."),
                (20.0, None, "Later, a sentence ends here."),
                (27.0, None, "A new paragraph"),
                (40.0, None, "goes on past twenty seconds"),
                (50.0, None, "to the end of its sentence."),
                (52.0, Some("Ann"), "Good."),
            ],
        );
        let p = |start, who: Option<&str>, text: &str| (start, who.map(str::to_string), vec![text.to_string()]);
        assert_eq!(
            shown(&t),
            [
                p(0.0, Some("Ann"), "Welcome to the show, this week with Bob."),
                p(4.0, Some("Bob"), "Thanks. Glad to be here. Later, a sentence ends here."),
                p(27.0, None, "A new paragraph goes on past twenty seconds to the end of its sentence."),
                p(52.0, Some("Ann"), "Good."),
            ]
        );
        // Words without a full stop: a paragraph a minute.
        let words: Vec<(f64, Option<&str>, &str)> = (0..300).map(|i| (f64::from(i) * 0.5, None, "word")).collect();
        let paragraphs = paragraphs(&timed("en", &words));
        assert_eq!(paragraphs.iter().map(|v| v.start).collect::<Vec<_>>(), [0.0, 60.0, 120.0]);
        assert_eq!(paragraphs[0].text, vec!["word"; 120].join(" "));
    }

    /// A cue of a dialogue's turns is a paragraph of its own, a line a
    /// turn; in Japanese (or Chinese, Thai, …) cues join without a space.
    #[test]
    fn a_dialogue_keeps_its_turns_and_some_languages_join_without_spaces() {
        let t = timed(
            "en",
            &[
                (0.0, None, "So"),
                (1.0, None, "- Who?\n- Me, and\nmy friend."),
                (2.0, None, "and then"),
                (3.0, None, "- You?"),
            ],
        );
        let lines: Vec<Vec<String>> = paragraphs(&t).into_iter().map(|v| v.lines).collect();
        assert_eq!(lines, [vec!["So"], vec!["- Who?", "- Me, and my friend."], vec!["and then"], vec!["- You?"]]);
        // A turn alone opens a paragraph that goes on.
        let t = timed("en", &[(0.0, None, "So"), (1.0, None, "- Just one"), (2.0, None, "more.")]);
        let lines: Vec<Vec<String>> = paragraphs(&t).into_iter().map(|v| v.lines).collect();
        assert_eq!(lines, [vec!["So"], vec!["- Just one more."]]);
        let t = timed("ja-JP", &[(0.0, None, "\u{3053}\u{3093}\u{306b}"), (1.0, None, "\u{3061}\u{306f}\u{3002}")]);
        assert_eq!(paragraphs(&t)[0].text, "\u{3053}\u{3093}\u{306b}\u{3061}\u{306f}\u{3002}");
        // (Words of a script with spaces keep theirs there.)
        let t =
            timed("ja", &[(0.0, None, "CoreDNS,\ncloud"), (1.0, None, "native \u{3067}\u{3059}"), (2.0, None, "DNS")]);
        assert_eq!(paragraphs(&t)[0].text, "CoreDNS, cloud native \u{3067}\u{3059}DNS");
        // (A line that opens with a minus sign is no turn alone.)
        let t = timed("en", &[(0.0, None, "It was"), (1.0, None, "-5 degrees\nthat night")]);
        assert_eq!(paragraphs(&t)[0].text, "It was -5 degrees that night");
    }
}
