//! The QR code the phone scans, drawn as SVG from WhatsApp Web's QR string.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG picture of `data` as a QR code, black on white with a quiet zone, at least 264 px wide.
/// WhatsApp's QR strings are a few hundred characters; text too long for any QR code gives a small
/// SVG that says so instead of a code.
pub fn qr_svg(data: &str) -> String {
    // Level L: the strings are long and shown on a screen, where damage is not a concern.
    match QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(264, 264)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        Err(error) => {
            tracing::warn!(%error, len = data.len(), "the QR string does not fit a QR code");
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"264\" height=\"40\"><text x=\"4\" y=\"24\">\
                 QR code unavailable ({error})</text></svg>"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whatsapp_sized_string_becomes_an_svg_code() {
        let data = format!(
            "2@{},{},{},{},WEB",
            "A".repeat(80),
            "B".repeat(44),
            "C".repeat(44),
            "D".repeat(44)
        );
        let svg = qr_svg(&data);
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
        assert!(svg.contains("#000000"), "a code has dark modules");
    }

    #[test]
    fn different_strings_give_different_codes() {
        assert_ne!(qr_svg("2@one,a,b,c,WEB"), qr_svg("2@two,a,b,c,WEB"));
    }

    #[test]
    fn too_long_input_is_said_not_panicked() {
        let svg = qr_svg(&"x".repeat(10_000));
        assert!(svg.contains("QR code unavailable"), "{svg}");
    }
}
