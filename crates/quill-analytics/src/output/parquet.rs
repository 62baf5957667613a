//! The Parquet form of a report: the same columns as the CSV, typed (int64, date32, string),
//! NOT NULL.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;

use crate::error::{AnalyticsError, Result};
use crate::reports::{Column, Table};

/// The table as one Arrow batch.
pub fn batch(table: &Table) -> Result<RecordBatch> {
    let mut fields = Vec::with_capacity(table.columns.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(table.columns.len());
    for (name, column) in &table.columns {
        let (data_type, array): (DataType, ArrayRef) = match column {
            Column::Int(v) => (DataType::Int64, Arc::new(Int64Array::from(v.clone()))),
            Column::Date(v) => {
                let days = v
                    .iter()
                    .map(|d| {
                        i32::try_from(*d).map_err(|_| {
                            AnalyticsError::Schema(format!("day {d} is out of date32 range"))
                        })
                    })
                    .collect::<Result<Vec<i32>>>()?;
                (DataType::Date32, Arc::new(Date32Array::from(days)))
            }
            Column::Text(v) => (
                DataType::Utf8,
                Arc::new(StringArray::from_iter_values(v.iter())),
            ),
        };
        fields.push(Field::new(*name, data_type, false));
        arrays.push(array);
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

pub fn write(path: &Path, table: &Table) -> Result<()> {
    let batch = batch(table)?;
    let file = File::create(path).map_err(AnalyticsError::io(path))?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None)?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}
