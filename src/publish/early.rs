//! What a publish does while the build runs: as soon as the manifest's
//! text is read, a bucket destination is opened and its record and listing
//! read; as soon as the last build's keys and the record are known, the
//! keys the record does not know are asked about (see [`Early`]).

use std::sync::Arc;

use super::ahead::AHEAD_NEW;
use super::{
    Destination, Options, PublishError, Read, Step, destination, jobs, open, paging, paging_key, record, store,
};

/// What a publish does while the build runs: as soon as the manifest's
/// text is read, a bucket destination is opened (as a glance at its
/// `[publish]` table and the command line tell), and its record read and
/// listed; once the manifest is parsed, that is kept if the table is as
/// glanced, else started again; and what the build recorded of the site.
pub(super) struct Early<'a> {
    pub(super) opts: &'a Options,
    pub(super) runtime: &'a tokio::runtime::Runtime,
    /// The destination being read.
    pub(super) reading: Option<Reading>,
    /// The site as the build recorded it.
    pub(super) outputs: Option<std::collections::BTreeMap<String, crate::site::record::Written>>,
    /// The keys of the show's hosted media that are in the site's place.
    pub(super) hosted: std::collections::HashSet<String>,
    /// The keys of the site as the last build left it, once its record is
    /// read (`None`: there is none), as the build starts.
    pub(super) last: Option<LastKeys>,
}

/// The keys of the site as the last build left it (see [`Early::last`]).
type LastKeys = futures::future::Shared<futures::channel::oneshot::Receiver<Option<Arc<Vec<String>>>>>;

/// A destination being read, with the `[publish]` table it was opened by.
pub(super) struct Reading {
    pub(super) dest: Destination,
    pub(super) settings: crate::manifest::PublishSettings,
    pub(super) task: tokio::task::JoinHandle<Result<Read, PublishError>>,
    /// What sends there (the task's own).
    pub(super) sender: Arc<store::Sender>,
    /// Its record, as soon as it is read (the listing goes on); or, once
    /// the build has said the site's files, the asking about those the
    /// record does not know, which takes it (see [`crate::site::Observer::recorded`]).
    pub(super) told: Told,
}

/// The destination's record, as soon as it is read; and, once the build
/// has said the site's files, what was asked about those it does not know.
pub(super) enum Told {
    Record(futures::channel::oneshot::Receiver<store::RecordRead>),
    Asking(tokio::task::JoinHandle<(Option<store::RecordRead>, Option<Asked>)>),
}

impl Told {
    /// The record as read (`None`: it could not be), and what was asked.
    pub(super) async fn get(self) -> (Option<store::RecordRead>, Option<Asked>) {
        match self {
            Told::Record(told) => (told.await.ok(), None),
            Told::Asking(asking) => asking.await.unwrap_or((None, None)),
        }
    }
}

/// The keys of the site's files the destination's record did not know,
/// asked about (a HEAD each) as soon as both were known (see
/// [`upload_ahead`](super::ahead::upload_ahead)): those where an object is (or where it could not be
/// told).
pub(super) struct Asked {
    pub(super) keys: std::collections::HashSet<String>,
    pub(super) taken: Vec<String>,
}

impl Early<'_> {
    /// Starts reading the destination `settings` and the command line name
    /// (a bucket: a folder is read when it is planned), its listing split
    /// by `hints` and the keys its record names.
    fn start(&mut self, settings: &crate::manifest::PublishSettings, hints: Vec<String>) {
        let Some(Ok(dest @ Destination::S3 { .. })) =
            self.opts.to.as_ref().or(settings.to.as_ref()).map(|to| Destination::parse(to))
        else {
            return;
        };
        let access = destination::Access { endpoint: self.opts.endpoint.clone(), settings: settings.clone() };
        // Not opened (the settings are wrong): the publish says why later.
        let Ok(sender) = open(&dest, access, jobs(self.opts, settings), self.opts).map(Arc::new) else { return };
        let show_root = crate::manifest::root_of(&self.opts.build.manifest);
        let cut_at = paging::Paging::load(&show_root).cut_at(&paging_key(&dest, self.opts, settings));
        let (tell, told) = futures::channel::oneshot::channel();
        let reading = sender.clone();
        let last = self.last.clone().map(|last| futures::FutureExt::boxed(async move { last.await.ok().flatten() }));
        let task = self.runtime.spawn(async move {
            Ok(Read { found: reading.read(&hints, cut_at, Some(tell), last).await?, sender: reading })
        });
        // The site's keys as the last build left them are asked about as
        // soon as they and the record are in (while the manifest is parsed:
        // a publish after a build finds them as the build will leave them).
        let told = match self.last.clone() {
            Some(last) if !self.opts.dry_run => {
                let keys = async move { last.await.ok().flatten() };
                Told::Asking(self.runtime.spawn(ask(sender.clone(), told, keys)))
            }
            _ => Told::Record(told),
        };
        self.reading = Some(Reading { dest, settings: settings.clone(), task, sender, told });
    }
}

