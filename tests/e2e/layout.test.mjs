// The layout proof, per dialect: `cargo xtask test` runs this file against a
// fresh server for each `--dialect`. It fills the account through that
// provider's API with the longest names the model allows (20 credentials,
// ACLs with IPv4 and IPv6 entries, and the dialect's applications, trunks,
// credential lists and domains), then visits every page and opens every
// dialog a page's buttons open, at 360×740 and 1280×800 in both themes:
// nothing wider than the screen (page or dialog, also with 2,000 characters
// pasted into a field or the search box), axe finds nothing, the header menu
// works by keyboard on a phone, and each view is saved to
// SCREENSHOTS/<dialect>-<page>-<width>-<theme>.png. Any uncaught page error
// or console error other than an expected HTTP status fails it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, watchErrors } from '../browser.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.BASE_URL;
const dialect = process.env.DIALECT || 'plivo';
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const shots = process.env.SCREENSHOTS || 'target/screenshots';
mkdirSync(shots, { recursive: true });
const { auth_id: account, auth_token: token } = firstRun.account;
const SIZES = [[360, 740], [1280, 800]];
const THEMES = ['light', 'dark'];

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

// ---- Data through the provider's API -------------------------------------

const auth = dialect === 'vobiz'
  ? { 'x-auth-id': account, 'x-auth-token': token }
  : { authorization: 'Basic ' + Buffer.from(`${account}:${token}`).toString('base64') };

/** A write through the provider's API (twilio: a form), which must succeed. */
async function write(path, body) {
  const form = dialect === 'twilio';
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  });
  const answer = await r.json().catch(() => null);
  assert.ok(r.status < 300, `POST ${path}: ${r.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Words up to exactly `n` characters (no trailing space): a long, real-looking name. */
function long(n, start) {
  const words = `${start} regional office in Amsterdam-Zuidoost, second floor reception and warehouse handsets with failover to the backup site `;
  let s = words;
  while (s.length < n) s += words;
  return s.slice(0, n).replace(/\s$/, 'x');
}

/** A username of exactly `max` characters, numbered. */
function username(i, max) {
  return `reception.desk.handset.${'northwest'.repeat(8)}`.slice(0, max - 4) + '-' + String(i).padStart(3, '0');
}

const PASSWORD = 'Wonderland-2026x';
// An unbroken name: no space to wrap at.
const UNBROKEN = 'X'.repeat(120);
const ENTRIES = [
  ['203.0.113.0', 24], ['10.0.0.1', 8], ['198.51.100.7', 32],
  ['2001:db8:85a3::8a2e:370:7334', 128], ['2001:db8::', 32],
];

async function seed() {
  const made = { acls: [], lists: [] };
  if (dialect === 'twilio') {
    const root = `/2010-04-01/Accounts/${account}/SIP`;
    for (const name of [long(64, 'Office phones'), 'Y'.repeat(64)]) {
      made.lists.push((await write(`${root}/CredentialLists.json`, { FriendlyName: name })).sid);
    }
    for (let i = 0; i < 20; i++) {
      await write(`${root}/CredentialLists/${made.lists[0]}/Credentials.json`, { Username: username(i, 32), Password: PASSWORD });
    }
    for (const name of [long(120, 'Carrier edge'), UNBROKEN, 'Office']) {
      const sid = (await write(`${root}/IpAccessControlLists.json`, { FriendlyName: name })).sid;
      made.acls.push(sid);
      for (const [ip, prefix] of ENTRIES) {
        await write(`${root}/IpAccessControlLists/${sid}/IpAddresses.json`,
          { IpAddress: ip, CidrPrefixLength: String(prefix), FriendlyName: long(255, `Entry ${ip}`) });
      }
    }
    const { sip_realm: realm } = await (await fetch(`${base}/config.json`)).json();
    const label = 'pbx-' + 'frontoffice'.repeat(5);
    for (const [i, friendly] of [long(64, 'Main PBX'), 'Z'.repeat(64)].entries()) {
      const domain = await write(`${root}/Domains.json`, {
        DomainName: `${label.slice(0, 60)}${i}.${realm}`, FriendlyName: friendly,
        VoiceUrl: `https://voice.example.com/${'handler/'.repeat(40)}answer`,
      });
      const auth = `${root}/Domains/${domain.sid}/Auth`;
      await write(`${auth}/Calls/CredentialListMappings.json`, { CredentialListSid: made.lists[0] });
      await write(`${auth}/Calls/IpAccessControlListMappings.json`, { IpAccessControlListSid: made.acls[0] });
      await write(`${auth}/Calls/IpAccessControlListMappings.json`, { IpAccessControlListSid: made.acls[1] });
      await write(`${auth}/Registrations/CredentialListMappings.json`, { CredentialListSid: made.lists[1] });
    }
    return made;
  }
  if (dialect === 'vobiz') {
    for (let i = 0; i < 20; i++) {
      await write(`/api/v1/account/${account}/credentials`,
        { username: username(i, 64), password: PASSWORD, description: long(255, `Handset ${i}`), enabled: i % 4 !== 0 });
    }
    return made;
  }
  const v1 = `/v1/Account/${account}`;
  const credentials = [];
  for (let i = 0; i < 20; i++) {
    const body = { username: username(i, 64), password: PASSWORD };
    if (dialect === 'zentrunk') body.name = long(120, `Handset ${i}`);
    const path = dialect === 'zentrunk' ? `${v1}/Zentrunk/Credential/` : `${v1}/SipAuth/Credential/`;
    credentials.push((await write(path, body)).credential_uuid);
  }
  for (const name of [long(120, 'Carrier edge'), UNBROKEN, 'Office']) {
    const entries = ENTRIES.map(([ip, cidr_prefix]) => ({ ip, cidr_prefix, description: long(255, `Entry ${ip}`) }));
    made.acls.push((await write(`${v1}/SipAuth/IpAccessControlList/`, { name, entries })).ip_acl_uuid);
  }
  if (dialect === 'plivo') {
    const kinds = ['credential_and_ip_acl', 'credential', 'ip_acl', ''];
    for (const [i, kind] of kinds.entries()) {
      await write(`${v1}/Application/`, {
        app_name: i === 1 ? 'W'.repeat(120) : long(120, `Support line ${i}`),
        answer_url: `https://answer.example.com/${'route/'.repeat(60)}x`,
        sip_auth_type: kind,
        ...(kind.includes('credential') ? { credential_uuid: credentials[i] } : {}),
        ...(kind.includes('ip_acl') ? { ip_acl_uuid: made.acls[i % 2] } : {}),
      });
    }
  }
  if (dialect === 'zentrunk') {
    for (const [i, direction] of ['outbound', 'inbound', 'outbound'].entries()) {
      await write(`${v1}/Zentrunk/Trunk/`, {
        name: i === 2 ? 'T'.repeat(120) : long(120, `Trunk ${i}`), trunk_direction: direction,
        credential_uuid: credentials[i], ip_acl_uuid: made.acls[i % 2],
      });
    }
  }
  return made;
}

