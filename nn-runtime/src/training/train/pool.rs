//! The threads of a multi-threaded session: a rayon pool, and a relay that hands it work from
//! outside without allocating.
//!
//! Rayon's own way in, [`ThreadPool::install`](rayon::ThreadPool::install) from a thread outside
//! the pool, queues a job in the pool's injector, which takes a new block of memory every 63 jobs:
//! one allocation per 63 training epochs. Instead, one job of the pool (the relay's driver) waits
//! for work on a mutex and a condition variable, which allocate nothing, and runs each task
//! inside the pool, so that the task's `rayon::join`s stay on the pool's own queues.

use std::any::Any;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::TrainError;
use crate::training::team::Team;

/// A rayon pool of `threads` threads, one of which runs the tasks handed to [`run`](Self::run).
///
/// Dropping it ends the driver, then the pool, then waits for every thread to end: the fields
/// drop in this order, after [`Drop::drop`] has asked the driver to quit.
pub(crate) struct TrainingPool {
    pool: rayon::ThreadPool,
    relay: Arc<Relay>,
    /// The pool's threads as one team: the one running a task and helpers on the others.
    team: Team,
    /// Held for its drop, which waits for the threads.
    _threads: Joined,
}

/// The pool's threads, joined when dropped (after the rayon pool, whose drop tells them to end).
struct Joined(Vec<JoinHandle<()>>);

impl Drop for Joined {
    fn drop(&mut self) {
        let current = std::thread::current().id();
        // A thread of the pool cannot wait for itself (nor for the pool it keeps alive).
        if self.0.iter().any(|handle| handle.thread().id() == current) {
            return;
        }
        for handle in self.0.drain(..) {
            // The driver catches every task's panic, so a thread ends normally; if one did
            // panic, there is nothing left to clean up.
            let _ = handle.join();
        }
    }
}

