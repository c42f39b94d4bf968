import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Benchmarks print figures; they assert nothing about speed. Run with
// `npx playwright test -c playwright.bench.config.ts` after a release build.
export default defineConfig({
  ...base,
  testDir: './bench',
  timeout: 180_000,
});
