/**
 * tfjs treats a seed of 0 like no seed at all (`seed ? seed : Math.random()` in its random ops), so a loop
 * seeding with its step number would draw one unrepeatable sample at step 0. Shifting by one makes every
 * integer seed a real one; undefined stays "random".
 */
export function tfSeed(seed: number | undefined): number | undefined {
  return seed === undefined ? undefined : seed + 1;
}
