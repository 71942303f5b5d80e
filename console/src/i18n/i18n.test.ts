import { describe, expect, it } from 'vitest';
import { detectLang } from './detect';
import { en } from './en';
import { CATALOGUES, translate } from './i18n';
import { zhCN } from './zh-CN';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('catalogues', () => {
  it('have exactly the same keys in en and zh-CN', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });
  it('fill the same placeholders in every language', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });
  it('have no empty message', () => {
    for (const cat of Object.values(CATALOGUES)) for (const [k, v] of Object.entries(cat)) expect(v.trim(), k).not.toBe('');
  });
  it('translate the navigation', () => {
    expect(translate('en', 'nav.rules')).toBe('Rules');
    expect(translate('zh-CN', 'nav.rules')).toBe('规则');
  });
  it('fill values and leave an unknown placeholder visible', () => {
    expect(translate('en', 'pager.page', { page: 3 })).toBe('Page 3');
    expect(translate('en', 'pager.page')).toBe('Page {page}');
  });
});

describe('detectLang', () => {
  it('follows the browser: any Chinese is zh-CN, else English', () => {
    expect(detectLang(['zh-CN', 'en'], null)).toBe('zh-CN');
    expect(detectLang(['zh-TW'], null)).toBe('zh-CN');
    expect(detectLang(['zh'], null)).toBe('zh-CN');
    expect(detectLang(['en-GB', 'zh-CN'], null)).toBe('en');
    expect(detectLang(['fr-FR'], null)).toBe('en');
    expect(detectLang([], null)).toBe('en');
  });
  it('keeps the remembered choice over the browser, and ignores a bad one', () => {
    expect(detectLang(['zh-CN'], 'en')).toBe('en');
    expect(detectLang(['en-US'], 'zh-CN')).toBe('zh-CN');
    expect(detectLang(['zh-CN'], 'klingon')).toBe('zh-CN');
  });
});
