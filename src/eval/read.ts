/**
 * Joins decisions with the ground truth (and, optionally, the events file) into flat arrays an
 * evaluation can run over. Truth comes from the simulator's truth.jsonl or from contract `label`
 * events; card and day for card precision come from whichever file carries them.
 */
import { ConfigError } from '../errors.js';
import { forEachLine, openInput } from '../io/lines.js';
import { OUTCOMES, outcomeRank, type Outcome } from '../rules/policy-types.js';

/** What is known about one payment's truth. */
interface Truth {
  fraud: boolean;
  typology: string;
  card: string;
  day: string;
}

/** Every decided payment, joined with its truth, as parallel arrays. */
export interface EvalRows {
  readonly n: number;
  readonly score: Float64Array;
  /** 1 fraud, 0 legitimate. */
  readonly label: Uint8Array;
  /** outcome rank: 0 approve, 1 review, 2 challenge, 3 decline. */
  readonly outcome: Uint8Array;
  /** fraud typology ('' when unknown or legitimate). */
  readonly typology: string[];
  /** account (card) id, '' when no file carried one. */
  readonly card: string[];
  /** local date YYYY-MM-DD of the payment, '' when unknown. */
  readonly day: string[];
  /** decisions with no truth line (counted as legitimate). */
  readonly withoutTruth: number;
  /** lines that could not be read. */
  readonly badLines: number;
}

type Obj = Record<string, unknown>;

function parseObj(line: string): Obj | null {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** The local date of a contract timestamp as written (its own offset), e.g. 2018-08-08. */
const dayOf = (ts: unknown): string => (typeof ts === 'string' && ts.length >= 10 ? ts.slice(0, 10) : '');

async function eachObject(path: string, what: string, onObj: (o: Obj) => void): Promise<number> {
  let bad = 0;
  try {
    await forEachLine(openInput(path), (line) => {
      if (line.length === 0) return;
      const o = parseObj(line);
      if (o === null) bad++;
      else onObj(o);
    });
  } catch (e) {
    throw new ConfigError(`cannot read ${what} file ${path}`, { cause: e });
  }
  return bad;
}

/**
 * Reads truth lines ({txId, fraud, typology?, accountId?, ts?}) or contract label events with a
 * txId; the latest line for a txId wins. Lines about accounts, merchants or terminals are ignored:
 * evaluation is per payment.
 */
async function readTruth(path: string, truth: Map<string, Truth>): Promise<number> {
  return eachObject(path, 'truth', (o) => {
    const txId = str(o.txId);
    if (txId === '' || typeof o.fraud !== 'boolean') return;
    const prev = truth.get(txId);
    truth.set(txId, {
      fraud: o.fraud,
      typology: o.fraud ? str(o.typology) : '',
      card: str(o.accountId) || (prev?.card ?? ''),
      day: dayOf(o.ts) || (prev?.day ?? ''),
    });
  });
}

/** Reads transactions of an events file for their account and day. */
async function readEvents(path: string, where: Map<string, { card: string; day: string }>): Promise<number> {
  return eachObject(path, 'events', (o) => {
    if (o.type !== 'transaction') return;
    const id = str(o.id);
    if (id !== '') where.set(id, { card: str(o.accountId), day: dayOf(o.ts) });
  });
}

/** Joins `decisionsPath` with `truthPath` (and `eventsPath` for card and day when given). */
export async function readEvalRows(decisionsPath: string, truthPath: string, eventsPath: string | null): Promise<EvalRows> {
  const truth = new Map<string, Truth>();
  let bad = await readTruth(truthPath, truth);
  const where = new Map<string, { card: string; day: string }>();
  if (eventsPath !== null) bad += await readEvents(eventsPath, where);
  const score: number[] = [];
  const label: number[] = [];
  const outcome: number[] = [];
  const typology: string[] = [];
  const card: string[] = [];
  const day: string[] = [];
  let withoutTruth = 0;
  bad += await eachObject(decisionsPath, 'decisions', (o) => {
    const txId = str(o.txId);
    const out = str(o.outcome);
    if (txId === '' || !(OUTCOMES as readonly string[]).includes(out) || typeof o.score !== 'number') {
      bad++;
      return;
    }
    const t = truth.get(txId);
    if (t === undefined) withoutTruth++;
    const w = where.get(txId);
    score.push(o.score);
    label.push(t?.fraud === true ? 1 : 0);
    outcome.push(outcomeRank(out as Outcome));
    typology.push(t?.typology ?? '');
    card.push(str(o.accountId) || t?.card || w?.card || '');
    day.push(dayOf(o.ts) || t?.day || w?.day || '');
  });
  return {
    n: score.length,
    score: Float64Array.from(score),
    label: Uint8Array.from(label),
    outcome: Uint8Array.from(outcome),
    typology,
    card,
    day,
    withoutTruth,
    badLines: bad,
  };
}
