//! The SQL form of the reports (`sql/datafusion_reports.sql`, what Ballista would run), run
//! by DataFusion's SQL engine, agrees with the one-pass reports byte for byte.

use crate::fixtures::{Scratch, cuts, report, traps};
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::prelude::{ParquetReadOptions, SessionContext};

/// `(name, query)` of each `-- name:` section of the SQL file.
fn queries() -> Vec<(String, String)> {
    let text = include_str!("../../sql/datafusion_reports.sql");
    text.split("-- name: ")
        .skip(1)
        .map(|section| {
            let (name, body) = section.split_once('\n').unwrap();
            let sql: Vec<&str> = body.lines().filter(|l| !l.starts_with("--")).collect();
            (
                name.trim().to_owned(),
                sql.join("\n").trim().trim_end_matches(';').to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datafusion_sql_matches_the_one_pass_reports() {
    let scratch = Scratch::new();
    let mut posts = traps();
    posts.extend(cuts());
    let out = scratch.join("reports");
    report(&scratch.parquet(&posts, 2), &out, 2).await;
    let snap = scratch.join("snap");

    let ctx = SessionContext::new();
    ctx.register_parquet(
        "posts",
        format!("{}/", snap.display()),
        ParquetReadOptions::default(),
    )
    .await
    .unwrap();
    let queries = queries();
    assert_eq!(queries.len(), 5);
    for (name, sql) in queries {
        let df = ctx
            .sql(&sql)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let header: Vec<String> = df
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let mut csv = header.join(",") + "\n";
        for batch in df.collect().await.unwrap() {
            for row in 0..batch.num_rows() {
                let cells: Vec<String> = batch
                    .columns()
                    .iter()
                    .map(|c| array_value_to_string(c, row).unwrap())
                    .collect();
                csv.push_str(&cells.join(","));
                csv.push('\n');
            }
        }
        let ours = std::fs::read_to_string(out.join(format!("{name}.csv"))).unwrap();
        assert_eq!(csv, ours, "{name}");
    }
}
