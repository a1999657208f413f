//! Routes of broadcast campaigns: list, CRUD, send / pause / resume / cancel / duplicate, pause all, the
//! preview, recipients (cursor pages, status filter) and their CSV export, and the opt-out settings.
//! `/campaigns/preview` comes before `/campaigns/{id}`, since the table matches in order.

use whatsflow_engine::campaigns::opt_out::OptOutSettings;
use whatsflow_engine::campaigns::{
    Campaign, CampaignInput, CampaignStatus, Preview, PreviewRequest, RecipientStatus,
};
use whatsflow_engine::inbox::MAX_MEDIA_BYTES;
use whatsflow_engine::{Engine, Error};

use super::done_on_id;
use crate::api::{data, page, raw, Access, Ctx, Method, NoBody, QueryParam, Raw, Route};

const CAMPAIGN_LIST: &[QueryParam] = &[
    QueryParam {
        name: "status",
        description: "Only campaigns in this status: draft, scheduled, sending, paused, completed, cancelled or failed",
    },
];

const RECIPIENT_LIST: &[QueryParam] = &[QueryParam {
    name: "status",
    description:
        "Only recipients in this status: pending, skipped, sent, delivered, read, failed or replied",
}];

/// A campaign with its media inline may be as large as a message with media.
const MAX_CAMPAIGN_BODY: usize = MAX_MEDIA_BYTES / 3 * 4 + 64 * 1024;

/// `?status=` as one of the values of `T` (a closed, lower-case enum).
fn status_filter<T: serde::de::DeserializeOwned>(
    c: &Ctx,
    allowed: &str,
) -> Result<Option<T>, Error> {
    match c
        .query_one("status")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(text) => serde_json::from_value(serde_json::Value::String(text.to_owned()))
            .map(Some)
            .map_err(|_| {
                Error::invalid_field("status", format!("status must be one of: {allowed}"))
            }),
    }
}

