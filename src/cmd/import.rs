//! `podsmith import`.

use std::path::PathBuf;
use std::process::ExitCode;

use podsmith::import::{ImportError, Options, default_dir, import, plan};
use podsmith::show_lock::Access;

use super::{Failure, Ui};

/// The largest feed read: as validate reads one (README, "What it reads").
const FEED_LIMIT: podsmith::fsutil::Limit = podsmith::fsutil::FEED;

/// The command's arguments.
pub struct Args {
    /// The feed: a file, or an http(s) URL.
    pub feed: String,
    /// The new show's folder (default: named after the feed).
    pub dir: Option<PathBuf>,
    /// `--base-url`: where the new show will be served.
    pub base_url: Option<String>,
    /// `--category`: the show's Apple category, where the feed's cannot be mapped.
    pub category: Option<String>,
    /// `--download`: the media fetched into the show folder.
    pub download: bool,
    /// `--media-dir`: where in the show the media go.
    pub media_dir: String,
}

pub fn run(args: Args, ui: &Ui) -> Result<ExitCode, Failure> {
    let Args { feed, dir, base_url, category, download, media_dir } = args;
    let feed = feed.as_str();
    let bytes = read_feed(feed)?;
    let dir = dir.unwrap_or_else(|| default_dir(feed));
    let opts = Options {
        feed: bytes,
        source: feed.to_string(),
        dir: dir.clone(),
        base_url,
        category,
        download,
        media_dir,
        progress: ui.progress(),
    };
    let failure = |e: ImportError| match e {
        ImportError::Io(..) => Failure::content(e.to_string()),
        ImportError::Feed(_) | ImportError::Refused(_) => Failure::content(e.to_string()),
        ImportError::Usage(_) => Failure::usage(e.to_string()),
        ImportError::NotFetched { mut notes, message } => {
            notes.push(podsmith::diagnostic::Diagnostic::error("CONTENT", message));
            Failure::of(notes, 1)
        }
    };
    let planned = plan(&opts).map_err(failure)?;
    let before = Before::of(&dir);
    // One import (or init) at a time in a folder: each writes the lock and
    // the manifest a show starts with, and sweeps what a killed one left.
    std::fs::create_dir_all(&dir).map_err(|e| Failure::content(format!("cannot create {}: {e}", dir.display())))?;
    let lock = super::lock_folder(&dir, Access::Exclusive, ui, "import")?;
    let imported = match import(&opts, planned) {
        Ok(imported) => imported,
        Err(e) => {
            // Refused (too big, or what it would write through): nothing
            // was written but the folder and its lock; they go as they came.
            if matches!(e, ImportError::Refused(_)) && !download {
                drop(lock);
                before.undo(&dir);
            }
            return Err(failure(e));
        }
    };
    ui.diagnostics(&imported.notes);
    let cd = dir.display();
    let (media, build) = match download {
        false => ("media where they are hosted", "podsmith build (it measures the hosted media)"),
        true => (
            "media fetched into the show folder",
            "podsmith build --allow-changes (the media's URLs move to the new host; apps keep the episodes by guid)",
        ),
    };
    // (A feed of undated items alone: each is commented out, to be dated.)
    let next = match imported.episodes {
        0 => format!(
            "cd {cd}, write the date of each episode commented out at the end of episodes.toml and uncomment it, \
             then {build}"
        ),
        _ => format!("cd {cd} && {build}"),
    };
    ui.info(format!(
        "Imported {} into {}: every guid as published, {media}.\n\
         Next: {next}, check base_url, then publish and redirect the old feed (see the README, \
         \"Moving a show to podsmith\")",
        podsmith::text::count(imported.episodes, "episode"),
        imported.manifest.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// What was in the show folder before the import made it and locked it.
struct Before {
    /// The folder was there.
    dir: bool,
    /// Its records folder (`.podsmith`, where the lock is) was there.
    records: bool,
}

impl Before {
    fn of(dir: &std::path::Path) -> Before {
        let there = |p: &std::path::Path| p.symlink_metadata().is_ok();
        Before { dir: there(dir), records: there(&dir.join(podsmith::show_lock::RECORDS_DIR)) }
    }

    /// What the import made in `dir` before it wrote anything (the folder
    /// and its lock) taken away: the folder is left as it was. (Only
    /// what is empty but the lock goes: never a file another command wrote.)
    fn undo(&self, dir: &std::path::Path) {
        if !self.records {
            let records = dir.join(podsmith::show_lock::RECORDS_DIR);
            let _ = std::fs::remove_file(dir.join(podsmith::show_lock::LOCK_PATH));
            let _ = std::fs::remove_dir(records);
        }
        if !self.dir {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// The feed's bytes: a file, or a URL (fetched).
fn read_feed(feed: &str) -> Result<Vec<u8>, Failure> {
    if feed.starts_with("http://") || feed.starts_with("https://") {
        #[cfg(feature = "online")]
        {
            return podsmith::validate::online::fetch(feed, std::time::Duration::from_secs(60), FEED_LIMIT.bytes)
                .map_err(|e| Failure::content(format!("cannot fetch {feed}: {e}")).help(e.help.unwrap_or_default()));
        }
        #[cfg(not(feature = "online"))]
        return Err(Failure::usage("fetching a feed needs podsmith built with the `online` feature (the default)"));
    }
    // (A file that is not there is a usage error; one too big to be a
    // feed is what it holds, as a feed fetched too big is.)
    podsmith::fsutil::read(std::path::Path::new(feed), FEED_LIMIT).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Failure::content(format!("cannot read {feed}: {e}")),
        _ => Failure::usage(format!("cannot read {feed}: {e}")),
    })
}
