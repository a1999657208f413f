//! Renders the QR string WhatsApp Web shows into an SVG the UI can display.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG of `data`, with a quiet zone, sized for a phone camera at arm's length.
pub fn svg(data: &str) -> String {
    match QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L) {
        Ok(code) => code
            .render::<svg::Color>()
            .min_dimensions(264, 264)
            .dark_color(svg::Color("#111b21"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        // Only an absurdly long string fails; WhatsApp's are ~200 characters.
        Err(e) => format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><text y=\"20\">QR error: {e}</text></svg>"
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_svg() {
        let svg = super::svg("2@abc,def,ghi,jkl,WEB");
        assert!(
            svg.starts_with("<?xml") || svg.starts_with("<svg"),
            "{}",
            &svg[..40]
        );
        assert!(svg.contains("#111b21"));
    }
}
