//! `aimsc init`: a working repository to start from. Configuration, a scope
//! statement, one SoA per standard that decides nothing yet (so `check`
//! lists exactly the decisions to take), and starter policy skeletons marked
//! `draft`, which count for no coverage: a fresh repository does not look
//! compliant.

use std::fmt::Write as _;
use std::path::Path;

use crate::catalog::Catalogs;
use crate::model::ToolError;

/// Skeleton documents, by the path they are written to.
const SKELETONS: &[(&str, &str)] = &[
    ("policies/ai-policy.md", include_str!("ai-policy.md")),
    (
        "policies/information-security-policy.md",
        include_str!("information-security-policy.md"),
    ),
    (
        "procedures/ai-risk-assessment.md",
        include_str!("ai-risk-assessment.md"),
    ),
    (
        "procedures/ai-impact-assessment.md",
        include_str!("ai-impact-assessment.md"),
    ),
    ("procedures/document-control.md", include_str!("document-control.md")),
];

const README: &str = include_str!("README.md");

/// The files `init` writes, by repository-relative path.
pub fn files(organisation: &str, catalogs: &Catalogs) -> Vec<(String, String)> {
    let org = organisation.replace('"', "'");
    let mut out = vec![
        (
            "aimsc.toml".to_string(),
            format!(
                "# aimsc configuration: see the document format reference.\norganisation = \"{org}\"\nstandards = [\"iso27001\", \"iso42001\"]\noutput = \"_site\"\n\n[rules]\n# review-overdue = \"error\"\n"
            ),
        ),
        (
            ".gitignore".to_string(),
            "# The portal built by `aimsc build`.\n/_site/\n".to_string(),
        ),
        (
            "README.md".to_string(),
            README.replace("{{organisation}}", organisation),
        ),
        ("scope/scope.md".to_string(), scope()),
    ];
    for c in &catalogs.list {
        out.push((format!("soa/{}-soa.md", c.key), soa(c)));
    }
    out.extend(SKELETONS.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    out
}

fn scope() -> String {
    "---\nid: SCOPE-001\ntitle: Scope of the management systems\ntype: scope\nstatus: draft\nowner: Management System Lead\nversion: \"0.1\"\nreview_every: 12 months\nstandards: [iso27001, iso42001]\n# IDs of the ai-system documents in scope, e.g. [AIS-001]\nai_systems: []\nunits: []\nlocations: []\n# - item: \"What is excluded\"\n#   reason: \"Why\"\nexclusions: []\nsatisfies:\n  iso27001: [\"4.3\"]\n  iso42001: [\"4.3\"]\n---\n# Scope of the management systems\n\nDescribe the boundaries of the ISMS and the AIMS: the organisation, its AI systems and roles\nfor them, the units and locations covered, interfaces and dependencies, and what is excluded\nand why.\n".to_string()
}

/// An SoA with every control listed and no decision taken.
fn soa(c: &crate::catalog::Catalog) -> String {
    let mut s = format!(
        "---\nid: SOA-{}\ntitle: Statement of Applicability ({})\ntype: soa\nstandard: {}\nstatus: draft\nowner: Management System Lead\nversion: \"0.1\"\nreview_every: 12 months\nsatisfies:\n  {}: [\"6.1.3\"]\n",
        c.key.trim_start_matches("iso"),
        c.name,
        c.key,
        c.key
    );
    s.push_str("# For each control: `applicable: true` with `status` (implemented, partial, planned,\n# not-implemented) and a `justification`; or `applicable: false` with a justification.\ncontrols:\n");
    for e in c.controls() {
        let _ = writeln!(s, "  {}: {{title: {:?}}}", e.id, e.title);
    }
    let _ = write!(
        s,
        "---\n# Statement of Applicability ({})\n\nThe decision on every Annex A control is recorded in the front matter above.\n",
        c.name
    );
    s
}

/// Writes the repository into `dir`, refusing a non-empty folder unless `force`.
pub fn init(dir: &Path, organisation: &str, force: bool) -> Result<Vec<String>, ToolError> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(ToolError(format!("`{}` exists and is not a folder", dir.display())));
        }
        let non_empty = std::fs::read_dir(dir)
            .map_err(|e| ToolError(format!("cannot read {}: {e}", dir.display())))?
            .any(|e| e.is_ok_and(|e| e.file_name() != ".git"));
        if non_empty && !force {
            return Err(ToolError(format!(
                "`{}` is not empty; use --force to write the starter files into it anyway (existing files with the same names are replaced)",
                dir.display()
            )));
        }
    }
    let catalogs = Catalogs::builtin();
    let mut written = Vec::new();
    for (rel, text) in files(organisation, &catalogs) {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ToolError(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, text).map_err(|e| ToolError(format!("cannot write {}: {e}", path.display())))?;
        written.push(rel);
    }
    Ok(written)
}
