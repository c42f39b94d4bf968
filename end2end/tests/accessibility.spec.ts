import type { Page } from '@playwright/test';
import { customerStarts, expectAccessible, logIn } from './helpers';
import { MAIL_ARRIVES_MS, deliver, plainMessage } from './mail';
import { test, expect } from './fixtures';

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
  const admin = await logIn(browser, 'admin');
  for (const section of ['users', 'queues', 'pre-chat', 'canned', 'mailboxes', 'channels', 'chat', 'wrap-up', 'gadget', 'set-aside', 'audit']) {
    await admin.goto(`/admin/${section}`);
    await expect(admin.locator('.admin-body h2').first()).toBeVisible();
    // Hydrated: axe passes over disabled controls (their contrast, say).
    await expect(admin.locator('fieldset.admin-live:not([disabled])')).toBeAttached();
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

test('L: the French login and desktop, and an email with its reply open, pass axe-core', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 1366, height: 768 } })).newPage();
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Se connecter' })).toBeEnabled();
  await expectAccessible(page, 'login, French');
  await page.getByLabel("Nom d'utilisateur").fill('dave');
  await page.getByLabel('Mot de passe').fill('switchboard');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('status').getByText('Connecté')).toBeVisible();
  await expectAccessible(page, 'desktop, French, empty');
  await page.getByRole('button', { name: 'Prêt', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Prêt');

  const subject = `Colis abîmé ${Date.now()}`;
  deliver(plainMessage({ from: '"Ann Lee" <ann.lee@example.com>', subject, messageId: `axe-${Date.now()}@example.com`, body: 'Mon colis est arrivé abîmé.' }));
  const notice = page.getByRole('article', { name: 'Nouveau courrier électronique de Ann Lee' }).filter({ hasText: subject });
  await expect(notice).toBeVisible({ timeout: MAIL_ARRIVES_MS });
  await expectAccessible(page, 'desktop, French, a new email announced');
  await notice.getByRole('button', { name: 'Ouvrir' }).click();
  const reply = page.getByRole('region', { name: 'Réponse' });
  await expect(reply.getByRole('button', { name: 'Répondre', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expectAccessible(page, 'desktop, French, an email with its reply open');
  await page.screenshot({ path: 'test-results/screenshots/email-reply-fr-1366.png' });

  // Put away: the email leaves the list after an in-page confirmation.
  await page.getByRole('button', { name: 'Effacer', exact: true }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Effacer ce courrier électronique');
  await expectAccessible(page, 'desktop, French, a confirmation open');
  await dialog.getByRole('button', { name: 'Oui' }).click();
  await expect(page.getByRole('tab', { name: /Ann Lee/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Non prêt', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Non prêt');
});

/**
 * L: focus is visible everywhere. Tab goes from control to control, as a keyboard user
 * does; each one reached shows that it has the focus (the outline, or the ring a control
 * draws instead).
 */
async function expectFocusShown(page: Page, state: string, stops: number) {
  // What has the focus in one document: its name, and whether it shows it.
  const describe = () => {
    let element = document.activeElement as HTMLElement | null;
    // Inside a shadow root (the widget's launcher and frame live in one).
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement as HTMLElement;
    if (!element || element === document.body || !document.hasFocus()) return null;
    const style = getComputedStyle(element);
    // A ring drawn as a shadow counts only if the shadow comes with the focus: a copy of the
    // element (same attributes, not focused), beside it for a moment, shows it without.
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const copy = element.cloneNode(false) as HTMLElement;
    copy.removeAttribute('autofocus');
    copy.removeAttribute('id');
    element.after(copy);
    const plainShadow = getComputedStyle(copy).boxShadow;
    copy.remove();
    const ring = outline || (style.boxShadow !== 'none' && style.boxShadow !== plainShadow);
    const name = (element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40);
    return { what: `${element.tagName.toLowerCase()} "${name}"`, ring, frame: element.tagName === 'IFRAME' };
  };
  const unseen: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press('Tab');
    let focus = await page.evaluate(describe);
    // In a frame (the widget's): what has the focus inside it.
    if (focus?.frame) {
      focus = null;
      for (const frame of page.frames().slice(1)) {
        const inside = await frame.evaluate(describe).catch(() => null);
        if (inside && !inside.frame) focus = inside;
      }
    }
    if (!focus) continue;
    seen.add(focus.what);
    if (!focus.ring) unseen.push(focus.what);
  }
  expect(seen.size, `${state}: Tab reached nothing`).toBeGreaterThan(1);
  expect(unseen, `${state}: focus not shown on`).toEqual([]);
}

test('L: every control Tab reaches shows its focus: login, desktop with a chat, administration, widget', async ({ browser }) => {
  test.setTimeout(60_000);
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Log in' })).toBeEnabled();
  await expectFocusShown(page, 'login', 8);
  await page.getByLabel('Username').fill('dave');
  await page.getByLabel('Password').fill('switchboard');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Ready');
  await expectFocusShown(page, 'desktop, Control gadget', 15);
  const { chat } = await customerStarts(browser, 'Fay Focus', 'Something is broken');
  await page.getByRole('article', { name: 'Chat offer from Fay Focus' }).getByRole('button', { name: 'Accept' }).click();
  await expect(chat.getByText('Dave has joined the chat.')).toBeVisible();
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await expectFocusShown(page, 'desktop with a chat', 30);
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.getByRole('tab', { name: /Fay Focus/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Not Ready');

  const admin = await logIn(browser, 'admin', { context: { viewport: { width: 1366, height: 768 } } });
  await admin.goto('/admin/users');
  await expect(admin.locator('.admin-body h2').first()).toBeVisible();
  await expect(admin.locator('fieldset.admin-live:not([disabled])')).toBeAttached();
  await expectFocusShown(admin, 'administration: users', 25);

  // The widget open, on the shop's page: its pre-chat form, Tab after Tab.
  const shop = await (await browser.newContext()).newPage();
  await shop.goto('/demo');
  await shop.getByRole('button', { name: 'Chat with us' }).click();
  await expect(shop.frameLocator('iframe[title="Chat with us"]').getByLabel('Name')).toBeVisible();
  await expectFocusShown(shop, 'the widget open', 10);
});
