//! A network's tensors paired with the layers they belong to, in file order: each layer's
//! tensors in the order of `LayerKind::tensors`.

use super::ModelError;
use crate::{Float, LayerShape, Network, TensorKind};

/// The name of a tensor kind in files and messages.
pub(crate) fn tensor_name(kind: TensorKind) -> &'static str {
    kind.name()
}

/// Follows the tensors of `layers` in file order: which layer the next tensor belongs to.
struct Cursor {
    layer: usize,
    tensor: usize,
}

impl Cursor {
    fn next(&mut self, layers: &'static [LayerShape]) -> Option<&'static LayerShape> {
        let layer = layers.get(self.layer)?;
        self.tensor += 1;
        if self.tensor == layer.kind.tensors().len() {
            self.layer += 1;
            self.tensor = 0;
        }
        Some(layer)
    }
}

/// Calls `f(layer, kind, values)` on each tensor of `network`, in file order.
pub(crate) fn visit<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
    mut f: impl FnMut(&'static LayerShape, TensorKind, &[N::Scalar]),
) {
    let mut cursor = Cursor {
        layer: 0,
        tensor: 0,
    };
    network.for_each_tensor(|kind, values| {
        if let Some(layer) = cursor.next(N::LAYERS) {
            f(layer, kind, values);
        }
    });
}

/// Calls `f(layer, kind, values)` on each tensor of `network` mutably, in file order.
pub(crate) fn visit_mut<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &mut N,
    mut f: impl FnMut(&'static LayerShape, TensorKind, &mut [N::Scalar]),
) {
    let mut cursor = Cursor {
        layer: 0,
        tensor: 0,
    };
    network.for_each_tensor_mut(|kind, values| {
        if let Some(layer) = cursor.next(N::LAYERS) {
            f(layer, kind, values);
        }
    });
}

/// The error for the first NaN or infinite value of one tensor, if any.
pub(crate) fn non_finite<T: Float>(
    layer: &'static LayerShape,
    kind: TensorKind,
    values: &[T],
) -> Option<ModelError> {
    let index = values.iter().position(|value| !value.is_finite_value())?;
    Some(ModelError::NotFinite {
        layer: layer.name.to_owned(),
        tensor: tensor_name(kind),
        index,
        value: values[index].as_f64(),
    })
}

/// Checks that every value of `network` is finite, so that no file is written that could not be
/// read back.
pub(crate) fn check_finite<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<(), ModelError> {
    let mut error = None;
    visit(network, |layer, kind, values| {
        if error.is_none() {
            error = non_finite(layer, kind, values);
        }
    });
    error.map_or(Ok(()), Err)
}
