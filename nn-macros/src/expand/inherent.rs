//! The network's own API: sizes, construction, single-sample inference and the summary.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Plan, StepKind, runtime};
use crate::ir::{ActivationKind, InitKind, NormKind, Size};

/// The runtime's value of an initializer: `::nn::__private::Initializer::HeNormal`.
fn initializer(kind: InitKind) -> TokenStream {
    let rt = runtime();
    match kind {
        InitKind::Constant(value) => {
            let value = proc_macro2::Literal::f64_suffixed(value);
            quote!(#rt::Initializer::Constant(#value))
        }
        other => {
            let name = quote::format_ident!("{}", other.name());
            quote!(#rt::Initializer::#name)
        }
    }
}

pub fn expand(plan: &Plan) -> TokenStream {
    let rt = runtime();
    let name = &plan.network.name;
    let frozen = &plan.frozen;
    let shared = shared_items(plan);

    let initializers = plan.parameter_steps().map(|step| {
        let field = &step.field;
        let (init, activation) = match &step.kind {
            StepKind::Dense { init, activation } => (init, activation),
            StepKind::Norm {
                kind: NormKind::Batch,
                ..
            } => return quote!(#field: #rt::BatchNorm::new()),
            _ => return quote!(#field: #rt::LayerNorm::new()),
        };
        let default = if activation.is_rectifier() {
            InitKind::HeUniform
        } else {
            InitKind::GlorotUniform
        };
        let weight = initializer(init.weight.unwrap_or(default));
        let bias = initializer(init.bias.unwrap_or(InitKind::Zeros));
        quote!(#field: #rt::Dense::random(#weight, #bias, rng))
    });

    let freeze = plan.parameter_steps().map(|step| {
        let field = &step.field;
        match step.kind {
            StepKind::Norm { kind, .. } => {
                let copies = kind.tensor_names().iter().enumerate().map(|(index, (_, name))| {
                    let tensor = quote::format_ident!("{name}");
                    quote!(frozen.#field.copy_tensor(#index, self.#field.#tensor.as_slice());)
                });
                quote!(#(#copies)*)
            }
            _ => quote!(frozen.#field.copy_from(self.#field.weight.as_slice(), self.#field.bias.as_slice());),
        }
    });
    quote! {
        impl #name {
            #shared

            /// A network with fresh random weights, drawn by each layer's initializers: by
            /// default He uniform before `Relu` and `LeakyRelu`, Glorot (Xavier) uniform
            /// otherwise, and zero biases; normalization layers start as PyTorch's (`γ = 1`,
            /// `β = 0`, running mean 0 and variance 1).
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
    let (inputs, outputs, parameters) = (
        &plan.inputs.generic,
        &plan.outputs.generic,
        &plan.parameters.expr,
    );
    let (input_len, output_len) = (&plan.inputs.expr, &plan.outputs.expr);
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
        i = plan.inputs.text
    );
    quote! {
        /// The number of inputs.
        pub const INPUTS: usize = #input_len;
        /// The number of outputs.
        pub const OUTPUTS: usize = #output_len;
        /// The number of trainable parameters (weights, biases, scales and shifts).
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

        fn forward_array(&self, input: &[#t; #input_len]) -> #rt::nalgebra::SVector<#t, #outputs> {
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
    let layers = plan.parameter_steps().map(|step| {
        let (field, outputs) = (&step.field, &step.outputs.expr);
        let source = match &step.inference_source {
            None => quote!(input),
            Some(previous) => quote!(&#previous),
        };
        let layer = match step.kind {
            StepKind::Norm { kind, epsilon, .. } => {
                let function = match kind {
                    NormKind::Layer => quote!(layer_norm_vector),
                    NormKind::Batch => quote!(batch_norm_vector),
                };
                let epsilon = proc_macro2::Literal::f64_suffixed(epsilon);
                quote!(#rt::#function(&self.#field, #epsilon, #source, &mut #field);)
            }
            _ => quote!(#rt::kernels::dense_vector(&self.#field, #source, &mut #field);),
        };
        let activation = step.kind.activation().expect("a layer with parameters");
        let activate = (*activation != ActivationKind::Identity).then(|| {
            let activation = super::activation_value(activation);
            quote!(#rt::activate_array(&#activation, &mut #field);)
        });
        quote! {
            let mut #field: [#t; #outputs] = [0.0; #outputs];
            #layer
            #activate
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
    let row = |name: &str,
               kind: &str,
               activation: TokenStream,
               outputs: &Size,
               step: Option<&super::Step>| {
        let (trainable, fixed) = step.map_or((Size::known(0), Size::known(0)), |step| {
            (step.trainable(), step.non_trainable())
        });
        let (outputs, parameters, fixed) = (&outputs.expr, &trainable.expr, &fixed.expr);
        quote!(#rt::SummaryRow { name: #name, kind: #kind, activation: #activation, outputs: #outputs, parameters: #parameters, non_trainable: #fixed })
    };
    let mut rows = vec![row("input", "Input", quote!(""), &plan.inputs, None)];
    for step in &plan.steps {
        let (kind, activation) = match &step.kind {
            StepKind::Dense { activation, .. } => {
                ("Dense".to_string(), activation_words(activation))
            }
            StepKind::Norm {
                kind,
                activation: ActivationKind::Identity,
                ..
            } => (kind.name().to_string(), quote!("")),
            StepKind::Norm {
                kind, activation, ..
            } => (kind.name().to_string(), activation_words(activation)),
            StepKind::Dropout { rate } => (format!("Dropout {rate}"), quote!("")),
        };
        let name = step.field.to_string();
        rows.push(row(&name, &kind, activation, &step.outputs, Some(step)));
    }
    rows
}

/// An activation as the summary prints it: `"Relu"`, `"LeakyRelu 0.2"`, a user type's `NAME`.
fn activation_words(activation: &ActivationKind) -> TokenStream {
    let text = match activation {
        ActivationKind::LeakyRelu { slope } => format!("LeakyRelu {slope}"),
        ActivationKind::Elu { alpha } => format!("Elu {alpha}"),
        ActivationKind::Custom(path) => {
            let rt = runtime();
            return quote!(<#path as #rt::Activation>::NAME);
        }
        other => other.name(),
    };
    quote!(#text)
}
