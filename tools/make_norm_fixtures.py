"""Makes the PyTorch reference fixtures of `tests/norm_reference.rs`: a network with batch and
layer normalization, its weights, and what PyTorch computes with them in training and in
evaluation mode, in float64. Rerun from the repository's root:

    pip install torch==2.15.0 safetensors==0.8.0 --index-url https://download.pytorch.org/whl/cpu
    python3 tools/make_norm_fixtures.py

(the versions the fixtures were made with; the script records the ones it runs with in the JSON
file, under `torch_version` and `safetensors_version`). It writes, under `tests/fixtures/torch/`:

* `norm_4_8_6_3_f64.safetensors`: the `state_dict` of

      torch.nn.Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 6), Tanh(),
                          LayerNorm(6), Linear(6, 3))

  in float64 (PyTorch's defaults: eps 1e-5, momentum 0.1, affine), the Linear layers as PyTorch
  initializes them from a fixed seed, the normalizations' `weight` (γ) and `bias` (β) and the
  batch normalization's running statistics drawn away from their trivial initial values, saved
  before any forward pass (so `1.num_batches_tracked` is 0). Keys: `0.weight`, `0.bias`,
  `1.weight`, `1.bias`, `1.running_mean`, `1.running_var`, `1.num_batches_tracked`,
  `3.weight`, `3.bias`, `5.weight`, `5.bias`, `6.weight`, `6.bias`.

* `norm_reference.json`, for a seeded batch `input` (7 samples × 4) and `target` (7 × 3), each a
  list of rows, one row per sample:

  - `train.output` (7 × 3): the output in `train()` mode (batch statistics);
  - `train.loss`: `torch.nn.functional.mse_loss(output, target)` (mean over all 21 values);
  - `train.gradients`: after `loss.backward()`, the gradient of every parameter keyed by its
    `state_dict` name: Linear weights `[out][in]` (PyTorch's row-major layout), every other
    tensor a flat list;
  - `train.running_mean`, `train.running_var`: the batch normalization's running statistics
    after that forward pass (`running_var` is PyTorch's unbiased one);
  - `eval.output` (7 × 3): then the output for the same batch in `eval()` mode, normalized by
    the updated running statistics;
  - `initial.running_mean`, `initial.running_var`: the running statistics as saved;
  - `parameters`: per tensor of the file in nn's order, its PyTorch key, its name in nn
    (`dense1.weight`, `batchnorm1.running_mean`, …) and its PyTorch shape.

Every float is a Python float (a float64 exactly), written by `json` with `repr`, so it reads
back bit for bit.
"""

import json
from pathlib import Path

import safetensors
import torch
from safetensors.torch import save_file

OUT = Path("tests/fixtures/torch")
SEED = 20240607

# PyTorch key, nn name, for every tensor of the file in nn's order (network!'s field names:
# each kind counted apart).
NAMES = [
    ("0.weight", "dense1.weight"),
    ("0.bias", "dense1.bias"),
    ("1.weight", "batchnorm1.weight"),
    ("1.bias", "batchnorm1.bias"),
    ("1.running_mean", "batchnorm1.running_mean"),
    ("1.running_var", "batchnorm1.running_var"),
    ("3.weight", "dense2.weight"),
    ("3.bias", "dense2.bias"),
    ("5.weight", "layernorm1.weight"),
    ("5.bias", "layernorm1.bias"),
    ("6.weight", "dense3.weight"),
    ("6.bias", "dense3.bias"),
]


def build():
    torch.manual_seed(SEED)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.BatchNorm1d(8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 6),
        torch.nn.Tanh(),
        torch.nn.LayerNorm(6),
        torch.nn.Linear(6, 3),
    ).double()
    batch_norm, layer_norm = model[1], model[5]
    assert batch_norm.eps == 1e-5 and batch_norm.momentum == 0.1 and batch_norm.affine
    assert layer_norm.eps == 1e-5 and layer_norm.elementwise_affine
    with torch.no_grad():
        for norm in (batch_norm, layer_norm):
            norm.weight.uniform_(0.5, 1.5)
            norm.bias.uniform_(-0.3, 0.3)
        batch_norm.running_mean.uniform_(-0.2, 0.2)
        batch_norm.running_var.uniform_(0.5, 1.5)
    return model


def rows(tensor):
    return tensor.detach().tolist()


def flat(tensor):
    return tensor.detach().reshape(-1).tolist()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    model = build()
    state = model.state_dict()
    assert [key for key in state if not key.endswith("num_batches_tracked")] == [
        key for key, _ in NAMES
    ]
    save_file(
        {key: value.contiguous() for key, value in state.items()},
        OUT / "norm_4_8_6_3_f64.safetensors",
    )
    batch_norm = model[1]
    initial = {
        "running_mean": flat(batch_norm.running_mean),
        "running_var": flat(batch_norm.running_var),
    }

    generator = torch.Generator().manual_seed(SEED + 1)
    x = torch.randn(7, 4, generator=generator, dtype=torch.float64)
    y = torch.randn(7, 3, generator=generator, dtype=torch.float64)

    model.train()
    model.zero_grad()
    output = model(x)
    loss = torch.nn.functional.mse_loss(output, y)
    loss.backward()
    parameters = dict(model.named_parameters())
    gradients = {}
    for key, _ in NAMES:
        if key in parameters:
            gradient = parameters[key].grad
            gradients[key] = rows(gradient) if gradient.dim() == 2 else flat(gradient)
    train = {
        "output": rows(output),
        "loss": loss.item(),
        "gradients": gradients,
        "running_mean": flat(batch_norm.running_mean),
        "running_var": flat(batch_norm.running_var),
    }

    model.eval()
    with torch.no_grad():
        evaluated = {"output": rows(model(x))}

    reference = {
        "description": (
            "torch.nn.Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 6), Tanh(), "
            "LayerNorm(6), Linear(6, 3)) in float64: see tools/make_norm_fixtures.py"
        ),
        "torch_version": torch.__version__,
        "safetensors_version": safetensors.__version__,
        "seed": SEED,
        "weights": "norm_4_8_6_3_f64.safetensors",
        "parameters": [
            {"torch": key, "nn": name, "shape": list(state[key].shape)} for key, name in NAMES
        ],
        "input": rows(x),
        "target": rows(y),
        "initial": initial,
        "train": train,
        "eval": evaluated,
    }
    (OUT / "norm_reference.json").write_text(json.dumps(reference, indent=1) + "\n")


if __name__ == "__main__":
    main()
