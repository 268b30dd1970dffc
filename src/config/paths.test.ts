import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './paths.js';

describe('projectRoot', () => {
  it('finds the directory holding package.json from this module', () => {
    const root = projectRoot();
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name).toBe('propel');
    expect(fs.existsSync(path.join(root, 'config', 'actions.json'))).toBe(true);
  });

  it('walks up from a nested directory such as the bundle in dist/', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'propel-root-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    const nested = path.join(root, 'dist', 'deep');
    fs.mkdirSync(nested, { recursive: true });
    expect(projectRoot(nested)).toBe(root);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('throws when no directory above has a package.json', () => {
    expect(() => projectRoot(path.parse(os.tmpdir()).root)).toThrow(/no package.json/);
  });
});
