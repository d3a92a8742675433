//! Sending a plan to the destination through `object_store`: the record,
//! the listing, the uploads phase by phase (a few at once, big files in
//! parts so memory stays bounded), the deletions. Retries with backoff on
//! timeouts and server errors are `object_store`'s (see
//! [`super::destination`]); what it cannot get past is said with what to check.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::{Attribute, Attributes, ObjectStoreExt, PutOptions, PutPayload, WriteMultipart};

use super::PublishError;
use super::copy::{self, RecordCopy};
use super::destination::Opened;
use super::plan::{Listed, Phase, Plan, Put};
use super::record::{self, Published};
use crate::diagnostic::Diagnostic;
use crate::progress::Progress;

/// Files up to this size go up in one request; bigger ones in parts.
const WHOLE: u64 = 8 << 20;
/// The size of a part: S3's smallest (all but the last), so that memory
/// stays low with several big files going up at once: each holds a part
/// being filled and `PARTS_IN_FLIGHT` being sent, 15 MiB (60 MiB for the 4
/// uploads at once by default). A file may have 10,000 parts: 50 GiB.
const PART: usize = 5 << 20;
/// Parts of one file in flight at once.
const PARTS_IN_FLIGHT: usize = 2;
/// How much of a big file is read at a time.
const READ: usize = 256 << 10;
/// Bytes of pages and feeds read while the media go up, at most.
const READ_AHEAD: u64 = 16 << 20;
/// Keys asked for in one page of a listing (S3 gives at most 1,000).
const PAGE: usize = 10_000;
/// Ranges listed at once, at least (small requests: more than uploads).
const LISTINGS: usize = 8;

/// A file sent: its key, the ETag the service gave it, and the SHA-256 of
/// all its bytes if it is a big one.
struct Sent {
    key: String,
    etag: Option<String>,
    sha256: Option<String>,
}

/// Makes the record to write beside `feed.xml` (see [`Sender::send_phases`])
/// from every file sent (by key: its ETag, a big one's SHA-256), `feed.xml`
/// with the ETag it is about to get.
pub type Closing<'a> = Box<dyn FnOnce(&HashMap<String, (Option<String>, Option<String>)>) -> Published + Send + 'a>;

/// The [`Closing`] that makes `record` as it will be once the files are
/// up: with the ETags (and big files' SHA-256) the uploads got.
pub fn closing(record: &Published) -> Closing<'_> {
    Box::new(move |sent| {
        let mut written = record.clone();
        written.with_sent(sent);
        written
    })
}

/// Each file sent, by key: its ETag and a big one's SHA-256.
fn by_key(sent: &[Sent]) -> HashMap<String, (Option<String>, Option<String>)> {
    sent.iter().map(|s| (s.key.clone(), (s.etag.clone(), s.sha256.clone()))).collect()
}

/// What a publish is about to upload, being encoded on a blocking thread
/// of its own (see [`Sender::pending`]): the uploads (or the questions
/// before them) go on meanwhile rather than wait for it.
pub struct Encoding(tokio::task::JoinHandle<Encoded>);

/// What a publish is about to upload, encoded.
enum Encoded {
    /// A note beside the record (see [`record::Publishing`]), over the
    /// record of that ETag.
    Note(Vec<u8>, Option<String>),
    /// The whole record, with the uploads pending.
    Record(Vec<u8>, Arc<Published>),
}

/// The record at the destination as this publish last read or wrote it:
/// what a note of the uploads under way is written over (see
/// [`record::Publishing`]).
#[derive(Clone, Default)]
enum At {
    /// Not known (set aside, without an ETag, or written since): the
    /// uploads under way go up in the whole record, pending.
    #[default]
    Unknown,
    /// The record of this ETag (`None`: there is none, and this is empty).
    Known { etag: Option<String>, record: Arc<Published> },
}

/// An object of podsmith's own at the destination, as asked for.
enum Own {
    /// There is none.
    None,
    /// It has the ETag it was asked unless it had.
    NotModified,
    /// Its ETag, and its bytes (or why they were not read).
    Found(Option<String>, Result<Vec<u8>, String>),
    /// The record of that ETag, read from the copy this computer keeps.
    Parsed(String, Result<Arc<Published>, String>),
}

/// A destination's record as read: `None` if there is none (or it is set
/// aside: then with why).
pub type RecordRead = (Option<Arc<Published>>, Option<String>);

/// The destination as read before the plan: its record (or why it was set
/// aside) and one listing.
pub struct Found {
    /// The record, or why it was set aside.
    pub record: RecordRead,
    /// Every object under the prefix, by key.
    pub listed: HashMap<String, Listed>,
    /// The most keys a page of the listing had where it was cut short
    /// (`None`: none was), for [`super::paging::Paging::learn`].
    pub cut: Option<usize>,
}

/// What sends to one destination.
pub struct Sender {
    /// The destination, open.
    pub opened: Opened,
    /// Uploads at once.
    pub jobs: usize,
    /// The destination, as messages name it.
    pub destination: String,
    /// Where the upload says how far it is.
    pub progress: Arc<dyn Progress>,
    /// Told each step as it ends.
    pub timeline: Option<super::Timeline>,
    /// The most keys a page of the listing had where it was cut short.
    pub cut: std::sync::atomic::AtomicUsize,
    /// The record at the destination, as last read or written.
    at: std::sync::Mutex<At>,
    /// A note at the destination, as far as this publish knows (read and
    /// taken in, or written; see [`Sender::recorded`]).
    noted: std::sync::Mutex<Option<Noted>>,
    /// Where this computer keeps a copy of the record (see [`RecordCopy`]).
    copy: Option<RecordCopy>,
    /// The record as that copy has it, parsed, for whoever asks first (see
    /// [`Sender::copied`]), and where [`Sender::read_record`] sends it.
    copied: std::sync::Mutex<Copied>,
    /// Whether the destination's listing gives ETags: 0 not listed yet, 1
    /// no, 2 yes (see [`Sender::send_phases`]).
    lists_etags: std::sync::atomic::AtomicU8,
}

