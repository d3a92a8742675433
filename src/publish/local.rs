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
    ///
    /// In a folder destination (`folder`), also those podsmith published
    /// as they are now whose file there is not as it left it, by its ETag
    /// (the folder's file number, time and size), but has its size: a
    /// folder copied or restored (`cp -a`, `rsync -a`, a backup), touched, or
    /// on a disk whose file numbers change from mount to mount. Its bytes
    /// tell whether it was replaced.
    pub(super) fn in_the_way(
        &self,
        record: Option<&record::Published>,
        listed: &HashMap<String, plan::Listed>,
        folder: bool,
    ) -> Vec<usize> {
        let known = |k: &str| record.is_some_and(|r| r.objects.contains_key(k) || r.pending.contains_key(k));
        let put_again = |k: &str| record.is_some_and(|r| r.objects.contains_key(k) && r.pending.contains_key(k));
        let touched = |f: &plan::LocalFile, there: &plan::Listed| {
            let was = record.and_then(|r| r.objects.get(&f.key));
            folder && was.is_some_and(|w| w.same_content(&f.entry) && !plan::is_ours(w, there))
        };
        (0..self.files.len())
            .filter(|&n| {
                let f = &self.files[n];
                let Some(there) = listed.get(&f.key).filter(|l| l.size == f.entry.size) else { return false };
                !known(&f.key) || put_again(&f.key) || touched(f, there)
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

/// The files the record of the build into `out` (absolute) lists: the
/// records under `root` (the show folder, or a build apart's own: see
/// [`crate::site::Options::state_root`]; moved with it, if it was: see
/// [`Records::follow_show`](crate::site::record::Records::follow_show)).
fn recorded_outputs(
    root: &Path,
    out: &Path,
) -> Result<std::collections::BTreeMap<String, crate::site::record::Written>, PublishError> {
    let mut records = crate::site::record::Records::read(root);
    if let Ok(root) = root.canonicalize() {
        records.follow_show(&root, out);
    }
    let site = records.take(out).ok_or_else(|| {
        PublishError::store(
            Diagnostic::error("PUBLISH", format!("the build of {} left no record", out.display()))
                .help("run podsmith build, then publish again"),
        )
    })?;
    Ok(site.outputs)
}

/// The site the build just wrote, as it recorded it (`outputs`: every file
/// with its fingerprint, as the build found or left it; read from the build
/// record if not given, and then a file that is not as recorded is refused).
/// A file reached through a link in the output folder is left out, and
/// said in `warnings` (see [`through_links`]).
pub(super) fn local_site(
    state_root: &Path,
    built: &crate::site::Report,
    outputs: Option<std::collections::BTreeMap<String, crate::site::record::Written>>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<LocalSite, PublishError> {
    let out = built.out.canonicalize().map_err(|e| {
        PublishError::store(Diagnostic::error("PUBLISH", format!("cannot find the site {}: {e}", built.out.display())))
    })?;
    let (mut outputs, looked) = match outputs {
        Some(outputs) => (outputs, true),
        None => (recorded_outputs(state_root, &out)?, false),
    };
    for (key, folder) in through_links(&out, outputs.keys()) {
        outputs.remove(&key);
        warnings.push(Diagnostic::warning(
            "PUBLISH-LINK",
            format!(
                "left out {key}: {} is not a folder of podsmith's (a link or a file): publish reads no \
                 file through a link",
                built.out.join(folder).display()
            ),
        ));
    }
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

/// The files of `keys` (paths inside the output folder `out`) reached
/// through a folder there that is not podsmith's (a link, or a file: see
/// [`crate::site::record::LinkedFolders`]), each with that folder. The
/// build never vouches for one, but the build record is untrusted input:
/// whatever it lists, publish never reads, and so never sends, a file
/// from elsewhere.
fn through_links<'a>(out: &Path, keys: impl Iterator<Item = &'a String> + Clone) -> Vec<(String, String)> {
    let linked = crate::site::record::LinkedFolders::of(out, keys.clone().map(String::as_str));
    if linked.is_empty() {
        return Vec::new();
    }
    keys.filter_map(|k| linked.on_the_way(k).map(|folder| (k.clone(), folder.to_string()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::record::Written;

    /// A build's report of the site in `out`, with no feed.
    fn built(out: &Path) -> crate::site::Report {
        crate::site::Report {
            out: out.to_path_buf(),
            episodes: 0,
            scheduled: Vec::new(),
            feeds: Vec::new(),
            pages: 0,
            files: 0,
            linked: 0,
            stats: Default::default(),
            warnings: Vec::new(),
            measured: Vec::new(),
            changes: Vec::new(),
            first_build: false,
            look_ahead: false,
            look_back: false,
            nothing_changed: true,
            probe_stats: Default::default(),
            removed: Vec::new(),
            swept: 0,
            seconds: 0.0,
            base_url: None,
            publish: Default::default(),
            websub_hub: None,
        }
    }

    /// Whatever the build vouches for, a file reached through a link in
    /// the output folder is left out of the site to publish, and said.
    #[cfg(unix)]
    #[test]
    fn a_file_through_a_linked_folder_is_left_out_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("episodes/one")).unwrap();
        std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), out.join("evil")).unwrap();
        let mut outputs = std::collections::BTreeMap::new();
        for (rel, bytes) in [("episodes/one/index.html", "<p>one</p>"), ("evil/secret.env", "SECRET=hunter2")] {
            std::fs::write(out.join(rel), bytes).unwrap();
            let (size, mtime_ns) = crate::site::record::stat(&out.join(rel)).unwrap();
            let fingerprint = Some(crate::fsutil::Fingerprint::of_bytes(bytes.as_bytes()));
            outputs.insert(rel.to_string(), Written { size, mtime_ns, fingerprint });
        }
        let mut warnings = Vec::new();
        let site = local_site(&dir.path().join("episodes.toml"), &built(&out), Some(outputs), &mut warnings).unwrap();
        let keys: Vec<&str> = site.files.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["episodes/one/index.html"]);
        let said: Vec<String> = warnings.iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
        let evil = out.join("evil");
        assert_eq!(
            said,
            [format!(
                "PUBLISH-LINK: left out evil/secret.env: {} is not a folder of podsmith's (a link or a file): \
                 publish reads no file through a link",
                evil.display()
            )]
        );
    }
}
