//! The catalogs are what auditors read: every ID of both standards is
//! listed here, so a missing, extra or misnumbered entry fails a test.

use aimsc::catalog::{Catalogs, Kind, natural_cmp};

fn ids(key: &str, kind: Kind) -> Vec<String> {
    let c = Catalogs::builtin();
    let cat = c.get(key).unwrap();
    cat.entries
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.id.clone())
        .collect()
}

fn range(prefix: &str, from: u32, to: u32) -> Vec<String> {
    (from..=to).map(|n| format!("{prefix}.{n}")).collect()
}

fn strs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn iso27001_has_exactly_the_93_annex_a_controls() {
    let mut expected = range("A.5", 1, 37);
    expected.extend(range("A.6", 1, 8));
    expected.extend(range("A.7", 1, 14));
    expected.extend(range("A.8", 1, 34));
    assert_eq!(expected.len(), 93);
    assert_eq!(ids("iso27001", Kind::Control), expected);
    assert_eq!(ids("iso27001", Kind::Group), strs(&["A.5", "A.6", "A.7", "A.8"]));
}

#[test]
fn iso27001_clauses_4_to_10() {
    let expected = strs(&[
        "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "5.3", "6", "6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3",
        "7", "7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3", "8", "8.1", "8.2", "8.3", "9", "9.1", "9.2",
        "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3", "10", "10.1", "10.2",
    ]);
    assert_eq!(ids("iso27001", Kind::Clause), expected);
}

#[test]
fn iso42001_has_exactly_the_38_annex_a_controls() {
    let expected = strs(&[
        "A.2.2", "A.2.3", "A.2.4", "A.3.2", "A.3.3", "A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6", "A.5.2", "A.5.3",
        "A.5.4", "A.5.5", "A.6.1.2", "A.6.1.3", "A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6", "A.6.2.7",
        "A.6.2.8", "A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6", "A.8.2", "A.8.3", "A.8.4", "A.8.5", "A.9.2", "A.9.3",
        "A.9.4", "A.10.2", "A.10.3", "A.10.4",
    ]);
    assert_eq!(expected.len(), 38);
    assert_eq!(ids("iso42001", Kind::Control), expected);
    assert_eq!(
        ids("iso42001", Kind::Group),
        strs(&[
            "A.2", "A.3", "A.4", "A.5", "A.6", "A.6.1", "A.6.2", "A.7", "A.8", "A.9", "A.10"
        ])
    );
}

#[test]
fn iso42001_clauses_4_to_10() {
    let expected = strs(&[
        "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "5.3", "6", "6.1", "6.1.1", "6.1.2", "6.1.3", "6.1.4",
        "6.2", "6.3", "7", "7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3", "8", "8.1", "8.2", "8.3",
        "8.4", "9", "9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3", "10", "10.1", "10.2",
    ]);
    assert_eq!(ids("iso42001", Kind::Clause), expected);
}

#[test]
fn iso42001_annex_c() {
    let c = Catalogs::builtin();
    let cat = c.get("iso42001").unwrap();
    let objectives: Vec<&str> = cat.objectives.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        objectives,
        [
            "accountability",
            "ai-expertise",
            "data-quality",
            "environmental-impact",
            "fairness",
            "maintainability",
            "privacy",
            "robustness",
            "safety",
            "security",
            "transparency"
        ]
    );
    let sources: Vec<&str> = cat.risk_sources.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        sources,
        [
            "environment-complexity",
            "lack-of-transparency",
            "level-of-automation",
            "machine-learning",
            "hardware",
            "lifecycle-issues",
            "technology-readiness"
        ]
    );
}

#[test]
fn entries_are_clean_and_parented() {
    let c = Catalogs::builtin();
    for cat in &c.list {
        for e in &cat.entries {
            assert_eq!(e.id.trim(), e.id, "stray whitespace in {}", e.id);
            assert!(!e.id.contains(char::is_whitespace), "whitespace in {:?}", e.id);
            assert!(
                !e.title.trim().is_empty() && e.title.len() < 80,
                "{} title {:?}",
                e.id,
                e.title
            );
            if let Some(p) = &e.parent {
                assert!(
                    e.id.starts_with(&format!("{p}.")),
                    "{} is not under its parent {p}",
                    e.id
                );
                assert!(cat.get(p).is_some());
            }
            if e.kind == Kind::Control {
                assert!(e.parent.is_some(), "control {} has no group", e.id);
            }
        }
        let mut sorted = cat.entries.clone();
        sorted.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        let a: Vec<_> = sorted.iter().map(|e| &e.id).collect();
        let b: Vec<_> = cat.entries.iter().map(|e| &e.id).collect();
        assert_eq!(a, b, "{} entries are not in natural order", cat.key);
    }
}

#[test]
fn natural_order() {
    let mut ids = vec![
        "A.5.10", "A.5.2", "10.1", "9.3", "A.10.2", "A.9.4", "A.6.2.8", "A.6.1.2",
    ];
    ids.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(
        ids,
        [
            "9.3", "10.1", "A.5.2", "A.5.10", "A.6.1.2", "A.6.2.8", "A.9.4", "A.10.2"
        ]
    );
}

#[test]
fn iso27001_2013_mapping_covers_all_114_old_controls() {
    let c = Catalogs::builtin();
    let iso = c.get("iso27001").unwrap();
    assert_eq!(c.legacy27001.mappings.len(), 114);
    for m in &c.legacy27001.mappings {
        assert!(
            iso.get(&m.old).is_none() || m.old.matches('.').count() == 3,
            "{} must be 2013 numbering",
            m.old
        );
        for n in &m.new {
            assert!(iso.is_claimable(n), "{} maps to unknown {n}", m.old);
        }
    }
    assert_eq!(c.legacy27001.replacement("A.9.2.1").unwrap(), ["A.5.16"]);
    assert_eq!(c.legacy27001.replacement("A.12.4.1").unwrap(), ["A.8.15"]);
}

#[test]
fn catalog_command_json_shape() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aimsc"))
        .args(["catalog", "iso42001", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let controls: Vec<&serde_json::Value> = items.iter().filter(|i| i["kind"] == "control").collect();
    assert_eq!(controls.len(), 38);
    let a624 = items.iter().find(|i| i["id"] == "A.6.2.4").unwrap();
    assert_eq!(a624["parent"], "A.6.2");
    assert!(a624["title"].as_str().is_some_and(|t| !t.is_empty()));
    let clause4 = items.iter().find(|i| i["id"] == "4").unwrap();
    assert_eq!(clause4["kind"], "clause");
    assert!(clause4["parent"].is_null());
}
