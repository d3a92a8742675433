//! `podsmith import`: a show folder from an existing feed. The sample
//! show's own feed goes round the trip (import, build with its media
//! served by a real HTTP server on 127.0.0.1, compare the feeds); every
//! real feed from other hosts and tools either imports, keeping every
//! guid, or is refused with a reason, leaving nothing behind.

use std::collections::BTreeMap;

use snapbox::{assert_data_eq, str};

use crate::harness::*;
use crate::server::{Mode, Server};

/// Each item's guid → (title, pubDate, itunes:duration, enclosure url, length, type, description text).
fn items(channel: &rss::Channel) -> BTreeMap<String, Vec<String>> {
    channel
        .items()
        .iter()
        .map(|i| {
            let e = i.enclosure().unwrap();
            let text = page_text(i.description().unwrap_or_default()).split_whitespace().collect::<Vec<_>>().join(" ");
            (
                i.guid().unwrap().value().to_string(),
                vec![
                    i.title().unwrap_or_default().to_string(),
                    i.pub_date().unwrap_or_default().to_string(),
                    i.itunes_ext().and_then(|x| x.duration()).unwrap_or_default().to_string(),
                    e.url().to_string(),
                    e.length().to_string(),
                    e.mime_type().to_string(),
                    text,
                ],
            )
        })
        .collect()
}

/// The sample show built and served where its base_url says (a real
/// server on 127.0.0.1), media and all: the show, the served folder, the server.
fn published_sample() -> (Show, tempfile::TempDir, Server) {
    let original = Show::sample();
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let manifest = original.read("episodes.toml").replace("https://podcast.example.com/cloud-native/", &server.base());
    original.write("episodes.toml", &manifest);
    original.build().ok();
    copy_dir(&original.path("public"), served.path());
    (original, served, server)
}

#[test]
fn the_sample_shows_feed_goes_round_the_trip() {
    let (original, _served, _server) = published_sample();

    let new = Show::empty();
    let imported = new
        .run(&[
            "import",
            &original.path("public/feed.xml").display().to_string(),
            "show",
            "--base-url",
            "https://new.example.org/podcast/",
        ])
        .ok();
    assert!(imported.stderr.contains("Imported 4 episodes"), "{}", imported.stderr);
    let manifest = new.read("show/episodes.toml");
    assert!(manifest.starts_with("# Imported by podsmith from "), "{manifest}");
    assert!(new.path("show/podsmith.lock").is_file(), "the published identities are recorded at once");
    // The new show builds (its media measured where they are hosted), with no identity changed.
    let run = new.run(&["build", "--manifest", "show/episodes.toml", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!run.stderr.contains("IDENTITY"), "{}", run.stderr);
    let changes: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with(['~', '+', '-'])).collect();
    assert_eq!(changes, Vec::<&str>::new(), "nothing changes for subscribers: {}", run.stderr);
    let before = items(&original.channel("feed.xml"));
    let after = items(&rss::Channel::read_from(new.read("show/public/feed.xml").as_bytes()).unwrap());
    assert_eq!(after, before, "the same guids, titles, dates, durations, enclosures and notes");
    // The show keeps its podcast:guid; its chapters come along from the
    // feed's own psc:chapters (its transcripts are the old host's files).
    assert!(manifest.contains("guid = \"3e8bb759-978b-5ea1-9095-4a41a002c648\"") || manifest.contains("\nguid = \""));
    let chapters = |json: String| -> Vec<(f64, String)> {
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let list = v["chapters"].as_array().unwrap().iter();
        list.map(|c| (c["startTime"].as_f64().unwrap(), c["title"].as_str().unwrap().to_string())).collect()
    };
    let json = "public/episodes/coredns-miek-gieben/chapters.json";
    let before = chapters(original.read(json));
    assert_eq!(before.len(), 2, "{before:?}");
    assert_eq!(chapters(new.read(&format!("show/{json}"))), before);
    assert!(imported.stderr.contains("transcript files stay at the old host"), "{}", imported.stderr);
    assert!(!imported.stderr.contains("chapters and transcript files"), "{}", imported.stderr);
    // Importing again into the same folder is refused (a usage error):
    // nothing is overwritten. So are flags whose values cannot be used.
    let feed = original.path("public/feed.xml").display().to_string();
    let manifest = new.read("show/episodes.toml");
    for (args, message) in [
        (vec!["show"], "exists already"),
        (vec!["other", "--media-dir", "../media"], "--media-dir \"../media\" is not a folder inside the show"),
    ] {
        let again = new.run(&[&["import", feed.as_str()][..], &args].concat()).fails(2);
        assert!(again.stderr.contains(message), "{args:?}: {}", again.stderr);
    }
    assert_eq!(new.read("show/episodes.toml"), manifest);
    assert!(!new.path("other").exists());
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// The JPEG cover of the repository's sample show in `show/media/`, named
/// by the imported `manifest` (under `show/`) as its cover.
fn jpeg_cover(show: &Show, manifest: &mut String) {
    std::fs::create_dir_all(show.path("show/media")).unwrap();
    std::fs::copy(repo().join("media/cover.jpg"), show.path("show/media/cover.jpg")).unwrap();
    let at = manifest.find("\nimage = \"").unwrap() + 1;
    let end = at + manifest[at..].find('\n').unwrap();
    manifest.replace_range(at..end, "image = \"media/cover.jpg\"");
}

/// The folder of real feeds from other hosts and tools, and their names.
fn real_feeds() -> (std::path::PathBuf, Vec<String>) {
    let dir = repo().join("tests/fixtures/real-feeds");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    (dir, names)
}

#[test]
fn every_real_feed_imports_keeping_its_guids_or_is_refused_with_a_reason() {
    let (dir, names) = real_feeds();
    let (mut imported, mut refused) = (0, 0);
    for name in &names {
        let show = Show::empty();
        let feed = dir.join(name).display().to_string();
        let run = show.run(&["import", &feed, "show", "--category", "Technology"]);
        match run.code {
            0 => {
                imported += 1;
                // Said in words, not as the program's values.
                assert!(!run.stderr.contains("None") && !run.stderr.contains("Some("), "{name}: {}", run.stderr);
                // The manifest is one podsmith reads, and every guid is the feed's.
                let path = show.path("show/episodes.toml");
                let parsed = podsmith::manifest::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
                let original = rss::Channel::read_from(std::fs::read(dir.join(name)).unwrap().as_slice()).unwrap();
                let feed_guids: Vec<String> = original
                    .items()
                    .iter()
                    .filter(|i| i.enclosure().is_some())
                    .map(|i| {
                        i.guid()
                            .map(|g| g.value().trim().to_string())
                            .filter(|g| !g.is_empty())
                            .unwrap_or_else(|| i.enclosure().unwrap().url().trim().to_string())
                    })
                    .collect();
                for e in &parsed.episodes {
                    assert!(feed_guids.contains(&e.guid), "{name}: {} is not a guid of the feed", e.guid);
                }
                assert!(show.path("show/podsmith.lock").is_file(), "{name}");
                // A podcast:locked owner other than the owner e-mail is said
                // (only the namespace's example feed has one; the others name
                // the owner, or are not locked).
                let locked_owner_said =
                    run.stderr.contains("the feed's podcast:locked names \"podcastowner@example.com\"");
                assert_eq!(locked_owner_said, name == "pcns-namespace-example.xml", "{name}: {}", run.stderr);
                // A title written with a reference (`&amp;amp;`) is read as apps show it, and said.
                let title_said = run.stderr.contains("the show's title had HTML character references (&amp;)");
                assert_eq!(title_said, name == "rome-kcrw-left-right-center.xml", "{name}: {}", run.stderr);
                // A self link that is the site's page makes a guid Podcast Index may not know: said.
                let self_said = run.stderr.contains("is a site's home page, not a feed");
                assert_eq!(self_said, name == "rssparser-giant-bombcast.xml", "{name}: {}", run.stderr);
                // (Its podcast:guid is the namespace's placeholder: no UUID, said and left out.)
                let guid_said = run.stderr.contains("podcast:guid \"y0ur-gu1d-g035-h3r3\" is not a UUID");
                assert_eq!(guid_said, name == "pcns-namespace-example.xml", "{name}: {}", run.stderr);
                if name == "partytime-podcasting20-freedomcontroller.xml" {
                    // The channel's namespace tags podsmith writes too; a
                    // feed locked by its owner is said to whoever imports it.
                    assert!(parsed.podcast.locked, "{name}");
                    assert!(run.stderr.contains("warning: the feed is locked (podcast:locked)"), "{}", run.stderr);
                    let funding = &parsed.podcast.tags.funding;
                    assert_eq!(
                        funding.iter().map(|f| f.url.as_str()).collect::<Vec<_>>(),
                        ["https://paypal.me/podcastindex"]
                    );
                }
                if name == "rssreader-podcasting20-sovereign.xml" {
                    // An episode's own funding is its own.
                    let funded = parsed.episodes.iter().filter(|e| !e.tags.funding.is_empty()).count();
                    assert!(funded > 30, "{name}: {funded}");
                    let first = &parsed.episodes.iter().find(|e| !e.tags.funding.is_empty()).unwrap().tags.funding[0];
                    assert_eq!(first.text, "Support us with Value 4 Value");
                }
            }
            1 => {
                refused += 1;
                assert!(run.stderr.lines().any(|l| l.starts_with("error: ")), "{name}: {}", run.stderr);
                // Said in words, not as the program's values.
                assert!(!run.stderr.contains("None") && !run.stderr.contains("Some("), "{name}: {}", run.stderr);
                assert!(
                    !show.path("show/episodes.toml").exists() && !show.path("show/podsmith.lock").exists(),
                    "{name}"
                );
            }
            code => panic!("{name}: exit {code}\n{}", run.stderr),
        }
    }
    assert_eq!(imported + refused, names.len());
    // Refused: test feeds of parsers without a channel title, or whose items have no date or usable enclosure.
    assert!(imported * 4 >= names.len() * 3, "{imported} of {} imported", names.len());
}

#[test]
fn imported_real_feeds_build_into_feeds_with_the_same_episodes() {
    // Each imported show is built with its media replaced by a fixture
    // served on 127.0.0.1 (the hosts' files are not here): the new feed has
    // the original's guids, titles, dates to the second and notes' words.
    let served = tempfile::tempdir().unwrap();
    std::fs::copy(audio("cbr-xing.mp3"), served.path().join("a.mp3")).unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let (dir, names) = real_feeds();
    let mut built = 0;
    let mut apple_titled = 0;
    let mut covers_made = Vec::new();
    for name in &names {
        let show = Show::empty();
        let base = server.base();
        let feed = dir.join(name).display().to_string();
        let run = show.run(&["import", &feed, "show", "--category", "Technology", "--base-url", &base]);
        if run.code != 0 {
            continue;
        }
        // Every media URL → one served MP3 (a distinct query per URL, so each stays its own file).
        let mut manifest = show.read("show/episodes.toml");
        // A cover Apple refuses (a GIF) is said by the import: the show
        // builds once the cover is a JPEG, as the import says to make it.
        if run.stderr.contains("Apple takes JPEG or PNG art only, so the show does not build") {
            jpeg_cover(&show, &mut manifest);
            covers_made.push(name.clone());
        }
        let parsed = podsmith::manifest::load(&show.path("show/episodes.toml")).unwrap();
        if parsed.episodes.is_empty() {
            // Items without a date alone: each written commented out, to be dated.
            assert!(manifest.contains("\n# [[episode]]\n") && run.stderr.contains("Imported 0 episodes"), "{name}");
            assert!(run.stderr.contains("write the date of each episode commented out"), "{}", run.stderr);
            continue;
        }
        // Each episode's media line (not a cover that shares a URL with an
        // enclosure) names one served MP3.
        // Chapters (Podlove's, inline in a feed) and soundbites go: their
        // times are the old recording's, past the end of the 3 s stand-in.
        let mut n = 0;
        let mut in_chapter = false;
        manifest = manifest
            .split_inclusive('\n')
            .filter(|l| {
                if l.starts_with("[[") {
                    in_chapter = l.trim() == "[[episode.chapters]]";
                }
                !in_chapter && !l.starts_with("soundbites = ")
            })
            .map(|l| match l.starts_with("media = ") {
                true => {
                    n += 1;
                    format!("media = [\"{}a.mp3?n={n}\"]\n", server.base())
                }
                false => l.to_string(),
            })
            .collect();
        assert_eq!(n, parsed.episodes.len(), "{name}");
        show.write("show/episodes.toml", &manifest);
        let run = show.run(&[
            "build",
            "--manifest",
            "show/episodes.toml",
            "--as-of",
            "2030-01-01T00:00:00Z",
            "--allow-changes",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{name}: the imported show does not build:\n{}", run.stdout);
        built += 1;
        let (original, new) = (std::fs::read(dir.join(name)).unwrap(), show.read("show/public/feed.xml"));
        apple_titled += same_episodes(name, &original, new.as_bytes());
    }
    assert!(built >= 40, "{built} imported shows built");
    assert!(apple_titled >= 20, "{apple_titled} items with an itunes:title of their own kept it");
    // Their covers are GIFs (the two KCRW feeds have only an RSS <image>).
    assert_eq!(
        covers_made,
        ["partytime-homegrown-hits-music.xml", "rome-kcrw-art-talk.xml", "rome-kcrw-left-right-center.xml"]
    );
}

/// A feed date as an instant (seconds since the epoch), read leniently as
/// the import reads it.
fn podsmith_date(d: &str) -> Option<i64> {
    podsmith::import::dates::read(d).ok().map(|r| r.at.timestamp())
}

/// HTML without its `<script>` elements.
fn without_scripts(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.to_ascii_lowercase().find("<script") {
        out.push_str(&rest[..start]);
        let end = rest.to_ascii_lowercase()[start..].find("</script>").map_or(rest.len(), |e| start + e + 9);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The text of an HTML fragment as a browser shows it: tags (a `<` before a
/// letter, `/` or `!`) left out, a lone `<` or `>` kept.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let chars: Vec<char> = html.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' if chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == '/' || *n == '!') => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn odd_feeds_are_read_as_apps_read_them_and_what_is_left_out_is_said() {
    let feed = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n\
        <rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
        xmlns:psc=\"http://podlove.org/simple-chapters\">\n\
        <channel><title>Caf\u{e9} Gespr\u{e4}che</title><link>https://old.example.com/</link><description>\u{dc}ber Kaffee</description>\n\
        <atom:link href=\"https://old.example.com/feeds/show.xml\" rel=\"self\"/><language>de</language>\n\
        <atom:link href=\"https://pubsubhubbub.appspot.com/\" rel=\"hub\"/>\n\
        <itunes:owner><itunes:email>a@old.example.com</itunes:email></itunes:owner><itunes:category text=\"Arts\"/>\n\
        <item><title>Fr\u{fc}hst\u{fc}ck</title><pubDate>Mon, 01 Jan 2024 10:00:00 UTC</pubDate>\n\
        <description><![CDATA[<p>K\u{e4}se &amp; Brot<script>x()</script></p>]]></description>\n\
        <enclosure url=\"../media/a.mp3\" length=\"1\" type=\"audio/mpeg\"/>\n\
        <psc:chapters version=\"1.2\"><psc:chapter start=\"0\" title=\"Kaffee\"/>\
        <psc:chapter start=\"00:00:01.500\" title=\"Brot &amp; K\u{e4}se\" href=\"https://old.example.com/brot\"/></psc:chapters></item>\n\
        <item><title>Twice</title><guid>g2</guid><pubDate>Tue, 02 Jan 2024 10:00:00 +0100</pubDate>\n\
        <enclosure url=\"https://old.example.com/b.mp3\" length=\"1\" type=\"audio/mpeg\"/>\
        <psc:chapters><psc:chapter start=\"0:10\" title=\"Late\"/></psc:chapters></item>\n\
        <item><title>Twice again</title><guid>g2</guid><pubDate>Wed, 03 Jan 2024 10:00:00 +0100</pubDate>\n\
        <enclosure url=\"https://old.example.com/c.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>\n\
        <item><title>A blog post</title><guid>g3</guid><pubDate>Thu, 04 Jan 2024 10:00:00 +0100</pubDate></item>\n\
        </channel></rss>\n";
    // Latin-1 bytes, as the declaration says.
    let bytes: Vec<u8> = feed.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), &bytes).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.podcast.title, "Café Gespräche");
    // The hub apps subscribed at: publish tells it of the new feed.
    assert_eq!(parsed.podcast.tags.websub_hub.as_ref().map(|u| u.as_str()), Some("https://pubsubhubbub.appspot.com/"));
    let titles: Vec<&str> = parsed.episodes.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Frühstück", "Twice"]);
    let first = &parsed.episodes[0];
    // No guid: the enclosure URL, read against the feed's own address.
    assert_eq!(first.guid, "https://old.example.com/media/a.mp3");
    assert_eq!(first.media[0].key(), "https://old.example.com/media/a.mp3");
    assert_eq!(first.date.to_rfc3339(), "2024-01-01T10:00:00+00:00");
    assert_eq!(first.notes, "Käse & Brot");
    // Podlove chapters become the manifest's; ones it cannot take are said.
    let chapters: Vec<(f64, &str, Option<&str>)> = first
        .chapters
        .iter()
        .flat_map(|c| &c.list)
        .map(|c| (c.start, c.title.as_str(), c.url.as_ref().map(|u| u.as_str())))
        .collect();
    assert_eq!(chapters, [(0.0, "Kaffee", None), (1.5, "Brot & Käse", Some("https://old.example.com/brot"))]);
    assert!(parsed.episodes[1].chapters.is_none());
    for said in [
        "had no guid",
        "its guid g2 is an earlier item's",
        "\"A blog post\" (no enclosure",
        "script elements were left out",
        "the Podlove chapters (psc:chapters) of 1 item were left out: \"Twice\" (the first chapter does not start at 0)",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
    // Made-up values carry a comment in the manifest.
    let manifest = show.read("new/episodes.toml");
    assert!(
        manifest.contains(
            "# a placeholder: the feed has no cover image; replace media/cover.jpg\nimage = \"media/cover.jpg\""
        ),
        "{manifest}"
    );
    assert!(manifest.contains("# the feed names no author"), "{manifest}");
    // No cover in the feed: a placeholder, said.
    assert!(run.stderr.contains("no cover image URL") && show.path("new/media/cover.jpg").is_file(), "{}", run.stderr);
}

#[test]
fn download_fetches_every_file_resuming_a_cut_off_one_and_the_show_builds_from_them() {
    let (original, _served, server) = published_sample();
    let new = Show::empty();
    // A download cut off halfway by an earlier run.
    let mp3 = std::fs::read(original.path("media/coredns-miek-gieben.mp3")).unwrap();
    std::fs::create_dir_all(new.path("show/media")).unwrap();
    std::fs::write(new.path("show/media/coredns-miek-gieben.mp3.part"), &mp3[..mp3.len() / 2]).unwrap();
    let feed = original.path("public/feed.xml").display().to_string();
    let run = new.run(&["import", &feed, "show", "--download", "--base-url", "https://new.example.org/podcast/"]).ok();
    assert!(run.stderr.contains("media fetched into the show folder"), "{}", run.stderr);
    for name in ["coredns-miek-gieben.mp3", "coredns-miek-gieben.ogg", "kubernetes-sarah-novotny.mp3"] {
        assert_eq!(
            std::fs::read(new.path(&format!("show/media/{name}"))).unwrap(),
            std::fs::read(original.path(&format!("media/{name}"))).unwrap(),
            "{name}"
        );
    }
    assert!(!new.path("show/media/coredns-miek-gieben.mp3.part").exists());
    // The cover came too (the old host may go): named in the manifest as a file of the show.
    assert_eq!(
        std::fs::read(new.path("show/art/cover.jpg")).unwrap(),
        std::fs::read(original.path("media/cover.jpg")).unwrap()
    );
    assert!(new.read("show/episodes.toml").contains("image = \"art/cover.jpg\""));
    // The episode's chapters and transcripts came too, as files of the show.
    assert_eq!(
        new.read("show/chapters/coredns-miek-gieben.json"),
        original.read("public/episodes/coredns-miek-gieben/chapters.json")
    );
    assert_eq!(
        new.read("show/transcripts/coredns-miek-gieben.en.vtt"),
        original.read("transcripts/coredns-miek-gieben.vtt")
    );
    // The feed lists it as WebVTT and as SRT: one transcript, whose SRT the build makes.
    assert!(!new.path("show/transcripts/coredns-miek-gieben.en.srt").exists());
    assert!(
        new.read("show/episodes.toml")
            .contains("transcript = [{ file = \"transcripts/coredns-miek-gieben.en.vtt\", language = \"en\" }]\n"),
        "{}",
        new.read("show/episodes.toml")
    );
    // The cut-off file was resumed: only its second half was sent again.
    let (_, sent) = server.served("media/coredns-miek-gieben.mp3");
    assert_eq!(sent, (mp3.len() - mp3.len() / 2) as u64);
    let manifest = new.read("show/episodes.toml");
    assert!(
        manifest.contains("media = [\"media/coredns-miek-gieben.mp3\", \"media/coredns-miek-gieben.ogg\"]"),
        "{manifest}"
    );
    // The enclosures move to the new host: the first build says so and needs --allow-changes.
    let args = ["build", "--manifest", "show/episodes.toml", "--as-of", "2026-06-01T00:00:00Z"];
    let refused = new.run(&args).fails(1);
    assert!(refused.stderr.contains("its media URL changed from http://127.0.0.1"), "{}", refused.stderr);
    new.run(&[&args[..], &["--allow-changes"]].concat()).ok();
    let before = items(&original.channel("feed.xml"));
    let after = items(&rss::Channel::read_from(new.read("show/public/feed.xml").as_bytes()).unwrap());
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "the same guids");
    for (guid, b) in &before {
        let a = &after[guid];
        // Title, date, duration, length, type and notes; only the URL moved.
        assert_eq!((&a[0], &a[1], &a[2], &a[4], &a[5], &a[6]), (&b[0], &b[1], &b[2], &b[4], &b[5], &b[6]), "{guid}");
        assert!(a[3].starts_with("https://new.example.org/podcast/media/"), "{}", a[3]);
    }
    let built = new.read("show/public/feed.xml");
    assert!(
        built.contains("episodes/coredns-miek-gieben/chapters.json\" type=\"application/json+chapters\""),
        "{built}"
    );
    assert!(built.contains("episodes/coredns-miek-gieben/transcript.vtt\" type=\"text/vtt\""), "{built}");
    assert!(built.contains("<itunes:image href=\"https://new.example.org/podcast/art/cover.jpg\"/>"), "{built}");
}

/// `import --download` fetches an episode's own art as it does the
/// show's; art that cannot be fetched (or is not what its name says)
/// keeps its URL at the old host, said, and the show is imported.
#[test]
fn download_fetches_the_art_or_keeps_its_url_and_says_so() {
    let (served, server) = two_mp3s_served();
    std::fs::copy(repo().join("media/cover.jpg"), served.path().join("ep1.jpg")).unwrap();
    std::fs::write(served.path().join("ep2.png"), b"GIF89a not a png").unwrap();
    let base = server.base();
    let art = |n: usize| match n {
        1 => format!("<itunes:image href=\"{base}ep1.jpg\"/>"),
        _ => format!("<itunes:image href=\"{base}ep2.png\"/>"),
    };
    let items = served_items(&base, &[&art(1), &art(2)]);
    let cover = format!("<itunes:category text=\"Arts\"/><itunes:image href=\"{base}gone.jpg\"/>");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed(&cover, &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--download"]).ok();
    let manifest = show.read("new/episodes.toml");
    assert!(manifest.contains(&format!("image = \"{base}gone.jpg\"")), "{manifest}");
    assert!(manifest.contains("image = \"art/episodes/ep-1.jpg\""), "{manifest}");
    assert!(manifest.contains(&format!("image = \"{base}ep2.png\"")), "{manifest}");
    assert_eq!(
        std::fs::read(show.path("new/art/episodes/ep-1.jpg")).unwrap(),
        std::fs::read(repo().join("media/cover.jpg")).unwrap()
    );
    assert!(!show.path("new/art/episodes/ep-2.png").exists());
    let said =
        format!("the show: its art {base}gone.jpg: the server answered 404 Not Found: kept at its address there");
    assert!(run.stderr.contains(&said), "{}", run.stderr);
    assert!(run.stderr.contains("is not a JPEG or PNG as its name says: kept at its address there"), "{}", run.stderr);
}

/// An owner e-mail as feeds write it (with a name, `mailto:`, two of them)
/// is read for its address; one that holds none is left out, said, and
/// the managing editor's taken instead (or a placeholder): the show is
/// imported, not refused for its owner's address.
#[test]
fn an_owner_email_as_hosts_write_it_is_read_for_its_address_or_left_out() {
    let feed = |email: &str, editor: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
             <channel><title>Show</title><link>https://old.example.com/</link><description>A show</description>\
             <language>en</language><itunes:category text=\"Arts\"/>{editor}\
             <itunes:owner><itunes:name>Ann</itunes:name><itunes:email>{email}</itunes:email></itunes:owner>\
             <item><title>One</title><guid>g1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>\
             <enclosure url=\"https://old.example.com/a.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>\
             </channel></rss>\n"
        )
    };
    let editor = "<managingEditor>ed@old.example.com (Ed)</managingEditor>";
    for (email, editor, expected, said) in [
        ("Ann Example &lt;mailto:ann@old.example.com&gt;", "", "ann@old.example.com", None),
        ("ann@old.example.com, bob@old.example.com", "", "ann@old.example.com", None),
        (
            "heated@to write a newsletter for todasubstack.com",
            editor,
            "ed@old.example.com",
            Some("is not an e-mail address: left out"),
        ),
        ("nobody", "", "you@example.com", Some("\"nobody\" is not an e-mail address")),
    ] {
        let show = Show::empty();
        std::fs::write(show.path("old.xml"), feed(email, editor)).unwrap();
        let run = show.run(&["import", "old.xml", "new"]).ok();
        let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
        assert_eq!(parsed.podcast.owner.email, expected, "{email}");
        if let Some(said) = said {
            assert!(run.stderr.contains(said), "{email}: {}", run.stderr);
        }
    }
}

/// A pubDate with a leap second (RFC 2822 allows `:60`) is imported as
/// that minute's 59th second, a date podsmith's manifest takes (the
/// fuzzer's strict import found it written as `:60` and the show refused).
#[test]
fn a_leap_second_in_a_pub_date_is_imported_as_the_59th() {
    let feed = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
        <channel><title>Show</title><link>https://old.example.com/</link><description>A show</description>\
        <language>en</language><itunes:category text=\"Arts\"/>\
        <itunes:owner><itunes:email>ann@old.example.com</itunes:email></itunes:owner>\
        <item><title>One</title><guid>g1</guid><pubDate>Sat, 31 Dec 2016 23:59:60 +0000</pubDate>\
        <enclosure url=\"https://old.example.com/a.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>\
        </channel></rss>\n";
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.episodes[0].date.to_rfc3339(), "2016-12-31T23:59:59+00:00");
}

