//! Per-layer norms taken during training: the L2 norm of each layer's gradient, summed step by
//! step into buffers allocated once, and of each layer's parameters at an epoch's end; and the
//! [`LayerHistory`] of each layer that the trainer keeps and checkpoints.

use super::{LayerHistory, Session};
use crate::compute::simd;
use crate::{Float, LayerShape, Network, TrainError};

/// The most steps of an epoch whose gradient norms are measured: a longer epoch measures every
/// k-th step, so that a pass over the gradients costs about 16 of them per epoch, however many
/// steps it has.
pub(crate) const MOST_MEASURED: usize = 16;

/// The mean of each layer's gradient norm over up to [`MOST_MEASURED`] steps spread evenly over
/// an epoch (every step of a shorter one), kept in buffers sized once for a network so that a
/// step adds to them without allocating.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GradientNorms {
    /// The layer of each trained tensor, in the order [`Network::update`] visits them.
    tensor_layer: Vec<usize>,
    /// The current step's sum of squared gradients, per layer.
    step_squares: Vec<f64>,
    /// The sum of the measured steps' gradient norms, per layer.
    sums: Vec<f64>,
    /// The steps measured.
    steps: usize,
    /// Every how many steps of the running epoch one is measured.
    stride: usize,
    /// Whether the current step is measured.
    measuring: bool,
}

impl GradientNorms {
    /// Buffers for the layers `layers`.
    pub(crate) fn new(layers: &[LayerShape]) -> Self {
        let tensor_layer = layers
            .iter()
            .enumerate()
            .flat_map(|(layer, shape)| {
                let trained = shape.kind.tensors().iter().filter(|kind| kind.is_trained());
                trained.map(move |_| layer)
            })
            .collect();
        Self {
            tensor_layer,
            step_squares: vec![0.0; layers.len()],
            sums: vec![0.0; layers.len()],
            steps: 0,
            stride: 1,
            measuring: true,
        }
    }

    /// Starts an epoch of `steps` steps: forgets the steps measured so far and picks every
    /// how many steps to measure.
    pub(crate) fn begin_epoch(&mut self, steps: usize) {
        self.sums.fill(0.0);
        self.step_squares.fill(0.0);
        self.steps = 0;
        self.stride = steps.div_ceil(MOST_MEASURED).max(1);
    }

    /// Starts step `index` (0-based) of the running epoch: measured when it is a multiple of the
    /// stride.
    pub(crate) fn begin_step(&mut self, index: usize) {
        self.measuring = index.is_multiple_of(self.stride);
    }

    /// Whether the current step is measured.
    pub(crate) fn measuring(&self) -> bool {
        self.measuring
    }

    /// Ends the running epoch: steps taken by hand after it are all measured.
    pub(crate) fn end_epoch(&mut self) {
        self.measuring = true;
    }

    /// Adds the squares of trained tensor number `tensor`'s gradients to the current step, if
    /// it is measured.
    #[inline]
    pub(crate) fn add<T: Float>(&mut self, tensor: usize, gradients: &[T]) {
        if self.measuring {
            self.add_squares(tensor, square_sum(gradients));
        }
    }

    /// Adds `squares`, the sum of the squares of trained tensor number `tensor`'s gradients,
    /// to the current step, if it is measured.
    #[inline]
    pub(crate) fn add_squares(&mut self, tensor: usize, squares: f64) {
        if self.measuring
            && let Some(&layer) = self.tensor_layer.get(tensor)
        {
            self.step_squares[layer] += squares;
        }
    }

    /// Ends the current step: if it is measured, adds each layer's gradient norm to its sum.
    pub(crate) fn end_step(&mut self) {
        if !self.measuring {
            return;
        }
        for (sum, squares) in self.sums.iter_mut().zip(&mut self.step_squares) {
            *sum += squares.sqrt();
            *squares = 0.0;
        }
        self.steps += 1;
    }

    /// Each layer's mean gradient norm over the steps measured since the epoch began (0
    /// without any).
    pub(crate) fn means(&self) -> impl Iterator<Item = f64> + '_ {
        let steps = self.steps.max(1) as f64;
        self.sums.iter().map(move |sum| sum / steps)
    }
}

/// The L2 norm of each layer's trained parameters (a dense layer's weight and bias, a
/// normalization layer's scale and shift; not running statistics), in layer order.
pub(crate) fn parameter_norms<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    net: &N,
) -> Vec<f64> {
    let mut squares = vec![0.0; N::LAYERS.len()];
    let mut kinds = N::LAYERS
        .iter()
        .enumerate()
        .flat_map(|(layer, shape)| shape.kind.tensors().iter().map(move |&kind| (layer, kind)));
    net.for_each_tensor(|_, values| {
        if let Some((layer, kind)) = kinds.next()
            && kind.is_trained()
        {
            squares[layer] += square_sum(values);
        }
    });
    squares.into_iter().map(f64::sqrt).collect()
}

/// The sum of the squares of `values` in `f64`, in eight independent lanes so that it
/// vectorizes: a pass this cheap runs every step.
#[inline]
fn square_sum<T: Float>(values: &[T]) -> f64 {
    simd::wide(
        values.len(),
        #[inline(always)]
        || {
            let mut lanes = [0.0f64; 8];
            let chunks = values.chunks_exact(8);
            let rest = chunks.remainder();
            for chunk in chunks {
                for (lane, &v) in lanes.iter_mut().zip(chunk) {
                    let v = v.as_f64();
                    *lane += v * v;
                }
            }
            let tail: f64 = rest.iter().map(|&v| v.as_f64() * v.as_f64()).sum();
            lanes.iter().sum::<f64>() + tail
        },
    )
}

