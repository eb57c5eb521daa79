import { StartedParts } from './started-parts.js';

describe('StartedParts', () => {
  it('stops every part newest first, even when a stop fails', async () => {
    const parts = new StartedParts();
    const stopped: string[] = [];
    const closed = () => new Error('closed');
    await parts.add(() => void stopped.push('minio'), closed);
    await parts.add(() => Promise.reject(new Error('proxy would not stop')), closed);
    await parts.add(async () => void stopped.push('trino'), closed);

    const failures = await parts.stopAll();

    expect(stopped).toEqual(['trino', 'minio']);
    expect(failures).toEqual([new Error('proxy would not stop')]);
    expect(await parts.stopAll()).toEqual([]);
    expect(stopped).toEqual(['trino', 'minio']);
  });

  it('stops a part that finished starting after stopAll at once and throws the closed error', async () => {
    const parts = new StartedParts();
    await parts.stopAll();
    let stopped = false;

    await expect(
      parts.add(
        () => void (stopped = true),
        () => new Error('the bench was interrupted by SIGINT'),
      ),
    ).rejects.toThrow('the bench was interrupted by SIGINT');
    expect(stopped).toBe(true);
  });
});
