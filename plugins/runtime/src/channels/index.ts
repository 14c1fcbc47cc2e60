import { emailDriver } from './email.ts';
import { logDriver } from './log.ts';
import type { ChannelConnection, ChannelContext, ChannelDriver } from './types.ts';
import { webhookDriver } from './webhook.ts';
import { wecomDriver } from './wecom.ts';

export type { ChannelConnection, ChannelContext, ChannelDriver, ChannelSendResult, OutboundMessage, WeComRuntimeOptions } from './types.ts';
export { createLogDriver, LogChannelConfig, type LogSink } from './log.ts';
export { WebhookChannelConfig, batchWebhookId } from './webhook.ts';
export { EmailChannelConfig, IDEMPOTENCY_HEADER, messageIdFor } from './email.ts';
export { WecomChannelConfig } from './wecom.ts';

export type ChannelType = ChannelDriver['type'];

/** Every channel kind by its type: what the admin lists and what the dispatcher opens. */
export const channelDrivers = {
  log: logDriver,
  webhook: webhookDriver,
  email: emailDriver,
  wecom: wecomDriver,
} satisfies Record<ChannelType, ChannelDriver>;

export const CHANNEL_TYPES = Object.keys(channelDrivers) as ChannelType[];

export interface ChannelConfigIssue {
  /** Path of the wrong field inside the config, e.g. ['url']; ['type'] for an unknown channel type. */
  path: string[];
  message: string;
}

/** A stored or submitted channel config that does not fit its driver: each wrong field with why. */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
  readonly issues: ChannelConfigIssue[];
  constructor(issues: ChannelConfigIssue[]) {
    super(issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; '));
    this.issues = issues;
  }
}

function isChannelType(type: string): type is ChannelType {
  return Object.hasOwn(channelDrivers, type);
}

/** Validates `rawConfig` against the driver's schema, throwing ChannelConfigError if it does not fit. */
export function parseChannelConfig(type: string, rawConfig: unknown): unknown {
  if (!isChannelType(type)) {
    throw new ChannelConfigError([{ path: ['type'], message: `unknown channel type "${type}"; use one of ${CHANNEL_TYPES.join(', ')}` }]);
  }
  const result = channelDrivers[type].config.safeParse(rawConfig ?? {});
  if (!result.success) {
    throw new ChannelConfigError(result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })));
  }
  return result.data;
}

/** Opens a connection of the given type from a stored config; throws ChannelConfigError naming bad fields. */
export function openChannel(type: string, rawConfig: unknown, context?: ChannelContext): ChannelConnection {
  const config = parseChannelConfig(type, rawConfig);
  // The config was parsed by this very driver's schema just above.
  const driver = channelDrivers[type as ChannelType] as ChannelDriver;
  return driver.open(config, context);
}
