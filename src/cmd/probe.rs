//! `podsmith probe`: measure files and print what was found.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use podsmith::probe::loudness::{self, Loudness, LoudnessError};
use podsmith::probe::{AudioInfo, probe_file, read_title};
use podsmith::text::clock;
use serde::Serialize;

use super::Failure;

#[derive(Serialize)]
#[serde(untagged)]
enum Row<'a> {
    Ok {
        path: String,
        #[serde(flatten)]
        info: &'a AudioInfo,
        /// Its MIME type, as feeds give it.
        mime_type: &'static str,
        /// The title tag (read for `--json` only: measuring skips tags).
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// A hosted file: the requests measuring it took.
        #[serde(skip_serializing_if = "Option::is_none")]
        requests: Option<u32>,
        /// A hosted file: the bytes it read of it.
        #[serde(skip_serializing_if = "Option::is_none")]
        bytes_read: Option<u64>,
        /// With `--loudness`: what it measured (`null`: it could not be).
        #[serde(skip_serializing_if = "Option::is_none")]
        loudness: Option<Option<Loudness>>,
    },
    Err {
        path: String,
        error: String,
        /// What to do about it, where there is more to say.
        #[serde(skip_serializing_if = "Option::is_none")]
        help: Option<&'static str>,
    },
}

/// A file on disk, or one where it is hosted (`http://`, `https://`, the
/// scheme in any case).
fn hosted(f: &std::path::Path) -> Option<&str> {
    f.to_str().filter(|s| {
        let lower = podsmith::text::lower_scheme(s);
        lower.starts_with("http://") || lower.starts_with("https://")
    })
}

/// Measures a hosted file: with what it cost.
#[cfg(feature = "online")]
fn probe_hosted(url: &str) -> Result<(AudioInfo, Option<(u32, u64)>), podsmith::probe::ProbeError> {
    let m = podsmith::probe::remote::probe_url(url, std::time::Duration::from_secs(30))?;
    if m.hosted.whole {
        errln!("{}", crate::report::human(&podsmith::catalog::downloaded_whole(url, m.hosted.size)));
    }
    Ok((m.info, Some((m.traffic.requests, m.traffic.bytes))))
}

#[cfg(not(feature = "online"))]
fn probe_hosted(url: &str) -> Result<(AudioInfo, Option<(u32, u64)>), podsmith::probe::ProbeError> {
    Err(podsmith::probe::ProbeError::Io(format!("{url}: this podsmith was built without its online feature")))
}

/// One argument measured.
struct Measured {
    info: Result<AudioInfo, podsmith::probe::ProbeError>,
    /// Its title tag (read for `--json` only: measuring skips tags).
    title: Option<String>,
    /// What measuring a hosted file took: requests, bytes read.
    traffic: Option<(u32, u64)>,
    /// With `--loudness`: its loudness (a file on disk whose length was measured).
    loudness: Option<Result<Loudness, LoudnessError>>,
}

/// What `probe` is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    /// `--json`: one JSON array on stdout (with each file's title tag).
    pub json: bool,
    /// `--loudness`: each file on disk decoded and its loudness measured.
    pub loudness: bool,
    /// `--jobs`: hosted files measured at once (each waits mostly on the
    /// network); files on disk go on every core.
    pub jobs: usize,
}

