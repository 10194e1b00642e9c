//! Code generation for a checked network. Infallible: every rule was enforced by `check`.
//!
//! The generated code names runtime items only through `::nn::__private`, and runs each layer as
//! one straight-line call: no loops over layers, no trait objects.

mod frozen;
mod inherent;
mod learner;
mod network_impl;
mod tensors;
mod trace;
mod types;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{ActivationKind, Initializers, LayerKind, Network, Norm, NormKind, Scalar, Size};

/// The path through which generated code reaches the runtime.
fn runtime() -> TokenStream {
    quote!(::nn::__private)
}

/// A network laid out for code generation: sizes resolved, fields named, buffers wired.
struct Plan<'a> {
    network: &'a Network,
    scalar: TokenStream,
    inputs: Size,
    outputs: Size,
    /// The number of trainable parameters.
    parameters: Size,
    /// The number of values a model file holds: the parameters and the running statistics.
    values: Size,
    gradients: Ident,
    workspace: Ident,
    /// The frozen, inference-only type (`DigitsFrozen`).
    frozen: Ident,
    /// Every layer after `Input`, in order.
    steps: Vec<Step>,
}

struct Step {
    /// The field of this layer in the network, its gradients and its workspace (`dense1`).
    field: Ident,
    kind: StepKind,
    inputs: Size,
    outputs: Size,
    /// The workspace buffer this layer reads in training (`None`: the batch input).
    train_source: Option<Ident>,
    /// The workspace buffer this layer reads in inference, where dropout is skipped.
    inference_source: Option<Ident>,
    /// Whether any layer before this one has parameters, so its input gradient is needed.
    needs_input_gradient: bool,
    /// The description of the layer, for docs and the summary (`Dense<32, Relu>`).
    description: String,
}

enum StepKind {
    Dense {
        activation: ActivationKind,
        init: Initializers,
    },
    Dropout {
        rate: f64,
    },
    Norm {
        kind: NormKind,
        activation: ActivationKind,
        epsilon: f64,
        momentum: f64,
    },
}

impl StepKind {
    /// The activation applied after the layer, for layers with parameters.
    fn activation(&self) -> Option<&ActivationKind> {
        match self {
            StepKind::Dense { activation, .. } | StepKind::Norm { activation, .. } => {
                Some(activation)
            }
            StepKind::Dropout { .. } => None,
        }
    }
}

impl<'a> Plan<'a> {
    fn new(network: &'a Network) -> Self {
        let mut steps = Vec::new();
        let (mut dense_count, mut dropout_count) = (0usize, 0usize);
        let mut norm_counts = [0usize; 2];
        let mut width = network.inputs();
        let mut train_source: Option<Ident> = None;
        let mut inference_source: Option<Ident> = None;
        let mut seen_parameters = false;
        for layer in &network.layers[1..] {
            let (field, kind, description) = match &layer.kind {
                LayerKind::Dense {
                    units,
                    activation,
                    init,
                } => {
                    dense_count += 1;
                    let description = dense_description(&units.text, &activation.kind, init);
                    let kind = StepKind::Dense {
                        activation: activation.kind.clone(),
                        init: *init,
                    };
                    (format_ident!("dense{}", dense_count), kind, description)
                }
                LayerKind::Dropout { rate, .. } => {
                    dropout_count += 1;
                    let kind = StepKind::Dropout { rate: *rate };
                    (
                        format_ident!("dropout{}", dropout_count),
                        kind,
                        format!("Dropout<{rate}>"),
                    )
                }
                LayerKind::Norm(norm) => {
                    let count = &mut norm_counts[usize::from(norm.kind == NormKind::Batch)];
                    *count += 1;
                    let field = format_ident!("{}{}", norm.kind.field_prefix(), count);
                    let kind = StepKind::Norm {
                        kind: norm.kind,
                        activation: norm.activation.kind.clone(),
                        epsilon: norm.epsilon,
                        momentum: norm.momentum,
                    };
                    (field, kind, norm_description(norm))
                }
                LayerKind::Input { .. } => unreachable!("checked: `Input` comes first only"),
            };
            let outputs = layer.outputs(&width);
            let has_parameters = kind.activation().is_some();
            steps.push(Step {
                field: field.clone(),
                kind,
                inputs: width.clone(),
                outputs: outputs.clone(),
                train_source: train_source.clone(),
                inference_source: inference_source.clone(),
                needs_input_gradient: seen_parameters,
                description,
            });
            train_source = Some(field.clone());
            if has_parameters {
                inference_source = Some(field);
                seen_parameters = true;
            }
            width = outputs;
        }
        let name = &network.name;
        let parameters = steps
            .iter()
            .fold(Size::known(0), |total, step| total.plus(&step.trainable()));
        let values = steps.iter().fold(Size::known(0), |total, step| {
            total.plus(&step.trainable().plus(&step.non_trainable()))
        });
        Self {
            network,
            scalar: match network.scalar {
                Scalar::F32 => quote!(f32),
                Scalar::F64 => quote!(f64),
            },
            inputs: network.inputs(),
            outputs: network.outputs(),
            parameters,
            values,
            gradients: format_ident!("{}Gradients", name),
            workspace: format_ident!("{}Workspace", name),
            frozen: format_ident!("{}Frozen", name),
            steps,
        }
    }

