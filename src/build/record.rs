//! `.podsmith/build.json`: what the last build read and wrote, so that a
//! build whose inputs and outputs are all as they were can say "nothing
//! changed" without probing, rendering or validating again.
//!
//! The inputs are fingerprinted: podsmith's version, the manifest's text,
//! the templates, the output folder, which episodes are live at this moment,
//! and the size and modification time of every media and image file. The
//! outputs are checked by size and modification time. Anything different,
//! missing or unreadable means a full build.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::manifest::{Asset, Show};

/// The record's path, relative to the show folder.
pub const RECORD_PATH: &str = ".podsmith/build.json";

/// What a full build leaves for the next one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    /// Fingerprint of everything the build read.
    pub inputs: String,
    /// The output folder it wrote to.
    #[serde(default)]
    pub out: PathBuf,
    /// Every file written under the output folder: (size, mtime in ns).
    pub outputs: BTreeMap<String, (u64, u128)>,
    /// The summary of that build, to repeat.
    pub summary: Summary,
}

/// What the build said, to say it again.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Live episodes.
    pub episodes: usize,
    /// Feed file names.
    pub feeds: Vec<String>,
    /// Pages.
    pub pages: usize,
    /// Media and image files.
    pub files: usize,
    /// Media files (all probed or cached).
    pub media: usize,
    /// Warnings it printed.
    pub warnings: Vec<String>,
}

fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), mtime))
}

/// The inputs' fingerprint; `None` when a file cannot be read (then build fully).
pub fn fingerprint(
    show: &Show,
    manifest_text: &str,
    templates: &Path,
    out: &Path,
    now: DateTime<Utc>,
) -> Option<String> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    manifest_text.hash(&mut h);
    out.hash(&mut h);
    if let Ok(entries) = std::fs::read_dir(templates) {
        let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        names.sort();
        for p in names {
            p.hash(&mut h);
            crate::fsutil::read(&p, crate::fsutil::TEMPLATE).ok()?.hash(&mut h);
        }
    }
    let mut files: Vec<&Path> = Vec::new();
    if let Asset::Local(f) = &show.podcast.image {
        files.push(&f.path);
    }
    for e in &show.episodes {
        // Which episodes are live changes with the clock.
        (e.date.with_timezone(&Utc) <= now).hash(&mut h);
        files.extend(e.media.iter().map(|m| m.path.as_path()));
        if let Some(Asset::Local(f)) = &e.image {
            files.push(&f.path);
        }
    }
    for f in files {
        f.hash(&mut h);
        stamp(f)?.hash(&mut h);
    }
    Some(format!("{:016x}", h.finish()))
}

impl Record {
    /// The record in the show folder `root`, if there is a usable one.
    pub fn read(root: &Path) -> Option<Record> {
        serde_json::from_slice(&crate::fsutil::read(&root.join(RECORD_PATH), crate::fsutil::RECORD).ok()?).ok()
    }

    /// Whether every output is still as this build left it.
    pub fn outputs_intact(&self, out: &Path) -> bool {
        !self.outputs.is_empty() && self.outputs.iter().all(|(rel, s)| stamp(&out.join(rel)).as_ref() == Some(s))
    }

    /// Records the outputs of a build that has just written `rels` under `out`.
    pub fn new(inputs: String, out: &Path, rels: impl Iterator<Item = String>, summary: Summary) -> Record {
        let outputs = rels.filter_map(|rel| stamp(&out.join(&rel)).map(|s| (rel, s))).collect();
        Record { inputs, out: out.to_path_buf(), outputs, summary }
    }

    /// Saves the record (a failure only costs a full build next time).
    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        crate::output::write_bytes(&root.join(RECORD_PATH), &json).map(|_| ())
    }
}
