// The central bank's licensed-institutions list as the authority for second clearing, through the
// CLI against a real server: the CSV as published (BOM, Chinese header, dates as 2030年12月31日) is
// matched to the registered acquirers by exact name; a dry run changes nothing; the import registers
// an expired licence as unlicensed and, with --mark-unlisted, an acquirer the list does not name;
// a payment through it is then declined ACQUIRER_UNLICENSED; the merchant view shows the list's date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMerchants } from '../../src/cli/merchants.js';
import { parseLicenceCsv } from '../../src/merchants/licence-list.js';
import { baseWorld, HOUR, tx } from '../engine/world.js';
import { call, feed, startTestServer } from '../server/helpers.js';

const CSV =
  '\ufeff序号,许可证编号,公司名称,有效期至\r\n' +
  '1,Z2000144000016,持牌支付,2030年12月31日\r\n' +
  '2,Z2000144000017,"无牌机构",2025-01-01\r\n' +
  '3,Z2000144000099,"某某不存在支付, 有限公司",2030/06/30\r\n';

test('the CSV as published parses: BOM, Chinese header, quoted commas, three date forms; a row without a name is refused naming the line', () => {
  assert.deepEqual(parseLicenceCsv(CSV), [
    { acquirerId: null, name: '持牌支付', validUntil: '2030-12-31' },
    { acquirerId: null, name: '无牌机构', validUntil: '2025-01-01' },
    { acquirerId: null, name: '某某不存在支付, 有限公司', validUntil: '2030-06-30' },
  ]);
  assert.throws(() => parseLicenceCsv('公司名称,有效期至\n,2030-01-01\n'), /line 2: name/);
  assert.throws(() => parseLicenceCsv('机构,日期\nx,y\n'), /header/);
});

test('merchants licences: dry run, import, second clearing by the list, the date in the merchant view', async () => {
  const s = await startTestServer();
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const file = join(s.dir, 'pbc.csv');
    writeFileSync(file, CSV);
    const lines: string[] = [];
    const cli = (...args: string[]): Promise<number> => runMerchants([...args, '--url', s.url], (l) => lines.push(l), (l) => lines.push(l));
    process.env.FENGKONG_KEY = s.keys.admin;
    try {
      assert.equal(await cli('licences', file, '--as-of', '2026-11-30', '--mark-unlisted', '--dry-run'), 0);
      assert.ok(lines.includes('dry run: nothing changed'), lines.join('\n'));
      assert.ok(lines.some((l) => l.startsWith('48029999\tUNLICENSED\tits licence expired on 2025-01-01')), lines.join('\n'));
      const before = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(10 * HOUR, { id: 'q-1', acquirerId: '48023333' }) });
      assert.ok(!(before.json.reasons as { code: string }[]).some((r) => r.code === 'ACQUIRER_UNLICENSED'), 'the dry run changed nothing');

      lines.length = 0;
      assert.equal(await cli('licences', file, '--as-of', '2026-11-30', '--mark-unlisted', '--source', 'PBC list of 2026-11-30'), 0);
      assert.deepEqual(lines.filter((l) => /^\d/.test(l)).sort(), [
        '48021000\tlicensed\ton the list of 2026-11-30',
        '48023333\tUNLICENSED\tnot on the list of 2026-11-30',
        '48029999\tUNLICENSED\tits licence expired on 2025-01-01',
      ]);
      assert.ok(lines.includes('(no registered acquirer)\t某某不存在支付, 有限公司'));
    } finally {
      delete process.env.FENGKONG_KEY;
    }
    const after = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(10 * HOUR + 60_000, { id: 'q-2', acquirerId: '48023333' }) });
    assert.equal(after.json.outcome, 'decline');
    assert.ok((after.json.reasons as { code: string }[]).some((r) => r.code === 'ACQUIRER_UNLICENSED'), after.text);
    const view = await call(s.url, '/v1/merchants/M1', { key: s.keys.analyst });
    assert.deepEqual(view.json.acquirer.licenceList, { asOf: '2026-11-30', source: 'PBC list of 2026-11-30' });
    assert.equal(view.json.acquirer.licensed, true);
    const audit = await call(s.url, '/v1/audit?action=acquirers.licence_list', { key: s.keys.admin });
    assert.equal((audit.json.entries as unknown[]).length, 1);
    assert.equal((await call(s.url, '/v1/acquirers/licence-list', { key: s.keys.analyst, body: { asOf: '2026-11-30', source: 'x', rows: [{ name: 'x' }] } })).status, 403);
  } finally {
    await s.close();
  }
});
