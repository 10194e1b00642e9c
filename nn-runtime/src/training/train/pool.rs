//! The threads of a multi-threaded session: a rayon pool, and a relay that hands it work from
//! outside without allocating.
//!
//! Rayon's own way in, [`ThreadPool::install`](rayon::ThreadPool::install) from a thread outside
//! the pool, queues a job in the pool's injector, which takes a new block of memory every 63 jobs:
//! one allocation per 63 training epochs. Instead, one job of the pool (the relay's driver) waits
//! for work on a mutex and a condition variable, which allocate nothing, and runs each task
//! inside the pool, so that the task's `rayon::join`s stay on the pool's own queues.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A rayon pool of `threads` threads, one of which runs the tasks handed to [`run`](Self::run).
pub(crate) struct TrainingPool {
    pool: rayon::ThreadPool,
    relay: Arc<Relay>,
}

/// The hand-off between the callers of [`TrainingPool::run`] and the driver job in the pool.
struct Relay {
    state: Mutex<State>,
    /// Signalled when a task or the request to quit arrives.
    task_ready: Condvar,
    /// Signalled when a task has finished.
    task_done: Condvar,
}

/// What the relay holds.
enum State {
    /// Nothing to do.
    Idle,
    /// A task waiting for the driver.
    Task(Task),
    /// The last task's end: `None` if it returned, the panic's payload if it panicked.
    Done(Option<Box<dyn Any + Send>>),
    /// The pool is being dropped: the driver ends.
    Quit,
}

/// A task borrowed from the stack of a caller of [`TrainingPool::run`], which waits until the
/// task has run, so the borrow outlives every use.
struct Task(*mut (dyn FnMut() + Send + 'static));

// SAFETY: the closure behind the pointer is `Send`, and only the driver calls it while its owner
// waits.
unsafe impl Send for Task {}

impl TrainingPool {
    /// Starts `threads` threads (at least 2 are useful) named `nn-train-<i>`.
    ///
    /// # Panics
    /// If the operating system refuses to start the threads.
    pub(crate) fn new(threads: usize) -> Self {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("nn-train-{i}"))
            .build()
            .expect("the training threads could not be started");
        // Let every thread run once now, so that what a thread sets up on its first job (its
        // thread-locals, its registration for work stealing) is allocated in setup, not during a
        // step.
        pool.broadcast(|_| {
            rayon::join(|| (), || ());
        });
        let relay = Arc::new(Relay {
            state: Mutex::new(State::Idle),
            task_ready: Condvar::new(),
            task_done: Condvar::new(),
        });
        let driver = Arc::clone(&relay);
        pool.spawn(move || driver.drive());
        Self { pool, relay }
    }

    /// Runs `f` on one of the pool's threads (right here if this is one) and returns its
    /// result; a panic in `f` resumes on the caller. Allocates nothing. One caller at a time:
    /// the session that owns the pool calls it through `&mut self`.
    pub(crate) fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        if self.pool.current_thread_index().is_some() {
            return f();
        }
        let mut f = Some(f);
        let mut result = None;
        let mut task = || result = f.take().map(|f| f());
        let task: &mut (dyn FnMut() + Send) = &mut task;
        // SAFETY: only the lifetime is erased; this function waits below until the driver has
        // finished with the task, so the borrow of `task` outlives every use of the pointer.
        let task: *mut (dyn FnMut() + Send + 'static) = unsafe { core::mem::transmute(task) };
        let mut state = self.relay.lock();
        assert!(
            matches!(*state, State::Idle),
            "a training pool runs one task at a time"
        );
        *state = State::Task(Task(task));
        self.relay.task_ready.notify_one();
        let panic = loop {
            state = self
                .relay
                .task_done
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
            if matches!(*state, State::Done(_))
                && let State::Done(panic) = core::mem::replace(&mut *state, State::Idle)
            {
                break panic;
            }
        };
        drop(state);
        if let Some(payload) = panic {
            resume_unwind(payload);
        }
        result.expect("the driver ran the task")
    }
}

impl Drop for TrainingPool {
    fn drop(&mut self) {
        *self.relay.lock() = State::Quit;
        self.relay.task_ready.notify_one();
    }
}

impl Relay {
    /// The state, also after a panic elsewhere (every task's panic is caught, so the state
    /// stays consistent).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The driver: runs each task handed over, until asked to quit.
    fn drive(&self) {
        let mut state = self.lock();
        loop {
            match core::mem::replace(&mut *state, State::Idle) {
                State::Task(Task(task)) => {
                    drop(state);
                    // SAFETY: the caller of `run` keeps the task alive and untouched until it
                    // sees `Done`.
                    let outcome = catch_unwind(AssertUnwindSafe(|| unsafe { (*task)() }));
                    state = self.lock();
                    *state = State::Done(outcome.err());
                    self.task_done.notify_one();
                }
                State::Quit => return,
                other => {
                    *state = other;
                    state = self
                        .task_ready
                        .wait(state)
                        .unwrap_or_else(|e| e.into_inner());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_run_inside_the_pool_and_return_their_results() {
        let pool = TrainingPool::new(2);
        assert_eq!(pool.run(rayon::current_num_threads), 2);
        for i in 0..100 {
            let (index, sum) = pool.run(|| {
                let (a, b) = rayon::join(|| i * 2, || i + 1);
                (rayon::current_thread_index(), a + b)
            });
            assert!(index.is_some(), "ran on a pool thread");
            assert_eq!(sum, 3 * i + 1);
        }
        // From inside the pool, a task runs in place.
        assert_eq!(pool.run(|| pool.run(|| 7)), 7);
    }

    #[test]
    fn a_panicking_task_panics_in_the_caller_and_the_pool_goes_on() {
        let pool = TrainingPool::new(2);
        let outcome = catch_unwind(AssertUnwindSafe(|| pool.run(|| panic!("in the task"))));
        let payload = outcome.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"in the task"));
        assert_eq!(pool.run(|| 5), 5);
    }
}
