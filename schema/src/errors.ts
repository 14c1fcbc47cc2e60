// Errors a client can act on. Each class maps to a GraphQL object implementing `Error`; mutations
// list the ones they can return and the errors plugin turns a thrown instance into that member of
// the mutation's result union.
import type { StandardSchemaV1 } from '@standard-schema/spec';

export interface FieldIssue {
  /** Path of the offending input field, from the argument down: ['input', 'phone'] or ['customers', '3', 'email']. */
  path: string[];
  message: string;
  code: string;
}

export class CourtyardError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that cannot be accepted as sent; names every field that is wrong. */
export class InputError extends CourtyardError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[] | FieldIssue, message?: string) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(message ?? list.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '), 'INVALID_INPUT');
    this.issues = list;
  }
}

export class NotFoundError extends CourtyardError {
  constructor(readonly entity: string, readonly field: string, readonly id: string) {
    super(`No ${entity} with id ${id} in this workspace (field \`${field}\`).`, 'NOT_FOUND');
  }
}

/** The write would break a uniqueness rule: e.g. a phone already belongs to another customer. */
export class ConflictError extends CourtyardError {
  constructor(message: string, readonly field: string, readonly existingId?: string) {
    super(message, 'CONFLICT');
  }
}

export class InvalidCredentialsError extends CourtyardError {
  constructor() {
    super('Email or password is wrong.', 'INVALID_CREDENTIALS');
  }
}

export function issuesFromStandardSchema(issues: readonly StandardSchemaV1.Issue[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)),
    message: issue.message,
    code: 'invalid',
  }));
}


/** An input scalar value that did not parse; carried to the resolver so a batch can report it per item. */
export class InvalidValue {
  constructor(readonly message: string) {}
}

/** A write hit a unique index (Prisma's P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'P2002';
}
