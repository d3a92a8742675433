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
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::rules::id;
use super::{Finding, Findings, Severity, Where};

/// Feeds larger than this are refused (the largest real feeds are a few MB).
pub const MAX_FEED_BYTES: usize = crate::fsutil::FEED.bytes as usize;
/// Deeper nesting than this is refused (RSS needs 5 levels).
pub const MAX_DEPTH: usize = 256;

pub use crate::xmlns::{ATOM, CONTENT, ITUNES, ITUNES_HTTPS, MEDIA, PODCAST, PODCAST_ALT, PODCAST_HTTP, PSC, SPOTIFY};

/// The usual prefix and exact URI of each namespace podcast feeds use.
pub const KNOWN_NAMESPACES: &[(&str, &str)] = &[
    ("itunes", ITUNES),
    ("podcast", PODCAST),
    ("content", CONTENT),
    ("atom", ATOM),
    ("spotify", SPOTIFY),
    ("media", MEDIA),
    ("psc", PSC),
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
    /// The vocabulary `uri` names, if it is one of those told apart by name.
    /// A miscased or https Apple URI, and the http one of Podcasting 2.0,
    /// are read as meant, so that their tags are checked: the URI itself is
    /// XML-NS-EXACT's to tell.
    fn known(uri: &str) -> Option<Ns> {
        if uri.eq_ignore_ascii_case(ITUNES) || uri.eq_ignore_ascii_case(ITUNES_HTTPS) {
            Some(Ns::Itunes)
        } else if uri == PODCAST || uri == PODCAST_ALT || uri == PODCAST_HTTP {
            Some(Ns::Podcast)
        } else if uri == CONTENT {
            Some(Ns::Content)
        } else if uri == ATOM {
            Some(Ns::Atom)
        } else {
            None
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
    /// Whether its text, as written, opens or ends with spaces or tabs on
    /// its own line (`<title> Pilot</title>`; not the line breaks and
    /// indentation of `<title>\n  Pilot\n</title>`).
    pub padded: bool,
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
    /// The line of the first XML declaration, wherever it is.
    pub declaration_line: Option<usize>,
    /// URIs of other namespaces and undeclared prefixes (see [`Ns`]).
    pub names: Vec<Box<str>>,
    /// Attributes whose prefix is never declared (`foo:bar="1"` without
    /// `xmlns:foo`): the prefix, the attribute's name and its line, the
    /// first of each prefix.
    pub undeclared_attributes: Vec<(Box<str>, Box<str>, usize)>,
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
    let is = size.map_or_else(|| "larger than".to_string(), |s| format!("{}, more than", crate::fsutil::human_size(s)));
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
    let body = strip_bom(bytes, findings);
    let text = decode(body, findings);
    forbidden_characters(&text, findings);
    let mut reader = NsReader::from_str(&text);
    reader.config_mut().expand_empty_elements = false;
    // (quick-xml's default, 128 in scope at once, is below what a valid feed
    // may declare; each binding costs a few bytes.)
    reader.resolver_mut().set_max_namespace_bindings(NAMESPACES_MAX);
    let mut builder = Builder::new(&text, findings);
    builder.read_events(&mut reader)?;
    builder.finish(text.len())
}

/// How deep `bytes` nests its elements at most, read as a stream in
/// constant memory up to the end or the first error (which a reader that
/// builds the tree reports): what a reader that recurses into elements (the
/// rss crate's does into extension elements) is kept from past
/// [`MAX_DEPTH`], before it would run out of stack.
pub fn deepest(bytes: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    // (Not remembering the open names keeps it constant memory; a feed
    // whose tags do not match is refused by the reader after this.)
    reader.config_mut().check_end_names = false;
    let (mut depth, mut deepest) = (0usize, 0usize);
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Ok(Event::Empty(_)) => deepest = deepest.max(depth + 1),
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => return deepest,
            Ok(_) => {}
        }
    }
}

