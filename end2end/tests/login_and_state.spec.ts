import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';

/** Logs in through the login page, as a person would. */
async function logIn(page: Page, username: string, password = 'switchboard') {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The desktop is live once its WebSocket says it is connected (the page has hydrated). */
async function waitLive(page: Page) {
  await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
}

const stateButton = (page: Page, name: 'Ready' | 'Not Ready') =>
  page.getByRole('button', { name, exact: true });

test('S-1 S-2 D-4: log in Not Ready, go Ready in one tab, see it in the other, log out', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, 'alice');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('Alice Martin')).toBeVisible();
  await waitLive(page);

  // S-1: Not Ready after login, and Log out is possible.
  await expect(page.getByTestId('agent-state')).toHaveText('Not Ready');
  await expect(stateButton(page, 'Not Ready')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('button', { name: 'Log out' })).toBeEnabled();
  await expect(page.getByRole('tab', { name: 'Chat and Email Control' })).toHaveAttribute('aria-selected', 'true');

  // S-2: Ready; Log out is disabled while Ready.
  await stateButton(page, 'Ready').click();
  await expect(stateButton(page, 'Ready')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('agent-state')).toHaveText('Ready');
  await expect(page).toHaveTitle('Ready · Switchboard');
  await expect(page.getByRole('button', { name: 'Log out' })).toBeDisabled();

  // D-4: a second tab of the same agent shows Ready, and follows changes made in the first.
  const second = await context.newPage();
  await second.goto('/');
  await waitLive(second);
  await expect(second.getByTestId('agent-state')).toHaveText('Ready');
  await expect(second.getByRole('button', { name: 'Log out' })).toBeDisabled();
  await stateButton(page, 'Not Ready').click();
  await expect(second.getByTestId('agent-state')).toHaveText('Not Ready');
  await expect(page.getByTestId('agent-state')).toHaveText('Not Ready');

  // S-1: Log out from Not Ready; the other tab leaves the desktop too.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(second).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});

test('a wrong password gets one generic error and no session', async ({ page }) => {
  await logIn(page, 'bob', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await expect(page).toHaveURL(/\/login$/);
  await logIn(page, 'nobody-here', 'switchboard');
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
});

test('the gadget tabs switch with the mouse and the keyboard', async ({ page }) => {
  await logIn(page, 'carol');
  await waitLive(page);
  const control = page.getByRole('tab', { name: 'Chat and Email Control' });
  const manage = page.getByRole('tab', { name: 'Manage Chat and Email' });
  await manage.click();
  await expect(manage).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByText('No contacts yet.', { exact: false })).toBeVisible();
  await manage.press('ArrowLeft');
  await expect(control).toHaveAttribute('aria-selected', 'true');
  await expect(control).toBeFocused();
  await expect(page.getByTestId('agent-state')).toBeVisible();
});

test('without JavaScript, a refused login comes back to the login page saying why, and the right one logs in', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill('bob');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/login\?refused=credentials$/);
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await page.getByLabel('Username').fill('bob');
  await page.getByLabel('Password').fill('switchboard');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await context.close();
});

test('a crafted refusal in the address shows only a known message', async ({ page }) => {
  await page.goto('/login?refused=Call%20555-0100%20now');
  await expect(page.getByRole('alert')).toHaveText('Something went wrong on the server. Please try again.');
});
