// The vocabulary of the fake data: a hair-care brand selling on Chinese marketplaces and in its own
// private domain. Names, cities, channels and products are realistic so demos and benchmarks look
// like the real thing (and so text search and trigram indexes see realistic strings).

/** Common surnames with their pinyin (for e-mail addresses), most frequent first. */
export const SURNAMES: ReadonlyArray<readonly [string, string]> = [
  ['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'],
  ['黄', 'huang'], ['赵', 'zhao'], ['吴', 'wu'], ['周', 'zhou'], ['徐', 'xu'], ['孙', 'sun'],
  ['马', 'ma'], ['朱', 'zhu'], ['胡', 'hu'], ['郭', 'guo'], ['何', 'he'], ['林', 'lin'],
  ['高', 'gao'], ['罗', 'luo'], ['郑', 'zheng'], ['梁', 'liang'], ['谢', 'xie'], ['宋', 'song'],
  ['唐', 'tang'], ['许', 'xu'], ['韩', 'han'], ['冯', 'feng'], ['邓', 'deng'], ['曹', 'cao'],
  ['彭', 'peng'], ['曾', 'zeng'], ['肖', 'xiao'], ['田', 'tian'], ['董', 'dong'], ['袁', 'yuan'],
  ['潘', 'pan'], ['于', 'yu'], ['蒋', 'jiang'], ['蔡', 'cai'], ['余', 'yu'], ['杜', 'du'],
  ['叶', 'ye'], ['程', 'cheng'], ['苏', 'su'], ['魏', 'wei'], ['吕', 'lv'], ['丁', 'ding'],
  ['任', 'ren'], ['沈', 'shen'], ['姚', 'yao'], ['卢', 'lu'], ['姜', 'jiang'], ['崔', 'cui'],
  ['钟', 'zhong'], ['谭', 'tan'], ['陆', 'lu'], ['汪', 'wang'], ['范', 'fan'], ['金', 'jin'],
  ['石', 'shi'], ['廖', 'liao'], ['贾', 'jia'], ['夏', 'xia'], ['韦', 'wei'], ['付', 'fu'],
  ['方', 'fang'], ['白', 'bai'], ['邹', 'zou'], ['孟', 'meng'], ['熊', 'xiong'], ['秦', 'qin'],
  ['邱', 'qiu'], ['江', 'jiang'], ['尹', 'yin'], ['薛', 'xue'], ['闫', 'yan'], ['段', 'duan'],
  ['雷', 'lei'], ['侯', 'hou'], ['龙', 'long'], ['史', 'shi'], ['陶', 'tao'], ['黎', 'li'],
  ['贺', 'he'], ['顾', 'gu'], ['毛', 'mao'], ['郝', 'hao'], ['龚', 'gong'], ['邵', 'shao'],
  ['万', 'wan'], ['钱', 'qian'], ['严', 'yan'], ['武', 'wu'], ['戴', 'dai'], ['莫', 'mo'],
  ['孔', 'kong'], ['向', 'xiang'], ['汤', 'tang'], ['欧阳', 'ouyang'], ['上官', 'shangguan'], ['司马', 'sima'],
];

export const FEMALE_NAME_CHARS = [
  '婷', '娜', '静', '丽', '敏', '芳', '燕', '霞', '玲', '琳', '雪', '倩', '颖', '欣', '怡', '佳', '璐',
  '萌', '梦', '思', '雨', '悦', '嘉', '琪', '晓', '慧', '洁', '蕾', '薇', '丹', '玉', '莉', '萍', '红',
  '娟', '婉', '瑶', '语', '涵', '诗', '月', '彤', '露', '可', '菲', '蓉', '秀', '雅', '馨', '妍',
] as const;

export const MALE_NAME_CHARS = [
  '伟', '强', '磊', '军', '勇', '杰', '涛', '超', '明', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波',
  '斌', '宇', '浩', '凯', '健', '俊', '帆', '帅', '旭', '宁', '龙', '林', '阳', '志', '博', '文', '晨',
  '昊', '轩', '睿', '泽', '天', '航', '宏', '峰', '毅', '翔', '东', '亮', '诚', '成', '立', '新',
] as const;

export const NEUTRAL_NAME_CHARS = ['子', '梓', '一', '思', '嘉', '雨', '晨', '安', '乐', '心', '文', '星', '小', '海', '春', '秋'] as const;

/** 1 = 一线, 2 = 新一线, 3 = 二线, 4 = 三线及以下. */
export type CityTier = 1 | 2 | 3 | 4;