    fn dense_steps(&self) -> impl Iterator<Item = (&Step, &ActivationKind)> {
        self.steps.iter().filter_map(|step| match &step.kind {
            StepKind::Dense { activation, .. } => Some((step, activation)),
            _ => None,
        })
    }

    /// The layers with parameters (dense and normalization), in order.
    fn parameter_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .filter(|step| step.kind.activation().is_some())
    }

    /// Whether any layer normalizes by batch statistics.
    fn has_batch_norm(&self) -> bool {
        self.steps.iter().any(|step| {
            matches!(
                step.kind,
                StepKind::Norm {
                    kind: NormKind::Batch,
                    ..
                }
            )
        })
    }

    fn last(&self) -> &Step {
        self.steps
            .last()
            .expect("checked: a network has a dense layer")
    }

    /// The output layer's activation.
    fn output_activation(&self) -> &ActivationKind {
        match &self.last().kind {
            StepKind::Dense { activation, .. } => activation,
            _ => unreachable!("checked: the last layer is dense"),
        }
    }

    /// One public field per layer with parameters, documented with its description and widths,
    /// of the type `layer(step)` gives.
    fn parameter_fields(&self, layer: impl Fn(&Step) -> TokenStream) -> Vec<TokenStream> {
        self.parameter_steps()
            .map(|step| {
                let field = &step.field;
                let ty = layer(step);
                let doc = format!(
                    " `{}`: width {} → {}.",
                    step.description, step.inputs.text, step.outputs.text
                );
                quote! {
                    #[doc = #doc]
                    pub #field: #ty
                }
            })
            .collect()
    }

    /// The description as declared, for docs: `Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>`.
    fn description(&self) -> String {
        let mut text = format!("Input<{}>", self.inputs.text);
        for step in &self.steps {
            text.push_str(" -> ");
            text.push_str(&step.description);
        }
        text
    }
}

impl Step {
    /// The number of trainable parameters of the layer.
    fn trainable(&self) -> Size {
        match &self.kind {
            StepKind::Dense { .. } => self.outputs.times(&self.inputs).plus(&self.outputs),
            StepKind::Norm { .. } => Size::known(2).times(&self.outputs),
            StepKind::Dropout { .. } => Size::known(0),
        }
    }

    /// The number of values the layer holds that the optimizer does not train.
    fn non_trainable(&self) -> Size {
        match &self.kind {
            StepKind::Norm {
                kind: NormKind::Batch,
                ..
            } => Size::known(2).times(&self.outputs),
            _ => Size::known(0),
        }
    }
}

