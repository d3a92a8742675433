//! The podcaster's daily jobs: `init` a show, `add` an episode, `build`
//! again, and the guard that keeps published guids and URLs as they were.

use std::fs;

use snapbox::{assert_data_eq, str};

use crate::harness::*;

/// The item guids and enclosure URLs of a feed, in feed order.
fn identities(show: &Show, feed: &str) -> Vec<(String, String)> {
    show.channel(feed)
        .items
        .iter()
        .map(|i| (i.guid.as_ref().unwrap().value.clone(), i.enclosure.as_ref().unwrap().url.clone()))
        .collect()
}

fn fixture(name: &str) -> String {
    audio(name).display().to_string()
}

#[test]
fn add_appends_one_table_and_the_next_build_keeps_every_published_identity() {
    let show = Show::sample();
    show.build().ok();
    let before_feed = identities(&show, "feed.xml");
    let before = show.read("episodes.toml");
    show.write("notes.md", "We talk about *tests*.\n\n- one\n- two\n");

    let run = show
        .run(&[
            "add",
            &fixture("pair-5s.mp3"),
            &fixture("vorbis-5s.ogg"),
            "--title",
            "Ann on \"release\" days",
            "--date",
            "2017-05-01T10:00:00-04:00",
            "--guest",
            "Ann Example",
            "--notes",
            "notes.md",
        ])
        .ok();
    let table = r#"[[episode]]
title = 'Ann on "release" days'
slug = "ann-on-release-days"
guid = "b1a5b3d6-0d2b-5ae7-b0f9-1c3d5d8f1e58"
date = 2017-05-01T10:00:00-04:00
episode = 5
guests = ["Ann Example"]
media = ["media/pair-5s.mp3", "media/vorbis-5s.ogg"]
notes = """
We talk about *tests*.

- one
- two
"""
"#;
    let after = show.read("episodes.toml");
    // Only lines were added: every comment and episode is byte-for-byte as before.
    assert!(after.starts_with(&before), "the old text changed");
    // The guid add makes: the UUIDv5, in the show's namespace (the UUIDv5 of
    // its base URL), of the slug, the date and the first file; worked out
    // here on its own, not copied from what add wrote.
    let show_ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"https://podcast.example.com/cloud-native/");
    let seed = "ann-on-release-days\n2017-05-01T10:00:00-04:00\nmedia/pair-5s.mp3";
    let guid = format!("guid = \"{}\"", uuid::Uuid::new_v5(&show_ns, seed.as_bytes()));
    assert_eq!(
        after[before.len()..],
        format!("\n{}", table.replace("guid = \"b1a5b3d6-0d2b-5ae7-b0f9-1c3d5d8f1e58\"", &guid))
    );
    assert_eq!(run.stdout, table.replace("guid = \"b1a5b3d6-0d2b-5ae7-b0f9-1c3d5d8f1e58\"", &guid));
    assert!(run.stderr.contains("Added episode 5 \"Ann on \\\"release\\\" days\" to episodes.toml: media/pair-5s.mp3 (0:05), media/vorbis-5s.ogg (0:05).\nPut it in the feed with: podsmith build"), "{}", run.stderr);
    assert_eq!(fs::read(show.path("media/pair-5s.mp3")).unwrap(), fs::read(audio("pair-5s.mp3")).unwrap(), "copied in");
    assert!(audio("pair-5s.mp3").exists(), "--copy is the default: the original stays");

    let run = show.build().ok();
    assert!(run.stderr.contains(r#"+ new episode "Ann on \"release\" days""#), "{}", run.stderr);
    let after_feed = identities(&show, "feed.xml");
    assert_eq!(after_feed.len(), 5);
    assert_eq!(after_feed[1..], before_feed[..], "the four published episodes keep their guids and URLs");
    assert_eq!(after_feed[0].1, "https://podcast.example.com/cloud-native/media/pair-5s.mp3");
    let page = page_text(&show.read("public/episodes/ann-on-release-days/index.html"));
    assert!(page.contains("Listen to MP3 (0:05)") && page.contains("With Ann Example"), "{page}");
}

#[test]
fn adding_the_same_file_twice_is_refused_and_changes_nothing() {
    let show = Show::sample();
    show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "First"]).ok();
    let manifest = show.read("episodes.toml");
    let run = show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "Again"]).fails(1);
    assert_eq!(
        run.stderr,
        format!(
            "error: media/cbr-xing.mp3 is already the media of the episode \"First\" (episodes.toml line {}); each file belongs to one episode\n",
            manifest.lines().position(|l| l == "title = \"First\"").unwrap()
        )
    );
    assert_eq!(show.read("episodes.toml"), manifest);
    // The same add again (run twice, or again after one killed once it had
    // added the episode): nothing to do, and said so.
    let run = show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "First"]).ok();
    let line = manifest.lines().position(|l| l == "title = \"First\"").unwrap();
    assert_eq!(
        run.stderr,
        format!(
            "the episode \"First\" is in already (episodes.toml line {line}), with this file: an `add` of it ran \
             before (or was stopped once it had added the episode); nothing to do\n"
        )
    );
    assert_eq!(show.read("episodes.toml"), manifest);
    // A script that runs it again is told the episode, as the first add told it.
    let first = show.run(&["list", "--format", "json"]).ok();
    let listed: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    let listed = listed["episodes"].as_array().unwrap().iter().find(|e| e["title"] == "First").unwrap().clone();
    let run = show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "First", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for field in ["guid", "slug", "title", "date"] {
        assert_eq!(v[field], listed[field], "{field}: {v}");
    }
    // With the fields of the first add's document, but for a table (none
    // was written); each file measured as it is in the show.
    let file = &listed["media"][0];
    assert_eq!(
        v["media"],
        serde_json::json!([{ "path": "media/cbr-xing.mp3", "duration_secs": file["duration_secs"], "bytes": file["bytes"] }]),
        "{v}"
    );
    assert!(file["duration_secs"].as_f64().is_some_and(|d| d > 0.0), "{listed}");
    assert_eq!(
        (v["dry_run"].as_bool(), v["table"].is_null(), v["goes_live"].is_null()),
        (Some(false), true, true),
        "{v}"
    );
    // Run again to put a value right: refused, each value named, and where
    // to edit it (it said "nothing to do", and the date stayed wrong).
    let date = manifest.lines().skip(line).find(|l| l.starts_with("date = ")).unwrap()["date = ".len()..].to_string();
    let again = ["add", &fixture("cbr-xing.mp3"), "--title", "First", "--date", "2026-12-14", "--season", "2"];
    for json in [false, true] {
        let args = [&again[..], if json { &["--format", "json"][..] } else { &[][..] }].concat();
        let run = show.run(&args).fails(1);
        let said = format!(
            "the episode \"First\" is in already (episodes.toml line {line}), with this file, but this add gives it \
             other values: --date 2026-12-14 (it has {}), --season 2 (it has none); `add` does not change an \
             episode: edit it in episodes.toml at line {line}",
            podsmith::manifest::moment(&date, chrono::FixedOffset::east_opt(0).unwrap()).unwrap().to_rfc3339()
        );
        match json {
            false => assert_eq!(run.stderr, format!("error: {said}\n")),
            true => {
                let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
                assert!(v.to_string().contains(&serde_json::Value::String(said).to_string()), "{v}");
            }
        }
        assert_eq!(show.read("episodes.toml"), manifest);
    }
}

/// What the command line cannot ask is a usage error (exit 2) naming the
/// file: a file given twice, no --title for a file without a title tag (or
/// with one of spaces alone: it was said to have none, which it had).
#[test]
fn add_says_a_file_given_twice_or_without_a_title_as_usage_errors() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let untagged = fixture("vbr-xing.mp3");
    let run = show.run(&["add", &untagged]).fails(2);
    assert_eq!(
        run.stderr,
        format!("error: {untagged} has no title in its tags: give the episode a title with --title \"…\"\n")
    );
    // In JSON, a USAGE diagnostic, as every command's refused command line.
    let json = show.run(&["add", &untagged, "--format", "json"]).fails(2);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["rule"], "USAGE", "{doc}");
    let twice = show.run(&["add", &untagged, &untagged, "--title", "x"]).fails(2);
    assert!(twice.stderr.contains(&format!("{untagged} is given twice")), "{}", twice.stderr);
    let guests = show.run(&["add", &untagged, "--title", "x", "--guest", "Bob", "--guest", "bob "]).fails(2);
    assert!(guests.stderr.contains("--guest \"bob\" is given twice"), "{}", guests.stderr);
    // A title tag of spaces alone (ID3v2.3, TIT2 "   ") before the audio.
    let mut tag = b"ID3\x03\x00\x00\x00\x00\x00\x0eTIT2\x00\x00\x00\x04\x00\x00\x00   ".to_vec();
    tag.extend(fs::read(audio("vbr-xing.mp3")).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.mp3");
    fs::write(&blank, tag).unwrap();
    let run = show.run(&["add", blank.to_str().unwrap()]).fails(2);
    assert!(run.stderr.contains("blank.mp3 has no title in its tags: give the episode a title"), "{}", run.stderr);
    assert_eq!(show.read("episodes.toml"), manifest);
}

#[test]
fn add_refuses_what_cannot_be_published_and_leaves_the_show_as_it_was() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let media_before = fs::read_dir(show.path("media")).unwrap().count();
    let odd = tempfile::tempdir().unwrap();
    let backslash = odd.path().join("back\\slash.mp3");
    fs::copy(audio("cbr-xing.mp3"), &backslash).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![backslash.display().to_string(), "--title".into(), "x".into()],
            "slash.mp3: a name with a backslash cannot be a file of the show",
        ),
        (
            vec![fixture("broken-not-audio.mp3"), "--title".into(), "x".into()],
            "broken-not-audio.mp3: not a supported audio file",
        ),
        (
            vec![fixture("cbr-xing.mp3"), fixture("vorbis-5s.ogg"), "--title".into(), "x".into()],
            "audio/cbr-xing.mp3 plays for 3.0 s but /",
        ),
        (
            vec![fixture("cbr-xing.mp3"), fixture("vorbis-5s.ogg"), "--title".into(), "x".into()],
            "audio/vorbis-5s.ogg for 5.0 s: the formats of one episode must be the same recording",
        ),
        (
            vec![fixture("cbr-xing.mp3"), "--title".into(), "x".into(), "--slug".into(), "coredns-miek-gieben".into()],
            "the slug \"coredns-miek-gieben\" is taken by another episode; choose another --slug",
        ),
        // What the build would refuse: a name that belies the content, two files of one format.
        (
            vec![fixture("mislabelled.ogg"), "--title".into(), "x".into()],
            "audio/mislabelled.ogg: the file holds MP3 audio but its name ends in \".ogg\"; apps go by the name: rename it to /",
        ),
        (
            vec![fixture("cbr-xing.mp3"), fixture("cbr-noxing.mp3"), "--title".into(), "x".into()],
            "audio/cbr-noxing.mp3 are both MP3: an episode has one file per format",
        ),
    ];
    // A dry run refuses what the real run refuses, with the same words.
    for (args, message) in cases {
        for dry in [true, false] {
            let mut all = vec!["add".to_string()];
            all.extend(args.iter().cloned());
            if dry {
                all.push("--dry-run".into());
            }
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            let run = show.run(&all).fails(1);
            assert!(run.stderr.contains(message), "{all:?}: {}", run.stderr);
            // Named as given: the copy in media/ was not made.
            assert!(!run.stderr.contains("media/"), "{all:?}: {}", run.stderr);
            assert_eq!(show.read("episodes.toml"), manifest, "{all:?}");
            assert_eq!(fs::read_dir(show.path("media")).unwrap().count(), media_before, "{all:?}: no file left behind");
        }
    }
    assert_eq!(show.read("episodes.toml"), manifest);
    // A different file under a name the show already uses.
    fs::copy(audio("vorbis.ogg"), show.path("media/clash.ogg")).unwrap();
    let other = tempfile::tempdir().unwrap();
    fs::copy(audio("vorbis-5s.ogg"), other.path().join("clash.ogg")).unwrap();
    let run = show.run(&["add", &other.path().join("clash.ogg").display().to_string(), "--title", "x"]).fails(1);
    assert!(run.stderr.contains("media/clash.ogg already exists in the show with other content"), "{}", run.stderr);
    assert_eq!(fs::read(show.path("media/clash.ogg")).unwrap(), fs::read(audio("vorbis.ogg")).unwrap());
}

/// An episode number is taken or free within its season: in a show whose
/// latest season is 2, `--episode 2` alone means season 2's episode 2.
#[test]
fn add_refuses_a_number_taken_in_the_season_it_defaults_to() {
    let show = Show::empty();
    show.run(&["init", "--title", "Seasons"]).ok();
    let mp3 = fixture("cbr-xing.mp3");
    show.run(&["add", &mp3, "--title", "One", "--season", "2", "--episode", "1", "--date", "2020-01-01"]).ok();
    let other = show.path("second.mp3");
    fs::copy(audio("pair-5s.mp3"), &other).unwrap();
    let other = other.display().to_string();
    show.run(&["add", &other, "--title", "Two", "--season", "2", "--episode", "2", "--date", "2020-01-02"]).ok();
    let manifest = show.read("episodes.toml");
    let third = fixture("vbr-xing.mp3");
    for dry in [true, false] {
        let mut args = vec!["add", third.as_str(), "--title", "Three", "--episode", "2"];
        if dry {
            args.push("--dry-run");
        }
        let run = show.run(&args).fails(1);
        assert!(
            run.stderr.contains("episode number 2 in season 2 is taken by \"Two\" (episodes.toml line "),
            "{}",
            run.stderr
        );
        assert_eq!(show.read("episodes.toml"), manifest);
    }
    // A bonus episode may carry its full episode's number (Apple's rule, and
    // the build's): not refused, and the build says nothing of it.
    let run = show.run(&["add", third.as_str(), "--title", "Bonus", "--episode", "2", "--type", "bonus", "--dry-run"]);
    assert!(!run.ok().stderr.contains("is taken"));
    // Season 3's episode 2 is free; with no --episode, the next number.
    let run = show.run(&["add", third.as_str(), "--title", "Three", "--dry-run"]).ok();
    assert!(run.stdout.contains("episode = 3\nseason = 2\n"), "{}", run.stdout);
    show.run(&["add", third.as_str(), "--title", "Three", "--episode", "2", "--season", "3"]).ok();
    show.build().ok();

    // A last number that has no next one is not wrapped around.
    let edited = show.read("episodes.toml").replace("episode = 2\nseason = 3", "episode = 4294967295\nseason = 3");
    show.write("episodes.toml", &edited);
    let run = show.run(&["add", &fixture("cbr-noxing.mp3"), "--title", "Four"]).fails(1);
    assert!(
        run.stderr.contains("the last episode's number is 4294967295: give this one's with --episode"),
        "{}",
        run.stderr
    );
}

/// The next number is the next in the episode's season; a new season of a
/// show that numbers each season from 1 starts at 1, one of a show whose
/// numbers run on across seasons runs on.
#[test]
fn add_numbers_within_the_season() {
    let show = Show::empty();
    show.run(&["init", "--title", "Seasons"]).ok();
    let files = ["cbr-xing.mp3", "vbr-xing.mp3", "cbr-noxing.mp3", "pair-5s.mp3"];
    for (n, (season, episode)) in [(1, 1), (1, 2), (1, 3), (2, 1)].into_iter().enumerate() {
        let (s, e, date) = (season.to_string(), episode.to_string(), format!("2020-01-0{}", n + 1));
        let title = format!("S{s}E{e}");
        show.run(&["add", &fixture(files[n]), "--title", &title, "--season", &s, "--episode", &e, "--date", &date])
            .ok();
    }
    let new = fixture("tagged-id3v2-id3v1.mp3");
    let next = |extra: &[&str]| {
        let args = [&["add", new.as_str(), "--title", "Next", "--dry-run"][..], extra].concat();
        let out = show.run(&args).ok().stdout;
        let field = |k: &str| out.lines().find_map(|l| l.strip_prefix(k)).map(str::to_string);
        (field("season = "), field("episode = "))
    };
    assert_eq!(next(&[]), (Some("2".into()), Some("2".into())), "after S2E1, S2E2");
    assert_eq!(next(&["--season", "3"]), (Some("3".into()), Some("1".into())), "a new season from 1");
    assert_eq!(next(&["--season", "1"]), (Some("1".into()), Some("4".into())));
    // A trailer of season 3, unnumbered, does not keep its first episode from 1.
    let outside = tempfile::tempdir().unwrap();
    let trailer = outside.path().join("trailer.mp3");
    fs::copy(audio("pair-5s.mp3"), &trailer).unwrap();
    let trailer = trailer.display().to_string();
    show.run(&["add", &trailer, "--title", "Trailer", "--season", "3", "--type", "trailer", "--date", "2020-01-09"])
        .ok();
    assert_eq!(next(&[]), (Some("3".into()), Some("1".into())), "season 3's first after its trailer");
    // Numbers that run on: season 2 starting at 4.
    show.write(
        "episodes.toml",
        &show.read("episodes.toml").replace("episode = 1\nseason = 2", "episode = 4\nseason = 2"),
    );
    assert_eq!(next(&["--season", "3"]), (Some("3".into()), Some("5".into())), "runs on");
}

