//! Runs saved inputs through their target, as the root test
//! `fuzzing::tests::every_saved_crash_and_hang_runs_clean` does, without
//! building the root package:
//!
//! - `replay` — every file of `fuzz/regressions/<target>/`, each in a child
//!   process so that one panic does not hide the others;
//! - `replay TARGET FILE...` — those files through that target, in this
//!   process (a panic shows its message and, with RUST_BACKTRACE=1, where).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// As in the root test: an input saved as a hang (over AFL++'s 1 s) must
/// now finish well inside 1 s, any other inside 10 s.
fn limit(file: &str) -> Duration {
    let hang = Path::new(file).file_name().is_some_and(|n| n.to_string_lossy().starts_with("hang-"));
    Duration::from_secs(if hang { 1 } else { 10 })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => all(&Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions")),
        [flag, dir] if flag == "--dir" => all(Path::new(dir)),
        [name, files @ ..] => {
            let Some(run) = podsmith::fuzzing::target(name) else {
                eprintln!("no target called {name:?}");
                return ExitCode::from(2);
            };
            for file in files {
                let data = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
                let started = Instant::now();
                run(&data);
                let took = started.elapsed();
                println!("{name} {file}: ok in {took:.2?}");
                let limit = limit(file);
                if took >= limit {
                    eprintln!("{file}: too slow ({took:.2?} >= {limit:?})");
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
    }
}

/// Every file under `dir/<target>/` (hidden files skipped), each in a child
/// `replay TARGET FILE`.
fn all(dir: &Path) -> ExitCode {
    let me = std::env::current_exe().expect("own path");
    let (mut ran, mut failed) = (0, 0);
    for (name, _) in podsmith::fuzzing::TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(name)) else { continue };
        let mut files: Vec<PathBuf> = entries.map(|e| e.expect("directory entry").path()).collect();
        files.sort();
        for path in files {
            if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                continue;
            }
            let out = Command::new(&me).arg(name).arg(&path).output().expect("run replay");
            ran += 1;
            if out.status.success() {
                print!("{}", String::from_utf8_lossy(&out.stdout));
            } else {
                failed += 1;
                println!("{name} {}: FAILED ({})", path.display(), out.status);
                print!("{}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }
    println!("{} passed, {failed} failed", ran - failed);
    if failed == 0 && ran > 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
