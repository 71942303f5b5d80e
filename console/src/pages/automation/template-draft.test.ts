import { describe, expect, it } from 'vitest';
import { changedKinds, placeholdersIn, templatesBody, withText } from './template-draft';
import type { NoticeTemplates } from './types';

const current: NoticeTemplates = {
  account_frozen: { 'zh-CN': '您的账户{accountId}已冻结（至{until}）。', en: 'Your account {accountId} is frozen ({until}).' },
  limit_lowered: { 'zh-CN': '额度调整为¥{limit}。', en: 'Your limit is now ¥{limit}.' },
};

describe('notice template drafts', () => {
  it('finds the placeholders a text uses, each once', () => {
    expect(placeholdersIn('{accountId} until {until}, {accountId}')).toEqual(['accountId', 'until']);
    expect(placeholdersIn('no placeholder')).toEqual([]);
    expect(placeholdersIn('{}')).toEqual(['']);
  });

  it('edits one text and sees which kinds changed', () => {
    const d = withText(current, 'limit_lowered', 'en', 'Your credit limit is ¥{limit} for now.');
    expect(d.limit_lowered).toEqual({ 'zh-CN': '额度调整为¥{limit}。', en: 'Your credit limit is ¥{limit} for now.' });
    expect(current.limit_lowered?.en).toBe('Your limit is now ¥{limit}.');
    expect(changedKinds(d, current)).toEqual(['limit_lowered']);
    expect(changedKinds(withText(current, 'account_frozen', 'zh-CN', ` ${current.account_frozen?.['zh-CN'] ?? ''}\n`), current)).toEqual([]);
  });

  it('makes the body of a new version: every kind, trimmed, with the note when given', () => {
    const d = withText(current, 'limit_lowered', 'en', ' Your credit limit is ¥{limit}. ');
    expect(templatesBody(d, current, '')).toEqual({ body: { templates: { ...current, limit_lowered: { 'zh-CN': '额度调整为¥{limit}。', en: 'Your credit limit is ¥{limit}.' } } } });
    expect(templatesBody(d, current, ' plainer English ')).toMatchObject({ body: { note: 'plainer English' } });
  });

  it('names the first problem by kind and language', () => {
    expect(templatesBody(current, current, '')).toEqual({ problem: { what: 'unchanged' } });
    expect(templatesBody(withText(current, 'limit_lowered', 'zh-CN', '  '), current, '')).toEqual({ problem: { what: 'empty', kind: 'limit_lowered', lang: 'zh-CN' } });
    expect(templatesBody(withText(current, 'account_frozen', 'en', 'x'.repeat(1001)), current, '')).toEqual({ problem: { what: 'long', kind: 'account_frozen', lang: 'en' } });
    expect(templatesBody(withText(current, 'account_frozen', 'en', 'Frozen by {rule}'), current, '')).toEqual({
      problem: { what: 'placeholder', kind: 'account_frozen', lang: 'en', name: 'rule' },
    });
    expect(templatesBody(withText(current, 'account_frozen', 'en', 'Frozen.'), current, 'n'.repeat(501))).toEqual({ problem: { what: 'noteLong' } });
  });
});
