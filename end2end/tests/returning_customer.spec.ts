import { type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { agentReady } from './helpers';
import { serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own: Dave is the only agent of Support, and each chat he takes
// is one this test started.
const PORT = 3113;
const ORIGIN = `http://127.0.0.1:${PORT}`;

/** Dave accepts Zoé's chat about `problem`, and reads its details in Manage Chat and Email. */
async function accepts(dave: Page, problem: string) {
  await dave.getByRole('tab', { name: 'Chat and Email Control' }).click();
  await dave.getByRole('article', { name: 'Chat offer from Zoé Martin' }).getByRole('button', { name: 'Accept' }).click();
  await dave.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  const details = dave.locator('.customer-details');
  await expect(details).toContainText('zoe.martin@example.com');
  await expect(details).toContainText(problem);
}

/**
 * Issue 17: a returning customer is the same customer. Zoé chats from the demo shop and
 * ends the chat; from the same browser she starts a new one with the same address, and
 * Dave sees her first chat among her earlier conversations. She then has the browser
 * forgotten: her next chat is a new customer's, without that history.
 */
test('issue 17: a customer back in the same browser has her earlier chat in the agent\'s view, until she forgets the browser', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const server = await startServer(
    serverEnv(PORT, mkdtempSync(join(tmpdir(), 'switchboard-returning-db-')), { SWITCHBOARD_DEMO: 'true' }),
  );
  try {
    const dave = await agentReady(browser, 'dave', {
      context: { baseURL: ORIGIN, viewport: { width: 1366, height: 768 } },
    });
    const shop = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await shop.goto(`${ORIGIN}/demo`);
    await shop.getByRole('button', { name: 'Chat with us' }).click();
    const widget = shop.frameLocator('iframe[title="Chat with us"]');
    await expect(widget.getByText('We remember this browser')).toBeHidden();
    await widget.getByLabel('Name').fill('Zoé Martin');
    await widget.getByLabel('Email').fill('zoe.martin@example.com');
    await widget.getByLabel('What is it about?').selectOption({ label: 'Help with my order' });
    await widget.getByRole('button', { name: 'Start chat' }).click();
    await accepts(dave, 'Help with my order');
    await expect(widget.getByText('Dave has joined the chat.')).toBeVisible();
    await expect(dave.getByRole('region', { name: /Earlier conversations/ })).toHaveCount(0);
    await widget.getByRole('button', { name: 'End chat' }).click();
    await expect(widget.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    await shop.screenshot({ path: 'test-results/screenshots/widget-chat-ended-1366.png' });

    // Back in the same browser: the form again, the browser remembered; the same customer.
    await widget.getByRole('button', { name: 'Start a new chat' }).click();
    await expect(widget.getByText('We remember this browser')).toBeVisible();
    await expect(widget.getByLabel('Name')).toHaveValue('Zoé Martin');
    await shop.screenshot({ path: 'test-results/screenshots/widget-remembered-1366.png' });
    await widget.getByLabel('What is it about?').selectOption({ label: 'Something is broken' });
    await widget.getByRole('button', { name: 'Start chat' }).click();
    await accepts(dave, 'Something is broken');
    const history = dave.getByRole('region', { name: 'Earlier conversations (1)' });
    await expect(history).toContainText('Help with my order');
    await expect(history).toContainText('Dave');

    // Dave tags Zoé and leaves a note for whoever meets her next: a note must say something.
    const about = dave.getByRole('region', { name: 'What agents know of this customer' });
    await expect(about).toContainText('No tags');
    await about.getByRole('button', { name: 'Edit tags' }).click();
    const tags = about.getByLabel('Tags', { exact: true });
    await expect(tags).toBeFocused();
    await tags.fill('VIP, late delivery, vip');
    await about.getByRole('button', { name: 'Save tags' }).click();
    await expect(about.getByRole('listitem')).toHaveText(['vip', 'late delivery']);
    await about.getByRole('button', { name: 'Add a note' }).click();
    await about.getByRole('button', { name: 'Save note' }).click();
    await expect(about.getByRole('alert')).toHaveText('Note: required');
    await about.screenshot({ path: 'test-results/screenshots/desktop-customer-note-form-1366.png' });
    await about.getByLabel('Note for the agents who meet this customer').fill('Prefers email.\nRefund sent on 2 December.');
    await about.getByRole('button', { name: 'Save note' }).click();
    await expect(about.getByRole('heading', { name: 'Notes (1)' })).toBeVisible();
    await expect(about.locator('.note-text')).toHaveText('Prefers email.\nRefund sent on 2 December.');
    await expect(about.locator('.note-by')).toContainText('Dave · ');
    await dave.screenshot({ path: 'test-results/screenshots/desktop-returning-customer-1366.png' });
    await dave.setViewportSize({ width: 900, height: 700 });
    await dave.screenshot({ path: 'test-results/screenshots/desktop-returning-customer-900.png' });
    await widget.getByRole('button', { name: 'End chat' }).click();

    // Forgotten: her next chat is a new customer's.
    await widget.getByRole('button', { name: 'Start a new chat' }).click();
    await widget.getByRole('button', { name: 'Forget this browser' }).click();
    await expect(widget.getByText('This browser is forgotten: your next chat starts without the earlier ones.')).toBeVisible();
    await widget.getByRole('button', { name: 'Start chat' }).click();
    await accepts(dave, 'Something is broken');
    await expect(widget.getByText('Dave has joined the chat.')).toHaveCount(1);
    await expect(dave.getByRole('region', { name: /Earlier conversations/ })).toHaveCount(0);
    await expect(dave.getByRole('region', { name: 'What agents know of this customer' })).toContainText('No tags');
    await expect(dave.locator('.note-text')).toHaveCount(0);
    await shop.context().close();
    await dave.context().close();
  } finally {
    await stopServer(server.process);
  }
});
