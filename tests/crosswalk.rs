//! The ISO 42001 → ISO 27001 crosswalk: complete over the ISO 42001 clauses
//! and Annex A, consistent with both catalogs, and printed by
//! `aimsc catalog crosswalk`. Relation counts are computed from the data,
//! never hard-coded.

use std::collections::HashMap;
use std::process::Command;

use aimsc::catalog::crosswalk::{Crosswalk, Relation};
use aimsc::catalog::{Catalogs, natural_cmp};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aimsc")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn targets(cw: &Crosswalk, id: &str) -> Vec<(String, Relation)> {
    let e = cw
        .for_control(id)
        .or_else(|| cw.for_clause(id))
        .unwrap_or_else(|| panic!("no entry for {id}"));
    e.maps.iter().map(|m| (m.to.clone(), m.relation)).collect()
}

#[test]
fn builtin_crosswalk_validates_clean() {
    let cw = Crosswalk::builtin();
    assert_eq!(cw.from, "iso42001");
    assert_eq!(cw.to, "iso27001");
    let problems = cw.validate(&Catalogs::builtin());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_iso42001_clause_and_control_has_exactly_one_entry() {
    let catalogs = Catalogs::builtin();
    let c42 = catalogs.get("iso42001").unwrap();
    let cw = Crosswalk::builtin();

    let leaf: Vec<&str> = c42.leaf_clauses().map(|e| e.id.as_str()).collect();
    let controls: Vec<&str> = c42.controls().map(|e| e.id.as_str()).collect();
    assert_eq!(leaf.len(), 32);
    assert_eq!(controls.len(), 38);

    // Natural order and one entry each: the lists are exactly the catalog's.
    let clause_ids: Vec<&str> = cw.clauses.iter().map(|e| e.id.as_str()).collect();
    let control_ids: Vec<&str> = cw.controls.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(clause_ids, leaf);
    assert_eq!(control_ids, controls);
    for id in &leaf {
        assert_eq!(cw.clauses.iter().filter(|e| e.id == *id).count(), 1, "{id}");
    }
    for id in &controls {
        assert_eq!(cw.controls.iter().filter(|e| e.id == *id).count(), 1, "{id}");
    }
    assert!(clause_ids.windows(2).all(|w| natural_cmp(w[0], w[1]).is_lt()));
    assert!(control_ids.windows(2).all(|w| natural_cmp(w[0], w[1]).is_lt()));
}

#[test]
fn clauses_follow_the_harmonized_numbering() {
    let catalogs = Catalogs::builtin();
    let c27 = catalogs.get("iso27001").unwrap();
    let cw = Crosswalk::builtin();
    for e in &cw.clauses {
        if c27.get(&e.id).is_some() {
            assert_eq!(e.maps.len(), 1, "{}", e.id);
            assert_eq!(e.maps[0].to, e.id, "{} maps to the same number", e.id);
            assert_ne!(e.maps[0].relation, Relation::Related, "{}", e.id);
        } else {
            // AI-specific clauses (impact assessment): at most a loose link.
            assert!(e.maps.iter().all(|m| m.relation == Relation::Related), "{}", e.id);
        }
    }
    for id in ["6.1.4", "8.4"] {
        assert!(c27.get(id).is_none(), "{id} has no ISO 27001 clause of the same number");
        assert!(cw.for_clause(id).is_some(), "{id}");
    }
    assert_eq!(targets(&cw, "6.1.2"), vec![("6.1.2".to_string(), Relation::Partial)]);
}

#[test]
fn specific_expectations() {
    let cw = Crosswalk::builtin();
    for id in ["A.7.4", "A.7.5", "A.5.4", "A.5.5"] {
        let e = cw.for_control(id).unwrap();
        assert!(e.is_none(), "{id} should have no counterpart: {:?}", e.maps);
    }
    assert!(targets(&cw, "A.2.2").iter().any(|(to, _)| to == "A.5.1"));
    assert!(targets(&cw, "A.6.2.8").iter().any(|(to, _)| to == "A.8.15"));
    assert!(targets(&cw, "A.3.3").iter().any(|(to, _)| to == "A.6.8"));
    let a10_3: Vec<String> = targets(&cw, "A.10.3").into_iter().map(|(to, _)| to).collect();
    for to in ["A.5.19", "A.5.20", "A.5.21"] {
        assert!(a10_3.iter().any(|t| t == to), "A.10.3 -> {to}");
    }
    assert!(cw.for_control("A.1.1").is_none());
    assert!(cw.for_clause("6.1").is_none(), "only lowest-level clauses");
}

#[test]
fn rationales_are_single_short_lines() {
    let cw = Crosswalk::builtin();
    for (_, e) in cw.entries() {
        let r = e.rationale.trim();
        assert!(!r.is_empty(), "{}", e.id);
        assert!(!r.contains('\n'), "{}: one line", e.id);
        assert!(r.chars().count() <= 160, "{}: rationale too long ({})", e.id, r.len());
    }
}

#[test]
fn mappings_are_sorted_strongest_first() {
    let cw = Crosswalk::builtin();
    for (_, e) in cw.entries() {
        assert!(
            e.maps.windows(2).all(|w| {
                w[0].relation < w[1].relation
                    || (w[0].relation == w[1].relation && natural_cmp(&w[0].to, &w[1].to).is_lt())
            }),
            "{}: {:?}",
            e.id,
            e.maps
        );
    }
}

#[test]
fn validate_reports_problems() {
    let yaml = r#"
from: iso42001
to: iso27001
clauses:
  - {id: "4.1", maps: [{to: "4.9", relation: partial}], rationale: "x"}
  - {id: "4.1", maps: [], rationale: "dup"}
  - {id: "6.1", maps: [{to: "A.5.1", relation: related}], rationale: "parent clause, control target"}
controls:
  - {id: "A.2.2", maps: [{to: "A.5.1", relation: partial}, {to: "A.5.1", relation: related}], rationale: " "}
  - {id: "A.99.1", maps: [{to: "A.5.99", relation: related}], rationale: "unknown both sides"}
"#;
    let cw = Crosswalk::from_yaml(yaml).unwrap();
    let problems = cw.validate(&Catalogs::builtin());
    let has = |needle: &str| {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "no problem containing {needle:?} in {problems:#?}"
        )
    };
    has("unknown ISO 27001 ID 4.9");
    has("ISO 42001 4.1 is listed twice");
    has("ISO 42001 6.1 is not a lowest-level clause");
    has("ISO 27001 A.5.1 is not a lowest-level clause");
    has("maps to ISO 27001 A.5.1 twice");
    has("ISO 42001 A.2.2 has no rationale");
    has("unknown ISO 42001 ID A.99.1");
    has("unknown ISO 27001 ID A.5.99");
    has("ISO 42001 4.2 has no entry");
    has("ISO 42001 A.10.4 has no entry");

    let swapped = Crosswalk::from_yaml("from: iso27001\nto: iso9001\n").unwrap();
    let problems = swapped.validate(&Catalogs::builtin());
    assert!(
        problems.iter().any(|p| p.contains("unknown target standard `iso9001`")),
        "{problems:?}"
    );
}

