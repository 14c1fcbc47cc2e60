// A moments post as the form edits it and as the API takes it (text and 9 images, or 1 video, or
// 1 link: WeCom does not mix them), what a stored post carries, and how many of today's moments
// each staff member already has (a customer sees the moments of every staff member they follow, so
// a member at the daily limit has customers who can see no more today).
import type { WeComMomentInput } from '@/gql/graphql';

export const ATTACHMENTS = ['none', 'images', 'video', 'link'] as const;
export type AttachmentKind = (typeof ATTACHMENTS)[number];
export const MAX_IMAGES = 9;

export interface MomentForm {
  staffIds: string[];
  text: string;
  attachment: AttachmentKind;
  imageMediaIds: string[];
  videoMediaId: string;
  link: { title: string; url: string; mediaId: string };
}

export const emptyMomentForm = (): MomentForm => ({ staffIds: [], text: '', attachment: 'none', imageMediaIds: [''], videoMediaId: '', link: { title: '', url: '', mediaId: '' } });

export function toMomentInput(form: MomentForm): WeComMomentInput {
  const images = form.imageMediaIds.map((m) => m.trim()).filter(Boolean);
  return {
    staffIds: form.staffIds,
    text: form.text.trim() || null,
    imageMediaIds: form.attachment === 'images' && images.length ? images : null,
    videoMediaId: form.attachment === 'video' && form.videoMediaId.trim() ? form.videoMediaId.trim() : null,
    link: form.attachment === 'link' ? { title: form.link.title.trim() || null, url: form.link.url.trim(), mediaId: form.link.mediaId.trim() } : null,
  };
}

/** What a stored moment carries, from its attachments as sent to WeCom. */
export function attachmentSummary(attachments: unknown): { kind: AttachmentKind; count: number; title: string | null } {
  const list = Array.isArray(attachments) ? (attachments as Array<{ msgtype?: string; link?: { title?: string; url?: string } }>) : [];
  const first = list[0];
  if (!first) return { kind: 'none', count: 0, title: null };
  if (first.msgtype === 'link') return { kind: 'link', count: 1, title: first.link?.title ?? first.link?.url ?? null };
  if (first.msgtype === 'video') return { kind: 'video', count: 1, title: null };
  return { kind: 'images', count: list.length, title: null };
}

/** Today (YYYY-MM-DD) in the workspace's time zone, as the API counts a moment's day. */
export function dayIn(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

interface CountedMoment { day: string; status: string; tasks: ReadonlyArray<{ staffUserId: string }> }

/** Per staff userid: moments of `day` given to them that count against the limit (all but failed ones). */
export function momentsPerStaff(moments: readonly CountedMoment[], day: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of moments) {
    if (m.day !== day || m.status === 'failed') continue;
    for (const task of m.tasks) out.set(task.staffUserId, (out.get(task.staffUserId) ?? 0) + 1);
  }
  return out;
}
