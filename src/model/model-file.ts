/**
 * Reading and writing model files. A model file is loaded by a server that will decide live
 * payments with it, so every array is checked (lengths, child indices in range, no cycles by
 * construction: children always come after their parent, siblings side by side) before a GbdtModel is built; a broken
 * file is a ConfigError naming what is wrong, never a crash in the hot path.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { Calibration } from './calibration.js';
import { GbdtModel, type GbdtModelJson, type ModelMetrics, type ModelFeatures, type ModelTraining, type OperatingPoint } from './gbdt-model.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numbers(o: Obj, key: string, where: string): number[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new ConfigError(`${where}.${key}: expected an array of numbers`);
  return v.map((x, i) => {
    if (typeof x === 'number' && Number.isFinite(x)) return x;
    if (key === 'threshold' && (x === 'Infinity' || x === '-Infinity')) return x === 'Infinity' ? Infinity : -Infinity;
    throw new ConfigError(`${where}.${key}[${i}]: expected a finite number`);
  });
}

function calibrationOf(v: unknown): Calibration | null {
  if (v === null || v === undefined) return null;
  if (!isObj(v)) throw new ConfigError('calibration: expected an object or null');
  if (v.kind === 'platt' && typeof v.a === 'number' && typeof v.b === 'number') return { kind: 'platt', a: v.a, b: v.b };
  if (v.kind === 'isotonic') {
    const x = numbers(v, 'x', 'calibration');
    const y = numbers(v, 'y', 'calibration');
    if (x.length === 0 || x.length !== y.length) throw new ConfigError('calibration: x and y must be non-empty and of equal length');
    for (let i = 1; i < x.length; i++) {
      if (!(x[i] > x[i - 1]) || y[i] < y[i - 1]) throw new ConfigError('calibration: isotonic knots must increase');
    }
    return { kind: 'isotonic', x, y };
  }
  throw new ConfigError('calibration: expected {kind:"platt",a,b} or {kind:"isotonic",x,y}');
}

/** Builds a model from parsed JSON, checking every field. */
export function modelFromJson(data: unknown): GbdtModel {
  if (!isObj(data) || data.format !== 'fengkong-gbdt') throw new ConfigError('not a Fengkong model file (format must be "fengkong-gbdt")');
  if (data.version !== 1) throw new ConfigError(`model file version ${String(data.version)} is not supported (expected 1)`);
  const names = data.featureNames;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new ConfigError('featureNames: expected an array of strings');
  if (typeof data.baseScore !== 'number' || !Number.isFinite(data.baseScore)) throw new ConfigError('baseScore: expected a finite number');
  if (!isObj(data.trees)) throw new ConfigError('trees: expected an object');
  const t = data.trees;
  const roots = numbers(t, 'roots', 'trees');
  const feature = numbers(t, 'feature', 'trees');
  const threshold = numbers(t, 'threshold', 'trees');
  const nanLeft = numbers(t, 'nanLeft', 'trees');
  const left = numbers(t, 'left', 'trees');
  const right = numbers(t, 'right', 'trees');
  const value = numbers(t, 'value', 'trees');
  const nodes = feature.length;
  for (const [k, a] of [['threshold', threshold], ['nanLeft', nanLeft], ['left', left], ['right', right], ['value', value]] as const) {
    if (a.length !== nodes) throw new ConfigError(`trees.${k}: ${a.length} entries for ${nodes} nodes`);
  }
  for (const r of roots) if (!Number.isInteger(r) || r < 0 || r >= nodes) throw new ConfigError(`trees.roots: node ${r} out of range`);
  for (let n = 0; n < nodes; n++) {
    const f = feature[n];
    if (f === -1) continue;
    if (!Number.isInteger(f) || f < 0 || f >= names.length) throw new ConfigError(`trees.feature[${n}]: ${f} is not a feature index`);
    for (const c of [left[n], right[n]]) {
      if (!Number.isInteger(c) || c <= n || c >= nodes) throw new ConfigError(`trees: node ${n} has child ${c} out of range`);
    }
    if (right[n] !== left[n] + 1) throw new ConfigError(`trees: node ${n}'s children must be adjacent (right = left + 1)`);
  }
  return new GbdtModel({
    featureNames: names as string[],
    baseScore: data.baseScore,
    trees: {
      roots: Int32Array.from(roots),
      feature: Int32Array.from(feature),
      threshold: Float64Array.from(threshold),
      nanLeft: Uint8Array.from(nanLeft, (v) => (v ? 1 : 0)),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value: Float64Array.from(value),
    },
    calibration: calibrationOf(data.calibration),
    training: isObj(data.training) ? (data.training as unknown as ModelTraining) : null,
    metrics: isObj(data.metrics) ? (data.metrics as unknown as ModelMetrics) : null,
    operatingPoint: operatingPointOf(data.operatingPoint),
    features: featuresOf(data.features),
  });
}

/** The model as JSON text; numbers are written in their shortest exact form, so loading restores every bit. */
export function modelToText(model: GbdtModel): string {
  const j: GbdtModelJson = model.toJSON();
  return JSON.stringify(j) + '\n';
}

/** Parses model text. */
export function modelFromText(text: string): GbdtModel {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`model file is not valid JSON (${(e as Error).message})`);
  }
  return modelFromJson(data);
}

/** Writes a model file. */
export function saveModel(model: GbdtModel, path: string): void {
  try {
    writeFileSync(path, modelToText(model));
  } catch (e) {
    throw new ConfigError(`cannot write model file ${path}`, { cause: e });
  }
}

/** Reads and checks a model file. */
export function loadModel(path: string): GbdtModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read model file ${path}`, { cause: e });
  }
  try {
    return modelFromText(text);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`model file ${path}: ${e.message.replace(/^\[FK\d+\] /, '')}`);
    throw e;
  }
}

/** The operating point of a model file, checked: thresholds rising within 0–100; absent: null. */
function operatingPointOf(v: unknown): OperatingPoint | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw new ConfigError('operatingPoint: an object {budget, review, challenge, decline, slice}');
  const o = v as Record<string, unknown>;
  const at = (k: string): number => {
    const x = o[k];
    if (typeof x !== 'number' || !(x >= 0 && x <= 100)) throw new ConfigError(`operatingPoint.${k}: a score from 0 to 100`);
    return x;
  };
  const [review, challenge, decline] = [at('review'), at('challenge'), at('decline')];
  if (!(review <= challenge && challenge <= decline)) throw new ConfigError('operatingPoint: review ≤ challenge ≤ decline');
  return v as unknown as OperatingPoint;
}

/** The generated features of a model file, checked for shape; absent: null. */
function featuresOf(v: unknown): ModelFeatures | null {
  if (v === undefined || v === null) return null;
  const o = isObj(v) ? (v as Record<string, unknown>) : null;
  if (o === null || typeof o.file !== 'string' || typeof o.text !== 'string') throw new ConfigError('features: an object {file, text} (the generated policy file)');
  return { file: o.file, text: o.text };
}
