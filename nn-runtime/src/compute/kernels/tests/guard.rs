//! Operands against inaccessible pages: each slice is mapped on its own with a `PROT_NONE` page
//! before and after it, and starts right after the first (catching reads before it) or ends
//! right before the second (catching reads and writes past it, even by one element of a
//! register). A kernel that touches memory outside an operand faults.

use core::marker::PhantomData;

use crate::{Batch, BatchMut, DenseParameters, DenseParametersMut, Float};

/// Where an operand lies in its pages.
#[derive(Clone, Copy, Debug)]
pub(super) enum Placement {
    /// Its first element right after an inaccessible page.
    Start,
    /// Its last element right before an inaccessible page.
    End,
    /// Its first element 3 elements after an inaccessible page: misaligned for every register
    /// width, so that the kernels that load aligned registers around such operands do.
    Skewed,
}

impl Placement {
    /// Every placement.
    pub(super) const ALL: [Placement; 3] = [Placement::Start, Placement::End, Placement::Skewed];
}

/// A slice of `T` in a mapping of its own, between two inaccessible pages.
pub(super) struct Guarded<T> {
    /// The mapping: a guard page, the data pages, a guard page.
    map: *mut libc::c_void,
    /// The mapping's length in bytes.
    map_len: usize,
    /// The first element.
    data: *mut T,
    /// The number of elements.
    len: usize,
    /// Owns values of `T`.
    _values: PhantomData<T>,
}

impl<T: Copy> Guarded<T> {
    /// A copy of `values`, placed as `placement` says.
    pub(super) fn new(values: &[T], placement: Placement) -> Self {
        // SAFETY: `sysconf` has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap();
        let bytes = core::mem::size_of_val(values);
        let skew = 3 * core::mem::size_of::<T>();
        let data_pages = (bytes + skew).div_ceil(page).max(1);
        let map_len = (data_pages + 2) * page;
        // SAFETY: an anonymous private mapping of `map_len` bytes at a place the kernel picks;
        // the result is checked.
        let map = unsafe {
            libc::mmap(
                core::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(map, libc::MAP_FAILED, "mmap failed");
        let base = map.cast::<u8>();
        // SAFETY: the first and last pages lie within the mapping just made.
        unsafe {
            let last = base.add(map_len - page).cast();
            assert_eq!(libc::mprotect(map, page, libc::PROT_NONE), 0);
            assert_eq!(libc::mprotect(last, page, libc::PROT_NONE), 0);
        }
        let offset = match placement {
            Placement::Start => page,
            Placement::End => map_len - page - bytes,
            Placement::Skewed => page + skew,
        };
        // SAFETY: `offset..offset + bytes` lies within the data pages, suitably aligned for
        // `T` (pages are, and `bytes` is a multiple of `T`'s size); they are writable.
        let data = unsafe {
            let data = base.add(offset).cast::<T>();
            core::ptr::copy_nonoverlapping(values.as_ptr(), data, values.len());
            data
        };
        Self {
            map,
            map_len,
            data,
            len: values.len(),
            _values: PhantomData,
        }
    }

    /// The values.
    pub(super) fn as_slice(&self) -> &[T] {
        // SAFETY: `len` initialized elements at `data`, owned by `self`.
        unsafe { core::slice::from_raw_parts(self.data, self.len) }
    }

    /// The values, mutably.
    pub(super) fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`, borrowed uniquely.
        unsafe { core::slice::from_raw_parts_mut(self.data, self.len) }
    }
}

impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once.
        let result = unsafe { libc::munmap(self.map, self.map_len) };
        debug_assert_eq!(result, 0);
    }
}

/// A batch of `R`-row columns whose capacity is exactly its guarded values.
pub(super) struct GuardedBatch<T, const R: usize> {
    /// The columns, `R·capacity` values.
    values: Guarded<T>,
    /// The columns in use.
    columns: usize,
}

impl<T: Float, const R: usize> GuardedBatch<T, R> {
    /// `n` columns holding `values`.
    pub(super) fn new(values: &[T], placement: Placement) -> Self {
        assert_eq!(values.len() % R.max(1), 0);
        Self {
            values: Guarded::new(values, placement),
            columns: values.len() / R.max(1),
        }
    }

    /// Room for `n` columns, each value `fill`, none in use.
    pub(super) fn empty(n: usize, fill: T, placement: Placement) -> Self {
        let mut batch = Self::new(&vec![fill; R * n], placement);
        batch.columns = 0;
        batch
    }
}

impl<T, const R: usize> Batch<T, R> for GuardedBatch<T, R> {
    fn columns(&self) -> usize {
        self.columns
    }

    fn as_slice(&self) -> &[T] {
        // SAFETY: `R·columns` of the guarded values, initialized.
        unsafe { core::slice::from_raw_parts(self.values.data, R * self.columns) }
    }
}

impl<T, const R: usize> BatchMut<T, R> for GuardedBatch<T, R> {
    fn set_columns(&mut self, columns: usize) {
        assert!(R * columns <= self.values.len, "beyond the capacity");
        self.columns = columns;
    }

    fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`, borrowed uniquely.
        unsafe { core::slice::from_raw_parts_mut(self.values.data, R * self.columns) }
    }
}

/// A dense layer's weight and bias, each guarded.
pub(super) struct GuardedLayer<T, const OUT: usize, const IN: usize> {
    /// `W`, `OUT × IN`.
    weight: Guarded<T>,
    /// `b`, `OUT`.
    bias: Guarded<T>,
}

impl<T: Float, const OUT: usize, const IN: usize> GuardedLayer<T, OUT, IN> {
    /// A layer holding `weight` (column-major) and `bias`.
    pub(super) fn new(weight: &[T], bias: &[T], placement: Placement) -> Self {
        assert_eq!((weight.len(), bias.len()), (OUT * IN, OUT));
        Self {
            weight: Guarded::new(weight, placement),
            bias: Guarded::new(bias, placement),
        }
    }

