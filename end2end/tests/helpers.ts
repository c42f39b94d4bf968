import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type BrowserContextOptions, type FrameLocator, type Page } from '@playwright/test';

/** A tone the page started through Web Audio, and whether audio was running then. */
export type Tone = { freq: number; state: string };

/**
 * Logs in through the login page in a fresh browser context, as a person would. With
 * `recordTones`, every oscillator the page starts is recorded (see `tonesOf`); `context`
 * sets up the browser (viewport, zoom, locale: the login page must then speak English).
 */
export async function logIn(
  browser: Browser,
  username: string,
  options: { recordTones?: boolean; context?: BrowserContextOptions } = {},
): Promise<Page> {
  const context = await browser.newContext(options.context);
  if (options.recordTones) {
    await context.addInitScript(() => {
      const w = window as unknown as { __tones: Tone[] };
      w.__tones = [];
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (this: OscillatorNode, when?: number) {
        w.__tones.push({ freq: this.frequency.value, state: this.context.state });
        return start.call(this, when);
      };
    });
  }
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('switchboard');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
  return page;
}

/** The tones a page recorded with `recordTones` started, as frequencies, in order. */
export async function tonesOf(page: Page): Promise<Tone[]> {
  return page.evaluate(() => (window as unknown as { __tones: Tone[] }).__tones.slice());
}

/** An agent logged in and Ready (`context.baseURL` for a test's own server). */
export async function agentReady(
  browser: Browser,
  username: string,
  options: { recordTones?: boolean; context?: BrowserContextOptions } = {},
): Promise<Page> {
  const page = await logIn(browser, username, options);
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

/**
 * On a test's own demo server at `origin`: Dave Ready at 1366x768, and Zoé Martin's chat
 * about her order from the demo shop, accepted by him. `context` opens more pages there.
 */
export async function zoeChatsWithDave(
  browser: Browser,
  origin: string,
): Promise<{ dave: Page; widget: FrameLocator; context: BrowserContextOptions }> {
  const context = { baseURL: origin, viewport: { width: 1366, height: 768 } };
  const dave = await agentReady(browser, 'dave', { context });
  const { widget } = await zoeStarts(browser, origin);
  await dave.getByRole('article', { name: 'Chat offer from Zoé Martin' }).getByRole('button', { name: 'Accept' }).click();
  await expect(widget.getByText('Dave has joined the chat.')).toBeVisible();
  return { dave, widget, context };
}

/** On a test's own demo server at `origin`, Zoé Martin starts a chat about her order from
 *  the demo shop (Support), at 1366x768. */
export async function zoeStarts(browser: Browser, origin: string): Promise<{ shop: Page; widget: FrameLocator }> {
  const shop = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  await shop.goto(`${origin}/demo`);
  await shop.getByRole('button', { name: 'Chat with us' }).click();
  const widget = shop.frameLocator('iframe[title="Chat with us"]');
  await widget.getByLabel('Name').fill('Zoé Martin');
  await widget.getByLabel('Email').fill('zoe.martin@example.com');
  await widget.getByLabel('What is it about?').selectOption({ label: 'Help with my order' });
  await widget.getByRole('button', { name: 'Start chat' }).click();
  return { shop, widget };
}

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/**
 * L (accessibility): axe-core finds no violation of WCAG 2.1 A and AA on the page as it is
 * now (frames included). What it found is printed, rule by rule with the elements, so a
 * failure says what to fix.
 */
export async function expectAccessible(page: Page, state: string, include?: string) {
  // The customer's email is their own HTML, shown in a sandboxed frame that runs no script:
  // axe cannot run inside it (it would wait for the frame until the test times out), and
  // what it holds is not ours to fix.
  let builder = new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .exclude('iframe.email-body');
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  const found = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ')}`).join('\n'),
  );
  expect(found, `${state}:\n${found.join('\n')}`).toEqual([]);
}
