import type { EndpointRow } from '../../../../workers/query/api-types.js';
import { buildEndpointsCsv } from './table-csv.js';

const row = (over: Partial<EndpointRow>): EndpointRow => ({
  service: 'checkout',
  method: 'GET',
  path: '/orders/:id',
  requests: 120,
  errors5xx: 3,
  errors4xx: 1,
  status1xx: 0,
  status2xx: 116,
  status3xx: 0,
  statusUnknown: 0,
  estimated: false,
  estimatedRequests: 0,
  errorRate: 0.025,
  p50: 12.5,
  p95: 480,
  p99: 1220,
  p999: 1230,
  max: 1230.5,
  overflow: false,
  ...over,
});

describe('buildEndpointsCsv', () => {
  it("writes the API's numbers unrounded, and a hostile path as inert text", () => {
    const csv = buildEndpointsCsv([row({}), row({ service: '=cmd', path: '/a,"b"', p95: null })]);
    expect(csv.split('\r\n')).toEqual([
      'service,method,path,requests,errors_5xx,errors_4xx,error_rate,p50_ms,p95_ms,p99_ms,p999_ms,max_ms,estimated,overflow',
      'checkout,GET,/orders/:id,120,3,1,0.025,12.5,480,1220,1230,1230.5,false,false',
      `'=cmd,GET,"/a,""b""",120,3,1,0.025,12.5,,1220,1230,1230.5,false,false`,
      '',
    ]);
  });
});
