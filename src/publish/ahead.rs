//! What goes up while the destination is still being listed: what the
//! site has that the destination's record does not, in the order of every
//! upload, once the keys new to the record are found free; the listing,
//! once in, checked against the record meanwhile (see [`upload_ahead`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::early::Asked;
use super::local::LocalSite;
use super::{Options, Plan, PublishError, Read, Step, digests, plan, reading_failed, record, store};

/// What a publish sent while the destination was still being listed (see
/// [`upload_ahead`]).
#[derive(Default)]
pub(super) struct Ahead {
    /// The record as written before: as read, every upload the publish is
    /// about to make pending.
    pub(super) pending: Option<Arc<record::Published>>,
    /// Each file sent, with its ETag and (a big file's) SHA-256.
    pub(super) sent: HashMap<String, (Option<String>, Option<String>)>,
    /// The record written after them, while the listing came (see
    /// [`super::Publishing::record_ahead`]).
    pub(super) recorded: Option<record::Published>,
    /// The plan as the record alone makes it (see [`plan::agrees`]): the
    /// plan, if the listing finds the destination as the record says.
    pub(super) plan: Option<Plan>,
    /// Whether the listing was found to agree with the record while the
    /// files went up, and `plan` given its ETags (see [`check_listing`]).
    pub(super) agreed: bool,
}

/// What [`check_listing`] is given once the files to send ahead are known:
/// the site's keys, and those of the files that go up.
pub(super) struct ToCheck {
    keys: Vec<String>,
    putting: Vec<String>,
}

/// The destination's listing, read by `task`; and once in, if `given` what
/// goes up ahead (see [`upload_ahead`]): whether it agrees with the record
/// as the plan made from the record alone needs (see [`plan::agrees`]), on a
/// blocking thread while the files go up, with the ETags that plan's record
/// then takes from it (`None`: it does not agree, or was not checked).
pub(super) async fn check_listing(
    task: tokio::task::JoinHandle<Result<Read, PublishError>>,
    given: futures::channel::oneshot::Receiver<ToCheck>,
) -> (Result<Read, PublishError>, Option<Vec<(String, String)>>) {
    let read = match task.await {
        Ok(Ok(read)) => read,
        Ok(Err(e)) => return (Err(e), None),
        Err(e) => return (Err(reading_failed(e)), None),
    };
    let Ok(ToCheck { keys, putting }) = given.await else { return (Ok(read), None) };
    let checked = tokio::task::spawn_blocking(move || {
        let mut read = read;
        let found = &mut read.found;
        let etags = found.record.0.as_ref().and_then(|record| {
            // The listing may have been made after a file sent ahead
            // landed: it is podsmith's (`Publishing::run` takes it so too).
            let listed = &mut found.listed;
            for key in &putting {
                match record.objects.get(key) {
                    Some(was) => listed.insert(key.clone(), plan::Listed { size: was.size, etag: was.etag.clone() }),
                    None => listed.remove(key),
                };
            }
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let putting = putting.iter().map(String::as_str).collect();
            plan::agrees(&keys, record, listed).then(|| plan::listed_etags(&keys, record, &putting, listed))
        });
        (read, etags)
    })
    .await;
    match checked {
        Ok((read, etags)) => (Ok(read), etags),
        Err(e) => (Err(reading_failed(e)), None),
    }
}

/// Caches the SHA-256 of the big files that went up `ahead`.
pub(super) fn remember_digests(digests: &mut digests::Digests, site: &LocalSite, ahead: &Ahead) {
    for (key, (_, sha)) in &ahead.sent {
        if let (Some(sha), Some(&stamp)) = (sha, site.stamps.get(key)) {
            digests.put(key, stamp, sha);
        }
    }
}

