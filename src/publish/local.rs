//! The site as the build left it: its files, from the build record, with
//! what is to be published of each (see [`LocalSite`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Phase, PublishError, digests, headers, plan, record};
use crate::diagnostic::Diagnostic;
use crate::progress::Progress;

/// The site as built: its output folder and files.
pub(super) struct LocalSite {
    /// The output folder.
    pub(super) root: PathBuf,
    /// Its files, with what is to be published of each.
    pub(super) files: Vec<plan::LocalFile>,
    /// The size and time of each big file (see [`record::Entry::sha256`]).
    pub(super) stamps: HashMap<String, (u64, u128)>,
}

impl LocalSite {
    /// Gives each big file the SHA-256 of all its bytes where the plan
    /// needs it: where `record` says podsmith published a file of that
    /// size and fingerprint (only all of its bytes tell whether it changed).
    /// Taken from the show's digest cache if the file has not changed on
    /// disk since, else read (and cached).
    pub(super) fn digests(
        &mut self,
        record: Option<&record::Published>,
        cache: &mut digests::Digests,
        progress: &dyn Progress,
    ) -> Result<(), PublishError> {
        use rayon::prelude::*;
        let mut to_read = Vec::new();
        for (n, f) in self.files.iter_mut().enumerate() {
            let Some(&stamp) = self.stamps.get(&f.key) else { continue };
            if let Some(sha) = cache.get(&f.key, stamp) {
                f.entry.sha256 = Some(sha.to_string());
                continue;
            }
            let was = record.and_then(|r| r.objects.get(&f.key).or_else(|| r.pending.get(&f.key)));
            if was.is_some_and(|w| w.size == f.entry.size && w.fingerprint == f.entry.fingerprint) {
                to_read.push(n);
            } // else it goes up: hashed as it does
        }
        if !to_read.is_empty() {
            // A clone without the cache reads every big file once: on every core.
            progress.start("hashing", to_read.iter().map(|&n| self.files[n].entry.size).sum());
            let read: Vec<Result<String, PublishError>> = to_read
                .par_iter()
                .map(|&n| {
                    let path = self.root.join(&self.files[n].key);
                    let sha = digests::of_file(&path).map_err(|e| {
                        PublishError::store(
                            Diagnostic::error("PUBLISH", format!("cannot read {}: {e}", path.display()))
                                .help("run podsmith publish again (it builds first)"),
                        )
                    });
                    progress.advance(self.files[n].entry.size);
                    sha
                })
                .collect();
            progress.finish();
            for (n, sha) in to_read.into_iter().zip(read) {
                let f = &mut self.files[n];
                let sha = sha?;
                cache.put(&f.key, self.stamps[&f.key], &sha);
                f.entry.sha256 = Some(sha);
            }
        }
        let stamps = &self.stamps;
        cache.retain(&|k| stamps.contains_key(k));
        Ok(())
    }

    /// The site files whose key holds, at the destination, an object of
    /// the file's size that podsmith did not publish (not in its `record`),
    /// or that a publish that did not finish was putting again (in the
    /// record, and pending in its note): where to ask whether it has the
    /// very same bytes (then it is not sent, see [`plan::make_with`]).
    pub(super) fn in_the_way(
        &self,
        record: Option<&record::Published>,
        listed: &HashMap<String, plan::Listed>,
    ) -> Vec<usize> {
        let known = |k: &str| record.is_some_and(|r| r.objects.contains_key(k) || r.pending.contains_key(k));
        let put_again = |k: &str| record.is_some_and(|r| r.objects.contains_key(k) && r.pending.contains_key(k));
        (0..self.files.len())
            .filter(|&n| {
                let f = &self.files[n];
                (!known(&f.key) || put_again(&f.key)) && listed.get(&f.key).is_some_and(|l| l.size == f.entry.size)
            })
            .collect()
    }

