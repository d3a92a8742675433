//! Media measured where it is hosted: the same readers as for a file on
//! disk ([`super::probe_with`]), over HTTP `Range` requests.
//!
//! The first request asks for the file's first 64 KiB and learns its size
//! from `Content-Range` (and its `ETag`, `Last-Modified` and type); every
//! later read is answered from the chunks already fetched, or by one more
//! ranged GET: 64 KiB where the readers jump (an Ogg file's last page, an
//! M4A's `moov` at the end), growing chunks (up to 4 MiB) where they read
//! on (an MP3 counted frame by frame), so a file is streamed, never held
//! whole (at most 16 MiB of chunks are kept). A file whose length is in its
//! headers costs one or two requests and at most 128 KiB. A server that
//! does not answer `Range` is read once, whole, into a temporary file. A
//! request that fails to connect or is answered 5xx is made again (four
//! tries in all, with growing waits), one that had no answer in time once.

use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use symphonia::core::io::MediaSource;

use super::{AudioInfo, ProbeError};

/// The first request's size, and the size of a chunk fetched where the
/// readers jump.
pub const BLOCK: u64 = 64 << 10;
/// The largest chunk fetched where the readers read on.
const MAX_CHUNK: u64 = 4 << 20;
/// The most bytes of chunks kept at once.
const KEPT: u64 = 16 << 20;
/// The largest file read whole (from a server without `Range`).
const WHOLE: u64 = 8 << 30;

/// The longest a prober waits for a host to take a connection.
const CONNECT_WAIT: Duration = Duration::from_secs(10);
/// The longest a prober waits for the start of an answer.
const ANSWER_WAIT: Duration = Duration::from_secs(20);
/// How often a request that had no answer in time is made in all: a host
/// that says nothing once seldom speaks the next time, and a build waits
/// on it (four tries of a silent host were over two minutes).
const TRIES_UNANSWERED: usize = 2;

/// What the server said of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosted {
    /// Its size in bytes (from `Content-Range`, or the whole body).
    pub size: u64,
    /// Its `ETag`.
    pub etag: Option<String>,
    /// Its `Last-Modified`.
    pub last_modified: Option<String>,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// The server did not answer `Range`: the file was read whole.
    pub whole: bool,
}

/// What measuring a hosted file cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// HTTP requests made.
    pub requests: u32,
    /// Body bytes received.
    pub bytes: u64,
}

/// A hosted file, measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// What the readers found.
    pub info: AudioInfo,
    /// What the server said of it.
    pub hosted: Hosted,
    /// What it cost.
    pub traffic: Traffic,
}

/// Measures the file at `url` (`http://` or `https://`), waiting at most
/// `timeout` for each request.
pub fn probe_url(url: &str, timeout: Duration) -> Result<Measured, ProbeError> {
    Prober::new(timeout).measure(url)
}

/// [`probe_url`], reading at most `budget` bytes of the file (whole
/// requests): `None` if measuring it would take more (an MP3 that must be
/// counted; a server without `Range`).
pub fn probe_url_within(url: &str, timeout: Duration, budget: u64) -> Result<Option<Measured>, ProbeError> {
    Prober::new(timeout).measure_within(url, budget)
}

/// Measures hosted files, keeping connections open between them (one
/// prober serves every thread).
#[derive(Debug, Clone)]
pub struct Prober {
    agent: ureq::Agent,
    /// When every request (tries again included) must be done by, if ever.
    deadline: Option<Instant>,
}

/// What asking again of a file measured before found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revalidated {
    /// It is the file it was (`304 Not Modified`, or the same validators).
    Same,
    /// It changed, or is gone (measuring it again says how).
    Changed,
    /// The server could not be asked (why): what was measured stands.
    Unreachable(String),
}

impl Prober {
    /// A prober waiting at most `timeout` for each request.
    pub fn new(timeout: Duration) -> Prober {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // The file's own bytes: a range of a compressed answer is not
            // the file's (a server that compresses when asked made good
            // files "truncated").
            .accept_encoding("identity")
            .timeout_global(Some(timeout))
            // A host that does not take the connection, or takes it and says
            // nothing, is given up sooner than one that is sending.
            .timeout_connect(Some(timeout.min(CONNECT_WAIT)))
            .timeout_recv_response(Some(timeout.min(ANSWER_WAIT)))
            .http_status_as_error(false)
            // (Followed by hand, each judged before it is asked: see `send`.)
            .max_redirects(0)
            .max_idle_connections_per_host(64)
            .user_agent(concat!("podsmith/", env!("CARGO_PKG_VERSION"), " (media prober)"))
            .build()
            .into();
        Prober { agent, deadline: None }
    }

