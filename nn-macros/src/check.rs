//! The structural rules of a description. Every broken rule is reported, spanned on the
//! offending token; the expansion runs only on networks that pass.

use std::collections::HashMap;

use crate::ir::{ActivationKind, Diagnostics, LayerKind, Network, Norm};

/// Checks every network, including that no two share a name.
pub fn check(networks: &[Network], diagnostics: &mut Diagnostics) {
    let mut seen = HashMap::new();
    for network in networks {
        let name = network.name.to_string();
        if seen.insert(name.clone(), ()).is_some() {
            diagnostics.error(
                &network.name,
                format!("a network named `{name}` is already declared in this invocation"),
            );
        }
        check_network(network, diagnostics);
    }
}

fn check_network(network: &Network, diagnostics: &mut Diagnostics) {
    let name = &network.name;
    let layers = &network.layers;
    match layers.first().map(|layer| &layer.kind) {
        Some(LayerKind::Input { .. }) => {}
        _ if layers
            .iter()
            .skip(1)
            .any(|layer| matches!(layer.kind, LayerKind::Input { .. })) => {}
        _ => diagnostics.error(
            &layers[0].name,
            format!(
                "network `{name}` must start with `Input<N>`, found `{}`",
                layers[0].name
            ),
        ),
    }
    if !layers
        .iter()
        .any(|layer| matches!(layer.kind, LayerKind::Dense { .. }))
    {
        diagnostics.error(name, format!("network `{name}` has no `Dense` layer"));
    }
    let last = layers.len() - 1;
    for (index, layer) in layers.iter().enumerate() {
        match &layer.kind {
            LayerKind::Input { size } => {
                if index > 0 {
                    diagnostics.error(
                        &layer.name,
                        format!("`Input` must be the first layer of `{name}`"),
                    );
                }
                if size.value == Some(0) {
                    diagnostics.error(
                        &layer.value_tokens,
                        "`Input` size must be at least 1, found 0",
                    );
                }
            }
            LayerKind::Dense {
                units, activation, ..
            } => {
                if units.value == Some(0) {
                    diagnostics.error(
                        &layer.value_tokens,
                        "`Dense` size must be at least 1, found 0",
                    );
                }
                // Only dropout after it: the dropout rule is the one broken, and says so.
                let only_dropout_after = layers[index + 1..]
                    .iter()
                    .all(|layer| matches!(layer.kind, LayerKind::Dropout { .. }));
                if activation.kind == ActivationKind::Softmax && !only_dropout_after {
                    diagnostics.error(
                        &activation.tokens,
                        format!("`Softmax` is only allowed on the last layer of `{name}`"),
                    );
                }
            }
            LayerKind::Dropout { rate, written } => {
                if !(0.0..1.0).contains(rate) {
                    diagnostics.error(
                        &layer.value_tokens,
                        format!("`Dropout` rate must be in [0, 1), found `{written}`"),
                    );
                }
                if index == last {
                    diagnostics.error(
                        &layer.name,
                        format!("`Dropout` cannot be the last layer of `{name}`"),
                    );
                }
                if index > 0 && matches!(layers[index - 1].kind, LayerKind::Dropout { .. }) {
                    diagnostics.error(&layer.name, "`Dropout` cannot follow another `Dropout`");
                }
            }
            LayerKind::Norm(norm) => check_norm(network, index, norm, diagnostics),
        }
    }
    if parameter_count(network).is_none() {
        diagnostics.error(
            name,
            format!("network `{name}` has more parameters than fit in memory"),
        );
    }
}

fn check_norm(network: &Network, index: usize, norm: &Norm, diagnostics: &mut Diagnostics) {
    let name = &network.name;
    let layer = &network.layers[index];
    let kind = norm.kind.name();
    if index == network.layers.len() - 1 {
        diagnostics.error(
            &layer.name,
            format!(
                "`{kind}` cannot be the last layer of `{name}`: the loss reads a `Dense` output layer"
            ),
        );
    }
    if index > 0 && matches!(network.layers[index - 1].kind, LayerKind::Norm(_)) {
        diagnostics.error(
            &layer.name,
            format!("`{kind}` cannot directly follow another normalization layer"),
        );
    }
    if norm.activation.kind == ActivationKind::Softmax {
        diagnostics.error(
            &norm.activation.tokens,
            format!("`Softmax` is only allowed on the last layer of `{name}`"),
        );
    }
    // A width written as a literal is checked here; one written as a constant, by a generated
    // assertion.
    let previous = network.layers[..index]
        .iter()
        .fold(crate::ir::Size::known(0), |width, layer| {
            layer.outputs(&width)
        });
    if let (Some(written), Some(width)) = (
        norm.width.as_ref().and_then(|size| size.value),
        previous.value,
    ) && written != width
    {
        diagnostics.error(
            &norm.width_tokens,
            format!(
                "`{kind}` width {written} differs from the {width} outputs of the layer before it"
            ),
        );
    }
}

/// The number of trainable parameters, or `None` on overflow. Widths the macro cannot evaluate
/// (named constants) count as 1 here; the compiler checks the true total when it evaluates
/// the generated `PARAMETERS`.
pub fn parameter_count(network: &Network) -> Option<usize> {
    let mut width: u64 = 0;
    let mut total: usize = 0;
    let known = |size: &crate::ir::Size| size.value.unwrap_or(1);
    for layer in &network.layers {
        if let LayerKind::Dense { units, .. } = &layer.kind {
            let units = known(units);
            let weights = width.checked_mul(units)?.checked_add(units)?;
            total = total.checked_add(usize::try_from(weights).ok()?)?;
            // Each buffer of the layer is also allocated in bytes; keep that representable.
            total.checked_mul(8)?;
        }
        width = match &layer.kind {
            LayerKind::Input { size } => known(size),
            LayerKind::Dense { units, .. } => known(units),
            LayerKind::Dropout { .. } | LayerKind::Norm(_) => width,
        };
    }
    Some(total)
}
