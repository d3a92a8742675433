//! Fuzzing targets: each takes arbitrary bytes to one parser. `fuzz/` runs
//! them under AFL++ (`bash fuzz/run.sh`); every input that once crashed or
//! hung one is kept in `fuzz/regressions/<target>/` and replayed by
//! `cargo test` (the test at the bottom of this file).
//!
//! Parsers run here without the `catch_unwind` that guards the probe in
//! real use, so that a panic anywhere is a crash the fuzzer sees.

#![doc(hidden)]

use std::path::Path;

/// One fuzzing target: a name (the folder of its seeds and regressions)
/// and the function that feeds it.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("mp3", crate::probe::fuzz::mp3),
    ("ogg", crate::probe::fuzz::ogg),
    ("mp4", crate::probe::fuzz::mp4),
    ("flac", crate::probe::fuzz::flac),
    ("symphonia", crate::probe::fuzz::symphonia),
    ("probe", crate::probe::fuzz::probe),
    ("manifest", manifest),
    ("feed", feed),
    ("art", art),
    ("markdown", markdown),
    ("import", crate::import::fuzz::import),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// The manifest reader, over any text (media paths resolve against a
/// folder that does not exist, so every file is "missing").
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let root = Path::new("/nonexistent/podsmith-fuzz");
    let _ = crate::manifest::parse(text, Path::new("episodes.toml"), root);
}

/// The feed parser and every validation rule that reads the XML alone.
pub fn feed(data: &[u8]) {
    let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
    let opts = crate::validate::Options { local: None, now, formats: Default::default() };
    let _ = crate::validate::validate("feed.xml", data, &opts);
    let _ = crate::validate::targets(data);
}

/// The cover-art header reader.
pub fn art(data: &[u8]) {
    let _ = crate::validate::art::inspect(data);
}

/// Markdown notes to sanitised HTML.
pub fn markdown(data: &[u8]) {
    let _ = crate::markdown::to_html(&String::from_utf8_lossy(data));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input the fuzzer ever found a crash or hang with runs again,
    /// through the same target, without a panic.
    #[test]
    fn every_saved_crash_and_hang_runs_clean() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
        let mut ran = 0;
        for (name, run) in TARGETS {
            let Ok(entries) = std::fs::read_dir(dir.join(name)) else { continue };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                let started = std::time::Instant::now();
                run(&data);
                // An input the fuzzer saved as a hang (over AFL's 1 s in an
                // optimised build) must now be quick even in a debug build:
                // a fixed one takes milliseconds. A crash input has the
                // generous limit.
                let hang = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("hang-"));
                let limit = std::time::Duration::from_secs(if hang { 2 } else { 10 });
                assert!(started.elapsed() < limit, "{} took {:?}", path.display(), started.elapsed());
                ran += 1;
            }
        }
        // The JPEG segment-length panic (issue 11) is one of them.
        assert!(ran >= 1, "no regression inputs found under {}", dir.display());
    }
}
