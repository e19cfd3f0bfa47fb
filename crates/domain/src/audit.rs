//! The hash chain of the whole-process record (全过程记录).
//!
//! Each event's hash is SHA-256 over the previous event's hash and a canonical
//! serialisation of the event's own fields. Changing, inserting or deleting any
//! row breaks the chain at that row, which `jianguan audit verify` reports.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that precedes the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit event that the chain protects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditFields {
    /// RFC 3339 UTC timestamp with microsecond precision.
    pub occurred_at: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub actor_unit_id: Option<i64>,
    pub actor_role: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: String,
    pub client_ip: String,
}

impl AuditFields {
    /// Canonical text: one field per line in fixed order; JSON values are
    /// re-serialised with sorted keys so engine round-trips don't matter.
    pub fn canonical(&self) -> String {
        fn opt_i(v: Option<i64>) -> String {
            v.map(|x| x.to_string()).unwrap_or_default()
        }
        fn opt_j(v: &Option<serde_json::Value>) -> String {
            v.as_ref().map(canonical_json).unwrap_or_default()
        }
        [
            self.occurred_at.clone(),
            opt_i(self.actor_user_id),
            self.actor_name.clone(),
            opt_i(self.actor_unit_id),
            self.actor_role.clone(),
            self.action.clone(),
            self.entity_type.clone(),
            self.entity_id.clone(),
            opt_j(&self.before),
            opt_j(&self.after),
            self.request_id.clone(),
            self.client_ip.clone(),
        ]
        .join("\n")
    }
}

/// JSON with object keys sorted, no insignificant whitespace.
pub fn canonical_json(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut keys: Vec<_> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical_json(&m[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical_json).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

pub fn chain_hash(prev_hash: &str, fields: &AuditFields) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(fields.canonical().as_bytes());
    hex::encode(h.finalize())
}

/// A stored event as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: i64,
    pub fields: AuditFields,
    pub prev_hash: String,
    pub hash: String,
}

/// Why the chain is broken at an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The event's `prev_hash` is not the previous event's hash (a row was removed or inserted).
    Link { id: i64 },
    /// The event's content no longer produces its stored hash (the row was changed).
    Content { id: i64 },
}

/// Incremental verifier: feed events in id order.
pub struct ChainVerifier {
    last: String,
    pub checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            last: GENESIS.to_string(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, e: &StoredEvent) -> Result<(), ChainBreak> {
        if e.prev_hash != self.last {
            return Err(ChainBreak::Link { id: e.id });
        }
        if chain_hash(&e.prev_hash, &e.fields) != e.hash {
            return Err(ChainBreak::Content { id: e.id });
        }
        self.last = e.hash.clone();
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(n: i64) -> AuditFields {
        AuditFields {
            occurred_at: format!("2026-01-0{n}T00:00:00.000000Z"),
            actor_user_id: Some(1),
            actor_name: "张三".into(),
            actor_unit_id: None,
            actor_role: "system_admin".into(),
            action: "unit.create".into(),
            entity_type: "unit".into(),
            entity_id: n.to_string(),
            before: None,
            after: Some(serde_json::json!({"b": 1, "a": [1, {"z": 0, "y": 1}]})),
            request_id: "r".into(),
            client_ip: "127.0.0.1".into(),
        }
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"d":2,"c":3}}"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":{"c":3,"d":2},"b":1}"#);
    }

    #[test]
    fn chain_detects_change_and_removal() {
        let mut prev = GENESIS.to_string();
        let mut events = vec![];
        for i in 1..=3 {
            let f = ev(i);
            let h = chain_hash(&prev, &f);
            events.push(StoredEvent {
                id: i,
                fields: f,
                prev_hash: prev.clone(),
                hash: h.clone(),
            });
            prev = h;
        }
        let mut v = ChainVerifier::default();
        assert!(events.iter().all(|e| v.push(e).is_ok()));

        let mut changed = events.clone();
        changed[1].fields.action = "unit.delete".into();
        let mut v = ChainVerifier::default();
        let r: Result<Vec<_>, _> = changed.iter().map(|e| v.push(e)).collect();
        assert_eq!(r, Err(ChainBreak::Content { id: 2 }));

        let mut removed = events.clone();
        removed.remove(1);
        let mut v = ChainVerifier::default();
        let r: Result<Vec<_>, _> = removed.iter().map(|e| v.push(e)).collect();
        assert_eq!(r, Err(ChainBreak::Link { id: 3 }));
    }
}
