//! The ISO 27001 → ISO 42001 gap analysis: for every ISO 42001 clause and
//! Annex A control, whether it is `covered` (an approved document claims
//! it), `reuse` (not claimed, but approved ISO 27001 documents implement
//! requirements the crosswalk maps it to: the starting point), or `new`
//! (nothing to build on). Excluded controls are shown apart. The backlog
//! lists the open rows: mandatory clauses first, then controls, `new` before
//! `reuse`, so that the empty rows read as the implementation plan.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::Compilation;
use crate::catalog::Kind;
use crate::catalog::crosswalk::Relation;
use crate::model::{Document, ToolError};
use crate::rules::{Ledger, State};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapState {
    New,
    Reuse,
    Covered,
    Excluded,
}

impl GapState {
    pub fn as_str(self) -> &'static str {
        match self {
            GapState::New => "new",
            GapState::Reuse => "reuse",
            GapState::Covered => "covered",
            GapState::Excluded => "excluded",
        }
    }
}

/// An ISO 27001 requirement an open row can build on, with the approved
/// documents that implement it.
#[derive(Clone, Debug, Serialize)]
pub struct StartingPoint {
    pub iso27001: String,
    pub title: String,
    pub relation: Relation,
    pub documents: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GapRow {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    /// Top-level clause (`6`) or Annex A group (`A.6`).
    pub group: String,
    pub state: GapState,
    /// The SoA's declared status, for controls.
    pub soa_status: Option<String>,
    /// Approved documents that claim it (covered rows).
    pub documents: Vec<String>,
    /// Drafts and documents in review that claim it: work under way.
    pub pending: Vec<String>,
    pub starting_points: Vec<StartingPoint>,
    pub rationale: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct GroupTotals {
    pub group: String,
    pub title: String,
    pub covered: usize,
    pub reuse: usize,
    pub new: usize,
    pub excluded: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Gaps {
    pub rows: Vec<GapRow>,
    pub groups: Vec<GroupTotals>,
    pub totals: GroupTotals,
}

impl Gaps {
    pub fn new(c: &Compilation) -> Result<Gaps, ToolError> {
        let cx = c.context();
        let ledger = Ledger::build(&cx);
        let Some(sl) = ledger.standards.iter().find(|s| s.catalog.key == "iso42001") else {
            return Err(ToolError(
                "the gap analysis is for ISO 42001: add \"iso42001\" to `standards` in aimsc.toml".into(),
            ));
        };
        let iso27001 = c.catalogs.get("iso27001");
        let crosswalk = &c.crosswalk;
        let claims = c.project.claims();
        let approved_27001 = |id: &str| -> Vec<String> {
            claims
                .get(&("iso27001", id))
                .map(|v| {
                    v.iter()
                        .filter(|d| d.is_approved())
                        .map(|d| d.id.value.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut rows = Vec::new();
        for row in &sl.rows {
            let e = row.entry;
            let entry = if e.kind == Kind::Clause {
                crosswalk.for_clause(&e.id)
            } else {
                crosswalk.for_control(&e.id)
            };
            let starting_points: Vec<StartingPoint> = entry
                .map(|x| x.maps.as_slice())
                .unwrap_or(&[])
                .iter()
                .filter_map(|m| {
                    let documents = approved_27001(&m.to);
                    (!documents.is_empty()).then(|| StartingPoint {
                        iso27001: m.to.clone(),
                        title: iso27001
                            .and_then(|c| c.get(&m.to))
                            .map_or(String::new(), |t| t.title.clone()),
                        relation: m.relation,
                        documents,
                    })
                })
                .collect();
            let state = match row.state {
                State::Covered => GapState::Covered,
                State::Excluded => GapState::Excluded,
                State::Gap | State::Undecided if !starting_points.is_empty() => GapState::Reuse,
                State::Gap | State::Undecided => GapState::New,
            };
            let group = sl.catalog.top_group(&e.id).map_or(e.id.clone(), |g| g.id.clone());
            let ids = |docs: &[&Document]| docs.iter().map(|d| d.id.value.clone()).collect::<Vec<_>>();
            rows.push(GapRow {
                id: e.id.clone(),
                title: e.title.clone(),
                kind: if e.kind == Kind::Clause { "clause" } else { "control" },
                group,
                state,
                soa_status: row.soa_status().map(|s| s.to_string()),
                documents: ids(&row.approved),
                pending: row
                    .unapproved
                    .iter()
                    .filter(|d| d.status != crate::model::vocab::Status::Retired)
                    .map(|d| d.id.value.clone())
                    .collect(),
                starting_points: if state == GapState::Covered {
                    Vec::new()
                } else {
                    starting_points
                },
                rationale: entry.map_or(String::new(), |x| x.rationale.clone()),
            });
        }
        let mut by_group: BTreeMap<(usize, String), GroupTotals> = BTreeMap::new();
        let order: HashMap<&str, usize> = sl
            .catalog
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let mut totals = GroupTotals {
            group: "all".into(),
            title: "ISO 42001 in all".into(),
            ..Default::default()
        };
        for r in &rows {
            let key = (
                order.get(r.group.as_str()).copied().unwrap_or(usize::MAX),
                r.group.clone(),
            );
            let g = by_group.entry(key).or_insert_with(|| GroupTotals {
                group: r.group.clone(),
                title: sl.catalog.get(&r.group).map_or(String::new(), |e| e.title.clone()),
                ..Default::default()
            });
            for t in [&mut *g, &mut totals] {
                match r.state {
                    GapState::Covered => t.covered += 1,
                    GapState::Reuse => t.reuse += 1,
                    GapState::New => t.new += 1,
                    GapState::Excluded => t.excluded += 1,
                }
            }
        }
        Ok(Gaps {
            rows,
            groups: by_group.into_values().collect(),
            totals,
        })
    }

    /// The open rows in plan order: clauses first, then controls; `new` before `reuse`.
    pub fn backlog(&self) -> Vec<&GapRow> {
        let mut open: Vec<&GapRow> = self
            .rows
            .iter()
            .filter(|r| matches!(r.state, GapState::New | GapState::Reuse))
            .collect();
        open.sort_by_key(|r| (r.kind != "clause", r.state));
        open
    }

    pub fn human(&self) -> String {
        let t = &self.totals;
        let mut s = format!(
            "ISO 42001 gap analysis: {} covered, {} to build from ISO 27001 documents (reuse), {} new, {} excluded\n\n",
            t.covered, t.reuse, t.new, t.excluded
        );
        let _ = writeln!(
            s,
            "{:<8} {:<44} {:>7} {:>5} {:>4} {:>8}",
            "group", "", "covered", "reuse", "new", "excluded"
        );
        for g in &self.groups {
            let _ = writeln!(
                s,
                "{:<8} {:<44} {:>7} {:>5} {:>4} {:>8}",
                g.group,
                clip(&g.title, 44),
                g.covered,
                g.reuse,
                g.new,
                g.excluded
            );
        }
        let backlog = self.backlog();
        let _ = writeln!(s, "\nbacklog ({} open):", backlog.len());
        for r in backlog {
            let _ = writeln!(s, "  {:<6} {:<8} {}", r.state.as_str(), r.id, r.title);
            for p in &r.starting_points {
                let _ = writeln!(
                    s,
                    "           start from ISO 27001 {} {} ({}): {}",
                    p.iso27001,
                    p.title,
                    p.relation.as_str(),
                    p.documents.join(", ")
                );
            }
            if !r.pending.is_empty() {
                let _ = writeln!(s, "           under way (not approved): {}", r.pending.join(", "));
            }
        }
        s
    }

    pub fn markdown(&self) -> String {
        let t = &self.totals;
        let mut s = format!(
            "## ISO 42001 gap analysis\n\n**{}** covered · **{}** reuse · **{}** new · **{}** excluded\n\n",
            t.covered, t.reuse, t.new, t.excluded
        );
        s.push_str("| group | | covered | reuse | new | excluded |\n|---|---|---:|---:|---:|---:|\n");
        for g in &self.groups {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                g.group, g.title, g.covered, g.reuse, g.new, g.excluded
            );
        }
        s.push_str(
            "\n### Backlog\n\n| state | requirement | start from (ISO 27001) | under way |\n|---|---|---|---|\n",
        );
        for r in self.backlog() {
            let starts: Vec<String> = r
                .starting_points
                .iter()
                .map(|p| {
                    format!(
                        "{} {} ({}): {}",
                        p.iso27001,
                        p.title,
                        p.relation.as_str(),
                        p.documents.join(", ")
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "| {} | {} {} | {} | {} |",
                r.state.as_str(),
                r.id,
                r.title,
                starts.join("<br>"),
                r.pending.join(", ")
            );
        }
        s
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
