//! `podsmith serve`: the show previewed as listeners will see it. It is
//! built into a folder of its own (`.podsmith/preview/`, never `public/`,
//! never `podsmith.lock`: the preview keeps a lock of its own), with `base_url` set to the local
//! address so every link, enclosure and feed URL works here; served over
//! HTTP with the right types and `Range` answers (so the audio seeks);
//! rebuilt when a file of the show changes (the show folder is looked at
//! every 300 ms, its media files by size and time every 3 s: no watcher
//! to set up, nothing missed on network disks),
//! and the open pages reload. A build that fails keeps the last good site
//! served and shows the error over every page until it is fixed.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// The show's manifest.
    pub manifest: PathBuf,
    /// The address to listen on (`127.0.0.1`; `0.0.0.0` for a phone on the
    /// same network).
    pub bind: String,
    /// The port (0: any free one).
    pub port: u16,
    /// The host name the site's URLs use (default: the bind address, or
    /// 127.0.0.1 for 0.0.0.0).
    pub host: Option<String>,
}

/// The preview's state, as pages ask for it.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct State {
    /// Counts good builds: a page that saw another reloads.
    generation: u64,
    /// The last build's error, if it failed (the site served is the last good one).
    error: Option<String>,
}

/// The script put into every page served: reloads on a new build, shows
/// a failed build's error.
const RELOAD: &str = r#"<script>
(function () {
  var seen = null;
  function tick() {
    fetch("/__podsmith/state").then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.generation !== seen) { location.reload(); return; }
      seen = s.generation;
      var box = document.getElementById("podsmith-error");
      if (s.error) {
        if (!box) {
          box = document.createElement("pre");
          box.id = "podsmith-error";
          box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60%;overflow:auto;margin:0;padding:1em;background:#5a0b0b;color:#fff;z-index:2147483647;white-space:pre-wrap;font:14px/1.4 monospace";
          document.body.appendChild(box);
        }
        box.textContent = s.error;
      } else if (box) {
        box.remove();
      }
    }).catch(function () {}).then(function () { setTimeout(tick, 700); });
  }
  tick();
})();
</script>
</body>"#;

/// A build of the preview: `Ok` when the site is built (with what to say,
/// or `None` when the build found nothing changed), else what to show.
pub type Build = dyn Fn(&Path, &crate::site::Preview) -> Result<Option<String>, String> + Send + Sync;

/// Serves the show until the process is stopped. `build(out, preview)`
/// builds the preview into `out` (its address, lock and record: its own,
/// in `.podsmith/preview/`); `tell` is told what happens
/// (the address, each rebuild). Returns only if the server cannot start.
pub fn serve(opts: &Options, build: Arc<Build>, tell: Arc<dyn Fn(String) + Send + Sync>) -> std::io::Result<()> {
    let (listener, base, note) = listen(opts)?;
    // In the show's own .podsmith/ (kept between runs: the next `serve`
    // starts from it, and nothing is left in the system's temporary folder).
    let root = crate::manifest::root_of(&opts.manifest);
    // Never through a link: both folders are podsmith's own.
    let records = root.join(crate::show_lock::RECORDS_DIR);
    crate::show_lock::own_dir(&records)?;
    let work = records.join(crate::show_lock::PREVIEW_DIR);
    crate::show_lock::own_dir(&work)?;
    // One preview of a show at a time: a second would build the same
    // folder at its own address, under the first one's pages.
    let _serving = serving_alone(&work, base.as_str())?;
    let out = work.join("site");
    let preview = crate::site::Preview { base_url: Some(base.clone()), lock: work.join("preview.lock"), state: work };
    let state = Arc::new(Mutex::new(State::default()));
    let rebuild = {
        let (state, build, tell, out) = (state.clone(), build.clone(), tell.clone(), out.clone());
        move || {
            let result = build(&out, &preview);
            let mut s = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match result {
                // A build that found nothing changed (a file beside the
                // show was written: a log of this very command, say) says
                // nothing and reloads nothing, unless it ends an error.
                Ok(summary) => {
                    let was_failing = s.error.take().is_some();
                    if summary.is_some() || was_failing {
                        s.generation += 1;
                    }
                    match summary {
                        Some(summary) => tell(summary),
                        None if was_failing => tell("Fixed: the preview is up to date again.".into()),
                        None => {}
                    }
                }
                // The same error again is not said again: a log of this
                // very command in the show folder would otherwise be
                // rebuilt for, and grow, as long as the error stays.
                Err(error) => {
                    if s.error.as_ref() != Some(&error) {
                        tell(error.clone());
                    }
                    s.error = Some(error);
                }
            }
        }
    };
    // Rebuilt when the show's files change: since the first look, taken
    // before the first build (a file saved while it runs, after it read
    // the file, is built again; a look taken after it would take the
    // saved file for what was built).
    let skip =
        vec![root.join(crate::site::DEFAULT_OUT), root.join(".podsmith"), root.join(".git"), root.join("target")];
    let first = (signature(&root, &skip, false), signature(&root, &skip, true));
    rebuild();
    tell(format!("Serving the preview at {base} (Ctrl-C stops it); public/ and podsmith.lock are left alone"));
    if let Some(note) = note {
        tell(note);
    }
    watch(root, skip, first, out.clone(), rebuild)?;
    let open = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if open.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= CONNECTIONS_MAX {
            open.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            continue;
        }
        let (out, state, done, own) = (out.clone(), state.clone(), open.clone(), base.host().to_string());
        let spawned = std::thread::Builder::new().name("podsmith-http".into()).spawn(move || {
            // The connection's place is free before the client sees it
            // closed: one that comes again at once is answered, not told to
            // come back.
            let held = stream.try_clone();
            let _ = answer(stream, &out, &state, &own);
            done.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            drop(held);
        });
        if spawned.is_err() {
            open.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    Ok(())
}

/// `--host` as the preview's URLs write it: a name or address alone (an
/// IPv6 address put in brackets); anything else (a scheme, a path, a
/// port: `a/b` made every URL `http://a/b:PORT/`) is refused.
fn given_host(host: &str) -> std::io::Result<String> {
    if let Ok(v6) = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::Ipv6Addr>() {
        return Ok(format!("[{v6}]"));
    }
    let plain = !host.is_empty() && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'));
    match plain {
        true => Ok(host.to_string()),
        false => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("--host \"{}\" is not a host name or address", host.escape_debug()),
        )),
    }
}

