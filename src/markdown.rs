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
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut dropped_link_depth = 0usize;
    let mut dropped_image_depth = 0usize;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
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
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Timestamp lines (`0:00 Introduction`) as one HTML paragraph, Apple's
/// way of showing chapters in an episode's description: each line's text
/// escaped by the HTML writer.
pub fn timestamp_lines(lines: &[String]) -> String {
    let mut events = vec![Event::Start(Tag::Paragraph)];
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            events.push(Event::HardBreak);
        }
        events.push(Event::Text(line.as_str().into()));
    }
    events.push(Event::End(TagEnd::Paragraph));
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

/// The notes as plain text, cut at a word to at most `max` characters
/// (with "…" where cut): for excerpts and descriptions in page metadata.
pub fn excerpt(markdown: &str, max: usize) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                text.push(' ')
            }
            _ => {}
        }
        if text.len() > max * 4 + 16 {
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
