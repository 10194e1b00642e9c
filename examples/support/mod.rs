//! Helpers shared by the examples: where outputs go and loss-curve plots.

#![allow(dead_code)]

use std::path::PathBuf;

use nn::prelude::History;
use plotters::prelude::*;

/// The directory examples write their outputs to (`target/nn-examples`), created if needed.
pub fn output_dir() -> std::io::Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("nn-examples");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Draws the training and validation loss per epoch as an SVG file.
pub fn plot_losses(
    history: &History,
    title: &str,
    path: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let train: Vec<(f64, f64)> = history
        .epochs
        .iter()
        .map(|r| (r.epoch as f64, r.train_loss))
        .collect();
    let validation: Vec<(f64, f64)> = history
        .epochs
        .iter()
        .filter_map(|r| Some((r.epoch as f64, r.validation_loss?)))
        .collect();
    let top = train
        .iter()
        .chain(&validation)
        .map(|p| p.1)
        .fold(0.0, f64::max)
        * 1.05;
    let epochs = history.epochs.len().max(2) as f64;

    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1.0..epochs, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("loss")
        .draw()?;
    chart
        .draw_series(LineSeries::new(train, BLUE.stroke_width(2)))?
        .label("training")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    if !validation.is_empty() {
        chart
            .draw_series(LineSeries::new(validation, RED.stroke_width(2)))?
            .label("validation")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    }
    if let Some(best) = history.best() {
        chart.draw_series(std::iter::once(Circle::new(
            (best.epoch as f64, best.monitored_loss()),
            5,
            BLACK.filled(),
        )))?;
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}
