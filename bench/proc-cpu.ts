/**
 * CPU time of a child process and of its main thread, read from Linux's /proc, so an HTTP bench can
 * say how many microseconds of CPU each answer cost the server and the load generator in the same
 * run — on a 2-core machine where both share the cores, that budget decides what throughput a goal
 * can reach, and a ratio of requests/s alone does not show it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU milliseconds used so far (user + system). */
export interface CpuSample {
  /** Every thread of the process and of its live child processes (the server's checkpointer). */
  readonly processMs: number;
  /** The main thread only (the event loop, for a Node.js server). */
  readonly mainMs: number;
}

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a /proc stat file, in ms (fields 14 and 15, counted after the command's closing parenthesis). */
function statMs(path: string): number {
  const text = readFileSync(path, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
}

/** The parent pid in a /proc stat file (field 4). */
function parentOf(path: string): number {
  const text = readFileSync(path, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The pids of the live children of `pid` (one level: the server's own child processes). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (parentOf(`/proc/${d}/stat`) === pid) kids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

/** CPU ms of the live children of `pid`. */
function childrenMs(pid: number): number {
  let ms = 0;
  for (const k of childrenOf(pid)) {
    try {
      ms += statMs(`/proc/${k}/stat`);
    } catch {
      // gone meanwhile
    }
  }
  return ms;
}

/**
 * Bytes a process has caused to be written to storage (`write_bytes` of /proc/<pid>/io), counted as
 * the page cache sends them: a run's figure may carry writeback of the run before. Null when the
 * file cannot be read (not Linux, or the process is gone).
 */
function writeBytesOf(pid: number): number | null {
  try {
    const m = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * Bytes `pid` and its live children have sent to storage so far, or null off Linux. The disk is
 * shared with the journal's fsyncs: what the server writes beside them is what makes them wait
 * (docs/server.md, "Fifth pass"), and a latency figure alone does not show it.
 */
export function writtenOf(pid: number | undefined): number | null {
  const own = pid === undefined ? null : writeBytesOf(pid);
  if (pid === undefined || own === null) return null;
  let bytes = own;
  for (const k of childrenOf(pid)) bytes += writeBytesOf(k) ?? 0; // a child gone meanwhile wrote nothing more
  return bytes;
}

/** The CPU `pid` has used so far, or null where /proc is not there (not Linux) or the process is gone. */
export function cpuOf(pid: number | undefined): CpuSample | null {
  if (pid === undefined) return null;
  try {
    return { processMs: statMs(`/proc/${pid}/stat`) + childrenMs(pid), mainMs: statMs(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return null;
  }
}

/** This process's CPU so far in ms (every thread), portable. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
