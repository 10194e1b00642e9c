//! Which implementation the dense-layer products run: the best the CPU offers, chosen once, or
//! one forced by [`set_kernel_path`] or, with the standard library, the `NN_KERNELS` environment
//! variable (`avx512`, `avx2` or `portable`), read at the first product.

use core::fmt;
use core::sync::atomic::{AtomicU8, Ordering};

/// An implementation of the dense-layer products.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelPath {
    /// AVX-512F with FMA: 16 `f32` or 8 `f64` lanes and 32 registers, masked edges.
    Avx512,
    /// AVX2 with FMA: 8 `f32` or 4 `f64` lanes and 16 registers.
    Avx2,
    /// Plain loops that the compiler vectorizes for the target's baseline: every CPU.
    Portable,
}

impl KernelPath {
    /// Every path, fastest first.
    pub const ALL: [KernelPath; 3] = [KernelPath::Avx512, KernelPath::Avx2, KernelPath::Portable];

    /// The path's name, as `NN_KERNELS` spells it: `avx512`, `avx2` or `portable`.
    pub const fn name(self) -> &'static str {
        match self {
            KernelPath::Avx512 => "avx512",
            KernelPath::Avx2 => "avx2",
            KernelPath::Portable => "portable",
        }
    }

    /// The path named `name` (as [`KernelPath::name`] spells it, in any letter case).
    pub fn from_name(name: &str) -> Option<KernelPath> {
        Self::ALL
            .into_iter()
            .find(|path| path.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Whether the running CPU can take this path.
    pub fn is_supported(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx512 => crate::compute::simd::avx512(),
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx2 => crate::compute::simd::avx2_fma(),
            #[cfg(not(target_arch = "x86_64"))]
            KernelPath::Avx512 | KernelPath::Avx2 => false,
            KernelPath::Portable => true,
        }
    }

    /// The fastest path the running CPU supports.
    pub fn best() -> KernelPath {
        Self::ALL
            .into_iter()
            .find(|path| path.is_supported())
            .unwrap_or(KernelPath::Portable)
    }

    /// The path's code in a [`Selection`].
    const fn code(self) -> u8 {
        match self {
            KernelPath::Avx512 => 1,
            KernelPath::Avx2 => 2,
            KernelPath::Portable => 3,
        }
    }
}

impl fmt::Display for KernelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A path the running CPU cannot take, refused by [`set_kernel_path`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsupportedPath(pub KernelPath);

impl fmt::Display for UnsupportedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "this CPU cannot run the {} kernels", self.0)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for UnsupportedPath {}

/// Which path the products take, shared by every thread: a [`KernelPath::code`], or 0 until
/// the first product chooses.
struct Selection(AtomicU8);

impl Selection {
    /// Nothing chosen yet.
    const fn new() -> Self {
        Self(AtomicU8::new(0))
    }

    /// The path chosen, or the one `initial` chooses if none is yet.
    #[inline]
    fn get(&self, initial: impl FnOnce() -> KernelPath) -> KernelPath {
        match self.0.load(Ordering::Relaxed) {
            1 => KernelPath::Avx512,
            2 => KernelPath::Avx2,
            3 => KernelPath::Portable,
            _ => self.first(initial),
        }
    }

    /// Stores and returns the path `initial` chooses.
    #[cold]
    fn first(&self, initial: impl FnOnce() -> KernelPath) -> KernelPath {
        let path = initial();
        self.0.store(path.code(), Ordering::Relaxed);
        path
    }

    /// Chooses `path`, or with `None` the best the CPU supports.
    fn set(&self, path: Option<KernelPath>) -> Result<(), UnsupportedPath> {
        let path = match path {
            Some(path) if !path.is_supported() => return Err(UnsupportedPath(path)),
            Some(path) => path,
            None => KernelPath::best(),
        };
        self.0.store(path.code(), Ordering::Relaxed);
        Ok(())
    }
}

/// The path the products of every thread take.
static SELECTED: Selection = Selection::new();

/// The path the products take (on every thread): the one last forced by [`set_kernel_path`],
/// else the one `NN_KERNELS` names, else [`KernelPath::best`]. Layers of at most 32 weights take
/// the portable loops on every path.
#[inline]
pub fn path() -> KernelPath {
    #[cfg(test)]
    if let Some(path) = testing::forced() {
        return path;
    }
    SELECTED.get(from_environment)
}

/// Forces `path` for every later product on every thread, or with `None` returns to the best
/// the CPU supports (which `NN_KERNELS` no longer overrides). For benchmarks and checks of one
/// implementation against another: each product is computed whole on the path it starts on.
///
/// # Errors
/// [`UnsupportedPath`] when the CPU cannot take `path`; the path in use stays as it was.
pub fn set_kernel_path(path: Option<KernelPath>) -> Result<(), UnsupportedPath> {
    SELECTED.set(path)
}

