/**
 * Block, allow and watch lists from `GET /v1/lists`: each list's kind, purpose, description, entry
 * count and whether the live policy uses it. Choosing one shows its entries in value order, paged
 * with the API's cursor and searched by value prefix. Keys with `admin` add and remove entries and
 * create lists; each change is effective from the next decision, and the page reads the list again.
 */
import { useState, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiSend, type ApiError } from '../../api/client';
import { useApi, useSession } from '../../api/session-context';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';
import { ActionForm, Field } from '../../ui/ActionForm';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatNumber, formatTime } from '../../ui/format';
import { allows } from '../../ui/nav';
import { PageTitle } from '../../ui/PageTitle';
import { Pager } from '../../ui/Pager';
import { useCursor } from '../../ui/use-cursor';
import { ENTRY_PAGE, entriesPath, entryBody, entryPath, LIST_NAME, listPath, matching } from './query';

/** One list as `GET /v1/lists` answers it. */
export interface ListSummary {
  readonly name: string;
  readonly kind: 'account' | 'device' | 'merchant' | 'terminal' | 'ip' | 'string';
  readonly purpose: 'block' | 'allow' | 'watch';
  readonly description: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly builtin: boolean;
  readonly entries: number;
  readonly usedByPolicy: boolean;
}

/** One entry of a list. */
export interface ListEntry {
  readonly value: string;
  readonly reason: string;
  readonly author: string;
  readonly addedAt: number;
  readonly expiresAt: number | null;
}

const KINDS = ['account', 'device', 'merchant', 'terminal', 'ip', 'string'] as const;
const PURPOSES = ['block', 'allow', 'watch'] as const;

/** A change (POST or DELETE) that reads the lists again once answered. */
function useListChange<B>(method: 'POST' | 'DELETE', path: (b: B) => string, body: (b: B) => unknown) {
  const { key } = useSession();
  const client = useQueryClient();
  return useMutation<unknown, ApiError, B>({
    mutationFn: (b: B) => apiSend(method, path(b), key, body(b)),
    onSettled: () =>
      client.invalidateQueries({
        predicate: (q) => typeof q.queryKey[0] === 'string' && ((q.queryKey[0] as string).startsWith('/v1/lists') || (q.queryKey[0] as string).startsWith('/v1/audit')),
      }),
  });
}

const ENTRY_ERRORS: Readonly<Record<'value' | 'reason' | 'expires', MessageKey>> = {
  value: 'lists.valueMissing',
  reason: 'lists.reasonMissing',
  expires: 'lists.expiresInvalid',
};

