//! One command at a time per show: commands that change a show (`build`,
//! `add`, `init`) hold an exclusive lock on `.podsmith/lock`; commands that
//! only read it (`validate`, `diff`) hold a shared one. A second command
//! waits for the first and then sees its result, or with `--no-wait`
//! stops at once.
//!
//! The lock is the operating system's advisory file lock (`flock` on Unix,
//! `LockFileEx` on Windows) taken through the standard library's
//! [`std::fs::File::lock`]: the kernel releases it when the process ends,
//! however it ends, so a killed command never leaves a stale lock behind
//! (a PID file would). The file itself stays; it only says who holds the
//! lock, for the waiting command's message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The lock file, relative to the show folder.
pub const LOCK_PATH: &str = ".podsmith/lock";
/// podsmith's own folder in a show (probe cache, build record, lock).
pub const RECORDS_DIR: &str = ".podsmith";
/// `podsmith serve`'s folder in [`RECORDS_DIR`]: the preview site, its lock,
/// its build record and memo.
pub const PREVIEW_DIR: &str = "preview";
/// `podsmith publish --dry-run`'s folder in [`RECORDS_DIR`]: the site it
/// builds, with a copy of `podsmith.lock` and a build record of its own.
pub const DRY_RUN_DIR: &str = "dry-run";

/// What the command does with the show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It changes the show or its site (`build`, `add`, `init`): alone.
    Exclusive,
    /// It reads the show (`validate`, `diff`): beside other readers.
    Shared,
}

/// Whether to wait for a command that holds the lock.
#[derive(Clone, Copy)]
pub enum Wait<'a> {
    /// Wait; `notify` is told once, with who holds the lock, before waiting.
    Yes(&'a dyn Fn(&str)),
    /// Stop with [`LockError::Busy`].
    No,
}

/// A held lock on a show; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct ShowLock {
    _file: File,
    access: Access,
}

/// Why the show could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another command holds it, and `--no-wait` was given.
    #[error(
        "another podsmith command is working on this show ({holder}); run this one when it has finished, or without --no-wait to wait for it"
    )]
    Busy {
        /// Who holds it, as the lock file says.
        holder: String,
    },
    /// The lock file cannot be made or locked.
    #[error("cannot lock the show ({}): {source}", path.display())]
    Io {
        /// The lock file or folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A record of the show cannot be saved where it is (see
    /// `records_in_place`): said before the command writes anything.
    #[error("{source}")]
    Records {
        /// The record in the way.
        path: PathBuf,
        /// What is wrong with it, and what to do.
        source: io::Error,
    },
}

impl ShowLock {
    /// Locks the show in folder `root`.
    pub fn acquire(root: &Path, access: Access, wait: Wait<'_>, command: &str) -> Result<ShowLock, LockError> {
        let dir = root.join(RECORDS_DIR);
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LockError::Io { path, source }
        };
        own_dir(&dir).map_err(io_err(&dir))?;
        if access == Access::Exclusive {
            records_in_place(root).map_err(|(path, source)| LockError::Records { path, source })?;
        }
        let path = root.join(LOCK_PATH);
        refuse_link(&path).map_err(io_err(&path))?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
        let file = options.open(&path).map_err(io_err(&path))?;
        refuse_shared(&file, &path).map_err(io_err(&path))?;
        let attempt = match access {
            Access::Exclusive => file.try_lock(),
            Access::Shared => file.try_lock_shared(),
        };
        match attempt {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = holder(&path, access);
                match wait {
                    Wait::No => return Err(LockError::Busy { holder }),
                    Wait::Yes(notify) => notify(&holder),
                }
                match access {
                    Access::Exclusive => file.lock(),
                    Access::Shared => file.lock_shared(),
                }
                .map_err(io_err(&path))?;
            }
            Err(TryLockError::Error(e)) => return Err(LockError::Io { path, source: e }),
        }
        match access {
            Access::Exclusive => {
                // For the message of a command that has to wait. Not the lock itself.
                let note = format!("pid {}: podsmith {command}", std::process::id());
                let _ = file.set_len(0).and_then(|()| (&file).write_all(note.as_bytes()));
            }
            // No command that changes the show holds it: a note there is
            // one a killed command (or a podsmith before notes were cleared)
            // left, which would name it to a command waiting on this one.
            Access::Shared => {
                if file.metadata().is_ok_and(|m| m.len() > 0) {
                    let _ = file.set_len(0);
                }
            }
        }
        Ok(ShowLock { _file: file, access })
    }

    /// Whether this lock lets the command change the show.
    pub fn is_exclusive(&self) -> bool {
        self.access == Access::Exclusive
    }
}

