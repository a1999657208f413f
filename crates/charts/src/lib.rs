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

use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;
use whatsflow_engine::analytics::{ByKind, Report};
use whatsflow_engine::{Error, Result};

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

    fn title(self) -> &'static str {
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

struct Palette {
    background: RGBColor,
    text: RGBColor,
    muted: RGBColor,
    grid: RGBColor,
    /// Sent, received, and the funnel's and campaigns' series.
    series: [RGBColor; 4],
    /// Shades for message types (text, media, voice, document, other): sent, then received.
    sent_kinds: [RGBColor; 5],
    received_kinds: [RGBColor; 5],
    /// Heatmap from empty to busiest.
    heat: (RGBColor, RGBColor),
}

impl Theme {
    fn palette(self) -> Palette {
        match self {
            Theme::Light => Palette {
                background: RGBColor(0xff, 0xff, 0xff),
                text: RGBColor(0x18, 0x18, 0x1b),
                muted: RGBColor(0x71, 0x71, 0x7a),
                grid: RGBColor(0xe4, 0xe4, 0xe7),
                series: [
                    RGBColor(0x05, 0x96, 0x69),
                    RGBColor(0x02, 0x84, 0xc7),
                    RGBColor(0x7c, 0x3a, 0xed),
                    RGBColor(0xd9, 0x77, 0x06),
                ],
                sent_kinds: [
                    RGBColor(0x05, 0x96, 0x69),
                    RGBColor(0x10, 0xb9, 0x81),
                    RGBColor(0x34, 0xd3, 0x99),
                    RGBColor(0x6e, 0xe7, 0xb7),
                    RGBColor(0xa7, 0xf3, 0xd0),
                ],
                received_kinds: [
                    RGBColor(0x02, 0x84, 0xc7),
                    RGBColor(0x0e, 0xa5, 0xe9),
                    RGBColor(0x38, 0xbd, 0xf8),
                    RGBColor(0x7d, 0xd3, 0xfc),
                    RGBColor(0xba, 0xe6, 0xfd),
                ],
                heat: (RGBColor(0xf4, 0xf4, 0xf5), RGBColor(0x04, 0x78, 0x57)),
            },
            Theme::Dark => Palette {
                background: RGBColor(0x18, 0x18, 0x1b),
                text: RGBColor(0xf4, 0xf4, 0xf5),
                muted: RGBColor(0xa1, 0xa1, 0xaa),
                grid: RGBColor(0x3f, 0x3f, 0x46),
                series: [
                    RGBColor(0x34, 0xd3, 0x99),
                    RGBColor(0x38, 0xbd, 0xf8),
                    RGBColor(0xa7, 0x8b, 0xfa),
                    RGBColor(0xfb, 0xbf, 0x24),
                ],
                sent_kinds: [
                    RGBColor(0x34, 0xd3, 0x99),
                    RGBColor(0x10, 0xb9, 0x81),
                    RGBColor(0x05, 0x96, 0x69),
                    RGBColor(0x04, 0x78, 0x57),
                    RGBColor(0x06, 0x5f, 0x46),
                ],
                received_kinds: [
                    RGBColor(0x38, 0xbd, 0xf8),
                    RGBColor(0x0e, 0xa5, 0xe9),
                    RGBColor(0x02, 0x84, 0xc7),
                    RGBColor(0x03, 0x69, 0xa1),
                    RGBColor(0x07, 0x59, 0x85),
                ],
                heat: (RGBColor(0x27, 0x27, 0x2a), RGBColor(0x34, 0xd3, 0x99)),
            },
        }
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

type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: Chart,
    report: &Report,
    theme: Theme,
) -> Drawn
where
    DB::ErrorType: 'static,
{
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
        Chart::Messages => messages(&area, report, &palette),
        Chart::Contacts => contacts(&area, report, &palette),
        Chart::Funnel => funnel(&area, report, &palette),
        Chart::Heatmap => heatmap(&area, report, &palette),
        Chart::ResponseTime => response_time(&area, report, &palette),
        Chart::Campaigns => campaigns(&area, report, &palette),
    }
}

fn font(size: f64, color: &RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(color)
}

/// Draws the title and the range, and returns the area below them.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    palette: &Palette,
) -> std::result::Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    root.draw(&Text::new(
        title.to_owned(),
        (14, 10),
        font(18.0, &palette.text),
    ))?;
    root.draw(&Text::new(
        subtitle.to_owned(),
        (14, 32),
        font(12.0, &palette.muted),
    ))?;
    Ok(root.split_vertically(52).1)
}

