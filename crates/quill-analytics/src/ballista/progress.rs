//! Progress of a report's job on the cluster: stages done out of the job's stages, and tasks
//! done out of the tasks of the stages that have started (a stage's tasks are known only
//! once it runs). Read from the scheduler's REST API (`GET /api/job/ID/stages`) every half
//! second; shown like the local engine's progress, a redrawn line on a terminal and a plain
//! line every few seconds otherwise.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::SchedulerAddr;

/// How far one job is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobProgress {
    pub stages_done: usize,
    pub stages: usize,
    pub tasks_done: usize,
    pub tasks: usize,
}

impl JobProgress {
    /// From the body of `GET /api/job/ID/stages`.
    pub fn from_stages(body: &Value) -> Option<Self> {
        let stages = body.get("stages")?.as_array()?;
        let mut p = Self {
            stages: stages.len(),
            ..Self::default()
        };
        for stage in stages {
            if stage.get("stage_status").and_then(Value::as_str) == Some("Successful") {
                p.stages_done += 1;
            }
            for task in stage
                .get("tasks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                p.tasks += 1;
                if task.get("status").and_then(Value::as_str) == Some("Successful") {
                    p.tasks_done += 1;
                }
            }
        }
        Some(p)
    }

    pub fn line(&self, label: &str, elapsed: Duration) -> String {
        format!(
            "{label}: stages {}/{}, tasks {}/{} {:.1}s",
            self.stages_done,
            self.stages,
            self.tasks_done,
            self.tasks,
            elapsed.as_secs_f64()
        )
    }
}

/// The body of an HTTP/1.1 `GET path` answered 200, `None` otherwise (the display then
/// skips a beat; it never fails a run).
pub async fn get(addr: &SchedulerAddr, path: &str) -> Option<String> {
    match request(addr, "GET", path).await? {
        (200, body) => Some(body),
        _ => None,
    }
}

/// The status and body of an HTTP/1.1 `method path` to the scheduler's REST API, `None`
/// when it does not answer within a few seconds.
pub async fn request(addr: &SchedulerAddr, method: &str, path: &str) -> Option<(u16, String)> {
    let connect = TcpStream::connect((addr.host.as_str(), addr.port));
    let mut stream = tokio::time::timeout(Duration::from_secs(2), connect)
        .await
        .ok()?
        .ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        addr.host
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut raw))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split(' ').nth(1)?.parse::<u16>().ok()?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_owned()
    };
    Some((status, body))
}

fn dechunk(mut body: &str) -> Option<String> {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n")?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        out.push_str(rest.get(..size)?);
        body = rest.get(size..)?.strip_prefix("\r\n")?;
    }
}

/// The progress of job `job_id`, if the scheduler answers.
pub async fn poll(addr: &SchedulerAddr, job_id: &str) -> Option<JobProgress> {
    let body = get(addr, &format!("/api/job/{job_id}/stages")).await?;
    JobProgress::from_stages(&serde_json::from_str(&body).ok()?)
}

/// Shows the progress of a job until dropped (the caller aborts it when the job ends).
/// `job_id` yields the job's id once the scheduler has accepted it.
pub async fn show(
    addr: SchedulerAddr,
    label: String,
    job_id: impl Fn() -> Option<String>,
) -> std::convert::Infallible {
    let terminal = std::io::stderr().is_terminal();
    let every = if terminal {
        Duration::from_millis(500)
    } else {
        Duration::from_secs(5)
    };
    let start = Instant::now();
    let mut last = None;
    let mut shown_at: Option<Instant> = None;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Some(id) = job_id() else { continue };
        let Some(p) = poll(&addr, &id).await else {
            continue;
        };
        let changed = last != Some(p);
        let due = shown_at.is_none_or(|t| t.elapsed() >= every);
        if changed && (terminal || due) {
            let text = p.line(&label, start.elapsed());
            let mut stderr = std::io::stderr();
            let _ = if terminal {
                write!(stderr, "\r\x1b[2K{text}")
            } else {
                writeln!(stderr, "{text}")
            };
            last = Some(p);
            shown_at = Some(Instant::now());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_tasks_are_counted_from_the_rest_answer() {
        let body: Value = serde_json::from_str(
            r#"{"stages":[
                {"stage_id":"1","stage_status":"Successful","tasks":[{"status":"Successful"},{"status":"Successful"}]},
                {"stage_id":"2","stage_status":"Running","tasks":[{"status":"Successful"},{"status":"Running"},
                    {"status":{"Failed":{"reason":"x","error":"y"}}}]},
                {"stage_id":"3","stage_status":"Unresolved","tasks":[]}]}"#,
        )
        .unwrap();
        let p = JobProgress::from_stages(&body).unwrap();
        assert_eq!(
            p,
            JobProgress {
                stages_done: 1,
                stages: 3,
                tasks_done: 3,
                tasks: 5
            }
        );
        assert_eq!(
            p.line("R1", Duration::from_millis(1500)),
            "R1: stages 1/3, tasks 3/5 1.5s"
        );
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(
            dechunk("4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n").as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(dechunk("zz\r\n"), None);
    }
}
