//! The raw HTML in show notes, read for what notes say with it.
//!
//! Notes pasted from a blog or another host often carry a little HTML:
//! `<b>`, `<i>`, `<a href>`, `<br>`, `<p>`, lists. Those tags are read as
//! the Markdown they stand for (the events the parser gives for `**`,
//! `*`, `~~`, links, images, line breaks, paragraphs, lists, quotes,
//! headings and rules), so the one escaping HTML writer writes them: no
//! raw text reaches a page or a feed, and a link's URL is checked as a
//! Markdown link's is. Tags that only style or group text (`<span>`,
//! `<div>`, `<font>`, `<table>` …) are left out and their text kept (a
//! block's apart from the words around it); comments are left out; any
//! other tag (`<script>`, `<iframe>`, `<form>` …) is shown as text, as it
//! was written.
//!
//! What raw HTML opens is closed where it must be: an HTML block's tags by
//! the block's end, inline tags by the end of the paragraph (or other
//! block) they are in; a closing tag with nothing of its kind open is left
//! out. A tag goes no further than a blank line (notes are read from their
//! start up to one: see [`super::excerpt`]).

use std::collections::VecDeque;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};

use crate::lenient_html::{decode, tag_end};

/// `events` with their raw HTML read (see the module docs): no
/// `Html` or `InlineHtml` event is left.
pub fn read<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    Reader::new(events)
}

/// The names of the tags in `events`' raw HTML that are shown as text
/// (neither read as Markdown nor left out: see the module docs), each
/// once, in the order they first come; at most [`SHOWN_TOLD`] of them.
pub fn shown_as_text<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<String> {
    let mut reader = Reader::new(events);
    while reader.next().is_some() {}
    reader.shown
}

/// How many names [`shown_as_text`] gives at most.
pub const SHOWN_TOLD: usize = 8;

/// An element raw HTML opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Strong,
    Emphasis,
    Strikethrough,
    Link,
    Paragraph,
    /// Ordered or not.
    List(bool),
    Item,
    Quote,
    Heading(HeadingLevel),
}

impl Kind {
    /// The element a tag names (`None`: not one read as Markdown).
    fn of(name: &str) -> Option<Kind> {
        Some(match name {
            "b" | "strong" => Kind::Strong,
            "i" | "em" => Kind::Emphasis,
            "s" | "del" | "strike" => Kind::Strikethrough,
            "a" => Kind::Link,
            "p" => Kind::Paragraph,
            "ul" => Kind::List(false),
            "ol" => Kind::List(true),
            "li" => Kind::Item,
            "blockquote" => Kind::Quote,
            "h1" => Kind::Heading(HeadingLevel::H1),
            "h2" => Kind::Heading(HeadingLevel::H2),
            "h3" => Kind::Heading(HeadingLevel::H3),
            "h4" => Kind::Heading(HeadingLevel::H4),
            "h5" => Kind::Heading(HeadingLevel::H5),
            "h6" => Kind::Heading(HeadingLevel::H6),
            _ => return None,
        })
    }

    fn is_block(self) -> bool {
        matches!(self, Kind::Paragraph | Kind::List(_) | Kind::Item | Kind::Quote | Kind::Heading(_))
    }

    fn end(self) -> TagEnd {
        match self {
            Kind::Strong => TagEnd::Strong,
            Kind::Emphasis => TagEnd::Emphasis,
            Kind::Strikethrough => TagEnd::Strikethrough,
            Kind::Link => TagEnd::Link,
            Kind::Paragraph => TagEnd::Paragraph,
            Kind::List(ordered) => TagEnd::List(ordered),
            Kind::Item => TagEnd::Item,
            Kind::Quote => TagEnd::BlockQuote(None),
            Kind::Heading(level) => TagEnd::Heading(level),
        }
    }
}

/// Tags left out with their text kept, that part the words around them.
const GROUPING: &[&str] = &[
    "address",
    "article",
    "aside",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "header",
    "html",
    "main",
    "nav",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
];

/// Tags left out with their text kept, inside a line of text.
const STYLING: &[&str] = &[
    "abbr", "bdi", "bdo", "big", "cite", "code", "font", "ins", "kbd", "label", "mark", "q", "samp", "small", "span",
    "sub", "sup", "time", "tt", "u", "var", "wbr",
];

