//! The sample show at the repository root: what the README's first command builds.

use std::fs;

use snapbox::{assert_data_eq, str};

use crate::harness::*;

const EXPECTED: [(&str, u64, &str); 4] = [
    // Newest first: the feed's order.
    ("kubernetes-sarah-novotny", 1254, "20:54"),
    ("prometheus-bjorn-rabenstein", 998, "16:38"),
    ("coredns-miek-gieben", 744, "12:24"),
    ("fluentd-eduardo-silva", 910, "15:10"),
];

#[test]
fn builds_four_items_with_measured_durations_and_exact_lengths() {
    let show = Show::sample();
    show.build().ok();
    let channel = show.channel("feed.xml");
    assert_eq!(channel.title, "Talking Cloud Native with Gordon Haff");
    assert_eq!(channel.items.len(), 4);
    for (item, (slug, seconds, _)) in channel.items.iter().zip(EXPECTED) {
        let enclosure = item.enclosure.as_ref().expect("enclosure");
        let bytes = fs::metadata(show.path(&format!("media/{slug}.mp3"))).unwrap().len();
        assert_eq!(enclosure.url, format!("https://podcast.example.com/cloud-native/media/{slug}.mp3"));
        assert_eq!(enclosure.length, bytes.to_string(), "{slug}");
        assert_eq!(enclosure.mime_type, "audio/mpeg");
        let itunes = item.itunes_ext.as_ref().unwrap();
        assert_eq!(itunes.duration.as_deref(), Some(seconds.to_string().as_str()), "{slug}");
        assert_eq!(
            item.link.as_deref(),
            Some(format!("https://podcast.example.com/cloud-native/episodes/{slug}/").as_str())
        );
        // The published file is the same bytes as the show's.
        assert_eq!(fs::read(show.path(&format!("public/media/{slug}.mp3"))).unwrap().len() as u64, bytes);
    }
}

#[test]
fn the_ogg_feed_carries_the_ogg_files() {
    let show = Show::sample();
    show.build().ok();
    let channel = show.channel("feed.ogg.xml");
    assert_eq!(channel.items.len(), 4);
    for (item, (slug, seconds, _)) in channel.items.iter().zip(EXPECTED) {
        let enclosure = item.enclosure.as_ref().unwrap();
        let bytes = fs::metadata(show.path(&format!("media/{slug}.ogg"))).unwrap().len();
        assert_eq!(enclosure.url, format!("https://podcast.example.com/cloud-native/media/{slug}.ogg"));
        assert_eq!(enclosure.length, bytes.to_string());
        assert_eq!(enclosure.mime_type, "audio/ogg");
        assert_eq!(item.itunes_ext.as_ref().unwrap().duration.as_deref(), Some(seconds.to_string().as_str()));
    }
    let atom_self = find(&show.elements("feed.ogg.xml"), Some(ATOM), "link")[0].attrs["href"].clone();
    assert_eq!(atom_self, "https://podcast.example.com/cloud-native/feed.ogg.xml");
}

#[test]
fn the_main_feed_offers_the_ogg_as_an_alternate_enclosure() {
    let show = Show::sample();
    show.build().ok();
    let els = show.elements("feed.xml");
    let alternates = find(&els, Some(PODCAST), "alternateEnclosure");
    assert_eq!(alternates.len(), 8, "MP3 (default) and OGG for each of four episodes");
    let ogg: Vec<_> = alternates.iter().filter(|a| a.attrs["type"] == "audio/ogg").collect();
    assert_eq!(ogg.len(), 4);
    let fluentd = ogg.iter().find(|a| a.attrs["length"] == "80100").expect("fluentd ogg by its size");
    assert_eq!(fluentd.attrs["title"], "OGG");
    assert!(!fluentd.attrs.contains_key("default"));
    let sources = find(&els, Some(PODCAST), "source");
    assert!(
        sources
            .iter()
            .any(|s| s.attrs["uri"] == "https://podcast.example.com/cloud-native/media/fluentd-eduardo-silva.ogg")
    );
    assert!(
        alternates
            .iter()
            .filter(|a| a.attrs.get("default").map(String::as_str) == Some("true"))
            .all(|a| a.attrs["type"] == "audio/mpeg")
    );
}

