//! The typed content of `processing-activities.yaml` (schemas/processing-activities.schema.json):
//! the GDPR Art. 30 record of processing activities and the data subject request endpoints.

use serde::{Deserialize, Serialize};

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessingRecords {
    /// Art. 30(1)(a): who is responsible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<Controller>,
    /// One entry per processing activity, in file order.
    pub activities: Vec<ProcessingActivity>,
    /// How data subjects exercise their rights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_subject_requests: Option<DataSubjectRequests>,
}

/// The controller, its representative and its data protection officer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The representative in the Union (Art. 27).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<String>,
    /// The data protection officer (Art. 37).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpo: Option<String>,
}

/// One processing activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessingActivity {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub purposes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<LegalBasis>,
    #[serde(default)]
    pub data_subjects: Vec<String>,
    #[serde(default)]
    pub data_categories: Vec<String>,
    /// Art. 9(1) categories processed.
    #[serde(default)]
    pub special_categories: Vec<String>,
    /// The Art. 9(2) condition for the special categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_categories_basis: Option<String>,
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Transfers to third countries.
    #[serde(default)]
    pub transfers: Vec<Transfer>,
    /// The time limit for erasure, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// The time limit for erasure, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u64>,
    #[serde(default)]
    pub security_measures: Vec<String>,
    #[serde(default)]
    pub systems: Vec<String>,
}

/// The lawful basis of Art. 6(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
}

impl LegalBasis {
    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            LegalBasis::Consent => "consent",
            LegalBasis::Contract => "contract",
            LegalBasis::LegalObligation => "legal_obligation",
            LegalBasis::VitalInterests => "vital_interests",
            LegalBasis::PublicTask => "public_task",
            LegalBasis::LegitimateInterests => "legitimate_interests",
        }
    }

    /// The point of Art. 6(1) it stands for, e.g. `Art. 6(1)(b)`.
    pub fn article(self) -> &'static str {
        match self {
            LegalBasis::Consent => "Art. 6(1)(a)",
            LegalBasis::Contract => "Art. 6(1)(b)",
            LegalBasis::LegalObligation => "Art. 6(1)(c)",
            LegalBasis::VitalInterests => "Art. 6(1)(d)",
            LegalBasis::PublicTask => "Art. 6(1)(e)",
            LegalBasis::LegitimateInterests => "Art. 6(1)(f)",
        }
    }
}

/// A transfer of personal data to a third country.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safeguard: Option<Safeguard>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The Chapter V ground of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Safeguard {
    /// An adequacy decision (Art. 45).
    Adequacy,
    /// Standard contractual clauses (Art. 46(2)(c)).
    Scc,
    /// Binding corporate rules (Art. 47).
    Bcr,
    /// A derogation for a specific situation (Art. 49).
    Derogation,
}

impl Safeguard {
    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Safeguard::Adequacy => "adequacy",
            Safeguard::Scc => "scc",
            Safeguard::Bcr => "bcr",
            Safeguard::Derogation => "derogation",
        }
    }
}

/// How data subjects exercise their rights.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSubjectRequests {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default)]
    pub endpoints: Vec<DsrEndpoint>,
}

/// An API endpoint that serves one right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsrEndpoint {
    pub right: Right,
    /// HTTP method as written (`GET`, `delete`, …).
    pub method: String,
    /// Path as the API documents it, e.g. `/v1/me/export`.
    pub path: String,
    /// The file documenting the endpoint, relative to the scan root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documented_in: Option<String>,
}

/// The data subject rights of Art. 15 to 21 that an endpoint can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    Access,
    Rectification,
    Erasure,
    Restriction,
    Portability,
    Objection,
}

impl Right {
    /// Every right, in article order.
    pub const ALL: [Right; 6] = [
        Right::Access,
        Right::Rectification,
        Right::Erasure,
        Right::Restriction,
        Right::Portability,
        Right::Objection,
    ];

    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Right::Access => "access",
            Right::Rectification => "rectification",
            Right::Erasure => "erasure",
            Right::Restriction => "restriction",
            Right::Portability => "portability",
            Right::Objection => "objection",
        }
    }

    /// The article that grants the right, e.g. `Art. 17`.
    pub fn article(self) -> &'static str {
        match self {
            Right::Access => "Art. 15",
            Right::Rectification => "Art. 16",
            Right::Erasure => "Art. 17",
            Right::Restriction => "Art. 18",
            Right::Portability => "Art. 20",
            Right::Objection => "Art. 21",
        }
    }
}
