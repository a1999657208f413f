//! The control API's read-only views of the simulator: state, messages each way, the page's
//! activity and the configuration.

use super::*;

impl Sim {
    pub fn state_view(&self) -> Value {
        let page = self.page.as_ref();
        let linked = self.me();
        json!({
            // The state the server has put the page in: the page applies it within moments, and
            // reading it here does not race the page's own report.
            "state": page.map(|page| page.phase.socket_state()),
            "pageState": page.and_then(|page| page.reported_state.clone()),
            "qr": self.qr(),
            "paired": linked.is_some(),
            "phoneNumber": linked.map(|me| format!("+{}", me.phone)),
            "pushName": linked.map(|me| me.push_name.clone()),
            "hasSynced": page.is_some_and(|page| page.reported_synced),
            "pageConnected": page.is_some(),
            "online": self.account.online,
            "conflict": self.account.conflict,
            "banned": self.account.banned,
            "pendingInbound": self.queue.len(),
        })
    }

    pub fn outbound_view(&self) -> Value {
        let list: Vec<Value> = self
            .messages
            .iter()
            .filter(|message| message.from_me)
            .map(|message| {
                let mut view = json!({
                    "id": message.id,
                    "to": message.to,
                    "from": message.from,
                    "type": message.kind,
                    "body": message.body,
                    "t": message.t,
                    "atMs": message.at_ms,
                    "ack": message.ack,
                });
                let extra = [
                    ("caption", message.caption.clone().map(Value::from)),
                    ("mimetype", message.mimetype.clone().map(Value::from)),
                    ("filename", message.filename.clone().map(Value::from)),
                    ("size", message.size.map(Value::from)),
                    ("directPath", message.direct_path.clone().map(Value::from)),
                    ("quotedId", message.quoted_id.clone().map(Value::from)),
                    ("error", message.error.clone().map(Value::from)),
                    (
                        "phoneNumber",
                        phone_of_wid(&message.to).map(|d| Value::from(format!("+{d}"))),
                    ),
                ];
                for (name, value) in extra {
                    if let Some(value) = value {
                        view[name] = value;
                    }
                }
                view
            })
            .collect();
        Value::Array(list)
    }

    pub fn inbound_view(&self) -> Value {
        let list: Vec<Value> = self
            .messages
            .iter()
            .filter(|message| !message.from_me)
            .map(|message| {
                json!({
                    "id": message.id,
                    "from": message.from,
                    "type": message.kind,
                    "body": message.body,
                    "caption": message.caption,
                    "t": message.t,
                    "delivered": message.delivered,
                    "pendingDeliveries": self.queue.iter().filter(|d| d.id == message.id).count(),
                    "directPath": message.direct_path,
                })
            })
            .collect();
        Value::Array(list)
    }

    pub fn activity_view(&self) -> Value {
        json!({"seen": self.activity.seen, "typing": self.activity.typing})
    }

    pub fn config_view(&self) -> Value {
        serde_json::to_value(&self.config).unwrap_or(Value::Null)
    }
}
