//! How long steps say how far they are. The library only counts; the
//! binary decides what to draw (a bar on a terminal, nothing otherwise).

/// Where a long step reports its progress.
pub trait Progress: Send + Sync {
    /// A step of `total` units begins (`what`: "probing", "checking URLs").
    fn start(&self, what: &str, total: u64);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The step is over.
    fn finish(&self);
}

/// No progress shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
