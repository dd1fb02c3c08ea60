// The training lab's live drawing (st.components.v2, no build step, nothing fetched).
//
// Python sends a spec: counters, an optional decision boundary, line charts and a list of
// frames (epoch + counter values + a base64 byte grid). Frames are played one every
// `frame_ms`, so one server update gives several redraws. Text is written with textContent
// and fillText only, never as HTML. The root element carries data-frame-count (frames
// drawn), data-updates (messages received), data-epoch, data-playing and data-pending
// for tests and the benchmark.

const STATES = new WeakMap();

export default function (component) {
  const { data, parentElement } = component;
  let state = STATES.get(parentElement);
  if (!state || !state.root.isConnected) {
    state = create(parentElement);
    STATES.set(parentElement, state);
  }
  receive(state, data || {});
  return () => stopTimer(state); // Streamlit calls the last one on unmount
}

function create(parent) {
  const root = document.createElement("div");
  root.className = "lab-live";
  parent.appendChild(root);
  const state = { root, spec: null, queue: [], timer: null, count: 0, updates: 0, shown: null,
                  layout: "", run: null };
  root.dataset.frameCount = "0";
  new ResizeObserver(() => { if (state.shown) draw(state, state.shown); }).observe(root);
  return state;
}

function receive(state, spec) {
  const layout = JSON.stringify([spec.kind, spec.counters, (spec.charts || []).map(
    (c) => [c.title, c.series.map((s) => s.name)]), !!spec.boundary, !!spec.tiles]);
  if (layout !== state.layout) build(state, spec, layout);
  if (spec.run !== state.run) { state.run = spec.run; state.shown = null; state.queue = []; }
  state.spec = spec;
  state.updates += 1;
  state.root.dataset.updates = String(state.updates);
  state.root.dataset.kind = spec.kind || "";
  if (spec.tiles) { drawTiles(state, spec.tiles); return finish(state); }
  const frames = spec.frames || [];
  if (!spec.playing) {
    stopTimer(state);
    state.queue = [];
    const last = frames[frames.length - 1];
    if (last && signature(last) !== (state.shown && signature(state.shown))) show(state, last);
    else if (state.shown) draw(state, state.shown);
    return finish(state);
  }
  const newest = state.shown ? state.shown.x : -1;
  const fresh = frames.filter((f) => f.x > newest);
  const limit = Math.max(3 * frames.length, 4); // beyond that, the oldest are dropped
  state.queue = state.queue.concat(fresh).slice(-limit);
  if (!state.timer) step(state);
  finish(state);
}

function signature(frame) {
  return `${frame.x}:${frame.side || 0}`;
}

function step(state) {
  state.timer = null;
  const frame = state.queue.shift();
  if (frame) show(state, frame);
  if (state.queue.length) state.timer = setTimeout(() => step(state), delay(state));
  finish(state);
}

function delay(state) {
  // one message's frames fill the time to the next; a backlog (messages arriving in a burst
  // on a busy server) is played faster rather than dropped, so the lag stays short
  const batch = Math.max(1, (state.spec.frames || []).length);
  return (state.spec.frame_ms || 100) * Math.min(1, batch / state.queue.length);
}

