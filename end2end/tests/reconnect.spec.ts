import { type Browser, type BrowserContext, type Locator, type WebSocketRoute } from '@playwright/test';
import { test, expect } from './fixtures';
import { agentReady, logIn } from './helpers';

/**
 * Routes a context's WebSockets through Playwright so the test can cut them: `cut()` drops
 * the open connections and refuses new ones (as a dead network would), `restore()` lets
 * them through again. Chromium's offline emulation leaves open WebSockets alone.
 */
async function cuttable(context: BrowserContext, url: RegExp) {
  let down = false;
  const open: WebSocketRoute[] = [];
  await context.routeWebSocket(url, (ws) => {
    if (down) {
      ws.close();
      return;
    }
    ws.connectToServer();
    open.push(ws);
  });
  return {
    cut: async () => {
      down = true;
      for (const ws of open.splice(0)) await ws.close();
    },
    restore: () => {
      down = false;
    },
  };
}

/** The message texts of a transcript, in the order shown (system lines left out). */
async function messages(list: Locator, selector: string): Promise<string[]> {
  // A line's text is what it shows besides its author and time (the `.meta` part).
  return list.locator(selector).evaluateAll((items) =>
    items.map((li) => {
      const meta = li.querySelector('.meta')?.textContent ?? '';
      return (li.textContent ?? '').replace(meta, '').trim();
    }),
  );
}

test('K-3: a connection cut on either side loses and duplicates nothing', async ({ browser }) => {
  test.setTimeout(60_000);
  const agent = await agentReady(browser, 'alice');
  const agentLink = await cuttable(agent.context(), /\/ws(\?|$)/);
  // The desktop reconnects through the route from now on. A reload leaves the agent Not
  // Ready (SPEC S-5), so Ready again.
  await agent.reload();
  await expect(agent.getByRole('status').getByText('Connected')).toBeVisible();
  await expect(agent).toHaveTitle('Not Ready · Switchboard');
  await agent.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(agent).toHaveTitle('Ready · Switchboard');
  const customerContext = await browser.newContext();
  const customerLink = await cuttable(customerContext, /\/widget\/ws(\?|$)/);
  const shop = await customerContext.newPage();
  await shop.goto('/demo');
  await shop.getByRole('button', { name: 'Chat with us' }).click();
  const chat = shop.frameLocator('iframe[title="Chat with us"]');
  await chat.getByLabel('Name').fill('Offline Olga');
  await chat.getByLabel('Email').fill('olga@example.com');
  await chat.getByLabel('What is it about?').selectOption({ label: 'A question before buying' });
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await agent.getByRole('article', { name: 'Chat offer from Offline Olga' }).getByRole('button', { name: 'Accept' }).click();
  await expect(chat.getByText('Alice has joined the chat.')).toBeVisible();

  const agentList = agent.getByRole('list', { name: 'Transcript' });
  const customerList = chat.getByRole('list', { name: 'Conversation' });
  const box = agent.getByLabel('Message', { exact: true });

  // The customer goes offline and writes twice; the agent writes meanwhile.
  await customerLink.cut();
  await expect(chat.getByText('Reconnecting…')).toBeVisible();
  for (const text of ['offline one', 'offline two']) {
    await chat.getByLabel('Message').fill(text);
    await chat.getByLabel('Message').press('Enter');
  }
  await box.fill('while you were away');
  await box.press('Enter');
  await expect(agentList.getByText('while you were away')).toBeVisible();
  customerLink.restore();
  await expect(agentList.getByText('offline two')).toBeVisible();
  await expect(customerList.getByText('while you were away')).toBeVisible();

  // The agent goes offline; both write; the agent comes back.
  await agentLink.cut();
  await expect(agent.getByRole('status').getByText('Reconnecting…')).toBeVisible();
  await box.fill('sent while offline');
  await box.press('Enter');
  await chat.getByLabel('Message').fill('are you there?');
  await chat.getByLabel('Message').press('Enter');
  agentLink.restore();
  await expect(agent.getByRole('status').getByText('Connected')).toBeVisible();
  await expect(agentList.getByText('are you there?')).toBeVisible();
  await expect(customerList.getByText('sent while offline')).toBeVisible();

  // Both transcripts: complete, each message once, in the same order (the server's: a
  // message written offline is stored when it arrives), and offline one before two.
  const expected = ['offline one', 'offline two', 'while you were away', 'sent while offline', 'are you there?'];
  const onDesk = await messages(agentList, 'li.line:not(.system):not(.sending)');
  const inWidget = await messages(customerList, 'li.line:not(.system):not(.sending)');
  for (const seen of [onDesk, inWidget]) {
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(seen.indexOf('offline one')).toBeLessThan(seen.indexOf('offline two'));
  }
  expect(onDesk).toEqual(inWidget);
  await agent.getByRole('button', { name: 'End', exact: true }).click();
  await expect(chat.getByText('Alice has left the chat.')).toBeVisible();
  await agent.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await agent.getByRole('button', { name: 'Log out' }).click();
  await expect(agent).toHaveURL(/\/login$/);
});

