//! A report's result batches, as the cluster returns them, turned into the [`Table`] the
//! local engine produces: the same column names, dates as day numbers, integers as `i64`
//! and text as `String`, so that CSV, Parquet and HTML come out of the same code.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, Int64Type};

use crate::error::{AnalyticsError, Result};
use crate::reports::{Column, Report, Table};

/// The columns of each report, as docs/ANALYTICS.md names them.
pub fn column_names(report: Report) -> &'static [&'static str] {
    match report {
        Report::Daily => &["day", "posts", "authors"],
        Report::TopUsers => &["user_id", "posts", "body_chars"],
        Report::LengthHist => &["bucket", "posts"],
        Report::TopWords => &["word", "count"],
        Report::Heatmap => &["dow", "hour", "posts"],
    }
}

fn empty_like(data_type: &DataType) -> Column {
    match data_type {
        DataType::Date32 => Column::Date(Vec::new()),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Column::Text(Vec::new()),
        _ => Column::Int(Vec::new()),
    }
}

fn append(column: &mut Column, array: &dyn Array, name: &str) -> Result<()> {
    let null = || AnalyticsError::Null(name.to_owned());
    if array.null_count() > 0 {
        return Err(null());
    }
    match column {
        Column::Date(days) => {
            let a = array.as_primitive_opt::<Date32Type>().ok_or_else(null)?;
            days.extend(a.values().iter().map(|d| i64::from(*d)));
        }
        Column::Int(values) => {
            let a = cast(array, &DataType::Int64)?;
            values.extend_from_slice(a.as_primitive::<Int64Type>().values());
        }
        Column::Text(values) => {
            let a = cast(array, &DataType::Utf8)?;
            values.extend(
                a.as_string::<i32>()
                    .iter()
                    .map(|s| s.unwrap_or("").to_owned()),
            );
        }
    }
    Ok(())
}

/// The table of `report` from its result batches, which must have the report's columns.
pub fn table(report: Report, batches: &[RecordBatch]) -> Result<Table> {
    let names = column_names(report);
    let Some(first) = batches.first() else {
        return Err(AnalyticsError::Ballista(format!(
            "{}: the cluster returned no result batches",
            report.file_stem()
        )));
    };
    let schema = first.schema();
    let got: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    if got != names {
        return Err(AnalyticsError::Ballista(format!(
            "{}: the cluster returned columns {got:?}, not {names:?}",
            report.file_stem()
        )));
    }
    let mut columns: Vec<(&'static str, Column)> = names
        .iter()
        .zip(schema.fields())
        .map(|(name, field)| (*name, empty_like(field.data_type())))
        .collect();
    for batch in batches {
        for (i, (name, column)) in columns.iter_mut().enumerate() {
            append(column, batch.column(i).as_ref(), name)?;
        }
    }
    Ok(Table { report, columns })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Date32Array, Int32Array, StringViewArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    #[test]
    fn batches_become_the_local_engines_table() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("day", DataType::Date32, false),
            Field::new("posts", DataType::Int64, false),
            Field::new("authors", DataType::Int64, false),
        ]));
        let batch = |days: Vec<i32>, n: Vec<i64>| {
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![
                    Arc::new(Date32Array::from(days)),
                    Arc::new(datafusion::arrow::array::Int64Array::from(n.clone())),
                    Arc::new(datafusion::arrow::array::Int64Array::from(n)),
                ],
            )
            .unwrap()
        };
        let t = table(
            Report::Daily,
            &[batch(vec![-1, 0], vec![3, 1]), batch(vec![5], vec![2])],
        )
        .unwrap();
        assert_eq!(t.column("day"), Some(&Column::Date(vec![-1, 0, 5])));
        assert_eq!(t.column("authors"), Some(&Column::Int(vec![3, 1, 2])));
    }

    #[test]
    fn text_and_narrow_integers_are_widened_and_wrong_columns_refused() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("word", DataType::Utf8View, false),
            Field::new("count", DataType::Int32, false),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringViewArray::from(vec!["café", "x"])),
                Arc::new(Int32Array::from(vec![7, 1])),
            ],
        )
        .unwrap();
        let t = table(Report::TopWords, std::slice::from_ref(&batch)).unwrap();
        assert_eq!(
            t.column("word"),
            Some(&Column::Text(vec!["café".into(), "x".into()]))
        );
        assert_eq!(t.column("count"), Some(&Column::Int(vec![7, 1])));
        assert!(table(Report::Heatmap, &[batch]).is_err());
    }
}
