//! `podsmith probe` over the committed audio fixtures, against their true
//! lengths (tests/fixtures/audio/truth.csv).

use crate::harness::*;

/// (file, true seconds) for every well-formed fixture.
fn truth() -> Vec<(String, f64)> {
    let csv = std::fs::read_to_string(repo().join("tests/fixtures/audio/truth.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let file = header.iter().position(|h| *h == "file").unwrap();
    let secs = header.iter().position(|h| *h == "true_seconds").unwrap();
    lines
        .filter_map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            let s: f64 = cols.get(secs)?.parse().ok()?;
            Some((cols[file].to_string(), s))
        })
        .collect()
}

#[test]
fn every_well_formed_fixture_is_measured_to_a_tenth_of_a_second() {
    let cases = truth();
    assert!(cases.len() >= 22, "{cases:?}");
    let show = Show::empty();
    let mut args = vec!["probe".to_string(), "--json".to_string()];
    args.extend(cases.iter().map(|(f, _)| audio(f).display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = show.run(&args).ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows.len(), cases.len());
    for ((file, seconds), row) in cases.iter().zip(&rows) {
        let measured = row["duration_secs"].as_f64().unwrap_or_else(|| panic!("{file}: {row}"));
        assert!((measured - seconds).abs() <= 0.1, "{file}: measured {measured}, true {seconds}");
        let bytes = std::fs::metadata(audio(file)).unwrap().len();
        assert_eq!(row["bytes"].as_u64(), Some(bytes), "{file}");
        let mime = match file.rsplit('.').next().unwrap() {
            "mp3" => "audio/mpeg",
            "m4a" => "audio/x-m4a",
            "flac" => "audio/flac",
            "wav" => "audio/wav",
            _ => "audio/ogg",
        };
        assert_eq!(row["mime_type"], mime, "{file}");
        assert!(row["path"].as_str().unwrap().ends_with(file.as_str()));
    }
}

/// An MP3 whose seek header counts it whole but whose second half is
/// zeros (a copy or upload stopped after its space was claimed: the size
/// is right) is truncated, not published with the header's length.
#[test]
fn an_mp3_whose_end_is_zeros_is_truncated_though_its_size_is_right() {
    let show = Show::empty();
    let whole = std::fs::read(audio("cbr-xing.mp3")).unwrap();
    let half = whole.len() / 2;
    let zeroed = [&whole[..half], &vec![0u8; whole.len() - half][..]].concat();
    std::fs::write(show.path("zeroed.mp3"), zeroed).unwrap();
    let run = show.run(&["probe", "zeroed.mp3"]).fails(1);
    assert_eq!(
        run.stderr,
        "error: zeroed.mp3: the file is truncated: its header says 3.0 s, the file holds 1.5 s; upload or copy it again\n"
    );
    // Zeros after the audio the header counts (padding) are no damage.
    let padded = [&whole[..], &[0u8; 4096][..]].concat();
    std::fs::write(show.path("padded.mp3"), padded).unwrap();
    show.run(&["probe", "padded.mp3"]).ok();
}

#[test]
fn a_vbr_mp3_without_a_header_is_scanned_not_estimated() {
    let show = Show::empty();
    let path = audio("vbr-noxing.mp3").display().to_string();
    let run = show.run(&["probe", "--json", &path]).ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows[0]["method"], "scan");
    assert_eq!(rows[0]["codec"], "mp3");
    let with_header = show.run(&["probe", "--json", &audio("vbr-xing.mp3").display().to_string()]).ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&with_header.stdout).unwrap();
    assert_eq!(rows[0]["method"], "header");
}

/// Two MP3 files joined (`cat a.mp3 b.mp3`): the first one's Info tag
/// counts only its own bytes, so the frames are counted, all of them.
#[test]
fn joined_mp3_files_are_counted_to_the_end_not_by_the_first_ones_tag() {
    let show = Show::empty();
    let one = std::fs::read(audio("cbr-xing.mp3")).unwrap();
    std::fs::write(show.path("joined.mp3"), [one.as_slice(), one.as_slice()].concat()).unwrap();
    let run = show.run(&["probe", "--json", "joined.mp3"]).ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows[0]["method"], "scan");
    // Twice 3.0 s, with the second file's tag frame, encoder delay and padding.
    let secs = rows[0]["duration_secs"].as_f64().unwrap();
    assert!((6.0..6.2).contains(&secs), "{secs}");
    // One file alone keeps its exact length from the tag.
    let run = show.run(&["probe", "--json", &audio("cbr-xing.mp3").display().to_string()]).ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((rows[0]["method"].as_str(), rows[0]["duration_secs"].as_f64()), (Some("header"), Some(3.0)));
}

/// Two Ogg files joined: apps count only the first stream; refused, saying so.
#[test]
fn joined_ogg_files_are_refused_not_measured_as_the_first() {
    let show = Show::empty();
    let (a, b) = (std::fs::read(audio("vorbis.ogg")).unwrap(), std::fs::read(audio("vorbis-5s.ogg")).unwrap());
    std::fs::write(show.path("joined.ogg"), [a.as_slice(), b.as_slice()].concat()).unwrap();
    let run = show.run(&["probe", "joined.ogg"]).fails(1);
    assert!(
        run.stderr.contains("no duration could be measured: an Ogg file of several streams one after another"),
        "{}",
        run.stderr
    );
}