test('a message the page cannot read (the server upgraded under it) loads the page again, at most once a minute', async ({ browser }) => {
  const page = await logIn(browser, 'alice');
  const connected = page.getByRole('status').getByText('Connected');
  // The page's socket through Playwright, so the test can speak as a newer server would.
  const sockets: WebSocketRoute[] = [];
  await page.context().routeWebSocket(/\/ws(\?|$)/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.reload();
  await expect(connected).toBeVisible();
  await page.evaluate(() => ((window as unknown as { mark: number }).mark = 1));

  // A message of a shape this page's code does not know: the page loads again, and is live.
  const loaded = page.waitForEvent('load');
  await sockets[sockets.length - 1].send(JSON.stringify({ from_a_newer_server: { seq: 1 } }));
  await loaded;
  expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBeUndefined();
  await expect(connected).toBeVisible();

  // Another one within the minute: no second reload (the new page is kept and works).
  await page.evaluate(() => ((window as unknown as { mark: number }).mark = 2));
  await sockets[sockets.length - 1].send('not json at all');
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Ready');
  expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(2);
  await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Not Ready');
  await page.context().close();
});

/**
 * What the real server answers a page or widget of another protocol version at `path`
 * (`/ws?v=0`): its close code and reason, asked from a page of a context of its own.
 */
async function answerToOtherVersion(browser: Browser, path: string) {
  const context = await browser.newContext();
  const probe = await context.newPage();
  await probe.goto('/login');
  const close = await probe.evaluate(
    (p) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + p);
        ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
      }),
    path,
  );
  await context.close();
  return close;
}

/**
 * Routes a context's sockets at `url` so the test decides what the page meets: the real
 * server (`serve`), a server that never answers (`hold`), or a server of another version
 * (`upgraded`: the page's next connection gets what the real server answers a page of
 * another version, then connections reach the real server again).
 */
async function upgradable(context: BrowserContext, url: RegExp, answer: { code: number; reason: string }) {
  let mode: 'serve' | 'hold' | 'upgraded' = 'serve';
  const served: WebSocketRoute[] = [];
  const held: WebSocketRoute[] = [];
  await context.routeWebSocket(url, (ws) => {
    if (mode === 'upgraded') {
      mode = 'serve';
      void ws.close(answer);
      return;
    }
    if (mode === 'serve') {
      ws.connectToServer();
      served.push(ws);
    } else {
      held.push(ws);
    }
  });
  return {
    // The connections that no longer fit the new mode are closed (the page dials again).
    set: async (next: 'serve' | 'hold' | 'upgraded') => {
      mode = next;
      const closing = next === 'serve' ? held.splice(0) : [...served.splice(0), ...held.splice(0)];
      for (const ws of closing) await ws.close();
    },
  };
}

