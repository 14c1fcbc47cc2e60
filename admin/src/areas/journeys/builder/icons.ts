// Node types name icons of the lucide set; the admin draws them with the ionicons it ships.
import type { Component } from 'vue';
import {
  BagHandleOutline, CalendarOutline, ChatbubbleEllipsesOutline, CodeSlashOutline, CreateOutline, ExtensionPuzzleOutline,
  FlashOutline, GiftOutline, GitBranchOutline, GitMergeOutline, HourglassOutline, LinkOutline, LogOutOutline, PeopleOutline, PersonAddOutline,
  PersonOutline, PricetagOutline, PulseOutline, PricetagsOutline, RemoveCircleOutline, SunnyOutline, TimeOutline,
} from '@vicons/ionicons5';

const ICONS: Record<string, Component> = {
  zap: FlashOutline, users: PeopleOutline, 'calendar-clock': CalendarOutline, cake: GiftOutline, plug: CodeSlashOutline,
  'user-check': PersonOutline, tags: PricetagsOutline, activity: PulseOutline, 'shopping-bag': BagHandleOutline, split: GitBranchOutline,
  sun: SunnyOutline, pencil: CreateOutline, tag: PricetagOutline, 'tag-off': RemoveCircleOutline, clock: TimeOutline, hourglass: HourglassOutline,
  message: ChatbubbleEllipsesOutline, 'user-plus': PersonAddOutline, webhook: LinkOutline, route: GitMergeOutline, 'log-out': LogOutOutline,
};

/** The icon component for a name, or null when the name is an image URL. */
export function nodeIcon(name: string): Component | null {
  if (/^(https:|data:)/.test(name)) return null;
  return ICONS[name] ?? ExtensionPuzzleOutline;
}
