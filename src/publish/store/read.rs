//! What the destination holds: its record (or this computer's copy of it,
//! where the destination says it still holds those bytes), one listing
//! (in ranges, side by side, where the service pages it), and whether an
//! object is at a key (a HEAD).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt;

use super::{At, Found, LISTINGS, NOTE_KEPT, Noted, Own, PAGE, RecordRead, Sender};
use crate::publish::PublishError;
use crate::publish::copy;
use crate::publish::plan::Listed;
use crate::publish::record::{self, Published};

impl Sender {
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

    /// The destination's record of what podsmith published there: `None`
    /// if there is none (or it is set aside: then with why); with what a
    /// publish under way noted beside it (see [`record::Publishing`]), if
    /// that holds over it (read side by side).
    pub async fn read_record(&self) -> Result<RecordRead, PublishError> {
        let (read, note) = self.record_or_copy().await?;
        self.keep_copy(&read).await;
        // (A note that cannot be read is as good as none: the listing tells
        // what is there, and bytes tell whose. Why is kept, to be told.)
        let note = |over: Option<&str>| {
            let Own::Found(_, Ok(bytes)) = note.ok()? else { return None };
            let noted = Noted { over: over.map(String::from), big: bytes.len() > NOTE_KEPT };
            let parsed = record::Publishing::parse(&bytes)
                .inspect_err(|why| {
                    *self.unread_note.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(why.clone());
                })
                .ok()?;
            Some((Some(parsed).filter(|n| n.is_over(over))?, noted))
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

    /// The record (see [`Sender::read_record`]) as read: from the copy this
    /// computer keeps where the destination still holds it (then parsed
    /// already), else from the destination; and the note beside it, read
    /// side by side.
    async fn record_or_copy(&self) -> Result<(Own, Result<Own, PublishError>), PublishError> {
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
        Ok((read, note))
    }

    /// Object `key` of podsmith's own, with its ETag: its bytes, or why
    /// they are not read (over the size limit: read up to it, whatever the
    /// server says of its size). Not read if its ETag is `unless` (then
    /// not modified, where the service tells).
    async fn read_own(&self, key: &str, unless: Option<&str>) -> Result<Own, PublishError> {
        // In a folder, only a file is read: opening a pipe put there would
        // wait for a writer for ever (what is there is set aside as a record
        // that cannot be read is).
        if let Some(folder) = &self.opened.folder
            && let Ok(meta) = std::fs::symlink_metadata(folder.join(key))
            && !meta.is_file()
        {
            return Ok(Own::Found(None, Err("it is not a file".into())));
        }
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
    /// [`crate::publish::paging`]), the record is read first and the whole listing
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
                self.step(crate::publish::Step::RecordRead);
            }
            if let (Ok(record), Some(tell)) = (&record, tell) {
                let _ = tell.send(record.clone());
            }
            record
        };
        let Some(pages) = &self.opened.pages else {
            let folder = self.opened.folder.clone();
            let listed = async move { folder.as_deref().map(list_folder).unwrap_or_default() };
            let (record, (listed, staged)) = futures::future::join(read_record, listed).await;
            self.step(crate::publish::Step::Listed);
            return Ok(Found { record: record?, listed, cut: None, staged });
        };
        let (record, found) = self.record_and_listing(pages, hints, cut_at, read_record, ahead).await?;
        let listed = self.listed(found);
        let cut = Some(self.cut.load(std::sync::atomic::Ordering::Relaxed)).filter(|&n| n > 0);
        self.step(crate::publish::Step::Listed);
        Ok(Found { record, listed, cut, staged: Vec::new() })
    }

    /// The record (as `read_record` reads it) and the whole listing of a
    /// destination whose listings come in pages (see [`Sender::read`]).
    async fn record_and_listing(
        &self,
        pages: &Arc<dyn object_store::list::PaginatedListStore>,
        hints: &[String],
        cut_at: Option<usize>,
        read_record: impl std::future::Future<Output = Result<RecordRead, PublishError>>,
        ahead: Option<futures::future::BoxFuture<'static, Option<Arc<Vec<String>>>>>,
    ) -> Result<(RecordRead, Vec<object_store::ObjectMeta>), PublishError> {
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
        let both = match cut_at.filter(|&n| n < PAGE) {
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
        Ok(both)
    }

    /// The objects `found` that are keys of a site, by key; and whether
    /// the listing gave ETags, noted (see `lists_etags`).
    fn listed(&self, found: Vec<object_store::ObjectMeta>) -> HashMap<String, Listed> {
        let mut listed = HashMap::new();
        let etags = if found.iter().any(|m| m.e_tag.is_some()) { 2 } else { 1 };
        self.lists_etags.store(etags, std::sync::atomic::Ordering::Relaxed);
        for meta in found {
            if let Some(key) = self.opened.key(meta.location.as_ref()).filter(|k| record::is_key(k)) {
                listed.insert(key.to_string(), Listed { size: meta.size, etag: meta.e_tag });
            }
        }
        listed
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
}

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

/// Every regular file under a folder destination, by key, with its size:
/// a walk that never follows a link (a link to a folder is not entered; a
/// link where a file is, listed as a link: it is someone else's, in the way
/// of the file of that name), skipping what cannot be a site file. And,
/// apart, the temporary files a write killed half way left (see
/// [`super::staged_key`]).
fn list_folder(root: &Path) -> (HashMap<String, Listed>, Vec<String>) {
    let (mut out, mut staged) = (HashMap::new(), Vec::new());
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let Some(name) = e.file_name().to_str().map(str::to_string) else { continue };
            let key = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push((e.path(), key)),
                Ok(t) if t.is_file() && super::staged_key(&key).is_some() => staged.push(key),
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
    staged.sort();
    (out, staged)
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
