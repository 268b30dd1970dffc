/**
 * CLV as a trained, versionable model: BG/NBD + Gamma-Gamma fitted from the feature builder's clv_*
 * summary (train.ts), plain-JSON parameters (model.ts, artifact.ts), predictions from a FeatureFrame
 * (predict.ts). The statistics themselves live in src/ml/clv.
 */
export * from './hyper.js';
export * from './summary-rows.js';
export * from './model.js';
export * from './train.js';
export * from './predict.js';
export * from './artifact.js';
