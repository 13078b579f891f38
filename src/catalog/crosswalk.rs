//! The ISO/IEC 42001:2023 → ISO/IEC 27001:2022 crosswalk: for every
//! lowest-level ISO 42001 clause and every Annex A control, the ISO 27001
//! requirements an existing ISMS may reuse, with how far each goes
//! ([`Relation`]) and a one-line rationale. An entry with no mappings is new
//! AI work with no counterpart.
//!
//! The built-in data is `crosswalk.yaml` beside this module; rationales are
//! our own words, no requirement text is shipped. [`Crosswalk::validate`]
//! checks a crosswalk against the catalogs, for the built-in one in tests and
//! for repository-defined overrides.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Catalog, Catalogs, Kind, natural_cmp};

const BUILTIN: &str = include_str!("crosswalk.yaml");

/// How much of the source requirement the target requirement covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// The same requirement with a different subject.
    Equivalent,
    /// Covers part of it; the rest is new work.
    Partial,
    /// Same topic or mechanism, little of the intent met.
    Related,
}

impl Relation {
    /// Strongest first.
    pub const ALL: [Relation; 3] = [Relation::Equivalent, Relation::Partial, Relation::Related];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Equivalent => "equivalent",
            Relation::Partial => "partial",
            Relation::Related => "related",
        }
    }
}

/// One target requirement of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Requirement ID in the target standard (`A.5.1`, `6.1.2`).
    pub to: String,
    pub relation: Relation,
}

/// The mappings of one source requirement.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkEntry {
    /// Requirement ID in the source standard.
    pub id: String,
    /// Empty: no counterpart (new work). Strongest relation first.
    #[serde(default)]
    pub maps: Vec<Mapping>,
    pub rationale: String,
}

impl CrosswalkEntry {
    /// Whether the source requirement has no counterpart at all.
    pub fn is_none(&self) -> bool {
        self.maps.is_empty()
    }
}

/// A mapping from one standard (`from`) to another (`to`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Crosswalk {
    /// Source catalog key, e.g. `iso42001`.
    pub from: String,
    /// Target catalog key, e.g. `iso27001`.
    pub to: String,
    /// Lowest-level clauses, in natural order.
    #[serde(default)]
    pub clauses: Vec<CrosswalkEntry>,
    /// Annex A controls, in natural order.
    #[serde(default)]
    pub controls: Vec<CrosswalkEntry>,
}

/// One row of the rendered crosswalk (`aimsc catalog crosswalk --format json`).
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    /// `clause` or `control`.
    pub kind: &'static str,
    pub id: &'a str,
    /// Source title from the catalog (empty if the ID is unknown).
    pub title: &'a str,
    pub maps: Vec<RowMapping<'a>>,
    pub rationale: &'a str,
}

#[derive(Debug, Serialize)]
pub struct RowMapping<'a> {
    pub to: &'a str,
    /// Target title from the catalog (empty if the ID is unknown).
    pub title: &'a str,
    pub relation: Relation,
}

impl Crosswalk {
    /// Adds the entries of `other` (same `from` and `to`), replacing the
    /// entries it gives for the same requirement: a repository's own mappings.
    pub fn apply(&mut self, other: Crosswalk) -> Result<usize, String> {
        if other.from != self.from || other.to != self.to {
            return Err(format!(
                "this crosswalk maps {} to {}; only {} to {} mappings can be added",
                other.from, other.to, self.from, self.to
            ));
        }
        let n = other.clauses.len() + other.controls.len();
        for (mine, theirs) in [(&mut self.clauses, other.clauses), (&mut self.controls, other.controls)] {
            for entry in theirs {
                match mine.iter_mut().find(|e| e.id == entry.id) {
                    Some(e) => *e = entry,
                    None => mine.push(entry),
                }
            }
            mine.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        }
        Ok(n)
    }

    /// Parses a crosswalk file; entries in natural order, each entry's mappings
    /// strongest relation first, then in natural order.
    pub fn from_yaml(text: &str) -> Result<Crosswalk, String> {
        let mut cw: Crosswalk = serde_saphyr::from_str(text).map_err(super::yaml_error)?;
        for list in [&mut cw.clauses, &mut cw.controls] {
            list.sort_by(|a, b| natural_cmp(&a.id, &b.id));
            for e in list.iter_mut() {
                e.maps
                    .sort_by(|a, b| a.relation.cmp(&b.relation).then_with(|| natural_cmp(&a.to, &b.to)));
            }
        }
        Ok(cw)
    }

    /// The built-in ISO 42001 → ISO 27001 crosswalk. Tested data, so a failure is a bug.
    pub fn builtin() -> Crosswalk {
        Crosswalk::from_yaml(BUILTIN).unwrap_or_else(|e| panic!("built-in crosswalk is broken: {e}"))
    }

    pub fn for_control(&self, id: &str) -> Option<&CrosswalkEntry> {
        self.controls.iter().find(|e| e.id == id)
    }