/// The two ends of the way the record as this computer's copy has it
/// goes from [`Sender::read_record`] to [`Sender::copied`] (each taken once).
type Copied = (
    Option<futures::channel::oneshot::Sender<Arc<Published>>>,
    Option<futures::channel::oneshot::Receiver<Arc<Published>>>,
);

/// A note of the uploads under way at the destination (see
/// [`record::Publishing`]).
struct Noted {
    /// The ETag of the record it holds over (`None`: over none).
    over: Option<String>,
    /// Whether it is over [`NOTE_KEPT`] bytes.
    big: bool,
}

/// The largest note left at the destination once the record has taken it
/// in (a stale note is read beside the record by every publish, until one
/// that sends something writes another): one of a publish of a few
/// episodes is ~1 KB; a first publish's names every file.
const NOTE_KEPT: usize = 16 << 10;

/// The listing after `after` (a path of the store; `None`: from the
/// first key) cut into ranges of `per_range` of the keys `splits` (sorted):
/// each after one key and up to another, the last to the end.
fn ranges(after: Option<String>, splits: Vec<String>, per_range: usize) -> Vec<(Option<String>, Option<String>)> {
    let mut ranges = Vec::with_capacity(splits.len() / per_range.max(1) + 1);
    let mut after = after;
    for upto in splits.into_iter().skip(per_range.max(1) - 1).step_by(per_range.max(1)) {
        ranges.push((after, Some(upto.clone())));
        after = Some(upto);
    }
    ranges.push((after, None));
    ranges
}

impl Sender {
    /// What sends to destination `opened` (`destination`: as messages name
    /// it), `jobs` uploads at once, telling `progress` and `timeline`.
    pub fn new(
        opened: Opened,
        jobs: usize,
        destination: String,
        progress: Arc<dyn Progress>,
        timeline: Option<super::Timeline>,
    ) -> Sender {
        let (cut, at, noted) = Default::default();
        let (tell, told) = futures::channel::oneshot::channel();
        let copied = std::sync::Mutex::new((Some(tell), Some(told)));
        let lists_etags = Default::default();
        Sender { opened, jobs, destination, progress, timeline, cut, at, noted, copy: None, copied, lists_etags }
    }

    /// The sender, keeping a copy of the destination's record in `copy`
    /// (see [`RecordCopy`]).
    pub fn with_copy(self, copy: RecordCopy) -> Sender {
        Sender { copy: Some(copy), ..self }
    }

