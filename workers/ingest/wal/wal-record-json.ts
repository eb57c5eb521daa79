import type { RawEdge, RawFact } from '../../domain/raw-record.js';
import type { WalRecord } from './wal-record.js';

/** A JSON string literal; only strings with a quote, backslash, control character or surrogate need JSON.stringify. */
export function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

const number = (value: number) => (Number.isFinite(value) ? String(value) : 'null');

/**
 * JSON.stringify of a RawFact, spelled out: facts are nearly every record the WAL writes, and V8's generic
 * stringify (property enumeration and escaping checks per key) costs more than the parse of the request.
 * Same text as JSON.stringify for a fact built by parseRequestFact (same key order; optional keys only if set).
 */
export function rawFactJson(fact: RawFact): string {
  let json =
    `{"kind":"fact","tenant":${quote(fact.tenant)},"event_id":${quote(fact.event_id)},"ts":${number(fact.ts)}` +
    `,"service":${quote(fact.service)},"method":${quote(fact.method)},"path":${quote(fact.path)}` +
    `,"status_code":${number(fact.status_code)},"latency_ms":${number(fact.latency_ms)}`;
  if (fact.env !== undefined) json += `,"env":${quote(fact.env)}`;
  if (fact.version !== undefined) json += `,"version":${quote(fact.version)}`;
  if (fact.trace_id !== undefined) json += `,"trace_id":${quote(fact.trace_id)}`;
  if (fact.span_id !== undefined) json += `,"span_id":${quote(fact.span_id)}`;
  if (fact.parent_span_id !== undefined) json += `,"parent_span_id":${quote(fact.parent_span_id)}`;
  if (fact.weight !== undefined) json += `,"weight":${number(fact.weight)}`;
  if (fact.count !== undefined) json += `,"count":${number(fact.count)}`;
  if (fact.latency_sum_ms !== undefined) json += `,"latency_sum_ms":${number(fact.latency_sum_ms)}`;
  if (fact.latency_min_ms !== undefined) json += `,"latency_min_ms":${number(fact.latency_min_ms)}`;
  if (fact.latency_max_ms !== undefined) json += `,"latency_max_ms":${number(fact.latency_max_ms)}`;
  return `${json}}`;
}

/**
 * JSON.stringify of a RawEdge, spelled out for the same reason as rawFactJson: half the records of a service that
 * calls others are edges, and their generic stringify cost nearly three times a fact's (docs/adr/0135). Same text
 * as JSON.stringify for an edge built by readEdge (map-client-span.ts), whose key order this follows: `callee`
 * is set after the literal, so it comes after `span_id`.
 */
export function rawEdgeJson(edge: RawEdge): string {
  let json =
    `{"kind":"edge","tenant":${quote(edge.tenant)},"event_id":${quote(edge.event_id)},"ts":${number(edge.ts)}` +
    `,"caller":${quote(edge.caller)},"status_code":${number(edge.status_code)}` +
    `,"latency_ms":${number(edge.latency_ms)},"trace_id":${quote(edge.trace_id)},"span_id":${quote(edge.span_id)}`;
  if (edge.callee !== undefined) json += `,"callee":${quote(edge.callee)}`;
  if (edge.weight !== undefined) json += `,"weight":${number(edge.weight)}`;
  return `${json}}`;
}

/** One WAL record as JSON: facts and edges spelled out, service events and dead letters through JSON.stringify. */
export function walRecordJson(record: WalRecord): string {
  if (record.kind === 'fact') return rawFactJson(record);
  return record.kind === 'edge' ? rawEdgeJson(record) : JSON.stringify(record);
}
