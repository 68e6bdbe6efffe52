// Browser test of the operator UI in real Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core, which never downloads a browser). Against a
// running `watchline demo`, it:
//   logs in as an operator; sees the map with the 20 cameras' wedges and the
//   coverage panel; receives a live alarm over the SSE feed; acknowledges it;
//   logs in as an admin and finds that acknowledgement in the audit log.
// Screenshots go to $WL_ARTIFACTS. Exit code 0 = pass.
//
// Environment: WL_URL, WL_OPERATOR, WL_OPERATOR_PW, WL_ADMIN, WL_ADMIN_PW,
// WL_ARTIFACTS, WL_CHROMIUM (default /usr/bin/chromium), WL_CAMERAS (default 20).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const url = process.env.WL_URL;
const artifacts = process.env.WL_ARTIFACTS || '.';
const cameras = Number(process.env.WL_CAMERAS || 20);
const ALARM_TIMEOUT_MS = 90000;  // the demo's people cross within seconds; allow a slow machine

fs.mkdirSync(artifacts, { recursive: true });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wl-chromium-'));
const step = (msg) => console.log(`[ui-test] ${new Date().toISOString()} ${msg}`);

// A fresh profile per run (playwright passes it as --user-data-dir).
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.WL_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1500, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = false;
const page = context.pages()[0] || await context.newPage();
const external = [];
page.on('request', (r) => { if (!r.url().startsWith(url)) external.push(r.url()); });
page.on('pageerror', (e) => { console.error('[page error]', e.message); failed = true; });

async function login(user, pw) {
  await page.goto(url);
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-user', user);
  await page.fill('#login-password', pw);
  await page.click('#login-submit');
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
}

try {
  step('log in as operator');
  await login(process.env.WL_OPERATOR, process.env.WL_OPERATOR_PW);
  const me = await page.textContent('#me');
  if (!me.includes('operator')) throw new Error(`header shows '${me}', not the operator`);

  step('map: camera wedges and coverage');
  await page.waitForFunction((n) => document.querySelectorAll('path.cam-wedge').length >= n, cameras, { timeout: 20000 });
  const wedges = await page.locator('path.cam-wedge').count();
  if (wedges !== cameras) throw new Error(`map shows ${wedges} camera wedges, want ${cameras}`);
  await page.click('button[data-tab="coverage"]');
  await page.waitForSelector('#coverage-pct, #coverage-unavailable', { timeout: 10000 });
  const coverage = await page.textContent('#coverage');
  step(`coverage panel: ${coverage.slice(0, 120)}`);
  await page.screenshot({ path: path.join(artifacts, 'ui-01-map-coverage.png') });

  step('wait for a live alarm from the demo (SSE)');
  await page.click('button[data-tab="alarms"]');
  await page.locator('li.alarm.new-arrival').first().waitFor({ state: 'visible', timeout: ALARM_TIMEOUT_MS });
  const id = await page.locator('li.alarm.new-arrival').first().getAttribute('data-id');
  // Pinned by id: newer alarms keep arriving on top of it.
  const alarm = page.locator(`li.alarm[data-id="${id}"]`);
  await page.waitForSelector(`path.alarm-marker, .leaflet-interactive.alarm-marker`, { timeout: 5000 });
  // The snapshot with the box drawn must load.
  await page.waitForFunction((id) => {
    const img = document.querySelector(`li.alarm[data-id="${id}"] img`);
    return img && img.complete && img.naturalWidth > 0;
  }, id, { timeout: 10000 });
  step(`live alarm #${id} arrived`);
  await page.screenshot({ path: path.join(artifacts, 'ui-02-live-alarm.png') });

  step(`acknowledge #${id}`);
  await alarm.locator('button.ack').click();
  await page.waitForSelector(`li.alarm[data-id="${id}"]`, { state: 'detached', timeout: 10000 });

  step('camera board');
  await page.click('button[data-tab="cameras"]');
  await page.waitForFunction((n) => document.querySelectorAll('#cameras .cam').length === n, cameras, { timeout: 10000 });
  await page.waitForTimeout(1500);  // let the snapshots load
  await page.screenshot({ path: path.join(artifacts, 'ui-03-cameras.png') });

  step('log out; log in as admin; find the acknowledgement in the audit log');
  await page.click('#logout');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await login(process.env.WL_ADMIN, process.env.WL_ADMIN_PW);
  await page.click('#audit-tab');
  const row = page.locator(`#audit tr[data-action="ack"][data-target="${id}"]`);
  await row.waitFor({ state: 'visible', timeout: 10000 });
  const text = await row.textContent();
  if (!text.includes(process.env.WL_OPERATOR)) throw new Error(`audit row does not name the operator: ${text}`);
  await page.click('#audit-verify');
  await page.waitForFunction(() => document.querySelector('#audit-verify-result').textContent.length > 0);
  const verdict = await page.textContent('#audit-verify-result');
  if (verdict !== 'intact') throw new Error(`audit verify says '${verdict}'`);
  await page.screenshot({ path: path.join(artifacts, 'ui-04-audit.png') });

  step('back to the map for the README picture');
  await page.click('button[data-tab="alarms"]');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(artifacts, 'ui.png') });

  if (external.length) throw new Error(`the UI requested outside URLs: ${external.slice(0, 5).join(', ')}`);
  step('PASS');
} catch (e) {
  failed = true;
  console.error('[ui-test] FAIL:', e.message);
  try { await page.screenshot({ path: path.join(artifacts, 'ui-failure.png') }); } catch (_) {}
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
