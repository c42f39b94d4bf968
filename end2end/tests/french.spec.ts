import { expect as baseExpect, type Browser, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from './fixtures';

/**
 * A shop's page that embeds the widget and says it is French, served on another port of
 * this machine (another origin of the same site, as the widget's SameSite=Lax chat cookie
 * needs over plain HTTP).
 */
async function frenchShop(browser: Browser, baseURL: string): Promise<{ shop: Page; server: Server }> {
  const html =
    `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Boutique</title></head>` +
    `<body><h1>Boutique</h1><script src="${baseURL}/widget.js"></script></body></html>`;
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  const shop = await (await browser.newContext()).newPage();
  await shop.goto(`http://127.0.0.1:${port}/boutique`);
  return { shop, server };
}

test('L: the whole desktop flow in French, with a French customer on a lang="fr" page', async ({ browser, baseURL }) => {
  // A browser that asks for French (Accept-Language and navigator.language).
  const agentContext = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1366, height: 768 } });
  const agent = await agentContext.newPage();
  await agent.goto('/login');
  await expect(agent.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(agent).toHaveTitle('Connexion · Switchboard');
  await agent.getByLabel("Nom d'utilisateur").fill('supervisor');
  await agent.getByLabel('Mot de passe').fill('switchboard');
  await agent.getByRole('button', { name: 'Se connecter' }).click();
  await expect(agent.getByRole('status').getByText('Connecté')).toBeVisible();

  // The Finesse wording: Non prêt, Prêt, Réservé.
  await expect(agent.getByTestId('agent-state')).toHaveText('Non prêt');
  await expect(agent.getByRole('tab', { name: 'Contrôle des conversations et des courriers électroniques' })).toBeVisible();
  await agent.getByRole('button', { name: 'Prêt', exact: true }).click();
  await expect(agent).toHaveTitle('Prêt · Switchboard');
  await expect(agent.getByRole('button', { name: 'Se déconnecter' })).toBeDisabled();

  // The customer's widget follows the host page's lang.
  const { shop, server } = await frenchShop(browser, baseURL!);
  await shop.getByRole('button', { name: 'Discutez avec nous' }).click();
  const chat = shop.frameLocator('iframe[title="Discutez avec nous"]');
  await expect(chat.locator('html')).toHaveAttribute('lang', 'fr');
  await chat.getByLabel('Nom', { exact: true }).fill('Zoé Martin');
  await chat.getByLabel('E-mail').fill('zoe@example.com');
  await chat.getByLabel(/De quoi s.agit-il/).selectOption({ label: 'Something is broken' });
  await chat.getByRole('button', { name: 'Démarrer la conversation' }).click();
  // The administrator's welcome text is shown as written.
  await expect(chat.getByText('Welcome! An agent will be with you shortly.')).toBeVisible();

  const offer = agent.getByRole('article', { name: 'Demande de conversation de Zoé Martin' });
  await expect(offer).toBeVisible();
  await offer.getByRole('button', { name: 'Accepter' }).click();
  await expect(agent).toHaveTitle('Réservé · Switchboard');
  await expect(agent.getByRole('tab', { name: 'Gérer les conversations et les courriers électroniques' })).toHaveAttribute('aria-selected', 'true');

  // System lines in each reader's language; the customer's own words untranslated.
  await expect(chat.getByText('Sam a rejoint la conversation.')).toBeVisible();
  const transcript = agent.getByRole('list', { name: 'Transcription' });
  await expect(transcript.getByText(/^Sam a rejoint la conversation\./)).toBeVisible();
  await chat.getByLabel('Message').fill('Hello, my tent leaks');
  await chat.getByRole('button', { name: 'Envoyer' }).click();
  await expect(transcript.getByText('Hello, my tent leaks')).toBeVisible();
  const box = agent.getByLabel('Message', { exact: true });
  await box.fill('Bonjour Zoé, je regarde.');
  await agent.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await expect(chat.getByText('Bonjour Zoé, je regarde.')).toBeVisible();
  // Times in the locale's format: 24-hour in French, on both sides.
  await baseExpect(transcript.locator('.line.agent .meta')).toHaveText(/^Sam · \d{2}:\d{2}$/);
  await agent.screenshot({ path: 'test-results/screenshots/desktop-fr.png' });
  await shop.screenshot({ path: 'test-results/screenshots/widget-fr.png' });

  // Terminer ends the chat; the customer reads it in French.
  await agent.getByRole('button', { name: 'Terminer', exact: true }).click();
  await expect(chat.getByText('Sam a quitté la conversation.')).toBeVisible();
  await agentContext.close();
  await shop.context().close();
  server.close();
});

test('L: a language chosen on the account page is the user\'s on every computer, until changed back', async ({ browser }) => {
  const logIn = async (page: Page, button: string) => {
    await page.goto('/login');
    await page.locator('#username').fill('supervisor');
    await page.locator('#password').fill('switchboard');
    await page.getByRole('button', { name: button }).click();
  };
  const first = await (await browser.newContext()).newPage();
  await logIn(first, 'Log in');
  await expect(first.getByTestId('agent-state')).toHaveText('Not Ready');
  await first.goto('/password');
  await expect(first.getByRole('heading', { name: 'Change your password' })).toBeVisible();
  await first.getByLabel('Language').selectOption('fr');
  await expect(first.getByRole('heading', { name: 'Changer votre mot de passe' })).toBeVisible();
  await expect(first.locator('html')).toHaveAttribute('lang', 'fr');

  // Another browser, which asks for English: the login brings the user's French.
  const second = await (await browser.newContext()).newPage();
  await logIn(second, 'Log in');
  await expect(second.getByTestId('agent-state')).toHaveText('Non prêt');
  await expect(second.locator('html')).toHaveAttribute('lang', 'fr');

  // Back to English, for the user and this browser.
  await second.goto('/password');
  await second.getByLabel('Langue').selectOption('en');
  await expect(second.getByRole('heading', { name: 'Change your password' })).toBeVisible();
  await second.goto('/');
  await expect(second.getByTestId('agent-state')).toHaveText('Not Ready');
  await first.context().close();
  await second.context().close();
});
