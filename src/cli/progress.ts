import cliProgress from 'cli-progress';

/** A progress bar on stderr (only when stderr is a terminal, so logs and CI output stay clean). */
export function progressBar(label: string): { update: (percentage: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {duration_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0);
  return {
    update: (percentage) => bar.update(Math.min(100, Math.round(percentage))),
    stop: () => bar.stop(),
  };
}
