// Moving around the console in one provider's dialect (DIALECT, like
// dialects.test.mjs, on its own fresh server): leaving pages while they
// load, history (Back and Forward through pages, sort and search), the
// page asked for after sign-in or an ended session, `/` to search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchChromium, watchErrors } from '../browser.mjs';

const base = process.env.BASE_URL;
const dialect = process.env.DIALECT || 'plivo';
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const { auth_id: account, auth_token: token } = firstRun.account;
const basic = 'Basic ' + Buffer.from(`${account}:${token}`).toString('base64');

let browser;
before(async () => {
  browser = await launchChromium();
  await seed();
});
after(async () => {
  await browser?.close();
  await cleanUp();
});

/** The provider's API: JSON, or Twilio's form bodies. */
async function call(method, path, body) {
  const twilio = path.startsWith('/2010-04-01');
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: basic, 'content-type': twilio ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: body && (twilio ? new URLSearchParams(body).toString() : JSON.stringify(body)),
  });
  const answer = r.status === 204 ? null : await r.json();
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(answer)}`);
  return answer;
}

const tw = `/2010-04-01/Accounts/${account}/SIP`;
const plivo = `/v1/Account/${account}`;
const credentialsPath = {
  plivo: `${plivo}/SipAuth/Credential/`,
  zentrunk: `${plivo}/Zentrunk/Credential/`,
  vobiz: `/api/v1/account/${account}/credentials`,
};
/** Where this dialect's credentials are listed in the console. */
let credentialsPage = '/credentials';
const made = { lists: [], acls: [], apps: [], trunks: [], domains: [], credentials: [] };

/** A busy account: 45 credentials (three pages), 13 IP ACLs, 8 trunks
 * (zentrunk) or 25 applications (plivo); twilio's domains are made later. */
async function seed() {
  const usernames = Array.from({ length: 45 }, (_, i) => `user${String(i).padStart(2, '0')}`);
  const password = (i) => `Seed-Passw0rd-${i}x`;
  if (dialect === 'twilio') {
    const list = await call('POST', `${tw}/CredentialLists.json`, { FriendlyName: 'Office phones' });
    made.lists.push(list.sid);
    credentialsPage = `/credential-lists/${list.sid}`;
    for (const [i, u] of usernames.entries()) await call('POST', `${tw}/CredentialLists/${list.sid}/Credentials.json`, { Username: u, Password: password(i) });
    for (let i = 0; i < 13; i++) made.acls.push((await call('POST', `${tw}/IpAccessControlLists.json`, { FriendlyName: `Site ${i}` })).sid);
    // Domains come with their test: the Domains page asks for each one's
    // mappings, and the quick visits below would pass the rate limit.
    return;
  }
  for (const [i, u] of usernames.entries()) {
    const c = await call('POST', credentialsPath[dialect], { username: u, password: password(i) });
    made.credentials.push(c.credential_uuid ?? c.id);
  }
  if (dialect === 'vobiz') return;
  for (let i = 0; i < 13; i++) made.acls.push((await call('POST', `${plivo}/SipAuth/IpAccessControlList/`, { name: `Site ${i}` })).ip_acl_uuid);
  if (dialect === 'plivo') {
    for (let i = 0; i < 25; i++) {
      made.apps.push((await call('POST', `${plivo}/Application/`, { app_name: `App ${String(i).padStart(2, '0')}`, answer_url: 'https://example.com/answer' })).app_id);
    }
  }
  if (dialect === 'zentrunk') {
    for (let i = 0; i < 8; i++) {
      made.trunks.push((await call('POST', `${plivo}/Zentrunk/Trunk/`, { name: `Trunk ${i}`, trunk_direction: 'outbound', credential_uuid: made.credentials[i] })).trunk_id);
    }
  }
}

/** Leaves the account as it was, for any test after this file. */
async function cleanUp() {
  for (const id of made.domains) await call('DELETE', `${tw}/Domains/${id}.json`);
  for (const id of made.lists) await call('DELETE', `${tw}/CredentialLists/${id}.json`);
  for (const id of made.apps) await call('DELETE', `${plivo}/Application/${id}/`);
  for (const id of made.trunks) await call('DELETE', `${plivo}/Zentrunk/Trunk/${id}/`);
  for (const id of made.acls) {
    await call('DELETE', dialect === 'twilio' ? `${tw}/IpAccessControlLists/${id}.json` : `${plivo}/SipAuth/IpAccessControlList/${id}/`);
  }
  for (const id of made.credentials) {
    await call('DELETE', dialect === 'vobiz' ? `${credentialsPath.vobiz}/${id}` : `${credentialsPath[dialect]}${id}/`);
  }
}

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  return { page, errors: watchErrors(page) };
}

/** Signs in on the sign-in page the console is showing. */
async function signIn(page) {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link').first().waitFor();
}

/** A URL's path and query, the query decoded (`q=site 1`). */
function readable(pathname, search) {
  const query = [...new URLSearchParams(search)].map(([k, v]) => `${k}=${v}`).join('&');
  return query ? `${pathname}?${query}` : pathname;
}

/** The path and query the console shows. */
function here(page) {
  const url = new URL(page.url());
  return url.origin === base ? readable(url.pathname, url.search) : page.url();
}

async function waitForPath(page, expected) {
  for (let waited = 0; here(page) !== expected && waited < 10_000; waited += 50) await page.waitForTimeout(50);
  assert.equal(here(page), expected);
}

test(`leaving pages while they load never breaks the console (${dialect})`, async () => {
  const { page, errors } = await openPage();
  await page.goto(`${base}/sign-in`);
  await signIn(page);
  // Answers take 40 ms, as over a real network, so that pages are left
  // while their requests are under way (locally they answer at once).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: -1, uploadThroughput: -1 });
  const nav = page.getByRole('navigation', { name: 'Main' });
  const links = await nav.getByRole('link').allTextContents();
  // Every page is left before its lists are in, at a different moment each
  // round; before the fix this panicked in the wasm several times a run.
  for (let round = 0; round < 16; round++) {
    await page.goto(`${base}${round % 2 ? credentialsPage : '/'}`);
    await nav.getByRole('link').first().waitFor();
    for (const name of [...links, ...links.slice().reverse()]) {
      await nav.getByRole('link', { name, exact: true }).click();
      if (round % 3) await page.waitForTimeout((round * 7) % 40);
    }
    if (round % 4 === 0) {
      await page.goBack();
      await page.goForward();
    }
    // An ACL's own page (its entries, the SIP-server notice) left at once.
    if (round % 2 === 0 && dialect !== 'vobiz') {
      await nav.getByRole('link', { name: links[1], exact: true }).click();
      await page.getByRole('link', { name: 'Site 3', exact: true }).click();
      await nav.getByRole('link', { name: links[0], exact: true }).click();
    }
  }
  // Settled: the last page shows its heading and nothing went wrong.
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.waitForTimeout(500);
  await page.context().close();
  // 401: the session probe before sign-in. 429: twilio's pages ask for
  // each list's entries, so this many visits pass the account's rate
  // limit; the console waits and retries, as it should.
  errors.check(401, 429);
});

test(`Back and Forward step through pages, sorts and searches (${dialect})`, async () => {
  const { page, errors } = await openPage();
  await page.goto(`${base}${credentialsPage}`);
  await signIn(page);
  // Signed in, the page asked for; sign-in is not in the history.
  await waitForPath(page, credentialsPage);
  const status = page.getByRole('navigation', { name: 'Pages' });
  await status.getByText('Page 1 of 3').waitFor();
  await page.getByRole('button', { name: 'Next page' }).click();
  await status.getByText('Page 2 of 3').waitFor();
  await page.getByRole('button', { name: 'Next page' }).click();
  await status.getByText('Page 3 of 3').waitFor();
  await waitForPath(page, `${credentialsPage}?page=3`);
  await page.goBack();
  await status.getByText('Page 2 of 3').waitFor();
  await waitForPath(page, `${credentialsPage}?page=2`);
  await page.goBack();
  await status.getByText('Page 1 of 3').waitFor();
  await waitForPath(page, credentialsPage);
  await page.goForward();
  await status.getByText('Page 2 of 3').waitFor();
  await page.goBack();
  await waitForPath(page, credentialsPage);

  // A sort is a step of its own.
  await page.getByRole('button', { name: 'Username' }).click();
  await waitForPath(page, `${credentialsPage}?sort=username`);
  await page.goBack();
  await waitForPath(page, credentialsPage);

  // Typing a search is one step, not one per keystroke.
  const search = page.getByRole('searchbox').first();
  await search.click();
  await page.keyboard.type('user4', { delay: 30 });
  await waitForPath(page, `${credentialsPage}?q=user4`);
  await page.getByText(/^Showing 1–5 of 5 matching \(4[5-9] in all\)$/).waitFor();
  await page.goBack();
  await waitForPath(page, credentialsPage);
  assert.equal(await search.inputValue(), '');
  await page.goForward();
  await waitForPath(page, `${credentialsPage}?q=user4`);
  assert.equal(await search.inputValue(), 'user4');

  // Back from the first page the console showed leaves the console: it
  // never lands on sign-in while signed in.
  await page.goBack();
  await page.goBack();
  assert.ok(!page.url().includes('/sign-in'), `Back went to ${page.url()}`);
  await page.context().close();
  errors.check(401);
});

test(`sign-in returns to the page asked for, and only to this console (${dialect})`, async () => {
  const { page, errors } = await openPage();
  const nav = page.getByRole('navigation', { name: 'Main' });
  const deep = dialect === 'vobiz' ? '/credentials?sort=-username&page=2' : '/acls?q=site%201';
  const shown = decodeURIComponent(deep);
  await page.goto(`${base}${deep}`);
  await signIn(page);
  await waitForPath(page, shown);
  const search = page.getByRole('searchbox').first();
  assert.equal(await search.inputValue(), dialect === 'vobiz' ? '' : 'site 1');

  // The session ends (expired, or signed out in another tab): the next
  // request's 401 goes to sign-in, and signing in returns to that page.
  // The first of the dialect's own links (not an admin's Operators and API
  // keys) to another page (vobiz: Activity, its one other page); with
  // none, the next request is a reload's.
  const own = nav.locator('a:not([href="/operators"]):not([href="/api-keys"])');
  const paths = await own.evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
  const other = paths.findIndex((p) => p !== new URL(page.url()).pathname);
  const elsewhere = other >= 0;
  const first = own.nth(Math.max(other, 0));
  const target = elsewhere ? paths[other] : here(page);
  await page.context().clearCookies();
  if (elsewhere) await first.click();
  else await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signIn(page);
  await waitForPath(page, target);

  // Signed in, a sign-in link with a return target elsewhere goes home.
  const home = dialect === 'twilio' ? '/credential-lists' : '/credentials';
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
    await waitForPath(page, home);
  }
  await page.context().close();
  errors.check(401);
});

test(`"/" goes to the page's search box, but not while typing (${dialect})`, async () => {
  const { page, errors } = await openPage();
  await page.goto(`${base}${credentialsPage}`);
  await signIn(page);
  const search = page.getByRole('searchbox').first();
  await page.getByText(/^Showing 1–20 of 4[5-9]$/).waitFor();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  assert.ok(await search.evaluate((el) => el === document.activeElement), 'the search box has focus');
  assert.equal(await search.inputValue(), '', 'the slash itself is not typed');
  // In the search box (and any field) "/" is just a character.
  await page.keyboard.type('user/');
  assert.equal(await search.inputValue(), 'user/');
  await search.fill('');
  // With a modifier it is not ours.
  await page.getByRole('button', { name: 'Next page' }).focus();
  await page.keyboard.press('Control+/');
  assert.ok(!(await search.evaluate((el) => el === document.activeElement)));
  // In a dialog's field it is typed.
  await page.getByRole('button', { name: 'Create credential' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create credential' });
  await dialog.getByLabel('Username').fill('');
  await dialog.getByLabel('Username').press('/');
  assert.equal(await dialog.getByLabel('Username').inputValue(), '/');
  await page.keyboard.press('Escape');
  await page.context().close();
  errors.check(401);
});

