//! A network saved and loaded with its preprocessing: [`Model`].

mod files;
mod predict;
mod section;

use crate::Network;
use crate::data::{Labels, Standardizer, TargetStandardizer};

use super::ModelError;

/// A network with what turns raw inputs into its inputs and its outputs into answers: the input
/// [`Standardizer`], the [`TargetStandardizer`] of a regression, the class [`Labels`] of a
/// classifier. Each part is optional.
///
/// One file holds all of it ([`save_binary`](Self::save_binary), [`save_json`](Self::save_json),
/// atomic like every model file), and loading gives all of it back, checked against `N`; a
/// prediction from raw inputs is then one call, [`predict_raw`](Self::predict_raw) or
/// [`classify_raw`](Self::classify_raw):
///
/// ```no_run
/// # use nn_runtime::{data::*, model::Model, Dataset, Network};
/// # fn run<N: Network<4, 3, Scalar = f32>>(net: N) -> Result<(), Box<dyn std::error::Error>> {
/// let options = CsvOptions::new().label("species");
/// let (train, labels) = Dataset::<f32, 4, 3>::from_csv_with_labels("iris.csv", &options)?;
/// let scale = Standardizer::fit(&train);
/// // … scale the data and train `net` on it …
/// Model::new(net).with_inputs(scale).with_labels(labels)?.save_binary("iris.nnm")?;
///
/// let model: Model<N, 4, 3> = Model::load_binary("iris.nnm")?;
/// if let Some((species, probability)) = model.classify_raw(&[5.1, 3.5, 1.4, 0.2]) {
///     println!("{species} ({probability:.2})");
/// }
/// # Ok(()) }
/// ```
///
/// The parts are checked when they are added and when a file is loaded, with a
/// [`ModelError::Preprocessing`] naming the field: labels only for a classifier (an output layer
/// with `Softmax`, one name per output, or `Sigmoid` with a single output, two names: the first
/// for an output below ½), non-empty and unique; no target standardization with labels; in a
/// file, every mean finite, every standard deviation finite and positive, each list as long as
/// the network is wide. A model without parts saves exactly the file
/// [`save_binary`](super::save_binary) saves for its network, and the bare loaders
/// ([`load_binary`](super::load_binary), [`load_json`](super::load_json), `include_model!`)
/// read the network of a file with parts, passing the parts over.
#[derive(Clone, Debug, PartialEq)]
pub struct Model<N: Network<IN, OUT>, const IN: usize, const OUT: usize> {
    network: N,
    inputs: Option<Standardizer<N::Scalar, IN>>,
    targets: Option<TargetStandardizer<N::Scalar, OUT>>,
    labels: Option<Labels>,
}

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Model<N, IN, OUT> {
    /// The network alone, without preprocessing.
    pub fn new(network: N) -> Self {
        Self {
            network,
            inputs: None,
            targets: None,
            labels: None,
        }
    }

    /// Standardizes the inputs with `standardizer` before the network.
    pub fn with_inputs(mut self, standardizer: Standardizer<N::Scalar, IN>) -> Self {
        self.inputs = Some(standardizer);
        self
    }

    /// Maps the network's outputs back to the targets' units with `standardizer` (a regression
    /// trained on standardized targets).
    ///
    /// A model with labels is a classifier, whose targets are not standardized:
    /// [`PreprocessingError::TargetsWithClasses`](nn_format::PreprocessingError::TargetsWithClasses).
    pub fn with_targets(
        mut self,
        standardizer: TargetStandardizer<N::Scalar, OUT>,
    ) -> Result<Self, ModelError> {
        self.targets = Some(standardizer);
        self.check()?;
        Ok(self)
    }

    /// Names the network's classes with `labels` (learned with the training data by
    /// [`Dataset::from_csv_with_labels`](crate::Dataset::from_csv_with_labels), or made with
    /// [`Labels::new`]).
    ///
    /// The network must be a classifier: an output layer with `Softmax` and one label per output,
    /// or with `Sigmoid`, a single output and two labels. Anything else is a
    /// [`ModelError::Preprocessing`] saying what was expected.
    pub fn with_labels(mut self, labels: Labels) -> Result<Self, ModelError> {
        self.labels = Some(labels);
        self.check()?;
        Ok(self)
    }

    /// The network.
    pub fn network(&self) -> &N {
        &self.network
    }

    /// The network, to train further or change (the preprocessing stays as it is).
    pub fn network_mut(&mut self) -> &mut N {
        &mut self.network
    }

    /// The network, without the preprocessing.
    pub fn into_network(self) -> N {
        self.network
    }

    /// The input standardization, if any.
    pub fn inputs(&self) -> Option<&Standardizer<N::Scalar, IN>> {
        self.inputs.as_ref()
    }

    /// The target standardization, if any.
    pub fn targets(&self) -> Option<&TargetStandardizer<N::Scalar, OUT>> {
        self.targets.as_ref()
    }

    /// The class labels, if any: give them to
    /// [`CsvOptions::known_labels`](crate::data::CsvOptions::known_labels) to read new data with
    /// the same classes.
    pub fn labels(&self) -> Option<&Labels> {
        self.labels.as_ref()
    }

    /// The class names, in the order of their classes, if any.
    pub fn classes(&self) -> Option<&[String]> {
        self.labels.as_ref().map(Labels::names)
    }
}