/** Counts the page's requests in flight, for `idle`. */
function countRequests(page) {
  page.inFlight = 0;
  page.on('request', () => { page.inFlight += 1; });
  page.on('requestfinished', () => { page.inFlight -= 1; });
  page.on('requestfailed', () => { page.inFlight -= 1; });
}

/** No request in flight for two frames in a row. */
async function idle(page) {
  for (let quiet = 0; quiet < 2;) {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    quiet = page.inFlight === 0 ? quiet + 1 : 0;
  }
}

// ---- Checks on the page as it is now ----------------------------------------

/** Fails listing every axe violation. */
async function axe(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(result, [], `axe on ${what}`);
}

/** Nothing wider than the screen: the page, and an open dialog's content. */
async function fits(page, what) {
  const [page_, dialog] = await page.evaluate(() => {
    const d = document.querySelector('dialog[open]');
    return [
      document.scrollingElement.scrollWidth - window.innerWidth,
      d ? Math.max(d.scrollWidth - d.clientWidth, d.getBoundingClientRect().right - window.innerWidth) : 0,
    ];
  });
  assert.ok(page_ <= 0, `${what}: the page is ${page_} px wider than the screen`);
  assert.ok(dialog <= 0, `${what}: the dialog is ${dialog} px wider than itself or the screen`);
}

/** The theme through the header's switch (its state shown and pressed). */
async function setTheme(page, theme) {
  await page.setViewportSize({ width: 1280, height: 800 });
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  const pressed = theme === 'dark' ? 'true' : 'false';
  if (await toggle.getAttribute('aria-pressed') !== pressed) await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), pressed);
  assert.equal((await toggle.textContent()).trim(), `Dark theme: ${theme === 'dark' ? 'on' : 'off'}`);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
}

