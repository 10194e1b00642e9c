//! JSON model files: any bytes, read as text by `model::from_json_str` and by nn-format's
//! `decode`, give a network or a typed `ModelError`, never a panic; a network read saves and
//! reads back equal, as JSON and in the binary format.
//!
//! The networks are those of the committed files the corpus starts from (`tests/models/`,
//! `tests/ui/models/`) and of the files `tests/loader_properties.rs` writes there.

#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use nn::Network;
use nn::model;
use nn::prelude::*;
use nn_format::Values;

network! {
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    struct EveryActivation: Input<5> -> Dense<16, Relu> -> Dense<12, Tanh> -> Dense<8, Sigmoid>
        -> Dense<8, LeakyRelu<0.2>> -> Dropout<0.1> -> Dense<6> -> Dense<3, Softmax>;

    struct EveryActivation64<f64>: Input<5> -> Dense<16, Relu> -> Dense<12, Tanh>
        -> Dense<8, Sigmoid> -> Dense<8, LeakyRelu<0.2>> -> Dropout<0.1> -> Dense<6>
        -> Dense<3, Softmax>;

    struct Modern: Input<5> -> Dense<12, Gelu> -> BatchNorm<GeluTanh> -> Dense<10, Silu>
        -> LayerNorm<Elu<0.5>> -> Dense<8, Softplus> -> Dense<6, HardTanh> -> Dense<3, Softmax>;

    struct Modern64<f64>: Input<5> -> Dense<12, Gelu> -> BatchNorm<GeluTanh>
        -> Dense<10, Silu> -> LayerNorm<Elu<0.5>> -> Dense<8, Softplus> -> Dense<6, HardTanh>
        -> Dense<3, Softmax>;
}

mod double {
    use nn::prelude::*;

    network! {
        pub struct Xor<f64>: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
    }
}

/// Reads `text` as a network of type `N`; one read saves and reads back equal in both formats.
fn read<N, const IN: usize, const OUT: usize>(text: &str)
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    let Ok(net) = model::from_json_str::<N, IN, OUT>(text) else {
        return;
    };
    let json = model::to_json_string(&net).expect("a network read saves as JSON");
    let back = model::from_json_str::<N, IN, OUT>(&json).expect("a saved network reads back");
    assert_eq!(back, net);
    let bytes = model::to_bytes(&net).expect("a network read saves in the binary format");
    let back = model::from_bytes::<N, IN, OUT>(&bytes).expect("a saved network reads back");
    assert_eq!(back, net);
}

/// Decodes `bytes` without a network type; a file decoded holds as many values as its header
/// says, every one finite, and without preprocessing encodes and decodes back equal.
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
    if file.header.preprocessing.is_none() {
        let raw = file.values.to_le_bytes();
        let again = nn_format::binary::encode(&file.header, raw.len(), |out| {
            out.extend_from_slice(&raw);
        });
        let back = nn_format::decode(&again).expect("a decoded file encodes and decodes back");
        assert_eq!(back, file);
    }
}

fuzz_target!(|bytes: &[u8]| {
    decode(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    read::<Xor, 2, 1>(text);
    read::<double::Xor, 2, 1>(text);
    read::<EveryActivation, 5, 3>(text);
    read::<EveryActivation64, 5, 3>(text);
    read::<Modern, 5, 3>(text);
    read::<Modern64, 5, 3>(text);
});
