//! The built-in pages' own words ("Listen to MP3 (15:10)", "Chapters", a
//! date, a file's size) in the show's language: English, German, French,
//! Spanish, Italian, Portuguese (Brazil's, and Portugal's for `pt-PT`),
//! Dutch, Swedish, Danish and Norwegian (Bokmål), or as the show gives
//! them (`[podcast.words]`: some of them, or all for another language). A
//! show in another language that gives none gets the English words, and
//! the pages mark them `lang="en"`.
//!
//! Templates read them as `show.words` (see the README's "Templates"); a
//! phrase with a blank, such as `"Listen to {format} ({duration})"`, is
//! filled with the `fill` filter, in one pass (a title holding `{format}`
//! stays as it is).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset};
use serde::Serialize;

/// One language's words.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Words<'a> {
    /// Their language (`"en"`, `"de"`…).
    pub lang: &'a str,
    /// Other first parts of a tag that take them (`"no"` for `"nb"`).
    #[serde(skip)]
    aliases: &'static [&'static str],
    /// "by" (the show's author, on the index).
    pub by: &'a str,
    /// "With" (the guests, opening a paragraph).
    pub with_cap: &'a str,
    /// "with" (the guests, after the date and length).
    pub with: &'a str,
    /// "Latest episode".
    pub latest_episode: &'a str,
    /// "Start here" (a serial show's first episode, on the index).
    pub start_here: &'a str,
    /// "More episodes" (the list after the latest episode, or after a
    /// serial show's first, on the index).
    pub more_episodes: &'a str,
    /// "Previous episode" (an episode page's link to the one before it,
    /// as the story runs: the one published before, or a serial show's
    /// one before in its season).
    pub previous_episode: &'a str,
    /// "Next episode" (its link to the one after it).
    pub next_episode: &'a str,
    /// "No episodes yet."
    pub no_episodes: &'a str,
    /// "Subscribe" (the label of the feeds' list).
    pub subscribe: &'a str,
    /// "Subscribe:" (its heading, as the language punctuates it).
    pub subscribe_label: &'a str,
    /// "Add the feed's address to a podcast app:" (before the feeds'
    /// addresses, on the index).
    pub feed_address: &'a str,
    /// "Archive" (before the years, and a year's heading).
    pub archive: &'a str,
    /// "Skip the transcript" (a link past a timed transcript).
    pub skip_transcript: &'a str,
    /// "Chapters".
    pub chapters: &'a str,
    /// "Transcript".
    pub transcript: &'a str,
    /// "Episode" (before its number).
    pub episode: &'a str,
    /// "Season" (before its number).
    pub season: &'a str,
    /// A trailer, as `episode_type` says ("Trailer").
    pub trailer: &'a str,
    /// A bonus episode ("Bonus").
    pub bonus: &'a str,
    /// "Listen to {format} ({duration})".
    pub listen: &'a str,
    /// "Download {format}".
    pub download: &'a str,
    /// "Play {title}" (a player's label).
    pub play: &'a str,
    /// "Play from {time}" (a chapter's or a cue's link).
    pub play_from: &'a str,
    /// "Cover art of {show}".
    pub cover_art: &'a str,
    /// "Artwork for {episode}".
    pub artwork: &'a str,
    /// "{day} {month} {year}": how a date is written.
    pub date: &'a str,
    /// What the first of a month is written as, where not "1" ("1er").
    pub first_day: Option<&'a str>,
    /// The months, January first, as a date names them.
    pub months: [&'a str; 12],
    /// Whether a size is written "12,3 MB".
    pub decimal_comma: bool,
}

const ENGLISH: Words<'static> = Words {
    lang: "en",
    aliases: &[],
    by: "by",
    with_cap: "With",
    with: "with",
    latest_episode: "Latest episode",
    start_here: "Start here",
    more_episodes: "More episodes",
    previous_episode: "Previous episode",
    next_episode: "Next episode",
    no_episodes: "No episodes yet.",
    subscribe: "Subscribe",
    subscribe_label: "Subscribe:",
    feed_address: "Add the feed’s address to a podcast app:",
    archive: "Archive",
    skip_transcript: "Skip the transcript",
    chapters: "Chapters",
    transcript: "Transcript",
    episode: "Episode",
    season: "Season",
    trailer: "Trailer",
    bonus: "Bonus",
    listen: "Listen to {format} ({duration})",
    download: "Download {format}",
    play: "Play {title}",
    play_from: "Play from {time}",
    cover_art: "Cover art of {show}",
    artwork: "Artwork for {episode}",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    date: "{day} {month} {year}",
    first_day: None,
    decimal_comma: false,
};

