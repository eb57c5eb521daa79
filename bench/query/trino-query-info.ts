/**
 * Trino's own figures of the statements a bench sent, from its REST API (/v1/query): shared by trino-breakdown.ts
 * and service-map-bench.ts.
 */
const units: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 };

/** An airlift Duration as Trino serialises it ("12.34ms", "1.20s", "2.00m") in milliseconds. */
export function parseTrinoDuration(text: unknown): number {
  const match = /^([\d.]+)\s*([a-z]+)$/.exec(String(text ?? ''));
  const unit = match ? units[match[2]!] : undefined;
  return match && unit !== undefined ? Number(match[1]) * unit : Number.NaN;
}

const sizeUnits: Record<string, number> = { B: 1, kB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 };

/** An airlift DataSize as Trino serialises it ("1.20MB", "350B") in bytes. */
export function parseTrinoDataSize(text: unknown): number {
  const match = /^([\d.]+)\s*([a-zA-Z]+)$/.exec(String(text ?? ''));
  const unit = match ? sizeUnits[match[2]!] : undefined;
  return match && unit !== undefined ? Math.round(Number(match[1]) * unit) : Number.NaN;
}

export async function trinoGet(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { 'X-Trino-User': 'gravix-bench' } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

/** The ids of every statement Trino remembers (diffed before and after a call to find the call's). */
export async function queryIds(trino: { url: string }): Promise<Set<string>> {
  const list = (await trinoGet(`${trino.url}/v1/query`)) as { queryId: string }[];
  return new Set(list.map((q) => q.queryId));
}
