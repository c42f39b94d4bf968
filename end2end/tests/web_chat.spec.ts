import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { agentReady, customerStarts, logIn, logOut, tonesOf } from './helpers';

test('K-1 K-2 O-2 O-5 C-1 C-3 P-1 P-2 P-3 O-6: a customer on the demo shop chats with an agent', async ({ browser }) => {
  const agent = await agentReady(browser, 'dave');
  const { shop, chat } = await customerStarts(browser, 'Zoé Martin', 'Something is broken');

  // K-1: the launcher is isolated from the host page's styles (the shop forces pink buttons).
  const launcher = shop.getByRole('button', { name: 'Close chat' });
  await expect(launcher).not.toHaveCSS('background-color', 'rgb(255, 105, 180)');

  // O-2: the offer, with the customer's details and the countdown, whichever gadget is open.
  await agent.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  const offer = agent.getByRole('article', { name: 'Chat offer from Zoé Martin' });
  await expect(offer).toBeVisible();
  await expect(offer.getByText('Something is broken')).toBeVisible();
  await expect(offer.getByText('zoe@example.com')).toBeVisible();
  await expect(offer.getByRole('timer')).toHaveText(/^(1[0-5]|[5-9]) s$/);
  await agent.getByRole('tab', { name: 'Chat and Email Control' }).click();
  await offer.getByRole('button', { name: 'Accept' }).click();

  // O-5, C-3: the Manage gadget opens on the new tab; the agent is Reserved.
  await expect(agent.getByRole('tab', { name: 'Manage Chat and Email' })).toHaveAttribute('aria-selected', 'true');
  await expect(agent.getByRole('tab', { name: /Zoé Martin/ })).toHaveAttribute('aria-selected', 'true');
  await expect(agent).toHaveTitle('Reserved · Switchboard');
  await expect(offer).toHaveCount(0);
  await expect(chat.getByText('Dave has joined the chat.')).toBeVisible();

  // P-2: the customer's typing shows on the desktop, then the message.
  await chat.getByLabel('Message').pressSequentially('Bonjour, ma tente fuit');
  await expect(agent.getByText('Zoé Martin is typing…')).toBeVisible();
  await chat.getByLabel('Message').press('Enter');
  const transcript = agent.getByRole('list', { name: 'Transcript' });
  await expect(transcript.getByText('Bonjour, ma tente fuit')).toBeVisible();
  await expect(agent.getByText('Zoé Martin is typing…')).toHaveCount(0);

  // P-1: the counter and the limit; P-3: a canned response inserted at the cursor.
  const box = agent.getByLabel('Message', { exact: true });
  await box.fill('x'.repeat(1501));
  await expect(agent.getByText('1501 / 1500')).toBeVisible();
  await expect(agent.getByRole('button', { name: 'Send' })).toBeDisabled();
  await expect(agent.getByRole('alert').filter({ hasText: 'at most 1500 characters' })).toBeVisible();
  await box.fill('');
  await agent.getByLabel('Canned responses').selectOption({ label: 'Greeting' });
  await expect(box).toHaveValue('Hello, thanks for contacting us! How can I help you today?');

  // The agent's typing shows in the widget; Enter sends.
  await box.fill('Bonjour Zoé, je regarde.');
  await expect(chat.getByText('Dave is typing…')).toBeVisible();
  await box.press('Enter');
  await expect(chat.getByText('Bonjour Zoé, je regarde.')).toBeVisible();
  await expect(box).toHaveValue('');
  await expect(agent.getByRole('tab', { name: /Zoé Martin/ }).getByRole('img', { name: 'Web chat' })).toBeVisible();
  await agent.screenshot({ path: 'test-results/screenshots/chat-active.png' });
  await shop.screenshot({ path: 'test-results/screenshots/widget-demo.png' });

  // O-6: End; the customer sees the agent leave and can download the transcript.
  await agent.getByRole('button', { name: 'End', exact: true }).click();
  await expect(chat.getByText('Dave has left the chat.')).toBeVisible();
  await expect(agent).toHaveTitle('Ready · Switchboard');
  await expect(agent.getByRole('tab', { name: /Zoé Martin/ })).toHaveCount(0);
  const download = chat.getByRole('link', { name: 'Download transcript' });
  await expect(download).toBeVisible();
  const [file] = await Promise.all([shop.waitForEvent('download'), download.click()]);
  const text = await (await import('node:fs/promises')).readFile(await file.path(), 'utf8');
  expect(text).toContain('Zoé Martin: Bonjour, ma tente fuit');
  expect(text).toContain('Dave: Bonjour Zoé, je regarde.');
  await agent.screenshot({ path: 'test-results/screenshots/chat-ended.png' });
  await logOut(agent);
});

