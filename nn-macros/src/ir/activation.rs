//! Activations: the built-in names, with their parameters read and checked, and any other path,
//! which names a user's type implementing the runtime's `Activation` trait.

use proc_macro2::TokenStream;
use quote::ToTokens;

use super::Diagnostics;
use crate::ast::{Argument, Number, compact};
use crate::names;

/// An activation with the tokens that named it (the layer's tokens for the implicit identity).
#[derive(Clone)]
pub struct Activation {
    pub kind: ActivationKind,
    pub tokens: TokenStream,
}

#[derive(Clone, PartialEq)]
pub enum ActivationKind {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu {
        slope: f64,
    },
    Softmax,
    Gelu,
    GeluTanh,
    Silu,
    Elu {
        alpha: f64,
    },
    Softplus,
    HardTanh,
    /// A type of the user's, named by this path.
    Custom(syn::Path),
}

/// Whether `name` is a built-in activation.
pub fn is_builtin(name: &syn::Ident) -> bool {
    names::ACTIVATIONS.contains(&name.to_string().as_str())
}

impl ActivationKind {
    /// The name as written in a description (`LeakyRelu`, `my::Mish`).
    pub fn name(&self) -> String {
        match self {
            ActivationKind::Identity => "Identity".into(),
            ActivationKind::Sigmoid => "Sigmoid".into(),
            ActivationKind::Tanh => "Tanh".into(),
            ActivationKind::Relu => "Relu".into(),
            ActivationKind::LeakyRelu { .. } => "LeakyRelu".into(),
            ActivationKind::Softmax => "Softmax".into(),
            ActivationKind::Gelu => "Gelu".into(),
            ActivationKind::GeluTanh => "GeluTanh".into(),
            ActivationKind::Silu => "Silu".into(),
            ActivationKind::Elu { .. } => "Elu".into(),
            ActivationKind::Softplus => "Softplus".into(),
            ActivationKind::HardTanh => "HardTanh".into(),
            ActivationKind::Custom(path) => compact(&path.to_token_stream()),
        }
    }

    /// The activation as a description writes it: `LeakyRelu<0.2>`, `Elu<1.5>`, `Gelu`.
    pub fn described(&self) -> String {
        match self {
            ActivationKind::LeakyRelu { slope } => format!("LeakyRelu<{slope}>"),
            ActivationKind::Elu { alpha } => format!("Elu<{alpha}>"),
            other => other.name(),
        }
    }

    /// Whether the activation's derivative needs the pre-activations, so that a layer keeps
    /// them while learning; `None` for a user's type, which says so itself.
    pub fn needs_inputs(&self) -> Option<bool> {
        match self {
            ActivationKind::Gelu | ActivationKind::GeluTanh | ActivationKind::Silu => Some(true),
            ActivationKind::Custom(_) => None,
            _ => Some(false),
        }
    }

    /// Whether the activation is a rectifier, for which He initialization is the default.
    pub fn is_rectifier(&self) -> bool {
        matches!(
            self,
            ActivationKind::Relu | ActivationKind::LeakyRelu { .. }
        )
    }
}

impl Activation {
    /// The identity a `Dense` layer gets when no activation is written.
    pub fn identity(tokens: TokenStream) -> Self {
        Self {
            kind: ActivationKind::Identity,
            tokens,
        }
    }

    /// Reads the activation argument of a layer.
    pub fn lower(argument: &Argument, diagnostics: &mut Diagnostics) -> Option<Self> {
        let Argument::Name { path, args, tokens } = argument else {
            diagnostics.error(
                argument.tokens(),
                format!(
                    "expected an activation after the size, such as `Relu` or `LeakyRelu<0.2>`, or the path of a type implementing `nn::Activation`, found `{}`",
                    argument.text()
                ),
            );
            return None;
        };
        // A built-in name in other letter case is a typo, not a type of the user's (types are
        // written in CamelCase), whatever is imported.
        if let Some(name) = path.get_ident().filter(|name| !is_builtin(name)) {
            let written = name.to_string();
            if let Some(builtin) = names::ACTIVATIONS
                .iter()
                .find(|builtin| builtin.eq_ignore_ascii_case(&written))
            {
                diagnostics.error(
                    name,
                    format!("unknown activation `{written}`, did you mean `{builtin}`?"),
                );
                return None;
            }
        }
        let builtin = path.get_ident().filter(|name| is_builtin(name));
        let kind = match builtin {
            Some(name) => builtin_kind(&name.to_string(), args, tokens, diagnostics)?,
            None if args.is_empty() => ActivationKind::Custom(path.clone()),
            None => {
                diagnostics.error(
                    tokens,
                    format!(
                        "the activation `{}` takes no parameter here: a type of your own is named by its path alone, its parameters live in the type",
                        compact(&path.to_token_stream())
                    ),
                );
                return None;
            }
        };
        Some(Self {
            kind,
            tokens: tokens.clone(),
        })
    }
}

fn builtin_kind(
    name: &str,
    args: &[Number],
    tokens: &TokenStream,
    diagnostics: &mut Diagnostics,
) -> Option<ActivationKind> {
    let parameter = |default: f64,
                     usage: &str,
                     valid: fn(f64) -> bool,
                     rule: &str,
                     diagnostics: &mut Diagnostics| match args {
        [] => Some(default),
        [value] => {
            let checked = value.value().filter(|v| valid(*v));
            if checked.is_none() {
                diagnostics.error(value, format!("`{name}` {rule}, found `{}`", value.text()));
            }
            checked
        }
        _ => {
            diagnostics.error(tokens, usage);
            None
        }
    };
    let kind = match name {
        "LeakyRelu" => ActivationKind::LeakyRelu {
            slope: parameter(
                0.01,
                "`LeakyRelu` takes at most one slope, as in `LeakyRelu<0.2>`",
                |v| v.is_finite() && v >= 0.0,
                "slope must be a finite number >= 0",
                diagnostics,
            )?,
        },
        "Elu" => ActivationKind::Elu {
            alpha: parameter(
                1.0,
                "`Elu` takes at most one alpha, as in `Elu<1.0>`",
                |v| v.is_finite() && v > 0.0,
                "alpha must be a finite number > 0",
                diagnostics,
            )?,
        },
        known if !args.is_empty() => {
            diagnostics.error(tokens, format!("`{known}` takes no parameter"));
            return None;
        }
        "Identity" => ActivationKind::Identity,
        "Sigmoid" => ActivationKind::Sigmoid,
        "Tanh" => ActivationKind::Tanh,
        "Relu" => ActivationKind::Relu,
        "Softmax" => ActivationKind::Softmax,
        "Gelu" => ActivationKind::Gelu,
        "GeluTanh" => ActivationKind::GeluTanh,
        "Silu" => ActivationKind::Silu,
        "Softplus" => ActivationKind::Softplus,
        "HardTanh" => ActivationKind::HardTanh,
        other => unreachable!("`{other}` is listed in `names::ACTIVATIONS`"),
    };
    Some(kind)
}
