// Accessibility, keyboard use and hostile input, in Chromium against the
// release console: axe-core on every page and dialog, keyboard-only flows
// with focus returning where it was, XSS payloads shown as text. Screenshots
// of every page at desktop and phone widths go to target/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, watchErrors } from '../browser.mjs';

const base = process.env.BASE_URL;
const apiBase = process.env.API_URL || base;
const firstRun = JSON.parse(readFileSync(process.env.FIRST_RUN, 'utf8'));
const account = firstRun.account.auth_id;
const basic = 'Basic ' + Buffer.from(`${account}:${firstRun.account.auth_token}`).toString('base64');
const shots = process.env.SCREENSHOTS || 'target/screenshots';
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });

async function api(method, path, body) {
  const r = await fetch(`${apiBase}/v1/Account/${account}/${path}`, {
    method, headers: { authorization: basic, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

/** axe-core on the page as it is now; fails listing every violation. */
async function axe(page, what) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(result, [], `axe on ${what}`);
}

/** Light and dark (through the header's toggle), desktop and phone. */
async function shoot(page, name) {
  // With a modal dialog open the page behind it is inert: set the theme directly.
  const modal = await page.evaluate(() => !!document.querySelector('dialog[open]'));
  const setTheme = async (theme) => {
    if (modal) await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
    else {
      // On a phone the switch is inside the header's menu: switch at desktop width.
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.getByRole('button', { name: 'Dark theme' }).click();
    }
  };
  for (const theme of ['light', 'dark']) {
    if (theme === 'dark') await setTheme('dark');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
    for (const [w, h] of [[1280, 800], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: `${shots}/${name}-${theme}-${w}x${h}.png`, fullPage: true });
      // Nothing but a table may be wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} ${theme} at ${w}px is ${overflow}px too wide`);
    }
    if (theme === 'dark') {
      await axe(page, `${name} in the dark theme`);
      await setTheme('light');
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function focusedName(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') || el.textContent.trim() || el.id}` : '';
  });
}

test('every page and dialog passes axe, by keyboard, with hostile input shown as text', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  page.on('dialog', (d) => { errors.problems.push(`a script opened a ${d.type()} dialog`); d.dismiss(); });

  // Sign in with the keyboard only.
  await page.goto(`${base}/sign-in`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await axe(page, 'sign-in');
  await shoot(page, 'sign-in');
  await page.getByLabel('Operator username').focus();
  await page.keyboard.type(firstRun.operator.username);
  await page.keyboard.press('Tab');
  assert.equal(await focusedName(page), 'input:operator-password');
  await page.keyboard.type(firstRun.operator.password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'SIP credentials' }).waitFor();
  await page.getByText('No credentials yet.').waitFor();
  await axe(page, 'credentials, empty');

  // The create dialog by keyboard: focus goes in, Escape closes it, focus
  // comes back to the button that opened it.
  const open = page.getByRole('button', { name: 'Create credential' });
  await open.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create credential' });
  await dialog.waitFor();
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus moved into the dialog');
  await dialog.getByLabel('Username').focus();
  await page.keyboard.type('<img src=x onerror=alert(1)>');
  await dialog.getByText("Username: '<' is not allowed.").waitFor();
  await axe(page, 'create credential dialog with an error');
  await shoot(page, 'credential-create');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await focusedName(page), 'button:Create credential');

  // Create one by keyboard: Tab order username → password → its buttons.
  await page.keyboard.press('Enter');
  await dialog.getByLabel('Username').focus();
  await page.keyboard.type('keyboard.user');
  await page.keyboard.press('Tab');
  assert.equal(await focusedName(page), 'input:new-password');
  await page.keyboard.type('Keyboard-Passw0rd-26');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Created credential keyboard.user.' }).waitFor();
  await page.getByRole('row', { name: /keyboard\.user/ }).waitFor();
  await axe(page, 'credentials with a row');
  await shoot(page, 'credentials');

  // Hostile names and descriptions are text, never markup.
  const payloads = ['<img src=x onerror="window.__xss=1">', '"><script>window.__xss=2</script>'];
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'IP ACLs' }).click();
  await page.getByRole('button', { name: 'Create IP ACL' }).click();
  await page.getByRole('dialog', { name: 'Create IP ACL' }).getByLabel('Name').fill(payloads[0]);
  await axe(page, 'create IP ACL dialog');
  await page.getByRole('dialog', { name: 'Create IP ACL' }).getByRole('button', { name: 'Create IP ACL' }).click();
  await page.getByRole('heading', { name: payloads[0] }).waitFor();
  await page.getByLabel('Address or range').fill('198.51.100.7/24');
  await page.getByLabel('Description (optional)').fill(payloads[1]);
  await page.getByRole('button', { name: 'Use 198.51.100.0/24' }).waitFor();
  await axe(page, 'ACL detail with a warning');
  await page.getByRole('button', { name: 'Add entry' }).click();
  await page.getByRole('cell', { name: payloads[1] }).waitFor();
  await page.getByRole('button', { name: 'Import entries' }).click();
  await page.getByLabel('Entries, one per line').fill('203.0.113.300\n192.0.2.0/24,ok');
  await page.getByText('1 entry ready to import; 1 line with errors.').waitFor();
  await axe(page, 'import dialog with an error');
  await page.keyboard.press('Escape');
  await shoot(page, 'acl-detail');
  await page.getByRole('link', { name: 'IP access control lists' }).click();
  await page.getByRole('link', { name: payloads[0] }).waitFor();
  await page.getByLabel('Address to test').fill('198.51.100.9');
  await page.getByRole('button', { name: 'Find admitting entries' }).click();
  await page.getByText('Admitted by 1 entry').waitFor();
  await axe(page, 'IP ACLs with the tester');
  await shoot(page, 'acls');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('button', { name: 'Create application' }).click();
  const form = page.getByRole('dialog', { name: 'Create application' });
  await form.getByLabel('Name').fill(payloads[1]);
  await form.getByLabel('SIP authentication').selectOption('ip_acl');
  await form.getByLabel('IP ACL').selectOption({ label: payloads[0] });
  await axe(page, 'application dialog');
  await form.getByRole('button', { name: 'Create application' }).click();
  await page.getByRole('row', { name: /script/ }).getByRole('link', { name: payloads[0] }).waitFor();
  await axe(page, 'applications');
  await shoot(page, 'applications');

  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no payload ran');

  // Leave the account empty for the next run.
  for (const app of (await api('GET', 'Application/')).body.objects) await api('DELETE', `Application/${app.app_id}/`);
  for (const acl of (await api('GET', 'SipAuth/IpAccessControlList/')).body.objects) await api('DELETE', `SipAuth/IpAccessControlList/${acl.ip_acl_uuid}/`);
  for (const c of (await api('GET', 'SipAuth/Credential/')).body.objects) await api('DELETE', `SipAuth/Credential/${c.credential_uuid}/`);
  await context.close();
  errors.check(401, 409);
});
