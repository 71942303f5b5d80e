import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { translate } from '../../i18n/i18n';
import { explainAction, isFourEyesRefusal } from './actions';

const t = (k: Parameters<typeof translate>[1], v?: Parameters<typeof translate>[2]) => translate('en', k, v);

describe('a refused policy action', () => {
  const own = new ApiError(409, 'conflict', '[FK3002] four-eyes rule: version 2 was proposed by key_a; another admin key must approve it');
  it('names the four-eyes rule when the proposer tries to approve', () => {
    expect(isFourEyesRefusal(own)).toBe(true);
    expect(explainAction(t, own, 2)).toMatch(/this key proposed version 2.*different admin key/);
  });
  it('says another conflict plainly, and anything else as every page does', () => {
    const other = new ApiError(409, 'conflict', 'version 2 is already live');
    expect(isFourEyesRefusal(other)).toBe(false);
    expect(explainAction(t, other, 2)).toMatch(/not in a state that allows this/);
    expect(explainAction(t, new ApiError(403, 'forbidden', ''), 2)).toBe(translate('en', 'error.forbidden'));
  });
});
