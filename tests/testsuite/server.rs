//! A small real HTTP/1.1 server on 127.0.0.1 for the `--online` tests: it
//! serves a folder, and can be told to misbehave the ways real hosting does.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// A CONNECT proxy (as `HTTP_PROXY` names one) that takes every tunnel,
/// whatever host it is asked for, to the server on 127.0.0.1 at `to`: a URL
/// of a public-looking host reaches a test's server through it. It logs the
/// hosts asked for.
pub struct ConnectProxy {
    pub port: u16,
    asked: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    pub fn start(to: u16) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let asked: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = asked.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = log.clone();
                thread::spawn(move || {
                    let _ = tunnel(stream, to, &log);
                });
            }
        });
        ConnectProxy { port, asked }
    }

    /// Its URL, for `HTTP_PROXY`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The hosts (`host:port`) asked for so far.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

/// One tunnel: the CONNECT request read and logged, then bytes passed both
/// ways between the client and the server on `to`.
fn tunnel(client: TcpStream, to: u16, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.strip_prefix("CONNECT ").and_then(|r| r.split_whitespace().next()).map(str::to_string);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let mut to_client = client;
    let Some(target) = target else {
        write!(to_client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    };
    log.lock().unwrap().push(target);
    let server = TcpStream::connect(("127.0.0.1", to))?;
    write!(to_client, "HTTP/1.1 200 Connection established\r\n\r\n")?;
    let (mut from_server, mut to_server) = (server.try_clone()?, server);
    let up = thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut to_server);
        let _ = to_server.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut from_server, &mut to_client);
    let _ = to_client.shutdown(Shutdown::Both);
    let _ = up.join();
    Ok(())
}

/// How the server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// HEAD, Range (206 + Content-Range), types by extension.
    Good,
    /// Ignores Range: always 200 with the whole file.
    NoRange,
    /// Answers HEAD with 405.
    NoHead,
    /// Sends media without a Content-Type.
    NoType,
    /// Answers every other request for a file with 500 (the first, the
    /// third …), as an overloaded server does now and then.
    Flaky,
    /// Sends every file from elsewhere: `/NAME` answers `302 Found` to
    /// `/moved/NAME`, which is served as [`Mode::Good`] does.
    Redirect,
    /// Answers each request after 50 ms, as a far-away host does.
    Slow,
    /// Says `Content-Length` right but sends half the body of a ranged
    /// answer, then closes the connection (a dropped transfer).
    ShortBody,
    /// Answers the second request for each file as [`Mode::ShortBody`]
    /// does (half its body, then the connection closed), the others as
    /// [`Mode::Good`]: a transfer dropped once.
    DropsOnce,
    /// Says in `Content-Range` that every file is 2^64 - 1 bytes long.
    HugeTotal,
    /// Compresses a file whose request accepts gzip (`Content-Encoding:
    /// gzip`, ranges of the compressed bytes, as RFC 9110 has it), as
    /// servers set to compress whatever they send do.
    Compressing,
    /// Ignores Range as [`Mode::NoRange`] does, sends half of a file, then
    /// nothing more for 30 s (a transfer that stalled).
    StalledWhole,
}

/// A running server; stops when dropped.
pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    /// Every request answered: method, path, body bytes sent.
    log: Log,
    /// Requests being answered now, and the most at once.
    gauge: Arc<(std::sync::atomic::AtomicUsize, std::sync::atomic::AtomicUsize)>,
}

/// The requests a server answered.
type Log = Arc<Mutex<Vec<(String, String, u64)>>>;

