//! Machine-readable outputs checked as their consumers check them: SARIF
//! against the official OASIS schema (what GitHub code scanning ingests),
//! JUnit XML against Jenkins' strict `junit-10.xsd`, and GitHub workflow
//! commands and job summary against GitHub's escaping rules and limits.
//!
//! The validators are the PyPI tools `check-jsonschema` and `xmlschema`,
//! installed on first use when missing (see `common::python_tool`). A
//! validator that cannot be had fails the test instead of skipping it: a
//! skipped schema check would let an invalid report ship while CI stays green.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aimsc::analysis::Compilation;
use aimsc::diagnostics::render::{Sources, github, junit, sarif};
use aimsc::diagnostics::{Counts, Diagnostic, Level, Location, Rule, Severity, SourceFile};
use serde_json::Value;

const POLICY: &str = "---
id: POL-AI-001
title: AI policy
type: policy
owner: CISO
status: approved
approved_by: Board
approved_on: 2026-01-10
review_every: 12 months
satisfies: {iso42001: [A.3.4, \"6.1.2.d\", A.2.2]}
---
# AI policy

See [the procedure](../procedures/missing.md).
";

/// Invalid YAML: the second `:` of the title.
const BROKEN: &str = "---
id: POL-002
title: Policy: broken
type: policy
---
Body
";

static TEST_RULE: Rule = Rule {
    code: "TST001",
    name: "test-rule",
    default_level: Level::Warning,
    summary: "a rule for tests",
    docs: "First paragraph.\n\nSecond paragraph.",
};

/// A small repository with a policy that claims two unknown requirements
/// and has a broken link, a file with broken YAML, and (having no SoA) many
/// repository-wide coverage findings.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("aimsc.toml"),
        "organisation = \"Test Org\"\nstandards = [\"iso42001\"]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/ai-policy.md"), POLICY).unwrap();
    std::fs::write(dir.path().join("policies/broken.md"), BROKEN).unwrap();
    dir
}

fn compile(root: &Path) -> Compilation {
    Compilation::run(root, jiff::civil::date(2026, 6, 1)).unwrap()
}

fn schema(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/schemas")
        .join(name);
    assert!(
        path.is_file(),
        "schema {} not found: shared/ must sit beside the repository",
        path.display()
    );
    path
}

/// Runs a validator; panics with its output when the document is invalid,
/// and with install instructions when the tool is missing.
fn validate(tool: &str, package: &str, args: &[&std::ffi::OsStr]) {
    let output = match common::python_tool(tool).args(args).output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("`{tool}` is not installed; install it with `pip install {package}` (CI does)")
        }
        Err(e) => panic!("cannot run `{tool}`: {e}"),
    };
    assert!(
        output.status.success(),
        "{tool} rejected the document:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn validate_sarif(sarif: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sarif");
    std::fs::write(&file, sarif).unwrap();
    let schema = schema("sarif-2.1.0.json");
    validate(
        "check-jsonschema",
        "check-jsonschema",
        &["--schemafile".as_ref(), schema.as_os_str(), file.as_os_str()],
    );
}

fn validate_junit(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let schema = schema("junit-10.xsd");
    validate(
        "xmlschema-validate",
        "xmlschema",
        &["--schema".as_ref(), schema.as_os_str(), file.as_os_str()],
    );
}

fn sarif_of(c: &Compilation) -> Value {
    let text = sarif::render(&c.diagnostics, &c.project.sources, &aimsc::rules::registry(), "0.1.0");
    serde_json::from_str(&text).unwrap()
}

fn located(file: &str, line: u32, column: u32) -> Location {
    Location {
        file: file.to_string(),
        line,
        column,
        start: 0,
        end: 0,
    }
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let repo = fixture();
    let c = compile(repo.path());
    assert!(
        c.diagnostics.iter().any(|d| d.location.is_none()),
        "the fixture should have repository-wide findings"
    );
    let text = sarif::render(&c.diagnostics, &c.project.sources, &aimsc::rules::registry(), "0.1.0");
    validate_sarif(&text);
}

