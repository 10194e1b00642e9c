//! The names a description may use, and the nearest-name suggestion for typos.

/// Layer names, in the order they are listed in diagnostics.
pub const LAYERS: &[&str] = &["Input", "Dense", "Dropout", "LayerNorm", "BatchNorm"];

/// Activation names, in the order they are listed in diagnostics.
pub const ACTIVATIONS: &[&str] = &[
    "Identity",
    "Sigmoid",
    "Tanh",
    "Relu",
    "LeakyRelu",
    "Softmax",
    "Gelu",
    "GeluTanh",
    "Silu",
    "Elu",
    "Softplus",
    "HardTanh",
];

/// Element type names.
pub const SCALARS: &[&str] = &["f32", "f64"];

/// The known name closest to `unknown`, if it is close enough to be a likely typo.
pub fn nearest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let lowered = unknown.to_lowercase();
    known
        .iter()
        .map(|&name| {
            (
                strsim::damerau_levenshtein(&lowered, &name.to_lowercase()),
                name,
            )
        })
        .filter(|&(distance, name)| distance <= (name.len() / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name)
}

/// "`A`, `B` or `C`"
pub fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// "unknown activation `Rleu`, did you mean `Relu`?" or, without a close name, the full list.
pub fn unknown(what: &str, found: &str, known: &[&str]) -> String {
    match nearest(found, known) {
        Some(name) => format!(
            "unknown {what} `{found}`, did you mean `{name}`? expected one of {}",
            listed(known)
        ),
        None => format!(
            "unknown {what} `{found}`, expected one of {}",
            listed(known)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_the_nearest_name() {
        assert_eq!(nearest("Rleu", ACTIVATIONS), Some("Relu"));
        assert_eq!(nearest("relu", ACTIVATIONS), Some("Relu"));
        assert_eq!(nearest("Dens", LAYERS), Some("Dense"));
        assert_eq!(nearest("LeakyReLU", ACTIVATIONS), Some("LeakyRelu"));
        assert_eq!(nearest("Conv2d", LAYERS), None);
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(listed(&["f32", "f64"]), "`f32` or `f64`");
        assert_eq!(listed(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
