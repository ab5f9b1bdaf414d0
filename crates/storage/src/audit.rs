//! The audit log: every staff action and every order state change, appended in the same
//! transaction as the change, each row holding the hash of the one before it.
//!
//! A row's hash is SHA-256 over the previous hash and the row's fields, each length-prefixed
//! (so no two different rows serialise alike). Reasons may name people, so they are stored
//! encrypted, and the hash covers the stored bytes: the chain can be verified without the key.
//! Appends are serialised (an advisory lock on PostgreSQL; SQLite's write lock), so the chain
//! has no forks.

use crate::crypto::{KeyChange, Vault};
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, SecondsFormat, Utc};

pub(crate) const REASON_FIELD: &str = "audit_log.reason";
/// The advisory lock that serialises appends on PostgreSQL.
const PG_AUDIT_LOCK: i64 = 0x004c_5341_5544_4954;
/// The hash before the first row.
const GENESIS: [u8; 32] = [0; 32];

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    /// `staff`, `applicant` or `system`.
    pub kind: &'static str,
    pub id: String,
    /// The staff role, for staff.
    pub role: Option<String>,
}

impl AuditActor {
    /// A member of staff, in their role.
    pub fn staff(staff: &crate::staff::Staff) -> Self {
        Self { kind: "staff", id: staff.id.clone(), role: Some(staff.role.code().to_owned()) }
    }
}

/// One thing done.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub mission_id: Option<&'a str>,
    pub actor: &'a AuditActor,
    pub action: &'a str,
    pub order_id: Option<&'a str>,
    pub before_state: Option<&'a str>,
    pub after_state: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// A stored row, as read back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub mission_id: Option<String>,
    pub actor_kind: String,
    pub actor_id: String,
    pub role: Option<String>,
    pub action: String,
    pub order_id: Option<String>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub reason: Option<Vec<u8>>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

impl AuditRow {
    /// The hash this row must carry, given the previous row's.
    fn expected_hash(&self, prev_hash: &[u8]) -> Vec<u8> {
        let mut context = ring::digest::Context::new(&ring::digest::SHA256);
        let mut field = |bytes: &[u8]| {
            context.update(&(bytes.len() as u64).to_be_bytes());
            context.update(bytes);
        };
        field(prev_hash);
        field(&self.seq.to_be_bytes());
        field(self.at.to_rfc3339_opts(SecondsFormat::Micros, true).as_bytes());
        for text in [&self.mission_id, &Some(self.actor_kind.clone()), &Some(self.actor_id.clone()), &self.role] {
            field(text.as_deref().unwrap_or("\u{0}").as_bytes());
        }
        field(self.action.as_bytes());
        for text in [&self.order_id, &self.before_state, &self.after_state] {
            field(text.as_deref().unwrap_or("\u{0}").as_bytes());
        }
        field(self.reason.as_deref().unwrap_or(b"\x00"));
        context.finish().as_ref().to_vec()
    }

    /// The decrypted reason, for staff screens.
    pub fn reason_text(&self, vault: &Vault) -> Result<Option<String>, StorageError> {
        self.reason.as_ref().map(|r| vault.decrypt_string(REASON_FIELD, r)).transpose()
    }
}

/// The columns of [`AuditRow`], for `concat!` (the driver takes only static SQL).
macro_rules! select_audit {
    ($rest:literal) => {
        concat!(
            "SELECT seq, at, mission_id, actor_kind, actor_id, role, action, order_id, before_state,
                 after_state, reason, prev_hash, hash FROM audit_log ",
            $rest
        )
    };
}

/// Appends `entry` in the caller's transaction.
pub async fn append(
    tx: &mut Tx,
    vault: &Vault,
    entry: &AuditEntry<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StorageError> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PG_AUDIT_LOCK).execute(&mut **t).await?;
    }
    let last: Option<(i64, Vec<u8>)> = crate::tx_run!(tx, |conn| {
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(conn).await
    })?;
    let (seq, prev_hash) = last.map_or((1, GENESIS.to_vec()), |(seq, hash)| (seq + 1, hash));
    // Stored with microsecond precision on both backends, so the hash re-computes.
    let at = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let mut row = AuditRow {
        seq,
        at,
        mission_id: entry.mission_id.map(str::to_owned),
        actor_kind: entry.actor.kind.to_owned(),
        actor_id: entry.actor.id.clone(),
        role: entry.actor.role.clone(),
        action: entry.action.to_owned(),
        order_id: entry.order_id.map(str::to_owned),
        before_state: entry.before_state.map(str::to_owned),
        after_state: entry.after_state.map(str::to_owned),
        reason: entry.reason.map(|r| vault.encrypt_str(REASON_FIELD, r)).transpose()?,
        prev_hash,
        hash: Vec::new(),
    };
    row.hash = row.expected_hash(&row.prev_hash);
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO audit_log (seq, at, mission_id, actor_kind, actor_id, role, action, order_id, before_state,
                 after_state, reason, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(row.seq)
        .bind(row.at)
        .bind(&row.mission_id)
        .bind(&row.actor_kind)
        .bind(&row.actor_id)
        .bind(&row.role)
        .bind(&row.action)
        .bind(&row.order_id)
        .bind(&row.before_state)
        .bind(&row.after_state)
        .bind(&row.reason)
        .bind(&row.prev_hash)
        .bind(&row.hash)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(seq)
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every row links to the one before and hashes to what it holds.
    Intact { rows: u64 },
    /// The first row that does not.
    BrokenAt { seq: i64 },
}

