//! `include_model!(Digits, "models/digits.nnm")`: a model file read while compiling and baked
//! into a value of the network's frozen type.
//!
//! What the macro can check alone (the file exists, is intact and is a model) is checked here
//! and reported as a compile error on the path. Whether the file holds *this* network can only be
//! known once the type `DigitsFrozen` is resolved, so the generated constant compares the file's
//! layout with the type's while compiling (`check_baked_layout`), failing on the path too.

use std::path::{Path, PathBuf};

use nn_format::{ModelError, ModelFile};
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

/// `Network, "path"`
pub struct IncludeModel {
    network: syn::Path,
    path: LitStr,
}

impl Parse for IncludeModel {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let network = input.parse()?;
        input.parse::<Token![,]>()?;
        let path = input.parse()?;
        input.parse::<Option<Token![,]>>()?;
        Ok(Self { network, path })
    }
}

/// The expansion, or a compile error on the path literal.
pub fn expand(invocation: IncludeModel) -> syn::Result<TokenStream> {
    let IncludeModel { network, path } = invocation;
    let full = resolve(&path.value(), path.span());
    let error = |message: String| syn::Error::new_spanned(&path, message);
    let bytes = std::fs::read(&full).map_err(|source| {
        let io = ModelError::Io {
            action: "read",
            path: full.clone(),
            source,
        };
        error(format!("{io}"))
    })?;
    let model = nn_format::decode(&bytes)
        .map_err(|model_error| error(format!("`{}`: {model_error}", path.value())))?;
    let frozen = frozen_type(network)?;
    Ok(bake(&frozen, &model, &full, path.span()))
}

/// A relative path is relative to the directory of the source file the literal is in, as for
/// `include_bytes!` (or, for a literal that no file holds, such as one made by another macro, to
/// the crate's manifest directory); an absolute path stays as it is.
fn resolve(path: &str, span: Span) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        return path.to_owned();
    }
    let source_directory = span
        .unwrap()
        .local_file()
        .and_then(|file| file.parent().map(Path::to_owned));
    let base = source_directory
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from))
        .unwrap_or_default();
    base.join(path)
}

/// `Digits` → `DigitsFrozen`, keeping the path before it (`nets::Digits` → `nets::DigitsFrozen`).
fn frozen_type(mut network: syn::Path) -> syn::Result<syn::Path> {
    let Some(last) = network.segments.last_mut() else {
        return Err(syn::Error::new_spanned(
            &network,
            "expected the name of a network declared with `network!`",
        ));
    };
    if !last.arguments.is_none() {
        return Err(syn::Error::new_spanned(
            &last.arguments,
            "expected the name of a network declared with `network!`, without arguments",
        ));
    }
    last.ident = format_ident!("{}Frozen", last.ident, span = last.ident.span());
    Ok(network)
}

/// The value: the file's layout checked against the type's and its values as little-endian
/// bytes, decoded while compiling. The `include_bytes!` makes Cargo recompile when the file
/// changes; the constant it defines is never used, so its bytes do not reach the binary.
fn bake(frozen: &syn::Path, model: &ModelFile, full: &Path, span: Span) -> TokenStream {
    let rt = quote!(::nn::__private);
    let header = &model.header;
    let network = &header.network;
    let scalar = &header.scalar;
    let layers = header.layers.iter().map(|layer| {
        let name = &layer.name;
        let [outputs, inputs] = layer.shape;
        let kind = match layer.kind {
            nn_format::LayerKind::Dense => quote!(Dense),
            nn_format::LayerKind::LayerNorm => quote!(LayerNorm),
            nn_format::LayerKind::BatchNorm => quote!(BatchNorm),
        };
        quote!(#rt::LayerShape { name: #name, kind: #rt::LayerKind::#kind, outputs: #outputs, inputs: #inputs })
    });
    let values = Literal::byte_string(&model.values.to_le_bytes());
    // Absolute, so that `include_bytes!` finds the file from wherever the expansion lands.
    let full = full.canonicalize().unwrap_or_else(|_| full.to_owned());
    let full = full.to_string_lossy();
    let call = quote_spanned! {span=>
        <#frozen>::from_baked(
            #rt::BakedLayout {
                network: #network,
                scalar: #scalar,
                layers: &[#(#layers),*],
            },
            #values,
        )
    };
    quote! {
        {
            const _: &[u8] = ::core::include_bytes!(#full);
            #call
        }
    }
}
