//! The typed content of `ai-systems.yaml` (schemas/ai-systems.schema.json): the AI systems an
//! organisation provides or deploys, classified under the EU AI Act.

use serde::{Deserialize, Serialize};

/// The whole inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiSystems {
    /// One entry per system, in file order.
    pub systems: Vec<AiSystem>,
}

/// One AI system as declared. Paths are relative to the scan root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiSystem {
    pub id: String,
    pub name: String,
    /// The version placed on the market or put into service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The provider, when the organisation deploys someone else's system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intended_purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interacts_with_people: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_card: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transparency_notice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_governance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical_documentation: Option<String>,
    /// Harmonised standards and common specifications applied (Annex IV point 7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standards: Vec<String>,
    /// The EU declaration of conformity (Art. 47; Annex IV point 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration_of_conformity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_oversight: Option<HumanOversight>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<DecisionLogging>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_market_monitoring: Option<PostMarketMonitoring>,
}

/// The organisation's role for a system (Art. 3(3), 3(4)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Provider,
    Deployer,
}

impl Role {
    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provider => "provider",
            Role::Deployer => "deployer",
        }
    }
}

/// The risk class of a system under the AI Act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// A prohibited practice (Art. 5).
    Prohibited,
    /// High-risk (Art. 6, Annex III).
    High,
    /// Transparency obligations only (Art. 50).
    Limited,
    Minimal,
}

impl RiskLevel {
    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Prohibited => "prohibited",
            RiskLevel::High => "high",
            RiskLevel::Limited => "limited",
            RiskLevel::Minimal => "minimal",
        }
    }
}

/// Art. 14: how natural persons oversee the system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HumanOversight {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<OversightMode>,
    #[serde(default)]
    pub reviewers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_override: Option<bool>,
    /// The configuration that enforces the oversight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// How closely people oversee a system's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OversightMode {
    /// A person confirms every output before it takes effect.
    HumanInTheLoop,
    /// People monitor the outputs and can intervene.
    HumanOnTheLoop,
    /// People decide when and how the system is used at all.
    HumanInCommand,
    None,
}

impl OversightMode {
    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            OversightMode::HumanInTheLoop => "human-in-the-loop",
            OversightMode::HumanOnTheLoop => "human-on-the-loop",
            OversightMode::HumanInCommand => "human-in-command",
            OversightMode::None => "none",
        }
    }
}

/// Art. 12 record-keeping of decisions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionLogging {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Art. 72 post-market monitoring.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostMarketMonitoring {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Prometheus metric names.
    #[serde(default)]
    pub metrics: Vec<String>,
}