#[test]
fn channel_and_items_carry_every_required_tag() {
    let show = Show::sample();
    show.build().ok();
    let xml = show.read("public/feed.xml");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\""), "{}", &xml[..100]);
    for decl in [
        "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"",
        "xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"",
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
        "xmlns:atom=\"http://www.w3.org/2005/Atom\"",
    ] {
        assert!(xml.contains(decl), "missing {decl}");
    }
    let els = show.elements("feed.xml");
    let channel_child = |ns: Option<&str>, name: &str| -> Vec<&Element> {
        find(&els, ns, name).into_iter().filter(|e| e.path == ["rss", "channel"]).collect()
    };
    for (ns, name, text) in [
        (None, "title", "Talking Cloud Native with Gordon Haff"),
        (None, "link", "https://podcast.example.com/cloud-native/"),
        (None, "language", "en"),
        (None, "copyright", "© 2017 Gordon Haff"),
        (None, "lastBuildDate", "Wed, 12 Apr 2017 09:03:00 -0400"),
        (Some(ITUNES), "author", "Gordon Haff"),
        (Some(ITUNES), "explicit", "false"),
        (Some(ITUNES), "type", "episodic"),
        (Some(PODCAST), "locked", "no"),
    ] {
        let found = channel_child(ns, name);
        assert_eq!(found.len(), 1, "channel {name}");
        assert_eq!(found[0].text, text, "channel {name}");
    }
    assert!(!channel_child(None, "description")[0].text.is_empty());
    assert_eq!(channel_child(Some(ITUNES), "category")[0].attrs["text"], "Technology");
    assert_eq!(
        channel_child(Some(ITUNES), "image")[0].attrs["href"],
        "https://podcast.example.com/cloud-native/media/cover.jpg"
    );
    let owner = find(&els, Some(ITUNES), "email");
    assert_eq!(owner[0].text, "podcast@example.com");
    assert_eq!(owner[0].path, ["rss", "channel", "owner"]);
    let self_link = &channel_child(Some(ATOM), "link")[0].attrs;
    assert_eq!(self_link["href"], "https://podcast.example.com/cloud-native/feed.xml");
    assert_eq!(self_link["rel"], "self");
    // UUIDv5 of "podcast.example.com/cloud-native/feed.xml" in the Podcasting 2.0 namespace.
    let guid = &channel_child(Some(PODCAST), "guid")[0].text;
    let expected = uuid_v5_of("podcast.example.com/cloud-native/feed.xml");
    assert_eq!(guid, &expected);

    let items: Vec<_> = find(&els, None, "item");
    assert_eq!(items.len(), 4);
    for name in ["title", "link", "guid", "pubDate", "description", "enclosure"] {
        assert_eq!(
            find(&els, None, name).iter().filter(|e| e.path.last().map(String::as_str) == Some("item")).count(),
            4,
            "item {name}"
        );
    }
    for name in ["title", "duration", "episode", "episodeType", "explicit"] {
        assert_eq!(
            find(&els, Some(ITUNES), name).iter().filter(|e| e.path.last().map(String::as_str) == Some("item")).count(),
            4,
            "item itunes:{name}"
        );
    }
    assert_eq!(find(&els, Some(CONTENT), "encoded").len(), 4);
    let guid = find(&els, None, "guid")[0];
    assert_eq!(guid.attrs["isPermaLink"], "false");
    assert_eq!(guid.text, "c2ebf43a-8bde-47d6-8326-92a275ca6c67");
    let person = find(&els, Some(PODCAST), "person")[0];
    assert_eq!((person.text.as_str(), person.attrs["role"].as_str()), ("Sarah Novotny", "guest"));
    let notes = &find(&els, Some(CONTENT), "encoded")[1].text;
    assert!(notes.contains("<li>a flexible query language,</li>"), "{notes}");
}

/// The Podcasting 2.0 guid, computed independently of podsmith's code.
fn uuid_v5_of(seed: &str) -> String {
    let ns = uuid::Uuid::parse_str("ead4c236-bf58-58c6-a2c6-a6b28d128cb6").unwrap();
    uuid::Uuid::new_v5(&ns, seed.as_bytes()).to_string()
}

