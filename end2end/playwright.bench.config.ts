import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Benchmarks print figures; they assert nothing about speed. Run with
// `npx playwright test -c playwright.bench.config.ts` after a release build.
// The latency bench sends as fast as the display follows: above a customer's default rate
// (5 a second), so the server it starts allows more.
const server = base.webServer as { env: Record<string, string> };
export default defineConfig({
  ...base,
  testDir: './bench',
  timeout: 180_000,
  webServer: {
    ...server,
    env: {
      ...server.env,
      SWITCHBOARD_CUSTOMER_MESSAGES_PER_SEC: '1000',
      SWITCHBOARD_CUSTOMER_MESSAGE_BURST: '1000',
    },
  } as typeof base.webServer,
});
