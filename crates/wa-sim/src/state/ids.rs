//! Random ids, keys and codes in the shapes WhatsApp uses, and what a wid says about itself.

use base64::Engine as _;
use rand::Rng as _;

pub(super) fn random_hex(count: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..count)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
        .collect::<String>()
        .to_uppercase()
}

pub(super) fn random_digits(count: usize) -> String {
    let mut rng = rand::thread_rng();
    let first = char::from_digit(rng.gen_range(1..10), 10).unwrap_or('1');
    std::iter::once(first)
        .chain((1..count).map(|_| char::from_digit(rng.gen_range(0..10), 10).unwrap_or('0')))
        .collect()
}

pub(super) fn random_b64(bytes: usize) -> String {
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Pairing codes use the alphabet WhatsApp shows: no 0, O, I or U to misread.
const CODE_ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTVWXYZ";

pub(super) fn random_code() -> String {
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A media location in the style of WhatsApp's CDN paths.
pub(crate) fn new_direct_path() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "/v/t62.7118-24/{}_{}_n.enc?ccb=11-4&oh=01_{}&oe={}&_nc_sid=5e03e0",
        rng.gen_range(10_000_000..99_999_999u32),
        rng.gen_range(100_000_000..999_999_999u32),
        random_hex(40),
        random_hex(8)
    )
}

/// A media key: 32 random bytes in base64, as WhatsApp's.
pub(crate) fn new_media_key() -> String {
    random_b64(32)
}

/// An id in the style of the phone apps' message ids.
pub(crate) fn new_inbound_key_id() -> String {
    format!("3A{}", random_hex(18))
}

pub(crate) fn is_media_type(kind: &str) -> bool {
    matches!(
        kind,
        "image" | "video" | "audio" | "ptt" | "document" | "sticker"
    )
}

/// The phone digits of a `<digits>@c.us` wid.
pub(super) fn phone_of_wid(wid: &str) -> Option<&str> {
    wid.strip_suffix("@c.us")
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

pub(crate) fn wid_user_is_digits(wid: &str, server: &str) -> bool {
    wid.strip_suffix(server)
        .is_some_and(|user| !user.is_empty() && user.bytes().all(|b| b.is_ascii_digit()))
}
