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
    assert!(cases.len() >= 8, "{cases:?}");
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
        let mime = if file.ends_with(".mp3") { "audio/mpeg" } else { "audio/ogg" };
        assert_eq!(row["mime_type"], mime, "{file}");
        assert!(row["path"].as_str().unwrap().ends_with(file.as_str()));
    }
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
    assert!(rows[2]["error"].as_str().unwrap().contains("empty"));
    assert!(rows[3]["error"].as_str().unwrap().contains("truncated"));
    assert!(run.stderr.contains("broken-not-audio.mp3: not a supported audio file"), "{}", run.stderr);
}

#[test]
fn the_human_listing_shows_duration_size_type_and_codec() {
    let show = Show::sample();
    let run = show.run(&["probe", "media/fluentd-eduardo-silva.ogg", "media/fluentd-eduardo-silva.mp3"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "media/fluentd-eduardo-silva.ogg\t15:10 (910.000 s)\t80100 bytes\taudio/ogg\tvorbis 8000 Hz 1 ch\theader"
    );
    assert!(lines[1].starts_with("media/fluentd-eduardo-silva.mp3\t15:10 (910."), "{}", lines[1]);
    assert!(lines[1].ends_with("\t910152 bytes\taudio/mpeg\tmp3 8000 Hz 1 ch\tscanned"), "{}", lines[1]);
}
