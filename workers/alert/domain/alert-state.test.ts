import fc from 'fast-check';
import { stepAlertStates, type SeriesState, type StepPolicy } from './alert-state.js';
import type { Observation } from './observation.js';

const minute = 60_000;
const t0 = Date.UTC(2026, 11, 1, 14, 0);
const policy: StepPolicy = {
  rule: 'errors',
  tenant: 't1',
  severity: 'page',
  forMs: 2 * minute,
  resolveMs: minute,
  repeatMs: 60 * minute,
  staleMs: 30 * minute,
};
const obs = (breaching: boolean, extra: Partial<Observation> = {}): Observation => ({
  seriesId: 'checkout * *',
  key: { service: 'checkout' },
  breaching,
  value: breaching ? '40%' : '0.1%',
  expected: '> 5%',
  explanation: 'x',
  ...extra,
});

/** Feeds one observation per minute and returns every event kind with its minute index. */
function run(sequence: readonly (Observation | undefined)[], p = policy) {
  let states: Record<string, SeriesState> = {};
  const events: string[] = [];
  sequence.forEach((o, i) => {
    const step = stepAlertStates(p, states, o ? [o] : [], t0 + i * minute);
    states = step.states;
    events.push(...step.events.map((e) => `${i}:${e.kind}`));
  });
  return { events, states };
}

describe('alert state machine', () => {
  it('stays pending until the condition held for `for`, then fires once and resolves once', () => {
    const { events } = run([obs(true), obs(true), obs(true), obs(false), obs(false)]);
    expect(events).toEqual(['1:firing', '3:resolved']);
  });

  it('drops a pending series that clears before `for` without a notification', () => {
    expect(run([obs(true), obs(false), obs(true), obs(false)]).events).toEqual([]);
  });

  it('keeps firing through minutes with too little traffic instead of resolving', () => {
    const { events } = run([obs(true), obs(true), obs(false, { insufficient: true }), obs(true), obs(false)]);
    expect(events).toEqual(['1:firing', '4:resolved']);
  });

  it('repeats a firing alert after the repeat interval', () => {
    const seq = Array.from({ length: 62 }, () => obs(true));
    expect(run(seq).events).toEqual(['1:firing', '61:repeat']);
  });

  it('resolves a firing series whose data vanished for longer than staleMs', () => {
    const seq = [obs(true), obs(true), ...Array.from({ length: 31 }, () => undefined)];
    expect(run(seq).events).toEqual(['1:firing', '31:resolved']);
  });

  it('gives the same event the same id when the same minute is evaluated again (restart before save)', () => {
    const once = stepAlertStates(policy, {}, [obs(true)], t0);
    const a = stepAlertStates(policy, once.states, [obs(true)], t0 + minute);
    const b = stepAlertStates(policy, once.states, [obs(true)], t0 + minute);
    expect(a.events.map((e) => e.id)).toEqual(b.events.map((e) => e.id));
    expect(a.events[0]?.id).toBe(`errors|checkout * *|${t0 + minute}|firing`);
  });

  it('never resolves what did not fire, never fires twice in an episode, and alternates firing/resolved', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<'bad' | 'good' | 'thin' | 'none'>('bad', 'good', 'thin', 'none'), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 5 }),
        (kinds, forMinutes) => {
          const seq = kinds.map((k) =>
            k === 'none' ? undefined : obs(k === 'bad', k === 'thin' ? { insufficient: true } : {}),
          );
          const { events } = run(seq, { ...policy, forMs: forMinutes * minute, repeatMs: 10_000 * minute });
          const kindsOnly = events.map((e) => e.split(':')[1]);
          kindsOnly.forEach((k, i) => expect(k).toBe(i % 2 === 0 ? 'firing' : 'resolved'));
          // A firing needs `for` consecutive breaching minutes (thin minutes neither break nor count... they keep).
          for (const e of events.filter((x) => x.endsWith('firing'))) {
            const at = Number(e.split(':')[0]);
            expect(kinds[at]).toBe('bad');
          }
        },
      ),
    );
  });
});

