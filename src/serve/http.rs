//! The HTTP side of `aimsc serve`: maps a request to a file of the in-memory
//! portal, the live-reload endpoint or its script, and injects the script
//! (and, after a failed build, the error overlay) into HTML responses.
//!
//! A URL is only ever a key into the portal's file map: nothing here touches
//! the file system, so nothing outside the portal can be served. Paths with
//! `..`, `.`, empty segments, backslashes or NUL (also percent-encoded) are
//! refused outright rather than normalised, so no spelling of a path can
//! reach a file under another name.

use std::sync::Arc;
use std::time::Duration;

use super::state::{Live, Snapshot};

/// The live-reload script, served at [`LIVE_JS`].
const LIVE_SCRIPT: &str = include_str!("live.js");
/// The overlay's style, served at [`LIVE_CSS`].
const LIVE_STYLE: &str = include_str!("live.css");

/// Internal endpoints; the portal has no `__aimsc` folder, so they cannot collide.
pub const EVENTS: &str = "/__aimsc/events";
pub const LIVE_JS: &str = "/__aimsc/live.js";
pub const LIVE_CSS: &str = "/__aimsc/live.css";

/// How long a live-reload request is held open when nothing changes; the
/// script asks again at once, so this only bounds idle connections.
pub const HOLD: Duration = Duration::from_secs(25);

/// A response, before it is written to the socket.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Target of a redirect (`dir` → `dir/`).
    pub location: Option<String>,
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            body: body.into(),
            location: None,
        }
    }

    fn text(status: u16, text: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", text)
    }
}

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// The live-reload long poll; `since` is the version the page was served at.
    Events {
        since: Option<u64>,
    },
    /// A file of the portal, by its key in the file map.
    File(String),
    /// `dir` where `dir/index.html` exists: relative links need the slash.
    AddSlash(String),
    LiveJs,
    LiveCss,
    BadRequest,
}

