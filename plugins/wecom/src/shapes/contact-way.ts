import { z } from 'zod';
import { NextCursor } from './envelope.ts';

// 「联系我」 live QR codes (notes §4).

const Conclusions = z.object({
  text: z.object({ content: z.string() }).optional(),
  image: z.object({ media_id: z.string().optional(), pic_url: z.string().optional() }).optional(),
  link: z.object({ title: z.string(), picurl: z.string().optional(), desc: z.string().optional(), url: z.string() }).optional(),
  miniprogram: z.object({ title: z.string(), pic_media_id: z.string(), appid: z.string(), page: z.string() }).optional(),
});

const ContactWayFields = {
  style: z.number().int().optional(),
  remark: z.string().max(30).optional(),
  skip_verify: z.boolean().optional(),
  state: z.string().max(30).optional(),
  user: z.array(z.string()).max(100).optional(),
  party: z.array(z.number().int()).optional(),
  expires_in: z.number().int().optional(),
  chat_expires_in: z.number().int().optional(),
  unionid: z.string().optional(),
  conclusions: Conclusions.optional(),
};

export const AddContactWayRequest = z.object({
  type: z.union([z.literal(1), z.literal(2)]),
  scene: z.union([z.literal(1), z.literal(2)]),
  is_temp: z.boolean().optional(),
  ...ContactWayFields,
});
export type AddContactWayRequest = z.infer<typeof AddContactWayRequest>;

export const AddContactWayResponse = z.object({ config_id: z.string(), qr_code: z.string().optional() });
export type AddContactWayResponse = z.infer<typeof AddContactWayResponse>;

export const ConfigIdRequest = z.object({ config_id: z.string().min(1) });
export type ConfigIdRequest = z.infer<typeof ConfigIdRequest>;

export const UpdateContactWayRequest = z.object({ config_id: z.string().min(1), ...ContactWayFields });
export type UpdateContactWayRequest = z.infer<typeof UpdateContactWayRequest>;

export const ContactWay = z.object({
  config_id: z.string(),
  type: z.number().int(),
  scene: z.number().int(),
  qr_code: z.string().optional(),
  is_temp: z.boolean().optional(),
  ...ContactWayFields,
});
export type ContactWay = z.infer<typeof ContactWay>;

export const GetContactWayResponse = z.object({ contact_way: ContactWay });
export type GetContactWayResponse = z.infer<typeof GetContactWayResponse>;

export const ListContactWayRequest = z.object({
  start_time: z.number().int().optional(),
  end_time: z.number().int().optional(),
  cursor: z.string().optional(),
  limit: z.number().int().positive().optional(),
});
export type ListContactWayRequest = z.infer<typeof ListContactWayRequest>;

export const ListContactWayResponse = z.object({ contact_way: z.array(z.object({ config_id: z.string() })), next_cursor: NextCursor });
export type ListContactWayResponse = z.infer<typeof ListContactWayResponse>;
