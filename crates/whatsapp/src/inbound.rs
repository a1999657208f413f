//! Messages from the page turned into the engine's [`InboundMessage`]: chat ids to phone numbers,
//! seconds to milliseconds, the file's bytes attached.

use whatsflow_engine::link::{InboundMessage, MediaFile};
use whatsflow_engine::Millis;

use crate::page::RawMessage;

/// Types whose `body` in WhatsApp Web is a thumbnail; their text is the caption.
const MEDIA_TYPES: &[&str] = &["image", "video", "audio", "ptt", "document", "sticker"];

/// `+digits` for a phone-number chat id (`15551234567@c.us`, also with a `:device` suffix).
pub(crate) fn phone_of(wid: &str) -> Option<String> {
    let user = wid.strip_suffix("@c.us")?;
    let digits = user.split(':').next().unwrap_or(user);
    let plausible = (5..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit());
    plausible.then(|| format!("+{digits}"))
}

/// The message for the engine, or `None` for chats the app does not keep (groups, status, channels).
/// `media` holds the downloaded bytes, if any; `now` stands in for a missing timestamp.
pub(crate) fn to_inbound(
    raw: RawMessage,
    media: Option<Vec<u8>>,
    now: Millis,
) -> Option<InboundMessage> {
    let phone_number = if raw.chat.ends_with("@c.us") {
        Some(phone_of(&raw.chat)?)
    } else if raw.chat.ends_with("@lid") {
        raw.phone.as_deref().and_then(phone_of)
    } else {
        return None;
    };
    let is_media = MEDIA_TYPES.contains(&raw.kind.as_str());
    let media = media.map(|bytes| MediaFile {
        bytes,
        mimetype: raw
            .mimetype
            .clone()
            .unwrap_or_else(|| "application/octet-stream".to_owned()),
        filename: raw.filename.clone(),
    });
    let caption = raw.caption.filter(|c| !c.is_empty());
    Some(InboundMessage {
        wa_message_id: raw.id,
        chat_id: raw.chat,
        phone_number,
        push_name: raw.push_name.filter(|n| !n.trim().is_empty()),
        from_me: raw.from_me,
        body: if is_media { String::new() } else { raw.body },
        caption: if is_media { caption } else { None },
        kind: raw.kind,
        media,
        quoted_wa_id: raw.quoted_id,
        timestamp: if raw.t > 0 {
            raw.t.saturating_mul(1000)
        } else {
            now
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(chat: &str, kind: &str) -> RawMessage {
        RawMessage {
            id: format!("false_{chat}_3EB0AA"),
            chat: chat.to_owned(),
            from_me: false,
            kind: kind.to_owned(),
            body: "hello".to_owned(),
            caption: None,
            t: 1_700_000_000,
            push_name: Some("Ana".to_owned()),
            mimetype: None,
            filename: None,
            phone: None,
            quoted_id: None,
            media: None,
            media_error: None,
        }
    }

    #[test]
    fn phone_chats_give_e164() {
        let message = to_inbound(raw("5511912345678@c.us", "chat"), None, 0).unwrap();
        assert_eq!(message.phone_number.as_deref(), Some("+5511912345678"));
        assert_eq!(
            message.timestamp, 1_700_000_000_000,
            "seconds become milliseconds"
        );
        assert_eq!(message.body, "hello");
        assert_eq!(message.push_name.as_deref(), Some("Ana"));
    }

    #[test]
    fn lid_chats_use_the_phone_whatsapp_knows_or_none() {
        let mut known = raw("123456789012345@lid", "chat");
        known.phone = Some("4917123456789@c.us".to_owned());
        assert_eq!(
            to_inbound(known, None, 0).unwrap().phone_number.as_deref(),
            Some("+4917123456789")
        );
        let unknown = to_inbound(raw("123456789012345@lid", "chat"), None, 0).unwrap();
        assert_eq!(
            unknown.phone_number, None,
            "an unknown @lid sender is kept without a phone"
        );
        assert_eq!(unknown.chat_id, "123456789012345@lid");
    }

    #[test]
    fn groups_status_and_channels_are_not_kept() {
        for chat in [
            "120363000000000000@g.us",
            "status@broadcast",
            "1203630000@newsletter",
        ] {
            assert_eq!(to_inbound(raw(chat, "chat"), None, 0), None, "{chat}");
        }
    }

    #[test]
    fn media_carries_bytes_and_caption_not_the_thumbnail() {
        let mut image = raw("15551234567@c.us", "image");
        image.body = "/9j/4AAQ-thumbnail".to_owned();
        image.caption = Some("our menu".to_owned());
        image.mimetype = Some("image/jpeg".to_owned());
        let message = to_inbound(image, Some(vec![1, 2, 3]), 0).unwrap();
        assert_eq!(message.body, "", "a media body is a thumbnail, not text");
        assert_eq!(message.caption.as_deref(), Some("our menu"));
        let media = message.media.unwrap();
        assert_eq!(
            (media.bytes, media.mimetype.as_str()),
            (vec![1, 2, 3], "image/jpeg")
        );
    }

    #[test]
    fn odd_ids_are_not_turned_into_phone_numbers() {
        assert_eq!(
            phone_of("15551234567:12@c.us").as_deref(),
            Some("+15551234567")
        );
        assert_eq!(phone_of("abc@c.us"), None);
        assert_eq!(phone_of("1@c.us"), None);
        assert_eq!(phone_of("15551234567@lid"), None);
        assert_eq!(to_inbound(raw("notanumber@c.us", "chat"), None, 0), None);
    }

    #[test]
    fn a_missing_timestamp_falls_back_to_now() {
        let mut message = raw("15551234567@c.us", "chat");
        message.t = 0;
        assert_eq!(to_inbound(message, None, 42).unwrap().timestamp, 42);
    }
}
