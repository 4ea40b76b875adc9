// The audit log as the operator sees it, in each provider's dialect (run
// after dialects and navigation on the same fresh server by `cargo xtask
// test`): after the main flows (a credential created and re-passworded, an
// IP ACL created with an entry, renamed, filled by an import of 3 lines,
// deleted; the credential deleted), the Activity page shows each change
// with the operator as actor, an update expands to its before and after, a
// password change says "changed" and never the password, the import's lines
// share one batch id, the resource filter narrows the list and lives in
// the URL, the ACL's page has its history; axe in both themes, phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, watchErrors } from '../browser.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const base = process.env.BASE_URL;
const dialect = process.env.DIALECT || 'plivo';
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const artifacts = process.env.ARTIFACTS || 'tests/e2e/artifacts';
mkdirSync(artifacts, { recursive: true });
const operator = `operator:${firstRun.operator.username}`;
const aclLink = { plivo: 'IP ACLs', zentrunk: 'IP ACLs', twilio: 'IP access control lists' }[dialect];
const passwords = ['Wonderland-2026x', 'Looking-Glass-2027'];

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

async function openPage() {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  return { page, errors: watchErrors(page) };
}

/** axe-core on the page as it is now, in both themes; and its width on a phone. */
async function axe(page, what) {
  await page.evaluate(axeSource);
  for (const theme of ['light', 'dark']) {
    const result = await page.evaluate(async (t) => {
      document.documentElement.dataset.theme = t;
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }, theme);
    assert.deepEqual(result, [], `axe on ${what} (${theme})`);
  }
  await page.evaluate(() => { document.documentElement.dataset.theme = 'light'; });
  await page.setViewportSize({ width: 390, height: 844 });
  // The cards are labelled in the next frame.
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: `${artifacts}/activity-${dialect}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.ok(overflow <= 0, `${what} at 390 px is ${overflow} px too wide`);
}

/** The records on the page: actor, action, resource, name (Activity's columns). */
async function records(page) {
  return page.locator('table.list tbody tr.audit-record').evaluateAll((rows) => rows.map((r) => {
    const [actor, action, resource, name] = [...r.querySelectorAll('td')].map((td) => td.textContent.trim());
    return { actor, action, resource, name };
  }));
}

/** Waits until the shown records match: `{ some: {...} }` (a record with
 * those cells) or `{ every: {...} }` (every record has them). */
async function waitForRecords(page, want, what) {
  await page.waitForFunction((w) => {
    if (document.querySelector('p.count')?.textContent === 'Loading…') return false;
    const rows = [...document.querySelectorAll('table.list tbody tr.audit-record')].map((r) => {
      const [actor, action, resource, name] = [...r.querySelectorAll('td')].map((td) => td.textContent.trim());
      return { actor, action, resource, name };
    });
    const fits = (r, cells) => Object.entries(cells).every(([k, v]) => r[k] === v);
    return rows.length > 0 && (w.some ? rows.some((r) => fits(r, w.some)) : rows.every((r) => fits(r, w.every)));
  }, want, { timeout: 10_000 }).catch(async () => {
    assert.fail(`${what}: ${JSON.stringify(await records(page), null, 1)}`);
  });
}

/** The details of the record in `row` (a locator), expanded. */
async function expand(row) {
  const button = row.getByRole('button', { name: /^Details/ });
  await button.click();
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  const id = await button.getAttribute('aria-controls');
  const details = row.page().locator(`[id="${id}"]`);
  await details.waitFor();
  return details;
}

/** The batch id a record's details show ('' when none). */
async function batchOf(details) {
  const item = details.locator('dl.audit-meta div').filter({ has: details.page().locator('dt', { hasText: 'Batch' }) });
  return (await item.count()) ? (await item.locator('dd').textContent()).trim() : '';
}

test(`the Activity page shows who changed what, and each resource its history (${dialect})`, async (t) => {
  const { page, errors } = await openPage();
  t.after(() => page.screenshot({ path: `${artifacts}/activity-${dialect}-last.png`, fullPage: true }).catch(() => {}));
  await page.goto(`${base}/`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Activity' }).waitFor();

  // A credential: created, re-passworded (twilio's live in a list).
  if (dialect === 'twilio') {
    await page.getByRole('heading', { name: 'Credential lists' }).waitFor();
    await page.getByRole('button', { name: 'Create credential list' }).click();
    const list = page.getByRole('dialog', { name: 'Create credential list' });
    await list.getByLabel('Name').fill('Audit phones');
    await list.getByRole('button', { name: 'Create credential list' }).click();
    await page.getByRole('link', { name: 'Audit phones' }).click();
    await page.getByRole('heading', { name: 'Audit phones' }).waitFor();
    // The list's own page has its history.
    const listHistory = page.getByRole('region', { name: 'History' });
    await listHistory.getByRole('button', { name: 'History' }).click();
    await listHistory.locator('tr.audit-record').filter({ has: page.getByRole('cell', { name: 'created', exact: true }) })
      .filter({ has: page.getByRole('cell', { name: 'Audit phones', exact: true }) }).waitFor();
  } else {
    await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  }
  await page.getByRole('button', { name: 'Create credential' }).click();
  const create = page.getByRole('dialog', { name: 'Create credential' });
  await create.getByLabel('Username').fill('audit.user');
  await create.getByLabel('Password', { exact: true }).fill(passwords[0]);
  await create.getByRole('button', { name: 'Create credential' }).click();
  await page.getByRole('status').filter({ hasText: 'Created credential audit.user.' }).waitFor();
  await page.getByRole('button', { name: 'Change password of audit.user' }).click();
  const change = page.getByRole('dialog', { name: 'Change password of audit.user' });
  await change.getByLabel('New password').fill(passwords[1]);
  await change.getByRole('button', { name: 'Save new password' }).click();
  await page.getByRole('status').filter({ hasText: 'Changed the password of audit.user.' }).waitFor();
  const credentialsUrl = page.url();

  // An IP ACL: created with an entry, renamed, 3 lines imported; its page's
  // history lists those changes.
  let aclId;
  if (dialect !== 'vobiz') {
    await nav.getByRole('link', { name: aclLink }).click();
    await page.getByRole('heading', { name: 'IP access control lists' }).waitFor();
    await page.getByRole('button', { name: 'Create IP ACL' }).click();
    const createAcl = page.getByRole('dialog', { name: 'Create IP ACL' });
    await createAcl.getByLabel('Name').fill('Audit site');
    await createAcl.getByRole('button', { name: 'Create IP ACL' }).click();
    await page.getByRole('heading', { name: 'Audit site' }).waitFor();
    aclId = page.url().split('/').pop();
    await page.getByLabel('Address or range').fill('192.0.2.10');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await page.getByRole('status').filter({ hasText: 'Added 192.0.2.10/32.' }).waitFor();
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    const rename = page.getByRole('dialog', { name: /^Rename / });
    await rename.getByLabel('Name').fill('Audit site 2');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('heading', { name: 'Audit site 2', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Import entries' }).click();
    const importer = page.getByRole('dialog', { name: 'Import entries' });
    await importer.getByLabel('Entries, one per line').fill('198.51.100.1\n198.51.100.2,Branch\n198.51.100.3');
    await importer.getByRole('button', { name: 'Import 3 entries' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 3 entries.' }).waitFor();
    await importer.getByRole('button', { name: 'Close' }).click();

    // The ACL's history: closed, then its records, newest first.
    const history = page.getByRole('region', { name: 'History' });
    const toggle = history.getByRole('button', { name: 'History' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await history.locator('tr.audit-record').first().waitFor();
    const acted = await history.locator('tr.audit-record').evaluateAll((rows) => rows.map((r) => {
      const [actor, action] = [...r.querySelectorAll('td')].map((td) => td.textContent.trim());
      return `${actor} ${action}`;
    }));
    assert.ok(acted.includes(`${operator} created`), `history: ${acted}`);
    assert.ok(acted.includes(`${operator} changed`), `history: ${acted}`);
    assert.equal(acted.at(-1), `${operator} created`, 'oldest last');
    // What the ACL holds is in its history too: the imported entries.
    const names = await history.locator('tr.audit-record').evaluateAll((rows) => rows.map((r) => r.querySelectorAll('td')[3].textContent.trim()));
    for (const entry of ['198.51.100.1/32', '198.51.100.2/32', '198.51.100.3/32']) assert.ok(names.includes(entry), `history names: ${names}`);
    // The rename, before and after.
    const renamed = history.locator('tr.audit-record').filter({ has: page.getByRole('cell', { name: 'changed', exact: true }) }).first();
    const diff = await expand(renamed);
    const cells = await diff.locator('table.diff tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
    assert.ok(cells.some(([, b, a]) => b === 'Audit site' && a === 'Audit site 2'), JSON.stringify(cells));

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete Audit site 2?' }).getByRole('button', { name: /^Delete Audit site 2/ }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted IP ACL Audit site 2.' }).waitFor();
    await page.goto(credentialsUrl);
  }
  await page.getByRole('button', { name: 'Delete audit.user' }).click();
  await page.getByRole('dialog', { name: 'Delete audit.user?' }).getByRole('button', { name: /^Delete audit\.user/ }).click();
  await page.getByRole('status').filter({ hasText: 'Deleted credential audit.user.' }).waitFor();
  if (dialect === 'twilio') {
    // The account as it was found: the list goes too.
    await nav.getByRole('link', { name: 'Credential lists' }).click();
    await page.getByRole('button', { name: 'Delete Audit phones' }).click();
    await page.getByRole('dialog', { name: /^Delete Audit phones/ }).getByRole('button', { name: /^Delete Audit phones/ }).click();
    await page.getByRole('status').filter({ hasText: /^Deleted .*Audit phones/ }).waitFor();
  }

  // The Activity page: every change, by this operator, newest first.
  await nav.getByRole('link', { name: 'Activity' }).click();
  await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
  const has = (list, resource, action, name) => list.some((r) => r.resource === resource && r.action === action && (name === undefined || r.name === name));
  await waitForRecords(page, { some: { resource: 'Credential', action: 'deleted' } }, 'the credential deleted');
  const shown = await records(page);
  for (const [resource, action] of [['Credential', 'created'], ['Credential', 'changed'], ['Credential', 'deleted']]) {
    assert.ok(has(shown, resource, action, 'audit.user'), `${resource} ${action}: ${JSON.stringify(shown)}`);
  }
  if (dialect !== 'vobiz') {
    for (const [resource, action] of [['IP ACL', 'created'], ['IP ACL', 'changed'], ['IP ACL', 'deleted'], ['IP ACL entry', 'created']]) {
      assert.ok(has(shown, resource, action), `${resource} ${action}: ${JSON.stringify(shown)}`);
    }
  }
  // Other tests may share the account: only this test's records count.
  const names = ['audit.user', 'Audit site', 'Audit site 2', '192.0.2.10/32', '198.51.100.1/32', '198.51.100.2/32', '198.51.100.3/32'];
  const ours = shown.filter((r) => names.includes(r.name));
  assert.ok(ours.length >= (dialect === 'vobiz' ? 3 : 10), JSON.stringify(shown));
  assert.deepEqual([...new Set(ours.map((r) => r.actor))], [operator]);
  // Newest first: the credential's delete before its update, before its create.
  const at = (action) => shown.findIndex((r) => r.resource === 'Credential' && r.action === action);
  assert.ok(at('deleted') < at('changed') && at('changed') < at('created'), JSON.stringify(shown));

  // The password change: "changed", never a value.
  const changed = page.locator('tr.audit-record').filter({ has: page.getByRole('cell', { name: 'Credential', exact: true }) })
    .filter({ has: page.getByRole('cell', { name: 'changed', exact: true }) }).first();
  const passwordDetails = await expand(changed);
  const passwordRows = await passwordDetails.locator('table.diff tbody tr').allTextContents();
  assert.ok(passwordRows.includes('passwordchanged'), JSON.stringify(passwordRows));
  const text = await page.locator('main').textContent();
  for (const p of passwords) assert.ok(!text.includes(p), 'a password on the Activity page');

  await axe(page, `${dialect} Activity with a record expanded`);

  // The resource filter narrows the list, in the URL: Back undoes it.
  if (dialect !== 'vobiz') {
    await page.getByLabel('Resource').selectOption('ip-acl-entry');
    await page.waitForURL(/\/activity\?resource=ip-acl-entry$/);
    await waitForRecords(page, { every: { resource: 'IP ACL entry' } }, 'entries only');
    // The import's 3 lines share one batch; the entry added by hand has none.
    const entries = page.locator('tr.audit-record').filter({ has: page.getByRole('cell', { name: 'created', exact: true }) });
    const batches = [];
    for (let i = 0; i < 4; i++) batches.push(await batchOf(await expand(entries.nth(i))));
    assert.ok(batches[0] !== '' && batches[0] === batches[1] && batches[1] === batches[2], JSON.stringify(batches));
    assert.equal(batches[3], '', `the entry added by hand: ${batches[3]}`);
    assert.match(batches[0], /^[A-Za-z0-9-]{1,64}$/);
    await page.goBack();
    await page.waitForURL(/\/activity$/);
    await waitForRecords(page, { some: { resource: 'Credential' } }, 'every resource again');
    assert.equal(await page.getByLabel('Resource').inputValue(), '');
  }

  // The account filter offers the session's accounts; one narrows to it.
  const accountId = firstRun.account.auth_id;
  // (The header's account switcher has the same label.)
  const accountFilter = page.getByRole('search', { name: 'Filter the activity' }).getByLabel('Account');
  await accountFilter.selectOption(accountId);
  await page.waitForURL(new RegExp(`/activity\\?account=${accountId}$`));
  await waitForRecords(page, { some: { resource: 'Credential' } }, 'the account\'s records');
  await page.goBack();
  await page.waitForURL(/\/activity$/);
  assert.equal(await accountFilter.inputValue(), '');

  // A filter that keeps nothing says what it was.
  await page.getByLabel('Actor').fill('cli-nobody');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No activity matches actor \u201ccli-nobody\u201d.').waitFor();
  // A refused filter is said beside its input.
  await page.getByLabel('Actor').fill('x'.repeat(201));
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const refusal = page.locator('#activity-actor-error');
  await refusal.filter({ hasText: 'at most 200 characters' }).waitFor();
  assert.match(await page.getByLabel('Actor').getAttribute('aria-describedby'), /activity-actor-error/);
  assert.equal(await page.getByLabel('Actor').getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForURL(/\/activity$/);
  await refusal.waitFor({ state: 'detached' });

  // The download: every record the filter keeps, never a password.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^audit-\d{4}-\d\d-\d\d\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.includes('audit.user'), csv.slice(0, 400));
  for (const p of passwords) assert.ok(!csv.includes(p), 'a password in the CSV');

  await page.context().close();
  // 401: the session probe before sign-in; 400: the refused filter.
  errors.check(401, 400);
});