#[test]
fn unknown_fields_and_relations_are_rejected() {
    let extra = "from: iso42001\nto: iso27001\ncontrols:\n  - {id: A.2.2, maps: [], rationale: x, note: y}\n";
    assert!(Crosswalk::from_yaml(extra).is_err());
    let bad =
        "from: iso42001\nto: iso27001\ncontrols:\n  - {id: A.2.2, maps: [{to: A.5.1, relation: same}], rationale: x}\n";
    assert!(Crosswalk::from_yaml(bad).is_err());
    let top = "from: iso42001\nto: iso27001\nversion: 2\n";
    assert!(Crosswalk::from_yaml(top).is_err());
}

#[test]
fn cli_json_lists_every_entry_with_titles() {
    let (code, stdout, stderr) = run(&["catalog", "crosswalk", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 70);

    let catalogs = Catalogs::builtin();
    let (c42, c27) = (catalogs.get("iso42001").unwrap(), catalogs.get("iso27001").unwrap());
    let cw = Crosswalk::builtin();
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    let mut relations: HashMap<String, usize> = HashMap::new();
    let mut none = 0;
    for row in rows {
        let kind = row["kind"].as_str().unwrap();
        *kinds.entry(kind).or_default() += 1;
        let id = row["id"].as_str().unwrap();
        assert_eq!(row["title"], c42.get(id).unwrap().title.as_str(), "{id}");
        assert!(!row["rationale"].as_str().unwrap().is_empty(), "{id}");
        let maps = row["maps"].as_array().unwrap();
        if maps.is_empty() {
            none += 1;
        }
        for m in maps {
            let to = m["to"].as_str().unwrap();
            assert_eq!(m["title"], c27.get(to).unwrap().title.as_str(), "{id} -> {to}");
            *relations
                .entry(m["relation"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    assert_eq!(kinds["clause"], 32);
    assert_eq!(kinds["control"], 38);
    assert_eq!(none, cw.count_none());
    for r in Relation::ALL {
        assert_eq!(relations.get(r.as_str()).copied().unwrap_or(0), cw.count(r), "{r:?}");
    }
    let known: Vec<&str> = Relation::ALL.iter().map(|r| r.as_str()).collect();
    assert!(relations.keys().all(|k| known.contains(&k.as_str())), "{relations:?}");
}

#[test]
fn cli_human_table() {
    let (code, stdout, stderr) = run(&["catalog", "crosswalk"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("none"), "{stdout}");
    assert!(stdout.contains("(new AI work)"), "{stdout}");
    let cw = Crosswalk::builtin();
    let summary: Vec<String> = Relation::ALL
        .iter()
        .map(|&r| format!("{} {}", cw.count(r), r.as_str()))
        .collect();
    assert!(stdout.contains(&summary.join(", ")), "{stdout}");
    assert!(stdout.contains(&format!("{} with none", cw.count_none())), "{stdout}");

    let line = |id: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("no line for {id} in {stdout}"))
            .to_string()
    };
    let a74 = line("A.7.4");
    assert!(a74.contains("none") && a74.contains("(new AI work)"), "{a74}");
    let a22 = line("A.2.2");
    assert!(a22.contains("partial") && a22.contains("A.5.1"), "{a22}");
    // Clauses come first, then Annex A by group.
    let pos = |needle: &str| stdout.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(pos("Clauses") < pos("A.2 AI-related policies"));
    assert!(pos("A.2 AI-related policies") < pos("A.10 Third-party"));
}

#[test]
fn cli_unknown_standard_mentions_crosswalk() {
    let (code, _, stderr) = run(&["catalog", "iso9001"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("crosswalk"), "{stderr}");
    let (_, help, _) = run(&["catalog", "--help"]);
    assert!(help.contains("crosswalk"), "{help}");
}
