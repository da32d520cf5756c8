// Models: trained models served as containers by calcflow-models. Cards with their state and the
// reason when they fail; register, start, stop and delete as allowed_actions says; the controller's
// keys; a prediction form; the accuracy against what calculations computed.
import { api, currentToken } from '../api.js';
import { allows, meta } from '../meta.js';
import { act, element, emptyState, field, formatTime, toast } from '../ui.js';

/** The badge of a model state: which states need attention is the API's word (/meta), not this page's. */
function stateClass(rules, state) {
  if (state === 'healthy') return 'ok';
  return rules.model_states.find((item) => item.name === state)?.needs_attention ? 'bad' : '';
}


function card(model, rules, rerender) {
  const buttons = [];
  if (allows(model, 'start')) buttons.push(element('button', { type: 'button', class: 'primary', onclick: () => act(api('POST', `/models/${model.id}/start`), `Starting ${model.name}`, rerender) }, 'Start'));
  if (allows(model, 'stop')) buttons.push(element('button', { type: 'button', onclick: () => act(api('POST', `/models/${model.id}/stop`), `Stopping ${model.name}`, rerender) }, 'Stop'));
  if (allows(model, 'delete')) {
    buttons.push(element('button', { type: 'button', class: 'danger', onclick: () => {
      if (window.confirm(`Delete model ${model.name}? Its container is removed; its recorded invocations go with it.`)) {
        // From the model's own page, back to the list: the model is gone.
        act(api('DELETE', `/models/${model.id}`), `${model.name} deleted`, () => (location.hash === '#/models' ? rerender() : (location.hash = '#/models')));
      }
    } }, 'Delete'));
  }
  // The failure message holds the reason, then the container's last log lines.
  const [reason, ...logLines] = (model.message ?? '').split('\n');
  return element('article', { class: 'card model-card', 'aria-labelledby': `model-${model.id}` },
    element('div', { class: 'toolbar' }, element('h3', { id: `model-${model.id}` }, element('a', { href: `#/models/${model.id}` }, model.name)),
      element('span', { class: `badge ${stateClass(rules, model.state)}` }, model.state)),
    element('dl', { class: 'facts' },
      element('dt', {}, 'Image'), element('dd', {}, element('code', {}, model.image)),
      element('dt', {}, 'Predicts'), element('dd', {}, predictsText(model.predicts)),
      element('dt', {}, 'Restarts'), element('dd', {}, model.restarts),
      element('dt', {}, 'Last ping'), element('dd', {}, formatTime(model.last_ping_at)),
      element('dt', {}, 'Wanted'), element('dd', {}, model.desired_state)),
    reason ? element('p', { class: stateClass(rules, model.state) === 'bad' ? 'error' : 'muted' }, reason) : null,
    logLines.length ? element('details', {}, element('summary', {}, `The container's last ${logLines.length} log lines`),
      element('pre', { class: 'code' }, logLines.join('\n'))) : null,
    element('div', { class: 'actions' }, buttons));
}

/** "total_energy (eV) of xtb calculations", or of every engine's when the model names none. */
function predictsText(predicts) {
  if (!predicts) return 'not declared';
  const unit = predicts.unit ? ` (${predicts.unit})` : '';
  return `${predicts.analysis}${unit}, ${predicts.engine ? `of ${predicts.engine} calculations` : 'of every engine\'s calculations'}`;
}

function registerForm(rules, rerender) {
  const name = element('input', { required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*', 'aria-describedby': 'model-name-help' });
  const image = element('input', { required: true, placeholder: 'localhost/calcflow/example-energy:1' });
  const analysis = element('input', { placeholder: 'total_energy' });
  const unit = element('input', { placeholder: 'eV' });
  const engine = element('select', {}, element('option', { value: '' }, 'any engine'),
    rules.engines.map((item) => element('option', { value: item.name }, item.name)));
  const autoPredict = element('input', { type: 'checkbox' });
  const startup = element('input', { type: 'number', min: 60, max: 3600, value: 240 });
  const message = element('p', { class: 'error', role: 'alert', hidden: true });
  return element('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    message.hidden = true;
    const body = { name: name.value, image: image.value, startup_timeout_seconds: Number(startup.value), auto_predict: autoPredict.checked };
    if (analysis.value) body.predicts = { analysis: analysis.value, ...(unit.value ? { unit: unit.value } : {}), ...(engine.value ? { engine: engine.value } : {}) };
    try {
      await api('POST', '/models', body);
      toast(`Registered ${name.value}; start it to run its container`);
      rerender();
    } catch (error) {
      message.textContent = `${error.field ? `${error.field}: ` : ''}${error.message}`;
      message.hidden = false;
    }
  } }, element('h3', {}, 'Register a model'),
  element('p', { class: 'muted', id: 'model-name-help' }, 'A SageMaker-style image on the engine: started as "serve", answering GET /ping and POST /invocations on 8080. It is never pulled.'),
  element('div', { class: 'form-row' }, field('Name (in /ml/{name}/invocations)', name), field('Image', image),
    field('Predicts the analysis', analysis), field('Unit', unit), field('Of the calculations of', engine), field('Startup deadline (s)', startup)),
  element('label', {}, autoPredict, ' Predict every finished calculation of that analysis (and engine)'), message,
  element('button', { class: 'primary', type: 'submit' }, 'Register'));
}

