// Shapes of the taxonomy as the page reads it, and the colours offered for tags.
import type { TagTaxonomyQuery } from '@/gql/graphql';

export type TagGroup = TagTaxonomyQuery['tagGroups'][number];
export type Tag = TagGroup['tags'][number];
export type TagGroupKind = TagGroup['kind'];

export const KINDS: TagGroupKind[] = ['basic', 'intent', 'behaviour', 'risk'];

export const KIND_COLORS: Record<TagGroupKind, string> = { basic: '#2080f0', intent: '#18a058', behaviour: '#f0a020', risk: '#d03050' };

export const SWATCHES = ['#18A058', '#2080F0', '#F0A020', '#D03050', '#8A2BE2', '#13C2C2', '#EB2F96', '#FA8C16', '#597EF7', '#8C8C8C'];
