import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Permission, Role, WhoAmI } from './api/types';
import { App } from './App';
import { I18nProvider } from './i18n/i18n';

const PERMISSIONS: Record<Role, Permission[]> = {
  decide: ['decide', 'docs', 'self'],
  ingest: ['ingest', 'docs', 'self'],
  analyst: ['read', 'docs', 'work_cases', 'hold', 'backtest', 'metrics', 'support', 'self'],
  admin: ['decide', 'ingest', 'read', 'docs', 'work_cases', 'hold', 'act', 'backtest', 'metrics', 'admin', 'support', 'appeal', 'self'],
  support: ['support', 'appeal', 'self'],
  metrics: ['metrics', 'self'],
};

/** A server that knows one key per role and refuses everything else as the real one does. */
function fakeServer(): typeof fetch {
  return vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const auth = new Headers(init?.headers).get('authorization') ?? '';
    const role = /^Bearer key-(\w+)$/.exec(auth)?.[1] as Role | undefined;
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (role === undefined || !(role in PERMISSIONS)) return json(401, { error: { code: 'unauthorized', message: 'missing or unknown API key' } });
    if (path === '/v1/whoami') return json(200, { keyId: `key_${role}`, role, permissions: PERMISSIONS[role] } satisfies WhoAmI);
    return json(404, { error: { code: 'not_found', message: 'not here' } });
  }) as typeof fetch;
}

function renderApp(): void {
  render(
    <I18nProvider lang="en">
      <App />
    </I18nProvider>,
  );
}

async function signIn(key: string): Promise<void> {
  fireEvent.change(screen.getByLabelText('API key'), { target: { value: key } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

beforeEach(() => {
  sessionStorage.clear();
  window.location.hash = '';
  vi.stubGlobal('fetch', fakeServer());
});
afterEach(() => vi.unstubAllGlobals());

describe('sign in', () => {
  it('shows a refused key next to the field, in plain words and the server\u2019s, and keeps nothing', async () => {
    renderApp();
    await signIn('fk_wrong');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('does not accept this key');
    expect(alert.textContent).toContain('Server said: missing or unknown API key');
    expect(screen.getByLabelText('API key').getAttribute('aria-describedby')).toBe(alert.id);
    expect(sessionStorage.length).toBe(0);
  });

  it('keeps an accepted key for the tab, sends it as a bearer token, and forgets it on sign-out', async () => {
    renderApp();
    await signIn('key-analyst');
    await screen.findByRole('navigation', { name: 'Pages' });
    expect(Object.values({ ...sessionStorage })).toContain('key-analyst');
    const call = vi.mocked(fetch).mock.calls.find(([p]) => p === '/v1/whoami');
    expect(new Headers(call?.[1]?.headers).get('authorization')).toBe('Bearer key-analyst');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByLabelText('API key');
    expect(sessionStorage.length).toBe(0);
  });
});

describe('what each role sees', () => {
  const links = async (): Promise<string[]> => {
    const nav = await screen.findByRole('navigation', { name: 'Pages' });
    return within(nav).getAllByRole('link').map((a) => a.textContent ?? '');
  };

  it('gives an analyst every page, with its role in the header', async () => {
    renderApp();
    await signIn('key-analyst');
    expect(await links()).toEqual(['Overview', 'Cases', 'Accounts', 'Merchants', 'Rules', 'Lists', 'Reports', 'Automation', 'Audit']);
    expect(screen.getByText('Analyst · key_analyst')).toBeTruthy();
  });

  it('gives customer service the accounts page only, and opens it', async () => {
    renderApp();
    await signIn('key-support');
    expect(await links()).toEqual(['Accounts']);
    expect(screen.queryByRole('link', { name: 'Rules' })).toBeNull();
    expect(await screen.findByRole('heading', { name: 'Accounts', level: 1 })).toBeTruthy();
    expect(screen.queryByText(/\/actions/)).toBeNull();
  });

  it('tells a payment-switch key that the console is not for it', async () => {
    renderApp();
    await signIn('key-decide');
    expect(await screen.findByRole('heading', { name: 'This key is for a system, not a person' })).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Pages' })).toBeNull();
  });
});
