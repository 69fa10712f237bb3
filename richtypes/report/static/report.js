// richtypes report page. Reads the model from #rt-model; every piece of user
// text reaches the DOM through textContent or a property, never as HTML.
"use strict";
(function () {
  const model = JSON.parse(document.getElementById("rt-model").textContent);
  const inlineBlobs = JSON.parse(document.getElementById("rt-blobs").textContent);
  const runs = model.runs;
  const multi = runs.length > 1;
  const pending = [];  // promises of the first, visible renders (the page is "ready" when they settle)

  // ------------------------------------------------------------------ helpers
  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null) continue;
      if (k === "text") node.textContent = String(v);
      else if (k === "cls") node.className = v;
      else if (k === "style") node.style.cssText = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children || []) if (c) node.appendChild(c);
    return node;
  }
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  function rgb(c) { return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")"; }
  const PALETTE = [[230,25,75],[60,180,75],[0,130,200],[245,130,48],[145,30,180],[70,240,240],[240,50,230],[210,245,60],[250,190,212],[0,128,128],[220,190,255],[170,110,40]];
  function classColor(view, cid) {
    const c = view.classes && view.classes[String(cid)];
    return c ? c[1] : PALETTE[((cid % PALETTE.length) + PALETTE.length) % PALETTE.length];
  }
  function fmt(v) {
    if (v === null || v === undefined) return String(v);
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, "");
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }
  function flatten(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj || {})) {
      const key = prefix ? prefix + "." + k : k;
      if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length) flatten(v, key, out);
      else out[key] = v;
    }
    return out;
  }
  // "#eager" in the URL draws everything at once (screenshots, tests); else on first sight
  const eager = location.hash.indexOf("eager") >= 0;
  function whenVisible(node, fn) {
    if (eager || !("IntersectionObserver" in window)) { fn(); return; }
    const obs = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { obs.disconnect(); fn(); }
    }, { rootMargin: "200px" });
    obs.observe(node);
  }
  // a run's label: its name, with its id when another run on the page has the same name
  const names = runs.map((r) => String(r.name || r.id || "run"));
  runs.forEach((r, i) => {
    r.label = names.filter((n) => n === names[i]).length > 1 ? names[i] + " (" + r.id + ")" : names[i];
  });
  function runLabel(run) { return run.label; }

  // Data blobs: inline in a single file, else a classic script that calls RT.blob.
  const waiting = {};
  const loaded = {};
  window.RT = {
    blob(key, value) { loaded[key] = value; (waiting[key] || []).forEach((f) => f(value)); delete waiting[key]; },
  };
  function loadBlob(ref) {
    if (inlineBlobs[ref.blob] !== undefined) return Promise.resolve(inlineBlobs[ref.blob]);
    if (loaded[ref.blob] !== undefined) return Promise.resolve(loaded[ref.blob]);
    return new Promise((resolve, reject) => {
      const first = !waiting[ref.blob];
      (waiting[ref.blob] = waiting[ref.blob] || []).push(resolve);
      if (first) {
        const s = el("script", { src: ref.src });
        s.onerror = () => reject(new Error("could not load " + ref.src));
        document.head.appendChild(s);
      }
    });
  }
  function b64(text, Type) {
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  // ------------------------------------------------------------------- header
  function header() {
    const head = el("header", { cls: "run-head" });
    head.appendChild(el("h1", { text: runs.map(runLabel).join("  vs  ") }));
    for (const run of runs) {
      const meta = el("div", { cls: "meta" });
      const parts = [
        multi ? runLabel(run) + ":" : null,
        "project " + (run.project ?? "-"),
        "status " + (run.status ?? "-"),
        "started " + (run.start ?? "-"),
        "ended " + (run.end ?? "-"),
        "id " + (run.id ?? "-"),
        run.rows + " history rows",
      ].filter(Boolean);
      meta.appendChild(el("span", { text: parts.join("  ·  ") + "  " }));
      for (const t of run.tags) meta.appendChild(el("span", { cls: "tag", text: t }));
      if (run.notes) meta.appendChild(el("div", { cls: "notes", text: "notes: " + run.notes }));
      head.appendChild(meta);
    }
    return head;
  }

  function kvTable(title, pick) {
    const flat = runs.map((r) => flatten(pick(r), "", {}));
    const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
    const block = el("section", { cls: "block", id: title.toLowerCase() }, [el("h2", { text: title })]);
    if (!keys.length) { block.appendChild(el("p", { cls: "note", text: "(empty)" })); return block; }
    const table = el("table", { cls: "kv runs-cols" });
    if (multi) table.appendChild(el("tr", {}, [el("th", { text: "key" }), ...runs.map((r) => el("th", { text: runLabel(r) }))]));
    for (const k of keys) {
      table.appendChild(el("tr", {}, [el("td", { text: k }), ...flat.map((f) => el("td", { cls: "v", text: k in f ? fmt(f[k]) : "" }))]));
    }
    block.appendChild(table);
    return block;
  }

  // ------------------------------------------------------------------ scalars
  function scalarsBlock() {
    const keys = [...new Set(runs.flatMap((r) => Object.keys(r.scalars)))].sort();
    const block = el("section", { cls: "block", id: "scalars" }, [el("h2", { text: "Scalars" })]);
    if (!keys.length) { block.appendChild(el("p", { cls: "note", text: "(no scalars logged)" })); return block; }
    const groups = {};
    for (const k of keys) {
      const cut = k.indexOf("/");
      const g = cut > 0 ? k.slice(0, cut) : "";
      (groups[g] = groups[g] || []).push(k);
    }
    for (const g of Object.keys(groups).sort()) {
      const det = el("details", { open: "" }, [el("summary", { text: g ? g + "/" : "(no prefix)" })]);
      const grid = el("div", { cls: "grid" });
      for (const key of groups[g]) {
        const card = el("div", { cls: "card scalar", "data-key": key, "data-runs": String(runs.filter((r) => r.scalars[key]).length) });
        card.appendChild(el("h3", { text: key }));
        const holder = el("div", { cls: "chart" });
        card.appendChild(holder);
        const notes = [];
        for (const run of runs) {
          const s = run.scalars[key];
          if (s && s.total > s.steps.length) notes.push((multi ? runLabel(run) + ": " : "") + "downsampled for display: " + s.steps.length + " of " + s.total + " points (each bucket's first, lowest and highest)");
        }
        for (const n of notes) card.appendChild(el("div", { cls: "note downsampled", text: n }));
        grid.appendChild(card);
        whenVisible(card, () => drawScalar(holder, key));
      }
      det.appendChild(grid);
      block.appendChild(det);
    }
    return block;
  }
  function drawScalar(holder, key) {
    const values = [];
    for (const run of runs) {
      const s = run.scalars[key];
      if (!s) continue;
      for (let i = 0; i < s.steps.length; i++) values.push({ step: s.steps[i], value: s.values[i], run: runLabel(run) });
    }
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      width: 380, height: 180,
      data: { values },
      mark: { type: "line", tooltip: true, interpolate: "linear" },
      encoding: {
        x: { field: "step", type: "quantitative", title: "_step" },
        y: { field: "value", type: "quantitative", title: key, scale: { zero: false } },
      },
    };
    if (multi) spec.encoding.color = { field: "run", type: "nominal", title: "run" };
    track(vegaEmbed(holder, spec, { actions: false, renderer: "canvas" }));
  }
  function track(promise) {
    const p = Promise.resolve(promise).catch((err) => console.error(err));
    pending.push(p);
    return p;
  }

  // -------------------------------------------------------------------- media
  function mediaBlock() {
    const block = el("section", { cls: "block", id: "media" }, [el("h2", { text: "Media" })]);
    let any = false;
    for (const run of runs) {
      const keys = Object.keys(run.media).sort();
      if (!keys.length) continue;
      any = true;
      const holder = multi ? el("details", { open: "" }, [el("summary", { text: runLabel(run) })]) : block;
      const grid = el("div", { cls: "grid" });
      for (const key of keys) grid.appendChild(mediaKey(key, run.media[key]));
      holder.appendChild(grid);
      if (multi) block.appendChild(holder);
      if (run.errors && run.errors.length) block.appendChild(el("div", { cls: "errors", text: "not shown: " + run.errors.join("; ") }));
    }
    if (!any) block.appendChild(el("p", { cls: "note", text: "(no media logged)" }));
    return block;
  }

  function mediaKey(key, entry) {
    const card = el("div", { cls: "card media-key", "data-key": key, "data-type": entry.type });
    card.appendChild(el("h3", { text: key + "  (" + entry.type + ")" }));
    const body = el("div", { cls: "items" });
    let index = entry.steps.length - 1;
    const show = () => {
      body.replaceChildren();
      entry.items[index].forEach((view, i) => body.appendChild(renderView(view, key + "#" + i)));
    };
    if (entry.steps.length > 1) {
      const label = el("span", { cls: "step-label", text: "step " + entry.steps[index] });
      const range = el("input", { type: "range", min: "0", max: String(entry.steps.length - 1), value: String(index), cls: "step-slider" });
      range.addEventListener("input", () => { index = Number(range.value); label.textContent = "step " + entry.steps[index]; show(); });
      card.appendChild(el("div", { cls: "stepper" }, [el("span", { text: entry.steps.length + " steps" }), range, label]));
    } else if (entry.steps.length === 1) {
      card.appendChild(el("div", { cls: "stepper" }, [el("span", { cls: "step-label", text: "step " + entry.steps[0] })]));
    }
    if (entry.type === "histogram") card.appendChild(distributions(key, entry));
    card.appendChild(body);
    whenVisible(card, show);
    return card;
  }

  function renderView(view, id) {
    const fn = RENDER[view.t];
    if (!fn) return el("div", { cls: "note", text: "(" + (view.type || view.t) + ": not drawn by this page)" });
    const node = fn(view, id);
    if (view.caption !== undefined && view.caption !== null && view.t !== "image") {
      return el("div", {}, [node, el("div", { cls: "caption", text: view.caption })]);
    }
    return node;
  }

  // images: boxes and masks as overlays with their controls
  function imageView(view) {
    const scale = Math.min(1, 640 / view.w);
    const W = Math.round(view.w * scale), H = Math.round(view.h * scale);
    const wrap = el("div", { cls: "image-view", style: "width:" + W + "px;height:" + H + "px" });
    const img = el("img", { cls: "base", src: view.src, width: String(W), height: String(H), loading: "lazy", alt: view.caption || "" });
    wrap.appendChild(img);
    const controls = el("div", { cls: "controls" });
    const masks = [];
    for (const [name, m] of Object.entries(view.masks || {})) {
      const mimg = el("img", { cls: "mask", src: m.src, width: String(W), height: String(H), "data-mask": name, style: "opacity:0.5" });
      wrap.appendChild(mimg);
      masks.push(mimg);
      const box = el("input", { type: "checkbox", checked: "" });
      box.addEventListener("change", () => { mimg.style.display = box.checked ? "" : "none"; });
      const legend = el("span");
      for (const [cid, cname, color] of m.classes) legend.appendChild(el("span", {}, [el("span", { cls: "swatch", style: "background:" + rgb(color) }), el("span", { text: cname + " " })]));
      controls.appendChild(el("label", {}, [box, el("span", { text: " mask " + name + ": " }), legend]));
    }
    if (masks.length) {
      const op = el("input", { type: "range", min: "0", max: "1", step: "0.05", value: "0.5", cls: "mask-opacity" });
      op.addEventListener("input", () => masks.forEach((m) => { m.style.opacity = op.value; }));
      controls.appendChild(el("label", {}, [el("span", { text: "mask opacity " }), op]));
    }
    if (view.boxes) drawBoxes(wrap, controls, view, W, H);
    const out = el("div", { cls: "image-item" }, [wrap]);
    if (view.caption !== null && view.caption !== undefined) out.appendChild(el("div", { cls: "caption", text: view.caption }));
    if (controls.childNodes.length) out.appendChild(controls);
    return out;
  }

  function drawBoxes(wrap, controls, view, W, H) {
    const layer = svg("svg", { width: String(W), height: String(H), viewBox: "0 0 " + W + " " + H, class: "boxes" });
    wrap.appendChild(layer);
    const state = { groups: {}, classes: {}, threshold: 0 };
    const classNames = {};
    let anyScore = false;
    for (const [g, b] of Object.entries(view.boxes)) {
      state.groups[g] = true;
      for (const c of b.cls) { state.classes[c] = true; classNames[c] = classNames[c] || (b.labels[String(c)] ?? (view.classes && view.classes[String(c)] ? view.classes[String(c)][0] : "class_" + c)); }
      if (Object.keys(b.scores).length) anyScore = true;
    }
    // past this many boxes a label per box is noise: the boxes alone are drawn
    const LABELS_UP_TO = 100;
    const redraw = () => {
      layer.replaceChildren();
      const shown = Object.entries(view.boxes).reduce((n, [g, b]) => n + (state.groups[g] ? b.cls.length : 0), 0);
      for (const [g, b] of Object.entries(view.boxes)) {
        if (!state.groups[g]) continue;
        const scoreName = Object.keys(b.scores)[0];
        for (let i = 0; i < b.cls.length; i++) {
          const c = b.cls[i];
          const score = scoreName ? b.scores[scoreName][i] : null;
          if (!state.classes[c]) continue;
          if (score !== null && score !== undefined && score < state.threshold) continue;
          const x0 = b.xyxy[4 * i] * W, y0 = b.xyxy[4 * i + 1] * H, x1 = b.xyxy[4 * i + 2] * W, y1 = b.xyxy[4 * i + 3] * H;
          const color = rgb(classColor(view, c));
          layer.appendChild(svg("rect", { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0), fill: "none", stroke: color, "stroke-width": "2", "data-group": g, "data-class": String(c) }));
          if (shown > LABELS_UP_TO) continue;
          let text = b.captions && b.captions[i] ? b.captions[i] : (b.labels[String(c)] ?? classNames[c]);
          if (!(b.captions && b.captions[i]) && score !== null && score !== undefined) text += " " + score.toFixed(2);
          const label = svg("text", { x: x0 + 2, y: Math.max(10, y0 - 3), fill: color, "font-size": "11", "font-family": "sans-serif", stroke: "white", "stroke-width": "0.3", "paint-order": "stroke" });
          label.textContent = text;
          layer.appendChild(label);
        }
      }
    };
    for (const g of Object.keys(view.boxes)) {
      const box = el("input", { type: "checkbox", checked: "", "data-toggle-group": g });
      box.addEventListener("change", () => { state.groups[g] = box.checked; redraw(); });
      const b = view.boxes[g];
      const more = b.total > b.cls.length ? " (" + b.cls.length + " of " + b.total + " shown)" : "";
      controls.appendChild(el("label", {}, [box, el("span", { text: " " + g + more })]));
    }
    for (const c of Object.keys(state.classes)) {
      const box = el("input", { type: "checkbox", checked: "", "data-toggle-class": c });
      box.addEventListener("change", () => { state.classes[c] = box.checked; redraw(); });
      controls.appendChild(el("label", {}, [box, el("span", { cls: "swatch", style: "background:" + rgb(classColor(view, Number(c))) }), el("span", { text: classNames[c] })]));
    }
    if (anyScore) {
      const label = el("span", { text: "score >= 0.00" });
      const th = el("input", { type: "range", min: "0", max: "1", step: "0.01", value: "0", cls: "score-threshold" });
      th.addEventListener("input", () => { state.threshold = Number(th.value); label.textContent = "score >= " + state.threshold.toFixed(2); redraw(); });
      controls.appendChild(el("label", {}, [th, label]));
    }
    redraw();
  }

  function boxesAlone(view) {
    const v = { w: 320, h: 320, boxes: view.boxes, src: "", caption: null };
    const wrap = el("div", { cls: "image-view", style: "width:320px;height:320px;background:#f0f2f6" });
    const controls = el("div", { cls: "controls" });
    drawBoxes(wrap, controls, v, 320, 320);
    return el("div", {}, [wrap, controls]);
  }

  function maskAlone(view) {
    const scale = Math.min(1, 480 / view.w);
    const W = Math.round(view.w * scale), H = Math.round(view.h * scale);
    const legend = el("div", { cls: "controls" });
    for (const [cid, cname, color] of view.mask.classes) legend.appendChild(el("span", {}, [el("span", { cls: "swatch", style: "background:" + rgb(color) }), el("span", { text: cname })]));
    return el("div", {}, [el("div", { cls: "image-view", style: "background:#222" }, [el("img", { cls: "base", src: view.mask.src, width: String(W), height: String(H), style: "image-rendering:pixelated" })]), legend]);
  }

  function classesView(view) {
    const d = el("div", { cls: "controls" });
    for (const [cid, cname, color] of view.classes) d.appendChild(el("span", {}, [el("span", { cls: "swatch", style: "background:" + rgb(color) }), el("span", { text: cid + ": " + cname })]));
    return d;
  }

  // histograms: the shown step's bars; distributions over steps above the slider
  function histogramView(view) {
    const holder = el("div", { cls: "chart" });
    const values = view.counts.map((c, i) => ({ lo: view.edges[i], hi: view.edges[i + 1], count: c }));
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      width: 380, height: 160, data: { values },
      mark: { type: "rect", tooltip: true, color: "#4c78a8" },
      encoding: { x: { field: "lo", type: "quantitative", title: "value" }, x2: { field: "hi" }, y: { field: "count", type: "quantitative" } },
    };
    track(vegaEmbed(holder, spec, { actions: false, renderer: "canvas" }));
    return holder;
  }
  const QUANTILES = [0, 0.07, 0.16, 0.31, 0.5, 0.69, 0.84, 0.93, 1];
  function quantiles(view) {
    const total = view.counts.reduce((a, b) => a + (b || 0), 0);
    if (!total) return null;
    const out = [];
    let acc = 0, bin = 0;
    for (const q of QUANTILES) {
      const target = q * total;
      while (bin < view.counts.length - 1 && acc + (view.counts[bin] || 0) < target) { acc += view.counts[bin] || 0; bin++; }
      const c = view.counts[bin] || 0;
      const frac = c ? Math.min(1, Math.max(0, (target - acc) / c)) : 0;
      out.push(view.edges[bin] + frac * (view.edges[bin + 1] - view.edges[bin]));
    }
    return out;
  }
  function distributions(key, entry) {
    const holder = el("div", { cls: "chart distributions" });
    if (entry.steps.length < 2) return holder;
    const values = [];
    entry.steps.forEach((step, i) => {
      const q = quantiles(entry.items[i][0]);
      if (q) values.push({ step, q0: q[0], q7: q[1], q16: q[2], q31: q[3], q50: q[4], q69: q[5], q84: q[6], q93: q[7], q100: q[8] });
    });
    const band = (lo, hi, op) => ({ mark: { type: "area", opacity: op, color: "#e8590c" }, encoding: { x: { field: "step", type: "quantitative", title: "_step" }, y: { field: lo, type: "quantitative", title: key }, y2: { field: hi } } });
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      title: "distribution over steps (min, 7/16/31/50/69/84/93 percentiles, max)",
      width: 380, height: 160, data: { values },
      layer: [band("q0", "q100", 0.15), band("q7", "q93", 0.2), band("q16", "q84", 0.25), band("q31", "q69", 0.3),
        { mark: { type: "line", color: "#a33b00" }, encoding: { x: { field: "step", type: "quantitative" }, y: { field: "q50", type: "quantitative" } } }],
    };
    whenVisible(holder, () => track(vegaEmbed(holder, spec, { actions: false, renderer: "canvas" })));
    return holder;
  }

  function chartView(view) {
    const holder = el("div", { cls: "chart" });
    track(vegaEmbed(holder, view.spec, { actions: false, renderer: "canvas" }));
    return holder;
  }

  function htmlView(view) {
    // sandboxed: scripts may run, but with an opaque origin (no access to this page or its files)
    return el("iframe", { cls: "html-media", sandbox: "allow-scripts", src: view.src, loading: "lazy", referrerpolicy: "no-referrer" });
  }
  function videoView(view) {
    if (view.format === "gif") return el("img", { src: view.src, loading: "lazy", alt: view.caption || "" });
    return el("video", { src: view.src, controls: "", preload: "metadata", width: "320" });
  }
  function audioView(view) { return el("audio", { src: view.src, controls: "", preload: "metadata" }); }

  // tables: paged, sortable, media cells as thumbnails
  const PAGE = 10;
  function tableView(view) {
    const wrap = el("div", { cls: "table-view" });
    let order = view.rows.map((_, i) => i);
    let sortCol = -1, asc = true, page = 0;
    const pages = () => Math.max(1, Math.ceil(order.length / PAGE));
    const table = el("table", { cls: "data" });
    const info = el("span", { cls: "page-info" });
    const prev = el("button", { text: "prev", cls: "prev" });
    const next = el("button", { text: "next", cls: "next" });
    const cmp = (a, b) => {
      if (a === b) return 0;
      if (a === null || a === undefined) return 1;
      if (b === null || b === undefined) return -1;
      if (typeof a === "object" || typeof b === "object") return 0;
      return a < b ? -1 : 1;
    };
    const draw = () => {
      table.replaceChildren();
      const head = el("tr");
      view.columns.forEach((name, j) => {
        const arrow = j === sortCol ? (asc ? " ▲" : " ▼") : "";
        const th = el("th", { text: name + arrow, title: view.types[j], "data-col": String(j) });
        th.addEventListener("click", () => {
          asc = sortCol === j ? !asc : true;
          sortCol = j;
          order.sort((x, y) => (asc ? 1 : -1) * cmp(view.rows[x][j], view.rows[y][j]) || x - y);
          page = 0;
          draw();
        });
        head.appendChild(th);
      });
      table.appendChild(head);
      for (const r of order.slice(page * PAGE, page * PAGE + PAGE)) {
        const tr = el("tr");
        for (const cell of view.rows[r]) {
          const td = el("td");
          if (cell && typeof cell === "object" && cell.t) td.appendChild(cell.t === "image" ? el("img", { src: cell.src, loading: "lazy", alt: cell.caption || "" }) : renderView(cell, "cell"));
          else td.textContent = fmt(cell);
          tr.appendChild(td);
        }
        table.appendChild(tr);
      }
      info.textContent = "page " + (page + 1) + " of " + pages() + " (" + view.rows.length + " rows" + (view.nrows > view.rows.length ? ", the first " + view.rows.length + " of " + view.nrows : "") + ")";
      prev.disabled = page === 0;
      next.disabled = page >= pages() - 1;
    };
    prev.addEventListener("click", () => { page = Math.max(0, page - 1); draw(); });
    next.addEventListener("click", () => { page = Math.min(pages() - 1, page + 1); draw(); });
    draw();
    wrap.appendChild(table);
    wrap.appendChild(el("div", { cls: "pager" }, [prev, next, info]));
    return wrap;
  }

  // 3D: three.js with orbit controls, rendered on demand
  const BOX_EDGES = [0, 1, 1, 2, 2, 3, 3, 0, 4, 5, 5, 6, 6, 7, 7, 4, 0, 4, 1, 5, 2, 6, 3, 7];
  function object3dView(view) {
    const wrap = el("div", { cls: "three-wrap" });
    const info = el("div", { cls: "note" });
    if (view.points !== undefined) info.textContent = view.points + (view.total > view.points ? " of " + view.total : "") + " points";
    const legend = el("div", { cls: "controls" });
    for (const [cid, cname, color] of view.legend || []) legend.appendChild(el("span", {}, [el("span", { cls: "swatch", style: "background:" + rgb(color) }), el("span", { text: cname })]));
    if (typeof THREE === "undefined") { wrap.textContent = "three.js is not in this page"; return wrap; }
    whenVisible(wrap, () => track(loadBlob(view).then((data) => drawScene(wrap, data))));
    return el("div", {}, [wrap, info, legend]);
  }
  function drawScene(wrap, data) {
    const W = 480, H = 360;
    const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    renderer.setSize(W, H);
    renderer.setClearColor(0x14161c);
    wrap.appendChild(renderer.domElement);
    const scene = new THREE.Scene();
    const camera = new THREE.PerspectiveCamera(50, W / H, 0.01, 1e6);
    camera.up.set(0, 0, 1);
    const group = new THREE.Group();
    scene.add(group);
    const labels = [];
    if (data.kind === "mesh") {
      const geo = new THREE.BufferGeometry();
      geo.setAttribute("position", new THREE.BufferAttribute(b64(data.vertices, Float32Array), 3));
      geo.setIndex(new THREE.BufferAttribute(b64(data.faces, Uint32Array), 1));
      geo.computeVertexNormals();
      let material;
      if (data.colors) {
        geo.setAttribute("color", new THREE.BufferAttribute(b64(data.colors, Uint8Array), 3, true));
        material = new THREE.MeshStandardMaterial({ vertexColors: true, side: THREE.DoubleSide });
      } else {
        material = new THREE.MeshStandardMaterial({ color: 0x9fb4d8, side: THREE.DoubleSide });
      }
      group.add(new THREE.Mesh(geo, material));
      scene.add(new THREE.AmbientLight(0xffffff, 0.6));
      const sun = new THREE.DirectionalLight(0xffffff, 1.2);
      sun.position.set(1, 2, 3);
      scene.add(sun);
    } else {
      const geo = new THREE.BufferGeometry();
      geo.setAttribute("position", new THREE.BufferAttribute(b64(data.xyz, Float32Array), 3));
      let material;
      if (data.rgb) {
        geo.setAttribute("color", new THREE.BufferAttribute(b64(data.rgb, Uint8Array), 3, true));
        material = new THREE.PointsMaterial({ size: 2, sizeAttenuation: false, vertexColors: true });
      } else {
        material = new THREE.PointsMaterial({ size: 2, sizeAttenuation: false, color: 0x9fd3ff });
      }
      group.add(new THREE.Points(geo, material));
      if (data.boxes) {
        const c = data.boxes.corners;
        const n = c.length / 24;
        for (let b = 0; b < n; b++) {
          const pos = [];
          for (const k of BOX_EDGES) pos.push(c[24 * b + 3 * k], c[24 * b + 3 * k + 1], c[24 * b + 3 * k + 2]);
          const g = new THREE.BufferGeometry();
          g.setAttribute("position", new THREE.Float32BufferAttribute(pos, 3));
          const col = data.boxes.colors ? data.boxes.colors[b] : [255, 255, 0];
          group.add(new THREE.LineSegments(g, new THREE.LineBasicMaterial({ color: new THREE.Color(col[0] / 255, col[1] / 255, col[2] / 255) })));
          if (data.boxes.labels[b]) {
            let top = new THREE.Vector3(0, 0, -Infinity), cx = 0, cy = 0;
            for (let k = 0; k < 8; k++) { cx += c[24 * b + 3 * k] / 8; cy += c[24 * b + 3 * k + 1] / 8; top.z = Math.max(top.z, c[24 * b + 3 * k + 2]); }
            top.x = cx; top.y = cy;
            const tag = el("div", { cls: "label3d", text: data.boxes.labels[b] });
            wrap.appendChild(tag);
            labels.push([top, tag]);
          }
        }
      }
      if (data.vectors) {
        const s = data.vectors.starts, e = data.vectors.ends;
        for (let i = 0; i < s.length / 3; i++) {
          const from = new THREE.Vector3(s[3 * i], s[3 * i + 1], s[3 * i + 2]);
          const dir = new THREE.Vector3(e[3 * i], e[3 * i + 1], e[3 * i + 2]).sub(from);
          const len = dir.length();
          if (!len) continue;
          const col = data.vectors.colors ? data.vectors.colors[i] : [255, 255, 255];
          group.add(new THREE.ArrowHelper(dir.normalize(), from, len, new THREE.Color(col[0] / 255, col[1] / 255, col[2] / 255).getHex()));
        }
      }
    }
    const bounds = new THREE.Box3().setFromObject(group);
    const sphere = bounds.getBoundingSphere(new THREE.Sphere());
    const r = sphere.radius || 1;
    camera.position.copy(sphere.center).add(new THREE.Vector3(r * 1.2, -r * 1.6, r * 1.1));
    camera.near = r / 1000; camera.far = r * 100; camera.updateProjectionMatrix();
    const controls = new THREE.OrbitControls(camera, renderer.domElement);
    controls.target.copy(sphere.center);
    const render = () => {
      renderer.render(scene, camera);
      for (const [p, tag] of labels) {
        const v = p.clone().project(camera);
        const visible = v.z < 1;
        tag.style.display = visible ? "" : "none";
        tag.style.left = ((v.x + 1) / 2 * W) + "px";
        tag.style.top = ((1 - v.y) / 2 * H - 14) + "px";
      }
    };
    controls.addEventListener("change", render);
    controls.update();
    render();
  }

  const RENDER = {
    image: imageView, boxes2d: boxesAlone, mask: maskAlone, classes: classesView, histogram: histogramView,
    chart: chartView, html: htmlView, video: videoView, audio: audioView, table: tableView, object3d: object3dView,
  };

  // --------------------------------------------------------------------- page
  const app = document.getElementById("app");
  app.replaceChildren();
  document.body.insertBefore(header(), app);
  const main = el("main");
  main.appendChild(scalarsBlock());
  main.appendChild(mediaBlock());
  main.appendChild(kvTable("Config", (r) => r.config));
  main.appendChild(kvTable("Summary", (r) => r.summary));
  app.appendChild(main);
  // "ready" once the renders started by the first layout have settled
  requestAnimationFrame(() => requestAnimationFrame(() => {
    Promise.all(pending.slice()).then(() => { document.body.dataset.ready = "1"; });
  }));
})();