export const CITIES_BY_TIER: Readonly<Record<CityTier, readonly string[]>> = {
  1: ['北京', '上海', '广州', '深圳'],
  2: ['成都', '重庆', '杭州', '武汉', '西安', '郑州', '青岛', '长沙', '天津', '苏州', '南京', '东莞', '沈阳', '合肥', '佛山'],
  3: [
    '宁波', '昆明', '福州', '无锡', '厦门', '济南', '大连', '哈尔滨', '温州', '石家庄', '泉州', '南宁', '长春', '南昌',
    '贵阳', '金华', '常州', '惠州', '嘉兴', '南通', '徐州', '太原', '珠海', '中山', '保定', '兰州', '台州', '绍兴', '烟台', '廊坊',
  ],
  4: [
    '洛阳', '潍坊', '扬州', '汕头', '芜湖', '赣州', '桂林', '三亚', '咸阳', '宜昌', '襄阳', '岳阳', '绵阳', '遵义', '柳州',
    '九江', '湛江', '上饶', '邯郸', '衡阳', '株洲', '常德', '荆州', '南阳', '商丘', '周口', '信阳', '阜阳', '六安', '曲靖',
    '大理', '丽江', '日照', '威海', '秦皇岛', '景德镇', '黄山', '舟山', '丽水', '宿迁',
  ],
};

export const CITY_TIER_WEIGHTS: ReadonlyArray<readonly [CityTier, number]> = [[1, 22], [2, 30], [3, 25], [4, 23]];

/** Where a customer was first met. */
export const SOURCE_CHANNELS: ReadonlyArray<readonly [string, number]> = [
  ['tmall', 24], ['jd', 9], ['pdd', 10], ['douyin', 14], ['wecom_qr', 12], ['parcel_card', 12],
  ['live_stream', 7], ['miniprogram', 8], ['offline_store', 4],
];

/** Channels through which the customer, by construction, added a staff member on WeCom. */
export const WECOM_FIRST_CHANNELS = new Set(['wecom_qr', 'parcel_card', 'live_stream', 'offline_store']);

export type Platform = 'tmall' | 'jd' | 'pdd' | 'douyin' | 'miniprogram';
export const PLATFORMS: readonly Platform[] = ['tmall', 'jd', 'pdd', 'douyin', 'miniprogram'];
export const PLATFORM_WEIGHTS: ReadonlyArray<readonly [Platform, number]> = [
  ['tmall', 35], ['jd', 15], ['pdd', 15], ['douyin', 20], ['miniprogram', 15],
];

export interface Product {
  sku: string;
  name: string;
  category: string;
  priceCents: number;
  /** How often it is bought relative to the others. */
  weight: number;
}

export const PRODUCTS: readonly Product[] = [
  { sku: 'HC-SH-GIN-500', name: '生姜防脱洗发水 500ml', category: '洗发', priceCents: 8900, weight: 14 },
  { sku: 'HC-SH-AMI-400', name: '氨基酸控油洗发水 400ml', category: '洗发', priceCents: 6900, weight: 14 },
  { sku: 'HC-SH-SEA-300', name: '海盐去屑洗发水 300ml', category: '洗发', priceCents: 5900, weight: 8 },
  { sku: 'HC-CD-SIL-400', name: '丝滑修护护发素 400ml', category: '护发', priceCents: 6500, weight: 9 },
  { sku: 'HC-MK-KER-200', name: '角蛋白修护发膜 200g', category: '护发', priceCents: 9900, weight: 8 },
  { sku: 'HC-OL-CAM-100', name: '山茶花护发精油 100ml', category: '护发', priceCents: 12900, weight: 6 },
  { sku: 'HC-GR-TON-60', name: '育发精华液 60ml', category: '生发', priceCents: 23900, weight: 6 },
  { sku: 'HC-GR-AMP-7', name: '头皮防脱安瓶 5ml×7', category: '生发', priceCents: 29900, weight: 4 },
  { sku: 'HC-SC-SCR-200', name: '头皮净化磨砂膏 200g', category: '头皮护理', priceCents: 11900, weight: 4 },
  { sku: 'HC-SC-CMB-01', name: '头皮按摩梳', category: '头皮护理', priceCents: 4900, weight: 3 },
  { sku: 'HC-DY-BLK-01', name: '植物染发膏 自然黑', category: '染发', priceCents: 7900, weight: 5 },
  { sku: 'HC-DY-BRN-02', name: '植物染发膏 栗棕色', category: '染发', priceCents: 7900, weight: 3 },
  { sku: 'HC-DY-TEA-03', name: '泡泡染发剂 奶茶色', category: '染发', priceCents: 8900, weight: 3 },
  { sku: 'HC-ST-DRY-150', name: '免洗干发喷雾 150ml', category: '造型', priceCents: 5900, weight: 3 },
  { sku: 'HC-ST-WAX-80', name: '蓬松造型发蜡 80g', category: '造型', priceCents: 4900, weight: 2 },
  { sku: 'HC-GS-GRW-01', name: '防脱育发礼盒（洗发水+精华液）', category: '套装礼盒', priceCents: 39900, weight: 3 },
  { sku: 'HC-GS-TRY-01', name: '新客体验装 旅行套装', category: '套装礼盒', priceCents: 1990, weight: 5 },
  { sku: 'HC-GS-FAM-06', name: '家庭囤货装 洗护六件套', category: '套装礼盒', priceCents: 35900, weight: 2 },
];