#[test]
fn pages_list_each_format_with_its_measured_duration() {
    let show = Show::sample();
    show.build().ok();
    for (slug, _, clock) in EXPECTED {
        let html = show.read(&format!("public/episodes/{slug}/index.html"));
        let text = page_text(&html);
        assert!(text.contains(&format!("Listen to MP3 ({clock})")), "{slug}: {text}");
        assert!(text.contains(&format!("Listen to OGG ({clock})")), "{slug}");
        assert!(html.contains(&format!("<source src=\"../../media/{slug}.mp3\" type=\"audio/mpeg\">")), "{slug}");
        assert!(html.contains(&format!("<source src=\"../../media/{slug}.ogg\" type=\"audio/ogg\">")), "{slug}");
        assert!(html.contains("<audio id=\"player\" controls"), "{slug}");
        // "Listen to" plays in the browser; a separate link downloads.
        assert!(
            html.contains(&format!(
                "<a href=\"../../media/{slug}.mp3\">Listen to MP3 ({clock})</a> · <a href=\"../../media/{slug}.mp3\" download>Download MP3 <bdi class=\"meta\">"
            )),
            "{slug}: {html}"
        );
        assert!(html.contains(
            "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Talking Cloud Native with Gordon Haff — RSS\" href=\"https://podcast.example.com/cloud-native/feed.xml\">"
        ));
        assert!(html.contains("<a href=\"../../\">"), "link back to the index");
    }
    let prometheus = page_text(&show.read("public/episodes/prometheus-bjorn-rabenstein/index.html"));
    assert!(prometheus.contains("With Björn Rabenstein"));
    assert!(prometheus.contains("12 April 2017"));

    let index = show.read("public/index.html");
    let positions: Vec<usize> = EXPECTED
        .iter()
        .map(|(slug, _, _)| {
            index.find(&format!("href=\"episodes/{slug}/\"")).unwrap_or_else(|| panic!("{slug} not linked"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "index lists newest first");
    assert!(index.contains("<img src=\"media/cover.jpg\""));
    assert!(index.contains("rel=\"alternate\" type=\"application/rss+xml\""));
}

#[test]
fn the_sitemap_lists_the_index_and_every_live_episode_page_by_date() {
    let show = Show::sample();
    // An episode dated later has no page yet, and is not in the sitemap.
    fs::copy(show.path("media/coredns-miek-gieben.mp3"), show.path("media/later.mp3")).unwrap();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &format!("{manifest}\n[[episode]]\ntitle = \"Later\"\nguid = \"later\"\ndate = 2030-01-01T00:00:00Z\nmedia = [\"media/later.mp3\"]\n"),
    );
    show.build().ok();
    let xml = show.read("public/sitemap.xml");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- made by podsmith -->\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"), "{xml}");
    let between = |tag: &str| -> Vec<String> {
        xml.split(&format!("<{tag}>"))
            .skip(1)
            .map(|s| s.split(&format!("</{tag}>")).next().unwrap().to_string())
            .collect()
    };
    let base = "https://podcast.example.com/cloud-native/";
    let pages: Vec<String> = [
        "",
        "kubernetes-sarah-novotny/",
        "prometheus-bjorn-rabenstein/",
        "coredns-miek-gieben/",
        "fluentd-eduardo-silva/",
    ]
    .iter()
    .map(|p| if p.is_empty() { base.to_string() } else { format!("{base}episodes/{p}") })
    .collect();
    assert_eq!(between("loc"), pages);
    // The index dated by the newest episode; each page by its episode.
    let channel = show.channel("feed.xml");
    let mut dates: Vec<String> = vec![channel.last_build_date().unwrap().to_string()];
    dates.extend(channel.items().iter().map(|i| i.pub_date().unwrap().to_string()));
    let lastmod: Vec<String> =
        between("lastmod").iter().map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap().to_rfc2822()).collect();
    let rfc = |d: &str| chrono::DateTime::parse_from_rfc2822(d).unwrap();
    let as_instants = |v: &[String]| v.iter().map(|d| rfc(d)).collect::<Vec<_>>();
    assert_eq!(as_instants(&lastmod), as_instants(&dates));
    // Every page it lists is one the build wrote.
    for url in &pages {
        let rel = url.trim_start_matches(base);
        assert!(show.path(&format!("public/{rel}index.html")).is_file(), "{rel}");
    }
}

#[test]
fn list_shows_every_episode_with_its_length_formats_and_status() {
    let show = Show::sample();
    show.build().ok();
    // One added and not built yet (dated in UTC: listed in the show's
    // utc_offset, as the others), one dated later.
    fs::copy(show.path("media/coredns-miek-gieben.mp3"), show.path("media/bonus.mp3")).unwrap();
    fs::copy(show.path("media/fluentd-eduardo-silva.mp3"), show.path("media/later.mp3")).unwrap();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &format!(
            "{manifest}\n[[episode]]\ntitle = \"Bonus\"\nguid = \"bonus\"\ndate = 2017-04-13T13:00:00Z\nmedia = [\"media/bonus.mp3\"]\n\
             \n[[episode]]\ntitle = \"Later\"\nguid = \"later\"\nseason = 2\nepisode = 1\ndate = 2030-01-01T09:00:00-04:00\nmedia = [\"media/later.mp3\"]\n"
        ),
    );
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_data_eq!(
        run.stdout,
        str![[r#"
   #  date              title                                      length  formats  status
S2E1  2030-01-01 09:00  Later                                       15:10  MP3      scheduled
      2017-04-13 09:00  Bonus                                       12:24  MP3      new
   4  2017-04-12 09:03  Sarah Novotny on the Kubernetes community   20:54  MP3 OGG  live
   3  2017-04-12 09:02  Björn Rabenstein on Prometheus              16:38  MP3 OGG  live
   2  2017-04-12 09:01  Miek Gieben on CoreDNS                      12:24  MP3 OGG  live
   1  2017-04-12 09:00  Eduardo Silva on Fluentd                    15:10  MP3 OGG  live
5 live (1 new: the next build publishes it), 1 scheduled; 1:17:30 of audio in the feed

"#]]
    );
    // Nothing was written: the list reads the show as a build would.
    assert!(!show.read("public/feed.xml").contains("Bonus"));
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["live"].as_u64(), v["new"].as_u64(), v["scheduled"].as_u64()), (Some(5), Some(1), Some(1)));
    let first = &v["episodes"][0];
    assert_eq!((first["title"].as_str(), first["status"].as_str()), (Some("Later"), Some("scheduled")));
    assert_eq!(first["media"][0]["duration_secs"].as_f64().map(f64::round), Some(910.0));
    assert_eq!(v["episodes"][2]["media"][1]["format"], "OGG");
    // A show with no episode yet says how to add one.
    let empty = Show::empty();
    empty.run(&["init", "--title", "T", "--author", "A", "--email", "a@t.net", "--base-url", "https://t.net/"]).ok();
    let run = empty.run(&["list"]).ok();
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("", "no episodes yet: add one with podsmith add RECORDING.mp3 --title \"…\"\n")
    );
}

