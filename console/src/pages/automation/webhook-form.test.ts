import { describe, expect, it } from 'vitest';
import { deliveriesPath, webhookBody } from './webhook-form';
import type { WebhookEventType } from './types';

const events = (...e: WebhookEventType[]): Set<WebhookEventType> => new Set(e);

describe('the new-webhook form', () => {
  it('needs an http(s) URL without spaces, of at most 2,000 characters', () => {
    expect(webhookBody({ url: '', events: events('case.opened'), description: '' })).toEqual({ field: 'url' });
    expect(webhookBody({ url: 'ftp://siem.example/in', events: events('case.opened'), description: '' })).toEqual({ field: 'url' });
    expect(webhookBody({ url: 'https://siem.example/a b', events: events('case.opened'), description: '' })).toEqual({ field: 'url' });
    expect(webhookBody({ url: `https://x.example/${'a'.repeat(2000)}`, events: events('case.opened'), description: '' })).toEqual({ field: 'url' });
  });

  it('needs at least one event type and a description of at most 500 characters', () => {
    expect(webhookBody({ url: 'https://siem.example/in', events: events(), description: '' })).toEqual({ field: 'events' });
    expect(webhookBody({ url: 'https://siem.example/in', events: events('case.opened'), description: 'd'.repeat(501) })).toEqual({ field: 'description' });
  });

  it('sends the events in the server\u2019s order and leaves out an empty description', () => {
    expect(webhookBody({ url: ' http://127.0.0.1:9000/hooks ', events: events('customer.notice', 'account.restricted'), description: '  ' })).toEqual({
      body: { url: 'http://127.0.0.1:9000/hooks', events: ['account.restricted', 'customer.notice'] },
    });
    expect(webhookBody({ url: 'https://sms.example/fk', events: events('customer.notice'), description: ' SMS gateway ' })).toEqual({
      body: { url: 'https://sms.example/fk', events: ['customer.notice'], description: 'SMS gateway' },
    });
  });

  it('reads a webhook\u2019s deliveries, of one state or all', () => {
    expect(deliveriesPath('wh_1', 'all')).toBe('/v1/webhooks/wh_1/deliveries?limit=100');
    expect(deliveriesPath('wh 1', 'dead', 20)).toBe('/v1/webhooks/wh%201/deliveries?state=dead&limit=20');
  });
});
