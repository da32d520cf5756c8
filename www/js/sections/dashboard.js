// The first page: clusters with their latest load and the last hour as a sparkline, my running
// calculations with progress, my recent failures with their reason, what waits for my approval, and
// the models' health.
import { api } from '../api.js';
import { allows, meta } from '../meta.js';
import { element, formatTime } from '../ui.js';
import { stateBadge } from './calculations.js';

const svgNamespace = 'http://www.w3.org/2000/svg';

/** A small SVG line of CPU % over the last hour; no library for 60 points. */
function sparkline(points, label) {
  const width = 120;
  const height = 28;
  const svg = document.createElementNS(svgNamespace, 'svg');
  for (const [name, value] of Object.entries({ viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'sparkline', 'aria-label': label })) svg.setAttribute(name, value);
  if (points.length >= 2) {
    const times = points.map((point) => Date.parse(point.t));
    const [start, end] = [Math.min(...times), Math.max(...times)];
    const line = document.createElementNS(svgNamespace, 'polyline');
    line.setAttribute('points', points.map((point, index) => `${((times[index] - start) / Math.max(end - start, 1) * width).toFixed(1)},`
      + `${(height - 2 - Math.min(100, point.cpu_percent ?? 0) / 100 * (height - 4)).toFixed(1)}`).join(' '));
    svg.append(line);
  }
  return svg;
}

function failureReason(item) {
  return item.reason || `${item.state.replace('_', ' ')}, no reason given`;
}

export async function dashboard({ user }) {
  const hourAgo = new Date(Date.now() - 3600 * 1000).toISOString();
  const [health, clusters, running, finished, pending, models, rules] = await Promise.all([
    fetch('/api/v1/healthz').then((response) => response.json()).catch(() => null),
    api('GET', '/clusters?limit=500'),
    api('GET', `/calculations?limit=50&order=newest&created_by=${user.id}&state=running`),
    api('GET', `/calculations?limit=200&order=newest&created_by=${user.id}`),
    api('GET', '/calculations?state=pending_approval&limit=500'),
    api('GET', '/models?limit=500'),
    meta(),
  ]);
  const series = await Promise.all(clusters.items.map((cluster) =>
    api('GET', `/clusters/${cluster.id}/metrics?since=${encodeURIComponent(hourAgo)}`).catch(() => ({ points: [] }))));
  const healthy = health?.status === 'ok';
  // What this person may approve is what the API lists as approvable for them.
  const approvable = pending.items.filter((item) => allows(item, 'approve'));
  const mineWaiting = pending.items.filter((item) => item.created_by === user.id);
  const failureStates = new Set(rules.calculation_states.filter((state) => state.failure).map((state) => state.name));
  const troubled = new Set(rules.model_states.filter((state) => state.needs_attention).map((state) => state.name));
  const failures = finished.items.filter((item) => failureStates.has(item.state)).slice(0, 5);
  const gib = (bytes) => (bytes / 2 ** 30).toFixed(1);

  const cards = [
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Your calculations running'), element('div', { class: 'figure' }, running.items.length),
      element('a', { href: '#/calculations?state=running' }, 'See them')),
    approvable.length
      ? element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Waiting for your approval'), element('div', { class: 'figure' }, approvable.length),
        element('a', { href: '#/calculations?state=pending_approval&creator=all' }, 'Review'))
      : element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Yours waiting for a moderator'), element('div', { class: 'figure' }, mineWaiting.length)),
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'Models healthy'),
      element('div', { class: 'figure' }, `${models.items.filter((model) => model.state === 'healthy').length} / ${models.items.length}`),
      element('a', { href: '#/models' }, 'Their health')),
    element('div', { class: 'card' }, element('div', { class: 'muted' }, 'System'), element('div', { class: 'figure' }, healthy ? 'Healthy' : 'Degraded'),
      element('span', { class: `badge ${healthy ? 'ok' : 'bad'}` }, `database ${health?.database ?? 'unknown'}`)),
  ];
  const clusterRows = clusters.items.map((cluster, index) => {
    const latest = cluster.latest ?? {};
    return element('tr', {},
      element('td', {}, element('a', { href: `#/clusters/${cluster.id}` }, cluster.name)),
      element('td', {}, element('span', { class: `badge ${cluster.online ? 'ok' : 'bad'}` }, cluster.online ? 'online' : 'offline')),
      element('td', {}, latest.cpu_percent === undefined ? '—' : `${latest.cpu_percent.toFixed(0)} %`),
      element('td', {}, latest.memory_total_bytes ? `${gib(latest.memory_used_bytes)} / ${gib(latest.memory_total_bytes)} GiB` : '—'),
      element('td', {}, latest.disk_free_bytes === undefined ? '—' : `${gib(latest.disk_free_bytes)} GiB free`),
      element('td', {}, sparkline(series[index].points, `CPU of ${cluster.name} over the last hour`)));
  });
  const calculationRows = (items, extra) => element('table', {}, element('tbody', {}, items.map((item) => element('tr', {},
    element('td', {}, element('a', { href: `#/calculations/${item.id}` }, item.name)), element('td', {}, item.engine), element('td', {}, item.cluster),
    element('td', {}, stateBadge(item.state)), element('td', {}, extra(item))))));
  return element('section', {},
    element('h2', {}, `Hello, ${user.name || user.email}`),
    element('div', { class: 'grid' }, cards),
    element('h3', {}, 'Clusters'),
    clusters.items.length
      ? element('table', {}, element('thead', {}, element('tr', {}, ['Cluster', 'Agent', 'CPU', 'Memory', 'Disk', 'CPU, last hour'].map((title) => element('th', { scope: 'col' }, title)))),
        element('tbody', {}, clusterRows))
      : element('p', { class: 'muted' }, 'No clusters yet.'),
    element('h3', {}, 'Running now'),
    running.items.length ? calculationRows(running.items, (item) => (item.progress ? element('progress', { max: item.progress.total, value: item.progress.done,
      'aria-label': `${item.name}: ${item.progress.done} of ${item.progress.total} steps` }) : 'starting'))
      : element('p', { class: 'muted' }, 'Nothing of yours is running. ', element('a', { href: '#/calculations/new' }, 'Create a calculation.')),
    element('h3', {}, 'Recent failures'),
    failures.length ? calculationRows(failures, (item) => element('span', { class: 'error' }, failureReason(item)))
      : element('p', { class: 'muted' }, 'None among your latest calculations.'),
    models.items.length ? element('h3', {}, 'Models') : null,
    models.items.length ? element('table', {}, element('tbody', {}, models.items.map((model) => element('tr', {},
      element('td', {}, element('a', { href: `#/models/${model.id}` }, model.name)),
      element('td', {}, element('span', { class: `badge ${model.state === 'healthy' ? 'ok' : troubled.has(model.state) ? 'bad' : ''}` }, model.state)),
      element('td', {}, `last ping ${formatTime(model.last_ping_at)}`))))) : null);
}
