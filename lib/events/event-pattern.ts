import { ComplyCubeEventType } from './event-types';

/**
 * Every way to name one or more documented event types: the type itself, any segment replaced
 * by `*` (exactly one segment) and any run of segments replaced by `**` (zero or more).
 */
type SegmentPatterns<S extends string> = S extends `${infer Head}.${infer Rest}`
  ? `${Head | '*'}.${SegmentPatterns<Rest>}` | `${Head | '*'}.**` | `**.${SegmentPatterns<Rest>}`
  : S | '*' | '**';

/**
 * What `@OnComplyCubeEvent` accepts. A misspelt type does not compile; a bare `'*'` means every
 * event, as ComplyCube's own `events: ["*"]` does. To route a type ComplyCube added after this
 * release, use a wildcard or cast: `'person.created' as ComplyCubeEventPattern`.
 */
export type ComplyCubeEventPattern = SegmentPatterns<ComplyCubeEventType> | '*' | '**';

type Segments<S extends string> = S extends `${infer Head}.${infer Rest}` ? [Head, ...Segments<Rest>] : [S];

/** Whether a type's segments match a pattern's, as the event emitter matches them (`**` is zero or more). */
type SegmentsMatch<T extends string[], P extends string[]> = P extends [infer Head, ...infer Rest extends string[]]
  ? Head extends '**'
    ? SegmentsMatch<T, Rest> extends true
      ? true
      : T extends [string, ...infer TypeRest extends string[]]
        ? SegmentsMatch<TypeRest, P>
        : false
    : T extends [infer TypeHead, ...infer TypeRest extends string[]]
      ? Head extends '*' | TypeHead
        ? SegmentsMatch<TypeRest, Rest>
        : false
      : false
  : T extends []
    ? true
    : false;

/**
 * The documented event types a pattern (or a union of patterns) routes, e.g. the three client
 * types for `'client.*'`. A pattern cast from a type this release does not know matches none.
 */
export type ComplyCubeEventTypesMatching<P extends string> = [ComplyCubeEventPattern] extends [P]
  ? ComplyCubeEventType
  : P extends '*' | '**'
    ? ComplyCubeEventType
    : P extends ComplyCubeEventType
      ? P
      : P extends `${infer Prefix}.**`
        ? Prefix extends `${string}*${string}`
          ? MatchBySegments<P>
          : Extract<ComplyCubeEventType, Prefix | `${Prefix}.${string}`>
        : P extends `${infer Prefix}.*`
          ? Prefix extends `${string}*${string}`
            ? MatchBySegments<P>
            : OneSegmentBelow<ComplyCubeEventType, Prefix>
          : MatchBySegments<P>;

// The common shapes ('check.**', 'client.*') are matched with template literals, which costs a
// fraction of matching segment by segment.
type OneSegmentBelow<T extends string, Prefix extends string> = T extends `${Prefix}.${infer Last}`
  ? Last extends `${string}.${string}`
    ? never
    : T
  : never;

type MatchBySegments<P extends string> = {
  [T in CandidateTypes<P>]: SegmentsMatch<Segments<T>, Segments<P>> extends true ? T : never;
}[CandidateTypes<P>];

/** The types worth matching segment by segment: those with the pattern's first segment, when it is not a wildcard. */
type CandidateTypes<P extends string> = P extends `${infer Head}.${string}`
  ? Head extends '*' | '**'
    ? ComplyCubeEventType
    : Extract<ComplyCubeEventType, `${Head}.${string}`>
  : ComplyCubeEventType;

const SEGMENT = /^(?:[A-Za-z0-9_-]+|\*|\*\*)$/;
const EVENT_TYPE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Whether `pattern` is well formed: dot-separated segments of letters, digits, `_`, `-`, or `*` / `**`. */
export function isValidComplyCubeEventPattern(pattern: unknown): pattern is string {
  if (typeof pattern !== 'string' || pattern.length === 0) return false;
  const segments = pattern.split('.');
  // EventEmitter2 does not route a `**` next to another wildcard as documented (`**.*.x` misses
  // types it should match, `x.*.**` reaches `x`), so such patterns are refused, not misrouted.
  const wildcardBesideGlobstar = segments.some(
    (segment, index) => segment === '**' && (segments[index + 1]?.startsWith('*') || segments[index - 1]?.startsWith('*')),
  );
  return !wildcardBesideGlobstar && segments.every((segment) => SEGMENT.test(segment));
}

/** Event types are plain dot-separated names: no wildcards, no empty segments. */
export function isValidComplyCubeEventType(type: unknown): type is string {
  return typeof type === 'string' && EVENT_TYPE.test(type);
}

export function isWildcardPattern(pattern: string): boolean {
  return pattern.includes('*');
}

/**
 * Whether events of `type` reach a handler of `pattern`, the way the app's wildcard emitter
 * routes them: `*` matches exactly one segment, `**` zero or more, a bare `*` every type.
 */
export function matchesComplyCubeEventPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  return matchSegments(pattern.split('.'), 0, type.split('.'), 0);
}

function matchSegments(pattern: string[], p: number, type: string[], t: number): boolean {
  if (p === pattern.length) return t === type.length;
  const segment = pattern[p];
  if (segment === '**') {
    for (let skip = t; skip <= type.length; skip++) {
      if (matchSegments(pattern, p + 1, type, skip)) return true;
    }
    return false;
  }
  if (t === type.length) return false;
  return (segment === '*' || segment === type[t]) && matchSegments(pattern, p + 1, type, t + 1);
}
