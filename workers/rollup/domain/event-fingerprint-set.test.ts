import fc from 'fast-check';
import { DedupeBudgetExceededError, EventFingerprintSet } from './event-fingerprint-set.js';

describe('EventFingerprintSet.reserve', () => {
  it('answers every add exactly as a set that grew step by step, wherever and however much it reserves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(3_000), { minLength: 1, maxLength: 4_000 }),
        fc.array(fc.tuple(fc.nat(4_000), fc.nat(50_000)), { maxLength: 4 }),
        (ids, reserves) => {
          const [plain, reserved] = [new EventFingerprintSet(16), new EventFingerprintSet(16)];
          ids.forEach((n, i) => {
            for (const [at, count] of reserves) if (at === i) reserved.reserve(count);
            expect(reserved.add(`e-${n}`)).toBe(plain.add(`e-${n}`));
          });
          expect(reserved.size).toBe(plain.size);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('still throws DEDUPE_BUDGET_EXCEEDED past maxSize after reserving more than maxSize', () => {
    const set = new EventFingerprintSet(16, { maxSize: 100 });
    set.reserve(1_000_000);
    for (let i = 0; i < 100; i++) set.add(`e-${i}`);
    expect(() => set.add('e-100')).toThrow(DedupeBudgetExceededError);
  });
});
