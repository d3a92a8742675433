//! Will Apple, Spotify and Podcast Index accept this feed? The last step of
//! the pipeline: a feed's bytes (and, where known, the files behind its
//! URLs) in, a [`Report`] of [`Finding`]s out.
//!
//! The rules are listed in [`rules::RULES`]; each check cites one by id.
//! `podsmith build` runs the same checks on the feeds it is about to write
//! and refuses to write a feed with errors.

mod across;
#[doc(hidden)]
pub mod art;
mod channel;
pub use channel::placeholder_key;
pub(crate) mod dates;
pub mod incremental;
mod items;
pub(crate) mod media;
#[cfg(feature = "online")]
pub mod online;
pub(crate) mod p20;
pub mod rules;
pub mod xml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::diagnostic::Location;
use crate::probe::AudioInfo;
use rules::{RuleId, id};

pub use across::ItemFacts;
pub(crate) use across::is_media_url;
pub use channel::DESCRIPTION_LIMIT;
pub use items::{apple_lists_url, url_extension};
pub use xml::Doc;

pub use crate::diagnostic::{Diagnostic, Severity};

/// Where in the feed a finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// The document as a whole.
    Document,
    /// A line of the channel (or the document).
    Line(usize),
    /// An item: its position (1-based), label and line.
    Item(usize, String, usize),
}

impl Where {
    /// The same place (the same item, if any) at another line.
    pub fn at(&self, line: usize) -> Where {
        match self {
            Where::Item(n, label, _) => Where::Item(*n, label.clone(), line),
            _ => Where::Line(line),
        }
    }
}

/// One thing `validate` found: a [`Diagnostic`] located in the feed.
pub type Finding = Diagnostic;

impl Diagnostic {
    /// A finding of `rule` with the rule's severity, at `at` in the feed.
    pub fn new(rule: RuleId, at: Where, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
        let severity = rule.severity();
        let rule = rule.as_str();
        let location = match at {
            Where::Document => Location::Feed { feed: None, line: None, item: None },
            Where::Line(l) => Location::Feed { feed: None, line: Some(l), item: None },
            Where::Item(n, label, l) => Location::Feed { feed: None, line: Some(l), item: Some((n, label)) },
        };
        // (A value a message quotes may be a megabyte long: the message is
        // cut, whatever quotes it.)
        let message = crate::text::truncate_chars(&message.into(), MESSAGE_MAX);
        Diagnostic::with(severity, rule, message).at(location).help(help)
    }
}

/// The longest a finding's message is, in characters (the longest any
/// rule writes about values of a sane length is ~300).
const MESSAGE_MAX: usize = 600;

/// Findings being collected.
pub type Findings = Vec<Finding>;

/// A media or image file behind a URL of the feed.
#[derive(Debug, Clone)]
pub struct LocalFile {
    /// Where it is (a hosted medium: its URL, as a build measured it).
    pub path: PathBuf,
    /// What probing it found, if it was probed already (a build has).
    pub probe: Option<Result<AudioInfo, String>>,
}

/// Where the files behind the feed's URLs are, for the \[M\] rules.
#[derive(Clone, Default)]
pub struct LocalFiles {
    /// URL → file, as a build knows them.
    pub known: HashMap<String, LocalFile>,
    /// Asked for a URL `known` does not hold: a build lists up front only
    /// the files of the items it checks, and the others when asked.
    pub more: Option<std::sync::Arc<MoreFiles>>,
    /// A folder to look in for other URLs (`--media-root`): the URL's path
    /// relative to the feed's folder, then its file name under `media/`
    /// and the folder itself.
    pub root: Option<PathBuf>,
}

/// The file behind a URL, if there is one (see [`LocalFiles::more`]).
pub type MoreFiles = dyn Fn(&str) -> Option<LocalFile> + Send + Sync;

impl std::fmt::Debug for LocalFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalFiles")
            .field("known", &self.known)
            .field("more", &self.more.is_some())
            .field("root", &self.root)
            .finish()
    }
}

impl LocalFiles {
    /// The file behind `url`, if there is one.
    fn lookup(&self, url: &str, feed_base: Option<&str>) -> Option<LocalFile> {
        if let Some(found) = self.known.get(url) {
            return Some(found.clone());
        }
        if let Some(found) = self.more.as_ref().and_then(|more| more(url)) {
            return Some(found);
        }
        let root = self.root.as_ref()?;
        let url = crate::text::lower_scheme(url);
        let path = url.split(['?', '#']).next().unwrap_or(&url);
        let mut candidates = Vec::new();
        if let Some(rel) = feed_base.and_then(|base| path.strip_prefix(base)) {
            candidates.push(root.join(percent_decode(rel)));
        }
        if let Some(name) = path.rsplit('/').next().filter(|n| !n.is_empty()) {
            let name = percent_decode(name);
            candidates.push(root.join("media").join(&name));
            candidates.push(root.join(&name));
        }
        let found = candidates.into_iter().find(|p| is_inside(root, p) && p.is_file())?;
        Some(LocalFile { path: found, probe: None })
    }
}

