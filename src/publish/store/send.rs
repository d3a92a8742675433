//! The uploads, phase by phase (media and images, pages, the per-format
//! feeds and the sitemap, `feed.xml`), a few at once, big files in parts so
//! memory stays bounded; the record written as they land; the deletions
//! once the new feeds are live.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::multipart::{MultipartStore, PartId};
use object_store::{Attribute, Attributes, ObjectStoreExt, PutOptions, PutPayload, WriteMultipart};

use super::{Closing, Encoding, PART, PARTS_IN_FLIGHT, READ, READ_AHEAD, Sender, Sent, WHOLE, by_key, closing};
use crate::diagnostic::Diagnostic;
use crate::publish::PublishError;
use crate::publish::plan::{Phase, Plan, Put};
use crate::publish::record::{self, Published};
use crate::publish::uploads::Unfinished;

impl Sender {
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
    /// [`crate::publish::plan::LocalFile::wave`]), a few at once; `pending` (what is
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
    /// `feed.xml` goes up again then (see [`crate::publish::plan::Reason::Replaced`]).
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
            self.step(crate::publish::Step::Uploaded(phase));
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
        if last.is_empty() || !(etags || last.iter().all(|p| p.reason == crate::publish::plan::Reason::New)) {
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
        self.step(crate::publish::Step::Deleted);
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
        if let (Some(multipart), Some(uploads)) = (&self.opened.multipart, &self.uploads) {
            let upload = Upload { key, target: &target, path: &path, size: entry.size };
            return self.upload_in_parts(multipart, uploads, upload, attributes).await;
        }
        // A big file's every byte is hashed as it goes up (its fingerprint
        // only samples it).
        let mut hasher = crate::fsutil::Fingerprint::samples(entry.size).then(<sha2::Sha256 as sha2::Digest>::new);
        let mut file = AsBuilt::open(&path, entry.size).map_err(read_failed)?;
        let opts = object_store::PutMultipartOptions { attributes, ..Default::default() };
        let upload = self
            .opened
            .store
            .put_multipart_opts(&target, opts)
            .await
            .map_err(|e| self.failed(&format!("uploading {key}"), &e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = Vec::with_capacity(READ);
        loop {
            writer
                .wait_for_capacity(PARTS_IN_FLIGHT)
                .await
                .map_err(|e| self.failed(&format!("uploading {key}"), &e))?;
            let n = match file.read(&mut buf, READ) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(read_failed(e));
                }
            };
            if let Some(h) = hasher.as_mut() {
                sha2::Digest::update(h, &buf);
            }
            writer.write(&buf);
            self.progress.advance(n as u64);
        }
        if let Err(e) = file.whole() {
            let _ = writer.abort().await;
            return Err(read_failed(e));
        }
        let etag = writer.finish().await.map_err(|e| self.failed(&format!("uploading {key}"), &e))?.e_tag;
        let sha256 = hasher.map(|h| crate::text::hex(&sha2::Digest::finalize(h)));
        Ok(Sent { key: key.clone(), etag, sha256 })
    }
}

/// A big file to go up in parts: its key, its path in the store and on
/// disk, and its size as built.
#[derive(Clone, Copy)]
struct Upload<'a> {
    key: &'a str,
    target: &'a object_store::path::Path,
    path: &'a Path,
    size: u64,
}

impl Sender {
    /// Uploads a big file in [`PART`]-byte parts, [`PARTS_IN_FLIGHT`] at a
    /// time, by the id of its multipart upload, noted in `uploads` while
    /// it is under way: a publish killed part-way leaves its parts at the
    /// service, and the next one aborts the upload (see [`Unfinished`]).
    /// One that fails is aborted at once.
    async fn upload_in_parts(
        &self,
        multipart: &Arc<dyn MultipartStore>,
        uploads: &Unfinished,
        upload: Upload<'_>,
        attributes: Attributes,
    ) -> Result<Sent, PublishError> {
        let Upload { key, target, .. } = upload;
        let opts = object_store::PutMultipartOptions { attributes, ..Default::default() };
        let id = multipart
            .create_multipart_opts(target, opts)
            .await
            .map_err(|e| self.failed(&format!("uploading {key}"), &e))?;
        if let Err(e) = uploads.begin(&id, key) {
            let _ = multipart.abort_multipart(target, &id).await;
            let why = format!("cannot note the upload of {key} under way: {e}");
            return Err(PublishError::store(
                Diagnostic::error("PUBLISH", why).help("check that podsmith can write in the show's .podsmith folder"),
            ));
        }
        let mut in_flight = InFlight::default();
        let sent = self.send_parts(multipart, &id, upload, &mut in_flight).await;
        if sent.is_err() {
            // The parts under way land (or fail) first: one that landed
            // after the upload was aborted would be kept.
            in_flight.settle().await;
        }
        if sent.is_ok() || multipart.abort_multipart(target, &id).await.is_ok() {
            uploads.end(&id);
        }
        sent
    }

