//! Show notes: Markdown → HTML, sanitised.
//!
//! Notes come from the manifest, which may hold text pasted from anywhere,
//! so the HTML is made safe by construction: raw HTML in the Markdown is
//! shown as text (escaped), and links or images whose URL has a scheme other
//! than `http`, `https` or `mailto` (`javascript:`, `data:` …) lose their URL.
//! Everything else is pulldown-cmark's own escaping HTML writer.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Renders Markdown notes as safe HTML.
pub fn to_html(markdown: &str) -> String {
    with_timestamps(markdown, &[])
}

/// Renders Markdown notes as safe HTML followed by timestamp lines
/// (`0:00 Introduction`) in one paragraph, Apple's way of showing chapters
/// in an episode's description: one pass of the HTML writer, each line's
/// text escaped by it. No lines: the notes alone, as [`to_html`].
///
/// ```
/// let html = podsmith::markdown::with_timestamps("Notes & more.", &["0:00 Intro <1>".into(), "1:30 End".into()]);
/// assert_eq!(html, "<p>Notes &amp; more.</p>\n<p>0:00 Intro &lt;1&gt;<br />\n1:30 End</p>\n");
/// ```
pub fn with_timestamps(markdown: &str, lines: &[String]) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, safe_events(markdown).chain(timestamp_events(lines)));
    out
}

/// The events of Markdown notes, made safe (see the module docs).
fn safe_events(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut dropped_link_depth = 0usize;
    let mut dropped_image_depth = 0usize;
    Parser::new_ext(markdown, options).filter_map(move |event| match event {
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
        other => Some(other),
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
/// (with "…" where cut): for excerpts and descriptions in page metadata.
pub fn excerpt(markdown: &str, max: usize) -> String {
    excerpt_of(Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH), max)
}

/// An episode's [`excerpt`]: notes that open with a heading repeating the
/// episode's `title` (as many do) start after it, since the page and every
/// directory show the title above the excerpt anyway.
///
/// ```
/// let notes = "# Pilot\n\nWe talk about **things**.";
/// assert_eq!(podsmith::markdown::episode_excerpt(notes, "Pilot", 200), "We talk about things.");
/// assert_eq!(podsmith::markdown::episode_excerpt(notes, "Other", 200), "Pilot We talk about things.");
/// ```
pub fn episode_excerpt(markdown: &str, title: &str, max: usize) -> String {
    let mut events = Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).peekable();
    if let Some(Event::Start(Tag::Heading { .. })) = events.peek() {
        let mut heading: Vec<Event> = Vec::new();
        for e in events.by_ref() {
            let end = matches!(e, Event::End(TagEnd::Heading(_)));
            heading.push(e);
            if end {
                break;
            }
        }
        let said = excerpt_of(heading.iter().cloned(), usize::MAX);
        let repeats =
            said.trim().to_lowercase() == title.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if !repeats {
            return excerpt_of(heading.into_iter().chain(events), max);
        }
    }
    excerpt_of(events, max)
}

/// [`excerpt`] of Markdown events.
fn excerpt_of<'a>(events: impl Iterator<Item = Event<'a>>, max: usize) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                text.push(' ')
            }
            _ => {}
        }
        if text.len() > max.saturating_mul(4).saturating_add(16) {
            break;
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head).trim_end_matches([',', ';', ':', '.']);
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

    #[test]
    fn renders_paragraphs_links_and_emphasis() {
        let html = to_html("Hello *there*, see [the post](https://example.com/a?b=1&c=2).\n\n- one\n- two");
        assert_eq!(
            html,
            "<p>Hello <em>there</em>, see <a href=\"https://example.com/a?b=1&amp;c=2\">the post</a>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        );
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html("Before <script>alert('x')</script> after\n\n<div onclick=\"evil()\">block</div>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_link_schemes_lose_their_url() {
        let html =
            to_html("[click](javascript:alert(1)) and [data](DATA:text/html;base64,xx) and ![i](jav\tascript:x)");
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.to_lowercase().contains("href=\"data"), "{html}");
        assert!(html.contains("click"), "{html}");
    }

    #[test]
    fn relative_and_mailto_links_are_kept() {
        let html = to_html("[page](../other/) [mail](mailto:a@b.c) [t](/x:y)");
        assert!(html.contains("href=\"../other/\""), "{html}");
        assert!(html.contains("href=\"mailto:a@b.c\""), "{html}");
        assert!(html.contains("href=\"/x:y\""), "{html}");
    }
}
