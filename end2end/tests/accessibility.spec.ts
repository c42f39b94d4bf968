import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { agentReady, customerStarts, logIn } from './helpers';
import { test, expect } from './fixtures';

/**
 * L (accessibility): axe-core finds no violation of WCAG 2.1 A and AA on the page as it is
 * now. What it found is printed, rule by rule with the elements, so a failure says what to
 * fix.
 */
async function expectAccessible(page: Page, state: string, include?: string) {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  const found = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ')}`).join('\n'),
  );
  expect(found, `${state}:\n${found.join('\n')}`).toEqual([]);
}

test('L: the login page and the desktop, empty, with an offer and with a chat, pass axe-core', async ({ browser }) => {
  test.setTimeout(90_000);
  const login = await (await browser.newContext()).newPage();
  await login.goto('/login');
  await expect(login.getByRole('button', { name: 'Log in' })).toBeEnabled();
  await expectAccessible(login, 'login');

  const dave = await logIn(browser, 'dave');
  await expectAccessible(dave, 'desktop, Not Ready, empty');
  await dave.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(dave).toHaveTitle('Ready · Switchboard');
  const { chat } = await customerStarts(browser, 'Axel Able', 'Something is broken');
  const offer = dave.getByRole('article', { name: 'Chat offer from Axel Able' });
  await expect(offer).toBeVisible();
  await expectAccessible(dave, 'desktop with an offer');
  // The documented shortcuts: accept, go to the message box, send with Enter, end.
  await dave.keyboard.press('Alt+Shift+KeyA');
  await expect(dave.getByRole('tab', { name: /Axel Able/ })).toHaveAttribute('aria-selected', 'true');
  await chat.getByLabel('Message').fill('Hello, my order is broken.');
  await chat.getByLabel('Message').press('Enter');
  await expect(dave.getByRole('list', { name: 'Transcript' }).getByText('Hello, my order is broken.')).toBeVisible();
  // Said by a screen reader through the page's live region.
  await expect(dave.getByTestId('announcer')).toHaveText('Axel Able: Hello, my order is broken.');
  await expectAccessible(dave, 'desktop with a chat');
  await dave.getByRole('button', { name: /^Wrap-Up Reasons/ }).click();
  await expectAccessible(dave, 'desktop with the wrap-up pane open');
  await dave.getByRole('button', { name: 'OK' }).click();
  await dave.getByRole('tab', { name: 'Chat and Email Control' }).click();
  await dave.keyboard.press('Alt+Shift+KeyM');
  const box = dave.getByLabel('Message', { exact: true });
  await expect(box).toBeFocused();
  await dave.keyboard.type('Let me check that for you.');
  await dave.keyboard.press('Enter');
  await expect(chat.getByText('Let me check that for you.')).toBeVisible();
  await dave.keyboard.press('Alt+Shift+KeyE');
  await expect(dave.getByRole('tab', { name: /Axel Able/ })).toHaveCount(0);
  // The list of shortcuts, in the Control gadget.
  await dave.getByRole('tab', { name: 'Chat and Email Control' }).click();
  await dave.getByText('Keyboard shortcuts').click();
  await expect(dave.getByText('Alt+Shift+A')).toBeVisible();
  await expectAccessible(dave, 'desktop with the shortcuts listed');
  await dave.getByRole('button', { name: 'Not Ready', exact: true }).click();
});

test('L: every administration section passes axe-core', async ({ browser }) => {
  test.setTimeout(90_000);
  const admin = await (await browser.newContext()).newPage();
  await admin.goto('/login');
  await admin.getByLabel('Username').fill('admin');
  await admin.getByLabel('Password').fill('switchboard');
  await admin.getByRole('button', { name: 'Log in' }).click();
  await admin.waitForURL(/\/$/);
  for (const section of ['users', 'queues', 'pre-chat', 'canned', 'mailboxes', 'chat', 'wrap-up', 'gadget', 'set-aside', 'audit']) {
    await admin.goto(`/admin/${section}`);
    await expect(admin.locator('.admin-body h2').first()).toBeVisible();
    await expectAccessible(admin, `administration: ${section}`);
  }
});

test('L: the chat widget, closed and open, passes axe-core', async ({ browser }) => {
  const shop = await (await browser.newContext()).newPage();
  await shop.goto('/demo');
  await expect(shop.getByRole('button', { name: 'Chat with us' })).toBeVisible();
  await expectAccessible(shop, 'widget closed');
  await shop.getByRole('button', { name: 'Chat with us' }).click();
  const chat = shop.frameLocator('iframe[title="Chat with us"]');
  await expect(chat.getByLabel('Name')).toBeVisible();
  await expectAccessible(shop, 'widget open: the pre-chat form');
});
