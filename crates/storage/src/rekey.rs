//! Carrying the database over to a new master key ([`KeyChange`]): every sealed column sealed
//! again in batches that commit on their own, the keyed indexes of identity documents and
//! orders computed again under the new key, and what cannot be carried over deleted (one-time
//! codes and rate-limit windows, keyed hashes of values never stored). Every step skips what is
//! already under the new key, so a rotation interrupted anywhere is finished by running it
//! again. The audit log has its own step ([`crate::audit::reseal_chain`]), the file store too
//! ([`crate::blobs::BlobStore::reseal_all`]).

use crate::crypto::{KeyChange, Vault, row_field};
use crate::db::Db;
use crate::error::StorageError;

/// Where the encryption context of a sealed column's value comes from.
enum Context {
    /// The same for every row.
    Fixed(&'static str),
    /// `prefix/<this column's value>` (see [`row_field`]).
    Row { prefix: &'static str, column: &'static str },
}

/// A column of sealed values in a table keyed by a text column.
struct SealedColumn {
    table: &'static str,
    key: &'static str,
    column: &'static str,
    context: Context,
}

impl SealedColumn {
    fn label(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }

    fn context_column(&self) -> &'static str {
        match self.context {
            Context::Fixed(_) => self.key,
            Context::Row { column, .. } => column,
        }
    }

    fn field(&self, context_value: &str) -> String {
        match self.context {
            Context::Fixed(field) => field.to_owned(),
            Context::Row { prefix, .. } => row_field(prefix, context_value),
        }
    }
}

/// Every sealed column but the ones with a step of their own (orders' forms and accounts'
/// document numbers, whose keyed indexes follow them; the audit log's reasons, which the chain
/// covers).
const SEALED_COLUMNS: [SealedColumn; 14] = [
    SealedColumn {
        table: "inbox_messages",
        key: "id",
        column: "subject",
        context: Context::Row { prefix: crate::inbox::SUBJECT_PREFIX, column: "account_id" },
    },
    SealedColumn {
        table: "inbox_messages",
        key: "id",
        column: "body",
        context: Context::Row { prefix: crate::inbox::BODY_PREFIX, column: "account_id" },
    },
    SealedColumn {
        table: "accounts",
        key: "id",
        column: "real_name",
        context: Context::Fixed(crate::accounts::NAME_FIELD),
    },
    SealedColumn {
        table: "accounts",
        key: "id",
        column: "notify_mobile",
        context: Context::Row { prefix: crate::notify_settings::MOBILE_PREFIX, column: "id" },
    },
    SealedColumn {
        table: "order_events",
        key: "id",
        column: "note",
        context: Context::Row { prefix: crate::orders::NOTE_PREFIX, column: "order_id" },
    },
    SealedColumn {
        table: "order_files",
        key: "id",
        column: "reading",
        context: Context::Row { prefix: crate::orders::READING_PREFIX, column: "id" },
    },
    SealedColumn {
        table: "order_payments",
        key: "id",
        column: "reference",
        context: Context::Fixed(crate::order_work::REFERENCE_FIELD),
    },
    SealedColumn {
        table: "supplement_requests",
        key: "id",
        column: "reason",
        context: Context::Fixed(crate::order_work::REASON_FIELD),
    },
    SealedColumn {
        table: "online_refunds",
        key: "id",
        column: "reason",
        context: Context::Fixed(crate::online_payments::REASON_FIELD),
    },
    SealedColumn {
        table: "pensions",
        key: "id",
        column: "form",
        context: Context::Row { prefix: crate::pensions::FORM_PREFIX, column: "id" },
    },
    SealedColumn {
        table: "pensions",
        key: "id",
        column: "reason",
        context: Context::Row { prefix: crate::pensions::REASON_PREFIX, column: "id" },
    },
    SealedColumn { table: "jobs", key: "id", column: "payload", context: Context::Fixed(crate::jobs::PAYLOAD_FIELD) },
    SealedColumn {
        table: "interview_bookings",
        key: "id",
        column: "outcome_note",
        context: Context::Fixed(crate::interviews::NOTE_FIELD),
    },
    SealedColumn {
        table: "legalizations",
        key: "certificate_no",
        column: "check_code",
        context: Context::Row { prefix: crate::legalizations::CHECK_CODE_PREFIX, column: "certificate_no" },
    },
];