const GERMAN: Words<'static> = Words {
    lang: "de",
    aliases: &[],
    by: "von",
    with_cap: "Mit",
    with: "mit",
    latest_episode: "Neueste Folge",
    start_here: "Hier beginnen",
    more_episodes: "Weitere Folgen",
    previous_episode: "Vorherige Folge",
    next_episode: "Nächste Folge",
    no_episodes: "Noch keine Folgen.",
    subscribe: "Abonnieren",
    subscribe_label: "Abonnieren:",
    feed_address: "Die Adresse des Feeds in einer Podcast-App hinzufügen:",
    archive: "Archiv",
    skip_transcript: "Transkript überspringen",
    chapters: "Kapitel",
    transcript: "Transkript",
    episode: "Folge",
    season: "Staffel",
    trailer: "Trailer",
    bonus: "Bonus",
    listen: "{format} anhören ({duration})",
    download: "{format} herunterladen",
    play: "{title} abspielen",
    play_from: "Ab {time} abspielen",
    cover_art: "Cover von {show}",
    artwork: "Bild zu {episode}",
    months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    date: "{day}. {month} {year}",
    first_day: None,
    decimal_comma: true,
};

const FRENCH: Words<'static> = Words {
    lang: "fr",
    aliases: &[],
    by: "par",
    with_cap: "Avec",
    with: "avec",
    latest_episode: "Dernier épisode",
    start_here: "Commencez ici",
    more_episodes: "Autres épisodes",
    previous_episode: "Épisode précédent",
    next_episode: "Épisode suivant",
    no_episodes: "Pas encore d’épisode.",
    subscribe: "S’abonner",
    // French puts a (no-break) space before a colon.
    subscribe_label: "S’abonner\u{a0}:",
    feed_address: "Ajoutez l’adresse du flux dans une application de podcasts\u{a0}:",
    archive: "Archives",
    skip_transcript: "Passer la transcription",
    chapters: "Chapitres",
    transcript: "Transcription",
    episode: "Épisode",
    season: "Saison",
    trailer: "Bande-annonce",
    bonus: "Bonus",
    listen: "Écouter en {format} ({duration})",
    download: "Télécharger en {format}",
    play: "Écouter {title}",
    play_from: "Écouter à partir de {time}",
    cover_art: "Pochette de {show}",
    artwork: "Illustration de {episode}",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    date: "{day} {month} {year}",
    first_day: Some("1er"),
    decimal_comma: true,
};

const SPANISH: Words<'static> = Words {
    lang: "es",
    aliases: &[],
    by: "por",
    with_cap: "Con",
    with: "con",
    latest_episode: "Último episodio",
    start_here: "Empieza aquí",
    more_episodes: "Más episodios",
    previous_episode: "Episodio anterior",
    next_episode: "Episodio siguiente",
    no_episodes: "Todavía no hay episodios.",
    subscribe: "Suscribirse",
    subscribe_label: "Suscribirse:",
    feed_address: "Añade la dirección del feed en una aplicación de pódcasts:",
    archive: "Archivo",
    skip_transcript: "Saltar la transcripción",
    chapters: "Capítulos",
    transcript: "Transcripción",
    episode: "Episodio",
    season: "Temporada",
    trailer: "Tráiler",
    bonus: "Extra",
    listen: "Escuchar en {format} ({duration})",
    download: "Descargar {format}",
    play: "Reproducir {title}",
    play_from: "Reproducir desde {time}",
    cover_art: "Portada de {show}",
    artwork: "Imagen de {episode}",
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    date: "{day} de {month} de {year}",
    first_day: None,
    decimal_comma: true,
};

