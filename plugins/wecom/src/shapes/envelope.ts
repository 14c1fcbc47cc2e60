import { z } from 'zod';

// Every WeCom answer carries errcode/errmsg next to its own fields (notes §1 "Envelope").
export const Envelope = z.object({ errcode: z.number().int(), errmsg: z.string() });
export type Envelope = z.infer<typeof Envelope>;

export const AccessTokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
export type AccessTokenResponse = z.infer<typeof AccessTokenResponse>;

/** Answers that are the envelope only (del_contact_way, mark_tag, send_welcome_msg, …). */
export const EmptyResponse = z.object({});
export type EmptyResponse = z.infer<typeof EmptyResponse>;

/** Cursor pages end with an empty (or absent) next_cursor. */
export const NextCursor = z.string().optional();
