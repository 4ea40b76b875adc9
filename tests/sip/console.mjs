// The SIP suite's browser step: an operator adds an entry to an IP ACL in
// the console served by the suite's server (the one Kamailio reads), and
// the page must then say what the SIP server did with it (EXPECT).
// Run by xtask/src/sip.rs with BASE_URL, FIRST_RUN, ACL_ID and ADDRESS.
import { readFileSync } from 'node:fs';
import { launchChromium } from '../browser.mjs';

const { BASE_URL: base, FIRST_RUN, ACL_ID, ADDRESS, EXPECT } = process.env;
const firstRun = JSON.parse(readFileSync(FIRST_RUN, 'utf8'));
const browser = await launchChromium();
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  await page.goto(`${base}/acls/${ACL_ID}`);
  await page.getByLabel('Address or range').fill(ADDRESS);
  await page.getByRole('button', { name: 'Add entry' }).click();
  await page.getByRole('status').filter({ hasText: `Added ${ADDRESS}.` }).waitFor();
  const notice = page.getByRole('status').filter({ hasText: 'SIP server:' });
  await notice.filter({ hasText: EXPECT }).waitFor({ timeout: 10_000 });
  console.log(`# the page says: ${await notice.textContent()}`);
} catch (e) {
  console.log(`# ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
