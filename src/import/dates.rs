//! An item's `pubDate` read as podcast apps read it. RFC 2822 as written
//! (and its usual slips that `validate` already takes: a zone name such as
//! `EST`, `UTC`, a two-digit year) is read as it is. What hosts write
//! besides (a weekday that is not the date's, no comma after it, full
//! month or weekday names, `Sept`, a `+00:00` offset, zone names such as
//! `CET`, no zone at all, a 12-hour clock, ISO 8601 / RFC 3339, no time)
//! is normalised to RFC 2822 and read with chrono, and said: apps keep
//! such items, so an import that dropped them lost episodes. Only a date
//! that cannot be read at all leaves its item out.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

/// A date read from a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    /// The moment, with the offset the feed gave (UTC where it gave none).
    pub at: DateTime<FixedOffset>,
    /// `None`: read as RFC 2822. `Some`: read leniently, with what was off
    /// (possibly empty).
    pub lenient: Option<Vec<String>>,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// Zone names hosts write that RFC 2822 does not know, and their offsets
/// (names that mean two zones, such as IST, are not guessed).
const ZONES: &[(&str, &str)] = &[
    ("CET", "+0100"),
    ("CEST", "+0200"),
    ("MET", "+0100"),
    ("MEST", "+0200"),
    ("MEZ", "+0100"),
    ("MESZ", "+0200"),
    ("WET", "+0000"),
    ("WEST", "+0100"),
    ("EET", "+0200"),
    ("EEST", "+0300"),
    ("BST", "+0100"),
    ("MSK", "+0300"),
    ("JST", "+0900"),
    ("KST", "+0900"),
    ("HKT", "+0800"),
    ("SGT", "+0800"),
    ("AWST", "+0800"),
    ("ACST", "+0930"),
    ("ACDT", "+1030"),
    ("AEST", "+1000"),
    ("AEDT", "+1100"),
    ("NZST", "+1200"),
    ("NZDT", "+1300"),
    ("HST", "-1000"),
    ("AKST", "-0900"),
    ("AKDT", "-0800"),
    ("AST", "-0400"),
    ("ADT", "-0300"),
    ("NST", "-0330"),
    ("NDT", "-0230"),
];

/// Reads `raw`; `Err` says why it cannot be read as a date.
pub fn read(raw: &str) -> Result<Read, String> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let strict = DateTime::parse_from_rfc2822(&s)
        .ok()
        .or_else(|| crate::validate::dates::parse(&s).ok().map(|p| p.at))
        .or_else(|| DateTime::parse_from_rfc2822(&s.replace(" UTC", " +0000")).ok());
    if let Some(at) = strict {
        return Ok(Read { at, lenient: None });
    }
    iso(&s).or_else(|| rfc2822_like(&s)).or_else(|| end_of_day(&s)).ok_or_else(|| {
        let why = no_such_day(&s).unwrap_or_else(|| "it is neither RFC 2822 nor ISO 8601".into());
        format!("its pubDate \"{}\" cannot be read as a date: {why}", crate::text::truncate_chars(&s, 60))
    })
}

/// Why a date that names its day, month and year (`29 Feb 2023`,
/// `2023-04-31`) cannot be read when the calendar has no such day: it is
/// written well, the day is not.
/// (Only a date that reads with its day in range: one wrong elsewhere too,
/// a time of 99:99, is no date for other reasons as well.)
fn no_such_day(s: &str) -> Option<String> {
    let (year, month, day, at) = iso_day(s).or_else(|| written_day(s))?;
    let name = MONTHS.get(month.checked_sub(1)? as usize)?;
    let name = name[..1].to_uppercase() + &name[1..];
    if !(1..=31).contains(&day) || NaiveDate::from_ymd_opt(year, month, day).is_some() {
        return None;
    }
    // The 28th, which every month has, in its place: then it reads.
    let mended = format!("{}28{}", &s[..at.start], &s[at.end..]);
    read(&mended).ok()?;
    let days = (28..=31).rev().find(|&d| NaiveDate::from_ymd_opt(year, month, d).is_some())?;
    Some(format!("{name} {year} has {days} days, so there is no {day} {name} {year}"))
}