impl Server {
    /// Serves `root` in `mode`.
    pub fn start(root: PathBuf, mode: Mode) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let log = Log::default();
        let logged = log.clone();
        let gauge: Arc<(std::sync::atomic::AtomicUsize, std::sync::atomic::AtomicUsize)> = Arc::default();
        let gauged = gauge.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, log, gauge) = (root.clone(), logged.clone(), gauged.clone());
                thread::spawn(move || {
                    let _ = serve(stream, &root, mode, &log, &gauge);
                });
            }
        });
        Server { port, stop, log, gauge }
    }

    /// How many requests for `path` were answered as `method` (`GET (500)`
    /// for the errors of [`Mode::Flaky`]).
    pub fn served_with(&self, method: &str, path: &str) -> usize {
        self.log.lock().unwrap().iter().filter(|(m, p, _)| m == method && p == path).count()
    }

    /// The requests for `path` answered so far (errors of [`Mode::Flaky`]
    /// aside), and the body bytes sent for them.
    pub fn served(&self, path: &str) -> (usize, u64) {
        let log = self.log.lock().unwrap();
        let of: Vec<_> = log.iter().filter(|(m, p, _)| p == path && !m.ends_with("(500)")).collect();
        (of.len(), of.iter().map(|(_, _, n)| n).sum())
    }

    /// Every request answered so far: method (with the status where it is
    /// not a success: `HEAD (304)`), path, body bytes sent.
    pub fn log(&self) -> Vec<(String, String, u64)> {
        self.log.lock().unwrap().clone()
    }

    /// The most requests answered at once so far.
    pub fn most_at_once(&self) -> usize {
        self.gauge.1.load(Ordering::SeqCst)
    }

    /// Forgets the requests answered so far.
    pub fn forget(&self) {
        self.log.lock().unwrap().clear();
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("mp3") => "audio/mpeg",
        Some("ogg") | Some("opus") => "audio/ogg",
        Some("m4a") => "audio/mp4",
        Some("flac") => "audio/flac",
        Some("wav") => "audio/wav",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("xml") => "application/rss+xml",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Counts a request in while it is answered.
struct InFlight<'a>(&'a (std::sync::atomic::AtomicUsize, std::sync::atomic::AtomicUsize));