#[test]
fn list_says_a_published_episode_dated_later_is_one_the_build_refuses_to_withdraw() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replace("date = 2017-04-12T09:03:00-04:00", "date = 2030-04-12T09:03:00-04:00"),
    );
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_data_eq!(
        run.stdout,
        str![[r#"
#  date              title                                      length  formats  status
4  2030-04-12 09:03  Sarah Novotny on the Kubernetes community   20:54  MP3 OGG  redated
3  2017-04-12 09:02  Björn Rabenstein on Prometheus              16:38  MP3 OGG  live
2  2017-04-12 09:01  Miek Gieben on CoreDNS                      12:24  MP3 OGG  live
1  2017-04-12 09:00  Eduardo Silva on Fluentd                    15:10  MP3 OGG  live
3 live, 1 redated, 0 scheduled; 1:05:06 of audio in the feed

"#]]
    );
    // What it means is a warning, on stderr.
    assert!(
        run.stderr.contains(
            "warning: 1 redated: published, but dated later now; `podsmith build` refuses to take it out of the \
             feed\n  help: give it back the date it was published with, or see `podsmith diff`"
        ),
        "{}",
        run.stderr
    );
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["live"].as_u64(), v["scheduled"].as_u64(), v["redated"].as_u64()), (Some(3), Some(0), Some(1)));
    let rules: Vec<&str> = v["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["rule"].as_str()).collect();
    assert_eq!(rules, ["EPISODE-DATE", "IDENTITY"], "{v}");
    assert_eq!(v["episodes"][0]["status"], "redated");
    // As list says, the build refuses it, and writes nothing.
    let before = show.public_files();
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert!(run.stderr.contains("this build would change episodes subscribers already have"), "{}", run.stderr);
    assert_eq!(before, show.public_files());
    // Listed as of a moment before the date it was published with, it was
    // not published yet: it is to come.
    let run = show.run(&["list", "--as-of", "2017-04-12T13:02:30Z", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["live"].as_u64(), v["scheduled"].as_u64(), v["redated"].as_u64()), (Some(3), Some(1), Some(0)));
}

