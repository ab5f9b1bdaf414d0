//! CPU- and memory-heavy work (decoding and checking images, verifying faces, hashing
//! passwords) off the async runtime's threads, at most one job per core at a time. More at
//! once would finish no sooner, and would multiply peak memory: one decode may hold up to
//! `IntakeLimits::max_alloc` (256 MB), one argon2 hash 19 MB. Jobs beyond that wait their
//! turn in arrival order, up to sixteen per turn; more are refused at once (503 with
//! `Retry-After`) rather than queued for seconds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// Turns for heavy jobs. A job keeps its turn until it has finished, even when the request
/// that asked for it has gone (the job cannot be stopped half-way, so its memory stays held).
#[derive(Clone)]
pub struct HeavyWork {
    turns: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
}

/// Jobs that may wait per turn.
const WAITING_PER_TURN: usize = 16;

/// Counts a job waiting for its turn until it has it (or gave up).
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HeavyWork {
    pub fn new(at_once: usize) -> Self {
        let at_once = at_once.max(1);
        Self {
            turns: Arc::new(Semaphore::new(at_once)),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting: at_once * WAITING_PER_TURN,
        }
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, AppError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Overloaded);
        }
        let _waiting = Waiting(self.waiting.clone());
        self.turns.clone().acquire_owned().await.map_err(AppError::internal)
    }

    /// Runs `job` on a blocking thread when its turn comes.
    pub async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let turn = self.turn().await?;
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            job()
        })
        .await
        .map_err(AppError::internal)
    }
}

/// The process's turns: one per core it may use.
static PER_CORE: LazyLock<HeavyWork> =
    LazyLock::new(|| HeavyWork::new(std::thread::available_parallelism().map_or(1, |n| n.get())));

/// [`HeavyWork::run`] with the process's turns.
pub async fn run<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    PER_CORE.run(job).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A job that has its turn and keeps it until released; its caller's task.
    async fn holding_the_turn(
        work: &HeavyWork,
    ) -> (tokio::task::JoinHandle<Result<(), AppError>>, tokio::sync::oneshot::Sender<()>) {
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let (started, has_started) = tokio::sync::oneshot::channel::<()>();
        let caller = tokio::spawn({
            let work = work.clone();
            async move {
                work.run(move || {
                    let _ = started.send(());
                    let _ = released.blocking_recv();
                })
                .await
            }
        });
        has_started.await.expect("the job started");
        (caller, release)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_beyond_the_waiting_limit_are_shed_with_a_503() {
        let work = HeavyWork::new(1);
        let (running, release) = holding_the_turn(&work).await;
        let queued: Vec<_> = (0..WAITING_PER_TURN)
            .map(|_| {
                let work = work.clone();
                tokio::spawn(async move { work.run(|| ()).await })
            })
            .collect();
        while work.waiting.load(Ordering::SeqCst) < WAITING_PER_TURN {
            tokio::task::yield_now().await;
        }
        let shed = work.run(|| ()).await.expect_err("one too many");
        assert_eq!((shed.status().as_u16(), shed.retry_after()), (503, Some(1)));
        release.send(()).expect("the first job waits");
        running.await.expect("task").expect("job");
        for job in queued {
            job.await.expect("task").expect("a queued job ran");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_jobs_run_at_once_than_there_are_turns() {
        let work = HeavyWork::new(2);
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let jobs = (0..8).map(|_| {
            let (work, running, most) = (work.clone(), running.clone(), most.clone());
            tokio::spawn(async move {
                work.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    // Long enough that, without turns, the eight jobs would overlap.
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            })
        });
        for job in jobs.collect::<Vec<_>>() {
            job.await.expect("task").expect("job");
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_keeps_its_turn_when_its_caller_is_gone() {
        let work = HeavyWork::new(1);
        let (caller, release) = holding_the_turn(&work).await;
        caller.abort();
        assert!(caller.await.is_err_and(|e| e.is_cancelled()));
        assert_eq!(work.turns.available_permits(), 0, "the turn went with the caller");
        release.send(()).expect("the job is waiting");
        let after = work.run(|| "next").await.expect("the next job gets the turn");
        assert_eq!(after, "next");
    }
}
