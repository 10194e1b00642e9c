//! The training report: the per-layer norms that training records, the HTML the report writes
//! (well-formed, self-contained, every figure equal to the history's and the metrics'), and the
//! page in headless Chromium: no script errors, the DOM's numbers equal the history's, no
//! horizontal overflow at a phone's width, and a screenshot.

mod support_browser;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use nn::metrics::{self, ConfusionMatrix, MetricError};
use nn::prelude::*;
use nn::train::LayerHistory;
use nn::viz::{ReportError, TrainingReport, training_report};
use support_browser::{browser_or_skip, is_png};

network! {
    /// A classifier of three clusters in the plane.
    pub struct Blobs: Input<2> -> Dense<8, Tanh> -> Dense<3, Softmax>;
    /// A regressor of a curve.
    pub struct Curve: Input<1> -> Dense<8, Tanh> -> Dense<1>;
    /// A small f64 network, to check gradient norms against the steps an SGD run took.
    pub struct Exact<f64>: Input<2> -> Dense<4, Tanh> -> Dense<2>;
}

// ---- data and runs ----

/// 300 points in three overlapping clusters, labelled by cluster, as (inputs, labels).
fn blobs() -> Dataset<f32, 2, 3> {
    let centers = [[0.0f32, 0.0], [2.0, 0.0], [1.0, 1.7]];
    let mut inputs = Vec::new();
    let mut labels = Vec::new();
    for i in 0..300 {
        let class = i % 3;
        let angle = i as f32 * 2.399_963;
        let radius = 0.2 + 1.1 * ((i * 7) % 13) as f32 / 13.0;
        let [cx, cy] = centers[class];
        inputs.push([cx + radius * angle.cos(), cy + radius * angle.sin()]);
        labels.push(class);
    }
    Dataset::from_labels(&inputs, &labels).unwrap()
}

/// A trained classifier, its history (validation split, early stopping) and a test set.
fn classification_run() -> (Blobs, History, Dataset<f32, 2, 3>) {
    let (train, test) = blobs().split(0.25, 1).unwrap();
    let mut net = Blobs::new(&mut StdRng::seed_from_u64(3));
    let history = Trainer::new(Adam::new(0.03), SoftmaxCrossEntropy)
        .batch_size(32)
        .epochs(40)
        .validation_fraction(0.2)
        .early_stopping(EarlyStopping::new(4))
        .progress(false)
        .seed(3)
        .fit(&mut net, &train)
        .unwrap();
    (net, history, test)
}

/// A trained regressor of `sin(3x)` on [-1, 1], its history and a test set.
fn regression_run() -> (Curve, History, Dataset<f32, 1, 1>) {
    let xs: Vec<f32> = (0..200).map(|i| -1.0 + 2.0 * i as f32 / 199.0).collect();
    let ys: Vec<f32> = xs.iter().map(|x| (3.0 * x).sin()).collect();
    let (train, test) = Dataset::<f32, 1, 1>::from_flat(&xs, &ys)
        .unwrap()
        .split(0.25, 2)
        .unwrap();
    let mut net = Curve::new(&mut StdRng::seed_from_u64(4));
    let history = Trainer::new(Adam::new(0.02), MeanSquaredError)
        .batch_size(16)
        .epochs(30)
        .validation_fraction(0.2)
        .progress(false)
        .seed(4)
        .fit(&mut net, &train)
        .unwrap();
    (net, history, test)
}

/// Each layer's trained tensors of `net`, flattened, in layer order (two tensors a layer).
fn layer_values<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(net: &N) -> Vec<Vec<f64>> {
    let mut layers: Vec<Vec<f64>> = Vec::new();
    let mut tensor = 0usize;
    net.for_each_tensor(|kind, values| {
        assert!(kind.is_trained());
        if tensor.is_multiple_of(2) {
            layers.push(Vec::new());
        }
        let layer = layers.last_mut().unwrap();
        layer.extend(values.iter().map(|v| v.as_f64()));
        tensor += 1;
    });
    layers
}