/// A pubDate whose offset no zone has (RFC 2822 allows up to ±99:59) is
/// imported as the same moment in UTC, said in a note; two items whose
/// guids are one UUID in two cases are one episode to the manifest, so the
/// later is left out, said, and the import goes on.
#[test]
fn a_far_offset_and_a_uuid_in_two_cases_are_imported_as_the_manifest_takes_them() {
    let item = |title: &str, guid: &str, date: &str, file: &str| {
        format!(
            "<item><title>{title}</title><guid>{guid}</guid><pubDate>{date}</pubDate>\
             <enclosure url=\"https://old.example.com/{file}\" length=\"1\" type=\"audio/mpeg\"/></item>"
        )
    };
    let items = item("One", "0f8fad5b-d9cb-469f-a165-70867728950e", "Sat, 31 Dec 2016 23:00:00 +2300", "a.mp3")
        + &item("Two", "0F8FAD5B-D9CB-469F-A165-70867728950E", "Sun, 01 Jan 2017 10:00:00 +0000", "b.mp3");
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &items);
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    assert!(
        run.stderr.contains(
            "its date's offset +23:00 is more than 14 hours from UTC, which no time zone is and feed readers \
             refuse; the same moment is written in UTC, as 2016-12-31T00:00:00+00:00"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "its guid 0F8FAD5B-D9CB-469F-A165-70867728950E is an earlier item's, a UUID being the same whatever its case"
        ),
        "{}",
        run.stderr
    );
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.episodes.len(), 1);
    assert_eq!(parsed.episodes[0].date.to_rfc3339(), "2016-12-31T00:00:00+00:00");
}

/// A language in three letters where ISO 639 has two (`eng`, as some hosts
/// write it) is imported in two: the manifest, and Apple, take those; a
/// title over lines, on one.
#[test]
fn a_three_letter_language_and_titles_over_lines_are_imported_as_the_manifest_takes_them() {
    let feed = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
        <channel><title>The\n  Show</title><link>https://old.example.com/</link><description>A show</description>\
        <language>ENG-gb</language><itunes:category text=\"Arts\"/>\
        <itunes:owner><itunes:email>ann@old.example.com</itunes:email></itunes:owner>\
        <item><title>One,\r\ntwo</title><guid>g1</guid><pubDate>Sat, 31 Dec 2016 20:00:00 +0000</pubDate>\
        <enclosure url=\"https://old.example.com/a.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>\
        </channel></rss>\n";
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    assert!(!run.stderr.contains("language"), "{}", run.stderr);
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.podcast.language, "en-gb");
    // Titles over lines, as some hosts write them: one line.
    assert_eq!((parsed.podcast.title.as_str(), parsed.episodes[0].title.as_str()), ("The Show", "One, two"));
}

/// A feed that calls its show serial but leaves a full episode without a
/// number is imported as episodic, and said: podsmith's manifest (and
/// Apple) need a number on each full episode of a serial show, and the
/// import was refused whole (found by the strict import fuzz target).
#[test]
fn a_serial_feed_with_an_unnumbered_episode_is_imported_as_episodic_and_said() {
    let item = |n: u32, number: &str| {
        format!(
            "<item><title>Part {n}</title><guid>g{n}</guid><pubDate>{} 0{n} Jan 2024 10:00:00 +0000</pubDate>{number}\
             <enclosure url=\"https://old.example.com/{n}.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>",
            ["Mon,", "Tue,"][n as usize - 1]
        )
    };
    let feed = |items: String| {
        format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
             <channel><title>Show</title><link>https://old.example.com/</link><description>A show</description>\
             <language>en</language><itunes:category text=\"Arts\"/><itunes:type>serial</itunes:type>\
             <itunes:owner><itunes:email>ann@old.example.com</itunes:email></itunes:owner>{items}</channel></rss>\n"
        )
    };
    let numbered =
        format!("{}{}", item(1, "<itunes:episode>1</itunes:episode>"), item(2, "<itunes:episode>2</itunes:episode>"));
    let show = Show::empty();
    std::fs::write(show.path("numbered.xml"), feed(numbered)).unwrap();
    show.run(&["import", "numbered.xml", "a"]).ok();
    assert_eq!(podsmith::manifest::load(&show.path("a/episodes.toml")).unwrap().podcast.show_type.as_str(), "serial");
    let one_without = format!("{}{}", item(1, "<itunes:episode>1</itunes:episode>"), item(2, ""));
    std::fs::write(show.path("one-without.xml"), feed(one_without)).unwrap();
    let run = show.run(&["import", "one-without.xml", "b"]).ok();
    let parsed = podsmith::manifest::load(&show.path("b/episodes.toml")).unwrap();
    assert_eq!((parsed.podcast.show_type.as_str(), parsed.episodes.len()), ("episodic", 2));
    assert!(run.stderr.contains("1 of its full episodes has no number"), "{}", run.stderr);
}

/// Apple's tags are Apple's however the feed spells the namespace (with
/// `https://`, a slash more) or if it leaves the `itunes:` prefix
/// undeclared, as apps read them: such a feed was refused for want of a
/// category, or (given `--category`) lost its owner, cover, serial order
/// and episode numbers.
#[test]
fn apples_tags_are_read_whatever_the_feed_calls_their_namespace() {
    for (n, declared) in [
        " xmlns:itunes=\"https://www.itunes.com/dtds/podcast-1.0.dtd\"",
        " xmlns:itunes=\"http://itunes.com/dtds/podcast-1.0.dtd/\"",
        "",
    ]
    .into_iter()
    .enumerate()
    {
        let item = |n: u32| {
            format!(
                "<item><title>Part {n}</title><guid>g{n}</guid><pubDate>{} 0{n} Jan 2024 10:00:00 +0000</pubDate>\
                 <itunes:season>2</itunes:season><itunes:episode>{n}</itunes:episode>\
                 <itunes:episodeType>full</itunes:episodeType>\
                 <enclosure url=\"https://old.example.com/{n}.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>",
                ["Mon,", "Tue,"][n as usize - 1]
            )
        };
        let feed = format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"{declared}>\
             <channel><title>Show</title><link>https://old.example.com/</link><description>A show</description>\
             <language>en</language><itunes:category text=\"Arts\"/><itunes:type>serial</itunes:type>\
             <itunes:image href=\"https://old.example.com/cover.jpg\"/><itunes:explicit>yes</itunes:explicit>\
             <itunes:owner><itunes:name>Ann</itunes:name><itunes:email>ann@old.example.com</itunes:email></itunes:owner>\
             {}{}</channel></rss>\n",
            item(1),
            item(2)
        );
        let show = Show::empty();
        std::fs::write(show.path("old.xml"), feed).unwrap();
        let run = show.run(&["import", "old.xml", "new"]);
        assert_eq!(run.code, 0, "{n}: {}", run.stderr);
        let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
        let p = &parsed.podcast;
        assert_eq!(p.show_type.as_str(), "serial", "{n}");
        assert_eq!(p.categories.len(), 1, "{n}");
        assert_eq!(p.owner.email, "ann@old.example.com", "{n}");
        assert!(p.explicit, "{n}");
        let numbers: Vec<_> = parsed.episodes.iter().map(|e| (e.season, e.number)).collect();
        assert_eq!(numbers, [(Some(2), Some(1)), (Some(2), Some(2))], "{n}");
        let text = std::fs::read_to_string(show.path("new/episodes.toml")).unwrap();
        assert!(text.contains("https://old.example.com/cover.jpg"), "{n}: {text}");
    }
}