    /// A prober for a URL whose redirects have been followed already (by
    /// `validate --online`, which says where each leads), all its
    /// requests, tries again included, done by `deadline`.
    pub fn until(deadline: Instant) -> Prober {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .accept_encoding("identity")
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("podsmith/", env!("CARGO_PKG_VERSION"), " (media prober)"))
            .build()
            .into();
        Prober { agent, deadline: Some(deadline) }
    }

    /// Measures the file at `url`.
    pub fn measure(&self, url: &str) -> Result<Measured, ProbeError> {
        self.measure_within(url, u64::MAX)?.ok_or_else(|| ProbeError::Io("not measured".into()))
    }

    /// Measures the file at `url` reading at most `budget` bytes (see
    /// [`probe_url_within`]).
    pub fn measure_within(&self, url: &str, budget: u64) -> Result<Option<Measured>, ProbeError> {
        Ok(self.measure_as(url, budget, false)?.map(|(m, _)| m))
    }

    /// Measures the file at `url` and reads its title tag (from the bytes
    /// measuring fetched, where the tag is in them), as `podsmith add` does.
    pub fn measure_with_title(&self, url: &str) -> Result<(Measured, Option<String>), ProbeError> {
        self.measure_as(url, u64::MAX, true)?.ok_or_else(|| ProbeError::Io("not measured".into()))
    }

    fn measure_as(
        &self,
        url: &str,
        budget: u64,
        title: bool,
    ) -> Result<Option<(Measured, Option<String>)>, ProbeError> {
        match Remote::open(url, self.agent.clone(), self.deadline, budget)? {
            Some(Opened::Ranged(remote)) => {
                let open = || -> io::Result<Box<dyn MediaSource>> { Ok(Box::new(remote.reader())) };
                let measured = super::probe_with_few_reads(&open);
                if remote.shared.over.load(std::sync::atomic::Ordering::Relaxed) {
                    return Ok(None);
                }
                let info = measured?;
                let title = title.then(|| super::read_title_from(Box::new(remote.reader()))).flatten();
                let m = Measured { info, hosted: remote.shared.hosted.clone(), traffic: remote.traffic() };
                Ok(Some((m, title)))
            }
            Some(Opened::Whole { file, hosted, traffic }) => {
                let file = Arc::new(file);
                let open =
                    || -> io::Result<Box<dyn MediaSource>> { Ok(Box::new(ReadAt::new(file.clone(), hosted.size))) };
                let mut info = super::probe_with(&open)?;
                info.bytes = hosted.size;
                let title = title.then(|| super::read_title_from(Box::new(ReadAt::new(file.clone(), hosted.size))));
                Ok(Some((Measured { info, hosted, traffic }, title.flatten())))
            }
            None => Ok(None),
        }
    }

    /// Whether the file at `url` is still the one `before` describes: one
    /// conditional `HEAD` (`If-None-Match`, `If-Modified-Since`), made
    /// again after a timeout or a 5xx answer.
    pub fn revalidate(&self, url: &str, before: &Hosted) -> Revalidated {
        let mut wait = Duration::from_millis(200);
        for tries in 1.. {
            let ask = |at: &url::Url| {
                let mut request = self.agent.head(at.as_str());
                if let Some(etag) = &before.etag {
                    request = request.header("If-None-Match", etag);
                }
                if let Some(date) = &before.last_modified {
                    request = request.header("If-Modified-Since", date);
                }
                request.call()
            };
            let why = match send(url, ask) {
                Ok(r) if r.status().as_u16() == 304 => return Revalidated::Same,
                Ok(r) if r.status().as_u16() == 200 => {
                    let size = header(&r, "content-length").and_then(|l| l.trim().parse::<u64>().ok());
                    let (etag, modified) = (header(&r, "etag"), header(&r, "last-modified"));
                    let validated = before.etag.is_some() || before.last_modified.is_some();
                    let same = validated
                        && size == Some(before.size)
                        && etag == before.etag
                        && modified == before.last_modified;
                    return if same { Revalidated::Same } else { Revalidated::Changed };
                }
                Ok(r) if r.status().is_server_error() => format!("the server answered {}", r.status()),
                Ok(_) => return Revalidated::Changed,
                Err(Unanswered::Failed(why)) if why.starts_with(crate::url::NO_ANSWER) && tries >= TRIES_UNANSWERED => {
                    return Revalidated::Unreachable(format!("{why} (tried {tries} times)"));
                }
                Err(Unanswered::Failed(why)) => why,
                // (Offline, say: what was measured stands.)
                Err(Unanswered::Lasting(why)) => return Revalidated::Unreachable(why),
                // Measured again, which says why it cannot be.
                Err(Unanswered::Stopped(_) | Unanswered::Redirect(..)) => return Revalidated::Changed,
            };
            if tries == 4 {
                return Revalidated::Unreachable(format!("{why} (tried {tries} times)"));
            }
            std::thread::sleep(wait);
            wait *= 4;
        }
        Revalidated::Changed
    }
}

