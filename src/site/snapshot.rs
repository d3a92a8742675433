//! The state of the files a build reads and writes, looked at once.
//!
//! A build of a big show asks the same questions of tens of thousands of
//! files: is the page as the last build left it, is this file someone
//! else's, is the published media file the show's own (a hard link), what
//! size and time to record. Each file is looked at once, when the build
//! starts planning (under the show's lock), and every step asks the
//! snapshot; only the files the build writes are looked at again.

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};

use crate::output::Site;

/// What the files of a build looked like when it started planning.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Each file of the site in the output folder, by site index (not
    /// following a link); `None` where there is none.
    outputs: Vec<Option<Metadata>>,
    /// The show's media and image files, by path (as the build's inputs
    /// were fingerprinted).
    sources: HashMap<PathBuf, Metadata>,
}

impl Snapshot {
    /// A snapshot of the show's files as already looked at (the inputs).
    pub fn of_sources(sources: HashMap<PathBuf, Metadata>) -> Snapshot {
        Snapshot { outputs: Vec::new(), sources }
    }

    /// Looks at every file of `site` under `out`.
    pub fn look_at_outputs(&mut self, site: &Site, out: &Path) {
        self.outputs = site.files.iter().map(|f| std::fs::symlink_metadata(out.join(&f.rel)).ok()).collect();
    }

    /// Site file `i` in the output folder as it was.
    pub fn output(&self, i: usize) -> Option<&Metadata> {
        self.outputs.get(i)?.as_ref()
    }

    /// Its size and time, if it was a regular file.
    pub fn output_stamp(&self, i: usize) -> Option<(u64, u128)> {
        crate::fsutil::size_and_time(self.output(i)?)
    }

    /// A file of the show, as it was (following links, as the show's files
    /// are read); looked at now if the snapshot does not have it.
    pub fn source(&self, path: &Path) -> Option<Metadata> {
        match self.sources.get(path) {
            Some(m) => Some(m.clone()),
            None => std::fs::metadata(path).ok(),
        }
    }

    /// The show's files as looked at, by path.
    pub fn sources(&self) -> &HashMap<PathBuf, Metadata> {
        &self.sources
    }

    /// Whether site file `i` was the file `src` itself (a hard link to it).
    pub fn is_link_to(&self, i: usize, src: &Path) -> bool {
        let Some(dest) = self.output(i) else { return false };
        match self.sources.get(src) {
            Some(s) => same_file(dest, s),
            None => std::fs::metadata(src).is_ok_and(|s| same_file(dest, &s)),
        }
    }
}

/// Whether `dest` (a regular file) is the file `src` is (Unix: the same
/// inode; elsewhere never known, so the caller looks further).
#[cfg(unix)]
pub fn same_file(dest: &Metadata, src: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    dest.is_file() && dest.dev() == src.dev() && dest.ino() == src.ino()
}

/// Whether `dest` is the file `src` is: never known here.
#[cfg(not(unix))]
pub fn same_file(_dest: &Metadata, _src: &Metadata) -> bool {
    false
}
