/**
 * The journal feed of a running server and its consumers: the case intake (reviews, failed
 * challenges, held merchants), the evidence index and the detectors (cash-out rings, code jumping,
 * relocated terminals, second clearing). `FENGKONG_DETECTORS=off` starts none of it (benchmarks,
 * emergencies): no case is then opened from traffic, analysts and appeals still open them.
 */
import { ActivityIndex } from '../cases/activity.js';
import { DecisionIntake } from '../cases/intake.js';
import type { CaseService } from '../cases/service.js';
import type { Engine } from '../engine/engine.js';
import type { CommitFeed } from '../log/feed.js';
import type { Journal } from '../log/journal.js';
import { CashoutRingDetector, clearedCheck } from './cashout-ring.js';
import { concentrationDetectors } from './concentration.js';
import { JournalFeed } from './feed.js';
import type { FeedConsumer, FindingListener } from './types.js';

/** The running feed and what it feeds. */
export interface Detection {
  readonly feed: JournalFeed;
  readonly activity: ActivityIndex;
  readonly detectors: readonly FeedConsumer[];
  stop(): void;
}

/** True unless FENGKONG_DETECTORS is `off` (or `0`, `false`). */
export function detectionEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.FENGKONG_DETECTORS ?? '').trim().toLowerCase();
  return !(v === 'off' || v === '0' || v === 'false');
}

/** Starts the feed: catch-up from the journal, then live through the commit feed (the server's DecisionService). */
export function startDetection(o: {
  engine: Engine;
  journal: Journal;
  service: CommitFeed;
  cases: CaseService;
  consumers?: readonly FeedConsumer[];
  /** Told of each finding the feed acts on (detector actions). */
  found?: FindingListener;
}): Detection {
  const activity = new ActivityIndex();
  const cleared = clearedCheck((kind, id, issue) => o.cases.lastResolved(kind, id, issue));
  const detectors: FeedConsumer[] = [new CashoutRingDetector(o.engine, cleared, o.found), ...concentrationDetectors(o.engine, cleared, o.found)];
  const feed = new JournalFeed({
    journal: o.journal,
    cases: o.cases,
    consumers: [activity, new DecisionIntake(o.engine, o.journal), ...detectors, ...(o.consumers ?? [])],
    appliedSeq: () => o.service.appliedSeq,
  });
  const unsubscribe = o.service.onCommitted(feed.push);
  feed.start();
  return {
    feed,
    activity,
    detectors,
    stop() {
      unsubscribe();
      feed.close();
    },
  };
}
