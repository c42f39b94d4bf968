import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { agentReady, logIn } from './helpers';
import {
  LOGO,
  MAIL_ARRIVES_MS,
  countInMailbox,
  deliver,
  deliverUnreadable,
  plainMessage,
  richMessage,
} from './mail';

const run = Date.now();
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n% Switchboard e2e receipt\n'),
  Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)),
]);

/** Fails the test if the page ever opens a browser dialog (gadget containers forbid them). */
function noDialogs(page: Page) {
  page.on('dialog', (d) => {
    throw new Error(`a browser dialog opened: ${d.message()}`);
  });
}

async function confirmYes(page: Page, question: RegExp) {
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText(question);
  await dialog.getByRole('button', { name: 'Yes' }).click();
}

// SPEC E-1, E-2, C-2, C-3, Q-1, Q-2, E-4 against a real Dovecot mailbox.
test('an email from the mailbox reaches a Ready agent, reads safely, downloads, requeues, discards and its reply returns  // E-1 E-2 C-2 C-3 Q-1 Q-2 E-4', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const dave = await agentReady(browser, 'dave');
  noDialogs(dave);
  await dave.evaluate(() => {
    const w = window as unknown as { __messages: unknown[] };
    w.__messages = [];
    addEventListener('message', (e) => w.__messages.push(e.data));
  });

  // E-1: delivered to the mailbox, assigned to Dave (the only Ready agent of Support).
  const firstId = `rich-${run}@example.com`;
  const subject = `Parcel arrived broken ${run}`;
  const remote = baseURL!.replace('127.0.0.1', 'localhost') + '/favicon.svg';
  deliver(richMessage({ messageId: firstId, subject, remoteImage: remote, pdf: PDF, logo: LOGO }));
  const notice = dave.getByRole('article', { name: 'New email from Ann Lee' });
  await expect(notice).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await expect(notice).toContainText(subject);
  await expect(dave).toHaveTitle('Reserved · Switchboard');
  // C-3: no switch to the Manage gadget, and the email does not become current.
  await expect(dave.locator('#tab-control')).toHaveAttribute('aria-selected', 'true');
  await dave.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  await expect(dave.getByText('Select a contact to work on it.')).toBeVisible();
  // C-2: envelope (the subject on hover), name and address, time received.
  const tab = dave.getByRole('tab', { name: /Ann Lee/ });
  await expect(tab).toContainText('ann.lee@example.com');
  await expect(tab.locator('.tab-time')).toHaveText(/^\d{2}:\d{2} [AP]M$/);
  await expect(tab.locator('svg title')).toHaveText(subject);
  await expect(tab.getByRole('img')).toHaveAccessibleName(`Email: ${subject}`);

  // E-2: the email on the left, its file, its body in the sandboxed frame.
  await tab.click();
  await expect(notice).toBeHidden();
  const panel = dave.getByRole('article', { name: "The customer's email" });
  await expect(panel.getByRole('heading', { name: subject })).toBeVisible();
  await expect(panel).toContainText('Ann Lee <ann.lee@example.com>');
  const frame = dave.frameLocator('iframe.email-body');
  await expect(frame.getByText('my parcel arrived broken')).toBeVisible();
  const logo = frame.getByAltText('Shop logo');
  await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(2);
  const picture = frame.getByAltText('Remote picture');
  await expect(dave.getByText('Images from other servers are blocked')).toBeVisible();
  expect(await picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(0);
  // Held when the message was taken in: its address loads nothing, whatever the policy.
  expect(await picture.getAttribute('src')).toBe(`data:,${remote}`);
  await dave.getByRole('button', { name: 'Show images' }).click();
  await expect
    .poll(() => frame.getByAltText('Remote picture').evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);
  // No script from the message ran, in the frame or against the page.
  await expect(dave).toHaveTitle('Reserved · Switchboard');
  const messages = await dave.evaluate(() => (window as unknown as { __messages: unknown[] }).__messages);
  expect(messages.filter((m) => String(m).startsWith('pwned'))).toEqual([]);
  // The attachment downloads byte for byte.
  const [download] = await Promise.all([
    dave.waitForEvent('download'),
    panel.getByRole('link', { name: /receipt\.pdf/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('receipt.pdf');
  expect(readFileSync(await download.path()).equals(PDF)).toBe(true);
  await dave.screenshot({ path: 'screenshots/email.png' });

  // discard after an in-page confirmation; the original stays in the mailbox.
  await dave.getByRole('button', { name: 'Discard' }).click();
  await confirmYes(dave, /Discard this email\?/);
  await expect(tab).toBeHidden();
  await expect(dave).toHaveTitle('Ready · Switchboard');
  expect(countInMailbox(firstId)).toBe(1);

  // requeue to Billing, found by searching: it reaches Bob, never back to Dave.
  const bob = await agentReady(browser, 'bob');
  noDialogs(bob);
  const secondId = `question-${run}@example.com`;
  deliver(plainMessage({ from: 'Carl <carl@example.com>', subject: `Invoice question ${run}`, messageId: secondId }));
  const second = dave.getByRole('tab', { name: /Carl/ });
  await expect(second).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await second.click();
  await dave.getByRole('button', { name: 'Requeue' }).click();
  await dave.getByPlaceholder('Search queues').fill('bill');
  const choices = dave.getByRole('list', { name: 'Queues' }).getByRole('button');
  await expect(choices).toHaveText(['Billing']);
  await choices.first().click();
  await confirmYes(dave, /Requeue this email to Billing\?/);
  await expect(second).toBeHidden();
  await bob.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  const atBob = bob.getByRole('tab', { name: /Carl/ });
  await expect(atBob).toBeVisible({ timeout: 15_000 });
  await atBob.click();
  await bob.getByRole('button', { name: 'Discard' }).click();
  await confirmYes(bob, /Discard/);
  await expect(atBob).toBeHidden();

  // E-4: Carl answers in the same thread: back to Bob, who handled it last, although Dave
  // has been available longer.
  deliver(
    plainMessage({
      from: 'Carl <carl@example.com>',
      subject: `Re: Invoice question ${run}`,
      messageId: `reply-${run}@example.com`,
      headers: `In-Reply-To: <${secondId}>\r\nReferences: <${secondId}>\r\n`,
    }),
  );
  const reply = bob.getByRole('tab', { name: /Carl/ });
  await expect(reply).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await expect(dave.getByRole('tab', { name: /Carl/ })).toHaveCount(0);
  await reply.click();
  // Issue 16: Carl's first email, among the customer's earlier conversations.
  const history = bob.getByRole('region', { name: 'Earlier conversations (1)' });
  await expect(history).toContainText(`Email · Billing · Bob`);
  await expect(history).toContainText(`Invoice question ${run}`);
  await bob.screenshot({ path: 'test-results/screenshots/email-history-1366.png' });
  // Issue 17 (P-5): the first email opens, read-only.
  await history.getByRole('button', { name: /^Read the conversation of / }).click();
  const read = bob.getByRole('region', { name: /^Email, / });
  await expect(read).toContainText(`Invoice question ${run}`);
  await expect(read).toContainText('Carl <carl@example.com>');
  await bob.screenshot({ path: 'test-results/screenshots/email-past-read-1366.png' });
  await read.getByRole('button', { name: 'Close' }).click();
  await bob.getByRole('button', { name: 'Discard' }).click();
  await confirmYes(bob, /Discard/);
  await expect(reply).toBeHidden();
  await bob.context().close();
  await dave.context().close();
});

// The email panel inside a 900-pixel gadget frame: one column, nothing cut off.
test('the email panel fits a 900-pixel gadget frame', async ({ browser }) => {
  const dave = await agentReady(browser, 'dave');
  await dave.setViewportSize({ width: 900, height: 760 });
  deliver(plainMessage({ from: 'Dora <dora@example.com>', subject: `Gadget check ${run}`, messageId: `gadget-${run}@example.com`, body: 'Can you check my order?' }));
  await dave.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  const tab = dave.getByRole('tab', { name: /Dora/ });
  await expect(tab).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await tab.click();
  // A second page of Dave's, opened with the email in hand and current: the server's page
  // says it is opening, the panel's code comes, and the page hydrates without a fault.
  const second = await dave.context().newPage();
  await second.setViewportSize({ width: 900, height: 760 });
  const faults: string[] = [];
  second.on('pageerror', (e) => faults.push(e.message));
  await second.goto('/');
  await expect(second.getByRole('status').getByText('Connected')).toBeVisible();
  await second.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  await expect(second.getByRole('heading', { name: `Gadget check ${run}` })).toBeVisible();
  expect(faults).toEqual([]);
  await dave.getByRole('button', { name: 'Requeue' }).click();
  await dave.screenshot({ path: 'screenshots/email-gadget.png', fullPage: true });
  const overflow = await dave.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await dave.getByRole('button', { name: 'Requeue' }).click();
  await dave.getByRole('button', { name: 'Discard' }).click();
  await confirmYes(dave, /Discard/);
  await expect(tab).toBeHidden();
  await dave.context().close();
});

const fixture = (name: string) => readFileSync(`../server/tests/fixtures/mime/${name}.eml`);

async function discardCurrent(page: Page) {
  await page.getByRole('button', { name: 'Discard' }).click();
  await confirmYes(page, /Discard/);
}

// E-2: messages as odd mailers write them are shown whole on the panel.
test('every part of an odd message is shown or offered, with whole file names  // E-2 E-3', async ({ browser }) => {
  test.setTimeout(120_000);
  const dave = await agentReady(browser, 'dave');
  await dave.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  const panel = dave.getByRole('article', { name: "The customer's email" });
  const frame = dave.frameLocator('iframe.email-body');

  // Four text parts in one multipart/mixed message: all shown, in order.
  deliver(fixture('mixed_text_parts'));
  const kai = dave.getByRole('tab', { name: /Kai Berg/ });
  await expect(kai).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await kai.click();
  for (const part of ['Part one: the order number is 4711.', 'the lid', 'Part three: the courier left it outside.', 'Part four: please call me back.']) {
    await expect(frame.getByText(part)).toBeVisible();
  }
  const text = await frame.locator('body').innerText();
  expect(text.indexOf('Part one')).toBeLessThan(text.indexOf('Part three'));
  expect(text.indexOf('Part three')).toBeLessThan(text.indexOf('Part four'));
  await dave.screenshot({ path: 'test-results/screenshots/email-mixed-parts.png' });
  await discardCurrent(dave);
  await expect(kai).toBeHidden();

  // Names in folded encoded words, RFC 2231 continuations, and one too long to keep whole.
  deliver(fixture('folded_names'));
  const ines = dave.getByRole('tab', { name: /Ines Roth/ });
  await expect(ines).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await ines.click();
  await expect(panel.getByRole('link', { name: /Récapitulatif détaillé du dossier de remboursement numéro 4711\.pdf/ })).toBeVisible();
  await expect(panel.getByRole('link', { name: /Facture détaillée novembre\.pdf/ })).toBeVisible();
  const [download] = await Promise.all([
    dave.waitForEvent('download'),
    panel.getByRole('link', { name: /^Relevé des consommations/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^Relevé des consommations.*….pdf$/);
  await discardCurrent(dave);
  await expect(ines).toBeHidden();

  // "Content-Type: text" without a subtype, and headers running into the body.
  deliver(fixture('text_without_subtype'));
  deliver(fixture('no_blank_line'));
  for (const [who, line] of [
    [/old-mailer@example.net/, 'My old mail program writes this, and the message must still be read.'],
    [/hasty@example.org/, 'Where is my refund? I asked last week.'],
  ] as const) {
    const tab = dave.getByRole('tab', { name: who });
    await expect(tab).toBeVisible({ timeout: MAIL_ARRIVES_MS });
    await tab.click();
    await expect(frame.getByText(line)).toBeVisible();
    await discardCurrent(dave);
    await expect(tab).toBeHidden();
  }

  // No header at all: the whole text is the message, its first line included.
  deliver(fixture('no_headers'));
  const tabs = dave.getByRole('navigation', { name: 'Contacts' }).getByRole('tab');
  await expect(tabs).toHaveCount(1, { timeout: MAIL_ARRIVES_MS });
  await tabs.first().click();
  await expect(frame.getByText('Hello, is anybody there?')).toBeVisible();
  await expect(frame.getByText('My parcel never came.')).toBeVisible();
  await discardCurrent(dave);
  await dave.context().close();
});

test('a message the mailbox cannot give is set aside, the next one arrives, administrators see it listed  // E-1 E-3', async ({ browser }) => {
  test.setTimeout(120_000);
  const dave = await agentReady(browser, 'dave');
  await dave.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  deliverUnreadable(
    plainMessage({ from: 'stuck@example.org', subject: 'Never readable', messageId: `stuck-${Date.now()}@e2e` }),
  );
  deliver(plainMessage({ from: 'behind@example.org', subject: 'Behind the stuck one', messageId: `behind-${Date.now()}@e2e` }));
  const behind = dave.getByRole('tab', { name: /behind@example.org/ });
  await expect(behind).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await behind.click();
  await discardCurrent(dave);
  await expect(behind).toBeHidden();
  await dave.context().close();

  const admin = await logIn(browser, 'admin');
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.goto('/admin/set-aside');
  const section = admin.getByRole('region', { name: 'Emails that could not be read' });
  const row = section.getByRole('row').filter({ hasText: 'the mail server closed the connection' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('support-inbox');
  await expect(section).toContainText('move it to another folder and back');
  await row.scrollIntoViewIfNeeded();
  await admin.screenshot({ path: 'test-results/screenshots/admin-unreadable-1366.png' });
  await admin.setViewportSize({ width: 900, height: 700 });
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await row.scrollIntoViewIfNeeded();
  await admin.screenshot({ path: 'test-results/screenshots/admin-unreadable-900.png' });

  // L: why it was set aside is said in the reader's language: the same administrator in a
  // browser that asks for French (the account has no language of its own, and choosing one
  // would outlast this test).
  const session = await admin.context().storageState();
  session.cookies = session.cookies.filter((c) => c.name !== 'sb_lang');
  const frenchContext = await browser.newContext({ locale: 'fr-FR', storageState: session, viewport: { width: 900, height: 700 } });
  const french = await frenchContext.newPage();
  await french.goto('/admin/set-aside');
  const aside = french.getByRole('region', { name: 'Courriers électroniques illisibles' });
  const frenchRow = aside.getByRole('row').filter({
    hasText: 'le serveur de messagerie a fermé la connexion quand ce message lui a été demandé',
  });
  await expect(frenchRow).toHaveCount(1);
  await frenchRow.scrollIntoViewIfNeeded();
  await french.screenshot({ path: 'test-results/screenshots/admin-unreadable-fr-900.png' });
  await frenchContext.close();
  await admin.context().close();
});
