"""Makes the PyTorch and onnxruntime fixtures of `tests/interop.rs` (run from the repository's
root):

    pip install torch safetensors onnxruntime
    NN_WRITE_FIXTURES=1 cargo test --test interop fixtures   # nn's own files, which these read
    python3 tools/make_torch_fixtures.py

It writes, under `tests/fixtures/torch/`:

* `sequential_13_16_3_f32.safetensors`: the `state_dict` of a `torch.nn.Sequential` 13-16-3
  with ReLU and Softmax, in float32 (keys `0.weight`, `0.bias`, `2.weight`, `2.bias`);
* `sequential_5_8_8_1_f64.safetensors`: a 5-8-8-1 with Tanh and Sigmoid, in float64;
* `torch_outputs.json`: for each, fixed inputs and torch's outputs;
* `nn_saved_outputs.json`: torch's outputs for `nn_saved_13_16_3_f32.safetensors` (written by
  nn), loaded with `load_state_dict` into a Sequential whose modules have nn's layer names.

and under `tests/fixtures/onnx/`, `onnxruntime_outputs.json`: onnxruntime's outputs for the ONNX
files nn exported there (`classifier_f32.onnx`, `regressor_f64.onnx`).

Outputs are written as Python floats (the exact value of each float32 or float64), so the Rust
tests compare bit-exact inputs with torch's outputs.
"""

import json
from collections import OrderedDict
from pathlib import Path

import numpy
import onnxruntime
import torch
from safetensors.torch import load_file, save_file

OUT = Path("tests/fixtures/torch")
ONNX = Path("tests/fixtures/onnx")
torch.manual_seed(2024)


def inputs(width, count, dtype):
    generator = torch.Generator().manual_seed(width * 100 + count)
    return torch.randn(count, width, generator=generator, dtype=dtype) * 2.0


def record(model, x):
    with torch.no_grad():
        y = model(x)
    return {"inputs": x.tolist(), "outputs": y.tolist()}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    classifier = torch.nn.Sequential(
        torch.nn.Linear(13, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3), torch.nn.Softmax(dim=-1)
    ).float()
    regressor = torch.nn.Sequential(
        torch.nn.Linear(5, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 1),
        torch.nn.Sigmoid(),
    ).double()
    save_file(classifier.state_dict(), OUT / "sequential_13_16_3_f32.safetensors")
    save_file(regressor.state_dict(), OUT / "sequential_5_8_8_1_f64.safetensors")
    outputs = {
        "sequential_13_16_3_f32": record(classifier, inputs(13, 6, torch.float32)),
        "sequential_5_8_8_1_f64": record(regressor, inputs(5, 6, torch.float64)),
    }
    (OUT / "torch_outputs.json").write_text(json.dumps(outputs, indent=1) + "\n")

    # nn's own file, loaded by its layer names.
    named = torch.nn.Sequential(
        OrderedDict(
            dense1=torch.nn.Linear(13, 16),
            relu=torch.nn.ReLU(),
            dense2=torch.nn.Linear(16, 3),
            softmax=torch.nn.Softmax(dim=-1),
        )
    )
    named.load_state_dict(load_file(OUT / "nn_saved_13_16_3_f32.safetensors"))
    saved = {"nn_saved_13_16_3_f32": record(named, inputs(13, 6, torch.float32))}
    (OUT / "nn_saved_outputs.json").write_text(json.dumps(saved, indent=1) + "\n")

    # nn's ONNX exports, run by onnxruntime.
    runs = {}
    for name, width, dtype in [
        ("classifier_f32", 13, torch.float32),
        ("regressor_f64", 5, torch.float64),
    ]:
        session = onnxruntime.InferenceSession(str(ONNX / f"{name}.onnx"))
        x = inputs(width, 6, dtype).numpy()
        (y,) = session.run(["output"], {"input": x})
        runs[name] = {"inputs": x.tolist(), "outputs": numpy.asarray(y).tolist()}
    (ONNX / "onnxruntime_outputs.json").write_text(json.dumps(runs, indent=1) + "\n")


if __name__ == "__main__":
    main()
