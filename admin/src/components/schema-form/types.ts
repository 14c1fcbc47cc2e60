// The part of JSON Schema (draft 2020-12) the form understands: what zod's toJSONSchema writes for
// configs (objects, strings, numbers, enums, arrays, records, oneOf/anyOf, $ref to $defs).
export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  title?: string;
  description?: string;
  'x-description-en'?: string;
  /** Write-only (a signing key, a token): the API reads it back only as SECRET_PLACEHOLDER. */
  'x-secret'?: boolean;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

export type FormLocale = 'zh-CN' | 'en';

/** A variable a template field offers, e.g. `customer.name` with "客户姓名". */
export interface TemplateVariable {
  name: string;
  hint: string;
}

/** One problem of a value, by its path inside the value (`branches.0.weight`). */
export interface FormProblem {
  path: string;
  code: 'required' | 'type' | 'minLength' | 'maxLength' | 'minimum' | 'maximum' | 'pattern' | 'format' | 'enum' | 'minItems' | 'maxItems';
  params?: Record<string, string | number>;
}
