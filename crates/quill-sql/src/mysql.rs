//! MariaDB-only queries behind read-your-writes: a commit's GTID, and whether a replica
//! has applied one.

use std::time::Duration;

use diesel::mysql::MysqlConnection;
use diesel::{QueryableByName, RunQueryDsl};

use crate::gtid::GtidPos;

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    value: Option<String>,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    value: Option<i64>,
}

/// The GTID of this connection's last committed transaction (MariaDB), if any.
pub fn last_gtid(conn: &mut MysqlConnection) -> Option<GtidPos> {
    let row: Text = diesel::sql_query("SELECT @@last_gtid AS value")
        .get_result(conn)
        .ok()?;
    row.value?
        .parse()
        .ok()
        .filter(|pos: &GtidPos| !pos.is_empty())
}

/// Whether this server has applied `floor`, waiting at most `wait` for it. A writable
/// server (the primary, serving reads as the backup) has everything.
pub fn caught_up(
    conn: &mut MysqlConnection,
    floor: &GtidPos,
    wait: Duration,
) -> Result<bool, diesel::result::Error> {
    let row: Number = diesel::sql_query(
        "SELECT CAST(IF(@@read_only = 0, 0, MASTER_GTID_WAIT(?, ?)) AS SIGNED) AS value",
    )
    .bind::<diesel::sql_types::Text, _>(floor.to_string())
    .bind::<diesel::sql_types::Double, _>(wait.as_secs_f64())
    .get_result(conn)?;
    Ok(row.value == Some(0))
}