fn norm(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().map(|v| v * v).sum::<f64>().sqrt()
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-300)
}

// ---- what training records ----

#[test]
fn training_records_each_layers_parameter_norm_after_every_epoch() {
    let (train, _) = blobs().split(0.25, 1).unwrap();
    let mut net = Blobs::new(&mut StdRng::seed_from_u64(5));
    let mut after_each = Vec::new();
    let history = Trainer::new(Adam::new(0.03), SoftmaxCrossEntropy)
        .epochs(6)
        .progress(false)
        .fit_with(&mut net, &train, |_, net| {
            after_each.push(layer_values(net));
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    let names: Vec<&str> = history.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["dense1", "dense2"]);
    for (index, layer) in history.layers.iter().enumerate() {
        assert_eq!(layer.parameter_norms.len(), 6);
        assert_eq!(layer.gradient_norms.len(), 6);
        for (epoch, values) in after_each.iter().enumerate() {
            let expected = norm(values[index].iter().copied());
            let recorded = layer.parameter_norms[epoch];
            assert!(
                relative(recorded, expected) < 1e-12,
                "{} after epoch {}: {recorded} recorded, {expected} computed",
                layer.name,
                epoch + 1
            );
        }
        assert!(
            layer
                .gradient_norms
                .iter()
                .all(|g| g.is_finite() && *g > 0.0)
        );
    }
}

#[test]
fn gradient_norms_are_the_norms_of_the_gradients_the_steps_applied() {
    // One full batch per epoch and plain SGD: each epoch's step moves a layer by exactly
    // −rate × its gradient, so the gradient's norm is the step's length over the rate.
    let inputs: Vec<[f64; 2]> = (0..24)
        .map(|i| [(i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()])
        .collect();
    let targets: Vec<[f64; 2]> = inputs.iter().map(|[a, b]| [a * b, a - b]).collect();
    let data = Dataset::from_arrays(&inputs, &targets).unwrap();
    let rate = 0.1;
    let run = |trainer: Trainer<'_, Sgd, MeanSquaredError>| {
        let mut net = Exact::new(&mut StdRng::seed_from_u64(6));
        let mut weights = vec![layer_values(&net)];
        let mut trainer = trainer
            .batch_size(24)
            .epochs(3)
            .shuffle(false)
            .progress(false);
        let history = trainer
            .fit_with(&mut net, &data, |_, net| {
                weights.push(layer_values(net));
                std::ops::ControlFlow::Continue(())
            })
            .unwrap();
        (history, weights)
    };
    let (history, weights) = run(Trainer::new(Sgd::new(rate), MeanSquaredError));
    for (index, layer) in history.layers.iter().enumerate() {
        for epoch in 0..3 {
            let step = weights[epoch][index]
                .iter()
                .zip(&weights[epoch + 1][index])
                .map(|(before, after)| before - after);
            let expected = norm(step) / rate;
            let recorded = layer.gradient_norms[epoch];
            assert!(
                relative(recorded, expected) < 1e-9,
                "{} epoch {}: {recorded} recorded, {expected} from the step",
                layer.name,
                epoch + 1
            );
        }
    }
    // Clipping by norm shortens the steps, not the recorded norms, which are taken before it:
    // the first epoch starts from the same weights and so has the same gradient.
    let (clipped, clipped_weights) =
        run(Trainer::new(Sgd::new(rate), MeanSquaredError).clip_grad_norm(1e-3));
    for (layer, unclipped) in clipped.layers.iter().zip(&history.layers) {
        assert_eq!(layer.gradient_norms[0], unclipped.gradient_norms[0]);
    }
    let first_step: Vec<f64> = clipped_weights[0]
        .iter()
        .zip(&clipped_weights[1])
        .flat_map(|(before, after)| before.iter().zip(after).map(|(b, a)| b - a))
        .collect();
    assert!(norm(first_step) / rate <= 1e-3 * (1.0 + 1e-9));
}

// ---- the HTML ----

/// A minimal HTML reader for the tests: checks that every element is closed in order, that
/// attributes are quoted and not repeated and that ids are unique, and gives each element its
/// attributes and text.
mod html {
    use std::collections::{HashMap, HashSet};

    /// One element: its tag name, attributes, the text of it and its descendants, and the
    /// indices of its ancestors.
    #[derive(Clone, Debug)]
    pub struct Element {
        pub name: String,
        pub attributes: HashMap<String, String>,
        pub text: String,
        pub ancestors: Vec<usize>,
    }

    impl Element {
        pub fn attribute(&self, name: &str) -> &str {
            self.attributes
                .get(name)
                .unwrap_or_else(|| panic!("<{}> has no {name}: {:?}", self.name, self.attributes))
        }

        pub fn has_class(&self, class: &str) -> bool {
            self.attributes
                .get("class")
                .is_some_and(|c| c.split_whitespace().any(|c| c == class))
        }
    }

    const VOID: [&str; 8] = ["meta", "br", "img", "input", "link", "hr", "col", "wbr"];

    /// The elements of `html` in document order, or what makes it malformed.
    pub fn parse(html: &str) -> Result<Vec<Element>, String> {
        let mut elements: Vec<Element> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut ids = HashSet::new();
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            let raw = &rest[..lt];
            if raw.contains('>') {
                return Err(format!("a stray '>' in text: {raw:?}"));
            }
            let text = decode(raw);
            for &i in &open {
                elements[i].text.push_str(&text);
            }
            rest = &rest[lt..];
            if let Some(comment) = rest.strip_prefix("<!--") {
                let end = comment.find("-->").ok_or("an unclosed comment")?;
                rest = &comment[end + 3..];
                continue;
            }
            let end = tag_end(rest).ok_or_else(|| format!("an unclosed tag: {:.40}", rest))?;
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let top = open.pop().ok_or(format!("</{name}> closes nothing"))?;
                if elements[top].name != name.trim() {
                    return Err(format!("</{name}> closes <{}>", elements[top].name));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let (name, attributes) = start_tag(tag.trim_end_matches('/'))?;
            if let Some(id) = attributes.get("id")
                && !ids.insert(id.clone())
            {
                return Err(format!("the id {id} is used twice"));
            }
            let raw = name == "script" || name == "style";
            let void = self_closing || VOID.contains(&name.as_str());
            elements.push(Element {
                name: name.clone(),
                attributes,
                text: String::new(),
                ancestors: open.clone(),
            });
            if raw {
                let close = format!("</{name}>");
                let end = rest.find(&close).ok_or(format!("an unclosed <{name}>"))?;
                elements.last_mut().unwrap().text = rest[..end].to_string();
                rest = &rest[end + close.len()..];
            } else if !void {
                open.push(elements.len() - 1);
            }
        }
        match open.last() {
            Some(&i) => Err(format!("<{}> is never closed", elements[i].name)),
            None => Ok(elements),
        }
    }

    /// The index of the `>` that ends the tag at the start of `text`, outside quotes.
    fn tag_end(text: &str) -> Option<usize> {
        let mut quoted = false;
        for (i, c) in text.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => return Some(i),
                '<' if !quoted && i > 0 => return None,
                _ => {}
            }
        }
        None
    }

    /// The name and attributes of a start tag's inside.
    fn start_tag(tag: &str) -> Result<(String, HashMap<String, String>), String> {
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let name = tag[..name_end].to_string();
        if name.is_empty() {
            return Err(format!("a tag without a name: <{tag}>"));
        }
        let mut attributes = HashMap::new();
        let mut rest = tag[name_end..].trim_start();
        while !rest.is_empty() {
            let key_end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(rest.len());
            let key = rest[..key_end].to_string();
            rest = &rest[key_end..];
            let value = if let Some(after) = rest.strip_prefix("=\"") {
                let close = after
                    .find('"')
                    .ok_or(format!("<{name}>: {key} is unclosed"))?;
                let value = decode(&after[..close]);
                rest = &after[close + 1..];
                value
            } else if rest.starts_with('=') {
                return Err(format!("<{name}>: {key} is not quoted"));
            } else {
                String::new()
            };
            if attributes.insert(key.clone(), value).is_some() {
                return Err(format!("<{name}>: {key} is repeated"));
            }
            rest = rest.trim_start();
        }
        Ok((name, attributes))
    }

    fn decode(text: &str) -> String {
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&")
    }
}

