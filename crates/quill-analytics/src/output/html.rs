//! `index.html`: the run's figures and one SVG chart per report, readable without
//! JavaScript, plus the tables themselves.

use std::fmt::Write;
use std::time::Duration;

use crate::calendar;
use crate::reports::{Column, Report, RunFigures, Table};

const WIDTH: f64 = 760.0;
const CSS: &str = "body{font:15px/1.4 system-ui,sans-serif;max-width:820px;margin:2em auto;\
color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 10px;border-bottom:\
1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}svg{display:\
block;margin:.5em 0}.bar{fill:#3b6fb6}.line{fill:none;stroke:#3b6fb6;stroke-width:1.5}\
.line2{fill:none;stroke:#d9822b;stroke-width:1.5}text{font-size:11px;fill:#444}";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn ints(table: &Table, name: &str) -> Vec<i64> {
    match table.column(name) {
        Some(Column::Int(v) | Column::Date(v)) => v.clone(),
        _ => Vec::new(),
    }
}

fn cell(column: &Column, row: usize) -> String {
    match column {
        Column::Int(v) => v[row].to_string(),
        Column::Date(v) => calendar::format_date(v[row]),
        Column::Text(v) => escape(&v[row]),
    }
}

/// Horizontal bars, one per label.
fn hbars(out: &mut String, labels: &[String], values: &[i64]) {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let row = 16.0;
    let left = 120.0;
    let height = row * labels.len() as f64 + 4.0;
    let _ = write!(out, r#"<svg width="{WIDTH}" height="{height}" role="img">"#);
    for (i, (label, value)) in labels.iter().zip(values).enumerate() {
        let y = i as f64 * row;
        let w = (WIDTH - left - 80.0) * (*value as f64) / max;
        let _ = write!(
            out,
            r#"<text x="{tx}" y="{ty}" text-anchor="end">{label}</text><rect class="bar" x="{left}" y="{y}" width="{w:.1}" height="{h}"/><text x="{vx:.1}" y="{ty}">{value}</text>"#,
            tx = left - 6.0,
            ty = y + 12.0,
            label = escape(label),
            h = row - 3.0,
            vx = left + w + 4.0,
        );
    }
    out.push_str("</svg>");
}

/// Vertical bars with a label under each.
fn vbars(out: &mut String, labels: &[String], values: &[i64]) {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let (height, bottom) = (180.0, 20.0);
    let slot = WIDTH / labels.len().max(1) as f64;
    let _ = write!(out, r#"<svg width="{WIDTH}" height="{height}" role="img">"#);
    for (i, (label, value)) in labels.iter().zip(values).enumerate() {
        let h = (height - bottom - 16.0) * (*value as f64) / max;
        let x = i as f64 * slot;
        let _ = write!(
            out,
            r#"<rect class="bar" x="{bx:.1}" y="{y:.1}" width="{bw:.1}" height="{h:.1}"/><text x="{cx:.1}" y="{ly}" text-anchor="middle">{label}</text><text x="{cx:.1}" y="{vy:.1}" text-anchor="middle">{value}</text>"#,
            bx = x + slot * 0.1,
            y = height - bottom - h,
            bw = slot * 0.8,
            cx = x + slot / 2.0,
            ly = height - 5.0,
            vy = height - bottom - h - 3.0,
            label = escape(label),
        );
    }
    out.push_str("</svg>");
}

/// Posts (blue) and authors (orange) per day as lines.
fn daily_lines(out: &mut String, table: &Table) {
    let days = ints(table, "day");
    let posts = ints(table, "posts");
    let authors = ints(table, "authors");
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        out.push_str("<p>No posts.</p>");
        return;
    };
    let span = (last - first).max(1) as f64;
    let max = posts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (height, bottom) = (200.0, 20.0);
    let point = |d: i64, v: i64| {
        let x = 40.0 + (WIDTH - 50.0) * (d - first) as f64 / span;
        let y = height - bottom - (height - bottom - 10.0) * v as f64 / max;
        format!("{x:.1},{y:.1}")
    };
    let line = |values: &[i64]| -> String {
        days.iter()
            .zip(values)
            .map(|(d, v)| point(*d, *v))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = write!(
        out,
        r#"<svg width="{WIDTH}" height="{height}" role="img"><polyline class="line" points="{p}"/><polyline class="line2" points="{a}"/><text x="0" y="14">{max}</text><text x="40" y="{ly}">{f}</text><text x="{WIDTH}" y="{ly}" text-anchor="end">{l}</text></svg><p>Blue: posts; orange: distinct authors.</p>"#,
        p = line(&posts),
        a = line(&authors),
        ly = height - 4.0,
        f = calendar::format_date(*first),
        l = calendar::format_date(*last),
    );
}

/// A 7 x 24 grid, darker for more posts.
fn heat_grid(out: &mut String, table: &Table) {
    let (dows, hours, posts) = (
        ints(table, "dow"),
        ints(table, "hour"),
        ints(table, "posts"),
    );
    let max = posts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (cell_w, cell_h, left, top) = (28.0, 20.0, 40.0, 16.0);
    let _ = write!(
        out,
        r#"<svg width="{WIDTH}" height="{h}" role="img">"#,
        h = top + 7.0 * cell_h + 4.0
    );
    for hour in (0..24).step_by(3) {
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="12">{hour:02}h</text>"#,
            x = left + hour as f64 * cell_w
        );
    }
    for (d, name) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .enumerate()
    {
        let _ = write!(
            out,
            r#"<text x="0" y="{y:.1}">{name}</text>"#,
            y = top + d as f64 * cell_h + 14.0
        );
    }
    for ((dow, hour), n) in dows.iter().zip(&hours).zip(&posts) {
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{w}" height="{h}" fill="#3b6fb6" fill-opacity="{o:.3}"><title>{n} posts</title></rect>"##,
            x = left + *hour as f64 * cell_w,
            y = top + (*dow - 1) as f64 * cell_h,
            w = cell_w - 2.0,
            h = cell_h - 2.0,
            o = 0.08 + 0.92 * (*n as f64) / max,
        );
    }
    out.push_str("</svg>");
}

