//! The runtime's `Network` trait: batched training forward, inference forward, loss gradient,
//! backward pass and parameter update, each as straight-line calls into the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Plan, Step, StepKind, activation_type, activation_value, needs_inputs, runtime};
use crate::ir::{ActivationKind, NormKind};

pub fn expand(plan: &Plan) -> TokenStream {
    let rt = runtime();
    let name = &plan.network.name;
    let (t, gradients, workspace) = (&plan.scalar, &plan.gradients, &plan.workspace);
    let (inputs, outputs) = (&plan.inputs.generic, &plan.outputs.generic);
    let name_text = name.to_string();
    let last_field = &plan.last().field;
    let output_activation = plan.output_activation();
    let output_type = activation_type(output_activation);
    let output_value = activation_value(output_activation);

    let epsilons = plan.parameter_steps().map(|step| match step.kind {
        StepKind::Norm { epsilon, .. } => proc_macro2::Literal::f64_suffixed(epsilon),
        _ => proc_macro2::Literal::f64_suffixed(0.0),
    });
    let buffers = plan.steps.iter().map(|step| {
        let field = &step.field;
        match &step.kind {
            StepKind::Dense { activation, .. } => {
                let keeps_inputs = needs_inputs(activation);
                quote!(#field: #rt::DenseBuffers::new(capacity, #keeps_inputs))
            }
            StepKind::Dropout { .. } => quote!(#field: #rt::DropoutBuffers::new(capacity)),
            StepKind::Norm { activation, .. } => {
                let keeps_inputs = needs_inputs(activation);
                quote!(#field: #rt::NormBuffers::new(capacity, #keeps_inputs))
            }
        }
    });
    let zero_layers = plan.parameter_steps().map(|step| {
        let field = &step.field;
        match &step.kind {
            StepKind::Norm {
                kind: NormKind::Batch,
                ..
            } => quote!(#field: #rt::BatchNorm::zeros()),
            StepKind::Norm { .. } => quote!(#field: #rt::LayerNorm::zeros()),
            _ => quote!(#field: #rt::Dense::zeros()),
        }
    });
    let zero_gradients: Vec<TokenStream> = plan
        .parameter_steps()
        .map(|step| {
            let field = &step.field;
            match &step.kind {
                StepKind::Norm { .. } => quote!(#field: #rt::LayerNorm::zeros()),
                _ => quote!(#field: #rt::Dense::zeros()),
            }
        })
        .collect();
    let resample = plan.steps.iter().filter_map(|step| match &step.kind {
        StepKind::Dropout { rate } => {
            let field = &step.field;
            let rate = proc_macro2::Literal::f64_unsuffixed(*rate);
            Some(quote!(#rt::resample_mask(#rate, &mut workspace.#field.mask, samples, rng);))
        }
        _ => None,
    });
    let roots = Roots::network();
    let forward_train = plan
        .steps
        .iter()
        .map(|step| forward_step(&roots, step, &step.train_source, true));
    let forward_batch = plan
        .parameter_steps()
        .map(|step| forward_step(&roots, step, &step.inference_source, false));
    let backward = plan
        .steps
        .iter()
        .rev()
        .map(|step| backward_step(&roots, step, step.field == *last_field, None));
    // Each parameter layer has two trained tensors, a dense layer's weights first.
    let backward_updating = plan.steps.iter().rev().map(|step| {
        let weights = plan
            .parameter_steps()
            .position(|layer| layer.field == step.field)
            .map(|layer| 2 * layer);
        backward_step(&roots, step, step.field == *last_field, weights)
    });
    let frozen = &plan.frozen;
    let updates = plan.parameter_steps().map(|step| {
        let field = &step.field;
        let [first, second] = match step.kind {
            StepKind::Norm { .. } => {
                [quote!(Scale), quote!(Shift)].map(|kind| quote!(#rt::TensorKind::#kind))
            }
            _ => [quote!(Weight), quote!(Bias)].map(|kind| quote!(#rt::TensorKind::#kind)),
        };
        let [a, b] = match step.kind {
            StepKind::Norm { .. } => [quote!(scale), quote!(shift)],
            _ => [quote!(weight), quote!(bias)],
        };
        quote! {
            f(#first, self.#field.#a.as_mut_slice(), gradients.#field.#a.as_mut_slice());
            f(#second, self.#field.#b.as_mut_slice(), gradients.#field.#b.as_mut_slice());
        }
    });
    let statistics = plan.steps.iter().filter_map(|step| match step.kind {
        StepKind::Norm {
            kind: NormKind::Batch,
            momentum,
            ..
        } => {
            let field = &step.field;
            let momentum = proc_macro2::Literal::f64_unsuffixed(momentum);
            Some(quote! {
                #rt::batch_norm_update_running(
                    &mut self.#field,
                    #momentum,
                    &workspace.#field.mean,
                    &workspace.#field.variance,
                    workspace.#field.output.columns(),
                );
            })
        }
        _ => None,
    });
    let trace = super::trace::expand(plan);
    let update_statistics = plan.has_batch_norm().then(|| {
        quote! {
            const BATCH_STATISTICS: bool = true;

            fn update_statistics(&mut self, workspace: &#workspace) {
                #(#statistics)*
            }
        }
    });

    quote! {
        impl #rt::Network<#inputs, #outputs> for #name {
            type Scalar = #t;
            type OutputActivation = #output_type;
            type Gradients = #gradients;
            type Workspace = #workspace;

            const NAME: &'static str = #name_text;
            const LAYERS: &'static [#rt::LayerShape] = #frozen::LAYERS;
            const ACTIVATIONS: &'static [#rt::LayerActivation] = #frozen::ACTIVATIONS;
            const NORM_EPSILONS: &'static [f64] = &[#(#epsilons),*];

            #[inline]
            fn forward(&self, input: &#rt::nalgebra::SVector<#t, #inputs>) -> #rt::nalgebra::SVector<#t, #outputs> {
                self.forward_array(&input.data.0[0])
            }

            fn workspace(capacity: usize) -> #workspace {
                #workspace {
                    #(#buffers,)*
                }
            }

            fn zeros() -> Self {
                Self {
                    #(#zero_layers,)*
                }
            }

            fn gradients() -> #gradients {
                #gradients {
                    #(#zero_gradients,)*
                }
            }

            #[allow(unused_variables)]
            fn resample_dropout<R: #rt::rand::Rng + ?Sized>(&self, workspace: &mut #workspace, samples: usize, rng: &mut R) {
                #(#resample)*
            }

            fn forward_train<'w>(
                &self,
                input: &#rt::BatchMatrix<#t, #inputs>,
                workspace: &'w mut #workspace,
            ) -> &'w #rt::BatchMatrix<#t, #outputs> {
                #(#forward_train)*
                &workspace.#last_field.output
            }

            fn forward_batch<'w>(
                &self,
                input: &#rt::BatchMatrix<#t, #inputs>,
                workspace: &'w mut #workspace,
            ) -> &'w #rt::BatchMatrix<#t, #outputs> {
                #(#forward_batch)*
                &workspace.#last_field.output
            }

            fn output_gradient<L: #rt::Loss<#output_type>>(
                &self,
                loss: &L,
                target: &#rt::BatchMatrix<#t, #outputs>,
                workspace: &mut #workspace,
            ) -> #t {
                let buffers = &mut workspace.#last_field;
                loss.loss_and_gradient(&#output_value, &buffers.inputs, &buffers.output, target, &mut buffers.delta)
            }

            fn weighted_output_gradient<L: #rt::Loss<#output_type>>(
                &self,
                loss: &L,
                target: &#rt::BatchMatrix<#t, #outputs>,
                weights: &[#t],
                workspace: &mut #workspace,
            ) -> #t {
                let buffers = &mut workspace.#last_field;
                #rt::loss::weighted_loss_and_gradient(loss, &#output_value, &buffers.inputs, &buffers.output, target, weights, &mut buffers.delta)
            }

            fn backward(
                &self,
                input: &#rt::BatchMatrix<#t, #inputs>,
                workspace: &mut #workspace,
                gradients: &mut #gradients,
            ) {
                #(#backward)*
            }

            fn backward_updating(
                &mut self,
                input: &#rt::BatchMatrix<#t, #inputs>,
                workspace: &mut #workspace,
                gradients: &mut #gradients,
                update: &mut impl #rt::FusedUpdate<#t>,
            ) {
                #(#backward_updating)*
            }

            fn update(&mut self, gradients: &mut #gradients, mut f: impl FnMut(#rt::TensorKind, &mut [#t], &mut [#t])) {
                #(#updates)*
            }

            #update_statistics

            #trace
        }
    }
}

/// Where generated training code finds the parameters, the layers' buffers and the gradients.
pub(super) struct Roots {
    /// The network's layers: `self` in the `Network` impl.
    pub params: TokenStream,
    /// The layers' buffers: `workspace`.
    pub workspace: TokenStream,
    /// The gradients: `gradients`.
    pub gradients: TokenStream,
}

impl Roots {
    /// The roots of the `Network` impl's methods.
    fn network() -> Self {
        Roots {
            params: quote!(self),
            workspace: quote!(workspace),
            gradients: quote!(gradients),
        }
    }
}

/// The buffer a layer reads: the batch input, or an earlier layer's output.
fn source(roots: &Roots, source: &Option<proc_macro2::Ident>) -> TokenStream {
    let workspace = &roots.workspace;
    match source {
        None => quote!(input),
        Some(field) => quote!(&#workspace.#field.output),
    }
}

/// One layer of a forward pass over a batch; when `training`, a layer whose activation's
/// derivative needs them keeps its pre-activations.
pub(super) fn forward_step(
    roots: &Roots,
    step: &Step,
    from: &Option<proc_macro2::Ident>,
    training: bool,
) -> TokenStream {
    let rt = runtime();
    let (params, workspace) = (&roots.params, &roots.workspace);
    let field = &step.field;
    let from = source(roots, from);
    match &step.kind {
        StepKind::Dense { activation, .. } => {
            let activate = activate(activation, &quote!(#workspace.#field), training);
            quote! {
                #rt::kernels::dense_forward(&#params.#field, #from, &mut #workspace.#field.output);
                #activate
            }
        }
        StepKind::Dropout { .. } => {
            let buffers = quote!(#workspace.#field);
            quote!(#rt::dropout_forward(#from, &#buffers.mask, &mut #buffers.output);)
        }
        StepKind::Norm {
            kind,
            activation,
            epsilon,
            ..
        } => {
            let buffers = quote!(#workspace.#field);
            let epsilon = proc_macro2::Literal::f64_suffixed(*epsilon);
            let normalize = match (kind, training) {
                (NormKind::Layer, true) => quote! {
                    #rt::layer_norm_forward_train(&#params.#field, #epsilon, #from, &mut #buffers.output, &mut #buffers.normalized, &mut #buffers.inverse_deviations);
                },
                (NormKind::Batch, true) => quote! {
                    #rt::batch_norm_forward_train(&#params.#field, #epsilon, #from, &mut #buffers.output, &mut #buffers.normalized, &mut #buffers.mean, &mut #buffers.variance, &mut #buffers.inverse_deviations);
                },
                (NormKind::Layer, false) => quote! {
                    #rt::layer_norm_forward(&#params.#field, #epsilon, #from, &mut #buffers.output);
                },
                (NormKind::Batch, false) => quote! {
                    #rt::batch_norm_forward(&#params.#field, #epsilon, #from, &mut #buffers.output);
                },
            };
            let activate = activate(activation, &buffers, training);
            quote!(#normalize #activate)
        }
    }
}

/// The activation of a layer's `output` buffer, in place; when `training` and the
/// activation's derivative needs them, keeping the values before it.
fn activate(activation: &ActivationKind, buffers: &TokenStream, training: bool) -> TokenStream {
    let rt = runtime();
    if *activation == ActivationKind::Identity {
        return quote!();
    }
    let value = activation_value(activation);
    if training && activation.needs_inputs() != Some(false) {
        quote!(#rt::activate_keeping_inputs(&#value, &mut #buffers.output, &mut #buffers.inputs);)
    } else {
        quote!(#rt::activate(&#value, &mut #buffers.output);)
    }
}

/// One layer of the backward pass. On entry the layer's `delta` holds `∂L/∂output` (for a dense
/// layer: `∂L/∂z`, the loss or the later layer having applied the activation's derivative).
///
/// With `fused_weights`, the trained-tensor number of a dense layer's weights, the step is that
/// of `backward_updating`: the input gradient first, from the weights before their update, then
/// the parameter gradient handing the weights to `update` (the fused update).
pub(super) fn backward_step(
    roots: &Roots,
    step: &Step,
    is_last: bool,
    fused_weights: Option<usize>,
) -> TokenStream {
    let rt = runtime();
    let (params, workspace, gradients) = (&roots.params, &roots.workspace, &roots.gradients);
    let field = &step.field;
    let from = source(roots, &step.train_source);
    // Where this layer's input gradient goes: the previous layer's delta.
    let upstream = step.train_source.as_ref();
    match &step.kind {
        StepKind::Dense { activation, .. } => {
            // The loss already gave the last layer `∂L/∂z`; hidden layers received `∂L/∂a`.
            let activation_gradient = if is_last || *activation == ActivationKind::Identity {
                quote!()
            } else {
                let activation = activation_value(activation);
                let buffers = quote!(#workspace.#field);
                quote! {
                    #rt::activation_backward(&#activation, &#buffers.inputs, &#buffers.output, &mut #buffers.delta);
                }
            };
            let parameter_gradient = quote! {
                #rt::kernels::dense_parameter_gradient(&mut #gradients.#field, #from, &#workspace.#field.delta);
            };
            let input_gradient = match upstream {
                Some(previous) if step.needs_input_gradient => quote! {
                    #rt::kernels::dense_input_gradient(&#params.#field, &#workspace.#field.delta, &mut #workspace.#previous.delta);
                },
                _ => quote!(),
            };
            match fused_weights {
                None => quote!(#activation_gradient #parameter_gradient #input_gradient),
                Some(tensor) => quote! {
                    #activation_gradient
                    #input_gradient
                    #rt::kernels::dense_parameter_gradient_updating(&mut #params.#field, &mut #gradients.#field, #from, &#workspace.#field.delta, update, #tensor);
                },
            }
        }
        StepKind::Dropout { .. } => match upstream {
            Some(previous) if step.needs_input_gradient => quote! {
                #rt::dropout_backward(&#workspace.#field.mask, &#workspace.#field.delta, &mut #workspace.#previous.delta);
            },
            _ => quote!(),
        },
        StepKind::Norm {
            kind, activation, ..
        } => {
            let buffers = quote!(#workspace.#field);
            // Never the last layer: the later layer gave `∂L/∂a`.
            let activation_gradient = if *activation == ActivationKind::Identity {
                quote!()
            } else {
                let activation = activation_value(activation);
                quote! {
                    #rt::activation_backward(&#activation, &#buffers.inputs, &#buffers.output, &mut #buffers.delta);
                }
            };
            let parameter_gradient = quote! {
                #rt::norm_parameter_gradient(&mut #gradients.#field, &#buffers.normalized, &#buffers.delta);
            };
            let input_gradient = match upstream {
                Some(previous) if step.needs_input_gradient => {
                    let function = match kind {
                        NormKind::Layer => quote!(layer_norm_input_gradient),
                        NormKind::Batch => quote!(batch_norm_input_gradient),
                    };
                    quote! {
                        #rt::#function(&#params.#field, &#buffers.normalized, &#buffers.inverse_deviations, &#buffers.delta, &mut #workspace.#previous.delta);
                    }
                }
                _ => quote!(),
            };
            quote!(#activation_gradient #parameter_gradient #input_gradient)
        }
    }
}
