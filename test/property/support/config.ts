/**
 * Seeds and run counts for the property, differential and fuzz suites.
 *
 * The default run is seeded and small enough for `npm test` on a 2-core machine. Set
 * `FUZZ_LONG=1` (`npm run test:fuzz`) for twenty times the runs and a fresh seed, and
 * `FC_SEED=<n>` to replay a failure that fast-check reported.
 */
import type { Parameters } from 'fast-check';

export const LONG = process.env.FUZZ_LONG === '1';

/** Under Stryker every mutant reruns these suites: keep them short there. */
export const MUTATION = process.env.STRYKER_MUTATION === '1';

function pickSeed(): number {
  const fromEnv = process.env.FC_SEED;
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv) | 0;
  return LONG ? (Date.now() ^ (process.pid << 16)) | 0 : 0x7e57ed;
}

export const SEED = pickSeed();

if (LONG || process.env.FC_SEED) {
  // The seed is also in every fast-check failure report; print it so a long run can be replayed.
  console.log(`property tests: seed ${SEED} (replay with FC_SEED=${SEED})`);
}

/** fast-check parameters: `runs` by default, twenty times more with FUZZ_LONG, fewer under Stryker. */
export function params<T>(runs: number): Parameters<T> {
  const numRuns = LONG ? runs * 20 : MUTATION ? Math.max(20, Math.ceil(runs / 4)) : runs;
  return { seed: SEED, numRuns, endOnFailure: false };
}

/** The number of requests the fuzz run sends through `process()`. */
export const FUZZ_REQUESTS = LONG ? 1_000_000 : 100_000;
/** How many of them also go through a real `node:http` server. */
export const FUZZ_SERVER_REQUESTS = LONG ? 20_000 : 2_000;
