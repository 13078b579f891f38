//! JSON Schema (draft-07) for the front matter of each document type, with
//! the vocabularies and the catalogs' clause and control IDs as enums, so
//! that editors can flag a wrong field or control ID while typing.
//!
//! Generated from the same field tables and vocabularies the loader reads,
//! so the schema and the checker cannot disagree on what a field is.

use serde_json::{Value, json};

use super::document::{COMMON_FIELDS, SOA_ENTRY_FIELDS, type_fields};
use super::vocab::*;
use crate::catalog::Catalogs;

fn vocab<T: Vocab>() -> Value {
    json!({"type": "string", "enum": T::names(), "description": format!("A {}.", T::WHAT)})
}

fn date() -> Value {
    json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "A date, YYYY-MM-DD."})
}

fn text(description: &str) -> Value {
    json!({"type": "string", "minLength": 1, "description": description})
}

fn list(items: Value, description: &str) -> Value {
    json!({"type": "array", "items": items, "description": description})
}

fn id_ref(description: &str) -> Value {
    json!({"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$", "description": description})
}

/// `{iso42001: [...], iso27001: [...]}` with each standard's claimable IDs.
fn requirement_map(catalogs: &Catalogs, controls_only: bool, description: &str) -> Value {
    let mut props = serde_json::Map::new();
    for c in &catalogs.list {
        let ids: Vec<&str> = c
            .entries
            .iter()
            .filter(|e| {
                if controls_only {
                    e.kind == crate::catalog::Kind::Control
                } else {
                    c.is_claimable(&e.id)
                }
            })
            .map(|e| e.id.as_str())
            .collect();
        props.insert(
            c.key.clone(),
            json!({"type": "array", "items": {"type": "string", "enum": ids}, "description": format!("{} IDs.", c.name)}),
        );
    }
    json!({"type": "object", "properties": props, "additionalProperties": false, "description": description})
}

fn field(name: &str, t: DocType, catalogs: &Catalogs) -> Value {
    let iso42001 = catalogs.get("iso42001");
    match name {
        "id" => id_ref("Unique document ID, e.g. POL-AI-001."),
        "title" => text("Document title."),
        "type" => json!({"const": t.as_str()}),
        "owner" => text("Accountable role or person."),
        "status" => vocab::<Status>(),
        "version" => json!({"type": ["string", "number"], "description": "Document version."}),
        "approved_by" => text("Who approved the document."),
        "approved_on" | "next_review" | "assessed_on" | "recorded_on" => date(),
        "review_every" => {
            json!({"type": "string", "pattern": "^[0-9]+ (day|week|month|year)s?$", "description": "Review period, e.g. 12 months."})
        }
        "satisfies" => requirement_map(
            catalogs,
            false,
            "Clauses and Annex A controls this document implements, per standard.",
        ),
        "references" => list(id_ref("A document ID."), "Documents this one relies on."),
        "tags" => list(json!({"type": "string"}), "Free labels."),
        "summary" => text("One-line summary."),
        "standard" => {
            json!({"type": "string", "enum": catalogs.keys(), "description": "The standard this SoA is for."})
        }
        "controls" if t == DocType::Soa => {
            let entry = json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["applicable"],
                "properties": {
                    "applicable": {"type": "boolean"},
                    "status": vocab::<ImplStatus>(),
                    "justification": text("Why the control is included or excluded."),
                    "title": text("The control's title, as your SoA shows it."),
                },
            });
            debug_assert_eq!(SOA_ENTRY_FIELDS.len(), 4);
            let ids: Vec<&str> = catalogs
                .list
                .iter()
                .flat_map(|c| c.controls().map(|e| e.id.as_str()))
                .collect();
            json!({"type": "object", "propertyNames": {"enum": ids}, "additionalProperties": entry, "description": "A decision for every Annex A control."})
        }
        "controls" => requirement_map(catalogs, true, "Controls chosen to treat the risk, per standard."),
        "standards" => list(
            json!({"type": "string", "enum": catalogs.keys()}),
            "Standards the scope covers.",
        ),
        "ai_systems" => list(id_ref("An ai-system document ID."), "AI systems concerned."),
        "units" => list(json!({"type": "string"}), "Organisational units in scope."),
        "locations" => list(json!({"type": "string"}), "Locations in scope."),
        "exclusions" => list(
            json!({"type": "object", "additionalProperties": false, "required": ["item"], "properties": {"item": {"type": "string"}, "reason": {"type": "string"}}}),
            "What is excluded from scope, with reasons.",
        ),
        "purpose" => text("What the AI system is for."),
        "roles" => list(vocab::<Role>(), "The organisation's roles for the system."),
        "risk_level" => vocab::<RiskLevel>(),
        "lifecycle_stage" => vocab::<Stage>(),
        "in_scope" | "organisational" => json!({"type": "boolean"}),
        "likelihood" => vocab::<Likelihood>(),
        "severity" => vocab::<RiskSeverity>(),
        "treatment" => vocab::<Treatment>(),
        "objectives" => list(
            json!({"type": "string", "enum": iso42001.map(|c| c.objectives.iter().map(|t| t.id.as_str()).collect::<Vec<_>>()).unwrap_or_default()}),
            "ISO 42001 Annex C objectives.",
        ),
        "risk_sources" => list(
            json!({"type": "string", "enum": iso42001.map(|c| c.risk_sources.iter().map(|t| t.id.as_str()).collect::<Vec<_>>()).unwrap_or_default()}),
            "ISO 42001 Annex C risk sources.",
        ),
        "ai_system" => id_ref("The assessed ai-system document ID."),
        "affects" => list(vocab::<Affected>(), "Who the assessment covers."),
        "evidence_for" => list(
            id_ref("A document ID."),
            "Documents whose operation this record evidences.",
        ),
        _ => json!({}),
    }
}

/// The schema of one document type's front matter.
pub fn for_type(t: DocType, catalogs: &Catalogs) -> Value {
    let mut props = serde_json::Map::new();
    for name in COMMON_FIELDS.iter().chain(type_fields(t)) {
        props.insert(name.to_string(), field(name, t, catalogs));
    }
    let mut required = vec!["id", "title", "type"];
    if t == DocType::Soa {
        required.extend(["standard", "controls"]);
    }
    if t == DocType::ImpactAssessment {
        required.push("ai_system");
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": format!("aimsc {} front matter", t.as_str()),
        "type": "object",
        "required": required,
        "properties": props,
        "additionalProperties": false,
    })
}

/// One schema for every document type, chosen by `type`.
pub fn all(catalogs: &Catalogs) -> Value {
    let types: Vec<Value> = DocType::VALUES
        .iter()
        .map(|(_, t)| {
            let mut s = for_type(*t, catalogs);
            if let Some(o) = s.as_object_mut() {
                o.remove("$schema");
            }
            json!({"if": {"properties": {"type": {"const": t.as_str()}}, "required": ["type"]}, "then": s})
        })
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://aimsc.dev/schema/front-matter.json",
        "title": "aimsc document front matter",
        "type": "object",
        "required": ["id", "title", "type"],
        "properties": {"type": vocab::<DocType>()},
        "allOf": types,
    })
}
