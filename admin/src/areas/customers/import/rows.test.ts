import { describe, expect, it } from 'vitest';
import { convertRow, readDate, splitTags } from './rows';
import type { ColumnTarget } from './mapping';

const headers = ['手机号', '姓名', '性别', '生日', '来源', '营销许可', '标签', '会员等级'];
const targets: ColumnTarget[] = ['phone', 'name', 'gender', 'birthday', 'sourceChannel', 'marketingConsent', 'tags', 'attribute'];

describe('CSV row to customer input', () => {
  it('reads values the way a Chinese spreadsheet writes them', () => {
    const row = convertRow(['138 0013 8000', ' 王小燕 ', '女', '1995/8/7', '天猫', '是', 'VIP，护发、VIP', '金卡'], targets, headers);
    expect(row.problems).toEqual([]);
    expect(row.input).toEqual({
      phone: '138 0013 8000',
      name: '王小燕',
      gender: 'female',
      birthday: '1995-08-07',
      sourceChannel: 'tmall',
      marketingConsent: true,
      attributes: { 会员等级: '金卡' },
    });
    expect(row.tags).toEqual(['VIP', '护发']);
  });

  it('leaves empty cells out so an import never clears stored values', () => {
    const row = convertRow(['13800138000', '', '', '', '', '', '', ''], targets, headers);
    expect(row.input).toEqual({ phone: '13800138000' });
    expect(row.tags).toEqual([]);
  });

  it('reports each unreadable cell on its field, and a row without any identity', () => {
    const row = convertRow(['12345', '李', '不详', '1995-02-30', '天猫旗舰 店', '也许', '', ''], targets, headers);
    expect(row.problems).toEqual([
      { field: 'phone', code: 'phone', value: '12345' },
      { field: 'gender', code: 'gender', value: '不详' },
      { field: 'birthday', code: 'birthday', value: '1995-02-30' },
      { field: 'sourceChannel', code: 'sourceChannel', value: '天猫旗舰 店' },
      { field: 'marketingConsent', code: 'boolean', value: '也许' },
    ]);
    expect(convertRow(['', '无名氏', '', '', '', '', '', ''], targets, headers).problems).toEqual([{ field: 'phone', code: 'noIdentity' }]);
  });

  it('reads dates in the common spellings and refuses impossible or future ones', () => {
    expect(['2024-03-05', '2024/3/5', '2024.3.5', '2024年3月5日', '20240305'].map(readDate)).toEqual(Array(5).fill('2024-03-05'));
    expect(readDate('2999-01-01')).toBeNull();
    expect(readDate('1899-12-31')).toBeNull();
    expect(readDate('03/05/2024')).toBeNull();
    expect(splitTags('a; b|c ,a')).toEqual(['a', 'b', 'c']);
  });
});
