// Walks through one sample's pass. Every number comes from the JSON that nn wrote (its exact
// text in data-value, rounded for display); nothing here computes a value of the pass.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("nn-data").textContent);
  var columns = data.columns;
  var steps = data.steps;
  var svg = document.querySelector(".net svg");
  var current = 0;
  var selection = null;
  var EDGE_ROWS = 24;
  var POSITIVE = "#2563eb", NEGATIVE = "#dc2626", NEUTRAL = "#9ca3af";

  // ---- small helpers ----

  function fmt(text) {
    var x = Number(text);
    if (!isFinite(x)) return text;
    if (x === 0) return "0";
    var ax = Math.abs(x);
    if (ax >= 1e4 || ax < 1e-3) return x.toExponential(2).replace("e+", "e");
    return String(Number(x.toPrecision(3)));
  }

  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // A number: its exact text in data-value, what it is in data-q/-layer/-i/-j, rounded shown.
  function num(value, q, layer, i, j) {
    var span = el("span", "n", [fmt(value)]);
    span.dataset.q = q;
    if (layer !== undefined && layer !== null) span.dataset.layer = layer;
    if (i !== undefined && i !== null) span.dataset.i = i;
    if (j !== undefined && j !== null) span.dataset.j = j;
    span.dataset.value = value;
    span.title = value;
    return span;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function tensor(column, kind) {
    var found = null;
    column.parameters.forEach(function (t) {
      if (t.kind === kind) found = t;
    });
    return found;
  }

  // Column c's activations: the sample for the input.
  function activations(c) {
    return columns[c].a;
  }

  function activationName(c) {
    return c === 0 ? "x" : "a";
  }

  function weightAt(column, values, i, j) {
    return values[j * column.width + i];
  }

  // An edge's colour, width and opacity among `count` edges (as the SVG was drawn).
  function colourOf(value, largest, count) {
    var x = Number(value);
    if (!(largest > 0) || x === 0 || !isFinite(x)) return [NEUTRAL, 0.8, 0.5];
    var relative = Math.min(Math.abs(x) / largest, 1);
    var widest = count <= 64 ? 3.6 : 2.0;
    return [x > 0 ? POSITIVE : NEGATIVE, 0.4 + widest * relative, 0.2 + 0.7 * relative * relative];
  }

  // An opaque colour between white and `rgb` (so edges stay behind units).
  function tint(rgb, relative) {
    var amount = 0.1 + 0.5 * relative;
    return "rgb(" + rgb.map(function (v) { return Math.round(255 - amount * (255 - v)); }).join(",") + ")";
  }

  function table(headings, rows) {
    var head = el("tr", null, headings.map(function (h) { return el("th", null, [h]); }));
    var body = rows.map(function (cells) {
      return el("tr", null, cells.map(function (cell) { return el("td", null, [cell]); }));
    });
    return el("div", "table-wrap", [el("table", null, [el("thead", null, [head]), el("tbody", null, body)])]);
  }

  function para(className, parts) {
    return el("p", className, parts);
  }

  function shownNote(column) {
    if (column.shown.length === column.width) return null;
    return para("note", [
      "Showing " + column.shown.length + " of " + column.width +
        " units: the strongest for this sample. Hover or select a unit, an edge or a heat-map cell for any number.",
    ]);
  }

  // ---- the SVG ----

  function unitNodes(c) {
    return svg.querySelectorAll('.u[data-c="' + c + '"]');
  }

  // What each column's units show at a step: [q, values] or null.
  function unitQuantity(c, step) {
    var column = columns[c];
    if (step.phase === "input") return c === 0 ? ["x", column.a] : null;
    if (step.phase === "forward") return c <= step.column ? [activationName(c), column.a] : null;
    if (step.phase === "backward" && c >= step.column && column.delta) return ["delta", column.delta];
    if (step.phase === "update" && c >= 1 && c <= step.column && column.parameters.length) {
      return ["ub", column.parameters[1].update];
    }
    return [activationName(c), column.a];
  }

  function renderUnits(step) {
    columns.forEach(function (column, c) {
      var quantity = unitQuantity(c, step);
      var largest = 0;
      if (quantity) {
        column.shown.forEach(function (i) {
          largest = Math.max(largest, Math.abs(Number(quantity[1][i])) || 0);
        });
      }
      unitNodes(c).forEach(function (node) {
        var i = Number(node.dataset.i);
        var label = node.querySelector(".v");
        var circle = node.querySelector("circle");
        node.classList.toggle("on", c === step.column);
        if (!quantity) {
          label.textContent = "";
          delete label.dataset.value;
          circle.style.fill = "";
          return;
        }
        var value = quantity[1][i];
        label.textContent = fmt(value);
        label.dataset.value = value;
        label.dataset.q = quantity[0];
        label.dataset.layer = column.name;
        label.dataset.i = i;
        var x = Number(value);
        var relative = largest > 0 && isFinite(x) ? Math.min(Math.abs(x) / largest, 1) : 0;
        circle.style.fill = x > 0 ? tint([37, 99, 235], relative) : x < 0 ? tint([220, 38, 38], relative) : "#fff";
      });
    });
  }

  // Which of a dense column's tensors its edges show at a step.
  function edgeValues(c, step) {
    var weight = tensor(columns[c], "weight");
    if (!weight) return null;
    if (c === step.column && step.phase === "backward") return weight.gradient;
    if (c === step.column && step.phase === "update") return weight.update;
    return weight.values;
  }

  function renderEdges(step) {
    columns.forEach(function (column, c) {
      var values = edgeValues(c, step);
      if (!values) return;
      var edges = svg.querySelectorAll('.e[data-c="' + c + '"]');
      var largest = 0;
      edges.forEach(function (edge) {
        var v = Math.abs(Number(weightAt(column, values, Number(edge.dataset.i), Number(edge.dataset.j))));
        if (isFinite(v)) largest = Math.max(largest, v);
      });
      edges.forEach(function (edge) {
        var value = weightAt(column, values, Number(edge.dataset.i), Number(edge.dataset.j));
        var style = colourOf(value, largest, edges.length);
        edge.setAttribute("stroke", style[0]);
        edge.setAttribute("stroke-width", style[1].toFixed(2));
        edge.setAttribute("stroke-opacity", style[2].toFixed(2));
      });
    });
  }

  // ---- the step's panel ----

  function unitRows(column, cells) {
    return column.shown.map(function (i) {
      return [String(i)].concat(cells(i));
    });
  }

  function renderInput(panel) {
    var column = columns[0];
    panel.appendChild(el("h2", null, ["Input"]));
    panel.appendChild(para(null, ["The sample's values x, passed to the first layer as its input a⁰ = x."]));
    if (column.square) {
      var canvas = document.createElement("canvas");
      drawImage(canvas, column.a, column.square);
      panel.appendChild(el("div", "sample", [canvas]));
    }
    var note = shownNote(column);
    if (note) panel.appendChild(note);
    panel.appendChild(table(["unit", "x"], unitRows(column, function (i) {
      return [num(column.a[i], "x", "input", i)];
    })));
  }

  function renderForward(panel, c) {
    var column = columns[c];
    var prev = activationName(c - 1) + (c - 1 === 0 ? "" : "⁽ᵖʳᵉᵛ⁾");
    panel.appendChild(el("h2", null, ["Forward · " + column.name + " ", el("code", null, [column.title])]));
    var rows;
    if (column.kind === "dense") {
      panel.appendChild(para("formula", ["zᵢ = Σⱼ wᵢⱼ·" + prev + "ⱼ + bᵢ,  aᵢ = " + column.function]));
      var bias = tensor(column, "bias");
      rows = table(["unit", "b", "z", "a"], unitRows(column, function (i) {
        return [num(bias.values[i], "b", column.name, i), num(column.z[i], "z", column.name, i), num(column.a[i], "a", column.name, i)];
      }));
    } else if (column.kind === "dropout") {
      panel.appendChild(para("formula", ["aᵢ = xᵢ·maskᵢ"]));
      panel.appendChild(para("note", ["Inference mode: no mask is drawn, so dropout keeps every value (mask 1). While training, each value is dropped with the layer's rate and the others scaled by 1/(1 − rate)."]));
      rows = table(["unit", "mask", "a"], unitRows(column, function (i) {
        return [num(column.mask[i], "mask", column.name, i), num(column.a[i], "a", column.name, i)];
      }));
    } else {
      var scale = tensor(column, "scale"), shift = tensor(column, "shift");
      panel.appendChild(para("formula", [
        (column.kind === "layer_norm" ? "x̂ = (x − mean(x))/√(var(x) + ε) over the sample's features" : "x̂ = (x − μ)/√(σ² + ε) by the batch's statistics") +
          ",  yᵢ = γᵢ·x̂ᵢ + βᵢ,  aᵢ = " + (column.function || "y").replace(/z/g, "y"),
      ]));
      rows = table(["unit", "x̂", "γ", "β", "y", "a"], unitRows(column, function (i) {
        return [num(column.xhat[i], "xhat", column.name, i), num(scale.values[i], "w", column.name, i),
          num(shift.values[i], "b", column.name, i), num(column.z[i], "z", column.name, i), num(column.a[i], "a", column.name, i)];
      }));
    }
    var note = shownNote(column);
    if (note) panel.appendChild(note);
    panel.appendChild(rows);
  }

  function renderLoss(panel) {
    var c = columns.length - 1, column = columns[c];
    panel.appendChild(el("h2", null, ["Loss · " + data.loss.name]));
    panel.appendChild(para("formula", ["L = " + data.loss.name + "(a, y) for the output a and the target y"]));
    panel.appendChild(table(["unit", "a", "target y"], unitRows(column, function (i) {
      return [num(column.a[i], "a", column.name, i), num(data.target[i], "target", null, i)];
    })));
    panel.appendChild(para(null, ["L = ", num(data.loss.value, "loss")]));
    if (data.penalty) {
      panel.appendChild(para("formula", [
        "Penalty λ₁·Σ|w| + λ₂·Σw² (λ₁ = " + data.penalty.l1 + ", λ₂ = " + data.penalty.l2 + ", dense weights only) = ",
        num(data.loss.penalty, "penalty"),
      ]));
      panel.appendChild(para(null, ["Total, as the trainer reports it: ", num(data.loss.total, "total")]));
    }
  }

  function edgeRows(c, values, cells) {
    var column = columns[c], from = columns[c - 1];
    var edges = [];
    column.shown.forEach(function (i) {
      from.shown.forEach(function (j) { edges.push([i, j]); });
    });
    var all = edges.length;
    if (edges.length > EDGE_ROWS) {
      edges.sort(function (p, q) {
        return Math.abs(Number(weightAt(column, values, q[0], q[1]))) - Math.abs(Number(weightAt(column, values, p[0], p[1])));
      });
      edges = edges.slice(0, EDGE_ROWS);
    }
    var rows = edges.map(function (edge) {
      return [edge[1] + " → " + edge[0]].concat(cells(edge[0], edge[1]));
    });
    return { rows: rows, shown: edges.length, all: column.width * from.width, drawn: all };
  }

  function edgeNote(result) {
    if (result.shown === result.all) return null;
    return para("note", ["The " + result.shown + " largest of the " + result.all + " weights; the heat map below shows them all."]);
  }

  function renderBackward(panel, c) {
    var column = columns[c], last = c === columns.length - 1, from = columns[c - 1];
    panel.appendChild(el("h2", null, ["Backward · " + column.name + " ", el("code", null, [column.title])]));
    var pre = column.kind === "dense" ? "z" : column.kind === "dropout" ? "a" : "y";
    if (last) {
      panel.appendChild(para("formula", ["δᵢ = ∂L/∂zᵢ, from the loss (softmax with cross-entropy and sigmoid with binary cross-entropy give a − y)"]));
    } else if (column.kind === "dropout") {
      panel.appendChild(para("formula", ["δᵢ = ∂L/∂aᵢ, passed back by the next layer"]));
    } else {
      panel.appendChild(para("formula", ["∂L/∂aᵢ = Σₖ wₖᵢ·δₖ (the next layer's),  δᵢ = ∂L/∂" + pre + "ᵢ = f′(" + pre + "ᵢ)·∂L/∂aᵢ with f′ = " + column.derivative]));
    }
    var headings = ["unit"], cells;
    if (!last) headings.push("∂L/∂a");
    headings.push("δ");
    var bias = tensor(column, "bias"), scale = tensor(column, "scale"), shift = tensor(column, "shift");
    if (bias) headings.push("∂L/∂b");
    if (scale) headings.push("∂L/∂γ", "∂L/∂β");
    cells = function (i) {
      var row = [];
      if (!last) row.push(num(column.grad_a[i], "grad_a", column.name, i));
      row.push(num(column.delta[i], "delta", column.name, i));
      if (bias) row.push(num(bias.gradient[i], "db", column.name, i));
      if (scale) row.push(num(scale.gradient[i], "dw", column.name, i), num(shift.gradient[i], "db", column.name, i));
      return row;
    };
    var note = shownNote(column);
    if (note) panel.appendChild(note);
    panel.appendChild(table(headings, unitRows(column, cells)));
    if (scale) panel.appendChild(para("formula", ["∂L/∂γᵢ = δᵢ·x̂ᵢ,  ∂L/∂βᵢ = δᵢ"]));
    var weight = tensor(column, "weight");
    if (weight) {
      panel.appendChild(el("h3", null, ["Weights: ∂L/∂wᵢⱼ = δᵢ·" + activationName(c - 1) + "ⱼ,  ∂L/∂bᵢ = δᵢ"]));
      var result = edgeRows(c, weight.gradient, function (i, j) {
        return [num(from.a[j], activationName(c - 1), from.name, j), num(column.delta[i], "delta", column.name, i),
          num(weightAt(column, weight.gradient, i, j), "dw", column.name, i, j)];
      });
      var edgeText = edgeNote(result);
      if (edgeText) panel.appendChild(edgeText);
      panel.appendChild(table(["edge j → i", activationName(c - 1) + "ⱼ", "δᵢ", "∂L/∂w"], result.rows));
    }
  }

  function renderUpdate(panel, c) {
    var column = columns[c];
    panel.appendChild(el("h2", null, ["Update · " + column.name + " ", el("code", null, [column.title])]));
    panel.appendChild(para("formula", [data.optimizer.rule + ";  lr = " + data.optimizer.learning_rate]));
    if (data.penalty) {
      panel.appendChild(para("formula", ["For weights, g = ∂L/∂w + λ₁·sign(w) + 2λ₂·w (λ₁ = " + data.penalty.l1 + ", λ₂ = " + data.penalty.l2 + "); for the others g = ∂L/∂θ"]));
    }
    panel.appendChild(para("note", ["Δ is the change one real " + data.optimizer.name + " step makes: the values after it less those before, on a copy of the network. A stateful optimizer's first step is shown."]));
    var first = column.parameters[0], second = column.parameters[1];
    var dense = first.kind === "weight";
    var note = shownNote(column);
    if (note) panel.appendChild(note);
    var names = dense ? ["b", "Δb"] : ["γ", "Δγ", "β", "Δβ"];
    panel.appendChild(table(["unit"].concat(names), unitRows(column, function (i) {
      if (dense) return [num(second.values[i], "b", column.name, i), num(second.update[i], "ub", column.name, i)];
      return [num(first.values[i], "w", column.name, i), num(first.update[i], "uw", column.name, i),
        num(second.values[i], "b", column.name, i), num(second.update[i], "ub", column.name, i)];
    })));
    if (dense) {
      var g = first.penalized || first.gradient, gq = first.penalized ? "gw" : "dw";
      panel.appendChild(el("h3", null, ["Weights"]));
      var result = edgeRows(c, first.update, function (i, j) {
        return [num(weightAt(column, first.values, i, j), "w", column.name, i, j),
          num(weightAt(column, g, i, j), gq, column.name, i, j),
          num(weightAt(column, first.update, i, j), "uw", column.name, i, j)];
      });
      var edgeText = edgeNote(result);
      if (edgeText) panel.appendChild(edgeText);
      panel.appendChild(table(["edge j → i", "w", first.penalized ? "g" : "∂L/∂w", "Δw"], result.rows));
    }
  }

  // ---- heat maps of wide layers ----

  function drawImage(canvas, values, side) {
    canvas.width = side;
    canvas.height = side;
    var context = canvas.getContext("2d");
    var image = context.createImageData(side, side);
    var lo = Infinity, hi = -Infinity;
    values.forEach(function (v) { var x = Number(v); if (isFinite(x)) { lo = Math.min(lo, x); hi = Math.max(hi, x); } });
    values.forEach(function (v, k) {
      var x = Number(v), shade = hi > lo && isFinite(x) ? Math.round(255 * (1 - (x - lo) / (hi - lo))) : 255;
      image.data[4 * k] = image.data[4 * k + 1] = image.data[4 * k + 2] = shade;
      image.data[4 * k + 3] = 255;
    });
    context.putImageData(image, 0, 0);
  }

  // A dense column's matrix as pixels: one tile per unit when its input is a square image,
  // else one row per unit. Returns a function from a pixel to [i, j], or null.
  function drawMatrix(canvas, c, values) {
    var column = columns[c], from = columns[c - 1];
    var side = from.kind === "input" ? from.square : null;
    var across = side ? Math.ceil(Math.sqrt(column.width)) : 1;
    var down = side ? Math.ceil(column.width / across) : column.width;
    var w = side ? across * (side + 1) : from.width, h = side ? down * (side + 1) : column.width;
    canvas.width = w;
    canvas.height = h;
    var context = canvas.getContext("2d");
    var image = context.createImageData(w, h);
    for (var k = 0; k < image.data.length; k += 4) {
      image.data[k] = image.data[k + 1] = image.data[k + 2] = 255;
      image.data[k + 3] = 255;
    }
    var largest = 0;
    values.forEach(function (v) { var x = Math.abs(Number(v)); if (isFinite(x)) largest = Math.max(largest, x); });
    function pixel(i, j) {
      if (!side) return [j, i];
      var tile = [i % across, Math.floor(i / across)];
      return [tile[0] * (side + 1) + (j % side), tile[1] * (side + 1) + Math.floor(j / side)];
    }
    for (var i = 0; i < column.width; i++) {
      for (var j = 0; j < from.width; j++) {
        var x = Number(weightAt(column, values, i, j));
        var relative = largest > 0 && isFinite(x) ? Math.min(Math.abs(x) / largest, 1) : 0;
        var p = pixel(i, j), at = 4 * (p[1] * w + p[0]);
        var fade = Math.round(255 * (1 - relative));
        image.data[at] = x > 0 ? fade : 255;
        image.data[at + 1] = fade;
        image.data[at + 2] = x < 0 ? fade : 255;
      }
    }
    context.putImageData(image, 0, 0);
    return function (px, py) {
      if (!side) return py < column.width && px < from.width ? [py, px] : null;
      var tx = Math.floor(px / (side + 1)), ty = Math.floor(py / (side + 1));
      var ox = px % (side + 1), oy = py % (side + 1);
      var i = ty * across + tx;
      if (ox >= side || oy >= side || i >= column.width) return null;
      return [i, oy * side + ox];
    };
  }

  function renderHeatMaps(step) {
    var holder = document.getElementById("nn-heat");
    clear(holder);
    columns.forEach(function (column, c) {
      var weight = tensor(column, "weight");
      if (!weight || !column.summarized) return;
      var values = edgeValues(c, step), what = values === weight.gradient ? "∂L/∂W" : values === weight.update ? "ΔW" : "W";
      var canvas = document.createElement("canvas");
      var locate = drawMatrix(canvas, c, values);
      function pick(event) {
        var box = canvas.getBoundingClientRect();
        var px = Math.floor((event.clientX - box.left) * canvas.width / box.width);
        var py = Math.floor((event.clientY - box.top) * canvas.height / box.height);
        var at = locate(px, py);
        if (at) select({ type: "edge", c: c, i: at[0], j: at[1] });
      }
      canvas.addEventListener("click", pick);
      canvas.addEventListener("mousemove", pick);
      var from = columns[c - 1];
      var shape = from.kind === "input" && from.square ? "one " + from.square + "×" + from.square + " tile per unit" : "one row per unit, one column per input";
      holder.appendChild(el("figure", "heat", [
        el("figcaption", null, [column.name + ": " + what + " (" + column.width + " × " + from.width + "), " + shape + "; blue positive, red negative, paler smaller. Hover or select a pixel for its edge."]),
        canvas,
      ]));
    });
    holder.hidden = !holder.firstChild;
  }

  // ---- selection: a unit's or an edge's numbers and formulas ----

  function line(parts) {
    return el("p", "formula", parts);
  }

  function unitDetail(box, c, i) {
    var column = columns[c];
    box.appendChild(el("h2", null, [column.name + " · unit " + i]));
    if (c === 0) {
      box.appendChild(line(["x = ", num(column.a[i], "x", "input", i), " (the sample's value)"]));
      return;
    }
    var bias = tensor(column, "bias"), scale = tensor(column, "scale"), shift = tensor(column, "shift");
    if (column.kind === "dense") {
      box.appendChild(line(["z = Σⱼ wⱼ·" + activationName(c - 1) + "ⱼ + b = ", num(column.z[i], "z", column.name, i), "  with b = ", num(bias.values[i], "b", column.name, i)]));
      box.appendChild(line(["a = " + column.function + " = ", num(column.a[i], "a", column.name, i)]));
    } else if (column.kind === "dropout") {
      box.appendChild(line(["a = x·mask = x·", num(column.mask[i], "mask", column.name, i), " = ", num(column.a[i], "a", column.name, i)]));
    } else {
      box.appendChild(line(["x̂ = ", num(column.xhat[i], "xhat", column.name, i)]));
      box.appendChild(line(["y = γ·x̂ + β = ", num(column.z[i], "z", column.name, i), "  with γ = ", num(scale.values[i], "w", column.name, i), ", β = ", num(shift.values[i], "b", column.name, i)]));
      box.appendChild(line(["a = " + (column.function || "y").replace(/z/g, "y") + " = ", num(column.a[i], "a", column.name, i)]));
    }
    if (column.grad_a) box.appendChild(line(["∂L/∂a = Σₖ wₖ·δₖ (next layer) = ", num(column.grad_a[i], "grad_a", column.name, i)]));
    if (column.delta) {
      var how = c === columns.length - 1 ? "from the loss" : column.kind === "dropout" ? "∂L/∂a" : "f′·∂L/∂a, f′ = " + column.derivative;
      box.appendChild(line(["δ = " + how + " = ", num(column.delta[i], "delta", column.name, i)]));
    } else {
      box.appendChild(line(["No gradient reaches this layer: no layer before it has parameters."]));
    }
    if (bias) {
      box.appendChild(line(["∂L/∂b = δ = ", num(bias.gradient[i], "db", column.name, i), ",  Δb = ", num(bias.update[i], "ub", column.name, i)]));
    }
    if (scale) {
      box.appendChild(line(["∂L/∂γ = δ·x̂ = ", num(scale.gradient[i], "dw", column.name, i), ",  Δγ = ", num(scale.update[i], "uw", column.name, i)]));
      box.appendChild(line(["∂L/∂β = δ = ", num(shift.gradient[i], "db", column.name, i), ",  Δβ = ", num(shift.update[i], "ub", column.name, i)]));
    }
  }

  function edgeDetail(box, c, i, j) {
    var column = columns[c], from = columns[c - 1], weight = tensor(column, "weight");
    var a = activationName(c - 1);
    box.appendChild(el("h2", null, [column.name + " · weight from " + from.name + " unit " + j + " to unit " + i]));
    box.appendChild(line(["w = ", num(weightAt(column, weight.values, i, j), "w", column.name, i, j)]));
    box.appendChild(line(["∂L/∂w = δᵢ·" + a + "ⱼ = ", num(column.delta[i], "delta", column.name, i), " × ",
      num(from.a[j], a, from.name, j), " = ", num(weightAt(column, weight.gradient, i, j), "dw", column.name, i, j)]));
    if (weight.penalized) {
      box.appendChild(line(["g = ∂L/∂w + λ₁·sign(w) + 2λ₂·w = ", num(weightAt(column, weight.penalized, i, j), "gw", column.name, i, j)]));
    }
    box.appendChild(line(["Δw = ", num(weightAt(column, weight.update, i, j), "uw", column.name, i, j)]));
    box.appendChild(para("note", [data.optimizer.rule + "; lr = " + data.optimizer.learning_rate]));
  }

  function select(target) {
    selection = target;
    svg.querySelectorAll(".sel").forEach(function (node) { node.classList.remove("sel"); });
    var box = document.getElementById("nn-detail");
    clear(box);
    if (!target) {
      box.appendChild(para("note", ["Hover or select a unit or an edge to see its numbers and the formulas that produced them."]));
      return;
    }
    if (target.type === "unit") {
      var unit = svg.querySelector('.u[data-c="' + target.c + '"][data-i="' + target.i + '"]');
      if (unit) unit.classList.add("sel");
      unitDetail(box, target.c, target.i);
    } else {
      var edge = svg.querySelector('.e[data-c="' + target.c + '"][data-i="' + target.i + '"][data-j="' + target.j + '"]');
      if (edge) edge.classList.add("sel");
      edgeDetail(box, target.c, target.i, target.j);
    }
    measure();
  }

  // ---- stepping ----

  function render() {
    var step = steps[current];
    var label = document.getElementById("nn-step");
    label.textContent = "Step " + current + " of " + (steps.length - 1) + " · " +
      step.phase.charAt(0).toUpperCase() + step.phase.slice(1) + " · " + step.title;
    label.dataset.step = current;
    label.dataset.last = steps.length - 1;
    label.dataset.phase = step.phase;
    label.dataset.layer = columns[step.column].name;
    document.getElementById("nn-prev").disabled = current === 0;
    document.getElementById("nn-next").disabled = current === steps.length - 1;
    document.querySelectorAll(".phases li").forEach(function (item) {
      item.classList.toggle("on", item.dataset.phase === step.phase);
    });
    renderUnits(step);
    renderEdges(step);
    var panel = document.getElementById("nn-panel");
    clear(panel);
    if (step.phase === "input") renderInput(panel);
    else if (step.phase === "forward") renderForward(panel, step.column);
    else if (step.phase === "loss") renderLoss(panel);
    else if (step.phase === "backward") renderBackward(panel, step.column);
    else renderUpdate(panel, step.column);
    renderHeatMaps(step);
    measure();
  }

  function go(index) {
    current = Math.max(0, Math.min(steps.length - 1, index));
    render();
    try {
      history.replaceState(null, "", "#step=" + current);
    } catch (error) {
      // A page opened from a file may not change its address; the step is shown all the same.
    }
  }

  function measure() {
    document.body.dataset.overflow = document.documentElement.scrollWidth > window.innerWidth ? "yes" : "no";
  }

  document.getElementById("nn-prev").addEventListener("click", function () { go(current - 1); });
  document.getElementById("nn-next").addEventListener("click", function () { go(current + 1); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") go(current + 1);
    else if (event.key === "ArrowLeft") go(current - 1);
    else if (event.key === "Home") go(0);
    else if (event.key === "End") go(steps.length - 1);
    else return;
    event.preventDefault();
  });
  svg.querySelectorAll(".u").forEach(function (node) {
    var target = { type: "unit", c: Number(node.dataset.c), i: Number(node.dataset.i) };
    node.addEventListener("mouseenter", function () { select(target); });
    node.addEventListener("click", function () { select(target); });
    node.addEventListener("focus", function () { select(target); });
  });
  svg.querySelectorAll(".e").forEach(function (node) {
    var target = { type: "edge", c: Number(node.dataset.c), i: Number(node.dataset.i), j: Number(node.dataset.j) };
    node.addEventListener("mouseenter", function () { select(target); });
    node.addEventListener("click", function () { select(target); });
  });
  window.addEventListener("resize", measure);

  // #step=K advances K steps from the start; select=u:C:I or e:C:I:J selects a unit or an edge.
  var params = new URLSearchParams(location.hash.slice(1));
  render();
  var advance = parseInt(params.get("step") || "0", 10) || 0;
  for (var k = 0; k < advance && current < steps.length - 1; k++) {
    current += 1;
    render();
  }
  var picked = (params.get("select") || "").split(":");
  if (picked[0] === "u" && picked.length === 3) {
    select({ type: "unit", c: Number(picked[1]), i: Number(picked[2]) });
  } else if (picked[0] === "e" && picked.length === 4) {
    select({ type: "edge", c: Number(picked[1]), i: Number(picked[2]), j: Number(picked[3]) });
  } else {
    select(null);
  }
  window.addEventListener("load", function () { setTimeout(measure, 0); });
})();
