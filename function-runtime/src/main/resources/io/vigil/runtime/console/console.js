// The Vigil console: reads vigil/v1/console.proto's JSON once a second and draws it.
"use strict";

const POLL_MILLIS = 1000;
const CHECKPOINTS_SHOWN = 12;
const state = { selected: null, charts: {}, versionsShown: "", editedVersion: null, busy: false, refreshing: false };
let needsToken = false;

const $ = (id) => document.getElementById(id);
const num = (value) => Number(value || 0);
const grouped = (value) => Math.round(num(value)).toLocaleString("en-US");
const micros = (value) => {
  const us = num(value);
  return us >= 1e6 ? (us / 1e6).toFixed(2) + " s" : us >= 1000 ? (us / 1000).toFixed(2) + " ms" : us + " µs";
};
const bytes = (value) => {
  let n = num(value);
  for (const unit of ["B", "KiB", "MiB", "GiB"]) {
    if (n < 1024 || unit === "GiB") return (unit === "B" ? n : n.toFixed(1)) + " " + unit;
    n /= 1024;
  }
};
const duration = (seconds) => {
  const s = Math.abs(seconds);
  return s < 60 ? +seconds.toFixed(1) + " s" : s < 3600 ? +(seconds / 60).toFixed(1) + " min"
    : s < 86400 ? +(seconds / 3600).toFixed(1) + " h" : Math.round(seconds / 86400).toLocaleString("en-US") + " d";
};
const clock = (millis) => new Date(num(millis)).toLocaleTimeString("en-GB");

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fillTable(id, items, draw) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  for (const item of items) draw(body.insertRow(), item);
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  const token = sessionStorage.getItem("vigil-token");
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(path, { ...options, headers });
  const body = await response.json();
  if (!response.ok) {
    const error = new Error(body.message || response.statusText);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

function showProblem(text) {
  $("problem").hidden = !text;
  $("problem").textContent = text || "";
}

async function refresh() {
  if (state.refreshing) return;
  state.refreshing = true;
  try {
    const page = await api("/api/operators");
    showProblem(null);
    $("token-form").hidden = !needsToken && !sessionStorage.getItem("vigil-token");
    $("caller").textContent = "as " + page.caller + " (by " + page.authenticatedBy + ")";
    drawOperators(page.operators);
    if (state.selected) {
      if (page.operators.some((operator) => operator.name === state.selected)) {
        drawOperator(await api("/api/operator?name=" + encodeURIComponent(state.selected)));
      } else {
        $("operator").hidden = true;
      }
    }
  } catch (error) {
    if (error.status === 401) {
      needsToken = true;
      $("token-form").hidden = false;
    }
    showProblem(error.message);
  } finally {
    state.refreshing = false;
  }
}

function drawOperators(operators) {
  $("no-operators").hidden = operators.length > 0;
  fillTable("operators", operators, (row, operator) => {
    row.dataset.name = operator.name;
    row.classList.toggle("selected", operator.name === state.selected);
    row.addEventListener("click", () => select(operator.name));
    cell(row, operator.name);
    cell(row, operator.language);
    cell(row, operator.version, "number");
    cell(row, operator.shards + " (" + operator.shardsHere + ")", "number");
    cell(row, grouped(operator.eventsPerSecond), "number");
    cell(row, grouped(operator.resultsPerSecond), "number");
    cell(row, operator.openStreams, "number");
    cell(row, bytes(operator.stateBytes), "number");
    cell(row, operator.mayDeploy ? "deploy" : "read");
  });
}

function select(name) {
  location.hash = "operator=" + encodeURIComponent(name);
}

function selectFromHash() {
  const match = /operator=([^&]+)/.exec(location.hash);
  const name = match ? decodeURIComponent(match[1]) : null;
  if (name !== state.selected) {
    state.selected = name;
    state.versionsShown = "";
    state.editedVersion = null;
    for (const chart of Object.values(state.charts)) chart.destroy();
    state.charts = {};
    $("operator").hidden = true;
  }
  refresh();
}

function drawOperator(view) {
  const status = view.status;
  const spec = status.spec;
  $("operator").hidden = false;
  $("operator-name").textContent = spec.name;
  $("operator-facts").textContent = spec.language + ", version " + status.version + ", " + status.placement.shards.length
    + " shards (" + status.shards.length + " here), key field " + (spec.keyField || "none");
  drawCharts(view.samples);
  fillTable("shards", status.shards, (row, shard) => {
    const pauses = shard.checkpointPauses;
    cell(row, shard.shard, "number");
    cell(row, shard.version, "number");
    cell(row, grouped(shard.eventsProcessed), "number");
    cell(row, grouped(shard.resultsEmitted), "number");
    cell(row, shard.openStreams, "number");
    cell(row, Math.round(num(shard.busy) * 100) + " %", "number");
    cell(row, grouped(shard.eventsHeld), "number");
    cell(row, grouped(shard.lateEvents), "number");
    cell(row, shard.batchesQueued, "number");
    cell(row, bytes(shard.stateBytes), "number");
    cell(row, num(pauses.count) === 0 ? "–"
      : micros(pauses.p50Micros) + " / " + micros(pauses.p99Micros) + " / " + micros(pauses.maxMicros), "number");
  });
  $("no-swaps").hidden = view.swaps.length > 0;
  fillTable("swaps", view.swaps, (row, swap) => {
    const report = swap.report;
    row.dataset.version = report.version;
    row.title = swap.description;
    cell(row, clock(swap.atMillis));
    cell(row, swap.shard, "number");
    cell(row, report.cause.toLowerCase());
    cell(row, report.fromVersion + " → " + report.version, "number");
    cell(row, swap.description.replace(/^version \d+ (active after a [\d.]+ ms pause, )?/, ""), "prose");
    cell(row, micros(report.pauseMicros), "number");
    cell(row, report.cause === "UPDATE" ? micros(report.compileMicros) : "–", "number");
    cell(row, report.replayed ? grouped(num(report.batchesReplayedAhead) + num(report.batchesReplayedAtSwitch)) + " batches" : "–", "number");
    cell(row, grouped(report.eventsBefore), "number");
  });
  $("no-checkpoints").hidden = view.checkpoints.length > 0;
  fillTable("checkpoints", view.checkpoints.slice(0, CHECKPOINTS_SHOWN), (row, checkpoint) => {
    cell(row, clock(checkpoint.atMillis));
    cell(row, checkpoint.shard, "number");
    cell(row, checkpoint.checkpointId, "number");
    cell(row, checkpoint.version, "number");
    cell(row, micros(checkpoint.pauseMicros), "number");
    cell(row, micros(checkpoint.durableMicros), "number");
    cell(row, bytes(checkpoint.stateBytes), "number");
    cell(row, checkpoint.failure ? checkpoint.failure : "durable", checkpoint.failure ? "bad" : "ok");
  });
  drawVersions(view.versions);
  $("editor").hidden = !view.mayDeploy;
  $("read-only").hidden = view.mayDeploy;
  const current = view.versions[0];
  if (current && state.editedVersion !== current.version && !state.busy) {
    state.editedVersion = current.version;
    $("source").value = current.source;
  }
}

function drawCharts(samples) {
  if (typeof uPlot === "undefined") return;
  const times = samples.map((sample) => num(sample.atMillis) / 1000);
  const series = {
    "throughput-chart": [times, samples.map((s) => num(s.eventsPerSecond)), samples.map((s) => num(s.resultsPerSecond))],
    "latency-chart": [times, samples.map((s) => num(s.batchP50Millis)), samples.map((s) => num(s.batchP99Millis)),
      samples.map((s) => num(s.eventTimeLagSeconds))],
  };
  for (const [id, data] of Object.entries(series)) {
    const element = $(id);
    if (!state.charts[id]) {
      element.replaceChildren();
      state.charts[id] = new uPlot(chartOptions(id, element), data, element);
    } else {
      state.charts[id].setData(data);
    }
    element.dataset.points = String(times.length);
    element.dataset.latest = String(data[1].length ? data[1][data[1].length - 1] : 0);
  }
}

function chartOptions(id, element) {
  const size = { width: element.clientWidth || 560, height: (element.clientHeight || 260) - 30 };
  if (id === "throughput-chart") {
    return { ...size, series: [{}, { label: "events/s", stroke: "#2f6fde", width: 2 }, { label: "results/s", stroke: "#e07b00", width: 2 }],
      axes: [{}, { size: 70 }] };
  }
  return { ...size,
    series: [{}, { label: "p50 ms", stroke: "#2f6fde", width: 2, scale: "ms" }, { label: "p99 ms", stroke: "#b3261e", width: 2, scale: "ms" },
      { label: "lag", stroke: "#6b7385", width: 1, dash: [4, 4], scale: "s", value: (u, v) => v == null ? "--" : duration(v) }],
    scales: { ms: {}, s: {} },
    axes: [{}, { scale: "ms", size: 60 },
      { scale: "s", side: 1, grid: { show: false }, size: 60, values: (u, values) => values.map(duration) }] };
}

function drawVersions(versions) {
  const key = versions.map((version) => version.version).join(",");
  if (key === state.versionsShown) return;
  state.versionsShown = key;
  for (const [id, index] of [["diff-from", Math.min(1, versions.length - 1)], ["diff-to", 0]]) {
    const select = $(id);
    select.replaceChildren(...versions.map((version) => new Option("version " + version.version + " (" + clock(version.deployedAtMillis) + ")",
      version.version)));
    if (versions.length) select.value = versions[index].version;
    select.onchange = () => drawDiff(versions);
  }
  drawDiff(versions);
}

function sourceOf(version) {
  if (!version) return [];
  if (num(version.artifactBytes) > 0) {
    return ["(a " + version.language + " artifact of " + bytes(version.artifactBytes) + ", SHA-256 " + version.artifactSha256 + ")"]
      .concat(version.source ? version.source.split("\n") : []);
  }
  return version.source.split("\n");
}

// Lines of two sources side by side (a longest common subsequence): kept lines across from each
// other, and in a changed stretch each dropped line across from the line added in its place.
function lineDiff(before, after) {
  const n = before.length;
  const m = after.length;
  const common = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      common[i][j] = before[i] === after[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const rows = [];
  let dropped = [];
  let added = [];
  const pairUp = () => {
    for (let k = 0; k < Math.max(dropped.length, added.length); k++) {
      rows.push({ left: dropped[k], right: added[k], kind: "changed" });
    }
    dropped = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      pairUp();
      rows.push({ left: i++, right: j++, kind: "same" });
    } else if (i < n && (j === m || common[i + 1][j] >= common[i][j + 1])) {
      dropped.push(i++);
    } else {
      added.push(j++);
    }
  }
  pairUp();
  return rows;
}

function drawDiff(versions) {
  const find = (id) => versions.find((version) => String(version.version) === $(id).value);
  const before = sourceOf(find("diff-from"));
  const after = sourceOf(find("diff-to"));
  const rows = lineDiff(before, after);
  const added = rows.filter((row) => row.kind === "changed" && row.right !== undefined).length;
  const dropped = rows.filter((row) => row.kind === "changed" && row.left !== undefined).length;
  $("diff-summary").textContent = versions.length < 2 ? "one version so far" : "+" + added + " −" + dropped + " lines";
  fillTable("diff", rows, (row, line) => {
    const changed = line.kind === "changed";
    row.className = line.kind;
    cell(row, line.left === undefined ? "" : String(line.left + 1), "line");
    cell(row, line.left === undefined ? "" : before[line.left], "text" + (changed && line.left !== undefined ? " del" : ""));
    cell(row, line.right === undefined ? "" : String(line.right + 1), "line");
    cell(row, line.right === undefined ? "" : after[line.right], "text" + (changed && line.right !== undefined ? " add" : ""));
  });
}

async function swapIn() {
  const result = $("update-result");
  state.busy = true;
  $("swap").disabled = true;
  $("diagnostics").replaceChildren();
  result.className = "";
  result.textContent = "compiling…";
  try {
    const view = await api("/api/operator/update", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Vigil-Console": "1" },
      body: JSON.stringify({ name: state.selected, source: $("source").value }),
    });
    result.className = "ok";
    result.textContent = "version " + view.status.version + " swapped in";
    state.editedVersion = null;
    drawOperator(view);
  } catch (error) {
    result.className = "bad";
    result.textContent = error.message;
    for (const diagnostic of (error.body && error.body.diagnostics) || []) {
      const item = document.createElement("li");
      item.textContent = (diagnostic.line ? "line " + diagnostic.line + ", column " + diagnostic.column + ": " : "") + diagnostic.message;
      $("diagnostics").append(item);
    }
  } finally {
    state.busy = false;
    $("swap").disabled = false;
  }
}

window.addEventListener("hashchange", selectFromHash);
window.addEventListener("DOMContentLoaded", () => {
  $("swap").addEventListener("click", swapIn);
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("vigil-token", $("token").value.trim());
    needsToken = false;
    refresh();
  });
  selectFromHash();
  setInterval(refresh, POLL_MILLIS);
});
