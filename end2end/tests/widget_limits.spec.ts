import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own, whose widget reads are bounded at 20 a minute per address
// (one comes back every 3 s), so the limit is reached and passed in a moment.
const PORT = 3114;
const ORIGIN = `http://127.0.0.1:${PORT}`;

/**
 * Issue 17: what the widget reads is bounded per address. A customer whose address has
 * used its allowance reads the limit in the widget, in place of the form's choices, and
 * the form comes back by itself once the wait the server gave is over.
 */
test('issue 17: a widget turned away for too many requests says so, then comes back by itself', async ({ browser }) => {
  test.setTimeout(60_000);
  const server = await startServer(
    serverEnv(PORT, mkdtempSync(join(tmpdir(), 'switchboard-limits-db-')), {
      SWITCHBOARD_DEMO: 'true',
      SWITCHBOARD_WIDGET_READS_PER_MINUTE: '20',
    }),
  );
  try {
    const page = await (await browser.newContext({ viewport: { width: 420, height: 640 } })).newPage();
    let refused = 0;
    for (let i = 0; i < 25; i++) {
      const r = await page.request.get(`${ORIGIN}/widget/api/availability`);
      if (r.status() === 429) refused++;
    }
    expect(refused).toBeGreaterThan(0);
    await page.goto(`${ORIGIN}/widget/chat.html`);
    // The session is asked again after its wait (a token every 3 s), then the form's refusal shows.
    await expect(page.getByText('Too many requests from your address: at most 20 a minute.')).toBeVisible({ timeout: 10_000 });
    await page.screenshot({ path: 'test-results/screenshots/widget-too-many-requests.png' });
    const problem = page.getByLabel('What is it about?');
    await expect(problem.locator('option', { hasText: 'Help with my order' })).toHaveCount(1, { timeout: 20_000 });
    await expect(page.getByText('Too many requests')).toBeHidden();
    await problem.selectOption({ label: 'Help with my order' });
  } finally {
    await stopServer(server.process);
  }
});
