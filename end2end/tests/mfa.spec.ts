import { expect, test, type Browser, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { gatehouse, hydrated } from './helpers';

// Multi-factor authentication, on an account of its own: root creates a user who must choose a
// new password and who is under AWS's force-MFA policy. The user signs in, changes the password,
// is led to assign an MFA device, reads the secret key off the page and computes the codes here
// (RFC 6238), then signs out and in again with a code, and creates, downloads, deactivates and
// deletes an access key. Root removes the device on the user's page and downloads the credential
// report.
test.describe.configure({ mode: 'serial' });

const run = Date.now().toString(36);
const alias = `mfa-${run}`;
const rootEmail = `mfa-root-${run}@example.com`;
const rootPassword = `mfa root passphrase ${run}`;
const user = `mfa-user-${run}`;
let firstPassword = '';
const chosenPassword = `my mfa passphrase ${run}`;
let secretKey = '';

mkdirSync('screenshots', { recursive: true });

/** Base32 (RFC 4648) as authenticator apps read a secret key. */
function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of text.replace(/\s+/g, '')) {
    const value = alphabet.indexOf(c);
    if (value < 0) throw new Error(`not base32: ${c}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The TOTP code (SHA-1, 6 digits, 30 s) for the step `offset` steps from now. */
function totp(secret: string, offset = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

/** Waits, if needed, until the current 30 s step has at least `margin` seconds left. */
async function awayFromStepEnd(margin = 5) {
  const left = 30 - ((Date.now() / 1000) % 30);
  if (left < margin) await new Promise((r) => setTimeout(r, (left + 0.5) * 1000));
}

async function go(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

async function passwordStep(browser: Browser, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await go(page, `/signin/${alias}`);
  await page.getByLabel('IAM user name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

test.beforeEach(({ context }) => {
  context.on('console', (m) => {
    if (m.type() === 'error') console.log('browser console error:', m.text());
  });
  context.on('weberror', (e) => console.log('browser page error:', e.error().message));
});

test.beforeAll(() => {
  const out = gatehouse(['account', 'create', '--alias', alias, '--root-email', rootEmail, '--password-stdin', '--json'], `${rootPassword}\n`);
  expect(JSON.parse(out).accountId).toMatch(/^\d{12}$/);
});

test('root creates a user who must change the password, under the force-MFA policy', async ({ page }) => {
  await go(page, '/root-signin');
  await page.getByLabel('Root user email address').fill(rootEmail);
  await page.getByLabel('Password').fill(rootPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'IAM Dashboard' })).toBeVisible();

  await go(page, '/users/create');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel(/Provide user access to the Gatehouse console/).check();
  await expect(page.getByLabel(/Users must create a new password at next sign-in/)).toBeChecked();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radio', { name: /Attach policies directly/ }).check();
  await page.getByRole('checkbox', { name: /IAMSelfManageCredentialsWithMFA/ }).check();
  await page.getByRole('checkbox', { name: /IAMReadOnlyAccess/ }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText('User created successfully')).toBeVisible();
  await page.getByText('Show', { exact: true }).click();
  firstPassword = await page.getByTestId('created-password').innerText();
  expect(firstPassword.length).toBeGreaterThanOrEqual(16);
});

test('the user changes the password, is led to assign an MFA device, and assigns one', async ({ browser }) => {
  const page = await passwordStep(browser, firstPassword);
  await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Old password').fill(firstPassword);
  await page.getByLabel('New password', { exact: true }).fill(chosenPassword);
  await page.getByLabel('Retype new password').fill(chosenPassword);
  await page.getByRole('button', { name: 'Confirm password change' }).click();

  // The force-MFA policy denies everything else without MFA: straight to enrolment.
  await expect(page.getByRole('heading', { name: 'My security credentials' })).toBeVisible();
  await expect(page.getByTestId('mfa-required')).toBeVisible();
  await expect(page.getByTestId('no-mfa')).toBeVisible();
  await page.screenshot({ path: 'screenshots/mfa-required.png', fullPage: true });
  // Read-only access is of no use before MFA.
  await go(page, '/users');
  await expect(page.getByText('is not authorized to perform: iam:ListUsers')).toBeVisible();
  await go(page, '/security-credentials');

  await page.locator('summary', { hasText: 'Assign MFA device' }).click();
  await page.getByLabel('Device name').fill('my phone');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText(/The device name must be 1 to 64 letters/)).toBeVisible();
  await page.getByLabel('Device name').fill(`${user}-phone`);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('img', { name: 'QR code of the MFA device' })).toBeVisible();
  await page.getByText('Show secret key').click();
  secretKey = await page.getByTestId('mfa-secret').innerText();
  expect(secretKey).toMatch(/^[A-Z2-7]{32}$/);
  await page.screenshot({ path: 'screenshots/mfa-assign.png', fullPage: true });

  const add = page.getByRole('form', { name: 'Add MFA' });
  // Two codes that are not consecutive are refused.
  await awayFromStepEnd();
  await add.getByLabel('MFA code 1').fill(totp(secretKey, -3));
  await add.getByLabel('MFA code 2').fill(totp(secretKey, 0));
  await add.getByRole('button', { name: 'Add MFA' }).click();
  await expect(page.getByText(/The MFA codes are not valid/)).toBeVisible();
  await awayFromStepEnd();
  await add.getByLabel('MFA code 1').fill(totp(secretKey, -1));
  await add.getByLabel('MFA code 2').fill(totp(secretKey, 0));
  await add.getByRole('button', { name: 'Add MFA' }).click();
  await expect(page.getByText('The MFA device was assigned.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'MFA devices' })).toContainText(`${user}-phone`);
  await page.screenshot({ path: 'screenshots/mfa-assigned.png', fullPage: true });

  // The session proved the device: the rest of the console opens.
  await go(page, '/users');
  await expect(page.getByRole('link', { name: user })).toBeVisible();
  await expect(page.getByText('is not authorized to perform')).toHaveCount(0);
  await page.context().close();
});

test('signing in again asks for an MFA code after the password', async ({ browser }) => {
  const page = await passwordStep(browser, chosenPassword);
  await expect(page.getByRole('heading', { name: 'Multi-factor authentication' })).toBeVisible();
  await hydrated(page);
  // Nothing else is reachable before the code.
  await go(page, '/users');
  await expect(page.getByRole('heading', { name: 'Multi-factor authentication' })).toBeVisible();
  await page.getByLabel('MFA code').fill('000000');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('Your authentication information is incorrect.')).toBeVisible();
  await page.screenshot({ path: 'screenshots/mfa-sign-in.png', fullPage: true });
  // The code of the step that enrolment used is spent; wait for a fresh one.
  await new Promise((r) => setTimeout(r, (30 - ((Date.now() / 1000) % 30) + 0.5) * 1000));
  await page.getByLabel('MFA code').fill(totp(secretKey, 0));
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByTestId('whoami')).toContainText(user);
  await go(page, '/users');
  await expect(page.getByRole('link', { name: user })).toBeVisible();

  // Signed in with MFA, the user creates an access key: the secret is shown this once.
  await go(page, '/security-credentials');
  // Their own groups and a check of their own permissions, which need no permission.
  await expect(page.getByTestId('my-groups')).toContainText('You are not in any user group');
  await expect(page.getByRole('form', { name: 'Check effective permissions' })).toBeVisible();
  const panel = page.getByTestId('access-keys-panel');
  await expect(panel.getByTestId('no-access-keys')).toBeVisible();
  // A key of one's own needs one's password again.
  await panel.locator('summary', { hasText: 'Create access key' }).click();
  const createForm = page.getByRole('form', { name: 'Create access key' });
  await createForm.getByLabel('Password').fill('not my password');
  await createForm.getByRole('button', { name: 'Create access key' }).click();
  await expect(panel.getByRole('alert')).toContainText('password');
  await createForm.getByLabel('Password').fill(chosenPassword);
  await createForm.getByRole('button', { name: 'Create access key' }).click();
  const created = page.getByTestId('new-access-key');
  await expect(created).toContainText('This is the only time that the secret access key can be viewed or downloaded.');
  const keyId = await created.getByTestId('new-access-key-id').innerText();
  expect(keyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
  await created.getByText('Show', { exact: true }).click();
  const secret = await created.getByTestId('new-secret-access-key').innerText();
  expect(secret).toMatch(/^[A-Za-z0-9+/]{40}$/);
  await page.screenshot({ path: 'screenshots/access-key-created.png', fullPage: true });
  const downloading = page.waitForEvent('download');
  await created.getByRole('link', { name: 'Download .csv file' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${user}_accessKeys.csv`);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv).toBe(`Access key ID,Secret access key\n${keyId},${secret}\n`);

  const keys = panel.getByRole('table', { name: 'Access keys' });
  await expect(keys).toContainText(keyId);
  await expect(keys).toContainText('Active');
  // After a reload the secret is gone for good.
  await go(page, '/security-credentials');
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(keys).toContainText(keyId);
  // An active key cannot be deleted; deactivated, it can, once its ID is typed.
  await expect(keys.locator('summary', { hasText: 'Delete' })).toHaveCount(0);
  await keys.getByRole('button', { name: 'Deactivate' }).click();
  await expect(keys).toContainText('Inactive');
  await keys.locator('summary', { hasText: 'Delete' }).click();
  const confirm = page.getByRole('form', { name: `Delete ${keyId}` });
  await confirm.getByLabel('To confirm deletion, enter the access key ID').fill('not the id');
  await confirm.getByRole('button', { name: 'Delete access key' }).click();
  await expect(panel.getByRole('alert')).toContainText(`To confirm deletion, enter the access key ID ${keyId}.`);
  await expect(keys).toContainText(keyId);
  await page.screenshot({ path: 'screenshots/access-key-delete.png', fullPage: true });
  // A refused deletion leaves the form open for another try.
  await confirm.getByLabel('To confirm deletion, enter the access key ID').fill(keyId);
  await confirm.getByRole('button', { name: 'Delete access key' }).click();
  await expect(panel.getByTestId('no-access-keys')).toBeVisible();
  await page.context().close();
});

