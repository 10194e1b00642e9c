//! The runtime's `Tensors` trait for the network and its gradients: every weight and bias as a
//! flat slice, in layer order.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{Plan, runtime};

pub fn expand(plan: &Plan) -> TokenStream {
    let network = implement(plan, &plan.network.name);
    let gradients = implement(plan, &plan.gradients);
    quote!(#network #gradients)
}

fn implement(plan: &Plan, ty: &Ident) -> TokenStream {
    let rt = runtime();
    let (t, parameters) = (&plan.scalar, super::n(plan.parameters));
    let fields: Vec<&Ident> = plan.dense_steps().map(|(step, _)| &step.field).collect();
    quote! {
        impl #rt::Tensors<#t> for #ty {
            const LEN: usize = #parameters;

            fn for_each_tensor(&self, mut f: impl FnMut(#rt::TensorKind, &[#t])) {
                #(
                    f(#rt::TensorKind::Weight, self.#fields.weight.as_slice());
                    f(#rt::TensorKind::Bias, self.#fields.bias.as_slice());
                )*
            }

            fn for_each_tensor_mut(&mut self, mut f: impl FnMut(#rt::TensorKind, &mut [#t])) {
                #(
                    f(#rt::TensorKind::Weight, self.#fields.weight.as_mut_slice());
                    f(#rt::TensorKind::Bias, self.#fields.bias.as_mut_slice());
                )*
            }
        }
    }
}
