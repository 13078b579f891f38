//! A repository's own catalogs and crosswalk additions, referenced from
//! aimsc.toml: claims against them are checked like the built-in ones, the
//! gap analysis uses the added mappings, and a broken file is a finding.

mod common;

use common::*;

fn repo() -> tempfile::TempDir {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/extensions/repo.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    write_case(&parse_fixture(&text)["default"])
}

#[test]
fn custom_catalog_is_checked_and_covered() {
    let dir = repo();
    let (_, report) = check_json(dir.path());
    let diags = report["diagnostics"].as_array().unwrap();
    let unknown = diags
        .iter()
        .find(|d| d["code"] == "AIM021")
        .expect("unknown ID in the custom catalog");
    assert!(unknown["message"].as_str().unwrap().contains("Art.99"), "{unknown}");
    let eu = report["summary"]["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["standard"] == "eu-ai-act")
        .unwrap()
        .clone();
    assert_eq!(
        (eu["clauses"].as_u64(), eu["clauses_addressed"].as_u64()),
        (Some(3), Some(1))
    );
    let gaps: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "AIM040" && d["message"].as_str().unwrap().contains("EU AI Act"))
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(!diags.iter().any(|d| d["code"] == "AIM006"), "{report}");
    let no_soa: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "AIM042")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(no_soa.is_empty(), "a catalog of clauses only needs no SoA: {no_soa:?}");
}

#[test]
fn crosswalk_additions_feed_the_gap_analysis() {
    let dir = repo();
    let run = aimsc(&["gaps", ".", "--format", "json", "--today", TODAY], dir.path());
    let g: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let row = g["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "A.7.4")
        .unwrap();
    assert_eq!(row["state"], "reuse", "{row}");
    assert_eq!(row["starting_points"][0]["iso27001"], "A.8.11");
    assert_eq!(row["starting_points"][0]["documents"][0], "POL-1");
    assert!(row["rationale"].as_str().unwrap().contains("masking standard"));
}

#[test]
fn broken_extension_files_are_findings() {
    let dir = repo();
    write(
        dir.path(),
        "catalogs/eu-ai-act.yaml",
        "key: eu-ai-act\nname: x\nentries: [{id: Art.9}]\n",
    );
    write(
        dir.path(),
        "catalogs/our-mappings.yaml",
        "from: iso42001\nto: iso27001\ncontrols:\n  - {id: A.7.99, maps: [], rationale: x}\n",
    );
    std::fs::write(
        dir.path().join("aimsc.toml"),
        "standards = [\"iso42001\"]\ncatalogs = [\"catalogs/eu-ai-act.yaml\", \"catalogs/missing.yaml\"]\ncrosswalks = [\"catalogs/our-mappings.yaml\"]\n",
    )
    .unwrap();
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1);
    let found: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "AIM006")
        .map(|d| format!("{} {}", d["file"], d["message"]))
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.contains("missing.yaml") && f.contains("aimsc.toml")),
        "{found:?}"
    );
    assert!(found.iter().any(|f| f.contains("A.7.99")), "{found:?}");
}
