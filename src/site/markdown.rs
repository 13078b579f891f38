//! Document bodies as portal HTML: Markdown rendered with pulldown-cmark
//! (the same extensions the checker parses with), then sanitised with
//! ammonia, which is also where every link is rewritten. Doing all URL work
//! in ammonia's attribute filter means links written in Markdown and links in
//! raw HTML get the same treatment: `[[ID]]`, `[[std:ID]]` and relative `.md`
//! links become portal pages, links that leave the repository or reach a file
//! the portal does not publish lose their `href`, and nothing executable
//! (scripts, event handlers, `javascript:` URLs, forms, frames) survives.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use crate::model::body::{Heading, markdown_options};

/// Scheme of the internal URLs `[[...]]` references are turned into before
/// sanitising; resolved (or dropped) by the attribute filter.
const REF_SCHEME: &str = "aimsc:";

/// Where each thing the body may link to lives in the portal, relative to
/// the portal root. Built once per build and shared by every page.
#[derive(Debug, Default)]
pub struct Links {
    /// Page of each document ID (the first document with that ID).
    pub by_id: HashMap<String, String>,
    /// Page of each governed file, by repository path.
    pub by_path: HashMap<String, String>,
    /// Requirements that have a page, as (standard, id).
    pub requirements: HashSet<(String, String)>,
}

impl Links {
    pub fn requirement_page(standard: &str, id: &str) -> String {
        format!("requirements/{standard}/{id}.html")
    }

    pub fn requirement(&self, standard: &str, id: &str) -> Option<String> {
        self.requirements
            .contains(&(standard.to_string(), id.to_string()))
            .then(|| Links::requirement_page(standard, id))
    }

    pub fn document(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }
}

