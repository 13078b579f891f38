//! The rules the loader itself reports: problems that stop a file or a field
//! from being read. Checks across documents live in `crate::rules`.

use crate::diagnostics::{Level, Rule};

pub static YAML_SYNTAX: Rule = Rule {
    code: "AIM001",
    name: "yaml-syntax",
    default_level: Level::Error,
    summary: "front matter is not valid YAML",
    docs: "The front matter between the `---` lines could not be parsed as YAML, so none of the \
document's fields can be read and the document is left out of coverage.\n\n\
Typical causes: a tab used for indentation, a `:` inside an unquoted value, an unclosed quote or \
bracket.\n\n```yaml\ntitle: Policy: AI use      # second ':' confuses YAML\n```\n\nFix: quote the value \
(`title: \"Policy: AI use\"`).",
};

pub static UNCLOSED_FRONT_MATTER: Rule = Rule {
    code: "AIM002",
    name: "unclosed-front-matter",
    default_level: Level::Error,
    summary: "a file opens a `---` front matter block but never closes it",
    docs: "A Markdown file whose first line is `---` is a governed document. Its front matter must \
end with a line that is exactly `---`. Without it aimsc cannot tell metadata from body, and the \
file is not silently skipped: that would hide a policy from the audit.\n\nFix: add the closing \
`---` line after the last field.",
};

pub static FRONT_MATTER_NOT_MAPPING: Rule = Rule {
    code: "AIM003",
    name: "front-matter-not-mapping",
    default_level: Level::Error,
    summary: "front matter is YAML but not a mapping of fields",
    docs: "Front matter must be a mapping (`field: value` lines). A list (`- id: X`) or a bare \
value cannot hold a document's fields.\n\nFix: write one `field: value` per line.",
};

pub static UNREADABLE_FILE: Rule = Rule {
    code: "AIM004",
    name: "unreadable-file",
    default_level: Level::Error,
    summary: "a file could not be read as UTF-8 text",
    docs: "aimsc reads documents as UTF-8. A file in another encoding (Windows-1252, UTF-16) or with \
stray binary bytes is reported with the line of the first bad byte.\n\nFix: re-save the file as \
UTF-8 (most editors: *Save with encoding*).",
};

pub static INVALID_CONFIG: Rule = Rule {
    code: "AIM005",
    name: "invalid-config",
    default_level: Level::Error,
    summary: "`aimsc.toml` has a syntax error, an unknown key or a wrong value",
    docs: "The repository configuration is strict so that a misspelt key (`standard` for \
`standards`) cannot silently change what is checked.\n\nFix: see docs/format.md for the keys; the \
message names the one that is wrong.",
};

pub static MISSING_FIELD: Rule = Rule {
    code: "AIM010",
    name: "missing-field",
    default_level: Level::Error,
    summary: "a required front matter field is missing",
    docs: "Every document needs `id`, `title` and `type`; some types need more (an SoA needs \
`standard` and `controls`, an impact assessment its `ai_system`). A document without `id` or a \
valid `type` cannot be indexed and counts for nothing.\n\nFix: add the field named in the message.",
};

pub static UNKNOWN_FIELD: Rule = Rule {
    code: "AIM011",
    name: "unknown-field",
    default_level: Level::Error,
    summary: "a front matter field that aimsc does not know",
    docs: "Unknown fields are errors, not ignored: `aproved_by` would otherwise leave a document \
looking unapproved, and `satisfy` would silently claim nothing. The message suggests the nearest \
known field, and says when the field belongs to another document type.\n\n```yaml\nownr: CISO   # \
did you mean `owner`?\n```",
};

pub static INVALID_VALUE: Rule = Rule {
    code: "AIM012",
    name: "invalid-value",
    default_level: Level::Error,
    summary: "a field has the wrong kind of value or a value outside its vocabulary",
    docs: "Each field has a type (text, date, list, mapping) and some a fixed vocabulary (`status`: \
draft, review, approved, retired). Values are read as YAML 1.2: `yes`/`no` are text, not \
booleans, so `applicable: no` is flagged instead of read as `false`.\n\nFix: use a value from the \
list in the help line; write dates as `YYYY-MM-DD`.",
};

pub static PLACEHOLDER: Rule = Rule {
    code: "AIM014",
    name: "placeholder-value",
    default_level: Level::Warning,
    summary: "a field holds a placeholder such as `TBD` instead of a value",
    docs: "Templates leave `owner: TBD` or `owner: [TBD]` (a YAML list!) behind. An auditor reads \
that as no owner at all. For approved documents a missing owner is also an approval error.\n\nFix: \
name the accountable role or person.",
};

pub static DUPLICATE_KEY: Rule = Rule {
    code: "AIM015",
    name: "duplicate-key",
    default_level: Level::Error,
    summary: "the same key appears twice in one mapping",
    docs: "YAML parsers disagree on which of two equal keys wins; aimsc refuses to guess. Common in \
SoAs where a control was pasted twice with different decisions.\n\nFix: keep one entry.",
};

pub static INVALID_EXTENSION: Rule = Rule {
    code: "AIM006",
    name: "invalid-catalog-file",
    default_level: Level::Error,
    summary: "a catalog or crosswalk file named in aimsc.toml is missing or invalid",
    docs: "A repository can add its own catalogs (`catalogs = [\"catalogs/internal.yaml\"]`) and \
add to or override the built-in ISO 42001 → ISO 27001 crosswalk (`crosswalks = [...]`). Each file \
must exist inside the repository and follow the format in docs/catalogs.md; the message says what \
is wrong. A broken file is left out and the run goes on.",
};

/// The loader's rules, for the registry.
pub static ALL: &[&Rule] = &[
    &YAML_SYNTAX,
    &UNCLOSED_FRONT_MATTER,
    &FRONT_MATTER_NOT_MAPPING,
    &UNREADABLE_FILE,
    &INVALID_CONFIG,
    &INVALID_EXTENSION,
    &MISSING_FIELD,
    &UNKNOWN_FIELD,
    &INVALID_VALUE,
    &PLACEHOLDER,
    &DUPLICATE_KEY,
];
