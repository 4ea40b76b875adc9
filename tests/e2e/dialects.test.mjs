// One scenario, four configs: `cargo xtask test` starts a fresh server with
// `--dialect $DIALECT` for each provider and runs this file against it. The
// operator creates a credential, is held to that provider's password rule,
// changes the password, and deletes it; the provider's own API is asked
// whether each change happened. Then what only that provider has: twilio
// credential lists and domain mappings, zentrunk trunks (and the warning
// before a delete breaks one), vobiz's enabled toggle, plivo applications;
// each entry point's SIP address (copied) and what it admits, in words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, watchErrors } from '../browser.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const base = process.env.BASE_URL;
const dialect = process.env.DIALECT;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const artifacts = process.env.ARTIFACTS || 'tests/e2e/artifacts';
mkdirSync(artifacts, { recursive: true });
const { auth_id: account, auth_token: token } = firstRun.account;

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

async function openPage() {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  return { page, errors: watchErrors(page) };
}

/** The provider's own API, with the account's token in that provider's way. */
async function providerApi(path) {
  const headers = dialect === 'vobiz'
    ? { 'x-auth-id': account, 'x-auth-token': token }
    : { authorization: 'Basic ' + Buffer.from(`${account}:${token}`).toString('base64') };
  const r = await fetch(`${base}${path}`, { headers });
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return r.json();
}

/** A write through the provider's own API (JSON; Basic auth). */
async function providerWrite(method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(`${account}:${token}`).toString('base64') },
    body: body && JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

/** Copies an entry point's SIP address with its button: the toast says so and
 * the clipboard has it. */
async function copyAddress(page, owner, uri) {
  await page.getByRole('button', { name: `Copy SIP address of ${owner}` }).click();
  await page.getByRole('status').filter({ hasText: `Copied ${uri}.` }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), uri);
}

/** Usernames as the provider's API lists them. */
async function apiUsernames(listSid) {
  switch (dialect) {
    case 'plivo': return (await providerApi(`/v1/Account/${account}/SipAuth/Credential/`)).objects.map((o) => o.username);
    case 'zentrunk': return (await providerApi(`/v1/Account/${account}/Zentrunk/Credential/`)).objects.map((o) => o.username);
    case 'vobiz': return (await providerApi(`/api/v1/account/${account}/credentials`)).objects.map((o) => o.username);
    case 'twilio': return (await providerApi(`/2010-04-01/Accounts/${account}/SIP/CredentialLists/${listSid}/Credentials.json`)).credentials.map((o) => o.username);
  }
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
  // On a phone, nothing but a table's own scroller may be wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.ok(overflow <= 0, `${what} at 390 px is ${overflow} px too wide`);
}

async function rows(page) {
  return page.locator('table.list tbody tr th').allTextContents();
}

async function waitForRows(page, expected) {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('table.list tbody tr th')].map((th) => th.textContent);
    return JSON.stringify(got) === JSON.stringify(want);
  }, expected, { timeout: 10_000 }).catch(async () => {
    assert.deepEqual(await rows(page), expected);
  });
}

/** Creates an IP ACL with one entry through the console's ACL pages. */
async function createAcl(page, nav, name, address) {
  await nav.getByRole('link', { name: navigation[dialect][1] }).click();
  await page.getByRole('heading', { name: 'IP access control lists' }).waitFor();
  await page.getByRole('button', { name: 'Create IP ACL' }).click();
  const create = page.getByRole('dialog', { name: 'Create IP ACL' });
  await create.getByLabel('Name').fill(name);
  await create.getByRole('button', { name: 'Create IP ACL' }).click();
  await page.getByRole('heading', { name }).waitFor();
  await page.getByLabel('Address or range').fill(address);
  await page.getByRole('button', { name: 'Add entry' }).click();
  await page.getByRole('status').filter({ hasText: `Added ${address}.` }).waitFor();
  return page.url().split('/').pop();
}

const navigation = {
  plivo: ['Credentials', 'IP ACLs', 'Applications', 'Activity'],
  zentrunk: ['Credentials', 'IP ACLs', 'Trunks', 'Activity'],
  twilio: ['Credential lists', 'IP access control lists', 'Domains', 'Activity'],
  vobiz: ['Credentials', 'Activity'],
};

