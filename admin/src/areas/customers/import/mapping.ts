// Which customer field each CSV column fills. Headers are matched by name in Chinese or English
// (手机号 / phone, 姓名 / name, 标签 / tags …), ignoring case, spaces and punctuation.

/** The customer fields a column can fill; `attribute` keeps the column as a custom attribute named by its header. */
export const IMPORT_FIELDS = [
  'phone',
  'email',
  'wecomExternalId',
  'unionId',
  'name',
  'gender',
  'birthday',
  'city',
  'sourceChannel',
  'lifecycleStage',
  'marketingConsent',
  'blacklisted',
  'tags',
] as const;

export type ImportField = (typeof IMPORT_FIELDS)[number];
/** A column's target: a field, a custom attribute, or nothing. */
export type ColumnTarget = ImportField | 'attribute' | 'ignore';

/** Identities: a row needs at least one to name its customer. */
export const IDENTITY_FIELDS: ImportField[] = ['phone', 'email', 'wecomExternalId'];

const SYNONYMS: Record<ImportField, string[]> = {
  phone: ['手机号', '手机', '手机号码', '电话', '电话号码', '联系电话', '联系方式', 'phone', 'mobile', 'phonenumber', 'mobilephone', 'cellphone', 'tel', 'telephone'],
  email: ['邮箱', '电子邮箱', '邮件', '邮箱地址', 'email', 'mail', 'emailaddress'],
  wecomExternalId: ['企微id', '企业微信id', '外部联系人id', '企微外部联系人id', 'externaluserid', 'externalid', 'wecomid', 'wecomexternalid'],
  unionId: ['unionid', '微信unionid', '微信unionid'],
  name: ['姓名', '名字', '客户姓名', '客户名称', '客户名', '昵称', '称呼', 'name', 'fullname', 'customername', 'nickname'],
  gender: ['性别', 'gender', 'sex'],
  birthday: ['生日', '出生日期', '出生年月日', 'birthday', 'birthdate', 'dateofbirth', 'dob'],
  city: ['城市', '所在城市', '所在地', 'city'],
  sourceChannel: ['来源', '来源渠道', '渠道', '客户来源', 'source', 'channel', 'sourcechannel'],
  lifecycleStage: ['生命周期', '生命周期阶段', '客户阶段', '阶段', 'lifecycle', 'stage', 'lifecyclestage'],
  marketingConsent: ['营销许可', '营销同意', '同意营销', '接受营销', 'marketingconsent', 'consent', 'optin'],
  blacklisted: ['黑名单', '是否黑名单', '营销黑名单', 'blacklist', 'blacklisted'],
  tags: ['标签', '客户标签', 'tags', 'tag', 'labels', 'label'],
};

export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s_\-()（）:：.·/]/g, '');
}

const BY_SYNONYM = new Map<string, ImportField>(Object.entries(SYNONYMS).flatMap(([field, names]) => names.map((n) => [normalizeHeader(n), field as ImportField])));

/** The field a header names, or null. */
export function fieldForHeader(header: string): ImportField | null {
  return BY_SYNONYM.get(normalizeHeader(header)) ?? null;
}

/**
 * A target for every header, in order. Each field is filled by one column at most: a later column
 * naming a field already taken is ignored (e.g. 手机 and 电话 both present: the first wins).
 */
export function autoMap(headers: string[]): ColumnTarget[] {
  const taken = new Set<ImportField>();
  return headers.map((h) => {
    const field = fieldForHeader(h);
    if (!field || taken.has(field)) return 'ignore';
    taken.add(field);
    return field;
  });
}

/** Fields chosen by more than one column (the mapping step shows them as errors). */
export function duplicateTargets(targets: ColumnTarget[]): ImportField[] {
  const seen = new Set<string>();
  const dup = new Set<ImportField>();
  for (const t of targets) {
    if (t === 'ignore' || t === 'attribute') continue;
    if (seen.has(t)) dup.add(t);
    seen.add(t);
  }
  return [...dup];
}

/** Whether the mapping names at least one identity column (without one, no row can be stored). */
export function hasIdentity(targets: ColumnTarget[]): boolean {
  return targets.some((t) => (IDENTITY_FIELDS as string[]).includes(t));
}
