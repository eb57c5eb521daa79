import {
  ApiResponseError,
  ApiUnauthorizedError,
  ApiUnreachableError,
  buildApiError,
  describeApiError,
  parseErrorBody,
} from './api-errors.js';

describe('parseErrorBody', () => {
  it('reads the API error shape', () => {
    const body = {
      error: { code: 'INVALID_PARAM', message: 'from must be ms', field: 'from', request_id: 'r1' },
    };
    expect(parseErrorBody(400, body)).toEqual({
      code: 'INVALID_PARAM',
      message: 'from must be ms',
      field: 'from',
      requestId: 'r1',
    });
  });

  it('still gives a message for a body that is not the API shape', () => {
    expect(parseErrorBody(500, '<html>')).toEqual({
      code: 'HTTP_500',
      message: 'The query API answered HTTP 500',
      field: null,
      requestId: null,
    });
  });
});

describe('buildApiError', () => {
  it('maps 401 to the login error', () => {
    const error = buildApiError(401, {
      error: { code: 'UNAUTHORIZED', message: 'bad token', request_id: 'r2' },
    });
    expect(error).toBeInstanceOf(ApiUnauthorizedError);
    expect(error.message).toBe('bad token');
  });

  it('treats a proxy 502 without an API body as unreachable', () => {
    expect(buildApiError(502, 'Bad Gateway')).toBeInstanceOf(ApiUnreachableError);
  });

  it('keeps status, code and request id of other errors', () => {
    const error = buildApiError(503, {
      error: { code: 'ENGINE_DOWN', message: 'DuckDB closed', request_id: 'r3' },
    });
    expect(error).toBeInstanceOf(ApiResponseError);
    expect(error).toMatchObject({
      status: 503,
      code: 'ENGINE_DOWN',
      requestId: 'r3',
      message: 'DuckDB closed',
    });
  });
});

describe('describeApiError', () => {
  it('names a refusal as such, other answers by message and code, and anything else by its message', () => {
    const body = (code: string, message: string) => ({ error: { code, message } });
    expect(describeApiError(buildApiError(403, body('FORBIDDEN', 'needs operator')))).toBe(
      'Not allowed (403 FORBIDDEN): needs operator',
    );
    expect(describeApiError(buildApiError(409, body('VIEW_NAME_TAKEN', 'a view named x exists')))).toBe(
      'a view named x exists (VIEW_NAME_TAKEN)',
    );
    expect(describeApiError(new Error('boom'))).toBe('boom');
    expect(describeApiError('text')).toBe('text');
  });
});
