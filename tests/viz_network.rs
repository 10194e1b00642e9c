//! Pictures of networks: the layer traces behind them, and the HTML page run in headless
//! Chromium, where every number shown must be nn's own for the sample.

use nn::nalgebra::SVector;
use nn::prelude::*;
use nn::{LayerTrace, Loss, TensorKind, TraceKind, viz};

network! {
    /// The small network of the page tests.
    pub struct Small: Input<3> -> Dense<4, Tanh> -> Dense<2, Softmax>;
    /// Every kind of layer a page shows, with an activation that keeps its inputs.
    pub struct Mixed: Input<3> -> Dense<5, Gelu> -> Dropout<0.25> -> LayerNorm<Relu>
        -> Dense<4> -> Dense<2, Sigmoid>;
    /// Dropout first: the layer before every parameter gets no gradient.
    pub struct DropFirst: Input<3> -> Dropout<0.5> -> Dense<2, Tanh> -> Dense<1>;
}

/// A copy of one layer's trace.
#[derive(Clone, Debug)]
struct Owned {
    name: &'static str,
    kind: TraceKind,
    width: usize,
    pre_activation: Option<Vec<f32>>,
    activation: Vec<f32>,
    output_gradient: Option<Vec<f32>>,
    delta: Option<Vec<f32>>,
}

impl Owned {
    fn of(trace: LayerTrace<'_, f32>) -> Self {
        Owned {
            name: trace.name,
            kind: trace.kind,
            width: trace.width,
            pre_activation: trace.pre_activation.map(<[f32]>::to_vec),
            activation: trace.activation.to_vec(),
            output_gradient: trace.output_gradient.map(<[f32]>::to_vec),
            delta: trace.delta.map(<[f32]>::to_vec),
        }
    }
}

