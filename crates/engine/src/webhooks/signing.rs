//! Standard Webhooks signing: the secrets (`whsec_` and base64), the event ids (`webhook-id`) and
//! the `v1,` HMAC-SHA256 signature over `id.timestamp.body` that receivers verify.

use ring::rand::SecureRandom;

use crate::error::{Error, Result};

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::internal("the system's random source failed"))?;
    Ok(bytes)
}

pub(super) fn new_secret() -> Result<String> {
    use base64::Engine as _;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(random_bytes::<32>()?)
    ))
}

pub(super) fn new_event_id() -> Result<String> {
    let bytes = random_bytes::<16>()?;
    Ok(format!(
        "msg_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the secret's bytes.
pub fn sign(secret: &str, event_id: &str, timestamp: i64, body: &str) -> Result<String> {
    use base64::Engine as _;
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key_bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| Error::internal("the webhook's secret is not valid base64"))?;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key_bytes);
    let tag = ring::hmac::sign(&key, format!("{event_id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_specification_example() {
        // The example of the Standard Webhooks specification (and of its libraries' tests).
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
