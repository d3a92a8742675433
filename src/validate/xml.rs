//! A feed read into a small tree with line numbers, for the rules to walk.
//!
//! quick-xml reads it namespace-aware. What a strict XML parser would stop
//! at (an undefined entity, an undeclared prefix) is recorded as a finding
//! and reading goes on, so one run reports everything; only a structural
//! error (mismatched tags, truncated document) ends the reading. The
//! reader never expands DTD entities, so "billion laughs" feeds cost
//! nothing, and depth and size are bounded.

use std::collections::HashMap;
use std::rc::Rc;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::rules::id;
use super::{Finding, Findings, Where};

/// Feeds larger than this are refused (the largest real feeds are a few MB).
pub const MAX_FEED_BYTES: usize = crate::fsutil::FEED.bytes as usize;
/// Deeper nesting than this is refused (RSS needs 5 levels).
pub const MAX_DEPTH: usize = 256;

pub use crate::xmlns::{ATOM, CONTENT, ITUNES, MEDIA, PODCAST, PODCAST_ALT, SPOTIFY};

/// The usual prefix and exact URI of each namespace podcast feeds use.
pub const KNOWN_NAMESPACES: &[(&str, &str)] = &[
    ("itunes", ITUNES),
    ("podcast", PODCAST),
    ("content", CONTENT),
    ("atom", ATOM),
    ("spotify", SPOTIFY),
    ("media", MEDIA),
];

/// Which vocabulary an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// No namespace: RSS 2.0 itself.
    Rss,
    /// `itunes:` (also when declared with a miscased URI, reported separately).
    Itunes,
    /// `podcast:` (either accepted URI).
    Podcast,
    /// `content:`.
    Content,
    /// `atom:`.
    Atom,
    /// Anything else: the URI is [`Doc::names`]`[i]`.
    Other(u32),
    /// A prefix that was never declared: the prefix is [`Doc::names`]`[i]`.
    Undeclared(u32),
}

impl Ns {
    fn from_uri(uri: &str, names: &mut Vec<Box<str>>) -> Ns {
        if uri == ITUNES || uri.eq_ignore_ascii_case(ITUNES) {
            Ns::Itunes
        } else if uri == PODCAST || uri == PODCAST_ALT {
            Ns::Podcast
        } else if uri == CONTENT {
            Ns::Content
        } else if uri == ATOM {
            Ns::Atom
        } else {
            Ns::Other(name_index(names, uri))
        }
    }
}

/// One element.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its namespace.
    pub ns: Ns,
    /// Local name (shared by every element of that name).
    pub local: Rc<str>,
    /// Attributes as written (`key` with any prefix, shared), values unescaped.
    pub attrs: Box<[(Rc<str>, Box<str>)]>,
    /// Text and CDATA directly inside it, unescaped, trimmed (an item's
    /// description and content:encoded, often equal, share one copy).
    pub text: Rc<str>,
    /// Child elements (indices into [`Doc::nodes`]).
    pub children: Box<[u32]>,
    /// 1-based line of its start tag.
    pub line: usize,
}

impl Node {
    /// An attribute's value.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| &**k == key).map(|(_, v)| &**v)
    }

    /// Whether this is `ns:local`.
    pub fn is(&self, ns: &Ns, local: &str) -> bool {
        &self.ns == ns && &*self.local == local
    }
}

/// A parsed document.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Every element, in document order; the root is first.
    pub nodes: Vec<Node>,
    /// Every namespace declaration: prefix (`""` for the default), URI, line.
    pub declarations: Vec<(String, String, usize)>,
    /// The XML declaration's `encoding`, if any.
    pub encoding: Option<String>,
    /// Whether the XML declaration is present and first.
    pub declaration_first: bool,
    /// URIs of other namespaces and undeclared prefixes (see [`Ns`]).
    pub names: Vec<Box<str>>,
}

impl Doc {
    /// The children of `node` named `ns:local`.
    pub fn children<'a>(&'a self, node: &'a Node, ns: &'a Ns, local: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        node.children.iter().map(|&i| &self.nodes[i as usize]).filter(move |n| n.is(ns, local))
    }

    /// The first child of `node` named `ns:local`.
    pub fn child<'a>(&'a self, node: &'a Node, ns: &'a Ns, local: &'a str) -> Option<&'a Node> {
        self.children(node, ns, local).next()
    }

    /// All children of `node`.
    pub fn all_children<'a>(&'a self, node: &'a Node) -> impl Iterator<Item = &'a Node> + 'a {
        node.children.iter().map(|&i| &self.nodes[i as usize])
    }
}

