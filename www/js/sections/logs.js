import { api, currentToken, refresh } from '../api.js';
import { element, toast } from '../ui.js';
import { allows, meta } from '../meta.js';

let activeStream = null;

function row(entry) {
  return element('tr', { class: entry.level === 'ERROR' ? 'error' : '' },
    element('td', {}, new Date(entry.ts).toLocaleString()), element('td', {}, entry.level), element('td', {}, entry.cluster ?? ''),
    element('td', {}, entry.calculation_id ? element('a', { href: `#/calculations/${entry.calculation_id}` }, `#${entry.calculation_id}`) : ''),
    element('td', {}, entry.message));
}

/** Server-Sent Events over fetch: EventSource cannot send the Authorization header. */
async function follow(query, body, status) {
  activeStream?.abort();
  const controller = new AbortController();
  activeStream = controller;
  // Leaving the page ends the stream: it holds one of the server's stream threads.
  window.addEventListener('hashchange', () => controller.abort(), { once: true });
  if (!currentToken()) await refresh();
  const response = await fetch(`/api/v1/logs/stream?${query}`, { headers: { Authorization: `Bearer ${currentToken()}` }, signal: controller.signal });
  if (!response.ok) { status.textContent = `Live view unavailable (${response.status})`; return; }
  status.textContent = 'Live';
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ended = null;
  while (document.body.contains(body) && !ended) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const events = buffer.split('\n\n');
    buffer = events.pop();
    for (const event of events) {
      const lines = event.split('\n');
      const data = lines.find((line) => line.startsWith('data: '));
      if (!data) continue;
      // The server ends a stream whose viewer's token expired or whose session ended.
      if (lines.includes('event: end')) { ended = JSON.parse(data.slice(6)).reason; break; }
      body.prepend(row(JSON.parse(data.slice(6))));
    }
  }
  controller.abort();
  if (ended === 'token_expired' && document.body.contains(body) && activeStream === controller) {
    status.textContent = 'Reconnecting…';
    await refresh();
    return follow(query, body, status);
  }
  status.textContent = ended ? `Stopped (${ended.replaceAll('_', ' ')})` : 'Stopped';
}

export async function logs() {
  const clusters = await api('GET', '/clusters?limit=500');
  const cluster = element('select', {}, element('option', { value: '' }, 'every cluster'),
    clusters.items.map((item) => element('option', { value: item.id }, item.name)));
  const level = element('select', {}, ['', 'DEBUG', 'INFO', 'WARNING', 'ERROR'].map((value) => element('option', { value }, value || 'any level')));
  const body = element('tbody', {});
  const status = element('span', { class: 'badge' }, 'Connecting…');
  const load = async () => {
    const query = new URLSearchParams({ limit: '500' });
    if (cluster.value) query.set('cluster_id', cluster.value);
    if (level.value) query.set('level', level.value);
    query.set('since', new Date(Date.now() - 24 * 3600 * 1000).toISOString());
    const page = await api('GET', `/logs?${query}`);
    body.replaceChildren(...page.items.reverse().map(row));
    query.delete('limit');
    query.delete('since');
    follow(query, body, status).catch((error) => { if (error.name !== 'AbortError') status.textContent = error.message; });
  };
  cluster.addEventListener('change', load);
  level.addEventListener('change', load);
  const actions = [cluster, level, status];
  if (allows(await meta(), 'delete_logs')) {
    actions.push(element('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!window.confirm('Delete every log entry older than 30 days?')) return;
      try {
        const result = await api('DELETE', `/logs?before=${new Date(Date.now() - 30 * 86400 * 1000).toISOString()}`);
        toast(`${result.deleted} entries deleted`);
      } catch (error) { toast(error.message, true); }
    } }, 'Delete older than 30 days'));
  }
  await load();
  return element('section', {}, element('div', { class: 'toolbar' }, element('h2', {}, 'Logs'), element('div', { class: 'actions' }, actions)),
    element('table', {}, element('thead', {}, element('tr', {}, ['When', 'Level', 'Cluster', 'Calculation', 'Message'].map((title) => element('th', {}, title)))), body));
}
