//! RFC 2822 dates as feeds write them, read strictly: the grammar W3C's
//! validator uses, plus what it misses (clock fields out of range, day 31
//! of a 30-day month), and the weekday checked against the date.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone};

/// The first year a feed's date plausibly has: an earlier one is a mistake
/// (`0000`, a year of two digits read in the 1900s), and apps put the
/// episode out of place. Podcasts began in the 2000s; an archive of older
/// recordings may date them back a little.
pub const FIRST_PLAUSIBLE_YEAR: i32 = 1990;

/// A date that parsed, with what is questionable about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The moment.
    pub at: DateTime<FixedOffset>,
    /// The zone was a name (`PST`, `EST` …) rather than a number or GMT/UT/Z.
    pub zone_name: Option<String>,
    /// The year was written with two digits.
    pub two_digit_year: bool,
    /// A weekday, month or zone name was written in another case than RFC
    /// 2822's (`wed`, `MAY`, `gmt`): its grammar takes any, some apps do not.
    pub miscased: bool,
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Parses `s`; `Err` says what is wrong.
pub fn parse(s: &str) -> Result<Parsed, String> {
    let mut tokens: Vec<&str> = s.split_whitespace().collect();
    // RFC 2822 allows no space after the weekday's comma ("Mon,01 Jan …").
    if let Some((weekday, day)) = tokens.first().and_then(|t| t.split_once(','))
        && !day.is_empty()
    {
        let (weekday, day) = (&tokens[0][..=weekday.len()], day);
        tokens.splice(0..1, [weekday, day]);
    }
    let mut miscased = false;
    let weekday = leading_weekday(&mut tokens, &mut miscased)?;
    let [day, month, year, time, zone] = tokens[..] else {
        return Err("expected \"Wed, 02 Oct 2002 13:00:00 +0000\": day, month, year, time and zone".into());
    };
    let two_digit_year = year.len() == 2;
    let date = calendar_date(day, month, year, &mut miscased)?;
    let clock = clock_time(time)?;
    let upper = zone.to_ascii_uppercase();
    miscased |= upper != zone;
    let (offset, zone_name) = zone_offset(&upper)?;
    let tz = FixedOffset::east_opt(offset).ok_or("bad offset")?;
    let at = tz.from_local_datetime(&date.and_time(clock)).single().ok_or("ambiguous time")?;
    if let Some(w) = weekday {
        check_weekday(date, w)?;
    }
    Ok(Parsed { at, zone_name: zone_name.map(str::to_string), two_digit_year, miscased })
}

/// Takes a leading weekday (`Wed,`) off `tokens`: its index in [`DAYS`], or
/// `None` when the date starts with the day of the month.
fn leading_weekday(tokens: &mut Vec<&str>, miscased: &mut bool) -> Result<Option<usize>, String> {
    let Some(first) = tokens.first() else {
        return Ok(None);
    };
    if !first.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return Ok(None);
    }
    let Some(day) = first.strip_suffix(',') else {
        return Err(format!("\"{first}\" should be a weekday followed by a comma, like \"Wed,\""));
    };
    let Some(i) = DAYS.iter().position(|d| d.eq_ignore_ascii_case(day)) else {
        return Err(format!("\"{day}\" is not a weekday as RFC 2822 writes it (Mon … Sun)"));
    };
    *miscased |= DAYS[i] != day;
    tokens.remove(0);
    Ok(Some(i))
}

/// The day, month name and year (two-digit years in 1950–2049) as a date that exists.
fn calendar_date(day: &str, month: &str, year: &str, miscased: &mut bool) -> Result<NaiveDate, String> {
    let day: u32 = day
        .parse()
        .ok()
        .filter(|_| (1..=2).contains(&day.len()))
        .ok_or(format!("\"{day}\" is not a day of the month"))?;
    let m = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month))
        .ok_or(format!("\"{month}\" is not a month (Jan … Dec)"))?;
    *miscased |= MONTHS[m] != month;
    let month = m as u32 + 1;
    let year = full_year(year)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(format!(
        "{} {} {year} does not exist",
        day,
        MONTHS[month as usize - 1]
    ))
}

/// A year of four digits, or of two (`50`–`99` → 1900s, `00`–`49` → 2000s).
fn full_year(year: &str) -> Result<i32, String> {
    let two_digit_year = year.len() == 2;
    let year: i32 = match year.len() {
        4 | 2 if year.bytes().all(|b| b.is_ascii_digit()) => year.parse().map_err(|_| "bad year".to_string())?,
        _ => return Err(format!("\"{year}\" is not a four-digit year")),
    };
    Ok(if two_digit_year { if year < 50 { 2000 + year } else { 1900 + year } } else { year })
}

