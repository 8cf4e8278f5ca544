//! Tamper evidence: a SHA-256 hash chain over the events of a log.
//!
//! Each event's `hash` is the SHA-256 (hex) of the RFC 8785 canonical JSON (JCS) of the event
//! without its `hash` member, and its `prev_hash` equals the previous event's `hash` (the
//! genesis value, 64 zeros, for the first). Parts of a log are verified independently (in
//! parallel) and then merged in order: the merge checks the link across each boundary.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::jcs;
use super::node::Node;

/// Field names and the genesis value of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRules {
    pub hash_field: String,
    pub prev_field: String,
    /// What the first event's `prev_hash` must be; `None` accepts any value (a rotated file
    /// that continues an earlier one).
    pub genesis: Option<String>,
}

impl Default for ChainRules {
    fn default() -> Self {
        Self {
            hash_field: "hash".into(),
            prev_field: "prev_hash".into(),
            genesis: Some("0".repeat(64)),
        }
    }
}

/// The chain state of one part of a log (or, after merging, of the whole log).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSummary {
    /// Events that carry a hash.
    with_hash: u64,
    /// Line and `prev_hash` of the first record of the part.
    first: Option<(u64, Option<String>)>,
    /// The hash claimed by the last record of the part (`Some(None)`: it had none).
    tail: Option<Option<String>>,
    /// The first broken link: line and reason.
    broken: Option<(u64, String)>,
}

/// SHA-256 (lower-case hex) of the JCS form of `event`.
pub fn event_hash(event: &Value) -> String {
    hex::encode(digest(&Node::from(event)))
}

/// SHA-256 of the JCS form of `event`.
fn digest(event: &Node<'_>) -> [u8; 32] {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        buffer.clear();
        jcs::write(event, &mut buffer);
        Sha256::digest(&buffer[..]).into()
    })
}

/// Whether `claimed` (hex) is the SHA-256 of the JCS form of `event`; compared as bytes, so
/// that no hex string is made for every event.
fn hash_matches(claimed: &str, event: &Node<'_>) -> bool {
    let mut expected = [0u8; 32];
    hex::decode_to_slice(claimed, &mut expected).is_ok() && expected == digest(event)
}

fn hex_field(event: &Node<'_>, name: &str) -> Option<String> {
    event
        .get(name)?
        .as_str()
        .map(|s| s.trim().to_ascii_lowercase())
}

impl ChainSummary {
    /// Verifies one event (line `line`) against its own hash and the previous event's.
    /// The event's `hash` member is removed on the way.
    pub fn observe(&mut self, line: u64, event: &mut Node<'_>, rules: &ChainRules) {
        let claimed = event
            .remove(&rules.hash_field)
            .and_then(|v| v.as_str().map(|s| s.trim().to_ascii_lowercase()));
        let prev = hex_field(event, &rules.prev_field);
        let reason = match (&claimed, &self.tail) {
            (None, _) => Some(format!("the event has no `{}`", rules.hash_field)),
            (Some(_), Some(tail)) if prev != *tail => Some(format!(
                "`{}` does not match the previous event's `{}`",
                rules.prev_field, rules.hash_field
            )),
            (Some(claimed), _) if !hash_matches(claimed, event) => Some(format!(
                "`{}` does not match the event's content",
                rules.hash_field
            )),
            _ => None,
        };
        if claimed.is_some() {
            self.with_hash += 1;
        }
        if self.first.is_none() {
            self.first = Some((line, prev));
        }
        if let Some(reason) = reason {
            self.broken.get_or_insert((line, reason));
        }
        self.tail = Some(claimed);
    }

    /// Records a line that could not be read as an event: the chain cannot be followed across it.
    pub fn observe_unreadable(&mut self, line: u64) {
        if self.first.is_none() {
            self.first = Some((line, None));
        }
        self.broken
            .get_or_insert((line, "the line could not be read as an event".into()));
        self.tail = Some(None);
    }

    /// Appends the summary of the part that follows this one.
    pub fn merge(&mut self, later: ChainSummary, rules: &ChainRules) {
        if self.broken.is_none() {
            if let (Some(tail), Some((line, prev))) = (&self.tail, &later.first) {
                if prev != tail {
                    self.broken = Some((
                        *line,
                        format!(
                            "`{}` does not match the previous event's `{}`",
                            rules.prev_field, rules.hash_field
                        ),
                    ));
                }
            }
        }
        if self.broken.is_none() {
            self.broken = later.broken;
        }
        self.with_hash += later.with_hash;
        if self.first.is_none() {
            self.first = later.first;
        }
        if later.tail.is_some() {
            self.tail = later.tail;
        }
    }

