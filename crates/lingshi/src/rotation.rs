//! `lingshi admin rotate-key`: the operator's side of
//! [`lingshi_web::service::key_rotation`]. The next key is made (`master.key.next` beside
//! `master.key`) or given (`LINGSHI_NEXT_MASTER_KEY`) before anything changes, and both are
//! kept until every value is under the next one; then the old key is set aside as
//! `master.key.retired-<time>` (the backups taken before need it) and the next one takes its
//! place in one rename. Killed anywhere, the command is run again and finishes the job.

use crate::config::Config;
use anyhow::Context;
use lingshi_storage::{Db, KeyChange, MasterKey, Vault};
use std::path::PathBuf;

fn key_file(config: &Config) -> PathBuf {
    config.data_dir.join("master.key")
}

fn next_key_file(config: &Config) -> PathBuf {
    config.data_dir.join("master.key.next")
}

/// Whether a rotation was begun and not finished.
pub fn unfinished(config: &Config) -> bool {
    config.next_master_key.is_some() || next_key_file(config).exists()
}

/// The key in force and the key to move to.
fn keys(config: &Config) -> anyhow::Result<(MasterKey, MasterKey)> {
    let old = match &config.master_key {
        Some(key) => key.clone(),
        None => MasterKey::read(&key_file(config))
            .with_context(|| format!("cannot read the master key at {}", key_file(config).display()))?,
    };
    let new = match (&config.master_key, &config.next_master_key) {
        (_, Some(next)) => next.clone(),
        (Some(_), None) => anyhow::bail!(
            "the master key comes from LINGSHI_MASTER_KEY: set LINGSHI_NEXT_MASTER_KEY to the new key \
             (32 random bytes in base64, e.g. from `openssl rand -base64 32`) and run this again"
        ),
        (None, None) => MasterKey::load_or_create(&next_key_file(config))
            .with_context(|| format!("cannot read or create {}", next_key_file(config).display()))?,
    };
    if old.same_as(&new) {
        anyhow::bail!("the next key is the key in force: a rotation needs a new key");
    }
    Ok((old, new))
}

/// Seals everything under a new master key, `batch` rows per transaction.
pub async fn rotate_key(config: &Config, db: &Db, batch: i64) -> anyhow::Result<()> {
    let (old, new) = keys(config)?;
    let blobs = crate::setup::open_blobs(config).await?;
    let (old_vault, new_vault) = (Vault::new(&old), Vault::new(&new));
    let change = KeyChange { old: &old_vault, new: &new_vault };
    let mut report = |what: &str, done: u64| println!("{what}: {done} sealed again");
    let rotated = lingshi_web::service::key_rotation::rotate(db, &blobs, change, batch, &mut report).await?;
    println!(
        "every value is under the new key: {} values, {} files sealed again; {} audit rows re-linked; \
         {} one-time codes and rate-limit windows deleted",
        rotated.values, rotated.files, rotated.audit_rows, rotated.forgotten
    );
    if rotated.unreadable_files > 0 {
        println!("{} files open under neither key and were left as they are", rotated.unreadable_files);
    }
    if rotated.hashed_check_codes > 0 {
        println!(
            "{} legalizations registered before check codes were sealed cannot be checked any more: register them again",
            rotated.hashed_check_codes
        );
    }
    if config.next_master_key.is_some() {
        println!(
            "now set LINGSHI_MASTER_KEY to the value of LINGSHI_NEXT_MASTER_KEY and unset LINGSHI_NEXT_MASTER_KEY"
        );
        println!("keep the old key with the backups taken before this rotation: they need it");
        return Ok(());
    }
    let retired = config.data_dir.join(format!("master.key.retired-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S")));
    old.save_new(&retired).with_context(|| format!("cannot set the old key aside at {}", retired.display()))?;
    std::fs::rename(next_key_file(config), key_file(config)).context("cannot put the new key in place")?;
    std::fs::File::open(&config.data_dir).and_then(|dir| dir.sync_all()).context("cannot sync the data directory")?;
    println!("the new key is in force at {}", key_file(config).display());
    println!(
        "the old key is at {}: move it off this machine, with the backups taken before this rotation (they need it)",
        retired.display()
    );
    Ok(())
}
