import { describe, expect, it } from 'vitest';
import { GAZETTEER } from './gazetteer';
import { clusterPoints, CITY_RADIUS_KM, formatLatLon, nearestCity, placeLabels, placeName, referenceCities, textWidth } from './labels';
import { distanceKm, fitProjection } from './plot';

describe('the gazetteer', () => {
  it('has every provincial capital and the large cities, with Chinese and English names, inside China', () => {
    const capitals = GAZETTEER.filter((c) => c.capital);
    expect(capitals.length).toBe(34);
    expect(GAZETTEER.length).toBeGreaterThanOrEqual(90);
    for (const c of GAZETTEER) {
      expect(c.lat).toBeGreaterThan(18);
      expect(c.lat).toBeLessThan(54);
      expect(c.lon).toBeGreaterThan(73);
      expect(c.lon).toBeLessThan(135);
      expect(c.zh).toMatch(/^[\u4e00-\u9fff]+$/);
      expect(c.en).toMatch(/^[A-Z]/);
    }
    expect(new Set(GAZETTEER.map((c) => c.en)).size).toBe(GAZETTEER.length);
  });

  it('no city is listed twice under two names', () => {
    for (const [i, a] of GAZETTEER.entries()) for (const b of GAZETTEER.slice(i + 1)) expect(distanceKm(a, b), `${a.en} ${b.en}`).toBeGreaterThan(5); // Macau and Zhuhai are 9 km apart
  });
});

describe('nearestCity and placeName', () => {
  it('names a point after the nearest city centre within the radius', () => {
    expect(nearestCity({ lat: 22.5431, lon: 114.0579 })?.city.en).toBe('Shenzhen');
    expect(nearestCity({ lat: 23.1291, lon: 113.2644 })?.city.en).toBe('Guangzhou');
    expect(nearestCity({ lat: 39.9042, lon: 116.4074 })?.city.zh).toBe('北京');
    // Futian is nearer Shenzhen's centre than Hong Kong's
    expect(nearestCity({ lat: 22.52, lon: 114.05 })?.city.en).toBe('Shenzhen');
    expect(nearestCity({ lat: 22.28, lon: 114.16 })?.city.en).toBe('Hong Kong');
  });

  it('gives the distance, and nothing beyond the radius', () => {
    const n = nearestCity({ lat: 31.23 + 0.3, lon: 121.474 });
    expect(n?.city.en).toBe('Shanghai');
    expect(n?.km).toBeCloseTo(33.4, 0);
    expect(nearestCity({ lat: 35.0, lon: 95.0 })).toBeNull(); // the Qinghai plateau
    expect(nearestCity({ lat: 0, lon: 0 })).toBeNull();
    expect(nearestCity({ lat: 31.23 + 0.3, lon: 121.474 }, 20)).toBeNull();
    expect(CITY_RADIUS_KM).toBe(60);
  });

  it('says the city in the UI language, else the coordinates', () => {
    expect(placeName({ lat: 30.57, lon: 104.07 }, 'en')).toBe('Chengdu');
    expect(placeName({ lat: 30.57, lon: 104.07 }, 'zh-CN')).toBe('成都');
    expect(placeName({ lat: 35.0, lon: 95.0 }, 'en')).toBe('35.00, 95.00');
    expect(formatLatLon({ lat: 22.5431, lon: 114.0579 })).toBe('22.54, 114.06');
  });
});

describe('clusters, references and label placement', () => {
  it('groups marks close on the drawing', () => {
    const pts = [{ x: 10, y: 10 }, { x: 20, y: 12 }, { x: 200, y: 10 }, { x: 12, y: 30 }];
    const c = clusterPoints(pts, (p) => p, 26);
    expect(c.map((x) => x.members.length)).toEqual([3, 1]);
    expect(c[0].at).toEqual({ x: 10, y: 10 });
  });

  it('lists the cities inside the extent, capitals first, leaving out the excluded', () => {
    const proj = fitProjection([{ lat: 22.5431, lon: 114.0579 }, { lat: 23.1291, lon: 113.2644 }], 460, 300, 48);
    const refs = referenceCities(proj, 460, 300, 14, 8).map((r) => r.city.en);
    expect(refs).toContain('Dongguan');
    expect(refs.indexOf('Guangzhou')).toBeLessThan(refs.indexOf('Dongguan'));
    expect(refs).not.toContain('Beijing');
    const sz = GAZETTEER.find((c) => c.en === 'Shenzhen')!;
    expect(referenceCities(proj, 460, 300, 14, 8, new Set([sz])).map((r) => r.city.en)).not.toContain('Shenzhen');
    expect(referenceCities(proj, 460, 300, 14, 2)).toHaveLength(2);
  });

  it('measures Han characters wider than Latin ones', () => {
    expect(textWidth('深圳', 10)).toBe(20);
    expect(textWidth('ab', 10)).toBe(12);
  });

  it('places labels so they do not overlap, dropping optional ones that fit nowhere', () => {
    const reqs = [0, 1, 2].map((i) => ({ id: `a${i}`, x: 100, y: 100, r: 6, text: 'Guangzhou', fontPx: 11, must: true }));
    const placed = placeLabels(reqs, 460, 300);
    expect(placed).toHaveLength(3);
    for (const [i, a] of placed.entries()) {
      for (const b of placed.slice(i + 1)) {
        const w = Math.min(a.box.x + a.box.w, b.box.x + b.box.w) - Math.max(a.box.x, b.box.x);
        const h = Math.min(a.box.y + a.box.h, b.box.y + b.box.h) - Math.max(a.box.y, b.box.y);
        expect(w <= 0 || h <= 0, `${a.id} and ${b.id} overlap`).toBe(true);
      }
    }
    // an optional label over a crowd with no room left is dropped; a label at the right edge turns left
    const crowd = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, x: 100, y: 100, r: 6, text: 'Dongguan', fontPx: 11, must: false }));
    expect(placeLabels(crowd, 460, 300).length).toBeLessThan(12);
    const edge = placeLabels([{ id: 'e', x: 450, y: 150, r: 6, text: 'Shanghai', fontPx: 11, must: true }], 460, 300);
    expect(edge[0].anchor).toBe('end');
    expect(edge[0].box.x + edge[0].box.w).toBeLessThanOrEqual(460);
  });
});