/// Starts one thread of the pool: the default runs `thread` on `builder`'s new thread.
fn spawn_thread(
    builder: std::thread::Builder,
    thread: rayon::ThreadBuilder,
) -> io::Result<JoinHandle<()>> {
    builder.spawn(move || thread.run())
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
    /// Starts `threads` threads (at least 2 are useful) named `nn-train-<i>`, working as a team
    /// whose helpers each have `scratch_bytes` bytes of scratch memory.
    ///
    /// More threads than a pool can hold, or threads the operating system refuses to start
    /// (a limit on processes or memory), are a [`TrainError::ThreadSpawn`]; the threads started
    /// by then end before it returns.
    pub(crate) fn new(threads: usize, scratch_bytes: usize) -> Result<Self, TrainError> {
        Self::start(threads, scratch_bytes, spawn_thread)
    }

    /// [`new`](Self::new), starting each thread with `spawn` (given the thread's builder, with
    /// its name set, and rayon's side of the thread to run on it).
    fn start(
        threads: usize,
        scratch_bytes: usize,
        mut spawn: impl FnMut(std::thread::Builder, rayon::ThreadBuilder) -> io::Result<JoinHandle<()>>,
    ) -> Result<Self, TrainError> {
        let most = rayon::max_num_threads();
        if threads > most {
            return Err(TrainError::ThreadSpawn {
                threads,
                kind: io::ErrorKind::InvalidInput,
                message: format!("a pool holds at most {most} threads"),
            });
        }
        let mut handles = Joined(Vec::with_capacity(threads));
        let mut refused = None;
        let built = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .spawn_handler(|thread| {
                let mut builder =
                    std::thread::Builder::new().name(format!("nn-train-{}", thread.index()));
                if let Some(size) = thread.stack_size() {
                    builder = builder.stack_size(size);
                }
                match spawn(builder, thread) {
                    Ok(handle) => {
                        handles.0.push(handle);
                        Ok(())
                    }
                    Err(error) => {
                        refused = Some((error.kind(), error.to_string()));
                        Err(error)
                    }
                }
            })
            .build();
        let pool = match built {
            Ok(pool) => pool,
            // Rayon has told the threads started so far to end; `handles` waits for them.
            Err(error) => {
                let (kind, message) =
                    refused.unwrap_or_else(|| (io::ErrorKind::Other, error.to_string()));
                return Err(TrainError::ThreadSpawn {
                    threads,
                    kind,
                    message,
                });
            }
        };
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
        Ok(Self {
            pool,
            relay,
            team: Team::new(threads, scratch_bytes),
            _threads: handles,
        })
    }

    /// The number of threads.
    pub(crate) fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// [`run`](Self::run)s `f` with the other threads of the pool waiting as its team's helpers
    /// (see [`Team::serve`]): the loops and products `f` starts spread over every thread.
    pub(crate) fn run_as_team<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.run(|| self.team.serve(f))
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
        let pool = TrainingPool::new(2, 0).unwrap();
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
        let pool = TrainingPool::new(2, 0).unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| pool.run(|| panic!("in the task"))));
        let payload = outcome.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"in the task"));
        assert_eq!(pool.run(|| 5), 5);
    }

    /// A spawner that starts each thread as [`spawn_thread`] does, the thread holding a clone of
    /// `alive` until it ends.
    fn counted(
        alive: &Arc<()>,
    ) -> impl FnMut(std::thread::Builder, rayon::ThreadBuilder) -> io::Result<JoinHandle<()>> + '_
    {
        move |builder, thread| {
            let alive = Arc::clone(alive);
            builder.spawn(move || {
                let _alive = alive;
                thread.run();
            })
        }
    }

    #[test]
    fn dropping_the_pool_waits_for_its_threads_to_end() {
        let alive = Arc::new(());
        let pool = TrainingPool::start(3, 0, counted(&alive)).unwrap();
        assert_eq!(pool.run(|| 4), 4);
        assert_eq!(
            Arc::strong_count(&alive),
            4,
            "three threads hold the counter"
        );
        drop(pool);
        assert_eq!(Arc::strong_count(&alive), 1, "every thread has ended");
    }

    #[test]
    fn a_refused_thread_is_an_error_naming_the_count_and_the_others_end() {
        let alive = Arc::new(());
        let mut started = counted(&alive);
        let result = TrainingPool::start(3, 0, |builder, thread| {
            if thread.index() == 2 {
                Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "Resource temporarily unavailable",
                ))
            } else {
                started(builder, thread)
            }
        });
        let Err(error) = result else {
            panic!("the third thread was refused");
        };
        assert_eq!(
            error,
            TrainError::ThreadSpawn {
                threads: 3,
                kind: io::ErrorKind::WouldBlock,
                message: "Resource temporarily unavailable".into(),
            }
        );
        assert!(error.to_string().contains("3 training threads"), "{error}");
        assert_eq!(
            Arc::strong_count(&alive),
            1,
            "the two started threads ended"
        );
    }

    #[test]
    fn a_thread_the_operating_system_cannot_give_a_stack_is_an_error() {
        // A stack of 2⁶⁰ bytes is beyond any address space: `pthread_create` fails.
        let result = TrainingPool::start(2, 0, |builder, thread| {
            spawn_thread(builder.stack_size(1 << 60), thread)
        });
        let Err(TrainError::ThreadSpawn { threads, .. }) = result else {
            panic!("the operating system refused the stack");
        };
        assert_eq!(threads, 2);
    }

    #[test]
    fn more_threads_than_a_pool_holds_are_refused_before_any_starts() {
        let most = rayon::max_num_threads();
        let result = TrainingPool::start(most + 1, 0, |_, _| panic!("no thread is started"));
        let Err(error) = result else {
            panic!("too many threads");
        };
        assert!(matches!(
            error,
            TrainError::ThreadSpawn { threads, kind: io::ErrorKind::InvalidInput, .. } if threads == most + 1
        ));
        assert!(
            error.to_string().contains(&format!("at most {most}")),
            "{error}"
        );
    }
}
