//! The paths this CPU can take, and the checks that need AVX-512.

use super::*;

/// The paths the CPU can take, fastest first; says so on standard output when AVX-512 is not
/// among them (its kernels then go unchecked on this machine).
pub(super) fn supported() -> Vec<KernelPath> {
    if !KernelPath::Avx512.is_supported() {
        println!("note: this CPU lacks AVX-512F; its kernels are not checked here");
    }
    KernelPath::ALL
        .into_iter()
        .filter(|path| path.is_supported())
        .collect()
}

/// The SIMD paths the CPU can take.
pub(super) fn simd() -> Vec<KernelPath> {
    supported()
        .into_iter()
        .filter(|&path| path != KernelPath::Portable)
        .collect()
}

#[test]
fn avx512_kernels_are_taken_where_the_cpu_has_them() {
    if !KernelPath::Avx512.is_supported() {
        println!("skipped: this CPU lacks AVX-512F, so no AVX-512 kernel can run here");
        return;
    }
    assert_eq!(KernelPath::best(), KernelPath::Avx512);
    // A forced path holds on this thread only, for the public functions.
    with_path(KernelPath::Avx2, || assert_eq!(path(), KernelPath::Avx2));
    with_path(KernelPath::Avx512, || {
        assert_eq!(path(), KernelPath::Avx512)
    });
}

/// The public products of random operands over `n` samples on every SIMD path.
fn on_every_simd_path<const OUT: usize, const IN: usize>(n: usize) -> Vec<reference::Outputs> {
    let operands = reference::Operands::new(OUT, IN, n);
    simd()
        .into_iter()
        .map(|path| with_path(path, || runs::public::<f32, OUT, IN>(&operands)))
        .collect()
}

/// Asserts that forward passes and weight gradients give the same bits on every SIMD path, and
/// that a batch's first columns are those of a shorter batch.
fn assert_same_bits<const OUT: usize, const IN: usize>() {
    let long = on_every_simd_path::<OUT, IN>(70);
    for outputs in &long[1..] {
        assert!(
            outputs.z == long[0].z,
            "{OUT}×{IN}: forward passes differ between paths"
        );
        assert!(
            outputs.dw == long[0].dw,
            "{OUT}×{IN}: weight gradients differ between paths"
        );
    }
    for n in [1, 13, 69] {
        for (short, long) in on_every_simd_path::<OUT, IN>(n).iter().zip(&long) {
            assert!(
                short.z[..] == long.z[..OUT * n],
                "{OUT}×{IN}: a batch of {n} differs"
            );
        }
    }
}

#[test]
fn batch_products_give_the_same_bits_on_every_path_and_batch_size() {
    // Forward passes and weight gradients are one chain of fused multiply-adds per value, in
    // the order of the reduction, whatever the register width and the tiles (and through the
    // transposed weight gradient of few outputs); the portable loops round the products before
    // adding, so they are left out.
    if simd().is_empty() {
        println!("skipped: this CPU has no SIMD kernels");
        return;
    }
    assert_same_bits::<100, 129>();
    assert_same_bits::<10, 129>();
}

#[cfg(target_arch = "x86_64")]
#[test]
fn every_product_gives_the_same_bits_however_its_operands_are_aligned() {
    // The single-sample product loads the columns of a misaligned weight matrix as aligned
    // registers where the instruction set joins them cheaply (AVX-512): the sums must not
    // change. Rows a multiple of every register's lanes, so that all columns are alike.
    for path in simd() {
        for (out, inp) in [(32, 100), (128, 33)] {
            let operands = reference::Operands::new(out, inp, 5);
            let [start, skewed] = [guard::Placement::Start, guard::Placement::Skewed]
                .map(|placement| runs::simd::<f32>(path, &operands, placement).unwrap());
            let what = format!("{path}, {out}×{inp}");
            assert!(
                start.vectors == skewed.vectors,
                "{what}: single-sample products"
            );
            assert!(start.z == skewed.z, "{what}: forward passes");
            assert!(start.dw == skewed.dw, "{what}: weight gradients");
            assert!(start.dx == skewed.dx, "{what}: input gradients");
        }
    }
}
