import { api } from '../api.js';
import { download } from '../download.js';
import { allows, meta } from '../meta.js';
import { element, emptyState, field, formatTime, toast } from '../ui.js';

const stateClass = { succeeded: 'ok', failed: 'bad', not_converged: 'bad', cancelled: 'bad' };

export function stateBadge(state) {
  return element('span', { class: `badge ${stateClass[state] ?? ''}` }, state.replace('_', ' '));
}

const templates = {
  qe: { input: "&CONTROL\n  calculation = 'scf'\n  prefix = 'si'\n/\n&SYSTEM\n  ibrav = 2, celldm(1) = 10.2, nat = 2, ntyp = 1, ecutwfc = 18.0\n/\n&ELECTRONS\n/\nATOMIC_SPECIES\n Si 28.086 Si.pz-vbc.UPF\nATOMIC_POSITIONS alat\n Si 0.00 0.00 0.00\n Si 0.25 0.25 0.25\nK_POINTS automatic\n 4 4 4 1 1 1\n", pseudopotentials: ['Si.pz-vbc.UPF'] },
  xtb: { task: 'sp', method: 'gfn2', charge: 0, uhf: 0 },
  siesta: { fdf: 'SystemName water\nSystemLabel h2o\n', pseudopotentials: ['O.psf', 'H.psf'] },
  command: { script: '#!/bin/sh\necho hello\n', files: {} },
};

function progressText(calculation) {
  return calculation.progress ? `${calculation.progress.done} / ${calculation.progress.total}` : '—';
}

async function createForm(rules) {
  const [clusters, catalog, molecules] = await Promise.all([
    api('GET', '/clusters?limit=500'), api('GET', '/analyses'), api('GET', '/molecules?limit=500')]);
  const priorities = rules.limits.priority;
  const engines = [...new Set(catalog.items.map((item) => item.engine))];
  if (clusters.items.length === 0 || engines.length === 0) {
    return emptyState('Nothing to run on yet', 'A calculation needs a cluster whose agent has reported its engines.');
  }
  const name = element('input', { required: true, maxlength: 200 });
  const cluster = element('select', {}, clusters.items.map((item) => element('option', { value: item.id }, item.name)));
  const molecule = element('select', {}, element('option', { value: '' }, 'none'),
    molecules.items.map((item) => element('option', { value: item.id }, `${item.name} (${item.formula})`)));
  const engine = element('select', {}, engines.map((item) => element('option', { value: item }, item)));
  const analyses = element('div', { class: 'actions' });
  const configuration = element('textarea', { rows: 10, spellcheck: 'false', class: 'code' });
  const steps = element('textarea', { rows: 3, spellcheck: 'false', class: 'code', placeholder: '[{"name": "scf"}, {"name": "bands", "copy_from": "scf", "copy": ["si.save"]}]' });
  const priority = element('input', { type: 'number', min: priorities.min, max: priorities.max, value: priorities.default });
  const fillEngine = () => {
    analyses.replaceChildren(...catalog.items.filter((item) => item.engine === engine.value).map((item) =>
      element('label', { title: item.description }, element('input', { type: 'checkbox', value: item.name, checked: ['scf', 'total_energy'].includes(item.name) }),
        ` ${item.name}${item.requires.length ? ` (needs ${item.requires.join(', ')})` : ''}`)));
    configuration.value = JSON.stringify(templates[engine.value] ?? {}, null, 2);
  };
  engine.addEventListener('change', fillEngine);
  fillEngine();
  return element('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    let body;
    try {
      body = {
        name: name.value, cluster_id: Number(cluster.value), engine: engine.value, priority: Number(priority.value),
        analyses: [...analyses.querySelectorAll('input:checked')].map((input) => input.value),
        configuration: JSON.parse(configuration.value),
      };
      if (steps.value.trim()) body.steps = JSON.parse(steps.value);
    } catch (error) { toast(`The configuration or steps are not valid JSON: ${error.message}`, true); return; }
    if (molecule.value) body.molecule_id = Number(molecule.value);
    try {
      const created = await api('POST', '/calculations', body);
      // The API says why a calculation waits for approval (a command script, an approval cluster).
      toast(`Created #${created.id}: ${created.state.replace('_', ' ')}${created.reason ? `: ${created.reason}` : ''}`);
      location.hash = `#/calculations/${created.id}`;
    } catch (error) { toast(`${error.field ? `${error.field}: ` : ''}${error.message}`, true); }
  } }, element('h3', {}, 'New calculation'),
  element('div', { class: 'form-row' }, field('Name', name), field('Cluster', cluster), field('Engine', engine), field('Molecule', molecule),
    field(`Priority (${priorities.min} to ${priorities.max} for you)`, priority)),
  element('div', {}, element('strong', {}, 'Analyses'), analyses),
  field('Configuration (JSON)', configuration), field('Steps (JSON, optional: one step "main" otherwise)', steps),
  element('button', { class: 'primary', type: 'submit' }, 'Create'));
}