/// A feed without a `podcast:guid` of its own is known to Podcast Index by
/// the one Podcasting 2.0 makes from its URL: the import makes it from the
/// old feed's address and keeps it in the manifest, so the show stays the
/// same show at its new address (made from the new URL it would not be).
#[test]
fn a_feed_without_podcast_guid_keeps_the_one_made_from_its_old_url() {
    let feed = |self_link: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
             xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>Show</title><link>https://old.example.com/</link>\
             <description>A show</description><language>en</language>{self_link}<itunes:category text=\"Arts\"/>\
             <itunes:owner><itunes:email>ann@old.example.com</itunes:email></itunes:owner>\
             <item><title>One</title><guid>g1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>\
             <enclosure url=\"https://old.example.com/1.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>\
             </channel></rss>\n"
        )
    };
    let old_url = "https://feeds.old.example.com/show.xml";
    let show = Show::empty();
    std::fs::write(show.path("with-self.xml"), feed(&format!("<atom:link href=\"{old_url}\" rel=\"self\"/>"))).unwrap();
    show.run(&["import", "with-self.xml", "a", "--base-url", "https://new.example.org/show/"]).ok();
    let expected = podsmith::xmlns::podcast_guid(old_url);
    let parsed = podsmith::manifest::load(&show.path("a/episodes.toml")).unwrap();
    assert_eq!(parsed.podcast.guid.as_deref(), Some(expected.as_str()));
    assert_ne!(expected, podsmith::xmlns::podcast_guid("https://new.example.org/show/feed.xml"));
    assert!(show.read("a/podsmith.lock").contains(&format!("[show]\nguid = \"{expected}\"\n")));
    // Nothing tells the old feed's address: no guid is made up, and the
    // import says what that means and what to do.
    std::fs::write(show.path("no-self.xml"), feed("")).unwrap();
    let out = show.run(&["import", "no-self.xml", "b"]).ok();
    assert_eq!(podsmith::manifest::load(&show.path("b/episodes.toml")).unwrap().podcast.guid, None);
    assert!(
        out.stderr.contains("does not say its own address") && out.stderr.contains("podsmith import https://"),
        "{}",
        out.stderr
    );
    let with_self = show.run(&["import", "with-self.xml", "c"]).ok();
    assert!(!with_self.stderr.contains("does not say its own address"), "{}", with_self.stderr);
}

/// A feed of one show around `items`, with `channel` (more channel tags)
/// and the Podcasting 2.0 namespace declared.
fn crafted_feed(channel: &str, items: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
         xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"><channel><title>Show</title>\
         <link>https://old.example.com/</link><description>A show</description><language>en</language>\
         <itunes:owner><itunes:email>ann@old.example.com</itunes:email></itunes:owner>{channel}{items}</channel></rss>\n"
    )
}

/// An item of [`crafted_feed`]: guid `g{n}`, its own enclosure, `more` tags.
fn crafted_item(n: usize, date: &str, more: &str) -> String {
    format!(
        "<item><title>Ep {n}</title><guid>g{n}</guid><pubDate>{date}</pubDate>{more}\
         <enclosure url=\"https://old.example.com/{n}.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>"
    )
}

/// Dates as hosts write them beside RFC 2822 (a wrong weekday, no comma,
/// full names, no zone, `+00:00`, `CET`, ISO 8601, no time) are read as
/// apps read them, each item kept and said (the import dropped 11 of 21);
/// an item whose date is none, or that has none, is written commented
/// out, its date left to give, named with why (it was dropped: an episode
/// and its notes lost), and unlocked until a build publishes it.
#[test]
fn dates_apps_read_are_read_leniently_and_said_and_unreadable_ones_are_kept_commented_out() {
    let dates = [
        ("Mon, 01 Oct 2024 10:00:00 +0000", "2024-10-01T10:00:00+00:00"),
        ("Tue 01 Oct 2024 10:00:00 GMT", "2024-10-01T10:00:00+00:00"),
        ("Tue, 01 October 2024 10:00:00 GMT", "2024-10-01T10:00:00+00:00"),
        ("Tuesday, 01 Oct 2024 10:00:00 GMT", "2024-10-01T10:00:00+00:00"),
        ("Tue, 01 Oct 2024 10:00:00", "2024-10-01T10:00:00+00:00"),
        ("Tue, 01 Oct 2024 10:00:00 +02:00", "2024-10-01T10:00:00+02:00"),
        ("Tue, 01 Oct 2024 10:00:00 CEST", "2024-10-01T10:00:00+02:00"),
        ("2024-10-01T10:00:00-04:00", "2024-10-01T10:00:00-04:00"),
        ("12 August 2012", "2012-08-12T00:00:00+00:00"),
        ("Tue 11 Jan 2011", "2011-01-11T00:00:00+00:00"),
        ("Tue, 01 Oct 2024 24:00:00 +0000", "2024-10-02T00:00:00+00:00"),
    ];
    let mut items: String = dates.iter().enumerate().map(|(n, (d, _))| crafted_item(n + 1, d, "")).collect();
    items.push_str(&crafted_item(12, "Tue, 01 Oct 2024 10:00:00 +0000", ""));
    items.push_str(&crafted_item(13, "the day after tomorrow", ""));
    items.push_str(&crafted_item(14, "", "").replace("<pubDate></pubDate>", ""));
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let got: Vec<(String, String)> = parsed.episodes.iter().map(|e| (e.guid.clone(), e.date.to_rfc3339())).collect();
    let mut expected: Vec<(String, String)> =
        dates.iter().enumerate().map(|(n, (_, at))| (format!("g{}", n + 1), at.to_string())).collect();
    expected.push(("g12".into(), "2024-10-01T10:00:00+00:00".into()));
    assert_eq!(got, expected, "{}", run.stderr);
    // Each lenient date is said, naming its episode; an RFC 2822 one is not.
    for n in 1..=11 {
        let line = run.stderr.lines().find(|l| l.contains(&format!("\"Ep {n}\": its date"))).unwrap_or_else(|| {
            panic!("Ep {n} is not said: {}", run.stderr);
        });
        assert!(line.contains("read leniently"), "{line}");
    }
    assert!(!run.stderr.contains("\"Ep 12\": its date"), "{}", run.stderr);
    assert!(run.stderr.contains("1 Oct 2024 was a Tuesday"), "{}", run.stderr);
    assert!(run.stderr.contains("no time zone: read as UTC"), "{}", run.stderr);
    assert!(run.stderr.contains("24:00 read as midnight at the end of that day"), "{}", run.stderr);
    // The date that is none, and the missing one: each item named with why,
    // and kept, commented out, for its date to be given.
    assert!(
        run.stderr.contains(
            "2 items whose dates cannot be read were left out: \"Ep 13\" (its pubDate \"the day after tomorrow\" \
             cannot be read as a date"
        ) && run.stderr.contains("\"Ep 14\" (it has no pubDate)")
            && run.stderr.contains("they are at the end of episodes.toml as a comment"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not imported"), "{}", run.stderr);
    let text = show.read("new/episodes.toml");
    let (_, commented) = text.split_once("# Left out by the import: items whose date cannot be read").unwrap();
    assert!(commented.contains("# guid = \"g13\"") && commented.contains("# guid = \"g14\""), "{commented}");
    let lock = show.read("new/podsmith.lock");
    assert!(!lock.contains("g13") && !lock.contains("g14") && lock.contains("g12"), "{lock}");
    // Uncommented as they are, the build says which date to give, and where.
    let uncommented: String =
        commented.lines().skip(2).map(|l| l.trim_start_matches('#').trim_start()).map(|l| format!("{l}\n")).collect();
    std::fs::write(show.path("new/episodes.toml"), format!("{text}\n{uncommented}")).unwrap();
    let problems = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap_err();
    let said = problems.to_string() + &format!("{problems:?}");
    assert!(said.contains("date"), "{said}");
    // With their dates given, both are episodes of the show.
    let dated = uncommented.replace("date = \"\"", "date = \"2024-10-03T10:00:00Z\"");
    std::fs::write(show.path("new/episodes.toml"), format!("{text}\n{dated}")).unwrap();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.episodes.len(), 14);
}

/// An item without a title takes its `itunes:title`, said; one with
/// neither is "Untitled", said, with a comment to give it one.
#[test]
fn an_item_without_a_title_takes_apples_or_is_untitled_and_said() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let items = crafted_item(1, date, "<itunes:title>Apple's own</itunes:title>").replace("<title>Ep 1</title>", "")
        + &crafted_item(2, date, "").replace("<title>Ep 2</title>", "<title> </title>");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let titles: Vec<&str> = parsed.episodes.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Apple's own", "Untitled"]);
    assert!(run.stderr.contains("item 1 had no title: its itunes:title is its title"), "{}", run.stderr);
    assert!(run.stderr.contains("item 2 had no title: \"Untitled\" is written; give it one"), "{}", run.stderr);
    assert!(show.read("new/episodes.toml").contains("# the item had no title: give it one\ntitle = \"Untitled\""));
}

/// A weekday in another language (`Mié,` as Spanish WordPress feeds
/// write it, `Do,` in German) is ignored as apps ignore it, as a wrong
/// English one is, and so is a month's name in one (`Mär`): the item is
/// kept, locked, and said (each was left out as no date: an episode lost).
#[test]
fn a_weekday_or_month_in_another_language_is_read_and_said_and_keeps_its_item() {
    let dates = [
        ("Mié, 01 Mar 2023 10:00:00 +0100", "2023-03-01T10:00:00+01:00", "\"Mié\" is not written in English"),
        ("Do, 02 Mär 2023 10:00:00 +0100", "2023-03-02T10:00:00+01:00", "\"Mär\" is not written in English"),
        ("Fri, 01 Mar 2023 10:00:00 +0100", "2023-03-01T10:00:00+01:00", "1 Mar 2023 was a Wednesday"),
    ];
    let items: String = dates.iter().enumerate().map(|(n, (d, _, _))| crafted_item(n + 1, d, "")).collect();
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let got: Vec<(String, String)> = parsed.episodes.iter().map(|e| (e.guid.clone(), e.date.to_rfc3339())).collect();
    let expected: Vec<(String, String)> =
        dates.iter().enumerate().map(|(n, (_, at, _))| (format!("g{}", n + 1), at.to_string())).collect();
    assert_eq!(got, expected, "{}", run.stderr);
    for (n, (_, _, why)) in dates.iter().enumerate() {
        let line = run.stderr.lines().find(|l| l.contains(&format!("\"Ep {}\": its date", n + 1)));
        let line = line.unwrap_or_else(|| panic!("Ep {} is not said: {}", n + 1, run.stderr));
        assert!(line.contains("read leniently") && line.contains(why), "{line}");
    }
    assert!(!run.stderr.contains("not imported"), "{}", run.stderr);
    let lock = show.read("new/podsmith.lock");
    assert!(["g1", "g2", "g3"].iter().all(|g| lock.contains(&format!("guid = \"{g}\""))), "{lock}");
}

/// A real Libsyn feed whose dates are half RFC 2822, half not (no comma,
/// `July`, `December`, `Tue 11 Jan 2011`): every item with its own file is
/// imported (24 of 50 were dropped).
#[test]
fn a_real_feed_with_loose_dates_keeps_every_item() {
    let show = Show::empty();
    let feed = repo().join("tests/fixtures/real-feeds/rssparser-taverncast-libsyn.xml").display().to_string();
    let run = show.run(&["import", &feed, "show", "--category", "Technology"]).ok();
    // (One item repeats an earlier one's file: apps keep the first.)
    assert!(run.stderr.contains("Imported 49 episodes"), "{}", run.stderr);
    assert!(!run.stderr.contains("cannot be read as a date"), "{}", run.stderr);
    assert!(run.stderr.contains("\"Tue, 20 December 2011 10:00:00 EST\" is not RFC 2822"), "{}", run.stderr);
}

/// Apple's categories from before 2019 are mapped to their current names
/// (as `categories.rs` records Apple's moves), and said; a feed whose
/// categories all needed mapping imports. Every subcategory of a category
/// is kept (the rss crate reads only the first).
#[test]
fn legacy_categories_are_mapped_and_every_subcategory_is_kept() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "<itunes:category text=\"News &amp; Politics\"/>\
             <itunes:category text=\"Games &amp; Hobbies\"><itunes:category text=\"Video Games\"/></itunes:category>",
            &["News", "Leisure > Video Games"],
        ),
        (
            "<itunes:category text=\"Science &amp; Medicine\"><itunes:category text=\"Medicine\"/></itunes:category>\
             <itunes:category text=\"Arts\"><itunes:category text=\"Literature\"/></itunes:category>",
            &["Health & Fitness > Medicine", "Arts > Books"],
        ),
        (
            "<itunes:category text=\"Society &amp; Culture\"><itunes:category text=\"Documentary\"/>\
             <itunes:category text=\"Philosophy\"/><itunes:category text=\"Knitting\"/></itunes:category>\
             <itunes:category text=\"Technology\"/>",
            &["Society & Culture > Documentary", "Society & Culture > Philosophy", "Society & Culture", "Technology"],
        ),
    ];
    for (n, (channel, expected)) in cases.into_iter().enumerate() {
        let show = Show::empty();
        let feed = crafted_feed(channel, &crafted_item(1, "Tue, 01 Oct 2024 10:00:00 +0000", ""));
        std::fs::write(show.path("old.xml"), feed).unwrap();
        let run = show.run(&["import", "old.xml", "new"]);
        assert_eq!(run.code, 0, "{n}: {}", run.stderr);
        let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
        let got: Vec<String> = parsed.podcast.categories.iter().map(|c| c.label()).collect();
        assert_eq!(got, expected, "{n}: {}", run.stderr);
        if n == 0 {
            assert!(
                run.stderr.contains("\"News & Politics\" (a name Apple retired in 2019) is mapped to \"News\""),
                "{}",
                run.stderr
            );
            assert!(run.stderr.contains("mapped to \"Leisure > Video Games\""), "{}", run.stderr);
        }
        if n == 2 {
            let said = "category \"Society & Culture > Knitting\" is not in Apple's current list: its subcategory is \
                        left out";
            assert!(run.stderr.contains(said), "{}", run.stderr);
        }
    }
}

/// A show its owner blocked (or called complete) stays so after the move:
/// `block` and `complete` are imported, and said; an episode the feed
/// blocked, which the manifest cannot say, is said loudly, and so is a
/// block for one platform only.
#[test]
fn a_blocked_or_complete_show_stays_so_and_what_cannot_be_kept_is_said() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let channel =
        "<itunes:category text=\"Arts\"/><itunes:block>Yes</itunes:block><itunes:complete>Yes</itunes:complete>";
    let items = format!("{}{}", crafted_item(1, date, "<itunes:block>yes</itunes:block>"), crafted_item(2, date, ""));
    let show = Show::empty();
    std::fs::write(show.path("blocked.xml"), crafted_feed(channel, &items)).unwrap();
    let run = show.run(&["import", "blocked.xml", "a"]).ok();
    let parsed = podsmith::manifest::load(&show.path("a/episodes.toml")).unwrap();
    assert_eq!((parsed.podcast.block, parsed.podcast.complete), (true, true), "{}", run.stderr);
    assert!(run.stderr.contains("imported as block = true"), "{}", run.stderr);
    assert!(run.stderr.contains("imported as complete = true"), "{}", run.stderr);
    assert!(
        run.stderr.contains("the feed blocks 1 episode in Apple Podcasts (itunes:block on the item)")
            && run.stderr.contains("WILL be listed after the move: \"Ep 1\""),
        "{}",
        run.stderr
    );
    // Blocked on one platform only: not blocked everywhere, and said.
    let channel = "<itunes:category text=\"Arts\"/><podcast:block id=\"spotify\">yes</podcast:block>";
    std::fs::write(show.path("some.xml"), crafted_feed(channel, &crafted_item(1, date, ""))).unwrap();
    let run = show.run(&["import", "some.xml", "b"]).ok();
    let parsed = podsmith::manifest::load(&show.path("b/episodes.toml")).unwrap();
    assert_eq!((parsed.podcast.block, parsed.podcast.complete), (false, false));
    assert!(run.stderr.contains("blocks the show on spotify only"), "{}", run.stderr);
}

/// The Podcasting 2.0 tags the manifest holds come along from a real
/// feed (value, txt, location, update frequency, podroll; each episode's
/// people, licence, soundbites, season name, value); each kind of tag it
/// cannot hold is said once.
#[test]
fn podcasting_20_tags_the_manifest_holds_are_imported_and_the_others_said_once_each() {
    let show = Show::empty();
    let feed = repo().join("tests/fixtures/real-feeds/partytime-mike-neumann-show-sovereign.xml").display().to_string();
    let run = show.run(&["import", &feed, "show", "--category", "Technology"]).ok();
    let parsed = podsmith::manifest::load(&show.path("show/episodes.toml")).unwrap();
    let tags = &parsed.podcast.tags;
    let value = tags.value.as_ref().expect("the channel's podcast:value");
    assert_eq!((value.kind.as_str(), value.method.as_str(), value.recipients.len()), ("lightning", "keysend", 4));
    assert_eq!(value.recipients[0].custom_key.as_deref(), Some("906608"));
    assert_eq!(tags.txt.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(), ["RhRhP4I9dvGyTwpoxlgcug=="]);
    let location = tags.location.as_ref().unwrap();
    assert_eq!((location.name.as_str(), location.osm.as_deref()), ("Gitmo Nation", Some("R148838")));
    let frequency = tags.update_frequency.as_ref().unwrap();
    assert_eq!(frequency.rrule.as_deref(), Some("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"));
    assert_eq!(tags.podroll.len(), 5);
    // The one podroll feed served over http keeps its guid, not its URL (the namespace requires https).
    assert_eq!(tags.podroll.iter().filter(|r| r.feed_url.is_none()).count(), 1);
    assert!(run.stderr.contains("\"http://feed.nashownotes.com/rss.xml\" is not https"), "{}", run.stderr);
    let episodes = &parsed.episodes;
    assert!(episodes.iter().any(|e| e.tags.season_name.as_deref() == Some("Supper with Dr. Tim")));
    assert!(episodes.iter().any(|e| e.tags.soundbites.len() == 2));
    assert!(episodes.iter().any(|e| !e.tags.persons.is_empty()));
    assert!(episodes.iter().any(|e| e.tags.value.is_some()));
    // Each kind of tag left out is said once.
    for kind in ["podcast:txt", "podcast:valueTimeSplit"] {
        let said = run.stderr.lines().filter(|l| l.contains(&format!("{kind} was left out"))).count();
        assert_eq!(said, 1, "{kind}: {}", run.stderr);
    }
}

