/**
 * Builds the static world: acquirers (two of them unlicensed), the ten cities with their shops,
 * terminals and metro stations, and the accounts with their homes, habits, phones and credit lines.
 * Everything here exists before the first simulated day; scenarios then pick from it.
 */
import { MCCS, NAME_WORDS, TRANSIT, type MccProfile } from './catalog.js';
import { CITIES, type District } from './cities.js';
import { DAY, HOUR, type Calendar } from './calendar.js';
import { offsetKm, roundGeo, scatter } from './geo.js';
import type { IdFactory } from './ids.js';
import type { Account, AccountRole, Acquirer, City, Merchant, Terminal } from './model.js';
import { cityIp, everydayMcc, merchantNear, stationNear } from './places.js';
import type { Rng } from './rng.js';

/** The whole static world. */
export interface World {
  readonly acquirers: readonly Acquirer[];
  readonly licensed: readonly Acquirer[];
  readonly unlicensed: readonly Acquirer[];
  /** 8-digit acquirer codes that no registry knows (payments carrying them are second clearing). */
  readonly ghostAcquirerIds: readonly string[];
  readonly cities: readonly City[];
  readonly merchants: Merchant[];
  readonly terminals: Terminal[];
  readonly accounts: Account[];
}

/** Sizes of the world. */
export interface WorldSize {
  readonly accounts: number;
  /** Accounts opened during the period for the account_anomaly typology. */
  readonly freshFraud: number;
}

const ACQUIRERS: readonly Acquirer[] = [
  { id: '48021000', code: '898', name: '华银商务支付有限公司', licensed: true },
  { id: '48271000', code: '102', name: '通汇支付网络科技有限公司', licensed: true },
  { id: '48361000', code: '833', name: '联付宝电子支付有限公司', licensed: true },
  { id: '48453300', code: '847', name: '银信通支付服务有限公司', licensed: true },
  { id: '49915840', code: '872', name: '鑫付通科技有限公司', licensed: false },
  { id: '49926100', code: '879', name: '汇聚e付信息技术有限公司', licensed: false },
];
const LICENSED_WEIGHTS = [40, 25, 20, 15];
const GHOST_ACQUIRERS = ['49987700', '49983300', '49979100'];

/** Splits n over weights by largest remainder, so the parts add up exactly. */
function apportion(n: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (n * w) / total);
  const parts = raw.map(Math.floor);
  let left = n - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) parts[order[k % order.length][1]]++;
  return parts;
}

function shopName(rng: Rng, cityName: string, district: District, profile: MccProfile): string {
  const place = rng.chance(0.4) ? cityName + district.name : cityName;
  return place + rng.pick(NAME_WORDS) + rng.pick(profile.suffixes);
}

function addTerminals(
  rng: Rng,
  ids: IdFactory,
  m: Merchant,
  n: number,
  latest: number,
): void {
  for (let i = 0; i < n; i++) {
    const t: Terminal = {
      id: ids.terminal(),
      merchant: m,
      geo: roundGeo(offsetKm(m.geo, rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02))),
      reportsGeo: rng.chance(0.9),
      regT: Math.min(latest, m.regT + rng.int(0, 10) * DAY + rng.int(0, 8) * HOUR),
      blocked: [],
    };
    m.terminals.push(t);
  }
}

/**
 * A registered shop with its terminals, somewhere in the city. Exported for scenarios that need a
 * shop of their own (a merchant signed up by an unlicensed acquirer); the caller lists it.
 */
export function createMerchant(
  rng: Rng,
  ids: IdFactory,
  cal: Calendar,
  city: City,
  profile: MccProfile,
  acquirer: Acquirer,
): Merchant {
  const district = rng.pick(city.districts);
  const m: Merchant = {
    id: ids.merchant(acquirer.code, city.area, profile.mcc),
    name: shopName(rng, city.name, district, profile),
    profile,
    acquirer,
    city,
    district,
    geo: roundGeo(scatter(rng, district.centre, 2.5)),
    regT: cal.start - rng.int(20, 1400) * DAY + rng.int(9, 17) * HOUR + rng.int(0, 3599) * 1000,
    terminals: [],
    blocked: [],
  };
  addTerminals(rng, ids, m, rng.int(profile.terminals[0], profile.terminals[1]), cal.start - DAY);
  return m;
}

function buildCity(
  rng: Rng,
  ids: IdFactory,
  cal: Calendar,
  index: number,
  nAccounts: number,
  merchants: Merchant[],
  terminals: Terminal[],
): City {
  const def = CITIES[index];
  const city: City = {
    ...def,
    index,
    merchants: [],
    byMcc: new Map(),
    metro: undefined as unknown as Merchant,
    stations: [],
    accounts: [],
  };
  const licensed = ACQUIRERS.filter((a) => a.licensed);
  const nShops = Math.max(40, Math.round(nAccounts / 8));
  const perMcc = apportion(nShops, MCCS.map((m) => m.shopShare)).map((n) => Math.max(2, n));
  MCCS.forEach((profile, k) => {
    const list: Merchant[] = [];
    for (let i = 0; i < perMcc[k]; i++) {
      const m = createMerchant(rng, ids, cal, city, profile, rng.weighted(licensed, LICENSED_WEIGHTS));
      list.push(m);
      city.merchants.push(m);
      merchants.push(m);
      for (const t of m.terminals) terminals.push(t);
    }
    city.byMcc.set(profile.mcc, list);
  });
  const metroAcq = licensed[0];
  const metro: Merchant = {
    id: ids.merchant(metroAcq.code, def.area, TRANSIT.mcc),
    name: `${def.name}地铁`,
    profile: TRANSIT,
    acquirer: metroAcq,
    city,
    district: def.districts[0],
    geo: roundGeo(def.centre),
    regT: cal.start - 1500 * DAY + 10 * HOUR,
    terminals: [],
    blocked: [],
  };
  const nStations = Math.min(150, Math.max(8, Math.round(nAccounts / 40)));
  for (let i = 0; i < nStations; i++) {
    const s: Terminal = {
      id: ids.terminal(),
      merchant: metro,
      geo: roundGeo(scatter(rng, def.centre, 6)),
      reportsGeo: true,
      regT: metro.regT + rng.int(1, 300) * DAY,
      blocked: [],
    };
    metro.terminals.push(s);
    city.stations.push(s);
    terminals.push(s);
  }
  city.metro = metro;
  merchants.push(metro);
  return city;
}

