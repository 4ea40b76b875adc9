// The split console in Firefox (Debian's ESR through geckodriver: WebDriver
// over HTTP; playwright's Firefox is a build of its own that cannot be
// installed here), for the dialect of the server at BASE_URL: the sign-in
// page without wasm, sign-in, the home page and its "Create …" dialog, and
// a page whose code comes in a chunk, reached by the navigation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const base = process.env.BASE_URL;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

let driver;
let url;
let session;

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

async function call(method, path, body) {
  const r = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const answer = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(answer.value)}`);
  return answer.value;
}
const run = (script, ...args) => call('POST', `/session/${session}/execute/sync`, { script, args });

/** Waits until `script` returns something truthy; returns it. */
async function until(script, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await run(script);
    if (value) return value;
    if (Date.now() > end) throw new Error(`waited ${timeout} ms for ${what}; on screen: ${await run('return document.body.innerText.slice(0, 300)')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The input a visible label names, as a WebDriver element. */
async function field(label) {
  const found = await call('POST', `/session/${session}/element`, { using: 'xpath', value: `//input[@id=//label[normalize-space()='${label}']/@for]` });
  return found[ELEMENT];
}

before(async () => {
  const port = await freePort();
  driver = spawn(process.env.GECKODRIVER || 'geckodriver', ['--port', String(port)], { stdio: 'ignore' });
  url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { await fetch(`${url}/status`); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 100)); }
  }
  const created = await call('POST', '/session', {
    capabilities: { alwaysMatch: { browserName: 'firefox', 'moz:firefoxOptions': { binary: process.env.FIREFOX || '/usr/bin/firefox-esr', args: ['-headless'] } } },
  });
  session = created.sessionId;
});

after(async () => {
  if (session) await call('DELETE', `/session/${session}`).catch(() => {});
  driver?.kill();
});

test('in Firefox the split console signs in without wasm first, then shows a page from its chunk', { timeout: 120_000 }, async () => {
  await call('POST', `/session/${session}/url`, { url: `${base}/sign-in` });
  await until("return document.querySelector('h1')?.textContent === 'Sign in'", 'the sign-in form');
  const wasm = () => run("return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm'))");
  assert.deepEqual(await wasm(), [], 'no wasm before the operator types');

  await call('POST', `/session/${session}/element/${await field('Operator username')}/value`, { text: firstRun.operator.username });
  await call('POST', `/session/${session}/element/${await field('Password')}/value`, { text: `${firstRun.operator.password}\uE007` });
  const links = await until(
    "const a = [...document.querySelectorAll('nav[aria-label=Main] a')]; return a.length ? a.map((l) => l.getAttribute('href')) : null",
    'the navigation',
  );
  await until(`return location.pathname === ${JSON.stringify(links[0])} && !!document.querySelector('main h1')`, 'the home page');
  assert.ok((await wasm()).some((n) => n.includes('_bg.wasm')), 'the console came after sign-in');

  // The home page's "Create …" dialog (on the credentials page its code is
  // the page's tools, a chunk fetched after the list): it opens, focus in
  // it, and Escape closes it.
  const create = "document.querySelector('main .page-head button.primary')";
  const label = await until(`return ${create}?.textContent.trim()`, 'the create button');
  await run(`${create}.click()`);
  const title = await until("return document.querySelector('dialog[open] h2')?.textContent", 'its dialog');
  assert.equal(title, label);
  await until("return document.querySelector('dialog[open]').contains(document.activeElement)", 'focus in the dialog');
  const escape = { type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: '\uE00C' }, { type: 'keyUp', value: '\uE00C' }] };
  await call('POST', `/session/${session}/actions`, { actions: [escape] });
  await until("return !document.querySelector('dialog[open]')", 'the dialog to close');
  if (links[0] === '/credentials') {
    assert.ok((await wasm()).some((n) => n.includes('/split_credential_tools')), "the dialogs' chunk was fetched");
  }

  // A page from the "pages" chunk, by the navigation (a click, as a person).
  const other = links.find((h) => h === '/activity') || links[links.length - 1];
  await run(`document.querySelector('nav[aria-label=Main] a[href="${other}"]').click()`);
  const heading = await until(
    "const h = document.querySelector('main h1'); return h && !document.querySelector('.loading[role=status]') ? h.textContent : null",
    `the page at ${other}`,
  );
  assert.doesNotMatch(heading, /could not|not found/i, `${other}: ${heading}`);
  assert.ok((await wasm()).some((n) => n.includes('/split_')), 'its chunk was fetched');
});
