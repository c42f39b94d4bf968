import { test, expect } from './fixtures';
import { statSync } from 'node:fs';
import { join } from 'node:path';

// Issue 13 (assets): the WebAssembly is split (`cargo leptos build --split`). The main
// module holds the desktop; the login, password and administration pages, the email panel
// and the chat's invite and wrap-up panes are chunks of their own. So the desktop's first
// load carries none of them: the email panel and the panes follow once the desktop is
// live, the pages when they are opened; each works and is kept by the browser for a year
// (its name holds its hash).
test('each page downloads only its own code; the administration comes when opened, and works', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const wasm = new Map<string, string | null>();
  const order: string[] = [];
  context.on('response', (r) => {
    const file = new URL(r.url()).pathname.split('/').pop() ?? '';
    if (!file.endsWith('.wasm')) return;
    wasm.set(file, r.headers()['cache-control'] ?? null);
    order.push(file);
  });
  const fetched = (part: string) => [...wasm.keys()].filter((f) => f.includes(part));
  // The main module's bytes, to check what it carries, and how it came.
  let mainModule: Promise<Buffer> | undefined;
  let mainSent: { file: string; headers: Record<string, string> } | undefined;
  context.on('response', (r) => {
    const file = new URL(r.url()).pathname.split('/').pop() ?? '';
    if (file.startsWith('switchboard.') && file.endsWith('.wasm')) {
      mainModule ??= r.body();
      mainSent ??= { file, headers: r.headers() };
    }
  });

  await page.goto('/login');
  await page.getByLabel('Username').fill('admin');
  // The page's chunk arrives as it hydrates.
  await expect.poll(() => fetched('login_route').length).toBe(1);
  expect(fetched('admin_route')).toEqual([]);

  await page.getByLabel('Password').fill('switchboard');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('status').getByText('Connected')).toBeVisible();
  // The desktop works (a state change goes through) without the other pages' code.
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Ready');
  await page.getByRole('button', { name: 'Not Ready', exact: true }).click();
  await expect(page.getByTestId('agent-state')).toHaveText('Not Ready');
  expect(fetched('admin_route')).toEqual([]);
  expect(fetched('password_route')).toEqual([]);
  // Nor does it carry the administration's text: the chunks' constants went with them
  // (wasm-split keeps them all in the main module when it lacks room, frontend/src/lib.rs).
  expect(mainModule).toBeDefined();
  expect((await mainModule!).includes('Timers are in seconds')).toBe(false);
  // It came as the build's Brotli form (`--precompress`), byte for byte the file beside it
  // (Brotli made on the fly, at its lower level, would not be as small).
  expect(mainSent!.headers['content-encoding']).toBe('br');
  const form = statSync(join('..', 'target', 'site', 'pkg', `${mainSent!.file}.br`)).size;
  const size = (await mainModule!).length;
  console.log(`desktop's main module: ${size} bytes, ${form} sent in Brotli`);
  expect(mainSent!.headers['content-length']).toBe(String(form));
  // The email panel and the chat's invite and wrap-up panes come after the desktop's own
  // code, in the background (wrap_up.spec.ts opens a pane before its code has come).
  const main = order.findIndex((f) => f.startsWith('switchboard.'));
  expect(main).toBeGreaterThanOrEqual(0);
  for (const part of ['email_panel', 'invite_pane', 'wrap_up_pane']) {
    await expect.poll(() => fetched(part).length, part).toBe(1);
    expect(order.indexOf(fetched(part)[0]), part).toBeGreaterThan(main);
  }

  // Opened from the desktop's link (a tab of its own): the chunk comes, and the page works.
  const [admin] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('link', { name: 'Administration' }).click(),
  ]);
  await expect(admin.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expect.poll(() => fetched('admin_route').length).toBe(1);
  await admin.getByRole('button', { name: 'New user' }).click();
  await expect(admin.locator('form.user-form').getByLabel('Username')).toBeVisible();
  for (const [file, cache] of wasm) {
    expect(cache, file).toBe('public, max-age=31536000, immutable');
  }
  await context.close();
});