function buildAccount(rng: Rng, ids: IdFactory, cal: Calendar, city: City, role: AccountRole): Account {
  const district = rng.pick(city.districts);
  const home = roundGeo(scatter(rng, district.centre, 3));
  const commuter = rng.chance(0.22);
  const work = commuter ? roundGeo(scatter(rng, city.centre, 4)) : null;
  const fresh = role !== 'established';
  let limitYuan = fresh ? rng.uniform(2000, 8000) : rng.lognormal(8000, 0.6);
  limitYuan = Math.min(50000, Math.max(2000, Math.round(limitYuan / 500) * 500));
  const kyc =
    role === 'fresh_fraud'
      ? rng.chance(0.4) ? 'none' : 'basic'
      : role === 'fresh_legit'
        ? rng.chance(0.6) ? 'basic' : 'full'
        : rng.weighted(['full', 'basic', 'none'] as const, [85, 13, 2]);
  const openedAt = fresh
    ? cal.start + rng.int(0, Math.max(0, cal.days.length - 2)) * DAY + rng.int(9, 21) * HOUR + rng.int(0, 3599) * 1000
    : cal.start - rng.int(30, 2500) * DAY + rng.int(8, 21) * HOUR + rng.int(0, 3599) * 1000;
  const devices = [ids.device()];
  if (!fresh && rng.chance(0.25)) devices.push(ids.device());
  const favourites: Merchant[] = [];
  const nFav = rng.int(8, 14);
  for (let i = 0; i < nFav; i++) {
    const anchor = work !== null && rng.chance(0.3) ? work : home;
    const m = merchantNear(rng, city, anchor, everydayMcc(rng).mcc);
    if (m !== null) favourites.push(m);
  }
  const fuel = rng.chance(0.18) ? merchantNear(rng, city, home, '5541') : null;
  return {
    id: ids.account(),
    role,
    city,
    home,
    work,
    limit: limitYuan * 100,
    kyc,
    openedAt,
    devices,
    device: devices[0],
    prevDevice: devices[0],
    deviceSince: 0,
    ip: cityIp(rng, city),
    favourites,
    homeStation: commuter ? stationNear(rng, city, home) : null,
    workStation: work !== null ? stationNear(rng, city, work) : null,
    fare: rng.int(3, 7) * 100,
    fuel,
    nextFuelDay: rng.int(0, 7),
    rate: Math.min(3, Math.max(0.05, rng.lognormal(0.42, 0.5))),
    cardShare: rng.next() ** 2 * 0.5,
    traveller: rng.chance(0.35),
    statementDay: rng.int(1, 28),
    used: 0,
    trip: null,
    tripCooldownUntil: 0,
    victim: false,
    lastTx: null,
  };
}

/** Builds the world for a calendar and size. */
export function buildWorld(rng: Rng, ids: IdFactory, cal: Calendar, size: WorldSize): World {
  const merchants: Merchant[] = [];
  const terminals: Terminal[] = [];
  const perCity = apportion(size.accounts, CITIES.map((c) => c.weight));
  const cities = CITIES.map((_, i) => buildCity(rng, ids, cal, i, perCity[i], merchants, terminals));
  const freshFraud = Math.min(size.freshFraud, Math.floor(size.accounts / 4));
  const freshLegit = Math.round(size.accounts * 0.01);
  const roles: AccountRole[] = [];
  for (let i = 0; i < size.accounts; i++) {
    roles.push(i < freshFraud ? 'fresh_fraud' : i < freshFraud + freshLegit ? 'fresh_legit' : 'established');
  }
  const shuffled = rng.sample(roles, roles.length);
  const accounts: Account[] = [];
  let k = 0;
  cities.forEach((city, ci) => {
    for (let i = 0; i < perCity[ci]; i++) {
      const a = buildAccount(rng, ids, cal, city, shuffled[k++]);
      city.accounts.push(a);
      accounts.push(a);
    }
  });
  return {
    acquirers: ACQUIRERS,
    licensed: ACQUIRERS.filter((a) => a.licensed),
    unlicensed: ACQUIRERS.filter((a) => !a.licensed),
    ghostAcquirerIds: GHOST_ACQUIRERS,
    cities,
    merchants,
    terminals,
    accounts,
  };
}

/** The time acquirers were registered: long before anything else. */
export function acquirerRegT(cal: Calendar): number {
  return cal.start - 1600 * DAY;
}
