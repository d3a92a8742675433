//! Show notes: Markdown → HTML, sanitised.
//!
//! Notes come from the manifest, which may hold text pasted from anywhere,
//! so the HTML is made safe by construction: raw HTML in the Markdown is
//! read for the tags notes are written with (`<b>`, `<a href>`, `<br>`,
//! `<p>`, lists …), as the Markdown they stand for, and any other tag is
//! shown as text (the `raw` module); links or images whose URL has a scheme other
//! than `http`, `https` or `mailto` (`javascript:`, `data:` …) lose their
//! URL. A relative link or image is made absolute against the episode
//! page's URL where one is given: notes are written once for the page and
//! the feeds, and a feed reader resolves a relative URL against the feed's,
//! where it leads nowhere. Everything is written by pulldown-cmark's own
//! escaping HTML writer.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

mod raw;

/// Renders Markdown notes as safe HTML; relative links and images made
/// absolute against `base` (the episode page's URL), if given.
///
/// ```
/// let html = podsmith::markdown::to_html("[One](../one/) ![Art](art.jpg)", Some("https://example.com/episodes/two/"));
/// assert_eq!(
///     html,
///     "<p><a href=\"https://example.com/episodes/one/\">One</a> <img src=\"https://example.com/episodes/two/art.jpg\" alt=\"Art\" /></p>\n"
/// );
/// ```
pub fn to_html(markdown: &str, base: Option<&str>) -> String {
    with_timestamps(markdown, &[], base)
}

/// Renders Markdown notes as safe HTML followed by timestamp lines
/// (`0:00 Introduction`) in one paragraph, Apple's way of showing chapters
/// in an episode's description: one pass of the HTML writer, each line's
/// text escaped by it. No lines: the notes alone, as [`to_html`].
///
/// ```
/// let html = podsmith::markdown::with_timestamps("Notes & more.", &["0:00 Intro <1>".into(), "1:30 End".into()], None);
/// assert_eq!(html, "<p>Notes &amp; more.</p>\n<p>0:00 Intro &lt;1&gt;<br />\n1:30 End</p>\n");
/// ```
pub fn with_timestamps(markdown: &str, lines: &[String], base: Option<&str>) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, safe_events(markdown, base).chain(timestamp_events(lines)));
    out
}

/// The notes for an episode's feed `description`, in the HTML that Apple
/// shows there (`<p>`, `<ol>`, `<ul>`, `<li>`, `<a>`) and the Podcast
/// Standards Project adds (`<strong>`, `<em>`; and `<br>`, in lines such as
/// the chapters' timestamps): a heading becomes a paragraph in bold, code a
/// paragraph of its lines, a quote its paragraphs, a table a paragraph a
/// row; an image leaves its description, struck text its words (see
/// [`DESCRIPTION_TAGS`]). Then, as Apple reads a description up to `max`
/// bytes: the notes with their timestamp lines if they fit; else as many
/// of the notes' first blocks (paragraphs, lists …) as fit whole, not
/// ending on a heading (and of a list that does not fit whole, as many of
/// its first items as fit), then a paragraph linking `more` (the episode's
/// page, where the notes are whole), then the timestamp lines (where Apple
/// looks for chapters). Notes whose first block alone is too long open
/// with their words, cut where a word ends. The link and the lines are
/// kept even if they alone are over `max`. One pass of the HTML writer,
/// as for the whole notes; relative links made absolute against `more`.
///
/// ```
/// let notes = "## First part\n\nIts words.\n\nSecond part, much longer than the first: it goes on and on and on.";
/// let html = podsmith::markdown::fitted(notes, &[], 125, "https://example.com/1/");
/// assert_eq!(
///     html,
///     "<p><strong>First part</strong></p>\n<p>Its words.</p>\n<p><a href=\"https://example.com/1/\">https://example.com/1/</a></p>\n"
/// );
/// let short = "Its words, **some** of them [linked](https://example.com/).";
/// assert_eq!(podsmith::markdown::fitted(short, &[], 4000, "https://example.com/1/"), podsmith::markdown::to_html(short, None));
/// ```
pub fn fitted(markdown: &str, lines: &[String], max: usize, more: &str) -> String {
    let render = |events: &mut dyn Iterator<Item = Event<'_>>| {
        let mut out = String::new();
        html::push_html(&mut out, events);
        out
    };
    let events: Vec<Event<'_>> = safe_events(markdown, Some(more)).collect();
    let whole = described(&events, lines);
    if whole.len() <= max {
        return whole;
    }
    let link = Tag::Link {
        link_type: pulldown_cmark::LinkType::Inline,
        dest_url: more.into(),
        title: "".into(),
        id: "".into(),
    };
    let link = [Event::Start(Tag::Paragraph), Event::Start(link), Event::Text(more.into())];
    let link = link.into_iter().chain([Event::End(TagEnd::Link), Event::End(TagEnd::Paragraph)]);
    let tail: Vec<Event<'_>> = link.chain(timestamp_events(lines)).collect();
    let blocks = top_level_blocks(&events);
    // The blocks that fit, each measured as written alone; the whole is
    // measured again once written (a block may be a line longer in it).
    let mut size = render(&mut tail.iter().cloned()).len();
    let mut taken = 0;
    for block in &blocks {
        size += render(&mut for_description(&events[block.clone()]).into_iter()).len();
        if size > max {
            break;
        }
        taken += 1;
    }
    // A list too long to fit whole (the chapters' times, links): as many
    // of its first items as fit, after the blocks that do.
    if let Some(list) = blocks.get(taken) {
        let head = for_description(&events[..list.start]);
        let fits = |items: &[Event<'_>]| {
            let out = render(&mut head.iter().cloned().chain(for_description(items)).chain(tail.iter().cloned()));
            (out.len() <= max).then_some(out)
        };
        if let Some(out) = first_items(&events[list.clone()], fits) {
            return out;
        }
    }
    // (Not ending on a heading, whose part is not there, nor on a rule
    // after one, which shows nothing.)
    let heading = |b: &std::ops::Range<usize>| {
        let mut opening = events[b.clone()].iter().skip_while(|e| matches!(e, Event::Start(Tag::HtmlBlock)));
        matches!(opening.next(), Some(Event::Start(Tag::Heading { .. }) | Event::Rule))
    };
    while taken > 0 {
        if heading(&blocks[taken - 1]) {
            taken -= 1;
            continue;
        }
        let head = for_description(&events[..blocks[taken - 1].end]);
        let out = render(&mut head.into_iter().chain(tail.iter().cloned()));
        if out.len() <= max {
            return out;
        }
        taken -= 1;
    }
    // Not even the first block: its words, cut shorter until they fit.
    let mut chars = max;
    while chars >= 16 {
        let words = excerpt(markdown, chars);
        if words.is_empty() {
            break;
        }
        let opening = [Event::Start(Tag::Paragraph), Event::Text(words.into()), Event::End(TagEnd::Paragraph)];
        let out = render(&mut opening.into_iter().chain(tail.iter().cloned()));
        if out.len() <= max {
            return out;
        }
        chars = chars * 9 / 10;
    }
    render(&mut tail.into_iter())
}

/// The most first items of the list `block` (its events; `None` if it is
/// not a list) that `fits` takes, closed as a list: what `fits` made of the
/// most it took (none: `None`).
fn first_items<'a>(block: &[Event<'a>], fits: impl Fn(&[Event<'a>]) -> Option<String>) -> Option<String> {
    let Some(Event::Start(Tag::List(start))) = block.first() else { return None };
    let end = Event::End(TagEnd::List(start.is_some()));
    // Where each of its own items ends.
    let mut depth = 0usize;
    let mut ends = Vec::new();
    for (i, e) in block.iter().enumerate() {
        match e {
            Event::Start(Tag::Item) => depth += 1,
            Event::End(TagEnd::Item) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    ends.push(i + 1);
                }
            }
            _ => {}
        }
    }
    let mut best = None;
    for item_end in ends {
        let items: Vec<Event<'a>> = block[..item_end].iter().cloned().chain([end.clone()]).collect();
        match fits(&items) {
            Some(out) => best = Some(out),
            None => break,
        }
    }
    best
}