test('rolling upgrade: a desktop whose server now speaks another version loads again and works', async ({ browser }) => {
  const answer = await answerToOtherVersion(browser, '/ws?v=0');
  expect(answer.code).toBe(4426);
  const page = await logIn(browser, 'alice');
  const link = await upgradable(page.context(), /\/ws(\?|$)/, answer);
  await page.reload();
  const connected = page.getByRole('status').getByText('Connected');
  await expect(connected).toBeVisible();
  await page.evaluate(() => ((window as unknown as { mark: number }).mark = 1));

  const loaded = page.waitForEvent('load');
  await link.set('upgraded');
  await loaded;
  expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBeUndefined();
  await expect(connected).toBeVisible();
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Ready');
  await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Not Ready');

  // A connection opened by a server that never speaks on it (as one of another version,
  // which closes it unread): what the agent does meanwhile waits, and reaches the server
  // that reads the next connection.
  await link.set('hold');
  await expect(page.getByRole('status').getByText('Reconnecting…')).toBeVisible();
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await link.set('serve');
  await expect(connected).toBeVisible();
  await expect(page.getByTestId('agent-state')).toHaveText('Ready');
  await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Not Ready');
  await page.context().close();
});

test('rolling upgrade: a widget whose server now speaks another version loads again, keeping what the customer had not sent', async ({ browser }) => {
  test.setTimeout(60_000);
  const answer = await answerToOtherVersion(browser, '/widget/ws?v=0');
  expect(answer.code).toBe(4426);
  const agent = await agentReady(browser, 'alice');
  const customerContext = await browser.newContext();
  const link = await upgradable(customerContext, /\/widget\/ws(\?|$)/, answer);
  const shop = await customerContext.newPage();
  await shop.goto('/demo');
  await shop.getByRole('button', { name: 'Chat with us' }).click();
  const chat = shop.frameLocator('iframe[title="Chat with us"]');
  await chat.getByLabel('Name').fill('Upgraded Ulla');
  await chat.getByLabel('Email').fill('ulla@example.com');
  await chat.getByLabel('What is it about?').selectOption({ label: 'A question before buying' });
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await agent.getByRole('article', { name: 'Chat offer from Upgraded Ulla' }).getByRole('button', { name: 'Accept' }).click();
  await expect(chat.getByText('Alice has joined the chat.')).toBeVisible();
  const agentList = agent.getByRole('list', { name: 'Transcript' });

  // The connection stalls; the customer sends one message and starts another.
  await link.set('hold');
  await expect(chat.getByText('Reconnecting…')).toBeVisible();
  await chat.getByLabel('Message').fill('sent while stalled');
  await chat.getByLabel('Message').press('Enter');
  await expect(chat.getByText('Sending…')).toBeVisible();
  await chat.getByLabel('Message').fill('half typed');

  // The next connection meets a server of another version: the frame loads again, then
  // reaches the server, and the message arrives once; the half-typed text is still there.
  const frame = shop.frame({ url: /\/widget\/chat/ });
  const frameLoaded = new Promise<void>((resolve) =>
    shop.on('framenavigated', (f) => {
      if (f === frame) resolve();
    }),
  );
  await link.set('upgraded');
  await frameLoaded;
  await expect(agentList.getByText('sent while stalled')).toHaveCount(1);
  await expect(chat.getByText('sent while stalled')).toHaveCount(1);
  await expect(chat.getByText('Sending…')).toHaveCount(0);
  await expect(chat.getByLabel('Message')).toHaveValue('half typed');
  await expect(chat.getByText('Alice has joined the chat.')).toBeVisible();

  await agent.getByRole('button', { name: 'End', exact: true }).click();
  await expect(chat.getByText('Alice has left the chat.')).toBeVisible();
  await agent.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await customerContext.close();
  await agent.context().close();
});
