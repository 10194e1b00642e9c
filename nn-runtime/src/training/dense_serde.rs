//! Serialization of dense layers: the shape, then the flat column-major weights and the biases.
//!
//! Deserialization checks the shape before reading any value and fills the heap buffers in place,
//! so a model file of another architecture is an error that names both shapes, and a large layer
//! never passes through the stack.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Dense, Float};

const FIELDS: &[&str] = &["shape", "weight", "bias"];

impl<T: Float, const OUT: usize, const IN: usize> Serialize for Dense<T, OUT, IN> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Dense", 3)?;
        state.serialize_field("shape", &[OUT, IN])?;
        state.serialize_field("weight", self.weight.as_slice())?;
        state.serialize_field("bias", self.bias.as_slice())?;
        state.end()
    }
}

impl<'de, T: Float, const OUT: usize, const IN: usize> Deserialize<'de> for Dense<T, OUT, IN> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("Dense", FIELDS, DenseVisitor::<T, OUT, IN>(PhantomData))
    }
}

struct DenseVisitor<T, const OUT: usize, const IN: usize>(PhantomData<T>);

impl<'de, T: Float, const OUT: usize, const IN: usize> Visitor<'de> for DenseVisitor<T, OUT, IN> {
    type Value = Dense<T, OUT, IN>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a dense layer of shape {OUT}×{IN}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut layer = Dense::<T, OUT, IN>::zeros();
        let (mut shape_seen, mut weight_seen, mut bias_seen) = (false, false, false);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "shape" => {
                    let [rows, cols]: [usize; 2] = map.next_value()?;
                    if (rows, cols) != (OUT, IN) {
                        return Err(de::Error::custom(format!(
                            "dense layer has shape {rows}×{cols}, expected {OUT}×{IN}"
                        )));
                    }
                    shape_seen = true;
                }
                "weight" => {
                    map.next_value_seed(FillSlice {
                        target: layer.weight.as_mut_slice(),
                        what: "weight",
                    })?;
                    weight_seen = true;
                }
                "bias" => {
                    map.next_value_seed(FillSlice {
                        target: layer.bias.as_mut_slice(),
                        what: "bias",
                    })?;
                    bias_seen = true;
                }
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }
        for (seen, name) in [
            (shape_seen, "shape"),
            (weight_seen, "weight"),
            (bias_seen, "bias"),
        ] {
            if !seen {
                return Err(de::Error::missing_field(name));
            }
        }
        Ok(layer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut layer = Dense::<T, OUT, IN>::zeros();
        let [rows, cols]: [usize; 2] = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        if (rows, cols) != (OUT, IN) {
            return Err(de::Error::custom(format!(
                "dense layer has shape {rows}×{cols}, expected {OUT}×{IN}"
            )));
        }
        let weight = FillSlice {
            target: layer.weight.as_mut_slice(),
            what: "weight",
        };
        seq.next_element_seed(weight)?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        let bias = FillSlice {
            target: layer.bias.as_mut_slice(),
            what: "bias",
        };
        seq.next_element_seed(bias)?
            .ok_or_else(|| de::Error::invalid_length(2, &self))?;
        Ok(layer)
    }
}

/// Reads a sequence of exactly `target.len()` finite numbers into `target`.
struct FillSlice<'a, T> {
    target: &'a mut [T],
    what: &'static str,
}

impl<'de, T: Float> DeserializeSeed<'de> for FillSlice<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Float> Visitor<'de> for FillSlice<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} {} values", self.target.len(), self.what)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let expected = self.target.len();
        for (index, slot) in self.target.iter_mut().enumerate() {
            let value: T = seq.next_element()?.ok_or_else(|| {
                de::Error::custom(format!(
                    "{} has {index} values, expected {expected}",
                    self.what
                ))
            })?;
            if !value.is_finite_value() {
                return Err(de::Error::custom(format!(
                    "{} value {index} is {value}, expected a finite number",
                    self.what
                )));
            }
            *slot = value;
        }
        let mut extra = 0usize;
        while seq.next_element::<de::IgnoredAny>()?.is_some() {
            extra += 1;
        }
        if extra > 0 {
            return Err(de::Error::custom(format!(
                "{} has {} values, expected {expected}",
                self.what,
                expected + extra
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_survives_a_json_round_trip() {
        let mut layer = Dense::<f64, 2, 3>::zeros();
        layer
            .weight
            .as_mut_slice()
            .copy_from_slice(&[1., 2., 3., 4., 5., 6.]);
        layer.bias.as_mut_slice().copy_from_slice(&[-1., 0.5]);
        let json = serde_json::to_string(&layer).unwrap();
        let back: Dense<f64, 2, 3> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, layer);
    }

    #[test]
    fn a_layer_of_another_shape_is_rejected_naming_both_shapes() {
        let json = serde_json::to_string(&Dense::<f32, 4, 3>::zeros()).unwrap();
        let err = serde_json::from_str::<Dense<f32, 2, 3>>(&json).unwrap_err();
        assert!(err.to_string().contains("shape 4×3, expected 2×3"), "{err}");
    }

    #[test]
    fn a_truncated_weight_list_is_rejected() {
        let json = r#"{"shape":[1,2],"weight":[1.0],"bias":[0.0]}"#;
        let err = serde_json::from_str::<Dense<f32, 1, 2>>(json).unwrap_err();
        assert!(
            err.to_string().contains("weight has 1 values, expected 2"),
            "{err}"
        );
    }
}
