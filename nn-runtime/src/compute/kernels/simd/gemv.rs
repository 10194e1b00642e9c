//! `y = A·x + bias` for one column `x`: the forward pass of one sample.

use super::lanes::Simd;

/// Row registers per tile of tall layers, with one accumulator set: 8 FMA chains hide the FMA
/// latency, and each column of `A` is read 256 contiguous bytes at a time (a 784-128 layer:
/// 6.1 µs best, 8.3 median, against 7.5 and 9.4 with two 4-register tiles).
const WIDE: usize = 8;
/// Row registers per tile of the rest, with 3 accumulator sets: 12 FMA chains.
const GV: usize = 4;

/// `y = A·x + bias` for `A` of `m × depth`, column-major.
///
/// # Safety
/// `a`, `bias`, `x`, `y` must hold `m·depth`, `m`, `depth`, `m` elements.
pub(super) unsafe fn gemv<S: Simd>(
    s: S,
    a: *const S::Elem,
    bias: *const S::Elem,
    x: *const S::Elem,
    y: *mut S::Elem,
    (m, depth): (usize, usize),
) {
    s.vectorize(
        #[inline(always)]
        || {
            let full = GV * S::LANES;
            let v = Gemv {
                a,
                bias,
                x,
                y,
                m,
                depth,
            };
            let all = s.mask(S::LANES);
            let aligned = Aligned::new(s, a, m);
            let mut i = 0;
            while i + WIDE * S::LANES <= m {
                // SAFETY: rows `i..i + WIDE·LANES` lie within `0..m`, every column of `A` as
                // misaligned as `aligned` says; the caller vouches for the rest.
                unsafe { tile_gemv::<S, WIDE, 1, false, true>(s, v, i, all, aligned) };
                i += WIDE * S::LANES;
            }
            while i + full <= m {
                // SAFETY: as above, for rows `i..i + full`.
                unsafe { tile_gemv::<S, GV, 3, false, true>(s, v, i, all, aligned) };
                i += full;
            }
            let rest = m - i;
            if rest > 0 {
                let registers = rest.div_ceil(S::LANES);
                let last = rest - (registers - 1) * S::LANES;
                // Whole registers are stored whole: a load of the next layer is then forwarded
                // from a plain store, not from a masked one.
                // SAFETY: rows `i..m` are `registers` registers, the last one's lanes up to
                // `last`; as above.
                unsafe {
                    match last == S::LANES {
                        true => tail_gemv::<S, false>(s, v, i, registers, all),
                        false => tail_gemv::<S, true>(s, v, i, registers, s.mask(last)),
                    }
                }
            }
        },
    )
}

/// The rows of [`gemv`] left after its full tiles: `registers` (at most [`GV`]) registers at row
/// `i`, the last one masked with `mask` when `MASKED`, with enough accumulator sets to keep about
/// 8 FMA chains.
///
/// # Safety
/// As [`tile_gemv`] without alignment, for those rows.
#[inline(always)]
unsafe fn tail_gemv<S: Simd, const MASKED: bool>(
    s: S,
    v: Gemv<S::Elem>,
    i: usize,
    registers: usize,
    mask: S::Mask,
) {
    // SAFETY: as the caller guarantees.
    unsafe {
        match registers {
            1 => tile_gemv::<S, 1, 8, MASKED, false>(s, v, i, mask, None),
            2 => tile_gemv::<S, 2, 5, MASKED, false>(s, v, i, mask, None),
            3 => tile_gemv::<S, 3, 3, MASKED, false>(s, v, i, mask, None),
            _ => tile_gemv::<S, 4, 2, MASKED, false>(s, v, i, mask, None),
        }
    }
}

/// Bytes of `A` per block of columns in [`gemv_blocked`]: half of a 32 KiB L1 data cache.
const BLOCK_BYTES: usize = 16 * 1024;

/// The fewest columns a block may hold: with fewer, each block's pass over `y` costs more than
/// the blocks save.
const MIN_BLOCK_COLUMNS: usize = 8;

