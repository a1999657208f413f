//! What WhatsApp Web's connection state means for the user: `Socket.state` and `hasSynced` mapped to
//! the app's [`ConnectionState`] with a sentence saying why and what to do.

use whatsflow_engine::ConnectionState;

/// What the driver knows about the page, enough to say where the connection stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageView {
    /// `Socket.state`, once the page reported it.
    pub socket: Option<String>,
    pub synced: bool,
    /// The QR string currently on screen.
    pub qr: Option<String>,
    /// The pairing code the user asked for, while linking by phone number.
    pub pairing_code: Option<String>,
    /// Offline delivery progress in percent.
    pub progress: Option<u8>,
}

/// The state and explanation for a page view; `None` while the page has not said anything yet.
pub(crate) fn describe(view: &PageView) -> Option<(ConnectionState, Option<String>)> {
    let socket = view.socket.as_deref()?;
    let described = match socket {
        "CONNECTED" if view.synced => (ConnectionState::Connected, None),
        "CONNECTED" => (ConnectionState::Syncing, Some("Linked; catching up on messages".to_owned())),
        "UNPAIRED" | "UNPAIRED_IDLE" => {
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
        "OPENING" | "UNLAUNCHED" => (ConnectionState::Starting, Some("Connecting to WhatsApp".to_owned())),
        "PAIRING" => (ConnectionState::Starting, Some("Linking the phone".to_owned())),
        "TIMEOUT" => (
            ConnectionState::PhoneOffline,
            Some(
                "WhatsApp cannot reach the phone or the internet; it reconnects by itself. Check that the \
                 phone is on and online"
                    .to_owned(),
            ),
        ),
        "CONFLICT" => (
            ConnectionState::Conflict,
            Some(
                "WhatsApp Web was opened on another computer or browser. Choose \"Use here\" to take it back"
                    .to_owned(),
            ),
        ),
        "TOS_BLOCK" | "SMB_TOS_BLOCK" => (
            ConnectionState::Banned,
            Some(format!(
                "WhatsApp blocked this number ({socket}); sending has stopped. Open WhatsApp on the phone \
                 to see why and to request a review"
            )),
        ),
        "PROXYBLOCK" => (
            ConnectionState::Banned,
            Some(
                "WhatsApp refuses connections from this network (PROXYBLOCK). Try another network or turn \
                 off the VPN or proxy"
                    .to_owned(),
            ),
        ),
        "DEPRECATED_VERSION" => (
            ConnectionState::Banned,
            Some(
                "WhatsApp Web refuses this browser version (DEPRECATED_VERSION). Update Chromium, Chrome or \
                 Edge"
                    .to_owned(),
            ),
        ),
        other => (ConnectionState::Starting, Some(format!("WhatsApp Web is in state {other}"))),
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
            socket: Some(socket.to_owned()),
            synced,
            qr: qr.then(|| "ref,a,b,c,d".to_owned()),
            pairing_code: pairing.then(|| "ABCD1234".to_owned()),
            progress: None,
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
            ("DEPRECATED_VERSION", false, false, false, Banned),
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
    fn nothing_is_said_before_the_page_reports() {
        assert_eq!(describe(&PageView::default()), None);
    }

    #[test]
    fn a_ban_names_the_state_so_support_can_tell_them_apart() {
        let view = PageView {
            socket: Some("SMB_TOS_BLOCK".into()),
            ..PageView::default()
        };
        let (_, detail) = describe(&view).unwrap();
        assert!(detail.unwrap().contains("SMB_TOS_BLOCK"));
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
