//! The driver's way into the engine: status changes, inbound messages and acks, applied in the
//! order they happened, each on a blocking thread (the engine blocks on SQLite).

use tokio::sync::mpsc;
use whatsflow_engine::link::InboundMessage;
use whatsflow_engine::{ConnectionStatus, Engine};

/// One thing the engine must hear about.
#[derive(Debug)]
pub(crate) enum EngineCall {
    Status(ConnectionStatus),
    Ingest(Box<InboundMessage>),
    Ack { wa_message_id: String, ack: i32 },
}

/// A queue to the engine; cheap to clone.
#[derive(Clone)]
pub(crate) struct Sink {
    queue: mpsc::UnboundedSender<EngineCall>,
}

impl Sink {
    /// Starts the task that feeds the engine, one call at a time so a later status never lands
    /// before an earlier one.
    pub fn start(engine: Engine, runtime: &tokio::runtime::Handle) -> Sink {
        let (queue, mut calls) = mpsc::unbounded_channel::<EngineCall>();
        runtime.spawn(async move {
            while let Some(call) = calls.recv().await {
                let engine = engine.clone();
                let what = describe(&call);
                match tokio::task::spawn_blocking(move || apply(&engine, call)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => tracing::error!(%error, what, "the engine refused a WhatsApp update"),
                    Err(error) => tracing::error!(%error, what, "a WhatsApp update panicked in the engine"),
                }
            }
        });
        Sink { queue }
    }

    pub fn send(&self, call: EngineCall) {
        // Fails only when the runtime shuts down, when nobody is left to tell.
        let _ = self.queue.send(call);
    }
}

fn describe(call: &EngineCall) -> &'static str {
    match call {
        EngineCall::Status(_) => "status",
        EngineCall::Ingest(_) => "inbound message",
        EngineCall::Ack { .. } => "ack",
    }
}

fn apply(engine: &Engine, call: EngineCall) -> whatsflow_engine::Result<()> {
    // TEMPORARY adapter until the engine's set_connection_status / ingest / apply_ack land.
    let _ = engine;
    tracing::info!(?call, "engine call (adapter)");
    Ok(())
}
