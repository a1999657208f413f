//! The phone's past: `/control/history` preloads chats and their messages (texts, photos and
//! documents, some chats with hidden linked ids) into the account, as if they had been exchanged
//! before the page was linked. A page that connects gets them in its history, the way the real site
//! loads recent chats after linking.

use super::*;

/// A small JPEG and a small PDF: the files of preloaded media messages.
const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00preloaded photo\xFF\xD9";
const DOCUMENT: &[u8] = b"%PDF-1.4\n% preloaded document\n%%EOF\n";

/// What `/control/history` asks for.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Preload {
    /// How many chats, each with another customer.
    pub chats: usize,
    /// How many messages in each chat.
    pub messages_per_chat: usize,
    /// Every n-th chat is with a hidden linked id (`<n>@lid`) whose phone the server knows;
    /// 0 for none.
    #[serde(default = "default_lid_every")]
    pub lid_every: usize,
    /// Whether some messages are photos and documents (with files); otherwise all texts.
    #[serde(default = "default_media")]
    pub media: bool,
}

fn default_lid_every() -> usize {
    10
}

fn default_media() -> bool {
    true
}

/// Most chats and messages one preload may add (the page holds them all in memory).
pub(crate) const MAX_PRELOADED_MESSAGES: usize = 200_000;

impl Preload {
    pub fn check(&self) -> Result<(), Fail> {
        if self.chats == 0 || self.messages_per_chat == 0 {
            return Err(Fail::bad_request(
                "chats and messagesPerChat must both be at least 1",
            ));
        }
        if self.chats.saturating_mul(self.messages_per_chat) > MAX_PRELOADED_MESSAGES {
            return Err(Fail::bad_request(format!(
                "chats × messagesPerChat must be at most {MAX_PRELOADED_MESSAGES}"
            )));
        }
        Ok(())
    }
}

impl Sim {
    /// Adds `chats` × `messages_per_chat` messages to the account's history: in each chat the
    /// customer writes and every fourth message is the business's answer from the phone; one
    /// minute apart, the newest a minute ago. Returns `{chats, messages}` added.
    pub fn preload_history(&mut self, preload: &Preload) -> Value {
        let now_s = wall_clock_ms() / 1000;
        let first_t = now_s - 60 * preload.messages_per_chat as i64 - 60;
        let batch = random_hex(6);
        let mut added = 0;
        for chat in 0..preload.chats {
            let digits = format!("1555{:07}", 2_000_000 + chat);
            let lid = preload.lid_every > 0 && chat % preload.lid_every == preload.lid_every - 1;
            let remote = if lid {
                let lid_user = format!("9{:014}", 10_000_000 + chat);
                self.lid_phones.insert(lid_user.clone(), digits.clone());
                format!("{lid_user}@lid")
            } else {
                format!("{digits}@c.us")
            };
            for n in 0..preload.messages_per_chat {
                let from_me = n % 4 == 3;
                let key_id = if from_me {
                    format!("3EB0{batch}{chat:06X}{n:06X}")
                } else {
                    format!("3A{batch}{chat:06X}{n:06X}")
                };
                let mut message = Message {
                    id: format!("{from_me}_{remote}_{key_id}"),
                    key_id,
                    from_me,
                    remote: remote.clone(),
                    // The business's own id is filled in when a page connects (it may not be
                    // linked yet).
                    from: if from_me {
                        String::new()
                    } else {
                        remote.clone()
                    },
                    to: if from_me {
                        remote.clone()
                    } else {
                        String::new()
                    },
                    kind: "chat".into(),
                    body: format!("Message {n} in chat {chat}"),
                    t: first_t + 60 * n as i64,
                    ack: if from_me { 3 } else { 0 },
                    notify_name: (!from_me).then(|| format!("Customer {chat}")),
                    lid_phone: lid.then(|| format!("{digits}@c.us")),
                    at_ms: wall_clock_ms(),
                    delivered: true,
                    // Old answers stay read; nothing moves them on.
                    ack_paused: true,
                    ..Message::default()
                };
                if preload.media && !from_me {
                    let file = match n % 10 {
                        5 => Some(("image", "image/jpeg", None, PHOTO)),
                        8 => Some((
                            "document",
                            "application/pdf",
                            Some(format!("invoice-{chat}-{n}.pdf")),
                            DOCUMENT,
                        )),
                        _ => None,
                    };
                    if let Some((kind, mimetype, filename, bytes)) = file {
                        let direct_path = new_direct_path();
                        let media_key = new_media_key();
                        self.media.insert(
                            direct_path.clone(),
                            Media {
                                bytes: bytes.to_vec(),
                                mimetype: mimetype.into(),
                                media_key: media_key.clone(),
                            },
                        );
                        message.caption = Some(std::mem::take(&mut message.body));
                        if kind == "image" {
                            message.body = crate::control::THUMBNAIL_JPEG_B64.into();
                        }
                        message.kind = kind.into();
                        message.mimetype = Some(mimetype.into());
                        message.filename = filename;
                        message.size = Some(bytes.len() as u64);
                        message.direct_path = Some(direct_path);
                        message.media_key = Some(media_key);
                        message.media_key_timestamp = Some(now_s);
                    }
                }
                self.store(message);
                added += 1;
            }
        }
        json!({"chats": preload.chats, "messages": added})
    }

    /// Gives preloaded messages the business's own id once a device is linked.
    pub(super) fn address_history(&mut self) {
        let Some(me) = self.me().map(|me| format!("{}@c.us", me.phone)) else {
            return;
        };
        for message in &mut self.messages {
            if message.from.is_empty() {
                message.from = me.clone();
            }
            if message.to.is_empty() {
                message.to = me.clone();
            }
        }
    }
}
