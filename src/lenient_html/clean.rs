//! An HTML document others wrote (an HTML transcript, perhaps downloaded
//! from a show's old host by `import`), made safe to publish on the show's
//! own site: read a tag at a time and written anew through an escaping
//! writer, keeping only the tags and attributes a transcript is written
//! with. What would run or lead elsewhere (scripts, event handlers,
//! `javascript:` links, frames, forms, `<base>`, a `<meta>` refresh) is
//! not written, and said; anything not understood is written as text.

use super::{Tag, decode, tag_end};
use pulldown_cmark_escape::{FmtWriter, escape_html, escape_html_body_text};

/// A cleaned document and what was left out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// The document, written anew (`<!DOCTYPE html>`, UTF-8).
    pub html: String,
    /// What would have run or led elsewhere, as written (`<script>`,
    /// `onerror=`, `href="javascript:…"`), once each, in the order found.
    pub removed: Vec<String>,
    /// The addresses of its links and images relative to where the
    /// document was (`../media/map.png`, `slides/1.png`), once each, in the
    /// order found: written as they were, they lead elsewhere from where it
    /// is published.
    pub relative: Vec<String>,
}

/// Elements kept, with the attributes each keeps beyond [`GLOBAL`].
const KEPT: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("abbr", &[]),
    ("article", &[]),
    ("b", &[]),
    ("blockquote", &[]),
    ("br", &[]),
    ("caption", &[]),
    ("cite", &[]),
    ("code", &[]),
    ("dd", &[]),
    ("div", &[]),
    ("dl", &[]),
    ("dt", &[]),
    ("em", &[]),
    ("figcaption", &[]),
    ("figure", &[]),
    ("footer", &[]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("header", &[]),
    ("hr", &[]),
    ("i", &[]),
    ("img", &["src", "alt", "width", "height"]),
    ("li", &[]),
    ("main", &[]),
    ("mark", &[]),
    ("ol", &["start"]),
    ("p", &[]),
    ("pre", &[]),
    ("q", &[]),
    ("s", &[]),
    ("section", &[]),
    ("small", &[]),
    ("span", &[]),
    ("strong", &[]),
    ("sub", &[]),
    ("sup", &[]),
    ("table", &[]),
    ("tbody", &[]),
    ("td", &["colspan", "rowspan"]),
    ("tfoot", &[]),
    ("th", &["colspan", "rowspan"]),
    ("thead", &[]),
    ("time", &["datetime"]),
    ("tr", &[]),
    ("u", &[]),
    ("ul", &[]),
    ("wbr", &[]),
];

/// Attributes every kept element keeps.
const GLOBAL: &[&str] = &["class", "id", "lang", "dir", "title"];

/// Elements without content or end tag.
const VOID: &[&str] = &["br", "hr", "img", "wbr"];

/// Elements left out with all they hold: what runs, embeds or is read by
/// other rules than HTML's text (a browser reads `<script>`'s content up
/// to `</script>`, an `<svg>`'s as XML).
const DROPPED_WHOLE: &[&str] = &[
    "applet",
    "frameset",
    "iframe",
    "math",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "plaintext",
    "script",
    "select",
    "style",
    "svg",
    "template",
    "textarea",
    "title",
    "xmp",
];

/// Elements left out that would do something, and are said to be: the
/// rest of those not kept (`<html>`, `<font>`, …) are left out quietly,
/// what they hold kept.
const ACTIVE: &[&str] = &[
    "applet", "base", "button", "embed", "form", "frame", "frameset", "iframe", "input", "link", "meta", "object",
    "script", "select", "textarea",
];

/// `html` cleaned: see the module.
pub fn clean(html: &str) -> Cleaned {
    clean_in(html, None, None)
}

/// [`clean`], the document said to be in language `lang` (`<html lang>`:
/// a transcript's, as the manifest gives it), if given, and titled
/// `title` (the episode's) if it has no title of its own.
pub fn clean_in(html: &str, lang: Option<&str>, title: Option<&str>) -> Cleaned {
    let mut c =
        Cleaner { body: String::new(), title: None, open: Vec::new(), removed: Vec::new(), relative: Vec::new() };
    let mut rest = html.strip_prefix('\u{feff}').unwrap_or(html);
    while let Some(lt) = rest.find('<') {
        c.text(&rest[..lt]);
        rest = c.markup(&rest[lt..]);
    }
    c.text(rest);
    while let Some(name) = c.open.pop() {
        c.end_tag(name);
    }
    if c.title.as_deref().is_none_or(str::is_empty) {
        c.title = title.map(str::to_string);
    }
    c.document(lang, title)
}

