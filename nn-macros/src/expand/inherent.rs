//! The network's own API: sizes, construction, single-sample inference and the summary.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Plan, StepKind, n, runtime};
use crate::ir::ActivationKind;

pub fn expand(plan: &Plan) -> TokenStream {
    let rt = runtime();
    let name = &plan.network.name;
    let frozen = &plan.frozen;
    let shared = shared_items(plan);

    let initializers = plan.dense_steps().map(|(step, activation)| {
        let field = &step.field;
        let init = match activation {
            ActivationKind::Relu | ActivationKind::LeakyRelu { .. } => quote!(He),
            _ => quote!(Glorot),
        };
        quote!(#field: #rt::Dense::random(#rt::Initializer::#init, rng))
    });

    let freeze = plan.dense_steps().map(|(step, _)| {
        let field = &step.field;
        quote!(frozen.#field.copy_from(self.#field.weight.as_slice(), self.#field.bias.as_slice());)
    });
    quote! {
        impl #name {
            #shared

            /// A network with fresh random weights: He initialization before `Relu` and
            /// `LeakyRelu`, Xavier/Glorot otherwise, and zero biases.
            pub fn new<R: #rt::rand::Rng + ?Sized>(rng: &mut R) -> Self {
                Self {
                    #(#initializers,)*
                }
            }

            /// The same network frozen for inference, in a new box: the weights inline, the
            /// same `forward` to the bit. Move it into a `static` or keep it where it is.
            pub fn freeze(&self) -> #rt::Box<#frozen> {
                let mut frozen: #rt::Box<#frozen> = #rt::bytemuck::zeroed_box();
                self.freeze_into(&mut frozen);
                frozen
            }

            /// Copies the weights into an existing frozen network, allocating nothing.
            pub fn freeze_into(&self, frozen: &mut #frozen) {
                #(#freeze)*
            }
        }
    }
}

/// What the training type and the frozen type both have: sizes, `forward` and `summary`.
pub(super) fn shared_items(plan: &Plan) -> TokenStream {
    let rt = runtime();
    let name = &plan.network.name;
    let t = &plan.scalar;
    let (inputs, outputs, parameters) = (n(plan.inputs), n(plan.outputs), n(plan.parameters));
    let inference = inference_body(plan);
    // Spanned on the declared input width, so a wrong-width call points back at `Input<N>`.
    let input_bound = super::respan(
        quote!(V: #rt::InputVector<#t, N> + #rt::InputWidth<N, #inputs>,),
        plan.network.input_span(),
    );
    let rows = summary_rows(plan);
    let name_text = name.to_string();
    let scalar_text = t.to_string();
    let forward_doc = format!(
        " Runs one sample of {i} values (an `SVector<{t}, {i}>` or a `[{t}; {i}]`) through the network, dropout off. Allocates nothing.",
        i = plan.inputs
    );
    quote! {
        /// The number of inputs.
        pub const INPUTS: usize = #inputs;
        /// The number of outputs.
        pub const OUTPUTS: usize = #outputs;
        /// The number of trainable parameters (weights and biases).
        pub const PARAMETERS: usize = #parameters;

        #[doc = #forward_doc]
        #[inline]
        pub fn forward<V, const N: usize>(&self, input: &V) -> #rt::nalgebra::SVector<#t, #outputs>
        where
            #input_bound
        {
            let input = <V as #rt::InputWidth<N, #inputs>>::fit(input.as_array());
            self.forward_array(input)
        }

        fn forward_array(&self, input: &[#t; #inputs]) -> #rt::nalgebra::SVector<#t, #outputs> {
            #inference
        }

        /// A Keras-like table of the layers, their output shapes and parameter counts.
        pub fn summary() -> #rt::Summary {
            #rt::Summary {
                name: #name_text,
                scalar: #scalar_text,
                rows: &[#(#rows),*],
            }
        }
    }
}

/// Straight-line inference on arrays: each dense layer into a stack array, dropout skipped.
fn inference_body(plan: &Plan) -> TokenStream {
    let rt = runtime();
    let t = &plan.scalar;
    let layers = plan.dense_steps().map(|(step, activation)| {
        let (field, outputs) = (&step.field, n(step.outputs));
        let source = match &step.inference_source {
            None => quote!(input),
            Some(previous) => quote!(&#previous),
        };
        let activation = super::activation_value(activation);
        quote! {
            let mut #field: [#t; #outputs] = [0.0; #outputs];
            #rt::kernels::dense_vector(&self.#field, #source, &mut #field);
            #rt::activate_array(&#activation, &mut #field);
        }
    });
    let last = &plan.last().field;
    quote! {
        #(#layers)*
        #rt::nalgebra::SVector::from(#last)
    }
}

/// One `SummaryRow` per layer, the input first.
fn summary_rows(plan: &Plan) -> Vec<TokenStream> {
    let rt = runtime();
    let row = |name: &str, kind: &str, outputs: usize, parameters: usize| {
        let (outputs, parameters) = (n(outputs), n(parameters));
        quote!(#rt::SummaryRow { name: #name, kind: #kind, outputs: #outputs, parameters: #parameters })
    };
    let mut rows = vec![row("input", "Input", plan.inputs, 0)];
    for step in &plan.steps {
        let (kind, parameters) = match step.kind {
            StepKind::Dense { activation } => {
                let kind = match activation {
                    ActivationKind::LeakyRelu { slope } => format!("Dense, LeakyRelu {slope}"),
                    other => format!("Dense, {}", other.name()),
                };
                (kind, step.inputs * step.outputs + step.outputs)
            }
            StepKind::Dropout { rate } => (format!("Dropout {rate}"), 0),
        };
        rows.push(row(
            &step.field.to_string(),
            &kind,
            step.outputs,
            parameters,
        ));
    }
    rows
}