/// Who holds the lock, as its file says: a command that changes the show
/// writes its note once it holds the lock (and clears it as it lets go),
/// so a note not there yet is looked for again a moment later; none is a
/// command that only reads the show, unless the command asking only reads
/// it too (readers never keep each other out: a writer holds it).
fn holder(path: &Path, asking: Access) -> String {
    let note = || {
        crate::fsutil::read_string(path, crate::fsutil::Limit { bytes: 256, what: "a lock file" })
            .ok()
            .map(|s| s.trim().chars().filter(|c| !c.is_control()).collect::<String>())
            .filter(|s| !s.is_empty() && !gone(s))
    };
    note()
        .or_else(|| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            note()
        })
        .unwrap_or_else(|| match asking {
            Access::Shared => "one that changes it: build, add, import, publish …".into(),
            Access::Exclusive => "one that reads it: list, diff, validate, serve …".into(),
        })
}

/// Whether the process a lock's note names (`pid N: …`) is gone, where
/// that can be told (`/proc`): the note of a command that was killed.
fn gone(note: &str) -> bool {
    let pid = note.strip_prefix("pid ").and_then(|s| s.split(':').next()).and_then(|n| n.parse::<u32>().ok());
    let proc = Path::new("/proc");
    pid.is_some_and(|pid| proc.join("self").exists() && !proc.join(pid.to_string()).exists())
}

impl Drop for ShowLock {
    /// The note of a command that changed the show goes with it (a reader
    /// after it is not taken for it).
    fn drop(&mut self) {
        if self.access == Access::Exclusive {
            let _ = self._file.set_len(0);
        }
    }
}

/// Makes `dir` a folder of podsmith's own, or checks that it is one: a
/// real folder, not a link that would lead podsmith's writes elsewhere.
pub fn own_dir(dir: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is a link; podsmith keeps its records in a folder of its own and never writes through a link: remove the link",
                dir.display()
            ),
        )),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is a file; podsmith keeps its records in a folder of that name: move the file away",
                dir.display()
            ),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => match std::fs::create_dir(dir) {
            // Another command made it a moment ago: look at what it is.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => own_dir_made(dir),
            other => other,
        },
        Err(e) => Err(e),
    }
}

/// Checks, before a command that writes them starts, that the records
/// in the show folder `root` can be saved where they are: each a file, or
/// none yet (a folder in the place of one would fail the save after the
/// site is written, and every save after it); the memos' folder a real
/// one. The first that is not, and why.
fn records_in_place(root: &Path) -> Result<(), (PathBuf, io::Error)> {
    use crate::{probe::cache, site::memo, site::record};
    let files = [record::RECORD_PATH, record::LOG_PATH, record::PENDING_PATH, cache::CACHE_PATH, cache::CACHE_LOG_PATH];
    for rel in files {
        let path = root.join(rel);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let why = format!(
                "{} is a folder; podsmith keeps a record of its own in a file of that name: move the folder away",
                path.display()
            );
            return Err((path, io::Error::new(io::ErrorKind::InvalidInput, why)));
        }
    }
    let memos = root.join(memo::MEMO_DIR);
    match std::fs::symlink_metadata(&memos) {
        Ok(m) if !m.is_dir() => own_dir(&memos).map_err(|e| (memos, e)),
        _ => Ok(()),
    }
}

/// `dir` exists by now: it must be a real folder.
fn own_dir_made(dir: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        _ => own_dir(dir),
    }
}

