//! The threads of a training session working as one team on each step: the calling thread runs
//! the step and hands pieces of its large loops and products to helpers that wait, spinning,
//! for the next piece.
//!
//! A step has a few pieces of parallel work (a product, an optimizer update) between short serial
//! parts. Work-stealing joins would let the other threads fall asleep in between, and waking one
//! costs more than the piece it gets (measured on a 2-vCPU virtual machine: a `rayon::join` of
//! two 5 µs halves took 12 µs once the other thread had slept, 6.4 µs while it was awake). Here
//! a helper spins for [`SPIN`] after each piece, so that within a step a hand-off costs a cache
//! line's round trip, and only then parks until the next piece is posted: a team with more
//! threads than the machine has free cores (or a quiet spell) does not keep cores busy waiting.
//! A helper claims its piece before running it; a piece no helper has claimed by the time the
//! poster's own piece ends runs on the poster, so that a helper without a core, or one its thread
//! pool never started (seen once in a few hundred test runs: the pool's other thread slept on),
//! slows a job down and never stalls it. Nothing is allocated.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

/// How long a waiting thread spins before it gives up its core: a helper parks, the poster
/// yields. Longer than the gaps between the pieces of a step (N3's longest serial stretch is about
/// 20 µs), far shorter than an epoch.
const SPIN: std::time::Duration = std::time::Duration::from_micros(100);

/// A piece of work: called with the piece's index, `0..pieces`.
type Job<'a> = &'a (dyn Fn(usize) + Sync);

/// A value alone on its cache line, so that the helpers' polling of one counter does not slow
/// the writes of another.
#[repr(align(128))]
#[derive(Default)]
struct Padded<T>(T);

