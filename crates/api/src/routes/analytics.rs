//! Routes of the dashboard: the overview cards, the message, contact and campaign series (as JSON
//! or CSV), one campaign's funnel, and the charts as SVG or PNG. Ranges are dates in the business's
//! time zone.

use schemars::JsonSchema;
use serde::Serialize;
use whatsflow_charts::{Chart, Size, Theme};
use whatsflow_engine::analytics::{CampaignFigures, RangeQuery};
use whatsflow_engine::{Engine, Error};

use crate::api::{data, raw, Access, Ctx, Method, NoBody, QueryParam, Raw, Route};

/// The export's parameters: the range parameters every analytics route takes, then its format.
const EXPORT: &[QueryParam] = &[
    QueryParam {
        name: "from",
        description:
            "First day, YYYY-MM-DD in the business's time zone (default: 29 days before to)",
    },
    QueryParam {
        name: "to",
        description: "Last day, included (default: today); at most 5 years after from",
    },
    QueryParam {
        name: "period",
        description: "Instead of from/to: today, yesterday, 7d, 30d or 90d (ending today)",
    },
    QueryParam {
        name: "granularity",
        description: "Series buckets: day (default), week or month",
    },
    QueryParam {
        name: "format",
        description: "csv (the only format, and the default)",
    },
];
const RANGE: &[QueryParam] = EXPORT.split_at(4).0;

const CHART: &[QueryParam] = &[
    QueryParam {
        name: "format",
        description: "svg (default) or png",
    },
    QueryParam {
        name: "theme",
        description: "light (default) or dark",
    },
    QueryParam {
        name: "width",
        description: "Pixels, 320 to 3200 (default 800)",
    },
    QueryParam {
        name: "height",
        description: "Pixels, 200 to 2400 (default 360)",
    },
    RANGE[0],
    RANGE[1],
    RANGE[2],
    RANGE[3],
];

/// `?from=&to=&period=&granularity=` as the engine takes them.
fn range(c: &Ctx) -> RangeQuery {
    let one = |name: &str| c.query_one(name).map(str::to_owned);
    RangeQuery {
        period: one("period"),
        from: one("from"),
        to: one("to"),
        granularity: one("granularity"),
    }
}

/// `?width=` or `?height=` in pixels.
fn pixels(c: &Ctx, name: &str, default: u32) -> Result<u32, Error> {
    match c.query_one(name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| Error::invalid_field(name, format!("{name} must be a number of pixels"))),
    }
}

/// A GET of figures for a range, answered as JSON.
fn ranged<T: Serialize + JsonSchema + 'static>(
    path: &'static str,
    summary: &'static str,
    figures: fn(&Engine, &RangeQuery) -> Result<T, Error>,
) -> Route {
    data(
        Method::Get,
        path,
        "analytics",
        Access::Read,
        summary,
        move |c, _: NoBody| figures(c.engine, &range(c)),
    )
    .with_query(RANGE)
}

