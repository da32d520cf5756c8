import { api } from '../api.js';
import { element, emptyState, field, formatTime, toast } from '../ui.js';
import { stateBadge } from './calculations.js';
import { allows, meta } from '../meta.js';
import { lineChart } from '../charts.js';
import { structureView } from '../structure-view.js';

function createForm(rerender) {
  const name = element('input', { required: true, maxlength: 200 });
  const structure = element('textarea', { rows: 6, class: 'code', required: true, placeholder: '3\nwater\nO 0.000 0.000 0.117\nH 0.000 0.757 -0.467\nH 0.000 -0.757 -0.467' });
  const notes = element('input', {});
  return element('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    try {
      const created = await api('POST', '/molecules', { name: name.value, notes: notes.value, structure: { format: 'xyz', text: structure.value } });
      toast(`Added ${created.name} (${created.formula})`);
      rerender();
    } catch (error) { toast(error.message, true); }
  } }, element('h3', {}, 'Add a molecule'), element('div', { class: 'form-row' }, field('Name', name), field('Notes', notes)),
  field('Structure (xyz)', structure), element('button', { class: 'primary', type: 'submit' }, 'Add'));
}

async function list({ rerender }) {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const parameters = new URLSearchParams({ limit: '500' });
  if (query.get('q')) parameters.set('q', query.get('q'));
  const [page, rules] = await Promise.all([api('GET', `/molecules?${parameters}`), meta()]);
  const text = element('input', { type: 'search', 'aria-label': 'Search names and formulas', placeholder: 'name or formula, e.g. H2O', value: query.get('q') ?? '' });
  const search = element('form', { class: 'filters', role: 'search', onsubmit: (event) => {
    event.preventDefault();
    location.hash = text.value ? `#/molecules?q=${encodeURIComponent(text.value)}` : '#/molecules';
  } }, text, element('button', { type: 'submit' }, 'Search'));
  return element('section', {}, element('h2', {}, 'Molecules'), search,
    page.items.length
      ? element('table', {}, element('thead', {}, element('tr', {}, ['Name', 'Formula', 'Atoms', 'Notes', 'Added'].map((title) => element('th', {}, title)))),
        element('tbody', {}, page.items.map((item) => element('tr', {},
          element('td', {}, element('a', { href: `#/molecules/${item.id}` }, item.name)), element('td', {}, item.formula),
          element('td', {}, item.structure.text.split('\n')[0]), element('td', {}, item.notes), element('td', {}, formatTime(item.created_at))))))
      : query.get('q') ? emptyState('No match', `No molecule's name or formula contains "${query.get('q')}".`)
        : emptyState('No molecules yet', 'Add a structure below; calculations can then refer to it and be compared side by side.'),
    allows(rules, 'create_molecule') ? createForm(rerender) : null);
}

async function detail({ path }) {
  const id = path.split('/')[1];
  const [molecule, calculations, catalog] = await Promise.all([
    api('GET', `/molecules/${id}`), api('GET', `/molecules/${id}/calculations?limit=500`), api('GET', '/analyses')]);
  const analysis = element('select', {}, [...new Set(catalog.items.map((item) => item.name))].map((name) =>
    element('option', { value: name, selected: name === 'total_energy' }, name)));
  const comparison = element('div', {});
  const chart = element('div', { class: 'chart-box' });
  const chartCard = element('div', { class: 'card chart', hidden: true }, chart);
  const compare = async () => {
    try {
      const result = await api('GET', `/molecules/${id}/compare?analysis=${encodeURIComponent(analysis.value)}`);
      // A chart of the numeric results, one point per calculation and step.
      const numeric = result.items.filter((item) => typeof item.data?.value === 'number');
      chartCard.hidden = numeric.length < 2;
      if (numeric.length >= 2) {
        const canvas = element('canvas', { role: 'img', 'aria-label': `${analysis.value} of ${numeric.length} results of this molecule` });
        chart.replaceChildren(canvas);
        const unit = numeric[0].data.unit ? ` (${numeric[0].data.unit})` : '';
        lineChart(canvas, { title: `${analysis.value} across calculations`, yLabel: `${analysis.value}${unit}`,
          categories: numeric.map((item) => `#${item.calculation_id}${item.step && item.step !== 'main' ? ` ${item.step}` : ''}`),
          series: [{ label: analysis.value, points: numeric.map((item) => ({ y: item.data.value })) }] })
          .catch((error) => chart.replaceChildren(element('p', { class: 'error' }, error.message)));
      }
      comparison.replaceChildren(result.items.length
        ? element('table', {}, element('thead', {}, element('tr', {}, ['Calculation', 'State', 'Step', 'Parameters', 'Data'].map((title) => element('th', {}, title)))),
          element('tbody', {}, result.items.map((item) => element('tr', {},
            element('td', {}, element('a', { href: `#/calculations/${item.calculation_id}` }, `${item.calculation} #${item.calculation_id}`)),
            element('td', {}, stateBadge(item.state)), element('td', {}, item.step || '—'),
            element('td', {}, JSON.stringify(item.parameters)), element('td', {}, element('pre', { class: 'code' }, JSON.stringify(item.data)))))))
        : element('p', { class: 'muted' }, `No ${analysis.value} results for this molecule yet.`));
    } catch (error) { toast(error.message, true); }
  };
  analysis.addEventListener('change', compare);
  compare();
  return element('section', {},
    element('h2', {}, `${molecule.name} `, element('span', { class: 'muted' }, molecule.formula)),
    molecule.notes ? element('p', {}, molecule.notes) : null,
    element('div', { class: 'molecule-head' }, structureView(molecule.structure.text, { label: molecule.name }),
      element('pre', { class: 'code' }, molecule.structure.text)),
    element('h3', {}, 'Compare'), field('Analysis', analysis), chartCard, comparison,
    element('h3', {}, 'Calculations'),
    calculations.items.length
      ? element('table', {}, element('tbody', {}, calculations.items.map((item) => element('tr', {},
        element('td', {}, element('a', { href: `#/calculations/${item.id}` }, item.name)), element('td', {}, item.engine), element('td', {}, stateBadge(item.state))))))
      : element('p', { class: 'muted' }, 'None yet.'));
}

export async function molecules(context) {
  return context.path.includes('/') ? detail(context) : list(context);
}
