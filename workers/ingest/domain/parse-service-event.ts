import { createHash } from 'node:crypto';
import { serviceEventTypes, type RawServiceEvent } from '../../domain/raw-record.js';
import {
  readEnum,
  readOptionalString,
  readString,
  readTimestamp,
  type Item,
  type TimeWindow,
} from './field-readers.js';
import { parseItem, type ItemResult } from './parse-request-fact.js';

/** Events without an event_id get one derived from their content, so a retried POST is not a second marker. */
function derivedEventId(e: Omit<RawServiceEvent, 'event_id'>): string {
  const content = JSON.stringify([e.type, e.service, e.version ?? '', e.ts, e.description ?? '']);
  return `derived-${createHash('sha256').update(content).digest('hex').slice(0, 32)}`;
}

export interface EventContext {
  tenant: string;
  window: TimeWindow;
}

function readEvent(item: Item, ctx: EventContext): RawServiceEvent {
  const event: Omit<RawServiceEvent, 'event_id'> = {
    kind: 'event',
    tenant: ctx.tenant,
    ts: readTimestamp(item, 'timestamp', ctx.window),
    type: readEnum(item, 'type', serviceEventTypes),
    service: readString(item, 'service', 128),
  };
  const version = readOptionalString(item, 'version', 128);
  const description = readOptionalString(item, 'description', 2000);
  if (version !== undefined) event.version = version;
  if (description !== undefined) event.description = description;
  return { ...event, event_id: readOptionalString(item, 'event_id', 128) ?? derivedEventId(event) };
}

export function parseServiceEvent(
  value: unknown,
  index: number,
  ctx: EventContext,
): ItemResult<RawServiceEvent> {
  return parseItem(value, index, ctx, readEvent);
}
