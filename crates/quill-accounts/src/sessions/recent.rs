//! Sessions this process validated lately, so that a page view need not ask the
//! database again within a few seconds (`QUILL_SESSION_CACHE_SECS`).
//!
//! The bound is the one replication already has: a replica may answer up to
//! `QUILL_CHECK_MAX_LAG_SECS` behind the primary, so a session ended on one instance
//! could always be honoured that long by another. A session ended through this
//! process (logout, renewal, a password change, "log out everywhere else") is forgotten
//! here at once, before and after the database write; a load that overlapped a
//! forgetting is not kept (the epoch); an entry never outlives the session's expiry.
//!
//! A client that wrote through another instance carries that write's position (its
//! read floor, the `quill_after` cookie). An entry answers it only when the load that
//! made the entry had already seen that position, so a logout through instance A is
//! honoured at once by instance B for the client that logged out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use quill_sql::GtidPos;

/// Above this many entries (about 10 MB of session state), lapsed ones are swept; if that
/// is not enough, all go and the next loads ask the database.
const SWEEP_AT: usize = 10_000;

struct Entry {
    state: HashMap<String, String>,
    user: Option<i64>,
    fresh_until: Instant,
    /// The session's own end (unix seconds) as the database had it.
    ends_at: i64,
    /// The read floor of the load that made the entry: the database it read had
    /// reached at least this position.
    seen: Option<GtidPos>,
}

pub(super) struct Recent {
    keep_for: Duration,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    by_id: HashMap<String, Entry>,
    /// Counts forgettings: a load that began before one is not kept.
    epoch: u64,
}

impl Recent {
    /// `keep_for` zero keeps nothing.
    pub(super) fn new(keep_for: Duration) -> Self {
        Self {
            keep_for,
            entries: Mutex::default(),
        }
    }

    /// The state of session `id`, when this process loaded it less than `keep_for`
    /// ago, it has not ended since, as of `now` (unix seconds), and the load had seen the
    /// asking request's read `floor`.
    pub(super) fn get(
        &self,
        id: &str,
        now: i64,
        floor: Option<&GtidPos>,
    ) -> Option<HashMap<String, String>> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.by_id.get(id)?;
        let seen_floor =
            floor.is_none_or(|floor| entry.seen.as_ref().is_some_and(|seen| seen.covers(floor)));
        (seen_floor && entry.fresh_until > Instant::now() && now < entry.ends_at)
            .then(|| entry.state.clone())
    }

    /// The epoch to hand to [`Recent::put`] for a load that begins now.
    pub(super) fn epoch(&self) -> u64 {
        self.entries.lock().map_or(0, |entries| entries.epoch)
    }

    /// Notes that session `id` of `user`, whose load began at `epoch` with read floor
    /// `seen`, was found live with `state` until `ends_at`; not kept when something was
    /// forgotten since.
    pub(super) fn put(
        &self,
        epoch: u64,
        id: &str,
        user: Option<i64>,
        state: &HashMap<String, String>,
        ends_at: i64,
        seen: Option<GtidPos>,
    ) {
        if self.keep_for.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.epoch != epoch {
            return;
        }
        let at = Instant::now();
        let by_id = &mut entries.by_id;
        if by_id.len() >= SWEEP_AT {
            by_id.retain(|_, entry| entry.fresh_until > at);
            if by_id.len() >= SWEEP_AT {
                by_id.clear();
            }
        }
        by_id.insert(
            id.to_owned(),
            Entry {
                state: state.clone(),
                user,
                fresh_until: at + self.keep_for,
                ends_at,
                seen,
            },
        );
    }

    /// Forgets session `id`.
    pub(super) fn forget(&self, id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.epoch += 1;
            entries.by_id.remove(id);
        }
    }

    /// Forgets every session of `user`.
    pub(super) fn forget_user(&self, user: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.epoch += 1;
            entries.by_id.retain(|_, entry| entry.user != Some(user));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(user: i64) -> HashMap<String, String> {
        HashMap::from([("user_id".to_owned(), user.to_string())])
    }

    #[test]
    fn a_kept_session_is_found_until_it_is_forgotten() {
        let recent = Recent::new(Duration::from_secs(60));
        recent.put(recent.epoch(), "a", Some(1), &state(1), 1_000, None);
        assert_eq!(recent.get("a", 999, None), Some(state(1)));
        recent.forget("a");
        assert_eq!(recent.get("a", 999, None), None);
    }

    #[test]
    fn forgetting_a_user_forgets_all_their_sessions_and_only_theirs() {
        let recent = Recent::new(Duration::from_secs(60));
        recent.put(recent.epoch(), "a", Some(1), &state(1), 1_000, None);
        recent.put(recent.epoch(), "b", Some(1), &state(1), 1_000, None);
        recent.put(recent.epoch(), "c", Some(2), &state(2), 1_000, None);
        recent.forget_user(1);
        assert_eq!(
            [
                recent.get("a", 0, None),
                recent.get("b", 0, None),
                recent.get("c", 0, None)
            ],
            [None, None, Some(state(2))]
        );
    }

    #[test]
    fn a_load_that_overlapped_a_forgetting_is_not_kept() {
        let recent = Recent::new(Duration::from_secs(60));
        let began = recent.epoch();
        recent.forget("a");
        recent.put(began, "a", Some(1), &state(1), 1_000, None);
        assert_eq!(recent.get("a", 0, None), None);
    }

    #[test]
    fn a_client_whose_write_the_load_had_not_seen_is_not_answered() {
        let pos = |text: &str| text.parse::<GtidPos>().expect("a GTID position");
        let recent = Recent::new(Duration::from_secs(60));
        recent.put(recent.epoch(), "a", Some(1), &state(1), 1_000, None);
        recent.put(
            recent.epoch(),
            "b",
            Some(1),
            &state(1),
            1_000,
            Some(pos("0-1-10")),
        );
        // A client that carries no floor is answered from either entry.
        assert_eq!(recent.get("a", 0, None), Some(state(1)));
        // A client that wrote at 0-1-10 (say, logged out through another instance).
        assert_eq!(recent.get("a", 0, Some(&pos("0-1-10"))), None);
        assert_eq!(recent.get("b", 0, Some(&pos("0-1-10"))), Some(state(1)));
        assert_eq!(recent.get("b", 0, Some(&pos("0-1-11"))), None);
        assert_eq!(recent.get("b", 0, Some(&pos("0-1-10,1-1-1"))), None);
    }

    #[test]
    fn an_entry_never_outlives_its_session() {
        let recent = Recent::new(Duration::from_secs(60));
        recent.put(recent.epoch(), "a", Some(1), &state(1), 1_000, None);
        assert_eq!(recent.get("a", 1_000, None), None);
    }

    #[test]
    fn zero_keeps_nothing_and_a_lapsed_entry_is_not_found() {
        let off = Recent::new(Duration::ZERO);
        off.put(off.epoch(), "a", Some(1), &state(1), 1_000, None);
        assert_eq!(off.get("a", 0, None), None);
        let short = Recent::new(Duration::from_nanos(1));
        short.put(short.epoch(), "a", Some(1), &state(1), 1_000, None);
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(short.get("a", 0, None), None);
    }
}
