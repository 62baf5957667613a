//! Prometheus metrics: requests by route and status, a latency histogram, and product
//! events. Plain atomics and one small map; rendered in the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Event {
    SignUp,
    LogIn,
    LogInFailed,
    LogInThrottled,
    /// A request refused by a rate limit (`quill_accounts::RateLimiter`).
    SignUpLimited,
    ApiSessionLimited,
    PostTokenLimited,
    PostCreated,
    PostDuplicateSubmit,
}

impl Event {
    fn name(self) -> &'static str {
        match self {
            Self::SignUp => "signup",
            Self::LogIn => "login",
            Self::LogInFailed => "login_failed",
            Self::LogInThrottled => "login_throttled",
            Self::SignUpLimited => "signup_limited",
            Self::ApiSessionLimited => "api_session_limited",
            Self::PostTokenLimited => "post_token_limited",
            Self::PostCreated => "post_created",
            Self::PostDuplicateSubmit => "post_duplicate_submit",
        }
    }
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, String, u16), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    events: Mutex<BTreeMap<Event, u64>>,
}

impl Metrics {
    pub fn record(&self, event: Event) {
        if let Ok(mut events) = self.events.lock() {
            *events.entry(event).or_default() += 1;
        }
    }

    fn observe(&self, method: &'static str, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((method, route.to_owned(), status))
                .or_default() += 1;
        }
        let secs = elapsed.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if secs <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP quill_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE quill_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "quill_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP quill_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE quill_http_request_duration_seconds histogram\n");
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "quill_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "quill_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "quill_http_request_duration_seconds_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "quill_http_request_duration_seconds_count {count}");
        out.push_str("# HELP quill_events_total Product events.\n");
        out.push_str("# TYPE quill_events_total counter\n");
        if let Ok(events) = self.events.lock() {
            for (event, n) in events.iter() {
                let _ = writeln!(out, "quill_events_total{{event=\"{}\"}} {n}", event.name());
            }
        }
        out
    }
}

/// The method label: one of HTTP's own methods, or `OTHER`. Clients may send any token
/// as a method, and a label kept for each would grow without bound.
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

/// Middleware: times every request and counts it by method, route pattern and status,
/// each from a closed set: never the raw method or path, which would let clients grow
/// the label set without bound. Unknown paths count as `unmatched`.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = method_label(req.method());
    let res = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        metrics.observe(method, &route, res.status().as_u16(), started.elapsed());
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let metrics = Metrics::default();
        metrics.observe("GET", "/posts", 200, Duration::from_millis(3));
        metrics.observe("GET", "/posts", 200, Duration::from_millis(300));
        metrics.record(Event::PostCreated);
        let text = metrics.render();
        assert!(text.contains(
            "quill_http_requests_total{method=\"GET\",route=\"/posts\",status=\"200\"} 2\n"
        ));
        assert!(text.contains("quill_http_request_duration_seconds_bucket{le=\"0.005\"} 1\n"));
        assert!(text.contains("quill_http_request_duration_seconds_bucket{le=\"0.5\"} 2\n"));
        assert!(text.contains("quill_http_request_duration_seconds_count 2\n"));
        assert!(text.contains("quill_events_total{event=\"post_created\"} 1\n"));
    }
}
