export * from './errors.js';
export * from './labels.js';
export * from './cutoffs.js';
export * from './training-set.js';
