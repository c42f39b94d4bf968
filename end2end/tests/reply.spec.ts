import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { createHash } from 'node:crypto';
import { agentReady } from './helpers';
import { LOGO, MAIL_ARRIVES_MS, deliver, plainMessage, richMessage } from './mail';
import { ensureSmtp, sentMessages, startSmtp, stopSmtp, type Sent } from '../mail/smtp';

const run = Date.now();
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n% Switchboard e2e receipt\n'),
  Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)),
]);
const MB = 1024 * 1024;

/** Fails the test if the page ever opens a browser dialog (gadget containers forbid them). */
function noDialogs(page: Page) {
  page.on('dialog', async (d) => {
    // E-5: leaving the page with a reply in hand asks first (the browser's own question,
    // allowed in gadget containers); nothing else may open a dialog.
    if (d.type() === 'beforeunload') {
      await d.accept();
      return;
    }
    throw new Error(`a browser dialog opened: ${d.message()}`);
  });
}

/** Delivers an HTML email and opens it on the agent's desktop. */
async function openEmail(page: Page, subject: string, messageId: string, plain = false) {
  deliver(
    plain
      ? plainMessage({ from: '"Ann Lee" <ann.lee@example.com>', subject, messageId, body: 'Plain words.' })
      : richMessage({ messageId, subject, remoteImage: 'https://example.com/x.png', pdf: PDF, logo: LOGO }),
  );
  await expect(page.getByRole('article', { name: 'New email from Ann Lee' }).filter({ hasText: subject })).toBeVisible({
    timeout: MAIL_ARRIVES_MS,
  });
  await page.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  await page.getByRole('tab', { name: /Ann Lee/ }).filter({ has: page.locator(`svg title:text-is("${subject}")`) }).click();
  await expect(page.getByRole('heading', { name: subject })).toBeVisible();
}

/** Waits for the SMTP server to hold `n` messages more than `before`. */
async function sentAfter(before: number, n = 1, timeout = 15_000): Promise<Sent[]> {
  let all: Sent[] = [];
  await expect
    .poll(
      () => {
        all = sentMessages();
        return all.length;
      },
      { timeout },
    )
    .toBeGreaterThanOrEqual(before + n);
  return all.slice(before);
}

/** Selects the last `n` characters typed (the caret is after them). */
async function selectBack(page: Page, n: number) {
  for (let i = 0; i < n; i++) await page.keyboard.press('Shift+ArrowLeft');
}

