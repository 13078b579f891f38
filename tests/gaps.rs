//! The gap analysis on a fixture with all three states: A.2.2 covered by an
//! AI policy, A.3.3 reusable from the ISO 27001 event-reporting procedure
//! (A.6.8), A.7.4 new work.

mod common;

use common::*;

fn repo() -> tempfile::TempDir {
    let text = std::fs::read_to_string(format!("{}/tests/fixtures/gaps/repo.txt", env!("CARGO_MANIFEST_DIR"))).unwrap();
    write_case(&parse_fixture(&text)["default"])
}

#[test]
fn three_states_and_starting_points() {
    let dir = repo();
    let run = aimsc(&["gaps", ".", "--format", "json", "--today", TODAY], dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let row = |id: &str| {
        g["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(row("A.2.2")["state"], "covered");
    assert_eq!(row("A.2.2")["documents"][0], "POL-AI");
    let reuse = row("A.3.3");
    assert_eq!(reuse["state"], "reuse");
    assert_eq!(reuse["starting_points"][0]["iso27001"], "A.6.8");
    assert_eq!(reuse["starting_points"][0]["documents"][0], "PRO-EVT");
    assert_eq!(row("A.7.4")["state"], "new");
    assert_eq!(row("A.10.4")["state"], "excluded");
    assert_eq!(row("6.1.4")["state"], "covered");
    let totals = &g["totals"];
    assert_eq!(totals["covered"], 33);
    assert_eq!(totals["reuse"], 1);
    assert_eq!(totals["new"], 1);
    assert_eq!(totals["excluded"], 35);
    let a7 = g["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["group"] == "A.7")
        .unwrap();
    assert_eq!((a7["new"].as_u64(), a7["excluded"].as_u64()), (Some(1), Some(4)));
}

#[test]
fn markdown_backlog_puts_new_work_first() {
    let dir = repo();
    let md = aimsc(&["gaps", ".", "--format", "markdown", "--today", TODAY], dir.path()).stdout;
    let new = md.find("| new | A.7.4").expect("new row");
    let reuse = md.find("| reuse | A.3.3").expect("reuse row");
    assert!(new < reuse);
    insta::assert_snapshot!("gaps_markdown", md);
}

#[test]
fn gaps_needs_iso42001() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aimsc.toml"), "standards = [\"iso27001\"]\n").unwrap();
    let run = aimsc(&["gaps", "."], dir.path());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("iso42001"));
}
