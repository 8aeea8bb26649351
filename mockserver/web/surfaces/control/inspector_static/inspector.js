// callr-mock inspector: reads and drives the control API of this sandbox (same origin).
// No dependencies, no build step. Secrets are masked before anything is shown.
"use strict";

const API = "/_mock";
const SECRET = /key|secret|passw|pwd|token|auth|credential|signature|hmac|bearer|(?<![a-z])sig(?![a-z])/i;  // = redaction.SECRET_NAME (tested)
const SECTIONS = ["numbers", "scenarios", "sms", "tasks", "calls", "audio_files", "recordings", "webhooks", "reservations"];
const ui = { account: null, lastSeq: 0, entries: [], open: new Set(), details: new Map(), state: null, deliveries: [], runs: [] };

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function mask(value) {
  if (typeof value !== "string" || value.includes("[redacted]")) return value;  // masked by the server
  return value.length <= 4 ? "****" : value.slice(0, 4) + "…" + "*".repeat(4);
}

// a secret-named query parameter inside a string (a webhook endpoint https://host/hook?token=...)
const SECRET_PARAM = new RegExp("((?:^|[?&\\s])[\\w.\\[\\]-]*(?:" + SECRET.source + ")[\\w.\\[\\]-]*=)[^&\\s]*", "gi");

function masked(data) {
  if (typeof data === "string" && data.includes("=")) return data.replace(SECRET_PARAM, "$1[redacted]");
  if (Array.isArray(data)) return data.map(masked);
  if (data && typeof data === "object") {
    const out = {};
    for (const [k, v] of Object.entries(data)) out[k] = SECRET.test(k) ? mask(v) : masked(v);
    return out;
  }
  return data;
}

function say(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.className = isError ? "violation" : "";
}

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((data && data.message) || response.status + " " + response.statusText);
  return data;
}

// ---- clock and reset ----
function showClock(clock) {
  $("clock-mode").textContent = clock.mode;
  $("clock-now").textContent = clock.now;
  $("clock").dataset.now = clock.now;
  $("clock").dataset.mode = clock.mode;
}

async function clockAction(path, body) {
  try {
    showClock(await call("POST", "/clock/" + path, body));
    await refreshState();
    say("clock: " + path);
  } catch (error) { say(String(error.message || error), true); }
}

async function reset() {
  try {
    await call("POST", "/reset");
    ui.lastSeq = 0; ui.entries = []; ui.open.clear(); ui.details.clear();
    renderJournal();
    await refreshState();
    say("sandbox reset");
  } catch (error) { say(String(error.message || error), true); }
}

// ---- accounts and their state ----
function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function columns(items) {
  const keys = [];
  for (const item of items.slice(0, 20)) {
    for (const [k, v] of Object.entries(item)) {
      if (!keys.includes(k) && (v === null || typeof v !== "object")) keys.push(k);
    }
  }
  const first = ["sid", "id", "number", "name", "status", "state"].filter((k) => keys.includes(k));
  return [...first, ...keys.filter((k) => !first.includes(k))].slice(0, 7);
}

// an SMS's statusHistory (its transitions {before, after, at}) as the path it took
function statusPath(transitions) {
  if (!transitions.length) return "";
  return [transitions[0].before, ...transitions.map((t) => t.after + " @ " + t.at)].join(" → ");
}

function table(name, items) {
  if (!items.length) return el("p", { class: "empty" }, "none");
  const keys = columns(items);
  const extra = name === "sms" ? ["status history"] : [];
  const head = el("tr", {}, ...keys.map((k) => el("th", {}, k)), ...extra.map((k) => el("th", {}, k)), el("th", {}, ""));
  const rows = items.map((item) => {
    const row = el("tr", { "data-sid": item.sid || item.id || "" },
      ...keys.map((k) => el("td", { "data-field": k }, cell(item[k]))));
    if (name === "sms") row.append(el("td", { "data-field": "statusHistory" }, statusPath(item.statusHistory || [])));
    const key = name + ":" + (item.sid || item.id || JSON.stringify(item).slice(0, 40));
    const details = el("details", { "data-key": key }, el("summary", {}, "all"), el("pre", {}, JSON.stringify(item, null, 2)));
    if (ui.open.has(key)) details.open = true;
    details.addEventListener("toggle", () => (details.open ? ui.open.add(key) : ui.open.delete(key)));
    row.append(el("td", {}, details));
    return row;
  });
  return el("table", { id: "table-" + name }, el("thead", {}, head), el("tbody", {}, ...rows));
}

