//! Routes of the CORS setting: which web pages (origins) may call the API from a browser. Admin only.

use whatsflow_engine::cors::CorsSettings;
use whatsflow_engine::Error;

use crate::api::{data, Access, Method, NoBody, Route};

pub fn routes() -> Vec<Route> {
    vec![
        data(
            Method::Get,
            "/api/v1/settings/cors",
            "settings",
            Access::Admin,
            "The origins allowed to call the API from a browser (none by default)",
            |c, _: NoBody| -> Result<CorsSettings, Error> { c.engine.cors_settings() },
        ),
        data(
            Method::Put,
            "/api/v1/settings/cors",
            "settings",
            Access::Admin,
            "Set the origins allowed to call the API from a browser",
            |c, input: CorsSettings| c.engine.save_cors_settings(input),
        ),
    ]
}
