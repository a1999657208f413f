//! The charts over time, one slot per bucket of the range: messages sent and received by type,
//! contact growth, and first-response time.

use plotters::prelude::*;
use whatsflow_engine::analytics::{ByKind, MessagePoint, Report};

use crate::frame::{count_label, entry, font, gridded_mesh, legend_below, named, plot_area};
use crate::frame::{short_date, slot_label, slots, y_top, Area, Backend, Drawn, LegendEntry, Mark};
use crate::theme::Palette;

/// The buckets' dates as the x axis shows them.
fn bucket_labels<'a>(dates: impl Iterator<Item = &'a String>) -> Vec<String> {
    dates.map(|date| short_date(date)).collect()
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

pub(crate) fn messages<DB: Backend>(area: &Area<DB>, report: &Report, palette: &Palette) -> Drawn {
    let labels = bucket_labels(report.messages.iter().map(|p| &p.date));
    let max = report
        .messages
        .iter()
        .map(|p| p.sent.max(p.received))
        .max()
        .unwrap_or(0) as f64;
    let counts = |sent: bool, p: &MessagePoint| {
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
    let mut chart =
        plot_area(&area, 56).build_cartesian_2d(slots(labels.len()), 0.0..y_top(max))?;
    gridded_mesh(&mut chart, palette, &|x| slot_label(&labels, *x))
        .x_labels(10)
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

pub(crate) fn contacts<DB: Backend>(area: &Area<DB>, report: &Report, palette: &Palette) -> Drawn {
    let labels = bucket_labels(report.contacts.iter().map(|p| &p.date));
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
        .build_cartesian_2d(slots(labels.len()), 0.0..y_top(max_new))?
        .set_secondary_coord(slots(labels.len()), 0.0..y_top(max_total));
    gridded_mesh(&mut chart, palette, &|x| slot_label(&labels, *x))
        .x_labels(10)
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

pub(crate) fn response_time<DB: Backend>(
    area: &Area<DB>,
    report: &Report,
    palette: &Palette,
) -> Drawn {
    let labels = bucket_labels(report.messages.iter().map(|p| &p.date));
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
    let mut chart = plot_area(&area, 56)
        .build_cartesian_2d(slots(labels.len()), 0.0..y_top(max as f64 / per))?;
    gridded_mesh(&mut chart, palette, &|x| slot_label(&labels, *x))
        .x_labels(10)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_times_read_in_a_fitting_unit() {
        assert_eq!(time_unit(7200), ("hours", 3600.0));
        assert_eq!(time_unit(600), ("minutes", 60.0));
        assert_eq!(time_unit(60), ("seconds", 1.0));
    }
}
