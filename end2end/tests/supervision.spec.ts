import { type Locator, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { agentReady, logIn, zoeStarts } from './helpers';
import { serverEnv, startServer, stopServer } from './own_server';

// A server of this test's own (demo data): every figure on the board is this test's doing.
const PORT = 3119;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const SCREEN = { width: 1366, height: 768 };

/** The figures of a queue's row, by column: waiting, longest wait, offering, logged in,
 *  Ready, Reserved, Not Ready, then today's came in, handled, abandoned, average wait and
 *  service level. */
function queueCell(board: Page, queue: string, column: number): Locator {
  return board.locator('.queue-figures tbody tr').filter({ hasText: queue }).getByRole('cell').nth(column);
}

/**
 * Issue 18 (D-3): Sam, the demo's supervisor, watches Support and Sales (not Billing).
 * He opens Supervision from his desktop and watches, pushed live: Dave logs in and goes
 * Ready, a customer's chat waits in Support, Dave takes it (Reserved, the queue's handled
 * figure moves). The team sorts and filters by CSQ; the wallboard shows the same figures
 * large. Sam reads the chat live and joins it. Sam sets Dave Not Ready, then logs him out;
 * Dave's desktop says so. An agent who opens the page is told it is not theirs.
 */
test('D-3: a supervisor watches an agent go Ready and take a chat live, reads and joins it, then sets him Not Ready and logs him out', async ({ browser }) => {
  test.setTimeout(120_000);
  const server = await startServer(
    serverEnv(PORT, mkdtempSync(join(tmpdir(), 'switchboard-supervision-db-')), { SWITCHBOARD_DEMO: 'true' }),
  );
  try {
    const context = { baseURL: ORIGIN, viewport: SCREEN };
    // Sam opens Supervision from his desktop's top bar (a new tab).
    const sam = await logIn(browser, 'supervisor', { context });
    const [board] = await Promise.all([
      sam.context().waitForEvent('page'),
      sam.getByRole('link', { name: 'Supervision' }).click(),
    ]);
    await expect(board).toHaveTitle(/Supervision/);
    await expect(board.getByRole('status').getByText('Live')).toBeVisible();
    const queues = board.locator('.queue-figures tbody tr');
    await expect(queues).toHaveText([/^Sales/, /^Support/]); // not Billing
    const daveRow = board.locator('.team-figures tbody tr').filter({ hasText: 'Dave Okafor' });
    const daveState = daveRow.locator('.state-pill');
    await expect(daveState).toHaveText('Logged out');

    // Dave logs in (Not Ready, S-1), then goes Ready: the board follows without a reload.
    const dave = await agentReady(browser, 'dave', { context });
    await expect(daveState).toHaveText('Ready');
    await expect(daveRow).toContainText('chosen by the agent');
    await expect(queueCell(board, 'Support', 3)).toHaveText('2'); // Dave and Sam logged in
    await expect(queueCell(board, 'Support', 4)).toHaveText('1');
    await expect(queueCell(board, 'Support', 6)).toHaveText('1'); // Sam, Not Ready

    // A customer's chat comes into Support and is offered to Dave.
    const { shop, widget } = await zoeStarts(browser, ORIGIN);
    await expect(queueCell(board, 'Support', 2)).toHaveText('1'); // offering
    await expect(queueCell(board, 'Support', 7)).toHaveText('1'); // came in today

    // Dave accepts: Reserved with the chat in hand, and the queue counts it handled.
    await dave.getByRole('article', { name: 'Chat offer from Zoé Martin' }).getByRole('button', { name: 'Accept' }).click();
    await expect(widget.getByText('Dave has joined the chat.')).toBeVisible();
    await expect(daveState).toHaveText('Reserved');
    await expect(daveRow).toContainText('took a contact');
    await expect(daveRow.locator('.in-hand')).toContainText('1/');
    await expect(queueCell(board, 'Support', 0)).toHaveText('0');
    await expect(queueCell(board, 'Support', 8)).toHaveText('1'); // handled
    await expect(queueCell(board, 'Support', 11)).toHaveText('100%'); // answered within 20 s
    // Time in state counts up on its own.
    const since = daveRow.getByRole('cell').nth(1);
    const first = await since.textContent();
    await expect(since).not.toHaveText(first ?? '');
    await board.screenshot({ path: 'test-results/screenshots/supervision-1366.png', fullPage: true });

    // Sorted by state, Reserved comes first; filtered to Sales, Dave is not there.
    await board.getByRole('button', { name: 'State', exact: true }).click();
    await expect(board.getByRole('columnheader', { name: 'State', exact: true })).toHaveAttribute('aria-sort', 'ascending');
    await expect(board.locator('.team-figures tbody tr').first()).toContainText('Dave Okafor');
    await board.getByLabel('CSQ', { exact: true }).selectOption({ label: 'Sales' });
    await expect(daveRow).toHaveCount(0);
    await expect(board.locator('.team-figures tbody tr').filter({ hasText: 'Alice Martin' })).toHaveCount(1);
    await board.getByLabel('CSQ', { exact: true }).selectOption({ label: 'All CSQs' });

    // Inside a 900-pixel frame the tables scroll sideways rather than overflow the page.
    await board.setViewportSize({ width: 900, height: 700 });
    await board.screenshot({ path: 'test-results/screenshots/supervision-900.png', fullPage: true });
    await board.setViewportSize(SCREEN);

    // The wallboard: the same figures, large.
    await board.getByRole('link', { name: 'Wallboard' }).click();
    await expect(board).toHaveURL(/view=wall/);
    const tile = board.getByRole('region', { name: 'Support' });
    await expect(tile.getByRole('definition').nth(4)).toHaveText('1'); // handled today
    await expect(tile.getByRole('definition').nth(0)).toHaveText('0'); // waiting
    await board.screenshot({ path: 'test-results/screenshots/supervision-wallboard-1366.png', fullPage: true });

    // Back to the tables: the chat is listed with Dave in it. Sam reads it live, the lines
    // coming as they are written (Zoé is told nothing).
    await board.getByRole('link', { name: 'Team and queues' }).click();
    const chatRow = board.locator('.chat-figures tbody tr').filter({ hasText: 'Zoé Martin' });
    await expect(chatRow).toContainText('Dave Okafor');
    await chatRow.getByRole('button', { name: 'Read the chat with Zoé Martin' }).click();
    const reader = board.getByRole('complementary', { name: 'Chat with Zoé Martin' });
    await expect(reader).toContainText('With Dave Okafor.');
    await expect(reader.getByText('Dave has joined the chat.')).toBeVisible();
    await widget.getByLabel('Message').fill('Where is my parcel?');
    await widget.getByLabel('Message').press('Enter');
    await expect(reader.getByText('Where is my parcel?')).toBeVisible();
    await dave.getByLabel('Message', { exact: true }).fill('It left our warehouse this morning.');
    await dave.getByRole('button', { name: 'Send' }).click();
    await expect(reader.getByText('It left our warehouse this morning.')).toBeVisible();
    await board.screenshot({ path: 'test-results/screenshots/supervision-reading-1366.png' });
    await board.setViewportSize({ width: 900, height: 700 });
    await board.screenshot({ path: 'test-results/screenshots/supervision-reading-900.png' });
    await board.setViewportSize(SCREEN);

    // Sam joins: the chat opens in his desktop, Zoé and Dave read that he joined (G-2).
    await reader.getByRole('button', { name: 'Join', exact: true }).click();
    await expect(reader.getByText('You are in this chat: answer it from your desktop.')).toBeVisible();
    await expect(reader).toContainText('With Dave Okafor, Sam Supervisor.');
    await expect(widget.getByText('Sam has joined the chat.')).toBeVisible();
    await expect(sam.getByRole('tab', { name: /Zoé Martin/ })).toBeVisible();
    await expect(chatRow).toContainText('Dave Okafor, Sam Supervisor');
    await reader.getByRole('button', { name: 'Stop reading this chat' }).click();
    await expect(reader).toHaveCount(0);

    // Sam sets Dave Not Ready. Reserved with the chat, Dave will be once it ends, and his
    // desktop says a supervisor did it.
    await board.getByRole('button', { name: 'Set Dave Okafor Not Ready' }).click();
    await expect(daveRow).toContainText('Not Ready after this contact');
    await expect(board.getByRole('button', { name: 'Set Dave Okafor Not Ready' })).toHaveCount(0);
    await expect(dave.getByText('A supervisor set you Not Ready: you will be once your contacts end.')).toBeVisible();

    // An agent is told the page is not theirs (in a tab of their own: the desktop keeps
    // the chat).
    const daveTab = await dave.context().newPage();
    await daveTab.goto(`${ORIGIN}/supervision`);
    await expect(daveTab.getByRole('alert')).toHaveText(/Only supervisors and administrators may watch the team and the queues\./);
    await daveTab.close();

    // Sam logs Dave out, after a question: the chat ends, Dave's desktop goes back to the
    // login page, and the queue counts Sam alone.
    await board.getByRole('button', { name: 'Log Dave Okafor out' }).click();
    const question = board.getByRole('alertdialog', { name: 'Log Dave Okafor out?' });
    await expect(question).toContainText('Their chats end and their emails go back to the queue');
    await board.screenshot({ path: 'test-results/screenshots/supervision-log-out-question-1366.png', fullPage: true });
    await question.getByRole('button', { name: 'Log out' }).click();
    await expect(question).toHaveCount(0);
    await expect(daveState).toHaveText('Logged out');
    await expect(daveRow).toContainText('set by a supervisor');
    await expect(queueCell(board, 'Support', 3)).toHaveText('1');
    await expect(dave).toHaveURL(/\/login/);
    await expect(dave.getByText('A supervisor logged you out: your chats ended')).toBeVisible();

    // The day's report counts it, from the stored steps: Zoé's chat came in, was offered
    // and handled, Dave ended it (logged out), with charts and each table as CSV.
    await board.getByRole('link', { name: 'Reports' }).click();
    await expect(board).toHaveURL(/\/supervision\/reports/);
    await expect(board).toHaveTitle(/Reports/);
    await board.getByLabel('Period').selectOption({ label: 'Today' });
    const totals = board.locator('.report-totals');
    await expect(totals.locator('div').filter({ hasText: 'Came in' }).getByRole('definition')).toHaveText('1');
    await expect(totals.locator('div').filter({ hasText: /^Handled/ }).getByRole('definition')).toHaveText('1');
    await expect(board.getByRole('img', { name: 'Contacts per day' })).toBeVisible();
    await expect(board.getByRole('img', { name: 'Waits before an agent took the contact' })).toBeVisible();
    const agents = board.getByRole('region', { name: 'Agents', exact: true });
    const daveFigures = agents.getByRole('row', { name: /Dave Okafor/ });
    await expect(daveFigures.getByRole('cell').nth(5)).toHaveText('1'); // handled
    const times = board.getByRole('region', { name: 'Times', exact: true });
    await expect(times.getByRole('row', { name: /Wait before taken/ }).getByRole('cell').first()).toHaveText('1');
    const csv = await agents.getByRole('link', { name: 'Download “Agents” as CSV' }).getAttribute('href');
    expect(decodeURIComponent(csv ?? '')).toContain('Agent,Ready,Not Ready,Reserved,Offered');
    await board.screenshot({ path: 'test-results/screenshots/supervision-report-1366.png', fullPage: true });
    await board.setViewportSize({ width: 900, height: 700 });
    await board.screenshot({ path: 'test-results/screenshots/supervision-report-900.png', fullPage: true });
    await board.setViewportSize(SCREEN);
    // Narrowed to Sales, nothing of it; a period backwards is refused by field.
    await board.getByLabel('CSQ', { exact: true }).selectOption({ label: 'Sales' });
    await expect(totals.locator('div').filter({ hasText: 'Came in' }).getByRole('definition')).toHaveText('0');
    await board.getByLabel('Period').selectOption({ label: 'Days of my choosing' });
    await board.getByLabel('From', { exact: true }).fill('2026-12-07');
    await board.getByLabel('To', { exact: true }).fill('2026-12-01');
    await expect(board.getByRole('alert')).toHaveText('To: must not be before the first day');

    await shop.context().close();
    await board.context().close();
  } finally {
    await stopServer(server.process);
  }
});