/// A look back (`--as-of` a moment before episodes were published, their
/// dates as they were published): list calls them to come, not redated;
/// diff and build say they would be left out of the feed, and a build
/// allowed to do so leaves podsmith.lock as it is, so the next build finds
/// them published as ever.
#[test]
fn a_build_as_of_a_moment_before_published_episodes_leaves_the_lock_as_it_is() {
    let show = Show::sample();
    show.build().ok();
    let lock = show.read("podsmith.lock");
    let back = "2017-04-12T13:01:30Z";
    let run = show.run(&["list", "--as-of", back, "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["live"].as_u64(), v["scheduled"].as_u64(), v["redated"].as_u64()), (Some(2), Some(2), Some(0)));
    let run = show.run(&["diff", "--as-of", back]).fails(1);
    assert!(run.stdout.contains("is left out of a feed built as of a moment before its date"), "{}", run.stdout);
    assert!(!run.stdout.contains("its date is now"), "{}", run.stdout);
    let run = show.run(&["build", "--as-of", back, "--out", "past"]).fails(1);
    assert!(run.stderr.contains("build as of a moment after its date, or without --as-of"), "{}", run.stderr);
    let run = show.run(&["build", "--as-of", back, "--out", "past", "--allow-changes"]).ok();
    assert!(run.stderr.contains("podsmith.lock is left as it is"), "{}", run.stderr);
    assert!(!run.stderr.contains("run `podsmith build` again after that time"), "{}", run.stderr);
    assert_eq!(show.read("podsmith.lock"), lock);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.starts_with("no changes since the last build"), "{}", run.stdout);
}

#[test]
fn list_shows_the_other_episodes_when_one_file_is_broken() {
    let show = Show::sample();
    show.build().ok();
    fs::write(show.path("media/coredns-miek-gieben.mp3"), b"<html>not found</html>").unwrap();
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert_data_eq!(
        run.stdout,
        str![[r#"
#  date              title                                      length  formats  status
4  2017-04-12 09:03  Sarah Novotny on the Kubernetes community   20:54  MP3 OGG  live
3  2017-04-12 09:02  Björn Rabenstein on Prometheus              16:38  MP3 OGG  live
2  2017-04-12 09:01  Miek Gieben on CoreDNS                          ?  MP3 OGG  error
1  2017-04-12 09:00  Eduardo Silva on Fluentd                    15:10  MP3 OGG  live
3 live, 0 scheduled, 1 in error; 52:42 of audio in the feed

"#]]
    );
    assert!(run.stderr.starts_with("error: episodes.toml:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("media/coredns-miek-gieben.mp3 (episode \"Miek Gieben on CoreDNS\")"),
        "{}",
        run.stderr
    );
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"]).fails(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["ok"].as_bool(), v["live"].as_u64(), v["in_error"].as_u64()), (Some(false), Some(3), Some(1)));
    assert_eq!(v["episodes"][2]["status"], "error");
    assert_eq!(v["diagnostics"][0]["line"], 55);
}

/// A media file gone from the show folder (moved, or deleted once
/// uploaded) is listed as an error too, and said as the manifest says it
/// (what to put where), not as a file that cannot be read; a build still
/// stops on it at the manifest.
#[test]
fn list_shows_the_other_episodes_when_one_file_is_missing() {
    let show = Show::sample();
    show.build().ok();
    fs::remove_file(show.path("media/coredns-miek-gieben.mp3")).unwrap();
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    let rows: Vec<&str> = run.stdout.lines().filter(|l| l.ends_with("  live") || l.ends_with("  error")).collect();
    assert_eq!(rows.len(), 4, "{}", run.stdout);
    assert!(rows[2].contains("Miek Gieben on CoreDNS") && rows[2].ends_with("  error"), "{}", run.stdout);
    assert!(run.stdout.contains("3 live, 0 scheduled, 1 in error;"), "{}", run.stdout);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: episodes.toml:55:10: `media` "media/coredns-miek-gieben.mp3" in episode 2 ("Miek Gieben on CoreDNS") does not exist
  help: check the name, or put the file at media/coredns-miek-gieben.mp3 in the show folder
error: 1 episode cannot be published as it is (status error in the list)
  help: `podsmith build` stops on it: fix what is said above, then build

"#]]
    );
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"]).fails(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["live"].as_u64(), v["in_error"].as_u64(), v["errors"].as_u64()), (Some(3), Some(1), Some(1)), "{v}");
    assert_eq!(
        (v["diagnostics"][0]["rule"].as_str(), v["diagnostics"][0]["line"].as_u64()),
        (Some("MANIFEST"), Some(55))
    );
    let run = show.build().fails(1);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    // Both files of one line gone: each said.
    fs::remove_file(show.path("media/coredns-miek-gieben.ogg")).unwrap();
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert_eq!(run.stderr.matches("does not exist").count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("\"media/coredns-miek-gieben.ogg\" in episode 2"), "{}", run.stderr);
}

/// A title holding direction marks (a Hebrew name isolated, as the README
/// advises) is JSON all the same: written with JSON's escapes, which a
/// terminal shows as they are, and read back as the title.
#[test]
fn json_output_escapes_direction_marks_as_json_does() {
    let show = Show::sample();
    let title = "Eduardo \u{2067}עברית\u{2069} on Fluentd";
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replace("title = \"Eduardo Silva on Fluentd\"", &format!("title = \"{title}\"")),
    );
    for args in [&["list", "--format", "json"][..], &["validate", "--format", "json"]] {
        let run = show.run(&[args, &["--as-of", "2026-06-01T00:00:00Z"]].concat()).ok();
        assert!(run.stdout.contains("\\u2067"), "{args:?}: {}", run.stdout);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert!(doc.to_string().contains("עברית"), "{args:?}: {doc}");
    }
    let run = show.run(&["list", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["episodes"][3]["title"], title);
}

/// `list` says what a build would warn of in the manifest and the episodes
/// as measured (here two full episodes with one number) on stderr, the list
/// alone on stdout, and exits 0; in JSON the warning is among the
/// document's diagnostics.
#[test]
fn list_says_the_warnings_a_build_gives_on_stderr() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("\nepisode = 3\n", "\nepisode = 2\n", 1));
    let as_of = "2026-06-01T00:00:00Z";
    let run = show.run(&["list", "--as-of", as_of]).ok();
    assert_data_eq!(
        run.stdout,
        str![[r#"
#  date              title                                      length  formats  status
4  2017-04-12 09:03  Sarah Novotny on the Kubernetes community   20:54  MP3 OGG  new
2  2017-04-12 09:02  Björn Rabenstein on Prometheus              16:38  MP3 OGG  new
2  2017-04-12 09:01  Miek Gieben on CoreDNS                      12:24  MP3 OGG  new
1  2017-04-12 09:00  Eduardo Silva on Fluentd                    15:10  MP3 OGG  new
4 live (4 new: the next build publishes them), 0 scheduled; 1:05:06 of audio in the feed

"#]]
    );
    assert_data_eq!(
        run.stderr.as_str(),
        str![[r#"
warning: episodes.toml:79:1: episode 3 ("Björn Rabenstein on Prometheus") has the same episode number 2 as episode 2 ("Miek Gieben on CoreDNS") at line 48
  help: apps list a show's episodes by their numbers: give one of them its own (episode = 5 is free), or, if it is the other's trailer or bonus content, say so: type = "trailer" or type = "bonus"

"#]]
    );
    // The build says the same.
    let build = show.run(&["build", "--as-of", as_of]).ok();
    assert!(build.stderr.contains(run.stderr.trim_end()), "{}", build.stderr);
    let run = show.run(&["list", "--as-of", as_of, "--format", "json"]).ok();
    assert_eq!(run.stderr, "");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["ok"].as_bool(), v["warnings"].as_u64(), v["errors"].as_u64()), (Some(true), Some(1), Some(0)));
    assert_eq!((&v["diagnostics"][0]["rule"], &v["diagnostics"][0]["line"]), (&"EPISODE-NUMBER".into(), &79.into()));
    assert_eq!(v["episodes"].as_array().map(Vec::len), Some(4));
}

#[test]
fn a_second_build_changes_no_byte() {
    let show = Show::sample();
    show.build().ok();
    let first = show.public_files();
    let run = show.build().ok();
    assert_eq!(first, show.public_files());
    assert!(run.stderr.contains("0 written"), "{}", run.stderr);
    // Rendered and written again in full (no cache, no "nothing changed"):
    // the same bytes, so no file is rewritten.
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z", "--no-cache"]).ok();
    assert!(!run.stderr.contains("nothing changed since the last build"), "{}", run.stderr);
    assert!(
        run.stderr.contains("probed 8 media files") && run.stderr.contains("0 written, 20 unchanged"),
        "{}",
        run.stderr
    );
    assert_eq!(first, show.public_files());
    // A fresh build into another folder gives the same bytes too.
    show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--out", "again"]).ok();
    let mut again = std::collections::BTreeMap::new();
    for k in first.keys() {
        again.insert(k.clone(), fs::read(show.path(&format!("again/{k}"))).unwrap());
    }
    assert_eq!(first, again);
    assert_eq!(
        first.len(),
        4 * 2 + 1 + 5 + 1 + 2 + 3,
        "8 media, cover, 5 pages, the sitemap, 2 feeds, one episode's chapters and transcript (VTT, SRT): {:?}",
        first.keys().collect::<Vec<_>>()
    );
}

#[test]
fn the_summary_names_what_was_built() {
    let show = Show::sample();
    let run = show.build().ok();
    assert_eq!(run.stdout, "", "build prints data nowhere; messages go to stderr");
    // The sample show is not deployed anywhere: validate says so.
    assert_data_eq!(
        run.stderr,
        str![[r#"
recorded the 4 published episodes in podsmith.lock: keep it with episodes.toml
warning: episodes.toml:22: the feed's URLs are on podcast.example.com and the owner e-mail on example.com, domains reserved for examples: nothing is served or delivered there [PLACEHOLDER]
  help: set base_url and the owner's email in episodes.toml to real ones
Built 4 episodes into public: feed.xml, feed.ogg.xml (2 feeds), 5 pages, 9 media/image files; 20 written, 0 unchanged, in [..]s

"#]]
    );
}

#[test]
fn a_warm_build_probes_nothing_and_says_so() {
    let show = Show::sample();
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains("probed 8 media files; 0 unchanged ones came from the cache"), "{}", run.stderr);
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stderr.contains(
            "probed nothing: all 8 media files are unchanged since they were measured (.podsmith/cache.json)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "nothing changed since the last build (.podsmith/build.json): nothing was probed, rendered or written"
        ),
        "{}",
        run.stderr
    );
    // The same warnings and summary as the build that did the work.
    assert!(run.stderr.contains("[PLACEHOLDER]") && run.stderr.contains("0 written, 20 unchanged"), "{}", run.stderr);
    // An output that was removed makes it a real build again.
    std::fs::remove_file(show.path("public/index.html")).unwrap();
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains("1 written, 19 unchanged"), "{}", run.stderr);
    // A template edit too.
    show.write("templates/index.html", "{% extends \"base.html\" %}{% block body %}<p>custom</p>{% endblock %}");
    show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(show.read("public/index.html").contains("<p>custom</p>"));
    std::fs::remove_file(show.path("templates/index.html")).unwrap();
    // A replaced file is measured again, the others are not.
    std::fs::copy(audio("pair-5s.mp3"), show.path("media/fluentd-eduardo-silva.mp3")).unwrap();
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]);
    assert!(run.stderr.contains("probed 1 media file; 7 unchanged ones came from the cache"), "{}", run.stderr);
    // --no-cache measures everything.
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z", "--no-cache", "--allow-changes"]);
    assert!(run.stderr.contains("probed 8 media files; 0 unchanged"), "{}", run.stderr);
}

