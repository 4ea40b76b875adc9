// End to end: IP ACLs with their entries, the IP tester, applications and
// where-used, against the release console on the real server. Cleans up
// everything it creates, so the other files see an empty account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { accountApi, launchChromium, watchErrors } from '../browser.mjs';

const base = process.env.BASE_URL;
// Direct API checks go to the server that holds the data (the provider when
// the console runs through the proxy).
const apiBase = process.env.API_URL || base;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const artifacts = process.env.ARTIFACTS || 'tests/e2e/artifacts';
mkdirSync(artifacts, { recursive: true });
const account = firstRun.account.auth_id;

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

const api = accountApi(apiBase, firstRun);

async function rowNames(page) {
  return page.locator('table.list tbody tr th').allTextContents();
}

async function waitUntil(fn, what) {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('IP ACL entries, import, tester, applications and unassign-then-delete', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);

  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();

  // Create an ACL: the console opens it to add entries.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'IP ACLs' }).click();
  await page.getByRole('heading', { name: 'IP access control lists' }).waitFor();
  await page.getByRole('button', { name: 'Create IP ACL' }).click();
  const create = page.getByRole('dialog', { name: 'Create IP ACL' });
  await create.getByLabel('Name').fill('   ');
  await create.getByRole('button', { name: 'Create IP ACL' }).click();
  await create.locator('#acl-name-error').filter({ hasText: 'Name: it is only spaces.' }).waitFor();
  await create.getByLabel('Name').fill('Office');
  await create.getByRole('button', { name: 'Create IP ACL' }).click();
  await page.getByRole('heading', { name: 'Office' }).waitFor();
  assert.match(page.url(), /\/acls\/[0-9a-f-]{36}$/);

  // Live validation and the host-bits fix before anything is sent.
  const address = page.getByLabel('Address or range');
  await address.fill('10.0.0.0/33');
  await page.locator('#entry-address-error').filter({ hasText: 'Address: 33 is out of range for an IPv4 address (0–32).' }).waitFor();
  assert.equal(await address.getAttribute('aria-invalid'), 'true');
  await address.fill('203.0.113.10/24');
  await page.getByText('Warning: host bits set; the network is 203.0.113.0/24.').waitFor();
  await page.getByRole('button', { name: 'Use 203.0.113.0/24' }).click();
  assert.equal(await address.inputValue(), '203.0.113.0/24');
  await page.getByLabel('Description (optional)').fill('Primary PBX');
  await page.getByRole('button', { name: 'Add entry' }).click();
  await page.getByRole('status').filter({ hasText: 'Added 203.0.113.0/24.' }).waitFor();
  await waitUntil(async () => (await rowNames(page)).includes('203.0.113.0/24'), 'the new entry');
  assert.equal(await address.inputValue(), '');

  // A v6 entry too.
  await address.fill('2001:db8::/32');
  await page.getByLabel('Description (optional)').fill('v6 office');
  await page.getByRole('button', { name: 'Add entry' }).click();
  await page.getByRole('status').filter({ hasText: 'Added 2001:db8::/32.' }).waitFor();
  await waitUntil(async () => (await rowNames(page)).includes('2001:db8::/32'), 'the v6 entry');

  // Bulk import of 10 lines, 2 bad: errors per line before anything is sent.
  await page.getByRole('button', { name: 'Import entries' }).click();
  const importer = page.getByRole('dialog', { name: 'Import entries' });
  await importer.getByLabel('Entries, one per line').fill([
    '10.0.0.0/8,Core', '10.1.2.0/24', '203.0.113.256', '203.0.113.0/24, again', '192.0.2.1',
    '192.0.2.2', '2001:db8:1::/48', '198.51.100.0/24,Branch', '172.16.0.0/12', '172.16.5.0/24',
  ].join('\n'));
  await importer.getByText('8 entries ready to import; 1 line with errors.').waitFor();
  await importer.getByText('Line 3: address: "203.0.113.256" is not an IP address: 256 is above 255').waitFor();
  await importer.getByText('Line 4: 203.0.113.0/24 is already in this ACL').waitFor();
  // Warnings too, as adding by hand gives them.
  await importer.getByText('Line 2 (10.1.2.0/24): redundant: line 1 (10.0.0.0/8) already admits it.').waitFor();
  await importer.getByRole('button', { name: 'Import 8 entries' }).click();
  await importer.getByText('Imported 8 of 8').waitFor();
  await page.getByRole('status').filter({ hasText: 'Imported 8 entries.' }).waitFor();
  // The outcome, not a rerun preview calling every added line a duplicate.
  await importer.getByText('8 entries added.').waitFor();
  assert.equal(await importer.getByLabel('Entries, one per line').inputValue(), '');
  assert.equal(await importer.getByText('already in this ACL').count(), 0);
  await importer.getByRole('button', { name: 'Close' }).click();
  await waitUntil(async () => (await rowNames(page)).length === 10, 'ten entries');
  // Overlaps are shown beside the entries they concern.
  await page.getByRole('row', { name: /10\.1\.2\.0\/24/ }).getByText('redundant: Core (10.0.0.0/8) already admits it').waitFor();
  await page.getByRole('row', { name: /2001:db8:1::\/48/ }).getByText('redundant: v6 office (2001:db8::/32) already admits it').waitFor();
  await page.getByRole('row', { name: /172\.16\.5\.0\/24/ }).getByText('redundant: 172.16.0.0/12').waitFor();
  // And before adding one.
  await address.fill('10.9.0.0/16');
  await page.getByText('Warning: redundant: Core (10.0.0.0/8) already admits it.').waitFor();
  await address.fill('');

  // Remove, confirmed.
  await page.getByRole('button', { name: 'Remove 10.1.2.0/24' }).click();
  await page.getByRole('dialog', { name: 'Remove 10.1.2.0/24?' }).getByRole('button', { name: 'Remove 10.1.2.0/24' }).click();
  await page.getByRole('status').filter({ hasText: 'Removed 10.1.2.0/24.' }).waitFor();
  await waitUntil(async () => (await rowNames(page)).length === 9, 'nine entries');
  await page.screenshot({ path: `${artifacts}/acl-detail.png`, fullPage: true });

  // The IP tester across every ACL, most specific first.
  await page.getByRole('link', { name: 'IP access control lists' }).click();
  await page.getByRole('row', { name: /Office/ }).getByText('9 of 50').waitFor();
  await page.getByLabel('Address to test').fill('10.1.2.3');
  await page.getByRole('button', { name: 'Find admitting entries' }).click();
  await page.getByText('Admitted by 1 entry, most specific first:').waitFor();
  await page.getByText('Office: 10.0.0.0/8 (Core)').waitFor();
  // Each match links to its ACL.
  const officeLink = page.locator('#tester-result').getByRole('link', { name: 'Office' });
  assert.match(await officeLink.getAttribute('href'), /^\/acls\/[0-9a-f-]{36}$/);
  await page.getByLabel('Address to test').fill('192.0.2.77');
  await page.getByRole('button', { name: 'Find admitting entries' }).click();
  await page.getByText('No entry of any IP ACL admits 192.0.2.77.').waitFor();

  // The list filter, in the browser: names, notes, and whole addresses.
  const filter = page.getByLabel('Search by name or address');
  await filter.fill('10.1.2.3');
  await page.getByRole('row', { name: /Office/ }).waitFor();
  assert.match(page.url(), /\?q=10\.1\.2\.3$/);
  await filter.fill('192.0.2.77');
  await page.getByText('No IP ACL\'s name, entries or notes match \u201c192.0.2.77\u201d.').waitFor();
  await filter.fill('primary pbx');
  await page.getByRole('row', { name: /Office/ }).waitFor();
  await filter.fill('');

  // An application secured by a credential and the ACL, picked by name.
  const cred = await api('POST', 'SipAuth/Credential/', { username: 'trunk.pbx', password: 'Trunk-Passw0rd-26' });
  assert.equal(cred.status, 201);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
  await page.getByText('No applications yet.').waitFor();
  await page.getByRole('button', { name: 'Create application' }).click();
  const form = page.getByRole('dialog', { name: 'Create application' });
  await form.getByLabel('Name').fill('Support line');
  await form.getByLabel('Answer URL (optional)').fill('ftp://example.com');
  await form.locator('#app-answer-url-error').filter({ hasText: 'does not start with http:// or https://' }).waitFor();
  await form.getByLabel('Answer URL (optional)').fill('https://example.com/answer');
  await form.getByLabel('SIP authentication').selectOption('credential_and_ip_acl');
  await form.getByRole('button', { name: 'Create application' }).click();
  await form.getByText('Credential: pick the credential callers must present.').waitFor();
  await form.getByLabel('Credential', { exact: true }).selectOption({ label: 'trunk.pbx' });
  await form.getByLabel('IP ACL').selectOption({ label: 'Office' });
  await form.getByRole('button', { name: 'Create application' }).click();
  await page.getByRole('status').filter({ hasText: 'Created application Support line.' }).waitFor();
  const appRow = page.getByRole('row', { name: /Support line/ });
  await appRow.getByText('Credential and IP ACL').waitFor();
  await appRow.getByRole('cell', { name: 'trunk.pbx', exact: true }).waitFor();
  // What the setting admits, in words, beside it.
  await appRow.getByText('Calls to this address must come from an address in Office and authenticate as trunk.pbx (both).').waitFor();
  await appRow.getByRole('link', { name: 'Office' }).waitFor();

  // Where-used on the credential, and unassign-then-delete.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credentials' }).click();
  await page.getByRole('row', { name: /trunk\.pbx/ }).getByText('Support line').waitFor();
  await page.getByRole('button', { name: 'Delete trunk.pbx' }).click();
  const del = page.getByRole('dialog', { name: 'Delete trunk.pbx?' });
  await del.getByText('Support line keeps its IP ACL.').waitFor();
  await del.getByRole('button', { name: 'Unassign and delete trunk.pbx' }).click();
  await page.getByRole('status').filter({ hasText: 'Deleted credential trunk.pbx.' }).waitFor();
  const apps = await api('GET', 'Application/');
  assert.equal(apps.body.objects[0].sip_auth_type, 'ip_acl');
  assert.equal(apps.body.objects[0].credential_uuid, null);

  // The ACL page knows Support line uses Office; Night line is assigned
  // behind its back, so the delete meets a 409, which is explained.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'IP ACLs' }).click();
  await page.getByRole('row', { name: /Office/ }).getByText('Support line').waitFor();
  const acl = (await api('GET', 'SipAuth/IpAccessControlList/')).body.objects[0].ip_acl_uuid;
  const night = await api('POST', 'Application/', { app_name: 'Night line', sip_auth_type: 'ip_acl', ip_acl_uuid: acl });
  assert.equal(night.status, 201);
  await page.getByRole('button', { name: 'Delete Office' }).click();
  const delAcl = page.getByRole('dialog', { name: 'Delete Office?' });
  await delAcl.getByRole('note').filter({ hasText: 'Support line is left without SIP authentication: it will accept calls from any address.' }).waitFor();
  await delAcl.getByRole('button', { name: 'Unassign and delete Office' }).click();
  await delAcl.getByRole('alert').filter({ hasText: 'This IP ACL is currently assigned to an application.' }).waitFor();
  await delAcl.getByText('Night line is left without SIP authentication: it will accept calls from any address.').waitFor();
  await delAcl.getByRole('button', { name: 'Unassign and delete Office' }).click();
  await page.getByRole('status').filter({ hasText: 'Deleted IP ACL Office.' }).waitFor();
  await page.getByText('No IP ACLs yet.').waitFor();

  // Finally the applications themselves.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
  for (const name of ['Support line', 'Night line']) {
    await page.getByRole('row', { name: new RegExp(name) }).getByText('None').waitFor();
    await page.getByRole('button', { name: `Delete ${name}` }).click();
    await page.getByRole('dialog', { name: `Delete ${name}?` }).getByRole('button', { name: `Delete ${name}` }).click();
    await page.getByRole('status').filter({ hasText: `Deleted application ${name}.` }).waitFor();
  }
  await page.getByText('No applications yet.').waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.equal(stored, '{}{}');

  await context.close();
  errors.check(401, 409);
});