use html::Element;

/// The element with `id`.
fn by_id<'e>(elements: &'e [Element], id: &str) -> &'e Element {
    elements
        .iter()
        .find(|e| e.attributes.get("id").map(String::as_str) == Some(id))
        .unwrap_or_else(|| panic!("no element #{id}"))
}

fn number(element: &Element, attribute: &str) -> f64 {
    let text = element.attribute(attribute);
    text.parse()
        .unwrap_or_else(|_| panic!("{attribute}={text:?} is not a number"))
}

/// Checks the figures of a report page (the HTML written, or the DOM after the scripts ran)
/// against `history`: the run's figures, every epoch's row, every chart's epoch ticks.
fn check_history_figures(elements: &[Element], history: &History) {
    let epochs = history.epochs.len();
    let report = by_id(elements, "nn-report");
    assert_eq!(report.attribute("data-epochs"), epochs.to_string());
    assert_eq!(
        report.attribute("data-best-epoch"),
        history.best_epoch.to_string()
    );
    assert_eq!(
        number(by_id(elements, "nn-epochs"), "data-value"),
        epochs as f64
    );
    assert_eq!(
        by_id(elements, "nn-best-epoch").text,
        history.best_epoch.to_string()
    );
    let stop = by_id(elements, "nn-stop-reason");
    assert_eq!(stop.text, history.stop_reason.to_string());
    let kind = match history.stop_reason {
        StopReason::EpochLimit => "epoch-limit",
        StopReason::EarlyStopping { .. } => "early-stopping",
        StopReason::Callback { .. } => "callback",
    };
    assert_eq!(stop.attribute("data-value"), kind);
    assert_eq!(report.attribute("data-stop-reason"), kind);
    let best = history.best().unwrap();
    assert_eq!(
        number(by_id(elements, "nn-best-loss"), "data-value"),
        best.monitored_loss()
    );
    assert_eq!(
        number(by_id(elements, "nn-last-train-loss"), "data-value"),
        history.last().unwrap().train_loss
    );

    // Every epoch's row, exact.
    let rows: Vec<&Element> = elements
        .iter()
        .filter(|e| e.name == "tr" && e.attributes.contains_key("data-epoch"))
        .collect();
    assert_eq!(rows.len(), epochs);
    for (row, record) in rows.iter().zip(&history.epochs) {
        assert_eq!(number(row, "data-epoch"), record.epoch as f64);
        assert_eq!(number(row, "data-train-loss"), record.train_loss);
        assert_eq!(number(row, "data-learning-rate"), record.learning_rate);
        if let Some(loss) = record.validation_loss {
            assert_eq!(number(row, "data-validation-loss"), loss);
        }
        assert_eq!(row.has_class("best"), record.epoch == history.best_epoch);
    }

    // The charts: linear and log loss, each metric, the rate, the layers; epoch ticks whole.
    let charts: Vec<&Element> = elements.iter().filter(|e| e.has_class("chart")).collect();
    let ids: HashSet<&str> = charts.iter().map(|c| c.attribute("id")).collect();
    for id in [
        "nn-loss-linear",
        "nn-loss-log",
        "nn-layers-parameters",
        "nn-layers-gradients",
    ] {
        assert!(ids.contains(id), "no chart {id} among {ids:?}");
    }
    let best_lines = elements
        .iter()
        .filter(|e| {
            e.name == "line" && e.has_class("best") && e.attributes.contains_key("data-epoch")
        })
        .collect::<Vec<_>>();
    assert_eq!(
        best_lines.len(),
        charts.len(),
        "every chart marks the best epoch"
    );
    assert!(
        best_lines
            .iter()
            .all(|l| l.attribute("data-epoch") == history.best_epoch.to_string())
    );
    // Each section of charts has one legend, naming the best-epoch marker.
    let sections: HashSet<usize> = elements
        .iter()
        .filter(|e| e.has_class("chart"))
        .filter_map(|e| {
            e.ancestors
                .iter()
                .copied()
                .find(|&a| elements[a].name == "section")
        })
        .collect();
    let best_entries = elements
        .iter()
        .filter(|e| e.name == "li" && e.text == format!("best epoch ({})", history.best_epoch))
        .count();
    assert_eq!(best_entries, sections.len());
    // Every chart's epoch axis ticks on whole epochs within the run.
    for (index, chart) in elements
        .iter()
        .enumerate()
        .filter(|(_, e)| e.has_class("chart"))
    {
        let ticks: Vec<&str> = elements
            .iter()
            .filter(|e| e.ancestors.contains(&index) && e.has_class("tick"))
            .filter(|e| e.attributes.get("text-anchor").map(String::as_str) == Some("middle"))
            .map(|e| e.text.as_str())
            .collect();
        assert!(
            !ticks.is_empty(),
            "{} has no epoch ticks",
            chart.attribute("id")
        );
        for tick in ticks {
            let epoch: usize = tick
                .parse()
                .unwrap_or_else(|_| panic!("the tick {tick:?} is not a whole epoch"));
            assert!(
                (1..=epochs).contains(&epoch),
                "tick {epoch} of {epochs} epochs"
            );
        }
    }

    // The layers' table: the last norms.
    for layer in &history.layers {
        let row = elements
            .iter()
            .find(|e| e.attributes.get("data-layer") == Some(&layer.name))
            .unwrap();
        assert_eq!(
            number(row, "data-parameter-norm"),
            *layer.parameter_norms.last().unwrap()
        );
        assert_eq!(
            number(row, "data-gradient-norm"),
            *layer.gradient_norms.last().unwrap()
        );
    }
}

