import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from './fixtures';
import { agentReady, logIn } from './helpers';

const APP_SECRET = 'e2e-app-secret-5b7d0c2a';
const ACCESS_TOKEN = 'EAAG-e2e-page-token';
const VERIFY_TOKEN = 'shop-verify-e2e-1';
const PAGE_ID = '1234567890';

type Call = { method: string; path: string; authorization?: string; body: unknown };

/**
 * A stand-in for Meta's Graph API on this machine (the real one is on the internet): it
 * records each call and answers as Meta documents, when called with the page's token.
 */
async function fakeGraph(): Promise<{ url: string; calls: Call[]; server: Server }> {
  const calls: Call[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => resolve(text));
    });
  const server = createServer(async (req, res) => {
    const text = await read(req);
    const body = text ? JSON.parse(text) : null;
    calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'E2E' } }));
    } else if (req.method === 'GET') {
      res.end(JSON.stringify({ id: PAGE_ID, name: 'Switchboard Shop' }));
    } else {
      res.end(JSON.stringify({ recipient_id: body?.recipient?.id, message_id: `m_e2e_${calls.length}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, server };
}

/** A Messenger `messages` webhook post as Meta sends it, and its signature. */
function messengerPost(psid: string, mid: string, text: string): { body: string; signature: string } {
  const now = Date.now();
  const body = JSON.stringify({
    object: 'page',
    entry: [{ id: PAGE_ID, time: now, messaging: [{ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: now, message: { mid, text } }] }],
  });
  const signature = 'sha256=' + createHmac('sha256', APP_SECRET).update(body).digest('hex');
  return { body, signature };
}

test('F-1 D-2: Messenger set up in the administration: a customer message becomes a chat, the reply goes through the Send API', async ({ browser }) => {
  const graph = await fakeGraph();
  try {
    const admin = await logIn(browser, 'admin');
    await admin.setViewportSize({ width: 1366, height: 768 });
    await admin.goto('/admin/channels');
    await expect(admin.locator('fieldset.admin-live:not([disabled])')).toBeAttached();
    const nav = admin.getByRole('navigation', { name: 'Administration' });
    await expect(nav.getByRole('link', { name: 'Messenger and WhatsApp' })).toHaveAttribute('aria-current', 'page');
    const messenger = admin.locator('li[data-channel="messenger"]');
    await expect(messenger.locator('.mailbox-status')).toHaveText('Not set up');
    await expect(messenger.getByText('/webhooks/messenger')).toBeVisible();
    await expect(admin.locator('li[data-channel="whatsapp"] .mailbox-status')).toHaveText('Not set up');

    await messenger.getByRole('button', { name: 'Edit Messenger' }).click();
    const form = admin.getByRole('form', { name: 'Messenger settings' });
    await form.getByLabel('Queue').selectOption({ label: 'Billing' });
    await form.getByLabel('Business name').fill('Switchboard Shop');
    await form.getByLabel('Facebook Page id').fill('my page');
    await form.getByLabel('Verify token').fill(VERIFY_TOKEN);
    await form.getByLabel('Take conversations from this channel').check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    // Each field refused by name; what was typed stays.
    await expect(form.getByText('should look like "106540352242922"')).toBeVisible();
    await expect(form.locator('#channel-app-secret-error')).not.toBeEmpty();
    await expect(form.getByLabel('Verify token')).toHaveValue(VERIFY_TOKEN);
    await form.getByLabel('Facebook Page id').fill(PAGE_ID);
    await form.getByLabel('App secret').fill(APP_SECRET);
    await form.getByLabel('Access token').fill(ACCESS_TOKEN);
    await form.getByLabel('Address').fill(graph.url);

    // Test reads the Page through the Graph API with the token typed.
    const report = form.getByRole('status', { name: 'Channel test' });
    await form.getByRole('button', { name: 'Test' }).click();
    await expect(report).toContainText('✓ Meta answered: Switchboard Shop');
    expect(graph.calls.at(-1)).toMatchObject({ method: 'GET', path: `/v25.0/${PAGE_ID}?fields=id,name`, authorization: `Bearer ${ACCESS_TOKEN}` });
    await admin.screenshot({ path: 'test-results/screenshots/admin-channels-form-1366.png', fullPage: true });
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect(form).toHaveCount(0);
    await expect(messenger.locator('.mailbox-status')).toHaveText('On: conversations go to Billing');
    await admin.screenshot({ path: 'test-results/screenshots/admin-channels-1366.png', fullPage: true });

    // Write-only: the saved secrets never come back.
    await messenger.getByRole('button', { name: 'Edit Messenger' }).click();
    await expect(form.getByLabel('App secret')).toHaveValue('');
    await expect(form.getByText('Saved: leave empty to keep it')).toHaveCount(2);
    await admin.setViewportSize({ width: 900, height: 700 });
    await admin.screenshot({ path: 'test-results/screenshots/admin-channels-900.png', fullPage: true });
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await form.getByRole('button', { name: 'Cancel' }).click();

    // Meta subscribes the webhook with the verify token.
    const handshake = await admin.request.get(`/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=8675309`);
    expect(handshake.status()).toBe(200);
    expect(await handshake.text()).toBe('8675309');

    // A customer writes to the Page: Carol (Billing) is offered a Messenger chat.
    const carol = await agentReady(browser, 'carol');
    const post = messengerPost('7012345678901234', `m_e2e_${Date.now()}`, 'Hello, my invoice is wrong');
    const delivered = await carol.request.post('/webhooks/messenger', {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': post.signature },
      data: post.body,
    });
    expect(delivered.status()).toBe(200);
    const offer = carol.getByRole('article', { name: /Chat offer from/ });
    await expect(offer).toBeVisible();
    await expect(offer.getByRole('img', { name: 'Messenger' })).toBeVisible();
    await offer.getByRole('button', { name: 'Accept' }).click();
    const transcript = carol.getByRole('list', { name: 'Transcript' });
    await expect(transcript.getByText('Hello, my invoice is wrong')).toBeVisible();
    // F-2: the customer saw the message read when Carol took the chat, and sees her typing.
    const action = (name: string) => graph.calls.some((c) => (c.body as { sender_action?: string })?.sender_action === name);
    await expect.poll(() => action('mark_seen')).toBe(true);
    const box = carol.getByLabel('Message', { exact: true });
    await box.pressSequentially('Let me');
    await expect.poll(() => action('typing_on')).toBe(true);
    await box.fill('Let me look at it');
    await box.press('Enter');
    await expect.poll(() => graph.calls.some((c) => (c.body as { message?: { text?: string } })?.message?.text === 'Let me look at it')).toBe(true);
    const reply = graph.calls.find((c) => (c.body as { message?: { text?: string } })?.message?.text === 'Let me look at it');
    expect(reply).toMatchObject({
      method: 'POST',
      path: `/v25.0/${PAGE_ID}/messages`,
      authorization: `Bearer ${ACCESS_TOKEN}`,
      body: { recipient: { id: '7012345678901234' }, messaging_type: 'RESPONSE', message: { text: 'Let me look at it' } },
    });
    // F-2: nothing sent names the agent.
    expect(JSON.stringify(graph.calls)).not.toContain('Carol');
    await carol.screenshot({ path: 'test-results/screenshots/desktop-messenger-chat-1366.png', fullPage: true });
    await carol.getByRole('button', { name: 'End', exact: true }).click();

    // Audited, without a secret.
    await admin.setViewportSize({ width: 1366, height: 768 });
    await nav.getByRole('link', { name: 'Audit' }).click();
    const line = admin.getByRole('row').filter({ hasText: 'Messenger or WhatsApp channel saved' }).first();
    await expect(line).toContainText('messenger');
    await expect(line).not.toContainText(APP_SECRET);
    await expect(line).not.toContainText(ACCESS_TOKEN);

    // Switched off again: the next tests see no Messenger chat.
    await admin.goto('/admin/channels');
    await expect(admin.locator('fieldset.admin-live:not([disabled])')).toBeAttached();
    await admin.locator('li[data-channel="messenger"]').getByRole('button', { name: 'Edit Messenger' }).click();
    await admin.getByLabel('Take conversations from this channel').uncheck();
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await expect(admin.locator('li[data-channel="messenger"] .mailbox-status')).toHaveText('Off');
  } finally {
    graph.server.close();
  }
});
