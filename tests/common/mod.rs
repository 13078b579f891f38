//! Test harness: writes fixture repositories to a temporary folder and runs
//! the real `aimsc` binary on them.
//!
//! A fixture file holds one or more cases. `#! NAME` starts a case and
//! `=== PATH` starts a file of that case. Two macros keep fixtures short:
//! `@clauses:STD` expands to every lowest-level clause of STD (quoted, comma
//! separated), and a line `  @rest:STD` inside an SoA's `controls:` expands
//! to an excluded entry for every control of STD the file does not mention.
//! `@latin1` is written as the byte 0xE9, to make a file that is not UTF-8.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use aimsc::catalog::Catalogs;

pub const TODAY: &str = "2026-12-01";

/// Cases of a fixture file: name → (path → content).
pub fn parse_fixture(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut cases: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut case = String::from("default");
    let mut file: Option<String> = None;
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("#! ") {
            case = name.trim().to_string();
            file = None;
            continue;
        }
        if let Some(path) = line.strip_prefix("=== ") {
            let path = path.trim().to_string();
            cases
                .entry(case.clone())
                .or_default()
                .insert(path.clone(), String::new());
            file = Some(path);
            continue;
        }
        if let Some(f) = &file {
            cases.get_mut(&case).unwrap().get_mut(f).unwrap().push_str(line);
        }
    }
    cases
}

fn expand(content: &str, catalogs: &Catalogs) -> String {
    let mut out = String::new();
    for line in content.split_inclusive('\n') {
        if let Some(key) = line.trim().strip_prefix("@rest:") {
            let cat = catalogs.get(key.trim()).expect("known standard in @rest");
            for c in cat.controls() {
                if !content.contains(&format!("  {}:", c.id)) {
                    // Each standard's filler reads differently, so copied-justification checks stay quiet.
                    let why = if key.trim() == "iso42001" {
                        "The fixture organisation has no AI activity of this kind."
                    } else {
                        "No such activity within the fixture's information security scope."
                    };
                    out.push_str(&format!(
                        "  {}: {{applicable: false, justification: \"{why}\"}}\n",
                        c.id
                    ));
                }
            }
            continue;
        }
        let mut l = line.to_string();
        for cat in &catalogs.list {
            let token = format!("@clauses:{}", cat.key);
            if l.contains(&token) {
                let ids: Vec<String> = cat.leaf_clauses().map(|e| format!("\"{}\"", e.id)).collect();
                l = l.replace(&token, &ids.join(", "));
            }
        }
        out.push_str(&l);
    }
    out
}

/// Writes one case to a new temporary folder.
pub fn write_case(files: &BTreeMap<String, String>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let catalogs = Catalogs::builtin();
    for (path, content) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        // `@latin1` stands for the byte 0xE9 (é in Latin-1), which is not UTF-8.
        let bytes: Vec<u8> = expand(content, &catalogs)
            .split("@latin1")
            .map(str::as_bytes)
            .collect::<Vec<_>>()
            .join(&0xE9u8);
        std::fs::write(full, bytes).unwrap();
    }
    dir
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_aimsc"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn aimsc(args: &[&str], dir: &Path) -> Run {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `aimsc check --format json` on a folder; returns the exit code and the parsed report.
pub fn check_json(dir: &Path) -> (i32, serde_json::Value) {
    let run = aimsc(&["check", ".", "--format", "json", "--today", TODAY], dir);
    let json =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}\n{}", run.stdout, run.stderr));
    (run.code, json)
}

pub fn codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Runs git in `dir` with a fixed identity and the given author/commit date.
pub fn git_at(dir: &Path, date: &str, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

/// The PyPI validators the tests use as real clients do: `check-jsonschema`
/// (SARIF, aimsc.json, front matter), `xmlschema` (JUnit) and `openpyxl`
/// (.xlsx). When the machine lacks them they are installed once, on first
/// use, into the test target folder, so that `cargo test` alone sets
/// everything up. Returns the folder to put on PYTHONPATH, if one is needed.
fn python_tools() -> Option<PathBuf> {
    static TOOLS: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    TOOLS
        .get_or_init(|| {
            let imports = |path: Option<&Path>| {
                let mut c = Command::new("python3");
                c.args(["-c", "import check_jsonschema, xmlschema, openpyxl"]);
                if let Some(p) = path {
                    c.env("PYTHONPATH", p);
                }
                c.output().is_ok_and(|o| o.status.success())
            };
            if imports(None) {
                return None;
            }
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("python-tools");
            // Test binaries run in parallel: one installs, the others wait for it.
            let lock = dir.with_extension("lock");
            let started = std::time::Instant::now();
            while std::fs::File::create_new(&lock).is_err() {
                assert!(
                    started.elapsed().as_secs() < 600,
                    "waited 10 minutes for {}",
                    lock.display()
                );
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            if !imports(Some(&dir)) {
                let out = Command::new("python3")
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "--target",
                    ])
                    .arg(&dir)
                    .args(["check-jsonschema", "xmlschema", "openpyxl"])
                    .output();
                let _ = std::fs::remove_file(&lock);
                let out = out.expect("python3 is needed for the validators");
                assert!(
                    out.status.success(),
                    "pip could not install the validators: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            } else {
                let _ = std::fs::remove_file(&lock);
            }
            Some(dir)
        })
        .clone()
}

/// A command running one of the validators (`check-jsonschema`,
/// `xmlschema-validate`) or a Python script (`python3`) with them importable.
pub fn python_tool(tool: &str) -> Command {
    let path = python_tools();
    let mut c = Command::new("python3");
    match tool {
        "check-jsonschema" => {
            c.args(["-m", "check_jsonschema"]);
        }
        "xmlschema-validate" => {
            c.args(["-c", "import sys; from xmlschema.cli import validate; sys.argv[0] = 'xmlschema-validate'; sys.exit(validate())"]);
        }
        "python3" => {}
        other => panic!("no such validator: {other}"),
    }
    if let Some(p) = path {
        c.env("PYTHONPATH", p);
    }
    c
}

/// Copies a fixture folder, so that tests never write into the source tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
