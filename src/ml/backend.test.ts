import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendReport, initBackend, initBackendReport, parseBackendChoice } from './backend.js';

const savedEnv = process.env.PROPEL_TF_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.PROPEL_TF_BACKEND;
  else process.env.PROPEL_TF_BACKEND = savedEnv;
});

describe('initBackend', () => {
  it('falls back from tfjs-node (not installed here) to wasm or cpu, and tf.getBackend() agrees', async () => {
    delete process.env.PROPEL_TF_BACKEND;
    const name = await initBackend();
    expect(['wasm', 'cpu']).toContain(name);
    expect(tf.getBackend()).toBe(name);
    const report = backendReport()!;
    expect(report.backend).toBe(name);
    expect(report.fallbacks[0]?.choice).toBe('node');
    expect(report.fallbacks[0]?.reason).toMatch(/tfjs-node/);
  });

  it('starts wasm from the .wasm files inside node_modules (a declared dependency, nothing downloaded)', async () => {
    const report = await initBackendReport('wasm');
    expect(report.backend).toBe('wasm');
    expect(report.fallbacks.map((f) => f.choice)).not.toContain('wasm');
    expect(typeof report.wasmSimd).toBe('boolean');
  });

  it('is idempotent: a second call returns the same running backend without re-selecting', async () => {
    const first = await initBackendReport();
    const second = await initBackendReport();
    expect(second).toBe(first);
  });

  it('switches when a different backend is explicitly preferred, and computes on it', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.tidy(() => tf.tensor1d([3, 4]).square().sum().dataSync()[0])).toBe(25);
    const wasm = await initBackend('wasm');
    expect(['wasm', 'cpu']).toContain(wasm);
    expect(tf.getBackend()).toBe(wasm);
  });

  it('takes PROPEL_TF_BACKEND when no preference is passed (fresh module state)', async () => {
    process.env.PROPEL_TF_BACKEND = 'cpu';
    vi.resetModules();
    const fresh = await import('./backend.js');
    expect(await fresh.initBackend()).toBe('cpu');
    expect(fresh.backendReport()?.requested).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown PROPEL_TF_BACKEND value', () => {
    expect(() => parseBackendChoice('gpu')).toThrow(/node, wasm, cpu/);
    expect(parseBackendChoice('tensorflow')).toBe('node');
    expect(parseBackendChoice(' ')).toBeUndefined();
  });
});