/// The preview's listener, bound as `opts` say, and its address; with a
/// note when other devices cannot reach it as it is named: it listens on
/// every address of the machine and its URLs name this one, or its URLs
/// name another host while it listens on this one alone.
fn listen(opts: &Options) -> std::io::Result<(TcpListener, crate::url::HttpUrl, Option<String>)> {
    // An IPv6 address as a URL writes it (`[::1]`) is taken too.
    let bind = match opts.bind.strip_prefix('[').and_then(|b| b.strip_suffix(']')) {
        Some(inner) => inner,
        None => opts.bind.as_str(),
    };
    let listener = TcpListener::bind((bind, opts.port))?;
    let port = listener.local_addr()?.port();
    let every_address = matches!(bind, "0.0.0.0" | "::");
    let host = opts.host.as_deref().map(given_host).transpose()?;
    let host = host.unwrap_or_else(|| match bind {
        "0.0.0.0" | "::" => "127.0.0.1".to_string(),
        // An IPv6 address is written in brackets in a URL.
        b if b.contains(':') && !b.starts_with('[') => format!("[{b}]"),
        b => b.to_string(),
    });
    let base = crate::url::HttpUrl::parse(&format!("http://{host}:{port}/")).map_err(|e| match &opts.host {
        // (Said as a refused --host is, with its help.)
        Some(h) => std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("--host \"{}\": the preview's address {e}", h.escape_debug()),
        ),
        None => std::io::Error::other(format!("the preview's address: {e}")),
    })?;
    let loopback = |name: &str| {
        let name = name.trim_start_matches('[').trim_end_matches(']');
        name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    };
    let note = match &opts.host {
        None if every_address => Some(format!(
            "note: the preview's feed and pages name {host}, which other devices cannot reach: to listen on a \
             phone, give --host this computer's address on the network (--host 192.168.1.20, say)"
        )),
        Some(_) if loopback(bind) && !loopback(&host) => Some(format!(
            "note: the preview listens on {bind} alone, which other devices cannot reach: for its feed and pages \
             to open at {host}, add --bind 0.0.0.0 (or --bind {host})"
        )),
        _ => None,
    };
    Ok((listener, base, note))
}