function stopTimer(state) {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

function finish(state) {
  const d = state.root.dataset;
  d.playing = state.spec && state.spec.playing ? "true" : "false";
  d.pending = String(state.queue.length);
  d.frameCount = String(state.count);
}

function show(state, frame) {
  state.shown = frame;
  draw(state, frame);
  state.count += 1;
  state.root.dataset.epoch = String(frame.x);
}

// ------------------------------------------------------------------ layout

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function build(state, spec, layout) {
  const root = state.root;
  root.replaceChildren();
  state.layout = layout;
  state.counters = (spec.counters || []).map((c) => {
    const box = el("div", "counter");
    box.append(el("span", "label", c.label));
    const value = el("span", "value", "–");
    box.append(value);
    return { spec: c, value };
  });
  if (state.counters.length) {
    const row = el("div", "counters");
    state.counters.forEach((c) => row.append(c.value.parentNode));
    root.append(row);
  }
  const panels = el("div", "panels");
  state.boundary = spec.boundary ? panel(panels, spec.boundary.title, [], 1) : null;
  state.charts = (spec.charts || []).map((c) => panel(panels, c.title, c.series, 0.55));
  root.append(panels);
  state.tileBox = null;
  if (spec.tiles) { state.tileBox = el("div", "tiles"); root.append(state.tileBox); }
  if (spec.note) root.append(el("div", "note", spec.note));
}

function panel(parent, title, series, aspect) {
  const box = el("div", "panel");
  box.append(el("div", "title", title || ""));
  if (series.length) {
    const legend = el("div", "legend");
    series.forEach((s) => {
      const item = el("span");
      const swatch = el("span", "swatch");
      swatch.style.background = s.color;
      item.append(swatch, document.createTextNode(s.name));
      legend.append(item);
    });
    box.append(legend);
  }
  const canvas = el("canvas");
  box.append(canvas);
  parent.append(box);
  return { canvas, aspect };
}

function context(item) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(item.canvas.clientWidth, 200);
  const height = Math.round(Math.min(width * item.aspect, 420));
  item.canvas.style.height = `${height}px`;
  if (item.canvas.width !== Math.round(width * ratio)) item.canvas.width = Math.round(width * ratio);
  if (item.canvas.height !== Math.round(height * ratio)) item.canvas.height = Math.round(height * ratio);
  const ctx = item.canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

// ------------------------------------------------------------------ drawing a frame

function draw(state, frame) {
  const spec = state.spec;
  state.counters.forEach((c) => {
    const v = c.spec.key === "epoch" ? frame.x : (frame.values || {})[c.spec.key];
    c.value.textContent = format(v, c.spec.format);
  });
  if (state.boundary && frame.grid) drawBoundary(state.boundary, spec.boundary, frame);
  state.charts.forEach((item, k) => drawChart(item, spec.charts[k], frame.x));
}

function format(v, how) {
  if (v === null || v === undefined || Number.isNaN(v)) return how === "cost" ? "diverged" : "–";
  if (how === "int") return Math.round(v).toLocaleString("en-US");
  if (how === "pct") return `${v.toFixed(1)}%`;
  if (how === "cost") return v.toFixed(4);
  return Number(v.toPrecision(3)).toString();
}

function bytes(b64) {
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}

function rgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function ramp(stops) {
  // 256 colours through evenly spaced stops (binary: class 0, white, class 1)
  const colors = stops.map(rgb);
  const table = [];
  for (let v = 0; v < 256; v += 1) {
    const t = (v / 255) * (colors.length - 1);
    const i = Math.min(Math.floor(t), colors.length - 2);
    const f = t - i;
    table.push(colors[i].map((c, j) => Math.round(c + (colors[i + 1][j] - c) * f)));
  }
  return table;
}

function image(grid, res, table) {
  const values = bytes(grid);
  const off = document.createElement("canvas");
  off.width = res;
  off.height = res;
  const ctx = off.getContext("2d");
  const img = ctx.createImageData(res, res);
  for (let i = 0; i < res; i += 1) {
    for (let j = 0; j < res; j += 1) {
      const color = table[values[i * res + j]] || [255, 255, 255];
      const p = ((res - 1 - i) * res + j) * 4; // row 0 is the lowest y: flip
      img.data[p] = color[0]; img.data[p + 1] = color[1]; img.data[p + 2] = color[2];
      img.data[p + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return off;
}

function drawBoundary(item, spec, frame) {
  const { ctx, width, height } = context(item);
  if (!spec.table) spec.table = spec.bands ? spec.bands.map(rgb) : ramp(spec.ramp);
  const side = Math.min(width, height);
  const left = (width - side) / 2;
  ctx.imageSmoothingEnabled = !spec.bands;
  ctx.drawImage(image(frame.grid, frame.side, spec.table), left, 0, side, side);
  const [x0, x1, y0, y1] = spec.box;
  const px = (x) => left + ((x - x0) / (x1 - x0)) * side;
  const py = (y) => side - ((y - y0) / (y1 - y0)) * side;
  spec.points.forEach((group) => {
    for (let k = 0; k < group.x.length; k += 1) {
      const color = spec.class_colors[group.c[k]] || "#495057";
      const x = px(group.x[k]);
      const y = py(group.y[k]);
      ctx.beginPath();
      if (group.dev) {
        ctx.strokeStyle = color; ctx.lineWidth = 2;
        ctx.moveTo(x - 3.5, y - 3.5); ctx.lineTo(x + 3.5, y + 3.5);
        ctx.moveTo(x - 3.5, y + 3.5); ctx.lineTo(x + 3.5, y - 3.5);
        ctx.stroke();
      } else {
        ctx.fillStyle = color; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1;
        ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
        ctx.fill(); ctx.stroke();
      }
    }
  });
}

function ticks(low, high, log) {
  if (log) {
    const out = [];
    for (let e = Math.floor(low); e <= Math.ceil(high); e += 1) {
      [1, 2, 5].forEach((m) => {
        const t = Math.log10(m) + e;
        if (t >= low - 1e-9 && t <= high + 1e-9 && (high - low < 2.5 || m === 1)) out.push(t);
      });
    }
    return out;
  }
  const span = high - low || 1;
  const raw = span / 4;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const stepSize = [1, 2, 5, 10].map((m) => m * unit).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(low / stepSize) * stepSize; t <= high + 1e-9; t += stepSize) out.push(t);
  return out;
}

function tickLabel(t, log) {
  const v = log ? 10 ** t : t;
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : Number(v.toPrecision(2)).toString();
}

function extent(spec, upto) {
  let xmin = Infinity; let xmax = -Infinity; let ymin = Infinity; let ymax = -Infinity;
  spec.series.forEach((s) => s.x.forEach((x, k) => {
    const y = s.y[k];
    if (x > upto || y === null || (spec.log && y <= 0)) return; // the axes follow the frame
    const v = spec.log ? Math.log10(y) : y;
    xmin = Math.min(xmin, x); xmax = Math.max(xmax, x);
    ymin = Math.min(ymin, v); ymax = Math.max(ymax, v);
  }));
  if (spec.hline && !spec.log && spec.hline.y !== null) {
    ymin = Math.min(ymin, spec.hline.y); ymax = Math.max(ymax, spec.hline.y);
  }
  if (!Number.isFinite(xmin)) return null;
  xmax = Math.max(xmax, xmin + 1);
  if (!spec.log && spec.unit === "%") ymin = Math.min(ymin, 0);
  if (ymax - ymin < 1e-9) { ymin -= 0.5; ymax += 0.5; }
  return { xmin, xmax, ymin, ymax };
}

function drawChart(item, spec, upto) {
  const { ctx, width, height } = context(item);
  const box = extent(spec, upto);
  if (!box) return;
  const pad = { l: 48, r: 10, t: 8, b: 22 };
  const W = width - pad.l - pad.r;
  const H = height - pad.t - pad.b;
  const sx = (x) => pad.l + ((x - box.xmin) / (box.xmax - box.xmin)) * W;
  const sy = (v) => pad.t + H - ((v - box.ymin) / (box.ymax - box.ymin)) * H;
  ctx.font = "11px sans-serif";
  ctx.fillStyle = "#6c757d";
  ctx.strokeStyle = "#e9ecef";
  ctx.lineWidth = 1;
  ticks(box.ymin, box.ymax, spec.log).forEach((t) => {
    ctx.beginPath(); ctx.moveTo(pad.l, sy(t)); ctx.lineTo(width - pad.r, sy(t)); ctx.stroke();
    ctx.textAlign = "right";
    ctx.fillText(tickLabel(t, spec.log) + (spec.unit || ""), pad.l - 4, sy(t) + 4);
  });
  ticks(box.xmin, box.xmax, false).forEach((t) => {
    ctx.textAlign = "center";
    ctx.fillText(tickLabel(t, false), sx(t), height - 6);
  });
  ctx.textAlign = "left";
  ctx.fillText("epoch", 2, height - 6);
  if (spec.hline && spec.hline.y !== null && !spec.log) {
    ctx.save(); ctx.setLineDash([5, 4]); ctx.strokeStyle = spec.hline.color;
    ctx.beginPath(); ctx.moveTo(pad.l, sy(spec.hline.y)); ctx.lineTo(width - pad.r, sy(spec.hline.y));
    ctx.stroke(); ctx.restore();
    ctx.fillStyle = spec.hline.color; ctx.textAlign = "right";
    ctx.fillText(spec.hline.label, width - pad.r, sy(spec.hline.y) - 4);
  }
  ctx.lineWidth = 2;
  spec.series.forEach((s) => {
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    let open = false;
    for (let k = 0; k < s.x.length && s.x[k] <= upto; k += 1) {
      const y = s.y[k];
      if (y === null || (spec.log && y <= 0)) { open = false; continue; }
      const X = sx(s.x[k]);
      const Y = sy(spec.log ? Math.log10(y) : y);
      if (open) ctx.lineTo(X, Y); else ctx.moveTo(X, Y);
      open = true;
    }
    ctx.stroke();
  });
}

// ------------------------------------------------------------------ tiles (drawn once per data)

function drawTiles(state, tiles) {
  const box = state.tileBox;
  box.replaceChildren();
  const table = ramp(tiles.ramp);
  tiles.grids.forEach((grid, k) => {
    const cell = el("div", "tile");
    const canvas = el("canvas");
    canvas.width = tiles.res; canvas.height = tiles.res;
    canvas.getContext("2d").drawImage(image(grid, tiles.res, table), 0, 0);
    cell.append(canvas, el("span", "", tiles.names[k]));
    box.append(cell);
  });
  state.root.dataset.tileCount = String(tiles.grids.length);
  state.count += 1;
}
