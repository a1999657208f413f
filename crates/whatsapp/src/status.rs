//! What WhatsApp Web's connection state means for the user: `Socket.state`, parsed once into
//! [`SocketState`], and `hasSynced` mapped to the app's [`ConnectionState`] with a sentence saying
//! why and what to do.

use serde::Deserialize;
use whatsflow_engine::ConnectionState;

/// WhatsApp Web's `Socket.state` (see `WHATSAPP-WEB.md`), read once where the page reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub(crate) enum SocketState {
    /// Transient: connecting, wait for a change.
    Opening,
    /// Transient: the phone is completing the link.
    Pairing,
    /// Transient: the socket has not started yet.
    Unlaunched,
    /// Nothing linked: a QR code or pairing code is needed.
    Unpaired,
    /// Like `Unpaired`, after a QR code was left unscanned for a while.
    UnpairedIdle,
    Connected,
    /// The phone or the internet cannot be reached; WhatsApp Web recovers by itself.
    Timeout,
    /// Opened in another browser; `takeover()` reclaims it.
    Conflict,
    /// The loaded web client is outdated.
    DeprecatedVersion,
    /// WhatsApp refuses connections from this network.
    ProxyBlock,
    /// The number is banned.
    TosBlock,
    /// The business number is banned.
    SmbTosBlock,
    /// A state this version does not know, kept as WhatsApp Web spelled it.
    Other(String),
}

impl SocketState {
    /// Reads WhatsApp Web's spelling; anything unknown becomes [`SocketState::Other`].
    pub fn parse(state: &str) -> SocketState {
        match state {
            "OPENING" => SocketState::Opening,
            "PAIRING" => SocketState::Pairing,
            "UNLAUNCHED" => SocketState::Unlaunched,
            "UNPAIRED" => SocketState::Unpaired,
            "UNPAIRED_IDLE" => SocketState::UnpairedIdle,
            "CONNECTED" => SocketState::Connected,
            "TIMEOUT" => SocketState::Timeout,
            "CONFLICT" => SocketState::Conflict,
            "DEPRECATED_VERSION" => SocketState::DeprecatedVersion,
            "PROXYBLOCK" => SocketState::ProxyBlock,
            "TOS_BLOCK" => SocketState::TosBlock,
            "SMB_TOS_BLOCK" => SocketState::SmbTosBlock,
            other => SocketState::Other(other.to_owned()),
        }
    }

    /// WhatsApp Web's spelling, for details the user may quote to support.
    pub fn as_str(&self) -> &str {
        match self {
            SocketState::Opening => "OPENING",
            SocketState::Pairing => "PAIRING",
            SocketState::Unlaunched => "UNLAUNCHED",
            SocketState::Unpaired => "UNPAIRED",
            SocketState::UnpairedIdle => "UNPAIRED_IDLE",
            SocketState::Connected => "CONNECTED",
            SocketState::Timeout => "TIMEOUT",
            SocketState::Conflict => "CONFLICT",
            SocketState::DeprecatedVersion => "DEPRECATED_VERSION",
            SocketState::ProxyBlock => "PROXYBLOCK",
            SocketState::TosBlock => "TOS_BLOCK",
            SocketState::SmbTosBlock => "SMB_TOS_BLOCK",
            SocketState::Other(other) => other,
        }
    }

    /// Nothing is linked in the profile: the page wants a QR scan or a pairing code.
    pub fn is_unpaired(&self) -> bool {
        matches!(self, SocketState::Unpaired | SocketState::UnpairedIdle)
    }
}

impl From<String> for SocketState {
    fn from(state: String) -> SocketState {
        SocketState::parse(&state)
    }
}

impl std::fmt::Display for SocketState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the driver knows about the page, enough to say where the connection stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageView {
    /// `Socket.state`, once the page reported it.
    pub socket: Option<SocketState>,
    pub synced: bool,
    /// The QR string currently on screen.
    pub qr: Option<String>,
    /// The pairing code the user asked for, while linking by phone number.
    pub pairing_code: Option<String>,
    /// Offline delivery progress in percent.
    pub progress: Option<u8>,
    /// Reloads for `DEPRECATED_VERSION` since the page last connected.
    pub outdated_reloads: u32,
}

/// After this many reloads that did not help, `DEPRECATED_VERSION` is the browser's age, not a
/// stale page: the user is told to update it (the reloads go on).
pub(crate) const RELOADS_BEFORE_BLAMING_THE_BROWSER: u32 = 3;

