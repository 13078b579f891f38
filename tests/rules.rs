//! One test per rule: its fixture under `tests/fixtures/rules/CODE.txt` has a
//! case `fires` where the rule must report and a case `passes` where it must
//! not; the human diagnostics of `fires` are snapshotted.

mod common;

use common::*;

fn run_rule(code: &str) {
    let path = format!("{}/tests/fixtures/rules/{code}.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("rule {code} needs a fixture at {path}"));
    let cases = parse_fixture(&text);
    let fires = cases.get("fires").expect("a `#! fires` case");
    let passes = cases.get("passes").expect("a `#! passes` case");

    let dir = write_case(fires);
    let (_, report) = check_json(dir.path());
    let found = codes(&report);
    assert!(found.iter().any(|c| c == code), "{code} should fire; found {found:?}");
    let human = aimsc(&["check", ".", "--today", TODAY, "--color", "never"], dir.path());
    let only: Vec<&str> = human
        .stdout
        .split("\n\n")
        .filter(|block| block.contains(&format!("[{code}]")))
        .collect();
    insta::assert_snapshot!(code, only.join("\n\n"));

    let dir = write_case(passes);
    let (_, report) = check_json(dir.path());
    let found = codes(&report);
    assert!(
        !found.iter().any(|c| c == code),
        "{code} should not fire in `passes`; found {found:?}"
    );
}

/// Rules that need a Git history, which a fixture file cannot hold: their
/// firing and not-firing tests build real repositories in these files.
const TESTED_ELSEWHERE: &[(&str, &str)] = &[("AIM070", "tests/history.rs"), ("AIM071", "tests/history.rs")];

macro_rules! rule_tests {
    ($($name:ident => $code:literal),+ $(,)?) => {
        $(#[test] fn $name() { run_rule($code); })+

        #[test]
        fn every_rule_has_a_test() {
            let tested = [$($code),+];
            for rule in aimsc::rules::registry() {
                let elsewhere = TESTED_ELSEWHERE.iter().any(|(code, _)| *code == rule.code);
                assert!(tested.contains(&rule.code) || elsewhere, "rule {} ({}) has no fixture test", rule.code, rule.name);
            }
        }
    };
}

rule_tests! {
    yaml_syntax => "AIM001",
    unclosed_front_matter => "AIM002",
    front_matter_not_mapping => "AIM003",
    unreadable_file => "AIM004",
    invalid_config => "AIM005",
    invalid_catalog_file => "AIM006",
    missing_field => "AIM010",
    unknown_field => "AIM011",
    invalid_value => "AIM012",
    duplicate_id => "AIM013",
    placeholder_value => "AIM014",
    duplicate_key => "AIM015",
    unknown_standard => "AIM020",
    unknown_requirement => "AIM021",
    requirement_group => "AIM022",
    standard_not_enabled => "AIM023",
    dangling_reference => "AIM030",
    broken_link => "AIM031",
    broken_anchor => "AIM032",
    clause_not_covered => "AIM040",
    control_not_implemented => "AIM041",
    soa_missing => "AIM042",
    soa_control_missing => "AIM043",
    soa_no_justification => "AIM044",
    soa_implemented_unbacked => "AIM045",
    claim_of_excluded_control => "AIM046",
    soa_title_mismatch => "AIM047",
    soa_duplicate => "AIM048",
    soa_incomplete_entry => "AIM049",
    soa_not_approved => "AIM050",
    approval_incomplete => "AIM051",
    review_overdue => "AIM052",
    review_not_scheduled => "AIM053",
    copied_soa_justification => "AIM060",
    ai_control_without_ai_document => "AIM061",
    ai_system_incomplete => "AIM062",
    scope_ai_system_mismatch => "AIM063",
    impact_assessment_missing => "AIM064",
    risk_incomplete => "AIM065",
    risk_control_not_applicable => "AIM066",
    unknown_annex_c_term => "AIM067",
    life_cycle_control_excluded_by_builder => "AIM068",
}
