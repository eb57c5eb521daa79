/** WCAG 2.1 contrast (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio) of two #rrggbb colours: 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [relativeLuminance(a), relativeLuminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

export function relativeLuminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new RangeError(`colour must be #rrggbb, got '${hex}'`);
  const [r, g, b] = match.slice(1).map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Text needs 4.5:1 (1.4.3); lines, bars and other graphics that carry meaning 3:1 (1.4.11). */
export const minTextContrast = 4.5;
export const minGraphicContrast = 3;
