//! Show notes from a feed's HTML into Markdown: paragraphs, line breaks,
//! links, emphasis, lists, headings, quotes and code kept; images kept as
//! Markdown images; scripts, styles and iframes dropped (and reported);
//! any other tag dropped with its text kept. HTML as hosts write it is
//! rarely well-formed XML: tags are read leniently (unclosed `<p>` and
//! `<li>`, `<br>` without a slash, unquoted attributes, HTML entities).
//! Text is escaped for Markdown, so what the notes said is what the page
//! will say.
//!
//! Why not a crate: htmd 0.5 (turndown's rules, on html5ever) was tried on
//! the same real feeds. It writes `today**!**` and `**Note:**text`, which
//! CommonMark shows as literal asterisks, and loses the space in
//! `1865<b> </b>to` (all three in ART19's notes in the fixtures), so the
//! imported notes no longer read as the feed's; this reader keeps emphasis
//! marks where Markdown can take them and the text as a browser shows it,
//! and costs no HTML parser in the build.

pub use crate::lenient_html::decode;
use crate::lenient_html::{Tag, tag_end};

/// What converting dropped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Tags whose content was dropped (`script`, `iframe` …), each once.
    pub tags: Vec<String>,
    /// The first relative link or image address kept as it is, for want
    /// of a page to read it against (`base`).
    pub relative: Option<String>,
}

/// `html` as Markdown; its relative links and images read against `base`
/// (the page the notes were published on), as a browser reads them there.
pub fn to_markdown(html: &str, base: Option<&str>) -> (String, Dropped) {
    // Plain text (as Megaphone, Omny and Simplecast write notes): its line
    // breaks are what apps show, and what Apple reads chapter times from.
    match has_tags(html) {
        true => html_to_markdown(html, base),
        false => html_to_markdown(&plain_as_html(html), base),
    }
}

/// [`to_markdown`] of HTML.
fn html_to_markdown(html: &str, base: Option<&str>) -> (String, Dropped) {
    let mut w = Writer { base: base.and_then(|b| url::Url::parse(b).ok()), ..Writer::default() };
    let mut dropped = Dropped::default();
    let mut rest = html;
    let mut skipping: Option<String> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skipping.is_none() {
                w.text(&decode(rest));
            }
            break;
        };
        if skipping.is_none() {
            w.text(&decode(&rest[..lt]));
        }
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            // A lone '<': text.
            if skipping.is_none() {
                w.text("<");
            }
            rest = &rest[1..];
            continue;
        };
        let tag = Tag::parse(&rest[1..gt]);
        rest = &rest[gt + 1..];
        let Some(tag) = tag else { continue };
        if let Some(skip) = &skipping {
            if tag.closing && tag.name == *skip {
                skipping = None;
            }
            continue;
        }
        match tag.name.as_str() {
            "script" | "style" | "iframe" | "object" | "embed" | "noscript" | "svg" | "form" if !tag.closing => {
                if !dropped.tags.contains(&tag.name) {
                    dropped.tags.push(tag.name.clone());
                }
                if !tag.self_closing {
                    skipping = Some(tag.name);
                }
            }
            _ => w.tag(&tag),
        }
    }
    dropped.relative = w.relative.take();
    (w.finish(), dropped)
}

/// Whether `text` holds an HTML tag or comment (`<p`, `</`, `<!--`, `<br/>`):
/// else it is plain text, whose line breaks apps show as they are.
fn has_tags(text: &str) -> bool {
    text.match_indices('<').any(|(at, _)| {
        text[at + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
            && tag_end(&text[at..]).is_some()
    })
}

/// Plain text as the HTML a browser would show as apps show it: a blank
/// line between paragraphs, a line break at each line end.
fn plain_as_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut html = String::with_capacity(text.len() + 64);
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        // (A `<` of the text is text: `a < b` opens no tag.)
        let lines: Vec<String> =
            paragraph.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| l.replace('<', "&lt;")).collect();
        html.push_str(&lines.join("<br>"));
        html.push_str("</p>");
    }
    html
}

