/**
 * What kinds of shops exist and how people pay in them: merchant category codes with their share of
 * shops, share of everyday purchases, price distribution, opening hours and Chinese shop-name suffixes.
 * Amounts are log-normal around a median because that is how card and QR payment amounts look.
 */
import type { Rng } from './rng.js';

/** How prices end in a kind of shop. */
export type Granularity = 'fen' | 'yuan' | 'tenYuan';

/** One merchant category. */
export interface MccProfile {
  readonly mcc: string;
  readonly label: string;
  /** Relative number of merchants of this kind in a city. */
  readonly shopShare: number;
  /** Relative weight in everyday purchases (0 where only special behaviour pays here). */
  readonly spendWeight: number;
  /** Median amount in yuan and log-space sigma. */
  readonly median: number;
  readonly sigma: number;
  readonly minYuan: number;
  readonly maxYuan: number;
  readonly granularity: Granularity;
  /** Relative weight of each local hour 0–23. */
  readonly hours: readonly number[];
  readonly suffixes: readonly string[];
  /** Terminals per shop [min, max]. */
  readonly terminals: readonly [number, number];
}

//                              0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23
const GROCERY_HOURS = /*    */ [2, 1, 1, 0, 0, 1, 3, 8, 10, 9, 9, 10, 11, 9, 8, 8, 10, 14, 16, 16, 14, 11, 7, 4];
const MEAL_HOURS = /*       */ [1, 0, 0, 0, 0, 0, 1, 2, 2, 1, 3, 14, 18, 10, 3, 2, 3, 10, 18, 16, 10, 5, 3, 2];
const FAST_HOURS = /*       */ [2, 1, 1, 0, 0, 1, 4, 12, 12, 5, 4, 13, 15, 7, 4, 4, 5, 10, 12, 9, 6, 4, 3, 3];
const SHOP_HOURS = /*       */ [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 8, 8, 8, 9, 10, 10, 10, 11, 12, 12, 9, 3, 0];
const FUEL_HOURS = /*       */ [1, 0, 0, 0, 0, 1, 3, 8, 10, 8, 7, 7, 7, 7, 7, 8, 9, 11, 11, 8, 6, 4, 2, 1];
const HOTEL_HOURS = /*      */ [2, 1, 0, 0, 0, 0, 1, 4, 8, 10, 8, 6, 5, 4, 6, 8, 9, 9, 9, 10, 10, 9, 7, 4];
const PHARMACY_HOURS = /*   */ [1, 0, 0, 0, 0, 0, 1, 3, 8, 10, 10, 10, 9, 8, 8, 8, 9, 10, 10, 9, 7, 5, 3, 1];
const TRANSIT_HOURS = /*    */ [0, 0, 0, 0, 0, 1, 4, 14, 16, 8, 5, 5, 5, 5, 5, 6, 8, 14, 16, 10, 6, 5, 4, 2];

function p(
  mcc: string,
  label: string,
  shopShare: number,
  spendWeight: number,
  median: number,
  sigma: number,
  minYuan: number,
  maxYuan: number,
  granularity: Granularity,
  hours: readonly number[],
  suffixes: readonly string[],
  terminals: readonly [number, number],
): MccProfile {
  return { mcc, label, shopShare, spendWeight, median, sigma, minYuan, maxYuan, granularity, hours, suffixes, terminals };
}

