import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideDemoHistory, loadDemoHistoryMarker, saveDemoHistoryMarker } from './demo-history-marker.js';

describe('the demo history marker', () => {
  it('sends a history only into a data directory that never received one, sent or interrupted', () => {
    const marker = { from: 1, to: 2, complete: true };
    expect(decideDemoHistory(undefined)).toEqual({ action: 'send' });
    expect(decideDemoHistory(marker)).toEqual({ action: 'skip', reason: 'sent', marker });
    expect(decideDemoHistory({ ...marker, complete: false })).toEqual({
      action: 'skip',
      reason: 'interrupted',
      marker: { ...marker, complete: false },
    });
  });

  it('reads back what it saved, nothing where none was saved, and an unreadable marker as a history begun', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-demo-marker-'));
    expect(await loadDemoHistoryMarker(dir)).toBeUndefined();
    await saveDemoHistoryMarker(dir, { from: 10, to: 20, complete: false });
    expect(await loadDemoHistoryMarker(dir)).toEqual({ from: 10, to: 20, complete: false });
    writeFileSync(join(dir, 'demo-history.json'), '{"from":"yesterday"}');
    expect(decideDemoHistory(await loadDemoHistoryMarker(dir))).toMatchObject({
      action: 'skip',
      reason: 'interrupted',
    });
  });
});
