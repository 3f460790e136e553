// Device profiles: how a mini-program runtime groups socket reads into onChunkReceived callbacks.

/**
 * Named profiles. `exact`: one callback per socket read. `merge-some`: each read is held back and
 * delivered with the next one three times in ten (seeded), as WeChat does on iOS, Android and
 * devtools alike (base library 3.6.5). `merge-end`: the last two reads arrive as one callback, so the
 * end marker shares a callback with the frame before it.
 */
export const DEVICE_PROFILES = Object.freeze({
  exact: Object.freeze({}),
  "merge-some": Object.freeze({ mergeProbability: 0.3, seed: 1 }),
  "merge-end": Object.freeze({ mergeEnd: true }),
});

/** A profile by name or as an object, checked; an unknown name lists the known ones. */
export function deviceProfile(profile = "exact") {
  if (typeof profile === "string") {
    const known = DEVICE_PROFILES[profile];
    if (!known) throw new TypeError(`unknown device profile ${JSON.stringify(profile)}; known: ${Object.keys(DEVICE_PROFILES).join(", ")}`);
    return known;
  }
  const { mergeProbability = 0, seed = 1, mergeEnd = false } = profile;
  if (!(mergeProbability >= 0 && mergeProbability <= 1)) throw new RangeError(`mergeProbability must be within 0..1, got ${mergeProbability}`);
  return { mergeProbability, seed, mergeEnd: Boolean(mergeEnd) };
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed, the same merges. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Groups reads as `profile` says: `push(read)` returns the callbacks' payloads due now (zero or one),
 * `end()` those still held when the body ends.
 */
export function readGrouper(profile) {
  const { mergeProbability = 0, seed = 1, mergeEnd = false } = deviceProfile(profile);
  const random = seededRandom(seed);
  let held = [];
  const joined = () => {
    const out = held.length === 1 ? held[0] : Buffer.concat(held);
    held = [];
    return out;
  };
  return {
    push(read) {
      held.push(read);
      if (mergeEnd) return held.length > 2 ? [held.shift()] : [];
      if (mergeProbability > 0 && random() < mergeProbability) return [];
      return [joined()];
    },
    end() {
      return held.length ? [joined()] : [];
    },
  };
}