    pub fn for_clause(&self, id: &str) -> Option<&CrosswalkEntry> {
        self.clauses.iter().find(|e| e.id == id)
    }

    /// Clause entries, then control entries, each tagged with its kind.
    pub fn entries(&self) -> impl Iterator<Item = (Kind, &CrosswalkEntry)> {
        let clauses = self.clauses.iter().map(|e| (Kind::Clause, e));
        clauses.chain(self.controls.iter().map(|e| (Kind::Control, e)))
    }

    /// Number of mappings of a relation kind, over clauses and controls.
    pub fn count(&self, relation: Relation) -> usize {
        self.entries()
            .flat_map(|(_, e)| &e.maps)
            .filter(|m| m.relation == relation)
            .count()
    }

    /// Number of entries with no counterpart.
    pub fn count_none(&self) -> usize {
        self.entries().filter(|(_, e)| e.is_none()).count()
    }

    /// Every problem of this crosswalk against the catalogs: unknown standards,
    /// unknown or unclaimable IDs on either side, clause/control kind mix-ups,
    /// duplicates, blank rationales, and source clauses or controls without an
    /// entry. Empty when the crosswalk is sound.
    pub fn validate(&self, catalogs: &Catalogs) -> Vec<String> {
        let mut problems = Vec::new();
        let from = catalogs.get(&self.from);
        let to = catalogs.get(&self.to);
        let known = || catalogs.keys().join(", ");
        if from.is_none() {
            problems.push(format!("unknown source standard `{}`; known: {}", self.from, known()));
        }
        if to.is_none() {
            problems.push(format!("unknown target standard `{}`; known: {}", self.to, known()));
        }
        if self.from == self.to {
            problems.push(format!("source and target are the same standard `{}`", self.from));
        }
        let (Some(from), Some(to)) = (from, to) else {
            return problems;
        };
        for (kind, list) in [(Kind::Clause, &self.clauses), (Kind::Control, &self.controls)] {
            let section = section(kind);
            let mut seen = HashSet::new();
            for e in list {
                if !seen.insert(e.id.as_str()) {
                    problems.push(format!("{section}: {} {} is listed twice", from.short_name, e.id));
                }
                if let Some(p) = check_id(from, kind, &e.id) {
                    problems.push(format!("{section}: {p}"));
                }
                if e.rationale.trim().is_empty() {
                    problems.push(format!("{section}: {} {} has no rationale", from.short_name, e.id));
                }
                let mut targets = HashSet::new();
                for m in &e.maps {
                    if !targets.insert(m.to.as_str()) {
                        problems.push(format!(
                            "{section}: {} {} maps to {} {} twice",
                            from.short_name, e.id, to.short_name, m.to
                        ));
                    }
                    if let Some(p) = check_id(to, kind, &m.to) {
                        problems.push(format!("{section}: {} {} maps to {p}", from.short_name, e.id));
                    }
                }
            }
            let expected: Vec<&str> = match kind {
                Kind::Clause => from.leaf_clauses().map(|e| e.id.as_str()).collect(),
                _ => from.controls().map(|e| e.id.as_str()).collect(),
            };
            for id in expected {
                if !seen.contains(id) {
                    problems.push(format!("{section}: {} {id} has no entry", from.short_name));
                }
            }
        }
        problems
    }

    /// The crosswalk with titles from the catalogs, clauses first.
    pub fn rows<'a>(&'a self, catalogs: &'a Catalogs) -> Vec<Row<'a>> {
        let title = |cat: Option<&'a Catalog>, id: &str| -> &'a str {
            cat.and_then(|c| c.get(id)).map_or("", |e| e.title.as_str())
        };
        let (from, to) = (catalogs.get(&self.from), catalogs.get(&self.to));
        self.entries()
            .map(|(kind, e)| Row {
                kind: match kind {
                    Kind::Clause => "clause",
                    _ => "control",
                },
                id: &e.id,
                title: title(from, &e.id),
                maps: e
                    .maps
                    .iter()
                    .map(|m| RowMapping {
                        to: &m.to,
                        title: title(to, &m.to),
                        relation: m.relation,
                    })
                    .collect(),
                rationale: &e.rationale,
            })
            .collect()
    }
}

fn section(kind: Kind) -> &'static str {
    match kind {
        Kind::Clause => "clauses",
        _ => "controls",
    }
}

/// Why `id` cannot appear in a crosswalk section of `kind`, if it cannot.
fn check_id(cat: &Catalog, kind: Kind, id: &str) -> Option<String> {
    let Some(e) = cat.get(id) else {
        return Some(format!("unknown {} ID {id}", cat.short_name));
    };
    let want = match kind {
        Kind::Clause => "a lowest-level clause",
        _ => "an Annex A control",
    };
    if e.kind != kind || !cat.is_claimable(id) {
        return Some(format!("{} {id} is not {want}", cat.short_name));
    }
    None
}