impl<'a> InFlight<'a> {
    fn new(gauge: &'a (std::sync::atomic::AtomicUsize, std::sync::atomic::AtomicUsize)) -> InFlight<'a> {
        let now = gauge.0.fetch_add(1, Ordering::SeqCst) + 1;
        gauge.1.fetch_max(now, Ordering::SeqCst);
        InFlight(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn serve(
    stream: TcpStream,
    root: &std::path::Path,
    mode: Mode,
    log: &Log,
    gauge: &(std::sync::atomic::AtomicUsize, std::sync::atomic::AtomicUsize),
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    while let Some(request) = read_request(&mut reader)? {
        let _answering = InFlight::new(gauge);
        if mode == Mode::Slow {
            thread::sleep(std::time::Duration::from_millis(50));
        }
        // In every mode, a path under stall/ is answered after 800 ms, as
        // the path without it is (a host that keeps every request waiting).
        if request.path.starts_with("stall/") {
            thread::sleep(std::time::Duration::from_millis(800));
        }
        // A POST (a WebSub hub told of a feed): logged with its body after
        // a `?`, answered 204 where a file of that name is served, else 404.
        if request.method == "POST" {
            let mut body = vec![0u8; request.content_length.min(1 << 20)];
            std::io::Read::read_exact(&mut reader, &mut body)?;
            let there = root.join(&request.path).is_file();
            let status = if there { "204 No Content" } else { "404 Not Found" };
            let logged = format!("{}?{}", request.path, String::from_utf8_lossy(&body));
            log.lock().unwrap().push((format!("POST ({})", &status[..3]), logged, 0));
            write!(out, "HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n")?;
            continue;
        }
        if answer(&mut out, &request, root, mode, log)? == Flow::Close {
            return Ok(());
        }
    }
    Ok(())
}

/// A request, as far as the server reads it.
struct Request {
    method: String,
    /// Without the leading `/`.
    path: String,
    /// The byte range asked for: from, to (included; `u64::MAX`: to the end).
    range: Option<(u64, u64)>,
    if_none_match: Option<String>,
    content_length: usize,
    /// It accepts a gzipped answer.
    gzip: bool,
}

/// The next request of a connection (`None`: it ended).
fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("/").trim_start_matches('/').to_string();
    let mut request = Request { method, path, range: None, if_none_match: None, content_length: 0, gzip: false };
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            return Ok(Some(request));
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("if-none-match")
        {
            request.if_none_match = Some(value.trim().to_string());
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("accept-encoding")
        {
            request.gzip = value.to_ascii_lowercase().contains("gzip");
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            request.content_length = value.trim().parse().unwrap_or(0);
        }
        if let Some(v) = line.strip_prefix("Range: bytes=").or_else(|| line.strip_prefix("range: bytes=")) {
            let (a, b) = v.split_once('-').unwrap_or((v, ""));
            request.range = Some((a.parse().unwrap_or(0), b.parse().unwrap_or(u64::MAX)));
        }
    }
}

/// Whether the connection goes on after an answer.
#[derive(PartialEq)]
enum Flow {
    Next,
    Close,
}

/// Answers a GET or HEAD of a file under `root`, as `mode` says, and logs it.
fn answer(
    out: &mut TcpStream,
    request: &Request,
    root: &std::path::Path,
    mode: Mode,
    log: &Log,
) -> std::io::Result<Flow> {
    let (method, path) = (request.method.as_str(), &request.path);
    let logged = |what: String, sent: u64| log.lock().unwrap().push((what, path.clone(), sent));
    if redirected(out, request, mode, &logged)? {
        return Ok(Flow::Next);
    }
    let in_root = path.strip_prefix("moved/").or_else(|| path.strip_prefix("stall/")).unwrap_or(path);
    let file = root.join(in_root.split('?').next().unwrap_or(""));
    let compressed = mode == Mode::Compressing && request.gzip;
    let body =
        if file.is_file() { std::fs::read(&file).ok().map(|b| if compressed { gzip(&b) } else { b }) } else { None };
    let (etag, modified) = validators(&file);
    let Some(body) = body else {
        write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(Flow::Next);
    };
    if mode == Mode::Flaky && log.lock().unwrap().iter().filter(|(_, p, _)| p == path).count().is_multiple_of(2) {
        logged(format!("{method} (500)"), 0);
        write!(out, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(Flow::Next);
    }
    if method == "HEAD" && mode == Mode::NoHead {
        write!(out, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(Flow::Next);
    }
    if request.if_none_match.as_deref() == Some(etag.as_str()) {
        logged(format!("{method} (304)"), 0);
        write!(out, "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n")?;
        return Ok(Flow::Next);
    }
    let total = body.len() as u64;
    let ranges = !matches!(mode, Mode::NoRange | Mode::StalledWhole);
    if request.range.is_some_and(|(a, _)| a >= total) && ranges {
        write!(
            out,
            "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{total}\r\nContent-Length: 0\r\n\r\n"
        )?;
        logged(method.to_string(), 0);
        return Ok(Flow::Next);
    }
    let ctype = content_type(path);
    let type_header = match mode == Mode::NoType && ctype.starts_with("audio/") {
        true => String::new(),
        false => format!("Content-Type: {ctype}\r\n"),
    };
    let (status, slice, extra) = match request.range {
        Some((a, b)) if ranges && a < total => {
            let end = b.min(total - 1);
            (
                "206 Partial Content",
                &body[a as usize..=end as usize],
                match mode {
                    Mode::HugeTotal => format!("Content-Range: bytes {a}-{end}/{}\r\n", u64::MAX),
                    _ => format!("Content-Range: bytes {a}-{end}/{total}\r\n"),
                },
            )
        }
        _ => ("200 OK", &body[..], String::new()),
    };
    let accept = if ranges { "Accept-Ranges: bytes\r\n" } else { "" };
    let type_header = if compressed { format!("{type_header}Content-Encoding: gzip\r\n") } else { type_header };
    write!(
        out,
        "HTTP/1.1 {status}\r\n{type_header}Content-Length: {}\r\n{accept}{extra}ETag: {etag}\r\nLast-Modified: \
         {modified}\r\n\r\n",
        slice.len()
    )?;
    let earlier = || log.lock().unwrap().iter().filter(|(_, p, _)| p == path).count();
    let mode = match mode == Mode::DropsOnce && earlier() == 1 {
        true => Mode::ShortBody,
        false => mode,
    };
    send_body(out, mode, method, request.range.is_some(), slice, &logged)
}

/// The body of an answer, as `mode` sends it (all of it, half, half then
/// nothing), logged with the bytes sent.
fn send_body(
    out: &mut TcpStream,
    mode: Mode,
    method: &str,
    ranged: bool,
    slice: &[u8],
    logged: &dyn Fn(String, u64),
) -> std::io::Result<Flow> {
    if mode == Mode::ShortBody && method != "HEAD" && ranged {
        out.write_all(&slice[..slice.len() / 2])?;
        logged(method.to_string(), (slice.len() / 2) as u64);
        return Ok(Flow::Close);
    }
    if mode == Mode::StalledWhole && method != "HEAD" {
        out.write_all(&slice[..slice.len() / 2])?;
        out.flush()?;
        logged(method.to_string(), (slice.len() / 2) as u64);
        thread::sleep(std::time::Duration::from_secs(30));
        return Ok(Flow::Close);
    }
    if method != "HEAD" {
        out.write_all(slice)?;
    }
    out.flush()?;
    logged(method.to_string(), if method == "HEAD" { 0 } else { slice.len() as u64 });
    Ok(Flow::Next)
}

/// The redirects of every mode, by path: why (for the log), and where to.
/// A path under loop/ redirects to itself (a redirect loop, as a
/// misconfigured tracking prefix makes); one under away/ to the host and
/// path after it: `away/10.0.0.1/a.mp3` to `http://10.0.0.1/a.mp3` (a
/// tracking prefix or CDN sending files elsewhere).
fn redirect_in_every_mode(path: &str) -> Option<(&'static str, String)> {
    if path.starts_with("loop/") {
        return Some(("loop", format!("/{path}")));
    }
    path.strip_prefix("away/").map(|there| ("away", format!("http://{there}")))
}

/// A file's validators: its size and time, as most servers make them
/// (an ETag and a Last-Modified date; empty if there is no such file).
fn validators(file: &std::path::Path) -> (String, String) {
    match std::fs::metadata(file).and_then(|m| Ok((m.len(), m.modified()?))) {
        Ok((len, time)) => {
            let time: chrono::DateTime<chrono::Utc> = time.into();
            let nanos = time.timestamp_nanos_opt().unwrap_or(0);
            (format!("\"{len:x}-{nanos:x}\""), time.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        }
        Err(_) => (String::new(), String::new()),
    }
}

/// Answers a request for a path that redirects (in every mode, or every
/// path in [`Mode::Redirect`]) with its redirect; false for any other.
fn redirected(
    out: &mut TcpStream,
    request: &Request,
    mode: Mode,
    logged: &dyn Fn(String, u64),
) -> std::io::Result<bool> {
    let (method, path) = (request.method.as_str(), &request.path);
    if let Some((why, location)) = redirect_in_every_mode(path) {
        logged(format!("{method} (302 {why})"), 0);
        write!(out, "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(true);
    }
    if mode == Mode::Redirect && !path.starts_with("moved/") {
        logged(format!("{method} (302)"), 0);
        write!(out, "HTTP/1.1 302 Found\r\nLocation: /moved/{path}\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(true);
    }
    Ok(false)
}

/// `plain`, gzipped.
fn gzip(plain: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(plain).unwrap();
    gz.finish().unwrap()
}
