// Browser timings for `cargo xtask bench` (never asserted in tests): the
// release console on the real server, in Debian's Chromium, measured inside
// the page with performance.now() (navigation start is 0), a MutationObserver
// for when the DOM changed and requestAnimationFrame for the frame after it.
// Each console figure has a plain-DOM baseline: a small hand-written page
// (served by playwright's router, never by the product) that fetches the same
// API and renders the same rows, so console/baseline survives a noisy machine.
// Prints one JSON line of medians in milliseconds.
import { readFileSync } from 'node:fs';
import { launchChromium } from '../tests/browser.mjs';

const base = process.env.BASE_URL;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const account = firstRun.account.auth_id;
const basic = 'Basic ' + Buffer.from(`${account}:${firstRun.account.auth_token}`).toString('base64');
const RUNS = Number(process.env.RUNS || 9);

async function api(method, path, body) {
  const r = await fetch(`${base}/v1/Account/${account}/${path}`, {
    method, headers: { authorization: basic, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

// Installed before any page script: frame times, mutation times, the last
// keydown, and when `selector` first matched `count` elements.
function instrument({ selector, count }) {
  const b = { frames: [], muts: [], keyAt: NaN, rowsAt: NaN };
  window.__bench = b;
  // The frame after the rows tells Node over the console: waiting with
  // Playwright's selectors or waitForFunction would compile its injected
  // script (about 50 ms of main thread here) in the middle of the load.
  const loop = () => requestAnimationFrame(() => {
    const now = performance.now();
    b.frames.push(now);
    if (!b.told && now > b.rowsAt) { b.told = true; console.debug('bench:painted'); }
    loop();
  });
  loop();
  new MutationObserver(() => {
    const now = performance.now();
    b.muts.push(now);
    if (selector && Number.isNaN(b.rowsAt) && document.querySelectorAll(selector).length >= count) b.rowsAt = now;
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  document.addEventListener('keydown', (e) => { b.keyAt = e.timeStamp; }, true);
}

const nextFrames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

// Navigation start to the rows being in the DOM, and to the frame after.
async function firstPaint(context, url, selector, count) {
  const page = await openPage(context, url);
  await page.addInitScript(instrument, { selector, count });
  const painted = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:painted', timeout: 30_000 });
  await page.goto(url);
  await painted;
  const r = await page.evaluate(() => {
    const b = window.__bench;
    const load = performance.getEntriesByType('navigation')[0].loadEventEnd;
    const frame = b.frames.find((f) => f > b.rowsAt);
    return { dom: b.rowsAt, frame, afterLoad: frame - load };
  });
  await page.close();
  return r;
}

// One keystroke: keydown to the last DOM change it caused, and to the frame after.
async function keystroke(page, field, prefill, key, settled) {
  await page.locator(field).fill(prefill);
  await page.waitForFunction(settled.before.fn, settled.before.arg);
  await nextFrames(page);
  await page.locator(field).press(key);
  await page.waitForFunction(settled.after.fn, settled.after.arg);
  await nextFrames(page);
  return page.evaluate(() => {
    const b = window.__bench;
    const after = b.muts.filter((t) => t >= b.keyAt);
    const last = after[after.length - 1];
    return { dom: last - b.keyAt, frame: b.frames.find((f) => f > last) - b.keyAt };
  });
}

const rowsAre = (n) => ({
  fn: (n) => (n === 0
    ? document.querySelector('.empty') !== null && document.querySelectorAll('table.list tbody tr').length === 0
    : document.querySelectorAll('table.list tbody tr').length === n),
  arg: n,
});

// ---- plain-DOM baselines ------------------------------------------------

// The same requests as the console (every page of a list, the later ones at
// once, plus the applications for "Used by"), rendered with createElement.
const baselineShared = `
const account = ${JSON.stringify(account)};
async function all(kind) {
  const url = (o) => '/v1/Account/' + account + '/' + kind + '/?limit=20&offset=' + o;
  const first = await (await fetch(url(0))).json();
  const out = first.objects.slice();
  const rest = [];
  for (let o = out.length; o < first.meta.total_count; o += first.objects.length) rest.push(fetch(url(o)).then((r) => r.json()));
  for (const p of await Promise.all(rest)) out.push(...p.objects);
  return out;
}
function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}
function table(headers, rows) {
  const t = el('table', undefined, { class: 'list' });
  const head = el('tr');
  for (const h of headers) head.append(el('th', h, { scope: 'col' }));
  t.append(el('thead'));
  t.tHead.append(head);
  const body = el('tbody');
  for (const cells of rows) {
    const tr = el('tr');
    cells.forEach((c, i) => tr.append(i === 0 ? el('th', c, { scope: 'row' }) : c instanceof Node ? (() => { const td = el('td'); td.append(c); return td; })() : el('td', c)));
    body.append(tr);
  }
  t.append(body);
  return t;
}
function usedBy(apps, key, id) {
  const names = apps.filter((a) => a[key] === id).map((a) => a.app_name);
  return names.length ? names.join(', ') : '\\u2014';
}
function actions(...labels) {
  const span = el('span');
  for (const l of labels) span.append(el('button', l.split(' ')[0], { type: 'button', 'aria-label': l }));
  return span;
}
`;

const baselinePages = {
  credentials: `
const [creds, apps] = await Promise.all([all('SipAuth/Credential'), all('Application')]);
const main = document.querySelector('main');
main.append(el('h1', 'SIP credentials'), el('p', 'Showing 1\\u2013' + Math.min(20, creds.length) + ' of ' + creds.length));
main.append(table(['Username', 'Realm', 'Used by', 'ID', ''], creds.slice(0, 20).map((c) => [
  c.username, c.realm, usedBy(apps, 'credential_uuid', c.credential_uuid), c.credential_uuid,
  actions('Change password of ' + c.username, 'Delete ' + c.username)])));
`,
  acls: `
const [acls, apps] = await Promise.all([all('SipAuth/IpAccessControlList'), all('Application')]);
const main = document.querySelector('main');
const input = el('input', undefined, { type: 'search', id: 'acl-search' });
const status = el('span');
const holder = el('div');
main.append(el('h1', 'IP access control lists'), el('label', 'Search by name or address', { for: 'acl-search' }), input, status, holder);
function v4(s) {
  const p = s.split('.');
  if (p.length !== 4 || p.some((x) => !/^\\d{1,3}$/.test(x) || Number(x) > 255)) return null;
  return p.reduce((n, x) => n * 256 + Number(x), 0);
}
function admits(e, a) {
  const net = v4(e.ip);
  if (net === null || a === null) return false;
  const size = 2 ** (32 - e.cidr_prefix);
  return Math.floor(a / size) === Math.floor(net / size);
}
function keep(acl, needle) {
  if (acl.name.toLowerCase().includes(needle)) return true;
  const a = v4(needle);
  return acl.entries.some((e) => e.ip.includes(needle)
    || (needle.includes('/') && (e.ip + '/' + e.cidr_prefix).includes(needle))
    || e.description.toLowerCase().includes(needle)
    || admits(e, a));
}
function render() {
  const needle = input.value.trim().toLowerCase();
  const matching = needle ? acls.filter((a) => keep(a, needle)) : acls;
  status.textContent = matching.length ? 'Showing 1\\u2013' + Math.min(20, matching.length) + ' of ' + matching.length : '';
  holder.replaceChildren(matching.length
    ? table(['Name', 'Entries', 'Used by', ''], matching.slice(0, 20).map((a) => [
      a.name, a.entries.length + ' of 50', usedBy(apps, 'ip_acl_uuid', a.ip_acl_uuid),
      actions('Rename ' + a.name, 'Delete ' + a.name)]))
    : el('div', 'No IP ACL matches.', { class: 'empty' }));
}
input.addEventListener('input', render);
render();
`,
  entries: `
const id = new URLSearchParams(location.search).get('id');
const acl = await (await fetch('/v1/Account/' + account + '/SipAuth/IpAccessControlList/' + id + '/')).json();
const main = document.querySelector('main');
main.append(el('h1', acl.name));
main.append(table(['Address', 'Description', ''], acl.entries.map((e) => [
  e.ip + '/' + e.cidr_prefix, e.description, actions('Remove ' + e.ip + '/' + e.cidr_prefix)])));
`,
};

// Baseline pages are served by a route on their own page only: Playwright
// turns the HTTP cache off wherever it routes, and the console's pages are
// measured with a warm cache.
let baselineRoute;
function serveBaselines(css) {
  baselineRoute = (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    const script = baselinePages[name];
    if (!script) return route.fulfill({ status: 404, body: 'no such baseline' });
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${css}"></head>`
        + `<body><main></main><script type="module">${baselineShared}${script}</script></body></html>`,
    });
  };
}

async function openPage(context, url) {
  const page = await context.newPage();
  if (url.includes('/__baseline/')) await page.route(`${base}/__baseline/**`, baselineRoute);
  return page;
}

// ---- the runs ----------------------------------------------------------

const browser = await launchChromium();
const results = {};

// Cold load: a fresh context each time, from navigation to the sign-in form.
const loads = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const t = performance.now();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').waitFor();
  loads.push(performance.now() - t);
  await context.close();
}
results.console_ready_ms = median(loads);

const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const signIn = await context.newPage();
await signIn.goto(`${base}/sign-in`);
await signIn.getByLabel('Operator username').fill(firstRun.operator.username);
await signIn.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
await signIn.getByRole('button', { name: 'Sign in' }).click();
await signIn.getByRole('heading', { name: 'SIP credentials' }).waitFor();
const css = await signIn.evaluate(() => document.querySelector('link[rel=stylesheet]').getAttribute('href'));
await signIn.close();
serveBaselines(css);

// Paired runs, console then baseline, so both see the same machine state.
async function paired(name, consoleUrl, baselineUrl, selector, count) {
  const c = { dom: [], frame: [], afterLoad: [] };
  const b = { dom: [], frame: [], afterLoad: [] };
  // One unmeasured load of each warms the HTTP cache and the wasm compile cache.
  await firstPaint(context, consoleUrl, selector, count);
  await firstPaint(context, baselineUrl, selector, count);
  for (let i = 0; i < RUNS; i++) {
    const x = await firstPaint(context, consoleUrl, selector, count);
    c.dom.push(x.dom); c.frame.push(x.frame); c.afterLoad.push(x.afterLoad);
    const y = await firstPaint(context, baselineUrl, selector, count);
    b.dom.push(y.dom); b.frame.push(y.frame); b.afterLoad.push(y.afterLoad);
  }
  results[name] = {
    console: round(median(c.frame)), baseline: round(median(b.frame)),
    ratio: round(median(c.frame) / median(b.frame)),
    console_after_load: round(median(c.afterLoad)),
  };
}

// The credentials list: 200 credentials (seeded by xtask), first page of 20.
await paired('credentials_200_first_paint', `${base}/credentials`, `${base}/__baseline/credentials`, 'table.list tbody tr', 20);

// 100 ACLs of 50 entries: 10.i.j.0/24 with notes "branch i desk j"; every
// tenth ACL's last entry is 172.16.0.0/12 instead ("branch i hub").
const existing = await api('GET', 'SipAuth/IpAccessControlList/?limit=20');
if (existing.meta.total_count !== 0) throw new Error('the bench expects no IP ACLs yet');
const pad = (i) => String(i).padStart(3, '0');
const aclIds = [];
for (let i = 0; i < 100; i++) {
  const entries = Array.from({ length: 50 }, (_, j) => (j === 49 && i % 10 === 0
    ? { ip: '172.16.0.0', cidr_prefix: 12, description: `branch ${i} hub` }
    : { ip: `10.${i}.${j}.0`, cidr_prefix: 24, description: `branch ${i} desk ${j}` }));
  aclIds.push((await api('POST', 'SipAuth/IpAccessControlList/', { name: `branch-${pad(i)}`, entries })).ip_acl_uuid);
}
await paired('acls_100_first_paint', `${base}/acls`, `${base}/__baseline/acls`, 'table.list tbody tr', 20);
await paired('acl_50_entries_paint', `${base}/acls/${aclIds[42]}`, `${base}/__baseline/entries?id=${aclIds[42]}`, 'table.list tbody tr', 50);

// Keystrokes in the ACL filter with all 5,000 entries loaded: the prefill is
// typed first (not measured), then one key that changes what is shown.
const cases = [
  ['by name: branch-04 + 2 (10 rows to 1)', 'branch-04', '2', rowsAre(10), rowsAre(1)],
  ['by note: branch 4 + 2 (11 rows to 1)', 'branch 4', '2', rowsAre(11), rowsAre(1)],
  ['whole address: 172.20.1. + 5 (none to 10 admitting)', '172.20.1.', '5', rowsAre(0), rowsAre(10)],
  ['no match: branch-04 + z (10 rows to none)', 'branch-04', 'z', rowsAre(10), rowsAre(0)],
];
const keys = {};
for (const [label, url, field] of [
  ['console', `${base}/acls`, '#acl-search'],
  ['baseline', `${base}/__baseline/acls`, '#acl-search'],
]) {
  const page = await openPage(context, url);
  await page.addInitScript(instrument, {});
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 20);
  for (const [name, prefill, key, before, after] of cases) {
    const dom = [];
    const frame = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await keystroke(page, field, prefill, key, { before, after });
      dom.push(r.dom); frame.push(r.frame);
    }
    keys[name] ??= {};
    keys[name][label] = { dom: round(median(dom)), frame: round(median(frame)) };
  }
  await page.close();
}
results.filter_keystroke = keys;

// Import 50 lines: from the click to "Imported 50 of 50" (one ACL made room
// for each run).
for (const id of aclIds.slice(100 - RUNS)) await api('DELETE', `SipAuth/IpAccessControlList/${id}/`);
const page = await context.newPage();
const imports = [];
for (let i = 0; i < RUNS; i++) {
  const acl = await api('POST', 'SipAuth/IpAccessControlList/', { name: `Import ${i}` });
  await page.goto(`${base}/acls/${acl.ip_acl_uuid}`);
  await page.getByRole('button', { name: 'Import entries' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import entries' });
  await dialog.getByLabel('Entries, one per line').fill(
    Array.from({ length: 50 }, (_, j) => `192.168.${j}.0/24,line ${j}`).join('\n'));
  await dialog.getByRole('button', { name: 'Import 50 entries' }).waitFor();
  const t = performance.now();
  await dialog.getByRole('button', { name: 'Import 50 entries' }).click();
  await dialog.getByText('Imported 50 of 50').waitFor({ timeout: 60_000 });
  imports.push(performance.now() - t);
}
results.import_50_lines_ms = median(imports);

// The Activity page over at least 10,000 audit records: an ACL of 50
// entries deleted and made again is 102 records (one per ACL and entry).
const auditTotal = async () => (await (await context.request.get(`${base}/console/audit?page_size=1`)).json()).total;
const refill = [...aclIds.slice(0, 100 - RUNS)];
while ((await auditTotal()) < 10_000) {
  await api('DELETE', `SipAuth/IpAccessControlList/${refill.shift()}/`);
  const entries = Array.from({ length: 50 }, (_, j) => ({ ip: `10.200.${j}.0`, cidr_prefix: 24, description: `refill desk ${j}` }));
  refill.push((await api('POST', 'SipAuth/IpAccessControlList/', { name: `refill-${refill.length}-${Date.now()}`, entries })).ip_acl_uuid);
}
results.activity_records = await auditTotal();
{
  const frames = [];
  const afterLoad = [];
  await firstPaint(context, `${base}/activity`, 'tr.audit-record', 50);
  for (let i = 0; i < RUNS; i++) {
    const x = await firstPaint(context, `${base}/activity`, 'tr.audit-record', 50);
    frames.push(x.frame); afterLoad.push(x.afterLoad);
  }
  results.activity_first_paint = { console: round(median(frames)), console_after_load: round(median(afterLoad)) };
}

await browser.close();
console.log(JSON.stringify(results));
