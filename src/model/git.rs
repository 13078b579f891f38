//! Reading a repository as it was at a Git revision, straight from the
//! object database (no checkout): one `git ls-tree` for the file list and one
//! `git cat-file --batch` for the contents. Used by `aimsc diff`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use super::ToolError;

/// Files of one revision under the repository folder, by path relative to it.
pub struct Snapshot {
    pub revision: String,
    /// Full commit ID the revision resolved to.
    pub commit: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

fn git(dir: &Path, args: &[&str]) -> Result<String, ToolError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| ToolError(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(ToolError(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// Whether the clone has only part of its history (CI checkouts often do).
pub fn is_shallow(dir: &Path) -> bool {
    git(dir, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s == "true")
}

/// Resolves `revision` to a commit, explaining a shallow clone when that is why it is missing.
pub fn resolve(dir: &Path, revision: &str) -> Result<String, ToolError> {
    git(
        dir,
        &["rev-parse", "--verify", "--quiet", &format!("{revision}^{{commit}}")],
    )
    .map_err(|_| {
        let mut msg = format!("`{revision}` is not a commit in this repository");
        if is_shallow(dir) {
            msg.push_str(
                "; this is a shallow clone, so older commits are missing: fetch the full history \
                 (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
            );
        }
        ToolError(msg)
    })
}

/// Reads every regular file under `dir` at `revision`. Symbolic links and
/// submodules are skipped: aimsc never follows a link out of the repository.
pub fn snapshot(dir: &Path, revision: &str) -> Result<Snapshot, ToolError> {
    let commit = resolve(dir, revision)?;
    let listing = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-tree", "-r", "-z", &commit, "--", "."])
        .output()
        .map_err(|e| ToolError(format!("cannot run git: {e}")))?;
    if !listing.status.success() {
        return Err(ToolError(String::from_utf8_lossy(&listing.stderr).trim().to_string()));
    }
    let mut entries: Vec<(String, String)> = Vec::new();
    for record in listing.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let record = String::from_utf8_lossy(record);
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (mode, kind, oid) = (parts.next(), parts.next(), parts.next());
        if kind != Some("blob") || mode == Some("120000") {
            continue;
        }
        if let Some(oid) = oid {
            entries.push((path.to_string(), oid.to_string()));
        }
    }
    let files = cat_files(dir, &entries)?;
    Ok(Snapshot {
        revision: revision.to_string(),
        commit,
        files,
    })
}

fn cat_files(dir: &Path, entries: &[(String, String)]) -> Result<BTreeMap<String, Vec<u8>>, ToolError> {
    let oids: Vec<String> = entries.iter().map(|(_, oid)| oid.clone()).collect();
    let contents = read_objects(dir, &oids)?;
    Ok(entries
        .iter()
        .zip(contents)
        .filter_map(|((path, _), c)| Some((path.clone(), c?)))
        .collect())
}

/// Reads objects named as Git names them (`<oid>`, `<commit>:./<path>`,
/// `<commit>^:./<path>`) through one `git cat-file --batch`, in order;
/// `None` for a name that does not exist (a file before it was added).
pub fn read_objects(dir: &Path, names: &[String]) -> Result<Vec<Option<Vec<u8>>>, ToolError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| ToolError(format!("cannot run git: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| ToolError("git cat-file has no stdin".into()))?;
    let queries: Vec<String> = names.to_vec();
    // Write from another thread so that a full stdout pipe cannot deadlock us.
    let writer = std::thread::spawn(move || {
        for q in queries {
            if writeln!(stdin, "{q}").is_err() {
                break;
            }
        }
    });
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| ToolError("git cat-file has no stdout".into()))?;
    let mut reader = BufReader::new(stdout);
    let mut out = Vec::with_capacity(names.len());
    for _ in names {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|e| ToolError(format!("reading from git: {e}")))?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        // "<name> missing" (or "ambiguous"): no such object at that revision.
        if fields.len() != 3 {
            out.push(None);
            continue;
        }
        let size: usize = fields[2]
            .parse()
            .map_err(|_| ToolError(format!("unexpected answer from git cat-file: {header:?}")))?;
        let mut content = vec![0; size + 1];
        reader
            .read_exact(&mut content)
            .map_err(|e| ToolError(format!("reading from git: {e}")))?;
        content.pop();
        out.push(Some(content));
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(out)
}