/// The state and explanation for a page view; `None` while the page has not said anything yet.
pub(crate) fn describe(view: &PageView) -> Option<(ConnectionState, Option<String>)> {
    let socket = view.socket.as_ref()?;
    let described = match socket {
        SocketState::Connected if view.synced => (ConnectionState::Connected, None),
        SocketState::Connected => (ConnectionState::Syncing, Some("Linked; catching up on messages".to_owned())),
        SocketState::Unpaired | SocketState::UnpairedIdle => {
            if view.pairing_code.is_some() {
                (
                    ConnectionState::PairingCode,
                    Some(
                        "On the phone open WhatsApp > Linked devices > Link a device > Link with phone \
                         number instead, and enter this code"
                            .to_owned(),
                    ),
                )
            } else if view.qr.is_some() {
                (
                    ConnectionState::Qr,
                    Some("On the phone open WhatsApp > Linked devices > Link a device, and scan this code".to_owned()),
                )
            } else {
                (ConnectionState::Starting, Some("Waiting for WhatsApp Web to show a QR code".to_owned()))
            }
        }
        SocketState::Opening | SocketState::Unlaunched => (ConnectionState::Starting, Some("Connecting to WhatsApp".to_owned())),
        SocketState::Pairing => (ConnectionState::Starting, Some("Linking the phone".to_owned())),
        SocketState::Timeout => (
            ConnectionState::PhoneOffline,
            Some(
                "WhatsApp cannot reach the phone or the internet; it reconnects by itself. Check that the \
                 phone is on and online"
                    .to_owned(),
            ),
        ),
        SocketState::Conflict => (
            ConnectionState::Conflict,
            Some(
                "WhatsApp Web was opened on another computer or browser. Choose \"Use here\" to take it back"
                    .to_owned(),
            ),
        ),
        SocketState::TosBlock | SocketState::SmbTosBlock => (
            ConnectionState::Banned,
            Some(format!(
                "WhatsApp blocked this number ({socket}); sending has stopped. Open WhatsApp on the phone \
                 to see why and to request a review"
            )),
        ),
        SocketState::ProxyBlock => (
            ConnectionState::Banned,
            Some(
                "WhatsApp refuses connections from this network (PROXYBLOCK). Try another network or turn \
                 off the VPN or proxy"
                    .to_owned(),
            ),
        ),
        // The loaded web client is outdated, not the number blocked: the driver reloads the page.
        SocketState::DeprecatedVersion if view.outdated_reloads >= RELOADS_BEFORE_BLAMING_THE_BROWSER => (
            ConnectionState::Starting,
            Some(
                "WhatsApp Web still says it is out of date (DEPRECATED_VERSION) after reloading: update \
                 Chromium, Chrome or Edge. Trying again"
                    .to_owned(),
            ),
        ),
        SocketState::DeprecatedVersion => (
            ConnectionState::Starting,
            Some("WhatsApp Web is out of date (DEPRECATED_VERSION); loading the current version".to_owned()),
        ),
        SocketState::Other(other) => (ConnectionState::Starting, Some(format!("WhatsApp Web is in state {other}"))),
    };
    Some(described)
}