/// `bytes` without a leading byte-order mark, which is reported.
fn strip_bom<'a>(bytes: &'a [u8], findings: &mut Findings) -> &'a [u8] {
    let Some(mut rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") else {
        return bytes;
    };
    // A second one is a character (U+FEFF) before the declaration, which
    // XML does not allow there (taken off too: the reader would skip it,
    // and the lines found would be off).
    if let Some(after) = rest.strip_prefix(b"\xEF\xBB\xBF") {
        findings.push(Finding::new(
            id::XML_WELLFORMED,
            Where::Line(1),
            "the feed starts with two byte-order marks (BOM): the second is a character (U+FEFF) before the \
             declaration, and the feed is not well-formed XML",
            "save the feed as UTF-8 without BOM (something added one to a file that had one)",
        ));
        rest = after;
        while let Some(more) = rest.strip_prefix(b"\xEF\xBB\xBF") {
            rest = more;
        }
    }
    // XML allows one before UTF-8; some directories do not: a warning, as
    // the rule says.
    findings.push(
        Finding::new(
            id::XML_DECL_FIRST,
            Where::Line(1),
            "the feed starts with a byte-order mark (BOM)",
            "save the feed as UTF-8 without BOM; some directories refuse it",
        )
        .severity(Severity::Warning),
    );
    rest
}

/// `body` as text; when it is not UTF-8 that is reported and the bad bytes
/// are replaced. A UTF-16 feed (by its byte-order mark, or by `<?` written
/// in UTF-16) is said once and read as UTF-16, so that the rest of it is
/// checked rather than reported byte by byte.
fn decode<'a>(body: &'a [u8], findings: &mut Findings) -> std::borrow::Cow<'a, str> {
    if let Some((text, order)) = utf16(body) {
        findings.push(Finding::new(
            id::XML_UTF8,
            Where::Line(1),
            format!("the feed is UTF-16 ({order}), not UTF-8: Apple and most apps read only UTF-8"),
            "save it as UTF-8 (and declare encoding=\"UTF-8\"); the rest of it is checked as read from UTF-16",
        ));
        return std::borrow::Cow::Owned(text);
    }
    match std::str::from_utf8(body) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            // (Lines as LineIndex counts them: a CR alone ends one too.)
            let before = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or_default();
            let line = LineIndex::new(before).line(before.len());
            findings.push(Finding::new(
                id::XML_UTF8,
                Where::Line(line),
                "the feed is not valid UTF-8",
                "write the feed as UTF-8 (Apple requires it); other bytes are shown as \u{fffd} below",
            ));
            String::from_utf8_lossy(body)
        }
    }
}

/// `body` read as UTF-16 if it is (a byte-order mark, or `<?` in UTF-16),
/// with the byte order; its own mark left out, a bad code unit replaced.
pub(crate) fn utf16(body: &[u8]) -> Option<(String, &'static str)> {
    let (little, start) = match body {
        [0xFF, 0xFE, ..] => (true, 2),
        [0xFE, 0xFF, ..] => (false, 2),
        [b'<', 0, b'?', 0, ..] => (true, 0),
        [0, b'<', 0, b'?', ..] => (false, 0),
        _ => return None,
    };
    let units = body[start..].chunks_exact(2).map(|p| match little {
        true => u16::from_le_bytes([p[0], p[1]]),
        false => u16::from_be_bytes([p[0], p[1]]),
    });
    let text = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    Some((text, if little { "little-endian" } else { "big-endian" }))
}

/// Reports the characters XML 1.0 forbids in a document (a control
/// character pasted into a title, say): a strict parser, Apple's among
/// them, refuses the whole feed. The first few are named, with their lines.
fn forbidden_characters(text: &str, findings: &mut Findings) {
    if !crate::text::has_invalid_xml(text) {
        return;
    }
    let lines = LineIndex::new(text);
    let found: Vec<(usize, char)> = text.char_indices().filter(|(_, c)| !crate::text::is_xml_char(*c)).collect();
    for &(at, c) in found.iter().take(5) {
        findings.push(Finding::new(
            id::XML_WELLFORMED,
            Where::Line(lines.line(at)),
            format!(
                "the feed holds the character U+{:04X}, which XML does not allow (a control character pasted in?)",
                c as u32
            ),
            "remove it: apps that read XML strictly, Apple's among them, refuse the whole feed",
        ));
    }
    if found.len() > 5 {
        findings.push(Finding::new(
            id::XML_WELLFORMED,
            Where::Document,
            format!("{} more characters XML does not allow", found.len() - 5),
            "remove every control character (other than tab and line breaks) from the feed",
        ));
    }
}