/// Checks the confusion-matrix cells against `matrix`.
fn check_confusion(elements: &[Element], matrix: &ConfusionMatrix) {
    let cells: HashMap<(usize, usize), usize> = elements
        .iter()
        .filter(|e| e.name == "rect" && e.has_class("cell"))
        .map(|e| {
            let at = |a: &str| e.attribute(a).parse::<usize>().unwrap();
            ((at("data-true"), at("data-predicted")), at("data-value"))
        })
        .collect();
    assert_eq!(cells.len(), matrix.classes() * matrix.classes());
    for (actual, row) in matrix.rows().enumerate() {
        for (predicted, &count) in row.iter().enumerate() {
            assert_eq!(
                cells[&(actual, predicted)],
                count,
                "cell {actual}, {predicted}"
            );
        }
    }
    assert_eq!(
        number(by_id(elements, "nn-test-accuracy"), "data-value"),
        matrix.accuracy()
    );
    assert_eq!(
        number(by_id(elements, "nn-test-samples"), "data-value"),
        matrix.samples() as f64
    );
}

#[test]
fn a_classification_report_is_well_formed_self_contained_and_shows_the_historys_figures() {
    let (net, history, test) = classification_run();
    let html = training_report(&history)
        .title("Blobs <3 classes>")
        .classification(&net, &test)
        .unwrap()
        .to_html();
    let elements = html::parse(&html).unwrap();
    check_history_figures(&elements, &history);
    check_confusion(&elements, &metrics::confusion_matrix(&net, &test).unwrap());
    // Self-contained: nothing fetched, no address at all.
    assert!(!html.contains("http"), "the page refers to an address");
    assert!(
        !elements
            .iter()
            .any(|e| e.attributes.contains_key("src") || e.name == "link")
    );
    // The title escaped, the network named.
    assert_eq!(by_id(&elements, "nn-report").name, "main");
    let title = elements.iter().find(|e| e.name == "title").unwrap();
    assert_eq!(title.text, "Blobs <3 classes> — training report");
    assert!(html.contains("Blobs (2 → 8 → 3, 51 parameters)"));
    // Accuracy per epoch, training and validation, on both scales.
    for id in ["nn-accuracy-linear", "nn-accuracy-log"] {
        let chart = by_id(&elements, id);
        assert_eq!(chart.attribute("data-scale"), &id[12..]);
    }
    // Each epoch's dot holds its exact value (runs this short get dots).
    let dots: Vec<f64> = elements
        .iter()
        .filter(|e| e.name == "circle" && e.has_class("dot") && e.has_class("c0"))
        .take(history.epochs.len())
        .map(|e| number(e, "data-value"))
        .collect();
    let losses: Vec<f64> = history.train_losses().collect();
    assert_eq!(dots, losses);
}

