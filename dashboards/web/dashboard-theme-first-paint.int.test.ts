import type { Page, Route } from 'playwright-core';
import { securityHeaders } from '../../workers/shared/http/security-headers.js';
import { saveScreenshot } from './testing/dashboard-harness.js';
import { startRealDashboard, type RealDashboard } from './testing/real-dashboard-harness.js';

/** The palettes' page backgrounds (app.css `--bg`). */
const DARK_BG = 'rgb(13, 17, 23)';

interface FirstFrame {
  theme: string | null;
  background: string;
}

/**
 * Records, from the document's first moment, what the first frame that has a <body> shows: requestAnimationFrame
 * callbacks run right before their frame is painted.
 */
function recordFirstFrame(): void {
  const w = window as unknown as { firstFrame?: FirstFrame };
  const onFrame = () => {
    if (!document.body) return void requestAnimationFrame(onFrame);
    w.firstFrame = {
      theme: document.documentElement.dataset['theme'] ?? null,
      background: getComputedStyle(document.documentElement).backgroundColor,
    };
  };
  requestAnimationFrame(onFrame);
}

/**
 * The dark theme is applied before the first paint, under the CSP that allows no inline script (issue #19, ADR
 * 0095): Chromium against the real query server, with the app's module held back, so every frame painted before
 * the app runs is one a user would see.
 */
describe('theme before the first paint (Chromium, real query server)', () => {
  let d: RealDashboard;

  beforeAll(async () => {
    d = await startRealDashboard([], Date.now());
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  /** Opens the page with the app module held until `release()`; `setUp` runs before the page loads. */
  const openHeld = async (setUp: (page: Page) => Promise<void>) => {
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    const refused: string[] = [];
    const page = await d.open({
      token: null,
      waitUntil: 'commit',
      beforeLoad: async (p) => {
        await setUp(p);
        await p.addInitScript(recordFirstFrame);
        p.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
        });
        await p.route(/\/app-[^/]*\.js$/, async (route: Route) => {
          await held;
          await route.continue();
        });
      },
    });
    return { page, release, refused };
  };

  /** The colour of one pixel of a screenshot, decoded by a canvas on a blank page of its own. */
  const pixel = async (page: Page, x: number, y: number) => {
    const png = (await page.screenshot()).toString('base64');
    const blank = await page.context().newPage();
    const rgb = await blank.evaluate(
      async ({ src, x, y }) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [img.width, img.height];
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
        return `rgb(${r}, ${g}, ${b})`;
      },
      { src: `data:image/png;base64,${png}`, x, y },
    );
    await blank.close();
    return rgb;
  };

  const beforeTheApp = async (page: Page) => {
    // The document is parsed (the last card is there) while the app's module still waits: nothing of the app ran.
    await page.waitForSelector('#card-client-errors', { state: 'attached' });
    await page.waitForFunction(() => (window as { firstFrame?: unknown }).firstFrame !== undefined);
    return page.evaluate(() => ({
      first: (window as unknown as { firstFrame: FirstFrame }).firstFrame,
      theme: document.documentElement.dataset['theme'] ?? null,
      background: getComputedStyle(document.documentElement).backgroundColor,
      readyState: document.readyState,
    }));
  };

  it('paints a dark page dark from the first frame when the user picked dark, without an inline script', async () => {
    const { page, release, refused } = await openHeld(async (p) => {
      await p.addInitScript(() => localStorage.setItem('gravix.theme', 'dark'));
    });
    const seen = await beforeTheApp(page);
    expect(seen.readyState).not.toBe('complete');
    expect(seen.first).toEqual({ theme: 'dark', background: DARK_BG });
    expect([seen.theme, seen.background]).toEqual(['dark', DARK_BG]);
    // What is on screen before the app runs (a spot of page background at the bottom right).
    const size = page.viewportSize()!;
    expect(await pixel(page, size.width - 3, size.height - 3)).toBe(DARK_BG);
    await saveScreenshot(page, 'theme-first-paint-dark');
    release();
    await page.waitForFunction(
      () => (document.querySelector('#theme-select') as HTMLSelectElement).value === 'dark',
    );
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    // The CSP is unchanged (no 'unsafe-inline', no hash) and refused nothing.
    const policy = (await page.request.get(d.url)).headers()['content-security-policy'];
    expect(policy).toBe(securityHeaders['Content-Security-Policy']);
    expect(policy).toContain("script-src 'self';");
    expect(refused).toEqual([]);
  });

  it('follows a dark system preference from the first frame, and a light pick over it', async () => {
    const system = await openHeld((p) => p.emulateMedia({ colorScheme: 'dark' }));
    expect((await beforeTheApp(system.page)).first).toEqual({ theme: 'dark', background: DARK_BG });
    system.release();

    const picked = await openHeld(async (p) => {
      await p.emulateMedia({ colorScheme: 'dark' });
      await p.addInitScript(() => localStorage.setItem('gravix.theme', 'light'));
    });
    const seen = await beforeTheApp(picked.page);
    expect(seen.first.theme).toBe('light');
    expect(seen.first.background).not.toBe(DARK_BG);
    picked.release();
  });
});
