//! The runtime's `Tensors` trait for the network and its gradients: every weight and bias as a
//! flat slice, in layer order.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{Plan, runtime};

pub fn expand(plan: &Plan) -> TokenStream {
    let network = implement(plan, &plan.network.name, Storage::Heap);
    let gradients = implement(plan, &plan.gradients, Storage::Heap);
    quote!(#network #gradients)
}

/// How a type holds its layers' tensors.
#[derive(Clone, Copy)]
pub(super) enum Storage {
    /// nalgebra matrices in boxes: flat slices through `as_slice` and `as_mut_slice`.
    Heap,
    /// Nested arrays inline: flat slices through `as_flattened` and indexing. (Indexing rather
    /// than `as_slice`, whose lookup on an array whose length has an error reports an unrelated
    /// unstable method.)
    Inline,
}

/// `Tensors` for `ty`, whose layers hold their tensors as `storage` says.
pub(super) fn implement(plan: &Plan, ty: &Ident, storage: Storage) -> TokenStream {
    let rt = runtime();
    let (t, parameters) = (&plan.scalar, &plan.parameters.expr);
    let fields: Vec<&Ident> = plan.dense_steps().map(|(step, _)| &step.field).collect();
    let (weight, weight_mut, bias, bias_mut) = match storage {
        Storage::Heap => (
            quote!(weight.as_slice()),
            quote!(weight.as_mut_slice()),
            quote!(bias.as_slice()),
            quote!(bias.as_mut_slice()),
        ),
        Storage::Inline => (
            quote!(weight.as_flattened()),
            quote!(weight.as_flattened_mut()),
            quote!(bias[..]),
            quote!(bias[..]),
        ),
    };
    let (borrow, borrow_mut) = match storage {
        Storage::Heap => (quote!(), quote!()),
        Storage::Inline => (quote!(&), quote!(&mut)),
    };
    quote! {
        impl #rt::Tensors<#t> for #ty {
            const LEN: usize = #parameters;

            fn for_each_tensor(&self, mut f: impl FnMut(#rt::TensorKind, &[#t])) {
                #(
                    f(#rt::TensorKind::Weight, self.#fields.#weight);
                    f(#rt::TensorKind::Bias, #borrow self.#fields.#bias);
                )*
            }

            fn for_each_tensor_mut(&mut self, mut f: impl FnMut(#rt::TensorKind, &mut [#t])) {
                #(
                    f(#rt::TensorKind::Weight, self.#fields.#weight_mut);
                    f(#rt::TensorKind::Bias, #borrow_mut self.#fields.#bias_mut);
                )*
            }
        }
    }
}
