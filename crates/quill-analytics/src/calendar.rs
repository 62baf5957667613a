//! UTC calendar fields of an instant, as docs/ANALYTICS.md defines them: day number, hour, ISO day
//! of week, and the proleptic Gregorian date of a day number. Never the local zone.

pub const MICROS_PER_DAY: i64 = 86_400_000_000;
pub const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// Days since 1970-01-01 (floor division, so instants before 1970 land on earlier days).
pub fn day(us: i64) -> i64 {
    us.div_euclid(MICROS_PER_DAY)
}

/// Hour of the UTC day, 0..=23.
pub fn hour(us: i64) -> usize {
    // rem_euclid is in 0..MICROS_PER_DAY, so the quotient is in 0..24.
    (us.rem_euclid(MICROS_PER_DAY) / MICROS_PER_HOUR) as usize
}

/// ISO 8601 day of week of a day number, Monday = 1 .. Sunday = 7 (1970-01-01 was a Thursday).
pub fn dow(day: i64) -> usize {
    // rem_euclid(7) is in 0..7.
    (day + 3).rem_euclid(7) as usize + 1
}

/// The proleptic Gregorian (year, month, day) of a day number (Howard Hinnant's
/// `civil_from_days`), valid for every day an `i64` of microseconds can reach.
pub fn civil(day: i64) -> (i64, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_date(day: i64) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of a proleptic Gregorian date (inverse of [`civil`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_is_a_thursday_at_midnight() {
        assert_eq!(day(0), 0);
        assert_eq!(hour(0), 0);
        assert_eq!(dow(0), 4);
        assert_eq!(format_date(0), "1970-01-01");
    }

    #[test]
    fn instants_before_1970_floor_to_the_previous_day_and_hour() {
        assert_eq!(day(-1), -1);
        assert_eq!(hour(-1), 23);
        assert_eq!(dow(-1), 3);
        assert_eq!(format_date(-1), "1969-12-31");
        assert_eq!(day(-MICROS_PER_DAY), -1);
        assert_eq!(day(-MICROS_PER_DAY - 1), -2);
    }

    #[test]
    fn day_and_hour_boundaries_are_exact() {
        let d = MICROS_PER_DAY;
        assert_eq!((day(d - 1), hour(d - 1)), (0, 23));
        assert_eq!((day(d), hour(d)), (1, 0));
        assert_eq!(hour(MICROS_PER_HOUR - 1), 0);
        assert_eq!(hour(MICROS_PER_HOUR), 1);
    }

    #[test]
    fn dates_follow_the_gregorian_calendar() {
        assert_eq!(format_date(days_from_civil(2024, 2, 29)), "2024-02-29");
        assert_eq!(
            days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28),
            2
        );
        assert_eq!(
            days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28),
            1
        );
        assert_eq!(format_date(days_from_civil(1582, 10, 15)), "1582-10-15");
        // 2024-01-01 was a Monday, 2023-12-31 a Sunday.
        assert_eq!(dow(days_from_civil(2024, 1, 1)), 1);
        assert_eq!(dow(days_from_civil(2023, 12, 31)), 7);
        for day in [-800_000, -1, 0, 1, 59, 60, 10_957, 19_782, 2_932_896] {
            let (y, m, d) = civil(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }
}