// A password each provider refuses, what is wrong with it, and its rule.
const mixed = '12–128 characters, with an uppercase letter, a lowercase letter and a digit';
const weak = {
  plivo: ['alllowercase12', 'uppercase', mixed],
  zentrunk: ['alllowercase12', 'uppercase', mixed],
  twilio: ['alllowercase12', 'uppercase', mixed],
  vobiz: ['short7', 'it has 6 characters; 2 more needed', '8–128 characters'],
};

test(`the main flow in the ${dialect} dialect`, async (t) => {
  const { page, errors } = await openPage();
  // What the page looked like when a step failed.
  t.after(() => page.screenshot({ path: `${artifacts}/dialect-${dialect}-last.png`, fullPage: true }).catch(() => {}));
  await page.goto(`${base}/`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  // The provider's own words in the navigation, then an admin's pages.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link').first().waitFor();
  assert.deepEqual(await nav.getByRole('link').allTextContents(), [...navigation[dialect], 'Operators', 'API keys']);
  // The account's realm, under which its SIP addresses (and twilio domain
  // names) live.
  const { sip_realm: realm } = await (await fetch(`${base}/config.json`)).json();
  assert.ok(realm?.startsWith(`${account.toLowerCase()}.`), `sip_realm ${realm}`);

  // A twilio domain's name, under the realm.
  const acme = `acme.${realm}`;
  let listSid;
  if (dialect === 'twilio') {
    // Credentials live in a credential list.
    await page.getByRole('heading', { name: 'Credential lists' }).waitFor();
    await page.getByRole('button', { name: 'Create credential list' }).click();
    const create = page.getByRole('dialog', { name: 'Create credential list' });
    await create.getByLabel('Name').fill('Office phones');
    await create.getByRole('button', { name: 'Create credential list' }).click();
    await page.getByRole('link', { name: 'Office phones' }).click();
    await page.getByRole('heading', { name: 'Office phones' }).waitFor();
    listSid = page.url().split('/').pop();
    assert.match(listSid, /^CL[0-9a-f]{32}$/);
    await page.getByText('No domain maps this list yet').waitFor();
  } else {
    await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  }

  // Create, held to this provider's rule while typing.
  await page.getByRole('button', { name: 'Create credential' }).click();
  const create = page.getByRole('dialog', { name: 'Create credential' });
  await create.getByLabel('Username').fill('alice.desk');
  const [weakPassword, problem, rule] = weak[dialect];
  await create.getByLabel('Password', { exact: true }).fill(weakPassword);
  await create.locator('#new-password-error').filter({ hasText: problem }).waitFor();
  assert.equal(await create.locator('#new-password-rule').textContent(), `Rule: ${rule}.`);
  if (dialect === 'vobiz') {
    // Mixed classes are advised by the meter, not required.
    await create.getByLabel('Password', { exact: true }).fill('alllowercase12');
    await page.waitForFunction(() => document.querySelector('#new-password-error').textContent === '');
    // Its rule accepts "password": the meter's "Very weak" is explained.
    await create.getByLabel('Password', { exact: true }).fill('password');
    await create.getByRole('note').filter({ hasText: "Accepted by the provider's rule, but easy to guess" }).waitFor();
  }
  await create.getByLabel('Password', { exact: true }).fill('Wonderland-2026x');
  await axe(page, `${dialect} create credential dialog with an error`);
  if (dialect === 'zentrunk') await create.getByLabel('Name (optional)').fill('Alice at her desk');
  if (dialect === 'vobiz') await create.getByLabel('Description (optional)').fill('Front desk phone');
  await create.getByRole('button', { name: 'Create credential' }).click();
  await page.getByRole('status').filter({ hasText: 'Created credential alice.desk.' }).waitFor();
  await waitForRows(page, ['alice.desk']);
  assert.deepEqual(await apiUsernames(listSid), ['alice.desk']);
  if (dialect === 'zentrunk') await page.getByRole('cell', { name: 'Alice at her desk' }).waitFor();
  if (dialect === 'vobiz') {
    await page.getByRole('cell', { name: 'Front desk phone' }).waitFor();
    // When it was made, as vobiz says, in local time.
    const made = page.getByRole('row', { name: /alice\.desk/ }).locator('.stamp time').first();
    assert.match(await made.getAttribute('datetime'), /^\d{4}-\d\d-\d\dT/);
    // Account-wide: where its devices register, copied in one click.
    await page.getByText(`Devices register at sip:<username>@${realm}.`).waitFor();
    const uri = `sip:alice.desk@${realm}`;
    const listed = await providerApi(`/api/v1/account/${account}/credentials`);
    assert.equal(listed.objects[0].sip_uri, uri);
    await page.getByRole('row', { name: /alice\.desk/ }).getByText(uri).waitFor();
    await copyAddress(page, 'alice.desk', uri);
  }
  await axe(page, `${dialect} credentials with a row`);

  // A username Twilio finds too long (32 at most) is refused before sending.
  if (dialect === 'twilio') {
    await page.getByRole('button', { name: 'Create credential' }).click();
    await create.getByLabel('Username').fill('a'.repeat(33));
    await create.locator('#new-username-error').filter({ hasText: '33 characters' }).waitFor();
    assert.match(await create.locator('#new-username-rule').textContent(), /^Rule: 3–32 characters/);
    await create.getByRole('button', { name: 'Cancel' }).click();
  }

  // Change the password.
  await page.getByRole('button', { name: 'Change password of alice.desk' }).click();
  const change = page.getByRole('dialog', { name: 'Change password of alice.desk' });
  await change.getByLabel('New password').fill('Looking-Glass-2027');
  await change.getByRole('button', { name: 'Save new password' }).click();
  await page.getByRole('status').filter({ hasText: 'Changed the password of alice.desk.' }).waitFor();

  if (dialect === 'zentrunk' || dialect === 'vobiz') {
    // The credential's label: zentrunk's name, vobiz's description.
    const [button, title, field, value] = dialect === 'zentrunk'
      ? ['Rename alice.desk', 'Rename alice.desk', 'Name', 'Alice, front desk']
      : ['Edit description of alice.desk', 'Edit description of alice.desk', 'Description', 'Lobby phone'];
    await page.getByRole('button', { name: button }).click();
    const edit = page.getByRole('dialog', { name: title });
    if (dialect === 'zentrunk') {
      await edit.getByLabel(field).fill('   ');
      await edit.locator('#credential-label-value-error').filter({ hasText: 'Name: it is only spaces.' }).waitFor();
    }
    await edit.getByLabel(field).fill(value);
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: value }).waitFor();
    const [path, key] = dialect === 'zentrunk'
      ? [`/v1/Account/${account}/Zentrunk/Credential/`, 'name']
      : [`/api/v1/account/${account}/credentials`, 'description'];
    assert.deepEqual((await providerApi(path)).objects.map((o) => o[key]), [value]);
  }

  if (dialect === 'plivo') {
    // An application with no SIP authentication is open to anyone: the form
    // and the list say so in words. Its SIP address is copied.
    await nav.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('button', { name: 'Create application' }).click();
    const form = page.getByRole('dialog', { name: 'Create application' });
    await form.getByLabel('Name').fill('Lobby');
    // The default choice says what it means.
    assert.equal(await form.getByLabel('SIP authentication').locator('option:checked').textContent(),
      'None: accepts calls from any address');
    const open = 'No SIP authentication: this application accepts calls from any address.';
    await form.getByRole('note').filter({ hasText: open }).waitFor();
    await form.getByRole('button', { name: 'Create application' }).click();
    await page.getByRole('status').filter({ hasText: 'Created application Lobby.' }).waitFor();
    const row = page.getByRole('row', { name: /Lobby/ });
    await row.getByRole('note').filter({ hasText: open }).waitFor();
    const app = (await providerApi(`/v1/Account/${account}/Application/`)).objects[0];
    assert.equal(app.sip_uri, `sip:${app.app_id}@${realm}`);
    await row.getByText(app.sip_uri).waitFor();
    await copyAddress(page, 'Lobby', app.sip_uri);
    await axe(page, 'plivo applications with an open application');

    // Secured by the credential: the sentence names it, the warning goes.
    await page.getByRole('button', { name: 'Edit Lobby' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Lobby' });
    await edit.getByLabel('SIP authentication').selectOption('credential');
    await edit.getByLabel('Credential', { exact: true }).selectOption({ label: 'alice.desk' });
    const rule = 'Calls to this address must authenticate as alice.desk.';
    await edit.getByText(rule).waitFor();
    await edit.getByRole('button', { name: 'Save application' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Lobby.' }).waitFor();
    await row.getByText(rule).waitFor();
    assert.equal(await row.getByRole('note').count(), 0);
    await page.getByRole('button', { name: 'Delete Lobby' }).click();
    await page.getByRole('dialog', { name: 'Delete Lobby?' }).getByRole('button', { name: 'Delete Lobby' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted application Lobby.' }).waitFor();
    await nav.getByRole('link', { name: 'Credentials' }).click();
    await waitForRows(page, ['alice.desk']);
  }

  if (dialect === 'vobiz') {
    // Disabled, after a confirmation: kept and listed with a badge.
    const row = page.getByRole('row', { name: /alice\.desk/ });
    await row.getByText('Enabled', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disable alice.desk' }).click();
    const disable = page.getByRole('dialog', { name: 'Disable alice.desk?' });
    await disable.getByText('stop authenticating at once').waitFor();
    await axe(page, 'vobiz disable dialog');
    await disable.getByRole('button', { name: 'Disable alice.desk' }).click();
    await page.getByRole('status').filter({ hasText: 'Disabled alice.desk' }).waitFor();
    const listed = await providerApi(`/api/v1/account/${account}/credentials`);
    assert.deepEqual(listed.objects.map((o) => [o.username, o.enabled]), [['alice.desk', false]]);
    await page.reload();
    await row.getByText('Disabled', { exact: true }).waitFor();
    // The filter finds disabled credentials, and only them.
    await page.getByLabel('Show').selectOption({ label: 'Enabled only' });
    await page.getByText('No credential matches').waitFor();
    await page.getByLabel('Show').selectOption({ label: 'Disabled only' });
    await waitForRows(page, ['alice.desk']);
    // In the URL: a reload keeps it, Back returns to the filter before.
    assert.match(page.url(), /[?&]show=disabled/);
    await page.reload();
    await waitForRows(page, ['alice.desk']);
    assert.equal(await page.getByLabel('Show').inputValue(), 'disabled');
    await page.goBack();
    await page.getByText('No credential matches').waitFor();
    assert.equal(await page.getByLabel('Show').inputValue(), 'enabled');
    await page.getByLabel('Show').selectOption({ label: 'All credentials' });
    // Enabling again asks nothing.
    await page.getByRole('button', { name: 'Enable alice.desk' }).click();
    await page.getByRole('status').filter({ hasText: 'Enabled alice.desk' }).waitFor();
    await row.getByText('Enabled', { exact: true }).waitFor();
    const again = await providerApi(`/api/v1/account/${account}/credentials`);
    assert.deepEqual(again.objects.map((o) => o.enabled), [true]);
  }

  if (dialect === 'zentrunk') {
    // A trunk uses the credential and an ACL; deleting the credential warns
    // with the trunk's name.
    await createAcl(page, nav, 'Head office', '198.51.100.0/24');
    await nav.getByRole('link', { name: 'Trunks' }).click();
    await page.getByRole('button', { name: 'Create trunk' }).click();
    const trunk = page.getByRole('dialog', { name: 'Create trunk' });
    await trunk.getByLabel('Name').fill('Head office PBX');
    await trunk.getByLabel('Credential').selectOption({ label: 'alice.desk' });
    await trunk.getByLabel('IP ACL (optional)').selectOption({ label: 'Head office' });
    const admits = 'Calls must authenticate as alice.desk and come from an address in Head office.';
    await trunk.getByText(admits).waitFor();
    await trunk.getByRole('button', { name: 'Create trunk' }).click();
    await page.getByRole('status').filter({ hasText: 'Created trunk Head office PBX.' }).waitFor();
    const row = page.getByRole('row', { name: /Head office PBX/ });
    await row.getByRole('cell', { name: 'alice.desk', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'Head office', exact: true }).waitFor();
    await row.getByText(admits).waitFor();
    const trunks = await providerApi(`/v1/Account/${account}/Zentrunk/Trunk/`);
    assert.deepEqual(trunks.objects.map((t) => [t.name, t.trunk_direction]), [['Head office PBX', 'outbound']]);
    const [made] = trunks.objects;
    assert.equal(made.sip_uri, `sip:${made.trunk_id}@${realm}`);
    await row.getByText(made.sip_uri).waitFor();
    await copyAddress(page, 'Head office PBX', made.sip_uri);
    // An inbound trunk has no address: it takes no calls from the PBX.
    const inbound = await providerWrite('POST', `/v1/Account/${account}/Zentrunk/Trunk/`,
      { name: 'Branch inbound', trunk_direction: 'inbound', credential_uuid: made.credential_uuid });
    assert.equal(inbound.status, 201);
    await page.reload();
    const inboundRow = page.getByRole('row', { name: /Branch inbound/ });
    await inboundRow.getByText('Inbound: takes no calls from the PBX.').waitFor();
    assert.equal(await inboundRow.getByRole('button', { name: /Copy SIP address/ }).count(), 0);
    await axe(page, 'zentrunk trunks');
    assert.equal((await providerWrite('DELETE', `/v1/Account/${account}/Zentrunk/Trunk/${inbound.body.trunk_id}/`)).status, 204);
    await page.reload();
    await waitForRows(page, ['Head office PBX']);
    // The ACL says who uses it.
    await nav.getByRole('link', { name: 'IP ACLs' }).click();
    await page.getByRole('row', { name: /Head office/ }).getByRole('cell', { name: 'Head office PBX' }).waitFor();
    // Deleting it from its own page: the trunk is left unrestricted, not blocked.
    await page.getByRole('link', { name: 'Head office', exact: true }).click();
    await page.getByRole('heading', { name: 'Head office' }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const deleteAcl = page.getByRole('dialog', { name: 'Delete Head office?' });
    await deleteAcl.getByText('The trunk Head office PBX uses this IP ACL. Deleting it leaves it with no IP restriction').waitFor();
    await deleteAcl.getByRole('button', { name: 'Cancel' }).click();
    await nav.getByRole('link', { name: 'IP ACLs' }).click();
    await nav.getByRole('link', { name: 'Credentials' }).click();
    await page.getByRole('cell', { name: 'Head office PBX' }).waitFor();
    await page.screenshot({ path: `${artifacts}/dialect-zentrunk-credentials.png`, fullPage: true });
  }

  if (dialect === 'twilio') {
    // An IP access control list: an entry without a description is named by
    // its address (Twilio requires a FriendlyName).
    const aclSid = await createAcl(page, nav, 'Office', '203.0.113.0/24');
    const addresses = await providerApi(`/2010-04-01/Accounts/${account}/SIP/IpAccessControlLists/${aclSid}/IpAddresses.json`);
    assert.deepEqual(addresses.ip_addresses.map((a) => [a.ip_address, a.cidr_prefix_length, a.friendly_name]),
      [['203.0.113.0', 24, '203.0.113.0/24']]);
    // Its entry's description and its name are edited on its page.
    await page.getByRole('button', { name: 'Edit description of 203.0.113.0/24' }).click();
    const describe = page.getByRole('dialog', { name: 'Description of 203.0.113.0/24' });
    await describe.getByLabel('Description').fill('Front office');
    await describe.getByRole('button', { name: 'Save description' }).click();
    await page.getByRole('row', { name: /203\.0\.113\.0\/24/ }).getByRole('cell', { name: 'Front office' }).waitFor();
    const described = await providerApi(`/2010-04-01/Accounts/${account}/SIP/IpAccessControlLists/${aclSid}/IpAddresses.json`);
    assert.deepEqual(described.ip_addresses.map((a) => a.friendly_name), ['Front office']);
    for (const name of ['Office HQ', 'Office']) {
      await page.getByRole('button', { name: 'Rename', exact: true }).click();
      const rename = page.getByRole('dialog', { name: /^Rename / });
      await rename.getByLabel('Name').fill(name);
      await rename.getByRole('button', { name: 'Save name' }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
    }

    // Map the list to a domain for calls and registrations, the ACL for calls.
    // The domain name must live under the account's realm: checked as typed.
    await nav.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('button', { name: 'Create domain' }).click();
    const domain = page.getByRole('dialog', { name: 'Create domain' });
    assert.equal(await domain.locator('#domain-name-hint').textContent(), `Ends with .${realm}, e.g. acme.${realm}`);
    await domain.getByLabel('Domain name').fill('acme.sip.example.com');
    await domain.locator('#domain-name-error').filter({ hasText: `does not end with .${realm}` }).waitFor();
    await axe(page, 'twilio create domain dialog with an error');
    await domain.getByLabel('Domain name').fill(acme);
    await domain.getByLabel('Allow SIP registrations').check();
    await domain.getByRole('button', { name: 'Create domain' }).click();
    const card = page.getByRole('region', { name: acme });
    // Nothing mapped yet: calls and registrations are refused, and it says so.
    await card.getByRole('note').filter({ hasText: 'Calls are refused: nothing is mapped for calls.' }).waitFor();
    await card.getByRole('note').filter({ hasText: 'Registrations are refused: no credential list is mapped for registrations.' }).waitFor();
    await copyAddress(page, acme, `sip:${acme}`);
    // A second domain of the same name: the server's refusal is the field's.
    await page.getByRole('button', { name: 'Create domain' }).click();
    await domain.getByLabel('Domain name').fill(acme);
    await domain.getByRole('button', { name: 'Create domain' }).click();
    await domain.locator('#domain-name-error').filter({ hasText: `already has a domain named ${acme}` }).waitFor();
    await domain.getByRole('button', { name: 'Cancel' }).click();
    for (const group of ['Credential lists for calls', 'Credential lists for registrations']) {
      const section = card.getByRole('region', { name: group });
      await section.getByLabel('Add a credential list').selectOption({ label: 'Office phones' });
      await section.getByRole('button', { name: `Map to ${acme}` }).click();
      await section.getByRole('button', { name: `Remove Office phones from ${group[0].toLowerCase()}${group.slice(1)}` }).waitFor();
    }
    const aclGroup = card.getByRole('region', { name: 'IP access control lists for calls' });
    await aclGroup.getByLabel('Add an IP access control list').selectOption({ label: 'Office' });
    await aclGroup.getByRole('button', { name: `Map to ${acme}` }).click();
    await aclGroup.getByRole('button', { name: 'Remove Office from IP access control lists for calls' }).waitFor();
    // What INVITEs and REGISTERs now need, in words.
    await card.getByText('Calls must come from an address in Office and authenticate as a user in Office phones (both required).').waitFor();
    await card.getByText(`Devices register as a user in Office phones, each only as its own address (user@${acme}).`).waitFor();
    await page.screenshot({ path: `${artifacts}/dialect-twilio-domains.png`, fullPage: true });
    await axe(page, 'twilio domains with mappings');
    const mapped = await providerApi(`/2010-04-01/Accounts/${account}/SIP/Domains.json`);
    const sid = mapped.domains[0].sid;
    const calls = await providerApi(`/2010-04-01/Accounts/${account}/SIP/Domains/${sid}/Auth/Calls/CredentialListMappings.json`);
    assert.deepEqual(calls.contents.map((m) => m.sid), [listSid]);
    const aclMappings = `/2010-04-01/Accounts/${account}/SIP/Domains/${sid}/Auth/Calls/IpAccessControlListMappings.json`;
    assert.deepEqual((await providerApi(aclMappings)).contents.map((m) => m.sid), [aclSid]);
    assert.deepEqual([mapped.domains[0].sip_uri, mapped.domains[0].sip_registration], [`sip:${acme}`, true]);

    // Removing a mapping asks first, saying what changes; cancelled here.
    await aclGroup.getByRole('button', { name: 'Remove Office from IP access control lists for calls' }).click();
    const unmap = page.getByRole('dialog', { name: `Remove Office from ${acme}?` });
    await unmap.getByText(`Calls to ${acme} are no longer checked against the addresses in Office.`).waitFor();
    await unmap.getByText('Calls must authenticate as a user in Office phones.').waitFor();
    await axe(page, 'twilio remove mapping dialog');
    await unmap.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual((await providerApi(aclMappings)).contents.map((m) => m.sid), [aclSid]);

    // Edit the domain: friendly name and voice URL, checked as typed.
    await card.getByText('Voice URL: none set').waitFor();
    await card.getByRole('button', { name: `Edit ${acme}` }).click();
    const editDomain = page.getByRole('dialog', { name: `Edit ${acme}` });
    await editDomain.getByLabel('Voice URL (optional)').fill('ftp://example.com/voice');
    await editDomain.locator('#domain-edit-voice-url-error').filter({ hasText: 'Voice URL:' }).waitFor();
    await editDomain.getByLabel('Voice URL (optional)').fill('https://example.com/voice');
    await editDomain.getByLabel('Friendly name').fill('Acme HQ');
    await editDomain.getByRole('button', { name: 'Save domain' }).click();
    await page.getByRole('status').filter({ hasText: `Saved domain ${acme}.` }).waitFor();
    await card.getByText('https://example.com/voice').waitFor();
    await card.getByText('Acme HQ').waitFor();
    const edited = await providerApi(`/2010-04-01/Accounts/${account}/SIP/Domains/${sid}.json`);
    assert.deepEqual([edited.friendly_name, edited.voice_url, edited.sip_registration], ['Acme HQ', 'https://example.com/voice', true]);

    // Registrations off at the domain: its mapping stays, unused.
    await card.getByRole('checkbox', { name: `Allow SIP registrations at ${acme}` }).uncheck();
    await page.getByRole('status').filter({ hasText: `Registrations at ${acme} are off.` }).waitFor();
    await card.getByText('Registrations are off: Office phones is mapped but not used until registrations are allowed.').waitFor();
    const off = await providerApi(`/2010-04-01/Accounts/${account}/SIP/Domains/${sid}.json`);
    assert.equal(off.sip_registration, false);

    // Deleting the ACL warns that the domain loses it, then does so.
    await nav.getByRole('link', { name: 'IP access control lists' }).click();
    await page.getByRole('row', { name: /Office/ }).getByRole('cell', { name: acme }).waitFor();
    // From its own page, which then leaves for the list.
    await page.getByRole('link', { name: 'Office', exact: true }).click();
    await page.getByRole('heading', { name: 'Office', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const deleteAcl = page.getByRole('dialog', { name: 'Delete Office?' });
    await deleteAcl.getByText(`The domain ${acme} maps this IP ACL.`).waitFor();
    await deleteAcl.getByRole('button', { name: 'Delete Office anyway' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted IP ACL Office.' }).waitFor();
    await page.getByRole('heading', { name: 'IP access control lists' }).waitFor();
    assert.match(page.url(), /\/acls$/);
    assert.deepEqual((await providerApi(aclMappings)).contents, []);
    await nav.getByRole('link', { name: 'Credential lists' }).click();
    await page.getByRole('cell', { name: `${acme} (calls and registrations)` }).waitFor();
    await axe(page, 'twilio credential lists');
    // Search, kept in the URL, as on every list.
    await page.getByLabel('Search by name').fill('nothing like it');
    await page.getByText("No credential list's name contains \u201cnothing like it\u201d.").waitFor();
    await page.getByLabel('Search by name').fill('phones');
    await waitForRows(page, ['Office phones']);
    assert.match(page.url(), /\?q=phones$/);
    await page.getByRole('link', { name: 'Office phones' }).click();
    await page.getByText(`Mapped to ${acme} (calls and registrations).`).waitFor();
    await waitForRows(page, ['alice.desk']);
    // When the list and its credential were made, as the API says, in local time.
    for (const stamp of [page.locator('main > .stamp, .page-head + .stamp').first(), page.getByRole('row', { name: /alice\.desk/ }).locator('.stamp')]) {
      assert.match(await stamp.locator('time').first().getAttribute('datetime'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      assert.match(await stamp.textContent(), /^Created /);
    }
  }

  // Delete, confirmed; where the API lets it break a trunk, the dialog says so.
  await page.getByRole('button', { name: 'Delete alice.desk' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete alice.desk?' });
  const button = dialect === 'zentrunk' ? 'Delete alice.desk anyway' : 'Delete alice.desk';
  if (dialect === 'zentrunk') {
    await confirm.getByText('The trunk Head office PBX uses this credential.').waitFor();
  }
  await confirm.getByRole('button', { name: button }).click();
  await page.getByRole('status').filter({ hasText: 'Deleted credential alice.desk.' }).waitFor();
  await page.getByText('No credentials yet.').waitFor();
  assert.deepEqual(await apiUsernames(listSid), []);

  if (dialect === 'zentrunk') {
    // The trunk is shown as broken, as the warning said.
    await nav.getByRole('link', { name: 'Trunks' }).click();
    await page.getByRole('cell', { name: 'None (deleted): calls fail authentication' }).waitFor();
    await page.getByRole('row', { name: /Head office PBX/ }).getByRole('note')
      .filter({ hasText: 'Calls fail authentication: its credential was deleted.' }).waitFor();
    await page.getByLabel('Search by name').fill('branch');
    await page.getByText("No trunk's name contains \u201cbranch\u201d.").waitFor();
    await page.getByLabel('Search by name').fill('');

    // Mend it: a new credential (made through the API), picked in the edit
    // dialog; the ACL taken away.
    const made = await fetch(`${base}/v1/Account/${account}/Zentrunk/Credential/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(`${account}:${token}`).toString('base64') },
      body: JSON.stringify({ username: 'pbx.spare', password: 'Spare-Trunk-2026' }),
    });
    assert.equal(made.status, 201);
    await page.reload();
    await page.getByRole('button', { name: 'Edit Head office PBX' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Head office PBX' });
    assert.equal(await edit.getByLabel('Name').inputValue(), 'Head office PBX');
    assert.equal(await edit.getByLabel('IP ACL (optional)').locator('option:checked').textContent(), 'Head office');
    await edit.getByLabel('Credential').selectOption({ label: 'pbx.spare' });
    await edit.getByLabel('IP ACL (optional)').selectOption({ label: 'None' });
    await edit.getByRole('button', { name: 'Save trunk' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved trunk Head office PBX.' }).waitFor();
    await page.getByRole('row', { name: /Head office PBX/ }).getByRole('cell', { name: 'pbx.spare', exact: true }).waitFor();
    await page.getByRole('row', { name: /Head office PBX/ }).getByText('Calls must authenticate as pbx.spare.').waitFor();
    const mended = (await providerApi(`/v1/Account/${account}/Zentrunk/Trunk/`)).objects[0];
    assert.equal(mended.ip_acl_uuid, null);
    assert.notEqual(mended.credential_uuid, null);

    await page.getByRole('button', { name: 'Delete Head office PBX' }).click();
    const deleteTrunk = page.getByRole('dialog', { name: 'Delete Head office PBX?' });
    await deleteTrunk.getByText('its credential and IP ACL stay. This cannot be undone.').waitFor();
    await deleteTrunk.getByRole('button', { name: 'Delete Head office PBX' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted trunk Head office PBX.' }).waitFor();
    await page.getByText('No trunks yet.').waitFor();
  }

  if (dialect === 'twilio') {
    // Rename the (now empty) list; the API has the new name.
    await nav.getByRole('link', { name: 'Credential lists' }).click();
    await page.getByRole('button', { name: 'Rename Office phones' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename Office phones' });
    await rename.getByLabel('Name').fill('Front office');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').filter({ hasText: 'Renamed the list to Front office.' }).waitFor();
    await waitForRows(page, ['Front office']);
    const lists = await providerApi(`/2010-04-01/Accounts/${account}/SIP/CredentialLists.json`);
    assert.deepEqual(lists.credential_lists.map((l) => l.friendly_name), ['Front office']);

    // Delete the domain: its mappings go, the list stays.
    await nav.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('button', { name: `Delete ${acme}` }).click();
    const deleteDomain = page.getByRole('dialog', { name: `Delete ${acme}?` });
    await deleteDomain.getByRole('button', { name: `Delete ${acme}` }).click();
    await page.getByRole('status').filter({ hasText: `Deleted domain ${acme}.` }).waitFor();
    await page.getByText('No domains yet.').waitFor();
    assert.deepEqual((await providerApi(`/2010-04-01/Accounts/${account}/SIP/Domains.json`)).domains, []);
  }

  // A page another provider has is not offered here.
  const foreign = dialect === 'plivo' ? '/trunks' : '/applications';
  await page.goto(`${base}${foreign}`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();

  await page.context().close();
  // Twilio: the second domain of the same name was refused on purpose (409).
  errors.check(401, ...(dialect === 'twilio' ? [409] : []));
});
