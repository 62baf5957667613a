//! Progress of a long scan on stderr: a redrawn bar on a terminal, a plain line every few
//! seconds otherwise (logs, cron mail, compose).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, plain lines otherwise.
    Auto,
    /// Nothing (tests, `--quiet`).
    Off,
}

/// A running progress display, counting rows.
pub struct Progress {
    rows: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One line of progress: a bar when the total is known and `bar` is asked for.
pub fn line(label: &str, rows: u64, total: Option<u64>, elapsed: Duration, bar: bool) -> String {
    let secs = elapsed.as_secs_f64();
    match total {
        Some(total) if total > 0 => {
            let frac = (rows as f64 / total as f64).min(1.0);
            let gauge = if bar {
                let filled = (frac * 30.0).round() as usize;
                format!("[{}{}] ", "#".repeat(filled), "-".repeat(30 - filled))
            } else {
                String::new()
            };
            format!(
                "{label} {gauge}{:>3.0}% {}/{} rows {secs:.1}s",
                frac * 100.0,
                thousands(rows),
                thousands(total)
            )
        }
        _ => format!("{label} {} rows {secs:.1}s", thousands(rows)),
    }
}

impl Progress {
    pub fn start(label: &str, total: Option<u64>, mode: ProgressMode) -> Self {
        let rows = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let ticker = (mode == ProgressMode::Auto).then(|| {
            let (rows, done, label) = (Arc::clone(&rows), Arc::clone(&done), label.to_owned());
            std::thread::spawn(move || tick(&label, total, &rows, &done))
        });
        Self { rows, done, ticker }
    }

    /// The counter that scans add their rows to.
    pub fn rows(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.rows)
    }

    /// Stops the display after a last update.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.done.store(true, Ordering::Release);
        if let Some(ticker) = self.ticker.take() {
            ticker.thread().unpark();
            let _ = ticker.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

fn tick(label: &str, total: Option<u64>, rows: &AtomicU64, done: &AtomicBool) {
    let terminal = std::io::stderr().is_terminal();
    let every = if terminal {
        Duration::from_millis(150)
    } else {
        Duration::from_secs(5)
    };
    let start = Instant::now();
    let mut stderr = std::io::stderr();
    loop {
        std::thread::park_timeout(every);
        let finished = done.load(Ordering::Acquire);
        let text = line(
            label,
            rows.load(Ordering::Relaxed),
            total,
            start.elapsed(),
            terminal,
        );
        let _ = if terminal {
            write!(
                stderr,
                "\r\x1b[2K{text}{}",
                if finished { "\n" } else { "" }
            )
        } else if finished || start.elapsed() >= every {
            writeln!(stderr, "{text}")
        } else {
            Ok(())
        };
        if finished {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_show_rows_with_or_without_a_total() {
        let t = Duration::from_millis(1500);
        assert_eq!(
            line("scan", 250_000, Some(1_000_000), t, false),
            "scan  25% 250,000/1,000,000 rows 1.5s"
        );
        assert_eq!(
            line("scan", 500, Some(1000), t, true),
            format!(
                "scan [{}{}]  50% 500/1,000 rows 1.5s",
                "#".repeat(15),
                "-".repeat(15)
            )
        );
        assert_eq!(line("scan", 1234, None, t, true), "scan 1,234 rows 1.5s");
    }
}
