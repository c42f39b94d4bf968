import type { Browser, ConsoleMessage, Dialog, Page } from '@playwright/test';
import { startHostDemo } from '../host-demo/serve.cjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { customerStarts, expectAccessible } from './helpers';
import { serverEnv, startServer, stopServer } from './own_server';
import { test, expect } from './fixtures';

/** An administrator on the Host desktops section (of the shared server, or of `origin`). */
async function hostDesktopsPage(browser: Browser, origin = ''): Promise<Page> {
  const admin = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  await admin.goto(`${origin}/login`);
  await admin.getByLabel('Username').fill('admin');
  await admin.getByLabel('Password').fill('switchboard');
  await admin.getByRole('button', { name: 'Log in' }).click();
  await admin.waitForURL(/\/$/);
  await admin.goto(`${origin}/admin/gadget`);
  await expect(admin.getByRole('heading', { name: 'Host desktops' })).toBeVisible();
  return admin;
}

test('D-1: a host desktop on another origin embeds the desktop as a gadget and drives it through the API', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const host = await startHostDemo(baseURL!);
  const stranger = await startHostDemo(baseURL!);
  try {
    // The administrator allows the host; a pattern is refused with the line named.
    const admin = await hostDesktopsPage(browser);
    const list = admin.getByLabel('Allowed hosts');
    await list.fill(`https://*.example.com\n${host.url}`);
    await admin.getByRole('button', { name: 'Save hosts' }).click();
    await expect(admin.locator('#gadget-hosts-error')).toHaveText(
      '"https://*.example.com" is not a web origin: write "https://host" or "https://host:port", without a path or *',
    );
    await expect(admin.getByRole('status')).toHaveText('Not saved: correct the list above.');
    await expect(list).toHaveValue(`https://*.example.com\n${host.url}`);
    await list.fill(`${host.url}/`);
    await admin.getByRole('button', { name: 'Save hosts' }).click();
    await expect(admin.getByRole('status')).toHaveText('Saved. Frames opened from now on follow the new list.');
    await expect(list).toHaveValue(host.url);
    await admin.screenshot({ path: 'test-results/screenshots/admin-host-desktops.png' });

    // The host page, with a toolbar that shows what it hears.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const dialogs: Dialog[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog);
      void dialog.dismiss();
    });
    const console: string[] = [];
    page.on('console', (message: ConsoleMessage) => console.push(message.text()));
    await page.goto(host.url);
    const events = page.getByRole('list', { name: 'Events received' });
    const desk = page.frameLocator('iframe[title="Switchboard desktop"]');

    // The agent logs in inside the frame.
    await desk.getByLabel('Username').fill('dave');
    await desk.getByLabel('Password').fill('switchboard');
    await desk.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(desk.getByRole('status').getByText('Connected')).toBeVisible();
    await expect(events.getByText('loaded', { exact: true })).toBeVisible();
    await expect(page.locator('#state')).toHaveText('Not Ready');

    // The host sets Ready through the API: the desktop and the host both show it.
    await page.getByRole('button', { name: 'Set Ready' }).click();
    await expect(desk.getByTestId('agent-state')).toHaveText('Ready');
    await expect(events.getByText('state: Ready', { exact: true })).toBeVisible();
    await expect(page.locator('#state')).toHaveText('Ready');

    // An offer arrives: the host hears it and is asked to draw the agent's eye.
    await customerStarts(browser, 'Gina Gadget', 'Something is broken');
    await expect(events.getByText('offer: Gina Gadget (Support)', { exact: true })).toBeVisible();
    await expect(events.getByText('attention: offer', { exact: true })).toBeVisible();
    await desk.getByRole('article', { name: 'Chat offer from Gina Gadget' }).getByRole('button', { name: 'Accept' }).click();
    await expect(events.getByText('accepted: Gina Gadget (web)', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Get contacts' }).click();
    await expect(events.getByText('contacts: Gina Gadget active', { exact: true })).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/gadget-in-host.png' });
    await expect(page.locator('iframe[title="Switchboard desktop"]')).toHaveJSProperty('offsetWidth', 900);

    // A message from an origin not on the list does nothing (and the desktop says so).
    await page.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.src = src;
      frame.hidden = true;
      document.body.append(frame);
    }, `${stranger.url}/stranger.html`);
    await expect
      .poll(() => console.some((line) => line.includes(`a message from ${stranger.url} was ignored`)))
      .toBe(true);
    await expect(desk.getByTestId('agent-state')).toHaveText('Reserved');
    await expect(events.getByText(/^refused/)).toHaveCount(0);

    // The agent ends with a wrap-up reason: the host hears the end and the reason.
    await desk.getByRole('button', { name: /^Wrap-Up Reasons \(\d\)$/ }).click();
    const pane = desk.getByRole('group', { name: 'Wrap-up reasons' });
    await expect(pane).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/gadget-wrap-up.png' });
    await pane.getByLabel('Resolved').check();
    await pane.getByRole('button', { name: 'OK' }).click();
    await desk.getByRole('button', { name: 'End', exact: true }).click();
    await expect(events.getByText(/^ended: contact \d+, ended_by_agent, wrap-up: Resolved$/)).toBeVisible();
    await expect(page.locator('#state')).toHaveText('Ready');

    // Not Ready through the API, and the agent logs out in the frame.
    await page.getByRole('button', { name: 'Set Not Ready' }).click();
    await expect(page.locator('#state')).toHaveText('Not Ready');
    await desk.getByRole('button', { name: 'Log out' }).click();
    await expect(desk.getByLabel('Username')).toBeVisible();
    expect(dialogs.map((d) => d.message())).toEqual([]);
  } finally {
    host.server.close();
    stranger.server.close();
  }
});