/// The campaign routes.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        page(
            "/api/v1/campaigns",
            "campaigns",
            Read,
            "Campaigns, newest first, with status, counters and ETA",
            |c| {
                let status = status_filter::<CampaignStatus>(
                    c,
                    "draft, scheduled, sending, paused, completed, cancelled, failed",
                )?;
                let limit = c.limit(50)?;
                c.engine.campaigns(status, c.cursor(), limit)
            },
        )
        .with_query(CAMPAIGN_LIST),
        data(
            Post,
            "/api/v1/campaigns",
            "campaigns",
            Send,
            "Create a campaign (a draft until it is sent)",
            |c, input: CampaignInput| -> Result<Campaign, Error> {
                c.engine.create_campaign(input)
            },
        )
        .max_body(MAX_CAMPAIGN_BODY),
        data(
            Post,
            "/api/v1/campaigns/preview",
            "campaigns",
            Read,
            "Rendered variants, the audience's size and the exact message for one recipient",
            |c, input: PreviewRequest| -> Result<Preview, Error> {
                c.engine.preview_campaign(input)
            },
        )
        .max_body(MAX_CAMPAIGN_BODY),
        data(
            Get,
            "/api/v1/campaigns/{id}",
            "campaigns",
            Read,
            "One campaign",
            |c, _: NoBody| c.engine.campaign(c.id("id")?),
        ),
        data(
            Put,
            "/api/v1/campaigns/{id}",
            "campaigns",
            Send,
            "Replace a draft or scheduled campaign (409 once it has started)",
            |c, input: CampaignInput| c.engine.update_campaign(c.id("id")?, input),
        )
        .max_body(MAX_CAMPAIGN_BODY),
        done_on_id(
            Delete,
            "/api/v1/campaigns/{id}",
            "campaigns",
            Send,
            "Delete a campaign that is not sending (its messages stay in the conversations)",
            Engine::delete_campaign,
        ),
        data(
            Post,
            "/api/v1/campaigns/pause-all",
            "campaigns",
            Send,
            "Pause every sending campaign before its next message (the tray's \"Pause all \
             campaigns\"); answers those it paused",
            |c, _: NoBody| c.engine.pause_all_campaigns(None),
        ),
        data(
            Post,
            "/api/v1/campaigns/{id}/send",
            "campaigns",
            Send,
            "Start a draft: now, or at its scheduledAt",
            |c, _: NoBody| c.engine.send_campaign(c.id("id")?),
        ),
        data(
            Post,
            "/api/v1/campaigns/{id}/pause",
            "campaigns",
            Send,
            "Pause a sending campaign before its next message",
            |c, _: NoBody| c.engine.pause_campaign(c.id("id")?),
        ),
        data(
            Post,
            "/api/v1/campaigns/{id}/resume",
            "campaigns",
            Send,
            "Resume a paused campaign where it stopped",
            |c, _: NoBody| c.engine.resume_campaign(c.id("id")?),
        ),
        data(
            Post,
            "/api/v1/campaigns/{id}/cancel",
            "campaigns",
            Send,
            "Cancel a campaign for good",
            |c, _: NoBody| c.engine.cancel_campaign(c.id("id")?),
        ),
        data(
            Post,
            "/api/v1/campaigns/{id}/duplicate",
            "campaigns",
            Send,
            "A new draft with the same message, audience and pacing",
            |c, _: NoBody| c.engine.duplicate_campaign(c.id("id")?),
        ),
        page(
            "/api/v1/campaigns/{id}/recipients",
            "campaigns",
            Read,
            "A campaign's recipients in send order, with status and reason",
            |c| {
                let status = status_filter::<RecipientStatus>(
                    c,
                    "pending, skipped, sent, delivered, read, failed, replied",
                )?;
                let limit = c.limit(50)?;
                c.engine
                    .campaign_recipients(c.id("id")?, status, c.cursor(), limit)
            },
        )
        .with_query(RECIPIENT_LIST),
        raw(
            Get,
            "/api/v1/campaigns/{id}/recipients/export",
            "campaigns",
            Read,
            "A campaign's recipients as CSV",
            "text/csv",
            |c, _| {
                Ok(Raw {
                    content_type: "text/csv; charset=utf-8".into(),
                    body: c.engine.export_campaign_recipients(c.id("id")?)?,
                })
            },
        ),
        data(
            Get,
            "/api/v1/settings/opt-out",
            "campaigns",
            Read,
            "The opt-out keywords and the confirmation",
            |c, _: NoBody| -> Result<OptOutSettings, Error> { c.engine.opt_out_settings() },
        ),
        data(
            Put,
            "/api/v1/settings/opt-out",
            "campaigns",
            Admin,
            "Change the opt-out keywords and the confirmation",
            |c, input: OptOutSettings| c.engine.save_opt_out_settings(input),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use whatsflow_engine::contacts::{NewContact, TagRef};
    use whatsflow_engine::Engine;

    use crate::routes::test_support::{call, engine_at, json};

    fn engine() -> (Engine, tempfile::TempDir) {
        let (engine, dir) = engine_at(1_780_000_000_000);
        for (i, name) in ["Ana Lima", "Bruno Costa", "Carla Dias"].iter().enumerate() {
            engine
                .create_contact(NewContact {
                    phone_number: format!("+1415555010{i}"),
                    name: (*name).into(),
                    tags: if i < 2 {
                        vec![TagRef::Name("vip".into())]
                    } else {
                        vec![]
                    },
                    opted_out: i == 1,
                    ..Default::default()
                })
                .unwrap();
        }
        (engine, dir)
    }

    fn campaign() -> Value {
        json!({
            "name": "Spring sale",
            "messageContent": "{Hi|Hello} {{first_name|there}}, 20% off today",
            "targetType": "tags",
            "targetTags": [1],
            "pacing": {"minGapMs": 0, "maxGapMs": 0, "quietHours": null, "typing": false}
        })
    }

    #[test]
    fn a_preview_with_out_of_range_pacing_is_a_400_naming_the_field() {
        // Found by schemathesis: gaps near i64::MAX overflowed the finish estimate (a 500).
        let (engine, _dir) = engine();
        let mut body = campaign();
        body["pacing"] = json!({ "minGapMs": i64::MAX - 1, "maxGapMs": 60_000 });
        let answer = call(&engine, "POST", "/api/v1/campaigns/preview", Some(body));
        assert_eq!(answer.status, 400, "{}", json(&answer));
        assert_eq!(
            json(&answer)["error"]["details"][0]["field"],
            "pacing.maxGapMs"
        );
    }

    #[test]
    fn a_campaign_is_created_previewed_sent_and_its_recipients_listed() {
        let (engine, _dir) = engine();
        let created = call(&engine, "POST", "/api/v1/campaigns", Some(campaign()));
        assert_eq!(created.status, 200, "{}", json(&created));
        let body = json(&created);
        assert_eq!(body["data"]["status"], "draft");
        assert_eq!(
            body["data"]["pacing"]["hourlyCap"], 80,
            "left-out pacing fields default"
        );
        assert_eq!(body["data"]["pacing"]["quietHours"], Value::Null);
        let id = body["data"]["id"].as_i64().unwrap();

        let mut preview_body = campaign();
        preview_body["contactId"] = json!(1);
        let preview = json(&call(
            &engine,
            "POST",
            "/api/v1/campaigns/preview",
            Some(preview_body),
        ));
        assert_eq!(preview["data"]["audience"]["total"], 2, "{preview}");
        assert_eq!(preview["data"]["audience"]["optedOut"], 1);
        assert_eq!(preview["data"]["audience"]["eligible"], 1);
        assert_eq!(preview["data"]["variantCount"], 2);
        let exact = preview["data"]["recipient"]["message"].as_str().unwrap();
        assert!(exact.ends_with("Ana, 20% off today"), "{exact}");

        let sent = json(&call(
            &engine,
            "POST",
            &format!("/api/v1/campaigns/{id}/send"),
            None,
        ));
        assert_eq!(sent["data"]["status"], "sending", "{sent}");
        assert_eq!(sent["data"]["totalRecipients"], 2);
        assert_eq!(sent["data"]["skippedCount"], 1);
        let edit = call(
            &engine,
            "PUT",
            &format!("/api/v1/campaigns/{id}"),
            Some(campaign()),
        );
        assert_eq!(edit.status, 409);
        assert_eq!(json(&edit)["error"]["code"], "conflict");

        let page = json(&call(
            &engine,
            "GET",
            &format!("/api/v1/campaigns/{id}/recipients?limit=1"),
            None,
        ));
        assert_eq!(page["data"][0]["status"], "pending");
        assert_eq!(page["nextCursor"], "1");
        let skipped = json(&call(
            &engine,
            "GET",
            &format!("/api/v1/campaigns/{id}/recipients?status=skipped"),
            None,
        ));
        assert_eq!(skipped["data"][0]["reason"], "opted out");
        assert_eq!(skipped["data"].as_array().unwrap().len(), 1);
        let bad = call(
            &engine,
            "GET",
            &format!("/api/v1/campaigns/{id}/recipients?status=lost"),
            None,
        );
        assert_eq!(bad.status, 400);

        let csv = call(
            &engine,
            "GET",
            &format!("/api/v1/campaigns/{id}/recipients/export"),
            None,
        );
        assert_eq!(csv.content_type, "text/csv; charset=utf-8");
        let text = String::from_utf8(csv.body).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.contains("+14155550101,Bruno Costa,skipped,opted out"),
            "{text}"
        );

        let paused = json(&call(
            &engine,
            "POST",
            &format!("/api/v1/campaigns/{id}/pause"),
            None,
        ));
        assert_eq!(paused["data"]["status"], "paused");
        let again = call(
            &engine,
            "POST",
            &format!("/api/v1/campaigns/{id}/pause"),
            None,
        );
        assert_eq!(again.status, 409);
        let copy = json(&call(
            &engine,
            "POST",
            &format!("/api/v1/campaigns/{id}/duplicate"),
            None,
        ));
        assert_eq!(copy["data"]["status"], "draft");
        let list = json(&call(
            &engine,
            "GET",
            "/api/v1/campaigns?status=paused",
            None,
        ));
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        let cancelled = json(&call(
            &engine,
            "POST",
            &format!("/api/v1/campaigns/{id}/cancel"),
            None,
        ));
        assert_eq!(cancelled["data"]["status"], "cancelled");
        let send_again = call(
            &engine,
            "POST",
            &format!("/api/v1/campaigns/{id}/send"),
            None,
        );
        assert_eq!(send_again.status, 409);
        assert_eq!(
            call(&engine, "DELETE", &format!("/api/v1/campaigns/{id}"), None).status,
            200
        );
        assert_eq!(
            call(&engine, "GET", &format!("/api/v1/campaigns/{id}"), None).status,
            404
        );
    }

    #[test]
    fn bad_campaigns_are_400_with_every_field() {
        let (engine, _dir) = engine();
        let response = call(
            &engine,
            "POST",
            "/api/v1/campaigns",
            Some(json!({
                "name": "",
                "messageContent": "Hi {{frist_name}} {",
                "targetType": "tags",
                "targetTags": [42],
                "scheduledAt": "2020-01-01T10:00",
                "pacing": {"minGapMs": 60000, "maxGapMs": 1000, "hourlyCap": 0,
                           "quietHours": {"start": "22:00", "end": "22:00"}}
            })),
        );
        assert_eq!(response.status, 400);
        let body = json(&response);
        assert_eq!(body["error"]["code"], "validation_failed");
        let fields: Vec<&str> = body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        for field in [
            "name",
            "messageContent",
            "targetTags",
            "scheduledAt",
            "pacing.maxGapMs",
            "pacing.hourlyCap",
            "pacing.quietHours.end",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        let list = json(&call(&engine, "GET", "/api/v1/campaigns", None));
        assert_eq!(list["data"], json!([]), "nothing was saved");
    }

    #[test]
    fn opt_out_settings_round_trip_and_are_checked() {
        let (engine, _dir) = engine();
        let current = json(&call(&engine, "GET", "/api/v1/settings/opt-out", None));
        assert_eq!(current["data"]["keywords"][0], "STOP");
        assert_eq!(current["data"]["sendConfirmation"], false);
        let saved = call(
            &engine,
            "PUT",
            "/api/v1/settings/opt-out",
            Some(
                json!({"keywords": ["STOP", "HALT"], "optInKeywords": ["START"],
                        "sendConfirmation": true, "confirmationText": "Done."}),
            ),
        );
        assert_eq!(json(&saved)["data"]["keywords"], json!(["STOP", "HALT"]));
        let bad = call(
            &engine,
            "PUT",
            "/api/v1/settings/opt-out",
            Some(json!({"keywords": []})),
        );
        assert_eq!(bad.status, 400);
    }

    #[test]
    fn the_openapi_document_has_the_campaign_routes() {
        let document = crate::openapi::document(&crate::routes::api());
        for path in [
            "/api/v1/campaigns",
            "/api/v1/campaigns/preview",
            "/api/v1/campaigns/{id}",
            "/api/v1/campaigns/{id}/send",
            "/api/v1/campaigns/{id}/recipients",
            "/api/v1/campaigns/{id}/recipients/export",
        ] {
            assert!(document["paths"][path].is_object(), "{path}");
        }
        let text = document.to_string();
        assert!(text.contains("PacingPolicy") && text.contains("RecipientStatus"));
    }
}