/// A file given from the output folder (which each build rewrites) is
/// copied into media/, as one from outside the show is.
#[test]
fn add_copies_a_file_from_the_output_folder_into_media() {
    let show = Show::sample();
    show.build().ok();
    fs::copy(audio("pair-5s.mp3"), show.path("public/media/late.mp3")).unwrap();
    show.run(&["add", "public/media/late.mp3", "--title", "Late", "--date", "2018-01-01T08:00:00Z"]).ok();
    assert!(show.read("episodes.toml").contains("media = [\"media/late.mp3\"]"));
    assert_eq!(fs::read(show.path("media/late.mp3")).unwrap(), fs::read(audio("pair-5s.mp3")).unwrap());
    show.build().ok();
}

/// `add --move` from a folder it cannot remove files from: the file is
/// copied, and the add says it is still there, and what to do.
#[test]
fn add_move_says_a_file_it_could_not_remove() {
    let outside = tempfile::tempdir().unwrap();
    let src = outside.path().join("kept.mp3");
    fs::copy(audio("pair-5s.mp3"), &src).unwrap();
    // A folder files cannot be removed from.
    let Some(folder) = Unwritable::make(outside.path()) else { return };
    let show = Show::sample();
    let run =
        show.run(&["add", &src.display().to_string(), "--title", "Kept", "--move", "--date", "2018-01-01T08:00:00Z"]);
    drop(folder);
    let run = run.ok();
    assert!(src.exists() && show.path("media/kept.mp3").exists());
    assert!(run.stderr.starts_with("copied ") && !run.stderr.contains("\nmoved "), "{}", run.stderr);
    assert!(
        run.stderr.contains("could not be removed from where it is")
            && run.stderr.contains("remove it by hand once you have checked the copy in the show"),
        "{}",
        run.stderr
    );
}

/// A serial show numbers every full episode, its first one too; a title
/// tag of several lines is made one, without its control characters
/// (which --title refuses, and every build after would warn of).
#[test]
fn add_numbers_a_serial_shows_first_episode_and_makes_a_tag_title_one_line() {
    let show = Show::empty();
    show.run(&["init", "--title", "In Order"]).ok();
    let edited = show.read("episodes.toml").replace("type = \"episodic\"", "type = \"serial\"");
    show.write("episodes.toml", &edited);
    // An ID3v2.3 tag whose title has a line break, before a plain MP3.
    let title = b"Part one\nPart \x1b[31mtwo\x07";
    let mut frame = b"TIT2".to_vec();
    frame.extend(u32::try_from(title.len() + 1).unwrap().to_be_bytes());
    // (No flags; UTF-8.)
    frame.extend([0, 0, 3]);
    frame.extend(title);
    let mut tagged = b"ID3\x03\x00\x00".to_vec();
    let n = frame.len() as u32;
    tagged.extend([(n >> 21) as u8 & 0x7f, (n >> 14) as u8 & 0x7f, (n >> 7) as u8 & 0x7f, n as u8 & 0x7f]);
    tagged.extend(frame);
    tagged.extend(fs::read(audio("cbr-xing.mp3")).unwrap());
    fs::write(show.path("lines.mp3"), &tagged).unwrap();
    let run = show.run(&["add", "lines.mp3", "--date", "2020-01-01"]).ok();
    assert!(run.stdout.starts_with("[[episode]]\ntitle = \"Part one Part [31mtwo\"\n"), "{}", run.stdout);
    assert!(run.stdout.contains("\nepisode = 1\n"), "{}", run.stdout);
    // A trailer goes unnumbered.
    let run = show
        .run(&["add", &fixture("cbr-noxing.mp3"), "--title", "Soon", "--type", "trailer", "--date", "2020-01-02"])
        .ok();
    assert!(!run.stdout.contains("episode ="), "{}", run.stdout);
    show.build().ok();
    let items = show.channel("feed.xml").items;
    assert_eq!(items.len(), 2);
}

/// Values the manifest would refuse are usage errors (exit 2), dry run or
/// not, and change nothing.
#[test]
fn add_refuses_bad_flag_values_as_usage_errors() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    for (flag, value, message) in [
        ("--slug", "Bad Slug!", "a slug may only hold a-z, 0-9, - and _ (try --slug bad-slug)"),
        ("--season", "0", "0 is not in 1.."),
        ("--episode", "0", "0 is not in 1.."),
        (
            "--date",
            "yesterday",
            "not a date: write 2026-01-05, 2026-01-05T09:00:00 (in the show's utc_offset) or 2026-01-05T09:00:00+01:00",
        ),
        ("--date", "2026-02-30", "not a date"),
        ("--date", "2026-1-5", "not a date"),
        ("--date", "+2026-01-05", "not a date"),
        (
            "--date",
            "0000-01-01",
            "it is in the year 0000, before any podcast (feed checkers and apps take a date before 1990 for a \
             mistake): write the year the episode came out",
        ),
        ("--date", "1989-12-31T23:59:59-01:00", "it is in the year 1989, before any podcast"),
        ("--title", "\u{1}", "for '--title <TITLE>': it is empty"),
        ("--date", "2017-04-12T23:59:60Z", "it has a 60th second (a leap second), which a feed's date cannot name"),
        (
            "--date",
            "2017-04-12T10:00:00+23:00",
            "it has an offset more than 14 hours from UTC: write one between -14:00 and +14:00",
        ),
        ("--date", "2017-04-12T10:00:00-14:30", "write one between -14:00 and +14:00"),
        ("--title", " ", "invalid value ' ' for '--title <TITLE>': it is empty"),
        ("--title", "a\nb", "it has a line break: write it on one line"),
        ("--title", "Ep\tOne", "it has a tab: write a space instead"),
        ("--itunes-title", "", "invalid value '' for '--itunes-title <T>': it is empty"),
        ("--slug", "", "a slug may only hold a-z, 0-9, - and _ (leave --slug out to make one from the title)"),
        ("--slug", "!!", "(leave --slug out to make one from the title)"),
    ] {
        for dry in [true, false] {
            let cheap = fixture("cbr-xing.mp3");
            let mut args = vec!["add", cheap.as_str(), flag, value];
            if flag != "--title" {
                args.extend(["--title", "x"]);
            }
            if dry {
                args.push("--dry-run");
            }
            let run = show.run(&args).fails(2);
            assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        }
    }
    assert_eq!(show.read("episodes.toml"), manifest);
    // A file that is not there is a usage error too (the command line names it), with what to check.
    let run = show.run(&["add", "nonexist.mp3", "--title", "x"]).fails(2);
    assert!(
        run.stderr.contains(
            "error: nonexist.mp3: no such file\n  help: check the path: a relative one is read from the folder the \
             command runs in"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(show.read("episodes.toml"), manifest);
    // The range said is the range taken (the manifest's, ±14:00).
    let run = show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "x", "--date", "2026-06-30T12:00:00-14:00"]).ok();
    assert!(show.read("episodes.toml").contains("date = 2026-06-30T12:00:00-14:00"), "{}", run.stderr);
    // A fraction of a second is cut, as from the default date: a feed's
    // dates name none, and two episodes a fraction apart would look the same.
    for (file, given, written) in [
        ("cbr-noxing.mp3", "2026-07-01T09:00:00.5+01:00", "2026-07-01T09:00:00+01:00"),
        ("bare-xing.mp3", "2026-07-02T09:00:00.999Z", "2026-07-02T09:00:00Z"),
    ] {
        show.run(&["add", &fixture(file), "--title", given, "--date", given]).ok();
        assert!(show.read("episodes.toml").contains(&format!("\ndate = {written}\n")), "{given}");
    }
}

/// A date from before 1990 in the manifest is the build's warning, with the fix.
#[test]
fn a_manifest_date_before_1990_is_the_builds_warning() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let year_zero = manifest.replacen("date = 2017-04-12T09:00:00-04:00", "date = 0000-01-01T09:00:00-04:00", 1);
    assert_ne!(year_zero, manifest);
    show.write("episodes.toml", &year_zero);
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stderr.contains(
            "<pubDate>Sat, 01 Jan 0000 09:00:00 -0400</pubDate> has an implausible year [APPLE-IT-PUBDATE]\n  help: \
             write the year the episode came out (one before 1990 is most likely a mistake)\n"
        ),
        "{}",
        run.stderr
    );
}

/// An episode dated more than a year ahead (2206 for 2026) is most likely
/// a slip in its year: `add` and every build warn, naming it and its line
/// (it stayed out of the feed for good without a word); one a few months
/// ahead is scheduled as usual.
#[test]
fn an_episode_dated_years_ahead_is_warned_of() {
    let show = Show::sample();
    let as_of = "2026-06-01T00:00:00Z";
    let far = ["add", &fixture("cbr-xing.mp3"), "--title", "Far", "--date", "2206-01-01"];
    let run = show.run(&far).ok();
    let line = show.read("episodes.toml").lines().position(|l| l == "title = \"Far\"").unwrap();
    let dated = format!("warning: episodes.toml:{line}: episode \"Far\" is dated 2206-01-01T00:00:00-04:00, ");
    let tail = "years from now: it stays out of the feed until then\n  help: if the year is a slip, write the one the \
                episode comes out in\n";
    assert!(run.stderr.contains(&dated) && run.stderr.contains(tail), "{}", run.stderr);
    let said = format!("{dated}179 {tail}");
    let soon = ["add", &fixture("cbr-noxing.mp3"), "--title", "Soon", "--date", "2026-09-01"];
    let run = show.run(&soon).ok();
    assert!(!run.stderr.contains("from now"), "{}", run.stderr);
    for _ in 0..2 {
        // (The second build has nothing to do, and says it again.)
        let run = show.run(&["build", "--as-of", as_of]).ok();
        assert!(run.stderr.contains(&said), "{}", run.stderr);
        assert_eq!(run.stderr.matches("from now").count(), 1, "{}", run.stderr);
    }
}

/// The recordings of the shows planned ahead below, an episode each.
const PLANNED: [&str; 8] = [
    "cbr-xing.mp3",
    "cbr-noxing.mp3",
    "vbr-xing.mp3",
    "vbr-noxing.mp3",
    "vbri.mp3",
    "bare-xing.mp3",
    "pair-5s.mp3",
    "mpeg2-22k-mono.mp3",
];

/// A show planned far ahead is told so once, not once an episode: the
/// episodes dated years ahead in one warning, the next few to go live by
/// name (all of them with -v), and how many more.
#[test]
fn a_show_planned_far_ahead_is_told_in_a_few_lines() {
    let files = PLANNED;
    let mut manifest =
        format!("{PODCAST_TABLE}{}", episode("Now", "g0", "2024-01-01T00:00:00Z", &["tagged-apev2.mp3"]));
    for (n, f) in files.iter().enumerate() {
        let date =
            if n < 5 { format!("2026-{:02}-01T00:00:00Z", n + 7) } else { format!("20{}-01-01T00:00:00Z", 30 + n) };
        manifest += &episode(&format!("Ep {n}"), &format!("g{}", n + 1), &date, &[f]);
    }
    let show = Show::with(&manifest, &[&files[..], &["tagged-apev2.mp3"]].concat());
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_eq!(run.stderr.matches("from now").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("(and 2 more episodes dated over a year ahead, at lines 53, 59)"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("scheduled: \"Ep ").count(), 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("scheduled: and 3 more episodes, the last going live at 2037-01-01T00:00:00+00:00 (`podsmith list` lists them)"),
        "{}",
        run.stderr
    );
    let run = show.run(&["build", "-v", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_eq!(run.stderr.matches("scheduled: \"Ep ").count(), 8, "{}", run.stderr);
    assert!(!run.stderr.contains("scheduled: and"), "{}", run.stderr);
}

/// The episodes to go live are named next first, whatever their order in
/// the manifest, by a build with nothing to do as by the one before it.
#[test]
fn a_build_with_nothing_to_do_names_the_next_episodes_to_go_live_first() {
    let files = &PLANNED[..7];
    let mut manifest =
        format!("{PODCAST_TABLE}{}", episode("Now", "g0", "2024-01-01T00:00:00Z", &["tagged-apev2.mp3"]));
    // Newest first, as many write a show.
    for (n, f) in files.iter().enumerate().rev() {
        manifest +=
            &episode(&format!("Ep {n}"), &format!("g{}", n + 1), &format!("2026-{:02}-01T00:00:00Z", n + 6), &[f]);
    }
    let show = Show::with(&manifest, &[files, &["tagged-apev2.mp3"]].concat());
    let scheduled =
        |stderr: &str| stderr.lines().filter(|l| l.starts_with("scheduled:")).map(str::to_string).collect::<Vec<_>>();
    let first = show.run(&["build", "--as-of", "2026-06-15T00:00:00Z"]).ok();
    let said = scheduled(&first.stderr);
    assert!(said[0].starts_with("scheduled: \"Ep 1\""), "{}", first.stderr);
    assert!(said.last().unwrap().contains("the last going live at 2026-12-01T00:00:00+00:00"), "{}", first.stderr);
    let again = show.run(&["build", "--as-of", "2026-06-15T00:00:00Z"]).ok();
    assert_eq!(scheduled(&again.stderr), said, "{}", again.stderr);
}

/// An episode with an earlier one's title (told apart by case or spaces
/// alone) is warned of by `add` and every build, naming both lines: apps
/// list the two under one name.
#[test]
fn an_episode_with_another_ones_title_is_warned_of() {
    let show = Show::sample();
    let as_of = "2026-06-01T00:00:00Z";
    let run = show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "Miek Gieben on  coredns"]).ok();
    let text = show.read("episodes.toml");
    let first = text.lines().position(|l| l == "title = \"Miek Gieben on CoreDNS\"").unwrap();
    let line = text.lines().position(|l| l == "title = \"Miek Gieben on  coredns\"").unwrap();
    let said = format!(
        "warning: episodes.toml:{line}: episode \"Miek Gieben on  coredns\" has the title of the episode at line \
         {first}: apps list both under one name\n  help: give each its own title (\"Pilot, part 2\"), so listeners \
         can tell them apart\n"
    );
    assert!(run.stderr.contains(&said), "{}", run.stderr);
    let run = show.run(&["build", "--as-of", as_of]).ok();
    assert!(run.stderr.contains(&said), "{}", run.stderr);
    assert_eq!(run.stderr.matches("has the title of").count(), 1, "{}", run.stderr);
    // Another title: no word.
    let run = show.run(&["add", &fixture("cbr-noxing.mp3"), "--title", "Miek Gieben on CoreDNS, part 2"]).ok();
    assert!(!run.stderr.contains("has the title of"), "{}", run.stderr);
    assert_eq!(show.run(&["build", "--as-of", as_of]).ok().stderr.matches("has the title of").count(), 1);
}

/// A date given without seconds is written with them: a time without is
/// TOML 1.1's, and TOML 1.0 readers (Python's tomllib, editors) refuse it.
#[test]
fn add_writes_a_date_given_without_seconds_with_them() {
    let show = Show::sample();
    for (file, given, written) in [
        ("tagged-apev2.mp3", "2026-07-03T09:00Z", "2026-07-03T09:00:00Z"),
        ("junk-prefix.mp3", "2026-07-04 09:30", "2026-07-04T09:30:00-04:00"),
    ] {
        show.run(&["add", &fixture(file), "--title", given, "--date", given]).ok();
        assert!(show.read("episodes.toml").contains(&format!("\ndate = {written}\n")), "{given}");
    }
}

/// `add --date` takes what the manifest's `date` takes, with its meaning: a
/// date-time without an offset is in the show's `utc_offset` (-04:00 in
/// the sample), and is written with it: a later `utc_offset` (summer time
/// over) moves no date published already.
#[test]
fn add_takes_a_date_without_an_offset_in_the_shows_utc_offset() {
    let show = Show::sample();
    let args = ["add", &fixture("cbr-xing.mp3"), "--title", "Local", "--date", "2030-01-05T09:00:00.25"];
    let run = show.run(&args).ok();
    assert!(show.read("episodes.toml").contains("\ndate = 2030-01-05T09:00:00-04:00\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains("It goes live at 2030-01-05T09:00:00-04:00: run podsmith build after that time."),
        "{}",
        run.stderr
    );
}

/// `--as-of` says what it takes, and takes a date too: the start of that
/// day in the show's `utc_offset`, as `add --date` and the manifest read
/// one; a feed given to `validate` has no show, so its day starts in UTC.
#[test]
fn as_of_takes_a_date_as_the_start_of_that_day_in_the_shows_offset() {
    let show = Show::sample();
    show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "Soon", "--date", "2030-01-05"]).ok();
    let status = |as_of: &str| {
        let run = show.run(&["list", "--as-of", as_of]).ok();
        let row = run.stdout.lines().find(|l| l.contains("Soon")).unwrap_or_default().to_string();
        assert!(row.starts_with("5  2030-01-05 00:00  Soon"), "{}", run.stdout);
        row.split_whitespace().last().unwrap_or_default().to_string()
    };
    // Midnight at -04:00 is 04:00 UTC.
    assert_eq!(status("2030-01-05T03:59:59Z"), "scheduled");
    assert_eq!(status("2030-01-05"), "new");
    assert_eq!(status("2030-01-04T23:59:59"), "scheduled");
    assert_eq!(status("2030-01-05T00:00:00"), "new");
    // A moment with an offset of its own is read as it says.
    assert_eq!(status("2030-01-05T04:59:59+01:00"), "scheduled");
    assert_eq!(status("2030-01-05T05:00:00+01:00"), "new");
    show.run(&["diff", "--as-of", "2030-01-05"]).ok();
    show.run(&["validate", "--as-of", "2030-01-05"]).ok();
    let run = show.run(&["build", "--as-of", "2030-01-05"]).ok();
    assert!(show.read("public/feed.xml").contains("<title>Soon</title>"), "{}", run.stderr);
    let feed = show.path("public/feed.xml").display().to_string();
    show.run(&["validate", &feed, "--as-of", "2030-01-05"]).ok();
    for command in ["list", "diff", "build", "validate"] {
        let run = show.run(&[command, "--as-of", "bogus"]).fails(2);
        assert_eq!(
            run.stderr,
            "error: --as-of takes a moment such as 2026-06-01T00:00:00Z, or a date such as 2026-06-01 (the start of \
             that day in the show's utc_offset, or UTC): \"bogus\" is not one\n",
            "{command}"
        );
    }
}