/** D-1: a page not on the list cannot frame the desktop at all (frame-ancestors). */
test('D-1: a host not on the list cannot show the desktop in a frame', async ({ browser, baseURL }) => {
  const stranger = await startHostDemo(baseURL!);
  try {
    const page = await (await browser.newContext()).newPage();
    const blocked = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
    await page.goto(stranger.url);
    await blocked;
    await expect(page.frameLocator('iframe[title="Switchboard desktop"]').getByLabel('Username')).toHaveCount(0);
  } finally {
    stranger.server.close();
  }
});

/**
 * D-1: where the browser keeps no login in the frame, the agent logs in in a window of its
 * own; the window tells the frame and closes, and the frame goes on to the desktop.
 */
test('D-1: "Log in in a new window" logs the framed desktop in from a window of its own', async ({ browser, baseURL }) => {
  const host = await startHostDemo(baseURL!);
  try {
    const admin = await hostDesktopsPage(browser);
    await admin.getByLabel('Allowed hosts').fill(host.url);
    await admin.getByRole('button', { name: 'Save hosts' }).click();
    await expect(admin.getByRole('status')).toHaveText('Saved. Frames opened from now on follow the new list.');

    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await page.goto(host.url);
    const desk = page.frameLocator('iframe[title="Switchboard desktop"]');
    const offer = desk.getByRole('region', { name: 'Cannot stay logged in inside this frame?' });
    await expect(offer).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/gadget-login-window-offer.png' });
    await expectAccessible(page, 'the framed login, in the host page', 'iframe');
    const opened = page.waitForEvent('popup');
    await offer.getByRole('button', { name: 'Log in in a new window' }).click();
    const popup = await opened;
    await expect(offer.getByRole('status')).toHaveText(
      'Log in in the window that opened. This page continues once you have logged in.',
    );
    // The window is the ordinary login page, its own top-level page.
    await popup.getByLabel('Username').fill('dave');
    await popup.getByLabel('Password').fill('switchboard');
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Log in', exact: true }).click();
    await closed;
    await expect(desk.getByRole('status').getByText('Connected')).toBeVisible();
    await expect(desk.getByTestId('agent-state')).toHaveText('Not Ready');
    await expectAccessible(page, 'the framed desktop, in the host page', 'iframe');
    await desk.getByRole('button', { name: 'Log out' }).click();
    await expect(desk.getByLabel('Username')).toBeVisible();
  } finally {
    host.server.close();
  }
});

/**
 * D-1 across sites: the host page on one site (localhost) frames the desktop of a server on
 * another (127.0.0.1) whose cookies are set as over HTTPS (Chromium counts both addresses
 * as secure). The login in the frame gets the framed session's own cookie, partitioned under
 * the host; the host drives the desktop through the API, every write bringing the CSRF
 * token (a write without it is refused); the server's own page in a tab of the same browser
 * is not logged in by that cookie.
 */
