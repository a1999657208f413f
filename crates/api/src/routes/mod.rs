//! REST v1: the route table, one file per area. Each handler converts the request and calls one engine
//! method; nothing else lives here.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use whatsflow_engine::{Engine, Result};

use crate::api::{data, Access, Api, Method, NoBody, QueryParam, Route};

mod analytics;
mod app;
mod campaigns;
mod contacts;
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
    Api::new(routes)
}

/// A route that hands its JSON body to one engine method and answers what the method returns.
fn call<I, O>(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    call: fn(&Engine, I) -> Result<O>,
) -> Route
where
    I: DeserializeOwned + JsonSchema + 'static,
    O: Serialize + JsonSchema + 'static,
{
    data(method, path, tag, access, summary, move |c, input| {
        call(c.engine, input)
    })
}

/// A route on the `{id}` in its path: the id and the JSON body go to one engine method.
fn call_on_id<I, O>(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    call: fn(&Engine, i64, I) -> Result<O>,
) -> Route
where
    I: DeserializeOwned + JsonSchema + 'static,
    O: Serialize + JsonSchema + 'static,
{
    data(method, path, tag, access, summary, move |c, input| {
        call(c.engine, c.id("id")?, input)
    })
}

/// A `DELETE` of the `{id}` in its path by one engine method; answers `true`.
fn delete(
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    delete: fn(&Engine, i64) -> Result<()>,
) -> Route {
    data(
        Method::Delete,
        path,
        tag,
        access,
        summary,
        move |c, _: NoBody| {
            delete(c.engine, c.id("id")?)?;
            Ok(true)
        },
    )
}
