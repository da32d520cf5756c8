import { api } from '../api.js';
import { allows, meta } from '../meta.js';
import { act, element, emptyState, field, formatTime, toast } from '../ui.js';

const gib = (bytes) => (bytes / 2 ** 30).toFixed(1);
const colours = ['#1f5fa8', '#b3261e', '#1d7a46'];


function summary(cluster) {
  const latest = cluster.latest ?? {};
  return [
    element('td', {}, element('a', { href: `#/clusters/${cluster.id}` }, element('strong', {}, cluster.name)),
      element('div', { class: 'muted' }, cluster.description)),
    element('td', {}, element('span', { class: `badge ${cluster.online ? 'ok' : 'bad'}` }, cluster.online ? 'online' : 'offline'),
      cluster.enabled ? null : element('span', { class: 'badge bad' }, 'disabled')),
    element('td', {}, latest.cpu_percent === undefined ? '—' : `${latest.cpu_percent.toFixed(0)} %`),
    element('td', {}, latest.memory_total_bytes ? `${gib(latest.memory_used_bytes)} / ${gib(latest.memory_total_bytes)} GiB` : '—'),
    element('td', {}, latest.disk_free_bytes === undefined ? '—' : `${gib(latest.disk_free_bytes)} GiB free`),
    element('td', {}, latest.running ?? 0),
    element('td', {}, formatTime(cluster.last_seen_at)),
  ];
}

