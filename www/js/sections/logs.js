import { api } from '../api.js';
import { followEvents } from '../event-stream.js';
import { element, toast } from '../ui.js';
import { allows, meta } from '../meta.js';

// What the page keeps: the newest entries, at most this many; older ones are a reload away.
const bufferSize = 1000;

function row(entry) {
  const source = entry.model ? element('a', { href: `#/models/${entry.model_id}` }, `model ${entry.model}`) : entry.cluster ?? '';
  return element('tr', { class: `level-${entry.level.toLowerCase()}`, 'data-text': `${entry.message} ${entry.cluster ?? ''} ${entry.model ?? ''}`.toLowerCase() },
    element('td', {}, new Date(entry.ts).toLocaleString()), element('td', {}, element('span', { class: `level level-${entry.level.toLowerCase()}` }, entry.level)),
    element('td', {}, source),
    element('td', {}, entry.calculation_id ? element('a', { href: `#/calculations/${entry.calculation_id}` }, `#${entry.calculation_id}`) : ''),
    element('td', {}, entry.message));
}

export async function logs() {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [clusters, models, rules] = await Promise.all([api('GET', '/clusters?limit=500'), api('GET', '/models?limit=500'), meta()]);
  const source = element('select', { 'aria-label': 'Source' }, element('option', { value: '' }, 'every source'),
    element('optgroup', { label: 'Clusters' }, clusters.items.map((item) => element('option', { value: `cluster_id=${item.id}` }, item.name))),
    models.items.length ? element('optgroup', { label: 'Models' }, models.items.map((item) => element('option', { value: `model_id=${item.id}` }, item.name))) : null);
  source.value = query.get('source') ?? '';
  const level = element('select', { 'aria-label': 'Level' }, ['', 'DEBUG', 'INFO', 'WARNING', 'ERROR'].map((value) => element('option', { value }, value || 'any level')));
  level.value = query.get('level') ?? '';
  const text = element('input', { type: 'search', 'aria-label': 'Filter by text', placeholder: 'text', value: query.get('q') ?? '' });
  const body = element('tbody', {});
  const status = element('span', { class: 'badge', role: 'status' }, 'Connecting…');
  const follow = element('button', { type: 'button', 'aria-pressed': 'true' }, 'Following');
  const waiting = [];
  // Following shows new entries at the top as they come; paused, they wait (and a count says so).
  const view = {
    following: true,
    matches: (line) => !text.value || line.dataset.text.includes(text.value.toLowerCase()),
    add(line) {
      if (!this.following) { waiting.unshift(line); follow.textContent = `Resume (${waiting.length} new)`; return; }
      line.hidden = !this.matches(line);
      body.prepend(line);
      while (body.childElementCount > bufferSize) body.lastElementChild.remove();
    },
    setFollowing(on) {
      this.following = on;
      follow.setAttribute('aria-pressed', String(on));
      follow.textContent = on ? 'Following' : 'Paused: resume';
      if (on) { for (const line of waiting.splice(0).reverse()) this.add(line); }
    },
  };
  follow.addEventListener('click', () => view.setFollowing(!view.following));
  text.addEventListener('input', () => { for (const line of body.children) line.hidden = !view.matches(line); });
  const table = element('div', { class: 'log-view', tabindex: '0', 'aria-label': 'Log entries, newest first' },
    element('table', {}, element('thead', {}, element('tr', {}, ['When', 'Level', 'Source', 'Calculation', 'Message'].map((title) => element('th', { scope: 'col' }, title)))), body));
  // Scrolling down into older entries pauses following, so that they stay where they are.
  table.addEventListener('scroll', () => { if (table.scrollTop > 40 && view.following) view.setFollowing(false); });
  // Older entries, a page at a time, below the ones shown.
  let olderCursor = null;
  const older = element('button', { type: 'button', hidden: true, onclick: async () => {
    try {
      const page = await api('GET', `/logs?${historyQuery({ cursor: olderCursor })}`);
      for (const entry of page.items) {
        const line = row(entry);
        line.hidden = !view.matches(line);
        body.append(line);
      }
      olderCursor = page.next_cursor;
      older.hidden = !olderCursor;
    } catch (error) { toast(error.message, true); }
  } }, 'Older entries');
  const historyQuery = (extra = {}) => {
    const parameters = new URLSearchParams({ limit: '200', order: 'newest', ...Object.fromEntries(Object.entries(extra).filter(([, value]) => value)) });
    if (source.value) parameters.set(...source.value.split('='));
    if (level.value) parameters.set('level', level.value);
    return parameters;
  };
  const load = async () => {
    const page = await api('GET', `/logs?${historyQuery()}`);
    body.replaceChildren();
    // Newest first from the API; added oldest first, so that the newest ends on top.
    for (const entry of [...page.items].reverse()) view.add(row(entry));
    olderCursor = page.next_cursor;
    older.hidden = !olderCursor;
    const parameters = historyQuery();
    parameters.delete('limit');
    parameters.delete('order');
    followEvents(`/logs/stream?${parameters}`, {
      onMessage: (type, entry) => view.add(row(entry)), alive: () => document.body.contains(body), onStatus: (text) => { status.textContent = text; },
    }).catch((error) => { if (error.name !== 'AbortError') status.textContent = error.message; });
  };
  const remember = () => {
    const next = new URLSearchParams();
    if (source.value) next.set('source', source.value);
    if (level.value) next.set('level', level.value);
    if (text.value) next.set('q', text.value);
    history.replaceState(null, '', `#/logs${next.size ? `?${next}` : ''}`);
  };
  for (const control of [source, level]) control.addEventListener('change', () => { remember(); load(); });
  text.addEventListener('change', remember);
  const actions = [source, level, text, follow, status];
  if (allows(rules, 'delete_logs')) {
    const days = element('input', { type: 'number', min: 1, value: 30, 'aria-label': 'Days to keep', class: 'narrow' });
    actions.push(element('span', { class: 'actions' }, element('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!window.confirm(`Delete every log entry older than ${days.value} days?`)) return;
      try {
        const result = await api('DELETE', `/logs?before=${new Date(Date.now() - Number(days.value) * 86400 * 1000).toISOString()}`);
        toast(`${result.deleted} entries deleted`);
        load();
      } catch (error) { toast(error.message, true); }
    } }, 'Delete older than'), days, ' days'));
  }
  await load();
  return element('section', {}, element('div', { class: 'toolbar' }, element('h2', {}, 'Logs')), element('div', { class: 'filters' }, actions), table,
    element('div', { class: 'actions pager' }, older));
}