fn is_inside(root: &Path, p: &Path) -> bool {
    !p.strip_prefix(root).map_or(true, |rel| rel.components().any(|c| matches!(c, std::path::Component::ParentDir)))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which enclosure formats a feed is meant to carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Formats {
    /// What Apple Podcasts and Spotify list (MP3, AAC): any feed by default.
    #[default]
    Apple,
    /// One of podsmith's per-format feeds (`feed.ogg.xml`): for apps that play that format.
    PerFormat,
    /// A show that is not meant for Apple or Spotify (`formats = "any"` in its manifest).
    Any,
}

impl Formats {
    /// What a feed given as it is (a file, a URL) is meant to carry: one of
    /// podsmith's per-format feeds says so itself (see below); any other is
    /// judged as a feed for Apple.
    pub fn of_feed(bytes: &[u8]) -> Formats {
        match is_podsmiths_per_format_feed(bytes) {
            true => Formats::PerFormat,
            false => Formats::Apple,
        }
    }
}

/// Whether `bytes` are one of podsmith's per-format feeds (its generator
/// podsmith, its own address `…/feed.EXT.xml`), as published: there an
/// enclosure Apple does not list is a note, as when the show is validated.
fn is_podsmiths_per_format_feed(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 << 10)]);
    let Some(channel) = head.find("<channel>").map(|at| &head[at..]) else { return false };
    let header = &channel[..channel.find("<item>").unwrap_or(channel.len())];
    let self_href = header.split("<atom:link href=\"").skip(1).find_map(|rest| {
        let (href, after) = rest.split_once('"')?;
        after.trim_start().starts_with("rel=\"self\"").then_some(href)
    });
    let name = self_href.and_then(|h| h.rsplit('/').next()).unwrap_or_default();
    let per_format = name
        .strip_prefix("feed.")
        .and_then(|n| n.strip_suffix(".xml"))
        .is_some_and(|ext| !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric()));
    per_format && header.contains("<generator>podsmith</generator>")
}

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files behind the URLs; `None` skips the \[M\] rules.
    pub local: Option<std::sync::Arc<LocalFiles>>,
    /// "Now", for dates in the future.
    pub now: DateTime<Utc>,
    /// Which enclosure formats the feed is meant to carry: where it is not
    /// meant for Apple, enclosures Apple does not list are noted, not errors.
    pub formats: Formats,
}

/// The result of validating one feed.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What was validated (a path or URL).
    pub feed: String,
    /// Everything found, channel first, then item by item.
    pub findings: Vec<Finding>,
    /// Items in the feed.
    pub items: usize,
    /// Whether the \[M\] rules ran.
    pub media_checked: bool,
}

impl Report {
    /// A report for a feed too large to read (without reading it).
    pub fn too_large(name: &str, size: Option<u64>) -> Report {
        Report { feed: name.to_string(), findings: vec![xml::too_large(size)], items: 0, media_checked: false }
    }

    /// A report for a feed that could not be produced at all.
    pub fn unreadable(name: &str, why: &str) -> Report {
        let finding = Finding::new(
            id::XML_WELLFORMED,
            Where::Document,
            format!("the feed could not be made: {why}"),
            "please report this",
        );
        Report { feed: name.to_string(), findings: vec![finding], items: 0, media_checked: false }
    }

    /// How many findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// How much of a feed the checks look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// All of it.
    Feed,
    /// Its items alone: what each item's findings are (the channel is read
    /// for what item rules need of it, but not checked).
    Items,
}

/// Everything the checks share: the document, the channel, the options.
pub(crate) struct Cx<'a> {
    doc: &'a Doc,
    channel: &'a xml::Node,
    items: Vec<&'a xml::Node>,
    opts: &'a Options,
    /// The folder URL of the feed (from `atom:link rel=self`), ending in `/`.
    base: Option<String>,
    out: Findings,
    /// What the rules across items need of each item (of every item of the
    /// feed, also when `items` holds only some).
    facts: Vec<ItemFacts>,
    /// Whether the show is serial (`itunes:type`), as the channel rules found.
    serial: bool,
    scope: Scope,
}

impl<'a> Cx<'a> {
    fn push(&mut self, f: Finding) {
        self.out.push(f);
    }