async function list() {
  const rules = await meta();
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const state = element('select', { 'aria-label': 'State' }, element('option', { value: '' }, 'any state'),
    rules.calculation_states.map(({ name: value }) => element('option', { value, selected: query.get('state') === value }, value.replace('_', ' '))));
  const text = element('input', { type: 'search', 'aria-label': 'Search', placeholder: 'name or description', value: query.get('q') ?? '' });
  const parameters = new URLSearchParams({ limit: '200', order: 'newest' });
  if (query.get('state')) parameters.set('state', query.get('state'));
  if (query.get('q')) parameters.set('q', query.get('q'));
  const page = await api('GET', `/calculations?${parameters}`);
  const items = page.items;
  const filters = element('form', { class: 'toolbar', onsubmit: (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (state.value) next.set('state', state.value);
    if (text.value) next.set('q', text.value);
    location.hash = `#/calculations?${next}`;
  } }, element('h2', {}, 'Calculations'), element('div', { class: 'actions' }, state, text, element('button', { type: 'submit' }, 'Filter')));
  const table = items.length
    ? element('table', {},
      element('thead', {}, element('tr', {}, ['#', 'Name', 'Engine', 'Cluster', 'State', 'Progress', 'Priority', 'Created'].map((title) => element('th', {}, title)))),
      element('tbody', {}, items.map((item) => element('tr', {},
        element('td', {}, item.id), element('td', {}, element('a', { href: `#/calculations/${item.id}` }, item.name)),
        element('td', {}, item.engine), element('td', {}, item.cluster), element('td', {}, stateBadge(item.state)),
        element('td', {}, progressText(item)), element('td', {}, item.priority), element('td', {}, formatTime(item.created_at))))))
    : emptyState('No calculations here', 'Create one below, or change the filter.');
  return element('section', {}, filters, table, allows(rules, 'create_calculation') ? await createForm(rules) : null);
}

async function act(promise, message, rerender) {
  try {
    const result = await promise;
    toast(message);
    rerender();
    return result;
  } catch (error) { toast(error.message, true); return null; }
}

// The buttons are the calculation's allowed_actions, as the API computed them for this user.
async function detail({ path, rerender }) {
  const id = path.split('/')[1];
  const [calculation, events, results] = await Promise.all([
    api('GET', `/calculations/${id}`), api('GET', `/calculations/${id}/events?limit=500`), api('GET', `/calculations/${id}/analyses`)]);
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
  return element('section', {},
    element('div', { class: 'toolbar' }, element('h2', {}, `${calculation.name} `, element('span', { class: 'muted' }, `#${calculation.id}`)), stateBadge(calculation.state)),
    calculation.reason ? element('p', { class: calculation.state === 'failed' ? 'error' : 'muted' }, calculation.reason) : null,
    calculation.cancel_requested ? element('p', { class: 'muted' }, 'Cancellation requested: the agent will stop it.') : null,
    element('div', { class: 'grid' },
      element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Engine · cluster'), element('div', { class: 'figure' }, `${calculation.engine} · ${calculation.cluster}`)),
      element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Progress'), element('div', { class: 'figure' }, progressText(calculation))),
      element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Started · finished'),
        element('div', {}, formatTime(calculation.started_at)), element('div', {}, formatTime(calculation.finished_at)))),
    element('div', { class: 'actions' }, actions),
    element('h3', {}, 'Results'),
    results.items.length
      ? element('table', {}, element('thead', {}, element('tr', {}, ['Analysis', 'Step', 'Data'].map((title) => element('th', {}, title)))),
        element('tbody', {}, results.items.map((item) => element('tr', {}, element('td', {}, item.name), element('td', {}, item.step || '—'),
          element('td', {}, element('pre', { class: 'code' }, JSON.stringify(item.data, null, 1).slice(0, 2000)))))))
      : element('p', { class: 'muted' }, `Requested: ${calculation.analyses.join(', ')}. Nothing extracted yet.`),
    element('h3', {}, 'Events'),
    events.items.length
      ? element('table', {}, element('thead', {}, element('tr', {}, ['When', 'Level', 'Step', 'State', 'Message'].map((title) => element('th', {}, title)))),
        element('tbody', {}, events.items.map((event) => element('tr', {}, element('td', {}, formatTime(event.created_at)),
          element('td', {}, event.level), element('td', {}, event.step ?? ''), element('td', {}, event.state ?? ''), element('td', {}, event.message)))))
      : element('p', { class: 'muted' }, 'No events yet.'),
    element('h3', {}, 'Input'),
    element('pre', { class: 'code' }, JSON.stringify({ configuration: calculation.configuration, steps: calculation.steps }, null, 2)));
}

export async function calculations(context) {
  return /^calculations\/\d+/.test(context.path) ? detail(context) : list(context);
}
