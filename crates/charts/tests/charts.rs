//! Every chart, for data and for an empty range, in both themes: the SVG is well-formed XML with
//! the labels a reader needs, and the PNG decodes to an image of the size asked for.

use whatsflow_charts::{png, svg, Chart, Size, Theme};
use whatsflow_engine::analytics::{
    ByKind, CampaignFigures, ContactPoint, Figures, Granularity, MessagePoint, Period, Report,
};

fn period() -> Period {
    Period {
        from: "2026-03-28".into(),
        to: "2026-03-30".into(),
        previous_from: "2026-03-25".into(),
        previous_to: "2026-03-27".into(),
        days: 3,
        granularity: Granularity::Day,
        timezone: "Europe/Berlin".into(),
    }
}

fn day(date: &str) -> String {
    date.into()
}

fn empty() -> Report {
    let dates = ["2026-03-28", "2026-03-29", "2026-03-30"];
    Report {
        range: period(),
        current: Figures::default(),
        previous: Figures::default(),
        messages: dates
            .iter()
            .map(|d| MessagePoint {
                date: day(d),
                ..Default::default()
            })
            .collect(),
        contacts: dates
            .iter()
            .map(|d| ContactPoint {
                date: day(d),
                ..Default::default()
            })
            .collect(),
        inbound_by_hour: vec![vec![0; 24]; 7],
        campaigns: Vec::new(),
    }
}

fn full() -> Report {
    let mut report = empty();
    for (i, point) in report.messages.iter_mut().enumerate() {
        let i = i as i64;
        point.sent = 3 + i;
        point.received = 2 + i;
        point.sent_by_kind = ByKind {
            text: 2 + i,
            media: 1,
            ..Default::default()
        };
        point.received_by_kind = ByKind {
            text: 1 + i,
            voice: 1,
            ..Default::default()
        };
        point.first_responses = 2;
        point.median_first_response_seconds = Some(1200 * (i + 1));
        point.p90_first_response_seconds = Some(9000 * (i + 1));
    }
    for (i, point) in report.contacts.iter_mut().enumerate() {
        point.new_contacts = i as i64 + 1;
        point.total = 10 + i as i64 * 2;
    }
    report.current.messages_sent = 12;
    report.current.messages_delivered = 10;
    report.current.messages_read = 7;
    report.current.messages_replied = 3;
    report.inbound_by_hour[5][10] = 4;
    report.inbound_by_hour[0][9] = 1;
    report.campaigns = vec![CampaignFigures {
        campaign_id: 1,
        name: "Spring sale".into(),
        status: "completed".into(),
        first_sent_at: None,
        sent: 4,
        delivered: 4,
        read: 2,
        replied: 1,
        failed: 0,
        opted_out: 0,
        delivery_rate: Some(1.0),
        read_rate: Some(0.5),
        reply_rate: Some(0.25),
    }];
    report
}

/// Every text node of an SVG document, after checking it is well-formed.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn every_chart_draws_its_labels_in_both_themes() {
    let report = full();
    let expected: [(Chart, &[&str]); 6] = [
        (
            Chart::Messages,
            &[
                "Messages sent and received",
                "Messages",
                "Mar 28",
                "Sent: text",
                "Received: voice",
            ],
        ),
        (
            Chart::Contacts,
            &[
                "Contact growth",
                "New contacts",
                "Total contacts",
                "New",
                "Total",
            ],
        ),
        (
            Chart::Funnel,
            &[
                "Delivery funnel",
                "Sent",
                "Delivered",
                "Read",
                "Replied",
                "10 (83 %)",
            ],
        ),
        (Chart::Heatmap, &["Mon", "Sun", "10:00"]),
        (
            Chart::ResponseTime,
            &["First response (hours)", "Median", "90th percentile"],
        ),
        (
            Chart::Campaigns,
            &["Spring sale", "Delivered", "Replied", "100 %"],
        ),
    ];
    for theme in [Theme::Light, Theme::Dark] {
        for (chart, labels) in expected {
            let drawn = svg(chart, &report, theme, Size::DEFAULT).unwrap();
            let found = texts(&drawn);
            for label in labels {
                assert!(
                    found.iter().any(|t| t == label),
                    "{chart:?} in {theme:?} lacks {label:?}: {found:?}"
                );
            }
            assert!(found.iter().any(|t| t.contains("2026-03-28 – 2026-03-30")));
        }
    }
    let light = svg(Chart::Funnel, &report, Theme::Light, Size::DEFAULT).unwrap();
    let dark = svg(Chart::Funnel, &report, Theme::Dark, Size::DEFAULT).unwrap();
    assert!(
        light.contains("#FFFFFF") && dark.contains("#18181B"),
        "the themes differ"
    );
}

