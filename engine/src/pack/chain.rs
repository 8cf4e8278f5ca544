//! A locker's packs as a chain: every pack verifies on its own, and each names the root of the
//! pack before it as its `previous_root`.

use super::verify::Verified;

/// One pack of a locker, checked on its own.
#[derive(Debug, Clone)]
pub struct PackCheck {
    pub name: String,
    pub outcome: Result<Verified, String>,
}

/// A pack that breaks the chain, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub pack: String,
    pub problem: String,
}

/// The breaks of a chain of packs, oldest first: each pack that does not verify, and each whose
/// `previous_root` is not the root of the pack before it (the first pack may name any root, or
/// none). A pack after one that does not verify is not compared with it.
pub fn breaks(checks: &[PackCheck]) -> Vec<Break> {
    let mut out = Vec::new();
    let mut previous: Option<(&str, &str)> = None;
    for check in checks {
        match &check.outcome {
            Err(problem) => {
                out.push(Break {
                    pack: check.name.clone(),
                    problem: problem.clone(),
                });
                previous = None;
            }
            Ok(verified) => {
                if let Some((name, root)) = previous {
                    if verified.previous_root.as_deref() != Some(root) {
                        out.push(Break {
                            pack: check.name.clone(),
                            problem: format!(
                                "previous_root {} is not the root of the pack before it, {name} ({root}): a pack is missing or was replaced",
                                verified.previous_root.as_deref().unwrap_or("none")
                            ),
                        });
                    }
                }
                previous = Some((&check.name, &verified.root));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(name: &str, root: &str, previous: Option<&str>) -> PackCheck {
        PackCheck {
            name: name.to_string(),
            outcome: Ok(Verified {
                root: root.to_string(),
                files: 1,
                evidence: 0,
                signer: None,
                previous_root: previous.map(str::to_string),
                previous_checked: false,
            }),
        }
    }

    #[test]
    fn an_intact_chain_has_no_breaks() {
        let chain = [
            ok("a", "r1", Some("r0")),
            ok("b", "r2", Some("r1")),
            ok("c", "r3", Some("r2")),
        ];
        assert_eq!(breaks(&chain), Vec::new());
    }

    #[test]
    fn a_missing_pack_breaks_the_link_of_the_next() {
        let chain = [ok("a", "r1", None), ok("c", "r3", Some("r2"))];
        let found = breaks(&chain);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pack, "c");
        assert!(found[0]
            .problem
            .contains("not the root of the pack before it, a (r1)"));
    }

    #[test]
    fn a_pack_that_does_not_verify_is_reported_and_not_linked() {
        let bad = PackCheck {
            name: "b".to_string(),
            outcome: Err("`results.json`: sha256 differs".to_string()),
        };
        let chain = [ok("a", "r1", None), bad, ok("c", "r3", Some("r2"))];
        assert_eq!(
            breaks(&chain),
            vec![Break {
                pack: "b".to_string(),
                problem: "`results.json`: sha256 differs".to_string()
            }]
        );
    }
}
