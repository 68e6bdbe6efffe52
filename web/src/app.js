// watchline operator UI: plain JavaScript on Leaflet, no build step, no CDN.
// Everything it shows comes from the documented API (docs/api.md); live
// changes arrive on /api/stream (Server-Sent Events), which the browser
// resumes with Last-Event-ID after a drop.
'use strict';

const DEFAULT_RANGE_M = 250;     // wedge length when a camera has no position.range_m
const MAX_ALARMS = 200;          // alarms kept in the queue
const CAMERA_REFRESH_MS = 5000;  // camera board / fps refresh
const STATE_CLASS = { ok: 'ok', offline: 'down', disabled: 'off', unknown: 'off' };
const COLORS = { ok: '#2e9d57', warn: '#e0a100', down: '#c8372d', off: '#8a939c' };

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
const stateClass = (s) => STATE_CLASS[s] || 'warn';
const fmtTime = (wall) => new Date(wall * 1000).toLocaleTimeString();

async function api(path, opts = {}) {
  const init = { credentials: 'same-origin', headers: {} , ...opts };
  if (opts.body !== undefined) {
    init.method = init.method || 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (init.method && init.method !== 'GET') init.headers['X-Requested-With'] = 'watchline';
  const res = await fetch(path, init);
  if (res.status === 401 && path !== '/api/login') { showLogin(); throw new Error('unauthorised'); }
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error((data && data.error) || res.statusText);
  return data;
}

const ui = {
  me: null, site: null, map: null, cameras: new Map(), camLayers: new Map(),
  alarmLayer: null, coverageLayer: null, alarms: new Map(), feed: null, tab: 'alarms',
  camTimer: null, fitted: false,
};

// ---------- login ----------
function showLogin() {
  $('#app').classList.add('hidden');
  $('#login').classList.remove('hidden');
  if (ui.feed) { ui.feed.close(); ui.feed = null; }
  clearInterval(ui.camTimer);
}
$('#login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('#login-error').textContent = '';
  try {
    await api('/api/login', { body: { user: $('#login-user').value, password: $('#login-password').value } });
    $('#login-password').value = '';
    start();
  } catch (e) { $('#login-error').textContent = e.message; }
});
$('#logout').addEventListener('click', async () => { try { await api('/api/logout', { body: {} }); } catch (e) {} showLogin(); });

