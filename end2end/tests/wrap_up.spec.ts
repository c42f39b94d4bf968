import { type Browser, type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { agentReady, customerStarts, logIn, logOut } from './helpers';

async function adminPage(browser: Browser): Promise<Page> {
  const admin = await logIn(browser, 'admin');
  await admin.goto('/admin/wrap-up');
  await expect(admin.getByRole('heading', { name: 'Wrap-up reasons' })).toBeVisible();
  return admin;
}

async function acceptChat(agent: Page, customer: string) {
  await agent.getByRole('article', { name: `Chat offer from ${customer}` }).getByRole('button', { name: 'Accept' }).click();
  await expect(agent.getByRole('tab', { name: new RegExp(customer) })).toHaveAttribute('aria-selected', 'true');
}

test('W-1 W-2: wrap-up reasons counted live, at most five, and an admin change reaches the next chat only', async ({ browser }) => {
  test.setTimeout(90_000);
  const dave = await agentReady(browser, 'dave');
  const wanda = await customerStarts(browser, 'Wanda First', 'Something is broken');
  await acceptChat(dave, 'Wanda First');

  // W-1: the control sits beside End and counts the ticked reasons as they change.
  const control = dave.getByRole('button', { name: /^Wrap-Up Reasons \(\d\)$/ });
  await expect(control).toHaveText('Wrap-Up Reasons (0)');
  await control.click();
  const pane = dave.getByRole('group', { name: 'Wrap-up reasons' });
  await expect(pane.getByRole('checkbox')).toHaveCount(5);
  await pane.getByLabel('Resolved').check();
  await expect(control).toHaveText('Wrap-Up Reasons (1)');
  await pane.getByLabel('Known issue').check();
  await expect(control).toHaveText('Wrap-Up Reasons (2)');
  await pane.getByLabel('Resolved').uncheck();
  await expect(control).toHaveText('Wrap-Up Reasons (1)');
  // A message arriving keeps the open pane and the agent's draft.
  const box = dave.getByLabel('Message', { exact: true });
  await box.fill('Draft in progress');
  await wanda.chat.getByLabel('Message').fill('Are you there?');
  await wanda.chat.getByLabel('Message').press('Enter');
  await expect(dave.getByRole('list', { name: 'Transcript' }).getByText('Are you there?')).toBeVisible();
  await expect(box).toHaveValue('Draft in progress');
  await expect(pane).toBeVisible();
  await dave.screenshot({ path: 'test-results/screenshots/wrap-up-pane.png' });
  await pane.getByRole('button', { name: 'OK' }).click();
  await expect(pane).toHaveCount(0);

  // The administrator adds a Support reason while the chat is in hand.
  const admin = await adminPage(browser);
  const adding = admin.getByRole('group', { name: 'New wrap-up reason' });
  await adding.getByLabel('Label').fill('Warranty claim');
  await adding.getByLabel('Support').check();
  await adding.getByRole('button', { name: 'Add reason' }).click();
  await expect(admin.getByLabel('Label of Warranty claim')).toHaveValue('Warranty claim');
  await expect(adding.getByLabel('Label')).toHaveValue('');
  // A second reason with the same label is refused in the page, with the reason.
  await adding.getByLabel('Label').fill('warranty CLAIM');
  await adding.getByRole('button', { name: 'Add reason' }).click();
  await expect(adding.getByRole('alert')).toHaveText('"warranty CLAIM" already exists');
  await admin.screenshot({ path: 'test-results/screenshots/admin-wrap-up.png', fullPage: true });

  // W-2: the chat in hand keeps the list it was assigned with.
  await control.click();
  await expect(pane.getByRole('checkbox')).toHaveCount(5);
  await expect(pane.getByLabel('Warranty claim')).toHaveCount(0);
  await expect(pane.getByLabel('Known issue')).toBeChecked();
  await dave.getByRole('button', { name: 'End', exact: true }).click();

  // The next chat offers it; a sixth reason cannot be ticked.
  await customerStarts(browser, 'Wendy Second', 'Something is broken');
  await acceptChat(dave, 'Wendy Second');
  await control.click();
  await expect(pane.getByRole('checkbox')).toHaveCount(6);
  for (const reason of ['Duplicate', 'Escalated', 'Known issue', 'Needs callback', 'Resolved']) {
    await pane.getByLabel(reason).check();
  }
  await expect(control).toHaveText('Wrap-Up Reasons (5)');
  await expect(pane.getByLabel('Warranty claim')).toBeDisabled();
  await expect(pane.getByText('At most 5 reasons: untick one to choose another.')).toBeVisible();
  await pane.getByLabel('Duplicate').uncheck();
  await expect(pane.getByLabel('Warranty claim')).toBeEnabled();
  await pane.getByLabel('Warranty claim').check();
  await expect(control).toHaveText('Wrap-Up Reasons (5)');

  await dave.keyboard.press('Escape');
  await expect(pane).toHaveCount(0);

  // The choice is the server's: a second tab of the desktop shows it, and follows changes.
  const second = await dave.context().newPage();
  await second.goto('/');
  await second.getByRole('tab', { name: 'Manage Chat and Email' }).click();
  const secondControl = second.getByRole('button', { name: /^Wrap-Up Reasons \(\d\)$/ });
  await expect(secondControl).toHaveText('Wrap-Up Reasons (5)');
  await secondControl.click();
  await expect(second.getByRole('group', { name: 'Wrap-up reasons' }).getByLabel('Warranty claim')).toBeChecked();
  await control.click();
  await pane.getByLabel('Resolved').uncheck();
  await expect(secondControl).toHaveText('Wrap-Up Reasons (4)');
  await second.close();
  await dave.getByRole('button', { name: 'End', exact: true }).click();

  // Retired, the reason leaves new contacts (the admin's change is kept on the page).
  await admin.getByRole('group', { name: 'Warranty claim' }).getByRole('button', { name: 'Retire' }).click();
  await expect(admin.getByRole('group', { name: 'Warranty claim' }).getByText('Retired')).toBeVisible();
  await logOut(dave);
});

test('W-1: a pane opened before its code has come says so, and the desktop stays as it is', async ({ browser }) => {
  const dave = await agentReady(browser, 'dave');
  // The wrap-up pane's code is held back (a slow network) from the next load of the desktop.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await dave.context().route(/wrap_up_pane.*\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await dave.reload();
  await expect(dave.getByRole('status').getByText('Connected')).toBeVisible();
  // A page that goes leaves its agent Not Ready (S-5): Ready again on the new page.
  await dave.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(dave.getByTestId('agent-state')).toHaveText('Ready');
  await customerStarts(browser, 'Wally Slow', 'Something is broken');
  await acceptChat(dave, 'Wally Slow');
  const box = dave.getByLabel('Message', { exact: true });
  await box.fill('Typed before');

  await dave.getByRole('button', { name: 'Wrap-Up Reasons (0)' }).click();
  const pane = dave.getByRole('group', { name: 'Wrap-up reasons' });
  await expect(pane).toHaveText('Opening…');
  await dave.screenshot({ path: 'test-results/screenshots/wrap-up-pane-opening.png' });
  // Nothing else waits for it: the desktop is not swapped for its loading screen, the
  // draft and the transcript stay.
  await expect(dave.getByText('Loading the desktop…')).toHaveCount(0);
  await expect(box).toHaveValue('Typed before');
  await expect(dave.getByRole('list', { name: 'Transcript' })).toBeVisible();

  release();
  await expect(pane.getByRole('checkbox')).toHaveCount(5);
  await pane.getByLabel('Resolved').check();
  await expect(dave.getByRole('button', { name: 'Wrap-Up Reasons (1)' })).toBeVisible();
  await dave.getByRole('button', { name: 'End', exact: true }).click();
  await dave.context().close();
});
