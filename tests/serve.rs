//! `aimsc serve`, tested from the outside: the real binary on a free port
//! against a temporary copy of tests/fixtures/site/basic, spoken to over a
//! plain TCP socket. An edit must show up in the served page and bump the
//! live-reload version; a broken document must keep the old portal, show the
//! diagnostic in an overlay, and clear it once fixed; requests outside the
//! portal are refused. Each wait is bounded, and the server is killed when
//! the test ends, also when it fails.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

/// The longest any one step may take before the test fails.
const WAIT: Duration = Duration::from_secs(20);

fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site/basic"),
        &repo,
    );
    (dir, repo)
}

/// A running `aimsc serve`, killed on drop.
struct Serve {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    fn start(repo: &Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(bin())
            .args(["serve", ".", "--port", "0", "--today", TODAY])
            .args(extra)
            .current_dir(repo)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let out_pipe = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out_pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut serve = Serve { child, port: 0, stderr };
        let deadline = Instant::now() + WAIT;
        while serve.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no `serving` line; stderr:\n{}", serve.log()));
            if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
                assert!(rest.ends_with("/ (Ctrl-C to stop)"), "{line}");
                serve.port = rest.split('/').next().unwrap().parse().unwrap();
            }
        }
        serve
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> Reply {
        get(self.port, path, &format!("127.0.0.1:{}", self.port))
    }

    fn version(&self) -> u64 {
        version_of(&self.get("/__aimsc/events").body)
    }

    /// Waits until `check` holds for the page at `path`.
    fn wait_for(&self, path: &str, what: &str, check: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + WAIT;
        loop {
            let reply = self.get(path);
            if check(&reply) {
                return reply;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} at {path}; last reply:\n{}\nstderr:\n{}",
                reply.body,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

/// One HTTP/1.1 request on a fresh connection, read to its end.
fn get(port: u16, path: &str, host: &str) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Reply {
        status,
        headers: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

fn version_of(json: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["version"].as_u64().unwrap()
}

/// Long-polls for the next version after `since`, on its own thread, so
/// that the edit can happen while the request waits, as in a browser.
fn next_event(port: u16, since: u64) -> std::thread::JoinHandle<serde_json::Value> {
    std::thread::spawn(move || {
        let deadline = Instant::now() + WAIT;
        loop {
            let r = get(port, &format!("/__aimsc/events?since={since}"), "localhost");
            let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            if v["version"].as_u64() != Some(since) || Instant::now() > deadline {
                return v;
            }
        }
    })
}

const PAGE: &str = "/documents/POL-1.html";
const DOC: &str = "policies/ai-policy.md";

fn edit(repo: &Path, from: &str, to: &str) {
    let path = repo.join(DOC);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn edit_is_served_and_signalled(extra: &[&str]) {
    let (_dir, repo) = fixture();
    let serve = Serve::start(&repo, extra);
    let page = serve.get(PAGE);
    assert_eq!(page.status, 200, "{}", serve.log());
    assert!(
        page.headers.contains("content-type: text/html; charset=utf-8"),
        "{}",
        page.headers
    );
    assert!(page.body.contains("This policy sets direction"));
    assert!(
        page.body
            .contains("<script src=\"/__aimsc/live.js\" data-aimsc-version=\"")
    );
    assert!(!page.body.contains("aimsc-overlay"));

    let before = serve.version();
    let event = next_event(serve.port, before);
    // Let the long poll reach the server before the change, as an open page's would.
    std::thread::sleep(Duration::from_millis(100));
    edit(
        &repo,
        "This policy sets direction",
        "This freshly edited policy sets direction",
    );
    let event = event.join().unwrap();
    assert_eq!(event["version"].as_u64(), Some(before + 1), "{event}\n{}", serve.log());
    assert_eq!(event["ok"], true, "{}", serve.log());
    let page = serve.get(PAGE);
    assert!(page.body.contains("This freshly edited policy"), "{}", serve.log());
    assert!(page.body.contains(&format!("data-aimsc-version=\"{}\"", before + 1)));

    // The script itself, the other files of the portal, and nothing outside it.
    let js = serve.get("/__aimsc/live.js");
    assert_eq!(js.status, 200);
    assert!(js.headers.contains("content-type: text/javascript"), "{}", js.headers);
    assert!(js.body.contains("/__aimsc/events?since="));
    let css = serve.get("/assets/style.css");
    assert!(
        css.status == 200 && css.headers.contains("content-type: text/css"),
        "{}",
        css.headers
    );
    let xlsx = serve.get("/downloads/soa-iso42001.xlsx");
    assert!(xlsx.headers.contains("spreadsheetml"), "{}", xlsx.headers);
    assert!(serve.get("/").body.contains("Dashboard"));
    assert_eq!(serve.get("/no-such-page.html").status, 404);
    for bad in [
        "/../aimsc.toml",
        "/%2e%2e/aimsc.toml",
        "/assets/..%2f..%2faimsc.toml",
        "//etc/passwd",
    ] {
        let r = serve.get(bad);
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(!r.body.contains("Fixture Org"), "{bad}");
    }
    assert_eq!(serve.get("/aimsc.toml").status, 404);
    // A page reached through a rebinding DNS name is refused.
    assert_eq!(get(serve.port, "/", "attacker.example").status, 403);

    // Serving writes nothing: no output folder appears in the repository.
    assert!(!repo.join("_site").exists());
}

#[test]
fn an_edit_is_served_and_signalled() {
    edit_is_served_and_signalled(&[]);
}

#[test]
fn an_edit_is_served_and_signalled_when_polling() {
    edit_is_served_and_signalled(&["--poll"]);
}

#[test]
fn a_broken_document_shows_the_overlay_until_fixed() {
    let (_dir, repo) = fixture();
    let serve = Serve::start(&repo, &[]);
    let before = serve.version();
    let event = next_event(serve.port, before);
    std::thread::sleep(Duration::from_millis(100));
    // Mid-edit: new text, and the front matter's closing line gone.
    let path = repo.join(DOC);
    let good = std::fs::read_to_string(&path).unwrap();
    let close = good[3..].find("\n---\n").unwrap() + 3;
    let broken = format!(
        "{}\n{}",
        &good[..close],
        good[close + 5..].replace("This policy sets direction", "This half-edited policy sets direction")
    );
    std::fs::write(&path, &broken).unwrap();
    let event = event.join().unwrap();
    assert_eq!(event["ok"], false, "{event}\n{}", serve.log());

    let page = serve.get(PAGE);
    assert_eq!(page.status, 200);
    // The last good portal, with the overlay naming the problem.
    assert!(page.body.contains("This policy sets direction"), "{}", page.body);
    assert!(!page.body.contains("half-edited"));
    assert!(page.body.contains("id=\"aimsc-overlay\""), "{}", page.body);
    assert!(
        page.body
            .contains("error[AIM002]: front matter opened with `---` is never closed")
    );
    assert!(
        page.body.contains("--&gt; policies/ai-policy.md:1:1"),
        "diagnostics are HTML-escaped"
    );
    assert!(
        page.body
            .contains("<link rel=\"stylesheet\" href=\"/__aimsc/live.css\">")
    );
    // Every page carries it, even one the portal does not have.
    assert!(serve.get("/").body.contains("aimsc-overlay"));
    assert!(serve.get("/missing.html").body.contains("aimsc-overlay"));
    assert!(
        serve
            .get("/__aimsc/live.css")
            .headers
            .contains("content-type: text/css")
    );
    assert!(
        serve
            .log()
            .contains("the portal did not build; still serving the previous one")
    );

    // Fixed: the new text is served and the overlay is gone.
    let broken_version = serve.version();
    let event = next_event(serve.port, broken_version);
    std::thread::sleep(Duration::from_millis(100));
    std::fs::write(
        &path,
        good.replace("This policy sets direction", "This half-edited policy sets direction"),
    )
    .unwrap();
    let event = event.join().unwrap();
    assert_eq!(event["ok"], true, "{event}\n{}", serve.log());
    let page = serve.wait_for(PAGE, "the fixed page", |r| r.body.contains("half-edited"));
    assert!(!page.body.contains("aimsc-overlay"), "{}", page.body);
}

/// Every file under `dir`, by `/`-separated relative path.
fn tree(dir: &Path, base: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            tree(&p, base, out);
        } else {
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read(&p).unwrap()));
        }
    }
}

