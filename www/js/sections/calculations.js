import { api } from '../api.js';
import { download } from '../download.js';
import { allows, meta } from '../meta.js';
import { calculationForm } from './calculation-form.js';
import { followEvents } from '../event-stream.js';
import { lineChart } from '../charts.js';
import { energyChanges, scfThreshold, stalls, sweepSeries } from '../convergence.js';
import { act, element, emptyState, field, formatTime, toast } from '../ui.js';

const stateClass = { succeeded: 'ok', failed: 'bad', not_converged: 'bad', cancelled: 'bad' };

export function stateBadge(state) {
  return element('span', { class: `badge ${stateClass[state] ?? ''}` }, state.replace('_', ' '));
}

function progressText(calculation) {
  return calculation.progress ? `${calculation.progress.done} / ${calculation.progress.total}` : '—';
}

const columns = [
  ['id', '#', (item) => item.id],
  ['name', 'Name', (item) => element('a', { href: `#/calculations/${item.id}` }, item.name)],
  ['engine', 'Engine', (item) => item.engine],
  ['cluster', 'Cluster', (item) => item.cluster],
  ['state', 'State', (item) => [stateBadge(item.state), item.reason && item.state !== 'succeeded' ? element('div', { class: 'muted small' }, item.reason) : null]],
  ['progress', 'Progress', progressText],
  ['priority', 'Priority', (item) => item.priority],
  ['created', 'Created', (item) => formatTime(item.created_at)],
  ['finished', 'Finished', (item) => formatTime(item.finished_at)],
];
// The columns the API sorts by (?sort=), and the key it knows each by.
const sortable = { id: 'id', name: 'name', priority: 'priority' };
const columnsKey = 'calcflow.calculation-columns';
const shownColumns = () => {
  const saved = localStorage.getItem(columnsKey);
  return saved ? saved.split(',') : ['id', 'name', 'engine', 'cluster', 'state', 'progress', 'created'];
};