test('root sees the device on the user page and removes it; the user signs in without a code', async ({ page, browser }) => {
  await go(page, '/root-signin');
  await page.getByLabel('Root user email address').fill(rootEmail);
  await page.getByLabel('Password').fill(rootPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'IAM Dashboard' })).toBeVisible();
  await go(page, `/users/${user}?tab=security_credentials`);
  const devices = page.getByRole('table', { name: 'MFA devices' });
  await expect(devices).toContainText(`${user}-phone`);
  await page.screenshot({ path: 'screenshots/user-mfa-devices.png', fullPage: true });
  await devices.locator('summary', { hasText: 'Remove' }).click();
  await page.getByRole('form', { name: `Remove ${user}-phone` }).getByRole('button', { name: 'Remove MFA device' }).click();
  await expect(page.getByTestId('no-mfa')).toBeVisible();

  // The credential report: AWS's CSV, root first, the user without MFA now and with no keys.
  await page.getByRole('link', { name: 'Credential report' }).click();
  await expect(page.getByRole('heading', { name: 'Credential report' })).toBeVisible();
  await hydrated(page);
  await page.screenshot({ path: 'screenshots/credential-report.png', fullPage: true });
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download credentials report' }).click();
  const report = readFileSync(await (await downloading).path(), 'utf8').trim().split('\n');
  expect(report[0]).toBe(
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,' +
      'mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,' +
      'access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,' +
      'access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated',
  );
  expect(report[1]).toMatch(/^<root_account>,arn:aws:iam::\d{12}:root,/);
  const row = report.find((line) => line.startsWith(`${user},`))!.split(',');
  expect(row[3]).toBe('true');
  expect(row[7]).toBe('false');
  expect(row[8]).toBe('false');
  await go(page, '/credential-report');
  await expect(page.getByTestId('report-generated')).toContainText('UTC');

  const userPage = await passwordStep(browser, chosenPassword);
  // No device any more, and the force-MFA policy leads to enrolment again.
  await expect(userPage.getByTestId('mfa-required')).toBeVisible();
});
