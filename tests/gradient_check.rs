//! The generated backward pass against central finite differences, in f64.
//!
//! For every parameter θ_k, `(L(θ + h·e_k) − L(θ − h·e_k)) / 2h` with `h = 1e-5` must match the
//! analytic gradient to `|a − n| <= 1e-7 + 1e-5·max(|a|, |n|)`. Central differences are exact to
//! O(h²) ≈ 1e-10 here, far inside that tolerance, while a wrong derivative misses it by orders
//! of magnitude.

use nn::prelude::*;
use nn::{Loss, TensorKind};
use rand::RngExt;

network! {
    struct IdentityNet<f64>: Input<3> -> Dense<4> -> Dense<2>;
    struct SigmoidNet<f64>: Input<3> -> Dense<4, Sigmoid> -> Dense<2, Sigmoid>;
    struct TanhNet<f64>: Input<3> -> Dense<5, Tanh> -> Dense<3, Softmax>;
    struct ReluNet<f64>: Input<3> -> Dense<5, Relu> -> Dense<2, Identity>;
    struct LeakyNet<f64>: Input<3> -> Dense<5, LeakyRelu<0.2>> -> Dense<2, LeakyRelu>;
    struct DropoutNet<f64>: Input<4> -> Dropout<0.3> -> Dense<6, Tanh> -> Dropout<0.5> -> Dense<3, Softmax>;
    struct DeepNet<f64>:
        Input<5> -> Dense<7, Tanh> -> Dense<6, Relu> -> Dense<5, Sigmoid>
        -> Dense<4, LeakyRelu<0.1>> -> Dense<3>;
    struct ModernNet<f64>:
        Input<3> -> Dense<6, Gelu> -> Dense<6, GeluTanh> -> Dense<5, Silu>
        -> Dense<5, Elu<0.7>> -> Dense<4, Softplus> -> Dense<4, HardTanh> -> Dense<2, Silu>;
    struct MishNet<f64>: Input<3> -> Dense<5, Mish> -> Dense<2, Mish>;
    struct SoftsignNet<f64>: Input<3> -> Dense<5, Softsign> -> LayerNorm<Softsign> -> Dense<2, Softsign>;
    struct LayerNormNet<f64>:
        Input<4> -> Dense<6> -> LayerNorm<Tanh> -> Dense<5, Relu> -> LayerNorm -> Dense<3, Softmax>;
    struct BatchNormNet<f64>:
        Input<4> -> Dense<6> -> BatchNorm<Relu> -> Dense<5, Tanh> -> BatchNorm<Gelu> -> Dense<2>;
    struct NormFirstNet<f64>:
        Input<4> -> BatchNorm -> Dense<5, Tanh> -> Dropout<0.3> -> LayerNorm<Silu, eps = 1e-3> -> Dense<2>;
}

/// `z / (1 + |z|)`, a user's activation over whole slices whose derivative `(1 − |a|)²` needs
/// only its outputs.
#[derive(Clone, Copy, Debug, Default)]
struct Softsign;

impl nn::Activation for Softsign {
    const NAME: &'static str = "Softsign";

    fn apply<T: nn::Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v /= T::one() + v.abs();
        }
    }

    fn backward<T: nn::Float>(&self, inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        assert!(inputs.is_empty(), "Softsign keeps no pre-activations");
        for (d, &a) in delta.iter_mut().zip(outputs) {
            let s = T::one() - a.abs();
            *d *= s * s;
        }
    }
}

/// `z·tanh(softplus(z))`, a user's activation (Misra, 2019).
#[derive(Clone, Copy, Debug, Default)]
struct Mish;

impl nn::ElementwiseActivation for Mish {
    const NAME: &'static str = "Mish";

    fn value<T: nn::Float>(&self, z: T) -> T {
        z * (T::one() + z.exp()).ln().tanh()
    }

    fn derivative<T: nn::Float>(&self, z: T, _a: T) -> T {
        let t = (T::one() + z.exp()).ln().tanh();
        let sigmoid = T::one() / (T::one() + (-z).exp());
        t + z * sigmoid * (T::one() - t * t)
    }
}

const BATCH: usize = 5;
const STEP: f64 = 1e-5;

/// What a target looks like for each loss.
#[derive(Clone, Copy)]
enum Targets {
    Real,
    Probability,
    OneHot,
}

fn batch<const N: usize>(rng: &mut StdRng, kind: Targets) -> BatchMatrix<f64, N> {
    let mut m = BatchMatrix::zeros(BATCH);
    for column in m.columns_mut() {
        match kind {
            Targets::Real => column
                .iter_mut()
                .for_each(|v| *v = rng.random_range(-1.5..1.5)),
            Targets::Probability => column
                .iter_mut()
                .for_each(|v| *v = rng.random_range(0.0..1.0)),
            Targets::OneHot => column[rng.random_range(0..N)] = 1.0,
        }
    }
    m
}