const ITALIAN: Words<'static> = Words {
    lang: "it",
    aliases: &[],
    by: "di",
    with_cap: "Con",
    with: "con",
    latest_episode: "Ultimo episodio",
    start_here: "Inizia da qui",
    more_episodes: "Altri episodi",
    previous_episode: "Episodio precedente",
    next_episode: "Episodio successivo",
    no_episodes: "Ancora nessun episodio.",
    subscribe: "Iscriviti",
    subscribe_label: "Iscriviti:",
    feed_address: "Aggiungi l’indirizzo del feed in un’app per podcast:",
    archive: "Archivio",
    skip_transcript: "Salta la trascrizione",
    chapters: "Capitoli",
    transcript: "Trascrizione",
    episode: "Episodio",
    season: "Stagione",
    trailer: "Trailer",
    bonus: "Extra",
    listen: "Ascolta in {format} ({duration})",
    download: "Scarica {format}",
    play: "Riproduci {title}",
    play_from: "Riproduci da {time}",
    cover_art: "Copertina di {show}",
    artwork: "Immagine di {episode}",
    months: [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    date: "{day} {month} {year}",
    first_day: None,
    decimal_comma: true,
};

const PORTUGUESE: Words<'static> = Words {
    lang: "pt",
    aliases: &[],
    by: "por",
    with_cap: "Com",
    with: "com",
    latest_episode: "Último episódio",
    start_here: "Comece por aqui",
    more_episodes: "Mais episódios",
    previous_episode: "Episódio anterior",
    next_episode: "Próximo episódio",
    no_episodes: "Ainda não há episódios.",
    subscribe: "Assinar",
    subscribe_label: "Assinar:",
    feed_address: "Adicione o endereço do feed em um app de podcasts:",
    archive: "Arquivo",
    skip_transcript: "Pular a transcrição",
    chapters: "Capítulos",
    transcript: "Transcrição",
    episode: "Episódio",
    season: "Temporada",
    trailer: "Trailer",
    bonus: "Extra",
    listen: "Ouvir em {format} ({duration})",
    download: "Baixar {format}",
    play: "Reproduzir {title}",
    play_from: "Reproduzir a partir de {time}",
    cover_art: "Capa de {show}",
    artwork: "Imagem de {episode}",
    months: [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
    date: "{day} de {month} de {year}",
    first_day: None,
    decimal_comma: true,
};

/// Portuguese as Portugal writes it (`pt-PT`; Brazil's is the `pt` above).
const PORTUGUESE_PT: Words<'static> = Words {
    lang: "pt-PT",
    subscribe: "Subscrever",
    subscribe_label: "Subscrever:",
    feed_address: "Adicione o endereço do feed numa aplicação de podcasts:",
    skip_transcript: "Saltar a transcrição",
    download: "Transferir {format}",
    ..PORTUGUESE
};

const DUTCH: Words<'static> = Words {
    lang: "nl",
    aliases: &[],
    by: "door",
    with_cap: "Met",
    with: "met",
    latest_episode: "Nieuwste aflevering",
    start_here: "Begin hier",
    more_episodes: "Meer afleveringen",
    previous_episode: "Vorige aflevering",
    next_episode: "Volgende aflevering",
    no_episodes: "Nog geen afleveringen.",
    subscribe: "Abonneren",
    subscribe_label: "Abonneren:",
    feed_address: "Voeg het adres van de feed toe in een podcast-app:",
    archive: "Archief",
    skip_transcript: "Transcript overslaan",
    chapters: "Hoofdstukken",
    transcript: "Transcript",
    episode: "Aflevering",
    season: "Seizoen",
    trailer: "Trailer",
    bonus: "Bonus",
    listen: "{format} beluisteren ({duration})",
    download: "{format} downloaden",
    play: "{title} afspelen",
    play_from: "Afspelen vanaf {time}",
    cover_art: "Cover van {show}",
    artwork: "Afbeelding bij {episode}",
    months: [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    date: "{day} {month} {year}",
    first_day: None,
    decimal_comma: true,
};

