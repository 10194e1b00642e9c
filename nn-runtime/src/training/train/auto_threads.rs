//! How many threads [`Trainer::auto_threads`](super::Trainer::auto_threads) trains on: the
//! faster of one thread and every core, measured on the network, optimizer, batch size and data
//! of the fit.
//!
//! The threads share only the products and updates of large layers; whether that beats one
//! thread depends on how much of the step they are, the cores' caches and what else the machine
//! runs, so no fixed threshold is right everywhere. A network with nothing large enough to share
//! stays on one thread without measuring; otherwise the choice times whole training steps on
//! throwaway sessions, alternating one thread and every core, and keeps every core only when its
//! median is clearly below one thread's. The steps train the real network and optimizer, whose
//! parameters and state are put back afterwards bit for bit; for an optimizer whose state cannot
//! be saved ([`Optimizer::state`](crate::Optimizer::state) is `None`) only the gradient half of
//! each step is timed. Each network type and batch size is measured once per process.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;
use rand::seq::SliceRandom;

use super::Metric;
use super::session::{Session, copy_parameters, restore_parameters};
use crate::training::parallel;
use crate::{Dataset, Loss, Network, Optimizer, TrainError};

/// Every core must take at most this share of one thread's time to be chosen: a margin over the
/// timing noise, so that a tie stays on one thread.
const REQUIRED_SPEEDUP: f64 = 0.9;
/// Steps timed per thread count, alternating between the two, after one warm-up
/// each; fewer when the time budget runs out first.
const RUNS: usize = 15;
/// The time after which no new run starts (3 runs of each at least), warm-up excepted.
const BUDGET: Duration = Duration::from_millis(40);

/// A choice already made in this process.
struct Choice {
    network: &'static str,
    batch_size: usize,
    cores: usize,
    threads: usize,
}

/// The choices made so far, by network type, batch size and core count.
static CHOICES: Mutex<Vec<Choice>> = Mutex::new(Vec::new());

/// The thread count for training `net` with `optimizer` (prepared for it) on `data` in batches
/// of `batch_size` (at least 1, at most `data.len()`) with `loss`, keeping `metrics`, on a
/// machine of `cores` cores: 1 or `cores`. `net` and `optimizer` end as they began.
pub(super) fn choose<N, O, L, const IN: usize, const OUT: usize>(
    net: &mut N,
    optimizer: &mut O,
    data: &Dataset<N::Scalar, IN, OUT>,
    batch_size: usize,
    loss: &L,
    metrics: &[Metric],
    cores: usize,
) -> Result<usize, TrainError>
where
    N: Network<IN, OUT>,
    O: Optimizer,
    L: Loss<N::OutputActivation>,
{
    // Where no product or update is large enough to be split, other threads get nothing.
    if cores <= 1 || !parallel::shares_work(N::LAYERS, batch_size) {
        return Ok(1);
    }
    let network = core::any::type_name::<N>();
    let known = |choices: &[Choice]| {
        choices
            .iter()
            .find(|c| c.network == network && c.batch_size == batch_size && c.cores == cores)
            .map(|c| c.threads)
    };
    if let Some(threads) = known(&lock()) {
        return Ok(threads);
    }
    let mut one = Session::<N, IN, OUT>::with_threads(batch_size, data.len(), 0, 1)?;
    let mut many = Session::<N, IN, OUT>::with_threads(batch_size, data.len(), 0, cores)?;
    one.set_metrics(metrics);
    many.set_metrics(metrics);
    // A new batch for each run, drawn over the whole dataset as an epoch's shuffled batches are
    // (a batch used again would sit in the cache); one thread count and the other get the same.
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(&mut ChaCha12Rng::seed_from_u64(0));
    let batches: Vec<usize> = (0..(RUNS + 1) * batch_size)
        .map(|i| order[i % order.len()])
        .collect();
    let batch = |run: usize| &batches[run * batch_size..(run + 1) * batch_size];
    let (one_time, many_time) = match optimizer.state() {
        Some(state) => {
            let mut parameters = vec![N::Scalar::default(); N::LEN];
            copy_parameters(net, &mut parameters);
            let timed = catch_unwind(AssertUnwindSafe(|| {
                time_alternately(
                    |session: &mut Session<N, IN, OUT>, run| {
                        session.time_step(net, data, batch(run), optimizer, loss)
                    },
                    &mut one,
                    &mut many,
                )
            }));
            // Also when the user's loss or optimizer panicked: the network and the optimizer
            // are given back as they were before the panic goes on.
            restore_parameters(net, &parameters);
            let restored = optimizer.restore_state(&state);
            let medians = timed.unwrap_or_else(|panic| resume_unwind(panic));
            restored.map_err(TrainError::Resume)?;
            medians
        }
        None => time_alternately(
            |session: &mut Session<N, IN, OUT>, run| {
                session.time_gradients(net, data, batch(run), loss)
            },
            &mut one,
            &mut many,
        ),
    };
    let threads = if many_time < one_time.mul_f64(REQUIRED_SPEEDUP) {
        cores
    } else {
        1
    };
    let mut choices = lock();
    // Another fit may have measured the same network meanwhile: the first choice stays.
    if let Some(threads) = known(&choices) {
        return Ok(threads);
    }
    choices.push(Choice {
        network,
        batch_size,
        cores,
        threads,
    });
    Ok(threads)
}

/// The medians of `time`'s runs on `one` and on `many`, after one warm-up run each, alternating
/// between the two for [`RUNS`] runs each or until [`BUDGET`] is spent (3 runs at least).
/// `time(session, run)` runs once, numbered `run` (0 for the warm-up), and returns its
/// duration.
fn time_alternately<S>(
    mut time: impl FnMut(&mut S, usize) -> Duration,
    one: &mut S,
    many: &mut S,
) -> (Duration, Duration) {
    time(one, 0);
    time(many, 0);
    let mut one_times = [Duration::ZERO; RUNS];
    let mut many_times = [Duration::ZERO; RUNS];
    let start = Instant::now();
    let mut runs = 0;
    while runs < RUNS && (runs < 3 || start.elapsed() < BUDGET) {
        one_times[runs] = time(one, runs + 1);
        many_times[runs] = time(many, runs + 1);
        runs += 1;
    }
    (
        median(&mut one_times[..runs]),
        median(&mut many_times[..runs]),
    )
}

/// The median of `times` (not empty).
fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// The choices, also after a panic elsewhere while they were locked (they are only ever pushed).
fn lock() -> std::sync::MutexGuard<'static, Vec<Choice>> {
    CHOICES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_value() {
        let ms = Duration::from_millis;
        assert_eq!(median(&mut [ms(5), ms(1), ms(9)]), ms(5));
        assert_eq!(median(&mut [ms(4), ms(2)]), ms(4));
        assert_eq!(median(&mut [ms(7)]), ms(7));
    }
}
