//! The fixed vocabularies of front matter values (types, statuses, roles,
//! risk scales ...), each declared once with its YAML spelling so that the
//! loader, the docs, `aimsc schema` and the portal agree.

/// A closed set of values written in front matter as kebab-case words.
pub trait Vocab: Sized + Copy + 'static {
    /// What the field holds, for messages ("document type").
    const WHAT: &'static str;
    const VALUES: &'static [(&'static str, Self)];

    fn parse(text: &str) -> Option<Self> {
        Self::VALUES.iter().find(|(name, _)| *name == text).map(|&(_, v)| v)
    }

    fn name(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::VALUES.iter().find(|(_, v)| *v == self).map_or("?", |(n, _)| n)
    }

    fn names() -> Vec<&'static str> {
        Self::VALUES.iter().map(|(n, _)| *n).collect()
    }
}

macro_rules! vocab {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub enum $name { $($variant),+ }
        impl Vocab for $name {
            const WHAT: &'static str = $what;
            const VALUES: &'static [(&'static str, Self)] = &[$(($text, $name::$variant)),+];
        }
        impl $name {
            pub fn as_str(self) -> &'static str { Vocab::name(self) }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

vocab!(
    /// What kind of governed document a file is.
    DocType, "document type", {
    Policy = "policy",
    Procedure = "procedure",
    Standard = "standard",
    Guideline = "guideline",
    Plan = "plan",
    Record = "record",
    Scope = "scope",
    Soa = "soa",
    AiSystem = "ai-system",
    Risk = "risk",
    ImpactAssessment = "impact-assessment",
});

vocab!(
    /// Document control status; only `approved` counts for coverage.
    Status, "status", {
    Draft = "draft",
    Review = "review",
    Approved = "approved",
    Retired = "retired",
});

vocab!(
    /// Implementation status of an Annex A control in the SoA.
    ImplStatus, "implementation status", {
    Implemented = "implemented",
    Partial = "partial",
    Planned = "planned",
    NotImplemented = "not-implemented",
});

vocab!(
    /// The organisation's role for an AI system (ISO/IEC 22989 stakeholder
    /// roles and EU AI Act operator roles).
    Role, "AI role", {
    Provider = "provider",
    Producer = "producer",
    Developer = "developer",
    Deployer = "deployer",
    Customer = "customer",
    User = "user",
    Partner = "partner",
    Integrator = "integrator",
    DataProvider = "data-provider",
    Evaluator = "evaluator",
    Auditor = "auditor",
    Subject = "subject",
    Importer = "importer",
    Distributor = "distributor",
    AuthorisedRepresentative = "authorised-representative",
    ProductManufacturer = "product-manufacturer",
});

impl Role {
    /// Roles that build or place an AI system on the market, to which the
    /// life-cycle controls (ISO 42001 A.6.2.x) apply in full.
    pub fn builds(self) -> bool {
        matches!(
            self,
            Role::Provider | Role::Producer | Role::Developer | Role::ProductManufacturer
        )
    }
}

vocab!(
    /// Risk tier of an AI system (EU AI Act).
    RiskLevel, "risk level", {
    Minimal = "minimal",
    Limited = "limited",
    High = "high",
    Unacceptable = "unacceptable",
});

vocab!(
    /// AI system life-cycle stage (ISO/IEC 22989).
    Stage, "life-cycle stage", {
    Inception = "inception",
    DesignAndDevelopment = "design-and-development",
    VerificationAndValidation = "verification-and-validation",
    Deployment = "deployment",
    OperationAndMonitoring = "operation-and-monitoring",
    ContinuousValidation = "continuous-validation",
    ReEvaluation = "re-evaluation",
    Retirement = "retirement",
});

vocab!(
    /// Likelihood scale of a risk.
    Likelihood, "likelihood", {
    Rare = "rare",
    Unlikely = "unlikely",
    Possible = "possible",
    Likely = "likely",
    AlmostCertain = "almost-certain",
});

vocab!(
    /// Severity scale of a risk.
    RiskSeverity, "severity", {
    Negligible = "negligible",
    Minor = "minor",
    Moderate = "moderate",
    Major = "major",
    Severe = "severe",
});

vocab!(
    /// How a risk is treated.
    Treatment, "treatment", {
    Mitigate = "mitigate",
    Accept = "accept",
    Avoid = "avoid",
    Transfer = "transfer",
});

vocab!(
    /// Who an impact assessment covers (ISO 42001 A.5.4 and A.5.5).
    Affected, "affected party", {
    Individuals = "individuals",
    Groups = "groups",
    Society = "society",
});
