//! The optional app lock: a passcode asked at start, stored only as an Argon2id hash. Repeated wrong
//! guesses are slowed down by a growing lockout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::{store, Db, Engine};

const KEY: &str = "app_lock.passcode_hash";
const MIN_LEN: usize = 4;
const MAX_LEN: usize = 128;
/// Wrong guesses allowed before the lockout starts.
const FREE_ATTEMPTS: u32 = 5;
/// First lockout; it doubles with every further wrong guess, up to `MAX_LOCKOUT_MS`.
const BASE_LOCKOUT_MS: Millis = 30_000;
const MAX_LOCKOUT_MS: Millis = 15 * 60_000;

/// Whether the app lock is set, and whether the app is locked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LockStatus {
    /// A passcode is set.
    pub enabled: bool,
    /// The app is locked now: only unlocking is allowed.
    pub locked: bool,
}

/// Sets or changes the passcode.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SetPasscode {
    /// Required when a passcode is already set.
    pub current_passcode: Option<String>,
    /// The passcode from now on.
    pub new_passcode: String,
}

/// The passcode typed to unlock.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Passcode {
    /// The passcode.
    pub passcode: String,
}

/// Turns the app lock off.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RemovePasscode {
    /// The passcode set now.
    pub current_passcode: String,
}

/// The key of the auto-lock setting.
const AUTO_LOCK_KEY: &str = "app_lock.auto";
/// The longest idle time the auto-lock accepts: a working day.
const MAX_AUTO_LOCK_MINUTES: u32 = 12 * 60;

/// Locking by itself: while a passcode is set, the UI locks the app after this many minutes without
/// input (a session timeout, so an unattended computer does not show the chats for long).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutoLock {
    /// Whether the app locks by itself (only while a passcode is set).
    pub enabled: bool,
    /// Minutes without input before it does, 1 to 720 (default 15).
    pub minutes: u32,
}

impl Default for AutoLock {
    fn default() -> AutoLock {
        AutoLock {
            enabled: true,
            minutes: 15,
        }
    }
}

/// In-memory lock state; the hash itself lives in the settings table.
pub(crate) struct LockState {
    locked: AtomicBool,
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    count: u32,
    blocked_until: Millis,
}

impl LockState {
    /// Starts locked when a passcode is set: the passcode is asked at every start.
    pub(crate) fn load(db: &Db) -> Result<LockState> {
        let enabled = db.with(|c| store::settings::get(c, KEY))?.is_some();
        Ok(LockState {
            locked: AtomicBool::new(enabled),
            failures: Mutex::default(),
        })
    }
}

fn hash(passcode: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(passcode.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("could not hash the passcode: {e}")))
}

