/**
 * The risk report's words in Chinese as well as English: the risk teams it serves read Chinese.
 * Every phrase of the HTML report is written in English in the code and looked up here by that
 * text, with `{name}` holes filled after lookup; a phrase without a translation stays English (a
 * test checks that every phrase the report uses has one).
 */

/** The report's languages. */
export const REPORT_LANGS = ['en', 'zh-CN'] as const;
export type ReportLang = (typeof REPORT_LANGS)[number];

/** Translates one English phrase of the report, filling its `{name}` holes. */
export type Tr = (en: string, vars?: Readonly<Record<string, string | number>>) => string;

const ZH: Readonly<Record<string, string>> = {
  // header and notes
  'Risk assessment': '风险评估报告',
  'Risk assessment {from} to {to}': '风险评估报告 {from} 至 {to}',
  'Payments with event time from {from} up to (not including) {to}, per {bucket} in UTC{tz}. Compared with the previous period of equal length. Generated {at} from journal entries up to seq {seq}; fraud and legitimate by the labels known then.':
    '统计事件时间自 {from} 起、至 {to}（不含）的交易，按{bucket}汇总，时区 UTC{tz}；与等长的上一周期对比。生成于 {at}，基于流水序号 {seq} 及之前的记录；欺诈与正常按生成时已知的标签判断。',
  'How to read this': '阅读说明',
  'Outcomes are the decisions as answered, read from the journal. A payment is fraud when its own label says so (the latest label wins), else when its account carries a fraud label; every other payment counts as legitimate, unlabelled ones included. Labels confirmed after the period count. Caught: not approved (declined, challenged or reviewed). Money saved: fraud value declined or challenged. Precision: fraud caught / payments flagged. Made in {s} s over {n} journaled payments.':
    '结果为流水中记录的实际应答。交易本身带欺诈标签（以最新标签为准）或其账户带欺诈标签时计为欺诈；其余交易（含无标签交易）均计为正常。周期结束后确认的标签也计入。拦截：未直接通过（拒绝、验证或审核）。挽回金额：被拒绝或要求验证的欺诈金额。精确率：拦截的欺诈 / 预警交易。耗时 {s} 秒，读取流水交易 {n} 笔。',
  // units and outcomes
  hour: '小时', day: '天', week: '周',
  approve: '通过', review: '审核', challenge: '验证', decline: '拒绝',
  'n/a': '无',
  // summary
  Summary: '概览',
  'vs previous: {x}': '较上期：{x}',
  Payments: '交易笔数',
  Value: '交易金额',
  'Flagged (not approved)': '预警（未直接通过）',
  Declined: '拒绝',
  'Fraud caught': '拦截欺诈',
  '{a} of {b}': '{a} / {b}',
  'recall {r}; previous {p}': '召回率 {r}；上期 {p}',
  'Fraud missed': '漏过欺诈',
  '{n} payments approved': '{n} 笔已通过',
  'Money saved': '挽回金额',
  'fraud declined or challenged': '被拒绝或要求验证的欺诈',
  'Legitimate declined': '误拒正常交易',
  '{n} payments': '{n} 笔',
  'Alert precision': '预警精确率',
  'Mean score': '平均风险分',
  'Score drift (PSI)': '分数漂移（PSI）',
  'no reference': '无参照',
  'Open cases': '未结案件',
  'oldest {d} days': '最久 {d} 天',
  stable: '稳定', moderate: '中度偏移', significant: '显著偏移',
  // outcomes and money
  'Outcomes and money': '结果与金额',
  'Previous period: {from} to {to}.': '上一周期：{from} 至 {to}。',
  'previous period': '上一周期',
  'this period': '本周期',
  change: '变化',
  payments: '交易笔数',
  'fraud payments': '欺诈交易',
  '  caught (not approved)': '  已拦截（未直接通过）',
  '  missed (approved)': '  漏过（已通过）',
  'legitimate declined': '误拒正常交易',
  'legitimate challenged': '正常交易被要求验证',
  money: '金额',
  'payment value': '交易金额',
  'fraud value': '欺诈金额',
  'money saved (fraud declined or challenged)': '挽回金额（欺诈被拒绝或要求验证）',
  '  fraud declined': '  欺诈被拒绝',
  '  fraud challenged': '  欺诈被要求验证',
  'fraud reviewed (approved, queued)': '欺诈进入审核（已通过、待审）',
  'fraud missed (approved)': '漏过的欺诈（已通过）',
  'legitimate value declined': '误拒的正常金额',
  'legitimate value challenged': '被要求验证的正常金额',
  // rules
  'Rule precision': '规则精确率',
  'No decision in the period carried a reason.': '本周期没有带原因码的决策。',
  'Precision of the rules with the most hits': '命中最多的规则的精确率',
  "Share of each reason code's hits that were fraud by the labels known now (top {n} by hits).": '按当前已知标签，各原因码命中中欺诈所占比例（按命中数前 {n} 名）。',
  reason: '原因码', hits: '命中', declined: '拒绝', challenged: '验证', reviewed: '审核', fraud: '欺诈', precision: '精确率', recall: '召回率',
  'legitimate value': '正常金额',
  'A payment counts once per reason code it carried. Recall: the share of all fraud payments of the period the code was on.': '一笔交易对其携带的每个原因码各计一次。召回率：该原因码覆盖本周期全部欺诈交易的比例。',
  // merchants and terminals
  'Riskiest merchants': '风险最高的商户',
  'Riskiest terminals': '风险最高的终端',
  merchant: '商户', terminal: '终端', value: '金额', flagged: '预警', 'flagged share': '预警占比', 'rating now': '当前评级',
  'By fraud value': '按欺诈金额',
  'No fraud by the labels known now.': '按当前已知标签，无欺诈。',
  'By share of payments flagged (at least {n} payments)': '按预警交易占比（至少 {n} 笔交易）',
  'None flagged.': '无预警。',
  'Highest risk ratings now': '当前风险评级最高',
  "The live engine's ratings from each merchant code's and terminal's last seven days of traffic, as of {at} — not over the report's period.": '线上引擎依据各商户码与终端最近七天交易给出的评级，截至 {at}，并非报告周期内的评级。',
  'its start': '启动时',
  'Merchant codes': '商户码',
  Terminals: '终端',
  rating: '评级', drivers: '主要因素', 'payments (7 d)': '交易笔数（7 天）',
  'No merchant or terminal carries a rating above 0.': '没有评级高于 0 的商户或终端。',
  // cases
  'Not available: {why}.': '不可用：{why}。',
  'Open cases by age': '未结案件账龄',
  'open cases': '未结案件',
  '{open} open of {total}': '{total} 件中未结 {open} 件',
  '; median age {m} days, oldest {o} days': '；账龄中位数 {m} 天，最久 {o} 天',
  '; {amount} at stake': '；涉及金额 {amount}',
  ' (as of {at}).': '（截至 {at}）。',
  'Open cases by time since they were opened.': '按立案以来时长统计的未结案件。',
  'open cases by': '未结案件按',
  count: '数量',
  state: '状态', issue: '问题', subject: '对象',
  // over time, fraud, scores (html-charts.ts)
  'Payments per {unit}': '每{unit}交易笔数',
  'Flagged payments per {unit} by outcome': '每{unit}预警交易（按结果）',
  'Alert and decline rate per {unit}': '每{unit}预警率与拒绝率',
  'declined share': '拒绝占比',
  'Volumes and outcomes over time': '交易量与结果走势',
  'Payments per {unit} (event time, {tz}).': '每{unit}交易笔数（事件时间，{tz}）。',
  'Payments not approved per {unit}, by outcome.': '每{unit}未直接通过的交易，按结果。',
  'Share of payments flagged (not approved) and declined per {unit}.': '每{unit}预警（未直接通过）与拒绝的交易占比。',
  'Fraud payments per {unit}: caught and missed': '每{unit}欺诈交易：拦截与漏过',
  'missed (approved)': '漏过（已通过）',
  'Money saved and legitimate money declined per {unit}': '每{unit}挽回金额与误拒正常金额',
  'money saved': '挽回金额',
  'fraud missed': '漏过欺诈',
  'Fraud caught and missed': '欺诈拦截与漏过',
  'By the labels known when the report was made: {n} fraud payments in the period': '按报告生成时已知的标签：本周期欺诈交易 {n} 笔',
  ' ({n} through {scopes} labels)': '（其中 {n} 笔来自{scopes}标签）',
  ', {legit} labelled legitimate, {none} without a label (counted legitimate).': '，{legit} 笔标记为正常，{none} 笔无标签（计为正常）。',
  'Fraud payments by what was decided on them. Declined and challenged payments did not go through; reviewed ones did and were queued for an analyst.':
    '欺诈交易按其决策结果分类。被拒绝和要求验证的交易未完成；进入审核的交易已完成并排队等待分析员处理。',
  'Money saved (fraud value declined or challenged), fraud value missed, and legitimate value declined.': '挽回金额（被拒绝或要求验证的欺诈金额）、漏过的欺诈金额与误拒的正常金额。',
  'Score distribution, this period and the previous': '风险分分布：本周期与上一周期',
  'No PSI: one of the periods has no scored payments.': '无 PSI：其中一个周期没有带分数的交易。',
  'PSI {psi} — {band}.': 'PSI {psi} — {band}。',
  'stable (< 0.1)': '稳定（< 0.1）',
  'a moderate shift (0.1–0.25)': '中度偏移（0.1–0.25）',
  'a significant shift (≥ 0.25)': '显著偏移（≥ 0.25）',
  'Score distribution and drift': '风险分分布与漂移',
  'Share of payments per score bin (log scale). The previous period of equal length is the reference (expected) distribution.': '各分数区间的交易占比（对数刻度）。以等长的上一周期为参照（期望）分布。',
  score: '分数', previous: '上期', share: '占比',
  "PSI = Σ (a − e) · ln(a / e) over {bins} fixed bins, a = this period's share, e = the previous period's; shares below {floor} are raised to it.":
    'PSI = Σ (a − e) · ln(a / e)，共 {bins} 个固定区间，a 为本周期占比，e 为上一周期占比；低于 {floor} 的占比按 {floor} 计。',
};

/** The translator of `lang`; phrases it has no translation for are added to `missing` when given (the completeness test). */
export function translator(lang: ReportLang, missing?: Set<string>): Tr {
  return (en, vars) => {
    if (lang === 'zh-CN' && ZH[en] === undefined) missing?.add(en);
    const text = lang === 'zh-CN' ? (ZH[en] ?? en) : en;
    return vars === undefined ? text : text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
  };
}

/** `lang` checked: 'en' or 'zh-CN'. */
export function isReportLang(lang: string): lang is ReportLang {
  return (REPORT_LANGS as readonly string[]).includes(lang);
}
