import { sentMessages } from '../mail/smtp';
import { expect, test } from './fixtures';
import { expectAccessible, logIn } from './helpers';

/**
 * Issue 17: a CRM, with a read-and-write token an administrator made, adds a customer and
 * emails her from the Support queue's mailbox. The message reaches the real SMTP server
 * from the mailbox, with the mailbox's name; the administrator then finds the email among
 * the conversations, ended as sent, and reads it: from the mailbox, to the customer.
 */
test('issue 17: a CRM emails a customer through the API, and the email is a conversation', async ({
  browser,
  playwright,
}) => {
  test.setTimeout(90_000);
  const admin = await logIn(browser, 'admin', { context: { viewport: { width: 1366, height: 768 } } });
  await admin.goto('/admin/api-tokens');
  const section = admin.getByRole('region', { name: 'API tokens' });
  await section.getByLabel('Name').fill('Mailing CRM');
  await section.getByLabel('Access').selectOption({ label: 'Read and write' });
  await section.getByRole('button', { name: 'Create token' }).click();
  const secret = await section.getByRole('textbox', { name: 'Token for Mailing CRM' }).inputValue();
  const crm = await playwright.request.newContext({
    baseURL: new URL(admin.url()).origin,
    extraHTTPHeaders: { authorization: `Bearer ${secret}` },
  });
  try {
    const stamp = Date.now();
    const address = `ines.${stamp}@example.com`;
    const customer = await crm.post('/api/v1/customers', { data: { name: 'Inès Duarte', email: address } });
    expect(customer.status()).toBe(201);
    const queues = (await (await crm.get('/api/v1/queues')).json()).data as { id: number; name: string }[];
    const support = queues.find((q) => q.name === 'Support')!;
    const subject = `Your order ${stamp} has shipped`;
    const sent = await crm.post('/api/v1/emails', {
      data: {
        customer: (await customer.json()).id,
        queue: support.id,
        subject,
        body: 'Hello Inès,\nyour order left our warehouse today.',
        client_id: `order-${stamp}`,
      },
    });
    expect(sent.status()).toBe(201);
    const conversation = await sent.json();
    expect(conversation.status).toBe('ended');

    await expect.poll(() => sentMessages().filter((m) => m.subject === subject).length, { timeout: 20_000 }).toBe(1);
    const message = sentMessages().find((m) => m.subject === subject)!;
    expect(message.envelopeTo).toEqual([address]);
    expect(message.from).toContain('support@switchboard.test');
    expect(message.text).toContain('your order left our warehouse today.');

    // Among the conversations, for whoever may see Support's.
    await admin.goto('/conversations');
    const search = admin.getByRole('search', { name: 'Search conversations' });
    await search.getByLabel('Customer', { exact: true }).fill(address);
    await search.getByRole('button', { name: 'Search' }).click();
    const rows = admin.locator('.conversations-list tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('Inès Duarte');
    await expect(rows.first()).toContainText('Support');
    await expect(rows.first()).toContainText(subject);
    await rows.first().getByRole('button', { name: /Read the conversation of .* with Inès Duarte/ }).click();
    const read = admin.getByRole('region', { name: /Email of/ });
    await expect(read.getByText(subject)).toBeVisible();
    await expect(read.getByText('your order left our warehouse today.')).toBeVisible();
    await expect(read.getByText(address)).toBeVisible();
    await admin.screenshot({ path: 'test-results/screenshots/api-email-read-1366.png', fullPage: true });
    await expectAccessible(admin, 'conversations, an email the API sent');
    await admin.setViewportSize({ width: 900, height: 768 });
    await admin.screenshot({ path: 'test-results/screenshots/api-email-read-900.png', fullPage: true });
  } finally {
    await crm.dispose();
  }
});
