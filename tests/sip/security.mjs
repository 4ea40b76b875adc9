// The SIP suite's Unban step (issue 18): an operator opens the console's
// Security page for the account (ACCOUNT) that banned SOURCE and clicks
// "Unban <SOURCE>"; the ban must leave the page. The suite then sends a
// REGISTER from SOURCE, which must be admitted at once.
// Before that, with the storm's real data: the Security page shows the
// storm's failures, a chart with its text equivalent and the ban; the
// credentials list has its Last seen column; each is axe-clean in both
// themes and fits a 390 px phone.
// Run by xtask/src/sip/security.rs with BASE_URL, FIRST_RUN, ACCOUNT, SOURCE.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, watchErrors } from '../browser.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe in the light and dark themes, and no overflow at 390 px. */
async function inspect(page, what) {
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
    // Evaluated through the DevTools protocol, which the page's CSP does not govern.
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    if (violations.length) throw new Error(`axe on ${what} (${theme}): ${violations.join('; ')}`);
  }
  await page.evaluate(() => { document.documentElement.dataset.theme = 'light'; });
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  if (overflow > 0) throw new Error(`${what} at 390 px is ${overflow} px too wide`);
  console.log(`# ${what}: axe-clean in both themes, fits 390 px`);
}

const { BASE_URL: base, FIRST_RUN, ACCOUNT, SOURCE } = process.env;
const firstRun = JSON.parse(readFileSync(FIRST_RUN, 'utf8'));
const browser = await launchChromium();
try {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  // The header's account switcher (an operator of several accounts).
  const account = page.getByLabel('Account', { exact: true });
  if (await account.count() && (await account.inputValue()) !== ACCOUNT) {
    await account.selectOption(ACCOUNT);
  }
  // The credentials list says when each credential was last used.
  await page.getByRole('columnheader', { name: 'Last seen' }).waitFor();
  await page.getByRole('cell', { name: /from \d/ }).first().waitFor();
  await inspect(page, 'the credentials list with last seen');
  await page.getByRole('link', { name: 'Security', exact: true }).first().click();
  await page.waitForURL(/\/security/);
  const unban = page.getByRole('button', { name: `Unban ${SOURCE}`, exact: true }).first();
  await unban.waitFor({ timeout: 10_000 });
  // The storm is in the recent failures, and the chart says so in words.
  const failures = page.getByRole('table', { name: /Recent failed authentications/ });
  await failures.getByRole('cell', { name: SOURCE, exact: true }).first().waitFor();
  const chart = page.getByRole('img', { name: /^[1-9][0-9]* failed authentications? in the last 24 hours/ });
  await chart.waitFor();
  console.log(`# the chart says: ${await chart.getAttribute('aria-label')}`);
  await inspect(page, 'the Security page with a storm and its ban');
  await unban.click();
  // A confirmation, if the page asks for one.
  const dialog = page.getByRole('dialog');
  const confirm = dialog.getByRole('button', { name: /^Unban/ });
  await Promise.race([
    confirm.waitFor({ timeout: 5_000 }).then(() => confirm.click()).catch(() => {}),
    unban.waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {}),
  ]);
  await unban.waitFor({ state: 'detached', timeout: 10_000 });
  console.log(`# the Security page no longer lists a ban of ${SOURCE}`);
  for (const p of errors.problems) console.log(`# ${p}`);
  errors.check(401); // the session probe before sign-in
} catch (e) {
  console.log(`# ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
