import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { gatehouse, grouped, hydrated } from './helpers';

// One deployment for the whole file: the first test runs first-run setup, the rest use the
// account it created. Names are unique per run.
test.describe.configure({ mode: 'serial' });

const run = Date.now().toString(36);
const alias = `e2e-${run}`;
const rootEmail = `root-${run}@example.com`;
const rootPassword = `root passphrase ${run}`;
let accountId = '';

mkdirSync('screenshots', { recursive: true });

async function signInAsRoot(page: Page) {
  await page.goto('/root-signin');
  await hydrated(page);
  await page.getByLabel('Root user email address').fill(rootEmail);
  await page.getByLabel('Password').fill(rootPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'IAM Dashboard' })).toBeVisible();
}

test('first-run setup creates the account, then root signs in and sees the account ID', async ({ page }) => {
  const printed = gatehouse(['setup-link', '--public-url', 'http://127.0.0.1:3100']);
  const link = printed.match(/http:\/\/127\.0\.0\.1:3100\/setup\?token=[0-9a-f]{64}/)?.[0];
  expect(link, printed).toBeTruthy();

  await page.goto(link!);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Set up Gatehouse' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/setup.png', fullPage: true });

  // Bad input first: the error sits next to its field and nothing is created.
  await page.getByLabel('Account alias (optional)').fill(alias);
  await page.getByLabel('Root user email address').fill(rootEmail);
  await page.getByLabel('Root user password', { exact: true }).fill(rootPassword);
  await page.getByLabel('Confirm root user password').fill('something else entirely');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('The passwords do not match.')).toBeVisible();
  await page.screenshot({ path: 'screenshots/setup-error.png', fullPage: true });

  await page.getByLabel('Confirm root user password').fill(rootPassword);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Account created')).toBeVisible();
  accountId = (await page.getByTestId('new-account-id').innerText()).replace(/-/g, '');
  expect(accountId).toMatch(/^\d{12}$/);
  await expect(page.getByText(`http://127.0.0.1:3100/signin/${alias}`)).toBeVisible();
  await page.screenshot({ path: 'screenshots/setup-done.png', fullPage: true });

  // The link works once.
  await page.goto(link!);
  await expect(page.getByText('Setup is already complete')).toBeVisible();

  await signInAsRoot(page);
  await expect(page.getByTestId('account-id')).toHaveText(grouped(accountId));
  await expect(page.getByTestId('account-alias')).toHaveText(alias);
  await expect(page.getByTestId('whoami')).toHaveText(`${rootEmail} @ ${alias} (${grouped(accountId)})`);
  await hydrated(page);
  await page.screenshot({ path: 'screenshots/dashboard-root.png', fullPage: true });
});

test('an IAM user signs in on the account alias URL and reaches the dashboard', async ({ page }) => {
  const user = `alice-${run}`;
  const password = `alice passphrase ${run}`;
  gatehouse(['user', 'create', '--account', alias, '--name', user, '--password-stdin'], `${password}\n`);

  await page.goto(`/signin/${alias}`);
  await hydrated(page);
  await expect(page.getByLabel('Account ID (12 digits) or account alias')).toHaveValue(alias);
  await page.screenshot({ path: 'screenshots/signin.png', fullPage: true });
  await page.getByLabel('IAM user name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL('/');
  await expect(page.getByTestId('whoami')).toHaveText(`${user} @ ${alias} (${grouped(accountId)})`);
  await expect(page.getByTestId('account-id')).toHaveText(grouped(accountId));
  await expect(page.getByTestId('signin-url')).toHaveText(`http://127.0.0.1:3100/signin/${alias}`);
  await expect(page.getByRole('navigation', { name: 'Identity and Access Management' }).getByRole('link')).toHaveText(['Dashboard', 'User groups', 'Users', 'Policies', 'Account settings', 'Policy simulator', 'Event history', 'Credential report']);
  await page.screenshot({ path: 'screenshots/dashboard-user.png', fullPage: true });
});

test('a wrong password gets the generic error and no session', async ({ page }) => {
  await page.goto('/signin');
  await hydrated(page);
  await page.getByLabel('Account ID (12 digits) or account alias').fill(accountId);
  await page.getByLabel('IAM user name').fill(`alice-${run}`);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Your authentication information is incorrect. Please try again.');
  await expect(page).toHaveURL('/signin');
  await page.screenshot({ path: 'screenshots/signin-error.png', fullPage: true });
  await page.goto('/');
  await expect(page).toHaveURL('/signin');
});

test('signing out ends the session', async ({ page }) => {
  await signInAsRoot(page);
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL('/signin');
  await expect(page.getByRole('heading', { name: 'Sign in as IAM user' })).toBeVisible();
  await page.goto('/');
  await expect(page).toHaveURL('/signin');
});

test('the sign-in page reads well on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/signin');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeInViewport();
  await page.screenshot({ path: 'screenshots/signin-phone.png', fullPage: true });
});
