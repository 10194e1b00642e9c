//! The runtime's `Tensors` trait for the network and its gradients: every weight and bias as a
//! flat slice, in layer order.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{Plan, Step, StepKind, runtime};

pub fn expand(plan: &Plan) -> TokenStream {
    let network = implement(plan, &plan.network.name, Storage::Heap);
    let gradients = implement(plan, &plan.gradients, Storage::Gradients);
    quote!(#network #gradients)
}

/// How a type holds its layers' tensors.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Storage {
    /// The training network: nalgebra matrices and vectors, flat through `as_slice` and
    /// `as_mut_slice`; every tensor, running statistics included.
    Heap,
    /// The gradients: as `Heap`, the trainable tensors only.
    Gradients,
    /// The frozen network: nested arrays inline, flat through `as_flattened` and indexing.
    /// (Indexing rather than `as_slice`, whose lookup on an array whose length has an error
    /// reports an unrelated unstable method.)
    Inline,
}

/// `Tensors` for `ty`, whose layers hold their tensors as `storage` says.
pub(super) fn implement(plan: &Plan, ty: &Ident, storage: Storage) -> TokenStream {
    let rt = runtime();
    let t = &plan.scalar;
    let len = match storage {
        Storage::Gradients => &plan.parameters.expr,
        _ => &plan.values.expr,
    };
    let visit = |mutable: bool| -> Vec<TokenStream> {
        plan.parameter_steps()
            .flat_map(|step| tensors(step, storage, mutable))
            .collect()
    };
    let (visits, visits_mut) = (visit(false), visit(true));
    quote! {
        impl #rt::Tensors<#t> for #ty {
            const LEN: usize = #len;

            fn for_each_tensor(&self, mut f: impl FnMut(#rt::TensorKind, &[#t])) {
                #(#visits)*
            }

            fn for_each_tensor_mut(&mut self, mut f: impl FnMut(#rt::TensorKind, &mut [#t])) {
                #(#visits_mut)*
            }
        }
    }
}

/// The calls `f(kind, slice)` for each tensor of one layer.
fn tensors(step: &Step, storage: Storage, mutable: bool) -> Vec<TokenStream> {
    let rt = runtime();
    let field = &step.field;
    let borrow = if mutable { quote!(&mut) } else { quote!(&) };
    let (as_slice, as_flattened) = if mutable {
        (quote!(as_mut_slice), quote!(as_flattened_mut))
    } else {
        (quote!(as_slice), quote!(as_flattened))
    };
    match (&step.kind, storage) {
        (StepKind::Norm { kind, .. }, Storage::Inline) => kind
            .tensor_names()
            .iter()
            .enumerate()
            .map(|(index, (kind, _))| {
                let kind = format_ident!("{kind}");
                quote!(f(#rt::TensorKind::#kind, #borrow self.#field.tensors[#index][..]);)
            })
            .collect(),
        (StepKind::Norm { kind, .. }, _) => {
            // Gradients hold only the trained tensors, the scale and the shift.
            let tensors = match storage {
                Storage::Gradients => &kind.tensor_names()[..2],
                _ => kind.tensor_names(),
            };
            tensors
                .iter()
                .map(|(kind, name)| {
                    let (kind, name) = (format_ident!("{kind}"), format_ident!("{name}"));
                    quote!(f(#rt::TensorKind::#kind, self.#field.#name.#as_slice());)
                })
                .collect()
        }
        (_, Storage::Inline) => vec![
            quote!(f(#rt::TensorKind::Weight, self.#field.weight.#as_flattened());),
            quote!(f(#rt::TensorKind::Bias, #borrow self.#field.bias[..]);),
        ],
        _ => vec![
            quote!(f(#rt::TensorKind::Weight, self.#field.weight.#as_slice());),
            quote!(f(#rt::TensorKind::Bias, self.#field.bias.#as_slice());),
        ],
    }
}
