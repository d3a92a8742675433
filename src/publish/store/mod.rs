//! Sending a plan to the destination through `object_store`: the record,
//! the listing, the uploads phase by phase (a few at once, big files in
//! parts so memory stays bounded), the deletions. Retries with backoff on
//! timeouts and server errors are `object_store`'s (see
//! [`super::destination`]); what it cannot get past is said with what to check.
//!
//! Here: the [`Sender`], the record and the note of uploads under way
//! written; in `read`: what the destination holds (the record, the
//! listing, HEADs); in `send`: the uploads and deletions.

mod read;
mod send;

use std::collections::HashMap;
use std::sync::Arc;

use object_store::{Attribute, Attributes, ObjectStoreExt, PutOptions, PutPayload};

use super::PublishError;
use super::copy::{self, RecordCopy};
use super::destination::Opened;
use super::plan::Listed;
use super::record::{self, Published};
use super::uploads::Unfinished;
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
    /// In a folder destination, the temporary files a write killed half
    /// way left (see [`staged_key`]), by path under the folder.
    pub staged: Vec<String>,
}

/// The key a file in a folder destination was being written to, if it is
/// the temporary file object_store's folder store writes a key through
/// (`KEY#N`, renamed to `KEY` once whole, left as it is by a write
/// killed half way): a site file's or podsmith's record or note.
pub fn staged_key(path: &str) -> Option<&str> {
    let (key, n) = path.rsplit_once('#')?;
    let ours = super::record::is_key(key) || key == super::record::KEY || key == super::record::PUBLISHING_KEY;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && ours).then_some(key)
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
    /// Why a note at the destination could not be read, if one could not
    /// (see [`Sender::unread_note`]).
    unread_note: std::sync::Mutex<Option<String>>,
    /// Where this computer keeps a copy of the record (see [`RecordCopy`]).
    copy: Option<RecordCopy>,
    /// The record as that copy has it, parsed, for whoever asks first (see
    /// [`Sender::copied`]), and where [`Sender::read_record`] sends it.
    copied: std::sync::Mutex<Copied>,
    /// Whether the destination's listing gives ETags: 0 not listed yet, 1
    /// no, 2 yes (see [`Sender::send_phases`]).
    lists_etags: std::sync::atomic::AtomicU8,
    /// The multipart uploads under way, as this computer notes them (see
    /// [`Unfinished`]; a bucket's).
    uploads: Option<Unfinished>,
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
        let (cut, at, noted, unread_note) = Default::default();
        let (tell, told) = futures::channel::oneshot::channel();
        let copied = std::sync::Mutex::new((Some(tell), Some(told)));
        let lists_etags = Default::default();
        Sender {
            opened,
            jobs,
            destination,
            progress,
            timeline,
            cut,
            at,
            noted,
            unread_note,
            copy: None,
            copied,
            lists_etags,
            uploads: None,
        }
    }

    /// The sender, noting its multipart uploads under way in `uploads`
    /// (see [`Unfinished`]).
    pub fn with_uploads(self, uploads: Unfinished) -> Sender {
        Sender { uploads: Some(uploads), ..self }
    }

    /// Aborts the multipart uploads a publish that did not finish left
    /// (see [`Unfinished`]): the parts it sent go. Returns the keys of
    /// those aborted (with `dry_run`, of those it would abort); one the
    /// service no longer has (completed, or aborted already) is done with
    /// too; on any other answer it is said (see [`Aborted::stuck`]) and
    /// tried again next time.
    pub async fn abort_left(&self, dry_run: bool) -> Aborted {
        let (Some(uploads), Some(multipart)) = (&self.uploads, &self.opened.multipart) else {
            return Aborted::default();
        };
        if dry_run {
            return Aborted { keys: uploads.left().iter().map(|(_, key)| key.clone()).collect(), ..Aborted::default() };
        }
        use futures::StreamExt as _;
        let tried = futures::stream::iter(uploads.left())
            .map(|(id, key)| async move {
                match multipart.abort_multipart(&self.opened.path(key), id).await {
                    Ok(()) => {
                        uploads.end(id);
                        Some(Ok(key.clone()))
                    }
                    Err(object_store::Error::NotFound { .. }) => {
                        uploads.end(id);
                        None
                    }
                    // Noted still: tried again by the next publish, up to
                    // a few times.
                    Err(e) => {
                        let given_up = uploads.refused(id);
                        Some(Err((format!("{key} (upload {id}): {}", one_line(&e.to_string())), given_up)))
                    }
                }
            })
            .buffer_unordered(self.jobs)
            .collect::<Vec<Option<Result<String, (String, bool)>>>>()
            .await;
        let mut aborted = Aborted::default();
        for t in tried.into_iter().flatten() {
            match t {
                Ok(key) => aborted.keys.push(key),
                Err((why, false)) => aborted.stuck.push(why),
                Err((why, true)) => aborted.given_up.push(why),
            }
        }
        aborted.keys.sort();
        aborted.stuck.sort();
        aborted.given_up.sort();
        aborted
    }

    /// Why the note of a publish that did not finish, found at the
    /// destination, could not be read (its object damaged, or of another
    /// format), if it could not: taken once. Such a note is as good as
    /// none: what it named is taken as podsmith's only where it holds the
    /// site's very bytes.
    pub fn unread_note(&self) -> Option<String> {
        self.unread_note.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }

    /// The sender, keeping a copy of the destination's record in `copy`
    /// (see [`RecordCopy`]).
    pub fn with_copy(self, copy: RecordCopy) -> Sender {
        Sender { copy: Some(copy), ..self }
    }

    /// Tells the timeline (if any) that `done` ended.
    pub fn step(&self, done: super::Step) {
        if let Some(tell) = &self.timeline {
            tell(done);
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
    // The error and its causes: the client's own words ("error sending
    // request") say less than the cause ("Connection refused").
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        cause = c.source();
    }
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
        || status_said(&lower, "403")
    {
        Some(
            "the service refused the credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the \
             profile in ~/.aws/credentials), and that they may write to this bucket",
        )
    } else if matches!(e, object_store::Error::PermissionDenied { .. }) {
        Some("the credentials may not do this: give them write and list permission on the bucket")
    } else if lower.contains("read-only file system") || lower.contains("os error 30") {
        Some("the destination folder is on a disk mounted read-only: mount it to be written, or publish elsewhere")
    } else if destination.starts_with("file://") && lower.contains("permission denied") {
        Some("podsmith may not write in the destination folder: check its owner and permissions")
    } else if destination.starts_with("file://") && lower.contains("is a directory") {
        Some("a folder is where a file podsmith writes (named above) goes: remove or rename that folder")
    } else if destination.starts_with("file://") && lower.contains("no space left") {
        Some("the destination's disk is full: make room, then run publish again")
    } else if lower.contains("invalid path") || lower.contains("illegal character sequence") {
        // The client reads every name a listing gives, and fails the whole
        // listing on one it cannot hold: no retry mends it.
        Some(
            "an object under the destination has a name the S3 client cannot read (a control character, or an \
             empty, '.' or '..' part; the name is above): rename or delete that object (with the service's \
             console, or aws s3 rm), or publish to another prefix",
        )
    } else {
        None
    };
    // (object_store's words for any error of a folder's say nothing of it.)
    let text = text.replace("Generic LocalFileSystem error: ", "");
    let message = format!("{destination}: {doing} failed: {}", one_line(&text));
    if let Some(help) = setup {
        return PublishError::config(Diagnostic::error("PUBLISH-CONFIG", message).help(help));
    }
    // Nothing answers at the endpoint (a wrong host or port, a server not
    // running, a certificate the machine does not trust): the setup's (exit 2).
    let unanswered = ["connect", "dns", "tls", "certificate", "resolve"];
    if unanswered.iter().any(|w| lower.contains(w)) {
        return PublishError::config(Diagnostic::error("PUBLISH", message).help(
            "the service could not be reached: check the endpoint URL and the network, then run publish again \
             (it takes up where it stopped)",
        ));
    }
    let unreachable = ["timed out", "error sending request"];
    let help = if unreachable.iter().any(|w| lower.contains(w)) {
        "the service could not be reached: check the endpoint URL and the network, then run publish again \
         (it takes up where it stopped)"
    } else {
        "run publish again: it sends only what is not there yet"
    };
    PublishError::store(Diagnostic::error("PUBLISH", message).help(help))
}