// Every filter lives in the URL (#/calculations?state=…&creator=all&cursor=…), so a view can be
// shared and reloaded. Mine by default; "all" is one click away.
async function list({ user, rerender }) {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [rules, clusters, molecules] = await Promise.all([meta(), api('GET', '/clusters?limit=500'), api('GET', '/molecules?limit=500')]);
  const creator = query.get('creator') === 'all' ? 'all' : 'mine';
  // Newest first unless the URL says otherwise; `#/calculations?order=oldest` links of before still work.
  const sort = query.get('sort') || (query.get('order') === 'oldest' ? 'id' : '-id');
  const parameters = new URLSearchParams({ limit: '50', sort });
  for (const key of ['state', 'cluster_id', 'engine', 'molecule_id', 'q', 'cursor']) if (query.get(key)) parameters.set(key, query.get(key));
  if (creator === 'mine') parameters.set('created_by', user.id);
  const page = await api('GET', `/calculations?${parameters}`);
  const go = (changes) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(changes)) { if (value) next.set(key, value); else next.delete(key); }
    if (!('cursor' in changes)) next.delete('cursor');
    location.hash = `#/calculations?${next}`;
  };
  const select = (key, label, options) => element('select', { 'aria-label': label, onchange: (event) => go({ [key]: event.target.value }) },
    element('option', { value: '' }, label), options.map(([value, text]) => element('option', { value, selected: query.get(key) === String(value) }, text)));
  const text = element('input', { type: 'search', 'aria-label': 'Search names and descriptions', placeholder: 'search name or description', value: query.get('q') ?? '' });
  const filters = element('form', { class: 'filters', role: 'search', onsubmit: (event) => { event.preventDefault(); go({ q: text.value }); } },
    element('div', { class: 'segmented', role: 'group', 'aria-label': 'Whose calculations' },
      ...[['mine', 'Mine'], ['all', 'Everyone\'s']].map(([value, label]) => element('button', { type: 'button', 'aria-pressed': String(creator === value),
        class: creator === value ? 'selected' : '', onclick: () => go({ creator: value === 'all' ? 'all' : '' }) }, label))),
    select('state', 'Any state', rules.calculation_states.map(({ name }) => [name, name.replace('_', ' ')])),
    select('cluster_id', 'Any cluster', clusters.items.map((item) => [item.id, item.name])),
    select('engine', 'Any engine', rules.engines.map((item) => [item.name, item.name])),
    select('molecule_id', 'Any molecule', molecules.items.map((item) => [item.id, `${item.name} (${item.formula})`])),
    text, element('button', { type: 'submit' }, 'Search'));

  const visible = shownColumns();
  const picker = element('details', { class: 'column-picker' }, element('summary', {}, 'Columns'),
    columns.map(([key, title]) => element('label', {}, element('input', { type: 'checkbox', checked: visible.includes(key), onchange: (event) => {
      const next = columns.map(([name]) => name).filter((name) => (name === key ? event.target.checked : visible.includes(name)));
      localStorage.setItem(columnsKey, next.join(','));
      rerender();
    } }), ` ${title}`)));
  const chosen = columns.filter(([key]) => visible.includes(key));
  const filtered = ['state', 'cluster_id', 'engine', 'molecule_id', 'q', 'cursor'].some((key) => query.get(key));
  const table = page.items.length
    ? element('table', {},
      element('thead', {}, element('tr', {}, chosen.map(([key, title]) => {
        if (!sortable[key]) return element('th', { scope: 'col' }, title);
        const current = sort.replace(/^-/, '') === sortable[key];
        const descending = sort.startsWith('-');
        // A click on the sorted column turns it round; on another, sorts by it (names A to Z, the rest highest first).
        const next = current ? (descending ? sortable[key] : `-${sortable[key]}`) : (key === 'name' ? 'name' : `-${sortable[key]}`);
        return element('th', { scope: 'col', ...(current ? { 'aria-sort': descending ? 'descending' : 'ascending' } : {}) },
          element('button', { type: 'button', class: 'link', onclick: () => go({ sort: next === '-id' ? '' : next, order: '' }),
            'aria-label': `Sort by ${title === '#' ? 'id' : title.toLowerCase()}` }, `${title}${current ? (descending ? ' ↓' : ' ↑') : ''}`));
      }))),
      element('tbody', {}, page.items.map((item) => element('tr', {}, chosen.map(([, , cell]) => element('td', {}, cell(item)))))))
    : filtered
      ? emptyState('No match', 'No calculation matches these filters. Clear them or widen the search.')
      : emptyState('Nothing yet', creator === 'mine' ? 'You have no calculations yet: create your first one.' : 'No calculations yet.');
  const pager = element('nav', { class: 'actions pager', 'aria-label': 'Pages' },
    query.get('cursor') ? element('button', { type: 'button', onclick: () => go({ cursor: '' }) }, 'First page') : null,
    page.next_cursor ? element('button', { type: 'button', onclick: () => go({ cursor: page.next_cursor }) }, 'Next page') : null);
  return element('section', {},
    element('div', { class: 'toolbar' }, element('h2', {}, 'Calculations'),
      element('div', { class: 'actions' }, picker,
        allows(rules, 'create_calculation') ? element('a', { class: 'button primary', href: '#/calculations/new' }, 'New calculation') : null)),
    filters, table, pager);
}

async function creation() {
  const rules = await meta();
  return element('section', {}, element('p', {}, element('a', { href: '#/calculations' }, '← Calculations')), await calculationForm(rules));
}

/**
 * The engine's texts (the pw.x input, the fdf, the script and its files, the structure) as they read,
 * the remaining settings and the steps as a table: what a scientist checks, not escaped JSON.
 */
