//! `import --download`: a show's media fetched into its folder, several at
//! once, each into `NAME.part` first (a download cut off is resumed with a
//! `Range` request the next time), then checked (its size against the
//! feed's `length`, then measured) and renamed into place. A file that
//! does not check out is reported, never hidden.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::progress::Progress;

/// One file to fetch.
#[derive(Debug, Clone)]
pub struct Fetch {
    /// Where it is.
    pub url: String,
    /// Where it goes (a new file in the show folder).
    pub path: PathBuf,
    /// Its path in the show folder, as [`Record`] names it.
    pub rel: String,
    /// The size the feed says (`length`), if it says one.
    pub length: Option<u64>,
    /// Audio, measured once fetched (a chapters or transcript file is
    /// checked when the manifest is read).
    pub audio: bool,
}

/// What fetching one file found wrong (the file was still kept if it
/// measures), said (its URL first), and of what kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problem {
    /// What went wrong, with the file's URL.
    pub said: String,
    /// What kind of wrong, which decides what the import does of it.
    pub kind: ProblemKind,
}

/// What kind of wrong a [`Problem`] is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProblemKind {
    /// Anything else: the file may come at another run.
    #[default]
    Failed,
    /// Its server says it has no file there (404, 410).
    Gone,
    /// What its server sends is not audio podsmith can measure.
    NotAudio,
}

impl Problem {
    fn failed(said: String) -> Problem {
        Problem { said, kind: ProblemKind::Failed }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.said)
    }
}

/// The largest file fetched.
const MAX: u64 = 8 << 30;

/// How long a server may send nothing (to connect, to answer, between two
/// reads of a file) before its download stops as stalled: what was
/// fetched is kept, and the next run resumes it.
const IDLE: Duration = Duration::from_secs(30);

/// Fetches every file, `jobs` at once; returns what was wrong with each
/// (in order; `None`: fine). A file that could not be fetched or measured
/// is not left in place.
pub fn fetch_all(files: &[Fetch], jobs: usize, progress: &Arc<dyn Progress>, record: &Record) -> Vec<Option<Problem>> {
    fetch_all_within(files, jobs, progress, IDLE, record)
}

/// The files imports into a show folder fetched there (a JSON line each:
/// its path in the show, URL, size, written before it is put in place),
/// so that a run after one that was killed keeps them, and takes no other
/// file it finds there for an episode's.
pub struct Record(pub PathBuf);

/// One file of a [`Record`].
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Recorded {
    /// Its path in the show folder.
    pub rel: String,
    /// Where it was fetched from.
    pub url: String,
    /// Its size when it was put in place.
    pub size: u64,
}