pub fn run(files: &[PathBuf], asked: Asked, ui: &super::Ui) -> Result<ExitCode, Failure> {
    let (json, loud) = (asked.json, asked.loudness);
    let results = measure(files, asked, ui)?;
    let rows: Vec<Row<'_>> = files
        .iter()
        .zip(&results)
        .map(|(path, Measured { info: r, title, traffic, loudness })| {
            let path = path.display().to_string();
            match r {
                Ok(info) => Row::Ok {
                    path,
                    info,
                    mime_type: info.mime_type(),
                    title: title.clone(),
                    requests: traffic.map(|t| t.0),
                    bytes_read: traffic.map(|t| t.1),
                    loudness: loud.then(|| loudness.as_ref().and_then(|l| l.as_ref().ok().copied())),
                },
                Err(e) => Row::Err { path, error: e.to_string(), help: e.help() },
            }
        })
        .collect();
    match write_rows(&rows, json) {
        Ok(()) => {}
        // `podsmith probe … | head` is fine: the exit code still says whether every file measured.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(Failure::usage(format!("cannot write to stdout: {e}"))),
    }
    if loud {
        ui.diagnostics(&loudness_findings(files, &results));
    }
    let failed = results.iter().filter(|m| m.info.is_err()).count();
    if failed > 0 {
        if json {
            for (path, m) in files.iter().zip(&results) {
                if let Err(e) = &m.info {
                    errln!("error: {}: {e}", super::one_line(&path.display().to_string()));
                }
            }
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Every file measured, in parallel; in the order of the arguments.
fn measure(files: &[PathBuf], asked: Asked, ui: &super::Ui) -> Result<Vec<Measured>, Failure> {
    use rayon::prelude::*;
    let Asked { json, loudness: loud, jobs } = asked;
    let threads = if files.iter().any(|f| hosted(f).is_some()) { jobs } else { 0 };
    let progress = ui.progress();
    progress.start("measuring", files.len() as u64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the probe's threads: {e}")))?;
    let results = pool.install(|| {
        files
            .par_iter()
            .map(|f| match hosted(f) {
                Some(url) => match probe_hosted(url) {
                    Ok((info, traffic)) => Measured { info: Ok(info), title: None, traffic, loudness: None },
                    Err(e) => Measured { info: Err(e), title: None, traffic: None, loudness: None },
                },
                None => {
                    let info = probe_file(f);
                    let title = if json && info.is_ok() { read_title(f) } else { None };
                    let loudness = (loud && info.is_ok()).then(|| loudness::measure(f));
                    Measured { info, title, traffic: None, loudness }
                }
            })
            .inspect(|_| progress.advance(1))
            .collect()
    });
    progress.finish();
    Ok(results)
}

/// The rows on stdout: JSON, or a line per file measured (an error on
/// stderr for each that was not).
fn write_rows(rows: &[Row<'_>], json: bool) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if json {
        return writeln!(stdout, "{}", super::json_text(&rows));
    }
    rows.iter().try_for_each(|row| match row {
        Row::Ok { path, info, loudness, .. } => writeln!(
            stdout,
            "{}\t{} ({:.3} s)\t{} bytes\t{}\t{}{}{}{}\t{}{}",
            super::one_line(path),
            clock(info.whole_seconds()),
            info.duration_secs,
            info.bytes,
            info.mime_type(),
            info.codec,
            info.sample_rate.map(|r| format!(" {r} Hz")).unwrap_or_default(),
            info.channels.map(|c| format!(" {c} ch")).unwrap_or_default(),
            rate(info),
            match info.method {
                podsmith::probe::Method::Header => "header",
                podsmith::probe::Method::Scan => "scanned",
            },
            match loudness {
                None => String::new(),
                Some(None) => "\tloudness not measured".into(),
                Some(Some(l)) => format!("\t{}", loudness_text(l)),
            }
        ),
        Row::Err { path, error, help } => {
            errln!("error: {}: {error}", super::one_line(path));
            if let Some(help) = help {
                errln!("  help: {help}");
            }
            Ok(())
        }
    })
}

/// The average bitrate and whether it varies, with an MP3's seek header
/// where it tells something: ", 65 kb/s on average, CBR (Info header)",
/// ", 96 kb/s on average, VBR (no seek header)".
fn rate(info: &podsmith::probe::AudioInfo) -> String {
    use podsmith::probe::SeekHeader;
    let kbps = info.bitrate.map(|b| format!(", {} kb/s on average", (b + 500) / 1000)).unwrap_or_default();
    let mode = match info.vbr {
        Some(true) => ", VBR",
        Some(false) => ", CBR",
        None => "",
    };
    let header = match (info.has_seek_header, info.vbr) {
        (Some(SeekHeader::Xing), _) => " (Xing header)",
        (Some(SeekHeader::Info), _) => " (Info header)",
        (Some(SeekHeader::Vbri), _) => " (VBRI header)",
        (Some(SeekHeader::None), Some(true)) => " (no seek header)",
        _ => "",
    };
    format!("{kbps}{mode}{header}")
}

/// "-16.2 LUFS, true peak -1.3 dBTP".
pub(super) fn loudness_text(l: &Loudness) -> String {
    let lufs = l.integrated_lufs.map_or_else(|| "silent".to_string(), |v| format!("{v:.1} LUFS"));
    let peak = l.true_peak_dbtp.map_or_else(|| "no peak".to_string(), |v| format!("true peak {v:.1} dBTP"));
    format!("{lufs}, {peak}")
}

/// What `--loudness` tells of the files measured (see
/// [`loudness::judge`]): files of one name but for the extension are taken
/// for the formats of one episode; a hosted file is not decoded.
fn loudness_findings(files: &[PathBuf], results: &[Measured]) -> Vec<podsmith::diagnostic::Diagnostic> {
    let measured: Vec<loudness::Judged<'_>> = files
        .iter()
        .zip(results)
        .filter_map(|(path, m)| {
            let loud = match &m.loudness {
                None if m.info.is_ok() && hosted(path).is_some() => loudness::Loud::Hosted,
                None => return None,
                Some(l) => loudness::Loud::Measured(l),
            };
            Some(loudness::Judged { file: path, episode: loudness::Episode::Stem(path.with_extension("")), loud })
        })
        .collect();
    loudness::judge(&measured)
}
