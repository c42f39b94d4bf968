import { expect, type Browser, type FrameLocator, type Page } from '@playwright/test';

/** Logs in through the login page in a fresh browser context, as a person would. */
export async function logIn(browser: Browser, username: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('switchboard');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
  return page;
}

/** An agent logged in and Ready. */
export async function agentReady(browser: Browser, username: string): Promise<Page> {
  const page = await logIn(browser, username);
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(page).toHaveTitle('Ready · Switchboard');
  return page;
}

/** A customer on the demo shop opens the widget (one script tag) and starts a chat. */
export async function customerStarts(
  browser: Browser,
  name: string,
  problem: string,
): Promise<{ shop: Page; chat: FrameLocator }> {
  const shop = await (await browser.newContext()).newPage();
  await shop.goto('/demo');
  await shop.getByRole('button', { name: 'Chat with us' }).click();
  const chat = shop.frameLocator('iframe[title="Chat with us"]');
  await chat.getByLabel('Name').fill(name);
  await chat.getByLabel('Email').fill('zoe@example.com');
  await chat.getByLabel('What is it about?').selectOption({ label: problem });
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await expect(chat.getByText('Welcome! An agent will be with you shortly.')).toBeVisible();
  return { shop, chat };
}

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}
