//! The Statements of Applicability as files auditors open in their own
//! tools: CSV (with the csv crate, so quoting is right) and a real .xlsx
//! workbook (rust_xlsxwriter), both straight from the report's SoA rows. The
//! workbook's creation date is the build date, so it is byte-for-byte
//! reproducible like the rest of the portal.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::SiteError;
use crate::analysis::report::{Report, StandardReport};

const HEADERS: &[&str] = &[
    "Standard",
    "Control",
    "Title",
    "Group",
    "Applicable",
    "Justification",
    "Declared status",
    "State",
    "Implementing documents",
    "Pending documents",
    "Selecting risks",
    "Evidence",
];

fn state_name(s: crate::rules::State) -> &'static str {
    match s {
        crate::rules::State::Covered => "implemented",
        crate::rules::State::Excluded => "excluded",
        crate::rules::State::Gap => "gap",
        crate::rules::State::Undecided => "undecided",
    }
}

fn cells(s: &StandardReport) -> Vec<[String; 12]> {
    s.controls
        .iter()
        .map(|r| {
            [
                s.key.clone(),
                r.control.clone(),
                r.title.clone(),
                r.group.clone(),
                match r.applicable {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
                r.justification.clone().unwrap_or_default(),
                r.status.clone().unwrap_or_default(),
                state_name(r.state).into(),
                r.documents.join(" "),
                r.pending.join(" "),
                r.risks.join(" "),
                r.evidence.join(" "),
            ]
        })
        .collect()
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first)
/// gets a leading apostrophe, as OWASP advises for CSV exports: document text
/// must not become a formula on an auditor's machine.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The SoA of one standard as CSV (UTF-8, header row, `\n` line ends).
pub fn soa_csv(s: &StandardReport) -> Result<Vec<u8>, SiteError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let err = |e: csv::Error| SiteError::new(format!("cannot write the {} SoA as CSV: {e}", s.short_name));
    w.write_record(HEADERS).map_err(err)?;
    for row in cells(s) {
        w.write_record(row.iter().map(|c| defuse(c).into_owned()))
            .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| SiteError::new(format!("cannot write the {} SoA as CSV: {e}", s.short_name)))
}

/// The SoA of one standard as an .xlsx workbook with a document-control sheet.
pub fn soa_xlsx(report: &Report, s: &StandardReport) -> Result<Vec<u8>, SiteError> {
    xlsx(report, s).map_err(|e| SiteError::new(format!("cannot write the {} SoA as .xlsx: {e}", s.short_name)))
}

fn xlsx(report: &Report, s: &StandardReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let created = report
        .generated
        .parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).ok())
        .map_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1), Ok)?;
    let title = match &s.soa {
        Some(soa) => soa.title.clone(),
        None => format!("Statement of Applicability - {}", s.name),
    };
    book.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_author("aimsc")
            .set_company(report.organisation.as_deref().unwrap_or(""))
            .set_creation_datetime(&created),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color("#EAEEF2")
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);

    let sheet = book.add_worksheet();
    sheet.set_name("SoA")?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &header)?;
    }
    let rows = cells(s);
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string_with_format(r as u32 + 1, c as u16, v, &wrap)?;
        }
    }
    for (c, w) in [10, 10, 36, 8, 11, 60, 15, 12, 24, 20, 20, 20].iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(1, 2)?;
    sheet.autofilter(0, 0, rows.len() as u32, HEADERS.len() as u16 - 1)?;
    sheet.set_landscape();
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_header(format!("&L{}&R&P / &N", title.replace('&', "&&")));

    let control = book.add_worksheet();
    control.set_name("Document control")?;
    let soa = s.soa.as_ref();
    let field = |v: Option<&String>| v.cloned().unwrap_or_default();
    let lines: Vec<(&str, String)> = vec![
        ("Organisation", report.organisation.clone().unwrap_or_default()),
        ("Standard", s.name.clone()),
        ("Document", soa.map_or(String::new(), |d| d.id.clone())),
        ("Title", title.clone()),
        ("Status", soa.map_or("no SoA".into(), |d| d.status.clone())),
        ("Version", field(soa.and_then(|d| d.version.as_ref()))),
        ("Owner", field(soa.and_then(|d| d.owner.as_ref()))),
        ("Approved by", field(soa.and_then(|d| d.approved_by.as_ref()))),
        ("Approved on", field(soa.and_then(|d| d.approved_on.as_ref()))),
        ("Next review", field(soa.and_then(|d| d.next_review.as_ref()))),
        ("Source", soa.map_or(String::new(), |d| d.path.clone())),
        ("Generated", report.generated.clone()),
    ];
    for (r, (k, v)) in lines.iter().enumerate() {
        control.write_string_with_format(r as u32, 0, *k, &header)?;
        control.write_string(r as u32, 1, v)?;
    }
    control.set_column_width(0, 16)?;
    control.set_column_width(1, 70)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("Needed for GDPR"), "Needed for GDPR");
    }
}
