import { test, expect } from './fixtures';
import { agentReady, logIn } from './helpers';

test('D-2 K-2 O-2: questions added to the pre-chat form in the page are asked by the widget, and the agent reads the answers', async ({ browser }) => {
  const admin = await logIn(browser, 'admin');
  // Whatever happens below, the shared form loses these questions again (other tests fill
  // the form without them).
  const removeAll = async () => {
    const view = await (await admin.request.post('/api/admin')).json();
    for (const field of view.prechat_fields ?? []) {
      await admin.request.post('/api/admin/prechat-field/delete', { form: { id: String(field.id) } });
    }
  };
  // Before the test's time runs out (the fixture closes the pages after that).
  test.setTimeout(60_000);
  try {
    await admin.setViewportSize({ width: 1366, height: 768 });
    await admin.goto('/admin/pre-chat');
    const section = admin.getByRole('region', { name: 'Questions on the form' });
    await expect(section).toContainText('No question yet');

    await section.getByRole('button', { name: 'New question' }).click();
    let form = section.getByRole('form', { name: 'New question' });
    await form.getByLabel('Question').fill('Order number');
    await form.getByLabel('Required').check();
    await form.getByRole('button', { name: 'Add' }).click();
    await expect(section.getByRole('listitem').filter({ hasText: 'Order number' })).toContainText('Required');

    await section.getByRole('button', { name: 'New question' }).click();
    form = section.getByRole('form', { name: 'New question' });
    await form.getByLabel('Question').fill('order NUMBER');
    await form.getByRole('button', { name: 'Add' }).click();
    await expect(form.getByText('"order NUMBER" already exists')).toBeVisible();
    await form.getByLabel('Question').fill('Store');
    await form.getByLabel('Answer').selectOption({ label: 'Choice list' });
    // A choice list needs its options: said by the field before anything is sent.
    await form.getByRole('button', { name: 'Add' }).click();
    await expect(form.getByLabel('Choices')).toHaveAttribute('aria-invalid', 'true');
    await expect(form.locator('#prechat-field-new-choices-error')).toHaveText('required');
    await form.getByLabel('Choices').fill('Paris\n\nLyon');
    await form.getByRole('button', { name: 'Add' }).click();
    const store = section.getByRole('listitem').filter({ hasText: 'Store' });
    await expect(store).toContainText('Paris · Lyon');
    await expect(store).toContainText('Optional');
    // Moved first: the widget asks it first.
    await store.getByRole('button', { name: 'Move Store up' }).click();
    await expect(section.getByRole('listitem').first()).toContainText('Store');
    await expect(store.getByRole('button', { name: 'Move Store up' })).toBeDisabled();
    await admin.screenshot({ path: 'test-results/screenshots/admin-prechat-fields-1366.png', fullPage: true });
    await admin.setViewportSize({ width: 900, height: 700 });
    await admin.screenshot({ path: 'test-results/screenshots/admin-prechat-fields-900.png', fullPage: true });
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // The customer is asked both, after the problem; the required one unanswered is named.
    const dave = await agentReady(browser, 'dave');
    const shop = await (await browser.newContext()).newPage();
    await shop.goto('/demo');
    await shop.getByRole('button', { name: 'Chat with us' }).click();
    const chat = shop.frameLocator('iframe[title="Chat with us"]');
    await chat.getByLabel('Name').fill('Olga Order');
    await chat.getByLabel('Email').fill('olga@example.com');
    await chat.getByLabel('What is it about?').selectOption({ label: 'Something is broken' });
    await expect(chat.getByLabel('Store (optional)')).toBeVisible();
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await expect(chat.locator('#e-answer-' + (await idOf(admin, 'Order number')))).toHaveText('Order number: required');
    await expect(chat.getByLabel('Order number')).toHaveAttribute('aria-invalid', 'true');
    await chat.getByLabel('Order number').fill('A-1234');
    await chat.getByLabel('Store (optional)').selectOption('Lyon');
    await shop.screenshot({ path: 'test-results/screenshots/widget-questions.png' });
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await expect(chat.getByText('Welcome! An agent will be with you shortly.')).toBeVisible();

    // Dave reads the answers in the offer, in the form's order, then in the chat's details.
    const offer = dave.getByRole('article', { name: 'Chat offer from Olga Order' });
    await expect(offer.locator('.offer-answers dt')).toHaveText(['Store', 'Order number']);
    await expect(offer.locator('.offer-answers dd')).toHaveText(['Lyon', 'A-1234']);
    await dave.screenshot({ path: 'test-results/screenshots/offer-answers-1366.png' });
    await offer.getByRole('button', { name: 'Accept' }).click();
    const details = dave.locator('.details-grid');
    await expect(details.locator('dt')).toHaveText(['Email', 'Phone', 'Problem', 'Store', 'Order number', 'Queue']);
    await expect(details.locator('div').filter({ hasText: 'Order number' }).locator('dd')).toHaveText('A-1234');
    await dave.screenshot({ path: 'test-results/screenshots/desktop-answers-1366.png' });

    // Deleted after a question in the page; the chat keeps its answers.
    await admin.setViewportSize({ width: 1366, height: 768 });
    await store.getByRole('button', { name: 'Delete Store' }).click();
    const confirm = store.getByRole('group', { name: 'Confirm the deletion' });
    await expect(confirm).toContainText('chats already started keep their answers');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(section.getByRole('listitem')).toHaveCount(1);
    const config = await (await admin.request.get('/widget/api/config')).json();
    expect(config.fields.map((f: { label: string }) => f.label)).toEqual(['Order number']);
    // Read again from the server: a second desktop page Dave opens now shows both answers.
    const again = await dave.context().newPage();
    await again.goto('/');
    await again.getByRole('tab', { name: 'Manage Chat and Email' }).click();
    await again.getByRole('tab', { name: /Olga Order/ }).click();
    const reread = again.locator('.details-grid');
    await expect(reread.locator('dt')).toHaveText(['Email', 'Phone', 'Problem', 'Store', 'Order number', 'Queue']);
    await expect(reread.locator('div').filter({ hasText: 'Store' }).locator('dd')).toHaveText('Lyon');
  } finally {
    await removeAll();
  }
});

/** The id of the question labelled `label`, as the widget names its input. */
async function idOf(admin: import('@playwright/test').Page, label: string): Promise<number> {
  const config = await (await admin.request.get('/widget/api/config')).json();
  return config.fields.find((f: { label: string }) => f.label === label).id;
}
