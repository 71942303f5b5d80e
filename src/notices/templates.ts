/**
 * Customer notices: what the provider's own SMS or app channel tells a customer when the account is
 * restricted or restored, or an appeal decided — in Chinese and English, from templates the risk
 * team edits (each edit a new version, kept and audited, like a policy). Fengkong sends no SMS: it
 * stores each notice (the customer view lists them) and delivers it as a `customer.notice` webhook.
 * A template may use only the placeholders below; a notice never names a rule, a score or an
 * analyst's reason.
 */
import { InputError } from '../errors.js';

/** What a notice is about. */
export const NOTICE_KINDS = [
  'account_frozen',
  'account_unfrozen',
  'limit_lowered',
  'limit_restored',
  'step_up_required',
  'step_up_lifted',
  'restrictions_lifted',
  'appeal_upheld',
  'appeal_rejected',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** The two languages of every template. */
export const NOTICE_LANGS = ['zh-CN', 'en'] as const;
export type NoticeLang = (typeof NOTICE_LANGS)[number];

/** One kind's text in both languages. */
export type NoticeTemplate = Readonly<Record<NoticeLang, string>>;
/** Every kind's template. */
export type NoticeTemplates = Readonly<Record<NoticeKind, NoticeTemplate>>;

/** What a template may fill in: `{until}` (the end in Asia/Shanghai time, or "until further notice"), `{limit}` (yuan). */
export const PLACEHOLDERS = ['accountId', 'until', 'limit'] as const;
export type NoticeValues = Readonly<Partial<Record<(typeof PLACEHOLDERS)[number], string>>>;

/** Longest template text. */
export const MAX_TEMPLATE_LENGTH = 1_000;

/** The templates a data folder starts with (version 0). */
export const DEFAULT_TEMPLATES: NoticeTemplates = {
  account_frozen: {
    'zh-CN': '【风控提示】为保障您的资金安全，您的账户{accountId}已暂时冻结（至{until}），期间付款将无法完成。如有疑问请致电客服或在App内申诉。',
    en: 'For your security, your account {accountId} is temporarily frozen ({until}); payments are declined meanwhile. Call customer service or appeal in the app.',
  },
  account_unfrozen: {
    'zh-CN': '【风控提示】您的账户{accountId}已解除冻结，可以正常付款。',
    en: 'Your account {accountId} is no longer frozen; you can pay as usual.',
  },
  limit_lowered: {
    'zh-CN': '【风控提示】您的信用额度已暂时调整为¥{limit}（至{until}）。按时还款有助于恢复额度，如有疑问请在App内申诉。',
    en: 'Your credit limit is lowered to ¥{limit} for now ({until}). Repaying on time helps restore it; appeal in the app if you think this is a mistake.',
  },
  limit_restored: {
    'zh-CN': '【风控提示】您的信用额度已恢复。',
    en: 'Your credit limit is restored.',
  },
  step_up_required: {
    'zh-CN': '【风控提示】为保障您的账户安全，付款时需要进行额外验证（至{until}）。',
    en: 'For your security, payments need an extra verification step for now ({until}).',
  },
  step_up_lifted: {
    'zh-CN': '【风控提示】付款时不再需要额外验证。',
    en: 'Payments no longer need the extra verification step.',
  },
  restrictions_lifted: {
    'zh-CN': '【风控提示】您账户{accountId}的临时限制已全部解除。',
    en: 'Every temporary restriction of your account {accountId} is lifted.',
  },
  appeal_upheld: {
    'zh-CN': '【申诉结果】您的申诉已核实通过，相关限制将解除。感谢您的耐心。',
    en: 'Your appeal was upheld; the restriction concerned is being lifted. Thank you for your patience.',
  },
  appeal_rejected: {
    'zh-CN': '【申诉结果】经核查，您的申诉未获通过。如有疑问请致电客服。',
    en: 'After review, your appeal was not upheld. Call customer service with any question.',
  },
};

const PLACEHOLDER_RE = /\{([^{}]*)\}/g;

/**
 * Checks a body's `templates`: an object with every kind, each with `zh-CN` and `en` texts of 1 to
 * MAX_TEMPLATE_LENGTH characters using only the known placeholders. An InputError names the field.
 */
export function checkTemplates(value: unknown): NoticeTemplates {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('templates', `an object with a template for each of ${NOTICE_KINDS.join(', ')}`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(NOTICE_KINDS as readonly string[]).includes(k)) throw new InputError(`templates.${k}`, `one of ${NOTICE_KINDS.join(', ')}`);
  }
  const out: Partial<Record<NoticeKind, NoticeTemplate>> = {};
  for (const kind of NOTICE_KINDS) {
    const t = o[kind];
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new InputError(`templates.${kind}`, 'an object {"zh-CN": text, "en": text}');
    const texts = t as Record<string, unknown>;
    for (const k of Object.keys(texts)) {
      if (!(NOTICE_LANGS as readonly string[]).includes(k)) throw new InputError(`templates.${kind}.${k}`, 'only "zh-CN" and "en"');
    }
    for (const lang of NOTICE_LANGS) {
      const text = texts[lang];
      const field = `templates.${kind}.${lang}`;
      if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEMPLATE_LENGTH) throw new InputError(field, `a text of 1–${MAX_TEMPLATE_LENGTH} characters`);
      for (const m of text.matchAll(PLACEHOLDER_RE)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) throw new InputError(field, `placeholders among ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}; {${m[1]}} is none`);
      }
    }
    out[kind] = { 'zh-CN': texts['zh-CN'] as string, en: texts.en as string };
  }
  return out as NoticeTemplates;
}

/** `text` with its placeholders filled (a placeholder without a value is left out). */
export function render(text: string, values: NoticeValues): string {
  return text.replace(PLACEHOLDER_RE, (_m, name: string) => values[name as keyof NoticeValues] ?? '');
}