/// The `detail` for a page missing parts the app relies on.
pub(crate) fn changed_detail(missing: &[String]) -> String {
    match missing {
        [] => "WhatsApp Web changed".to_owned(),
        [one] => format!("WhatsApp Web changed: {one} not found. WhatsFlow needs an update"),
        [first, rest @ ..] => format!(
            "WhatsApp Web changed: {first} not found (and {} more: {}). WhatsFlow needs an update",
            rest.len(),
            rest.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(socket: &str, synced: bool, qr: bool, pairing: bool) -> ConnectionState {
        let view = PageView {
            socket: Some(SocketState::parse(socket)),
            synced,
            qr: qr.then(|| "ref,a,b,c,d".to_owned()),
            pairing_code: pairing.then(|| "ABCD1234".to_owned()),
            progress: None,
            outdated_reloads: 0,
        };
        describe(&view).unwrap().0
    }

    #[test]
    fn socket_states_map_to_what_the_user_sees() {
        use ConnectionState::*;
        let cases = [
            ("UNPAIRED", false, true, false, Qr),
            ("UNPAIRED_IDLE", false, true, false, Qr),
            ("UNPAIRED", false, false, false, Starting),
            ("UNPAIRED", false, true, true, PairingCode),
            ("OPENING", false, false, false, Starting),
            ("PAIRING", false, false, false, Starting),
            ("UNLAUNCHED", false, false, false, Starting),
            ("CONNECTED", false, false, false, Syncing),
            ("CONNECTED", true, false, false, Connected),
            ("TIMEOUT", true, false, false, PhoneOffline),
            ("CONFLICT", true, false, false, Conflict),
            ("TOS_BLOCK", true, false, false, Banned),
            ("SMB_TOS_BLOCK", true, false, false, Banned),
            ("PROXYBLOCK", false, false, false, Banned),
            ("DEPRECATED_VERSION", false, false, false, Starting),
            ("SOMETHING_NEW", false, false, false, Starting),
        ];
        for (socket, synced, qr, pairing, expected) in cases {
            assert_eq!(
                state(socket, synced, qr, pairing),
                expected,
                "{socket} synced={synced} qr={qr}"
            );
        }
    }

    #[test]
    fn every_known_state_reads_back_as_spelled() {
        let known = [
            "OPENING",
            "PAIRING",
            "UNLAUNCHED",
            "UNPAIRED",
            "UNPAIRED_IDLE",
            "CONNECTED",
            "TIMEOUT",
            "CONFLICT",
            "DEPRECATED_VERSION",
            "PROXYBLOCK",
            "TOS_BLOCK",
            "SMB_TOS_BLOCK",
        ];
        for spelling in known {
            let state = SocketState::parse(spelling);
            assert!(
                !matches!(state, SocketState::Other(_)),
                "{spelling} is a known state"
            );
            assert_eq!(state.as_str(), spelling);
        }
    }

    #[test]
    fn unknown_states_are_kept_as_spelled() {
        let state = SocketState::parse("SOMETHING_NEW");
        assert_eq!(state, SocketState::Other("SOMETHING_NEW".to_owned()));
        assert_eq!(state.to_string(), "SOMETHING_NEW");
        assert_eq!(
            SocketState::parse("connected"),
            SocketState::Other("connected".to_owned()),
            "WhatsApp Web spells its states in capitals; another spelling is another state"
        );
    }

    #[test]
    fn only_the_two_unpaired_states_want_a_qr() {
        assert!(SocketState::Unpaired.is_unpaired());
        assert!(SocketState::UnpairedIdle.is_unpaired());
        for state in ["PAIRING", "CONNECTED", "OPENING", "UNPAIRED_SOMETHING"] {
            assert!(!SocketState::parse(state).is_unpaired(), "{state}");
        }
    }

    #[test]
    fn the_state_is_parsed_where_json_is_read() {
        let state: SocketState = serde_json::from_str(r#""TOS_BLOCK""#).unwrap();
        assert_eq!(state, SocketState::TosBlock);
        let state: SocketState = serde_json::from_str(r#""NEW_ONE""#).unwrap();
        assert_eq!(state, SocketState::Other("NEW_ONE".to_owned()));
    }

    #[test]
    fn nothing_is_said_before_the_page_reports() {
        assert_eq!(describe(&PageView::default()), None);
    }

    #[test]
    fn a_ban_names_the_state_so_support_can_tell_them_apart() {
        let view = PageView {
            socket: Some(SocketState::SmbTosBlock),
            ..PageView::default()
        };
        let (_, detail) = describe(&view).unwrap();
        assert!(detail.unwrap().contains("SMB_TOS_BLOCK"));
    }

    #[test]
    fn an_outdated_page_is_reloaded_before_the_browser_is_blamed() {
        let mut view = PageView {
            socket: Some(SocketState::DeprecatedVersion),
            outdated_reloads: 1,
            ..PageView::default()
        };
        let (state, detail) = describe(&view).unwrap();
        assert_eq!(state, ConnectionState::Starting, "outdated is not banned");
        assert!(detail.unwrap().contains("loading the current version"));
        view.outdated_reloads = RELOADS_BEFORE_BLAMING_THE_BROWSER;
        let (state, detail) = describe(&view).unwrap();
        assert_eq!(state, ConnectionState::Starting);
        assert!(detail.unwrap().contains("update Chromium"));
    }

    #[test]
    fn changed_detail_names_the_module() {
        let one = changed_detail(&["module WAWebQueryExistsJob".to_owned()]);
        assert!(
            one.starts_with("WhatsApp Web changed: module WAWebQueryExistsJob not found"),
            "{one}"
        );
        let two = changed_detail(&["module WAWebA".to_owned(), "WAWebB.x".to_owned()]);
        assert!(
            two.contains("module WAWebA") && two.contains("WAWebB.x"),
            "{two}"
        );
    }
}
