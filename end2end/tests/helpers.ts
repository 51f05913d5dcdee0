import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';

// Shared by the spec files: the server binary and its data directory (scripts/test.sh sets
// them), the CLI, and the hydration marker the app sets once the page is interactive.
export const bin = process.env.GATEHOUSE_BIN ?? '../target/release/gatehouse';
export const dataDir = process.env.GATEHOUSE_E2E_DATA as string;

/** Runs the gatehouse CLI against the running server's embedded cluster. */
export function gatehouse(args: string[], input?: string): string {
  return execFileSync(bin, [...args, '--data-dir', dataDir], {
    input,
    encoding: 'utf8',
    env: { ...process.env, RUST_LOG: 'warn' },
  });
}

/** Waits until the page is hydrated (instead of sleeping). */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** `1234-5678-9012`, as the console prints an account ID. */
export const grouped = (id: string) => `${id.slice(0, 4)}-${id.slice(4, 8)}-${id.slice(8)}`;
