// Analyses: the reports across calculations. Pick an analysis and filters; a sortable table of what
// was extracted and a chart; the training export as CSV or JSONL; what the clusters spent per user
// and cluster. The analysis and filters live in the URL.
import { api } from '../api.js';
import { download } from '../download.js';
import { lineChart } from '../charts.js';
import { meta } from '../meta.js';
import { element, emptyState, field, toast } from '../ui.js';

const shownRows = 2000;

/** The first `limit` JSON lines of the training export: the page shows a sample, the export has all. */
async function exportedRows(analysis, filters, limit) {
  const parameters = new URLSearchParams({ analysis, format: 'jsonl', ...filters });
  const response = await api('GET', `/export/results?${parameters}`, undefined, { raw: true });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const rows = [];
  let buffer = '';
  while (rows.length < limit) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) if (line.trim() && rows.length < limit) rows.push(JSON.parse(line));
  }
  reader.cancel().catch(() => {});
  return rows;
}

/** The numbers and words of a result, one level deep: `value`, `unit`, `iterations`... */
function scalars(data) {
  return Object.fromEntries(Object.entries(data ?? {}).filter(([, value]) => value === null || typeof value !== 'object'));
}

function usageTable(title, rows) {
  return element('div', { class: 'card' }, element('h4', {}, title),
    rows.length ? element('table', {}, element('thead', {}, element('tr', {}, ['Who', 'Finished', 'Succeeded', 'Wall time (h)', 'CPU time (h)'].map((name) => element('th', { scope: 'col' }, name)))),
      element('tbody', {}, rows.map((row) => element('tr', {}, element('td', {}, row.name ?? '(deleted)'), element('td', {}, row.finished),
        element('td', {}, row.succeeded), element('td', {}, row.wall_hours.toFixed(2)), element('td', {}, row.cpu_hours.toFixed(2))))))
      : element('p', { class: 'muted' }, 'Nothing finished yet.'));
}

