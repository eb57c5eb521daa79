/**
 * RFC 3339 date-times (`2026-12-02T09:30:00Z`, `...T09:30:00.123+01:00`; `t`, `z` and a space separator allowed
 * as RFC 3339 section 5.6 notes): the one reader of client-sent times, for ingested facts and query parameters.
 * Date.parse is not used: it also takes `-1`, `2024` and `Tue, 01 Jan 2024`, and rolls `02-30` over into March.
 */
const pattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const daysInMonth = (year: number, month: number): number => {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
};

const isRealDate = (year: number, month: number, day: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);

// A leap second (:60) has no epoch millisecond of its own; it is refused rather than guessed.
const isRealTime = (hour: number, minute: number, second: number): boolean =>
  hour <= 23 && minute <= 59 && second <= 59;

/** Minutes east of UTC, or undefined for an offset that cannot exist. */
function offsetMinutes(zulu: string | undefined, sign?: string, hours?: string, minutes?: string) {
  if (zulu) return 0;
  const [h, m] = [Number(hours), Number(minutes)];
  if (h > 23 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

/** ms since epoch (fractions below a millisecond truncated), or undefined when `text` is not a real RFC 3339 time. */
export function parseRfc3339(text: string): number | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offset = offsetMinutes(m[8], m[9], m[10], m[11]);
  if (!isRealDate(year, month, day) || !isRealTime(hour, minute, second) || offset === undefined)
    return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)));
  return date.getTime() - offset * 60_000;
}