function configurationView(calculation) {
  const configuration = { ...calculation.configuration };
  const texts = [];
  for (const key of ['input', 'fdf', 'script']) {
    if (typeof configuration[key] === 'string') { texts.push([key === 'input' ? 'pw.x input' : key, configuration[key]]); delete configuration[key]; }
  }
  if (typeof configuration.structure?.text === 'string') { texts.push(['structure (xyz)', configuration.structure.text]); delete configuration.structure; }
  if (configuration.files && typeof configuration.files === 'object') {
    for (const [name, content] of Object.entries(configuration.files)) texts.push([`file ${name}`, String(content)]);
    delete configuration.files;
  }
  const steps = Array.isArray(calculation.steps) ? calculation.steps : [];
  return element('div', {},
    Object.keys(configuration).length ? dataSummary(configuration) : null,
    texts.map(([title, text]) => element('details', { open: texts.length === 1 }, element('summary', {}, title), element('pre', { class: 'code' }, text))),
    steps.length > 1 || Object.keys(steps[0]?.parameters ?? {}).length
      ? element('table', {}, element('thead', {}, element('tr', {}, ['Step', 'Parameters', 'Copies from'].map((title) => element('th', { scope: 'col' }, title)))),
        element('tbody', {}, steps.map((step) => element('tr', {}, element('td', {}, step.name),
          element('td', {}, Object.entries(step.parameters ?? {}).map(([name, value]) => `${name} = ${typeof value === 'string' ? value.split('\n')[0] : value}`).join('; ') || '—'),
          element('td', {}, step.copy_from ? `${step.copy_from}${step.copy?.length ? ` (${step.copy.join(', ')})` : ''}` : '—')))))
      : null);
}

/** The states it went through, when: created, claimed, each state an agent reported, finished. */
function timeline(calculation, events) {
  const steps = [['created', calculation.created_at], ['started', calculation.started_at],
    ...events.filter((event) => event.state).map((event) => [event.state.replace('_', ' '), event.created_at])];
  if (calculation.finished_at && !events.some((event) => event.state && event.created_at === calculation.finished_at)) steps.push([`${calculation.state.replace('_', ' ')}`, calculation.finished_at]);
  return element('ol', { class: 'timeline', 'aria-label': 'State timeline' }, steps.filter(([, at]) => at).map(([label, at]) =>
    element('li', {}, element('strong', {}, label), ' ', element('span', { class: 'muted' }, formatTime(at)))));
}

/** A result's data as a short table: numbers and words as they are, lists by their length. */
function dataSummary(data) {
  if (data === null || typeof data !== 'object') return String(data);
  const rows = Object.entries(data).map(([key, value]) => {
    let shown;
    if (Array.isArray(value) && value.length <= 20 && value.every((item) => typeof item === 'string')) shown = value.join(', ') || '—';
    else if (Array.isArray(value)) shown = `${value.length} values${value.length && typeof value[0] === 'number' ? `, last ${value[value.length - 1]}` : ''}`;
    else if (value && typeof value === 'object') shown = Object.entries(value).slice(0, 6).map(([name, item]) => `${name}: ${typeof item === 'object' ? '…' : item}`).join(', ');
    else shown = String(value);
    return element('tr', {}, element('th', { scope: 'row' }, key), element('td', {}, shown));
  });
  return element('table', { class: 'data' }, element('tbody', {}, rows));
}

/** Each model that predicts one of the calculation's analyses: its prediction beside the computed value. */
function predictionSection(calculation, items, rerender) {
  if (!items.length) return null;
  const number = (value, unit) => (typeof value === 'number' ? `${value.toFixed(4)}${unit ? ` ${unit}` : ''}` : '—');
  return element('section', { 'aria-labelledby': 'predictions-title' }, element('h3', { id: 'predictions-title' }, 'Predictions beside the computed values'),
    element('table', {}, element('thead', {}, element('tr', {}, ['Model', 'Analysis', 'Predicted', 'Computed', 'Residual', ''].map((title) => element('th', { scope: 'col' }, title)))),
      element('tbody', {}, items.map((item) => element('tr', {},
        element('td', {}, element('a', { href: `#/models/${item.model_id}` }, item.model)), element('td', {}, item.analysis),
        element('td', {}, item.error ? element('span', { class: 'error' }, item.error) : number(item.prediction, item.unit)),
        element('td', {}, number(item.computed, item.unit)), element('td', {}, number(item.residual, item.unit)),
        element('td', {}, element('button', { type: 'button', onclick: () => act(
          api('POST', `/calculations/${calculation.id}/predictions`, { model_id: item.model_id }), `Asked ${item.model}`, rerender) },
        item.prediction === null || item.prediction === undefined ? 'Predict' : 'Predict again')))))));
}

