//! Parsing and validating the bodies of `/control` requests into the state machine's inputs.
//!
//! Every rejection says what was wrong and what is accepted, since the callers are people writing
//! tests and the demo's "simulated phone" panel.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::state::{self, ConfigChange, Fail, Media, Message, NewInbound};

/// A tiny JPEG, standing in for the thumbnail real WhatsApp puts in the `body` of image, video
/// and location messages (the caption lives in `caption`).
pub(crate) const THUMBNAIL_JPEG_B64: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABAb/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCoANNP/9k=";

const INBOUND_TYPES: &[&str] = &[
    "chat", "image", "video", "audio", "ptt", "document", "sticker", "location", "vcard",
];

/// Parses a JSON body; an empty body counts as `{}` so bodiless POSTs work.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Fail> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|error| Fail {
        status: 400,
        code: "bad_json",
        message: format!("the request body is not valid JSON for this route: {error}"),
    })
}

/// `+E164` → digits.
pub(crate) fn e164_digits(text: &str, field: &str) -> Result<String, Fail> {
    text.strip_prefix('+')
        .filter(|digits| {
            (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        })
        .filter(|digits| !digits.starts_with('0'))
        .map(str::to_string)
        .ok_or_else(|| {
            Fail::bad_request(format!(
                "{field} must be an international number like \"+15551234567\" (a plus and 7 to 15 digits), got {text:?}"
            ))
        })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScanRequest {
    phone_number: Option<String>,
    push_name: Option<String>,
}

/// `/control/scan {phoneNumber?, pushName?}` → (digits, push name).
pub(crate) fn parse_scan(body: &[u8]) -> Result<(String, String), Fail> {
    let request: ScanRequest = parse_json(body)?;
    let phone = e164_digits(
        request
            .phone_number
            .as_deref()
            .unwrap_or(state::DEFAULT_PHONE),
        "phoneNumber",
    )?;
    let push_name = request
        .push_name
        .unwrap_or_else(|| state::DEFAULT_PUSH_NAME.to_string());
    if push_name.trim().is_empty() {
        return Err(Fail::bad_request("pushName must not be empty"));
    }
    Ok((phone, push_name))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairingRequest {
    code: String,
}

pub(crate) fn parse_pairing(body: &[u8]) -> Result<String, Fail> {
    Ok(parse_json::<PairingRequest>(body)?.code)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AckRequest {
    id: String,
    ack: i64,
}

pub(crate) fn parse_ack(body: &[u8]) -> Result<(String, i8), Fail> {
    let request: AckRequest = parse_json(body)?;
    if !(-1..=4).contains(&request.ack) {
        return Err(Fail::bad_request(format!(
            "ack must be -1 (error), 0 (pending), 1 (server), 2 (delivered), 3 (read) or 4 (played), got {}",
            request.ack
        )));
    }
    Ok((request.id, request.ack as i8))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdRequest {
    id: String,
}

pub(crate) fn parse_id(body: &[u8]) -> Result<String, Fail> {
    Ok(parse_json::<IdRequest>(body)?.id)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditRequest {
    id: String,
    body: String,
}

pub(crate) fn parse_edit(body: &[u8]) -> Result<(String, String), Fail> {
    let request: EditRequest = parse_json(body)?;
    Ok((request.id, request.body))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DisappearingRequest {
    chat_id: String,
    seconds: u32,
}

/// `/control/disappearing {chatId, seconds}`: a chat's disappearing-message timer (0 turns it off).
pub(crate) fn parse_disappearing(body: &[u8]) -> Result<(String, u32), Fail> {
    let request: DisappearingRequest = parse_json(body)?;
    let user_chat = ["@c.us", "@lid"]
        .iter()
        .any(|server| state::wid_user_is_digits(&request.chat_id, server));
    if !user_chat {
        return Err(Fail::bad_request(format!(
            "chatId must be a person's chat id like \"15551234567@c.us\" or \"123456789@lid\", got {:?}",
            request.chat_id
        )));
    }
    Ok((request.chat_id, request.seconds))
}

/// `/control/config`: every field optional; `null` in `ackDelaysMs` stops automatic acks at that
/// step, and `banAfterPerMinute: null` turns the ban off.
pub(crate) fn parse_config(body: &[u8]) -> Result<ConfigChange, Fail> {
    let value: Value = parse_json(body)?;
    let Value::Object(fields) = value else {
        return Err(Fail::bad_request(
            "the config must be a JSON object like {\"ackDelaysMs\": [100, 300, 800]}",
        ));
    };
    let mut change = ConfigChange::default();
    for (name, value) in fields {
        match name.as_str() {
            "ackDelaysMs" => {
                let delays = value.as_array().filter(|list| list.len() == 3).ok_or_else(|| {
                    Fail::bad_request(
                        "ackDelaysMs must be a list of three delays in milliseconds [server, device, read], each a number or null",
                    )
                })?;
                let mut parsed = [None; 3];
                for (slot, delay) in parsed.iter_mut().zip(delays) {
                    *slot = match delay {
                        Value::Null => None,
                        delay => Some(delay.as_u64().filter(|ms| *ms <= 3_600_000).ok_or_else(
                            || {
                                Fail::bad_request(format!(
                                    "ackDelaysMs entries must be null or a whole number of milliseconds up to 3600000, got {delay}"
                                ))
                            },
                        )?),
                    };
                }
                change.ack_delays_ms = Some(parsed);
            }
            "notOnWhatsApp" => {
                let numbers = value.as_array().ok_or_else(|| {
                    Fail::bad_request("notOnWhatsApp must be a list of numbers like [\"+15551234567\"]")
                })?;
                let mut set = BTreeSet::new();
                for number in numbers {
                    let text = number.as_str().ok_or_else(|| {
                        Fail::bad_request(format!("notOnWhatsApp entries must be strings, got {number}"))
                    })?;
                    set.insert(format!("+{}", e164_digits(text, "each notOnWhatsApp entry")?));
                }
                change.not_on_whatsapp = Some(set);
            }
            "banAfterPerMinute" => {
                change.ban_after_per_minute = Some(match value {
                    Value::Null => None,
                    value => Some(
                        value
                            .as_u64()
                            .and_then(|n| u32::try_from(n).ok())
                            .ok_or_else(|| {
                                Fail::bad_request(format!(
                                    "banAfterPerMinute must be a whole number of sends (or null for never), got {value}"
                                ))
                            })?,
                    ),
                });
            }
            "missingModules" => {
                let names = value
                    .as_array()
                    .and_then(|list| {
                        list.iter()
                            .map(|name| name.as_str().map(str::to_string))
                            .collect::<Option<Vec<String>>>()
                    })
                    .ok_or_else(|| {
                        Fail::bad_request("missingModules must be a list of module names like [\"WAWebMsgKey\"]")
                    })?;
                change.missing_modules = Some(names);
            }
            "qrRotateMs" => {
                let ms = value
                    .as_u64()
                    .filter(|ms| (50..=600_000).contains(ms))
                    .ok_or_else(|| {
                        Fail::bad_request(format!(
                            "qrRotateMs must be a whole number of milliseconds from 50 to 600000, got {value}"
                        ))
                    })?;
                change.qr_rotate_ms = Some(ms);
            }
            "lateModules" => {
                let entries = value.as_object().ok_or_else(|| {
                    Fail::bad_request(
                        "lateModules must be an object of module name → milliseconds after the sync (null: at boot), like {\"WAWebQueryExistsJob\": 3000}",
                    )
                })?;
                let mut late = BTreeMap::new();
                for (module, delay) in entries {
                    let delay = match delay {
                        Value::Null => None,
                        delay => Some(delay.as_u64().filter(|ms| *ms <= 600_000).ok_or_else(|| {
                            Fail::bad_request(format!(
                                "lateModules.{module} must be null or a whole number of milliseconds up to 600000, got {delay}"
                            ))
                        })?),
                    };
                    late.insert(module.clone(), delay);
                }
                change.late_modules = Some(late);
            }
            other => {
                return Err(Fail::bad_request(format!(
                    "unknown config field {other:?}; known: ackDelaysMs, notOnWhatsApp, banAfterPerMinute, missingModules, qrRotateMs, lateModules"
                )))
            }
        }
    }
    Ok(change)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MediaRequest {
    data: String,
    mimetype: String,
    filename: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InboundRequest {
    from: String,
    push_name: Option<String>,
    body: Option<String>,
    caption: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    media: Option<MediaRequest>,
    lid_phone: Option<String>,
    id: Option<String>,
    group: Option<String>,
    quoted_id: Option<String>,
    is_forwarded: Option<bool>,
    lat: Option<f64>,
    lng: Option<f64>,
    decrypt_delay_ms: Option<u64>,
}

/// The sender's wid: `+E164` → `<digits>@c.us`; `<n>@lid` and `<digits>@c.us` as given.
fn sender_wid(from: &str) -> Result<String, Fail> {
    if from.starts_with('+') {
        return Ok(format!("{}@c.us", e164_digits(from, "from")?));
    }
    for server in ["@lid", "@c.us"] {
        if let Some(user) = from.strip_suffix(server) {
            if !user.is_empty() && user.len() <= 20 && user.bytes().all(|b| b.is_ascii_digit()) {
                return Ok(from.to_string());
            }
        }
    }
    Err(Fail::bad_request(format!(
        "from must be \"+E164\" (like \"+15551234567\") or a hidden linked id like \"123456789012345@lid\", got {from:?}"
    )))
}

fn type_for_mimetype(mimetype: &str) -> &'static str {
    match mimetype.split('/').next().unwrap_or_default() {
        "image" if mimetype == "image/webp" => "sticker",
        "image" => "image",
        "video" => "video",
        "audio" => "audio",
        _ => "document",
    }
}

/// `/control/inbound`: builds the message someone sends to the business.
pub(crate) fn parse_inbound(body: &[u8]) -> Result<NewInbound, Fail> {
    let request: InboundRequest = parse_json(body)?;
    let sender = sender_wid(&request.from)?;
    let kind = match (&request.kind, &request.media) {
        (Some(kind), _) => {
            if !INBOUND_TYPES.contains(&kind.as_str()) {
                return Err(Fail::bad_request(format!(
                    "type {kind:?} is not one the simulator delivers; use one of {}",
                    INBOUND_TYPES.join(", ")
                )));
            }
            kind.clone()
        }
        (None, Some(media)) => type_for_mimetype(&media.mimetype).to_string(),
        (None, None) if request.lat.is_some() => "location".into(),
        (None, None) => "chat".into(),
    };

    let media = match (&request.media, state::is_media_type(&kind)) {
        (Some(media), true) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(media.data.trim())
                .map_err(|error| {
                    Fail::bad_request(format!("media.data must be standard base64: {error}"))
                })?;
            if media.mimetype.is_empty() || !media.mimetype.contains('/') {
                return Err(Fail::bad_request(format!(
                    "media.mimetype must be a MIME type like \"image/jpeg\", got {:?}",
                    media.mimetype
                )));
            }
            Some((bytes, media.mimetype.clone(), media.filename.clone()))
        }
        (Some(_), false) => {
            return Err(Fail::bad_request(format!(
                "a {kind} message carries no media; drop the media field or pick a media type"
            )))
        }
        (None, true) => {
            return Err(Fail::bad_request(format!(
                "a {kind} message needs media: {{data (base64), mimetype, filename?}}"
            )))
        }
        (None, false) => None,
    };

    let key_id = match &request.id {
        Some(id) => {
            if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(Fail::bad_request(format!(
                    "id must be 1 to 64 letters and digits (the message id's last part), got {id:?}"
                )));
            }
            id.clone()
        }
        None => state::new_inbound_key_id(),
    };
    let lid_phone = match &request.lid_phone {
        Some(phone) => {
            let Some(lid_user) = sender.strip_suffix("@lid") else {
                return Err(Fail::bad_request(
                    "lidPhone only applies when from is a hidden linked id (\"<n>@lid\")",
                ));
            };
            Some((lid_user.to_string(), e164_digits(phone, "lidPhone")?))
        }
        None => None,
    };
    let (remote, author) = match &request.group {
        Some(group) => {
            let valid = group.strip_suffix("@g.us").is_some_and(|id| {
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            });
            if !valid {
                return Err(Fail::bad_request(format!(
                    "group must be a group id like \"120363012345678901@g.us\", got {group:?}"
                )));
            }
            (group.clone(), Some(sender.clone()))
        }
        None => (sender.clone(), None),
    };
    let id = match &author {
        Some(author) => format!("false_{remote}_{key_id}_{author}"),
        None => format!("false_{remote}_{key_id}"),
    };

    let text = request.body.clone().unwrap_or_default();
    let at_ms = state::wall_clock_ms();
    let mut message = Message {
        id,
        key_id,
        from_me: false,
        remote: remote.clone(),
        participant: author.clone(),
        from: remote,
        to: String::new(),
        author,
        kind: kind.clone(),
        body: String::new(),
        caption: None,
        t: at_ms / 1000,
        ack: 0,
        notify_name: request.push_name.clone(),
        mimetype: None,
        filename: None,
        size: None,
        direct_path: None,
        media_key: None,
        media_key_timestamp: None,
        lat: None,
        lng: None,
        loc: None,
        vcard_formatted_name: None,
        quoted_id: request.quoted_id.clone(),
        is_forwarded: request.is_forwarded.unwrap_or(false),
        lid_phone: None,
        latest_edit_t: None,
        at_ms,
        delivered: false,
        error: None,
        ack_generation: 0,
        ack_paused: false,
    };
    let caption = request.caption.clone().or(request.body.clone());
    match kind.as_str() {
        "chat" => {
            if text.is_empty() {
                return Err(Fail::bad_request("a chat message needs a non-empty body"));
            }
            message.body = text;
        }
        "image" | "video" => {
            message.body = THUMBNAIL_JPEG_B64.into();
            message.caption = caption;
        }
        "document" => message.caption = caption,
        "location" => {
            let (Some(lat), Some(lng)) = (request.lat, request.lng) else {
                return Err(Fail::bad_request("a location message needs lat and lng"));
            };
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
                return Err(Fail::bad_request(format!(
                    "lat must be within ±90 and lng within ±180, got {lat}, {lng}"
                )));
            }
            message.body = THUMBNAIL_JPEG_B64.into();
            message.lat = Some(lat);
            message.lng = Some(lng);
            message.loc = caption;
        }
        "vcard" => {
            if !text.trim_start().starts_with("BEGIN:VCARD") {
                return Err(Fail::bad_request(
                    "a vcard message needs the vCard text (BEGIN:VCARD …) as its body",
                ));
            }
            message.vcard_formatted_name = text
                .lines()
                .find_map(|line| line.strip_prefix("FN:"))
                .map(|name| name.trim().to_string());
            message.body = text;
        }
        _ => {} // audio, ptt, sticker: no text
    }

    let media = media.map(|(bytes, mimetype, filename)| {
        let direct_path = state::new_direct_path();
        let media_key = state::new_media_key();
        message.size = Some(bytes.len() as u64);
        message.mimetype = Some(mimetype.clone());
        message.filename = match kind.as_str() {
            "document" => Some(filename.clone().unwrap_or_else(|| "file".into())),
            _ => filename,
        };
        message.direct_path = Some(direct_path);
        message.media_key = Some(media_key.clone());
        message.media_key_timestamp = Some(at_ms / 1000);
        Media {
            bytes,
            mimetype,
            media_key,
        }
    });

    Ok(NewInbound {
        message,
        media,
        lid_phone,
        decrypt_delay_ms: request.decrypt_delay_ms,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn inbound_message(from: &str, body: &str) -> NewInbound {
        let request = serde_json::json!({"from": from, "body": body});
        parse_inbound(request.to_string().as_bytes()).unwrap()
    }

    fn rejects(result: Result<impl std::fmt::Debug, Fail>, needle: &str) {
        let fail = result.expect_err("the request is invalid");
        assert_eq!(fail.status, 400);
        assert!(
            fail.message.contains(needle),
            "the message {:?} should mention {needle:?}",
            fail.message
        );
    }

    #[test]
    fn config_accepts_partial_changes_and_null_steps() {
        let change =
            parse_config(br#"{"ackDelaysMs": [10, null, 30], "banAfterPerMinute": null}"#).unwrap();
        assert_eq!(change.ack_delays_ms, Some([Some(10), None, Some(30)]));
        assert_eq!(change.ban_after_per_minute, Some(None));
        assert!(change.missing_modules.is_none());
    }

    #[test]
    fn config_rejections_say_what_is_accepted() {
        rejects(parse_config(b"{not json"), "not valid JSON");
        rejects(parse_config(b"[1]"), "JSON object");
        rejects(parse_config(br#"{"ackDelaysMs": [1, 2]}"#), "three delays");
        rejects(
            parse_config(br#"{"ackDelaysMs": [1, -2, 3]}"#),
            "null or a whole number",
        );
        rejects(
            parse_config(br#"{"notOnWhatsApp": ["555"]}"#),
            "+15551234567",
        );
        rejects(parse_config(br#"{"qrRotateMs": 1}"#), "from 50");
        rejects(parse_config(br#"{"banAfter": 3}"#), "unknown config field");
    }

    #[test]
    fn inbound_senders_and_ids() {
        let message = inbound_message("+5511912345678", "oi").message;
        assert_eq!(message.from, "5511912345678@c.us");
        assert!(message.id.starts_with("false_5511912345678@c.us_3A"));
        assert_eq!(message.kind, "chat");

        let request = br#"{"from": "123456789012345@lid", "body": "hi", "lidPhone": "+491711234567", "id": "ABC123"}"#;
        let inbound = parse_inbound(request).unwrap();
        assert_eq!(inbound.message.id, "false_123456789012345@lid_ABC123");
        assert_eq!(
            inbound.lid_phone,
            Some(("123456789012345".into(), "491711234567".into()))
        );

        let group = br#"{"from": "+15551234567", "body": "hi", "group": "120363012345678901@g.us", "id": "X1"}"#;
        let message = parse_inbound(group).unwrap().message;
        assert_eq!(
            message.id,
            "false_120363012345678901@g.us_X1_15551234567@c.us"
        );
        assert_eq!(message.author.as_deref(), Some("15551234567@c.us"));
    }

    #[test]
    fn inbound_media_keeps_the_caption_apart_from_the_thumbnail() {
        let request = br#"{"from": "+15551234567", "body": "our menu", "media": {"data": "aGVsbG8=", "mimetype": "image/png"}}"#;
        let inbound = parse_inbound(request).unwrap();
        assert_eq!(inbound.message.kind, "image");
        assert_eq!(inbound.message.caption.as_deref(), Some("our menu"));
        assert_eq!(inbound.message.body, THUMBNAIL_JPEG_B64);
        assert_eq!(inbound.message.size, Some(5));
        assert_eq!(inbound.media.unwrap().bytes, b"hello");
    }

    #[test]
    fn inbound_rejections() {
        rejects(
            parse_inbound(br#"{"from": "5551234567", "body": "x"}"#),
            "+E164",
        );
        rejects(
            parse_inbound(br#"{"from": "+15551234567"}"#),
            "non-empty body",
        );
        rejects(
            parse_inbound(br#"{"from": "+15551234567", "type": "image"}"#),
            "needs media",
        );
        rejects(
            parse_inbound(br#"{"from": "+15551234567", "type": "gif", "body": "x"}"#),
            "one of chat",
        );
        rejects(
            parse_inbound(br#"{"from": "+15551234567", "body": "x", "lidPhone": "+15551234567"}"#),
            "only applies",
        );
        rejects(
            parse_inbound(br#"{"from": "+15551234567", "body": "x", "colour": 1}"#),
            "unknown field",
        );
        rejects(
            parse_inbound(
                br#"{"from": "+15551234567", "media": {"data": "***", "mimetype": "image/png"}}"#,
            ),
            "base64",
        );
    }
}