/** Everyday merchant categories (transit is separate: one metro company per city). */
export const MCCS: readonly MccProfile[] = [
  p('5411', 'grocery', 22, 30, 36, 0.85, 2, 2000, 'fen', GROCERY_HOURS, ['便利店', '超市', '生鲜超市', '购物广场'], [1, 3]),
  p('5812', 'restaurant', 16, 14, 92, 0.7, 15, 3000, 'yuan', MEAL_HOURS, ['餐厅', '酒家', '火锅店', '私房菜', '烧烤'], [1, 2]),
  p('5814', 'fast food', 14, 18, 24, 0.5, 5, 300, 'yuan', FAST_HOURS, ['快餐', '面馆', '小吃店', '奶茶店', '包子铺'], [1, 2]),
  p('5999', 'misc retail', 9, 6, 55, 0.9, 3, 5000, 'fen', SHOP_HOURS, ['商行', '杂货店', '日用品店', '商贸'], [1, 1]),
  p('5912', 'pharmacy', 6, 4, 45, 0.7, 5, 1500, 'fen', PHARMACY_HOURS, ['大药房', '药店'], [1, 2]),
  p('5691', 'clothing', 7, 4, 220, 0.7, 30, 4000, 'yuan', SHOP_HOURS, ['服饰', '时装', '鞋业'], [1, 2]),
  p('5311', 'department store', 3, 5, 260, 0.9, 10, 20000, 'fen', SHOP_HOURS, ['百货', '商场'], [3, 6]),
  p('5732', 'electronics', 5, 2, 480, 1.0, 20, 30000, 'yuan', SHOP_HOURS, ['电子商行', '数码城', '手机店', '电器'], [1, 2]),
  p('5944', 'jewellery', 3, 0.4, 2600, 0.8, 200, 60000, 'tenYuan', SHOP_HOURS, ['珠宝', '金店', '银楼'], [1, 2]),
  p('7011', 'hotel', 5, 0.3, 420, 0.5, 120, 5000, 'yuan', HOTEL_HOURS, ['酒店', '宾馆', '商务酒店'], [1, 2]),
  p('5541', 'fuel', 4, 0, 260, 0.3, 50, 800, 'fen', FUEL_HOURS, ['加油站'], [2, 4]),
];

/** The metro fare profile (commuters, visitors). */
export const TRANSIT = p('4111', 'transit', 0, 0, 4, 0.3, 2, 8, 'yuan', TRANSIT_HOURS, ['地铁'], [1, 1]);

/** Low-fee category codes that code jumpers (跳码) put on high-fee payments. */
export const LOW_FEE_MCCS: readonly string[] = ['5411', '5311', '8062', '8211', '9402'];

/** Category codes a disguised business carries when its payments lie about what it is. */
export const MISMATCH_MCCS: readonly string[] = ['7299', '5813', '7999', '7997', '5933'];

/** Shop-name words (字号). */
export const NAME_WORDS: readonly string[] = [
  '华强', '鑫源', '万福', '祥和', '永安', '百佳', '东方', '新世纪', '和平', '红星', '恒发', '兴隆', '盛世', '福满', '天益',
  '宏达', '长城', '龙腾', '嘉禾', '老街', '好又多', '金湖', '聚福', '德兴', '顺发', '佳美', '喜来', '同仁', '大唐', '锦绣',
  '四季', '悦来', '鸿运', '家家乐', '乐活', '如意', '金桥', '明珠', '云海', '青禾', '南湖', '北辰', '晨光', '小确幸', '一品',
];

/** Everyday categories by code. */
export const MCC_BY_CODE: ReadonlyMap<string, MccProfile> = new Map(MCCS.map((m) => [m.mcc, m]));

/** An hour of the day drawn from a profile's opening-hour weights. */
export function drawHour(rng: Rng, profile: MccProfile): number {
  return rng.weighted(HOUR_INDEX, profile.hours);
}

const HOUR_INDEX: readonly number[] = Array.from({ length: 24 }, (_, i) => i);

/** Rounds a yuan amount to the shop's price granularity and returns fen (always ≥ 1). */
export function toFen(yuan: number, granularity: Granularity): number {
  let fen: number;
  if (granularity === 'yuan') fen = Math.round(yuan) * 100;
  else if (granularity === 'tenYuan') fen = Math.round(yuan / 10) * 1000;
  else fen = Math.round(yuan * 100);
  return Math.max(1, fen);
}

/** A realistic everyday amount in fen for a shop of this category. */
export function drawAmount(rng: Rng, profile: MccProfile): number {
  let y = rng.lognormal(profile.median, profile.sigma);
  if (y < profile.minYuan) y = profile.minYuan + rng.next() * profile.minYuan;
  if (y > profile.maxYuan) y = profile.maxYuan * (0.5 + 0.5 * rng.next());
  // Supermarket till totals often end in .x0 or .90; keep some of that texture.
  if (profile.granularity === 'fen' && rng.chance(0.3)) y = Math.floor(y * 10) / 10;
  return toFen(y, profile.granularity);
}