test('S-4: an offer left to expire makes the agent Not Ready with the badge and goes to the next agent', async ({ browser }) => {
  test.setTimeout(60_000);
  // Both are Support members; the one available longest (carol has no Support: use bob and dave).
  const bob = await agentReady(browser, 'bob');
  const dave = await agentReady(browser, 'dave');
  const { chat } = await customerStarts(browser, 'Yann Le Goff', 'Help with my order');

  const offered = async (page: Page) =>
    (await page.getByRole('article', { name: 'Chat offer from Yann Le Goff' }).count()) > 0;
  await expect.poll(async () => (await offered(bob)) || (await offered(dave))).toBe(true);
  const [first, second] = (await offered(bob)) ? [bob, dave] : [dave, bob];

  // Nobody accepts: after the accept timer the offer goes, with the badge.
  await expect(first.getByRole('alert').filter({ hasText: 'Chat not accepted' })).toBeVisible({ timeout: 20_000 });
  await expect(first).toHaveTitle('Not Ready · Switchboard');
  await expect(first.getByRole('article', { name: 'Chat offer from Yann Le Goff' })).toHaveCount(0);

  // The second agent gets it and accepts.
  const offer = second.getByRole('article', { name: 'Chat offer from Yann Le Goff' });
  await expect(offer).toBeVisible();
  await first.screenshot({ path: 'test-results/screenshots/offer-expired.png' });
  await second.screenshot({ path: 'test-results/screenshots/offer.png' });
  await offer.getByRole('button', { name: 'Accept' }).click();
  await expect(chat.getByText(/(Bob|Dave) has joined the chat\./)).toBeVisible();
  await second.getByRole('button', { name: 'End', exact: true }).click();
  await expect(second).toHaveTitle('Ready · Switchboard');
  await logOut(first);
  await logOut(second);
});

test('S-5: closing the desktop with a chat in hand ends the chat for the customer and leaves the agent Not Ready', async ({ browser }) => {
  const agent = await agentReady(browser, 'dave');
  const { chat } = await customerStarts(browser, 'Xavier Roux', 'Something is broken');
  await agent.getByRole('article', { name: 'Chat offer from Xavier Roux' }).getByRole('button', { name: 'Accept' }).click();
  await expect(chat.getByText('Dave has joined the chat.')).toBeVisible();
  // The customer may read the join line before the desktop has its tab: the page asks only
  // once the agent can see the chat in hand.
  await expect(agent.getByRole('tab', { name: /Xavier Roux/ })).toBeVisible();

  // The page asks before unloading while a contact is in hand; the agent leaves anyway.
  const asking = agent.waitForEvent('dialog');
  await agent.close({ runBeforeUnload: true });
  const dialog = await asking;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.accept();
  await expect(chat.getByText('Dave has left the chat.')).toBeVisible();
  await expect(chat.getByText("The agent's desktop closed; the chat has ended.")).toBeVisible();
  await expect(chat.getByRole('link', { name: 'Download transcript' })).toBeVisible();

  const again = await logIn(browser, 'dave');
  await expect(again).toHaveTitle('Not Ready · Switchboard');
  await again.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  await expect(again.getByText('No contacts yet.', { exact: false })).toBeVisible();
  await logOut(again);
});

test('O-4 C-1: offers stop at the maximum of active chats; unread counts show on other tabs and in the title', async ({ browser }) => {
  test.setTimeout(90_000);
  const carol = await agentReady(browser, 'carol', { recordTones: true }); // the only agent of Billing
  const chats = [];
  for (const name of ['Ana Uno', 'Ben Dos', 'Cleo Tres']) {
    const customer = await customerStarts(browser, name, 'Billing or a refund');
    if (name === 'Ana Uno') {
      // O-3: the very first offer rings (the three-note chime), with audio running.
      await expect(carol.getByRole('article', { name: 'Chat offer from Ana Uno' })).toBeVisible();
      await expect.poll(() => tonesOf(carol)).toEqual([
        { freq: 660, state: 'running' },
        { freq: 880, state: 'running' },
        { freq: 1320, state: 'running' },
      ]);
    }
    await carol.getByRole('article', { name: `Chat offer from ${name}` }).getByRole('button', { name: 'Accept' }).click();
    await expect(carol.getByRole('tab', { name: new RegExp(name) })).toHaveAttribute('aria-selected', 'true');
    chats.push(customer);
  }
  await expect(carol.getByRole('tab', { name: /Uno|Dos|Tres/ })).toHaveCount(3);

  // C-1: a message on a tab that is not current shows its count there and in the title.
  await chats[0].chat.getByLabel('Message').fill('first question');
  await chats[0].chat.getByLabel('Message').press('Enter');
  await chats[0].chat.getByLabel('Message').fill('second question');
  await chats[0].chat.getByLabel('Message').press('Enter');
  const anaTab = carol.getByRole('tab', { name: /Ana Uno/ });
  await expect(anaTab.getByLabel('2 new messages')).toBeVisible();
  await expect(carol).toHaveTitle('(2) Reserved · Switchboard');
  // O-3: each message on a tab that is not current plays the two-note sound.
  const messageTones = async () =>
    (await tonesOf(carol)).filter((t) => t.state === 'running').map((t) => t.freq).join(' ');
  await expect.poll(messageTones).toMatch(/ 880 660 880 660$/);
  await anaTab.click();
  await expect(carol).toHaveTitle('Reserved · Switchboard');
  // A message on the current tab is already in view: no sound.
  const heard = (await tonesOf(carol)).length;
  await chats[0].chat.getByLabel('Message').fill('third question');
  await chats[0].chat.getByLabel('Message').press('Enter');
  await expect(carol.getByRole('list', { name: 'Transcript' }).getByText('third question')).toBeVisible();
  expect((await tonesOf(carol)).length).toBe(heard);

  // O-4: with three chats (the maximum) in hand, a fourth is not offered...
  const fourth = await customerStarts(browser, 'Dara Cuatro', 'Billing or a refund');
  const offer = carol.getByRole('article', { name: 'Chat offer from Dara Cuatro' });
  // A fixed window is the only way to see that something does not come.
  await carol.waitForTimeout(3_000);
  await expect(offer).toHaveCount(0);
  // ...until one ends.
  await carol.getByRole('button', { name: 'End', exact: true }).click();
  await expect(offer).toBeVisible();
  await offer.getByRole('button', { name: 'Accept' }).click();
  await expect(fourth.chat.getByText('Carol has joined the chat.')).toBeVisible();
  for (let i = 0; i < 3; i++) {
    await carol.getByRole('button', { name: 'End', exact: true }).click();
  }
  await expect(carol).toHaveTitle('Ready · Switchboard');
  await logOut(carol);
});

