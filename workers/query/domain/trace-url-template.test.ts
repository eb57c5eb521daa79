import { fillTraceUrl, parseTraceUrlTemplate, traceUrlTemplateProblem } from './trace-url-template.js';
import { loadQueryConfig } from '../config.js';

const keys = { GRAVIX_API_KEYS_FILE: 'keys.json' };

describe('trace URL templates', () => {
  it('fills Tempo, Jaeger and Grafana Explore templates with the ids', () => {
    const id = '0af7651916cd43dd8448eb211c80319c';
    expect(fillTraceUrl(parseTraceUrlTemplate('http://tempo:3200/api/traces/{traceId}'), id, null)).toBe(
      `http://tempo:3200/api/traces/${id}`,
    );
    expect(
      fillTraceUrl(
        parseTraceUrlTemplate('https://jaeger.example.org/trace/{traceId}?uiFind={spanId}'),
        id,
        'b7ad6b7169203331',
      ),
    ).toBe(`https://jaeger.example.org/trace/${id}?uiFind=b7ad6b7169203331`);
    const explore =
      'https://grafana.example.org/explore?left=%7B%22datasource%22:%22tempo%22,%22queries%22:%5B%7B%22query%22:%22{traceId}%22%7D%5D%7D';
    expect(fillTraceUrl(parseTraceUrlTemplate(explore), id, null)).toContain(`%22query%22:%22${id}%22`);
  });

  it('percent-encodes a posted trace id so it stays one value of the URL', () => {
    const url = fillTraceUrl(
      parseTraceUrlTemplate('https://t.example.org/trace/{traceId}?x=1'),
      'a/../b?c=#d',
      null,
    );
    expect(url).toBe('https://t.example.org/trace/a%2F..%2Fb%3Fc%3D%23d?x=1');
    expect(new URL(url).pathname).toBe('/trace/a%2F..%2Fb%3Fc%3D%23d');
  });

  it('refuses a template without {traceId}, a relative one and any scheme but http and https', () => {
    expect(traceUrlTemplateProblem('https://tempo/trace/')).toBe('must contain the placeholder {traceId}');
    expect(traceUrlTemplateProblem('/trace/{traceId}')).toBe(
      'must be an absolute URL once {traceId} is filled in',
    );
    expect(traceUrlTemplateProblem('javascript:alert({traceId})')).toBe('must be an http or https URL');
    expect(traceUrlTemplateProblem('data:text/html,{traceId}')).toBe('must be an http or https URL');
    expect(() => parseTraceUrlTemplate('ftp://x/{traceId}')).toThrow(
      "trace URL template 'ftp://x/{traceId}' must be an http or https URL",
    );
  });

  it('is checked at the edge: a bad GRAVIX_TRACE_URL_TEMPLATE is a configuration error naming key, value and rule', () => {
    expect(() =>
      loadQueryConfig({ ...keys, GRAVIX_TRACE_URL_TEMPLATE: 'javascript:alert({traceId})' }),
    ).toThrow(
      'invalid configuration: GRAVIX_TRACE_URL_TEMPLATE: "javascript:alert({traceId})" must be an http or https URL',
    );
    const config = loadQueryConfig({
      ...keys,
      GRAVIX_TRACE_URL_TEMPLATE: 'http://127.0.0.1:16686/trace/{traceId}',
    });
    expect(config.GRAVIX_TRACE_URL_TEMPLATE).toBe('http://127.0.0.1:16686/trace/{traceId}');
    expect(loadQueryConfig(keys).GRAVIX_TRACE_URL_TEMPLATE).toBeUndefined();
  });
});
