/**
 * The reference web client in two real browsers (Debian's Chromium driven by playwright-core)
 * against the real services: two people sign up, open their direct room and chat live; one of
 * them loses the network and its socket, misses messages and an edit, comes back, and sees
 * every missed event once and in order, without reloading. Access tokens are short-lived here,
 * so both pages also renew them and move their socket to the new one while all this goes on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@aether/common';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startWebServer, type RunningWebServer } from '../clients/web/server/src/server';
import { gql, startStack, type Stack } from './harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DIST = join(repoRoot, 'clients', 'web', 'dist');
const SCREENSHOT_DIR = join(repoRoot, 'test-results');
// Without the background-networking flags Chromium keeps calling home, which a closed network refuses.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Records every WebSocket the page opens, so the test can cut them as a network drop would. */
function trackSockets(): void {
  const w = window as unknown as { WebSocket: typeof WebSocket; __sockets: WebSocket[] };
  const Native = w.WebSocket;
  w.__sockets = [];
  w.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      w.__sockets.push(this);
    }
  };
}

interface Person {
  name: string;
  username: string;
  context: BrowserContext;
  page: Page;
  dir: string;
}

async function openBrowser(name: string, viewport: { width: number; height: number }): Promise<Person> {
  const dir = mkdtempSync(join(tmpdir(), 'aether-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
    timeout: 30_000,
  });
  await context.addInitScript(trackSockets);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  if (process.env.TEST_LOGS === '1') {
    page.on('console', (m) => process.stdout.write(`[${name} console] ${m.text()}\n`));
    page.on('pageerror', (e) => process.stdout.write(`[${name} pageerror] ${e.message}\n`));
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => process.stdout.write(`[${name} ws>] ${String(f.payload).slice(0, 300)}\n`));
      ws.on('framereceived', (f) => process.stdout.write(`[${name} ws<] ${String(f.payload).slice(0, 300)}\n`));
      ws.on('close', () => process.stdout.write(`[${name} ws closed]\n`));
    });
  }
  const username = `${name.toLowerCase()}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  return { name, username, context, page, dir };
}

async function signUp(person: Person, url: string): Promise<void> {
  const { page } = person;
  await page.goto(url);
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Email').fill(`${person.username}@example.test`);
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Display name').fill(person.name);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function openDirectRoom(person: Person, other: Person): Promise<void> {
  await person.page.getByLabel('Message a user').fill(other.username);
  await person.page.getByRole('button', { name: 'Open', exact: true }).click();
  await person.page.getByRole('heading', { name: other.name }).waitFor();
}

async function send(person: Person, text: string): Promise<void> {
  const box = person.page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
  await person.page.getByRole('log').getByText(text, { exact: true }).waitFor();
}

/** The message texts the person sees in the open room, top to bottom. */
const shown = (person: Person) => person.page.locator('[role=log] .message__body').allTextContents();

/** Waits until the person sees exactly `expected`, then asserts it (so a failure shows both lists). */
async function expectShown(person: Person, expected: string[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = await shown(person);
  while (Date.now() < deadline && JSON.stringify(seen) !== JSON.stringify(expected)) {
    await person.page.waitForTimeout(100);
    seen = await shown(person);
  }
  expect(seen).toEqual(expected);
}

describe('web client in two browsers', () => {
  let stack: Stack;
  let web: RunningWebServer;
  let url: string;
  const people: Person[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
    if (!existsSync(join(DIST, 'index.html'))) {
      execFileSync('npm', ['run', 'build', '-w', '@aether/web'], { cwd: repoRoot, stdio: 'inherit' });
    }
    // Access tokens live 20 s, so each page renews its token (and moves its socket to it) every few seconds during the test.
    stack = await startStack({ env: { ACCESS_TOKEN_TTL: '20' } });
    web = await startWebServer({ host: '127.0.0.1', port: 0, gatewayUrl: stack.gatewayUrl, gatewayPort: 0, distDir: DIST });
    url = `http://127.0.0.1:${web.port}/`;
  }, 120_000);

  afterAll(async () => {
    for (const person of people) {
      await person.context.close().catch(() => undefined);
      rmSync(person.dir, { recursive: true, force: true });
    }
    await web?.stop();
    await stack?.stop();
  });

  it('ships a bundle with no secret, credential or server-side address in it', () => {
    const files = readdirSync(join(DIST, 'assets')).map((name) => readFileSync(join(DIST, 'assets', name), 'utf8'));
    for (const text of files) {
      expect(text).not.toMatch(/PRIVATE KEY|GATEWAY_SECRET|SERVICE_TOKEN|JWT_PRIVATE_KEY|postgres:\/\/|redis:\/\/|mongodb:\/\//);
    }
  });

  it('delivers messages live, after a lost connection every missed event once and in order, and after a reload pages back through the history', async () => {
    const alice = await openBrowser('Alice', { width: 1100, height: 720 });
    people.push(alice);
    const bob = await openBrowser('Bob', { width: 390, height: 760 });
    people.push(bob);
    await Promise.all([signUp(alice, url), signUp(bob, url)]);

    await openDirectRoom(alice, bob);
    await openDirectRoom(bob, alice);

    await send(alice, 'Hello Bob');
    await expectShown(bob, ['Hello Bob']);
    await send(bob, 'Hi Alice');
    await expectShown(alice, ['Hello Bob', 'Hi Alice']);

    await bob.page.locator('[role=log] li').filter({ hasText: 'Hello Bob' }).getByRole('button', { name: 'React with 👍' }).click();
    await alice.page.locator('[role=log] li').filter({ hasText: 'Hello Bob' }).getByRole('button', { name: /^👍 1/ }).waitFor();

    await bob.page.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('wait');
    await alice.page.getByRole('status').filter({ hasText: 'Bob is typing…' }).waitFor();
    await bob.page.getByRole('textbox', { name: 'Message', exact: true }).fill('');

    // Bob's network goes away, and with it his socket.
    await bob.context.setOffline(true);
    const cut = await bob.page.evaluate(() => {
      const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets.filter((s) => s.readyState === WebSocket.OPEN);
      sockets.forEach((s) => s.close());
      return sockets.length;
    });
    expect(cut).toBe(1);

    await send(alice, 'missed 1');
    await send(alice, 'missed 2');
    await send(alice, 'missed 3');
    const second = alice.page.locator('[role=log] li').filter({ hasText: 'missed 2' });
    await second.getByRole('button', { name: 'Edit' }).click();
    await alice.page.getByLabel('Edit message').fill('missed 2, edited');
    await alice.page.getByLabel('Edit message').press('Enter');
    await alice.page.getByRole('log').getByText('missed 2, edited').waitFor();

    // Offline, Bob has not seen any of it.
    await bob.page.waitForTimeout(1_000);
    expect(await shown(bob)).toEqual(['Hello Bob', 'Hi Alice']);

    await bob.context.setOffline(false);
    await expectShown(bob, ['Hello Bob', 'Hi Alice', 'missed 1', 'missed 2, edited', 'missed 3']);
    // One socket again, not one per attempt left open.
    const open = await bob.page.evaluate(
      () => (window as unknown as { __sockets: WebSocket[] }).__sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
    );
    expect(open).toBe(1);

    // Live again, both ways.
    await send(bob, 'Back online');
    await expectShown(alice, ['Hello Bob', 'Hi Alice', 'missed 1', 'missed 2, edited', 'missed 3', 'Back online']);

    // On the phone, the room list shows what arrives while another screen is open. Bob saw
    // 'Still there?' in the room, and the read mark for it (sent at most once a second) may
    // still be pending when he leaves: it must not take 'Are you there?' along.
    await send(alice, 'Still there?');
    await expectShown(bob, ['Hello Bob', 'Hi Alice', 'missed 1', 'missed 2, edited', 'missed 3', 'Back online', 'Still there?']);
    await bob.page.getByRole('button', { name: 'Back to conversations' }).click();
    await send(alice, 'Are you there?');
    const badge = bob.page.getByRole('navigation', { name: 'Rooms' }).getByLabel('1 unread');
    await badge.waitFor();
    await bob.page.waitForTimeout(1_500);
    expect(await badge.count()).toBe(1);
    const bobLogin = await gql(stack.gatewayUrl, 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { login: bob.username, password: 'correct horse battery' },
    });
    const unread = await gql(stack.gatewayUrl, '{ myRooms { unreadCount } }', {}, { token: bobLogin.data!.login.accessToken as string });
    expect(unread.data!.myRooms).toEqual([{ unreadCount: 1 }]);

    // Both pages renew their access token (at the latest 5 s after the last one) and reopen their
    // socket with it, one socket at a time.
    await alice.page.waitForFunction(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.length > 1, undefined, { timeout: 20_000 });
    const sockets = await alice.page.evaluate(() => {
      const all = (window as unknown as { __sockets: WebSocket[] }).__sockets;
      return { opened: all.length, open: all.filter((s) => s.readyState === WebSocket.OPEN).length };
    });
    expect(sockets.opened).toBeGreaterThan(1);
    expect(sockets.open).toBe(1);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'web-room-desktop.png') });
    await bob.page.getByRole('navigation', { name: 'Rooms' }).getByRole('button').first().click();
    await expectShown(bob, ['Hello Bob', 'Hi Alice', 'missed 1', 'missed 2, edited', 'missed 3', 'Back online', 'Still there?', 'Are you there?']);
    await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'web-room-phone.png') });

    // A long history: a reload keeps Alice signed in, shows the newest page, and pages back to the start.
    const roomId = decodeURIComponent(new URL(alice.page.url()).hash.replace('#/rooms/', ''));
    const login = await gql(stack.gatewayUrl, 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { login: bob.username, password: 'correct horse battery' },
    });
    const token = login.data!.login.accessToken as string;
    const history = Array.from({ length: 40 }, (_, i) => `history ${i + 1}`);
    for (const body of history) {
      await gql(stack.gatewayUrl, 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }', { i: { roomId, body } }, { token });
    }
    const everything = ['Hello Bob', 'Hi Alice', 'missed 1', 'missed 2, edited', 'missed 3', 'Back online', 'Still there?', 'Are you there?', ...history];
    await expectShown(alice, everything);
    await alice.page.reload();
    await expectShown(alice, everything.slice(-30));
    await alice.page.getByRole('button', { name: 'Load earlier messages' }).click();
    await expectShown(alice, everything);
    expect(await alice.page.getByRole('button', { name: 'Load earlier messages' }).count()).toBe(0);
  }, 90_000);
});
