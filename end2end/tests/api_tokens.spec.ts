import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { expectAccessible, logIn } from './helpers';
import { serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own: its tokens and audit are nobody else's.
const PORT = 3117;
const ORIGIN = `http://127.0.0.1:${PORT}`;

/**
 * Issue 17: an administrator creates an API token for the CRM (a blank name is refused
 * where it is typed), copies its secret from the page (shown this once), and the CRM reads
 * the API with it; the list then shows its last use; revoked after saying yes, the token
 * opens nothing.
 */
test('issue 17: an administrator creates an API token, a program reads the API with it, and it is revoked', async ({
  browser,
  playwright,
}) => {
  test.setTimeout(90_000);
  const server = await startServer(
    serverEnv(PORT, mkdtempSync(join(tmpdir(), 'switchboard-tokens-db-')), { SWITCHBOARD_DEMO: 'true' }),
  );
  const crm = await playwright.request.newContext({ baseURL: ORIGIN });
  try {
    const admin = await logIn(browser, 'admin', { context: { baseURL: ORIGIN, viewport: { width: 1366, height: 768 } } });
    await admin.goto('/admin/api-tokens');
    await expect(admin).toHaveTitle(/API tokens/);
    const section = admin.getByRole('region', { name: 'API tokens' });
    await expect(section.getByText('No tokens yet.')).toBeVisible();

    const name = section.getByLabel('Name');
    await section.getByRole('button', { name: 'Create token' }).click();
    await expect(section.locator('#api-token-name-error')).toHaveText('Token name: required');
    await expect(name).toHaveAttribute('aria-invalid', 'true');
    await name.fill('Acme CRM');
    await section.getByLabel('Access').selectOption({ label: 'Read and write' });
    await section.getByRole('button', { name: 'Create token' }).click();

    // Shown once, selected for copying.
    const fresh = section.getByRole('region', { name: 'Copy the token for Acme CRM now' });
    const secretField = fresh.getByLabel('Token for Acme CRM');
    await expect(secretField).toBeFocused();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^sbt_[0-9a-f]{64}$/);
    await expect(name).toHaveValue('');
    const rows = section.locator('.tokens-list tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('Acme CRM');
    await expect(rows.first()).toContainText('Read and write');
    await expect(rows.first()).toContainText('Never');
    await admin.screenshot({ path: 'test-results/screenshots/api-tokens-created-1366.png', fullPage: true });
    await expectAccessible(admin, 'API tokens, a token just created');

    // The CRM reads with it.
    const bearer = { authorization: `Bearer ${secret}` };
    const me = await crm.get('/api/v1/token', { headers: bearer });
    expect(me.status()).toBe(200);
    expect((await me.json()).scope).toBe('read_write');
    const queues = await crm.get('/api/v1/queues', { headers: bearer });
    expect((await queues.json()).data.map((q: { name: string }) => q.name)).toContain('Support');
    // ...and, being read-and-write, adds a customer the administration then finds.
    const added = await crm.post('/api/v1/customers', {
      headers: bearer,
      data: { name: 'Kim Lee', email: 'kim.lee@example.com', tags: ['From CRM'] },
    });
    expect(added.status()).toBe(201);
    expect((await added.json()).tags).toEqual(['from crm']);

    await fresh.getByRole('button', { name: 'Done' }).click();
    await expect(fresh).toHaveCount(0);
    await expect(name).toBeFocused();
    await admin.reload();
    await expect(rows.first()).not.toContainText('Never');
    await expect(section.getByLabel('Token for Acme CRM')).toHaveCount(0);

    // Revoked after saying yes: the CRM is refused from then on.
    await rows.first().getByRole('button', { name: 'Revoke Acme CRM' }).click();
    const confirm = section.getByRole('alertdialog', { name: 'Revoke Acme CRM?' });
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await admin.screenshot({ path: 'test-results/screenshots/api-tokens-revoke-1366.png', fullPage: true });
    await expectAccessible(admin, 'API tokens, a revocation asked');
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(confirm).toHaveCount(0);
    await expect(section.getByRole('table', { name: 'Tokens' })).toBeFocused();
    await expect(rows.first()).toContainText(/Revoked /);
    await expect(rows.first().getByRole('button', { name: 'Revoke Acme CRM' })).toHaveCount(0);
    const refused = await crm.get('/api/v1/queues', { headers: bearer });
    expect(refused.status()).toBe(401);
    expect((await refused.json()).error).toBe('invalid_token');

    // The customer the CRM added is there for the administration, as any other.
    await admin.goto('/admin/privacy');
    await admin.getByLabel('Name, email address or phone number').fill('kim.lee@');
    await admin.getByRole('button', { name: 'Search' }).click();
    await expect(admin.locator('.customers-list tbody tr').filter({ hasText: 'Kim Lee' })).toHaveCount(1);
  } finally {
    await crm.dispose();
    await stopServer(server.process);
  }
});
