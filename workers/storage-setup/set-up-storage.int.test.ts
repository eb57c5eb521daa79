import { randomBytes } from 'node:crypto';
import { SavedViewStore, newViewId } from '../query/adapters/saved-view-store.js';
import { buildSavedViewsKey, createView } from '../query/domain/saved-views-doc.js';
import { pino } from 'pino';
import { S3ObjectStore } from '../adapters/object-store/s3-object-store.js';
import { PreconditionFailedError } from '../adapters/object-store/object-store.js';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { capturedLog } from '../../testbin/harness/captured-log.js';
import { STORAGE_COMPONENTS, type StorageComponent } from './domain/component-policies.js';
import {
  BucketMissingError,
  StoreUnreachableError,
  setUpStorage,
  type Credentials,
  type StorageSetupOptions,
} from './set-up-storage.js';
import { waitForStorage } from './wait-for-storage.js';

const silent = pino({ level: 'silent' });
const bucket = 'gravix-policies';
const body = (text: string) => Buffer.from(text);
const rawKey = 'raw/tenant=acme/date=2026-12-01/hour=10/ingest-0-000000000001.jsonl.gz';
const deadKey = 'dead-letter/tenant=acme/date=2026-12-01/hour=10/ingest-0-000000000001.jsonl.gz';
const manifestKey = 'metrics/_manifests/tenant=acme/date=2026-12-01/hour=10.json';
const dataKey = 'metrics/request_metrics_minute/tenant=acme/date=2026-12-01/hour=10/part-00000.parquet';
const metastoreKey = 'trino-metastore/gravix/schema.json';

const renamed = (users: Record<StorageComponent, Credentials>, suffix: string) =>
  Object.fromEntries(
    Object.entries(users).map(([c, u]) => [c, { ...u, accessKeyId: `${u.accessKeyId}-${suffix}` }]),
  ) as Record<StorageComponent, Credentials>;

async function expectDenied(attempt: Promise<unknown>): Promise<void> {
  await expect(attempt).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
}

/**
 * The per-component MinIO users and policies (domain/component-policies.ts) on a real MinIO, exercised through the
 * workers' own S3 adapter: each component can do what its worker does (conditional puts included) and is refused
 * what it must not do.
 */
