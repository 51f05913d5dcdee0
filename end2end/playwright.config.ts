import { defineConfig } from '@playwright/test';

// The suite runs the release build of `gatehouse` on its embedded Postgres default, in a fresh
// data directory made by scripts/test.sh (GATEHOUSE_E2E_DATA), on port 3100.
const bin = process.env.GATEHOUSE_BIN ?? '../target/release/gatehouse';
const data = process.env.GATEHOUSE_E2E_DATA;
if (!data) {
  throw new Error('GATEHOUSE_E2E_DATA must name a fresh data directory (scripts/test.sh sets it)');
}
export const baseURL = 'http://127.0.0.1:3100';

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `"${bin}" serve --addr 127.0.0.1:3100 --data-dir "${data}"`,
    url: `${baseURL}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? '../target/site',
      RUST_LOG: 'warn',
    },
  },
});