const SWEDISH: Words<'static> = Words {
    lang: "sv",
    aliases: &[],
    by: "av",
    with_cap: "Med",
    with: "med",
    latest_episode: "Senaste avsnittet",
    start_here: "Börja här",
    more_episodes: "Fler avsnitt",
    previous_episode: "Föregående avsnitt",
    next_episode: "Nästa avsnitt",
    no_episodes: "Inga avsnitt än.",
    subscribe: "Prenumerera",
    subscribe_label: "Prenumerera:",
    feed_address: "Lägg till flödets adress i en poddapp:",
    archive: "Arkiv",
    skip_transcript: "Hoppa över transkriptionen",
    chapters: "Kapitel",
    transcript: "Transkription",
    episode: "Avsnitt",
    season: "Säsong",
    trailer: "Trailer",
    bonus: "Bonus",
    listen: "Lyssna ({format}, {duration})",
    download: "Ladda ner {format}",
    play: "Spela {title}",
    play_from: "Spela från {time}",
    cover_art: "Omslagsbild för {show}",
    artwork: "Bild till {episode}",
    months: [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    date: "{day} {month} {year}",
    first_day: None,
    decimal_comma: true,
};

const DANISH: Words<'static> = Words {
    lang: "da",
    aliases: &[],
    by: "af",
    with_cap: "Med",
    with: "med",
    latest_episode: "Seneste afsnit",
    start_here: "Start her",
    more_episodes: "Flere afsnit",
    previous_episode: "Forrige afsnit",
    next_episode: "Næste afsnit",
    no_episodes: "Ingen afsnit endnu.",
    subscribe: "Abonnér",
    subscribe_label: "Abonnér:",
    feed_address: "Tilføj feedets adresse i en podcast-app:",
    archive: "Arkiv",
    skip_transcript: "Spring transskriptionen over",
    chapters: "Kapitler",
    transcript: "Transskription",
    episode: "Afsnit",
    season: "Sæson",
    trailer: "Trailer",
    bonus: "Bonus",
    listen: "Lyt ({format}, {duration})",
    download: "Hent {format}",
    play: "Afspil {title}",
    play_from: "Afspil fra {time}",
    cover_art: "Omslag til {show}",
    artwork: "Billede til {episode}",
    months: [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ],
    date: "{day}. {month} {year}",
    first_day: None,
    decimal_comma: true,
};

/// Norwegian Bokmål (`nb`, and `no`, which most shows in it give).
const NORWEGIAN: Words<'static> = Words {
    lang: "nb",
    aliases: &["no"],
    by: "av",
    with_cap: "Med",
    with: "med",
    latest_episode: "Siste episode",
    start_here: "Start her",
    more_episodes: "Flere episoder",
    previous_episode: "Forrige episode",
    next_episode: "Neste episode",
    no_episodes: "Ingen episoder ennå.",
    subscribe: "Abonner",
    subscribe_label: "Abonner:",
    feed_address: "Legg til feedens adresse i en podkast-app:",
    archive: "Arkiv",
    skip_transcript: "Hopp over transkripsjonen",
    chapters: "Kapitler",
    transcript: "Transkripsjon",
    episode: "Episode",
    season: "Sesong",
    trailer: "Trailer",
    bonus: "Bonus",
    listen: "Lytt ({format}, {duration})",
    download: "Last ned {format}",
    play: "Spill av {title}",
    play_from: "Spill av fra {time}",
    cover_art: "Omslag for {show}",
    artwork: "Bilde til {episode}",
    months: [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ],
    date: "{day}. {month} {year}",
    first_day: None,
    decimal_comma: true,
};

/// Every language the pages speak, English first.
/// A regional variant (`pt-PT`) comes before its language's other words.
pub const LANGUAGES: [&Words<'static>; 11] = [
    &ENGLISH,
    &GERMAN,
    &FRENCH,
    &SPANISH,
    &ITALIAN,
    &PORTUGUESE_PT,
    &PORTUGUESE,
    &DUTCH,
    &SWEDISH,
    &DANISH,
    &NORWEGIAN,
];

impl<'a> Words<'a> {
    /// The words for a show in `language` (a BCP 47 tag as the manifest
    /// has it: `"de"`, `"pt-BR"`), by its first part; English for a
    /// language the pages do not speak.
    pub fn for_language(language: &str) -> &'static Words<'static> {
        LANGUAGES.into_iter().find(|w| w.speaks(language)).unwrap_or(&ENGLISH)
    }

