// The split console on a slow link (Chromium's emulation: 1.6 Mbit/s down,
// 150 ms round trip, cold cache), for the dialect of the server at BASE_URL:
// every page of the main navigation, opened by its address and by a click,
// shows the loading state and then its page; once the console has started,
// the screen is never blank and never broken; the session (and, where the
// credentials page is home, its list's first page) is asked for while the
// wasm is still on its way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchChromium, watchErrors } from '../browser.mjs';

const base = process.env.BASE_URL;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const SLOW = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 };

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

// Installed before the console: after each batch of DOM changes, whether
// something is on screen (a heading or a loading status), and every
// loading text seen.
function watchScreen() {
  const w = { blank: [], loading: new Set(), started: false };
  window.__screen = w;
  new MutationObserver(() => {
    const body = document.body;
    // index.html's sign-in page is there, hidden, until the console starts.
    if (!body || ![...body.children].some((c) => !c.hidden)) return;
    // The console's first change posts a task: whether the list (its rows,
    // or that there are none) is in before that task runs, that is, nothing
    // on the way waited for a task.
    if (!w.started) {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { w.taskRan = true; };
      channel.port2.postMessage(0);
    }
    w.started = true;
    if (w.listInOneGo === undefined && document.querySelector('table.list tbody tr, .empty')) w.listInOneGo = !w.taskRan;
    const status = document.querySelector('.loading[role=status]');
    if (status) w.loading.add(status.textContent);
    if (!status && !document.querySelector('h1')) w.blank.push(body.innerText.slice(0, 80));
  }).observe(document, { subtree: true, childList: true });
}

async function slowPage(context) {
  const page = await context.newPage();
  await page.addInitScript(watchScreen);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', SLOW);
  return page;
}

async function screen(page) {
  return page.evaluate(() => ({ blank: window.__screen.blank, loading: [...window.__screen.loading] }));
}

const broken = /could not|not found/i;

/** Signs in on a fast link; the page and the main navigation's addresses. */
async function signIn(context) {
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link').first().waitFor();
  const hrefs = await nav.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  return { page, nav, hrefs };
}

