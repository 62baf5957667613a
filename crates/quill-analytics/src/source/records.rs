//! Rows read from the stores (`PostRecord`s) as Arrow batches of the posts schema,
//! projected to the columns a query asked for.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Int64Array, RecordBatch, RecordBatchOptions, StringBuilder, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::error::ArrowError;
use quill_posts::PostRecord;

use crate::schema::{self, posts_schema};

/// The indices of the posts columns a scan returns (`None`: all of them) and their schema.
#[derive(Debug, Clone)]
pub struct Projection {
    pub columns: Vec<usize>,
    pub schema: SchemaRef,
}

impl Projection {
    pub fn new(projection: Option<&Vec<usize>>) -> Result<Self, ArrowError> {
        let full = posts_schema();
        let columns = projection
            .cloned()
            .unwrap_or_else(|| (0..full.fields().len()).collect());
        let schema = Arc::new(full.project(&columns)?);
        Ok(Self { columns, schema })
    }

    /// Whether the scan needs the column `name` of the posts table.
    pub fn wants(&self, name: &str) -> bool {
        let full = posts_schema();
        self.columns
            .iter()
            .any(|&i| full.fields().get(i).is_some_and(|f| f.name() == name))
    }
}

/// The projected batch of `rows`.
pub fn to_batch(projection: &Projection, rows: &[PostRecord]) -> Result<RecordBatch, ArrowError> {
    let full = posts_schema();
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(projection.columns.len());
    for &i in &projection.columns {
        let name = full
            .fields()
            .get(i)
            .map(|f| f.name().as_str())
            .unwrap_or("");
        let array: ArrayRef = match name {
            schema::USER_ID => {
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.user_id)))
            }
            schema::POST_ID => {
                let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 36);
                let mut buf = uuid::Uuid::encode_buffer();
                for r in rows {
                    b.append_value(r.post_id.hyphenated().encode_lower(&mut buf));
                }
                Arc::new(b.finish())
            }
            schema::CREATED_AT => Arc::new(
                TimestampMicrosecondArray::from_iter_values(
                    rows.iter().map(|r| r.created_at_micros),
                )
                .with_timezone(schema::UTC),
            ),
            schema::TITLE | schema::BODY => {
                let title = name == schema::TITLE;
                let bytes: usize = rows
                    .iter()
                    .map(|r| if title { r.title.len() } else { r.body.len() })
                    .sum();
                let mut b = StringBuilder::with_capacity(rows.len(), bytes);
                for r in rows {
                    b.append_value(if title { &r.title } else { &r.body });
                }
                Arc::new(b.finish())
            }
            other => {
                return Err(ArrowError::SchemaError(format!(
                    "no posts column {other:?}"
                )));
            }
        };
        arrays.push(array);
    }
    RecordBatch::try_new_with_options(
        projection.schema.clone(),
        arrays,
        &RecordBatchOptions::new().with_row_count(Some(rows.len())),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use datafusion::arrow::array::AsArray;

    fn record() -> PostRecord {
        PostRecord {
            user_id: 7,
            post_id: uuid::Uuid::parse_str("a5957fff-d75e-11ee-8000-010203040506").unwrap(),
            created_at_micros: 1_709_251_199_999_999,
            title: "T".into(),
            body: "B".into(),
        }
    }

    #[test]
    fn a_full_projection_gives_the_posts_schema() {
        let p = Projection::new(None).unwrap();
        let batch = to_batch(&p, &[record()]).unwrap();
        assert_eq!(batch.schema(), posts_schema());
        assert_eq!(
            batch.column(1).as_string::<i32>().value(0),
            "a5957fff-d75e-11ee-8000-010203040506"
        );
    }

    #[test]
    fn a_projection_keeps_only_the_asked_columns_in_order() {
        let p = Projection::new(Some(&vec![4, 0])).unwrap();
        assert!(p.wants("body") && p.wants("user_id") && !p.wants("title"));
        let batch = to_batch(&p, &[record(), record()]).unwrap();
        assert_eq!(batch.num_columns(), 2);
        assert_eq!(batch.schema().field(0).name(), "body");
        let empty = to_batch(&Projection::new(Some(&vec![])).unwrap(), &[record()]).unwrap();
        assert_eq!((empty.num_columns(), empty.num_rows()), (0, 1));
    }
}
