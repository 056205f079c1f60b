//! Reads that see writes late ([`crate::Faults::list_lag_ms`]), as a lagging replica serves
//! them, and writes held back until after their answer timed out
//! ([`crate::Faults::slow_commit_ms`]).
//!
//! The world applies every write at once (billing and the rules read it); what is late is only
//! what reads show. The writes of the last lag are kept with what each changed, and a read
//! answers with the state as it stood one lag ago: a number associated since is not there yet,
//! one disassociated or refreshed since is shown as it was, a remediation request submitted
//! since is not there yet.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Extension;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use telnyx_e164::E164;
use uuid::Uuid;

use crate::app::App;
use crate::handlers::DropConnection;
use crate::state::Association;

/// What one write changed.
#[derive(Debug, Clone)]
enum Change {
    /// A number was associated: absent before.
    Created(E164),
    /// A number was disassociated, or its data changed: this is how it was before.
    Changed(Box<Association>),
    /// A remediation request was submitted: absent before.
    Remediation(Uuid),
}

/// The writes of the last lag, oldest first.
#[derive(Debug, Default)]
pub(crate) struct RecentWrites {
    log: Mutex<VecDeque<(DateTime<Utc>, Change)>>,
}

/// The state one lag ago, where it differs from the world's.
#[derive(Debug, Default)]
pub(crate) struct LagView {
    /// Numbers whose first change within the lag is known: `None` when they were absent then.
    numbers: HashMap<E164, Option<Association>>,
    /// Remediation requests submitted within the lag.
    remediations: HashSet<Uuid>,
}

impl RecentWrites {
    fn push(&self, lag: TimeDelta, at: DateTime<Utc>, changes: impl IntoIterator<Item = Change>) {
        if lag <= TimeDelta::zero() {
            return;
        }
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.extend(changes.into_iter().map(|c| (at, c)));
        forget_older(&mut log, at, lag);
    }

    /// Numbers associated at `at`.
    pub fn created(&self, lag: TimeDelta, at: DateTime<Utc>, numbers: impl Iterator<Item = E164>) {
        self.push(lag, at, numbers.map(Change::Created));
    }

    /// Records as they were before a write at `at` disassociated them or changed their data.
    pub fn changed(&self, lag: TimeDelta, at: DateTime<Utc>, before: Vec<Association>) {
        self.push(
            lag,
            at,
            before.into_iter().map(|a| Change::Changed(Box::new(a))),
        );
    }

    /// A remediation request submitted at `at`.
    pub fn remediation(&self, lag: TimeDelta, at: DateTime<Utc>, id: Uuid) {
        self.push(lag, at, [Change::Remediation(id)]);
    }

    /// The state one `lag` before `now`; empty when there is no lag.
    pub fn view(&self, lag: TimeDelta, now: DateTime<Utc>) -> LagView {
        let mut view = LagView::default();
        if lag <= TimeDelta::zero() {
            return view;
        }
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        forget_older(&mut log, now, lag);
        let horizon = now
            .checked_sub_signed(lag)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        for (_, change) in log.iter().filter(|(at, _)| *at > horizon) {
            match change {
                Change::Created(n) => {
                    view.numbers.entry(*n).or_insert(None);
                }
                Change::Changed(before) => {
                    view.numbers
                        .entry(before.phone_number)
                        .or_insert_with(|| Some(Association::clone(before)));
                }
                Change::Remediation(id) => {
                    view.remediations.insert(*id);
                }
            }
        }
        view
    }
}

/// Drops the writes older than one lag before `now`: every read sees them. Times are the
/// emulator's without its skew ([`crate::timer::Clock::unskewed`]), so that a skew changed at
/// run time neither hides old writes nor shows new ones; writes noted concurrently may still
/// be pushed out of order, so every entry is looked at, not only the oldest.
fn forget_older(log: &mut VecDeque<(DateTime<Utc>, Change)>, now: DateTime<Utc>, lag: TimeDelta) {
    let horizon = now
        .checked_sub_signed(lag)
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    log.retain(|(at, _)| *at > horizon);
}