/// A training pass of `net` on one sample, then its traces; also the network's outputs.
fn trace_one<N: Network<IN, OUT, Scalar = f32>, const IN: usize, const OUT: usize>(
    net: &N,
    input: [f32; IN],
    target: [f32; OUT],
    loss: &impl Loss<N::OutputActivation>,
) -> (Vec<Owned>, Vec<f32>, N::Workspace) {
    let input = BatchMatrix::from_columns(&[SVector::from(input)]);
    let target = BatchMatrix::from_columns(&[SVector::from(target)]);
    let mut workspace = N::workspace(1);
    let outputs = net
        .forward_train(&input, &mut workspace)
        .as_slice()
        .to_vec();
    net.output_gradient(loss, &target, &mut workspace);
    let mut gradients = N::gradients();
    net.backward(&input, &mut workspace, &mut gradients);
    let mut traces = Vec::new();
    net.for_each_layer_trace(&input, &workspace, |trace| traces.push(Owned::of(trace)));
    (traces, outputs, workspace)
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn traces_give_each_layer_its_values_before_and_after_the_activation_and_its_gradients() {
    let net = Small::new(&mut StdRng::seed_from_u64(7));
    let (traces, outputs, _) = trace_one(&net, [0.5, -1.0, 2.0], [0.0, 1.0], &SoftmaxCrossEntropy);
    let names: Vec<_> = traces.iter().map(|t| (t.name, t.kind, t.width)).collect();
    assert_eq!(
        names,
        [
            ("dense1", TraceKind::Dense, 4),
            ("dense2", TraceKind::Dense, 2)
        ]
    );
    let (hidden, last) = (&traces[0], &traces[1]);
    assert_eq!(last.activation, outputs);
    let z = hidden.pre_activation.as_ref().unwrap();
    for (a, z) in hidden.activation.iter().zip(z) {
        assert!(close(*a, z.tanh()), "a = {a}, tanh(z) = {}", z.tanh());
    }
    // The loss gives the last layer δ = a − y and no ∂L/∂a.
    assert!(last.output_gradient.is_none());
    let delta = last.delta.as_ref().unwrap();
    assert!(close(delta[0], outputs[0]) && close(delta[1], outputs[1] - 1.0));
    // δ of the hidden layer = tanh'(z)·∂L/∂a, and ∂L/∂a = Wᵀ·δ of the last layer.
    let gradient = hidden.output_gradient.as_ref().unwrap();
    let weight = net.dense2.weight.as_slice();
    for j in 0..4 {
        let expected = weight[2 * j] * delta[0] + weight[2 * j + 1] * delta[1];
        assert!(close(gradient[j], expected));
        let a = hidden.activation[j];
        assert!(close(
            hidden.delta.as_ref().unwrap()[j],
            (1.0 - a * a) * gradient[j]
        ));
    }
}

#[test]
fn values_computed_again_equal_those_the_pass_kept_to_the_bit() {
    let net = Mixed::new(&mut StdRng::seed_from_u64(3));
    let (traces, outputs, workspace) =
        trace_one(&net, [1.5, -0.25, 0.75], [1.0, 0.0], &BinaryCrossEntropy);
    let kinds: Vec<_> = traces.iter().map(|t| t.name).collect();
    assert_eq!(
        kinds,
        ["dense1", "dropout1", "layernorm1", "dense2", "dense3"]
    );
    // Gelu keeps its inputs: the trace computes z again, and gets the same bits.
    let kept = workspace.dense1.inputs.as_slice();
    let traced = traces[0].pre_activation.as_ref().unwrap();
    assert_eq!(
        kept.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        traced.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    // No mask was drawn: dropout passes its input on.
    assert_eq!(traces[1].activation, traces[0].activation);
    assert!(traces[1].pre_activation.is_none());
    assert_eq!(traces[1].delta, traces[1].output_gradient);
    // LayerNorm<Relu>: a = relu(y).
    let y = traces[2].pre_activation.as_ref().unwrap();
    for (a, y) in traces[2].activation.iter().zip(y) {
        assert_eq!(*a, y.max(0.0));
    }
    // The identity: z is the output.
    assert_eq!(
        traces[3].pre_activation.as_ref(),
        Some(&traces[3].activation)
    );
    assert_eq!(traces[4].activation, outputs);
}

#[test]
fn a_layer_before_every_parameter_gets_no_gradient() {
    let net = DropFirst::new(&mut StdRng::seed_from_u64(1));
    let (traces, _, _) = trace_one(&net, [1.0, 2.0, 3.0], [0.5], &MeanSquaredError);
    assert_eq!(traces[0].kind, TraceKind::Dropout { rate: 0.5 });
    assert!(traces[0].delta.is_none() && traces[0].output_gradient.is_none());
    assert!(traces[1].delta.is_some() && traces[1].output_gradient.is_some());
    assert_eq!(traces[0].activation, [1.0, 2.0, 3.0]);
    let _ = viz::TraceKind::Dense.name();
}

// ---- the page, in a headless browser ----

mod support_browser;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use nn::train::Penalty;
use scraper::{Html, Selector};
use support_browser::{Browser, browser_or_skip, is_png};

network! {
    /// A network with a 784-wide input, drawn by a summary.
    pub struct Wide: Input<784> -> Dense<32, Relu> -> Dense<10, Softmax>;
    /// Batch normalization, which one sample cannot show.
    pub struct Batched: Input<3> -> Dense<4> -> BatchNorm<Relu> -> Dense<1>;
}

/// A number on the page: what it is (`data-q`), its layer, its unit and its input.
type Key = (String, String, Option<usize>, Option<usize>);

fn key(q: &str, layer: &str, i: Option<usize>, j: Option<usize>) -> Key {
    (q.to_string(), layer.to_string(), i, j)
}

/// Every number the page of this step may show, as nn's public API computes it, in Rust's
/// shortest round-trip text.
fn expected_numbers<N, L, O, const IN: usize, const OUT: usize>(
    net: &N,
    input: [f32; IN],
    target: [f32; OUT],
    loss: &L,
    optimizer: &O,
    penalty: &Penalty,
) -> HashMap<Key, String>
where
    N: Network<IN, OUT, Scalar = f32> + Clone,
    L: Loss<N::OutputActivation>,
    O: Optimizer + Clone,
{
    let mut expected = HashMap::new();
    let mut put = |k: Key, v: String| {
        expected.insert(k, v);
    };
    let input_batch = BatchMatrix::from_columns(&[SVector::from(input)]);
    let target_batch = BatchMatrix::from_columns(&[SVector::from(target)]);
    let mut workspace = N::workspace(1);
    net.forward_train(&input_batch, &mut workspace);
    let data_loss = net.output_gradient(loss, &target_batch, &mut workspace);
    let mut gradients = N::gradients();
    net.backward(&input_batch, &mut workspace, &mut gradients);
    for (i, x) in input.iter().enumerate() {
        put(key("x", "input", Some(i), None), format!("{x:?}"));
    }
    for (i, y) in target.iter().enumerate() {
        put(key("target", "", Some(i), None), format!("{y:?}"));
    }
    net.for_each_layer_trace(&input_batch, &workspace, |trace| {
        let mut each = |q: &str, values: Option<&[f32]>| {
            for (i, v) in values.unwrap_or(&[]).iter().enumerate() {
                put(key(q, trace.name, Some(i), None), format!("{v:?}"));
            }
        };
        each("z", trace.pre_activation);
        each("xhat", trace.normalized);
        each("mask", trace.mask);
        each("a", Some(trace.activation));
        each("grad_a", trace.output_gradient);
        each("delta", trace.delta);
    });

    // Parameters, gradients, and one optimizer step as the trainer takes it.
    let mut values = Vec::new();
    net.for_each_tensor(|kind, v| {
        if kind.is_trained() {
            values.push((kind, v.to_vec()));
        }
    });
    let mut raw = Vec::new();
    gradients.for_each_tensor(|_, g| raw.push(g.to_vec()));
    let mut stepped = net.clone();
    let mut optimizer = optimizer.clone();
    optimizer.prepare::<f32>(N::LEN);
    optimizer.begin_step();
    let (mut offset, mut penalty_value, mut penalized) = (0, 0.0, Vec::new());
    stepped.update(&mut gradients, |kind, parameters, gradient| {
        penalty_value += penalty.apply(kind, parameters, gradient);
        penalized.push(gradient.to_vec());
        optimizer.update(kind, parameters, gradient, offset);
        offset += parameters.len();
    });
    let mut after = Vec::new();
    stepped.for_each_tensor(|kind, v| {
        if kind.is_trained() {
            after.push(v.to_vec());
        }
    });
    let mut tensor = 0;
    for shape in N::LAYERS {
        for _ in 0..2 {
            let (kind, before) = &values[tensor];
            let (q, dq, gq, uq) = match kind {
                TensorKind::Weight | TensorKind::Scale => ("w", "dw", "gw", "uw"),
                _ => ("b", "db", "gb", "ub"),
            };
            for (k, v) in before.iter().enumerate() {
                let (i, j) = if *kind == TensorKind::Weight {
                    (k % shape.outputs, Some(k / shape.outputs))
                } else {
                    (k, None)
                };
                let mut put_one = |q: &str, value: f32| {
                    put(key(q, shape.name, Some(i), j), format!("{value:?}"));
                };
                put_one(q, *v);
                put_one(dq, raw[tensor][k]);
                if penalty.is_active() && *kind == TensorKind::Weight {
                    put_one(gq, penalized[tensor][k]);
                }
                put_one(uq, after[tensor][k] - v);
            }
            tensor += 1;
        }
    }
    let data_loss = f64::from(data_loss);
    put(
        key("loss", "", None, None),
        format!("{:?}", data_loss as f32),
    );
    put(key("penalty", "", None, None), format!("{penalty_value:?}"));
    put(
        key("total", "", None, None),
        format!("{:?}", data_loss + penalty_value),
    );
    expected
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// What one dumped DOM shows.
struct Shown {
    step: usize,
    last: usize,
    phase: String,
    layer: String,
    numbers: HashSet<Key>,
    overflow: String,
    document: Html,
}

/// Checks a DOM has no script error and that every number on it is the expected one, exactly.
fn check_dom(dom: &str, expected: &HashMap<Key, String>, context: &str) -> Shown {
    let document = Html::parse_document(dom);
    let errors: String = document
        .select(&selector("#nn-errors"))
        .next()
        .unwrap_or_else(|| panic!("{context}: no #nn-errors element in\n{dom}"))
        .text()
        .collect();
    assert_eq!(errors.trim(), "", "{context}: script errors");
    let step = document
        .select(&selector("#nn-step"))
        .next()
        .unwrap()
        .value();
    let attribute = |name: &str| step.attr(name).unwrap_or_default().to_string();
    let mut numbers = HashSet::new();
    for element in document.select(&selector("[data-value]")) {
        let element = element.value();
        let index = |name: &str| element.attr(name).map(|v| v.parse::<usize>().unwrap());
        let key = key(
            element.attr("data-q").unwrap_or_default(),
            element.attr("data-layer").unwrap_or_default(),
            index("data-i"),
            index("data-j"),
        );
        let shown = element.attr("data-value").unwrap();
        match expected.get(&key) {
            Some(value) => assert_eq!(shown, value, "{context}: {key:?}"),
            None => panic!("{context}: {key:?} = {shown} is not a number of the pass"),
        }
        numbers.insert(key);
    }
    let overflow = document
        .select(&selector("body"))
        .next()
        .unwrap()
        .value()
        .attr("data-overflow")
        .unwrap_or_default()
        .to_string();
    Shown {
        step: attribute("data-step").parse().unwrap(),
        last: attribute("data-last").parse().unwrap(),
        phase: attribute("data-phase"),
        layer: attribute("data-layer"),
        numbers,
        overflow,
        document,
    }
}

fn output_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("viz_network");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Which numbers a step must show: its layer's, for every unit of a narrow layer.
fn check_step_shows_its_numbers(shown: &Shown, widths: &HashMap<String, usize>, context: &str) {
    let has =
        |q: &str, layer: &str, i: usize| shown.numbers.contains(&key(q, layer, Some(i), None));
    let width = widths.get(&shown.layer).copied().unwrap_or(0);
    let wanted: &[&str] = match shown.phase.as_str() {
        "input" => &["x"],
        "forward" => &["a"],
        "backward" => &["delta"],
        "update" => &["ub"],
        "loss" => {
            assert!(
                shown.numbers.contains(&key("loss", "", None, None)),
                "{context}: loss"
            );
            &["a"]
        }
        other => panic!("{context}: unknown phase {other}"),
    };
    if width <= 64 {
        for q in wanted {
            for i in 0..width {
                assert!(
                    has(q, &shown.layer, i),
                    "{context}: no {q} of {} unit {i}",
                    shown.layer
                );
            }
        }
    } else {
        assert!(shown.numbers.len() >= 16, "{context}: too few numbers");
    }
}

/// Renders the page of a sample, then steps through all of it in the browser: no script error,
/// every number nn's, every step showing its layer's numbers, no overflow at a phone's width.
/// Returns the page's path and the number of steps.
#[allow(clippy::too_many_arguments)]
fn walk_through<N, L, O, const IN: usize, const OUT: usize>(
    browser: &Browser,
    file: &str,
    net: &N,
    input: [f32; IN],
    target: [f32; OUT],
    loss: &L,
    optimizer: &O,
    penalty: &Penalty,
) -> (PathBuf, usize)
where
    N: Network<IN, OUT, Scalar = f32> + Clone,
    L: Loss<N::OutputActivation>,
    O: Optimizer + Clone,
{
    let page = output_dir().join(file);
    viz::save_network_page(&page, net, &input, &target, loss, optimizer, penalty).unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    // No network access: the only address is the SVG namespace's name.
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count(),
        "no remote resources"
    );
    assert!(
        !html.contains("<script src") && !html.contains("<link"),
        "everything inline"
    );
    let expected = expected_numbers(net, input, target, loss, optimizer, penalty);
    let mut widths: HashMap<String, usize> = HashMap::from([("input".to_string(), IN)]);
    net.for_each_layer_trace(&BatchMatrix::zeros(1), &N::workspace(1), |trace| {
        widths.insert(trace.name.to_string(), trace.width);
    });

    let first = check_dom(&browser.dump_dom(&page, "", 1000), &expected, file);
    assert_eq!((first.step, first.phase.as_str()), (0, "input"));
    let last = first.last;
    let fragments: Vec<String> = (1..=last).map(|k| format!("step={k}")).collect();
    let mut phases = vec![first.phase.clone()];
    for (k, dom) in (1..=last).zip(browser.dump_doms(&page, &fragments, 1000)) {
        let context = format!("{file} #step={k}");
        let shown = check_dom(&dom, &expected, &context);
        assert_eq!(shown.step, k, "{context}");
        check_step_shows_its_numbers(&shown, &widths, &context);
        phases.push(shown.phase);
    }
    let mut order: Vec<&str> = phases.iter().map(String::as_str).collect();
    order.dedup();
    assert_eq!(order, ["input", "forward", "loss", "backward", "update"]);

    // A phone's width: the body does not overflow at the first, a middle and the last step.
    let narrow: Vec<String> = [0, last / 2, last]
        .iter()
        .map(|k| format!("step={k}"))
        .collect();
    for (fragment, dom) in narrow.iter().zip(browser.dump_doms(&page, &narrow, 390)) {
        let shown = check_dom(&dom, &expected, &format!("{file} #{fragment} at 390"));
        assert_eq!(
            shown.overflow, "no",
            "{file} #{fragment} overflows at 390 pixels"
        );
    }
    (page, last)
}

fn small_setup() -> (Small, [f32; 3], [f32; 2]) {
    (
        Small::new(&mut StdRng::seed_from_u64(11)),
        [0.5, -1.25, 2.0],
        [0.0, 1.0],
    )
}

#[test]
fn a_small_networks_page_shows_nns_numbers_at_every_step() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let (net, input, target) = small_setup();
    let optimizer = Sgd::new(0.1).with_momentum(0.9);
    let penalty = Penalty::default();
    let (page, last) = walk_through(
        &browser,
        "small.html",
        &net,
        input,
        target,
        &SoftmaxCrossEntropy,
        &optimizer,
        &penalty,
    );
    // Input, 2 forward, loss, 2 backward, 2 updates.
    assert_eq!(last, 7);

    // Selecting an edge shows its numbers with the formulas that made them.
    let expected = expected_numbers(
        &net,
        input,
        target,
        &SoftmaxCrossEntropy,
        &optimizer,
        &penalty,
    );
    let dom = browser.dump_dom(&page, "step=5&select=e:1:2:0", 1000);
    let shown = check_dom(&dom, &expected, "small.html selecting an edge");
    let detail: String = shown
        .document
        .select(&selector("#nn-detail"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(detail.contains("∂L/∂w = δᵢ·xⱼ"), "{detail}");
    assert!(detail.contains("Δw"), "{detail}");
    for q in ["w", "dw", "uw"] {
        assert!(
            shown.numbers.contains(&key(q, "dense1", Some(2), Some(0))),
            "{q}"
        );
    }
    assert!(
        shown
            .numbers
            .contains(&key("delta", "dense1", Some(2), None))
    );
    let dom = browser.dump_dom(&page, "step=2&select=u:1:3", 1000);
    let shown = check_dom(&dom, &expected, "small.html selecting a unit");
    let detail: String = shown
        .document
        .select(&selector("#nn-detail"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(
        detail.contains("z = Σⱼ wⱼ·xⱼ + b") && detail.contains("a = tanh(z)"),
        "{detail}"
    );
    assert!(detail.contains("f′ = 1 − a²"), "{detail}");

    // A screenshot, as a person would see the page.
    let png = output_dir().join("small.png");
    browser.screenshot(&page, "step=3", &png, 1000, 900);
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.len() > 1000 && is_png(&bytes),
        "{} bytes",
        bytes.len()
    );
}

#[test]
fn dropout_and_layer_normalization_show_as_layers_with_a_penalty_and_adam() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let net = Mixed::new(&mut StdRng::seed_from_u64(5));
    let penalty = Penalty { l1: 0.01, l2: 0.02 };
    let (page, last) = walk_through(
        &browser,
        "mixed.html",
        &net,
        [0.25, -0.5, 1.5],
        [1.0, 0.0],
        &BinaryCrossEntropy,
        &Adam::new(0.01),
        &penalty,
    );
    // Input, 5 forward, loss, 5 backward, 4 updates (dropout has no parameters).
    assert_eq!(last, 15);
    let html = std::fs::read_to_string(&page).unwrap();
    for text in [
        "dropout1",
        "layernorm1",
        "Dropout&lt;0.25&gt;",
        "Adam",
        "first step",
    ] {
        assert!(html.contains(text), "the page names {text}");
    }
}

#[test]
fn a_784_wide_input_is_summarized_with_its_strongest_units_and_heat_maps() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let net = Wide::new(&mut StdRng::seed_from_u64(2));
    // A bright stroke on a dark 28 × 28 image.
    let input: [f32; 784] = std::array::from_fn(|k| {
        let (row, column) = (k / 28, k % 28);
        if (row as i32 - column as i32).abs() < 3 && (4..24).contains(&row) {
            1.0
        } else {
            0.0
        }
    });
    let mut target = [0.0; 10];
    target[7] = 1.0;
    let (page, last) = walk_through(
        &browser,
        "wide.html",
        &net,
        input,
        target,
        &SoftmaxCrossEntropy,
        &RmsProp::new(0.01),
        &Penalty::default(),
    );
    assert_eq!(last, 7);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("⋮ 768 more"), "the input is summarized");
    assert!(html.len() < 4_000_000, "{} bytes", html.len());
    let edges = html.matches("class=\"e\"").count();
    assert!(edges <= 16 * 32 + 32 * 10, "{edges} edges drawn");
    let dom = browser.dump_dom(&page, "step=5", 1000);
    let document = Html::parse_document(&dom);
    // dense1 (16 of 784 inputs drawn) and dense2 (160 of its 320 edges drawn).
    assert_eq!(
        document.select(&selector("#nn-heat canvas")).count(),
        2,
        "a heat map of each summarized layer"
    );
    let png = output_dir().join("wide.png");
    browser.screenshot(&page, "step=5", &png, 1000, 1200);
    assert!(is_png(&std::fs::read(&png).unwrap()));
}

#[test]
fn bad_samples_and_batch_statistics_are_typed_errors() {
    let (net, _, target) = small_setup();
    let optimizer = Sgd::new(0.1);
    let penalty = Penalty::default();
    let error = viz::network_page(
        &net,
        &[0.0, f32::NAN, 1.0],
        &target,
        &SoftmaxCrossEntropy,
        &optimizer,
        &penalty,
    )
    .unwrap_err();
    assert!(
        matches!(error, viz::VizError::NotFinite { index: 1, .. }),
        "{error}"
    );
    let error = viz::network_page(
        &net,
        &[0.0, 1.0, 1.0],
        &[f32::INFINITY, 0.0],
        &SoftmaxCrossEntropy,
        &optimizer,
        &penalty,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "target value 0 is inf, expected a finite number"
    );
    let batched = Batched::new(&mut StdRng::seed_from_u64(1));
    let error = viz::network_page(
        &batched,
        &[1.0, 2.0, 3.0],
        &[1.0],
        &MeanSquaredError,
        &optimizer,
        &penalty,
    )
    .unwrap_err();
    assert!(
        matches!(
            error,
            viz::VizError::BatchStatistics {
                layer: "batchnorm1"
            }
        ),
        "{error}"
    );
    let error = viz::network_page(
        &net,
        &[0.0, 1.0, 1.0],
        &target,
        &SoftmaxCrossEntropy,
        &Sgd::new(-1.0),
        &penalty,
    )
    .unwrap_err();
    assert!(matches!(error, viz::VizError::Hyperparameter(_)), "{error}");
}

#[test]
fn the_static_svg_draws_every_layer_without_numbers() {
    let svg = viz::network_svg(&Mixed::new(&mut StdRng::seed_from_u64(5)));
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    for name in [
        "input",
        "dense1",
        "dropout1",
        "layernorm1",
        "dense2",
        "dense3",
    ] {
        assert!(svg.contains(&format!(">{name}</text>")), "{name}");
    }
    assert!(!svg.contains("data-value"));
    // 3·5 + 5·4 + 4·2 dense edges and 5 + 5 one-to-one links.
    assert_eq!(svg.matches("<line").count(), 15 + 20 + 8 + 10);
    // Batch normalization draws too.
    let batched = viz::network_svg(&Batched::new(&mut StdRng::seed_from_u64(1)));
    assert!(batched.contains(">batchnorm1</text>"));
    let path = output_dir().join("mixed.svg");
    viz::save_network_svg(&path, &Mixed::new(&mut StdRng::seed_from_u64(5))).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), svg);
}

network! {
    /// A network in `f64`, whose page writes `f64` text.
    pub struct Double<f64>: Input<2> -> Dense<3, Sigmoid> -> Dense<1>;
}

#[test]
fn an_f64_network_shows_its_numbers_as_f64_text() {
    let net = Double::new(&mut StdRng::seed_from_u64(9));
    let (input, target) = ([0.1f64, -0.7], [0.3f64]);
    let page = viz::network_page(
        &net,
        &input,
        &target,
        &MeanSquaredError,
        &Sgd::new(0.05),
        &Penalty::default(),
    )
    .unwrap();
    let input_batch = BatchMatrix::from_columns(&[SVector::from(input)]);
    let mut workspace = Double::workspace(1);
    let output = net.forward_train(&input_batch, &mut workspace).as_slice()[0];
    let loss = net.output_gradient(
        &MeanSquaredError,
        &BatchMatrix::from_columns(&[SVector::from(target)]),
        &mut workspace,
    );
    for value in [output, loss] {
        assert!(
            page.contains(&format!("\"{value:?}\"")),
            "{value:?} is on the page"
        );
        assert_ne!(format!("{value:?}"), format!("{:?}", value as f32));
    }
}
