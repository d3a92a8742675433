//! `podsmith init`.

use std::process::ExitCode;

use podsmith::init::{InitError, Options, check, init};
use podsmith::show_lock::Access;

use super::{Failure, Ui};

pub fn run(opts: &Options, ui: &Ui) -> Result<ExitCode, Failure> {
    let failure = |e: InitError| match e {
        InitError::Io(..) => Failure::content(e.to_string()),
        _ => Failure::usage(e.to_string()),
    };
    // Refuse before making anything (a .podsmith/ folder for the lock in a
    // folder that is not to be a show); then again, under the lock.
    check(opts).map_err(failure)?;
    // (A folder that cannot be made is the command line's to fix: another place.)
    std::fs::create_dir_all(&opts.dir).map_err(|e| {
        Failure::usage(format!("cannot create {}: {e}", opts.dir.display()))
            .help("choose a folder in a place you may write to")
    })?;
    let _lock = super::lock_folder(&opts.dir, Access::Exclusive, ui, "init")?;
    let written = init(opts).map_err(failure)?;
    for path in &written {
        ui.detail(format!("wrote {}", path.display()));
    }
    let dir = opts.dir.display();
    let cd =
        if opts.dir.as_os_str() == "." { String::new() } else { format!("cd {} && ", shell_word(&dir.to_string())) };
    // The cover is a placeholder only if init wrote it (one already there is kept).
    let cover = match written.iter().any(|p| p.ends_with("media/cover.jpg")) {
        true => "media/cover.jpg (a placeholder)",
        false => "media/cover.jpg (yours, kept)",
    };
    let lacks = podsmith::init::linked_gitignore_lacks(&opts.dir);
    if let Some((to, lines)) = &lacks {
        ui.diagnostics(&[podsmith::diagnostic::Diagnostic::warning(
            "INIT",
            format!(
                ".gitignore is a link to {}, left as it is: it lacks what keeps podsmith's output out of Git",
                to.display()
            ),
        )
        .help(format!("add these lines to it:\n{lines}"))]);
    }
    let gitignore = if lacks.is_some() { "" } else { ", .gitignore" };
    ui.info(format!(
        "Started a show in {dir}: episodes.toml, {cover}{gitignore}.\n\
         Next: fill in the placeholders in episodes.toml, then\n  {cd}podsmith add recording.mp3 --title \"Pilot\"\n  podsmith build"
    ));
    let language = opts.language.as_deref().unwrap_or("en");
    if !podsmith::words::Words::built_in(language) {
        ui.info(format!(
            "The pages' own words (\"Listen to\", \"Chapters\", the months) stay English for \"{language}\", marked \
             as such, unless you give them all in [podcast.words] (README: \"Templates\")."
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `s` as one word of a POSIX shell command line, quoted if it has to be
/// (`my show` → `'my show'`), so the line printed can be pasted.
fn shell_word(s: &str) -> String {
    // A name that starts with a dash reads as an option (`cd -dash`).
    if s.starts_with('-') {
        return shell_word(&format!("./{s}"));
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./-+:@%".contains(c) || !c.is_ascii() && !c.is_whitespace();
    match !s.is_empty() && s.chars().all(plain) {
        true => s.to_string(),
        false => format!("'{}'", s.replace('\'', "'\\''")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_folder_name_is_quoted_where_a_shell_needs_it() {
        assert_eq!(super::shell_word("shows/café"), "shows/café");
        assert_eq!(super::shell_word("my show"), "'my show'");
        assert_eq!(super::shell_word("it's"), "'it'\\''s'");
        assert_eq!(super::shell_word("a;rm"), "'a;rm'");
        assert_eq!(super::shell_word("-dash"), "./-dash");
        assert_eq!(super::shell_word("-da sh"), "'./-da sh'");
    }
}
