//! The sections the AI Act and model-card practice expect in the documents of an AI system,
//! and how headings (and front matter keys) are matched against them: case-insensitively, as
//! a run of whole words, with synonyms and plural endings ignored.

/// One expected section and the phrases that name it.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// The name reported in `sections` and `missing`.
    pub name: &'static str,
    /// Phrases a heading may contain to count as this section.
    pub synonyms: &'static [&'static str],
    /// Front matter keys (Hugging Face model card metadata) that count as this section.
    pub keys: &'static [&'static str],
}

const fn section(
    name: &'static str,
    synonyms: &'static [&'static str],
    keys: &'static [&'static str],
) -> Section {
    Section {
        name,
        synonyms,
        keys,
    }
}

/// The sections of a model card (Mitchell et al., Hugging Face's template).
pub const MODEL_CARD: [Section; 6] = [
    section(
        "Model details",
        &[
            "model details",
            "model description",
            "model summary",
            "model overview",
            "model information",
            "system description",
            "overview",
            "description",
        ],
        &["base_model", "model_name", "model_type", "pipeline_tag"],
    ),
    section(
        "Intended use",
        &[
            "intended use",
            "intended purpose",
            "uses",
            "use cases",
            "direct use",
        ],
        &["intended_use", "intended_uses", "intended_purpose"],
    ),
    section(
        "Training data",
        &["training data", "training", "training dataset", "datasets"],
        &["datasets", "training_data"],
    ),
    section(
        "Evaluation",
        &[
            "evaluation",
            "performance",
            "results",
            "metrics",
            "accuracy",
            "benchmarks",
        ],
        &["model-index", "eval_results", "metrics"],
    ),
    section(
        "Limitations",
        &["limitations", "caveats", "known issues"],
        &["limitations"],
    ),
    section(
        "Risks",
        &[
            "risks",
            "ethical considerations",
            "ethics",
            "bias",
            "fairness",
        ],
        &["risks", "ethical_considerations", "bias"],
    ),
];

/// The section a model card of a high-risk system adds (Art. 14).
pub const HUMAN_OVERSIGHT: Section = section(
    "Human oversight",
    &[
        "human oversight",
        "oversight",
        "human review",
        "human in the loop",
    ],
    &["human_oversight"],
);

/// The data governance practices of Art. 10(2).
pub const DATA_GOVERNANCE: [Section; 4] = [
    section(
        "Data sources",
        &[
            "data sources",
            "sources",
            "data collection",
            "collection",
            "origin",
            "provenance",
        ],
        &["sources", "data_sources"],
    ),
    section(
        "Data preparation",
        &[
            "data preparation",
            "preparation",
            "preprocessing",
            "pre processing",
            "annotation",
            "labelling",
            "labeling",
            "cleaning",
        ],
        &["preparation"],
    ),
    section(
        "Bias examination",
        &["bias", "biases", "fairness"],
        &["bias"],
    ),
    section(
        "Data gaps",
        &[
            "data gaps",
            "gaps",
            "shortcomings",
            "data quality",
            "quality",
            "limitations",
        ],
        &["gaps", "limitations"],
    ),
];

/// The instructions for use of a high-risk system (Art. 13(3)).
pub const INSTRUCTIONS_FOR_USE: [Section; 6] = [
    section(
        "Provider",
        &["provider", "contact", "who we are"],
        &["provider", "contact"],
    ),
    section(
        "Intended purpose",
        &[
            "intended purpose",
            "intended use",
            "purpose",
            "capabilities",
        ],
        &["intended_purpose"],
    ),
    section(
        "Performance",
        &["performance", "accuracy", "robustness", "metrics"],
        &["performance", "accuracy"],
    ),
    section(
        "Limitations",
        &["limitations", "risks", "misuse"],
        &["limitations"],
    ),
    section(
        "Human oversight",
        &["human oversight", "oversight", "human review"],
        &["human_oversight"],
    ),
    section(
        "Logging",
        &["logging", "logs", "record keeping"],
        &["logging"],
    ),
];

/// The words of a heading or key: lower-case, split at anything not alphanumeric, with a
/// plural `s` dropped from words longer than three letters.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(stem) if w.chars().count() > 3 => stem.to_string(),
                _ => w,
            }
        })
        .collect()
}

/// Whether the words of `phrase` occur as a run in `words`.
fn contains(words: &[String], phrase: &str) -> bool {
    let wanted = self::words(phrase);
    !wanted.is_empty() && words.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

/// The names of the `expected` sections that one of `headings` or `keys` (front matter keys)
/// covers, in the order of `expected`.
pub fn found(expected: &[Section], headings: &[String], keys: &[String]) -> Vec<&'static str> {
    let heading_words: Vec<Vec<String>> = headings.iter().map(|h| words(h)).collect();
    let key_words: Vec<Vec<String>> = keys.iter().map(|k| words(k)).collect();
    expected
        .iter()
        .filter(|s| {
            heading_words
                .iter()
                .any(|h| s.synonyms.iter().any(|p| contains(h, p)))
                || key_words
                    .iter()
                    .any(|k| s.keys.iter().any(|key| words(key) == *k))
        })
        .map(|s| s.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matches_the_hugging_face_template() {
        let headings = strings(&[
            "Model Card for support-bot",
            "Model Details",
            "Uses",
            "Out-of-Scope Use",
            "Bias, Risks, and Limitations",
            "Training Details",
            "Evaluation",
            "Environmental Impact",
        ]);
        assert_eq!(
            found(&MODEL_CARD, &headings, &[]),
            vec![
                "Model details",
                "Intended use",
                "Training data",
                "Evaluation",
                "Limitations",
                "Risks"
            ]
        );
    }

    #[test]
    fn matches_front_matter_keys_and_ignores_partial_words() {
        let keys = strings(&["license", "datasets", "model-index"]);
        assert_eq!(
            found(&MODEL_CARD, &strings(&["1. Limitation"]), &keys),
            vec!["Training data", "Evaluation", "Limitations"]
        );
        assert!(found(
            &MODEL_CARD,
            &strings(&["Trainingsdaten", "Usage notes"]),
            &[]
        )
        .is_empty());
        assert_eq!(
            found(
                &[HUMAN_OVERSIGHT],
                &strings(&["Human-in-the-loop review"]),
                &[]
            ),
            vec!["Human oversight"]
        );
    }
}