// SPEC R-1 R-2 R-3 R-4 R-5 R-7 C-2 W-1 E-5: the rich-text reply, formatted with every
// toolbar control, autosaved and restored after a reload, sent to the real SMTP server.
test('a formatted reply is autosaved, survives a reload with its email and is delivered to the SMTP server  // R-1 R-2 R-3 R-4 R-5 R-7 C-2 W-1 E-5', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const dave = await agentReady(browser, 'dave');
  noDialogs(dave);
  const subject = `Broken lid ${run}`;
  const messageId = `reply-${run}@example.com`;
  await openEmail(dave, subject, messageId);

  const reply = dave.getByRole('region', { name: 'Reply' });
  // Reply goes to the customer; the mailbox's own address is never a recipient.
  await expect(reply.getByRole('button', { name: 'Reply', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(reply.getByRole('list', { name: 'To recipients' }).getByRole('listitem')).toHaveText(['ann.lee@example.com×']);
  await expect(reply.getByText(`Re: ${subject}`)).toBeVisible();
  // W-1: "Wrap-Up Reasons (n)" beside Send.
  await expect(reply.getByRole('button', { name: 'Wrap-Up Reasons (0)' })).toBeVisible();

  // every toolbar button is named by its tooltip.
  const toolbar = reply.getByRole('toolbar', { name: 'Formatting' });
  const tools = toolbar.getByRole('button');
  await expect(tools).toHaveCount(12);
  for (const tool of await tools.all()) {
    await expect(tool).toHaveAccessibleName((await tool.getAttribute('title'))!);
  }

  const editor = reply.getByRole('textbox', { name: 'Reply text' });
  await editor.click();
  await dave.keyboard.type('Dear Ann, ');
  // Shortcuts: Ctrl+B, Ctrl+I, Ctrl+U.
  await dave.keyboard.press('Control+b');
  await dave.keyboard.type('sorry');
  await dave.keyboard.press('Control+b');
  await dave.keyboard.type(' ');
  await dave.keyboard.press('Control+i');
  await dave.keyboard.type('truly');
  await dave.keyboard.press('Control+i');
  await dave.keyboard.type(' ');
  await dave.keyboard.press('Control+u');
  await dave.keyboard.type('underlined');
  await dave.keyboard.press('Control+u');
  // C-2: the tab's envelope carries a pencil once a reply is started.
  await expect(dave.getByRole('tab', { name: /Ann Lee/ }).getByLabel('Reply started')).toBeVisible();
  await dave.keyboard.press('Enter');
  await toolbar.getByRole('button', { name: 'Bulleted list' }).click();
  await dave.keyboard.type('replacement sent');
  await dave.keyboard.press('Enter');
  await dave.keyboard.type('refund ready');
  // Enter on an empty item ends a list, as in every mail program.
  await dave.keyboard.press('Enter');
  await dave.keyboard.press('Enter');
  await toolbar.getByRole('button', { name: 'Numbered list' }).click();
  await dave.keyboard.type('open the box');
  await dave.keyboard.press('Enter');
  await dave.keyboard.press('Enter');
  await dave.keyboard.type('indented line');
  await toolbar.getByRole('button', { name: 'Increase indent' }).click();
  await toolbar.getByRole('button', { name: 'Increase indent' }).click();
  await toolbar.getByRole('button', { name: 'Decrease indent' }).click();
  await dave.keyboard.press('Enter');
  await toolbar.getByRole('button', { name: 'Decrease indent' }).click();
  await dave.keyboard.type('centered line');
  await toolbar.getByRole('button', { name: 'Center' }).click();
  await dave.keyboard.press('Enter');
  await dave.keyboard.type('right line');
  await toolbar.getByRole('button', { name: 'Align right' }).click();
  await dave.keyboard.press('Enter');
  await toolbar.getByRole('button', { name: 'Align left' }).click();
  await dave.keyboard.type('Track it at our shop');
  // A link on the selected text, through the in-page dialog (Ctrl+K), checked first.
  await selectBack(dave, 8);
  await dave.keyboard.press('Control+k');
  const linkDialog = reply.getByRole('dialog', { name: 'Link the selected text' });
  await linkDialog.getByRole('textbox').fill('javascript:alert(1)');
  await linkDialog.getByRole('button', { name: 'OK' }).click();
  await expect(linkDialog.getByRole('alert')).toHaveText(/Only web/);
  await linkDialog.getByRole('textbox').fill('shop.test/track');
  await linkDialog.getByRole('button', { name: 'OK' }).click();
  await expect(editor.locator('a[href="https://shop.test/track"]')).toHaveText('our shop');
  await dave.keyboard.press('End');
  await dave.keyboard.press('Enter');
  // An image by its address, at the cursor.
  await toolbar.getByRole('button', { name: 'Insert image' }).click();
  const imageDialog = reply.getByRole('dialog', { name: 'Insert an image from its address' });
  await imageDialog.getByRole('textbox').fill('https://shop.test/logo.png');
  await imageDialog.getByRole('button', { name: 'OK' }).click();
  await expect(editor.locator('img[src="https://shop.test/logo.png"]')).toHaveCount(1);
  // a canned response appended at the end (several may be).
  const canned = reply.getByLabel('Canned responses');
  await expect(canned).toBeEnabled();
  await canned.selectOption({ label: 'Order status' });
  await canned.selectOption({ label: 'Closing' });
  await expect(editor.locator('p').last()).toHaveText('If you have any further questions, simply reply to this email.');
  await expect(editor).toContainText('Your order has shipped');

  // saved automatically (every 3 s in this test run). Reloading the page sends the
  // email back to its queue (S-5; Dave is Not Ready after it): Bob, Ready in Support, gets
  // it and finds the draft as Dave left it, with the pencil on the tab.
  await expect(reply.getByText(/^Draft saved \d{2}:\d{2} [AP]M$/)).toBeVisible({ timeout: 10_000 });
  await dave.screenshot({ path: 'screenshots/email-reply.png', fullPage: true });
  const bob = await agentReady(browser, 'bob');
  noDialogs(bob);
  await dave.reload();
  await expect(bob.getByRole('article', { name: 'New email from Ann Lee' }).filter({ hasText: subject })).toBeVisible({
    timeout: 15_000,
  });
  await bob.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  const bobTab = bob.getByRole('tab', { name: /Ann Lee/ }).filter({ has: bob.locator(`svg title:text-is("${subject}")`) });
  await expect(bobTab.getByLabel('Reply started')).toBeVisible();
  await bobTab.click();
  const restored = bob.getByRole('region', { name: 'Reply' }).getByRole('textbox', { name: 'Reply text' });
  await expect(restored.locator('b')).toHaveText('sorry');
  await expect(restored.locator('a[href="https://shop.test/track"]')).toHaveText('our shop');
  await expect(restored).toContainText('If you have any further questions');

  // Send closes the contact at once; the SMTP server receives a proper message.
  const before = sentMessages().length;
  await bob.getByRole('region', { name: 'Reply' }).getByRole('button', { name: 'Send' }).click();
  await expect(bobTab).toHaveCount(0);
  const [sent] = await sentAfter(before);
  expect(sent.subject).toBe(`Re: ${subject}`);
  expect(sent.inReplyTo).toBe(`<${messageId}>`);
  expect(sent.envelopeTo).toEqual(['ann.lee@example.com']);
  expect(sent.structure.split('\n')[0]).toBe('multipart/alternative');
  for (const kept of [
    '<b>sorry</b>',
    '<i>truly</i>',
    '<u>underlined</u>',
    '<li>replacement sent</li>',
    '<li>refund ready</li>',
    '<ol><li>open the box</li></ol>',
    'text-align:center',
    'text-align:right',
    '<blockquote',
    '<a href="https://shop.test/track" rel="noopener noreferrer">our shop</a>',
    '<img src="https://shop.test/logo.png"',
    'Your order has shipped',
    // the mailbox's signature, never shown in the editor.
    '<b>Switchboard Shop</b> · Customer care',
  ]) {
    expect(sent.html, kept).toContain(kept);
  }
  expect(sent.html).not.toContain('alert(1)');
  expect(sent.text).toContain('- replacement sent');
  expect(sent.text).toContain('Hello agent, my parcel arrived broken.');
  await bob.context().close();
  await dave.context().close();
});

// SPEC A-1 A-2 A-3 R-1: files with progress bars and an X, every limit refused with the
// file and the limit while what was attached stays; 21 addresses in Cc refused.
test('attachments show progress, limits are refused by name and nothing attached is lost  // A-1 A-2 A-3 R-1', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const dave = await agentReady(browser, 'dave');
  noDialogs(dave);
  // Inside a 900-pixel gadget frame: one column, nothing cut off.
  await dave.setViewportSize({ width: 900, height: 900 });
  const subject = `Files ${run}`;
  await openEmail(dave, subject, `files-${run}@example.com`);
  const reply = dave.getByRole('region', { name: 'Reply' });
  const files = reply.getByRole('list', { name: 'Attachments of the reply' });
  const picker = reply.locator('input[type=file]');

  // each file shows a progress bar while it uploads (held back a moment here).
  await dave.route('**/email/*/files?**', async (route) => {
    await new Promise((r) => setTimeout(r, 1200));
    await route.continue();
  });
  await picker.setInputFiles([
    { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: PDF },
    { name: 'photo.png', mimeType: 'image/png', buffer: LOGO },
  ]);
  await expect(files.getByRole('progressbar')).toHaveCount(2);
  await expect(files.getByRole('progressbar')).toHaveCount(0, { timeout: 10_000 });
  // Both stored (in the order they finished).
  await expect(files.getByRole('link')).toHaveCount(2);
  await expect(files.getByRole('link', { name: 'invoice.pdf' })).toBeVisible();
  await expect(files.getByRole('link', { name: 'photo.png' })).toBeVisible();
  await dave.unroute('**/email/*/files?**');
  // or dropped on the reply.
  const dropped = await dave.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(['dropped on the reply'], 'dropped.txt', { type: 'text/plain' }));
    return data;
  });
  await reply.dispatchEvent('drop', { dataTransfer: dropped });
  await expect(files.getByRole('link')).toHaveCount(3);
  await expect(files.getByRole('link', { name: 'dropped.txt' })).toBeVisible();

  // an 11 MB file is refused before upload, naming the file and the limit.
  const notice = reply.locator('.reply-notice');
  await picker.setInputFiles({ name: 'video.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(11 * MB, 1) });
  await expect(notice).toContainText('"video.mp4": larger than the 10 MB limit (11 MB)');
  await expect(files.getByRole('link')).toHaveCount(3);
  // A total over 20 MB.
  await picker.setInputFiles([
    { name: 'part-a.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(9 * MB, 2) },
    { name: 'part-b.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(9 * MB, 3) },
  ]);
  await expect(files.getByRole('link')).toHaveCount(5, { timeout: 20_000 });
  await picker.setInputFiles({ name: 'third.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(2 * MB, 4) });
  await expect(notice).toContainText('"third.bin": the attachments would come to');
  await expect(notice).toContainText('over the 20 MB limit together');
  await expect(files.getByRole('link')).toHaveCount(5);
  // The 11th file.
  await picker.setInputFiles(
    Array.from({ length: 5 }, (_, i) => ({ name: `note-${i}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`note ${i}`) })),
  );
  await expect(files.getByRole('link')).toHaveCount(10, { timeout: 15_000 });
  await picker.setInputFiles({ name: 'eleven.txt', mimeType: 'text/plain', buffer: Buffer.from('one too many') });
  await expect(notice).toContainText('"eleven.txt": at most 10 attachments per reply');
  await expect(files.getByRole('link')).toHaveCount(10);
  // The X removes one.
  await files.getByRole('button', { name: 'Remove part-b.bin' }).click();
  await expect(files.getByRole('link')).toHaveCount(9);

  // 21 addresses in Cc: the 21st is refused, naming the field.
  await reply.getByRole('button', { name: 'Cc', exact: true }).click();
  const cc = reply.getByLabel('Cc', { exact: true });
  await cc.fill(Array.from({ length: 21 }, (_, i) => `p${i}@example.com`).join(', '));
  await cc.press('Enter');
  await expect(reply.getByRole('alert').filter({ hasText: 'Cc: at most 20 addresses' })).toContainText(
    '"p20@example.com" was not added',
  );
  await expect(reply.getByRole('list', { name: 'Cc recipients' }).getByRole('listitem')).toHaveCount(20);
  // Every address is checked: an invalid one is marked with the reason.
  const to = reply.getByLabel('To', { exact: true });
  await to.fill('not-an-address');
  await to.press('Enter');
  const bad = reply.getByRole('list', { name: 'To recipients' }).locator('.chip.invalid');
  await expect(bad).toHaveAttribute('title', 'To: "not-an-address" is not a valid email address');
  await reply.getByRole('button', { name: 'Send' }).click();
  await expect(notice).toContainText('To: "not-an-address" is not a valid email address');
  await dave.screenshot({ path: 'screenshots/email-reply-gadget.png', fullPage: true });
  expect(await dave.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);

  // Discard deletes the draft and its files.
  await reply.getByRole('button', { name: 'Discard' }).click();
  await dave.getByRole('alertdialog').getByRole('button', { name: 'Yes' }).click();
  await expect(dave.getByRole('heading', { name: subject })).toHaveCount(0);
  await dave.context().close();
});

// SPEC R-6 R-3 R-7: a forward (plain-text customer): no files may be added, Requeue waits
// for "Cancel forward", the recipient answers the customer; the SMTP server down, the reply
// waits in the outbox and goes out once it is back.
test('a forward waits in the outbox while the SMTP server is down, then goes out with Reply-To  // R-6 R-3 R-7', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const dave = await agentReady(browser, 'dave');
  noDialogs(dave);
  const subject = `Plain question ${run}`;
  await openEmail(dave, subject, `plain-${run}@example.com`, true);
  const reply = dave.getByRole('region', { name: 'Reply' });
  // plain text customer: a plain composer, canned responses disabled with the reason.
  await expect(reply.getByRole('toolbar')).toHaveCount(0);
  await expect(reply.getByLabel('Canned responses')).toBeDisabled();
  await expect(reply.getByLabel('Canned responses')).toHaveAttribute('title', /plain text/);

  await reply.getByRole('button', { name: 'Forward' }).click();
  await expect(reply.getByRole('list', { name: 'To recipients' }).getByRole('listitem')).toHaveCount(0);
  await expect(reply.getByText(`Fwd: ${subject}`)).toBeVisible();
  const attach = reply.getByRole('button', { name: /Attach files/ });
  await expect(attach).toBeDisabled();
  await expect(attach).toHaveAttribute('title', /no further files/);
  const requeue = reply.getByRole('button', { name: 'Requeue' });
  await expect(requeue).toBeDisabled();
  await expect(requeue).toHaveAttribute('title', /cancel the forward/);
  await reply.getByRole('button', { name: 'Cancel forward' }).click();
  await expect(requeue).toBeEnabled();
  await reply.getByRole('button', { name: 'Forward' }).click();
  const to = reply.getByLabel('To', { exact: true });
  await to.fill('claims@partner.test');
  await to.press('Enter');
  await reply.getByRole('textbox', { name: 'Reply text' }).fill('Could you look at this claim?');

  stopSmtp();
  try {
    const before = sentMessages().length;
    await reply.getByRole('button', { name: 'Send' }).click();
    await expect(dave.getByRole('heading', { name: subject })).toHaveCount(0);
    await dave.waitForTimeout(3000);
    expect(sentMessages().length, 'nothing delivered while the server is down').toBe(before);
    startSmtp();
    const [sent] = await sentAfter(before, 1, 20_000);
    expect(sent.subject).toBe(`Fwd: ${subject}`);
    expect(sent.replyTo).toContain('ann.lee@example.com');
    expect(sent.to).toBe('claims@partner.test');
    expect(sent.structure).toBe('text/plain');
    expect(sent.text).toContain('Could you look at this claim?');
    expect(sent.text).toContain('Forwarded message');
    expect(sent.text).toContain('Plain words.');
  } finally {
    ensureSmtp();
  }
  await dave.context().close();
});

// SPEC R-6: a forward carries the customer's files, byte for byte.
test('a forward carries the original attachments byte-identical  // R-6 A-1', async ({ browser }) => {
  const dave = await agentReady(browser, 'dave');
  const subject = `Forward files ${run}`;
  await openEmail(dave, subject, `fwd-files-${run}@example.com`);
  const reply = dave.getByRole('region', { name: 'Reply' });
  await reply.getByRole('button', { name: 'Forward' }).click();
  const to = reply.getByLabel('To', { exact: true });
  await to.fill('claims@partner.test');
  await to.press('Enter');
  const before = sentMessages().length;
  await reply.getByRole('button', { name: 'Send' }).click();
  const [sent] = await sentAfter(before);
  const sha = createHash('sha256').update(PDF).digest('hex');
  expect(sent.attachments).toEqual([{ name: 'receipt.pdf', size: PDF.length, sha256: sha }]);
  expect(sent.headers).not.toContain('bcc');
  await dave.context().close();
});

// SPEC R-2 A-1: HTML pasted from Word or a web page keeps only the toolbar's formatting; a
// pasted image is uploaded, shown in place, counted, and sent as an inline (CID) part.
test('pasted HTML is cleaned and a pasted image goes out in place  // R-2 A-1', async ({ browser }) => {
  const dave = await agentReady(browser, 'dave');
  noDialogs(dave);
  const subject = `Paste ${run}`;
  await openEmail(dave, subject, `paste-${run}@example.com`);
  const reply = dave.getByRole('region', { name: 'Reply' });
  const editor = reply.getByRole('textbox', { name: 'Reply text' });
  await editor.click();
  await dave.keyboard.type('See below. ');
  await editor.evaluate((el) => {
    const data = new DataTransfer();
    data.setData(
      'text/html',
      '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p{color:red}</style></head><body>' +
        '<!--StartFragment--><p class="MsoNormal" style="color:red;font-family:Calibri"><b>Word</b> ' +
        '<span style="mso-bidi-font-weight:bold">text</span><o:p></o:p></p>' +
        '<script>window.__pasted = 1</script><img src="https://tracker.test/x.gif">' +
        '<a href="javascript:alert(1)">bad</a> <a href="https://shop.test/ok">good</a><!--EndFragment--></body></html>',
    );
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect(editor.locator('b')).toHaveText('Word');
  await expect(editor.locator('a[href="https://shop.test/ok"]')).toHaveText('good');
  await expect(editor.locator('[class], [style], script, img, a[href^="javascript"]')).toHaveCount(0);
  expect(await dave.evaluate(() => (window as unknown as { __pasted?: number }).__pasted)).toBeUndefined();

  await editor.evaluate((el, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, LOGO.toString('base64'));
  await expect(editor.locator('img[src^="/email/"]')).toHaveCount(1);
  await expect(reply.getByText('1 pasted image(s) in the text, counted in the limits')).toBeVisible();

  const before = sentMessages().length;
  await reply.getByRole('button', { name: 'Send' }).click();
  const [sent] = await sentAfter(before);
  expect(sent.structure).toBe(
    ['multipart/related', '  multipart/alternative', '    text/plain', '    text/html', '  image/png'].join('\n'),
  );
  expect(sent.html).toMatch(/<img src="cid:[^"]+"/);
  expect(sent.html).not.toContain('tracker.test');
  expect(sent.html).not.toContain('Calibri');
  await dave.context().close();
});
