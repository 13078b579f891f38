//! Standard keys and requirement IDs: every clause or control ID a document
//! names is resolved against the catalogs, and a wrong one is explained
//! (old 2013 numbering, a lettered sub-item, a whole group, the other
//! standard's ID, a typo) with what was probably meant.

use crate::catalog::{Catalog, Catalogs, Entry, Kind};
use crate::diagnostics::{Diagnostic, Level, Rule};
use crate::model::document::did_you_mean;
use crate::model::{Document, Sp, StandardIds};

use super::Context;

pub static UNKNOWN_STANDARD: Rule = Rule {
    code: "AIM020",
    name: "unknown-standard",
    default_level: Level::Error,
    summary: "a standard key that aimsc does not know",
    docs: "Claims are made per standard (`satisfies: {iso42001: [...]}`), because ISO 27001 6.1.2 \
and ISO 42001 6.1.2 are different requirements. An unknown key (`iso27k`, `ISO42001`) would \
claim nothing, so it is an error.\n\nKnown keys: `iso27001` (ISO/IEC 27001:2022), `iso42001` \
(ISO/IEC 42001:2023).",
};

pub static UNKNOWN_REQUIREMENT: Rule = Rule {
    code: "AIM021",
    name: "unknown-requirement",
    default_level: Level::Error,
    summary: "a clause or control ID that does not exist in the named standard",
    docs: "Every ID is checked against the catalog of its standard. The message says what the ID \
probably meant:\n\n- ISO/IEC 27001:2013 numbering (`A.9.2.1`) and the 2022 control that replaced it;\n\
- a lettered sub-item (`6.1.2.d`): claim the clause `6.1.2`;\n- an ID of the other standard \
(`A.8.16` under `iso42001`);\n- ISO 42001 numbering, which starts at `.2` in each Annex A group;\n\
- stray spaces, tabs, lower case or leading zeros;\n- the nearest existing ID.\n\nAn unknown ID \
counts for nothing in coverage.",
};

pub static REQUIREMENT_GROUP: Rule = Rule {
    code: "AIM022",
    name: "requirement-group",
    default_level: Level::Warning,
    summary: "a whole Annex A group or a parent clause is claimed instead of its items",
    docs: "`A.8` is a group of 34 controls and `6.1` a clause with sub-clauses. Claiming the group \
says nothing about which controls the document implements, so it counts for none of them.\n\nFix: \
list the controls or sub-clauses the document really addresses.",
};

pub static STANDARD_NOT_ENABLED: Rule = Rule {
    code: "AIM023",
    name: "standard-not-enabled",
    default_level: Level::Warning,
    summary: "a claim for a standard that `aimsc.toml` does not enable",
    docs: "Claims for a standard that is not in `standards` of `aimsc.toml` are checked for valid \
IDs but count for no coverage.\n\nFix: add the standard to `standards`, or remove the claims.",
};

pub static ALL: &[&Rule] = &[
    &UNKNOWN_STANDARD,
    &UNKNOWN_REQUIREMENT,
    &REQUIREMENT_GROUP,
    &STANDARD_NOT_ENABLED,
];

/// Resolves a standard key; on failure returns the diagnostic to report.
// The diagnostic is this function's product, not an exceptional path.
#[allow(clippy::result_large_err)]
pub fn resolve_standard<'c>(cx: &'c Context, doc: &Document, key: &Sp<String>) -> Result<&'c Catalog, Diagnostic> {
    if let Some(c) = cx.catalogs.get(&key.value) {
        return Ok(c);
    }
    let keys = cx.catalogs.keys();
    let squashed: String = key
        .value
        .to_ascii_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let guess = keys
        .iter()
        .copied()
        .find(|k| squashed.starts_with(*k) || squashed.replace("iec", "") == *k)
        .or_else(|| did_you_mean(&key.value, &keys));
    let mut help = format!("known standards: {}", keys.join(", "));
    if let Some(g) = guess {
        help = format!("did you mean `{g}`? {help}");
    }
    Err(
        Diagnostic::new(&UNKNOWN_STANDARD, format!("unknown standard `{}`", key.value))
            .at(doc.loc(&key.span))
            .label("not a standard aimsc knows")
            .help(help),
    )
}

