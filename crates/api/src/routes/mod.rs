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
mod cors;
mod data;
mod keys;
mod messages;
mod notifications;
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
    routes.extend(notifications::routes());
    Api::new(routes)
}

/// The names of a path's parameters in order: `/contacts/{id}/tags/{tagId}` → `id`, `tagId`.
fn path_params(path: &'static str) -> Vec<&'static str> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// The path's only (or first) parameter, which the route's handler reads as an id.
fn id_param(path: &'static str) -> &'static str {
    path_params(path).first().copied().unwrap_or("id")
}

/// `a` then `b`: query lists that share parameters are written once. `N` must be both lengths.
const fn joined<const A: usize, const B: usize, const N: usize>(
    a: [QueryParam; A],
    b: [QueryParam; B],
) -> [QueryParam; N] {
    assert!(N == A + B, "N must be the two lengths added");
    let mut out = [QueryParam {
        name: "",
        description: "",
    }; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < A { a[i] } else { b[i - A] };
        i += 1;
    }
    out
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

/// A route on the id in its path: the id and the JSON body go to one engine method.
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
    let id = id_param(path);
    data(method, path, tag, access, summary, move |c, input| {
        call(c.engine, c.id(id)?, input)
    })
}

/// A route on the id in its path that takes no body: the id goes to one engine method.
fn on_id<O>(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    call: fn(&Engine, i64) -> Result<O>,
) -> Route
where
    O: Serialize + JsonSchema + 'static,
{
    let id = id_param(path);
    data(method, path, tag, access, summary, move |c, _: NoBody| {
        call(c.engine, c.id(id)?)
    })
}

/// A route on the two ids in its path (a thing and one of its parts) that takes no body.
fn on_ids<O>(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    call: fn(&Engine, i64, i64) -> Result<O>,
) -> Route
where
    O: Serialize + JsonSchema + 'static,
{
    let [first, second] = path_params(path)[..] else {
        panic!("{path} must have two parameters");
    };
    data(method, path, tag, access, summary, move |c, _: NoBody| {
        call(c.engine, c.id(first)?, c.id(second)?)
    })
}

/// A route on the id in its path whose engine method returns nothing (a delete, a mark); answers
/// `true`.
fn done_on_id(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    act: fn(&Engine, i64) -> Result<()>,
) -> Route {
    let id = id_param(path);
    data(method, path, tag, access, summary, move |c, _: NoBody| {
        act(c.engine, c.id(id)?)?;
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_read_in_order() {
        assert_eq!(
            path_params("/api/v1/contacts/{id}/tags/{tagId}"),
            ["id", "tagId"]
        );
        assert_eq!(id_param("/api/v1/chats/{contactId}"), "contactId");
        const BOTH: [QueryParam; 3] = joined(
            [QueryParam {
                name: "a",
                description: "",
            }],
            [
                QueryParam {
                    name: "b",
                    description: "",
                },
                QueryParam {
                    name: "c",
                    description: "",
                },
            ],
        );
        assert_eq!(BOTH.map(|p| p.name), ["a", "b", "c"]);
    }
}
