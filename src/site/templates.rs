//! The portal's tera templates and static assets: compiled into the binary
//! from the top-level `templates/` folder, and overridable per repository by
//! a file of the same name in the repository's own `templates/` folder.
//! Only those exact names are looked up, only regular files (never a
//! symbolic link, which could point out of the repository) are read, and a
//! broken override fails the build with its file and position.

use std::path::Path;

use tera::Tera;

use super::SiteError;

/// Templates rendered with tera, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("components.html", include_str!("../../templates/components.html")),
    ("base.html", include_str!("../../templates/base.html")),
    ("dashboard.html", include_str!("../../templates/dashboard.html")),
    ("soa.html", include_str!("../../templates/soa.html")),
    ("scope.html", include_str!("../../templates/scope.html")),
    ("traceability.html", include_str!("../../templates/traceability.html")),
    ("document.html", include_str!("../../templates/document.html")),
    ("requirement.html", include_str!("../../templates/requirement.html")),
    ("documents.html", include_str!("../../templates/documents.html")),
    ("ai-systems.html", include_str!("../../templates/ai-systems.html")),
    ("risks.html", include_str!("../../templates/risks.html")),
    ("findings.html", include_str!("../../templates/findings.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("gaps.html", include_str!("../../templates/gaps.html")),
];

/// Static files copied as they are (not templates: CSS and scripts use
/// braces freely), by name.
pub const ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("../../templates/style.css")),
    ("app.js", include_str!("../../templates/app.js")),
];

/// The templates in force for a repository, and its assets.
pub struct Theme {
    pub tera: Tera,
    pub assets: Vec<(&'static str, String)>,
    /// Names overridden by the repository, for the build summary.
    pub overridden: Vec<String>,
}

/// The repository's override of `name`, if it has one.
fn override_of(repo: &Path, name: &str) -> Result<Option<String>, SiteError> {
    let path = repo.join("templates").join(name);
    match std::fs::symlink_metadata(&path) {
        Err(_) => Ok(None),
        Ok(m) if m.file_type().is_symlink() => Err(SiteError::new(format!(
            "templates/{name} is a symbolic link; template overrides must be files inside the repository"
        ))),
        Ok(m) if !m.is_file() => Ok(None),
        Ok(_) => {
            // `templates/` itself may be a link; what is read must still be inside the repository.
            let inside = match (path.canonicalize(), repo.canonicalize()) {
                (Ok(p), Ok(r)) => p.starts_with(r),
                _ => false,
            };
            if !inside {
                return Err(SiteError::new(format!(
                    "templates/{name} resolves to a file outside the repository; template overrides must be inside it"
                )));
            }
            std::fs::read_to_string(&path)
                .map(Some)
                .map_err(|e| SiteError::new(format!("cannot read templates/{name}: {e}")))
        }
    }
}

/// Loads the built-in templates, replaced by the repository's own where it has them.
pub fn load(repo: &Path) -> Result<Theme, SiteError> {
    let mut overridden = Vec::new();
    let mut sources: Vec<(&str, String)> = Vec::new();
    for (name, text) in TEMPLATES {
        match override_of(repo, name)? {
            Some(own) => {
                overridden.push(name.to_string());
                sources.push((name, own));
            }
            None => sources.push((name, text.to_string())),
        }
    }
    let mut tera = Tera::default();
    tera.add_raw_templates(sources.iter().map(|(n, t)| (*n, t.as_str())))
        .map_err(|e| SiteError::new(format!("template error: {}", error_text(&e))))?;
    let mut assets = Vec::new();
    for (name, text) in ASSETS {
        match override_of(repo, name)? {
            Some(own) => {
                overridden.push(name.to_string());
                assets.push((*name, own));
            }
            None => assets.push((*name, text.to_string())),
        }
    }
    Ok(Theme {
        tera,
        assets,
        overridden,
    })
}

/// A tera error with its causes, on one line each.
pub fn error_text(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str("\n  ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