/// A hosted file answered with ranges.
struct Remote {
    shared: Arc<Shared>,
}

/// What the readers of one hosted file share.
struct Shared {
    url: String,
    agent: ureq::Agent,
    /// See [`Prober::until`].
    deadline: Option<Instant>,
    hosted: Hosted,
    state: Mutex<State>,
    /// The most bytes fetched.
    budget: u64,
    /// A read was refused for the budget.
    over: std::sync::atomic::AtomicBool,
}

/// The chunks fetched (oldest first), and what fetching cost.
struct State {
    chunks: VecDeque<(u64, Arc<Vec<u8>>)>,
    kept: u64,
    traffic: Traffic,
    /// Where the last chunk fetched ended, and its length: a read there is
    /// a read on, and gets a bigger chunk.
    last: (u64, u64),
}

/// How the first request was answered.
enum Opened {
    /// With a range: the file is read in chunks.
    Ranged(Remote),
    /// Whole (no `Range` support): the file, read into a temporary one
    /// without a name (gone with the process, however it ends: an 8 GiB
    /// download is not left behind by a Ctrl-C).
    Whole { file: std::fs::File, hosted: Hosted, traffic: Traffic },
}

/// Why a request of a hosted file got no answer to read.
#[derive(Debug)]
enum Unanswered {
    /// It failed, in words (asked again, it may not).
    Failed(String),
    /// It failed in a way asking again does not mend (no such host, a
    /// certificate refused, an answer that cannot be read), in words.
    Lasting(String),
    /// It cannot be asked, or ends nowhere (redirects going round), in words.
    Stopped(String),
    /// A redirect was not followed (see [`crate::url::redirect`]): why,
    /// and what to do.
    Redirect(String, &'static str),
}

impl Unanswered {
    /// As the error of measuring the file it was asked of.
    fn probe_error(self) -> ProbeError {
        match self {
            Unanswered::Failed(why) | Unanswered::Lasting(why) | Unanswered::Stopped(why) => failed(why),
            Unanswered::Redirect(why, help) => ProbeError::Redirect { why, help },
        }
    }
}

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unanswered::Failed(why)
            | Unanswered::Lasting(why)
            | Unanswered::Stopped(why)
            | Unanswered::Redirect(why, _) => f.write_str(why),
        }
    }
}

