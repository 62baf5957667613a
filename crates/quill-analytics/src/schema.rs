//! The `posts` table of docs/ANALYTICS.md as Arrow: its schema, the check that a source matches
//! it, and typed access to the string columns whatever their Arrow encoding.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, LargeStringArray, StringArray, StringViewArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::{AnalyticsError, Result};

pub const USER_ID: &str = "user_id";
pub const POST_ID: &str = "post_id";
pub const CREATED_AT: &str = "created_at";
pub const TITLE: &str = "title";
pub const BODY: &str = "body";

/// The columns every report reads (all but `post_id`), in this order.
pub const REPORT_COLUMNS: [&str; 4] = [USER_ID, CREATED_AT, TITLE, BODY];

/// The timezone of `created_at`: values are UTC instants.
pub const UTC: &str = "UTC";

/// The exact schema of the posts table and of a Parquet snapshot, every column NOT NULL.
pub fn posts_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new(USER_ID, DataType::Int64, false),
        Field::new(POST_ID, DataType::Utf8, false),
        Field::new(
            CREATED_AT,
            DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
            false,
        ),
        Field::new(TITLE, DataType::Utf8, false),
        Field::new(BODY, DataType::Utf8, false),
    ]))
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Checks that a source's schema has the posts columns with usable types. Strings may come
/// in any Arrow string encoding; `created_at` must be microseconds of a zoned (UTC) instant.
pub fn check(schema: &Schema) -> Result<()> {
    let field = |name: &str| {
        schema
            .field_with_name(name)
            .map_err(|_| AnalyticsError::Schema(format!("no column {name}")))
    };
    let user = field(USER_ID)?;
    if user.data_type() != &DataType::Int64 {
        return Err(AnalyticsError::Schema(format!(
            "user_id is {}, not int64",
            user.data_type()
        )));
    }
    for name in [POST_ID, TITLE, BODY] {
        let f = field(name)?;
        if !is_string(f.data_type()) {
            return Err(AnalyticsError::Schema(format!(
                "{name} is {}, not a string",
                f.data_type()
            )));
        }
    }
    let created = field(CREATED_AT)?;
    match created.data_type() {
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => Ok(()),
        other => Err(AnalyticsError::Schema(format!(
            "created_at is {other}, not a UTC timestamp in microseconds \
             (Parquet INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true))"
        ))),
    }
}

/// A string column in whichever encoding the source produced.
pub enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    pub fn of(array: &'a ArrayRef, name: &'static str) -> Result<Self> {
        no_nulls(array, name)?;
        match array.data_type() {
            DataType::Utf8 => Ok(Self::Utf8(array.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(Self::Large(array.as_string::<i64>())),
            DataType::Utf8View => Ok(Self::View(array.as_string_view())),
            other => Err(AnalyticsError::Schema(format!(
                "{name} is {other}, not a string"
            ))),
        }
    }

    pub fn value(&self, i: usize) -> &'a str {
        match self {
            Self::Utf8(a) => a.value(i),
            Self::Large(a) => a.value(i),
            Self::View(a) => a.value(i),
        }
    }
}

fn no_nulls(array: &ArrayRef, name: &'static str) -> Result<()> {
    if array.null_count() > 0 {
        Err(AnalyticsError::Null(name.to_owned()))
    } else {
        Ok(())
    }
}

pub fn int64s<'a>(array: &'a ArrayRef, name: &'static str) -> Result<&'a Int64Array> {
    no_nulls(array, name)?;
    array
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| AnalyticsError::Schema(format!("{name} is not int64")))
}

pub fn micros<'a>(
    array: &'a ArrayRef,
    name: &'static str,
) -> Result<&'a TimestampMicrosecondArray> {
    no_nulls(array, name)?;
    array
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .ok_or_else(|| AnalyticsError::Schema(format!("{name} is not a microsecond timestamp")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_schema_passes_its_own_check() {
        assert!(check(&posts_schema()).is_ok());
    }

    #[test]
    fn a_missing_or_mistyped_column_is_named() {
        let schema = Schema::new(vec![Field::new(USER_ID, DataType::Utf8, false)]);
        let err = check(&schema).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("the posts table has the wrong schema: user_id is Utf8, not int64")
        );
        let mut fields: Vec<Field> = posts_schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields[2] = Field::new(
            CREATED_AT,
            DataType::Timestamp(TimeUnit::Nanosecond, None),
            false,
        );
        assert!(check(&Schema::new(fields.clone())).is_err());
        fields.remove(2);
        let err = check(&Schema::new(fields)).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("the posts table has the wrong schema: no column created_at")
        );
    }
}
