//! What the SIMD kernels need of a vector register: [`Simd`], implemented once per instruction
//! set and element type (`avx2::F32x8`, `avx512::F32x16`, …) behind a token that proves the CPU
//! has the instructions.
//!
//! The kernels are written once against [`Simd`] and instantiated for every implementation.
//! Every register method is `#[inline(always)]`, so inside [`Simd::vectorize`] each becomes a
//! single instruction (or a short fixed sequence).

/// The lanes of one vector register, the operations the kernels use on it, and the tile shapes
/// that suit its register file.
///
/// # Safety
///
/// A value of an implementing type may exist only when the running CPU supports every
/// instruction the methods use; the safe methods rely on it.
pub(in crate::compute::kernels) unsafe trait Simd: Copy {
    /// The element type, `f32` or `f64`.
    type Elem: Copy;
    /// One register of `LANES` elements.
    type Vector: Copy;
    /// A lane mask for partial loads and stores.
    type Mask: Copy;
    /// How [`Simd::shifted`] joins two registers, prepared once by [`Simd::shift`]
    /// (uninhabited where it never does).
    type Shift: Copy;
    /// The number of elements in one register.
    const LANES: usize;

    /// Row registers of a full row panel of `gemm_nn`.
    const NN_ROWS: usize;
    /// Accumulator registers of one `gemm_nn` tile: a panel of `V` registers takes tiles of
    /// `NN_ACCUMULATORS / V` columns (at most [`MAX_COLUMNS`]), so that the accumulators, the
    /// loaded rows and a broadcast fit the register file.
    const NN_ACCUMULATORS: usize;
    /// Reduction steps per pass of `gemm_nn` over `C`: keeps the row panel of `A` that every
    /// column tile of a pass re-reads in L1.
    const KC: usize;
    /// Input gradients `Aᵀ·B` with a reduction shorter than this transpose `A` through a stack
    /// buffer and multiply it as `A·B`, instead of summing dot products across lanes.
    const SHORT_DOT: usize;

    /// Runs `f` inside a function compiled for the instructions the token proves, so that the
    /// register methods, inlined into `f`, become those instructions. Everything `f` calls must
    /// be `#[inline(always)]` or run through `vectorize` again.
    fn vectorize<R>(self, f: impl FnOnce() -> R) -> R;

    /// All lanes zero.
    fn zero(self) -> Self::Vector;
    /// `a · b + c` in every lane, rounded once.
    fn fmadd(self, a: Self::Vector, b: Self::Vector, c: Self::Vector) -> Self::Vector;
    /// `a + b` in every lane.
    fn add(self, a: Self::Vector, b: Self::Vector) -> Self::Vector;
    /// A mask selecting the first `lanes` lanes, `1 ≤ lanes ≤ LANES`.
    fn mask(self, lanes: usize) -> Self::Mask;
    /// How to assemble registers that start `lanes` elements past an aligned address
    /// (`1 ≤ lanes < LANES`) from aligned loads with [`Simd::shifted`], where that costs less
    /// than loads that straddle cache lines; `None` where it does not.
    fn shift(self, lanes: usize) -> Option<Self::Shift>;
    /// Lanes `k..LANES` of `low` followed by lanes `0..k` of `high`, for the `k` of `shift`:
    /// the register that starts `k` elements into `low`.
    fn shifted(self, low: Self::Vector, high: Self::Vector, shift: Self::Shift) -> Self::Vector;
    /// The mask of lanes `k..LANES`, for the `k` of `shift`.
    fn shift_head(self, shift: Self::Shift) -> Self::Mask;
    /// The sum of the lanes.
    fn hsum(self, v: Self::Vector) -> Self::Elem;

