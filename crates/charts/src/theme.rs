//! The UI's light and dark themes as chart colours: Tailwind's zinc greys for the frame, emerald
//! for what was sent, sky for what was received, violet and amber for the further series.

use std::str::FromStr;

use plotters::style::RGBColor;
use whatsflow_engine::{Error, Result};

/// The UI's themes (zinc greys, as in the app).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl FromStr for Theme {
    type Err = Error;
    fn from_str(name: &str) -> Result<Theme> {
        match name {
            "light" => Ok(Theme::Light),
            "dark" => Ok(Theme::Dark),
            _ => Err(Error::invalid_field("theme", "theme must be light or dark")),
        }
    }
}

/// Tailwind's shades 100 to 900 of each hue the charts use, as in the app's CSS.
type Hue = [u32; 9];
#[rustfmt::skip]
const ZINC: Hue = [0xf4f4f5, 0xe4e4e7, 0xd4d4d8, 0xa1a1aa, 0x71717a, 0x52525b, 0x3f3f46, 0x27272a, 0x18181b];
#[rustfmt::skip]
const EMERALD: Hue = [0xd1fae5, 0xa7f3d0, 0x6ee7b7, 0x34d399, 0x10b981, 0x059669, 0x047857, 0x065f46, 0x064e3b];
#[rustfmt::skip]
const SKY: Hue = [0xe0f2fe, 0xbae6fd, 0x7dd3fc, 0x38bdf8, 0x0ea5e9, 0x0284c7, 0x0369a1, 0x075985, 0x0c4a6e];
#[rustfmt::skip]
const VIOLET: Hue = [0xede9fe, 0xddd6fe, 0xc4b5fd, 0xa78bfa, 0x8b5cf6, 0x7c3aed, 0x6d28d9, 0x5b21b6, 0x4c1d95];
#[rustfmt::skip]
const AMBER: Hue = [0xfef3c7, 0xfde68a, 0xfcd34d, 0xfbbf24, 0xf59e0b, 0xd97706, 0xb45309, 0x92400e, 0x78350f];
const WHITE: RGBColor = RGBColor(0xff, 0xff, 0xff);

/// Shade 100, 200, … 900 of a hue.
fn shade(hue: &Hue, shade: i32) -> RGBColor {
    let rgb = hue[(shade / 100 - 1) as usize];
    RGBColor((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
}

pub(crate) struct Palette {
    pub background: RGBColor,
    pub text: RGBColor,
    pub muted: RGBColor,
    pub grid: RGBColor,
    /// Sent, received, and the funnel's and campaigns' series.
    pub series: [RGBColor; 4],
    /// Shades for message types (text, media, voice, document, other): sent, then received.
    pub sent_kinds: [RGBColor; 5],
    pub received_kinds: [RGBColor; 5],
    /// Heatmap from empty to busiest.
    pub heat: (RGBColor, RGBColor),
}

impl Theme {
    pub(crate) fn palette(self) -> Palette {
        let pick = |light: RGBColor, dark: RGBColor| match self {
            Theme::Light => light,
            Theme::Dark => dark,
        };
        let grey = |light, dark| pick(shade(&ZINC, light), shade(&ZINC, dark));
        // Light draws strong shades on white, each further message type a step lighter; dark
        // draws light shades on near-black, each further type a step darker.
        let (accent, step) = match self {
            Theme::Light => (600, -100),
            Theme::Dark => (400, 100),
        };
        let kinds = |hue| std::array::from_fn(|k| shade(hue, accent + step * k as i32));
        Palette {
            background: pick(WHITE, shade(&ZINC, 900)),
            text: grey(900, 100),
            muted: grey(500, 400),
            grid: grey(200, 700),
            series: [&EMERALD, &SKY, &VIOLET, &AMBER].map(|hue| shade(hue, accent)),
            sent_kinds: kinds(&EMERALD),
            received_kinds: kinds(&SKY),
            heat: (
                grey(100, 800),
                pick(shade(&EMERALD, 700), shade(&EMERALD, 400)),
            ),
        }
    }
}
