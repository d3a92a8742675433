//! In-process probe timing for bench/probe.py: for every file in a folder,
//! the best of N probes next to the best of N bare open + read of its
//! first 64 KiB (the floor for any tool that looks at a header); then the
//! whole folder probed in parallel, as a build does.
//!
//! cargo run --release --example probe_bench -- bench/corpus 5

use std::io::Read;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "bench/corpus".into());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x != "csv"))
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for path in &files {
        let mut best_probe = f64::MAX;
        let mut best_read = f64::MAX;
        let mut result = None;
        for _ in 0..rounds {
            let t = Instant::now();
            let r = podsmith::probe::probe_file(path);
            best_probe = best_probe.min(t.elapsed().as_secs_f64());
            result = Some(r);
            let t = Instant::now();
            let mut buf = vec![0u8; 64 * 1024];
            let mut f = std::fs::File::open(path).unwrap();
            let _ = f.read(&mut buf).unwrap();
            best_read = best_read.min(t.elapsed().as_secs_f64());
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let row = match result.unwrap() {
            Ok(info) => serde_json::json!({
                "file": name, "duration_secs": info.duration_secs,
                "method": info.method, "probe_us": best_probe * 1e6, "read64k_us": best_read * 1e6,
            }),
            Err(e) => serde_json::json!({
                "file": name, "error": e.to_string(), "probe_us": best_probe * 1e6, "read64k_us": best_read * 1e6,
            }),
        };
        rows.push(row);
    }
    // All files at once, in parallel, as `podsmith build` probes them.
    let mut parallel = f64::MAX;
    for _ in 0..rounds {
        use rayon::prelude::*;
        let t = Instant::now();
        let n = files.par_iter().map(|p| podsmith::probe::probe_file(p).is_ok()).filter(|ok| *ok).count();
        parallel = parallel.min(t.elapsed().as_secs_f64());
        assert!(n > 0);
    }
    let out = serde_json::json!({ "files": rows, "parallel_secs": parallel, "threads": rayon::current_num_threads() });
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
