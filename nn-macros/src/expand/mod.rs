//! Code generation for a checked network. Infallible: every rule was enforced by `check`.
//!
//! The generated code names runtime items only through `::nn::__private`, and runs each layer as
//! one straight-line call: no loops over layers, no trait objects.

mod frozen;
mod inherent;
mod learner;
mod network_impl;
mod tensors;
mod types;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::check::parameter_count;
use crate::ir::{ActivationKind, LayerKind, Network, Scalar};

/// The path through which generated code reaches the runtime.
fn runtime() -> TokenStream {
    quote!(::nn::__private)
}

/// A network laid out for code generation: sizes resolved, fields named, buffers wired.
struct Plan<'a> {
    network: &'a Network,
    scalar: TokenStream,
    inputs: usize,
    outputs: usize,
    parameters: usize,
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
    inputs: usize,
    outputs: usize,
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
    Dense { activation: ActivationKind },
    Dropout { rate: f64 },
}

impl<'a> Plan<'a> {
    fn new(network: &'a Network) -> Self {
        let mut steps = Vec::new();
        let (mut dense_count, mut dropout_count) = (0usize, 0usize);
        let mut width = network.inputs() as usize;
        let mut train_source: Option<Ident> = None;
        let mut inference_source: Option<Ident> = None;
        let mut seen_dense = false;
        for layer in &network.layers[1..] {
            let (field, kind, description) = match &layer.kind {
                LayerKind::Dense { units, activation } => {
                    dense_count += 1;
                    let description = match activation.kind {
                        ActivationKind::Identity => format!("Dense<{units}>"),
                        ActivationKind::LeakyRelu { slope } => {
                            format!("Dense<{units}, LeakyRelu<{slope}>>")
                        }
                        kind => format!("Dense<{units}, {}>", kind.name()),
                    };
                    let kind = StepKind::Dense {
                        activation: activation.kind,
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
                LayerKind::Input { .. } => unreachable!("checked: `Input` comes first only"),
            };
            let outputs = layer.outputs(width as u64) as usize;
            let is_dense = matches!(kind, StepKind::Dense { .. });
            steps.push(Step {
                field: field.clone(),
                kind,
                inputs: width,
                outputs,
                train_source: train_source.clone(),
                inference_source: inference_source.clone(),
                needs_input_gradient: seen_dense,
                description,
            });
            train_source = Some(field.clone());
            if is_dense {
                inference_source = Some(field);
                seen_dense = true;
            }
            width = outputs;
        }
        let name = &network.name;
        Self {
            network,
            scalar: match network.scalar {
                Scalar::F32 => quote!(f32),
                Scalar::F64 => quote!(f64),
            },
            inputs: network.inputs() as usize,
            outputs: network.outputs() as usize,
            parameters: parameter_count(network).expect("checked: the parameter count fits"),
            gradients: format_ident!("{}Gradients", name),
            workspace: format_ident!("{}Workspace", name),
            frozen: format_ident!("{}Frozen", name),
            steps,
        }
    }

    fn dense_steps(&self) -> impl Iterator<Item = (&Step, ActivationKind)> {
        self.steps.iter().filter_map(|step| match step.kind {
            StepKind::Dense { activation } => Some((step, activation)),
            StepKind::Dropout { .. } => None,
        })
    }

    fn last(&self) -> &Step {
        self.steps
            .last()
            .expect("checked: a network has a dense layer")
    }

    /// The output layer's activation.
    fn output_activation(&self) -> ActivationKind {
        match self.last().kind {
            StepKind::Dense { activation } => activation,
            StepKind::Dropout { .. } => unreachable!("checked: the last layer is dense"),
        }
    }

    /// One public field per dense layer, documented with its description and widths, of the type
    /// `layer(outputs, inputs)` gives.
    fn dense_fields(&self, layer: impl Fn(Literal, Literal) -> TokenStream) -> Vec<TokenStream> {
        self.dense_steps()
            .map(|(step, _)| {
                let field = &step.field;
                let ty = layer(n(step.outputs), n(step.inputs));
                let doc = format!(
                    " `{}`: width {} → {}.",
                    step.description, step.inputs, step.outputs
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
        let mut text = format!("Input<{}>", self.inputs);
        for step in &self.steps {
            text.push_str(" -> ");
            text.push_str(&step.description);
        }
        text
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

/// A size as an unsuffixed literal, so generated code reads `Dense<f32, 32, 64>`.
fn n(value: usize) -> Literal {
    Literal::usize_unsuffixed(value)
}

/// The runtime value of an activation: `::nn::__private::Relu`.
fn activation_value(kind: ActivationKind) -> TokenStream {
    let rt = runtime();
    match kind {
        ActivationKind::LeakyRelu { slope } => {
            let slope = Literal::f64_suffixed(slope);
            quote!(#rt::LeakyRelu { slope: #slope })
        }
        other => {
            let name = format_ident!("{}", other.name());
            quote!(#rt::#name)
        }
    }
}

/// The runtime type of an activation: `::nn::__private::Relu`.
fn activation_type(kind: ActivationKind) -> TokenStream {
    let rt = runtime();
    let name = format_ident!("{}", kind.name());
    quote!(#rt::#name)
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
    quote! {
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
