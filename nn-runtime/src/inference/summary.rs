//! The Keras-like table printed by a network's `summary()`.

use core::fmt;

/// One layer's line in a [`Summary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// The layer's field name (`dense1`).
    pub name: &'static str,
    /// The layer's type (`Dense`, `BatchNorm`).
    pub kind: &'static str,
    /// The activation after it as the summary names it (`Relu`, `LeakyRelu 0.2`, a user type's
    /// `Activation::NAME`), or empty for none.
    pub activation: &'static str,
    /// The layer's output width.
    pub outputs: usize,
    /// The layer's trainable parameters.
    pub parameters: usize,
    /// The layer's values that training updates without the optimizer (a batch normalization
    /// layer's running mean and variance), which Keras counts as non-trainable parameters.
    pub non_trainable: usize,
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

    /// The total number of non-trainable parameters (running statistics).
    pub fn non_trainable(&self) -> usize {
        self.rows.iter().map(|row| row.non_trainable).sum()
    }
}

/// Up to 39 ASCII characters in a stack buffer, for padded columns without a heap.
struct Cell {
    bytes: [u8; 40],
    len: usize,
}

impl Cell {
    fn new() -> Self {
        Cell {
            bytes: [0; 40],
            len: 0,
        }
    }

    /// `n` with thousands separators, as Keras prints it (`12,345`).
    fn grouped(n: usize) -> Self {
        let mut digits = [0u8; 20];
        let (mut count, mut rest) = (0, n);
        loop {
            digits[count] = b'0' + (rest % 10) as u8;
            count += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let mut cell = Cell::new();
        for i in (0..count).rev() {
            cell.bytes[cell.len] = digits[i];
            cell.len += 1;
            if i > 0 && i % 3 == 0 {
                cell.bytes[cell.len] = b',';
                cell.len += 1;
            }
        }
        cell
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and commas, or whole `&str`s, are ever written.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for Cell {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes `text` left-aligned in a column of `width` characters, or whole and followed by a
/// space if it is as long or longer, so that columns never run together.
fn column(f: &mut fmt::Formatter<'_>, text: fmt::Arguments<'_>, width: usize) -> fmt::Result {
    let mut cell = Cell::new();
    match fmt::write(&mut cell, text) {
        Ok(()) if cell.len < width => write!(f, "{:<width$}", cell.as_str()),
        Ok(()) => write!(f, "{} ", cell.as_str()),
        // Too long for the buffer, so far wider than the column.
        Err(_) => {
            f.write_fmt(text)?;
            f.write_str(" ")
        }
    }
}

/// A line of `width` copies of `c`.
fn rule(f: &mut fmt::Formatter<'_>, c: char, width: usize) -> fmt::Result {
    for _ in 0..width {
        fmt::Write::write_char(f, c)?;
    }
    writeln!(f)
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RULE: usize = 64;
        writeln!(f, "Network: \"{}\" ({})", self.name, self.scalar)?;
        rule(f, '_', RULE)?;
        writeln!(
            f,
            " {:<28}{:<22}{:>12}",
            "Layer (type)", "Output Shape", "Param #"
        )?;
        rule(f, '=', RULE)?;
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                rule(f, '_', RULE)?;
            }
            f.write_str(" ")?;
            if row.activation.is_empty() {
                column(f, format_args!("{} ({})", row.name, row.kind), 28)?;
            } else {
                column(
                    f,
                    format_args!("{} ({}, {})", row.name, row.kind, row.activation),
                    28,
                )?;
            }
            column(f, format_args!("(None, {})", row.outputs), 22)?;
            let count = Cell::grouped(row.parameters + row.non_trainable);
            writeln!(f, "{:>12}", count.as_str())?;
        }
        rule(f, '=', RULE)?;
        let (trainable, fixed) = (self.parameters(), self.non_trainable());
        let total = Cell::grouped(trainable + fixed);
        writeln!(f, "Total params: {}", total.as_str())?;
        writeln!(f, "Trainable params: {}", Cell::grouped(trainable).as_str())?;
        write!(f, "Non-trainable params: {}", Cell::grouped(fixed).as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_each_layer_and_the_totals() {
        static ROWS: [SummaryRow; 3] = [
            SummaryRow {
                name: "input",
                kind: "Input",
                activation: "",
                outputs: 784,
                parameters: 0,
                non_trainable: 0,
            },
            SummaryRow {
                name: "dense1",
                kind: "Dense",
                activation: "Relu",
                outputs: 128,
                parameters: 100_480,
                non_trainable: 0,
            },
            SummaryRow {
                name: "batchnorm1",
                kind: "BatchNorm",
                activation: "Relu",
                outputs: 128,
                parameters: 256,
                non_trainable: 256,
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
        // As Keras counts them: the running statistics are in the layer's count and the total,
        // and are the non-trainable parameters.
        assert!(text.contains("512\n"), "{text}");
        // A name as wide as its column is still followed by a space.
        assert!(
            text.contains("batchnorm1 (BatchNorm, Relu) (None, 128)"),
            "{text}"
        );
        assert!(text.contains("Total params: 100,992"), "{text}");
        assert!(text.contains("Trainable params: 100,736"), "{text}");
        assert!(text.contains("Non-trainable params: 256"), "{text}");
        assert_eq!(Cell::grouped(1_234_567).as_str(), "1,234,567");
        assert_eq!(Cell::grouped(0).as_str(), "0");
        assert_eq!(Cell::grouped(999).as_str(), "999");
        assert_eq!(Cell::grouped(1000).as_str(), "1,000");
        assert_eq!(Cell::grouped(12).as_str(), "12");
    }
}
