//! The naive products in `f64` that every kernel is checked against, and the check.
//!
//! Tolerance: `|got − want| ≤ (depth + 2)·ε·Σ|terms|`, where `ε` is the element type's machine
//! epsilon and `Σ|terms|` sums the magnitudes of the products (and the bias) making up the value:
//! the worst-case rounding error of summing `depth + 1` terms in any order. A single missing or
//! doubled term is far larger on these random operands.

/// Deterministic values in `[-1, 1)`.
pub(super) fn values(len: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    };
    (0..len).map(|_| next()).collect()
}

/// The operands of one check, column-major, as `f64` values that `f32` holds exactly.
pub(super) struct Operands {
    /// The layer's outputs.
    pub(super) out: usize,
    /// The layer's inputs.
    pub(super) inp: usize,
    /// The batch size.
    pub(super) n: usize,
    /// `W`, `out × inp`.
    pub(super) w: Vec<f64>,
    /// `b`, `out`.
    pub(super) b: Vec<f64>,
    /// `X`, `inp × n`.
    pub(super) x: Vec<f64>,
    /// `Δ`, `out × n`.
    pub(super) d: Vec<f64>,
}

impl Operands {
    /// Random operands of an `out × inp` layer over `n` samples.
    pub(super) fn new(out: usize, inp: usize, n: usize) -> Self {
        let exact = |values: Vec<f64>| values.into_iter().map(|v| f64::from(v as f32)).collect();
        Self {
            out,
            inp,
            n,
            w: exact(values(out * inp, 1)),
            b: exact(values(out, 2)),
            x: exact(values(inp * n, 3)),
            d: exact(values(out * n, 4)),
        }
    }

    /// The shape and batch, for messages.
    pub(super) fn describe(&self) -> String {
        format!("{}×{}, n = {}", self.out, self.inp, self.n)
    }
}

/// Everything the products compute for one batch, as `f64`.
#[derive(Default)]
pub(super) struct Outputs {
    /// `Z = W·X + b`, from the batch product.
    pub(super) z: Vec<f64>,
    /// `Z` again, one single-sample product per column.
    pub(super) vectors: Vec<f64>,
    /// `∂W = Δ·Xᵀ`.
    pub(super) dw: Vec<f64>,
    /// `∂b`, the row sums of `Δ` (empty where a run does not compute it).
    pub(super) db: Vec<f64>,
    /// `∂X = Wᵀ·Δ`.
    pub(super) dx: Vec<f64>,
}

/// The exact value and `Σ|terms|` of each entry.
type Expected = Vec<(f64, f64)>;

/// The products of some [`Operands`], summed naively in `f64`.
pub(super) struct Reference {
    /// `Z`, and the depth of its sums.
    forward: (Expected, usize),
    /// `∂W`, summed over the batch.
    dw: (Expected, usize),
    /// `∂b`, summed over the batch.
    db: (Expected, usize),
    /// `∂X`, summed over the outputs.
    dx: (Expected, usize),
    /// The operands' shape, for messages.
    shape: String,
}

/// `start + Σ_{r < depth} term(r)` and the sum of the magnitudes.
fn sum(start: f64, depth: usize, term: impl Fn(usize) -> f64) -> (f64, f64) {
    (0..depth).fold((start, start.abs()), |(s, m), r| {
        (s + term(r), m + term(r).abs())
    })
}

impl Reference {
    /// The products of `o`.
    pub(super) fn new(o: &Operands) -> Self {
        let (out, inp, n) = (o.out, o.inp, o.n);
        let forward = (0..out * n)
            .map(|e| {
                let (i, j) = (e % out, e / out);
                sum(o.b[i], inp, |k| o.w[i + k * out] * o.x[k + j * inp])
            })
            .collect();
        let dw = (0..out * inp)
            .map(|e| {
                let (i, k) = (e % out, e / out);
                sum(0.0, n, |j| o.d[i + j * out] * o.x[k + j * inp])
            })
            .collect();
        let db = (0..out)
            .map(|i| sum(0.0, n, |j| o.d[i + j * out]))
            .collect();
        let dx = (0..inp * n)
            .map(|e| {
                let (k, j) = (e % inp, e / inp);
                sum(0.0, out, |i| o.w[i + k * out] * o.d[i + j * out])
            })
            .collect();
        Self {
            forward: (forward, inp),
            dw: (dw, n),
            db: (db, n),
            dx: (dx, out),
            shape: o.describe(),
        }
    }

    /// Asserts that `got`, computed in the type of machine epsilon `eps` by `how`, matches.
    pub(super) fn check(&self, got: &Outputs, eps: f64, how: &str) {
        let what = |product: &str| format!("{}, {how} {product}", self.shape);
        assert_close(&got.z, &self.forward, eps, &what("forward"));
        assert_close(&got.vectors, &self.forward, eps, &what("vector"));
        assert_close(&got.dw, &self.dw, eps, &what("weight gradient"));
        if !got.db.is_empty() || self.db.0.is_empty() {
            assert_close(&got.db, &self.db, eps, &what("bias gradient"));
        }
        assert_close(&got.dx, &self.dx, eps, &what("input gradient"));
    }
}

/// Asserts every entry of `got` within the tolerance of `want`'s.
fn assert_close(got: &[f64], (want, depth): &(Expected, usize), eps: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (index, (&got, &(value, magnitude))) in got.iter().zip(want).enumerate() {
        let error = (got - value).abs();
        let bound = (depth + 2) as f64 * eps * magnitude;
        assert!(
            error <= bound,
            "{what}: entry {index} is {got}, expected {value} (error {error:e} > bound {bound:e})"
        );
    }
}