/// The HTML tags of a feed description that Apple shows (`p`, `ol`, `ul`,
/// `li`, `a`) and the Podcast Standards Project adds (`b`, `i`, `strong`,
/// `em`), and `br`: what [`fitted`] writes, and what `validate` expects.
pub const DESCRIPTION_TAGS: [&str; 10] = ["p", "ol", "ul", "li", "a", "b", "i", "strong", "em", "br"];

/// Whether HTML that pulldown-cmark wrote (where a `<` is a tag's: text has
/// `&lt;`) has only [`DESCRIPTION_TAGS`].
pub fn only_description_tags(html: &str) -> bool {
    html.match_indices('<').all(|(i, _)| {
        let name = html[i + 1..].trim_start_matches('/');
        let len = name.bytes().take_while(u8::is_ascii_alphanumeric).count();
        DESCRIPTION_TAGS.contains(&&name[..len])
    })
}

/// Safe notes' `events`, whole, as a description shows them (see
/// [`fitted`]), with the timestamp `lines`.
fn described(events: &[Event<'_>], lines: &[String]) -> String {
    let mut out = String::new();
    html::push_html(&mut out, for_description(events).into_iter().chain(timestamp_events(lines)));
    out
}

/// Safe notes' `events` in the tags of [`DESCRIPTION_TAGS`] (see [`fitted`]).
fn for_description<'a>(events: &[Event<'a>]) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let (mut in_code, mut cell) = (false, 0usize);
    for event in events.iter().cloned() {
        match event {
            Event::Start(Tag::Heading { .. }) => out.extend([Event::Start(Tag::Paragraph), Event::Start(Tag::Strong)]),
            Event::End(TagEnd::Heading(_)) => out.extend([Event::End(TagEnd::Strong), Event::End(TagEnd::Paragraph)]),
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                out.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                if out.last() == Some(&Event::HardBreak) {
                    out.pop();
                }
                out.push(Event::End(TagEnd::Paragraph));
            }
            Event::Text(text) if in_code => {
                for (n, line) in text.split('\n').enumerate() {
                    if n > 0 {
                        out.push(Event::HardBreak);
                    }
                    if !line.is_empty() {
                        out.push(Event::Text(line.to_string().into()));
                    }
                }
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                cell = 0;
                out.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => out.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::TableCell) => {
                if cell > 0 {
                    out.push(Event::Text(" | ".into()));
                }
                cell += 1;
            }
            Event::Code(text) => out.push(Event::Text(text)),
            // Their contents stay (an image: its description).
            Event::Start(
                Tag::BlockQuote(_)
                | Tag::Image { .. }
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Table(_)
                | Tag::HtmlBlock,
            )
            | Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::Image
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Table
                | TagEnd::TableCell
                | TagEnd::HtmlBlock,
            )
            | Event::Rule => {}
            other => out.push(other),
        }
    }
    out
}

