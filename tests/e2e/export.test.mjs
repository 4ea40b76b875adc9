// End to end: exports. An ACL's "Export entries (CSV)" downloads a file
// that the import dialog of another ACL takes as it is, leaving the two
// entries tables equal; the list pages export the account's credentials
// and ACLs. Through the proxy (config.json without "exports") no export
// button is shown. Cleans up everything it creates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { accountApi, launchChromium, watchErrors } from '../browser.mjs';

const base = process.env.BASE_URL;
const apiBase = process.env.API_URL || base;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const account = firstRun.account.auth_id;

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

const api = accountApi(apiBase, firstRun);

async function signIn(page) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
}

/** Clicks the button named `name` and returns the download: its file name and text. */
async function download(page, name) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** The text of every row of the entries table, in order. */
async function entryRows(page) {
  return page.locator('table.list tbody tr').evaluateAll((rows) => rows.map((r) => r.innerText));
}

test('an ACL exported as CSV imports into another unchanged; the lists export', async () => {
  const { exports } = await (await fetch(`${base}/config.json`)).json();
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page);

  if (!exports) {
    // Proxy mode: the provider has no export routes, so no button says it does.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'IP ACLs' }).click();
    await page.getByRole('heading', { name: 'IP access control lists' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Export/ }).count(), 0);
    // Nor API keys: the provider's account is not in the local store. The
    // operators are local, so their page stays.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Operators' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'API keys' }).count(), 0);
    await page.goto(`${base}/api-keys`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await context.close();
    errors.check(401);
    return;
  }

  const entries = [
    { ip: '203.0.113.10', description: 'Primary PBX' },
    { ip: '198.51.100.0', cidr_prefix: 24, description: 'Branch, "B" office' },
    { ip: '192.0.2.1', description: '=HYPERLINK("http://example.com")' },
    { ip: '2001:db8::', cidr_prefix: 32, description: '' },
  ];
  const source = await api('POST', 'SipAuth/IpAccessControlList/', { name: 'Export source', entries });
  assert.equal(source.status, 201);
  const target = await api('POST', 'SipAuth/IpAccessControlList/', { name: 'Export target' });
  assert.equal(target.status, 201);
  const [sourceId, targetId] = [source.body.ip_acl_uuid, target.body.ip_acl_uuid];

  // The source ACL's own page: its entries as the import's CSV.
  await page.goto(`${base}/acls/${sourceId}`);
  await page.getByRole('heading', { name: 'Export source' }).waitFor();
  const exported = await download(page, 'Export entries (CSV)');
  assert.match(exported.name, new RegExp(`^ip-acl-${sourceId}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  assert.match(exported.text, /^"ip","description"\r\n"203\.0\.113\.10\/32","Primary PBX"\r\n/);
  // A spreadsheet shows the formula as text.
  assert.ok(exported.text.includes(`"'=HYPERLINK(""http://example.com"")"`), exported.text);
  const sourceRows = await entryRows(page);
  assert.equal(sourceRows.length, entries.length);

  // Into the other ACL through its import dialog, as the file is.
  await page.goto(`${base}/acls/${targetId}`);
  await page.getByRole('heading', { name: 'Export target' }).waitFor();
  await page.getByRole('button', { name: 'Import entries' }).click();
  const importer = page.getByRole('dialog', { name: 'Import entries' });
  await importer.getByLabel('Entries, one per line').fill(exported.text);
  await importer.getByText('4 entries ready to import; 0 lines with errors.').waitFor();
  await importer.getByRole('button', { name: 'Import 4 entries' }).click();
  await page.getByRole('status').filter({ hasText: 'Imported 4 entries.' }).waitFor();
  await importer.getByRole('button', { name: 'Close' }).click();
  for (let i = 0; i < 100 && (await entryRows(page)).length < entries.length; i++) {
    await page.waitForTimeout(100);
  }
  assert.deepEqual(await entryRows(page), sourceRows);
  // And the target's export is the source's, byte for byte.
  assert.equal((await download(page, 'Export entries (CSV)')).text, exported.text);

  // The IP ACL list: every ACL, the name first.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'IP ACLs' }).click();
  await page.getByRole('heading', { name: 'IP access control lists' }).waitFor();
  const acls = await download(page, 'Export IP ACLs as CSV');
  assert.match(acls.name, new RegExp(`^ip-acls-${account}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  assert.ok(acls.text.startsWith('"acl","ip","description","created"\r\n'), acls.text);
  assert.ok(acls.text.includes('"Export target","203.0.113.10/32","Primary PBX"'), acls.text);
  const json = JSON.parse((await download(page, 'Export IP ACLs as JSON')).text);
  const names = json.ip_access_control_lists.map((a) => a.name);
  assert.ok(names.includes('Export source') && names.includes('Export target'), names.join());

  // The credentials page: every credential, never a secret.
  const user = `export${Date.now() % 100000}`;
  const created = await api('POST', 'SipAuth/Credential/', { username: user, password: 'Export-Secret-2026' });
  assert.equal(created.status, 201);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credentials' }).click();
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  const credentials = await download(page, 'Export credentials as CSV');
  assert.match(credentials.name, new RegExp(`^credentials-${account}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  assert.ok(credentials.text.includes(`"${user}"`), credentials.text);
  assert.ok(!credentials.text.includes('Export-Secret-2026'));
  const asJson = JSON.parse((await download(page, 'Export credentials as JSON')).text);
  assert.ok(asJson.credentials.some((c) => c.username === user));

  await context.close();
  for (const id of [sourceId, targetId]) {
    assert.equal((await api('DELETE', `SipAuth/IpAccessControlList/${id}/`)).status, 204);
  }
  assert.equal((await api('DELETE', `SipAuth/Credential/${created.body.credential_uuid}/`)).status, 204);
  // The session check before sign-in is a 401.
  errors.check(401);
});
