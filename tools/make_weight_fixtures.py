"""Makes the PyTorch reference fixtures of `tests/weights_reference.rs`: training with class
weights and sample weights, in float64. Rerun from the repository's root:

    pip install torch==2.15.0 safetensors==0.8.0 --index-url https://download.pytorch.org/whl/cpu
    python3 tools/make_weight_fixtures.py

It writes, under `tests/fixtures/torch/`:

* `weighted_classifier_f64.safetensors`: the initial `state_dict` of
  `Sequential(Linear(4, 6), Tanh(), Linear(6, 3))` (softmax output in nn), seeded.
* `weighted_binary_f64.safetensors`: the initial `state_dict` of
  `Sequential(Linear(3, 5), ReLU(), Linear(5, 1))` (sigmoid output in nn), seeded.
* `weights_reference.json`:
  - `classifier`: 10 samples (`input`, one-hot `target`), `class_weights` [0.5, 2, 1.25];
    `CrossEntropyLoss(weight=class_weights)` (mean reduction: Σ wᵢ·lᵢ / Σ wᵢ) trained by
    `SGD(lr=0.2)` on the whole set as one batch for 3 steps: `first_loss`, `first_gradients`
    (per `state_dict` key; Linear weights `[out][in]`), and `final` (the parameters after 3 steps).
  - `binary`: 10 samples, binary targets, `sample_weights`, `class_weights` [1, 3]; each sample
    weighs `sample_weights[i] · class_weights[yᵢ]`, the loss of a batch is
    `(w · BCEWithLogits(reduction="none")).sum() / w.sum()`; `SGD(lr=0.3)` over batches of 4 in
    order (4, 4, 2) for 2 epochs: `epoch_losses` (each the weight-sum-weighted mean of its
    batches' losses, before their updates) and `final`.

Every float is a Python float (a float64 exactly), written by `json` with `repr`.
"""

import json
from pathlib import Path

import safetensors
import torch
from safetensors.torch import save_file

OUT = Path("tests/fixtures/torch")
SEED = 20261201


def rows(tensor):
    return [[float(v) for v in row] for row in tensor.tolist()]


def params(model):
    return {
        key: (rows(value) if value.dim() == 2 else [float(v) for v in value.tolist()])
        for key, value in model.state_dict().items()
    }


def grads(model):
    return {
        key: (rows(p.grad) if p.grad.dim() == 2 else [float(v) for v in p.grad.tolist()])
        for key, p in model.named_parameters()
    }


def classifier(generator):
    torch.manual_seed(SEED)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3)
    ).double()
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()},
        OUT / "weighted_classifier_f64.safetensors",
    )
    x = torch.randn(10, 4, generator=generator, dtype=torch.float64)
    labels = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1, 2, 0])
    class_weights = torch.tensor([0.5, 2.0, 1.25], dtype=torch.float64)
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weights)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    first_loss, first_gradients = None, None
    for step in range(3):
        optimizer.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        if step == 0:
            first_loss, first_gradients = loss.item(), grads(model)
        optimizer.step()
    return {
        "input": rows(x),
        "target": rows(torch.nn.functional.one_hot(labels, 3).double()),
        "class_weights": class_weights.tolist(),
        "first_loss": first_loss,
        "first_gradients": first_gradients,
        "final": params(model),
    }


def binary(generator):
    torch.manual_seed(SEED + 1)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1)
    ).double()
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()},
        OUT / "weighted_binary_f64.safetensors",
    )
    x = torch.randn(10, 3, generator=generator, dtype=torch.float64)
    y = torch.tensor([[0.0], [1.0], [0.0], [0.0], [1.0], [0.0], [0.0], [0.0], [1.0], [0.0]],
                     dtype=torch.float64)
    sample_weights = torch.rand(10, generator=generator, dtype=torch.float64) * 2.0
    class_weights = torch.tensor([1.0, 3.0], dtype=torch.float64)
    w = sample_weights * class_weights[y[:, 0].long()]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    epoch_losses = []
    for _ in range(2):
        total, weight = 0.0, 0.0
        for start in range(0, 10, 4):
            xb, yb, wb = x[start:start + 4], y[start:start + 4], w[start:start + 4]
            optimizer.zero_grad()
            per_sample = torch.nn.functional.binary_cross_entropy_with_logits(
                model(xb), yb, reduction="none"
            )[:, 0]
            loss = (wb * per_sample).sum() / wb.sum()
            loss.backward()
            optimizer.step()
            total += loss.item() * wb.sum().item()
            weight += wb.sum().item()
        epoch_losses.append(total / weight)
    return {
        "input": rows(x),
        "target": rows(y),
        "sample_weights": sample_weights.tolist(),
        "class_weights": class_weights.tolist(),
        "epoch_losses": epoch_losses,
        "final": params(model),
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(SEED + 2)
    reference = {
        "torch_version": torch.__version__,
        "safetensors_version": safetensors.__version__,
        "classifier": classifier(generator),
        "binary": binary(generator),
    }
    (OUT / "weights_reference.json").write_text(json.dumps(reference, indent=1) + "\n")


if __name__ == "__main__":
    main()
