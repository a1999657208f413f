//! The charts that compare side by side: the delivery funnel (sent → delivered → read → replied)
//! and the campaigns' rates.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use whatsflow_engine::analytics::Report;

use crate::frame::{centred_slots, count_label, font, gridded_mesh, legend_below, named, percent};
use crate::frame::{plot_area, slot_label, slots, y_top, Area, Backend, Drawn, Mark};
use crate::theme::Palette;

pub(crate) fn funnel<DB: Backend>(area: &Area<DB>, report: &Report, palette: &Palette) -> Drawn {
    let f = &report.current;
    let steps = [
        ("Sent", f.messages_sent),
        ("Delivered", f.messages_delivered),
        ("Read", f.messages_read),
        ("Replied", f.messages_replied),
    ];
    let names: Vec<String> = steps.iter().map(|s| s.0.to_owned()).collect();
    let mut chart = plot_area(area, 56)
        .build_cartesian_2d(slots(steps.len()), 0.0..y_top(f.messages_sent as f64))?;
    gridded_mesh(&mut chart, palette, &|x| slot_label(&names, *x))
        .label_style(font(13.0, &palette.text))
        .x_labels(4)
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

pub(crate) fn campaigns<DB: Backend>(area: &Area<DB>, report: &Report, palette: &Palette) -> Drawn {
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
    const RATES: [&str; 3] = ["Delivered", "Read", "Replied"];
    let color = |k: usize| palette.series[k + 1];
    let area = legend_below(area, &named(&RATES, color, Mark::Box), palette)?;
    // Room for three campaigns at least, so one or two are centred bars, not slabs across the chart.
    let mut chart =
        plot_area(&area, 56).build_cartesian_2d(centred_slots(list.len(), 3), 0.0..115.0)?;
    gridded_mesh(&mut chart, palette, &|x| slot_label(&names, *x))
        .x_labels(list.len().max(1) * 2 + 1)
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