    /// The record as this computer's copy has it, as soon as it is parsed:
    /// before the destination has said it still holds that very record
    /// (it may not: what is decided from it alone is only what is asked
    /// of the destination). `None` (at once, or once the copy is found not
    /// to hold or not to be there): there is none to go by; and for every
    /// call but the first.
    pub fn copied(&self) -> impl std::future::Future<Output = Option<Arc<Published>>> + Send + 'static {
        let told = self.copied.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1.take();
        async move { told?.await.ok() }
    }

    /// Tells the timeline (if any) that `done` ended.
    pub fn step(&self, done: super::Step) {
        if let Some(tell) = &self.timeline {
            tell(done);
        }
    }

    /// The destination's record of what podsmith published there: `None`
    /// if there is none (or it is set aside: then with why); with what a
    /// publish under way noted beside it (see [`record::Publishing`]), if
    /// that holds over it (read side by side).
    pub async fn read_record(&self) -> Result<RecordRead, PublishError> {
        // The copy of the record this computer keeps is read (and parsed)
        // while the destination is asked whether it still holds it.
        let copied = self.copy.as_ref().and_then(|c| Some((c.clone(), c.etag()?)));
        let unless = copied.as_ref().map(|(_, etag)| format!("\"{etag}\""));
        // (Told as soon as parsed to whoever asks: see `Sender::copied`.)
        let tell = self.copied.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0.take();
        let local = copied.map(|(copy, etag)| {
            tokio::task::spawn_blocking(move || {
                let copied = copy.read().filter(|c| c.etag == etag && c.holds())?;
                let parsed = Published::parse(&copied.bytes).map(Arc::new);
                if let (Ok(record), Some(tell)) = (&parsed, tell) {
                    let _ = tell.send(record.clone());
                }
                Some((format!("\"{etag}\""), parsed))
            })
        });
        let (read, note) = futures::future::join(
            self.read_own(record::KEY, unless.as_deref()),
            self.read_own(record::PUBLISHING_KEY, None),
        )
        .await;
        // The copy, if it holds: the destination said it has it, or gave
        // the very bytes (a service that does not answer "not modified"):
        // parsed already.
        let read = read?;
        let same = match &read {
            Own::NotModified => true,
            Own::Found(etag, _) => unless.is_some() && record::same_etag(etag.as_deref(), unless.as_deref()),
            _ => false,
        };
        let copied = match local {
            Some(local) if same => local.await.ok().flatten(),
            Some(local) => {
                local.abort();
                None
            }
            None => None,
        };
        let read = match (read, copied) {
            (_, Some((etag, parsed))) => Own::Parsed(etag, parsed),
            // (The copy does not hold after all: the record, then.)
            (Own::NotModified, None) => self.read_own(record::KEY, None).await?,
            (read, None) => read,
        };
        self.keep_copy(&read).await;
        // (A note that cannot be read is as good as none: the listing tells
        // what is there, and bytes tell whose.)
        let note = |over: Option<&str>| {
            let Own::Found(_, Ok(bytes)) = note.ok()? else { return None };
            let noted = Noted { over: over.map(String::from), big: bytes.len() > NOTE_KEPT };
            Some((record::Publishing::parse(&bytes).ok().filter(|n| n.is_over(over))?, noted))
        };
        let mut at = self.at.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut noted = self.noted.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (etag, parsed) = match read {
            Own::Found(etag, bytes) => (etag, bytes.and_then(|b| Published::parse(&b)).map(Arc::new)),
            Own::Parsed(etag, parsed) => (Some(etag), parsed),
            Own::None | Own::NotModified => {
                *at = At::Known { etag: None, record: Arc::default() };
                let (taken, note) =
                    note(None).map(|(n, noted)| (Arc::new(Published::default().with(n)), noted)).unzip();
                *noted = note;
                return Ok((taken, None));
            }
        };
        let record = match parsed {
            Ok(r) => r,
            Err(why) => {
                *at = At::Unknown;
                return Ok((None, Some(why)));
            }
        };
        let Some(etag) = etag else {
            *at = At::Unknown;
            return Ok((Some(record), None));
        };
        let (taken, note) = note(Some(&etag)).map(|(n, noted)| (Arc::new((*record).clone().with(n)), noted)).unzip();
        *noted = note;
        *at = At::Known { etag: Some(etag), record: record.clone() };
        Ok((Some(taken.unwrap_or(record)), None))
    }

    /// Object `key` of podsmith's own, with its ETag: its bytes, or why
    /// they are not read (over the size limit: read up to it, whatever the
    /// server says of its size). Not read if its ETag is `unless` (then
    /// not modified, where the service tells).
    async fn read_own(&self, key: &str, unless: Option<&str>) -> Result<Own, PublishError> {
        let opts = object_store::GetOptions::new().with_if_none_match(unless.map(String::from));
        let got = match self.opened.store.get_opts(&self.opened.path(key), opts).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(Own::None),
            Err(object_store::Error::NotModified { .. }) if unless.is_some() => return Ok(Own::NotModified),
            Err(e) => return Err(self.failed(&format!("reading {key}"), &e)),
        };
        let etag = got.meta.e_tag.clone();
        let too_big = || Ok(Own::Found(etag.clone(), Err(format!("it is over {} MB", record::MAX_BYTES >> 20))));
        if got.meta.size > record::MAX_BYTES {
            return too_big();
        }
        let mut body = got.into_stream();
        let mut bytes = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| self.failed(&format!("reading {key}"), &e))?;
            if (bytes.len() + chunk.len()) as u64 > record::MAX_BYTES {
                return too_big();
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Own::Found(etag, Ok(bytes)))
    }

    /// The copy of the record kept as `read` found it: the record read
    /// (not the copy: someone else wrote it since, or there was none),
    /// kept if its ETag is the MD5 of its bytes (else no copy could be
    /// told to hold), on a blocking thread; none, forgotten.
    async fn keep_copy(&self, read: &Own) {
        let Some(copy) = self.copy.clone() else { return };
        match read {
            Own::Found(Some(etag), Ok(bytes)) if copy::is_md5_hex(record::bare_etag(etag)) => {
                let (etag, bytes) = (record::bare_etag(etag).to_string(), bytes.clone());
                let keeping = tokio::task::spawn_blocking(move || {
                    if copy::md5_hex(&bytes) == etag {
                        copy.keep(&bytes);
                    }
                });
                let _ = keeping.await;
            }
            Own::None => copy.forget(),
            _ => {}
        }
    }

    /// Writes the record `bytes`; returns its ETag. The copy of the record
    /// this computer keeps is written meanwhile (under the bytes' MD5: it
    /// is used only once the destination says it holds just that).
    async fn put_record(&self, bytes: Vec<u8>) -> Result<Option<String>, PublishError> {
        let keeping = self.copy.clone().map(|copy| {
            let bytes = bytes.clone();
            tokio::task::spawn_blocking(move || copy.keep(&bytes))
        });
        let etag = self.put_own(record::KEY, bytes).await;
        if let Some(keeping) = keeping {
            let _ = keeping.await;
        }
        etag
    }

    /// Starts encoding what a publish is about to upload: `full`, the
    /// record with every upload pending; written as a note beside the
    /// record at the destination where it can be (see
    /// [`record::Publishing`]), else whole.
    pub fn pending(&self, full: Arc<Published>) -> Encoding {
        let at = self.at.lock().map(|a| a.clone()).unwrap_or_default();
        Encoding(tokio::task::spawn_blocking(move || {
            if let At::Known { etag, record } = at
                && let Some(note) = record::Publishing::between(&record, &full, etag)
            {
                return Encoded::Note(note.encode(), note.over);
            }
            Encoded::Record(full.encode(), full)
        }))
    }

    /// The ETags of objects `keys`, asked one by one (a HEAD each), for a
    /// service whose listing gives none; an object that cannot be asked
    /// for is left out.
    pub async fn etags(&self, keys: &[&String]) -> HashMap<String, String> {
        futures::stream::iter(keys)
            .map(|key| async move {
                let head = self.opened.store.head(&self.opened.path(key)).await.ok()?;
                Some(((*key).clone(), head.e_tag?))
            })
            .buffer_unordered(self.jobs.max(LISTINGS))
            .filter_map(|found| async move { found })
            .collect()
            .await
    }

    /// The destination as it is: its record (see [`Sender::read_record`])
    /// and every object under the prefix, by key (one listing).
    ///
    /// The listing asks for pages of up to 10,000 keys: a service that
    /// gives that many (s3s-fs, a folder's own listing) is listed in one
    /// request. S3 gives at most 1,000 a page, one page after another: the
    /// listing is split into ranges of the keys the record names and
    /// `hints` (the site's keys; any key will do: they only decide where a
    /// range ends), each a page long less a tenth for objects that are not
    /// the site's, listed side by side. Where the destination is known to
    /// cut its pages (`cut_at`, as the last listing found: see
    /// [`super::paging`]), the record is read first and the whole listing
    /// split so; otherwise the record and a first page are asked for side by
    /// side, and what comes after a first page cut short is split.
    ///
    /// `tell` is given the record as soon as it is read (before the
    /// listing is done). A listing split from the start is split by the
    /// keys `ahead` gives, if any (the site's as the last build left them,
    /// known before the record is read), and made side by side with the
    /// record's reading: the listing, the slow part of reading a big
    /// destination, starts while the manifest is parsed.
    pub async fn read(
        &self,
        hints: &[String],
        cut_at: Option<usize>,
        tell: Option<futures::channel::oneshot::Sender<RecordRead>>,
        ahead: Option<futures::future::BoxFuture<'static, Option<Arc<Vec<String>>>>>,
    ) -> Result<Found, PublishError> {
        let read_record = async {
            let record = self.read_record().await;
            if record.is_ok() {
                self.step(super::Step::RecordRead);
            }
            if let (Ok(record), Some(tell)) = (&record, tell) {
                let _ = tell.send(record.clone());
            }
            record
        };
        let Some(pages) = &self.opened.pages else {
            let folder = self.opened.folder.clone();
            let listed = async move { folder.as_deref().map(list_folder).unwrap_or_default() };
            let (record, listed) = futures::future::join(read_record, listed).await;
            self.step(super::Step::Listed);
            return Ok(Found { record: record?, listed, cut: None });
        };
        let prefix = (!self.opened.prefix.is_empty()).then(|| format!("{}/", self.opened.prefix));
        let prefix = prefix.as_deref();
        let splits = |keys: &mut dyn Iterator<Item = &String>, after: &str| -> Vec<String> {
            let mut splits: Vec<String> =
                keys.map(|k| self.opened.path(k).to_string()).filter(|p| p.as_str() > after).collect();
            splits.sort_unstable();
            splits.dedup();
            splits
        };
        let named = |record: &RecordRead, after: &str| -> Vec<String> {
            let named = record.0.iter().flat_map(|r| r.objects.keys().chain(r.pending.keys()));
            splits(&mut hints.iter().chain(named), after)
        };
        let per_range = |page: usize| match page {
            n if n >= 100 => n - n / 10,
            _ => 900,
        };
        let (record, found) = match cut_at.filter(|&n| n < PAGE) {
            // Known to cut its pages: all of it in ranges, side by side.
            Some(page) => {
                // Split by the keys given ahead, as soon as they are in,
                // while the record is read; else by the record's.
                let listing = async {
                    let keys = match ahead {
                        Some(keys) => keys.await.filter(|k| !k.is_empty())?,
                        None => return None,
                    };
                    let splits = splits(&mut hints.iter().chain(keys.iter()), "");
                    Some(self.list_ranges(pages, prefix, ranges(None, splits, per_range(page))).await)
                };
                let (record, listed) = futures::future::join(read_record, listing).await;
                let record = record?;
                let found = match listed {
                    Some(found) => found?,
                    None => self.list_ranges(pages, prefix, ranges(None, named(&record, ""), per_range(page))).await?,
                };
                (record, found)
            }
            None => {
                let first = self.page(pages, prefix, None, None);
                let (record, first) = futures::future::join(read_record, first).await;
                let record = record?;
                let (mut found, token) = first?;
                if token.is_some() {
                    // Cut short: the rest, from after the last key given, in ranges.
                    let last = found.iter().map(|m| m.location.as_ref()).max().unwrap_or("").to_string();
                    // A page's worth less a tenth for objects that are not the
                    // site's (S3's page, where a first page says too little).
                    let splits = named(&record, &last);
                    let rest = ranges(Some(last), splits, per_range(found.len()));
                    found.extend(self.list_ranges(pages, prefix, rest).await?);
                }
                (record, found)
            }
        };
        let mut listed = HashMap::new();
        let etags = if found.iter().any(|m| m.e_tag.is_some()) { 2 } else { 1 };
        self.lists_etags.store(etags, std::sync::atomic::Ordering::Relaxed);
        for meta in found {
            if let Some(key) = self.opened.key(meta.location.as_ref()).filter(|k| record::is_key(k)) {
                listed.insert(key.to_string(), Listed { size: meta.size, etag: meta.e_tag });
            }
        }
        let cut = Some(self.cut.load(std::sync::atomic::Ordering::Relaxed)).filter(|&n| n > 0);
        self.step(super::Step::Listed);
        Ok(Found { record, listed, cut })
    }

    /// Ranges `ranges` of the listing under `prefix` (see [`ranges`]), listed
    /// side by side.
    async fn list_ranges(
        &self,
        pages: &Arc<dyn object_store::list::PaginatedListStore>,
        prefix: Option<&str>,
        ranges: Vec<(Option<String>, Option<String>)>,
    ) -> Result<Vec<object_store::ObjectMeta>, PublishError> {
        let listed: Vec<Vec<object_store::ObjectMeta>> = futures::stream::iter(ranges)
            .map(|(after, upto)| self.list_range(pages, prefix, after, upto))
            .buffer_unordered(self.jobs.max(LISTINGS))
            .try_collect()
            .await?;
        Ok(listed.into_iter().flatten().collect())
    }

    /// One page of the listing under `prefix`: after `after` (a path of the
    /// store) or where `token` says. Returns its objects and the token of
    /// the next page, if it was cut short.
    async fn page(
        &self,
        pages: &Arc<dyn object_store::list::PaginatedListStore>,
        prefix: Option<&str>,
        after: Option<String>,
        token: Option<String>,
    ) -> Result<(Vec<object_store::ObjectMeta>, Option<String>), PublishError> {
        let opts = object_store::list::PaginatedListOptions {
            offset: after,
            page_token: token,
            max_keys: Some(PAGE),
            ..Default::default()
        };
        let page = pages.list_paginated(prefix, opts).await.map_err(|e| self.failed("listing", &e))?;
        if page.page_token.is_some() {
            self.cut.fetch_max(page.result.objects.len(), std::sync::atomic::Ordering::Relaxed);
        }
        Ok((page.result.objects, page.page_token))
    }

    /// The objects under `prefix` after `after` and up to `upto` (paths of
    /// the store), page after page.
    async fn list_range(
        &self,
        pages: &Arc<dyn object_store::list::PaginatedListStore>,
        prefix: Option<&str>,
        after: Option<String>,
        upto: Option<String>,
    ) -> Result<Vec<object_store::ObjectMeta>, PublishError> {
        let mut out = Vec::new();
        let (mut after, mut token) = (after, None);
        loop {
            let (found, next) = self.page(pages, prefix, after.take(), token.take()).await?;
            // Pages come in key order: past the range's end, the rest is the next range's.
            let mut past = false;
            for m in found {
                match upto.as_deref().is_some_and(|u| m.location.as_ref() > u) {
                    true => past = true,
                    false => out.push(m),
                }
            }
            match next {
                Some(t) if !past => token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    /// Carries out `plan` (its record gets the uploads' ETags). `before`:
    /// the record as it was; `root`: the local site's folder.
    /// Returns the SHA-256 of every big file sent (see [`record::Entry::sha256`]).
    pub async fn run(
        &self,
        plan: &mut Plan,
        before: Option<&Published>,
        root: &Path,
    ) -> Result<HashMap<String, String>, PublishError> {
        if plan.is_empty() {
            // Nothing to send; the record is written again only if it has
            // to be (an unfinished publish's; not for ETags it lacks, which
            // it learns at the next upload).
            let same = before.is_some_and(|b| b.pending.is_empty() && same_but_etags(b, &plan.record));
            if !same {
                self.write_record(&plan.record).await?;
            }
            return Ok(HashMap::new());
        }
        // What is about to go up is podsmith's, should the publish stop half
        // way: noted as the media go up (a media file that lands before the
        // note does is told as podsmith's by its bytes: see
        // `plan::Plan::adopted`), before any page or feed.
        // (Unless the record as it is lists every upload as pending already:
        // noted before the listing, with the uploads made meanwhile.)
        let listed_pending = |p: &Put| before.and_then(|b| b.pending.get(&p.file.key)) == Some(&p.file.entry);
        let pending =
            (!plan.puts.iter().all(listed_pending)).then(|| self.pending(Arc::new(plan.pending_record(before))));
        self.progress.start("uploading", plan.bytes());
        // With nothing to delete, the record may go up beside `feed.xml`.
        let closing = plan.deletes.is_empty().then(|| closing(&plan.record));
        let (sent, closed) = self.send_phases(&plan.puts, pending, root, closing).await?;
        self.progress.finish();
        plan.record.with_sent(&by_key(&sent));
        let digests = sent.into_iter().filter_map(|s| Some((s.key, s.sha256?))).collect();
        if closed.is_some() {
            return Ok(digests);
        }
        // The new feeds are live: now what the site no longer has goes,
        // and the record says so after.
        if !plan.deletes.is_empty() {
            self.delete_gone(plan, before).await?;
        }
        self.write_record(&plan.record).await?;
        Ok(digests)
    }

    /// Uploads `puts` phase by phase (media and images, pages, the
    /// per-format feeds and the sitemap, `feed.xml`: see
    /// [`super::plan::LocalFile::wave`]), a few at once; `pending` (what is
    /// about to go up: see [`Sender::pending`]) is written as the media go up. The pages'
    /// and feeds' bytes are read, and a big one's hashed, while the media go
    /// up (as far as READ_AHEAD allows; the rest when their turn comes).
    ///
    /// `closing` makes the record to write once `feed.xml` is up. Where the
    /// destination's listing gives ETags, and `feed.xml` goes up whole, that
    /// record goes up beside it (a round trip less), naming the ETag
    /// `feed.xml` is about to get: the MD5 of its bytes, the ETag S3, Garage
    /// and MinIO give an object put whole. Returned (with the files sent) if
    /// `feed.xml` got just that ETag; otherwise it is for the caller to
    /// write the record again. A publish stopped between the two leaves a
    /// record whose `feed.xml` the next listing finds with another ETag:
    /// `feed.xml` goes up again then (see [`super::plan::Reason::Replaced`]).
    async fn send_phases(
        &self,
        puts: &[Put],
        mut pending: Option<Encoding>,
        root: &Path,
        mut closing: Option<Closing<'_>>,
    ) -> Result<(Vec<Sent>, Option<Published>), PublishError> {
        // (feed.xml's MD5 only where the record may go up beside it.)
        let md5 = closing.is_some() && self.opened.folder.is_none();
        let ahead: Vec<(String, std::path::PathBuf, u64, bool)> = puts
            .iter()
            .filter(|p| p.file.phase != Phase::Media && p.file.entry.size <= WHOLE)
            .scan(0, |total, p| {
                *total += p.file.entry.size;
                let (key, main) = (p.file.key.clone(), md5 && p.file.phase == Phase::MainFeed);
                (*total <= READ_AHEAD).then(|| (key, root.join(&p.file.key), p.file.entry.size, main))
            })
            .collect();
        let mut reading = Some(tokio::task::spawn_blocking(move || {
            let read = ahead.into_iter().map(|(key, path, size, main)| {
                let mut ready = Ready::read(&path, size, true).ok()?;
                ready.md5 = main.then(|| super::copy::md5_hex(&ready.bytes));
                Some((key, ready))
            });
            read.flatten().collect::<HashMap<String, Ready>>()
        }));
        let mut read_ahead = HashMap::new();
        let phases = [Phase::Media, Phase::Page, Phase::Feed, Phase::MainFeed];
        let mut sent: Vec<Sent> = Vec::with_capacity(puts.len());
        let mut closed = None;
        for phase in phases {
            if phase != Phase::Media
                && let Some(reading) = reading.take()
            {
                read_ahead = reading.await.unwrap_or_default();
            }
            let these: Vec<&Put> = puts.iter().filter(|p| p.file.wave() == phase).collect();
            let beside = match phase {
                Phase::MainFeed => self.beside_the_last(&these, &sent, &read_ahead, closing.take()),
                _ => None,
            };
            let uploads = futures::stream::iter(these)
                .map(|put| self.upload(put, root, read_ahead.remove(&put.file.key)))
                .buffer_unordered(self.at_once(phase));
            let results: Vec<Sent> = match (phase, pending.take(), beside) {
                // The media go up while the record is encoded.
                (Phase::Media, Some(record), _) => {
                    let (results, recorded) =
                        futures::future::join(uploads.try_collect::<Vec<Sent>>(), self.write_encoded(record)).await;
                    recorded?;
                    results?
                }
                (_, _, Some((record, etags))) => {
                    let (results, recorded) =
                        futures::future::join(uploads.try_collect::<Vec<Sent>>(), self.write_record(&record)).await;
                    let results = results?;
                    recorded?;
                    let got = |key: &String| results.iter().find(|s| &s.key == key).and_then(|s| s.etag.as_deref());
                    if etags.iter().all(|(key, etag)| record::same_etag(got(key), Some(etag))) {
                        closed = Some(record);
                    }
                    results
                }
                _ => uploads.try_collect().await?,
            };
            sent.extend(results);
            self.step(super::Step::Uploaded(phase));
        }
        Ok((sent, closed))
    }

    /// Uploads at once in `phase`: `jobs` of media and images (each may be
    /// big: up to 15 MiB in memory as it goes); of pages and feeds, four
    /// times that, at most 32 (never fewer): small, and mostly read already, they wait
    /// on round trips, not on bytes (a thousand pages after a template
    /// change, 30 ms away: 7.5 s four at a time, 1.9 s sixteen).
    fn at_once(&self, phase: Phase) -> usize {
        match phase {
            Phase::Media => self.jobs,
            Phase::Page | Phase::Feed | Phase::MainFeed => (self.jobs * 4).min(32).max(self.jobs),
        }
    }

    /// The record `closing` makes, to write beside `last` (the `feed.xml`
    /// uploads, each read ahead), with the ETags they are about to get:
    /// only where the next publish would find a `feed.xml` that did not
    /// land: where the destination's listing (in already) gives ETags, or
    /// where there is none yet (a new key, found free: it would be missing).
    /// Not to a folder, whose ETags are no MD5s (and whose writes take no
    /// round trip).
    fn beside_the_last(
        &self,
        last: &[&Put],
        sent: &[Sent],
        read_ahead: &HashMap<String, Ready>,
        closing: Option<Closing<'_>>,
    ) -> Option<(Published, Vec<(String, String)>)> {
        let closing = closing.filter(|_| self.opened.folder.is_none())?;
        let etags = self.lists_etags.load(std::sync::atomic::Ordering::Relaxed) == 2;
        if last.is_empty() || !(etags || last.iter().all(|p| p.reason == super::plan::Reason::New)) {
            return None;
        }
        let mut all = by_key(sent);
        let mut etags = Vec::with_capacity(last.len());
        for put in last {
            let ready = read_ahead.get(&put.file.key)?;
            let etag = format!("\"{}\"", ready.md5.as_ref()?);
            all.insert(put.file.key.clone(), (Some(etag.clone()), ready.sha256.clone()));
            etags.push((put.file.key.clone(), etag));
        }
        Some((closing(&all), etags))
    }

    /// Deletes what `plan` says the site no longer has, once the new feeds
    /// are live: the record written first still names them (as `before`
    /// did), so a publish stopped half way deletes them next time.
    async fn delete_gone(&self, plan: &Plan, before: Option<&Published>) -> Result<(), PublishError> {
        let mut meanwhile = plan.record.clone();
        for key in &plan.deletes {
            if let Some(e) = before.and_then(|b| b.objects.get(key).or_else(|| b.pending.get(key))) {
                meanwhile.objects.insert(key.clone(), e.clone());
            }
        }
        self.write_record(&meanwhile).await?;
        futures::stream::iter(&plan.deletes)
            .map(|key| async move {
                match self.opened.store.delete(&self.opened.path(key)).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                    Err(e) => Err(self.failed(&format!("deleting {key}"), &e)),
                }
            })
            .buffer_unordered(self.jobs)
            .try_collect::<Vec<()>>()
            .await?;
        self.step(super::Step::Deleted);
        Ok(())
    }

    /// Uploads `puts` (media and images first, then pages, then the
    /// per-format feeds, then `feed.xml`) while the destination is still
    /// being listed, with `pending` (every upload the publish is about to
    /// make: see [`Sender::pending`]) written first or alongside; the
    /// progress bar shows their bytes. Returns each
    /// file sent, by key, with its ETag and its SHA-256 if it is a big one;
    /// and the record `closing` made, if it went up beside `feed.xml` as
    /// it is (see [`Sender::send_phases`]).
    pub async fn early(
        &self,
        puts: &[Put],
        pending: Encoding,
        root: &Path,
        closing: Option<Closing<'_>>,
    ) -> Result<(HashMap<String, (Option<String>, Option<String>)>, Option<Published>), PublishError> {
        self.progress.start("uploading", puts.iter().map(|p| p.file.entry.size).sum());
        let (sent, closed) = self.send_phases(puts, Some(pending), root, closing).await?;
        self.progress.finish();
        Ok((sent.into_iter().map(|s| (s.key, (s.etag, s.sha256))).collect(), closed))
    }

    /// Whether an object is at each of `keys` (a HEAD each, side by side):
    /// the keys where one is, or where it cannot be told.
    pub async fn taken(&self, keys: Vec<String>) -> Vec<String> {
        futures::stream::iter(keys)
            .map(|key| async move {
                match self.opened.store.head(&self.opened.path(&key)).await {
                    Err(object_store::Error::NotFound { .. }) => None,
                    _ => Some(key),
                }
            })
            .buffer_unordered(self.jobs.max(LISTINGS))
            .filter_map(|found| async move { found })
            .collect()
            .await
    }

    /// Uploads one file; returns its key and the ETag it got.
    async fn upload(&self, put: &Put, root: &Path, read: Option<Ready>) -> Result<Sent, PublishError> {
        let key = &put.file.key;
        let path = root.join(key);
        let entry = &put.file.entry;
        let mut attributes = Attributes::new();
        if self.opened.headers {
            attributes.insert(Attribute::ContentType, entry.content_type.clone().into());
            attributes.insert(Attribute::CacheControl, entry.cache_control.clone().into());
        }
        let target = self.opened.path(key);
        let read_failed = |e: std::io::Error| {
            PublishError::store(
                Diagnostic::error("PUBLISH", format!("cannot read {}: {e}", path.display()))
                    .help("run podsmith publish again (it builds first)"),
            )
        };
        if entry.size <= WHOLE {
            // (Read and hashed off the threads that send: a media file is
            // hashed while it goes up.)
            let (size, hashed) = (entry.size, read.is_some());
            let Ready { bytes, sha256, .. } = match read {
                Some(ready) => ready,
                None => Ready::read_off(path.clone(), size).await.map_err(read_failed)?,
            };
            let payload = PutPayload::from(bytes);
            let hashing = (!hashed && crate::fsutil::Fingerprint::samples(size)).then(|| sha256_off(payload.clone()));
            let opts = PutOptions { attributes, ..Default::default() };
            let put = self.opened.store.put_opts(&target, payload, opts).await;
            let done = put.map_err(|e| self.failed(&format!("uploading {key}"), &e))?;
            let sha256 = match hashing {
                Some(hashing) => Some(hashing.await.map_err(|e| read_failed(std::io::Error::other(e)))?),
                None => sha256,
            };
            self.progress.advance(size);
            return Ok(Sent { key: key.clone(), etag: done.e_tag, sha256 });
        }
        // A big file's every byte is hashed as it goes up (its fingerprint
        // only samples it).
        let mut hasher = crate::fsutil::Fingerprint::samples(entry.size).then(<sha2::Sha256 as sha2::Digest>::new);
        let mut file = crate::fsutil::open(&path).map_err(read_failed)?;
        let opts = object_store::PutMultipartOptions { attributes, ..Default::default() };
        let upload = self
            .opened
            .store
            .put_multipart_opts(&target, opts)
            .await
            .map_err(|e| self.failed(&format!("uploading {key}"), &e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; READ];
        let mut sent = 0u64;
        loop {
            writer
                .wait_for_capacity(PARTS_IN_FLIGHT)
                .await
                .map_err(|e| self.failed(&format!("uploading {key}"), &e))?;
            let n = crate::probe::read_full(&mut file, &mut buf).map_err(read_failed)?;
            if n == 0 {
                break;
            }
            if let Some(h) = hasher.as_mut() {
                sha2::Digest::update(h, &buf[..n]);
            }
            writer.write(&buf[..n]);
            sent += n as u64;
            self.progress.advance(n as u64);
        }
        if sent != entry.size {
            let _ = writer.abort().await;
            return Err(read_failed(std::io::Error::other("its size changed after the build")));
        }
        let etag = writer.finish().await.map_err(|e| self.failed(&format!("uploading {key}"), &e))?.e_tag;
        let sha256 = hasher.map(|h| super::digests::hex(&sha2::Digest::finalize(h)));
        Ok(Sent { key: key.clone(), etag, sha256 })
    }

    /// Writes what a publish is about to upload, once encoded.
    async fn write_encoded(&self, encoding: Encoding) -> Result<(), PublishError> {
        let encoded = encoding.0.await.map_err(|e| {
            PublishError::store(Diagnostic::error("PUBLISH", format!("the record could not be encoded: {e}")))
        })?;
        match encoded {
            Encoded::Note(bytes, over) => {
                let big = bytes.len() > NOTE_KEPT;
                self.put_own(record::PUBLISHING_KEY, bytes).await?;
                *self.noted.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Noted { over, big });
                self.step(super::Step::Noted);
            }
            Encoded::Record(bytes, full) => {
                let etag = self.put_record(bytes).await?;
                self.recorded(etag.as_deref()).await?;
                self.step(super::Step::Recorded);
                *self.at.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = match etag {
                    Some(etag) => At::Known { etag: Some(etag), record: full },
                    None => At::Unknown,
                };
            }
        }
        Ok(())
    }

    /// Writes the destination's record.
    pub async fn write_record(&self, record: &Published) -> Result<(), PublishError> {
        let etag = self.put_record(record.encode()).await?;
        self.recorded(etag.as_deref()).await?;
        // (What it now holds is not kept: a note of uploads after it, if
        // any, goes in the whole record.)
        *self.at.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = At::Unknown;
        self.step(super::Step::Recorded);
        Ok(())
    }

    /// The record written, of ETag `etag`: a note known to be at the
    /// destination is deleted, as the record took it in, if it would still
    /// hold over it (the record came out the same, to its ETag, as the one
    /// the note was written over; or its ETag is not known), or if it is
    /// big (every later publish would read it).
    async fn recorded(&self, etag: Option<&str>) -> Result<(), PublishError> {
        let noted = self.noted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(Noted { over, big }) = noted
            && (big || etag.is_none() || record::same_etag(over.as_deref(), etag))
        {
            match self.opened.store.delete(&self.opened.path(record::PUBLISHING_KEY)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.failed(&format!("deleting {}", record::PUBLISHING_KEY), &e)),
            }
        }
        Ok(())
    }

    /// Writes object `key` of podsmith's own, encoded; returns its ETag.
    async fn put_own(&self, key: &str, bytes: Vec<u8>) -> Result<Option<String>, PublishError> {
        let mut attributes = Attributes::new();
        if self.opened.headers {
            attributes.insert(Attribute::ContentType, "application/gzip".into());
            attributes.insert(Attribute::CacheControl, "no-cache".into());
        }
        let opts = PutOptions { attributes, ..Default::default() };
        self.opened
            .store
            .put_opts(&self.opened.path(key), PutPayload::from(bytes), opts)
            .await
            .map(|done| done.e_tag)
            .map_err(|e| self.failed(&format!("writing {key}"), &e))
    }

    /// What went wrong, with what to check.
    fn failed(&self, doing: &str, e: &object_store::Error) -> PublishError {
        failure(&self.destination, doing, e)
    }
}