describe('storage setup on a real MinIO', () => {
  let minio: MinioServer;
  let users: Record<StorageComponent, Credentials>;
  let options: StorageSetupOptions;
  const stores = new Map<StorageComponent, S3ObjectStore>();
  const store = (component: StorageComponent) => stores.get(component)!;

  beforeAll(async () => {
    minio = await startMinio();
    users = Object.fromEntries(
      STORAGE_COMPONENTS.map((c) => [
        c,
        {
          accessKeyId: `gravix-${c}-${randomBytes(3).toString('hex')}`,
          secretAccessKey: randomBytes(18).toString('base64url'),
        },
      ]),
    ) as Record<StorageComponent, Credentials>;
    options = {
      bucket,
      endpoint: minio.endpoint,
      region: minio.region,
      credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
      createBucket: true,
      users,
    };
    await setUpStorage(options, silent);
    for (const c of STORAGE_COMPONENTS) {
      stores.set(
        c,
        new S3ObjectStore({
          bucket,
          endpoint: minio.endpoint,
          region: minio.region,
          maxAttempts: 1,
          ...users[c],
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of stores.values()) s.destroy();
    await minio?.stop();
  });

  it('lets ingest put raw and dead-letter objects only once (If-None-Match) and read them back to verify', async () => {
    await store('ingest').put(rawKey, body('facts'), { ifNoneMatch: '*' });
    await store('ingest').put(deadKey, body('rejected'), { ifNoneMatch: '*' });
    expect(await store('ingest').head(rawKey)).toMatchObject({ size: 5 });
    await expect(store('ingest').put(rawKey, body('again'), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it('lets rollup list and read raw, write metrics with conditional puts, and delete both for retention', async () => {
    expect((await store('rollup').list('raw/')).map((o) => o.key)).toEqual([rawKey]);
    expect(Buffer.from((await store('rollup').get(rawKey))!.body).toString()).toBe('facts');
    const { etag } = await store('rollup').put(manifestKey, body('{"generation":1}'), { ifNoneMatch: '*' });
    await store('rollup').put(manifestKey, body('{"generation":2}'), { ifMatch: etag });
    await store('rollup').put(dataKey, body('parquet'), { ifNoneMatch: '*' });
    expect((await store('rollup').list('metrics/')).map((o) => o.key).sort()).toEqual(
      [manifestKey, dataKey].sort(),
    );
    await store('rollup').put('metrics/_manifests/tenant=old/date=2026-01-01/hour=00.json', body('{}'));
    await store('rollup').delete('metrics/_manifests/tenant=old/date=2026-01-01/hour=00.json');
  });

  it('lets query list and read the manifests, and Trino read metrics and keep its metastore', async () => {
    expect((await store('query').list('metrics/_manifests/')).map((o) => o.key)).toEqual([manifestKey]);
    expect(await store('query').get(manifestKey)).toMatchObject({ size: 16 });
    expect((await store('trino').list('metrics/request_metrics_minute/')).map((o) => o.key)).toEqual([
      dataKey,
    ]);
    expect(await store('trino').get(dataKey)).toMatchObject({ size: 7 });
    await store('trino').put(metastoreKey, body('{}'));
    expect((await store('trino').list('trino-metastore/')).map((o) => o.key)).toEqual([metastoreKey]);
    await store('trino').delete(metastoreKey);
  });

  it('refuses ingest reading or writing metrics, listing, and deleting what it uploaded', async () => {
    await expectDenied(store('ingest').get(manifestKey));
    await expectDenied(store('ingest').put(dataKey, body('x')));
    await expectDenied(store('ingest').list('raw/'));
    await expectDenied(store('ingest').delete(rawKey));
  });

  it('lets ingest write its quota beat and list the replicas beside it, and nothing else under identity/', async () => {
    const beatKey = 'identity/ingest-replicas/ingest-0.json';
    await store('ingest').put(beatKey, body('{}'));
    expect((await store('ingest').list('identity/ingest-replicas/')).map((o) => o.key)).toEqual([beatKey]);
    await expectDenied(store('ingest').list('identity/'));
    await expectDenied(store('ingest').put('identity/api-keys.json', body('{}')));
    await expectDenied(store('ingest').delete(beatKey));
  });

  it('lets ingest announce and list the names replicas admitted (cardinality quotas), deleting none', async () => {
    const namesKey = 'identity/ingest-cardinality/acme/ingest-0.json';
    await store('ingest').put(namesKey, body('{}'));
    expect((await store('ingest').list('identity/ingest-cardinality/')).map((o) => o.key)).toEqual([
      namesKey,
    ]);
    expect(await store('ingest').get(namesKey)).toMatchObject({ size: 2 });
    await expectDenied(store('ingest').delete(namesKey));
  });

  it('lets query count failed sign-ins under identity/sign-in-failures/ with conditional puts and delete old buckets', async () => {
    const key = 'identity/sign-in-failures/window=100/abc.json';
    const { etag } = await store('query').put(key, body('{"v":1}'), { ifNoneMatch: '*' });
    await store('query').put(key, body('{"v":2}'), { ifMatch: etag });
    expect((await store('query').list('identity/sign-in-failures/')).map((o) => o.key)).toEqual([key]);
    await store('query').delete(key);
    expect(await store('query').get(key)).toBeUndefined();
    await expectDenied(store('ingest').put(key, body('{}')));
    await expectDenied(store('query').delete('identity/api-keys.json'));
  });

  it('refuses rollup writing raw data or the Trino metastore', async () => {
    await expectDenied(
      store('rollup').put('raw/tenant=acme/date=2026-12-01/hour=10/forged.jsonl.gz', body('x')),
    );
    await expectDenied(store('rollup').put(metastoreKey, body('x')));
  });

  it('refuses query and Trino any write to metrics and any read of raw data', async () => {
    for (const reader of ['query', 'trino'] as const) {
      await expectDenied(store(reader).put(manifestKey, body('x'), { ifMatch: 'whatever' }));
      await expectDenied(store(reader).delete(dataKey));
      await expectDenied(store(reader).get(rawKey));
      await expectDenied(store(reader).list('raw/'));
    }
    await expectDenied(store('query').put(metastoreKey, body('x')));
  });

  it('lets the alert evaluator read metrics and keep its state under alerts/, and query serve the rules API there', async () => {
    const stateKey = 'alerts/state/tenant=acme/errors.json';
    expect(await store('alert').get(manifestKey)).toMatchObject({ size: 16 });
    const { etag } = await store('alert').put(stateKey, body('{"v":1}'), { ifNoneMatch: '*' });
    await store('alert').put(stateKey, body('{"v":2}'), { ifMatch: etag });
    expect((await store('alert').list('alerts/state/')).map((o) => o.key)).toEqual([stateKey]);
    await store('query').put('alerts/rules/tenant=acme/errors.json', body('{}'));
    expect((await store('query').list('alerts/')).length).toBe(2);
    await store('query').delete('alerts/rules/tenant=acme/errors.json');
    // Nothing else: no raw data, no metrics writes, no deletes.
    await expectDenied(store('alert').get(rawKey));
    await expectDenied(store('alert').put(manifestKey, body('x'), { ifMatch: 'whatever' }));
    await expectDenied(store('alert').delete(stateKey));
  });

  it('lets query keep the saved views under views/ with conditional puts, and no other component', async () => {
    const views = new SavedViewStore(store('query'));
    const change = { by: 'key:ops', at: 1 };
    const add = (name: string) =>
      views.update('acme', (doc) => createView(doc, { id: newViewId(), name, view: {} }, change));
    await add('first');
    await add('second');
    expect((await views.read('acme')).doc.views.map((v) => v.name)).toEqual(['first', 'second']);
    for (const other of ['ingest', 'rollup', 'alert', 'trino'] as const) {
      await expectDenied(store(other).get(buildSavedViewsKey('acme')));
      await expectDenied(store(other).put(buildSavedViewsKey('acme'), body('{}')));
    }
  });

  it('changes nothing when run again: the same users keep working', async () => {
    await setUpStorage(options, silent);
    expect(await store('query').head(manifestKey)).toMatchObject({ size: 16 });
    expect(await store('ingest').head(rawKey)).toMatchObject({ size: 5 });
  });

  it('does not create a missing external bucket unless asked, and names the bucket and the setting', async () => {
    const external = { ...options, bucket: 'someone-elses', createBucket: false, users: undefined };
    await expect(setUpStorage(external, silent)).rejects.toEqual(
      new BucketMissingError(
        `bucket 'someone-elses' does not exist at ${minio.endpoint}: create it, or set spec.storage.external.createBucket: true to let Gravix create it`,
      ),
    );
    await setUpStorage({ ...external, createBucket: true }, silent);
    await setUpStorage(external, silent);
  });

  // Last: it points the gravix-* policies at another bucket.
  it('holds a worker back until its bucket and its user exist, then lets it start', async () => {
    const late = { ...options, bucket: 'gravix-late', users: renamed(users, 'late') };
    let done = false;
    const waiting = waitForStorage(
      {
        component: 'ingest',
        bucket: late.bucket,
        endpoint: minio.endpoint,
        region: minio.region,
        credentials: late.users.ingest,
        intervalMs: 100,
      },
      silent,
    ).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 1500));
    expect(done).toBe(false);
    await setUpStorage(late, silent);
    await waiting;
    expect(done).toBe(true);
  });
});

/**
 * The storage Job starts beside the pipeline's MinIO: it waits until the store answers instead of failing (a pod in
 * Error on every install, then the Job's growing backoff), and gives up with STORAGE_UNREACHABLE past its bound.
 */
describe('storage setup before its object store answers', () => {
  let minio: MinioServer;

  beforeAll(async () => {
    minio = await startMinio();
  });

  afterAll(async () => {
    await minio?.stop();
  });

  const setupOptions = (endpoint: string, bucket: string): StorageSetupOptions => ({
    bucket,
    endpoint,
    region: minio.region,
    credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
    createBucket: true,
    users: undefined,
    waitIntervalMs: 200,
  });

  it('waits while MinIO is down, says why once, and prepares the bucket when MinIO is back', async () => {
    await minio.pause();
    const { log, lines } = capturedLog<{ msg: string; problem?: string }>();
    let done = false;
    const setup = setUpStorage(setupOptions(minio.endpoint, 'gravix-started-late'), log).then(
      () => (done = true),
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect(done).toBe(false);
    await minio.start();
    await setup;
    const waits = lines.filter((l) => l.msg === 'waiting for the object store to answer');
    // Refused connections, then perhaps MinIO's 503 while it starts: one line per distinct reason, not per try.
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits.length).toBeLessThanOrEqual(3);
    expect(waits[0]!.problem).toMatch(/ECONNREFUSED/);
    expect(lines.some((l) => l.msg === 'bucket created')).toBe(true);
    const store = new S3ObjectStore(minio.s3Options('gravix-started-late'));
    await store.put('probe', body('x'));
    store.destroy();
  }, 60_000);

  it('gives up past its bound with STORAGE_UNREACHABLE, naming the store and the reason', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const attempt = setUpStorage(
      { ...setupOptions(endpoint, 'gravix-nowhere'), waitForStoreMs: 1_000 },
      silent,
    );
    await expect(attempt).rejects.toBeInstanceOf(StoreUnreachableError);
    await expect(attempt).rejects.toMatchObject({
      code: 'STORAGE_UNREACHABLE',
      message: expect.stringMatching(
        new RegExp(`^the object store at ${endpoint} did not answer within 1 s \\(.*ECONNREFUSED`),
      ),
    });
  }, 30_000);

  it('does not wait when the store answers with a refusal: a wrong key fails at once as access denied', async () => {
    const started = Date.now();
    const wrongKey = {
      ...setupOptions(minio.endpoint, 'gravix-started-late'),
      credentials: { accessKeyId: minio.accessKey, secretAccessKey: 'not-the-secret' },
    };
    await expect(setUpStorage(wrongKey, silent)).rejects.toMatchObject({ code: 'BUCKET_ACCESS_DENIED' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
