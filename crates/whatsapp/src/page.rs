//! The program's side of the injected script: what the page reports through the CDP binding, and
//! calls into the page (`window.__whatsflow.call`) with retries across reloads.

use std::time::Duration;

use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::Page;
use serde::Deserialize;
use serde_json::Value;

use crate::status::SocketState;

/// The injected script; its module map is the only list of WhatsApp Web names the app uses.
pub(crate) const INJECTED_SCRIPT: &str = include_str!("inject.js");

/// How long an ordinary call into the page may take, reloads included.
pub(crate) const CALL_DEADLINE: Duration = Duration::from_secs(30);
/// Sending may include uploading a file.
pub(crate) const SEND_DEADLINE: Duration = Duration::from_secs(120);

/// The binding the script calls (`window.whatsflowBridge(json)`); the same name is in `inject.js`.
pub(crate) const BINDING: &str = "whatsflowBridge";

/// One report from the page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum PageEvent {
    /// The site loaded (`window.Debug.VERSION`) and every module was found.
    Ready { version: String },
    /// The site loaded but something the app relies on is gone.
    Changed {
        version: String,
        missing: Vec<String>,
    },
    /// `window.Debug.VERSION` did not appear in time.
    LoadTimeout { url: String },
    /// `Socket.state` / `hasSynced` changed; `me` and `push_name` once connected.
    #[serde(rename_all = "camelCase")]
    State {
        state: SocketState,
        synced: bool,
        #[serde(default)]
        me: Option<String>,
        #[serde(default)]
        push_name: Option<String>,
    },
    /// A new QR string (five comma-separated parts).
    Qr { qr: String },
    /// Offline message delivery progress, in percent.
    Progress { percent: f64 },
    /// The phone (or the user) logged this session out.
    Logout { reason: String },
    /// One piece of a received file, base64; the `Msg` event for `id` follows the last piece.
    Media {
        id: String,
        index: usize,
        data: String,
    },
    /// New messages, received or sent from the phone, coalesced (everything that arrived in the
    /// same task of the page, at most 500).
    Msgs { messages: Vec<RawMessage> },
    /// A batch of the history backfill: messages of the chats WhatsApp Web has loaded, with how
    /// far the backfill is.
    #[serde(rename_all = "camelCase")]
    History {
        /// The backfill's number in this document; a newer one supersedes it.
        run: u64,
        messages: Vec<RawMessage>,
        chats_done: usize,
        chats_total: usize,
        /// Messages read so far, these included.
        messages_read: usize,
        done: bool,
    },
    /// Its sender deleted a message for everyone.
    Revoke { id: String },
    /// Its sender edited a message: the new text of its body or caption.
    Edit { id: String, text: String },
    /// A sent message's ack moved.
    #[serde(rename_all = "camelCase")]
    Ack {
        id: String,
        key_id: String,
        ack: i32,
    },
    /// A line for the log.
    Log { text: String },
}

/// A message as the script reports it (see `messageFields` in `inject.js`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawMessage {
    pub id: String,
    pub chat: String,
    pub from_me: bool,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub body: String,
    pub caption: Option<String>,
    /// Unix seconds.
    pub t: i64,
    pub push_name: Option<String>,
    pub mimetype: Option<String>,
    pub filename: Option<String>,
    /// For an `@lid` chat, the phone's `<digits>@c.us` if WhatsApp knows it.
    pub phone: Option<String>,
    pub quoted_id: Option<String>,
    pub media: Option<MediaInfo>,
    pub media_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct MediaInfo {
    pub chunks: usize,
    pub size: usize,
}

impl PageEvent {
    pub(crate) fn parse(payload: &str) -> serde_json::Result<PageEvent> {
        serde_json::from_str(payload)
    }
}

/// Why a call into the page failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum CallError {
    /// WhatsApp Web answered with an error (a number it cannot find, a refused send, ...).
    #[error("{0}")]
    Page(String),
    /// The page kept reloading or loading for longer than the call may wait.
    #[error("WhatsApp Web did not answer in time ({0})")]
    Timeout(String),
    /// The browser is gone.
    #[error("the browser is not reachable: {0}")]
    Browser(String),
}