#[allow(clippy::result_large_err)]
/// Resolves a requirement ID in `catalog`. `Ok` holds a claimable entry; `Err`
/// the diagnostic explaining what is wrong and what was probably meant.
pub fn resolve<'c>(
    catalogs: &'c Catalogs,
    catalog: &'c Catalog,
    doc: &Document,
    id: &Sp<String>,
) -> Result<&'c Entry, Diagnostic> {
    let raw = id.value.as_str();
    let at = doc.loc(&id.span);
    let unknown = |msg: String| Diagnostic::new(&UNKNOWN_REQUIREMENT, msg).at(at.clone());
    let name = &catalog.short_name;
    if let Some(e) = catalog.get(raw) {
        if catalog.is_claimable(raw) {
            return Ok(e);
        }
        let leaves = catalog.leaves_under(raw);
        let what = if e.kind == Kind::Group {
            "Annex A group"
        } else {
            "clause"
        };
        let items = if e.kind == Kind::Group {
            "controls"
        } else {
            "sub-clauses"
        };
        return Err(Diagnostic::new(
            &REQUIREMENT_GROUP,
            format!("`{raw}` is the {name} {what} \"{}\", not a single requirement", e.title),
        )
        .at(at)
        .label(format!("{} {items}", leaves.len()))
        .help(format!(
            "list the {items} this document addresses: {}",
            abbreviate(&leaves)
        )));
    }

    // Stray whitespace, case, leading zeros, "Clause 5.2", "A 5.1".
    let normal = normalise(raw);
    if normal != raw && catalog.is_claimable(&normal) {
        let shown = raw.escape_debug().to_string();
        return Err(unknown(format!("`{shown}` is not written as an {name} ID"))
            .label("write the ID exactly")
            .help(format!("write `{normal}` ({})", title(catalog, &normal))));
    }

    // A lettered sub-item: 6.1.2.d, 6.1.2(d), 6.1.2 d)
    if let Some((parent, item)) = split_lettered(&normal)
        && catalog.is_claimable(parent)
    {
        return Err(unknown(format!(
            "`{raw}` names item {item}) of clause {parent}; aimsc tracks clauses, not their lettered items"
        ))
        .label("lettered sub-item")
        .help(format!(
            "claim `{parent}` ({}) and say which item in the body",
            title(catalog, parent)
        )));
    }

    // ISO/IEC 27001:2013 numbering.
    if let Some(new) = catalogs.legacy27001.replacement(&normal) {
        let iso27001 = catalogs.get("iso27001");
        let targets: Vec<String> = new
            .iter()
            .map(|n| match iso27001.and_then(|c| c.get(n)) {
                Some(e) => format!("{n} ({})", e.title),
                None => n.clone(),
            })
            .collect();
        let mut d = unknown(format!(
            "`{raw}` is ISO/IEC 27001:2013 numbering, which the 2022 edition replaced"
        ))
        .label("2013 control ID")
        .help(format!("in ISO/IEC 27001:2022 this is {}", targets.join(" and ")));
        if catalog.key != "iso27001" {
            d = d.note(format!(
                "it is an ISO 27001 control: list it under `iso27001`, not `{}`",
                catalog.key
            ));
        }
        return Err(d);
    }

    // An ID of another standard.
    for other in catalogs.list.iter().filter(|c| c.key != catalog.key) {
        if let Some(e) = other.get(&normal).filter(|_| other.is_claimable(&normal)) {
            return Err(unknown(format!(
                "`{raw}` is not an {name} requirement; it is {} {} \"{}\"",
                other.short_name,
                kind_word(e.kind),
                e.title
            ))
            .label(format!("not in {name}"))
            .help(format!(
                "move it to `{}:`, or name the {name} requirement this document addresses",
                other.key
            )));
        }
    }

    // ISO 42001 Annex A numbering starts at .2 in each group.
    if catalog.key == "iso42001" && normal.starts_with("A.") && normal.ends_with(".1") {
        let group = &normal[..normal.len() - 2];
        if let Some(g) = catalog.get(group) {
            let first = catalog.leaves_under(group);
            return Err(unknown(format!(
                "`{raw}` is not an ISO 42001 control: control numbers in group {group} start at .2"
            ))
            .label(format!("{group}.1 is the objective of \"{}\"", g.title))
            .help(format!("the controls of {group} are {}", abbreviate(&first))));
        }
    }

    let group = normal.rsplit_once('.').map(|(g, _)| g);
    let siblings: Vec<&str> = group
        .map(|g| catalog.leaves_under(g).iter().map(|e| e.id.as_str()).collect())
        .unwrap_or_default();
    let claimable: Vec<&str> = catalog
        .entries
        .iter()
        .filter(|e| catalog.is_claimable(&e.id))
        .map(|e| e.id.as_str())
        .collect();
    // A typo most likely stays inside its group (A.3.4 → A.3.3, not A.2.4).
    let near = nearest_id(&normal, &siblings).or_else(|| nearest_id(&normal, &claimable));
    let mut d = unknown(format!("`{raw}` is not an {name} clause or control")).label(format!("unknown {name} ID"));
    // A control in an existing group: list the group's controls.
    match (group.and_then(|g| catalog.get(g).map(|e| (g, e))), near) {
        (Some((g, e)), near) if catalog.has_children(g) => {
            let mut help = format!("{g} \"{}\" has {}", e.title, abbreviate(&catalog.leaves_under(g)));
            if let Some(n) = near {
                help = format!("did you mean `{n}` ({})? {help}", title(catalog, n));
            }
            d = d.help(help);
        }
        (_, Some(n)) => d = d.help(format!("did you mean `{n}` ({})?", title(catalog, n))),
        _ => d = d.help(format!("list the IDs with `aimsc catalog {}`", catalog.key)),
    }
    Err(d)
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Clause => "clause",
        Kind::Group => "group",
        Kind::Control => "control",
    }
}