test('D-1: across sites, the framed login has a partitioned cookie of its own and writes with its CSRF token; "Log in in a new window" asks for storage access', async ({ browser }) => {
  test.setTimeout(90_000);
  const server = await startServer(
    serverEnv(3110, mkdtempSync(join(tmpdir(), 'switchboard-cross-site-')), {
      SWITCHBOARD_DEMO: 'true',
      SWITCHBOARD_SECURE_COOKIES: 'true',
    }),
  );
  const app = server.origin;
  const demo = await startHostDemo(app);
  const hostUrl = demo.url.replace('127.0.0.1', 'localhost');
  try {
    const admin = await hostDesktopsPage(browser, app);
    await admin.getByLabel('Allowed hosts').fill(hostUrl);
    await admin.getByRole('button', { name: 'Save hosts' }).click();
    await expect(admin.getByRole('status')).toHaveText('Saved. Frames opened from now on follow the new list.');

    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(hostUrl);
    const desk = page.frameLocator('iframe[title="Switchboard desktop"]');
    // The language chosen on the framed login page holds in the frame (its cookie travels
    // there, partitioned).
    await desk.getByLabel('Language').selectOption('fr');
    await expect(desk.getByRole('button', { name: 'Se connecter', exact: true })).toBeVisible();
    await desk.getByLabel('Langue').selectOption('en');
    await expect(desk.getByRole('button', { name: 'Log in', exact: true })).toBeVisible();
    await desk.getByLabel('Username').fill('dave');
    await desk.getByLabel('Password').fill('switchboard');
    await desk.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(desk.getByRole('status').getByText('Connected')).toBeVisible();

    const cookies = await context.cookies(app);
    const framed = cookies.find((c) => c.name === '__Host-sb_frame');
    expect(framed, JSON.stringify(cookies)).toMatchObject({ sameSite: 'None', secure: true, httpOnly: true });
    // Kept under the host's site (CHIPS): Chromium names the partition.
    expect((framed as { partitionKey?: string }).partitionKey).toBe('http://localhost');
    expect(cookies.map((c) => c.name)).not.toContain('__Host-sb_session');

    // The host sets Ready and Not Ready through the API: writes with the token go through.
    const events = page.getByRole('list', { name: 'Events received' });
    await page.getByRole('button', { name: 'Set Ready' }).click();
    await expect(desk.getByTestId('agent-state')).toHaveText('Ready');
    await expect(events.getByText('state: Ready', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Set Not Ready' }).click();
    await expect(desk.getByTestId('agent-state')).toHaveText('Not Ready');
    // The same write from the frame without the token is refused.
    const frame = page.frames().find((f) => f.url().startsWith(app))!;
    const refused = await frame.evaluate(() => fetch('/api/desktop', { method: 'POST' }).then((r) => r.status));
    expect(refused).toBe(403);

    // A tab of the server itself, in the same browser: the frame's cookie is not its own.
    const tab = await context.newPage();
    await tab.goto(`${app}/`);
    await expect(tab.getByLabel('Username')).toBeVisible();
    await tab.close();

    await desk.getByRole('button', { name: 'Log out' }).click();
    await expect(desk.getByLabel('Username')).toBeVisible();

    // "Log in in a new window", across sites. The window is the server's own page, first
    // party: its login leaves framed cookies that are not partitioned, which the frame may
    // use only once the browser grants it storage access.
    const windowLogin = async () => {
      const opened = page.waitForEvent('popup');
      await desk.getByRole('button', { name: 'Log in in a new window' }).click();
      const popup = await opened;
      await popup.getByLabel('Username').fill('dave');
      await popup.getByLabel('Password').fill('switchboard');
      const closed = popup.waitForEvent('close');
      await popup.getByRole('button', { name: 'Log in', exact: true }).click();
      await closed;
    };
    const box = desk.getByRole('region', { name: 'Cannot stay logged in inside this frame?' });
    await windowLogin();
    await expect(box.getByRole('status')).toHaveText('You are logged in. Let this frame use your login to go on.');
    await page.screenshot({ path: 'test-results/screenshots/gadget-login-window-continue.png' });
    // A browser that refuses (headless Chromium answers its question no): said, with the
    // way out.
    await box.getByRole('button', { name: 'Continue' }).click();
    await expect(box.getByRole('status')).toHaveText(
      'The browser does not let this frame use your login. Open the desktop in a tab of its own.',
    );
    await expect(box.getByRole('link', { name: 'Open the desktop in a new tab' })).toHaveAttribute('href', '/');
    // A browser that grants it: the frame goes on to the desktop, live, its writes accepted.
    await context.grantPermissions(['storage-access']);
    await page.reload();
    await windowLogin();
    // A browser may ask for the click even with the permission given (Chromium does today),
    // or not: either way the frame reaches the desktop.
    const connected = desk.getByRole('status').getByText('Connected');
    const proceed = box.getByRole('button', { name: 'Continue' });
    await expect(proceed.or(connected)).toBeVisible();
    if (await proceed.isVisible()) await proceed.click();
    await expect(connected).toBeVisible();
    await page.getByRole('button', { name: 'Set Ready' }).click();
    await expect(desk.getByTestId('agent-state')).toHaveText('Ready');
    await page.getByRole('button', { name: 'Set Not Ready' }).click();
    await expect(desk.getByTestId('agent-state')).toHaveText('Not Ready');
    await desk.getByRole('button', { name: 'Log out' }).click();
    await expect(desk.getByLabel('Username')).toBeVisible();
  } finally {
    demo.server.close();
    for (const context of browser.contexts()) await context.close();
    await stopServer(server.process);
  }
});
