import { type Browser, type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { logIn } from './helpers';

async function adminPage(browser: Browser): Promise<Page> {
  const admin = await logIn(browser, 'admin');
  await admin.goto('/admin');
  await expect(admin.getByRole('heading', { name: 'Users' })).toBeVisible();
  return admin;
}

test('D-2: an administrator creates a user in the browser, who chooses a password, and disables them', async ({ browser }) => {
  const admin = await adminPage(browser);
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.getByRole('button', { name: 'New user' }).click();
  const form = admin.locator('form.user-form');
  await form.getByLabel('Username').fill('frank lee');
  await form.getByLabel('Alias').fill('Frank');
  await form.getByLabel('Temporary password (optional)').fill('short');
  await form.getByRole('button', { name: 'Create user' }).click();
  // Each field says what is wrong with it, and what was typed stays.
  await expect(admin.locator('#user-username-error')).toHaveText('use letters a-z, digits and . _ - @ only, without spaces or accents');
  await expect(admin.locator('#user-name-error')).toHaveText('required');
  await expect(admin.locator('#user-password-error')).toHaveText('at least 12 characters (5 given)');
  await expect(form.getByLabel('Alias')).toHaveValue('Frank');
  await admin.screenshot({ path: 'test-results/screenshots/users-form-1366.png', fullPage: true });

  // A username taken, ignoring case: the server's refusal shows by the field.
  await form.getByLabel('Username').fill('ALICE');
  await form.getByLabel('Full name').fill('Frank Lee');
  await form.getByLabel('Temporary password (optional)').fill('');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(admin.locator('#user-username-error')).toHaveText('"ALICE" already exists');

  await form.getByLabel('Username').fill('frank');
  await form.getByLabel('Maximum chats at once').selectOption('2');
  await form.getByRole('group', { name: 'Queues' }).getByLabel('Support').check();
  await form.getByRole('button', { name: 'Create user' }).click();
  const handover = admin.locator('.handover');
  await expect(handover).toContainText('User frank created.');
  const once = (await handover.locator('code.secret').textContent())!.trim();
  expect(once).toHaveLength(16);
  await admin.getByLabel('Search').fill('FRANK');
  const row = admin.getByRole('row').filter({ hasText: 'frank' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Support');
  await expect(row).toContainText('2 · 3');
  await expect(row).toContainText('Must choose a password');
  await admin.screenshot({ path: 'test-results/screenshots/users-1366.png', fullPage: true });
  await admin.setViewportSize({ width: 900, height: 700 });
  await admin.screenshot({ path: 'test-results/screenshots/users-900.png', fullPage: true });
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // Frank logs in with it, chooses a password, and reaches the desktop.
  const frank = await (await browser.newContext()).newPage();
  await frank.goto('/login');
  await frank.getByLabel('Username').fill('frank');
  await frank.getByLabel('Password').fill(once);
  await frank.getByRole('button', { name: 'Log in' }).click();
  await expect(frank).toHaveURL(/\/password$/);
  await frank.getByLabel('One-time password').fill(once);
  await frank.getByLabel('New password', { exact: true }).fill('quiet river stones 7');
  await frank.getByLabel('New password again').fill('quiet river stones 7');
  await frank.getByRole('button', { name: 'Change password' }).click();
  await expect(frank.getByRole('status').getByText('Connected')).toBeVisible();
  await expect(frank.getByText('Frank Lee')).toBeVisible();

  // Disabled: Frank's open desktop goes to the login page at once, which says why.
  await row.getByRole('button', { name: 'Edit frank' }).click();
  await form.getByLabel('Disabled').check();
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(row).toContainText('Disabled');
  await expect(frank).toHaveURL(/\/login\?ended=1$/);
  await expect(frank.getByText('Your session has ended')).toBeVisible();
  await frank.getByLabel('Username').fill('frank');
  await frank.getByLabel('Password').fill('quiet river stones 7');
  await frank.getByRole('button', { name: 'Log in' }).click();
  await expect(frank.getByRole('alert')).toHaveText('This account is disabled. Ask your administrator.');

  // The administrator cannot disable their own account.
  await admin.getByLabel('Search').fill('admin');
  await admin.getByRole('button', { name: 'Edit admin', exact: true }).click();
  await form.getByLabel('Disabled').check();
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(admin.locator('#user-disabled-error')).toHaveText('not on your own account: another administrator can change it');
  await admin.getByLabel('Disabled').uncheck();

  // D-2, S-6: the audit lists each change with who made it; Frank's day shows his login.
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Audit' }).click();
  await expect(admin).toHaveURL(/\/admin\/audit$/);
  await admin.getByLabel('Kind').selectOption({ label: 'Users and passwords' });
  const created = admin.getByRole('row').filter({ hasText: 'User created' }).filter({ hasText: '"frank"' });
  await expect(created).toHaveCount(1);
  await expect(created).toContainText('admin');
  await expect(admin.getByRole('row').filter({ hasText: 'User changed' }).first()).toContainText('disabled: "false" -> "true"');
  await expect(admin.getByText('quiet river stones')).toHaveCount(0);
  await admin.getByLabel('Username').fill('frank');
  await admin.getByRole('button', { name: 'Show' }).click();
  const history = admin.getByRole('region', { name: 'State history' });
  await expect(history.getByRole('row').filter({ hasText: 'Logged in' })).toContainText('Logged out');
  await admin.screenshot({ path: 'test-results/screenshots/admin-audit-1366.png', fullPage: true });
  await admin.setViewportSize({ width: 900, height: 700 });
  await admin.screenshot({ path: 'test-results/screenshots/admin-audit-900.png', fullPage: true });
  const wide = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide).toBeLessThanOrEqual(0);
});

test('D-3: a supervisor is given the CSQs they watch, apart from the ones they take', async ({ browser }) => {
  const admin = await adminPage(browser);
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.getByRole('button', { name: 'New user' }).click();
  const form = admin.locator('form.user-form');
  await form.getByLabel('Username').fill('sue');
  await form.getByLabel('Full name').fill('Sue Park');
  await form.getByLabel('Alias').fill('Sue');
  // Only a supervisor watches CSQs: the choice appears with the role.
  await expect(form.getByRole('group', { name: 'Supervises' })).toHaveCount(0);
  await form.getByLabel('Role').selectOption({ label: 'Supervisor' });
  const watched = form.getByRole('group', { name: 'Supervises' });
  await expect(watched).toBeVisible();
  await watched.getByLabel('Support').check();
  await admin.screenshot({ path: 'test-results/screenshots/users-supervisor-form-1366.png', fullPage: true });
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(admin.locator('.handover')).toContainText('User sue created.');
  await admin.getByLabel('Search').fill('sue');
  const row = admin.getByRole('row').filter({ hasText: 'sue' });
  await expect(row).toContainText('Supervises: Support');
  await expect(row.getByRole('cell').nth(2)).toContainText('None');

  // Made an agent, she watches nothing any more.
  await row.getByRole('button', { name: 'Edit sue' }).click();
  await expect(form.getByRole('group', { name: 'Supervises' }).getByLabel('Support')).toBeChecked();
  await form.getByLabel('Role').selectOption({ label: 'Agent' });
  await expect(form.getByRole('group', { name: 'Supervises' })).toHaveCount(0);
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(row).toContainText('Agent');
  await expect(row).not.toContainText('Supervises');
});