impl Record {
    /// What it records (nothing if there is no record).
    pub fn read(&self) -> Vec<Recorded> {
        // Read as every record is: bounded, and what does not read is not used
        // (the files it named are then checked as anyone's would be).
        let text = crate::fsutil::read_string(&self.0, crate::fsutil::RECORD).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// `f`, fetched (`size` bytes): a line appended (the file is then fetched
    /// anew by a run after one killed, if that fails).
    fn add(&self, f: &Fetch, size: u64) {
        let Ok(mut line) = serde_json::to_string(&Recorded { rel: f.rel.clone(), url: f.url.clone(), size }) else {
            return;
        };
        line.push('\n');
        // Never through a link (the folder, or the file, or a hard link a
        // crafted show folder holds: the line would land outside it); if
        // not recorded, a run after a kill checks the file as anyone's.
        if self.0.parent().is_some_and(|dir| crate::show_lock::own_dir(dir).is_err()) {
            return;
        }
        // (One write of one line: files fetched at once never mix theirs.)
        let _ = crate::output::append_record_line(&self.0, line.as_bytes(), true);
    }
}

/// [`fetch_all`], a download stopping after `idle` without a byte.
fn fetch_all_within(
    files: &[Fetch],
    jobs: usize,
    progress: &Arc<dyn Progress>,
    idle: Duration,
    record: &Record,
) -> Vec<Option<Problem>> {
    use rayon::prelude::*;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        // (The files' own bytes, of the feed's lengths, resumed by range.)
        .accept_encoding("identity")
        .timeout_global(Some(Duration::from_secs(3600)))
        .timeout_connect(Some(idle))
        .timeout_recv_response(Some(idle))
        .timeout_per_read(Some(idle))
        .http_status_as_error(false)
        // (Followed by hand: see `get`.)
        .max_redirects(0)
        .user_agent(concat!("podsmith/", env!("CARGO_PKG_VERSION"), " (import)"))
        .build()
        .into();
    progress.start("downloading", files.len() as u64);
    let one = |f: &Fetch| {
        let r = fetch(&agent, f, idle, record);
        progress.advance(1);
        r
    };
    let out = match rayon::ThreadPoolBuilder::new().num_threads(jobs.clamp(1, 32)).build() {
        Ok(pool) => pool.install(|| files.par_iter().map(one).collect()),
        Err(_) => files.iter().map(one).collect(),
    };
    progress.finish();
    out
}

/// Fetches one file (resuming its `.part`), checks it, puts it in place.
fn fetch(agent: &ureq::Agent, f: &Fetch, idle: Duration, record: &Record) -> Option<Problem> {
    let part = part_path(&f.path);
    match download(agent, &f.url, &part) {
        Ok(()) => {}
        Err(Stop::Stalled) => {
            return Some(Problem::failed(format!(
                "{}: the server sent nothing for {} s (a stalled transfer; what came is kept, and the next run \
                 resumes it)",
                f.url,
                idle.as_secs()
            )));
        }
        Err(Stop::Failed(why)) => return Some(Problem::failed(format!("{}: {why}", f.url))),
        Err(Stop::Gone(status)) => {
            let said = format!("{}: the server answered {status}", f.url);
            return Some(Problem { said, kind: ProblemKind::Gone });
        }
    }
    let size = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let mut problem = None;
    if let Some(length) = f.length.filter(|l| *l > 0 && *l != size) {
        problem = Some(Problem::failed(format!("{}: the feed says {length} bytes, the server sent {size}", f.url)));
    }
    if f.audio
        && let Err(e) = crate::probe::probe_file(&part)
    {
        let _ = std::fs::remove_file(&part);
        return Some(Problem { said: format!("{}: {NOT_AUDIO} ({e})", f.url), kind: ProblemKind::NotAudio });
    }
    record.add(f, size);
    if let Err(e) = std::fs::rename(&part, &f.path) {
        return Some(Problem::failed(format!("{}: cannot put it at {}: {e}", f.url, f.path.display())));
    }
    problem
}

/// What a media file fetched whole that is no audio is said to be (no
/// run of the import would fetch another there).
pub(super) const NOT_AUDIO: &str = "what it serves is not audio podsmith can measure";

fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

/// Why a download stopped.
enum Stop {
    /// The server sent nothing for a while.
    Stalled,
    /// Its server says it has no file there: this status (404, 410).
    Gone(ureq::http::StatusCode),
    /// Anything else, said.
    Failed(String),
}

impl From<String> for Stop {
    fn from(why: String) -> Stop {
        Stop::Failed(why)
    }
}

/// Whether reading a body stopped for a timeout (ureq says so as an I/O
/// error of its own, or of the socket).
fn timed_out(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            .is_some_and(|u| matches!(u, ureq::Error::Timeout(_)))
}

/// GET `url` (with `range`), its redirects followed where
/// [`crate::url::redirect::follow`] lets them lead: a feed's word never
/// leads podsmith from a public host into this computer or a private
/// network (a cloud's metadata service), to save what answers there in
/// the show.
fn get(agent: &ureq::Agent, url: &str, range: Option<&str>) -> Result<ureq::http::Response<ureq::Body>, Stop> {
    use crate::url::redirect::Unfollowed;
    let send = |at: &::url::Url| {
        let mut request = agent.get(at.as_str());
        if let Some(range) = range {
            request = request.header("Range", range);
        }
        request.call()
    };
    match crate::url::redirect::follow(url, send, |_| {}) {
        Ok((resp, _)) => Ok(resp),
        Err(Unfollowed::Failed(ureq::Error::Timeout(_))) => Err(Stop::Stalled),
        Err(Unfollowed::Failed(e)) => Err(Stop::Failed(crate::url::request_failed(&e))),
        Err(e) => Err(Stop::Failed(e.to_string())),
    }
}

/// GET `url` into `part`, from where an earlier try stopped: a `.part`
/// is appended to only when the server's `Content-Range` starts where it
/// ends (a server that answers a `Range` with another part of the file,
/// or the whole of it, as `206`); otherwise it is dropped and the file
/// fetched whole.
fn download(agent: &ureq::Agent, url: &str, part: &Path) -> Result<(), Stop> {
    // A `.part` that is not a plain file (a link, put there by hand) is not
    // resumed through: it goes, and the file is fetched whole.
    let have = match std::fs::symlink_metadata(part) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => {
            std::fs::remove_file(part).map_err(|e| format!("{} is not a file podsmith left: {e}", part.display()))?;
            0
        }
        Err(_) => 0,
    };
    let range = (have > 0).then(|| format!("bytes={have}-"));
    let mut resp = get(agent, url, range.as_deref())?;
    let status = resp.status().as_u16();
    let range = resp.headers().get("content-range").and_then(|v| v.to_str().ok()).and_then(content_range);
    let append = match status {
        206 if have > 0 && range.is_some_and(|r| r.resumes(have)) => true,
        200 => false,
        // All there already, if the file is as long as the part.
        416 if have > 0 && range.is_some_and(|r| r.total == Some(have)) => return Ok(()),
        206 | 416 if have > 0 => {
            // Not the rest of this part: it is dropped, the file fetched whole.
            drop(resp);
            std::fs::remove_file(part).map_err(|e| format!("cannot remove {}: {e}", part.display()))?;
            return download(agent, url, part);
        }
        404 | 410 => return Err(Stop::Gone(resp.status())),
        _ => return Err(Stop::Failed(format!("the server answered {}", resp.status()))),
    };
    if let Some(dir) = part.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(part)
        .map_err(|e| e.to_string())?;
    let mut body = resp.body_mut().with_config().limit(MAX).reader();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n =
            body.read(&mut buf).map_err(|e| if timed_out(&e) { Stop::Stalled } else { Stop::Failed(e.to_string()) })?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).map_err(|e| e.to_string())?;
    }
    Ok(file.sync_all().map_err(|e| e.to_string())?)
}

