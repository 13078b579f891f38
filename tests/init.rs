//! `aimsc init`: a fresh repository checks with exactly the expected
//! findings (the decisions to take and the clauses still to address), no
//! tool error, and no coverage from its draft skeletons.

mod common;

use common::*;

#[test]
fn fresh_repository_lists_the_decisions_to_take() {
    let tmp = tempfile::tempdir().unwrap();
    let run = aimsc(&["init", "repo", "--org", "Acme AI"], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let repo = tmp.path().join("repo");
    assert!(
        std::fs::read_to_string(repo.join("aimsc.toml"))
            .unwrap()
            .contains("organisation = \"Acme AI\"")
    );
    assert!(
        std::fs::read_to_string(repo.join(".gitignore"))
            .unwrap()
            .contains("/_site/")
    );

    let (code, report) = check_json(&repo);
    assert_eq!(code, 1, "undecided SoA entries are errors, not a tool failure");
    let codes = codes(&report);
    let count = |c: &str| codes.iter().filter(|x| *x == c).count();
    assert_eq!(count("AIM010"), 93 + 38, "one finding per control to decide");
    assert_eq!(count("AIM040"), 30 + 32, "every clause is still to address");
    assert_eq!(count("AIM050"), 2, "both SoAs are drafts");
    let others: Vec<&String> = codes
        .iter()
        .filter(|c| !["AIM010", "AIM040", "AIM050"].contains(&c.as_str()))
        .collect();
    assert!(others.is_empty(), "unexpected findings: {others:?}");
    for cov in report["summary"]["coverage"].as_array().unwrap() {
        assert_eq!(cov["clauses_addressed"], 0, "drafts count for nothing");
        assert_eq!(cov["controls_implemented"], 0);
    }
    let notes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["notes"][0].as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("POL-AI-001 (draft)")),
        "clause gaps name the draft that will address them"
    );
}

#[test]
fn refuses_a_non_empty_folder_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "keep me").unwrap();
    let run = aimsc(&["init", "."], tmp.path());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert!(!tmp.path().join("aimsc.toml").exists());
    let run = aimsc(&["init", ".", "--force"], tmp.path());
    assert_eq!(run.code, 0);
    assert!(tmp.path().join("aimsc.toml").exists());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
        "keep me"
    );
}
