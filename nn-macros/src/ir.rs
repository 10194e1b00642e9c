//! The lowered description: names resolved, numbers read, spans kept. Lowering reports every
//! unknown name and malformed argument it meets; `check` then validates the structure.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Attribute, Ident, Visibility};

use crate::ast::{Argument, LayerDecl, NetworkDecl, Number};
use crate::names;

/// A network description with every name resolved.
pub struct Network {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub scalar: Scalar,
    pub layers: Vec<Layer>,
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
    Input { size: u64 },
    Dense { units: u64, activation: Activation },
    Dropout { rate: f64, written: String },
}

/// An activation with the tokens that named it (the layer's tokens for the implicit identity).
pub struct Activation {
    pub kind: ActivationKind,
    pub tokens: TokenStream,
}

#[derive(Clone, Copy, PartialEq)]
pub enum ActivationKind {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu { slope: f64 },
    Softmax,
}

impl ActivationKind {
    pub fn name(self) -> &'static str {
        match self {
            ActivationKind::Identity => "Identity",
            ActivationKind::Sigmoid => "Sigmoid",
            ActivationKind::Tanh => "Tanh",
            ActivationKind::Relu => "Relu",
            ActivationKind::LeakyRelu { .. } => "LeakyRelu",
            ActivationKind::Softmax => "Softmax",
        }
    }
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
    let layers = layers.into_iter().collect::<Option<Vec<_>>>()?;
    Some(Network {
        attrs: decl.attrs,
        vis: decl.vis,
        name: decl.name,
        scalar: scalar?,
        layers,
    })
}

fn lower_layer(decl: &LayerDecl, diagnostics: &mut Diagnostics) -> Option<Layer> {
    let name = decl.name.to_string();
    let (kind, value_tokens) = match name.as_str() {
        "Input" => {
            let number = single_number(
                decl,
                "`Input` takes one size, as in `Input<64>`",
                diagnostics,
            )?;
            let size = whole(number, "Input", diagnostics)?;
            (LayerKind::Input { size }, number.to_token_stream())
        }
        "Dense" => lower_dense(decl, diagnostics)?,
        "Dropout" => {
            let usage = "`Dropout` takes one rate, as in `Dropout<0.2>`";
            let number = single_number(decl, usage, diagnostics)?;
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

fn lower_dense(
    decl: &LayerDecl,
    diagnostics: &mut Diagnostics,
) -> Option<(LayerKind, TokenStream)> {
    let usage =
        "`Dense` takes a size and an optional activation, as in `Dense<32>` or `Dense<32, Relu>`";
    let (size, activation) = match decl.args.as_slice() {
        [Argument::Number(size)] => (size, None),
        [Argument::Number(size), activation @ Argument::Name { .. }] => (size, Some(activation)),
        _ => {
            diagnostics.error(&decl.tokens, usage);
            return None;
        }
    };
    let units = whole(size, "Dense", diagnostics);
    let activation = match activation {
        None => Some(Activation {
            kind: ActivationKind::Identity,
            tokens: decl.tokens.clone(),
        }),
        Some(argument) => lower_activation(argument, diagnostics),
    };
    Some((
        LayerKind::Dense {
            units: units?,
            activation: activation?,
        },
        size.to_token_stream(),
    ))
}

fn lower_activation(argument: &Argument, diagnostics: &mut Diagnostics) -> Option<Activation> {
    let Argument::Name { name, args, tokens } = argument else {
        return None;
    };
    let text = name.to_string();
    let kind = match (text.as_str(), args.as_slice()) {
        ("Identity", []) => ActivationKind::Identity,
        ("Sigmoid", []) => ActivationKind::Sigmoid,
        ("Tanh", []) => ActivationKind::Tanh,
        ("Relu", []) => ActivationKind::Relu,
        ("Softmax", []) => ActivationKind::Softmax,
        ("LeakyRelu", []) => ActivationKind::LeakyRelu { slope: 0.01 },
        ("LeakyRelu", [slope]) => {
            let value = slope.value().filter(|v| v.is_finite() && *v >= 0.0);
            if value.is_none() {
                diagnostics.error(
                    slope,
                    format!(
                        "`LeakyRelu` slope must be a finite number >= 0, found `{}`",
                        slope.text()
                    ),
                );
            }
            ActivationKind::LeakyRelu { slope: value? }
        }
        ("LeakyRelu", _) => {
            diagnostics.error(
                tokens,
                "`LeakyRelu` takes at most one slope, as in `LeakyRelu<0.2>`",
            );
            return None;
        }
        (known, _) if names::ACTIVATIONS.contains(&known) => {
            diagnostics.error(tokens, format!("`{known}` takes no parameter"));
            return None;
        }
        (other, _) => {
            diagnostics.error(
                name,
                names::unknown("activation", other, names::ACTIVATIONS),
            );
            return None;
        }
    };
    Some(Activation {
        kind,
        tokens: tokens.clone(),
    })
}

/// The layer's only argument, which must be a number.
fn single_number<'a>(
    decl: &'a LayerDecl,
    usage: &str,
    diagnostics: &mut Diagnostics,
) -> Option<&'a Number> {
    match decl.args.as_slice() {
        [Argument::Number(number)] => Some(number),
        _ => {
            diagnostics.error(&decl.tokens, usage);
            None
        }
    }
}

/// A layer size: a non-negative whole number (zero is reported by `check`, which names the rule).
fn whole(number: &Number, layer: &str, diagnostics: &mut Diagnostics) -> Option<u64> {
    let value = number.whole();
    if value.is_none() {
        diagnostics.error(
            number,
            format!(
                "`{layer}` size must be a whole number, found `{}`",
                number.text()
            ),
        );
    }
    value
}

impl Layer {
    /// The width this layer outputs, given the width it receives.
    pub fn outputs(&self, inputs: u64) -> u64 {
        match self.kind {
            LayerKind::Input { size } => size,
            LayerKind::Dense { units, .. } => units,
            LayerKind::Dropout { .. } => inputs,
        }
    }
}

impl Network {
    /// The width of the input layer (valid once checked).
    pub fn inputs(&self) -> u64 {
        match self.layers.first().map(|layer| &layer.kind) {
            Some(LayerKind::Input { size }) => *size,
            _ => 0,
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
    pub fn outputs(&self) -> u64 {
        self.layers
            .iter()
            .fold(0, |width, layer| layer.outputs(width))
    }
}