fn draw_empty<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: Chart,
    palette: &Palette,
    subtitle: &str,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let area = titled(root, chart.title(), subtitle, palette)?;
    let sentence = match chart {
        Chart::Messages => "No messages in this period.",
        Chart::Contacts => "No contacts yet.",
        Chart::Funnel => "Nothing was sent in this period.",
        Chart::Heatmap => "No inbound messages in this period.",
        Chart::ResponseTime => "No customer messages were answered in this period.",
        Chart::Campaigns => "No campaign sent messages in this period.",
    };
    let (w, h) = area.dim_in_pixel();
    let centered = font(15.0, &palette.muted).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(
        sentence.to_owned(),
        (w as i32 / 2, h as i32 / 2),
        centered,
    ))?;
    Ok(())
}

/// "2026-03-29" → "Mar 29".
fn short_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = date.split('-').skip(1);
    match (
        parts.next().and_then(|m| m.parse::<usize>().ok()),
        parts.next(),
    ) {
        (Some(m @ 1..=12), Some(d)) => format!("{} {}", MONTHS[m - 1], d.trim_start_matches('0')),
        _ => date.to_owned(),
    }
}

/// The bucket under an x position, for axis labels (none between buckets).
fn bucket_label(dates: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 || i as usize >= dates.len() {
        return String::new();
    }
    short_date(&dates[i as usize])
}

/// A tick of a count axis: whole numbers only, so a small range (0 to 2.3) does not read "0, 0, 1,
/// 2, 2" from its half steps.
fn count_label(y: &f64) -> String {
    if y.fract().abs() < 1e-9 {
        format!("{y:.0}")
    } else {
        String::new()
    }
}

/// A y range with some headroom, never empty.
fn y_top(max: f64) -> f64 {
    if max <= 0.0 {
        1.0
    } else {
        max * 1.15
    }
}

fn kind_counts(kinds: &ByKind) -> [i64; 5] {
    [
        kinds.text,
        kinds.media,
        kinds.voice,
        kinds.document,
        kinds.other,
    ]
}

const KIND_NAMES: [&str; 5] = ["text", "media", "voice", "document", "other"];

/// How a legend entry shows its series: a filled box (bars) or a line.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Box,
    Line,
}

struct LegendEntry {
    label: String,
    color: RGBColor,
    mark: Mark,
}

fn entry(label: impl Into<String>, color: RGBColor, mark: Mark) -> LegendEntry {
    LegendEntry {
        label: label.into(),
        color,
        mark,
    }
}

/// One entry per name, in the colour of its index.
fn named(names: &[&str], color: impl Fn(usize) -> RGBColor, mark: Mark) -> Vec<LegendEntry> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| entry(*name, color(i), mark))
        .collect()
}

const LEGEND_ROW: u32 = 20;
const SWATCH: i32 = 12;
const SWATCH_GAP: i32 = 6;
const ENTRY_GAP: i32 = 20;

/// Draws the legend in centred rows at the bottom of `area` (wrapping when the chart is narrow) and
/// returns the area above it for the plot, so the legend never covers the data.
fn legend_below<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    palette: &Palette,
) -> std::result::Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let style = font(12.0, &palette.text).pos(Pos::new(HPos::Left, VPos::Center));
    let (width, height) = area.dim_in_pixel();
    let usable = width as i32 - 24;
    // Each entry's width, then the entries grouped into rows that fit.
    let mut rows: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
    let mut row_width = 0;
    for (i, e) in entries.iter().enumerate() {
        let text = area.estimate_text_size(&e.label, &style)?.0 as i32;
        let w = SWATCH + SWATCH_GAP + text;
        let row = rows.last_mut().expect("one row at least");
        if !row.is_empty() && row_width + ENTRY_GAP + w > usable {
            rows.push(vec![(i, w)]);
            row_width = w;
        } else {
            row_width += if row.is_empty() { w } else { ENTRY_GAP + w };
            row.push((i, w));
        }
    }
    let strip = LEGEND_ROW * rows.len() as u32 + 4;
    let (plot, legend) = area.split_vertically(height.saturating_sub(strip));
    for (r, row) in rows.iter().enumerate() {
        let total: i32 =
            row.iter().map(|(_, w)| w).sum::<i32>() + ENTRY_GAP * (row.len() as i32 - 1);
        let mut x = (width as i32 - total) / 2;
        let y = (LEGEND_ROW * r as u32 + LEGEND_ROW / 2) as i32;
        for &(i, w) in row {
            let e = &entries[i];
            match e.mark {
                Mark::Box => legend.draw(&Rectangle::new(
                    [(x, y - 5), (x + SWATCH - 2, y + 5)],
                    e.color.filled(),
                ))?,
                Mark::Line => legend.draw(&PathElement::new(
                    [(x, y), (x + SWATCH, y)],
                    e.color.stroke_width(2),
                ))?,
            }
            legend.draw(&Text::new(
                e.label.clone(),
                (x + SWATCH + SWATCH_GAP, y),
                style.clone(),
            ))?;
            x += w + ENTRY_GAP;
        }
    }
    Ok(plot)
}