    /// The first broken link of the whole log, genesis included: (line, reason).
    pub fn first_break(&self, rules: &ChainRules) -> Option<(u64, String)> {
        let genesis_break = match (&self.first, &rules.genesis) {
            (Some((line, prev)), Some(genesis)) if prev.as_deref() != Some(genesis.as_str()) => {
                Some((
                    *line,
                    format!(
                        "the first event's `{}` is not the genesis value {}",
                        rules.prev_field,
                        if genesis.chars().all(|c| c == '0') {
                            format!("({} zeros)", genesis.len())
                        } else {
                            format!("`{genesis}`")
                        }
                    ),
                ))
            }
            _ => None,
        };
        match (genesis_break, &self.broken) {
            (Some(g), Some(b)) if b.0 <= g.0 => Some(b.clone()),
            (Some(g), _) => Some(g),
            (None, b) => b.clone(),
        }
    }

    /// The `hash_chain` facts and the line of the first broken link.
    pub fn facts(&self, rules: &ChainRules) -> (Value, Option<u64>) {
        let present = self.with_hash > 0;
        let broken = if present {
            self.first_break(rules)
        } else {
            None
        };
        let mut facts = json!({
            "present": present,
            "verified": present && broken.is_none(),
            "events": self.with_hash,
            "hash_field": rules.hash_field,
            "prev_field": rules.prev_field,
            "algorithm": "sha256 over RFC 8785 (JCS) canonical JSON",
        });
        if let Some((line, reason)) = &broken {
            facts["first_broken_line"] = json!(line);
            facts["reason"] = json!(reason);
        }
        if let Some(Some(last)) = &self.tail {
            if present {
                facts["last_hash"] = json!(last);
            }
        }
        (facts, broken.map(|(line, _)| line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid chain of `n` events.
    fn chain(n: usize) -> Vec<Value> {
        let mut prev = "0".repeat(64);
        (0..n)
            .map(|i| {
                let mut event = json!({"seq": i, "actor": "a", "prev_hash": prev});
                let hash = event_hash(&event);
                event["hash"] = json!(hash);
                prev = hash;
                event
            })
            .collect()
    }

    fn verify(events: &[Value], split: usize) -> (Value, Option<u64>) {
        let rules = ChainRules::default();
        let mut a = ChainSummary::default();
        let mut b = ChainSummary::default();
        for (i, e) in events.iter().enumerate() {
            let part = if i < split { &mut a } else { &mut b };
            part.observe(i as u64 + 1, &mut Node::from(e), &rules);
        }
        a.merge(b, &rules);
        a.facts(&rules)
    }

    #[test]
    fn a_valid_chain_verifies_across_any_split() {
        let events = chain(6);
        for split in 0..=6 {
            let (facts, line) = verify(&events, split);
            assert_eq!(facts["verified"], true, "split {split}: {facts}");
            assert_eq!(line, None);
            assert_eq!(facts["events"], 6);
            assert_eq!(facts["last_hash"], events[5]["hash"]);
        }
    }

    #[test]
    fn a_changed_event_breaks_at_its_line() {
        let mut events = chain(5);
        events[2]["actor"] = json!("mallory");
        for split in 0..=5 {
            let (facts, line) = verify(&events, split);
            assert_eq!(facts["verified"], false);
            assert_eq!(line, Some(3), "split {split}");
            assert_eq!(facts["reason"], "`hash` does not match the event's content");
        }
    }

    #[test]
    fn a_deleted_event_breaks_the_link_at_the_next_line() {
        let mut events = chain(5);
        events.remove(2);
        for split in 0..=4 {
            let (facts, line) = verify(&events, split);
            assert_eq!(line, Some(3), "split {split}");
            assert_eq!(
                facts["reason"],
                "`prev_hash` does not match the previous event's `hash`"
            );
        }
    }

    #[test]
    fn genesis_missing_and_unreadable_lines() {
        let events = chain(3);
        let (facts, line) = verify(&events[1..], 1);
        assert_eq!(line, Some(1));
        assert!(facts["reason"].as_str().unwrap().contains("genesis"));
        let rules = ChainRules {
            genesis: None,
            ..ChainRules::default()
        };
        let mut s = ChainSummary::default();
        for (i, e) in events[1..].iter().enumerate() {
            s.observe(i as u64 + 1, &mut Node::from(e), &rules);
        }
        assert_eq!(s.facts(&rules).1, None);

        let rules = ChainRules::default();
        let mut s = ChainSummary::default();
        s.observe(1, &mut Node::from(&events[0]), &rules);
        s.observe_unreadable(2);
        s.observe(3, &mut Node::from(&events[1]), &rules);
        let (facts, line) = s.facts(&rules);
        assert_eq!(line, Some(2));
        assert_eq!(facts["reason"], "the line could not be read as an event");
    }

    #[test]
    fn logs_without_a_chain_are_not_broken() {
        let rules = ChainRules::default();
        let mut s = ChainSummary::default();
        s.observe(1, &mut Node::from(&json!({"a": 1})), &rules);
        let (facts, line) = s.facts(&rules);
        assert_eq!(facts["present"], false);
        assert_eq!(facts["verified"], false);
        assert_eq!(line, None);
        assert!(facts.get("first_broken_line").is_none());
    }
}