fn title<'c>(catalog: &'c Catalog, id: &str) -> &'c str {
    catalog.get(id).map_or("", |e| e.title.as_str())
}

/// `A.5.1, A.5.2 … A.5.37 (37)` for long lists.
fn abbreviate(entries: &[&Entry]) -> String {
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    if ids.len() <= 6 {
        ids.join(", ")
    } else {
        format!("{}, {} … {} ({} in all)", ids[0], ids[1], ids[ids.len() - 1], ids.len())
    }
}

/// Canonical spelling of an ID as people mistype it.
pub fn normalise(raw: &str) -> String {
    let mut s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    for prefix in ["Clause", "clause", "§", "Control", "control"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    let s = s.trim_end_matches('.');
    let (annex, rest) = match s.strip_prefix(['A', 'a']) {
        Some(r) => (true, r.trim_start_matches('.')),
        None => (false, s),
    };
    let parts: Vec<String> = rest
        .split('.')
        .map(|p| {
            let t = p.trim_start_matches('0');
            if t.is_empty() && !p.is_empty() {
                "0".into()
            } else {
                t.to_string()
            }
        })
        .collect();
    let joined = parts.join(".");
    if annex { format!("A.{joined}") } else { joined }
}

/// `6.1.2.d` / `6.1.2(d)` / `6.1.2d)` → ("6.1.2", 'd').
fn split_lettered(id: &str) -> Option<(&str, char)> {
    let trimmed = id.trim_end_matches(')');
    let last = trimmed.chars().last()?;
    if !last.is_ascii_lowercase() {
        return None;
    }
    let head = &trimmed[..trimmed.len() - 1];
    let head = head.trim_end_matches(['.', '(']);
    if head.is_empty() || !head.chars().last()?.is_ascii_digit() {
        return None;
    }
    Some((head, last))
}

/// The closest ID by edit distance, when it is close.
fn nearest_id<'a>(id: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(id, c), *c))
        .filter(|(d, _)| *d <= 1)
        .min_by_key(|(d, c)| (*d, c.len().abs_diff(id.len()), last_number(c).abs_diff(last_number(id))))
        .map(|(_, c)| c)
}

fn last_number(id: &str) -> u64 {
    id.rsplit('.').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Checks the `satisfies` claims of every document and the controls each
/// risk selects.
pub fn check_claims(cx: &Context, out: &mut Vec<Diagnostic>) {
    for doc in &cx.project.documents {
        check_id_lists(cx, doc, &doc.satisfies, out);
        if let Some(risk) = doc.risk() {
            check_id_lists(cx, doc, &risk.controls, out);
        }
    }
}

fn check_id_lists(cx: &Context, doc: &Document, lists: &[StandardIds], out: &mut Vec<Diagnostic>) {
    for list in lists {
        let catalog = match resolve_standard(cx, doc, &list.standard) {
            Ok(c) => c,
            Err(d) => {
                out.push(d);
                continue;
            }
        };
        if !cx.is_enabled(&catalog.key) && !list.ids.is_empty() {
            out.push(
                Diagnostic::new(
                    &STANDARD_NOT_ENABLED,
                    format!(
                        "{} is not enabled in aimsc.toml; these claims count for nothing",
                        catalog.short_name
                    ),
                )
                .at(doc.loc(&list.standard.span))
                .help(format!(
                    "add \"{}\" to `standards` in aimsc.toml, or remove the list",
                    catalog.key
                )),
            );
        }
        for id in &list.ids {
            if let Err(d) = resolve(cx.catalogs, catalog, doc, id) {
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_misspellings() {
        assert_eq!(normalise("A.5.1\t"), "A.5.1");
        assert_eq!(normalise("a.05.01"), "A.5.1");
        assert_eq!(normalise("Clause 5.2"), "5.2");
        assert_eq!(normalise("A 8.16"), "A.8.16");
        assert_eq!(normalise("6.1.2."), "6.1.2");
    }

    #[test]
    fn splits_lettered_items() {
        assert_eq!(split_lettered("6.1.2.d"), Some(("6.1.2", 'd')));
        assert_eq!(split_lettered("6.1.2(d)"), Some(("6.1.2", 'd')));
        assert_eq!(split_lettered("6.1.2d)"), Some(("6.1.2", 'd')));
        assert_eq!(split_lettered("A.5.1"), None);
    }
}