struct Cleaner {
    body: String,
    title: Option<String>,
    /// Kept elements open, innermost last.
    open: Vec<&'static str>,
    removed: Vec<String>,
    relative: Vec<String>,
}

impl Cleaner {
    fn text(&mut self, text: &str) {
        // Writing to a String cannot fail. (Control characters no page may hold are left out.)
        let _ = escape_html_body_text(FmtWriter(&mut self.body), &crate::text::strip_control(&decode(text)).0);
    }

    fn removed(&mut self, what: String) {
        if !self.removed.contains(&what) && self.removed.len() < 20 {
            self.removed.push(what);
        }
    }

    /// `s` starts at a `<`: reads what it starts, returns what follows.
    fn markup<'a>(&mut self, s: &'a str) -> &'a str {
        for (open, close) in [("<!--", "-->"), ("<!", ">"), ("<?", ">")] {
            if let Some(rest) = s.strip_prefix(open) {
                return rest.find(close).map_or("", |e| &rest[e + close.len()..]);
            }
        }
        // As browsers read it: `<` starts a tag only before a letter (or `/` and a letter).
        let starts_tag = s[1..].strip_prefix('/').unwrap_or(&s[1..]).starts_with(|c: char| c.is_ascii_alphabetic());
        let Some(end) = tag_end(s).filter(|_| starts_tag) else {
            self.text("<");
            return &s[1..];
        };
        let inner = &s[1..end];
        let after = &s[end + 1..];
        let closing = inner.starts_with('/');
        let bare = inner.strip_prefix('/').unwrap_or(inner);
        let name = bare.chars().take_while(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        // A tag whose attributes cannot be read is read as having none.
        let tag = Tag::parse(inner).filter(|t| t.name == name);
        self.tag(&name, closing, tag.as_ref(), after)
    }

    fn tag<'a>(&mut self, name: &str, closing: bool, tag: Option<&Tag>, after: &'a str) -> &'a str {
        if let Some(&(kept, attrs)) = KEPT.iter().find(|(n, _)| *n == name) {
            if closing {
                if let Some(at) = self.open.iter().rposition(|n| *n == kept) {
                    for n in self.open.split_off(at).into_iter().rev() {
                        self.end_tag(n);
                    }
                }
            } else if kept == "time" && tag.is_none_or(|t| t.attr("datetime").is_none()) {
                // (Without a datetime, a time's text must be one HTML
                // reads, which a transcript's "0:00" is not: its text alone.)
            } else {
                self.implied_ends(kept);
                self.start_tag(kept, attrs, tag);
            }
            return after;
        }
        if ACTIVE.contains(&name) && !closing && !(name == "meta" && tag.is_some_and(|t| t.attr("charset").is_some())) {
            self.removed(format!("<{name}>"));
        }
        if closing || !DROPPED_WHOLE.contains(&name) {
            return after;
        }
        let (content, after) = until_end_tag(after, name);
        if name == "title" && self.title.is_none() {
            let title = crate::text::strip_control(&decode(content)).0;
            self.title = Some(title.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        after
    }

    /// Ends what HTML ends where element `starting` starts, as a browser
    /// reads it (and so every checker): an open `<p>` at a block's start
    /// (with what is open in it), an `<li>` at the next item of its list,
    /// a `<dt>` or `<dd>` at the next term or description.
    fn implied_ends(&mut self, starting: &str) {
        #[rustfmt::skip]
        const ENDS_P: &[&str] = &[
            "article", "blockquote", "div", "dl", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
            "header", "hr", "main", "ol", "p", "pre", "section", "table", "ul",
        ];
        // (An item's search stops at any block but a div or a p, as HTML's does.)
        #[rustfmt::skip]
        const BLOCKS: &[&str] = &[
            "article", "blockquote", "caption", "dd", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3",
            "h4", "h5", "h6", "header", "li", "main", "ol", "pre", "section", "table", "tbody", "td", "tfoot", "th",
            "thead", "tr", "ul",
        ];
        let (ends, within): (&[&str], &[&str]) = match starting {
            "li" => (&["li"], BLOCKS),
            "dt" | "dd" => (&["dt", "dd"], BLOCKS),
            s if ENDS_P.contains(&s) => (&["p"], &["table", "td", "th", "caption"]),
            _ => return,
        };
        let Some(at) = self.open.iter().rposition(|n| ends.contains(n)) else { return };
        if self.open[at + 1..].iter().any(|n| within.contains(n) && !ends.contains(n)) {
            return;
        }
        for n in self.open.split_off(at).into_iter().rev() {
            self.end_tag(n);
        }
    }

    fn start_tag(&mut self, name: &'static str, attrs: &[&str], tag: Option<&Tag>) {
        self.body.push('<');
        self.body.push_str(name);
        for (key, value) in tag.map_or(&[][..], |t| &t.attrs[..]) {
            if key.starts_with("on") {
                self.removed(format!("{key}="));
                continue;
            }
            if !GLOBAL.contains(&key.as_str()) && !attrs.contains(&key.as_str()) {
                continue;
            }
            if matches!(key.as_str(), "href" | "src") && !is_safe_url(value, key == "href") {
                let shown: String = value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                self.removed(format!("{key}=\"{}\"", crate::text::truncate_chars(&shown, 40)));
                continue;
            }
            if matches!(key.as_str(), "href" | "src") && is_path_relative(value) {
                let shown = crate::text::truncate_chars(&crate::text::strip_control(value).0, 60);
                if !self.relative.contains(&shown) && self.relative.len() < 20 {
                    self.relative.push(shown);
                }
            }
            self.body.push(' ');
            self.body.push_str(key);
            self.body.push_str("=\"");
            let _ = escape_html(FmtWriter(&mut self.body), &crate::text::strip_control(value).0);
            self.body.push('"');
        }
        // An image with no text for it is one a screen reader skips.
        if name == "img" && tag.is_none_or(|t| t.attr("alt").is_none()) {
            self.body.push_str(" alt=\"\"");
        }
        self.body.push('>');
        if !VOID.contains(&name) {
            self.open.push(name);
        }
    }

    fn end_tag(&mut self, name: &str) {
        self.body.push_str("</");
        self.body.push_str(name);
        self.body.push('>');
    }

    /// The page: `lang` its language; `episode` the title of the episode
    /// whose page it sits beside (a transcript's), if any: then it leads
    /// back there, and its text is its `<main>`, headed by that title
    /// where it has no heading of its own.
    fn document(self, lang: Option<&str>, episode: Option<&str>) -> Cleaned {
        let mut html = String::from("<!DOCTYPE html>\n<html");
        if let Some(lang) = lang.filter(|l| !l.is_empty()) {
            html.push_str(" lang=\"");
            let _ = escape_html(FmtWriter(&mut html), lang);
            html.push('"');
        }
        html.push_str(">\n<head>\n<meta charset=\"utf-8\">\n");
        // Laid out for a phone's width (not 980 px), in the reader's colours.
        html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
        if let Some(title) = self.title.filter(|t| !t.is_empty()) {
            html.push_str("<title>");
            let _ = escape_html_body_text(FmtWriter(&mut html), &title);
            html.push_str("</title>\n");
        }
        html.push_str("</head>\n<body>\n");
        let body = self.body.trim();
        match episode.filter(|t| !t.is_empty()) {
            Some(title) => {
                html.push_str("<nav><a href=\"./\">↩ ");
                let _ = escape_html_body_text(FmtWriter(&mut html), title);
                html.push_str("</a></nav>\n");
                let own = |tag: &str| memchr::memmem::find(body.as_bytes(), tag.as_bytes()).is_some();
                let main = !own("<main");
                if main {
                    html.push_str("<main>\n");
                }
                if !own("<h1") {
                    html.push_str("<h1>");
                    let _ = escape_html_body_text(FmtWriter(&mut html), title);
                    html.push_str("</h1>\n");
                }
                html.push_str(body);
                if main {
                    html.push_str("\n</main>");
                }
            }
            None => html.push_str(body),
        }
        html.push_str("\n</body>\n</html>\n");
        Cleaned { html, removed: self.removed, relative: self.relative }
    }
}

