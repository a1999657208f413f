//! The driver's way into the engine: status changes, inbound messages, history, acks and message
//! changes, applied in the order they happened, each on a blocking thread (the engine blocks on
//! SQLite). Inbound messages that queue up while the engine is busy are coalesced into one batch, so
//! a burst costs one transaction per batch rather than one per message.

use tokio::sync::{mpsc, oneshot};
use whatsflow_engine::inbox::{HistorySync, IngestOutcome, Origin};
use whatsflow_engine::link::{InboundMessage, MessageChange};
use whatsflow_engine::{ConnectionStatus, Engine};

/// Most inbound messages the sink hands the engine in one transaction.
const MAX_BATCH: usize = 2_000;

/// One thing the engine must hear about.
#[derive(Debug)]
pub(crate) enum EngineCall {
    Status(ConnectionStatus),
    /// New messages, live (announced one by one).
    Ingest(Vec<InboundMessage>),
    /// A batch of the history backfill and how far the backfill is (`messages_added` is filled in
    /// here, counted over the run).
    History {
        run: u64,
        messages: Vec<InboundMessage>,
        progress: HistorySync,
    },
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

/// Messages added by the current history run, for its progress reports.
#[derive(Default)]
struct HistoryCount {
    run: u64,
    added: usize,
}

impl Sink {
    /// Starts the task that feeds the engine, one call at a time so a later status never lands
    /// before an earlier one.
    pub fn start(engine: Engine, runtime: &tokio::runtime::Handle) -> Sink {
        let (queue, mut calls) = mpsc::unbounded_channel::<EngineCall>();
        runtime.spawn(async move {
            let mut held: Option<EngineCall> = None;
            let mut history = HistoryCount::default();
            loop {
                let call = match held.take() {
                    Some(call) => call,
                    None => match calls.recv().await {
                        Some(call) => call,
                        None => return,
                    },
                };
                let call = match call {
                    EngineCall::Ingest(mut batch) => {
                        // Whatever queued meanwhile goes into the same transaction; anything else
                        // waits its turn, so the order of what happened is kept.
                        while batch.len() < MAX_BATCH {
                            match calls.try_recv() {
                                Ok(EngineCall::Ingest(more)) => batch.extend(more),
                                Ok(other) => {
                                    held = Some(other);
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                        EngineCall::Ingest(batch)
                    }
                    EngineCall::Flush(done) => {
                        let _ = done.send(());
                        continue;
                    }
                    other => other,
                };
                let report = match &call {
                    EngineCall::History { run, progress, .. } => Some((*run, progress.clone())),
                    _ => None,
                };
                let what = describe(&call);
                let blocking = engine.clone();
                match tokio::task::spawn_blocking(move || apply(&blocking, call)).await {
                    Ok(Ok(outcome)) => {
                        if let Some((run, mut progress)) = report {
                            // A run starts with an empty report (nothing read yet); run numbers
                            // start again in a reloaded page.
                            if history.run != run || progress.messages_read == 0 {
                                history = HistoryCount { run, added: 0 };
                            }
                            history.added += outcome.added;
                            progress.messages_added = history.added;
                            engine.report_history_sync(progress);
                        }
                    }
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
        EngineCall::Ingest(_) => "inbound messages",
        EngineCall::History { .. } => "history",
        EngineCall::Ack { .. } => "ack",
        EngineCall::Change(_) => "message change",
        EngineCall::Flush(_) => "flush",
    }
}

fn apply(engine: &Engine, call: EngineCall) -> whatsflow_engine::Result<IngestOutcome> {
    match call {
        EngineCall::Status(status) => engine
            .set_connection_status(status)
            .map(|()| IngestOutcome::default()),
        EngineCall::Ingest(messages) => engine.ingest_batch(messages, Origin::Live),
        EngineCall::History { messages, .. } => engine.ingest_batch(messages, Origin::History),
        EngineCall::Ack { wa_message_id, ack } => engine
            .apply_ack(&wa_message_id, ack)
            .map(|()| IngestOutcome::default()),
        EngineCall::Change(change) => engine
            .apply_message_change(&change)
            .map(|()| IngestOutcome::default()),
        EngineCall::Flush(done) => {
            let _ = done.send(());
            Ok(IngestOutcome::default())
        }
    }
}