/// The top-level blocks of `events` (a paragraph, a list, a heading …),
/// as ranges of them, in order.
fn top_level_blocks(events: &[Event<'_>]) -> Vec<std::ops::Range<usize>> {
    let mut blocks = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 {
            blocks.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < events.len() {
        blocks.push(start..events.len());
    }
    blocks
}

/// The Markdown dialect of notes: CommonMark with tables and
/// strikethrough.
const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH);

/// The tags of raw HTML in `markdown` that are shown as text, not read
/// (`<script>`, `<iframe>`, `<form>` …: see the module docs), by name,
/// each once, in the order they first come (at most eight). Notes with no
/// `<` followed by a tag name are told so from their bytes alone.
///
/// ```
/// let tags = podsmith::markdown::tags_shown_as_text("<b>Hi</b> <iframe src=x></iframe> <Script>1</script> <https://a.b>");
/// assert_eq!(tags, ["iframe", "script"]);
/// ```
pub fn tags_shown_as_text(markdown: &str) -> Vec<String> {
    if !may_have_tag(markdown) {
        return Vec::new();
    }
    read_for_tags_shown_as_text(markdown)
}

/// [`tags_shown_as_text`], the notes read whatever their bytes say.
pub(crate) fn read_for_tags_shown_as_text(markdown: &str) -> Vec<String> {
    raw::shown_as_text(Parser::new_ext(markdown, OPTIONS))
}

/// Where the first tag named `name` (as [`tags_shown_as_text`] names it)
/// is written in `markdown`: the byte offset of its `<`. It may be one in
/// a code span, which reads as code: the first that looks like it.
///
/// ```
/// assert_eq!(podsmith::markdown::tag_offset("Hi.\n\n< / Script>", "script"), Some(5));
/// assert_eq!(podsmith::markdown::tag_offset("<scripts>", "script"), None);
/// ```
pub fn tag_offset(markdown: &str, name: &str) -> Option<usize> {
    markdown
        .match_indices('<')
        .map(|(i, _)| i)
        .find(|&i| tag_name_at(markdown, i).is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// What the pages change of a link or image URL in the notes (see
/// [`url_problems`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// A link or image whose URL is neither relative nor `http`, `https`
    /// or `mailto` (`javascript:` …): it loses the URL, its text stays.
    Dropped(String),
    /// An image at an `http:` URL: a page served over https loads it
    /// insecurely (browsers block it or mark the page not secure).
    HttpImage(String),
    /// An image without a text that says what it shows (`![](…)`, an
    /// `<img>` without `alt`): a screen reader skips it.
    NoAlt(String),
}

impl UrlProblem {
    /// The URL as the notes give it.
    pub fn url(&self) -> &str {
        match self {
            UrlProblem::Dropped(url) | UrlProblem::HttpImage(url) | UrlProblem::NoAlt(url) => url,
        }
    }
}

/// The links and images of `markdown` the pages do not use as written
/// (see [`UrlProblem`]), each once, in the order they come, at most eight;
/// Markdown and the HTML notes are written with alike.
///
/// ```
/// use podsmith::markdown::{UrlProblem, url_problems};
/// let notes = "[a](javascript:x) ![b](http://example.com/b.png) [c](http://example.com/) <img src=\"data:x\"> \
///              ![](https://example.com/c.png) <img src=\"d.png\" alt=\"A map\"> <img src=\"line.png\" alt=\"\">";
/// assert_eq!(
///     url_problems(notes),
///     [
///         UrlProblem::Dropped("javascript:x".into()),
///         UrlProblem::HttpImage("http://example.com/b.png".into()),
///         UrlProblem::Dropped("data:x".into()),
///         UrlProblem::NoAlt("https://example.com/c.png".into()),
///     ]
/// );
/// ```
pub fn url_problems(markdown: &str) -> Vec<UrlProblem> {
    let mut out: Vec<UrlProblem> = Vec::new();
    // What an event is to the pages: a link, an image, or an image ended
    // without a text.
    enum Seen {
        Link,
        Image,
        Unsaid,
    }
    // The image being read, and whether it has a text yet.
    let mut image: Option<(pulldown_cmark::CowStr<'_>, bool)> = None;
    for event in raw::read(Parser::new_ext(markdown, OPTIONS)) {
        let (url, seen) = match event {
            Event::Start(Tag::Link { dest_url, .. }) => (dest_url, Seen::Link),
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((dest_url.clone(), false));
                (dest_url, Seen::Image)
            }
            Event::Text(t) | Event::Code(t) if !t.trim().is_empty() => {
                if let Some((_, said)) = &mut image {
                    *said = true;
                }
                continue;
            }
            // (An empty piece of HTML: an `<img>` said to be decorative.)
            Event::InlineHtml(t) if t.is_empty() => {
                if let Some((_, said)) = &mut image {
                    *said = true;
                }
                continue;
            }
            Event::End(TagEnd::Image) => match image.take() {
                // (One whose URL is dropped shows nothing.)
                Some((url, false)) if safe_url(&url) => (url, Seen::Unsaid),
                _ => continue,
            },
            _ => continue,
        };
        let http = url.get(..5).is_some_and(|s| s.eq_ignore_ascii_case("http:"));
        let problem = match (seen, safe_url(&url)) {
            (Seen::Link | Seen::Image, false) => UrlProblem::Dropped(url.to_string()),
            (Seen::Image, true) if http => UrlProblem::HttpImage(url.to_string()),
            (Seen::Unsaid, _) => UrlProblem::NoAlt(url.to_string()),
            _ => continue,
        };
        if !out.contains(&problem) {
            out.push(problem);
        }
        if out.len() == 8 {
            break;
        }
    }
    out
}

/// The URL of each link and image of `markdown`, in order, with whether
/// it is an image's; Markdown and the HTML notes are written with alike.
fn links_and_images(markdown: &str) -> impl Iterator<Item = (pulldown_cmark::CowStr<'_>, bool)> {
    raw::read(Parser::new_ext(markdown, OPTIONS)).filter_map(|event| match event {
        // `<sarah@example.com>`: its URL is the address (mailto: is the writer's).
        Event::Start(Tag::Link { link_type: pulldown_cmark::LinkType::Email, dest_url, .. }) => {
            Some((pulldown_cmark::CowStr::from(format!("mailto:{dest_url}")), false))
        }
        Event::Start(Tag::Link { dest_url, .. }) => Some((dest_url, false)),
        Event::Start(Tag::Image { dest_url, .. }) => Some((dest_url, true)),
        _ => None,
    })
}

/// The most relative URLs [`relative_urls`] gives of one episode's notes.
pub const MAX_RELATIVE_URLS: usize = 4096;

/// A link or image of notes whose URL is relative (see [`relative_urls`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelativeUrl {
    /// The URL as the notes give it.
    pub url: String,
    /// Whether it is an image's (else a link's).
    pub image: bool,
}

/// The links and images of `markdown` whose URL is relative (a path, not
/// `https://…`, `mailto:…`, `//host/…` or `#…`), each once, in the order
/// they come, at most [`MAX_RELATIVE_URLS`]; Markdown and the HTML notes are written with
/// alike. Notes with none (most) are not parsed: a look at what follows
/// each `](`, `]:`, `src=` and `href=` tells.
///
/// ```
/// use podsmith::markdown::{RelativeUrl, relative_urls};
/// let notes = "![plan](../../media/plan.png) [site](https://example.com/) [top](#top) <a href=\"notes.pdf\">notes</a>";
/// assert_eq!(
///     relative_urls(notes),
///     [
///         RelativeUrl { url: "../../media/plan.png".into(), image: true },
///         RelativeUrl { url: "notes.pdf".into(), image: false }
///     ]
/// );
/// ```
pub fn relative_urls(markdown: &str) -> Vec<RelativeUrl> {
    if !may_have_relative_url(markdown) {
        return Vec::new();
    }
    let mut out: Vec<RelativeUrl> = Vec::new();
    let mut seen: std::collections::HashSet<(String, bool)> = std::collections::HashSet::new();
    for (url, image) in links_and_images(markdown) {
        let url = url.trim();
        if is_relative(url) && seen.insert((url.to_string(), image)) {
            out.push(RelativeUrl { url: url.to_string(), image });
            if out.len() == MAX_RELATIVE_URLS {
                break;
            }
        }
    }
    out
}

/// Whether `url` is a relative reference of a path: neither absolute (a
/// scheme), nor to another host (`//…`), nor to a part of the same page
/// (`#…`), nor empty.
fn is_relative(url: &str) -> bool {
    let scheme = url.find(':').filter(|&colon| !url[..colon].contains(['/', '?', '#']));
    !url.is_empty() && !url.starts_with(['#', '?']) && !url.starts_with("//") && scheme.is_none()
}

/// False only for notes that surely have no relative link or image: no
/// `](`, `]:`, `src=` or `href=` followed by anything but an absolute URL
/// or a `#` (a look at the few bytes after each).
fn may_have_relative_url(markdown: &str) -> bool {
    let after = |i: usize| {
        let rest = markdown[i..].trim_start_matches([' ', '\t', '\n', '\r', '<', '"', '\'']);
        let head = rest.as_bytes();
        let starts = |p: &str| head.len() >= p.len() && head[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        !(starts("http://") || starts("https://") || starts("mailto:") || starts("#") || head.is_empty())
    };
    let bracket = markdown.match_indices(']').any(|(i, _)| {
        let next = markdown.as_bytes().get(i + 1);
        matches!(next, Some(b'(' | b':')) && after(i + 2)
    });
    bracket
        || markdown.match_indices('=').any(|(i, _)| {
            let before = markdown[..i].trim_end();
            let before = before.as_bytes();
            let named = |n: &str| {
                before.len() >= n.len() && before[before.len() - n.len()..].eq_ignore_ascii_case(n.as_bytes())
            };
            (named("src") || named("href")) && after(i + 1)
        })
}

/// False only for text that surely holds no HTML tag as the raw HTML
/// reader reads one (`lenient_html::Tag`; see [`tag_name_at`]). An
/// autolink, `<https://…>`, is none.
fn may_have_tag(text: &str) -> bool {
    // (`match_indices` of a char finds it with memchr: notes are long.)
    text.match_indices('<').any(|(i, _)| tag_name_at(text, i).is_some())
}

/// The name of the tag the `<` at byte `i` of `text` may open, as the raw
/// HTML reader reads one: the letters and digits after it (spaces and a
/// `/` aside), up to a space, `/`, `>` or the end.
fn tag_name_at(text: &str, i: usize) -> Option<&str> {
    let rest = text.get(i + 1..)?.trim_start();
    let rest = rest.strip_prefix('/').map_or(rest, str::trim_start);
    let len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let ends = rest[len..].chars().next().is_none_or(|c| c.is_whitespace() || c == '/' || c == '>');
    (len > 0 && ends).then(|| &rest[..len])
}

/// `events` with each line that starts with a timestamp (`12:30 Topic`,
/// `[1:02:03] Topic`) kept a line of its own, if `on` (notes that have
/// two such lines in a row): podcasters write their chapters' times a line
/// each, without Markdown's hard breaks, and Apple reads them as lines (a
/// soft break before one is made a hard break).
fn timestamp_lines<'a>(events: impl Iterator<Item = Event<'a>>, on: bool) -> impl Iterator<Item = Event<'a>> {
    let mut soft = false;
    // A link that opens a line (`[12:30](…) Topic`), until its text tells.
    let mut held: Option<Event<'a>> = None;
    // (Text comes in pieces: `[12:30]` as `[` and `12:30]`.)
    pulldown_cmark::TextMergeStream::new(events).flat_map(move |event| {
        if let Some(link) = held.take() {
            let time = matches!(&event, Event::Text(t) if starts_with_timestamp(t));
            return vec![if time { Event::HardBreak } else { Event::SoftBreak }, link, event];
        }
        let before = std::mem::take(&mut soft);
        match event {
            Event::SoftBreak => {
                soft = true;
                Vec::new()
            }
            Event::Text(ref t) if before && on && starts_with_timestamp(t) => vec![Event::HardBreak, event],
            Event::Start(Tag::Link { .. }) if before && on => {
                held = Some(event);
                Vec::new()
            }
            other if before => vec![Event::SoftBreak, other],
            other => vec![other],
        }
    })
}

/// `events` with each web address written bare in their text
/// (`https://example.com/guest`) made a link of itself, as apps and
/// GitHub show one: not in a link, an image's description or code. It
/// starts where a word does (or after `(`, `*`, `_`, `~`: not in an
/// attribute of a tag shown as text) and ends before a space, `<`, `>` or
/// `"`, less the punctuation after it (`.`, `,`, `:`, `;`, `!`, `?`, `'`,
/// and a `)` that closes none of its own).
fn linked_urls<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let (mut in_link, mut in_code) = (0usize, false);
    events.flat_map(move |event| {
        match &event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => in_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) if in_link == 0 && !in_code && t.contains("://") => return with_links(t),
            _ => {}
        }
        vec![event]
    })
}

/// `text`, its bare web addresses made links (see [`linked_urls`]).
fn with_links<'a>(text: &str) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = bare_url_at(rest) {
        let len = bare_url_len(&rest[at..]);
        if at > 0 {
            out.push(Event::Text(rest[..at].to_string().into()));
        }
        let url = &rest[at..at + len];
        let link = Tag::Link {
            link_type: pulldown_cmark::LinkType::Autolink,
            dest_url: url.to_string().into(),
            title: "".into(),
            id: "".into(),
        };
        out.extend([Event::Start(link), Event::Text(url.to_string().into()), Event::End(TagEnd::Link)]);
        rest = &rest[at + len..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(rest.to_string().into()));
    }
    out
}

