import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { expectAccessible, logIn } from './helpers';
import { serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own: its webhooks, deliveries and audit are nobody else's, and
// it retries a delivery every second at most.
const PORT = 3118;
const ORIGIN = `http://127.0.0.1:${PORT}`;

type Received = { delivery: string; event: string; signature: string; body: string };

/** A CRM's receiver on loopback: every POST kept, answered 200. */
function receiver(port: number, got: Received[]): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      got.push({
        delivery: String(request.headers['switchboard-delivery']),
        event: String(request.headers['switchboard-event']),
        signature: String(request.headers['switchboard-signature']),
        body,
      });
      response.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** The README's recipe, in JavaScript: HMAC-SHA256 of "time.body" with the secret. */
function verified(secret: string, received: Received): boolean {
  const parts = Object.fromEntries(received.signature.split(',').map((p) => p.split('=', 2)));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${received.body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Issue 17: an administrator adds a webhook for the CRM (refused by field until its
 * address is https or this machine's and it wants an event), copies its secret (shown this
 * once), and the CRM receives a customer's change, signed; with the CRM down, the delivery
 * log shows the tries and why they failed, and once it is back the delivery arrives; a
 * delivery is sent again from the log; the webhook is paused and deleted after asking.
 */
test('issue 17: an administrator adds a webhook, reads its deliveries and sends one again', async ({
  browser,
  playwright,
}) => {
  test.setTimeout(120_000);
  const server = await startServer(
    serverEnv(PORT, mkdtempSync(join(tmpdir(), 'switchboard-webhooks-db-')), {
      SWITCHBOARD_DEMO: 'true',
      SWITCHBOARD_WEBHOOK_RETRY_MAX_SECS: '1',
    }),
  );
  const got: Received[] = [];
  const probe = await receiver(0, got);
  const hookPort = (probe.address() as { port: number }).port;
  let crmReceiver: Server | undefined = probe;
  const crm = await playwright.request.newContext({ baseURL: ORIGIN });
  try {
    const admin = await logIn(browser, 'admin', { context: { baseURL: ORIGIN, viewport: { width: 1366, height: 768 } } });
    await admin.goto('/admin/webhooks');
    await expect(admin).toHaveTitle(/Webhooks/);
    const section = admin.getByRole('region', { name: 'Webhooks' }).first();
    await expect(section.getByText('No webhooks yet.')).toBeVisible();

    // Refused where it is typed: a plain-http address elsewhere, no event.
    await section.getByLabel('Name').fill('Acme CRM');
    await section.getByLabel('Address').fill('http://crm.example.com/hooks');
    for (const box of await section.getByRole('group', { name: 'Events' }).getByRole('checkbox').all()) {
      await box.uncheck();
    }
    await section.getByRole('button', { name: 'Add webhook' }).click();
    await expect(section.locator('#webhook-url-error')).toContainText('Webhook address');
    await expect(section.locator('#webhook-events-error')).toContainText('Events: required');
    await expect(section.getByLabel('Address')).toHaveAttribute('aria-invalid', 'true');
    await admin.screenshot({ path: 'test-results/screenshots/webhooks-refused-1366.png', fullPage: true });

    await section.getByLabel('Address').fill(`http://127.0.0.1:${hookPort}/hook`);
    await section.getByRole('checkbox', { name: 'Customer updated' }).check();
    await section.getByRole('button', { name: 'Add webhook' }).click();
    const fresh = section.getByRole('region', { name: 'Copy the secret of Acme CRM now' });
    const secretField = fresh.getByLabel('Secret of Acme CRM');
    await expect(secretField).toBeFocused();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const rows = section.locator('.webhooks-list tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('Acme CRM');
    await expect(rows.first()).toContainText('Customer updated');
    await expect(rows.first()).toContainText('Waiting: 0 · Failed: 0');
    await admin.screenshot({ path: 'test-results/screenshots/webhooks-created-1366.png', fullPage: true });
    await expectAccessible(admin, 'Webhooks, a webhook just added');
    await fresh.getByRole('button', { name: 'Done' }).click();

    // The CRM adds a customer through the API: the webhook hears of it, signed.
    await admin.goto('/admin/api-tokens');
    const tokens = admin.getByRole('region', { name: 'API tokens' });
    await tokens.getByLabel('Name').fill('Acme CRM');
    await tokens.getByLabel('Access').selectOption({ label: 'Read and write' });
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const token = await tokens.getByRole('textbox', { name: 'Token for Acme CRM' }).inputValue();
    const bearer = { authorization: `Bearer ${token}` };
    const added = await crm.post('/api/v1/customers', { headers: bearer, data: { name: 'Inès Duarte' } });
    expect(added.status()).toBe(201);
    const customer = (await added.json()).id as number;
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(1);
    expect(got[0].event).toBe('customer.updated');
    expect(verified(secret, got[0])).toBe(true);
    expect(verified('whsec_other', got[0])).toBe(false);
    const body = JSON.parse(got[0].body);
    expect(body.data.customer).toMatchObject({ id: customer, name: 'Inès Duarte' });

    // The CRM is down: the change waits, and the log says why.
    await new Promise((r) => crmReceiver!.close(r));
    crmReceiver = undefined;
    const changed = await crm.patch(`/api/v1/customers/${customer}`, { headers: bearer, data: { email: 'ines@example.com' } });
    expect(changed.status()).toBe(200);
    await admin.goto('/admin/webhooks');
    await section.getByRole('button', { name: 'Deliveries of Acme CRM' }).click();
    const log = admin.getByRole('region', { name: 'Deliveries of Acme CRM' });
    await expect(log).toBeFocused();
    const deliveries = log.locator('.deliveries-list tbody tr');
    await expect(async () => {
      await log.getByRole('button', { name: 'Refresh' }).click();
      await expect(deliveries.first()).toContainText('could not connect', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(deliveries).toHaveCount(2);
    await expect(deliveries.first()).toContainText('Waiting, next try');
    await expect(deliveries.first()).toContainText(`Customer ${customer}`);
    await expect(deliveries.nth(1)).toContainText('Delivered');
    await expect(deliveries.nth(1)).toContainText('HTTP 200');
    await admin.screenshot({ path: 'test-results/screenshots/webhooks-log-1366.png', fullPage: true });
    await expectAccessible(admin, 'Webhooks, the delivery log with a receiver down');

    // Back: the waiting delivery arrives, then one is sent again from the log.
    crmReceiver = await receiver(hookPort, got);
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(2);
    expect(JSON.parse(got[1].body).data.customer.email).toBe('ines@example.com');
    expect(verified(secret, got[1])).toBe(true);
    await expect(async () => {
      await log.getByRole('button', { name: 'Refresh' }).click();
      await expect(deliveries.first()).toContainText('Delivered', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await log.getByRole('button', { name: `Send delivery ${got[0].delivery} again` }).click();
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(3);
    expect(got[2].delivery).toBe(got[0].delivery);
    expect(got[2].body).toBe(got[0].body);
    await admin.setViewportSize({ width: 900, height: 768 });
    await expect(async () => {
      await log.getByRole('button', { name: 'Refresh' }).click();
      await expect(deliveries.nth(1)).toContainText('Delivered', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await admin.screenshot({ path: 'test-results/screenshots/webhooks-log-900.png', fullPage: true });

    // Paused, then deleted after saying yes.
    await section.getByRole('button', { name: 'Pause Acme CRM' }).click();
    await expect(rows.first()).toContainText('Paused');
    await section.getByRole('button', { name: 'Delete Acme CRM' }).click();
    const confirm = admin.getByRole('alertdialog', { name: 'Delete Acme CRM?' });
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(section.getByText('No webhooks yet.')).toBeVisible();
    await expect(log).toHaveCount(0);
  } finally {
    await crm.dispose();
    if (crmReceiver) await new Promise((r) => crmReceiver!.close(r));
    await stopServer(server.process);
  }
});