/// `--format`'s values are described for every command that has it, not
/// in `validate`'s words; `validate` says how it groups its own.
#[test]
fn format_help_fits_each_command() {
    let show = Show::sample();
    for command in ["add", "build", "diff", "list", "validate"] {
        let help = show.run(&[command, "--help"]).ok().stdout;
        assert!(help.contains("- human: For people\n"), "{command}: {help}");
        assert_eq!(help.contains("grouped by feed and episode"), command == "validate", "{command}: {help}");
    }
}

/// A title that holds quotes is quoted so that where it ends shows: its
/// quotes escaped, its other characters as they are.
#[test]
fn add_says_a_title_with_quotes_with_them_escaped() {
    let show = Show::sample();
    let title = "Ep \"quoted\" 🎙 ünïcode, it's \\ here";
    let run = show.run(&["add", &fixture("cbr-xing.mp3"), "--title", title, "--date", "2020-01-01"]).ok();
    assert!(
        run.stderr.contains(r#"Added episode 5 "Ep \"quoted\" 🎙 ünïcode, it's \\ here" to episodes.toml: "#),
        "{}",
        run.stderr
    );
    let run = show.run(&["add", &fixture("cbr-noxing.mp3"), "--title", "x", "--episode", "5"]).fails(1);
    assert!(
        run.stderr.contains(r#"episode number 5 is taken by "Ep \"quoted\" 🎙 ünïcode, it's \\ here" (episodes.toml"#),
        "{}",
        run.stderr
    );
}

/// `--itunes-title`: written as the episode's `itunes_title`, which the
/// build writes as its `itunes:title` (the title stays the `<title>`).
#[test]
fn add_writes_the_title_apple_shows_beside_the_title() {
    let show = Show::sample();
    let args = ["--title", "5 | Pilot", "--itunes-title", "Pilot ", "--date", "2018-01-01"];
    let run = show.run(&[&["add", &fixture("cbr-xing.mp3")][..], &args].concat()).ok();
    assert!(show.read("episodes.toml").contains("title = \"5 | Pilot\"\nitunes_title = \"Pilot\"\n"), "{}", run.stderr);
    show.build().ok();
    let feed = show.read("public/feed.xml");
    assert!(feed.contains("<title>5 | Pilot</title>\n      <itunes:title>Pilot</itunes:title>"), "{feed}");
}

#[test]
fn add_takes_the_title_from_tags_and_can_dry_run() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let run = show.run(&["add", &fixture("tagged-id3v2-id3v1.mp3"), "--date", "2018-01-01", "--dry-run"]).ok();
    assert!(
        run.stdout.starts_with("[[episode]]\ntitle = \"Tagged & <quoted>\"\nslug = \"tagged-quoted\"\nguid = "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("date = 2018-01-01T00:00:00-04:00\nepisode = 5\nmedia = [\"media/tagged-id3v2-id3v1.mp3\"]\n"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("dry run: nothing was changed"));
    assert_eq!(show.read("episodes.toml"), manifest);
    assert!(!show.path("media/tagged-id3v2-id3v1.mp3").exists());
}

/// A dry run refuses what the real run refuses, the checks of a file it
/// would copy in included (a name that differs from another's only in case).
#[test]
fn add_dry_run_refuses_what_the_real_run_refuses() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let outside = tempfile::tempdir().unwrap();
    let upper = outside.path().join("fluentd-eduardo-silva.MP3");
    fs::copy(show.path("media/fluentd-eduardo-silva.mp3"), &upper).unwrap();
    let upper = upper.display().to_string();
    for dry in [true, false] {
        let mut args = vec!["add", upper.as_str(), "--title", "C"];
        if dry {
            args.push("--dry-run");
        }
        let run = show.run(&args).fails(1);
        assert!(
            run.stderr.contains(
                "\"media/fluentd-eduardo-silva.MP3\" and \"media/fluentd-eduardo-silva.mp3\" (line 37) differ only in case"
            ),
            "dry run {dry}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("would make episodes.toml invalid"), "{}", run.stderr);
        assert!(!run.stdout.contains("[[episode]]"), "{}", run.stdout);
        assert_eq!(show.read("episodes.toml"), manifest);
        assert!(!show.path("media/fluentd-eduardo-silva.MP3").exists());
    }
}

/// A category that is the start of one is told that one, not one a few
/// letters away ("Tech" is three from "News").
#[test]
fn init_suggests_the_category_a_name_starts() {
    let empty = Show::empty();
    let run = empty.run(&["init", "--category", "Tech"]).fails(2);
    assert!(
        run.stderr.contains("\"Tech\" is not an Apple Podcasts category (did you mean \"Technology\"?"),
        "{}",
        run.stderr
    );
    assert!(!empty.path("episodes.toml").exists());
}

/// init's text options are one line without control characters, as add's
/// --title is: a usage error (exit 2), and no show is made.
#[test]
fn init_refuses_a_line_break_or_a_control_character_in_its_text() {
    let cases = [
        ("--author", "Ann\nBob", "it has a line break"),
        ("--title", "Red\u{1b}[31m", "it has a control character (U+001B)"),
        ("--title", "A\rB", "it has a line break"),
        ("--title", "My\tShow", "it has a tab"),
        ("--email", "ann@example.com\n", "it has a line break"),
        ("--category", "Tech\u{7}", "it has a control character (U+0007)"),
    ];
    for (flag, value, why) in cases {
        let show = Show::empty();
        let run = show.run(&["init", "iq", flag, value]).fails(2);
        assert!(run.stderr.contains(flag) && run.stderr.contains(why), "{flag} {value:?}: {}", run.stderr);
        assert!(!show.path("iq").exists(), "{flag} {value:?}");
    }
    let show = Show::sample();
    let run = show.run(&["add", &fixture("pair-5s.mp3"), "--title", "Red\u{1b}[31m"]).fails(2);
    assert!(run.stderr.contains("it has a control character (U+001B)"), "{}", run.stderr);
}

/// What `add` says of a file from outside the show names it as given, not
/// as the copy in media/ it did not make.
#[test]
fn add_names_a_file_from_outside_the_show_as_given() {
    let show = Show::sample();
    let outside = tempfile::tempdir().unwrap();
    let at = |name: &str, fixture: &str| {
        let p = outside.path().join(name);
        fs::copy(audio(fixture), &p).unwrap();
        p.display().to_string()
    };
    let (ogg, misnamed, mp3) = (at("a.ogg", "vorbis.ogg"), at("x.mp3", "vorbis.ogg"), at("b.mp3", "pair-5s.mp3"));
    let stem = outside.path().join("x").display().to_string();
    for (args, said) in [
        (vec![ogg.as_str()], format!("{ogg} is OGG: Apple Podcasts")),
        (vec![ogg.as_str()], format!("(podsmith add episode.mp3 {ogg})")),
        (
            vec![misnamed.as_str()],
            format!(
                "{misnamed}: the file holds OGG audio but its name ends in \".mp3\"; apps go by the name: rename it to {stem}.ogg"
            ),
        ),
        (vec![ogg.as_str(), mp3.as_str()], format!("{ogg} plays for 3.0 s but {mp3} for 5.1 s")),
    ] {
        let run = show.run(&[&["add"][..], &args, &["--title", "A"]].concat()).fails(1);
        assert!(run.stderr.contains(&said), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("media/a.ogg") && !run.stderr.contains("media/x"), "{}", run.stderr);
    }
}

/// A dry run says when a later-dated episode goes live, as the real run does.
#[test]
fn add_dry_run_says_when_the_episode_goes_live() {
    let show = Show::sample();
    let json = |dry: bool| {
        let mut args = vec!["add", "--title", "S", "--date", "2030-01-01", "--format", "json"];
        let file = fixture("pair-5s.mp3");
        args.insert(1, &file);
        if dry {
            args.push("--dry-run");
        }
        let run = show.run(&args).ok();
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()
    };
    let dry = json(true);
    let real = json(false);
    assert!(dry["goes_live"].as_str().is_some_and(|d| d.starts_with("2030-01-01T00:00:00")), "{dry}");
    assert_eq!(dry["goes_live"], real["goes_live"]);
}

#[test]
fn add_says_what_puts_the_episode_in_the_feed_and_when() {
    let show = Show::sample();
    // A show that publishes: `publish` (which builds first) is the next step.
    let manifest = format!("{}\n[publish]\nto = \"file:///srv/podcast\"\n", show.read("episodes.toml"));
    show.write("episodes.toml", &manifest);
    let run = show.run(&["add", &fixture("pair-5s.mp3"), "--title", "Now", "--date", "2020-01-01T10:00:00Z"]).ok();
    assert!(run.stderr.ends_with("media/pair-5s.mp3 (0:05).\nPublish it with: podsmith publish\n"), "{}", run.stderr);
    // Dated later (a bare date: midnight at the show's utc_offset, -04:00): when it goes live.
    let run = show
        .run(&[
            "add",
            &fixture("tagged-id3v2-id3v1.mp3"),
            "--title",
            "Later",
            "--date",
            "2099-03-01",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["goes_live"], "2099-03-01T00:00:00-04:00", "{v}");
    let run = show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "Later still", "--date", "2099-04-01"]).ok();
    assert!(
        run.stderr.ends_with("It goes live at 2099-04-01T00:00:00-04:00: run podsmith publish after that time.\n"),
        "{}",
        run.stderr
    );
    // The build leaves both out until then, and says so.
    let run = show.build().ok();
    assert!(run.stderr.contains("scheduled: \"Later\" goes live at 2099-03-01"), "{}", run.stderr);
    assert!(run.stderr.contains("(run `podsmith publish` again after that time)"), "{}", run.stderr);
}

#[test]
fn add_moves_files_when_asked_and_reads_notes_from_stdin() {
    let show = Show::sample();
    let outside = tempfile::tempdir().unwrap();
    let src = outside.path().join("new-episode.mp3");
    fs::copy(audio("tagged-id3v2-id3v1.mp3"), &src).unwrap();
    let out = assert_cmd::Command::cargo_bin("podsmith")
        .unwrap()
        .current_dir(show.root())
        .args(["add", &src.display().to_string(), "--notes", "-", "--move", "--date", "2018-01-01T08:00:00Z"])
        .write_stdin("Notes from **stdin**.\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!src.exists(), "moved");
    assert!(show.path("media/new-episode.mp3").exists());
    let manifest = show.read("episodes.toml");
    assert!(
        manifest.ends_with("media = [\"media/new-episode.mp3\"]\nnotes = \"\"\"\nNotes from **stdin**.\n\"\"\"\n"),
        "{manifest}"
    );
    show.build().ok();
    assert!(show.read("public/feed.xml").contains("<p>Notes from <strong>stdin</strong>.</p>"));
}

/// Notes as an editor on Windows saves them (a byte-order mark, CRLF line
/// ends) are the notes alone, in lines; an empty notes file is a mistake,
/// as an empty pipe is; a manifest made read-only is not written.
#[test]
fn add_takes_notes_saved_on_windows_and_refuses_empty_ones_and_a_read_only_manifest() {
    let show = Show::sample();
    show.write("bom.md", "\u{feff}First line.\r\nSecond **line**.\r\n");
    show.run(&[
        "add",
        &fixture("cbr-xing.mp3"),
        "--title",
        "Win",
        "--notes",
        "bom.md",
        "--date",
        "2018-01-01T08:00:00Z",
    ])
    .ok();
    let manifest = show.read("episodes.toml");
    assert!(manifest.ends_with("notes = \"\"\"\nFirst line.\nSecond **line**.\n\"\"\"\n"), "{manifest}");
    show.build().ok();
    let feed = show.read("public/feed.xml");
    assert!(feed.contains("<p>First line.\nSecond <strong>line</strong>.</p>") && !feed.contains('\u{feff}'), "{feed}");
    // (A byte-order mark alone is no notes from a pipe either.)
    let out = assert_cmd::Command::cargo_bin("podsmith")
        .unwrap()
        .current_dir(show.root())
        .args(["add", &fixture("cbr-noxing.mp3"), "--title", "E", "--notes", "-"])
        .write_stdin("\u{feff}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    for empty in ["", "\u{feff}\n\n  \n"] {
        show.write("empty.md", empty);
        let run = show.run(&["add", &fixture("cbr-noxing.mp3"), "--title", "E", "--notes", "empty.md"]).fails(2);
        assert!(run.stderr.contains("error: --notes empty.md is empty: save the notes in it first"), "{}", run.stderr);
        assert_eq!(show.read("episodes.toml"), manifest);
    }
    let path = show.path("episodes.toml");
    let mut perms = fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&path, perms.clone()).unwrap();
    let run = show.run(&["add", &fixture("cbr-noxing.mp3"), "--title", "Frozen"]).fails(1);
    assert!(run.stderr.contains("error: episodes.toml is read-only: make it writable (chmod u+w "), "{}", run.stderr);
    assert_eq!(show.read("episodes.toml"), manifest);
    assert!(!show.path("media/cbr-noxing.mp3").exists());
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&path, perms).unwrap();
}

/// Notes that open with an indented line (a code block in Markdown) keep
/// its indent; only the blank lines around them go.
#[test]
fn add_keeps_the_indent_of_notes_that_open_with_a_code_block() {
    let show = Show::sample();
    let out = assert_cmd::Command::cargo_bin("podsmith")
        .unwrap()
        .current_dir(show.root())
        .args(["add", &fixture("cbr-xing.mp3"), "--title", "Code", "--notes", "-", "--date", "2018-01-01T08:00:00Z"])
        .write_stdin("\n  \n    cargo run --release\n\nThen **build**.\n\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = show.read("episodes.toml");
    assert!(manifest.ends_with("notes = \"\"\"\n    cargo run --release\n\nThen **build**.\n\"\"\"\n"), "{manifest}");
    show.build().ok();
    let page = show.read("public/episodes/code/index.html");
    assert!(page.contains("<pre><code>cargo run --release"), "{page}");
}

/// An `add --move` stopped (killed) after the manifest had the episode,
/// before it had moved every file: the same add run again finishes the
/// move and says the episode is in already (the job is done: exit 0); it
/// copies and adds nothing.
#[test]
fn the_same_add_move_run_again_finishes_a_move_that_was_stopped() {
    let show = Show::sample();
    let outside = tempfile::tempdir().unwrap();
    let (mp3, ogg) = (outside.path().join("stopped.mp3"), outside.path().join("stopped.ogg"));
    fs::copy(audio("pair-5s.mp3"), &mp3).unwrap();
    fs::copy(audio("vorbis-5s.ogg"), &ogg).unwrap();
    let (mp3_arg, ogg_arg) = (mp3.display().to_string(), ogg.display().to_string());
    let add = ["add", &mp3_arg, &ogg_arg, "--title", "Stopped", "--date", "2018-01-01T08:00:00Z"];
    // Where the stopped move was: the episode in, its files copied, one of them gone from outside.
    show.run(&[&add[..], &["--copy"]].concat()).ok();
    fs::remove_file(&mp3).unwrap();
    let manifest = show.read("episodes.toml");
    let run = show.run(&[&add[..], &["--move"]].concat()).ok();
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    assert!(
        run.stderr.contains("the episode \"Stopped\" is in already")
            && run.stderr.contains("the move is finished now (1 file removed from where it was)"),
        "{}",
        run.stderr
    );
    assert!(!ogg.exists() && show.path("media/stopped.ogg").exists() && show.path("media/stopped.mp3").exists());
    assert_eq!(show.read("episodes.toml"), manifest);
    // Again: nothing left to move, and said so.
    let run = show.run(&[&add[..], &["--move"]].concat()).ok();
    assert!(run.stderr.contains("is in already") && run.stderr.contains("each is in the show now"), "{}", run.stderr);
    // A file of that name with other content outside is not the episode's: refused as before, kept.
    fs::copy(audio("cbr-xing.mp3"), &mp3).unwrap();
    let run = show.run(&[&add[..1], &[&mp3_arg[..], "--move"]].concat()).fails(1);
    assert!(!run.stderr.contains("is in already") && mp3.exists(), "{}", run.stderr);
}

/// A manifest saved with Windows line ends (an editor, a Git checkout with
/// autocrlf) says the same: nothing changes for subscribers, the lock
/// stays as it is, and no page or feed is written anew.
#[test]
fn windows_line_ends_change_nothing() {
    let show = Show::sample();
    show.build().ok();
    let (published, lock) = (show.public_files(), show.read("podsmith.lock"));
    let manifest = show.read("episodes.toml");
    assert!(manifest.contains("notes = \"\"\"\n"), "the sample's notes span lines");
    show.write("episodes.toml", &manifest.replace('\n', "\r\n"));
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_eq!(run.stdout, "no changes since the last build: subscribers see the same 4 episodes\n");
    show.build().ok();
    assert_eq!(show.read("podsmith.lock"), lock);
    assert!(show.public_files() == published, "the same site, byte for byte");
}

/// A published episode whose date is moved ahead would leave the feed
/// until then: the build says that, not that it was removed.
#[test]
fn a_published_episode_dated_ahead_is_said_to_be_scheduled() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let date = "date = 2017-04-12T09:00:00-04:00";
    assert!(manifest.contains(date));
    show.write("episodes.toml", &manifest.replacen(date, "date = 2027-04-12T09:00:00-04:00", 1));
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains(
            "would leave the feed: its date is now 2027-04-12T09:00:00-04:00, still to come, so it is scheduled, not \
             published, until then\n  help: give it back the date it was published with: \
             date = 2017-04-12T09:00:00-04:00\n"
        ),
        "{}",
        run.stderr
    );
    // Its undoing, not a guid's or a URL's.
    assert!(
        run.stderr.contains(
            "  help: apps that have an episode find it gone from the feed when it leaves it. Put it back as each line \
             above says; or, if you mean it, run `podsmith build --allow-changes`"
        ) && !run.stderr.contains("new guid as a new episode"),
        "{}",
        run.stderr
    );
    // Every published episode dated ahead: the same refusal, not "nothing
    // to publish yet" (which would send the podcaster to wait for a date).
    let all_ahead = manifest.replace("date = 2017-04-12", "date = 2027-04-12");
    show.write("episodes.toml", &all_ahead);
    let run = show.build().fails(1);
    assert!(run.stderr.contains("give it back the date it was published with"), "{}", run.stderr);
    assert!(!run.stderr.contains("nothing to publish yet"), "{}", run.stderr);
    let run = show.run(&["build", "--allow-changes"]).fails(1);
    assert!(run.stderr.contains("nothing to publish yet"), "allowed, nothing is live: {}", run.stderr);
}

