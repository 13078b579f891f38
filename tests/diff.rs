//! `aimsc diff` on real temporary Git repositories: a rename, an SoA
//! change, coverage loss and gain, the working tree, and a shallow clone.

mod common;

use std::path::Path;

use common::*;

fn git(dir: &Path, args: &[&str]) -> String {
    git_at(dir, "2026-11-01T10:00:00Z", args)
}

const APPROVED: &str =
    "status: approved\nowner: Head of AI\napproved_by: Board\napproved_on: 2026-06-01\nnext_review: 2027-06-01\n";

fn soa(a104: &str) -> String {
    let catalogs = aimsc::catalog::Catalogs::builtin();
    let mut rows = String::from(
        "  A.2.2: {applicable: true, status: implemented, justification: \"The AI policy directs the AIMS.\"}\n",
    );
    rows.push_str(&format!("  A.10.4: {a104}\n"));
    for c in catalogs.get("iso42001").unwrap().controls() {
        if c.id != "A.2.2" && c.id != "A.10.4" {
            rows.push_str(&format!(
                "  {}: {{applicable: false, justification: \"Not part of this fixture.\"}}\n",
                c.id
            ));
        }
    }
    format!("---\nid: SOA-42001\ntitle: SoA\ntype: soa\nstandard: iso42001\n{APPROVED}controls:\n{rows}---\n")
}

fn policy(status_block: &str) -> String {
    let clauses: Vec<String> = aimsc::catalog::Catalogs::builtin()
        .get("iso42001")
        .unwrap()
        .leaf_clauses()
        .map(|e| format!("\"{}\"", e.id))
        .collect();
    format!(
        "---\nid: POL-AI\ntitle: AI policy\ntype: policy\n{status_block}satisfies:\n  iso42001: [A.2.2, {}]\n---\n# AI policy\n",
        clauses.join(", ")
    )
}

/// Three commits: c1 clean; c2 renames the policy, adds a procedure and makes
/// A.10.4 applicable (an open gap); c3 puts the policy back to draft.
fn history() -> (tempfile::TempDir, [String; 3]) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "aimsc.toml",
        "organisation = \"Diff Ltd\"\nstandards = [\"iso42001\"]\n",
    );
    write(
        d,
        "soa.md",
        &soa("{applicable: false, justification: \"We have no customers for AI.\"}"),
    );
    write(d, "policies/ai.md", &policy(APPROVED));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "c1"]);
    let c1 = git(d, &["rev-parse", "HEAD"]);

    git(d, &["mv", "policies/ai.md", "policies/ai-policy.md"]);
    write(
        d,
        "soa.md",
        &soa("{applicable: true, status: planned, justification: \"We now sell scoring to lenders.\"}"),
    );
    write(
        d,
        "procedures/p.md",
        "---\nid: PRO-1\ntitle: Customer onboarding\ntype: procedure\nstatus: draft\nsatisfies: {iso42001: [A.10.4]}\n---\n",
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "c2"]);
    let c2 = git(d, &["rev-parse", "HEAD"]);

    write(d, "policies/ai-policy.md", &policy("status: draft\n"));
    git(d, &["commit", "-qam", "c3"]);
    let c3 = git(d, &["rev-parse", "HEAD"]);
    (dir, [c1, c2, c3])
}

fn diff_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--today", TODAY]);
    let run = aimsc(&all, dir);
    let json = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    (run.code, json)
}