/// A value of a Podcasting 2.0 tag the manifest would refuse is left out
/// of the import (the import would otherwise fail), and said: once per
/// kind of value and reason, however many items have one.
#[test]
fn podcasting_20_values_the_manifest_would_refuse_are_left_out_and_said_once_per_kind() {
    let show = Show::empty();
    let date = "Mon, 01 Oct 2024 10:00:00 +0000";
    let channel = "<itunes:category text=\"Arts\"/><podcast:medium>radio-show</podcast:medium>\
        <podcast:funding url=\"ftp://fund.example.com/\">Support</podcast:funding>\
        <podcast:funding url=\"http://tips.example.com/\">Tip jar</podcast:funding>\
        <podcast:location geo=\"geo:north\" rel=\"home\" country=\"PT\">Lisbon</podcast:location>\
        <podcast:updateFrequency rrule=\"WEEKLY\">Weekly</podcast:updateFrequency>\
        <podcast:license>CC-BY-40</podcast:license>\
        <podcast:podroll><podcast:remoteItem feedGuid=\"not-a-uuid\"/></podcast:podroll>\
        <podcast:value type=\"lightning\" method=\"keysend\"><podcast:valueRecipient type=\"node\" address=\"02ab\" split=\"none\"/>\
        <podcast:valueRecipient type=\"node\" address=\"02ab\" split=\"10\"/></podcast:value>";
    let bad = "<podcast:soundbite startTime=\"10\" duration=\"900\">Too long</podcast:soundbite>\
        <podcast:season>first</podcast:season><podcast:person img=\"http://img.example.com/a.jpg\">Ann</podcast:person>\
        <podcast:license url=\"ftp://example.com/l\">cc-by-4.0</podcast:license>";
    // Alternate enclosures: the enclosure itself (nothing to say), a video,
    // a second MP3, an Ogg without a URL.
    let alternates = |n: usize| {
        format!(
            "<podcast:alternateEnclosure type=\"audio/mpeg\" default=\"true\"><podcast:source uri=\"https://old.example.com/{n}.mp3\"/></podcast:alternateEnclosure>\
             <podcast:alternateEnclosure type=\"video/mp4\"><podcast:source uri=\"https://old.example.com/{n}.mp4\"/></podcast:alternateEnclosure>\
             <podcast:alternateEnclosure type=\"audio/mpeg\"><podcast:source uri=\"https://old.example.com/{n}-low.mp3\"/></podcast:alternateEnclosure>\
             <podcast:alternateEnclosure type=\"audio/ogg\"><podcast:source uri=\"not a URL\"/></podcast:alternateEnclosure>"
        )
    };
    let items: String = (1..=3).map(|n| crafted_item(n, date, &format!("{bad}{}", alternates(n)))).collect();
    std::fs::write(show.path("some.xml"), crafted_feed(channel, &items)).unwrap();
    let run = show.run(&["import", "some.xml", "b"]).ok();
    let parsed = podsmith::manifest::load(&show.path("b/episodes.toml")).unwrap();
    // What can be kept of each tag is kept.
    let tags = &parsed.podcast.tags;
    let place =
        tags.location.as_ref().map(|l| (l.name.as_str(), l.geo.is_none(), l.rel.is_none(), l.country.as_deref()));
    assert_eq!(place, Some(("Lisbon", true, true, Some("PT"))));
    assert_eq!(tags.update_frequency.as_ref().map(|u| u.rrule.is_none()), Some(true));
    assert!(tags.value.is_none() && tags.podroll.is_empty() && tags.license.is_none());
    // (An http funding page the manifest takes, with the namespace's warning.)
    assert_eq!(tags.funding.iter().map(|f| f.url.as_str()).collect::<Vec<_>>(), ["http://tips.example.com/"]);
    // An SPDX identifier (in any case) is kept without the URL that could not be.
    assert!(parsed.episodes.iter().all(|e| e.tags.license.as_ref().is_some_and(|l| l.name == "cc-by-4.0")));
    assert!(parsed.episodes.iter().all(|e| e.tags.soundbites.is_empty() && e.season.is_none()));
    assert!(parsed.episodes.iter().all(|e| e.tags.persons.len() == 1 && e.tags.persons[0].img.is_none()));
    assert!(parsed.episodes.iter().all(|e| e.media.len() == 1), "only the enclosure is an episode's medium");
    assert_eq!(run.stderr.matches("podcast:alternateEnclosure").count(), 3, "{}", run.stderr);
    for said in [
        "a podcast:medium was left out: not one of the namespace's mediums",
        "a podcast:funding url was left out: not an http(s) URL",
        "a podcast:location geo was left out: not geo:LATITUDE,LONGITUDE",
        "a podcast:updateFrequency rrule was left out: not an RFC 5545 rule",
        "a podcast:remoteItem was left out: without a feedGuid that is a UUID",
        "a podcast:valueRecipient was left out: without a type, an address, or a split of 1 or more",
        "a podcast:valueRecipient address was left out: not a node's public key (66 hex digits, 02 or 03 first)",
        "a podcast:location rel was left out: not subject or creator",
        "a podcast:value was left out: without a recipient it could pay",
        "3 podcast:soundbite values were left out: without a start time, or with a duration not over 0 and up to 600 s",
        "3 podcast:season values were left out: not a whole number from 1",
        "3 podcast:person img values were left out: not an https URL",
        "3 podcast:license url values were left out: not an https URL",
        "a podcast:license was left out: neither an SPDX identifier nor given with its licence's https URL",
        "3 podcast:alternateEnclosure values were left out: not audio",
        "3 podcast:alternateEnclosure values were left out: of a type the episode has already",
        "3 podcast:alternateEnclosure values were left out: without a source whose uri is an http(s) URL",
    ] {
        assert_eq!(run.stderr.matches(said).count(), 1, "{said}: {}", run.stderr);
    }
}

/// `1.mp3` and `2.mp3` (a real MP3 each) served by a real HTTP server on
/// 127.0.0.1, with the folder that holds them (kept while the server is).
fn two_mp3s_served() -> (tempfile::TempDir, Server) {
    let served = tempfile::tempdir().unwrap();
    for name in ["1.mp3", "2.mp3"] {
        std::fs::copy(audio("cbr-xing.mp3"), served.path().join(name)).unwrap();
    }
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    (served, server)
}

/// A trailer whose media are served over http is left out (each trailer
/// is published as podcast:trailer too, which must be https: every build
/// failed), said, and kept as a comment to put back; the show builds.
#[test]
fn a_trailer_served_over_http_is_left_out_and_said_so_the_show_builds() {
    let (_served, server) = two_mp3s_served();
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let trailer = crafted_item(2, date, "<itunes:episodeType>trailer</itunes:episodeType>")
        .replace("https://old.example.com/", &server.base());
    let items = format!("{}{trailer}", crafted_item(1, date, "").replace("https://old.example.com/", &server.base()));
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--base-url", "https://new.example.org/podcast/"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.episodes.iter().map(|e| e.guid.as_str()).collect::<Vec<_>>(), ["g1"]);
    let url = format!("{}2.mp3", server.base());
    assert!(
        run.stderr.contains(&format!("1 trailer served over http was left out: \"Ep 2\" ({url})"))
            && run.stderr.contains("P20-HTTPS"),
        "{}",
        run.stderr
    );
    let manifest = show.read("new/episodes.toml");
    assert!(manifest.contains("# [[episode]]\n# title = \"Ep 2\"\n"), "{manifest}");
    assert!(manifest.contains(&format!("# media = [\"{url}\"]")), "{manifest}");
    show.run(&["build", "--manifest", "new/episodes.toml", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    // A feed of that trailer alone is refused, with why.
    std::fs::write(show.path("alone.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &trailer)).unwrap();
    let refused = show.run(&["import", "alone.xml", "alone"]).fails(1);
    assert!(refused.stderr.contains("a trailer served over http"), "{}", refused.stderr);
}

/// Enclosure URLs apps play though a feed may not carry them so (a space,
/// an upper-case scheme, `|` in the query) are kept, spelled as a feed
/// carries them (the same address, as apps request it), and said; the
/// episode keeps its guid (one without a guid, its URL as published). One
/// apps cannot fetch either is left out with exactly why.
#[test]
fn enclosure_urls_apps_play_are_kept_spelled_as_a_feed_carries_them_and_said() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let item = |n: usize, url: &str, guid: bool| {
        let guid = if guid { format!("<guid>g{n}</guid>") } else { String::new() };
        format!(
            "<item><title>Ep {n}</title>{guid}<pubDate>{date}</pubDate>\
             <enclosure url=\"{url}\" length=\"1\" type=\"audio/mpeg\"/></item>"
        )
    };
    let items = [
        item(1, "https://old.example.com/my ep.mp3", true),
        item(2, "HTTP://old.example.com/2.mp3", true),
        item(3, "Https://Old.Example.com/3.mp3", false),
        item(4, "https://old.example.com/4.mp3?q=a|b", true),
        item(5, "ftp://old.example.com/5.mp3", true),
    ]
    .concat();
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let got: Vec<(&str, &str)> = parsed.episodes.iter().map(|e| (e.guid.as_str(), e.media[0].key())).collect();
    assert_eq!(
        got,
        [
            ("g1", "https://old.example.com/my%20ep.mp3"),
            ("g2", "http://old.example.com/2.mp3"),
            ("Https://Old.Example.com/3.mp3", "https://Old.Example.com/3.mp3"),
            ("g4", "https://old.example.com/4.mp3?q=a%7Cb"),
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "\"Ep 1\": its enclosure URL \"https://old.example.com/my ep.mp3\" is written \
             \"https://old.example.com/my%20ep.mp3\", the same file as apps request it"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "\"Ep 5\" (its enclosure URL \"ftp://old.example.com/5.mp3\" is a ftp: URL; podcast apps fetch only \
             http(s)"
        ),
        "{}",
        run.stderr
    );
    // The published URLs are locked as the manifest has them: the first build changes nothing.
    assert!(show.read("new/podsmith.lock").contains("https://old.example.com/my%20ep.mp3"));
}

/// An item with several enclosures keeps its first (which apps play) as
/// its published media, locked; a later one of another format becomes the
/// episode's other format; one of a format it has already is left out,
/// naming the item (the import took the last: an MP3 then an OGG was
/// imported as OGG alone, which the build refused and the lock kept).
/// The show builds with the same guid and enclosure URL.
#[test]
fn an_items_first_enclosure_is_its_media_and_later_ones_of_other_formats_are_its_other_formats() {
    let served = tempfile::tempdir().unwrap();
    for (from, name) in [("cbr-xing.mp3", "1.mp3"), ("vorbis.ogg", "1.ogg"), ("vbr-xing.mp3", "1-hq.mp3")] {
        std::fs::copy(audio(from), served.path().join(name)).unwrap();
    }
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let base = server.base();
    let enclosure = |name: &str, kind: &str| format!("<enclosure url=\"{base}{name}\" length=\"1\" type=\"{kind}\"/>");
    let items = format!(
        "<item><title>Ep 1</title><guid>g1</guid><pubDate>Tue, 01 Oct 2024 10:00:00 +0000</pubDate>{}{}{}</item>",
        enclosure("1.mp3", "audio/mpeg"),
        enclosure("1.ogg", "audio/ogg"),
        enclosure("1-hq.mp3", "audio/mpeg")
    );
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let media: Vec<&str> = parsed.episodes[0].media.iter().map(|m| m.key()).collect();
    let (mp3, ogg) = (format!("{base}1.mp3"), format!("{base}1.ogg"));
    assert_eq!(media, [mp3.as_str(), ogg.as_str()], "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "\"Ep 1\": has another <enclosure> after its first, \"{base}1-hq.mp3\", left out (MP3, a format the \
             episode has already"
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("alone"), "{}", run.stderr);
    let lock = show.read("new/podsmith.lock");
    assert!(lock.contains(&format!("urls = [\"{mp3}\", \"{ogg}\"]")), "{lock}");
    // The first build passes, publishing the same guid and enclosure.
    let built = show.run(&["build", "--manifest", "new/episodes.toml", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!built.stderr.contains("IDENTITY"), "{}", built.stderr);
    let channel = rss::Channel::read_from(show.read("new/public/feed.xml").as_bytes()).unwrap();
    let item = &channel.items()[0];
    assert_eq!((item.guid().unwrap().value(), item.enclosure().unwrap().url()), ("g1", mp3.as_str()));
}

/// An enclosure URL with a letter outside ASCII (`café.mp3`, as hosts
/// serve them) is kept percent-encoded (as UTF-8), the address apps
/// request, in the manifest and the lock, and said; the build measures it
/// there (the request line percent-encoded too) and passes with the same
/// guid and that URL (the raw one was locked, and the build refused it,
/// APPLE-IT-ENCL-ASCII).
#[test]
fn an_enclosure_url_outside_ascii_is_kept_percent_encoded_as_apps_request_it_and_said() {
    let served = tempfile::tempdir().unwrap();
    // (The test server takes the request's path as it is, not decoded.)
    std::fs::copy(audio("cbr-xing.mp3"), served.path().join("caf%C3%A9.mp3")).unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let base = server.base();
    let items = format!(
        "<item><title>Ep 1</title><guid>g1</guid><pubDate>Tue, 01 Oct 2024 10:00:00 +0000</pubDate>\
         <enclosure url=\"{base}café.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>"
    );
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let encoded = format!("{base}caf%C3%A9.mp3");
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.episodes[0].media[0].key(), encoded, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "\"Ep 1\": its enclosure URL \"{base}café.mp3\" is written \"{encoded}\", the same file as apps request it"
        )),
        "{}",
        run.stderr
    );
    assert!(show.read("new/podsmith.lock").contains(&format!("urls = [\"{encoded}\"]")));
    let built = show.run(&["build", "--manifest", "new/episodes.toml", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!built.stderr.contains("ENCL-ASCII") && !built.stderr.contains("IDENTITY"), "{}", built.stderr);
    assert!(server.served_with("GET", "caf%C3%A9.mp3") > 0, "{:?}", server.log());
    let channel = rss::Channel::read_from(show.read("new/public/feed.xml").as_bytes()).unwrap();
    let item = &channel.items()[0];
    assert_eq!((item.guid().unwrap().value(), item.enclosure().unwrap().url()), ("g1", encoded.as_str()));
}

/// A show folder holding `old.xml`, a feed of one episode.
fn one_item_feed() -> Show {
    let show = Show::empty();
    let feed =
        crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, "Tue, 01 Oct 2024 10:00:00 +0000", ""));
    std::fs::write(show.path("old.xml"), feed).unwrap();
    show
}

/// A `--base-url` that is no URL is a usage error naming the flag (it
/// named a line of an episodes.toml never written); nothing is written.
#[test]
fn a_bad_base_url_is_a_usage_error_naming_the_flag() {
    let show = one_item_feed();
    for bad in ["not a url", "https://example.org/podcast/?x=1"] {
        let run = show.run(&["import", "old.xml", "new", "--base-url", bad]).fails(2);
        assert!(run.stderr.contains(&format!("--base-url \"{bad}\"")), "{bad}: {}", run.stderr);
        assert!(!run.stderr.contains("episodes.toml"), "{bad}: {}", run.stderr);
        assert!(!show.path("new").exists(), "{bad}");
    }
}

/// Imports (or an import and an init) into one folder take turns: one
/// holding the folder's lock makes the next wait, or stop with
/// `--no-wait` having written nothing there; a feed that cannot be read
/// makes no folder (nor a lock in it).
#[test]
fn an_import_waits_for_another_command_in_its_folder_or_stops_with_no_wait() {
    use podsmith::show_lock::{Access, ShowLock, Wait};
    let show = one_item_feed();
    std::fs::create_dir_all(show.path("new")).unwrap();
    let held = ShowLock::acquire(&show.path("new"), Access::Exclusive, Wait::No, "import (a test)").unwrap();
    let run = show.run(&["import", "old.xml", "new", "--no-wait"]).fails(2);
    assert!(run.stderr.contains("another podsmith command is working on this show"), "{}", run.stderr);
    assert!(!show.path("new/episodes.toml").exists() && !show.path("new/podsmith.lock").exists());
    drop(held);
    show.run(&["import", "old.xml", "new"]).ok();
    assert!(podsmith::manifest::load(&show.path("new/episodes.toml")).is_ok());
    std::fs::write(show.path("not-a-feed.xml"), "<html>moved</html>").unwrap();
    let run = show.run(&["import", "not-a-feed.xml", "other"]).fails(1);
    assert!(run.stderr.contains("not-a-feed.xml: not an RSS feed podsmith can read"), "{}", run.stderr);
    assert!(!show.path("other").exists());
}

/// An item dated in the future is imported as scheduled, and said; it is
/// not locked as published, so the first build does not refuse the show
/// ("give it back the date it was published with").
#[test]
fn an_item_dated_in_the_future_is_imported_as_scheduled_and_said() {
    let (_served, server) = two_mp3s_served();
    let future = "Thu, 01 Oct 2099 10:00:00 +0000";
    let items = format!("{}{}", crafted_item(1, "Tue, 01 Oct 2024 10:00:00 +0000", ""), crafted_item(2, future, ""))
        .replace("https://old.example.com/", &server.base());
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--base-url", "https://new.example.org/podcast/"]).ok();
    assert!(
        run.stderr
            .contains("\"Ep 2\" is dated 2099-10-01T10:00:00+00:00, in the future: it is imported as a scheduled"),
        "{}",
        run.stderr
    );
    assert_eq!(podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap().episodes.len(), 2);
    let built = show.run(&["build", "--manifest", "new/episodes.toml"]).ok();
    assert!(!built.stderr.contains("give it back the date"), "{}", built.stderr);
    let feed = show.read("new/public/feed.xml");
    assert!(feed.contains("<guid isPermaLink=\"false\">g1</guid>") && !feed.contains(">g2<"), "{feed}");
}