/// The finding for a feed over [`MAX_FEED_BYTES`] (`None`: read from a
/// stream, which was cut off past the limit).
pub fn too_large(size: Option<u64>) -> Finding {
    let is = size.map_or_else(|| "larger than".to_string(), |s| format!("{} MB, more than", s >> 20));
    Finding::new(
        id::XML_WELLFORMED,
        Where::Document,
        format!("the feed is {is} podsmith reads ({} MB)", MAX_FEED_BYTES >> 20),
        "no podcast app reads a feed this size: limit the items (the newest few hundred are plenty)",
    )
}

/// Reads `bytes` into a [`Doc`]. Problems go into `findings`; `None` means
/// the document could not be read far enough to check anything else.
pub fn parse(bytes: &[u8], findings: &mut Findings) -> Option<Doc> {
    if bytes.len() > MAX_FEED_BYTES {
        findings.push(too_large(Some(bytes.len() as u64)));
        return None;
    }
    let mut body = bytes;
    if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF") {
        findings.push(Finding::new(
            id::XML_DECL_FIRST,
            Where::Line(1),
            "the feed starts with a byte-order mark (BOM)",
            "save the feed as UTF-8 without BOM; some directories refuse it",
        ));
        body = rest;
    }
    let text = match std::str::from_utf8(body) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            let line = 1 + body[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
            findings.push(Finding::new(
                id::XML_UTF8,
                Where::Line(line),
                "the feed is not valid UTF-8",
                "write the feed as UTF-8 (Apple requires it); other bytes are shown as \u{fffd} below",
            ));
            String::from_utf8_lossy(body)
        }
    };
    let lines = LineIndex::new(&text);
    let mut reader = NsReader::from_str(&text);
    reader.config_mut().expand_empty_elements = false;
    let mut doc = Doc::default();
    // One node per start tag: reserving them at once spares a big feed the
    // doubling copies of a growing vector.
    let tags = count_byte(text.as_bytes(), b'<').saturating_sub(text.matches("</").count());
    doc.nodes.reserve_exact(tags);
    let mut open: Vec<Open> = Vec::new();
    // Element and attribute names repeat thousands of times in a feed.
    let mut names: HashMap<Box<str>, Rc<str>> = HashMap::new();
    // The last long text, which the next one often repeats (description, content:encoded).
    let mut last_long: Option<Rc<str>> = None;
    let empty: Rc<str> = "".into();
    let mut first_event = true;
    let mut undefined_entities = 0usize;
    loop {
        let at = reader.buffer_position() as usize;
        let (res, event) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => {
                let pos = reader.error_position() as usize;
                findings.push(Finding::new(
                    id::XML_WELLFORMED,
                    Where::Line(lines.line(pos)),
                    format!("the feed is not well-formed XML: {e}"),
                    "escape & as &amp; and < as &lt; outside CDATA, and close every tag; apps cannot read the feed at all",
                ));
                return None;
            }
        };
        let ns = match res {
            ResolveResult::Bound(ns) => Ns::from_uri(ns.as_ref(), &mut doc.names),
            ResolveResult::Unbound => Ns::Rss,
            ResolveResult::Unknown(p) => Ns::Undeclared(name_index(&mut doc.names, &p)),
        };
        let is_first = std::mem::take(&mut first_event);
        let text_piece = match &event {
            Event::Decl(d) => {
                doc.declaration_first = is_first && at == 0;
                if let Some(Ok(enc)) = d.encoding() {
                    doc.encoding = Some(enc.to_string());
                }
                None
            }
            Event::Start(e) | Event::Empty(e) => {
                if open.len() >= MAX_DEPTH {
                    findings.push(Finding::new(
                        id::XML_WELLFORMED,
                        Where::Line(lines.line(at)),
                        format!("the feed nests elements more than {MAX_DEPTH} deep"),
                        "an RSS feed needs five levels; this is not a podcast feed",
                    ));
                    return None;
                }
                let line = lines.line(at);
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = match a {
                        Ok(a) => a,
                        Err(err) => {
                            findings.push(Finding::new(
                                id::XML_WELLFORMED,
                                Where::Line(line),
                                format!("a malformed attribute: {err}"),
                                "quote every attribute value and write each attribute once",
                            ));
                            continue;
                        }
                    };
                    let key = a.key.as_ref().to_string();
                    let value = match a.normalized_value(XmlVersion::Implicit1_0) {
                        Ok(v) => v.into_owned(),
                        Err(err) => {
                            findings.push(Finding::new(
                                id::XML_WELLFORMED,
                                Where::Line(line),
                                format!("attribute `{key}` holds {err}"),
                                "only &amp; &lt; &gt; &quot; &apos; and numeric references exist in XML: write & as &amp;",
                            ));
                            a.value.to_string()
                        }
                    };
                    if key == "xmlns" || key.starts_with("xmlns:") {
                        let prefix = key.strip_prefix("xmlns:").unwrap_or("").to_string();
                        doc.declarations.push((prefix, value.clone(), line));
                    }
                    attrs.push((intern(&mut names, &key), value.into_boxed_str()));
                }
                let local = intern(&mut names, e.local_name().as_ref());
                let index = doc.nodes.len();
                doc.nodes.push(Node {
                    ns,
                    local,
                    attrs: attrs.into_boxed_slice(),
                    text: empty.clone(),
                    children: Box::default(),
                    line,
                });
                if let Some(parent) = open.last_mut() {
                    parent.children.push(index as u32);
                }
                if matches!(event, Event::Start(_)) {
                    open.push(Open { index, text: String::new(), children: Vec::new() });
                }
                None
            }
            Event::End(_) => {
                // The element is complete: its text and children move into it, trimmed to size.
                if let Some(done) = open.pop() {
                    let node = &mut doc.nodes[done.index];
                    let text = done.text.trim();
                    node.text = match &last_long {
                        Some(prev) if text.len() >= 64 && &**prev == text => prev.clone(),
                        _ => {
                            let t: Rc<str> = text.into();
                            if t.len() >= 64 {
                                last_long = Some(t.clone());
                            }
                            t
                        }
                    };
                    node.children = done.children.into_boxed_slice();
                }
                None
            }
            Event::Text(t) => Some(t.xml_content(XmlVersion::Implicit1_0).into_owned()),
            Event::CData(t) => Some(t.xml_content(XmlVersion::Implicit1_0).into_owned()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => Some(c.to_string()),
                Ok(None) | Err(_) => {
                    let name = r.as_ref().to_string();
                    match name.as_str() {
                        "amp" => Some("&".into()),
                        "lt" => Some("<".into()),
                        "gt" => Some(">".into()),
                        "quot" => Some("\"".into()),
                        "apos" => Some("'".into()),
                        _ => {
                            undefined_entities += 1;
                            if undefined_entities <= 5 {
                                findings.push(Finding::new(
                                    id::XML_WELLFORMED,
                                    Where::Line(lines.line(at)),
                                    format!("undefined entity &{name}; (HTML entities do not exist in XML)"),
                                    "write the character itself (UTF-8), a numeric reference like &#160;, or put the HTML in CDATA",
                                ));
                            }
                            None
                        }
                    }
                }
            },
            Event::Eof => break,
            _ => None,
        };
        if let (Some(t), Some(o)) = (text_piece, open.last_mut()) {
            o.text.push_str(&t);
        }
    }
    if !open.is_empty() {
        findings.push(Finding::new(
            id::XML_WELLFORMED,
            Where::Line(lines.line(text.len())),
            "the feed ends before its elements are closed (a cut-off download or write)",
            "write the whole feed again; apps cannot read a truncated feed",
        ));
        return None;
    }
    if doc.nodes.is_empty() {
        findings.push(Finding::new(
            id::XML_WELLFORMED,
            Where::Document,
            "the file holds no XML element at all",
            "is this the feed? an RSS feed starts with <?xml …?> and <rss version=\"2.0\">",
        ));
        return None;
    }
    doc.nodes.shrink_to_fit();
    Some(doc)
}

fn count_byte(bytes: &[u8], b: u8) -> usize {
    bytes.iter().filter(|&&x| x == b).count()
}

fn name_index(names: &mut Vec<Box<str>>, name: &str) -> u32 {
    match names.iter().position(|n| &**n == name) {
        Some(i) => i as u32,
        None => {
            names.push(name.into());
            (names.len() - 1) as u32
        }
    }
}

fn intern(names: &mut HashMap<Box<str>, Rc<str>>, name: &str) -> Rc<str> {
    if let Some(n) = names.get(name) {
        return n.clone();
    }
    let n: Rc<str> = name.into();
    names.insert(name.into(), n.clone());
    n
}

/// An element still open while reading: its text and children grow here.
struct Open {
    index: usize,
    text: String,
    children: Vec<u32>,
}

/// Byte offset → line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}
