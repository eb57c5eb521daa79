import { protoSchemas } from '../../workers/ingest/otlp/proto-schemas.js';

export const spansPerRequest = 1000;
export const serverSpanShare = 0.7;

const kv = (key: string, value: string | number) => ({
  key,
  value: typeof value === 'number' ? { intValue: value } : { stringValue: value },
});

/**
 * 1000 CLIENT and SERVER spans as a service that calls another sends them (issue #21.5): even spans are HTTP CLIENT
 * calls (half name their callee with peer.service, half leave it to the rollup's match), odd spans the callee's
 * SERVER span whose parent is the CLIENT span before it, so half the spans become edge records.
 */
function buildClientServerSpans(seed: number, start: bigint) {
  return Array.from({ length: spansPerRequest }, (_, i) => {
    const id = Buffer.alloc(16);
    id.writeUInt32BE(seed, 0);
    id.writeUInt32BE(i + 1, 12);
    const client = i % 2 === 0;
    const parent = Buffer.alloc(8);
    parent.writeUInt32BE(i, 4);
    const http = [
      kv('http.request.method', 'POST'),
      kv('http.response.status_code', i % 50 < 2 ? 503 : 200),
      kv('url.path', `/pay/${i}`),
    ];
    return {
      traceId: Buffer.concat([id.subarray(0, 12), Buffer.alloc(4)]),
      spanId: id.subarray(8),
      ...(client ? {} : { parentSpanId: parent }),
      name: client ? 'POST' : 'POST /pay',
      kind: client ? 3 : 2,
      startTimeUnixNano: String(start + BigInt(i) * 1000n),
      endTimeUnixNano: String(start + BigInt(i) * 1000n + BigInt(1_000_000 + i * 997)),
      attributes: client
        ? [...http, ...(i % 4 === 0 ? [kv('peer.service', 'payments')] : [])]
        : [...http, kv('http.route', '/pay/:id'), kv('server.address', 'payments.example')],
      status: {},
    };
  });
}

/** The request body: the server/internal mix by default, or CLIENT/SERVER pairs with `clients`. */
export function buildTraceRequest(seed: number, options: { clients?: boolean } = {}): Buffer {
  const start = BigInt(Date.now() - 30_000) * 1_000_000n;
  const spans = options.clients ? buildClientServerSpans(seed, start) : buildServerInternalSpans(seed, start);
  const type = protoSchemas().exportTraceRequest;
  const message = type.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'checkout'), kv('service.version', '1.4.2')] },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  });
  return Buffer.from(type.encode(message).finish());
}

/** 1000 spans as an instrumented HTTP service sends them: 70% SERVER spans with 8 attributes, the rest internal. */
function buildServerInternalSpans(seed: number, start: bigint) {
  return Array.from({ length: spansPerRequest }, (_, i) => {
    const id = Buffer.alloc(16);
    id.writeUInt32BE(seed, 0);
    id.writeUInt32BE(i + 1, 12);
    const server = i % 10 < serverSpanShare * 10;
    return {
      traceId: id,
      spanId: id.subarray(8),
      name: server ? 'GET /orders/:id' : 'db.query',
      kind: server ? 2 : 1,
      startTimeUnixNano: String(start + BigInt(i) * 1000n),
      endTimeUnixNano: String(start + BigInt(i) * 1000n + BigInt(1_000_000 + i * 997)),
      attributes: server
        ? [
            kv('http.request.method', 'GET'),
            kv('http.route', `/orders/:id/${i % 20}`),
            kv('http.response.status_code', i % 50 === 0 ? 503 : 200),
            kv('url.path', `/orders/${i}/${i % 20}`),
            kv('server.address', 'shop.example'),
            kv('user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64) bench'),
            kv('network.protocol.version', '1.1'),
            kv('client.address', '10.0.0.7'),
          ]
        : [kv('db.system', 'postgresql'), kv('db.statement', 'SELECT 1')],
      status: {},
    };
  });
}

export interface SendResult {
  ok: number;
  /** Non-200 answers by status: any makes the run invalid (the bench prints them and exits non-zero). */
  refused: Record<string, number>;
  seconds: number;
}

/** `concurrency` closed-loop senders posting the bodies to `url` for `seconds`. */
export async function sendFor(
  url: string,
  bodies: Buffer[],
  options: { seconds: number; concurrency: number; headers?: Record<string, string> },
): Promise<SendResult> {
  let ok = 0;
  const refused: Record<string, number> = {};
  const started = performance.now();
  const end = started + options.seconds * 1000;
  const client = async (c: number) => {
    for (let i = c; performance.now() < end; i += options.concurrency) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', ...options.headers },
        body: new Uint8Array(bodies[i % bodies.length]!),
      });
      await res.arrayBuffer();
      if (res.status === 200) ok += 1;
      else refused[res.status] = (refused[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, c) => client(c)));
  return { ok, refused, seconds: (performance.now() - started) / 1000 };
}
