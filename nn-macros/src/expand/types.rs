//! The network struct, its gradient struct and its training workspace.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Plan, StepKind, runtime};
use crate::ir::NormKind;

pub fn expand(plan: &Plan) -> TokenStream {
    let rt = runtime();
    let network = plan.network;
    let (attrs, vis, name) = (&network.attrs, &network.vis, &network.name);
    let (t, gradients, workspace) = (&plan.scalar, &plan.gradients, &plan.workspace);
    let architecture = format!(" `{}`", plan.description());
    let serde_crate = quote!(::nn::__private::serde).to_string().replace(' ', "");

    let parameters = plan.parameter_fields(|step| {
        let (outputs, inputs) = (&step.outputs.generic, &step.inputs.generic);
        match &step.kind {
            StepKind::Norm {
                kind: NormKind::Batch,
                ..
            } => quote!(#rt::BatchNorm<#t, #outputs>),
            StepKind::Norm { .. } => quote!(#rt::LayerNorm<#t, #outputs>),
            _ => quote!(#rt::Dense<#t, #outputs, #inputs>),
        }
    });
    // Running statistics have no gradient: both normalizations' gradients are a scale and a
    // shift.
    let gradient_fields = plan.parameter_fields(|step| {
        let (outputs, inputs) = (&step.outputs.generic, &step.inputs.generic);
        match &step.kind {
            StepKind::Norm { .. } => quote!(#rt::LayerNorm<#t, #outputs>),
            _ => quote!(#rt::Dense<#t, #outputs, #inputs>),
        }
    });

    let buffers = plan.steps.iter().map(|step| {
        let (field, outputs) = (&step.field, &step.outputs.generic);
        let doc = format!(" Buffers of `{}`.", step.description);
        let ty = match step.kind {
            StepKind::Dense { .. } => quote!(#rt::DenseBuffers<#t, #outputs>),
            StepKind::Dropout { .. } => quote!(#rt::DropoutBuffers<#t, #outputs>),
            StepKind::Norm { .. } => quote!(#rt::NormBuffers<#t, #outputs>),
        };
        quote! {
            #[doc = #doc]
            pub #field: #ty
        }
    });

    let gradients_doc =
        format!(" The gradients of every parameter of [`{name}`], laid out like it.");
    let workspace_doc = format!(" The training buffers of [`{name}`] for a fixed batch capacity.");
    quote! {
        #(#attrs)*
        #[doc = ""]
        #[doc = " Declared with `network!` as"]
        #[doc = #architecture]
        #[derive(Clone, Debug, PartialEq, #rt::serde::Serialize, #rt::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        #vis struct #name {
            #(#parameters,)*
        }

        #[doc = #gradients_doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #gradients {
            #(#gradient_fields,)*
        }

        #[doc = #workspace_doc]
        #[derive(Clone, Debug)]
        #vis struct #workspace {
            #(#buffers,)*
        }
    }
}
