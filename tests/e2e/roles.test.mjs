// Roles end to end, in the dialect the server was started with: the admin
// adds an editor and a viewer in the console (a one-time password shown
// once); the viewer sees no write control on any page, and a forced write
// is refused with the role it needs; an editor scoped to one account has no
// switcher and cannot reach the other account; an admin of both switches
// between them; a viewer API key lists but cannot create, and once revoked
// is refused. axe in both themes and the phone width on the new pages.
// Needs SECOND_ACCOUNT: a second account on the same server (xtask makes it
// with `sipauth account create`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, watchErrors } from '../browser.mjs';

const base = process.env.BASE_URL;
const dialect = process.env.DIALECT || 'plivo';
const second = process.env.SECOND_ACCOUNT;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const { auth_id: account, auth_token: token } = firstRun.account;
const admin = firstRun.operator;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// What a viewer must never be offered: a button whose name starts so.
const WRITES = /^(Add|Create|New|Edit|Rename|Delete|Remove|Import|Disable|Enable|Change|Assign|Map|Unmap|Reset|Revoke|Use )/;
const EDITOR_PASSWORD = 'Editor-Passw0rd-2026';
// The viewer's one-time password, as the admin saved it in the first test.
let viewerPassword;

let browser;
before(async () => {
  assert.ok(second, 'SECOND_ACCOUNT names a second account on this server');
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

// ---- The provider's API with the account's token, or another's -----------

const basic = (user, pass) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
const tokenAuth = dialect === 'vobiz'
  ? { 'x-auth-id': account, 'x-auth-token': token }
  : { authorization: basic(account, token) };

/** The dialect's credentials list and its create (twilio: a list's). */
function credentialsPath(auth_id, listSid) {
  switch (dialect) {
    case 'zentrunk': return `/v1/Account/${auth_id}/Zentrunk/Credential/`;
    case 'vobiz': return `/api/v1/account/${auth_id}/credentials`;
    case 'twilio': return listSid
      ? `/2010-04-01/Accounts/${auth_id}/SIP/CredentialLists/${listSid}/Credentials.json`
      : `/2010-04-01/Accounts/${auth_id}/SIP/CredentialLists.json`;
    default: return `/v1/Account/${auth_id}/SipAuth/Credential/`;
  }
}

async function call(method, path, headers, body) {
  const form = dialect === 'twilio';
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}) },
    body: body ? (form ? new URLSearchParams(body).toString() : JSON.stringify(body)) : undefined,
  });
  return { status: r.status, text: await r.text() };
}

/** A write with the account's token that must succeed; its answer. */
async function write(path, body) {
  const r = await call('POST', path, tokenAuth, body);
  assert.ok(r.status < 300, `POST ${path}: ${r.status} ${r.text}`);
  return JSON.parse(r.text);
}

/** One of everything the dialect's pages list, so every row has its buttons. */
async function seed() {
  const password = 'Wonderland-2026x';
  if (dialect === 'twilio') {
    const root = `/2010-04-01/Accounts/${account}/SIP`;
    const list = (await write(`${root}/CredentialLists.json`, { FriendlyName: 'Desk phones' })).sid;
    await write(`${root}/CredentialLists/${list}/Credentials.json`, { Username: 'desk.one', Password: password });
    const acl = (await write(`${root}/IpAccessControlLists.json`, { FriendlyName: 'Office' })).sid;
    await write(`${root}/IpAccessControlLists/${acl}/IpAddresses.json`, { IpAddress: '203.0.113.0', CidrPrefixLength: '24', FriendlyName: 'Office' });
    const { sip_realm: realm } = await (await fetch(`${base}/config.json`)).json();
    const domain = (await write(`${root}/Domains.json`, { DomainName: `pbx.${realm}`, FriendlyName: 'PBX' })).sid;
    await write(`${root}/Domains/${domain}/Auth/Calls/CredentialListMappings.json`, { CredentialListSid: list });
    await write(`${root}/Domains/${domain}/Auth/Calls/IpAccessControlListMappings.json`, { IpAccessControlListSid: acl });
    return;
  }
  if (dialect === 'vobiz') {
    await write(credentialsPath(account), { username: 'desk.one', password, description: 'Desk' });
    await write(credentialsPath(account), { username: 'desk.two', password, enabled: false });
    return;
  }
  const v1 = `/v1/Account/${account}`;
  const credential = (await write(credentialsPath(account), { username: 'desk.one', password })).credential_uuid;
  const acl = (await write(`${v1}/SipAuth/IpAccessControlList/`,
    { name: 'Office', entries: [{ ip: '203.0.113.7', cidr_prefix: 24, description: 'host bits' }] })).ip_acl_uuid;
  if (dialect === 'plivo') {
    await write(`${v1}/Application/`, { app_name: 'Support', answer_url: 'https://answer.example.com/x', sip_auth_type: 'credential', credential_uuid: credential });
  } else {
    await write(`${v1}/Zentrunk/Trunk/`, { name: 'PBX', trunk_direction: 'outbound', credential_uuid: credential, ip_acl_uuid: acl });
  }
}