    /// The weight, column-major.
    pub(super) fn weight(&self) -> &[T] {
        self.weight.as_slice()
    }

    /// The bias.
    pub(super) fn bias(&self) -> &[T] {
        self.bias.as_slice()
    }
}

impl<T, const OUT: usize, const IN: usize> DenseParameters<T, OUT, IN>
    for GuardedLayer<T, OUT, IN>
{
    fn weight_columns(&self) -> &[[T; OUT]; IN] {
        // SAFETY: `OUT·IN` initialized values at `data`, laid out as `IN` arrays of `OUT`.
        unsafe { &*self.weight.data.cast() }
    }

    fn bias_array(&self) -> &[T; OUT] {
        // SAFETY: `OUT` initialized values at `data`.
        unsafe { &*self.bias.data.cast() }
    }
}

impl<T, const OUT: usize, const IN: usize> DenseParametersMut<T, OUT, IN>
    for GuardedLayer<T, OUT, IN>
{
    fn weight_columns_mut(&mut self) -> &mut [[T; OUT]; IN] {
        // SAFETY: as in `weight_columns`, borrowed uniquely.
        unsafe { &mut *self.weight.data.cast() }
    }

    fn bias_array_mut(&mut self) -> &mut [T; OUT] {
        // SAFETY: as in `bias_array`, borrowed uniquely.
        unsafe { &mut *self.bias.data.cast() }
    }
}

#[test]
fn a_read_past_a_guarded_operand_faults() {
    // In a child process: the fault must end it with SIGSEGV, not pass unnoticed.
    if std::env::var_os("NN_GUARD_CHILD").is_some() {
        let guarded = Guarded::new(&[1.0f32; 10], Placement::End);
        let past = guarded.as_slice().as_ptr().wrapping_add(10);
        // SAFETY: none: this read is meant to fault.
        let value = unsafe { core::ptr::read_volatile(past) };
        panic!("read {value} past the operand without a fault");
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "compute::kernels::tests::guard::a_read_past_a_guarded_operand_faults",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("NN_GUARD_CHILD", "1")
        .output()
        .unwrap()
        .status;
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGSEGV), "{status:?}");
}