export async function analyses({ rerender }) {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [catalog, rules, usage] = await Promise.all([api('GET', '/analyses'), meta(), api('GET', '/usage')]);
  if (catalog.items.length === 0) {
    return element('section', {}, element('h2', {}, 'Analyses'),
      emptyState('No analyses yet', 'The catalog fills when a cluster agent reports its engines and what each can extract.'));
  }
  const names = [...new Set(catalog.items.map((item) => item.name))].sort();
  const chosen = names.includes(query.get('analysis')) ? query.get('analysis') : (names.includes('total_energy') ? 'total_energy' : names[0]);
  const go = (changes) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(changes)) { if (value) next.set(key, value); else next.delete(key); }
    location.hash = `#/analyses?${next}`;
  };
  const analysis = element('select', { onchange: (event) => go({ analysis: event.target.value, sort: '' }) },
    names.map((name) => element('option', { value: name, selected: name === chosen }, name)));
  const state = element('select', { onchange: (event) => go({ state: event.target.value }) }, element('option', { value: '' }, 'any state'),
    rules.calculation_states.map(({ name }) => element('option', { value: name, selected: query.get('state') === name }, name.replace('_', ' '))));
  const engine = element('select', { onchange: (event) => go({ engine: event.target.value }) }, element('option', { value: '' }, 'any engine'),
    [...new Set(catalog.items.filter((item) => item.name === chosen).map((item) => item.engine))].map((name) =>
      element('option', { value: name, selected: query.get('engine') === name }, name)));

  const filters = Object.fromEntries(['state', 'engine'].filter((key) => query.get(key)).map((key) => [key, query.get(key)]));
  const rows = await exportedRows(chosen, filters, shownRows);
  const columns = [...new Set(rows.flatMap((row) => Object.keys(scalars(row.data))))].slice(0, 8);
  const [sortKey, direction] = (query.get('sort') ?? 'calculation_id:asc').split(':');
  const valueOf = (row, key) => (key in row && key !== 'data' ? row[key] : scalars(row.data)[key]);
  rows.sort((left, right) => {
    const [a, b] = [valueOf(left, sortKey), valueOf(right, sortKey)];
    const order = typeof a === 'number' && typeof b === 'number' ? a - b : String(a ?? '').localeCompare(String(b ?? ''));
    return direction === 'desc' ? -order : order;
  });
  const header = (key, title) => {
    const sorted = sortKey === key;
    return element('th', { scope: 'col', 'aria-sort': sorted ? (direction === 'desc' ? 'descending' : 'ascending') : 'none' },
      element('button', { type: 'button', class: 'link', onclick: () => go({ sort: `${key}:${sorted && direction === 'asc' ? 'desc' : 'asc'}` }) },
        `${title}${sorted ? (direction === 'desc' ? ' ↓' : ' ↑') : ''}`));
  };
  const table = rows.length
    ? element('div', { class: 'scroll' }, element('table', {},
      element('thead', {}, element('tr', {}, header('calculation_id', '#'), header('calculation', 'Calculation'), header('engine', 'Engine'),
        header('formula', 'Formula'), header('cluster', 'Cluster'), header('step', 'Step'), columns.map((key) => header(key, key)))),
      element('tbody', {}, rows.map((row) => element('tr', {},
        element('td', {}, element('a', { href: `#/calculations/${row.calculation_id}` }, row.calculation_id)), element('td', {}, row.calculation),
        element('td', {}, row.engine), element('td', {}, row.formula ?? '—'), element('td', {}, row.cluster), element('td', {}, row.step),
        columns.map((key) => element('td', {}, String(scalars(row.data)[key] ?? '—'))))))))
    : emptyState(query.get('state') || query.get('engine') ? 'No match' : 'Nothing extracted yet', `No ${chosen} results${query.get('state') ? ` of ${query.get('state')} calculations` : ''} yet.`);

  const numeric = rows.filter((row) => typeof row.data?.value === 'number');
  const chartBox = element('div', { class: 'chart-box' });
  if (numeric.length >= 2) {
    const canvas = element('canvas', { role: 'img', 'aria-label': `${chosen} of ${numeric.length} results, in the table's order` });
    chartBox.append(canvas);
    lineChart(canvas, { title: `${chosen}${numeric[0].data.unit ? ` (${numeric[0].data.unit})` : ''}`, categories: numeric.map((row) => `#${row.calculation_id} ${row.step}`),
      series: [{ label: chosen, points: numeric.map((row) => ({ y: row.data.value })) }] }).catch((error) => chartBox.replaceChildren(element('p', { class: 'error' }, error.message)));
  }
  const exportQuery = (format) => {
    const parameters = new URLSearchParams({ analysis: chosen, format, ...filters });
    return `/export/results?${parameters}`;
  };
  return element('section', {},
    element('div', { class: 'toolbar' }, element('h2', {}, 'Analyses'),
      element('div', { class: 'actions' }, ['csv', 'jsonl'].map((format) => element('button', { type: 'button', onclick: () =>
        download(exportQuery(format), `${chosen}-results.${format}`).catch((error) => toast(error.message, true)) }, `Export ${format.toUpperCase()}`)))),
    element('div', { class: 'filters' }, field('Analysis', analysis), field('State', state), field('Engine', engine)),
    rows.length >= shownRows ? element('p', { class: 'muted' }, `The first ${shownRows} results are shown; the export has them all.`) : null,
    numeric.length >= 2 ? element('div', { class: 'card chart' }, chartBox) : null,
    table,
    element('h3', {}, 'What the clusters spent'),
    element('div', { class: 'grid' }, usageTable('Per user', usage.by_user), usageTable('Per cluster', usage.by_cluster)),
    element('h3', {}, 'The catalog'),
    element('table', {},
      element('thead', {}, element('tr', {}, ['Engine', 'Analysis', 'Requires', 'Description', 'Clusters'].map((title) => element('th', { scope: 'col' }, title)))),
      element('tbody', {}, catalog.items.map((item) => element('tr', {},
        element('td', {}, element('span', { class: 'badge' }, item.engine)), element('td', {}, element('strong', {}, item.name)),
        element('td', {}, item.requires.length ? item.requires.join(', ') : '—'), element('td', {}, item.description || ''),
        element('td', {}, item.clusters.map((cluster) => `${cluster.cluster} (${cluster.version || 'version ?'})`).join(', ')))))));
}
