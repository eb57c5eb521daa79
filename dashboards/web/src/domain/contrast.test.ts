import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contrastRatio, minGraphicContrast, minTextContrast } from './contrast.js';

const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'app.css'), 'utf8');

/** The custom properties of one rule block of app.css. */
function variables(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start === -1) throw new Error(`app.css has no '${selector}' block`);
  const block = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...block.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]));
}

const light = variables(':root');
const palettes = { light, dark: { ...light, ...variables(":root[data-theme='dark']") } };
/** Colours that draw data on the cards: each must stand out from the card (graphics, 3:1). */
const dataColours = Object.keys(light).filter((v) => v.startsWith('--c-') || v === '--compare');

describe.each(Object.entries(palettes))('the %s palette', (_theme, p) => {
  const v = (name: string) => p[name] ?? '';

  it.each([
    ['--text', '--bg'],
    ['--text', '--card'],
    ['--muted', '--card'],
    ['--muted', '--bg'],
    ['--accent', '--card'],
    ['--text', '--warn-bg'],
    ['--text', '--error-bg'],
    // The alert banner's text and the alert spans' labels on the charts.
    ['--text', '--alert-bg'],
    ['--c-alert', '--card'],
  ])('gives text %s on %s at least 4.5:1', (fg, bg) => {
    expect({ fg, bg, ratio: contrastRatio(v(fg), v(bg)) >= minTextContrast }).toEqual({
      fg,
      bg,
      ratio: true,
    });
  });

  it('draws every series, bar and heatmap colour at least 3:1 against the card', () => {
    const weak = dataColours
      .map((name) => ({ name, ratio: Math.round(contrastRatio(v(name), v('--card')) * 100) / 100 }))
      .filter((c) => c.ratio < minGraphicContrast);
    expect(weak).toEqual([]);
  });
});

describe('contrastRatio', () => {
  it('answers 21 for black on white and 1 for equal colours, as WCAG defines', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
    expect(() => contrastRatio('red', '#ffffff')).toThrow("colour must be #rrggbb, got 'red'");
  });
});
