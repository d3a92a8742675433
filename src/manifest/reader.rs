//! A strict, span-aware reader over a parsed TOML table.
//!
//! serde's `deny_unknown_fields` stops at the first problem; a podcaster
//! fixing a manifest wants every problem at once, each with its line and a
//! fix. So the manifest is parsed into toml's spanned tree
//! ([`toml::de::DeTable`]) and read field by field here: each getter checks
//! the type, records a [`Problem`] on a mismatch and carries on, and
//! [`Fields::finish`] reports the keys nobody asked for, with a "did you
//! mean" when one is close.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};
use toml_datetime::Datetime;

use super::Problem;

/// Collects problems and turns byte offsets into lines and columns.
pub struct Context<'s> {
    src: &'s str,
    file: &'s Path,
    line_starts: Vec<usize>,
    pub problems: Vec<Problem>,
    /// Control characters taken out of strings ([`Fields::string`]): a
    /// warning each.
    pub cleaned: Vec<crate::diagnostic::Diagnostic>,
}

impl<'s> Context<'s> {
    pub fn new(src: &'s str, file: &'s Path) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Context { src, file, line_starts, problems: Vec::new(), cleaned: Vec::new() }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.src[start..offset].chars().count() + 1;
        (line, col)
    }

    /// The manifest file, as messages name it.
    pub fn file(&self) -> &'s Path {
        self.file
    }

    /// The manifest's text at `span`.
    pub fn text(&self, span: &Range<usize>) -> &'s str {
        self.src.get(span.clone()).unwrap_or("")
    }

    /// Records a problem at the start of `line`.
    pub fn error_at_line(&mut self, line: usize, message: impl Into<String>, help: Option<String>) {
        self.problems.push(super::problem(self.file, line, 1, message, help));
    }

    /// `text` of `key` in `what` (at `span`) without control characters
    /// ([`crate::text::strip_control`]: XML cannot carry most, HTML none);
    /// a warning where some were taken out.
    pub fn cleaned(&mut self, span: &Range<usize>, key: &str, what: &str, text: String) -> String {
        // A file's path is its name as it is: one with such characters is
        // refused where the path is read, not taken for another file's.
        if matches!(key, "media" | "image" | "transcript" | "file" | "chapters_file" | "notes_file") {
            return text;
        }
        let (cleaned, removed) = crate::text::strip_control(&text);
        // (Text of several lines is shown as blocks, paragraphs, each of
        // which ends what it left open: notes. A guid or slug is an
        // identity, kept as it was published, whatever it holds.)
        let shown = !matches!(key, "guid" | "slug") && !cleaned.contains('\n');
        // A tab in a title or a name is a gap or a box in apps, as `add`
        // says of one given to it: a space.
        let titled = matches!(key, "title" | "itunes_title" | "season_name" | "author" | "name");
        let tabs = if shown && titled { cleaned.matches('\t').count() } else { 0 };
        let cleaned = match tabs {
            0 => cleaned,
            _ => {
                let (line, column) = self.line_col(span.start);
                self.cleaned.push(
                    crate::diagnostic::Diagnostic::warning(
                        "CONTROL-CHARS",
                        format!(
                            "replaced {} in `{key}` in {what} with spaces (apps show a tab in a title or a name as \
                             a gap or a box)",
                            crate::text::count(tabs, "tab")
                        ),
                    )
                    .at(crate::diagnostic::Location::file(self.file, line, Some(column))),
                );
                cleaned.replace('\t', " ")
            }
        };
        let cleaned = match shown.then(|| crate::text::close_bidi(&cleaned)).flatten() {
            Some((closed, n)) => {
                let (line, column) = self.line_col(span.start);
                self.cleaned.push(
                    crate::diagnostic::Diagnostic::warning(
                        "BIDI-OPEN",
                        format!(
                            "closed {} that `{key}` in {what} left open at its end: it turned the text after it \
                             around wherever it is shown (the show's name after an episode's title)",
                            crate::text::count(n, "right-to-left or left-to-right mark")
                        ),
                    )
                    .at(crate::diagnostic::Location::file(self.file, line, Some(column))),
                );
                closed
            }
            None => cleaned,
        };
        if shown && cleaned.contains(['\u{202D}', '\u{202E}']) {
            let (line, column) = self.line_col(span.start);
            self.cleaned.push(
                crate::diagnostic::Diagnostic::warning(
                    "BIDI-OVERRIDE",
                    format!(
                        "`{key}` in {what} holds a direction override (U+202D or U+202E): the letters after it are \
                         shown in the reverse order, so it reads as other words in apps than it holds"
                    ),
                )
                .at(crate::diagnostic::Location::file(self.file, line, Some(column)))
                .help("take it out: apps lay out right-to-left words by themselves (an isolate, U+2067, sets a direction)"),
            );
        }
        if removed == 0 {
            return cleaned;
        }
        let (line, column) = self.line_col(span.start);
        self.cleaned.push(
            crate::diagnostic::Diagnostic::warning(
                "CONTROL-CHARS",
                format!(
                    "removed {} from `{key}` in {what} (feeds and pages cannot carry them; they are usually pasted \
                     by accident)",
                    crate::text::count(removed, "control character")
                ),
            )
            .at(crate::diagnostic::Location::file(self.file, line, Some(column))),
        );
        cleaned
    }

    /// Records a problem at `span`.
    pub fn error(&mut self, span: &Range<usize>, message: impl Into<String>, help: Option<String>) {
        let (line, column) = self.line_col(span.start);
        self.problems.push(super::problem(self.file, line, column, message, help));
    }
}