async function controllerKeys(rerender) {
  const keys = await api('GET', '/controller/keys');
  const shown = element('div', { class: 'card', hidden: true, role: 'status' });
  return element('section', { 'aria-labelledby': 'controller-keys' }, element('h3', { id: 'controller-keys' }, 'Model controller keys'),
    element('p', { class: 'muted' }, 'calcflow-models reports with an mk_ key (models.conf: api_key_file).'),
    element('button', { type: 'button', onclick: async () => {
      const label = window.prompt('A label for the new controller key (the host it runs on)', 'models');
      if (label === null) return;
      try {
        const created = await api('POST', '/controller/keys', { label });
        const code = element('code', {}, created.key);
        shown.hidden = false;
        shown.replaceChildren(element('strong', {}, 'The new key, shown only now: '), code, ' ',
          element('button', { type: 'button', onclick: () => navigator.clipboard.writeText(created.key).then(() => toast('Copied'), () => toast('Copy it by hand', true)) }, 'Copy'));
      } catch (error) { toast(error.message, true); }
    } }, 'Issue a key'), shown,
    keys.items.length
      ? element('table', {}, element('thead', {}, element('tr', {}, ['Label', 'Prefix', 'Created', 'Last used', ''].map((title) => element('th', { scope: 'col' }, title)))),
        element('tbody', {}, keys.items.map((key) => element('tr', {}, element('td', {}, key.label), element('td', {}, element('code', {}, `${key.prefix}…`)),
          element('td', {}, formatTime(key.created_at)), element('td', {}, formatTime(key.last_used_at)),
          element('td', {}, key.active ? element('button', { type: 'button', class: 'danger', onclick: () => act(api('DELETE', `/controller/keys/${key.id}`), 'Key revoked', rerender) }, 'Revoke')
            : element('span', { class: 'badge bad' }, 'revoked'))))))
      : element('p', { class: 'muted' }, 'No keys yet.'));
}

async function list({ rerender }) {
  const [page, rules] = await Promise.all([api('GET', '/models?limit=500'), meta()]);
  return element('section', {}, element('h2', {}, 'Models'),
    page.items.length ? element('div', { class: 'grid models' }, page.items.map((model) => card(model, rules, rerender)))
      : emptyState('No models yet', allows(rules, 'register_model') ? 'Register an image below.' : 'An admin registers models.'),
    allows(rules, 'register_model') ? registerForm(rules, rerender) : null,
    allows(rules, 'issue_controller_key') ? await controllerKeys(rerender) : null);
}

/** The input Calcflow itself sends a model that declares what it predicts (see Predictor.input on the API). */
function declaredInput(model, engine, molecule) {
  return {
    engine, analysis: model.predicts.analysis, unit: model.predicts.unit ?? null,
    molecule: molecule ? { id: molecule.id, name: molecule.name, formula: molecule.formula, structure: molecule.structure } : null,
    configuration: {},
  };
}

/**
 * A prediction. A model that declares what it predicts gets the input Calcflow builds for it, from a
 * molecule and an engine picked here (or a formula); any other model a JSON editor.
 */
