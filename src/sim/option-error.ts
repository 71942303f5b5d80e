/**
 * A simulation option out of range (seed, accounts, days, start date). A RangeError, so the
 * simulator needs nothing outside itself; its own class, so a front end can tell an option the user
 * must fix from a bug and translate only the former (the CLI turns it into a usage error, exit 2).
 */
export class SimOptionError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'SimOptionError';
  }
}
