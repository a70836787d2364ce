import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ConversationsService } from '../../src/conversations/conversations.service';
import { type ChatTestApp, startChatApp } from './chat-test-app';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!existsSync(CHROMIUM)) {
  test.skip(`chat page in headless Chromium: ${CHROMIUM} is absent; install it with "apt-get update && apt-get install -y chromium"`, () => {});
} else {
  describe('the chat page at / in headless Chromium', () => {
    let chat: ChatTestApp;
    let profile: string;
    let browser: BrowserContext;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      [chat, profile] = await Promise.all([startChatApp(), mkdtemp(path.join(tmpdir(), 'hred-chat-chromium-'))]);
      browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
      page = browser.pages()[0] ?? (await browser.newPage());
      // Console errors include CSP violations: the page must work under its own Content-Security-Policy.
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      // Counts how often each reply's text changes: more than once means it streamed.
      await page.addInitScript(() => {
        const w = window as unknown as { textChanges: number };
        w.textChanges = 0;
        new MutationObserver((records) => {
          if (records.some((r) => (r.target as Element).closest?.('.reply .text') ?? r.target.parentElement?.closest('.reply .text'))) w.textChanges++;
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
    });
    afterAll(async () => {
      await browser?.close();
      await chat?.close();
      if (profile) await rm(profile, { recursive: true, force: true });
    });

    test('type a message, see the reply stream in, reload, see the history', async () => {
      await page.goto(chat.url);
      await page.getByLabel('Max tokens').fill('12');
      await page.getByRole('button', { name: 'Start new conversation' }).click();
      await page.getByRole('status').filter({ hasText: 'HRED' }).waitFor();

      await page.getByLabel(/^Message/).fill('hello there !');
      await page.getByLabel(/^Message/).press('Enter');
      const reply = page.locator('.reply[aria-busy="false"] .text');
      await reply.waitFor();
      const text = await reply.textContent();
      expect(text).not.toBe('');
      expect(await page.evaluate(() => (window as unknown as { textChanges: number }).textChanges)).toBeGreaterThan(1);
      const stored = await chat.db.prisma.turn.findFirst({ where: { speaker: 'bot' } });
      expect(stored?.text).toBe(text);

      await page.reload();
      await expect(page.locator('.user').textContent()).resolves.toBe('hello there !');
      await expect(page.locator('.reply .text').textContent()).resolves.toBe(text);
      await expect(page.getByLabel('Max tokens').inputValue()).resolves.toBe('12'); // the conversation's settings came back too
      expect(problems).toEqual([]);
    });

    // Issue 22: the resume ack carries the latest page of turns only; the page fetches the rest on request.
    test('a long conversation shows its latest turns, and the earlier ones on request', async () => {
      const conversations = chat.app.get(ConversationsService);
      const { id, resumeToken } = await conversations.start();
      for (let i = 0; i < 61; i++) {
        await conversations.appendTurn(id, i % 2 === 0 ? { speaker: 'user', text: `message ${i}` } : { speaker: 'bot', text: `reply ${i}`, replyId: `page-${id}-${i}`, finishReason: 'complete' });
      }
      await page.evaluate(([key, value]) => localStorage.setItem(key, value), ['hred-chat:conversation', JSON.stringify({ id, token: resumeToken, compare: false })]);
      await page.reload();
      await page.locator('.user', { hasText: 'message 60' }).waitFor();
      const earlier = page.getByRole('button', { name: 'Show earlier turns' });
      expect(await page.locator('.user', { hasText: /^message/ }).count()).toBe(25); // turns 11–60 (one page)
      await earlier.click();
      await page.locator('.user', { hasText: /^message 0$/ }).waitFor();
      expect(await page.locator('.user').allTextContents()).toEqual(Array.from({ length: 31 }, (_, i) => `message ${2 * i}`));
      expect(await page.locator('.reply .text').allTextContents()).toEqual(Array.from({ length: 30 }, (_, i) => `reply ${2 * i + 1}`));
      await expect(earlier.isHidden()).resolves.toBe(true);
      expect(problems).toEqual([]);
    });
  });
}
