import { api } from '../api.js';
import { allows } from '../meta.js';
import { element, formatTime } from '../ui.js';
import { stateBadge } from './calculations.js';

export async function dashboard({ user }) {
  const [health, clusters, recent, pending] = await Promise.all([
    fetch('/api/v1/healthz').then((response) => response.json()).catch(() => null),
    api('GET', '/clusters?limit=500'),
    api('GET', `/calculations?limit=500&order=newest&created_by=${user.id}`),
    api('GET', '/calculations?state=pending_approval&limit=500'),
  ]);
  // What this person may approve is what the API lists as approvable for them.
  const approvable = pending.items.filter((item) => allows(item, 'approve'));
  const healthy = health?.status === 'ok';
  const mine = recent.items;
  const count = (state) => mine.filter((item) => item.state === state).length;
  const online = clusters.items.filter((cluster) => cluster.online).length;
  const cards = [
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Your calculations running'),
      element('div', { class: 'figure' }, count('running')), element('span', { class: 'badge' }, `${count('queued')} queued`)),
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Finished'),
      element('div', { class: 'figure' }, count('succeeded')),
      element('span', { class: `badge ${count('failed') + count('not_converged') ? 'bad' : 'ok'}` }, `${count('failed') + count('not_converged')} failed or not converged`)),
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Clusters online'),
      element('div', { class: 'figure' }, `${online} / ${clusters.items.length}`),
      element('a', { href: '#/clusters' }, 'See their load')),
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'System'),
      element('div', { class: 'figure' }, healthy ? 'Healthy' : 'Degraded'),
      element('span', { class: `badge ${healthy ? 'ok' : 'bad'}` }, `database ${health?.database ?? 'unknown'}`)),
  ];
  if (approvable.length) {
    cards.push(element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Waiting for your approval'),
      element('div', { class: 'figure' }, approvable.length),
      element('a', { href: '#/calculations?state=pending_approval' }, 'Review')));
  } else if (count('pending_approval')) {
    cards.push(element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Yours waiting for a moderator'),
      element('div', { class: 'figure' }, count('pending_approval'))));
  }
  return element('section', {},
    element('h2', {}, `Hello, ${user.name || user.email}`),
    element('div', { class: 'grid' }, cards),
    element('h3', {}, 'Your latest calculations'),
    mine.length
      ? element('table', {}, element('tbody', {}, mine.slice(0, 10).map((item) => element('tr', {},
        element('td', {}, element('a', { href: `#/calculations/${item.id}` }, item.name)), element('td', {}, item.engine),
        element('td', {}, item.cluster), element('td', {}, stateBadge(item.state)), element('td', {}, formatTime(item.finished_at ?? item.created_at))))))
      : element('p', { class: 'muted' }, 'None yet. ', element('a', { href: '#/calculations' }, 'Create your first calculation.')));
}
