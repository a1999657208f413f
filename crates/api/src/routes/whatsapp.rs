//! Routes of the WhatsApp connection: status, connect, disconnect, take over, QR and pairing code.

use whatsflow_engine::{ConnectionStatus, Engine, Error, ErrorCode};

use super::call;
use crate::api::{data, raw, Access, Method, NoBody, QueryParam, Raw, Route};

const QR: &[QueryParam] = &[QueryParam {
    name: "format",
    description: "svg (default) or raw (the QR string as JSON)",
}];

/// The connection routes.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        // --- WhatsApp ---
        data(
            Get,
            "/api/v1/whatsapp/status",
            "whatsapp",
            Read,
            "The WhatsApp connection",
            |c, _: NoBody| Ok::<ConnectionStatus, Error>(c.engine.connection_status()),
        ),
        data(
            Post,
            "/api/v1/whatsapp/connect",
            "whatsapp",
            Admin,
            "Start connecting (shows a QR when not linked); answers at once with the status, \
             progress arrives as whatsapp.status events",
            |c, _: NoBody| c.engine.connect_whatsapp(),
        )
        .accepted(),
        data(
            Post,
            "/api/v1/whatsapp/disconnect",
            "whatsapp",
            Admin,
            "Log the number out and forget the session",
            |c, _: NoBody| c.engine.disconnect_whatsapp(),
        ),
        data(
            Post,
            "/api/v1/whatsapp/takeover",
            "whatsapp",
            Admin,
            "Use WhatsApp here after it was opened elsewhere; answers at once with the status, \
             progress arrives as whatsapp.status events",
            |c, _: NoBody| c.engine.take_over_whatsapp(),
        )
        .accepted(),
        call(
            Post,
            "/api/v1/whatsapp/pairing-code",
            "whatsapp",
            Admin,
            "Link by phone number: answers at once with the status; the code to type on the phone \
             arrives in a whatsapp.status event (state pairing-code, pairingCode), a failure as \
             whatsapp.call_failed",
            Engine::request_pairing_code,
        )
        .accepted(),
        raw(
            Get,
            "/api/v1/whatsapp/qr",
            "whatsapp",
            Read,
            "The QR code to scan",
            "image/svg+xml",
            |c, _| {
                let status = c.engine.connection_status();
                let qr = status.qr.ok_or_else(|| {
                    Error::new(
                        ErrorCode::NotFound,
                        "No QR code to show: WhatsApp is not waiting for a scan",
                    )
                })?;
                match c.query_one("format").unwrap_or("svg") {
                    "svg" => Ok(Raw {
                        content_type: "image/svg+xml".into(),
                        body: crate::qr::svg(&qr).into_bytes(),
                    }),
                    "raw" => Ok(Raw {
                        content_type: "application/json".into(),
                        body: serde_json::json!({ "success": true, "data": { "qr": qr } })
                            .to_string()
                            .into_bytes(),
                    }),
                    _ => Err(Error::invalid_field("format", "format must be svg or raw")),
                }
            },
        )
        .with_query(QR),
    ]
}