// ---- The browser ----------------------------------------------------------

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  return { page, errors: watchErrors(page) };
}

async function signIn(page, username, password) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Operator username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** axe in both themes, and no horizontal scroll at 390 px. */
async function checkPage(page, what) {
  await page.evaluate(axeSource);
  for (const theme of ['light', 'dark']) {
    const result = await page.evaluate(async (t) => {
      document.documentElement.dataset.theme = t;
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }, theme);
    assert.deepEqual(result, [], `axe on ${what} (${theme})`);
  }
  await page.evaluate(() => { document.documentElement.dataset.theme = 'light'; });
  await page.setViewportSize({ width: 390, height: 844 });
  // The frame in which cards are laid out.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow}px too wide at 390px`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The names of the buttons and checkboxes a person could use now. */
async function controls(page) {
  return page.evaluate(() => [...document.querySelectorAll('button, input[type=checkbox], input[type=radio]')]
    .filter((el) => el.offsetParent !== null && !el.closest('dialog:not([open])'))
    .map((el) => (el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent).trim()));
}

/** The CSRF token of the page's session, and a write sent with it. */
async function forcedWrite(page, path, body, form) {
  return page.evaluate(async ({ path, body, form }) => {
    const session = await (await fetch('/console/session')).json();
    const r = await fetch(path, {
      method: 'POST',
      headers: {
        'x-csrf-token': session.csrf_token, 'x-requested-with': 'sipauth-console',
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      },
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    });
    return { status: r.status, text: await r.text() };
  }, { path, body, form });
}

/** Adds an operator in the open Operators page; the one-time password if generated. */
async function addOperator(page, { username, role, only, typed }) {
  await page.getByRole('button', { name: 'Add operator' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add operator' });
  await dialog.getByLabel('Username').fill(username);
  await dialog.getByLabel('Role').selectOption({ label: role });
  if (only) {
    await dialog.getByLabel('All accounts, including ones added later').uncheck();
    await dialog.getByLabel(new RegExp(`^${only}`)).check();
  }
  if (typed) {
    await dialog.getByLabel('Type a password').check();
    await dialog.getByLabel('New password').fill(typed);
  }
  await dialog.getByRole('button', { name: 'Add operator' }).click();
  await page.getByRole('status').filter({ hasText: `Added operator ${username}.` }).waitFor();
  await dialog.waitFor({ state: 'hidden' });
  if (typed) return typed;
  const save = page.getByRole('dialog', { name: `Save the password of ${username} now` });
  const password = (await save.locator('code').textContent()).trim();
  assert.ok(password.length >= 12, 'a generated password');
  return password;
}

test('the admin adds a viewer and a scoped editor; refusals are shown beside the role', async () => {
  await seed();
  const { page, errors } = await openPage();
  await signIn(page, admin.username, admin.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators' }).click();
  await page.getByRole('heading', { name: 'Operators' }).waitFor();
  await page.getByRole('row', { name: new RegExp(admin.username) }).waitFor();

  // A generated one-time password: shown once, then gone from the page.
  await page.getByRole('button', { name: 'Add operator' }).click();
  const add = page.getByRole('dialog', { name: 'Add operator' });
  await add.getByLabel('Username').fill('bad name');
  await add.getByText("Username: a space is not allowed.").waitFor();
  await checkPage(page, 'the Add operator dialog');
  await page.keyboard.press('Escape');
  await add.waitFor({ state: 'hidden' });
  viewerPassword = await addOperator(page, { username: 'vera.viewer', role: 'Viewer' });
  const save = page.getByRole('dialog', { name: 'Save the password of vera.viewer now' });
  await save.getByText('This is the only time it is shown').waitFor();
  await checkPage(page, 'the one-time password');
  await save.getByRole('button', { name: 'I have saved it' }).click();
  await save.waitFor({ state: 'hidden' });
  assert.ok(!(await page.content()).includes(viewerPassword), 'the password is gone from the page');

  await addOperator(page, { username: 'ed.editor', role: 'Editor', only: account, typed: EDITOR_PASSWORD });
  const editorRow = page.getByRole('row', { name: /ed\.editor/ });
  await editorRow.getByRole('cell', { name: account, exact: true }).waitFor();
  await page.getByRole('row', { name: /vera\.viewer/ }).getByRole('cell', { name: 'All accounts' }).waitFor();
  await checkPage(page, 'the Operators page');

  // The last admin cannot stop being one: said beside the role, announced.
  await page.getByRole('button', { name: `Edit ${admin.username}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${admin.username}` });
  await edit.getByLabel('Role').selectOption({ label: 'Viewer' });
  await edit.getByRole('button', { name: 'Save' }).click();
  const refusal = edit.locator('#edit-operator-role-error');
  await refusal.filter({ hasText: 'is the last admin' }).waitFor();
  assert.match(await edit.getByLabel('Role').getAttribute('aria-describedby'), /edit-operator-role-error/);
  assert.equal(await refusal.getAttribute('aria-live'), 'polite');
  await page.keyboard.press('Escape');
  await edit.waitFor({ state: 'hidden' });
  await page.context().close();
  // 401: the session asked for before signing in.
  errors.check(401, 409);
});

test('a viewer sees no write control on any page, and a forced write is refused', async () => {
  const { page, errors } = await openPage();
  await signIn(page, 'vera.viewer', viewerPassword);
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Operators' }).count(), 0, 'no admin pages');
  const links = await nav.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const visited = [];
  const visit = async (href) => {
    await page.goto(`${base}${href}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    // Loaded: a row, a card or what the page says instead.
    await page.locator('table.list tbody tr, section.card, .empty, .page-head').first().waitFor();
    await page.waitForFunction(() => !document.querySelector('[role=status].count')?.textContent.includes('Loading'));
    const offered = (await controls(page)).filter((name) => WRITES.test(name));
    assert.deepEqual(offered, [], `write controls on ${href}`);
    assert.equal(await page.locator('main form:not([role=search]):not(.inline-form)').count(), 0, `a form on ${href}`);
    visited.push(href);
  };
  for (const href of links) {
    await visit(href);
    // Its detail pages (an ACL, a credential list) too.
    // Counted, not awaited: the page has loaded, and a list without detail
    // links would otherwise wait out the locator's timeout.
    const link = page.locator(`table.list tbody th a[href^="${href}/"]`).first();
    const detail = (await link.count()) ? await link.getAttribute('href') : null;
    if (detail) await visit(detail);
  }
  // Vobiz has no list with detail pages.
  if (dialect !== 'vobiz') assert.ok(visited.length > links.length, `a detail page was visited too: ${visited}`);
  // Reads stay: the rows are there.
  await page.goto(`${base}${links[0]}`);
  await page.locator('table.list tbody tr, section.card').first().waitFor();

  // The admin's pages are not found.
  await page.goto(`${base}/operators`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();

  // A write forced from the page, with the session's CSRF token.
  const refused = await forcedWrite(page, credentialsPath(account),
    dialect === 'twilio' ? { FriendlyName: 'sneaky' } : { username: 'sneaky', password: 'Wonderland-2026x' },
    dialect === 'twilio');
  assert.equal(refused.status, 403, refused.text);
  assert.match(refused.text, /this needs the editor role; you are a viewer/);
  await page.context().close();
  errors.check(401, 403);
});

test('an editor of one account has no switcher and cannot reach the other; an admin of both switches', async () => {
  const { page, errors } = await openPage();
  await signIn(page, 'ed.editor', EDITOR_PASSWORD);
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await page.getByLabel('Account', { exact: true }).count(), 0, 'no switcher with one account');
  await page.locator('header .who').filter({ hasText: account }).waitFor();
  // The editor's own pages have their write controls.
  assert.ok((await controls(page)).some((name) => /^Create /.test(name)), 'an editor may create');
  const other = await page.evaluate(async (path) => (await fetch(path)).status, credentialsPath(second));
  assert.equal(other, 404);
  await page.context().close();
  errors.check(401, 404);

  // The admin may use both: a labelled select, remembered for the tab.
  const { page: adminPage, errors: adminErrors } = await openPage();
  await signIn(adminPage, admin.username, admin.password);
  const switcher = adminPage.getByLabel('Account', { exact: true });
  assert.equal(await switcher.inputValue(), account, 'config.json\'s account first');
  const home = adminPage.url();
  await adminPage.locator('table.list tbody tr, section.card').first().waitFor();
  await switcher.selectOption(second);
  await adminPage.getByRole('status').filter({ hasText: `Now managing account ${second}.` }).waitFor();
  await adminPage.locator('.empty').first().waitFor();
  assert.equal(await adminPage.locator('table.list tbody tr, section.card').count(), 0, 'the other account is empty');
  await adminPage.reload();
  await adminPage.locator('.empty').first().waitFor();
  assert.equal(await adminPage.getByLabel('Account', { exact: true }).inputValue(), second, 'remembered for the tab');
  await adminPage.getByLabel('Account', { exact: true }).selectOption(account);
  await adminPage.locator('table.list tbody tr, section.card').first().waitFor();
  assert.equal(adminPage.url(), home);
  await adminPage.context().close();
  adminErrors.check(401);
});

test('a viewer API key lists but cannot create, and once revoked is refused', async () => {
  const { page, errors } = await openPage();
  await signIn(page, admin.username, admin.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  await page.getByText('No API keys yet.').waitFor();
  await checkPage(page, 'the API keys page, empty');

  await page.getByRole('button', { name: 'Create API key' }).click();
  const create = page.getByRole('dialog', { name: 'Create API key' });
  await create.getByLabel('Name').fill('ci reader');
  await create.getByLabel('Role').selectOption({ label: 'Viewer' });
  await checkPage(page, 'the Create API key dialog');
  await create.getByRole('button', { name: 'Create API key' }).click();
  const save = page.getByRole('dialog', { name: 'Save the secret of ci reader now' });
  await save.waitFor();
  const [id, secret] = await save.locator('p.field code').allTextContents();
  assert.match(id, /^SK[0-9a-f]{32}$/);
  assert.ok(secret.length >= 32);
  await save.getByText(dialect === 'vobiz' ? 'X-Auth-Token' : 'keyid:secret').first().waitFor();
  await save.getByRole('button', { name: 'Copy secret' }).click();
  await page.getByRole('status').filter({ hasText: 'Copied the secret.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await checkPage(page, 'the new key\'s secret');
  await save.getByRole('button', { name: 'I have saved it' }).click();
  await save.waitFor({ state: 'hidden' });
  const row = page.getByRole('row', { name: /ci reader/ });
  await row.getByRole('cell', { name: 'Viewer' }).waitFor();
  assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page');
  await checkPage(page, 'the API keys page');

  // From an application: the key lists, cannot create, and is refused once revoked.
  const keyAuth = dialect === 'vobiz' ? { 'x-auth-id': id, 'x-auth-token': secret } : { authorization: basic(id, secret) };
  const listPath = credentialsPath(account);
  assert.equal((await call('GET', listPath, keyAuth)).status, 200);
  const made = await call('POST', credentialsPath(account), keyAuth,
    dialect === 'twilio' ? { FriendlyName: 'by key' } : { username: 'by.key', password: 'Wonderland-2026x' });
  assert.equal(made.status, 403, made.text);
  assert.match(made.text, /this needs the editor role; you are a viewer/);
  await page.reload();
  await row.getByRole('cell', { name: 'Never' }).count().then((n) => assert.equal(n, 0, 'last used is now set'));

  await page.getByRole('button', { name: 'Revoke ci reader' }).click();
  const revoke = page.getByRole('dialog', { name: 'Revoke ci reader?' });
  await revoke.getByText('Applications using it stop at once').waitFor();
  await revoke.getByRole('button', { name: 'Revoke ci reader' }).click();
  await page.getByRole('status').filter({ hasText: 'Revoked API key ci reader.' }).waitFor();
  await page.getByText('No API keys yet.').waitFor();
  assert.equal((await call('GET', listPath, keyAuth)).status, 401);
  await page.context().close();
  errors.check(401);
});
