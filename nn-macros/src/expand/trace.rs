//! The `Network` impl's `for_each_layer_trace`: each layer's buffers after a training pass,
//! handed out one layer at a time, with what the pass does not keep computed again.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::frozen::layer_activation;
use super::{Plan, Step, StepKind, runtime};
use crate::ir::{ActivationKind, NormKind};

/// The method, one block per layer in order.
pub fn expand(plan: &Plan) -> TokenStream {
    let rt = runtime();
    let (t, workspace) = (&plan.scalar, &plan.workspace);
    let inputs = &plan.inputs.generic;
    let layers = plan
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| layer(step, plan.steps.get(index + 1)));
    quote! {
        fn for_each_layer_trace(
            &self,
            input: &#rt::BatchMatrix<#t, #inputs>,
            workspace: &#workspace,
            mut f: impl FnMut(#rt::LayerTrace<'_, #t>),
        ) {
            #(#layers)*
        }
    }
}

/// One layer's block: the values to compute again, then the call to `f`.
fn layer(step: &Step, next: Option<&Step>) -> TokenStream {
    let rt = runtime();
    let field = &step.field;
    let source = match &step.train_source {
        None => quote!(input),
        Some(previous) => quote!(&workspace.#previous.output),
    };
    let name = field.to_string();
    let description = &step.description;
    let (inputs, width) = (&step.inputs.generic, &step.outputs.generic);
    let buffers = quote!(workspace.#field);
    let (kind, function) = match &step.kind {
        StepKind::Dense { activation, .. } => (quote!(Dense), Some(activation)),
        StepKind::Dropout { rate } => {
            let rate = proc_macro2::Literal::f64_suffixed(*rate);
            (quote!(Dropout { rate: #rate }), None)
        }
        StepKind::Norm {
            kind: NormKind::Layer,
            activation,
            ..
        } => (quote!(LayerNorm), Some(activation)),
        StepKind::Norm {
            kind: NormKind::Batch,
            activation,
            ..
        } => (quote!(BatchNorm), Some(activation)),
    };
    let function = match function {
        Some(activation) => {
            let value = layer_activation(activation);
            quote!(Some(#value))
        }
        None => quote!(None),
    };
    let (compute_pre_activation, pre_activation) = pre_activation(step, &source);
    let (normalized, mask) = match step.kind {
        StepKind::Norm { .. } => (quote!(Some(#buffers.normalized.as_slice())), quote!(None)),
        StepKind::Dropout { .. } => (quote!(None), quote!(Some(#buffers.mask.as_slice()))),
        StepKind::Dense { .. } => (quote!(None), quote!(None)),
    };
    // The layer gets a gradient from the loss (the last layer) or from the next layer, if that
    // one passes its gradient back (it does unless no layer before it has parameters).
    let (compute_output_gradient, output_gradient, delta) = match next {
        None => (
            quote!(),
            quote!(None),
            quote!(Some(#buffers.delta.as_slice())),
        ),
        Some(next) if next.needs_input_gradient => (
            gradient_through(next),
            quote!(Some(output_gradient.as_slice())),
            quote!(Some(#buffers.delta.as_slice())),
        ),
        Some(_) => (quote!(), quote!(None), quote!(None)),
    };
    quote! {
        {
            #compute_pre_activation
            #compute_output_gradient
            f(#rt::LayerTrace {
                name: #name,
                description: #description,
                kind: #rt::TraceKind::#kind,
                function: #function,
                inputs: #inputs,
                width: #width,
                pre_activation: #pre_activation,
                normalized: #normalized,
                mask: #mask,
                activation: #buffers.output.as_slice(),
                output_gradient: #output_gradient,
                delta: #delta,
            });
        }
    }
}

/// The statement that computes the values before the layer's activation again (none when the
/// activation is the identity, whose outputs they are) and the field's value.
fn pre_activation(step: &Step, source: &TokenStream) -> (TokenStream, TokenStream) {
    let rt = runtime();
    let field = &step.field;
    let (activation, compute) = match &step.kind {
        StepKind::Dropout { .. } => return (quote!(), quote!(None)),
        StepKind::Dense { activation, .. } => (
            activation,
            quote!(#rt::viz::dense_pre_activation(&self.#field, #source)),
        ),
        StepKind::Norm {
            kind,
            activation,
            epsilon,
            ..
        } => {
            let epsilon = proc_macro2::Literal::f64_suffixed(*epsilon);
            let function = match kind {
                NormKind::Layer => quote!(layer_norm_pre_activation),
                NormKind::Batch => quote!(batch_norm_pre_activation),
            };
            (
                activation,
                quote!(#rt::viz::#function(&self.#field, #epsilon, #source)),
            )
        }
    };
    if *activation == ActivationKind::Identity {
        (quote!(), quote!(Some(workspace.#field.output.as_slice())))
    } else {
        (
            quote!(let pre_activation = #compute;),
            quote!(Some(pre_activation.as_slice())),
        )
    }
}

/// The statement that computes `output_gradient`, the gradient `next` passed back, again from
/// `next`'s `δ`.
fn gradient_through(next: &Step) -> TokenStream {
    let rt = runtime();
    let field: &Ident = &next.field;
    let buffers = quote!(workspace.#field);
    let compute = match &next.kind {
        StepKind::Dense { .. } => {
            quote!(#rt::viz::gradient_through_dense(&self.#field, &#buffers.delta))
        }
        StepKind::Dropout { .. } => {
            quote!(#rt::viz::gradient_through_dropout(&#buffers.mask, &#buffers.delta))
        }
        StepKind::Norm { kind, .. } => {
            let function = match kind {
                NormKind::Layer => quote!(gradient_through_layer_norm),
                NormKind::Batch => quote!(gradient_through_batch_norm),
            };
            quote! {
                #rt::viz::#function(
                    &self.#field,
                    &#buffers.normalized,
                    &#buffers.inverse_deviations,
                    &#buffers.delta,
                )
            }
        }
    };
    quote!(let output_gradient = #compute;)
}
