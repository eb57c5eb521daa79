/**
 * Where an exemplar's trace opens: GRAVIX_TRACE_URL_TEMPLATE, an http(s) URL with a `{traceId}` placeholder (and
 * optionally `{spanId}`), e.g. Tempo's or Jaeger's trace page or a Grafana Explore link (docs/opentelemetry.md).
 * Checked once at the edge (config.ts); the query service fills it per exemplar, so the dashboard only renders a
 * link the server built.
 */
export interface TraceUrlTemplate {
  readonly template: string;
}

const traceIdPlaceholder = '{traceId}';
const spanIdPlaceholder = '{spanId}';

/** The rule a template breaks, or undefined: what the configuration error names. */
export function traceUrlTemplateProblem(template: string): string | undefined {
  if (!template.includes(traceIdPlaceholder)) return `must contain the placeholder ${traceIdPlaceholder}`;
  let url: URL;
  try {
    // Filled with sample ids, as it will be: a template is judged by the URLs it makes.
    url = new URL(fillTraceUrl({ template }, '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'));
  } catch {
    return 'must be an absolute URL once {traceId} is filled in';
  }
  // A javascript: or data: link in the dashboard would run whatever the template says.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  return undefined;
}

/** Checks a template (traceUrlTemplateProblem) and returns it typed; throws RangeError naming the rule. */
export function parseTraceUrlTemplate(template: string): TraceUrlTemplate {
  const problem = traceUrlTemplateProblem(template);
  if (problem) throw new RangeError(`trace URL template '${template}' ${problem}`);
  return { template };
}

/**
 * The template with the ids filled in. Ids are percent-encoded: a fact's trace id is client text (up to 128
 * characters of anything the text rule allows), and must stay one value inside the URL it lands in.
 */
export function fillTraceUrl(t: TraceUrlTemplate, traceId: string, spanId: string | null): string {
  return t.template
    .replaceAll(traceIdPlaceholder, encodeURIComponent(traceId))
    .replaceAll(spanIdPlaceholder, encodeURIComponent(spanId ?? ''));
}
