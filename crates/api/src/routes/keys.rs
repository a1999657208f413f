//! Routes of API keys: list, create (the secret shown once), revoke. Admin only.

use whatsflow_engine::api_keys::ApiKey;
use whatsflow_engine::{Engine, Error};

use super::{call, on_id};
use crate::api::{data, Access, Method, NoBody, Route};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        data(
            Get,
            "/api/v1/keys",
            "keys",
            Admin,
            "Every API key (never its secret), revoked ones marked",
            |c, _: NoBody| -> Result<Vec<ApiKey>, Error> { c.engine.api_keys() },
        ),
        call(
            Post,
            "/api/v1/keys",
            "keys",
            Admin,
            "Create an API key: its secret (`key`) is shown in this answer only",
            Engine::create_api_key,
        ),
        on_id(
            Delete,
            "/api/v1/keys/{id}",
            "keys",
            Admin,
            "Revoke an API key: the next request with it is refused",
            Engine::revoke_api_key,
        ),
    ]
}
