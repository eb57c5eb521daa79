/** Why one item of a batch was refused; returned to the client and kept in the dead-letter store. */
export interface ItemError {
  index: number;
  code: ItemErrorCode;
  field?: string;
  message: string;
}

export type ItemErrorCode =
  'INVALID_JSON' | 'NOT_AN_OBJECT' | 'MISSING_FIELD' | 'INVALID_TYPE' | 'INVALID_VALUE' | 'OUT_OF_RANGE';

/** Thrown by field readers; turned into an ItemError by the item parser that knows the index. */
export class FieldError extends Error {
  constructor(
    readonly code: ItemErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
