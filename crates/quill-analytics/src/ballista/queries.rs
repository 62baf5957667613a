//! The SQL form of the five reports, `sql/datafusion_reports.sql`, split into one query per
//! report. The same file is what the tests check against the one-pass reports.

use crate::reports::Report;

const SQL: &str = include_str!("../../sql/datafusion_reports.sql");

/// The query of each report, in report order: the `-- name: STEM` sections of the file,
/// comment lines and the closing `;` dropped.
pub fn all() -> Vec<(Report, String)> {
    Report::ALL
        .iter()
        .filter_map(|report| {
            let marker = format!("-- name: {}\n", report.file_stem());
            let start = SQL.find(&marker)? + marker.len();
            let body = &SQL[start..];
            let end = body.find("-- name: ").unwrap_or(body.len());
            let sql: Vec<&str> = body[..end]
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect();
            Some((
                *report,
                sql.join("\n").trim().trim_end_matches(';').to_owned(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_has_one_query() {
        let queries = all();
        assert_eq!(
            queries.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
            Report::ALL
        );
        for (report, sql) in &queries {
            assert!(!sql.contains("-- name"), "{report:?}");
            assert!(!sql.ends_with(';'), "{report:?}");
            assert!(sql.contains("FROM"), "{report:?}");
        }
    }
}
