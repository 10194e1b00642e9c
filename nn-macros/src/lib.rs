//! The `network!` macro of nn.
//!
//! A description is parsed (`ast`), lowered with its names resolved (`ir`), checked (`check`)
//! and expanded into a struct and impls that call the runtime (`expand`). Every problem in a
//! description is reported at once, spanned on the offending token; a network with errors
//! expands to a bare placeholder struct so that its uses do not add a cascade of errors.

#![warn(missing_docs)]

mod ast;
mod check;
mod expand;
mod ir;
mod names;

use proc_macro::TokenStream;
use quote::quote;

/// Declares one or more neural networks and generates their code.
///
/// ```text
/// network! {
///     /// Learns XOR.
///     pub struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
///
///     pub struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;
///
///     /// An `f64` network.
///     pub struct Precise<f64>: Input<3> -> Dense<8, LeakyRelu<0.2>> -> Dense<1>;
/// }
/// ```
///
/// See the `nn` crate for the layers, activations and generated API.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let invocation = syn::parse_macro_input!(input as ast::Invocation);
    expand_invocation(invocation).into()
}

fn expand_invocation(invocation: ast::Invocation) -> proc_macro2::TokenStream {
    let mut diagnostics = ir::Diagnostics::default();
    let mut stubs = proc_macro2::TokenStream::new();
    let mut networks = Vec::new();
    for decl in invocation.networks {
        let (name, vis) = (decl.name.clone(), decl.vis.clone());
        match ir::lower(decl, &mut diagnostics) {
            Some(network) => networks.push(network),
            None => stubs.extend(expand::stub(&name, &vis)),
        }
    }
    check::check(&networks, &mut diagnostics);
    match diagnostics.into_result() {
        Ok(()) => networks.iter().map(expand::expand).collect(),
        Err(errors) => {
            let errors = errors.to_compile_error();
            let mut seen = std::collections::HashSet::new();
            for network in &networks {
                if seen.insert(network.name.to_string()) {
                    stubs.extend(expand::stub(&network.name, &network.vis));
                }
            }
            quote!(#errors #stubs)
        }
    }
}