// ---------- tabs ----------
for (const b of document.querySelectorAll('#side nav button')) {
  b.addEventListener('click', () => selectTab(b.dataset.tab));
}
function selectTab(name) {
  ui.tab = name;
  for (const b of document.querySelectorAll('#side nav button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const t of document.querySelectorAll('.tab')) t.classList.toggle('hidden', t.id !== 'tab-' + name);
  if (name === 'audit') loadAudit();
  if (name === 'cameras') renderCameraBoard();
  if (name === 'coverage') loadCoverage();
}

// ---------- map ----------
function initMap() {
  if (ui.map) return;
  ui.map = L.map('map', { zoomControl: true, attributionControl: false, preferCanvas: false });
  if (ui.site.tiles) L.tileLayer('/tiles/{z}/{x}/{y}.png', { maxZoom: 19 }).addTo(ui.map);
  const c = ui.site.center || { lat: 0, lon: 0 };
  ui.map.setView([c.lat, c.lon], 14);
  ui.coverageLayer = L.layerGroup().addTo(ui.map);
  ui.alarmLayer = L.layerGroup().addTo(ui.map);
}

function destination(lat, lon, bearingDeg, distM) {
  const b = bearingDeg * Math.PI / 180;
  const dLat = distM * Math.cos(b) / 111320;
  const dLon = distM * Math.sin(b) / (111320 * Math.cos(lat * Math.PI / 180));
  return [lat + dLat, lon + dLon];
}
function wedge(p) {
  const r = p.range_m || DEFAULT_RANGE_M;
  const pts = [[p.lat, p.lon]];
  const steps = 12;
  for (let i = 0; i <= steps; i++) {
    const b = p.heading_deg - p.hfov_deg / 2 + (p.hfov_deg * i) / steps;
    pts.push(destination(p.lat, p.lon, b, r));
  }
  return pts;
}

function drawCamera(cam) {
  if (!cam.position) return;
  const color = COLORS[stateClass(cam.state)];
  let layers = ui.camLayers.get(cam.id);
  const tip = `<b>${cam.id}</b>: ${cam.state}${cam.cause ? ' (' + cam.cause + ')' : ''}`;
  if (!layers) {
    const w = L.polygon(wedge(cam.position), { color, weight: 1, fillColor: color, fillOpacity: 0.25, className: 'cam-wedge' });
    const m = L.circleMarker([cam.position.lat, cam.position.lon], { radius: 5, color: '#1d232b', weight: 1, fillColor: color, fillOpacity: 1 });
    m.bindTooltip(cam.id, { permanent: true, direction: 'top', className: 'cam-label', offset: [0, -4] });
    w.bindPopup(tip); m.bindPopup(tip);
    w.addTo(ui.map); m.addTo(ui.map);
    layers = { w, m };
    ui.camLayers.set(cam.id, layers);
  } else {
    layers.w.setStyle({ color, fillColor: color });
    layers.m.setStyle({ fillColor: color });
    layers.w.setPopupContent(tip); layers.m.setPopupContent(tip);
  }
  layers.w.getElement?.()?.setAttribute('data-camera', cam.id);
  layers.w.getElement?.()?.setAttribute('data-state', cam.state);
}

async function loadCameras() {
  const data = await api('/api/cameras');
  for (const c of data.cameras) { ui.cameras.set(c.id, c); drawCamera(c); }
  if (!ui.fitted && ui.camLayers.size) {
    ui.fitted = true;
    const g = L.featureGroup([...ui.camLayers.values()].map((l) => l.w));
    ui.map.fitBounds(g.getBounds().pad(0.1));
  }
  const counts = {};
  for (const c of ui.cameras.values()) counts[c.state] = (counts[c.state] || 0) + 1;
  ui.camSummary = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
  renderSummary();
  if (ui.tab === 'cameras') renderCameraBoard();
}

function renderSummary() {
  const cov = ui.coverage && ui.coverage.available && typeof ui.coverage.covered_fraction === 'number'
    ? ` · ${(ui.coverage.covered_fraction * 100).toFixed(1)}% covered` : '';
  $('#summary').textContent = `${ui.cameras.size} cameras: ${ui.camSummary || ''}${cov}`;
}

function renderCameraBoard() {
  const box = $('#cameras');
  box.replaceChildren();
  const now = Date.now();
  for (const c of ui.cameras.values()) {
    box.append(el('div', { class: 'cam ' + stateClass(c.state), 'data-camera': c.id },
      el('div', {}, el('b', {}, c.id), ' · ', el('span', { class: 'state' }, c.state), ` · ${c.fps.toFixed(1)} fps`),
      el('div', { class: 'cause' }, c.cause || ''),
      el('img', { src: `${c.snapshot}?t=${now}`, alt: `${c.id} snapshot`, loading: 'lazy', onerror: (e) => { e.target.style.visibility = 'hidden'; } })));
  }
}

// ---------- coverage ----------
async function loadCoverage() {
  try {
    ui.coverage = await api('/api/coverage');
  } catch (e) { ui.coverage = { available: false, reason: e.message }; }
  renderSummary();
  const box = $('#coverage');
  box.replaceChildren();
  const c = ui.coverage;
  if (!c.available) {
    box.append(el('p', { class: 'muted', id: 'coverage-unavailable' }, 'Coverage is not available: ' + (c.reason || '')),
      el('p', { class: 'muted' }, 'Camera wedges on the map are drawn from the configured positions.'));
    return;
  }
  box.append(el('div', { class: 'kpi', id: 'coverage-pct' }, `${(c.covered_fraction * 100).toFixed(1)}%`),
    el('p', {}, `of ${(c.perimeter_length_m / 1000).toFixed(2)} km covered now` +
      (typeof c.k2_fraction === 'number' ? `; ${(c.k2_fraction * 100).toFixed(1)}% by two or more cameras` : '')));
  const gaps = c.gaps || [];
  box.append(el('h3', {}, `Gaps (${gaps.length})`));
  const gl = el('ul', { id: 'coverage-gaps' });
  for (const g of gaps) gl.append(el('li', {}, `${g.from_m.toFixed(0)}–${g.to_m.toFixed(0)} m (${g.length_m.toFixed(0)} m)`));
  box.append(gl);
  const spof = c.single_camera || [];
  box.append(el('h3', {}, `Single points of failure (${spof.length})`));
  const sl = el('ul', { id: 'coverage-spof' });
  for (const s of spof) sl.append(el('li', {}, `${s.camera}: ${s.from_m.toFixed(0)}–${s.to_m.toFixed(0)} m`));
  box.append(sl);
}

async function loadCoverageMap() {
  let gj;
  try { gj = await api('/api/coverage/geojson'); } catch (e) { return; }
  ui.coverageLayer.clearLayers();
  if (!gj || gj.type !== 'FeatureCollection') return;
  const style = (f) => {
    const k = f.properties && f.properties.kind;
    if (k === 'perimeter') return { color: '#1f4e9c', weight: 3 };
    if (k === 'gap') return { color: '#d6336c', weight: 7, dashArray: '6 4', className: 'gap' };
    if (k === 'covered') return { color: '#2e9d57', weight: 5, opacity: 0.8 };
    if (k === 'footprint') return { color: '#2e9d57', weight: 1, fillOpacity: 0.08 };
    return { color: '#555', weight: 2 };
  };
  L.geoJSON(gj, { style, pointToLayer: () => null }).addTo(ui.coverageLayer);
}

// ---------- alarms ----------
function alarmPos(ev) {
  if (ev.position && typeof ev.position.lat === 'number') return [ev.position.lat, ev.position.lon];
  const c = ui.cameras.get(ev.camera);
  return c && c.position ? [c.position.lat, c.position.lon] : null;
}

function addAlarm(ev, live) {
  if (ev.health || ev.state !== 'new' || ui.alarms.has(ev.id)) return;
  const canAck = ui.me.role !== 'viewer';
  const item = el('li', { class: 'alarm' + (live ? ' new-arrival' : ''), 'data-id': ev.id },
    el('img', { src: ev.snapshot, alt: `event ${ev.id} snapshot`, onclick: () => zoom(ev) }),
    el('div', { class: 'info' },
      el('div', { class: 'title' }, `${ev.type.replace('_', ' ')} · ${ev.class || 'object'} ${ev.direction || ''}`),
      el('div', {}, `camera ${ev.camera} · rule ${ev.rule || '-'} · ${fmtTime(ev.wall)}`),
      el('div', { class: 'muted' }, `#${ev.id} · confidence ${(ev.confidence || 0).toFixed(2)}`),
      canAck ? el('div', { class: 'actions' },
        el('button', { class: 'ack', onclick: () => ack(ev.id, 'true_alarm') }, 'Acknowledge'),
        el('button', { class: 'false-alarm', onclick: () => ack(ev.id, 'false_alarm') }, 'False alarm'),
        el('button', { class: 'nuisance', onclick: () => ack(ev.id, 'nuisance') }, 'Nuisance')) : ''));
  const list = $('#alarms');
  if (live) list.prepend(item); else list.append(item);
  let marker = null;
  const pos = alarmPos(ev);
  if (pos) {
    // A ring, so the camera's health colour stays visible under an alarm at its position.
    marker = L.circleMarker(pos, { radius: 11, color: '#ff2d20', weight: 3, fill: true, fillOpacity: 0, className: 'alarm-marker' })
      .bindPopup(`<b>${ev.type}</b> ${ev.class || ''} on ${ev.camera}<br>#${ev.id} ${fmtTime(ev.wall)}`)
      .addTo(ui.alarmLayer);
    marker.getElement?.()?.setAttribute('data-id', ev.id);
  }
  ui.alarms.set(ev.id, { item, marker });
  while (ui.alarms.size > MAX_ALARMS) removeAlarm(ui.alarms.keys().next().value);
  updateAlarmCount();
}

function removeAlarm(id) {
  const a = ui.alarms.get(id);
  if (!a) return;
  a.item.remove();
  if (a.marker) ui.alarmLayer.removeLayer(a.marker);
  ui.alarms.delete(id);
  updateAlarmCount();
}

function updateAlarmCount() {
  $('#alarm-count').textContent = ui.alarms.size;
  $('#alarms-empty').classList.toggle('hidden', ui.alarms.size > 0);
}

async function ack(id, classification) {
  try {
    await api(`/api/events/${id}/ack`, { body: { state: 'acknowledged', classification, comment: '' } });
    removeAlarm(id);
  } catch (e) { alert('Could not acknowledge: ' + e.message); }
}

function zoom(ev) {
  const pos = alarmPos(ev);
  if (pos) ui.map.setView(pos, Math.max(ui.map.getZoom(), 16));
  L.popup({ maxWidth: 700 }).setLatLng(pos || ui.map.getCenter())
    .setContent(`<img class="zoom-img" src="${ev.snapshot}" alt="snapshot"><br>#${ev.id} ${ev.type} on ${ev.camera}`)
    .openOn(ui.map);
}

async function loadAlarms() {
  const data = await api('/api/events?state=new&health=false&order=desc&limit=50');
  for (const ev of data.events) addAlarm(ev, false);
}

// ---------- live feed ----------
let camRefreshPending = null;
function refreshCamerasSoon() {
  if (camRefreshPending) return;
  camRefreshPending = setTimeout(() => {
    camRefreshPending = null;
    loadCameras().catch(() => {});
    loadCoverageMap();
    loadCoverage();
  }, 300);
}

function openFeed() {
  if (ui.feed) ui.feed.close();
  const es = new EventSource('/api/stream');
  ui.feed = es;
  es.onopen = () => $('#feed-state').classList.remove('down');
  es.onerror = () => $('#feed-state').classList.add('down');
  es.addEventListener('event', (m) => {
    const d = JSON.parse(m.data);
    if (!d.event) return;
    if (d.event.health) refreshCamerasSoon(); else addAlarm(d.event, true);
    ui.lastSeq = d.seq;
    document.body.dataset.lastSeq = d.seq;
  });
  es.addEventListener('update', () => refreshCamerasSoon());
  es.addEventListener('ack', (m) => {
    const d = JSON.parse(m.data);
    removeAlarm(d.event_id);
  });
}

// ---------- audit ----------
async function loadAudit() {
  if (ui.me.role !== 'admin') return;
  const rows = [];
  let after = 0;
  for (let i = 0; i < 20; i++) {
    const d = await api(`/api/audit?after_id=${after}&limit=1000`);
    rows.push(...d.audit);
    if (!d.next_after_id) break;
    after = d.next_after_id;
  }
  const tb = $('#audit tbody');
  tb.replaceChildren();
  for (const r of rows.reverse()) {
    tb.append(el('tr', { 'data-action': r.action, 'data-target': r.target },
      el('td', {}, r.id), el('td', {}, new Date(r.wall * 1000).toLocaleString()), el('td', {}, r.actor),
      el('td', {}, r.action), el('td', {}, r.target),
      el('td', { class: 'detail' }, r.detail == null ? '' : JSON.stringify(r.detail))));
  }
}
$('#audit-verify').addEventListener('click', async () => {
  const r = await api('/api/audit/verify');
  $('#audit-verify-result').textContent = r.ok ? 'intact' : `${r.problems.length} problem(s): ` + r.problems.map((p) => `row ${p.id} ${p.problem}`).join('; ');
});

// ---------- start ----------
async function start() {
  try {
    ui.me = await api('/api/me');
  } catch (e) { showLogin(); return; }
  ui.site = await api('/api/site');
  $('#login').classList.add('hidden');
  $('#app').classList.remove('hidden');
  $('#site-name').textContent = ui.site.name;
  $('#me').textContent = `${ui.me.user} (${ui.me.role})`;
  $('#audit-tab').classList.toggle('hidden', ui.me.role !== 'admin');
  initMap();
  ui.map.invalidateSize();
  await loadCameras();
  await loadCoverage();
  await loadCoverageMap();
  await loadAlarms();
  updateAlarmCount();
  openFeed();
  clearInterval(ui.camTimer);
  ui.camTimer = setInterval(() => { loadCameras().catch(() => {}); }, CAMERA_REFRESH_MS);
  document.body.dataset.ready = '1';
}

start();