/// An empty history of each layer of `N`, in layer order.
pub(crate) fn histories<N: Network<IN, OUT>, const IN: usize, const OUT: usize>()
-> Vec<LayerHistory> {
    N::LAYERS
        .iter()
        .map(|layer| LayerHistory {
            name: layer.name.to_string(),
            parameter_norms: Vec::new(),
            gradient_norms: Vec::new(),
        })
        .collect()
}

/// The layer histories a checkpoint after `epochs` epochs holds, checked against `N`'s layers;
/// a checkpoint written before layers were recorded gives NaN for its epochs.
pub(crate) fn resumed<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    saved: &[LayerHistory],
    epochs: usize,
) -> Result<Vec<LayerHistory>, TrainError> {
    let mut layers = histories::<N, IN, OUT>();
    if saved.is_empty() {
        for layer in &mut layers {
            layer.parameter_norms = vec![f64::NAN; epochs];
            layer.gradient_norms = vec![f64::NAN; epochs];
        }
        return Ok(layers);
    }
    let names = |layers: &[LayerHistory]| layers.iter().map(|l| l.name.clone()).collect::<Vec<_>>();
    if names(saved) != names(&layers) {
        return Err(TrainError::Resume(format!(
            "the checkpoint records the layers {:?}, the network has {:?}",
            names(saved),
            names(&layers)
        )));
    }
    if let Some(layer) = saved
        .iter()
        .find(|l| l.parameter_norms.len() != epochs || l.gradient_norms.len() != epochs)
    {
        return Err(TrainError::Resume(format!(
            "the checkpoint records {} and {} norms of layer {} for {epochs} epochs",
            layer.parameter_norms.len(),
            layer.gradient_norms.len(),
            layer.name
        )));
    }
    Ok(saved.to_vec())
}

/// Adds the epoch just finished to each layer's history: the norm of its parameters now and
/// its mean gradient norm over the epoch's steps.
pub(crate) fn record<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    layers: &mut [LayerHistory],
    net: &N,
    session: &Session<N, IN, OUT>,
) {
    let norms = parameter_norms(net);
    for ((layer, parameters), gradients) in
        layers.iter_mut().zip(norms).zip(session.gradient_norms())
    {
        layer.parameter_norms.push(parameters);
        layer.gradient_norms.push(gradients);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LayerKind;

    const LAYERS: [LayerShape; 2] = [
        LayerShape::dense("dense1", 2, 3),
        LayerShape {
            name: "batchnorm1",
            kind: LayerKind::BatchNorm,
            outputs: 2,
            inputs: 2,
        },
    ];

    #[test]
    fn square_sums_match_the_plain_sum() {
        let values: Vec<f32> = (0..37).map(|i| i as f32 * 0.25 - 3.0).collect();
        let plain: f64 = values.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        assert!((square_sum(&values) - plain).abs() <= 1e-12 * plain);
        assert_eq!(square_sum::<f64>(&[]), 0.0);
    }

    #[test]
    fn gradient_norms_average_each_layers_norm_over_steps() {
        let mut norms = GradientNorms::new(&LAYERS);
        // Four trained tensors: dense1's weight and bias, batchnorm1's scale and shift.
        assert_eq!(norms.tensor_layer, [0, 0, 1, 1]);
        norms.begin_epoch(2);
        norms.begin_step(0);
        norms.add(0, &[3.0f64]);
        norms.add(1, &[4.0f64]);
        norms.add_squares(2, 1.0);
        norms.end_step();
        norms.begin_step(1);
        norms.add(0, &[0.0f64, 1.0]);
        norms.add(3, &[0.0f64]);
        norms.end_step();
        let means: Vec<f64> = norms.means().collect();
        assert_eq!(means, [(5.0 + 1.0) / 2.0, (1.0 + 0.0) / 2.0]);
        norms.begin_epoch(2);
        assert_eq!(norms.means().collect::<Vec<_>>(), [0.0, 0.0]);
    }

    #[test]
    fn long_epochs_measure_every_kth_step() {
        let mut norms = GradientNorms::new(&LAYERS[..1]);
        // 40 steps: every third is measured, 14 in all.
        norms.begin_epoch(40);
        for step in 0..40 {
            norms.begin_step(step);
            norms.add(0, &[step as f64]);
            norms.end_step();
        }
        assert_eq!(norms.steps, 14);
        let expected = (0..40).step_by(3).sum::<usize>() as f64 / 14.0;
        assert_eq!(norms.means().next(), Some(expected));
        for steps in [1, 15, 16, 17, 255, 256, 1000] {
            norms.begin_epoch(steps);
            let measured = (0..steps)
                .filter(|&i| i.is_multiple_of(norms.stride))
                .count();
            assert!(measured <= MOST_MEASURED && measured > MOST_MEASURED.min(steps) / 2);
        }
        // Steps by hand after an epoch are all measured.
        norms.end_epoch();
        norms.add(0, &[2.0f64]);
        norms.end_step();
        assert_eq!(norms.steps, 1);
    }
}
