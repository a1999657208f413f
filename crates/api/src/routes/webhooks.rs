//! Routes of webhooks: CRUD, the delivery log, redelivery and a test event. Admin only.

use whatsflow_engine::webhooks::Webhook;
use whatsflow_engine::{Engine, Error};

use super::{call, call_on_id, done_on_id, on_id, on_ids};
use crate::api::{data, page, Access, Method, NoBody, QueryParam, Route};

const DELIVERIES: &[QueryParam] = &[QueryParam {
    name: "state",
    description: "Only deliveries in this state: pending, delivered or failed",
}];

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        data(
            Get,
            "/api/v1/webhooks",
            "webhooks",
            Admin,
            "Every webhook",
            |c, _: NoBody| -> Result<Vec<Webhook>, Error> { c.engine.webhooks() },
        ),
        call(
            Post,
            "/api/v1/webhooks",
            "webhooks",
            Admin,
            "Create a webhook; its signing secret (`whsec_…`) is in the answer",
            Engine::create_webhook,
        ),
        on_id(
            Get,
            "/api/v1/webhooks/{id}",
            "webhooks",
            Admin,
            "One webhook",
            Engine::webhook,
        ),
        call_on_id(
            Put,
            "/api/v1/webhooks/{id}",
            "webhooks",
            Admin,
            "Change a webhook's URL, events or enabled flag, or rotate its secret (the old one \
             keeps signing beside the new one for 24 h)",
            Engine::update_webhook,
        ),
        done_on_id(
            Delete,
            "/api/v1/webhooks/{id}",
            "webhooks",
            Admin,
            "Delete a webhook and its delivery log",
            Engine::delete_webhook,
        ),
        page(
            "/api/v1/webhooks/{id}/deliveries",
            "webhooks",
            Admin,
            "A webhook's delivery log, newest first",
            |c| {
                let limit = c.limit(50)?;
                let state = c.one_of(
                    "state",
                    &[
                        ("pending", "pending"),
                        ("delivered", "delivered"),
                        ("failed", "failed"),
                    ],
                )?;
                c.engine
                    .webhook_deliveries(c.id("id")?, state, c.cursor(), limit)
            },
        )
        .with_query(DELIVERIES),
        on_id(
            Post,
            "/api/v1/webhooks/{id}/test",
            "webhooks",
            Admin,
            "Send a `webhook.test` event to this webhook now",
            Engine::test_webhook,
        ),
        on_ids(
            Post,
            "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
            "webhooks",
            Admin,
            "Send one delivery again, with the same webhook-id",
            Engine::redeliver,
        ),
        on_id(
            Post,
            "/api/v1/webhooks/{id}/deliveries/redeliver",
            "webhooks",
            Admin,
            "Send every failed delivery of this webhook again",
            Engine::redeliver_failed,
        ),
    ]
}