    /// Whether the pages have words of their own in `language` (without
    /// any the show gives).
    pub fn built_in(language: &str) -> bool {
        !Words::for_language(language).foreign_to(language)
    }

    /// The words of a show in `language` that gives `given` (its
    /// `[podcast.words]`): each word given in place of the built-in one.
    /// Given whole, they are in the show's language whatever it is.
    pub fn of_show(language: &'a str, given: Option<&'a GivenWords>) -> Words<'a> {
        let mut words = *Words::for_language(language);
        let Some(given) = given else { return words };
        for (name, word) in &given.words {
            words.set(name, word);
        }
        if let Some(months) = &given.months {
            for (m, given) in words.months.iter_mut().zip(months) {
                *m = given;
            }
        }
        if let Some(comma) = given.decimal_comma {
            words.decimal_comma = comma;
        }
        if words.foreign_to(language) && given.is_whole() {
            (words.lang, words.aliases, words.first_day) = (language, &[], None);
        }
        words
    }

    /// Word `name` (of [`GIVEN`]) set to `word`; false for a name it has not.
    fn set(&mut self, name: &str, word: &'a str) -> bool {
        if name == "date" {
            self.first_day = None;
        }
        self.named().into_iter().find(|(n, _)| *n == name).map(|(_, field)| *field = word).is_some()
    }

    /// Word `name` (of [`GIVEN`]).
    pub fn word(&self, name: &str) -> Option<&'a str> {
        let mut words = *self;
        words.named().into_iter().find(|(n, _)| *n == name).map(|(_, field)| *field)
    }

    /// Every word a show may give, by its name in [`GIVEN`], in its order.
    fn named(&mut self) -> [(&'static str, &mut &'a str); 27] {
        [
            ("by", &mut self.by),
            ("with", &mut self.with),
            ("with_cap", &mut self.with_cap),
            ("latest_episode", &mut self.latest_episode),
            ("start_here", &mut self.start_here),
            ("more_episodes", &mut self.more_episodes),
            ("previous_episode", &mut self.previous_episode),
            ("next_episode", &mut self.next_episode),
            ("no_episodes", &mut self.no_episodes),
            ("subscribe", &mut self.subscribe),
            ("subscribe_label", &mut self.subscribe_label),
            ("feed_address", &mut self.feed_address),
            ("archive", &mut self.archive),
            ("skip_transcript", &mut self.skip_transcript),
            ("chapters", &mut self.chapters),
            ("transcript", &mut self.transcript),
            ("episode", &mut self.episode),
            ("season", &mut self.season),
            ("trailer", &mut self.trailer),
            ("bonus", &mut self.bonus),
            ("listen", &mut self.listen),
            ("download", &mut self.download),
            ("play", &mut self.play),
            ("play_from", &mut self.play_from),
            ("cover_art", &mut self.cover_art),
            ("artwork", &mut self.artwork),
            ("date", &mut self.date),
        ]
    }

    /// Whether these words are in another language than a show in
    /// `language` (English words on a page in Japanese): the pages mark
    /// them `lang="en"`.
    pub fn foreign_to(&self, language: &str) -> bool {
        !self.speaks(language)
    }

    /// Whether these are the words of a show in `language`.
    /// (Words of a region, `pt-PT`, are those of a tag of that language
    /// and region only.)
    fn speaks(&self, language: &str) -> bool {
        let mut parts = language.split(['-', '_']);
        let primary = parts.next().unwrap_or_default();
        // The region: two letters or three digits, after an optional script.
        let region = parts.find(|p| p.len() != 4);
        std::iter::once(self.lang).chain(self.aliases.iter().copied()).any(|l| match l.split_once('-') {
            Some((lang, r)) => lang.eq_ignore_ascii_case(primary) && region.is_some_and(|g| g.eq_ignore_ascii_case(r)),
            None => l.eq_ignore_ascii_case(primary),
        })
    }

    /// A day as a reader of the language writes it: "12 April 2017",
    /// "12. April 2017", "1er avril 2017", "12 de abril de 2017".
    pub fn date(&self, date: &DateTime<FixedOffset>) -> String {
        let (day, year) = (date.day().to_string(), date.year().to_string());
        let day = match self.first_day {
            Some(first) if date.day() == 1 => first,
            _ => &day,
        };
        let month = self.months[date.month0() as usize];
        fill(self.date, |blank| match blank {
            "day" => Some(day),
            "month" => Some(month),
            "year" => Some(&year),
            _ => None,
        })
    }

    /// A file's size as a download page gives it: "910 KB", "12.3 MB"
    /// ("12,3 MB" where the language writes a decimal comma; "12,3 Mo" in
    /// French, which counts octets).
    pub fn size(&self, bytes: u64) -> String {
        let (kb, mb) = match self.lang {
            "fr" => ("Ko", "Mo"),
            _ => ("KB", "MB"),
        };
        match bytes {
            1_000_000.. => {
                let n = format!("{:.1}", bytes as f64 / 1e6);
                let n = if self.decimal_comma { n.replace('.', ",") } else { n };
                format!("{n} {mb}")
            }
            // Rounded, as the megabytes are; never "0 KB".
            _ => format!("{} {kb}", bytes.div_ceil(1000).min(bytes.saturating_add(500) / 1000).max(1)),
        }
    }
}

