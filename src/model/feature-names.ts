/**
 * The link between a model and the engine's feature vector: a model stores feature *names* (so a
 * model file survives a policy that adds, removes or reorders features), the engine works with
 * *slots*. These helpers name every numeric slot of a policy and bind a model to those slots, so
 * scoring reads the vector in place.
 */
import { ConfigError } from '../errors.js';
import { BUILTINS } from '../features/catalog.js';
import type { CompiledPolicy } from '../rules/policy-types.js';
import type { GbdtModel } from './gbdt-model.js';

/**
 * The name of every numeric slot (numbers and booleans: builtins, then the policy's windows and
 * derived features), indexed by slot. These are the features `fengkong train` learns from.
 */
export function numericSlotNames(policy: CompiledPolicy): string[] {
  const names = new Array<string>(policy.numSlots).fill('');
  for (const f of BUILTINS.features) if (f.type !== 'string') names[f.slot] = f.name;
  for (const w of policy.windows) names[w.slot] = w.name;
  for (const d of policy.derived) names[d.slot] = d.name;
  return names.map((n, slot) => n || `slot_${slot}`);
}

/**
 * The model bound to a policy's vector: feature i of the model is read from slot slotOf(name_i).
 * A feature the policy lacks is a ConfigError naming it, caught when the model is loaded rather
 * than as silent NaNs in production.
 */
export function bindModelToPolicy(model: GbdtModel, policy: CompiledPolicy): GbdtModel {
  const slots = new Map(numericSlotNames(policy).map((n, i) => [n, i]));
  const missing = model.featureNames.filter((n) => !slots.has(n));
  if (missing.length > 0) {
    const generated = model.features === null ? '' : `; they are generated features: add the model's ${model.features.file} (written beside it by fengkong train) to the policy`;
    throw new ConfigError(`the model needs features the policy "${policy.name}" does not compute: ${missing.join(', ')}${generated}`);
  }
  return model.withInputs(model.featureNames.map((n) => slots.get(n) as number));
}
