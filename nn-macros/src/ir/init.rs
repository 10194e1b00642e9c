//! A dense layer's initializers: `init = HeNormal` for the weights, `bias = Constant<0.1>` for
//! the biases.

use super::Diagnostics;
use crate::ast::Argument;
use crate::names;

/// How a tensor is filled when a network is created.
#[derive(Clone, Copy, PartialEq)]
pub enum InitKind {
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LecunNormal,
    Zeros,
    Constant(f64),
}

/// The initializer names a weight may take, in the order diagnostics list them; PyTorch's
/// names (`XavierUniform`, `KaimingNormal`, …) are accepted too.
pub const WEIGHT_INITS: &[&str] = &[
    "GlorotUniform",
    "GlorotNormal",
    "HeUniform",
    "HeNormal",
    "LecunNormal",
    "Zeros",
    "Constant",
];

const ALIASES: &[(&str, &str)] = &[
    ("XavierUniform", "GlorotUniform"),
    ("XavierNormal", "GlorotNormal"),
    ("KaimingUniform", "HeUniform"),
    ("KaimingNormal", "HeNormal"),
];

impl InitKind {
    /// The runtime's name of this initializer (`HeNormal`).
    pub fn name(self) -> &'static str {
        match self {
            InitKind::GlorotUniform => "GlorotUniform",
            InitKind::GlorotNormal => "GlorotNormal",
            InitKind::HeUniform => "HeUniform",
            InitKind::HeNormal => "HeNormal",
            InitKind::LecunNormal => "LecunNormal",
            InitKind::Zeros => "Zeros",
            InitKind::Constant(_) => "Constant",
        }
    }

    /// As a description writes it: `HeNormal`, `Constant<0.1>`.
    pub fn described(self) -> String {
        match self {
            InitKind::Constant(value) => format!("Constant<{value}>"),
            other => other.name().to_string(),
        }
    }
}

/// The initializers written for one layer; `None` where the default applies.
#[derive(Clone, Copy, Default)]
pub struct Initializers {
    pub weight: Option<InitKind>,
    pub bias: Option<InitKind>,
}

impl Initializers {
    /// Reads `init = …` and `bias = …` from a layer's named arguments.
    pub fn lower(named: &[&Argument], diagnostics: &mut Diagnostics) -> Option<Self> {
        let mut result = Initializers::default();
        let mut ok = true;
        for argument in named {
            let Argument::Named {
                name,
                value,
                tokens,
            } = argument
            else {
                continue;
            };
            let (slot, what) = match name.to_string().as_str() {
                "init" => (&mut result.weight, "init"),
                "bias" => (&mut result.bias, "bias"),
                other => {
                    diagnostics.error(
                        name,
                        format!("unknown `Dense` option `{other}`, expected `init` or `bias`"),
                    );
                    ok = false;
                    continue;
                }
            };
            if slot.is_some() {
                diagnostics.error(tokens, format!("`{what}` is given twice"));
                ok = false;
                continue;
            }
            match lower_kind(value, what, diagnostics) {
                Some(kind) => *slot = Some(kind),
                None => ok = false,
            }
        }
        ok.then_some(result)
    }
}

fn lower_kind(value: &Argument, what: &str, diagnostics: &mut Diagnostics) -> Option<InitKind> {
    let Argument::Name { path, args, tokens } = value else {
        diagnostics.error(
            value.tokens(),
            format!(
                "`{what}` takes an initializer such as `HeNormal` or `Constant<0.1>`, found `{}`",
                value.text()
            ),
        );
        return None;
    };
    let Some(ident) = path.get_ident() else {
        diagnostics.error(path, unknown(what, &value.text()));
        return None;
    };
    let written = ident.to_string();
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == written)
        .map_or(written.as_str(), |(_, name)| name);
    let kind = match (canonical, args.as_slice()) {
        ("Constant", [number]) => match number.value().filter(|v| v.is_finite()) {
            Some(value) => InitKind::Constant(value),
            None => {
                diagnostics.error(
                    number,
                    format!(
                        "`Constant` takes a finite number, found `{}`",
                        number.text()
                    ),
                );
                return None;
            }
        },
        ("Constant", _) => {
            diagnostics.error(tokens, "`Constant` takes one value, as in `Constant<0.1>`");
            return None;
        }
        (name, [_, ..]) if WEIGHT_INITS.contains(&name) => {
            diagnostics.error(tokens, format!("`{written}` takes no parameter"));
            return None;
        }
        ("GlorotUniform", []) => InitKind::GlorotUniform,
        ("GlorotNormal", []) => InitKind::GlorotNormal,
        ("HeUniform", []) => InitKind::HeUniform,
        ("HeNormal", []) => InitKind::HeNormal,
        ("LecunNormal", []) => InitKind::LecunNormal,
        ("Zeros", []) => InitKind::Zeros,
        _ => {
            diagnostics.error(ident, unknown(what, &written));
            return None;
        }
    };
    if what == "bias" && !matches!(kind, InitKind::Zeros | InitKind::Constant(_)) {
        diagnostics.error(
            tokens,
            format!("`bias` takes `Zeros` or `Constant<c>`, found `{written}`: the fan-based initializers are for weights"),
        );
        return None;
    }
    Some(kind)
}

fn unknown(what: &str, found: &str) -> String {
    let known: &[&str] = if what == "bias" {
        &["Zeros", "Constant"]
    } else {
        WEIGHT_INITS
    };
    names::unknown("initializer", found, known)
}
