import { test as base, expect } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every browser test runs with this `test`: whatever happens in it, the pages it opened leave
 * as a closing desktop does (S-5: "leaving", then the page goes), so a failure cannot leave an
 * agent's page open, Ready or holding contacts, to take the next test's contacts. On a
 * failure the mail servers' logs are printed, to tell a slow mailbox from a page fault.
 */
export const test = base.extend<{ tidyBrowser: void }>({
  tidyBrowser: [
    async ({ browser }, use, testInfo) => {
      await use();
      if (testInfo.status !== testInfo.expectedStatus) printMailLogs();
      for (const context of browser.contexts()) {
        for (const page of context.pages()) {
          // What the page's own beacon says, awaited so it lands before the page goes.
          // (At most 2 s: a page stuck on a dialog must not hold the next test.)
          const left = page
            .evaluate(() => fetch('/api/leave', { method: 'POST' }).then((r) => r.status))
            .catch(() => 0);
          await Promise.race([left, new Promise((r) => setTimeout(r, 2000))]);
        }
        await context.close();
      }
    },
    { auto: true },
  ],
});

function printMailLogs() {
  const dir = process.env.SWITCHBOARD_E2E_IMAP_DIR;
  if (!dir) return;
  for (const name of ['dovecot.log', 'smtp.log']) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    console.log(`--- last lines of ${name} ---\n${lines.slice(-25).join('\n')}`);
  }
}

export { expect };