async function predictionForm(model) {
  const declared = Boolean(model.predicts);
  const json = element('textarea', { rows: 8, class: 'code', spellcheck: 'false' }, declared ? '' : '{}');
  const answer = element('div', { 'aria-live': 'polite' });
  const fields = [];
  if (declared) {
    const [rules, molecules] = await Promise.all([meta(), api('GET', '/molecules?limit=200').catch(() => ({ items: [] }))]);
    // The model's own engine when it names one; else the engines that compute what it predicts, when
    // the agents said so; else every engine.
    const computing = rules.engines.filter((item) => (model.predicts.engine ? item.name === model.predicts.engine
      : item.analyses.some((analysis) => analysis.name === model.predicts.analysis)));
    const engine = element('select', {}, (computing.length ? computing : rules.engines).map((item) => element('option', { value: item.name }, item.name)));
    const molecule = element('select', {}, element('option', { value: '' }, molecules.items.length ? '— pick a molecule —' : 'no molecules yet'),
      molecules.items.map((item) => element('option', { value: String(item.id) }, `${item.name} (${item.formula})`)));
    const formula = element('input', { placeholder: 'H2O', autocomplete: 'off' });
    const rebuild = () => {
      const picked = molecules.items.find((item) => String(item.id) === molecule.value);
      const input = declaredInput(model, engine.value, picked);
      if (!picked && formula.value.trim()) input.molecule = { formula: formula.value.trim() };
      json.value = JSON.stringify(input, null, 2);
    };
    for (const control of [engine, molecule]) control.addEventListener('change', rebuild);
    formula.addEventListener('input', () => { if (formula.value.trim()) molecule.value = ''; rebuild(); });
    rebuild();
    fields.push(element('p', { class: 'muted' }, `It predicts ${model.predicts.analysis}: the input below is the one Calcflow sends it for a calculation, built from what you pick.`),
      field('Molecule', molecule), field('Or a formula', formula), field('Engine', engine));
  }
  const send = async (event) => {
    event.preventDefault();
    let body;
    try { body = JSON.stringify(JSON.parse(json.value)); } catch (error) {
      answer.replaceChildren(element('p', { class: 'error', role: 'alert' }, `The input is not JSON: ${error.message}`));
      return;
    }
    const started = performance.now();
    try {
      const response = await fetch(`/ml/${encodeURIComponent(model.name)}/invocations`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${currentToken()}` }, body });
      const text = await response.text();
      const milliseconds = performance.now() - started;
      answer.replaceChildren(element('p', {}, element('span', { class: `badge ${response.ok ? 'ok' : 'bad'}` }, `${response.status}`),
        ` in ${milliseconds.toFixed(0)} ms`), element('pre', { class: 'code' }, text.slice(0, 20000)));
    } catch (error) { answer.replaceChildren(element('p', { class: 'error' }, error.message)); }
  };
  return element('form', { class: 'card', onsubmit: send }, element('h3', {}, 'Ask for a prediction'),
    ...fields, field('Input (JSON)', json), element('button', { class: 'primary', type: 'submit' }, 'Predict'), answer);
}

async function detail({ path, rerender }) {
  const id = path.split('/')[1];
  const model = await api('GET', `/models/${id}`);
  const accuracy = model.predicts ? await api('GET', `/models/${id}/accuracy`).catch(() => null) : null;
  const invocations = await api('GET', `/models/${id}/invocations?limit=20`).catch(() => ({ items: [] }));
  const figure = (value, unit) => (value === null || value === undefined ? '—' : `${value.toFixed(3)}${unit ? ` ${unit}` : ''}`);
  return element('section', {}, element('p', {}, element('a', { href: '#/models' }, '← Models')),
    card(model, await meta(), rerender),
    model.state === 'healthy' ? await predictionForm(model) : element('p', { class: 'muted' }, 'Predictions are answered while the model is healthy.'),
    accuracy ? element('section', { 'aria-labelledby': 'accuracy' }, element('h3', { id: 'accuracy' }, `Accuracy on ${accuracy.analysis}`),
      accuracy.count ? element('table', {}, element('thead', {}, element('tr', {}, ['Engine', 'Calculations', 'Mean absolute error', 'Bias'].map((title) => element('th', { scope: 'col' }, title)))),
        element('tbody', {}, [['all', accuracy], ...Object.entries(accuracy.by_engine)].map(([engine, figures]) => element('tr', {},
          element('td', {}, engine), element('td', {}, figures.count), element('td', {}, figure(figures.mean_absolute_error, accuracy.unit)),
          element('td', {}, figure(figures.bias, accuracy.unit))))))
        : element('p', { class: 'muted' }, 'No calculation has both a prediction and a computed value yet.')) : null,
    element('h3', {}, 'Latest invocations'),
    invocations.items.length ? element('table', {}, element('thead', {}, element('tr', {}, ['When', 'Who', 'Status', 'Latency'].map((title) => element('th', { scope: 'col' }, title)))),
      element('tbody', {}, invocations.items.map((item) => element('tr', {}, element('td', {}, formatTime(item.created_at)), element('td', {}, item.user ?? '—'),
        element('td', {}, item.status), element('td', {}, `${item.latency_ms.toFixed(1)} ms`)))))
      : element('p', { class: 'muted' }, 'None yet.'));
}

export async function models(context) {
  return /^models\/\d+/.test(context.path) ? detail(context) : list(context);
}
