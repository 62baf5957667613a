//! A run's jobs cancelled on the cluster when the run stops before its end (SIGTERM,
//! Ctrl-C, a report that failed): Ballista's client just stops reading, and the scheduler
//! would otherwise keep the job running, and the executors busy, for nobody.
//!
//! Every run names its jobs `quill-analytics RUN-ID`, so the scheduler's job list
//! (`GET /api/jobs`) tells which are this run's, including a job whose id the client had not
//! received yet; each one still queued or running is cancelled with
//! `PATCH /api/job/ID`.

use std::time::Duration;

use serde_json::Value;

use super::SchedulerAddr;
use super::progress::{get, request};

/// The job name of a new run, unique to it.
pub fn job_name() -> String {
    format!("quill-analytics {}", uuid::Uuid::new_v4())
}

/// The ids of the jobs named `job_name` that are queued or running, from the body of
/// `GET /api/jobs`.
pub fn unfinished(jobs: &Value, job_name: &str) -> Vec<String> {
    jobs.as_array()
        .into_iter()
        .flatten()
        .filter(|job| job.get("job_name").and_then(Value::as_str) == Some(job_name))
        .filter(|job| {
            matches!(
                job.get("status").and_then(Value::as_str),
                Some("Queued" | "Running")
            )
        })
        .filter_map(|job| job.get("job_id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Cancels the queued and running jobs named `job_name`; returns how many the scheduler
/// accepted to cancel. A job the scheduler registers just after the first look (its
/// submission was in flight) is caught by a second look half a second later.
pub async fn cancel_jobs(addr: &SchedulerAddr, job_name: &str) -> usize {
    let mut cancelled = 0;
    for look in 0..2 {
        if look > 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let Some(jobs) = get(addr, "/api/jobs").await else {
            continue;
        };
        let Ok(jobs) = serde_json::from_str::<Value>(&jobs) else {
            continue;
        };
        for id in unfinished(&jobs, job_name) {
            if let Some((200, _)) = request(addr, "PATCH", &format!("/api/job/{id}")).await {
                cancelled += 1;
            }
        }
    }
    cancelled
}

/// Cancels the run's jobs when dropped, unless [`disarm`](Self::disarm)ed after the last
/// report.
pub struct CancelOnDrop {
    addr: SchedulerAddr,
    job_name: String,
    armed: bool,
}

impl CancelOnDrop {
    pub fn new(addr: &SchedulerAddr, job_name: &str) -> Self {
        Self {
            addr: addr.clone(),
            job_name: job_name.to_owned(),
            armed: true,
        }
    }

    /// The run ended on its own: nothing is left to cancel.
    pub fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let addr = self.addr.clone();
        let job_name = std::mem::take(&mut self.job_name);
        // Dropped inside the run's runtime, which is about to stop and cannot be blocked
        // on from within: the requests run on a thread and runtime of their own, and the
        // drop waits for them (a few seconds at most: each request has a timeout).
        let cancelling = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            Some(rt.block_on(cancel_jobs(&addr, &job_name)))
        });
        match cancelling.join() {
            Ok(Some(0)) => {}
            Ok(Some(n)) => eprintln!("cancelled {n} job(s) on the cluster"),
            _ => eprintln!("could not cancel the run's jobs on the cluster"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_this_runs_unfinished_jobs_are_cancelled() {
        let jobs: Value = serde_json::from_str(
            r#"[
                {"job_id":"a","job_name":"quill-analytics 1","status":"Running"},
                {"job_id":"b","job_name":"quill-analytics 1","status":"Completed"},
                {"job_id":"c","job_name":"quill-analytics 1","status":"Queued"},
                {"job_id":"d","job_name":"quill-analytics 2","status":"Running"},
                {"job_id":"e","job_name":"quill-analytics 1","status":"Failed"}]"#,
        )
        .unwrap();
        assert_eq!(unfinished(&jobs, "quill-analytics 1"), ["a", "c"]);
        assert!(unfinished(&Value::Null, "quill-analytics 1").is_empty());
        assert_ne!(job_name(), job_name());
    }
}
