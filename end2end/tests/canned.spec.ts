import { test, expect } from './fixtures';
import { agentReady, customerStarts, logIn } from './helpers';

test('D-2 R-3 P-3: canned responses made in the browser, each for all queues or one, reach the chats of their queue', async ({ browser }) => {
  const admin = await logIn(browser, 'admin');
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.goto('/admin/canned');
  const nav = admin.getByRole('navigation', { name: 'Administration' });
  await expect(nav.getByRole('link', { name: 'Canned responses' })).toHaveAttribute('aria-current', 'page');
  const chats = admin.getByRole('region', { name: 'Chat (plain text)' });
  await expect(chats.getByText('Greeting')).toBeVisible();

  // Bad input is refused by its field, and what was typed stays.
  await chats.getByRole('button', { name: 'New chat response' }).click();
  const adding = admin.getByRole('form', { name: 'New chat response' });
  await adding.getByLabel('Title').fill('greeting');
  await adding.getByRole('button', { name: 'Add' }).click();
  await expect(adding.getByText('"greeting" already exists')).toBeVisible();
  await expect(adding.locator('#canned-chat-new-body-error')).toHaveText('required');
  await adding.getByLabel('Title').fill('Repair times');
  await adding.getByLabel('Text').fill('Repairs take five working days.');
  await expect(adding.getByText('31 / 1500 characters, as a chat message')).toBeVisible();
  await adding.getByLabel('Offered on').selectOption({ label: 'Support' });
  await adding.getByRole('button', { name: 'Add' }).click();
  await expect(adding).toHaveCount(0);
  const repair = chats.getByRole('listitem').filter({ hasText: 'Repair times' });
  await expect(repair).toContainText('Support');
  await expect(repair).toContainText('Repairs take five working days.');

  // One for Sales only: an agent of Support never sees it.
  await chats.getByRole('button', { name: 'New chat response' }).click();
  await adding.getByLabel('Title').fill('Sales discount');
  await adding.getByLabel('Text').fill('Ten percent off today.');
  await adding.getByLabel('Offered on').selectOption({ label: 'Sales' });
  await adding.getByRole('button', { name: 'Add' }).click();
  await expect(chats.getByRole('listitem').filter({ hasText: 'Sales discount' })).toBeVisible();

  // Edited in place.
  await repair.getByRole('button', { name: 'Edit Repair times' }).click();
  const editing = admin.getByRole('form', { name: 'Edit "Repair times"' });
  await editing.getByLabel('Text').fill('Repairs take five working days; we will email you.');
  await editing.getByRole('button', { name: 'Save changes' }).click();
  await expect(chats.getByRole('listitem').filter({ hasText: 'we will email you' })).toBeVisible();

  // An email response, formatted with the toolbar; stored sanitized.
  const emails = admin.getByRole('region', { name: 'Email (formatted)' });
  await emails.getByRole('button', { name: 'New email response' }).click();
  const email = admin.getByRole('form', { name: 'New email response' });
  await email.getByLabel('Title').fill('Repair received');
  const text = email.getByRole('textbox', { name: 'Text' });
  await text.click();
  await admin.keyboard.press('Control+b');
  await admin.keyboard.type('Good news:');
  await admin.keyboard.press('Control+b');
  await admin.keyboard.type(' your repair arrived.');
  await email.getByRole('button', { name: 'Add' }).click();
  const received = emails.getByRole('listitem').filter({ hasText: 'Repair received' });
  await expect(received.locator('.canned-body b, .canned-body strong')).toHaveText('Good news:');
  await admin.screenshot({ path: 'test-results/screenshots/admin-canned-1366.png', fullPage: true });
  await admin.setViewportSize({ width: 900, height: 700 });
  await admin.screenshot({ path: 'test-results/screenshots/admin-canned-900.png', fullPage: true });
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // R-3: Dave (Support) on a Support chat: the global ones and Support's, not Sales'.
  const agent = await agentReady(browser, 'dave');
  await customerStarts(browser, 'Hugo Petit', 'Something is broken');
  await agent.getByRole('article', { name: 'Chat offer from Hugo Petit' }).getByRole('button', { name: 'Accept' }).click();
  const canned = agent.getByLabel('Canned responses');
  await expect(canned.locator('option', { hasText: 'Repair times' })).toHaveCount(1);
  await expect(canned.locator('option', { hasText: 'Greeting' })).toHaveCount(1);
  await expect(canned.locator('option', { hasText: 'Sales discount' })).toHaveCount(0);
  await canned.selectOption({ label: 'Repair times' });
  await expect(agent.getByLabel('Message', { exact: true })).toHaveValue(
    'Repairs take five working days; we will email you.',
  );
  await agent.getByRole('button', { name: 'End', exact: true }).click();

  // Deleting asks in the page first; Keep keeps it.
  await admin.setViewportSize({ width: 1366, height: 768 });
  const sales = chats.getByRole('listitem').filter({ hasText: 'Sales discount' });
  await sales.getByRole('button', { name: 'Delete Sales discount' }).click();
  const confirm = sales.getByRole('group', { name: 'Confirm the deletion' });
  await expect(confirm).toContainText('Delete "Sales discount"? Agents will no longer be offered it.');
  await confirm.getByRole('button', { name: 'Keep' }).click();
  await expect(confirm).toHaveCount(0);
  await sales.getByRole('button', { name: 'Delete Sales discount' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(chats.getByText('Sales discount')).toHaveCount(0);

  // Audited.
  await nav.getByRole('link', { name: 'Audit' }).click();
  await expect(admin.getByText('Canned response deleted').first()).toBeVisible();
});