/// Where the first bare web address of `text` starts: `http://` or
/// `https://` where a word starts, with something after it.
fn bare_url_at(text: &str) -> Option<usize> {
    text.char_indices().filter(|&(_, c)| c == 'h' || c == 'H').map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        // (After what opens a quote or an aside in other scripts too.)
        let opens = "(*_~[\u{201c}\u{2018}\u{300c}\u{300e}\u{3010}\u{ff08}";
        let starts = before.is_none_or(|c| c.is_whitespace() || opens.contains(c));
        let after = &text[i..];
        let scheme = ["https://", "http://"]
            .into_iter()
            .find(|s| after.get(..s.len()).is_some_and(|a| a.eq_ignore_ascii_case(s)));
        starts && scheme.is_some_and(|s| bare_url_len(after) > s.len())
    })
}

/// How long the bare web address at the start of `text` is (see [`linked_urls`]).
fn bare_url_len(text: &str) -> usize {
    let mut end = text.find(|c: char| c.is_whitespace() || "<>\"".contains(c)).unwrap_or(text.len());
    // (Counted once: a run of `)` after one is taken off one by one.)
    let opened = text[..end].matches('(').count();
    let mut closed = text[..end].matches(')').count();
    loop {
        match text[..end].chars().next_back() {
            // (And what closes a quote or a sentence in other scripts.)
            Some(c)
                if ".,:;!?'*_~]\u{201d}\u{2019}\u{300d}\u{300f}\u{3011}\u{3002}\u{3001}\u{ff09}\u{ff0c}"
                    .contains(c) =>
            {
                end -= c.len_utf8()
            }
            Some(')') if closed > opened => {
                end -= 1;
                closed -= 1;
            }
            _ => return end,
        }
    }
}

/// Whether `markdown` has two lines in a row that start with a time, as
/// chapters' times are written (not a sentence that goes on at a line
/// with "10:30 am"): only then are such lines kept apart ([`timestamp_lines`]).
fn has_times_a_line_each(markdown: &str) -> bool {
    let mut last = false;
    markdown.lines().any(|line| {
        let time = starts_with_timestamp(line);
        let run = time && last;
        last = time;
        run
    })
}

/// Whether `text` starts with a time as chapters are written: `M:SS`,
/// `MM:SS` or `H:MM:SS` (in brackets or not), then not a digit.
fn starts_with_timestamp(text: &str) -> bool {
    let t = text.trim_start().trim_start_matches(['[', '(']).as_bytes();
    let digits = |from: usize| t[from.min(t.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
    let first = digits(0);
    if !(1..=2).contains(&first) || t.get(first) != Some(&b':') || digits(first + 1) != 2 {
        return false;
    }
    let mut end = first + 3;
    if t.get(end) == Some(&b':') {
        if digits(end + 1) != 2 {
            return false;
        }
        end += 3;
    }
    !t.get(end).is_some_and(u8::is_ascii_digit)
}

/// The events of Markdown notes, made safe, their relative URLs absolute
/// against `base` (see the module docs).
fn safe_events<'a>(markdown: &'a str, base: Option<&str>) -> impl Iterator<Item = Event<'a>> {
    let base = base.and_then(|b| url::Url::parse(b).ok());
    let absolute = move |dest: pulldown_cmark::CowStr<'a>| match (&base, url::Url::parse(&dest)) {
        (Some(base), Err(url::ParseError::RelativeUrlWithoutBase)) => {
            base.join(&dest).map_or(dest, |u| pulldown_cmark::CowStr::from(String::from(u)))
        }
        _ => dest,
    };
    let mut dropped_link_depth = 0usize;
    let mut dropped_image_depth = 0usize;
    let times = has_times_a_line_each(markdown);
    linked_urls(timestamp_lines(raw::read(Parser::new_ext(markdown, OPTIONS)), times)).filter_map(move |event| {
        match event {
            // (None is left: raw HTML never reaches the writer as it is.)
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            Event::Start(Tag::Link { ref dest_url, .. }) if !safe_url(dest_url) => {
                dropped_link_depth += 1;
                None
            }
            Event::End(TagEnd::Link) if dropped_link_depth > 0 => {
                dropped_link_depth -= 1;
                None
            }
            Event::Start(Tag::Image { ref dest_url, .. }) if !safe_url(dest_url) => {
                dropped_image_depth += 1;
                None
            }
            Event::End(TagEnd::Image) if dropped_image_depth > 0 => {
                dropped_image_depth -= 1;
                None
            }
            // An e-mail autolink's URL is the address, which the writer gives
            // its `mailto:`: not a path to make absolute.
            Event::Start(Tag::Link { link_type: link_type @ pulldown_cmark::LinkType::Email, dest_url, title, id }) => {
                Some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                Some(Event::Start(Tag::Link { link_type, dest_url: absolute(dest_url), title, id }))
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                Some(Event::Start(Tag::Image { link_type, dest_url: absolute(dest_url), title, id }))
            }
            other => Some(other),
        }
    })
}

/// Timestamp lines as the events of one paragraph, a line break between
/// lines; none without lines.
fn timestamp_events(lines: &[String]) -> impl Iterator<Item = Event<'_>> {
    let paragraph = !lines.is_empty();
    let start = paragraph.then_some(Event::Start(Tag::Paragraph));
    let end = paragraph.then_some(Event::End(TagEnd::Paragraph));
    let body = lines.iter().enumerate().flat_map(|(n, line)| {
        let gap = (n > 0).then_some(Event::HardBreak);
        gap.into_iter().chain(std::iter::once(Event::Text(line.as_str().into())))
    });
    start.into_iter().chain(body).chain(end)
}

/// The notes as plain text, cut at a word to at most `max` characters
/// (with "…" where cut), without headings and code blocks: for excerpts
/// and descriptions in page metadata.
pub fn excerpt(markdown: &str, max: usize) -> String {
    from_the_start(markdown, max, |text| excerpt_text(parse_plain(text), max))
}