#[test]
fn an_empty_range_draws_a_sentence_instead_of_axes() {
    for theme in [Theme::Light, Theme::Dark] {
        for chart in Chart::ALL {
            let found = texts(&svg(chart, &empty(), theme, Size::DEFAULT).unwrap());
            assert!(
                found
                    .iter()
                    .any(|t| t.starts_with("No ") || t.starts_with("Nothing")),
                "{chart:?}: {found:?}"
            );
            assert!(
                !found.iter().any(|t| t == "Mar 28"),
                "{chart:?} has no axis"
            );
        }
    }
}

#[test]
fn png_export_decodes_at_the_size_asked() {
    let size = Size::checked(640, 300).unwrap();
    for (report, chart) in [
        (full(), Chart::Messages),
        (full(), Chart::Heatmap),
        (empty(), Chart::Funnel),
    ] {
        let bytes = png(chart, &report, Theme::Dark, size).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (640, 300));
        // Text and bars drawn: not a single-colour image.
        let first = &pixels[..3];
        assert!(
            pixels.chunks(3).any(|p| p != first),
            "{chart:?} drew nothing"
        );
    }
}

/// The y of every text node with exactly this content.
fn text_ys(svg: &str, label: &str) -> Vec<f64> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "text")
        .filter(|n| n.text().map(str::trim) == Some(label))
        .filter_map(|n| n.attribute("y")?.parse().ok())
        .collect()
}

#[test]
fn legends_sit_under_the_plot_and_wrap_when_narrow() {
    let mut report = full();
    // Every message type both ways: ten legend entries, more than a narrow chart has room for in one row.
    for point in &mut report.messages {
        let all = ByKind {
            text: 1,
            media: 1,
            voice: 1,
            document: 1,
            other: 1,
        };
        point.sent_by_kind = all.clone();
        point.received_by_kind = all;
    }
    let size = Size::checked(320, 360).unwrap();
    let drawn = svg(Chart::Messages, &report, Theme::Dark, size).unwrap();
    // The x axis's date labels are the lowest part of the plot.
    let axis = text_ys(&drawn, "Mar 28")[0];
    let mut rows = Vec::new();
    for side in ["Sent", "Received"] {
        for kind in ["text", "media", "voice", "document", "other"] {
            let label = format!("{side}: {kind}");
            let ys = text_ys(&drawn, &label);
            assert_eq!(ys.len(), 1, "{label} drawn once");
            assert!(
                ys[0] > axis && ys[0] < size.height as f64,
                "{label} at y {} is under the axis labels (y {axis}) and inside the picture",
                ys[0]
            );
            rows.push(ys[0] as i64);
        }
    }
    rows.sort();
    rows.dedup();
    assert!(rows.len() > 1, "ten entries wrap at 320 pixels: {rows:?}");

    for (chart, label) in [
        (Chart::Contacts, "Total"),
        (Chart::ResponseTime, "Median"),
        (Chart::Campaigns, "Replied"),
    ] {
        let drawn = svg(chart, &report, Theme::Light, Size::DEFAULT).unwrap();
        let below = text_ys(&drawn, label);
        let lowest_axis_label = text_ys(
            &drawn,
            if chart == Chart::Campaigns {
                "Spring sale"
            } else {
                "Mar 28"
            },
        )[0];
        assert!(
            below.iter().any(|&y| y > lowest_axis_label),
            "{chart:?}: the legend's {label:?} is under the plot"
        );
    }
}
