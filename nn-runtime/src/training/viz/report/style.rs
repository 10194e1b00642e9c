//! The report's style sheet and its one script, inlined into the page.

/// The style sheet: a single column that fits a phone, charts side by side where there is room,
/// and the palette `c0` … `c7` that lines, dots and legend swatches share.
pub(super) const CSS: &str = r#"
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#fff;color:#1f2937;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1180px;margin:0 auto;padding:16px}
header h1{font-size:1.7rem;margin:0;line-height:1.2}
header p{margin:.2rem 0 0;color:#6b7280}
h2{font-size:1.15rem;margin:1.6rem 0 .2rem;padding-bottom:.2rem;border-bottom:1px solid #e5e7eb}
.note{margin:.2rem 0 .6rem;color:#6b7280;font-size:.9rem}
.empty{color:#6b7280;font-style:italic}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:1rem 0 0}
.figures div{background:#f9fafb;border:1px solid #e5e7eb;border-radius:8px;padding:6px 12px;min-width:0}
.figures .wide{grid-column:1/-1}
dt{font-size:.8rem;color:#6b7280}
dd{margin:0;font-size:1.15rem;font-weight:600;overflow-wrap:anywhere;font-variant-numeric:tabular-nums}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:8px 20px}
.single{max-width:580px}
figure{margin:0;min-width:0}
figcaption{text-align:center;color:#6b7280;font-size:.85rem}
svg{display:block;width:100%;height:auto}
.heat,.scatter{max-width:520px;margin:0 auto}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px;padding:0;margin:.4rem 0;font-size:.9rem}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{width:28px;height:12px;flex:none;overflow:visible}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.tick{font-size:13px;fill:#4b5563}
.axis-title{font-size:13px;fill:#6b7280}
.grid{stroke:#eef0f3;stroke-width:1}
.frame{fill:none;stroke:#d1d5db;stroke-width:1}
.line{fill:none;stroke:var(--c);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.line.dashed{stroke-dasharray:6 4}
.dot,.point{fill:var(--c);stroke:none}
.point{fill-opacity:.55}
.best{stroke:#111827;stroke-width:1.5;stroke-dasharray:3 3}
.swatch-best{stroke-dasharray:2.5 2}
.best-ring{fill:none;stroke:#111827;stroke-width:2}
.identity{stroke:#111827;stroke-width:1.5;stroke-dasharray:6 4}
.cell{stroke:#f3f4f6;stroke-width:1}
.count{font-weight:600}
.ink-light{fill:#fff}
.ink-dark{fill:#1f2937}
.c0{--c:#2563eb}.c1{--c:#ea580c}.c2{--c:#16a34a}.c3{--c:#9333ea}
.c4{--c:#0891b2}.c5{--c:#db2777}.c6{--c:#ca8a04}.c7{--c:#4b5563}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.85rem;font-variant-numeric:tabular-nums;margin:.6rem 0}
th,td{padding:3px 10px;text-align:right;border-bottom:1px solid #e5e7eb;white-space:nowrap}
thead th{color:#6b7280;font-weight:600}
tbody th{text-align:left;font-weight:600}
tr.best td,tr.best th{background:#f0fdf4}
details{margin:1.6rem 0}
summary{cursor:pointer;font-weight:600}
#nn-errors{white-space:pre-wrap;color:#b91c1c}
#nn-errors:empty{display:none}
footer{margin:2rem 0 1rem;color:#9ca3af;font-size:.8rem}
"#;

/// The script: writes script errors into `<pre id="nn-errors">`, and after layout (and each
/// resize) sets `data-overflow` on `<body>` to `yes` when the page is wider than the window.
pub(super) const SCRIPT: &str = r#"
(function () {
  function report(message) {
    var out = document.getElementById("nn-errors");
    if (out) { out.textContent += message + "\n"; }
  }
  window.addEventListener("error", function (event) { report(String(event.message)); });
  function measure() {
    try {
      var width = Math.max(document.body.scrollWidth, document.documentElement.scrollWidth);
      document.body.dataset.overflow = width > window.innerWidth ? "yes" : "no";
    } catch (error) {
      report(String(error));
    }
  }
  window.addEventListener("load", measure);
  window.addEventListener("resize", measure);
})();
"#;
