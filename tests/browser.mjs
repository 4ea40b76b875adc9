// The one way the tests and the bench start Debian's Chromium headless
// (playwright-core never downloads a browser here). Without the
// background-networking flags Chromium keeps trying this machine's closed
// network. Without the features off, every new tab also has Chromium build
// its omnibox popup (a WebUI renderer loading some 400 chrome:// files):
// about 1.3 s of CPU per 8 tabs, on a 2-core machine, beside the page
// under test. A second --disable-features replaces playwright's, so the
// list starts with playwright's own (those of 1.65.1, pinned in package.json).
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const PLAYWRIGHT_DISABLED = ['AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable', 'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect', 'TcpPortRandomizationWin', 'OptimizationHints', 'NetworkTimeServiceQuerying',
  'AimEnabled', 'PreconnectToSearch'];
const OMNIBOX_POPUP = ['WebUIOmniboxPopup', 'WebUIOmniboxFullPopup', 'WebUIOmniboxAimPopup', 'PreloadTopChromeWebUI'];

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      `--disable-features=${[...PLAYWRIGHT_DISABLED, ...OMNIBOX_POPUP].join(',')}`],
  });
}

/**
 * Records a page's uncaught errors and console errors from the start. Every
 * e2e test ends with `check(...statuses)`: it fails on any of them except the
 * browser's note of an HTTP status the test provoked on purpose (a 401 before
 * sign-in, a 409 it asked for). A wasm panic is a page error, never excused.
 */
export function watchErrors(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return {
    problems,
    check(...statuses) {
      const left = problems.filter((p) => !(p.startsWith('console: Failed to load resource')
        && statuses.some((s) => p.includes(`status of ${s} (`))));
      assert.deepEqual(left, [], 'errors on the page');
    },
  };
}

/**
 * The plivo API of the first-run account, with its token: `api(method,
 * path, body)` answers `{status, body}` (body null for a 204).
 */
export function accountApi(apiBase, firstRun) {
  const account = firstRun.account.auth_id;
  const basic = 'Basic ' + Buffer.from(`${account}:${firstRun.account.auth_token}`).toString('base64');
  return async function api(method, path, body) {
    const r = await fetch(`${apiBase}/v1/Account/${account}/${path}`, {
      method, headers: { authorization: basic, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: r.status === 204 ? null : await r.json() };
  };
}