    /// Loads `LANES` elements from `p`.
    ///
    /// # Safety
    /// `p..p + LANES` must be readable.
    unsafe fn load(self, p: *const Self::Elem) -> Self::Vector;
    /// Loads the lanes selected by `m` from `p`; the others are zero.
    ///
    /// # Safety
    /// The selected elements of `p..p + LANES` must be readable.
    unsafe fn load_masked(self, p: *const Self::Elem, m: Self::Mask) -> Self::Vector;
    /// `*p` in every lane.
    ///
    /// # Safety
    /// `p` must be readable.
    unsafe fn splat(self, p: *const Self::Elem) -> Self::Vector;
    /// Stores `LANES` elements at `p`.
    ///
    /// # Safety
    /// `p..p + LANES` must be writable.
    unsafe fn store(self, p: *mut Self::Elem, v: Self::Vector);
    /// Stores the lanes selected by `m` at `p`.
    ///
    /// # Safety
    /// The selected elements of `p..p + LANES` must be writable.
    unsafe fn store_masked(self, p: *mut Self::Elem, m: Self::Mask, v: Self::Vector);
    /// Stores the lane sums of the four registers at `p[0..4]`.
    ///
    /// # Safety
    /// `p..p + 4` must be writable.
    unsafe fn store_sums4(self, p: *mut Self::Elem, v: [Self::Vector; 4]);

    /// Transposes a `LANES × LANES` block: `dst[c + r·ldd] = src[r + c·lds]` for every row `r`
    /// and column `c` below `LANES`.
    ///
    /// # Safety
    /// The `LANES` columns of `LANES` elements at `src`, `lds` apart, must be readable, and the
    /// `LANES` rows of `LANES` elements at `dst`, `ldd` apart, writable.
    unsafe fn transpose(self, src: *const Self::Elem, lds: usize, dst: *mut Self::Elem, ldd: usize);
    /// Transposes the top-left `rows × cols` of a `LANES × LANES` block (`1 ≤ rows, cols ≤
    /// LANES`): `dst[c + r·ldd] = src[r + c·lds]` for every row `r < rows` and column
    /// `c < cols`, touching no other element of `src` or `dst`.
    ///
    /// # Safety
    /// The `cols` columns of `rows` elements at `src`, `lds` apart, must be readable, and the
    /// `rows` rows of `cols` elements at `dst`, `ldd` apart, writable.
    unsafe fn transpose_edge(
        self,
        src: *const Self::Elem,
        lds: usize,
        dst: *mut Self::Elem,
        ldd: usize,
        rows_cols: (usize, usize),
    );

    /// Loads `V` consecutive registers from `p`; with `MASKED`, only the lanes of `m` of the
    /// last one (the others zero).
    ///
    /// # Safety
    /// `p..p + V·LANES` must be readable, up to the unselected lanes of the last register when
    /// `MASKED`.
    #[inline(always)]
    unsafe fn load_registers<const V: usize, const MASKED: bool>(
        self,
        p: *const Self::Elem,
        m: Self::Mask,
    ) -> [Self::Vector; V] {
        // SAFETY: as the caller guarantees.
        core::array::from_fn(|v| unsafe {
            let q = p.add(v * Self::LANES);
            if MASKED && v == V - 1 {
                self.load_masked(q, m)
            } else {
                self.load(q)
            }
        })
    }

    /// Stores `V` consecutive registers at `p`; with `MASKED`, only the lanes of `m` of the
    /// last one.
    ///
    /// # Safety
    /// `p..p + V·LANES` must be writable, up to the unselected lanes of the last register when
    /// `MASKED`.
    #[inline(always)]
    unsafe fn store_registers<const V: usize, const MASKED: bool>(
        self,
        p: *mut Self::Elem,
        m: Self::Mask,
        registers: [Self::Vector; V],
    ) {
        for (v, register) in registers.into_iter().enumerate() {
            // SAFETY: as the caller guarantees.
            unsafe {
                let q = p.add(v * Self::LANES);
                if MASKED && v == V - 1 {
                    self.store_masked(q, m, register);
                } else {
                    self.store(q, register);
                }
            }
        }
    }
}

/// The widest `gemm_nn` tile, in columns, for any instruction set: bounds the tile widths the
/// kernels are compiled for.
pub(in crate::compute::kernels) const MAX_COLUMNS: usize = 12;

/// The columns of a `gemm_nn` tile over a panel of `registers` row registers.
#[inline(always)]
pub(in crate::compute::kernels) const fn nn_columns<S: Simd>(registers: usize) -> usize {
    let columns = S::NN_ACCUMULATORS / registers;
    if columns < MAX_COLUMNS {
        columns
    } else {
        MAX_COLUMNS
    }
}