/// Year, month and day of a date written `YYYY-MM-DD…`, and where its day is.
fn iso_day(s: &str) -> Option<(i32, u32, u32, std::ops::Range<usize>)> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r.clone()).filter(|d| d.iter().all(u8::is_ascii_digit)).map(|_| &s[r]);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    Some((digits(0..4)?.parse().ok()?, digits(5..7)?.parse().ok()?, digits(8..10)?.parse().ok()?, 8..10))
}

/// Year, month and day of a date written with its month's name (`Thu, 29
/// Feb 2023 …`, `Feb 29 2023`; a year of two digits as RFC 2822 reads it,
/// `23` 2023 and `99` 1999), and where its day is.
fn written_day(s: &str) -> Option<(i32, u32, u32, std::ops::Range<usize>)> {
    let tokens: Vec<&str> = s.split([' ', ',']).filter(|t| !t.is_empty()).collect();
    let at = tokens.iter().position(|t| month_of(t, &mut Vec::new()).is_some())?;
    let month = month_of(tokens[at], &mut Vec::new())? as u32 + 1;
    let number = |t: &&&str| (1..=2).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    let day_at =
        [at.checked_sub(1), Some(at + 1)].into_iter().flatten().find(|&i| tokens.get(i).is_some_and(|t| number(&t)))?;
    let day = tokens[day_at];
    let is_year = |t: &&str| matches!(t.len(), 2 | 4) && t.bytes().all(|b| b.is_ascii_digit());
    let year = tokens.iter().enumerate().skip(at + 1).find(|(i, t)| *i != day_at && is_year(t)).map(|(_, t)| *t)?;
    let year: i32 = match year.len() {
        2 => year.parse::<i32>().ok().map(|y| if y < 50 { 2000 + y } else { 1900 + y })?,
        _ => year.parse().ok()?,
    };
    let start = day.as_ptr() as usize - s.as_ptr() as usize;
    Some((year, month, day.parse().ok()?, start..start + day.len()))
}

/// A time of `24:00` (ISO 8601's end of a day, which RFC 2822 does not
/// take: its hours end at 23), read as midnight at the start of the next.
fn end_of_day(s: &str) -> Option<Read> {
    let (at, pattern) = ["24:00:00", "24:00"].iter().find_map(|p| {
        let at = s.find(p)?;
        let before = s[..at].chars().next_back();
        let after = s[at + p.len()..].chars().next();
        let alone = matches!(before, Some(' ' | 'T')) && !after.is_some_and(|c| c == ':' || c.is_ascii_digit());
        alone.then_some((at, *p))
    })?;
    let midnight = format!("{}{}{}", &s[..at], &pattern.replace("24", "00"), &s[at + pattern.len()..]);
    let start = DateTime::parse_from_rfc2822(&midnight)
        .ok()
        .map(|at| Read { at, lenient: None })
        .or_else(|| iso(&midnight))
        .or_else(|| rfc2822_like(&midnight))?;
    let mut why = start.lenient.unwrap_or_default();
    why.push("24:00 read as midnight at the end of that day".into());
    Some(Read { at: start.at + chrono::Days::new(1), lenient: Some(why) })
}

/// ISO 8601 / RFC 3339 (`2002-10-02T13:00:00Z`, a space for the `T`, no
/// zone, or a date alone).
fn iso(s: &str) -> Option<Read> {
    let lenient = |at, why: &[&str]| Some(Read { at, lenient: Some(why.iter().map(|w| w.to_string()).collect()) });
    let t = match s.as_bytes().get(10) {
        Some(b' ') => format!("{}T{}", &s[..10], &s[11..]),
        _ => s.to_string(),
    };
    let zoned = DateTime::parse_from_rfc3339(&t).or_else(|_| DateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f%z"));
    if let Ok(at) = zoned {
        return lenient(at, &["written as ISO 8601"]);
    }
    let utc = FixedOffset::east_opt(0)?;
    let no_zone = "no time zone: read as UTC";
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&t, format) {
            return lenient(utc.from_utc_datetime(&naive), &["written as ISO 8601", no_zone]);
        }
    }
    let day = NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()?;
    lenient(
        utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0)?),
        &["written as ISO 8601", "no time: read as midnight UTC"],
    )
}

