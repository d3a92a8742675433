//! Every read is bounded, special files are refused quickly, and no input
//! or environment makes podsmith panic (issue 11, items 9 and 10).

use std::io::{Read, Write};
use std::process::{Command as Std, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

use snapbox::{assert_data_eq, str};

use crate::harness::*;

fn mkfifo(path: &std::path::Path) {
    assert!(Std::new("mkfifo").arg(path).status().unwrap().success());
}

/// The binary, with a time limit: a run that hangs fails the test.
fn podsmith(show: &Show, args: &[&str]) -> Run {
    let out = assert_cmd::Command::cargo_bin("podsmith")
        .unwrap()
        .current_dir(show.root())
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

#[test]
fn devices_and_named_pipes_are_refused_at_once() {
    let show = Show::sample();
    mkfifo(&show.path("pipe.xml"));
    mkfifo(&show.path("media/pipe.mp3"));

    let run = podsmith(&show, &["validate", "/dev/zero"]).fails(2);
    assert_eq!(
        run.stderr,
        "error: cannot read /dev/zero: it is a device, not a file (to validate what a pipe carries, pipe it in: `… | podsmith validate -`)\n"
    );
    let run = podsmith(&show, &["validate", "pipe.xml"]).fails(2);
    assert_eq!(
        run.stderr,
        "error: cannot read pipe.xml: it is a named pipe, not a file (to validate what a pipe carries, pipe it in: `… | podsmith validate -`)\n"
    );

    let run = podsmith(&show, &["probe", "/dev/zero", "media/pipe.mp3"]).fails(1);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: /dev/zero: cannot read the file: it is a device, not a file
error: media/pipe.mp3: cannot read the file: it is a named pipe, not a file

"#]]
    );

    let before = show.read("episodes.toml");
    let run = podsmith(&show, &["add", "media/cbr-xing.mp3", "--notes", "/dev/zero"]).fails(2);
    assert_eq!(run.stderr, "error: cannot read --notes /dev/zero: it is a device, not a file\n");
    assert_eq!(show.read("episodes.toml"), before);
}

#[test]
fn a_manifest_that_is_a_pipe_or_huge_is_refused_unread() {
    let show = Show::sample();
    std::fs::remove_file(show.path("episodes.toml")).unwrap();
    mkfifo(&show.path("episodes.toml"));
    let run = podsmith(&show, &["build"]).fails(2);
    assert!(
        run.stderr.starts_with("error: cannot read `episodes.toml`: it is a named pipe, not a file\n"),
        "{}",
        run.stderr
    );

    // 5 GB that is not there (a sparse file): refused from its size.
    std::fs::remove_file(show.path("episodes.toml")).unwrap();
    let f = std::fs::File::create(show.path("episodes.toml")).unwrap();
    f.set_len(5_000_000_000).unwrap();
    let started = Instant::now();
    let run = podsmith(&show, &["build"]).fails(2);
    assert!(
        run.stderr.starts_with(
            "error: cannot read `episodes.toml`: it is 4.7 GB; podsmith reads at most 32 MB of a manifest\n"
        ),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_notes_file_that_is_a_pipe_is_named_as_notes() {
    let manifest = format!(
        "{PODCAST_TABLE}{}notes_file = \"notes.md\"\n",
        episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"])
    );
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    mkfifo(&show.path("notes.md"));
    let run = podsmith(&show, &["build"]).fails(1);
    assert_eq!(
        run.stderr,
        "error: episodes.toml:16:14: `notes_file` \"notes.md\" in episode 1 (\"One\") is not a file\n\
         error: 1 problem in episodes.toml\n"
    );
}

#[test]
fn a_feed_piped_in_is_read_only_up_to_the_limit() {
    let show = Show::empty();
    let mut child = Std::cargo_bin("podsmith")
        .unwrap()
        .current_dir(show.root())
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // 300 MB offered; podsmith stops after 64 MB and the writer sees a closed pipe.
    let writer = std::thread::spawn(move || {
        let block = vec![b' '; 1 << 20];
        let mut sent = 0usize;
        for _ in 0..300 {
            if stdin.write_all(&block).is_err() {
                break;
            }
            sent += block.len();
        }
        sent
    });
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let status = child.wait().unwrap();
    let sent = writer.join().unwrap();
    assert_eq!(status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("the feed is larger than podsmith reads (64 MB)"), "{stdout}");
    assert!(sent < 300 << 20, "the whole pipe was read ({sent} bytes)");
}

#[test]
fn a_feed_piped_in_is_validated() {
    let show = Show::sample();
    show.build().ok();
    let feed = std::fs::read(show.path("public/feed.xml")).unwrap();
    let out = assert_cmd::Command::cargo_bin("podsmith")
        .unwrap()
        .current_dir(show.root())
        .args(["validate", "-", "--as-of", "2026-06-01T00:00:00Z"])
        .write_stdin(feed)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("\n-: passes — 0 errors, 1 warning, 0 notes in 4 items"), "{stdout}");
}

#[test]
fn notes_from_an_empty_pipe_are_an_error_not_empty_notes() {
    let show = Show::sample();
    let before = show.read("episodes.toml");
    let out = assert_cmd::Command::cargo_bin("podsmith")
        .unwrap()
        .current_dir(show.root())
        .args(["add", "media/cbr-xing.mp3", "--title", "T", "--notes", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: --notes - got no notes on standard input; pipe them in (… --notes - < notes.md), or leave out --notes\n"
    );
    assert_eq!(show.read("episodes.toml"), before);
}

/// A cover whose JPEG segments claim lengths of 0 and 1.
#[test]
fn a_damaged_cover_is_a_finding_not_a_panic() {
    for len in [0u8, 1] {
        let manifest = format!("{PODCAST_TABLE}{}", episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
        let show = Show::with(&manifest, &["cbr-xing.mp3"]);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, len, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x05, 0x78];
        jpeg.resize(600, 0);
        std::fs::write(show.path("media/cover.jpg"), &jpeg).unwrap();
        let run = show.build().fails(1);
        assert!(run.stderr.contains("APPLE-CH-IMAGE-SIZE"), "{}", run.stderr);
        let run = show.run(&["validate", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
        assert!(run.stdout.contains("APPLE-CH-IMAGE-SIZE"), "{}", run.stdout);
    }
}

/// `podsmith build 2>&1 | head -1`: the reader goes away before podsmith
/// has said everything. The command still ends with its own exit code.
#[test]
fn a_closed_stdout_or_stderr_ends_the_command_quietly() {
    let manifest = format!(
        "{}{}{}",
        PODCAST_TABLE,
        episode("One", "same", "2024-01-01T00:00:00Z", &["nope.mp3"]),
        episode("Two", "same", "2024-01-02T00:00:00Z", &["nope2.mp3"])
    );
    let show = Show::with(&manifest, &[]);
    for (args, code) in [(&["build"][..], 1), (&["diff"][..], 1), (&["validate", "--list-rules"][..], 0)] {
        let mut child = Std::cargo_bin("podsmith")
            .unwrap()
            .current_dir(show.root())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Both readers close before podsmith writes a byte.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
    // A listing cut short by `head`.
    let sample = Show::sample();
    let mut child = Std::cargo_bin("podsmith")
        .unwrap()
        .current_dir(sample.root())
        .args(["probe", "--json", "media/cover.jpg"])
        .args((0..200).map(|_| "media/prometheus-bjorn-rabenstein.ogg"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Output that cannot be written (a full disk: `/dev/full`) is said, and
/// the command fails: a script must not take an empty file for the list.
#[test]
#[cfg(target_os = "linux")]
fn output_to_a_full_disk_is_said_and_fails_the_command() {
    let sample = Show::sample();
    let asked: [&[&str]; 6] = [
        &["list", "--format", "json"],
        &["list"],
        &["completions", "bash"],
        &["validate", "--list-rules"],
        &["--help"],
        &["--version"],
    ];
    for args in asked {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out =
            Std::cargo_bin("podsmith").unwrap().current_dir(sample.root()).args(args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error: cannot write to stdout: No space left on device"), "{args:?}: {stderr}");
    }
}

/// A show may come from anyone: an escape sequence in a title is shown,
/// not sent to the podcaster's terminal.
#[test]
fn control_characters_from_a_show_never_reach_the_terminal() {
    let manifest = format!(
        "{PODCAST_TABLE}{}",
        episode("\\u001b]0;pwned\\u0007\\u001b[2JEvil", "g1", "2024-01-01T00:00:00Z", &["missing.mp3"])
    );
    let show = Show::with(&manifest, &[]);
    let run = podsmith(&show, &["build"]).fails(1);
    assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{7}'), "{:?}", run.stderr);
    // Taken out as the manifest is read (as from every string of it).
    assert!(run.stderr.contains("episode 1 (\"]0;pwned[2JEvil\")"), "{}", run.stderr);
}

/// `validate --loudness` keeps what it decoded as it goes: stopped midway
/// (a first run over a big show takes minutes), what it had measured is in
/// the probe cache, and the next run decodes only the rest.
#[test]
fn validate_loudness_stopped_midway_keeps_what_it_had_decoded() {
    // Thirty-two episodes of 48 s each (sixteen copies of a 3 s MP3 of
    // frames alone, no tag, one after another, are one MP3), decoded two at
    // a time: the first is kept while thirty are still to decode (a second
    // or more: the decoders are optimised in the tests' build too).
    const FILES: usize = 32;
    let long = std::fs::read(audio("cbr-noxing.mp3")).unwrap().repeat(16);
    let names: Vec<String> = (1..=FILES).map(|n| format!("long-{n}.mp3")).collect();
    let episodes: String = names
        .iter()
        .enumerate()
        .map(|(n, name)| episode(&format!("Long {n}"), &format!("g{n}"), "2024-01-01T00:00:00Z", &[name]))
        .collect();
    let show = Show::with(&format!("{PODCAST_TABLE}{episodes}"), &[]);
    for name in &names {
        std::fs::write(show.path("media").join(name), &long).unwrap();
    }
    podsmith(&show, &["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    // The cache and what was appended to it since it was written whole.
    let (cache, log) = (show.path(".podsmith/cache.json"), show.path(".podsmith/cache.log"));
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    let measured = || (read(&cache) + &read(&log)).matches("\"integrated_lufs\"").count();
    assert_eq!(measured(), 0);
    let mut child = Std::cargo_bin("podsmith")
        .unwrap()
        .current_dir(show.root())
        .args(["validate", "--loudness", "--as-of", "2026-06-01T00:00:00Z"])
        .env("RAYON_NUM_THREADS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while measured() == 0 {
        assert!(child.try_wait().unwrap().is_none(), "validate ended before the cache held a loudness");
        assert!(started.elapsed() < Duration::from_secs(120), "no loudness kept in two minutes");
        std::thread::sleep(Duration::from_millis(1));
    }
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(running, "the loudness was kept before the run ended, not only at its end");
    let kept = measured();
    assert!((1..FILES).contains(&kept), "{kept} of {FILES} kept");
    let run = show.run(&["validate", "--loudness", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let l = &doc["loudness"];
    assert_eq!((l["cached"].as_u64(), l["decoded"].as_u64()), (Some(kept as u64), Some((FILES - kept) as u64)), "{l}");
    assert_eq!(measured(), FILES);
}

/// An MP3 padded with gigabytes that are not audio (zeros, here a sparse
/// file) is told damaged once 64 MB of them held no frame: the rest is not
/// read, and it is not published with a length of gigabytes.
#[test]
fn an_mp3_padded_with_gigabytes_that_are_not_audio_is_refused_unread() {
    let manifest = format!("{PODCAST_TABLE}{}", episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    let f = std::fs::OpenOptions::new().write(true).open(show.path("media/cbr-xing.mp3")).unwrap();
    f.set_len(f.metadata().unwrap().len() + (2 << 30)).unwrap();
    let started = Instant::now();
    let run = podsmith(&show, &["build"]).fails(1);
    assert!(
        run.stderr.contains(
            "the audio data is damaged: its last 2.0 GB hold no MP3 audio for over 64 MB in a row (so the rest was \
             not read), after 0:0"
        ),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(!show.path("public/feed.xml").exists());
}
