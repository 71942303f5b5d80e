import { describe, expect, it } from 'vitest';
import { distanceKm, fitProjection, scaleBar } from './plot';

describe('fitProjection', () => {
  const shanghai = { lat: 31.23, lon: 121.47 };
  const beijing = { lat: 39.9, lon: 116.4 };

  it('fits every point inside the padded box, north up', () => {
    const p = fitProjection([shanghai, beijing], 400, 300, 20);
    const s = p.project(shanghai);
    const b = p.project(beijing);
    for (const q of [s, b]) {
      expect(q.x).toBeGreaterThanOrEqual(20);
      expect(q.x).toBeLessThanOrEqual(380);
      expect(q.y).toBeGreaterThanOrEqual(20);
      expect(q.y).toBeLessThanOrEqual(280);
    }
    expect(b.y).toBeLessThan(s.y); // Beijing is north: higher on the plot
    expect(b.x).toBeLessThan(s.x); // and west
  });

  it('keeps the scale: pixels between the points times km per pixel is about the distance', () => {
    const p = fitProjection([shanghai, beijing], 400, 300, 20);
    const s = p.project(shanghai);
    const b = p.project(beijing);
    const km = Math.hypot(s.x - b.x, s.y - b.y) * p.kmPerPx;
    expect(Math.abs(km - distanceKm(shanghai, beijing)) / distanceKm(shanghai, beijing)).toBeLessThan(0.03);
  });

  it('centres a single point', () => {
    expect(fitProjection([shanghai], 200, 100, 10).project(shanghai)).toEqual({ x: 100, y: 50 });
  });
});

describe('distanceKm and scaleBar', () => {
  it('measures great-circle distances', () => {
    expect(distanceKm({ lat: 31.23, lon: 121.47 }, { lat: 39.9, lon: 116.4 })).toBeCloseTo(1067, -1);
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 0 })).toBe(0);
  });

  it('picks a round length near the wanted width', () => {
    expect(scaleBar(0.011, 100)).toEqual({ km: 1, px: 91 });
    expect(scaleBar(3, 100)).toEqual({ km: 200, px: 67 });
  });
});
