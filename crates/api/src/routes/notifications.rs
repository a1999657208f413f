//! Routes of what the app does for an owner who is away from it: which desktop notifications are
//! shown, and when the app locks by itself.

use whatsflow_engine::lock::AutoLock;
use whatsflow_engine::notifications::NotificationSettings;
use whatsflow_engine::Error;

use crate::api::{data, Access, Method, NoBody, Route};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        data(
            Get,
            "/api/v1/settings/notifications",
            "profile",
            Read,
            "Which desktop notifications are shown: customers' messages, WhatsApp needing a new QR \
             code, campaigns finished or paused by a ban sign, webhooks disabled (all on by default)",
            |c, _: NoBody| -> Result<NotificationSettings, Error> {
                c.engine.notification_settings()
            },
        ),
        data(
            Put,
            "/api/v1/settings/notifications",
            "profile",
            Admin,
            "Turn kinds of desktop notification on or off",
            |c, input: NotificationSettings| c.engine.save_notification_settings(input),
        ),
        data(
            Get,
            "/api/v1/settings/auto-lock",
            "lock",
            Read,
            "When the app locks by itself while a passcode is set: after `minutes` without input \
             (default on, 15 minutes)",
            |c, _: NoBody| -> Result<AutoLock, Error> { c.engine.auto_lock() },
        ),
        data(
            Put,
            "/api/v1/settings/auto-lock",
            "lock",
            Admin,
            "Change when the app locks by itself (`minutes` 1 to 720; a 400 naming `minutes` \
             otherwise)",
            |c, input: AutoLock| c.engine.save_auto_lock(input),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{call, engine_at, get, json};

    #[test]
    fn notification_settings_round_trip_and_refuse_unknown_kinds() {
        let (engine, _dir) = engine_at(1_780_000_000_000);
        let current = json(&get(&engine, "/api/v1/settings/notifications"));
        assert_eq!(
            current["data"],
            json!({"messages": true, "whatsapp": true, "campaigns": true, "webhooks": true})
        );
        let saved = call(
            &engine,
            "PUT",
            "/api/v1/settings/notifications",
            Some(json!({"messages": false, "webhooks": false})),
        );
        assert_eq!(saved.status, 200);
        assert_eq!(
            json(&get(&engine, "/api/v1/settings/notifications"))["data"],
            json!({"messages": false, "whatsapp": true, "campaigns": true, "webhooks": false}),
            "a kind left out stays on"
        );
        let bad = call(
            &engine,
            "PUT",
            "/api/v1/settings/notifications",
            Some(json!({"mesages": false})),
        );
        assert_eq!(bad.status, 400);
        assert_eq!(
            json(&get(&engine, "/api/v1/settings/notifications"))["data"]["messages"],
            false,
            "nothing changed"
        );
    }

    #[test]
    fn auto_lock_round_trips_and_refuses_out_of_range_minutes() {
        let (engine, _dir) = engine_at(1_780_000_000_000);
        assert_eq!(
            json(&get(&engine, "/api/v1/settings/auto-lock"))["data"],
            json!({"enabled": true, "minutes": 15})
        );
        let saved = call(
            &engine,
            "PUT",
            "/api/v1/settings/auto-lock",
            Some(json!({"enabled": true, "minutes": 5})),
        );
        assert_eq!(json(&saved)["data"]["minutes"], 5);
        let bad = call(
            &engine,
            "PUT",
            "/api/v1/settings/auto-lock",
            Some(json!({"enabled": true, "minutes": 0})),
        );
        assert_eq!(bad.status, 400);
        assert_eq!(json(&bad)["error"]["details"][0]["field"], "minutes");
        assert_eq!(
            json(&get(&engine, "/api/v1/settings/auto-lock"))["data"]["minutes"],
            5
        );
    }

    #[test]
    fn the_openapi_document_has_both_settings() {
        let document = crate::openapi::document(&crate::routes::api());
        for path in [
            "/api/v1/settings/notifications",
            "/api/v1/settings/auto-lock",
        ] {
            assert!(document["paths"][path]["put"].is_object(), "{path}");
        }
        let text = document.to_string();
        assert!(text.contains("NotificationSettings") && text.contains("AutoLock"));
    }
}
