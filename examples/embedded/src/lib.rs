//! Trained networks in a `no_std`, allocator-free static library, called from C:
//!
//! * the digits network that `cargo run --release --example digits` trains and saves, baked in
//!   with `include_model!` and run from read-only memory;
//! * a small regressor that learns on the device, with its inline learner: buffers, gradients
//!   and optimizer state on the stack.

#![no_std]

use nn::{MeanSquaredError, Sgd, include_model, network};

network! {
    /// The network of the `digits` example: an 8×8 digit in, the probability of each class out.
    pub struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;

    /// Eight readings in, one estimate out; learns on the device.
    pub struct Regressor: Input<8> -> Dense<16, Tanh> -> Dense<1>;
}

/// The trained weights, checked against `Digits` while compiling.
static DIGITS: DigitsFrozen = include_model!(Digits, "../models/digits.nnm");

/// Classifies one 8×8 digit, its 64 pixels scaled to [0, 1] row by row: writes the 10 class
/// probabilities to `probabilities` and returns the most probable digit.
///
/// # Safety
/// `pixels` must point to 64 readable `f32`s and `probabilities` to 10 writable ones.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nn_digits_classify(pixels: *const f32, probabilities: *mut f32) -> u32 {
    // SAFETY: the caller vouches for both pointers.
    let (pixels, probabilities) = unsafe {
        (
            &*pixels.cast::<[f32; 64]>(),
            &mut *probabilities.cast::<[f32; 10]>(),
        )
    };
    let output = DIGITS.forward(pixels);
    probabilities.copy_from_slice(output.as_slice());
    let mut best = 0;
    for class in 1..10 {
        if output[class] > output[best] {
            best = class;
        }
    }
    best as u32
}

/// The number of parameters baked in, for the C side to report.
#[unsafe(no_mangle)]
pub extern "C" fn nn_digits_parameters() -> u32 {
    DigitsFrozen::PARAMETERS as u32
}

/// The regressor's starting weights (random, drawn when the file was made).
static REGRESSOR_START: RegressorFrozen = include_model!(Regressor, "../models/regressor_start.nnm");

/// The samples of one training step.
const BATCH: usize = 8;

/// Trains the regressor from its baked starting weights on `count` samples (`inputs`: 8 values
/// per sample, row by row; `targets`: 1 per sample) for `epochs` passes in batches of 8, with SGD
/// (learning rate 0.05, momentum 0.9) and the mean squared error. Returns the loss of the last
/// batch, or -1 when `count` is 0 or a step fails (a diverged loss).
///
/// Everything lives on the stack: the network (161 weights), the learner's batch buffers,
/// gradients and velocity.
///
/// # Safety
/// `inputs` must point to `8 · count` readable `f32`s and `targets` to `count`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nn_regressor_fit(
    inputs: *const f32,
    targets: *const f32,
    count: usize,
    epochs: u32,
) -> f32 {
    if count == 0 {
        return -1.0;
    }
    // SAFETY: the caller vouches for both pointers and `count`.
    let (inputs, targets) = unsafe {
        (
            core::slice::from_raw_parts(inputs.cast::<[f32; 8]>(), count),
            core::slice::from_raw_parts(targets.cast::<[f32; 1]>(), count),
        )
    };
    let mut network = REGRESSOR_START.clone();
    let mut learner = RegressorLearner::<Sgd, BATCH>::new(Sgd::new(0.05).with_momentum(0.9));
    let mut loss = -1.0;
    for _ in 0..epochs {
        for (x, y) in inputs.chunks(BATCH).zip(targets.chunks(BATCH)) {
            match learner.step(&mut network, &MeanSquaredError, x, y) {
                Ok(batch_loss) => loss = batch_loss,
                Err(_) => return -1.0,
            }
        }
    }
    loss
}

/// Without `std` the library brings its own panic handler; none of the code above can panic
/// (the sizes are checked while compiling), so it never runs.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
