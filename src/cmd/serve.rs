//! `podsmith serve`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use podsmith::diagnostic::{Diagnostic, Location};
use podsmith::site::{Options, Preview, build};

use super::{Failure, Ui};

pub fn run(opts: podsmith::serve::Options, open: bool, ui: &Ui) -> Result<ExitCode, Failure> {
    // A folder without a manifest is no show to preview: said as every
    // command says it, before anything is served or written there.
    if let Err(e) = podsmith::manifest::read_text(&opts.manifest) {
        return Err(Failure::from_build_of(&e.into(), "", "serve"));
    }
    let manifest: PathBuf = opts.manifest.clone();
    let quiet = ui.progress();
    let builder = move |out: &Path, preview: &Preview| -> Result<Option<String>, String> {
        let opts = Options {
            manifest: manifest.clone(),
            out: Some(out.to_path_buf()),
            now: chrono::Utc::now(),
            // A preview shows what the next build would publish, identity changes and all.
            allow_changes: true,
            probe: podsmith::catalog::ProbeOptions { progress: quiet.clone(), ..Default::default() },
            force: true,
            preview: Some(preview.clone()),
        };
        // Each rebuild holds the show's lock, as a build does: a `podsmith
        // build` in another terminal waits for it, and it for that.
        let root = podsmith::manifest::root_of(&opts.manifest);
        let wait = podsmith::show_lock::Wait::Yes(&|_: &str| {});
        let _lock =
            podsmith::show_lock::ShowLock::acquire(&root, podsmith::show_lock::Access::Exclusive, wait, "serve")
                .map_err(|e| e.to_string())?;
        match build(&opts) {
            // Nothing written (a comment edited, a file touched): no page
            // to reload (a listener's place in an episode would be lost).
            Ok(r) if r.nothing_changed || (r.stats.written == 0 && r.removed.is_empty()) => Ok(None),
            Ok(r) => {
                let mut said = format!(
                    "rebuilt: {}, {} written, {} unchanged, in {:.2}s",
                    podsmith::text::count(r.episodes, "episode"),
                    r.stats.written,
                    r.stats.unchanged,
                    r.seconds
                );
                // What the build warns of in the show's files is what the
                // pages previewed show (a broken image in the notes); the
                // preview's feeds name its own http:// address (`build`
                // and `validate` check the feeds to publish).
                let of_the_feeds = |w: &Diagnostic| matches!(w.location, Location::Feed { .. });
                for w in r.warnings.iter().filter(|w| !of_the_feeds(w) && w.code != "PLACEHOLDER") {
                    said.push('\n');
                    said.push_str(&crate::report::human(w));
                }
                Ok(Some(said))
            }
            Err(e) => {
                let mut text =
                    String::from("The preview could not be rebuilt (the last good one, if any, is shown):\n\n");
                for d in e.diagnostics() {
                    match d.location.to_string() {
                        place if place.is_empty() => text.push_str(&format!("{}\n", d.message)),
                        place => text.push_str(&format!("{place}: {}\n", d.message)),
                    }
                    if let Some(help) = &d.help {
                        text.push_str(&format!("  help: {help}\n"));
                    }
                }
                Err(text)
            }
        }
    };
    let quiet_run = ui.is_json();
    let tell = move |msg: String| {
        if !quiet_run {
            for line in msg.lines() {
                errln!("{line}");
            }
        }
        // The address is said once the first preview is built: open it then.
        if open && let Some(url) = msg.strip_prefix("Serving the preview at ").and_then(|m| m.split(' ').next()) {
            open_in_browser(url);
        }
    };
    podsmith::serve::serve(&opts, Arc::new(builder), Arc::new(tell)).map_err(|e| {
        let help = help_for(&e, &opts);
        let d = podsmith::diagnostic::Diagnostic::error(
            "USAGE",
            format!("cannot serve on {}:{}: {e}", opts.bind, opts.port),
        );
        Failure::of(vec![d.help(help)], 2)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// What to do about the server that could not start with error `e`.
fn help_for(e: &std::io::Error, opts: &podsmith::serve::Options) -> String {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!(
                "another program listens on port {}: pick another with --port N (--port 0: any free one)",
                opts.port
            )
        }
        std::io::ErrorKind::AddrNotAvailable => {
            format!(
                "{} is not an address of this computer: leave --bind out (127.0.0.1), or give one it has",
                opts.bind
            )
        }
        std::io::ErrorKind::InvalidInput if e.to_string().starts_with("--host") => {
            "give --host a name or an address alone (192.168.1.20, my-laptop.local, fe80::1): no scheme, \
             path or port"
                .to_string()
        }
        std::io::ErrorKind::ResourceBusy => {
            "open the address it serves at, or stop it (Ctrl-C where it runs) and serve again".to_string()
        }
        std::io::ErrorKind::PermissionDenied => {
            format!("port {} is one only the system may use here: pick one from 1024 up with --port N", opts.port)
        }
        _ => "check --bind (an address of this computer, or a name that resolves to one) and --port".to_string(),
    }
}

/// Opens `url` in the default browser (`xdg-open`, `open` on macOS, `start`
/// on Windows); a failure is said, not fatal.
fn open_in_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let started = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = started {
        errln!("note: cannot open a browser ({program}: {e}); open {url} yourself");
    }
}
