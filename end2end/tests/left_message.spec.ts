import { type Browser, type FrameLocator, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sentMessages, type Sent } from '../mail/smtp';
import { expect, test } from './fixtures';
import { serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own (demo data, nobody logged in), so no agent left logged in by
// another test is "available", and a Dovecot of its own for its mailbox (an empty INBOX);
// replies go to the shared SMTP capture.
const PORT = 3111;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const IMAP_PORT = 3145;
const MAILBOX = 'support@switchboard.test';
const run = Date.now();

/** The messages the SMTP server received for `address` with `subject`, once there. */
async function sentTo(address: string, subject: string): Promise<Sent> {
  let found: Sent | undefined;
  await expect
    .poll(
      () => {
        found = sentMessages().find((m) => m.envelopeTo.includes(address) && m.subject === subject);
        return found !== undefined;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  return found!;
}

/** Léa opens the widget on the demo shop (in a browser of her own, or `page`'s) and asks
 * for a chat about her order. */
async function customerStarts(
  browser: Browser,
  email: string,
  page?: Page,
): Promise<{ shop: Page; widget: FrameLocator }> {
  const shop = page ?? (await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage());
  await shop.goto(`${ORIGIN}/demo`);
  await shop.getByRole('button', { name: 'Chat with us' }).click();
  const widget = shop.frameLocator('iframe[title="Chat with us"]');
  await widget.getByLabel('Name').fill('Léa Dubois');
  await widget.getByLabel('Email').fill(email);
  await widget.getByLabel('What is it about?').selectOption({ label: 'Help with my order' });
  await widget.getByRole('button', { name: 'Start chat' }).click();
  return { shop, widget };
}

async function agentReady(browser: Browser, username: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  await page.goto(`${ORIGIN}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('switchboard');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(page).toHaveTitle(/Ready|Reserved/);
  return page;
}

/**
 * Issue 17 (K-4): a customer on the demo shop with no agent logged in is offered to leave
 * a message instead of a chat; the form keeps what they typed, the message is checked,
 * sent, and acknowledged by email; an agent who logs in later gets it as an email and
 * replies, and the reply reaches the customer's address from the mailbox. With the agent
 * logged in but Not Ready, the customer's next chat (from the same browser) waits and says
 * its place in line; once the agent takes it, the earlier message is in the customer's
 * history.
 */
test('K-4: with nobody logged in, a customer leaves a message from the demo page; an agent later answers it as an email  // K-4', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const imapDir = mkdtempSync(join(tmpdir(), 'switchboard-left-imap-'));
  execFileSync('./mail/start-dovecot.sh', [String(IMAP_PORT), imapDir, process.env.SWITCHBOARD_E2E_SMTP_PORT!]);
  let server;
  try {
    server = await startServer(
      serverEnv(PORT, mkdtempSync(join(tmpdir(), 'switchboard-left-db-')), {
        SWITCHBOARD_DEMO: 'true',
        SWITCHBOARD_MAILBOXES: join(imapDir, 'mailboxes.json'),
        SWITCHBOARD_SMTP_RETRY_MAX_SECS: '2',
      }),
    );
    const email = `lea.${run}@example.com`;
    const { shop, widget } = await customerStarts(browser, email);

    // Nobody of Support is logged in: a message instead, the details kept as typed.
    await expect(widget.getByRole('status').filter({ hasText: 'Nobody can take a chat' })).toHaveText(
      'Nobody can take a chat about this right now. Leave us a message and we will answer you by email.',
    );
    await expect(widget.getByLabel('Name')).toHaveValue('Léa Dubois');
    const message = widget.getByLabel('Your message');
    await expect(message).toBeFocused();
    const send = widget.getByRole('button', { name: 'Send message' });
    await send.click();
    await expect(widget.getByText('Your message: required')).toBeVisible();
    await expect(message).toHaveAttribute('aria-invalid', 'true');
    await message.fill(`My order ${run} has not arrived.\nCould you check it?`);
    // Typed again: no longer said to be at fault.
    await expect(widget.getByText('Your message: required')).toHaveCount(0);
    await expect(message).not.toHaveAttribute('aria-invalid', 'true');
    // Files go with it, within a reply's limits: one too large is named with the limit and
    // not taken; the others can be removed one by one before sending.
    const files = widget.getByLabel('Files (optional)');
    await expect(widget.getByText('Up to 10 files, 10 MB each, 20 MB in all.')).toBeVisible();
    await files.setInputFiles({ name: 'video.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(12 * 1024 * 1024) });
    await expect(widget.locator('#e-files')).toHaveText('“video.mp4”: larger than the 10 MB limit (12 MB).');
    await expect(files).toHaveAttribute('aria-invalid', 'true');
    await files.setInputFiles([
      { name: 'receipt.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 receipt ${run}`) },
      { name: 'label.png', mimeType: 'image/png', buffer: Buffer.alloc(3000, 7) },
    ]);
    const chosen = widget.getByRole('list', { name: 'Files to send' });
    await expect(chosen.getByRole('listitem')).toHaveText([/receipt\.pdf\s*\d+ B\s*Remove/, /label\.png\s*3 KB\s*Remove/]);
    await expect(widget.locator('#e-files')).toHaveText('');
    await shop.screenshot({ path: 'test-results/screenshots/widget-leave-message-1366.png' });
    await chosen.getByRole('button', { name: 'Remove label.png' }).click();
    await expect(chosen.getByRole('listitem')).toHaveCount(1);
    await send.click();
    await expect(widget.getByRole('status').filter({ hasText: 'Thank you' })).toHaveText(
      `Thank you. Your message has been sent: we will answer you by email at ${email}. A confirmation is on its way to your inbox.`,
    );
    await shop.screenshot({ path: 'test-results/screenshots/widget-message-left-1366.png' });

    // The acknowledgement, from the mailbox, about the problem chosen.
    const ack = await sentTo(email, 'We received your message: Help with my order');
    expect(ack.from).toContain(MAILBOX);
    expect(ack.text).toContain('Thank you for your message about “Help with my order”.');

    // Dave logs in later: the message is an email of his queue; he answers it.
    const dave = await agentReady(browser, 'dave');
    const notice = dave.getByRole('article', { name: 'New email from Léa Dubois' });
    await expect(notice).toBeVisible({ timeout: 15_000 });
    await dave.getByRole('tab', { name: 'Manage Chat and Email' }).click();
    await dave.getByRole('tab', { name: /Léa Dubois/ }).click();
    const panel = dave.getByRole('article', { name: "The customer's email" });
    await expect(panel.getByRole('heading', { name: 'Help with my order' })).toBeVisible();
    await expect(panel).toContainText(`Léa Dubois <${email}>`);
    await expect(dave.frameLocator('iframe.email-body').getByText(`My order ${run} has not arrived.`)).toBeVisible();
    // The file she sent is the email's attachment, byte for byte.
    const [receipt] = await Promise.all([
      dave.waitForEvent('download'),
      panel.getByRole('link', { name: /receipt\.pdf/ }).click(),
    ]);
    expect(readFileSync(await receipt.path()).toString()).toBe(`%PDF-1.4 receipt ${run}`);
    await expect(panel.getByRole('link', { name: /label\.png/ })).toHaveCount(0);
    // Issue 17: the email's customer may be said to be a known one, as from a chat.
    await expect(panel.getByRole('button', { name: 'Same customer as…' })).toBeVisible();
    const reply = dave.getByRole('region', { name: 'Reply' });
    const editor = reply.getByRole('textbox', { name: 'Reply text' });
    await editor.click();
    await dave.keyboard.type('Your parcel leaves today.');
    await dave.screenshot({ path: 'test-results/screenshots/desktop-left-message-1366.png' });
    await reply.getByRole('button', { name: 'Send' }).click();
    const answer = await sentTo(email, 'Re: Help with my order');
    expect(answer.from).toContain(MAILBOX);
    expect(answer.text).toContain('Your parcel leaves today.');

    // Dave is logged in but Not Ready: a chat may start now, and its customer reads their
    // place in line while they wait. Léa's browser was remembered with her message: the
    // chat is the same customer's.
    await dave.getByRole('button', { name: 'Not Ready', exact: true }).click();
    await expect(dave).toHaveTitle(/^Not Ready/);
    const { widget: chat } = await customerStarts(browser, email, shop);
    await expect(chat.getByRole('status').filter({ hasText: 'in line' })).toHaveText('You are next in line.');
    await shop.screenshot({ path: 'test-results/screenshots/widget-place-in-line-1366.png' });
    await dave.getByRole('button', { name: 'Ready', exact: true }).click();
    await dave.getByRole('tab', { name: 'Chat and Email Control' }).click();
    await dave.getByRole('article', { name: 'Chat offer from Léa Dubois' }).getByRole('button', { name: 'Accept' }).click();
    await dave.getByRole('tab', { name: 'Manage Chat and Email' }).click();
    await expect(chat.getByText('Dave has joined the chat.')).toBeVisible();
    const history = dave.getByRole('region', { name: 'Earlier conversations (1)' });
    await expect(history).toContainText('Help with my order');
    await dave.screenshot({ path: 'test-results/screenshots/desktop-earlier-message-1366.png' });
    await shop.context().close();
    await dave.context().close();
  } finally {
    if (server) await stopServer(server.process);
    execFileSync('doveadm', ['-c', join(imapDir, 'dovecot.conf'), 'stop']);
  }
});