/// `HH:MM` or `HH:MM:SS` (24-hour, two digits each) as a time of day that exists.
fn clock_time(time: &str) -> Result<NaiveTime, String> {
    let parts: Vec<&str> = time.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("\"{time}\" is not a time (HH:MM:SS, 24-hour)"));
    }
    let field = |i: usize| parts.get(i).map_or(0, |p| p.parse::<u32>().unwrap_or(99));
    let (h, m, sec) = (field(0), field(1), field(2));
    // A leap second (RFC 2822: a time of day up to 23:59:60) is the second
    // before the next minute's.
    let time_of = |sec: u32| match sec {
        60 => NaiveTime::from_hms_milli_opt(h, m, 59, 1_999),
        _ => NaiveTime::from_hms_opt(h, m, sec),
    };
    time_of(sec).ok_or(format!("\"{time}\" is out of range (hours 00–23, minutes 00–59, seconds 00–60)"))
}

/// The zone's offset east of UTC in seconds, and its name when it is a
/// name (`EST`) rather than GMT/UT/Z or a number (`-0500`).
fn zone_offset(zone: &str) -> Result<(i32, Option<&str>), String> {
    Ok(match zone {
        "GMT" | "UT" | "Z" => (0, None),
        // Not in RFC 2822's list, though many apps read it (W3C's validator warns).
        "UTC" => (0, Some(zone)),
        "EST" => (-5 * 3600, Some(zone)),
        "EDT" => (-4 * 3600, Some(zone)),
        "CST" => (-6 * 3600, Some(zone)),
        "CDT" => (-5 * 3600, Some(zone)),
        "MST" => (-7 * 3600, Some(zone)),
        "MDT" => (-6 * 3600, Some(zone)),
        "PST" => (-8 * 3600, Some(zone)),
        "PDT" => (-7 * 3600, Some(zone)),
        z if z.len() == 5
            && (z.starts_with('+') || z.starts_with('-'))
            && z[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            let (hh, mm): (i32, i32) = (z[1..3].parse().unwrap_or(99), z[3..5].parse().unwrap_or(99));
            if hh > 14 || mm > 59 {
                return Err(format!("\"{z}\" is not a time-zone offset"));
            }
            let sign = if z.starts_with('-') { -1 } else { 1 };
            (sign * (hh * 3600 + mm * 60), None)
        }
        other => return Err(format!("\"{other}\" is not a time zone (write a numeric offset like +0000)")),
    })
}

/// Whether `date` fell on the weekday written (`weekday`, an index in [`DAYS`]).
fn check_weekday(date: NaiveDate, weekday: usize) -> Result<(), String> {
    let actual = date.weekday().num_days_from_monday() as usize;
    if actual != weekday {
        return Err(format!(
            "{} {} {} was a {}, not a {} (compute the weekday; never copy it)",
            date.day(),
            MONTHS[date.month0() as usize],
            date.year(),
            DAYS[actual],
            DAYS[weekday]
        ));
    }
    Ok(())
}

/// `itunes:duration` in seconds, or why it is not one: `1801`, `30:01`,
/// `0:30:01`; no fractions, fields after the first under 60.
pub fn duration(s: &str) -> Result<u64, String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("\"{s}\" is not a duration: write whole seconds (\"1801\") or H:MM:SS (\"0:30:01\")"));
    }
    let mut total: u64 = 0;
    for (i, p) in parts.iter().enumerate() {
        let v: u64 = p.parse().map_err(|_| format!("\"{s}\" is too large"))?;
        if i > 0 && (p.len() != 2 || v > 59) {
            return Err(format!("\"{s}\": minutes and seconds are two digits under 60"));
        }
        total = total.checked_mul(60).and_then(|t| t.checked_add(v)).ok_or(format!("\"{s}\" is too large"))?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_test_vectors() {
        for ok in [
            "Sat, 15 Jun 2019 19:00:00 GMT",
            "Fri, 26 Feb 2021 00:00:00 -0500",
            "Wed, 02 Oct 2002 13:00:00 +0000",
            "15 Jun 2019 19:00 +0000",
        ] {
            assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok));
        }
        for bad in [
            "2019-06-15T19:00:00Z",
            "Sat May 16 2020 09:00:57 GMT+0000 (Coordinated Universal Time)",
            "07 Oct 2025",
            "Wed, 15 Jun 2019 19:00:00 GMT",
            "Wed, 27 May 2020 34:50:00 -0400",
            "Sat, 31 Jun 2019 19:00:00 GMT",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse("Wed, 15 Jun 2019 19:00:00 GMT").unwrap_err(),
            "15 Jun 2019 was a Sat, not a Wed (compute the weekday; never copy it)"
        );
        assert_eq!(parse("Sat, 15 Jun 2019 12:00:00 PST").unwrap().zone_name.as_deref(), Some("PST"));
        // Any case, as RFC 2822's grammar takes it; said, as some apps do not.
        let lower = parse("sat, 15 jun 2019 19:00:00 gmt").unwrap();
        assert_eq!(lower.at, parse("Sat, 15 Jun 2019 19:00:00 GMT").unwrap().at);
        assert!(lower.miscased && !parse("Sat, 15 Jun 2019 19:00:00 GMT").unwrap().miscased);
    }

    #[test]
    fn durations() {
        for (ok, secs) in [("1801", 1801), ("30:01", 1801), ("0:30:01", 1801), ("00:30:01", 1801), ("5", 5)] {
            assert_eq!(duration(ok), Ok(secs), "{ok}");
        }
        for bad in ["1801.5", "00:50:95", "1:5", "30m", "-1", ""] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