/// Every chart's plot area: the same margin and room for the x labels, `y_labels_width` pixels
/// for the y labels.
fn plot_area<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    y_labels_width: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(y_labels_width);
    builder
}

/// The axes and horizontal grid lines (at the labels only) in the theme's colours, ready for each chart's labels.
fn gridded_mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    palette: &Palette,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut mesh = chart.configure_mesh();
    // Only the labelled lines: the minor ones between them hatch a small chart, on dark above all.
    mesh.disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(palette.grid)
        .axis_style(palette.muted)
        .label_style(font(12.0, &palette.text))
        .axis_desc_style(font(13.0, &palette.muted));
    mesh
}

fn messages<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    palette: &Palette,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let dates: Vec<String> = report.messages.iter().map(|p| p.date.clone()).collect();
    let n = dates.len() as f64;
    let max = report
        .messages
        .iter()
        .map(|p| p.sent.max(p.received))
        .max()
        .unwrap_or(0) as f64;
    let counts = |sent: bool, p: &whatsflow_engine::analytics::MessagePoint| {
        kind_counts(if sent {
            &p.sent_by_kind
        } else {
            &p.received_by_kind
        })
    };
    // The types that occur, sent then received: the ones drawn and named in the legend.
    let shown: Vec<(bool, usize)> = [true, false]
        .into_iter()
        .flat_map(|sent| (0..KIND_NAMES.len()).map(move |k| (sent, k)))
        .filter(|&(sent, k)| report.messages.iter().any(|p| counts(sent, p)[k] > 0))
        .collect();
    let color_of = |sent: bool, k: usize| {
        if sent {
            palette.sent_kinds[k]
        } else {
            palette.received_kinds[k]
        }
    };
    let entries: Vec<LegendEntry> = shown
        .iter()
        .map(|&(sent, k)| {
            let side = if sent { "Sent" } else { "Received" };
            entry(
                format!("{side}: {}", KIND_NAMES[k]),
                color_of(sent, k),
                Mark::Box,
            )
        })
        .collect();
    let area = legend_below(area, &entries, palette)?;
    let mut chart = plot_area(&area, 56).build_cartesian_2d(-0.5..n - 0.5, 0.0..y_top(max))?;
    gridded_mesh(&mut chart, palette)
        .x_labels(10)
        .y_labels(6)
        .x_label_formatter(&|x| bucket_label(&dates, *x))
        .y_label_formatter(&count_label)
        .y_desc("Messages")
        .x_desc("Left bar: sent · right bar: received")
        .draw()?;
    // Side by side per bucket; each bar stacked by message type.
    for &(sent, k) in &shown {
        let color = color_of(sent, k);
        let bars = report.messages.iter().enumerate().map(|(i, p)| {
            let below: i64 = counts(sent, p)[..k].iter().sum();
            let x = i as f64;
            let (left, right) = if sent { (x - 0.4, x) } else { (x, x + 0.4) };
            Rectangle::new(
                [
                    (left, below as f64),
                    (right, (below + counts(sent, p)[k]) as f64),
                ],
                color.filled(),
            )
        });
        chart.draw_series(bars)?;
    }
    Ok(())
}

