//! `quill-analytics nightly`: a dated report folder per run (`REPORTS_DIR/YYYY-MM-DD/`, the
//! UTC date the run started), written atomically; once (for cron) or every day at a UTC
//! time (a tiny scheduler for compose).

use std::path::{Path, PathBuf};
use std::time::Duration;

use quill_domain::clock::unix_micros;

use crate::ballista::Engine;
use crate::calendar::{self, MICROS_PER_DAY};
use crate::error::{AnalyticsError, Result};
use crate::export::export;
use crate::output::staging::PARTIAL_MARK;
use crate::run::{RunOptions, RunOutcome, run};
use crate::source::SourceSpec;

/// A UTC time of day, `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl std::str::FromStr for TimeOfDay {
    type Err = AnalyticsError;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || AnalyticsError::Setting {
            name: "--at",
            message: format!("{s:?} is not a UTC time HH:MM"),
        };
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        let (hour, minute) = (
            h.parse::<u8>().map_err(|_| bad())?,
            m.parse::<u8>().map_err(|_| bad())?,
        );
        if hour > 23 || minute > 59 || m.len() != 2 {
            return Err(bad());
        }
        Ok(Self { hour, minute })
    }
}

/// The folder of a run started at `us`.
pub fn dated_dir(reports_dir: &Path, us: i64) -> PathBuf {
    reports_dir.join(calendar::format_date(calendar::day(us)))
}

/// The first instant strictly after `us` at `at` (UTC).
pub fn next_run(us: i64, at: TimeOfDay) -> i64 {
    let offset = i64::from(at.hour) * calendar::MICROS_PER_HOUR + i64::from(at.minute) * 60_000_000;
    let today = calendar::day(us) * MICROS_PER_DAY + offset;
    if today > us {
        today
    } else {
        today + MICROS_PER_DAY
    }
}

/// Removes staging folders that a killed run left in `reports_dir`.
pub fn remove_stale_partials(reports_dir: &Path) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(reports_dir) else {
        return Ok(0);
    };
    let mut removed = 0;
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.contains(PARTIAL_MARK) {
            let path = entry.path();
            std::fs::remove_dir_all(&path).map_err(AnalyticsError::io(&path))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// One nightly run now: `reports_dir/<today>/`, replacing a folder of the same day.
///
/// With `snapshot`, a source other than a snapshot is first exported there (replacing the
/// last night's) and the reports read that: the way to a Ballista cluster, whose executors
/// read the snapshot from a volume they share.
pub async fn run_once(
    spec: &SourceSpec,
    snapshot: Option<&Path>,
    reports_dir: &Path,
    options: &RunOptions,
) -> Result<RunOutcome> {
    remove_stale_partials(reports_dir)?;
    let options = RunOptions {
        replace: true,
        ..options.clone()
    };
    let source = match snapshot {
        Some(dir) if !matches!(spec, SourceSpec::Parquet(_)) => {
            let local = RunOptions {
                engine: Engine::Local,
                ..options.clone()
            };
            export(spec, dir, &local).await?;
            SourceSpec::Parquet(dir.to_owned())
        }
        _ => spec.clone(),
    };
    run(&source, &dated_dir(reports_dir, unix_micros()), &options).await
}

/// Runs every day at `at`, forever; a failed night is reported and the next one still runs.
pub async fn schedule(
    spec: &SourceSpec,
    snapshot: Option<&Path>,
    reports_dir: &Path,
    at: TimeOfDay,
    options: &RunOptions,
) -> std::convert::Infallible {
    loop {
        let now = unix_micros();
        let wait = u64::try_from(next_run(now, at) - now).unwrap_or(0);
        eprintln!(
            "quill-analytics: next run at {} {:02}:{:02} UTC",
            calendar::format_date(calendar::day(next_run(now, at))),
            at.hour,
            at.minute
        );
        tokio::time::sleep(Duration::from_micros(wait)).await;
        match run_once(spec, snapshot, reports_dir, options).await {
            Ok(outcome) => eprintln!(
                "quill-analytics: wrote {} ({} rows)",
                outcome.dir.display(),
                outcome.figures.rows
            ),
            Err(e) => eprintln!("quill-analytics: nightly run failed: {e}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_is_named_for_the_utc_day_of_the_run() {
        let us = calendar::days_from_civil(2026, 11, 22) * MICROS_PER_DAY + 5;
        assert_eq!(dated_dir(Path::new("/r"), us), Path::new("/r/2026-11-22"));
        assert_eq!(
            dated_dir(Path::new("/r"), us - 10),
            Path::new("/r/2026-11-21")
        );
    }

    #[test]
    fn the_next_run_is_later_today_or_tomorrow() {
        let day = calendar::days_from_civil(2026, 11, 22) * MICROS_PER_DAY;
        let at: TimeOfDay = "02:30".parse().unwrap();
        let at_today = day + 2 * calendar::MICROS_PER_HOUR + 30 * 60_000_000;
        assert_eq!(next_run(day, at), at_today);
        assert_eq!(next_run(at_today - 1, at), at_today);
        assert_eq!(next_run(at_today, at), at_today + MICROS_PER_DAY);
    }

    #[test]
    fn times_of_day_are_hh_mm() {
        assert_eq!(
            "00:00".parse::<TimeOfDay>().ok(),
            Some(TimeOfDay { hour: 0, minute: 0 })
        );
        for bad in ["24:00", "12:60", "1230", "12:3", "a:b"] {
            assert!(bad.parse::<TimeOfDay>().is_err(), "{bad}");
        }
    }

    #[test]
    fn stale_partials_are_removed_and_reports_kept() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(".2026-11-21.partial-42")).unwrap();
        std::fs::create_dir(root.path().join("2026-11-20")).unwrap();
        assert_eq!(remove_stale_partials(root.path()).unwrap(), 1);
        assert!(root.path().join("2026-11-20").exists());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
