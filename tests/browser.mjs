// The one way the tests and the bench start Debian's Chromium headless
// (playwright-core never downloads a browser here). Without the
// background-networking flags Chromium keeps trying this machine's closed
// network.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
