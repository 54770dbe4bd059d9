import { defineConfig } from '@playwright/test';

// Debian's Chromium: Playwright cannot download its own browser here.
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 90_000,
  // A short run finishes in a second or two on a quiet machine; a loaded CI machine (two cores
  // shared with the build) has taken over 5 s, Playwright's default for each expectation.
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1360, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumFlags,
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