/// Watches the show in `root` (but the `skip` folders) on a thread of its
/// own, from the `first` looks (without and with the media files), and
/// calls `rebuild` when its files change.
fn watch(
    root: PathBuf,
    skip: Vec<PathBuf>,
    first: (u64, u64),
    site: PathBuf,
    rebuild: impl Fn() + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("podsmith-watch".into()).spawn(move || {
        let looks = || (signature(&root, &skip, false), signature(&root, &skip, true));
        // The last look without and with the media files.
        let (mut last, mut last_media) = first;
        // Whether the preview's site was there at the last look: removed
        // (`rm -rf .podsmith`, say), it is built again at once, not at
        // the next edit (every page was a 404 till then).
        let mut site_there = site.is_dir();
        for n in 1u64.. {
            std::thread::sleep(Duration::from_millis(300));
            let media = n % MEDIA_EVERY == 0;
            let now = signature(&root, &skip, media);
            let site_gone = std::mem::replace(&mut site_there, site.is_dir()) && !site_there;
            if now == if media { last_media } else { last } && !site_gone {
                continue;
            }
            // Let a save that writes in several steps finish; what
            // changes while the build runs is seen at the next look.
            std::thread::sleep(Duration::from_millis(100));
            (last, last_media) = looks();
            rebuild();
            site_there = site.is_dir();
        }
    })?;
    Ok(())
}

/// Media files are looked at every this many looks at the show folder (see
/// [`signature`]).
const MEDIA_EVERY: u64 = 10;

/// What tells that something changed in the show folder (but the skipped
/// folders): every folder's time and every file's name, size and time;
/// media files (a big show has thousands, and a look at each costs a
/// system call) only `with_media`, by name otherwise: one added, removed
/// or renamed is seen at once (its name, its folder's time), one written
/// over in place at the next look `with_media`. At 10,000 episodes a look
/// at every file took a sixth of a core, polled every 300 ms.
fn signature(root: &Path, skip: &[PathBuf], with_media: bool) -> u64 {
    // Each entry's hash is added in: the order folders list them in does
    // not matter.
    let mut h = 0u64;
    let fnv = crate::fsutil::fnv64_of;
    let stamp =
        |meta: &std::fs::Metadata| (meta.len().to_le_bytes(), crate::fsutil::mtime_ns(meta).unwrap_or(0).to_le_bytes());
    let mut stack = vec![root.to_path_buf()];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        if let Ok(meta) = std::fs::metadata(&dir) {
            let (len, time) = stamp(&meta);
            h = h.wrapping_add(fnv(&[dir.as_os_str().as_encoded_bytes(), &len, &time]));
        }
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.filter_map(Result::ok) {
            seen += 1;
            if seen > 200_000 {
                return h;
            }
            let path = e.path();
            if skip.contains(&path) {
                continue;
            }
            let name = path.as_os_str().as_encoded_bytes();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                stack.push(path);
                continue;
            }
            if !with_media && is_media(&path) {
                h = h.wrapping_add(fnv(&[name]));
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            let (len, time) = stamp(&meta);
            h = h.wrapping_add(fnv(&[name, &len, &time]));
        }
    }
    h
}

/// Whether a file is media by its extension (the many, big files of a show).
fn is_media(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    crate::probe::MEDIA_EXTENSIONS.contains(&ext.as_str())
}

/// The lock `serve` holds while it runs (in `work`, its own folder),
/// holding the address it serves at (`base`): a second `serve` of the show
/// is refused, naming the first's address.
fn serving_alone(work: &Path, base: &str) -> std::io::Result<std::fs::File> {
    use std::io::{Read, Seek, Write};
    let path = work.join("serving.lock");
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    let mut file = options.open(&path)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0)?;
            file.rewind()?;
            file.write_all(format!("{base}\n").as_bytes())?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            // (What the lock says is read as any record: bounded, and taken
            // only as an address.)
            let mut said = String::new();
            let _ = (&file).take(512).read_to_string(&mut said);
            let at = said
                .lines()
                .next()
                .filter(|l| l.starts_with("http://") && !l.chars().any(char::is_control) && !l.contains(' '))
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            Err(std::io::Error::new(
                std::io::ErrorKind::ResourceBusy,
                format!(
                    "another podsmith serve is previewing this show{at}: two previews would build one folder at two \
                     addresses"
                ),
            ))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Answers the requests of one connection to the preview of `out`, at
/// host `own` (see [`host_allowed`]).
fn answer(stream: TcpStream, out: &Path, state: &Mutex<State>, own: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(Paced { stream: stream.try_clone()?, until: Instant::now() });
    let mut w = Taken { stream, since: Instant::now(), taken: 0 };
    loop {
        // A connection that sends nothing (kept open after an answer, or
        // opened ahead by a browser) is closed after IDLE_TIME: it does not
        // hold one of the CONNECTIONS_MAX for a request's whole time.
        reader.get_mut().until = Instant::now() + IDLE_TIME;
        match reader.fill_buf() {
            Ok([]) => break,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) => break,
            Err(e) => return Err(e),
        }
        // Each request is read within REQUEST_TIME, however slowly it comes.
        reader.get_mut().until = Instant::now() + REQUEST_TIME;
        let Some(request) = read_request(&mut reader)? else { break };
        (w.since, w.taken) = (Instant::now(), 0);
        respond_to(&mut w, &request, out, state, own)?;
        if request.close {
            return Ok(());
        }
    }
    Ok(())
}

