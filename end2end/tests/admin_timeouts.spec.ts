import { type Browser, type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { customerStarts, logIn, logOut } from './helpers';

/** Fills the chat settings form's timers and saves; the saved message must show. */
async function saveTimers(admin: Page, join: string, inactivity: string) {
  await admin.getByLabel('Join timeout').fill(join);
  await admin.getByLabel('Inactivity timeout').fill(inactivity);
  await admin.getByRole('button', { name: 'Save chat settings' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
}

async function adminPage(browser: Browser): Promise<Page> {
  const admin = await logIn(browser, 'admin');
  // The link opens a new browser tab, so the desktop (and any chat in hand) stays open.
  const [settings] = await Promise.all([
    admin.context().waitForEvent('page'),
    admin.getByRole('link', { name: 'Administration' }).click(),
  ]);
  await settings.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Chat settings' }).click();
  await expect(settings).toHaveURL(/\/admin\/chat$/);
  await expect(settings.getByRole('heading', { name: 'Chat settings' })).toBeVisible();
  return settings;
}

// The e2e server is shared by every test: put the defaults back whatever happened.
test.afterAll(async ({ browser }) => {
  const admin = await adminPage(browser);
  await saveTimers(admin, '60', '300');
});

test('D-2: only administrators reach the settings; bad values are refused field by field and kept', async ({ browser }) => {
  const agent = await logIn(browser, 'alice');
  await agent.goto('/admin');
  await expect(agent.getByRole('heading', { name: 'Administrators only' })).toBeVisible();
  await expect(agent.getByRole('link', { name: 'Administration' })).toHaveCount(0);

  const admin = await adminPage(browser);
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.getByLabel('Accept timer').fill('5');
  await admin.getByLabel('Join timeout').fill('');
  await admin.getByLabel('Welcome message').fill('   ');
  await admin.getByRole('button', { name: 'Save chat settings' }).click();
  // Each field says what is wrong with it, and the limit.
  await expect(admin.locator('#accept-timer-error')).toHaveText('must be between 10 and 3600 (5 given)');
  await expect(admin.locator('#join-timeout-error')).toHaveText('required');
  await expect(admin.locator('#welcome-message-error')).toHaveText('required');
  await expect(admin.locator('#inactivity-timeout-error')).toBeEmpty();
  await expect(admin.getByLabel('Accept timer')).toHaveAttribute('aria-invalid', 'true');
  await expect(admin.getByRole('status')).toHaveText('Not saved: 3 fields to correct.');
  await expect(admin.getByLabel('Accept timer')).toHaveValue('5');
  // Correcting a field clears its error as the administrator types.
  await admin.getByLabel('Accept timer').fill('20');
  await expect(admin.locator('#accept-timer-error')).toBeEmpty();
  await admin.screenshot({ path: 'test-results/screenshots/admin-errors-1366.png', fullPage: true });

  // Unsaved changes are not lost silently: the browser asks before the page unloads.
  const asked = new Promise<string>((resolve) =>
    admin.once('dialog', (dialog) => {
      resolve(dialog.type());
      void dialog.accept();
    }),
  );
  // Nothing was stored: a fresh load shows the defaults.
  await admin.reload();
  expect(await asked).toBe('beforeunload');
  await expect(admin.getByLabel('Accept timer')).toHaveValue('15');
  await expect(admin.getByLabel('Welcome message')).toHaveValue('Welcome! An agent will be with you shortly.');
  await admin.setViewportSize({ width: 900, height: 700 });
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await admin.screenshot({ path: 'test-results/screenshots/admin-900.png', fullPage: true });
  await agent.goto('/');
  await logOut(agent);
});

test('K-5: the administrator\'s join timeout brings the no-agent message; a silent customer is warned, then the chat ends', async ({ browser }) => {
  test.setTimeout(120_000);
  const admin = await adminPage(browser);
  await saveTimers(admin, '10', '30');
  await admin.reload();
  await expect(admin.getByLabel('Join timeout')).toHaveValue('10');

  // Carol of Billing is logged in but not Ready (with nobody logged in, the customer would
  // be offered to leave a message instead, K-4): after the join timeout the customer gets
  // the message.
  const carol = await logIn(browser, 'carol');
  const { chat } = await customerStarts(browser, 'Quentin Silence', 'Billing or a refund');
  const noAgent = chat.getByText('All our agents are busy right now.', { exact: false });
  await expect(noAgent).toBeVisible({ timeout: 15_000 });

  // The chat still waits in its queue: an agent who comes takes it.
  await carol.getByRole('button', { name: 'Ready', exact: true }).click();
  await carol.getByRole('article', { name: 'Chat offer from Quentin Silence' }).getByRole('button', { name: 'Accept' }).click();
  await expect(chat.getByText('Carol has joined the chat.')).toBeVisible();
  const joined = Date.now();

  // The customer stays silent: warned at 80 % of the 30 s, then the chat ends on both sides.
  const warning = chat.getByText('Are you still there? The chat will end soon without a reply.');
  await expect(warning).toBeVisible({ timeout: 30_000 });
  expect(Date.now() - joined).toBeGreaterThan(20_000);
  await expect(chat.getByText('The chat ended after a period of inactivity.')).toBeVisible({ timeout: 15_000 });
  expect(Date.now() - joined).toBeGreaterThan(28_000);
  await expect(chat.getByRole('link', { name: 'Download transcript' })).toBeVisible();
  await expect(carol.getByRole('tab', { name: /Quentin Silence/ })).toHaveCount(0);
  await expect(carol).toHaveTitle('Ready · Switchboard');
  await logOut(carol);
});