/// The words a number follows ("Episode 3"), which may hold its place
/// instead, as the blank `{n}` ("第{n}話"): see [`numbered`].
pub const NUMBERED: &[&str] = &["episode", "season"];

/// Word `word` (of [`NUMBERED`]) with the number `n`: in its blank `{n}`,
/// or after it, a space between.
pub fn numbered(word: &str, n: &str) -> String {
    match word.contains("{n}") {
        true => fill(word, |b| (b == "n").then_some(n)),
        false => format!("{word} {n}"),
    }
}

/// The words a show may give in `[podcast.words]`, each with the blanks
/// its phrase must have (no more, no fewer).
pub const GIVEN: &[(&str, &[&str])] = &[
    ("by", &[]),
    ("with", &[]),
    ("with_cap", &[]),
    ("latest_episode", &[]),
    ("start_here", &[]),
    ("more_episodes", &[]),
    ("previous_episode", &[]),
    ("next_episode", &[]),
    ("no_episodes", &[]),
    ("subscribe", &[]),
    ("subscribe_label", &[]),
    ("feed_address", &[]),
    ("archive", &[]),
    ("skip_transcript", &[]),
    ("chapters", &[]),
    ("transcript", &[]),
    ("episode", &[]),
    ("season", &[]),
    ("trailer", &[]),
    ("bonus", &[]),
    ("listen", &["format", "duration"]),
    ("download", &["format"]),
    ("play", &["title"]),
    ("play_from", &["time"]),
    ("cover_art", &["show"]),
    ("artwork", &["episode"]),
    ("date", &["day", "month", "year"]),
];

/// `[podcast.words]` as the manifest gives it (checked there: each name
/// one of [`GIVEN`] with its blanks, twelve months).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GivenWords {
    /// Each word given, by its name in [`GIVEN`].
    pub words: BTreeMap<String, String>,
    /// The months, January first, as a date names them.
    pub months: Option<Vec<String>>,
    /// Whether a size is written "12,3 MB".
    pub decimal_comma: Option<bool>,
}

impl GivenWords {
    /// Whether every word is given (and the months): the pages' words are
    /// then all the show's own.
    pub fn is_whole(&self) -> bool {
        let needed = GIVEN.iter().filter(|(name, _)| !LATER.contains(name));
        self.months.is_some() && needed.clone().all(|(name, _)| self.words.contains_key(*name))
    }

    /// The words of [`LATER`] a whole table of a show in `language` does
    /// not give: they stay in English (marked so on the pages). None where
    /// the pages speak the language: those are the language's own words.
    pub fn english(&self, language: &str) -> Vec<&'static str> {
        match self.is_whole() && !Words::built_in(language) {
            true => LATER.iter().copied().filter(|name| !self.words.contains_key(*name)).collect(),
            false => Vec::new(),
        }
    }
}

