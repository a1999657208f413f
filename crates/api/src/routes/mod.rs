//! REST v1: the route table, one file per area. Each handler converts the request and calls one engine
//! method; nothing else lives here.

use crate::api::{Api, QueryParam};

mod analytics;
mod app;
mod campaigns;
mod contacts;
mod cors;
mod data;
mod keys;
mod messages;
#[cfg(test)]
mod test_support;
mod webhooks;
mod whatsapp;

pub use app::Health;

pub(crate) const MESSAGE_LIST: &[QueryParam] = &[
    QueryParam {
        name: "contactId",
        description: "Only this contact's messages",
    },
    QueryParam {
        name: "q",
        description: "Full-text search in message text and captions",
    },
];

/// Every route of REST v1.
pub fn api() -> Api {
    let mut routes = app::routes();
    routes.extend(whatsapp::routes());
    routes.extend(messages::routes());
    routes.extend(contacts::routes());
    routes.extend(campaigns::routes());
    routes.extend(analytics::routes());
    routes.extend(data::routes());
    routes.extend(keys::routes());
    routes.extend(webhooks::routes());
    routes.extend(cors::routes());
    Api::new(routes)
}
