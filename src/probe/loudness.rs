//! How loud a media file is: its integrated loudness (LUFS) and true peak
//! (dBTP), as EBU R128 / ITU-R BS.1770 measure them, over the whole file
//! decoded (`podsmith probe --loudness`). Apple asks for -16 LUFS (±1 dB)
//! and a true peak no higher than -1 dBTP; the AES recommends -16 LUFS for
//! a stereo file and -19 for a mono one (measured as one channel, as here).
//! Listeners feel a jump of more than a decibel or so between episodes,
//! or between the MP3 and the OGG of one.
//!
//! Decoding takes the whole file (an hour of MP3 decodes in a few seconds),
//! so measuring the length (see [`super::probe_file`]) never does it; this
//! is asked for. Opus is the one format podsmith measures that it cannot
//! decode (symphonia has no Opus decoder): said as such.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Location};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::codecs::audio::well_known::{CODEC_ID_MP3, CODEC_ID_OPUS};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

/// Why a file's loudness could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum LoudnessError {
    /// The file could not be opened or read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// It holds no audio podsmith can decode.
    #[error("{0}")]
    Undecodable(String),
}

/// What a file's loudness measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    /// Integrated loudness, LUFS (`None`: silence, below the gate).
    pub integrated_lufs: Option<f64>,
    /// The highest true peak of any channel, dBTP (`None`: digital silence).
    pub true_peak_dbtp: Option<f64>,
    /// Channels measured (a mono file is measured as one).
    pub channels: u32,
}

impl Loudness {
    /// Whether this could be a measurement (a record read back may be
    /// damaged or crafted: what could not is measured again).
    pub fn is_possible(&self) -> bool {
        self.integrated_lufs.is_none_or(|l| l.is_finite() && (-120.0..=10.0).contains(&l))
            && self.true_peak_dbtp.is_none_or(|p| p.is_finite() && (-200.0..=40.0).contains(&p))
            && (1..=255).contains(&self.channels)
    }
}

/// The loudness a podcast aims at, LUFS: Apple's -16 (the AES's for stereo),
/// the AES's -19 for mono.
pub fn target_lufs(channels: u32) -> f64 {
    if channels == 1 { -19.0 } else { -16.0 }
}

/// The highest true peak Apple asks for, dBTP (lossy encoders overshoot
/// peaks that are higher).
pub const MAX_TRUE_PEAK_DBTP: f64 = -1.0;

/// A media file's loudness, as [`judge`] takes it.
#[derive(Debug, Clone, Copy)]
pub enum Loud<'a> {
    /// A hosted file: not decoded (only files on disk are).
    Hosted,
    /// As measured.
    Measured(&'a Result<Loudness, LoudnessError>),
}

/// The episode a file judged is a format of: the files of one episode are
/// compared with each other.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Episode {
    /// None known: compared with no other file.
    Unknown,
    /// The one of all files with this name but for the extension
    /// (`ep1.mp3`, `ep1.ogg`), as `probe` guesses.
    Stem(std::path::PathBuf),
    /// The episode of this title.
    Titled(String),
}

/// One file for [`judge`]: where it is (as shown), the episode it is a
/// format of, and its loudness.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    /// The file, as the user knows it (its path in the show, or as named).
    pub file: &'a Path,
    /// The episode it is a format of.
    pub episode: Episode,
    /// What its loudness measured.
    pub loud: Loud<'a>,
}

