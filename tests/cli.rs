//! The command-line contract: exit codes, JSON shape, rule levels from
//! aimsc.toml, `explain`, and the example repository checking clean.

mod common;

use common::*;

fn fixture(text: &str) -> tempfile::TempDir {
    let cases = parse_fixture(text);
    write_case(&cases["default"])
}

#[test]
fn example_repo_checks_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = aimsc(&["check", "example-repo", "--today", TODAY], root);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("ISO/IEC 42001:2023: clauses 32/32 addressed"),
        "{}",
        run.stdout
    );
}

#[test]
fn exit_codes_and_json_shape() {
    let dir = fixture("=== a.md\n---\nid: POL-1\ntitle: x\ntype: policy\nsatisfies: {iso42001: [A.3.4]}\n---\n");
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1);
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "AIM021")
        .unwrap();
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "a.md");
    assert_eq!(d["line"], 5);
    assert_eq!(d["column"], 24);
    assert!(d["help"].as_str().unwrap().contains("A.3.3"));
    assert!(d["message"].as_str().is_some());
    let s = &report["summary"];
    assert!(s["errors"].as_u64().unwrap() >= 1);
    assert_eq!(s["documents"], 1);
    assert_eq!(s["coverage"][0]["standard"], "iso42001");
    assert_eq!(s["coverage"][0]["clauses"], 32);
    assert_eq!(s["coverage"][0]["controls"], 38);
}

#[test]
fn warnings_pass_unless_denied() {
    let dir =
        fixture("=== aimsc.toml\nstandards = []\n=== a.md\n---\nid: POL-1\ntitle: x\ntype: policy\nowner: TBD\n---\n");
    let run = aimsc(&["check", "."], dir.path());
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("warning[AIM014]"));
    let run = aimsc(&["check", ".", "--deny", "warnings"], dir.path());
    assert_eq!(run.code, 1);
}

#[test]
fn rule_levels_from_config() {
    let text = "=== aimsc.toml\nstandards = []\n[rules]\nplaceholder-value = \"error\"\nAIM011 = \"off\"\n=== a.md\n---\nid: POL-1\ntitle: x\ntype: policy\nowner: TBD\nownr: y\n---\n";
    let dir = fixture(text);
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1);
    let d = &report["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{report}");
    assert_eq!(d[0]["code"], "AIM014");
    assert_eq!(d[0]["severity"], "error");
}

#[test]
fn unknown_rule_in_config() {
    let dir = fixture("=== aimsc.toml\nstandards = []\n[rules]\nreview-overdu = \"error\"\n");
    let run = aimsc(&["check", ".", "--color", "never"], dir.path());
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("unknown rule `review-overdu`"), "{}", run.stdout);
    assert!(run.stdout.contains("did you mean `review-overdue`?"));
}

#[test]
fn usage_error_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(aimsc(&["check", "--format", "yaml"], dir.path()).code, 2);
    assert_eq!(aimsc(&["frobnicate"], dir.path()).code, 2);
    assert_eq!(aimsc(&["explain", "AIM999"], dir.path()).code, 2);
}

#[test]
fn explain_reads_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let run = aimsc(&["explain", "unknown-requirement"], dir.path());
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("AIM021 unknown-requirement (default: error)"));
    assert!(run.stdout.contains("2013"));
    let list = aimsc(&["explain"], dir.path());
    assert_eq!(list.stdout.lines().count(), aimsc::rules::registry().len());
    let codes: Vec<&str> = aimsc::rules::registry().iter().map(|r| r.code).collect();
    let mut unique = codes.clone();
    unique.dedup();
    assert_eq!(codes, unique, "rule codes must be unique");
}

#[test]
fn excluded_and_output_folders_are_not_read() {
    let text = "=== aimsc.toml\nstandards = []\nexclude = [\"templates/**\"]\n=== templates/t.md\n---\nid: [broken\n---\n=== _site/x.md\n---\nid: [broken\n---\n=== .gitignore\nignored/\n=== ignored/y.md\n---\nid: [broken\n---\n";
    let dir = fixture(text);
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 0, "{report}");
}

/// docs/rules.md is generated from the registry, so the docs cannot drift
/// from `aimsc explain`. Regenerate with `AIMSC_UPDATE_DOCS=1 cargo test rules_doc`.
#[test]
fn rules_doc_is_current() {
    let mut md = String::from(
        "# Rules\n\nEvery finding aimsc reports comes from one of these rules. Levels can be changed in \
         `aimsc.toml` under `[rules]` by code or name (`error`, `warning`, `info`, `off`). \
         `aimsc explain CODE` prints the same text.\n\n| code | name | default | finds |\n|---|---|---|---|\n",
    );
    let rules = aimsc::rules::registry();
    for r in &rules {
        md.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.default_level.as_str(),
            r.summary
        ));
    }
    for r in &rules {
        md.push_str(&format!(
            "\n## {}\n\n`{}`, default level **{}**: {}.\n\n{}\n",
            r.code,
            r.name,
            r.default_level.as_str(),
            r.summary,
            r.docs
        ));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("AIMSC_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &md).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == md,
        "docs/rules.md is out of date: run `AIMSC_UPDATE_DOCS=1 cargo test rules_doc`"
    );
}
