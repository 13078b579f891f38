//! `aimsc schema`: the JSON Schema accepts every document of the example
//! repository (checked by check-jsonschema, as an editor would use it) and
//! rejects a wrong field or control ID.

mod common;

use std::path::Path;

use common::*;

fn front_matters(root: &Path, out: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                let Some(rest) = text.strip_prefix("---\n") else {
                    continue;
                };
                let end = rest.find("\n---\n").unwrap();
                let target = out.join(format!("{}.yaml", files.len()));
                std::fs::write(&target, &rest[..end + 1]).unwrap();
                files.push(target);
            }
        }
    }
    files
}

fn validate(schema: &Path, files: &[std::path::PathBuf]) -> (bool, String) {
    let out = python_tool("check-jsonschema")
        .arg("--schemafile")
        .arg(schema)
        .args(files)
        .output()
        .expect("check-jsonschema must be installed (pip install check-jsonschema; .ci/run does it)");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn example_repository_validates_against_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let run = aimsc(&["schema"], tmp.path());
    assert_eq!(run.code, 0);
    let schema = tmp.path().join("schema.json");
    std::fs::write(&schema, &run.stdout).unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let files = front_matters(&Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"), &docs);
    assert!(files.len() >= 30);
    let (ok, output) = validate(&schema, &files);
    assert!(ok, "{output}");
}

#[test]
fn schema_rejects_a_wrong_field_and_a_wrong_control() {
    let tmp = tempfile::tempdir().unwrap();
    let run = aimsc(&["schema", "--type", "policy"], tmp.path());
    let schema = tmp.path().join("policy.json");
    std::fs::write(&schema, &run.stdout).unwrap();
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ids = value["properties"]["satisfies"]["properties"]["iso42001"]["items"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(ids.iter().filter(|i| i.as_str().unwrap().starts_with("A.")).count(), 38);
    for (name, text) in [
        ("field", "id: POL-1\ntitle: x\ntype: policy\nownr: CISO\n"),
        (
            "control",
            "id: POL-1\ntitle: x\ntype: policy\nsatisfies: {iso42001: [A.3.4]}\n",
        ),
        ("status", "id: POL-1\ntitle: x\ntype: policy\nstatus: Approved\n"),
    ] {
        let file = tmp.path().join(format!("{name}.yaml"));
        std::fs::write(&file, text).unwrap();
        let (ok, output) = validate(&schema, &[file]);
        assert!(!ok, "a wrong {name} must be rejected: {output}");
    }
    assert_eq!(aimsc(&["schema", "--type", "polcy"], tmp.path()).code, 2);
}