/// A `Content-Range` header: the bytes sent (none for a `416`'s
/// `bytes */TOTAL`) and the file's length, if said.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ContentRange {
    sent: Option<(u64, u64)>,
    total: Option<u64>,
}

impl ContentRange {
    /// Whether these are the bytes after the first `have`: they start
    /// there, and end inside the file.
    fn resumes(self, have: u64) -> bool {
        self.sent.is_some_and(|(first, last)| first == have && last >= first && self.total.is_none_or(|t| last < t))
    }
}

/// `bytes FIRST-LAST/TOTAL` (`TOTAL` may be `*`), or `bytes */TOTAL`.
fn content_range(header: &str) -> Option<ContentRange> {
    let rest = header.trim().strip_prefix("bytes")?.trim_start();
    let (sent, total) = rest.split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    let sent = match sent.trim() {
        "*" => None,
        s => {
            let (first, last) = s.split_once('-')?;
            Some((first.trim().parse().ok()?, last.trim().parse().ok()?))
        }
    };
    (sent.is_some() || total.is_some()).then_some(ContentRange { sent, total })
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// A server that sends the start of a file, then nothing (a stalled
    /// transfer): the download stops after the idle time, not the hour a
    /// whole download may take, naming the URL; what came is kept for the
    /// next run to resume.
    #[test]
    fn a_stalled_download_stops_after_the_idle_time_naming_its_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/ep.mp3", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
            std::thread::sleep(Duration::from_secs(20));
        });
        let dir = tempfile::tempdir().unwrap();
        let file = super::Fetch {
            url: url.clone(),
            path: dir.path().join("ep.mp3"),
            rel: "ep.mp3".into(),
            length: None,
            audio: true,
        };
        let started = Instant::now();
        let progress: Arc<dyn crate::progress::Progress> = Arc::new(crate::progress::Silent);
        let record = super::Record(dir.path().join("record"));
        let found = super::fetch_all_within(&[file], 1, &progress, Duration::from_secs(1), &record);
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        let said = found[0].clone().unwrap_or_default().said;
        assert!(said.starts_with(&format!("{url}: the server sent nothing for 1 s")), "{said}");
        assert_eq!(std::fs::read(dir.path().join("ep.mp3.part")).unwrap(), b"0123456789");
    }

    /// A server that answers a resumed download's `Range` with `206` and
    /// the whole file (`Content-Range: bytes 0-999/1000`): the `.part` is
    /// not appended to (which made a file of half and whole, 1500 bytes),
    /// but dropped and the file fetched whole, as it is served.
    /// The record of what was fetched is read bounded and written never
    /// through a link (a crafted show's `.podsmith` leading outside).
    #[cfg(unix)]
    #[test]
    fn the_record_of_fetched_files_is_never_written_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        let show = dir.path().join("show");
        std::fs::create_dir(&show).unwrap();
        std::os::unix::fs::symlink(&outside, show.join(".podsmith")).unwrap();
        let f = super::Fetch {
            url: "https://h.example/ep.mp3".into(),
            path: show.join("media/ep.mp3"),
            rel: "media/ep.mp3".into(),
            length: None,
            audio: true,
        };
        let record = super::Record(show.join(".podsmith/import-fetched.jsonl"));
        record.add(&f, 10);
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
        assert!(record.read().is_empty());
        // A folder of its own takes it, and gives it back.
        std::fs::remove_file(show.join(".podsmith")).unwrap();
        record.add(&f, 10);
        assert_eq!(record.read(), [super::Recorded { rel: "media/ep.mp3".into(), url: f.url.clone(), size: 10 }]);
    }

    #[test]
    fn a_206_that_does_not_start_where_the_part_ends_is_not_appended() {
        let file: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/ep.mp3", listener.local_addr().unwrap());
        let served = file.clone();
        let asked = Arc::new(std::sync::Mutex::new(Vec::<bool>::new()));
        let log = asked.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(4) {
                let mut stream = stream.unwrap();
                let mut request = [0u8; 4096];
                let n = stream.read(&mut request).unwrap_or(0);
                let ranged = String::from_utf8_lossy(&request[..n]).to_ascii_lowercase().contains("\r\nrange:");
                log.lock().unwrap().push(ranged);
                let head = match ranged {
                    true => "206 Partial Content\r\nContent-Range: bytes 0-999/1000",
                    false => "200 OK",
                };
                let _ = write!(stream, "HTTP/1.1 {head}\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n");
                let _ = stream.write_all(&served);
            }
        });
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ep.mp3.part"), &file[..500]).unwrap();
        let path = dir.path().join("ep.mp3");
        let fetch = super::Fetch { url, path, rel: "ep.mp3".into(), length: Some(1000), audio: false };
        let progress: Arc<dyn crate::progress::Progress> = Arc::new(crate::progress::Silent);
        let record = super::Record(dir.path().join("record"));
        let found = super::fetch_all_within(&[fetch], 1, &progress, Duration::from_secs(5), &record);
        assert_eq!(found, [None]);
        assert_eq!(std::fs::read(dir.path().join("ep.mp3")).unwrap(), file);
        assert!(!dir.path().join("ep.mp3.part").exists());
        assert_eq!(*asked.lock().unwrap(), [true, false], "resumed, then fetched whole");
    }

    /// Content-Range as servers write it, and which of them resume a part.
    #[test]
    fn content_ranges_resume_a_part_only_from_its_end() {
        use super::{ContentRange, content_range};
        assert_eq!(
            content_range("bytes 500-999/1000"),
            Some(ContentRange { sent: Some((500, 999)), total: Some(1000) })
        );
        assert_eq!(content_range("bytes */1000"), Some(ContentRange { sent: None, total: Some(1000) }));
        assert_eq!(content_range("bytes 500-999/*"), Some(ContentRange { sent: Some((500, 999)), total: None }));
        for bad in ["", "bytes", "items 0-1/2", "bytes 1-/2", "bytes */*", "bytes a-b/c"] {
            assert_eq!(content_range(bad), None, "{bad}");
        }
        let resumes = |h: &str, have: u64| content_range(h).is_some_and(|r| r.resumes(have));
        assert!(resumes("bytes 500-999/1000", 500) && resumes("bytes 500-999/*", 500));
        assert!(!resumes("bytes 0-999/1000", 500), "the whole file");
        assert!(!resumes("bytes 400-999/1000", 500) && !resumes("bytes 600-999/1000", 500));
        assert!(!resumes("bytes 500-1000/1000", 500), "past its end");
        assert!(!resumes("bytes */1000", 500));
    }
}