/// An excerpt of plain text (the show's description): its words, one
/// space between each, cut at a word to at most `max` characters, with
/// "…" where cut. Nothing in it is read as Markdown: a `#` or a `*` is
/// what it says.
///
/// ```
/// assert_eq!(podsmith::markdown::plain_excerpt("# 1 show\n---\n*for*  you", 200), "# 1 show --- *for* you");
/// assert_eq!(podsmith::markdown::plain_excerpt("one two three", 10), "one two…");
/// ```
pub fn plain_excerpt(text: &str, max: usize) -> String {
    cut_to(&text.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// The events of notes for excerpts: as on the page, raw HTML read.
fn parse_plain(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    raw::read(Parser::new_ext(markdown, OPTIONS))
}

/// An episode's [`excerpt`]: what the notes say, without their headings
/// (one repeating the episode's `title`, as many open with, among them:
/// the page and every directory show the title above the excerpt anyway)
/// and code blocks.
///
/// ```
/// let notes = "# Pilot\n\nWe talk about **things**.\n\n## Code\n\n```\nfn main() {}\n```\n\nAnd `more`.";
/// assert_eq!(podsmith::markdown::episode_excerpt(notes, "Pilot", 200), "We talk about things. And more.");
/// assert_eq!(podsmith::markdown::episode_excerpt(notes, "Other", 200), "We talk about things. And more.");
/// ```
pub fn episode_excerpt(markdown: &str, title: &str, max: usize) -> String {
    from_the_start(markdown, max, |text| excerpt_text(without_title_heading(parse_plain(text), title), max))
}

/// [`episode_excerpt`] read from the whole notes, however long (what
/// it must equal: the fuzzer checks it).
#[doc(hidden)]
pub fn whole_excerpt(markdown: &str, title: &str, max: usize) -> String {
    excerpt_of(without_title_heading(parse_plain(markdown), title), max)
}

/// The excerpt of at most `max` characters that `text_of` gives of
/// `markdown` (its words, see [`excerpt_text`]): of long notes, taken from
/// their start alone where that holds more than `max` characters of text
/// (notes are often a few kilobytes; an index page takes an excerpt of
/// every episode). Cut at a blank line, the start is read as in the whole:
/// a blank line ends every block but a list (whose items only lose or gain
/// paragraphs around their words), an indented code block (left out up to
/// the cut as in the whole) and an HTML block (whose words up to the cut
/// are the same); links are given by what precedes them, unless a link
/// reference definition follows or a code fence is in the start (then the
/// whole is read).
fn from_the_start<'a>(markdown: &'a str, max: usize, text_of: impl Fn(&'a str) -> String) -> String {
    if let Some(start) = start_of(markdown, max) {
        let text = text_of(start);
        if text.chars().count() > max {
            return cut_to(&text, max);
        }
    }
    cut_to(&text_of(markdown), max)
}

/// The start of `markdown` up to the first blank line after enough bytes
/// for an excerpt of `max` characters, if the notes are long enough for it
/// to matter, no `]:` (a link reference definition, maybe) follows and
/// no code fence is in it.
fn start_of(markdown: &str, max: usize) -> Option<&str> {
    let enough = max.saturating_mul(3).saturating_add(64);
    if markdown.len() <= enough.saturating_mul(2) {
        return None;
    }
    // CommonMark ends a line at \n, \r\n or \r; a blank line holds only
    // spaces and tabs. (Both bytes are ASCII: cutting there keeps UTF-8 whole.)
    let bytes = markdown.as_bytes();
    let mut line = bytes[enough..].iter().position(|&b| b == b'\n' || b == b'\r')? + enough;
    loop {
        line += match bytes.get(line..line + 2) {
            Some(b"\r\n") => 2,
            _ => 1,
        };
        let end = bytes[line..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(bytes.len(), |n| n + line);
        if end == bytes.len() {
            return None;
        }
        if bytes[line..end].iter().all(|&b| b == b' ' || b == b'\t') {
            let (start, rest) = markdown.split_at(line);
            // (A fence may close otherwise in the whole, and code is left
            // out of an excerpt: notes with one are read whole.)
            let fenced = start.contains("```") || start.contains("~~~");
            return (!rest.contains("]:") && !fenced).then_some(start);
        }
        line = end;
    }
}

/// The notes as safe HTML for the episode's page, under the page's own
/// heading (the title, the page's only `<h1>`): a heading the notes open
/// with that only repeats the title is left out, as in
/// [`episode_excerpt`], and the headings are set under the page's: the
/// highest rank the notes use becomes an `<h2>`
/// (beside the page's "Chapters" and "Transcript"), the others follow it,
/// none more than one rank below the heading before it. The feed carries
/// the notes as written ([`to_html`]).
///
/// ```
/// let notes = "# Pilot\n\nWe talk about **things**.\n\n# Links\n\n## More";
/// assert_eq!(
///     podsmith::markdown::page_html(notes, "Pilot", None),
///     "<p>We talk about <strong>things</strong>.</p>\n<h2>Links</h2>\n<h3>More</h3>\n"
/// );
/// assert_eq!(podsmith::markdown::page_html("### Deep\n\n##### Deeper", "Pilot", None), "<h2>Deep</h2>\n<h3>Deeper</h3>\n");
/// ```
pub fn page_html(markdown: &str, title: &str, base: Option<&str>) -> String {
    let events: Vec<Event> = without_title_heading(safe_events(markdown, base), title).collect();
    let mut levels = page_levels(&events).into_iter();
    let mut open = Vec::new();
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(
        &mut out,
        events.into_iter().flat_map(|event| match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                let level = levels.next().unwrap_or(level);
                open.push(level);
                vec![Event::Start(Tag::Heading { level, id, classes, attrs })]
            }
            Event::End(TagEnd::Heading(level)) => vec![Event::End(TagEnd::Heading(open.pop().unwrap_or(level)))],
            // A block as wide as its lines or columns scrolls in a box of
            // its own, which the keyboard reaches too (a fixed tag, no
            // text of the notes in it).
            Event::Start(Tag::CodeBlock(_) | Tag::Table(_)) => vec![Event::Html(WIDE_OPEN.into()), event],
            Event::End(TagEnd::CodeBlock | TagEnd::Table) => vec![event, Event::Html(WIDE_CLOSE.into())],
            other => vec![other],
        }),
    );
    out
}

/// The box a code block or a table of the notes scrolls in on the page,
/// where it is wider than the column (a phone's): focusable, so that
/// the keyboard scrolls it.
const WIDE_OPEN: &str = "<div class=\"wide\" tabindex=\"0\">\n";

/// The end of [`WIDE_OPEN`].
const WIDE_CLOSE: &str = "</div>\n";

/// Whether the page shows notes otherwise than the feed (false only
/// where it surely does not): notes that may have a heading (see
/// [`may_have_heading`]), a code block or a table (a line with `|`, a
/// fence, or indented by a tab or four spaces). Other notes' [`page_html`]
/// is their [`to_html`], which the feed has made already.
pub fn page_differs(markdown: &str) -> bool {
    let wide = markdown.contains(['|', '\t']) || markdown.contains("```") || markdown.contains("~~~");
    wide || markdown.contains("    ") || may_have_heading(markdown)
}

/// The rank on the page of each heading of `events`, in order: the
/// highest rank the notes use an `<h2>`, each other by its place among the
/// ranks used (`###` and `#####` alone: `<h2>` and `<h3>`), and none more
/// than one rank below the one before it (the page's `<h1>` before the
/// first), so no rank is skipped, as the HTML checker and screen readers
/// expect; `<h6>` at most.
fn page_levels(events: &[Event<'_>]) -> Vec<HeadingLevel> {
    let given: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .collect();
    let mut used = given.clone();
    used.sort_unstable();
    used.dedup();
    let mut previous = 1;
    given
        .into_iter()
        .map(|level| {
            let rank = 2 + used.iter().position(|&u| u == level).unwrap_or(0);
            previous = rank.min(previous + 1).min(6);
            HeadingLevel::try_from(previous).unwrap_or(HeadingLevel::H6)
        })
        .collect()
}

/// False only for notes that surely hold no heading: no line opens with
/// `#` (an ATX heading) once the marks of quotes and list items before it
/// are set aside, none is all `=` or all `-` (a setext underline),
/// spaces and quote marks aside, and no `<h1>` … `<h6>` tag is in them.
pub fn may_have_heading(markdown: &str) -> bool {
    let tag =
        markdown.as_bytes().windows(3).any(|w| w[0] == b'<' && (w[1] | 0x20) == b'h' && (b'1'..=b'6').contains(&w[2]));
    tag || may_have_markdown_heading(markdown)
}

/// [`may_have_heading`] for headings written in Markdown.
fn may_have_markdown_heading(markdown: &str) -> bool {
    // CommonMark ends a line at a carriage return alone too.
    markdown.split(['\n', '\r']).any(|line| {
        let atx = line.trim_start_matches([
            ' ', '\t', '>', '-', '*', '+', '.', ')', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
        ]);
        let underline = line.trim_start_matches([' ', '\t', '>']).trim_end();
        atx.starts_with('#')
            || (!underline.is_empty() && (underline.chars().all(|c| c == '=') || underline.chars().all(|c| c == '-')))
    })
}

/// Markdown events without the heading they open with when its text is
/// the episode's `title` (case and spacing aside); all of them otherwise.
fn without_title_heading<'a>(events: impl Iterator<Item = Event<'a>>, title: &str) -> impl Iterator<Item = Event<'a>> {
    let mut events = events.peekable();
    let mut heading: Vec<Event> = Vec::new();
    if let Some(Event::Start(Tag::Heading { .. })) = events.peek() {
        for e in events.by_ref() {
            let end = matches!(e, Event::End(TagEnd::Heading(_)));
            heading.push(e);
            if end {
                break;
            }
        }
        let said = words(heading.iter().cloned(), usize::MAX);
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if said.trim().to_lowercase() == title.to_lowercase() {
            heading.clear();
        }
    }
    heading.into_iter().chain(events)
}

/// `markdown` without a first heading that says `title` (`# Pilot` in
/// the notes of "Pilot"): apps show an episode's title above its
/// description, as the page does above its notes (see [`page_html`]), so
/// the feed leaves it out too. Notes that start otherwise are as they are.
///
/// ```
/// use podsmith::markdown::without_title;
/// assert_eq!(without_title("# Pilot\n\nWe begin.", "Pilot"), "\nWe begin.");
/// assert_eq!(without_title("# Part one\n\nWe begin.", "Pilot"), "# Part one\n\nWe begin.");
/// ```
pub fn without_title<'a>(markdown: &'a str, title: &str) -> &'a str {
    if !may_have_heading(markdown) {
        return markdown;
    }
    let mut events = Parser::new_ext(markdown, OPTIONS).into_offset_iter();
    let Some((Event::Start(Tag::Heading { .. }), range)) = events.next() else { return markdown };
    let heading = events.map(|(e, _)| e).take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))));
    let said = words(heading, usize::MAX);
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    match said.trim().to_lowercase() == title.to_lowercase() {
        true => markdown.get(range.end..).unwrap_or(markdown),
        false => markdown,
    }
}

