import { gzipSync } from 'node:zlib';
import { encodeEdgeCarry, InvalidEdgeCarryError, parseEdgeCarry } from './edge-carry-file.js';

const carry = {
  heads: [['a1', 'payments']] as [string, string][],
  waiting: ['w1'],
  tails: [['t1', 'search']] as [string, string][],
  early: ['e1', 'e2'],
};

describe('the edge carry file', () => {
  it('reads back what it wrote, the same bytes for the same carry', () => {
    expect(parseEdgeCarry(encodeEdgeCarry(carry), 'k')).toEqual(carry);
    expect(encodeEdgeCarry(carry)).toEqual(encodeEdgeCarry({ ...carry }));
  });

  it('reads a v1 carry, written before tails and early edges (docs/adr/0096), as one with none of them', () => {
    const v1 = gzipSync(
      JSON.stringify({ format: 'gravix.edge-carry/v1', heads: carry.heads, waiting: ['w1'] }),
    );
    expect(parseEdgeCarry(v1, 'k')).toEqual({ heads: carry.heads, waiting: ['w1'], tails: [], early: [] });
  });

  it('refuses a v2 carry without its tails, naming the key and the field', () => {
    const bad = gzipSync(
      JSON.stringify({ format: 'gravix.edge-carry/v2', heads: [], waiting: [], early: [] }),
    );
    expect(() => parseEdgeCarry(bad, 'metrics/_edge_carry/x')).toThrow(InvalidEdgeCarryError);
    expect(() => parseEdgeCarry(bad, 'metrics/_edge_carry/x')).toThrow(
      "edge carry 'metrics/_edge_carry/x' field 'tails': Invalid input: expected array, received undefined",
    );
  });
});