fn contacts<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    palette: &Palette,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let dates: Vec<String> = report.contacts.iter().map(|p| p.date.clone()).collect();
    let n = dates.len() as f64;
    let max_new = report
        .contacts
        .iter()
        .map(|p| p.new_contacts)
        .max()
        .unwrap_or(0) as f64;
    let max_total = report.contacts.iter().map(|p| p.total).max().unwrap_or(0) as f64;
    let new_color = palette.series[1];
    let total_color = palette.series[0];
    let area = legend_below(
        area,
        &[
            entry("New", new_color, Mark::Box),
            entry("Total", total_color, Mark::Line),
        ],
        palette,
    )?;
    let mut chart = plot_area(&area, 56)
        .right_y_label_area_size(64)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..y_top(max_new))?
        .set_secondary_coord(-0.5..n - 0.5, 0.0..y_top(max_total));
    gridded_mesh(&mut chart, palette)
        .x_labels(10)
        .y_labels(6)
        .x_label_formatter(&|x| bucket_label(&dates, *x))
        .y_label_formatter(&count_label)
        .y_desc("New contacts")
        .draw()?;
    chart
        .configure_secondary_axes()
        .axis_style(palette.muted)
        .label_style(font(12.0, &palette.text))
        .axis_desc_style(font(13.0, &palette.muted))
        .y_labels(6)
        .y_label_formatter(&count_label)
        .y_desc("Total contacts")
        .draw()?;
    chart.draw_series(report.contacts.iter().enumerate().map(|(i, p)| {
        let x = i as f64;
        Rectangle::new(
            [(x - 0.35, 0.0), (x + 0.35, p.new_contacts as f64)],
            new_color.filled(),
        )
    }))?;
    chart.draw_secondary_series(LineSeries::new(
        report
            .contacts
            .iter()
            .enumerate()
            .map(|(i, p)| (i as f64, p.total as f64)),
        total_color.stroke_width(2),
    ))?;
    Ok(())
}

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.0} %", part as f64 * 100.0 / whole as f64)
    }
}

fn funnel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    palette: &Palette,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let f = &report.current;
    let steps = [
        ("Sent", f.messages_sent),
        ("Delivered", f.messages_delivered),
        ("Read", f.messages_read),
        ("Replied", f.messages_replied),
    ];
    let names: Vec<String> = steps.iter().map(|s| s.0.to_owned()).collect();
    let mut chart =
        plot_area(area, 56).build_cartesian_2d(-0.5..3.5, 0.0..y_top(f.messages_sent as f64))?;
    gridded_mesh(&mut chart, palette)
        .label_style(font(13.0, &palette.text))
        .x_labels(4)
        .y_labels(6)
        .x_label_formatter(&|x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && (0.0..4.0).contains(&i) {
                names[i as usize].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&count_label)
        .y_desc("Messages")
        .draw()?;
    chart.draw_series(steps.iter().enumerate().map(|(i, (_, count))| {
        let x = i as f64;
        Rectangle::new(
            [(x - 0.3, 0.0), (x + 0.3, *count as f64)],
            palette.series[i].filled(),
        )
    }))?;
    let above = font(13.0, &palette.text).pos(Pos::new(HPos::Center, VPos::Bottom));
    chart.draw_series(steps.iter().enumerate().map(|(i, (_, count))| {
        Text::new(
            format!("{count} ({})", percent(*count, f.messages_sent)),
            (i as f64, *count as f64),
            above.clone(),
        )
    }))?;
    Ok(())
}

fn heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    palette: &Palette,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let max = report
        .inbound_by_hour
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let mut chart = plot_area(area, 48).build_cartesian_2d(0.0..24.0, 0.0..7.0)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(palette.muted)
        .label_style(font(12.0, &palette.text))
        .axis_desc_style(font(13.0, &palette.muted))
        .x_labels(13)
        .y_labels(8)
        .x_label_formatter(&|x| format!("{:02}:00", *x as i64))
        // Day names are drawn in the middle of each row below, not on the row edges.
        .y_label_formatter(&|_| String::new())
        .x_desc(format!(
            "Hour of day ({}) · stronger colour = more messages · busiest hour: {max}",
            report.range.timezone
        ))
        .draw()?;
    let (from, to) = palette.heat;
    let mix = |t: f64| {
        let channel = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
        RGBColor(
            channel(from.0, to.0),
            channel(from.1, to.1),
            channel(from.2, to.2),
        )
    };
    chart.draw_series(
        report
            .inbound_by_hour
            .iter()
            .enumerate()
            .flat_map(|(day, hours)| {
                let y = 6.0 - day as f64;
                hours.iter().enumerate().map(move |(hour, &count)| {
                    // Any message at all shows; the busiest hour is the darkest.
                    let t = if count == 0 {
                        0.0
                    } else {
                        0.2 + 0.8 * count as f64 / max as f64
                    };
                    let x = hour as f64;
                    Rectangle::new(
                        [(x + 0.04, y + 0.06), (x + 0.96, y + 0.94)],
                        mix(t).filled(),
                    )
                })
            }),
    )?;
    let left = font(12.0, &palette.text).pos(Pos::new(HPos::Right, VPos::Center));
    // backend_coord is in the whole image's pixels; the area draws relative to its own corner.
    let (base_x, base_y) = area.get_base_pixel();
    for (day, name) in DAYS.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(0.0, 6.5 - day as f64));
        area.draw(&Text::new(
            (*name).to_owned(),
            (x - base_x - 8, y - base_y),
            left.clone(),
        ))?;
    }
    Ok(())
}

