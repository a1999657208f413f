//! The heatmap of inbound messages by hour of day and weekday, in the business's time zone.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use whatsflow_engine::analytics::Report;

use crate::frame::{font, plot_area, Area, Backend, Drawn};
use crate::theme::Palette;

pub(crate) fn heatmap<DB: Backend>(area: &Area<DB>, report: &Report, palette: &Palette) -> Drawn {
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