/// Each item's `itunes:title` in a feed's `bytes`, trimmed, in order.
fn apple_titles(bytes: &[u8]) -> Option<Vec<Option<String>>> {
    use podsmith::validate::xml::{self, Ns};
    let doc = xml::parse(bytes, &mut Vec::new())?;
    let channel = doc.child(doc.nodes.first()?, &Ns::Rss, "channel")?;
    let title =
        |item| doc.child(item, &Ns::Itunes, "title").map(|n| n.text.trim().to_string()).filter(|t| !t.is_empty());
    Some(doc.children(channel, &Ns::Rss, "item").map(title).collect())
}

/// Whether item `at` has an `itunes:title` other than its title.
fn said_differs(titles: Option<&Vec<Option<String>>>, at: usize, title: Option<&str>) -> bool {
    titles.and_then(|t| t[at].as_deref()).is_some_and(|t| Some(t) != title.map(str::trim))
}

/// The imported show's feed (`new_bytes`) has the items of the feed
/// `name` (`original_bytes`): the same guids, titles, Apple's titles, dates to the second and
/// notes' words. Returns how many items had an `itunes:title` of their own.
fn same_episodes(name: &str, original_bytes: &[u8], new_bytes: &[u8]) -> usize {
    let original = rss::Channel::read_from(original_bytes).unwrap();
    let new = rss::Channel::read_from(new_bytes).unwrap();
    // The title Apple shows (itunes:title), as the original gave it where
    // it did (an art19 feed's "10 | Cincinnatus" is "Cincinnatus" to Apple).
    let (old_apple, new_apple) = (apple_titles(original_bytes), apple_titles(new_bytes));
    let mut apple_titled = 0;
    // The text without its spacing: block boundaries are spaced differently in Markdown.
    let words = |s: &str| podsmith::import::html::decode(&text_of(s)).split_whitespace().collect::<String>();
    for item in new.items() {
        let guid = item.guid().unwrap().value();
        let old = original
            .items()
            .iter()
            .find(|i| {
                i.guid().map(|g| g.value().trim()) == Some(guid)
                    || i.enclosure().is_some_and(|e| e.url().trim() == guid)
            })
            .unwrap_or_else(|| panic!("{name}: {guid} is not an item of the feed"));
        assert_eq!(item.title().map(str::trim), old.title().map(str::trim).or(Some("Untitled")), "{name} {guid}");
        let at = |items: &[rss::Item], i: &rss::Item| items.iter().position(|x| std::ptr::eq(x, i));
        let (old_at, new_at) = (at(original.items(), old).unwrap(), at(new.items(), item).unwrap());
        let said = old_apple.as_ref().and_then(|t| t[old_at].clone());
        let want = said.unwrap_or_else(|| item.title().unwrap_or_default().trim().to_string());
        if said_differs(old_apple.as_ref(), old_at, old.title()) {
            apple_titled += 1;
        }
        assert_eq!(
            new_apple.as_ref().and_then(|t| t[new_at].clone()).as_deref(),
            Some(want.as_str()),
            "{name} {guid}: itunes:title"
        );
        let date = |d: Option<&str>| podsmith_date(d.unwrap_or_default());
        assert_eq!(date(item.pub_date()), date(old.pub_date()), "{name} {guid}: the date");
        // (Scripts are left out of a page's notes, and said so.)
        let before = words(&without_scripts(old.content().or(old.description()).unwrap_or_default()));
        // (The whole notes: the description is cut to Apple's 4000 bytes.)
        let after = words(item.content().unwrap_or_default());
        assert_eq!(after.replace('\u{a0}', " "), before.replace('\u{a0}', " "), "{name} {guid}: the notes' words");
    }
    apple_titled
}

/// What `podsmith import` of a feed of `bytes` (saved as `name` in `show`)
/// says, and the manifest it writes, without its first line (which names
/// the feed).
fn imported_from(show: &Show, name: &str, bytes: &[u8]) -> (String, String) {
    std::fs::write(show.path(name), bytes).unwrap();
    let run = show.run(&["import", name, &format!("{name}.show")]).ok();
    let manifest = show.read(&format!("{name}.show/episodes.toml"));
    (run.stderr, manifest.lines().skip(1).collect::<Vec<_>>().join("\n"))
}

/// A feed saved as UTF-16 (with a byte-order mark, or without one: `<?`
/// in UTF-16), declaring so, is read as UTF-16 (the rss crate cannot) and
/// said: the same manifest as from the same feed in UTF-8.
#[test]
fn a_utf16_feed_is_imported_as_its_utf8_twin() {
    let (original, _served, _server) = published_sample();
    let utf8 = original.read("public/feed.xml");
    let declared = utf8.replacen("encoding=\"UTF-8\"", "encoding=\"UTF-16\"", 1);
    assert_ne!(declared, utf8);
    let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(declared.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let be: Vec<u8> = declared.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let new = Show::empty();
    let import = |name: &str, bytes: &[u8]| imported_from(&new, name, bytes);
    let (said, manifest) = import("utf8.xml", utf8.as_bytes());
    assert!(!said.contains("UTF-16"), "{said}");
    for (name, bytes, order) in [("le.xml", &le, "little-endian"), ("be.xml", &be, "big-endian")] {
        let (said, from_utf16) = import(name, bytes);
        assert!(said.contains(&format!("warning: the feed is UTF-16 ({order}): read as such")), "{said}");
        assert_eq!(from_utf16, manifest, "{name}");
    }
}

/// A feed saved in ISO-8859-1 or windows-1252, declaring so, is read as
/// such by every part of the import (an enclosure URL with an accented
/// letter was kept broken, U+FFFD, in the manifest and the lock); one
/// declaring ISO-8859-1 but saved as UTF-8 is read as UTF-8. Each is said,
/// and gives the manifest its UTF-8 twin gives.
#[test]
fn a_feed_in_a_one_byte_encoding_is_imported_as_its_utf8_twin() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let utf8 = crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, date, ""))
        .replace("<title>Ep 1</title>", "<title>Épisode 1 – déjà vu</title>")
        .replace("https://old.example.com/1.mp3", "https://old.example.com/épisode 1.mp3")
        .replace("<title>Show</title>", "<title>Café Crème</title>");
    let declared = |name: &str| {
        utf8.replacen("<?xml version=\"1.0\"?>", &format!("<?xml version=\"1.0\" encoding=\"{name}\"?>"), 1)
    };
    let one_byte = |text: String| -> Vec<u8> {
        text.chars()
            .map(|c| match c {
                '–' => 0x96, // windows-1252's en dash
                c => u8::try_from(u32::from(c)).unwrap(),
            })
            .collect()
    };
    let new = Show::empty();
    let import = |name: &str, bytes: &[u8]| imported_from(&new, name, bytes);
    let (said, manifest) = import("utf8.xml", utf8.as_bytes());
    assert!(!said.contains("read as such"), "{said}");
    assert!(manifest.contains("media = [\"https://old.example.com/%C3%A9pisode%201.mp3\"]"), "{manifest}");
    assert!(manifest.contains("title = \"Épisode 1 – déjà vu\""), "{manifest}");
    for (label, written) in [("ISO-8859-1", "ISO-8859-1 (windows-1252)"), ("windows-1252", "windows-1252")] {
        let (said, twin) = import(&format!("{label}.xml"), &one_byte(declared(label)));
        assert!(said.contains(&format!("warning: the feed is {written}: read as such")), "{said}");
        assert_eq!(twin, manifest, "{label}");
    }
    // (A UTF-8 byte-order mark before them says nothing true of them.)
    let marked: Vec<u8> = b"\xEF\xBB\xBF".iter().copied().chain(one_byte(declared("ISO-8859-1"))).collect();
    assert_eq!(import("marked.xml", &marked).1, manifest);
    let (said, twin) = import("lie.xml", declared("ISO-8859-1").as_bytes());
    assert!(said.contains("warning: the feed says it is ISO-8859-1 but is UTF-8: read as UTF-8"), "{said}");
    assert_eq!(twin, manifest);
}

/// A feed with `&` written bare in its text (`AT&T`, `Q&A`: hand-made and
/// WordPress feeds have them) is read with the character & there, and
/// said with its line (the whole import stopped, with a message that
/// pointed at the end of the file); one in CDATA, or a reference, is as it was.
#[test]
fn a_bare_ampersand_is_read_as_the_character_and_said_with_its_line() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, date, ""))
        .replace("<description>A show</description>", "\n<description>AT&T, Q&A &amp; R&D</description>")
        .replacen("?>\n", "?>\n<?xml-stylesheet href=\"s.xsl?a=1&b=2\" type=\"text/xsl\"?>", 1)
        .replace(
            "<title>Ep 1</title>",
            "<title><![CDATA[Tom & Jerry]]></title><description>Fish &#38; chips & peas</description>",
        );
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    assert!(
        run.stderr.contains(
            "warning: the feed has 4 & signs that begin no entity (the first on line 3): read as the character &"
        ),
        "{}",
        run.stderr
    );
    let doc: toml::Table = show.read("new/episodes.toml").parse().unwrap();
    assert_eq!(doc["podcast"]["description"].as_str(), Some("AT&T, Q&A & R&D"));
    let episode = &doc["episode"].as_array().unwrap()[0];
    assert_eq!(episode["title"].as_str(), Some("Tom & Jerry"));
    assert_eq!(episode["notes"].as_str(), Some("Fish & chips & peas"));
    // An entity neither XML nor HTML defines is kept as written, and said;
    // an HTML one is read as apps read it.
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, date, ""))
        .replace("<description>A show</description>", "<description>Caf&eacute; &bogus; &x-y;</description>");
    std::fs::write(show.path("other.xml"), feed).unwrap();
    let run = show.run(&["import", "other.xml", "other"]).ok();
    assert!(
        run.stderr.contains(
            "warning: the feed refers to entities neither XML nor HTML defines (&bogus;, &x-y;): kept as written"
        ),
        "{}",
        run.stderr
    );
    let doc: toml::Table = show.read("other/episodes.toml").parse().unwrap();
    assert_eq!(doc["podcast"]["description"].as_str(), Some("Café &bogus; &x-y;"));
}

/// Entities a feed's DOCTYPE declares (a billion laughs, an external
/// file) are not expanded, as podcast apps do not: kept as written, and
/// said, names and all.
#[test]
fn entities_a_doctype_declares_are_kept_as_written_and_said() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let laughs: String = (b'b'..=b'h')
        .map(|c| format!("<!ENTITY {} \"{}\">", c as char, format!("&{};", (c - 1) as char).repeat(10)))
        .collect();
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, date, ""))
        .replacen(
            "<rss",
            &format!("<!DOCTYPE rss [<!ENTITY a \"lol\">{laughs}<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<rss"),
            1,
        )
        .replace("<title>Ep 1</title>", "<title>Laughs &h; &xxe;</title>");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    assert!(
        run.stderr
            .contains("warning: the feed's DOCTYPE declares entities (&a;, &b;, &c;), which podcast apps do not read"),
        "{}",
        run.stderr
    );
    let manifest = show.read("new/episodes.toml");
    assert!(manifest.len() < 20_000 && !manifest.contains("lollol") && !manifest.contains("root:"), "{manifest}");
    let doc: toml::Table = manifest.parse().unwrap();
    assert_eq!(doc["episode"].as_array().unwrap()[0]["title"].as_str(), Some("Laughs &h; &xxe;"));
}

/// `--category` is checked whether the feed needs it or not (a bad one was
/// taken silently when the feed had categories), and one given but not
/// used is said.
#[test]
fn a_category_flag_is_checked_always_and_said_when_the_feeds_own_are_kept() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, date, ""));
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "bad", "--category", "Nonsense"]).fails(2);
    assert!(run.stderr.contains("error: --category \"Nonsense\" is not an Apple Podcasts category"), "{}", run.stderr);
    assert!(!show.path("bad").exists());
    let run = show.run(&["import", "old.xml", "kept", "--category", "Technology"]).ok();
    assert!(
        run.stderr.contains("warning: --category \"Technology\" is not used: the feed's own categories are kept"),
        "{}",
        run.stderr
    );
    let manifest = show.read("kept/episodes.toml");
    assert!(manifest.contains("categories = [\"Arts\"]") && !manifest.contains("given with --category"), "{manifest}");
}

/// A feed whose language has a region that is no country's (`en-UK`, as
/// many British shows write it) is imported with the country's code, and
/// said: the manifest would refuse it.
#[test]
fn a_language_region_that_is_no_countrys_is_imported_as_the_countrys_code() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    for (given, written) in [("en-UK", "en-gb"), ("de-xx", "de")] {
        let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, date, ""))
            .replace("<language>en</language>", &format!("<language>{given}</language>"));
        let show = Show::empty();
        std::fs::write(show.path("old.xml"), feed).unwrap();
        let run = show.run(&["import", "old.xml", "a"]).ok();
        let parsed = podsmith::manifest::load(&show.path("a/episodes.toml")).unwrap();
        assert_eq!(parsed.podcast.language, written, "{}", run.stderr);
        assert!(run.stderr.contains(&format!("the feed's language \"{given}\" has")), "{}", run.stderr);
    }
}

/// `podcast:updateFrequency` is kept with its rule and the date it counts
/// from; a rule that counts with no such date is left out, and said.
#[test]
fn an_update_frequency_is_kept_with_its_start_or_its_rule_left_out() {
    let show = Show::sample();
    show.build().ok();
    let feed = show.read("public/feed.xml");
    assert!(feed.contains("<podcast:locked"));
    for (attrs, rrule, dtstart, said) in [
        ("rrule=\"FREQ=WEEKLY;COUNT=4\" dtstart=\"2017-04-01\"", Some("FREQ=WEEKLY;COUNT=4"), Some("2017-04-01"), None),
        (
            "rrule=\"FREQ=WEEKLY;COUNT=4\"",
            None,
            None,
            Some(
                "a podcast:updateFrequency rrule was left out: a rule that counts its releases (COUNT) with no dtstart",
            ),
        ),
    ] {
        let element = format!("<podcast:updateFrequency {attrs}>Four weeks</podcast:updateFrequency><podcast:locked");
        show.write("old.xml", &feed.replacen("<podcast:locked", &element, 1));
        let _ = std::fs::remove_dir_all(show.path("new"));
        let run = show.run(&["import", "old.xml", "new"]).ok();
        let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
        let every = parsed.podcast.tags.update_frequency.expect("kept");
        assert_eq!(
            (every.text.as_str(), every.rrule.as_deref(), every.dtstart.as_deref()),
            ("Four weeks", rrule, dtstart)
        );
        if let Some(said) = said {
            assert!(run.stderr.contains(said), "{}", run.stderr);
        }
    }
}

/// Items whose guids are their media URLs (the old host's, and behind a
/// tracking prefix) keep them, each as published, and the import says
/// once that apps keep those episodes wherever the media go; an item
/// without a guid, whose guid the import makes from its URL as Apple
/// does, is said as that and not counted; a feed of other guids is not
/// told.
#[test]
fn guids_that_are_media_urls_are_kept_and_said_once() {
    let show = Show::empty();
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let as_url = |n: usize, guid: &str| {
        crafted_item(n, date, "").replace(&format!("<guid>g{n}</guid>"), &format!("<guid>{guid}</guid>"))
    };
    let items = [
        as_url(1, "https://old.example.com/1.mp3"),
        as_url(2, "https://dts.podtrac.com/redirect.mp3/old.example.com/2.mp3"),
        crafted_item(3, date, "").replace("<guid>g3</guid>", ""),
        crafted_item(4, date, ""),
    ]
    .concat();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let guids: Vec<&str> = parsed.episodes.iter().map(|e| e.guid.as_str()).collect();
    assert_eq!(
        guids,
        [
            "https://old.example.com/1.mp3",
            "https://dts.podtrac.com/redirect.mp3/old.example.com/2.mp3",
            "https://old.example.com/3.mp3",
            "g4"
        ]
    );
    let said: Vec<&str> = run.stderr.lines().filter(|l| l.contains("media URL")).collect();
    assert_eq!(
        said,
        ["warning: the guids of 2 items are their media URLs: kept as published (a guid names an episode; apps do \
          not fetch it), so apps keep the episodes wherever their media are served from"],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\"Ep 3\" had no guid: its enclosure URL is its guid"), "{}", run.stderr);
    let other = Show::empty();
    std::fs::write(other.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, date, "")))
        .unwrap();
    let run = other.run(&["import", "old.xml", "new"]).ok();
    assert!(!run.stderr.contains("media URL"), "{}", run.stderr);
}

