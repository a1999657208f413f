//! Where the link is, as explicit state machines instead of flags that had to agree: [`Phase`],
//! the browser's life (idle, waiting to launch, running WhatsApp Web, running a WhatsApp Web that
//! lacks something); [`Login`], what the profile holds, which outlives a crashed browser; and the
//! relaunch [`Backoff`].

use std::time::Duration;

use tokio::time::Instant;

use crate::browser::Session;
use crate::status::SocketState;

/// The first pause before relaunching a Chromium that died; doubled each time, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The browser's life. A browser runs only in `Running` and `Changed`, and only while the user
/// wants a connection; every other phase has none.
pub(crate) enum Phase {
    /// No browser, and none until `connect`: not started (`connect_at_start` off), logged out or
    /// stopped by the user, or after a launch that trying again cannot fix (no browser installed).
    Idle,
    /// A browser is wanted and is launched at this instant (at once, or after a back-off).
    LaunchAt(Instant),
    /// Chromium runs WhatsApp Web.
    Running(Box<Session>),
    /// Chromium runs, but WhatsApp Web lacks parts the app relies on: the page's state is not
    /// reported and calls are refused until a reload finds everything or `connect` relaunches.
    Changed(Box<Session>),
}

impl Phase {
    /// The running browser, if any.
    pub fn session(&self) -> Option<&Session> {
        match self {
            Phase::Running(session) | Phase::Changed(session) => Some(session),
            Phase::Idle | Phase::LaunchAt(_) => None,
        }
    }

    pub fn session_mut(&mut self) -> Option<&mut Session> {
        match self {
            Phase::Running(session) | Phase::Changed(session) => Some(session),
            Phase::Idle | Phase::LaunchAt(_) => None,
        }
    }

    /// Moves to `next`, handing back the browser that ran, for the caller to close or kill.
    pub fn leave(&mut self, next: Phase) -> Option<Box<Session>> {
        match std::mem::replace(self, next) {
            Phase::Running(session) | Phase::Changed(session) => Some(session),
            Phase::Idle | Phase::LaunchAt(_) => None,
        }
    }

    /// The page loaded with every part the app relies on (again, after a reload).
    pub fn page_ready(&mut self) {
        if let Phase::Changed(_) = self {
            if let Some(session) = self.leave(Phase::Idle) {
                *self = Phase::Running(session);
            }
        }
    }

    /// The page loaded without parts the app relies on.
    pub fn page_changed(&mut self) {
        if let Phase::Running(_) = self {
            if let Some(session) = self.leave(Phase::Idle) {
                *self = Phase::Changed(session);
            }
        }
    }

    pub fn is_changed(&self) -> bool {
        matches!(self, Phase::Changed(_))
    }

    /// Whether a browser is wanted and its launch time has come.
    pub fn launch_due(&self, now: Instant) -> bool {
        matches!(self, Phase::LaunchAt(at) if *at <= now)
    }
}

/// What the profile holds, as far as the page has said. It outlives the browser: a session
/// linked before a crash is still sealed at exit while the relaunch waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Login {
    /// Nothing linked: never linked, or the link was revoked meanwhile.
    Unlinked,
    /// The phone logged this computer out: shown as logged out (no QR) until `connect`.
    LoggedOutByPhone,
    /// A linked session worth sealing. `checkpointed`: sealed since it last became connected and
    /// synced, so each reconnection is checkpointed once.
    Linked { checkpointed: bool },
}

impl Login {
    pub fn is_linked(self) -> bool {
        matches!(self, Login::Linked { .. })
    }

    /// A launch found session files in the profile (restored from the vault, or left there by a
    /// browser that died): they count as linked until the page says otherwise.
    pub fn found_in_profile(self) -> Login {
        match self {
            Login::Unlinked => Login::Linked {
                checkpointed: false,
            },
            kept => kept,
        }
    }

    /// The page reported `Socket.state`; returns the new login and whether to checkpoint the
    /// session now (it has just become connected and synced).
    pub fn on_socket(self, state: &SocketState, synced: bool) -> (Login, bool) {
        match state {
            SocketState::Connected => {
                let checkpointed = matches!(self, Login::Linked { checkpointed: true });
                let checkpoint = synced && !checkpointed;
                let next = Login::Linked {
                    checkpointed: checkpointed || checkpoint,
                };
                (next, checkpoint)
            }
            // Nothing linked in the profile; a logout by the phone stays known for the next QR.
            state if state.is_unpaired() => match self {
                Login::Linked { .. } => (Login::Unlinked, false),
                kept => (kept, false),
            },
            // Still linked, but the connection is gone: the next one is checkpointed again.
            _ => match self {
                Login::Linked { .. } => (
                    Login::Linked {
                        checkpointed: false,
                    },
                    false,
                ),
                kept => (kept, false),
            },
        }
    }

