import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { agentReady, customerStarts, logOut } from './helpers';

/** Opens the invite pane, picks the queue found by a search, writes notes and sends. */
async function invite(agent: Page, search: string, queue: string, notes: string) {
  await agent.getByRole('button', { name: 'Invite agent', exact: true }).click();
  const pane = agent.getByRole('group', { name: 'Invite an agent' });
  await pane.getByLabel('Search queues').fill(search);
  await pane.getByRole('radio', { name: new RegExp(`^${queue}`) }).check();
  await pane.getByLabel('Notes for the invited agent').fill(notes);
  await pane.getByRole('button', { name: 'Invite agent' }).click();
  await expect(pane).toHaveCount(0);
}

test('G-1 to G-6: invite, decline, accept with history and notes, three-way chat, leave', async ({ browser }) => {
  test.setTimeout(120_000);
  // Support: Dave first Ready (he gets the chat), then Bob, then Alice.
  const dave = await agentReady(browser, 'dave');
  const bob = await agentReady(browser, 'bob');
  const alice = await agentReady(browser, 'alice');
  const { chat } = await customerStarts(browser, 'Gaston Groupe', 'Something is broken');
  await dave.getByRole('article', { name: 'Chat offer from Gaston Groupe' }).getByRole('button', { name: 'Accept' }).click();
  await chat.getByLabel('Message').fill('Ma tente fuit');
  await chat.getByLabel('Message').press('Enter');
  await expect(dave.getByRole('list', { name: 'Transcript' }).getByText('Ma tente fuit')).toBeVisible();

  // G-1: the list counts available agents per queue, live, and the search filters it.
  await dave.getByRole('button', { name: 'Invite agent', exact: true }).click();
  const pane = dave.getByRole('group', { name: 'Invite an agent' });
  await expect(pane.getByRole('radio', { name: /^Support/ })).toBeVisible();
  await expect(pane.getByText('2 available')).toBeVisible(); // Bob and Alice
  await pane.getByLabel('Search queues').fill('bill');
  await expect(pane.getByRole('radio')).toHaveCount(1);
  await dave.screenshot({ path: 'test-results/screenshots/invite-pane.png' });
  // Inside a 900-pixel gadget frame the pane stays whole and nothing scrolls sideways.
  await dave.setViewportSize({ width: 900, height: 700 });
  const box = await pane.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(900);
  expect(await dave.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await dave.screenshot({ path: 'test-results/screenshots/invite-pane-900.png' });
  await dave.setViewportSize({ width: 1280, height: 720 });
  await pane.getByRole('button', { name: 'Cancel' }).click();

  // G-2: Bob (available longest) is invited, sees the notes and declines; Dave is told.
  await invite(dave, 'sup', 'Support', 'VIP: refund already promised');
  const bobCard = bob.getByRole('article', { name: 'Invitation from Dave Okafor' });
  await expect(bobCard).toBeVisible();
  await expect(bobCard.getByText('VIP: refund already promised')).toBeVisible();
  await expect(bobCard.getByRole('timer')).toHaveText(/^(1[0-5]|[5-9]) s$/);
  await bob.screenshot({ path: 'test-results/screenshots/invitation.png' });
  // D-4: a second tab Bob opens now shows the same invitation; his answer reaches both.
  const bobAgain = await bob.context().newPage();
  await bobAgain.goto('/');
  const againCard = bobAgain.getByRole('article', { name: 'Invitation from Dave Okafor' });
  await expect(againCard.getByText('VIP: refund already promised')).toBeVisible();
  await bobCard.getByRole('button', { name: 'Decline' }).click();
  await expect(bobCard).toHaveCount(0);
  await expect(againCard).toHaveCount(0);
  await bobAgain.close();
  await expect(dave.getByText('Bob Nguyen declined your invitation.')).toBeVisible();

  // G-6: the next invitation reaches Alice, not Bob. She accepts.
  await invite(dave, 'sup', 'Support', 'VIP: refund already promised');
  const aliceCard = alice.getByRole('article', { name: 'Invitation from Dave Okafor' });
  await expect(aliceCard).toBeVisible();
  await expect(bob.getByRole('article', { name: /Invitation from/ })).toHaveCount(0);
  await aliceCard.getByRole('button', { name: 'Accept' }).click();

  // G-2: Alice sees the history and the notes; the customer sees her join; G-5: the notes
  // are hers alone.
  await expect(alice.getByRole('tab', { name: /Gaston Groupe/ })).toHaveAttribute('aria-selected', 'true');
  await expect(alice.getByRole('list', { name: 'Transcript' }).getByText('Ma tente fuit')).toBeVisible();
  await expect(alice.getByRole('complementary', { name: 'Notes from the inviting agent' })).toContainText('VIP: refund already promised');
  await expect(dave.getByRole('complementary', { name: 'Notes from the inviting agent' })).toHaveCount(0);
  await expect(chat.getByText('Alice has joined the chat.')).toBeVisible();
  await expect(dave.getByText('Alice Martin accepted your invitation and joined the chat.')).toBeVisible();
  await expect(dave.getByText('Group chat with Dave, Alice')).toBeVisible();

  // G-3: the invite control is disabled with two agents; Leave replaces End.
  await expect(dave.getByRole('button', { name: 'Invite agent', exact: true })).toBeDisabled();
  await expect(dave.getByRole('button', { name: 'Leave', exact: true })).toBeVisible();

  // Messages and typing among all three.
  const aliceBox = alice.getByLabel('Message', { exact: true });
  await aliceBox.pressSequentially('Je regarde');
  await expect(dave.getByText('Alice is typing…')).toBeVisible();
  await aliceBox.press('Enter');
  await expect(dave.getByRole('list', { name: 'Transcript' }).getByText('Je regarde')).toBeVisible();
  await expect(chat.getByText('Je regarde')).toBeVisible();
  await chat.getByLabel('Message').pressSequentially('Merci');
  await expect(alice.getByText('Gaston Groupe is typing…')).toBeVisible();
  await expect(dave.getByText('Gaston Groupe is typing…')).toBeVisible();
  await chat.getByLabel('Message').press('Enter');
  await expect(alice.getByRole('list', { name: 'Transcript' }).getByText('Merci')).toBeVisible();
  await alice.screenshot({ path: 'test-results/screenshots/group-chat.png' });

  // Alice leaves: her tab closes, the invite control comes back for Dave.
  await alice.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(alice.getByRole('tab', { name: /Gaston Groupe/ })).toHaveCount(0);
  await expect(alice).toHaveTitle('Ready · Switchboard');
  await expect(chat.getByText('Alice has left the chat.')).toBeVisible();
  await expect(dave.getByRole('button', { name: 'Invite agent', exact: true })).toBeEnabled();
  await expect(dave.getByRole('button', { name: 'End', exact: true })).toBeVisible();

  // G-6: after an accepted invitation Bob may be invited again.
  await invite(dave, 'sup', 'Support', '');
  await expect(bobCard).toBeVisible();
  await bobCard.getByRole('button', { name: 'Decline' }).click();
  await expect(dave.getByText('Bob Nguyen declined your invitation.')).toBeVisible();
  await dave.getByRole('button', { name: 'End', exact: true }).click();

  // G-5: a later chat with the same customer carries no notes of the earlier one. (Bob and
  // Alice step away so that the chat is offered to Dave; Alice comes back to be invited.)
  for (const page of [bob, alice]) {
    await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
    await expect(page).toHaveTitle('Not Ready · Switchboard');
  }
  const again = await customerStarts(browser, 'Gaston Groupe', 'Something is broken');
  await dave.getByRole('article', { name: 'Chat offer from Gaston Groupe' }).getByRole('button', { name: 'Accept' }).click();
  await alice.getByRole('button', { name: 'Ready', exact: true }).click();
  await invite(dave, 'sup', 'Support', '');
  await alice.getByRole('article', { name: 'Invitation from Dave Okafor' }).getByRole('button', { name: 'Accept' }).click();
  await expect(alice.getByRole('tab', { name: /Gaston Groupe/ })).toHaveAttribute('aria-selected', 'true');
  await expect(again.chat.getByText('Alice has joined the chat.')).toBeVisible();
  await expect(alice.getByText('VIP: refund already promised')).toHaveCount(0);
  await alice.getByRole('button', { name: 'Leave', exact: true }).click();
  await dave.getByRole('button', { name: 'End', exact: true }).click();
  for (const page of [alice, bob, dave]) await logOut(page);
});
