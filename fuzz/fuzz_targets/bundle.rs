//! Model bundles (a network with its preprocessing): any bytes, read by `Model::from_bytes` and,
//! as text, by `Model::from_json_str`, give a model or a typed `ModelError`, never a panic; a
//! model read predicts from a raw input without panicking and saves and reads back equal, in
//! both formats. Binary input is read twice: as it is, and with its last four bytes replaced by
//! the CRC-32 of the others, so that mutations reach the header and values behind the checksum.
//!
//! The networks are those of `tests/bundle.rs`, whose models `tests/loader_properties.rs`
//! writes into the corpus.

#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use nn::Network;
use nn::model::Model;
use nn::prelude::*;

network! {
    struct Iris: Input<4> -> Dense<8, Relu> -> Dense<3, Softmax>;

    struct Prices<f64>: Input<3> -> Dense<6, Tanh> -> Dense<2>;

    struct Diagnosis: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

/// A model read predicts, classifies and saves and reads back equal in both formats.
fn check<N, const IN: usize, const OUT: usize>(model: &Model<N, IN, OUT>, input: [N::Scalar; IN])
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    let _ = model.predict_raw(&input);
    let _ = model.classify_raw(&input);
    let bytes = model
        .to_bytes()
        .expect("a model read saves in the binary format");
    let back = Model::<N, IN, OUT>::from_bytes(&bytes).expect("a saved model reads back");
    assert_eq!(&back, model);
    let json = model.to_json_string().expect("a model read saves as JSON");
    let back = Model::<N, IN, OUT>::from_json_str(&json).expect("a saved model reads back");
    assert_eq!(&back, model);
}

fn read<N, const IN: usize, const OUT: usize>(bytes: &[u8], input: [N::Scalar; IN])
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    if let Ok(model) = Model::<N, IN, OUT>::from_bytes(bytes) {
        check(&model, input);
    }
    if let Some(resigned) = resigned(bytes)
        && let Ok(model) = Model::<N, IN, OUT>::from_bytes(&resigned)
    {
        check(&model, input);
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && let Ok(model) = Model::<N, IN, OUT>::from_json_str(text)
    {
        check(&model, input);
    }
}

/// `bytes` with the last four replaced by the CRC-32 of the others, or `None` when shorter or
/// when that changes nothing.
fn resigned(bytes: &[u8]) -> Option<Vec<u8>> {
    let body = bytes.len().checked_sub(4)?;
    let mut out = bytes.to_vec();
    let checksum = crc32fast::hash(&bytes[..body]);
    out[body..].copy_from_slice(&checksum.to_le_bytes());
    (out != bytes).then_some(out)
}

fuzz_target!(|bytes: &[u8]| {
    read::<Iris, 4, 3>(bytes, [5.1, 3.5, 1.4, 0.2]);
    read::<Prices, 3, 2>(bytes, [120.0, 210.0, 290.0]);
    read::<Diagnosis, 2, 1>(bytes, [12.0, 1.0]);
});