/// Words the pages took up after shows had given all the others
/// (`start_here`, `feed_address`, `archive`, `skip_transcript`,
/// `more_episodes`, `previous_episode`, `next_episode`), or that
/// the built-in pages no longer use (`play`: a player is named by its
/// episode's title): a show's whole table of words need not give them,
/// and stays whole without them.
pub const LATER: &[&str] = &[
    "start_here",
    "feed_address",
    "archive",
    "skip_transcript",
    "more_episodes",
    "previous_episode",
    "next_episode",
    "play",
];

/// The blanks of `phrase` (`["format", "duration"]`), in order.
pub fn blanks(phrase: &str) -> Vec<&str> {
    phrase.split('{').skip(1).filter_map(|s| s.split_once('}')).map(|(name, _)| name).collect()
}

/// `phrase` with each `{name}` blank filled from `values`, in one pass:
/// what a value holds is never filled in turn; a blank without a value
/// stays as it is.
pub fn fill<'a>(phrase: &str, values: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(phrase.len() + 32);
    let mut rest = phrase;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| Some((close, values(&after[..close])?))) {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn a_show_gets_the_words_of_its_language_or_english_marked_as_such() {
        assert_eq!(Words::for_language("de").lang, "de");
        assert_eq!(Words::for_language("pt-BR").lang, "pt");
        assert_eq!(Words::for_language("FR-ca").lang, "fr");
        assert_eq!(Words::for_language("en-us").lang, "en");
        assert!(!Words::for_language("en-us").foreign_to("en-us"));
        assert!(!Words::for_language("de-AT").foreign_to("de-AT"));
        let japanese = Words::for_language("ja");
        assert_eq!(japanese.lang, "en");
        assert!(japanese.foreign_to("ja"));
        // "english" is no tag (the manifest refuses it), and no match for "en".
        assert!(Words::for_language("english").foreign_to("english"));
        assert!(Words::built_in("de-AT") && !Words::built_in("ja"));
        // Norwegian is given as `no` as often as `nb`; Nynorsk is not Bokmål.
        assert_eq!(Words::for_language("no").lang, "nb");
        assert!(!Words::for_language("no").foreign_to("no"));
        assert!(!Words::for_language("nb-NO").foreign_to("nb-NO"));
        assert!(Words::for_language("nn").foreign_to("nn"));
        // Portugal's words for pt-PT, Brazil's for any other Portuguese.
        assert_eq!(Words::for_language("pt-pt").lang, "pt-PT");
        assert_eq!(Words::for_language("pt-Latn-PT").lang, "pt-PT");
        assert_eq!(Words::for_language("pt").lang, "pt");
        assert_eq!(Words::for_language("pt-AO").lang, "pt");
        assert!(!Words::for_language("pt-PT").foreign_to("pt-PT"));
        assert!(!Words::for_language("pt-BR").foreign_to("pt-BR"));
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let (first, twelfth) = (day("2017-03-01T10:00:00+01:00"), day("2017-04-12T23:30:00-07:00"));
        let said = |lang: &str, d| Words::for_language(lang).date(d);
        // The day is the episode's own, in its own offset.
        assert_eq!(said("en", &twelfth), "12 April 2017");
        assert_eq!(said("de", &twelfth), "12. April 2017");
        assert_eq!(said("de", &first), "1. März 2017");
        assert_eq!(said("fr", &first), "1er mars 2017");
        assert_eq!(said("fr", &twelfth), "12 avril 2017");
        assert_eq!(said("es", &twelfth), "12 de abril de 2017");
        assert_eq!(said("pt", &first), "1 de março de 2017");
        assert_eq!(said("it", &twelfth), "12 aprile 2017");
        assert_eq!(said("nl", &first), "1 maart 2017");
        assert_eq!(said("sv", &twelfth), "12 april 2017");
        assert_eq!(said("da", &first), "1. marts 2017");
        assert_eq!(said("no", &twelfth), "12. april 2017");
    }

    #[test]
    fn sizes_read_like_a_download_page() {
        let en = Words::for_language("en");
        assert_eq!(en.size(910_152), "910 KB");
        assert_eq!(en.size(744_500), "745 KB");
        assert_eq!(en.size(80_100), "80 KB");
        assert_eq!(en.size(120), "1 KB");
        assert_eq!(en.size(12_345_678), "12.3 MB");
        assert_eq!(Words::for_language("de").size(12_345_678), "12,3 MB");
        assert_eq!(Words::for_language("fr").size(910_152), "910 Ko");
        assert_eq!(Words::for_language("fr-CA").size(12_345_678), "12,3 Mo");
    }

    #[test]
    fn blanks_are_filled_once_and_only_those_with_a_value() {
        let values = |k: &str| match k {
            "format" => Some("MP3"),
            "duration" => Some("15:10"),
            "title" => Some("A {format} title"),
            _ => None,
        };
        assert_eq!(fill(ENGLISH.listen, values), "Listen to MP3 (15:10)");
        assert_eq!(fill(GERMAN.listen, values), "MP3 anhören (15:10)");
        assert_eq!(fill(ENGLISH.play, values), "Play A {format} title");
        assert_eq!(fill("{unknown} {format} {", values), "{unknown} MP3 {");
        assert_eq!(fill("}{}{format}", values), "}{}MP3");
    }

    /// A show's own words: some in place of its language's, or all of
    /// them for a language the pages have none in.
    #[test]
    fn a_show_gives_some_words_or_all_of_them() {
        let some = GivenWords {
            words: [("listen".to_string(), "Hör rein: {format} ({duration})".to_string())].into(),
            decimal_comma: Some(false),
            ..GivenWords::default()
        };
        let words = Words::of_show("de", Some(&some));
        assert_eq!(
            (words.listen, words.download, words.lang),
            ("Hör rein: {format} ({duration})", "{format} herunterladen", "de")
        );
        assert_eq!(words.size(12_345_678), "12.3 MB");
        assert!(!words.foreign_to("de"));
        // Some words of a language the pages have none in: still English, marked.
        assert!(Words::of_show("pl", Some(&some)).foreign_to("pl"));
        let mut all = GivenWords { months: Some((1..=12).map(|m| format!("m{m}")).collect()), ..GivenWords::default() };
        for (name, takes) in GIVEN {
            let blanks: String = takes.iter().map(|b| format!(" {{{b}}}")).collect();
            all.words.insert(name.to_string(), format!("pl-{name}{blanks}"));
        }
        assert!(all.is_whole());
        let words = Words::of_show("pl-PL", Some(&all));
        assert_eq!((words.lang, words.by, words.play), ("pl-PL", "pl-by", "pl-play {title}"));
        assert!(!words.foreign_to("pl-PL"));
        assert_eq!(words.date(&day("2017-04-01T10:00:00+02:00")), "pl-date 1 m4 2017");
        // A date of its own in French: no "1er" then.
        let date = GivenWords {
            words: [("date".to_string(), "{day}/{month}/{year}".to_string())].into(),
            ..GivenWords::default()
        };
        assert_eq!(Words::of_show("fr", Some(&date)).date(&day("2017-04-01T10:00:00+02:00")), "1/avril/2017");
    }

    /// The names a show may give are the words' own, in one order.
    #[test]
    fn every_given_name_is_a_word() {
        let mut words = ENGLISH;
        let named: Vec<&str> = words.named().iter().map(|(n, _)| *n).collect();
        let given: Vec<&str> = GIVEN.iter().map(|(n, _)| *n).collect();
        assert_eq!(named, given);
        for (name, takes) in GIVEN {
            assert_eq!(blanks(ENGLISH.word(name).unwrap()), *takes, "{name}");
        }
    }

    /// Every language has every phrase's blanks, and no others.
    #[test]
    fn every_language_fills_the_same_blanks() {
        let blanks = |phrase: &str| {
            let mut names: Vec<String> =
                phrase.split('{').skip(1).filter_map(|s| s.split_once('}')).map(|(n, _)| n.to_string()).collect();
            names.sort();
            names
        };
        for w in LANGUAGES {
            for (mine, english) in [
                (w.listen, ENGLISH.listen),
                (w.download, ENGLISH.download),
                (w.play, ENGLISH.play),
                (w.play_from, ENGLISH.play_from),
                (w.cover_art, ENGLISH.cover_art),
                (w.artwork, ENGLISH.artwork),
            ] {
                assert_eq!(blanks(mine), blanks(english), "{}: {mine}", w.lang);
            }
        }
    }
}
