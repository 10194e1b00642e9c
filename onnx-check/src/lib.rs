//! Nothing but tests: see `tests/onnx.rs`, which exports networks with `nn::model::to_onnx` and
//! runs them in tract.