test('on a slow link every page shows its loading state, then the page, never a blank one', { timeout: 300_000 }, async () => {
  const context = await browser.newContext();
  // Signed in on a fast link; the pages below start cold.
  let { page, hrefs } = await signIn(context);
  assert.ok(hrefs.length >= 4, `the navigation offers pages: ${hrefs}`);
  await page.close();

  // By address, cold: the console starts, then the page's chunk arrives
  // (the credentials page is in the first wasm: no loading state of its own).
  const showedLoading = [];
  for (const href of hrefs) {
    page = await slowPage(context);
    const errors = watchErrors(page);
    await page.goto(`${base}${href}`);
    const heading = page.getByRole('heading', { level: 1 }).first();
    await heading.waitFor({ timeout: 60_000 });
    const text = await heading.textContent();
    assert.doesNotMatch(text, broken, `${href}: ${text}`);
    const seen = await screen(page);
    assert.deepEqual(seen.blank, [], `${href}: nothing on screen at some point`);
    if (seen.loading.includes('Loading the page…')) showedLoading.push(href);
    if (href === hrefs[0]) {
      // The start-up script asks for the session while the wasm is still
      // downloading, and the console uses that answer: one request.
      const timing = await page.evaluate(() => performance.getEntriesByType('resource')
        .map((e) => ({ path: new URL(e.name).pathname, search: new URL(e.name).search, start: e.startTime, end: e.responseEnd })));
      const sessions = timing.filter((e) => e.path === '/console/session');
      const wasm = timing.find((e) => e.path.endsWith('_bg.wasm'));
      assert.equal(sessions.length, 1, `one session request: ${JSON.stringify(sessions)}`);
      assert.ok(sessions[0].start < wasm.end, `the session was asked for (${sessions[0].start} ms) before the wasm had arrived (${wasm.end} ms)`);
      // The bindings' chunk loader comes beside them, not a round trip
      // after (it is their import).
      const bindings = timing.find((e) => /^\/sipauth-console-[0-9a-f]+\.js$/.test(e.path));
      const loader = timing.find((e) => e.path.startsWith('/wasm-split-'));
      assert.ok(loader.start < bindings.end, `the chunk loader was asked for (${loader.start} ms) before the bindings had arrived (${bindings.end} ms)`);
      // So is the list's first page, where the credentials page is home.
      if (href === '/credentials') {
        const firsts = timing.filter((e) => /credential/i.test(e.path) && !/list/i.test(e.path) && e.search.includes('offset=0'));
        assert.equal(firsts.length, 1, `the first page of credentials asked for once: ${JSON.stringify(firsts)}`);
        assert.ok(firsts[0].start < wasm.end, `the first page was asked for (${firsts[0].start} ms) before the wasm had arrived (${wasm.end} ms)`);
        // Their bodies were read before the wasm arrived too: the console,
        // the page and its list come in one go, never half-built.
        assert.equal(await page.evaluate(() => window.__screen.listInOneGo), true, 'the list came in the task the console started in');
      }
    }
    errors.check();
    await page.close();
  }

  assert.ok(showedLoading.length >= 2, `pages in chunks showed their loading state: ${showedLoading}`);
  assert.ok(!showedLoading.includes('/credentials'), 'the credentials page is in the first wasm');

  // By clicking through the navigation, cold, on the slow link: each click
  // ends on its page (its chunk preloaded, or loading with the state shown).
  page = await slowPage(context);
  const errors = watchErrors(page);
  await page.goto(`${base}${hrefs[0]}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 60_000 });
  for (const href of hrefs.slice(1)) {
    await page.getByRole('navigation', { name: 'Main' }).locator(`a[href="${href}"]`).click();
    await page.waitForURL(`${base}${href}`);
    const heading = page.getByRole('heading', { level: 1 }).first();
    await heading.waitFor({ timeout: 60_000 });
    assert.doesNotMatch(await heading.textContent(), broken, href);
  }
  const seen = await screen(page);
  assert.deepEqual(seen.blank, [], 'nothing on screen at some point while clicking through');
  errors.check();
  await context.close();
});

test('the sign-in page shows its form without the wasm, which comes once the operator types', { timeout: 120_000 }, async () => {
  const context = await browser.newContext();
  const page = await slowPage(context);
  const errors = watchErrors(page);
  const wasm = [];
  const sessions = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) wasm.push(r.url());
    if (path === '/console/session') sessions.push(r.method());
  });
  await page.goto(`${base}/sign-in`);
  const username = page.getByLabel('Operator username');
  await username.waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
  // Signed out, the page is whole without any wasm: none is asked for
  // while the form waits.
  await page.waitForTimeout(1_000);
  assert.deepEqual(wasm, [], 'no wasm before the operator types');
  // A wrong password is refused in words, beside the form.
  await username.fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor({ timeout: 30_000 });
  assert.equal(await username.inputValue(), firstRun.operator.username, 'the username typed is kept');
  assert.ok(wasm.some((u) => u.includes('_bg.wasm')), 'typing started the wasm');
  // Twilio's home page is in a chunk (the others' is in the first wasm).
  if (process.env.DIALECT === 'twilio') assert.ok(wasm.some((u) => u.includes('/split_twilio')), `typing started the home page's chunk: ${wasm}`);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The console starts signed in, at its home page, with the session the
  // sign-in answered: it does not ask for it again.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link').first().waitFor({ timeout: 60_000 });
  const home = await nav.getByRole('link').first().getAttribute('href');
  await page.waitForURL(`${base}${home}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  assert.deepEqual(sessions, ['GET', 'POST', 'POST'], 'the session asked for once, then the two sign-ins: no second probe');
  assert.equal(await page.locator('#sign-in-page').count(), 0, 'the start-up page is gone');
  const seen = await screen(page);
  assert.deepEqual(seen.blank, [], 'nothing on screen at some point');
  errors.check(401);
  await context.close();
});

test('a proxy that sends the wasm as another type than application/wasm only costs the streaming compile', { timeout: 120_000 }, async () => {
  const context = await browser.newContext();
  const { page: signedIn, hrefs } = await signIn(context);
  await signedIn.close();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  let served = 0;
  await page.route(/_bg\.wasm$/, async (route) => {
    const answer = await route.fetch();
    served += 1;
    await route.fulfill({ response: answer, headers: { ...answer.headers(), 'content-type': 'application/octet-stream' } });
  });
  await page.goto(`${base}${hrefs[0]}`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link').first().waitFor({ timeout: 60_000 });
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  assert.ok(served >= 1, 'the wasm went through the proxy');
  assert.ok(warnings.some((w) => w.includes('application/wasm')), `the console says why it started slower: ${warnings}`);
  errors.check();
  await context.close();
});

test('a page whose code does not arrive says so, loads when asked again, and the console keeps working', { timeout: 120_000 }, async () => {
  const context = await browser.newContext();
  const { page, nav, hrefs } = await signIn(context);
  const errors = watchErrors(page);
  // A page in another chunk than the home page; its chunk files fail until
  // the network is "back". The route stays: removing it while a preload's
  // request sits in it can leave that request pending for good, and the
  // retry would then wait on it.
  const other = hrefs.find((h) => h === '/activity') || hrefs[hrefs.length - 1];
  let blocked = 0;
  let down = true;
  const asked = [];
  await page.route(/\/(split|chunk)_[^/]*\.wasm$/, (route) => {
    asked.push(`${down ? 'failed' : 'sent'} ${new URL(route.request().url()).pathname}`);
    if (!down) return route.continue();
    blocked += 1;
    return route.abort('internetdisconnected');
  });
  await page.goto(`${base}${other}`);
  const alert = page.getByRole('alert').filter({ hasText: 'Part of the console did not arrive' });
  await alert.waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole('heading', { level: 1 }).first().textContent(), 'The page could not be loaded');
  assert.ok(blocked > 0, 'the chunk was asked for');
  // The shell still works: the navigation is there and the operator can sign out.
  await nav.getByRole('link').first().waitFor();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();

  down = false;
  await alert.getByRole('button', { name: 'Try loading the page again' }).click();
  const heading = page.getByRole('heading', { level: 1 }).first();
  try {
    await page.waitForFunction(() => !/could not be loaded|Loading the page/.test(document.body.innerText), null, { timeout: 30_000 });
  } catch (e) {
    const shown = await page.evaluate(() => document.body.innerText.slice(0, 300));
    assert.fail(`the page did not come after the retry: ${JSON.stringify(shown)}; chunk requests: ${asked.join(', ')}`);
  }
  assert.doesNotMatch(await heading.textContent(), broken);
  // The failed fetches are logged by the browser and the chunk loader; the
  // console itself never broke (no page error, no panic).
  const broke = errors.problems.filter((p) => p.startsWith('pageerror') || p.includes('panicked'));
  assert.deepEqual(broke, [], 'the console broke');
  await context.close();
});

test("the credentials page's dialogs come after its list; one asked for meanwhile opens when they arrive, a lost one is said and asked again", { timeout: 120_000 }, async (t) => {
  const context = await browser.newContext();
  const { page, hrefs } = await signIn(context);
  if (!hrefs.includes('/credentials')) {
    // Twilio keeps credentials in lists, each list's page being this page.
    t.skip('this dialect shows credentials on a credential list\'s page');
    await context.close();
    return;
  }
  const errors = watchErrors(page);
  // The tools' own chunk file: held, then let through (first visit); then
  // refused while the network is "down" (second visit, a new page).
  const held = [];
  let mode = 'hold';
  await page.route(/\/split_credential_tools-[^/]*\.wasm$/, (route) => {
    if (mode === 'hold') return held.push(route);
    if (mode === 'down') return route.abort('internetdisconnected');
    return route.continue();
  });
  const create = page.getByRole('button', { name: 'Create credential' });
  const dialog = page.getByRole('dialog', { name: 'Create credential' });
  const exports = page.getByRole('button', { name: 'Export credentials as CSV' });

  await page.goto(`${base}/credentials`);
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  // The list is there and usable while the tools are on their way.
  await page.getByRole('searchbox').first().waitFor();
  await create.click();
  await page.waitForTimeout(300);
  assert.equal(await dialog.isVisible(), false, 'no dialog before its code is here');
  // The click is answered while the code is on its way.
  const opening = page.getByRole('status').filter({ hasText: 'Opening the dialog…' });
  assert.equal(await opening.isVisible(), true, 'the click says it is being answered');
  assert.equal(await exports.count(), 0, 'no export buttons before their code is here');
  assert.ok(held.length > 0, 'the tools were asked for once the list was shown');
  mode = 'through';
  for (const route of held.splice(0)) await route.continue();
  // The dialog asked for opens by itself, focus inside it.
  await dialog.waitFor();
  await dialog.getByLabel('Username').waitFor();
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus is in the dialog');
  assert.equal(await opening.count(), 0, 'the wait is over once the dialog is open');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await exports.waitFor();

  // A new page: the tools' file does not arrive.
  mode = 'down';
  await page.reload();
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  await create.click();
  await page.getByRole('alert').filter({ hasText: 'That dialog did not arrive' }).waitFor();
  assert.equal(await dialog.isVisible(), false);
  assert.equal(await opening.count(), 0, 'nothing is said to be opening any more');
  // Back online: the same button asks again, and the dialog opens.
  mode = 'through';
  await create.click();
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  const broke = errors.problems.filter((p) => p.startsWith('pageerror') || p.includes('panicked'));
  assert.deepEqual(broke, [], 'the console broke');
  await context.close();
});