#[test]
fn after_edits_the_served_portal_is_what_build_writes() {
    // Reused bodies and pages must be exactly what a fresh build renders:
    // a body edit, a title edit seen on other pages, and a new document that
    // changes the link targets, then every file compared with `aimsc build`.
    let (dir, repo) = fixture();
    let serve = Serve::start(&repo, &[]);
    edit(
        &repo,
        "This policy sets direction",
        "This reworded policy sets direction",
    );
    serve.wait_for(PAGE, "the body edit", |r| r.body.contains("This reworded policy"));
    let procedure = repo.join("procedures/procedure.md");
    let text = std::fs::read_to_string(&procedure).unwrap();
    std::fs::write(
        &procedure,
        text.replace("title: AI monitoring procedure", "title: AI oversight procedure"),
    )
    .unwrap();
    serve.wait_for("/registers/documents.html", "the new title", |r| {
        r.body.contains("AI oversight procedure")
    });
    std::fs::write(
        repo.join("procedures/second.md"),
        "---\nid: PRO-2\ntitle: Second procedure\ntype: procedure\nstatus: draft\nowner: Head of Operations\n\
         references: [POL-1]\n---\n\n# Second procedure\n\nFollows [[POL-1]] and [[PRO-1]].\n",
    )
    .unwrap();
    serve.wait_for("/documents/PRO-2.html", "the new document", |r| r.status == 200);
    // Settled: no rebuild pending.
    let mut version = serve.version();
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = serve.version();
        if now == version {
            break;
        }
        version = now;
    }

    let out = dir.path().join("built");
    let run = aimsc(&["build", ".", "--today", TODAY, "--out", out.to_str().unwrap()], &repo);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let mut files = Vec::new();
    tree(&out, &out, &mut files);
    assert!(files.len() > 50, "{}", files.len());
    let script = format!("<script src=\"/__aimsc/live.js\" data-aimsc-version=\"{version}\"></script>\n");
    for (path, bytes) in files {
        if path == ".aimsc-portal" {
            continue;
        }
        let mut s = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
        write!(
            s,
            "GET /{path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let mut served = raw[at..].to_vec();
        if path.ends_with(".html") {
            let text = String::from_utf8(served).unwrap();
            assert!(
                text.contains(&script),
                "{path}: no live-reload script of version {version}"
            );
            served = text.replacen(&script, "", 1).into_bytes();
        }
        assert!(served == bytes, "{path} differs between serve and build");
    }
}