#[test]
fn a_hand_edited_published_guid_stops_the_build() {
    let show = Show::sample();
    show.build().ok();
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_eq!(run.stdout, "no changes since the last build: subscribers see the same 4 episodes\n");
    let published = show.read("public/feed.xml");
    let lock = show.read("podsmith.lock");
    let edited = show.read("episodes.toml").replace("c709453a-f377-4b70-b132-fea0cf9a9ee4", "fluentd-episode");
    show.write("episodes.toml", &edited);
    let run = show.build().fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: episodes.toml:30: episode "Eduardo Silva on Fluentd": its guid changed from "c709453a-f377-4b70-b132-fea0cf9a9ee4" to "fluentd-episode"
  help: put back guid = "c709453a-f377-4b70-b132-fea0cf9a9ee4" in the episode (apps take a new guid for a new episode); or, if you mean it, build with --allow-changes
error: this build would change episodes subscribers already have; nothing was written
  help: apps treat a new guid as a new episode and a new URL as a new download, and a moved page breaks the links listeners shared. Put the old guid, media file or slug back in episodes.toml; or, if you mean it, run `podsmith build --allow-changes`

"#]]
    );
    assert_eq!(show.read("public/feed.xml"), published, "nothing was written");
    assert_eq!(show.read("podsmith.lock"), lock);

    // diff says the same, and what else changed.
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert!(run.stdout.starts_with("! episode \"Eduardo Silva on Fluentd\": its guid changed"), "{}", run.stdout);

    // On purpose: allowed, reported, recorded.
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    assert!(
        run.stderr
            .contains("warning: published identity changed (--allow-changes): episode \"Eduardo Silva on Fluentd\""),
        "{}",
        run.stderr
    );
    assert!(show.read("podsmith.lock").contains("guid = \"fluentd-episode\""));
    show.build().ok();
}

#[test]
fn moved_media_and_removed_episodes_are_refused_unless_allowed() {
    let show = Show::sample();
    show.build().ok();
    let moved =
        show.read("episodes.toml").replace("https://podcast.example.com/cloud-native/", "https://cdn.example.com/cn/");
    show.write("episodes.toml", &moved);
    let run = show.build().fails(1);
    // Each said at the line that names the file.
    assert!(run.stderr.contains("error: episodes.toml:37: episode \"Eduardo Silva on Fluentd\": its media URL changed from https://podcast.example.com/cloud-native/media/fluentd-eduardo-silva.mp3 to https://cdn.example.com/cn/media/fluentd-eduardo-silva.mp3"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("its media URL changed").count(), 8, "four episodes, two formats each");

    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let start = manifest.find("[[episode]]\ntitle = \"Eduardo Silva on Fluentd\"").unwrap();
    let end = start + manifest[start..].find("\n[[episode]]").unwrap() + 1;
    show.write("episodes.toml", &format!("{}{}", &manifest[..start], &manifest[end..]));
    let run = show.build().fails(1);
    assert!(run.stderr.contains("error: episode \"Eduardo Silva on Fluentd\" (guid c709453a-f377-4b70-b132-fea0cf9a9ee4) is no longer in the feed"), "{}", run.stderr);
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    assert!(
        run.stderr.contains(
            "warning: published identity changed (--allow-changes): episode \"Eduardo Silva on Fluentd\" (guid"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(show.channel("feed.xml").items.len(), 3);
    // What it published is gone from public/ too: its page and its media.
    assert!(
        run.stderr.contains("removed 3 files an earlier build published and this one does not: episodes/fluentd-eduardo-silva/index.html, media/fluentd-eduardo-silva.mp3, media/fluentd-eduardo-silva.ogg"),
        "{}",
        run.stderr
    );
    assert!(!show.path("public/episodes/fluentd-eduardo-silva").exists());
    assert!(!show.path("public/media/fluentd-eduardo-silva.mp3").exists());
    assert!(show.path("media/fluentd-eduardo-silva.mp3").exists(), "the show's own file is kept");
}

/// An episode taken out of the feed keeps its guid, page and media URLs in
/// `podsmith.lock`: a new episode given one of them later is refused (apps
/// that had the old episode would take the new one for it, or keep its
/// recording), with the episode it was published for named; the episode
/// itself put back is welcome.
#[test]
fn a_removed_episode_s_page_and_media_are_not_given_to_a_new_one() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let start = manifest.find("[[episode]]\ntitle = \"Eduardo Silva on Fluentd\"").unwrap();
    let end = start + manifest[start..].find("\n[[episode]]").unwrap() + 1;
    let (table, without) = (&manifest[start..end], format!("{}{}", &manifest[..start], &manifest[end..]));
    show.write("episodes.toml", &without);
    show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    let lock = show.read("podsmith.lock");
    assert!(
        lock.contains(
            "[[retired]]\nguid = \"c709453a-f377-4b70-b132-fea0cf9a9ee4\"\ntitle = \"Eduardo Silva on Fluentd\""
        ),
        "{lock}"
    );
    show.build().ok();
    assert_eq!(show.read("podsmith.lock"), lock, "kept by the next build");

    // A new episode on its recording's URL, then on its page.
    let new_one = table
        .replace("Eduardo Silva on Fluentd", "A new conversation")
        .replace("c709453a-f377-4b70-b132-fea0cf9a9ee4", "7d3c1a52-4f7e-4c6b-9a0e-2b8f5d6e1c3a")
        .replace("slug = \"fluentd-eduardo-silva\"\n", "");
    show.write("episodes.toml", &format!("{without}{new_one}"));
    let published = show.read("public/feed.xml");
    let run = show.build().fails(1);
    assert!(run.stderr.contains("error: episodes.toml:108: new episode \"A new conversation\": its media URL https://podcast.example.com/cloud-native/media/fluentd-eduardo-silva.mp3 was published before, for \"Eduardo Silva on Fluentd\": apps that downloaded it keep the old recording"), "{}", run.stderr);
    assert!(run.stderr.contains("help: give the new recording a file name of its own, and `media` that name, or, if it is that episode back, its guid (guid = \"c709453a-f377-4b70-b132-fea0cf9a9ee4\"); or, if you mean it, build with --allow-changes"), "{}", run.stderr);
    assert_eq!(show.read("public/feed.xml"), published, "nothing was written");
    std::fs::copy(show.path("media/fluentd-eduardo-silva.mp3"), show.path("media/new.mp3")).unwrap();
    let on_its_page = new_one
        .replace(
            "media = [\"media/fluentd-eduardo-silva.mp3\", \"media/fluentd-eduardo-silva.ogg\"]",
            "media = [\"media/new.mp3\"]",
        )
        .replace(
            "title = \"A new conversation\"\n",
            "title = \"A new conversation\"\nslug = \"fluentd-eduardo-silva\"\n",
        );
    assert_ne!(on_its_page, new_one);
    show.write("episodes.toml", &format!("{without}{on_its_page}"));
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"]).fails(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let change = &doc["changes"][0];
    assert_eq!(
        (change["kind"].as_str(), change["what"].as_str(), change["was"].as_str(), change["mark"].as_str()),
        (Some("reused"), Some("page"), Some("Eduardo Silva on Fluentd"), Some("!")),
        "{doc}"
    );
    assert_eq!(change["value"], "https://podcast.example.com/cloud-native/episodes/fluentd-eduardo-silva/");
    let run = show.build().fails(1);
    assert!(run.stderr.contains("this build would change episodes subscribers already have"), "{}", run.stderr);
    assert!(run.stderr.contains("fluentd-eduardo-silva/"), "{}", run.stderr);

    // The episode itself, back: at its page, it is that episode.
    show.write("episodes.toml", &manifest);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.starts_with("+ episode \"Eduardo Silva on Fluentd\" (guid c709453a-f377-4b70-b132-fea0cf9a9ee4), taken out of the feed before, is back at its page\n"), "{}", run.stdout);
    show.build().ok();
    assert!(!show.read("podsmith.lock").contains("[[retired]]"));
    assert_eq!(show.channel("feed.xml").items.len(), 4);
}

/// A per-format feed's address is published like the episodes' (apps
/// subscribed to it): a build that would no longer make it (no episode has
/// a file of its format) says so and is refused unless allowed; allowed,
/// the feed leaves `public/` and the lock.
#[test]
fn a_per_format_feed_that_would_no_longer_be_made_is_refused_unless_allowed() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    // Each episode's media: its MP3 alone.
    let first = |list: &str| list.split(", ").next().unwrap().trim_end_matches(']').to_string();
    let mp3_only: String = manifest
        .lines()
        .map(|l| match l.strip_prefix("media = [") {
            Some(list) => format!("media = [{}]\n", first(list)),
            None => format!("{l}\n"),
        })
        .collect();
    assert!(!mp3_only.contains(".ogg") && mp3_only.contains(".mp3\"]"), "{mp3_only}");
    show.write("episodes.toml", &mp3_only);
    let gone = "feed.ogg.xml is no longer made (no episode has a file of its format): the apps subscribed to it \
                would find it gone";
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert!(run.stdout.starts_with(&format!("- {gone}\n")), "{}", run.stdout);
    let run = show.build().fails(1);
    assert!(run.stderr.contains(&format!("error: {gone}\n")), "{}", run.stderr);
    assert!(show.path("public/feed.ogg.xml").exists(), "nothing was written or removed");
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    assert!(run.stderr.contains(&format!("warning: published identity changed (--allow-changes): {gone}")));
    assert!(!show.path("public/feed.ogg.xml").exists());
    assert!(!show.read("podsmith.lock").contains("[show.feeds]"));
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.starts_with("no changes since the last build"), "{}", run.stdout);
}

