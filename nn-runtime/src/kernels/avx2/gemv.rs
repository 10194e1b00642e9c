//! `y = A·x + bias` for one column `x`: the forward pass of one sample.

use super::lanes::Simd;

/// Row registers per tile of tall layers: 8 FMA chains hide the FMA latency, and each column
/// of `A` is read 256 contiguous bytes at a time (a 784-128 layer: 6.1 µs best, 8.3 median,
/// against 7.5 and 9.4 with two 4-register tiles).
const WIDE: usize = 8;
/// Row registers per tile of the rest, with 3 accumulator sets: 12 FMA chains.
const GV: usize = 4;

/// `y = A·x + bias` for `A` of `m × depth`, column-major.
///
/// # Safety
/// AVX2 and FMA must be available; `a`, `bias`, `x`, `y` must hold `m·depth`, `m`, `depth`, `m`
/// elements.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn gemv<S: Simd>(
    s: S,
    a: *const S::Elem,
    bias: *const S::Elem,
    x: *const S::Elem,
    y: *mut S::Elem,
    (m, depth): (usize, usize),
) {
    let full = GV * S::LANES;
    let v = Gemv {
        a,
        bias,
        x,
        y,
        m,
        depth,
    };
    let mut i = 0;
    while i + WIDE * S::LANES <= m {
        // SAFETY: rows `i..i + WIDE·LANES` lie within `0..m`; the caller vouches for the rest.
        unsafe { wide_tile_gemv::<S>(s, v, i) };
        i += WIDE * S::LANES;
    }
    while i + full <= m {
        // SAFETY: rows `i..i + full` lie within `0..m`; the caller vouches for the rest.
        unsafe { tile_gemv::<S, GV, 3, false>(s, v, i, s.mask(S::LANES)) };
        i += full;
    }
    let rest = m - i;
    if rest > 0 {
        let registers = rest.div_ceil(S::LANES);
        let mask = s.mask(rest - (registers - 1) * S::LANES);
        // SAFETY: rows `i..m` are the masked lanes of `registers` registers; as above.
        unsafe {
            match registers {
                1 => tile_gemv::<S, 1, 8, true>(s, v, i, mask),
                2 => tile_gemv::<S, 2, 5, true>(s, v, i, mask),
                3 => tile_gemv::<S, 3, 3, true>(s, v, i, mask),
                _ => tile_gemv::<S, 4, 2, true>(s, v, i, mask),
            }
        }
    }
}

/// The operands of [`gemv`].
#[derive(Clone, Copy)]
struct Gemv<E> {
    a: *const E,
    bias: *const E,
    x: *const E,
    y: *mut E,
    m: usize,
    depth: usize,
}

/// Rows `i..i + WIDE·LANES` of `y = A·x + bias`, one accumulator per register.
///
/// # Safety
/// As [`gemv`], with those rows within `0..m`.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn wide_tile_gemv<S: Simd>(s: S, g: Gemv<S::Elem>, i: usize) {
    let lanes = S::LANES;
    // SAFETY: the caller guarantees these rows of `A`, `bias` and `y` and all of `x` are in
    // bounds.
    unsafe {
        let mut acc: [S::Vector; WIDE] =
            core::array::from_fn(|v| s.load(g.bias.add(i + v * lanes)));
        let mut column = g.a.add(i);
        for r in 0..g.depth {
            let x = s.splat(g.x.add(r));
            for (v, acc) in acc.iter_mut().enumerate() {
                *acc = s.fmadd(s.load(column.add(v * lanes)), x, *acc);
            }
            // Past the last column this points beyond `A`, never read.
            column = column.wrapping_add(g.m);
        }
        for (v, &acc) in acc.iter().enumerate() {
            s.store(g.y.add(i + v * lanes), acc);
        }
    }
}

/// Rows `i..i + V·LANES` of `y = A·x + bias` (the last register masked with `MASKED`), with
/// `SETS` accumulator sets taking the columns in turn, so that `V·SETS` independent FMA chains
/// hide the FMA latency even for short tiles (a 10-row layer keeps 10 chains, not 2).
///
/// # Safety
/// As [`gemv`], with those rows (up to the mask) within `0..m`.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile_gemv<S: Simd, const V: usize, const SETS: usize, const MASKED: bool>(
    s: S,
    g: Gemv<S::Elem>,
    i: usize,
    mask: S::Mask,
) {
    let lanes = S::LANES;
    // SAFETY: the caller guarantees these rows of `A`, `bias` and `y` and all of `x` are in
    // bounds; masked lanes past the edge are never touched.
    unsafe {
        let load = |q: *const S::Elem, v: usize| {
            if MASKED && v == V - 1 {
                s.load_masked(q.add(v * lanes), mask)
            } else {
                s.load(q.add(v * lanes))
            }
        };
        let mut sets = [[s.zero(); V]; SETS];
        sets[0] = core::array::from_fn(|v| load(g.bias.add(i), v));
        let a = g.a.add(i);
        let mut r = 0;
        while r + SETS <= g.depth {
            for (k, set) in sets.iter_mut().enumerate() {
                let x = s.splat(g.x.add(r + k));
                let column = a.add((r + k) * g.m);
                for (v, acc) in set.iter_mut().enumerate() {
                    *acc = s.fmadd(load(column, v), x, *acc);
                }
            }
            r += SETS;
        }
        for (k, set) in sets.iter_mut().enumerate().take(g.depth - r) {
            let x = s.splat(g.x.add(r + k));
            let column = a.add((r + k) * g.m);
            for (v, acc) in set.iter_mut().enumerate() {
                *acc = s.fmadd(load(column, v), x, *acc);
            }
        }
        for (v, &first) in sets[0].iter().enumerate() {
            let sum = sets[1..].iter().fold(first, |sum, set| s.add(sum, set[v]));
            if MASKED && v == V - 1 {
                s.store_masked(g.y.add(i + v * lanes), mask, sum);
            } else {
                s.store(g.y.add(i + v * lanes), sum);
            }
        }
    }
}
