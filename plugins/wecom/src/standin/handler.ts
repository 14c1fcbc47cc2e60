import type { z } from 'zod';
import type { endpoints, WeComApi, WeComResponse } from '../endpoints.ts';
import type { ReceiveLimitMode, StandInState } from './state.ts';

/** Settings the API handlers read. */
export interface HandlerSettings {
  welcomeCodeTtlMs: number;
  receiveLimit: ReceiveLimitMode;
  /** Where qr_code URLs point; the stand-in serves nothing there. */
  qrCodeBase: string;
}

export type ApiHandler<A extends WeComApi> = (
  state: StandInState,
  request: z.output<(typeof endpoints)[A]['request']>,
  settings: HandlerSettings,
) => WeComResponse<A>;

export type ApiHandlers = { [A in WeComApi]?: ApiHandler<A> };

/** Offset cursors: WeCom's are opaque strings, and the stand-in's are too as far as callers know. */
export function page<T>(items: T[], cursor: string | undefined, limit: number): { items: T[]; next_cursor: string } {
  const start = cursor ? Number.parseInt(cursor, 36) || 0 : 0;
  const slice = items.slice(start, start + limit);
  const next = start + slice.length;
  return { items: slice, next_cursor: next < items.length ? next.toString(36) : '' };
}

export const clamp = (value: number | undefined, fallback: number, max: number) => Math.min(Math.max(value ?? fallback, 1), max);
