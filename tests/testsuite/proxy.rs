//! An HTTP/1.1 proxy on 127.0.0.1 in front of the S3 server, for the
//! publish tests: it logs every request, and fails or stalls the ones it is
//! told to, the ways real networks and services do.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Pass it on.
    Forward,
    /// Answer 500 without passing it on.
    Fail,
    /// Never answer.
    Stall,
    /// Wait this many milliseconds, then pass it on.
    Delay(u64),
    /// Pass it on, and cut a listing's answer to this many keys, as S3
    /// does (at most 1,000 a page whatever is asked): the rest comes after
    /// the last key given (s3s-fs's continuation token is that key).
    CapListing(usize),
    /// Pass it on, and answer a GET whose `If-None-Match` names the
    /// object's ETag "304 Not Modified", without the object, as S3 and
    /// Garage do (s3s-fs sends the object whatever the request says).
    Conditional,
    /// Pass it on, and give each object of a listing its ETag, as S3 and
    /// Garage do (s3s-fs gives none): the MD5 of the file it is in this
    /// folder (the bucket's, under s3s-fs), as s3s-fs answers an upload.
    ListingEtags(std::path::PathBuf),
}

/// Decides per request: method, path (with query), and how many requests
/// with this method and path came before.
pub type Rule = dyn Fn(&str, &str, usize) -> Action + Send + Sync;

/// Method and path of every request.
type Log = Mutex<Vec<(String, String)>>;
/// Header lines of every request.
type Heads = Mutex<Vec<Vec<String>>>;

/// A running proxy; stops taking connections when dropped.
pub struct Proxy {
    pub port: u16,
    /// How many GETs were answered "304 Not Modified" (see [`Action::Conditional`]).
    pub not_modified: Arc<std::sync::atomic::AtomicUsize>,
    /// Every request: method and path.
    pub log: Arc<Mutex<Vec<(String, String)>>>,
    /// Every request's header lines, in the same order.
    pub heads: Arc<Mutex<Vec<Vec<String>>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Proxy {
    /// A proxy to `127.0.0.1:upstream`.
    pub fn start(upstream: u16, rule: Box<Rule>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let heads: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let rule: Arc<Rule> = Arc::from(rule);
        let not_modified: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
        let (l, h, s, n) = (log.clone(), heads.clone(), stop.clone(), not_modified.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let (log, heads, rule, stop, n) = (l.clone(), h.clone(), rule.clone(), s.clone(), n.clone());
                thread::spawn(move || {
                    let _ = serve(client, upstream, (&log, &heads, &n), &*rule, &stop);
                });
            }
        });
        Proxy { port, not_modified, log, heads, stop }
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests so far with `method`.
    pub fn count(&self, method: &str) -> usize {
        self.log.lock().unwrap().iter().filter(|(m, _)| m == method).count()
    }
}

/// One client connection: its requests, one after another.
fn serve(
    client: TcpStream,
    upstream: u16,
    (log, heads, not_modified): (&Log, &Heads, &std::sync::atomic::AtomicUsize),
    rule: &Rule,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    let mut up: Option<(TcpStream, BufReader<TcpStream>)> = None;
    loop {
        let Some((head, lines)) = read_head(&mut reader)? else { return Ok(()) };
        let mut parts = lines[0].split_whitespace();
        let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
        let length = header(&lines, "content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let before = {
            let mut log = log.lock().unwrap();
            let n = log.iter().filter(|(m, p)| *m == method && *p == path).count();
            log.push((method.clone(), path.clone()));
            heads.lock().unwrap().push(lines[1..].to_vec());
            n
        };
        let action = rule(&method, &path, before);
        match action {
            Action::Fail => {
                client.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n")?;
                continue;
            }
            Action::Stall => {
                while !stop.load(Ordering::SeqCst) {
                    thread::sleep(std::time::Duration::from_millis(50));
                }
                return Ok(());
            }
            Action::Delay(ms) => thread::sleep(std::time::Duration::from_millis(ms)),
            Action::Forward | Action::CapListing(_) | Action::Conditional | Action::ListingEtags(_) => {}
        }
        if up.is_none() {
            let s = TcpStream::connect(("127.0.0.1", upstream))?;
            up = Some((s.try_clone()?, BufReader::new(s)));
        }
        let (upw, upr) = up.as_mut().unwrap();
        upw.write_all(&head)?;
        upw.write_all(&body)?;
        let Some((rhead, rlines)) = read_head(upr)? else { return Ok(()) };
        let bare = |e: &str| e.trim().trim_start_matches("W/").trim_matches('"').to_string();
        let unless = header(&lines, "if-none-match").map(bare);
        let unchanged = method == "GET" && unless.is_some() && header(&rlines, "etag").map(bare) == unless;
        match action {
            Action::Conditional if unchanged => {
                read_body(upr, &rlines)?;
                let etag = header(&rlines, "etag").unwrap_or_default();
                client.write_all(format!("HTTP/1.1 304 Not Modified\r\netag: {etag}\r\n\r\n").as_bytes())?;
                not_modified.fetch_add(1, Ordering::SeqCst);
            }
            Action::CapListing(n) if path.contains("list-type=2") => {
                let rbody = read_body(upr, &rlines)?;
                send_capped(&mut client, &rlines, &cap_listing(&String::from_utf8_lossy(&rbody), n))?;
            }
            Action::ListingEtags(ref bucket) if path.contains("list-type=2") => {
                let rbody = read_body(upr, &rlines)?;
                send_capped(&mut client, &rlines, &with_etags(&String::from_utf8_lossy(&rbody), bucket))?;
            }
            _ => {
                client.write_all(&rhead)?;
                let status: u16 = rlines[0].split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
                if !(method == "HEAD" || status == 204 || status == 304) {
                    relay_body(upr, &mut client, &rlines)?;
                }
            }
        }
    }
}

