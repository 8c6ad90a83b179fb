/**
 * `describe` for suites that need a program this machine may lack (`missing` says why it is
 * unusable, or is undefined): a printed skip when it is missing, and a failing test instead of a
 * skip when CI=true, so CI can never pass without running them.
 */
export function describeNeeding(program: string, missing: string | undefined, name: string, suite: () => void): void {
  if (missing === undefined) {
    describe(name, suite);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${program} on CI`, () => {
        throw new Error(`CI=true but ${missing}.`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${missing}.`);
  describe.skip(name, suite);
}
