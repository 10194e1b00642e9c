//! The lowered description: names resolved, numbers read, spans kept. Lowering reports every
//! unknown name and malformed argument it meets; `check` then validates the structure.

mod activation;
mod init;
mod norm;
mod size;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Attribute, Ident, Visibility};

pub use activation::{Activation, ActivationKind};
pub use init::{InitKind, Initializers};
pub use norm::{Norm, NormKind};
pub use size::Size;

use crate::ast::{Argument, LayerDecl, NetworkDecl};
use crate::names;

/// A network description with every name resolved.
pub struct Network {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub scalar: Scalar,
    pub layers: Vec<Layer>,
    /// The widths written as constants or const expressions, each given a name of its own
    /// (`__NET_DENSE1`) through which the generated code uses it.
    pub named_widths: Vec<NamedWidth>,
}

/// A width the compiler evaluates, under the hidden constant the generated code reads.
pub struct NamedWidth {
    /// The hidden constant's name.
    pub alias: Ident,
    /// The width as written, as a value expression (a path, or a braced expression's contents).
    pub value: TokenStream,
}

/// The element type.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    F32,
    F64,
}

/// One layer, with the tokens diagnostics point at.
pub struct Layer {
    pub kind: LayerKind,
    /// The layer's name token (`Dense`).
    pub name: Ident,
    /// The layer's size or rate tokens, where it has one.
    pub value_tokens: TokenStream,
}

pub enum LayerKind {
    Input {
        size: Size,
    },
    Dense {
        units: Size,
        activation: Activation,
        init: Initializers,
    },
    Dropout {
        rate: f64,
        written: String,
    },
    Norm(Norm),
}

/// Collects diagnostics so that every problem is reported at once.
#[derive(Default)]
pub struct Diagnostics(Option<syn::Error>);