/// [`excerpt`] of Markdown events.
fn excerpt_of<'a>(events: impl Iterator<Item = Event<'a>>, max: usize) -> String {
    cut_to(&excerpt_text(events, max), max)
}

/// The words of Markdown events for an excerpt (at least the first `max`
/// characters' worth, if there are as many), one space between each:
/// those of the prose, without headings (which name a part, not what is
/// said) and code blocks (which read as nonsense in a sentence).
fn excerpt_text<'a>(events: impl Iterator<Item = Event<'a>>, max: usize) -> String {
    let mut aside = false;
    let prose = events.filter(move |event| match event {
        Event::Start(Tag::Heading { .. } | Tag::CodeBlock(_)) => {
            aside = true;
            false
        }
        Event::End(TagEnd::Heading(_) | TagEnd::CodeBlock) => {
            aside = false;
            false
        }
        _ => !aside,
    });
    words(prose, max)
}

/// The words of Markdown events (at least the first `max` characters'
/// worth, if there are as many), one space between each.
fn words<'a>(events: impl Iterator<Item = Event<'a>>, max: usize) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            // Where a line breaks or a block starts or ends, the words part.
            Event::SoftBreak
            | Event::HardBreak
            | Event::Rule
            | Event::Start(
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::Item
                | Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::CodeBlock(_)
                | Tag::TableCell,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::CodeBlock
                | TagEnd::TableCell,
            ) => text.push(' '),
            _ => {}
        }
        if text.len() > max.saturating_mul(4).saturating_add(16) {
            break;
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` (words, one space between each) cut at a word to at most `max`
/// characters, "…" included where cut; never inside a character as a
/// reader sees it (a flag, an emoji joined of several, a letter with its
/// accent or tone mark: a grapheme cluster), unless one is longer than
/// `max` (then it is whole).
fn cut_to(text: &str, max: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    if text.chars().count() <= max {
        return text.to_string();
    }
    // Room for the "…".
    let room = max.saturating_sub(1);
    let (mut end, mut used) = (0, 0);
    for (at, cluster) in text.grapheme_indices(true) {
        used += cluster.chars().count();
        if used > room {
            break;
        }
        end = at + cluster.len();
    }
    if end == 0 {
        end = text.graphemes(true).next().map_or(0, str::len);
    }
    let cut = &text[..end];
    // At a word: the last one whole only if a space follows it.
    let cut = match text[end..].starts_with(' ') {
        true => cut,
        false => cut.rsplit_once(' ').map_or(cut, |(head, _)| head),
    };
    let cut = cut.trim_end_matches([',', ';', ':', '.']);
    format!("{cut}…")
}

/// True for URLs without a scheme (relative) or with an allowed one.
fn safe_url(url: &str) -> bool {
    let cleaned: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let scheme_end = cleaned.find(':');
    let path_start = cleaned.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        (Some(colon), Some(slash)) if slash < colon => true,
        (Some(colon), _) => {
            let scheme = cleaned[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers below `n`, one a call, the same from the same `seed` (xorshift).
    fn picks(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        }
    }

    #[test]
    fn long_notes_give_the_same_excerpt_from_their_start_as_whole() {
        // Blocks that a blank line does not end, or that read differently
        // once cut (lists, code, HTML, quotes, tables, headings, references),
        // in every order, with every line ending.
        let blocks = [
            "Plain words in a paragraph that goes on for a while, with *emphasis*, `code` and a [link](https://example.com/a).",
            "# Pilot",
            "Pilot\n=====",
            "## Links and more",
            "- one item\n- two items\n\n- three, after a blank line\n\n  still the third item, indented",
            "1. first\n2. second\n\n   more of the second",
            "```\ncode line one\n\ncode after a blank line\n```",
            "    indented code\n\n    more indented code",
            "<!-- a comment\n\nthat spans a blank line -->",
            "<div>\nhtml block\n</div>",
            "<p>A paragraph of <b>raw</b> HTML<br>with <a\nhref=\"https://example.com/\">a link</a><p>and another",
            "<pre>\npre text\n\nafter a blank <a href=\"x\nline\n\n</pre>",
            "<ul>\n<li>raw one\n<li>raw two\n</ul>",
            "<script>\nlet a = 1;\n\nlet b = 2;\n</script>",
            "Inline <i>emphasis</i> and <span>spans</span>, <q>quotes</q> &amp; <h2>no heading</h2> here.",
            "> a quote\n>\n> that goes on",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "Text with a [reference][ref] and a [shortcut] link.",
            "[ref]: https://example.com/ref\n[shortcut]: https://example.com/s",
            "Caf\u{e9} na\u{ef}ve \u{65e5}\u{672c}\u{8a9e} &amp; &copy; &#x1F600; words",
            "Under\n---",
            "",
            "   ",
        ];
        let mut next = picks(0x9E37_79B9_7F4A_7C15);
        let mut checked = 0;
        for round in 0..3000 {
            let ending = ["\n", "\r\n", "\r"][round % 3];
            let mut doc = String::new();
            for _ in 0..8 + next(30) {
                let mut block = blocks[next(blocks.len())];
                if block.contains("]:") && next(8) != 0 {
                    // (Definitions make the whole be read: in one document of a few.)
                    block = blocks[0];
                }
                let block = block.replace('\n', ending);
                doc.push_str(&block);
                // Most blocks apart (a blank line), some right after another.
                doc.push_str(&ending.repeat(if next(4) == 0 { 1 } else { 2 }));
            }
            assert_eq!(tags_shown_as_text(&doc), read_for_tags_shown_as_text(&doc), "{doc:?}");
            for max in [40, 120, 200, 300] {
                let quick = episode_excerpt(&doc, "Pilot", max);
                assert_eq!(quick, whole_excerpt(&doc, "Pilot", max), "max {max}, notes {doc:?}");
                assert_eq!(excerpt(&doc, max), excerpt_of(parse_plain(&doc), max));
                checked += usize::from(start_of(&doc, max).is_some());
            }
        }
        // Most of them were read from their start alone (not those with a
        // code fence in it).
        assert!(checked > 3000, "{checked}");
    }

    /// Notes too long for a description are cut after whole blocks, read
    /// as the whole notes read them (the start of their HTML, to the byte),
    /// with the link and the timestamp lines after; notes that fit are
    /// the whole notes.
    #[test]
    fn a_description_is_the_start_of_the_notes_that_fits_then_the_link_and_the_lines() {
        let words = "Words of a paragraph that goes on, with a [link](https://example.com/a) & **more** of them.";
        let long = [words; 12].join(" ");
        let blocks = [
            words,
            long.as_str(),
            "## A heading",
            "- one item\n- two items",
            "```\ncode & <code>\n```",
            "> quoted\n> words",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "Text with a [reference][ref].",
            "[ref]: https://example.com/ref",
            "Caf\u{e9} \u{65e5}\u{672c}\u{8a9e} words &amp; <b>bold</b>",
            "![a picture](https://example.com/p.jpg) and ~~struck~~ `code`",
            "<h2>A raw heading</h2>\n\n<img src=\"https://example.com/i.png\" alt=\"raw\"> <table><tr><td>x</td></tr></table>",
            "> ## A quoted heading\n>\n> - a quoted list",
            "1. one\n   - nested\n\n2. two",
            "---",
        ];
        let url = "https://podcast.example.com/episodes/one/";
        let link = format!("<p><a href=\"{url}\">{url}</a></p>\n");
        let mut next = picks(0x2545_F491_4F6C_DD1D);
        let (mut cut, mut opened) = (0, 0);
        for round in 0..600 {
            let doc: Vec<&str> = (0..1 + next(40)).map(|_| blocks[next(blocks.len())]).collect();
            let doc = doc.join("\n\n");
            let lines: Vec<String> = match round % 2 {
                0 => Vec::new(),
                _ => vec!["0:00 Intro".into(), "12:30 Talk & questions".into()],
            };
            let tail = format!("{link}{}", with_timestamps("", &lines, None));
            let events: Vec<Event<'_>> = safe_events(&doc, None).collect();
            let whole = described(&events, &lines);
            assert!(only_description_tags(&whole), "{whole}");
            for max in [300, 700, 1500] {
                let fit = fitted(&doc, &lines, max, url);
                if whole.len() <= max {
                    assert_eq!(fit, whole);
                    continue;
                }
                assert!(fit.len() <= max, "{} > {max}: {doc:?}", fit.len());
                assert!(only_description_tags(&fit), "{fit}");
                let head = fit.strip_suffix(tail.as_str()).unwrap_or_else(|| panic!("{fit:?}"));
                let all = described(&events, &[]);
                // Or the first items of a list (its end added).
                let list_cut = ["</ul>\n", "</ol>\n"]
                    .iter()
                    .any(|end| head.strip_suffix(end).is_some_and(|p| p.ends_with("</li>\n") && all.starts_with(p)));
                match all.starts_with(head) || list_cut {
                    true => cut += 1,
                    // Not even the first block: the notes' words, in a paragraph.
                    false => {
                        let text = head.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>\n"));
                        assert!(text.is_some_and(|t| !t.contains('<')), "{head:?}");
                        opened += 1;
                    }
                }
                assert!(!head.ends_with("heading</strong></p>\n"), "not ending on a heading: {head:?}");
            }
        }
        assert!(cut > 300 && opened > 100, "{cut} cut, {opened} opened with words");
    }

    /// A description keeps to the tags Apple shows: headings in bold, code
    /// and table rows as paragraphs, pictures as their description.
    #[test]
    fn a_description_shows_every_block_in_the_tags_apple_shows() {
        let notes = "# Title\n\nText with `code`, ~~struck~~ and ![a cover](https://example.com/c.jpg).\n\n\
                     > quoted\n\n```\nline 1\nline <2>\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n1. one\n2. two";
        let html = fitted(notes, &["0:00 Start".into()], 4000, "https://example.com/");
        assert_eq!(
            html,
            "<p><strong>Title</strong></p>\n<p>Text with code, struck and a cover.</p>\n<p>quoted</p>\n\
             <p>line 1<br />\nline &lt;2&gt;</p>\n<p>a | b</p>\n<p>1 | 2</p>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n\
             <p>0:00 Start</p>\n"
        );
        assert!(only_description_tags(&html) && !only_description_tags(&to_html(notes, None)));
    }

    #[test]
    fn notes_without_a_heading_are_the_same_on_the_page_and_in_the_feed() {
        let tricky = [
            "Title\n=====\n\nText",
            "Title\n---\n\nText",
            "   # Indented heading",
            "Text\n\n> # Quoted heading",
            "> > Quoted\n> > ===",
            "1. # Numbered\n2) # heading",
            "* Item\n\n  Title\n  ---",
            "+ ## In a list",
            "\t# Tab (a code block)",
            "Lazy\n> quote\n---",
            "- item\n- # heading in a list",
            "Text\n  ==  \n",
            "Old Mac\r===\rline endings",
            "#hashtag is a paragraph",
            "<h1>Raw</h1> heading, and <H2>another</H2>",
            "Plain *notes* with [a link](https://example.com).\n\n- one\n- two\n\n1. first",
            "A | B\n--|--\n1 | 2",
            "> ```\n> code\n> ```",
            "- item\n\n      indented code in an item",
            "~~~\nfenced\n~~~",
            "",
        ];
        for notes in tricky {
            let headings = safe_events(notes, None).any(|e| matches!(e, Event::Start(Tag::Heading { .. })));
            assert!(!headings || may_have_heading(notes), "a heading missed in {notes:?}");
            let wide = safe_events(notes, None).any(|e| matches!(e, Event::Start(Tag::CodeBlock(_) | Tag::Table(_))));
            assert!(!wide || page_differs(notes), "a code block or table missed in {notes:?}");
            if !page_differs(notes) {
                assert_eq!(page_html(notes, "Title", None), to_html(notes, None), "{notes:?}");
            }
        }
        assert!(!may_have_heading("Plain notes, #hashtags and https://example.com/#fragment.\n\n- one\n- two"));
    }

    #[test]
    fn renders_paragraphs_links_and_emphasis() {
        let html = to_html("Hello *there*, see [the post](https://example.com/a?b=1&c=2).\n\n- one\n- two", None);
        assert_eq!(
            html,
            "<p>Hello <em>there</em>, see <a href=\"https://example.com/a?b=1&amp;c=2\">the post</a>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        );
    }

    #[test]
    fn raw_html_in_excerpts_gives_its_words_and_a_line_break_parts_them() {
        let notes = "Cloud<br>Native, <b>bold</b>ly <span>on</span>e line<br/>two\n\n<div>\nblock\n</div>\n\n\
                     <p>one<p>two<ul><li>three<li>four</ul>five<hr>six<!-- not this -->\n\nafter";
        assert_eq!(excerpt(notes, 200), "Cloud Native, boldly one line two block one two three four five six after");
        assert_eq!(episode_excerpt(notes, "T", 200), excerpt(notes, 200));
    }

    #[test]
    fn table_cells_are_words_apart_and_headings_and_code_blocks_are_left_out_of_excerpts() {
        let notes = "| Guest | Project |\n|---|---|\n| Eduardo Silva | Fluentd |\n| Miek Gieben | CoreDNS |\n\n\
                     ## Code\n\n```\nfn main() { run() }\n```\n\n    indented();\n\nafter `run`\n\nUnder\n---";
        let want = "Guest Project Eduardo Silva Fluentd Miek Gieben CoreDNS after run";
        assert_eq!(excerpt(notes, 200), want);
        assert_eq!(episode_excerpt(notes, "T", 200), want);
        assert_eq!(whole_excerpt(notes, "T", 200), want);
    }

    /// An excerpt is cut between the characters a reader sees, not inside
    /// one drawn of several (a family emoji joined by ZWJs, a skin tone).
    #[test]
    fn an_excerpt_is_not_cut_inside_a_character_of_several() {
        let family = "👩\u{200d}👩\u{200d}👧\u{200d}👦";
        let notes = family.repeat(50);
        for max in 1..40 {
            let cut = excerpt(&notes, max);
            let kept = cut.trim_end_matches('…');
            assert!(!kept.is_empty() && kept.len().is_multiple_of(family.len()), "{max}: {cut:?}");
            assert!(kept.chars().count() <= max.max(7), "{max}: {cut:?}");
        }
        let waves = "👋🏽".repeat(20);
        let cut = excerpt(&waves, 5);
        assert_eq!(cut, format!("{}…", "👋🏽".repeat(2)));
    }

    /// Text without spaces (Chinese, Thai) is cut between the characters
    /// a reader sees: a flag's two letters, a syllable with its vowel and
    /// tone marks stay together; "…" included, never over the length.
    #[test]
    fn an_excerpt_without_spaces_keeps_flags_and_tone_marks_whole_and_within_its_length() {
        let flags = format!("{}🇯🇵🇩🇪", "国".repeat(199));
        assert_eq!(plain_excerpt(&flags, 200), format!("{}…", "国".repeat(199)));
        assert_eq!(plain_excerpt(&flags, 202), format!("{}🇯🇵…", "国".repeat(199)));
        // A word that ends where the room does is kept.
        assert_eq!(plain_excerpt("aaaa bbbb cccc", 10), "aaaa bbbb…");
        assert_eq!(plain_excerpt("aaaa bbbbb cccc", 10), "aaaa…");
        let thai = format!("{}ดี", "ที่".repeat(100));
        assert_eq!(plain_excerpt(&thai, 200), format!("{}…", "ที่".repeat(66)));
        for max in 1..210 {
            let cut = plain_excerpt(&thai, max);
            assert!(cut.chars().count() <= max.max(4), "{max}: {cut:?}");
        }
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html("Before <script>alert('x')</script> after\n\n<div onclick=\"evil()\">block</div>", None);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_link_schemes_lose_their_url() {
        let html =
            to_html("[click](javascript:alert(1)) and [data](DATA:text/html;base64,xx) and ![i](jav\tascript:x)", None);
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.to_lowercase().contains("href=\"data"), "{html}");
        assert!(html.contains("click"), "{html}");
    }

    #[test]
    fn a_tag_is_told_from_the_bytes_only_where_one_may_be() {
        for (text, may) in [
            ("no tags here", false),
            ("2<3, x <- y, a <= b", false),
            ("a < b", true),
            ("</ script>", true),
            ("<1a>", true),
            ("<b\u{a0}x>", true),
            ("<https://example.com> and <me@example.com>", false),
            ("1 <2> 3", true),
            ("<b>", true),
            ("</script>", true),
            ("<br/>", true),
            ("<iframe src=x>", true),
            ("<h1\n>", true),
            ("ends <em", true),
        ] {
            assert_eq!(may_have_tag(text), may, "{text:?}");
        }
        // Tags inside blocks that start with no tag (a processing
        // instruction, a declaration) are read too: the bytes agree.
        for notes in ["<?x>\n<1a> ?>", "<?x>\n</ script> ?>", "<?x>\n<iframe\u{a0}src=x> ?>"] {
            assert!(!read_for_tags_shown_as_text(notes).is_empty(), "{notes:?}");
            assert_eq!(tags_shown_as_text(notes), read_for_tags_shown_as_text(notes), "{notes:?}");
        }
        // Whatever the bytes say, only tags shown as text are told.
        assert!(tags_shown_as_text("<b>bold</b> <span>s</span> <br> <!-- <x> -->").is_empty());
        let many: String = (0..20).map(|i| format!("<t{i}> <t{i}>")).collect();
        assert_eq!(tags_shown_as_text(&many).len(), 8, "at most eight, each once");
    }

    #[test]
    fn relative_urls_are_found_however_they_are_written_and_only_they() {
        let urls = |notes: &str| relative_urls(notes).into_iter().map(|u| (u.url, u.image)).collect::<Vec<_>>();
        let absolute = "[a](https://example.com/) ![b]( HTTP://example.com/b.png) [c](mailto:a@example.com) \
                        [d](#top) <a href='https://example.com/'>e</a> <img src = \"#x\"> [f]: https://example.com/";
        assert!(!may_have_relative_url(absolute));
        assert_eq!(urls(absolute), []);
        let relative = "[ref][r] and <img src = \"plan.png\">\n\n[r]: <../slides.pdf>\n";
        assert!(may_have_relative_url(relative));
        assert_eq!(urls(relative), [("../slides.pdf".to_string(), false), ("plan.png".to_string(), true)]);
        // One look at text no link is in: a relative URL can only follow
        // what the look looks for.
        assert!(!may_have_relative_url("plain words = and ] brackets (not links) é=ü"));
        assert_eq!(urls("`[code](x.png)` and [x](//example.com/x) [y](?q) [z](javascript:x)"), []);
    }

    #[test]
    fn relative_and_mailto_links_are_kept() {
        let html = to_html("[page](../other/) [mail](mailto:a@b.c) [t](/x:y)", None);
        assert!(html.contains("href=\"../other/\""), "{html}");
        assert!(html.contains("href=\"mailto:a@b.c\""), "{html}");
        assert!(html.contains("href=\"/x:y\""), "{html}");
    }

    /// A list too long for the description whole keeps its first items
    /// (links and times), not its words run together: as many as fit.
    #[test]
    fn a_long_list_keeps_the_items_that_fit() {
        let items: String =
            (0..200).map(|n| format!("- {:02}:{:02} [Topic {n}](https://example.com/{n})\n", n / 60, n % 60)).collect();
        let notes = format!("Intro words.\n\n{items}");
        let html = fitted(&notes, &[], 4000, "https://example.com/ep/");
        assert!(html.len() <= 4000, "{}", html.len());
        assert!(
            html.starts_with("<p>Intro words.</p>\n<ul>\n<li>00:00 <a href=\"https://example.com/0\">Topic 0</a></li>"),
            "{html}"
        );
        let kept = html.matches("<li>").count();
        assert!(kept > 30 && kept < 200, "{kept}: {html}");
        assert!(
            html.ends_with("</ul>\n<p><a href=\"https://example.com/ep/\">https://example.com/ep/</a></p>\n"),
            "{html}"
        );
        assert!(only_description_tags(&html), "{html}");
    }

    /// A web address written bare is a link of itself, less the punctuation
    /// after it; not in a link, code, or an image's description, nor one
    /// that is part of a word.
    #[test]
    fn a_bare_web_address_is_a_link() {
        let html = to_html(
            "See https://example.com/guest. And (https://example.com/a_(b)) or https://example.com/q?x=1, \
             [https://example.com/l](https://example.com/l), `https://example.com/c`, xhttps://no, http://",
            None,
        );
        for linked in ["https://example.com/guest", "https://example.com/a_(b)", "https://example.com/q?x=1"] {
            assert!(html.contains(&format!("<a href=\"{linked}\">{linked}</a>")), "{linked}: {html}");
        }
        assert_eq!(html.matches("<a ").count(), 4, "{html}");
        // What closes a sentence or a quote after one is not its; nor is a
        // long run of `)`, taken off in one pass (it took minutes).
        let closed = to_html("\u{201c}https://example.com/q\u{201d} (see https://example.com/x]) \u{3002}", None);
        assert!(
            closed.contains("href=\"https://example.com/q\"") && closed.contains("href=\"https://example.com/x\""),
            "{closed}"
        );
        let started = std::time::Instant::now();
        let many = to_html(&format!("https://a.example{}", ")".repeat(200_000)), None);
        assert!(
            many.contains("href=\"https://a.example\"") && started.elapsed().as_secs() < 5,
            "{:?}",
            started.elapsed()
        );
        assert!(html.contains("<code>https://example.com/c</code>") && html.contains("xhttps://no"), "{html}");
        let block = to_html(
            "```\nhttps://example.com/in-code\n```\n\n![see https://example.com/i](https://example.com/i.png)",
            None,
        );
        assert!(!block.contains("<a "), "{block}");
    }

    /// Times written a line each, as podcasters write their chapters, stay
    /// a line each (a soft break before one is a hard break); other lines
    /// flow as Markdown's do.
    #[test]
    fn a_line_that_starts_with_a_time_stays_a_line() {
        let linked = to_html(
            "[00:00](https://example.com/0) Intro\n[05:10](https://example.com/1) Guest\n[more](https://m)",
            None,
        );
        assert_eq!(
            linked,
            "<p><a href=\"https://example.com/0\">00:00</a> Intro<br />\n<a href=\"https://example.com/1\">05:10</a> \
             Guest\n<a href=\"https://m\">more</a></p>\n"
        );
        let prose = to_html("We meet at\n10:30 am in the studio.", None);
        assert_eq!(prose, "<p>We meet at\n10:30 am in the studio.</p>\n", "a time alone goes on a sentence");
        let upper = to_html("HTTPS://EXAMPLE.COM/UP", None);
        assert!(upper.contains("href=\"HTTPS://EXAMPLE.COM/UP\""), "{upper}");
        let html = to_html("Chapters:\n00:00 Intro\n[12:30] Guest\n1:02:03 End\nand more\n12:345 no", None);
        assert_eq!(
            html,
            "<p>Chapters:<br />\n00:00 Intro<br />\n[12:30] Guest<br />\n1:02:03 End\nand more\n12:345 no</p>\n"
        );
        for (text, is) in [("0:00 a", true), ("(05:12) b", true), ("123:00", false), ("1:2", false), ("12:34:5", false)]
        {
            assert_eq!(starts_with_timestamp(text), is, "{text}");
        }
    }

    /// `<sarah@example.com>`, Markdown's e-mail link, is a mailto: link of
    /// the address, not a path under the page's URL; and no file to publish.
    #[test]
    fn an_email_autolink_is_a_mailto_link_of_the_address() {
        let html = to_html("Write to <sarah@example.com>.", Some("https://example.com/show/episodes/one/"));
        assert!(html.contains("href=\"mailto:sarah@example.com\""), "{html}");
        assert!(!html.contains("example.com/show"), "{html}");
        let notes = "[slides](slides.pdf) and <sarah@example.com>";
        assert_eq!(relative_urls(notes).into_iter().map(|u| u.url).collect::<Vec<_>>(), ["slides.pdf"]);
    }
}
