import { test, expect } from './fixtures';
import { agentReady, customerStarts, logIn } from './helpers';

test('D-2 O-2 K-2: a queue and a problem statement made in the browser route the next chat to a member added there', async ({ browser }) => {
  const admin = await logIn(browser, 'admin');
  await admin.setViewportSize({ width: 1366, height: 768 });
  await admin.goto('/admin/queues');
  const nav = admin.getByRole('navigation', { name: 'Administration' });
  await expect(nav.getByRole('link', { name: 'Queues' })).toHaveAttribute('aria-current', 'page');

  // A name already taken, whatever its case, is refused by the field.
  const adding = admin.getByRole('group', { name: 'New queue' });
  // The field takes text once the page's code has hydrated (disabled until then), so
  // nothing typed is reset.
  await adding.getByLabel('Queue name').fill('support');
  await adding.getByRole('button', { name: 'Add queue' }).click();
  await expect(adding.getByRole('alert')).toHaveText('"support" already exists');
  await adding.getByLabel('Queue name').fill('Warranty');
  await adding.getByLabel('Add a member').fill('carol');
  await adding.getByRole('button', { name: 'Add carol' }).click();
  await expect(adding.getByRole('list', { name: 'Members of New queue' })).toContainText('Carol Dupont');
  await adding.getByRole('button', { name: 'Add queue' }).click();
  const warranty = admin.getByRole('group', { name: 'Warranty' });
  await expect(warranty).toContainText('Carol Dupont');
  await expect(adding.getByLabel('Queue name')).toHaveValue('');
  await admin.screenshot({ path: 'test-results/screenshots/admin-queues-1366.png', fullPage: true });

  // Unsaved changes are not lost silently: leaving through the menu asks in the page.
  await warranty.getByLabel('Name of Warranty').fill('Warranty claims');
  await nav.getByRole('link', { name: 'Pre-chat form' }).click();
  const leave = admin.getByRole('alertdialog');
  await expect(leave).toContainText('You have unsaved changes.');
  await leave.getByRole('button', { name: 'Stay' }).click();
  await expect(admin).toHaveURL(/\/admin\/queues$/);
  await expect(warranty.getByLabel('Name of Warranty')).toHaveValue('Warranty claims');
  await warranty.getByRole('button', { name: 'Save' }).click();
  const claims = admin.getByRole('group', { name: 'Warranty claims' });
  await expect(claims).toBeVisible();

  await nav.getByRole('link', { name: 'Pre-chat form' }).click();
  await expect(admin).toHaveURL(/\/admin\/pre-chat$/);
  const statement = admin.getByRole('group', { name: 'New problem statement' });
  await statement.getByLabel('Problem statement').fill('A warranty claim');
  await statement.getByLabel('Queue').selectOption({ label: 'Warranty claims' });
  await statement.getByRole('button', { name: 'Add' }).click();
  const claim = admin.getByRole('group', { name: 'A warranty claim' });
  await expect(claim).toBeVisible();
  // Moved first: the widget lists it first.
  const items = admin.locator('ol.statements > li');
  const count = await items.count();
  await expect(items.nth(count - 1)).toContainText('A warranty claim');
  for (let place = count - 1; place > 0; place--) {
    await claim.getByRole('button', { name: 'Move A warranty claim up' }).click();
    await expect(items.nth(place - 1)).toContainText('A warranty claim');
  }
  await expect(claim.getByRole('button', { name: 'Move A warranty claim up' })).toBeDisabled();
  await admin.screenshot({ path: 'test-results/screenshots/admin-prechat-1366.png', fullPage: true });
  await admin.setViewportSize({ width: 900, height: 700 });
  await admin.screenshot({ path: 'test-results/screenshots/admin-prechat-900.png', fullPage: true });
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // Carol, Ready, is offered the chat of a customer who chose it.
  const carol = await agentReady(browser, 'carol');
  const { chat } = await customerStarts(browser, 'Wanda Warranty', 'A warranty claim');
  const offer = carol.getByRole('article', { name: 'Chat offer from Wanda Warranty' });
  await expect(offer).toContainText('A warranty claim');
  await offer.getByRole('button', { name: 'Accept' }).click();
  await expect(chat.getByText('Carol has joined the chat.')).toBeVisible();
  await carol.context().close();

  // Retired, the queue's statement leaves the pre-chat form.
  await admin.goto('/admin/queues');
  await admin.getByRole('group', { name: 'Warranty claims' }).getByRole('button', { name: 'Retire' }).click();
  await expect(admin.getByRole('group', { name: 'Warranty claims' }).getByText('Retired')).toBeVisible();
  const config = await (await admin.request.get('/widget/api/config')).json();
  expect(config.problems.map((p: { label: string }) => p.label)).not.toContain('A warranty claim');
});
