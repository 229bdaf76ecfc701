// nabla's playground page: settings → /playground/new, the train button loops on /playground/train; draws the boundary and the losses.
"use strict";
let running = false, looping = false, lossChart = null;

async function call(path) {
  const r = await fetch(path);
  const text = await r.text();
  if (!r.ok) throw new Error(text);
  return JSON.parse(text);
}

function draw(s) {
  document.getElementById("epoch").textContent = s.epochs;
  document.getElementById("accuracy").textContent = s.testAccuracy === null ? "–" : (100 * s.testAccuracy).toFixed(1) + "%";
  const canvas = document.getElementById("boundary"), ctx = canvas.getContext("2d"), cell = canvas.width / s.grid;
  for (let r = 0; r < s.grid; r++) {
    for (let c = 0; c < s.grid; c++) {
      const p = s.p[r * s.grid + c];  // orange for class 0, blue for class 1
      ctx.fillStyle = "rgb(" + Math.round(245 - 150 * p) + "," + Math.round(160 + 30 * p) + "," + Math.round(80 + 160 * p) + ")";
      ctx.fillRect(c * cell, r * cell, cell + 1, cell + 1);
    }
  }
  const scale = canvas.width / (2 * s.extent);
  for (let i = 0; i < s.y.length; i++) {
    ctx.beginPath();
    ctx.arc((s.x[2 * i] + s.extent) * scale, (s.extent - s.x[2 * i + 1]) * scale, 3, 0, 2 * Math.PI);
    ctx.fillStyle = s.y[i] === 1 ? "#0d47a1" : "#e65100";
    ctx.fill();
    ctx.strokeStyle = "white";
    ctx.stroke();
  }
  const epochs = s.trainLoss.map((v, i) => i + 1), el = document.getElementById("loss");
  el.dataset.points = epochs.length;
  const data = [epochs, s.trainLoss, s.testLoss];
  if (!lossChart) {
    lossChart = new uPlot({ title: "loss", width: 480, height: 300, scales: { x: { time: false } },
      series: [{ label: "epoch" }, { label: "train", stroke: "#1565c0", width: 2 }, { label: "test", stroke: "#c62828", width: 2 }] }, data, el);
  } else {
    lossChart.setData(data);
  }
}

function query() {
  return new URLSearchParams(new FormData(document.getElementById("settings"))).toString();
}

async function reset() {
  running = false;
  document.getElementById("train").textContent = "train";
  try {
    document.getElementById("error").textContent = "";
    draw(await call("playground/new?" + query()));
  } catch (e) {
    document.getElementById("error").textContent = e.message;
  }
}

// one loop at a time; "paused" only once its last request has landed and been drawn
async function loop() {
  looping = true;
  while (running) {
    try {
      draw(await call("playground/train?epochs=2"));
    } catch (e) {
      document.getElementById("error").textContent = e.message;
      running = false;
    }
  }
  looping = false;
  document.getElementById("status").textContent = "paused";
}

document.getElementById("reset").onclick = reset;
document.getElementById("train").onclick = () => {
  running = !running;
  document.getElementById("train").textContent = running ? "pause" : "train";
  document.getElementById("status").textContent = running ? "training" : "pausing";
  if (running && !looping) loop();
};
reset();
