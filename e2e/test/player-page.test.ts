/** @module The demo's player page in Chromium: what a newcomer sees — the stream playing, zone and origin, stitched and interstitial ad breaks, live and the blackout viewer. */
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

  const waitText = (id: string, pattern: RegExp, timeoutMs = 60_000) =>
    page.waitForFunction(
      ([el, source]) => new RegExp(source).test(document.getElementById(el)!.textContent ?? ''),
      [id, pattern.source] as const,
      { timeout: timeoutMs },
    );
  const marks = () => page.locator('#timeline .mark').evaluateAll((els) => els.map((e) => (e as HTMLElement).title));
  const currentRow = () => page.locator('#breaks tr.now').allInnerTexts();
  /** Waits until the tracking table highlights `breakId` as the break playing (the table loads beside the player). */
  const waitRow = (breakId: string) =>
    page.waitForFunction(
      (id) =>
        Array.from(document.querySelectorAll('#breaks tr.now'))
          .map((r) => (r as HTMLElement).dataset.availId)
          .join() === id,
      breakId,
      { timeout: 30_000 },
    );
  const fmt = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

  it('plays VOD with stitched ads through the edge and shows the zones, the region of each segment, the breaks on the timeline and the ad playing', async () => {
    await waitText('currentAd', /^ad b0 · meridian-ad \(stitched\)/);
    await waitRow('b0');
    await page.waitForFunction(
      () => (document.getElementById('video') as HTMLVideoElement).currentTime > 2,
      undefined,
      { timeout: 60_000 },
    );
    expect(await text(page, 'zone')).toBe('edge (master)');
    // The edge forwards ad sessions' media playlists to a zone, which names itself.
    const media = await text(page, 'mediaZone');
    expect(stack.zones.map((z) => z.id)).toContain(media.split(' ')[0]);
    expect(media).toMatch(/edge tried \S+:200/);
    expect(await text(page, 'origin')).toMatch(/^region-1 \(segment \d+\)/);
    expect(await text(page, 'level')).toMatch(/^\d+p @ \d+ kb\/s$/);
    expect(await text(page, 'session')).toMatch(/\(mode stitched, viewer country US\)$/);
    const breaks = await page.locator('#breaks tr.ad').allInnerTexts();
    expect(breaks).toHaveLength(3);
    for (const [i, row] of breaks.entries())
      expect(row).toMatch(new RegExp(`^b${i}\\s.*\\sads\\s+meridian-ad \\(${stack.adSeconds}s\\)`));
    // Stitched ads sit on the stream's timeline after the ads before them (read from the playlist's DATERANGEs).
    expect(await marks()).toEqual(
      stack.breakOffsetsSeconds.map(
        (o, i) => `b${i}: meridian-ad ${fmt(o + i * stack.adSeconds)}–${fmt(o + (i + 1) * stack.adSeconds)}`,
      ),
    );
    await waitText('currentAd', /^content /, 30_000);
    expect(await currentRow()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('plays the same VOD as HLS Interstitials: the breaks are points on the content timeline and hls.js plays each ad in turn', async () => {
    await page.selectOption('#mode', 'interstitials');
    await waitText('session', /\(mode interstitials, /);
    await waitText('currentAd', /^ad b0 · b0-\S+ \(interstitial\) · [\d.]+ s left$/);
    await waitRow('b0');
    expect(await text(page, 'timelineNote')).toMatch(
      new RegExp(`^${fmt(stack.contentSeconds)} of content with 3 interstitial breaks scheduled by hls\\.js`),
    );
    expect((await marks()).map((m) => m.split(',')[0])).toEqual(
      stack.breakOffsetsSeconds.map((o, i) => `b${i}: at ${fmt(o)} of the content`),
    );
    await waitText('currentAd', /^content /, 30_000);
    // The first mid-roll comes once the content reaches its offset.
    await waitText('currentAd', /^ad b1 · b1-\S+ \(interstitial\)/, 60_000);
    await waitRow('b1');
    expect(await text(page, 'origin')).toMatch(/^region-1 \((ad b\d )?segment \d+\)/);
    expect(await text(page, 'state')).not.toMatch(/^fatal/);
    expect(pageErrors).toEqual([]);
  });

  it('switches to the live channel: a zone serves the live playlists, the video plays, and the ad stitched into a SCTE-35 break shows as playing with its tracking row', async () => {
    await page.selectOption('#content', 'live');
    await waitText('mediaZone', /\((media|audio) playlist/);
    const zones = stack.zones.map((z) => z.id);
    expect(zones).toContain((await text(page, 'mediaZone')).split(' ')[0]);
    await page.waitForFunction(
      () => (document.getElementById('video') as HTMLVideoElement).currentTime > 2,
      undefined,
      { timeout: 60_000 },
    );
    expect(await marks()).toEqual([]);
    // The break playing is read from the window's DATERANGEs and matched to the tracking avail of the same start.
    const playing = await page.waitForFunction(
      () => {
        const m = /^ad (cue-\d+) · meridian-ad \(live, stitched\) · [\d.]+ s left$/.exec(
          document.getElementById('currentAd')!.textContent ?? '',
        );
        const row = document.querySelector('#breaks tr.now') as HTMLElement | null;
        return m && row?.dataset.availId === m[1] ? m[1] : null;
      },
      undefined,
      { timeout: 90_000 },
    );
    expect(await playing.jsonValue()).toMatch(/^cue-\d+$/);
    expect(await text(page, 'state')).not.toMatch(/^fatal/);
    expect(pageErrors).toEqual([]);
  });

  it('plays the blackout example as a viewer in the chosen country and says what the zone served that viewer', async () => {
    // This stack has no blackout rules: the page must say so, and show that the viewer got the content.
    expect(await text(page, 'blackoutRules')).toMatch(/^No BLACKOUT_RULES were given to the zones/);
    await page.selectOption('#country', 'ZZ');
    await page.click('#blackoutPlay');
    await page.waitForFunction(
      () => (document.getElementById('video2') as HTMLVideoElement).currentTime > 1,
      undefined,
      { timeout: 60_000 },
    );
    expect(await text(page, 'blackoutState')).toBe(
      `playing as a viewer in ZZ through ${stack.zones[0]!.id} (country in the session: ZZ)`,
    );
    const contentSegments = Math.ceil(stack.contentSeconds / E2E_MEDIA.segmentSeconds!);
    const adSegments = stack.breakOffsetsSeconds.length * Math.ceil(stack.adSeconds / E2E_MEDIA.segmentSeconds!);
    expect(await text(page, 'blackoutSegments')).toBe(
      `not blacked out: no segment replaced — this viewer's playlist has ${contentSegments} content, ${adSegments} ad and 0 other segments`,
    );
    expect(pageErrors).toEqual([]);
  });
});