/// What went wrong `doing` something at `destination`, with what to check.
fn failure(destination: &str, doing: &str, e: &object_store::Error) -> PublishError {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    // No credentials anywhere: the last place the client looks is an EC2
    // machine's instance role, whose address answers nothing elsewhere.
    if lower.contains("169.254.169.254") || lower.contains("169.254.170.2") {
        return PublishError::config(
            Diagnostic::error("PUBLISH-CONFIG", format!("{destination}: no credentials to publish with")).help(
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or profile in [publish]) \
                     naming a profile of ~/.aws/credentials; podsmith looked there, then for the instance role of \
                     an EC2 machine, which did not answer",
            ),
        );
    }
    // The setup's fault (exit 2): a bucket that is not there, credentials refused.
    let setup = if lower.contains("nosuchbucket") || lower.contains("bucket does not exist") {
        Some(
            "the bucket does not exist: check the bucket name in the destination, the endpoint and the \
             region, or create the bucket",
        )
    } else if matches!(e, object_store::Error::Unauthenticated { .. })
        || lower.contains("signaturedoesnotmatch")
        || lower.contains("invalidaccesskeyid")
        || lower.contains("403")
    {
        Some(
            "the service refused the credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the \
             profile in ~/.aws/credentials), and that they may write to this bucket",
        )
    } else if matches!(e, object_store::Error::PermissionDenied { .. }) {
        Some("the credentials may not do this: give them write and list permission on the bucket")
    } else {
        None
    };
    let message = format!("{destination}: {doing} failed: {}", one_line(&text));
    if let Some(help) = setup {
        return PublishError::config(Diagnostic::error("PUBLISH-CONFIG", message).help(help));
    }
    let help = if lower.contains("connect") || lower.contains("dns") || lower.contains("timed out") {
        "the service could not be reached: check the endpoint URL and the network, then run publish again \
         (it takes up where it stopped)"
    } else {
        "run publish again: it sends only what is not there yet"
    };
    PublishError::store(Diagnostic::error("PUBLISH", message).help(help))
}

