import type { ServiceMapResponse } from '../../../../workers/query/api-types.js';
import { buildServiceMapSvg, errorBandOf, layoutServiceMap } from './service-map-svg.js';

const figures = { errors5xx: 0, estimated: false, estimatedRequests: 0, p50: 1, p95: 2, p99: 3 };
const edge = (caller: string, callee: string, requests = 10, errorRate = 0) => ({
  caller,
  callee,
  requests,
  ...figures,
  errorRate,
});
const mapOf = (edges: ServiceMapResponse['edges']) => {
  const names = [...new Set(edges.flatMap((e) => [e.caller, e.callee]))].sort();
  return { nodes: names.map((service) => ({ service, server: null })), edges };
};

describe('the service map layout', () => {
  it('puts callers left of their callees, one column per layer of the longest call path', () => {
    const layout = layoutServiceMap(
      mapOf([edge('frontend', 'checkout'), edge('checkout', 'payments'), edge('frontend', 'payments')]),
    );
    const layer = (s: string) => layout.nodes.get(s)!.layer;
    expect([layer('frontend'), layer('checkout'), layer('payments')]).toEqual([0, 1, 2]);
    expect(layout.nodes.get('frontend')!.x).toBeLessThan(layout.nodes.get('checkout')!.x);
  });

  it('ends on a cycle and a service calling itself, drawing them as loops', () => {
    const map = mapOf([edge('a', 'b'), edge('b', 'a'), edge('b', 'b')]);
    const layout = layoutServiceMap(map);
    expect(layout.nodes.size).toBe(2);
    expect(buildServiceMapSvg(map).match(/class="sm-edge/g)).toHaveLength(3);
  });
});

describe('the service map SVG', () => {
  it('colours each edge by its error-rate band and makes it a focusable button named by its figures', () => {
    const svg = buildServiceMapSvg(
      mapOf([edge('a', 'b', 100, 0.001), edge('a', 'c', 10, 0.02), edge('c', 'd', 5, 0.5)]),
    );
    expect(svg.match(/sm-edge sm-(ok|warn|bad)/g)).toEqual([
      'sm-edge sm-ok',
      'sm-edge sm-warn',
      'sm-edge sm-bad',
    ]);
    expect(svg).toContain('tabindex="0" role="button" aria-label="a calls b: 100 requests, 0.10% errors');
    expect([errorBandOf(0), errorBandOf(0.0099), errorBandOf(0.01), errorBandOf(0.05)]).toEqual([
      'ok',
      'ok',
      'warn',
      'bad',
    ]);
  });

  it('writes hostile service names as text, never as markup', () => {
    const hostile = `<script>alert(1)</script>"'&`;
    const svg = buildServiceMapSvg(mapOf([edge(hostile, 'db:5432')]));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('data-caller="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"');
    // Every '<' in the markup opens one of the map's own elements.
    expect(svg.match(/<(?!\/?(svg|defs|marker|path|g|title|rect|text)[ >])/g)).toBeNull();
  });
});
