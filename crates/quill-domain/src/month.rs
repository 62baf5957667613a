//! Calendar months in UTC, the partition bucket of the post model.

use std::fmt;

/// A UTC calendar month as `yyyymm` (e.g. 202611), the `month` column of `posts_by_user`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month(i32);

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl Month {
    /// The month an instant (microseconds since the Unix epoch) falls in, in UTC.
    pub fn from_unix_micros(micros: i64) -> Self {
        let (year, month, _) = civil_from_days(micros.div_euclid(MICROS_PER_DAY));
        Self(year * 100 + month as i32)
    }

    /// Rebuilds a month from its `yyyymm` form; `None` unless the month part is 1-12.
    pub fn from_yyyymm(yyyymm: i32) -> Option<Self> {
        (1..=12)
            .contains(&yyyymm.rem_euclid(100))
            .then_some(Self(yyyymm))
    }

    pub fn yyyymm(self) -> i32 {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(100)
    }

    pub fn month(self) -> u32 {
        self.0.rem_euclid(100) as u32
    }

    /// The month before this one.
    pub fn prev(self) -> Self {
        if self.month() == 1 {
            Self((self.year() - 1) * 100 + 12)
        } else {
            Self(self.0 - 1)
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after
/// Howard Hinnant's `civil_from_days`.
pub(crate) fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// Formats an instant as `YYYY-MM-DD HH:MM UTC` for pages.
pub fn format_utc_minutes(micros: i64) -> String {
    let (year, month, day) = civil_from_days(micros.div_euclid(MICROS_PER_DAY));
    let minute_of_day = micros.rem_euclid(MICROS_PER_DAY) / 60_000_000;
    let Some(mut out) = date_of(year, month, day, 20) else {
        return format!(
            "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
            minute_of_day / 60,
            minute_of_day % 60
        );
    };
    out.push(' ');
    push_digits(&mut out, minute_of_day / 60, 2);
    out.push(':');
    push_digits(&mut out, minute_of_day % 60, 2);
    out.push_str(" UTC");
    out
}

/// Formats an instant as RFC 3339 with microseconds, e.g. `2024-02-29T23:59:59.999999Z`.
pub fn format_rfc3339(micros: i64) -> String {
    let (year, month, day) = civil_from_days(micros.div_euclid(MICROS_PER_DAY));
    let of_day = micros.rem_euclid(MICROS_PER_DAY);
    let secs = of_day / 1_000_000;
    let Some(mut out) = date_of(year, month, day, 27) else {
        return format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            of_day % 1_000_000
        );
    };
    out.push('T');
    push_digits(&mut out, secs / 3600, 2);
    out.push(':');
    push_digits(&mut out, secs / 60 % 60, 2);
    out.push(':');
    push_digits(&mut out, secs % 60, 2);
    out.push('.');
    push_digits(&mut out, of_day % 1_000_000, 6);
    out.push('Z');
    out
}

/// `YYYY-MM-DD` in a string with room for `capacity` bytes, for years 0 to 9999; the
/// others are left to `format!`. Pages show a date per post, and `format!` with its
/// padding cost a page view more than the rest of the date work (callgrind).
fn date_of(year: i32, month: u32, day: u32, capacity: usize) -> Option<String> {
    let year = u32::try_from(year).ok().filter(|year| *year <= 9999)?;
    let mut out = String::with_capacity(capacity);
    push_digits(&mut out, year, 4);
    out.push('-');
    push_digits(&mut out, month, 2);
    out.push('-');
    push_digits(&mut out, day, 2);
    Some(out)
}

/// The last `width` decimal digits of `value`, zero-padded.
fn push_digits<T: Into<i64>>(out: &mut String, value: T, width: u32) {
    let value = value.into();
    for place in (0..width).rev() {
        let digit = value / 10_i64.pow(place) % 10;
        out.push(char::from(b'0' + digit.unsigned_abs() as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_follow_the_utc_calendar() {
        assert_eq!(Month::from_unix_micros(0).yyyymm(), 197001);
        // 2024-02-29T23:59:59.999999Z, a leap day.
        assert_eq!(
            Month::from_unix_micros(1_709_251_199_999_999).yyyymm(),
            202402
        );
        // 2024-03-01T00:00:00Z
        assert_eq!(
            Month::from_unix_micros(1_709_251_200_000_000).yyyymm(),
            202403
        );
        // One microsecond before the epoch is December 1969.
        assert_eq!(Month::from_unix_micros(-1).yyyymm(), 196912);
    }

    #[test]
    fn prev_crosses_years() {
        assert_eq!(Month(202601).prev(), Month(202512));
        assert_eq!(Month(202612).prev(), Month(202611));
    }

    #[test]
    fn yyyymm_round_trips_and_rejects_bad_months() {
        assert_eq!(Month::from_yyyymm(202611).map(Month::yyyymm), Some(202611));
        assert_eq!(Month::from_yyyymm(202613), None);
        assert_eq!(Month::from_yyyymm(202600), None);
        assert_eq!(Month(202611).to_string(), "2026-11");
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(
            format_utc_minutes(1_709_251_199_999_999),
            "2024-02-29 23:59 UTC"
        );
    }

    #[test]
    fn instants_format_padded_in_and_out_of_the_four_digit_years() {
        assert_eq!(
            format_rfc3339(1_709_251_199_999_999),
            "2024-02-29T23:59:59.999999Z"
        );
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
        assert_eq!(format_utc_minutes(60_000_000), "1970-01-01 00:01 UTC");
        // Year 0 and past 9999 too (Gregorian proleptic), the way format! pads them.
        let year_zero = -62_167_219_200_000_000;
        assert_eq!(format_rfc3339(year_zero), "0000-01-01T00:00:00.000000Z");
        assert_eq!(
            format_utc_minutes(year_zero - 60_000_000),
            "-001-12-31 23:59 UTC"
        );
        let year_10000 = 253_402_300_800_000_000;
        assert_eq!(format_rfc3339(year_10000), "10000-01-01T00:00:00.000000Z");
    }
}