/// The deepest lists and quotes are written: those nested deeper are
/// written at this depth. Markdown renderers and readers gain nothing past
/// it, and each line of a list or quote is written with its depth's
/// prefix: notes nested thousands deep (32 KB of `<ul><li>`) made a
/// manifest of megabytes, quadratic in the feed.
const MAX_NESTING: usize = 8;

/// An open list or quote, whose lines are written inside it.
#[derive(Debug, Clone, Copy)]
enum Frame {
    Quote,
    /// A list: ordered, its next number, and how far its open item's
    /// blocks are indented (0: no item open yet).
    List {
        ordered: bool,
        next: u32,
        indent: usize,
    },
}

/// The Markdown being written.
#[derive(Default)]
struct Writer {
    out: String,
    /// The open lists and quotes, outermost first (those past
    /// [`MAX_NESTING`] are written as the deepest written one).
    frames: Vec<Frame>,
    /// Where the marker of the list item just opened ends (or of the
    /// quote opened at its start): its first block goes on that line
    /// (`- First`): CommonMark takes a marker followed by a blank line as
    /// an empty item.
    fresh: Option<usize>,
    /// A list inside an item just ended: what the item says next is a
    /// block apart (else it would run on as the last nested item's text).
    list_ended: bool,
    /// Open links: their target (`None`: not a link kept).
    links: Vec<Option<String>>,
    /// What relative links and images are read against.
    base: Option<url::Url>,
    /// The first relative address kept as it is (no `base`).
    relative: Option<String>,
    pre: bool,
    /// Inside inline code (`<code>` out of `<pre>`), where Markdown takes
    /// every character as it is: nothing is escaped (a backslash would show).
    code: usize,
    /// Text was written since the last block started.
    inline: bool,
    /// Where the blank line that ended the last block starts and ends, if
    /// nothing was written since.
    separated: Option<(usize, usize)>,
    /// Where the text after an opening emphasis mark starts.
    opened: Option<usize>,
    /// Open emphasis: whether its marks were left out (they could not
    /// open there: `today**!**` is not bold in Markdown).
    marks: Vec<(bool, usize)>,
    /// A closing mark after punctuation: a word right after it would keep
    /// it from closing (`**Note:**text`), so a space goes between.
    /// (Where that closing mark ends.)
    closed_after_punctuation: Option<usize>,
}

impl Writer {
    /// What each line inside the open lists and quotes starts with.
    fn prefix(&self) -> String {
        prefix_of(&self.frames[..self.frames.len().min(MAX_NESTING)])
    }

    /// At the start of a list item (or a quote opened there): nothing
    /// written in it yet.
    fn at_fresh_item(&self) -> bool {
        self.fresh == Some(self.out.len())
    }

