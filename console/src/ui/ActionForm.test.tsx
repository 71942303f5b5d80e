import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { I18nProvider } from '../i18n/i18n';
import { ActionForm, Field } from './ActionForm';

function Harness({ confirm }: { confirm: (reason: string) => Promise<unknown> }) {
  const [reason, setReason] = useState('');
  return (
    <I18nProvider lang="en">
      <ActionForm label="Freeze" done="Account frozen." check={() => (reason === '' ? 'Give the reason.' : null)} onConfirm={() => confirm(reason)}>
        <Field label="Reason">{(id) => <textarea id={id} value={reason} onChange={(e) => setReason(e.target.value)} />}</Field>
      </ActionForm>
    </I18nProvider>
  );
}

describe('ActionForm', () => {
  it('opens a labelled form with the focus in its first field, and checks it before sending', async () => {
    const sent: string[] = [];
    render(<Harness confirm={async (r) => sent.push(r)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Freeze' }));
    const field = screen.getByLabelText('Reason');
    expect(document.activeElement).toBe(field);
    expect(screen.getByRole('form', { name: 'Freeze' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Give the reason.');
    expect(sent).toEqual([]);
    fireEvent.change(field, { target: { value: 'stolen phone' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByRole('status')).textContent).toBe('Account frozen.');
    expect(sent).toEqual(['stolen phone']);
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('shows the server\u2019s refusal next to the form in plain words and keeps the form open', async () => {
    render(<Harness confirm={() => Promise.reject(new ApiError(409, 'conflict', 'account acc-1 is not frozen'))} />);
    fireEvent.click(screen.getByRole('button', { name: 'Freeze' }));
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This no longer applies');
    expect(alert.textContent).toContain('account acc-1 is not frozen');
    expect(screen.getByRole('form', { name: 'Freeze' })).toBeTruthy();
  });
});