    fn child(&self, node: &'a xml::Node, ns: &xml::Ns, local: &str) -> Option<&'a xml::Node> {
        let doc: &'a Doc = self.doc;
        node.children.iter().map(|&i| &doc.nodes[i as usize]).find(|n| n.is(ns, local))
    }

    fn children(&self, node: &'a xml::Node, ns: &xml::Ns, local: &str) -> Vec<&'a xml::Node> {
        let doc: &'a Doc = self.doc;
        node.children.iter().map(|&i| &doc.nodes[i as usize]).filter(|n| n.is(ns, local)).collect()
    }

    fn item_where(&self, index: usize) -> Where {
        let item = self.items[index];
        let title = self.child(item, &xml::Ns::Rss, "title").map(|t| &*t.text).filter(|t| !t.is_empty());
        let label = match title {
            Some(t) => crate::text::quoted(&crate::text::truncate_chars(t, 60)),
            None => format!("item {}", index + 1),
        };
        Where::Item(index + 1, label, item.line)
    }
}

/// A feed's document checked: every finding but those across items, which
/// are kept apart (an incremental validation recomputes them), and each
/// item's facts.
pub(crate) struct Checked {
    /// Findings of the document, the channel and each item.
    pub findings: Findings,
    /// How many of `findings`, first, are the parser's and the document
    /// rules' (declaration, encoding, namespaces).
    pub of_document: usize,
    /// Findings of the rules across items.
    pub across: Findings,
    /// Each item's facts.
    pub facts: Vec<ItemFacts>,
    /// Items in the document.
    pub items: usize,
    /// Whether the \[M\] rules ran.
    pub media_checked: bool,
}

impl Checked {
    /// The report: every finding, channel first, then items in feed order;
    /// within each the XML's own (a namespace not declared, or at another
    /// address: the cause of the findings of tags not found that follow
    /// it) first, then by line; stable.
    fn report(self, name: &str, items: usize) -> Report {
        let mut findings = self.findings;
        findings.extend(self.across);
        findings.sort_by_key(|f| (f.item().unwrap_or(0), !f.code.starts_with("XML-"), f.line().unwrap_or(0)));
        Report { feed: name.to_string(), findings, items, media_checked: self.media_checked }
    }
}

/// Validates a feed's bytes. `name` says what it is in the report.
pub fn validate(name: &str, bytes: &[u8], opts: &Options) -> Report {
    let mut findings = Findings::new();
    let Some(doc) = xml::parse(bytes, &mut findings) else {
        return Report { feed: name.to_string(), findings, items: 0, media_checked: false };
    };
    channel::document(&doc, bytes, &mut findings);
    let checked = check(&doc, opts, findings, Scope::Feed, None);
    let items = checked.items;
    checked.report(name, items)
}

/// Runs the rules of `scope` on a parsed feed (`findings`: the parser's and
/// the document's, [`channel::document`], which needs the bytes).
/// `facts`, when given, are those of every item of the feed, for the rules
/// across items; otherwise they are read from the document's items.
pub(crate) fn check(
    doc: &Doc,
    opts: &Options,
    mut findings: Findings,
    scope: Scope,
    facts: Option<Vec<ItemFacts>>,
) -> Checked {
    let of_document = findings.len();
    let root = &doc.nodes[0];
    let channels: Vec<&xml::Node> = doc.children(root, &xml::Ns::Rss, "channel").collect();
    let Some(channel) = channels.first().copied().filter(|_| root.is(&xml::Ns::Rss, "rss")) else {
        let in_a_namespace = match root.ns {
            xml::Ns::Other(i) if &*root.local == "rss" => doc.names.get(i as usize),
            _ => None,
        };
        findings.push(match in_a_namespace {
            // <rss xmlns="…">: its elements are in that namespace, not RSS's.
            Some(uri) => Finding::new(
                id::RSS_ROOT,
                Where::Line(root.line),
                format!(
                    "<rss> declares xmlns=\"{}\": it and every element without a prefix are then in that \
                     namespace, not RSS 2.0's (which has none), and a reader that heeds namespaces finds no RSS <channel> in it",
                    crate::text::truncate_chars(uri, 80)
                ),
                "remove the xmlns=\"…\" attribute (keep the prefixed ones, such as xmlns:itunes)",
            ),
            None => Finding::new(
                id::RSS_ROOT,
                Where::Line(root.line),
                format!("the document is <{}>, not an RSS feed with a <channel>", root.local),
                "a podcast feed is <rss version=\"2.0\"><channel>…</channel></rss>",
            ),
        });
        return Checked {
            findings,
            of_document,
            across: Findings::new(),
            facts: Vec::new(),
            items: 0,
            media_checked: false,
        };
    };
    let items: Vec<&xml::Node> = doc.children(channel, &xml::Ns::Rss, "item").collect();
    let n_items = items.len();
    let mut cx = Cx { doc, channel, items, opts, base: None, out: findings, facts: Vec::new(), serial: false, scope };
    cx.base = channel::base(&cx);
    cx.facts = match facts {
        Some(f) => f,
        None => cx.items.iter().map(|item| ItemFacts::of(&cx, item)).collect(),
    };
    if scope == Scope::Feed {
        if channels.len() > 1 {
            cx.push(Finding::new(
                id::RSS_ROOT,
                Where::Line(channels[1].line),
                "the feed has more than one <channel>",
                "a feed is one show: keep one channel",
            ));
        }
        channel::check(&mut cx);
    }
    items::check(&mut cx);
    p20::check(&mut cx);
    if opts.local.is_some() {
        media::check(&mut cx);
    }
    let before = cx.out.len();
    if scope == Scope::Feed {
        across::check(&mut cx);
    }
    let across = cx.out.split_off(before);
    Checked {
        findings: cx.out,
        of_document,
        across,
        facts: cx.facts,
        items: n_items,
        media_checked: opts.local.is_some(),
    }
}

/// The absolute URLs a feed points at that should be served: media
/// (enclosures and alternate sources) and images, with what the feed says
/// about each. Used by the online checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL.
    pub url: String,
    /// `true` for media, `false` for images.
    pub media: bool,
    /// The length the feed declares.
    pub length: Option<u64>,
    /// The MIME type the feed declares.
    pub mime_type: Option<String>,
    /// The item it belongs to (position, label), if any.
    pub item: Option<(usize, String)>,
    /// The feed line.
    pub line: usize,
    /// Media: its item's `itunes:duration`, in seconds, if it reads.
    pub duration: Option<u64>,
}

/// The URLs to check online, deduplicated, in feed order.
pub fn targets(bytes: &[u8]) -> Vec<Target> {
    let mut scratch = Findings::new();
    let Some(doc) = xml::parse(bytes, &mut scratch) else { return Vec::new() };
    let mut out: Vec<Target> = Vec::new();
    // Node index → (item position, label), for the item's children and grandchildren.
    let mut item_of: HashMap<usize, (usize, String)> = HashMap::new();
    // Node index → its item's itunes:duration, in seconds.
    let mut duration_of: HashMap<usize, u64> = HashMap::new();
    let mut position = 0;
    for node in doc.nodes.iter() {
        if node.is(&xml::Ns::Rss, "item") {
            position += 1;
            let label = match doc.child(node, &xml::Ns::Rss, "title").map(|t| &*t.text).filter(|t| !t.is_empty()) {
                Some(t) => crate::text::quoted(&crate::text::truncate_chars(t, 60)),
                None => format!("item {position}"),
            };
            let duration = doc.child(node, &xml::Ns::Itunes, "duration").and_then(|d| dates::duration(&d.text).ok());
            for &c in &node.children {
                item_of.insert(c as usize, (position, label.clone()));
                duration.map(|d| duration_of.insert(c as usize, d));
                for &g in &doc.nodes[c as usize].children {
                    item_of.insert(g as usize, (position, label.clone()));
                    duration.map(|d| duration_of.insert(g as usize, d));
                }
            }
        }
    }
    for (i, node) in doc.nodes.iter().enumerate() {
        let (url, media, length, mime) = match (&node.ns, &*node.local) {
            (xml::Ns::Rss, "enclosure") => (node.attr("url"), true, node.attr("length"), node.attr("type")),
            (xml::Ns::Podcast, "source") => (node.attr("uri"), true, None, None),
            (xml::Ns::Itunes, "image") => (node.attr("href"), false, None, None),
            (xml::Ns::Rss, "url") => (Some(&*node.text), false, None, None),
            _ => continue,
        };
        let Some(url) = url.filter(|u| crate::text::is_http_url(u)) else { continue };
        if out.iter().any(|t| t.url == url) {
            continue;
        }
        out.push(Target {
            url: url.to_string(),
            media,
            length: length.and_then(|l| l.parse().ok()),
            mime_type: mime.map(str::to_string),
            item: item_of.get(&i).cloned(),
            line: node.line,
            duration: duration_of.get(&i).copied().filter(|_| media),
        });
    }
    // An alternate source inherits length and type from its alternateEnclosure.
    for node in &doc.nodes {
        if node.is(&xml::Ns::Podcast, "alternateEnclosure") {
            for src in doc.children(node, &xml::Ns::Podcast, "source") {
                if let Some(t) = out.iter_mut().find(|t| Some(t.url.as_str()) == src.attr("uri")) {
                    t.length = t.length.or(node.attr("length").and_then(|l| l.parse().ok()));
                    t.mime_type = t.mime_type.clone().or(node.attr("type").map(str::to_string));
                }
            }
        }
    }
    out
}