#[test]
fn unreadable_files_get_an_error_object_and_exit_1() {
    let show = Show::empty();
    let files = ["cbr-xing.mp3", "broken-not-audio.mp3", "broken-empty.ogg", "broken-truncated.ogg"];
    let paths: Vec<String> = files.iter().map(|f| audio(f).display().to_string()).collect();
    let mut args = vec!["probe", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let run = show.run(&args).fails(1);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert!(rows[0]["duration_secs"].is_f64());
    assert!(rows[0].get("error").is_none());
    for row in &rows[1..] {
        assert!(row["error"].is_string(), "{row}");
        assert!(row.get("duration_secs").is_none(), "{row}");
    }
    assert!(run.stderr.contains("broken-not-audio.mp3: not a supported audio file"), "{}", run.stderr);
}

/// Every broken fixture, and the whole error it gets: one test per pitfall.
#[test]
fn each_kind_of_broken_file_gets_its_own_clear_error() {
    let cases = [
        ("broken-empty.ogg", "the file is empty (0 bytes): the upload or copy did not finish"),
        (
            "broken-not-audio.mp3",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): no audio format recognised in its content",
        ),
        (
            "broken-random.mp3",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): no audio format recognised in its content",
        ),
        (
            "broken-id3-only.mp3",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): no audio format recognised in its content",
        ),
        (
            "broken-freeformat.mp3",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): a free-format MP3 (no bitrate in its frames), which podcast tools cannot measure: re-encode it with a fixed or variable bitrate",
        ),
        ("broken-truncated.ogg", "the file is truncated: it ends after 0.7 s of audio; upload or copy it again"),
        ("broken-truncated-noxing.mp3", "the file is truncated: it ends after 1.5 s of audio; upload or copy it again"),
        (
            "broken-truncated-xing.mp3",
            "the file is truncated: its header says 3.0 s, the file holds 1.5 s; upload or copy it again",
        ),
        (
            "broken-truncated.m4a",
            "the file is truncated: its header says 3.0 s, the file holds 1.3 s; upload or copy it again",
        ),
        (
            "broken-truncated-moovend.m4a",
            "the audio data is damaged: the M4A ends inside its media data and has no index (moov box): the upload was cut short; re-export the episode",
        ),
        (
            "broken-fragmented.m4a",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): a fragmented MP4 (its audio is in movie fragments, as streaming tools write it), which podsmith cannot measure: re-export it as a plain M4A, e.g. ffmpeg -i in.m4a -c copy -movflags +faststart out.m4a",
        ),
        (
            "broken-caf.caf",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): a Core Audio file (CAF, as Logic and GarageBand export), which podcast apps and directories do not take: export the episode as MP3 (or M4A), e.g. ffmpeg -i episode.caf -c:a libmp3lame -q:a 2 episode.mp3",
        ),
        (
            "broken-aiff.aiff",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): an AIFF file, which podcast apps and directories do not take: export the episode as MP3 (or M4A), e.g. ffmpeg -i episode.aiff -c:a libmp3lame -q:a 2 episode.mp3",
        ),
        (
            "broken-rf64.wav",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): an RF64 WAV (the WAV of recorders and editors for files over 4 GB), which podcast apps and directories do not take: export the episode as MP3 (or M4A), e.g. ffmpeg -i episode.wav -c:a libmp3lame -q:a 2 episode.mp3",
        ),
        (
            "broken-wma.wma",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): a Windows Media file (WMA or ASF), which podcast apps and directories do not take: export the episode as MP3 (or M4A), e.g. ffmpeg -i episode.wma -c:a libmp3lame -q:a 2 episode.mp3",
        ),
        (
            "broken-alac.m4a",
            "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): Apple Lossless (ALAC) in an M4A, which podcast apps do not play (an M4A episode is AAC): ffmpeg -i episode.m4a -c:a aac -b:a 128k episode-aac.m4a",
        ),
        (
            "broken-chained.opus",
            "no duration could be measured: an Ogg file of several streams one after another (files joined with `cat`, say): podcast apps play or count only the first; make it one file with an audio editor or ffmpeg -i joined.opus -c:a libopus episode.opus",
        ),
    ];
    let show = Show::empty();
    for (file, error) in cases {
        let started = std::time::Instant::now();
        let run = show.run(&["probe", "--json", &audio(file).display().to_string()]).fails(1);
        assert!(started.elapsed().as_secs() < 5, "{file} took too long");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(rows[0]["error"], error, "{file}");
    }
}

#[test]
fn json_says_how_each_mp3_was_measured() {
    // file, method, has_seek_header, vbr
    let cases = [
        ("cbr-xing.mp3", "header", "Info", false),
        ("cbr-noxing.mp3", "scan", "none", false),
        ("vbr-xing.mp3", "header", "Xing", true),
        ("vbr-noxing.mp3", "scan", "none", true),
        ("vbri.mp3", "scan", "VBRI", true),
        ("big-id3v2.mp3", "header", "Info", false),
        ("junk-prefix.mp3", "header", "Info", false),
    ];
    let show = Show::empty();
    let paths: Vec<String> = cases.iter().map(|(f, ..)| audio(f).display().to_string()).collect();
    let mut args = vec!["probe", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&show.run(&args).ok().stdout).unwrap();
    for ((file, method, header, vbr), row) in cases.iter().zip(&rows) {
        assert_eq!(row["method"], *method, "{file}");
        assert_eq!(row["has_seek_header"], *header, "{file}");
        assert_eq!(row["vbr"], *vbr, "{file}");
        for key in ["codec", "sample_rate", "channels", "bitrate"] {
            assert!(!row[key].is_null(), "{file}: {key}");
        }
    }
    // An MP3's bitrate is its audio's: a 24 KB picture in its tag is none of it
    // (the feed's alternateEnclosure says it, for apps to choose by).
    let two = paths_of(&["big-id3v2.mp3", "cbr-xing.mp3"]);
    let args = ["probe", "--json", &two[0], &two[1]];
    let rows: Vec<serde_json::Value> = serde_json::from_str(&show.run(&args).ok().stdout).unwrap();
    let kbps = |n: usize| rows[n]["bitrate"].as_u64().unwrap() / 1000;
    assert_eq!((kbps(0), kbps(1)), (65, 65), "{rows:?}");
    // Other formats have no seek header; their bitrate varies by design (or never, for PCM).
    let files = ["vorbis.ogg", "opus.opus", "flac.flac", "wav.wav", "m4a-aac.m4a"];
    let paths: Vec<String> = files.iter().map(|f| audio(f).display().to_string()).collect();
    let mut args = vec!["probe", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&show.run(&args).ok().stdout).unwrap();
    let vbr: Vec<&serde_json::Value> = rows.iter().map(|r| &r["vbr"]).collect();
    assert_eq!(
        vbr,
        [
            &serde_json::json!(true),
            &serde_json::json!(true),
            &serde_json::json!(true),
            &serde_json::json!(false),
            &serde_json::Value::Null
        ]
    );
    assert!(rows.iter().all(|r| r.get("has_seek_header").is_none()));
}

