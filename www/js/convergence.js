// What the detail page draws from a calculation's results: the SCF's log10 |ΔE| per iteration with the
// threshold it had to reach, and for sweeps, a result against the swept parameter.

const electronvoltsPerRydberg = 13.605693123;
const electronvoltsPerHartree = 27.211386246;

/** The energy threshold of the SCF in eV, when the engine's input says it (or its default is known). */
export function scfThreshold(calculation) {
  const configuration = calculation.configuration ?? {};
  if (calculation.engine === 'qe') {
    const match = String(configuration.input ?? '').match(/conv_thr\s*=\s*([\d.]+)(?:[dDeE]([+-]?\d+))?/);
    const rydberg = match ? Number(match[1]) * 10 ** Number(match[2] ?? 0) : 1e-6;
    return { electronvolts: rydberg * electronvoltsPerRydberg, source: match ? 'conv_thr' : "pw.x's default conv_thr" };
  }
  if (calculation.engine === 'xtb') return { electronvolts: 1e-6 * electronvoltsPerHartree, source: "xtb's default energy convergence" };
  return null;
}

/** [{iteration, log10}] of |E_i − E_{i−1}| in eV; identical energies count as 1e-16. */
export function energyChanges(energies) {
  const changes = [];
  for (let index = 1; index < energies.length; index += 1) {
    const change = Math.abs(energies[index] - energies[index - 1]);
    changes.push({ iteration: index + 1, log10: Math.log10(Math.max(change, 1e-16)) });
  }
  return changes;
}

/**
 * True when the SCF has stopped getting closer: over its last five changes, the best is not a
 * tenth of what it was before them, while the threshold is not reached.
 */
export function stalls(changes, threshold) {
  if (changes.length < 8) return false;
  const recent = changes.slice(-5).map((change) => change.log10);
  const before = changes.slice(0, -5).map((change) => change.log10);
  const reached = threshold && Math.min(...recent) <= Math.log10(threshold);
  return !reached && Math.min(...recent) > Math.min(...before) - 1;
}

/** For a sweep: [{analysis, unit, parameter, points: [{x, y, step}]}] of every numeric result by step. */
export function sweepSeries(calculation, results) {
  const steps = Array.isArray(calculation.steps) ? calculation.steps : [];
  const parameter = Object.keys(steps[0]?.parameters ?? {})[0];
  if (steps.length < 2 || !parameter) return [];
  const valueOf = (step) => steps.find((item) => item.name === step)?.parameters?.[parameter];
  const byAnalysis = new Map();
  for (const result of results) {
    const y = typeof result.data?.value === 'number' ? result.data.value : null;
    const x = valueOf(result.step);
    if (y === null || x === undefined) continue;
    const series = byAnalysis.get(result.name) ?? { analysis: result.name, unit: result.data.unit ?? '', parameter, points: [] };
    series.points.push({ x: Number(x), y, step: result.step });
    byAnalysis.set(result.name, series);
  }
  return [...byAnalysis.values()].filter((series) => series.points.length >= 2)
    .map((series) => ({ ...series, points: series.points.sort((left, right) => left.x - right.x) }));
}
