import { type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own (its queues' hours change), with a Dovecot of its own so a
// message can be left; the browsers are in Paris.
const PORT = 3112;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const IMAP_PORT = 3146;
const ZONE = 'Europe/Paris';
const DAY_MS = 86_400_000;

/** Today's date in Paris, `days` on by the calendar, as a date input takes it (YYYY-MM-DD). */
function parisDate(days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date());
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The weekday of that date ("Friday"). */
function parisWeekday(days: number): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'long' }).format(
    new Date(`${parisDate(days)}T12:00:00Z`),
  );
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, timezoneId: ZONE, locale: 'en-US' });
  return context.newPage();
}

/** The hours form of one queue, chosen in the page's list. */
async function hoursOf(admin: Page, queue: string) {
  await admin.getByLabel('Queue to edit').selectOption({ label: queue });
  const group = admin.getByRole('group', { name: `Business hours of ${queue}` });
  await expect(group).toBeVisible();
  return admin.locator('form.hours-editor').filter({ has: group });
}

/**
 * Closes a queue today and tomorrow (Paris): open every day 09:00-17:00 (the weekdays as
 * offered, the weekend added), today and tomorrow holidays. It opens again the day after
 * tomorrow at 09:00.
 */
async function closeTwoDays(admin: Page, queue: string) {
  const form = await hoursOf(admin, queue);
  await form.getByRole('radio', { name: 'Open during set hours' }).check();
  await expect(form.getByLabel('Time zone')).toHaveValue(ZONE);
  for (const day of ['Saturday', 'Sunday']) {
    await form.getByRole('button', { name: `Add hours on ${day}` }).click();
  }
  for (const [n, days] of [[1, 0], [2, 1]]) {
    await form.getByRole('button', { name: '+ Add a holiday' }).click();
    await form.getByLabel(`Holiday ${n}: date`).fill(parisDate(days));
  }
  await form.getByRole('button', { name: 'Save hours' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved.');
}

/**
 * Issue 17 (K-4): the administrator sets a queue's business hours in the page (a wrong
 * time zone named by the server, then the right one); outside them, a customer choosing
 * that queue's problem on the demo shop is told when it opens, in their own time, and
 * leaves a message instead. With every queue closed the widget says so at once. With the
 * setting on, the chat button is not drawn while every queue is closed, and comes back
 * when one is open.
 */
test('issue 17: business hours close a queue; the customer is told when it opens and leaves a message  // K-4', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const imapDir = mkdtempSync(join(tmpdir(), 'switchboard-hours-imap-'));
  execFileSync('./mail/start-dovecot.sh', [String(IMAP_PORT), imapDir, process.env.SWITCHBOARD_E2E_SMTP_PORT!]);
  let server;
  try {
    server = await startServer(
      serverEnv(PORT, mkdtempSync(join(tmpdir(), 'switchboard-hours-db-')), {
        SWITCHBOARD_DEMO: 'true',
        SWITCHBOARD_MAILBOXES: join(imapDir, 'mailboxes.json'),
      }),
    );
    const admin = await newPage(browser);
    await admin.goto(`${ORIGIN}/login`);
    await admin.getByLabel('Username').fill('admin');
    await admin.getByLabel('Password').fill('switchboard');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await expect(admin.getByRole('status').getByText('Connected')).toBeVisible();
    await admin.goto(`${ORIGIN}/admin/hours`);
    const table = admin.getByRole('table');
    await expect(table.getByRole('row', { name: /^Support/ })).toContainText('Always open');

    // A time zone the server does not know is named; nothing is saved.
    const form = await hoursOf(admin, 'Support');
    await form.getByRole('radio', { name: 'Open during set hours' }).check();
    await form.getByLabel('Time zone').fill('Europe/Pari');
    await form.getByRole('button', { name: 'Save hours' }).click();
    await expect(form.getByText('"Europe/Pari" is not a time zone')).toBeVisible();
    await expect(form.getByLabel('Time zone')).toHaveAttribute('aria-invalid', 'true');
    await expect(table.getByRole('row', { name: /^Support/ })).toContainText('Always open');
    await form.getByLabel('Time zone').fill(ZONE);
    await closeTwoDays(admin, 'Support');
    const opens = parisWeekday(2);
    await expect(table.getByRole('row', { name: /^Support/ })).toContainText(
      `Monday–Sunday 09:00 AM–05:00 PM · ${ZONE} · 2 holidays`,
    );
    await expect(table.getByRole('row', { name: /^Support/ })).toContainText(
      new RegExp(`Closed now · opens ${opens} \\d\\d/\\d\\d/\\d{4} at 09:00 AM`),
    );
    await admin.screenshot({ path: 'test-results/screenshots/admin-business-hours-1366.png', fullPage: true });

    // The customer picks a problem of Support: told under it, then offered a message.
    const shop = await newPage(browser);
    await shop.goto(`${ORIGIN}/demo`);
    await shop.getByRole('button', { name: 'Chat with us' }).click();
    const widget = shop.frameLocator('iframe[title="Chat with us"]');
    await widget.getByLabel('Name').fill('Léa Dubois');
    await widget.getByLabel('Email').fill(`lea.${Date.now()}@example.com`);
    await widget.getByLabel('What is it about?').selectOption({ label: 'Help with my order' });
    const closedWords = `We are closed right now. We are back on ${opens} at 09:00 AM.`;
    await expect(widget.getByText(closedWords)).toBeVisible();
    await widget.getByLabel('What is it about?').selectOption({ label: 'A question before buying' });
    await expect(widget.getByText(closedWords)).toBeHidden();
    await widget.getByLabel('What is it about?').selectOption({ label: 'Help with my order' });
    await widget.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.getByRole('status').filter({ hasText: 'We are closed' })).toHaveText(
      `${closedWords} Leave us a message and we will answer you by email.`,
    );
    await widget.getByLabel('Your message').fill('Where is my parcel?');
    await shop.screenshot({ path: 'test-results/screenshots/widget-closed-leave-message-1366.png' });
    await widget.getByRole('button', { name: 'Send message' }).click();
    await expect(widget.getByRole('status').filter({ hasText: 'Thank you' })).toBeVisible();

    // Every queue closed: the widget says so at once, with the message form.
    await closeTwoDays(admin, 'Sales');
    await closeTwoDays(admin, 'Billing');
    const closedShop = await newPage(browser);
    await closedShop.goto(`${ORIGIN}/demo`);
    await closedShop.getByRole('button', { name: 'Chat with us' }).click();
    const closedWidget = closedShop.frameLocator('iframe[title="Chat with us"]');
    await expect(closedWidget.getByRole('status').filter({ hasText: 'We are closed' })).toHaveText(
      `${closedWords} Leave us a message and we will answer you by email.`,
    );
    await expect(closedWidget.getByRole('button', { name: 'Send message' })).toBeVisible();
    await expect(closedWidget.getByLabel('Your message')).toBeFocused();
    await closedShop.screenshot({ path: 'test-results/screenshots/widget-all-closed-1366.png' });

    // The administrator hides the button while every queue is closed.
    await admin.goto(`${ORIGIN}/admin/chat`);
    await admin.getByLabel('Hide the chat button on the website while every queue is closed').check();
    await admin.getByRole('button', { name: 'Save chat settings' }).click();
    await expect(admin.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
    const hidden = await newPage(browser);
    // The loader tells the page each decision it makes (drawn or not).
    await hidden.addInitScript(() => {
      const w = window as unknown as { __launcher: boolean[] };
      w.__launcher = [];
      window.addEventListener('switchboard:launcher', (e) => w.__launcher.push((e as CustomEvent).detail.shown));
    });
    const decisions = () => hidden.evaluate(() => (window as unknown as { __launcher: boolean[] }).__launcher);
    await hidden.goto(`${ORIGIN}/demo`);
    await expect.poll(decisions).toEqual([false]);
    await expect(hidden.getByRole('button', { name: 'Chat with us' })).toHaveCount(0);

    // Sales open again: the button is back.
    await admin.goto(`${ORIGIN}/admin/hours`);
    const sales = await hoursOf(admin, 'Sales');
    await sales.getByRole('radio', { name: 'Always open' }).check();
    await sales.getByRole('button', { name: 'Save hours' }).click();
    await expect(sales.getByRole('status')).toHaveText('Saved.');
    await hidden.reload();
    await expect(hidden.getByRole('button', { name: 'Chat with us' })).toBeVisible();
    await expect.poll(decisions).toEqual([true]);

    for (const page of [admin, shop, closedShop, hidden]) await page.context().close();
  } finally {
    if (server) await stopServer(server.process);
    execFileSync('doveadm', ['-c', join(imapDir, 'dovecot.conf'), 'stop']);
  }
});
