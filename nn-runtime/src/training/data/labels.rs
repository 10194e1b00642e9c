//! Class names and their indices: how a CSV file's string labels become the classes a network
//! tells apart, and back.

use std::collections::HashMap;

use crate::DataError;

/// Class names, each at the index of its class: the network output that scores it (for a
/// classifier with a single output, index 0 for an output below ½ and 1 for ½ or more).
///
/// Learned from a training file by [`Dataset::from_csv_with_labels`](super::Dataset::from_csv_with_labels),
/// which sorts them (numerically when every label is a number, else by their text, as
/// scikit-learn's `LabelEncoder` does), so that the indices do not depend on the order of the
/// rows. Given with [`CsvOptions::known_labels`](super::CsvOptions::known_labels) to read a later
/// file with the same classes, where a label not among them is a
/// [`DataError::CsvUnknownLabel`] naming it and its line. Saved with the network in an
/// [`nn::model::Model`](crate::model::Model).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels {
    names: Vec<String>,
    indices: HashMap<String, usize>,
}

impl Labels {
    /// Labels with these names, class `i` named by the `i`-th, in the order given (a model's
    /// classes, or an order of one's own).
    ///
    /// A name that is empty or only spaces is a [`DataError::EmptyLabel`], a name given twice a
    /// [`DataError::DuplicateLabel`].
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Result<Self, DataError> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let mut indices = HashMap::with_capacity(names.len());
        for (index, name) in names.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(DataError::EmptyLabel { index });
            }
            if let Some(&first) = indices.get(name) {
                return Err(DataError::DuplicateLabel {
                    name: name.clone(),
                    first,
                    index,
                });
            }
            indices.insert(name.clone(), index);
        }
        Ok(Self { names, indices })
    }

    /// Labels of the distinct `names` (each non-empty), sorted: by value when every name is a
    /// finite number (`2` before `10`), else by text; equal numbers written differently by text.
    pub(crate) fn sorted(mut names: Vec<String>) -> Self {
        let numbers: Option<Vec<f64>> = names
            .iter()
            .map(|name| name.parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        match numbers {
            Some(numbers) => {
                let mut pairs: Vec<(f64, String)> = numbers.into_iter().zip(names).collect();
                pairs.sort_by(|(x, a), (y, b)| x.total_cmp(y).then_with(|| a.cmp(b)));
                names = pairs.into_iter().map(|(_, name)| name).collect();
            }
            None => names.sort(),
        }
        names.dedup();
        Self::checked(names)
    }

    /// Labels of names already known to be non-empty and unique (a model file's, once checked).
    pub(crate) fn checked(names: Vec<String>) -> Self {
        let indices = names
            .iter()
            .enumerate()
            .map(|(index, name)| (name.clone(), index))
            .collect();
        Self { names, indices }
    }

    /// The number of classes.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no classes.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names, in the order of their classes.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The name of class `index`, or `None` past the last class.
    pub fn name(&self, index: usize) -> Option<&str> {
        self.names.get(index).map(String::as_str)
    }

    /// The class named `name`, or `None` for a name not among the labels.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.indices.get(name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_order_and_map_both_ways() {
        let labels = Labels::new(["setosa", "versicolor", "virginica"]).unwrap();
        assert_eq!(labels.len(), 3);
        assert_eq!(labels.index("versicolor"), Some(1));
        assert_eq!(labels.index("Versicolor"), None);
        assert_eq!(labels.name(2), Some("virginica"));
        assert_eq!(labels.name(3), None);
        assert_eq!(labels.names(), ["setosa", "versicolor", "virginica"]);
    }

    #[test]
    fn empty_and_repeated_names_are_errors() {
        assert_eq!(
            Labels::new(["a", " "]),
            Err(DataError::EmptyLabel { index: 1 })
        );
        let error = Labels::new(["a", "b", "a"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "class label 2 `a` repeats class label 0, expected unique labels"
        );
    }

    #[test]
    fn learned_labels_are_sorted_by_value_or_by_text() {
        let words = ["virginica", "setosa", "versicolor", "setosa"];
        let labels = Labels::sorted(words.map(String::from).to_vec());
        assert_eq!(labels.names(), ["setosa", "versicolor", "virginica"]);
        let numbers = ["10", "2", "-1", "2.0", "2"];
        let labels = Labels::sorted(numbers.map(String::from).to_vec());
        assert_eq!(labels.names(), ["-1", "2", "2.0", "10"]);
        let mixed = ["10", "2", "b"];
        let labels = Labels::sorted(mixed.map(String::from).to_vec());
        assert_eq!(labels.names(), ["10", "2", "b"]);
    }
}
