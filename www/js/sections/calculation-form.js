// The form that creates a calculation without JSON: cluster, then the engines it offers; a molecule
// or pasted xyz; a form per engine; analyses that tick what they require; priority within the role's
// range; a sweep builder. A raw JSON view stays for experts. Errors point at the field that caused them.
import { api } from '../api.js';
import { element, field, toast } from '../ui.js';

const qeTemplate = "&CONTROL\n  calculation = 'scf'\n  prefix = 'si'\n/\n&SYSTEM\n  ibrav = 2, celldm(1) = 10.2, nat = 2, ntyp = 1, ecutwfc = 18.0\n/\n"
  + "&ELECTRONS\n  conv_thr = 1.0d-8\n/\nATOMIC_SPECIES\n Si 28.086 Si.pz-vbc.UPF\nATOMIC_POSITIONS alat\n Si 0.00 0.00 0.00\n Si 0.25 0.25 0.25\n"
  + 'K_POINTS automatic\n 4 4 4 1 1 1\n';
const siestaTemplate = 'SystemName water\nSystemLabel h2o\nNumberOfAtoms 3\nNumberOfSpecies 2\n%block ChemicalSpeciesLabel\n 1 8 O\n 2 1 H\n%endblock ChemicalSpeciesLabel\n'
  + 'AtomicCoordinatesFormat Ang\n%block AtomicCoordinatesAndAtomicSpecies\n 0.000 0.000 0.117 1\n 0.000 0.757 -0.467 2\n 0.000 -0.757 -0.467 2\n'
  + '%endblock AtomicCoordinatesAndAtomicSpecies\n';

/** The pseudopotential files a pw.x input names in ATOMIC_SPECIES. */
function speciesFiles(input) {
  const block = input.split(/ATOMIC_SPECIES/i)[1] ?? '';
  const files = [];
  for (const line of block.split('\n').slice(1)) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3 || /^[A-Z_]+$/.test(parts[0]) && parts[0].length > 3) break;
    files.push(parts[2]);
  }
  return files;
}

