// Customer fields an attribute condition can compare, with the operators that fit each type.
// The language's meaning checks (operators per field type) live in the API's validator; the builder
// offers only what those checks accept, intersected with the operators the JSON Schema lists.
export type FieldType = 'string' | 'enum' | 'boolean' | 'number' | 'money' | 'date' | 'custom';

export const BUILTIN_FIELDS: Record<string, FieldType> = {
  name: 'string', phone: 'string', email: 'string', city: 'string', sourceChannel: 'string', wecomExternalId: 'string', unionId: 'string',
  gender: 'enum', lifecycleStage: 'enum',
  marketingConsent: 'boolean', blacklisted: 'boolean',
  orderCount: 'number', totalSpent: 'money',
  birthday: 'date', createdAt: 'date', updatedAt: 'date', lastOrderAt: 'date',
};

export const ENUM_VALUES: Record<string, string[]> = {
  gender: ['male', 'female', 'unknown'],
  lifecycleStage: ['lead', 'prospect', 'customer', 'repeat', 'vip', 'churned'],
};

const STRING_OPS = ['equals', 'notEquals', 'in', 'notIn', 'contains', 'startsWith', 'isSet', 'isNotSet'];
const NUMBER_OPS = ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between'];
const DATE_OPS = ['before', 'after', 'between', 'withinLastDays', 'notWithinLastDays', 'isSet', 'isNotSet'];

export const OPERATORS_BY_TYPE: Record<FieldType, string[] | null> = {
  string: STRING_OPS,
  enum: ['equals', 'notEquals', 'in', 'notIn'],
  boolean: ['equals'],
  number: NUMBER_OPS,
  money: NUMBER_OPS,
  date: DATE_OPS,
  custom: null, // every operator of the schema
};

export function fieldType(field: string): FieldType {
  return BUILTIN_FIELDS[field] ?? 'custom';
}

/** Order metrics: which are amounts (fen in the language, yuan on screen) and which are dates. */
export const ORDER_METRIC_TYPE: Record<string, 'number' | 'money' | 'date'> = {
  count: 'number', totalSpent: 'money', averageOrderValue: 'money', lastOrderAt: 'date', firstOrderAt: 'date',
};
export const ORDER_OPS_BY_TYPE = { number: ['equals', 'gt', 'gte', 'lt', 'lte', 'between'], money: ['equals', 'gt', 'gte', 'lt', 'lte', 'between'], date: DATE_OPS };

/** How an operator takes its value. */
export type ValueShape = 'none' | 'one' | 'list' | 'range' | 'days';
export function valueShape(operator: string): ValueShape {
  if (operator === 'isSet' || operator === 'isNotSet' || operator === 'exists') return 'none';
  if (operator === 'in' || operator === 'notIn') return 'list';
  if (operator === 'between') return 'range';
  if (operator === 'withinLastDays' || operator === 'notWithinLastDays') return 'days';
  return 'one';
}