function renderAccount() {
  const box = $("account");
  box.replaceChildren();
  const accounts = (ui.state && ui.state.accounts) || [];
  const account = accounts.find((a) => a.sid === ui.account);
  if (!account) { box.append(el("p", { class: "empty" }, "no account")); return; }
  box.append(el("h3", {}, "Account " + account.sid + (account.parent ? " (sub-account of " + account.parent + ")" : "")));
  if (account.credit) box.append(el("p", {}, "Credit: " + account.credit.balance + " " + account.credit.currency));
  for (const name of SECTIONS) {
    const items = account[name];
    if (!Array.isArray(items)) continue;
    box.append(el("h3", {}, name.replace("_", " ") + " (" + items.length + ")"), table(name, items));
  }
}

function renderAccounts() {
  const accounts = (ui.state && ui.state.accounts) || [];
  if (!accounts.some((a) => a.sid === ui.account)) ui.account = accounts.length ? accounts[0].sid : null;
  $("accounts").replaceChildren(...accounts.map((a) => el("li", {},
    el("button", { type: "button", class: a.sid === ui.account ? "selected" : "", "data-account": a.sid,
      onclick: () => { ui.account = a.sid; renderAccounts(); } }, a.sid))));
  const filter = $("filter-account");
  const chosen = filter.value;
  filter.replaceChildren(el("option", { value: "" }, "all"), ...accounts.map((a) => el("option", { value: a.sid }, a.sid)));
  filter.value = accounts.some((a) => a.sid === chosen) ? chosen : "";
  renderAccount();
}

async function refreshState() {
  const state = masked(await call("GET", "/state"));
  ui.state = state;
  showClock(state.clock);
  renderAccounts();
  const [events, deliveries, runs] = await Promise.all([call("GET", "/events"), call("GET", "/deliveries"), call("GET", "/runs")]);
  renderEvents(masked(events)); renderDeliveries(masked(deliveries)); renderRuns(masked(runs));
}

// ---- events and deliveries ----
function renderEvents(events) {
  $("events").tBodies[0].replaceChildren(...events.slice(-200).reverse().map((e) => el("tr", {},
    el("td", {}, cell(e.id)), el("td", {}, cell(e.type)), el("td", {}, cell(e.account)),
    el("td", {}, cell(e.at)))));
}

function attemptRows(delivery) {
  if (!delivery.history.length) return [el("tr", {}, el("td", { colspan: "7", class: "empty" }, "no attempt yet"))];
  return delivery.history.map((a) => el("tr", { "data-attempt": a.number },
    el("td", {}, "#" + a.number), el("td", {}, cell(a.at)), el("td", {}, cell(a.target)),
    el("td", { class: "s" + String(a.status || 5)[0] }, a.status === null ? "no answer" : a.status),
    el("td", {}, cell(a.error)), el("td", {}, cell(a.durationMs)),
    el("td", {}, a.response === null ? "" : el("code", {}, a.response))));
}

function attemptsDetail(delivery) {
  const notes = [];
  if (delivery.redeliveryOf) notes.push(el("div", {}, "Redelivery of " + delivery.redeliveryOf + " (tried once)."));
  if (delivery.nextAttemptAt) notes.push(el("div", {}, "Next attempt due at " + delivery.nextAttemptAt + " (sandbox clock)."));
  const head = el("tr", {}, ...["attempt", "at", "target", "status", "error", "ms", "answer (start)"].map((k) => el("th", {}, k)));
  return el("tr", { class: "detail", "data-attempts-of": delivery.id }, el("td", { colspan: "8" }, ...notes,
    el("table", { class: "attempts" }, el("thead", {}, head), el("tbody", {}, ...attemptRows(delivery)))));
}

async function redeliver(id) {
  try {
    const again = await call("POST", "/deliveries/" + encodeURIComponent(id) + "/redeliver");
    ui.open.add("delivery:" + again.id);
    say("redelivery " + again.id + " queued");
    await refreshState();
  } catch (error) { say(String(error.message || error), true); }
}

