// An area of the admin is a folder under src/areas/ whose index.ts default-exports defineArea(...):
// its routes, its menu entry and its messages. The shell finds areas by themselves (areas/index.ts),
// so adding one touches nothing else.
import type { Component } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

export type Messages = { [key: string]: string | Messages };

export interface Area {
  /** Namespace of the area's messages and the route name prefix, e.g. "journeys". */
  key: string;
  /** Position in the side menu (lower first). */
  order: number;
  /** Icon of the menu entry (an @vicons/ionicons5 component). */
  icon: Component;
  /** Path the menu entry opens, e.g. "/journeys". */
  path: string;
  /** Routes under the signed-in shell. Paths are absolute. */
  routes: RouteRecordRaw[];
  /** The area's texts; the menu entry's label is `<key>.menu`. */
  messages: { 'zh-CN': Messages; en: Messages };
  /** Scope needed to see the menu entry; default none. */
  scope?: string;
}

export function defineArea(area: Area): Area {
  return area;
}
