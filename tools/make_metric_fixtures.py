"""Makes the scikit-learn reference fixture of `tests/metrics_reference.rs`. Rerun from the
repository's root:

    pip install scikit-learn==1.9.1 numpy==2.4.6
    python3 tools/make_metric_fixtures.py

(the versions the fixture was made with; the script records the ones it runs with in the JSON
file, under `versions`). The data is drawn from numpy's `default_rng(SEED)`, so a rerun with the
same numpy writes the same file. It writes `tests/fixtures/sklearn/metrics.json` with:

* `classification`: a 4-class problem of 80 samples with imbalanced classes (about
  50/30/15/5 %) whose class 2 is never predicted:
  - `classes` (4), `actual` and `predicted` (class indices; `predicted` is the argmax of
    `scores`, the first on ties, as numpy's), `scores` (a row of 4 per sample: softmax
    probabilities rounded to 2 decimals, so that many tie);
  - `accuracy`: `accuracy_score(actual, predicted)`;
  - `confusion_matrix`: `confusion_matrix(actual, predicted, labels=range(4))`, rows true;
  - `per_class`: `precision`, `recall`, `f1`, `support`, each a list by class, from
    `precision_recall_fscore_support(..., labels=range(4), average=None)`;
  - `macro`, `weighted`: `precision`, `recall`, `f1` with `average="macro"` / `"weighted"`;
  - `report`: `classification_report(actual, predicted, labels=range(4))` (2 digits) and
    `report_4`: the same with `digits=4`;
  - `top_k`: `top_k_accuracy_score(actual, scores, k=k, labels=range(4))` for k = 1 … 4,
    keyed by k.
  Every precision, recall and F1 uses the default `zero_division="warn"` (0.0 where the
  denominator is 0).
* `binary`: three cases, each `scores`, `labels` (booleans) and `roc_auc`
  (`roc_auc_score(labels, scores)`): `tied` (60 samples, scores rounded to 1 decimal so that
  positives and negatives share thresholds), `distinct` (50 samples, no ties) and `all_tied`
  (every score equal: 0.5). `one_class` holds labels all positive, where scikit-learn returns
  NaN with an `UndefinedMetricWarning` (recorded as `result: "nan"` and `warning`).
* `regression`: `single` (60 samples, one output) and `multi` (40 samples × 3 outputs, the
  third target constant and missed), each `predictions`, `targets` (rows, one per sample, of
  1 or 3 values) and `mse`, `rmse`, `mae`, `r2` from `mean_squared_error`,
  `root_mean_squared_error`, `mean_absolute_error` and `r2_score` with the default
  `multioutput="uniform_average"`; `constant_perfect` and `constant_missed`: a constant target
  predicted exactly (R² 1.0) and missed by 1e-8 (R² 0.0), as `force_finite=True` defines them.

Every float is a Python float (a float64 exactly), written by `json` with `repr`, so it reads
back bit for bit.
"""

import json
import warnings
from pathlib import Path

import numpy
import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_fscore_support,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
    top_k_accuracy_score,
)

OUT = Path("tests/fixtures/sklearn/metrics.json")
SEED = 20240917
CLASSES = 4


def floats(values):
    return [float(v) for v in values]