/** The layout has caught up with a new width (one frame, and the labels' frame). */
async function resize(page, [width, height]) {
  await page.setViewportSize({ width, height });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function check(page, name, theme) {
  for (const size of SIZES) {
    await resize(page, size);
    const what = `${dialect} ${name} at ${size[0]} px, ${theme}`;
    await fits(page, what);
    await axe(page, what);
    await page.screenshot({ path: `${shots}/${dialect}-${name}-${size[0]}-${theme}.png`, fullPage: true });
  }
}

const FIELDS = 'input:not([type=checkbox]):not([type=radio]):not([type=password]):not([type=hidden]), textarea';

/** Buttons of the page (not the header's, sort, copy, pager, form or export
 *  buttons) that may open a dialog, one per visible text. */
async function dialogButtons(page) {
  return page.evaluate(() => {
    const seen = new Set();
    return [...document.querySelectorAll('main button[type=button]')]
      .filter((b) => !b.closest('form, dialog, nav, thead') && !b.classList.contains('link')
        && !b.classList.contains('export')
        && !(b.getAttribute('aria-label') || '').startsWith('Fix ') && b.offsetParent !== null && !b.disabled)
      .map((b) => b.textContent.trim())
      .filter((t) => t && !seen.has(t) && seen.add(t));
  });
}

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Every dialog the page's buttons open, checked like a page, and with
 *  2,000 characters pasted into each of its text fields on a phone. */
async function checkDialogs(page, name, theme) {
  for (const text of await dialogButtons(page)) {
    await resize(page, SIZES[1]);
    await page.locator('main button[type=button]').filter({ hasText: text }).first().click();
    const opened = await page.waitForSelector('dialog[open]', { timeout: 2000 }).then(() => true, () => false);
    if (!opened) continue;
    // Its content has loaded (pickers fill from a request).
    await idle(page);
    await check(page, `${name}-${slug(text)}`, theme);
    if (theme === 'light') {
      await resize(page, SIZES[0]);
      const dialog = page.locator('dialog[open]');
      const fields = dialog.locator(FIELDS);
      for (let i = 0; i < await fields.count(); i++) {
        if (!await fields.nth(i).isEditable()) continue;
        await fields.nth(i).fill('2001:db8:'.repeat(222) + '12');
        await fits(page, `${dialect} ${name} ${text} with 2,000 characters in field ${i}`);
      }
    }
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
  }
}

// ---- The proof ------------------------------------------------------------------

test(`every page and dialog of ${dialect} fits a phone, passes axe and is screenshotted`, async () => {
  const made = await seed();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  countRequests(page);
  const errors = watchErrors(page);

  await page.goto(`${base}/`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link').first().waitFor();
  const links = await nav.getByRole('link').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  const pages = links.map(([text, href]) => [slug(text), href]);
  if (made.acls.length) pages.push(['acl-detail', `/acls/${made.acls[0]}`]);
  if (made.lists.length) pages.push(['credential-list', `/credential-lists/${made.lists[0]}`]);

  for (const theme of THEMES) {
    for (const [name, href] of pages) {
      await page.goto(`${base}${href}`);
      await page.locator('main h1').first().waitFor();
      await idle(page);
      await setTheme(page, theme);
      await check(page, name, theme);
      await checkDialogs(page, name, theme);
      // 2,000 characters in each field of the page on a phone (the search,
      // the entry form, the IP tester): what it says about them wraps.
      if (theme === 'light') {
        await resize(page, SIZES[0]);
        const fields = page.locator(`main ${FIELDS.split(', ').join(', main ')}`);
        for (let i = 0; i < await fields.count(); i++) {
          const field = fields.nth(i);
          if (!await field.isVisible() || !await field.isEditable()) continue;
          await field.fill('2001:db8:'.repeat(222) + '12');
          await fits(page, `${dialect} ${name} with 2,000 characters in field ${i}`);
          await field.fill('');
        }
      }
    }
  }
  // On a phone each list row is a card: its values are labelled.
  await page.goto(`${base}${pages[0][1]}`);
  await page.locator('table.list tbody tr').first().waitFor();
  await resize(page, SIZES[0]);
  const labels = await page.locator('table.list tbody tr').first().locator('td:not(.row-actions)')
    .evaluateAll((tds) => tds.map((td) => getComputedStyle(td, '::before').content));
  assert.ok(labels.length > 0 && labels.every((l) => l.length > 4), `labelled cells: ${labels}`);

  // A value cut to one line takes focus and then shows whole.
  const cut = page.locator('table.list td[data-clip][tabindex="0"]').first();
  {
    // Cells are measured in the frame after the resize.
    await cut.waitFor({ timeout: 5000 }).catch(() => {});
    assert.equal(await cut.count(), 1, 'a long value is cut to one line on a phone');
    const before = await cut.evaluate((td) => td.getBoundingClientRect().height);
    await cut.focus();
    const [after, whole] = await cut.evaluate((td) => [td.getBoundingClientRect().height, td.title === td.textContent]);
    assert.ok(after > before && whole, `a cut value shows whole on focus (${before} → ${after} px)`);
  }

  // Toasts on a phone: four copies make three toasts along the bottom,
  // covering little of the screen, and they leave by themselves.
  const copies = page.locator('table.list button', { hasText: /^Copy$/ });
  if (await copies.count() >= 4) {
    for (let i = 0; i < 4; i++) await copies.nth(i).click();
    // What the last button copied is the whole value, not the cut one.
    const value = await copies.nth(3).evaluate((b) => b.parentElement.querySelector('code').title);
    await page.waitForFunction((v) => navigator.clipboard.readText().then((t) => t === v), value);
    const toasts = page.locator('.toasts [role=status]');
    await page.waitForFunction(() => document.querySelectorAll('.toasts [role=status]').length === 3);
    const covered = await page.locator('.toasts').evaluate((t) => t.getBoundingClientRect().height / window.innerHeight);
    assert.ok(covered < 0.3, `the toasts cover ${Math.round(covered * 100)}% of a phone's screen`);
    await page.screenshot({ path: `${shots}/${dialect}-toasts-360-${await page.evaluate(() => document.documentElement.dataset.theme)}.png` });
    await toasts.first().waitFor({ state: 'detached', timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('.toasts [role=status]').length === 0, null, { timeout: 15_000 });
  }
  // 401: the session probe before sign-in.
  errors.check(401);
  await context.close();
});

test(`the ${dialect} header is a menu on a phone, worked by keyboard`, async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${base}/`);
  await page.getByLabel('Operator username').fill(firstRun.operator.username);
  await page.getByLabel('Password', { exact: true }).fill(firstRun.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The sign-in form has a heading too: wait for the console to move on
  // (a move closes the menu, so the menu is opened after it).
  await page.waitForURL((url) => url.pathname !== '/sign-in');
  await page.locator('main h1').first().waitFor();

  const menu = page.getByRole('button', { name: 'Menu' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  // The header is one short line; the navigation is folded away.
  const height = await page.locator('header.top').evaluate((h) => h.getBoundingClientRect().height);
  assert.ok(height <= 56, `the header is ${height} px high on a phone`);
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await nav.isVisible(), false);
  assert.equal(await menu.getAttribute('aria-controls'), 'main-menu');

  // Opens with Enter, closes with Escape, focus back on its button.
  await menu.focus();
  await page.keyboard.press('Enter');
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await nav.getByRole('link').first().waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('#main-menu')), true);
  await page.keyboard.press('Escape');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-controls')), 'main-menu');
  assert.equal(await nav.isVisible(), false);

  // Tabbing past its last control closes it: it would cover what gets focus.
  await page.keyboard.press('Enter');
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  for (let i = 0; i < 20 && await page.evaluate(() => !!document.activeElement.closest('header')); i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await menu.focus();

  // Choosing a page closes it.
  await page.keyboard.press('Space');
  const last = nav.getByRole('link').last();
  const href = await last.getAttribute('href');
  await last.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}${href}`);
  await page.waitForFunction(() => document.querySelector('[aria-controls=main-menu]').getAttribute('aria-expanded') === 'false');
  assert.equal(await nav.isVisible(), false);
  // The page chosen may still be on its way (its chunk): axe checks it shown.
  await page.locator('main h1').first().waitFor();
  await axe(page, `${dialect} header menu`);

  // Every control of the page is reached by Tab and lies within the
  // screen's width (no sideways scrolling to reach a row's buttons).
  await page.goto(`${base}${await page.locator('#main-menu nav a').first().getAttribute('href')}`);
  await page.locator('table.list tbody tr, .card, .empty').first().waitFor();
  // What comes after the list has painted (the credentials page's dialogs
  // and exports, other pages' preloads) is here too: every control counts.
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => document.activeElement?.blur());
  const reached = new Set();
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return { name: `${el.tagName} ${el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40)}`, left: r.left, right: r.right, x: window.scrollX };
    });
    if (at.name.startsWith('BODY')) break;
    reached.add(at.name);
    assert.ok(at.x === 0 && at.left >= 0 && at.right <= 361, `${at.name} lies outside a 360 px screen (${at.left}–${at.right}, scrolled ${at.x})`);
  }
  assert.ok(reached.size > 10, `only ${reached.size} controls reached by Tab`);
  await menu.click();
  await axe(page, `${dialect} header menu, open`);
  await page.screenshot({ path: `${shots}/${dialect}-menu-360-light.png` });
  // 401: the session probe before sign-in.
  errors.check(401);
  await context.close();
});

test('a dark system gets a dark first paint, before the console starts', async () => {
  const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  // Without its wasm the console never starts: what shows is index.html and the stylesheet.
  await page.route(/\.wasm$/, (route) => route.abort());
  await page.goto(`${base}/`);
  const [background, scheme] = await page.evaluate(() => [
    getComputedStyle(document.documentElement).backgroundColor,
    document.querySelector('meta[name=color-scheme]')?.content,
  ]);
  assert.equal(background, 'rgb(18, 22, 28)');
  assert.equal(scheme, 'light dark');
  await context.close();
});