    /// Of the files `in_the_way`, those whose object holds the very same
    /// bytes: told by its ETag (`etags`: the MD5 S3 gives, whole or of its
    /// parts), or in a folder destination by reading both files. An earlier
    /// copy sent by another tool, or by podsmith with a record since lost,
    /// is so taken as it is.
    pub(super) fn identical(
        &self,
        in_the_way: &[usize],
        etags: &HashMap<String, String>,
        folder: Option<&Path>,
    ) -> std::collections::HashSet<String> {
        use rayon::prelude::*;
        in_the_way
            .par_iter()
            .filter_map(|&n| {
                let f = &self.files[n];
                let local = self.root.join(&f.key);
                let same = match folder {
                    // (A link is never taken for the file: it is someone else's.)
                    Some(folder) => {
                        let there = folder.join(&f.key);
                        !std::fs::symlink_metadata(&there).ok()?.file_type().is_symlink()
                            && crate::fsutil::same_content(&there, &local).ok()?
                    }
                    None => digests::holds_etag(&local, f.entry.size, etags.get(&f.key)?).ok()?,
                };
                same.then(|| f.key.clone())
            })
            .collect()
    }
}

/// The site the build just wrote, as it recorded it (`outputs`: every file
/// with its fingerprint, as the build found or left it; read from the build
/// record if not given, and then a file that is not as recorded is refused).
pub(super) fn local_site(
    manifest: &Path,
    built: &crate::site::Report,
    outputs: Option<std::collections::BTreeMap<String, crate::site::record::Written>>,
) -> Result<LocalSite, PublishError> {
    let out = built.out.canonicalize().map_err(|e| {
        PublishError::store(Diagnostic::error("PUBLISH", format!("cannot find the site {}: {e}", built.out.display())))
    })?;
    let (outputs, looked) = match outputs {
        Some(outputs) => (outputs, true),
        None => {
            let mut records = crate::site::record::Records::read(&crate::manifest::root_of(manifest));
            let site = records.take(&out).ok_or_else(|| {
                PublishError::store(
                    Diagnostic::error("PUBLISH", format!("the build of {} left no record", out.display()))
                        .help("run podsmith build, then publish again"),
                )
            })?;
            (site.outputs, false)
        }
    };
    let main_feed = built.feeds.first().map(String::as_str);
    let mut files = Vec::with_capacity(outputs.len());
    let mut stamps = HashMap::new();
    for (key, written) in outputs {
        if !record::is_key(&key) {
            continue;
        }
        // (Each file is looked at here only if the build did not.)
        let changed = |path: &Path| {
            PublishError::store(
                Diagnostic::error("PUBLISH", format!("{} changed after the build", path.display()))
                    .help("run podsmith publish again (it builds first)"),
            )
        };
        if !looked {
            let path = out.join(&key);
            if crate::site::record::stat(&path) != Some((written.size, written.mtime_ns)) {
                return Err(changed(&path));
            }
        }
        let fingerprint = match written.fingerprint {
            Some(fp) => fp,
            None => {
                let path = out.join(&key);
                crate::fsutil::Fingerprint::of_file(&path).map_err(|_| changed(&path))?
            }
        };
        let phase = match key.as_str() {
            k if Some(k) == main_feed => Phase::MainFeed,
            k if built.feeds.iter().any(|f| f == k) => Phase::Feed,
            // Pages, and what they and the feeds link to that is made
            // from the manifest (chapters, transcripts), and the sitemap:
            // may change.
            k if [".html", ".json", ".vtt", ".srt"].iter().any(|x| k.ends_with(x)) => Phase::Page,
            crate::site::SITEMAP => Phase::Page,
            _ => Phase::Media,
        };
        let (content_type, cache_control) = headers(&key, phase);
        if crate::fsutil::Fingerprint::samples(written.size) {
            stamps.insert(key.clone(), (written.size, written.mtime_ns));
        }
        files.push(plan::LocalFile {
            entry: record::Entry {
                size: written.size,
                fingerprint: fingerprint.to_string(),
                content_type: content_type.to_string(),
                cache_control: cache_control.to_string(),
                etag: None,
                sha256: None,
            },
            key,
            phase,
        });
    }
    Ok(LocalSite { root: out, files, stamps })
}
