/**
 * The central bank's list of licensed payment institutions (中国人民银行 已获许可机构) as the
 * authority for the second-clearing check: the CSV as published (or an extract of it) is read, its
 * rows matched to the registered acquirers — by institution code where the file has one, else by the
 * exact company name — and each matched acquirer is registered again as licensed when its licence is
 * valid on the list's date, unlicensed when it has expired. Registered acquirers the list does not
 * name stay as they are, unless the import says the list is complete (`markUnlisted`): then they
 * are unlicensed (二清) too. The import is journaled as acquirer events like any registration, and
 * the list's date is shown beside each acquirer in the merchant view.
 */
import { InputError } from '../errors.js';

/** One institution of the list. */
export interface LicenceRow {
  /** The acquiring institution code (field 32) when the file carries one. */
  readonly acquirerId: string | null;
  readonly name: string;
  /** The licence's last valid day (YYYY-MM-DD), when the file says. */
  readonly validUntil: string | null;
}

/** Header names accepted for each column (the PBC's Chinese, or English). */
const COLUMNS: Readonly<Record<'acquirerId' | 'name' | 'validUntil', readonly string[]>> = {
  acquirerId: ['acquirerid', '机构代码', '机构标识码', '机构编码'],
  name: ['name', '公司名称', '机构名称', '单位名称'],
  validUntil: ['validuntil', '有效期至', '有效期', '许可证有效期至'],
};

/** Splits CSV text into rows of fields (quotes, doubled quotes, commas and newlines inside quotes, CRLF, a BOM). */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (quoted) {
      if (c === '"' && t[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && t[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

/** `2030-12-31`, `2030/12/31`, `2030年12月31日` → `2030-12-31`; null when blank. */
function dayOf(text: string, line: number): string | null {
  const s = text.trim();
  if (s === '') return null;
  const m = /^(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})\D?$/.exec(s);
  if (m === null) throw new InputError(`line ${line}: validUntil`, `a date like 2030-12-31, not "${s}"`);
  return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
}

/** The list's rows from its CSV text (a header row first); an InputError names the line and column. */
export function parseLicenceCsv(text: string): LicenceRow[] {
  const rows = csvRows(text);
  if (rows.length === 0) throw new InputError('file', 'a CSV with a header row (公司名称 or name, optionally 机构代码 or acquirerId and 有效期至 or validUntil)');
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const col = (k: keyof typeof COLUMNS): number => header.findIndex((h) => COLUMNS[k].includes(h));
  const name = col('name');
  if (name < 0) throw new InputError('header', `a column named one of ${COLUMNS.name.join(', ')}`);
  const id = col('acquirerId');
  const until = col('validUntil');
  return rows.slice(1).map((r, i) => {
    const line = i + 2;
    const n = (r[name] ?? '').trim();
    if (n === '') throw new InputError(`line ${line}: name`, 'the institution name');
    const code = id < 0 ? '' : (r[id] ?? '').trim();
    return { acquirerId: code === '' ? null : code, name: n, validUntil: until < 0 ? null : dayOf(r[until] ?? '', line) };
  });
}

/** What an import does to the registered acquirers. */
export interface LicenceMatch {
  /** Acquirers to register again, with the licence status the list gives them. */
  readonly updates: readonly { readonly acquirerId: string; readonly name: string; readonly licensed: boolean; readonly why: string }[];
  /** Rows that name no registered acquirer (by code or exact name). */
  readonly unmatched: readonly LicenceRow[];
  /** Registered acquirers the list does not name (unlicensed only with markUnlisted). */
  readonly unlisted: readonly string[];
}

/** Matches `rows` (the list of `asOf`, YYYY-MM-DD) against the registered `acquirers`. */
export function matchLicences(rows: readonly LicenceRow[], acquirers: ReadonlyMap<string, { readonly name: string; readonly licensed: boolean }>, asOf: string, markUnlisted: boolean): LicenceMatch {
  const byName = new Map<string, string>();
  for (const [id, a] of acquirers) if (a.name !== '') byName.set(a.name.trim(), id);
  const seen = new Set<string>();
  const updates: { acquirerId: string; name: string; licensed: boolean; why: string }[] = [];
  const unmatched: LicenceRow[] = [];
  for (const r of rows) {
    const id = r.acquirerId !== null && acquirers.has(r.acquirerId) ? r.acquirerId : byName.get(r.name);
    if (id === undefined) {
      unmatched.push(r);
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    const valid = r.validUntil === null || r.validUntil >= asOf;
    updates.push({ acquirerId: id, name: acquirers.get(id)?.name || r.name, licensed: valid, why: valid ? `on the list of ${asOf}` : `its licence expired on ${r.validUntil}` });
  }
  const unlisted = [...acquirers.keys()].filter((id) => !seen.has(id)).sort();
  if (markUnlisted) for (const id of unlisted) updates.push({ acquirerId: id, name: acquirers.get(id)?.name ?? '', licensed: false, why: `not on the list of ${asOf}` });
  return { updates, unmatched, unlisted };
}