/// `BatchNorm<Relu, momentum = 0.01>`: the layer as a description writes it.
fn norm_description(norm: &Norm) -> String {
    let mut args = Vec::new();
    if let Some(width) = &norm.width {
        args.push(width.text.clone());
    }
    if norm.activation.kind != ActivationKind::Identity {
        args.push(norm.activation.kind.described());
    }
    if norm.epsilon != 1e-5 {
        args.push(format!("eps = {}", norm.epsilon));
    }
    if norm.momentum != 0.1 {
        args.push(format!("momentum = {}", norm.momentum));
    }
    let name = norm.kind.name();
    if args.is_empty() {
        name.to_string()
    } else {
        format!("{name}<{}>", args.join(", "))
    }
}

/// `tokens` with every span set to `span`, so that compiler errors about them point there.
fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = inner.into();
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// `Dense<32, Relu, init = HeNormal>`: the layer as a description writes it.
fn dense_description(units: &str, activation: &ActivationKind, init: &Initializers) -> String {
    let mut text = format!("Dense<{units}");
    if *activation != ActivationKind::Identity || init.weight.is_some() || init.bias.is_some() {
        text.push_str(&format!(", {}", activation.described()));
    }
    if let Some(weight) = init.weight {
        text.push_str(&format!(", init = {}", weight.described()));
    }
    if let Some(bias) = init.bias {
        text.push_str(&format!(", bias = {}", bias.described()));
    }
    text.push('>');
    text
}

/// The runtime value of an activation: `::nn::__private::Relu`, or the user type's default
/// value. A user's type is named in type positions only, so that a name not in scope is one
/// error, not one per use.
fn activation_value(kind: &ActivationKind) -> TokenStream {
    let rt = runtime();
    match kind {
        ActivationKind::LeakyRelu { slope } => {
            let slope = Literal::f64_suffixed(*slope);
            quote!(#rt::LeakyRelu { slope: #slope })
        }
        ActivationKind::Elu { alpha } => {
            let alpha = Literal::f64_suffixed(*alpha);
            quote!(#rt::Elu { alpha: #alpha })
        }
        ActivationKind::Custom(path) => quote!(<#path as ::core::default::Default>::default()),
        other => {
            let name = format_ident!("{}", other.name());
            quote!(#rt::#name)
        }
    }
}

/// The runtime type of an activation: `::nn::__private::Relu`, or the user's type.
fn activation_type(kind: &ActivationKind) -> TokenStream {
    let rt = runtime();
    match kind {
        ActivationKind::Custom(path) => quote!(#path),
        other => {
            let name = format_ident!("{}", other.name());
            quote!(#rt::#name)
        }
    }
}

/// Whether a layer with this activation keeps its pre-activations while training, as a
/// constant expression.
fn needs_inputs(kind: &ActivationKind) -> TokenStream {
    match kind.needs_inputs() {
        Some(known) => quote!(#known),
        None => {
            let (rt, ty) = (runtime(), activation_type(kind));
            quote!(<#ty as #rt::Activation>::NEEDS_INPUTS)
        }
    }
}

/// Everything generated for one network: the frozen type in every build, the heap-backed
/// training type where the facade has its `train` feature.
pub fn expand(network: &Network) -> TokenStream {
    let plan = Plan::new(network);
    let rt = runtime();
    let frozen = frozen::expand(&plan);
    let types = types::expand(&plan);
    let inherent = inherent::expand(&plan);
    let network_impl = network_impl::expand(&plan);
    let tensors = tensors::expand(&plan);
    let learner = learner::expand(&plan);
    let widths = network.named_widths.iter().map(|width| {
        let (alias, value) = (&width.alias, &width.value);
        quote! {
            #[doc(hidden)]
            const #alias: usize = #value;
        }
    });
    quote! {
        #(#widths)*
        #frozen
        #rt::learn_only! {
            #learner
        }
        #rt::train_only! {
            #types
            #inherent
            #network_impl
            #tensors
        }
    }
}

/// A placeholder for a network whose description has errors, so that code using it reports
/// the description's errors rather than a cascade of unknown names.
pub fn stub(network_name: &Ident, vis: &syn::Visibility) -> TokenStream {
    quote! {
        #[allow(dead_code)]
        #vis struct #network_name;
    }
}
