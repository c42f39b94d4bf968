import { test } from '@playwright/test';
import { agentReady, customerStarts, logOut } from '../tests/helpers';

const SENDS = 100;

/**
 * Time from a customer's message leaving the widget to its display on the agent's page,
 * over SENDS messages, measured with both pages' wall clocks (same machine, same browser).
 * Prints the median and the 90th percentile.
 */
test('latency: customer message to agent display', async ({ browser }) => {
  const agent = await agentReady(browser, 'dave');
  const { chat, shop } = await customerStarts(browser, 'Benchmark Bea', 'Something is broken');
  await agent.getByRole('article', { name: 'Chat offer from Benchmark Bea' }).getByRole('button', { name: 'Accept' }).click();
  await chat.getByText('Dave has joined the chat.').waitFor();

  // The agent's page notes when each message appears in the transcript.
  await agent.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as any).__seen = seen;
    new MutationObserver((records) => {
      const now = performance.timeOrigin + performance.now();
      for (const r of records)
        for (const n of Array.from(r.addedNodes))
          if (n instanceof HTMLElement && n.matches('li.line.customer')) {
            const text = (n.lastChild?.textContent ?? '').trim();
            if (text.startsWith('bench-') && !(text in seen)) seen[text] = now;
          }
    }).observe(document.querySelector('ol.transcript')!, { childList: true });
  });
  const frame = shop.frames().find((f) => f.url().includes('/widget/chat.html'))!;
  const sent: Record<string, number> = {};
  for (let i = 0; i < SENDS; i++) {
    const text = `bench-${i}`;
    sent[text] = await frame.evaluate((t) => {
      const box = document.querySelector('#message') as HTMLTextAreaElement;
      box.value = t;
      const at = performance.timeOrigin + performance.now();
      (document.querySelector('.composer') as HTMLFormElement).requestSubmit();
      return at;
    }, text);
    await agent.waitForFunction((t) => t in (window as any).__seen, text);
  }
  const seen: Record<string, number> = await agent.evaluate(() => (window as any).__seen);
  const times = Object.keys(sent).map((k) => seen[k] - sent[k]).sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(`customer→agent display over ${times.length} sends: median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
  await agent.getByRole('button', { name: 'End', exact: true }).click();
  await logOut(agent);
});
