//! `aimsc.toml`: the repository's configuration. Strict: an unknown key is an
//! error, so a typo cannot silently change what is checked.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use super::rules::INVALID_CONFIG;
use crate::diagnostics::{Diagnostic, Level, SourceFile};

pub const CONFIG_FILE: &str = "aimsc.toml";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Organisation name shown in reports and the portal.
    pub organisation: Option<String>,
    /// Enabled standards (catalog keys). Default: both built-in standards.
    #[serde(default = "default_standards")]
    pub standards: Vec<String>,
    /// Output folder of `aimsc build`, relative to the repository root.
    #[serde(default = "default_output")]
    pub output: String,
    /// Globs of paths not to read, relative to the repository root.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Reviews due within this many days are "due soon".
    #[serde(default = "default_review_warning_days")]
    pub review_warning_days: u32,
    /// Which in-scope AI systems need an approved impact assessment.
    #[serde(default)]
    pub require_impact_assessment: ImpactScope,
    /// The repository's own catalogs (YAML files, relative to the root).
    #[serde(default)]
    pub catalogs: Vec<String>,
    /// Crosswalk files that add to or override the built-in ISO 42001 → ISO 27001 mappings.
    #[serde(default)]
    pub crosswalks: Vec<String>,
    /// Rule levels by rule name or code.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
}

/// Which AI systems the impact-assessment check covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImpactScope {
    /// In-scope systems with `risk_level: high` (or `unacceptable`).
    #[default]
    HighRisk,
    /// Every in-scope system.
    AllInScope,
}

fn default_standards() -> Vec<String> {
    vec!["iso27001".into(), "iso42001".into()]
}

fn default_output() -> String {
    "_site".into()
}

fn default_review_warning_days() -> u32 {
    30
}

impl Default for Config {
    fn default() -> Self {
        Config {
            organisation: None,
            standards: default_standards(),
            output: default_output(),
            exclude: Vec::new(),
            review_warning_days: default_review_warning_days(),
            require_impact_assessment: ImpactScope::default(),
            catalogs: Vec::new(),
            crosswalks: Vec::new(),
            rules: BTreeMap::new(),
        }
    }
}

impl Config {
    /// Parses the configuration; on error returns the defaults and a diagnostic,
    /// so that the rest of the repository is still checked.
    pub fn parse(file: &Arc<SourceFile>) -> (Config, Option<Diagnostic>) {
        match toml::from_str::<Config>(&file.text) {
            Ok(c) => (c, None),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = e.message().trim().to_string();
                let help = if message.contains("unknown field") {
                    "see docs/format.md for the keys of aimsc.toml"
                } else {
                    "fix the value; aimsc checks the repository with default settings meanwhile"
                };
                let d = Diagnostic::new(&INVALID_CONFIG, format!("invalid {CONFIG_FILE}: {message}"))
                    .at(file.location(span))
                    .help(help);
                (Config::default(), Some(d))
            }
        }
    }
}