/// Whether an `m × depth` product of `element` bytes per value gains from [`gemv_blocked`]:
/// `A` is larger than a block, and a block holds enough columns.
pub(super) fn wants_blocks(m: usize, depth: usize, element: usize) -> bool {
    let column = m * element;
    column * depth > BLOCK_BYTES && column * MIN_BLOCK_COLUMNS <= BLOCK_BYTES
}

/// [`gemv`] for an `A` larger than [`BLOCK_BYTES`]: in blocks of that many bytes of columns, every
/// row tile over one block before the next, so that each cache line of `A` comes into L1 once,
/// whole. (A 128-row layer's tiles read 256 of each column's 512 bytes: without blocks, both
/// streamed all of `A` from L2. Cachegrind, 784-128: 8 100 → 6 490 L1 misses per call, against
/// 6 272 lines of weights.)
///
/// # Safety
/// As [`gemv`].
pub(super) unsafe fn gemv_blocked<S: Simd>(
    s: S,
    a: *const S::Elem,
    bias: *const S::Elem,
    x: *const S::Elem,
    y: *mut S::Elem,
    (m, depth): (usize, usize),
) {
    let block = (BLOCK_BYTES / (m * core::mem::size_of::<S::Elem>()).max(1)).max(1);
    let mut k = 0;
    while k < depth {
        let columns = block.min(depth - k);
        // After the first block the sums start from the partial sums already in `y`.
        let start = if k == 0 { bias } else { y.cast_const() };
        // SAFETY: columns `k..k + columns` of `A` and entries `k..k + columns` of `x` are in
        // bounds, as are `y` and the bias; the caller vouches for the rest.
        unsafe { gemv(s, a.add(k * m), start, x.add(k), y, (m, columns)) };
        k += columns;
    }
}

/// The operands of [`gemv`].
#[derive(Clone, Copy)]
struct Gemv<E> {
    /// `A`, `m × depth`, column-major.
    a: *const E,
    /// The `m` values the sums start from.
    bias: *const E,
    /// `x`, `depth` values.
    x: *const E,
    /// `y`, `m` values.
    y: *mut E,
    /// The rows of `A`.
    m: usize,
    /// The columns of `A`.
    depth: usize,
}

/// Rows `i..i + V·LANES` of `y = A·x + bias` (the last register masked with `MASKED`), with
/// `SETS` accumulator sets taking the columns in turn, so that `V·SETS` independent FMA chains
/// hide the FMA latency even for short tiles (a 10-row layer keeps 10 chains, not 2). With
/// `ALIGNED` (and not `MASKED`), each column's registers are assembled from aligned loads where
/// `aligned` says how; the sums are the same either way.
///
/// # Safety
/// As [`gemv`], with those rows (up to the mask) within `0..m`, and every column of `A`
/// misaligned as `aligned` describes.
#[inline(always)]
unsafe fn tile_gemv<
    S: Simd,
    const V: usize,
    const SETS: usize,
    const MASKED: bool,
    const ALIGNED: bool,
>(
    s: S,
    g: Gemv<S::Elem>,
    i: usize,
    mask: S::Mask,
    aligned: Option<Aligned<S>>,
) {
    // SAFETY: the caller guarantees these rows of `A`, `bias` and `y` and all of `x` are in
    // bounds; masked lanes past the edge are never touched.
    unsafe {
        let a = g.a.add(i);
        let mut sets = [[s.zero(); V]; SETS];
        sets[0] = s.load_registers::<V, MASKED>(g.bias.add(i), mask);
        let mut r = 0;
        while r + SETS <= g.depth {
            for (k, set) in sets.iter_mut().enumerate() {
                let column = (a.add((r + k) * g.m), g.x.add(r + k));
                accumulate::<S, V, MASKED, ALIGNED>(s, set, column, mask, aligned);
            }
            r += SETS;
        }
        for (k, set) in sets.iter_mut().enumerate().take(g.depth - r) {
            let column = (a.add((r + k) * g.m), g.x.add(r + k));
            accumulate::<S, V, MASKED, ALIGNED>(s, set, column, mask, aligned);
        }
        let sum = core::array::from_fn(|v| {
            sets[1..]
                .iter()
                .fold(sets[0][v], |sum, set| s.add(sum, set[v]))
        });
        s.store_registers::<V, MASKED>(g.y.add(i), mask, sum);
    }
}