/// Asks about the site's `keys` the destination's record (`told`) does not
/// know, once both are in (a HEAD each: see [`upload_ahead`](super::ahead::upload_ahead)); none if
/// there is no record or no keys, or too many are new. Where this
/// computer's copy of the record is parsed before the destination answers
/// whether it still holds it, the keys the copy does not know are asked
/// about meanwhile: a round trip less before anything goes up. (Only
/// asked: [`upload_ahead`](super::ahead::upload_ahead) goes by the record the destination holds, and
/// asks again about any key new to it that was not asked about.)
async fn ask(
    sender: Arc<store::Sender>,
    told: futures::channel::oneshot::Receiver<store::RecordRead>,
    keys: impl std::future::Future<Output = Option<Arc<Vec<String>>>>,
) -> (Option<store::RecordRead>, Option<Asked>) {
    use futures::future::{Either, ready};
    let copied = Box::pin(sender.copied());
    let Some(keys) = keys.await else { return (told.await.ok(), None) };
    // The record to decide by: the copy's if it is parsed first, else the
    // destination's (then given again at once below).
    let read = match futures::future::select(told, copied).await {
        Either::Right((Some(copy), told)) => return ask_new(&sender, &keys, &copy, told).await,
        Either::Right((None, told)) => told.await,
        Either::Left((read, _)) => read,
    };
    let Ok(read) = read else { return (None, None) };
    let Some(record) = read.0.clone() else { return (Some(read), None) };
    ask_new(&sender, &keys, &record, ready(Ok::<_, futures::channel::oneshot::Canceled>(read))).await
}

/// Asks about the `keys` `record` does not know while the destination's
/// record comes (`told`); as [`ask`] returns.
async fn ask_new(
    sender: &store::Sender,
    keys: &[String],
    record: &record::Published,
    told: impl std::future::Future<Output = Result<store::RecordRead, futures::channel::oneshot::Canceled>>,
) -> (Option<store::RecordRead>, Option<Asked>) {
    let known = |k: &String| record.objects.contains_key(k) || record.pending.contains_key(k);
    let new: Vec<String> = keys.iter().filter(|k| !known(k)).cloned().collect();
    let asking = async {
        match new.is_empty() || new.len() > AHEAD_NEW {
            true => Vec::new(),
            false => sender.taken(new.clone()).await,
        }
    };
    let (read, taken) = futures::future::join(told, asking).await;
    let Ok(read) = read else { return (None, None) };
    if new.len() > AHEAD_NEW || read.0.is_none() {
        return (Some(read), None);
    }
    (Some(read), Some(Asked { keys: new.into_iter().collect(), taken }))
}

impl crate::site::Observer for Early<'_> {
    /// The destination is read meanwhile: the other core is not idle.
    fn reads_ahead(&self) -> bool {
        false
    }

    fn read(&mut self, text: &str) {
        if let Some(settings) = crate::manifest::publish_glance(text) {
            self.start(&settings, Vec::new());
        }
    }

    fn parsed(&mut self, show: &crate::manifest::Show) {
        self.hosted = show.episodes.iter().flat_map(|e| &e.media).filter_map(|m| m.hosted()?.in_site.clone()).collect();
        match self.reading.take() {
            Some(r) if r.settings == show.publish => self.reading = Some(r),
            other => {
                if let Some(r) = other {
                    // (And the questions asked there, if already under way.)
                    r.task.abort();
                    if let Told::Asking(asking) = &r.told {
                        asking.abort();
                    }
                }
                self.start(&show.publish, site_keys(show));
            }
        }
    }

    /// The site's files are known: those the destination's record does
    /// not know are asked about as soon as it is read (see [`upload_ahead`](super::ahead::upload_ahead)),
    /// while the build ends and the site is taken from it.
    fn recorded(&mut self, site: &crate::site::record::SiteRecord) {
        self.outputs = Some(site.outputs.clone());
        let (dest, settings, task, sender, told) = match self.reading.take() {
            Some(Reading { dest, settings, task, sender, told: Told::Record(told) }) if !self.opts.dry_run => {
                (dest, settings, task, sender, told)
            }
            other => {
                self.reading = other;
                return;
            }
        };
        let keys: Vec<String> = site.outputs.keys().filter(|k| record::is_key(k)).cloned().collect();
        let keys = async move { Some(Arc::new(keys)) };
        let told = Told::Asking(self.runtime.spawn(ask(sender.clone(), told, keys)));
        self.reading = Some(Reading { dest, settings, task, sender, told });
    }

    fn told_records(&mut self) -> Option<crate::site::RecordsTold> {
        let (tell, last) = futures::channel::oneshot::channel();
        self.last = Some(futures::FutureExt::shared(last));
        Some(Box::new(move |site: Option<&crate::site::record::SiteRecord>| {
            let keys = site.map(|s| Arc::new(s.outputs.keys().filter(|k| record::is_key(k)).cloned().collect()));
            let _ = tell.send(keys);
        }))
    }

    fn step(&mut self, done: crate::site::Step) {
        if let Some(tell) = &self.opts.timeline {
            tell(Step::Build(done));
        }
    }
}

/// The keys the site of `show` will have, as far as its manifest tells
/// (media, images, pages; sorted): where to split the listing.
fn site_keys(show: &crate::manifest::Show) -> Vec<String> {
    use crate::manifest::Asset;
    let mut keys = Vec::with_capacity(3 * show.episodes.len() + 4);
    if let Asset::Local(f) = &show.podcast.image {
        keys.push(f.rel.clone());
    }
    for e in &show.episodes {
        keys.extend(e.media.iter().filter_map(|m| m.local()).map(|f| f.rel.clone()));
        if let Some(Asset::Local(f)) = &e.image {
            keys.push(f.rel.clone());
        }
        keys.push(format!("episodes/{}/index.html", e.slug));
    }
    keys.sort();
    keys.dedup();
    keys
}