/// A file of at most [`WHOLE`] bytes, read to go up in one request, with the
/// SHA-256 of all its bytes if its fingerprint only samples them.
struct Ready {
    bytes: Vec<u8>,
    sha256: Option<String>,
    /// The MD5 of the bytes (for `feed.xml`: the ETag it gets where ETags
    /// are MD5s, as S3's, Garage's and MinIO's of an object put whole are).
    md5: Option<String>,
}

impl Ready {
    /// Reads the file at `path`, which the build made `size` bytes (and,
    /// if `hash`, hashes it).
    fn read(path: &Path, size: u64, hash: bool) -> std::io::Result<Ready> {
        let mut bytes = Vec::with_capacity(size as usize);
        crate::fsutil::open(path)?.take(WHOLE + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 != size {
            return Err(std::io::Error::other("its size changed after the build"));
        }
        let sha256 = (hash && crate::fsutil::Fingerprint::samples(size))
            .then(|| super::digests::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes)));
        Ok(Ready { bytes, sha256, md5: None })
    }

    /// [`Ready::read`] (not hashed) on a blocking thread: not on those that send.
    async fn read_off(path: std::path::PathBuf, size: u64) -> std::io::Result<Ready> {
        let reading = tokio::task::spawn_blocking(move || Ready::read(&path, size, false));
        reading.await.map_err(std::io::Error::other).and_then(|read| read)
    }
}

