//! The syntax of a `network!` invocation, parsed with spans kept for diagnostics.
//!
//! ```text
//! invocation := network*
//! network    := attribute* visibility `struct` Ident (`<` Ident `>`)? `:` layer (`->` layer)* `;`
//! layer      := Ident (`<` argument (`,` argument)* `>`)?
//! argument   := Ident `=` value | value
//! value      := number | path (`<` number (`,` number)* `>`)? | `{` const expression `}`
//! number     := `-`? (integer | float)
//! ```

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Lit, Token, Visibility};

/// Every network declared in one invocation.
pub struct Invocation {
    pub networks: Vec<NetworkDecl>,
}

/// `pub struct Name<f64>: Input<2> -> Dense<1>;`
pub struct NetworkDecl {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// The element type written after the name, if any.
    pub scalar: Option<Ident>,
    pub layers: Vec<LayerDecl>,
}

/// `Dense<32, Relu>`
pub struct LayerDecl {
    pub name: Ident,
    pub args: Vec<Argument>,
    /// The whole layer's tokens, for diagnostics about the layer as a whole.
    pub tokens: TokenStream,
}

/// One argument between a layer's angle brackets.
pub enum Argument {
    Number(Number),
    /// A name or path, possibly with numbers: `Relu`, `LeakyRelu<0.2>`, `HIDDEN`, `sizes::WIDE`.
    Name {
        path: syn::Path,
        args: Vec<Number>,
        tokens: TokenStream,
    },
    /// A braced const expression: `{ 2 * HIDDEN }`.
    Block(proc_macro2::Group),
    /// `init = HeNormal`
    Named {
        name: Ident,
        value: Box<Argument>,
        tokens: TokenStream,
    },
}

impl Argument {
    /// The argument's tokens as written.
    pub fn tokens(&self) -> TokenStream {
        match self {
            Argument::Number(number) => number.to_token_stream(),
            Argument::Name { tokens, .. } | Argument::Named { tokens, .. } => tokens.clone(),
            Argument::Block(group) => group.to_token_stream(),
        }
    }

    /// The argument as written, for messages (`LeakyRelu<0.2>`, `{ 2 * HIDDEN }`).
    pub fn text(&self) -> String {
        match self {
            Argument::Number(number) => number.text(),
            other => compact(&other.tokens()),
        }
    }

    /// The single identifier this argument is, if it is one (`Relu`, not `a::Relu`).
    pub fn ident(&self) -> Option<&Ident> {
        match self {
            Argument::Name { path, args, .. } if args.is_empty() => path.get_ident(),
            _ => None,
        }
    }
}

/// Tokens printed as a reader writes them: `LeakyRelu<0.2>` rather than `LeakyRelu < 0.2 >`.
pub fn compact(tokens: &TokenStream) -> String {
    let text = tokens.to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        out.push(c);
        if c == ' ' {
            let prev = out[..out.len() - 1].chars().last();
            let glue_before = matches!(next, Some('<' | '>' | ',' | ':'));
            let glue_after = matches!(prev, Some('<' | ':'));
            if glue_before || glue_after {
                out.pop();
            }
        }
    }
    out
}

/// A numeric literal, possibly negated.
pub struct Number {
    pub minus: Option<Token![-]>,
    pub lit: Lit,
}

impl Number {
    /// The value, or `None` for a literal that is not a number.
    pub fn value(&self) -> Option<f64> {
        let magnitude = match &self.lit {
            Lit::Int(int) => int.base10_parse::<f64>().ok()?,
            Lit::Float(float) => float.base10_parse::<f64>().ok()?,
            _ => return None,
        };
        Some(if self.minus.is_some() {
            -magnitude
        } else {
            magnitude
        })
    }

    /// The number as written (`-0.1`).
    pub fn text(&self) -> String {
        let sign = if self.minus.is_some() { "-" } else { "" };
        format!("{sign}{}", self.lit.to_token_stream())
    }

