//! `podsmith build`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use podsmith::build::{BuildError, Options, build};
use podsmith::manifest::ManifestError;

use super::{Failure, Ui};

pub fn run(manifest: &Path, out: Option<PathBuf>, as_of: Option<&str>, ui: Ui) -> Result<ExitCode, Failure> {
    let now = super::parse_now(as_of)?;
    let opts = Options { manifest: manifest.to_path_buf(), out, now };
    let report = build(&opts).map_err(|e| match &e {
        BuildError::Manifest(ManifestError::Read { .. }) => Failure::usage(format!(
            "{e}\n  help: run podsmith in the show's folder, or name the manifest with --manifest path/to/episodes.toml"
        )),
        BuildError::Config(_) => Failure::usage(e.to_string()),
        _ => Failure::content(e.to_string()),
    })?;
    for w in &report.warnings {
        ui.warn(w);
    }
    for s in &report.scheduled {
        ui.info(format!(
            "scheduled: \"{}\" goes live at {}; it is left out until then (run `podsmith build` again after that time)",
            s.title,
            s.date.to_rfc3339()
        ));
    }
    for (rel, secs, method) in &report.measured {
        let how = match method {
            podsmith::probe::Method::Header => "from its header",
            podsmith::probe::Method::Scan => "by counting frames (no exact length in its header)",
        };
        ui.detail(format!("{rel}: {secs:.3} s, measured {how}"));
    }
    ui.detail(format!("{} file(s) written, {} already up to date", report.stats.written, report.stats.unchanged));
    ui.info(format!(
        "Built {} episode{} into {}: {} ({} feed{}), {} pages, {} media/image files; {} written, {} unchanged, in {:.2}s",
        report.episodes,
        if report.episodes == 1 { "" } else { "s" },
        report.out.display(),
        report.feeds.join(", "),
        report.feeds.len(),
        if report.feeds.len() == 1 { "" } else { "s" },
        report.pages,
        report.files,
        report.stats.written,
        report.stats.unchanged,
        report.seconds
    ));
    Ok(ExitCode::SUCCESS)
}