#[test]
fn the_human_listing_shows_duration_size_type_and_codec() {
    let show = Show::sample();
    let run = show.run(&["probe", "media/fluentd-eduardo-silva.ogg", "media/fluentd-eduardo-silva.mp3"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "media/fluentd-eduardo-silva.ogg\t15:10 (910.000 s)\t80100 bytes\taudio/ogg\t\
         vorbis 8000 Hz 1 ch, 1 kb/s on average, VBR\theader"
    );
    assert!(lines[1].starts_with("media/fluentd-eduardo-silva.mp3\t15:10 (910."), "{}", lines[1]);
    assert!(
        lines[1].ends_with("\t910152 bytes\taudio/mpeg\tmp3 8000 Hz 1 ch, 8 kb/s on average, CBR\tscanned"),
        "{}",
        lines[1]
    );
}

/// The listing says each file's bitrate mode (CBR or VBR, where the format
/// tells it) and an MP3's seek header, as an encoding report: a VBR MP3
/// without one is what players seek badly in (MEDIA-VBR-NO-HEADER).
#[test]
fn the_human_listing_says_the_bitrate_mode_and_an_mp3s_seek_header() {
    let show = Show::empty();
    let audio = repo().join("tests/fixtures/audio");
    let names = ["cbr-xing.mp3", "cbr-noxing.mp3", "vbr-xing.mp3", "vbri.mp3", "vbr-noxing.mp3", "m4a-aac.m4a"];
    let paths: Vec<String> = names.iter().map(|n| audio.join(n).display().to_string()).collect();
    let args: Vec<&str> = std::iter::once("probe").chain(paths.iter().map(String::as_str)).collect();
    let run = show.run(&args).ok();
    let said: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            let codec = l.split('\t').nth(4).unwrap();
            codec.split_once(" on average").map_or(codec, |(_, mode)| mode).to_string()
        })
        .collect();
    assert_eq!(
        said,
        [", CBR (Info header)", ", CBR", ", VBR (Xing header)", ", VBR (VBRI header)", ", VBR (no seek header)", ""]
    );
}

/// Probes `path` with the given engine, through an in-memory copy that can
/// be edited first.
fn probe_bytes(data: Vec<u8>, engine: podsmith::probe::Engine) -> Result<podsmith::probe::AudioInfo, String> {
    let open = move || -> std::io::Result<Box<dyn symphonia::core::io::MediaSource>> {
        Ok(Box::new(std::io::Cursor::new(data.clone())))
    };
    podsmith::probe::probe_engine(&open, engine).map_err(|e| e.to_string())
}

/// Ogg and M4A are measured from their own headers (two pages; the moov's
/// media header and edit list) without symphonia's demuxer, and MP3 is
/// shown to symphonia without its ID3v2 tag. Every fixture, the sample
/// show's media and the edited variants below must measure exactly as
/// symphonia's readers measure them, or fail the same way.
#[test]
fn the_header_readers_agree_with_symphonia_on_every_file() {
    use podsmith::probe::Engine;
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/audio"))
        .unwrap()
        .chain(std::fs::read_dir(repo().join("media")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| !matches!(p.extension().and_then(|x| x.to_str()), Some("csv" | "md" | "sh" | "jpg" | "png")))
        .collect();
    files.sort();
    let mut cases: Vec<(String, Vec<u8>)> =
        files.iter().map(|p| (p.display().to_string(), std::fs::read(p).unwrap())).collect();
    // Variants the header readers must hand over to symphonia: bytes after
    // the last Ogg page, an Ogg whose last page lost its end-of-stream mark
    // (its checksum then fails too), an M4A cut inside its media data.
    let ogg = std::fs::read(audio("vorbis.ogg")).unwrap();
    let mut trailing = ogg.clone();
    trailing.extend_from_slice(b"TAG trailing bytes");
    cases.push(("vorbis.ogg + trailing bytes".into(), trailing));
    let mut no_eos = ogg.clone();
    let last = no_eos.windows(4).rposition(|w| w == b"OggS").unwrap();
    no_eos[last + 5] &= !0x04;
    cases.push(("vorbis.ogg without its end mark".into(), no_eos));
    cases.push(("vorbis.ogg ending in an empty end-of-stream page".into(), nil_end_page(&ogg)));
    let m4a = std::fs::read(audio("m4a-faststart.m4a")).unwrap();
    cases.push(("m4a-faststart.m4a cut".into(), m4a[..m4a.len() * 2 / 3].to_vec()));
    let open_ended = mdat_to_the_end(&m4a);
    cases.push(("m4a-faststart.m4a, mdat to the end".into(), open_ended.clone()));
    cases.push(("m4a-faststart.m4a, mdat to the end, cut".into(), open_ended[..open_ended.len() * 2 / 3].to_vec()));
    assert!(cases.len() >= 40, "{}", cases.len());
    let mut compared = 0;
    for (name, data) in cases {
        let ours = probe_bytes(data.clone(), Engine::Auto);
        let theirs = probe_bytes(data, Engine::Symphonia);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                assert!((a.duration_secs - b.duration_secs).abs() < 0.001, "{name}: {a:?} / {b:?}");
                assert_eq!(
                    (a.format, a.codec, a.sample_rate, a.channels, a.method, a.vbr, a.has_seek_header),
                    (b.format, b.codec, b.sample_rate, b.channels, b.method, b.vbr, b.has_seek_header),
                    "{name}"
                );
                compared += 1;
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
            _ => panic!("{name}: {ours:?} / {theirs:?}"),
        }
    }
    assert!(compared >= 30, "{compared}");
}

