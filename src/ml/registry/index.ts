export * from './errors.js';
export * from './metadata.js';
export * from './registry.js';
