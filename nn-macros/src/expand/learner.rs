//! The inline learner of a network (`XorLearner<R, BATCH>`): everything a training step needs
//! (batch buffers, gradients, the update rule's state) inline, so that a network learns on a
//! device with neither `std` nor a heap. Its step runs the same calls as the `Network` impl's, so
//! it computes the bits the trainer does.
//!
//! Generated for networks of dense layers only: dropout masks would need a random source, and
//! normalization layers buffers this learner does not hold.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::network_impl::{Roots, backward_step, forward_step};
use super::{Plan, StepKind, activation_type, activation_value, runtime};

pub fn expand(plan: &Plan) -> TokenStream {
    if plan
        .steps
        .iter()
        .any(|step| !matches!(step.kind, StepKind::Dense { .. }))
    {
        return TokenStream::new();
    }
    let rt = runtime();
    let network = plan.network;
    let (vis, name, frozen, t) = (&network.vis, &network.name, &plan.frozen, &plan.scalar);
    let learner = format_ident!("{}Learner", name);
    let (inputs, outputs) = (&plan.inputs.generic, &plan.outputs.generic);
    let (input_len, output_len) = (&plan.inputs.expr, &plan.outputs.expr);
    let last_field = &plan.last().field;
    let output_activation = plan.output_activation();
    let output_type = activation_type(output_activation);
    let output_value = activation_value(output_activation);

    let buffer_fields = plan.dense_steps().map(|(step, activation)| {
        let (field, outputs) = (&step.field, &step.outputs.generic);
        // A user's activation says whether it needs them only through a constant, which a
        // generic parameter's array length cannot use: its layers keep room for them.
        let kept = match activation.needs_inputs() {
            Some(false) => quote!(0),
            _ => quote!(BATCH),
        };
        quote!(#field: #rt::InlineBuffers<#t, #outputs, BATCH, #kept>)
    });
    let buffer_fields: Vec<TokenStream> = buffer_fields.collect();
    let buffer_values = plan.dense_steps().map(|(step, _)| {
        let field = &step.field;
        quote!(#field: #rt::InlineBuffers::filled(0.0))
    });
    let roots = Roots {
        params: quote!(network),
        workspace: quote!(self),
        gradients: quote!(self.gradients),
    };
    let forward = plan
        .steps
        .iter()
        .map(|step| forward_step(&roots, step, &step.train_source, true));
    let backward = plan
        .steps
        .iter()
        .rev()
        .map(|step| backward_step(&roots, step, step.field == *last_field, None));
    let updates = plan.dense_steps().map(|(step, _)| {
        let field = &step.field;
        quote! {
            #rt::InlineRule::update_inline(&self.rule,
                network.#field.weight.as_flattened_mut(),
                self.gradients.#field.weight.as_flattened(),
                [first.#field.weight.as_flattened_mut(), second.#field.weight.as_flattened_mut()],
            );
            #rt::InlineRule::update_inline(&self.rule,
                &mut network.#field.bias[..],
                &self.gradients.#field.bias[..],
                [&mut first.#field.bias[..], &mut second.#field.bias[..]],
            );
        }
    });

    let doc = format!(
        " What [`{frozen}`] needs to learn on a device, all inline: buffers for batches of up to `BATCH` samples, the gradients, and the update rule `R` ([`Sgd`](nn::Sgd) or [`Adam`](nn::Adam)) with two network-shaped buffers of its state. Needs neither `std` nor a heap; a `static` or a local holds it. A step computes the same bits as the trainer's on the same batch."
    );
    let step_doc = format!(
        " One training step on a batch of `inputs` and `targets` (1 to `BATCH` samples of {} and {} values): forward, `loss`, backward, update of `network`. Returns the batch-mean loss.\n\n A mismatched or oversized batch, an invalid hyperparameter or a loss that is NaN or infinite is an error, and leaves `network` as it was.",
        plan.inputs.text, plan.outputs.text
    );
    quote! {
        #[doc = #doc]
        #vis struct #learner<R, const BATCH: usize> {
            /// The update rule.
            pub rule: R,
            /// The gradients of the last step, laid out like the network.
            pub gradients: #frozen,
            state: [#frozen; 2],
            input: #rt::InlineBatch<#t, #inputs, BATCH>,
            target: #rt::InlineBatch<#t, #outputs, BATCH>,
            #(#buffer_fields,)*
        }

        impl<R: #rt::InlineRule, const BATCH: usize> #learner<R, BATCH> {
            /// A learner running `rule`, with its state and buffers zeroed: a `const fn`, so that
            /// a `static` can hold it.
            pub const fn new(rule: R) -> Self {
                Self {
                    rule,
                    gradients: #frozen::ZERO,
                    state: [#frozen::ZERO, #frozen::ZERO],
                    input: #rt::InlineBatch::filled(0.0),
                    target: #rt::InlineBatch::filled(0.0),
                    #(#buffer_values,)*
                }
            }

            #[doc = #step_doc]
            pub fn step<L: #rt::Loss<#output_type>>(
                &mut self,
                network: &mut #frozen,
                loss: &L,
                inputs: &[[#t; #input_len]],
                targets: &[[#t; #output_len]],
            ) -> ::core::result::Result<#t, #rt::LearnError> {
                #rt::check_learning_batch(inputs.len(), targets.len(), BATCH)?;
                #rt::InlineRule::check(&self.rule)?;
                self.input.load(inputs);
                self.target.load(targets);
                let input = &self.input;
                #(#forward)*
                let value = loss.loss_and_gradient(
                    &#output_value,
                    &self.#last_field.inputs,
                    &self.#last_field.output,
                    &self.target,
                    &mut self.#last_field.delta,
                );
                if !#rt::Float::is_finite_value(value) {
                    return ::core::result::Result::Err(#rt::LearnError::Diverged {
                        loss: #rt::Float::as_f64(value),
                    });
                }
                #(#backward)*
                #rt::InlineRule::start_step(&mut self.rule);
                let [first, second] = &mut self.state;
                #(#updates)*
                ::core::result::Result::Ok(value)
            }
        }
    }
}