/// Whether `text` says HTTP status `code` (`403 Forbidden`, `status: 403`),
/// not a number that holds it: a port (`127.0.0.1:40383`), a time
/// (`2.403s`), a byte count.
fn status_said(text: &str, code: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices(code).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| b[i]);
        let after = b.get(at + code.len()).copied();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b':' | b'.' | b'/' | b'-' | b'_'))
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'/' | b'-' | b'_'))
    })
}

/// The uploads in parts a publish that did not finish left, dealt with.
#[derive(Debug, Default)]
pub struct Aborted {
    /// The keys of those aborted (or, in a dry run, to abort).
    pub keys: Vec<String>,
    /// Those the service would not abort: key, upload id and its answer.
    /// Their parts may still be kept (and billed); the next publish tries again.
    pub stuck: Vec<String>,
    /// Those the service would not abort by the third publish in a row
    /// to try: said as `stuck` is, and no longer tried.
    pub given_up: Vec<String>,
}

/// An error's text on one line, not too long.
fn one_line(text: &str) -> String {
    crate::text::truncate_chars(&text.split_whitespace().collect::<Vec<_>>().join(" "), 400)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status is told from a number that holds its digits: a port that
    /// nothing listens on is no refusal of the credentials.
    #[test]
    fn a_status_is_told_from_a_port_or_a_time_that_holds_its_digits() {
        assert!(status_said("client error with status 403 forbidden", "403"));
        assert!(status_said("http status: 403", "403") && status_said("(403)", "403"));
        for not in ["http://127.0.0.1:40383/b", "in 2.403s", "4030 bytes", "id-403-x", "error 1403"] {
            assert!(!status_said(not, "403"), "{not}");
        }
        let e = object_store::Error::Generic {
            store: "S3",
            source: "Error performing GET http://127.0.0.1:40383/bucket/x in 2.2s, after 5 retries - HTTP error: \
                     error sending request: client error (Connect): tcp connect error: Connection refused"
                .into(),
        };
        let PublishError::Config(d) = failure("s3://b/x", "reading the record", &e) else { panic!() };
        assert!(d.help.as_deref().is_some_and(|h| h.starts_with("the service could not be reached")), "{d:?}");
    }

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
