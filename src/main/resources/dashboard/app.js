// Tollgate operator dashboard: plain DOM code, no framework, no build step. Every value from the API is inserted as
// text (never as HTML), and the admin token lives in this tab's sessionStorage only.
"use strict";

const TOKEN_KEY = "tollgate.admin.token";
const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);
let currentTab = "overview";
let timer = null;

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY),
      "content-type": "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!res.ok) {
    const message = json && json.error ? json.error.message : "HTTP " + res.status;
    throw new ApiError(res.status, message);
  }
  return json;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
}

const num = (n) => el("td", { class: "num" }, Number(n).toLocaleString("en-US"));
const badge = (state) => el("span", { class: "badge " + state }, state.replace("_", "-"));

function fillTable(table, rows) {
  const body = table.querySelector("tbody");
  body.replaceChildren(...rows);
}

function showError(err) {
  if (err instanceof ApiError && err.status === 401) {
    signOut("The admin token was refused.");
    return;
  }
  $("app-error").textContent = err.message;
}

// ---------------------------------------------------------------- header status
async function refreshStatus() {
  try {
    const h = await api("GET", "/admin/v1/health");
    $("status-dot").className = "dot " + (h.status === "ok" ? "ok" : "bad");
    $("in-flight").textContent = h.in_flight;
    $("usage-stored").textContent = Number(h.usage_stored).toLocaleString("en-US");
    $("refreshed").textContent = new Date().toLocaleTimeString();
  } catch (err) {
    $("status-dot").className = "dot bad";
    throw err;
  }
}

// ---------------------------------------------------------------- usage
async function loadOverview() {
  const totals = await api("GET", "/admin/v1/usage/totals");
  fillTable($("usage-table"), totals.rows.map((r) => el("tr", { "data-tenant": r.tenant, "data-model": r.model },
    el("td", {}, r.tenant), el("td", {}, r.model), num(r.requests), num(r.failed), num(r.prompt_tokens),
    num(r.completion_tokens), num(r.cached_tokens), num(r.reasoning_tokens))));
  $("usage-empty").hidden = totals.rows.length > 0;
  drawChart(totals.rows);
}

/** Prompt and completion tokens per model as horizontal stacked bars (SVG, no library). */
function drawChart(rows) {
  const byModel = new Map();
  for (const r of rows) {
    const t = byModel.get(r.model) || { prompt: 0, completion: 0 };
    t.prompt += r.prompt_tokens;
    t.completion += r.completion_tokens;
    byModel.set(r.model, t);
  }
  const ns = "http://www.w3.org/2000/svg";
  const width = 640, bar = 18, gap = 8, label = 140;
  const max = Math.max(1, ...[...byModel.values()].map((t) => t.prompt + t.completion));
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", Math.max(1, byModel.size) * (bar + gap) + gap);
  let y = gap;
  for (const [model, t] of byModel) {
    const text = document.createElementNS(ns, "text");
    text.setAttribute("x", 6);
    text.setAttribute("y", y + bar - 5);
    text.textContent = model;
    svg.append(text);
    let x = label;
    for (const [kind, value] of [["prompt", t.prompt], ["completion", t.completion]]) {
      const w = ((width - label - 90) * value) / max;
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("class", kind);
      rect.setAttribute("x", x);
      rect.setAttribute("y", y);
      rect.setAttribute("width", Math.max(0, w));
      rect.setAttribute("height", bar);
      const title = document.createElementNS(ns, "title");
      title.textContent = kind + " tokens: " + value;
      rect.append(title);
      svg.append(rect);
      x += w;
    }
    const total = document.createElementNS(ns, "text");
    total.setAttribute("x", x + 6);
    total.setAttribute("y", y + bar - 5);
    total.textContent = (t.prompt + t.completion).toLocaleString("en-US");
    svg.append(total);
    y += bar + gap;
  }
  $("tokens-chart").replaceChildren(svg);
}

