//! The weight gradient with the fused update (`dense_parameter_gradient_updating`): on every
//! SIMD path, on one thread and in teams of 2 and 3, it writes the same gradients bit for bit as
//! `dense_parameter_gradient`, and hands each value of `∂W` to the update exactly once, after
//! computing it, with the same values of the weights, each piece of the team on one thread.

use std::sync::Mutex;

use super::reference::Operands;
use super::runs::{of, poisoned};
use super::split::in_team;
use super::*;
use crate::compute::kernels::split::FusedBlocks;
use crate::compute::kernels::split::testing::with_fused_blocks;
use crate::{Dense, FusedUpdate};

/// One call of [`Recorder::update`].
#[derive(Clone, Debug)]
struct Call {
    piece: usize,
    thread: std::thread::ThreadId,
    tensor: usize,
    start: usize,
    /// The gradient it was handed.
    gradients: Vec<f64>,
}

/// A fused update that records its calls and subtracts the gradient from the weights.
struct Recorder {
    /// Whether it claims the tensor it is asked for.
    claims: bool,
    /// How often it was asked.
    asked: usize,
    calls: Mutex<Vec<Call>>,
}

impl<T: Float> FusedUpdate<T> for Recorder {
    fn claim(&mut self, _tensor: usize) -> bool {
        self.asked += 1;
        self.claims
    }

    unsafe fn update(
        &self,
        piece: usize,
        tensor: usize,
        start: usize,
        parameters: &mut [T],
        gradients: &mut [T],
    ) {
        assert_eq!(parameters.len(), gradients.len());
        for (p, &g) in parameters.iter_mut().zip(gradients.iter()) {
            *p -= g;
        }
        self.calls.lock().unwrap().push(Call {
            piece,
            thread: std::thread::current().id(),
            tensor,
            start,
            gradients: gradients.iter().map(|g| g.as_f64()).collect(),
        });
    }
}

/// What a run of the fused weight gradient leaves: the gradients, the weights after the update
/// and the recorder.
struct Fused {
    dw: Vec<f64>,
    db: Vec<f64>,
    weights: Vec<f64>,
    recorder: Recorder,
}

/// Runs `dense_parameter_gradient_updating` on `o` for tensor number 6 with a recorder that
/// claims it if `claims`.
fn fused<T: Float, const OUT: usize, const IN: usize>(o: &Operands, claims: bool) -> Fused {
    let mut layer = Dense::<T, OUT, IN>::zeros();
    layer.weight.as_mut_slice().copy_from_slice(&of::<T>(&o.w));
    let (x, delta) = (poisoned::<T, IN>(&o.x), poisoned::<T, OUT>(&o.d));
    let mut gradient = Dense::<T, OUT, IN>::zeros();
    gradient.weight.fill(T::of_f64(f64::NAN));
    let mut recorder = Recorder {
        claims,
        asked: 0,
        calls: Mutex::new(Vec::new()),
    };
    dense_parameter_gradient_updating(&mut layer, &mut gradient, &x, &delta, &mut recorder, 6);
    let values = |m: &[T]| m.iter().map(|v| v.as_f64()).collect::<Vec<_>>();
    Fused {
        dw: values(gradient.weight.as_slice()),
        db: values(gradient.bias.as_slice()),
        weights: values(layer.weight.as_slice()),
        recorder,
    }
}

/// The unfused gradients of `o`.
fn unfused<T: Float, const OUT: usize, const IN: usize>(o: &Operands) -> (Vec<f64>, Vec<f64>) {
    let (x, delta) = (poisoned::<T, IN>(&o.x), poisoned::<T, OUT>(&o.d));
    let mut gradient = Dense::<T, OUT, IN>::zeros();
    dense_parameter_gradient(&mut gradient, &x, &delta);
    let values = |m: &[T]| m.iter().map(|v| v.as_f64()).collect::<Vec<_>>();
    (
        values(gradient.weight.as_slice()),
        values(gradient.bias.as_slice()),
    )
}