/// A date RFC 2822 almost takes, made one it takes; `None` if it is not one.
fn rfc2822_like(s: &str) -> Option<Read> {
    let mut why: Vec<String> = Vec::new();
    // A comment after the date ("(Coordinated Universal Time)").
    let s = s.split('(').next().unwrap_or(s).trim();
    let mut tokens: Vec<&str> = s.split([' ', ',']).filter(|t| !t.is_empty()).collect();
    let weekday = tokens.first().and_then(|t| word_of(t, &DAYS));
    // A weekday in another language ("Mié,", "Do,"): any word before the
    // first comma that is no month, ignored as apps ignore it.
    let foreign_weekday = match weekday {
        None => s.split_once(',').map(|(w, _)| w.trim()).filter(|w| is_foreign_weekday(w)),
        Some(_) => None,
    };
    if weekday.is_some() || foreign_weekday.is_some() {
        tokens.remove(0);
    }
    // Day and month in either order ("02 Oct", "Oct 02").
    let (day, month) = match (tokens.first(), tokens.get(1)) {
        (Some(d), Some(m)) if month_of(m, &mut why).is_some() => (*d, month_of(m, &mut why)?),
        (Some(m), Some(d)) if month_of(m, &mut why).is_some() => (*d, month_of(m, &mut why)?),
        _ => return None,
    };
    why.dedup();
    let day: u32 = day.parse().ok().filter(|_| day.len() <= 2)?;
    let year = *tokens.get(2)?;
    if !(year.len() == 4 || year.len() == 2) || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut rest = tokens[3..].to_vec();
    let time = match rest.first().filter(|t| t.contains(':')) {
        Some(t) => {
            let t = clock(t, rest.get(1).copied())?;
            rest.remove(0);
            if rest.first().is_some_and(|m| m.eq_ignore_ascii_case("am") || m.eq_ignore_ascii_case("pm")) {
                rest.remove(0);
            }
            t
        }
        None => {
            why.push("no time: read as midnight".into());
            "00:00:00".into()
        }
    };
    let zone = zone(&rest.concat(), &mut why)?;
    let month = &MONTHS[month][..3];
    let normal = format!("{day} {month} {year} {time} {zone}");
    let at = DateTime::parse_from_rfc2822(&normal).ok()?;
    if let Some(w) = foreign_weekday {
        why.insert(
            0,
            format!(
                "its weekday \"{w}\" is not written in English, as RFC 2822 writes it: the weekday is ignored, as \
                 apps do ({} was a {})",
                at.format("%-d %b %Y"),
                at.format("%A")
            ),
        );
    }
    if let Some(w) = weekday
        && at.weekday().num_days_from_monday() as usize != w
    {
        why.insert(
            0,
            format!(
                "its weekday is not the date's, {} was a {}: the weekday is ignored, as apps do",
                at.format("%-d %b %Y"),
                at.format("%A")
            ),
        );
    }
    Some(Read { at, lenient: Some(why) })
}

/// The index in `words` of `token` written in full or cut to three letters
/// (or `Sept`, `Tues`, `Thur`, `Thurs`), in any case, with a dot or not.
fn word_of(token: &str, words: &[&str]) -> Option<usize> {
    let t = token.trim_end_matches('.').to_ascii_lowercase();
    if t.len() < 3 {
        return None;
    }
    words.iter().position(|w| *w == t || (w.starts_with(t.as_str()) && t.len() <= 5))
}