describe('resolve window (hysteresis, ADR 0117)', () => {
  const hysteresis = { ...policy, resolveMs: 5 * minute };
  const bad = obs(true);
  const good = obs(false);

  it('resolves only after the condition has been clear for the resolve window, ending the span at the first clear minute', () => {
    const seq = [bad, bad, bad, good, good, good, good, good, good];
    let states: Record<string, SeriesState> = {};
    const events = seq.flatMap((o, i) => {
      const step = stepAlertStates(hysteresis, states, [o], t0 + i * minute);
      states = step.states;
      return step.events;
    });
    expect(events.map((e) => e.kind)).toEqual(['firing', 'resolved']);
    const resolved = events[1]!;
    // Clear from minute 3; the fifth clear minute (7) decides; the span ends with minute 3.
    expect(resolved.at).toBe(t0 + 7 * minute);
    expect(resolved.endsAt).toBe(t0 + 4 * minute);
    expect(resolved.id).toBe(`errors|checkout * *|${t0 + minute}|resolved`);
    expect(states).toEqual({});
  });

  it('continues the same episode when the condition breaches again inside the window: no new firing, one id', () => {
    const seq = [bad, bad, good, good, bad, good, bad, bad, good, good, good, good, good];
    const { events } = run(seq, hysteresis);
    expect(events).toEqual(['1:firing', '12:resolved']);
  });

  it('keeps firing, with the value it was notified with, while clearing', () => {
    const { states } = run([bad, bad, obs(false, { value: '0.2%' })], hysteresis);
    expect(Object.values(states).map((s) => [s.state, s.value, s.clearSince])).toEqual([
      ['firing', '40%', t0 + 2 * minute],
    ]);
  });

  it('reads a state saved before clearSince existed as not clearing, and resolves it by the window', () => {
    const firing = run([bad, bad], hysteresis).states;
    const saved = JSON.parse(JSON.stringify(firing)) as Record<string, SeriesState>;
    for (const s of Object.values(saved)) expect(s.clearSince).toBeUndefined();
    let states = saved;
    const kinds: string[] = [];
    for (let i = 2; i < 8; i++) {
      const step = stepAlertStates(hysteresis, states, [good], t0 + i * minute);
      states = step.states;
      kinds.push(...step.events.map((e) => `${i}:${e.kind}`));
    }
    expect(kinds).toEqual(['6:resolved']);
  });

  it('a resolve window of 1m resolves on the first clear minute, as before the setting existed', () => {
    expect(run([bad, bad, good]).events).toEqual(['1:firing', '2:resolved']);
  });

  it('over any sequence: alternates firing/resolved, and every resolve follows resolveMs clear minutes in a row', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<'bad' | 'good' | 'thin'>('bad', 'good', 'thin'), { maxLength: 200 }),
        fc.integer({ min: 1, max: 15 }),
        (kinds, resolveMinutes) => {
          const seq = kinds.map((k) => obs(k === 'bad', k === 'thin' ? { insufficient: true } : {}));
          const p = { ...hysteresis, resolveMs: resolveMinutes * minute, repeatMs: 10_000 * minute };
          const { events } = run(seq, p);
          events.forEach((e, i) => expect(e.split(':')[1]).toBe(i % 2 === 0 ? 'firing' : 'resolved'));
          for (const e of events.filter((x) => x.endsWith('resolved'))) {
            const at = Number(e.split(':')[0]);
            const window = kinds.slice(at - resolveMinutes + 1, at + 1);
            expect(window).toHaveLength(resolveMinutes);
            expect(window).not.toContain('bad');
            expect(kinds[at]).toBe('good');
          }
        },
      ),
    );
  });
});

describe('a series state keeps its severity', () => {
  it("keeps the rule's severity on a firing series whose observations name none (threshold, anomaly, silence)", () => {
    const { states } = run([obs(true), obs(true)]);
    expect(Object.values(states).map((s) => [s.state, s.severity])).toEqual([['firing', 'page']]);
  });

  it("keeps an SLO observation's own severity over the rule's", () => {
    const { states } = run([obs(true, { severity: 'ticket' }), obs(true, { severity: 'ticket' })]);
    expect(Object.values(states).map((s) => [s.state, s.severity])).toEqual([['firing', 'ticket']]);
  });
});