    /// Ends the current block with a blank line (at a list item's start,
    /// nothing: its first block goes on the marker's line).
    fn block(&mut self) {
        self.list_ended = false;
        if self.at_fresh_item() {
            return;
        }
        // One blank line between blocks: where a quote ended since it was
        // written, it is written again out of it.
        if let Some((start, end)) = self.separated
            && end == self.out.len()
        {
            if self.prefix().trim_end().len() + 2 >= end - start {
                self.inline = false;
                return;
            }
            self.out.truncate(start);
        }
        let trimmed = self.out.trim_end_matches([' ', '\n']).len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            let start = self.out.len();
            self.out.push('\n');
            self.blank_line();
            self.separated = Some((start, self.out.len()));
        }
        self.inline = false;
    }

    /// A blank line (after a line's end): inside a quote, one of its lines
    /// (`>`); a bare one would end it, and its next paragraph would be
    /// another quote.
    fn blank_line(&mut self) {
        let p = self.prefix();
        self.out.push_str(p.trim_end());
        self.out.push('\n');
    }

    fn line_start(&mut self) {
        if !self.inline {
            if std::mem::take(&mut self.list_ended) && self.separated.is_none_or(|(_, end)| end != self.out.len()) {
                self.blank_line();
            }
            let p = self.prefix();
            self.out.push_str(&p);
            self.inline = true;
        }
    }

    fn text(&mut self, text: &str) {
        if self.pre {
            // Each line inside the lists and quotes around the code.
            for (n, line) in text.split('\n').enumerate() {
                if n > 0 {
                    self.out.push('\n');
                    self.inline = false;
                }
                if !line.is_empty() {
                    self.line_start();
                    self.out.push_str(line);
                }
            }
            return;
        }
        let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            if !text.is_empty() && self.inline && !self.out.ends_with(' ') {
                self.out.push(' ');
            }
            return;
        }
        self.line_start();
        let just_opened = self.opened.take() == Some(self.out.len());
        if self.closed_after_punctuation.take() == Some(self.out.len()) && text.starts_with(char::is_alphanumeric) {
            self.out.push(' ');
        }
        let first_is_punctuation = collapsed.starts_with(|c: char| c.is_ascii_punctuation());
        if just_opened && first_is_punctuation {
            // After a word, a mark before punctuation cannot open: leave it out.
            let mark_start = self.out.trim_end_matches(['*', '`']).len();
            if self.out[..mark_start].ends_with(char::is_alphanumeric) {
                self.out.truncate(mark_start);
                if let Some(top) = self.marks.last_mut() {
                    top.0 = true;
                }
            }
        }
        if text.starts_with(char::is_whitespace) && just_opened {
            // "* x" would not open: the space goes before the mark.
            let mark_start = self.out.trim_end_matches(['*', '`']).len();
            let mark = self.out.split_off(mark_start);
            if !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
            self.out.push_str(&mark);
        } else if text.starts_with(char::is_whitespace) && !self.out.ends_with([' ', '\n']) && !self.out.ends_with("> ")
        {
            self.out.push(' ');
        }
        let at_start = self.out.is_empty()
            || self.out.ends_with(['\n', ' '])
                && self.out.trim_end_matches([' ', '>', '-', '\n']).len() + 4 > self.out.len();
        match self.code {
            // (A backtick would end the code: it is the one character left out.)
            0 => self.out.push_str(&escape(&collapsed, at_start)),
            _ => self.out.push_str(&collapsed.replace('`', "'")),
        }
        if text.ends_with(char::is_whitespace) {
            self.out.push(' ');
        }
    }

    fn tag(&mut self, t: &Tag) {
        match (t.name.as_str(), t.closing) {
            ("p" | "div" | "section" | "article" | "header" | "footer" | "figure" | "table" | "tr", _) => self.block(),
            ("br", _) if self.inline => self.line_break(),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", closing) => {
                self.heading(usize::from(t.name.as_bytes()[1] - b'0'), closing)
            }
            ("strong" | "b", closing) => self.emphasis("**", closing),
            ("em" | "i", closing) => self.emphasis("*", closing),
            ("code", closing) if !self.pre => {
                self.code = if closing { self.code.saturating_sub(1) } else { self.code + 1 };
                self.emphasis("`", closing)
            }
            ("pre", closing) => self.preformatted(closing),
            ("blockquote", closing) => self.blockquote(closing),
            ("ul" | "ol", closing) => {
                // (An ordered list goes on from its `start`, as browsers number it.)
                let start = t.attr("start").and_then(|n| n.trim().parse::<u32>().ok()).filter(|n| *n < 1_000_000_000);
                self.list(t.name == "ol", start.unwrap_or(1), closing)
            }
            ("td" | "th", false) => self.cell(),
            ("li", false) => self.list_item(),
            ("a", closing) => self.link(t, closing),
            ("img", false) => self.image(t),
            _ => {}
        }
    }

    /// `<br>` in a line: a Markdown hard break.
    fn line_break(&mut self) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
        self.out.push_str("  \n");
        self.inline = false;
    }

    fn heading(&mut self, level: usize, closing: bool) {
        self.block();
        if !closing {
            self.line_start();
            self.out.push_str(&format!("{} ", "#".repeat(level)));
        }
    }

    fn preformatted(&mut self, closing: bool) {
        if closing {
            if self.inline {
                self.out.push('\n');
                self.inline = false;
            }
            self.line_start();
            self.out.push_str("```");
            self.pre = false;
            self.block();
        } else {
            self.block();
            self.line_start();
            self.out.push_str("```\n");
            self.inline = false;
            self.pre = true;
        }
    }

    fn blockquote(&mut self, closing: bool) {
        if closing {
            // (What was opened in it and left open ends with it.)
            let Some(at) = self.frames.iter().rposition(|f| matches!(f, Frame::Quote)) else { return };
            self.fresh = None;
            self.frames.truncate(at);
            self.block();
            return;
        }
        self.block();
        self.frames.push(Frame::Quote);
        // At a list item's start, on its marker's line (`- > quoted`).
        if self.at_fresh_item() && self.frames.len() <= MAX_NESTING {
            self.out.push_str("> ");
            self.fresh = Some(self.out.len());
        }
    }

    /// A table's cell: apart from the one before it in its row (a row is
    /// a line of its own).
    fn cell(&mut self) {
        if self.inline {
            let trimmed = self.out.trim_end_matches(' ').len();
            self.out.truncate(trimmed);
            self.out.push_str(" | ");
        }
    }

    fn list(&mut self, ordered: bool, start: u32, closing: bool) {
        let in_list = |frames: &[Frame]| frames.iter().rposition(|f| matches!(f, Frame::List { .. }));
        if closing {
            // (What was opened in it and left open ends with it.)
            let Some(at) = in_list(&self.frames) else { return };
            self.fresh = None;
            self.frames.truncate(at);
            if in_list(&self.frames).is_none() {
                self.block();
            } else if self.inline {
                self.out.push('\n');
                self.inline = false;
                self.list_ended = true;
            }
            return;
        }
        if in_list(&self.frames).is_none() {
            self.block();
        } else if self.inline {
            let trimmed = self.out.trim_end_matches(' ').len();
            self.out.truncate(trimmed);
            self.out.push('\n');
            self.inline = false;
        }
        self.frames.push(Frame::List { ordered, next: start, indent: 0 });
    }

    /// `<li>`: the item before it in its list ends (with what it left
    /// open), and its marker starts a line, where its first block goes.
    fn list_item(&mut self) {
        let at = match self.frames.iter().rposition(|f| matches!(f, Frame::List { .. })) {
            Some(at) => at,
            // An item out of any list: as one of a list of its own.
            None => {
                self.block();
                self.frames.push(Frame::List { ordered: false, next: 1, indent: 0 });
                self.frames.len() - 1
            }
        };
        self.frames.truncate(at + 1);
        self.list_ended = false;
        if self.inline || !self.out.ends_with('\n') && !self.out.is_empty() {
            let trimmed = self.out.trim_end_matches(' ').len();
            self.out.truncate(trimmed);
            self.out.push('\n');
        }
        let marker = match &mut self.frames[at] {
            Frame::List { ordered: true, next, .. } => {
                *next += 1;
                format!("{}. ", *next - 1)
            }
            _ => "- ".to_string(),
        };
        // A list nested deeper than written: its items are the deepest written list's.
        let shown = match at < MAX_NESTING {
            true => Some(at),
            false => self.frames[..MAX_NESTING].iter().rposition(|f| matches!(f, Frame::List { .. })),
        };
        let around = shown.unwrap_or(MAX_NESTING.min(self.frames.len()));
        self.out.push_str(&prefix_of(&self.frames[..around]));
        self.out.push_str(&marker);
        if let Some(Frame::List { indent, .. }) = shown.map(|s| &mut self.frames[s]) {
            *indent = marker.len().max(3);
        }
        self.inline = true;
        self.fresh = Some(self.out.len());
    }

    /// `<a href>`: a Markdown link around what it holds (its text only, if
    /// its address is not one to link to).
    fn link(&mut self, t: &Tag, closing: bool) {
        if !closing {
            let href = t.attr("href").and_then(|h| self.target(h));
            if href.is_some() {
                self.line_start();
                self.out.push('[');
            }
            self.links.push(href);
        } else if let Some(Some(href)) = self.links.pop() {
            let trimmed = self.out.trim_end_matches(' ').len();
            self.out.truncate(trimmed);
            self.out.push_str(&format!("](<{}>)", href.replace(['<', '>'], "")));
        }
    }

    fn image(&mut self, t: &Tag) {
        if let Some(src) = t.attr("src").and_then(|s| self.target(s)) {
            self.line_start();
            let alt = escape(t.attr("alt").unwrap_or_default(), false);
            self.out.push_str(&format!("![{alt}](<{}>)", src.replace(['<', '>'], "")));
        }
    }

    /// The address a link or image `given` leads to, as a browser reads it
    /// on the page the notes were on: an http(s) or mailto URL as it is, a
    /// fragment (`#x`) as it is, a relative one read against that page (as
    /// it is when there is none, noted); `None` for any other scheme
    /// (`javascript:` …), whose text alone is kept.
    fn target(&mut self, given: &str) -> Option<String> {
        // (Browsers leave tabs and line breaks out of an address.)
        let href: String = given.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        if href.is_empty() {
            return None;
        }
        if let Some(scheme) = super::channel::scheme_of(&href) {
            return matches!(scheme.as_str(), "http" | "https" | "mailto").then_some(href);
        }
        if href.starts_with('#') {
            return Some(href);
        }
        let Some(base) = &self.base else {
            self.relative.get_or_insert_with(|| href.clone());
            return Some(href);
        };
        let joined = base.join(&href).ok().filter(|u| matches!(u.scheme(), "http" | "https"))?;
        Some(joined.to_string())
    }

    /// An emphasis mark, kept tight against the text it marks (CommonMark
    /// ignores `*1865 *`): a space at the edge goes outside.
    fn emphasis(&mut self, mark: &str, closing: bool) {
        self.line_start();
        let open = if closing { self.marks.pop() } else { None };
        if let Some((true, _)) = open {
            return;
        }
        // Nothing (or only spaces) inside: the opening mark goes, no closing one.
        if let Some((false, at)) = open
            && self.out.get(at..).is_some_and(|inside| inside.trim_start_matches(['*', '`']).trim().is_empty())
        {
            let spaced = self.out[at..].contains(' ');
            self.out.truncate(at);
            if spaced && !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
            return;
        }
        if !closing {
            self.marks.push((false, self.out.len()));
        }
        let after_punctuation = closing && self.out.chars().last().is_some_and(|c| c.is_ascii_punctuation());
        if closing && self.out.ends_with(' ') {
            let trimmed = self.out.trim_end_matches(' ').len();
            self.out.truncate(trimmed);
            self.out.push_str(mark);
            self.out.push(' ');
            return;
        }
        self.out.push_str(mark);
        if !closing {
            self.opened = Some(self.out.len());
        }
        if after_punctuation {
            self.closed_after_punctuation = Some(self.out.len());
        }
    }

    fn finish(mut self) -> String {
        self.block();
        if let Some((start, end)) = self.separated
            && end == self.out.len()
        {
            self.out.truncate(start);
        }
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        // Empty emphasis left by tags around nothing.
        for empty in ["****", "**", "``"] {
            self.out = self.out.replace(&format!(" {empty} "), " ");
        }
        self.out
    }
}