/// The dashboard routes.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        ranged(
            "/api/v1/analytics/overview",
            "The dashboard's cards for a range, with the same figures for the range before it",
            Engine::analytics_overview,
        ),
        ranged(
            "/api/v1/analytics/messages",
            "Messages per day, week or month (sent, delivered, read, received, replied, by type, \
             conversations, first-response times), and inbound messages by weekday and hour",
            Engine::analytics_messages,
        ),
        ranged(
            "/api/v1/analytics/contacts",
            "New contacts (by source), total and opt-outs per day, week or month",
            Engine::analytics_contacts,
        ),
        ranged(
            "/api/v1/analytics/campaigns",
            "The funnel of every campaign with a message in the range",
            Engine::analytics_campaigns,
        ),
        // Before `/analytics/campaigns/{id}`, which would otherwise take "export" for an id.
        raw(
            Get,
            "/api/v1/analytics/{series}/export",
            "analytics",
            Read,
            "A series as CSV: messages, contacts or campaigns",
            "text/csv",
            |c, _| {
                match c.query_one("format").filter(|f| !f.is_empty()) {
                    None | Some("csv") => {}
                    Some(_) => return Err(Error::invalid_field("format", "format must be csv")),
                }
                let series = c.params.get("series").map(String::as_str).unwrap_or("");
                Ok(Raw {
                    content_type: "text/csv; charset=utf-8".into(),
                    body: c.engine.analytics_csv(series, &range(c))?.into_bytes(),
                })
            },
        )
        .with_query(EXPORT),
        data(
            Get,
            "/api/v1/analytics/campaigns/{id}",
            "analytics",
            Read,
            "One campaign's funnel over all its messages: sent, delivered, read, replied, failed, \
             opt-outs",
            |c, _: NoBody| -> Result<CampaignFigures, Error> {
                c.engine.analytics_campaign(c.id("id")?)
            },
        ),
        raw(
            Get,
            "/api/v1/analytics/charts/{chart}",
            "analytics",
            Read,
            "A chart as SVG or PNG: messages, contacts, funnel, heatmap, response-time, campaigns",
            "image/svg+xml",
            |c, _| {
                let chart: Chart = c
                    .params
                    .get("chart")
                    .map(String::as_str)
                    .unwrap_or("")
                    .parse()?;
                let png = match c.query_one("format").filter(|f| !f.is_empty()) {
                    None | Some("svg") => false,
                    Some("png") => true,
                    Some(_) => {
                        return Err(Error::invalid_field("format", "format must be svg or png"))
                    }
                };
                let theme = match c.query_one("theme").filter(|t| !t.is_empty()) {
                    None => Theme::default(),
                    Some(name) => name.parse()?,
                };
                let size = Size::checked(
                    pixels(c, "width", Size::DEFAULT.width)?,
                    pixels(c, "height", Size::DEFAULT.height)?,
                )?;
                let report = c.engine.analytics_report(&range(c))?;
                Ok(if png {
                    Raw {
                        content_type: "image/png".into(),
                        body: whatsflow_charts::png(chart, &report, theme, size)?,
                    }
                } else {
                    Raw {
                        content_type: "image/svg+xml".into(),
                        body: whatsflow_charts::svg(chart, &report, theme, size)?.into_bytes(),
                    }
                })
            },
        )
        .with_query(CHART),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use whatsflow_engine::api_keys::{Scope, Scopes};
    use whatsflow_engine::link::InboundMessage;
    use whatsflow_engine::profile::{BusinessDetails, ProfileInput};
    use whatsflow_engine::Engine;

    use crate::api::{ApiRequest, Caller};
    use crate::routes::test_support::{engine_at, get, json};

    /// 2026-03-30 12:00 UTC.
    const NOW: i64 = 1_774_872_000_000;

    fn engine() -> (Engine, tempfile::TempDir) {
        let (engine, dir) = engine_at(NOW);
        engine
            .save_profile(ProfileInput {
                details: BusinessDetails {
                    business_name: "Rosa's Flowers".into(),
                    country: "DE".into(),
                    timezone: "Europe/Berlin".into(),
                    ..Default::default()
                },
                ..Default::default()
            })
            .unwrap();
        for (i, from_me) in [false, true, false].into_iter().enumerate() {
            engine
                .ingest(InboundMessage {
                    wa_message_id: format!("{from_me}_4915123456001@c.us_M{i}"),
                    chat_id: "4915123456001@c.us".into(),
                    phone_number: Some("+4915123456001".into()),
                    push_name: Some("Anna".into()),
                    from_me,
                    kind: "chat".into(),
                    body: "Hello".into(),
                    caption: None,
                    media: None,
                    quoted_wa_id: None,
                    timestamp: NOW - 3_600_000 + i as i64 * 600_000,
                })
                .unwrap();
        }
        (engine, dir)
    }

    #[test]
    fn the_overview_has_both_ranges() {
        let (engine, _dir) = engine();
        let response = get(&engine, "/api/v1/analytics/overview?period=7d");
        assert_eq!(response.status, 200);
        let data = &json(&response)["data"];
        assert_eq!(data["range"]["from"], "2026-03-24");
        assert_eq!(data["range"]["to"], "2026-03-30");
        assert_eq!(data["messagesReceived"], 2);
        assert_eq!(data["messagesSent"], 1);
        assert_eq!(data["medianFirstResponseSeconds"], 600);
        assert_eq!(data["replyRate"], 1.0);
        assert_eq!(data["previous"]["messagesReceived"], 0);
        assert_eq!(data["previous"]["replyRate"], Value::Null);

        let series = json(&get(
            &engine,
            "/api/v1/analytics/messages?from=2026-03-01&to=2026-03-31&granularity=week",
        ));
        let weeks = series["data"]["points"].as_array().unwrap();
        assert_eq!(weeks.len(), 6, "{series}");
        assert_eq!(weeks[5]["date"], "2026-03-30");
        assert_eq!(weeks[5]["received"], 2);
        let contacts = json(&get(&engine, "/api/v1/analytics/contacts?period=today"));
        assert_eq!(contacts["data"]["points"][0]["total"], 1);
        let campaigns = json(&get(&engine, "/api/v1/analytics/campaigns"));
        assert_eq!(campaigns["data"], serde_json::json!([]));
    }

    #[test]
    fn contacts_an_api_key_adds_count_as_api() {
        let (engine, _dir) = engine();
        let api = crate::routes::api();
        let add = |caller: Caller, body: Value| {
            api.dispatch(
                &engine,
                caller,
                ApiRequest {
                    method: "POST".into(),
                    path: "/api/v1/contacts".into(),
                    body: Some(body),
                    ..Default::default()
                },
            )
        };
        let key = Caller::Key {
            id: 1,
            scopes: Scopes::of(&[Scope::Send]),
        };
        let by_key = add(key, serde_json::json!({ "phoneNumber": "+4915123456002" }));
        assert_eq!(json(&by_key)["data"]["source"], "api", "{}", json(&by_key));
        let in_app = add(
            Caller::Session,
            serde_json::json!({ "phoneNumber": "+4915123456003" }),
        );
        assert_eq!(json(&in_app)["data"]["source"], "manual");
        // The source comes from the caller, never from the request.
        let claimed = add(
            Caller::Session,
            serde_json::json!({ "phoneNumber": "+4915123456004", "addedBy": "apiKey" }),
        );
        assert_eq!(claimed.status, 400, "{}", json(&claimed));

        let overview = json(&get(&engine, "/api/v1/analytics/overview?period=today"));
        assert_eq!(
            overview["data"]["newContactsBySource"],
            serde_json::json!({ "conversation": 1, "import": 0, "manual": 1, "api": 1 })
        );
        let listed = json(&get(&engine, "/api/v1/contacts?source=api"));
        let numbers: Vec<&Value> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["phoneNumber"])
            .collect();
        assert_eq!(numbers, ["+4915123456002"]);
    }

    #[test]
    fn bad_ranges_and_chart_options_are_400_with_details() {
        let (engine, _dir) = engine();
        for (path, field) in [
            (
                "/api/v1/analytics/overview?from=2026-03-02&to=2026-03-01",
                "from",
            ),
            (
                "/api/v1/analytics/overview?from=2020-01-01&to=2026-01-01",
                "to",
            ),
            ("/api/v1/analytics/messages?granularity=hour", "granularity"),
            ("/api/v1/analytics/contacts?from=yesterday", "from"),
            ("/api/v1/analytics/overview?period=week", "period"),
            ("/api/v1/analytics/charts/pie", "chart"),
            ("/api/v1/analytics/charts/funnel?format=gif", "format"),
            ("/api/v1/analytics/charts/funnel?theme=blue", "theme"),
            ("/api/v1/analytics/charts/funnel?width=10", "width"),
            ("/api/v1/analytics/charts/funnel?height=tall", "height"),
            ("/api/v1/analytics/tags/export", "series"),
            ("/api/v1/analytics/messages/export?format=xlsx", "format"),
        ] {
            let response = get(&engine, path);
            assert_eq!(response.status, 400, "{path}");
            let body = json(&response);
            assert_eq!(body["error"]["code"], "validation_failed", "{path}");
            assert_eq!(
                body["error"]["details"][0]["field"], field,
                "{path}: {body}"
            );
        }
        assert_eq!(get(&engine, "/api/v1/analytics/campaigns/7").status, 404);
    }

    #[test]
    fn charts_come_as_svg_or_png_and_series_as_csv() {
        let (engine, _dir) = engine();
        let svg = get(
            &engine,
            "/api/v1/analytics/charts/messages?period=7d&theme=dark",
        );
        assert_eq!(svg.status, 200);
        assert_eq!(svg.content_type, "image/svg+xml");
        let text = String::from_utf8(svg.body).unwrap();
        assert!(text.starts_with("<svg") && text.contains("Messages sent and received"));
        let empty = get(&engine, "/api/v1/analytics/charts/campaigns?period=7d");
        assert!(String::from_utf8(empty.body)
            .unwrap()
            .contains("No campaign sent messages in this period."));
        let png = get(
            &engine,
            "/api/v1/analytics/charts/heatmap?format=png&width=400&height=240",
        );
        assert_eq!(png.content_type, "image/png");
        assert_eq!(&png.body[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR: width and height, big-endian, right after the signature and chunk header.
        assert_eq!(&png.body[16..24], &[0, 0, 1, 144, 0, 0, 0, 240]);

        let csv = get(&engine, "/api/v1/analytics/messages/export?period=today");
        assert_eq!(csv.status, 200);
        assert_eq!(csv.content_type, "text/csv; charset=utf-8");
        let text = String::from_utf8(csv.body).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[1].starts_with("2026-03-30,1,0,0,2,1,"), "{text}");
        let campaigns = get(&engine, "/api/v1/analytics/campaigns/export");
        assert!(String::from_utf8(campaigns.body)
            .unwrap()
            .starts_with("campaign_id,name,"));
    }
}