#[test]
fn json_gives_the_title_tag_where_there_is_one() {
    let show = Show::empty();
    let tagged = audio("tagged-id3v2-id3v1.mp3").display().to_string();
    let plain = audio("cbr-xing.mp3").display().to_string();
    let run = show.run(&["probe", "--json", &tagged, &plain]).ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows[0]["title"], "Tagged & <quoted>");
    assert!(rows[1].get("title").is_none(), "{}", rows[1]);
}

/// `data` (an M4A whose `mdat` is its last box) with the `mdat` size field
/// set to 0, "to the end of the file", as some writers leave it.
fn mdat_to_the_end(data: &[u8]) -> Vec<u8> {
    let at = data.windows(4).rposition(|w| w == b"mdat").unwrap() - 4;
    let size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
    assert_eq!(at + size, data.len(), "mdat is the last box");
    let mut out = data.to_vec();
    out[at..at + 4].copy_from_slice(&[0; 4]);
    out
}

/// A cut M4A is caught even when its `mdat` does not say how long it is:
/// the sample table points past the end of the file.
#[test]
fn an_m4a_whose_sample_table_points_past_the_end_is_truncated() {
    use podsmith::probe::Engine;
    let whole = mdat_to_the_end(&std::fs::read(audio("m4a-faststart.m4a")).unwrap());
    let info = probe_bytes(whole.clone(), Engine::Auto).unwrap();
    assert!((info.duration_secs - 3.0).abs() < 0.001, "{info:?}");
    let cut = whole[..whole.len() / 2].to_vec();
    let err = probe_bytes(cut, Engine::Auto).unwrap_err();
    assert!(err.starts_with("the file is truncated: its header says 3.0 s, the file holds 1."), "{err}");
}

/// The Ogg page checksum (CRC-32, polynomial 0x04C11DB7, not reflected),
/// computed with the checksum field as zeros, and set.
fn set_ogg_crc(page: &mut [u8]) {
    page[22..26].copy_from_slice(&[0; 4]);
    let mut crc = 0u32;
    for &b in page.iter() {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04C1_1DB7 } else { crc << 1 };
        }
    }
    page[22..26].copy_from_slice(&crc.to_le_bytes());
}

/// `ogg` with its last page's end-of-stream mark moved to an empty page
/// (no packets, the same granule) after it, as some muxers end a stream.
fn nil_end_page(ogg: &[u8]) -> Vec<u8> {
    let last = ogg.windows(4).rposition(|w| w == b"OggS").unwrap();
    let mut out = ogg.to_vec();
    out[last + 5] &= !0x04;
    set_ogg_crc(&mut out[last..]);
    let mut nil = ogg[last..last + 27].to_vec();
    nil[5] = 0x04;
    let sequence = u32::from_le_bytes(nil[18..22].try_into().unwrap()) + 1;
    nil[18..22].copy_from_slice(&sequence.to_le_bytes());
    nil[26] = 0;
    set_ogg_crc(&mut nil);
    out.extend_from_slice(&nil);
    out
}

