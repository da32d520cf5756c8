import { api } from '../api.js';
import { element, formatTime } from '../ui.js';

export async function dashboard({ user }) {
  const health = await fetch('/api/v1/healthz').then((response) => response.json()).catch(() => null);
  const healthy = health?.status === 'ok';
  const cards = [
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Signed in as'),
      element('div', { class: 'figure' }, user.name || user.email),
      element('span', { class: 'badge' }, user.role)),
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'System'),
      element('div', { class: 'figure' }, healthy ? 'Healthy' : 'Degraded'),
      element('span', { class: `badge ${healthy ? 'ok' : 'bad'}` }, `database ${health?.database ?? 'unknown'}`)),
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Email notifications'),
      element('div', { class: 'figure' }, user.email_level),
      element('a', { href: '#/account' }, 'Change')),
  ];
  if (user.role !== 'user') {
    const page = await api('GET', '/users?limit=500');
    const blocked = page.items.filter((item) => item.blocked).length;
    cards.push(element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Users'),
      element('div', { class: 'figure' }, `${page.items.length}${page.next_cursor ? '+' : ''}`),
      element('span', { class: `badge ${blocked ? 'bad' : 'ok'}` }, `${blocked} blocked`)));
  }
  return element('section', {},
    element('h2', {}, 'Dashboard'),
    element('div', { class: 'grid' }, cards),
    element('p', { class: 'muted' }, `Member since ${formatTime(user.created_at)}.`));
}
