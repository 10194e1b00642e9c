//! The check of a width the `network!` macro cannot evaluate itself (a named constant or a
//! const expression), run by the compiler while it evaluates a generated constant.

/// Panics with `message` unless `width` is at least 1. Called in a generated constant, the
/// panic is a compile error at the width as written.
#[track_caller]
pub const fn check_width(width: usize, message: &'static str) {
    if width == 0 {
        panic!("{}", message);
    }
}

/// Panics with `message` unless `width` (written on a normalization layer) is `expected` (the
/// previous layer's output width). Called in a generated constant, the panic is a compile error
/// at the width as written.
#[track_caller]
pub const fn check_same_width(width: usize, expected: usize, message: &'static str) {
    if width != expected {
        panic!("{}", message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_zero_width_panics() {
        check_width(1, "unused");
        let zero =
            std::panic::catch_unwind(|| check_width(0, "`Dense` size `N` must be at least 1"));
        let message = *zero.unwrap_err().downcast::<String>().unwrap();
        assert_eq!(message, "`Dense` size `N` must be at least 1");
    }
}
