// Browser timings for `cargo xtask bench` (never asserted in tests): the
// release console on the real server, in Debian's Chromium. Prints one JSON
// line of medians in milliseconds.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const account = firstRun.account.auth_id;
const basic = 'Basic ' + Buffer.from(`${account}:${firstRun.account.auth_token}`).toString('base64');
const RUNS = 5;

async function api(method, path, body) {
  const r = await fetch(`${base}/v1/Account/${account}/${path}`, {
    method, headers: { authorization: basic, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.status === 204 ? null : r.json();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
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

const context = await browser.newContext();
const page = await context.newPage();
await page.goto(`${base}/sign-in`);
await page.getByLabel('Operator username').fill(firstRun.operator.username);
await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();

// An ACL with 50 entries: from navigation to all rows with their notes.
const entries = Array.from({ length: 50 }, (_, i) => ({ ip: `10.${i}.0.0`, cidr_prefix: 16, description: `site ${i}` }));
const full = await api('POST', 'SipAuth/IpAccessControlList/', { name: 'Fifty', entries });
const renders = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await page.goto(`${base}/acls/${full.ip_acl_uuid}`);
  await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 50);
  renders.push(performance.now() - t);
}
results.acl_50_entries_render_ms = median(renders);

// Import 50 lines: from the click to "Imported 50 of 50".
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

await browser.close();
console.log(JSON.stringify(results));