/// Reports progress: what is being sealed again, and how many rows so far.
pub type Progress<'a> = &'a mut (dyn FnMut(&str, u64) + Send);

/// One value sealed again: the row's key, the new sealed value, the old one (the update only
/// applies if the row still holds it), and any keyed indexes that go with it.
struct Resealed {
    key: String,
    sealed: Vec<u8>,
    was: Vec<u8>,
    indexes: Vec<Option<Vec<u8>>>,
}

impl Resealed {
    /// `row`'s value sealed again as `sealed`, with the indexes that go with it.
    fn of(row: &SelectedRow, sealed: Vec<u8>, indexes: Vec<Option<Vec<u8>>>) -> Self {
        Self { key: row.key.clone(), sealed, was: row.sealed.clone(), indexes }
    }
}

/// Writes one batch in one transaction: `update` sets the sealed column ($1), then the
/// indexes ($2…), for the row keyed $n whose sealed column still holds $n+1.
async fn write_batch(db: &Db, update: &str, batch: &[Resealed]) -> Result<(), StorageError> {
    let mut tx = db.begin().await?;
    for row in batch {
        crate::tx_run!(&mut tx, |conn| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(update.to_owned())).bind(&row.sealed);
            for index in &row.indexes {
                query = query.bind(index);
            }
            query.bind(&row.key).bind(&row.was).execute(conn).await.map(|done| done.rows_affected())
        })?;
    }
    tx.commit().await
}

/// Seals again, batch by batch, the rows of `select` (key, context, sealed value, and any
/// other text columns `seal` needs, after `$1` in key order, `$2` at a time). `seal` returns
/// `None` for a row already under the new key.
async fn reseal_rows<F>(
    db: &Db,
    label: &str,
    select: &str,
    update: &str,
    batch: i64,
    progress: Progress<'_>,
    mut seal: F,
) -> Result<u64, StorageError>
where
    F: FnMut(&SelectedRow) -> Result<Option<Resealed>, StorageError>,
{
    let (mut after, mut done) = (String::new(), 0);
    loop {
        let rows: Vec<SelectedRow> = crate::db_run!(db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(select.to_owned())).bind(&after).bind(batch).fetch_all(pool).await
        })?;
        let Some(last) = rows.last() else { return Ok(done) };
        after.clone_from(&last.key);
        let changed = rows.iter().map(&mut seal).filter_map(Result::transpose).collect::<Result<Vec<_>, _>>()?;
        if !changed.is_empty() {
            write_batch(db, update, &changed).await?;
            done += changed.len() as u64;
            progress(label, done);
        }
    }
}

/// A row as [`reseal_rows`] reads it.
#[derive(sqlx::FromRow)]
struct SelectedRow {
    key: String,
    context: String,
    sealed: Vec<u8>,
    extra: Option<String>,
}

/// Seals again every value of the sealed columns without a step of their own; returns how
/// many were sealed again.
pub async fn reseal_columns(
    db: &Db,
    keys: KeyChange<'_>,
    batch: i64,
    progress: Progress<'_>,
) -> Result<u64, StorageError> {
    let mut total = 0;
    for spec in &SEALED_COLUMNS {
        let (table, key, column, context) = (spec.table, spec.key, spec.column, spec.context_column());
        let select = format!(
            "SELECT {key} AS key, {context} AS context, {column} AS sealed, NULL AS extra FROM {table}
             WHERE {key} > $1 AND {column} IS NOT NULL ORDER BY {key} LIMIT $2"
        );
        let update = format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2 AND {column} = $3");
        total += reseal_rows(db, &spec.label(), &select, &update, batch, progress, |row| {
            // An empty value holds nothing sealed (a finished job's dropped payload).
            if row.sealed.is_empty() {
                return Ok(None);
            }
            Ok(keys.reseal(&spec.field(&row.context), &row.sealed)?.map(|sealed| Resealed::of(row, sealed, Vec::new())))
        })
        .await?;
    }
    Ok(total)
}

