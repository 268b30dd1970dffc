/**
 * CLV models: BG/NBD purchase model, Gamma-Gamma spend model and horizon CLV,
 * fitted by maximum likelihood (lifetimes-style estimators, plain-JSON parameters).
 */
export * from './errors.js';
export * from './summary.js';
export * from './optimize.js';
export * from './bgnbd.js';
export * from './gamma-gamma.js';
export * from './clv.js';
export * from './simulate.js';
export { createRng, type Rng } from './random.js';
export { hyp2f1, logGamma } from './special.js';
