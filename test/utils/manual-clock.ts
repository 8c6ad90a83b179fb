/** A clock that moves only when a test advances it, for stores that take a `now` option. */
export class ManualClock {
  private time = 0;

  readonly now = (): number => this.time;

  advance(ms: number): void {
    this.time += ms;
  }
}
