//! `podsmith probe URL`: media measured where it is hosted, over HTTP
//! `Range` requests to a real server on 127.0.0.1 (tests/testsuite/server.rs)
//! that logs what it sends; every length equal to the one measured on disk.

use std::path::{Path, PathBuf};

use crate::harness::*;
use crate::server::{Mode, Server};

/// A folder with the sample show's media (their MP3s have no Xing/LAME
/// frame: they are counted frame by frame) and the fixtures of every
/// format whose length is in its headers.
fn hosted_folder() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for f in ["coredns-miek-gieben.ogg", "kubernetes-sarah-novotny.ogg", "coredns-miek-gieben.mp3"] {
        std::fs::copy(repo().join("media").join(f), dir.path().join(f)).unwrap();
    }
    names.extend(["coredns-miek-gieben.ogg".to_string(), "kubernetes-sarah-novotny.ogg".to_string()]);
    for f in [
        "m4a-aac.m4a",
        "m4a-faststart.m4a",
        "flac.flac",
        "flac-streamed.flac",
        "wav.wav",
        "opus.opus",
        "vorbis.ogg",
        "cbr-xing.mp3",
        "vbr-xing.mp3",
    ] {
        std::fs::copy(audio(f), dir.path().join(f)).unwrap();
        names.push(f.to_string());
    }
    (dir, names)
}

fn probe_json(show: &Show, what: &[String]) -> Vec<serde_json::Value> {
    let mut args = vec!["probe", "--json"];
    args.extend(what.iter().map(String::as_str));
    let run = show.run(&args).ok();
    serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap().as_array().unwrap().clone()
}

fn local(dir: &Path, names: &[String]) -> Vec<String> {
    names.iter().map(|n| dir.join(n).display().to_string()).collect::<Vec<_>>()
}

/// The box `kind` among the boxes from `from` to `to` of `b`: its start and size.
fn mp4_box(b: &[u8], (from, to): (usize, usize), kind: &[u8; 4]) -> (usize, usize) {
    let mut at = from;
    while at + 8 <= to {
        let size = u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        if &b[at + 4..at + 8] == kind {
            return (at, size);
        }
        at += size;
    }
    panic!("no {} box", String::from_utf8_lossy(kind));
}

/// `m4a-aac.m4a` (its `moov` last) with `pad` bytes of `free` boxes before
/// its sample table's `stts` and again before its `stco`: a table as far
/// apart as an hour's is.
fn spread_sample_table(pad: usize) -> Vec<u8> {
    let mut b = std::fs::read(audio("m4a-aac.m4a")).unwrap();
    let body = |(at, size): (usize, usize)| (at + 8, at + size);
    let moov = mp4_box(&b, (0, b.len()), b"moov");
    let trak = mp4_box(&b, body(moov), b"trak");
    let mdia = mp4_box(&b, body(trak), b"mdia");
    let minf = mp4_box(&b, body(mdia), b"minf");
    let stbl = mp4_box(&b, body(minf), b"stbl");
    let (stts, stco) = (mp4_box(&b, body(stbl), b"stts").0, mp4_box(&b, body(stbl), b"stco").0);
    let free = |n: usize| [&(n as u32).to_be_bytes()[..], b"free", &vec![0u8; n - 8]].concat();
    for at in [stco, stts] {
        b.splice(at..at, free(pad));
    }
    for (at, size) in [moov, trak, mdia, minf, stbl] {
        b[at..at + 4].copy_from_slice(&((size + 2 * pad) as u32).to_be_bytes());
    }
    b
}

#[test]
fn a_hosted_m4a_whose_sample_table_lies_far_apart_is_measured_in_two_requests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spread.m4a"), spread_sample_table(100 << 10)).unwrap();
    let server = Server::start(dir.path().to_path_buf(), Mode::Good);
    let show = Show::empty();
    let on_disk = probe_json(&show, &local(dir.path(), &["spread.m4a".to_string()]));
    let hosted = probe_json(&show, &[format!("{}spread.m4a", server.base())]);
    // On disk its sample table is checked (a few reads); where it is
    // hosted, each read is a request: only what measuring reads.
    assert_eq!(on_disk[0]["duration_secs"], hosted[0]["duration_secs"], "{on_disk:?} {hosted:?}");
    assert_eq!(hosted[0]["method"], "header");
    let (requests, bytes) = (hosted[0]["requests"].as_u64().unwrap(), hosted[0]["bytes_read"].as_u64().unwrap());
    assert!(requests <= 2 && bytes <= 128 << 10, "{requests} requests, {bytes} bytes");
}

