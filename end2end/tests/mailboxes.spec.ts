import { test, expect } from './fixtures';
import { agentReady, logIn } from './helpers';
import { deliver, MAIL_ARRIVES_MS, plainMessage } from './mail';

test('D-2 E-1 R-5: the mailbox imported at first start is tested and changed in the page, and read again at once', async ({ browser }) => {
  const admin = await logIn(browser, 'admin');
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.goto('/admin/mailboxes');
  const nav = admin.getByRole('navigation', { name: 'Administration' });
  await expect(nav.getByRole('link', { name: 'Mailboxes' })).toHaveAttribute('aria-current', 'page');
  const item = admin.getByRole('listitem').filter({ hasText: 'support-inbox' });
  await expect(item).toContainText('support@switchboard.test');
  await expect(item).toContainText('→ Support');
  await expect(item.locator('.mailbox-status')).toHaveText('Connected');
  await admin.screenshot({ path: 'test-results/screenshots/admin-mailboxes-1366.png', fullPage: true });

  await item.getByRole('button', { name: 'Edit support-inbox' }).click();
  const form = admin.getByRole('form', { name: 'Mailbox support-inbox' });
  await expect(form.getByLabel('Mailbox name')).toHaveAttribute('readonly', '');
  const imap = form.getByRole('group', { name: 'Incoming mail (IMAP)' });
  // Write-only: the saved password never comes back.
  await expect(imap.getByLabel('Password')).toHaveValue('');
  await expect(imap.getByLabel('Password')).toHaveAttribute('placeholder', 'Saved: leave empty to keep it');

  // Test connection with what is saved, then with a wrong password: the server's refusal.
  const report = form.getByRole('status', { name: 'Connection test' });
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(report).toContainText('IMAP ✓ Logged in to 127.0.0.1 and opened INBOX');
  await expect(report).toContainText('SMTP ✓ Connected to 127.0.0.1:');
  await imap.getByLabel('Password').fill('wrong-password');
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(report).toContainText('IMAP ✗ login refused by 127.0.0.1: [AUTHENTICATIONFAILED] Authentication failed.', { timeout: 15_000 });
  await admin.screenshot({ path: 'test-results/screenshots/admin-mailbox-form-1366.png', fullPage: true });
  await imap.getByLabel('Password').fill('');

  // A port out of range is refused by its field; what was typed stays.
  const port = imap.getByLabel('Port');
  const saved = await port.inputValue();
  await port.fill('99999');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(imap.getByText('must be between 1 and 65535 (99999 given)')).toBeVisible();
  await port.fill(saved);

  // The password typed again (write-only: replaced, never shown), and the signature,
  // formatted, saved; the connector starts again with them at once.
  await imap.getByLabel('Password').fill('imap-e2e-secret');
  const signature = form.getByRole('textbox', { name: 'Signature (optional)' });
  await signature.click();
  await admin.keyboard.press('Control+End');
  await admin.keyboard.type(' · Open 9 to 17');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(form).toHaveCount(0);
  await expect(item.locator('.mailbox-status')).toHaveText('Connected');
  await admin.setViewportSize({ width: 900, height: 700 });
  await admin.screenshot({ path: 'test-results/screenshots/admin-mailboxes-900.png', fullPage: true });
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // E-1: read again without a restart: a new email reaches Dave.
  const dave = await agentReady(browser, 'dave');
  const run = Date.now();
  deliver(plainMessage({ from: 'Nina <nina@example.com>', subject: `After the change ${run}`, messageId: `after-${run}@example.com` }));
  await dave.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  const tab = dave.getByRole('tab', { name: /Nina/ });
  await expect(tab).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await tab.click();
  // Nothing left waiting for the tests after this one.
  await dave.getByRole('button', { name: 'Discard' }).click();
  const question = dave.getByRole('alertdialog');
  await expect(question).toContainText(/Discard this email\?/);
  await question.getByRole('button', { name: 'Yes' }).click();
  await expect(tab).toBeHidden();

  // Audited, without the password.
  await admin.setViewportSize({ width: 1366, height: 768 });
  await nav.getByRole('link', { name: 'Audit' }).click();
  const line = admin.getByRole('row').filter({ hasText: 'Mailbox saved' }).first();
  await expect(line).toContainText('signature changed');
  await expect(line).toContainText('IMAP password replaced');
  await expect(line).not.toContainText('imap-e2e-secret');
});