/// Checks the fused weight gradient of one shape in `T` on every SIMD path, in blocks and in
/// whole pieces.
fn check_fused<T: Float, const OUT: usize, const IN: usize>(n: usize) {
    let o = Operands::new(OUT, IN, n);
    let w = of::<T>(&o.w);
    for (path, blocks) in paths::simd()
        .into_iter()
        .flat_map(|path| [FusedBlocks::Blocks, FusedBlocks::WholePieces].map(|b| (path, b)))
    {
        let (dw, db) = with_path(path, || unfused::<T, OUT, IN>(&o));
        for threads in [1, 2, 3] {
            let how = format!(
                "{OUT}×{IN} over {n}, {}, {path} kernels on {threads} threads, {blocks:?}",
                T::NAME
            );
            let run = || with_fused_blocks(blocks, || fused::<T, OUT, IN>(&o, true));
            let result = match threads {
                1 => with_path(path, run),
                _ => {
                    let result = Mutex::new(None);
                    in_team::<T>(path, threads, (OUT, n), || {
                        *result.lock().unwrap() = Some(run());
                        Default::default()
                    });
                    result.into_inner().unwrap().unwrap()
                }
            };
            assert!(
                result.dw == dw,
                "{how}: ∂W differs from the unfused gradient"
            );
            assert!(
                result.db == db,
                "{how}: ∂b differs from the unfused gradient"
            );
            assert_eq!(result.recorder.asked, 1, "{how}");
            let mut calls = result.recorder.calls.into_inner().unwrap();
            calls.sort_by_key(|call| call.start);
            // Every value once, in blocks handed over complete.
            let mut next = 0;
            for call in &calls {
                assert_eq!(call.tensor, 6, "{how}");
                assert_eq!(call.start, next, "{how}: a gap or an overlap at {next}");
                let end = call.start + call.gradients.len();
                assert!(
                    call.gradients == dw[call.start..end],
                    "{how}: a block handed over early"
                );
                next = end;
            }
            assert_eq!(next, OUT * IN, "{how}: values left out");
            // In blocks, a piece of more than 512 KiB of `∂W` is handed over in several; else
            // each piece is one.
            let blocked = OUT * IN * core::mem::size_of::<T>() / threads > 512 * 1024;
            match blocks == FusedBlocks::Blocks && blocked {
                true => assert!(calls.len() > threads, "{how}: {} blocks", calls.len()),
                false => assert_eq!(calls.len(), threads, "{how}: one block per piece"),
            }
            // The update saw the weights at the gradient's positions.
            let expected: Vec<f64> = w
                .iter()
                .zip(&dw)
                .map(|(&w, &g)| (w - T::of_f64(g)).as_f64())
                .collect();
            assert!(
                result.weights == expected,
                "{how}: weights updated at other positions"
            );
            // One piece per thread of the team, each run by one thread (its helper, or the
            // step's thread when the helper had not started it).
            let mut pieces: Vec<_> = calls.iter().map(|call| (call.piece, call.thread)).collect();
            pieces.sort_by_key(|&(piece, _)| piece);
            pieces.dedup();
            assert_eq!(pieces.len(), threads, "{how}: pieces {pieces:?}");
            assert!(
                pieces.iter().enumerate().all(|(i, &(piece, _))| i == piece),
                "{how}: pieces {pieces:?}"
            );
        }
    }
}

#[test]
fn the_fused_weight_gradient_hands_over_each_value_once_and_matches_the_unfused_one() {
    check_fused::<f32, 128, 784>(32);
    check_fused::<f64, 128, 784>(7);
    check_fused::<f32, 65, 129>(33);
    // More than 512 KiB of `∂W` per piece: in blocks of 128 KiB where they are chosen.
    check_fused::<f32, 256, 1030>(8);
    check_fused::<f64, 256, 600>(5);
    // Fewer outputs than a panel: the weight gradient transposed.
    check_fused::<f32, 10, 4096>(8);
    check_fused::<f64, 5, 3001>(19);
}

#[test]
fn unclaimed_or_small_layers_are_not_updated() {
    let o = Operands::new(128, 784, 32);
    let declined = fused::<f32, 128, 784>(&o, false);
    assert_eq!(declined.recorder.asked, 1);
    assert!(declined.recorder.calls.into_inner().unwrap().is_empty());
    assert!(
        declined.weights
            == of::<f32>(&o.w)
                .iter()
                .map(|w| w.as_f64())
                .collect::<Vec<_>>()
    );
    assert!(declined.dw == unfused::<f32, 128, 784>(&o).0);
    // Too small to split, so never fused: not even asked.
    let small = Operands::new(16, 16, 8);
    let small_run = fused::<f32, 16, 16>(&small, true);
    assert_eq!(small_run.recorder.asked, 0);
    assert!(small_run.recorder.calls.into_inner().unwrap().is_empty());
}