function createForm(rerender) {
  const name = element('input', { required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*', maxlength: 64 });
  const description = element('input', {});
  const approval = element('input', { type: 'checkbox' });
  const maxRunning = element('input', { type: 'number', min: 0, value: 0 });
  return element('form', { class: 'card', onsubmit: (event) => {
    event.preventDefault();
    act(api('POST', '/clusters', { name: name.value, description: description.value, requires_approval: approval.checked,
      max_running: Number(maxRunning.value) }), `Cluster ${name.value} added; issue it a key next`, rerender);
  } }, element('h3', {}, 'Add a cluster'),
  element('div', { class: 'form-row' }, field('Name', name), field('Description', description),
    field('Running at most (0: no limit)', maxRunning), element('label', {}, approval, ' Users need approval'),
    element('button', { class: 'primary', type: 'submit' }, 'Add')));
}

async function list({ rerender }) {
  const [page, rules] = await Promise.all([api('GET', '/clusters?limit=500'), meta()]);
  const creates = allows(rules, 'create_cluster');
  const body = page.items.length
    ? element('table', {},
      element('thead', {}, element('tr', {}, ['Cluster', 'Agent', 'CPU', 'Memory', 'Disk', 'Running', 'Last seen'].map((title) => element('th', {}, title)))),
      element('tbody', {}, page.items.map((cluster) => element('tr', {}, summary(cluster)))))
    : emptyState('No clusters yet', creates ? 'Add one below, issue it a key and start its agent.' : 'An admin adds clusters.');
  return element('section', {}, element('h2', {}, 'Clusters'), body, creates ? createForm(rerender) : null);
}

async function drawCharts(container, clusterID) {
  const metrics = await api('GET', `/clusters/${clusterID}/metrics`);
  if (metrics.points.length === 0) {
    container.replaceChildren(element('p', { class: 'muted' }, 'No heartbeats in the last day.'));
    return;
  }
  const { Chart, registerables } = await import('/javascript/chart.js/chart.esm.js');
  Chart.register(...registerables);
  const labels = metrics.points.map((point) => new Date(point.t).toLocaleTimeString());
  const charts = [
    ['CPU %', [['CPU %', metrics.points.map((point) => point.cpu_percent)]]],
    ['Memory (GiB)', [['used', metrics.points.map((point) => point.memory_used_bytes / 2 ** 30)],
      ['total', metrics.points.map((point) => point.memory_total_bytes / 2 ** 30)]]],
    ['Free disk (GiB)', [['free', metrics.points.map((point) => point.disk_free_bytes / 2 ** 30)]]],
  ];
  container.replaceChildren(...charts.map(([title, series]) => {
    const canvas = element('canvas', { 'aria-label': title, role: 'img' });
    new Chart(canvas, {
      type: 'line',
      data: { labels, datasets: series.map(([label, data], index) => ({
        label, data, borderColor: colours[index], backgroundColor: colours[index],
        pointRadius: data.length < 30 ? 3 : 0, borderWidth: 1.5, tension: 0.2 })) },
      options: { animation: false, responsive: true, plugins: { title: { display: true, text: title } }, scales: { x: { ticks: { maxTicksLimit: 8 } } } },
    });
    return element('div', { class: 'card chart' }, canvas);
  }));
}

async function detail({ path, rerender }) {
  const id = path.split('/')[1];
  const cluster = await api('GET', `/clusters/${id}`);
  const charts = element('div', { class: 'grid' }, element('p', { class: 'muted' }, 'Loading graphs…'));
  const parts = [
    element('div', { class: 'toolbar' }, element('h2', {}, cluster.name),
      element('span', { class: `badge ${cluster.online ? 'ok' : 'bad'}` }, cluster.online ? 'online' : 'offline')),
    element('table', {}, element('tbody', {}, element('tr', {}, summary(cluster)))),
    element('p', { class: 'muted' }, `Agent ${cluster.agent_version || 'not seen yet'} · heartbeat every ${cluster.heartbeat_interval} s · `
      + `${cluster.requires_approval ? 'users need approval' : 'no approval needed'} · ${cluster.max_running ? `at most ${cluster.max_running} running` : 'no running limit'}`),
    charts,
  ];
  // The buttons are the cluster's allowed_actions.
  if (allows(cluster, 'issue_key')) {
    const keys = await api('GET', `/clusters/${id}/keys`);
    const shown = element('p', { class: 'card', hidden: true });
    const toggle = allows(cluster, 'disable') ? ['Disable', false, 'Disabled: its agent claims nothing'] : ['Enable', true, 'Enabled'];
    parts.push(element('div', { class: 'actions' },
      element('button', { type: 'button', onclick: () => act(api('PATCH', `/clusters/${id}`, { enabled: toggle[1] }), toggle[2], rerender) }, toggle[0]),
      element('button', { type: 'button', onclick: async () => {
        const label = window.prompt('A label for the new key (where it is used)', 'agent');
        if (label === null) return;
        try {
          const created = await api('POST', `/clusters/${id}/keys`, { label });
          shown.hidden = false;
          shown.replaceChildren(element('strong', {}, 'The new key, shown only now: '), element('code', {}, created.key));
        } catch (error) { toast(error.message, true); }
      } }, 'Issue a key')), shown,
    element('h3', {}, 'Keys'),
    element('table', {}, element('thead', {}, element('tr', {}, ['Label', 'Prefix', 'Created', 'Last used', ''].map((title) => element('th', {}, title)))),
      element('tbody', {}, keys.items.map((key) => element('tr', {},
        element('td', {}, key.label), element('td', {}, element('code', {}, `${key.prefix}…`)), element('td', {}, formatTime(key.created_at)),
        element('td', {}, formatTime(key.last_used_at)),
        element('td', {}, key.active && allows(cluster, 'revoke_key') ? element('button', { type: 'button', class: 'danger', onclick: () => act(
          api('DELETE', `/clusters/${id}/keys/${key.id}`), 'Key revoked', rerender) }, 'Revoke') : element('span', { class: 'badge bad' }, 'revoked')))))));
  }
  drawCharts(charts, id).catch((error) => charts.replaceChildren(element('p', { class: 'error' }, error.message)));
  return element('section', {}, parts);
}

export async function clusters(context) {
  return context.path.includes('/') ? detail(context) : list(context);
}