/// One cache line of scratch memory.
#[repr(align(64))]
#[derive(Clone, Copy)]
struct Line(#[expect(dead_code, reason = "only its size and alignment matter")] [u8; 64]);

/// The hand-off between the thread that runs a step and its helpers.
pub(crate) struct Team {
    /// The helpers: the team's threads besides the one running the step.
    helpers: usize,
    /// Counts the jobs posted in the current scope; a helper runs a job when it changes.
    posted: Padded<AtomicUsize>,
    /// The current job: a pointer to a [`Job`] on the posting thread's stack, which waits until
    /// every helper has finished with it.
    job: AtomicPtr<Job<'static>>,
    /// Each helper's piece of the current job: who runs it (see [`Claim`]). Helper `k` runs
    /// piece `k` if it claims it first; the poster runs the pieces no helper has started once
    /// its own is done.
    claims: Box<[Padded<AtomicUsize>]>,
    /// How many pieces of the current job helpers have finished.
    completed: Padded<AtomicUsize>,
    /// Set when the scope ends: the helpers return.
    quit: AtomicBool,
    /// The first panic of a helper's piece, re-raised on the posting thread.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// Each helper's thread, set when it starts, to wake it when it has parked.
    helper_threads: Box<[Mutex<Option<std::thread::Thread>>]>,
    /// Whether each helper has parked, or is about to.
    parked: Box<[AtomicBool]>,
    /// Room for each helper's partial results ([`scratch`]), allocated with the team.
    scratch: core::cell::UnsafeCell<Box<[Line]>>,
    /// The bytes of `scratch` that are each helper's.
    scratch_bytes: usize,
}

// SAFETY: every field but `scratch` is `Sync`; `scratch` is only reached through [`scratch`], on
// the thread that runs the team's scope, whose contract gives each piece of a job its own part.
unsafe impl Sync for Team {}

std::thread_local! {
    /// The team serving this thread's steps, inside [`Team::serve`].
    static CURRENT: core::cell::Cell<*const Team> = const { core::cell::Cell::new(core::ptr::null()) };
}

impl Team {
    /// A team of `threads` threads (the caller of [`serve`](Self::serve) and `threads − 1`
    /// helpers, which `serve` starts on the current rayon pool), each helper with
    /// `scratch_bytes` bytes of [`scratch`].
    pub(crate) fn new(threads: usize, scratch_bytes: usize) -> Self {
        let helpers = threads.saturating_sub(1);
        let lines = scratch_bytes.div_ceil(64);
        Self {
            helpers,
            posted: Padded::default(),
            job: AtomicPtr::new(core::ptr::null_mut()),
            claims: (0..helpers).map(|_| Padded::default()).collect(),
            completed: Padded::default(),
            quit: AtomicBool::new(false),
            panic: Mutex::new(None),
            helper_threads: (0..helpers).map(|_| Mutex::new(None)).collect(),
            parked: (0..helpers).map(|_| AtomicBool::new(false)).collect(),
            scratch: core::cell::UnsafeCell::new(vec![Line([0; 64]); lines * helpers].into()),
            scratch_bytes: lines * 64,
        }
    }

    /// Runs `body` on this thread while the helpers wait for pieces on the other threads of the
    /// current rayon pool, which should have `threads − 1` idle threads (the pieces of helpers
    /// that do not start run on this thread); within `body`, [`run`] spreads work over the team.
    /// Inside another `serve` on this thread, runs `body` alone.
    pub(crate) fn serve<R: Send>(&self, body: impl FnOnce() -> R + Send) -> R {
        if self.helpers == 0 || !CURRENT.with(|current| current.get().is_null()) {
            return body();
        }
        // No helper of an earlier scope is left: `serve` returns after they have.
        self.posted.0.store(0, Ordering::Relaxed);
        self.quit.store(false, Ordering::Relaxed);
        /// Ends the scope, also when `body` unwinds, so that the helpers return and the join
        /// that waits for them ends.
        struct Quit<'a>(&'a Team);
        impl Drop for Quit<'_> {
            fn drop(&mut self) {
                CURRENT.with(|current| current.set(core::ptr::null()));
                self.0.quit.store(true, Ordering::SeqCst);
                self.0.wake_parked();
            }
        }
        let (result, ()) = rayon::join(
            || {
                let _quit = Quit(self);
                CURRENT.with(|current| current.set(self));
                body()
            },
            || self.help_from(1),
        );
        result
    }

    /// Runs helpers `first..=helpers`, each on a thread of the pool.
    fn help_from(&self, first: usize) {
        match self.helpers - first {
            0 => self.help(first),
            _ => {
                rayon::join(|| self.help(first), || self.help_from(first + 1));
            }
        }
    }

    /// Helper `index`: runs its piece of every job posted until the scope ends.
    fn help(&self, index: usize) {
        *lock(&self.helper_threads[index - 1]) = Some(std::thread::current());
        let mut seen = 0;
        loop {
            let mut waiting = Waiting::new();
            loop {
                let posted = self.posted.0.load(Ordering::Acquire);
                if posted != seen {
                    seen = posted;
                    break;
                }
                if self.quit.load(Ordering::Acquire) {
                    return;
                }
                if waiting.spun_out() {
                    self.park(index, seen);
                }
            }
            // A job posted after `seen` leaves this piece's claim at another value: the claim
            // fails, and the loop takes the newer job.
            if Claim::Open.of(seen) == Claim::Helper.take(&self.claims[index - 1].0, seen) {
                // SAFETY: the job was stored before its pieces were opened (release/acquire),
                // and its poster waits in `post` until every piece a helper claimed is done.
                let job = unsafe { *self.job.load(Ordering::Relaxed) };
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| job(index))) {
                    lock(&self.panic).get_or_insert(payload);
                }
                self.completed.0.fetch_add(1, Ordering::Release);
            }
        }
    }

    /// Parks helper `index` until a job after the `seen`-th is posted or the scope ends (or
    /// spuriously: the caller checks again).
    fn park(&self, index: usize, seen: usize) {
        let parked = &self.parked[index - 1];
        parked.store(true, Ordering::SeqCst);
        // Checked after announcing the park, so that a poster either sees the announcement and
        // wakes this thread, or posted before this check (all `SeqCst`).
        if self.posted.0.load(Ordering::SeqCst) == seen && !self.quit.load(Ordering::SeqCst) {
            std::thread::park();
        }
        parked.store(false, Ordering::SeqCst);
    }

    /// Wakes every helper that has parked.
    fn wake_parked(&self) {
        for (parked, thread) in self.parked.iter().zip(&self.helper_threads) {
            if parked.load(Ordering::SeqCst)
                && let Some(thread) = lock(thread).as_ref()
            {
                thread.unpark();
            }
        }
    }

    /// Runs `job(0)` on this thread and `job(1)`…`job(pieces − 1)` on helpers, and returns when
    /// all have: the first panic among them goes on here. A piece whose helper has not started
    /// it when this thread's own piece ends runs here: a helper without a core (or one its
    /// thread pool never started) slows a job down, and never stalls it.
    fn post(&self, pieces: usize, job: Job<'_>) {
        // SAFETY: only the lifetime is erased; this function waits below until every helper has
        // finished with the job, so the borrow outlives every use.
        let job: Job<'static> = unsafe { core::mem::transmute(job) };
        let mut slot = job;
        self.job.store(&mut slot, Ordering::Relaxed);
        self.completed.0.store(0, Ordering::Relaxed);
        // Only this thread posts.
        let number = self.posted.0.load(Ordering::Relaxed) + 1;
        for claim in &self.claims[..pieces - 1] {
            claim.0.store(Claim::Open.of(number), Ordering::Release);
        }
        self.posted.0.store(number, Ordering::SeqCst);
        self.wake_parked();
        /// Closes the pieces left open and waits for those helpers claimed, also when this
        /// thread's piece unwinds.
        struct Finish<'a>(&'a Team, usize, usize);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                let Finish(team, number, pieces) = *self;
                let claims = &team.claims[..pieces - 1];
                let by_helpers = claims
                    .iter()
                    .map(|claim| Claim::Poster.take(&claim.0, number))
                    .filter(|&before| before == Claim::Helper.of(number))
                    .count();
                let mut waiting = Waiting::new();
                while team.completed.0.load(Ordering::Acquire) < by_helpers {
                    if waiting.spun_out() {
                        // A helper may be waiting for this core.
                        std::thread::yield_now();
                    }
                }
                if std::thread::panicking() {
                    // This thread's own panic goes on; a helper's of the same job is dropped
                    // rather than raised by the next job.
                    lock(&team.panic).take();
                }
            }
        }
        let finish = Finish(self, number, pieces);
        job(0);
        for piece in 1..pieces {
            let claim = &self.claims[piece - 1].0;
            if Claim::Poster.take(claim, number) == Claim::Open.of(number) {
                job(piece);
            }
        }
        drop(finish);
        let panic = lock(&self.panic).take();
        if let Some(payload) = panic {
            resume_unwind(payload);
        }
    }
}

