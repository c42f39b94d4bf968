import { customerStarts, logIn } from './helpers';
import { test, expect } from './fixtures';

// Screenshots land in test-results/screenshots/ for people to look at; the assertions check
// what a person would notice: nothing cut off or scrolling sideways at either size.
for (const size of [
  { name: 'desktop-1366', width: 1366, height: 768 },
  { name: 'gadget-900', width: 900, height: 700 },
]) {
  test(`L: the desktop fits ${size.width}px without sideways scrolling`, async ({ page }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    // The pages run under their Content-Security-Policy: nothing they need is refused.
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) refused.push(m.text());
    });
    await page.goto('/login');
    await page.screenshot({ path: `test-results/screenshots/login-${size.name}.png` });
    // The administrator's top bar is the fullest (it has the Administration link).
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('switchboard');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
    await page.getByRole('button', { name: 'Ready', exact: true }).click();
    await expect(page.getByTestId('agent-state')).toHaveText('Ready');

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The whole top bar stays on one row: Log out sits level with the state control.
    const logout = await page.getByRole('button', { name: 'Log out' }).boundingBox();
    const ready = await page.getByRole('button', { name: 'Ready', exact: true }).boundingBox();
    expect(logout && ready).toBeTruthy();
    expect(Math.abs(logout!.y - ready!.y)).toBeLessThan(12);
    expect(logout!.x + logout!.width).toBeLessThanOrEqual(size.width);
    const adminLink = await page.getByRole('link', { name: 'Administration' }).boundingBox();
    expect(Math.abs(adminLink!.y + adminLink!.height / 2 - (ready!.y + ready!.height / 2))).toBeLessThan(12);
    await page.screenshot({ path: `test-results/screenshots/control-${size.name}.png` });

    await page.getByRole('tab', { name: 'Manage Chat and Email' }).click();
    await page.screenshot({ path: `test-results/screenshots/manage-${size.name}.png` });
    expect(refused).toEqual([]);
    await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Log out' })).toBeEnabled();
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);
  });
}

// French words are longer: the fullest top bar still fits a 900-pixel gadget frame.
test('L: the French desktop fits 900px, its top bar on one row', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel("Nom d'utilisateur").fill('admin');
  await page.getByLabel('Mot de passe').fill('switchboard');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('status').getByText('Connecté')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const logout = await page.getByRole('button', { name: 'Se déconnecter' }).boundingBox();
  const ready = await page.getByRole('button', { name: 'Prêt', exact: true }).boundingBox();
  expect(Math.abs(logout!.y - ready!.y)).toBeLessThan(12);
  expect(logout!.x + logout!.width).toBeLessThanOrEqual(900);
  await page.screenshot({ path: 'test-results/screenshots/control-gadget-900-fr.png' });
  await page.getByRole('tab', { name: 'Gérer les conversations et les courriers électroniques' }).click();
  await page.screenshot({ path: 'test-results/screenshots/manage-gadget-900-fr.png' });
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});

// WCAG 1.4.4 and 1.4.10: a 1366x768 screen at 200% zoom leaves 683x384 CSS pixels. The
// desktop with a chat still works there: no sideways scrolling, the offer's Accept, the
// message box and End within reach.
test('L: at 200% zoom the desktop works a chat without sideways scrolling', async ({ browser }) => {
  const page = await logIn(browser, 'dave', { context: { viewport: { width: 683, height: 384 }, deviceScaleFactor: 2 } });
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Ready');
  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await sideways()).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screenshots/zoom-200-control.png' });

  const { chat } = await customerStarts(browser, 'Zed Zoom', 'Something is broken');
  await page.getByRole('article', { name: 'Chat offer from Zed Zoom' }).getByRole('button', { name: 'Accept' }).click();
  await chat.getByLabel('Message').fill('Can you read me at double size?');
  await chat.getByLabel('Message').press('Enter');
  await expect(page.getByRole('list', { name: 'Transcript' }).getByText('Can you read me at double size?')).toBeVisible();
  const box = page.getByLabel('Message', { exact: true });
  await box.fill('Yes, every word.');
  await box.press('Enter');
  await expect(chat.getByText('Yes, every word.')).toBeVisible();
  expect(await sideways()).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screenshots/zoom-200-chat.png' });
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.getByRole('tab', { name: /Zed Zoom/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Not Ready');
});
