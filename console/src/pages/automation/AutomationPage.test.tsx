import { fireEvent, render, screen, within } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionContext } from '../../api/session-context';
import type { Permission, WhoAmI } from '../../api/types';
import { I18nProvider } from '../../i18n/i18n';
import { AutomationPage } from './AutomationPage';
import type { LimitProposal, NoticeTemplatesAnswer } from './types';

const ANALYST: Permission[] = ['read', 'docs', 'work_cases', 'hold', 'backtest', 'metrics', 'support', 'self'];
const ADMIN: Permission[] = ['decide', 'ingest', 'read', 'docs', 'work_cases', 'hold', 'act', 'backtest', 'metrics', 'admin', 'support', 'appeal', 'self'];

const proposal = (id: number, accountId: string, grade: string, state: LimitProposal['state'] = 'pending'): LimitProposal => ({
  id,
  accountId,
  grade,
  currentLimit: 2_000_000,
  proposedLimit: grade === 'D' ? 1_400_000 : 1_000_000,
  slot: Date.parse('2026-11-16T08:00:00+08:00'),
  createdAt: Date.parse('2026-11-16T08:00:05+08:00'),
  state,
  decidedBy: null,
  decidedAt: null,
  note: null,
});

const TEMPLATES: NoticeTemplatesAnswer = {
  version: 0,
  templates: { limit_lowered: { 'zh-CN': '额度调整为¥{limit}。', en: 'Your limit is now ¥{limit}.' } },
  versions: [],
};

/** A server with two pending proposals; it records what was sent. */
function fakeServer(sent: { method: string; path: string; body: unknown }[]): typeof fetch {
  let proposals = [proposal(2, 'B1', 'E'), proposal(1, 'A1', 'D')];
  return vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    if (method !== 'GET') sent.push({ method, path, body });
    const json = (status: number, b: unknown) => new Response(JSON.stringify(b), { status, headers: { 'content-type': 'application/json' } });
    if (path === '/v1/limit-proposals?state=pending') return json(200, { proposals: proposals.filter((p) => p.state === 'pending') });
    if (path === '/v1/limit-proposals/approve') {
      const ids = (body as { ids: number[] }).ids;
      proposals = proposals.map((p) => (ids.includes(p.id) ? { ...p, state: 'approved' } : p));
      return json(200, { approved: ids, skipped: [] });
    }
    if (path === '/v1/webhooks' && method === 'GET') return json(200, { webhooks: [] });
    if (path === '/v1/webhooks') return json(201, { id: 'wh_1', url: 'https://siem.example/in', events: ['case.opened'], description: null, createdAt: 0, createdBy: 'key_admin', secret: 'whsec_abc' });
    if (path.startsWith('/v1/webhooks/wh_1/deliveries')) return json(200, { deliveries: [] });
    if (path === '/v1/notices/templates') return json(200, TEMPLATES);
    return json(404, { error: { code: 'not_found', message: 'not here' } });
  }) as typeof fetch;
}

function renderPage(permissions: Permission[]): void {
  const who: WhoAmI = { keyId: 'key_1', role: permissions.includes('admin') ? 'admin' : 'analyst', permissions };
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <I18nProvider lang="en">
      <QueryClientProvider client={client}>
        <SessionContext.Provider value={{ key: 'k', who, signOut: () => undefined }}>
          <AutomationPage />
        </SessionContext.Provider>
      </QueryClientProvider>
    </I18nProvider>,
  );
}

let sent: { method: string; path: string; body: unknown }[];
beforeEach(() => {
  sent = [];
  vi.stubGlobal('fetch', fakeServer(sent));
});
afterEach(() => vi.unstubAllGlobals());

describe('the Automation page', () => {
  it('shows an analyst the proposals and templates without any button, and no webhook', async () => {
    renderPage(ANALYST);
    const table = await screen.findByTestId('proposals-table');
    expect(within(table).getByRole('link', { name: 'B1' }).getAttribute('href')).toBe('#/accounts/B1');
    expect(table.textContent).toContain('¥10,000.00');
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(screen.queryByRole('button', { name: /Approve/ })).toBeNull();
    expect(screen.getByText('Only admins see and manage the webhooks.')).toBeTruthy();
    expect((await screen.findByTestId('templates-table')).textContent).toContain('Your limit is now ¥{limit}.');
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it('lets an admin approve the ticked proposals with a required note, and says how many', async () => {
    renderPage(ADMIN);
    await screen.findByTestId('proposals-table');
    fireEvent.click(screen.getByRole('button', { name: 'Approve selected (0)' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Tick at least one pending proposal first.');
    fireEvent.click(screen.getByLabelText('Select every pending proposal shown'));
    fireEvent.click(screen.getByLabelText('Select the proposal for account A1'));
    fireEvent.click(screen.getByRole('button', { name: 'Approve selected (1)' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Write a note saying why.');
    fireEvent.change(screen.getByLabelText('Note (required)'), { target: { value: ' weekly review ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve selected (1)' }));
    expect((await screen.findByText(/^Approved: 1\./)).textContent).toContain('effective from the next decision');
    expect(sent).toEqual([{ method: 'POST', path: '/v1/limit-proposals/approve', body: { ids: [2], note: 'weekly review' } }]);
    await vi.waitFor(() => expect(screen.queryByLabelText('Select the proposal for account B1')).toBeNull());
  });

  it('shows a new webhook\u2019s secret once, until the admin says it is stored', async () => {
    renderPage(ADMIN);
    await screen.findByText('No webhook yet.');
    fireEvent.click(screen.getByRole('button', { name: 'New webhook' }));
    fireEvent.change(screen.getByLabelText('Endpoint URL'), { target: { value: 'https://siem.example/in' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /case\.opened/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    const secret = await screen.findByLabelText('Secret');
    expect((secret as HTMLInputElement).value).toBe('whsec_abc');
    expect(document.activeElement).toBe(secret);
    expect(screen.getByTestId('webhook-secret').textContent).toContain('Fengkong shows it only this once');
    expect(sent).toEqual([{ method: 'POST', path: '/v1/webhooks', body: { url: 'https://siem.example/in', events: ['case.opened'] } }]);
    fireEvent.click(screen.getByRole('button', { name: /I have stored it/ }));
    expect(screen.queryByLabelText('Secret')).toBeNull();
  });
});
