import { parseArgs } from 'node:util';
import { argvError } from '../../cli/args.js';
import { COMMON_OPTIONS, log } from '../../cli/common.js';
import { readEnv } from '../../config/env.js';
import { DomainError, ValidationError } from '../../domain/errors.js';
import { expectedFeatureSchema } from '../feature-schemas.js';
import type { ClassificationMetrics, ModelTarget } from './metadata.js';
import { ModelRegistry, parseTarget, type ListResult, type VersionSummary } from './registry.js';

/** `npm run models -- ...`: list, show, promote and roll back model versions (scripts/models.ts). */

export const MODELS_USAGE = `Usage: npm run models -- <command> [--models DIR] [--json]
  list [--target T]                      versions of every target (or one), newest first; * marks the current one
  show T [VERSION]                       metadata of a version (default: the current one) and whether its files verify
  promote T VERSION [--force] [--reason TEXT]
                                         make VERSION current; refused if it does not beat the rule baseline unless --force
  rollback T [--reason TEXT]             go back to the version that was current before the last promote
T is purchase, churn or clv. --models defaults to PROPEL_MODELS or models/.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  target: { type: 'string' },
  force: { type: 'boolean', default: false },
  reason: { type: 'string' },
} as const;

export interface CommandOutput {
  summary: unknown;
  text: string;
}

/** Runs one models command; throws DomainError on bad input or a refused operation (runCommand reports it). */
export async function modelsCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandOutput> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw argvError(error, Object.keys(OPTIONS), MODELS_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) return { summary: { usage: MODELS_USAGE }, text: MODELS_USAGE };
  const modelsDir = values.models ?? readEnv(env).PROPEL_MODELS;
  const registry = new ModelRegistry(modelsDir);
  const [command, ...args] = positionals;
  const argCount = (min: number, max: number) => {
    if (args.length < min || args.length > max) {
      throw new ValidationError(`'${command}' takes ${min === max ? min : `${min}–${max}`} argument(s), got ${args.length}\n\n${MODELS_USAGE}`);
    }
  };

  switch (command) {
    case 'list': {
      argCount(0, 0);
      const target = values.target !== undefined ? parseTarget(values.target) : undefined;
      const result = await registry.list(target);
      for (const p of result.problems) log(`warning: skipped ${p.target}/${p.version} (${p.code}): ${p.message}`);
      return { summary: { models_dir: registry.root, ...result }, text: listTable(result, registry.root) };
    }
    case 'show': {
      argCount(1, 2);
      const target = parseTarget(args[0]!);
      const version = args[1] ?? (await registry.current(target));
      if (version === undefined) {
        // open() raises the standard no_current_model error
        await registry.open(target);
        throw new Error('unreachable');
      }
      const current = (await registry.current(target)) === version;
      const { dir, metadata } = await registry.readMetadata(target, version);
      let integrity: { ok: true } | { ok: false; code: string; message: string; issues: unknown[] } = { ok: true };
      try {
        const expected = expectedFeatureSchema(target);
        await registry.open(target, version, { expectedFeatureSchema: expected });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        integrity = { ok: false, code: error.code, message: error.message, issues: error.issues };
      }
      const history = (await registry.history(target)).filter((h) => h.version === version || h.previous === version);
      return {
        summary: { target, version, current, dir, metadata, integrity, history },
        text: showText(target, version, current, dir, metadata, integrity),
      };
    }
    case 'promote': {
      argCount(2, 2);
      const target = parseTarget(args[0]!);
      const version = args[1]!;
      const expected = expectedFeatureSchema(target);
      const result = await registry.promote(target, version, {
        force: values.force,
        ...(values.reason !== undefined ? { reason: values.reason } : {}),
        expectedFeatureSchema: expected,
      });
      const text = !result.changed
        ? `${target}: ${version} is already current`
        : `${target}: ${version} is now current (was ${result.previous ?? 'none'})${result.forced ? ' — forced: it does not beat the rule baseline' : ''}`;
      return { summary: result, text };
    }
    case 'rollback': {
      argCount(1, 1);
      const target = parseTarget(args[0]!);
      const expected = expectedFeatureSchema(target);
      const result = await registry.rollback(target, {
        ...(values.reason !== undefined ? { reason: values.reason } : {}),
        expectedFeatureSchema: expected,
      });
      return { summary: result, text: `${target}: rolled back from ${result.previous ?? 'none'} to ${result.version}` };
    }
    case undefined:
      throw new ValidationError(`a command is required\n\n${MODELS_USAGE}`, [{ path: ['command'], message: 'required' }]);
    default:
      throw new ValidationError(`unknown command '${command}'\n\n${MODELS_USAGE}`, [{ path: ['command'], message: 'list, show, promote or rollback' }]);
  }
}

const num = (v: number | null | undefined, digits = 3): string => (typeof v === 'number' ? v.toFixed(digits) : '-');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

function aucCell(v: VersionSummary): string {
  if (v.auc === null && v.baseline_auc === null) return '-';
  return `${num(v.auc)} vs ${num(v.baseline_auc)}`;
}

export function listTable(result: ListResult, root: string): string {
  const lines: string[] = [];
  if (result.versions.length === 0) lines.push(`no registered models in ${root}`);
  else {
    const rows = [['', 'TARGET', 'VERSION', 'CREATED (UTC)', 'KIND', 'AS OF', 'AUC VS BASELINE', 'BEATS']];
    for (const v of result.versions) {
      rows.push([
        v.current ? '*' : '',
        v.target,
        v.version,
        v.created_at.replace('T', ' ').slice(0, 19),
        v.kind,
        v.as_of,
        aucCell(v),
        v.beats_baseline ? 'yes' : 'no',
      ]);
    }
    lines.push(table(rows));
  }
  for (const p of result.problems) lines.push(`skipped ${p.target}/${p.version} (${p.code})`);
  return lines.join('\n');
}

function metricsRows(model: ClassificationMetrics | undefined, baseline: ClassificationMetrics | undefined): string[][] {
  const keys = ['auc', 'pr_auc', 'log_loss', 'brier', 'lift_top_decile', 'base_rate'] as const;
  return [['  metric', 'model', 'baseline'], ...keys.map((k) => [`  ${k}`, num(model?.[k] as number | null | undefined, 4), num(baseline?.[k] as number | null | undefined, 4)])];
}

function showText(
  target: ModelTarget,
  version: string,
  current: boolean,
  dir: string,
  m: Awaited<ReturnType<ModelRegistry['readMetadata']>>['metadata'],
  integrity: { ok: true } | { ok: false; code: string; message: string },
): string {
  const lines = [
    `${target}/${version}${current ? '  (current)' : ''}`,
    `  dir           ${dir}`,
    `  created       ${m.created_at}`,
    `  kind          ${m.kind} on ${m.backend}`,
    `  as of         ${m.as_of}   cutoff ${m.cutoff ?? '-'}   horizon ${m.horizon_days} days`,
    `  label         ${m.label.sentence}`,
    `  training      ${m.training.rows} rows, ${m.training.positives ?? '-'} positives, cutoffs ${m.training.cutoffs.join(', ') || '-'}, ${num(m.training.seconds, 1)} s`,
    `  features      ${m.feature_schema ? m.feature_schema.length : '-'}`,
    `  data          ${m.data_fingerprint}`,
    `  beats baseline ${m.beats_baseline ? 'yes' : 'NO'}`,
  ];
  if (m.metrics.model || m.metrics.baseline) lines.push(table(metricsRows(m.metrics.model, m.metrics.baseline)));
  if (m.metrics.fit) lines.push(`  fit           ${JSON.stringify(m.metrics.fit)}`);
  lines.push(`  files         ${Object.entries(m.files).map(([f, h]) => `${f} (${h.slice(0, 12)}…)`).join(', ')}`);
  lines.push(integrity.ok ? '  integrity     ok' : `  integrity     FAILED (${integrity.code}): ${integrity.message}`);
  return lines.join('\n');
}