/// One reading of a feed: the tree so far, the elements still open, and
/// what the reader remembers between events.
struct Builder<'f> {
    /// The document being built.
    doc: Doc,
    /// The elements whose end tag is still to come, outermost first.
    open: Vec<Open>,
    /// Element and attribute names repeat thousands of times in a feed.
    names: HashMap<Box<str>, Rc<str>>,
    /// Where each of [`Doc::names`] is in it (a feed may declare
    /// thousands of namespaces: looked up, not searched).
    name_at: HashMap<Box<str>, u32>,
    /// The last long text, which the next one often repeats (description, content:encoded).
    last_long: Option<Rc<str>>,
    /// The text of an element without any, shared.
    empty: Rc<str>,
    /// Undefined entities met so far (only the first few are reported).
    undefined_entities: usize,
    /// The entities the feed's DOCTYPE declares (which apps do not read:
    /// only the five XML entities exist in a feed), the first few.
    declared: Vec<String>,
    /// Byte offset → line, for findings.
    lines: LineIndex,
    /// Where problems go.
    findings: &'f mut Findings,
}

impl<'f> Builder<'f> {
    /// A reading of `text`, with room for one node per start tag.
    fn new(text: &str, findings: &'f mut Findings) -> Builder<'f> {
        let lines = LineIndex::new(text);
        let mut doc = Doc::default();
        // One node per start tag: reserving them at once spares a big feed the
        // doubling copies of a growing vector.
        let tags = count_byte(text.as_bytes(), b'<').saturating_sub(text.matches("</").count());
        doc.nodes.reserve_exact(tags);
        Builder {
            doc,
            open: Vec::new(),
            names: HashMap::new(),
            name_at: HashMap::new(),
            last_long: None,
            empty: "".into(),
            undefined_entities: 0,
            declared: Vec::new(),
            lines,
            findings,
        }
    }

    /// Reads every event to the end of the document; `None` when an error ends the reading.
    fn read_events(&mut self, reader: &mut NsReader<&[u8]>) -> Option<()> {
        let mut first_event = true;
        loop {
            let at = reader.buffer_position() as usize;
            let (res, event) = match reader.read_resolved_event() {
                Ok(x) => x,
                Err(e) => {
                    let pos = reader.error_position() as usize;
                    self.findings.push(Finding::new(
                        id::XML_WELLFORMED,
                        Where::Line(self.lines.line(pos)),
                        format!("the feed is not well-formed XML: {e}"),
                        "escape & as &amp; and < as &lt; outside CDATA, and close every tag; apps cannot read the feed at all",
                    ));
                    return None;
                }
            };
            let ns = self.resolve(res);
            let is_first = std::mem::take(&mut first_event);
            let text_piece = match &event {
                Event::Decl(d) => {
                    self.declaration(d, is_first && at == 0, at);
                    None
                }
                Event::Start(e) | Event::Empty(e) => {
                    self.outside_root(at, None)?;
                    self.element(e, ns, at, matches!(event, Event::Start(_)))?;
                    self.undeclared_attributes(e, reader, at);
                    None
                }
                Event::End(_) => {
                    self.end();
                    None
                }
                Event::Text(t) => {
                    if t.contains("]]>") {
                        self.findings.push(Finding::new(
                            id::XML_WELLFORMED,
                            Where::Line(self.lines.line(at + t.find("]]>").unwrap_or(0))),
                            "the text holds ]]>, which XML allows only as the end of a CDATA section",
                            "write it as ]]&gt; (or put the text in CDATA)",
                        ));
                    }
                    let text = t.xml_content(XmlVersion::Implicit1_0);
                    self.outside_root(at, Some(&text))?;
                    Some(text.into_owned())
                }
                Event::CData(t) => {
                    let text = t.xml_content(XmlVersion::Implicit1_0);
                    self.outside_root(at, Some(if text.is_empty() { "<![CDATA[" } else { &text }))?;
                    Some(text.into_owned())
                }
                Event::GeneralRef(r) => {
                    self.outside_root(at, Some("&"))?;
                    self.general_ref(r, at)
                }
                Event::PI(pi) if pi.target().eq_ignore_ascii_case("xml") => {
                    self.findings.push(Finding::new(
                        id::XML_WELLFORMED,
                        Where::Line(self.lines.line(at)),
                        format!(
                            "<?{} …?> is not a declaration (a declaration is written <?xml, in lower case), \
                             and no other instruction may be named so (Apple: \"The processing instruction target matching \
                             [xX][mM][lL] is not allowed\")",
                            pi.target()
                        ),
                        "write the declaration as <?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                    ));
                    None
                }
                Event::DocType(d) => {
                    self.doctype(d, at);
                    None
                }
                Event::Eof => return Some(()),
                _ => None,
            };
            if let (Some(t), Some(o)) = (text_piece, self.open.last_mut()) {
                o.text.push_str(&t);
            }
        }
    }

    /// The feed's DOCTYPE (`text`, at byte `at`): the entities it declares
    /// are kept (to say where they are used); one that declares none is a
    /// warning of its own.
    fn doctype(&mut self, text: &str, at: usize) {
        self.declared = declared_entities(text);
        if self.declared.is_empty() {
            self.findings.push(
                Finding::new(
                    id::XML_WELLFORMED,
                    Where::Line(self.lines.line(at)),
                    "the feed has a DOCTYPE, which podcast apps do not read; parsers that refuse DTDs (the .NET \
                     default among them) refuse the whole feed",
                    "take the <!DOCTYPE …> line out: a feed needs none",
                )
                .severity(Severity::Warning),
            );
        }
    }

    /// Refuses (`None`) what comes outside the root element where XML
    /// allows only comments, processing instructions and white space:
    /// `text`, or (`None`) an element after the root one (a second root).
    /// Strict parsers, Apple's among them, refuse the whole feed.
    fn outside_root(&mut self, at: usize, text: Option<&str>) -> Option<()> {
        if !self.open.is_empty() {
            return Some(());
        }
        let before = self.doc.nodes.is_empty();
        let (message, fix) = match text {
            Some(t) if t.trim().is_empty() => return Some(()),
            Some(t) if before => (
                format!("text before the root element: \"{}\"", excerpt(t)),
                "a feed's first element is <rss>: remove what comes before it (a warning or error message the server printed into the feed?)",
            ),
            Some(t) => (
                format!("text after the root element ends: \"{}\"", excerpt(t)),
                "nothing but white space may follow </rss>: remove it (a message the server printed after the feed?)",
            ),
            None if before => return Some(()),
            None => (
                "a second root element after the first one ends".to_string(),
                "a feed has one <rss> element: two feeds pasted together? keep one",
            ),
        };
        self.findings.push(Finding::new(
            id::XML_WELLFORMED,
            Where::Line(self.lines.line(at)),
            format!("the feed is not well-formed XML: {message} (Apple: \"Can't parse your feed\")"),
            fix,
        ));
        None
    }

    /// Notes the first attribute of each prefix that is never declared
    /// (`foo:bar="1"` without `xmlns:foo`), as the reader resolves it.
    fn undeclared_attributes(&mut self, e: &BytesStart<'_>, reader: &NsReader<&[u8]>, at: usize) {
        const MAX_NOTED: usize = 5;
        for a in e.attributes().flatten() {
            if self.doc.undeclared_attributes.len() >= MAX_NOTED {
                return;
            }
            if let (ResolveResult::Unknown(prefix), local) = reader.resolver().resolve_attribute(a.key)
                && !self.doc.undeclared_attributes.iter().any(|(p, _, _)| **p == *prefix)
            {
                let local: &str = local.as_ref();
                let name = format!("{prefix}:{local}");
                self.doc.undeclared_attributes.push((prefix.into(), name.into(), self.lines.line(at)));
            }
        }
    }

    /// The vocabulary an event's name is bound to.
    fn resolve(&mut self, res: ResolveResult<'_>) -> Ns {
        match res {
            ResolveResult::Bound(ns) => {
                let uri: &str = ns.as_ref();
                Ns::known(uri).unwrap_or_else(|| Ns::Other(self.name_index(uri)))
            }
            ResolveResult::Unbound => Ns::Rss,
            ResolveResult::Unknown(p) => Ns::Undeclared(self.name_index(&p)),
        }
    }

    /// Where `name` is in [`Doc::names`] (added if it is not).
    fn name_index(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.name_at.get(name) {
            return i;
        }
        let i = self.doc.names.len() as u32;
        self.doc.names.push(name.into());
        self.name_at.insert(name.into(), i);
        i
    }

    /// The XML declaration: whether it comes first, and its encoding. Only
    /// the first one is the document's; another one anywhere is an error
    /// (Apple: "The processing instruction target matching \"\[xX\]\[mM\]\[lL\]\"
    /// is not allowed").
    fn declaration(&mut self, d: &BytesDecl<'_>, first: bool, at: usize) {
        let line = self.lines.line(at);
        if self.doc.declaration_line.is_some() {
            self.findings.push(Finding::new(
                id::XML_DECL_FIRST,
                Where::Line(line),
                "a second <?xml …?> declaration, in the middle of the feed (Apple: \"Can't parse your feed\")",
                "a feed has one declaration, its very first bytes: remove this one (two feeds pasted together?)",
            ));
            return;
        }
        self.doc.declaration_first = first;
        self.doc.declaration_line = Some(line);
        if let Some(problem) = declaration_problem(d) {
            self.findings.push(Finding::new(
                id::XML_WELLFORMED,
                Where::Line(line),
                format!("the <?xml …?> declaration {problem}, so the feed is not well-formed XML"),
                "write it as <?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            ));
        }
        if let Some(Ok(enc)) = d.encoding() {
            self.doc.encoding = Some(enc.to_string());
        }
    }

    /// A start tag (`open`, its end tag follows) or an empty one: a new
    /// node, a child of the open element; `None` when nested too deep.
    fn element(&mut self, e: &BytesStart<'_>, ns: Ns, at: usize, open: bool) -> Option<()> {
        self.check_depth(at)?;
        let line = self.lines.line(at);
        // `Q < A`, `I <3 it`: a raw < in text, read as a tag of the words
        // after it; said once, not as each word a malformed attribute.
        if !e
            .name()
            .as_ref()
            .as_bytes()
            .first()
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80)
        {
            self.findings.push(Finding::new(
                id::XML_WELLFORMED,
                Where::Line(line),
                "a < that starts no tag (no name after it): it is a raw < in the text",
                "write < as &lt; in text (or put the text in a CDATA section)",
            ));
            return None;
        }
        let attrs = self.attributes(e, line);
        let local = intern(&mut self.names, e.local_name().as_ref());
        let index = self.doc.nodes.len();
        self.doc.nodes.push(Node {
            ns,
            local,
            attrs: attrs.into_boxed_slice(),
            text: self.empty.clone(),
            children: Box::default(),
            line,
            padded: false,
        });
        if let Some(parent) = self.open.last_mut() {
            parent.children.push(index as u32);
        }
        if open {
            self.open.push(Open { index, text: String::new(), children: Vec::new() });
        }
        Some(())
    }

    /// Refuses an element nested more than [`MAX_DEPTH`] deep (`None`).
    fn check_depth(&mut self, at: usize) -> Option<()> {
        if self.open.len() >= MAX_DEPTH {
            self.findings.push(Finding::new(
                id::XML_WELLFORMED,
                Where::Line(self.lines.line(at)),
                format!("the feed nests elements more than {MAX_DEPTH} deep"),
                "an RSS feed needs five levels; this is not a podcast feed",
            ));
            return None;
        }
        Some(())
    }

    /// A tag's attributes, values unescaped; malformed ones are reported and
    /// skipped, namespace declarations are noted in the document.
    fn attributes(&mut self, e: &BytesStart<'_>, line: usize) -> Vec<(Rc<str>, Box<str>)> {
        if let Some(name) = unspaced_attribute(e.attributes_raw().as_bytes()) {
            self.findings.push(Finding::new(
                id::XML_WELLFORMED,
                Where::Line(line),
                format!("attribute `{name}` follows the quote before it without a space"),
                "put a space between attributes: url=\"…\" length=\"…\"",
            ));
        }
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = match a {
                Ok(a) => a,
                Err(err) => {
                    self.findings.push(Finding::new(
                        id::XML_WELLFORMED,
                        Where::Line(line),
                        format!("a malformed attribute: {err}"),
                        "quote every attribute value and write each attribute once (a raw < in text reads as \
                         a tag: write it as &lt;)",
                    ));
                    // One a tag: the words after a raw < would each be one.
                    break;
                }
            };
            let key = a.key.as_ref().to_string();
            if a.value.contains('<') {
                self.findings.push(Finding::new(
                    id::XML_WELLFORMED,
                    Where::Line(line),
                    format!("the value of attribute `{key}` holds a raw <, which XML does not allow there"),
                    "write < as &lt; inside an attribute value (in a URL, as %3C)",
                ));
            }
            let value = self.attribute_value(&a, &key, line);
            if key == "xmlns" || key.starts_with("xmlns:") {
                let prefix = key.strip_prefix("xmlns:").unwrap_or("").to_string();
                self.doc.declarations.push((prefix, value.clone(), line));
            }
            attrs.push((intern(&mut self.names, &key), value.into_boxed_str()));
        }
        attrs
    }

    /// An attribute's value unescaped; one holding an unknown reference is
    /// reported and kept as written.
    fn attribute_value(&mut self, a: &Attribute<'_>, key: &str, line: usize) -> String {
        match a.normalized_value(XmlVersion::Implicit1_0) {
            Ok(v) => {
                if let Some(c) = v.chars().find(|c| !crate::text::is_xml_char(*c))
                    && a.value.contains("&#")
                {
                    self.findings.push(forbidden_reference(line, c));
                }
                v.into_owned()
            }
            Err(err) => {
                self.findings.push(Finding::new(
                    id::XML_WELLFORMED,
                    Where::Line(line),
                    format!("attribute `{key}` holds {}", reference_problem(&err)),
                    "only &amp; &lt; &gt; &quot; &apos; and numeric references exist in XML: write & as &amp; (in a URL too: ?a=1&amp;b=2)",
                ));
                a.value.to_string()
            }
        }
    }

    /// An end tag: the element is complete, its text and children move into it, trimmed to size.
    fn end(&mut self) {
        if let Some(done) = self.open.pop() {
            let trimmed = done.text.trim();
            let (before, after) =
                (&done.text[..done.text.len() - done.text.trim_start().len()], done.text.trim_start());
            let after = &after[trimmed.len()..];
            let spaced = |run: &str| !run.is_empty() && !run.contains(['\n', '\r']);
            let padded = !trimmed.is_empty() && (spaced(before) || spaced(after));
            let text = self.shared_text(trimmed);
            let node = &mut self.doc.nodes[done.index];
            node.text = text;
            node.padded = padded;
            node.children = done.children.into_boxed_slice();
        }
    }

    /// `text` to keep, one copy with the last long text when it repeats it.
    fn shared_text(&mut self, text: &str) -> Rc<str> {
        match &self.last_long {
            Some(prev) if text.len() >= 64 && &**prev == text => prev.clone(),
            _ => {
                let t: Rc<str> = text.into();
                if t.len() >= 64 {
                    self.last_long = Some(t.clone());
                }
                t
            }
        }
    }

    /// The text a character or entity reference stands for; an undefined
    /// entity, or a reference to a character XML forbids, stands for nothing.
    fn general_ref(&mut self, r: &BytesRef<'_>, at: usize) -> Option<String> {
        match r.resolve_char_ref() {
            Ok(Some(c)) if crate::text::is_xml_char(c) => Some(c.to_string()),
            Ok(Some(c)) => {
                self.count_bad_reference(forbidden_reference(self.lines.line(at), c));
                None
            }
            Err(_) if r.starts_with('#') => {
                self.count_bad_reference(Finding::new(
                    id::XML_WELLFORMED,
                    Where::Line(self.lines.line(at)),
                    format!("&{}; is not a character reference XML can read", &**r),
                    "write the character itself (UTF-8), or a reference like &#233; or &#xE9; to a character that exists",
                ));
                None
            }
            Ok(None) | Err(_) => {
                let name = r.as_ref().to_string();
                match name.as_str() {
                    "amp" => Some("&".into()),
                    "lt" => Some("<".into()),
                    "gt" => Some(">".into()),
                    "quot" => Some("\"".into()),
                    "apos" => Some("'".into()),
                    _ => {
                        self.undefined_entity(&name, at);
                        None
                    }
                }
            }
        }
    }

    /// Counts a bad reference, reporting the first five (with the undefined entities).
    fn count_bad_reference(&mut self, finding: Finding) {
        self.undefined_entities += 1;
        if self.undefined_entities <= 5 {
            self.findings.push(finding);
        }
    }

    /// Counts an undefined entity, reporting the first five.
    fn undefined_entity(&mut self, name: &str, at: usize) {
        let line = self.lines.line(at);
        let finding = match self.declared.iter().any(|d| d == name) {
            true => Finding::new(
                id::XML_WELLFORMED,
                Where::Line(line),
                format!(
                    "the entity &{name}; is declared in the feed's DOCTYPE, which podcast apps do not read \
                     (many refuse a DOCTYPE outright): only &amp; &lt; &gt; &quot; &apos; exist in a feed"
                ),
                "write the text itself where the entity is, and take the DOCTYPE out",
            ),
            false => Finding::new(
                id::XML_WELLFORMED,
                Where::Line(line),
                format!("undefined entity &{name}; (HTML entities do not exist in XML)"),
                "write the character itself (UTF-8), a numeric reference like &#160;, or put the HTML in CDATA",
            ),
        };
        self.count_bad_reference(finding);
    }

    /// The document once the reader is at its end (`end`, the text's
    /// length); `None` when elements are left open or there is none.
    fn finish(self, end: usize) -> Option<Doc> {
        if !self.open.is_empty() {
            self.findings.push(Finding::new(
                id::XML_WELLFORMED,
                Where::Line(self.lines.line(end)),
                "the feed ends before its elements are closed (a cut-off download or write)",
                "write the whole feed again; apps cannot read a truncated feed",
            ));
            return None;
        }
        if self.doc.nodes.is_empty() {
            self.findings.push(Finding::new(
                id::XML_WELLFORMED,
                Where::Document,
                "the file holds no XML element at all",
                "is this the feed? an RSS feed starts with <?xml …?> and <rss version=\"2.0\">",
            ));
            return None;
        }
        let mut doc = self.doc;
        doc.nodes.shrink_to_fit();
        Some(doc)
    }
}

/// The name of the first attribute in a tag's attribute bytes `raw` that
/// follows the closing quote of the one before without white space
/// (`a="1"b="2"`), which XML does not allow.
fn unspaced_attribute(raw: &[u8]) -> Option<String> {
    let mut quote = None;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        match quote {
            Some(q) if b == q => {
                quote = None;
                let next = raw.get(i + 1).copied();
                if next.is_some_and(|n| !n.is_ascii_whitespace() && n != b'/') {
                    let rest = &raw[i + 1..];
                    let end = rest.iter().position(|&c| c == b'=' || c.is_ascii_whitespace()).unwrap_or(rest.len());
                    return Some(String::from_utf8_lossy(&rest[..end]).into_owned());
                }
            }
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None => {}
        }
        i += 1;
    }
    None
}

/// The first few characters of `text`, on one line, for a message.
fn excerpt(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::truncate_chars(&one_line, 60)
}

/// The finding for a character reference to a character XML forbids (`&#1;`).
fn forbidden_reference(line: usize, c: char) -> Finding {
    Finding::new(
        id::XML_WELLFORMED,
        Where::Line(line),
        format!("a character reference to U+{:04X}, which XML does not allow", c as u32),
        "remove it: control characters cannot be written in XML 1.0, not even as references",
    )
}

/// The most namespace bindings in scope at once (quick-xml's default,
/// 128, is below what a valid feed may declare).
const NAMESPACES_MAX: usize = 4096;

/// What is wrong with an `<?xml …?>` declaration, if anything: XML's
/// grammar, `version="1.x"`, then an optional `encoding` (a name), then
/// an optional `standalone` ("yes" or "no"), each quoted, in that order,
/// and nothing else. Ends the sentence "the declaration …".
fn declaration_problem(d: &BytesDecl<'_>) -> Option<String> {
    let raw: &str = d;
    let mut rest = raw.strip_prefix("xml").unwrap_or(raw);
    let mut names = vec![];
    while !rest.trim_start().is_empty() {
        if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
            return Some("has no space between its parts".into());
        }
        let (name, after) = rest.trim_start().split_once('=').unwrap_or((rest.trim(), ""));
        let name = name.trim_end();
        let after = after.trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return Some(format!("gives `{name}` without a quoted value"));
        };
        let Some((value, tail)) = after[1..].split_once(quote) else {
            return Some(format!("does not close the quote of `{name}`"));
        };
        let fine = match name {
            "version" => {
                value.strip_prefix("1.").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            }
            "encoding" => {
                value.starts_with(|c: char| c.is_ascii_alphabetic())
                    && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            }
            "standalone" => value == "yes" || value == "no",
            _ => return Some(format!("holds `{name}`, which a declaration cannot")),
        };
        if !fine {
            return Some(format!("gives {name}=\"{value}\", which XML does not allow"));
        }
        names.push(name);
        rest = tail;
    }
    let order = |name: &str| ["version", "encoding", "standalone"].iter().position(|o| *o == name);
    if names.first() != Some(&"version") {
        return Some("does not begin with version=\"1.0\"".into());
    }
    if !names.windows(2).all(|w| order(w[0]) < order(w[1])) {
        return Some("gives its parts out of order, or one twice (version, then encoding, then standalone)".into());
    }
    None
}

