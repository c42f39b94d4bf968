import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test, expect } from './fixtures';

/** `server admin ...` on the browser tests' own database; returns what it printed. */
function serverAdmin(...args: string[]): string {
  const dataDir = process.env.SWITCHBOARD_E2E_DATA_DIR!;
  return execFileSync(process.env.SWITCHBOARD_SERVER_BIN!, ['admin', ...args], {
    env: {
      ...process.env,
      SWITCHBOARD_DATA_DIR: dataDir,
      DATABASE_URL: `sqlite://${join(dataDir, 'e2e.db')}`,
      SWITCHBOARD_LOG: 'warn',
    },
  }).toString();
}

test('D-2: a one-time password from the command line opens only the password page, until the user chooses their own', async ({ browser }) => {
  const printed = serverAdmin('create', '--username', 'erin', '--name', 'Erin Example');
  const once = /One-time password: (\S+)/.exec(printed)?.[1];
  expect(once, printed).toHaveLength(16);

  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto('/login');
  await page.getByLabel('Username').fill('erin');
  await page.getByLabel('Password').fill(once!);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/password$/);
  await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  // The desktop is not open to this session yet.
  await page.goto('/');
  await expect(page).toHaveURL(/\/password$/);

  const current = page.getByLabel('One-time password');
  const fresh = page.getByLabel('New password', { exact: true });
  const again = page.getByLabel('New password again');
  await current.fill(once!);
  await fresh.fill('short');
  await again.fill('shorter');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#new-password-error')).toHaveText('at least 12 characters (5 given)');
  await expect(page.locator('#confirm-password-error')).toHaveText('does not match the new password');
  await expect(fresh).toHaveAttribute('aria-invalid', 'true');

  // The page has no list of common passwords: the server's refusal shows by the field.
  await fresh.fill('password1234');
  await again.fill('password1234');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#new-password-error')).toContainText('among the most common passwords');
  await expect(page.locator('#confirm-password-error')).toHaveText('');
  await expect(current).toHaveValue(once!);
  await page.screenshot({ path: 'test-results/screenshots/password-1366.png', fullPage: true });
  await page.setViewportSize({ width: 900, height: 700 });
  await page.screenshot({ path: 'test-results/screenshots/password-900.png', fullPage: true });

  await fresh.fill('lantern by the harbour');
  await again.fill('lantern by the harbour');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('Erin Example')).toBeVisible();
  await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Administration' })).toBeVisible();

  // The one-time password is spent.
  const other = await browser.newPage();
  await other.goto('/login');
  await other.getByLabel('Username').fill('erin');
  await other.getByLabel('Password').fill(once!);
  await other.getByRole('button', { name: 'Log in' }).click();
  await expect(other.getByRole('alert')).toHaveText('Wrong username or password.');
});
