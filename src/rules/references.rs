//! References between documents: `references`, `[[ID]]` in bodies, the AI
//! systems a risk, scope or assessment names, the documents a record
//! evidences, and relative Markdown links with their anchors.

use crate::diagnostics::{Diagnostic, Level, Rule};
use crate::model::document::{closest, did_you_mean};
use crate::model::vocab::DocType;
use crate::model::{Document, Project, Sp};

use super::Context;
use super::requirements::{resolve, resolve_standard};

pub static DANGLING_REFERENCE: Rule = Rule {
    code: "AIM030",
    name: "dangling-reference",
    default_level: Level::Error,
    summary: "a document ID that no document has, or a document of the wrong type",
    docs: "IDs are how documents point at each other: `references`, `[[POL-001]]` in the body, \
`ai_systems` of a risk or the scope, `ai_system` of an impact assessment, `evidence_for` of a \
record. A reference to a missing document breaks the traceability chain an auditor follows \
(risk → control → document → evidence).\n\nFix: correct the ID (the message suggests the \
nearest one) or add the missing document.",
};

pub static BROKEN_LINK: Rule = Rule {
    code: "AIM031",
    name: "broken-link",
    default_level: Level::Error,
    summary: "a relative link to a file that is not in the repository",
    docs: "Relative Markdown links are checked against the files of the repository. A link that \
leaves the repository (`../../other-repo/x.md`) is broken too: the portal is built from this \
repository only.\n\nFix: correct the path, relative to the linking file.",
};

pub static BROKEN_ANCHOR: Rule = Rule {
    code: "AIM032",
    name: "broken-anchor",
    default_level: Level::Error,
    summary: "a link to a heading anchor that the target does not have",
    docs: "`policy.md#roles` needs a heading whose GitHub-style slug is `roles` (lower case, spaces \
to `-`, punctuation dropped) or an explicit `{#roles}` attribute. Anchors break silently when a \
heading is renamed; aimsc catches it.",
};

pub static ALL: &[&Rule] = &[&DANGLING_REFERENCE, &BROKEN_LINK, &BROKEN_ANCHOR];

/// Checks every ID-based reference.
pub fn check_references(cx: &Context, out: &mut Vec<Diagnostic>) {
    let p = cx.project;
    for doc in &p.documents {
        for r in &doc.references {
            expect_doc(p, doc, r, None, "references", out);
        }
        if let Some(s) = doc.scope() {
            for r in &s.ai_systems {
                expect_doc(p, doc, r, Some(DocType::AiSystem), "ai_systems", out);
            }
        }
        if let Some(risk) = doc.risk() {
            for r in &risk.ai_systems {
                expect_doc(p, doc, r, Some(DocType::AiSystem), "ai_systems", out);
            }
        }
        if let Some(ia) = doc.impact_assessment()
            && let Some(r) = &ia.ai_system
        {
            expect_doc(p, doc, r, Some(DocType::AiSystem), "ai_system", out);
        }
        if let Some(rec) = doc.record() {
            for r in &rec.evidence_for {
                expect_doc(p, doc, r, None, "evidence_for", out);
            }
        }
        for r in &doc.body.id_refs {
            let sp = Sp::new(r.id.clone(), r.span.clone());
            match &r.standard {
                None => expect_doc(p, doc, &sp, None, "body", out),
                Some(key) => match resolve_standard(cx, doc, &Sp::new(key.clone(), r.span.clone())) {
                    Ok(catalog) => {
                        if catalog.get(&r.id).is_none()
                            && let Err(d) = resolve(cx.catalogs, catalog, doc, &sp)
                        {
                            out.push(d);
                        }
                    }
                    Err(d) => out.push(d),
                },
            }
        }
    }
}

