import { isIdSegment, normalisePath } from './normalise-path.js';

describe('normalisePath', () => {
  it.each([
    ['/users/123/orders/456', '/users/:id/orders/:id'],
    ['/orders/550e8400-e29b-41d4-a716-446655440000', '/orders/:id'],
    ['/blobs/deadbeef01234567', '/blobs/:id'],
    ['/sessions/aZ3kP9qLm2Xv7Yt0wQ1eR5', '/sessions/:id'],
    ['/api//v1/items/?page=2#top', '/api/v1/items'],
    ['/', '/'],
    ['', '/'],
    ['/users/:id', '/users/:id'],
    ['orders//12/lines/?x=1', '/orders/:id/lines'],
    ['/v1/1234567/abcdefg', '/v1/:id/abcdefg'],
  ])('templates %j as %j', (raw, expected) => {
    expect(normalisePath(raw)).toBe(expected);
  });

  it('keeps short words and version segments that merely look hex-ish', () => {
    expect(normalisePath('/cafe/add/v2/beef')).toBe('/cafe/add/v2/beef');
  });
});

describe('isIdSegment', () => {
  it.each([
    ['123', true],
    ['550E8400-E29B-41D4-A716-446655440000', true],
    ['deadbeef', false],
    ['deadbee1', true],
    ['aZ3kP9qLm2Xv7Yt0wQ1eR5', true],
    ['aZ3kP9qLm2Xv7Yt0wQ1', false],
    ['abcdefghijklmnopqrstuvwxyz', false],
    ['v2', false],
    ['item.json', false],
    ['12.5', false],
    ['', false],
  ])('%j is an id: %s', (segment, expected) => {
    expect(isIdSegment(segment)).toBe(expected);
  });
});