function renderDeliveries(deliveries) {
  const rows = [];
  for (const d of deliveries.slice(-200).reverse()) {
    const key = "delivery:" + d.id;
    const toggle = () => { ui.open.has(key) ? ui.open.delete(key) : ui.open.add(key); renderDeliveries(ui.deliveries); };
    const button = el("button", { type: "button", class: "redeliver", "data-redeliver": d.id,
      title: "send this event again to its subscription",
      onclick: (event) => { event.stopPropagation(); redeliver(d.id); } }, "Redeliver");
    rows.push(el("tr", { class: "entry delivery", "data-id": d.id, "data-state": d.state, onclick: toggle },
      el("td", {}, cell(d.id), d.redeliveryOf ? el("span", { class: "empty" }, " ↻") : null), el("td", {}, cell(d.type)),
      el("td", {}, cell(d.target)), el("td", { "data-field": "state" }, cell(d.state)),
      el("td", { "data-field": "attempts" }, cell(d.attempts)),
      el("td", { class: "s" + String(d.lastStatus || 5)[0] }, d.attempts && d.lastStatus === null ? "no answer" : cell(d.lastStatus)),
      el("td", {}, cell(d.lastError)), el("td", {}, button)));
    if (ui.open.has(key)) rows.push(attemptsDetail(d));
  }
  ui.deliveries = deliveries;
  $("deliveries").tBodies[0].replaceChildren(...rows);
}

// ---- Callr Actions runs ----
function traceRows(run) {
  if (!run.trace.length) return [el("tr", {}, el("td", { colspan: "6", class: "empty" }, "no step ran"))];
  return run.trace.map((t) => el("tr", { "data-step": t.step },
    el("td", {}, "#" + t.step), el("td", {}, cell(t.at)), el("td", {}, t.branch + "[" + t.index + "]"),
    el("td", {}, t.kind === "action" ? cell(t.action) : t.kind),
    el("td", {}, el("code", {}, cell(t.kind === "if" ? t.condition : t.params))), el("td", {}, el("code", {}, cell(t.outcome)))));
}

function runDetail(run) {
  const notes = [];
  if (run.error) notes.push(el("div", { class: "refusal" }, el("b", {}, "Ended " + run.status + ": "), el("code", {}, cell(run.error.code)), " ", cell(run.error.message)));
  if (run.log.length) notes.push(el("pre", { class: "log" }, run.log.map(cell).join("\n")));
  const head = el("tr", {}, ...["step", "at", "where", "action", "params / condition", "outcome"].map((k) => el("th", {}, k)));
  return el("tr", { class: "detail", "data-trace-of": run.id }, el("td", { colspan: "8" }, ...notes,
    el("table", { class: "trace" }, el("thead", {}, head), el("tbody", {}, ...traceRows(run)))));
}

function renderRuns(runs) {
  const rows = [];
  for (const run of runs.slice(-200).reverse()) {
    const key = "run:" + run.id;
    const toggle = () => { ui.open.has(key) ? ui.open.delete(key) : ui.open.add(key); renderRuns(ui.runs); };
    rows.push(el("tr", { class: "entry run", "data-id": run.id, "data-status": run.status, onclick: toggle },
      el("td", {}, cell(run.id)), el("td", {}, cell(run.account)), el("td", {}, cell(run.scenarioName || run.scenario)),
      el("td", {}, cell(run.branch)), el("td", { "data-field": "status" }, cell(run.status)),
      el("td", {}, cell(run.started)), el("td", {}, cell(run.ended)), el("td", {}, run.trace.length)));
    if (ui.open.has(key)) rows.push(runDetail(run));
  }
  ui.runs = runs;
  $("runs").tBodies[0].replaceChildren(...rows);
}

// ---- the live journal ----
function shown(entry) {
  const account = $("filter-account").value;
  const operation = $("filter-operation").value.trim().toLowerCase();
  const status = $("filter-status").value;
  if (account && entry.account !== account) return false;
  if (operation && !String(entry.operation || "").toLowerCase().includes(operation)) return false;
  if (status === "violation") return entry.violations.length > 0;
  if (status && String(entry.status || "")[0] !== status) return false;
  return true;
}

function message(title, part, shown) {
  // one side of an exchange, as GET /_mock/journal/{seq} gives it (the server has redacted it)
  if (!shown) return el("div", { class: "message", "data-part": part }, el("h4", {}, title), el("p", { class: "empty" }, "none (no answer was sent)"));
  const about = [shown.kind, shown.content_type, shown.size + " bytes"];
  if (shown.truncated_bytes) about.push(shown.truncated_bytes + " bytes cut");
  const names = Object.keys(shown.headers);
  const headers = names.length
    ? el("pre", { class: "headers" }, names.map((name) => name + ": " + shown.headers[name]).join("\n"))
    : null;
  let body;
  if (shown.kind === "empty") body = el("p", { class: "empty" }, "no body");
  else if (shown.kind === "json") body = el("pre", { class: "body json" }, JSON.stringify(shown.body, null, 2));
  else body = el("pre", { class: "body " + shown.kind }, String(shown.body));
  return el("div", { class: "message", "data-part": part },
    el("h4", {}, title, " ", el("small", {}, "(" + about.filter(Boolean).join(", ") + ")")), headers, body);
}