fn data_table(out: &mut String, table: &Table) {
    let _ = write!(
        out,
        "<details><summary>{} rows</summary><table><tr>",
        table.rows()
    );
    for (name, _) in &table.columns {
        let _ = write!(out, "<th>{name}</th>");
    }
    out.push_str("</tr>");
    for row in 0..table.rows() {
        out.push_str("<tr>");
        for (_, column) in &table.columns {
            let _ = write!(out, "<td>{}</td>", cell(column, row));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></details>");
}

fn labels(table: &Table, name: &str, limit: usize) -> Vec<String> {
    table
        .column(name)
        .map(|c| (0..c.len().min(limit)).map(|r| cell(c, r)).collect())
        .unwrap_or_default()
}

fn chart(out: &mut String, table: &Table) {
    match table.report {
        Report::Daily => daily_lines(out, table),
        Report::TopUsers => hbars(out, &labels(table, "user_id", 20), &ints(table, "posts")),
        Report::LengthHist => vbars(out, &labels(table, "bucket", 7), &ints(table, "posts")),
        Report::TopWords => {
            let mut counts = ints(table, "count");
            counts.truncate(30);
            hbars(out, &labels(table, "word", 30), &counts);
        }
        Report::Heatmap => heat_grid(out, table),
    }
}

pub fn render(tables: &[Table], figures: &RunFigures) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quill analytics</title><style>{CSS}</style></head><body><h1>Quill analytics</h1>"#
    );
    let _ = write!(
        out,
        "<table><tr><th>source</th><td>{}</td></tr><tr><th>rows scanned</th><td>{}</td></tr>\
         <tr><th>threads / partitions</th><td>{} / {}</td></tr><tr><th>one pass, wall time</th>\
         <td>{}</td></tr><tr><th>reading and decoding (summed over partitions)</th><td>{}</td></tr></table>",
        escape(&figures.source),
        figures.rows,
        figures.threads,
        figures.partitions,
        ms(figures.scan_wall),
        ms(figures.read_cpu),
    );
    out.push_str(
        "<table><tr><th>report</th><th>rows scanned</th><th>aggregation (summed over partitions)</th>\
         <th>merge and finish</th></tr>",
    );
    for report in Report::ALL {
        let i = report.index();
        let cpu = if report == Report::LengthHist {
            "shared with R4".to_owned()
        } else {
            ms(figures.report_cpu[i])
        };
        let _ = write!(
            out,
            "<tr><td><a href=\"#{stem}\">{title}</a></td><td>{rows}</td><td>{cpu}</td><td>{fin}</td></tr>",
            stem = report.file_stem(),
            title = report.title(),
            rows = figures.rows,
            fin = ms(figures.finish[i]),
        );
    }
    out.push_str(
        "</table><p>All reports come from one pass over the posts; R3 and R4 share one \
         tokenizer pass over each body.</p>",
    );
    for table in tables {
        let stem = table.report.file_stem();
        let _ = write!(
            out,
            r#"<h2 id="{stem}">{}</h2><p><a href="{stem}.csv">{stem}.csv</a> · <a href="{stem}.parquet">{stem}.parquet</a></p>"#,
            table.report.title()
        );
        chart(&mut out, table);
        data_table(&mut out, table);
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_escaped_and_no_script_is_emitted() {
        let table = Table {
            report: Report::TopWords,
            columns: vec![
                ("word", Column::Text(vec!["<b>".into()])),
                ("count", Column::Int(vec![3])),
            ],
        };
        let html = render(&[table], &RunFigures::default());
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("<b>"));
        assert!(!html.contains("<script"));
        assert!(html.contains("<svg"));
    }
}