/// `import --download` killed (`kill -9`) at random moments, then run
/// again until one finishes: whatever moment it was killed at, a show
/// with a manifest has every file it names, whole; and the show at the
/// end is the one an import that was never killed makes, byte for byte,
/// with no `.part` file left. (`PODSMITH_TEST_SEED` as for the random-edit
/// builds.)
#[cfg(unix)]
#[test]
fn imports_killed_at_random_moments_end_with_the_show_an_import_never_killed_makes() {
    use crate::incremental::{Dice, Kills, podsmith};
    let (original, _served, _server) = published_sample();
    let feed = original.path("public/feed.xml").display().to_string();
    let args = ["import", &feed, "show", "--download", "--base-url", "https://new.example.org/podcast/"];
    let whole = Show::empty();
    let started = std::time::Instant::now();
    whole.run(&args).ok();
    let mut kills = Kills::within(started.elapsed());
    let expected = files_but_records(&whole.path("show"));
    assert!(expected.contains_key("media/coredns-miek-gieben.ogg") && expected.contains_key("podsmith.lock"));
    let (seed, _) = Dice::seed_and_steps(0x1_3907, 0);
    let mut dice = Dice::new(seed);
    for round in 0..6 {
        let new = Show::empty();
        for attempt in 0.. {
            let what = format!("round {round}, attempt {attempt} (seed {seed:#x})");
            if !kills.run(&mut dice, &mut podsmith(&new, &args)) || attempt == 10 {
                break;
            }
            if new.path("show/episodes.toml").exists() {
                // (Temporary files aside: the next command in the show removes them.)
                let mut files = files_but_records(&new.path("show"));
                files.retain(|k, _| !podsmith::output::is_temp_name(k.rsplit('/').next().unwrap_or(k)));
                assert!(files == expected, "{what}: a manifest, and not the whole show: {:?}", files.keys());
                break;
            }
        }
        if !new.path("show/episodes.toml").exists() {
            new.run(&args).ok();
        }
        let files = files_but_records(&new.path("show"));
        let differ: Vec<&String> =
            files.keys().chain(expected.keys()).filter(|k| files.get(*k) != expected.get(*k)).collect();
        assert!(differ.is_empty(), "round {round} (seed {seed:#x}): {differ:?} differ");
    }
    kills.most_were_killed();
}

/// `import --download` names each file by what it holds, as apps and the
/// build go by the name: by the feed's type where the URL hides or belies
/// it (`/stream/12345`, a `.part` or `cover.jpg` URL), by the measured
/// format where the type says nothing; never over the placeholder cover or
/// a download's temporary file. The show builds from what it fetched.
#[test]
fn downloads_are_named_by_what_they_hold_and_the_show_builds() {
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let put = |rel: &str, fixture: &str| {
        let path = served.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(audio(fixture), path).unwrap();
    };
    put("stream/12345", "pair-5s.mp3");
    put("alt/99", "vorbis-5s.ogg");
    put("cover.jpg", "cbr-xing.mp3");
    put("ep1.mp3", "cbr-noxing.mp3");
    put("ep1.mp3.part", "vbr-xing.mp3");
    let base = server.base();
    let item = |n: usize, url: &str, extra: &str| {
        format!(
            "<item><title>Item {n}</title><guid>g{n}</guid><pubDate>Mon, 0{n} Jan 2024 10:00:00 +0000</pubDate>\
             <enclosure url=\"{base}{url}\" length=\"1\" type=\"audio/mpeg\"/>{extra}</item>"
        )
    };
    let alternate = format!(
        "<podcast:alternateEnclosure type=\"audio/x-vendor\"><podcast:source uri=\"{base}alt/99\"/></podcast:alternateEnclosure>"
    );
    let items = [item(1, "stream/12345", &alternate), item(2, "cover.jpg", ""), item(3, "ep1.mp3", "")].concat()
        + &item(4, "ep1.mp3.part", "");
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &items);
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--download"]).ok();
    assert!(
        run.stderr.contains("media/99: the file holds OGG audio; named 99.ogg, as apps go by the name"),
        "{}",
        run.stderr
    );
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    let media: Vec<Vec<String>> =
        parsed.episodes.iter().map(|e| e.media.iter().map(|m| m.key().to_string()).collect()).collect();
    assert_eq!(
        media,
        [
            vec!["media/12345.mp3".to_string(), "media/99.ogg".to_string()],
            vec!["media/cover.mp3".to_string()],
            vec!["media/ep1.mp3".to_string()],
            vec!["media/ep1.mp3.mp3".to_string()],
        ]
    );
    for (name, fixture) in [
        ("12345.mp3", "pair-5s.mp3"),
        ("99.ogg", "vorbis-5s.ogg"),
        ("cover.mp3", "cbr-xing.mp3"),
        ("ep1.mp3", "cbr-noxing.mp3"),
        ("ep1.mp3.mp3", "vbr-xing.mp3"),
    ] {
        assert_eq!(
            std::fs::read(show.path(&format!("new/media/{name}"))).unwrap(),
            std::fs::read(audio(fixture)).unwrap()
        );
    }
    // The placeholder cover is the cover.
    assert!(std::fs::read(show.path("new/media/cover.jpg")).unwrap().starts_with(&[0xFF, 0xD8]));
    show.run(&["build", "--manifest", "new/episodes.toml", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    let channel = rss::Channel::read_from(show.read("new/public/feed.xml").as_bytes()).unwrap();
    assert_eq!(channel.items().len(), 4);
}

/// An import into a folder that is there already writes nothing through a
/// link out of it: a `media` that leads elsewhere is refused before
/// anything is fetched; a `.part` left as a link is not resumed through.
#[test]
fn an_import_writes_nothing_through_a_link_out_of_its_folder() {
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    std::fs::copy(audio("pair-5s.mp3"), served.path().join("ep.mp3")).unwrap();
    let item = format!(
        "<item><title>One</title><guid>g1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>\
         <enclosure url=\"{}ep.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>",
        server.base()
    );
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &item);
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    std::fs::create_dir_all(show.path("outside")).unwrap();
    std::fs::create_dir_all(show.path("a")).unwrap();
    std::os::unix::fs::symlink("../outside", show.path("a/media")).unwrap();
    let run = show.run(&["import", "old.xml", "a", "--download"]).fails(1);
    assert!(run.stderr.contains("leads to") && run.stderr.contains("outside a"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(show.path("outside")).unwrap().count(), 0, "nothing written outside");
    assert_eq!(server.served("ep.mp3").0, 0, "nothing fetched");
    assert!(!show.path("a/episodes.toml").exists());
    // Without --download, the placeholder cover would go there too: refused.
    let run = show.run(&["import", "old.xml", "a"]).fails(1);
    assert!(run.stderr.contains("leads to"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(show.path("outside")).unwrap().count(), 0);

    // A `.part` that is a link to a file elsewhere: replaced, not appended to.
    std::fs::create_dir_all(show.path("b/media")).unwrap();
    std::fs::write(show.path("victim"), b"keep me").unwrap();
    std::os::unix::fs::symlink("../../victim", show.path("b/media/ep.mp3.part")).unwrap();
    show.run(&["import", "old.xml", "b", "--download"]).ok();
    assert_eq!(std::fs::read(show.path("victim")).unwrap(), b"keep me");
    assert_eq!(std::fs::read(show.path("b/media/ep.mp3")).unwrap(), std::fs::read(audio("pair-5s.mp3")).unwrap());
}

/// A download's redirects are followed only where they may lead: from a
/// host on this computer, on it (a server that sends every file from
/// elsewhere); never into a private network (a cloud's metadata service),
/// whose answer would be saved in the show. The rest of the show comes.
#[test]
fn a_download_is_not_led_by_a_redirect_into_a_private_network() {
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Redirect);
    std::fs::copy(audio("pair-5s.mp3"), served.path().join("ep.mp3")).unwrap();
    let base = server.base();
    let item = |n: usize, url: &str| {
        format!(
            "<item><title>Item {n}</title><guid>g{n}</guid><pubDate>Mon, 0{n} Jan 2024 10:00:00 +0000</pubDate>\
             <enclosure url=\"{base}{url}\" length=\"1\" type=\"audio/mpeg\"/></item>"
        )
    };
    let items = item(1, "ep.mp3") + &item(2, "away/169.254.169.254/latest/meta-data.mp3");
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &items);
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--download"]).fails(1);
    assert!(
        run.stderr.contains("redirected to http://169.254.169.254/latest/meta-data.mp3, whose host 169.254.169.254 is an address on a private network"),
        "{}",
        run.stderr
    );
    // Followed on this computer (302 to /moved/ep.mp3), and saved.
    assert_eq!(std::fs::read(show.path("new/media/ep.mp3")).unwrap(), std::fs::read(audio("pair-5s.mp3")).unwrap());
    assert!(!show.path("new/media/meta-data.mp3").exists());
}

/// A feed given by URL is fetched with every redirect judged before it is
/// asked, as a download's are: from 127.0.0.1, a hop on this computer is
/// followed, one into a private network is not (0.0.0.0, which Linux
/// connects to this computer through, so the test sees whether it is
/// asked): said with the hop and what to do, and nothing is imported.
#[test]
fn a_feed_fetched_by_url_is_not_led_by_a_redirect_into_a_private_network() {
    let served = tempfile::tempdir().unwrap();
    let feed =
        crafted_feed("<itunes:category text=\"Arts\"/>", &crafted_item(1, "Tue, 01 Oct 2024 10:00:00 +0000", ""));
    std::fs::write(served.path().join("old.xml"), &feed).unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Redirect);
    let elsewhere = Server::start(served.path().to_path_buf(), Mode::Good);
    let show = Show::empty();
    let (here, there) = (server.port, elsewhere.port);
    let url = format!("http://127.0.0.1:{here}/away/127.0.0.1:{here}/away/0.0.0.0:{there}/old.xml");
    let run = show.run(&["import", &url, "new"]).fails(1);
    let said = run.stderr.replace(&here.to_string(), "[HERE]").replace(&there.to_string(), "[THERE]");
    assert_data_eq!(
        said,
        str![[r#"
error: cannot fetch http://127.0.0.1:[HERE]/away/127.0.0.1:[HERE]/away/0.0.0.0:[THERE]/old.xml: redirected to http://0.0.0.0:[THERE]/old.xml (redirect 2, from http://127.0.0.1:[HERE]/away/0.0.0.0:[THERE]/old.xml), whose host 0.0.0.0 is an address on a private network that directories cannot reach (not followed)
  help: make every redirect lead to a public address: check the server's or CDN's rule that sends it there

"#]]
    );
    assert_eq!(elsewhere.log(), []);
    assert!(!show.path("new").exists());
    // A redirect on this computer (/old.xml to /moved/old.xml) is followed.
    show.run(&["import", &format!("{}old.xml", server.base()), "moved"]).ok();
    assert_eq!(server.served_with("GET (302)", "old.xml"), 1);
    assert!(show.read("moved/episodes.toml").contains("guid = \"g1\""));
}

/// Items of [`crafted_feed`] whose enclosures are `{base}{n}.mp3` (served
/// by [`two_mp3s_served`] for 1 and 2), `more[n - 1]` in item n.
fn served_items(base: &str, more: &[&str]) -> String {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let items = more.iter().enumerate().map(|(i, m)| crafted_item(i + 1, date, m)).collect::<String>();
    items.replace("https://old.example.com/", base)
}

/// `import --download` of a media file that cannot be fetched now (no
/// server answers) names it, with its item and why (only a count was said,
/// "see above" pointing at nothing), and imports nothing; the file fetched
/// is kept for the next run.
#[test]
fn a_media_file_that_cannot_be_fetched_is_named_with_the_servers_answer() {
    let (_served, server) = two_mp3s_served();
    // (Port 1: nothing listens there.)
    let unreachable = "http://127.0.0.1:1/";
    let third = crafted_item(3, "Tue, 01 Oct 2024 10:00:00 +0000", "").replace("https://old.example.com/", unreachable);
    let items = served_items(&server.base(), &["", ""]) + &third;
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--download"]).fails(1);
    let said = format!("\"Ep 3\": {unreachable}3.mp3: ");
    assert!(run.stderr.contains(&said) && run.stderr.contains(": not fetched"), "{}", run.stderr);
    assert!(run.stderr.contains("1 media file could not be fetched (each named above"), "{}", run.stderr);
    assert!(!show.path("new/episodes.toml").exists());
    assert!(show.path("new/media/1.mp3").is_file(), "what was fetched is kept for the next run");
    // Once it can be fetched, the same import run again takes up the files
    // fetched (the feed's length="1" cannot vouch for them: the import's
    // record of what it fetched does), fetching only the one missing.
    std::fs::copy(audio("cbr-xing.mp3"), _served.path().join("3.mp3")).unwrap();
    let feed = show.read("old.xml").replace(unreachable, &server.base());
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let again = show.run(&["import", "old.xml", "new", "--download"]).ok();
    assert!(!again.stderr.contains("in the show folder already"), "{}", again.stderr);
    assert_eq!((server.served("1.mp3").0, server.served("2.mp3").0, server.served("3.mp3").0), (1, 1, 1));
    assert!(show.read("new/episodes.toml").contains("media = [\"media/1.mp3\"]"));
    assert!(!show.path("new/.podsmith/import-fetched.jsonl").exists(), "the record goes once the show is made");
}

/// `import --download` of an episode whose media the old host no longer
/// has (404, 410: no run would fetch them) writes it commented out at the
/// end of the manifest, said with what to do, and imports the others:
/// one dead file of an old archive does not stop the move.
#[test]
fn an_episode_whose_media_are_gone_is_written_commented_out() {
    let (_served, server) = two_mp3s_served();
    let items = served_items(&server.base(), &["", "", ""]);
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--download", "--base-url", "https://new.example.org/p/"]).ok();
    let said = format!(
        "\"Ep 3\": {}3.mp3: the server answered 404 Not Found: the old host no longer has it; the episode is written \
         commented out at the end of episodes.toml: put the recording at media/3.mp3",
        server.base()
    );
    assert!(run.stderr.contains(&said), "{}", run.stderr);
    assert!(run.stderr.contains("Imported 2 episodes"), "{}", run.stderr);
    let manifest = show.read("new/episodes.toml");
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.episodes.iter().map(|e| e.guid.as_str()).collect::<Vec<_>>(), ["g1", "g2"]);
    assert!(manifest.contains("# [[episode]]\n# title = \"Ep 3\"\n"), "{manifest}");
    assert!(manifest.contains("# media = [\"media/3.mp3\"]\n"), "{manifest}");
    show.run(&["build", "--manifest", "new/episodes.toml", "--allow-changes", "--as-of", "2026-06-01T00:00:00Z"]).ok();
}

/// `import --download` of an episode whose media URL serves no audio (an
/// HTML page, an image) writes it commented out as for one gone, and
/// imports the others: it stopped the whole import, with the advice to
/// run it again, which could never do better.
#[test]
fn an_episode_whose_media_url_serves_no_audio_is_written_commented_out() {
    let (served, server) = two_mp3s_served();
    std::fs::write(served.path().join("3.mp3"), "<html><body>Moved</body></html>").unwrap();
    let items = served_items(&server.base(), &["", "", ""]);
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--download", "--base-url", "https://new.example.org/p/"]).ok();
    let said = format!("\"Ep 3\": {}3.mp3: what it serves is not audio podsmith can measure (", server.base());
    assert!(run.stderr.contains(&said), "{}", run.stderr);
    assert!(run.stderr.contains("the episode is written commented out at the end of episodes.toml"), "{}", run.stderr);
    assert!(!run.stderr.contains("run the same import again"), "{}", run.stderr);
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    assert_eq!(parsed.episodes.iter().map(|e| e.guid.as_str()).collect::<Vec<_>>(), ["g1", "g2"]);
    assert!(show.read("new/episodes.toml").contains("# [[episode]]\n# title = \"Ep 3\"\n"));
    assert!(!show.path("new/media/3.mp3").exists());
}

