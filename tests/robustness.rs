//! No input makes aimsc panic: each hostile file yields diagnostics that
//! name the file and line, and the rest of the repository is still checked.

mod common;

use common::*;

/// A good document beside the bad one: it must still be checked.
const GOOD: &str = "---\nid: POL-OK\ntitle: Good policy\ntype: policy\nreferences: [MISSING-1]\n---\nBody.\n";

fn check_bad_file(name: &str, bytes: &[u8]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    std::fs::write(dir.path().join("good.md"), GOOD).unwrap();
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1, "findings must give exit 1, not a crash: {report}");
    let diags = report["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["file"] == "good.md" && d["code"] == "AIM030"),
        "the good file was not checked: {report}"
    );
    report
}

fn diags_for<'a>(report: &'a serde_json::Value, file: &str) -> Vec<&'a serde_json::Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file)
        .collect()
}

#[test]
fn broken_yaml() {
    let r = check_bad_file("bad.md", b"---\nid: [POL-1\ntitle: x\n---\nBody\n");
    let d = diags_for(&r, "bad.md");
    assert_eq!(d[0]["code"], "AIM001");
    assert!(d[0]["line"].as_u64().unwrap() >= 2);
}

#[test]
fn non_utf8_bytes() {
    let r = check_bad_file("latin1.md", b"---\nid: POL-1\ntitle: Caf\xe9\ntype: policy\n---\n");
    let d = diags_for(&r, "latin1.md");
    assert_eq!(d[0]["code"], "AIM004");
    assert_eq!(d[0]["line"], 3);
}

#[test]
fn utf16_file() {
    let text: Vec<u8> = "---\nid: POL-1\n---\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text);
    let r = check_bad_file("utf16.md", &bytes);
    let d = diags_for(&r, "utf16.md");
    assert_eq!(d[0]["code"], "AIM004");
    assert!(d[0]["help"].as_str().unwrap().contains("UTF-16"));
}

#[test]
fn bom_and_crlf_are_read() {
    let text = "\u{feff}---\r\nid: POL-1\r\ntitle: CRLF policy\r\ntype: policy\r\nownr: x\r\n---\r\nBody\r\n";
    let r = check_bad_file("crlf.md", text.as_bytes());
    let d = diags_for(&r, "crlf.md");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "AIM011");
    assert_eq!((d[0]["line"].as_u64(), d[0]["column"].as_u64()), (Some(5), Some(1)));
}

#[test]
fn empty_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.md"), "").unwrap();
    std::fs::write(dir.path().join("empty-fm.md"), "---\n---\n").unwrap();
    std::fs::write(dir.path().join("good.md"), GOOD).unwrap();
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1);
    assert!(
        diags_for(&report, "empty.md").is_empty(),
        "an empty file is not a document"
    );
    let d = diags_for(&report, "empty-fm.md");
    assert_eq!(d[0]["code"], "AIM003", "{report}");
}

#[test]
fn front_matter_that_is_a_list() {
    let r = check_bad_file("list.md", b"---\n- id: POL-1\n- type: policy\n---\n");
    assert_eq!(diags_for(&r, "list.md")[0]["code"], "AIM003");
}

#[test]
fn five_megabyte_document() {
    let mut text = String::from("---\nid: BIG-1\ntitle: Big\ntype: record\nsatisfies: {iso42001: [A.3.4]}\n---\n");
    let para = "Evidence line with [a link](missing.md) and words. ".repeat(20) + "\n\n";
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&para);
    }
    let r = check_bad_file("big.md", text.as_bytes());
    let d = diags_for(&r, "big.md");
    assert!(d.iter().any(|x| x["code"] == "AIM021"));
    assert!(d.iter().filter(|x| x["code"] == "AIM031").count() > 1000);
}

#[test]
fn yaml_alias_bomb() {
    let mut text = String::from(
        "---\nid: BOMB\ntitle: Bomb\ntype: policy\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='j' {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{c}: &{c} [{refs}]\n"));
        prev = c;
    }
    text.push_str("---\n");
    let r = check_bad_file("bomb.md", text.as_bytes());
    let d = diags_for(&r, "bomb.md");
    assert_eq!(d[0]["code"], "AIM001");
    assert!(d[0]["message"].as_str().unwrap().contains("alias"));
}

#[test]
fn deep_nesting_and_odd_scalars() {
    let deep = format!(
        "---\nid: DEEP\ntitle: x\ntype: policy\nsummary: {}{}\n---\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let cases: [(&str, &[u8]); 3] = [
        ("deep.md", deep.as_bytes()),
        (
            "tags.md",
            b"---\nid: !!binary aGVsbG8=\ntitle: ? complex\n: key\ntype: policy\n---\n",
        ),
        ("nul.md", b"---\nid: POL\x00-1\ntitle: x\ntype: policy\n---\n"),
    ];
    for (name, bytes) in cases {
        let report = check_bad_file(name, bytes);
        // Each hostile file is reported, not silently skipped.
        let found = diags_for(&report, name);
        assert!(!found.is_empty(), "{name} got no diagnostic: {report}");
        assert!(
            found.iter().all(|d| d["line"].as_u64().is_some_and(|l| l >= 1)),
            "{name}: {found:?}"
        );
    }
}

#[test]
fn missing_repository_is_a_tool_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = aimsc(&["check", "does-not-exist"], dir.path());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does-not-exist"));
}