struct Reader<'a, I> {
    events: std::iter::Fuse<I>,
    /// Events made, not given yet.
    out: VecDeque<Event<'a>>,
    /// The open elements, innermost last: `None` for one the Markdown
    /// opened, the kind of one raw HTML opened.
    frames: Vec<Option<Kind>>,
    /// The raw HTML of the block being read.
    block: Option<String>,
    /// Whether the last event made starts or ends a block (space after it
    /// says nothing).
    after_block: bool,
    /// How many Markdown links are open (a link in one is none).
    in_links: usize,
    /// The names of the tags shown as text so far (see [`shown_as_text`]).
    shown: Vec<String>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Reader<'a, I> {
    fn new(events: I) -> Self {
        Reader {
            events: events.fuse(),
            out: VecDeque::new(),
            frames: Vec::new(),
            block: None,
            after_block: true,
            in_links: 0,
            shown: Vec::new(),
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Reader<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.out.pop_front() {
                return Some(event);
            }
            match self.events.next() {
                Some(event) => self.take(event),
                None => {
                    self.close_raw();
                    return self.out.pop_front();
                }
            }
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Reader<'a, I> {
    fn push(&mut self, event: Event<'a>) {
        self.after_block = match &event {
            Event::Start(tag) => is_block(tag),
            Event::End(end) => is_block_end(*end),
            Event::Rule => true,
            _ => false,
        };
        self.out.push_back(event);
    }

    fn take(&mut self, event: Event<'a>) {
        match event {
            Event::Html(raw) => match self.block.as_mut() {
                Some(block) => block.push_str(&raw),
                None => self.tokens(&raw, true),
            },
            Event::InlineHtml(raw) => self.tokens(&raw, false),
            Event::Start(tag) => {
                match tag {
                    Tag::HtmlBlock => self.block = Some(String::new()),
                    Tag::Link { .. } => {
                        // A link in a raw `<a>` ends it, as a browser ends
                        // one `<a>` where another starts: no link in a link.
                        if self.raw_open(Kind::Link) {
                            self.close(Kind::Link);
                        }
                        self.in_links += 1;
                    }
                    _ => {}
                }
                self.frames.push(None);
                self.push(Event::Start(tag));
            }
            Event::End(end) => {
                if end == TagEnd::Link {
                    self.in_links = self.in_links.saturating_sub(1);
                }
                if let Some(raw) = self.block.take() {
                    self.tokens(&raw, true);
                }
                self.close_raw();
                self.frames.pop();
                self.push(Event::End(end));
            }
            other => self.push(other),
        }
    }

    /// Reads raw HTML: an HTML block's (`block`), or an inline tag.
    fn tokens(&mut self, raw: &str, block: bool) {
        let mut rest = raw;
        while let Some(lt) = rest.find('<') {
            self.text(&rest[..lt]);
            rest = &rest[lt..];
            if let Some(comment) = rest.strip_prefix("<!--") {
                rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
                continue;
            }
            let Some(gt) = tag_end(rest).filter(|&gt| !has_blank_line(&rest[..gt])) else {
                self.text("<");
                rest = &rest[1..];
                continue;
            };
            // (<!DOCTYPE …>, <?xml …?> and the like are left out.)
            if let Some(tag) = crate::lenient_html::Tag::parse(&rest[1..gt]) {
                self.tag(&tag, &rest[..=gt], block);
            }
            rest = &rest[gt + 1..];
        }
        self.text(rest);
    }

    /// Text of raw HTML, its entities decoded.
    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        // Space between blocks, or between a list and its items.
        let between = self.after_block || matches!(self.frames.last(), Some(Some(Kind::List(_))));
        if between && text.trim().is_empty() {
            return;
        }
        self.push(Event::Text(CowStr::from(decode(text))));
    }

    /// One tag (`raw`, as written) of raw HTML.
    fn tag(&mut self, tag: &crate::lenient_html::Tag, raw: &str, block: bool) {
        let name = tag.name.as_str();
        if block && !tag.closing && (Kind::of(name).is_some_and(Kind::is_block) || name == "hr") {
            // HTML closes a paragraph where a block starts.
            self.close_paragraph();
        }
        match (Kind::of(name), name) {
            (_, "br") => {
                if !tag.closing {
                    self.push(Event::HardBreak);
                }
            }
            (_, "hr") if block && !tag.closing && self.in_flow() => self.push(Event::Rule),
            (_, "hr") => self.push(Event::SoftBreak),
            (_, "img") if !tag.closing => self.image(tag),
            (Some(kind), _) if tag.closing && (block || !kind.is_block()) => self.close(kind),
            (Some(kind), _) if kind.is_block() && !(block && self.in_flow()) => self.push(Event::SoftBreak),
            (Some(kind), _) => self.open(kind, tag),
            (None, _) if GROUPING.contains(&name) => self.push(Event::SoftBreak),
            (None, _) if STYLING.contains(&name) => {}
            (None, _) => {
                if self.shown.len() < SHOWN_TOLD && !self.shown.iter().any(|n| n == name) {
                    self.shown.push(name.to_string());
                }
                self.push(Event::Text(CowStr::from(raw.to_string())));
            }
        }
    }

    /// Whether a block may open here: not inside text (a paragraph, a
    /// heading, or an inline element raw HTML opened).
    fn in_flow(&self) -> bool {
        !matches!(self.frames.last(), Some(Some(kind)) if !kind.is_block() || matches!(kind, Kind::Paragraph | Kind::Heading(_)))
    }

    /// Closes a paragraph raw HTML left open (HTML closes it where a
    /// block starts).
    fn close_paragraph(&mut self) {
        if self.frames.last() == Some(&Some(Kind::Paragraph)) {
            self.frames.pop();
            self.push(Event::End(TagEnd::Paragraph));
        }
    }

    fn open(&mut self, kind: Kind, tag: &crate::lenient_html::Tag) {
        let start = match kind {
            Kind::Item => {
                if self.frames.last() == Some(&Some(Kind::Item)) {
                    self.close(Kind::Item);
                }
                if !matches!(self.frames.last(), Some(Some(Kind::List(_)))) {
                    self.push(Event::SoftBreak);
                    return;
                }
                Tag::Item
            }
            Kind::Link => {
                let Some(href) = tag.attr("href").filter(|_| self.in_links == 0) else { return };
                if self.raw_open(Kind::Link) {
                    self.close(Kind::Link);
                }
                let title = tag.attr("title").unwrap_or("").to_string();
                let (dest_url, title) = (CowStr::from(href.to_string()), CowStr::from(title));
                Tag::Link { link_type: LinkType::Inline, dest_url, title, id: CowStr::from("") }
            }
            block if block.is_block() => match block {
                Kind::List(true) => Tag::List(Some(tag.attr("start").and_then(|s| s.trim().parse().ok()).unwrap_or(1))),
                Kind::List(false) => Tag::List(None),
                Kind::Quote => Tag::BlockQuote(None),
                Kind::Heading(level) => Tag::Heading { level, id: None, classes: Vec::new(), attrs: Vec::new() },
                _ => Tag::Paragraph,
            },
            Kind::Strong => Tag::Strong,
            Kind::Emphasis => Tag::Emphasis,
            _ => Tag::Strikethrough,
        };
        self.frames.push(Some(kind));
        self.push(Event::Start(start));
    }

    /// An `<img>`: the image, its `alt` text its description.
    fn image(&mut self, tag: &crate::lenient_html::Tag) {
        let Some(src) = tag.attr("src") else { return };
        let title = CowStr::from(tag.attr("title").unwrap_or("").to_string());
        let dest_url = CowStr::from(src.to_string());
        self.push(Event::Start(Tag::Image { link_type: LinkType::Inline, dest_url, title, id: CowStr::from("") }));
        match tag.attr("alt") {
            Some(alt) if !alt.is_empty() => self.push(Event::Text(CowStr::from(alt.to_string()))),
            // An image said to be decorative (`alt=""`, `role="presentation"`
            // or `"none"`) is told from one without a word by an empty
            // piece of HTML in its text (which writes nothing): see
            // `url_problems`.
            _ if tag.attr("alt").is_some() || matches!(tag.attr("role"), Some("presentation" | "none")) => {
                self.push(Event::InlineHtml(CowStr::from("")));
            }
            _ => {}
        }
        self.push(Event::End(TagEnd::Image));
    }

    /// Whether raw HTML opened an element of `kind` in the Markdown
    /// element open now.
    fn raw_open(&self, kind: Kind) -> bool {
        self.frames.iter().rev().map_while(|f| *f).any(|k| k == kind)
    }

    /// Closes the element of `kind` raw HTML opened last in the Markdown
    /// element open now, and what it opened inside it; nothing if there is
    /// none.
    fn close(&mut self, kind: Kind) {
        if !self.raw_open(kind) {
            return;
        }
        while let Some(Some(open)) = self.frames.pop() {
            self.push(Event::End(open.end()));
            if open == kind {
                break;
            }
        }
    }

    /// Closes what raw HTML opened in the Markdown element open now.
    fn close_raw(&mut self) {
        while let Some(Some(open)) = self.frames.last().copied() {
            self.frames.pop();
            self.push(Event::End(open.end()));
        }
    }
}

