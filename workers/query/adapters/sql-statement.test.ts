import { SqlParams, sqlString, toPositional } from './sql-statement.js';
import { buildTrinoExecute } from './trino-query-engine.js';

describe('SqlParams', () => {
  it('numbers placeholders in the order values are bound', () => {
    const p = new SqlParams();
    const text = `a = ${p.bind('x')} AND b < ${p.bind(5)}`;
    expect(p.statement(text)).toEqual({ text: 'a = $1 AND b < $2', params: ['x', 5] });
  });

  it('refuses a number that is not a safe integer and a string holding NUL', () => {
    const p = new SqlParams();
    expect(() => p.bind(1.5)).toThrow('a bound number must be a safe integer, got 1.5');
    expect(() => p.bind(2 ** 53)).toThrow('a bound number must be a safe integer, got 9007199254740992');
    expect(() => p.bind(Number.NaN)).toThrow('a bound number must be a safe integer, got NaN');
    expect(() => p.bind('a\u0000b')).toThrow('a bound string must not contain NUL');
  });
});

describe('toPositional', () => {
  it('orders values as the placeholders appear and repeats a value used twice', () => {
    const statement = { text: 'x = $2 AND y BETWEEN $1 AND $2 LIMIT $3', params: ['a', 'b', 10] };
    expect(toPositional(statement)).toEqual({
      text: 'x = ? AND y BETWEEN ? AND ? LIMIT ?',
      params: ['b', 'a', 'b', 10],
    });
  });

  it('reads $10 and later as one placeholder, not $1 followed by a digit', () => {
    const params = Array.from({ length: 11 }, (_, i) => i);
    expect(toPositional({ text: 'a = $11 AND b = $1', params })).toEqual({
      text: 'a = ? AND b = ?',
      params: [10, 0],
    });
  });

  it('refuses a placeholder without a parameter', () => {
    expect(() => toPositional({ text: 'x = $2', params: ['a'] })).toThrow('placeholder $2 has no parameter');
  });
});

describe('buildTrinoExecute', () => {
  it('sends the text as one literal and each value as a typed literal of USING', () => {
    expect(buildTrinoExecute({ text: "SELECT 'k' WHERE s = $1 LIMIT $2", params: ["o'x", 3] })).toBe(
      "EXECUTE IMMEDIATE 'SELECT ''k'' WHERE s = ? LIMIT ?' USING 'o''x', BIGINT '3'",
    );
  });

  it('runs a statement without values as it is', () => {
    expect(buildTrinoExecute({ text: 'SELECT 1 AS ok', params: [] })).toBe('SELECT 1 AS ok');
  });
});

describe('sqlString', () => {
  it('doubles quotes and refuses NUL, which could cut a literal inside an engine', () => {
    expect(sqlString("x' OR '1'='1")).toBe("'x'' OR ''1''=''1'");
    expect(() => sqlString('a\u0000b')).toThrow('a SQL string literal must not contain NUL');
  });
});
