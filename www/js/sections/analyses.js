import { api } from '../api.js';
import { element, emptyState } from '../ui.js';

export async function analyses() {
  const catalog = await api('GET', '/analyses');
  if (catalog.items.length === 0) {
    return element('section', {}, element('h2', {}, 'Analyses'),
      emptyState('No analyses yet', 'The catalog fills when a cluster agent reports its engines and what each can extract.'));
  }
  return element('section', {}, element('h2', {}, 'Analyses'),
    element('p', { class: 'muted' }, 'What the clusters can extract, per engine. An analysis runs only with the ones it requires.'),
    element('table', {},
      element('thead', {}, element('tr', {}, ['Engine', 'Analysis', 'Requires', 'Description', 'Clusters'].map((title) => element('th', {}, title)))),
      element('tbody', {}, catalog.items.map((item) => element('tr', {},
        element('td', {}, element('span', { class: 'badge' }, item.engine)),
        element('td', {}, element('strong', {}, item.name)),
        element('td', {}, item.requires.length ? item.requires.join(', ') : '—'),
        element('td', {}, item.description || ''),
        element('td', {}, item.clusters.map((cluster) => `${cluster.cluster} (${cluster.version || 'version ?'})`).join(', ')))))));
}
