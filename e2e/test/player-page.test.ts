/** @module The demo's player page in Chromium: what a newcomer sees — the stream playing, zone and origin, ad breaks, live and the blackout viewer. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { E2E_MEDIA, stackLog } from '../src/fixtures.ts';

const text = (page: Page, id: string): Promise<string> => page.locator(`#${id}`).innerText();

describe('the demo player page', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const home = mkdtempSync(join(tmpdir(), 'meridian-e2e-page-'));
  const pageErrors: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ media: E2E_MEDIA, live: true, log: stackLog().log });
    // playwright closes the browser it launched (and only it) in afterAll.
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS],
      env: { ...process.env, HOME: home },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(stack.player);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('plays VOD through the edge and shows the zone, the region of each segment and the three ad breaks', async () => {
    await page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).currentTime > 2, undefined, { timeout: 60_000 });
    expect(await text(page, 'zone')).toMatch(/^edge /);
    expect(await text(page, 'origin')).toMatch(/^region-1 \(segment \d+\)/);
    expect(await text(page, 'level')).toMatch(/^\d+p @ \d+ kb\/s$/);
    const breaks = await page.locator('#breaks tr.ad').allInnerTexts();
    expect(breaks).toHaveLength(3);
    for (const [i, row] of breaks.entries()) expect(row).toMatch(new RegExp(`^b${i}\\s.*\\sads\\s+meridian-ad \\(${stack.adSeconds}s\\)`));
    expect(pageErrors).toEqual([]);
  });

  it('switches to the live channel: a zone serves the live playlists and the video plays', async () => {
    await page.selectOption('#content', 'live');
    await page.waitForFunction(() => /\(media playlist/.test(document.getElementById('zone')!.textContent ?? ''), undefined, { timeout: 60_000 });
    const zones = stack.zones.map((z) => z.id);
    expect(zones).toContain((await text(page, 'zone')).split(' ')[0]);
    await page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).currentTime > 2, undefined, { timeout: 60_000 });
    expect(pageErrors).toEqual([]);
  });

  it('plays the blackout example as a viewer in the chosen country', async () => {
    await page.selectOption('#country', 'ZZ');
    await page.click('#blackoutPlay');
    await page.waitForFunction(() => (document.getElementById('video2') as HTMLVideoElement).currentTime > 1, undefined, { timeout: 60_000 });
    expect(await text(page, 'blackoutState')).toBe(`playing as a viewer in ZZ through ${stack.zones[0]!.id}`);
    expect(pageErrors).toEqual([]);
  });
});