/** The intent tag a purchase in a category suggests. */
export const CATEGORY_INTENT: Readonly<Record<string, string>> = {
  洗发: '护发',
  护发: '护发',
  生发: '生发',
  头皮护理: '头皮护理',
  染发: '染发',
  造型: '造型',
  套装礼盒: '礼盒送礼',
};

/** Coupons: a fixed amount off from a minimum order, or (valueCents 0) 15% off. */
export const COUPONS = [
  { id: 'CP-NEW-10', name: '新客立减 10 元', valueCents: 1000, minCents: 3000 },
  { id: 'CP-WECOM-20', name: '加企微专享 20 元券', valueCents: 2000, minCents: 9900 },
  { id: 'CP-REBUY-30', name: '复购满 199 减 30', valueCents: 3000, minCents: 19900 },
  { id: 'CP-618-50', name: '618 满 299 减 50', valueCents: 5000, minCents: 29900 },
  { id: 'CP-1111-80', name: '双 11 满 399 减 80', valueCents: 8000, minCents: 39900 },
  { id: 'CP-VIP-15', name: '会员 85 折', valueCents: 0, minCents: 0 },
] as const;

export const MINIPROGRAM_PAGES = [
  '/pages/index/index', '/pages/goods/detail', '/pages/goods/list', '/pages/cart/cart',
  '/pages/member/center', '/pages/coupon/list', '/pages/live/room', '/pages/article/detail',
] as const;

export const GROUP_NAMES = ['护发交流群', '生发打卡群', '会员福利群', '宝妈护发群', '染发种草群', '直播福利群'] as const;

export const MEMBER_LEVELS = ['普通会员', 'VIP', '钻石VIP'] as const;

export interface TagGroupSpec {
  name: string;
  kind: 'basic' | 'intent' | 'behaviour' | 'risk';
  description: string;
  color: string;
  tags: readonly string[];
}

/** The demo workspace's tag taxonomy (BRIEF: basic info, intent, behaviour, risk control). */
export const DEMO_TAXONOMY: readonly TagGroupSpec[] = [
  {
    name: '基础信息',
    kind: 'basic',
    description: '人群、城市、家庭与居住情况',
    color: '#1677ff',
    tags: ['学生', '上班族', '宝妈', '自由职业', '一线城市', '新一线城市', '下沉市场', '独居', '三口之家', '租房', '自有住房'],
  },
  {
    name: '意向',
    kind: 'intent',
    description: '感兴趣的品类、风格与购买时机',
    color: '#52c41a',
    tags: ['护发', '生发', '染发', '头皮护理', '造型', '礼盒送礼', '偏好天然成分', '近期有购买计划'],
  },
  {
    name: '行为',
    kind: 'behaviour',
    description: '购买与互动习惯',
    color: '#fa8c16',
    tags: ['稳定复购', '品牌粉丝', '大促敏感', '高客单', '首单未复购', '沉睡客户', '直播间常客', '社群活跃'],
  },
  {
    name: '风控',
    kind: 'risk',
    description: '触达与售后风险，群发和活动默认排除',
    color: '#f5222d',
    tags: ['营销敏感', '低信用', '投诉倾向', '差评用户', '黑名单', '羊毛党'],
  },
];

export const DEMO_STAFF: ReadonlyArray<{ name: string; wecomUserId: string }> = [
  { name: '小美（客服）', wecomUserId: 'xiaomei' },
  { name: '阿杰（售后）', wecomUserId: 'ajie' },
  { name: '林老师（护发顾问）', wecomUserId: 'linlaoshi' },
  { name: '王店长（门店）', wecomUserId: 'wangdianzhang' },
];