/// The longest a request may take to come in (its line and headers),
/// from its first byte.
const REQUEST_TIME: Duration = Duration::from_secs(30);
/// The longest a connection waits for the first byte of its next request
/// (an open page asks for the state every 700 ms on its own connection).
const IDLE_TIME: Duration = Duration::from_secs(5);
/// The longest a client may take to read [`WRITE_LEAST`] bytes of an
/// answer: one that stops reading (a phone gone from the network halfway
/// through an episode) does not hold its place for ever.
const WRITE_TIME: Duration = Duration::from_secs(30);
/// See [`WRITE_TIME`].
const WRITE_LEAST: u64 = 64 * 1024;
/// The most connections answered at once; more are told to come back.
const CONNECTIONS_MAX: usize = 64;

/// A connection read until a moment: a client that sends a byte now and
/// then does not hold it open past it.
struct Paced {
    stream: TcpStream,
    until: Instant,
}

impl std::io::Read for Paced {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// A connection written to by a client that must take [`WRITE_LEAST`]
/// bytes within each [`WRITE_TIME`] (a timeout on each write alone would
/// let a client that takes a few bytes now and then hold it for ever).
struct Taken {
    stream: TcpStream,
    /// When the client last took its share, and how much since.
    since: Instant,
    taken: u64,
}

impl Write for Taken {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.taken >= WRITE_LEAST {
            (self.since, self.taken) = (Instant::now(), 0);
        }
        let left = (self.since + WRITE_TIME).saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_write_timeout(Some(left))?;
        let n = self.stream.write(buf)?;
        self.taken += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

/// A request, as far as the preview reads it.
#[derive(Default)]
struct Request {
    method: String,
    target: String,
    /// The host it names (`Host`, or the authority of an absolute-form
    /// target), as sent.
    host: Option<String>,
    /// The byte range asked for.
    range: Option<ByteRange>,
    /// `If-Range`: the range is answered only if the file is this one.
    if_range: Option<String>,
    /// The connection closes after the answer.
    close: bool,
    /// A request that cannot be read: the status it is answered with.
    refused: Option<&'static str>,
}

/// A `Range: bytes=…` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteRange {
    /// From a byte, and up to one (included) if said: `500-`, `500-999`.
    From(u64, Option<u64>),
    /// The last so many bytes: `-500`.
    Last(u64),
}

impl ByteRange {
    /// The header's value (`bytes=0-99`), if it is one range podsmith
    /// answers; one that ends before it starts is not a range (RFC 9110:
    /// the whole file is sent).
    /// Several ranges, or one that does not read, are not answered as
    /// ranges either: the whole file is (RFC 9110 lets a server ignore them).
    fn parse(value: &str) -> Option<ByteRange> {
        let one = value.trim().strip_prefix("bytes=")?;
        if one.contains(',') {
            return None;
        }
        let (a, b) = one.split_once('-')?;
        let (a, b) = (a.trim(), b.trim());
        if a.is_empty() {
            return b.parse().ok().map(ByteRange::Last);
        }
        let a = a.parse::<u64>().ok()?;
        let b = match b {
            "" => None,
            b => Some(b.parse::<u64>().ok()?),
        };
        b.is_none_or(|b| b >= a).then_some(ByteRange::From(a, b))
    }

    /// The first and last byte of a file of `size` bytes, or `None` if the
    /// range is not in it (416).
    fn within(self, size: u64) -> Option<(u64, u64)> {
        if size == 0 {
            return None;
        }
        match self {
            ByteRange::From(a, _) if a >= size => None,
            ByteRange::From(a, b) => Some((a, b.unwrap_or(size - 1).min(size - 1))),
            ByteRange::Last(0) => None,
            ByteRange::Last(n) => Some((size.saturating_sub(n), size - 1)),
        }
    }
}

/// A line of a request, up to its line end: `Err` is the answer to a line
/// too long (`too_long`) or not UTF-8; `Ok(None)`, the connection ended.
fn request_line(
    reader: &mut impl BufRead,
    too_long: &'static str,
) -> std::io::Result<Result<Option<String>, &'static str>> {
    let mut bytes = Vec::new();
    let n = reader.by_ref().take(LINE_MAX).read_until(b'\n', &mut bytes)?;
    if !bytes.ends_with(b"\n") {
        return Ok(if n as u64 == LINE_MAX { Err(too_long) } else { Ok(None) });
    }
    Ok(String::from_utf8(bytes).map(Some).map_err(|_| BAD))
}

