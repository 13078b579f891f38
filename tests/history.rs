//! Document control from Git on real temporary repositories: revisions
//! followed across a rename, an approved document edited without
//! re-approval, a re-approval, and a shallow clone.

mod common;

use std::path::Path;

use common::*;

fn policy(approved_on: &str, body: &str) -> String {
    format!(
        "---\nid: POL-1\ntitle: AI policy\ntype: policy\nstatus: approved\nowner: Head of AI\napproved_by: Board\napproved_on: {approved_on}\nnext_review: 2027-05-01\n---\n# AI policy\n\n{body}\n"
    )
}

fn check(dir: &Path) -> serde_json::Value {
    check_json(dir).1
}

fn has(report: &serde_json::Value, code: &str) -> bool {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == code)
}

#[test]
fn history_follows_renames_and_catches_edits_after_approval() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git_at(d, "2026-05-01T09:00:00Z", &["init", "-q", "-b", "main"]);
    write(d, "aimsc.toml", "standards = []\n");
    write(d, "policy.md", &policy("2026-05-01", "We use AI responsibly."));
    git_at(d, "2026-05-01T09:00:00Z", &["add", "-A"]);
    git_at(d, "2026-05-01T09:00:00Z", &["commit", "-qm", "Approve the AI policy"]);

    git_at(d, "2026-05-20T09:00:00Z", &["mv", "policy.md", "ai-policy.md"]);
    git_at(d, "2026-05-20T09:00:00Z", &["commit", "-qm", "Rename the AI policy"]);
    assert!(!has(&check(d), "AIM071"), "a rename changes nothing that was approved");

    let c = aimsc::analysis::Compilation::run(d, jiff::civil::date(2026, 12, 1)).unwrap();
    let revs = c.project.history.of("ai-policy.md").unwrap();
    assert_eq!(revs.len(), 2, "{revs:?}");
    assert_eq!(revs[0].subject, "Rename the AI policy");
    assert_eq!(revs[0].renamed_from.as_deref(), Some("policy.md"));
    assert_eq!(revs[1].path, "policy.md");
    assert_eq!(revs[1].author, "Test Author");
    assert!(revs[1].date.starts_with("2026-05-01"));

    write(
        d,
        "ai-policy.md",
        &policy("2026-05-01", "We use AI responsibly, and we no longer review models."),
    );
    git_at(d, "2026-06-10T09:00:00Z", &["commit", "-qam", "Drop model reviews"]);
    let report = check(d);
    let finding = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "AIM071")
        .expect("AIM071");
    assert_eq!(finding["file"], "ai-policy.md");
    assert!(
        finding["notes"][0].as_str().unwrap().contains("Drop model reviews"),
        "{finding}"
    );

    write(
        d,
        "ai-policy.md",
        &policy("2026-06-12", "We use AI responsibly, and we no longer review models."),
    );
    git_at(
        d,
        "2026-06-12T09:00:00Z",
        &["commit", "-qam", "Re-approve the AI policy"],
    );
    assert!(!has(&check(d), "AIM071"), "re-approval clears the finding");
}

#[test]
fn shallow_clone_shows_no_history_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git_at(d, "2026-05-01T09:00:00Z", &["init", "-q", "-b", "main"]);
    write(d, "aimsc.toml", "standards = []\n");
    write(d, "policy.md", &policy("2026-05-01", "One."));
    git_at(d, "2026-05-01T09:00:00Z", &["add", "-A"]);
    git_at(d, "2026-05-01T09:00:00Z", &["commit", "-qm", "one"]);
    write(d, "policy.md", &policy("2026-05-01", "Two."));
    git_at(d, "2026-06-01T09:00:00Z", &["commit", "-qam", "two"]);

    let clones = tempfile::tempdir().unwrap();
    git_at(
        clones.path(),
        "2026-06-01T09:00:00Z",
        &["clone", "-q", "--depth", "1", &format!("file://{}", d.display()), "c"],
    );
    let shallow = clones.path().join("c");
    let report = check(&shallow);
    let finding = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "AIM070")
        .expect("AIM070");
    assert!(finding["help"].as_str().unwrap().contains("fetch-depth: 0"));
    assert!(
        !has(&report, "AIM071"),
        "no judgement on dates from an incomplete history"
    );
    let c = aimsc::analysis::Compilation::run(&shallow, jiff::civil::date(2026, 12, 1)).unwrap();
    assert!(c.project.history.of("policy.md").is_none());
}

#[test]
fn outside_git_there_is_no_history_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy.md", &policy("2026-05-01", "One."));
    let report = check(dir.path());
    assert!(!has(&report, "AIM070") && !has(&report, "AIM071"));
}