/** log10 |ΔE| per SCF iteration, one chart per step that has energies, with the threshold dashed. */
function scfSection(calculation, results) {
  const scf = results.filter((item) => item.name === 'scf' && Array.isArray(item.data?.energies) && item.data.energies.length > 1);
  if (!scf.length) return null;
  const threshold = scfThreshold(calculation);
  const container = element('div', { class: 'grid charts' });
  const section = element('section', { 'aria-labelledby': 'scf-title' }, element('h3', { id: 'scf-title' }, 'SCF convergence'), container);
  for (const item of scf.slice(-6)) {
    const changes = energyChanges(item.data.energies);
    const stalled = stalls(changes, threshold?.electronvolts);
    const canvas = element('canvas', { role: 'img', 'aria-label': `log10 of the energy change per SCF iteration${item.step ? ` of step ${item.step}` : ''}: `
      + `from ${changes[0].log10.toFixed(1)} to ${changes[changes.length - 1].log10.toFixed(1)} over ${changes.length + 1} iterations` });
    const series = [{ label: 'log10 |ΔE| (eV)', points: changes.map((change) => ({ x: change.iteration, y: change.log10 })) }];
    if (threshold) {
      const y = Math.log10(threshold.electronvolts);
      series.push({ label: `threshold (${threshold.source})`, dashed: true, points: [{ x: changes[0].iteration, y }, { x: changes[changes.length - 1].iteration, y }] });
    }
    container.append(element('div', { class: 'card chart' },
      element('div', { class: 'chart-box' }, canvas),
      item.data.converged === false ? element('p', { class: 'error' }, 'Not converged.') : null,
      stalled ? element('p', { class: 'warning', role: 'status' }, 'The SCF stalls: its last five iterations got no closer to the threshold.') : null));
    lineChart(canvas, { title: item.step ? `Step ${item.step}` : 'SCF', xLabel: 'iteration', yLabel: 'log10 |ΔE| (eV)', series })
      .catch((error) => canvas.replaceWith(element('p', { class: 'error' }, error.message)));
  }
  return section;
}

/** Band energies along the k-path (relative to the Fermi energy when known), one line per band. */
function bandsSection(calculation, results) {
  const candidates = results.filter((item) => item.name === 'bands' && Array.isArray(item.data?.bands) && Array.isArray(item.data.bands[0]));
  // The step that computed bands along a path (pw.x's calculation = 'bands'), else the last one with bands.
  const pathSteps = new Set((Array.isArray(calculation.steps) ? calculation.steps : []).filter((step) => step.parameters?.calculation === 'bands').map((step) => step.name));
  const found = candidates.find((item) => pathSteps.has(item.step)) ?? candidates[candidates.length - 1];
  if (!found) return null;
  const { bands, kpoints, fermi_energy: fermi } = found.data;
  // Distance along the path, from the k-points when given, else their index.
  const path = [0];
  for (let index = 1; index < bands[0].length; index += 1) {
    const [a, b] = [kpoints?.[index - 1], kpoints?.[index]];
    path.push(path[index - 1] + (a && b ? Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) : 1));
  }
  const shift = typeof fermi === 'number' ? fermi : 0;
  const canvas = element('canvas', { role: 'img', 'aria-label': `${bands.length} bands over ${bands[0].length} k-points${typeof fermi === 'number' ? ', relative to the Fermi energy' : ''}` });
  lineChart(canvas, { title: `Bands${found.step ? ` (step ${found.step})` : ''}`, xLabel: 'k-path', yLabel: typeof fermi === 'number' ? 'E − E_F (eV)' : 'E (eV)',
    legend: false, colour: '#1f5fa8',
    series: bands.map((band, index) => ({ label: `band ${index + 1}`, points: band.map((energy, k) => ({ x: path[k], y: energy - shift })) })) })
    .catch((error) => canvas.replaceWith(element('p', { class: 'error' }, error.message)));
  return element('section', { 'aria-labelledby': 'bands-title' }, element('h3', { id: 'bands-title' }, 'Bands'),
    element('div', { class: 'card chart' }, element('div', { class: 'chart-box tall' }, canvas)));
}