/// Walks the whole chain from the first row.
pub async fn verify(db: &Db) -> Result<ChainCheck, StorageError> {
    let sql = select_audit!("WHERE seq > $1 ORDER BY seq LIMIT 1000");
    let mut previous = GENESIS.to_vec();
    let mut expected_seq = 1;
    let mut rows = 0u64;
    loop {
        let page: Vec<AuditRow> =
            crate::db_run!(db, |pool| sqlx::query_as(sql).bind(expected_seq - 1).fetch_all(pool).await)?;
        if page.is_empty() {
            return Ok(ChainCheck::Intact { rows });
        }
        for row in page {
            if row.seq != expected_seq || row.prev_hash != previous || row.hash != row.expected_hash(&previous) {
                return Ok(ChainCheck::BrokenAt { seq: expected_seq.min(row.seq) });
            }
            previous = row.hash;
            expected_seq += 1;
            rows += 1;
        }
    }
}

/// Seals every reason still under the old key again under the new one and re-links the chain
/// from the first row that changed, in one transaction that ends with a `key_rotated` row
/// naming the head the chain had before: a head kept elsewhere (as `audit-verify` prints it)
/// can still be matched to the re-linked chain. Refuses a chain that does not verify, since
/// re-linking it would hide the break. Returns how many rows were re-linked (0: nothing was
/// under the old key).
pub async fn reseal_chain(db: &Db, keys: KeyChange<'_>, now: DateTime<Utc>) -> Result<usize, StorageError> {
    let mut tx = db.begin().await?;
    if let Tx::Postgres(t) = &mut tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PG_AUDIT_LOCK).execute(&mut **t).await?;
    }
    let sql = select_audit!("ORDER BY seq");
    let mut rows: Vec<AuditRow> = crate::tx_run!(&mut tx, |conn| sqlx::query_as(sql).fetch_all(conn).await)?;
    let mut head = GENESIS.to_vec();
    for (row, expected_seq) in rows.iter().zip(1..) {
        if row.seq != expected_seq || row.prev_hash != head || row.hash != row.expected_hash(&head) {
            return Err(StorageError::AuditChainBroken(expected_seq.min(row.seq)));
        }
        head.clone_from(&row.hash);
    }
    let mut first_changed = None;
    for (index, row) in rows.iter_mut().enumerate() {
        if let Some(resealed) = row.reason.as_deref().map(|r| keys.reseal(REASON_FIELD, r)).transpose()?.flatten() {
            row.reason = Some(resealed);
            first_changed.get_or_insert(index);
        }
    }
    let Some(first) = first_changed else { return Ok(0) };
    let mut previous = if first == 0 { GENESIS.to_vec() } else { rows[first - 1].hash.clone() };
    for row in &mut rows[first..] {
        row.prev_hash = previous;
        row.hash = row.expected_hash(&row.prev_hash);
        previous = row.hash.clone();
        crate::tx_run!(&mut tx, |conn| {
            sqlx::query("UPDATE audit_log SET reason = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
                .bind(&row.reason)
                .bind(&row.prev_hash)
                .bind(&row.hash)
                .bind(row.seq)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    let hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
    let note = format!("chain re-linked from row {} under a new key; head before: {hex}", rows[first].seq);
    let actor = AuditActor { kind: "system", id: "key-rotation".into(), role: None };
    let entry = AuditEntry {
        mission_id: None,
        actor: &actor,
        action: "key_rotated",
        order_id: None,
        before_state: None,
        after_state: None,
        reason: Some(&note),
    };
    append(&mut tx, keys.new, &entry, now).await?;
    tx.commit().await?;
    Ok(rows.len() - first)
}

/// The audit trail of one order, oldest first.
pub async fn for_order(db: &Db, order_id: &str) -> Result<Vec<AuditRow>, StorageError> {
    let sql = select_audit!("WHERE order_id = $1 ORDER BY seq");
    Ok(crate::db_run!(db, |pool| sqlx::query_as(sql).bind(order_id).fetch_all(pool).await)?)
}

/// A mission's audit rows, oldest first (for the CSV export).
pub async fn for_mission(db: &Db, mission_id: &str) -> Result<Vec<AuditRow>, StorageError> {
    let sql = select_audit!("WHERE mission_id = $1 ORDER BY seq");
    Ok(crate::db_run!(db, |pool| sqlx::query_as(sql).bind(mission_id).fetch_all(pool).await)?)
}