/** A step's name from its parameter and value: a folder name, so letters, digits, '-', '_' and '.' only. */
export function stepName(parameter, value) {
  return `${parameter}_${value}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** `0, 0.1, 0.2` or `0:0.5:0.1` (start:stop:step, stop included) → numbers, or an error message. */
export function sweepValues(text) {
  const trimmed = text.trim();
  if (!trimmed) return [];
  const range = trimmed.match(/^(-?[\d.eE+-]+)\s*:\s*(-?[\d.eE+-]+)\s*:\s*(-?[\d.eE+-]+)$/);
  if (range) {
    const [start, stop, step] = range.slice(1).map(Number);
    if (![start, stop, step].every(Number.isFinite) || step === 0 || (stop - start) / step < 0) return 'a range is start:stop:step with a step towards stop';
    const count = Math.floor((stop - start) / step + 1e-9) + 1;
    if (count > 100) return 'at most 100 steps';
    // Rounded to the step's decimals, so that 0.1 * 3 reads 0.3.
    const decimals = Math.max(0, ...[start, step].map((value) => (String(value).split('.')[1] ?? '').length));
    return Array.from({ length: count }, (_, index) => Number((start + index * step).toFixed(decimals)));
  }
  const values = trimmed.split(/[\s,;]+/).map((value) => (Number.isFinite(Number(value)) ? Number(value) : value));
  return values.length > 100 ? 'at most 100 steps' : values;
}

function checkboxes(container, analyses) {
  container.replaceChildren(...analyses.map((analysis) => element('label', { title: analysis.description || analysis.name },
    element('input', { type: 'checkbox', value: analysis.name, 'data-requires': analysis.requires.join(' '),
      checked: ['scf', 'total_energy'].includes(analysis.name) }),
    ` ${analysis.name}`, analysis.requires.length ? element('span', { class: 'muted' }, ` (needs ${analysis.requires.join(', ')})`) : null)));
  lockRequired(container);
}

/** What a ticked analysis requires is ticked and locked, so the set is always closed under requires. */
function lockRequired(container) {
  const boxes = [...container.querySelectorAll('input[type=checkbox]')];
  const byName = new Map(boxes.map((box) => [box.value, box]));
  for (const box of boxes) { box.disabled = false; box.title = ''; }
  let changed = true;
  while (changed) {
    changed = false;
    for (const box of boxes.filter((item) => item.checked)) {
      for (const name of (box.dataset.requires || '').split(' ').filter(Boolean)) {
        const required = byName.get(name);
        if (required && !required.disabled) {
          required.checked = true;
          required.disabled = true;
          required.title = `${box.value} needs it`;
          changed = true;
        }
      }
    }
  }
}

export async function calculationForm(rules) {
  const [clusters, molecules] = await Promise.all([api('GET', '/clusters?limit=500'), api('GET', '/molecules?limit=500')]);
  const offered = (clusterName) => rules.engines.filter((engine) => engine.clusters.some((entry) => entry.cluster === clusterName));
  if (clusters.items.length === 0 || !clusters.items.some((cluster) => offered(cluster.name).length)) {
    return element('div', { class: 'card' }, element('h3', {}, 'New calculation'),
      element('p', { class: 'muted' }, 'Nothing to run on yet: a calculation needs a cluster whose agent has reported its engines.'));
  }
  const inputs = {};
  const control = (key, node) => { inputs[key] = node; node.dataset.field = key; return node; };
  const priorities = rules.limits.priority;

  const name = control('name', element('input', { required: true, maxlength: rules.limits.name_length }));
  const cluster = control('cluster_id', element('select', {}, clusters.items.filter((item) => offered(item.name).length)
    .map((item) => element('option', { value: item.id, 'data-name': item.name }, `${item.name}${item.online ? '' : ' (offline)'}`))));
  const engine = control('engine', element('select', {}));
  const molecule = control('molecule_id', element('select', {}, element('option', { value: '' }, 'none: paste a structure'),
    molecules.items.map((item) => element('option', { value: item.id }, `${item.name} (${item.formula})`))));
  const priority = control('priority', element('input', { type: 'number', min: priorities.min, max: priorities.max, value: priorities.default }));
  const analyses = element('div', { class: 'actions', role: 'group', 'aria-label': 'Analyses', 'data-field': 'analyses' });
  analyses.addEventListener('change', () => lockRequired(analyses));

  // Engine forms: each returns its configuration, and names its inputs after the JSON path they fill.
  const xyz = control('configuration.structure.text', element('textarea', { rows: 5, class: 'code', spellcheck: 'false',
    placeholder: '3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467' }));
  const task = control('configuration.task', element('select', {}, rules.xtb.tasks.map((value) =>
    element('option', { value }, value === 'sp' ? 'single point (sp)' : value === 'opt' ? 'geometry optimisation (opt)' : value))));
  const method = control('configuration.method', element('select', {}, rules.xtb.methods.map((value) => element('option', { value, selected: value === 'gfn2' }, value))));
  const charge = control('configuration.charge', element('input', { type: 'number', value: 0, min: -100, max: 100 }));
  const multiplicity = control('configuration.uhf', element('input', { type: 'number', value: 1, min: 1, max: 101 }));
  const pwInput = control('configuration.input', element('textarea', { rows: 14, class: 'code', spellcheck: 'false' }, qeTemplate));
  const qePseudos = control('configuration.pseudopotentials', element('input', { value: speciesFiles(qeTemplate).join(', ') }));
  pwInput.addEventListener('change', () => { qePseudos.value = speciesFiles(pwInput.value).join(', '); });
  const fdf = control('configuration.fdf', element('textarea', { rows: 12, class: 'code', spellcheck: 'false' }, siestaTemplate));
  const psf = element('input', { value: 'O.psf, H.psf' });
  const script = control('configuration.script', element('textarea', { rows: 8, class: 'code', spellcheck: 'false' }, '#!/bin/sh\necho "hello from $(hostname)"\n'));
  const files = element('div', {});
  const addFile = (fileName = '', content = '') => {
    const row = element('div', { class: 'form-row file-row' },
      field('File name', element('input', { value: fileName })), field('Content', element('textarea', { rows: 3, class: 'code' }, content)),
      element('button', { type: 'button', onclick: () => row.remove() }, 'Remove'));
    files.append(row);
  };
  const upload = element('input', { type: 'file', multiple: true, 'aria-label': 'Upload files', onchange: async (event) => {
    for (const file of event.target.files) addFile(file.name, await file.text());
  } });
  const list = (text) => text.split(/[\s,]+/).filter(Boolean);
  const forms = {
    xtb: { node: element('div', {}, element('div', { class: 'form-row' }, field('Task', task), field('Method', method),
      field('Charge', charge), field('Multiplicity (2S+1)', multiplicity)), field('Structure (xyz), when no molecule is chosen', xyz)),
    configuration: () => ({ task: task.value, method: method.value, charge: Number(charge.value), uhf: Number(multiplicity.value) - 1,
      ...(molecule.value || !xyz.value.trim() ? {} : { structure: { format: 'xyz', text: xyz.value } }) }) },
    qe: { node: element('div', {}, field('pw.x input (outdir and pseudo_dir are set by the agent)', pwInput),
      field('Pseudopotentials (from ATOMIC_SPECIES; the agent finds them in its pseudo folder)', qePseudos)),
    configuration: () => ({ input: pwInput.value, pseudopotentials: list(qePseudos.value) }) },
    siesta: { node: element('div', {}, field('fdf', fdf), field('Pseudopotentials (.psf)', control('configuration.pseudopotentials', psf))),
      configuration: () => ({ fdf: fdf.value, pseudopotentials: list(psf.value) }) },
    command: { node: element('div', {}, field('Script (a user\'s script waits for a moderator\'s approval)', script),
      element('div', { class: 'actions' }, element('button', { type: 'button', onclick: () => addFile() }, 'Add a file'), upload), files),
    configuration: () => ({ script: script.value, files: Object.fromEntries([...files.querySelectorAll('.file-row')].map((row) =>
      [row.querySelector('input').value, row.querySelector('textarea').value]).filter(([fileName]) => fileName)) }) },
  };
  const engineForm = element('div', {});

  // The sweep: one step per value of a parameter, named after it, each optionally copying from the one before.
  const sweepOn = element('input', { type: 'checkbox' });
  const parameter = control('steps.parameter', element('input', { placeholder: 'voltage', pattern: '[A-Za-z_][A-Za-z0-9_]*' }));
  const values = control('steps', element('input', { placeholder: '0.0, 0.1, 0.2  or  0:0.5:0.1' }));
  const copyFrom = element('input', { type: 'checkbox' });
  const copyGlobs = element('input', { placeholder: 'e.g. *.save  (files the next step starts from)' });
  const preview = element('p', { class: 'muted', 'aria-live': 'polite' });
  const sweep = element('fieldset', { class: 'sweep', hidden: true }, element('legend', {}, 'Sweep'),
    element('div', { class: 'form-row' }, field('Parameter ({{name}} in the input)', parameter), field('Values (a list, or start:stop:step)', values)),
    element('label', {}, copyFrom, ' Each step copies from the previous one'), field('Files to copy', copyGlobs), preview);
  sweepOn.addEventListener('change', () => { sweep.hidden = !sweepOn.checked; });

  const steps = () => {
    if (!sweepOn.checked) return undefined;
    const parsed = sweepValues(values.value);
    if (typeof parsed === 'string') throw Object.assign(new Error(parsed), { field: 'steps' });
    if (!parameter.value || parsed.length === 0) throw Object.assign(new Error('name the parameter and give its values'), { field: 'steps.parameter' });
    return parsed.map((value, index) => ({
      name: stepName(parameter.value, value), parameters: { [parameter.value]: value },
      ...(copyFrom.checked && index > 0 ? { copy_from: stepName(parameter.value, parsed[index - 1]), copy: list(copyGlobs.value) } : {}),
    }));
  };
  const body = () => {
    const result = {
      name: name.value, cluster_id: Number(cluster.value), engine: engine.value, priority: Number(priority.value),
      analyses: [...analyses.querySelectorAll('input:checked')].map((input) => input.value),
      configuration: forms[engine.value]?.configuration() ?? JSON.parse(raw.value || '{}').configuration ?? {},
    };
    if (molecule.value) result.molecule_id = Number(molecule.value);
    const planned = steps();
    if (planned) result.steps = planned;
    return result;
  };

  const raw = control('raw', element('textarea', { rows: 16, class: 'code', spellcheck: 'false', 'aria-label': 'The request as JSON' }));
  const rawOn = element('input', { type: 'checkbox' });
  const rawView = element('div', { hidden: true }, raw);
  rawOn.addEventListener('change', () => {
    rawView.hidden = !rawOn.checked;
    if (rawOn.checked) { try { raw.value = JSON.stringify(body(), null, 2); } catch (error) { raw.value = `// ${error.message}`; } }
  });

  const fillEngines = () => {
    const choices = offered(cluster.selectedOptions[0]?.dataset.name);
    // The engine kept across a cluster change, else the first with a form, xtb before qe before the rest.
    const preference = ['xtb', 'qe', 'siesta', 'command'];
    const rank = (item) => (preference.includes(item.name) ? preference.indexOf(item.name) : preference.length);
    choices.sort((left, right) => rank(left) - rank(right));
    const kept = choices.some((item) => item.name === engine.value) ? engine.value : choices[0]?.name;
    engine.replaceChildren(...choices.map((item) => element('option', { value: item.name, selected: item.name === kept }, item.name)));
    fillEngine();
  };
  const fillEngine = () => {
    const chosen = rules.engines.find((item) => item.name === engine.value);
    checkboxes(analyses, chosen?.analyses ?? []);
    engineForm.replaceChildren(forms[engine.value]?.node
      ?? element('p', { class: 'muted' }, `${engine.value} has no form here: use the JSON view below for its configuration.`));
  };
  cluster.addEventListener('change', fillEngines);
  engine.addEventListener('change', fillEngine);
  fillEngines();

  // "The same input was already computed": asked of the API, which computes the input's hash.
  const sameInput = element('div', { class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  let asked = 0;
  const checkSameInput = async () => {
    const ticket = ++asked;
    let request;
    try { request = rawOn.checked ? JSON.parse(raw.value) : body(); } catch { return; }
    try {
      const answer = await api('POST', '/calculations/input-matches', { ...request, name: request.name || 'check' });
      if (ticket !== asked) return;
      sameInput.hidden = answer.items.length === 0;
      sameInput.replaceChildren(element('strong', {}, 'This input was already computed: '),
        ...answer.items.slice(0, 5).flatMap((item, index) => [index ? ', ' : '',
          element('a', { href: `#/calculations/${item.id}` }, `#${item.id} ${item.name}`), ` (${item.state.replace('_', ' ')})`]));
    } catch { if (ticket === asked) sameInput.hidden = true; }
  };
  let timer;
  const form = element('form', { class: 'card', novalidate: true, 'aria-label': 'New calculation' });
  form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(checkSameInput, 600); });
  form.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(checkSameInput, 300); });
  values.addEventListener('input', () => {
    const parsed = sweepValues(values.value);
    preview.textContent = typeof parsed === 'string' ? parsed : parsed.length ? `${parsed.length} steps: ${parsed.map((value) => stepName(parameter.value || 'parameter', value)).join(', ')}` : '';
  });

  const clearErrors = () => {
    for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
    for (const node of form.querySelectorAll('.field-error')) node.remove();
  };
  /** Marks the input the API's `field` names (or its nearest parent path) and puts the message beside it. */
  const showError = (error) => {
    let key = error.field ?? '';
    while (key && !form.querySelector(`[data-field="${CSS.escape(key)}"]`)) key = key.replace(/(\[\d+\]|\.[^.[]+)$/, '');
    const target = key ? form.querySelector(`[data-field="${CSS.escape(key)}"]`) : null;
    const message = element('p', { class: 'error field-error', role: 'alert' }, `${error.field ? `${error.field}: ` : ''}${error.message}`);
    if (target) {
      target.setAttribute('aria-invalid', 'true');
      target.after(message);
      target.focus();
    } else form.prepend(message);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    let request;
    try {
      request = rawOn.checked ? JSON.parse(raw.value) : body();
    } catch (error) { showError({ field: error.field ?? (rawOn.checked ? 'raw' : undefined), message: error.message }); return; }
    try {
      const created = await api('POST', '/calculations', request);
      // The API says why a calculation waits for approval (a command script, an approval cluster).
      toast(`Created #${created.id}: ${created.state.replace('_', ' ')}${created.reason ? `: ${created.reason}` : ''}`);
      location.hash = `#/calculations/${created.id}`;
    } catch (error) { showError(error); }
  });
  form.append(element('h3', {}, 'New calculation'),
    element('div', { class: 'form-row' }, field('Name', name), field('Cluster', cluster), field('Engine', engine), field('Molecule', molecule),
      field(`Priority (${priorities.min} to ${priorities.max} for you)`, priority)),
    engineForm,
    element('div', {}, element('strong', {}, 'Analyses'), analyses),
    element('label', {}, sweepOn, ' Sweep a parameter (one step per value)'), sweep,
    element('label', {}, rawOn, ' Show and edit the request as JSON'), rawView,
    sameInput,
    element('button', { class: 'primary', type: 'submit' }, 'Create'));
  return form;
}
