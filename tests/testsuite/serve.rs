//! `podsmith serve`: the real binary serving a temporary copy of the
//! sample show on a free port; read with plain HTTP requests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::*;

/// A running `podsmith serve`; stopped when dropped.
pub struct Serving {
    child: Child,
    pub port: u16,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(show: &Show) -> Serving {
    start_telling(show, &Stdio::null)
}

/// [`start`], what it says on stderr going to `said`. On a port found
/// free that another process took meanwhile, `serve` stops at once: it is
/// started again on another.
fn start_telling(show: &Show, said: &dyn Fn() -> Stdio) -> Serving {
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
            .current_dir(show.root())
            .args(["serve", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(said())
            .spawn()
            .unwrap();
        let mut serving = Serving { child, port };
        let started = Instant::now();
        while get(&serving, "/__podsmith/state", None).0 != 200 {
            if serving.child.try_wait().unwrap().is_some() {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        if serving.child.try_wait().unwrap().is_none() {
            return serving;
        }
    }
    panic!("serve did not start on any of five ports");
}

/// GET `path`: status, headers (lower-case names), body.
fn get(s: &Serving, path: &str, range: Option<&str>) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", s.port)) else { return (0, vec![], vec![]) };
    let range = range.map(|r| format!("Range: {r}\r\n")).unwrap_or_default();
    let _ = write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n{range}Connection: close\r\n\r\n");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else { return (0, vec![], vec![]) };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
    h.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn text(s: &Serving, path: &str) -> String {
    String::from_utf8_lossy(&get(s, path, None).2).into_owned()
}

/// Waits (at most `secs`) until `f` holds.
fn within(secs: u64, f: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(secs) {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn serve_previews_the_show_rebuilds_on_save_and_shows_errors_without_touching_public() {
    let show = Show::sample();
    let lock_before = show.path("podsmith.lock").exists();
    let s = start(&show);
    let base = format!("http://127.0.0.1:{}/", s.port);
    // Pages and feeds with their types, every URL on the local address.
    let (status, h, body) = get(&s, "/", None);
    assert_eq!((status, header(&h, "content-type")), (200, "text/html; charset=utf-8"));
    let index = String::from_utf8(body).unwrap();
    assert!(index.contains("/__podsmith/state"), "the reload script is in the page");
    let (status, h, body) = get(&s, "/feed.xml", None);
    assert_eq!((status, header(&h, "content-type")), (200, "application/rss+xml; charset=utf-8"));
    let feed = String::from_utf8(body).unwrap();
    assert!(feed.contains(&format!("<enclosure url=\"{base}media/")), "{feed}");
    // Media answer Range requests, so the audio seeks.
    let (status, h, body) = get(&s, "/media/coredns-miek-gieben.mp3", Some("bytes=100-199"));
    let size = std::fs::metadata(show.path("media/coredns-miek-gieben.mp3")).unwrap().len();
    assert_eq!((status, header(&h, "content-range")), (206, format!("bytes 100-199/{size}").as_str()));
    assert_eq!(body, std::fs::read(show.path("media/coredns-miek-gieben.mp3")).unwrap()[100..200]);
    // A range that ends before it starts is ignored: the whole file.
    let (status, h, body) = get(&s, "/media/coredns-miek-gieben.mp3", Some("bytes=199-100"));
    assert_eq!((status, header(&h, "content-length")), (200, size.to_string().as_str()));
    assert_eq!(body.len() as u64, size);
    // The last so many bytes (what a player asks for a file's end).
    let (status, h, body) = get(&s, "/media/coredns-miek-gieben.mp3", Some("bytes=-100"));
    assert_eq!(
        (status, header(&h, "content-range")),
        (206, format!("bytes {}-{}/{size}", size - 100, size - 1).as_str())
    );
    assert_eq!(body, std::fs::read(show.path("media/coredns-miek-gieben.mp3")).unwrap()[size as usize - 100..]);
    assert_eq!(get(&s, "/media/coredns-miek-gieben.mp3", Some("bytes=-0")).0, 416);
    // A page's folder asked for without its slash: sent to it (its links are relative).
    let (status, h, _) = get(&s, "/episodes/coredns-miek-gieben?x=1", None);
    assert_eq!((status, header(&h, "location")), (301, "/episodes/coredns-miek-gieben/?x=1"));
    assert_eq!(get(&s, "/../episodes.toml", None).0, 404);
    // A link in the site is followed only to a file of the site.
    #[cfg(unix)]
    {
        let site = show.path(".podsmith/preview/site");
        std::os::unix::fs::symlink(show.path("episodes.toml"), site.join("out.txt")).unwrap();
        std::os::unix::fs::symlink(site.join("feed.xml"), site.join("in.xml")).unwrap();
        std::os::unix::fs::symlink(show.path("media"), site.join("outside")).unwrap();
        assert_eq!(get(&s, "/out.txt", None).0, 404);
        assert_eq!(get(&s, "/outside/cover.jpg", None).0, 404);
        assert_eq!(get(&s, "/in.xml", None).0, 200);
    }

    // A title edited: the page shows it. (How soon is bench/serve.sh's to
    // measure: these waits are only long enough for a loaded CI machine.)
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replace("title = \"Miek Gieben on CoreDNS\"", "title = \"Miek on CoreDNS\""));
    assert!(
        within(20, || text(&s, "/episodes/coredns-miek-gieben/").contains("<h1>Miek on CoreDNS</h1>")),
        "the edit did not show"
    );
    // A broken manifest: the last good page stays, the error is shown.
    show.write("episodes.toml", &manifest.replace("title = \"Miek Gieben on CoreDNS\"", "titel = \"oops\""));
    assert!(within(20, || text(&s, "/__podsmith/state").contains("unknown key `titel`")), "no error shown");
    let state = text(&s, "/__podsmith/state");
    assert!(state.contains("\\n1 problem in episodes.toml") && !state.contains(": 1 problem"), "{state}");
    assert!(text(&s, "/episodes/coredns-miek-gieben/").contains("<h1>Miek on CoreDNS</h1>"));
    // Fixed: the error goes.
    show.write("episodes.toml", &manifest);
    assert!(within(20, || text(&s, "/__podsmith/state").contains("\"error\":null")));
    assert!(text(&s, "/episodes/coredns-miek-gieben/").contains("<h1>Miek Gieben on CoreDNS</h1>"));
    // A media file written over in place (the same name, other audio):
    // measured again at the next look at the media files (every 3 s).
    assert!(text(&s, "/episodes/coredns-miek-gieben/").contains("(12:24)"));
    std::fs::copy(show.path("media/fluentd-eduardo-silva.mp3"), show.path("media/coredns-miek-gieben.mp3")).unwrap();
    assert!(
        within(30, || text(&s, "/episodes/coredns-miek-gieben/").contains("Listen to MP3 (15:10)")),
        "the new audio was not measured"
    );
    // public/ and podsmith.lock untouched: the preview is podsmith's own.
    assert!(show.path(".podsmith/preview/site/index.html").is_file());
    assert!(!show.path("public").exists());
    assert_eq!(show.path("podsmith.lock").exists(), lock_before);
}

#[test]
fn the_preview_keeps_its_own_record_and_memo_so_building_and_previewing_do_not_undo_each_other() {
    let show = Show::sample();
    show.build().ok();
    let (record, memo) = (show.read(".podsmith/build.json"), std::fs::read(show.memo(".podsmith")).unwrap());
    let s = start(&show);
    // The preview's first build is done once it serves.
    assert_eq!(get(&s, "/", None).0, 200);
    drop(s);
    // The show's record and memo are as the build left them; the
    // preview's are in its own folder (the probe cache is the show's).
    assert_eq!(show.read(".podsmith/build.json"), record);
    assert_eq!(std::fs::read(show.memo(".podsmith")).unwrap(), memo);
    let own = show.read(".podsmith/preview/.podsmith/build.json");
    assert!(own.contains("preview") && !record.contains("preview"), "{own}");
    assert!(show.memo(".podsmith/preview/.podsmith").is_file());
    // A build after the preview finds nothing changed.
    let run = show.build().ok();
    assert!(run.stderr.contains("0 written, 20 unchanged"), "{}", run.stderr);
    // A record from before (the preview's kept with the show's) is let go
    // by the next build that saves the record.
    let mut old: serde_json::Value = serde_json::from_str(&record).unwrap();
    let preview_site = serde_json::from_str::<serde_json::Value>(&own).unwrap()["sites"][0].clone();
    old["sites"].as_array_mut().unwrap().push(preview_site);
    show.write(".podsmith/build.json", &old.to_string());
    show.write("episodes.toml", &show.read("episodes.toml").replacen("Miek Gieben on CoreDNS", "Miek on CoreDNS", 1));
    show.build().ok();
    assert!(!show.read(".podsmith/build.json").contains("preview"));
}

/// A preview started again on another port serves the show at that port:
/// every URL of the site is the new address's (the preview's record and
/// memo, kept from the first, are not taken as they are).
#[test]
fn a_preview_on_another_port_is_built_at_that_address() {
    let show = Show::sample();
    let first = start(&show);
    let old = format!("http://127.0.0.1:{}/", first.port);
    assert!(text(&first, "/feed.xml").contains(&old));
    // A second preview of the show while the first runs is refused: it
    // would build the first one's folder at its own address.
    let run = show.run(&["serve", "--port", "0"]).fails(2);
    assert!(
        run.stderr.contains(&format!("another podsmith serve is previewing this show at {old}:")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: open the address it serves at, or stop it"), "{}", run.stderr);
    assert!(text(&first, "/feed.xml").contains(&old));
    drop(first);
    let second = start(&show);
    let feed = text(&second, "/feed.xml");
    assert!(feed.contains(&format!("http://127.0.0.1:{}/", second.port)), "{feed}");
    assert!(!feed.contains(&old), "{feed}");
    drop(second);
    // An IPv6 address to bind makes a URL with brackets (where the machine has IPv6).
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let port = std::net::TcpListener::bind("[::1]:0").unwrap().local_addr().unwrap().port().to_string();
        let said = said_until(&show, &["--bind", "[::1]", "--port", &port], "Serving the preview at");
        assert!(said.contains(&format!("Serving the preview at http://[::1]:{port}/")), "{said}");
    }
}

/// A show that counts its downloads (`prefix`, OP3's say) is previewed
/// with enclosures the preview serves itself: a phone subscribed to the
/// preview plays them, and no public service counts them.
#[test]
fn the_preview_plays_its_media_without_the_shows_download_prefix() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("[podcast]\n", "[podcast]\nprefix = \"https://op3.dev/e/\"\n", 1));
    show.build().ok();
    assert!(show.read("public/feed.xml").contains("url=\"https://op3.dev/e/"));
    let serving = start(&show);
    let feed = text(&serving, "/feed.xml");
    assert!(!feed.contains("op3.dev"), "{feed}");
    let here = format!("url=\"http://127.0.0.1:{}/media/coredns-miek-gieben.mp3\"", serving.port);
    assert!(feed.contains(&here), "{feed}");
}

/// What the preview answers to `bytes` sent on one connection (until it
/// closes it).
fn raw(s: &Serving, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// Requests the preview cannot read are answered 400, 414 or 431 and the
/// connection closed; a body is never read as the next request; several
/// ranges, or one that does not read, get the whole file.
#[test]
fn requests_that_cannot_be_read_are_refused_and_odd_ranges_get_the_whole_file() {
    let show = Show::sample();
    let s = start(&show);
    let size = std::fs::metadata(show.path("media/cover.jpg")).unwrap().len().to_string();
    for range in ["bytes=500-600,0-10", "bytes=0-99,200-299", "bytes=0-abc"] {
        let (status, h, body) = get(&s, "/media/cover.jpg", Some(range));
        assert_eq!((status, header(&h, "content-range"), body.len().to_string()), (200, "", size.clone()), "{range}");
    }
    let long = format!("GET /media/cover.jpg HTTP/1.1\r\nX-Long: {}Range: bytes=0-9\r\n\r\n", "a".repeat(8184));
    let mut many = String::from("GET / HTTP/1.1\r\n");
    for n in 0..101 {
        many.push_str(&format!("X-{n}: y\r\n"));
    }
    many.push_str("\r\n");
    for (request, status) in [
        (long.into_bytes(), "431"),
        (format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(9000)).into_bytes(), "414"),
        (many.into_bytes(), "431"),
        (b"GET / HTTP/1.1\r\nX-Odd: \xff\r\n\r\n".to_vec(), "400"),
        (b"GET /\xff HTTP/1.1\r\n\r\n".to_vec(), "400"),
        (b"hello there\r\n\r\n".to_vec(), "400"),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n".to_vec(), "400"),
    ] {
        let answer = raw(&s, &request);
        assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{answer}");
        assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "one answer, then closed: {answer}");
    }
    // A body, which could hold a request, is not read as one.
    let body = "GET /feed.xml HTTP/1.1\r\n\r\n";
    let post = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    let answer = raw(&s, post.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 405 ") && answer.matches("HTTP/1.1 ").count() == 1, "{answer}");
    let answer = raw(&s, format!("GET / HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    assert!(answer.starts_with("HTTP/1.1 200 ") && answer.matches("HTTP/1.1 ").count() == 1, "{answer}");
    // A folder asked for with two slashes is sent to it with one.
    let answer = raw(&s, b"GET //episodes/coredns-miek-gieben HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(answer.contains("\r\nLocation: /episodes/coredns-miek-gieben/\r\n"), "{answer}");
}

/// A request for the preview under a public name (a page whose name was
/// pointed at 127.0.0.1: DNS rebinding) is refused; under its own address,
/// an address, `localhost` or a name of the local network it is answered,
/// and so is one whose target names the host itself (absolute form).
#[test]
fn the_preview_answers_its_own_hosts_alone() {
    let show = Show::sample();
    let s = start(&show);
    let own = format!("127.0.0.1:{}", s.port);
    for host in [own.as_str(), "localhost", "LOCALHOST.:8000", "[::1]:9", "laptop", "laptop.local", "app.localhost"] {
        let answer = raw(&s, format!("GET /feed.xml HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes());
        assert!(answer.starts_with("HTTP/1.1 200 "), "{host}: {answer}");
    }
    for host in ["attacker.example", "attacker.example:80", "127.0.0.1.nip.io"] {
        let answer = raw(&s, format!("GET /feed.xml HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes());
        assert!(answer.starts_with("HTTP/1.1 403 "), "{host}: {answer}");
        assert!(answer.contains(&format!("open it at http://{own}/")), "{answer}");
        assert!(!answer.contains("<rss"), "{answer}");
    }
    // The absolute form names the host itself (and its path is served).
    let absolute = format!("GET http://{own}/feed.xml HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
    let answer = raw(&s, absolute.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 200 ") && answer.contains("<rss"), "{answer}");
    let answer =
        raw(&s, b"GET http://attacker.example/feed.xml HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 403 "), "{answer}");
    let answer = raw(&s, format!("GET HTTP://{own} HTTP/1.1\r\nConnection: close\r\n\r\n").as_bytes());
    assert!(answer.starts_with("HTTP/1.1 200 ") && answer.contains("<!DOCTYPE html>"), "{answer}");
}

/// A file is sent with its validators; a range asked for `If-Range` the
/// same file is answered, one for another (rebuilt since) gets the whole file.
#[test]
fn a_resumed_download_gets_the_rest_of_the_same_file_or_the_whole_new_one() {
    let show = Show::sample();
    let s = start(&show);
    let size = std::fs::metadata(show.path("media/cover.jpg")).unwrap().len();
    let (status, h, _) = get(&s, "/media/cover.jpg", None);
    assert_eq!(status, 200);
    let (etag, modified) = (header(&h, "etag").to_string(), header(&h, "last-modified").to_string());
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 4, "{h:?}");
    assert!(modified.ends_with(" GMT"), "{h:?}");
    for (validator, expected) in [
        (etag.clone(), 206),
        (modified.clone(), 206),
        ("\"0-0\"".to_string(), 200),
        (format!("W/{etag}"), 200),
        ("Mon, 01 Jan 2001 00:00:00 GMT".to_string(), 200),
    ] {
        let range = format!("bytes=10-19\r\nIf-Range: {validator}");
        let (status, h, body) = get(&s, "/media/cover.jpg", Some(&range));
        let length = if expected == 206 { 10 } else { size as usize };
        assert_eq!((status, body.len()), (expected, length), "{validator}: {h:?}");
    }
}

/// A show whose first build fails has no site to show the error over: a
/// page asked for is one with the preview's script, which shows the error
/// and reloads once the show builds.
#[test]
fn a_show_that_never_built_shows_its_error_and_reloads_when_fixed() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &format!("{manifest}\nbogus = 1\n"));
    let log = tempfile::NamedTempFile::new().unwrap();
    let s = start_telling(&show, &|| Stdio::from(log.reopen().unwrap()));
    let (status, h, body) = get(&s, "/", None);
    let body = String::from_utf8_lossy(&body);
    assert_eq!((status, header(&h, "content-type")), (404, "text/html; charset=utf-8"));
    assert!(body.contains("/__podsmith/state"), "{body}");
    assert!(within(10, || text(&s, "/__podsmith/state").contains("bogus")));
    show.write("episodes.toml", &manifest);
    // (The state says so once the build is done: its pages may be up a moment before.)
    assert!(
        within(10, || text(&s, "/__podsmith/state").contains("\"error\":null")),
        "{}",
        text(&s, "/__podsmith/state")
    );
    assert_eq!(get(&s, "/", None).0, 200);
    // The terminal is told too.
    let said = || std::fs::read_to_string(log.path()).unwrap_or_default();
    assert!(within(5, || said().contains("unknown key `bogus`")), "{}", said());
    assert!(within(5, || said().contains("rebuilt: 4 episodes")), "{}", said());
    // Broken again, then put back as it was: nothing to rebuild, but the
    // fix is said.
    show.write("episodes.toml", &format!("{manifest}\nbogus = 2\n"));
    assert!(within(10, || text(&s, "/__podsmith/state").contains("bogus")));
    show.write("episodes.toml", &manifest);
    assert!(within(5, || said().contains("Fixed: the preview is up to date again.")), "{}", said());
}

/// What a rebuild warns of in the show's files (a broken image in the
/// notes) is said on the terminal, not the preview's own http:// feeds;
/// an edit that writes nothing (a comment) reloads no page.
#[test]
fn the_preview_says_the_shows_warnings_and_reloads_only_what_was_written() {
    let show = Show::sample();
    let log = tempfile::NamedTempFile::new().unwrap();
    let s = start_telling(&show, &|| Stdio::from(log.reopen().unwrap()));
    let said = || std::fs::read_to_string(log.path()).unwrap_or_default();
    let generation = || text(&s, "/__podsmith/state").split(',').next().unwrap_or_default().to_string();
    let manifest = show.read("episodes.toml");
    assert!(within(10, || said().contains("Serving the preview at")), "{}", said());
    let first = generation();
    show.write("episodes.toml", &format!("{manifest}\n# a comment\n"));
    // (A rebuild that finds a file written reloads; wait as long as one takes.)
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(generation(), first, "{}", said());
    let broken = manifest.replacen("notes = \"\"\"", "notes = \"\"\"\n![plan](../../media/missing.png)\n", 1);
    assert_ne!(broken, manifest);
    show.write("episodes.toml", &broken);
    assert!(within(10, || said().contains("the image ../../media/missing.png leads to no file")), "{}", said());
    assert_ne!(generation(), first);
    assert!(!said().contains("APPLE-HOST-HTTPS") && !said().contains("[P20-HTTPS]"), "{}", said());
}

/// The preview's own folder removed while it serves (`rm -rf .podsmith`,
/// to start afresh) is built again at once, not at the next edit.
#[test]
fn a_preview_whose_folder_is_removed_is_built_again() {
    let show = Show::sample();
    let s = start(&show);
    assert!(within(20, || get(&s, "/", None).0 == 200));
    for removed in [".podsmith/preview/site", ".podsmith"] {
        // (The build that wrote the feeds may be saving its records in it
        // still: a file made while the folder is removed stops that.)
        assert!(within(10, || std::fs::remove_dir_all(show.path(removed)).is_ok()), "{removed}");
        assert_eq!(get(&s, "/", None).0, 404, "{removed}");
        assert!(within(10, || get(&s, "/", None).0 == 200), "{removed}");
        // (The feeds are written last, after the pages.)
        assert!(within(10, || text(&s, "/feed.xml").contains("<enclosure")), "{removed}: {}", text(&s, "/feed.xml"));
    }
}

/// At most 64 connections are answered at once: the next is told to come
/// back (503), not given a thread of its own. A connection that sends
/// nothing is closed after 5 s, and its place is free again (a browser
/// keeps connections open after its last request, and opens some ahead).
#[test]
fn connections_past_the_most_answered_at_once_are_told_to_come_back() {
    let show = Show::sample();
    let s = start(&show);
    let opened = Instant::now();
    let mut idle: Vec<TcpStream> = (0..64).map(|_| TcpStream::connect(("127.0.0.1", s.port)).unwrap()).collect();
    let answer = raw(&s, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    // The 64 still held open by this side: closed by the server once idle.
    assert!(within(15, || get(&s, "/", None).0 == 200), "the idle connections kept their places");
    let waited = opened.elapsed();
    assert!(waited >= Duration::from_secs(4), "answered after {waited:?}, before the idle ones were closed");
    idle[0].set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    assert_eq!(idle[0].read(&mut [0; 16]).unwrap(), 0, "closed by the server");
}

/// A connection kept open after its answer is closed once it has sent
/// nothing for 5 s; one that asks again within that time is answered.
#[test]
fn a_kept_open_connection_is_closed_after_five_idle_seconds() {
    let show = Show::sample();
    let s = start(&show);
    let stream = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    for _ in 0..2 {
        w.write_all(b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let status = read_answer(&mut reader);
        assert!(status.starts_with("HTTP/1.1 200 "), "{status}");
        std::thread::sleep(Duration::from_secs(2));
    }
    let idle = Instant::now();
    assert_eq!(reader.read(&mut [0; 16]).unwrap(), 0, "closed by the server");
    let idle = idle.elapsed() + Duration::from_secs(2);
    assert!((4..12).contains(&idle.as_secs()), "closed after {idle:?} idle");
}

/// One answer read from `reader` (its head, and its body as long as its
/// `Content-Length` says): its status line.
fn read_answer(reader: &mut impl std::io::BufRead) -> String {
    let (mut status, mut line, mut length) = (String::new(), String::new(), 0usize);
    reader.read_line(&mut status).unwrap();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if line == "\r\n" || line.is_empty() {
            break;
        }
    }
    reader.read_exact(&mut vec![0; length]).unwrap();
    status
}

/// A port another program listens on: refused as a usage error that says
/// how to pick another.
#[test]
fn a_port_in_use_is_said_with_how_to_pick_another() {
    let show = Show::sample();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = show.run(&["serve", "--port", &port]).fails(2);
    assert!(run.stderr.contains(&format!("cannot serve on 127.0.0.1:{port}")), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("another program listens on port {port}: pick another with --port N")),
        "{}",
        run.stderr
    );
}

/// A custom template that writes `</BODY>`, or leaves it out, still gets
/// the preview's reload script.
#[test]
fn pages_of_any_body_tag_get_the_reload_script() {
    let show = Show::sample();
    let base = include_str!("../../src/pages/templates/base.html");
    assert!(base.contains("</body>"));
    show.write("templates/base.html", &base.replace("</body>", "</BODY>"));
    show.write("templates/index.html", "<p>{{ show.title }}</p>");
    let serving = start(&show);
    let page = text(&serving, "/episodes/coredns-miek-gieben/");
    assert!(page.contains("/__podsmith/state"), "{page}");
    assert!(page.trim_end().ends_with("</BODY>") || page.contains("</body>"), "{page}");
    let index = text(&serving, "/");
    assert!(index.starts_with("<p>"), "{index}");
    assert!(index.contains("/__podsmith/state"), "{index}");
}

/// A client that stops reading a big file is let go (its place is not
/// held for ever): the preview answers others meanwhile, and after the
/// write time the stalled connections are closed.
#[test]
fn clients_that_stop_reading_do_not_hold_the_preview() {
    let show = Show::sample();
    // A big file in the site: 40 MB of a tag-less CBR MP3, over and over.
    let mp3 = std::fs::read(repo().join("tests/fixtures/audio/cbr-noxing.mp3")).unwrap();
    let mut big = Vec::with_capacity(40 << 20);
    while big.len() < (40 << 20) {
        big.extend_from_slice(&mp3);
    }
    std::fs::write(show.path("media/coredns-miek-gieben.mp3"), &big).unwrap();
    let serving = start(&show);
    let mut stalled = Vec::new();
    for _ in 0..64 {
        let mut s = TcpStream::connect(("127.0.0.1", serving.port)).unwrap();
        s.write_all(b"GET /media/coredns-miek-gieben.mp3 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut first = [0u8; 100];
        let _ = s.read(&mut first);
        stalled.push(s);
    }
    // Every place is taken by a client that reads no more; within the
    // write time (30 s) and a little, they are let go.
    assert!(within(45, || get(&serving, "/feed.xml", None).0 == 200), "the stalled clients hold the preview");
    drop(stalled);
}

/// `--bind 0.0.0.0` without `--host`: the preview's URLs name 127.0.0.1,
/// which a phone cannot reach; said, with the fix.
#[test]
fn serving_every_address_without_a_host_is_said_to_name_this_machine_only() {
    let show = Show::sample();
    let said = said_until(&show, &["--bind", "0.0.0.0", "--port", "0"], "note:");
    assert!(said.contains("Serving the preview at http://127.0.0.1:"), "{said}");
    assert!(said.contains("note: the preview's feed and pages name 127.0.0.1"), "{said}");
    assert!(said.contains("give --host this computer's address on the network"), "{said}");
}

/// What `podsmith serve ARGS` says on stderr until it says `until` (or
/// stops); then it is stopped.
fn said_until(show: &Show, args: &[&str], until: &str) -> String {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
        .current_dir(show.root())
        .arg("serve")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    while !said.contains(until) {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut err, &mut line).unwrap_or(0) == 0 {
            break;
        }
        said.push_str(&line);
    }
    let _ = child.kill();
    let _ = child.wait();
    said
}

/// `--host` names this computer on the network for a phone: a private
/// address is what it is for (the preview builds, the feed names it); an
/// IPv6 address is put in brackets; anything but a host is refused.
#[test]
fn a_host_on_the_local_network_is_previewed_and_anything_but_a_host_refused() {
    let show = Show::sample();
    let said = said_until(&show, &["--host", "192.168.1.20", "--port", "0"], "note:");
    assert!(said.contains("Serving the preview at http://192.168.1.20:"), "{said}");
    assert!(!said.contains("could not be rebuilt"), "{said}");
    // Listening on this machine alone, the address named is said to be out of reach, with the fix.
    assert!(
        said.contains(
            "note: the preview listens on 127.0.0.1 alone, which other devices cannot reach: for its feed and \
             pages to open at 192.168.1.20, add --bind 0.0.0.0 (or --bind 192.168.1.20)"
        ),
        "{said}"
    );
    let said = said_until(&show, &["--host", "192.168.1.20", "--bind", "0.0.0.0", "--port", "0"], "Serving");
    assert!(!said.contains("note:"), "{said}");
    let said = said_until(&show, &["--host", "fe80::1", "--port", "0"], "Serving the preview at");
    assert!(said.contains("Serving the preview at http://[fe80::1]:"), "{said}");
    for host in ["a/b", "http://x", "x:80", ""] {
        let run = show.run(&["serve", "--host", host, "--port", "0"]).fails(2);
        assert!(run.stderr.contains(&format!("--host \"{host}\" is not a host name or address")), "{}", run.stderr);
        assert!(run.stderr.contains("help: give --host a name or an address alone"), "{}", run.stderr);
    }
    // A name of the characters a host has, that makes no address, is said as one.
    let run = show.run(&["serve", "--host", "exa_mple", "--port", "0"]).fails(2);
    assert!(run.stderr.contains("--host \"exa_mple\": the preview's address has the host name"), "{}", run.stderr);
    assert!(run.stderr.contains("help: give --host a name or an address alone"), "{}", run.stderr);
}

/// `serve` where there is no show (no manifest) says so as every command
/// does, exit 2 with the help to run it in the show's folder, and serves
/// nor writes anything there (it ran a server for nothing and left
/// `.podsmith/` in whatever folder it was started in).
#[test]
fn serve_where_there_is_no_show_says_so_and_writes_nothing() {
    let empty = Show::empty();
    let child = Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
        .current_dir(empty.root())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child = std::cell::RefCell::new(child);
    let ended = within(10, || child.borrow_mut().try_wait().unwrap().is_some());
    let mut child = child.into_inner();
    if !ended {
        child.kill().unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(ended, "serve went on without a show");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot read `episodes.toml`") && stderr.contains("help: run podsmith in the show's folder"),
        "{stderr}"
    );
    assert!(!empty.path(".podsmith").exists(), "nothing is written where there is no show");
}