fn flatten<T: Tensors<f64>>(tensors: &T) -> Vec<f64> {
    let mut flat = Vec::new();
    tensors.for_each_tensor(|_, values| flat.extend_from_slice(values));
    flat
}

/// Adds `delta` to trainable parameter `index`, counting as the gradients do (running
/// statistics have no gradient, so they are skipped).
fn nudge<T: Tensors<f64>>(tensors: &mut T, index: usize, delta: f64) {
    let mut offset = 0;
    tensors.for_each_tensor_mut(|kind, values| {
        if !kind.is_trained() {
            return;
        }
        if (offset..offset + values.len()).contains(&index) {
            values[index - offset] += delta;
        }
        offset += values.len();
    });
}

/// Checks every parameter's gradient; returns how many were checked.
fn check<N, L, const I: usize, const O: usize>(
    net: &mut N,
    loss: &L,
    targets: Targets,
    seed: u64,
) -> usize
where
    N: Network<I, O, Scalar = f64>,
    L: Loss<N::OutputActivation>,
{
    let mut rng = StdRng::seed_from_u64(seed);
    let input = batch::<I>(&mut rng, Targets::Real);
    let target = batch::<O>(&mut rng, targets);
    let mut workspace = N::workspace(BATCH);
    let mut gradients = N::gradients();
    // One dropout mask, drawn once and then held fixed for every evaluation.
    net.resample_dropout(&mut workspace, BATCH, &mut rng);

    let loss_at = |net: &N, workspace: &mut N::Workspace| {
        net.forward_train(&input, workspace);
        net.output_gradient(loss, &target, workspace)
    };
    loss_at(net, &mut workspace);
    net.backward(&input, &mut workspace, &mut gradients);
    let analytic = flatten(&gradients);
    assert_eq!(analytic.len(), <N::Gradients as Tensors<f64>>::LEN);
    assert!(
        analytic.iter().any(|g| g.abs() > 1e-6),
        "the gradient is all zero"
    );

    for (index, &a) in analytic.iter().enumerate() {
        nudge(net, index, STEP);
        let plus = loss_at(net, &mut workspace);
        nudge(net, index, -2.0 * STEP);
        let minus = loss_at(net, &mut workspace);
        nudge(net, index, STEP);
        let numeric = (plus - minus) / (2.0 * STEP);
        let tolerance = 1e-7 + 1e-5 * a.abs().max(numeric.abs());
        assert!(
            (a - numeric).abs() <= tolerance,
            "{}: parameter {index}: analytic {a:e}, numeric {numeric:e}",
            N::NAME
        );
    }
    analytic.len()
}

fn fresh<N>(seed: u64, new: fn(&mut StdRng) -> N) -> N {
    new(&mut StdRng::seed_from_u64(seed))
}

#[test]
fn identity_with_mean_squared_error() {
    for seed in 0..3 {
        check(
            &mut fresh(seed, IdentityNet::new),
            &MeanSquaredError,
            Targets::Real,
            seed,
        );
    }
}

#[test]
fn sigmoid_with_binary_cross_entropy_and_with_mean_squared_error() {
    for seed in 0..3 {
        check(
            &mut fresh(seed, SigmoidNet::new),
            &BinaryCrossEntropy,
            Targets::Probability,
            seed,
        );
        check(
            &mut fresh(seed, SigmoidNet::new),
            &MeanSquaredError,
            Targets::Probability,
            seed,
        );
    }
}

#[test]
fn tanh_with_softmax_cross_entropy_and_softmax_with_mean_squared_error() {
    for seed in 0..3 {
        check(
            &mut fresh(seed, TanhNet::new),
            &SoftmaxCrossEntropy,
            Targets::OneHot,
            seed,
        );
        check(
            &mut fresh(seed, TanhNet::new),
            &MeanSquaredError,
            Targets::OneHot,
            seed,
        );
    }
}

#[test]
fn relu_and_identity_output() {
    for seed in 0..3 {
        check(
            &mut fresh(seed, ReluNet::new),
            &MeanSquaredError,
            Targets::Real,
            seed,
        );
    }
}

#[test]
fn leaky_relu_with_default_and_custom_slopes() {
    for seed in 0..3 {
        check(
            &mut fresh(seed, LeakyNet::new),
            &MeanSquaredError,
            Targets::Real,
            seed,
        );
    }
}

#[test]
fn dropout_on_inputs_and_hidden_layers_with_a_fixed_mask() {
    for seed in 0..3 {
        let mut net = fresh(seed, DropoutNet::new);
        // The fixed mask really drops something, or this test would check plain dense layers.
        let mut workspace = DropoutNet::workspace(BATCH);
        net.resample_dropout(&mut workspace, BATCH, &mut StdRng::seed_from_u64(seed));
        let dropped = workspace
            .dropout2
            .mask
            .as_slice()
            .iter()
            .filter(|&&m| m == 0.0)
            .count();
        assert!(dropped > 0, "no unit dropped");
        check(&mut net, &SoftmaxCrossEntropy, Targets::OneHot, seed);
    }
}

