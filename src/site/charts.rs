//! The dashboard's charts, drawn at build time as inline SVG: no script, no
//! font and nothing fetched, so they print and work from file://. Each chart
//! carries a text alternative with the same figures, and every figure comes
//! from the report's coverage (itself from the ledger).

use std::fmt::Write;

use crate::analysis::report::{StandardReport, Summary};

/// Colours of the states, shared with the stylesheet (`--c-...`); each has at
/// least 3:1 contrast against white, as graphics need.
pub const IMPLEMENTED: &str = "#1a7f37";
pub const GAP: &str = "#bc4c00";
pub const EXCLUDED: &str = "#6e7781";
pub const UNDECIDED: &str = "#8250df";
pub const PARTIAL: &str = "#0969da";
pub const PLANNED: &str = "#9a6700";
pub const NOT_IMPLEMENTED: &str = "#cf222e";
pub const ERROR: &str = "#cf222e";
pub const WARNING: &str = "#9a6700";
pub const INFO: &str = "#0969da";
const TRACK: &str = "#eaeef2";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal stacked bar of `parts` (label, count, colour), 100% wide.
fn stacked(label: &str, parts: &[(&str, usize, &str)]) -> String {
    let total: usize = parts.iter().map(|p| p.1).sum();
    let alt: Vec<String> = parts.iter().map(|(l, n, _)| format!("{n} {l}")).collect();
    let alt = format!("{label}: {}", alt.join(", "));
    let mut s = format!(
        r#"<svg class="chart bar" viewBox="0 0 400 24" preserveAspectRatio="none" role="img" aria-label="{}"><title>{}</title>"#,
        esc(&alt),
        esc(&alt)
    );
    let _ = write!(
        s,
        r#"<rect x="0" y="0" width="400" height="24" rx="3" fill="{TRACK}"/>"#
    );
    if total > 0 {
        let mut x = 0.0f64;
        for (_, n, colour) in parts {
            if *n == 0 {
                continue;
            }
            let w = 400.0 * (*n as f64) / (total as f64);
            let _ = write!(
                s,
                r##"<rect x="{x:.2}" y="0" width="{w:.2}" height="24" fill="{colour}" stroke="#fff" stroke-width="1"/>"##
            );
            x += w;
        }
    }
    s.push_str("</svg>");
    s
}

/// A ring showing `done` of `total`, with the percentage in the middle.
fn donut(label: &str, done: usize, total: usize, colour: &str) -> String {
    let pct = if total == 0 { 0.0 } else { done as f64 / total as f64 };
    let r = 42.0f64;
    let circumference = 2.0 * std::f64::consts::PI * r;
    let dash = circumference * pct;
    let shown = if total == 0 {
        "n/a".to_string()
    } else {
        format!("{}%", (pct * 100.0).floor() as u32)
    };
    let alt = format!("{label}: {done} of {total}");
    format!(
        r##"<svg class="chart donut" viewBox="0 0 100 100" role="img" aria-label="{a}"><title>{a}</title><circle cx="50" cy="50" r="{r}" fill="none" stroke="{TRACK}" stroke-width="12"/><circle cx="50" cy="50" r="{r}" fill="none" stroke="{colour}" stroke-width="12" stroke-dasharray="{dash:.2} {circumference:.2}" transform="rotate(-90 50 50)"/><text x="50" y="50" text-anchor="middle" dominant-baseline="central" font-size="20" font-weight="700" fill="#1f2328">{shown}</text></svg>"##,
        a = esc(&alt),
    )
}

/// Annex A controls implemented out of the applicable ones.
pub fn controls_ring(s: &StandardReport) -> String {
    let c = &s.coverage;
    donut(
        &format!("{} applicable Annex A controls implemented", s.short_name),
        c.controls_implemented,
        c.controls_applicable,
        IMPLEMENTED,
    )
}

/// Every Annex A control by state.
pub fn controls_bar(s: &StandardReport) -> String {
    let c = &s.coverage;
    stacked(
        &format!("{} Annex A controls ({})", s.short_name, c.controls),
        &[
            ("implemented", c.controls_implemented, IMPLEMENTED),
            ("gap", c.controls_gap, GAP),
            ("excluded", c.controls_excluded, EXCLUDED),
            ("undecided", c.controls_undecided, UNDECIDED),
        ],
    )
}

/// Clauses addressed out of all lowest-level clauses.
pub fn clauses(s: &StandardReport) -> String {
    let c = &s.coverage;
    stacked(
        &format!("{} clauses ({})", s.short_name, c.clauses),
        &[
            ("addressed", c.clauses_addressed, IMPLEMENTED),
            ("not addressed", c.clauses - c.clauses_addressed.min(c.clauses), GAP),
        ],
    )
}

/// Implementation status as the SoA declares it, for the applicable controls.
pub fn declared(s: &StandardReport) -> String {
    let c = &s.coverage;
    stacked(
        &format!("{} SoA declared status", s.short_name),
        &[
            ("implemented", c.declared_implemented, IMPLEMENTED),
            ("partial", c.declared_partial, PARTIAL),
            ("planned", c.declared_planned, PLANNED),
            ("not implemented", c.declared_not_implemented, NOT_IMPLEMENTED),
        ],
    )
}

/// Findings by severity as three bars on one scale.
pub fn findings(sum: &Summary) -> String {
    let rows = [
        ("errors", sum.errors, ERROR),
        ("warnings", sum.warnings, WARNING),
        ("infos", sum.infos, INFO),
    ];
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let alt: Vec<String> = rows.iter().map(|(l, n, _)| format!("{n} {l}")).collect();
    let alt = format!("Findings: {}", alt.join(", "));
    let mut s = format!(
        r#"<svg class="chart findings" viewBox="0 0 400 96" role="img" aria-label="{a}"><title>{a}</title>"#,
        a = esc(&alt)
    );
    for (i, (label, n, colour)) in rows.iter().enumerate() {
        let y = i as f64 * 32.0;
        let w = 300.0 * (*n as f64) / (max as f64);
        let _ = write!(
            s,
            r##"<text x="0" y="{ty:.0}" font-size="13" fill="#1f2328">{label}</text><rect x="72" y="{y:.0}" width="300" height="22" rx="3" fill="{TRACK}"/><rect x="72" y="{y:.0}" width="{w:.2}" height="22" rx="3" fill="{colour}"/><text x="{tx:.0}" y="{ty:.0}" font-size="13" font-weight="700" fill="#1f2328">{n}</text>"##,
            ty = y + 16.0,
            tx = 72.0 + w.max(0.0) + 6.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// Colour of a gap-analysis state: covered as implemented, reuse as partial
/// work, new as a gap, excluded as excluded.
pub const REUSE: &str = PARTIAL;

/// One group of the gap analysis as a stacked bar.
pub fn gaps_bar(label: &str, g: &crate::analysis::gaps::GroupTotals) -> String {
    stacked(
        label,
        &[
            ("covered", g.covered, IMPLEMENTED),
            ("reuse", g.reuse, REUSE),
            ("new", g.new, GAP),
            ("excluded", g.excluded, EXCLUDED),
        ],
    )
}
