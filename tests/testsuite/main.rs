//! Integration tests: the real `podsmith` binary over show folders in temp
//! dirs; output read back (feeds parsed with `rss` and quick-xml, pages as text).

mod harness;

mod bad_input;
mod browser;
mod build;
mod hosted;
mod import;
mod incremental;
mod limits;
mod probe;
#[cfg(feature = "publish")]
mod proxy;
#[cfg(feature = "publish")]
mod publish;
mod remote;
mod rich;
#[cfg(feature = "publish")]
mod s3;
mod safety;
mod sample_show;
mod serve;
mod server;
mod validate;
mod workflow;
