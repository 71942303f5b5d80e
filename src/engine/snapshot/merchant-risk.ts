/**
 * The merchant and terminal traffic profiles (features/merchant-profile.ts) in an engine snapshot: per map,
 * the keys as string references and every profile's counters concatenated into one raw array per
 * column. Written from the classes' public fields, so merchants/ needs no snapshot code of its own;
 * a field the classes gain and this file does not know makes the write throw (see checkFields).
 *
 * Merchant controls (holds, suspensions) are not written: like lists they live in the store, and
 * whoever loads them into an engine loads them into a restored one the same way.
 */
import { Profile, type MerchantProfiles } from '../../features/merchant-profile.js';
import type { MerchantRisk } from '../merchant-state.js';
import { SnapshotError, type SnapshotReader, type SnapshotWriter } from '../../codec/codec.js';

const RISK_FIELDS = ['profiles', 'controls'];
const PROFILES_FIELDS = ['merchants', 'terminals', 'sweptDay'];
const PROFILE_FIELDS = ['counts', 'totals', 'days', 'bits', 'lastDay', 'fraudRate', 'fraud30', 'labelled'];

/** Throws when `o` has an own field this snapshot code does not write. */
export function checkFields(o: object, known: readonly string[], what: string): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new SnapshotError(`${what} field '${k}' is not in the engine snapshot; add it to the snapshot code`);
  }
}

function writeProfiles(map: ReadonlyMap<string, Profile>, w: SnapshotWriter): void {
  const n = map.size;
  const probe = new Profile();
  const per = [probe.counts.length, probe.totals.length, probe.days.length, probe.bits.length];
  const counts = new Float64Array(n * per[0]);
  const totals = new Float64Array(n * per[1]);
  const days = new Int32Array(n * per[2]);
  const bits = new Uint32Array(n * per[3]);
  const scalars = new Float64Array(n * 3);
  const labelled = new Uint8Array(n);
  let i = 0;
  for (const p of map.values()) {
    if (i === 0) checkFields(p, PROFILE_FIELDS, 'merchant Profile');
    counts.set(p.counts, i * per[0]);
    totals.set(p.totals, i * per[1]);
    days.set(p.days, i * per[2]);
    bits.set(p.bits, i * per[3]);
    scalars[3 * i] = p.lastDay;
    scalars[3 * i + 1] = p.fraudRate;
    scalars[3 * i + 2] = p.fraud30;
    labelled[i++] = p.labelled ? 1 : 0;
  }
  w.nums(per);
  w.strs([...map.keys()]);
  w.f64s(counts);
  w.f64s(totals);
  w.i32s(days);
  w.u32s(bits);
  w.f64s(scalars);
  w.u8s(labelled);
}

function readProfiles(map: Map<string, Profile>, r: SnapshotReader): void {
  const per = r.nums();
  const probe = new Profile();
  if (per.join() !== [probe.counts.length, probe.totals.length, probe.days.length, probe.bits.length].join()) {
    throw new SnapshotError('merchant profile snapshot has another counter layout');
  }
  const keys = r.strs();
  const counts = r.f64s();
  const totals = r.f64s();
  const days = r.i32s();
  const bits = r.u32s();
  const scalars = r.f64s();
  const labelled = r.u8s();
  for (let i = 0; i < keys.length; i++) {
    const p = new Profile();
    p.counts.set(counts.subarray(i * per[0], (i + 1) * per[0]));
    p.totals.set(totals.subarray(i * per[1], (i + 1) * per[1]));
    p.days.set(days.subarray(i * per[2], (i + 1) * per[2]));
    p.bits.set(bits.subarray(i * per[3], (i + 1) * per[3]));
    p.lastDay = scalars[3 * i];
    p.fraudRate = scalars[3 * i + 1];
    p.fraud30 = scalars[3 * i + 2];
    p.labelled = labelled[i] === 1;
    map.set(keys[i] as string, p);
  }
}

/** Writes the traffic profiles of `m` (not its controls, see above). */
export function writeMerchantRisk(m: MerchantRisk, w: SnapshotWriter): void {
  checkFields(m, RISK_FIELDS, 'MerchantRisk');
  const p: MerchantProfiles = m.profiles;
  checkFields(p, PROFILES_FIELDS, 'MerchantProfiles');
  w.tag('MRSK');
  w.f64(p.sweptDay);
  writeProfiles(p.merchants, w);
  writeProfiles(p.terminals, w);
}

/** Restores the profiles written by writeMerchantRisk into the fresh `m`. */
export function readMerchantRisk(m: MerchantRisk, r: SnapshotReader): void {
  r.expect('MRSK');
  const p = m.profiles;
  if (p.merchants.size > 0 || p.terminals.size > 0) throw new SnapshotError('readMerchantRisk needs fresh profiles');
  p.sweptDay = r.f64();
  readProfiles(p.merchants, r);
  readProfiles(p.terminals, r);
}
