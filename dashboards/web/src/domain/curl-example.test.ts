import { buildCurlExample } from './curl-example.js';

describe('buildCurlExample', () => {
  it('targets the ingest port on the dashboard host with a key placeholder', () => {
    expect(buildCurlExample({ protocol: 'http:', hostname: 'gravix.internal' }, 1700000000000)).toBe(
      [
        'curl -X POST http://gravix.internal:8081/api/v1/facts \\',
        "  -H 'Authorization: Bearer <YOUR_INGEST_KEY>' \\",
        "  -H 'Content-Type: application/json' \\",
        `  -d '{"event_id":"first-1700000000000","timestamp":1700000000000,"service":"checkout",` +
          `"method":"GET","path":"/orders/42","status_code":200,"latency_ms":12}'`,
      ].join('\n'),
    );
  });

  it('brackets an IPv6 host', () => {
    expect(buildCurlExample({ protocol: 'http:', hostname: '::1' }, 1)).toContain('http://[::1]:8081/');
  });
});