/// The longest line of a request read, line end included.
const LINE_MAX: u64 = 8192;
/// The most header lines a request may have.
const HEADERS_MAX: usize = 100;
const BAD: &str = "400 Bad Request";
const TOO_LONG: &str = "431 Request Header Fields Too Large";
/// The answer to a request line too long (RFC 9112: 414, its target is).
const URI_TOO_LONG: &str = "414 URI Too Long";

/// The next request of a connection (`None`: it ended). One that cannot be
/// read (a line too long or not UTF-8, too many headers, not HTTP/1) is
/// a request refused, answered so, and the connection closed; so is one
/// with a body, which the preview does not read.
fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<Request>> {
    let refused = |status| Ok(Some(Request { refused: Some(status), close: true, ..Request::default() }));
    let request = match request_line(reader, URI_TOO_LONG)? {
        Ok(Some(line)) => line,
        Ok(None) => return Ok(None),
        Err(status) => return refused(status),
    };
    let mut parts = request.split_whitespace();
    let (method, target, version) = (parts.next(), parts.next(), parts.next());
    let (Some(method), Some(target), Some(version), None) = (method, target, version, parts.next()) else {
        return refused(BAD);
    };
    if !version.starts_with("HTTP/1.") || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return refused(BAD);
    }
    let (mut range, mut if_range, mut host) = (None, None, None);
    let mut close = version == "HTTP/1.0";
    let mut headers = 0;
    loop {
        let line = match request_line(reader, TOO_LONG)? {
            Ok(Some(line)) => line,
            Ok(None) => return Ok(None),
            Err(status) => return refused(status),
        };
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        headers += 1;
        if headers > HEADERS_MAX {
            return refused(TOO_LONG);
        }
        let Some((name, value)) = line.split_once(':') else { return refused(BAD) };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            close |= value.eq_ignore_ascii_case("close");
        } else if name.eq_ignore_ascii_case("range") {
            range = ByteRange::parse(value);
        } else if name.eq_ignore_ascii_case("if-range") {
            if_range = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("host") {
            host = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || name.eq_ignore_ascii_case("content-length") && value != "0"
        {
            // A body follows, which is not read: the connection ends with the answer.
            close = true;
        }
    }
    // An absolute-form target (`GET http://127.0.0.1:8000/feed.xml`, as a
    // proxy is asked) names its host itself, whatever `Host` says (RFC 9112).
    let (target, host) = match absolute_form(target) {
        Some((authority, path)) => (path.to_string(), Some(authority.to_string())),
        None => (target.to_string(), host),
    };
    Ok(Some(Request { method: method.to_string(), target, host, range, if_range, close, refused: None }))
}

/// The authority and the path of an absolute-form request target
/// (`http://host:port/path?query`; the path `/` if it has none).
fn absolute_form(target: &str) -> Option<(&str, &str)> {
    let scheme_len = ["http://", "https://"]
        .iter()
        .find(|s| target.get(..s.len()).is_some_and(|t| t.eq_ignore_ascii_case(s)))?
        .len();
    let rest = &target[scheme_len..];
    let at = rest.find(['/', '?']).unwrap_or(rest.len());
    let path = match &rest[at..] {
        "" => "/",
        p if p.starts_with('?') => "/",
        p => p,
    };
    Some((&rest[..at], path))
}

/// Whether a request naming `host` (its `Host`, port and all) is one for
/// the preview, served at `own` (its URLs' host, port and all): that very
/// host, an address, `localhost` (and names under it), a name of the local
/// network (one label alone, or under `.local`). A public name is not:
/// a web page that has its name point at 127.0.0.1 (DNS rebinding) would
/// otherwise read the preview, and the show in it, as of its own site.
fn host_allowed(host: &str, own: &str) -> bool {
    let name_of = |h: &str| -> String {
        let h = h.trim();
        let name = match h.strip_prefix('[') {
            // [::1]:8000
            Some(v6) => v6.split(']').next().unwrap_or(v6),
            None => {
                h.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(h, |(n, _)| n)
            }
        };
        name.trim_end_matches('.').to_ascii_lowercase()
    };
    let name = name_of(host);
    name == name_of(own)
        || name.parse::<std::net::IpAddr>().is_ok()
        || !name.contains('.')
        || ["localhost", "local"].iter().any(|top| name.ends_with(&format!(".{top}")))
}

