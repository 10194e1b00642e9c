//! The checks of a preprocessing section against the widths of its network.

use std::collections::HashMap;

use super::{PREPROCESSING_VERSION, Preprocessing, PreprocessingError, Scaling};

/// Checks that a section of version `found` can be read.
pub fn check_version(found: u32) -> Result<(), PreprocessingError> {
    if found == PREPROCESSING_VERSION {
        Ok(())
    } else {
        Err(PreprocessingError::Version {
            found: found.into(),
            expected: PREPROCESSING_VERSION,
        })
    }
}

/// The number of classes a classifier with `outputs` outputs tells apart: one per output, or 2
/// for a single output (a sigmoid's probability of the second class).
pub const fn class_count(outputs: usize) -> usize {
    if outputs == 1 { 2 } else { outputs }
}

/// One standardized side: the names of its fields and the network's width there.
struct Side {
    mean: &'static str,
    std: &'static str,
    side: &'static str,
    width: usize,
}

impl<T: Copy + Into<f64>> Preprocessing<T> {
    /// Checks the section against a network of `inputs` inputs and `outputs` outputs: its
    /// version; every list of means and standard deviations as long as the network is wide on
    /// its side, every mean finite and every standard deviation finite and positive; the class
    /// names non-empty, unique and [`class_count(outputs)`](class_count) of them, and not
    /// together with a target standardization. Reports the first problem, naming the field.
    pub fn check(&self, inputs: usize, outputs: usize) -> Result<(), PreprocessingError> {
        check_version(self.version)?;
        if let Some(scaling) = &self.inputs {
            let side = Side {
                mean: "inputs.mean",
                std: "inputs.std",
                side: "input",
                width: inputs,
            };
            check_scaling(scaling, &side)?;
        }
        if let Some(scaling) = &self.targets {
            let side = Side {
                mean: "targets.mean",
                std: "targets.std",
                side: "output",
                width: outputs,
            };
            check_scaling(scaling, &side)?;
        }
        if let Some(classes) = &self.classes {
            check_classes(classes, outputs)?;
            if self.targets.is_some() {
                return Err(PreprocessingError::TargetsWithClasses);
            }
        }
        Ok(())
    }
}

fn check_scaling<T: Copy + Into<f64>>(
    scaling: &Scaling<T>,
    side: &Side,
) -> Result<(), PreprocessingError> {
    for (field, values) in [(side.mean, &scaling.mean), (side.std, &scaling.std)] {
        if values.len() != side.width {
            return Err(PreprocessingError::Length {
                field,
                found: values.len(),
                expected: side.width,
                side: side.side,
            });
        }
    }
    let bad = |field, expected, ok: fn(f64) -> bool, values: &[T]| {
        let index = values.iter().position(|&value| !ok(value.into()))?;
        Some(PreprocessingError::Value {
            field,
            index,
            value: values[index].into(),
            expected,
        })
    };
    let mean = bad(side.mean, "a finite number", f64::is_finite, &scaling.mean);
    let std = bad(
        side.std,
        "a finite positive number",
        |s| s.is_finite() && s > 0.0,
        &scaling.std,
    );
    mean.or(std).map_or(Ok(()), Err)
}

fn check_classes(classes: &[String], outputs: usize) -> Result<(), PreprocessingError> {
    let expected = class_count(outputs);
    if classes.len() != expected {
        return Err(PreprocessingError::ClassCount {
            found: classes.len(),
            expected,
            outputs,
        });
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(classes.len());
    for (index, name) in classes.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(PreprocessingError::EmptyClassName { index });
        }
        if let Some(&first) = seen.get(name.as_str()) {
            return Err(PreprocessingError::DuplicateClassName {
                name: name.clone(),
                first,
                index,
            });
        }
        seen.insert(name, index);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> Preprocessing<f64> {
        Preprocessing {
            inputs: Some(Scaling {
                mean: vec![1.0, 2.0],
                std: vec![0.5, 4.0],
            }),
            classes: Some(vec!["cat".into(), "dog".into(), "emu".into()]),
            ..Preprocessing::new()
        }
    }

    #[test]
    fn a_fitting_section_passes() {
        assert_eq!(section().check(2, 3), Ok(()));
        assert_eq!(Preprocessing::<f32>::new().check(7, 1), Ok(()));
    }

    #[test]
    fn each_problem_names_its_field() {
        let message = |section: Preprocessing<f64>| section.check(2, 3).unwrap_err().to_string();
        let mut wrong = section();
        wrong.version = 2;
        assert_eq!(
            message(wrong),
            "the model file's preprocessing section has version 2, expected version 1"
        );
        let mut short = section();
        short.inputs.as_mut().unwrap().std.pop();
        assert_eq!(
            message(short),
            "the preprocessing `inputs.std` has 1 values, expected 2, the network's input width"
        );
        let mut zero = section();
        zero.inputs.as_mut().unwrap().std[1] = 0.0;
        assert_eq!(
            message(zero),
            "value 1 of the preprocessing `inputs.std` is 0, expected a finite positive number"
        );
        let mut infinite = section();
        infinite.inputs.as_mut().unwrap().mean[0] = f64::INFINITY;
        assert_eq!(
            message(infinite),
            "value 0 of the preprocessing `inputs.mean` is inf, expected a finite number"
        );
        let mut targets = section();
        targets.classes = None;
        targets.targets = Some(Scaling {
            mean: vec![0.0; 3],
            std: vec![f64::NAN; 3],
        });
        assert_eq!(
            message(targets),
            "value 0 of the preprocessing `targets.std` is NaN, expected a finite positive number"
        );
    }

    #[test]
    fn class_names_are_counted_non_empty_and_unique() {
        let message = |classes: &[&str], outputs| {
            let section = Preprocessing::<f32> {
                classes: Some(classes.iter().map(|&name| name.into()).collect()),
                ..Preprocessing::new()
            };
            section.check(1, outputs).unwrap_err().to_string()
        };
        assert_eq!(
            message(&["a", "b"], 3),
            "the model has 2 class names, expected 3, one per output"
        );
        assert_eq!(
            message(&["a"], 1),
            "the model has 1 class names, expected 2 for a single output (the probability of the second class)"
        );
        assert_eq!(
            message(&["a", " ", "c"], 3),
            "class name 1 is empty, expected a non-empty name"
        );
        assert_eq!(
            message(&["a", "b", "a"], 3),
            "class name 2 `a` repeats class name 0, expected unique names"
        );
        let both = Preprocessing::<f32> {
            targets: Some(Scaling {
                mean: vec![0.0],
                std: vec![1.0],
            }),
            classes: Some(vec!["no".into(), "yes".into()]),
            ..Preprocessing::new()
        };
        assert_eq!(
            both.check(1, 1),
            Err(PreprocessingError::TargetsWithClasses)
        );
    }
}
