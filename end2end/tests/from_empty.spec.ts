import { type BrowserContext, type Page } from '@playwright/test';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSmtp } from '../mail/smtp';
import { test, expect } from './fixtures';
import { healthy, serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own, on an empty database (no SWITCHBOARD_DEMO, no
// SWITCHBOARD_MAILBOXES), and a Dovecot of its own for the mailbox made in the page. The
// shared demo server of the configuration is not used.
const PORT = 3109;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const IMAP_PORT = 3144;
// What start-dovecot.sh lets in (and mail/imap.py logs in with).
const IMAP_USER = 'support';
const IMAP_PASSWORD = 'imap-e2e-secret';
// A mailbox made in the page is polled every 60 s when its change notice (IDLE) goes
// missing; through IDLE the email arrives in a second or two.
const MAIL_ARRIVES_MS = 70_000;

/** Logs in with a one-time password and chooses one's own on the password page. */
async function firstLogin(page: Page, username: string, once: string, chosen: string) {
  await page.goto(`${ORIGIN}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(once);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/password$/);
  await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  await page.getByLabel('One-time password').fill(once);
  await page.getByLabel('New password', { exact: true }).fill(chosen);
  await page.getByLabel('New password again').fill(chosen);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(`${ORIGIN}/`);
  await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
}

test('D-2 E-1 K-2 O-2 R-3: from an empty database, an administrator sets up a working contact center in the browser, and an agent answers a chat and receives an email', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const serverBin = process.env.SWITCHBOARD_SERVER_BIN!;
  const smtpPort = process.env.SWITCHBOARD_E2E_SMTP_PORT!;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-empty-'));
  const imapDir = mkdtempSync(join(tmpdir(), 'switchboard-empty-imap-'));
  const env = serverEnv(PORT, dataDir);
  const contexts: BrowserContext[] = [];
  const newContext = async (viewport = { width: 1366, height: 768 }) => {
    const context = await browser.newContext({ baseURL: ORIGIN, viewport });
    contexts.push(context);
    return context;
  };
  let server: ChildProcess | undefined;
  let dovecot = false;

  // Nothing else may answer on the port: the health check would find the wrong server.
  expect(await healthy(ORIGIN), `something already listens on ${ORIGIN}`).toBe(false);
  try {
    // The organization's own mail server, empty; replies would leave through the shared SMTP
    // server (running, should a test before have left it stopped).
    ensureSmtp();
    execFileSync('./mail/start-dovecot.sh', [String(IMAP_PORT), imapDir, smtpPort]);
    dovecot = true;

    // The first administrator, from the command line, on a database that does not exist yet.
    const printed = execFileSync(
      serverBin,
      ['admin', 'create', '--username', 'ada', '--name', 'Ada Lovelace'],
      { env },
    ).toString();
    const adaOnce = /One-time password: (\S+)/.exec(printed)?.[1];
    expect(adaOnce, printed).toHaveLength(16);

    server = (await startServer(env)).process;

    // Empty indeed: the demo's users do not exist, the pre-chat form offers nothing.
    const config = (await (await fetch(`${ORIGIN}/widget/api/config`)).json()) as { problems: unknown[] };
    expect(config.problems).toEqual([]);
    const nobody = await (await newContext()).newPage();
    await nobody.goto(`${ORIGIN}/login`);
    await nobody.getByLabel('Username').fill('admin');
    await nobody.getByLabel('Password').fill('switchboard');
    await nobody.getByRole('button', { name: 'Log in' }).click();
    await expect(nobody.getByRole('alert')).toHaveText('Wrong username or password.');
    await nobody.context().close();

    const t0 = Date.now();

    // Ada logs in with the one-time password and chooses her own.
    const ada = await (await newContext()).newPage();
    await firstLogin(ada, 'ada', adaOnce!, 'copper kettle on the hill');
    await expect(ada.getByText('Ada Lovelace')).toBeVisible();

    // The desktop's Administration link opens the administration in a new tab.
    const [admin] = await Promise.all([
      ada.context().waitForEvent('page'),
      ada.getByRole('link', { name: 'Administration' }).click(),
    ]);
    await expect(admin).toHaveURL(/\/admin$/);
    await expect(admin.getByRole('heading', { name: 'Users' })).toBeVisible();
    const nav = admin.getByRole('navigation', { name: 'Administration' });

    // A queue, with nobody in it yet.
    await nav.getByRole('link', { name: 'Queues', exact: true }).click();
    await expect(admin).toHaveURL(/\/admin\/queues$/);
    const newQueue = admin.getByRole('group', { name: 'New queue' });
    await newQueue.getByLabel('Queue name').fill('Help desk');
    await newQueue.getByRole('button', { name: 'Add queue' }).click();
    await expect(admin.getByRole('group', { name: 'Help desk' })).toBeVisible();
    await expect(newQueue.getByLabel('Queue name')).toHaveValue('');

    // Two agents of Help desk; each one-time password is shown once, here.
    await nav.getByRole('link', { name: 'Users', exact: true }).click();
    await expect(admin).toHaveURL(/\/admin\/users$/);
    const createAgent = async (username: string, name: string, alias: string): Promise<string> => {
      await admin.getByRole('button', { name: 'New user' }).click();
      const form = admin.locator('form.user-form');
      await form.getByLabel('Username').fill(username);
      await form.getByLabel('Full name').fill(name);
      await form.getByLabel('Alias').fill(alias);
      await form.getByLabel('Role', { exact: true }).selectOption({ label: 'Agent' });
      await form.getByRole('group', { name: 'Queues' }).getByLabel('Help desk').check();
      await form.getByRole('button', { name: 'Create user' }).click();
      const handover = admin.locator('.handover');
      await expect(handover).toContainText(`User ${username} created.`);
      const once = (await handover.locator('code.secret').textContent())!.trim();
      expect(once).toHaveLength(16);
      const row = admin.getByRole('row').filter({ hasText: username });
      await expect(row).toContainText('Help desk');
      await expect(row).toContainText('Must choose a password');
      return once;
    };
    const kimOnce = await createAgent('kim', 'Kim Agent', 'Kim');
    await createAgent('lou', 'Lou Agent', 'Lou');

    // The pre-chat form: one problem statement, routed to Help desk.
    await nav.getByRole('link', { name: 'Pre-chat form', exact: true }).click();
    await expect(admin).toHaveURL(/\/admin\/pre-chat$/);
    const statement = admin.getByRole('group', { name: 'New problem statement' });
    await statement.getByLabel('Problem statement').fill('I need help');
    await statement.getByLabel('Queue', { exact: true }).selectOption({ label: 'Help desk' });
    await statement.getByRole('button', { name: 'Add' }).click();
    await expect(admin.getByRole('group', { name: 'I need help' })).toBeVisible();
    // K-2: a question of the organization's own, required.
    const questions = admin.getByRole('region', { name: 'Questions on the form' });
    await questions.getByRole('button', { name: 'New question' }).click();
    const question = questions.getByRole('form', { name: 'New question' });
    await question.getByLabel('Question').fill('Order number');
    await question.getByLabel('Required').check();
    await question.getByRole('button', { name: 'Add' }).click();
    await expect(questions.getByRole('listitem').filter({ hasText: 'Order number' })).toContainText('Required');

    // A chat canned response for all queues.
    await nav.getByRole('link', { name: 'Canned responses', exact: true }).click();
    await expect(admin).toHaveURL(/\/admin\/canned$/);
    const chats = admin.getByRole('region', { name: 'Chat (plain text)' });
    await chats.getByRole('button', { name: 'New chat response' }).click();
    const canned = admin.getByRole('form', { name: 'New chat response' });
    await canned.getByLabel('Title').fill('Thanks');
    await canned.getByLabel('Text').fill('Thank you for contacting us.');
    await canned.getByLabel('Offered on').selectOption({ label: 'All queues' });
    await canned.getByRole('button', { name: 'Add' }).click();
    await expect(canned).toHaveCount(0);
    await expect(chats.getByRole('listitem').filter({ hasText: 'Thanks' })).toContainText('All queues');

    // The mailbox: the organization's IMAP server read into Help desk, replies through SMTP;
    // tested before it is saved, then connected without a restart.
    await nav.getByRole('link', { name: 'Mailboxes', exact: true }).click();
    await expect(admin).toHaveURL(/\/admin\/mailboxes$/);
    await expect(admin.getByText('No mailbox yet: emails reach no queue.')).toBeVisible();
    await admin.getByRole('button', { name: 'New mailbox' }).click();
    const mailbox = admin.getByRole('form', { name: 'New mailbox' });
    await mailbox.getByLabel('Mailbox name').fill('help-desk');
    await mailbox.getByLabel('Queue', { exact: true }).selectOption({ label: 'Help desk' });
    const imap = mailbox.getByRole('group', { name: 'Incoming mail (IMAP)' });
    await imap.getByLabel('Server').fill('127.0.0.1');
    await imap.getByLabel('Security').selectOption('none');
    await imap.getByLabel('Port').fill(String(IMAP_PORT));
    await imap.getByLabel('Username', { exact: true }).fill(IMAP_USER);
    await imap.getByLabel('Password').fill(IMAP_PASSWORD);
    await imap.getByLabel('Folder').fill('INBOX');
    const smtp = mailbox.getByRole('group', { name: 'Outgoing mail (SMTP)' });
    await smtp.getByLabel('Server').fill('127.0.0.1');
    await smtp.getByLabel('Security').selectOption('none');
    await smtp.getByLabel('Port').fill(smtpPort);
    await mailbox.getByLabel('Sender address').fill('help@shop.test');
    await mailbox.getByLabel('Sender name (optional)').fill('Shop Help Desk');
    await mailbox.getByRole('button', { name: 'Test connection' }).click();
    const report = mailbox.getByRole('status', { name: 'Connection test' });
    await expect(report).toContainText('IMAP ✓ Logged in to 127.0.0.1 and opened INBOX', { timeout: 15_000 });
    await expect(report).toContainText('SMTP ✓ Connected to 127.0.0.1:');
    await mailbox.getByRole('button', { name: 'Create mailbox' }).click();
    await expect(mailbox).toHaveCount(0);
    const item = admin.getByRole('listitem').filter({ hasText: 'help-desk' });
    await expect(item).toContainText('help@shop.test');
    await expect(item).toContainText('→ Help desk');
    await expect(item.locator('.mailbox-status')).toHaveText('Connected', { timeout: 30_000 });
    const configured = Date.now();
    console.log(`from an empty database to a configured contact center: ${((configured - t0) / 1000).toFixed(1)} s`);
    await admin.screenshot({ path: 'test-results/screenshots/from-empty-admin-mailboxes.png', fullPage: true });

    // Kim logs in with her one-time password, chooses her own, and goes Ready.
    const kim = await (await newContext()).newPage();
    await firstLogin(kim, 'kim', kimOnce, 'seven blue herons fly');
    await expect(kim.getByText('Kim Agent')).toBeVisible();
    await kim.getByRole('button', { name: 'Ready', exact: true }).click();
    await expect(kim).toHaveTitle('Ready · Switchboard');

    // A customer on the shop starts a chat about the problem statement just made.
    const shop = await (await newContext()).newPage();
    await shop.goto(`${ORIGIN}/demo`);
    await shop.getByRole('button', { name: 'Chat with us' }).click();
    const chat = shop.frameLocator('iframe[title="Chat with us"]');
    await chat.getByLabel('Name').fill('Nora Customer');
    await chat.getByLabel('Email').fill('nora@example.com');
    await chat.getByLabel('What is it about?').selectOption({ label: 'I need help' });
    await chat.getByLabel('Order number').fill('A-77');
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await expect(chat.getByText('Welcome! An agent will be with you shortly.')).toBeVisible();

    // Kim is offered it, accepts, and answers with the canned response.
    const offer = kim.getByRole('article', { name: 'Chat offer from Nora Customer' });
    await expect(offer).toContainText('I need help');
    await expect(offer.locator('.offer-answers dd')).toHaveText(['A-77']);
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect(chat.getByText('Kim has joined the chat.')).toBeVisible();
    const box = kim.getByLabel('Message', { exact: true });
    await kim.getByLabel('Canned responses').selectOption({ label: 'Thanks' });
    await expect(box).toHaveValue('Thank you for contacting us.');
    await box.press('Enter');
    await expect(chat.getByText('Thank you for contacting us.')).toBeVisible();
    const answered = Date.now();
    console.log(`from an empty database to the first chat answered: ${((answered - t0) / 1000).toFixed(1)} s`);
    await kim.screenshot({ path: 'test-results/screenshots/from-empty-desktop-chat.png' });
    await shop.screenshot({ path: 'test-results/screenshots/from-empty-widget.png' });

    // Kim ends the chat; she is Ready again.
    await kim.getByRole('button', { name: 'End', exact: true }).click();
    await expect(chat.getByText('Kim has left the chat.')).toBeVisible();
    await expect(kim).toHaveTitle('Ready · Switchboard');

    // E-1: an email reaches the mailbox made in the page, and Kim, without a restart.
    const run = Date.now();
    const subject = `Where is my parcel? ${run}`;
    const raw =
      `From: "Nina Customer" <nina@example.com>\r\nTo: help@shop.test\r\nSubject: ${subject}\r\n` +
      `Message-ID: <from-empty-${run}@example.com>\r\nDate: ${new Date().toUTCString()}\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
      `Hello, my parcel has not arrived yet.\r\n`;
    execFileSync('python3', ['mail/imap.py', String(IMAP_PORT), 'append'], { input: raw });
    await kim.getByRole('tab', { name: 'Manage Chat and Email' }).click();
    const tab = kim.getByRole('tab', { name: /Nina Customer/ });
    await expect(tab).toBeVisible({ timeout: MAIL_ARRIVES_MS });
    console.log(`an email appended to the mailbox reached Kim in ${((Date.now() - run) / 1000).toFixed(1)} s`);
    await tab.click();
    const panel = kim.getByRole('article', { name: "The customer's email" });
    await expect(panel.getByRole('heading', { name: subject })).toBeVisible();
    await expect(kim.frameLocator('iframe.email-body').getByText('my parcel has not arrived yet')).toBeVisible();
    await kim.screenshot({ path: 'test-results/screenshots/from-empty-desktop-email.png' });
  } finally {
    // The pages leave before their server goes (else each waits on a server that is gone).
    for (const context of contexts) await context.close().catch(() => {});
    if (server) await stopServer(server);
    if (dovecot) {
      try {
        execFileSync('doveadm', ['-c', join(imapDir, 'dovecot.conf'), 'stop']);
      } catch (e) {
        console.log(`this test's Dovecot did not stop: ${e}`);
      }
    }
  }
});
