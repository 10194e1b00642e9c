//! How many threads [`Trainer::auto_threads`](super::Trainer::auto_threads) trains on: the
//! faster of one thread and every core, measured on the network, batch size and data of the fit.
//!
//! Whether a second core helps depends on the step's length, the cores' caches and what else the
//! machine runs, so no fixed work threshold is right everywhere: a 64-32-10 step of 7 µs loses
//! to the handing over, a 784-128-10 step of 200 µs gains. The choice times the gradient half of
//! a step (forward, loss, backward and the sum of the threads' gradients) on throwaway sessions,
//! alternating one thread and every core, and keeps every core only when its median is clearly
//! below one thread's. The update that follows each step only gains from more threads (its long
//! loops split across them), so the comparison leans towards one thread. Each network type and
//! batch size is measured once per process.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Metric;
use super::session::Session;
use crate::{Dataset, Loss, Network, TrainError};

/// Every core must take at most this share of one thread's time to be chosen: a margin over the
/// timing noise, so that a tie stays on one thread.
const REQUIRED_SPEEDUP: f64 = 0.9;
/// Gradient computations timed per thread count, alternating between the two, after one warm-up
/// each; fewer when the time budget runs out first.
const RUNS: usize = 15;
/// The most the timing takes, warm-up excepted.
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

/// The thread count for training `net` on `data` in batches of `batch_size` (at least 1, at most
/// `data.len()`) with `loss`, keeping `metrics`, on a machine of `cores` cores: 1 or `cores`.
pub(super) fn choose<N, L, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<N::Scalar, IN, OUT>,
    batch_size: usize,
    loss: &L,
    metrics: &[Metric],
    cores: usize,
) -> Result<usize, TrainError>
where
    N: Network<IN, OUT>,
    L: Loss<N::OutputActivation>,
{
    // Two samples a thread at least, or a thread would have nothing to share.
    if cores <= 1 || N::BATCH_STATISTICS || batch_size < 2 * cores {
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
    let (one, many) = time_both(net, data, batch_size, loss, metrics, cores)?;
    let threads = if many < one.mul_f64(REQUIRED_SPEEDUP) {
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

/// The median durations of the gradient half of a step on one thread and on `cores` threads.
fn time_both<N, L, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<N::Scalar, IN, OUT>,
    batch_size: usize,
    loss: &L,
    metrics: &[Metric],
    cores: usize,
) -> Result<(Duration, Duration), TrainError>
where
    N: Network<IN, OUT>,
    L: Loss<N::OutputActivation>,
{
    let mut one = Session::<N, IN, OUT>::with_threads(batch_size, data.len(), 0, 1)?;
    let mut many = Session::<N, IN, OUT>::with_threads(batch_size, data.len(), 0, cores)?;
    one.set_metrics(metrics);
    many.set_metrics(metrics);
    let indices: Vec<usize> = (0..batch_size).collect();
    let mut warm_up = [Duration::ZERO];
    one.time_gradients(net, data, &indices, loss, &mut warm_up);
    many.time_gradients(net, data, &indices, loss, &mut warm_up);
    let mut one_times = [Duration::ZERO; RUNS];
    let mut many_times = [Duration::ZERO; RUNS];
    let start = Instant::now();
    let mut runs = 0;
    while runs < RUNS && (runs < 3 || start.elapsed() < BUDGET) {
        one.time_gradients(net, data, &indices, loss, &mut one_times[runs..=runs]);
        many.time_gradients(net, data, &indices, loss, &mut many_times[runs..=runs]);
        runs += 1;
    }
    Ok((median(&mut one_times[..runs]), median(&mut many_times[..runs])))
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
