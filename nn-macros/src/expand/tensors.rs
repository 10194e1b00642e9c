//! The runtime's `Tensors` trait for the network and its gradients: every weight and bias as a
//! flat slice, in layer order.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{Plan, runtime};

pub fn expand(plan: &Plan) -> TokenStream {
    let network = implement(plan, &plan.network.name, ["as_slice", "as_mut_slice"]);
    let gradients = implement(plan, &plan.gradients, ["as_slice", "as_mut_slice"]);
    quote!(#network #gradients)
}

/// `Tensors` for `ty`, whose layers' weights give their flat slices through the two methods named
/// (`as_slice` and `as_mut_slice` for nalgebra matrices, `as_flattened` and `as_flattened_mut`
/// for nested arrays).
pub(super) fn implement(plan: &Plan, ty: &Ident, weight_slices: [&str; 2]) -> TokenStream {
    let rt = runtime();
    let (t, parameters) = (&plan.scalar, super::n(plan.parameters));
    let [weight_slice, weight_slice_mut] = weight_slices.map(|name| quote::format_ident!("{name}"));
    let fields: Vec<&Ident> = plan.dense_steps().map(|(step, _)| &step.field).collect();
    quote! {
        impl #rt::Tensors<#t> for #ty {
            const LEN: usize = #parameters;

            fn for_each_tensor(&self, mut f: impl FnMut(#rt::TensorKind, &[#t])) {
                #(
                    f(#rt::TensorKind::Weight, self.#fields.weight.#weight_slice());
                    f(#rt::TensorKind::Bias, self.#fields.bias.as_slice());
                )*
            }

            fn for_each_tensor_mut(&mut self, mut f: impl FnMut(#rt::TensorKind, &mut [#t])) {
                #(
                    f(#rt::TensorKind::Weight, self.#fields.weight.#weight_slice_mut());
                    f(#rt::TensorKind::Bias, self.#fields.bias.as_mut_slice());
                )*
            }
        }
    }
}
