//! The built-in knowledge of the standards: ISO/IEC 27001:2022 and
//! ISO/IEC 42001:2023 clause and Annex A catalogs, ISO 42001 Annex C
//! objectives and risk sources, and the ISO/IEC 27001:2013 numbering that
//! real policy sets still use. Data files beside this module, compiled in.
//!
//! Titles are our own short paraphrases; no requirement text is shipped.

pub mod crosswalk;

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

const ISO27001: &str = include_str!("iso27001.yaml");
const ISO42001: &str = include_str!("iso42001.yaml");
const ISO27001_2013: &str = include_str!("iso27001-2013.yaml");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A management-system clause (4 to 10 and their sub-clauses).
    Clause,
    /// An Annex A heading that groups controls (A.5, A.6.2).
    Group,
    /// An Annex A control.
    Control,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    #[serde(default)]
    pub parent: Option<String>,
    pub title: String,
}

/// An Annex C objective or risk source.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    key: String,
    name: String,
    short_name: String,
    entries: Vec<Entry>,
    #[serde(default)]
    objectives: Vec<Term>,
    #[serde(default)]
    risk_sources: Vec<Term>,
}

/// One standard's requirements.
#[derive(Debug)]
pub struct Catalog {
    /// Key used in front matter, e.g. `iso42001`.
    pub key: String,
    /// Full name, e.g. `ISO/IEC 42001:2023`.
    pub name: String,
    /// Short name for messages, e.g. `ISO 42001`.
    pub short_name: String,
    /// Entries in natural order (4, 4.1 ... 10.2, A.2 ... A.10.4).
    pub entries: Vec<Entry>,
    pub objectives: Vec<Term>,
    pub risk_sources: Vec<Term>,
    by_id: HashMap<String, usize>,
    children: Vec<Vec<usize>>,
}

impl Catalog {
    /// Parses a catalog file (the format of the built-in ones).
    pub fn from_yaml(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = serde_saphyr::from_str(text).map_err(yaml_error)?;
        let mut entries = file.entries;
        entries.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        let mut by_id = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if by_id.insert(e.id.clone(), i).is_some() {
                return Err(format!("duplicate ID {}", e.id));
            }
        }
        let mut children = vec![Vec::new(); entries.len()];
        for (i, e) in entries.iter().enumerate() {
            if let Some(p) = &e.parent {
                let pi = *by_id.get(p).ok_or_else(|| format!("{}: unknown parent {p}", e.id))?;
                children[pi].push(i);
            }
        }
        Ok(Catalog {
            key: file.key,
            name: file.name,
            short_name: file.short_name,
            entries,
            objectives: file.objectives,
            risk_sources: file.risk_sources,
            by_id,
            children,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn children(&self, id: &str) -> impl Iterator<Item = &Entry> {
        let list = self.by_id.get(id).map(|&i| self.children[i].as_slice()).unwrap_or(&[]);
        list.iter().map(|&i| &self.entries[i])
    }

    pub fn has_children(&self, id: &str) -> bool {
        self.children(id).next().is_some()
    }

    /// Lowest-level clauses: the ones a document can address.
    pub fn leaf_clauses(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| e.kind == Kind::Clause && !self.has_children(&e.id))
    }

    pub fn controls(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == Kind::Control)
    }

    /// Whether a document may claim this ID (a leaf clause or a control).
    pub fn is_claimable(&self, id: &str) -> bool {
        self.get(id)
            .is_some_and(|e| e.kind == Kind::Control || (e.kind == Kind::Clause && !self.has_children(id)))
    }

    /// The Annex A group a control belongs to at the top level (A.6 for A.6.2.4).
    pub fn top_group<'a>(&'a self, id: &str) -> Option<&'a Entry> {
        let mut e = self.get(id)?;
        while let Some(p) = e.parent.as_deref().and_then(|p| self.get(p)) {
            e = p;
        }
        Some(e)
    }

    /// All claimable IDs under a group or parent clause.
    pub fn leaves_under(&self, id: &str) -> Vec<&Entry> {
        let mut out = Vec::new();
        for c in self.children(id) {
            if self.has_children(&c.id) {
                out.extend(self.leaves_under(&c.id));
            } else {
                out.push(c);
            }
        }
        out
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }
}

/// The ISO/IEC 27001:2013 control IDs and the 2022 controls that replaced them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Legacy {
    pub legacy: String,
    pub mappings: Vec<LegacyMapping>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyMapping {
    pub old: String,
    pub new: Vec<String>,
}

impl Legacy {
    pub fn replacement(&self, old: &str) -> Option<&[String]> {
        self.mappings.iter().find(|m| m.old == old).map(|m| m.new.as_slice())
    }
}

/// Every catalog aimsc knows, in a fixed order (ISO 42001 first, as the portal shows them).
#[derive(Debug)]
pub struct Catalogs {
    pub list: Vec<Catalog>,
    pub legacy27001: Legacy,
}

impl Catalogs {
    /// The built-in catalogs. They are tested data, so a failure here is a bug.
    pub fn builtin() -> Catalogs {
        let load = |text: &str, name: &str| {
            Catalog::from_yaml(text).unwrap_or_else(|e| panic!("built-in catalog {name} is broken: {e}"))
        };
        let legacy: Legacy = serde_saphyr::from_str(ISO27001_2013)
            .unwrap_or_else(|e| panic!("built-in ISO 27001:2013 mapping is broken: {e}"));
        Catalogs {
            list: vec![load(ISO42001, "iso42001"), load(ISO27001, "iso27001")],
            legacy27001: legacy,
        }
    }

    /// Adds a repository's own catalog (an internal control set, NIST AI RMF,
    /// EU AI Act articles ...). Its key must not be taken.
    pub fn add(&mut self, text: &str) -> Result<&Catalog, String> {
        let catalog = Catalog::from_yaml(text)?;
        if self.get(&catalog.key).is_some() {
            return Err(format!("a catalog with the key `{}` already exists", catalog.key));
        }
        if catalog.key.is_empty()
            || !catalog
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "catalog key `{}` must be letters, digits, `-` or `_`",
                catalog.key
            ));
        }
        self.list.push(catalog);
        Ok(self.list.last().expect("just pushed"))
    }

    pub fn get(&self, key: &str) -> Option<&Catalog> {
        self.list.iter().find(|c| c.key == key)
    }

    pub fn keys(&self) -> Vec<&str> {
        self.list.iter().map(|c| c.key.as_str()).collect()
    }
}

/// A YAML error of a catalog or crosswalk file as one line: the message and
/// where, without the parser's own snippet (aimsc renders its own).
pub fn yaml_error(e: serde_saphyr::Error) -> String {
    let message = e.without_snippet().to_string();
    message.lines().next().unwrap_or("").trim().to_string()
}

/// Natural order of requirement IDs: `A.5.2` before `A.5.10`, `9.3` before `10.1`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}