/// The SHA-256 of `payload`, hashed on a blocking thread (see [`record::Entry::sha256`]).
fn sha256_off(payload: PutPayload) -> tokio::task::JoinHandle<String> {
    tokio::task::spawn_blocking(move || {
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        payload.iter().for_each(|part| sha2::Digest::update(&mut hasher, part));
        super::digests::hex(&sha2::Digest::finalize(hasher))
    })
}

/// Whether two records name the same objects, with the same entries but
/// for the ETags.
fn same_but_etags(a: &Published, b: &Published) -> bool {
    a.objects.len() == b.objects.len()
        && a.objects
            .iter()
            .zip(&b.objects)
            .all(|((ka, ea), (kb, eb))| ka == kb && ea.same_content(eb) && ea.same_headers(eb))
}

/// Every regular file under a folder destination, by key, with its size:
/// a walk that never follows a link (a link to a folder is not entered; a
/// link where a file is, listed as a link: it is someone else's, in the way
/// of the file of that name), skipping what cannot be a site file.
fn list_folder(root: &Path) -> HashMap<String, Listed> {
    let mut out = HashMap::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let Some(name) = e.file_name().to_str().map(str::to_string) else { continue };
            let key = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push((e.path(), key)),
                Ok(t) if t.is_file() => {
                    if let Ok(meta) = e.metadata() {
                        out.insert(key, Listed { size: meta.len(), etag: Some(folder_etag(&meta)) });
                    }
                }
                Ok(t) if t.is_symlink() => {
                    out.insert(key, Listed { size: 0, etag: Some("\"a link\"".into()) });
                }
                _ => {}
            }
        }
    }
    out.retain(|k, _| record::is_key(k));
    out
}

/// A file's ETag as object_store's folder store gives it when it writes
/// the file (inode, modification time in microseconds, size), so that a
/// file replaced by hand is told.
fn folder_etag(meta: &std::fs::Metadata) -> String {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0u64;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::SystemTime::UNIX_EPOCH).ok())
        .unwrap_or_default()
        .as_micros();
    format!("\"{inode:x}-{mtime:x}-{:x}\"", meta.len())
}

/// An error's text on one line, not too long.
fn one_line(text: &str) -> String {
    crate::text::truncate_chars(&text.split_whitespace().collect::<Vec<_>>().join(" "), 400)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No credentials anywhere: the client's last try, an EC2 instance
    /// role, fails; that is said as what it means, not as the request.
    #[test]
    fn no_credentials_anywhere_is_said_as_such() {
        let e = object_store::Error::Generic {
            store: "S3",
            source: "Error performing PUT http://169.254.169.254/latest/api/token in 1ms - 403 Forbidden".into(),
        };
        let PublishError::Config(d) = failure("s3://b/x", "reading the record", &e) else { panic!() };
        assert_eq!(d.message, "s3://b/x: no credentials to publish with");
        assert!(d.help.unwrap().starts_with("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
    }
}