/// Answers `request`: a file of the site at `out` (a page with the
/// preview's reload script), or the preview's state; a request for
/// another host than the preview's (`own`; see [`host_allowed`]) is refused.
fn respond_to(
    w: &mut impl Write,
    request: &Request,
    out: &Path,
    state: &Mutex<State>,
    own: &str,
) -> std::io::Result<()> {
    if let Some(status) = request.refused {
        return write!(w, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    if let Some(host) = request.host.as_deref().filter(|h| !host_allowed(h, own)) {
        let body = format!(
            "The preview of this show is not served as \"{}\": open it at http://{own}/ \
             (or start podsmith serve with --host naming this name).\n",
            host.escape_debug()
        );
        return respond(
            w,
            "403 Forbidden",
            "text/plain; charset=utf-8",
            &[],
            body.as_bytes(),
            request.method == "HEAD",
        );
    }
    if request.method != "GET" && request.method != "HEAD" {
        let close = if request.close { "Connection: close\r\n" } else { "" };
        return write!(w, "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n{close}\r\n");
    }
    let head = request.method == "HEAD";
    let path = request.target.split(['?', '#']).next().unwrap_or("/");
    if path == "/__podsmith/state" {
        let s = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let body = serde_json::to_vec(&s).unwrap_or_default();
        return respond(w, "200 OK", "application/json", &[], &body, head);
    }
    // A folder asked for without its slash is sent to it with one: its
    // page's relative links (transcript.vtt) are relative to the folder.
    if path.len() > 1 && !path.ends_with('/') && file_for(out, &format!("{path}/")).is_some() {
        let query = request.target.get(path.len()..).unwrap_or("");
        // (One leading slash: `//episodes/x/` would name a host.)
        let extra = [format!("Location: /{}/{query}", path.trim_start_matches('/'))];
        return respond(w, "301 Moved Permanently", "text/plain; charset=utf-8", &extra, b"", head);
    }
    let Some(file) = file_for(out, path) else {
        // A page: one with the preview's script, which shows the build's
        // error (there may be no site yet) and reloads once it is built.
        if path.ends_with('/') || path.ends_with(".html") {
            let page = format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head><body>\n<p>This page is not in the preview (yet).</p>\n{RELOAD}</html>\n"
            );
            return respond(w, "404 Not Found", "text/html; charset=utf-8", &[], page.as_bytes(), head);
        }
        return respond(w, "404 Not Found", "text/plain; charset=utf-8", &[], b"not found\n", head);
    };
    let kind = content_type(&file);
    if !kind.starts_with("text/html") {
        return send_file(w, &file, kind, request, head);
    }
    let html = match crate::fsutil::read_string(&file, crate::fsutil::PAGE) {
        Ok(html) => html,
        Err(e) => {
            let body = format!("cannot read {}: {e}\n", file.display());
            let plain = "text/plain; charset=utf-8";
            return respond(w, "500 Internal Server Error", plain, &[], body.as_bytes(), head);
        }
    };
    // At the last `</body>`, in any case (ASCII: the same byte offsets),
    // or at the end of a page that leaves it out.
    let page = match html.to_ascii_lowercase().rfind("</body>") {
        Some(at) => format!("{}{RELOAD}{}", &html[..at], &html[at + 7..]),
        None => format!("{html}{RELOAD}"),
    };
    respond(w, "200 OK", kind, &[], page.as_bytes(), head)
}

/// The file of the site at URL path `path` (a folder's `index.html`), if
/// there is one inside `out`. A link in the site is followed only to a
/// file inside it: the preview serves the site and nothing else of the
/// machine (with `--bind 0.0.0.0`, the whole network asks).
fn file_for(out: &Path, path: &str) -> Option<PathBuf> {
    let rel = crate::text::decode_path(path.trim_start_matches('/'))?;
    if !rel.is_empty() && !crate::site::record::is_plain_relative(rel.trim_end_matches('/')) {
        return None;
    }
    let mut file = out.join(&rel);
    if rel.is_empty() || rel.ends_with('/') || file.is_dir() {
        file = file.join("index.html");
    }
    let meta = std::fs::symlink_metadata(&file).ok()?;
    if !(meta.is_file() || meta.file_type().is_symlink() && file.is_file()) {
        return None;
    }
    file.canonicalize().ok()?.starts_with(out.canonicalize().ok()?).then_some(file)
}

/// What a file of the site is served as: what `publish` gives it (see
/// [`crate::publish::headers`]), a feed as RSS.
fn content_type(file: &Path) -> &'static str {
    use crate::publish::Phase;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let feed =
        name != crate::site::SITEMAP && name.rsplit_once('.').is_some_and(|(_, e)| e.eq_ignore_ascii_case("xml"));
    crate::publish::headers(name, if feed { Phase::Feed } else { Phase::Page }).0
}