/// Routes a request target (`/path?query`). Only paths the portal could
/// hold come out as [`Route::File`]; whether the file exists is decided by
/// the lookup in [`respond`].
pub fn route(target: &str) -> Route {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let path = path.split('#').next().unwrap_or("");
    match path {
        EVENTS => {
            let since = query
                .into_iter()
                .flat_map(|q| q.split('&'))
                .find_map(|kv| kv.strip_prefix("since="))
                .and_then(|v| v.parse().ok());
            return Route::Events { since };
        }
        LIVE_JS => return Route::LiveJs,
        LIVE_CSS => return Route::LiveCss,
        _ => {}
    }
    let Some(decoded) = percent_decode(path) else {
        return Route::BadRequest;
    };
    let Some(rel) = decoded.strip_prefix('/') else {
        return Route::BadRequest;
    };
    if rel.is_empty() {
        return Route::File("index.html".into());
    }
    let (dirs, dir_index) = match rel.strip_suffix('/') {
        Some(d) => (d, true),
        None => (rel, false),
    };
    let safe = dirs
        .split('/')
        .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(['\\', '\0']));
    if !safe {
        return Route::BadRequest;
    }
    if dir_index {
        Route::File(format!("{dirs}/index.html"))
    } else {
        Route::File(dirs.to_string())
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is
/// not UTF-8 (no file of the portal has such a name).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes what may not stand in a URL path as it is (a header value must
/// stay one line whatever the name).
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Content-Type of a portal file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What is added to every served HTML page: the overlay when the latest
/// build failed, and the live-reload script carrying the page's version.
/// No inline script or style, so a strict CSP allowing 'self' still holds.
fn injection(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    if let Some(failure) = &snapshot.failure {
        let serving = if snapshot.portal.is_some() {
            "The portal below is the last one that built; it updates when the repository builds again."
        } else {
            "No portal has built yet; this page updates when the repository builds."
        };
        out.push_str(&format!(
            "<link rel=\"stylesheet\" href=\"{LIVE_CSS}\">\n\
             <div id=\"aimsc-overlay\" role=\"alert\" aria-labelledby=\"aimsc-overlay-title\">\
             <div class=\"aimsc-overlay-head\"><h2 id=\"aimsc-overlay-title\">aimsc: the repository does not build</h2>\
             <button type=\"button\" id=\"aimsc-overlay-close\">Hide</button></div>\
             <p>{serving}</p><pre>{}</pre></div>\n",
            escape_html(failure)
        ));
    }
    out.push_str(&format!(
        "<script src=\"{LIVE_JS}\" data-aimsc-version=\"{}\"></script>\n",
        snapshot.version
    ));
    out
}

/// `html` with the injection placed before its last `</body>` (or at the
/// end, for a page without one). The portal on disk never carries it.
pub fn inject(html: &[u8], snapshot: &Snapshot) -> Vec<u8> {
    let extra = injection(snapshot);
    let at = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// A small HTML page of the server's own (404, nothing built yet), with the
/// injection so that it too reloads once the portal changes.
fn own_page(status: u16, title: &str, message: &str, snapshot: &Snapshot) -> Reply {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · aimsc serve</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{message}</p>\n\
         <p><a href=\"/\">Dashboard</a></p>\n</body>\n</html>\n"
    );
    Reply::new(status, "text/html; charset=utf-8", inject(html.as_bytes(), snapshot))
}

/// The response to a request for anything but the live-reload events.
pub fn respond(snapshot: &Snapshot, route: &Route) -> Reply {
    match route {
        Route::LiveJs => Reply::new(200, "text/javascript; charset=utf-8", LIVE_SCRIPT),
        Route::LiveCss => Reply::new(200, "text/css; charset=utf-8", LIVE_STYLE),
        Route::Events { .. } => events(snapshot),
        Route::BadRequest => Reply::text(400, "400 bad request: not a path of the portal\n"),
        Route::AddSlash(to) => {
            let mut r = Reply::text(301, "moved\n");
            r.location = Some(to.clone());
            r
        }
        Route::File(key) => {
            let Some(portal) = &snapshot.portal else {
                return own_page(
                    503,
                    "The portal has not built yet",
                    "aimsc serve is waiting for the repository to build.",
                    snapshot,
                );
            };
            if let Some(bytes) = portal.files.get(key) {
                let ctype = content_type(key);
                let body = if ctype.starts_with("text/html") {
                    inject(bytes, snapshot)
                } else {
                    bytes.clone()
                };
                return Reply::new(200, ctype, body);
            }
            if portal.files.contains_key(&format!("{key}/index.html")) {
                return respond(snapshot, &Route::AddSlash(format!("/{}/", percent_encode(key))));
            }
            own_page(
                404,
                "Not found",
                &format!("The portal has no page <code>{}</code>.", escape_html(key)),
                snapshot,
            )
        }
    }
}

/// The live-reload answer: the current version and whether it built.
pub fn events(snapshot: &Snapshot) -> Reply {
    let body = format!(
        "{{\"version\":{},\"ok\":{}}}\n",
        snapshot.version,
        snapshot.failure.is_none()
    );
    Reply::new(200, "application/json", body)
}

/// Whether a request's `Host` may be answered. A server on the loopback
/// address answers only loopback names, so a web page that rebinds its own
/// DNS name to 127.0.0.1 cannot read the portal through the visitor's browser.
pub fn host_allowed(host: Option<&str>, loopback_only: bool) -> bool {
    let Some(host) = host else {
        // Browsers always send Host; a client that does not is no browser.
        return true;
    };
    if !loopback_only {
        return true;
    }
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    let name = name.trim_end_matches('.');
    name.eq_ignore_ascii_case("localhost")
        || name.to_ascii_lowercase().ends_with(".localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Answers one request; a long poll waits here, on its own thread.
pub fn handle(request: tiny_http::Request, live: &Arc<Live>, loopback_only: bool) {
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    let reply = if !host_allowed(host.as_deref(), loopback_only) {
        Reply::text(
            403,
            "403 forbidden: this server answers only requests addressed to localhost\n",
        )
    } else if !matches!(request.method(), tiny_http::Method::Get | tiny_http::Method::Head) {
        Reply::text(405, "405 method not allowed\n")
    } else {
        match route(request.url()) {
            Route::Events { since: Some(since) } => events(&live.wait_change(since, HOLD)),
            r => respond(&live.snapshot(), &r),
        }
    };
    let _ = request.respond(to_response(reply));
}

fn header(name: &str, value: &str) -> Option<tiny_http::Header> {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn to_response(reply: Reply) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    // The whole body is in memory, so its length is known: sent with
    // Content-Length, never chunked, whatever its size.
    let mut response = tiny_http::Response::from_data(reply.body)
        .with_status_code(reply.status)
        .with_chunked_threshold(usize::MAX);
    let headers = [
        header("Content-Type", reply.content_type),
        // Every build replaces the portal; a cached page would hide the change.
        header("Cache-Control", "no-store"),
        header("X-Content-Type-Options", "nosniff"),
        reply.location.as_deref().and_then(|l| header("Location", l)),
    ];
    for h in headers.into_iter().flatten() {
        response.add_header(h);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::state::Portal;

    fn snapshot() -> Snapshot {
        Snapshot {
            version: 3,
            portal: Some(Arc::new(Portal::new(vec![
                ("index.html".into(), b"<html><body><p>home</p></body></html>".to_vec()),
                ("soa/index.html".into(), b"<body>soa</body>".to_vec()),
                ("assets/style.css".into(), b"body{}".to_vec()),
                ("documents/POL 1.html".into(), b"<BODY>pol</BODY>".to_vec()),
            ]))),
            failure: None,
        }
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        for bad in [
            "/../Cargo.toml",
            "/assets/../../etc/passwd",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E%2fCargo.toml",
            "/assets/%2e%2e/%2e%2e/etc/passwd",
            "/..%5c..%5cCargo.toml",
            "/assets\\..\\..\\Cargo.toml",
            "//etc/passwd",
            "/./index.html",
            "/assets//style.css",
            "/%00",
            "/%zz",
            "/%ff",
            "etc/passwd",
            "",
        ] {
            assert_eq!(route(bad), Route::BadRequest, "{bad}");
            assert_eq!(respond(&snapshot(), &route(bad)).status, 400, "{bad}");
        }
        // A double encoding decodes once, to a name that is simply not in the portal.
        assert_eq!(respond(&snapshot(), &route("/%252e%252e/Cargo.toml")).status, 404);
        // An absolute file system path is only a key that does not exist.
        assert_eq!(respond(&snapshot(), &route("/etc/passwd")).status, 404);
    }

    #[test]
    fn paths_map_to_files_and_index_pages() {
        let s = snapshot();
        assert_eq!(route("/"), Route::File("index.html".into()));
        assert_eq!(route("/?x=1#top"), Route::File("index.html".into()));
        assert_eq!(route("/soa/"), Route::File("soa/index.html".into()));
        let r = respond(&s, &route("/soa"));
        assert_eq!((r.status, r.location.as_deref()), (301, Some("/soa/")));
        assert_eq!(percent_encode("a b/\r\nc.html"), "a%20b/%0D%0Ac.html");
        let r = respond(&s, &route("/documents/POL%201.html"));
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type, "text/html; charset=utf-8");
        let r = respond(&s, &route("/assets/style.css"));
        assert_eq!(
            (r.status, r.content_type, r.body.as_slice()),
            (200, "text/css; charset=utf-8", &b"body{}"[..])
        );
        let r = respond(&s, &route("/missing.html"));
        assert_eq!(r.status, 404);
        assert!(String::from_utf8_lossy(&r.body).contains(LIVE_JS));
        assert_eq!(
            content_type("downloads/soa.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(content_type("x"), "application/octet-stream");
    }

    #[test]
    fn html_gets_the_script_and_the_overlay_escaped() {
        let mut s = snapshot();
        let page = String::from_utf8(respond(&s, &route("/")).body).unwrap();
        assert!(
            page.ends_with("<script src=\"/__aimsc/live.js\" data-aimsc-version=\"3\"></script>\n</body></html>"),
            "{page}"
        );
        assert!(!page.contains("aimsc-overlay"));
        s.failure = Some("error: bad <script>alert(1)</script> & more".into());
        let page = String::from_utf8(respond(&s, &route("/documents/POL%201.html")).body).unwrap();
        assert!(
            page.contains("bad &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"),
            "{page}"
        );
        assert!(page.contains("id=\"aimsc-overlay\""));
        assert!(page.trim_end().ends_with("</BODY>"), "{page}");
        // Non-HTML files are served as they are.
        assert_eq!(respond(&s, &route("/assets/style.css")).body, b"body{}");
        // Nothing built yet: every page says so, with the overlay.
        s.portal = None;
        let r = respond(&s, &route("/"));
        assert_eq!(r.status, 503);
        assert!(String::from_utf8_lossy(&r.body).contains("aimsc-overlay"));
    }

    #[test]
    fn events_report_version_and_outcome() {
        let mut s = snapshot();
        assert_eq!(route("/__aimsc/events?since=12"), Route::Events { since: Some(12) });
        assert_eq!(route("/__aimsc/events"), Route::Events { since: None });
        assert_eq!(events(&s).body, b"{\"version\":3,\"ok\":true}\n");
        s.failure = Some("x".into());
        assert_eq!(events(&s).body, b"{\"version\":3,\"ok\":false}\n");
    }

    #[test]
    fn only_loopback_hosts_on_a_loopback_server() {
        for ok in [
            "127.0.0.1:8000",
            "localhost:8000",
            "LOCALHOST",
            "[::1]:8000",
            "127.1.2.3",
            "app.localhost:1",
        ] {
            assert!(host_allowed(Some(ok), true), "{ok}");
        }
        for bad in [
            "evil.example:8000",
            "192.168.1.2:8000",
            "[2001:db8::1]:80",
            "localhost.evil.example",
        ] {
            assert!(!host_allowed(Some(bad), true), "{bad}");
            assert!(host_allowed(Some(bad), false), "{bad}");
        }
        assert!(host_allowed(None, true));
    }
}
