//! The state of the files a build reads and writes, looked at once.
//!
//! A build of a big show asks the same questions of tens of thousands of
//! files: is the page as the last build left it, is this file someone
//! else's, is the published media file the show's own (a hard link), what
//! size and time to record. Each file is looked at once (under the show's
//! lock): the output files the last build recorded on a thread of their
//! own while the show is read and prepared ([`Looking`]), the rest when the
//! build starts planning; every step asks the snapshot, and only the files
//! the build writes are looked at again.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;

use crate::fsutil::Status;
use crate::output::Site;

/// What the files of a build looked like when it started planning.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Each file of the site in the output folder, by site index (not
    /// following a link); `None` where there is none.
    outputs: std::sync::OnceLock<Vec<Option<Status>>>,
    /// The show's media and image files, by path (as the build's inputs
    /// were fingerprinted).
    sources: Seen,
    /// The files the last build recorded, being looked at.
    looking: std::sync::Mutex<Looking>,
}

/// The files of the output folder that the last build recorded, looked at
/// on a thread of their own while the build reads and prepares the show
/// (a changed build of a big show looks at tens of thousands).
#[derive(Debug, Default)]
pub struct Looking {
    running: Option<std::thread::JoinHandle<HashMap<String, Option<Status>>>>,
    seen: HashMap<String, Option<Status>>,
}

impl Looking {
    /// Starts looking at files `rels` of the output folder `out` (not
    /// following links).
    pub fn start(out: &Path, rels: Vec<String>) -> Looking {
        let out = out.to_path_buf();
        let look = move || {
            rels.into_iter()
                .map(|rel| {
                    let status = std::fs::symlink_metadata(out.join(&rel)).ok().map(|m| Status::of(&m));
                    (rel, status)
                })
                .collect()
        };
        let running = std::thread::Builder::new().name("podsmith-look".into()).spawn(look).ok();
        Looking { running, seen: HashMap::new() }
    }

    /// The files of the output folder, looked at already.
    pub fn done(seen: HashMap<String, Option<Status>>) -> Looking {
        Looking { running: None, seen }
    }

    /// File `rel` of the output folder as it was: `Some(None)` if there
    /// was none, `None` if it was not looked at.
    pub fn get(&mut self, rel: &str) -> Option<Option<Status>> {
        self.all().get(rel).copied()
    }

    /// Every file of the output folder looked at, by path (`None`: there
    /// was none), once the look is done.
    pub fn all(&mut self) -> &HashMap<String, Option<Status>> {
        if let Some(running) = self.running.take() {
            self.seen = running.join().unwrap_or_default();
        }
        &self.seen
    }
}

/// Files looked at, by path. A path is told by its bytes (not by its
/// components, which are slow to hash): the build names each file the same
/// way every time it asks.
#[derive(Debug, Default, Clone)]
pub struct Seen(HashMap<OsString, Status>);

impl From<HashMap<OsString, Status>> for Seen {
    fn from(looked: HashMap<OsString, Status>) -> Seen {
        Seen(looked)
    }
}

impl Seen {
    /// Takes note of file `path`.
    pub fn insert(&mut self, path: &Path, status: Status) {
        self.0.insert(path.as_os_str().to_owned(), status);
    }

    /// File `path` as it was looked at, if it was.
    pub fn get(&self, path: &Path) -> Option<Status> {
        self.0.get(path.as_os_str()).copied()
    }
}

impl Snapshot {
    /// A snapshot of the show's files as already looked at (the inputs).
    /// `looking`: the files the last build recorded, being looked at.
    pub fn of_sources(sources: Seen, looking: Looking) -> Snapshot {
        Snapshot { outputs: std::sync::OnceLock::new(), sources, looking: std::sync::Mutex::new(looking) }
    }

    /// Looks at every file of `site` under `out` (once: a snapshot that
    /// has looked keeps what it saw).
    pub fn look_at_outputs(&self, site: &Site, out: &Path) {
        use rayon::prelude::*;
        self.outputs.get_or_init(|| {
            let mut looking = self.looking.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
            let looked: Vec<Option<Option<Status>>> = site.files.iter().map(|f| looking.get(&f.rel)).collect();
            site.files
                .par_iter()
                .zip(looked)
                .map(|(f, looked)| {
                    looked.unwrap_or_else(|| std::fs::symlink_metadata(out.join(&f.rel)).ok().map(|m| Status::of(&m)))
                })
                .collect()
        });
    }

    /// Forgets the show's files (they are looked at again if asked for).
    pub fn forget_sources(&mut self) {
        self.sources = Seen::default();
    }

    /// Site file `i` in the output folder as it was.
    pub fn output(&self, i: usize) -> Option<Status> {
        *self.outputs.get()?.get(i)?
    }

    /// Its size and time, if it was a regular file.
    pub fn output_stamp(&self, i: usize) -> Option<(u64, u128)> {
        self.output(i)?.stamp()
    }

    /// A file of the show, as it was (following links, as the show's files
    /// are read); looked at now if the snapshot does not have it.
    pub fn source(&self, path: &Path) -> Option<Status> {
        match self.sources.get(path) {
            Some(s) => Some(s),
            None => std::fs::metadata(path).ok().map(|m| Status::of(&m)),
        }
    }

    /// Whether site file `i` was the file `src` itself (a hard link to it).
    pub fn is_link_to(&self, i: usize, src: &Path) -> bool {
        self.output(i).zip(self.source(src)).is_some_and(|(dest, src)| dest.same_file(&src))
    }
}
