//! podsmith publishes a podcast from plain files.
//!
//! A show is `episodes.toml` plus its media. The pipeline, one module per
//! step, one named type at each hand-off:
//!
//! 1. [`manifest`]: `episodes.toml` → [`manifest::Show`] (strict, every problem with its line);
//! 2. [`probe`]: each media file → [`probe::AudioInfo`] (exact duration, size, format, via symphonia);
//! 3. [`catalog`]: `Show` + measurements → [`catalog::Catalog`] (live episodes, newest first);
//! 4. [`feed`] and [`pages`]: `Catalog` → RSS feeds and HTML pages;
//! 5. [`validate`]: each feed's bytes → [`validate::Report`] (what the directories accept);
//! 6. [`output`]: → [`output::Site`], written atomically into `public/`.
//!
//! [`site`] is the conductor: [`site::build`] runs the whole pipeline (and
//! does only what changed since the last build); the `podsmith` binary is
//! a thin command-line shell around it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod add;
pub mod catalog;
pub mod chapters;
pub mod diagnostic;
pub mod feed;
pub mod fsutil;
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod init;
pub mod journal;
pub mod lenient_html;
pub mod lock;
pub mod manifest;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod probe;
pub mod progress;
pub mod publish;
pub mod serve;
pub mod show_lock;
pub mod site;
pub mod text;
pub mod transcript;
pub mod url;
pub mod validate;
pub mod words;
pub mod xmlns;
