//! Routes of contacts and tags.

use whatsflow_engine::contacts::Contact;
use whatsflow_engine::Error;

use crate::api::{data, Access, Method, NoBody, Route};

/// The contact routes.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        // --- contacts ---
        data(
            Get,
            "/api/v1/contacts/{id}",
            "contacts",
            Read,
            "One contact",
            |c, _: NoBody| -> Result<Contact, Error> { c.engine.contact(c.id("id")?) },
        ),
    ]
}