/// Uploads, while the destination is still being listed, what the site
/// has that the destination's `record` does not (so far as the record
/// tells: as if the destination were as it says), in the order of every
/// upload (media, pages, the per-format feeds, `feed.xml`), with a note of
/// every upload about to be made (see [`store::Sender::pending`]) written
/// first or alongside; only if no object is at any key of the site the
/// record does not know (a HEAD each: one there may be someone else's,
/// which the listing and the plan decide on, before anything is sent). The
/// feeds go too when the record has nothing pending (an unfinished
/// publish's files wait for the listing: they may be there already, or
/// not): every file they name is then up, as far as the record tells. What
/// the listing finds changed by hand goes up after them, and the feeds
/// again after that (see [`super::Publishing::send`]): `feed.xml` is always the
/// last upload.
pub(super) async fn upload_ahead(
    sender: &Arc<store::Sender>,
    site: &mut LocalSite,
    record: &record::Published,
    hosted: &std::collections::HashSet<String>,
    digests: &mut digests::Digests,
    opts: &Options,
    (asked, check): (Option<Asked>, futures::channel::oneshot::Sender<ToCheck>),
) -> Result<Ahead, PublishError> {
    // What the record does not know is asked about at once (while the plan
    // is made), if it was not as soon as the record was read; an object at
    // any such key (someone else's?) and nothing goes ahead: the listing and
    // the plan decide, and a publish they refuse sends nothing.
    let known = |k: &String| record.objects.contains_key(k) || record.pending.contains_key(k);
    let new: Vec<String> = site.files.iter().map(|f| &f.key).filter(|k| !known(k)).cloned().collect();
    if new.len() > AHEAD_NEW {
        return Ok(Ahead::default());
    }
    let asking = match asked {
        // (Asked of these very keys, or more.)
        Some(Asked { keys, taken }) if new.iter().all(|k| keys.contains(k)) => {
            let taken = taken.into_iter().filter(|k| new.contains(k)).collect();
            (!new.is_empty()).then(|| tokio::spawn(async move { taken }))
        }
        _ => (!new.is_empty()).then(|| {
            let sender = sender.clone();
            tokio::spawn(async move { sender.taken(new).await })
        }),
    };
    site.digests(Some(record), digests, opts.progress.as_ref())?;
    let none = std::collections::HashSet::new();
    let terms = plan::Terms { prune: opts.prune, force: opts.force, identical: &none, hosted };
    let plan = plan::make_with(&site.files, Some(record), &plan::as_recorded(record), terms);
    // What an unfinished publish was putting waits for the listing (it may
    // be there already), and the feeds with it.
    let early = |p: &&plan::Put| match p.file.phase {
        plan::Phase::Media | plan::Phase::Page => !record.pending.contains_key(&p.file.key),
        plan::Phase::Feed | plan::Phase::MainFeed => record.pending.is_empty(),
    };
    let puts: Vec<plan::Put> = plan.puts.iter().filter(early).cloned().collect();
    if puts.is_empty() {
        return Ok(Ahead { plan: Some(plan), ..Ahead::default() });
    }
    // The note of every upload about to be made is encoded while the new
    // keys are asked about (unused if one is taken).
    let mut pending = record.clone();
    pending.pending.extend(plan.puts.iter().map(|p| (p.file.key.clone(), p.file.entry.clone())));
    let pending = Arc::new(pending);
    let encoding = sender.pending(pending.clone());
    let taken = match asking {
        Some(asking) => {
            let taken = asking.await.unwrap_or_else(|_| vec![String::new()]);
            sender.step(Step::Asked);
            taken
        }
        None => Vec::new(),
    };
    if !taken.is_empty() {
        return Ok(Ahead { plan: Some(plan), ..Ahead::default() });
    }
    // The listing, once in, is checked against the record while they go
    // up (only a record with nothing pending can agree with it: every put
    // of the plan then goes now).
    if record.pending.is_empty() {
        let keys = site.files.iter().map(|f| f.key.clone()).collect();
        let _ = check.send(ToCheck { keys, putting: puts.iter().map(|p| p.file.key.clone()).collect() });
    }
    // The record as it will be once these are up, if the listing finds the
    // destination as the record says (as `Publishing::record_ahead` writes
    // it): beside `feed.xml` where it can go (see `store::Sender::send_phases`).
    let closing = (record.pending.is_empty() && plan.deletes.is_empty()).then(|| store::closing(&plan.record));
    let (sent, recorded) = sender.early(&puts, encoding, &site.root, closing).await?;
    Ok(Ahead { pending: Some(pending), sent, recorded, plan: Some(plan), agreed: false })
}

/// The most new files a publish sends ahead of the listing (each is asked
/// about first): more, and the listing tells them all at once.
pub(super) const AHEAD_NEW: usize = 64;
