//! What `aimsc serve` serves, shared between the builder and the request
//! threads. A build is published by swapping one `Arc<Snapshot>` under a
//! mutex, so a request sees either the whole previous portal or the whole
//! new one, never a mix; the condition variable wakes the long-polling
//! live-reload requests when the version changes.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A portal rendered in memory, by `/`-separated path.
#[derive(Debug, Default)]
pub struct Portal {
    pub files: HashMap<String, Vec<u8>>,
}

impl Portal {
    pub fn new(files: Vec<(String, Vec<u8>)>) -> Portal {
        Portal {
            files: files.into_iter().collect(),
        }
    }
}

/// The state after the latest build.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Counts finished builds, good or failed; 0 before the first. Open pages
    /// reload when it differs from the one they were served with.
    pub version: u64,
    /// The last portal that built without errors, if any has.
    pub portal: Option<Arc<Portal>>,
    /// Why the latest build failed (plain text, shown in the browser), or
    /// `None` when it succeeded.
    pub failure: Option<String>,
}

/// The published snapshot and the signal that it changed.
#[derive(Debug, Default)]
pub struct Live {
    current: Mutex<Arc<Snapshot>>,
    changed: Condvar,
}

impl Live {
    /// A panicking request thread must not take the server down with it: the
    /// guarded value is a plain `Arc`, always whole, so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Arc<Snapshot>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.lock().clone()
    }

    /// Publishes the outcome of a build: a new portal replaces the old one
    /// whole; a failure keeps the last good portal and records why.
    pub fn publish(&self, outcome: Result<Portal, String>) -> u64 {
        let mut current = self.lock();
        let (portal, failure) = match outcome {
            Ok(p) => (Some(Arc::new(p)), None),
            Err(why) => (current.portal.clone(), Some(why)),
        };
        let version = current.version + 1;
        let old = std::mem::replace(
            &mut *current,
            Arc::new(Snapshot {
                version,
                portal,
                failure,
            }),
        );
        drop(current);
        self.changed.notify_all();
        // Freed after the waiters are woken, not before.
        drop(old);
        version
    }

    /// Waits until the version differs from `since` (a page served before a
    /// restart of the server has a version this one may never reach, so
    /// "differs", not "exceeds"), or until `timeout` passes.
    pub fn wait_change(&self, since: u64, timeout: Duration) -> Arc<Snapshot> {
        let deadline = Instant::now() + timeout;
        let mut current = self.lock();
        while current.version == since {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            current = match self.changed.wait_timeout(current, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        current.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal(page: &str) -> Portal {
        Portal::new(vec![("index.html".into(), page.as_bytes().to_vec())])
    }

    #[test]
    fn a_failure_keeps_the_last_good_portal() {
        let live = Live::default();
        assert_eq!(live.publish(Ok(portal("one"))), 1);
        assert_eq!(live.publish(Err("broken".into())), 2);
        let s = live.snapshot();
        assert_eq!(s.failure.as_deref(), Some("broken"));
        assert_eq!(s.portal.as_ref().unwrap().files["index.html"], b"one");
        assert_eq!(live.publish(Ok(portal("two"))), 3);
        let s = live.snapshot();
        assert!(s.failure.is_none());
        assert_eq!(s.portal.as_ref().unwrap().files["index.html"], b"two");
    }

    #[test]
    fn waiting_returns_on_change_or_timeout() {
        let live = Arc::new(Live::default());
        assert_eq!(live.wait_change(0, Duration::from_millis(10)).version, 0);
        let other = live.clone();
        let waiter = std::thread::spawn(move || other.wait_change(0, Duration::from_secs(20)).version);
        std::thread::sleep(Duration::from_millis(20));
        live.publish(Ok(portal("x")));
        assert_eq!(waiter.join().unwrap(), 1);
        // A version from before a restart is "different", so it returns at once.
        assert_eq!(live.wait_change(7, Duration::from_secs(20)).version, 1);
    }
}