#[test]
fn sarif_edge_cases_are_valid() {
    // A path that is not a bare URI, a file aimsc has no source for, a
    // finding with no location, and an empty span.
    let mut sources = Sources::default();
    sources.insert(Arc::new(SourceFile::new("a.md", "abcd\n")));
    let diags = vec![
        Diagnostic::new(&TEST_RULE, "in a file with a space").at(located("my docs/50% #1.md", 2, 3)),
        Diagnostic::new(&TEST_RULE, "nowhere").help("somewhere"),
        Diagnostic::new(&TEST_RULE, "empty span").at(sources.get("a.md").unwrap().location(2..2)),
    ];
    // TEST_RULE is not in the rule list: it must be added, not dangle.
    let text = sarif::render(&diags, &sources, &[], "0.1.0");
    validate_sarif(&text);
    let log: Value = serde_json::from_str(&text).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "TST001");
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["fullDescription"]["text"],
        "First paragraph."
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20docs/50%25%20%231.md"
    );
    assert!(results[1].get("locations").is_none());
    assert_eq!(results[1]["message"]["text"], "nowhere — help: somewhere");
    let region = &results[2]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(
        (region["endLine"].as_u64(), region["endColumn"].as_u64()),
        (Some(1), Some(3))
    );
}

#[test]
fn sarif_rule_index_points_at_the_rule() {
    let repo = fixture();
    let c = compile(repo.path());
    let log = sarif_of(&c);
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let registry = aimsc::rules::registry();
    assert_eq!(rules.len(), registry.len(), "every registry rule is described");
    for (descriptor, rule) in rules.iter().zip(&registry) {
        assert_eq!(descriptor["id"], rule.code);
        assert_eq!(descriptor["shortDescription"]["text"], rule.summary);
        assert_eq!(descriptor["help"]["markdown"], rule.docs);
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), c.diagnostics.len());
    for (result, d) in results.iter().zip(&c.diagnostics) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], d.rule.code);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(result["level"], level);
        match &d.location {
            None => assert!(result.get("locations").is_none()),
            Some(l) => {
                let loc = &result["locations"][0]["physicalLocation"];
                assert_eq!(loc["artifactLocation"]["uri"], l.file.as_str());
                assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
                let r = &loc["region"];
                let start = (r["startLine"].as_u64().unwrap(), r["startColumn"].as_u64().unwrap());
                let end = (r["endLine"].as_u64().unwrap(), r["endColumn"].as_u64().unwrap());
                assert_eq!(start, (u64::from(l.line), u64::from(l.column)));
                assert!(end >= start && end.1 >= 1, "region ends before it starts: {r}");
            }
        }
    }
    let prints: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"][sarif::FINGERPRINT_KEY].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), results.len(), "fingerprints are unique within a run");
}

#[test]
fn sarif_fingerprint_survives_lines_inserted_above() {
    let repo = fixture();
    let find = |log: &Value| {
        let results = log["runs"][0]["results"].as_array().unwrap();
        let r = results
            .iter()
            .find(|r| r["message"]["text"].as_str().unwrap().starts_with("`A.3.4`"))
            .unwrap()
            .clone();
        let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap();
        (
            r["partialFingerprints"][sarif::FINGERPRINT_KEY]
                .as_str()
                .unwrap()
                .to_string(),
            line,
        )
    };
    let (before, line_before) = find(&sarif_of(&compile(repo.path())));

    // Blank lines inside the front matter, above the `satisfies` line.
    let moved = POLICY.replacen("type: policy\n", "type: policy\n\n\n\n", 1);
    std::fs::write(repo.path().join("policies/ai-policy.md"), moved).unwrap();
    let (after, line_after) = find(&sarif_of(&compile(repo.path())));

    assert_eq!(line_after, line_before + 3, "the finding moved");
    assert_eq!(before, after, "but its fingerprint did not");
    let hex = before.split(':').next().unwrap();
    assert!(
        hex.len() == 16 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "{before}"
    );
}