/// Whether `rest` (after a `&`) would make it an entity in Markdown, as
/// `&copy;` or `&#169;` would be: the text said it as it is.
fn starts_entity(rest: &str) -> bool {
    let name = rest.strip_prefix('#').unwrap_or(rest);
    let len = name.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(name.len());
    len > 0 && name[len..].starts_with(';')
}

/// What a line inside `frames` (outermost first) starts with: `> ` for
/// a quote, a list's item indent.
fn prefix_of(frames: &[Frame]) -> String {
    let mut p = String::new();
    for f in frames {
        match f {
            Frame::Quote => p.push_str("> "),
            Frame::List { indent, .. } => p.push_str(&" ".repeat(*indent)),
        }
    }
    p
}

/// Text escaped for Markdown: the characters that would start markup.
fn escape(text: &str, at_line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, (at, c)) in text.char_indices().enumerate() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|' | '~')
            || (i == 0 && at_line_start && matches!(c, '#' | '-' | '+' | '='))
            || (c == '&' && starts_entity(&text[at + 1..]))
        {
            out.push('\\');
        }
        out.push(c);
    }
    // "1. " at a line's start would be a list.
    if at_line_start
        && let Some(dot) = out.find(". ")
        && out[..dot].chars().all(|c| c.is_ascii_digit())
        && dot > 0
    {
        out.insert(dot, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        to_markdown(html, None).0
    }

    #[test]
    fn the_usual_notes_become_the_usual_markdown() {
        assert_eq!(
            md(
                "<p>Ann talks about <b>rules</b> &amp; <a href=\"https://example.com/x?a=1&amp;b=2\">links</a>.</p><p>Second<br>line</p>"
            ),
            "Ann talks about **rules** & [links](<https://example.com/x?a=1&b=2>).\n\nSecond  \nline"
        );
        assert_eq!(md("<ul><li>one</li><li>two <i>2</i></li></ul><p>after</p>"), "- one\n- two *2*\n\nafter");
        assert_eq!(md("<ol><li>a<li>b</ol>"), "1. a\n2. b");
        assert_eq!(md("<h2>Links</h2>text"), "## Links\n\ntext");
        assert_eq!(
            md("plain *stars* and [brackets] and 1. not a list"),
            "plain \\*stars\\* and \\[brackets\\] and 1. not a list"
        );
        assert_eq!(md("<p>1. first</p>"), "1\\. first");
        assert_eq!(md("<p><em>1865 </em>is<b> bold</b>.</p>"), "*1865* is **bold**.");
        assert_eq!(md("today<strong>!</strong> <b>Note:</b>text"), "today! **Note:** text");
        assert_eq!(md("a.com/1865<b> </b>to <i></i>get"), "a.com/1865 to get");
        assert_eq!(
            md("<p><i><a href=\"x\">T</a></i></p>\n<p><span><b>Notes</b></span></p>"),
            "*[T](<x>)*\n\n**Notes**"
        );
    }

    /// Plain-text notes keep their paragraphs and lines (timestamps stay
    /// at line starts); a `<` that opens no tag does not make them HTML.
    #[test]
    fn plain_text_keeps_its_paragraphs_and_lines() {
        let plain =
            "First paragraph of notes.\r\n\r\nSecond: a < b, *info*.\n- not a list\n\n\n00:00 Intro\n12:30 Topic  \n";
        assert_eq!(
            md(plain),
            "First paragraph of notes.\n\nSecond: a \\< b, \\*info\\*.  \n\\- not a list\n\n00:00 Intro  \n12:30 Topic"
        );
        assert_eq!(md("One line, no break."), "One line, no break.");
        for (text, md_of_it) in [("", ""), (" ", ""), ("\n\n", ""), ("a < b >", "a \\< b \\>")] {
            assert_eq!(md(text), md_of_it);
        }
        // HTML is read as HTML: its line ends are spaces.
        assert_eq!(md("<p>One\nline</p>"), "One line");
        assert_eq!(md("One<br/>\ntwo"), "One  \ntwo");
    }

    #[test]
    fn what_cannot_be_kept_is_dropped_and_said() {
        let (text, dropped) =
            to_markdown("<p>Hi</p><script>alert(1)</script><iframe src=x></iframe><p>there</p>", None);
        assert_eq!(text, "Hi\n\nthere");
        assert_eq!(dropped.tags, ["script", "iframe"]);
        assert_eq!(md("<a href=\"javascript:alert(1)\">x</a>"), "x");
        assert_eq!(md("a < b &unknown; &#233;&#xE9;"), "a \\< b \\&unknown; éé");
    }

    /// Text that reads as markup in Markdown (`~~x~~`, an entity written
    /// out), cells of a row, and a list's start number are kept as the
    /// page showed them: `~~x~~` was struck through, `&amp;copy;` became ©,
    /// cells ran together (`ab`), `<ol start="3">` was numbered from 1.
    #[test]
    fn inline_code_is_kept_as_it_is_without_escapes() {
        let markdown = md("<p>Code: <code>ls ~/x &amp;&amp; rm a_b &amp;amp; *y*</code> and a_b ~z</p>");
        assert_eq!(markdown, "Code: `ls ~/x && rm a_b &amp; *y*` and a\\_b \\~z");
        assert_eq!(
            crate::markdown::to_html(&markdown, None),
            "<p>Code: <code>ls ~/x &amp;&amp; rm a_b &amp;amp; *y*</code> and a_b ~z</p>\n"
        );
    }

    #[test]
    fn text_cells_and_numbers_are_kept_as_the_page_showed_them() {
        let html = "<p>~~x~~ &amp;copy; &amp;#169; AT&amp;T</p>\
                    <table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>\
                    <ol start=\"3\"><li>c</li><li>d</li></ol>";
        let markdown = md(html);
        assert_eq!(markdown, "\\~\\~x\\~\\~ \\&copy; \\&#169; AT&T\n\na | b\n\n1 | 2\n\n3. c\n4. d");
        assert_eq!(
            crate::markdown::to_html(&markdown, None),
            "<p>~~x~~ &amp;copy; &amp;#169; AT&amp;T</p>\n<p>a | b</p>\n<p>1 | 2</p>\n<ol start=\"3\">\n<li>c</li>\n<li>d</li>\n</ol>\n"
        );
    }

    /// Lists and quotes nested deeper than eight are written eight deep:
    /// the Markdown grows with the HTML, not with its square (`<ul><li>`
    /// 4,000 deep, 32 KB, made 24 MB).
    #[test]
    fn lists_and_quotes_nested_thousands_deep_are_written_eight_deep() {
        for unit in ["<ul><li>x", "<ol><li>x", "<blockquote><p>x</p>", "<blockquote><ul><li>x", "<ul><li><blockquote>x"]
        {
            let html = unit.repeat(3_000);
            let markdown = md(&html);
            assert!(markdown.len() < 5 * html.len(), "{unit}: {} bytes from {}", markdown.len(), html.len());
        }
        let markdown = md(&"<ul><li>x".repeat(10));
        let lines: Vec<usize> = markdown.lines().map(|l| l.len() - l.trim_start().len()).collect();
        assert_eq!(lines, [0, 3, 6, 9, 12, 15, 18, 21, 21, 21], "{markdown}");
        let html = crate::markdown::to_html(&markdown, None);
        assert_eq!((html.matches("<ul>").count(), html.matches("<li>").count()), (8, 10), "{html}");
        let markdown = md(&"<blockquote><p>x</p>".repeat(10));
        assert_eq!(markdown.lines().last(), Some("> > > > > > > > x"), "{markdown}");
    }

    /// A quote of several paragraphs is one quote, its paragraphs apart
    /// by a line of it (`>`): a bare blank line made a quote of each; the
    /// paragraph after it is out of it.
    #[test]
    fn a_quote_of_several_paragraphs_stays_one_quote() {
        let markdown = md("<blockquote><p>one</p><p>two</p></blockquote><p>after</p>\
                           <ul><li><blockquote><p>a</p><p>b</p></blockquote></li></ul>");
        assert_eq!(markdown, "> one\n>\n> two\n\nafter\n\n- > a\n   >\n   > b");
        let html = crate::markdown::to_html(&markdown, None);
        assert_eq!(
            html,
            "<blockquote>\n<p>one</p>\n<p>two</p>\n</blockquote>\n<p>after</p>\n<ul>\n<li>\n<blockquote>\n\
             <p>a</p>\n<p>b</p>\n</blockquote>\n</li>\n</ul>\n"
        );
    }

    /// A list item's first block goes on its marker's line, its others
    /// indented after a blank line: a marker alone on its line, then a
    /// blank line, was an empty item (`-\n\n   First`), and the notes lost
    /// their lists. Nested lists, quotes, headings and an empty first
    /// paragraph in an item, and code in a quote, stay where they were.
    #[test]
    fn list_items_of_paragraphs_stay_list_items() {
        let cases = [
            (
                "<ul><li><p>First</p></li><li><p>Second <b>bold</b></p></li></ul><ol><li>x<p>para</p></li></ol>",
                "- First\n\n- Second **bold**\n\n1. x\n\n   para",
                "<ul>\n<li>\n<p>First</p>\n</li>\n<li>\n<p>Second <strong>bold</strong></p>\n</li>\n</ul>\n\
                 <ol>\n<li>\n<p>x</p>\n<p>para</p>\n</li>\n</ol>\n",
            ),
            (
                "<ul><li><p>Outer</p><ul><li><p>Inner</p></li></ul></li><li><p>Next</p></li></ul>",
                "- Outer\n\n   - Inner\n\n- Next",
                "<ul>\n<li>\n<p>Outer</p>\n<ul>\n<li>Inner</li>\n</ul>\n</li>\n<li>\n<p>Next</p>\n</li>\n</ul>\n",
            ),
            (
                "<ul><li><blockquote><p>Quoted</p></blockquote>said</li><li><h3>Title</h3><p>text</p></li>\
                 <li><p></p>After an empty one</li></ul>",
                "- > Quoted\n\n   said\n- ### Title\n\n   text\n\n- After an empty one",
                "<ul>\n<li>\n<blockquote>\n<p>Quoted</p>\n</blockquote>\n<p>said</p>\n</li>\n<li>\n<h3>Title</h3>\n\
                 <p>text</p>\n</li>\n<li>\n<p>After an empty one</p>\n</li>\n</ul>\n",
            ),
            (
                "<ul><li>a<ul><li>b</li></ul>after b</li><li>c</li></ul><ol start=\"9\"><li>nine</li><li><p>ten</p><p>more</p></li></ol>",
                "- a\n   - b\n\n   after b\n- c\n\n9. nine\n10. ten\n\n    more",
                "<ul>\n<li>\n<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n<p>after b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n</ul>\n\
                 <ol start=\"9\">\n<li>\n<p>nine</p>\n</li>\n<li>\n<p>ten</p>\n<p>more</p>\n</li>\n</ol>\n",
            ),
            (
                "<ul><li><p>run</p><pre>ls\n  -l</pre></li></ul><blockquote><pre>a\nb</pre></blockquote>",
                "- run\n\n   ```\n   ls\n     -l\n   ```\n\n> ```\n> a\n> b\n> ```",
                "<ul>\n<li>\n<p>run</p>\n<pre><code>ls\n  -l\n</code></pre>\n</li>\n</ul>\n\
                 <blockquote>\n<pre><code>a\nb\n</code></pre>\n</blockquote>\n",
            ),
        ];
        for (html, markdown, rendered) in cases {
            assert_eq!(md(html), markdown, "{html}");
            assert_eq!(crate::markdown::to_html(markdown, None), rendered, "{html}");
        }
    }

    /// Links and images are read as a browser read them on the page the
    /// notes were on: a relative one against it (`/notes/e1` led nowhere
    /// on the new site); absolute ones, `mailto:` and fragments as they
    /// are; another scheme's (`javascript:`) only their text.
    #[test]
    fn relative_links_are_read_against_the_notes_page() {
        let html = "<p><a href=\"/notes/e1\">notes</a> <a href=\"../b?x=1#y\">up</a> <img src=\"img/a.png\" alt=\"A\"> \
                    <a href=\"//cdn.example.org/f\">cdn</a> <a href=\"https://x.example/\">abs</a> \
                    <a href=\"mailto:ann@example.com\">mail</a> <a href=\"#t\">here</a> \
                    <a href=\" java\tscript:alert(1)\">js</a> <a href=\"data:text/html,x\">data</a></p>";
        let (markdown, dropped) = to_markdown(html, Some("https://old.example.com/show/ep1?id=3"));
        assert_eq!(
            markdown,
            "[notes](<https://old.example.com/notes/e1>) [up](<https://old.example.com/b?x=1#y>) \
             ![A](<https://old.example.com/show/img/a.png>) [cdn](<https://cdn.example.org/f>) \
             [abs](<https://x.example/>) [mail](<mailto:ann@example.com>) [here](<#t>) js data"
        );
        assert_eq!(dropped.relative, None);
        let (markdown, dropped) = to_markdown(html, None);
        assert!(markdown.starts_with("[notes](</notes/e1>) [up](<../b?x=1#y>) ![A](<img/a.png>) "), "{markdown}");
        assert!(markdown.ends_with("[here](<#t>) js data"), "{markdown}");
        assert_eq!(dropped.relative.as_deref(), Some("/notes/e1"));
    }

    #[test]
    fn markdown_from_html_renders_back_to_the_same_text() {
        let html = "<p>A <em>fine</em> <strong>show</strong> with <a href=\"https://e.com\">a link</a>.</p><ul><li>x_y</li></ul>";
        let back = crate::markdown::to_html(&md(html), None);
        assert_eq!(
            back,
            "<p>A <em>fine</em> <strong>show</strong> with <a href=\"https://e.com\">a link</a>.</p>\n<ul>\n<li>x_y</li>\n</ul>\n"
        );
    }
}
