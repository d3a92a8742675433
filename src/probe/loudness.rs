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

use serde::Serialize;
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Loudness {
    /// Integrated loudness, LUFS (`None`: silence, below the gate).
    pub integrated_lufs: Option<f64>,
    /// The highest true peak of any channel, dBTP (`None`: digital silence).
    pub true_peak_dbtp: Option<f64>,
    /// Channels measured (a mono file is measured as one).
    pub channels: u32,
}

/// The loudness a podcast aims at, LUFS: Apple's -16 (the AES's for stereo),
/// the AES's -19 for mono.
pub fn target_lufs(channels: u32) -> f64 {
    if channels == 1 { -19.0 } else { -16.0 }
}

/// The highest true peak Apple asks for, dBTP (lossy encoders overshoot
/// peaks that are higher).
pub const MAX_TRUE_PEAK_DBTP: f64 = -1.0;

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
