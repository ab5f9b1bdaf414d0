//! The missions directory, kept in memory: it is read by nearly every request (an order's
//! page, its fee, its time zone) and changes only when a deployment seeds it anew. Each node
//! reloads it from the database at most once a minute, so a seeding on one node reaches the
//! others within that minute. Nothing personal is cached here.

use lingshi_domain::mission::Mission;
use lingshi_storage::{Db, StorageError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a loaded directory is used before it is read again.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

/// Every mission, each shared with the requests that read it.
type Missions = Arc<Vec<Arc<Mission>>>;

/// The cached directory.
pub struct Directory {
    fresh_for: Duration,
    loaded: RwLock<Option<(Instant, Missions)>>,
}

impl Default for Directory {
    fn default() -> Self {
        Self::fresh_for(FRESH_FOR)
    }
}

impl Directory {
    /// A directory read again after `fresh_for`.
    pub fn fresh_for(fresh_for: Duration) -> Self {
        Self { fresh_for, loaded: RwLock::new(None) }
    }

    async fn missions(&self, db: &Db) -> Result<Missions, StorageError> {
        let cached = self.loaded.read().map(|l| l.clone()).unwrap_or_default();
        if let Some((_, missions)) = cached.filter(|(at, _)| at.elapsed() < self.fresh_for) {
            return Ok(missions);
        }
        let missions: Missions =
            Arc::new(lingshi_storage::missions::list(db).await?.into_iter().map(Arc::new).collect());
        if let Ok(mut loaded) = self.loaded.write() {
            *loaded = Some((Instant::now(), missions.clone()));
        }
        Ok(missions)
    }

    /// Every mission, in the directory's order.
    pub async fn list(&self, db: &Db) -> Result<Missions, StorageError> {
        self.missions(db).await
    }

    /// The mission `id`, if there is one (shared, not copied: nearly every request reads one).
    pub async fn find(&self, db: &Db, id: &str) -> Result<Option<Arc<Mission>>, StorageError> {
        Ok(self.missions(db).await?.iter().find(|m| m.id == id).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lingshi_storage::{Backend, seed, testing};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_fresh_directory_is_read_from_memory_and_a_stale_one_from_the_database() {
        testing::run_on(Backend::Sqlite, |db: Db, _dir| async move {
            seed::seed_missions(&db).await.expect("seed");
            let kept = Directory::fresh_for(Duration::from_secs(3600));
            let reread = Directory::fresh_for(Duration::ZERO);
            let mut belgium = Mission::clone(&kept.find(&db, seed::BELGIUM).await.expect("find").expect("Belgium"));
            assert!(reread.find(&db, seed::BELGIUM).await.expect("find").is_some());
            assert!(kept.find(&db, "nowhere").await.expect("find").is_none());
            belgium.time_zone = "Asia/Shanghai".into();
            let mut tx = db.begin().await.expect("begin");
            lingshi_storage::missions::upsert(&mut tx, &belgium, 1).await.expect("upsert");
            tx.commit().await.expect("commit");
            let zone = |m: Option<Arc<Mission>>| m.map(|m| m.time_zone.clone());
            assert_eq!(zone(kept.find(&db, seed::BELGIUM).await.expect("find")).as_deref(), Some("Europe/Brussels"));
            assert_eq!(zone(reread.find(&db, seed::BELGIUM).await.expect("find")).as_deref(), Some("Asia/Shanghai"));
        })
        .await;
    }
}
