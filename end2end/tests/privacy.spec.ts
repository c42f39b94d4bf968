import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { expectAccessible, logIn, zoeChatsWithDave } from './helpers';
import { serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own: the customer it erases is nobody else's.
const PORT = 3116;
const ORIGIN = `http://127.0.0.1:${PORT}`;

/**
 * Issue 17: customers and privacy. Zoé chats with Dave. The administrator sets a retention
 * (a shorter one asks first), finds Zoé, exports her as JSON and erases her after saying
 * yes; Dave's Conversations page still lists the chat, with its contents erased.
 */
test('issue 17: an administrator sets the retention, exports a customer and erases her', async ({ browser }) => {
  test.setTimeout(120_000);
  const server = await startServer(
    serverEnv(PORT, mkdtempSync(join(tmpdir(), 'switchboard-privacy-db-')), { SWITCHBOARD_DEMO: 'true' }),
  );
  try {
    const { dave, widget, context } = await zoeChatsWithDave(browser, ORIGIN);
    await widget.getByLabel('Message').fill('Mon colis 4512 est perdu');
    await widget.getByLabel('Message').press('Enter');
    await expect(dave.getByRole('list', { name: 'Transcript' }).getByText('Mon colis 4512 est perdu')).toBeVisible();

    const admin = await logIn(browser, 'admin', { context });
    await admin.goto('/admin/privacy');
    await expect(admin).toHaveTitle(/Customers and privacy/);

    // The retention: a first one erases what is older, so it asks before saving.
    const retention = admin.locator('form', { has: admin.getByRole('heading', { name: 'Retention' }) });
    const days = retention.getByLabel('Keep contents for (days)');
    await expect(days).toHaveValue('');
    await days.fill('0');
    await retention.getByRole('button', { name: 'Save' }).click();
    await expect(retention.locator('#retention-error')).toHaveText('must be between 1 and 36500 (0 given)');
    await days.fill('365');
    await retention.getByRole('button', { name: 'Save' }).click();
    const ask = retention.getByRole('alertdialog');
    await expect(ask).toContainText('Conversations that ended more than 365 days ago lose their contents for good');
    await expect(ask.getByRole('button', { name: 'Save and erase' })).toBeFocused();
    await ask.getByRole('button', { name: 'Save and erase' }).click();
    await expect(retention.getByRole('status')).toHaveText('Saved.');

    // Zoé is found by her address; her chat going on keeps her from being erased.
    const customers = admin.getByRole('region', { name: 'Customers' });
    await customers.getByLabel('Name, email address or phone number').fill('ZOE.MARTIN@');
    await customers.getByRole('button', { name: 'Search' }).click();
    const rows = customers.locator('.customers-list tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('Zoé Martin');
    await expect(rows.first()).toContainText('1 not over');
    await rows.first().getByRole('button', { name: 'Erase Zoé Martin' }).click();
    const confirm = customers.getByRole('alertdialog', { name: 'Erase Zoé Martin?' });
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Erase for good' }).click();
    await expect(confirm.getByRole('alert')).toHaveText(/Customer: has 1 conversation not over yet/);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirm).toHaveCount(0);

    await dave.getByRole('button', { name: 'End', exact: true }).click();
    await expect(widget.getByText('Dave has left the chat.')).toBeVisible();
    await customers.getByRole('button', { name: 'Search' }).click();
    await expect(rows.first()).not.toContainText('not over');

    // Everything about her, as a file.
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      rows.first().getByRole('link', { name: 'Export Zoé Martin as JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^customer-\d+\.json$/);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(exported.customer.name).toBe('Zoé Martin');
    expect(exported.customer.email).toBe('zoe.martin@example.com');
    const lines = exported.conversations[0].lines.map((l: { body: { text?: string } }) => l.body.text);
    expect(lines).toContain('Mon colis 4512 est perdu');

    await rows.first().getByRole('button', { name: 'Erase Zoé Martin' }).click();
    await expect(confirm).toContainText('and the contents of their conversation: messages');
    await admin.screenshot({ path: 'test-results/screenshots/privacy-erase-1366.png', fullPage: true });
    await expectAccessible(admin, 'privacy, an erasure asked');
    await admin.setViewportSize({ width: 900, height: 768 });
    await admin.screenshot({ path: 'test-results/screenshots/privacy-erase-900.png', fullPage: true });
    await confirm.getByRole('button', { name: 'Erase for good' }).click();
    await expect(customers.getByRole('status').first()).toHaveText('Customer erased, with the contents of their conversation.');
    await expect(customers.getByText('No customer matches.')).toBeVisible();
    await expect(confirm).toHaveCount(0);

    // The chat stays on the Conversations page, its contents gone.
    await dave.goto('/conversations');
    const search = dave.getByRole('search', { name: 'Search conversations' });
    await expect(search.getByRole('button', { name: 'Search' })).toBeEnabled();
    const found = dave.locator('.conversations-list tbody tr');
    await expect(found).toHaveCount(1);
    await found.first().getByRole('button', { name: /Read the conversation of/ }).click();
    await expect(dave.getByText(/Its contents were erased on/)).toBeVisible();
    await expect(dave.getByText('Mon colis 4512 est perdu')).toHaveCount(0);
    await search.getByLabel('Words').fill('colis');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(dave.getByText('No conversation matches.')).toBeVisible();
  } finally {
    await stopServer(server.process);
  }
});