/// `import --download` of chapters files and transcripts the old host no
/// longer serves (404), serves as an HTML page (200), or whose chapter has
/// no title (which the Podcasting 2.0 chapters allow): each is left out of
/// its episode, or its chapter kept as a marker, and said; the import goes
/// on, and the show it made builds (a dead chapter link blocked every run;
/// an untitled chapter was imported, then refused by the build).
#[test]
fn chapters_and_transcripts_that_cannot_be_fetched_or_read_are_left_out_and_said() {
    let (served, server) = two_mp3s_served();
    std::fs::copy(audio("cbr-xing.mp3"), served.path().join("3.mp3")).unwrap();
    let json = r#"{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 1}]}"#;
    std::fs::write(served.path().join("untitled.json"), json).unwrap();
    std::fs::write(served.path().join("page.json"), "<html><body>Not found</body></html>").unwrap();
    std::fs::write(served.path().join("page.vtt"), "<html><body>Not found</body></html>").unwrap();
    let base = server.base();
    let chapters = |f: &str| format!("<podcast:chapters url=\"{base}{f}\" type=\"application/json+chapters\"/>");
    let transcript = |f: &str| format!("<podcast:transcript url=\"{base}{f}\" type=\"text/vtt\" language=\"en\"/>");
    let more = [
        chapters("gone.json") + &transcript("gone.vtt"),
        chapters("page.json") + &transcript("page.vtt"),
        chapters("untitled.json"),
    ];
    let items = served_items(&base, &more.iter().map(String::as_str).collect::<Vec<_>>());
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new", "--download"]).ok();
    for said in [
        format!(
            "\"Ep 1\": its chapters file {base}gone.json: the server answered 404 Not Found: left out of the episode"
        ),
        format!("\"Ep 1\": its transcript {base}gone.vtt: the server answered 404 Not Found: left out of the episode"),
        format!("\"Ep 2\": its chapters file {base}page.json is not a Podcasting 2.0 chapters file"),
        format!("\"Ep 2\": its transcript {base}page.vtt is not a transcript podsmith reads"),
        format!("\"Ep 3\": its chapters file {base}untitled.json: chapter 2 (0:01) has no title: kept as a marker"),
    ] {
        assert!(run.stderr.contains(&said), "{said}: {}", run.stderr);
    }
    assert!(!show.path("new/chapters/ep-2.json").exists() && !show.path("new/transcripts/ep-2.en.vtt").exists());
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    let files: Vec<(bool, usize)> =
        parsed.episodes.iter().map(|e| (e.chapters.is_some(), e.transcripts.len())).collect();
    assert_eq!(files, [(false, 0), (false, 0), (true, 0)]);
    let kept = &parsed.episodes[2].chapters.as_ref().unwrap().list;
    assert_eq!(kept.iter().map(|c| (c.title.as_str(), c.toc)).collect::<Vec<_>>(), [("Intro", true), ("", false)]);
    show.run(&["build", "--manifest", "new/episodes.toml", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
}

/// `import --download` of `/p/z.mp3` and `/q/z.mp3.part.xyz` (of no
/// type): the second was named `z.mp3.part`, the first's download in
/// progress, so a run after one that stopped took the second's audio as
/// the first's, all there already. Every name and its `.part` are unique.
#[test]
fn a_download_is_never_named_as_another_ones_part_file() {
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    std::fs::create_dir_all(served.path().join("q")).unwrap();
    std::fs::copy(audio("cbr-xing.mp3"), served.path().join("q/z.mp3.part.xyz")).unwrap();
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    // (Port 1: nothing listens there, for now.)
    let items = crafted_item(1, date, "").replace("https://old.example.com/1.mp3", "http://127.0.0.1:1/p/z.mp3")
        + &crafted_item(2, date, "")
            .replace("https://old.example.com/2.mp3", &format!("{}q/z.mp3.part.xyz", server.base()))
            .replace("audio/mpeg", "application/octet-stream");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    // The first cannot be fetched yet: the import stops, the second fetched.
    let run = show.run(&["import", "old.xml", "new", "--download"]).fails(1);
    assert!(run.stderr.contains("http://127.0.0.1:1/p/z.mp3"), "{}", run.stderr);
    std::fs::create_dir_all(served.path().join("p")).unwrap();
    std::fs::copy(audio("pair-5s.mp3"), served.path().join("p/z.mp3")).unwrap();
    let feed = show.read("old.xml").replace("http://127.0.0.1:1/", &server.base());
    std::fs::write(show.path("old.xml"), feed).unwrap();
    show.run(&["import", "old.xml", "new", "--download"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    for (episode, fixture) in parsed.episodes.iter().zip(["pair-5s.mp3", "cbr-xing.mp3"]) {
        let file = show.path("new").join(episode.media[0].key());
        assert_eq!(std::fs::read(&file).unwrap(), std::fs::read(audio(fixture)).unwrap(), "{}", file.display());
    }
}

/// `--media-dir public` (or a folder in it), where the build writes the
/// site and refuses media, is a usage error with the fix; nothing is
/// written (the import was accepted, and every build then refused).
#[test]
fn a_media_dir_in_the_output_folder_is_a_usage_error() {
    let show = one_item_feed();
    for bad in ["public", "public/media", "Public"] {
        let run = show.run(&["import", "old.xml", "new", "--download", "--media-dir", bad]).fails(2);
        let said = format!("--media-dir \"{bad}\" is inside public/, the folder a build writes the site into");
        assert!(run.stderr.contains(&said) && run.stderr.contains("--media-dir media"), "{bad}: {}", run.stderr);
        assert!(!show.path("new").exists(), "{bad}");
    }
}

/// A feed whose notes are in `itunes:summary` alone (an item without a
/// description; a channel with an empty one) keeps them: the item had no
/// notes, the show the title as its description. A description there is
/// still the one taken.
#[test]
fn notes_in_itunes_summary_alone_are_kept() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let items = crafted_item(1, date, "<itunes:summary>Only a &lt;b&gt;summary&lt;/b&gt;</itunes:summary>")
        + &crafted_item(2, date, "<description>The notes</description><itunes:summary>Short</itunes:summary>");
    let feed =
        crafted_feed("<itunes:category text=\"Arts\"/><itunes:summary>What the show is</itunes:summary>", &items)
            .replace("<description>A show</description>", "<description> </description>");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(parsed.podcast.description, "What the show is");
    let notes: Vec<&str> = parsed.episodes.iter().map(|e| e.notes.trim()).collect();
    assert_eq!(notes, ["Only a **summary**", "The notes"]);
}

/// Media the first build refuses are said for each item, with what to do
/// (they were imported silently): an enclosure URL without an extension,
/// Opus alone, a video. With `--download` a file is named by its type, so
/// an MP3 at an address without an extension is not said there.
#[test]
fn media_the_build_refuses_are_said_for_each_item_with_the_fix() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let item = |n: usize, url: &str, kind: &str| {
        crafted_item(n, date, "").replace(&format!("https://old.example.com/{n}.mp3"), url).replace("audio/mpeg", kind)
    };
    let items = [
        item(1, "https://old.example.com/stream/12345", "audio/mpeg"),
        item(2, "https://old.example.com/talk.opus", "audio/ogg"),
        item(3, "https://old.example.com/v.mp4", "video/mp4"),
        item(4, "https://old.example.com/4.mp3", "audio/mpeg"),
    ]
    .concat();
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    for said in [
        "\"Ep 1\": its enclosure https://old.example.com/stream/12345 is MP3 but its address does not end in .mp3: \
         Apple Podcasts lists an episode only by a URL whose path ends in the file's extension, and the build will \
         refuse it (APPLE-IT-ENCL-EXT); import with --download",
        "\"Ep 2\": its media are OGG alone: Apple Podcasts and Spotify list only MP3 and M4A (AAC), and the build \
         will refuse the episode; add an MP3 of it",
        "\"Ep 3\": its enclosure is a video (video/mp4), and podsmith publishes audio",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("\"Ep 4\":"), "{}", run.stderr);
    let served = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(served.path().join("s")).unwrap();
    std::fs::copy(audio("cbr-xing.mp3"), served.path().join("s/1")).unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let url = format!("{}s/1", server.base());
    std::fs::write(show.path("one.xml"), crafted_feed("", &item(1, &url, "audio/mpeg"))).unwrap();
    let run = show.run(&["import", "one.xml", "one", "--download", "--category", "Arts"]).ok();
    assert!(!run.stderr.contains("APPLE-IT-ENCL-EXT"), "{}", run.stderr);
    assert!(show.path("one/media/1.mp3").is_file());
}

/// A feed nested 30,000 deep (a namespaced element in an item, in the
/// channel, or `podcast:person` in itself; 210 KB) is refused unread as
/// no podcast feed, naming it, with nothing written: it ran the rss
/// crate's reader out of stack, and the process aborted (exit 134).
#[test]
fn a_feed_nested_thousands_deep_is_refused_unread() {
    let show = Show::empty();
    let nested = |tag: &str| format!("{}{}", format!("<{tag}>").repeat(30_000), format!("</{tag}>").repeat(30_000));
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let foo = |feed: String| feed.replace("<rss ", "<rss xmlns:foo=\"https://foo.example/\" ");
    let in_item = foo(crafted_feed("", &crafted_item(1, date, &nested("foo:x"))));
    std::fs::write(show.path("deep.xml"), in_item).unwrap();
    let run = show.run(&["import", "deep.xml", "new", "--category", "Arts"]).fails(1);
    assert_eq!(run.stdout, "");
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: deep.xml: the feed nests elements 30003 deep, more than any podcast feed (an RSS feed needs five levels; podsmith reads 256), so it is not read: is it the show's feed?

"#]]
    );
    assert!(!show.path("new").exists());
    let in_channel = foo(crafted_feed(&nested("foo:x"), &crafted_item(1, date, "")));
    let person = crafted_feed(&nested("podcast:person"), &crafted_item(1, date, ""));
    for (name, feed) in [("channel.xml", in_channel), ("person.xml", person)] {
        std::fs::write(show.path(name), feed).unwrap();
        let run = show.run(&["import", name, "new", "--category", "Arts"]).fails(1);
        assert!(
            run.stderr.starts_with(&format!("error: {name}: the feed nests elements 30002 deep")),
            "{}",
            run.stderr
        );
        assert!(!show.path("new").exists());
    }
}

/// Notes nested thousands deep (lists in lists, quotes in quotes) are
/// written at most eight deep, so the manifest grows with the feed, not
/// with its square (`<ul><li>` 4,000 deep, 32 KB of notes, made 24 MB;
/// 200,000 deep took 23 GB), and the show builds.
#[test]
fn notes_nested_thousands_deep_make_a_manifest_the_size_of_the_feed() {
    let (_served, server) = two_mp3s_served();
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let notes = |html: String| format!("<description><![CDATA[{html}]]></description>");
    let items = [
        crafted_item(1, date, &notes("<ul><li>x".repeat(5_000))),
        crafted_item(2, date, &notes("<blockquote><p>x</p>".repeat(5_000))),
    ]
    .concat()
    .replace("https://old.example.com/", &server.base());
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &items);
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), &feed).unwrap();
    show.run(&["import", "old.xml", "new", "--base-url", "https://new.example.org/podcast/"]).ok();
    let manifest = show.read("new/episodes.toml");
    assert!(manifest.len() < 4 * feed.len(), "{} bytes from a feed of {}", manifest.len(), feed.len());
    let deepest = manifest.lines().map(|l| l.len() - l.trim_start_matches([' ', '>']).len()).max();
    assert_eq!(deepest, Some(21), "a list item eight deep: 7 indents of 3");
    show.run(&["build", "--manifest", "new/episodes.toml", "--as-of", "2026-06-01T00:00:00Z"]).ok();
}

/// A feed of `n` items whose titles are `title` and notes `notes` (one
/// `<item>` repeated: a big feed made in memory).
fn big_feed(n: usize, title: &str, notes: &str) -> String {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>{i} {title}</title><guid>g{i}</guid><pubDate>Tue, 01 Oct 2024 10:00:00 +0000</pubDate>\
                 <description>{notes}</description>\
                 <enclosure url=\"https://old.example.com/{i}.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>"
            )
        })
        .collect();
    crafted_feed("<itunes:category text=\"Arts\"/>", &items)
}

/// A feed that would make a manifest larger than podsmith reads (32 MB:
/// 18 MB of notes, each character escaped in Markdown) or a lock
/// larger (16 MB: 60,000 episodes of long titles) is refused, with how
/// big and why, and nothing is written: the import wrote them, and every
/// other command then refused the show. A feed over 64 MB (what validate
/// reads, and the README says) is not read (256 MB were).
#[test]
fn a_feed_too_big_for_one_show_is_refused_and_nothing_is_written() {
    let show = Show::empty();
    std::fs::write(show.path("notes.xml"), big_feed(150, "Ep", &"*".repeat(120_000))).unwrap();
    let run = show.run(&["import", "notes.xml", "notes"]).fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: notes.xml: a manifest made of it would be 34 MB (34 MB of it the episodes' notes), and podsmith reads at most 32 MB of a manifest, so nothing is written: the feed is too big for one show; import a feed of fewer episodes (its newest few hundred are plenty for apps)

"#]]
    );
    assert!(!show.path("notes").exists());
    let title = "A title as long as the longest titles podcasts give their episodes, and a few words more";
    std::fs::write(show.path("many.xml"), big_feed(60_000, title, "")).unwrap();
    let run = show.run(&["import", "many.xml", "many"]).fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: many.xml: podsmith.lock made of it would be 19 MB, and podsmith reads at most 16 MB of podsmith.lock, so nothing is written: the feed is too big for one show; import a feed of fewer episodes (its newest few hundred are plenty for apps)

"#]]
    );
    // Nothing is left behind: not the folder the import made, nor its lock
    // in one that was there (it stays empty).
    assert!(!show.path("many").exists());
    std::fs::create_dir(show.path("empty")).unwrap();
    let run = show.run(&["import", "many.xml", "empty"]).fails(1);
    assert!(
        run.stderr.contains("podsmith reads at most 16 MB of podsmith.lock, so nothing is written"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(show.path("empty")).unwrap().count(), 0);
    // (A sparse file: its size is what is refused, before it is read; as
    // the manifest too big above, a fault of the content.)
    std::fs::File::create(show.path("huge.xml")).unwrap().set_len(65 << 20).unwrap();
    let run = show.run(&["import", "huge.xml", "huge"]).fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: cannot read huge.xml: it is 65 MB; podsmith reads at most 64 MB of a feed

"#]]
    );
}

/// A feed the rss crate reads but XML does not (text after `</rss>`, a
/// second root, cut off after `</channel>`) is imported, and what could
/// not be read of it (its items' itunes:title, its categories' second
/// subcategories) is said: the titles Apple shows were left out without
/// a word.
#[test]
fn what_a_feed_not_well_formed_keeps_from_the_import_is_said() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let item = crafted_item(1, date, "<itunes:title>The title Apple shows</itunes:title>");
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &item);
    let show = Show::empty();
    std::fs::write(show.path("good.xml"), &feed).unwrap();
    show.run(&["import", "good.xml", "good"]).ok();
    assert!(show.read("good/episodes.toml").contains("itunes_title = \"The title Apple shows\""));
    for (name, feed) in [
        ("after.xml", format!("{feed}a message the server printed")),
        ("second.xml", format!("{feed}<rss/>")),
        ("cut.xml", feed.replace("</rss>", "")),
    ] {
        std::fs::write(show.path(name), feed).unwrap();
        let run = show.run(&["import", name, name.trim_end_matches(".xml")]).ok();
        let said = run.stderr.lines().find(|l| l.starts_with(&format!("warning: {name}: line ")));
        let said = said.unwrap_or_else(|| panic!("{name}: {}", run.stderr));
        assert!(
            said.ends_with(
                ": the feed is read as apps that forgive that read it, but not its items' itunes:title (the title \
                 Apple shows, where it differs), if they have one, nor a category's subcategories after its first, \
                 nor an item's first enclosure where it has several (its last is read): set `itunes_title`, \
                 `categories` and `media` where they need them"
            ),
            "{said}"
        );
    }
    let run = show.run(&["import", "after.xml", "after2"]).ok();
    let said = run.stderr.lines().find(|l| l.starts_with("warning: after.xml:")).unwrap();
    assert_data_eq!(
        said,
        str![
            "warning: after.xml: line 2: the feed is not well-formed XML: text after the root element ends: \"a message the server printed\" (Apple: \"Can't parse your feed\"): the feed is read as apps that forgive that read it, but not its items' itunes:title (the title Apple shows, where it differs), if they have one, nor a category's subcategories after its first, nor an item's first enclosure where it has several (its last is read): set `itunes_title`, `categories` and `media` where they need them"
        ]
    );
}

