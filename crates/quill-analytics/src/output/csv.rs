//! The CSV form of a report, byte for byte as docs/ANALYTICS.md specifies: `\n` endings, header
//! first, no quoting (no value can hold `,`, `"` or a newline).

use std::fmt::Write;

use crate::calendar;
use crate::reports::{Column, Table};

pub fn render(table: &Table) -> String {
    let mut out = String::with_capacity(64 + table.rows() * 24);
    let header: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in 0..table.rows() {
        for (i, (_, column)) in table.columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Writing to a String cannot fail.
            let _ = match column {
                Column::Int(v) => write!(out, "{}", v[row]),
                Column::Date(v) => write!(out, "{}", calendar::format_date(v[row])),
                Column::Text(v) => write!(out, "{}", v[row]),
            };
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::Report;

    #[test]
    fn rows_follow_the_header_with_unix_line_endings() {
        let table = Table {
            report: Report::Daily,
            columns: vec![
                ("day", Column::Date(vec![-1, 0])),
                ("posts", Column::Int(vec![3, 10])),
                ("word", Column::Text(vec!["café".into(), "x".into()])),
            ],
        };
        assert_eq!(
            render(&table),
            "day,posts,word\n1969-12-31,3,café\n1970-01-01,10,x\n"
        );
    }

    #[test]
    fn an_empty_report_is_its_header() {
        let table = Table {
            report: Report::Heatmap,
            columns: vec![("dow", Column::Int(vec![])), ("hour", Column::Int(vec![]))],
        };
        assert_eq!(render(&table), "dow,hour\n");
    }
}
