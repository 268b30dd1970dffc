import fc from 'fast-check';

// Property tests run from a fixed seed so `npm test` (and CI) gives the same verdict on the same code;
// `FC_SEED=<n>` or `FC_SEED=random` explores other cases (a failure prints the seed that reproduces it).
const requested = process.env.FC_SEED;
const seed = requested === 'random' ? Date.now() ^ (Math.random() * 0x100000000) : Number(requested ?? 20_261_124);
if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got ${JSON.stringify(requested)}`);
fc.configureGlobal({ seed });