/// Asks `url` with `ask` (one request), and each redirect of it that
/// [`crate::url::redirect::follow`] allows: a server never leads the
/// prober from a public URL into this computer or a private network.
fn send(
    url: &str,
    ask: impl FnMut(&url::Url) -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<ureq::http::Response<ureq::Body>, Unanswered> {
    use crate::url::redirect::Unfollowed;
    match crate::url::redirect::follow(url, ask, |_| {}) {
        Ok((r, _)) => Ok(r),
        Err(Unfollowed::Failed(e)) if lasting(&e) => Err(Unanswered::Lasting(crate::url::request_failed(&e))),
        Err(Unfollowed::Failed(e)) => Err(Unanswered::Failed(crate::url::request_failed(&e))),
        Err(e) => match e.help() {
            Some(help) => Err(Unanswered::Redirect(e.to_string(), help)),
            None => Err(Unanswered::Stopped(e.to_string())),
        },
    }
}

/// GET `url` with `Range: bytes=range` (its redirects followed by
/// [`send`]), again after a timeout, a failed connection or a 5xx answer:
/// four tries, 0.2, 0.8 and 3.2 s apart, all by `deadline` if there is one
/// (its body read by then too).
fn get_range(
    agent: &ureq::Agent,
    url: &str,
    range: &str,
    deadline: Option<Instant>,
) -> Result<ureq::http::Response<ureq::Body>, Unanswered> {
    let mut wait = Duration::from_millis(200);
    let mut tries = 0;
    loop {
        tries += 1;
        let ask = |at: &url::Url| {
            let request = agent.get(at.as_str()).header("Range", format!("bytes={range}"));
            match deadline.map(|d| d.saturating_duration_since(Instant::now())) {
                Some(left) if left.is_zero() => Err(ureq::Error::Timeout(ureq::Timeout::Global)),
                Some(left) => request.config().timeout_global(Some(left)).build().call(),
                None => request.call(),
            }
        };
        let why = match send(url, ask) {
            Ok(r) if r.status().is_server_error() => format!("the server answered {}", r.status()),
            Ok(r) => return Ok(r),
            Err(Unanswered::Failed(why)) => why,
            Err(stopped) => return Err(stopped),
        };
        let past = deadline.is_some_and(|d| Instant::now() + wait >= d);
        let unanswered = why.starts_with(crate::url::NO_ANSWER) && tries >= TRIES_UNANSWERED;
        if tries == 4 || past || unanswered {
            return Err(Unanswered::Failed(format!("{why} (tried {tries} time{})", crate::text::plural(tries))));
        }
        std::thread::sleep(wait);
        wait *= 4;
    }
}

/// Whether asking again cannot mend `e`: a host no name server knows, a
/// TLS failure (a certificate refused), an answer that is no HTTP or whose
/// headers are past the limits (a timeout, a refused or dropped
/// connection, may pass: those are asked again).
fn lasting(e: &ureq::Error) -> bool {
    use ureq::Error as E;
    match e {
        E::HostNotFound
        | E::BadUri(_)
        | E::Http(_)
        | E::Protocol(_)
        | E::Tls(_)
        | E::Rustls(_)
        | E::TlsRequired
        | E::RequireHttpsOnly(_)
        | E::LargeResponseHeader(..) => true,
        E::Io(io) => io.to_string().contains("failed to lookup address"),
        _ => false,
    }
}

fn header(r: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    r.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// A hosted file that cannot be read, and why (its URL is said by who
/// reports it, once).
fn failed(why: impl std::fmt::Display) -> ProbeError {
    ProbeError::Io(why.to_string())
}

impl Remote {
    /// `None`: the server does not answer `Range` and the budget is
    /// limited (the file would be read whole).
    fn open(
        url: &str,
        agent: ureq::Agent,
        deadline: Option<Instant>,
        budget: u64,
    ) -> Result<Option<Opened>, ProbeError> {
        let mut got = get_range(&agent, url, &format!("0-{}", BLOCK - 1), deadline).map_err(Unanswered::probe_error)?;
        let status = got.status().as_u16();
        let mut hosted = Hosted {
            size: 0,
            etag: header(&got, "etag"),
            last_modified: header(&got, "last-modified"),
            content_type: header(&got, "content-type"),
            whole: false,
        };
        match status {
            206 => {
                let range = header(&got, "content-range").ok_or_else(|| failed("206 without Content-Range"))?;
                let (start, _, total) =
                    parse_content_range(&range).ok_or_else(|| failed(format!("Content-Range \"{range}\"")))?;
                let total = total.ok_or_else(|| failed("the server does not say the file's size"))?;
                if start != 0 {
                    return Err(failed(format!("asked for its start, the server answered {range}")));
                }
                let body = read_body(&mut got, BLOCK).map_err(failed)?;
                hosted.size = total;
                let traffic = Traffic { requests: 1, bytes: body.len() as u64 };
                let len = body.len() as u64;
                let state =
                    State { chunks: VecDeque::from([(0, Arc::new(body))]), kept: len, traffic, last: (len, len) };
                let over = std::sync::atomic::AtomicBool::new(false);
                let shared =
                    Shared { url: url.to_string(), agent, deadline, hosted, state: Mutex::new(state), budget, over };
                Ok(Some(Opened::Ranged(Remote { shared: Arc::new(shared) })))
            }
            200 if budget < u64::MAX => Ok(None),
            200 => {
                // No ranges: the whole file, once, to disk.
                let mut file = tempfile::tempfile().map_err(failed)?;
                let n = io::copy(&mut got.body_mut().with_config().limit(WHOLE).reader(), &mut file).map_err(failed)?;
                hosted.size = n;
                hosted.whole = true;
                Ok(Some(Opened::Whole { file, hosted, traffic: Traffic { requests: 1, bytes: n } }))
            }
            // "Range Not Satisfiable" for its first byte: there is none.
            416 => Err(ProbeError::Empty),
            400..=499 => Err(ProbeError::Refused(status)),
            _ => Err(failed(format!("the server answered {status}"))),
        }
    }

    fn reader(&self) -> RemoteReader {
        RemoteReader { shared: self.shared.clone(), pos: 0 }
    }

    fn traffic(&self) -> Traffic {
        self.shared.state.lock().map(|s| s.traffic).unwrap_or_default()
    }
}

/// A reader of a file shared with other readers, each at its own place
/// (positioned reads: a cloned handle would share one offset).
struct ReadAt {
    file: Arc<std::fs::File>,
    len: u64,
    pos: u64,
}

impl ReadAt {
    fn new(file: Arc<std::fs::File>, len: u64) -> ReadAt {
        ReadAt { file, len, pos: 0 }
    }
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min(usize::try_from(self.len.saturating_sub(self.pos)).unwrap_or(usize::MAX));
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, &mut buf[..want], self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(&*self.file, &mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for ReadAt {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a seek before the start"))?;
        Ok(self.pos)
    }
}

impl MediaSource for ReadAt {
    fn is_seekable(&self) -> bool {
        true
    }
    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}

/// Reads at most `limit` bytes of a response's body.
fn read_body(r: &mut ureq::http::Response<ureq::Body>, limit: u64) -> io::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(limit.min(MAX_CHUNK) as usize);
    r.body_mut().with_config().limit(limit).reader().read_to_end(&mut body)?;
    Ok(body)
}

/// `bytes START-END/TOTAL` (TOTAL may be `*`).
fn parse_content_range(v: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (a, b) = span.split_once('-')?;
    let total = if total.trim() == "*" { None } else { Some(total.trim().parse().ok()?) };
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?, total))
}

