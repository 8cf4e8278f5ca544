//! Crosswalks between frameworks: two requirements correspond when at least one control
//! evidences both.

use serde::Serialize;

use super::Framework;

/// One requirement of the first framework and the requirements of the second it shares
/// controls with, in the second framework's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrosswalkRow {
    pub id: String,
    pub title: String,
    pub matches: Vec<CrosswalkMatch>,
}

/// A requirement of the second framework and the controls it shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrosswalkMatch {
    pub id: String,
    pub title: String,
    /// The shared controls, in the order the first requirement names them.
    pub controls: Vec<String>,
}

/// For each requirement of `from` (in order), the requirements of `to` sharing a control.
pub fn crosswalk(from: &Framework, to: &Framework) -> Vec<CrosswalkRow> {
    from.requirements
        .iter()
        .map(|a| CrosswalkRow {
            id: a.id.clone(),
            title: a.title.clone(),
            matches: to
                .requirements
                .iter()
                .filter_map(|b| {
                    let controls: Vec<String> = a
                        .controls
                        .iter()
                        .filter(|c| b.controls.contains(c))
                        .cloned()
                        .collect();
                    (!controls.is_empty()).then(|| CrosswalkMatch {
                        id: b.id.clone(),
                        title: b.title.clone(),
                        controls,
                    })
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Requirement;

    fn framework(id: &str, reqs: &[(&str, &[&str])]) -> Framework {
        Framework {
            id: id.into(),
            name: id.into(),
            version: None,
            source: None,
            requirements: reqs
                .iter()
                .map(|(r, cs)| Requirement {
                    id: (*r).into(),
                    title: format!("{r} title"),
                    controls: cs.iter().map(|c| (*c).into()).collect(),
                    not_applicable: None,
                    control_sites: Vec::new(),
                    exclusion: None,
                    baselines: Vec::new(),
                    designation: None,
                    service_provider: false,
                })
                .collect(),
            files: Vec::new(),
            opt_in: false,
            baselines: Vec::new(),
            earlier: None,
        }
    }

    #[test]
    fn shared_controls_link_requirements() {
        let a = framework("a", &[("A1", &["x", "y"]), ("A2", &["z"]), ("A3", &[])]);
        let b = framework("b", &[("B1", &["y"]), ("B2", &["w"]), ("B3", &["y", "x"])]);
        let rows = crosswalk(&a, &b);
        assert_eq!(rows.len(), 3);
        let ids: Vec<&str> = rows[0].matches.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["B1", "B3"]);
        assert_eq!(rows[0].matches[1].controls, ["x", "y"]);
        assert!(rows[1].matches.is_empty());
        assert!(rows[2].matches.is_empty());
    }
}