/** For a sweep: the chosen numeric result against the swept parameter, one point per step. */
function sweepSection(calculation, results) {
  const all = sweepSeries(calculation, results);
  if (!all.length) return null;
  const box = element('div', { class: 'chart-box' });
  const table = element('div', {});
  const pick = element('select', { 'aria-label': 'Result to chart' }, all.map((series, index) => element('option', { value: index }, series.analysis)));
  const draw = () => {
    const series = all[Number(pick.value)];
    const canvas = element('canvas', { role: 'img', 'aria-label': `${series.analysis} against ${series.parameter}, ${series.points.length} steps` });
    box.replaceChildren(canvas);
    table.replaceChildren(element('table', {}, element('thead', {}, element('tr', {}, element('th', { scope: 'col' }, series.parameter),
      element('th', { scope: 'col' }, `${series.analysis}${series.unit ? ` (${series.unit})` : ''}`))),
    element('tbody', {}, series.points.map((point) => element('tr', {}, element('td', {}, point.x), element('td', {}, point.y))))));
    lineChart(canvas, { title: `${series.analysis} against ${series.parameter}`, xLabel: series.parameter,
      yLabel: `${series.analysis}${series.unit ? ` (${series.unit})` : ''}`, series: [{ label: series.analysis, points: series.points }] })
      .catch((error) => box.replaceChildren(element('p', { class: 'error' }, error.message)));
  };
  pick.addEventListener('change', draw);
  draw();
  return element('section', { 'aria-labelledby': 'sweep-title' }, element('div', { class: 'toolbar' },
    element('h3', { id: 'sweep-title' }, 'Sweep summary'), field('Result', pick)), element('div', { class: 'card chart' }, box), table);
}