#[test]
fn template_overrides_are_followed_and_a_broken_one_is_shown() {
    let (_dir, repo) = fixture();
    let serve = Serve::start(&repo, &[]);
    let base = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/base.html")).unwrap();
    std::fs::create_dir_all(repo.join("templates")).unwrap();
    let marked = base.replacen("<body", "<!-- our own base -->\n<body", 1);
    std::fs::write(repo.join("templates/base.html"), &marked).unwrap();
    serve.wait_for(PAGE, "the override", |r| r.body.contains("<!-- our own base -->"));
    std::fs::write(
        repo.join("templates/base.html"),
        marked.replacen("{% endblock content %}", "", 1),
    )
    .unwrap();
    let page = serve.wait_for(PAGE, "the template error", |r| r.body.contains("aimsc-overlay"));
    assert!(page.body.contains("template error"), "{}", page.body);
    assert!(
        page.body.contains("<!-- our own base -->"),
        "the last good portal is still served"
    );
    std::fs::remove_file(repo.join("templates/base.html")).unwrap();
    let page = serve.wait_for(PAGE, "the built-in base", |r| !r.body.contains("aimsc-overlay"));
    assert!(!page.body.contains("<!-- our own base -->"));
}

#[test]
fn ignored_changes_do_not_rebuild() {
    let (_dir, repo) = fixture();
    std::fs::write(repo.join(".gitignore"), "scratch/\n").unwrap();
    std::fs::create_dir_all(repo.join("scratch")).unwrap();
    let serve = Serve::start(&repo, &[]);
    let before = serve.version();
    // Editor droppings, ignored and hidden files, and the output folder.
    std::fs::write(repo.join("policies/ai-policy.md~"), "backup").unwrap();
    std::fs::write(repo.join("policies/.ai-policy.md.swp"), "swap").unwrap();
    std::fs::write(repo.join("policies/4913"), "").unwrap();
    std::fs::write(repo.join("scratch/notes.md"), "# scratch").unwrap();
    std::fs::create_dir_all(repo.join("_site")).unwrap();
    std::fs::write(repo.join("_site/index.html"), "old").unwrap();
    // Then a real change, which must be the only rebuild.
    std::thread::sleep(Duration::from_millis(300));
    edit(
        &repo,
        "This policy sets direction",
        "This watched policy sets direction",
    );
    serve.wait_for(PAGE, "the edit", |r| r.body.contains("This watched policy"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(serve.version(), before + 1, "{}", serve.log());
}

#[test]
fn refuses_a_port_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (_dir, repo) = fixture();
    let run = aimsc(&["serve", ".", "--port", &port], &repo);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--port 0"), "{}", run.stderr);
}