const third = { plivo: ['Applications', 'App', 'Search by name'], twilio: ['Domains', 'Domain', 'Search by domain or friendly name'] }[dialect];
test(`${third?.[0] ?? 'Applications or domains'}: search, sort and pages in the URL (${dialect})`, { skip: !third }, async () => {
  const [title, prefix, label] = third;
  const { page, errors } = await openPage();
  const path = `/${title.toLowerCase()}`;
  if (dialect === 'twilio') {
    const { sip_realm: realm } = await (await fetch(`${base}/config.json`)).json();
    for (let i = 0; i < 25; i++) {
      made.domains.push((await call('POST', `${tw}/Domains.json`, { DomainName: `d${String(i).padStart(2, '0')}.${realm}`, FriendlyName: `Domain ${i}` })).sid);
    }
  }
  await page.goto(`${base}${path}`);
  await signIn(page);
  await page.getByRole('heading', { name: title, level: 1 }).waitFor();
  await page.getByText('Showing 1–20 of 25').waitFor();
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('Showing 21–25 of 25').waitFor();
  await waitForPath(page, `${path}?page=2`);
  await page.goBack();
  await page.getByText('Showing 1–20 of 25').waitFor();

  await page.getByLabel(label).fill(`${prefix} 2`);
  await waitForPath(page, `${path}?q=${prefix} 2`);
  // "App 20"–"App 24"; "Domain 2" and "Domain 20"–"Domain 24".
  const matching = dialect === 'plivo' ? 5 : 6;
  await page.getByText(`Showing 1–${matching} of ${matching} matching (25 in all)`).waitFor();
  await page.reload();
  assert.equal(await page.getByLabel(label).inputValue(), `${prefix} 2`);
  await page.getByText(`Showing 1–${matching} of ${matching} matching (25 in all)`).waitFor();
  await page.getByLabel(label).fill('no such thing');
  await page.getByText('no such thing').last().waitFor();
  await page.getByLabel(label).fill('');
  await waitForPath(page, path);

  // Sorted by name, descending: the last name first.
  const sort = page.getByLabel('Sort by');
  if (await sort.count()) await sort.selectOption({ label: 'Name, Z to A' });
  else {
    await page.getByRole('button', { name: 'Name', exact: true }).click();
    await page.getByRole('button', { name: 'Name', exact: true }).click();
  }
  await waitForPath(page, `${path}?sort=-name`);
  if (dialect === 'plivo') await page.getByRole('rowheader').first().filter({ hasText: 'App 24' }).waitFor();
  else {
    const { sip_realm: realm } = await (await fetch(`${base}/config.json`)).json();
    await page.getByRole('heading', { level: 2 }).first().filter({ hasText: `d24.${realm}` }).waitFor();
  }
  // Back: the order before.
  await page.goBack();
  await waitForPath(page, dialect === 'plivo' ? `${path}?sort=name` : path);
  if (dialect === 'twilio') {
    // A domain's thirteen ACLs to map narrow as one types; Enter picks the first.
    const search = page.getByLabel('Search IP access control lists to add').first();
    await search.fill('site 1');
    await page.getByText('4 of 13 match.').first().waitFor();
    const select = page.getByLabel('Add an IP access control list').first();
    assert.equal(await select.locator('option').count(), 5, 'the empty choice and four matches');
    await search.press('Enter');
    assert.equal(await select.evaluate((s) => s.options[s.selectedIndex].text), 'Site 1');
  }
  await page.context().close();
  errors.check(401);
});