/// Relative enclosure URLs are read against the feed's own address, as
/// apps read them: the URL it was imported from (they were read against
/// the show's web page, `<link>`, making up URLs, and a guid from one); a
/// feed file that says no address of its own leaves such items out, said
/// with how to import it, rather than guess.
#[test]
fn relative_enclosures_are_read_against_the_feeds_address_not_its_web_page() {
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let item = |n: usize, guid: &str, url: &str| {
        format!(
            "<item><title>Ep {n}</title>{guid}<pubDate>{date}</pubDate>\
             <enclosure url=\"{url}\" length=\"1000\" type=\"audio/mpeg\"/></item>"
        )
    };
    let items = [
        item(1, "", "../ep1.mp3"),
        item(2, "<guid>g2</guid>", "media/ep2.mp3"),
        item(3, "<guid>g3</guid>", "https://cdn.example.com/3.mp3"),
    ]
    .concat();
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &items)
        .replace("<link>https://old.example.com/</link>", "<link>https://www.example.com/show/about.html</link>");
    std::fs::create_dir_all(served.path().join("feeds")).unwrap();
    std::fs::write(served.path().join("feeds/rel.xml"), &feed).unwrap();
    let show = Show::empty();
    let url = format!("{}feeds/rel.xml", server.base());
    let run = show.run(&["import", &url, "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let got: Vec<(&str, &str)> = parsed.episodes.iter().map(|e| (e.guid.as_str(), e.media[0].key())).collect();
    let base = server.base();
    let (ep1, ep2) = (format!("{base}ep1.mp3"), format!("{base}feeds/media/ep2.mp3"));
    let want = [(ep1.as_str(), ep1.as_str()), ("g2", ep2.as_str()), ("g3", "https://cdn.example.com/3.mp3")];
    assert_eq!(got, want, "{}", run.stderr);
    assert!(
        !show.read("new/episodes.toml").contains("www.example.com/ep1") && !run.stderr.contains("www.example.com/ep")
    );

    // The same feed as a file, which says no address of its own: the
    // relative ones are left out, said; the others imported.
    std::fs::write(show.path("rel.xml"), &feed).unwrap();
    let run = show.run(&["import", "rel.xml", "file"]).ok();
    let parsed = podsmith::manifest::load(&show.path("file/episodes.toml")).unwrap();
    assert_eq!(parsed.episodes.iter().map(|e| e.guid.as_str()).collect::<Vec<_>>(), ["g3"]);
    for said in [
        "\"Ep 1\" (its enclosure URL \"../ep1.mp3\" is relative, and the feed does not say its own address (no \
         atom:link rel=\"self\") to read it against: import from the feed's URL",
        "\"Ep 2\" (its enclosure URL \"media/ep2.mp3\" is relative",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
}

/// Enclosures that are no http(s) URL once read (`javascript:`, `data:`)
/// are left out with why, as `file:` is (they were made relative paths
/// under the feed's folder and imported); `//host/path` takes the feed's
/// scheme; the feed address's query is no part of its path.
#[test]
fn enclosures_of_other_schemes_are_left_out_and_references_are_resolved_as_rfc_3986_says() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let item = |n: usize, url: &str| {
        format!(
            "<item><title>Ep {n}</title><guid>g{n}</guid><pubDate>{date}</pubDate>\
             <enclosure url=\"{url}\" length=\"1000\" type=\"audio/mpeg\"/></item>"
        )
    };
    let items = [
        item(1, "javascript:alert(1)"),
        item(2, "data:audio/mpeg;base64,AAAA"),
        item(3, "//cdn.example.com/ep3.ogg"),
        item(4, "ep4.mp3"),
        item(5, "/top/ep5.mp3?x=1"),
        item(6, "file:///home/ann/ep6.mp3"),
    ]
    .concat();
    let channel = "<itunes:category text=\"Arts\"/>\
                   <atom:link rel=\"self\" href=\"http://old.example.com/feeds/trav.xml?format=a/b\"/>";
    let feed = crafted_feed(channel, &items)
        .replace("<rss version=\"2.0\"", "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let got: Vec<(&str, &str)> = parsed.episodes.iter().map(|e| (e.guid.as_str(), e.media[0].key())).collect();
    assert_eq!(
        got,
        [
            ("g3", "http://cdn.example.com/ep3.ogg"),
            ("g4", "http://old.example.com/feeds/ep4.mp3"),
            ("g5", "http://old.example.com/top/ep5.mp3?x=1")
        ],
        "{}",
        run.stderr
    );
    for said in [
        "\"Ep 1\" (its enclosure URL \"javascript:alert(1)\" is a javascript: URL; podcast apps fetch only http(s)",
        "\"Ep 2\" (its enclosure URL \"data:audio/mpeg;base64,AAAA\" is a data: URL; podcast apps fetch only http(s)",
        "\"Ep 6\" (its enclosure URL \"file:///home/ann/ep6.mp3\" is a file: URL; podcast apps fetch only http(s)",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
    assert!(!show.read("new/episodes.toml").contains("javascript"));
}

/// `import --download` into a folder whose `media/` holds a file where an
/// episode's goes: one no import fetched, which is not of the size the
/// feed gives, stops the import before anything is fetched, named with
/// what to do (it was named in the manifest as the episode's audio, "my
/// own audio" and all); one of the very size is taken, and said.
#[test]
fn a_file_in_media_no_import_fetched_is_not_taken_for_the_episodes() {
    let (served, server) = two_mp3s_served();
    let size = std::fs::metadata(served.path().join("1.mp3")).unwrap().len();
    let items = served_items(&server.base(), &["", ""]).replace("length=\"1\"", &format!("length=\"{size}\""));
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    std::fs::create_dir_all(show.path("out/media")).unwrap();
    std::fs::write(show.path("out/media/1.mp3"), "my own audio\n").unwrap();
    let run = show.run(&["import", "old.xml", "out", "--download"]).fails(1);
    let said = format!(
        "\"Ep 1\": media/1.mp3 is in the show folder already and holds 13 bytes, where the feed says {size}; no \
         import fetched it, and podsmith does not take a file it cannot tell is the episode's: remove it (the \
         import fetches it), or import into an empty folder"
    );
    assert!(run.stderr.contains(&said), "{}", run.stderr);
    assert!(!show.path("out/episodes.toml").exists());
    assert_eq!(show.read("out/media/1.mp3"), "my own audio\n", "left as it is");
    assert_eq!((server.served("1.mp3").0, server.served("2.mp3").0), (0, 0), "nothing fetched");
    // The episode's very file put there (of the size the feed gives): taken, said.
    std::fs::copy(served.path().join("1.mp3"), show.path("out/media/1.mp3")).unwrap();
    let run = show.run(&["import", "old.xml", "out", "--download"]).ok();
    assert!(
        run.stderr.contains(&format!(
            "\"Ep 1\": media/1.mp3 was in the show folder already, of the size the feed gives ({size} bytes)"
        )),
        "{}",
        run.stderr
    );
    assert_eq!((server.served("1.mp3").0, server.served("2.mp3").0), (0, 1));
}

/// An `episodes.toml` that is a link, even one leading nowhere, is refused
/// up front as an existing manifest is (a usage error): it was taken for
/// one "another import" wrote meanwhile, after the import had run.
#[cfg(unix)]
#[test]
fn a_manifest_that_is_a_dangling_link_is_refused_up_front() {
    let show = one_item_feed();
    std::fs::create_dir_all(show.path("o")).unwrap();
    std::os::unix::fs::symlink("../outside/nonexist.toml", show.path("o/episodes.toml")).unwrap();
    let run = show.run(&["import", "old.xml", "o"]).fails(2);
    assert!(
        run.stderr
            .contains("o/episodes.toml is a link (to ../outside/nonexist.toml) already: import into a new folder"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("appeared while"), "{}", run.stderr);
    assert!(!show.path("outside").exists() && !show.path("o/podsmith.lock").exists());
}

/// What is said of one item's left-out tag is English ("1 item's", not
/// "1 item'"), and a feed without a language is commented as one: the
/// comment said its language "is not an ISO 639 code". An episode number
/// the item gives as `podcast:episode` alone is its number.
#[test]
fn one_items_left_out_tag_and_a_missing_language_are_said_as_they_are() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let tags = "<podcast:episode display=\"Pilot\">1.0</podcast:episode><podcast:txt>hi</podcast:txt>";
    let items = [crafted_item(1, date, tags), crafted_item(2, date, "")].concat();
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &items).replace("<language>en</language>", "");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    assert!(run.stderr.contains("1 item's podcast:txt was left out"), "{}", run.stderr);
    assert!(run.stderr.contains("a podcast:episode display was left out"), "{}", run.stderr);
    assert!(run.stderr.contains("the feed gives no language: \"en\" is written"), "{}", run.stderr);
    let manifest = show.read("new/episodes.toml");
    assert!(manifest.contains("\nepisode = 1\n"), "{manifest}");
    assert!(manifest.contains("# the feed gives no language: \"en\", to check\nlanguage = \"en\""), "{manifest}");
    assert!(!manifest.contains("not an ISO 639 code"), "{manifest}");
}

/// Notes whose list items are paragraphs (as many hosts write them) keep
/// their lists on the built pages and in the feed: the import wrote each
/// marker alone on its line, then a blank line, which Markdown reads as
/// an empty item, and the text fell out of the list. Nested lists, a
/// quote and a heading in an item, and an empty first paragraph, too.
#[test]
fn notes_whose_list_items_are_paragraphs_keep_their_lists_once_built() {
    let (_served, server) = two_mp3s_served();
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let notes = |html: &str| format!("<content:encoded><![CDATA[{html}]]></content:encoded>");
    let items = [
        crafted_item(
            1,
            date,
            &notes("<ul><li><p>First</p></li><li><p>Second <b>bold</b></p></li></ul><ol><li>x<p>para</p></li></ol>"),
        ),
        crafted_item(
            2,
            date,
            &notes(
                "<ul><li><p>Outer</p><ul><li><p>Inner</p></li></ul></li><li><blockquote><p>Quoted</p></blockquote>\
                 </li><li><h3>Heading</h3><p>text</p></li><li><p></p>After an empty one</li></ul>",
            ),
        ),
    ]
    .concat()
    .replace("https://old.example.com/", &server.base());
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &items)
        .replace("<rss ", "<rss xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" ");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), &feed).unwrap();
    show.run(&["import", "old.xml", "new", "--base-url", "https://new.example.org/podcast/"]).ok();
    show.run(&["build", "--manifest", "new/episodes.toml", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    // The lists as the page and the feed show them (their items' text,
    // with the tags of lists and items around it).
    let lists = |html: &str| -> String {
        let start = html.find("<ul>").or_else(|| html.find("<ol>")).unwrap_or_else(|| panic!("no list: {html}"));
        let end = html.rfind("</ul>").max(html.rfind("</ol>")).unwrap() + 5;
        let kept = html[start..end].replace('\n', "");
        kept.replace("<p>", "").replace("</p>", "")
    };
    let page = |slug: &str| show.read(&format!("new/public/episodes/{slug}/index.html"));
    let one = "<ul><li>First</li><li>Second <strong>bold</strong></li></ul><ol><li>xpara</li></ol>";
    // (The notes' only heading, an <h3>, is the highest rank they use: an <h2> on the page.)
    let two = "<ul><li>Outer<ul><li>Inner</li></ul></li><li><blockquote>Quoted</blockquote></li>\
               <li><h2>Heading</h2>text</li><li>After an empty one</li></ul>";
    assert_eq!(lists(&page("ep-1")), one);
    assert_eq!(lists(&page("ep-2")), two);
    let channel = rss::Channel::read_from(show.read("new/public/feed.xml").as_bytes()).unwrap();
    let described: Vec<String> = channel.items().iter().map(|i| lists(i.description().unwrap())).collect();
    // (Newest first; in the description a heading is a paragraph in bold and a quote its paragraphs.)
    assert_eq!(described.len(), 2);
    assert!(described.iter().any(|d| d == one), "{described:?}");
    assert!(described.iter().any(|d| d.starts_with("<ul><li>Outer<ul><li>Inner</li></ul></li>")), "{described:?}");
}

/// Relative links and images in the notes are read against the item's web
/// page (`<link>`), else the show's, as a browser read them there: kept
/// relative, they led nowhere on the new site. `javascript:` is left
/// out (its text kept). A feed that names no page keeps them as they are,
/// said once for all its items.
#[test]
fn relative_links_in_notes_are_read_against_the_page_they_were_on() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let notes = |html: &str| format!("<description><![CDATA[{html}]]></description>");
    let html = "<p><a href=\"/notes/e1\">notes</a> <img src=\"img/a.png\" alt=\"A\"> \
                <a href=\"javascript:alert(1)\">js</a> <a href=\"#t\">here</a> <a href=\"mailto:a@old.example.com\">mail</a></p>";
    let items = [
        crafted_item(1, date, &format!("<link>https://old.example.com/episodes/one/</link>{}", notes(html))),
        crafted_item(2, date, &notes(html)),
        crafted_item(3, date, &notes(html)),
    ]
    .concat();
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let parsed = podsmith::manifest::load(&show.path("new/episodes.toml")).unwrap();
    let notes: Vec<&str> = parsed.episodes.iter().map(|e| e.notes.as_str()).collect();
    let on = |folder: &str| {
        format!(
            "[notes](<https://old.example.com/notes/e1>) ![A](<https://old.example.com/{folder}img/a.png>) js \
             [here](<#t>) [mail](<mailto:a@old.example.com>)"
        )
    };
    assert_eq!(notes, [on("episodes/one/"), on(""), on("")]);
    assert!(!run.stderr.contains("relative"), "{}", run.stderr);
    // No page anywhere: kept as they are, and said once.
    let unlinked = crafted_feed("<itunes:category text=\"Arts\"/>", &items)
        .replace("<link>https://old.example.com/</link>", "")
        .replace("<link>https://old.example.com/episodes/one/</link>", "");
    std::fs::write(show.path("unlinked.xml"), unlinked).unwrap();
    let run = show.run(&["import", "unlinked.xml", "unlinked"]).ok();
    let parsed = podsmith::manifest::load(&show.path("unlinked/episodes.toml")).unwrap();
    assert!(parsed.episodes[0].notes.starts_with("[notes](</notes/e1>) ![A](<img/a.png>) js"));
    let said: Vec<&str> = run.stderr.lines().filter(|l| l.contains("relative")).collect();
    assert_data_eq!(
        said.join("\n"),
        str![[
            r#"warning: the notes of 3 items ("Ep 1", "Ep 2", "Ep 3") have relative links or images ("/notes/e1"), and neither the items nor the feed give the web page they were on (<link>) to read them against: kept as they are, they lead nowhere on the new site; write them in full in episodes.toml"#
        ]]
    );
}

/// What would be said of each of many items for the same cause (no
/// guid, a video enclosure, a person's role not in the taxonomy) is
/// said once, naming the first few: a feed of 20 videos said the same
/// line 20 times.
#[test]
fn what_many_items_share_is_said_once_naming_the_first_few() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let items: String = (1..=5)
        .map(|n| {
            crafted_item(n, date, "<podcast:person role=\"guitar\">Jake</podcast:person>")
                .replace(&format!("<guid>g{n}</guid>"), "")
                .replace(
                    &format!("{n}.mp3\" length=\"1\" type=\"audio/mpeg\""),
                    &format!("{n}.mp4\" length=\"1\" type=\"video/mp4\""),
                )
        })
        .collect();
    let items = items + &crafted_item(6, date, "");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), crafted_feed("<itunes:category text=\"Arts\"/>", &items)).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let said: Vec<&str> = run.stderr.lines().filter(|l| l.contains("\"Ep ")).collect();
    assert_data_eq!(
        said.join("\n"),
        str![[r#"
warning: 5 items ("Ep 1", "Ep 2", "Ep 3" and 2 more) each had no guid: its enclosure URL is its guid, as in Apple Podcasts
warning: 5 items ("Ep 1", "Ep 2", "Ep 3" and 2 more), each: Jake's role "guitar" is not in the taxonomy: "guest" is used
warning: 5 items ("Ep 1", "Ep 2", "Ep 3" and 2 more), each: its enclosure is a video (video/mp4), and podsmith publishes audio: the build will refuse it; export the sound as an MP3 (or M4A) and name that in its media in episodes.toml
"#]]
    );
}

/// A show folder that is a file (or is in one) is a usage error (exit 2),
/// said as such; the file is left as it was.
#[test]
fn a_show_folder_that_is_a_file_is_a_usage_error() {
    let show = one_item_feed();
    std::fs::write(show.path("taken"), "mine").unwrap();
    for (dir, said) in [
        (
            "taken",
            "error: taken is a file, not a folder: give the folder for the new show (podsmith import FEED DIR)\n",
        ),
        (
            "taken/new",
            "error: taken/new cannot be made: taken is a file, not a folder: give the folder for the new show \
             (podsmith import FEED DIR)\n",
        ),
    ] {
        let run = show.run(&["import", "old.xml", dir]).fails(2);
        assert_eq!(run.stderr, said);
        assert_eq!(show.read("taken"), "mine");
    }
}

/// What hosts write as they write it: plain-text notes keep their
/// paragraphs and lines (timestamps stay at line starts, as Apple reads
/// chapters from them), and so does a plain-text show description; a
/// title's `&amp;` (in CDATA) is the `&` apps show; a slug comes from an
/// episode's own page (`/ep-3-tomatoes`), not from a page a query names
/// (`/blog/?p=123`) nor one every item links (the show's); `2.0` is
/// episode 2, and a season of -1 is said as left out.
#[test]
fn plain_notes_titles_links_and_numbers_are_read_as_apps_read_them() {
    let date = "Tue, 01 Oct 2024 10:00:00 +0000";
    let item = |n: usize, title: &str, link: &str, more: &str| {
        format!(
            "<item><title>{title}</title><guid>g{n}</guid><pubDate>{date}</pubDate><link>{link}</link>{more}\
             <enclosure url=\"https://old.example.com/{n}.mp3\" length=\"1\" type=\"audio/mpeg\"/></item>"
        )
    };
    let notes = "<description>First paragraph.\n\nChapters:\n00:00 Intro\n12:30 Topic a &lt; b\n</description>";
    let items = [
        item(1, "<![CDATA[Guests &amp; Ghosts]]>", "https://old.example.com/blog/?p=123", notes),
        item(2, "Tomatoes", "https://garden.example.com/ep-3-tomatoes", "<itunes:episode>2.0</itunes:episode>"),
        item(3, "Bonus", "https://old.example.com/", "<itunes:season>-1</itunes:season>"),
        item(4, "Other", "https://old.example.com/", ""),
    ]
    .concat();
    let feed = crafted_feed("<itunes:category text=\"Arts\"/>", &items)
        .replace("<description>A show</description>", "<description>Line one.\n\nLine two.</description>");
    let show = Show::empty();
    std::fs::write(show.path("old.xml"), feed).unwrap();
    let run = show.run(&["import", "old.xml", "new"]).ok();
    let manifest = show.read("new/episodes.toml");
    let doc: toml::Table = manifest.parse().unwrap();
    assert_eq!(doc["podcast"]["description"].as_str(), Some("Line one.\n\nLine two."), "{manifest}");
    let episodes = doc["episode"].as_array().unwrap();
    let field = |n: usize, key: &str| episodes[n].get(key).map(ToString::to_string).unwrap_or_default();
    assert_eq!(
        episodes[0]["notes"].as_str(),
        Some("First paragraph.\n\nChapters:  \n00:00 Intro  \n12:30 Topic a \\< b"),
        "{manifest}"
    );
    assert_eq!(episodes[0]["title"].as_str(), Some("Guests & Ghosts"));
    // Named as apps show it, and as it was written.
    assert!(
        run.stderr.contains(
            "warning: \"Guests & Ghosts\" had HTML character references in its title (&amp;): read as apps show them \
             (it was written \"Guests &amp; Ghosts\")"
        ),
        "{}",
        run.stderr
    );
    let slugs: Vec<String> = (0..4).map(|n| field(n, "slug")).collect();
    assert_eq!(slugs, ["\"guests-ghosts\"", "\"ep-3-tomatoes\"", "\"bonus\"", "\"other\""], "{manifest}");
    assert_eq!((field(1, "episode"), field(2, "season")), ("2".to_string(), String::new()), "{manifest}");
    assert!(
        run.stderr.contains(
            "\"Bonus\": its itunes:season \"-1\" was left out (the manifest's `season` is a whole number from 1)"
        ),
        "{}",
        run.stderr
    );
    // The notes are the feed's, line for line, as a page shows them.
    let html = podsmith::markdown::to_html(episodes[0]["notes"].as_str().unwrap(), None);
    assert!(html.contains("<p>Chapters:<br />\n00:00 Intro<br />\n12:30 Topic a &lt; b</p>"), "{html}");
}