#[test]
fn a_regression_report_plots_predicted_against_true_values() {
    let (net, history, test) = regression_run();
    let html = TrainingReport::new(&history)
        .title("Curve")
        .regression(&net, &test)
        .unwrap()
        .to_html();
    let elements = html::parse(&html).unwrap();
    check_history_figures(&elements, &history);
    let expected = metrics::regression_metrics(&net, &test).unwrap();
    assert_eq!(
        number(by_id(&elements, "nn-test-r2"), "data-value"),
        expected.r2.unwrap()
    );
    assert_eq!(
        number(by_id(&elements, "nn-test-rmse"), "data-value"),
        expected.rmse
    );
    assert_eq!(
        number(by_id(&elements, "nn-test-mae"), "data-value"),
        expected.mae
    );
    let scatter = by_id(&elements, "nn-scatter");
    assert_eq!(number(scatter, "data-samples"), test.len() as f64);
    let points = elements.iter().filter(|e| e.has_class("point")).count();
    // Every test sample, and one swatch in the legend.
    assert_eq!(points, test.len() + 1);
    assert!(elements.iter().any(|e| e.has_class("identity")));
    // MSE and MAE per epoch, on both scales.
    for id in ["nn-mse-linear", "nn-mse-log", "nn-mae-linear", "nn-mae-log"] {
        by_id(&elements, id);
    }
}

