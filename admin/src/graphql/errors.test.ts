import { describe, expect, it } from 'vitest';
import { errorMessage, fieldErrors, isApiError } from './errors';

describe('API error helpers', () => {
  it('puts each field message of a ValidationError next to its field, without the input prefix', () => {
    const result = {
      __typename: 'ValidationError',
      message: 'Fix the fields',
      code: 'INVALID_INPUT',
      fields: [
        { field: 'input.email', message: 'is not an email' },
        { field: 'input.email', message: 'is taken' },
        { field: 'input.name', message: 'is empty' },
      ],
    };
    expect(isApiError(result)).toBe(true);
    expect(fieldErrors(result)).toEqual({ email: 'is not an email; is taken', name: 'is empty' });
  });

  it('reads a ConflictError as a message on its field, and a payload as no error', () => {
    expect(fieldErrors({ __typename: 'ConflictError', message: 'Name taken', code: 'CONFLICT', field: 'input.name' })).toEqual({ name: 'Name taken' });
    expect(isApiError({ __typename: 'CreateTagPayload' })).toBe(false);
    expect(errorMessage({ __typename: 'CreateTagPayload' })).toBeNull();
  });

  it('strips urql\'s transport prefix from a network error', () => {
    expect(errorMessage(null, { message: '[Network] Failed to fetch' })).toBe('Failed to fetch');
  });
});
