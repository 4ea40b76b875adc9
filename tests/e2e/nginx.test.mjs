// Static hosting: dist/ served by Debian's nginx with deploy/nginx.conf, the
// API proxied to our server with the auth header set by nginx, no operator
// sign-in. Started by `cargo xtask test` (BASE_URL is nginx, API_URL the server).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { launchChromium, watchErrors } from '../browser.mjs';

const base = process.env.BASE_URL;
const apiBase = process.env.API_URL;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const account = firstRun.account.auth_id;

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

function assertSecurityHeaders(r, what) {
  const csp = r.headers.get('content-security-policy') || '';
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, what);
  assert.match(csp, /frame-ancestors 'none'/, what);
  assert.ok(!csp.includes('unsafe-inline'), what);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer', what);
}

test('nginx sends the security and cache headers', async () => {
  const index = await fetch(`${base}/`);
  assertSecurityHeaders(index, 'index.html');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  assert.ok(!/<script type="module">/.test(html), 'no inline script');
  const deep = await fetch(`${base}/acls/some-id`);
  assert.equal(deep.status, 200, 'SPA fallback');
  assert.equal(await deep.text(), html);
  const config = await fetch(`${base}/config.json`);
  assert.equal(config.headers.get('cache-control'), 'no-cache');
  assert.equal((await config.json()).sign_in, false);
  // The start-up script names the main wasm (the page hints none: the
  // sign-in page needs no wasm).
  const boot = html.match(/src="\/(boot-[0-9a-f]{16}\.js)"/)[1];
  const script = await fetch(`${base}/${boot}`);
  assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(script.headers.get('content-type'), /javascript/);
  const wasm = (await script.text()).match(/'\/([^']+_bg\.wasm)'/)[1];
  const asset = await fetch(`${base}/${wasm}`, { headers: { 'accept-encoding': 'gzip' } });
  assertSecurityHeaders(asset, 'wasm');
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(asset.headers.get('content-type'), 'application/wasm');
  assert.equal(asset.headers.get('content-encoding'), 'gzip');
  // The gzip copy the build wrote (zopfli), sent as it is: not compressed
  // again, at nginx's lower level, on each request.
  const [sent, sentHeaders] = await rawBody(`/${wasm}`, { 'accept-encoding': 'gzip' });
  assert.match(sentHeaders.vary || '', /accept-encoding/i, 'caches keep one answer per encoding');
  const [copy] = await rawBody(`/${wasm}.gz`, {});
  assert.ok(copy.length > 1000, `${wasm}.gz is ${copy.length} bytes`);
  assert.ok(sent.equals(copy), `sent ${sent.length} bytes, the copy is ${copy.length}`);
});

/** The body exactly as sent (fetch would decompress it), with its headers. */
function rawBody(path, headers) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = http.request({ hostname, port, path, headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve([Buffer.concat(parts), res.headers]));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the API is only reachable from the console, with nginx adding the auth', async () => {
  const url = `${base}/v1/Account/${account}/SipAuth/Credential/`;
  const other = await fetch(url);
  assert.equal(other.status, 403);
  const console = await fetch(url, { headers: { 'x-requested-with': 'sipauth-console' } });
  assert.equal(console.status, 200);
  assert.equal(console.headers.get('cache-control'), 'no-store');
  const body = await console.text();
  assert.ok(!body.includes(firstRun.account.auth_token));
});

/** A GET with its request line exactly as written (fetch would resolve dots). */
function rawGet(path) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = http.request({ hostname, port, path, headers: { 'x-requested-with': 'sipauth-console' } },
      (res) => { res.resume(); resolve([res.statusCode, res.headers['content-type'] || '']); });
    req.on('error', reject);
    req.end();
  });
}

test('nginx forwards only the console routes of its account', async () => {
  const asConsole = { 'x-requested-with': 'sipauth-console', 'content-type': 'application/json' };
  const call = await fetch(`${base}/v1/Account/${account}/Call/`, { method: 'POST', headers: asConsole, body: '{}' });
  assert.equal(call.status, 403, 'another of the provider APIs');
  const other = await fetch(`${base}/v1/Account/MAOTHERACCOUNT00001/SipAuth/Credential/`, { headers: asConsole });
  assert.equal(other.status, 403, 'another account');
  const wrongMethod = await fetch(`${base}/v1/Account/${account}/SipAuth/Credential/`, { method: 'DELETE', headers: asConsole });
  assert.equal(wrongMethod.status, 403, 'a method the console never sends there');
  for (const path of [
    `/v1/Account/${account}/SipAuth/%2e%2e/Call/`,
    `/v1/Account/${account}/SipAuth/Credential/..%2fCall/`,
  ]) {
    assert.deepEqual((await rawGet(path))[0], 403, path);
  }
  // nginx resolves this one itself, out of /v1/: the console's page, never
  // the provider's answer.
  const [status, type] = await rawGet(`/v1/../2010-04-01/Accounts/${account}/SIP/CredentialLists.json`);
  assert.ok(status === 403 || (status === 200 && type.startsWith('text/html')), `${status} ${type}`);
  const entries = await fetch(`${base}/v1/Account/${account}/SipAuth/IpAccessControlList/`, { headers: asConsole });
  assert.equal(entries.status, 200, 'the console routes still pass');
});

test('the console works behind nginx under its CSP, without sign-in', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${base}/credentials`);
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  await page.getByRole('button', { name: 'Create credential' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create credential' });
  await dialog.getByLabel('Username').fill('behind.nginx');
  await dialog.getByLabel('Password', { exact: true }).fill('Nginx-Passw0rd-26');
  await dialog.getByRole('button', { name: 'Create credential' }).click();
  await page.getByRole('status').filter({ hasText: 'Created credential behind.nginx.' }).waitFor();
  const auth = 'Basic ' + Buffer.from(`${account}:${firstRun.account.auth_token}`).toString('base64');
  const direct = await (await fetch(`${apiBase}/v1/Account/${account}/SipAuth/Credential/?username=behind`, { headers: { authorization: auth } })).json();
  assert.deepEqual(direct.objects.map((o) => o.username), ['behind.nginx']);
  await page.getByRole('button', { name: 'Delete behind.nginx' }).click();
  await page.getByRole('dialog', { name: 'Delete behind.nginx?' }).getByRole('button', { name: 'Delete behind.nginx' }).click();
  await page.getByText('No credentials yet.').waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.equal(stored, '{}{}');
  await context.close();
  // A CSP violation would show here as "Refused to …".
  errors.check();
});