/// Seconds shown in the unit that suits the largest value.
fn time_unit(max_seconds: i64) -> (&'static str, f64) {
    if max_seconds >= 2 * 3600 {
        ("hours", 3600.0)
    } else if max_seconds >= 120 {
        ("minutes", 60.0)
    } else {
        ("seconds", 1.0)
    }
}

fn response_time<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    palette: &Palette,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let dates: Vec<String> = report.messages.iter().map(|p| p.date.clone()).collect();
    let n = dates.len() as f64;
    let max = report
        .messages
        .iter()
        .filter_map(|p| p.p90_first_response_seconds)
        .max()
        .unwrap_or(0);
    let (unit, per) = time_unit(max);
    const LINES: [&str; 2] = ["Median", "90th percentile"];
    let color = |i: usize| palette.series[i * 3];
    let area = legend_below(area, &named(&LINES, color, Mark::Line), palette)?;
    let mut chart =
        plot_area(&area, 56).build_cartesian_2d(-0.5..n - 0.5, 0.0..y_top(max as f64 / per))?;
    gridded_mesh(&mut chart, palette)
        .x_labels(10)
        .y_labels(6)
        .x_label_formatter(&|x| bucket_label(&dates, *x))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .y_desc(format!("First response ({unit})"))
        .draw()?;
    for i in 0..LINES.len() {
        let color = color(i);
        let points: Vec<(f64, f64)> = report
            .messages
            .iter()
            .enumerate()
            .filter_map(|(x, p)| {
                let seconds = [
                    p.median_first_response_seconds,
                    p.p90_first_response_seconds,
                ][i];
                seconds.map(|s| (x as f64, s as f64 / per))
            })
            .collect();
        chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?;
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )?;
    }
    Ok(())
}

fn campaigns<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    palette: &Palette,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let list: Vec<_> = report.campaigns.iter().filter(|c| c.sent > 0).collect();
    let names: Vec<String> = list
        .iter()
        .map(|c| {
            let mut name: String = c.name.chars().take(18).collect();
            if c.name.chars().count() > 18 {
                name.push('…');
            }
            name
        })
        .collect();
    let n = list.len() as f64;
    const RATES: [&str; 3] = ["Delivered", "Read", "Replied"];
    let color = |k: usize| palette.series[k + 1];
    let area = legend_below(area, &named(&RATES, color, Mark::Box), palette)?;
    // Room for three campaigns at least, so one or two are centred bars, not slabs across the chart.
    let pad = 0.5 + (3.0 - n).max(0.0) / 2.0;
    let mut chart = plot_area(&area, 56).build_cartesian_2d(-pad..n - 1.0 + pad, 0.0..115.0)?;
    gridded_mesh(&mut chart, palette)
        .x_labels(list.len().max(1) * 2 + 1)
        .y_labels(6)
        .x_label_formatter(&|x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                names[i as usize].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            if *y <= 100.0 {
                format!("{y:.0} %")
            } else {
                String::new()
            }
        })
        .y_desc("Share of messages sent")
        .draw()?;
    for k in 0..RATES.len() {
        let color = color(k);
        let bars = list.iter().enumerate().map(|(i, c)| {
            let left = i as f64 - 0.39 + k as f64 * 0.26;
            let value = [c.delivered, c.read, c.replied][k] as f64 * 100.0 / c.sent as f64;
            Rectangle::new([(left, 0.0), (left + 0.24, value)], color.filled())
        });
        chart.draw_series(bars)?;
    }
    Ok(())
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

    #[test]
    fn dates_and_units_read_well() {
        assert_eq!(short_date("2026-03-09"), "Mar 9");
        assert_eq!(time_unit(7200), ("hours", 3600.0));
        assert_eq!(time_unit(600), ("minutes", 60.0));
        assert_eq!(percent(1, 3), "33 %");
        assert_eq!(count_label(&2.0), "2");
        assert_eq!(count_label(&0.5), "");
        assert_eq!(count_label(&1.5), "");
    }
}
