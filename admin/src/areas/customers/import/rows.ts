// One CSV row → one CustomerInput, checked before anything is sent: values are read the way a
// Chinese spreadsheet writes them (男/女, 是/否, 2024/3/5, 天猫), and what cannot be read is a
// problem on that row's field instead of a failed batch. The API checks again and has the last word.
import type { CustomerInput, Gender, LifecycleStage } from '@/gql/graphql';
import { IDENTITY_FIELDS, type ColumnTarget } from './mapping';

export type ProblemCode = 'noIdentity' | 'phone' | 'email' | 'gender' | 'birthday' | 'boolean' | 'lifecycleStage' | 'sourceChannel' | 'tooLong';

/** What is wrong with one field of one row; `field` is a customer field name, `value` the cell. */
export interface RowProblem {
  field: string;
  code: ProblemCode;
  value?: string;
}

export interface ConvertedRow {
  /** The input to send; only non-empty cells are set, so an import never clears stored values. */
  input: CustomerInput;
  /** Tag names of the row, trimmed and without repeats. */
  tags: string[];
  problems: RowProblem[];
}

const GENDERS: Record<string, Gender> = {
  男: 'male', 男性: 'male', 先生: 'male', m: 'male', male: 'male', man: 'male',
  女: 'female', 女性: 'female', 女士: 'female', 小姐: 'female', f: 'female', female: 'female', woman: 'female',
  未知: 'unknown', 保密: 'unknown', unknown: 'unknown', u: 'unknown',
};

const STAGES: Record<string, LifecycleStage> = {
  lead: 'lead', 线索: 'lead', 潜客: 'lead',
  prospect: 'prospect', 意向: 'prospect', 意向客户: 'prospect',
  customer: 'customer', 客户: 'customer', 新客: 'customer', 首购: 'customer', 已购: 'customer',
  repeat: 'repeat', 复购: 'repeat', 老客: 'repeat', 复购客户: 'repeat',
  vip: 'vip', 会员: 'vip', 高价值: 'vip',
  churned: 'churned', 流失: 'churned', 沉睡: 'churned', 流失客户: 'churned',
};

/** Channel names as marketers write them, to the API's channel keys. */
const CHANNELS: Record<string, string> = {
  天猫: 'tmall', 淘宝: 'taobao', 京东: 'jd', 拼多多: 'pdd', 抖音: 'douyin', 快手: 'kuaishou', 小红书: 'xiaohongshu',
  有赞: 'youzan', 小程序: 'mini_program', 微信小程序: 'mini_program', 公众号: 'official_account',
  企微活码: 'wecom_qr', 活码: 'wecom_qr', 企业微信: 'wecom', 企微: 'wecom', 包裹卡: 'parcel_card', 门店: 'offline_store', 线下门店: 'offline_store',
};

const TRUE = new Set(['是', '1', 'true', 'yes', 'y', '同意', '已同意', '允许', 'on']);
const FALSE = new Set(['否', '0', 'false', 'no', 'n', '不同意', '拒绝', '不允许', 'off']);

/** Tag cells separate names by comma, semicolon, 、 or |, in either width. */
export function splitTags(cell: string): string[] {
  return [...new Set(cell.split(/[,，;；、|]/).map((s) => s.trim()).filter(Boolean))];
}

/** A mainland mobile (any spacing, +86 / 0086 prefix) or an international +number; the API normalises. */
export function looksLikePhone(cell: string): boolean {
  const compact = cell.replace(/[\s\-()（）]/g, '');
  return /^(\+?86|0086)?1\d{10}$/.test(compact) || /^\+\d{7,15}$/.test(compact);
}

/** A date as YYYY-MM-DD from 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 or 20240305; null when it is none. */
export function readDate(cell: string): string | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(cell) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(cell);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  if (y < 1900 || date.getTime() > Date.now()) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function readBoolean(cell: string): boolean | null {
  const v = cell.toLowerCase();
  return TRUE.has(v) ? true : FALSE.has(v) ? false : null;
}

/** Converts the cells of one row (in header order) by the column targets. */
export function convertRow(cells: string[], targets: ColumnTarget[], headers: string[]): ConvertedRow {
  const input: CustomerInput = {};
  const attributes: Record<string, string> = {};
  const problems: RowProblem[] = [];
  let tags: string[] = [];
  const bad = (field: string, code: ProblemCode, value: string) => problems.push({ field, code, value });

  targets.forEach((target, i) => {
    const cell = (cells[i] ?? '').trim();
    if (!cell || target === 'ignore') return;
    switch (target) {
      case 'attribute':
        attributes[headers[i]!.replace(/^\uFEFF/, '').trim()] = cell;
        return;
      case 'tags':
        tags = splitTags(cell);
        return;
      case 'phone':
        if (looksLikePhone(cell)) input.phone = cell;
        else bad('phone', 'phone', cell);
        return;
      case 'email':
        if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(cell)) input.email = cell;
        else bad('email', 'email', cell);
        return;
      case 'gender': {
        const g = GENDERS[cell.toLowerCase()];
        if (g) input.gender = g;
        else bad('gender', 'gender', cell);
        return;
      }
      case 'birthday': {
        const d = readDate(cell);
        if (d) input.birthday = d;
        else bad('birthday', 'birthday', cell);
        return;
      }
      case 'lifecycleStage': {
        const s = STAGES[cell.toLowerCase()];
        if (s) input.lifecycleStage = s;
        else bad('lifecycleStage', 'lifecycleStage', cell);
        return;
      }
      case 'sourceChannel': {
        const c = CHANNELS[cell] ?? cell.toLowerCase();
        if (/^[a-z0-9_]{1,40}$/.test(c)) input.sourceChannel = c;
        else bad('sourceChannel', 'sourceChannel', cell);
        return;
      }
      case 'marketingConsent':
      case 'blacklisted': {
        const b = readBoolean(cell);
        if (b == null) bad(target, 'boolean', cell);
        else input[target] = b;
        return;
      }
      default: {
        // name, city, wecomExternalId, unionId: free text with the API's length limits.
        const max = target === 'wecomExternalId' || target === 'unionId' ? 128 : 100;
        if (cell.length > max) bad(target, 'tooLong', cell.slice(0, 20));
        else input[target] = cell;
      }
    }
  });
  if (Object.keys(attributes).length) input.attributes = attributes;
  const hasIdentity = IDENTITY_FIELDS.some((f) => input[f as 'phone' | 'email' | 'wecomExternalId']);
  const identityProblem = problems.some((p) => (IDENTITY_FIELDS as string[]).includes(p.field));
  if (!hasIdentity && !identityProblem) problems.push({ field: 'phone', code: 'noIdentity' });
  return { input, tags, problems };
}
