/**
 * The console's shell: the sign-in gate, then the header, the pages the key may see and the page the
 * address names. Holds the session (key and whoami) and ends it on sign-out or when the server stops
 * accepting the key, dropping every cached answer with it.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError, apiGet } from './api/client';
import { clearKey, readKey, saveKey } from './api/session';
import { SessionContext, type Session } from './api/session-context';
import type { WhoAmI } from './api/types';
import type { MessageKey } from './i18n/en';
import { useI18n } from './i18n/i18n';
import { Header } from './ui/Header';
import { ErrorNotice } from './ui/ErrorNotice';
import { Nav } from './ui/Nav';
import { consoleAccess, pageFor, visiblePages, type PageId } from './ui/nav';
import { useHashPage } from './ui/route';
import { AccountsPage } from './pages/accounts/AccountsPage';
import { AuditPage } from './pages/audit/AuditPage';
import { AutomationPage } from './pages/automation/AutomationPage';
import { CasesPage } from './pages/cases/CasesPage';
import { ListsPage } from './pages/lists/ListsPage';
import { MerchantsPage } from './pages/merchants/MerchantsPage';
import { OverviewPage } from './pages/overview/OverviewPage';
import { ReportsPage } from './pages/reports/ReportsPage';
import { RulesPage } from './pages/rules/RulesPage';
import { SignInPage } from './pages/signin/SignInPage';
import { SwitchKeyPage } from './pages/switch/SwitchKeyPage';

const PAGES: Readonly<Record<PageId, () => ReactNode>> = {
  overview: OverviewPage,
  cases: CasesPage,
  accounts: AccountsPage,
  merchants: MerchantsPage,
  rules: RulesPage,
  lists: ListsPage,
  reports: ReportsPage,
  automation: AutomationPage,
  audit: AuditPage,
};

/** Refusals are not retried (the answer will not change); failures to connect are, twice. */
function retry(count: number, e: unknown): boolean {
  return !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 2;
}

function SignedIn({ session }: { session: Session }): ReactNode {
  const requested = useHashPage();
  const pages = visiblePages(session.who);
  const page = pageFor(session.who, requested);
  const switchKey = consoleAccess(session.who) === 'switch' || page === null;
  useEffect(() => {
    if (!switchKey && page !== null && requested !== page) window.location.replace(`#/${page}`);
  }, [switchKey, page, requested]);
  const Page = page === null ? null : PAGES[page];
  return (
    <SessionContext.Provider value={session}>
      <Header who={session.who} onSignOut={session.signOut} />
      <div className="body">
        {switchKey || page === null ? null : <Nav pages={pages} current={page} />}
        <main id="main">{switchKey || Page === null ? <SwitchKeyPage /> : <Page />}</main>
      </div>
    </SessionContext.Provider>
  );
}

/** A key kept from before a reload, checked again before anything is shown. */
function Resuming({ k, onWho, onRefused }: { k: string; onWho: (who: WhoAmI) => void; onRefused: (e: unknown) => void }): ReactNode {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ac = new AbortController();
    apiGet<WhoAmI>('/v1/whoami', k, ac.signal).then(onWho, (e: unknown) => {
      if (ac.signal.aborted) return;
      if (e instanceof ApiError && e.status === 401) onRefused(e);
      else setError(e);
    });
    return () => ac.abort();
  }, [k, onWho, onRefused]);
  return <main className="narrow">{error === null ? <p className="muted">{t('signin.resuming')}</p> : <ErrorNotice error={error} />}</main>;
}

/** The whole console. */
export function App(): ReactNode {
  const [key, setKey] = useState<string | null>(() => readKey());
  const [who, setWho] = useState<WhoAmI | null>(null);
  const [notice, setNotice] = useState<MessageKey | undefined>(undefined);
  // the cache outlives renders and language changes; a 401 anywhere ends the session through this ref
  const refused = useRef<() => void>(() => undefined);
  const [client] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({
          onError: (e) => {
            if (e instanceof ApiError && e.status === 401) refused.current();
          },
        }),
        defaultOptions: { queries: { retry, refetchOnWindowFocus: true, staleTime: 1000 } },
      }),
  );

  const end = useCallback(
    (why?: MessageKey) => {
      client.clear();
      clearKey();
      setKey(null);
      setWho(null);
      setNotice(why);
    },
    [client],
  );
  const onRefused = useCallback(() => end('signin.refusedNow'), [end]);
  refused.current = onRefused;
  const signOut = useCallback(() => end(), [end]);

  const session = useMemo<Session | null>(() => (key === null || who === null ? null : { key, who, signOut }), [key, who, signOut]);

  return (
    <QueryClientProvider client={client}>
      {session !== null ? (
        <SignedIn session={session} />
      ) : (
        <>
          <Header />
          {key === null ? (
            <main id="main">
              <SignInPage
                {...(notice === undefined ? {} : { notice })}
                onSignedIn={(k, w) => {
                  saveKey(k);
                  setNotice(undefined);
                  setWho(w);
                  setKey(k);
                }}
              />
            </main>
          ) : (
            <Resuming k={key} onWho={setWho} onRefused={onRefused} />
          )}
        </>
      )}
    </QueryClientProvider>
  );
}
