// Screenshots of `vigil demo`'s attack incident for the README: runs the real demo (bin/vigil,
// or $VIGIL_BIN) on a free port with a fresh data directory, signs in to the portal with the
// admin key in Debian's Chromium, and saves the incident page and its graph to
// docs/screenshots/demo-incident.png and demo-incident-graph.png.
//
//   node web/e2e/demo-shot.mjs
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.VIGIL_BIN ?? join(root, 'bin/vigil');
const shots = join(root, 'docs/screenshots');

const freePort = () => new Promise((ok, bad) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  s.on('error', bad);
});

const data = mkdtempSync(join(tmpdir(), 'vigil-demo-shot-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const demo = spawn(bin, ['demo', '--data', data, '--listen', `127.0.0.1:${port}`, '--no-browser'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
demo.stdout.on('data', (b) => { out += b; process.stdout.write(b); });
let browser;
try {
  for (let i = 0; !out.includes('Vigil keeps serving'); i++) {
    if (i > 600 || demo.exitCode !== null) throw new Error('the demo did not finish its story');
    await new Promise((r) => setTimeout(r, 100));
  }
  const key = readFileSync(join(data, 'admin.key'), 'utf8').trim();
  const list = await (await fetch(`${base}/api/v1/security/incidents`, { headers: { Authorization: `Bearer ${key}` } })).json();
  const attack = list.value.reduce((a, b) => (b.alertCount > a.alertCount ? b : a));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${base}/incidents/${attack.id}`);
  await page.getByRole('tab', { name: 'API key' }).click();
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: attack.displayName }).waitFor();
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(shots, 'demo-incident.png') });
  await page.getByRole('tab', { name: 'Graph' }).click();
  await page.waitForTimeout(2000);
  await page.screenshot({ path: join(shots, 'demo-incident-graph.png') });
  console.log(`saved docs/screenshots/demo-incident.png and demo-incident-graph.png (incident #${attack.id}, ${attack.alertCount} alerts)`);
} finally {
  await browser?.close();
  demo.kill('SIGTERM');
  await new Promise((r) => demo.once('exit', r));
  rmSync(data, { recursive: true, force: true });
}
