/**
 * An action as the console offers it: a button that opens a small form (labelled fields, Confirm and
 * Cancel), the server's refusal next to the form in plain words, and a line saying it was done. The
 * first field takes the focus when the form opens; closing it gives the focus back to the button.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { ErrorNotice } from './ErrorNotice';

/** Props of one action. */
export interface ActionFormProps {
  /** The button's words (also the form's heading). */
  readonly label: string;
  /** Sends the action; resolves when done, rejects with the server's refusal. */
  readonly onConfirm: () => Promise<unknown>;
  /** A local check before sending: the words of what is wrong, or null. */
  readonly check?: () => string | null;
  /** What to say once done; leave out when the caller says it (an action whose button goes away once done). */
  readonly done?: string;
  /** The fields. */
  readonly children?: ReactNode;
  /** Called when the form closes after success (to clear fields). */
  readonly onDone?: () => void;
  readonly danger?: boolean;
}

/** A button and, when open, its form. */
export function ActionForm({ label, onConfirm, check, done, children, onDone, danger }: ActionFormProps): ReactNode {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<string | null>(null);
  const [doneShown, setDoneShown] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const errorId = useId();

  useEffect(() => {
    if (open) formRef.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, [open]);

  const close = (): void => {
    setOpen(false);
    setError(null);
    setLocal(null);
    buttonRef.current?.focus();
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const wrong = check?.() ?? null;
    setLocal(wrong);
    if (wrong !== null) return;
    setBusy(true);
    setError(null);
    onConfirm().then(
      () => {
        setBusy(false);
        setDoneShown(true);
        onDone?.();
        close();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  return (
    <div className="action">
      {open ? null : (
        <button
          ref={buttonRef}
          type="button"
          className={danger === true ? 'btn btn-danger' : 'btn'}
          onClick={() => {
            setOpen(true);
            setDoneShown(false);
          }}
        >
          {label}
        </button>
      )}
      {open ? (
        <form ref={formRef} className="action-form" aria-labelledby={titleId} onSubmit={submit} aria-describedby={error === null && local === null ? undefined : errorId}>
          <h3 id={titleId}>{label}</h3>
          {children}
          <div className="action-buttons">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('action.sending') : t('action.confirm')}
            </button>
            <button type="button" className="btn" onClick={close} disabled={busy}>
              {t('action.cancel')}
            </button>
          </div>
          {local === null ? null : (
            <p className="field-error" role="alert" id={errorId}>
              {local}
            </p>
          )}
          {error === null ? null : <ErrorNotice error={error} id={errorId} />}
        </form>
      ) : null}
      {done !== undefined && doneShown && !open ? (
        <p className="done" role="status">
          {done}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled field of an action form. */
export function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string) => ReactNode }): ReactNode {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint === undefined ? null : <span className="muted hint">{hint}</span>}
    </div>
  );
}