/// `probe --loudness` decodes each file whole and measures it as EBU R128
/// says: a 1 kHz sine at -23 dBFS in both channels of a stereo file is
/// -23.0 LUFS (EBU Tech 3341's first test), its true peak -23 dBTP; the
/// same in one channel (mono) 3 dB less; silence has none. It says what is
/// far from the -16 LUFS podcasts aim at (-19 mono), a true peak over
/// -1 dBTP, and two formats of one episode (one name) that differ.
#[test]
fn loudness_is_measured_as_ebu_r128_says_and_judged() {
    let show = Show::empty();
    let sine = |dbfs: f64| {
        let amp = 10f64.powf(dbfs / 20.0);
        move |n: u32| amp * (2.0 * std::f64::consts::PI * 1000.0 * f64::from(n) / 48000.0).sin()
    };
    let files = [
        ("ep.wav", pcm_wav(2, 48000, 48000 * 12, sine(-23.0))),
        ("ep.wave", pcm_wav(2, 48000, 48000 * 12, sine(-16.0))),
        ("mono.wav", pcm_wav(1, 48000, 48000 * 12, sine(-23.0))),
        ("hot.wav", pcm_wav(2, 48000, 48000 * 12, sine(-0.5))),
        ("silent.wav", pcm_wav(2, 44100, 44100 * 3, |_| 0.0)),
    ];
    for (name, bytes) in &files {
        std::fs::write(show.path(name), bytes).unwrap();
    }
    let opus = audio("opus.opus").display().to_string();
    let mut args = vec!["probe", "--loudness", "--json"];
    args.extend(files.iter().map(|(name, _)| *name));
    args.push(&opus);
    let run = show.run(&args).ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let lufs = |n: usize| rows[n]["loudness"]["integrated_lufs"].as_f64().unwrap();
    let peak = |n: usize| rows[n]["loudness"]["true_peak_dbtp"].as_f64().unwrap();
    assert!((lufs(0) - -23.0).abs() < 0.1 && (peak(0) - -23.0).abs() < 0.2, "{}", rows[0]);
    assert!((lufs(1) - -16.0).abs() < 0.1, "{}", rows[1]);
    assert!((lufs(2) - -26.0).abs() < 0.1 && rows[2]["loudness"]["channels"] == 1, "{}", rows[2]);
    assert!(peak(3) > -1.0, "{}", rows[3]);
    assert_eq!(rows[4]["loudness"]["integrated_lufs"], serde_json::Value::Null);
    assert_eq!(rows[5]["loudness"], serde_json::Value::Null, "Opus: not decoded");
    let said: Vec<&str> = run.stderr.lines().collect();
    let about = |file: &str| said.iter().filter(|l| l.starts_with(&format!("warning: {file}: "))).count();
    assert!(run.stderr.contains("warning: ep.wav: -23.0 LUFS, 7.0 LU quieter than the -16 LUFS"), "{}", run.stderr);
    assert_eq!(about("ep.wave"), 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning: mono.wav: -26.0 LUFS, 7.0 LU quieter than the -19 LUFS"), "{}", run.stderr);
    assert!(run.stderr.contains("warning: hot.wav: true peak "), "{}", run.stderr);
    assert!(run.stderr.contains("warning: silent.wav: silent"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("formats of one episode differ in loudness by 7.0 LU (ep.wav -23.0 LUFS, ep.wave -16.0 LUFS)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("opus.opus: loudness not measured: Opus cannot be decoded"), "{}", run.stderr);
}

/// An APEv2 tag (header, one binary item, footer) holding `item`.
fn apev2_tag(item: &[u8]) -> Vec<u8> {
    let mut items = Vec::new();
    items.extend_from_slice(&u32::try_from(item.len()).unwrap().to_le_bytes());
    items.extend_from_slice(&2u32.to_le_bytes()); // binary
    items.extend_from_slice(b"Cover Art (Front)\0");
    items.extend_from_slice(item);
    let size = u32::try_from(items.len() + 32).unwrap();
    let field = |flags: u32| {
        [
            &b"APETAGEX"[..],
            &2000u32.to_le_bytes(),
            &size.to_le_bytes(),
            &1u32.to_le_bytes(),
            &flags.to_le_bytes(),
            &[0; 8],
        ]
        .concat()
    };
    [field(0xA000_0000), items, field(0x8000_0000)].concat()
}

/// An ID3v2.4 tag with a footer (`3DI`), as appended after the audio, with a `size`-byte body.
fn id3v24_with_footer(size: u32) -> Vec<u8> {
    let synchsafe = |n: u32| [(n >> 21) as u8 & 0x7F, (n >> 14) as u8 & 0x7F, (n >> 7) as u8 & 0x7F, n as u8 & 0x7F];
    let body = vec![0xFF; size as usize];
    [&b"ID3\x04\x00\x10"[..], &synchsafe(size), &body, b"3DI\x04\x00\x10", &synchsafe(size)].concat()
}

/// A Lyrics3v2 tag of `size` bytes in all.
fn lyrics3v2(size: usize) -> Vec<u8> {
    let body = [&b"LYRICSBEGININD0000311"[..], &vec![b'x'; size - 15 - 21]].concat();
    [body.as_slice(), format!("{:06}LYRICS200", body.len()).as_bytes()].concat()
}

/// Tags after the audio are left out of it whatever their size: here each
/// holds MPEG frames (a clip of the episode as "cover art"), which would be
/// counted as audio, and the Info tag thrown away as "the file holds more".
#[test]
fn big_tags_after_an_mp3_are_not_audio() {
    use podsmith::probe::{Engine, Method};
    let xing = std::fs::read(audio("cbr-xing.mp3")).unwrap();
    let noxing = std::fs::read(audio("cbr-noxing.mp3")).unwrap();
    let clip = [noxing.as_slice(); 8].concat();
    let id3v1 = [&b"TAG"[..], &[0u8; 125]].concat();
    let tails = [
        ("APEv2 with a 190 KB item, then ID3v1", [apev2_tag(&clip), id3v1.clone()].concat()),
        ("ID3v1, then APEv2", [id3v1.clone(), apev2_tag(&clip)].concat()),
        ("ID3v2.4 with its footer", id3v24_with_footer(150_000)),
        ("Lyrics3v2 of 100 KB, then ID3v1", [lyrics3v2(100_000), id3v1].concat()),
    ];
    let plain = probe_bytes(noxing.clone(), Engine::Auto).unwrap();
    for (what, tail) in tails {
        let info = probe_bytes([xing.as_slice(), &tail].concat(), Engine::Auto).unwrap();
        assert_eq!((info.method, info.duration_secs), (Method::Header, 3.0), "Info tag + {what}");
        let info = probe_bytes([noxing.as_slice(), &tail].concat(), Engine::Auto).unwrap();
        assert_eq!((info.method, info.duration_secs), (Method::Scan, plain.duration_secs), "no Xing + {what}");
    }
}

/// Two copies of an MP3 with a cover in its ID3v2 tag, joined: the second
/// copy's tag, full of sync-like bytes, is skipped whole, not walked.
#[test]
fn joined_mp3_files_with_covers_are_counted_without_their_tags() {
    use podsmith::probe::{Engine, Method};
    let one = std::fs::read(audio("big-id3v2.mp3")).unwrap();
    let info = probe_bytes(one.repeat(2), Engine::Auto).unwrap();
    // Twice 3.0 s, with the second file's tag frame, encoder delay and padding.
    assert_eq!(info.method, Method::Scan);
    assert!((6.0..6.1).contains(&info.duration_secs), "{info:?}");
}

/// A WAV is measured by the bytes its `data` chunk holds: one cut short is
/// reported as a cut MP3 is; one written to a pipe (size 0xFFFFFFFF) ends
/// where the file ends, to the sample, not rounded up to a whole packet.
#[test]
fn a_wav_is_measured_by_the_audio_it_holds() {
    use podsmith::probe::{Engine, Method};
    let wav = std::fs::read(audio("wav.wav")).unwrap();
    let err = probe_bytes(wav[..wav.len() / 2].to_vec(), Engine::Auto).unwrap_err();
    assert_eq!(err, "the file is truncated: its header says 3.0 s, the file holds 1.5 s; upload or copy it again");
    let streamed = probe_bytes(std::fs::read(audio("wav-streamed.wav")).unwrap(), Engine::Auto).unwrap();
    assert_eq!((streamed.method, streamed.duration_secs), (Method::Scan, 3.0));
    // A streamed WAV cut short promised nothing: it holds what it holds.
    let streamed = std::fs::read(audio("wav-streamed.wav")).unwrap();
    let info = probe_bytes(streamed[..streamed.len() - 8000].to_vec(), Engine::Auto).unwrap();
    assert!((info.duration_secs - 2.0).abs() < 0.01, "{info:?}");
}

/// A FLAC cut short still says its whole length in STREAMINFO; its last
/// frame header says where the audio that is there ends.
#[test]
fn a_cut_flac_is_truncated() {
    use podsmith::probe::Engine;
    let flac = std::fs::read(audio("flac.flac")).unwrap();
    let whole = probe_bytes(flac.clone(), Engine::Auto).unwrap();
    assert_eq!(whole.duration_secs, 3.0);
    // Half its bytes, 8 KiB of them metadata: 15 frames of 576 samples at 8 kHz.
    let err = probe_bytes(flac[..flac.len() / 2].to_vec(), Engine::Auto).unwrap_err();
    assert_eq!(err, "the file is truncated: its header says 3.0 s, the file holds 1.1 s; upload or copy it again");
}

/// The same Ogg file twice (`cat a.ogg a.ogg`: one serial number, so its
/// last page looks like the end of the first copy's stream) is refused as
/// files of different streams joined are, not measured as one copy.
#[test]
fn an_ogg_file_joined_with_itself_is_refused() {
    use podsmith::probe::Engine;
    // Small files are seen whole in their first 64 KiB; the sample show's
    // are not, and the pages between are looked at.
    let files = [
        audio("vorbis.ogg"),
        audio("opus.opus"),
        audio("vorbis-5s.ogg"),
        repo().join("media/kubernetes-sarah-novotny.ogg"),
    ];
    for file in files {
        let file = file.display().to_string();
        let one = std::fs::read(&file).unwrap();
        for copies in [2, 3] {
            let err = probe_bytes(one.repeat(copies), Engine::Auto).map(|i| i.duration_secs).unwrap_err();
            assert!(
                err.starts_with("no duration could be measured: an Ogg file of several streams one after another"),
                "{file} x{copies}: {err}"
            );
        }
        assert!(probe_bytes(one, Engine::Auto).is_ok(), "{file}");
    }
}

/// `ogg` with every granule position that is not 0 moved on by `offset`
/// (a capture of a live stream that started long before), checksums fixed.
fn granules_moved_on(ogg: &[u8], offset: u64) -> Vec<u8> {
    let mut out = ogg.to_vec();
    let mut at = 0;
    while at + 27 <= out.len() {
        let segments = usize::from(out[at + 26]);
        let body: usize = out[at + 27..at + 27 + segments].iter().map(|l| usize::from(*l)).sum();
        let end = at + 27 + segments + body;
        let granule = u64::from_le_bytes(out[at + 6..at + 14].try_into().unwrap());
        if granule != 0 && granule != u64::MAX {
            out[at + 6..at + 14].copy_from_slice(&(granule + offset).to_le_bytes());
            set_ogg_crc(&mut out[at..end]);
        }
        at = end;
    }
    out
}

/// An Opus stream whose granules start an hour in: its length is from its
/// first sample, not from the hour before it.
#[test]
fn an_opus_capture_of_a_live_stream_is_measured_from_its_start() {
    use podsmith::probe::Engine;
    let opus = std::fs::read(audio("opus.opus")).unwrap();
    let info = probe_bytes(granules_moved_on(&opus, 48_000 * 3600), Engine::Auto).unwrap();
    assert_eq!(info.duration_secs, 3.0);
}

/// Bytes after an Ogg stream's last page (zeros a copy appended) are not
/// audio: up to a MiB of them is passed over; more is said.
#[test]
fn bytes_after_the_last_ogg_page_are_passed_over_or_named() {
    use podsmith::probe::Engine;
    for file in ["vorbis.ogg", "opus.opus"] {
        let ogg = std::fs::read(audio(file)).unwrap();
        let info = probe_bytes([ogg.as_slice(), &[0; 100_000]].concat(), Engine::Auto).unwrap();
        assert_eq!(info.duration_secs, 3.0, "{file}");
        let err = probe_bytes([ogg.as_slice(), &vec![0; 1100 * 1024]].concat(), Engine::Auto).unwrap_err();
        assert_eq!(
            err,
            "the audio data is damaged: no Ogg page in the file's last MiB: bytes that are not audio follow the \
             stream (appended by a copy or an upload; cut them off after its last page), or the file is damaged; \
             re-export the episode",
            "{file}"
        );
    }
}

/// The same for Vorbis, whose first audio page's granule counts the
/// samples of its packets but the first (block sizes from the setup header).
#[test]
fn a_vorbis_capture_of_a_live_stream_is_measured_from_its_start() {
    use podsmith::probe::Engine;
    for (file, secs) in [("vorbis.ogg", 3.0), ("vorbis-5s.ogg", 5.0)] {
        let ogg = std::fs::read(audio(file)).unwrap();
        let info = probe_bytes(granules_moved_on(&ogg, 44_100 * 3600), Engine::Auto).unwrap();
        assert_eq!(info.duration_secs, secs, "{file}");
    }
}

/// A file whose name holds a line break or a tab is listed on one line,
/// its name one field: the control characters in it are written out
/// (`\u{a}`), in the listing and in an error.
#[test]
fn a_name_with_a_line_break_is_listed_on_one_line() {
    let show = Show::empty();
    std::fs::copy(audio("cbr-xing.mp3"), show.path("two\nlines\t.mp3")).unwrap();
    std::fs::copy(audio("broken-not-audio.mp3"), show.path("not\naudio.mp3")).unwrap();
    let run = show.run(&["probe", "two\nlines\t.mp3"]).ok();
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("two\\u{a}lines\\u{9}.mp3\t"), "{}", run.stdout);
    assert_eq!(run.stdout.split('\t').count(), 6, "{}", run.stdout);
    let run = show.run(&["probe", "not\naudio.mp3"]).fails(1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: not\\u{a}audio.mp3: "), "{}", run.stderr);
}

/// `count` bytes that look random (xorshift64 from `seed`).
fn noise(seed: u64, count: usize) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

/// Bytes that are not audio get "no audio format recognised", as the
/// README says: four of them that look like a free-format MP3 header
/// (bitrate index 0) with no second one to confirm it are not a
/// free-format MP3, and an "ID3" of a version that does not exist is
/// said in podsmith's words, not symphonia's.
#[test]
fn random_bytes_are_not_taken_for_a_free_format_mp3_or_a_tag() {
    let show = Show::empty();
    let mut junk = noise(7, 100_000);
    junk[2000..2004].copy_from_slice(&[0xFF, 0xFB, 0x00, 0xC4]);
    std::fs::write(show.path("junk.mp3"), &junk).unwrap();
    let tag = [&[0u8; 5000][..], b"ID3\x09\x00\x00\x00\x00\x00\x10", &noise(3, 5000)].concat();
    std::fs::write(show.path("tag.mp3"), &tag).unwrap();
    let run = show.run(&["probe", "--json", "junk.mp3", "tag.mp3"]).fails(1);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let unknown = "not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): no audio format recognised \
                   in its content";
    assert_eq!(rows[0]["error"], unknown, "{}", rows[0]);
    assert_eq!(
        rows[1]["error"],
        format!("{unknown}, only a tag that claims to be ID3 but is damaged or of a version that does not exist"),
        "{}",
        rows[1]
    );
}

/// `ogg` with its last page's granule position set to `granule` (and the
/// page's checksum made again, so that it is read).
fn last_granule_set(ogg: &[u8], granule: u64) -> Vec<u8> {
    let last = ogg.windows(4).rposition(|w| w == b"OggS").unwrap();
    let mut out = ogg.to_vec();
    out[last + 6..last + 14].copy_from_slice(&granule.to_le_bytes());
    set_ogg_crc(&mut out[last..]);
    out
}

/// An Ogg whose last granule claims a length its bytes cannot hold (500
/// hours in 20 KB: under a bit a second, where a Vorbis or Opus packet
/// is a byte at least) is damaged, by either reader; not 500:00:00 at
/// 0 kb/s.
#[test]
fn an_ogg_longer_than_its_bytes_can_hold_is_refused() {
    let show = Show::empty();
    let hours = 500 * 3600;
    for (name, granule) in [("vorbis.ogg", hours * 44_100), ("opus.opus", hours * 48_000 + 312)] {
        let data = last_granule_set(&std::fs::read(audio(name)).unwrap(), granule);
        std::fs::write(show.path(name), &data).unwrap();
        let run = show.run(&["probe", "--json", name]).fails(1);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        let codec = if name == "opus.opus" { "Opus takes at least 67 bit/s" } else { "Vorbis takes at least 86 bit/s" };
        let error = format!(
            "the audio data is damaged: its last page says it lasts 500:00:00, more than its {} bytes can hold (less \
             than 1 bit/s on average; {codec}, even for silence); re-export the episode",
            data.len()
        );
        assert_eq!(rows[0]["error"], error, "{name}");
        let bytes = data.len();
        let by_symphonia = probe_bytes(data, podsmith::probe::Engine::Symphonia).unwrap_err();
        assert!(by_symphonia.contains(&format!("more than its {bytes} bytes can hold")), "{by_symphonia}");
    }
}

/// A FLAC whose STREAMINFO total is short of its frames (a damaged
/// header: decoders and players play every frame) is measured to the end
/// of its last frame, by either engine.
#[test]
fn a_flac_whose_streaminfo_says_less_than_its_frames_is_measured_to_its_last_frame() {
    use podsmith::probe::Engine;
    let mut flac = std::fs::read(audio("flac.flac")).unwrap();
    // STREAMINFO's total samples: the low 36 bits of its bytes 10..18 (file bytes 18..26).
    let packed = u64::from_be_bytes(flac[18..26].try_into().unwrap());
    let total = packed & ((1 << 36) - 1);
    assert_eq!(total, 24_000);
    flac[18..26].copy_from_slice(&((packed & !((1 << 36) - 1)) | (total / 2)).to_be_bytes());
    for engine in [Engine::Auto, Engine::Symphonia] {
        let info = probe_bytes(flac.clone(), engine).unwrap();
        assert_eq!(info.duration_secs, 3.0, "{engine:?}");
    }
}

/// `data` with the big-endian u32 at `at` set to `value`.
fn with_u32(data: &[u8], at: usize, value: u32) -> Vec<u8> {
    let mut out = data.to_vec();
    out[at..at + 4].copy_from_slice(&value.to_be_bytes());
    out
}

/// An M4A whose sample table cannot be true of the file (its last chunk
/// past the end, a count its box has no room for, a sample of hours) is
/// damaged, whatever its edit list says; moov first or last.
#[test]
fn an_m4a_whose_sample_table_cannot_be_true_is_damaged() {
    use podsmith::probe::Engine;
    for name in ["m4a-faststart.m4a", "m4a-aac.m4a"] {
        let m4a = std::fs::read(audio(name)).unwrap();
        let box_at = |kind: &[u8]| m4a.windows(4).position(|w| w == kind).unwrap();
        let stco = box_at(b"stco");
        let count = u32::from_be_bytes(m4a[stco + 8..stco + 12].try_into().unwrap()) as usize;
        let past = with_u32(&m4a, stco + 12 + 4 * (count - 1), m4a.len() as u32 + 1000);
        for engine in [Engine::Auto, Engine::Symphonia] {
            let err = probe_bytes(past.clone(), engine).unwrap_err();
            assert!(
                err.starts_with("the audio data is damaged: the M4A's sample table points past the end of the file"),
                "{name} {engine:?}: {err}"
            );
        }
        for (kind, count_at) in [(b"stts", 8), (b"stsc", 8), (b"stsz", 12), (b"stco", 8)] {
            let err = probe_bytes(with_u32(&m4a, box_at(kind) + count_at, u32::MAX), Engine::Auto).unwrap_err();
            let table = std::str::from_utf8(kind).unwrap();
            let said = format!("the M4A's sample table counts more than it holds: its `{table}` box says 4294967295");
            assert!(err.contains(&said), "{name} {table}: {err}");
        }
        // The first run's sample duration (its entry: count, delta).
        let err = probe_bytes(with_u32(&m4a, box_at(b"stts") + 16, 0x7FFF_FFFF), Engine::Auto).unwrap_err();
        assert!(err.contains("the M4A's sample table says one sample lasts 48696 s"), "{name}: {err}");
        assert!((probe_bytes(m4a, Engine::Auto).unwrap().duration_secs - 3.0).abs() < 0.001, "{name}");
    }
}

/// A Xing header whose counts cannot be true (a frame and byte count of
/// 2^32 - 16, a byte count twice the file's) is not believed: the frames
/// there are counted, and no cut is made up from its byte count; a file
/// truly cut says what its frames hold.
#[test]
fn a_damaged_xing_header_is_counted_past_and_a_cut_file_says_what_it_holds() {
    use podsmith::probe::{Engine, Method};
    let mp3 = std::fs::read(audio("vbr-xing.mp3")).unwrap();
    let xing = mp3.windows(4).position(|w| w == b"Xing").unwrap();
    assert_eq!(u32::from_be_bytes(mp3[xing + 4..xing + 8].try_into().unwrap()) & 3, 3, "frames and bytes");
    let bogus = with_u32(&with_u32(&mp3, xing + 8, 0xFFFF_FFF0), xing + 12, 0xFFFF_FFF0);
    let twice = with_u32(&mp3, xing + 12, 2 * mp3.len() as u32);
    for (what, data) in [("both counts", bogus), ("the byte count", twice)] {
        let info = probe_bytes(data, Engine::Auto).unwrap_or_else(|e| panic!("{what}: {e}"));
        // Counted, with the encoder's delay and padding (4.049 s, as ffprobe says).
        assert!((info.duration_secs - 4.05).abs() < 0.03, "{what}: {info:?}");
        assert_eq!(info.method, Method::Scan, "{what}");
    }
    let cut = probe_bytes(mp3[..mp3.len() * 3 / 4].to_vec(), Engine::Auto).unwrap_err();
    assert_eq!(cut, "the file is truncated: its header says 4.0 s, the file holds 3.1 s; upload or copy it again");
}

/// A WAV's data chunk bigger than the file: a placeholder size (0 or
/// 0xFFFFFFFF, in the data or the RIFF header) is a stream, measured by
/// the bytes there; any other size past what the RIFF header gives the
/// whole file is a damaged header, said in podsmith's words with the
/// command that mends it, as is a chunk symphonia cannot walk past.
#[test]
fn a_wav_whose_sizes_cannot_be_true_is_measured_or_refused_in_plain_words() {
    use podsmith::probe::Engine;
    let wav = std::fs::read(audio("wav.wav")).unwrap();
    let le = |at: usize, v: u32| {
        let mut out = wav.clone();
        out[at..at + 4].copy_from_slice(&v.to_le_bytes());
        out
    };
    let data = wav.windows(4).position(|w| w == b"data").unwrap();
    for (what, edited) in
        [("RIFF size 0", le(4, 0)), ("data size 0", le(data + 4, 0)), ("data size ~0", le(data + 4, u32::MAX))]
    {
        let info = probe_bytes(edited, Engine::Auto).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(info.duration_secs, 3.0, "{what}");
    }
    let err = probe_bytes(le(data + 4, 0xFFFF_FFF0), Engine::Auto).unwrap_err();
    assert_eq!(
        err,
        "the audio data is damaged: the WAV's data chunk says it holds 4294967280 bytes, more than the file (24044 \
         bytes) and than the whole file its RIFF header describes (24044 bytes): its header is wrong (ffmpeg -i \
         episode.wav -c:a pcm_s16le fixed.wav writes it again from the audio it holds); re-export the episode"
    );
    // The `fmt ` chunk's size past the file's end: symphonia's reader fails.
    for engine in [Engine::Auto, Engine::Symphonia] {
        let err = probe_bytes(le(16, 0xFFFF_FFF0), engine).unwrap_err();
        assert!(err.starts_with("the audio data is damaged: the WAV's chunks cannot be read"), "{engine:?}: {err}");
        assert!(!err.contains("riff:") && err.contains("ffmpeg -i episode.wav"), "{engine:?}: {err}");
    }
}

/// An upload cut inside the ID3 tag at the start of an MP3 (a big cover)
/// is said as the cut upload it is, not as a file of no known format.
#[test]
fn an_mp3_cut_inside_its_tag_is_a_cut_upload() {
    let show = Show::empty();
    let whole = std::fs::read(audio("big-id3v2.mp3")).unwrap();
    let tag = 10 + whole[6..10].iter().fold(0usize, |n, b| (n << 7) | usize::from(*b));
    assert!(tag > 1000 && tag < whole.len(), "{tag}");
    std::fs::write(show.path("cut.mp3"), &whole[..tag / 2]).unwrap();
    let run = show.run(&["probe", "cut.mp3"]).fails(1);
    assert!(
        run.stderr.contains("cut.mp3: the file is truncated: it ends after 0.0 s of audio; upload or copy it again"),
        "{}",
        run.stderr
    );
}

/// The paths of the audio fixtures `files`.
fn paths_of(files: &[&str]) -> Vec<String> {
    files.iter().map(|f| audio(f).display().to_string()).collect()
}