impl Diagnostics {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn error(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn into_result(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Lowers one declaration, reporting unknown names and malformed arguments into `diagnostics`.
/// Returns `None` when some layer could not be understood.
pub fn lower(decl: NetworkDecl, diagnostics: &mut Diagnostics) -> Option<Network> {
    let scalar = match decl.scalar.as_ref().map(Ident::to_string).as_deref() {
        None | Some("f32") => Some(Scalar::F32),
        Some("f64") => Some(Scalar::F64),
        Some(other) => {
            diagnostics.error(
                &decl.scalar,
                format!(
                    "unsupported element type `{other}`, expected {}",
                    names::listed(names::SCALARS)
                ),
            );
            None
        }
    };
    let layers: Vec<Option<Layer>> = decl
        .layers
        .iter()
        .map(|layer| lower_layer(layer, diagnostics))
        .collect();
    let mut layers = layers.into_iter().collect::<Option<Vec<_>>>()?;
    let named_widths = alias_named_widths(&decl.name, &mut layers);
    Some(Network {
        attrs: decl.attrs,
        vis: decl.vis,
        name: decl.name,
        scalar: scalar?,
        layers,
        named_widths,
    })
}

/// Replaces every width written as a constant or expression by a hidden constant of its own,
/// defined once from the width as written: generated generic parameters and locals then never
/// capture the user's names, and a name not in scope or of the wrong type is one error at it.
fn alias_named_widths(network: &Ident, layers: &mut [Layer]) -> Vec<NamedWidth> {
    let prefix = network.to_string().to_uppercase();
    let mut dense = 0;
    let mut widths = Vec::new();
    for layer in layers {
        let (size, field) = match &mut layer.kind {
            LayerKind::Input { size } => (size, "INPUTS".to_string()),
            LayerKind::Dense { units, .. } => {
                dense += 1;
                (units, format!("DENSE{dense}"))
            }
            _ => continue,
        };
        if size.value.is_some() {
            continue;
        }
        let alias = quote::format_ident!("__{prefix}_{field}", span = network.span());
        widths.push(NamedWidth {
            alias: alias.clone(),
            value: size.value_tokens(),
        });
        size.alias(&alias);
    }
    widths
}

fn lower_layer(decl: &LayerDecl, diagnostics: &mut Diagnostics) -> Option<Layer> {
    let name = decl.name.to_string();
    let (kind, value_tokens) = match name.as_str() {
        "Input" => {
            let usage = format!(
                "`Input` takes one size, as in `Input<64>`, `Input<FEATURES>` or `Input<{{ 2 * FEATURES }}>`{}",
                found(&decl.args)
            );
            let [argument] = decl.args.as_slice() else {
                diagnostics.error(&decl.tokens, usage);
                return None;
            };
            let size = Size::lower(argument, "Input", diagnostics)?;
            (LayerKind::Input { size }, argument.tokens())
        }
        "Dense" => lower_dense(decl, diagnostics)?,
        "LayerNorm" | "BatchNorm" => {
            let kind = if name == "LayerNorm" {
                NormKind::Layer
            } else {
                NormKind::Batch
            };
            let tokens = decl.tokens.clone();
            (norm::lower(decl, kind, diagnostics)?, tokens)
        }
        "Dropout" => {
            let usage = "`Dropout` takes one rate, as in `Dropout<0.2>`";
            let [Argument::Number(number)] = decl.args.as_slice() else {
                diagnostics.error(&decl.tokens, usage);
                return None;
            };
            let rate = number.value()?;
            let written = number.text();
            (
                LayerKind::Dropout { rate, written },
                number.to_token_stream(),
            )
        }
        other => {
            diagnostics.error(&decl.name, names::unknown("layer", other, names::LAYERS));
            return None;
        }
    };
    Some(Layer {
        kind,
        name: decl.name.clone(),
        value_tokens,
    })
}

/// `, found `…`` for a usage message, naming what was written.
fn found(args: &[Argument]) -> String {
    if args.is_empty() {
        String::new()
    } else {
        let written: Vec<String> = args.iter().map(Argument::text).collect();
        format!(", found `<{}>`", written.join(", "))
    }
}

fn lower_dense(
    decl: &LayerDecl,
    diagnostics: &mut Diagnostics,
) -> Option<(LayerKind, TokenStream)> {
    let usage = "`Dense` takes a size, then optionally an activation and initializers, as in `Dense<32>`, `Dense<HIDDEN, Relu>` or `Dense<32, Gelu, init = HeNormal, bias = Constant<0.1>>`; a size is a whole number, a `const` of type `usize` (`HIDDEN`) or a braced const expression (`{ 2 * HIDDEN }`)";
    let (positional, named): (Vec<&Argument>, Vec<&Argument>) = decl
        .args
        .iter()
        .partition(|argument| !matches!(argument, Argument::Named { .. }));
    let (size, activation) = match positional.as_slice() {
        [size] => (*size, None),
        [size, activation] => (*size, Some(*activation)),
        _ => {
            diagnostics.error(&decl.tokens, format!("{usage}{}", found(&decl.args)));
            return None;
        }
    };
    if let Some(name) = size.ident().filter(|name| activation::is_builtin(name)) {
        diagnostics.error(
            size.tokens(),
            format!("`Dense` takes its size first, found the activation `{name}`; {usage}"),
        );
        return None;
    }
    let units = Size::lower(size, "Dense", diagnostics);
    let activation = match activation {
        None => Some(Activation::identity(decl.tokens.clone())),
        Some(argument) => Activation::lower(argument, diagnostics),
    };
    let init = Initializers::lower(&named, diagnostics);
    Some((
        LayerKind::Dense {
            units: units?,
            activation: activation?,
            init: init?,
        },
        size.tokens(),
    ))
}

impl Layer {
    /// The width this layer outputs, given the width it receives.
    pub fn outputs(&self, inputs: &Size) -> Size {
        match &self.kind {
            LayerKind::Input { size } => size.clone(),
            LayerKind::Dense { units, .. } => units.clone(),
            LayerKind::Dropout { .. } | LayerKind::Norm(_) => inputs.clone(),
        }
    }
}

impl Network {
    /// The width of the input layer (valid once checked).
    pub fn inputs(&self) -> Size {
        match self.layers.first().map(|layer| &layer.kind) {
            Some(LayerKind::Input { size }) => size.clone(),
            _ => Size::known(0),
        }
    }

    /// The span of the input width as written, where generated input checks point.
    pub fn input_span(&self) -> proc_macro2::Span {
        self.layers[0]
            .value_tokens
            .clone()
            .into_iter()
            .next()
            .map_or_else(|| self.name.span(), |token| token.span())
    }

    /// The width of the network's output (valid once checked).
    pub fn outputs(&self) -> Size {
        self.layers
            .iter()
            .fold(Size::known(0), |width, layer| layer.outputs(&width))
    }
}