/// Describes a TOML value's type the way an error message needs it.
pub fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The keys an episode's chapter has: one of them written below a
/// `[[episode.chapters]]` header is taken as the chapter's without a word
/// (see [`Fields::missing`]).
pub const CHAPTER_KEYS: &[&str] = &["start", "end", "title", "url", "image", "toc"];

/// A key written below a `[[…]]` header (see [`Fields::stray`]).
pub struct Stray {
    /// Which table of the array (from 1).
    pub n: usize,
    /// The key's value.
    pub key: Range<usize>,
    /// The first table's header (the first chapter's): what goes to the
    /// episode goes above it.
    pub first: Range<usize>,
    /// The header's name (`episode.chapters`).
    pub header: String,
}

/// The key of `known` meant by `key`, a name for it in RSS or another
/// tool (`pubDate`, `enclosure`, `itunes:summary`), if it is one.
pub fn meant<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    const NAMES: &[(&str, &[&str])] = &[
        ("description", &["notes"]),
        ("summary", &["description", "notes"]),
        ("subtitle", &["description", "notes"]),
        ("shownotes", &["notes"]),
        ("contentencoded", &["notes"]),
        ("pubdate", &["date"]),
        ("published", &["date"]),
        ("publishdate", &["date"]),
        ("releasedate", &["date"]),
        ("enclosure", &["media"]),
        ("enclosures", &["media"]),
        ("audio", &["media"]),
        ("file", &["media"]),
        ("files", &["media"]),
        ("mp3", &["media"]),
        ("episodetype", &["type"]),
        ("episodenumber", &["episode"]),
        ("number", &["episode"]),
        ("seasonnumber", &["season"]),
        ("email", &["owner"]),
        ("owneremail", &["owner"]),
        ("category", &["categories"]),
        ("lang", &["language"]),
        ("cover", &["image"]),
        ("artwork", &["image"]),
        ("art", &["image"]),
        ("url", &["base_url"]),
        ("siteurl", &["base_url"]),
        ("baseurl", &["base_url"]),
        ("guest", &["guests"]),
        ("transcripts", &["transcript"]),
        ("chapter", &["chapters"]),
    ];
    let plain: String = key
        .trim_start_matches("itunes:")
        .trim_start_matches("podcast:")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let (_, keys) = NAMES.iter().find(|(name, _)| *name == plain)?;
    keys.iter().find_map(|k| known.iter().find(|n| *n == k).copied())
}

/// Where `key` belongs when it is not of a table whose keys are `known`:
/// an episode's key in `[podcast]`, the show's in an episode.
fn elsewhere(key: &str, known: &[&str]) -> Option<&'static str> {
    // (Not `author` or `link`: an episode's own, if it had one, would not be the show's.)
    const SHOWS: &[&str] = &["base_url", "owner", "language", "categories", "copyright", "formats"];
    let episode = known.contains(&"media");
    match (episode, super::reading::EPISODE_KEYS.contains(&key), SHOWS.contains(&key)) {
        (true, _, true) => Some("that is the show's: give it once, in [podcast]"),
        (false, true, _) => Some("that is an episode's: give it in each [[episode]] it is of"),
        _ => None,
    }
}

