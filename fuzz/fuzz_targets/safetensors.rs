//! safetensors files: any bytes, read by `model::from_safetensors`, by
//! `model::from_safetensors_with` and by nn-format's `decode`, give a network or a typed
//! `ModelError`, never a panic; a network read saves and reads back equal.
//!
//! The networks are those of the committed files under `tests/fixtures/torch/` that the corpus
//! starts from: PyTorch's `Sequential` state dicts and a file nn saved.

#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use nn::Network;
use nn::model::{self, TensorNames};
use nn::prelude::*;
use nn_format::Values;

network! {
    struct Classifier: Input<13> -> Dense<16, Relu> -> Dense<3, Softmax>;

    struct Regressor<f64>: Input<5> -> Dense<8, Tanh> -> Dense<8, Tanh> -> Dense<1, Sigmoid>;

    struct NormNet<f64>:
        Input<4> -> Dense<8> -> BatchNorm<Relu> -> Dense<6, Tanh> -> LayerNorm -> Dense<3>;
}

/// A network read saves as safetensors and reads back equal.
fn round_trip<N, const IN: usize, const OUT: usize>(net: N)
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    let saved = model::to_safetensors(&net).expect("a network read saves as safetensors");
    let back = model::from_safetensors::<N, IN, OUT>(&saved).expect("a saved network reads back");
    assert_eq!(back, net);
}

fn read<N, const IN: usize, const OUT: usize>(bytes: &[u8])
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    if let Ok(net) = model::from_safetensors::<N, IN, OUT>(bytes) {
        round_trip(net);
    }
}

/// Decodes `bytes` without a network type; a file decoded holds as many values as its header
/// says, every one finite.
fn decode(bytes: &[u8]) {
    let Ok(file) = nn_format::decode(bytes) else {
        return;
    };
    let expected = file
        .header
        .value_count()
        .expect("a decoded header counts its values");
    let finite = match &file.values {
        Values::F32(values) => {
            assert_eq!(values.len(), expected);
            values.iter().all(|v| v.is_finite())
        }
        Values::F64(values) => {
            assert_eq!(values.len(), expected);
            values.iter().all(|v| v.is_finite())
        }
    };
    assert!(finite, "a decoded file holds only finite values");
}

fuzz_target!(|bytes: &[u8]| {
    decode(bytes);
    read::<Classifier, 13, 3>(bytes);
    read::<Regressor, 5, 1>(bytes);
    read::<NormNet, 4, 3>(bytes);
    let names = TensorNames::Explicit(&[("0.weight", "0.bias"), ("2.weight", "2.bias")]);
    if let Ok(net) = model::from_safetensors_with::<Classifier, 13, 3>(bytes, names) {
        round_trip(net);
    }
});
