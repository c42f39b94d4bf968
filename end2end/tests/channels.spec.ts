import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { agentReady, customerStarts, logIn } from './helpers';

const APP_SECRET = 'e2e-app-secret-5b7d0c2a';
const ACCESS_TOKEN = 'EAAG-e2e-page-token';
const VERIFY_TOKEN = 'shop-verify-e2e-1';
const PAGE_ID = '1234567890';
const PHONE_NUMBER_ID = '106540352242922';
const MEDIA_ID = '1003383421387256';

type Call = { method: string; path: string; authorization?: string; body: unknown };

/** CRC-32 as PNG chunks carry it. */
function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A 160x100 PNG photo (a sky over a field), as a customer's phone would send one. */
function photo(): Buffer {
  const [width, height] = [160, 100];
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0);
    for (let x = 0; x < width; x++) {
      const sky = y < 60;
      rows.push(sky ? 90 + y : 60, sky ? 150 + y : 140 + (x % 20), sky ? 230 : 70);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A stand-in for Meta's Graph API on this machine (the real one is on the internet): it
 * records each call and answers as Meta documents, when called with the page's token; and
 * Messenger's CDN, which serves the files customers send at their own addresses.
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
    if (req.url?.startsWith('/cdn/')) {
      res.setHeader('content-type', 'image/png');
      res.end(photo());
      return;
    }
    const text = await read(req);
    const body = text ? JSON.parse(text) : null;
    calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'E2E' } }));
    } else if (req.method === 'GET' && req.url?.startsWith(`/v25.0/${MEDIA_ID}`)) {
      // WhatsApp's media lookup: where the customer's photo is downloaded, with the token.
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whatsapp_business/attachments/?mid=${MEDIA_ID}`;
      res.end(JSON.stringify({ messaging_product: 'whatsapp', url, mime_type: 'image/png', sha256: 'e2e', file_size: String(photo().length), id: MEDIA_ID }));
    } else if (req.method === 'GET' && req.url?.startsWith('/whatsapp_business/attachments/')) {
      res.setHeader('content-type', 'image/png');
      res.end(photo());
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

/** A Messenger webhook post of one `messaging` event as Meta sends it, and its signature. */
function messengerEvent(event: object): { body: string; signature: string } {
  const body = JSON.stringify({ object: 'page', entry: [{ id: PAGE_ID, time: Date.now(), messaging: [event] }] });
  const signature = 'sha256=' + createHmac('sha256', APP_SECRET).update(body).digest('hex');
  return { body, signature };
}

/** A WhatsApp Cloud API webhook post of one customer message as Meta sends it, and its signature. */
function whatsappPost(waId: string, name: string, message: object): { body: string; signature: string } {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
          contacts: [{ profile: { name }, wa_id: waId }],
          messages: [{ from: waId, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
        },
      }],
    }],
  });
  const signature = 'sha256=' + createHmac('sha256', APP_SECRET).update(body).digest('hex');
  return { body, signature };
}

/** A Messenger `messages` webhook post as Meta sends it, and its signature. */
function messengerPost(psid: string, message: object): { body: string; signature: string } {
  return messengerEvent({ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message });
}

/** The administrator on the Messenger and WhatsApp section, ready to edit. */
async function channelsAdmin(browser: Browser): Promise<Page> {
  const admin = await logIn(browser, 'admin');
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.goto('/admin/channels');
  await expect(admin.locator('fieldset.admin-live:not([disabled])')).toBeAttached();
  return admin;
}

/** Messenger on again (set up, with its secrets, by the first test), calling the fake at `graph`. */
async function messengerOn(admin: Page, graph: string) {
  await admin.locator('li[data-channel="messenger"]').getByRole('button', { name: 'Edit Messenger' }).click();
  const form = admin.getByRole('form', { name: 'Messenger settings' });
  await form.getByLabel('Take conversations from this channel').check();
  await form.getByLabel('Address').fill(graph);
  await form.getByLabel('Access token').fill(ACCESS_TOKEN);
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(admin.locator('li[data-channel="messenger"] .mailbox-status')).toHaveText('On: conversations go to Billing');
}

/** Ends each chat, by its tab's name. */
async function endAll(agent: Page, tabs: RegExp[]) {
  for (const name of tabs) {
    await agent.getByRole('tab', { name }).click();
    await agent.getByRole('button', { name: 'End', exact: true }).click();
  }
}

/** Messenger and WhatsApp switched off in the administration, for the tests after. */
async function switchBothOff(admin: Page) {
  for (const channel of ['messenger', 'whatsapp']) {
    const label = channel === 'messenger' ? 'Messenger' : 'WhatsApp';
    await admin.locator(`li[data-channel="${channel}"]`).getByRole('button', { name: `Edit ${label}` }).click();
    await admin.getByLabel('Take conversations from this channel').uncheck();
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await expect(admin.locator(`li[data-channel="${channel}"] .mailbox-status`)).toHaveText('Off');
  }
}

test('F-1 D-2: Messenger set up in the administration: a customer message becomes a chat, the reply goes through the Send API', async ({ browser }) => {
  const graph = await fakeGraph();
  try {
    const admin = await channelsAdmin(browser);
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
    const psid = '7012345678901234';
    const deliver = async (post: { body: string; signature: string }) => {
      const delivered = await carol.request.post('/webhooks/messenger', {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': post.signature },
        data: post.body,
      });
      expect(delivered.status()).toBe(200);
    };
    await deliver(messengerPost(psid, { mid: `m_e2e_${Date.now()}`, text: 'Hello, my invoice is wrong' }));
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
      body: { recipient: { id: '7012345678901234' }, messaging_type: 'RESPONSE', message: { text: 'Let me look at it', metadata: 'switchboard' } },
    });
    // F-2: nothing sent names the agent.
    expect(JSON.stringify(graph.calls)).not.toContain('Carol');
    // Meta took the reply: one tick; the customer read it: the ticks say so.
    const ours = transcript.locator('li.line.agent').filter({ hasText: 'Let me look at it' });
    await expect(ours.getByRole('img', { name: 'Sent' })).toBeVisible();
    await deliver(messengerEvent({ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), read: { watermark: Date.now() } }));
    await expect(ours.getByRole('img', { name: 'Read' })).toBeVisible();

    // The customer sends a photo of the invoice: shown in place, from our own store.
    await deliver(messengerPost(psid, {
      mid: `m_e2e_photo_${Date.now()}`,
      text: 'Here it is',
      attachments: [{ type: 'image', payload: { url: `${graph.url}/cdn/invoice_photo.png?_nc_cat=1` } }],
    }));
    const image = transcript.getByRole('img', { name: 'invoice_photo.png' });
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
    expect(await image.getAttribute('src')).toMatch(/^\/chat\/files\/\d+\/[0-9a-f]{64}$/);
    // A colleague answered in Meta's Page inbox: Carol sees it, marked as such.
    await deliver(messengerEvent({
      sender: { id: PAGE_ID }, recipient: { id: psid }, timestamp: Date.now(),
      message: { is_echo: true, app_id: 263902037430900, mid: `m_e2e_inbox_${Date.now()}`, text: 'We fixed invoices like this one before.' },
    }));
    await expect(transcript.getByText('Written in the Facebook Page inbox: We fixed invoices like this one before.')).toBeVisible();
    await carol.screenshot({ path: 'test-results/screenshots/desktop-messenger-chat-1366.png', fullPage: true });
    await carol.setViewportSize({ width: 900, height: 700 });
    await carol.screenshot({ path: 'test-results/screenshots/desktop-messenger-chat-900.png', fullPage: true });
    await carol.setViewportSize({ width: 1366, height: 768 });
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

test('F-1 F-3 C-1: a web chat, a Messenger chat and a WhatsApp chat in hand at once, each with its icon', async ({ browser }) => {
  test.setTimeout(90_000);
  const graph = await fakeGraph();
  try {
    // Both channels on, to Billing (Messenger keeps the secrets saved by the test before).
    const admin = await logIn(browser, 'admin');
    await admin.goto('/admin/channels');
    await expect(admin.locator('fieldset.admin-live:not([disabled])')).toBeAttached();
    await messengerOn(admin, graph.url);
    await admin.locator('li[data-channel="whatsapp"]').getByRole('button', { name: 'Edit WhatsApp' }).click();
    const whatsappForm = admin.getByRole('form', { name: 'WhatsApp settings' });
    await whatsappForm.getByLabel('Queue').selectOption({ label: 'Billing' });
    await whatsappForm.getByLabel('Business name').fill('Switchboard Shop');
    await whatsappForm.getByLabel('Phone number id').fill(PHONE_NUMBER_ID);
    await whatsappForm.getByLabel('Verify token').fill(VERIFY_TOKEN);
    await whatsappForm.getByLabel('App secret').fill(APP_SECRET);
    await whatsappForm.getByLabel('Access token').fill(ACCESS_TOKEN);
    await whatsappForm.getByLabel('Address').fill(graph.url);
    await whatsappForm.getByLabel('Take conversations from this channel').check();
    await whatsappForm.getByRole('button', { name: 'Save changes' }).click();
    await expect(admin.locator('li[data-channel="whatsapp"] .mailbox-status')).toHaveText('On: conversations go to Billing');

    const carol = await agentReady(browser, 'carol');
    const accept = async (name: RegExp) => {
      const offer = carol.getByRole('article', { name });
      await expect(offer).toBeVisible();
      await offer.getByRole('button', { name: 'Accept' }).click();
    };
    const deliver = async (path: string, post: { body: string; signature: string }) => {
      const delivered = await carol.request.post(path, {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': post.signature },
        data: post.body,
      });
      expect(delivered.status()).toBe(200);
    };
    await customerStarts(browser, 'Wanda Web', 'Billing or a refund');
    await accept(/Chat offer from Wanda Web/);
    await deliver('/webhooks/messenger', messengerPost('7099887766554433', { mid: `m_e2e_three_${Date.now()}`, text: 'Is my refund on its way?' }));
    await accept(/Chat offer from 7099887766554433/);
    await deliver('/webhooks/whatsapp', whatsappPost('16505551234', 'Sheena Nelson', {
      id: `wamid.e2e${Date.now()}`,
      type: 'image',
      image: { caption: 'The receipt, as asked', mime_type: 'image/png', sha256: 'e2e', id: MEDIA_ID },
    }));
    await accept(/Chat offer from Sheena Nelson/);

    // Three tabs, each with its channel's icon; the WhatsApp customer's photo in place.
    const tabs = carol.getByRole('navigation', { name: 'Contacts' }).getByRole('tab');
    await expect(tabs).toHaveCount(3);
    await expect(carol.getByRole('tab', { name: /Wanda Web/ }).getByRole('img', { name: 'Web chat' })).toBeVisible();
    await expect(carol.getByRole('tab', { name: /7099887766554433/ }).getByRole('img', { name: 'Messenger' })).toBeVisible();
    const whatsappTab = carol.getByRole('tab', { name: /Sheena Nelson/ });
    await expect(whatsappTab.getByRole('img', { name: 'WhatsApp' })).toBeVisible();
    await expect(whatsappTab).toHaveAttribute('aria-selected', 'true');
    const transcript = carol.getByRole('list', { name: 'Transcript' });
    await expect(transcript.getByText('The receipt, as asked')).toBeVisible();
    const image = transcript.getByRole('img', { name: 'image' });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
    // Fetched as Meta documents it: the lookup, then the download, each with the token.
    const media = graph.calls.filter((c) => c.path.startsWith(`/v25.0/${MEDIA_ID}`) || c.path.startsWith('/whatsapp_business/'));
    expect(media.map((c) => c.authorization)).toEqual([`Bearer ${ACCESS_TOKEN}`, `Bearer ${ACCESS_TOKEN}`]);
    await carol.screenshot({ path: 'test-results/screenshots/desktop-three-channels-1366.png', fullPage: true });
    await carol.setViewportSize({ width: 900, height: 700 });
    await carol.screenshot({ path: 'test-results/screenshots/desktop-three-channels-900.png', fullPage: true });
    const overflow = await carol.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // Each ended; the channels off again for the tests after.
    await endAll(carol, [/Sheena Nelson/, /7099887766554433/, /Wanda Web/]);
    await switchBothOff(admin);
  } finally {
    graph.server.close();
  }
});

test('F-3: past the 24-hour window WhatsApp offers the approved templates, Messenger says why no reply can go', async ({ browser }) => {
  test.setTimeout(90_000);
  const graph = await fakeGraph();
  try {
    // The administrator lists the template approved in WhatsApp Manager.
    const admin = await channelsAdmin(browser);
    await admin.locator('li[data-channel="whatsapp"]').getByRole('button', { name: 'Edit WhatsApp' }).click();
    const form = admin.getByRole('form', { name: 'WhatsApp settings' });
    await form.getByLabel('Take conversations from this channel').check();
    await form.getByLabel('Address').fill(graph.url);
    await form.getByLabel('Access token').fill(ACCESS_TOKEN);
    await form.getByRole('button', { name: 'Add a template' }).click();
    const row = form.locator('li.template-row').first();
    await row.getByLabel('Name').fill('Order update');
    await row.getByLabel('Language').fill('en_US');
    await row.getByLabel('Text').fill('Hello {{1}}, your order {{3}} has shipped.');
    await form.getByRole('button', { name: 'Save changes' }).click();
    // Refused by field and place; what was typed stays.
    await expect(row.getByText('should look like "order_update"')).toBeVisible();
    await expect(row.getByText('{{2}} is missing')).toBeVisible();
    await expect(row.getByLabel('Language')).toHaveValue('en_US');
    await row.getByLabel('Name').fill('order_update');
    await row.getByLabel('Text').fill('Hello {{1}}, your order {{2}} has shipped.');
    await admin.screenshot({ path: 'test-results/screenshots/admin-whatsapp-templates-1366.png', fullPage: true });
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect(admin.locator('li[data-channel="whatsapp"] .mailbox-status')).toHaveText('On: conversations go to Billing');
    await messengerOn(admin, graph.url);

    // A WhatsApp customer's message Meta hands over two days after it was written.
    const carol = await agentReady(browser, 'carol');
    const deliver = async (path: string, post: { body: string; signature: string }) => {
      const delivered = await carol.request.post(path, {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': post.signature },
        data: post.body,
      });
      expect(delivered.status()).toBe(200);
    };
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    await deliver('/webhooks/whatsapp', whatsappPost('16505550199', 'Ravi Patel', {
      id: `wamid.e2e.late${Date.now()}`,
      timestamp: String(Math.floor(twoDaysAgo / 1000)),
      type: 'text',
      text: { body: 'Where is my order?' },
    }));
    const offer = carol.getByRole('article', { name: /Chat offer from Ravi Patel/ });
    await offer.getByRole('button', { name: 'Accept' }).click();
    const transcript = carol.getByRole('list', { name: 'Transcript' });
    await expect(transcript.getByText('Where is my order?')).toBeVisible();
    // Handed over late: the line says when the customer wrote it.
    await expect(transcript.locator('li.line.customer').filter({ hasText: 'Where is my order?' })).toContainText('written');
    await expect(carol.getByRole('status').filter({ hasText: 'WhatsApp now carries only a template Meta approved' })).toBeVisible();
    await expect(carol.getByLabel('Message', { exact: true })).toHaveCount(0);
    await carol.getByLabel('Template').selectOption({ label: 'order_update (en_US)' });
    await carol.getByLabel('Value of {{1}}').fill('Ravi');
    await carol.getByRole('button', { name: 'Send template' }).click();
    await expect(carol.getByText('Value of {{2}}: required')).toBeVisible();
    await carol.getByLabel('Value of {{2}}').fill('#4521');
    await expect(carol.locator('.template-preview')).toContainText('Hello Ravi, your order #4521 has shipped.');
    await carol.screenshot({ path: 'test-results/screenshots/desktop-whatsapp-template-1366.png', fullPage: true });
    await carol.setViewportSize({ width: 900, height: 700 });
    await carol.screenshot({ path: 'test-results/screenshots/desktop-whatsapp-template-900.png', fullPage: true });
    const overflow = await carol.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await carol.setViewportSize({ width: 1366, height: 768 });
    await carol.getByRole('button', { name: 'Send template' }).click();

    // Shown as the customer reads it, named by its template, sent as Meta's template message.
    const sent = transcript.locator('li.line.agent').filter({ hasText: 'Hello Ravi, your order #4521 has shipped.' });
    await expect(sent).toContainText('template order_update (en_US)');
    await expect(sent.getByRole('img', { name: 'Sent' })).toBeVisible();
    const call = graph.calls.find((c) => (c.body as { type?: string })?.type === 'template');
    expect(call).toMatchObject({
      method: 'POST',
      path: `/v25.0/${PHONE_NUMBER_ID}/messages`,
      body: {
        messaging_product: 'whatsapp',
        to: '16505550199',
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ravi' }, { type: 'text', text: '#4521' }] }],
        },
      },
    });

    // The customer answers the template a day later, in a new chat: the box is back, and the
    // details show their WhatsApp profile and the earlier conversation.
    await carol.getByRole('button', { name: 'End', exact: true }).click();
    await deliver('/webhooks/whatsapp', whatsappPost('16505550199', 'Ravi Patel', {
      id: `wamid.e2e.back${Date.now()}`,
      type: 'text',
      text: { body: 'Thanks, it arrived!' },
    }));
    await carol.getByRole('article', { name: /Chat offer from Ravi Patel/ }).getByRole('button', { name: 'Accept' }).click();
    await expect(transcript.getByText('Thanks, it arrived!')).toBeVisible();
    await expect(carol.getByLabel('Message', { exact: true })).toBeEnabled();
    const details = carol.locator('.customer-details');
    await expect(details.getByText('WhatsApp profile')).toBeVisible();
    await expect(details).toContainText('Ravi Patel · +16505550199');
    await expect(details).not.toContainText('Problem');
    const history = details.getByRole('region', { name: 'Earlier conversations (1)' });
    await expect(history.getByRole('listitem')).toHaveCount(1);
    await expect(history).toContainText('Where is my order?');
    await expect(history).toContainText('Billing');
    await carol.screenshot({ path: 'test-results/screenshots/desktop-customer-history-1366.png', fullPage: true });

    // A Messenger customer who wrote two days ago (the human-agent tag off): no reply can go.
    await deliver('/webhooks/messenger', messengerEvent({
      sender: { id: '7055544433322211' }, recipient: { id: PAGE_ID }, timestamp: twoDaysAgo,
      message: { mid: `m_e2e_late_${Date.now()}`, text: 'Did you get my photo?' },
    }));
    await carol.getByRole('article', { name: /Chat offer from 7055544433322211/ }).getByRole('button', { name: 'Accept' }).click();
    await expect(transcript.getByText('Did you get my photo?')).toBeVisible();
    await expect(carol.getByRole('status').filter({ hasText: 'Meta no longer carries a reply in this chat' })).toBeVisible();
    await expect(carol.getByLabel('Message', { exact: true })).toBeDisabled();
    await expect(carol.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
    await carol.screenshot({ path: 'test-results/screenshots/desktop-messenger-window-closed-1366.png', fullPage: true });

    // Each ended; the channels off again for the tests after.
    await endAll(carol, [/7055544433322211/, /Ravi Patel/]);
    await switchBothOff(admin);
  } finally {
    graph.server.close();
  }
});

test('Issue 16: a Messenger customer who writes the address they gave on the web chat is linked by the agent, with both conversations', async ({ browser }) => {
  test.setTimeout(90_000);
  const graph = await fakeGraph();
  try {
    const admin = await channelsAdmin(browser);
    await messengerOn(admin, graph.url);

    // A web chat, with the address the customer gives in the form.
    const carol = await agentReady(browser, 'carol');
    const shop = await (await browser.newContext()).newPage();
    await shop.goto('/demo');
    await shop.getByRole('button', { name: 'Chat with us' }).click();
    const widget = shop.frameLocator('iframe[title="Chat with us"]');
    await widget.getByLabel('Name').fill('Ravi Link');
    await widget.getByLabel('Email').fill('ravi.link@example.com');
    await widget.getByLabel('What is it about?').selectOption({ label: 'Billing or a refund' });
    await widget.getByRole('button', { name: 'Start chat' }).click();
    await carol.getByRole('article', { name: /Chat offer from Ravi Link/ }).getByRole('button', { name: 'Accept' }).click();
    await endAll(carol, [/Ravi Link/]);

    // Days later on Messenger, where the Page knows them by an id and a profile name.
    const post = messengerPost('7077700011122233', { mid: `m_e2e_link_${Date.now()}`, text: 'Hello, it is me again: Ravi.Link@example.com' });
    const delivered = await carol.request.post('/webhooks/messenger', {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': post.signature },
      data: post.body,
    });
    expect(delivered.status()).toBe(200);
    await carol.getByRole('article', { name: /Chat offer from 7077700011122233/ }).getByRole('button', { name: 'Accept' }).click();
    const details = carol.locator('.customer-details');
    await expect(details.getByRole('region', { name: /Earlier conversations/ })).toHaveCount(0);

    // Looked up by hand: a name is not an address, an unknown number finds nobody.
    await details.getByRole('button', { name: 'Same customer as…' }).click();
    const address = details.getByLabel('Same customer as', { exact: true });
    await address.fill('Ravi');
    await details.getByRole('button', { name: 'Look up' }).click();
    await expect(details.getByRole('alert')).toContainText('Same customer as: type an email address, or a phone number with its country code (8 to 15 digits)');
    await expect(address).toHaveValue('Ravi');
    await address.fill('+1 202 555 0199');
    await details.getByRole('button', { name: 'Look up' }).click();
    await expect(details.getByText('No customer is known by +12025550199.')).toBeVisible();
    await details.getByRole('button', { name: 'Cancel' }).click();

    // Suggested from what they wrote; linked once the agent has read who it is.
    const suggestion = details.getByRole('status').filter({ hasText: 'The customer wrote ravi.link@example.com, which Ravi Link gave before.' });
    await expect(suggestion).toBeVisible();
    await carol.screenshot({ path: 'test-results/screenshots/desktop-link-suggestion-1366.png', fullPage: true });
    await suggestion.getByRole('button', { name: 'Same customer?' }).click();
    const confirm = details.getByRole('alertdialog');
    await expect(confirm).toContainText('Ravi Link · ravi.link@example.com · conversations: 1');
    await carol.screenshot({ path: 'test-results/screenshots/desktop-link-confirm-1366.png', fullPage: true });
    await carol.setViewportSize({ width: 900, height: 700 });
    await carol.screenshot({ path: 'test-results/screenshots/desktop-link-confirm-900.png', fullPage: true });
    const overflow = await carol.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await carol.setViewportSize({ width: 1366, height: 768 });
    await confirm.getByRole('button', { name: 'Yes, link to Ravi Link' }).click();

    // The tab is the known customer's now, with their web chat before this one.
    await expect(details.getByRole('button', { name: /Ravi Link/ })).toBeVisible();
    await expect(details).toContainText('ravi.link@example.com');
    const history = details.getByRole('region', { name: 'Earlier conversations (1)' });
    await expect(history).toContainText('Web chat');
    await expect(history).toContainText('Billing or a refund');
    await expect(suggestion).toHaveCount(0);
    await expect(carol.getByRole('tab', { name: /Ravi Link/ })).toBeVisible();
    await carol.screenshot({ path: 'test-results/screenshots/desktop-linked-1366.png', fullPage: true });

    // Issue 17 (P-5): the web chat opens whole, read-only, and closes again.
    await history.getByRole('button', { name: /^Read the conversation of / }).click();
    const read = details.getByRole('region', { name: /^Web chat, / });
    await expect(read.getByRole('listitem').first()).toContainText('Welcome! An agent will be with you shortly.');
    await expect(read).toContainText('Carol has joined the chat.');
    await carol.screenshot({ path: 'test-results/screenshots/desktop-past-read-1366.png', fullPage: true });
    await read.getByRole('button', { name: 'Close' }).click();
    await expect(read).toHaveCount(0);

    await endAll(carol, [/Ravi Link/]);
    await switchBothOff(admin);
  } finally {
    graph.server.close();
  }
});
