// The registrations view's paint for `cargo xtask bench` (issue 18; never
// asserted): signed in as the first-run operator, in account ACCOUNT, on
// the Domains page, the click on DOMAIN's "Registrations" disclosure to
// COUNT rows of registered contacts in the DOM and to the frame after
// (measured in the page: the click event's timeStamp, a MutationObserver,
// requestAnimationFrame); and the endpoint behind it, timed with fetch in
// the page. Prints one JSON line of medians in milliseconds.
import { readFileSync } from 'node:fs';
import { launchChromium } from '../tests/browser.mjs';

const { BASE_URL: base, FIRST_RUN, ACCOUNT, DOMAIN, SID } = process.env;
const COUNT = Number(process.env.COUNT || 1000);
const RUNS = Number(process.env.RUNS || 5);
const firstRun = JSON.parse(readFileSync(FIRST_RUN, 'utf8'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;
const ROWS = 'table.registrations tbody tr';

const browser = await launchChromium();
let page;
let step = 'start';
try {
  page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const domains = page.getByRole('link', { name: 'Domains', exact: true }).first();
  step = 'signed in';
  await domains.waitFor();
  const account = page.getByLabel('Account', { exact: true });
  if (await account.count() && (await account.inputValue()) !== ACCOUNT) {
    await account.selectOption(ACCOUNT);
  }

  // The endpoint, with the page's session.
  const api = await page.evaluate(async ([account, sid, runs]) => {
    const times = [];
    let rows = 0;
    for (let i = 0; i < runs + 1; i++) {
      const t = performance.now();
      const r = await fetch(`/console/accounts/${account}/sip/registrations?domain=${sid}`);
      const body = await r.json();
      if (i > 0) times.push(performance.now() - t);
      rows = body.registrations.length;
    }
    return { times, rows };
  }, [ACCOUNT, SID, RUNS]);

  await domains.click();
  await page.waitForURL(/\/domains/);
  const escaped = DOMAIN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const toggle = page.getByRole('button', { name: new RegExp(`Registrations\\s*at ${escaped}$`) });
  step = 'the domain\'s Registrations disclosure';
  await toggle.waitFor();
  const dom = [];
  const frame = [];
  // One unmeasured opening warms the wasm paths.
  for (let i = 0; i < RUNS + 1; i++) {
    await page.evaluate(([sel, n]) => {
      const b = { clickAt: NaN, rowsAt: NaN, frameAt: NaN };
      window.__reg = b;
      document.addEventListener('click', (e) => { if (Number.isNaN(b.clickAt)) b.clickAt = e.timeStamp; }, { capture: true, once: true });
      const mo = new MutationObserver(() => {
        if (Number.isNaN(b.rowsAt) && document.querySelectorAll(sel).length >= n) {
          b.rowsAt = performance.now();
          mo.disconnect();
          requestAnimationFrame(() => { b.frameAt = performance.now(); });
        }
      });
      mo.observe(document, { subtree: true, childList: true });
    }, [ROWS, COUNT]);
    await toggle.click();
    await page.waitForFunction(() => !Number.isNaN(window.__reg.frameAt), null, { timeout: 60_000 });
    const r = await page.evaluate(() => window.__reg);
    if (i > 0) {
      dom.push(r.rowsAt - r.clickAt);
      frame.push(r.frameAt - r.clickAt);
    }
    await toggle.click();
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 0, ROWS);
  }
  console.log(JSON.stringify({
    rows: api.rows,
    api: round(median(api.times)),
    view_dom: round(median(dom)),
    view_frame: round(median(frame)),
  }));
} catch (e) {
  console.log(`# ${step}: ${e.message.split('\n')[0]}`);
  if (process.env.SCREENSHOT) await page?.screenshot({ path: process.env.SCREENSHOT, fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