    /// The parts of upload `id`, sent, and the upload completed.
    async fn send_parts(
        &self,
        multipart: &Arc<dyn MultipartStore>,
        id: &object_store::MultipartId,
        upload: Upload<'_>,
        in_flight: &mut InFlight,
    ) -> Result<Sent, PublishError> {
        let Upload { key, target, path, size } = upload;
        let failed = |e: &object_store::Error| self.failed(&format!("uploading {key}"), e);
        let read_failed = |e: std::io::Error| {
            PublishError::store(
                Diagnostic::error("PUBLISH", format!("cannot read {}: {e}", path.display()))
                    .help("run podsmith publish again (it builds first)"),
            )
        };
        // A big file's every byte is hashed as it goes up (its fingerprint
        // only samples it).
        let mut hasher = crate::fsutil::Fingerprint::samples(size).then(<sha2::Sha256 as sha2::Digest>::new);
        let mut file = AsBuilt::open(path, size).map_err(read_failed)?;
        let mut parts = Vec::new();
        let take = |joined: Result<(object_store::Result<PartId>, u64), tokio::task::JoinError>| {
            let (part, n) = joined.map_err(|e| read_failed(std::io::Error::other(e)))?;
            self.progress.advance(n);
            part.map_err(|e| failed(&e))
        };
        loop {
            if in_flight.0.len() >= PARTS_IN_FLIGHT
                && let Some(oldest) = in_flight.0.pop_front()
            {
                parts.push(take(oldest.await)?);
            }
            let mut buf = Vec::with_capacity(PART);
            let n = file.read(&mut buf, PART).map_err(read_failed)?;
            if n == 0 {
                break;
            }
            if let Some(h) = hasher.as_mut() {
                sha2::Digest::update(h, &buf);
            }
            let (store, target, id, idx) =
                (multipart.clone(), target.clone(), id.clone(), parts.len() + in_flight.0.len());
            in_flight.0.push_back(tokio::spawn(async move {
                (store.put_part(&target, &id, idx, PutPayload::from(buf)).await, n as u64)
            }));
        }
        while let Some(part) = in_flight.0.pop_front() {
            parts.push(take(part.await)?);
        }
        file.whole().map_err(read_failed)?;
        let done = multipart.complete_multipart(target, id, parts).await.map_err(|e| failed(&e))?;
        let sha256 = hasher.map(|h| crate::text::hex(&sha2::Digest::finalize(h)));
        Ok(Sent { key: key.to_string(), etag: done.e_tag, sha256 })
    }
}

/// A big site file read as it goes up: never further than a byte past its
/// size as built, so a file that grows meanwhile (a recording still being
/// exported over it) stops the upload at once rather than when it ends.
struct AsBuilt {
    file: std::io::Take<std::fs::File>,
    size: u64,
    read: u64,
}

impl AsBuilt {
    /// The file at `path`, which the build made `size` bytes.
    fn open(path: &Path, size: u64) -> std::io::Result<AsBuilt> {
        Ok(AsBuilt { file: crate::fsutil::open(path)?.take(size + 1), size, read: 0 })
    }

    /// The next bytes, at most `most`, into `buf` (emptied first); how many
    /// (0: the end). An error once more than the size as built is read.
    fn read(&mut self, buf: &mut Vec<u8>, most: usize) -> std::io::Result<usize> {
        buf.clear();
        let n = (&mut self.file).take(most as u64).read_to_end(buf)?;
        self.read += n as u64;
        match self.read > self.size {
            true => Err(size_changed()),
            false => Ok(n),
        }
    }

    /// An error unless the whole file, as built, was read.
    fn whole(&self) -> std::io::Result<()> {
        match self.read == self.size {
            true => Ok(()),
            false => Err(size_changed()),
        }
    }
}

/// A site file is not the size the build made it.
fn size_changed() -> std::io::Error {
    std::io::Error::other("its size changed after the build")
}

/// The parts of an upload under way, each on a task of its own; cancelled
/// if dropped (the publish stopped: the note still names the upload, and
/// the next publish aborts it).
#[derive(Default)]
struct InFlight(std::collections::VecDeque<tokio::task::JoinHandle<(object_store::Result<PartId>, u64)>>);

impl InFlight {
    /// Waits for every part under way to land or fail.
    async fn settle(&mut self) {
        while let Some(part) = self.0.pop_front() {
            let _ = part.await;
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        for part in &self.0 {
            part.abort();
        }
    }
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
            return Err(size_changed());
        }
        let sha256 = (hash && crate::fsutil::Fingerprint::samples(size))
            .then(|| crate::text::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes)));
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
        crate::text::hex(&sha2::Digest::finalize(hasher))
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