/// Renders one document body (`src` is the Markdown after the front
/// matter) for a page `root` levels below the portal root (`""`, `"../"`).
/// `headings` are the anchors the checker computed, so links checked against
/// them land on the same ids here. A first heading that repeats `title` is
/// left out (the page shows the title already); its anchor stays.
pub fn render(src: &str, headings: &[Heading], title: &str, doc_path: &str, root: &str, links: &Arc<Links>) -> String {
    let mut next_heading = 0;
    let mut first = true;
    let mut skipping = false;
    let drops_title = headings
        .first()
        .is_some_and(|h| h.text.eq_ignore_ascii_case(title.trim()))
        && src.trim_start().starts_with('#');
    // The document's top heading level becomes h2 (the page's h1 is the
    // title), and no heading skips a level, as HTML outline checkers require.
    let top = headings
        .iter()
        .skip(usize::from(drops_title))
        .map(|h| h.level)
        .min()
        .unwrap_or(1);
    let mut prev: u8 = 1;
    let mut open: Vec<HeadingLevel> = Vec::new();
    let events = Parser::new_ext(src, markdown_options()).flat_map(|event| {
        let is_first = std::mem::take(&mut first);
        if skipping {
            if let Event::End(TagEnd::Heading(_)) = event {
                skipping = false;
            }
            return Vec::new();
        }
        let out: Vec<Event> = match event {
            Event::Start(Tag::Heading { .. }) if is_first && drops_title => {
                next_heading += 1;
                skipping = true;
                let anchor = headings.first().map_or(String::new(), |h| h.anchor.clone());
                vec![Event::Html(
                    format!("<span id=\"{}\"></span>\n", escape_attr(&anchor)).into(),
                )]
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                let anchor = headings.get(next_heading).map(|h| h.anchor.clone());
                next_heading += 1;
                let wanted = (level as u8).saturating_sub(top).saturating_add(2).clamp(2, 6);
                let emitted = wanted.min(prev + 1);
                prev = emitted;
                let level = heading_level(emitted);
                open.push(level);
                vec![Event::Start(Tag::Heading {
                    level,
                    id: anchor.map(CowStr::from).or(id),
                    classes: Vec::new(),
                    attrs: Vec::new(),
                })]
            }
            Event::End(TagEnd::Heading(level)) => vec![Event::End(TagEnd::Heading(open.pop().unwrap_or(level)))],
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                title,
                id,
            }) => {
                let dest = dest_url.trim();
                let url = match dest.split_once(':') {
                    Some((std, req)) => format!("{REF_SCHEME}req/{}/{}", std.trim(), req.trim()),
                    None => format!("{REF_SCHEME}doc/{dest}"),
                };
                vec![Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url: url.into(),
                    title,
                    id,
                })]
            }
            // Images would load from outside the portal (or from repository
            // files it does not publish): they become links labelled with their alt text.
            Event::Start(Tag::Image {
                dest_url, title, id, ..
            }) => vec![
                Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url,
                    title,
                    id,
                }),
                Event::Text("Image: ".into()),
            ],
            Event::End(TagEnd::Image) => vec![Event::End(TagEnd::Link)],
            // A checkbox without a label is an accessibility failure; the marker says the same as text.
            Event::TaskListMarker(done) => vec![Event::Text(if done { "☑ " } else { "☐ " }.into())],
            other => vec![other],
        };
        out
    });
    let mut html = String::with_capacity(src.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    sanitiser(doc_path, root, links).clean(&html).to_string()
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

fn heading_level(n: u8) -> HeadingLevel {
    match n {
        0..=2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn sanitiser(doc_path: &str, root: &str, links: &Arc<Links>) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    // Everything an image, form or embedded frame could fetch or run is gone.
    b.rm_tags(["img"]);
    b.url_schemes(HashSet::from(["http", "https", "mailto", "aimsc"]));
    b.link_rel(None);
    b.add_generic_attributes(["id"]);
    b.add_allowed_classes("div", ["footnote-definition"]);
    b.add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"]);
    b.add_allowed_classes("span", ["unpublished"]);
    b.filter_style_properties(HashSet::from(["text-align"]));
    b.add_tag_attributes("th", ["style"]);
    b.add_tag_attributes("td", ["style"]);
    b.set_tag_attribute_value("th", "scope", "col");
    let ctx = LinkContext {
        doc_dir: doc_path.rsplit_once('/').map_or(String::new(), |(d, _)| d.to_string()),
        root: root.to_string(),
        links: links.clone(),
    };
    b.attribute_filter(move |element, attribute, value| {
        if element == "a" && attribute == "href" {
            ctx.href(value).map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(value))
        }
    });
    b
}

struct LinkContext {
    /// Folder of the document, repository-relative (`""` at the root).
    doc_dir: String,
    root: String,
    links: Arc<Links>,
}

impl LinkContext {
    /// The portal URL for a link written in a document, or `None` to drop
    /// the `href` (the text stays).
    fn href(&self, value: &str) -> Option<String> {
        let value = value.trim();
        if let Some(reference) = value.strip_prefix(REF_SCHEME) {
            return self.reference(reference);
        }
        if value.starts_with('#') {
            return Some(value.to_string());
        }
        // Protocol-relative URLs would leave the portal (from file:// they name a host).
        if value.starts_with("//") || value.starts_with('\\') {
            return None;
        }
        if has_scheme(value) {
            // ammonia has already limited schemes to http, https and mailto.
            return Some(value.to_string());
        }
        self.relative(value)
    }

    fn reference(&self, reference: &str) -> Option<String> {
        if let Some(id) = reference.strip_prefix("doc/") {
            return self.links.document(id).map(|p| format!("{}{p}", self.root));
        }
        let (standard, id) = reference.strip_prefix("req/")?.split_once('/')?;
        self.links
            .requirement(standard, id)
            .map(|p| format!("{}{p}", self.root))
    }

    /// A relative link resolved against the document's folder. It reaches a
    /// page only when it names a governed document inside the repository.
    fn relative(&self, value: &str) -> Option<String> {
        let (path, fragment) = match value.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (value, None),
        };
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        if path.is_empty() {
            return fragment.map(|f| format!("#{f}"));
        }
        let path = percent_decode(path)?;
        let mut parts: Vec<&str> = if path.starts_with('/') {
            Vec::new()
        } else {
            self.doc_dir.split('/').filter(|s| !s.is_empty()).collect()
        };
        for seg in path.split('/') {
            match seg {
                "" | "." => {}
                // Above the repository root: never followed.
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        let target = parts.join("/");
        let page = self.links.by_path.get(&target)?;
        Some(match fragment {
            Some(f) if !f.is_empty() => format!("{}{page}#{f}", self.root),
            _ => format!("{}{page}", self.root),
        })
    }
}

fn has_scheme(value: &str) -> bool {
    match value.find(':') {
        Some(i) => !value[..i].contains(['/', '?', '#']) && i > 0,
        None => false,
    }
}

/// Decodes `%XX` escapes; `None` for invalid UTF-8 or a decoded `/`-trick (`%2F`).
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%' && i + 3 <= bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b'/' | b'\\') => return None,
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> Arc<Links> {
        let mut l = Links::default();
        l.by_id.insert("POL-1".into(), "documents/POL-1.html".into());
        l.by_path.insert("policies/p.md".into(), "documents/POL-1.html".into());
        l.requirements.insert(("iso42001".into(), "A.2.2".into()));
        Arc::new(l)
    }

    fn r(src: &str) -> String {
        render(src, &[], "", "procedures/x.md", "../", &links())
    }

    #[test]
    fn rewrites_references_and_relative_links() {
        let html = r("See [[POL-1]], [[iso42001:A.2.2]], [p](../policies/p.md#roles) and [[NOPE]].");
        assert!(
            html.contains(r#"<a href="../documents/POL-1.html">POL-1</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="../requirements/iso42001/A.2.2.html">iso42001:A.2.2</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="../documents/POL-1.html#roles">p</a>"#),
            "{html}"
        );
        assert!(html.contains("<a>NOPE</a>"), "{html}");
    }

    #[test]
    fn drops_links_out_of_the_repository() {
        let html = r("[a](../../../etc/passwd.md) [b](//evil.example/x) [c](https://example.com/)");
        assert!(html.contains("<a>a</a>"), "{html}");
        assert!(html.contains("<a>b</a>"), "{html}");
        assert!(html.contains(r#"<a href="https://example.com/">c</a>"#), "{html}");
    }

    #[test]
    fn removes_scripts_handlers_and_javascript_urls() {
        let html = r(
            "<script>alert(1)</script>\n\n<p onclick=\"x()\">t</p>\n\n[x](javascript:alert(1)) <a href=\"JaVaScRiPt:alert(2)\">y</a> <img src=x onerror=alert(3)> <iframe src=\"https://e.x\"></iframe>\n\n![pic](https://e.x/p.png)",
        );
        let lower = html.to_lowercase();
        for bad in [
            "<script",
            "onclick",
            "onerror",
            "javascript:",
            "<img",
            "<iframe",
            "alert(",
        ] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains(r#"<a href="https://e.x/p.png">Image: pic</a>"#), "{html}");
    }

    #[test]
    fn headings_keep_the_checker_anchors_below_the_page_title() {
        let body = crate::model::body::Body::parse("# Roles\n\n## Roles\n", 0);
        let html = render("# Roles\n\n## Roles\n", &body.headings, "Other", "x.md", "", &links());
        assert!(html.contains(r#"<h2 id="roles">Roles</h2>"#), "{html}");
        assert!(html.contains(r#"<h3 id="roles-1">Roles</h3>"#), "{html}");
        let html = render("# Roles\n\n## Roles\n", &body.headings, "roles", "x.md", "", &links());
        assert!(html.starts_with(r#"<span id="roles"></span>"#), "{html}");
        assert!(html.contains(r#"<h2 id="roles-1">Roles</h2>"#), "{html}");
        // No level is skipped, whatever the document does.
        let body = crate::model::body::Body::parse("# A\n\n#### B\n", 0);
        let html = render("# A\n\n#### B\n", &body.headings, "T", "x.md", "", &links());
        assert!(html.contains(r#"<h3 id="b">B</h3>"#), "{html}");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b.md").as_deref(), Some("a b.md"));
        assert_eq!(percent_decode("a%2F..").as_deref(), None);
        assert_eq!(percent_decode("a%2").as_deref(), Some("a%2"));
    }
}
