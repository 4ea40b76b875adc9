// The SIP suite's Unban step (issue 18): an operator opens the console's
// Security page for the account (ACCOUNT) that banned SOURCE and clicks
// "Unban <SOURCE>"; the ban must leave the page. The suite then sends a
// REGISTER from SOURCE, which must be admitted at once.
// Run by xtask/src/sip/security.rs with BASE_URL, FIRST_RUN, ACCOUNT, SOURCE.
import { readFileSync } from 'node:fs';
import { launchChromium, watchErrors } from '../browser.mjs';

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
  await page.getByRole('link', { name: 'Security', exact: true }).first().click();
  await page.waitForURL(/\/security/);
  const unban = page.getByRole('button', { name: `Unban ${SOURCE}`, exact: true }).first();
  await unban.waitFor({ timeout: 10_000 });
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