/// Whether a response of head `lines` comes in chunks.
fn chunked(lines: &[String]) -> bool {
    header(lines, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
}

/// The body of a response of head `lines`, its chunks put together.
fn read_body(upr: &mut impl BufRead, lines: &[String]) -> std::io::Result<Vec<u8>> {
    if !chunked(lines) {
        let len = header(lines, "content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
        let mut body = vec![0; len];
        upr.read_exact(&mut body)?;
        return Ok(body);
    }
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        upr.read_line(&mut size_line)?;
        let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        let mut chunk = vec![0; size + 2];
        upr.read_exact(&mut chunk)?;
        body.extend_from_slice(&chunk[..size]);
        if size == 0 {
            return Ok(body);
        }
    }
}

/// The body of a response of head `lines`, passed on as it comes (chunk
/// by chunk, if in chunks).
fn relay_body(upr: &mut impl BufRead, client: &mut TcpStream, lines: &[String]) -> std::io::Result<()> {
    if !chunked(lines) {
        return client.write_all(&read_body(upr, lines)?);
    }
    loop {
        let mut size_line = String::new();
        upr.read_line(&mut size_line)?;
        client.write_all(size_line.as_bytes())?;
        let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        let mut chunk = vec![0; size + 2];
        upr.read_exact(&mut chunk)?;
        client.write_all(&chunk)?;
        if size == 0 {
            return Ok(());
        }
    }
}

/// A response of head `lines` sent with `body` instead of its own (its
/// length said anew, not in chunks).
fn send_capped(client: &mut TcpStream, lines: &[String], body: &str) -> std::io::Result<()> {
    let mut out = format!("{}\r\ncontent-length: {}\r\n", lines[0], body.len());
    for l in lines[1..].iter().filter(|l| {
        let name = l.split(':').next().unwrap_or("").trim().to_ascii_lowercase();
        name != "content-length" && name != "transfer-encoding"
    }) {
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    client.write_all(out.as_bytes())?;
    client.write_all(body.as_bytes())
}

/// A request or response head: its bytes and its lines (`None` at the end).
fn read_head(r: &mut impl BufRead) -> std::io::Result<Option<(Vec<u8>, Vec<String>)>> {
    let mut head = Vec::new();
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        head.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            return Ok(Some((head, lines)));
        }
        lines.push(line.trim_end().to_string());
    }
}

fn header<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines.iter().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A `ListBucketResult` with each object's ETag (the MD5 of its file in
/// `bucket`) after its key.
fn with_etags(xml: &str, bucket: &std::path::Path) -> String {
    use md5::Digest as _;
    let mut out = String::with_capacity(xml.len() * 2);
    let mut rest = xml;
    while let Some(at) = rest.find("<Key>") {
        let end = at + rest[at..].find("</Key>").unwrap_or(0) + "</Key>".len();
        let key = &rest[at + "<Key>".len()..end - "</Key>".len()];
        out.push_str(&rest[..end]);
        if let Ok(bytes) = std::fs::read(bucket.join(key)) {
            let md5: String = md5::Md5::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            out.push_str(&format!("<ETag>&quot;{md5}&quot;</ETag>"));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A `ListBucketResult` cut to its first `n` objects, marked cut short with
/// the last key kept as the token of the next page.
fn cap_listing(xml: &str, n: usize) -> String {
    let contents: Vec<(usize, usize)> = xml
        .match_indices("<Contents>")
        .filter_map(|(start, _)| Some((start, start + xml[start..].find("</Contents>")? + "</Contents>".len())))
        .collect();
    if contents.len() <= n {
        return xml.to_string();
    }
    let (kept_end, dropped_end) = (contents[n - 1].1, contents[contents.len() - 1].1);
    let last = &xml[contents[n - 1].0..kept_end];
    let key = last.split("<Key>").nth(1).and_then(|k| k.split("</Key>").next()).unwrap_or("");
    let rest =
        xml[dropped_end..].replace("<IsTruncated>false</IsTruncated>", "<IsTruncated>true</IsTruncated>").replacen(
            "</ListBucketResult>",
            &format!("<NextContinuationToken>{key}</NextContinuationToken></ListBucketResult>"),
            1,
        );
    format!("{}{}", &xml[..kept_end], rest)
}
