// Errors of the WeCom integration a client can act on: WeCom refused a call (with the input field
// the refusal is about), or a welcome message uses a variable Courtyard does not know.
import { WeComError, WeComTransportError } from '@courtyard/wecom';
import { builder } from './builder.ts';
import { CourtyardError } from './errors.ts';
import { ErrorInterface } from './error-types.ts';

/** WeCom answered with an errcode (or not at all) for a call made on the caller's behalf. Nothing was stored. */
export class WeComRejectedError extends CourtyardError {
  constructor(
    message: string,
    /** The input field the refusal is about, e.g. `input.agentSecret`. */
    readonly field: string,
    /** WeCom's errcode; null when WeCom could not be reached or answered out of shape. */
    readonly wecomCode: number | null,
  ) {
    super(message, 'WECOM_REJECTED');
  }
}

/** A `{{name}}` in a welcome message that is not one of WELCOME_VARIABLES. */
export class UnknownVariableError extends CourtyardError {
  constructor(
    readonly field: string,
    readonly variable: string,
    readonly known: readonly string[],
  ) {
    super(`${field}: unknown variable {{${variable}}}; use one of ${known.map((k) => `{{${k}}}`).join(', ')}.`, 'UNKNOWN_VARIABLE');
  }
}

builder.objectType(WeComRejectedError, {
  name: 'WeComRejectedError',
  description: 'WeCom refused the call made for this request (or could not be reached); `field` names the input it is about. Nothing was stored.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof WeComRejectedError,
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field WeCom\'s answer is about, e.g. "input.agentSecret".' }),
    wecomCode: t.exposeInt('wecomCode', { nullable: true, description: 'WeCom\'s errcode (e.g. 40001 invalid secret, 60111 unknown userid); null when WeCom was not reached.' }),
  }),
});

builder.objectType(UnknownVariableError, {
  name: 'UnknownVariableError',
  description: 'A welcome message uses a {{variable}} Courtyard cannot fill. Nothing was stored.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof UnknownVariableError,
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field holding the variable, e.g. "input.welcome.text".' }),
    variable: t.exposeString('variable', { description: 'The unknown variable\'s name, without braces.' }),
    known: t.exposeStringList('known', { description: 'The variables that may be used.' }),
  }),
});

/** What a WeCom errcode means for the person who sent the input, as text. */
const MEANINGS: Record<number, string> = {
  40001: 'the agent secret is not valid',
  40091: 'the agent secret is not valid',
  40013: 'the corp id is not valid',
  48002: 'the app of this secret may not call customer-contact APIs: add it under 客户联系 → 可调用接口的应用 in the WeCom admin',
  60020: 'this server\'s IP is not among the app\'s trusted IPs',
  60111: 'WeCom does not know one of the staff userids',
  40007: 'WeCom does not know this media_id, or it is more than 3 days old: upload the file again (uploadWeComMedia)',
  45009: 'WeCom\'s rate limit was reached; try again in a minute',
  [-1]: 'WeCom is busy; try again',
};

/**
 * Turns what the WeCom client threw into a typed error for `field` (or the field the code is
 * about, when `fieldOf` knows it); anything else is re-thrown.
 */
export function rejectedBy(error: unknown, field: string, fieldOf: Record<number, string> = {}): never {
  if (error instanceof WeComError) {
    const meaning = MEANINGS[error.code] ?? `WeCom refused ${error.api}`;
    throw new WeComRejectedError(`WeCom answered ${error.code}: ${meaning}.`, fieldOf[error.code] ?? field, error.code);
  }
  if (error instanceof WeComTransportError) {
    throw new WeComRejectedError(`WeCom could not be reached or answered out of shape (${error.message}).`, fieldOf[0] ?? field, null);
  }
  throw error;
}