#[test]
fn hosted_media_are_measured_as_on_disk_in_two_requests_and_128_kib_at_most() {
    let (dir, names) = hosted_folder();
    let server = Server::start(dir.path().to_path_buf(), Mode::Good);
    let show = Show::empty();
    let on_disk = probe_json(&show, &local(dir.path(), &names));
    let urls: Vec<String> = names.iter().map(|n| format!("{}{n}", server.base())).collect();
    let hosted = probe_json(&show, &urls);
    for ((name, disk), there) in names.iter().zip(&on_disk).zip(&hosted) {
        for field in ["duration_secs", "bytes", "mime_type", "codec", "method", "sample_rate", "channels"] {
            assert_eq!(disk[field], there[field], "{name}: {field}");
        }
        assert_eq!(disk["method"], "header", "{name}: its length is in its headers");
        let (requests, bytes) = (there["requests"].as_u64().unwrap(), there["bytes_read"].as_u64().unwrap());
        assert!(requests <= 2 && bytes <= 128 << 10, "{name}: {requests} requests, {bytes} bytes");
        // As the server saw it.
        assert_eq!(server.served(name), (requests as usize, bytes), "{name}");
    }
    // The sample show's Ogg files are over 64 KiB: their first and last pages, two requests.
    assert_eq!(server.served("kubernetes-sarah-novotny.ogg").0, 2);
}

#[test]
fn an_mp3_without_its_length_is_streamed_once() {
    let (dir, _) = hosted_folder();
    let server = Server::start(dir.path().to_path_buf(), Mode::Good);
    let show = Show::empty();
    let name = "coredns-miek-gieben.mp3".to_string();
    let disk = &probe_json(&show, &local(dir.path(), std::slice::from_ref(&name)))[0];
    let there = &probe_json(&show, &[format!("{}{name}", server.base())])[0];
    assert_eq!(disk["method"], "scan");
    assert_eq!(disk["duration_secs"], there["duration_secs"]);
    let size = there["bytes"].as_u64().unwrap();
    let (requests, bytes) = server.served(&name);
    // No byte twice (all but the few the readers need not), in growing
    // chunks: fewer requests than 64 KiB blocks.
    assert!(bytes <= size && bytes > size - (64 << 10), "{bytes} bytes of {size}");
    assert!((requests as u64) < size / (64 << 10), "{requests} requests for {size} bytes");
    assert_eq!(there["requests"].as_u64(), Some(requests as u64));
}

#[test]
fn a_server_without_ranges_is_read_once_whole_and_said() {
    let (dir, names) = hosted_folder();
    let server = Server::start(dir.path().to_path_buf(), Mode::NoRange);
    let show = Show::empty();
    let name = &names[0];
    let run = show.run(&["probe", &format!("{}{name}", server.base())]).ok();
    assert!(
        run.stderr.contains("127.0.0.1:") && run.stderr.contains("does not answer byte-range requests"),
        "{}",
        run.stderr
    );
    let disk = show.run(&["probe", &dir.path().join(name).display().to_string()]).ok();
    let column = |out: &str| out.split('\t').nth(1).map(str::to_string);
    assert_eq!(column(&run.stdout), column(&disk.stdout));
    let size = std::fs::metadata(dir.path().join(name)).unwrap().len();
    assert_eq!(server.served(name), (1, size));
}

