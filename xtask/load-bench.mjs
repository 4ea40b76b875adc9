// Loading the console, for `cargo xtask bench` (never asserted in tests):
// what the sign-in page and the credentials page download, each dialect's
// whole set, and how soon the sign-in form and the credentials list paint
// on a slow link (Chromium's network emulation), for each build in BUILDS
// (the split console, and the same console in one wasm as "before").
// Sizes are what a gzip client is sent for the files the browser asked for
// (the build's zopfli copies). Prints one JSON line.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../tests/browser.mjs';

const builds = JSON.parse(process.env.BUILDS); // [{ name, base, dist, firstRun }]
const RUNS = Number(process.env.RUNS || 5);
// 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip.
const SLOW = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 };
const ROWS = 'table.list tbody tr';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

// What a gzip client is sent: the build's gzip copy of the file (zopfli),
// or gzip -9 where it wrote none.
function sizer(dist) {
  const memo = new Map();
  return (file) => {
    if (!memo.has(file)) {
      const copy = `${dist}/${file}.gz`;
      memo.set(file, existsSync(copy) ? statSync(copy).size : gzipSync(readFileSync(`${dist}/${file}`), { level: 9 }).length);
    }
    return memo.get(file);
  };
}

// The chunk loader's table: each split module and the files it needs.
function modules(dist) {
  const loader = readdirSync(dist).find((f) => f.startsWith('wasm-split-'));
  if (!loader) return {};
  const js = readFileSync(`${dist}/${loader}`, 'utf8');
  const file = {};
  for (const m of js.matchAll(/const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"/g)) file[m[1]] = m[2];
  const out = {};
  const exported = /export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"[\s\S]*?\}\s*,\s*\[([^\]]*)\]/g;
  for (const m of js.matchAll(exported)) {
    const deps = m[3].split(',').map((s) => s.trim()).filter(Boolean).map((d) => file[d]);
    out[m[1]] = [m[2], ...deps];
  }
  return out;
}

// What any page of the console loads first: index.html, what it names,
// and what the split build's start-up script starts for a page (the main
// wasm and its bindings, which import the chunk loader).
function firstFiles(dist) {
  const html = readFileSync(`${dist}/index.html`, 'utf8');
  const hrefs = [...html.matchAll(/(?:href|src)="\/([^"]+\.(?:js|wasm|css))"/g)].map((m) => m[1]);
  const boot = hrefs.find((h) => h.startsWith('boot-'));
  const started = boot ? readFileSync(`${dist}/${boot}`, 'utf8').match(/fetch\('\/([^']+_bg\.wasm)'\), import\('\/([^']+\.js)'\)/) : null;
  const loader = readdirSync(dist).filter((f) => f.startsWith('wasm-split-'));
  return [...new Set(['index.html', ...hrefs, ...(started ? [started[1], started[2], ...loader] : [])])];
}

// The split modules each dialect's console can open.
const DIALECT_MODULES = {
  plivo: ['credential_tools', 'pages'],
  zentrunk: ['credential_tools', 'pages'],
  twilio: ['twilio', 'credential_tools', 'pages'],
  vobiz: ['credential_tools', 'pages'],
};

// Static files the page asked for (the document counts as index.html).
function recorder(page, base) {
  const files = new Set();
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(base)) return;
    const path = new URL(url).pathname.slice(1);
    if (/\.(js|wasm|css)$/.test(path)) files.add(path);
    else if (r.resourceType() === 'document') files.add('index.html');
  });
  return files;
}

// `arg`: the selector, or { selector, rows }.
function instrument(arg) {
  const { selector, rows } = typeof arg === 'string' ? { selector: arg } : arg;
  const b = { at: NaN, listAt: NaN, frames: [] };
  window.__load = b;
  const loop = () => requestAnimationFrame(() => { b.frames.push(performance.now()); loop(); });
  loop();
  new MutationObserver(() => {
    if (Number.isNaN(b.at) && document.querySelector(selector)) b.at = performance.now();
    // When the list's rows were first in the DOM (`rows`: their selector).
    if (rows && Number.isNaN(b.listAt) && document.querySelectorAll(rows).length >= 20) b.listAt = performance.now();
  }).observe(document, { subtree: true, childList: true });
}

