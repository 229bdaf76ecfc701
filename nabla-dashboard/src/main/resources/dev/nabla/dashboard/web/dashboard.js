// nabla's live dashboard: replays the run's events from /events (Server-Sent Events) and draws them with uPlot.
"use strict";
const COLORS = ["#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#546e7a", "#9e9d24"];
const run = { epochs: 0, epoch: [], logs: [], steps: [], stepLoss: [], lr: [], grad: {}, dead: {}, layers: [], finished: false };
const charts = {};

function chart(id, title, xName, names, xs, ys, log, logX) {
  const el = document.getElementById(id);
  const data = [xs].concat(ys);
  el.dataset.points = xs.length;
  if (charts[id] && charts[id].series.length !== data.length) { charts[id].destroy(); delete charts[id]; }
  if (!charts[id]) {
    const series = [{ label: xName }].concat(names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 2, points: { show: xs.length < 60 } })));
    charts[id] = new uPlot({ title: title, width: 560, height: 280, scales: { x: logX ? { time: false, distr: 3 } : { time: false }, y: log ? { distr: 3 } : {} }, series: series }, data, el);
  } else {
    charts[id].setData(data);
  }
}

function column(key) { return run.logs.map(l => (key in l && l[key] !== null) ? l[key] : null); }

function drawEpochs() {
  const first = run.logs[0] || {};
  const metrics = Object.keys(first).filter(k => k !== "loss" && k !== "lr" && !k.startsWith("val_"));
  const lossNames = ["train"], lossYs = [column("loss")];
  if ("val_loss" in first) { lossNames.push("validation"); lossYs.push(column("val_loss")); }
  chart("loss", "loss per epoch", "epoch", lossNames, run.epoch, lossYs, lossYs.flat().every(v => v === null || v > 0));
  if (metrics.length) {
    const m = metrics[0], names = ["train " + m], ys = [column(m)];
    if (("val_" + m) in first) { names.push("validation " + m); ys.push(column("val_" + m)); }
    chart("metric", m + " per epoch", "epoch", names, run.epoch, ys, false);
  }
  const layers = Object.keys(run.grad);
  if (layers.length) chart("grad", "gradient norm ‖g‖ per layer", "epoch", layers, run.epoch, layers.map(l => run.grad[l]), true);
  const relus = Object.keys(run.dead);
  if (relus.length) chart("dead", "dead ReLU fraction", "epoch", relus.map(r => "ReLU " + r), run.epoch, relus.map(r => run.dead[r]), false);
}

function confusion(c) {
  let html = "<table><caption>confusion matrix (rows: true, columns: predicted), accuracy " + (100 * c.accuracy).toFixed(2) + "%</caption><tr><th></th>";
  c.classes.forEach(n => html += "<th>" + escape(n) + "</th>");
  html += "</tr>";
  c.classes.forEach((n, r) => {
    html += "<tr><th>" + escape(n) + "</th>";
    c.counts[r].forEach((v, k) => html += "<td class='" + (r === k ? "diag" : "") + "'>" + v + "</td>");
    html += "</tr>";
  });
  document.getElementById("confusion").innerHTML = html + "</table>";
}

function escape(s) { return String(s).replace(/[&<>"]/g, ch => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" })[ch]); }

function fmt(v) { return v === null || v === undefined ? "–" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(3); }

function progress(e) {
  const total = run.epochs * e.batches, done = e.step;
  document.getElementById("progress").value = total ? done / total : 0;
  document.getElementById("epoch").textContent = e.epoch;
  const rest = done > 0 ? e.t / done * (total - done) : 0;
  document.getElementById("eta").textContent = "elapsed " + e.t.toFixed(1) + " s, about " + rest.toFixed(1) + " s left";
}

function handle(e) {
  if (e.type === "begin") {
    Object.assign(run, { epochs: e.epochs, epoch: [], logs: [], steps: [], stepLoss: [], lr: [], grad: {}, dead: {}, finished: false });
    document.getElementById("title").textContent = e.title;
    document.getElementById("epochs").textContent = e.epochs;
    const s = document.getElementById("status");
    s.textContent = "running"; s.className = "running";
  } else if (e.type === "batch") {
    run.steps.push(e.step); run.stepLoss.push(e.logs.loss); run.lr.push(e.lr);
    chart("steps", "running loss of the epoch, per step", "step", ["loss"], run.steps, [run.stepLoss], run.stepLoss.every(v => v > 0));
    chart("lr", "learning rate", "step", ["lr"], run.steps, [run.lr], false);
    progress(e);
  } else if (e.type === "epoch") {
    run.epoch.push(e.epoch); run.logs.push(e.logs);
    for (const [layer, v] of Object.entries(e.gradNorms)) (run.grad[layer] = run.grad[layer] || []).push(v);
    for (const [layer, v] of Object.entries(e.dead)) (run.dead[layer] = run.dead[layer] || []).push(v);
    drawEpochs();
    document.getElementById("latest").textContent = "epoch " + e.epoch + ": " + Object.entries(e.logs).map(([k, v]) => k + " " + fmt(v)).join(", ");
    e.warnings.forEach(w => { const li = document.createElement("li"); li.textContent = w; document.getElementById("warnings").appendChild(li); });
    if (e.confusion) confusion(e.confusion);
    if (e.samples) document.getElementById("samples").innerHTML = "<p>sample predictions: " + e.samples.wrong + " of " + e.samples.count
        + " wrong (in red)</p><img alt='sample predictions' src='" + e.samples.image + "'>";
    if (e.fit) {
      const order = e.fit.x.map((v, i) => i).sort((a, b) => e.fit.x[a] - e.fit.x[b]);
      chart("fit", "the fit after epoch " + e.epoch, "x", ["true", "network"], order.map(i => e.fit.x[i]), [order.map(i => e.fit.y[i]), order.map(i => e.fit.prediction[i])], false);
    }
  } else if (e.type === "lrfind") {
    document.getElementById("title").textContent = e.title + ": learning-rate range test";
    const s = document.getElementById("status");
    s.textContent = "finished: suggested learning rate " + e.suggestion.toPrecision(3); s.className = "finished";
    chart("loss", "loss against the learning rate", "lr", ["loss", "smoothed"], e.lr, [e.loss, e.smoothed], false, true);
  } else if (e.type === "end") {
    run.finished = true;
    const s = document.getElementById("status");
    s.textContent = "finished: " + e.epochs + " epochs in " + e.t.toFixed(1) + " s"; s.className = "finished";
    document.getElementById("progress").value = 1;
    document.getElementById("eta").textContent = "";
  }
}

const source = new EventSource("events");
source.onmessage = m => handle(JSON.parse(m.data));
source.onerror = () => { if (run.finished) source.close(); };