/// Refuses a lock file that is not a plain file of its own: one hard-linked
/// to another file (a crafted show folder, an archive) would have that file
/// written over with the holder's note.
fn refuse_shared(file: &std::fs::File, path: &Path) -> io::Result<()> {
    let meta = file.metadata()?;
    #[cfg(unix)]
    let links = std::os::unix::fs::MetadataExt::nlink(&meta);
    #[cfg(not(unix))]
    let links = 1;
    if !meta.is_file() || links > 1 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is not a file of its own (a hard link to another file, or not a plain file); remove it \
                 (podsmith makes the file itself)",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Refuses a path that is a symbolic link.
fn refuse_link(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is a link; remove it (podsmith makes the file itself)", path.display()),
        )),
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is a folder; podsmith keeps the show's lock in a file of that name: move the folder away \
                 (podsmith makes the file itself)",
                path.display()
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A note a killed command left is not taken for who holds the lock: a
    /// reader clears it as it takes the lock, and one naming a process
    /// that is gone is not said.
    #[test]
    fn a_killed_commands_note_is_not_said_to_hold_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        drop(ShowLock::acquire(dir.path(), Access::Shared, Wait::No, "diff").unwrap());
        let path = dir.path().join(LOCK_PATH);
        std::fs::write(&path, "pid 999999999: podsmith build").unwrap();
        let reader = ShowLock::acquire(dir.path(), Access::Shared, Wait::No, "diff").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"", "cleared by the reader");
        drop(reader);
        // Held by another (not podsmith) with a stale note beside it.
        std::fs::write(&path, "pid 999999999: podsmith build").unwrap();
        let other = std::fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
        other.try_lock_shared().unwrap();
        let err = ShowLock::acquire(dir.path(), Access::Exclusive, Wait::No, "build").unwrap_err();
        let LockError::Busy { holder } = &err else { panic!("{err}") };
        match Path::new("/proc/self").exists() {
            true => assert!(holder.starts_with("one that reads it"), "{holder}"),
            false => assert!(holder.starts_with("pid 999999999"), "{holder}"),
        }
    }

    #[test]
    fn a_second_exclusive_lock_waits_or_says_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = ShowLock::acquire(dir.path(), Access::Exclusive, Wait::No, "build").unwrap();
        assert!(first.is_exclusive());
        let err = ShowLock::acquire(dir.path(), Access::Exclusive, Wait::No, "add").unwrap_err();
        let LockError::Busy { holder } = &err else { panic!("{err}") };
        assert_eq!(*holder, format!("pid {}: podsmith build", std::process::id()));
        // Readers wait for a writer too.
        assert!(ShowLock::acquire(dir.path(), Access::Shared, Wait::No, "diff").is_err());
        drop(first);
        let a = ShowLock::acquire(dir.path(), Access::Shared, Wait::No, "diff").unwrap();
        let b = ShowLock::acquire(dir.path(), Access::Shared, Wait::No, "validate").unwrap();
        // Readers, not the build that went before them.
        let err = ShowLock::acquire(dir.path(), Access::Exclusive, Wait::No, "build").unwrap_err();
        let LockError::Busy { holder } = &err else { panic!("{err}") };
        assert!(holder.starts_with("one that reads it"), "{holder}");
        drop((a, b));
        ShowLock::acquire(dir.path(), Access::Exclusive, Wait::No, "build").unwrap();
        // A writer that left no note keeps a reader out: it is said to be a writer.
        let other = std::fs::OpenOptions::new().read(true).write(true).open(dir.path().join(LOCK_PATH)).unwrap();
        other.try_lock().unwrap();
        let err = ShowLock::acquire(dir.path(), Access::Shared, Wait::No, "diff").unwrap_err();
        let LockError::Busy { holder } = &err else { panic!("{err}") };
        assert!(holder.starts_with("one that changes it"), "{holder}");
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_file_hard_linked_to_another_file_is_refused_and_the_file_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(RECORDS_DIR)).unwrap();
        let manifest = dir.path().join("episodes.toml");
        std::fs::write(&manifest, "[podcast]\n").unwrap();
        std::fs::hard_link(&manifest, dir.path().join(LOCK_PATH)).unwrap();
        for access in [Access::Exclusive, Access::Shared] {
            let err = ShowLock::acquire(dir.path(), access, Wait::No, "build").unwrap_err();
            assert!(err.to_string().contains("is not a file of its own (a hard link"), "{err}");
        }
        assert_eq!(std::fs::read_to_string(&manifest).unwrap(), "[podcast]\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_records_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(RECORDS_DIR)).unwrap();
        let err = ShowLock::acquire(dir.path(), Access::Exclusive, Wait::No, "build").unwrap_err();
        assert!(err.to_string().contains(".podsmith is a link; podsmith keeps its records"), "{err}");
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }
}
