// End to end: the release console served by the real server, driven in
// Debian's Chromium the way an operator uses it. Started by `cargo xtask test`
// with BASE_URL (the server) and FIRST_RUN (its first-run.json).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { launchChromium, watchErrors } from '../browser.mjs';

const base = process.env.BASE_URL;
// Direct API checks go to the server that holds the data (the provider when
// the console runs through the proxy).
const apiBase = process.env.API_URL || base;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const artifacts = process.env.ARTIFACTS || 'tests/e2e/artifacts';
mkdirSync(artifacts, { recursive: true });

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

/** A new page whose console errors and uncaught exceptions are recorded. */
async function openPage() {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  return { page, errors: watchErrors(page) };
}

async function signIn(page) {
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.match(page.url(), /\/sign-in$/);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
}

async function bodyRows(page) {
  return page.locator('table.list tbody tr').evaluateAll((rows) =>
    rows.map((r) => r.querySelector('th').textContent));
}

async function waitForRows(page, expected) {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('table.list tbody tr th')].map((th) => th.textContent);
    return JSON.stringify(got) === JSON.stringify(want);
  }, expected, { timeout: 10_000 }).catch(async () => {
    assert.deepEqual(await bodyRows(page), expected);
  });
}

async function createCredential(page, username, password) {
  await page.getByRole('button', { name: 'Create credential' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create credential' });
  await dialog.getByLabel('Username').fill(username);
  await dialog.getByLabel('Password', { exact: true }).fill(password);
  await dialog.getByRole('button', { name: 'Create credential' }).click();
  return dialog;
}

test('a wrong operator password is refused with a clear message', async () => {
  const { page, errors } = await openPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill('Not-The-Password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
  // What was typed is kept.
  assert.equal(await page.getByLabel('Operator username').inputValue(), firstRun.operator.username);
  await page.context().close();
  errors.check(401);
});

test('past ten failed sign-ins the address waits, the right password too, then signs in', async () => {
  // A guesser at this address, under another name (the operator's own name
  // keeps its budget).
  const statuses = [];
  while (statuses.length < 12 && statuses.at(-1) !== 429) {
    const r = await fetch(`${base}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'guess.er', password: `Guess-${statuses.length}-2026` }),
    });
    statuses.push(r.status);
  }
  assert.equal(statuses.at(-1), 429, `refused after the failures: ${statuses}`);
  assert.ok(statuses.filter((s) => s === 401).length >= 2, `failures were answered: ${statuses}`);

  const { page, errors } = await openPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert').filter({ hasText: /Too many sign-in attempts: wait \d+ seconds and try again\./ });
  await alert.waitFor();
  const wait = Number((await alert.textContent()).match(/wait (\d+) seconds/)[1]);
  assert.ok(wait >= 1 && wait <= 6, `told to wait ${wait} s`);
  assert.equal(await page.getByLabel('Operator username').inputValue(), firstRun.operator.username);
  assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), firstRun.operator.password, 'the password is kept to try again');
  // After the wait, the same form signs in.
  await page.waitForTimeout(wait * 1000 + 200);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  await page.context().close();
  // 401: the session probe before sign-in.
  errors.check(401, 429);
});

test('an operator creates, finds, re-passwords and deletes credentials', async () => {
  const { page, errors } = await openPage();
  await signIn(page);
  await page.getByText('No credentials yet.').waitFor();

  // Live validation from crates/model, tied to the field.
  await page.getByRole('button', { name: 'Create credential' }).click();
  const create = page.getByRole('dialog', { name: 'Create credential' });
  const username = create.getByLabel('Username');
  await username.fill('ab');
  const usernameError = create.locator('#new-username-error');
  await usernameError.filter({ hasText: 'Username: it has 2 characters; 1 more needed.' }).waitFor();
  assert.match(await username.getAttribute('aria-describedby'), /new-username-error/);
  assert.equal(await username.getAttribute('aria-invalid'), 'true');
  // Escape closes the dialog.
  await page.keyboard.press('Escape');
  await create.waitFor({ state: 'hidden' });

  const dialog = await createCredential(page, 'alice.desk', 'Wonderland-2026x');
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('status').filter({ hasText: 'Created credential alice.desk.' }).waitFor();
  await createCredential(page, 'bob.desk', 'Builder-Bob-2026');
  await page.getByRole('status').filter({ hasText: 'Created credential bob.desk.' }).waitFor();
  await waitForRows(page, ['alice.desk', 'bob.desk']);

  // Sort by a column heading, kept in the URL: ascending, descending, then
  // back to creation order.
  const byUsername = page.getByRole('button', { name: 'Username' });
  await byUsername.click();
  assert.equal(await page.getByRole('columnheader', { name: 'Username' }).getAttribute('aria-sort'), 'ascending');
  await byUsername.click();
  await waitForRows(page, ['bob.desk', 'alice.desk']);
  assert.equal(await page.getByRole('columnheader', { name: 'Username' }).getAttribute('aria-sort'), 'descending');
  assert.match(page.url(), /\?sort=-username$/);
  await byUsername.click();
  await waitForRows(page, ['alice.desk', 'bob.desk']);
  assert.equal(await page.getByRole('columnheader', { name: 'Username' }).getAttribute('aria-sort'), 'none');
  assert.doesNotMatch(page.url(), /sort=/);

  // A duplicate username: explained beside the field, what was typed kept.
  const dup = await createCredential(page, 'alice.desk', 'Another-Pass-2026');
  await dup.locator('#new-username-error').filter({ hasText: "a credential with username 'alice.desk' already exists" }).waitFor();
  assert.equal(await dup.getByLabel('Username').inputValue(), 'alice.desk');
  await dup.getByRole('button', { name: 'Cancel' }).click();
  await dup.waitFor({ state: 'hidden' });

  // Search, kept in the URL.
  await page.getByLabel('Search by username').fill('bob');
  await waitForRows(page, ['bob.desk']);
  assert.match(page.url(), /\?q=bob$/);
  await page.reload();
  await waitForRows(page, ['bob.desk']);
  assert.equal(await page.getByLabel('Search by username').inputValue(), 'bob');

  // Change the password, by keyboard: the generator's output passes the policy.
  await page.getByRole('button', { name: 'Change password of bob.desk' }).focus();
  await page.keyboard.press('Enter');
  const change = page.getByRole('dialog', { name: 'Change password of bob.desk' });
  const newPassword = change.getByLabel('New password');
  await newPassword.fill('weak');
  await change.locator('#changed-password-error').filter({ hasText: 'it has 4 characters' }).waitFor();
  await change.getByRole('button', { name: 'Generate password' }).click();
  const generated = await newPassword.inputValue();
  assert.equal(generated.length, 20);
  assert.match(generated, /[A-Z]/);
  assert.match(generated, /[a-z]/);
  assert.match(generated, /[0-9]/);
  assert.equal(await change.locator('#changed-password-error').textContent(), '');
  await change.getByRole('button', { name: 'Save new password' }).click();
  await page.getByRole('status').filter({ hasText: 'Changed the password of bob.desk.' }).waitFor();
  await change.waitFor({ state: 'hidden' });
  // Generated: shown once more, to save.
  const saveChanged = page.getByRole('dialog', { name: 'Save the password of bob.desk now' });
  assert.equal(await saveChanged.locator('code').textContent(), generated);
  await saveChanged.getByRole('button', { name: 'I have saved it' }).click();
  await saveChanged.waitFor({ state: 'hidden' });

  // The server really took it: the API answers with the account's token.
  const auth = 'Basic ' + Buffer.from(`${firstRun.account.auth_id}:${firstRun.account.auth_token}`).toString('base64');
  const api = await fetch(`${apiBase}/v1/Account/${firstRun.account.auth_id}/SipAuth/Credential/?username=bob`, { headers: { authorization: auth } });
  const listed = await api.json();
  assert.deepEqual(listed.objects.map((o) => o.username), ['bob.desk']);

  // Delete, confirmed in a dialog that names it.
  await page.getByLabel('Search by username').fill('');
  await waitForRows(page, ['alice.desk', 'bob.desk']);
  await page.getByRole('button', { name: 'Delete alice.desk' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete alice.desk?' });
  await confirm.getByRole('button', { name: 'Delete alice.desk' }).click();
  await page.getByRole('status').filter({ hasText: 'Deleted credential alice.desk.' }).waitFor();
  await waitForRows(page, ['bob.desk']);

  await page.screenshot({ path: `${artifacts}/credentials.png`, fullPage: true });
  // Nothing secret in browser storage.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(firstRun.operator.password));
  assert.equal(stored, '{}{}');

  // Leave the account empty for the next run (through the proxy).
  await page.getByRole('button', { name: 'Delete bob.desk' }).click();
  await page.getByRole('dialog', { name: 'Delete bob.desk?' }).getByRole('button', { name: 'Delete bob.desk' }).click();
  await page.getByText('No credentials yet.').waitFor();

  // Sign out ends the session.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.goto(`${base}/credentials`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.context().close();
  // 401: the session probe before sign-in; 409: the duplicate above.
  errors.check(401, 409);
});

test('a generated password is copied, shown once more to save, then forgotten', async () => {
  const { page, errors } = await openPage();
  await signIn(page);
  await page.getByText('No credentials yet.').waitFor();
  await page.getByRole('button', { name: 'Create credential' }).click();
  const create = page.getByRole('dialog', { name: 'Create credential' });
  await create.getByLabel('Username').fill('gen.user');
  // A hidden, typed password offers no copy; a generated one does.
  await create.getByLabel('Password', { exact: true }).fill('Typed-Secret-2026');
  assert.equal(await create.getByRole('button', { name: 'Copy password' }).count(), 0);
  await create.getByRole('button', { name: 'Generate password' }).click();
  const password = await create.getByLabel('Password', { exact: true }).inputValue();
  assert.equal(password.length, 20);
  await create.getByRole('button', { name: 'Copy password' }).click();
  await page.getByRole('status').filter({ hasText: 'Copied the password.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password);
  // The toast names what was copied, never the value.
  assert.ok(!(await page.getByRole('status').allTextContents()).some((t) => t.includes(password)));
  await create.getByRole('button', { name: 'Create credential' }).click();

  // "Save it now": the password once more, with Copy; it cannot be shown again.
  const save = page.getByRole('dialog', { name: 'Save the password of gen.user now' });
  await save.getByText('it cannot be shown again').waitFor();
  assert.equal(await save.locator('code').textContent(), password);
  await save.getByRole('button', { name: 'Copy password' }).waitFor();
  await save.getByRole('button', { name: 'I have saved it' }).click();
  await save.waitFor({ state: 'hidden' });
  await waitForRows(page, ['gen.user']);
  assert.ok(!(await page.content()).includes(password), 'the password is gone from the page');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(password));

  // Leave the account empty for the next run.
  await page.getByRole('button', { name: 'Delete gen.user' }).click();
  await page.getByRole('dialog', { name: 'Delete gen.user?' }).getByRole('button', { name: 'Delete gen.user' }).click();
  await page.getByText('No credentials yet.').waitFor();
  await page.context().close();
  // 401: the session probe before sign-in.
  errors.check(401);
});
