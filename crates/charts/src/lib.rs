//! The dashboard's charts: the engine's analytics [`Report`] drawn with plotters, as SVG for the
//! screen and PNG for export, in the UI's light and dark themes. The only crate that depends on
//! plotters, so the engine builds and tests without it. An empty range draws a chart with a
//! sentence saying so, never an error or a broken axis.
//!
//! PNG text is drawn with a bundled subset of DejaVu Sans (`fonts/`), so exports look the same on
//! every machine whatever fonts it has; SVG text names `sans-serif` and is laid out with the same
//! font's metrics.

use std::str::FromStr;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;
use whatsflow_engine::analytics::Report;
use whatsflow_engine::{Error, Result};

mod compare;
mod frame;
mod heatmap;
mod series;
mod theme;

use frame::{draw_empty, titled, Area, Backend, Drawn};
pub use theme::Theme;

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans-subset.ttf");
const FAMILY: &str = "sans-serif";

/// The charts the dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Messages per bucket: sent vs received, stacked by type.
    Messages,
    /// Contacts: new per bucket and the running total.
    Contacts,
    /// Sent → delivered → read → replied.
    Funnel,
    /// Inbound messages by hour of day × weekday.
    Heatmap,
    /// Median and p90 first-response time per bucket.
    ResponseTime,
    /// Delivered / read / replied rates per campaign.
    Campaigns,
}

impl Chart {
    pub const ALL: [Chart; 6] = [
        Chart::Messages,
        Chart::Contacts,
        Chart::Funnel,
        Chart::Heatmap,
        Chart::ResponseTime,
        Chart::Campaigns,
    ];

    /// The chart's name in URLs and file names.
    pub fn name(self) -> &'static str {
        match self {
            Chart::Messages => "messages",
            Chart::Contacts => "contacts",
            Chart::Funnel => "funnel",
            Chart::Heatmap => "heatmap",
            Chart::ResponseTime => "response-time",
            Chart::Campaigns => "campaigns",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Chart::Messages => "Messages sent and received",
            Chart::Contacts => "Contact growth",
            Chart::Funnel => "Delivery funnel",
            Chart::Heatmap => "Inbound messages by hour and weekday",
            Chart::ResponseTime => "First-response time",
            Chart::Campaigns => "Campaigns compared",
        }
    }
}

impl FromStr for Chart {
    type Err = Error;
    fn from_str(name: &str) -> Result<Chart> {
        Chart::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = Chart::ALL.iter().map(|c| c.name()).collect();
                Error::invalid_field(
                    "chart",
                    format!("chart must be one of: {}", names.join(", ")),
                )
            })
    }
}

/// Pixel size of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub const DEFAULT: Size = Size {
        width: 800,
        height: 360,
    };
    pub const MIN: Size = Size {
        width: 320,
        height: 200,
    };
    pub const MAX: Size = Size {
        width: 3200,
        height: 2400,
    };

    /// Checks a size asked for (fields `width`, `height`).
    pub fn checked(width: u32, height: u32) -> Result<Size> {
        let mut details = Vec::new();
        for (field, value, min, max) in [
            ("width", width, Size::MIN.width, Size::MAX.width),
            ("height", height, Size::MIN.height, Size::MAX.height),
        ] {
            if !(min..=max).contains(&value) {
                details.push(whatsflow_engine::FieldError {
                    field: field.into(),
                    message: format!("{field} must be between {min} and {max} pixels"),
                });
            }
        }
        if details.is_empty() {
            Ok(Size { width, height })
        } else {
            Err(Error::invalid(details))
        }
    }
}

impl Default for Size {
    fn default() -> Size {
        Size::DEFAULT
    }
}

fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The bundled font is checked by the tests; a broken one would only lose text.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// The chart as an SVG document.
pub fn svg(chart: Chart, report: &Report, theme: Theme, size: Size) -> Result<String> {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (size.width, size.height)).into_drawing_area();
        draw(&root, chart, report, theme).map_err(drawing_failed)?;
        root.present().map_err(drawing_failed)?;
    }
    Ok(out)
}

/// The same chart as a PNG image.
pub fn png(chart: Chart, report: &Report, theme: Theme, size: Size) -> Result<Vec<u8>> {
    register_font();
    let mut pixels = vec![0u8; size.width as usize * size.height as usize * 3];
    {
        let root =
            BitMapBackend::with_buffer(&mut pixels, (size.width, size.height)).into_drawing_area();
        draw(&root, chart, report, theme).map_err(drawing_failed)?;
        root.present().map_err(drawing_failed)?;
    }
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, size.width, size.height);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(drawing_failed)?;
    writer.write_image_data(&pixels).map_err(drawing_failed)?;
    writer.finish().map_err(drawing_failed)?;
    Ok(out)
}

fn drawing_failed(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("could not draw the chart: {e}"))
}

fn draw<DB: Backend>(root: &Area<DB>, chart: Chart, report: &Report, theme: Theme) -> Drawn {
    let palette = theme.palette();
    root.fill(&palette.background)?;
    let empty = match chart {
        Chart::Messages => report.messages.iter().all(|p| p.sent + p.received == 0),
        Chart::Contacts => report.contacts.iter().all(|p| p.total == 0),
        Chart::Funnel => report.current.messages_sent == 0,
        Chart::Heatmap => report.inbound_by_hour.iter().flatten().all(|&n| n == 0),
        Chart::ResponseTime => report.messages.iter().all(|p| p.first_responses == 0),
        Chart::Campaigns => report.campaigns.iter().all(|c| c.sent == 0),
    };
    let subtitle = format!(
        "{} – {} ({})",
        report.range.from, report.range.to, report.range.timezone
    );
    if empty {
        return draw_empty(root, chart, &palette, &subtitle);
    }
    let area = titled(root, chart.title(), &subtitle, &palette)?;
    match chart {
        Chart::Messages => series::messages(&area, report, &palette),
        Chart::Contacts => series::contacts(&area, report, &palette),
        Chart::Funnel => compare::funnel(&area, report, &palette),
        Chart::Heatmap => heatmap::heatmap(&area, report, &palette),
        Chart::ResponseTime => series::response_time(&area, report, &palette),
        Chart::Campaigns => compare::campaigns(&area, report, &palette),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_ones_are_refused() {
        for chart in Chart::ALL {
            assert_eq!(chart.name().parse::<Chart>().unwrap(), chart);
        }
        assert_eq!(
            "pie".parse::<Chart>().unwrap_err().details[0].field,
            "chart"
        );
        assert_eq!(
            "blue".parse::<Theme>().unwrap_err().details[0].field,
            "theme"
        );
        assert!(Size::checked(100, 5000).is_err());
        assert_eq!(Size::checked(640, 320).unwrap().width, 640);
    }
}
