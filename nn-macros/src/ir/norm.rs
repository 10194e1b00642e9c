//! The normalization layers: `LayerNorm` and `BatchNorm`, each with an optional width (checked
//! against the layer before), an optional activation applied after it, and named options
//! (`eps = 1e-3`, and `momentum = 0.01` for `BatchNorm`).

use proc_macro2::TokenStream;

use super::{Activation, Diagnostics, LayerKind, Size};
use crate::ast::{Argument, LayerDecl, Number};
use crate::names;

/// Which normalization.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NormKind {
    Layer,
    Batch,
}

impl NormKind {
    /// The layer's name in descriptions (`LayerNorm`).
    pub fn name(self) -> &'static str {
        match self {
            NormKind::Layer => "LayerNorm",
            NormKind::Batch => "BatchNorm",
        }
    }

    /// The prefix of its fields (`layernorm1`).
    pub fn field_prefix(self) -> &'static str {
        match self {
            NormKind::Layer => "layernorm",
            NormKind::Batch => "batchnorm",
        }
    }

    /// The number of tensors it holds: scale and shift, and for batch norm the running mean
    /// and variance.
    pub fn tensors(self) -> usize {
        self.tensor_names().len()
    }

    /// Its tensors in file order, each as the runtime's `TensorKind` variant and the field of the
    /// training type that holds it.
    pub fn tensor_names(self) -> &'static [(&'static str, &'static str)] {
        const ALL: [(&str, &str); 4] = [
            ("Scale", "scale"),
            ("Shift", "shift"),
            ("RunningMean", "running_mean"),
            ("RunningVariance", "running_variance"),
        ];
        match self {
            NormKind::Layer => &ALL[..2],
            NormKind::Batch => &ALL,
        }
    }
}

/// A normalization layer as declared.
pub struct Norm {
    pub kind: NormKind,
    /// The width written, if any; it must equal the previous layer's output width.
    pub width: Option<Size>,
    /// The tokens of the width as written, where its checks point.
    pub width_tokens: TokenStream,
    pub activation: Activation,
    pub epsilon: f64,
    pub momentum: f64,
}

/// Lowers `LayerNorm<…>` or `BatchNorm<…>`.
pub fn lower(decl: &LayerDecl, kind: NormKind, diagnostics: &mut Diagnostics) -> Option<LayerKind> {
    let layer = kind.name();
    let usage = match kind {
        NormKind::Layer => {
            "`LayerNorm` takes an optional width and an optional activation, then `eps = …`, as in `LayerNorm`, `LayerNorm<Relu>` or `LayerNorm<64, Gelu, eps = 1e-6>`"
        }
        NormKind::Batch => {
            "`BatchNorm` takes an optional width and an optional activation, then `eps = …` and `momentum = …`, as in `BatchNorm`, `BatchNorm<Relu>` or `BatchNorm<64, Relu, momentum = 0.01>`"
        }
    };
    let (positional, named): (Vec<&Argument>, Vec<&Argument>) = decl
        .args
        .iter()
        .partition(|argument| !matches!(argument, Argument::Named { .. }));
    let (width, activation) = match positional.as_slice() {
        [] => (None, None),
        [single] if is_width(single) => (Some(*single), None),
        [single] => (None, Some(*single)),
        [width, activation] => (Some(*width), Some(*activation)),
        _ => {
            diagnostics.error(&decl.tokens, usage);
            return None;
        }
    };
    let width_size = match width {
        Some(argument) => Some(Size::lower(argument, layer, diagnostics)?),
        None => None,
    };
    let activation = match activation {
        Some(argument) => Activation::lower(argument, diagnostics)?,
        None => Activation::identity(decl.tokens.clone()),
    };
    let (mut epsilon, mut momentum) = (1e-5, 0.1);
    let mut ok = true;
    for argument in named {
        let Argument::Named { name, value, .. } = argument else {
            continue;
        };
        let option = name.to_string();
        let slot = match (option.as_str(), kind) {
            ("eps", _) => &mut epsilon,
            ("momentum", NormKind::Batch) => &mut momentum,
            _ => {
                let expected = match kind {
                    NormKind::Layer => "`eps`",
                    NormKind::Batch => "`eps` or `momentum`",
                };
                diagnostics.error(
                    name,
                    format!("unknown `{layer}` option `{option}`, expected {expected}"),
                );
                ok = false;
                continue;
            }
        };
        let Argument::Number(number) = value.as_ref() else {
            diagnostics.error(
                value.tokens(),
                format!("`{option}` takes a number, found `{}`", value.text()),
            );
            ok = false;
            continue;
        };
        match check_option(&option, number) {
            Ok(value) => *slot = value,
            Err(message) => {
                diagnostics.error(number, message);
                ok = false;
            }
        }
    }
    ok.then(|| {
        LayerKind::Norm(Norm {
            kind,
            width: width_size,
            width_tokens: width.map(Argument::tokens).unwrap_or_default(),
            activation,
            epsilon,
            momentum,
        })
    })
}

/// Whether a lone argument is a width rather than an activation: a number, a braced
/// expression, or a path whose last name is in upper case, as constants are named.
fn is_width(argument: &Argument) -> bool {
    match argument {
        Argument::Number(_) | Argument::Block(_) => true,
        Argument::Name { path, args, .. } => {
            let last = path.segments.last().map(|s| s.ident.to_string());
            args.is_empty()
                && last.is_some_and(|name| {
                    !names::ACTIVATIONS.contains(&name.as_str())
                        && name
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                })
        }
        Argument::Named { .. } => false,
    }
}

fn check_option(option: &str, number: &Number) -> Result<f64, String> {
    let value = number.value().unwrap_or(f64::NAN);
    let (valid, rule) = match option {
        "eps" => (value.is_finite() && value > 0.0, "a finite number > 0"),
        _ => ((0.0..=1.0).contains(&value), "a number in [0, 1]"),
    };
    if valid {
        Ok(value)
    } else {
        Err(format!(
            "`{option}` must be {rule}, found `{}`",
            number.text()
        ))
    }
}
