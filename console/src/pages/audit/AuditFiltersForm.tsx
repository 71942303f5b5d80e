/** The audit log's filter form; applied on submit so typing does not query the server per key. */
import { useId, useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/en';
import { NO_AUDIT_FILTERS, type AuditFilters } from './query';

const FIELDS: readonly { name: keyof AuditFilters; label: MessageKey; hint?: MessageKey; type: 'text' | 'datetime-local' }[] = [
  { name: 'actor', label: 'audit.actor', hint: 'audit.actorHint', type: 'text' },
  { name: 'action', label: 'audit.action', hint: 'audit.actionHint', type: 'text' },
  { name: 'target', label: 'audit.target', hint: 'audit.targetHint', type: 'text' },
  { name: 'from', label: 'audit.from', type: 'datetime-local' },
  { name: 'to', label: 'audit.to', type: 'datetime-local' },
];

/** Labelled fields, Apply and Clear. */
export function AuditFiltersForm({ onApply }: { onApply: (f: AuditFilters) => void }): ReactNode {
  const { t } = useI18n();
  const [draft, setDraft] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const base = useId();
  return (
    <form
      className="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      {FIELDS.map((f) => (
        <span className="field" key={f.name}>
          <label htmlFor={`${base}-${f.name}`}>{t(f.label)}</label>
          <input
            id={`${base}-${f.name}`}
            type={f.type}
            value={draft[f.name]}
            placeholder={f.hint === undefined ? undefined : t(f.hint)}
            onChange={(e) => setDraft({ ...draft, [f.name]: e.target.value })}
          />
        </span>
      ))}
      <span className="muted">{t('audit.timesIn')}</span>
      <button type="submit" className="btn btn-primary">{t('audit.apply')}</button>
      <button
        type="button"
        className="btn"
        onClick={() => {
          setDraft(NO_AUDIT_FILTERS);
          onApply(NO_AUDIT_FILTERS);
        }}
      >
        {t('audit.clear')}
      </button>
    </form>
  );
}
