// The board benchmark (run by the bench, `--only board`): the supervisor's
// board in real Chromium on the bench's account (every agent logged in).
// Measures the time to the first full render, then how far behind the
// board falls while state changes arrive at a fixed rate: every half
// second the agent on the top row changes too, and the time until its row
// shows it is the lag. Prints one JSON object of figures.

import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const BASE = env('AGENTDESK_BASE');
const USER_ID = env('AGENTDESK_USER_ID');
const TOKEN = env('AGENTDESK_TOKEN');
const SSID = env('AGENTDESK_SSID'); // agent 1's session; its role is given VIEW_AGENTS here
const SECONDS = Number(env('AGENTDESK_BENCH_SECONDS'));
const RATE = Number(env('AGENTDESK_BENCH_RATE'));
const CHROMIUM = env('AGENTDESK_TEST_CHROMIUM');

async function api(path, body) {
  const r = await fetch(`${BASE}/api/v2/${path}`, { method: 'POST', body: JSON.stringify({ userId: USER_ID, token: TOKEN, ...body }) });
  return r.json();
}
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const role = await api('Role/add', { name: 'Board bench', permissions: ['VIEW_AGENTS'] });
const promoted = await api('Agent/update', { agentId: 1, role: role.roleId });
if (promoted.status !== 'success') throw new Error(`agent 1 not promoted: ${JSON.stringify(promoted)}`);
const everyone = (await api('Agent/live', {})).response;
const ids = everyone.map((a) => a.agentId);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(
    ([ssid, userId]) => sessionStorage.setItem('agentdesk.session', JSON.stringify({ ssid, userId, agentId: 1, email: 'bench' })),
    [SSID, USER_ID],
  );
  const opened = Date.now();
  await page.goto(`${BASE}/`);
  await page.waitForFunction((n) => document.querySelector('#shown')?.textContent === `${n} of ${n} agents` &&
    document.querySelectorAll('#rows .row').length > 0, ids.length, { timeout: 120000, polling: 'raf' });
  const firstRenderMs = Date.now() - opened;
  await page.waitForSelector('#conn.conn-live');
  const rowsInDom = await page.$$eval('#rows .row', (els) => els.length);

  // The agent on the top row is the marker; the others take the load.
  const marker = Number(await page.$eval('#rows .row[style*="translateY(0px)"]', (e) => e.dataset.agent));
  const others = ids.filter((id) => id !== marker);
  let sent = 0;
  let errors = 0;
  // Each change toggles an agent's break (the bench puts every tenth on Tea).
  const onBreak = new Set(everyone.filter((a) => a.state === 'break').map((a) => a.agentId));
  const started = Date.now();
  const load = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * RATE);
    while (sent < due) {
      const id = others[sent % others.length];
      const path = onBreak.has(id) ? 'agentProfile/breakEnd' : 'agentProfile/breakStart';
      if (onBreak.has(id)) onBreak.delete(id);
      else onBreak.add(id);
      sent += 1;
      // breakEnd takes no reason: an unknown key is refused (1000).
      const body = path === 'agentProfile/breakStart' ? { agentId: id, reason: 'Tea' } : { agentId: id };
      api(path, body).then((r) => r.status === 'success' || errors++, () => errors++);
    }
  }, 5);
  const lags = [];
  let markerOnBreak = onBreak.has(marker);
  while (Date.now() - started < SECONDS * 1000) {
    markerOnBreak = !markerOnBreak;
    const sentAt = Date.now();
    const change = markerOnBreak
      ? api('agentProfile/breakStart', { agentId: marker, reason: 'Tea' })
      : api('agentProfile/breakEnd', { agentId: marker });
    const changed = await change;
    if (changed.status !== 'success') throw new Error(`the marker's change was refused: ${JSON.stringify(changed)}`);
    const word = markerOnBreak ? 'Break' : 'Available';
    await page.waitForFunction(
      ([id, w]) => document.querySelector(`#rows .row[data-agent="${id}"] .state`)?.textContent.includes(w),
      [marker, word],
      { timeout: 30000, polling: 'raf' },
    );
    lags.push(Date.now() - sentAt);
    await new Promise((r) => setTimeout(r, 500));
  }
  clearInterval(load);
  const elapsed = (Date.now() - started) / 1000;
  lags.sort((a, b) => a - b);
  console.log(JSON.stringify({
    agents: ids.length,
    firstRenderMs,
    rowsInDom,
    changesPerSecond: Math.round(sent / elapsed),
    changeErrors: errors,
    lagSamples: lags.length,
    lagP50Ms: percentile(lags, 50),
    lagP95Ms: percentile(lags, 95),
    lagMaxMs: lags[lags.length - 1],
  }));
} finally {
  await browser.close();
}
