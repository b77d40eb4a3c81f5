// Regenerates the HAR fixtures in this directory from a real headless Chromium.
//
//   mkdir -p /tmp/harwork && cd /tmp/harwork && npm install playwright-core@1.65.2
//   cd /tmp/harwork && node /path/to/tests/core/data/har/make-fixtures.mjs \
//       [--cli build/src/cli/clickscope-cli] [--out DIR]
//
// Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM=...). playwright-core is
// resolved from the current directory, so run it from where it was installed.
// Everything it starts (publisher, chromium) runs under `timeout`, and the script
// gives up after 150 s. Only 127.0.0.1 is contacted.
//
// Two HAR writers are used:
//  * Chromium's own DevTools frontend (the copy bundled in the browser, served on
//    the remote-debugging port). The inspected tab is driven by Playwright; the HAR
//    is written by the Network panel's own "Export HAR (with sensitive data)..." code
//    (NetworkLogView.exportAll({sanitize:false})), or "Export HAR (sanitized)..."
//    for eventsource-sanitized.har, and captured as the download DevTools triggers.
//    -> websocket.har, sse.har, eventsource.har, eventsource-sanitized.har, other.har
//  * Playwright's recordHar (content: 'embed'), the other common way to get a HAR
//    from a headless browser. -> websocket-playwright.har, sse-playwright.har
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(process.cwd(), 'noop.js'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(opt('--out', here));
const cli = path.resolve(opt('--cli', path.join(here, '../../../../build/src/cli/clickscope-cli')));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
fs.mkdirSync(outDir, { recursive: true });

const children = [];
const guard = setTimeout(() => { console.error('make-fixtures: timed out'); cleanup(); process.exit(1); }, 150_000);
function cleanup() { for (const c of children) { try { c.kill(); } catch {} } }
function waitFor(stream, re, what) {
  return new Promise((resolve, reject) => {
    let buf = '';
    stream.on('data', (d) => { buf += d; const m = re.exec(buf); if (m) resolve(m[1]); });
    stream.on('end', () => reject(new Error(`${what}: stream ended before ${re}`)));
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- the publisher ---------------------------------------------------------------
const srv = spawn('timeout', ['170', cli, 'serve', '--port', '0', '--rate', '20', '--seed', '3', '--no-wobble'],
  { stdio: ['ignore', 'pipe', 'inherit'] });
children.push(srv);
const port = await waitFor(srv.stdout, /listening on http:\/\/127\.0\.0\.1:(\d+)\//, 'clickscope-cli');
const base = `http://127.0.0.1:${port}`;
console.log(`publisher at ${base}`);

// --- what the inspected page does --------------------------------------------------
async function doWebSocket(page) {
  await page.evaluate(async (wsUrl) => {
    const ws = new WebSocket(wsUrl);
    let n = 0;
    await new Promise((resolve, reject) => {
      ws.onerror = () => reject(new Error('ws error'));
      ws.onmessage = () => {
        n += 1;
        if (n === 3) ws.send('{"subscribe":"all"}');          // opcode 1
        if (n === 4) ws.send(new Uint8Array([0, 1, 2, 255]));   // opcode 2
        if (n === 8) resolve();
      };
    });
    await new Promise((resolve) => { ws.onclose = resolve; ws.close(1000, 'done'); });
  }, `ws://127.0.0.1:${port}/ws`);
}
async function doFetchStream(page) {
  await page.evaluate(async () => {
    await fetch('/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: '[{"link":"/a"},{"link":"/b","country":"DE"}]' });
    const r = await fetch('/stream', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: '{"last":5}' });
    const text = await r.text();              // read to the end ([DONE], then the response ends)
    if (!text.includes('[DONE]')) throw new Error('no [DONE]');
  });
}
async function doEventSource(page) {
  await page.evaluate(async () => {
    const es = new EventSource('/events');
    let n = 0;
    await new Promise((resolve) => es.addEventListener('click', () => { if (++n === 5) { es.close(); resolve(); } }));
  });
}

// --- pass 1: Chromium's DevTools frontend writes the HAR ---------------------------
{
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'har-profile-'));
  const cr = spawn('timeout', ['170', chromiumPath, '--headless', '--no-sandbox', '--no-proxy-server',
    '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', '--remote-allow-origins=*',
    `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(cr);
  const rdp = await waitFor(cr.stderr, /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//, 'chromium');
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${rdp}`);
  const ctx = browser.contexts()[0];
  const page = ctx.pages()[0];
  const s = await ctx.newCDPSession(page);
  const { targetInfo } = await s.send('Target.getTargetInfo');
  await s.detach();

  // A DevTools window on the inspected tab, as chrome://inspect would open it.
  const dt = await ctx.newPage();
  await dt.goto(`http://127.0.0.1:${rdp}/devtools/inspector.html?ws=127.0.0.1:${rdp}/devtools/page/${targetInfo.targetId}`);
  await dt.waitForFunction(async () => {
    const SDK = await import('./core/sdk/sdk.js');
    return !!SDK.TargetManager.TargetManager.instance().primaryPageTarget();
  }, null, { timeout: 20_000 });
  await dt.evaluate(async () => {
    const UI = await import('./ui/legacy/legacy.js');
    await UI.ViewManager.ViewManager.instance().showView('network');
  });
  const version = await dt.evaluate(() => navigator.userAgent);
  console.log(`DevTools frontend up (${version})`);

  async function exportHar(file, sanitize) {
    const [download] = await Promise.all([
      dt.waitForEvent('download', { timeout: 20_000 }),
      dt.evaluate(async (sanitize) => {
        const Net = await import('./panels/network/network.js');
        await Net.NetworkPanel.NetworkPanel.instance().networkLogView.exportAll({ sanitize });
      }, sanitize),
    ]);
    await download.saveAs(path.join(outDir, file));
    console.log(`wrote ${file} (${fs.statSync(path.join(outDir, file)).size} bytes)`);
  }
  async function record(file, action, sanitizedFile) {
    await page.goto(`${base}/health`);    // main-frame navigation: the Network log starts afresh
    await sleep(300);                     // let the favicon request settle
    if (action) await action(page);
    await sleep(500);                     // let DevTools receive the last protocol events
    await exportHar(file, false);
    if (sanitizedFile) await exportHar(sanitizedFile, true);
  }
  await record('websocket.har', doWebSocket);
  await record('sse.har', doFetchStream);
  await record('eventsource.har', doEventSource, 'eventsource-sanitized.har');
  await record('other.har', null);
  await browser.close().catch(() => {});
  cr.kill();
  fs.rmSync(profile, { recursive: true, force: true });
}

// --- pass 2: Playwright's recordHar writes the HAR ---------------------------------
{
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-proxy-server'] });
  async function record(file, action) {
    const ctx = await browser.newContext({ recordHar: { path: path.join(outDir, file), content: 'embed' } });
    const page = await ctx.newPage();
    await page.goto(`${base}/health`);
    await action(page);
    await ctx.close();                    // the HAR is written here
    console.log(`wrote ${file} (${fs.statSync(path.join(outDir, file)).size} bytes)`);
  }
  await record('websocket-playwright.har', doWebSocket);
  await record('sse-playwright.har', doFetchStream);
  await browser.close();
}

srv.kill();
clearTimeout(guard);
