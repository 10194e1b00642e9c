//! A trained network in a `no_std`, allocator-free static library: the digits network that
//! `cargo run --release --example digits` trains and saves, baked in with `include_model!` and
//! run from read-only memory by a C-callable function.

#![no_std]

use nn::{include_model, network};

network! {
    /// The network of the `digits` example: an 8×8 digit in, the probability of each class out.
    pub struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;
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

/// Without `std` the library brings its own panic handler; none of the code above can panic
/// (the sizes are checked while compiling), so it never runs.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
