/**
 * What a Redis benchmark reads from the server around a phase: CPU seconds, command counts and
 * network bytes from INFO, so a cost per payment is the server's own count, not the client's guess.
 * The counters are the whole server's: anything else using it during the phase is counted too.
 */
import type { Redis } from 'ioredis';

/** Server counters at one moment. */
export interface RedisCounters {
  /** used_cpu_sys + used_cpu_user, seconds. */
  readonly cpuS: number;
  /** Calls per command name (commandstats), commands run inside scripts included. */
  readonly calls: ReadonlyMap<string, number>;
  /** Server time per command name, µs (a script's includes the commands it runs). */
  readonly usec: ReadonlyMap<string, number>;
  readonly netIn: number;
  readonly netOut: number;
  readonly usedMemory: number;
}

function fields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** Reads the counters (one INFO call, on a connection of its own so it adds nothing to a pipeline). */
export async function readCounters(admin: Redis): Promise<RedisCounters> {
  const f = fields(await admin.info('everything'));
  const calls = new Map<string, number>();
  const usec = new Map<string, number>();
  for (const [k, v] of f) {
    if (!k.startsWith('cmdstat_')) continue;
    const c = /calls=(\d+)/.exec(v);
    if (c) calls.set(k.slice(8), Number(c[1]));
    const u = /usec=(\d+)/.exec(v);
    if (u) usec.set(k.slice(8), Number(u[1]));
  }
  return {
    cpuS: Number(f.get('used_cpu_sys')) + Number(f.get('used_cpu_user')),
    calls,
    usec,
    netIn: Number(f.get('total_net_input_bytes')),
    netOut: Number(f.get('total_net_output_bytes')),
    usedMemory: Number(f.get('used_memory')),
  };
}

/** What happened on the server between two readings (INFO's own calls left out). */
export interface RedisDelta {
  readonly cpuS: number;
  readonly calls: ReadonlyMap<string, number>;
  readonly usec: ReadonlyMap<string, number>;
  readonly totalCalls: number;
  readonly netIn: number;
  readonly netOut: number;
}

/** The difference of two readings. */
export function delta(a: RedisCounters, b: RedisCounters): RedisDelta {
  const calls = new Map<string, number>();
  const usec = new Map<string, number>();
  let total = 0;
  for (const [k, v] of b.calls) {
    if (k === 'info') continue;
    const d = v - (a.calls.get(k) ?? 0);
    if (d > 0) {
      calls.set(k, d);
      usec.set(k, (b.usec.get(k) ?? 0) - (a.usec.get(k) ?? 0));
      total += d;
    }
  }
  return { cpuS: b.cpuS - a.cpuS, calls, usec, totalCalls: total, netIn: b.netIn - a.netIn, netOut: b.netOut - a.netOut };
}