/// Why bytes of a hosted file were not had: the transfer was dropped
/// partway (worth asking again), or the answer was not the bytes asked for.
enum Fetched {
    Dropped(io::Error),
    Refused(io::Error),
}

impl Shared {
    /// Bytes `pos..end` of the file, asked for once.
    fn fetch(&self, pos: u64, end: u64) -> Result<Vec<u8>, Fetched> {
        let refused = |why: String| Fetched::Refused(io::Error::other(why));
        let mut got = get_range(&self.agent, &self.url, &format!("{pos}-{}", end - 1), self.deadline)
            .map_err(|e| refused(e.to_string()))?;
        let range = header(&got, "content-range").and_then(|r| parse_content_range(&r));
        if got.status().as_u16() != 206 || range.map(|(a, _, _)| a) != Some(pos) {
            return Err(refused(format!(
                "asked for bytes {pos}-{}, the server answered {} {}",
                end - 1,
                got.status(),
                header(&got, "content-range").unwrap_or_default()
            )));
        }
        if range.and_then(|(_, _, total)| total).is_some_and(|t| t != self.hosted.size) {
            return Err(refused("the file changed while it was read".into()));
        }
        let body = read_body(&mut got, end - pos).map_err(Fetched::Dropped)?;
        if body.len() as u64 != end - pos {
            let why = format!("the server sent {} bytes of {}", body.len(), end - pos);
            return Err(Fetched::Dropped(io::Error::other(why)));
        }
        Ok(body)
    }

