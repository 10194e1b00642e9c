//! The frozen, inference-only type of a network (`DigitsFrozen`): weights inline, no heap, usable
//! in a `static`; built while compiling by `include_model!` or at run time by `freeze`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Plan, Step, StepKind, runtime};
use crate::ir::{ActivationKind, LayerKind, Norm, NormKind, Size};

pub fn expand(plan: &Plan) -> TokenStream {
    let rt = runtime();
    let network = plan.network;
    let (vis, name, frozen, t) = (&network.vis, &network.name, &plan.frozen, &plan.scalar);
    let shared = super::inherent::shared_items(plan);
    let tensors = super::tensors::implement(plan, frozen, super::tensors::Storage::Inline);
    let layers = layer_shapes(plan);
    let activations = layer_activations(plan);
    let name_text = name.to_string();
    let scalar_text = t.to_string();

    let fields = plan.parameter_fields(|step| frozen_type(plan, step));
    let element_size = match plan.network.scalar {
        crate::ir::Scalar::F32 => 4,
        crate::ir::Scalar::F64 => 8,
    };
    let element_size = Size::known(element_size);
    let mut offset = Size::known(0);
    let from_values = plan.parameter_steps().map(|step| {
        let field = &step.field;
        let at = offset.expr.clone();
        let values = step.trainable().plus(&step.non_trainable());
        offset = offset.plus(&values.times(&element_size));
        let ty = match step.kind {
            StepKind::Norm { .. } => quote!(FrozenNorm),
            _ => quote!(FrozenDense),
        };
        quote!(#field: #rt::#ty::from_le_bytes(values, #at))
    });
    let from_values: Vec<TokenStream> = from_values.collect();
    let zeros = plan.parameter_steps().map(|step| {
        let (field, inputs, outputs) = (&step.field, &step.inputs.expr, &step.outputs.expr);
        match step.kind {
            StepKind::Norm { .. } => quote!(#field: #rt::FrozenNorm::filled(0.0)),
            _ => quote!(#field: #rt::FrozenDense { weight: [[0.0; #outputs]; #inputs], bias: [0.0; #outputs] }),
        }
    });
    let size_checks = size_checks(plan);

    let doc = format!(
        " `{name}` frozen for inference: `{}`, with every weight inline. Needs neither `std` nor a heap, so it can live in a `static` (in read-only memory); its `forward` gives the bits of `{name}`'s. Made while compiling by `nn::include_model!({name}, \"path\")`, or at run time by `{name}::freeze` (with the `train` feature).",
        plan.description()
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        #[repr(C)]
        #vis struct #frozen {
            #(#fields,)*
        }

        impl #frozen {
            /// The network's name as declared.
            pub const NAME: &'static str = #name_text;
            /// The layers with parameters (dense and normalization) in order, as declared.
            pub const LAYERS: &'static [#rt::LayerShape] = &[#(#layers),*];
            /// The activation after each layer of `LAYERS`.
            pub const ACTIVATIONS: &'static [#rt::LayerActivation] = &[#(#activations),*];
            /// What a model file must hold to be baked into this type.
            pub const LAYOUT: #rt::BakedLayout = #rt::BakedLayout {
                network: #name_text,
                scalar: #scalar_text,
                layers: Self::LAYERS,
            };

            /// Every weight and bias zero: where gradients and optimizer state start.
            pub const ZERO: Self = Self {
                #(#zeros,)*
            };

            #shared

            /// The network from a model file's values, after checking that the file's layout is
            /// this network's (a mismatch panics, which in a constant is a compile error at the
            /// caller). Used by `include_model!`.
            #[doc(hidden)]
            #[track_caller]
            pub const fn from_baked(file: #rt::BakedLayout, values: &[u8]) -> Self {
                #rt::check_baked_layout(file, Self::LAYOUT);
                Self {
                    #(#from_values,)*
                }
            }
        }

        // SAFETY: every field is a `FrozenDense` or a `FrozenNorm`, whose all-zero bytes are a
        // valid layer of zeros; `repr(C)` adds no other bytes than padding.
        unsafe impl #rt::bytemuck::Zeroable for #frozen {}

        #tensors

        #(#size_checks)*
    }
}

