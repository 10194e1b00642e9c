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
mod include_model;
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

/// Bakes a model file that nn saved into a value of the network's frozen type, while compiling.
///
/// ```text
/// network! {
///     pub struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;
/// }
///
/// static NET: DigitsFrozen = nn::include_model!(Digits, "models/digits.nnm");
/// ```
///
/// * The first argument names a network declared with `network!` (a path is fine:
///   `nets::Digits`); the value is of its frozen type, `DigitsFrozen`.
/// * A relative path is relative to the directory of the source file the macro is in, as for
///   `include_bytes!`; an absolute path is used as it is.
/// * Both formats are read: binary (`save_binary`) and JSON (`save_json`).
/// * The program is recompiled when the file changes.
/// * A missing, unreadable or corrupt file, or one of another network, element type or layer
///   shape, is a compile error on the path, in the words `ModelError` uses at run time.
///
/// The value can initialize a `static` (the weights then sit in the binary's read-only data, and
/// `forward` reads them there) or a `const`.
#[proc_macro]
pub fn include_model(input: TokenStream) -> TokenStream {
    let invocation = syn::parse_macro_input!(input as include_model::IncludeModel);
    include_model::expand(invocation)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
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
