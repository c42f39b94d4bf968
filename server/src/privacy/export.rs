//! A customer's export (issue 17): everything kept about them as one JSON document a
//! person or a program can read. Times are RFC 3339 in UTC (`created_at`, not the stored
//! milliseconds); a line's sender is "customer", "system" or "agent" with the agent's
//! alias; files are listed by name, type, size and SHA-256 (their bytes stay in the file
//! store: an administrator who must hand them over downloads them from the conversation).

use crate::store::privacy::Dossier;
use app::domain::agent::Agent;
use serde_json::{json, Value};

/// What the document says it is, for a program reading it.
pub const FORMAT: &str = "switchboard.customer-export";
pub const VERSION: u32 = 1;

/// The export's bytes: pretty JSON, UTF-8.
pub fn to_json(
    dossier: &Dossier,
    agents: &[Agent],
    exported_at_ms: i64,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut value = serde_json::to_value(dossier)?;
    if let Some(conversations) = value.get_mut("conversations").and_then(Value::as_array_mut) {
        for conversation in conversations {
            if let Some(lines) = conversation.get_mut("lines").and_then(Value::as_array_mut) {
                for line in lines {
                    name_sender(line, agents);
                }
            }
        }
    }
    let mut document = json!({
        "format": FORMAT,
        "version": VERSION,
        "exported_at_ms": exported_at_ms,
    });
    if let (Some(head), Value::Object(body)) = (document.as_object_mut(), value) {
        head.extend(body);
    }
    times(&mut document);
    serde_json::to_vec_pretty(&document)
}

/// "agent:12" becomes `"sender": "agent", "agent": "Dave"` (the alias the customer saw).
fn name_sender(line: &mut Value, agents: &[Agent]) {
    let Some(line) = line.as_object_mut() else {
        return;
    };
    let Some(id) = line
        .get("sender")
        .and_then(Value::as_str)
        .and_then(|s| s.strip_prefix("agent:"))
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return;
    };
    let alias = agents
        .iter()
        .find(|a| a.id.0 == id)
        .map(|a| a.alias.clone());
    line.insert("sender".into(), json!("agent"));
    line.insert("agent".into(), json!(alias));
}

/// Every `…_ms` member becomes its name without the suffix, an RFC 3339 time (or null).
fn times(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let keys: Vec<String> = object
                .keys()
                .filter(|k| k.ends_with("_ms"))
                .cloned()
                .collect();
            for key in keys {
                let Some(ms) = object.remove(&key) else {
                    continue;
                };
                let name = key.trim_end_matches("_ms").to_string();
                object.insert(name, rfc3339(&ms));
            }
            object.values_mut().for_each(times);
        }
        Value::Array(items) => items.iter_mut().for_each(times),
        _ => {}
    }
}

fn rfc3339(ms: &Value) -> Value {
    ms.as_i64()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or(Value::Null, |t| Value::String(t.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::privacy::{DossierConversation, DossierCustomer, DossierLine};
    use app::domain::{agent::Role, ids::AgentId};

    fn agent(id: i64, alias: &str) -> Agent {
        Agent {
            id: AgentId(id),
            username: alias.to_lowercase(),
            display_name: alias.into(),
            alias: alias.into(),
            role: Role::Agent,
            max_chats: 3,
            max_emails: 3,
            must_change_password: false,
            disabled: false,
        }
    }

    /// Issue 17: the export names its format, says its times in RFC 3339 and names the
    /// agent who wrote a line by the alias the customer saw.
    #[test]
    fn the_export_reads_as_a_person_would() {
        let dossier = Dossier {
            customer: DossierCustomer {
                id: 7,
                name: "Zoé Martin".into(),
                email: Some("zoe@example.com".into()),
                phone: None,
                created_at_ms: 1_764_000_000_000,
            },
            addresses: vec![],
            notes: vec![],
            tags: vec!["vip".into()],
            conversations: vec![DossierConversation {
                id: 3,
                channel: "web_chat".into(),
                queue: "Support".into(),
                status: "ended".into(),
                agent: Some("Dave".into()),
                about: "Billing".into(),
                details: json!([]),
                created_at_ms: 1_764_000_000_000,
                accepted_at_ms: None,
                ended_at_ms: Some(1_764_000_060_500),
                contents_erased_at_ms: None,
                wrap_up: vec![],
                lines: vec![DossierLine {
                    at_ms: 1_764_000_001_000,
                    sender: "agent:4".into(),
                    body: json!({"type": "message", "text": "Bonjour"}),
                }],
                files: vec![],
                email: None,
                replies: vec![],
            }],
        };
        let bytes = to_json(&dossier, &[agent(4, "Dave")], 1_764_000_100_000).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["format"], FORMAT);
        assert_eq!(v["version"], 1);
        assert_eq!(v["exported_at"], "2025-11-24T16:01:40Z");
        assert_eq!(v["customer"]["name"], "Zoé Martin");
        assert_eq!(v["customer"]["created_at"], "2025-11-24T16:00:00Z");
        assert!(v["customer"].get("created_at_ms").is_none());
        let conversation = &v["conversations"][0];
        assert_eq!(conversation["ended_at"], "2025-11-24T16:01:00.5Z");
        assert_eq!(conversation["accepted_at"], Value::Null);
        let line = &conversation["lines"][0];
        assert_eq!(line["sender"], "agent");
        assert_eq!(line["agent"], "Dave");
        assert_eq!(line["at"], "2025-11-24T16:00:01Z");
        assert_eq!(line["body"]["text"], "Bonjour");
    }
}