#[test]
fn github_commands_escape_messages_and_properties() {
    let mut d = Diagnostic::new(&TEST_RULE, "50% done, see a:b\r\nnext")
        .at(located("docs/a,b:c.md", 3, 5))
        .help("x,y");
    d.severity = Severity::Error;
    let out = github::render(&[d], &Sources::default());
    assert_eq!(
        out,
        "::error file=docs/a%2Cb%3Ac.md,line=3,col=5,title=TST001 test-rule::50%25 done, see a:b%0D%0Anext%0Ahelp: x,y\n"
    );

    let info = {
        let mut d = Diagnostic::new(&TEST_RULE, "repository-wide");
        d.severity = Severity::Info;
        d
    };
    assert_eq!(
        github::render(&[info], &Sources::default()),
        "::notice title=TST001 test-rule::repository-wide\n"
    );
}

#[test]
fn github_commands_cover_every_finding() {
    let repo = fixture();
    let c = compile(repo.path());
    let out = github::render(&c.diagnostics, &c.project.sources);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        c.diagnostics.len(),
        "one command per finding, each on one line"
    );
    for (line, d) in lines.iter().zip(&c.diagnostics) {
        let command = match d.severity {
            Severity::Error => "::error ",
            Severity::Warning => "::warning ",
            Severity::Info => "::notice ",
        };
        assert!(line.starts_with(command), "{line}");
        if let Some(l) = &d.location {
            assert!(
                line.contains(&format!("file={},line={},col={},endLine=", l.file, l.line, l.column)),
                "{line}"
            );
        } else {
            assert!(!line.contains("file="), "{line}");
        }
    }
}

#[test]
fn github_summary_lists_every_finding() {
    let repo = fixture();
    let c = compile(repo.path());
    let counts = Counts::of(&c.diagnostics);
    assert!(
        c.diagnostics.len() > 10,
        "the fixture must exceed GitHub's 10 annotations per level"
    );
    let coverage: Vec<String> = c.coverage().iter().map(|cov| cov.line()).collect();
    let md = github::summary_markdown(&c.diagnostics, counts, &coverage);
    assert!(md.starts_with("## aimsc check\n"), "{md}");
    assert!(md.contains(&format!("❌ {} errors", counts.errors)), "{md}");
    assert!(
        md.contains(&format!(
            "| {} | {} | {} |",
            counts.errors, counts.warnings, counts.infos
        )),
        "{md}"
    );
    assert!(md.contains(&format!("- {}", coverage[0])), "{md}");
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| error |") || l.starts_with("| warning |") || l.starts_with("| info |"))
        .count();
    assert_eq!(rows, c.diagnostics.len(), "{md}");
    assert!(md.contains("`policies/ai-policy.md:10`"), "{md}");
    assert!(!md.contains("more"), "nothing is left out below the cap");
}

#[test]
fn github_summary_caps_rows_and_escapes_cells() {
    let diags: Vec<Diagnostic> = (0..1005)
        .map(|i| Diagnostic::new(&TEST_RULE, format!("finding {i} | with a pipe")).at(located("a.md", i + 1, 1)))
        .collect();
    let md = github::summary_markdown(&diags, Counts::of(&diags), &[]);
    assert!(md.contains("✅ no errors, 1005 warnings"), "{md}");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| warning |")).collect();
    assert_eq!(rows.len(), 1000);
    assert!(rows[0].ends_with("| finding 0 \\| with a pipe |"), "{}", rows[0]);
    assert!(md.contains("and 5 more"), "{md}");

    let empty = github::summary_markdown(&[], Counts::default(), &[]);
    assert!(
        empty.contains("✅ no errors") && empty.contains("No findings."),
        "{empty}"
    );
}

