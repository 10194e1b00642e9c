//! `y = A·x + bias` for one column `x`: the forward pass of one sample.

use super::lanes::Simd;

/// Row registers per tile; with two accumulator sets, 8 FMA chains hide the FMA latency.
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
    while i + full <= m {
        // SAFETY: rows `i..i + full` lie within `0..m`; the caller vouches for the rest.
        unsafe { tile_gemv::<S, GV, false>(s, v, i, s.mask(S::LANES)) };
        i += full;
    }
    let rest = m - i;
    if rest > 0 {
        let registers = rest.div_ceil(S::LANES);
        let mask = s.mask(rest - (registers - 1) * S::LANES);
        // SAFETY: rows `i..m` are the masked lanes of `registers` registers; as above.
        unsafe {
            match registers {
                1 => tile_gemv::<S, 1, true>(s, v, i, mask),
                2 => tile_gemv::<S, 2, true>(s, v, i, mask),
                3 => tile_gemv::<S, 3, true>(s, v, i, mask),
                _ => tile_gemv::<S, 4, true>(s, v, i, mask),
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

/// Rows `i..i + V·LANES` of `y = A·x + bias` (the last register masked with `MASKED`), with two
/// interleaved accumulator sets so that `2·V` FMA chains run at once.
///
/// # Safety
/// As [`gemv`], with those rows (up to the mask) within `0..m`.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile_gemv<S: Simd, const V: usize, const MASKED: bool>(
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
        let mut even: [S::Vector; V] = core::array::from_fn(|v| load(g.bias.add(i), v));
        let mut odd = [s.zero(); V];
        let a = g.a.add(i);
        let mut r = 0;
        while r + 2 <= g.depth {
            let (x0, x1) = (s.splat(g.x.add(r)), s.splat(g.x.add(r + 1)));
            let (a0, a1) = (a.add(r * g.m), a.add((r + 1) * g.m));
            for v in 0..V {
                even[v] = s.fmadd(load(a0, v), x0, even[v]);
                odd[v] = s.fmadd(load(a1, v), x1, odd[v]);
            }
            r += 2;
        }
        if r < g.depth {
            let x0 = s.splat(g.x.add(r));
            for (v, even) in even.iter_mut().enumerate() {
                *even = s.fmadd(load(a.add(r * g.m), v), x0, *even);
            }
        }
        for v in 0..V {
            let sum = s.add(even[v], odd[v]);
            if MASKED && v == V - 1 {
                s.store_masked(g.y.add(i + v * lanes), mask, sum);
            } else {
                s.store(g.y.add(i + v * lanes), sum);
            }
        }
    }
}