/// What comes before `</name` (any case) in `s`, and what follows that end
/// tag; all of `s` when it never ends.
fn until_end_tag<'a>(s: &'a str, name: &str) -> (&'a str, &'a str) {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&bytes[from..], b"</").map(|i| from + i) {
        let candidate = &bytes[at + 2..];
        let ends_there = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'));
        if candidate.len() >= name.len()
            && candidate[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && ends_there(candidate.get(name.len()))
        {
            let close = s[at..].find('>').map_or(s.len(), |e| at + e + 1);
            return (&s[..at], &s[close..]);
        }
        from = at + 2;
    }
    (s, "")
}

/// A link or image URL that leads to a page or file: relative, or
/// `http(s):` (and `mailto:` for a link). Browsers drop tabs, line breaks
/// and leading controls before reading the scheme, so those are dropped
/// here too.
/// Whether `url` is relative to the document's own place (a path, not
/// a scheme's URL, `//host/…`, `/from/the/root`, `#a-place` or `?a-query`
/// in it).
fn is_path_relative(url: &str) -> bool {
    let cleaned: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    if cleaned.is_empty() || cleaned.starts_with(['/', '#', '?']) {
        return false;
    }
    // A scheme: letters (digits, +, -, .) up to a colon before any / ? #.
    match cleaned.find(':') {
        Some(colon) => cleaned.find(['/', '?', '#']).is_some_and(|at| at < colon),
        None => true,
    }
}