    /// The chunk holding byte `pos`, fetched if need be; with its start.
    fn chunk_at(&self, pos: u64) -> io::Result<(u64, Arc<Vec<u8>>)> {
        let mut state = self.state.lock().map_err(|_| io::Error::other("a reader failed"))?;
        if let Some((start, chunk)) =
            state.chunks.iter().find(|(start, chunk)| (*start..*start + chunk.len() as u64).contains(&pos))
        {
            return Ok((*start, chunk.clone()));
        }
        let len = match state.last {
            (end, len) if end == pos => (len * 2).clamp(BLOCK, MAX_CHUNK),
            _ => BLOCK,
        };
        // Up to the next chunk held (an MP3's tags at its end, read first):
        // no byte is fetched twice.
        let next = state.chunks.iter().map(|(start, _)| *start).filter(|start| *start > pos).min();
        let end = pos.saturating_add(len).min(self.hosted.size).min(next.unwrap_or(u64::MAX));
        if state.traffic.bytes.saturating_add(end - pos) > self.budget {
            self.over.store(true, std::sync::atomic::Ordering::Relaxed);
            return Err(io::Error::other("over the bytes it may read"));
        }
        // A transfer dropped partway (a connection reset, a proxy's
        // timeout) is asked for once more, as a download manager would.
        let body = match self.fetch(pos, end) {
            Err(Fetched::Dropped(_)) if self.deadline.is_none_or(|d| Instant::now() < d) => {
                state.traffic.requests += 1;
                self.fetch(pos, end)
            }
            other => other,
        };
        let body = body.map_err(|e| match e {
            Fetched::Dropped(e) | Fetched::Refused(e) => e,
        })?;
        let chunk = Arc::new(body);
        state.traffic.requests += 1;
        state.traffic.bytes += chunk.len() as u64;
        state.last = (end, end - pos);
        state.kept += chunk.len() as u64;
        state.chunks.push_back((pos, chunk.clone()));
        while state.kept > KEPT && state.chunks.len() > 1 {
            if let Some((_, old)) = state.chunks.pop_front() {
                state.kept -= old.len() as u64;
            }
        }
        Ok((pos, chunk))
    }
}

/// One reader of a hosted file (symphonia's [`MediaSource`]); the readers
/// of one file share its chunks.
struct RemoteReader {
    shared: Arc<Shared>,
    pos: u64,
}

impl Read for RemoteReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.pos >= self.shared.hosted.size {
            return Ok(0);
        }
        let (start, chunk) = self.shared.chunk_at(self.pos)?;
        let from = (self.pos - start) as usize;
        let n = buf.len().min(chunk.len() - from);
        buf[..n].copy_from_slice(&chunk[from..from + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RemoteReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let size = self.shared.hosted.size as i128;
        let pos = match to {
            SeekFrom::Start(n) => i128::from(n),
            SeekFrom::End(d) => size + i128::from(d),
            SeekFrom::Current(d) => i128::from(self.pos) + i128::from(d),
        };
        if pos < 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"));
        }
        self.pos = u64::try_from(pos).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "seek too far"))?;
        Ok(self.pos)
    }
}

impl MediaSource for RemoteReader {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.shared.hosted.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host that takes the connection and says nothing is asked twice,
    /// not four times (over two minutes, a build waiting on it).
    #[test]
    fn a_silent_host_is_asked_twice() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let taken = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = taken.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                held.push(stream);
            }
        });
        let url = format!("http://127.0.0.1:{port}/ep.mp3");
        let e = Prober::new(Duration::from_millis(300)).measure(&url).unwrap_err();
        assert!(e.to_string().contains("no answer in time") && e.to_string().contains("(tried 2 times)"), "{e}");
        assert_eq!(taken.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[test]
    fn content_ranges_are_read_strictly() {
        assert_eq!(parse_content_range("bytes 0-65535/744192"), Some((0, 65535, Some(744192))));
        assert_eq!(parse_content_range("bytes 10-20/*"), Some((10, 20, None)));
        for bad in ["0-1/2", "bytes 0-1", "bytes a-1/2", "bytes 0-1/x"] {
            assert_eq!(parse_content_range(bad), None, "{bad}");
        }
    }
}