/// The frozen type of a layer with parameters: `FrozenDense<f32, 32, 64>`, `FrozenNorm<f32, 32, 4>`.
fn frozen_type(plan: &Plan, step: &Step) -> TokenStream {
    let rt = runtime();
    let (t, outputs, inputs) = (&plan.scalar, &step.outputs.generic, &step.inputs.generic);
    match step.kind {
        StepKind::Norm { kind, .. } => {
            let tensors = proc_macro2::Literal::usize_unsuffixed(kind.tensors());
            quote!(#rt::FrozenNorm<#t, #outputs, #tensors>)
        }
        _ => quote!(#rt::FrozenDense<#t, #outputs, #inputs>),
    }
}

/// One `LayerActivation` per layer with parameters, in order.
pub(super) fn layer_activations(plan: &Plan) -> Vec<TokenStream> {
    plan.parameter_steps()
        .filter_map(|step| step.kind.activation())
        .map(layer_activation)
        .collect()
}

/// The runtime's `LayerActivation` of an activation: `::nn::__private::LayerActivation::Tanh`.
pub(super) fn layer_activation(activation: &ActivationKind) -> TokenStream {
    let rt = runtime();
    match activation {
        ActivationKind::LeakyRelu { slope } => {
            let slope = proc_macro2::Literal::f64_suffixed(*slope);
            quote!(#rt::LayerActivation::LeakyRelu { slope: #slope })
        }
        ActivationKind::Elu { alpha } => {
            let alpha = proc_macro2::Literal::f64_suffixed(*alpha);
            quote!(#rt::LayerActivation::Elu { alpha: #alpha })
        }
        ActivationKind::Custom(path) => {
            quote!(#rt::LayerActivation::Custom { name: <#path as #rt::Activation>::NAME })
        }
        other => {
            let name = quote::format_ident!("{}", other.name());
            quote!(#rt::LayerActivation::#name)
        }
    }
}

/// One `LayerShape` per layer with parameters, in order.
pub(super) fn layer_shapes(plan: &Plan) -> Vec<TokenStream> {
    let rt = runtime();
    plan.parameter_steps()
        .map(|step| {
            let name = step.field.to_string();
            let (outputs, inputs) = (&step.outputs.expr, &step.inputs.expr);
            let kind = match step.kind {
                StepKind::Norm {
                    kind: NormKind::Layer,
                    ..
                } => quote!(LayerNorm),
                StepKind::Norm {
                    kind: NormKind::Batch,
                    ..
                } => quote!(BatchNorm),
                _ => quote!(Dense),
            };
            quote!(#rt::LayerShape { name: #name, kind: #rt::LayerKind::#kind, outputs: #outputs, inputs: #inputs })
        })
        .collect()
}

/// For each width the macro cannot evaluate (a named constant or a const expression), an
/// assertion the compiler evaluates, spanned on the width as written, so that a width of zero
/// is a compile error there in words.
fn size_checks(plan: &Plan) -> Vec<TokenStream> {
    let name = &plan.network.name;
    let mut width = Size::known(0);
    plan.network
        .layers
        .iter()
        .filter_map(|layer| {
            let next = layer.outputs(&width);
            let previous = std::mem::replace(&mut width, next);
            let (kind, size) = match &layer.kind {
                LayerKind::Input { size } => ("Input", size),
                LayerKind::Dense { units, .. } => ("Dense", units),
                LayerKind::Norm(norm) => return norm_width_check(plan, norm, &previous),
                LayerKind::Dropout { .. } => return None,
            };
            if size.value.is_some() {
                return None;
            }
            let expr = &size.expr;
            let message = format!(
                "`{kind}` size `{}` of network `{name}` must be at least 1, found 0",
                size.text
            );
            let span = layer
                .value_tokens
                .clone()
                .into_iter()
                .next()
                .map_or_else(|| layer.name.span(), |token| token.span());
            let rt = runtime();
            let check = super::respan(quote!(#rt::check_width(#expr, #message)), span);
            Some(quote!(const _: () = #check;))
        })
        .collect()
}

/// For a normalization layer whose written width or previous width the macro cannot evaluate, an
/// assertion that they are equal, spanned on the written width.
fn norm_width_check(plan: &Plan, norm: &Norm, previous: &Size) -> Option<TokenStream> {
    let width = norm.width.as_ref()?;
    if width.value.is_some() && previous.value.is_some() {
        return None;
    }
    let kind = norm.kind.name();
    let message = format!(
        "`{kind}` width `{}` of network `{}` differs from the outputs of the layer before it, `{}`",
        width.text, plan.network.name, previous.text
    );
    let span = norm.width_tokens.clone().into_iter().next()?.span();
    let (rt, written, expected) = (runtime(), &width.expr, &previous.expr);
    let check = super::respan(
        quote!(#rt::check_same_width(#written, #expected, #message)),
        span,
    );
    Some(quote!(const _: () = #check;))
}