#[test]
fn a_damaged_probe_cache_is_rebuilt_not_trusted() {
    let show = Show::sample();
    show.build().ok();
    let feed = show.read("public/feed.xml");
    show.write(".podsmith/cache.json", "{\"version\": 2, \"entries\": {\"media/fluentd-eduardo-silva.mp3\": 7}}");
    // An edit (a comment) makes the next build a real one, which reads the cache.
    show.write("episodes.toml", &format!("{}\n# edited\n", show.read("episodes.toml")));
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains("warning: the probe cache was set aside (damaged"), "{}", run.stderr);
    assert!(run.stderr.contains("probed 8 media files"), "{}", run.stderr);
    assert_eq!(show.read("public/feed.xml"), feed);
    // A file written again (new modification time) is measured again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let bytes = std::fs::read(show.path("media/fluentd-eduardo-silva.ogg")).unwrap();
    std::fs::write(show.path("media/fluentd-eduardo-silva.ogg"), bytes).unwrap();
    let run = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!run.stderr.contains("nothing changed since the last build"), "{}", run.stderr);
    assert!(run.stderr.contains("probed 1 media file; 7 unchanged ones came from the cache"), "{}", run.stderr);
    // One of another podsmith: said as such, also by a build that then
    // stops on a file (why every file, a hosted one too, was measured anew).
    for (version, who) in [(1, "an earlier"), (999, "a later")] {
        show.write(".podsmith/cache.json", &format!("{{\"version\": {version}, \"id\": \"0\", \"entries\": {{}}}}"));
        show.write("episodes.toml", &format!("{}\n# edited {version}\n", show.read("episodes.toml")));
        let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
        let said = format!(
            "warning: the probe cache was set aside (it was written by {who} podsmith, which measures some files \
             otherwise): every media file is measured anew"
        );
        assert!(run.stderr.contains(&said), "{}", run.stderr);
    }
    show.write(".podsmith/cache.json", "{\"version\": 1, \"id\": \"0\", \"entries\": {}}");
    std::fs::write(show.path("media/fluentd-eduardo-silva.ogg"), b"").unwrap();
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert!(run.stderr.contains("the file is empty"), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: the probe cache was set aside (it was written by an earlier"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("error: 1 media file cannot be published; nothing was written"), "{}", run.stderr);
}

/// `validate --loudness` on the sample show measures each of its eight
/// files as ffmpeg's EBU R128 meter does, and finds the one thing wrong in
/// them: the fluentd OGG peaks at -0.1 dBTP (the README says so).
#[test]
fn the_sample_shows_loudness_is_as_ffmpeg_measures_it_with_one_peak_too_high() {
    // `ffmpeg -i FILE -af ebur128=peak=true -f null -` (ffmpeg 5.1, Debian 12):
    // integrated loudness (LUFS) and true peak (dBTP), to its one decimal.
    const FFMPEG: [(&str, f64, f64); 8] = [
        ("coredns-miek-gieben.mp3", -20.1, -1.9),
        ("coredns-miek-gieben.ogg", -19.4, -1.5),
        ("fluentd-eduardo-silva.mp3", -20.5, -1.5),
        ("fluentd-eduardo-silva.ogg", -19.8, -0.1),
        ("kubernetes-sarah-novotny.mp3", -20.6, -2.8),
        ("kubernetes-sarah-novotny.ogg", -19.8, -1.6),
        ("prometheus-bjorn-rabenstein.mp3", -20.2, -1.7),
        ("prometheus-bjorn-rabenstein.ogg", -19.5, -1.0),
    ];
    let show = Show::sample();
    let run = show.run(&["validate", "--loudness", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let loudness = &doc["loudness"];
    assert_eq!(loudness["decoded"], 8, "{loudness}");
    let files = loudness["files"].as_array().unwrap();
    assert_eq!(files.len(), 8, "{loudness}");
    for (file, lufs, peak) in FFMPEG {
        let row = files.iter().find(|f| f["file"] == format!("media/{file}")).unwrap_or_else(|| panic!("{file}"));
        let measured = &row["loudness"];
        let (i, tp) = (measured["integrated_lufs"].as_f64().unwrap(), measured["true_peak_dbtp"].as_f64().unwrap());
        assert!((i - lufs).abs() <= 0.1, "{file}: {i} LUFS, ffmpeg {lufs}");
        assert!((tp - peak).abs() <= 0.1, "{file}: {tp} dBTP, ffmpeg {peak}");
        assert_eq!(measured["channels"], 1, "{file}");
    }
    let findings = loudness["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{loudness}");
    assert_eq!(findings[0]["rule"], "LOUDNESS-PEAK");
    assert_eq!(findings[0]["path"], "media/fluentd-eduardo-silva.ogg");
    assert_eq!(findings[0]["severity"], "warning");
}

/// `list` marks a trailer and a bonus episode as apps do (beside its
/// number, if it has one); JSON gives every episode's type.
#[test]
fn list_marks_trailers_and_bonus_episodes() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replacen("\nepisode = 4\n", "\nepisode = 4\ntype = \"trailer\"\n", 1).replacen(
            "\nepisode = 3\n",
            "\ntype = \"bonus\"\n",
            1,
        ),
    );
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_data_eq!(
        run.stdout,
        str![[r#"
        #  date              title                                      length  formats  status
4 trailer  2017-04-12 09:03  Sarah Novotny on the Kubernetes community   20:54  MP3 OGG  new
    bonus  2017-04-12 09:02  Björn Rabenstein on Prometheus              16:38  MP3 OGG  new
        2  2017-04-12 09:01  Miek Gieben on CoreDNS                      12:24  MP3 OGG  new
        1  2017-04-12 09:00  Eduardo Silva on Fluentd                    15:10  MP3 OGG  new
4 live (4 new: the next build publishes them), 0 scheduled; 1:05:06 of audio in the feed

"#]]
    );
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let types: Vec<&str> = json["episodes"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["trailer", "bonus", "full", "full"]);
}
