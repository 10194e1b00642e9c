//! Layer widths: whole numbers the macro checks itself, or const expressions (`HIDDEN`,
//! `config::HIDDEN`, `{ 2 * HIDDEN }`) that only the compiler can evaluate, so their rules
//! become generated `const` assertions.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};

use super::Diagnostics;
use crate::ast::{Argument, compact};

/// A width as written, or computed from widths as written.
#[derive(Clone)]
pub struct Size {
    /// The value, when the macro knows it (a literal, or arithmetic on literals).
    pub value: Option<u64>,
    /// The width as a value expression for generated code: `32`, `HIDDEN`, `(2 * HIDDEN)`.
    pub expr: TokenStream,
    /// The width as a const generic argument: `32`, `HIDDEN`, `{ config::HIDDEN }`.
    pub generic: TokenStream,
    /// The width as written, for docs and messages.
    pub text: String,
    /// The width as written, as a value expression, for a width the compiler evaluates.
    pub written: Option<TokenStream>,
}

impl Size {
    /// A width the macro knows.
    pub fn known(value: u64) -> Self {
        let literal = Literal::u64_unsuffixed(value).into_token_stream();
        Self {
            value: Some(value),
            expr: literal.clone(),
            generic: literal,
            text: value.to_string(),
            written: None,
        }
    }

    /// Reads a layer's size: a whole number, a path to a `const` or a braced const expression.
    pub fn lower(argument: &Argument, layer: &str, diagnostics: &mut Diagnostics) -> Option<Self> {
        match argument {
            Argument::Number(number) => match number.whole() {
                Some(value) => Some(Self::known(value)),
                None => {
                    diagnostics.error(number, not_a_size(layer, &number.text()));
                    None
                }
            },
            Argument::Name { path, args, .. } if args.is_empty() => {
                let expr = path.to_token_stream();
                // Braced, the path is looked up as a value only, as everywhere else the
                // generated code uses it: a name not in scope is then one error, not one for
                // each namespace.
                let generic = quote!({ #expr });
                Some(Self {
                    value: None,
                    text: compact(&expr),
                    written: Some(expr.clone()),
                    expr,
                    generic,
                })
            }
            Argument::Block(group) => {
                let inner = group.stream();
                Some(Self {
                    value: None,
                    expr: quote!((#inner)),
                    generic: group.to_token_stream(),
                    text: compact(&group.to_token_stream()),
                    written: Some(inner),
                })
            }
            other => {
                diagnostics.error(other.tokens(), not_a_size(layer, &other.text()));
                None
            }
        }
    }

    /// The width as written, as a value: the path, or the contents of the braces.
    pub fn value_tokens(&self) -> TokenStream {
        self.written.clone().unwrap_or_else(|| self.expr.clone())
    }

    /// Makes generated code read this width through the constant `alias`.
    pub fn alias(&mut self, alias: &proc_macro2::Ident) {
        self.expr = alias.to_token_stream();
        self.generic = alias.to_token_stream();
    }

    /// `self · other`, folded when both are known or one is 1.
    pub fn times(&self, other: &Size) -> Size {
        match (self.value, other.value) {
            (Some(1), _) => other.clone(),
            (_, Some(1)) => self.clone(),
            _ => self.combine(other, u64::checked_mul, quote!(*), "·"),
        }
    }

    /// `self + other`, folded when both are known or one is 0.
    pub fn plus(&self, other: &Size) -> Size {
        match (self.value, other.value) {
            (Some(0), _) => other.clone(),
            (_, Some(0)) => self.clone(),
            _ => self.combine(other, u64::checked_add, quote!(+), " + "),
        }
    }

    fn combine(
        &self,
        other: &Size,
        fold: fn(u64, u64) -> Option<u64>,
        operator: TokenStream,
        written: &str,
    ) -> Size {
        if let (Some(a), Some(b)) = (self.value, other.value)
            && let Some(value) = fold(a, b)
        {
            return Size::known(value);
        }
        let (a, b) = (&self.expr, &other.expr);
        let expr = quote!((#a #operator #b));
        Size {
            value: None,
            generic: quote!({ #expr }),
            expr,
            text: format!("({}{written}{})", self.text, other.text),
            written: None,
        }
    }
}

fn not_a_size(layer: &str, found: &str) -> String {
    format!(
        "`{layer}` size must be a whole number, a `const` of type `usize` in scope (`HIDDEN`, `config::HIDDEN`) or a braced const expression (`{{ 2 * HIDDEN }}`), found `{found}`"
    )
}