/// A file read whole (its server answers no ranges) is read into a
/// temporary file without a name: a probe killed as it reads (Ctrl-C, a
/// stalled download of a big file) leaves nothing behind.
#[test]
fn a_probe_killed_while_it_reads_a_whole_file_leaves_no_temporary_file() {
    let (dir, _) = hosted_folder();
    let server = Server::start(dir.path().to_path_buf(), Mode::StalledWhole);
    let name = "coredns-miek-gieben.mp3";
    let tmp = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
        .args(["probe", &format!("{}{name}", server.base())])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.served(name).0 == 0 {
        assert!(std::time::Instant::now() < deadline, "the server was not asked for {name}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // What was sent is received, and written where podsmith keeps it.
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_file_the_server_does_not_have_names_its_url() {
    let (dir, _) = hosted_folder();
    let server = Server::start(dir.path().to_path_buf(), Mode::Good);
    let url = format!("{}missing.mp3", server.base());
    let run = Show::empty().run(&["probe", &url]).fails(1);
    assert!(run.stderr.contains(&url) && run.stderr.contains("404"), "{}", run.stderr);
    // Once, with what to do.
    assert_eq!(run.stderr.matches(&url).count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("\n  help: check the URL: the server has no file there"), "{}", run.stderr);
    let _: PathBuf = dir.path().to_path_buf();
}

#[test]
fn a_server_error_is_tried_again() {
    let (dir, names) = hosted_folder();
    let server = Server::start(dir.path().to_path_buf(), Mode::Flaky);
    let show = Show::empty();
    let name = "kubernetes-sarah-novotny.ogg";
    assert!(names.iter().any(|n| n == name));
    let disk = &probe_json(&show, &local(dir.path(), &[name.to_string()]))[0];
    let there = &probe_json(&show, &[format!("{}{name}", server.base())])[0];
    assert_eq!(disk["duration_secs"], there["duration_secs"]);
    // Its two ranges, each answered 500 first.
    assert_eq!(there["requests"].as_u64(), Some(2));
    assert_eq!(server.served(name).0, 2);
    assert_eq!(server.served_with("GET (500)", name), 2);
}

/// A truncated file on the server (an upload that did not finish) is
/// caught as on disk, with the same words.
#[test]
fn truncated_hosted_files_are_caught_as_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let names =
        ["broken-truncated-xing.mp3", "broken-truncated.ogg", "broken-truncated.m4a", "broken-truncated-moovend.m4a"];
    for f in names {
        std::fs::copy(audio(f), dir.path().join(f)).unwrap();
    }
    let server = Server::start(dir.path().to_path_buf(), Mode::Good);
    let show = Show::empty();
    for f in names {
        let disk = show.run(&["probe", &dir.path().join(f).display().to_string()]).fails(1);
        let url = format!("{}{f}", server.base());
        let there = show.run(&["probe", &url]).fails(1);
        let why = |stderr: &str, path: &str| stderr.trim().replacen(path, "FILE", 1);
        assert_eq!(why(&there.stderr, &url), why(&disk.stderr, &dir.path().join(f).display().to_string()), "{f}");
    }
}

/// An empty file is said to be one: the server answers its first range
/// with 416 (Range Not Satisfiable), as servers do.
#[test]
fn an_empty_hosted_file_is_said_to_be_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.mp3"), b"").unwrap();
    let server = Server::start(dir.path().to_path_buf(), Mode::Good);
    let run = Show::empty().run(&["probe", &format!("{}empty.mp3", server.base())]).fails(1);
    assert!(run.stderr.contains("the file is empty (0 bytes)"), "{}", run.stderr);
    assert_eq!(server.served("empty.mp3"), (1, 0), "one request, answered 416");
}

/// `--jobs 1` measures every hosted file, one at a time, in order; a
/// number out of 1..64 is a usage error.
#[test]
fn jobs_takes_one_to_sixty_four() {
    let (dir, names) = hosted_folder();
    let server = Server::start(dir.path().to_path_buf(), Mode::Good);
    let show = Show::empty();
    let urls: Vec<String> = names.iter().map(|n| format!("{}{n}", server.base())).collect();
    let mut args = vec!["probe", "--json", "--jobs", "1"];
    args.extend(urls.iter().map(String::as_str));
    let run = show.run(&args).ok();
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths, urls);
    for jobs in ["0", "65"] {
        let run = show.run(&["probe", "--jobs", jobs, &urls[0]]).fails(2);
        assert!(run.stderr.contains(&format!("{jobs} is not in 1..=64")), "{}", run.stderr);
    }
}

/// A server that says a file is 2^64 - 1 bytes long: the probe says what
/// it found (it reads the end of the file for its tags, past what the
/// server has), with the URL; it does not fail on the size.
#[test]
fn a_server_that_says_a_file_is_endless_gets_a_clear_error() {
    let (dir, _) = hosted_folder();
    let server = Server::start(dir.path().to_path_buf(), Mode::HugeTotal);
    let show = Show::empty();
    let url = format!("{}cbr-xing.mp3", server.base());
    let run = show.run(&["probe", &url]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("the server answered 416") && !run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.stderr.matches(&url).count(), 1, "the URL said once: {}", run.stderr);
}

/// A failure asking again cannot mend (a host no name server knows) is said
/// at once; one that may pass (a refused connection: a server restarting)
/// is asked again, and the tries are said.
#[test]
fn a_host_that_does_not_exist_is_not_asked_again() {
    let show = Show::empty();
    // (A scheme in capitals is a URL too, not a file name.)
    for url in ["http://podsmith-test.invalid/ep.mp3", "HTTP://podsmith-test.invalid/ep.mp3"] {
        let run = show.run(&["probe", url]).fails(1);
        assert!(run.stderr.contains("failed to lookup address"), "{}", run.stderr);
        assert!(!run.stderr.contains("tried"), "{}", run.stderr);
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let run = show.run(&["probe", &format!("http://127.0.0.1:{closed}/ep.mp3")]).fails(1);
    assert!(run.stderr.contains("(tried 4 times)"), "{}", run.stderr);
}