fn is_safe_url(url: &str, link: bool) -> bool {
    let cleaned: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let Some(colon) = cleaned.find(':') else { return true };
    if cleaned.find(['/', '?', '#']).is_some_and(|slash| slash < colon) {
        return true;
    }
    matches!(cleaned[..colon].to_ascii_lowercase().as_str(), "http" | "https")
        || (link && cleaned[..colon].eq_ignore_ascii_case("mailto"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(html: &str) -> String {
        let c = clean(html).html;
        c.split_once("<body>\n").unwrap().1.rsplit_once("\n</body>").unwrap().0.to_string()
    }

    /// Links and images relative to the document's place are told (once
    /// each); absolute ones, the site's root, places in it are not.
    #[test]
    fn addresses_relative_to_the_documents_place_are_told() {
        let c = clean(
            "<a href=\"../media/cover.jpg\">a</a><img src=\"slides/1.png\" alt=\"s\"><a href=\"../media/cover.jpg\">again</a>\
             <a href=\"https://example.org/x\">b</a><a href=\"//cdn.example.org/y\">c</a><a href=\"/about/\">d</a>\
             <a href=\"#later\">e</a><a href=\"?q=1\">f</a><a href=\"mailto:a@example.org\">g</a><a href=\"a:b/c\">h</a>",
        );
        assert_eq!(c.relative, ["../media/cover.jpg", "slides/1.png"]);
    }

    /// Tags written as HTML lets them be (a `<p>` never closed, an item
    /// ending at the next) come out as a browser reads them; an element
    /// without content or end tag that is left out takes nothing with it.
    #[test]
    fn tags_html_ends_by_themselves_are_ended_and_a_void_element_left_out_takes_nothing() {
        assert_eq!(body("<p>one <b>bold<p>two</p>"), "<p>one <b>bold</b></p><p>two</p>");
        assert_eq!(body("<ul><li>a<li>b<ul><li>c</ul></ul>"), "<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>");
        assert_eq!(body("<dl><dt>a<dd>b<dt>c</dl>"), "<dl><dt>a</dt><dd>b</dd><dt>c</dt></dl>");
        assert_eq!(
            body("<ul><li>a<blockquote><li>b</blockquote></ul>"),
            "<ul><li>a<blockquote><li>b</li></blockquote></li></ul>"
        );
        assert_eq!(body("<ul><li>a<div><li>b</div></ul>"), "<ul><li>a<div></div></li><li>b</li></ul>");
        assert_eq!(body("<p>a<div>b</div>"), "<p>a</p><div>b</div>");
        assert_eq!(
            body("<p>a<table><tr><td><div>b</div></td></tr></table>"),
            "<p>a</p><table><tr><td><div>b</div></td></tr></table>"
        );
        assert_eq!(body("<p>a<span>b</span></p>"), "<p>a<span>b</span></p>");
        let c = clean("<p>x</p><embed src=x><p>kept</p><frame src=y><p>also</p>");
        assert!(c.html.contains("<p>x</p><p>kept</p><p>also</p>"), "{}", c.html);
        assert_eq!(c.removed, ["<embed>", "<frame>"]);
    }

    #[test]
    fn a_transcript_keeps_its_words_and_the_tags_it_is_written_with() {
        let html = "<!DOCTYPE html><html><head><title>Ep 1 &amp; more</title><style>p{}</style></head><body>\
                    <cite>Ada:</cite> <time datetime=\"PT1S\">0:01</time> <p class=x>Hello &eacute; 1 < 2 &amp; AT&T</p></body></html>";
        let c = clean(html);
        assert!(c.removed.is_empty(), "{:?}", c.removed);
        assert!(c.html.contains("<title>Ep 1 &amp; more</title>"), "{}", c.html);
        assert_eq!(
            body(html),
            "<cite>Ada:</cite> <time datetime=\"PT1S\">0:01</time> <p class=\"x\">Hello é 1 &lt; 2 &amp; AT&amp;T</p>"
        );
    }

    /// What the page checkers ask of a document is given where the file
    /// lacks it: a title (the episode's), an image's text (none: a screen
    /// reader skips it), and a time's text HTML reads (else its text alone).
    #[test]
    fn a_transcript_is_a_page_the_checkers_take() {
        let html =
            "<p><time>0:00</time> Hi <time datetime=\"PT1S\">0:01</time> <img src=a.png> <img src=b.png alt=Map></p>";
        let c = clean_in(html, Some("en"), Some("Pilot & more"));
        assert!(c.html.contains("<title>Pilot &amp; more</title>"), "{}", c.html);
        assert!(
            c.html.contains("<p>0:00 Hi <time datetime=\"PT1S\">0:01</time> <img src=\"a.png\" alt=\"\"> <img src=\"b.png\" alt=\"Map\"></p>"),
            "{}",
            c.html
        );
        // A page of its own: read on a phone at its width, leading back to
        // the episode's page beside it, its text the main part, headed.
        for part in [
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<body>\n<nav><a href=\"./\">↩ Pilot &amp; more</a></nav>\n<main>\n<h1>Pilot &amp; more</h1>\n<p>0:00 Hi",
            "</p>\n</main>\n</body>",
        ] {
            assert!(c.html.contains(part), "{part}: {}", c.html);
        }
        // Its own title is kept, and its own heading and main part.
        let titled = clean_in("<title>Words</title><main><h1>Words</h1><p>Hi</p></main>", None, Some("Pilot"));
        assert!(
            titled.html.contains("<title>Words</title>") && !titled.html.contains("<title>Pilot"),
            "{}",
            titled.html
        );
        assert!(titled.html.contains("</nav>\n<main><h1>Words</h1><p>Hi</p></main>\n</body>"), "{}", titled.html);
        assert_eq!(clean(&c.html).html, clean(&clean(&c.html).html).html);
    }

    #[test]
    fn what_would_run_is_left_out_and_said() {
        let html = "<p>Hi</p><script>alert(1)</script><SCRIPT/src=//x.example></SCRIPT >\
                    <img src=x onerror=\"alert(origin)\"><a href=\" jav&#x09;ascript:alert(1)\">l</a>\
                    <iframe src=//x></iframe><svg><script>alert(2)</script></svg><base href=//x><meta http-equiv=refresh content=0>\
                    <a href='https://ok.example/?a=1&amp;b=\"2\"'>ok</a><!-- <script>hidden</script> -->";
        let c = clean(html);
        assert_eq!(
            body(html),
            "<p>Hi</p><img src=\"x\" alt=\"\"><a>l</a><a href=\"https://ok.example/?a=1&amp;b=&quot;2&quot;\">ok</a>"
        );
        assert_eq!(c.removed, ["<script>", "onerror=", "href=\"javascript:alert(1)\"", "<iframe>", "<base>", "<meta>"]);
        for bad in ["alert", "script", "iframe", "onerror", "refresh"] {
            assert!(!c.html.contains(bad), "{bad} in {}", c.html);
        }
    }

    #[test]
    fn elements_are_balanced_whatever_was_written() {
        assert_eq!(body("<p><b>bold<i>both</p> after</i></b><div>"), "<p><b>bold<i>both</i></b></p> after<div></div>");
        assert_eq!(body("a <3 b <<c> </p> <br/> <x-y>z</x-y>"), "a &lt;3 b &lt;  <br> z");
    }

    /// What `clean` made of `html` (`once`) runs nothing: see
    /// [`random_hostile_html_comes_out_inert`].
    fn assert_inert(once: &str, html: &str) {
        let lower = once.to_ascii_lowercase();
        for bad in ["<script", "<svg", "<iframe", "<base", "<math", "<template", "<textarea", "<style"] {
            assert!(!lower.contains(bad), "{bad} in {once:?} from {html:?}");
        }
        assert!(
            !once.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
            "a control character in {once:?}"
        );
        // Every `<` is a tag written here (text has `&lt;`): its name and
        // attributes are ones kept, and no URL in one has a scheme that runs.
        let body = &once[once.find("<body>").unwrap()..];
        for (i, _) in body.match_indices('<') {
            let tag = &body[i + 1..i + body[i..].find('>').unwrap()];
            let tag = tag.strip_prefix('/').unwrap_or(tag);
            let mut parts = tag.split(' ');
            let name = parts.next().unwrap();
            let Some((_, kept)) = KEPT.iter().find(|(n, _)| *n == name) else {
                assert!(name == "body" || name == "html", "<{name}> in {once:?} from {html:?}");
                continue;
            };
            for attr in tag[name.len()..].split('"').step_by(2).map(str::trim).filter(|a| !a.is_empty()) {
                let key = attr.trim_end_matches('=');
                assert!(GLOBAL.contains(&key) || kept.contains(&key), "{key} on <{name}> in {once:?} from {html:?}");
            }
            for attr in ["href=\"", "src=\""] {
                for (j, _) in tag.match_indices(attr) {
                    let value = &tag[j + attr.len()..];
                    let value = &value[..value.find('"').unwrap_or(value.len())];
                    assert!(is_safe_url(&super::decode(value), attr == "href=\""), "{value} in {once:?} from {html:?}");
                }
            }
        }
    }

    /// Random mixtures of the pieces hostile HTML is made of: nothing that
    /// runs survives, and cleaning again changes nothing.
    #[test]
    fn random_hostile_html_comes_out_inert() {
        const PIECES: &[&str] = &[
            "<script>",
            "</script>",
            "<SCRIPT/",
            "<p",
            "<a href=",
            "<img src=",
            " onerror=",
            " ONclick='",
            "\"",
            "'",
            "javascript:",
            "jav&#x09;ascript:",
            "&#106;avascript:",
            "data:text/html,",
            ">",
            "<",
            "</",
            "<!--",
            "-->",
            "<svg>",
            "</svg>",
            "<style>",
            "<iframe",
            "<base href=//x>",
            "alert(1)",
            " ",
            "\n",
            "&amp;",
            "&",
            "<br/>",
            "<title>",
            "</title",
            "<![CDATA[",
            "]]>",
            "<?x ",
            "<!DOCTYPE html>",
            "<math>",
            "<template>",
            "<textarea>",
            "http://ok.example/",
            "/rel",
            "#frag",
            "<b>",
            "</b>",
            "<time datetime=",
            "\u{0}",
            "\u{85}",
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let mut html = String::new();
            for _ in 0..(x % 24) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                html.push_str(PIECES[(x % PIECES.len() as u64) as usize]);
            }
            let once = clean(&html).html;
            assert_inert(&once, &html);
            assert_eq!(clean(&once).html, once, "from {html:?}");
        }
    }

    /// Whatever the input, the output is the same again when cleaned: no
    /// markup in it is read differently the second time.
    #[test]
    fn cleaning_twice_changes_nothing() {
        for html in [
            "<p title='a\"b'>x</p><script>y",
            "<a href=\"&#0;javascript:x\">k</a><img src=\"data:text/html,x\">",
            "<<p>>&lt;script&gt;<td colspan=2>",
            "<p onclick=x>&#146;quoted&#148;</p><title>",
        ] {
            let once = clean(html).html;
            assert_eq!(clean(&once).html, once, "{html}");
            assert!(!once.contains("<script") && !once.contains("onclick"), "{once}");
        }
    }
}
