//! `import --download`: a show's media fetched into its folder, several at
//! once, each into `NAME.part` first (a download cut off is resumed with a
//! `Range` request the next time), then checked (its size against the
//! feed's `length`, then measured) and renamed into place. A file that
//! does not check out is reported, never hidden.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::progress::Progress;

/// One file to fetch.
#[derive(Debug, Clone)]
pub struct Fetch {
    /// Where it is.
    pub url: String,
    /// Where it goes (a new file in the show folder).
    pub path: PathBuf,
    /// The size the feed says (`length`), if it says one.
    pub length: Option<u64>,
    /// Audio, measured once fetched (a chapters or transcript file is
    /// checked when the manifest is read).
    pub audio: bool,
}

/// What fetching one file found wrong (the file was still kept if it
/// measures).
pub type Problem = String;

/// The largest file fetched.
const MAX: u64 = 8 << 30;

/// Fetches every file, `jobs` at once; returns what was wrong with each
/// (in order; `None`: fine). A file that could not be fetched or measured
/// is not left in place.
pub fn fetch_all(files: &[Fetch], jobs: usize, progress: &Arc<dyn Progress>) -> Vec<Option<Problem>> {
    use rayon::prelude::*;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(3600)))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!("podsmith/", env!("CARGO_PKG_VERSION"), " (import)"))
        .build()
        .into();
    progress.start("downloading", files.len() as u64);
    let one = |f: &Fetch| {
        let r = fetch(&agent, f);
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
fn fetch(agent: &ureq::Agent, f: &Fetch) -> Option<Problem> {
    let part = part_path(&f.path);
    match download(agent, &f.url, &part) {
        Ok(()) => {}
        Err(why) => return Some(format!("{}: {why}", f.url)),
    }
    let size = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let mut problem = None;
    if let Some(length) = f.length.filter(|l| *l > 0 && *l != size) {
        problem = Some(format!("{}: the feed says {length} bytes, the server sent {size}", f.url));
    }
    if f.audio
        && let Err(e) = crate::probe::probe_file(&part)
    {
        let _ = std::fs::remove_file(&part);
        return Some(format!("{}: {e}", f.url));
    }
    if let Err(e) = std::fs::rename(&part, &f.path) {
        return Some(format!("{}: cannot put it at {}: {e}", f.url, f.path.display()));
    }
    problem
}

fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

/// GET `url` into `part`, from where an earlier try stopped.
fn download(agent: &ureq::Agent, url: &str, part: &Path) -> Result<(), String> {
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
    let mut request = agent.get(url);
    if have > 0 {
        request = request.header("Range", format!("bytes={have}-"));
    }
    let mut resp = request.call().map_err(|e| crate::url::request_failed(&e))?;
    let status = resp.status().as_u16();
    let append = match status {
        206 if have > 0 => true,
        200 => false,
        416 if have > 0 => return Ok(()), // all there already
        _ => return Err(format!("the server answered {}", resp.status())),
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
        let n = body.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).map_err(|e| e.to_string())?;
    }
    file.sync_all().map_err(|e| e.to_string())
}