#[test]
fn junit_is_valid_against_jenkins_schema() {
    let repo = fixture();
    let c = compile(repo.path());
    let registry = aimsc::rules::registry();
    let files: Vec<String> = c.project.documents.iter().map(|d| d.path().to_string()).collect();
    let xml = junit::render(&c.diagnostics, &registry, &files);
    validate_junit(&xml);

    assert_eq!(xml.matches("<testsuite ").count(), registry.len(), "one suite per rule");
    // Two unknown requirements in one file: one failing case listing both.
    let suite = xml
        .split("<testsuite name=\"AIM021 unknown-requirement\"")
        .nth(1)
        .unwrap();
    let suite = &suite[..suite.find("</testsuite>").unwrap()];
    assert!(suite.starts_with(" tests=\"1\" failures=\"1\""), "{suite}");
    assert!(suite.contains("classname=\"policies/ai-policy.md\""), "{suite}");
    assert!(suite.contains("policies/ai-policy.md:10:24: `A.3.4`"), "{suite}");
    assert!(suite.contains("policies/ai-policy.md:10:31: `6.1.2.d`"), "{suite}");
    // A rule that found nothing still shows as a passing check.
    let clean = registry
        .iter()
        .find(|r| !c.diagnostics.iter().any(|d| d.rule.code == r.code))
        .unwrap();
    let suite = xml
        .split(&format!("<testsuite name=\"{} {}\"", clean.code, clean.name))
        .nth(1)
        .unwrap();
    assert!(suite.starts_with(" tests=\"1\" failures=\"0\""), "{suite}");
    assert!(suite.contains("classname=\"repository\""), "{suite}");
    let errored_cases = xml.matches("<failure ").count();
    assert!(
        xml.contains(&format!("failures=\"{errored_cases}\" errors=\"0\"")),
        "totals on <testsuites>"
    );
}

#[test]
fn junit_escapes_and_strips_invalid_characters() {
    let mut error = Diagnostic::new(&TEST_RULE, "bad <tag> & \"quotes\" 'here'\u{1}\u{fffe}\nsecond line")
        .at(located("a&b.md", 1, 1));
    error.severity = Severity::Error;
    let warning = Diagnostic::new(&TEST_RULE, "only a warning")
        .at(located("c.md", 2, 3))
        .help("fix <it>");
    let nowhere = Diagnostic::new(&TEST_RULE, "repository-wide");
    let xml = junit::render(
        &[error, warning, nowhere],
        &[],
        &["a&b.md".to_string(), "c.md".to_string()],
    );
    validate_junit(&xml);
    assert!(!xml.contains('\u{1}') && !xml.contains('\u{fffe}'));
    assert!(
        xml.contains("message=\"bad &lt;tag&gt; &amp; &quot;quotes&quot; &apos;here&apos;&#10;second line\""),
        "{xml}"
    );
    assert!(xml.contains("tests=\"3\" failures=\"1\""), "warnings pass: {xml}");
    assert!(
        xml.contains("<system-out>c.md:2:3: only a warning\n    help: fix &lt;it&gt;</system-out>"),
        "{xml}"
    );
    assert!(xml.contains("classname=\"repository\""), "{xml}");
}

#[test]
fn check_command_writes_every_format_with_the_same_exit_code() {
    let dir = fixture();
    let run = |format: &str, summary: Option<&Path>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aimsc"));
        cmd.args(["check", ".", "--today", "2026-06-01", "--format", format])
            .current_dir(dir.path());
        cmd.env_remove("GITHUB_STEP_SUMMARY");
        if let Some(p) = summary {
            cmd.env("GITHUB_STEP_SUMMARY", p);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, sarif) = run("sarif", None);
    assert_eq!(code, Some(1));
    validate_sarif(&sarif);
    let (code, xml) = run("junit", None);
    assert_eq!(code, Some(1));
    validate_junit(&xml);
    let summary = dir.path().join("summary.md");
    let (code, commands) = run("github", Some(&summary));
    assert_eq!(code, Some(1));
    assert!(
        commands
            .lines()
            .any(|l| l.starts_with("::error file=policies/ai-policy.md,")),
        "{commands}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("## aimsc check") && md.contains("AIM021"), "{md}");
}
