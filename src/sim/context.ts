/**
 * What every generator needs: the world, the calendar, the timeline events go to, and the id factory.
 * Passed explicitly (no module state) so two simulations can run in one process.
 */
import type { Calendar } from './calendar.js';
import type { IdFactory } from './ids.js';
import type { Timeline } from './timeline.js';
import type { World } from './world.js';

/** Shared state of one simulation run. */
export interface SimContext {
  readonly world: World;
  readonly calendar: Calendar;
  readonly timeline: Timeline;
  readonly ids: IdFactory;
}