/// Who runs a helper's piece of the job numbered `n`, as the value of its claim: the poster sets
/// it [`Open`](Claim::Open) when it posts the job, and the helper or the poster, whichever
/// comes first, takes it. The values of different jobs differ, so a helper that wakes late
/// cannot take a piece of a job it did not see posted.
#[derive(Clone, Copy)]
enum Claim {
    Open,
    Helper,
    Poster,
}

impl Claim {
    /// The claim's value for job `number`.
    const fn of(self, number: usize) -> usize {
        3 * number + self as usize
    }

    /// Takes the piece of job `number` in `claim` for `self` if it is open, and returns the
    /// value the claim had: [`Open`](Claim::Open)'s if this call took it.
    fn take(self, claim: &AtomicUsize, number: usize) -> usize {
        let open = Claim::Open.of(number);
        match claim.compare_exchange(open, self.of(number), Ordering::AcqRel, Ordering::Acquire) {
            Ok(before) | Err(before) => before,
        }
    }
}

/// A wait loop's clock: spins for [`SPIN`], then says to give up the core.
struct Waiting {
    /// When the wait began.
    start: std::time::Instant,
    /// Whether [`SPIN`] has passed.
    out: bool,
}

impl Waiting {
    fn new() -> Self {
        Self {
            start: std::time::Instant::now(),
            out: false,
        }
    }

    /// One turn of the loop: a spin-loop hint and `false` within [`SPIN`], `true` after it.
    #[inline(always)]
    fn spun_out(&mut self) -> bool {
        if !self.out {
            core::hint::spin_loop();
            self.out = self.start.elapsed() >= SPIN;
        }
        self.out
    }
}

/// Locks `mutex`, also when a panic poisoned it (the team's mutexes hold a thread handle or a
/// panic's payload, each stored whole).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The number of threads loops and products started on this thread may use: the team's inside
/// [`Team::serve`] (and not inside a piece), 1 elsewhere.
#[inline]
pub(crate) fn threads() -> usize {
    CURRENT.with(|current| {
        let team = current.get();
        // SAFETY: a non-null pointer is the team of a `serve` running on this thread.
        if team.is_null() {
            1
        } else {
            unsafe { (*team).helpers + 1 }
        }
    })
}

/// Piece `piece` of `pieces` of `0..len`, in consecutive runs. Every split of a step cuts this
/// way (a dense layer's weights by columns, its optimizer update by elements, a batch's inputs by
/// rows), so that the pieces of one thread line up from one split to the next.
pub(crate) fn cut(len: usize, pieces: usize, piece: usize) -> core::ops::Range<usize> {
    len * piece / pieces..len * (piece + 1) / pieces
}

