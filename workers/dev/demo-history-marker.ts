import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What `gravix dev --demo --history` sent to a data directory, in `<data dir>/demo-history.json`. The back-dated
 * traffic gets new event ids on every start (they carry the send time), so sending it again doubled every
 * back-dated hour the two runs share: a second `npm start -- --history 2h` on the same directory counted 276k
 * requests for 138k sent once (probe 3). A data directory receives the history once.
 */
export const demoHistoryMarkerSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  complete: z.boolean(),
});
export type DemoHistoryMarker = z.infer<typeof demoHistoryMarkerSchema>;

export type DemoHistoryDecision =
  { action: 'send' } | { action: 'skip'; reason: 'sent' | 'interrupted'; marker: DemoHistoryMarker };

/** Send only into a data directory that never received a history; an interrupted one is not resumed either. */
export function decideDemoHistory(marker: DemoHistoryMarker | undefined): DemoHistoryDecision {
  if (marker === undefined) return { action: 'send' };
  return { action: 'skip', reason: marker.complete ? 'sent' : 'interrupted', marker };
}

const markerPath = (dataDir: string) => join(dataDir, 'demo-history.json');

/** The marker, or undefined when there is none; one that cannot be read counts as a history sent. */
export async function loadDemoHistoryMarker(dataDir: string): Promise<DemoHistoryMarker | undefined> {
  let text: string;
  try {
    text = await readFile(markerPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = demoHistoryMarkerSchema.safeParse(JSON.parse(text || 'null'));
  return parsed.success ? parsed.data : { from: 0, to: 0, complete: false };
}

export async function saveDemoHistoryMarker(dataDir: string, marker: DemoHistoryMarker): Promise<void> {
  const temp = `${markerPath(dataDir)}.tmp`;
  await writeFile(temp, JSON.stringify(marker) + '\n', { mode: 0o600 });
  await rename(temp, markerPath(dataDir));
}
