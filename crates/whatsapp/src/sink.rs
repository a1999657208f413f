//! The driver's way into the engine: status changes, inbound messages and acks, applied in the
//! order they happened, each on a blocking thread (the engine blocks on SQLite).

use tokio::sync::{mpsc, oneshot};
use whatsflow_engine::link::{InboundMessage, MessageChange};
use whatsflow_engine::{ConnectionStatus, Engine};

/// One thing the engine must hear about.
#[derive(Debug)]
pub(crate) enum EngineCall {
    Status(ConnectionStatus),
    Ingest(Box<InboundMessage>),
    Ack {
        wa_message_id: String,
        ack: i32,
    },
    /// A message revoked or edited after it arrived.
    Change(MessageChange),
    /// Answered once everything queued before it has been applied.
    Flush(oneshot::Sender<()>),
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
                if let EngineCall::Flush(done) = call {
                    let _ = done.send(());
                    continue;
                }
                let engine = engine.clone();
                let what = describe(&call);
                match tokio::task::spawn_blocking(move || apply(&engine, call)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => {
                        tracing::error!(%error, what, "the engine refused a WhatsApp update")
                    }
                    // The runtime is shutting down under us; nothing left to tell.
                    Err(error) if error.is_cancelled() => return,
                    Err(error) => {
                        tracing::error!(%error, what, "a WhatsApp update panicked in the engine")
                    }
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
        EngineCall::Change(_) => "message change",
        EngineCall::Flush(_) => "flush",
    }
}

fn apply(engine: &Engine, call: EngineCall) -> whatsflow_engine::Result<()> {
    match call {
        EngineCall::Status(status) => engine.set_connection_status(status),
        EngineCall::Ingest(message) => engine.ingest(*message),
        EngineCall::Ack { wa_message_id, ack } => engine.apply_ack(&wa_message_id, ack),
        EngineCall::Change(change) => engine.apply_message_change(&change),
        EngineCall::Flush(done) => {
            let _ = done.send(());
            Ok(())
        }
    }
}
