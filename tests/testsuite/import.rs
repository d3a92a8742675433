//! `podsmith import`: a show folder from an existing feed. The sample
//! show's own feed goes round the trip (import, build with its media
//! served by a real HTTP server on 127.0.0.1, compare the feeds); every
//! real feed from other hosts and tools either imports, keeping every
//! guid, or is refused with a reason, leaving nothing behind.

use std::collections::BTreeMap;

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

#[test]
fn the_sample_shows_feed_goes_round_the_trip() {
    // The original, served where its base_url says, media and all.
    let original = Show::sample();
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let manifest = original.read("episodes.toml").replace("https://podcast.example.com/cloud-native/", &server.base());
    original.write("episodes.toml", &manifest);
    original.build().ok();
    copy_dir(&original.path("public"), served.path());

    let new = Show::empty();
    let run = new
        .run(&[
            "import",
            &original.path("public/feed.xml").display().to_string(),
            "show",
            "--base-url",
            "https://new.example.org/podcast/",
        ])
        .ok();
    assert!(run.stderr.contains("Imported 4 episode(s)"), "{}", run.stderr);
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
    // The show keeps its podcast:guid; its chapters and transcripts are not carried (they are the old host's files).
    assert!(manifest.contains("guid = \"3e8bb759-978b-5ea1-9095-4a41a002c648\"") || manifest.contains("\nguid = \""));
    // Importing again into the same folder is refused: nothing is overwritten.
    let again = new.run(&["import", &original.path("public/feed.xml").display().to_string(), "show"]).fails(1);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);
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

#[test]
fn every_real_feed_imports_keeping_its_guids_or_is_refused_with_a_reason() {
    let dir = repo().join("tests/fixtures/real-feeds");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    let (mut imported, mut refused) = (0, 0);
    for name in &names {
        let show = Show::empty();
        let feed = dir.join(name).display().to_string();
        let run = show.run(&["import", &feed, "show", "--category", "Technology"]);
        match run.code {
            0 => {
                imported += 1;
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
            }
            1 => {
                refused += 1;
                assert!(run.stderr.lines().any(|l| l.starts_with("error: ")), "{name}: {}", run.stderr);
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
