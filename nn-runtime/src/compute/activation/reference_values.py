"""Prints reference_values.rs: PyTorch's values and gradients of the activations in float64.

Rerun from the repository root after changing the points or the activations:

    python3 nn-runtime/src/compute/activation/reference_values.py \
        > nn-runtime/src/compute/activation/reference_values.rs

(needs PyTorch: `pip install torch --index-url https://download.pytorch.org/whl/cpu`).
"""

import torch

POINTS = [-25.0, -6.0, -2.5, -1.0, -0.3, -1e-3, 0.0, 1e-3, 0.3, 1.0, 2.5, 6.0, 25.0]

# (Rust constant, how the module is written, the module), with PyTorch's default arguments.
ACTIVATIONS = [
    ("GELU", "torch.nn.GELU()", torch.nn.GELU()),
    ("GELU_TANH", "torch.nn.GELU(approximate='tanh')", torch.nn.GELU(approximate="tanh")),
    ("SILU", "torch.nn.SiLU()", torch.nn.SiLU()),
    ("ELU", "torch.nn.ELU()", torch.nn.ELU()),
    ("SOFTPLUS", "torch.nn.Softplus()", torch.nn.Softplus()),
    ("HARD_TANH", "torch.nn.Hardtanh()", torch.nn.Hardtanh()),
]


def literal(x: float) -> str:
    """The shortest Rust literal that parses back to `x` (Python's repr, Rust's exponent)."""
    text = repr(x)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def main() -> None:
    version = torch.__version__.split("+")[0]
    print("//! PyTorch's values and gradients of the activations at a few points, in `f64`, as rows")
    print(f"//! `[z, f(z), f'(z)]` (gradients by `torch.autograd`; PyTorch {version}). Printed by")
    print("//! `reference_values.py` beside this file, which regenerates it from the repository root:")
    print("//! `python3 nn-runtime/src/compute/activation/reference_values.py >")
    print("//! nn-runtime/src/compute/activation/reference_values.rs`.")
    print()
    print("// Some of the numbers are well-known constants (ln 2 is softplus(0)).")
    print("#![allow(clippy::approx_constant)]")
    for name, written, module in ACTIVATIONS:
        z = torch.tensor(POINTS, dtype=torch.float64, requires_grad=True)
        y = module(z)
        # Elementwise, so the gradient of the sum is each value's derivative.
        (gradient,) = torch.autograd.grad(y.sum(), z)
        print()
        print(f"/// `{written}`.")
        print(f"pub(super) const {name}: [[f64; 3]; {len(POINTS)}] = [")
        for row in zip(POINTS, y.tolist(), gradient.tolist()):
            print(f"    [{', '.join(literal(x) for x in row)}],")
        print("];")


if __name__ == "__main__":
    main()
