import type { LocalizedText } from './text.ts';

/**
 * What a plugin may ask a brand to grant. A node declares the scopes its `run` needs; the runtime
 * hands it a context that refuses anything else, and (for partner plugins) the installation token
 * carries only the granted ones.
 */
export const PLUGIN_SCOPES = {
  'customers:read': { 'zh-CN': '读取客户资料（姓名、手机号、邮箱、属性）', en: 'Read customer profiles (name, phone, email, attributes)' },
  'customers:write': { 'zh-CN': '修改客户属性和归属员工', en: 'Change customer attributes and owner staff' },
  'tags:read': { 'zh-CN': '读取标签及客户所带标签', en: 'Read tags and which customers carry them' },
  'tags:write': { 'zh-CN': '给客户打标签、去标签', en: 'Add and remove customer tags' },
  'events:read': { 'zh-CN': '读取客户行为事件', en: 'Read customer events' },
  'events:write': { 'zh-CN': '写入客户行为事件', en: 'Record customer events' },
  'orders:read': { 'zh-CN': '读取订单', en: 'Read orders' },
  'segments:read': { 'zh-CN': '读取分群及成员', en: 'Read segments and their members' },
  'staff:read': { 'zh-CN': '读取员工子账号', en: 'Read staff sub-accounts' },
  'messages:send': { 'zh-CN': '通过已配置的渠道给客户发消息', en: 'Send messages to customers through the configured channels' },
  'journeys:write': { 'zh-CN': '让客户进入其他旅程', en: 'Enroll customers into other journeys' },
  'http:outbound': { 'zh-CN': '向外部地址发送签名请求', en: 'Send signed requests to outside addresses' },
} as const satisfies Record<string, LocalizedText>;

export type PluginScope = keyof typeof PLUGIN_SCOPES;
export const ALL_PLUGIN_SCOPES = Object.keys(PLUGIN_SCOPES) as PluginScope[];

export function isPluginScope(value: string): value is PluginScope {
  return Object.hasOwn(PLUGIN_SCOPES, value);
}
