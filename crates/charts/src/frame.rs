//! What every chart shares: the title and range above it, the sentence an empty range draws, the
//! plot area and grid in the theme's colours, the legend in rows under the plot, and the axis
//! labels.

use std::ops::Range;

use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::theme::Palette;
use crate::{Chart, FAMILY};

/// A plotters backend whose errors can be boxed: the SVG and the bitmap one.
pub(crate) trait Backend: DrawingBackend<ErrorType: 'static> {}
impl<DB: DrawingBackend<ErrorType: 'static>> Backend for DB {}

pub(crate) type Area<DB> = DrawingArea<DB, Shift>;
pub(crate) type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;
type Plane = Cartesian2d<RangedCoordf64, RangedCoordf64>;

pub(crate) fn font(size: f64, color: &RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(color)
}

/// Draws the title and the range, and returns the area below them.
pub(crate) fn titled<DB: Backend>(
    root: &Area<DB>,
    title: &str,
    subtitle: &str,
    palette: &Palette,
) -> std::result::Result<Area<DB>, Box<dyn std::error::Error>> {
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

pub(crate) fn draw_empty<DB: Backend>(
    root: &Area<DB>,
    chart: Chart,
    palette: &Palette,
    subtitle: &str,
) -> Drawn {
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
pub(crate) fn short_date(date: &str) -> String {
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

/// The x range of `n` slots (buckets, steps, campaigns), each centred on its index.
pub(crate) fn slots(n: usize) -> Range<f64> {
    centred_slots(n, n)
}

/// The x range of `n` slots with room for `room` of them at least, the slots in the middle: so one
/// or two campaigns are centred bars, not slabs across the chart.
pub(crate) fn centred_slots(n: usize, room: usize) -> Range<f64> {
    let n = n as f64;
    let pad = 0.5 + (room as f64 - n).max(0.0) / 2.0;
    -pad..n - 1.0 + pad
}

/// The label of the slot under an x position, for axis labels (none between slots).
pub(crate) fn slot_label(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 || i as usize >= labels.len() {
        return String::new();
    }
    labels[i as usize].clone()
}

/// A y range with some headroom, never empty.
pub(crate) fn y_top(max: f64) -> f64 {
    if max <= 0.0 {
        1.0
    } else {
        max * 1.15
    }
}

/// A tick of a count axis: whole numbers only, so a small range (0 to 2.3) does not read "0, 0, 1,
/// 2, 2" from its half steps.
pub(crate) fn count_label(y: &f64) -> String {
    if y.fract().abs() < 1e-9 {
        format!("{y:.0}")
    } else {
        String::new()
    }
}

pub(crate) fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.0} %", part as f64 * 100.0 / whole as f64)
    }
}

/// How a legend entry shows its series: a filled box (bars) or a line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mark {
    Box,
    Line,
}

pub(crate) struct LegendEntry {
    label: String,
    color: RGBColor,
    mark: Mark,
}

pub(crate) fn entry(label: impl Into<String>, color: RGBColor, mark: Mark) -> LegendEntry {
    LegendEntry {
        label: label.into(),
        color,
        mark,
    }
}

/// One entry per name, in the colour of its index.
pub(crate) fn named(
    names: &[&str],
    color: impl Fn(usize) -> RGBColor,
    mark: Mark,
) -> Vec<LegendEntry> {
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
pub(crate) fn legend_below<DB: Backend>(
    area: &Area<DB>,
    entries: &[LegendEntry],
    palette: &Palette,
) -> std::result::Result<Area<DB>, Box<dyn std::error::Error>> {
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
pub(crate) fn plot_area<'a, 'b, DB: DrawingBackend>(
    area: &'a Area<DB>,
    y_labels_width: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(y_labels_width);
    builder
}

/// The axes and horizontal grid lines (at the labels only) in the theme's colours, six y labels,
/// and the x axis labelled by `x_label`; each chart adds how many x labels and how the y values
/// read.
pub(crate) fn gridded_mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut ChartContext<'a, DB, Plane>,
    palette: &Palette,
    x_label: &'b dyn Fn(&f64) -> String,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut mesh = chart.configure_mesh();
    // Only the labelled lines: the minor ones between them hatch a small chart, on dark above all.
    mesh.disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(palette.grid)
        .axis_style(palette.muted)
        .label_style(font(12.0, &palette.text))
        .axis_desc_style(font(13.0, &palette.muted))
        .x_label_formatter(x_label)
        .y_labels(6);
    mesh
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_well() {
        assert_eq!(short_date("2026-03-09"), "Mar 9");
        assert_eq!(percent(1, 3), "33 %");
        let names = ["a".to_owned(), "b".to_owned()];
        assert_eq!(slot_label(&names, 1.0), "b");
        assert_eq!(slot_label(&names, 0.5), "");
        assert_eq!(slot_label(&names, 2.0), "");
        assert_eq!(count_label(&2.0), "2");
        assert_eq!(count_label(&0.5), "");
        assert_eq!(count_label(&1.5), "");
        assert_eq!(slots(2), -0.5..1.5);
        assert_eq!(centred_slots(1, 3), -1.5..1.5);
        assert_eq!(centred_slots(4, 3), slots(4));
    }
}
