import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../api/types';
import { INNER_RING, labelPlace, radialLayout, relatedAccounts } from './graph';

const base: Evidence = { subject: { kind: 'account' }, payments: [], devices: [], places: [], reasons: [], related: {} };

describe('relatedAccounts', () => {
  it('merges device and merchant links per account, device links first, never the subject', () => {
    const e: Evidence = {
      ...base,
      related: {
        sharedDevices: [{ accountId: 'acc-b', devices: ['dev-1'], labelledFraud: true }],
        sharedMerchants: [
          { accountId: 'acc-a', merchants: ['m-1'], labelledFraud: false },
          { accountId: 'acc-b', merchants: ['m-2'], labelledFraud: false },
          { accountId: 'acc-self', merchants: ['m-1'], labelledFraud: false },
        ],
      },
    };
    expect(relatedAccounts(e, 'acc-self')).toEqual([
      { accountId: 'acc-b', via: ['device', 'merchant'], shared: ['dev-1', 'm-2'], labelledFraud: true },
      { accountId: 'acc-a', via: ['merchant'], shared: ['m-1'], labelledFraud: false },
    ]);
  });

  it('places IP links between device and merchant links, merged with the other links of the same account', () => {
    const e: Evidence = {
      ...base,
      related: {
        sharedIps: [
          { accountId: 'acc-c', ips: ['10.0.0.1'] },
          { accountId: 'acc-d', ips: ['10.0.0.2'], labelledFraud: true },
        ],
        sharedMerchants: [
          { accountId: 'acc-a', merchants: ['m-1'], labelledFraud: false },
          { accountId: 'acc-c', merchants: ['m-1'], labelledFraud: false },
        ],
      },
    };
    expect(relatedAccounts(e, 'acc-self')).toEqual([
      { accountId: 'acc-c', via: ['ip', 'merchant'], shared: ['10.0.0.1', 'm-1'], labelledFraud: false },
      { accountId: 'acc-d', via: ['ip'], shared: ['10.0.0.2'], labelledFraud: true },
      { accountId: 'acc-a', via: ['merchant'], shared: ['m-1'], labelledFraud: false },
    ]);
  });

  it('reads a merchant case (accounts per shared device) too', () => {
    const e: Evidence = { ...base, related: { sharedDevices: [{ deviceId: 'dev-9', accounts: ['acc-x', 'acc-y'] }] } };
    expect(relatedAccounts(e, 'm-1').map((r) => [r.accountId, r.via, r.shared])).toEqual([
      ['acc-x', ['device'], ['dev-9']],
      ['acc-y', ['device'], ['dev-9']],
    ]);
  });
});

describe('radialLayout', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((accountId) => ({ accountId, via: ['device' as const], shared: [], labelledFraud: false }));

  it('puts the first node at the top and the rest clockwise on the circle', () => {
    const placed = radialLayout(nodes, 100, 100, 50);
    expect(placed.map((n) => [n.x, n.y])).toEqual([
      [100, 50],
      [150, 100],
      [100, 150],
      [50, 100],
    ]);
  });

  it('puts every other node on an inner ring when there are many, and draws at most `max`', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ accountId: `acc-${i}`, via: ['merchant' as const], shared: [], labelledFraud: false }));
    const placed = radialLayout(many, 0, 0, 80, 24);
    expect(placed).toHaveLength(24);
    placed.forEach((n, i) => expect(Math.hypot(n.x, n.y)).toBeCloseTo(i % 2 === 0 ? 80 : 80 * INNER_RING, 0));
  });

  it('labels a node outwards from the centre', () => {
    expect(labelPlace({ x: 150, y: 100 }, 100, 100, 12)).toEqual({ x: 162, y: 104, anchor: 'start' });
    expect(labelPlace({ x: 50, y: 100 }, 100, 100, 12)).toEqual({ x: 38, y: 104, anchor: 'end' });
    expect(labelPlace({ x: 100, y: 50 }, 100, 100, 12)).toEqual({ x: 100, y: 42, anchor: 'middle' });
  });

  it('places nothing for no node', () => {
    expect(radialLayout([], 10, 10, 5)).toEqual([]);
  });
});