test('P-1 K-3: the widget counts characters as the server does (1500 emoji pass) and keeps a refused message', async ({ browser }) => {
  const agent = await agentReady(browser, 'dave');
  const { shop, chat } = await customerStarts(browser, 'Emma Stone', 'Something is broken');
  await agent.getByRole('article', { name: 'Chat offer from Emma Stone' }).getByRole('button', { name: 'Accept' }).click();
  await expect(chat.getByText('Dave has joined the chat.')).toBeVisible();

  // 1500 emoji are 3000 UTF-16 units: the box takes them all and the server stores them.
  const box = chat.getByLabel('Message');
  const emoji = '🙂'.repeat(1500);
  await box.fill(emoji);
  await expect(box).toHaveValue(emoji);
  await expect(chat.getByText('1500 / 1500')).toBeVisible();
  await box.press('Enter');
  const transcript = agent.getByRole('list', { name: 'Transcript' });
  await expect(transcript.getByText(emoji)).toBeVisible();
  await expect(box).toHaveValue('');

  // One more: the server's wording, in the widget, and the text stays in the box.
  await box.fill(emoji + '🙂');
  await expect(chat.getByText('Message: at most 1500 characters (1501 given)')).toBeVisible();
  await box.press('Enter');
  await expect(box).toHaveValue(emoji + '🙂');
  await shop.screenshot({ path: 'test-results/screenshots/widget-limit.png' });
  await agent.getByRole('button', { name: 'End', exact: true }).click();
  await logOut(agent);
});

test('K-2: the pre-chat form shows each refused field under it and keeps what was typed', async ({ browser }) => {
  // Someone of Support is logged in (Not Ready): the chat may start and wait (K-4).
  const dave = await logIn(browser, 'dave');
  const shop = await (await browser.newContext()).newPage();
  await shop.setViewportSize({ width: 1366, height: 768 });
  await shop.goto('/demo');
  await shop.getByRole('button', { name: 'Chat with us' }).click();
  const chat = shop.frameLocator('iframe[title="Chat with us"]');
  await chat.getByLabel('Name').fill('Zoé Martin');
  await chat.getByLabel('Email').fill('zoe@');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  // The server's refusal, read by the widget's protocol module: each field its message.
  await expect(chat.locator('#e-email')).toHaveText('Email: "zoe@" is not a valid email address');
  await expect(chat.locator('#e-problem')).not.toBeEmpty();
  await expect(chat.locator('#e-name')).toBeEmpty();
  await expect(chat.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(chat.getByLabel('Name')).toHaveValue('Zoé Martin');
  await shop.screenshot({ path: 'test-results/screenshots/widget-prechat-errors.png' });
  // Corrected, the chat starts.
  await chat.getByLabel('Email').fill('zoe@example.com');
  await chat.getByLabel('What is it about?').selectOption({ label: 'Something is broken' });
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await expect(chat.getByText('Welcome! An agent will be with you shortly.')).toBeVisible();
  // Ended by the customer, so the queue is empty again for the next test's agents.
  await chat.getByRole('button', { name: 'End chat' }).click();
  await expect(chat.getByRole('link', { name: 'Download transcript' })).toBeVisible();
  await shop.context().close();
  await dave.context().close();
});
