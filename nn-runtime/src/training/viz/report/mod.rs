//! The training report: one self-contained HTML file (inline SVG and CSS, a few lines of
//! script, nothing fetched) showing a [`History`] — loss and metrics per epoch on linear and log
//! scales, the learning rate, the best epoch and why training stopped, each layer's weight and
//! gradient norms — and, given a network and a test set, its confusion matrix or its predicted
//! against true values.
//!
//! ```text
//! let history = trainer.fit(&mut net, &train)?;
//! TrainingReport::new(&history)
//!     .title("Digits")
//!     .classification(&net, &test)?
//!     .save("digits-report.html")?;
//! ```
//!
//! The page's key figures are in its DOM for tools: `#nn-report` carries `data-epochs`,
//! `data-best-epoch` and `data-stop-reason`; each figure an id (`#nn-best-epoch`,
//! `#nn-stop-reason`, `#nn-test-accuracy`, …) and its exact value in `data-value`; each
//! confusion cell `data-true`, `data-predicted` and its count in `data-value`; each row of the
//! epoch table its values. After layout the page sets `data-overflow` on `<body>` to `yes` or
//! `no` (whether it is wider than the window) and writes any script error into
//! `<pre id="nn-errors">`.

mod axis;
mod chart;
mod confusion;
mod error;
mod figures;
mod layers;
mod page;
mod panels;
mod scatter;
mod style;
mod text;

use std::path::Path;

pub use error::ReportError;

use crate::metrics::{self, ConfusionMatrix, RegressionMetrics};
use crate::train::History;
use crate::{DataWidth, Float, LayerKind, Network, TrainingData};
use scatter::Predictions;

/// An HTML report of a training run, built from its [`History`] and optionally a network's
/// results on a test set; see [`training_report`].
#[derive(Clone, Debug)]
pub struct TrainingReport<'h> {
    history: &'h History,
    title: Option<String>,
    network: Option<NetworkFacts>,
    test: Option<TestResults>,
    class_names: Option<Vec<String>>,
}

/// What the report says of the network whose test results it shows.
#[derive(Clone, Debug, PartialEq)]
struct NetworkFacts {
    /// The network's type name.
    name: &'static str,
    /// Its number of parameter values (running statistics included).
    parameters: usize,
    /// The input width, then each dense layer's output width.
    widths: Vec<usize>,
}

/// A network's results on a test set.
#[derive(Clone, Debug, PartialEq)]
enum TestResults {
    /// A classifier's confusion matrix.
    Classification(ConfusionMatrix),
    /// A regressor's predictions and their errors.
    Regression {
        predictions: Predictions,
        metrics: RegressionMetrics,
    },
}

/// A report of `history`: the same as [`TrainingReport::new`].
pub fn training_report(history: &History) -> TrainingReport<'_> {
    TrainingReport::new(history)
}

impl<'h> TrainingReport<'h> {
    /// A report of `history`, titled `Training report`, without test results.
    pub fn new(history: &'h History) -> Self {
        Self {
            history,
            title: None,
            network: None,
            test: None,
            class_names: None,
        }
    }

    /// Sets the heading and page title (`Digits` gives `Digits — training report`).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds the confusion matrix of the classifier `net` on `data` (classes read as
    /// [`metrics::confusion_matrix`] reads them) and the network's name and widths.
    ///
    /// A NaN or infinite output is a [`ReportError::Metric`]; class names given before, not one
    /// per class, a [`ReportError::ClassNames`].
    pub fn classification<
        N,
        D,
        const IN: usize,
        const OUT: usize,
        const DI: usize,
        const DO: usize,
    >(
        self,
        net: &N,
        data: &D,
    ) -> Result<Self, ReportError>
    where
        N: Network<IN, OUT>,
        D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
    {
        let matrix = metrics::confusion_matrix(net, data)?;
        let mut report = self.confusion_matrix(matrix)?;
        report.network = Some(NetworkFacts::of::<N, IN, OUT>());
        Ok(report)
    }

