import { builder } from './builder.ts';
import { ConflictError, type CourtyardError, InputError, InvalidCredentialsError, NotFoundError, type FieldIssue } from './errors.ts';

export const ErrorInterface = builder.interfaceRef<CourtyardError>('Error').implement({
  description: 'Something the client can fix. Every mutation result union includes the errors it can return.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong and what to do, in English.' }),
    code: t.exposeString('code', { description: 'A stable machine-readable code, e.g. INVALID_INPUT, NOT_FOUND, CONFLICT.' }),
  }),
});

export const FieldErrorRef = builder.objectRef<FieldIssue>('FieldError').implement({
  description: 'One input field that was wrong.',
  fields: (t) => ({
    path: t.exposeStringList('path', { description: 'Path from the argument to the field, e.g. ["customers", "3", "phone"].' }),
    field: t.string({ description: 'The same path joined with dots, e.g. "customers.3.phone".', resolve: (i) => i.path.join('.') }),
    message: t.exposeString('message', { description: 'What is wrong with the value and what is accepted.' }),
    code: t.exposeString('code', { description: 'A machine-readable reason, e.g. invalid, too_big, invalid_id.' }),
  }),
});

builder.objectType(InputError, {
  name: 'ValidationError',
  description: 'The input was not accepted; `fields` names every field that was wrong. Nothing was stored.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InputError,
  fields: (t) => ({
    fields: t.field({ type: [FieldErrorRef], description: 'Each wrong field with its reason.', resolve: (e) => e.issues }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'An ID in the input names nothing in this workspace.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field that held the ID.' }),
    id: t.exposeString('id', { description: 'The ID that was not found.' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The write would break a uniqueness rule, e.g. a phone number that already belongs to another customer.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConflictError,
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field whose value is already taken.' }),
  }),
});

builder.objectType(InvalidCredentialsError, {
  name: 'InvalidCredentialsError',
  description: 'The email or password is wrong.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidCredentialsError,
  fields: () => ({}),
});

/** Union options for a mutation result, so every generated union carries a description. */
export function resultUnion(what: string) {
  return { description: `The result of ${what}: the success payload or an error that says what to fix.` };
}

export interface BatchItemError {
  index: number;
  error: InputError | NotFoundError | ConflictError;
}

export const BatchItemErrorRef = builder.objectRef<BatchItemError>('BatchItemError').implement({
  description: 'Why one item of a batch was rejected.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position of the item in the batch, from 0.' }),
    message: t.string({ description: 'What is wrong with the item.', resolve: (e) => e.error.message }),
    code: t.string({ description: 'Machine-readable code: INVALID_INPUT, NOT_FOUND or CONFLICT.', resolve: (e) => e.error.code }),
    fields: t.field({
      type: [FieldErrorRef],
      description: 'The item\'s wrong fields, with paths from the argument (e.g. ["events", "3", "occurredAt"]).',
      resolve: (e) => (e.error instanceof InputError ? e.error.issues : 'field' in e.error ? [{ path: e.error.field.split('.'), message: e.error.message, code: e.error.code }] : []),
    }),
  }),
});

export const DeletedRef = builder.objectRef<{ id: string }>('Deleted').implement({
  description: 'Something was deleted.',
  fields: (t) => ({
    deletedId: t.id({ description: 'The global ID of what was deleted.', resolve: (d) => d.id }),
  }),
});
