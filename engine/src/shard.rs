//! A deterministic share of the work, `--shard I/N`: shard I (1-based) of N owns the items whose
//! key hashes to it. The split depends only on each item's own key (a repository-relative path
//! or a repository name), never on the set of items or their order, so every machine of a fan-out
//! agrees on it without talking to the others, and the union of the N shards is the whole.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Shard `index` of `count`, with `1 <= index <= count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// More shards than this is a typing mistake, not a fan-out.
pub const MAX_SHARDS: u32 = 65_536;

impl Shard {
    /// The single shard that owns everything.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` (1-based) of `count`.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "the shard count must be 1 to {MAX_SHARDS}, not {count}"
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "the shard index must be 1 to {count} (shards are numbered from 1), not {index}"
            ));
        }
        Ok(Shard { index, count })
    }

    /// 1-based index of this shard.
    pub fn index(self) -> u32 {
        self.index
    }

    /// Number of shards.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether this shard owns the item with `key`.
    pub fn owns(self, key: &str) -> bool {
        self.count == 1 || owner(key, self.count) == self.index
    }
}

/// The 1-based shard of `count` that owns `key`: the first eight bytes of its SHA-256, modulo.
fn owner(key: &str, count: u32) -> u32 {
    let digest = Sha256::digest(key.as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(head) % u64::from(count)) as u32 + 1
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `I/N`, e.g. `2/7`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("a shard is written I/N (e.g. 2/7), not {s:?}"))?;
        let parse = |part: &str, what: &str| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| format!("the shard {what} in {s:?} is not a whole number"))
        };
        Shard::new(parse(i, "index")?, parse(n, "count")?)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!("2/7".parse::<Shard>(), Ok(Shard { index: 2, count: 7 }));
        assert_eq!(Shard::new(1, 1).unwrap().to_string(), "1/1");
        for bad in ["0/3", "4/3", "1/0", "x/2", "2", "1/70000", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn every_key_has_exactly_one_owner() {
        for count in [1, 2, 7] {
            let mut per_shard = vec![0usize; count as usize];
            for k in 0..1000 {
                let key = format!("dir{}/file{k}.tf", k % 13);
                let owners: Vec<u32> = (1..=count)
                    .filter(|&i| Shard::new(i, count).unwrap().owns(&key))
                    .collect();
                assert_eq!(owners.len(), 1, "{key} in {count} shards: {owners:?}");
                per_shard[owners[0] as usize - 1] += 1;
            }
            // The hash spreads keys: no shard of 7 is empty or holds more than twice its share.
            for n in &per_shard {
                assert!(
                    *n > 0 && *n < 2 * 1000 / count as usize + 1,
                    "{per_shard:?}"
                );
            }
        }
    }

    #[test]
    fn the_split_is_stable() {
        // Pinned: a change would move items between shards of runs already in flight.
        let owners: Vec<u32> = ["a", "b", "main.tf", "org/repo"]
            .iter()
            .map(|k| owner(k, 7))
            .collect();
        assert_eq!(owners, vec![5, 1, 6, 5]);
    }
}