function detail(entry) {
  const parts = [el("div", {}, el("b", {}, "Request: "), entry.method + " " + entry.path + (entry.query ? "?" + entry.query : ""))];
  if (entry.error) {
    parts.push(el("div", { class: "refusal" }, el("b", {}, "Refused: "), el("code", {}, cell(entry.error.code)), " ", cell(entry.error.message)));
  }
  if (entry.violations.length) {
    parts.push(el("div", { class: "violation" }, "Contract violations by the mock:"),
      el("ul", { class: "violations" }, ...entry.violations.map((v) => el("li", { class: "violation" }, v))));
  } else {
    parts.push(el("div", {}, "No contract violation by the mock."));
  }
  if (entry.injected) parts.push(el("div", {}, el("b", {}, "Injected: "), JSON.stringify(entry.injected)));
  const found = ui.details.get(entry.seq);
  if (found === undefined) parts.push(el("p", { class: "empty" }, "loading the bodies…"));
  else if (found === null) parts.push(el("p", { class: "empty" }, "bodies no longer kept (the journal keeps the most recent entries)"));
  else parts.push(el("div", { class: "exchange" }, message("Request", "request", found.request), message("Response", "response", found.response)));
  return el("tr", { class: "detail", "data-detail": entry.seq }, el("td", { colspan: "7" }, ...parts));
}

async function loadDetail(seq) {
  try {
    ui.details.set(seq, masked(await call("GET", "/journal/" + seq)));
  } catch (error) {
    ui.details.set(seq, null);  // cleared, or older than what the journal keeps
  }
  renderJournal();
}

function toggle(entry) {
  if (ui.open.has(entry.seq)) ui.open.delete(entry.seq);
  else {
    ui.open.add(entry.seq);
    if (!ui.details.has(entry.seq)) loadDetail(entry.seq);
  }
  renderJournal();
}

function renderJournal() {
  const rows = [];
  for (const entry of ui.entries.filter(shown).slice(-500).reverse()) {
    const klass = "s" + String(entry.status || 5)[0];
    rows.push(el("tr", { class: "entry", "data-seq": entry.seq, "data-operation": entry.operation || "",
      onclick: () => toggle(entry) },
      el("td", {}, entry.seq), el("td", {}, cell(entry.time)), el("td", {}, cell(entry.account)),
      el("td", {}, entry.method + " " + entry.path), el("td", {}, cell(entry.operation)),
      el("td", { class: klass }, entry.status === null ? "no answer" : entry.status,
        entry.violations.length ? el("span", { class: "violation" }, " ⚠ " + entry.violations.length) : null),
      el("td", {}, entry.duration_ms)));
    if (ui.open.has(entry.seq)) rows.push(detail(entry));
  }
  $("journal").tBodies[0].replaceChildren(...rows);
}

async function pollJournal() {
  try {
    const fresh = masked(await call("GET", "/journal?since=" + ui.lastSeq));
    if (fresh.length) {
      ui.entries.push(...fresh);
      if (ui.entries.length > 5000) ui.entries.splice(0, ui.entries.length - 5000);
      ui.lastSeq = fresh[fresh.length - 1].seq;
      renderJournal();
      await refreshState();
    }
    document.body.dataset.polled = String(ui.lastSeq);
  } catch (error) { say(String(error.message || error), true); }
  setTimeout(pollJournal, 500);
}

async function refreshLoop() {
  try { await refreshState(); } catch (error) { say(String(error.message || error), true); }
  setTimeout(refreshLoop, 3000);
}

document.addEventListener("DOMContentLoaded", () => {
  $("freeze").addEventListener("click", () => clockAction("freeze", {}));
  $("unfreeze").addEventListener("click", () => clockAction("unfreeze"));
  $("advance").addEventListener("click", () => clockAction("advance", { seconds: Number($("advance-seconds").value) }));
  $("reset").addEventListener("click", reset);
  for (const id of ["filter-account", "filter-operation", "filter-status"]) $(id).addEventListener("input", renderJournal);
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  refreshLoop().then(() => { document.body.dataset.ready = "true"; });
  pollJournal();
});