/// The path `NN_KERNELS` asks for, if it names one the CPU supports; otherwise the best (with
/// a warning on standard error when it is set to something else).
#[cfg(feature = "std")]
fn from_environment() -> KernelPath {
    requested(std::env::var("NN_KERNELS").ok().as_deref())
}

/// Without the standard library there is no environment to read: the best path.
#[cfg(not(feature = "std"))]
fn from_environment() -> KernelPath {
    KernelPath::best()
}

/// The path a value of `NN_KERNELS` asks for, if it names one the CPU supports; otherwise the
/// best, with a warning on standard error when a value is set.
#[cfg(feature = "std")]
fn requested(value: Option<&str>) -> KernelPath {
    let best = KernelPath::best();
    let Some(value) = value else { return best };
    match KernelPath::from_name(value) {
        Some(path) if path.is_supported() => path,
        Some(path) => {
            std::eprintln!(
                "nn: NN_KERNELS={value}: {}; using {best}",
                UnsupportedPath(path)
            );
            best
        }
        None => {
            std::eprintln!(
                "nn: NN_KERNELS={value} names no kernels (avx512, avx2 or portable); using {best}"
            );
            best
        }
    }
}

/// A path forced for the current thread alone, so that the kernel tests can run the public
/// functions on every path while other tests run beside them on the path in use.
#[cfg(test)]
pub(crate) mod testing {
    use core::cell::Cell;

    use super::KernelPath;

    std::thread_local! {
        /// The path forced on this thread, if any.
        static FORCED: Cell<Option<KernelPath>> = const { Cell::new(None) };
    }

    /// The path forced on this thread.
    pub(in crate::compute::kernels) fn forced() -> Option<KernelPath> {
        FORCED.with(Cell::get)
    }

    /// Runs `f` with `path` forced on this thread.
    pub(crate) fn with_path<R>(path: KernelPath, f: impl FnOnce() -> R) -> R {
        assert!(path.is_supported(), "the CPU cannot take the {path} path");
        let before = FORCED.with(|forced| forced.replace(Some(path)));
        let result = f();
        FORCED.with(|forced| forced.set(before));
        result
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_any_case() {
        for path in KernelPath::ALL {
            assert_eq!(KernelPath::from_name(path.name()), Some(path));
            let upper = path.name().to_ascii_uppercase();
            assert_eq!(KernelPath::from_name(&format!(" {upper}\n")), Some(path));
            assert_eq!(path.to_string(), path.name());
        }
        assert_eq!(KernelPath::from_name("avx"), None);
        assert_eq!(KernelPath::from_name(""), None);
    }

    #[test]
    fn the_best_path_is_the_first_supported_and_portable_always_is() {
        assert!(KernelPath::Portable.is_supported());
        let best = KernelPath::best();
        assert!(best.is_supported());
        let faster = &KernelPath::ALL[..KernelPath::ALL.iter().position(|&p| p == best).unwrap()];
        assert!(faster.iter().all(|path| !path.is_supported()));
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            KernelPath::Avx512.is_supported(),
            std::is_x86_feature_detected!("avx512f")
        );
    }

    #[test]
    fn a_selection_starts_from_its_initial_choice_and_takes_only_supported_paths() {
        let selection = Selection::new();
        assert_eq!(selection.get(|| KernelPath::Portable), KernelPath::Portable);
        // Chosen once: a later initial choice no longer counts.
        assert_eq!(selection.get(KernelPath::best), KernelPath::Portable);
        for path in KernelPath::ALL {
            let before = selection.get(KernelPath::best);
            if path.is_supported() {
                assert_eq!(selection.set(Some(path)), Ok(()));
                assert_eq!(selection.get(|| unreachable!()), path);
            } else {
                assert_eq!(selection.set(Some(path)), Err(UnsupportedPath(path)));
                assert_eq!(selection.get(|| unreachable!()), before);
            }
        }
        assert_eq!(selection.set(None), Ok(()));
        assert_eq!(selection.get(|| unreachable!()), KernelPath::best());
    }

    #[test]
    fn the_environment_names_a_supported_path_or_falls_back_to_the_best() {
        let best = KernelPath::best();
        assert_eq!(requested(None), best);
        assert_eq!(requested(Some("Portable")), KernelPath::Portable);
        assert_eq!(requested(Some("sse9")), best);
        for path in KernelPath::ALL {
            let expected = if path.is_supported() { path } else { best };
            assert_eq!(requested(Some(path.name())), expected);
        }
    }
}