#[test]
fn a_deep_network_with_four_hidden_layers() {
    for seed in 0..3 {
        let checked = check(
            &mut fresh(seed, DeepNet::new),
            &MeanSquaredError,
            Targets::Real,
            seed,
        );
        assert_eq!(checked, DeepNet::PARAMETERS);
    }
}

#[test]
fn modern_activations_in_hidden_and_output_layers() {
    for seed in 0..3 {
        let checked = check(
            &mut fresh(seed, ModernNet::new),
            &MeanSquaredError,
            Targets::Real,
            seed,
        );
        assert_eq!(checked, ModernNet::PARAMETERS);
    }
}

#[test]
fn a_users_activation_in_hidden_and_output_layers() {
    for seed in 0..3 {
        check(
            &mut fresh(seed, MishNet::new),
            &MeanSquaredError,
            Targets::Real,
            seed,
        );
    }
}

#[test]
fn a_users_activation_over_slices_from_its_outputs_only() {
    for seed in 0..3 {
        check(
            &mut fresh(seed, SoftsignNet::new),
            &MeanSquaredError,
            Targets::Real,
            seed,
        );
    }
}

/// A network whose normalization layers have random scales and shifts (and running
/// statistics), so that their gradients are not the special case of `γ = 1`, `β = 0`.
fn perturbed<N: Tensors<f64>>(mut net: N, seed: u64) -> N {
    let mut rng = StdRng::seed_from_u64(seed + 100);
    net.for_each_tensor_mut(|kind, values| match kind {
        TensorKind::Scale => values
            .iter_mut()
            .for_each(|v| *v = rng.random_range(0.5..1.5)),
        TensorKind::Shift | TensorKind::RunningMean => values
            .iter_mut()
            .for_each(|v| *v = rng.random_range(-0.3..0.3)),
        TensorKind::RunningVariance => values
            .iter_mut()
            .for_each(|v| *v = rng.random_range(0.5..1.5)),
        _ => {}
    });
    net
}

#[test]
fn layer_normalization_with_and_without_an_activation() {
    for seed in 0..3 {
        let mut net = perturbed(fresh(seed, LayerNormNet::new), seed);
        let checked = check(&mut net, &SoftmaxCrossEntropy, Targets::OneHot, seed);
        assert_eq!(checked, LayerNormNet::PARAMETERS);
    }
}

#[test]
fn batch_normalization_over_the_batch_with_activations() {
    for seed in 0..3 {
        let mut net = perturbed(fresh(seed, BatchNormNet::new), seed);
        let checked = check(&mut net, &MeanSquaredError, Targets::Real, seed);
        // The running statistics have no gradient: only γ and β are checked.
        assert_eq!(checked, BatchNormNet::PARAMETERS);
        assert_eq!(BatchNormNet::LEN, BatchNormNet::PARAMETERS + 2 * (6 + 5));
    }
}

#[test]
fn normalization_on_the_inputs_and_after_dropout() {
    for seed in 0..3 {
        let mut net = perturbed(fresh(seed, NormFirstNet::new), seed);
        check(&mut net, &MeanSquaredError, Targets::Real, seed);
    }
}

#[test]
fn biases_and_weights_are_visited_in_layer_order() {
    let net = fresh(0, IdentityNet::new);
    let mut kinds = Vec::new();
    net.for_each_tensor(|kind, values| kinds.push((kind, values.len())));
    assert_eq!(
        kinds,
        [
            (TensorKind::Weight, 12),
            (TensorKind::Bias, 4),
            (TensorKind::Weight, 8),
            (TensorKind::Bias, 2)
        ]
    );
}

#[test]
fn huber_and_smooth_l1_through_identity_sigmoid_and_softmax_outputs() {
    // Thresholds small and large against residuals of up to ≈3, so that both the quadratic and
    // the linear part carry gradient; smooth L1 also at β = 0, the L1 loss.
    for seed in 0..3 {
        for threshold in [0.2, 1.0] {
            let huber = Huber::new(threshold).unwrap();
            let smooth = SmoothL1::new(threshold).unwrap();
            check(
                &mut fresh(seed, IdentityNet::new),
                &huber,
                Targets::Real,
                seed,
            );
            check(
                &mut fresh(seed, IdentityNet::new),
                &smooth,
                Targets::Real,
                seed,
            );
            check(
                &mut fresh(seed, SigmoidNet::new),
                &huber,
                Targets::Probability,
                seed,
            );
            check(
                &mut fresh(seed, TanhNet::new),
                &smooth,
                Targets::OneHot,
                seed,
            );
            check(
                &mut fresh(seed, ModernNet::new),
                &huber,
                Targets::Real,
                seed,
            );
        }
        let l1 = SmoothL1::new(0.0).unwrap();
        check(&mut fresh(seed, DeepNet::new), &l1, Targets::Real, seed);
    }
}