/// Errors that mean "the page reloaded under the call": retry once the script is back.
fn is_reload(message: &str) -> bool {
    [
        "Execution context was destroyed",
        "Cannot find context",
        "Inspected target navigated or closed",
        "Promise was collected",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

/// Calls `window.__whatsflow.call(name, args)`, retrying while the page reloads or is still loading,
/// for at most `deadline`.
pub(crate) async fn call(
    page: &Page,
    name: &str,
    args: &Value,
    deadline: Duration,
) -> Result<Value, CallError> {
    let expression = format!(
        "window.__whatsflow ? window.__whatsflow.call({}, {}) : ({{retry: 'the bridge is not injected yet'}})",
        Value::String(name.to_owned()),
        args
    );
    let give_up = tokio::time::Instant::now() + deadline;
    loop {
        let params = EvaluateParams::builder()
            .expression(expression.clone())
            .await_promise(true)
            .return_by_value(true)
            .build()
            .map_err(CallError::Page)?;
        let left = give_up.saturating_duration_since(tokio::time::Instant::now());
        let answer = match tokio::time::timeout(left, page.execute(params)).await {
            Err(_) => {
                return Err(CallError::Timeout(format!(
                    "{name} took longer than {}s",
                    deadline.as_secs()
                )))
            }
            Ok(Err(error)) => {
                let text = error.to_string();
                if !is_reload(&text) {
                    return Err(CallError::Browser(text));
                }
                Answer::Retry(text)
            }
            Ok(Ok(response)) => match &response.result.exception_details {
                Some(exception) => {
                    let text = exception
                        .exception
                        .as_ref()
                        .and_then(|e| e.description.clone())
                        .unwrap_or_else(|| exception.text.clone());
                    if !is_reload(&text) {
                        return Err(CallError::Page(text));
                    }
                    Answer::Retry(text)
                }
                None => interpret(response.result.result.value.clone().unwrap_or(Value::Null))?,
            },
        };
        match answer {
            Answer::Ok(value) => return Ok(value),
            Answer::Retry(reason) => {
                if tokio::time::Instant::now() + RETRY_PAUSE >= give_up {
                    return Err(CallError::Timeout(reason));
                }
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }
}

const RETRY_PAUSE: Duration = Duration::from_millis(300);

/// What a call into the page came back with, short of an error.
#[derive(Debug, PartialEq)]
enum Answer {
    Ok(Value),
    /// Worth repeating (the page reloads or is loading), and why.
    Retry(String),
}

/// Reads the `{ok}` / `{error}` / `{retry}` answer of `__whatsflow.call`.
fn interpret(answer: Value) -> Result<Answer, CallError> {
    if let Some(reason) = answer.get("retry") {
        return Ok(Answer::Retry(
            reason.as_str().unwrap_or("the page is loading").to_owned(),
        ));
    }
    if let Some(error) = answer.get("error") {
        let text = error.as_str().unwrap_or("WhatsApp Web reported an error");
        return Err(CallError::Page(text.to_owned()));
    }
    match answer {
        Value::Object(mut map) if map.contains_key("ok") => {
            Ok(Answer::Ok(map.remove("ok").unwrap_or(Value::Null)))
        }
        other => Err(CallError::Page(format!(
            "unexpected answer from the page: {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_binding_name_is_the_one_the_script_calls() {
        assert!(
            INJECTED_SCRIPT.contains(&format!("const BINDING = '{BINDING}'")),
            "inject.js and page.rs must agree on the binding, or no event ever arrives"
        );
    }

    #[test]
    fn answers_are_read_as_value_retry_or_error() {
        assert_eq!(interpret(json!({"ok": 3})).unwrap(), Answer::Ok(json!(3)));
        assert_eq!(
            interpret(json!({"ok": null})).unwrap(),
            Answer::Ok(Value::Null)
        );
        assert!(matches!(
            interpret(json!({"retry": "loading"})).unwrap(),
            Answer::Retry(_)
        ));
        assert_eq!(
            interpret(json!({"error": "no chat"})).unwrap_err(),
            CallError::Page("no chat".into())
        );
        assert!(
            interpret(json!(42)).is_err(),
            "anything else is a broken bridge, not a value"
        );
    }

    #[test]
    fn page_reports_parse() {
        let state = PageEvent::parse(r#"{"kind":"state","state":"CONNECTED","synced":true,"me":"15550001111@c.us","pushName":"Shop"}"#).unwrap();
        assert_eq!(
            state,
            PageEvent::State {
                state: SocketState::Connected,
                synced: true,
                me: Some("15550001111@c.us".into()),
                push_name: Some("Shop".into())
            }
        );
        let ack = PageEvent::parse(r#"{"kind":"ack","id":"true_1@c.us_AB","keyId":"AB","ack":2}"#)
            .unwrap();
        assert_eq!(
            ack,
            PageEvent::Ack {
                id: "true_1@c.us_AB".into(),
                key_id: "AB".into(),
                ack: 2
            }
        );
        let changed =
            PageEvent::parse(r#"{"kind":"changed","version":"2.3","missing":["module WAWebX"]}"#)
                .unwrap();
        let history = PageEvent::parse(
            r#"{"kind":"history","run":2,"chatsDone":1,"chatsTotal":3,"messagesRead":1,"done":false,
                "messages":[{"id":"false_1@c.us_A","chat":"1@c.us","fromMe":false,"type":"chat",
                "body":"hi","caption":null,"t":5,"pushName":null,"mimetype":null,"filename":null,
                "phone":null,"quotedId":null,"media":null,"mediaError":null}]}"#,
        )
        .unwrap();
        assert!(
            matches!(&history, PageEvent::History { run: 2, messages, chats_total: 3, .. } if messages.len() == 1)
        );
        assert!(matches!(changed, PageEvent::Changed { .. }));
        let edit = PageEvent::parse(r#"{"kind":"edit","id":"false_1@c.us_AB","text":"new"}"#);
        assert_eq!(
            edit.unwrap(),
            PageEvent::Edit {
                id: "false_1@c.us_AB".into(),
                text: "new".into()
            }
        );
        assert!(PageEvent::parse(r#"{"kind":"revoke","id":"false_1@c.us_AB"}"#).is_ok());
        assert!(PageEvent::parse(r#"{"kind":"nonsense"}"#).is_err());
    }

    #[test]
    fn reloads_are_recognised() {
        assert!(is_reload("Execution context was destroyed."));
        assert!(is_reload("Cannot find context with specified id"));
        assert!(!is_reload("WhatsApp has no chat for 1@c.us"));
    }
}
