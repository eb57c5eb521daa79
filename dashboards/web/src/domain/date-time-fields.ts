/**
 * The custom range is typed as a date and a 24-hour HH:MM in the zone the page shows (UTC or the browser's). Not
 * <input type="datetime-local">: its clock follows the browser locale (2:05 PM in en-US), which nobody reading UTC
 * incident timelines wants.
 */
export type ZoneChoice = 'local' | 'utc';

export interface DateTimeFields {
  date: string;
  time: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function toDateTimeFields(ms: number, zone: ZoneChoice): DateTimeFields {
  const d = new Date(ms);
  const utc = zone === 'utc';
  const [y, mo, day, h, mi] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
  return { date: `${y}-${pad(mo)}-${pad(day)}`, time: `${pad(h)}:${pad(mi)}` };
}

/** Null for anything that is not a real date and a 00:00-23:59 time. */
export function fromDateTimeFields(fields: DateTimeFields, zone: ZoneChoice): number | null {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(fields.date);
  const time = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(fields.time.trim());
  if (!date || !time) return null;
  const [y, mo, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
  const [h, mi] = [Number(time[1]), Number(time[2])];
  const ms = zone === 'utc' ? Date.UTC(y, mo - 1, d, h, mi) : new Date(y, mo - 1, d, h, mi).getTime();
  const back = toDateTimeFields(ms, zone);
  // Rejects 2026-02-31 (which Date rolls over into March) rather than silently moving it.
  return back.date === fields.date ? ms : null;
}

/** The IANA zone for Intl formatting: 'UTC', or undefined for the browser's own. */
export function intlTimeZone(zone: ZoneChoice): string | undefined {
  return zone === 'utc' ? 'UTC' : undefined;
}

export function zoneLabel(zone: ZoneChoice, localName: string | undefined): string {
  return zone === 'utc' ? 'Times in UTC' : `Times in local time${localName ? ` (${localName})` : ''}`;
}
