"""Makes the PyTorch reference fixture of `tests/loss_reference.rs`: the values and gradients of
`torch.nn.HuberLoss` and `torch.nn.SmoothL1Loss` (mean reduction) in float64. Rerun from the
repository's root:

    pip install torch==2.15.0 --index-url https://download.pytorch.org/whl/cpu
    python3 tools/make_loss_fixtures.py

(the version the fixture was made with; the script records the one it runs with in the JSON file,
under `torch_version`). It writes `tests/fixtures/torch/losses.json`, holding `cases`, one per loss
and threshold:

- `loss`: `"huber"` or `"smooth_l1"`;
- `parameter`: Huber's `delta` or smooth L1's `beta` (PyTorch's default 1.0 among them, and
  smooth L1's `beta = 0`, where PyTorch computes the L1 loss);
- `output`, `target` (4 samples × 3, a list of rows, one per sample): a batch whose residuals
  `output − target` lie below, exactly at and above the threshold on both sides, plus one zero
  residual. Targets and residuals are multiples of 1/64 (times the threshold), so every residual is
  exact in float64 and "at the threshold" means exactly at it;
- `residuals` (4 × 3): `output − target`, as PyTorch computes it;
- `value`: the loss, the mean over all 12 values;
- `gradient` (4 × 3): `∂value/∂output` by autograd, one row per sample.

Every float is a Python float (a float64 exactly), written by `json` with `repr`, so it reads back
bit for bit.
"""

import json
from pathlib import Path

import torch

OUT = Path("tests/fixtures/torch")
SEED = 20240611

# Residuals as multiples of the threshold: below, exactly at and above it on both sides, and zero.
# Smooth L1 at beta = 0 takes them as they are.
MULTIPLES = [
    [-3.0, -1.0, -0.5],
    [-0.125, 0.0, 0.25],
    [0.984375, 1.0, 1.015625],
    [2.5, -1.015625, 0.75],
]

CASES = [
    ("huber", 1.0),
    ("huber", 0.5),
    ("huber", 2.0),
    ("smooth_l1", 1.0),
    ("smooth_l1", 0.375),
    ("smooth_l1", 3.0),
    ("smooth_l1", 0.0),
]


def criterion(loss, parameter):
    if loss == "huber":
        return torch.nn.HuberLoss(reduction="mean", delta=parameter)
    return torch.nn.SmoothL1Loss(reduction="mean", beta=parameter)


def case(loss, parameter, generator):
    # Targets: multiples of 1/64 in [-2, 2).
    target = torch.randint(-128, 128, (4, 3), generator=generator, dtype=torch.int64)
    target = target.to(torch.float64) / 64.0
    scale = parameter if parameter > 0 else 1.0
    residual = torch.tensor(MULTIPLES, dtype=torch.float64) * scale
    output = (target + residual).detach().requires_grad_(True)
    # The residuals are exact, so those meant to be at the threshold are.
    assert torch.equal(output.detach() - target, residual)
    value = criterion(loss, parameter)(output, target)
    value.backward()
    return {
        "loss": loss,
        "parameter": parameter,
        "output": output.detach().tolist(),
        "target": target.tolist(),
        "residuals": (output.detach() - target).tolist(),
        "value": value.item(),
        "gradient": output.grad.tolist(),
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(SEED)
    reference = {
        "description": (
            "torch.nn.HuberLoss(delta) and torch.nn.SmoothL1Loss(beta), mean reduction, "
            "float64: see tools/make_loss_fixtures.py"
        ),
        "torch_version": torch.__version__,
        "seed": SEED,
        "cases": [case(loss, parameter, generator) for loss, parameter in CASES],
    }
    (OUT / "losses.json").write_text(json.dumps(reference, indent=1) + "\n")


if __name__ == "__main__":
    main()
