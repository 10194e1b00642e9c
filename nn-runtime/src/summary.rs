//! The Keras-like table printed by a network's `summary()`.

use core::fmt;

/// One layer's line in a [`Summary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// The layer's field name (`dense1`).
    pub name: &'static str,
    /// The layer's type as described (`Dense, Relu`).
    pub kind: &'static str,
    /// The layer's output width.
    pub outputs: usize,
    /// The layer's trainable parameters.
    pub parameters: usize,
}

/// A table of a network's layers, output shapes and parameter counts. Print it with `{}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The network's name.
    pub name: &'static str,
    /// The element type (`f32` or `f64`).
    pub scalar: &'static str,
    /// Every layer from the input on.
    pub rows: &'static [SummaryRow],
}

impl Summary {
    /// The total number of trainable parameters.
    pub fn parameters(&self) -> usize {
        self.rows.iter().map(|row| row.parameters).sum()
    }
}

/// Formats `n` with thousands separators, as Keras does (`12,345`).
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RULE: usize = 64;
        writeln!(f, "Network: \"{}\" ({})", self.name, self.scalar)?;
        writeln!(f, "{}", "_".repeat(RULE))?;
        writeln!(
            f,
            " {:<28}{:<22}{:>12}",
            "Layer (type)", "Output Shape", "Param #"
        )?;
        writeln!(f, "{}", "=".repeat(RULE))?;
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                writeln!(f, "{}", "_".repeat(RULE))?;
            }
            let layer = format!("{} ({})", row.name, row.kind);
            let shape = format!("(None, {})", row.outputs);
            writeln!(f, " {layer:<28}{shape:<22}{:>12}", grouped(row.parameters))?;
        }
        writeln!(f, "{}", "=".repeat(RULE))?;
        writeln!(f, "Total params: {}", grouped(self.parameters()))?;
        writeln!(f, "Trainable params: {}", grouped(self.parameters()))?;
        write!(f, "Non-trainable params: 0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_each_layer_and_the_totals() {
        static ROWS: [SummaryRow; 2] = [
            SummaryRow {
                name: "input",
                kind: "Input",
                outputs: 784,
                parameters: 0,
            },
            SummaryRow {
                name: "dense1",
                kind: "Dense, Relu",
                outputs: 128,
                parameters: 100_480,
            },
        ];
        let text = Summary {
            name: "Mnist",
            scalar: "f32",
            rows: &ROWS,
        }
        .to_string();
        assert!(text.contains("dense1 (Dense, Relu)"), "{text}");
        assert!(text.contains("(None, 128)"), "{text}");
        assert!(text.contains("Total params: 100,480"), "{text}");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(12), "12");
    }
}
