import { describe, expect, it } from 'vitest';
import { placeErrors } from './task-errors';

describe('placing a refused staff task under its fields', () => {
  it('puts validation messages under the field they name, items under their list, and the rest on the form', () => {
    const placed = placeErrors({
      __typename: 'ValidationError', message: 'invalid', code: 'INVALID_INPUT',
      fields: [{ field: 'input.staffIds.1', message: '李四 has no WeCom userid' }, { field: 'input.link.url', message: 'Invalid URL' }, { field: 'input.staffIds.0', message: '王五 is deactivated' }, { field: 'input.other', message: 'odd' }],
    }, ['staffIds', 'link', 'link.url']);
    expect(placed).toEqual({ fields: { staffIds: '李四 has no WeCom userid; 王五 is deactivated', 'link.url': 'Invalid URL' }, rest: 'odd' });
  });

  it('a single-field error is reworded; one naming the whole input goes to the form', () => {
    const rejected = { __typename: 'WeComRejectedError', message: '60111 userid not found', code: 'WECOM_REJECTED', field: 'input.staffIds', wecomCode: 60111 };
    expect(placeErrors(rejected, ['staffIds'], (e) => `WeCom: ${e.message}`)).toEqual({ fields: { staffIds: 'WeCom: 60111 userid not found' }, rest: null });
    expect(placeErrors({ ...rejected, field: 'input', message: 'WeCom is not connected' }, ['staffIds'])).toEqual({ fields: {}, rest: 'WeCom is not connected' });
    expect(placeErrors({ __typename: 'Campaign' }, ['staffIds'])).toEqual({ fields: {}, rest: null });
  });
});