    /// The user asked to connect again: the phone's logout is old news.
    pub fn on_connect(self) -> Login {
        match self {
            Login::LoggedOutByPhone => Login::Unlinked,
            kept => kept,
        }
    }
}

/// The pause before the next relaunch: doubles after each failure, back to the first once
/// WhatsApp Web connects or the user asks to connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            next: FIRST_BACKOFF,
        }
    }
}

impl Backoff {
    /// The pause to take now; the one after it is twice as long, up to the maximum.
    pub fn next_pause(&mut self) -> Duration {
        let pause = self.next;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        pause
    }

    pub fn reset(&mut self) {
        *self = Backoff::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: Login = Login::Linked {
        checkpointed: false,
    };
    const CHECKPOINTED: Login = Login::Linked { checkpointed: true };

    #[test]
    fn a_session_is_checkpointed_once_per_connection_when_synced() {
        let (login, checkpoint) = Login::Unlinked.on_socket(&SocketState::Connected, false);
        assert_eq!((login, checkpoint), (FRESH, false), "not before the sync");
        let (login, checkpoint) = login.on_socket(&SocketState::Connected, true);
        assert_eq!((login, checkpoint), (CHECKPOINTED, true), "just synced");
        let (login, checkpoint) = login.on_socket(&SocketState::Connected, true);
        assert_eq!((login, checkpoint), (CHECKPOINTED, false), "once only");

        let (login, checkpoint) = login.on_socket(&SocketState::Timeout, true);
        assert_eq!(
            (login, checkpoint),
            (FRESH, false),
            "still linked while away"
        );
        let (login, checkpoint) = login.on_socket(&SocketState::Connected, true);
        assert_eq!((login, checkpoint), (CHECKPOINTED, true), "back: again");
    }

    #[test]
    fn an_unpaired_page_means_nothing_is_linked() {
        for login in [FRESH, CHECKPOINTED, Login::Unlinked] {
            let (next, checkpoint) = login.on_socket(&SocketState::Unpaired, false);
            assert_eq!((next, checkpoint), (Login::Unlinked, false), "{login:?}");
        }
        let (next, _) = Login::Unlinked.on_socket(&SocketState::Opening, false);
        assert_eq!(next, Login::Unlinked, "a transient state links nothing");
    }

    #[test]
    fn a_logout_by_the_phone_is_remembered_until_a_new_link_or_connect() {
        let logged_out = Login::LoggedOutByPhone;
        for state in [
            SocketState::UnpairedIdle,
            SocketState::Opening,
            SocketState::Other("NEW".to_owned()),
        ] {
            assert_eq!(logged_out.on_socket(&state, false).0, logged_out, "{state}");
        }
        assert_eq!(logged_out.found_in_profile(), logged_out);
        assert_eq!(
            logged_out.on_socket(&SocketState::Connected, false).0,
            FRESH
        );
        assert_eq!(logged_out.on_connect(), Login::Unlinked);
        assert_eq!(CHECKPOINTED.on_connect(), CHECKPOINTED);
    }

    #[test]
    fn session_files_in_the_profile_count_as_linked() {
        assert_eq!(Login::Unlinked.found_in_profile(), FRESH);
        assert_eq!(CHECKPOINTED.found_in_profile(), CHECKPOINTED);
        assert!(FRESH.is_linked() && !Login::Unlinked.is_linked());
        assert!(!Login::LoggedOutByPhone.is_linked());
    }

    #[test]
    fn the_backoff_doubles_up_to_the_maximum_and_resets() {
        let mut backoff = Backoff::default();
        let pauses: Vec<u64> = (0..7).map(|_| backoff.next_pause().as_secs()).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 30, 30]);
        backoff.reset();
        assert_eq!(backoff.next_pause(), FIRST_BACKOFF);
    }

    #[test]
    fn only_a_due_launch_is_due() {
        let now = Instant::now();
        assert!(Phase::LaunchAt(now).launch_due(now));
        assert!(!Phase::LaunchAt(now + Duration::from_secs(1)).launch_due(now));
        assert!(!Phase::Idle.launch_due(now));
        let mut idle = Phase::Idle;
        assert!(idle.leave(Phase::LaunchAt(now)).is_none(), "no browser ran");
        assert!(idle.session().is_none());
    }
}
