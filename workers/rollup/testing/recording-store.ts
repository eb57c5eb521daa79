import type {
  ObjectInfo,
  ObjectStore,
  PutOptions,
  PutResult,
  StoredObject,
} from '../../adapters/object-store/object-store.js';

export interface RecordedWrite {
  op: 'put' | 'delete';
  key: string;
  body?: Uint8Array;
}

/**
 * A real store with a log of its writes, in order, and a hook after each listing: retention tests use it to show
 * what was deleted after what, and to land a file at the exact moment between two steps of a run.
 */
export class RecordingStore implements ObjectStore {
  readonly writes: RecordedWrite[] = [];

  constructor(
    private readonly inner: ObjectStore,
    private readonly afterList: (prefix: string) => Promise<void> = async () => undefined,
  ) {}

  async put(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult> {
    const result = await this.inner.put(key, body, options);
    this.writes.push({ op: 'put', key, body });
    return result;
  }

  get(key: string): Promise<StoredObject | undefined> {
    return this.inner.get(key);
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.inner.head(key);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const listed = await this.inner.list(prefix);
    await this.afterList(prefix);
    return listed;
  }

  async delete(key: string): Promise<void> {
    await this.inner.delete(key);
    this.writes.push({ op: 'delete', key });
  }
}