// Navigation start to `selector` in the DOM and the frame after; the
// load event; and when the chain's links ended (resource timing).
async function paint(page, url, selector) {
  await page.goto(url);
  await page.waitForSelector(selector, { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate(() => {
    const b = window.__load;
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const end = (test) => {
      const e = res.find((r) => test(new URL(r.name).pathname));
      return e ? { start: e.startTime, end: e.responseEnd } : null;
    };
    return {
      painted: b.frames.find((f) => f > b.at),
      afterLoad: b.frames.find((f) => f > b.at) - nav.loadEventEnd,
      chain: {
        html: nav.responseEnd,
        wasm: end((p) => p.endsWith('_bg.wasm')),
        config: end((p) => p === '/config.json'),
        session: end((p) => p === '/console/session'),
        list: end((p) => p.includes('/Credential')),
        load: nav.loadEventEnd,
      },
    };
  });
}

async function signIn(page, build) {
  const firstRun = JSON.parse(readFileSync(build.firstRun, 'utf8'));
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForFunction((s) => document.querySelectorAll(s).length >= 20, ROWS, { timeout: 60_000 });
}

async function throttled(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', SLOW);
}

const browser = await launchChromium();
const out = {};
for (const build of builds) {
  const gz = sizer(build.dist);
  const sum = (files) => [...files].reduce((n, f) => n + gz(f), 0);
  const r = { files: readdirSync(build.dist).filter((f) => !/\.(gz|br)$/.test(f)).length };

  // What one operator's journey downloads: the sign-in form, what the
  // page fetches while it waits and once the operator types, the
  // credentials list, then everything preloaded after that list painted.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(instrument, { selector: '#operator-username', rows: ROWS });
    const files = recorder(page, build.base);
    await page.goto(`${build.base}/sign-in`);
    await page.getByLabel('Operator username').waitFor();
    // What was asked for before the form was in the DOM.
    const before = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.startTime <= window.__load.at)
      .map((e) => new URL(e.name).pathname.slice(1))
      .filter((p) => /\.(js|wasm|css)$/.test(p)));
    r.sign_in = sum(['index.html', ...new Set(before)]);
    r.sign_in_files = 1 + new Set(before).size;
    // Nobody types: what the page fetches in total while it waits.
    await page.waitForTimeout(2000);
    r.sign_in_with_preload = sum(files);
    // Typing: the split console fetches the wasm and the home page's chunk.
    await page.getByLabel('Operator username').fill('o');
    await page.waitForTimeout(3000);
    r.sign_in_typing = sum(files);
    await signIn(page, build);
    // Asked for before the list's rows were in the DOM (the sign-in page
    // and the console are one document): what showing the list took, not
    // what the console fetches after it has painted.
    const needed = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.startTime <= window.__load.listAt)
      .map((e) => new URL(e.name).pathname.slice(1))
      .filter((p) => /\.(js|wasm|css)$/.test(p)));
    const listFiles = new Set(['index.html', ...needed]);
    r.credentials = sum(listFiles);
    r.credentials_files = listFiles.size;
    await page.waitForTimeout(3000);
    r.all_preloaded = sum(files);
    await context.close();
  }

  // Each split module alone and with the chunks it needs; each dialect's set.
  const first = firstFiles(build.dist);
  r.first = sum(first);
  const mods = modules(build.dist);
  r.modules = Object.fromEntries(Object.entries(mods).map(([m, files]) => [m, { own: gz(files[0]), with_shared: sum(files), files: files.length }]));
  // What the credentials page itself needs: the first load, then its
  // tools (dialogs, exports), fetched after the list has painted.
  r.credentials_needs = sum(new Set([...first, ...(mods.credential_tools || [])]));
  r.dialects = {};
  for (const [dialect, names] of Object.entries(DIALECT_MODULES)) {
    const files = new Set(first);
    for (const n of names) for (const f of mods[n] || []) files.add(f);
    r.dialects[dialect] = sum(files);
  }
  r.everything = sum(readdirSync(build.dist).filter((f) => /\.(js|wasm|css|html)$/.test(f)));

  // First paint on the slow link, cold cache: the sign-in form; then the
  // credentials list for an operator already signed in.
  const slowSignIn = [];
  const slowList = [];
  const fastList = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    let page = await context.newPage();
    await page.addInitScript(instrument, '#operator-username');
    await throttled(context, page);
    slowSignIn.push(await paint(page, `${build.base}/sign-in`, '#operator-username'));
    await page.close();
    page = await context.newPage();
    await page.goto(`${build.base}/sign-in`);
    await signIn(page, build);
    await page.close();
    page = await context.newPage();
    await page.addInitScript(instrument, `${ROWS}:nth-child(20)`);
    await throttled(context, page);
    slowList.push(await paint(page, `${build.base}/credentials`, `${ROWS}:nth-child(20)`));
    await page.close();
    // Unthrottled, warm cache: the chain on this machine.
    page = await context.newPage();
    await page.addInitScript(instrument, `${ROWS}:nth-child(20)`);
    fastList.push(await paint(page, `${build.base}/credentials`, `${ROWS}:nth-child(20)`));
    await page.close();
    await context.close();
  }
  const med = (runs, f) => round(median(runs.map(f).filter((x) => x !== undefined && !Number.isNaN(x))));
  const chain = (runs) => Object.fromEntries(
    ['html', 'wasm', 'config', 'session', 'list', 'load'].map((k) => [k, k === 'html' || k === 'load'
      ? med(runs, (x) => x.chain[k])
      : { start: med(runs.filter((x) => x.chain[k]), (x) => x.chain[k].start), end: med(runs.filter((x) => x.chain[k]), (x) => x.chain[k].end) }]),
  );
  r.slow_sign_in = { painted: med(slowSignIn, (x) => x.painted), after_load: med(slowSignIn, (x) => x.afterLoad) };
  r.slow_list = { painted: med(slowList, (x) => x.painted), after_load: med(slowList, (x) => x.afterLoad), chain: chain(slowList) };
  r.fast_list = { painted: med(fastList, (x) => x.painted), after_load: med(fastList, (x) => x.afterLoad), chain: chain(fastList) };
  out[build.name] = r;
}
await browser.close();
console.log(JSON.stringify(out));
