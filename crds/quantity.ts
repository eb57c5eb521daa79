const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Bytes of a memory or storage quantity (`2Gi`, `500M`, `1e9`); undefined for what is not a plain size. */
export function parseQuantityBytes(quantity: string): number | undefined {
  const m = /^\+?([0-9]+(?:\.[0-9]*)?)(?:([kMGTPE]i?)|[eE]([0-9]+))?$/.exec(quantity);
  if (!m) return undefined;
  if (m[3] !== undefined) return Number(m[1]) * 10 ** Number(m[3]);
  const unit = UNITS[m[2] ?? ''];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}