#[test]
fn rename_soa_change_and_added_document() {
    let (dir, [c1, c2, _]) = history();
    let (code, d) = diff_json(dir.path(), &[&c1, &c2]);
    assert_eq!(code, 0);
    let changed = d["documents_changed"].as_array().unwrap();
    let pol = changed
        .iter()
        .find(|c| c["id"] == "POL-AI")
        .expect("renamed document is the same document");
    assert_eq!(pol["changes"][0]["field"], "path");
    assert_eq!(pol["changes"][0]["after"], "policies/ai-policy.md");
    assert_eq!(d["documents_added"][0]["id"], "PRO-1");
    assert!(d["documents_removed"].as_array().unwrap().is_empty());
    let soa = d["soa_changes"].as_array().unwrap();
    let applicable = soa
        .iter()
        .find(|c| c["control"] == "A.10.4" && c["field"] == "applicable")
        .unwrap();
    assert_eq!(
        (applicable["before"].as_str(), applicable["after"].as_str()),
        (Some("false"), Some("true"))
    );
    assert_eq!(applicable["claimed_by"][0], "PRO-1");
    let lost = &d["coverage"][0]["lost"];
    assert_eq!(lost[0]["id"], "A.10.4");
    assert_eq!(
        (lost[0]["before"].as_str(), lost[0]["after"].as_str()),
        (Some("excluded"), Some("gap"))
    );
}

#[test]
fn coverage_loss_fails_when_asked_and_reads_as_a_pr_comment() {
    let (dir, [_, c2, c3]) = history();
    let (code, d) = diff_json(dir.path(), &[&c2, &c3]);
    assert_eq!(code, 0, "without --fail-on the diff only reports");
    let lost: Vec<&str> = d["coverage"][0]["lost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        lost.contains(&"A.2.2") && lost.contains(&"6.1.2") && lost.len() == 33,
        "{lost:?}"
    );
    let status = &d["documents_changed"][0]["changes"][0];
    assert_eq!(
        (status["field"].as_str(), status["after"].as_str()),
        (Some("status"), Some("draft"))
    );
    let run = aimsc(
        &["diff", &c2, &c3, "--fail-on", "coverage-loss", "--today", TODAY],
        dir.path(),
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let md = aimsc(
        &["diff", &c2, &c3, "--format", "markdown", "--today", TODAY],
        dir.path(),
    )
    .stdout;
    assert!(md.starts_with("❌ Coverage lost for 33 requirements"), "{md}");
    let md = md
        .replace(&c2, "C2")
        .replace(&c3, "C3")
        .replace(&c2[..10], "C2")
        .replace(&c3[..10], "C3");
    insta::assert_snapshot!("diff_markdown", md);
}

#[test]
fn working_tree_is_the_default_head() {
    let (dir, [_, _, c3]) = history();
    write(dir.path(), "policies/ai-policy.md", &policy(APPROVED));
    let (_, d) = diff_json(dir.path(), &[&c3]);
    assert_eq!(d["head"], "working tree");
    let gained = d["coverage"][0]["gained"].as_array().unwrap();
    assert_eq!(gained.len(), 33);
    assert!(d["coverage"][0]["lost"].as_array().unwrap().is_empty());
    let resolved = d["findings_resolved"].as_array().unwrap();
    assert!(resolved.iter().any(|f| f["code"] == "AIM045"), "{resolved:?}");
}

#[test]
fn repository_in_a_subfolder_of_the_work_tree() {
    let (dir, [c1, c2, _]) = history();
    let outer = tempfile::tempdir().unwrap();
    let o = outer.path();
    git(o, &["init", "-q", "-b", "main"]);
    write(o, "README.md", "outer\n");
    let inner = o.join("compliance");
    std::fs::create_dir(&inner).unwrap();
    for f in ["aimsc.toml", "soa.md"] {
        std::fs::copy(dir.path().join(f), inner.join(f)).unwrap();
    }
    write(&inner, "policies/ai-policy.md", &policy(APPROVED));
    git(o, &["add", "-A"]);
    git(o, &["commit", "-qm", "outer"]);
    let _ = (c1, c2);
    let (code, d) = diff_json(o, &["HEAD", "compliance"]);
    assert_eq!(code, 0, "{d}");
    assert_eq!(d["coverage"][0]["after"]["documents"], serde_json::Value::Null);
    assert_eq!(d["coverage"][0]["after"]["clauses_addressed"], 32);
}

#[test]
fn shallow_clone_says_how_to_fetch_history() {
    let (dir, [c1, _, _]) = history();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let run = aimsc(&["diff", &c1, "--today", TODAY], &clone.path().join("shallow"));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("shallow clone") && run.stderr.contains("fetch-depth: 0"),
        "{}",
        run.stderr
    );
}