// ---------------------------------------------------------------- deployments
async function loadDeployments() {
  const models = await api("GET", "/admin/v1/models");
  const views = await Promise.all(models.models.map((m) =>
    api("GET", "/admin/v1/route?model=" + encodeURIComponent(m.model))));
  const blocks = views.map((v) => {
    const table = el("table", { "data-model": v.model },
      el("thead", {}, el("tr", {}, ...["order", "deployment", "region", "priority", "weight", "breaker",
        "failure rate", "latency ms", "failures in a row"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...v.candidates.map((c, i) => el("tr", { "data-deployment": c.deployment },
        num(i + 1), el("td", {}, c.deployment), el("td", {}, c.region || "–"), num(c.priority), num(c.weight),
        el("td", { class: "breaker" }, badge(c.breaker)),
        el("td", { class: "num" }, c.failure_rate == null ? "–" : (c.failure_rate * 100).toFixed(0) + " %"),
        el("td", { class: "num" }, c.latency_ms == null ? "–" : c.latency_ms),
        num(c.consecutive_failures)))));
    return el("div", {}, el("h2", {}, v.model), table);
  });
  $("deployments").replaceChildren(...blocks);
}

// ---------------------------------------------------------------- keys and tenants
async function loadTenants() {
  const tenants = await api("GET", "/admin/v1/tenants");
  fillTable($("tenants-table"), tenants.data.map((t) => el("tr", { "data-tenant": t.name },
    el("td", {}, t.name), el("td", {}, t.country || "–"))));
  const select = $("key-tenant");
  const chosen = select.value;
  select.replaceChildren(...tenants.data.map((t) => el("option", { value: t.name }, t.name)));
  if (chosen) select.value = chosen;
  return tenants;
}

async function loadKeys() {
  await loadTenants();
  const keys = await api("GET", "/admin/v1/keys");
  fillTable($("keys-table"), keys.data.map((k) => {
    const state = k.revoked_at ? "revoked" : "active";
    const revoke = el("button", { type: "button", class: "revoke" }, "Revoke");
    revoke.disabled = !!k.revoked_at;
    revoke.addEventListener("click", async () => {
      if (!confirm("Revoke key " + k.id + "? Requests with it fail at once.")) return;
      try {
        await api("DELETE", "/admin/v1/keys/" + encodeURIComponent(k.id));
        await loadKeys();
      } catch (err) { showError(err); }
    });
    return el("tr", { "data-key": k.id }, el("td", {}, k.id), el("td", {}, k.tenant), el("td", {}, k.name || ""),
      el("td", {}, k.prefix), el("td", {}, k.models.length ? k.models.join(", ") : "all"),
      el("td", {}, new Date(k.created_at).toLocaleString()), el("td", { class: "state" }, badge(state)),
      el("td", {}, revoke));
  }));
}

// ---------------------------------------------------------------- navigation and refresh
const loaders = { overview: loadOverview, deployments: loadDeployments, keys: loadKeys, tenants: loadTenants };

async function refresh() {
  try {
    await refreshStatus();
    await loaders[currentTab]();
    $("app-error").textContent = "";
  } catch (err) {
    showError(err);
  }
}

function showTab(tab) {
  currentTab = tab;
  for (const b of document.querySelectorAll("nav button")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== "tab-" + tab;
  if (tab !== "keys") $("new-key").hidden = true;
  refresh();
}

function signIn() {
  $("login").hidden = true;
  $("app").hidden = false;
  $("status").hidden = false;
  showTab(currentTab);
  clearInterval(timer);
  // Keys are not polled: a refresh would hide a just-created key before it was copied.
  timer = setInterval(() => { if (currentTab !== "keys") refresh(); }, REFRESH_MS);
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearInterval(timer);
  $("app").hidden = true;
  $("status").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    try {
      await api("GET", "/admin/v1/health");
      $("login-error").textContent = "";
      signIn();
    } catch (err) {
      signOut(err instanceof ApiError && err.status === 401 ? "The admin token was refused." : err.message);
    }
  });
  $("sign-out").addEventListener("click", () => signOut());
  for (const b of document.querySelectorAll("nav button")) b.addEventListener("click", () => showTab(b.dataset.tab));

  $("key-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const models = $("key-models").value.split(",").map((m) => m.trim()).filter((m) => m);
    try {
      const created = await api("POST", "/admin/v1/keys",
        { tenant: $("key-tenant").value, name: $("key-name").value.trim(), models });
      $("new-key-value").textContent = created.key;
      $("new-key").hidden = false;
      $("key-name").value = "";
      $("key-models").value = "";
      await loadKeys();
      $("app-error").textContent = "";
    } catch (err) { showError(err); }
  });

  $("tenant-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const country = $("tenant-country").value.trim().toUpperCase();
    try {
      await api("POST", "/admin/v1/tenants", { name: $("tenant-name").value.trim(), country: country || undefined });
      $("tenant-name").value = "";
      $("tenant-country").value = "";
      await loadTenants();
      $("app-error").textContent = "";
    } catch (err) { showError(err); }
  });

  if (sessionStorage.getItem(TOKEN_KEY)) signIn();
});
