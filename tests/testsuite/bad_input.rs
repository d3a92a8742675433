//! Bad input gets a clear error naming the file and line, the right exit
//! code, and no output. The whole of what podsmith says is compared (run
//! with SNAPSHOTS=overwrite to write the expectations anew, then read them).

use snapbox::{assert_data_eq, str};

use crate::harness::*;

/// A show of `manifest` and `media` whose build is refused as bad input
/// (exit 1, nothing on stdout), and what it said.
fn refused(manifest: &str, media: &[&str]) -> (Show, String) {
    let show = Show::with(manifest, media);
    let run = show.build().fails(1);
    assert_eq!(run.stdout, "");
    (show, run.stderr)
}

#[test]
fn a_bad_manifest_reports_every_problem_with_line_and_fix() {
    let manifest = format!(
        "{}{}{}",
        PODCAST_TABLE.replace("categories = [\"Technology\"]", "categories = [\"Technology > Podcasting\"]"),
        episode("One", "same", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]).replace("title =", "titel ="),
        episode("Two", "same", "2024-01-02T00:00:00Z", &["nope.mp3"])
    );
    let (show, stderr) = refused(&manifest, &["cbr-xing.mp3"]);
    assert_data_eq!(
        stderr,
        str![[r#"
error: episodes.toml:7:15: "Technology > Podcasting" is not an Apple Podcasts category
  help: did you mean "Technology"? (Apple's list since 2019, exact spelling)
error: episodes.toml:12:1: unknown key `titel` in episode 1
  help: did you mean `title`? (episode 1 has no `title` otherwise)
error: episodes.toml:17:1: episode 2 ("Two") has the same guid "same" as the episode at line 11
  help: every episode needs its own guid that never changes: guid = "dde8445a-0185-5a82-9e98-8044d71e78e0"
error: episodes.toml:21:10: `media` "media/nope.mp3" in episode 2 ("Two") does not exist
  help: check the name, or put the file at media/nope.mp3 in the show folder
error: 4 problems in episodes.toml

"#]]
    );
    assert!(!show.path("public").exists());
}

#[test]
fn a_duplicate_guid_names_both_episodes() {
    let manifest = format!(
        "{PODCAST_TABLE}{}{}",
        episode("One", "same", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]),
        episode("Two", "same", "2024-01-02T00:00:00Z", &["vbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3", "vbr-xing.mp3"]);
    let run = show.build().fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: episodes.toml:17:1: episode 2 ("Two") has the same guid "same" as the episode at line 11
  help: every episode needs its own guid that never changes: guid = "2e633385-7b39-5592-b9e6-5347003f9aca"
error: 1 problem in episodes.toml

"#]]
    );
}

#[test]
fn a_show_guid_or_feed_guid_that_is_not_a_uuid_names_the_line_and_the_fix() {
    let podcast = PODCAST_TABLE.replace(
        "image = ",
        "guid = \"not-a-uuid\"\nfeed_guids = { ogg = \"42\", ogv = \"71773f91-5dd8-5da1-8e94-164542683322\" }\nimage = ",
    );
    let manifest = format!("{podcast}{}", episode("One", "one", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    let (_, stderr) = refused(&manifest, &["cbr-xing.mp3"]);
    assert_data_eq!(
        stderr,
        str![[r#"
error: episodes.toml:9:8: `guid` in [podcast] "not-a-uuid" is not a UUID
  help: remove it to use the UUIDv5 of the feed URL, as Podcasting 2.0 asks
error: episodes.toml:10:22: `ogg` in `feed_guids` in [podcast] "42" is not a UUID
  help: give the podcast:guid feed.ogg.xml had, or remove it to use the UUIDv5 of its URL
error: episodes.toml:10:28: unknown key `ogv` in `feed_guids` in [podcast]
  help: did you mean `ogg`?
error: 3 problems in episodes.toml

"#]]
    );
}

/// A hidden file (`.git/config`, `.env`) is never read as notes, a
/// transcript or media, nor published: named so, or through a link.
#[cfg(unix)]
#[test]
fn a_hidden_file_is_neither_read_nor_published() {
    let show = Show::sample();
    show.write(".git/config", "url = https://user:token@example.com/show.git\n");
    std::os::unix::fs::symlink("../.git/config", show.path("media/notes.md")).unwrap();
    let manifest = show.read("episodes.toml");
    let (notes_at, _) = manifest.split_once("notes = \"\"\"\n").unwrap();
    for file in [".git/config", "media/notes.md"] {
        // The first episode's notes, from that file.
        let start = manifest.find("notes = \"\"\"\n").unwrap();
        let end = start + 12 + manifest[start + 12..].find("\"\"\"\n").unwrap() + 4;
        let text = format!("{}notes_file = \"{file}\"\n{}", &manifest[..start], &manifest[end..]);
        show.write("episodes.toml", &text);
        let run = show.build().fails(1);
        let line = notes_at.lines().count() + 1;
        assert!(run.stderr.contains(&format!("episodes.toml:{line}:")), "{file}: {}", run.stderr);
        assert!(run.stderr.contains("hidden"), "{file}: {}", run.stderr);
        assert!(!run.stderr.contains("token"), "{file}: {}", run.stderr);
        assert!(!show.path("public").exists(), "{file}: nothing written");
    }
}

/// A manifest too big to be one is not in the wrong folder: the help says
/// what to check instead.
#[test]
fn a_manifest_too_big_to_be_one_is_a_usage_error_that_says_what_to_check() {
    let show = Show::empty();
    std::fs::File::create(show.path("episodes.toml")).unwrap().set_len(2 << 30).unwrap();
    let run = show.build().fails(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: cannot read `episodes.toml`: it is 2.0 GB; podsmith reads at most 32 MB of a manifest
  help: a manifest is the show's text: check that the file is the show's episodes.toml (a copy gone wrong, a file written over it), or name the right one with --manifest

"#]]
    );
}

#[test]
fn a_missing_manifest_is_a_usage_error() {
    let show = Show::empty();
    let run = show.build().fails(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: cannot read `episodes.toml`: No such file or directory (os error 2)
  help: run podsmith in the show's folder (podsmith init starts one), or name the manifest with --manifest path/to/episodes.toml

"#]]
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let show = Show::sample();
    let run = show.run(&["build", "--as-of", "tomorrow"]).fails(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: --as-of takes a moment such as 2026-06-01T00:00:00Z, or a date such as 2026-06-01 (the start of that day in the show's utc_offset, or UTC): "tomorrow" is not one

"#]]
    );
    let run = show.run(&["frobnicate"]).fails(2);
    assert!(run.stderr.starts_with("error: unrecognized subcommand 'frobnicate'"), "{}", run.stderr);
    let run = show.run(&["probe"]).fails(2);
    assert!(run.stderr.contains("the following required arguments were not provided"), "{}", run.stderr);
    // A script that asked for JSON gets its document even when the command
    // line itself is refused (and the message on stderr, as ever).
    for args in [
        &["build", "--format", "json", "--jobs", "0"][..],
        &["diff", "--format=json", "--bogus"],
        &["probe", "--json", "--jobs", "0", "media/coredns-miek-gieben.mp3"],
    ] {
        let run = show.run(args).fails(2);
        let doc: serde_json::Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
        assert_eq!((doc["ok"].as_bool(), doc["errors"].as_u64()), (Some(false), Some(1)), "{doc}");
        assert_eq!(doc["diagnostics"][0]["rule"], "USAGE");
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
    // The JSON names what clap names on the lines after its first.
    let run = show.run(&["add", "--format", "json"]).fails(2);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(doc["diagnostics"][0]["message"], "the following required arguments were not provided: <MEDIA>...");
    assert_eq!(show.run(&["build", "--jobs", "0"]).fails(2).stdout, "", "no JSON unless asked");
    // A refused command line with a name that is not UTF-8 is said, not a panic.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.mp3");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_podsmith"))
            .current_dir(show.path(""))
            .args([
                std::ffi::OsStr::new("probe"),
                odd,
                std::ffi::OsStr::new("--bogus"),
                std::ffi::OsStr::new("--format=json"),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn broken_and_mislabelled_media_are_reported_together_and_nothing_is_written() {
    let manifest = format!(
        "{PODCAST_TABLE}{}{}{}{}",
        episode("Truncated", "g1", "2024-01-01T00:00:00Z", &["broken-truncated.ogg"]),
        episode("Html", "g2", "2024-01-02T00:00:00Z", &["broken-not-audio.mp3"]),
        episode("Empty", "g3", "2024-01-03T00:00:00Z", &["broken-empty.ogg"]),
        episode("Mislabelled", "g4", "2024-01-04T00:00:00Z", &["mislabelled.ogg"])
    );
    let show =
        Show::with(&manifest, &["broken-truncated.ogg", "broken-not-audio.mp3", "broken-empty.ogg", "mislabelled.ogg"]);
    let run = show.build().fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: episodes.toml:15: media/broken-truncated.ogg (episode "Truncated"): the file is truncated: it ends after 0.7 s of audio; upload or copy it again
error: episodes.toml:21: media/broken-not-audio.mp3 (episode "Html"): not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): no audio format recognised in its content
error: episodes.toml:27: media/broken-empty.ogg (episode "Empty"): the file is empty (0 bytes): the upload or copy did not finish
error: episodes.toml:33: media/mislabelled.ogg (episode "Mislabelled"): the file holds MP3 audio but its name ends in ".ogg"; apps go by the name: rename it to media/mislabelled.mp3
error: 4 media files cannot be published; nothing was written

"#]]
    );
    assert!(!show.path("public").exists());
    // Commands that write nothing anyway do not say so.
    for command in ["validate", "diff"] {
        let run = show.run(&[command, "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
        assert!(run.stderr.contains("error: 4 media files cannot be published\n"), "{command}: {}", run.stderr);
    }
    // list lists them all the same, each with the status error, and says why after.
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    let errors = run.stdout.lines().filter(|l| l.ends_with("  error")).count();
    assert_eq!(errors, 4, "{}", run.stdout);
    assert!(run.stdout.contains("0 live, 0 scheduled, 4 in error;"), "{}", run.stdout);
    assert!(run.stderr.contains("media/broken-empty.ogg (episode \"Empty\"): the file is empty"), "{}", run.stderr);
    assert!(
        run.stderr.contains("error: 4 episodes cannot be published as they are (status error in the list)\n"),
        "{}",
        run.stderr
    );
    // In JSON, what they came to is the document's summary, as a build's, not
    // a fifth error.
    let run = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"]).fails(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["errors"], 4, "{v}");
    assert!(v["summary"]["message"].as_str().unwrap_or_default().starts_with("4 episodes cannot be published"), "{v}");
}

#[test]
fn the_output_folder_may_not_be_the_show_folder() {
    let show = Show::sample();
    let run = show.run(&["build", "--out", "."]).fails(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: the output folder `.` is the show folder or contains it; choose a folder of its own, e.g. --out public

"#]]
    );
}

#[test]
fn a_manifest_that_is_not_utf8_names_the_line_and_the_fix() {
    let show = Show::with(
        &format!("{PODCAST_TABLE}{}", episode("Caf\u{e9}", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"])),
        &["cbr-xing.mp3"],
    );
    // "Café" as an editor set to Latin-1 writes it.
    let bytes = show.read("episodes.toml").replace("Caf\u{e9}", "Caf\u{1}").into_bytes();
    let bytes: Vec<u8> = bytes.into_iter().map(|b| if b == 1 { 0xE9 } else { b }).collect();
    std::fs::write(show.path("episodes.toml"), bytes).unwrap();
    let run = show.build().fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: episodes.toml:12:13: the file is not UTF-8 text (byte 0xE9)
  help: save episodes.toml as UTF-8 (your editor's "Save with encoding" or "Reopen with encoding"); the byte is often an accented letter written by an editor set to Latin-1 or Windows-1252
error: 1 problem in episodes.toml

"#]]
    );
}

/// What an editor does not show is said where it is, with the fix: a
/// list or a text of several lines left open (where it was opened, not
/// the dozens of errors of what follows, read out of place), a control
/// character pasted into a title, lines ended by a carriage return alone,
/// a file saved as UTF-16.
#[test]
fn a_manifest_broken_where_an_editor_does_not_show_it_is_said_where_it_was_opened() {
    let two = format!(
        "{PODCAST_TABLE}{}{}",
        episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]) + "notes = \"\"\"\nFirst.\n\"\"\"\n",
        episode("Two", "g2", "2024-01-02T00:00:00Z", &["cbr-noxing.mp3"]) + "notes = \"\"\"\nSecond = yes.\n\"\"\"\n",
    );
    let show = Show::with(&two, &["cbr-xing.mp3", "cbr-noxing.mp3"]);
    let line_of = |text: &str, what: &str| text[..text.find(what).unwrap()].matches('\n').count() + 1;
    let said = |show: &Show| show.build().fails(1).stderr;
    // A list without its `]`.
    let at = two.find("categories = [").unwrap();
    let end = at + two[at..].find("]\n").unwrap();
    let open_list = format!("{}{}", &two[..end], &two[end + 1..]);
    show.write("episodes.toml", &open_list);
    let stderr = said(&show);
    let line = line_of(&two, "categories = [");
    assert!(
        stderr.contains(&format!(
            "help: is the list on line {line} closed? Its `]` seems missing: end it with ] on that line"
        )),
        "{stderr}"
    );
    assert!(stderr.ends_with("error: 1 problem in episodes.toml\n"), "{stderr}");
    // A text of several lines without its closing `"""`: the next text's
    // opening closes it, and its words are read as TOML.
    let first_close = two.find("First.\n\"\"\"\n").unwrap() + "First.\n".len();
    let open_text = format!("{}{}", &two[..first_close], &two[first_close + 4..]);
    show.write("episodes.toml", &open_text);
    let stderr = said(&show);
    let (opened, closed) = (line_of(&two, "First.") - 1, line_of(&open_text, "Second = yes") - 1);
    assert!(
        stderr.contains(&format!(
            "help: is the text opened with \"\"\" on line {opened} closed? Its closing \"\"\" seems \
             missing: the \"\"\" on line {closed} ended it instead"
        )),
        "{stderr}"
    );
    assert!(stderr.ends_with("error: 1 problem in episodes.toml\n"), "{stderr}");
    // The last text left open to the end of the file.
    let last = two.rfind("\"\"\"").unwrap();
    show.write("episodes.toml", &format!("{}{}", &two[..last], &two[last + 3..]));
    let stderr = said(&show);
    let opened = line_of(&two, "Second = yes") - 1;
    assert!(
        stderr.contains(&format!(
            "help: the text opened with \"\"\" on line {opened} is never closed: end it with \"\"\""
        )),
        "{stderr}"
    );
    // A control character pasted into a title.
    show.write("episodes.toml", &two.replacen("title = \"One\"", "title = \"O\u{7}ne\"", 1));
    let stderr = said(&show);
    let line = line_of(&two, "title = \"One\"");
    assert_eq!(
        stderr,
        format!(
            "error: episodes.toml:{line}:11: an invisible control character here (U+0007): TOML allows none in a manifest\n  \
             help: delete it (it was likely pasted with the text: most editors do not show it)\n\
             error: 1 problem in episodes.toml\n"
        )
    );
    // Lines ended by a carriage return alone; a file saved as UTF-16.
    show.write("episodes.toml", &two.replace('\n', "\r"));
    assert!(said(&show).contains("the file ends its lines with a carriage return alone"));
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(two.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    std::fs::write(show.path("episodes.toml"), utf16).unwrap();
    assert!(said(&show).contains(
        "error: episodes.toml:1:1: the file is UTF-16 text (it starts with the byte-order mark FF FE), not UTF-8"
    ));
    // Without its mark, as some tools save it: told the same, not as a TOML error.
    let unmarked: Vec<u8> = two.encode_utf16().flat_map(u16::to_be_bytes).collect();
    std::fs::write(show.path("episodes.toml"), unmarked).unwrap();
    assert!(
        said(&show)
            .contains("error: episodes.toml:1:1: the file is UTF-16 text (every other byte of it is 0), not UTF-8")
    );
    // Fixed, it builds.
    show.write("episodes.toml", &two);
    show.build().ok();
}

/// What the feed's checks find of one value of the show (its address on
/// a private network, its author) is said at that value's line in
/// `episodes.toml`, where it is fixed, not at a line of the feed.
#[test]
fn a_feed_finding_of_a_show_value_is_said_at_its_line() {
    let manifest = format!(
        "{}{}",
        PODCAST_TABLE.replace("https://example.com/show/", "https://192.168.1.2/show/"),
        episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains(
            "error: episodes.toml:8: the feed's own URL points at 192.168.1.2, an address on a private network"
        ),
        "{}",
        run.stderr
    );
}

/// An episode's art that is a recording (an audio file named as its
/// `image`) is an error, as the cover's is: no app can show it. Nothing
/// is written.
#[test]
fn episode_art_that_is_no_picture_is_refused() {
    let manifest = format!(
        "{PODCAST_TABLE}{}image = \"media/cbr-noxing.mp3\"\n",
        episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3", "cbr-noxing.mp3"]);
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains(
            "error: episodes.toml:16: episode \"One\": media/cbr-noxing.mp3 is an audio file, not a picture: no app can \
             show it as the episode's art [APPLE-IT-IMAGE]"
        ),
        "{}",
        run.stderr
    );
    assert!(!show.path("public/feed.xml").exists());
    // A picture in a format Apple does not take (a BMP) is art all the
    // same: warned of, as before.
    let mut bmp = b"BM".to_vec();
    bmp.extend([0u8; 60]);
    std::fs::write(show.path("media/art.bmp"), bmp).unwrap();
    show.write("episodes.toml", &manifest.replace("media/cbr-noxing.mp3", "media/art.bmp"));
    let run = show.build().ok();
    assert!(run.stderr.contains("media/art.bmp is not an image Apple reads, not JPEG or PNG"), "{}", run.stderr);
    show.write(
        "episodes.toml",
        &manifest.replace("image = \"media/cbr-noxing.mp3\"\n", "image = \"media/cover.jpg\"\n"),
    );
    show.build().ok();
}

/// An episode's media that is another episode's file under a name of its
/// own (a symbolic or a hard link) is said: both would play one recording,
/// the later one as new. Once, however many there are.
#[cfg(unix)]
#[test]
fn media_that_is_another_episodes_file_by_a_link_is_said_once() {
    let three = format!(
        "{PODCAST_TABLE}{}{}{}",
        episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]),
        episode("Two", "g2", "2024-01-02T00:00:00Z", &["two.mp3"]),
        episode("Three", "g3", "2024-01-03T00:00:00Z", &["three.mp3"]),
    );
    let show = Show::with(&three, &["cbr-xing.mp3"]);
    std::os::unix::fs::symlink("cbr-xing.mp3", show.path("media/two.mp3")).unwrap();
    std::fs::hard_link(show.path("media/cbr-xing.mp3"), show.path("media/three.mp3")).unwrap();
    let run = show.build().ok();
    let line = |name: &str| three[..three.find(name).unwrap()].matches('\n').count() + 1;
    let said = format!(
        "warning: episodes.toml:{}: \"media/two.mp3\" is the same file as \"media/cbr-xing.mp3\", the media of the \
         episode at line {}",
        line("\"media/two.mp3\""),
        line("\"media/cbr-xing.mp3\"")
    );
    assert!(run.stderr.contains(&said), "{}", run.stderr);
    assert!(run.stderr.contains("both episodes play one recording (and 1 more such files)"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("is the same file as").count(), 1, "{}", run.stderr);
    // A recording of its own: nothing to say.
    std::fs::remove_file(show.path("media/two.mp3")).unwrap();
    std::fs::remove_file(show.path("media/three.mp3")).unwrap();
    std::fs::copy(audio("cbr-noxing.mp3"), show.path("media/two.mp3")).unwrap();
    std::fs::copy(audio("cbr-xing.mp3"), show.path("media/three.mp3")).unwrap();
    let run = show.build().ok();
    assert!(!run.stderr.contains("the same file"), "{}", run.stderr);
}

#[test]
fn an_itunes_title_that_is_empty_broken_or_misspelt_is_refused_with_the_fix() {
    let manifest = format!(
        "{}{}{}{}",
        PODCAST_TABLE,
        episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]) + "itunes_title = \"  \"\n",
        episode("Two", "g2", "2024-01-02T00:00:00Z", &["cbr-xing.mp3"]) + "itunes_title = \"\"\"\nTwo\nlines\"\"\"\n",
        episode("Three", "g3", "2024-01-03T00:00:00Z", &["cbr-xing.mp3"]) + "itunes_titel = \"Three\"\n",
    );
    let (_, stderr) = refused(&manifest, &["cbr-xing.mp3"]);
    assert_data_eq!(
        stderr,
        str![[r#"
error: episodes.toml:16:16: `itunes_title` of episode 1 ("One") is empty
  help: leave it out: Apple Podcasts then shows the `title`
error: episodes.toml:23:16: `itunes_title` of episode 2 ("Two") has a line break
  help: write it on one line: apps show a title on one
error: episodes.toml:32:1: unknown key `itunes_titel` in episode 3 ("Three")
  help: did you mean `itunes_title`?
error: 3 problems in episodes.toml

"#]]
    );
}

#[test]
fn a_language_whose_region_is_no_countrys_is_refused_with_the_code_to_write() {
    assert!(PODCAST_TABLE.contains("language = \"en\""));
    // (A part where no part of a language code goes, too: the fix is a
    // code the next build takes.)
    for (given, fixed) in [("en-uk", "en-gb"), ("en-en", "en"), ("fr-fr-fr", "fr-fr"), ("en-xx-yy-zz-aa", "en")] {
        let manifest = format!(
            "{}{}",
            PODCAST_TABLE.replace("language = \"en\"", &format!("language = \"{given}\"")),
            episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"])
        );
        let (_, stderr) = refused(&manifest, &["cbr-xing.mp3"]);
        assert!(stderr.contains(&format!("write language = \"{fixed}\"")), "{stderr}");
        if given == "en-uk" {
            assert_data_eq!(
                stderr,
                str![[r#"
error: episodes.toml:6:12: `language` "en-uk": "uk" is no country's code (ISO 3166)
  help: write language = "en-gb" (a region is a country's two letters: en-gb, en-us, fr-ch)
error: 1 problem in episodes.toml

"#]]
            );
        }
    }
}

/// `add --notes` takes a file (or `-`); notes given as text are told how
/// to give them, and the show is left as it was.
#[test]
fn add_notes_given_as_text_are_told_how_to_give_them() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let media = audio("cbr-xing.mp3").display().to_string();
    let run = show.run(&["add", &media, "--title", "x", "--notes", "We talk about trees."]).fails(2);
    assert_eq!(run.stdout, "");
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: cannot read --notes We talk about trees.: No such file or directory (os error 2)
  help: --notes takes a Markdown file, or - to read the notes from stdin: echo 'The notes' | podsmith add ... --notes -

"#]]
    );
    assert_eq!(show.read("episodes.toml"), manifest);
}

/// No zone is more than 14 hours from UTC, and no feed reader takes a date
/// that says otherwise: the manifest refuses one at its line, as it does a
/// `utc_offset` past ±14:00.
#[test]
fn a_date_offset_past_fourteen_hours_is_refused_at_its_line() {
    let manifest = format!(
        "{}{}{}",
        PODCAST_TABLE.replace("[podcast]\n", "[podcast]\nutc_offset = \"+15:00\"\n"),
        episode("One", "a", "2024-01-01T00:00:00+23:00", &["cbr-xing.mp3"]),
        episode("Two", "b", "2024-01-02T00:00:00-14:00", &["vbr-xing.mp3"]),
    );
    let (_, stderr) = refused(&manifest, &["cbr-xing.mp3", "vbr-xing.mp3"]);
    assert_data_eq!(
        stderr,
        str![[r#"
error: episodes.toml:2:14: `utc_offset` "+15:00" is not an offset
  help: write it as "+02:00", "-05:00" or "+00:00" (between -14:00 and +14:00)
error: episodes.toml:15:8: `date` in episode 1 ("One") has an offset more than 14 hours from UTC: 2024-01-01T00:00:00+23:00
  help: write the offset of the place it is dated in, between -14:00 and +14:00
error: 2 problems in episodes.toml

"#]]
    );
}

/// A media path with an empty or `.` part names a file already named
/// otherwise (two episodes could share it unseen, and its URL is not the
/// file's), and `.podsmith/` is podsmith's own folder, never published:
/// each is refused at its line, with the path to write.
#[test]
fn a_media_path_with_empty_or_dot_parts_or_in_podsmiths_folder_is_refused_with_the_path_to_write() {
    let manifest = format!(
        "{PODCAST_TABLE}{}{}{}",
        episode("One", "one", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"])
            .replace("media/cbr-xing.mp3", "media//cbr-xing.mp3"),
        episode("Two", "two", "2024-01-02T00:00:00Z", &["vbr-xing.mp3"])
            .replace("media/vbr-xing.mp3", "./media/./vbr-xing.mp3"),
        episode("Three", "three", "2024-01-03T00:00:00Z", &["cbr-xing.mp3"])
            .replace("media/cbr-xing.mp3", ".podsmith/cbr-xing.mp3"),
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3", "vbr-xing.mp3"]);
    std::fs::copy(show.path("media/cbr-xing.mp3"), show.path("media/tab\tname.mp3")).unwrap();
    let manifest = format!(
        "{manifest}{}",
        episode("Four", "four", "2024-01-04T00:00:00Z", &["cbr-xing.mp3"])
            .replace("media/cbr-xing.mp3", "media/tab\\tname.mp3")
    );
    show.write("episodes.toml", &manifest);
    std::fs::create_dir_all(show.path(".podsmith")).unwrap();
    std::fs::copy(show.path("media/cbr-xing.mp3"), show.path(".podsmith/cbr-xing.mp3")).unwrap();
    let run = show.build().fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: episodes.toml:15:10: `media` "media//cbr-xing.mp3" in episode 1 ("One") has an empty or "." part, which gives the file a URL of its own
  help: write it as "media/cbr-xing.mp3"
error: episodes.toml:21:10: `media` "./media/./vbr-xing.mp3" in episode 2 ("Two") has an empty or "." part, which gives the file a URL of its own
  help: write it as "media/vbr-xing.mp3"
error: episodes.toml:27:10: `media` ".podsmith/cbr-xing.mp3" in episode 3 ("Three") is in .podsmith/, the folder podsmith keeps its own records in (never published)
  help: move the file into media/ and name it there, e.g. "media/episode-1.mp3"
error: episodes.toml:33:10: `media` "media/tab	name.mp3" in episode 4 ("Four") has a control character in its name (a tab, a line break): object stores and URLs cannot carry it
  help: rename the file without it, and name it so here
error: 4 problems in episodes.toml

"#]]
    );
    assert!(!show.path("public").exists());
}

/// A right-to-left override an episode's title leaves open is closed at
/// its end, and said with its line: the page's title no longer reads the
/// show's name after it backwards.
#[test]
fn a_bidi_override_left_open_in_a_title_is_closed_at_its_end() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replace("title = \"Miek Gieben on CoreDNS\"", "title = \"Miek Gieben on \\u202ECoreDNS\""),
    );
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    assert!(run.stderr.contains("closed 1 right-to-left or left-to-right mark that `title`"), "{}", run.stderr);
    // An override shows the letters after it backwards (other words than
    // it holds): warned of; and in a message it is written out, not obeyed.
    assert!(
        run.stderr.contains(
            "warning: episodes.toml:49:9: `title` in episode 2 holds a direction override (U+202D or U+202E): the \
             letters after it are shown in the reverse order"
        ),
        "{}",
        run.stderr
    );
    let list = show.run(&["list", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(list.stdout.contains("Miek Gieben on \\u{202e}CoreDNS\\u{202c}"), "{}", list.stdout);
    // (Its row as wide as the others: the width is of what is written.)
    let column = |l: &str| l.find("MP3 OGG").map(|b| l[..b].chars().count());
    let formats: Vec<Option<usize>> = list.stdout.lines().filter_map(|l| column(l).map(Some)).collect();
    assert!(formats.len() == 4 && formats.iter().all(|f| *f == formats[0]), "{}", list.stdout);
    let page = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(page.contains("<title>Miek Gieben on \u{202E}CoreDNS\u{202C} · "), "{page}");
    let feed = show.read("public/feed.xml");
    assert!(feed.contains("<title>Miek Gieben on \u{202E}CoreDNS\u{202C}</title>"), "{feed}");
    // A guid is an identity: published as it is written, whatever it holds.
    let manifest = show.read("episodes.toml");
    let guid = manifest.split("guid = \"").nth(2).and_then(|g| g.split('"').next()).unwrap().to_string();
    show.write("episodes.toml", &manifest.replace(&format!("guid = \"{guid}\""), &format!("guid = \"{guid}\\u202E\"")));
    show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--allow-changes"]).ok();
    let feed = show.read("public/feed.xml");
    assert!(feed.contains(&format!(">{guid}\u{202E}</guid>")), "{feed}");
}

/// The sample show built, then its `podsmith.lock` as `damage` leaves it:
/// the next build is refused (exit 1, nothing written), and what it said,
/// for people and in JSON.
fn refused_lock(damage: impl Fn(&str) -> String) -> (String, serde_json::Value) {
    let show = Show::sample();
    show.build().ok();
    let lock = show.read("podsmith.lock");
    show.write("podsmith.lock", &damage(&lock));
    let public = show.public_files();
    let run = show.build().fails(1);
    assert_eq!(run.stdout, "");
    let json = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"]).fails(1);
    assert_eq!(show.public_files(), public, "nothing written");
    (run.stderr, serde_json::from_str(&json.stdout).unwrap())
}

#[test]
fn a_cut_off_lock_is_told_by_its_line_and_column_with_what_to_do() {
    // Cut in the first episode's title, as a copy that stopped short leaves it.
    let (stderr, json) = refused_lock(|lock| lock[..lock.find("\ntitle = \"Sarah").unwrap() + 20].to_string());
    assert_data_eq!(
        stderr,
        str![[r#"
error: podsmith.lock:30:20: invalid basic string, expected `"`
  help: the lock is damaged: it records what subscribers already have (each published guid, page and media URL), which builds then keep; restore it from version control (git checkout podsmith.lock), or delete it to start the record afresh (nothing published is then checked)

"#]]
    );
    // (Compared as JSON: snapbox would read the quote's backslash as a path's.)
    assert_eq!(
        json["diagnostics"],
        serde_json::json!([{
            "column": 20,
            "file": "podsmith.lock",
            "help": "the lock is damaged: it records what subscribers already have (each published guid, page and \
                     media URL), which builds then keep; restore it from version control (git checkout \
                     podsmith.lock), or delete it to start the record afresh (nothing published is then checked)",
            "line": 30,
            "message": "invalid basic string, expected `\"`",
            "rule": "LOCK",
            "severity": "error"
        }])
    );
}

/// An emptied lock (`> podsmith.lock`, a botched save) is damaged, not a
/// show never built, whose every check would be off; so is one left with
/// a merge conflict, said as one at its line.
#[test]
fn an_empty_lock_or_one_in_a_merge_conflict_is_refused_not_taken_for_none() {
    let (stderr, json) = refused_lock(|_| String::new());
    assert!(stderr.starts_with("error: podsmith.lock: it is empty (podsmith never writes it so)\n"), "{stderr}");
    assert_eq!(json["diagnostics"][0]["rule"], "LOCK");
    let (stderr, _) = refused_lock(|lock| {
        let at = lock.find("\n[[episode]]").unwrap() + 1;
        format!("{}<<<<<<< HEAD\n{}=======\n>>>>>>> other\n", &lock[..at], &lock[at..])
    });
    assert!(stderr.contains(": it holds a merge conflict (<<<<<<<, =======, >>>>>>>)"), "{stderr}");
}

#[test]
fn a_page_in_the_lock_that_is_no_url_is_told_as_a_damaged_lock_not_a_move() {
    let page = "page = \"https://podcast.example.com/cloud-native/episodes/kubernetes-sarah-novotny/\"";
    let (stderr, json) = refused_lock(|lock| {
        assert!(lock.contains(page));
        lock.replacen(page, "page = \"../../../etc/kubernetes-sarah-novotny/\"", 1)
    });
    assert_data_eq!(
        stderr,
        str![[r#"
error: podsmith.lock:28:1: episode "Sarah Novotny on the Kubernetes community": its page "../../../etc/kubernetes-sarah-novotny/" is not an http(s) URL
  help: the lock is damaged: it records what subscribers already have (each published guid, page and media URL), which builds then keep; restore it from version control (git checkout podsmith.lock), or delete it to start the record afresh (nothing published is then checked)

"#]]
    );
    assert_eq!(json["diagnostics"][0]["rule"], "LOCK");
    // (At the line that opens the episode's table, as said above.)
    assert_eq!(
        (json["diagnostics"][0]["file"].as_str(), json["diagnostics"][0]["line"].as_u64()),
        (Some("podsmith.lock"), Some(28))
    );
}

/// An absolute path to a file in the show folder is refused as absolute
/// (the show could not move), with the relative path to write; one outside
/// it, as outside.
#[test]
fn an_absolute_path_into_the_show_is_said_as_absolute_with_the_path_to_write() {
    let show = Show::sample();
    let inside = show.path("media/coredns-miek-gieben.mp3").canonicalize().unwrap();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replacen("\"media/coredns-miek-gieben.mp3\"", &format!("{:?}", inside.display().to_string()), 1),
    );
    let run = show.build().fails(1);
    assert!(run.stderr.contains("is an absolute path"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "give the path relative to episodes.toml, so that the show can move: \"media/coredns-miek-gieben.mp3\""
        ),
        "{}",
        run.stderr
    );
    // (Written with a `..` on the way, the same.)
    let media = inside.parent().unwrap().display().to_string();
    let winding = format!("{media}/../media/coredns-miek-gieben.mp3");
    show.write("episodes.toml", &manifest.replacen("\"media/coredns-miek-gieben.mp3\"", &format!("{winding:?}"), 1));
    let run = show.build().fails(1);
    assert!(run.stderr.contains("is an absolute path"), "{}", run.stderr);
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("x.mp3");
    std::fs::copy(&inside, &outside).unwrap();
    show.write(
        "episodes.toml",
        &manifest.replacen("\"media/coredns-miek-gieben.mp3\"", &format!("{:?}", outside.display().to_string()), 1),
    );
    let run = show.build().fails(1);
    assert!(run.stderr.contains("points outside the show folder"), "{}", run.stderr);
}