    /// Adds a confusion matrix computed elsewhere. Class names given before, not one per class,
    /// are a [`ReportError::ClassNames`].
    pub fn confusion_matrix(mut self, matrix: ConfusionMatrix) -> Result<Self, ReportError> {
        if let Some(names) = &self.class_names {
            check_names(names.len(), matrix.classes())?;
        }
        self.test = Some(TestResults::Classification(matrix));
        Ok(self)
    }

    /// Names the classes of the confusion matrix (class indices otherwise). With a confusion
    /// matrix already added, names not one per class are a [`ReportError::ClassNames`].
    pub fn class_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self, ReportError> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if let Some(TestResults::Classification(matrix)) = &self.test {
            check_names(names.len(), matrix.classes())?;
        }
        self.class_names = Some(names);
        Ok(self)
    }

    /// Adds the predictions of the regressor `net` on `data` against the true values (a
    /// scatter plot with the line `predicted = true`), their MSE, RMSE, MAE and R², and the
    /// network's name and widths.
    ///
    /// A NaN or infinite output is a [`ReportError::Metric`].
    pub fn regression<N, D, const IN: usize, const OUT: usize, const DI: usize, const DO: usize>(
        mut self,
        net: &N,
        data: &D,
    ) -> Result<Self, ReportError>
    where
        N: Network<IN, OUT>,
        D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
    {
        let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
        let outputs = crate::predict(net, data.inputs())?;
        let metrics = RegressionMetrics::from_rows(&outputs, data.targets())?;
        let pairs = data
            .targets()
            .iter()
            .zip(&outputs)
            .flat_map(|(t, p)| t.iter().zip(p).map(|(t, p)| (t.as_f64(), p.as_f64())))
            .collect();
        self.test = Some(TestResults::Regression {
            predictions: Predictions {
                outputs: OUT,
                pairs,
            },
            metrics,
        });
        self.network = Some(NetworkFacts::of::<N, IN, OUT>());
        Ok(self)
    }

    /// Adds predictions computed elsewhere against their true values, one of each per sample.
    ///
    /// Lengths that differ, no values, or a NaN or infinite value are a
    /// [`ReportError::Metric`].
    pub fn predictions(mut self, predicted: &[f64], actual: &[f64]) -> Result<Self, ReportError> {
        let metrics = RegressionMetrics::new(predicted, actual)?;
        let pairs = actual
            .iter()
            .copied()
            .zip(predicted.iter().copied())
            .collect();
        self.test = Some(TestResults::Regression {
            predictions: Predictions { outputs: 1, pairs },
            metrics,
        });
        Ok(self)
    }

    /// The report as one self-contained HTML document.
    pub fn to_html(&self) -> String {
        page::render(self)
    }

    /// Writes the report to `path` (conventionally `.html`), replacing any file there
    /// atomically as model files are written: a failure leaves what was there.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ReportError> {
        crate::model::file::write_atomic(path.as_ref(), self.to_html().as_bytes())?;
        Ok(())
    }

    /// The class names: those given, or the class indices.
    fn names(&self, classes: usize) -> Vec<String> {
        match &self.class_names {
            Some(names) if names.len() == classes => names.clone(),
            _ => (0..classes).map(|c| c.to_string()).collect(),
        }
    }
}

impl NetworkFacts {
    fn of<N: Network<IN, OUT>, const IN: usize, const OUT: usize>() -> Self {
        let dense = N::LAYERS.iter().filter(|l| l.kind == LayerKind::Dense);
        Self {
            name: N::NAME,
            parameters: N::LEN,
            widths: std::iter::once(IN)
                .chain(dense.map(|l| l.outputs))
                .collect(),
        }
    }
}

/// Checks that there is one name per class.
fn check_names(names: usize, classes: usize) -> Result<(), ReportError> {
    if names == classes {
        Ok(())
    } else {
        Err(ReportError::ClassNames { names, classes })
    }
}