/// `set += column · x` for the column of `V` registers at `column` (the last one masked with
/// `MASKED`, or loaded through `aligned`, if any, with `ALIGNED`) and the value at `x`.
///
/// # Safety
/// As for [`tile_gemv`]'s loads of a column of `A` and of `x`.
#[inline(always)]
unsafe fn accumulate<S: Simd, const V: usize, const MASKED: bool, const ALIGNED: bool>(
    s: S,
    set: &mut [S::Vector; V],
    (column, x): (*const S::Elem, *const S::Elem),
    mask: S::Mask,
    aligned: Option<Aligned<S>>,
) {
    // SAFETY: as the caller guarantees.
    unsafe {
        let x = s.splat(x);
        let column = match aligned {
            Some(aligned) if ALIGNED && !MASKED => aligned.load::<V>(column),
            _ => s.load_registers::<V, MASKED>(column, mask),
        };
        for (acc, column) in set.iter_mut().zip(column) {
            *acc = s.fmadd(column, x, *acc);
        }
    }
}

/// How far every column of `A` lies from a register-aligned address, when all lie equally far
/// (the rows are a multiple of the lanes) and not zero, and the instruction set joins
/// registers cheaply ([`Simd::shift`]): a tile then loads each column's registers as aligned
/// registers, the first and last masked to the tile's rows, and joins neighbours with
/// [`Simd::shifted`], rather than loading registers that straddle cache lines (AVX-512, a
/// 784-128 `f32` layer whose weights lie 16 bytes past a cache line, as the heap gives them:
/// 6.0 → 3.8 µs, best of interleaved runs).
#[derive(Clone, Copy)]
struct Aligned<S: Simd> {
    /// The token.
    s: S,
    /// The elements between a column's first and the aligned address before it.
    offset: usize,
    /// Lanes `offset..LANES`: a column's rows in its first aligned register.
    head: S::Mask,
    /// Lanes `0..offset`: the rows in the aligned register after its last.
    tail: S::Mask,
    /// How two aligned registers join into one of the column's.
    shift: S::Shift,
}

impl<S: Simd> Aligned<S> {
    /// The alignment of the columns of an `A` at `a` with `m` rows, if they are all misaligned
    /// alike and the instruction set joins registers.
    #[inline(always)]
    fn new(s: S, a: *const S::Elem, m: usize) -> Option<Self> {
        let register = S::LANES * core::mem::size_of::<S::Elem>();
        let offset = (a as usize % register) / core::mem::size_of::<S::Elem>();
        if offset == 0 || !m.is_multiple_of(S::LANES) {
            return None;
        }
        let shift = s.shift(offset)?;
        Some(Self {
            s,
            offset,
            head: s.shift_head(shift),
            tail: s.mask(offset),
            shift,
        })
    }

    /// The `V` registers of the column at `p`, from `V + 1` aligned loads.
    ///
    /// # Safety
    /// `p..p + V·LANES` must be readable, and `p` misaligned by `offset`.
    #[inline(always)]
    unsafe fn load<const V: usize>(self, p: *const S::Elem) -> [S::Vector; V] {
        let (s, lanes) = (self.s, S::LANES);
        // The aligned address `offset` elements before `p`, outside the column but never read
        // there: the masks keep every load within `p..p + V·LANES`.
        let q = p.wrapping_sub(self.offset);
        // SAFETY: the first load reads lanes `offset..` (the column's first elements), the
        // middle ones whole registers inside the column, the last lanes `..offset` (its last
        // elements).
        unsafe {
            let mut registers = [s.zero(); V];
            let mut low = s.load_masked(q, self.head);
            for (v, register) in registers.iter_mut().enumerate() {
                let next = q.wrapping_add((v + 1) * lanes);
                let high = if v + 1 == V {
                    s.load_masked(next, self.tail)
                } else {
                    s.load(next)
                };
                *register = s.shifted(low, high, self.shift);
                low = high;
            }
            registers
        }
    }
}