/// A pointer to memory that the pieces of a job write, each its own part (their callers vouch
/// for it), shareable between the team's threads.
#[derive(Clone, Copy)]
pub(crate) struct SharedMut<E>(pub(crate) *mut E);

// SAFETY: the pieces that use it write disjoint parts, each on one thread, and end before the
// borrow the pointer comes from does (their callers vouch for it).
unsafe impl<E: Send> Send for SharedMut<E> {}
// SAFETY: as above.
unsafe impl<E: Send> Sync for SharedMut<E> {}

/// Each helper's scratch memory in the team serving this thread, where a piece of a job leaves
/// a partial result for the posting thread to combine.
#[derive(Clone, Copy)]
pub(crate) struct Scratch<E> {
    base: *mut E,
    /// The distance, in values, between two helpers' parts.
    stride: usize,
}

// SAFETY: each piece of a job writes only its own part (the contract of `scratch`).
unsafe impl<E: Send> Send for Scratch<E> {}
// SAFETY: as above.
unsafe impl<E: Send> Sync for Scratch<E> {}

impl<E> Scratch<E> {
    /// The part of piece `piece` (1 ≤ `piece` < [`threads`]).
    pub(crate) fn piece(self, piece: usize) -> *mut E {
        assert!(
            piece >= 1,
            "piece 0 runs on the posting thread, which needs no scratch"
        );
        self.base.wrapping_add((piece - 1) * self.stride)
    }
}

/// The helpers' scratch memory of the team serving this thread, if each part holds `len` values
/// of `E`.
///
/// # Safety
/// Within a job, piece `k` may write only part `k`, and the posting thread read the parts only
/// after the job has ended; no other job may use them until then.
pub(crate) unsafe fn scratch<E>(len: usize) -> Option<Scratch<E>> {
    let team = CURRENT.with(|current| current.get());
    if team.is_null() || core::mem::align_of::<E>() > 64 || core::mem::size_of::<E>() == 0 {
        return None;
    }
    // SAFETY: a non-null pointer is the team of a `serve` running on this thread.
    let team = unsafe { &*team };
    if len * core::mem::size_of::<E>() > team.scratch_bytes {
        return None;
    }
    // SAFETY: the scratch is only reached here; the caller keeps the uses apart.
    let scratch = unsafe { &mut *team.scratch.get() };
    Some(Scratch {
        base: scratch.as_mut_ptr().cast(),
        stride: team.scratch_bytes / core::mem::size_of::<E>(),
    })
}