/// Whether a tag starts a block.
fn is_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
    )
}

/// Whether a tag's end ends a block.
fn is_block_end(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
    )
}

/// Whether `s` holds a blank line (one of spaces and tabs alone, between
/// two line ends: `\n`, `\r\n` or `\r`).
fn has_blank_line(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\n' && b[i] != b'\r' {
            i += 1;
            continue;
        }
        i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
        let line = b[i..].iter().take_while(|&&c| c == b' ' || c == b'\t').count();
        if matches!(b.get(i + line), Some(b'\n' | b'\r')) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::{excerpt, page_html, to_html};

    #[test]
    fn the_tags_notes_are_written_with_are_read_as_markdown() {
        assert_eq!(
            to_html(
                "Hello <b>bold</b>, <i>it</i>, <s>old</s> and <a href=\"https://example.com/a?b=1&amp;c=2\" title=\"T\">a link</a>.<br>Next line.",
                None
            ),
            "<p>Hello <strong>bold</strong>, <em>it</em>, <del>old</del> and \
             <a href=\"https://example.com/a?b=1&amp;c=2\" title=\"T\">a link</a>.<br />\nNext line.</p>\n"
        );
        assert_eq!(
            to_html(
                "<p>One &amp; <em>two</em>\n<p>Three</p>\n<ol start=\"3\"><li>a<li>b</ol>\n<blockquote>Q</blockquote><hr>",
                None
            ),
            "<p>One &amp; <em>two</em>\n</p>\n<p>Three</p>\n<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n\
             <blockquote>\nQ</blockquote>\n<hr />\n"
        );
    }

    #[test]
    fn a_link_in_a_raw_link_ends_it() {
        assert_eq!(
            to_html(
                "See <a href=\"https://example.org/a\">the **post** and [its source](https://example.org/b)</a> for more.",
                None
            ),
            "<p>See <a href=\"https://example.org/a\">the <strong>post</strong> and </a>\
             <a href=\"https://example.org/b\">its source</a> for more.</p>\n"
        );
        for notes in ["<a href=\"https://a/\">x <https://b/> y</a>", "<a href=\"https://a/\">x <a@b.c> y</a>"] {
            let html = to_html(notes, None);
            let (opened, closed) = (html.matches("<a ").count(), html.matches("</a>").count());
            assert_eq!((opened, closed), (2, 2), "{html}");
            let first_close = html.find("</a>").unwrap();
            assert!(html[..first_close].matches("<a ").count() == 1, "a link inside a link: {html}");
        }
    }

    #[test]
    fn what_raw_html_opens_is_closed_where_it_must_be() {
        // Left open in a paragraph: closed at its end, not in the next.
        assert_eq!(to_html("An <b>open\n\nNext", None), "<p>An <strong>open</strong></p>\n<p>Next</p>\n");
        // Closed out of order, or never opened.
        assert_eq!(to_html("<b><i>x</b>y</i></u></p>", None), "<p><strong><em>x</em></strong>y\n</p>\n");
        // A block inside text is not one (its words part).
        assert_eq!(to_html("Text <p>in</p> text", None), "<p>Text \nin\n text</p>\n");
        // A list item outside a list; an HTML block left open.
        assert_eq!(to_html("<li>item", None), "\nitem");
        assert_eq!(to_html("<ul><li>open", None), "<ul>\n<li>open</li>\n</ul>\n");
        // No link in a link.
        assert_eq!(to_html("[a <a href=\"/b\">b</a>](/a)", None), "<p><a href=\"/a\">a b</a></p>\n");
    }

    #[test]
    fn other_tags_are_left_out_or_shown_as_they_were_written() {
        let html = to_html(
            "<div class=\"x\"><span style=\"color:red\">kept</span></div> <script>alert(1)</script> \
             <iframe src=\"https://evil.example/\"></iframe><!-- gone -->",
            None,
        );
        assert!(html.contains("kept"), "{html}");
        assert!(!html.contains("<div") && !html.contains("<span") && !html.contains("gone"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("&lt;iframe src=\"https://evil.example/\"&gt;"), "{html}");
        assert!(!html.contains("<script") && !html.contains("<iframe"), "{html}");
    }

    #[test]
    fn raw_links_and_images_are_checked_as_markdown_ones() {
        let html = to_html(
            "<a href=\"javascript:alert(1)\">click</a> <a href='jav&#x61;script:x'>two</a> \
                            <img src=\"data:image/png;base64,xx\" alt=\"pic\"> <img src=\"https://example.com/i.png\" alt=\"ok\">",
            None,
        );
        assert!(!html.to_lowercase().contains("javascript") && !html.contains("data:"), "{html}");
        assert!(html.contains("click") && html.contains("two"), "{html}");
        assert!(html.contains("<img src=\"https://example.com/i.png\" alt=\"ok\" />"), "{html}");
    }

    #[test]
    fn a_raw_heading_goes_one_level_down_on_the_page_as_a_markdown_one() {
        assert_eq!(page_html("<h1>Links</h1>\n\nText", "Pilot", None), "<h2>Links</h2>\n<p>Text</p>\n");
    }

    #[test]
    fn a_tag_goes_no_further_than_a_blank_line() {
        assert_eq!(excerpt("<pre>\nA <a\n\nhref=\"x\">b</a>\n</pre>", 200), "A <a href=\"x\">b");
        assert!(super::has_blank_line("a\r\n \t\r\nb") && super::has_blank_line("a\r\rb"));
        assert!(!super::has_blank_line("a\r\nb\nc"));
    }
}