/// Month names and their usual abbreviations in Spanish, German, French,
/// Italian, Portuguese and Dutch, as hosts in those languages write them
/// (each names one month in every one of them, and none an English
/// month's other: nothing is guessed), with their month's index.
#[rustfmt::skip]
const FOREIGN_MONTHS: &[(&str, usize)] = &[
    ("enero", 0), ("ene", 0), ("januar", 0), ("jänner", 0), ("jän", 0), ("janvier", 0), ("janv", 0),
    ("gennaio", 0), ("gen", 0), ("janeiro", 0), ("januari", 0),
    ("febrero", 1), ("februar", 1), ("février", 1), ("févr", 1), ("fév", 1), ("febbraio", 1),
    ("fevereiro", 1), ("fev", 1), ("februari", 1),
    ("marzo", 2), ("märz", 2), ("mär", 2), ("mrz", 2), ("mars", 2), ("março", 2), ("maart", 2), ("mrt", 2),
    ("abril", 3), ("abr", 3), ("avril", 3), ("avr", 3), ("aprile", 3),
    ("mayo", 4), ("mai", 4), ("maggio", 4), ("mag", 4), ("maio", 4), ("mei", 4),
    ("junio", 5), ("juni", 5), ("juin", 5), ("giugno", 5), ("giu", 5), ("junho", 5),
    ("julio", 6), ("juli", 6), ("juillet", 6), ("juil", 6), ("luglio", 6), ("lug", 6), ("julho", 6),
    ("agosto", 7), ("ago", 7), ("août", 7), ("aoû", 7), ("augustus", 7),
    ("septiembre", 8), ("setiembre", 8), ("set", 8), ("septembre", 8), ("settembre", 8), ("setembro", 8),
    ("octubre", 9), ("oktober", 9), ("okt", 9), ("octobre", 9), ("ottobre", 9), ("ott", 9), ("outubro", 9),
    ("out", 9),
    ("noviembre", 10), ("novembre", 10), ("novembro", 10),
    ("diciembre", 11), ("dic", 11), ("dezember", 11), ("dez", 11), ("décembre", 11), ("déc", 11),
    ("dicembre", 11), ("dezembro", 11),
];

/// The index of the month `token` names: in English (see [`word_of`]), or
/// in one of the languages of [`FOREIGN_MONTHS`] (said in `why`).
fn month_of(token: &str, why: &mut Vec<String>) -> Option<usize> {
    if let Some(m) = word_of(token, &MONTHS) {
        return Some(m);
    }
    let t = token.trim_end_matches('.').to_lowercase();
    let (_, m) = FOREIGN_MONTHS.iter().find(|(name, _)| *name == t)?;
    let month = MONTHS[*m];
    why.push(format!(
        "its month \"{token}\" is not written in English: read as {}",
        month[..1].to_uppercase() + &month[1..]
    ));
    Some(*m)
}

/// Whether `word` (what comes before a date's first comma) is a weekday,
/// in whatever language: a word of letters (with a dot or not) that names
/// no month.
fn is_foreign_weekday(word: &str) -> bool {
    let letters = word.trim_end_matches('.');
    (1..=20).contains(&letters.chars().count())
        && letters.chars().all(char::is_alphabetic)
        && word_of(letters, &MONTHS).is_none()
        && !FOREIGN_MONTHS.iter().any(|(name, _)| *name == letters.to_lowercase())
}

/// `H:MM[:SS]`, with a 12-hour clock's `AM`/`PM` after it, as `HH:MM:SS`.
fn clock(time: &str, meridiem: Option<&str>) -> Option<String> {
    let parts: Vec<u32> =
        time.split(':').map(|p| p.parse().ok().filter(|_| (1..=2).contains(&p.len()))).collect::<Option<_>>()?;
    let (mut h, m, sec) = match parts[..] {
        [h, m] => (h, m, 0),
        [h, m, s] => (h, m, s),
        _ => return None,
    };
    match meridiem.map(str::to_ascii_lowercase).as_deref() {
        Some("pm") if (1..12).contains(&h) => h += 12,
        Some("am") if h == 12 => h = 0,
        _ => {}
    }
    Some(format!("{h:02}:{m:02}:{sec:02}"))
}