fn matches(passcode: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(passcode.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl Engine {
    /// Whether a passcode is set and the app is locked.
    pub fn lock_status(&self) -> LockStatus {
        let enabled = self.stored_hash().ok().flatten().is_some();
        LockStatus {
            enabled,
            locked: enabled && self.lock_state().locked.load(Ordering::SeqCst),
        }
    }

    /// True while the app is locked; callers refuse everything but unlocking.
    pub fn is_locked(&self) -> bool {
        self.lock_status().locked
    }

    fn stored_hash(&self) -> Result<Option<String>> {
        let value = self.db().with(|c| store::settings::get(c, KEY))?;
        Ok(value.and_then(|v| v.as_str().map(str::to_owned)))
    }

    /// Checks a passcode against the stored hash, counting wrong guesses.
    fn verify_passcode(&self, field: &str, passcode: &str) -> Result<()> {
        let state = self.lock_state();
        let now = self.now();
        {
            let failures = state.failures.lock().unwrap_or_else(|p| p.into_inner());
            if failures.blocked_until > now {
                let wait = ((failures.blocked_until - now) as u64).div_ceil(1000);
                let mut err = Error::new(
                    ErrorCode::TooManyAttempts,
                    format!("Too many wrong passcodes; try again in {wait} seconds"),
                );
                err.retry_after = Some(wait);
                return Err(err);
            }
        }
        let stored = self
            .stored_hash()?
            .ok_or_else(|| Error::invalid_field(field, "No passcode is set"))?;
        // Argon2 is deliberately slow; the failure counter is not held across it.
        let ok = matches(passcode, &stored);
        let mut failures = state.failures.lock().unwrap_or_else(|p| p.into_inner());
        if ok {
            *failures = Failures::default();
            return Ok(());
        }
        failures.count += 1;
        if failures.count >= FREE_ATTEMPTS {
            let doublings = (failures.count - FREE_ATTEMPTS).min(10);
            let lockout = (BASE_LOCKOUT_MS << doublings).min(MAX_LOCKOUT_MS);
            failures.blocked_until = now + lockout;
        }
        let mut err = Error::new(ErrorCode::WrongPasscode, "Wrong passcode");
        err.details.push(crate::FieldError {
            field: field.into(),
            message: "Wrong passcode".into(),
        });
        Err(err)
    }

    /// Unlocks the app with the passcode; repeated wrong guesses lock it out for a while.
    pub fn unlock(&self, input: Passcode) -> Result<LockStatus> {
        self.verify_passcode("passcode", &input.passcode)?;
        self.lock_state().locked.store(false, Ordering::SeqCst);
        self.lock_changed()
    }

    /// Locks the app now (a passcode must be set).
    pub fn lock_now(&self) -> Result<LockStatus> {
        if !self.lock_status().enabled {
            return Err(Error::new(
                ErrorCode::Conflict,
                "Set a passcode before locking the app",
            ));
        }
        self.lock_state().locked.store(true, Ordering::SeqCst);
        self.lock_changed()
    }

    /// Sets the first passcode, or changes it (then the current one is required).
    pub fn set_passcode(&self, input: SetPasscode) -> Result<LockStatus> {
        let len = input.new_passcode.chars().count();
        if len < MIN_LEN {
            return Err(Error::invalid_field(
                "newPasscode",
                format!("The passcode must have at least {MIN_LEN} characters"),
            ));
        }
        if len > MAX_LEN {
            return Err(Error::invalid_field(
                "newPasscode",
                format!("The passcode must have at most {MAX_LEN} characters"),
            ));
        }
        if self.lock_status().enabled {
            let current = input.current_passcode.unwrap_or_default();
            self.verify_passcode("currentPasscode", &current)?;
        }
        let hashed = serde_json::Value::String(hash(&input.new_passcode)?);
        let now = self.now();
        self.db()
            .with(|c| store::settings::set(c, KEY, &hashed, now))?;
        self.lock_state().locked.store(false, Ordering::SeqCst);
        self.audit("app_lock.set", serde_json::json!({}))?;
        self.lock_changed()
    }

    /// Removes the passcode (it must be given), so the app no longer locks.
    pub fn remove_passcode(&self, input: RemovePasscode) -> Result<LockStatus> {
        self.verify_passcode("currentPasscode", &input.current_passcode)?;
        self.db().with(|c| store::settings::delete(c, KEY))?;
        self.lock_state().locked.store(false, Ordering::SeqCst);
        self.audit("app_lock.removed", serde_json::json!({}))?;
        self.lock_changed()
    }

    /// When the app locks by itself.
    pub fn auto_lock(&self) -> Result<AutoLock> {
        self.setting(AUTO_LOCK_KEY)
    }

    /// Saves when the app locks by itself; minutes outside 1 to 720 are refused, whatever `enabled`
    /// says, so a later switch on never meets a nonsense value.
    pub fn save_auto_lock(&self, auto_lock: AutoLock) -> Result<AutoLock> {
        if !(1..=MAX_AUTO_LOCK_MINUTES).contains(&auto_lock.minutes) {
            return Err(Error::invalid_field(
                "minutes",
                format!("Choose between 1 and {MAX_AUTO_LOCK_MINUTES} minutes"),
            ));
        }
        self.save_setting(AUTO_LOCK_KEY, &auto_lock)?;
        Ok(auto_lock)
    }

    /// Locks the app when nobody could have used it since `idle_since` (its window was closed or
    /// hidden then) for longer than the auto-lock allows; true when it locked now. A window the UI
    /// shows watches its own input instead.
    pub fn lock_if_idle_since(&self, idle_since: Millis) -> Result<bool> {
        let status = self.lock_status();
        let auto = self.auto_lock()?;
        let idle = self.now() - idle_since;
        if !status.enabled
            || status.locked
            || !auto.enabled
            || idle < auto.minutes as Millis * 60_000
        {
            return Ok(false);
        }
        self.lock_now()?;
        Ok(true)
    }

    fn lock_changed(&self) -> Result<LockStatus> {
        let status = self.lock_status();
        self.emit(Event::LockChanged(status));
        Ok(status)
    }

    /// Records a sensitive action in the audit log.
    pub fn audit(&self, action: &str, detail: serde_json::Value) -> Result<()> {
        let now = self.now();
        self.db()
            .with(|c| store::audit::insert(c, now, "user", action, &detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn engine() -> (Engine, Arc<crate::ManualClock>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(crate::ManualClock::new(1_700_000_000_000));
        (
            Engine::in_memory(clock.clone(), dir.path()).unwrap(),
            clock,
            dir,
        )
    }

    fn set(engine: &Engine, current: Option<&str>, new: &str) -> Result<LockStatus> {
        engine.set_passcode(SetPasscode {
            current_passcode: current.map(str::to_owned),
            new_passcode: new.into(),
        })
    }

    #[test]
    fn wrong_and_right_passcode() {
        let (engine, _clock, _dir) = engine();
        assert_eq!(
            engine.lock_status(),
            LockStatus {
                enabled: false,
                locked: false
            }
        );
        set(&engine, None, "2468").unwrap();
        engine.lock_now().unwrap();
        assert!(engine.is_locked());
        let wrong = engine
            .unlock(Passcode {
                passcode: "1357".into(),
            })
            .unwrap_err();
        assert_eq!(wrong.code, ErrorCode::WrongPasscode);
        assert!(
            engine.is_locked(),
            "a wrong passcode must leave the app locked"
        );
        engine
            .unlock(Passcode {
                passcode: "2468".into(),
            })
            .unwrap();
        assert!(!engine.is_locked());
    }

    #[test]
    fn changing_or_removing_needs_the_current_passcode() {
        let (engine, _clock, _dir) = engine();
        set(&engine, None, "2468").unwrap();
        assert_eq!(
            set(&engine, Some("0000"), "1111").unwrap_err().code,
            ErrorCode::WrongPasscode
        );
        set(&engine, Some("2468"), "1111").unwrap();
        let removed = engine.remove_passcode(RemovePasscode {
            current_passcode: "2468".into(),
        });
        assert_eq!(
            removed.unwrap_err().code,
            ErrorCode::WrongPasscode,
            "the old passcode is gone"
        );
        engine
            .remove_passcode(RemovePasscode {
                current_passcode: "1111".into(),
            })
            .unwrap();
        assert!(!engine.lock_status().enabled);
    }

    #[test]
    fn short_passcodes_are_refused() {
        let (engine, _clock, _dir) = engine();
        let err = set(&engine, None, "12").unwrap_err();
        assert_eq!(err.details[0].field, "newPasscode");
        assert!(
            !engine.lock_status().enabled,
            "nothing is saved for a refused passcode"
        );
    }

    #[test]
    fn repeated_wrong_guesses_lock_out_for_a_while() {
        let (engine, clock, _dir) = engine();
        set(&engine, None, "2468").unwrap();
        engine.lock_now().unwrap();
        for _ in 0..FREE_ATTEMPTS {
            let err = engine
                .unlock(Passcode {
                    passcode: "0000".into(),
                })
                .unwrap_err();
            assert_eq!(err.code, ErrorCode::WrongPasscode);
        }
        let err = engine
            .unlock(Passcode {
                passcode: "2468".into(),
            })
            .unwrap_err();
        assert_eq!(
            err.code,
            ErrorCode::TooManyAttempts,
            "even the right passcode waits out the lockout"
        );
        assert_eq!(err.retry_after, Some(30));
        clock.advance(BASE_LOCKOUT_MS);
        engine
            .unlock(Passcode {
                passcode: "2468".into(),
            })
            .unwrap();
    }

    #[test]
    fn auto_lock_defaults_to_fifteen_minutes_and_refuses_nonsense() {
        let (engine, _clock, _dir) = engine();
        assert_eq!(
            engine.auto_lock().unwrap(),
            AutoLock {
                enabled: true,
                minutes: 15
            }
        );
        let off = AutoLock {
            enabled: false,
            minutes: 30,
        };
        engine.save_auto_lock(off).unwrap();
        assert_eq!(engine.auto_lock().unwrap(), off);
        for minutes in [0, MAX_AUTO_LOCK_MINUTES + 1] {
            let err = engine
                .save_auto_lock(AutoLock {
                    enabled: true,
                    minutes,
                })
                .unwrap_err();
            assert_eq!(err.details[0].field, "minutes", "{minutes}");
        }
        assert_eq!(
            engine.auto_lock().unwrap(),
            off,
            "a refused value is not saved"
        );
    }

    #[test]
    fn a_window_away_longer_than_the_auto_lock_locks_the_app() {
        let (engine, clock, _dir) = engine();
        let hidden_at = engine.now();
        clock.advance(60 * 60_000);
        assert!(
            !engine.lock_if_idle_since(hidden_at).unwrap(),
            "no passcode, nothing to lock"
        );
        set(&engine, None, "2468").unwrap();
        let hidden_at = engine.now();
        clock.advance(15 * 60_000 - 1);
        assert!(!engine.lock_if_idle_since(hidden_at).unwrap());
        assert!(!engine.is_locked());
        clock.advance(1);
        assert!(engine.lock_if_idle_since(hidden_at).unwrap());
        assert!(engine.is_locked());
        assert!(
            !engine.lock_if_idle_since(hidden_at).unwrap(),
            "already locked"
        );

        engine
            .unlock(Passcode {
                passcode: "2468".into(),
            })
            .unwrap();
        engine
            .save_auto_lock(AutoLock {
                enabled: false,
                minutes: 15,
            })
            .unwrap();
        clock.advance(60 * 60_000);
        assert!(
            !engine.lock_if_idle_since(hidden_at).unwrap(),
            "switched off"
        );
    }

    #[test]
    fn a_set_passcode_locks_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let options = || crate::Options::new(dir.path(), Arc::new(crate::SystemClock));
        let engine = Engine::open(options()).unwrap();
        set(&engine, None, "2468").unwrap();
        assert!(
            !engine.is_locked(),
            "setting a passcode does not lock the running app"
        );
        drop(engine);
        assert!(
            Engine::open(options()).unwrap().is_locked(),
            "the passcode is asked at start"
        );
    }
}