    /// The value as a whole number, or `None` for a float or a negative number.
    pub fn whole(&self) -> Option<u64> {
        match (&self.lit, self.minus) {
            (Lit::Int(int), None) => int.base10_parse::<u64>().ok(),
            _ => None,
        }
    }
}

impl ToTokens for Number {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.minus.to_tokens(tokens);
        self.lit.to_tokens(tokens);
    }
}

impl Parse for Invocation {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut networks = Vec::new();
        while !input.is_empty() {
            networks.push(input.parse()?);
        }
        Ok(Self { networks })
    }
}

impl Parse for NetworkDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name = input.parse()?;
        let scalar = if input.peek(Token![<]) {
            input.parse::<Token![<]>()?;
            let scalar = input.parse()?;
            input.parse::<Token![>]>()?;
            Some(scalar)
        } else {
            None
        };
        input.parse::<Token![:]>()?;
        let mut layers = vec![input.parse()?];
        while input.peek(Token![->]) {
            input.parse::<Token![->]>()?;
            layers.push(input.parse()?);
        }
        input.parse::<Token![;]>()?;
        Ok(Self {
            attrs,
            vis,
            name,
            scalar,
            layers,
        })
    }
}

impl Parse for LayerDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let fork = input.fork();
        let name: Ident = input.parse()?;
        let args = if input.peek(Token![<]) {
            angle_list(input, Argument::parse)?
        } else {
            Vec::new()
        };
        let tokens = tokens_between(&fork, input);
        Ok(Self { name, args, tokens })
    }
}

impl Parse for Argument {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            let fork = input.fork();
            let name = input.parse()?;
            input.parse::<Token![=]>()?;
            let value = Box::new(value(input)?);
            let tokens = tokens_between(&fork, input);
            Ok(Argument::Named {
                name,
                value,
                tokens,
            })
        } else {
            value(input)
        }
    }
}

/// A number, a path with optional numbers, or a braced const expression.
fn value(input: ParseStream) -> syn::Result<Argument> {
    let path_start = input.peek(Ident)
        || input.peek(Token![::])
        || input.peek(Token![crate])
        || input.peek(Token![self])
        || input.peek(Token![super]);
    if path_start {
        let fork = input.fork();
        let path = input.call(syn::Path::parse_mod_style)?;
        let args = if input.peek(Token![<]) {
            angle_list(input, Number::parse)?
        } else {
            Vec::new()
        };
        let tokens = tokens_between(&fork, input);
        Ok(Argument::Name { path, args, tokens })
    } else if input.peek(syn::token::Brace) {
        Ok(Argument::Block(input.parse()?))
    } else {
        Ok(Argument::Number(input.parse()?))
    }
}

impl Parse for Number {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let minus = input.parse()?;
        let lookahead = input.lookahead1();
        if lookahead.peek(syn::LitInt) || lookahead.peek(syn::LitFloat) {
            Ok(Self {
                minus,
                lit: input.parse()?,
            })
        } else {
            Err(lookahead.error())
        }
    }
}

/// `< item (, item)* ,? >`
fn angle_list<T>(
    input: ParseStream,
    item: fn(ParseStream) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    input.parse::<Token![<]>()?;
    let mut items = Vec::new();
    while !input.peek(Token![>]) {
        items.push(item(input)?);
        if !input.peek(Token![>]) {
            input.parse::<Token![,]>()?;
        }
    }
    input.parse::<Token![>]>()?;
    Ok(items)
}

/// The tokens consumed by `after` since `before` was forked from it.
fn tokens_between(before: ParseStream, after: ParseStream) -> TokenStream {
    let mut tokens = TokenStream::new();
    let mut cursor = before.cursor();
    while cursor != after.cursor() {
        match cursor.token_tree() {
            Some((tree, next)) => {
                tokens.extend([tree]);
                cursor = next;
            }
            None => break,
        }
    }
    tokens
}
