/**
 * The date-range form of the pages that read a period (the risk report, rule performance): first and
 * last day in Asia/Shanghai, both included, and a bucket, applied on submit after a check, so a typo
 * never reaches the API as a malformed query. One component, so both pages behave and read alike.
 */
import { useState, type ReactNode } from 'react';

/** A period as the form edits it: ISO dates (YYYY-MM-DD), both included, and a bucket choice. */
export interface DayRange<B extends string> {
  readonly first: string;
  readonly last: string;
  readonly bucket: B;
}

/** What the form says, already translated by the page (so each page keeps its own wording). */
export interface RangeFormWords {
  readonly form: string;
  readonly from: string;
  readonly to: string;
  readonly bucket: string;
  readonly show: string;
  readonly badDate: string;
  readonly badOrder: string;
}

/** The form; `check` refuses a range ('date' unreadable, 'order' first after last) before `onApply`. */
export function RangeForm<B extends string>(props: {
  readonly idPrefix: string;
  readonly range: DayRange<B>;
  readonly buckets: readonly B[];
  readonly bucketLabel: (b: B) => string;
  readonly words: RangeFormWords;
  readonly check: (r: DayRange<B>) => 'date' | 'order' | null;
  readonly onApply: (r: DayRange<B>) => void;
}): ReactNode {
  const { idPrefix: id, words: w } = props;
  const [first, setFirst] = useState(props.range.first);
  const [last, setLast] = useState(props.range.last);
  const [bucket, setBucket] = useState<B>(props.range.bucket);
  const [problem, setProblem] = useState<'date' | 'order' | null>(null);
  return (
    <form
      className="filters"
      aria-label={w.form}
      onSubmit={(e) => {
        e.preventDefault();
        const r = { first, last, bucket };
        const p = props.check(r);
        setProblem(p);
        if (p === null) props.onApply(r);
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-from`}>{w.from}</label>
        <input id={`${id}-from`} type="date" value={first} onChange={(e) => setFirst(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>{w.to}</label>
        <input id={`${id}-to`} type="date" value={last} onChange={(e) => setLast(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-bucket`}>{w.bucket}</label>
        <select id={`${id}-bucket`} value={bucket} onChange={(e) => setBucket(e.target.value as B)}>
          {props.buckets.map((b) => (
            <option key={b} value={b}>{props.bucketLabel(b)}</option>
          ))}
        </select>
      </div>
      <button type="submit" className="btn btn-primary">{w.show}</button>
      {problem === null ? null : <p className="field-error" role="alert">{problem === 'date' ? w.badDate : w.badOrder}</p>}
    </form>
  );
}
