//! aimsc: a compiler for documentation-as-code compliance repositories
//! (ISO/IEC 27001:2022 and ISO/IEC 42001:2023).
//!
//! Stages, each depending only on those after it:
//! `cli` → `analysis` → `rules` → `model` / `catalog` → `diagnostics`.

pub mod analysis;
pub mod catalog;
pub mod cli;
pub mod diagnostics;
pub mod model;
pub mod rules;
pub mod scaffold;
pub mod serve;
pub mod site;