/// The zone as RFC 2822 writes it (`+0100`), from what follows the time:
/// nothing (UTC, said in `why`), `+01:00`, `GMT+0100`, a name.
fn zone(given: &str, why: &mut Vec<String>) -> Option<String> {
    let upper = given.to_ascii_uppercase();
    if upper.is_empty() {
        why.push("no time zone: read as UTC".into());
        return Some("+0000".into());
    }
    if let Some((_, offset)) = ZONES.iter().find(|(name, _)| *name == upper) {
        return Some((*offset).to_string());
    }
    let numeric = ["GMT", "UTC", "UT"].iter().find_map(|p| upper.strip_prefix(p)).unwrap_or(&upper);
    if numeric.is_empty() {
        return Some("+0000".into());
    }
    let (sign, digits) = numeric.split_at_checked(1)?;
    let digits = digits.replace(':', "");
    let digits = if digits.len() <= 2 { format!("{digits:0>2}00") } else { digits };
    let ok = matches!(sign, "+" | "-") && digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit());
    if ok { Some(format!("{sign}{digits}")) } else { Some(upper) }
}

#[cfg(test)]
mod tests {
    use super::read;

    fn at(s: &str) -> String {
        read(s).map(|r| r.at.to_rfc3339()).unwrap_or_else(|e| e)
    }

    #[test]
    fn dates_as_hosts_write_them_are_read_as_apps_read_them() {
        for (given, expected) in [
            ("Wed 02 Oct 2002 13:00:00 GMT", "2002-10-02T13:00:00+00:00"),
            ("Wed, 02 October 2002 13:00:00 GMT", "2002-10-02T13:00:00+00:00"),
            ("Thu, 02 Oct 2002 13:00:00 GMT", "2002-10-02T13:00:00+00:00"),
            ("Wednesday, 02 Oct 2002 13:00:00 GMT", "2002-10-02T13:00:00+00:00"),
            ("Wed, 02 Oct 2002 13:00:00", "2002-10-02T13:00:00+00:00"),
            ("2002-10-02T13:00:00Z", "2002-10-02T13:00:00+00:00"),
            ("2002-10-02 13:00:00+02:00", "2002-10-02T13:00:00+02:00"),
            ("2002-10-02", "2002-10-02T00:00:00+00:00"),
            ("Wed, 02 Oct 2002 13:00:00 +00:00", "2002-10-02T13:00:00+00:00"),
            ("Wed, 02 Oct 2002 13:00:00 CET", "2002-10-02T13:00:00+01:00"),
            ("Wed, 02 Oct 2002 13:00:00 cest", "2002-10-02T13:00:00+02:00"),
            ("Wed, 02 Oct 2002 1:00:00 PM GMT", "2002-10-02T13:00:00+00:00"),
            ("Wed, 02 Sept 2002 13:00:00 GMT", "2002-09-02T13:00:00+00:00"),
            ("Wed, 02 Oct 99 13:00:00 GMT", "1999-10-02T13:00:00+00:00"),
            ("12 August 2012", "2012-08-12T00:00:00+00:00"),
            ("Tue 11 Jan 2011", "2011-01-11T00:00:00+00:00"),
            ("Sat May 16 2020 09:00:57 GMT+0000 (Coordinated Universal Time)", "2020-05-16T09:00:57+00:00"),
            ("Mié, 01 Mar 2023 10:00:00 +0100", "2023-03-01T10:00:00+01:00"),
            ("Do, 02 Mär 2023 10:00:00 +0100", "2023-03-02T10:00:00+01:00"),
            ("jeu., 02 mars 2023 10:00:00 +0100", "2023-03-02T10:00:00+01:00"),
            ("Qua, 01 Out 2025 10:00:00 -0300", "2025-10-01T10:00:00-03:00"),
            ("Di, 01 Mei 2018 10:00:00 +0200", "2018-05-01T10:00:00+02:00"),
            ("Sáb, 04 Dic 2021 10:00:00 +0100", "2021-12-04T10:00:00+01:00"),
            ("Tue, 03 Mar 2026 24:00:00 +0000", "2026-03-04T00:00:00+00:00"),
            ("Sat, 28 Feb 2026 24:00 -0500", "2026-03-01T00:00:00-05:00"),
            ("2026-12-31T24:00:00Z", "2027-01-01T00:00:00+00:00"),
        ] {
            assert_eq!(at(given), expected, "{given}");
            assert!(read(given).unwrap().lenient.is_some(), "{given}");
        }
        // RFC 2822 (and the slips validate takes) is read without a word.
        for strict in ["Wed, 02 Oct 2002 13:00:00 +0000", "Wed, 02 Oct 2002 13:00 EST", "2 Oct 2002 13:00:00 UTC"] {
            assert_eq!(read(strict).unwrap().lenient, None, "{strict}");
        }
        let weekday = read("Tue, 01 Oct 2024 10:00:00 +0000").unwrap();
        assert_eq!(weekday.lenient, None);
        let wrong = read("Mon, 01 Oct 2024 10:00:00 +0000").unwrap().lenient.unwrap();
        assert!(wrong[0].contains("1 Oct 2024 was a Tuesday"), "{wrong:?}");
        assert!(read("Wed, 02 Oct 2002 13:00:00").unwrap().lenient.unwrap().iter().any(|w| w.contains("UTC")));
        let foreign = read("Mié, 01 Mar 2023 10:00:00 +0100").unwrap().lenient.unwrap();
        assert!(
            foreign[0].contains("\"Mié\" is not written in English") && foreign[0].contains("Wednesday"),
            "{foreign:?}"
        );
        let month = read("Do, 02 Mrz 2023 10:00:00 +0100").unwrap().lenient.unwrap();
        assert!(month.iter().any(|w| w.contains("\"Mrz\" is not written in English: read as March")), "{month:?}");
    }

