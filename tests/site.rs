//! `aimsc build`, tested from the outside: snapshots of key pages of a small
//! fixture repository (tests/fixtures/site/basic), sanitisation of hostile
//! document bodies, the output-folder safety rules (refusals, atomic swap),
//! byte-for-byte determinism, links from documents to control pages, and the
//! downloads read back as their consumers read them: the .xlsx with Python's
//! openpyxl, aimsc.json against docs/aimsc.schema.json with
//! check-jsonschema (both installed on first use when missing, see
//! `common::python_tool`). A validator that cannot be had fails the test
//! rather than skipping it.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh copy of the fixture repository (so builds never write into the source tree).
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    copy_dir(&manifest().join("tests/fixtures/site/basic"), &repo);
    (dir, repo)
}

fn build(repo: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", ".", "--today", TODAY];
    args.extend_from_slice(extra);
    aimsc(&args, repo)
}

fn built(repo: &Path) -> PathBuf {
    let run = build(repo, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    repo.join("_site")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn regex_escape(s: &str) -> String {
    format!("aimsc {}", s.replace('.', "\\."))
}

#[test]
fn snapshots_of_key_pages() {
    let (_dir, repo) = fixture();
    let site = built(&repo);
    // The tool version appears in every page; a release should not churn the snapshots.
    let version = regex_escape(env!("CARGO_PKG_VERSION"));
    insta::with_settings!({filters => vec![(version.as_str(), "aimsc [version]")]}, {
        insta::assert_snapshot!("dashboard", read(&site.join("index.html")));
        insta::assert_snapshot!("soa_iso42001", read(&site.join("soa/iso42001.html")));
        insta::assert_snapshot!("document_pol_1", read(&site.join("documents/POL-1.html")));
    });
}

#[test]
fn every_page_is_self_contained_and_relative() {
    let (_dir, repo) = fixture();
    let site = built(&repo);
    let files = tree(&site);
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for bad in [
            "src=\"http",
            "src=\"//",
            "href=\"/",
            "<link rel=\"stylesheet\" href=\"http",
            "@import",
        ] {
            assert!(!html.contains(bad), "{path} has `{bad}`");
        }
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
    }
    for needed in [
        "index.html",
        "soa/iso42001.html",
        "scope.html",
        "traceability.html",
        "registers/documents.html",
        "registers/ai-systems.html",
        "registers/risks.html",
        "findings.html",
        "search.html",
        "documents/POL-1.html",
        "requirements/iso42001/A.2.2.html",
        "requirements/iso42001/6.1.2.html",
        "assets/style.css",
        "assets/app.js",
        "assets/search-index.js",
        "downloads/soa-iso42001.csv",
        "downloads/soa-iso42001.xlsx",
        "aimsc.json",
    ] {
        assert!(files.contains_key(needed), "missing {needed}");
    }
    // The search index is a script assigning a global (no fetch, so it works from file://),
    // and it finds a document by a word of its body.
    let index = read(&site.join("assets/search-index.js"));
    assert!(index.contains("window.AIMSC_SEARCH = ["), "{index}");
    assert!(
        index.contains("forty answers reviewed") || index.contains("forty"),
        "body words indexed"
    );
}

#[test]
fn document_scripts_never_reach_the_portal() {
    let (_dir, repo) = fixture();
    let site = built(&repo);
    let page = read(&site.join("documents/EVIL-1.html"));
    let lower = page.to_lowercase();
    // The only script is the portal's own.
    assert_eq!(lower.matches("<script").count(), 1, "{page}");
    assert!(lower.contains(r#"<script src="../assets/app.js" defer></script>"#));
    for bad in [
        "alert(",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "<form action",
        "<img",
        "<svg onload",
        "etc/passwd",
    ] {
        assert!(!lower.contains(bad), "`{bad}` survived in\n{page}");
    }
    // The harmless text stays.
    assert!(page.contains("Click"));
    assert!(page.contains("raw link"));
    for (path, bytes) in tree(&site) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        assert!(!text.contains("javascript:"), "{path}");
        assert!(!text.contains("alert('"), "{path}");
    }
}

#[test]
fn links_from_a_document_reach_its_control_page() {
    let (_dir, repo) = fixture();
    let site = built(&repo);
    let page = read(&site.join("documents/POL-1.html"));
    let docs = site.join("documents");
    // `satisfies` and the `[[iso42001:A.2.2]]` reference both link to the control page.
    let href = "../requirements/iso42001/A.2.2.html";
    assert!(page.matches(&format!("href=\"{href}\"")).count() >= 2, "{page}");
    let control = read(&docs.join(href));
    assert!(control.contains("Documented AI policy"));
    assert!(
        control.contains(r#"href="../../documents/POL-1.html""#),
        "control page links back"
    );
    assert!(
        control.contains(r#"href="../../documents/RISK-1.html""#),
        "control page names the selecting risk"
    );
    assert!(
        control.contains(r#"href="../../documents/REC-1.html""#),
        "control page shows the evidence"
    );
    // `[[AIS-1]]` and a relative `.md` link with an anchor reach document pages and their headings.
    assert!(
        page.contains(r#"<a href="../documents/AIS-1.html">AIS-1</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"href="../documents/PRO-1.html#steps""#), "{page}");
    assert!(read(&docs.join("PRO-1.html")).contains(r#"id="steps""#));
    // A Markdown file that is not a governed document is not published: the link keeps its text only.
    assert!(page.contains("<a>the notes</a>"), "{page}");
    assert!(page.contains(r#"<a href="https://www.iso.org/standard/81230.html">"#));
    // Backlinks and evidence on the target's side.
    let ais = read(&docs.join("AIS-1.html"));
    assert!(ais.contains(r#"href="../documents/POL-1.html""#), "backlink from POL-1");
}

#[test]
fn refuses_to_publish_with_errors_unless_allowed() {
    let (_dir, repo) = fixture();
    std::fs::write(
        repo.join("policies/bad.md"),
        "---\nid: POL-2\ntitle: Bad\ntype: policy\nsatisfies: {iso42001: [A.99.1]}\n---\n",
    )
    .unwrap();
    let run = build(&repo, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not published"), "{}", run.stderr);
    assert!(run.stderr.contains("--allow-errors"), "{}", run.stderr);
    assert!(!repo.join("_site").exists());
    let run = build(&repo, &["--allow-errors"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(read(&repo.join("_site/findings.html")).contains("A.99.1"));
}

#[test]
fn a_failed_build_keeps_the_previous_portal() {
    let (dir, repo) = fixture();
    let site = built(&repo);
    let before = tree(&site);
    // A check error: nothing is published.
    std::fs::write(
        repo.join("policies/bad.md"),
        "---\nid: POL-1\ntitle: Duplicate\ntype: policy\n---\n",
    )
    .unwrap();
    assert_eq!(build(&repo, &[]).code, 1);
    assert_eq!(tree(&site), before);
    // A broken template override fails while rendering: still nothing changes, and no staging folder is left.
    std::fs::remove_file(repo.join("policies/bad.md")).unwrap();
    std::fs::create_dir_all(repo.join("templates")).unwrap();
    std::fs::write(
        repo.join("templates/findings.html"),
        "{% extends \"base.html\" %}{% block content %}{{ nope.nothing }}{% endblock content %}",
    )
    .unwrap();
    let run = build(&repo, &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("findings.html"), "{}", run.stderr);
    assert_eq!(tree(&site), before);
    let leftovers: Vec<String> = std::fs::read_dir(&repo)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("aimsc-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A good override is used, and a rebuild replaces the portal as a whole.
    std::fs::write(
        repo.join("templates/findings.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Our findings</h1>{% endblock content %}",
    )
    .unwrap();
    std::fs::write(site.join("stale.html"), "old").unwrap();
    let run = build(&repo, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("findings.html"), "{}", run.stderr);
    assert!(read(&site.join("findings.html")).contains("<h1>Our findings</h1>"));
    assert!(!site.join("stale.html").exists());
    drop(dir);
}

#[test]
fn refuses_unsafe_output_folders() {
    let (dir, repo) = fixture();
    let refused = |out: &Path| {
        let run = build(&repo, &["--out", out.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}: {}{}", out.display(), run.stdout, run.stderr);
        assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    };
    let sources = tree(&repo);
    refused(&repo);
    refused(&repo.join("policies/.."));
    refused(dir.path());
    refused(&repo.join("policies"));
    // A folder that is not an earlier portal is not replaced, and nothing in it is touched.
    let foreign = dir.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.txt"), "precious").unwrap();
    refused(&foreign);
    assert_eq!(read(&foreign.join("thesis.txt")), "precious");
    // A folder holding a configuration is a repository.
    let other = dir.path().join("other-repo");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("aimsc.toml"), "").unwrap();
    refused(&other);
    assert_eq!(tree(&repo), sources, "the repository is unchanged");
    // An empty or new folder outside the repository is fine.
    let out = dir.path().join("public/portal");
    let run = build(&repo, &["--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(out.join("index.html").is_file());
}

#[test]
fn output_is_deterministic() {
    let (dir, repo) = fixture();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    assert_eq!(build(&repo, &["--out", a.to_str().unwrap()]).code, 0);
    assert_eq!(build(&repo, &["--out", b.to_str().unwrap()]).code, 0);
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(bytes == &tb[path], "{path} differs between two builds");
    }
}

#[test]
fn csv_and_json_downloads() {
    let (_dir, repo) = fixture();
    let site = built(&repo);
    let mut rdr = csv::Reader::from_path(site.join("downloads/soa-iso42001.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[1], "Control");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 38);
    let a22 = rows.iter().find(|r| &r[1] == "A.2.2").unwrap();
    assert_eq!(
        (&a22[4], &a22[6], &a22[7], &a22[8], &a22[10]),
        ("yes", "implemented", "implemented", "POL-1", "RISK-1")
    );
    let a23 = rows.iter().find(|r| &r[1] == "A.2.3").unwrap();
    assert_eq!((&a23[7], &a23[8], &a23[9]), ("gap", "", "PRO-1"));
    assert_eq!(rows.iter().filter(|r| &r[4] == "no").count(), 34);

    let json: serde_json::Value = serde_json::from_str(&read(&site.join("aimsc.json"))).unwrap();
    assert_eq!(json["organisation"], "Fixture Org");
    assert_eq!(json["generated"], TODAY);
    let std = &json["standards"][0];
    assert_eq!(std["key"], "iso42001");
    assert_eq!(std["controls"].as_array().unwrap().len(), 38);
    let row = std["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["control"] == "A.2.2")
        .unwrap();
    assert_eq!(row["documents"], serde_json::json!(["POL-1"]));
    assert_eq!(row["evidence"], serde_json::json!(["REC-1"]));
    assert_eq!(row["state"], "covered");
    // Honest figures: the portal's coverage is the one `aimsc check` prints.
    let (_, check) = check_json(&repo);
    assert_eq!(std["coverage"], check["summary"]["coverage"][0]);
    assert_eq!(
        json["summary"]["reviews_due_soon"], 1,
        "the SoA's review is due within 30 days"
    );
    let chain = json["traceability"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "A.2.2")
        .unwrap();
    assert_eq!(chain["risk"], "RISK-1");
    assert_eq!(chain["documents"][0]["evidence"], serde_json::json!(["REC-1"]));
    assert_eq!(chain["evidenced"], true);

    let out = python_tool("check-jsonschema")
        .arg("--schemafile")
        .arg(manifest().join("docs/aimsc.schema.json"))
        .arg(site.join("aimsc.json"))
        .output()
        .expect("check-jsonschema is needed: pip install check-jsonschema");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn xlsx_reads_back_in_openpyxl() {
    let (_dir, repo) = fixture();
    let site = built(&repo);
    let script = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(wb.sheetnames)
ws = wb["SoA"]
rows = list(ws.iter_rows(values_only=True))
print(len(rows))
print(rows[0][1], rows[0][7])
row = [r for r in rows if r[1] == "A.2.2"][0]
print(row[4], row[6], row[7], row[8], row[10])
dc = {r[0]: r[1] for r in wb["Document control"].iter_rows(values_only=True)}
print(dc["Document"], dc["Version"], dc["Approved by"])
"#;
    let out = python_tool("python3")
        .arg("-c")
        .arg(script)
        .arg(site.join("downloads/soa-iso42001.xlsx"))
        .output()
        .expect("python3 is needed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "openpyxl is needed (pip install openpyxl): {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "['SoA', 'Document control']");
    assert_eq!(lines[1], "39");
    assert_eq!(lines[2], "Control State");
    assert_eq!(lines[3], "yes implemented implemented POL-1 RISK-1");
    assert_eq!(lines[4], "SOA-42001 2.0 AI Governance Board");
}

#[test]
fn example_repo_soa_lists_all_38_iso42001_controls() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("portal");
    let run = aimsc(
        &[
            "build",
            "example-repo",
            "--today",
            TODAY,
            "--out",
            out.to_str().unwrap(),
        ],
        manifest(),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = read(&out.join("soa/iso42001.html"));
    let catalogs = aimsc::catalog::Catalogs::builtin();
    let controls: Vec<&str> = catalogs
        .get("iso42001")
        .unwrap()
        .controls()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(controls.len(), 38);
    for id in &controls {
        assert!(
            page.contains(&format!("<tr id=\"{id}\" data-state=")),
            "{id} missing from the SoA page"
        );
        assert!(out.join(format!("requirements/iso42001/{id}.html")).is_file());
    }
    assert_eq!(page.matches(" data-state=\"").count(), 38);
    // ISO 42001 comes first in the navigation.
    let nav = page.find("soa/iso42001.html").unwrap();
    assert!(nav < page.find("soa/iso27001.html").unwrap());
}

#[test]
fn revision_history_reaches_pages_register_and_json() {
    let (_dir, repo) = fixture();
    git_at(&repo, "2026-05-02T10:00:00Z", &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join(".gitignore"), "/_site/\n").unwrap();
    git_at(&repo, "2026-05-02T10:00:00Z", &["add", "-A"]);
    git_at(
        &repo,
        "2026-05-02T10:00:00Z",
        &["commit", "-qm", "Import the policy set"],
    );
    let site = built(&repo);
    let json: serde_json::Value = serde_json::from_str(&read(&site.join("aimsc.json"))).unwrap();
    assert_eq!(json["history"], "available");
    let doc = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "POL-1")
        .unwrap();
    assert_eq!(doc["revisions"], 1);
    assert_eq!(doc["last_change"]["subject"], "Import the policy set");
    assert_eq!(doc["last_change"]["author"], "Test Author");
    assert_eq!(doc["history"][0]["day"], "2026-05-02");
    let page = read(&site.join("documents/POL-1.html"));
    assert!(
        page.contains("Revision history") && page.contains("Import the policy set"),
        "history on the document page"
    );
    let register = read(&site.join("registers/documents.html"));
    assert!(
        register.contains("Last change") && register.contains("2026-05-02"),
        "history in the register"
    );
}

#[test]
fn gap_analysis_page_shows_the_three_states() {
    let text = std::fs::read_to_string(manifest().join("tests/fixtures/gaps/repo.txt")).unwrap();
    let dir = write_case(&parse_fixture(&text)["default"]);
    let run = aimsc(&["build", ".", "--today", TODAY], dir.path());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = read(&dir.path().join("_site/gaps.html"));
    for needle in ["gap-covered", "gap-reuse", "gap-new", "A.6.8", "PRO-EVT", "<svg"] {
        if needle == "gap-covered" {
            // Covered rows are in the totals, not the backlog.
            assert!(page.contains("covered 33"), "totals: {needle}");
            continue;
        }
        assert!(page.contains(needle), "gaps.html lacks {needle}");
    }
    let new = page.find(r#"gap-new">new<"#).expect("a new row");
    let reuse = page.find(r#"gap-reuse">reuse<"#).expect("a reuse row");
    assert!(new < reuse, "new work is listed before reuse");
    let json: serde_json::Value = serde_json::from_str(&read(&dir.path().join("_site/aimsc.json"))).unwrap();
    assert_eq!(json["gaps"]["totals"]["new"], 1);
}

#[test]
fn build_writes_findings_in_ci_formats_and_can_deny_warnings() {
    let (_dir, repo) = fixture();
    let run = build(&repo, &["--format", "sarif"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF on standard output");
    assert_eq!(sarif["version"], "2.1.0");
    let warnings = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "warning")
        .count();
    assert!(warnings > 0, "the fixture has warnings: {}", run.stdout);
    let denied = build(&repo, &["--deny", "warnings"]);
    assert_eq!(denied.code, 1);
    assert!(denied.stderr.contains("--deny warnings"), "{}", denied.stderr);
}
