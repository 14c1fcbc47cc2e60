// Files for moments (朋友圈) posts: an image or video uploaded here goes to WeCom
// (media/upload_attachment) and comes back as the media_id a moment's attachments name — a media
// id is not something a marketer can type. Checked first against WeCom's rules (JPG/PNG images,
// MP4 videos, 10 MB), so a refusal names the file and what to do.
import { MEDIA_ID_TTL_SECONDS, MOMENT_MEDIA_RULES } from '@courtyard/wecom';
import { builder } from './builder.ts';
import { InputError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { rejectedBy, WeComRejectedError } from './wecom-errors.ts';
import { liveConnection } from './wecom-store.ts';

const WHAT = { image: 'a JPG or PNG image', video: 'an MP4 video (at most 30 s)' } as const;

const MediaTypeEnum = builder.enumType('WeComMediaType', {
  description: 'What a moments attachment is.',
  values: { image: { description: 'A JPG or PNG image, at most 10 MB.' }, video: { description: 'An MP4 video, at most 10 MB and 30 s.' } } as const,
});

interface Uploaded {
  mediaId: string;
  type: 'image' | 'video';
  name: string;
  size: number;
  expiresAt: Date;
}

const MediaRef = builder.objectRef<Uploaded>('WeComMedia').implement({
  description: 'A file uploaded to WeCom for a moments post.',
  fields: (t) => ({
    mediaId: t.exposeString('mediaId', { description: 'The media_id a moment\'s attachments take (imageMediaIds, videoMediaId, link.mediaId).' }),
    type: t.field({ type: MediaTypeEnum, description: 'Image or video.', resolve: (m) => m.type }),
    name: t.exposeString('name', { description: 'The file\'s name.' }),
    size: t.exposeInt('size', { description: 'Bytes.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'WeCom forgets the file after this (3 days): post before, or upload it again.' }),
  }),
});

builder.mutationFields((t) => ({
  uploadWeComMedia: t.field({
    type: MediaRef,
    description:
      'Uploads an image or video for a moments post to WeCom (media/upload_attachment, as a GraphQL multipart request) and returns its media_id, valid 3 days. Images: JPG or PNG; videos: MP4; at most 10 MB.',
    authScopes: { 'wecom:write': true },
    args: {
      file: t.arg({ type: 'File', required: true, description: 'The file.' }),
      type: t.arg({ type: MediaTypeEnum, required: true, description: 'Image or video.' }),
    },
    errors: { types: [InputError, WeComRejectedError], union: resultUnion('uploading a file to WeCom') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const file = args.file;
      const rule = MOMENT_MEDIA_RULES[args.type];
      const contentType = file.type || (file.name.toLowerCase().endsWith('.png') ? 'image/png' : /\.jpe?g$/i.test(file.name) ? 'image/jpeg' : file.name.toLowerCase().endsWith('.mp4') ? 'video/mp4' : '');
      if (!(rule.types as readonly string[]).includes(contentType)) {
        throw new InputError({ path: ['file'], message: `${file.name} is not ${WHAT[args.type]}; WeCom takes only that for a moment's ${args.type}`, code: 'invalid_type' });
      }
      if (file.size === 0 || file.size > rule.maxBytes) {
        throw new InputError({ path: ['file'], message: `${file.name} is ${file.size === 0 ? 'empty' : `${(file.size / 1024 / 1024).toFixed(1)} MB`}; WeCom takes files of at most 10 MB`, code: 'too_large' });
      }
      const conn = await liveConnection(ctx.db, workspaceId);
      if (!conn) throw new WeComRejectedError('WeCom is not connected: call connectWeCom first.', 'file', null);
      try {
        const data = Buffer.from(await file.arrayBuffer());
        const uploaded = await conn.client.uploadAttachment({ name: file.name, contentType, data }, args.type);
        return { mediaId: uploaded.media_id, type: args.type, name: file.name, size: file.size, expiresAt: new Date(Date.now() + MEDIA_ID_TTL_SECONDS * 1000) };
      } catch (error) {
        return rejectedBy(error, 'file');
      }
    },
  }),
}));
