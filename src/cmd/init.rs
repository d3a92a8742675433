//! `podsmith init`.

use std::process::ExitCode;

use podsmith::init::{InitError, Options, init};

use super::{Failure, Ui};

pub fn run(opts: &Options, ui: Ui) -> Result<ExitCode, Failure> {
    let written = init(opts).map_err(|e| match e {
        InitError::Io(..) => Failure::content(e.to_string()),
        _ => Failure::usage(e.to_string()),
    })?;
    for path in &written {
        ui.detail(format!("wrote {}", path.display()));
    }
    let dir = opts.dir.display();
    let cd = if opts.dir.as_os_str() == "." { String::new() } else { format!("cd {dir} && ") };
    ui.info(format!(
        "Started a show in {dir}: episodes.toml, media/cover.jpg (a placeholder), .gitignore.\n\
         Next: fill in the placeholders in episodes.toml, then\n  {cd}podsmith add recording.mp3 --title \"Pilot\"\n  podsmith build"
    ));
    Ok(ExitCode::SUCCESS)
}