// The buttons are the calculation's allowed_actions, as the API computed them for this user.
async function detail({ path, rerender }) {
  const id = path.split('/')[1];
  const [calculation, events, results, predictions, rules] = await Promise.all([
    api('GET', `/calculations/${id}`), api('GET', `/calculations/${id}/events?limit=500`), api('GET', `/calculations/${id}/analyses`),
    api('GET', `/calculations/${id}/predictions`), meta()]);
  const actions = [];
  if (allows(calculation, 'approve')) {
    actions.push(element('button', { type: 'button', class: 'primary', onclick: () => act(api('POST', `/calculations/${id}/approve`), 'Approved', rerender) }, 'Approve'));
  }
  if (allows(calculation, 'cancel')) {
    actions.push(element('button', { type: 'button', class: 'danger', onclick: () => act(api('POST', `/calculations/${id}/cancel`), 'Cancel requested', rerender) }, 'Cancel'));
  }
  if (allows(calculation, 'rerun')) actions.push(element('button', { type: 'button', onclick: async () => {
    const rerun = await act(api('POST', `/calculations/${id}/rerun`), 'A new calculation with the same input', () => {});
    if (rerun) location.hash = `#/calculations/${rerun.id}`;
  } }, 'Rerun'));
  for (const format of ['html', 'csv', 'json']) {
    actions.push(element('button', { type: 'button', onclick: () => download(`/calculations/${id}/report?format=${format}`, `calculation-${id}.${format}`)
      .catch((error) => toast(error.message, true)) }, `Report (${format})`));
  }
  if (allows(calculation, 'delete')) {
    actions.push(element('button', { type: 'button', class: 'danger', onclick: () => {
      if (window.confirm(`Delete calculation #${id} and its results?`)) {
        act(api('DELETE', `/calculations/${id}`), 'Deleted', () => { location.hash = '#/calculations'; });
      }
    } }, 'Delete'));
  }
  const eventRow = (event) => element('tr', {}, element('td', {}, formatTime(event.created_at)),
    element('td', {}, event.level), element('td', {}, event.step ?? ''), element('td', {}, event.state ?? ''), element('td', {}, event.message));
  const eventRows = element('tbody', {}, events.items.map(eventRow));
  const progress = element('div', { class: 'figure', 'aria-live': 'polite' }, progressText(calculation));
  const live = element('span', { class: 'badge live', role: 'status', hidden: true });
  const section = element('section', {},
    element('div', { class: 'toolbar' }, element('h2', {}, `${calculation.name} `, element('span', { class: 'muted' }, `#${calculation.id}`)),
      element('span', { class: 'actions' }, stateBadge(calculation.state), live)),
    calculation.reason ? element('p', { class: calculation.state === 'failed' ? 'error' : 'muted' }, calculation.reason) : null,
    calculation.cancel_requested ? element('p', { class: 'muted' }, 'Cancellation requested: the agent will stop it.') : null,
    element('div', { class: 'grid' },
      element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Engine · cluster'), element('div', { class: 'figure' }, `${calculation.engine} · ${calculation.cluster}`)),
      element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Progress'), progress),
      element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Started · finished'),
        element('div', {}, formatTime(calculation.started_at)), element('div', {}, formatTime(calculation.finished_at)))),
    element('div', { class: 'actions' }, actions),
    timeline(calculation, events.items),
    element('h3', {}, 'Results'),
    results.items.length
      ? element('table', {}, element('thead', {}, element('tr', {}, ['Analysis', 'Step', 'Values'].map((title) => element('th', { scope: 'col' }, title)))),
        element('tbody', {}, results.items.map((item) => element('tr', {}, element('td', {}, item.name), element('td', {}, item.step || '—'),
          element('td', {}, dataSummary(item.data))))))
      : element('p', { class: 'muted' }, `Requested: ${calculation.analyses.join(', ') || 'no analysis'}. Nothing extracted yet.`),
    predictionSection(calculation, predictions.items, rerender),
    scfSection(calculation, results.items),
    sweepSection(calculation, results.items),
    bandsSection(calculation, results.items),
    element('h3', {}, 'Events'),
    element('table', {}, element('thead', {}, element('tr', {}, ['When', 'Level', 'Step', 'State', 'Message'].map((title) => element('th', { scope: 'col' }, title)))),
      eventRows),
    element('h3', {}, 'The configuration as it ran'),
    configurationView(calculation));
  // Until it finishes, the page follows it over SSE: events as they come, progress, and the whole
  // page again when its state changes (results and charts arrive with the new state).
  const finished = rules.calculation_states.find((state) => state.name === calculation.state)?.finished ?? true;
  if (!finished) {
    const lastEvent = events.items.length ? events.items[events.items.length - 1].id : 0;
    followEvents(`/calculations/${id}/stream${lastEvent ? `?after_event=${lastEvent}` : ''}`, {
      alive: () => document.body.contains(section),
      onStatus: (text) => { live.hidden = false; live.textContent = text; },
      onMessage: (type, data) => {
        if (type === 'event') eventRows.append(eventRow(data));
        else if (type === 'calculation') {
          if (data.state !== calculation.state || data.cancel_requested !== calculation.cancel_requested) rerender();
          else progress.textContent = progressText(data);
        }
      },
    }).catch((error) => { if (error.name !== 'AbortError') live.textContent = error.message; });
  }
  return section;
}


export async function calculations(context) {
  if (context.path === 'calculations/new') return creation();
  return /^calculations\/\d+/.test(context.path) ? detail(context) : list(context);
}