#[test]
fn every_key_the_init_template_shows_commented_out_is_one_the_manifest_takes() {
    let show = Show::empty();
    show.run(&[
        "init",
        "--title",
        "Tiny",
        "--author",
        "Ann",
        "--email",
        "ann@tiny.net",
        "--base-url",
        "https://tiny.net/",
    ])
    .ok();
    let manifest = show.read("episodes.toml");
    // Uncommented: every `# key = value` and `# [table]` line before the
    // episodes' example (which `podsmith add` writes).
    let head = manifest.split("# Episodes follow").next().unwrap();
    let key = |l: &str| {
        let l = l.trim_start_matches("# ");
        l.starts_with('[')
            || l.split_once(" = ").is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    };
    let opened: Vec<String> = head
        .lines()
        .map(|l| match l.starts_with("# ") && key(l) {
            true => l.trim_start_matches("# ").to_string(),
            false => l.to_string(),
        })
        .collect();
    let uncommented = opened.iter().filter(|l| !manifest.lines().any(|m| m == l.as_str())).count();
    assert!(uncommented >= 10, "{uncommented} lines uncommented:\n{}", opened.join("\n"));
    show.write("episodes.toml", &opened.join("\n"));
    let parsed = podsmith::manifest::load(&show.path("episodes.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(parsed.podcast.tags.websub_hub.as_ref().map(|u| u.as_str()), Some("https://pubsubhubbub.appspot.com/"));
    assert_eq!(parsed.publish.to.as_deref(), Some("s3://my-bucket/podcast"));
    assert_eq!(parsed.publish.notify.len(), 1);
}

#[test]
fn init_refuses_bad_values_before_it_makes_anything_and_names_the_folder_for_a_shell() {
    let other = Show::empty();
    // Values the manifest would refuse: refused before anything is made.
    let run = other.run(&["init", "new show", "--category", "Bogus"]).fails(2);
    assert!(run.stderr.contains("\"Bogus\" is not an Apple Podcasts category"), "{}", run.stderr);
    assert!(!other.path("new show").exists(), "no folder, no lock left behind");
    // A folder with a space is named so that the next command can be pasted.
    let run = other.run(&["init", "new show"]).ok();
    assert!(run.stderr.contains("  cd 'new show' && podsmith add recording.mp3"), "{}", run.stderr);
    assert!(!run.stderr.contains("[podcast.words]"), "{}", run.stderr);
}

/// Values go into init's template in one pass: a title that holds another
/// slot's name, such as `{author}` or `{language}`, is written as typed.
#[test]
fn init_writes_a_value_holding_a_slot_name_as_it_was_typed() {
    let show = Show::empty();
    show.run(&["init", "a", "--title", "The \"Best\" {author} Show", "--author", "Ann", "--language", "de"]).ok();
    let parsed = podsmith::manifest::load(&show.path("a/episodes.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(parsed.podcast.title, "The \"Best\" {author} Show");
    assert_eq!(parsed.podcast.author, "Ann");
    assert_eq!(parsed.podcast.language, "de");
    show.run(&["init", "b", "--title", "Talk about {language} stuff {email}", "--email", "x@y.net"]).ok();
    let parsed = podsmith::manifest::load(&show.path("b/episodes.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(parsed.podcast.title, "Talk about {language} stuff {email}");
    assert_eq!(parsed.podcast.owner.email, "x@y.net");
    // The template's own commented `{format}` is left for the user.
    assert!(show.read("b/episodes.toml").contains("Listen to {format} ({duration})"));
}

/// A show started in a language the pages have no words in is told how
/// to give them; one in a language they speak is not.
#[test]
fn init_in_a_language_the_pages_do_not_speak_says_how_to_give_their_words() {
    let show = Show::empty();
    let run = show.run(&["init", "polish", "--language", "pl"]).ok();
    assert!(
        run.stderr.contains(
            "The pages' own words (\"Listen to\", \"Chapters\", the months) stay English for \"pl\", marked as such, \
             unless you give them all in [podcast.words] (README: \"Templates\")."
        ),
        "{}",
        run.stderr
    );
    let run = show.run(&["init", "german", "--language", "de"]).ok();
    assert!(!run.stderr.contains("[podcast.words]"), "{}", run.stderr);
}

/// `init --force` never writes outside the folder: a media/ linked to a
/// folder outside is refused before anything is written there; a linked
/// .gitignore is left a link, its file as it was.
#[cfg(unix)]
#[test]
fn init_force_writes_nothing_through_a_link_out_of_the_folder() {
    let linked = Show::empty();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), linked.path("media")).unwrap();
    fs::write(elsewhere.path().join("gitignore"), "/mine\n").unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("gitignore"), linked.path(".gitignore")).unwrap();
    let run = linked.run(&["init", "--force"]).fails(2);
    assert!(run.stderr.contains("media/ is a link to") && run.stderr.contains("outside the show"), "{}", run.stderr);
    assert!(!elsewhere.path().join("cover.jpg").exists() && !linked.path("episodes.toml").exists());
    fs::remove_file(linked.path("media")).unwrap();
    let run = linked.run(&["init", "--force"]).ok();
    assert!(fs::symlink_metadata(linked.path(".gitignore")).unwrap().file_type().is_symlink());
    assert!(run.stderr.contains("warning: .gitignore is a link to "), "{}", run.stderr);
    assert!(run.stderr.contains("add these lines to it:") && run.stderr.contains("/public/"), "{}", run.stderr);
    assert!(run.stderr.contains("(a placeholder).\n"), "does not say it wrote .gitignore: {}", run.stderr);
    assert_eq!(fs::read_to_string(elsewhere.path().join("gitignore")).unwrap(), "/mine\n");
}

#[test]
fn init_add_build_in_an_empty_folder_makes_a_valid_show() {
    let dir = tempfile::tempdir().unwrap();
    let show = Show { dir };
    let run = show
        .run(&[
            "init",
            "--title",
            "Tiny Show",
            "--author",
            "Ann",
            "--email",
            "ann@tiny.net",
            "--base-url",
            "https://tiny.net/pod/",
        ])
        .ok();
    assert!(
        run.stderr.starts_with("Started a show in .: episodes.toml, media/cover.jpg (a placeholder), .gitignore."),
        "{}",
        run.stderr
    );
    assert!(
        show.read(".gitignore").lines().any(|l| l == "/public/") && show.read(".gitignore").contains("/.podsmith/")
    );
    let manifest = show.read("episodes.toml");
    assert!(
        manifest.contains("title = \"Tiny Show\"\n")
            && manifest.contains("owner = { name = \"Ann\", email = \"ann@tiny.net\" }"),
        "{manifest}"
    );
    show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "Pilot", "--date", "2026-01-05"]).ok();
    show.build().ok();
    assert_eq!(show.channel("feed.xml").items.len(), 1);
    // Valid; warnings for what is still a placeholder.
    let run = show.run(&["validate", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stdout.contains("warning PLACEHOLDER line 6: the show's description is still a placeholder"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("media/cover.jpg is podsmith's placeholder cover"), "{}", run.stdout);
    assert!(run.stdout.ends_with("feed.xml: passes — 0 errors, 2 warnings, 1 note in 1 item\n"), "{}", run.stdout);

    // A show folder is refused, with or without --force, and no --force is
    // suggested that would be refused too.
    let manifest = show.read("episodes.toml");
    for args in [&["init"][..], &["init", "--force"]] {
        let run = show.run(args).fails(2);
        assert_eq!(
            run.stderr,
            "error: . already has an episodes.toml; init never replaces it (add episodes with podsmith add)\n"
        );
    }
    assert_eq!(show.read("episodes.toml"), manifest);
    // Into a folder with other files: nothing there is replaced.
    let other = Show::empty();
    other.write("README.md", "my notes\n");
    other.write(".gitignore", "/target");
    other.write("media/cover.jpg", "my art");
    let run = other.run(&["init"]).fails(2);
    assert!(
        run.stderr.starts_with(
            "error: . is not empty (.gitignore, README.md, media); choose an empty folder, or pass --force"
        ),
        "{}",
        run.stderr
    );
    let run = other.run(&["init", "--force"]).ok();
    assert!(run.stderr.contains("media/cover.jpg (yours, kept)"), "{}", run.stderr);
    assert_eq!(other.read("README.md"), "my notes\n");
    assert_eq!(other.read("media/cover.jpg"), "my art");
    assert_eq!(
        other.read(".gitignore"),
        "/target\n# podsmith build writes the site here; it is made from episodes.toml and media/.\n/public/\n# podsmith's probe cache and build record.\n/.podsmith/\n"
    );
    assert!(other.read("episodes.toml").starts_with("# episodes.toml: your show and its episodes."));
    // Values that would make a bad manifest are refused before anything is written.
    let empty = Show::empty();
    let run = empty.run(&["init", "--category", "Technology > Podcasting"]).fails(2);
    assert!(run.stderr.contains("\"Technology > Podcasting\" is not an Apple Podcasts category"), "{}", run.stderr);
    assert!(!empty.path("episodes.toml").exists());
}

/// `init` with no flags: placeholders everywhere, and the first build still
/// works, saying each placeholder at the line of episodes.toml to fix.
#[test]
fn a_show_left_as_init_wrote_it_builds_and_each_placeholder_is_said_where_to_fix_it() {
    let bare = Show::empty();
    bare.run(&["init"]).ok();
    bare.run(&["add", &fixture("cbr-xing.mp3"), "--title", "Pilot", "--date", "2026-01-05"]).ok();
    let run = bare.build().ok();
    // Each placeholder is said at the line of episodes.toml to fix, not at
    // a line of a feed.
    let manifest = bare.read("episodes.toml");
    let line_of = |key: &str| 1 + manifest.lines().position(|l| l.starts_with(&format!("{key} = "))).unwrap();
    for (key, said) in [
        ("title", "the show's title is still a placeholder"),
        ("description", "the show's description is still a placeholder"),
        ("author", "the show's author is still a placeholder"),
        ("owner", "the owner's name is still a placeholder"),
        ("base_url", "the feed's URLs and the owner e-mail are on example.com"),
        ("image", "media/cover.jpg is podsmith's placeholder cover"),
    ] {
        let want = format!("warning: episodes.toml:{}: {said}", line_of(key));
        assert!(run.stderr.contains(&want), "no {want:?} in {}", run.stderr);
    }
    assert!(!run.stderr.contains("warning: feed.xml"), "{}", run.stderr);
    // The owner's e-mail alone left, in a table of its own: at its line.
    let owner_line = manifest.lines().find(|l| l.starts_with("owner = ")).unwrap();
    let edited = manifest
        .replacen(&format!("{owner_line}\n"), "", 1)
        .replacen("base_url = \"https://example.com/podcast/\"", "base_url = \"https://pod.tiny-show.net/podcast/\"", 1)
        .replacen("\n[[episode]]", "\n[podcast.owner]\nname = \"Ann\"\nemail = \"ann@example.com\"\n\n[[episode]]", 1);
    bare.write("episodes.toml", &edited);
    let run = bare.run(&["build", "--allow-changes"]).ok();
    let email = 1 + edited.lines().position(|l| l.starts_with("email = ")).unwrap();
    let want = format!("warning: episodes.toml:{email}: the owner e-mail is on example.com");
    assert!(run.stderr.contains(&want), "no {want:?} in {}", run.stderr);
}

#[cfg(unix)]
#[test]
fn published_files_are_readable_by_the_web_server() {
    use std::os::unix::fs::PermissionsExt;
    let show = Show::sample();
    show.build().ok();
    for f in ["public/feed.xml", "public/index.html", "podsmith.lock"] {
        let mode = fs::metadata(show.path(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{f}");
    }
}

/// A show whose only episode is `cbr-xing.mp3`, built once.
fn one_episode_show() -> Show {
    let manifest = format!("{PODCAST_TABLE}{}", episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    Show::with(&manifest, &["cbr-xing.mp3"])
}

/// `add` refuses what the next build would refuse: a slug or a media file
/// name an episode taken out of the feed was published with (as
/// `podsmith.lock` keeps them); a slug it makes itself goes past them.
#[test]
fn add_refuses_a_slug_or_file_an_episode_taken_out_was_published_with() {
    let one = episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]);
    let two = episode("Two", "g2", "2024-01-02T00:00:00Z", &["vbr-xing.mp3"]);
    let show = Show::with(&format!("{PODCAST_TABLE}{one}{two}"), &["cbr-xing.mp3", "vbr-xing.mp3"]);
    show.build().ok();
    show.write("episodes.toml", &format!("{PODCAST_TABLE}{one}"));
    show.run(&["build", "--allow-changes"]).ok();
    fs::remove_file(show.path("media/vbr-xing.mp3")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let same_name = outside.path().join("vbr-xing.mp3");
    fs::copy(fixture("vbr-xing.mp3"), &same_name).unwrap();
    let manifest = show.read("episodes.toml");
    let run = show.run(&["add", same_name.to_str().unwrap(), "--title", "New"]).fails(1);
    assert!(
        run.stderr.contains("would be published at https://example.com/show/media/vbr-xing.mp3, which was published before, for the episode \"Two\" (podsmith.lock)"),
        "{}",
        run.stderr
    );
    let other = outside.path().join("other.mp3");
    fs::copy(fixture("vbr-xing.mp3"), &other).unwrap();
    let run = show.run(&["add", other.to_str().unwrap(), "--title", "New", "--slug", "two", "--dry-run"]).fails(1);
    assert!(run.stderr.contains("the slug \"two\" was published before, for the episode \"Two\""), "{}", run.stderr);
    assert_eq!(show.read("episodes.toml"), manifest, "nothing was added");
    assert!(!show.path("media/vbr-xing.mp3").exists() && !show.path("media/other.mp3").exists());
    // Its own slug: past the one published.
    show.run(&["add", other.to_str().unwrap(), "--title", "Two", "--date", "2024-02-01"]).ok();
    assert!(show.read("episodes.toml").contains("slug = \"two-2\""), "{}", show.read("episodes.toml"));
    show.build().ok();
}

/// A scheduled episode given the page of an episode taken out of the feed
/// is warned of by every build until then (and by `diff`), not only
/// refused by the build at its time.
#[test]
fn a_scheduled_episode_at_a_page_published_before_is_warned_of_now() {
    let one = episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]);
    let two = episode("Two", "g2", "2024-01-02T00:00:00Z", &["vbr-xing.mp3"]);
    let show = Show::with(&format!("{PODCAST_TABLE}{one}{two}"), &["cbr-xing.mp3", "vbr-xing.mp3"]);
    show.build().ok();
    let later = "\n[[episode]]\ntitle = \"Later\"\nslug = \"two\"\nguid = \"g3\"\ndate = 2030-01-01T00:00:00Z\n\
                 media = [\"media/vbr-xing.mp3\"]\n";
    show.write("episodes.toml", &format!("{PODCAST_TABLE}{one}{later}"));
    let said = "warning: scheduled episode \"Later\" (live at 2030-01-01T00:00:00+00:00): its page \
                https://example.com/show/episodes/two/ was published before, for \"Two\"";
    let run = show.run(&["build", "--allow-changes"]).ok();
    assert!(run.stderr.contains(said), "{}", run.stderr);
    assert!(run.stderr.contains("the build at that time refuses it"), "{}", run.stderr);
    // Said again by a build with nothing to do.
    let run = show.build().ok();
    assert!(run.stderr.contains(said), "{}", run.stderr);
    let run = show.run(&["diff", "--format", "json"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let c = &doc["changes"][0];
    assert_eq!(
        (c["kind"].as_str(), c["what"].as_str(), c["until"].as_str()),
        (Some("reused"), Some("page"), Some("2030-01-01T00:00:00+00:00")),
        "{doc}"
    );
    assert_eq!(c["breaks_identity"], false);
    // At its time, refused.
    let run = show.run(&["build", "--as-of", "2030-02-01T00:00:00Z"]).fails(1);
    assert!(
        run.stderr
            .contains("new episode \"Later\": its page https://example.com/show/episodes/two/ was published before"),
        "{}",
        run.stderr
    );
}

#[test]
fn add_keeps_crlf_line_ends_and_writes_its_own_lines_the_same_way() {
    let show = one_episode_show();
    let crlf = show.read("episodes.toml").replace('\n', "\r\n");
    show.write("episodes.toml", &crlf);
    // With notes of several lines: they take the file's line ends too.
    show.write("notes.md", "Two lines\nof notes.\n");
    show.run(&["add", &fixture("vbr-xing.mp3"), "--title", "Two", "--date", "2024-02-01", "--notes", "notes.md"]).ok();
    let after = show.read("episodes.toml");
    assert!(after.starts_with(&crlf), "the old text changed");
    let added = &after[crlf.len()..];
    assert_eq!(added.matches('\n').count(), added.matches("\r\n").count(), "{added:?}");
    assert!(added.starts_with("\r\n[[episode]]\r\ntitle = \"Two\"\r\nslug = \"two\"\r\n"), "{added:?}");
    assert!(added.contains("Two lines\r\nof notes."), "{added:?}");
    show.build().ok();
    assert_eq!(show.channel("feed.xml").items.len(), 2);
    assert!(show.read("public/episodes/two/index.html").contains("of notes."));
}

#[test]
fn add_puts_the_episode_after_the_last_one_never_into_the_show_table() {
    // A fresh init: the [podcast] options below utc_offset are comments; the
    // episode goes at the end, so uncommenting `# copyright` later still
    // belongs to [podcast].
    let show = Show::empty();
    show.run(&["init", "--title", "T", "--author", "A", "--email", "a@tiny.net", "--base-url", "https://tiny.net/"])
        .ok();
    let before = show.read("episodes.toml");
    show.run(&["add", &fixture("cbr-xing.mp3"), "--title", "Pilot", "--date", "2026-01-05"]).ok();
    let after = show.read("episodes.toml");
    assert!(after.starts_with(&before), "the old text changed");
    show.write("episodes.toml", &after.replace("# copyright = \"© 2026 Your Name\"", "copyright = \"© 2026 A\""));
    show.build().ok();
    assert_eq!(show.channel("feed.xml").copyright.as_deref(), Some("© 2026 A"));

    // Episodes first, the show table last with its comment: the new episode
    // goes after the last episode, before that comment.
    let show = one_episode_show();
    let text = show.read("episodes.toml");
    let (podcast, episodes) = text.split_at(text.find("\n[[episode]]").unwrap());
    show.write("episodes.toml", &format!("{}\n\n# The show:\n{podcast}", episodes.trim_start()));
    show.run(&["add", &fixture("vbr-xing.mp3"), "--title", "Two", "--date", "2024-02-01"]).ok();
    let after = show.read("episodes.toml");
    let two = after.find("title = \"Two\"").unwrap();
    assert!(after.find("title = \"One\"").unwrap() < two && two < after.find("# The show:").unwrap(), "{after}");
    show.build().ok();
    assert_eq!(show.channel("feed.xml").items.len(), 2);
}

/// Eight `podsmith add` at once: each waits for the one before it, reads
/// the manifest it left, and adds its own episode; none is lost, and the
/// dates (now, to the second) are distinct and in the order of the adds.
#[test]
fn concurrent_adds_lose_nothing() {
    let show = one_episode_show();
    let children: Vec<_> = (1..=8)
        .map(|i| {
            let src = show.path(&format!("take-{i}.mp3"));
            fs::copy(audio("cbr-xing.mp3"), &src).unwrap();
            std::process::Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
                .current_dir(show.root())
                .args(["add", &format!("take-{i}.mp3"), "--title", &format!("Take {i}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.contains("Added \"Take "), "{stderr}");
    }
    let text = show.read("episodes.toml");
    let titles: Vec<&str> = text.lines().filter(|l| l.starts_with("title = \"Take ")).collect();
    assert_eq!(titles.len(), 8, "{text}");
    let dates: Vec<String> = text.lines().filter(|l| l.starts_with("date = 20")).skip(1).map(String::from).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(dates, sorted, "dates are distinct and in manifest order");
    let run = show.run(&["build", "--as-of", "2099-01-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains("Built 9 episodes"), "{}", run.stderr);
}

/// A page address is a published identity: editing a title must not move
/// the page listeners shared (issue 11, item 6).
#[test]
fn an_edited_title_does_not_move_a_published_page() {
    let show = one_episode_show();
    show.build().ok();
    assert!(show.read("podsmith.lock").contains("page = \"https://example.com/show/episodes/one/\""));
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replace("title = \"One\"", "title = \"One: the pilot\""));
    let run = show.build().fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: episodes.toml:11: episode "One: the pilot": its page moved from https://example.com/show/episodes/one/ to https://example.com/show/episodes/one-the-pilot/ (slug = "one" in the episode keeps it)
  help: keep the slug the message names (the links listeners shared lead to the page there); or, if you mean it, build with --allow-changes
error: this build would change episodes subscribers already have; nothing was written
  help: apps treat a new guid as a new episode and a new URL as a new download, and a moved page breaks the links listeners shared. Put the old guid, media file or slug back in episodes.toml; or, if you mean it, run `podsmith build --allow-changes`

"#]]
    );
    assert!(show.path("public/episodes/one/index.html").exists());
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert!(run.stdout.contains("! episode \"One: the pilot\": its page moved"), "{}", run.stdout);
    // The slug keeps it; the title change alone is harmless.
    show.write("episodes.toml", &manifest.replace("title = \"One\"", "title = \"One: the pilot\"\nslug = \"one\""));
    let run = show.build().ok();
    assert!(run.stderr.contains("~ title \"One\" is now \"One: the pilot\""), "{}", run.stderr);
    assert!(show.path("public/episodes/one/index.html").exists());
}

/// What `add` accepts, the next build publishes (issue 11, item 8).
#[test]
fn add_refuses_an_episode_no_apple_app_could_play_unless_the_show_says_so() {
    let show = one_episode_show();
    let before = show.read("episodes.toml");
    let run = show.run(&["add", &fixture("vorbis-5s.ogg"), "--title", "Ogg only"]).fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: [..]/tests/fixtures/audio/vorbis-5s.ogg is OGG: Apple Podcasts and Spotify list only MP3 and M4A (AAC) episodes. Add the episode with an MP3 as well (podsmith add episode.mp3 [..]/tests/fixtures/audio/vorbis-5s.ogg), or, if the show is not meant for them, set formats = "any" in [podcast]

"#]]
    );
    assert_eq!(show.read("episodes.toml"), before);
    assert!(!show.path("media/vorbis-5s.ogg").exists());

    // A show for open formats on purpose: add, build and validate agree.
    show.write("episodes.toml", &before.replace("[podcast]\n", "[podcast]\nformats = \"any\"\n"));
    show.run(&["add", &fixture("vorbis-5s.ogg"), "--title", "Ogg only", "--date", "2024-02-01"]).ok();
    let run = show.build().ok();
    assert!(!run.stderr.contains("APPLE-IT-ENCL-EXT"), "{}", run.stderr);
    let run = show.run(&["validate", "-v", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stdout.contains(
            "note    APPLE-IT-ENCL-EXT line 36: the enclosure is .ogg: Apple Podcasts and Spotify will not list this episode"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_show_whose_only_episode_is_scheduled_says_when_it_goes_live() {
    let manifest = format!("{PODCAST_TABLE}{}", episode("Pilot", "g1", "2026-12-05T09:00:00Z", &["cbr-xing.mp3"]));
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    let run = show.run(&["build", "--as-of", "2026-11-30T00:00:00Z"]).fails(1);
    let validated = show.run(&["validate", "--as-of", "2026-11-30T00:00:00Z"]).fails(1);
    assert_eq!(validated.stderr, run.stderr);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: nothing to publish yet: the only episode, "Pilot", goes live on 5 December 2026, 09:00 (+00:00)
  help: build again after then, or see the show as it will be with --as-of 2026-12-05T09:00:00+00:00

"#]]
    );
    assert!(!show.path("public").exists());
    show.run(&["build", "--as-of", "2026-12-05T09:00:00Z"]).ok();
}

/// A look ahead (`build --as-of` a moment to come, into a folder of its
/// own) shows a scheduled episode as it will be, but publishes nothing:
/// `podsmith.lock` is left as it is, so the next build at the real time
/// neither refuses the episode as "gone" nor takes the look ahead's word.
#[test]
fn a_look_ahead_build_leaves_the_lock_as_it_is() {
    let manifest = format!(
        "{PODCAST_TABLE}{}{}",
        episode("Live", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]),
        episode("Pilot", "g2", "2099-03-01T09:00:00Z", &["vbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3", "vbr-xing.mp3"]);
    show.build().ok();
    let lock = show.read("podsmith.lock");
    let run = show.run(&["build", "--as-of", "2099-03-02T00:00:00Z", "--out", "ahead"]).ok();
    assert!(run.stderr.contains("Built 2 episodes"), "{}", run.stderr);
    assert!(run.stderr.contains("podsmith.lock is left as it is"), "{}", run.stderr);
    assert!(show.read("ahead/feed.xml").contains("<title>Pilot</title>"));
    assert!(!run.stderr.contains("LOOK-AHEAD"), "a folder of its own: {}", run.stderr);
    assert_eq!(show.read("podsmith.lock"), lock);
    // Into the folder that is uploaded, it is warned of (uploaded as it
    // is, it would publish the episode early), and a build puts it back.
    let run = show.run(&["-q", "build", "--as-of", "2099-03-02T00:00:00Z"]).ok();
    assert!(
        run.stderr
            .contains("warning: built as of a moment still to come (--as-of): public holds what is published then"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: do not upload it as it is"), "{}", run.stderr);
    assert!(show.read("public/feed.xml").contains("<title>Pilot</title>"));
    // Again, with nothing to do: it is said again (the folder still holds it).
    let again = show.run(&["-q", "build", "--as-of", "2099-03-02T00:00:00Z"]).ok();
    assert!(again.stderr.contains("public holds what is published then"), "{}", again.stderr);
    // The build at today's time publishes one episode and refuses nothing.
    let run = show.build().ok();
    assert!(!run.stderr.contains("no longer in the feed"), "{}", run.stderr);
    assert!(!show.read("public/feed.xml").contains("<title>Pilot</title>"));
}

/// Titles that make no good file name (issue 11, item 5).
#[test]
fn long_and_non_latin_titles_make_pages_that_fit() {
    let long = "An unusually long title ".repeat(12).trim().to_string();
    assert!(long.chars().count() > 280);
    let manifest = format!(
        "{PODCAST_TABLE}{}{}",
        episode(&long, "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]),
        episode("日本語のポッドキャスト", "g2", "2024-01-02T00:00:00Z", &["vbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3", "vbr-xing.mp3"]);
    show.build().ok();
    let pages: Vec<String> = fs::read_dir(show.path("public/episodes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let mut pages = pages;
    pages.sort();
    assert_eq!(
        pages,
        ["an-unusually-long-title-an-unusually-long-title-an-unusually-long-title-an", "ri-ben-yu-nopotudokiyasuto"]
    );
    let items = show.channel("feed.xml").items;
    assert_eq!(items[1].title.as_deref(), Some(long.as_str()), "the title itself is kept whole");
}

/// `--format json` on build, add and diff: one JSON object on stdout, with
/// the diagnostics; messages stay on stderr.
#[test]
fn build_add_and_diff_speak_json_when_asked() {
    let show = one_episode_show();
    // Before the first build, every episode is a change: the new ones.
    let run = show.run(&["diff", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["first_build"], true);
    assert_eq!(doc["changes"].as_array().map(Vec::len), Some(1), "{doc}");
    assert_eq!(doc["changes"][0]["mark"], "+");
    assert_eq!(doc["summary"]["message"], "nothing built yet (no podsmith.lock): the first build publishes 1 episode");
    let run = show.run(&["build", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["episodes"], 1);
    assert_eq!(doc["feeds"], serde_json::json!(["feed.xml"]));
    assert_eq!(doc["diagnostics"][0]["rule"], "PLACEHOLDER");
    assert_eq!(doc["diagnostics"][0]["severity"], "warning");
    // (Said where to fix it: the manifest's base_url line.)
    let manifest = show.read("episodes.toml");
    let base_url = 1 + manifest.lines().position(|l| l.starts_with("base_url = ")).unwrap();
    assert_eq!(doc["diagnostics"][0]["file"], "episodes.toml");
    assert_eq!(doc["diagnostics"][0]["line"], base_url);
    assert_eq!(doc["warnings"], 1);
    assert!(!run.stderr.contains("PLACEHOLDER"), "diagnostics go into the document: {}", run.stderr);

    let run =
        show.run(&["add", &fixture("vbr-xing.mp3"), "--title", "Two", "--date", "2024-02-01", "--format", "json"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((doc["ok"].clone(), doc["title"].clone()), (serde_json::json!(true), serde_json::json!("Two")));
    assert_eq!(doc["media"][0]["path"], "media/vbr-xing.mp3");

    let run = show.run(&["diff", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["changes"][0]["mark"], "+");
    assert_eq!(
        doc["changes"][0]["change"].as_str().unwrap(),
        format!("new episode \"Two\" (guid {})", guid_of(&show, "Two"))
    );
    // And by its fields, for a script.
    assert_eq!((doc["changes"][0]["kind"].as_str(), doc["changes"][0]["title"].as_str()), (Some("added"), Some("Two")));
    assert_eq!(doc["changes"][0]["help"], "", "no help is \"\", as in a diagnostic: {doc}");
    assert_eq!(doc["changes"][0]["guid"].as_str(), Some(guid_of(&show, "Two").as_str()));

    // A failure is a document too, with the exit code.
    show.write("episodes.toml", &show.read("episodes.toml").replace("title = \"Two\"", "titel = \"Two\""));
    let run = show.run(&["build", "--format", "json"]).fails(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    // The problem (a key misspelt, which is the title missing too); what
    // it came to is the summary, not a second error.
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["summary"]["message"], "1 problem in episodes.toml");
    let first = &doc["diagnostics"][0];
    assert_eq!((first["rule"].as_str(), first["file"].as_str()), (Some("MANIFEST"), Some("episodes.toml")));
    assert_eq!(run.stderr, "");
}

/// `diff --format json` on a change a build would refuse: `summary` is
/// what the changes amount to, as in the text; the refusal has a field
/// of its own.
/// A published episode whose guid line was lost, or pasted over with
/// another episode's, is told to put back the guid it was published with
/// (podsmith.lock has it), not given a new one a build would refuse.
#[test]
fn a_lost_or_pasted_over_guid_of_a_published_episode_is_told_to_be_put_back() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let (coredns, fluentd) = ("a9143684-2e18-4d31-bb7a-4674e397a03d", "c709453a-f377-4b70-b132-fea0cf9a9ee4");
    let line = format!("guid = \"{coredns}\"\n");
    assert!(manifest.contains(&line) && manifest.contains(fluentd));
    show.write("episodes.toml", &manifest.replacen(&line, "", 1));
    let run = show.build().fails(1);
    let put_back = format!("help: put back guid = \"{coredns}\", the guid it was published with (podsmith.lock)");
    assert!(run.stderr.contains(&put_back), "{}", run.stderr);
    show.write("episodes.toml", &manifest.replacen(coredns, fluentd, 1));
    let run = show.build().fails(1);
    let put_back =
        format!("help: put back guid = \"{coredns}\", the guid this episode was published with (podsmith.lock)");
    assert!(run.stderr.contains(&put_back), "{}", run.stderr);
    show.write("episodes.toml", &manifest);
    show.build().ok();
}

/// An edit saved to episodes.toml while `add` measures and copies the
/// files (an editor's save) is kept: the episode goes into the manifest as
/// it is then, not into the one `add` read first.
#[test]
fn an_edit_saved_while_add_runs_is_kept() {
    let show = Show::sample();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
        .current_dir(show.root())
        .args(["add", &fixture("cbr-xing.mp3"), "--title", "Added meanwhile"])
        .env("PODSMITH_TEST_ADD_PAUSE_MS", "3000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let text = show.read("episodes.toml");
    let edited = text.replacen("title = \"Eduardo Silva on Fluentd\"", "title = \"Eduardo Silva: Fluentd\"", 1);
    assert_ne!(edited, text);
    show.write("episodes.toml", &format!("{edited}\n# a note of mine\n"));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = show.read("episodes.toml");
    for kept in ["# a note of mine", "title = \"Eduardo Silva: Fluentd\"", "title = \"Added meanwhile\""] {
        assert!(text.contains(kept), "{kept}: {text}");
    }
    show.build().ok();
}

/// A lock gone from a show built before (lost to `git clean`, never
/// committed) is said by `diff` and by the build that makes it afresh (once),
/// with how to put it back: every check of that build was off.
#[test]
fn a_lock_gone_from_a_show_built_before_is_said() {
    let show = Show::sample();
    show.build().ok();
    fs::remove_file(show.path("podsmith.lock")).unwrap();
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.starts_with("no podsmith.lock, though public was built before: "), "{}", run.stdout);
    let run = show.build().ok();
    assert!(
        run.stderr.contains("warning: podsmith.lock was not there, though this output folder was built before"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("put it back (git checkout podsmith.lock)"), "{}", run.stderr);
    let run = show.build().ok();
    assert!(!run.stderr.contains("was not there"), "{}", run.stderr);
    // A show never built: the first build, as ever.
    let fresh = Show::sample();
    let run = fresh.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.starts_with("nothing built yet (no podsmith.lock)"), "{}", run.stdout);
    assert!(!fresh.build().ok().stderr.contains("was not there"));
}

#[test]
fn diff_json_keeps_its_summary_when_a_change_would_be_refused() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let moved = manifest.replacen("slug = \"fluentd-eduardo-silva\"", "slug = \"fluentd\"", 1);
    assert_ne!(moved, manifest);
    show.write("episodes.toml", &moved);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    // The changes and what they come to on stdout; the refusal, an error, on stderr.
    let summary = run.stdout.lines().last().unwrap();
    assert_eq!(summary, "1 change; 3 episodes unchanged", "{}", run.stdout);
    let refused = run.stderr.lines().next().unwrap().strip_prefix("error: ").unwrap();
    assert!(refused.starts_with("`podsmith build` refuses the changes marked ! and -"), "{}", run.stderr);
    assert!(run.stderr.contains("help: put back what was published"), "{}", run.stderr);
    assert!(!run.stdout.contains("refuses"), "{}", run.stdout);
    let run = show.run(&["diff", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // `summary` is an object, as a failed command's; the refusal an error counted.
    assert_eq!(doc["summary"]["message"], summary, "{doc}");
    assert_eq!(doc["refused"], refused, "{doc}");
    assert_eq!((&doc["errors"], &doc["diagnostics"][0]["rule"]), (&1.into(), &"IDENTITY".into()), "{doc}");
    assert_eq!(doc["diagnostics"][0]["message"], refused, "{doc}");
    assert_eq!(doc["ok"], false, "{doc}");
    assert_eq!(doc["changes"][0]["mark"], "!", "{doc}");
    // Nothing refused: no notice.
    show.write("episodes.toml", &manifest);
    let run = show.run(&["diff", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["summary"]["message"], "no changes since the last build: subscribers see the same 4 episodes",
        "{doc}"
    );
    assert_eq!(doc["refused"], serde_json::Value::Null, "{doc}");
    assert_eq!(doc["ok"], true, "{doc}");
}

/// `diff` counts the episodes a change leaves alone by guid, not title:
/// of two episodes that share a title, the one whose notes changed is
/// not counted unchanged, and the other is.
#[test]
fn diff_counts_unchanged_episodes_that_share_a_title() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let same = manifest.replacen("title = \"Miek Gieben on CoreDNS\"", "title = \"Eduardo Silva on Fluentd\"", 1);
    assert_ne!(same, manifest);
    show.write("episodes.toml", &same);
    show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    let edited = same.replacen("recently joined the CNCF.", "joined the CNCF in 2017.", 1);
    assert_ne!(edited, same);
    show.write("episodes.toml", &edited);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_eq!(
        run.stdout, "~ notes of \"Eduardo Silva on Fluentd\" changed\n1 change; 3 episodes unchanged\n",
        "{}",
        run.stdout
    );
}

/// The guid `add` wrote for the episode titled `title`.
fn guid_of(show: &Show, title: &str) -> String {
    let text = show.read("episodes.toml");
    let at = text.find(&format!("title = \"{title}\"")).unwrap();
    let line = text[at..].lines().find(|l| l.starts_with("guid = ")).unwrap();
    line.trim_start_matches("guid = ").trim_matches('"').to_string()
}

/// Notes whose last line starts with `#` (a Markdown heading) end right
/// above the next table: that line is text, not a comment describing the
/// table, and the new episode goes after the string, not into it. Before,
/// `add` said "Added" and the episode was the last one's notes.
#[test]
fn add_does_not_take_the_end_of_notes_for_a_comment() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let end = manifest.rfind("\"\"\"").unwrap();
    let edited = format!("{}\n# Links\"\"\"\n[publish]\nto = \"file:///srv/podcast\"\n", &manifest[..end].trim_end());
    show.write("episodes.toml", &edited);
    let before = podsmith::manifest::load(&show.path("episodes.toml")).unwrap();
    show.run(&["add", &fixture("pair-5s.mp3"), "--title", "Now", "--date", "2020-01-01T10:00:00Z"]).ok();
    let after = podsmith::manifest::load(&show.path("episodes.toml")).unwrap();
    assert_eq!(after.episodes.len(), before.episodes.len() + 1);
    assert_eq!(after.episodes.last().unwrap().title, "Now");
    for (a, b) in before.episodes.iter().zip(&after.episodes) {
        assert_eq!((&a.title, &a.notes), (&b.title, &b.notes));
    }
    assert!(after.publish.to.is_some(), "the [publish] table is still there");
    // Every byte that was there still is.
    let text = show.read("episodes.toml");
    assert!(text.starts_with(&edited[..edited.find("[publish]").unwrap()]), "{text}");
}

/// An episode added (without `--date`) in a second episodes already take
/// is dated the next free second, to keep the order; `add` waits for that
/// second, so the build run right after has it live (a script adding
/// recordings one after another, then building, left the last ones out as
/// scheduled a second or two ahead).
#[test]
fn an_episode_added_in_a_taken_second_is_live_for_the_build_that_follows() {
    let now = chrono::Utc::now().timestamp();
    let at =
        |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let manifest = format!(
        "{PODCAST_TABLE}{}{}",
        episode("First", "g-1", &at(now), &["cbr-xing.mp3"]),
        episode("Second", "g-2", &at(now + 1), &["cbr-noxing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3", "cbr-noxing.mp3"]);
    let run = show.run(&["add", &fixture("pair-5s.mp3"), "--title", "Third", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["goes_live"], serde_json::Value::Null, "{v}");
    // The next free second (or a later one, had the add started later).
    let table = v["table"].as_str().unwrap();
    let date = table.lines().find_map(|l| l.strip_prefix("date = ")).unwrap();
    assert!(date >= at(now + 2).as_str(), "{table}");
    // What a script needs of it, apart: its guid, slug and date as written.
    let written =
        |key: &str| table.lines().find_map(|l| l.strip_prefix(&format!("{key} = \""))).unwrap().trim_end_matches('"');
    assert_eq!((v["guid"].as_str(), v["slug"].as_str()), (Some(written("guid")), Some(written("slug"))), "{v}");
    let said = chrono::DateTime::parse_from_rfc3339(v["date"].as_str().unwrap()).unwrap();
    assert_eq!(said, chrono::DateTime::parse_from_rfc3339(date).unwrap(), "{v}");
    show.run(&["build"]).ok();
    let titles: Vec<String> =
        show.channel("feed.xml").items().iter().filter_map(|i| i.title().map(String::from)).collect();
    assert_eq!(titles, ["Third", "Second", "First"]);
}

/// The show's `podcast:guid` is a published identity too: Podcast Index
/// and the apps that use it know the show by it, wherever it moves. Made
/// from the feed's URL by default, it would change with `base_url`; the
/// lock records it, `diff` and the build name the change and how to keep
/// the guid, and the build refuses it unless told to. So with the OGG
/// feed's own guid (`feed_guids`). A new show title is only said.
#[test]
fn moving_the_show_keeps_its_podcast_guid_or_says_how() {
    let show = Show::sample();
    show.build().ok();
    let guid_in = |show: &Show, feed: &str| {
        let feed = show.read(&format!("public/{feed}"));
        let at = feed.find("<podcast:guid>").unwrap() + "<podcast:guid>".len();
        feed[at..at + 36].to_string()
    };
    let guid_of = |show: &Show| guid_in(show, "feed.xml");
    let (old, old_ogg) = (guid_of(&show), guid_in(&show, "feed.ogg.xml"));
    assert_ne!(old, old_ogg, "each feed is a show of its own to Podcast Index");
    let lock = show.read("podsmith.lock");
    assert!(lock.contains(&format!("[show]\nguid = \"{old}\"\n")), "{lock}");
    assert!(lock.contains(&format!("[show.feeds]\nogg = \"{old_ogg}\"\n")), "{lock}");
    // A new title: said, not refused.
    let manifest = show.read("episodes.toml");
    let renamed = manifest.replacen("title = \"Talking Cloud Native with Gordon Haff\"", "title = \"Cloud Talk\"", 1);
    assert_ne!(renamed, manifest);
    show.write("episodes.toml", &renamed);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stdout.starts_with("~ the show's title \"Talking Cloud Native with Gordon Haff\" is now \"Cloud Talk\"\n"),
        "{}",
        run.stdout
    );
    show.build().ok();
    // Moved to a new address: the guid would change with it.
    let moved = renamed.replacen("base_url = \"https://", "base_url = \"https://moved.", 1);
    assert_ne!(moved, renamed);
    show.write("episodes.toml", &moved);
    let said = format!("the show's podcast:guid changed from {old} to ");
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert!(run.stdout.starts_with(&format!("! {said}")), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("(guid = \"{old}\" in [podcast] keeps it")), "{}", run.stdout);
    let said_ogg = format!("the podcast:guid of feed.ogg.xml changed from {old_ogg} to ");
    assert!(run.stdout.contains(&format!("\n! {said_ogg}")), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("(feed_guids = {{ ogg = \"{old_ogg}\" }} in [podcast] keeps it)")));
    let run = show.build().fails(1);
    assert!(run.stderr.contains(&format!("error: {said}")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("error: {said_ogg}")), "{}", run.stderr);
    // Its pages moved with it, for that reason (their slugs are as they were).
    assert!(run.stderr.contains("/episodes/fluentd-eduardo-silva/ (the show's base_url changed)\n"), "{}", run.stderr);
    // Kept as the messages say: only the media and page URLs move.
    let kept = format!("[podcast]\nguid = \"{old}\"\nfeed_guids = {{ ogg = \"{old_ogg}\" }}\n");
    show.write("episodes.toml", &moved.replacen("[podcast]\n", &kept, 1));
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert!(!run.stdout.contains("podcast:guid"), "{}", run.stdout);
    show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    assert_eq!((guid_of(&show), guid_in(&show, "feed.ogg.xml")), (old, old_ogg));
}

/// What subscribers see of an episode beside its title and notes (its
/// date, which orders it in the apps, its number, type and explicit mark)
/// is said by `diff` when it changes; a lock that did not record them
/// takes them without a word.
#[test]
fn diff_says_a_new_date_number_type_or_explicit_mark() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let edited = manifest
        .replacen(
            "date = 2017-04-12T09:00:00-04:00\nepisode = 1\n",
            "date = 2017-05-20T09:00:00-04:00\nepisode = 1\n",
            1,
        )
        .replacen("episode = 3\n", "episode = 2\nseason = 1\ntype = \"bonus\"\nexplicit = true\n", 1);
    assert_ne!(edited, manifest);
    show.write("episodes.toml", &edited);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let said: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with('~')).collect();
    assert_eq!(said.len(), 4, "{}", run.stdout);
    for line in [
        "~ episode \"Eduardo Silva on Fluentd\": its date 2017-04-12T09:00:00-04:00 is now 2017-05-20T09:00:00-04:00 (apps list it by its date)",
        "~ episode \"Björn Rabenstein on Prometheus\": its number \"episode 3\" is now \"season 1, episode 2\"",
        "~ episode \"Björn Rabenstein on Prometheus\": its type \"full\" is now \"bonus\"",
        "~ episode \"Björn Rabenstein on Prometheus\": its explicit mark \"the show's\" is now \"explicit\"",
    ] {
        assert!(said.contains(&line), "{line}\n{}", run.stdout);
    }
    show.build().ok();
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.starts_with("no changes since the last build"), "{}", run.stdout);
    // The same moment written with another offset: no new date to the apps.
    let same = edited.replacen("date = 2017-05-20T09:00:00-04:00\n", "date = 2017-05-20T13:00:00Z\n", 1);
    assert_ne!(same, edited);
    show.write("episodes.toml", &same);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!run.stdout.contains("its date"), "{}", run.stdout);
    show.build().ok();
    show.write("episodes.toml", &edited);
    // A lock written before podsmith recorded them: recorded at the next build, not said.
    let lock = show.read("podsmith.lock");
    let old: String = lock
        .lines()
        .filter(|l| {
            !["date = ", "season = ", "episode_type = ", "explicit = ", "number = "].iter().any(|k| l.starts_with(k))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(old, lock);
    show.write("podsmith.lock", &old);
    show.write("episodes.toml", &manifest);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!run.stdout.contains("~"), "{}", run.stdout);
}

/// What directories show of the show besides its title, its description
/// and categories, is said by `diff` when it changes (not refused).
#[test]
fn diff_says_a_new_description_and_new_categories() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let categories = manifest.lines().find(|l| l.starts_with("categories = ")).unwrap().to_string();
    let edited = manifest.replacen(&categories, "categories = [\"Technology\", \"News > Tech News\"]", 1).replacen(
        "description = \"\"\"\n",
        "description = \"\"\"\nNow weekly. ",
        1,
    );
    assert!(edited.contains("Now weekly.") && edited.contains("Tech News"), "both edited");
    show.write("episodes.toml", &edited);
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let was = categories.trim_start_matches("categories = [").trim_end_matches(']');
    assert_eq!(
        run.stdout.lines().take(2).collect::<Vec<_>>(),
        [
            "~ the show's description changed".to_string(),
            format!("~ the show's categories are now \"Technology\", \"News > Tech News\" (were {was})")
        ]
    );
    show.build().ok();
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.starts_with("no changes since the last build"), "{}", run.stdout);
}

/// A `feed_guids` entry that keeps nothing (the main feed's format, or a
/// format no episode has) is warned of; the build goes on.
#[test]
fn a_feed_guid_for_a_feed_the_show_does_not_make_is_warned_of() {
    let show = Show::sample();
    let uuid = "71773f91-5dd8-5da1-8e94-164542683322";
    let kept = format!("[podcast]\nfeed_guids = {{ mp3 = \"{uuid}\", opus = \"{uuid}\", ogg = \"{uuid}\" }}\n");
    show.write("episodes.toml", &show.read("episodes.toml").replacen("[podcast]\n", &kept, 1));
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "warning: episodes.toml: `feed_guids` sets `mp3`, but the mp3 files are the main feed's (feed.xml)\n  \
             help: feed.xml's podcast:guid is `guid` in [podcast]\n"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`feed_guids` sets `opus`, but the show makes no feed.opus.xml"), "{}", run.stderr);
    assert!(!run.stderr.contains("sets `ogg`"), "{}", run.stderr);
    assert!(show.read("public/feed.ogg.xml").contains(&format!("<podcast:guid>{uuid}</podcast:guid>")));
}

/// Apple Podcasts and other apps keep a cover by its URL: new art saved
/// over the old file is said (`diff`) and warned of (`build`), with the
/// fix; new art under a new file name is said as new art, not warned of.
#[test]
fn new_cover_art_under_the_old_url_is_warned_of() {
    let show = Show::sample();
    show.build().ok();
    let url = "https://podcast.example.com/cloud-native/media/cover.jpg";
    assert!(show.read("podsmith.lock").contains(&format!("cover = \"{url}\"\ncover_fingerprint = \"")));
    // Another picture of the same size (here the sample's, with another
    // pixel density in its JFIF header).
    let mut art = std::fs::read(show.path("media/cover.jpg")).unwrap();
    assert_eq!(&art[6..11], b"JFIF\0");
    art[13..18].copy_from_slice(&[1, 0, 72, 0, 72]);
    std::fs::write(show.path("media/cover.jpg"), &art).unwrap();
    let said = format!("the show's cover art changed but kept its URL {url}: Apple Podcasts and other apps keep art");
    let said = said.as_str();
    let help = "give the new picture a new file name, and `image` in [podcast] that name";
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.starts_with(&format!("~ {said} by its URL and may go on showing the old picture ({help})\n")));
    let run = show.build().ok();
    assert!(run.stderr.contains(&format!("warning: {said}")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("old picture\n  help: {help}\n")), "{}", run.stderr);
    assert_eq!(std::fs::read(show.path("public/media/cover.jpg")).unwrap(), art, "the new art is published");
    // Said once: the lock now holds the new picture.
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!run.stdout.contains("cover"), "{}", run.stdout);
    // New art under a new name, as the warning says: nothing to say.
    art[13..18].copy_from_slice(&[1, 0, 96, 0, 96]);
    std::fs::write(show.path("media/cover-2.jpg"), &art).unwrap();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("image = \"media/cover.jpg\"", "image = \"media/cover-2.jpg\"", 1));
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let moved = "~ the show's cover art is now https://podcast.example.com/cloud-native/media/cover-2.jpg (was \
                 https://podcast.example.com/cloud-native/media/cover.jpg): apps show the picture there\n";
    assert!(run.stdout.starts_with(moved), "{}", run.stdout);
    let run = show.build().ok();
    assert!(!run.stderr.contains("ART-SAME-URL"), "{}", run.stderr);
    assert!(run.stderr.contains(&moved[2..]), "{}", run.stderr);
    // The placeholder `init` writes, replaced by the show's art as `init`
    // says to: nothing to warn of (apps that kept it lose nothing).
    std::fs::write(show.path("media/cover-2.jpg"), podsmith::init::PLACEHOLDER_COVER).unwrap();
    show.build().ok();
    std::fs::write(show.path("media/cover-2.jpg"), &art).unwrap();
    let run = show.build().ok();
    assert!(!run.stderr.contains("kept its URL"), "{}", run.stderr);
}

/// A published recording replaced under its own name (a re-export saved
/// over the old file) keeps its URL, so apps that downloaded it keep the old
/// one and caches may serve it (media go up as immutable): `diff` says so
/// and `build` warns, with the fix, once; the build publishes the new file.
#[test]
fn a_recording_replaced_under_its_published_url_is_warned_of() {
    let show = Show::sample();
    show.build().ok();
    let url = "https://podcast.example.com/cloud-native/media/fluentd-eduardo-silva.ogg";
    let new = std::fs::read(repo().join("tests/fixtures/audio/vorbis-5s.ogg")).unwrap();
    std::fs::remove_file(show.path("media/fluentd-eduardo-silva.ogg")).unwrap();
    std::fs::write(show.path("media/fluentd-eduardo-silva.ogg"), &new).unwrap();
    let said = format!("episode \"Eduardo Silva on Fluentd\": the file at {url} was replaced under the same URL (");
    let help = "to publish a new recording, give it a new file name and `media` that name (and allow the change: --allow-changes)";
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.contains(&format!("~ {said}")), "{}", run.stdout);
    assert!(run.stdout.contains("media are published as immutable) (to publish a new recording"), "{}", run.stdout);
    let run = show.build().ok();
    assert!(run.stderr.contains(&format!("warning: {said}")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("  help: {help}")), "{}", run.stderr);
    assert_eq!(std::fs::read(show.path("public/media/fluentd-eduardo-silva.ogg")).unwrap(), new);
    // Said once: the lock now holds the new length.
    let run = show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!run.stdout.contains("replaced"), "{}", run.stdout);
}

/// A recording replaced by another of the very same size (a constant
/// bitrate re-export of the same length) is told as well, though the lock
/// keeps only lengths: by the fingerprint the last build recorded of the
/// file it published. Whether the new file is put in the old one's place
/// or written over it (the published hard link then holds it already). A
/// file only touched says nothing.
#[test]
fn a_recording_replaced_by_one_of_the_same_size_is_warned_of() {
    let show = Show::sample();
    show.build().ok();
    let rel = "media/fluentd-eduardo-silva.mp3";
    let url = format!("https://podcast.example.com/cloud-native/{rel}");
    let said = format!(
        "episode \"Eduardo Silva on Fluentd\": the file at {url} was replaced under the same URL by another of the \
         same size (889 KB): apps that downloaded the episode keep the old recording"
    );
    let diff = || show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok().stdout;
    // Touched: the same bytes.
    let old = std::fs::read(show.path(rel)).unwrap();
    std::fs::write(show.path(rel), &old).unwrap();
    assert!(!diff().contains("replaced"), "{}", diff());
    let run = show.build().ok();
    assert!(!run.stderr.contains("replaced"), "{}", run.stderr);
    // Another file of the same size put in its place: one byte of audio
    // differs (in the part of it the fingerprint reads).
    let mut new = old.clone();
    new[30_000] ^= 0x55;
    std::fs::remove_file(show.path(rel)).unwrap();
    std::fs::write(show.path(rel), &new).unwrap();
    let told = diff();
    assert!(told.starts_with(&format!("~ {said}")), "{told}");
    assert!(told.ends_with("1 change; 3 episodes unchanged\n"), "{told}");
    let run = show.build().ok();
    assert!(run.stderr.contains(&format!("warning: {said}")), "{}", run.stderr);
    assert_eq!(std::fs::read(show.path(&format!("public/{rel}"))).unwrap(), new, "the new file is published");
    // Said once: the record now holds the new file's fingerprint.
    assert!(!diff().contains("replaced"), "{}", diff());
    assert!(!show.build().ok().stderr.contains("replaced"));
    // Written over in place, back to the old recording (the published
    // file is the same file).
    let mut f = std::fs::OpenOptions::new().write(true).open(show.path(rel)).unwrap();
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(30_000)).unwrap();
    std::io::Write::write_all(&mut f, &old[30_000..30_001]).unwrap();
    drop(f);
    assert!(diff().starts_with(&format!("~ {said}")), "{}", diff());
    let run = show.build().ok();
    assert!(run.stderr.contains(&format!("warning: {said}")), "{}", run.stderr);
    assert_eq!(std::fs::read(show.path(&format!("public/{rel}"))).unwrap(), old);
    assert!(!show.build().ok().stderr.contains("replaced"));
}

/// Notes' relative links and images lead where the page's URL makes them
/// lead (`../../media/plan.png` from `episodes/<slug>/`): the show's file
/// at that path is published with the site, so they work as written, and
/// a build notices it edited, added or gone. Never a hidden file, the lock,
/// the manifest, or the output folder's own files; an image that leads to
/// no file is warned of at its line.
#[test]
fn files_the_notes_link_to_are_published_where_the_links_lead() {
    let show = Show::sample();
    let notes = "notes = \"\"\"\n![The plan](../../media/plan.png) See [the slides](../../slides/talk%20one.pdf), \
                 [the lock](../../podsmith.lock), [the manifest](../../episodes.toml), [git](../../.git/config), \
                 [built](../../public/index.html), [top](#top), [site](https://example.com/x.png) and \
                 ![gone](../../media/gone.png).\n\n";
    let manifest = show.read("episodes.toml").replacen("notes = \"\"\"\n", notes, 1);
    show.write("episodes.toml", &manifest);
    let line = manifest.lines().position(|l| l.starts_with("![The plan]")).unwrap() + 1;
    let plan = std::fs::read(repo().join("media/cover.jpg")).unwrap();
    std::fs::write(show.path("media/plan.png"), &plan).unwrap();
    show.write("slides/talk one.pdf", "%PDF-1.4 slides\n");
    show.write(".git/config", "[remote]\n");
    let run = show.build().ok();
    let warning = format!(
        "warning: episodes.toml:{line}: episode \"Eduardo Silva on Fluentd\": in the notes, the image \
         ../../media/gone.png leads to no file of the show folder: the page shows it broken\n  help: a relative image"
    );
    assert!(run.stderr.contains(&warning), "{}", run.stderr);
    // Counted apart from the show's media and images.
    assert!(run.stderr.contains(", 9 media/image files, 2 files the notes link to; "), "{}", run.stderr);
    let files = show.public_files();
    assert_eq!(files["media/plan.png"], plan);
    assert_eq!(files["slides/talk one.pdf"], b"%PDF-1.4 slides\n");
    for never in ["podsmith.lock", "episodes.toml", ".git/config", "public/index.html", "media/gone.png"] {
        assert!(!files.contains_key(never), "{never} published");
    }
    let page = show.read("public/episodes/fluentd-eduardo-silva/index.html");
    assert!(page.contains("<img src=\"https://podcast.example.com/cloud-native/media/plan.png\""), "{page}");
    assert!(page.contains("href=\"https://podcast.example.com/cloud-native/slides/talk%20one.pdf\""), "{page}");
    // Nothing changed: nothing to do (and the same counts, from the record).
    let run = show.build().ok();
    assert!(run.stderr.contains(", 9 media/image files, 2 files the notes link to; 0 written, "), "{}", run.stderr);
    // The missing picture put in place: published, and no more warned of;
    // the plan replaced by another file: published anew.
    std::fs::write(show.path("media/gone.png"), &plan[..1000]).unwrap();
    std::fs::remove_file(show.path("media/plan.png")).unwrap();
    std::fs::write(show.path("media/plan.png"), &plan[..2000]).unwrap();
    let run = show.build().ok();
    assert!(!run.stderr.contains("leads to no file"), "{}", run.stderr);
    let files = show.public_files();
    assert_eq!(files["media/gone.png"], &plan[..1000]);
    assert_eq!(files["media/plan.png"], &plan[..2000]);
    // A file no note links to any more is no longer published.
    show.write("episodes.toml", &manifest.replacen("See [the slides](../../slides/talk%20one.pdf), ", "", 1));
    show.build().ok();
    assert!(!show.path("public/slides/talk one.pdf").exists());
    assert!(show.path("slides/talk one.pdf").exists(), "the show's own file stays");
}

/// An image of the notes beside the episode's page (`e.png`, `./d.png`,
/// `sub/s.png`, raw `<img src="y.png">`) that leads to no file is warned of
/// as any other; one at a name the build makes there (its chapters, its
/// transcripts) is the build's.
#[test]
fn a_missing_image_beside_the_page_is_warned_of() {
    let show = Show::sample();
    let notes = "notes = \"\"\"\n![e](e.png) ![d](./d.png) ![s](sub/s.png) <img src=\"y.png\"> \
                 ![c](chapters.json) ![t](transcript.vtt) ![p](chapter-1.png) ![q](transcript.png)\n\n";
    show.write("episodes.toml", &show.read("episodes.toml").replacen("notes = \"\"\"\n", notes, 1));
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "the images e.png, ./d.png, sub/s.png, y.png, chapter-1.png, transcript.png lead to no file of the show folder"
        ),
        "{}",
        run.stderr
    );
    // Put where the page's URL leads (the show's episodes/<slug>/): published.
    let page = show.read("episodes.toml");
    let slug = "fluentd-eduardo-silva";
    assert!(page.contains(slug));
    show.write(&format!("episodes/{slug}/e.png"), "not really a picture");
    let run = show.build().ok();
    assert!(
        run.stderr.contains("the images ./d.png, sub/s.png, y.png, chapter-1.png, transcript.png lead"),
        "{}",
        run.stderr
    );
    assert_eq!(show.read(&format!("public/episodes/{slug}/e.png")), "not really a picture");
}

/// A note cannot publish through a link what it may not name (a cloned
/// show's folder link `assets -> .git`, or `here -> .`): a linked file is
/// reached through no link at all; an image so refused is warned of, as is
/// one at a hidden path or one with an escaped `/`.
#[cfg(unix)]
#[test]
fn a_note_publishes_nothing_through_a_folder_link() {
    let show = Show::sample();
    show.write(".git/config", "[remote \"origin\"]\n\turl = https://user:token@example.com/show.git\n");
    std::os::unix::fs::symlink(".git", show.path("assets")).unwrap();
    std::os::unix::fs::symlink(".", show.path("here")).unwrap();
    std::os::unix::fs::symlink("../.git/config", show.path("media/config.png")).unwrap();
    let notes = "notes = \"\"\"\n[c](../../assets/config) ![m](../../here/episodes.toml) [l](../../here/podsmith.lock) \
                 ![p](../../media/config.png) [k](../../here/.podsmith/build.json) ![g](../../.git/config) \
                 ![e](../../media%2Fcover.jpg)\n\n";
    show.write("episodes.toml", &show.read("episodes.toml").replacen("notes = \"\"\"\n", notes, 1));
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "the images ../../here/episodes.toml, ../../media/config.png, ../../.git/config, ../../media%2Fcover.jpg \
             lead to no file podsmith publishes"
        ),
        "{}",
        run.stderr
    );
    let files = show.public_files();
    assert!(files.keys().all(|k| k.starts_with("episodes/") || k.starts_with("media/") || !k.contains('/')));
    for never in ["assets/config", "here/episodes.toml", "here/podsmith.lock", "media/config.png"] {
        assert!(!files.contains_key(never), "{never} published");
    }
    assert!(files.values().all(|bytes| !bytes.windows(5).any(|w| w == b"token")), "the token is published");
}

/// The flags of a `--help` line starting at "--": the flag's name.
fn flag_names(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in text.match_indices("--") {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-') {
            continue;
        }
        let name: String = text[i + 2..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if !name.is_empty() {
            out.push(format!("--{name}"));
        }
    }
    out
}

/// Every flag a command's `--help` lists is on that command's lines of the
/// README's "Commands" block, and every flag there is in its `--help`
/// (the global ones are said once, below the block).
#[test]
fn the_readme_lists_every_flag_of_every_command_and_no_other() {
    use std::collections::{BTreeMap, BTreeSet};
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let block = readme.split("## Commands\n\n```\n").nth(1).unwrap().split("```").next().unwrap();
    let mut usage: BTreeMap<String, String> = BTreeMap::new();
    let mut command = String::new();
    for line in block.lines() {
        if let Some(rest) = line.strip_prefix("podsmith ") {
            command = rest.split_whitespace().next().unwrap().to_string();
        }
        usage.entry(command.clone()).or_default().push_str(line);
    }
    let global: BTreeSet<String> =
        ["--verbose", "--quiet", "--no-wait", "--help", "--version"].iter().map(|s| s.to_string()).collect();
    for flag in &global {
        assert!(readme.contains(&format!("`{flag}`")), "{flag} is not in the README");
    }
    let show = Show::empty();
    let help = show.run(&["--help"]).ok().stdout;
    let commands: Vec<&str> = help
        .split("Commands:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 12, "{commands:?}");
    for command in commands {
        let help = show.run(&[command, "--help"]).ok().stdout;
        let options = help.split("Options:\n").nth(1).unwrap_or("");
        let in_help: BTreeSet<String> = options
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with('-'))
            .filter_map(|l| flag_names(l.split("  ").next().unwrap()).into_iter().next())
            .filter(|f| !global.contains(f))
            .collect();
        let line = usage.get(command).unwrap_or_else(|| panic!("`podsmith {command}` is not in the README's block"));
        let in_readme: BTreeSet<String> = flag_names(line).into_iter().collect();
        assert_eq!(in_help, in_readme, "podsmith {command}: --help (left) and the README (right)");
    }
}

/// `podsmith man COMMAND` prints the page the main page's SEE ALSO names,
/// with that command's options; an unknown command is a usage error.
#[test]
fn each_command_has_its_own_manual_page() {
    let show = Show::empty();
    let main = show.run(&["man"]).ok().stdout;
    assert!(main.contains("podsmith\\-build(1)"), "{main}");
    let page = show.run(&["man", "build"]).ok().stdout;
    let version = env!("CARGO_PKG_VERSION");
    assert!(page.contains(&format!(".TH podsmith-build 1  \"podsmith-build {version}\"")), "{page}");
    assert!(page.contains("allow\\-changes") && page.contains("as\\-of"), "{page}");
    // The exit codes a script looks a command up for.
    for page in [&main, &page] {
        assert!(
            page.contains(".SH \"EXIT STATUS\"\n.TP\n0\n") && page.contains(".TP\n2\nA usage or setup error"),
            "{page}"
        );
    }
    let run = show.run(&["man", "nope"]).fails(2);
    assert!(run.stderr.contains("invalid value 'nope'"), "{}", run.stderr);
    assert!(run.stderr.contains("[possible values: init, add, build, list, diff, import"), "{}", run.stderr);
    // Shell completion offers the commands too.
    let bash = show.run(&["completions", "bash"]).ok().stdout;
    assert!(bash.contains("init add build list diff import publish serve probe validate completions man help"));
}

/// `add --loudness` decodes the episode's files once they are in the show
/// and says what `probe --loudness` says of them (here: both formats of a
/// mono episode ~3 LU louder than -19 LUFS); without it, nothing is decoded.
#[test]
fn add_with_loudness_says_how_loud_the_new_episode_is() {
    let show = Show::sample();
    let (mp3, ogg) = (fixture("pair-5s.mp3"), fixture("vorbis-5s.ogg"));
    let run = show.run(&["add", &mp3, &ogg, "--title", "Loud", "--date", "2020-01-01", "--loudness"]).ok();
    for file in ["media/pair-5s.mp3: -16.1 LUFS", "media/vorbis-5s.ogg: -15.7 LUFS"] {
        assert!(
            run.stderr.contains(&format!("warning: {file}, "))
                && run.stderr.contains("than the -19 LUFS expected of a mono"),
            "{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("differ in loudness"), "0.4 LU apart: {}", run.stderr);
    // What add measured is kept in the probe cache: a build after it and
    // `validate --loudness` measure and decode only the show's other files.
    let built = show.run(&["-v", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(built.stderr.contains("probed 8 media files; 2 unchanged ones came from the cache"), "{}", built.stderr);
    let run = show.run(&["validate", "--loudness", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.contains("(8 decoded now, 2 known from the probe cache)"), "{}", run.stdout);
    let other = Show::sample();
    let run = other.run(&["add", &mp3, &ogg, "--title", "Loud", "--date", "2020-01-01"]).ok();
    assert!(!run.stderr.contains("LUFS"), "{}", run.stderr);
}

/// The title Apple shows (`itunes_title`) coming, changing and going is
/// said by `diff` (harmless: `~`), and recorded by the build.
#[test]
fn diff_says_what_happens_to_the_title_apple_shows() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let title = "title = \"Eduardo Silva on Fluentd\"\n";
    assert!(manifest.contains(title));
    let diff = |show: &Show| show.run(&["diff", "--as-of", "2026-06-01T00:00:00Z"]).ok().stdout;
    let steps = [
        (Some("Fluentd"), "~ episode \"Eduardo Silva on Fluentd\": Apple shows it as \"Fluentd\" now (itunes_title)"),
        (
            Some("On Fluentd"),
            "~ episode \"Eduardo Silva on Fluentd\": the title Apple shows (itunes_title) \"Fluentd\" is now \"On Fluentd\"",
        ),
        (
            None,
            "~ episode \"Eduardo Silva on Fluentd\": its itunes_title \"On Fluentd\" is gone: Apple shows the title, as \
             other apps do",
        ),
    ];
    for (itunes_title, said) in steps {
        let line = itunes_title.map(|t| format!("itunes_title = \"{t}\"\n")).unwrap_or_default();
        show.write("episodes.toml", &manifest.replacen(title, &format!("{title}{line}"), 1));
        assert_eq!(diff(&show).lines().next(), Some(said));
        show.build().ok();
        assert!(diff(&show).starts_with("no changes since the last build"), "recorded by the build");
    }
    // A lock written before podsmith recorded the title Apple shows holds
    // none: the next build records it, and tells nothing.
    show.write("episodes.toml", &manifest.replacen(title, &format!("{title}itunes_title = \"Fluentd\"\n"), 1));
    show.build().ok();
    let lock = show.read("podsmith.lock");
    let old: String = lock.lines().filter(|l| !l.starts_with("itunes_title")).map(|l| format!("{l}\n")).collect();
    assert_eq!(lock.lines().count() - old.lines().count(), 2, "the title and the mark that titles are recorded");
    show.write("podsmith.lock", &old);
    assert!(diff(&show).starts_with("no changes since the last build"));
    let built = show.build().ok();
    assert!(!built.stderr.contains("itunes_title"), "{}", built.stderr);
    assert_eq!(show.read("podsmith.lock"), lock, "recorded by the build");
}

#[cfg(unix)]
#[test]
fn add_names_the_manifest_it_was_given_when_the_new_episode_would_break_it() {
    let show = one_episode_show();
    fs::rename(show.path("episodes.toml"), show.path("show.toml")).unwrap();
    // A file name with a tab: no URL or object store carries it.
    let odd = show.path("a\tb.mp3");
    fs::copy(fixture("cbr-xing.mp3"), &odd).unwrap();
    let before = show.read("show.toml");
    let odd = odd.to_str().unwrap();
    let run = show.run(&["add", "--manifest", "show.toml", odd, "--title", "T", "--date", "2026-01-05"]).fails(1);
    assert!(run.stderr.contains("has a control character in its name"), "{}", run.stderr);
    assert!(run.stderr.contains("would make show.toml invalid; nothing was changed"), "{}", run.stderr);
    assert!(!run.stderr.contains("episodes.toml"), "{}", run.stderr);
    assert_eq!(show.read("show.toml"), before);
    assert!(!show.path("media/a\tb.mp3").exists());
}

/// `list` lines its columns up as a terminal shows them: a title in
/// Japanese (two columns a letter) moves no column after it.
#[test]
fn list_lines_up_wide_titles() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replacen("title = \"Eduardo Silva on Fluentd\"", "title = \"日本語のタイトル\"", 1),
    );
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    // Where the length column ends, in columns: the same on every row.
    let ends: Vec<usize> = run
        .stdout
        .lines()
        .filter(|l| l.contains(" MP3 "))
        .map(|l| {
            let at = l.find(" MP3 ").unwrap();
            unicode_width::UnicodeWidthStr::width(&l[..at])
        })
        .collect();
    assert!(ends.len() == 4 && ends.iter().all(|&e| e == ends[0]), "{ends:?}\n{}", run.stdout);
    assert!(run.stdout.contains("日本語のタイトル"), "{}", run.stdout);
}

/// An episode with a season but no number is listed with its season (apps
/// group it so); one with both as `S2E1`.
#[test]
fn list_shows_a_season_without_a_number() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let edited = manifest.replacen("\nepisode = 1\n", "\nseason = 2\n", 1).replacen(
        "\nepisode = 2\n",
        "\nseason = 2\nepisode = 2\n",
        1,
    );
    assert!(edited.matches("season = 2").count() == 2, "{edited}");
    show.write("episodes.toml", &edited);
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let row = |title: &str| run.stdout.lines().find(|l| l.contains(title)).unwrap_or_default().to_string();
    assert!(row("Eduardo Silva").trim_start().starts_with("S2 "), "{}", run.stdout);
    assert!(row("Miek Gieben").trim_start().starts_with("S2E2 "), "{}", run.stdout);
}

/// A published episode whose guid was edited is `changed` in the list (the
/// next build refuses it, as `diff` says), not `new`.
#[test]
fn list_says_an_episode_whose_guid_changed_is_changed_not_new() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let guid = manifest.lines().find_map(|l| l.strip_prefix("guid = \"")).unwrap().trim_end_matches('"').to_string();
    show.write("episodes.toml", &manifest.replacen(&guid, &format!("{guid}x"), 1));
    let run = show.run(&["list"]).ok();
    let statuses: Vec<&str> = run.stdout.lines().skip(1).take(4).filter_map(|l| l.split_whitespace().last()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "changed").count(), 1, "{}", run.stdout);
    assert!(!statuses.contains(&"new"), "{}", run.stdout);
    assert!(
        run.stderr.contains("warning: 1 changed: its guid, page or a media URL is not as published"),
        "{}",
        run.stderr
    );
    // Counted as changed, not live; its audio is in the feed still (the build refuses the change).
    assert!(run.stdout.contains("\n3 live, 1 changed, 0 scheduled; 1:05:06 of audio in the feed\n"), "{}", run.stdout);
}

/// What the feeds say of the whole show, which apps and directories act on
/// for every episode (its explicit mark, a move to a new feed), is what
/// `diff` says it changes; built, it is the last build's.
#[test]
fn diff_says_what_changes_of_the_whole_show() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let edited = manifest.replacen(
        "explicit = false\n",
        "explicit = true\nnew_feed_url = \"https://new.example.org/feed.xml\"\n\
         new_feed_urls = { ogg = \"https://new.example.org/feed.ogg.xml\" }\n",
        1,
    );
    assert_ne!(edited, manifest);
    show.write("episodes.toml", &edited);
    let run = show.run(&["diff"]).ok();
    assert_eq!(
        run.stdout,
        "~ the show is now marked explicit: every episode without a mark of its own is\n\
         ~ feed.xml now says the show moved to \"https://new.example.org/feed.xml\" (new_feed_url): apps move its \
         subscribers there\n\
         ~ the per-format feeds now say the show moved (new_feed_urls \"ogg = https://new.example.org/feed.ogg.xml\"): \
         apps move their subscribers there\n3 changes; 4 episodes unchanged\n"
    );
    show.build().ok();
    let run = show.run(&["diff"]).ok();
    assert_eq!(run.stdout, "no changes since the last build: subscribers see the same 4 episodes\n");
}
