//! `lingshi admin backup` and `lingshi admin restore`: the operator's side of
//! [`lingshi_storage::backup`], with the configuration's database, file store and key.

use crate::config::Config;
use lingshi_storage::backup::{self, Manifest};
use lingshi_storage::{Db, Vault};
use std::path::Path;

/// Copies the running installation's database and files into the new directory `to`.
pub async fn backup(config: &Config, db: &Db, to: &Path) -> anyhow::Result<()> {
    let vault = Vault::new(&crate::setup::master_key(config)?);
    let files = local_files(config);
    let manifest = backup::backup(db, &config.database_url, files.as_deref(), &vault, to).await?;
    println!("backup written to {}", to.display());
    describe(&manifest);
    println!("keep the master key apart from it: the backup cannot be read without that key");
    Ok(())
}

/// Restores the backup in `from` into the configured database and file store, which must
/// be empty. The master key must be in force already (`LINGSHI_MASTER_KEY`, or the
/// installation's `master.key` put back into the data directory): a restore never makes one.
pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<()> {
    let key_file = config.data_dir.join("master.key");
    if config.master_key.is_none() && !key_file.exists() {
        anyhow::bail!(
            "no master key: put the backed-up installation's master.key at {} or set LINGSHI_MASTER_KEY",
            key_file.display()
        );
    }
    let vault = Vault::new(&crate::setup::master_key(config)?);
    let files = local_files(config);
    let manifest = backup::restore(from, &config.database_url, files.as_deref(), &vault).await?;
    println!("restored from {}", from.display());
    describe(&manifest);
    Ok(())
}

/// The folder of the file store when it is local; with an object store, says that its files
/// are not in the backup.
fn local_files(config: &Config) -> Option<std::path::PathBuf> {
    match &config.blob_url {
        Some(url) => {
            println!(
                "files stay in the object store {url}: its versioning and replication keep them (docs/DEPLOYMENT.md)"
            );
            None
        }
        None => Some(config.data_dir.join("files")),
    }
}

fn describe(manifest: &Manifest) {
    println!(
        "  {} database at schema {}, {} files, taken {}",
        manifest.backend,
        manifest.schema_version,
        manifest.files,
        manifest.taken_at.to_rfc3339()
    );
}