#[test]
fn class_names_predictions_and_saving_report_their_errors() {
    let (net, history, test) = classification_run();
    let matrix = metrics::confusion_matrix(&net, &test).unwrap();
    // Names not one per class, given before or after the matrix.
    let error = TrainingReport::new(&history)
        .class_names(["a", "b"])
        .unwrap()
        .classification(&net, &test)
        .unwrap_err();
    assert!(
        matches!(
            error,
            ReportError::ClassNames {
                names: 2,
                classes: 3
            }
        ),
        "{error}"
    );
    let error = TrainingReport::new(&history)
        .confusion_matrix(matrix.clone())
        .unwrap()
        .class_names(["a", "b", "c", "d"])
        .unwrap_err();
    assert!(matches!(
        error,
        ReportError::ClassNames {
            names: 4,
            classes: 3
        }
    ));
    // Names one per class label the heat map.
    let html = TrainingReport::new(&history)
        .class_names(["north", "east", "south"])
        .unwrap()
        .confusion_matrix(matrix)
        .unwrap()
        .to_html();
    assert!(html.contains("true south, predicted"));
    // Predictions and true values of other lengths, or none.
    let error = TrainingReport::new(&history)
        .predictions(&[1.0, 2.0], &[1.0])
        .unwrap_err();
    assert!(matches!(
        error,
        ReportError::Metric(MetricError::LengthMismatch { .. })
    ));
    assert!(matches!(
        TrainingReport::new(&history).predictions(&[], &[]),
        Err(ReportError::Metric(MetricError::Empty))
    ));
    // Saving: the page as to_html gives it; a directory in the way is a typed error that
    // leaves it there.
    let dir = tempfile::tempdir().unwrap();
    let report = TrainingReport::new(&history).title("Blobs");
    let path = dir.path().join("report.html");
    report.save(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), report.to_html());
    let error = report.save(dir.path()).unwrap_err();
    assert!(matches!(error, ReportError::File(_)), "{error}");
    assert!(dir.path().is_dir());
}