fn expect_doc(
    p: &Project,
    doc: &Document,
    r: &Sp<String>,
    want: Option<DocType>,
    field: &str,
    out: &mut Vec<Diagnostic>,
) {
    match p.document(&r.value) {
        Some(target) => {
            if let Some(t) = want.filter(|t| *t != target.doc_type) {
                out.push(
                    Diagnostic::new(
                        &DANGLING_REFERENCE,
                        format!("`{}` is a {} document, not an {t}", r.value, target.doc_type),
                    )
                    .at(doc.loc(&r.span))
                    .help(format!(
                        "`{field}` names {t} documents; {} is \"{}\" in {}",
                        r.value,
                        target.title,
                        target.path()
                    )),
                );
            }
        }
        None => {
            let candidates: Vec<&str> = p
                .documents
                .iter()
                .filter(|d| want.is_none_or(|t| d.doc_type == t))
                .map(|d| d.id.value.as_str())
                .collect();
            let help = match closest(&r.value, &candidates, 0.9) {
                Some(s) => format!("did you mean `{s}`?"),
                None => match want {
                    Some(t) => format!("no {t} document has this ID; add one or correct the ID"),
                    None => "no document has this ID; correct it or add the document".to_string(),
                },
            };
            let whr = if field == "body" {
                "referenced in the body".to_string()
            } else {
                format!("named in `{field}`")
            };
            out.push(
                Diagnostic::new(
                    &DANGLING_REFERENCE,
                    format!("no document has the ID `{}` {whr}", r.value),
                )
                .at(doc.loc(&r.span))
                .label("unknown document ID")
                .help(help),
            );
        }
    }
}

/// Checks relative links and their anchors.
pub fn check_links(cx: &Context, out: &mut Vec<Diagnostic>) {
    let p = cx.project;
    for doc in &p.documents {
        for link in &doc.body.links {
            let dest = link.dest.trim();
            if dest.is_empty() || is_external(dest) {
                continue;
            }
            let (path_part, anchor) = match dest.split_once('#') {
                Some((a, b)) => (a, Some(b)),
                None => (dest, None),
            };
            let path_part = path_part.split('?').next().unwrap_or("");
            let target = if path_part.is_empty() {
                Some(doc.path().to_string())
            } else {
                resolve_path(doc.path(), &percent_decode(path_part))
            };
            let Some(target) = target else {
                out.push(
                    Diagnostic::new(&BROKEN_LINK, format!("link `{dest}` points outside the repository"))
                        .at(doc.loc(&link.span))
                        .help("link only to files in this repository; use a full https:// URL for anything else"),
                );
                continue;
            };
            let folder = format!("{target}/");
            let exists = p.files.contains(&target)
                || p.files
                    .range(folder.clone()..)
                    .next()
                    .is_some_and(|f| f.starts_with(&folder));
            if !exists {
                out.push(
                    Diagnostic::new(&BROKEN_LINK, format!("link target `{path_part}` does not exist"))
                        .at(doc.loc(&link.span))
                        .label(format!("resolves to `{target}`"))
                        .help(
                            near_file(p, &target).map_or("check the path; it is relative to this file".into(), |f| {
                                format!("did you mean `{f}`?")
                            }),
                        ),
                );
                continue;
            }
            if let (Some(anchor), Some(anchors)) = (anchor.filter(|a| !a.is_empty()), p.anchors(&target)) {
                let anchor = percent_decode(anchor);
                if !anchors.contains(&anchor.as_str()) {
                    let help = match did_you_mean(&anchor, &anchors) {
                        Some(a) => format!("did you mean `#{a}`?"),
                        None if anchors.is_empty() => format!("`{target}` has no headings"),
                        None => format!(
                            "headings of `{target}`: {}",
                            anchors
                                .iter()
                                .take(8)
                                .map(|a| format!("#{a}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    out.push(
                        Diagnostic::new(&BROKEN_ANCHOR, format!("`{target}` has no heading `#{anchor}`"))
                            .at(doc.loc(&link.span))
                            .help(help),
                    );
                }
            }
        }
    }
}

fn is_external(dest: &str) -> bool {
    dest.starts_with("//")
        || dest.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && scheme.len() > 1
        })
}

/// Resolves `rel` against the folder of `from`; `None` when it leaves the repository.
pub fn resolve_path(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    if !rel.starts_with('/') {
        parts.pop();
    }
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn near_file<'a>(p: &'a Project, target: &str) -> Option<&'a str> {
    let name = target.rsplit('/').next().unwrap_or(target);
    p.files
        .iter()
        .filter(|f| f.ends_with(".md"))
        .map(|f| {
            (
                strsim::jaro_winkler(name, f.rsplit('/').next().unwrap_or(f)),
                f.as_str(),
            )
        })
        .filter(|(s, _)| *s > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(
            resolve_path("policies/a.md", "../procedures/b.md").as_deref(),
            Some("procedures/b.md")
        );
        assert_eq!(resolve_path("a.md", "./b.md").as_deref(), Some("b.md"));
        assert_eq!(resolve_path("a.md", "../b.md"), None);
        assert_eq!(percent_decode("my%20file.md"), "my file.md");
        assert!(is_external("https://example.com"));
        assert!(is_external("mailto:x@y"));
        assert!(!is_external("a.md"));
    }
}