/// Whether TOML integer `i` is more than a `u32` holds (a number, not too small).
fn n_too_big(i: &toml::de::DeInteger<'_>) -> bool {
    i64::from_str_radix(i.as_str(), i.radix()).map_or(!i.as_str().starts_with('-'), |n| n > i64::from(u32::MAX))
}

/// Why text `s` is not a date, where it can be told (", April has 30
/// days"), and the date it means, written as the manifest takes it, where
/// it is one in another form: a feed's (`Wed, 12 Apr 2017 09:00:00
/// -0400`, RFC 2822), or a month or day in one digit (`2017-4-12`).
fn date_told(s: &str) -> (String, Option<String>) {
    use chrono::Datelike;
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(s) {
        return (" (a feed's form)".into(), Some(d.to_rfc3339()));
    }
    let day: Vec<&str> = s.get(..s.find(['T', ' ']).unwrap_or(s.len())).unwrap_or(s).split('-').collect();
    let [y, m, d] = day[..] else { return (String::new(), None) };
    let (Ok(mut y), Ok(m), Ok(mut d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return (String::new(), None);
    };
    // Day, month, year (31-12-2017): the order the manifest writes is year first.
    let day_first = day[0].len() <= 2 && day[2].len() == 4;
    if day_first {
        (y, d) = (i32::try_from(d).unwrap_or(0), u32::try_from(y).unwrap_or(0));
    }
    let Some(first) = chrono::NaiveDate::from_ymd_opt(y, m, 1) else {
        return (format!(": there is no month {m}"), None);
    };
    let next = if m == 12 {
        chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    let days = next.map_or(31, |n| (n - first).num_days());
    match chrono::NaiveDate::from_ymd_opt(y, m, d) {
        None => (format!(": {} {y} has {days} days", first.format("%B")), None),
        Some(date) if day_first => {
            (" (read as day-month-year: the year goes first)".into(), Some(date.format("%Y-%m-%d").to_string()))
        }
        Some(date) => {
            let rest = s.get(s.find(['T', ' ']).unwrap_or(s.len())..).unwrap_or("").replacen(' ', "T", 1);
            let written = format!("{:04}-{:02}-{:02}{rest}", date.year(), date.month(), date.day());
            let taken = written.parse::<Datetime>().is_ok();
            (String::new(), taken.then_some(written))
        }
    }
}

/// The name in the `[[…]]` header a table at `span` opens with
/// (`episode.chapters`), if it opens with one.
fn header_of(cx: &Context<'_>, span: &Range<usize>) -> Option<String> {
    let text = cx.src.get(span.clone())?.strip_prefix("[[")?;
    Some(text.split("]]").next()?.trim().to_string())
}

/// One table being read: remembers which keys were asked for.
pub struct Fields<'t, 'i> {
    table: &'t DeTable<'i>,
    /// Where the table starts (for "missing key" problems).
    pub span: Range<usize>,
    /// How messages name this table, e.g. `[podcast]` or `episode 2 ("Title")`.
    pub what: String,
    known: Vec<&'static str>,
}

impl<'t, 'i> Fields<'t, 'i> {
    pub fn new(table: &'t DeTable<'i>, span: Range<usize>, what: impl Into<String>) -> Self {
        Fields { table, span, what: what.into(), known: Vec::new() }
    }

    fn get(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.known.push(key);
        self.table.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(|(_, v)| v)
    }

    fn wrong_type(&self, cx: &mut Context<'_>, key: &str, v: &Spanned<DeValue<'_>>, want: &str, example: &str) {
        cx.error(
            &v.span(),
            format!("`{key}` in {} must be {want}, not {}", self.what, type_name(v.get_ref())),
            Some(format!("write it like: {key} = {example}")),
        );
    }

    /// A string value, if present and a string.
    pub fn string(&mut self, cx: &mut Context<'_>, key: &'static str) -> Option<Spanned<String>> {
        let v = self.get(key)?;
        match v.get_ref() {
            // Line ends as written on Windows (or by a Git checkout with
            // autocrlf) are the same text: a note is not "changed" by them.
            DeValue::String(s) => {
                let text = if s.contains("\r\n") { s.replace("\r\n", "\n") } else { s.to_string() };
                Some(Spanned::new(v.span(), cx.cleaned(&v.span(), key, &self.what, text)))
            }
            _ => {
                self.wrong_type(cx, key, v, "a string", "\"...\"");
                None
            }
        }
    }

    /// A string that must be present and non-blank.
    pub fn required_string(
        &mut self,
        cx: &mut Context<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Spanned<String>> {
        let present = self.table.iter().any(|(k, _)| k.get_ref().as_ref() == key);
        let value = self.string(cx, key);
        match &value {
            Some(s) if s.get_ref().trim().is_empty() => {
                cx.error(
                    &s.span(),
                    format!("`{key}` in {} is empty", self.what),
                    Some(format!("fill it in, e.g. {key} = {example}")),
                );
                None
            }
            None if !present => {
                self.missing(cx, key, example);
                None
            }
            _ => value,
        }
    }

    /// Records that a required key is missing. One written below a
    /// `[[…chapters]]` header of this table is where it is (see [`Fields::stray`]):
    /// a key chapters do not have is said there, as a chapter's
    /// ([`Fields::finish_under`]); of one they have (`title`), which a
    /// chapter takes without a word, the help says where it is. One given
    /// under another name (`pubDate`) is said at that name, with the right one.
    pub fn missing(&self, cx: &mut Context<'_>, key: &str, example: &str) {
        if self.table.iter().any(|(k, _)| meant(k.get_ref(), &[key]).is_some()) {
            return;
        }
        let stray = self.stray(cx, key);
        if stray.as_ref().is_some_and(|_| !CHAPTER_KEYS.contains(&key)) {
            return;
        }
        let help = match stray {
            Some(stray) => format!(
                "add {key} = {example} above line {} (the `{key}` on line {} is chapter {}'s: in TOML every key \
                 after a [[{}]] header is that table's)",
                cx.line_col(stray.first.start).0,
                cx.line_col(stray.key.start).0,
                stray.n,
                stray.header,
            ),
            None => format!("add {key} = {example}"),
        };
        cx.error(&self.span, format!("{} has no `{key}`", self.what), Some(help));
    }

    /// A key meant for this table written below the `[[…]]` header of one
    /// of its `chapters` (an array of tables), which
    /// makes it that table's: the first such table that holds `key`, or,
    /// for a key those tables have too (see [`CHAPTER_KEYS`]), the last
    /// table only (the one the keys after the array's headers go to).
    pub fn stray(&self, cx: &Context<'_>, key: &str) -> Option<Stray> {
        self.table.iter().find_map(|(name, v)| {
            let DeValue::Array(items) = v.get_ref() else { return None };
            if name.get_ref().as_ref() != "chapters" {
                return None;
            }
            let skip = match CHAPTER_KEYS.contains(&key) {
                true => items.len().saturating_sub(1),
                false => 0,
            };
            items.iter().enumerate().skip(skip).find_map(|(i, item)| {
                let DeValue::Table(t) = item.get_ref() else { return None };
                let opened = item.span();
                let header = header_of(cx, &opened)?;
                let (_, v) = t.iter().find(|(k, _)| k.get_ref().as_ref() == key)?;
                let first = items.first().map_or(opened.clone(), |f| f.span());
                Some(Stray { n: i + 1, key: v.span(), first, header })
            })
        })
    }

    /// Where `key`'s value is, if the table has it.
    pub fn value_span(&self, key: &str) -> Option<Range<usize>> {
        self.table.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(|(_, v)| v.span())
    }

    /// True if the table has `key` (whatever its type).
    pub fn has(&self, key: &str) -> bool {
        self.table.iter().any(|(k, _)| k.get_ref().as_ref() == key)
    }

    /// A boolean value, if present and a boolean.
    pub fn boolean(&mut self, cx: &mut Context<'_>, key: &'static str) -> Option<bool> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            DeValue::String(s) if matches!(s.as_ref(), "yes" | "no" | "true" | "false" | "clean") => {
                cx.error(
                    &v.span(),
                    format!("`{key}` in {} must be true or false without quotes, not \"{s}\"", self.what),
                    Some(format!("write {key} = {}", matches!(s.as_ref(), "yes" | "true"))),
                );
                None
            }
            _ => {
                self.wrong_type(cx, key, v, "true or false", "false");
                None
            }
        }
    }

    /// One of a few words (`type = "serial"`), or `default` when absent.
    pub fn choice<T: Copy>(
        &mut self,
        cx: &mut Context<'_>,
        key: &'static str,
        options: &[(&'static str, T)],
        default: T,
        help: Option<&str>,
    ) -> Option<T> {
        let Some(s) = self.string(cx, key) else { return Some(default) };
        if let Some((_, value)) = options.iter().find(|(word, _)| *word == s.get_ref()) {
            return Some(*value);
        }
        let words: Vec<String> = options.iter().map(|(w, _)| format!("\"{w}\"")).collect();
        let (last, rest) = words.split_last().map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
        let one_of = if rest.is_empty() { last.to_string() } else { format!("{} or {last}", rest.join(", ")) };
        // A slip of the keyboard ("ful", "Trailer") is told its fix.
        let plain: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
        let given = s.get_ref().trim().to_lowercase();
        let near = plain.iter().find(|w| **w == given).copied().or_else(|| crate::text::did_you_mean(&given, &plain));
        let help = match (near, help) {
            (Some(word), Some(help)) => Some(format!("did you mean {key} = \"{word}\"? ({help})")),
            (Some(word), None) => Some(format!("did you mean {key} = \"{word}\"?")),
            (None, help) => help.map(str::to_string),
        };
        cx.error(&s.span(), format!("`{key}` in {} must be {one_of}, not \"{}\"", self.what, s.get_ref()), help);
        None
    }

    /// A positive whole number (1, 2, 3 …), as Apple wants for episode and
    /// season numbers.
    pub fn positive_int(&mut self, cx: &mut Context<'_>, key: &'static str) -> Option<Spanned<u32>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) if n >= 1 && n <= i64::from(u32::MAX) => Some(Spanned::new(v.span(), n as u32)),
                _ => {
                    cx.error(
                        &v.span(),
                        match n_too_big(i) {
                            true => format!(
                                "`{key}` in {} must be a whole number from 1 to {}, not {i}",
                                self.what,
                                u32::MAX
                            ),
                            false => format!("`{key}` in {} must be a whole number from 1 up, not {i}", self.what),
                        },
                        Some(match key {
                            "episode" | "season" => format!("Apple counts from 1: {key} = 1"),
                            _ => format!("write {key} = 1 or more"),
                        }),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(cx, key, v, "a whole number", "1");
                None
            }
        }
    }

    /// The value of `key`, whatever its type.
    pub fn value(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.get(key)
    }

    /// A time in an episode: seconds (`90`, `90.5`) or `"MM:SS"` /
    /// `"HH:MM:SS"` (see [`crate::chapters::parse_time`]).
    pub fn time(&mut self, cx: &mut Context<'_>, key: &'static str) -> Option<Spanned<f64>> {
        let v = self.get(key)?;
        let secs = match v.get_ref() {
            DeValue::Integer(i) => {
                i64::from_str_radix(i.as_str(), i.radix()).ok().filter(|n| *n >= 0).map(|n| n as f64)
            }
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0),
            DeValue::String(s) => crate::chapters::parse_time(s),
            _ => {
                self.wrong_type(cx, key, v, "a time", "\"12:30\" (or seconds: 750)");
                return None;
            }
        };
        if secs.is_none() {
            cx.error(
                &v.span(),
                format!("`{key}` in {} is not a time in the episode", self.what),
                Some(format!("write {key} = \"MM:SS\", \"HH:MM:SS\" or seconds, e.g. {key} = \"12:30\"")),
            );
        }
        secs.map(|s| Spanned::new(v.span(), s))
    }

    /// A list of strings; a single string is taken as a list of one.
    pub fn string_list(
        &mut self,
        cx: &mut Context<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Vec<Spanned<String>>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => {
                Some(vec![Spanned::new(v.span(), cx.cleaned(&v.span(), key, &self.what, s.to_string()))])
            }
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => out
                            .push(Spanned::new(item.span(), cx.cleaned(&item.span(), key, &self.what, s.to_string()))),
                        other => cx.error(
                            &item.span(),
                            format!("`{key}` in {} must list strings, not {}", self.what, type_name(other)),
                            Some(format!("write it like: {key} = {example}")),
                        ),
                    }
                }
                Some(out)
            }
            _ => {
                self.wrong_type(cx, key, v, "a list of strings", example);
                None
            }
        }
    }

    /// A TOML date-time (or an RFC 3339 string holding one).
    pub fn datetime(&mut self, cx: &mut Context<'_>, key: &'static str) -> Option<Spanned<Datetime>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Datetime(d) => Some(Spanned::new(v.span(), *d)),
            DeValue::String(s) => match s.trim().parse::<Datetime>() {
                Ok(d) => Some(Spanned::new(v.span(), d)),
                Err(_) => {
                    let (why, help) = date_told(s);
                    cx.error(
                        &v.span(),
                        format!("`{key}` in {} is not a date: \"{s}\"{why}", self.what),
                        Some(match help {
                            Some(date) => format!("write {key} = {date}"),
                            None => format!(
                                "write an RFC 3339 date-time without quotes: {key} = 2017-04-12T09:00:00-04:00 (or just \
                                 2017-04-12)"
                            ),
                        }),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(cx, key, v, "a date-time", "2017-04-12T09:00:00-04:00");
                None
            }
        }
    }

    /// An array of any values.
    pub fn array(
        &mut self,
        cx: &mut Context<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<&'t [Spanned<DeValue<'i>>]> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Array(items) => Some(items.as_ref()),
            _ => {
                self.wrong_type(cx, key, v, "an array", example);
                None
            }
        }
    }

    /// A nested table, e.g. `owner = { name = "…", email = "…" }` or `[podcast.owner]`.
    pub fn table(&mut self, cx: &mut Context<'_>, key: &'static str) -> Option<Fields<'t, 'i>> {
        let what = format!("`{key}` in {}", self.what);
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Fields::new(t, v.span(), what)),
            _ => {
                self.wrong_type(cx, key, v, "a table", "{ ... }");
                None
            }
        }
    }

    /// Reports every key that was not asked for, with a suggestion.
    pub fn finish(self, cx: &mut Context<'_>) {
        self.finish_under(cx, None);
    }

    /// [`Fields::finish`] of a table of an array of tables inside another
    /// (a chapter of an episode), whose keys are `parent_keys`: one of them
    /// written below this table's `[[…]]` header is said to belong above it.
    pub fn finish_under(self, cx: &mut Context<'_>, parent_keys: Option<(&[&str], usize)>) {
        let unasked = |(k, _): &(&Spanned<std::borrow::Cow<'_, str>>, _)| !self.known.contains(&k.get_ref().as_ref());
        if !self.table.iter().any(|kv| unasked(&kv)) {
            return;
        }
        // (Asked for once each, in the order asked: a key may be asked twice.)
        let known: Vec<&str> =
            self.known.iter().enumerate().filter(|(i, k)| !self.known[..*i].contains(k)).map(|(_, k)| *k).collect();
        let opened = header_of(cx, &self.span);
        for (k, _) in self.table.iter() {
            let key = k.get_ref().as_ref();
            if known.contains(&key) {
                continue;
            }
            if let Some((_, first)) = parent_keys.filter(|(keys, _)| opened.is_some() && keys.contains(&key)) {
                let line = cx.line_col(self.span.start).0;
                let header = opened.as_deref().unwrap_or_default();
                cx.error(
                    &k.span(),
                    format!(
                        "`{key}` here belongs to {}, not to the episode: it comes after the chapter's `[[{header}]]` \
                         header on line {line}",
                        self.what
                    ),
                    Some(format!(
                        "in TOML every key after a [[...]] header is that table's: move `{key}` above line {first} \
                         (the first chapter's header), with the episode's other keys"
                    )),
                );
                continue;
            }
            let help = match (crate::text::did_you_mean(key, &known), meant(key, &known), elsewhere(key, &known)) {
                (Some(s), _, _) | (None, Some(s), _) => {
                    // A key misspelt is one problem, not that and a key missing too.
                    let missing = format!("{} has no `{s}`", self.what);
                    match cx.problems.iter().rposition(|p| p.message == missing) {
                        Some(i) => {
                            cx.problems.remove(i);
                            format!("did you mean `{s}`? ({missing} otherwise)")
                        }
                        None => format!("did you mean `{s}`?"),
                    }
                }
                (None, None, Some(help)) => help.to_string(),
                (None, None, None) => format!("known keys here: {}", known.join(", ")),
            };
            let shown = crate::text::truncate_chars(key, 60);
            cx.error(&k.span(), format!("unknown key `{shown}` in {}", self.what), Some(help));
        }
    }
}