#[test]
fn a_history_without_epochs_or_layers_still_makes_a_page() {
    let history = History {
        epochs: Vec::new(),
        layers: Vec::<LayerHistory>::new(),
        best_epoch: 0,
        stop_reason: StopReason::Callback { epoch: 0 },
        restored_best_weights: false,
        threads: 1,
    };
    let html = training_report(&history).to_html();
    let elements = html::parse(&html).unwrap();
    assert_eq!(by_id(&elements, "nn-report").attribute("data-epochs"), "0");
    assert!(html.contains("No epoch finished"));
    assert!(!elements.iter().any(|e| e.has_class("chart")));
}

#[test]
fn the_checker_finds_malformed_html() {
    for bad in [
        "<div><span></div></span>",
        "<p>open",
        r#"<a id="x"></a><b id="x"></b>"#,
        "<rect x=1/>",
        r#"<rect x="1" x="2"/>"#,
    ] {
        assert!(html::parse(bad).is_err(), "{bad}");
    }
    assert!(html::parse(r#"<svg><path d="M1 2"/></svg><meta charset="utf-8">"#).is_ok());
}

// ---- the page in a browser ----

fn output_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("viz_report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn in_a_browser_the_page_runs_without_errors_shows_the_historys_numbers_and_fits_a_phone() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let (net, history, test) = classification_run();
    let (curve, curve_history, curve_test) = regression_run();
    let dir = output_dir();
    let blobs_page = dir.join("blobs.html");
    TrainingReport::new(&history)
        .title("Blobs")
        .classification(&net, &test)
        .unwrap()
        .save(&blobs_page)
        .unwrap();
    let curve_page = dir.join("curve.html");
    TrainingReport::new(&curve_history)
        .title("A curve with a long title that has to wrap on a phone's narrow screen")
        .regression(&curve, &curve_test)
        .unwrap()
        .save(&curve_page)
        .unwrap();
    let matrix = metrics::confusion_matrix(&net, &test).unwrap();

    let runs = [(&blobs_page, 390), (&blobs_page, 1200), (&curve_page, 390)];
    let mut doms = vec![String::new(); runs.len()];
    std::thread::scope(|scope| {
        for ((page, width), dom) in runs.iter().zip(doms.iter_mut()) {
            let browser = &browser;
            scope.spawn(move || *dom = browser.dump_dom(page, "", *width));
        }
    });
    for ((page, width), dom) in runs.iter().zip(&doms) {
        let context = format!("{} at {width} px", page.display());
        let elements = html::parse(dom).unwrap_or_else(|e| panic!("{context}: {e}"));
        assert_eq!(
            by_id(&elements, "nn-errors").text,
            "",
            "{context}: script errors"
        );
        let body = elements.iter().find(|e| e.name == "body").unwrap();
        assert_eq!(
            body.attribute("data-overflow"),
            "no",
            "{context}: the page is wider than the window"
        );
        if *page == &blobs_page {
            check_history_figures(&elements, &history);
            check_confusion(&elements, &matrix);
        } else {
            check_history_figures(&elements, &curve_history);
        }
    }

    let png = dir.join("blobs.png");
    let _ = std::fs::remove_file(&png);
    browser.screenshot(&blobs_page, "", &png, 1200, 1600);
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        is_png(&bytes) && bytes.len() > 10_000,
        "{} bytes",
        bytes.len()
    );
}

#[test]
fn in_a_browser_a_page_too_wide_for_the_window_reads_as_overflowing() {
    // The overflow flag can fail: a page widened past the window sets it.
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let (_, history, _) = classification_run();
    let html = training_report(&history)
        .to_html()
        .replace("<footer>", r#"<div style="width:900px">wide</div><footer>"#);
    let page = output_dir().join("too-wide.html");
    std::fs::write(&page, html).unwrap();
    let dom = browser.dump_dom(&page, "", 390);
    let elements = html::parse(&dom).unwrap();
    let body = elements.iter().find(|e| e.name == "body").unwrap();
    assert_eq!(body.attribute("data-overflow"), "yes");
}
