//! What one request carries between its database calls: the GTID position its reads
//! must see (read-your-writes across replicas), and whether the primary was unreachable.
//!
//! The web layer opens a scope per request ([`with_request`]); [`crate::Db`]-style
//! routers read and advance it. Outside a scope (background tasks, the CLI) reads have
//! no floor and nothing is recorded.

use std::cell::RefCell;
use std::future::Future;

use crate::gtid::GtidPos;

#[derive(Debug, Default, Clone)]
struct RequestDb {
    floor: Option<GtidPos>,
    advanced: bool,
    unavailable: bool,
}

tokio::task_local! {
    static REQUEST: RefCell<RequestDb>;
}

/// What a request left behind, for its response.
#[derive(Debug, Default)]
pub struct RequestOutcome {
    /// The floor after the request's writes, when they moved it.
    pub advanced_floor: Option<GtidPos>,
    /// A database write failed because no primary could be reached.
    pub unavailable: bool,
}

/// Runs one request's future with `floor` as the position its reads must see.
pub async fn with_request<F: Future>(
    floor: Option<GtidPos>,
    fut: F,
) -> (F::Output, RequestOutcome) {
    let state = RefCell::new(RequestDb {
        floor,
        ..RequestDb::default()
    });
    REQUEST
        .scope(state, async {
            let out = fut.await;
            let outcome = REQUEST.with(|r| {
                let r = r.borrow();
                RequestOutcome {
                    advanced_floor: r.floor.clone().filter(|_| r.advanced),
                    unavailable: r.unavailable,
                }
            });
            (out, outcome)
        })
        .await
}

/// The position this request's reads must see, if any.
pub fn floor() -> Option<GtidPos> {
    REQUEST
        .try_with(|r| r.borrow().floor.clone())
        .ok()
        .flatten()
}

/// Records a write's position: later reads of this request, and of the client's next
/// requests, wait for it.
pub fn advance(pos: &GtidPos) {
    let _ = REQUEST.try_with(|r| {
        let mut r = r.borrow_mut();
        let floor = r.floor.get_or_insert_with(GtidPos::default);
        if !floor.covers(pos) {
            floor.merge(pos);
            r.advanced = true;
        }
    });
}

/// Records that a write found no primary.
pub fn mark_unavailable() {
    let _ = REQUEST.try_with(|r| r.borrow_mut().unavailable = true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_reports_only_a_floor_its_writes_moved() {
        let start: GtidPos = "0-1-5".parse().expect("position");
        let ((), outcome) = with_request(Some(start.clone()), async {
            assert_eq!(floor(), Some(start.clone()));
            advance(&"0-1-4".parse().expect("position"));
        })
        .await;
        assert!(outcome.advanced_floor.is_none());

        let ((), outcome) = with_request(Some(start), async {
            advance(&"0-1-9".parse().expect("position"));
            mark_unavailable();
        })
        .await;
        assert_eq!(
            outcome.advanced_floor.map(|f| f.to_string()).as_deref(),
            Some("0-1-9")
        );
        assert!(outcome.unavailable);
    }

    #[test]
    fn outside_a_request_nothing_is_recorded() {
        advance(&"0-1-9".parse().expect("position"));
        mark_unavailable();
        assert_eq!(floor(), None);
    }
}
