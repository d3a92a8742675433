//! The AFL++ harness: `afl TARGET`, in persistent mode, feeds each input to
//! `podsmith::fuzzing::target(TARGET)`. Run by `fuzz/run.sh`.

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(run) = podsmith::fuzzing::target(&name) else {
        let names: Vec<_> = podsmith::fuzzing::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: afl TARGET  (one of: {})", names.join(", "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| {
        run(data);
    });
}
