/**
 * The analyst's work on a case: assign (to oneself or a name), add a note, resolve as fraud or
 * legitimate with a typology. Each is a small form; on success the case and the queue are read again.
 */
import { useState, type ReactNode } from 'react';
import { useAction, useSession } from '../../api/session-context';
import type { CaseView } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ActionForm, Field } from '../../ui/ActionForm';

/** Typologies offered (the server takes any lowercase word with _). */
export const TYPOLOGIES = ['account_takeover', 'stolen_device', 'cashout', 'card_testing', 'merchant_collusion', 'first_party', 'friendly_fraud'] as const;

/** The reads a case action changes (the case, the queue, the overview's counts, the audit log, a resolved subject's labels). */
const CHANGED: readonly string[] = ['/v1/cases', '/v1/overview', '/v1/audit', '/v1/accounts/'];

/** The actions panel of a case. */
export function CaseActions({ view }: { view: CaseView }): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const c = view.case;
  const base = `/v1/cases/${encodeURIComponent(c.id)}`;
  const inv = CHANGED;
  const assign = useAction<{ assignee?: string | null }>(`${base}/assign`, inv);
  const note = useAction<{ text: string }>(`${base}/notes`, inv);
  const resolve = useAction<{ resolution: string; typology?: string; note?: string }>(`${base}/resolve`, inv);
  const [assignTo, setAssignTo] = useState<'me' | 'name' | 'nobody'>('me');
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [resolution, setResolution] = useState<'fraud' | 'legitimate'>('fraud');
  const [typology, setTypology] = useState('');
  const [resolveNote, setResolveNote] = useState('');
  const resolved = c.status === 'resolved';
  const me = who.name ?? who.keyId;
  // said here, not by each form: Assign and Resolve go away once the case is resolved
  const [done, setDone] = useState<string | null>(null);

  return (
    <section className="panel actions" aria-labelledby="case-actions">
      <h2 id="case-actions">{t('case.actions')}</h2>
      <div className="action-row">
        {resolved ? null : (
          <ActionForm
            label={t('case.assign')}
            onDone={() => setDone(t('case.assigned'))}
            check={() => (assignTo === 'name' && name.trim() === '' ? t('case.assigneeMissing') : null)}
            onConfirm={() => assign.mutateAsync(assignTo === 'me' ? {} : assignTo === 'nobody' ? { assignee: null } : { assignee: name.trim() })}
          >
            <fieldset className="choices">
              <legend>{t('case.assignTo')}</legend>
              <label>
                <input type="radio" name="assign-to" checked={assignTo === 'me'} onChange={() => setAssignTo('me')} /> {t('case.assignMe', { me })}
              </label>
              <label>
                <input type="radio" name="assign-to" checked={assignTo === 'name'} onChange={() => setAssignTo('name')} /> {t('case.assignName')}
              </label>
              <label>
                <input type="radio" name="assign-to" checked={assignTo === 'nobody'} onChange={() => setAssignTo('nobody')} /> {t('case.assignNobody')}
              </label>
            </fieldset>
            {assignTo === 'name' ? (
              <Field label={t('case.assigneeName')}>{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />}</Field>
            ) : null}
          </ActionForm>
        )}
        <ActionForm
          label={t('case.addNote')}
          check={() => (text.trim() === '' ? t('case.noteMissing') : null)}
          onConfirm={() => note.mutateAsync({ text: text.trim() })}
          onDone={() => {
            setText('');
            setDone(t('case.noteAdded'));
          }}
        >
          <Field label={t('case.note')}>{(id) => <textarea id={id} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}</Field>
        </ActionForm>
        {resolved ? null : (
          <ActionForm
            label={t('case.resolve')}
            onDone={() => setDone(t('case.resolvedDone'))}
            check={() => (/^[a-z0-9_]*$/.test(typology.trim()) ? null : t('case.typologyInvalid'))}
            onConfirm={() =>
              resolve.mutateAsync({
                resolution,
                ...(typology.trim() === '' ? {} : { typology: typology.trim() }),
                ...(resolveNote.trim() === '' ? {} : { note: resolveNote.trim() }),
              })
            }
          >
            <fieldset className="choices">
              <legend>{t('case.resolution')}</legend>
              <label>
                <input type="radio" name="resolution" checked={resolution === 'fraud'} onChange={() => setResolution('fraud')} /> {t('cases.fraud')}
              </label>
              <label>
                <input type="radio" name="resolution" checked={resolution === 'legitimate'} onChange={() => setResolution('legitimate')} /> {t('cases.legitimate')}
              </label>
            </fieldset>
            <Field label={t('cases.typology')} hint={t('case.typologyHint')}>
              {(id) => (
                <>
                  <input id={id} list={`${id}-list`} value={typology} onChange={(e) => setTypology(e.target.value)} autoComplete="off" spellCheck={false} />
                  <datalist id={`${id}-list`}>
                    {TYPOLOGIES.map((x) => (
                      <option key={x} value={x} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
            <Field label={t('case.resolveNote')}>{(id) => <textarea id={id} rows={2} value={resolveNote} onChange={(e) => setResolveNote(e.target.value)} />}</Field>
          </ActionForm>
        )}
      </div>
      <p className="done" role="status">
        {done}
      </p>
    </section>
  );
}