impl LagView {
    /// Whether the view differs from the world at all.
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty() && self.remediations.is_empty()
    }

    /// How a record the world holds was seen one lag ago: `None` when it was not there yet.
    pub fn row(&self, current: &Association) -> Option<Association> {
        match self.numbers.get(&current.phone_number) {
            None => Some(current.clone()),
            Some(before) => before.clone(),
        }
    }

    /// How a number the world does not hold was seen one lag ago (disassociated since).
    pub fn removed(&self, number: &E164) -> Option<Association> {
        self.numbers.get(number).cloned().flatten()
    }

    /// Whether the number's state one lag ago is known to differ from the world's.
    pub fn knows(&self, number: &E164) -> bool {
        self.numbers.contains_key(number)
    }

    /// Whether a remediation request was not there yet one lag ago.
    pub fn hides_remediation(&self, id: &Uuid) -> bool {
        self.remediations.contains(id)
    }
}

/// Holds a billable write back ([`crate::Faults::slow_commit_ms`]): `apply` runs `delay` after
/// now on a task of its own, so that it lands even once the client has given up, and then the
/// connection is dropped unanswered.
pub(crate) async fn withhold(
    app: &Arc<App>,
    drop_connection: Option<Extension<DropConnection>>,
    delay: Duration,
    apply: impl FnOnce(&App) + Send + 'static,
) -> Response {
    let app = Arc::clone(app);
    let applied = tokio::spawn(async move {
        crate::timer::sleep(delay).await;
        apply(&app);
    });
    let _ = applied.await;
    if let Some(Extension(DropConnection(notify))) = drop_connection {
        notify.notify_one();
    }
    std::future::pending::<Response>().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: &str, at: DateTime<Utc>) -> Association {
        Association {
            id: Uuid::nil(),
            account: 0,
            enterprise_id: Uuid::nil(),
            phone_number: n.parse().unwrap(),
            source: crate::model::NumberSource::Telnyx,
            ownership: None,
            created_at: at,
            updated_at: at,
            reputation: None,
            seq: 1,
            checks: 0,
        }
    }

    #[test]
    fn a_read_sees_the_state_of_one_lag_ago() {
        let writes = RecentWrites::default();
        let lag = TimeDelta::milliseconds(500);
        let t0: DateTime<Utc> = "2026-07-01T12:00:00Z".parse().unwrap();
        let a = record("+12015550100", t0);
        let b = record("+12015550101", t0);
        writes.created(lag, t0, [a.phone_number].into_iter());
        writes.changed(lag, t0 + TimeDelta::milliseconds(100), vec![b.clone()]);
        writes.remediation(lag, t0, Uuid::from_u128(7));
        let view = writes.view(lag, t0 + TimeDelta::milliseconds(200));
        assert_eq!(view.row(&a), None);
        assert_eq!(view.removed(&b.phone_number), Some(b.clone()));
        assert!(view.hides_remediation(&Uuid::from_u128(7)));
        // Once the lag has passed, every write is seen.
        let later = writes.view(lag, t0 + TimeDelta::milliseconds(600));
        assert!(later.is_empty());
        assert_eq!(later.row(&a), Some(a));
    }

    #[test]
    fn a_write_stamped_later_by_a_clock_since_moved_back_hides_no_other() {
        let writes = RecentWrites::default();
        let lag = TimeDelta::milliseconds(100);
        let t0: DateTime<Utc> = "2026-07-01T12:00:00Z".parse().unwrap();
        let (a, b) = (record("+12015550100", t0), record("+12015550101", t0));
        // Written before the clock moved back 5 s, then one written after.
        writes.created(
            lag,
            t0 + TimeDelta::seconds(5),
            [a.phone_number].into_iter(),
        );
        writes.created(lag, t0, [b.phone_number].into_iter());
        let view = writes.view(lag, t0 + TimeDelta::milliseconds(200));
        assert_eq!(view.row(&b), Some(b), "seen once its own lag has passed");
        assert_eq!(view.row(&a), None);
    }

    #[test]
    fn the_first_change_within_the_lag_decides() {
        let writes = RecentWrites::default();
        let lag = TimeDelta::seconds(1);
        let t0: DateTime<Utc> = "2026-07-01T12:00:00Z".parse().unwrap();
        let a = record("+12015550100", t0);
        // Associated, then refreshed: one lag ago it was not there at all.
        writes.created(lag, t0, [a.phone_number].into_iter());
        writes.changed(lag, t0 + TimeDelta::milliseconds(10), vec![a.clone()]);
        assert_eq!(writes.view(lag, t0).row(&a), None);
        // Without a lag nothing is kept.
        let none = RecentWrites::default();
        none.created(TimeDelta::zero(), t0, [a.phone_number].into_iter());
        assert!(none.view(TimeDelta::zero(), t0).is_empty());
    }
}
