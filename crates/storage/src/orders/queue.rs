//! The staff queue: a mission's submitted orders, filtered, a page at a time in submission
//! order, and the count of each state. Browsing walks the index in submission order; a search
//! (an order number, or the keyed index of a document number or of a name) takes the few
//! orders each index names — for a name, only the first page's worth in submission order, so a
//! common name among millions of orders costs a page, not every namesake.

use super::{Order, OrderRow};
use crate::crypto::Vault;
use crate::db::Db;
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// What a staff queue asks for.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `None`: every mission (system administrators).
    pub mission_id: Option<String>,
    pub state: Option<String>,
    pub service: Option<String>,
    /// An application type code, e.g. `replacement.passport.replacement`.
    pub application_type: Option<String>,
    pub face_skipped: bool,
    pub photo_failed: bool,
    pub minor: bool,
    /// Submitted on or after.
    pub from: Option<DateTime<Utc>>,
    /// Submitted before.
    pub until: Option<DateTime<Utc>>,
    /// A search: any order whose number is `number`, or whose document number or name has
    /// the keyed index given, matches.
    pub number: Option<String>,
    /// A keyed index of a document number, exactly.
    pub document_index: Option<Vec<u8>>,
    /// A keyed index of a name (Chinese or pinyin), exactly.
    pub name_index: Option<Vec<u8>>,
    pub newest_first: bool,
    pub limit: i64,
    pub offset: i64,
}

impl QueueFilter {
    fn searching(&self) -> bool {
        self.number.is_some() || self.document_index.is_some() || self.name_index.is_some()
    }
}

/// The filters every queue applies, binds $1–$9: mission, state, service, type, the three
/// flags, the two dates. Every order staff see was submitted (a walk-in when registered):
/// saying so lets the index skip the drafts.
macro_rules! queue_where {
    () => {
        concat!(
            "state NOT IN ",
            hidden_from_staff!(),
            " AND submitted_at IS NOT NULL
             AND ($1 IS NULL OR mission_id = $1) AND ($2 IS NULL OR state = $2)
             AND ($3 IS NULL OR service = $3) AND ($4 IS NULL OR application_type = $4)
             AND ($5 = FALSE OR face_state = 'skipped') AND ($6 = FALSE OR photo_passed = FALSE)
             AND ($7 = FALSE OR minor = TRUE)
             AND ($8 IS NULL OR submitted_at >= $8) AND ($9 IS NULL OR submitted_at < $9)"
        )
    };
}

/// A search (binds $10 number, $11 document index, $12 name index, $13 limit, $14 offset),
/// in `$order`: the orders the number and the document name, and a page's worth of each name
/// index, each read once from its index (no second lookup by id).
macro_rules! search {
    ($order:literal) => {
        concat!(
            "SELECT * FROM (",
            select_orders!("WHERE number = $10 AND ", queue_where!()),
            " UNION ",
            select_orders!("WHERE document_index = $11 AND ", queue_where!()),
            " UNION SELECT * FROM (",
            select_orders!("WHERE name_index = $12 AND ", queue_where!(), " ORDER BY ", $order, " LIMIT $13 + $14"),
            ") AS by_name UNION SELECT * FROM (",
            select_orders!("WHERE pinyin_index = $12 AND ", queue_where!(), " ORDER BY ", $order, " LIMIT $13 + $14"),
            ") AS by_pinyin) AS found ORDER BY ",
            $order,
            " LIMIT $13 OFFSET $14"
        )
    };
}

/// The SQL of [`queue`], browsing or searching, oldest or newest first; its binds'
/// PostgreSQL types are [`QUEUE_BIND_TYPES`] (for plans).
pub fn queue_sql(searching: bool, newest_first: bool) -> &'static str {
    match (searching, newest_first) {
        (false, false) => select_orders!("WHERE ", queue_where!(), " ORDER BY submitted_at, id LIMIT $10 OFFSET $11"),
        (false, true) => {
            select_orders!("WHERE ", queue_where!(), " ORDER BY submitted_at DESC, id DESC LIMIT $10 OFFSET $11")
        }
        (true, false) => search!("submitted_at, id"),
        (true, true) => search!("submitted_at DESC, id DESC"),
    }
}

/// The PostgreSQL types of [`queue_sql`]'s binds, in order, browsing and searching.
pub const QUEUE_BIND_TYPES: [&str; 2] = [
    "text, text, text, text, boolean, boolean, boolean, timestamptz, timestamptz, bigint, bigint",
    "text, text, text, text, boolean, boolean, boolean, timestamptz, timestamptz, text, bytea, bytea, bigint, bigint",
];

/// Submitted orders matching `filter`, oldest submission first unless asked otherwise.
pub async fn queue(db: &Db, vault: &Vault, filter: &QueueFilter) -> Result<Vec<Order>, StorageError> {
    let searching = filter.searching();
    let sql = queue_sql(searching, filter.newest_first);
    let rows: Vec<OrderRow> = crate::db_run!(db, |pool| {
        let query = sqlx::query_as(sql)
            .bind(&filter.mission_id)
            .bind(&filter.state)
            .bind(&filter.service)
            .bind(&filter.application_type)
            .bind(filter.face_skipped)
            .bind(filter.photo_failed)
            .bind(filter.minor)
            .bind(filter.from)
            .bind(filter.until);
        let query = if searching {
            query.bind(&filter.number).bind(&filter.document_index).bind(&filter.name_index)
        } else {
            query
        };
        query.bind(filter.limit).bind(filter.offset).fetch_all(pool).await
    })?;
    rows.into_iter().map(|r| r.open(vault)).collect()
}

/// How many submitted orders of the mission are in each state (kept by triggers as orders
/// change: migration 10).
pub async fn counts_by_state(db: &Db, mission_id: Option<&str>) -> Result<Vec<(String, i64)>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as(concat!(
            "SELECT state, CAST(SUM(orders) AS BIGINT) FROM order_state_counts WHERE state NOT IN ",
            hidden_from_staff!(),
            " AND ($1 IS NULL OR mission_id = $1) GROUP BY state HAVING SUM(orders) > 0 ORDER BY state"
        ))
        .bind(mission_id)
        .fetch_all(pool)
        .await
    })?)
}
