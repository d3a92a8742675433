//! `podsmith build` over fixture shows: escaping, scheduling, templates,
//! media formats, and what a failed build leaves behind.

use std::fs;

use snapbox::{assert_data_eq, str};

use crate::harness::*;

/// A show of one episode, "Pilot", with one MP3.
fn pilot() -> Show {
    let manifest = format!("{PODCAST_TABLE}{}", episode("Pilot", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    Show::with(&manifest, &["cbr-xing.mp3"])
}

#[test]
fn escapes_ampersands_angle_brackets_and_quotes_in_every_field() {
    let nasty = r#"Tom & Jerry's <b>"Best"</b> ]]> Show"#;
    let toml_nasty = nasty.replace('"', "\\\"");
    let manifest = format!(
        r#"[podcast]
title = "{t}"
description = "{t}"
author = "{t}"
owner = {{ name = "{t}", email = "ann@example.com" }}
copyright = "{t}"
language = "en"
categories = ["Society & Culture > Documentary"]
base_url = "https://example.com/a&b/"
image = "media/cover.jpg"

[[episode]]
title = "{t}"
guid = "guid-&-<1>"
date = 2024-01-02T03:04:05Z
guests = ["{t}"]
media = ["media/pair-5s.mp3", "media/vorbis-5s.ogg"]
notes = """
Notes with {t} and <script>alert("x")</script> and [a link](https://example.com/?a=1&b=2).
"""
"#,
        t = toml_nasty
    );
    let show = Show::with(&manifest, &["pair-5s.mp3", "vorbis-5s.ogg"]);
    show.build().ok();

    for feed in ["feed.xml", "feed.ogg.xml"] {
        let channel = show.channel(feed);
        let suffix = if feed == "feed.xml" { "" } else { " (OGG)" };
        assert_eq!(channel.title, format!("{nasty}{suffix}"));
        assert_eq!(channel.description, nasty);
        assert_eq!(channel.copyright.as_deref(), Some(nasty));
        let itunes = channel.itunes_ext.as_ref().unwrap();
        assert_eq!(itunes.author.as_deref(), Some(nasty));
        assert_eq!(itunes.owner.as_ref().unwrap().name.as_deref(), Some(nasty));
        assert_eq!(itunes.categories[0].text, "Society & Culture");
        assert_eq!(itunes.categories[0].subcategory.as_ref().unwrap().text, "Documentary");
        let item = &channel.items[0];
        assert_eq!(item.title.as_deref(), Some(nasty));
        assert_eq!(item.guid.as_ref().unwrap().value, "guid-&-<1>");
        let description = item.description.as_deref().unwrap();
        // In the notes, `<b>` is read as Markdown's bold; a script is shown as text.
        assert!(description.contains(r#"Tom &amp; Jerry's <strong>"Best"</strong> ]]&gt; Show"#), "{description}");
        assert!(description.contains("&lt;script&gt;"), "raw HTML in notes is shown as text: {description}");
        assert!(description.contains("href=\"https://example.com/?a=1&amp;b=2\""), "{description}");
        assert!(item.enclosure.as_ref().unwrap().url.starts_with("https://example.com/a&b/media/"));
        let els = show.elements(feed);
        assert_eq!(find(&els, Some(ITUNES), "title")[0].text, nasty);
        assert_eq!(find(&els, Some(PODCAST), "person")[0].text, nasty);
    }

    let page = show.read("public/episodes/tom-jerry-s-b-best-b-show/index.html");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<b>\"Best\"</b>"), "{page}");
    let text = page_text(&page);
    assert!(text.contains(nasty), "{text}");
    assert!(text.contains("Listen to MP3 (0:05)"), "{text}");
    assert!(text.contains("Listen to OGG (0:05)"), "{text}");
    let index = show.read("public/index.html");
    assert!(index.contains("Tom &amp; Jerry&#39;s &lt;b&gt;&quot;Best&quot;&lt;/b&gt; ]]&gt; Show"), "{index}");
}

#[test]
fn notes_pasted_as_html_read_as_their_markdown_on_the_page_in_the_feeds_and_in_excerpts() {
    let notes = "<p>We talk about <b>logging</b> with <a href=\"https://www.fluentd.org/?a=1&amp;b=2\">Fluentd</a>&nbsp;&amp; more.</p>\n\
                 <ul>\n<li>Plugins\n<li><span style=\"color:red\">Buffers</span>\n</ul>\n\
                 <p>Then <a href=\"javascript:alert(1)\">a trick</a>, <script>alert(2)</script> and <i>an open tag\n";
    let manifest = format!(
        "{PODCAST_TABLE}{}notes = \"\"\"\n{notes}\"\"\"\n",
        episode("Logging", "g1", "2024-01-02T03:04:05Z", &["pair-5s.mp3"])
    );
    let show = Show::with(&manifest, &["pair-5s.mp3"]);
    let run = show.build().ok();
    // At the line of the notes the tag is on.
    let line = manifest.lines().position(|l| l.contains("<script>")).unwrap() + 1;
    assert!(run.stderr.contains(&format!("warning: episodes.toml:{line}: episode \"Logging\"")), "{}", run.stderr);
    // The tag shown as text is told, with where and what to do.
    assert_data_eq!(
        run.stderr,
        str![[r#"
recorded the 1 published episode in podsmith.lock: keep it with episodes.toml
warning: episodes.toml:[..]: episode "Logging": <script> in the notes is shown as text, as written
  help: notes read the HTML tags notes are written with (<b>, <i>, <a href>, <p>, <br>, lists, <img> …) as Markdown and show any other as text: write it in Markdown, or take it out
...
"#]]
    );
    let html = "<p>We talk about <strong>logging</strong> with \
                <a href=\"https://www.fluentd.org/?a=1&amp;b=2\">Fluentd</a>\u{a0}&amp; more.</p>\n\
                <ul>\n<li>Plugins\n</li>\n<li>Buffers\n</li>\n</ul>\n\
                <p>Then a trick, &lt;script&gt;alert(2)&lt;/script&gt; and <em>an open tag\n</em></p>\n";
    let description = show.channel("feed.xml").items[0].description.clone().unwrap();
    assert_eq!(description, html.trim_end(), "the feed's notes");
    let page = show.read("public/episodes/logging/index.html");
    assert!(page.contains(html), "the page's notes: {page}");
    let excerpt = "We talk about logging with Fluentd &amp; more. Plugins Buffers Then a trick, \
                   &lt;script&gt;alert(2)&lt;/script&gt; and an open tag";
    assert!(page.contains(&format!("<meta name=\"description\" content=\"{excerpt}\">")), "{page}");
}

/// A warning about a line of the notes points at it: in a notes file, at
/// its line there; in a one-line string, at the string's line.
#[test]
fn tags_shown_as_text_are_told_at_their_line_of_a_notes_file_or_at_the_notes() {
    let manifest = format!(
        "{PODCAST_TABLE}{}notes_file = \"notes/one.md\"\n{}notes = \"Hi.\\n\\n<iframe src=x></iframe>\"\n",
        episode("One", "g1", "2024-01-02T03:04:05Z", &["pair-5s.mp3"]),
        episode("Two", "g2", "2024-01-03T03:04:05Z", &["cbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["pair-5s.mp3", "cbr-xing.mp3"]);
    show.write("notes/one.md", "# One\n\nWe <b>talk</b>.\n\n<p>Then <form>a form</form>.</p>\n");
    let run = show.build().ok();
    let notes_line = manifest.lines().position(|l| l.starts_with("notes = ")).unwrap() + 1;
    let stderr = run.stderr.replace('\\', "/");
    assert!(stderr.contains("warning: notes/one.md:5: episode \"One\": <form> in the notes is shown"), "{stderr}");
    assert!(
        stderr
            .contains(&format!("warning: episodes.toml:{notes_line}: episode \"Two\": <iframe> in the notes is shown")),
        "{stderr}"
    );
}

/// A notes file as Windows editors save it, with a byte-order mark: its
/// first heading is a heading (the mark is not text before it).
#[test]
fn a_notes_file_with_a_byte_order_mark_is_read_as_without() {
    let manifest = format!(
        "{PODCAST_TABLE}{}notes_file = \"notes/one.md\"\n",
        episode("One", "g1", "2024-01-02T03:04:05Z", &["pair-5s.mp3"]),
    );
    let show = Show::with(&manifest, &["pair-5s.mp3"]);
    show.write("notes/one.md", "\u{feff}## In this episode\r\n\r\nWe talk.\r\n");
    show.build().ok();
    let feed = show.read("public/feed.xml");
    assert!(feed.contains("<h2>In this episode</h2>"), "{feed}");
    assert!(!feed.contains("## In this episode") && !feed.contains('\u{feff}'), "{feed}");
}

/// A link in the notes to a file that is not in the show folder is told
/// (as an image is), with the path that names the show folder's file where
/// one of that name is there; links to pages, feeds and what the build
/// makes beside a page are not.
#[test]
fn a_link_in_the_notes_to_no_file_is_told_with_the_path_meant() {
    let notes = "See the [slides](slides.pdf), [gone](../../gone.pdf), [feed](../../feed.xml), [two](../two/), \
                 [two again](../two), [2024](../../archive/2024), [its words](../two/transcript.vtt), \
                 [the manifest](episodes.toml), [the lock](../../podsmith.lock), [git](../../.git/config) and \
                 [kept](../../slides.pdf).";
    let manifest = format!(
        "{PODCAST_TABLE}{}notes = \"{notes}\"\n{}",
        episode("One", "g1", "2024-01-02T03:04:05Z", &["pair-5s.mp3"]),
        episode("Two", "g2", "2024-01-03T03:04:05Z", &["cbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["pair-5s.mp3", "cbr-xing.mp3"]);
    show.write("slides.pdf", "%PDF-1.4");
    let run = show.build().ok();
    let said: Vec<&str> = run.stderr.lines().filter(|l| l.contains("in the notes, the link")).collect();
    assert_eq!(said.len(), 5, "{}", run.stderr);
    assert!(said[0].contains("the link slides.pdf leads to no file of the show folder"), "{}", run.stderr);
    assert!(run.stderr.contains("the show folder's slides.pdf is \"../../slides.pdf\""), "{}", run.stderr);
    assert!(said[1].contains("the link ../../gone.pdf leads"), "{}", run.stderr);
    assert!(run.stderr.contains("it leads to the site's gone.pdf, published from the show folder's"), "{}", run.stderr);
    assert!(show.path("public/slides.pdf").exists(), "the one linked as the show's is published");
    // The manifest is never published: not the file meant.
    assert!(said[2].contains("the link episodes.toml leads"), "{}", run.stderr);
    assert!(!run.stderr.contains("\"../../episodes.toml\""), "{}", run.stderr);
    // Files never published, said as such.
    for (n, link) in [(3, "../../podsmith.lock"), (4, "../../.git/config")] {
        assert!(
            said[n].contains(&format!("the link {link} leads to a file podsmith never publishes")),
            "{}",
            run.stderr
        );
    }
    // Five said, the last with how many more.
    let many: String = (0..7).map(|n| format!("[f{n}](gone{n}.pdf) ")).collect();
    show.write("episodes.toml", &manifest.replace(notes, &many));
    let run = show.build().ok();
    assert_eq!(run.stderr.matches("in the notes, the link").count(), 5, "{}", run.stderr);
    assert!(run.stderr.contains("listeners find nothing there (and 2 more such links)"), "{}", run.stderr);
}

/// Notes that open with the episode's title as a heading are shown
/// without it in the feed, as on the page: apps show the title above them.
#[test]
fn a_first_heading_of_the_title_is_left_out_of_the_feed_as_of_the_page() {
    let manifest = format!(
        "{PODCAST_TABLE}{}notes = \"# Pilot\\n\\nWe begin.\\n\\n## Part one\\n\\nWords.\"\n",
        episode("Pilot", "g1", "2024-01-02T03:04:05Z", &["pair-5s.mp3"]),
    );
    let show = Show::with(&manifest, &["pair-5s.mp3"]);
    show.build().ok();
    let feed = show.read("public/feed.xml");
    assert!(!feed.contains("<h1>Pilot</h1>") && !feed.contains("<strong>Pilot</strong>"), "{feed}");
    assert!(feed.contains("<p>We begin.</p>") && feed.contains("<h2>Part one</h2>"), "{feed}");
    let page = show.read("public/episodes/pilot/index.html");
    assert_eq!(page.matches(">Pilot</h").count(), 1, "the page's own title alone: {page}");
}

/// An image in the notes without a text saying what it shows (Markdown's
/// `![](…)`, an `<img>` without `alt`) is told, once an episode, at the
/// line of the first (a screen reader skips it; it was published with
/// `alt=""` without a word); one with a text, or whose URL is dropped, is not.
#[test]
fn images_in_the_notes_without_a_text_are_told_at_their_line() {
    let manifest = format!(
        "{PODCAST_TABLE}{}notes_file = \"notes/one.md\"\n{}notes = \"A ![chart](https://example.com/c.png).\"\n",
        episode("One", "g1", "2024-01-02T03:04:05Z", &["pair-5s.mp3"]),
        episode("Two", "g2", "2024-01-03T03:04:05Z", &["cbr-xing.mp3"])
    );
    let notes = "# One\n\nWe talk.\n\n![](https://example.com/map.png) and <img src=\"https://example.com/b.png\">\n\
                 <img src=\"https://example.com/c.png\" alt=\"A chart\"> <img src=\"javascript:x\">\n\
                 <img src=\"https://example.com/rule.png\" alt=\"\"> <img src=\"https://example.com/dot.png\" role=\"presentation\">\n";
    let show = Show::with(&manifest, &["pair-5s.mp3", "cbr-xing.mp3"]);
    show.write("notes/one.md", notes);
    let run = show.build().ok();
    let stderr = run.stderr.replace('\\', "/");
    assert!(
        stderr.contains(
            "warning: notes/one.md:5: episode \"One\": in the notes, the images https://example.com/map.png, \
             https://example.com/b.png have no text saying what each shows: a screen reader skips them"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("c.png have") && !stderr.contains("episode \"Two\": in the notes"), "{stderr}");
    // Said to be decorative (alt="", role="presentation"): as it is meant.
    assert!(!stderr.contains("rule.png") && !stderr.contains("dot.png"), "{stderr}");
    let page = show.read("public/episodes/one/index.html");
    assert!(page.contains("<img src=\"https://example.com/rule.png\" alt=\"\""), "{page}");
}

/// What the pages change of the notes' links and images is told, once an
/// episode, at the line of the first: a link that loses its URL, and on
/// an https site an image at an http URL (which browsers block or warn
/// of); an http link, or an http image on an http site, is no news.
#[test]
fn links_that_lose_their_url_and_http_images_on_an_https_site_are_told_at_their_line() {
    let manifest = format!(
        "{PODCAST_TABLE}{}notes_file = \"notes/one.md\"\n{}notes = \"A [plain link](http://example.com/).\"\n",
        episode("One", "g1", "2024-01-02T03:04:05Z", &["pair-5s.mp3"]),
        episode("Two", "g2", "2024-01-03T03:04:05Z", &["cbr-xing.mp3"])
    );
    let notes = "# One\n\nWe talk.\n\n![A chart](http://example.com/chart.png) and [a trick](javascript:alert(1)),\n\
                 <a href=\"vbscript:x\">another</a>, ![the chart again](http://example.com/chart.png).\n";
    let show = Show::with(&manifest, &["pair-5s.mp3", "cbr-xing.mp3"]);
    show.write("notes/one.md", notes);
    let run = show.build().ok();
    assert_data_eq!(
        run.stderr.replace('\\', "/"),
        str![[r#"
recorded the 2 published episodes in podsmith.lock: keep it with episodes.toml
warning: notes/one.md:5: episode "One": in the notes, the links javascript:alert(1), vbscript:x lose their URL (their text stays); the image http://example.com/chart.png is http on an https site
  help: a link or image in notes leads to an http, https or mailto URL or a relative one (others, such as javascript:, could run on the site), and browsers block an http image on an https page or mark the page not secure: give the https URL of the image
...
"#]]
    );
    assert!(!run.stderr.contains("episode \"Two\""), "{}", run.stderr);
    // On a site served over http, the image is no news; the link still is.
    let http = Show::with(
        &manifest.replacen("https://example.com/show/", "http://example.com/show/", 1),
        &["pair-5s.mp3", "cbr-xing.mp3"],
    );
    http.write("notes/one.md", notes);
    let run = http.build().ok();
    assert!(run.stderr.contains("episode \"One\": in the notes, the links javascript:alert(1), vbscript:x lose their URL (their text stays)\n"), "{}", run.stderr);
    // A URL written with character references: at its own line, and its
    // control characters written out, never sent to the terminal.
    http.write(
        "notes/one.md",
        "# One\n\nWe talk.\n\n[y](jav&#x09;ascript:a) [x](javascript&#x1b;[31m:alert)\n\n![j](../q&#x41;z.png)\n",
    );
    let run = http.build().ok();
    assert!(
        run.stderr.contains(
            "notes/one.md:5: episode \"One\": in the notes, the links jav\\tascript:a, javascript\\u{1b}[31m:alert lose their URL"
        ),
        "{}",
        run.stderr.replace('\\', "/")
    );
    assert!(
        run.stderr.contains("notes/one.md:7: episode \"One\": in the notes, the image ../qAz.png leads"),
        "{}",
        run.stderr
    );
}

/// A title holding quotes and a backslash is named with them escaped in
/// every message, so where it ends is plain: the catalog's (notes shown as
/// text), the validation's (of the episode's title: at its table in
/// `episodes.toml`) and the lock's (a media URL
/// changed); JSON gives the validation's `episode` as the title itself.
#[test]
fn a_title_with_quotes_is_named_with_them_escaped_in_every_message() {
    let manifest = format!(
        "{PODCAST_TABLE}\n[[episode]]\ntitle = 'Ep. 1: He said \"hi\" \\o/'\nguid = \"g1\"\n\
         date = 2024-01-02T03:04:05Z\nmedia = [\"media/pair-5s.mp3\"]\nnotes = \"Hi <iframe src=x></iframe>\"\n"
    );
    let show = Show::with(&manifest, &["pair-5s.mp3"]);
    // (Compared as they are: snapbox would read a backslash as a path's.)
    let naming =
        |stderr: &str| stderr.lines().filter(|l| l.contains("He said")).map(str::to_string).collect::<Vec<_>>();
    let run = show.build().ok();
    assert_eq!(
        naming(&run.stderr),
        [
            r#"warning: episodes.toml:16: episode "Ep. 1: He said \"hi\" \\o/": <iframe> in the notes is shown as text, as written"#,
            r#"warning: episodes.toml:11: episode "Ep. 1: He said \"hi\" \\o/": the title "Ep. 1: He said \"hi\" \\o/" starts with an episode number [APPLE-IT-TITLE]"#,
            r#"warning: episodes.toml:11: episode "Ep. 1: He said \"hi\" \\o/": <itunes:title>: its title "Ep. 1: He said \"hi\" \\o/" starts with an episode number [APPLE-IT-TITLE]"#,
        ],
        "{}",
        run.stderr
    );
    // In JSON, the item's title is itself.
    let run = show.run(&["validate", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let item = json["feeds"][0]["findings"].as_array().unwrap().iter().find(|f| f["item"] == 1).unwrap().clone();
    assert_eq!(item["episode"], r#"Ep. 1: He said "hi" \o/"#, "{}", run.stdout);
    fs::rename(show.path("media/pair-5s.mp3"), show.path("media/renamed.mp3")).unwrap();
    show.write("episodes.toml", &manifest.replace("media/pair-5s.mp3", "media/renamed.mp3"));
    let run = show.build().fails(1);
    assert_eq!(
        naming(&run.stderr),
        [
            r#"error: episodes.toml:15: episode "Ep. 1: He said \"hi\" \\o/": its media URL changed from https://example.com/show/media/pair-5s.mp3 to https://example.com/show/media/renamed.mp3"#
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn future_episodes_are_left_out_and_the_build_says_when_they_go_live() {
    let manifest = format!(
        "{PODCAST_TABLE}{}{}",
        episode("Out now", "g1", "2026-05-01T10:00:00Z", &["cbr-xing.mp3"]),
        episode("Coming soon", "g2", "2026-07-01T10:00:00+02:00", &["vbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3", "vbr-xing.mp3"]);
    let run = show.build().ok();
    assert_data_eq!(
        run.stderr,
        str![[r#"
recorded the 1 published episode in podsmith.lock: keep it with episodes.toml
warning: episodes.toml:8: the feed's URLs and the owner e-mail are on example.com, a domain reserved for examples: nothing is served or delivered there [PLACEHOLDER]
  help: set base_url and the owner's email in episodes.toml to real ones
scheduled: "Coming soon" goes live at 2026-07-01T10:00:00+02:00; it is left out until then (run `podsmith build` again after that time)
Built 1 episode into public: feed.xml (1 feed), 2 pages, 2 media/image files; 6 written, 0 unchanged, in [..]s

"#]]
    );
    let channel = show.channel("feed.xml");
    assert_eq!(channel.items.len(), 1);
    assert_eq!(channel.items[0].title.as_deref(), Some("Out now"));
    assert!(!show.path("public/episodes/coming-soon").exists());
    assert!(!show.path("public/media/vbr-xing.mp3").exists(), "its media is not published early");
    assert!(!show.read("public/index.html").contains("Coming soon"));

    // Once its time has come, the same manifest publishes it, newest first.
    show.run(&["build", "--as-of", "2026-07-01T08:00:00Z"]).ok();
    let titles: Vec<_> = show.channel("feed.xml").items.iter().map(|i| i.title.clone().unwrap()).collect();
    assert_eq!(titles, ["Coming soon", "Out now"]);
}

#[test]
fn last_build_date_comes_from_the_newest_episode_not_the_clock() {
    let manifest = format!(
        "{PODCAST_TABLE}{}{}",
        episode("Old", "g1", "2020-01-01T00:00:00Z", &["cbr-xing.mp3"]),
        episode("New", "g2", "2021-02-03T04:05:06-08:00", &["vbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3", "vbr-xing.mp3"]);
    show.build().ok();
    let channel = show.channel("feed.xml");
    assert_eq!(channel.last_build_date.as_deref(), Some("Wed, 03 Feb 2021 04:05:06 -0800"));
    assert_eq!(channel.items[0].pub_date.as_deref(), Some("Wed, 03 Feb 2021 04:05:06 -0800"));
    assert_eq!(channel.items[1].pub_date.as_deref(), Some("Wed, 01 Jan 2020 00:00:00 +0000"));
}

#[test]
fn control_characters_are_removed_with_a_warning_naming_the_episode() {
    // In any string: an episode's fields, a chapter's, the pages' words; C1
    // controls (U+0085) too, which XML allows and HTML does not.
    let manifest = format!(
        "{}\n[podcast.words]\nby = \"hosted\\u0001 by\"\n\n{}notes = \"Bell\\u0007 and backspace\\u0008 pasted in\"\n\
         itunes_title = \"Apple\\u0085 title\"\n[[episode.chapters]]\nstart = \"0:00\"\ntitle = \"Intro\\u0002\"\n",
        PODCAST_TABLE.trim_end(),
        episode("Pasted\\u0001 title", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    let run = show.build().ok();
    assert_data_eq!(
        run.stderr,
        str![[r#"
recorded the 1 published episode in podsmith.lock: keep it with episodes.toml
warning: episodes.toml:11:6: removed 1 control character from `by` in [podcast.words] (feeds and pages cannot carry them; they are usually pasted by accident)
warning: episodes.toml:15:9: removed 1 control character from `title` in episode 1 (feeds and pages cannot carry them; they are usually pasted by accident)
warning: episodes.toml:19:9: removed 2 control characters from `notes` in episode 1 ("Pasted title") (feeds and pages cannot carry them; they are usually pasted by accident)
warning: episodes.toml:20:16: removed 1 control character from `itunes_title` in episode 1 ("Pasted title") (feeds and pages cannot carry them; they are usually pasted by accident)
warning: episodes.toml:23:9: removed 1 control character from `title` in chapter 1 of episode 1 ("Pasted title") (feeds and pages cannot carry them; they are usually pasted by accident)
warning: episodes.toml:8: the feed's URLs and the owner e-mail are on example.com, a domain reserved for examples: nothing is served or delivered there [PLACEHOLDER]
  help: set base_url and the owner's email in episodes.toml to real ones
Built 1 episode into public: feed.xml (1 feed), 2 pages, 2 media/image files; 7 written, 0 unchanged, in [..]s

"#]]
    );
    let channel = show.channel("feed.xml");
    assert_eq!(channel.items[0].title.as_deref(), Some("Pasted title"));
    assert!(channel.items[0].description.as_deref().unwrap().contains("Bell and backspace pasted in"));
    assert!(show.read("public/feed.xml").contains("<itunes:title>Apple title</itunes:title>"));
    for page in ["public/index.html", "public/episodes/pasted-title/index.html", "public/feed.xml"] {
        let text = show.read(page);
        assert!(!text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')), "{page}: {text}");
    }
    assert!(show.read("public/episodes/pasted-title/index.html").contains("Intro"));
}

#[test]
fn an_ogg_only_episode_is_refused_because_apple_would_not_list_it() {
    let manifest = format!("{PODCAST_TABLE}{}", episode("Ogg only", "g1", "2024-01-01T00:00:00Z", &["vorbis.ogg"]));
    let show = Show::with(&manifest, &["vorbis.ogg"]);
    let run = show.build().fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: feed.xml, episode "Ogg only": the enclosure URL ends in .ogg; Apple lists only .mp3, .m4a, .mp4, .m4v, .mov and .pdf, and will not show this episode [APPLE-IT-ENCL-EXT]
  help: make an MP3 (or AAC .m4a) the enclosure and offer other formats as <podcast:alternateEnclosure>
error: the feed would be refused by podcast directories; nothing was written
  help: run `podsmith validate` for all findings

"#]]
    );
    assert!(!show.path("public").exists());
    // Adding the MP3 fixes it.
    let manifest = format!(
        "{PODCAST_TABLE}{}",
        episode("Ogg only", "g1", "2024-01-01T00:00:00Z", &["pair-5s.mp3", "vorbis-5s.ogg"])
    );
    let show = Show::with(&manifest, &["pair-5s.mp3", "vorbis-5s.ogg"]);
    show.build().ok();
}

#[test]
fn a_show_can_override_the_page_templates() {
    let show = pilot();
    show.write(
        "templates/episode.html",
        "<h1>{{ episode.title }}</h1>{% for s in episode.sources %}<a href=\"{{ root }}{{ s.path }}\">{{ s.label }} {{ s.duration }}</a>{% endfor %}",
    );
    show.build().ok();
    assert_eq!(
        show.read("public/episodes/pilot/index.html"),
        "<h1>Pilot</h1><a href=\"../../media/cbr-xing.mp3\">MP3 0:03</a>\n"
    );
    // The other templates keep their defaults.
    assert!(show.read("public/index.html").starts_with("<!DOCTYPE html>"));
}

/// A template of an episode's page that fills only `body` keeps the
/// page's own title, canonical address and Open Graph tags (they named the
/// show's home page, which search engines then took every episode for).
#[test]
fn an_episode_template_of_a_body_alone_names_its_own_page() {
    let show = pilot();
    show.build().ok();
    let built_in = show.read("public/episodes/pilot/index.html");
    show.write(
        "templates/episode.html",
        "{% extends \"base.html\" %}{% block body %}<h1>{{ episode.title }}</h1>{% endblock %}",
    );
    show.build().ok();
    let page = show.read("public/episodes/pilot/index.html");
    let head = |html: &str| html[..html.find("</head>").unwrap()].to_string();
    assert_eq!(head(&page), head(&built_in));
    assert!(page.contains("<title>Pilot · Fixture Show</title>"), "{page}");
    assert!(page.contains("<link rel=\"canonical\" href=\"https://example.com/show/episodes/pilot/\">"), "{page}");
    assert!(page.contains("<meta property=\"og:title\" content=\"Pilot\">"), "{page}");
    // An empty template (saved before it was written) makes no blank pages.
    show.write("templates/episode.html", "\n");
    let run = show.build().fails(1);
    assert!(run.stderr.contains("it makes an empty page: write the page's HTML in it"), "{}", run.stderr);
    assert_eq!(show.read("public/episodes/pilot/index.html"), page);
}

#[test]
fn a_broken_template_is_an_error_naming_the_file() {
    let show = pilot();
    show.write("templates/index.html", "{% for x in %}");
    let run = show.build().fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: template templates/index.html: syntax error: unexpected end of block (in index.html:1)
  help: write the tag as Jinja does ({% if … %} … {% endif %}, {{ value }}); the line is named above

"#]]
    );
    assert!(!show.path("public").exists());
}

#[test]
fn a_misspelt_value_in_a_template_is_an_error_naming_the_page() {
    let show = pilot();
    // `tilte`: printed as nothing before, on every page.
    show.write("templates/episode.html", "<h1>{{ episode.tilte }}</h1>");
    let run = show.build().fails(1);
    let said = run.stderr.lines().collect::<Vec<_>>();
    assert_eq!(said.len(), 2, "{}", run.stderr);
    assert_eq!(
        said[0],
        "error: template episode.html, making episodes/pilot/index.html (episode \"Pilot\"): undefined value (in \
         episode.html:1): `episode.tilte`",
        "{}",
        run.stderr
    );
    assert_eq!(
        said[1],
        "  help: the page has no value of that name: check it against the variables the README lists (Templates), \
         and test one an episode may lack with {% if … %}"
    );
    assert!(!show.path("public").exists());
    // A fault in a template pages extend is named as that one's (the index is made first).
    show.write("templates/base.html", "<title>{{ show.tilte }}</title>{% block content %}{% endblock %}");
    show.write("templates/episode.html", "{% extends \"base.html\" %}{% block content %}x{% endblock %}");
    let run = show.build().fails(1);
    assert!(
        run.stderr.starts_with(
            "error: template base.html (used by index.html), making index.html: undefined value (in base.html:1): \
             `show.tilte`"
        ),
        "{}",
        run.stderr
    );
    std::fs::remove_file(show.path("templates/base.html")).unwrap();
    // A value an episode may lack is still tested with `if`.
    show.write("templates/episode.html", "<h1>{{ episode.title }}</h1>{% if episode.image %}art{% endif %}");
    show.build().ok();
    assert_eq!(show.read("public/episodes/pilot/index.html"), "<h1>Pilot</h1>\n");
}

#[test]
fn a_file_in_templates_that_is_no_template_is_warned_of() {
    let show = pilot();
    show.write("templates/epsiode.html", "<h1>{{ episode.title }}</h1>");
    show.write("templates/footer.html", "<p>mine</p>");
    show.write("templates/.episode.html.swp", "editor");
    let run = show.build().ok();
    assert!(run.stderr.contains("templates/epsiode.html is not a template podsmith reads"), "{}", run.stderr);
    assert!(
        run.stderr.contains("help: to change the built-in episode.html, name the file episode.html"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("templates/footer.html is not a template podsmith reads"), "{}", run.stderr);
    assert!(
        run.stderr.contains("a partial a template includes by its name ({% include \"footer.html\" %}), and none does"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(".swp"), "{}", run.stderr);
}

/// Any other `.html` file of `templates/` is a partial the page templates
/// include (or import, or extend) by its name; an edit of it makes the
/// pages again, and it is not warned of once a template names it.
#[test]
fn a_partial_in_templates_is_included_by_name_and_its_edits_make_the_pages_again() {
    let show = pilot();
    show.write("templates/footer.html", "<footer>{{ show.title }}, by me</footer>");
    show.write("templates/macros.html", "{% macro shout(t) %}<b>{{ t|upper }}</b>{% endmacro %}");
    show.write(
        "templates/episode.html",
        "{% import \"macros.html\" as m %}<h1>{{ m.shout(episode.title) }}</h1>{% include 'footer.html' %}",
    );
    let run = show.build().ok();
    assert!(!run.stderr.contains("TEMPLATE-UNREAD") && !run.stderr.contains("not a template"), "{}", run.stderr);
    let page = show.read("public/episodes/pilot/index.html");
    assert!(page.starts_with("<h1><b>PILOT</b></h1><footer>"), "{page}");
    assert!(page.contains(", by me</footer>"), "{page}");
    show.write("templates/footer.html", "<footer>changed</footer>");
    show.build().ok();
    assert!(show.read("public/episodes/pilot/index.html").contains("<footer>changed</footer>"));
}

#[cfg(unix)]
#[test]
fn a_template_that_links_out_of_the_show_is_refused() {
    let show = pilot();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    fs::write(&secret, "aws_secret_access_key = EXAMPLE").unwrap();
    fs::create_dir_all(show.path("templates")).unwrap();
    std::os::unix::fs::symlink(&secret, show.path("templates/episode.html")).unwrap();
    let run = show.build().fails(1);
    assert!(run.stderr.contains("templates/episode.html: is a link to"), "{}", run.stderr);
    assert!(run.stderr.contains("outside the show folder"), "{}", run.stderr);
    assert!(!show.path("public").exists());
    // A templates folder that is itself a link out: the same.
    fs::remove_dir_all(show.path("templates")).unwrap();
    fs::copy(&secret, outside.path().join("base.html")).unwrap();
    std::os::unix::fs::symlink(outside.path(), show.path("templates")).unwrap();
    let run = show.build().fails(1);
    assert!(run.stderr.contains("templates/base.html: is a link to"), "{}", run.stderr);
    // A link to a file in the show is read.
    fs::remove_file(show.path("templates")).unwrap();
    show.write("mine.html", "<h1>{{ episode.title }}</h1>");
    fs::create_dir_all(show.path("templates")).unwrap();
    std::os::unix::fs::symlink(show.path("mine.html"), show.path("templates/episode.html")).unwrap();
    show.build().ok();
    assert_eq!(show.read("public/episodes/pilot/index.html"), "<h1>Pilot</h1>\n");
}

/// A partial whose name is `.HTML` or `.Html` is HTML as a `.html` one is:
/// what it shows is escaped (minijinja's own rule escapes only names
/// ending in lower-case `.html`).
#[test]
fn a_partial_named_in_upper_case_is_escaped_too() {
    let title = "A <script>alert(1)</script> & more";
    let manifest = format!("{PODCAST_TABLE}{}", episode("Pilot", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]))
        .replace("title = \"Pilot\"", &format!("title = \"{title}\""));
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    show.write("templates/Title.HTML", "<p>{{ episode.title }}</p>");
    show.write("templates/Other.Html", "<p>{{ episode.title }}</p>");
    show.write("templates/episode.html", "{% include \"Title.HTML\" %}{% include \"Other.Html\" %}");
    show.build().ok();
    let escaped = "<p>A &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>";
    let pages: Vec<Vec<u8>> = show
        .public_files()
        .into_iter()
        .filter(|(rel, _)| rel.starts_with("episodes/") && rel.ends_with("/index.html"))
        .map(|(_, bytes)| bytes)
        .collect();
    assert_eq!(pages, vec![format!("{escaped}{escaped}\n").into_bytes()]);
}

/// A template that runs away (a loop of loops, a page of gigabytes) is
/// stopped with an error naming it, not written out for every episode.
#[test]
fn a_template_that_runs_away_is_stopped() {
    let show = pilot();
    // 10^10 steps: refused long before.
    show.write(
        "templates/episode.html",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% set k = j %}{% endfor %}{% endfor %}x",
    );
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("template episode.html") && run.stderr.contains("steps to make one page"),
        "{}",
        run.stderr
    );
    assert!(!show.path("public").exists());
    // A page of more than 16 MB, in few steps.
    show.write("templates/episode.html", "{% for i in range(300) %}{{ \"x\" * 100000 }}{% endfor %}");
    let run = show.build().fails(1);
    assert!(run.stderr.contains("it makes a page of more than 16 MB"), "{}", run.stderr);
    assert!(!show.path("public").exists());
}

/// A template error is said in a line a podcaster reads: a template that
/// includes itself once (not its cause fifty times over), an unknown filter
/// with the filters there are.
#[test]
fn template_errors_are_said_once_with_what_to_do() {
    let show = pilot();
    show.write("templates/loop.html", "x{% include \"loop.html\" %}");
    show.write("templates/episode.html", "{% include \"loop.html\" %}");
    let run = show.build().fails(1);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.contains("recursion limit exceeded") && first.len() < 700, "{}", run.stderr);
    assert_eq!(first.matches("could not render include").count(), 2, "{first}");
    show.write("templates/episode.html", "{{ episode.title|shout }}");
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("unknown filter") && run.stderr.contains("\n  help: the pages have minijinja's filters"),
        "{}",
        run.stderr
    );
}

/// A value an episode lacks prints nothing, not "none" on the page.
#[test]
fn a_value_an_episode_lacks_prints_nothing() {
    let show = pilot();
    show.write("templates/episode.html", "<p>Season {{ episode.season }}, art {{ episode.image }}.</p>");
    show.build().ok();
    assert_eq!(show.read("public/episodes/pilot/index.html"), "<p>Season , art .</p>\n");
}

/// `fill` with a blank the phrase does not have (`fromat=`), or leaving
/// one of its blanks unfilled, is an error: the placeholder is not
/// published.
#[test]
fn fill_refuses_a_blank_the_phrase_has_not_and_one_left_unfilled() {
    let show = pilot();
    let page =
        |call: &str| format!("{{% for s in episode.sources %}}{{{{ show.words.listen|fill({call}) }}}}{{% endfor %}}");
    show.write("templates/episode.html", &page("fromat=s.label, duration=s.duration"));
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains(
            "fill(fromat=…): \"Listen to {format} ({duration})\" has no {fromat}; it takes format=, duration="
        ),
        "{}",
        run.stderr
    );
    show.write("templates/episode.html", &page("format=s.label"));
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("fill leaves {duration} of \"Listen to {format} ({duration})\" unfilled: give duration=…"),
        "{}",
        run.stderr
    );
    show.write("templates/episode.html", &page("format=s.label, duration=s.duration"));
    show.build().ok();
    assert!(show.read("public/episodes/pilot/index.html").starts_with("Listen to MP3 ("));
}

/// An override that is a link to nothing (its target not committed) is an
/// error naming the link, not the built-in page published without a word;
/// a byte order mark an editor saved is not copied into the page; a
/// partial whose name is near a page template's is not warned of once a
/// template includes it.
#[cfg(unix)]
#[test]
fn a_dangling_override_is_an_error_and_a_bom_is_not_published() {
    let show = pilot();
    fs::create_dir_all(show.path("templates")).unwrap();
    std::os::unix::fs::symlink("../theme/episode.html", show.path("templates/episode.html")).unwrap();
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("templates/episode.html: is a link to ../theme/episode.html, which does not exist"),
        "{}",
        run.stderr
    );
    fs::remove_file(show.path("templates/episode.html")).unwrap();
    show.write("templates/page.html", "\u{feff}<p>part</p>");
    show.write("templates/episode.html", "\u{feff}<h1>{{ episode.title }}</h1>{% include \"page.html\" %}");
    let run = show.build().ok();
    assert_eq!(show.read("public/episodes/pilot/index.html"), "<h1>Pilot</h1><p>part</p>\n");
    assert!(!run.stderr.contains("not a template"), "{}", run.stderr);
}

/// What `templates/` holds decides a build the same way every time: a
/// templates folder that links out of the show is refused by a build that
/// has nothing else to do too; a folder or an editor's file in it is not
/// read, and leaves a build with nothing to do at nothing to do.
#[cfg(unix)]
#[test]
fn templates_are_judged_alike_by_a_build_with_nothing_to_do() {
    let show = pilot();
    show.write("theme/episode.html", "<h1>{{ episode.title }}</h1>");
    std::os::unix::fs::symlink("theme", show.path("templates")).unwrap();
    show.build().ok();
    // The same templates, now outside the show.
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("episode.html"), "<h1>{{ episode.title }}</h1>").unwrap();
    fs::remove_file(show.path("templates")).unwrap();
    std::os::unix::fs::symlink(outside.path(), show.path("templates")).unwrap();
    for _ in 0..2 {
        let run = show.build().fails(1);
        assert!(run.stderr.contains("outside the show folder"), "{}", run.stderr);
    }
    // `templates` a file: the same error every time.
    fs::remove_file(show.path("templates")).unwrap();
    show.write("templates", "not a folder");
    for _ in 0..2 {
        let run = show.build().fails(1);
        assert!(run.stderr.contains("templates"), "{}", run.stderr);
    }
    fs::remove_file(show.path("templates")).unwrap();
    show.write("templates/episode.html", "<h1>{{ episode.title }}</h1>");
    show.build().ok();
    fs::create_dir_all(show.path("templates/old")).unwrap();
    show.write("templates/episode.html~", "a backup");
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains("nothing changed since"), "{}", run.stderr);
}

/// A show in a language written right to left gets pages that say so.
#[test]
fn pages_of_a_right_to_left_language_say_dir_rtl() {
    let episode = episode("Pilot", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]);
    for (language, rtl) in [("ar", true), ("he-IL", true), ("fa", true), ("en", false), ("de-AT", false)] {
        let table = PODCAST_TABLE.replace("language = \"en\"", &format!("language = \"{language}\""));
        assert_ne!(table, PODCAST_TABLE.replace("language = \"en\"", "language = \"xx\""));
        let show = Show::with(&format!("{table}{episode}"), &["cbr-xing.mp3"]);
        show.build().ok();
        for page in ["public/index.html", "public/episodes/pilot/index.html"] {
            let html = show.read(page);
            let head = html.lines().nth(1).unwrap_or_default().to_string();
            assert_eq!(head.contains("dir=\"rtl\""), rtl, "{language}, {page}: {head}");
            assert!(head.starts_with(&format!("<html lang=\"{language}\"")), "{head}");
        }
    }
}

/// An episode without notes gets the show's description in its page's
/// metadata (what a shared link shows), not an empty one.
#[test]
fn a_page_without_notes_describes_the_show() {
    let show = pilot();
    show.build().ok();
    let meta = |page: &str, name: &str| {
        let html = show.read(page);
        let start = html.find(name).map(|i| i + name.len()).unwrap_or_else(|| panic!("{name} not in {html}"));
        html[start..].split('"').next().unwrap_or_default().to_string()
    };
    let show_says = meta("public/index.html", "<meta name=\"description\" content=\"");
    assert!(!show_says.is_empty());
    assert_eq!(meta("public/episodes/pilot/index.html", "<meta name=\"description\" content=\""), show_says);
    assert_eq!(meta("public/episodes/pilot/index.html", "<meta property=\"og:description\" content=\""), show_says);
}

/// A build refused by its checks (before anything is written) writes nothing.
#[test]
fn a_build_refused_by_its_checks_writes_nothing() {
    let manifest = format!("{PODCAST_TABLE}{}", episode("Pilot", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    let show = Show::with(&manifest, &["cbr-xing.mp3", "broken-truncated.ogg"]);
    show.build().ok();
    let before = show.public_files();
    // A new episode whose media is broken: nothing may change.
    let broken = format!("{manifest}{}", episode("Second", "g2", "2024-02-01T00:00:00Z", &["broken-truncated.ogg"]));
    show.write("episodes.toml", &broken);
    let run = show.build().fails(1);
    assert!(run.stderr.contains("media/broken-truncated.ogg"), "{}", run.stderr);
    assert!(run.stderr.contains("episode \"Second\""), "{}", run.stderr);
    assert_eq!(before, show.public_files());
    // A manifest typo: nothing may change either.
    show.write("episodes.toml", &manifest.replace("title = \"Pilot\"", "titel = \"Pilot\""));
    let run = show.build().fails(1);
    assert!(run.stderr.contains("unknown key `titel`"), "{}", run.stderr);
    assert_eq!(before, show.public_files());
}

/// A build that fails while it writes (a page's folder that takes no new
/// file) stops there: the feeds, written last, are the last build's, so
/// apps never see an episode whose page is missing; the next build, once
/// the folder takes files again, writes the rest.
#[test]
fn a_build_that_fails_while_writing_leaves_the_feeds_as_they_were() {
    let manifest = format!("{PODCAST_TABLE}{}", episode("Pilot", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    show.build().ok();
    let before = show.public_files();
    show.write("episodes.toml", &manifest.replace("title = \"Pilot\"", "title = \"Pilot, again\"\nslug = \"pilot\""));
    let Some(folder) = Unwritable::make(&show.path("public/episodes/pilot")) else { return };
    let run = show.build();
    drop(folder);
    let run = run.fails(1);
    assert!(run.stderr.contains("cannot write `public/episodes/pilot/index.html`"), "{}", run.stderr);
    let after = show.public_files();
    assert!(before["feed.xml"] == after["feed.xml"], "the feed changed");
    show.build().ok();
    assert!(show.read("public/feed.xml").contains("Pilot, again"));
    assert!(show.read("public/episodes/pilot/index.html").contains("Pilot, again"));
}

#[test]
fn episode_numbers_seasons_and_types_reach_the_feed() {
    let manifest = format!(
        "{PODCAST_TABLE}{}season = 2\nepisode = 7\ntype = \"bonus\"\nexplicit = true\nimage = \"media/cover.jpg\"\n",
        episode("Numbered", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    show.build().ok();
    let channel = show.channel("feed.xml");
    let it = channel.items[0].itunes_ext.as_ref().unwrap();
    assert_eq!(it.season.as_deref(), Some("2"));
    assert_eq!(it.episode.as_deref(), Some("7"));
    assert_eq!(it.episode_type.as_deref(), Some("bonus"));
    assert_eq!(it.explicit.as_deref(), Some("true"));
    assert_eq!(it.image.as_deref(), Some("https://example.com/show/media/cover.jpg"));
    assert_eq!(channel.itunes_ext.as_ref().unwrap().explicit.as_deref(), Some("false"));
    let page = page_text(&show.read("public/episodes/numbered/index.html"));
    assert!(page.contains("Episode 7 · Season 2"), "{page}");
}

#[test]
fn media_is_hard_linked_into_public() {
    let show = pilot();
    show.build().ok();
    assert_eq!(
        fs::read(show.path("public/media/cbr-xing.mp3")).unwrap(),
        fs::read(show.path("media/cbr-xing.mp3")).unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let a = fs::metadata(show.path("public/media/cbr-xing.mp3")).unwrap();
        let b = fs::metadata(show.path("media/cbr-xing.mp3")).unwrap();
        assert_eq!((a.dev(), a.ino()), (b.dev(), b.ino()));
    }
}

#[test]
fn formats_of_different_lengths_publish_with_a_warning() {
    let manifest =
        format!("{PODCAST_TABLE}{}", episode("Mixed", "g1", "2024-01-01T00:00:00Z", &["pair-5s.mp3", "vorbis.ogg"]));
    let show = Show::with(&manifest, &["pair-5s.mp3", "vorbis.ogg"]);
    let run = show.build().ok();
    assert_data_eq!(
        run.stderr,
        str![[r#"
recorded the 1 published episode in podsmith.lock: keep it with episodes.toml
warning: episodes.toml:8: the feed's URLs and the owner e-mail are on example.com, a domain reserved for examples: nothing is served or delivered there [PLACEHOLDER]
  help: set base_url and the owner's email in episodes.toml to real ones
warning: feed.xml, episode "Mixed": the OGG file plays for 3.0 s but the MP3 file for 5.1 s [MEDIA-FORMATS-AGREE]
  help: export every format from the same final mix
warning: feed.ogg.xml, episode "Mixed": the MP3 file plays for 5.1 s but the OGG file for 3.0 s [MEDIA-FORMATS-AGREE]
  help: export every format from the same final mix
Built 1 episode into public: feed.xml, feed.ogg.xml (2 feeds), 2 pages, 3 media/image files; 8 written, 0 unchanged, in [..]s

"#]]
    );
}

/// A show whose episodes are not all in every format: the feed of a
/// format lists such an episode with its main file, and the build says
/// which episodes, in the grammar of how many.
#[test]
fn an_episode_missing_a_format_is_listed_with_its_main_file_and_named() {
    let both = episode("One", "g-1", "2024-01-01T00:00:00Z", &["pair-5s.mp3", "vorbis-5s.ogg"]);
    let two = episode("Two", "g-2", "2024-01-02T00:00:00Z", &["cbr-xing.mp3"]);
    let three = episode("Three", "g-3", "2024-01-03T00:00:00Z", &["vbr-xing.mp3"]);
    let fixtures = ["pair-5s.mp3", "vorbis-5s.ogg", "cbr-xing.mp3", "vbr-xing.mp3"];
    let show = Show::with(&format!("{PODCAST_TABLE}{both}{two}"), &fixtures);
    let said = |run: Run| run.stderr.lines().filter(|l| l.contains("OGG")).collect::<Vec<_>>().join("\n");
    assert_data_eq!(
        said(show.build().ok()),
        str![[r#"
warning: feed.ogg.xml: 1 episode has no OGG file and is listed with its main file: Two
  help: listeners subscribed to feed.ogg.xml get those in the main file's format; to give them OGG files, export them and add them to each episode's `media`
"#]]
    );
    show.write("episodes.toml", &format!("{PODCAST_TABLE}{both}{two}{three}"));
    assert_data_eq!(
        said(show.build().ok()),
        str![[r#"
warning: feed.ogg.xml: 2 episodes have no OGG file and are listed with their main file: Three, Two
  help: listeners subscribed to feed.ogg.xml get those in the main file's format; to give them OGG files, export them and add them to each episode's `media`
"#]]
    );
    let ogg = show.channel("feed.ogg.xml");
    let types: Vec<(&str, &str)> =
        ogg.items().iter().map(|i| (i.title().unwrap(), i.enclosure().unwrap().mime_type.as_str())).collect();
    assert_eq!(types, [("Three", "audio/mpeg"), ("Two", "audio/mpeg"), ("One", "audio/ogg")]);
}

#[test]
fn podsmith_timings_names_each_step_of_a_build_as_it_ends() {
    let show = Show::sample();
    let build = || show.run_env(&["build", "--as-of", "2026-06-01T00:00:00Z"], &[("PODSMITH_TIMINGS", "1")]);
    let first = build();
    assert_eq!(first.code, 0, "{}", first.stderr);
    let steps = timed_steps(&first.stderr);
    let names: Vec<&str> = steps.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "manifest read and parsed",
            "inputs compared with the last build's",
            "media measured, catalog and file list made",
            "feeds validated, pages rendered",
            "outputs checked, writes planned",
            "site written",
            "podsmith.lock written",
            "build records saved",
        ]
    );
    assert!(steps.windows(2).all(|w| w[0].0 <= w[1].0), "times since the start only grow: {steps:?}");
    // Nothing to do: the build ends after the comparison.
    let again = timed_steps(&build().stderr);
    let names: Vec<&str> = again.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(names, ["manifest read and parsed", "inputs compared with the last build's", "nothing changed"]);
    // Without the variable, not a word of it (and the summary as ever).
    let quiet = show.build();
    assert!(!quiet.stderr.contains("timing:") && quiet.stderr.contains("0 written"), "{}", quiet.stderr);
}

/// Spaces around a title or a name in the manifest (a paste, a typo) are
/// removed, with a warning naming where: the feeds and pages carry the
/// title without them, and the feeds' check has nothing to say of them.
#[test]
fn spaces_around_a_title_or_name_are_removed_and_said() {
    let manifest = PODCAST_TABLE
        .replace("title = \"Fixture Show\"", "title = \" Fixture Show \"")
        .replace("author = \"Ann Example\"", "author = \"Ann Example\t\"")
        + &episode(" Pilot", "g1", "2024-01-02T03:04:05Z", &["pair-5s.mp3"]);
    let show = Show::with(&manifest, &["pair-5s.mp3"]);
    let run = show.build().ok();
    for said in [
        "warning: [podcast]: removed the spaces around `title` \"Fixture Show\" (Apple's tags take none)",
        "warning: [podcast]: removed the spaces around `author` \"Ann Example\" (Apple's tags take none)",
        "warning: episode \"Pilot\": removed the spaces around `title` \"Pilot\" (Apple's tags take none)",
    ] {
        assert!(run.stderr.contains(said), "{said}\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("APPLE-CH-LEN"), "{}", run.stderr);
    let channel = show.channel("feed.xml");
    assert_eq!(channel.title, "Fixture Show");
    assert_eq!(channel.items[0].title.as_deref(), Some("Pilot"));
    assert_eq!(channel.itunes_ext.as_ref().unwrap().author.as_deref(), Some("Ann Example"));
    assert!(show.read("public/index.html").contains("<h1>Fixture Show</h1>"));
}

/// An error of every feed (the cover's, which each feed names) is said
/// once, at the manifest's `image` line, where it is fixed.
#[test]
fn an_error_of_every_feed_is_said_once() {
    let show = Show::sample();
    std::fs::copy(repo().join("tests/fixtures/rules/images/small.jpg"), show.path("media/cover.jpg")).unwrap();
    let run = show.build().fails(1);
    let said: Vec<&str> = run.stderr.lines().filter(|l| l.contains("[APPLE-CH-IMAGE-SIZE]")).collect();
    assert_eq!(said.len(), 1, "{}", run.stderr);
    let line = show.read("episodes.toml").lines().position(|l| l.starts_with("image = ")).unwrap() + 1;
    assert!(
        said[0].starts_with(&format!("error: episodes.toml:{line}: media/cover.jpg is 500×500 px")),
        "{}",
        run.stderr
    );
}

/// A recording under a second is a failed export, almost always: warned of,
/// at the episode; its length is published as 1 s, not 0 (what apps show
/// for a length not known).
#[test]
fn an_episode_under_a_second_is_warned_of_and_lasts_a_second_in_the_feed() {
    let show = Show::with(
        &format!("{PODCAST_TABLE}{}", episode("Blip", "blip-guid", "2024-01-01T00:00:00Z", &["short-tenth.mp3"])),
        &["short-tenth.mp3"],
    );
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "episode \"Blip\": media/short-tenth.mp3 plays for 0.10 s: an episode under a second is most likely an \
             export that failed\n  help: export the episode again from the editor"
        ),
        "{}",
        run.stderr
    );
    let channel = show.channel("feed.xml");
    let duration = channel.items()[0].itunes_ext().and_then(|i| i.duration()).map(str::to_string);
    assert_eq!(duration.as_deref(), Some("1"));
}

/// An Ogg file of FLAC, not Vorbis, is warned of: it is published in the
/// Ogg feed, whose listeners' apps play Vorbis (few play FLAC in Ogg).
#[test]
fn flac_in_ogg_is_warned_of_with_the_vorbis_command() {
    let media = ["cbr-xing.mp3", "ogg-flac.ogg"];
    let show = Show::with(
        &format!("{PODCAST_TABLE}{}", episode("Lossless", "l-guid", "2024-01-01T00:00:00Z", &media)),
        &media,
    );
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "episode \"Lossless\": media/ogg-flac.ogg is FLAC in an Ogg file, which few podcast apps play; it is \
             published in the Ogg feed, whose listeners' apps play Vorbis\n  help: export it as Ogg Vorbis (ffmpeg -i \
             media/ogg-flac.ogg -c:a libvorbis -q:a 4 episode.ogg), or as a .flac file"
        ),
        "{}",
        run.stderr
    );
    // A Vorbis one is not.
    let media = ["pair-5s.mp3", "vorbis-5s.ogg"];
    let show =
        Show::with(&format!("{PODCAST_TABLE}{}", episode("Lossy", "v-guid", "2024-01-01T00:00:00Z", &media)), &media);
    assert!(!show.build().ok().stderr.contains("FLAC in an Ogg"));
}