/// Seals again the document numbers of verified accounts, with their keyed index.
pub async fn reseal_identities(
    db: &Db,
    keys: KeyChange<'_>,
    batch: i64,
    progress: Progress<'_>,
) -> Result<u64, StorageError> {
    let select = "SELECT id AS key, id AS context, id_number AS sealed, id_kind AS extra FROM accounts
                  WHERE id > $1 AND id_number IS NOT NULL ORDER BY id LIMIT $2";
    let update = "UPDATE accounts SET id_number = $1, id_number_index = $2 WHERE id = $3 AND id_number = $4";
    let field = crate::accounts::ID_FIELD;
    reseal_rows(db, "accounts.id_number", select, update, batch, progress, |row| {
        let Some(plain) = keys.stale_plaintext(field, &row.sealed)? else { return Ok(None) };
        let number = String::from_utf8(plain).map_err(|_| StorageError::Crypto)?;
        let kind = row.extra.as_deref().ok_or(StorageError::Corrupt("accounts.id_kind"))?;
        let index = crate::accounts::identity_index(keys.new, kind, &number);
        Ok(Some(Resealed::of(row, keys.new.encrypt_str(field, &number)?, vec![Some(index)])))
    })
    .await
}

/// The keyed search indexes of an order, as computed from its form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderIndexes {
    pub document: Option<Vec<u8>>,
    pub name: Option<Vec<u8>>,
    pub pinyin: Option<Vec<u8>>,
}

/// Seals again every order's form and computes its search indexes under the new key with
/// `indexes` (which knows the form's shape).
pub async fn reseal_orders(
    db: &Db,
    keys: KeyChange<'_>,
    batch: i64,
    indexes: &(dyn Fn(serde_json::Value, &Vault) -> Result<OrderIndexes, StorageError> + Sync),
    progress: Progress<'_>,
) -> Result<u64, StorageError> {
    let select = "SELECT id AS key, id AS context, form AS sealed, NULL AS extra FROM orders
                  WHERE id > $1 ORDER BY id LIMIT $2";
    let update = "UPDATE orders SET form = $1, document_index = $2, name_index = $3, pinyin_index = $4
                  WHERE id = $5 AND form = $6";
    reseal_rows(db, "orders.form", select, update, batch, progress, |row| {
        let field = row_field(crate::orders::FORM_PREFIX, &row.context);
        let Some(plain) = keys.stale_plaintext(&field, &row.sealed)? else { return Ok(None) };
        let computed = indexes(serde_json::from_slice(&plain)?, keys.new)?;
        let indexes = vec![computed.document, computed.name, computed.pinyin];
        Ok(Some(Resealed::of(row, keys.new.encrypt(&field, &plain)?, indexes)))
    })
    .await
}

/// Deletes what is keyed by hashes that cannot be computed again under the new key: one-time
/// codes (a new one is sent on request) and the windows of per-client rate limits. Returns
/// how many rows went.
pub async fn forget_unkeyable(db: &Db) -> Result<u64, StorageError> {
    let mut tx = db.begin().await?;
    let mut gone = 0;
    for sql in ["DELETE FROM one_time_codes", "DELETE FROM login_attempts", "DELETE FROM rate_events"] {
        gone += crate::tx_run!(&mut tx, |conn| sqlx::query(sql).execute(conn).await.map(|done| done.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(gone)
}

/// Legalizations registered before check codes were sealed: their keyed hash cannot be carried
/// over, so after the rotation they must be registered again to be checkable.
pub async fn hashed_check_codes(db: &Db) -> Result<i64, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM legalizations WHERE check_code IS NULL").fetch_one(pool).await
    })?)
}