/// Runs `job(0)`…`job(pieces − 1)` in parallel on the team serving this thread (`pieces` at most
/// [`threads`]), or one after the other on this thread outside a team.
pub(crate) fn run(pieces: usize, job: &(dyn Fn(usize) + Sync)) {
    let team = CURRENT.with(|current| current.replace(core::ptr::null()));
    if team.is_null() || pieces <= 1 {
        CURRENT.with(|current| current.set(team));
        return (0..pieces).for_each(job);
    }
    /// Gives the team back to this thread, also when a piece unwinds.
    struct Restore(*const Team);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|current| current.set(self.0));
        }
    }
    let _restore = Restore(team);
    // SAFETY: a non-null pointer is the team of a `serve` running on this thread.
    let team = unsafe { &*team };
    assert!(
        pieces <= team.helpers + 1,
        "a job has at most one piece per thread"
    );
    team.post(pieces, job);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    #[test]
    fn pieces_run_once_each_on_distinct_threads() {
        let pool = pool(3);
        let team = Team::new(3, 0);
        let seen = Mutex::new(Vec::new());
        let started = AtomicUsize::new(0);
        pool.install(|| {
            team.serve(|| {
                assert_eq!(threads(), 3);
                for round in 0..100 {
                    run(3, &|piece| {
                        // Inside a piece nothing spreads further.
                        assert_eq!(threads(), 1);
                        if piece == 0 {
                            // Until the helpers have started theirs: a piece no helper has
                            // started when the poster's ends runs on the poster.
                            let deadline =
                                std::time::Instant::now() + std::time::Duration::from_secs(10);
                            while started.load(Ordering::SeqCst) < 2 * (round + 1)
                                && std::time::Instant::now() < deadline
                            {
                                core::hint::spin_loop();
                            }
                        } else {
                            started.fetch_add(1, Ordering::SeqCst);
                        }
                        seen.lock()
                            .unwrap()
                            .push((piece, std::thread::current().id()));
                    });
                }
            })
        });
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 300);
        for piece in 0..3 {
            assert_eq!(seen.iter().filter(|(p, _)| *p == piece).count(), 100);
        }
        let mut threads: Vec<_> = seen.iter().map(|(_, id)| *id).collect();
        threads.sort_by_key(|id| format!("{id:?}"));
        threads.dedup();
        assert_eq!(threads.len(), 3);
        // Outside the scope, work runs here.
        assert_eq!(super::threads(), 1);
    }

    #[test]
    fn without_helpers_every_piece_runs_on_the_poster() {
        // A pool of one thread never starts the team's helper: its pieces run on the poster,
        // once each, and the scope still ends.
        let pool = pool(1);
        let team = Team::new(2, 0);
        let seen = Mutex::new(Vec::new());
        pool.install(|| {
            team.serve(|| {
                for _ in 0..10 {
                    run(2, &|piece| {
                        seen.lock()
                            .unwrap()
                            .push((piece, std::thread::current().id()));
                    });
                }
            })
        });
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 20);
        assert_eq!(seen.iter().filter(|(piece, _)| *piece == 1).count(), 10);
        assert!(seen.iter().all(|(_, id)| *id == seen[0].1));
    }

    #[test]
    fn helpers_that_parked_between_pieces_are_woken_for_the_next() {
        let pool = pool(3);
        let team = Team::new(3, 0);
        let count = AtomicUsize::new(0);
        pool.install(|| {
            team.serve(|| {
                for _ in 0..5 {
                    // Longer than the helpers spin: they park, and each piece must wake them.
                    let all_parked = || team.parked.iter().all(|p| p.load(Ordering::SeqCst));
                    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                    while !all_parked() && std::time::Instant::now() < deadline {
                        std::thread::sleep(SPIN);
                    }
                    assert!(all_parked(), "the helpers park when no piece comes");
                    run(3, &|_| {
                        count.fetch_add(1, Ordering::Relaxed);
                    });
                }
            })
        });
        assert_eq!(count.into_inner(), 15);
    }

    #[test]
    fn fewer_pieces_than_threads_and_nested_serve() {
        let pool = pool(2);
        let team = Team::new(2, 0);
        let count = AtomicUsize::new(0);
        pool.install(|| {
            team.serve(|| {
                team.serve(|| {
                    run(1, &|_| {
                        count.fetch_add(1, Ordering::Relaxed);
                    });
                    run(2, &|_| {
                        count.fetch_add(10, Ordering::Relaxed);
                    });
                })
            })
        });
        assert_eq!(count.into_inner(), 21);
    }

    #[test]
    fn a_panicking_piece_panics_the_step_and_the_team_goes_on() {
        let pool = pool(2);
        let team = Team::new(2, 0);
        for panicking in [0, 1] {
            let outcome = pool.install(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    team.serve(|| {
                        run(2, &|piece| {
                            if piece == panicking {
                                panic!("piece {piece}");
                            }
                        })
                    })
                }))
            });
            let payload = outcome.expect_err("the piece's panic reaches the caller");
            assert_eq!(
                payload.downcast_ref::<String>().map(String::as_str),
                Some(format!("piece {panicking}").as_str())
            );
        }
        let count = AtomicUsize::new(0);
        pool.install(|| {
            team.serve(|| {
                run(2, &|_| {
                    count.fetch_add(1, Ordering::Relaxed);
                })
            })
        });
        assert_eq!(count.into_inner(), 2);
    }

    #[test]
    fn when_every_piece_panics_the_next_job_runs_clean() {
        let pool = pool(2);
        let team = Team::new(2, 0);
        let count = AtomicUsize::new(0);
        let outcome = pool.install(|| {
            team.serve(|| {
                let first = catch_unwind(AssertUnwindSafe(|| {
                    run(2, &|piece| panic!("piece {piece}"))
                }));
                // The same scope's next job: the helper's panic of the first is not raised here.
                run(2, &|_| {
                    count.fetch_add(1, Ordering::Relaxed);
                });
                first
            })
        });
        let payload = outcome.expect_err("this thread's piece panicked");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("piece 0")
        );
        assert_eq!(count.into_inner(), 2);
    }
}
