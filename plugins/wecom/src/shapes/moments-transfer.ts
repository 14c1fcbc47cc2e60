import { z } from 'zod';
import { NextCursor } from './envelope.ts';

// Moments (notes §8) and customer transfer (notes §9).

export const AddMomentTaskRequest = z.object({
  text: z.object({ content: z.string() }).optional(),
  attachments: z
    .array(
      z.object({
        msgtype: z.enum(['image', 'video', 'link']),
        image: z.object({ media_id: z.string() }).optional(),
        video: z.object({ media_id: z.string() }).optional(),
        link: z.object({ title: z.string().optional(), url: z.string(), media_id: z.string() }).optional(),
      }),
    )
    .optional(),
  visible_range: z
    .object({
      sender_list: z.object({ user_list: z.array(z.string()).optional(), department_list: z.array(z.number().int()).optional() }).optional(),
      external_contact_list: z.object({ tag_list: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
});
export type AddMomentTaskRequest = z.infer<typeof AddMomentTaskRequest>;

export const AddMomentTaskResponse = z.object({ jobid: z.string() });
export type AddMomentTaskResponse = z.infer<typeof AddMomentTaskResponse>;

export const JobIdRequest = z.object({ jobid: z.string().min(1) });
export type JobIdRequest = z.infer<typeof JobIdRequest>;

export const MomentTaskResultResponse = z.object({
  /** 1 started, 2 creating, 3 done. */
  status: z.number().int(),
  type: z.string(),
  result: z
    .object({
      errcode: z.number().int(),
      errmsg: z.string(),
      moment_id: z.string().optional(),
      invalid_sender_list: z.object({ user_list: z.array(z.string()).optional(), department_list: z.array(z.number().int()).optional() }).optional(),
      invalid_external_contact_list: z.object({ tag_list: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
});
export type MomentTaskResultResponse = z.infer<typeof MomentTaskResultResponse>;

export const GetMomentTaskRequest = z.object({ moment_id: z.string().min(1), cursor: z.string().optional(), limit: z.number().int().positive().optional() });
export type GetMomentTaskRequest = z.infer<typeof GetMomentTaskRequest>;

/** publish_status: 0 not published, 1 published. */
export const GetMomentTaskResponse = z.object({
  task_list: z.array(z.object({ userid: z.string(), publish_status: z.number().int() })),
  next_cursor: NextCursor,
});
export type GetMomentTaskResponse = z.infer<typeof GetMomentTaskResponse>;

export const MomentIdRequest = z.object({ moment_id: z.string().min(1) });
export type MomentIdRequest = z.infer<typeof MomentIdRequest>;

export const TransferCustomerRequest = z.object({
  handover_userid: z.string().min(1),
  takeover_userid: z.string().min(1),
  external_userid: z.array(z.string()).min(1).max(100),
  transfer_success_msg: z.string().max(200).optional(),
});
export type TransferCustomerRequest = z.infer<typeof TransferCustomerRequest>;

export const TransferCustomerResponse = z.object({ customer: z.array(z.object({ external_userid: z.string(), errcode: z.number().int() })) });
export type TransferCustomerResponse = z.infer<typeof TransferCustomerResponse>;

export const TransferResultRequest = z.object({ handover_userid: z.string().min(1), takeover_userid: z.string().min(1), cursor: z.string().optional() });
export type TransferResultRequest = z.infer<typeof TransferResultRequest>;

/** status: 1 done, 2 waiting, 3 refused by the customer, 4 takeover member full, 5 no record (on-job only). */
export const TransferResultResponse = z.object({
  customer: z.array(z.object({ external_userid: z.string(), status: z.number().int(), takeover_time: z.number().int().optional() })),
  next_cursor: NextCursor,
});
export type TransferResultResponse = z.infer<typeof TransferResultResponse>;

/** media/upload_attachment's answer (created_at is a Unix time; some copies of the doc show it as a string). */
export const UploadAttachmentResponse = z.object({ type: z.string(), media_id: z.string().min(1), created_at: z.union([z.string(), z.number()]).optional() });
export type UploadAttachmentResponse = z.infer<typeof UploadAttachmentResponse>;

/** What media/upload_attachment takes for moments (notes §8): JPG/PNG images and MP4 videos, at most 10 MB. */
export const MOMENT_MEDIA_RULES = {
  image: { maxBytes: 10 * 1024 * 1024, types: ['image/jpeg', 'image/png'] },
  video: { maxBytes: 10 * 1024 * 1024, types: ['video/mp4'] },
} as const satisfies Record<'image' | 'video', { maxBytes: number; types: readonly string[] }>;

/** How long WeCom keeps an uploaded attachment's media_id: 3 days (its temporary-media lifetime; the notes do not give it). */
export const MEDIA_ID_TTL_SECONDS = 3 * 86_400;