/// The names of the entities a DOCTYPE's text (`rss [<!ENTITY a "…"> …]`)
/// declares: the first 64 general ones (not `<!ENTITY % …>`).
fn declared_entities(doctype: &str) -> Vec<String> {
    doctype
        .split("<!ENTITY")
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next())
        .filter(|name| *name != "%")
        .take(64)
        .map(str::to_string)
        .collect()
}

/// What is wrong with a reference in an attribute's value, in words.
fn reference_problem(err: &quick_xml::Error) -> String {
    use quick_xml::escape::EscapeError;
    match err {
        quick_xml::Error::Escape(EscapeError::UnterminatedEntity(_)) => {
            "a bare & (not the start of &amp; or of another reference)".to_string()
        }
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            format!("the undefined entity &{name}; (HTML entities do not exist in XML)")
        }
        quick_xml::Error::Escape(EscapeError::InvalidCharRef(e)) => {
            format!("a character reference XML cannot read ({e})")
        }
        other => other.to_string(),
    }
}

fn count_byte(bytes: &[u8], b: u8) -> usize {
    bytes.iter().filter(|&&x| x == b).count()
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
    /// Lines end as XML ends them: LF, CR LF, or a CR alone (old Mac files).
    fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let ends = |i: usize, b: u8| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        starts.extend(bytes.iter().enumerate().filter(|&(i, &b)| ends(i, b)).map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}