function AddEntry({ list }: { list: ListSummary }): ReactNode {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  const [added, setAdded] = useState('');
  const post = useListChange<{ value: string; reason: string; expiresAt?: string }>('POST', () => `${listPath(list.name)}/entries`, (b) => b);
  return (
    <ActionForm
      label={t('lists.addEntry')}
      done={t('lists.added', { value: added })}
      check={() => {
        const r = entryBody({ value, reason, expires });
        return 'field' in r ? t(ENTRY_ERRORS[r.field]) : null;
      }}
      onConfirm={() => {
        const r = entryBody({ value, reason, expires });
        if (!('body' in r)) return Promise.resolve();
        setAdded(r.body.value);
        return post.mutateAsync(r.body);
      }}
      onDone={() => {
        setValue('');
        setReason('');
        setExpires('');
      }}
    >
      <Field label={t('lists.value')} hint={t(`lists.kindHint.${list.kind}`)}>
        {(id) => <input id={id} value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" maxLength={128} />}
      </Field>
      <Field label={t('lists.reason')}>{(id) => <textarea id={id} rows={2} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />}</Field>
      <Field label={t('lists.expires')} hint={t('lists.expiresHint')}>
        {(id) => <input id={id} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

function RemoveEntry({ list, entry }: { list: ListSummary; entry: ListEntry }): ReactNode {
  const { t } = useI18n();
  const del = useListChange<string>('DELETE', (v) => entryPath(list.name, v), () => undefined);
  return (
    <ActionForm label={t('lists.remove')} danger onConfirm={() => del.mutateAsync(entry.value)}>
      <p className="muted">{t('lists.removeConfirm', { value: entry.value, list: list.name })}</p>
    </ActionForm>
  );
}

function Entries({ list, admin }: { list: ListSummary; admin: boolean }): ReactNode {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const cursor = useCursor<string>();
  const q = useApi<{ entries: readonly ListEntry[]; next: string | null }>(entriesPath(list.name, applied, cursor.current, ENTRY_PAGE), { keepPrevious: true });
  const shown = q.data === undefined ? undefined : matching(applied, q.data);
  return (
    <section className="panel" aria-labelledby="list-entries" data-testid="list-entries">
      <h2 id="list-entries">{t('lists.entriesOf', { list: list.name })}</h2>
      <p className="muted">{list.description}</p>
      {admin ? (
        <div className="list-actions">
          <AddEntry list={list} />
        </div>
      ) : null}
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(search);
          cursor.reset();
        }}
      >
        <div className="field">
          <label htmlFor="list-search">{t('lists.search')}</label>
          <input id="list-search" type="text" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
        </div>
        <button type="submit" className="btn">
          {t('lists.find')}
        </button>
        {applied === '' ? null : (
          <button
            type="button"
            className="btn"
            onClick={() => {
              setSearch('');
              setApplied('');
              cursor.reset();
            }}
          >
            {t('lists.clearSearch')}
          </button>
        )}
      </form>
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {shown === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : shown.entries.length === 0 ? (
        <p className="notice">{applied === '' ? t('lists.noEntries') : t('lists.noMatch', { prefix: applied })}</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <caption className="sr-only">{t('lists.entriesOf', { list: list.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('lists.value')}</th>
                <th scope="col">{t('lists.reason')}</th>
                <th scope="col">{t('lists.author')}</th>
                <th scope="col">{t('lists.addedAt')}</th>
                <th scope="col">{t('lists.expiresAt')}</th>
                {admin ? <th scope="col"><span className="sr-only">{t('lists.remove')}</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {shown.entries.map((e) => (
                <tr key={e.value}>
                  <th scope="row" className="id"><code>{e.value}</code></th>
                  <td>{e.reason}</td>
                  <td><code>{e.author}</code></td>
                  <td className="time">{formatTime(e.addedAt)}</td>
                  <td className="time">{e.expiresAt === null ? t('lists.never') : formatTime(e.expiresAt)}</td>
                  {admin ? (
                    <td>
                      <RemoveEntry list={list} entry={e} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursor={cursor} next={shown?.next} busy={q.isFetching} />
    </section>
  );
}

function CreateList({ onCreated }: { onCreated: (name: string) => void }): ReactNode {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<(typeof KINDS)[number]>('account');
  const [purpose, setPurpose] = useState<(typeof PURPOSES)[number]>('watch');
  const [description, setDescription] = useState('');
  const post = useListChange<Record<string, string>>('POST', () => '/v1/lists', (b) => b);
  return (
    <ActionForm
      label={t('lists.create')}
      check={() => (LIST_NAME.test(name.trim()) ? null : t('lists.nameInvalid'))}
      onConfirm={() => post.mutateAsync({ name: name.trim(), kind, purpose, description: description.trim() })}
      onDone={() => {
        onCreated(name.trim());
        setName('');
        setDescription('');
      }}
    >
      <Field label={t('lists.name')} hint={t('lists.nameHint')}>
        {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" maxLength={64} />}
      </Field>
      <Field label={t('lists.kind')}>
        {(id) => (
          <select id={id} value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}>
            {KINDS.map((k) => (
              <option key={k} value={k}>{t(`lists.kinds.${k}`)}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('lists.purpose')}>
        {(id) => (
          <select id={id} value={purpose} onChange={(e) => setPurpose(e.target.value as (typeof PURPOSES)[number])}>
            {PURPOSES.map((p) => (
              <option key={p} value={p}>{t(`lists.purposes.${p}`)}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('lists.description')}>{(id) => <textarea id={id} rows={2} value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />}</Field>
    </ActionForm>
  );
}

/** The lists page. */
export function ListsPage(): ReactNode {
  const { t } = useI18n();
  const { who } = useSession();
  const admin = allows(who, 'admin');
  const q = useApi<{ lists: readonly ListSummary[] }>('/v1/lists');
  const [chosen, setChosen] = useState<string | null>(null);
  const lists = q.data?.lists;
  const list = lists?.find((l) => l.name === chosen) ?? null;
  return (
    <section>
      <PageTitle title={t('lists.title')} sub={admin ? t('lists.subAdmin') : t('lists.subRead')} />
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {lists === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : (
        <div className="panel">
          <div className="table-wrap">
            <table className="data" data-testid="lists-table">
              <caption className="sr-only">{t('lists.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('lists.name')}</th>
                  <th scope="col">{t('lists.kind')}</th>
                  <th scope="col">{t('lists.purpose')}</th>
                  <th scope="col">{t('lists.description')}</th>
                  <th scope="col" className="num">{t('lists.entries')}</th>
                  <th scope="col">{t('lists.usedByPolicy')}</th>
                </tr>
              </thead>
              <tbody>
                {lists.map((l) => (
                  <tr key={l.name} className={l.name === chosen ? 'selected' : undefined}>
                    <th scope="row" className="id">
                      <button type="button" className="link" aria-pressed={l.name === chosen} onClick={() => setChosen(l.name)}>
                        {l.name}
                      </button>
                    </th>
                    <td>{t(`lists.kinds.${l.kind}`)}</td>
                    <td>{t(`lists.purposes.${l.purpose}`)}</td>
                    <td>{l.description}</td>
                    <td className="num">{formatNumber(l.entries)}</td>
                    <td>{l.usedByPolicy ? t('lists.yes') : t('lists.no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {admin ? (
            <div className="list-actions">
              <CreateList onCreated={setChosen} />
            </div>
          ) : null}
        </div>
      )}
      {list === null ? (lists === undefined ? null : <p className="muted">{t('lists.choose')}</p>) : <Entries key={list.name} list={list} admin={admin} />}
    </section>
  );
}
