//! A real S3 server for the publish tests: `s3s-fs` (a Rust S3 server over
//! a folder; `.ci/run` installs it), on 127.0.0.1, with real SigV4
//! credentials. Its objects are plain files under `root/BUCKET/`.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "podsmith-test-key";
pub const SECRET_KEY: &str = "podsmith-test-secret";
pub const BUCKET: &str = "show-bucket";

/// A running s3s-fs; killed when dropped.
pub struct S3 {
    pub port: u16,
    pub root: std::sync::Arc<tempfile::TempDir>,
    child: Child,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The s3s-fs binary: `PODSMITH_S3S_FS`, else on PATH, else in ~/.cargo/bin.
fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PODSMITH_S3S_FS") {
        return Some(PathBuf::from(p));
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("s3s-fs"))
        .find(|p| p.is_file());
    on_path.or_else(|| {
        let p = PathBuf::from(std::env::var_os("HOME")?).join(".cargo/bin/s3s-fs");
        p.is_file().then_some(p)
    })
}

impl S3 {
    /// Starts a server with one empty bucket. `None` (with a note) when
    /// s3s-fs is not installed and this is not CI; on CI it must be.
    pub fn start() -> Option<S3> {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        S3::serve(std::sync::Arc::new(root), true)
    }

    /// A second server over the same folder that asks for no credentials:
    /// the bucket as a listener's app sees it (s3s-fs without keys reads
    /// for anyone, and refuses signed requests).
    pub fn anonymous_reader(&self) -> S3 {
        S3::serve(self.root.clone(), false).unwrap()
    }

    fn serve(root: std::sync::Arc<tempfile::TempDir>, auth: bool) -> Option<S3> {
        let Some(bin) = binary() else {
            assert!(
                std::env::var("CI").is_err(),
                "s3s-fs is not installed: .ci/run installs it (cargo install s3s-fs --version 0.14.1 --features binary --locked)"
            );
            eprintln!(
                "skipped: s3s-fs is not installed (cargo install s3s-fs --version 0.14.1 --features binary --locked)"
            );
            return None;
        };
        // A free port can be taken between the probe and the server's bind:
        // then the server exits, and another port is tried.
        for _ in 0..10 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let mut command = Command::new(&bin);
            command.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
            if auth {
                command.args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY]);
            }
            let mut child =
                command.arg(root.path()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("s3s-fs starts");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(S3 { port, root, child });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("s3s-fs did not start");
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The credentials, as the environment gives them.
    pub fn env(&self) -> Vec<(&'static str, &'static str)> {
        vec![("AWS_ACCESS_KEY_ID", ACCESS_KEY), ("AWS_SECRET_ACCESS_KEY", SECRET_KEY)]
    }

    /// The file holding object `key` of the bucket.
    pub fn object(&self, key: &str) -> PathBuf {
        self.root.path().join(BUCKET).join(key)
    }

    /// Replaces object `key`'s bytes by hand, as a PUT by someone else
    /// would: s3s-fs keeps each object's ETag beside it when it is put, and
    /// says that one of an object changed on its disk; the kept ETags are
    /// removed, so that each object's is the MD5 of its bytes again, as on S3.
    pub fn replace(&self, key: &str, bytes: &[u8]) {
        std::fs::write(self.object(key), bytes).unwrap();
        for e in std::fs::read_dir(self.root.path()).unwrap().flatten() {
            if e.file_name().to_string_lossy().ends_with(".internal.json") {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
    }

    /// Every object under `prefix` (relative keys), with its bytes.
    pub fn objects(&self, prefix: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
        let base = self.root.path().join(BUCKET).join(prefix);
        let mut out = std::collections::BTreeMap::new();
        collect(&base, &base, &mut out);
        out
    }
}

fn collect(base: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(base, &p, out);
        } else {
            out.insert(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(&p).unwrap());
        }
    }
}