fn respond(
    w: &mut impl Write,
    status: &str,
    kind: &str,
    extra: &[String],
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    let mut h = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n",
        body.len()
    );
    for e in extra {
        h.push_str(e);
        h.push_str("\r\n");
    }
    h.push_str("\r\n");
    w.write_all(h.as_bytes())?;
    if !head {
        w.write_all(body)?;
    }
    w.flush()
}

/// A file, whole or the range the request asks for (206), streamed; with
/// its validators (`ETag`, `Last-Modified`), so that a player resuming a
/// download with `If-Range` gets the rest of the same file or, if it was
/// rebuilt meanwhile, the whole new one.
fn send_file(w: &mut impl Write, file: &Path, kind: &str, request: &Request, head: bool) -> std::io::Result<()> {
    let mut f = crate::fsutil::open(file)?;
    let meta = f.metadata()?;
    let size = meta.len();
    let modified = meta.modified().ok().map(chrono::DateTime::<chrono::Utc>::from);
    let etag = format!("\"{size:x}-{:x}\"", modified.map_or(0, |m| m.timestamp_nanos_opt().unwrap_or(0)));
    let last_modified = modified.map(|m| m.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    // A weak tag never matches (RFC 9110, 13.1.5); a date, only the file's own.
    let same_file = |v: &str| v == etag || Some(v) == last_modified.as_deref();
    let range = request.range.filter(|_| request.if_range.as_deref().is_none_or(same_file));
    let (status, start, end) = match range.map(|r| r.within(size)) {
        Some(None) => {
            let extra = [format!("Content-Range: bytes */{size}")];
            return respond(w, "416 Range Not Satisfiable", kind, &extra, b"", head);
        }
        Some(Some((a, b))) => ("206 Partial Content", a, b),
        None => ("200 OK", 0, size.saturating_sub(1)),
    };
    let len = if size == 0 { 0 } else { end - start + 1 };
    let mut h = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len}\r\nAccept-Ranges: bytes\r\nCache-Control: no-store\r\nETag: {etag}\r\n"
    );
    if let Some(date) = &last_modified {
        h.push_str(&format!("Last-Modified: {date}\r\n"));
    }
    if status.starts_with("206") {
        h.push_str(&format!("Content-Range: bytes {start}-{end}/{size}\r\n"));
    }
    h.push_str("\r\n");
    w.write_all(h.as_bytes())?;
    if !head && len > 0 {
        f.seek(SeekFrom::Start(start))?;
        std::io::copy(&mut f.take(len), w)?;
    }
    w.flush()
}

/// The preview's answers as the fuzzer drives them (see [`crate::fuzzing`]).
#[doc(hidden)]
pub mod fuzz {
    use super::*;

