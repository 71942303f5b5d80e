/**
 * What the customer is told, in English and Chinese: the account's status, each restriction in
 * plain words with what the customer can do about it, and each payment's outcome. Customer service
 * reads these aloud or shows them in the app; they never name a rule, a score or the internal
 * reason an analyst wrote.
 */

/** A text in both languages. */
export interface Text {
  readonly en: string;
  readonly zh: string;
}

/** The account's status as the customer sees it. */
export type CustomerStatus = 'active' | 'frozen' | 'restricted';

/** What each restriction means for the customer. */
export type CustomerRestrictionKind = 'frozen' | 'limit_lowered' | 'step_up';

/** Status in words. */
export const STATUS_TEXT: Record<CustomerStatus, Text> = {
  active: { en: 'Your account is active.', zh: '您的账户状态正常。' },
  frozen: { en: 'Your account is temporarily frozen.', zh: '您的账户暂时被冻结。' },
  restricted: { en: 'Your account is active, with a temporary restriction.', zh: '您的账户可以正常使用，但目前有临时限制。' },
};

/** Each restriction: what happened, and what the customer can do. */
export function restrictionText(kind: CustomerRestrictionKind, limitYuan: string): { message: Text; whatYouCanDo: Text } {
  switch (kind) {
    case 'frozen':
      return {
        message: {
          en: 'Your account is temporarily frozen while we check recent payments. Payments with it are declined for now.',
          zh: '为保障您的资金安全，我们正在核查账户近期的交易，账户暂时被冻结，期间付款将无法完成。',
        },
        whatYouCanDo: {
          en: 'Call customer service or file an appeal in the app. We will tell you as soon as the check is done.',
          zh: '请致电客服，或在App内提交申诉。核查完成后我们会第一时间通知您。',
        },
      };
    case 'limit_lowered':
      return {
        message: {
          en: `Your credit limit has been lowered to ¥${limitYuan} for now.`,
          zh: `您的信用额度已暂时调整为¥${limitYuan}。`,
        },
        whatYouCanDo: {
          en: 'You can keep paying within the new limit. Repaying on time helps restore it. If you think this is a mistake, file an appeal in the app or call customer service.',
          zh: '您可以在新额度内继续付款，按时还款有助于恢复额度。如有疑问，请在App内提交申诉或致电客服。',
        },
      };
    case 'step_up':
      return {
        message: {
          en: 'For your security, every payment needs an extra verification step for now.',
          zh: '为保障您的账户安全，目前每笔付款都需要进行额外的身份验证。',
        },
        whatYouCanDo: {
          en: 'Complete the verification when asked at the till (SMS code or face check). If you cannot, call customer service.',
          zh: '付款时请按提示完成验证（短信验证码或刷脸）。如无法完成，请致电客服。',
        },
      };
  }
}

/** A payment's outcome as the customer sees it: a review is not the customer's business. */
export type CustomerOutcome = 'approved' | 'verification_required' | 'declined';

/** The customer's outcome of a decision outcome. */
export function customerOutcome(outcome: string): CustomerOutcome {
  if (outcome === 'decline') return 'declined';
  if (outcome === 'challenge') return 'verification_required';
  return 'approved';
}

/** Outcomes in words. */
export const OUTCOME_TEXT: Record<CustomerOutcome, Text> = {
  approved: { en: 'Paid', zh: '支付成功' },
  verification_required: { en: 'Verification requested', zh: '需要验证' },
  declined: { en: 'Declined', zh: '支付失败' },
};

/** Fen as yuan with two decimals and thousands separators: 150000 → "1,500.00". */
export function yuan(fen: number): string {
  const neg = fen < 0;
  const abs = Math.abs(Math.round(fen));
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100).toString().padStart(2, '0');
  return `${neg ? '-' : ''}${whole}.${cents}`;
}