def classification(rng):
    samples = 80
    actual = rng.choice(CLASSES, size=samples, p=[0.5, 0.3, 0.15, 0.05])
    actual[:2] = 3  # at least two samples of the rarest class
    logits = rng.normal(size=(samples, CLASSES))
    logits[numpy.arange(samples), actual] += 1.5
    logits[:, 2] -= 5.0  # class 2 is never the largest
    exp = numpy.exp(logits - logits.max(axis=1, keepdims=True))
    scores = numpy.round(exp / exp.sum(axis=1, keepdims=True), 2)
    predicted = scores.argmax(axis=1)
    assert 2 not in predicted, "class 2 must never be predicted"
    assert all((actual == c).any() for c in range(CLASSES)), "every class must have support"
    labels = list(range(CLASSES))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        precision, recall, f1, support = precision_recall_fscore_support(
            actual, predicted, labels=labels, average=None
        )
        averages = {}
        for average in ["macro", "weighted"]:
            p, r, f, _ = precision_recall_fscore_support(
                actual, predicted, labels=labels, average=average
            )
            averages[average] = {"precision": float(p), "recall": float(r), "f1": float(f)}
        report = classification_report(actual, predicted, labels=labels)
        report_4 = classification_report(actual, predicted, labels=labels, digits=4)
        top_k = {
            str(k): float(top_k_accuracy_score(actual, scores, k=k, labels=labels))
            for k in range(1, CLASSES + 1)
        }
    return {
        "classes": CLASSES,
        "actual": [int(c) for c in actual],
        "predicted": [int(c) for c in predicted],
        "scores": [floats(row) for row in scores],
        "accuracy": float(accuracy_score(actual, predicted)),
        "confusion_matrix": confusion_matrix(actual, predicted, labels=labels).tolist(),
        "per_class": {
            "precision": floats(precision),
            "recall": floats(recall),
            "f1": floats(f1),
            "support": [int(s) for s in support],
        },
        "macro": averages["macro"],
        "weighted": averages["weighted"],
        "report": report,
        "report_4": report_4,
        "top_k": top_k,
    }


def binary_case(labels, scores):
    return {
        "labels": [bool(l) for l in labels],
        "scores": floats(scores),
        "roc_auc": float(roc_auc_score(labels, scores)),
    }


def binary(rng):
    labels = rng.random(60) < 0.35
    tied = numpy.round(numpy.clip(0.35 + 0.25 * labels + rng.normal(0, 0.2, 60), 0, 1), 1)
    assert len(numpy.unique(tied)) < 15, "scores must tie"
    distinct_labels = rng.random(50) < 0.5
    distinct = rng.normal(size=50) + 0.8 * distinct_labels
    assert len(numpy.unique(distinct)) == 50
    all_positive = [True] * 5
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        one_class = roc_auc_score(all_positive, rng.random(5))
    assert numpy.isnan(one_class)
    return {
        "tied": binary_case(labels, tied),
        "distinct": binary_case(distinct_labels, distinct),
        "all_tied": binary_case(labels[:20], numpy.full(20, 0.25)),
        "one_class": {
            "labels": all_positive,
            "result": "nan",
            "warning": str(caught[0].message),
        },
    }


def regression_case(predictions, targets):
    return {
        "predictions": [floats(numpy.atleast_1d(row)) for row in predictions],
        "targets": [floats(numpy.atleast_1d(row)) for row in targets],
        "mse": float(mean_squared_error(targets, predictions)),
        "rmse": float(root_mean_squared_error(targets, predictions)),
        "mae": float(mean_absolute_error(targets, predictions)),
        "r2": float(r2_score(targets, predictions)),
    }


def regression(rng):
    x = rng.uniform(-2, 2, 60)
    targets = 3.0 * x - 1.0 + rng.normal(0, 0.5, 60)
    predictions = 2.8 * x - 0.9 + rng.normal(0, 0.3, 60)
    multi_targets = rng.normal(size=(40, 3)) * [1.0, 10.0, 0.0] + [0.0, 5.0, 2.5]
    multi_predictions = multi_targets + rng.normal(0, [0.5, 4.0, 0.1], size=(40, 3))
    constant = numpy.full(10, -2.0)
    missed = constant.copy()
    missed[-1] += 1e-8
    return {
        "single": regression_case(predictions, targets),
        "multi": regression_case(multi_predictions, multi_targets),
        "constant_perfect": regression_case(constant, constant),
        "constant_missed": regression_case(missed, constant),
    }


def main():
    rng = numpy.random.default_rng(SEED)
    fixture = {
        "versions": {"scikit-learn": sklearn.__version__, "numpy": numpy.__version__},
        "seed": SEED,
        "classification": classification(rng),
        "binary": binary(rng),
        "regression": regression(rng),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