/// What the loudness of `files` tells: each file more than 2 LU from the
/// loudness podcast apps expect (`LOUDNESS-TARGET`), or whose true peak is
/// over -1 dBTP (`LOUDNESS-PEAK`), or silent (`LOUDNESS-SILENT`); the
/// formats of one episode more than 1 LU apart (`LOUDNESS-FORMATS`); a file
/// that could not be decoded (`LOUDNESS-UNMEASURED`), or is hosted
/// (`LOUDNESS-HOSTED`, a note). Warnings: listeners hear them, directories
/// do not refuse them.
///
/// ```
/// use std::path::Path;
/// use podsmith::probe::loudness::{judge, Episode, Judged, Loud, Loudness};
///
/// let quiet = Ok(Loudness { integrated_lufs: Some(-23.0), true_peak_dbtp: Some(-9.0), channels: 2 });
/// let said = judge(&[Judged { file: Path::new("ep1.mp3"), episode: Episode::Unknown, loud: Loud::Measured(&quiet) }]);
/// assert_eq!(said[0].code, "LOUDNESS-TARGET");
/// assert!(said[0].message.starts_with("-23.0 LUFS, 7.0 LU quieter than the -16 LUFS"));
/// ```
pub fn judge(files: &[Judged<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut episodes: std::collections::BTreeMap<&Episode, Vec<(String, f64)>> = std::collections::BTreeMap::new();
    for f in files {
        if let Some(lufs) = judge_file(f, &mut out)
            && f.episode != Episode::Unknown
        {
            episodes.entry(&f.episode).or_default().push((f.file.display().to_string(), lufs));
        }
    }
    for (episode, formats) in episodes.iter().filter(|(_, f)| f.len() > 1) {
        let (lo, hi) = formats.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
        if hi - lo > MAX_FORMATS_APART_LU {
            let each: Vec<String> = formats.iter().map(|(p, v)| format!("{p} {v:.1} LUFS")).collect();
            let whose = match episode {
                Episode::Titled(title) => crate::text::quoted(title),
                Episode::Stem(_) | Episode::Unknown => "one episode".to_string(),
            };
            out.push(
                Diagnostic::warning(
                    "LOUDNESS-FORMATS",
                    format!("the formats of {whose} differ in loudness by {:.1} LU ({})", hi - lo, each.join(", ")),
                )
                .help("export every format from the same master"),
            );
        }
    }
    out
}

/// How far apart in loudness the formats of one episode may be, LU:
/// listeners hear more as a jump in volume between the feeds.
pub const MAX_FORMATS_APART_LU: f64 = 1.0;

/// How far from [`target_lufs`] a file may be, LU, before it is said.
pub const MAX_OFF_TARGET_LU: f64 = 2.0;

/// What the loudness of one file tells, onto `out`; its integrated
/// loudness, if it has one, for the comparison of an episode's formats.
fn judge_file(f: &Judged<'_>, out: &mut Vec<Diagnostic>) -> Option<f64> {
    let at = Location::Path(f.file.to_path_buf());
    let l = match f.loud {
        Loud::Hosted => {
            out.push(Diagnostic::info("LOUDNESS-HOSTED", "hosted: its loudness is measured only on disk").at(at));
            return None;
        }
        Loud::Measured(Err(e)) => {
            out.push(Diagnostic::warning("LOUDNESS-UNMEASURED", format!("loudness not measured: {e}")).at(at));
            return None;
        }
        Loud::Measured(Ok(l)) => l,
    };
    let Some(lufs) = l.integrated_lufs else {
        let silent = Diagnostic::warning("LOUDNESS-SILENT", "silent (no loudness above the gate)");
        out.push(silent.at(at).help("check the export: the file holds no sound listeners would hear"));
        return None;
    };
    let target = target_lufs(l.channels);
    let off = lufs - target;
    if off.abs() > MAX_OFF_TARGET_LU {
        let (how, what) = if off < 0.0 { ("quieter", "raise") } else { ("louder", "lower") };
        let kind = match l.channels {
            1 => "a mono episode (-16 for stereo: Apple's and the AES's target, a mono file measured as one channel)",
            _ => "an episode (Apple's and the AES's target; -19 for mono)",
        };
        let message = format!("{lufs:.1} LUFS, {:.1} LU {how} than the {target:.0} LUFS expected of {kind}", off.abs());
        let help = format!(
            "{what} it when mastering, e.g. ffmpeg -i IN -af loudnorm=I={target:.0}:TP=-1.5:LRA=11 OUT, and measure \
             again"
        );
        out.push(Diagnostic::warning("LOUDNESS-TARGET", message).at(at.clone()).help(help));
    }
    if let Some(peak) = l.true_peak_dbtp.filter(|p| *p > MAX_TRUE_PEAK_DBTP) {
        let message = format!("true peak {peak:.1} dBTP, over the -1 dBTP Apple allows: lossy encoding clips it");
        out.push(Diagnostic::warning("LOUDNESS-PEAK", message).at(at).help("limit the master's peaks to -1.5 dBTP"));
    }
    Some(lufs)
}

fn no_audio() -> LoudnessError {
    LoudnessError::Undecodable("the file holds no audio track".into())
}

/// Decodes the file at `path` whole and measures its loudness.
pub fn measure(path: &Path) -> Result<Loudness, LoudnessError> {
    let file = crate::fsutil::open(path).map_err(|e| LoudnessError::Io(e.to_string()))?;
    measure_source(Box::new(file))
}

/// [`measure`] of any source.
fn measure_source(source: Box<dyn symphonia::core::io::MediaSource>) -> Result<Loudness, LoudnessError> {
    // A panic in a decoder (there should be none) is a file podsmith cannot measure, not a crash.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_and_measure(source)))
        .unwrap_or_else(|_| Err(LoudnessError::Undecodable("the audio decoder failed on this file".into())))
}

/// The fuzz target (see `fuzz/`): any bytes decoded and measured, in memory.
#[doc(hidden)]
pub mod fuzz {
    /// Measures `data` as a media file, without the `catch_unwind` that
    /// guards it in real use: any panic (a decoder's) is a crash.
    pub fn loudness(data: &[u8]) {
        let _ = super::decode_and_measure(Box::new(std::io::Cursor::new(data.to_vec())));
    }
}

fn decode_and_measure(source: Box<dyn symphonia::core::io::MediaSource>) -> Result<Loudness, LoudnessError> {
    let mss = MediaSourceStream::new(source, MediaSourceStreamOptions::default());
    let mut reader = symphonia::default::get_probe()
        .probe(&Hint::new(), mss, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| LoudnessError::Undecodable(format!("not an audio file podsmith can decode ({e})")))?;
    let track = reader.default_track(TrackType::Audio).cloned().ok_or_else(no_audio)?;
    let params = track.codec_params.as_ref().and_then(|c| c.audio()).ok_or_else(no_audio)?;
    if params.codec == CODEC_ID_OPUS {
        return Err(LoudnessError::Undecodable(
            "Opus cannot be decoded here (symphonia has no Opus decoder): measure the file it was encoded from".into(),
        ));
    }
    // An MP3 without a LAME tag has nothing to trim, and symphonia's
    // gapless decode of one drops real audio when its length estimate is
    // short: decoded as it is.
    let gapless = !(params.codec == CODEC_ID_MP3 && track.delay.is_none());
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default().gapless(gapless))
        .map_err(|e| LoudnessError::Undecodable(format!("its audio cannot be decoded here ({e})")))?;
    let mut meter: Option<(ebur128::EbuR128, u32, u32)> = None;
    let mut samples: Vec<f32> = Vec::new();
    loop {
        let packet = match reader.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) | Err(SymError::ResetRequired) => break,
            // Cut short: what is there is measured.
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(LoudnessError::Undecodable(format!("the file cannot be read to its end ({e})"))),
        };
        if packet.track_id != track.id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(buf) => buf,
            // A damaged packet is skipped, as players do.
            Err(SymError::DecodeError(_) | SymError::IoError(_)) => continue,
            Err(e) => return Err(LoudnessError::Undecodable(format!("its audio cannot be decoded ({e})"))),
        };
        if buf.frames() == 0 {
            continue;
        }
        let (channels, rate) = (buf.spec().channels().count() as u32, buf.spec().rate());
        let (m, ch, sr) = match &mut meter {
            Some(m) => m,
            None => {
                let mode = ebur128::Mode::I | ebur128::Mode::TRUE_PEAK;
                let m = ebur128::EbuR128::new(channels, rate, mode)
                    .map_err(|e| LoudnessError::Undecodable(format!("{channels} channels at {rate} Hz: {e}")))?;
                meter.insert((m, channels, rate))
            }
        };
        if (channels, rate) != (*ch, *sr) {
            return Err(LoudnessError::Undecodable(format!(
                "its audio changes from {ch} channels at {sr} Hz to {channels} at {rate} midway"
            )));
        }
        samples.clear();
        buf.copy_to_vec_interleaved::<f32>(&mut samples);
        m.add_frames_f32(&samples)
            .map_err(|e| LoudnessError::Undecodable(format!("the meter refused its audio: {e}")))?;
    }
    let Some((m, channels, _)) = meter else {
        return Err(LoudnessError::Undecodable("the file holds no audio frames".into()));
    };
    let integrated = m.loudness_global().ok().filter(|l| l.is_finite());
    let peak = (0..channels).filter_map(|c| m.true_peak(c).ok()).fold(0.0f64, f64::max);
    let true_peak_dbtp = (peak > 0.0).then(|| 20.0 * peak.log10());
    Ok(Loudness { integrated_lufs: integrated, true_peak_dbtp, channels })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The MP3 and the OGG podsmith's fixtures hold decode and read as
    /// loudness; bytes that are no audio are said as such, not a panic.
    #[test]
    fn compressed_files_decode_and_junk_is_refused() {
        let audio = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio");
        for name in ["pair-5s.mp3", "vorbis.ogg", "flac.flac", "m4a-aac.m4a", "cbr-noxing.mp3"] {
            let l = measure(&audio.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let lufs = l.integrated_lufs.unwrap_or_else(|| panic!("{name}: no loudness"));
            assert!((-70.0..0.0).contains(&lufs), "{name}: {lufs}");
        }
        assert!(matches!(measure(&audio.join("opus.opus")), Err(LoudnessError::Undecodable(m)) if m.contains("Opus")));
        assert!(measure(&audio.join("broken-random.mp3")).is_err());
    }
}