    /// A site of a few files (a page, a small and an empty medium, a feed),
    /// made once.
    fn site() -> Option<&'static Path> {
        static SITE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
        crate::fuzzing::scratch_dir(&SITE, "serve", |dir| {
            std::fs::create_dir_all(dir.join("episodes/one"))?;
            std::fs::create_dir_all(dir.join("media"))?;
            std::fs::write(dir.join("index.html"), "<!DOCTYPE html><html><body><p>hi</p></body></html>")?;
            std::fs::write(dir.join("episodes/one/index.html"), "<html><body>one</body></html>")?;
            std::fs::write(dir.join("media/a.mp3"), [0u8; 100])?;
            std::fs::write(dir.join("media/empty.ogg"), [])?;
            std::fs::write(dir.join("feed.xml"), "<rss/>")
        })
    }

    /// Requests (any bytes, as a connection sends them) read and answered,
    /// into a sink.
    pub fn serve(data: &[u8]) {
        let Some(out) = site() else { return };
        let state = Mutex::new(State::default());
        let mut reader = std::io::Cursor::new(data);
        let mut sink = std::io::sink();
        while let Ok(Some(request)) = read_request(&mut reader) {
            if respond_to(&mut sink, &request, out, &state, "127.0.0.1:8000").is_err() || request.close {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A client that sends a byte now and then does not hold a request
    /// open past its time.
    #[test]
    fn a_request_coming_in_a_byte_at_a_time_ends_at_its_time() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let sender = std::thread::spawn(move || {
            let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
            for b in b"GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
                if client.write_all(&[*b]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(40));
            }
        });
        let (stream, _) = listener.accept().unwrap();
        let started = Instant::now();
        let mut reader = BufReader::new(Paced { stream, until: started + Duration::from_millis(500) });
        let read = read_request(&mut reader);
        assert!(
            read.is_err_and(|e| e.kind() == std::io::ErrorKind::TimedOut || e.kind() == std::io::ErrorKind::WouldBlock)
        );
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        drop(reader);
        sender.join().unwrap();
    }

    /// The types the preview sends are the ones a publish puts on the same
    /// files (WebP cover art too).
    #[test]
    fn the_preview_types_files_as_publish_does() {
        for key in ["media/a.mp3", "media/a.ogg", "media/art.webp", "media/a.jpg", "media/a.png"] {
            let published = crate::publish::headers(key, crate::publish::Phase::Media).0;
            assert_eq!(content_type(Path::new(key)), published, "{key}");
        }
    }

    #[test]
    fn a_file_saved_while_the_first_build_runs_is_built_again() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("episodes.toml");
        std::fs::write(&manifest, "# as built\n").unwrap();
        let builds = Arc::new(AtomicUsize::new(0));
        let counted = builds.clone();
        let saved = manifest.clone();
        // The first build: the manifest is saved anew once it was read.
        let build: Arc<Build> = Arc::new(move |_: &Path, _: &crate::site::Preview| {
            if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                std::fs::write(&saved, "# saved while the first build ran\n").unwrap();
            }
            Ok(Some("built".to_string()))
        });
        let opts = Options { manifest, bind: "127.0.0.1".into(), port: 0, host: None };
        std::thread::spawn(move || serve(&opts, build, Arc::new(|_| {})));
        let started = std::time::Instant::now();
        while builds.load(Ordering::SeqCst) < 2 {
            assert!(started.elapsed() < Duration::from_secs(20), "the file saved during the first build was not built");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `podsmith serve 2> serve.log` in the show folder: what it says
    /// changes a file of the show; a build that then finds nothing changed
    /// says nothing, so it does not go round for ever.
    #[test]
    fn a_log_of_serve_in_the_show_folder_does_not_rebuild_for_ever() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("episodes.toml");
        std::fs::write(&manifest, "# as built\n").unwrap();
        let builds = Arc::new(AtomicUsize::new(0));
        let counted = builds.clone();
        let build: Arc<Build> = Arc::new(move |_: &Path, _: &crate::site::Preview| {
            // The first build writes; the others find nothing changed.
            Ok((counted.fetch_add(1, Ordering::SeqCst) == 0).then(|| "built".to_string()))
        });
        let log = dir.path().join("serve.log");
        let tell = Arc::new(move |line: String| {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
            writeln!(f, "{line}").unwrap();
        });
        let opts = Options { manifest, bind: "127.0.0.1".into(), port: 0, host: None };
        std::thread::spawn(move || serve(&opts, build, tell));
        std::thread::sleep(Duration::from_millis(3000));
        let n = builds.load(Ordering::SeqCst);
        assert!((2..=3).contains(&n), "{n} builds: the log's own lines were built again and again");
    }

    /// The same, for a build that fails: the error is said once, not
    /// again at each build its own line in the log makes.
    #[test]
    fn a_log_of_serve_in_the_show_folder_does_not_say_the_same_error_for_ever() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("episodes.toml");
        std::fs::write(&manifest, "x = \n").unwrap();
        let builds = Arc::new(AtomicUsize::new(0));
        let counted = builds.clone();
        let build: Arc<Build> = Arc::new(move |_: &Path, _: &crate::site::Preview| {
            counted.fetch_add(1, Ordering::SeqCst);
            Err("error: episodes.toml:1: a value is missing".to_string())
        });
        let log = dir.path().join("serve.log");
        let written = log.clone();
        let tell = Arc::new(move |line: String| {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&written).unwrap();
            writeln!(f, "{line}").unwrap();
        });
        let opts = Options { manifest, bind: "127.0.0.1".into(), port: 0, host: None };
        std::thread::spawn(move || serve(&opts, build, tell));
        std::thread::sleep(Duration::from_millis(3000));
        let said = std::fs::read_to_string(&log).unwrap();
        assert_eq!(said.matches("a value is missing").count(), 1, "{said}");
        let n = builds.load(Ordering::SeqCst);
        assert!((1..=3).contains(&n), "{n} builds: the log's own lines were built again and again");
    }
}
