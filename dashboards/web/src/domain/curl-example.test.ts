import { buildCurlExample, buildIngestBaseUrl, parseIngestPort } from './curl-example.js';

const page = { protocol: 'http:', hostname: 'gravix.internal', host: 'gravix.internal:8080' };

describe('buildCurlExample', () => {
  it('targets the ingest port the server named on the dashboard host, with a key placeholder', () => {
    expect(buildCurlExample(page, 39_117, 1700000000000)).toBe(
      [
        'curl -X POST http://gravix.internal:39117/api/v1/facts \\',
        "  -H 'Authorization: Bearer <YOUR_INGEST_KEY>' \\",
        "  -H 'Content-Type: application/json' \\",
        `  -d '{"event_id":"first-1700000000000","timestamp":1700000000000,"service":"checkout",` +
          `"method":"GET","path":"/orders/42","status_code":200,"latency_ms":12}'`,
      ].join('\n'),
    );
  });

  it('posts to the page origin when the server named no port (ingestion behind the same Ingress)', () => {
    expect(buildIngestBaseUrl({ protocol: 'https:', hostname: 'gx.example', host: 'gx.example' }, null)).toBe(
      'https://gx.example',
    );
  });

  it('brackets an IPv6 host', () => {
    expect(buildIngestBaseUrl({ protocol: 'http:', hostname: '::1', host: '[::1]:8080' }, 8081)).toBe(
      'http://[::1]:8081',
    );
  });
});

describe('parseIngestPort', () => {
  it('accepts a port number and nothing else', () => {
    expect(parseIngestPort('8081')).toBe(8081);
    expect(parseIngestPort('')).toBeNull();
    expect(parseIngestPort('0')).toBeNull();
    expect(parseIngestPort('70000')).toBeNull();
    expect(parseIngestPort('80; rm')).toBeNull();
    expect(parseIngestPort(null)).toBeNull();
  });
});