    #[test]
    fn what_is_no_date_is_refused_with_why() {
        for bad in [
            "",
            "yesterday",
            "Wed, 32 Oct 2002 13:00:00 GMT",
            "02 Oct 2002 25:00:00 GMT",
            "02 Oct 2002 24:00:30 GMT",
            "02 Oct 2002 24:01 GMT",
            "31 Feb 2020",
            "x".repeat(500).as_str(),
            "Wed, 02 Oct 2002 13:00:00 +9999",
            "Mié, 01 Foo 2023 10:00:00 +0100",
            "01, 02 Mar 2023 10:00:00 +0100",
            "\u{0}",
        ] {
            let e = read(bad).unwrap_err();
            assert!(e.contains("cannot be read as a date"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_day_the_calendar_has_not_is_said_so() {
        for (bad, why) in [
            ("Wed, 29 Feb 2023 10:00:00 +0000", "February 2023 has 28 days, so there is no 29 February 2023"),
            ("Feb 29, 2023 10:00 AM", "February 2023 has 28 days, so there is no 29 February 2023"),
            ("2023-04-31T10:00:00Z", "April 2023 has 30 days, so there is no 31 April 2023"),
            ("31 Feb 2020", "February 2020 has 29 days, so there is no 31 February 2020"),
            ("Sun, 31 Sep 23 10:00:00 GMT", "September 2023 has 30 days, so there is no 31 September 2023"),
            ("29 Feb 99", "February 1999 has 28 days, so there is no 29 February 1999"),
        ] {
            let e = read(bad).unwrap_err();
            assert!(e.ends_with(&format!("cannot be read as a date: {why}")), "{bad}: {e}");
        }
        // A leap year's 29 February is a day; a day past 31 is no date at all.
        assert!(read("Thu, 29 Feb 2024 10:00:00 +0000").is_ok());
        let e = read("Wed, 32 Oct 2002 13:00:00 GMT").unwrap_err();
        assert!(e.ends_with("neither RFC 2822 nor ISO 8601"), "{e}");
        // Wrong elsewhere too: not the day's fault alone.
        let e = read("Sat, 31 Apr 2023 99:99:99 GMT").unwrap_err();
        assert!(e.ends_with("neither RFC 2822 nor ISO 8601"), "{e}");
    }
}
