import { api } from '../api.js';
import { allows, meta } from '../meta.js';
import { lineChart } from '../charts.js';
import { act, element, emptyState, field, formatTime, toast } from '../ui.js';

const gib = (bytes) => (bytes / 2 ** 30).toFixed(1);


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

// Time ranges as Grafana offers them; the range lives in the URL (#/clusters/3?range=7d or ?since=&until=).
const ranges = { '1h': ['Last hour', 3600], '1d': ['Last day', 86400], '7d': ['Last week', 7 * 86400] };

function rangeOf(query) {
  if (query.get('since')) return { since: new Date(query.get('since')), until: query.get('until') ? new Date(query.get('until')) : new Date() };
  const seconds = ranges[query.get('range') ?? '1d']?.[1] ?? 86400;
  return { since: new Date(Date.now() - seconds * 1000), until: new Date() };
}

async function drawCharts(container, clusterID, range, updated) {
  const parameters = new URLSearchParams({ since: range.since.toISOString(), until: range.until.toISOString() });
  const metrics = await api('GET', `/clusters/${clusterID}/metrics?${parameters}`);
  updated.textContent = `Last updated ${new Date().toLocaleTimeString()} · ${metrics.resolution} points`;
  if (metrics.points.length === 0) {
    container.replaceChildren(element('p', { class: 'muted' }, 'No heartbeats in this range.'));
    return;
  }
  const points = (key, scale = 1) => metrics.points.map((point) => ({ x: Date.parse(point.t), y: point[key] / scale }));
  const charts = [
    ['CPU %', [{ label: 'CPU %', points: points('cpu_percent') }]],
    ['Memory (GiB)', [{ label: 'used', points: points('memory_used_bytes', 2 ** 30) }, { label: 'total', points: points('memory_total_bytes', 2 ** 30), dashed: true }]],
    ['Free disk (GiB)', [{ label: 'free', points: points('disk_free_bytes', 2 ** 30) }]],
  ];
  container.replaceChildren(...charts.map(([title, series]) => {
    const canvas = element('canvas', { 'aria-label': `${title} from ${range.since.toLocaleString()} to ${range.until.toLocaleString()}`, role: 'img' });
    // Times as categories, formatted for the range: hours within a day, dates beyond.
    const long = range.until - range.since > 86400 * 1000;
    const categories = series[0].points.map((point) => (long ? new Date(point.x).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit' })
      : new Date(point.x).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
    lineChart(canvas, { title, categories, series }).catch((error) => canvas.replaceWith(element('p', { class: 'error' }, error.message)));
    return element('div', { class: 'card chart' }, element('div', { class: 'chart-box' }, canvas));
  }));
}

/** The agent's config for this cluster, filled in, and a staged check of its connection. */
async function connectAgent(cluster, keys) {
  const config = [
    `api_url = ${location.origin}`, 'key_file = /etc/calcflow/agent.key   # the ck_ key issued above, alone on one line, mode 0600',
    `work_root = /scratch/calcflow/${cluster.name}`, 'executor = local    # or slurm', 'max_parallel = 4',
    `heartbeat_interval = ${cluster.heartbeat_interval}`, 'xtb = /usr/bin/xtb', 'pw = /usr/bin/pw.x', 'qe_pseudo_dir = /usr/share/espresso/pseudo',
  ].join('\n');
  const catalog = await api('GET', '/analyses');
  const engines = [...new Set(catalog.items.filter((item) => item.clusters.some((entry) => entry.cluster === cluster.name)).map((item) => item.engine))];
  const used = keys.items.filter((key) => key.active && key.last_used_at);
  const stages = [
    [keys.items.some((key) => key.active), 'A key is issued', 'Issue a key above and save it on the cluster in key_file.'],
    [used.length > 0, 'The agent used its key', 'Start calcflow-agent with this config (systemctl start calcflow-agent) and check its log: a 401 means the key file does not hold the key.'],
    [Boolean(cluster.last_seen_at), 'Its first heartbeat arrived', 'The agent reaches the API but sends no heartbeat: check api_url and that the agent keeps running.'],
    [engines.length > 0, `Its engines are registered${engines.length ? ` (${engines.join(', ')})` : ''}`, 'The agent found no engine: set the paths of xtb, pw.x or siesta in its config.'],
  ];
  let failed = false;
  return element('section', { 'aria-labelledby': 'connect-title' }, element('h3', { id: 'connect-title' }, 'Connect an agent'),
    element('p', { class: 'muted' }, 'Install calcflow-agent on the cluster, save this as /etc/calcflow/agent.conf, and follow the checks below.'),
    element('pre', { class: 'code' }, config),
    element('button', { type: 'button', onclick: () => navigator.clipboard.writeText(config).then(() => toast('Copied'), () => toast('Copy it by hand', true)) }, 'Copy the config'),
    element('ol', { class: 'stages' }, stages.map(([ok, title, fix]) => {
      const state = ok ? 'done' : failed ? 'waiting' : 'failed';
      if (!ok) failed = true;
      return element('li', { class: `stage ${state}` }, element('strong', {}, `${ok ? '✓' : state === 'failed' ? '✗' : '…'} ${title}`),
        ok ? null : element('p', { class: state === 'failed' ? 'error' : 'muted' }, state === 'failed' ? fix : 'After the step before.'));
    })));
}

function settingsForm(cluster, rerender) {
  const description = element('input', { value: cluster.description });
  const maxRunning = element('input', { type: 'number', min: 0, value: cluster.max_running });
  const approval = element('input', { type: 'checkbox', checked: cluster.requires_approval });
  return element('form', { class: 'card', onsubmit: (event) => {
    event.preventDefault();
    act(api('PATCH', `/clusters/${cluster.id}`, { description: description.value, max_running: Number(maxRunning.value), requires_approval: approval.checked }),
      'Saved', rerender);
  } }, element('h3', {}, 'Settings'), element('div', { class: 'form-row' }, field('Description', description), field('Running at most (0: no limit)', maxRunning),
    element('label', {}, approval, ' Users need approval')), element('button', { class: 'primary', type: 'submit' }, 'Save'));
}

let refreshTimer = null;

async function detail({ path, rerender }) {
  const id = path.split('/')[1];
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const cluster = await api('GET', `/clusters/${id}`);
  const go = (changes) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(changes)) { if (value) next.set(key, value); else next.delete(key); }
    location.hash = `#/clusters/${id}?${next}`;
  };
  const range = rangeOf(query);
  const charts = element('div', { class: 'grid charts' }, element('p', { class: 'muted' }, 'Loading graphs…'));
  const updated = element('span', { class: 'muted', 'aria-live': 'polite' });
  const rangeSelect = element('select', { 'aria-label': 'Time range', onchange: (event) => (event.target.value === 'custom'
    ? go({ since: new Date(Date.now() - 86400 * 1000).toISOString().slice(0, 16), until: '', range: '' }) : go({ range: event.target.value, since: '', until: '' })) },
  Object.entries(ranges).map(([value, [label]]) => element('option', { value, selected: !query.get('since') && (query.get('range') ?? '1d') === value }, label)),
  element('option', { value: 'custom', selected: Boolean(query.get('since')) }, 'Custom…'));
  const local = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const custom = query.get('since') ? element('span', { class: 'actions' },
    field('From', element('input', { type: 'datetime-local', value: local(range.since), onchange: (event) => go({ since: new Date(event.target.value).toISOString() }) })),
    field('To', element('input', { type: 'datetime-local', value: local(range.until), onchange: (event) => go({ until: new Date(event.target.value).toISOString() }) }))) : null;
  const refresh = element('select', { 'aria-label': 'Auto-refresh', onchange: (event) => go({ refresh: event.target.value }) },
    [['', 'No auto-refresh'], ['10', 'Every 10 s'], ['30', 'Every 30 s'], ['60', 'Every minute']].map(([value, label]) =>
      element('option', { value, selected: (query.get('refresh') ?? '') === value }, label)));
  clearInterval(refreshTimer);
  if (query.get('refresh')) {
    refreshTimer = setInterval(() => {
      if (!document.body.contains(charts)) { clearInterval(refreshTimer); return; }
      drawCharts(charts, id, rangeOf(query), updated).catch(() => {});
    }, Number(query.get('refresh')) * 1000);
  }
  const parts = [
    element('div', { class: 'toolbar' }, element('h2', {}, cluster.name),
      element('span', { class: `badge ${cluster.online ? 'ok' : 'bad'}` }, cluster.online ? 'online' : 'offline')),
    element('table', {}, element('tbody', {}, element('tr', {}, summary(cluster)))),
    element('p', { class: 'muted' }, `Agent ${cluster.agent_version || 'not seen yet'} · heartbeat every ${cluster.heartbeat_interval} s · `
      + `${cluster.requires_approval ? 'users need approval' : 'no approval needed'} · ${cluster.max_running ? `at most ${cluster.max_running} running` : 'no running limit'}`),
    element('div', { class: 'filters' }, rangeSelect, custom, refresh, updated),
    charts,
  ];
  // The buttons are the cluster's allowed_actions.
  if (allows(cluster, 'issue_key')) {
    const keys = await api('GET', `/clusters/${id}/keys`);
    const shown = element('div', { class: 'card', hidden: true, role: 'status' });
    const toggle = allows(cluster, 'disable') ? ['Disable', false, 'Disabled: its agent claims nothing'] : ['Enable', true, 'Enabled'];
    parts.push(element('div', { class: 'actions' },
      element('button', { type: 'button', onclick: () => act(api('PATCH', `/clusters/${id}`, { enabled: toggle[1] }), toggle[2], rerender) }, toggle[0]),
      element('button', { type: 'button', onclick: async () => {
        const label = window.prompt('A label for the new key (where it is used)', 'agent');
        if (label === null) return;
        try {
          const created = await api('POST', `/clusters/${id}/keys`, { label });
          shown.hidden = false;
          shown.replaceChildren(element('strong', {}, 'The new key, shown only now: '), element('code', {}, created.key), ' ',
            element('button', { type: 'button', onclick: () => navigator.clipboard.writeText(created.key).then(() => toast('Copied'), () => toast('Copy it by hand', true)) }, 'Copy'));
        } catch (error) { toast(error.message, true); }
      } }, 'Issue a key')), shown,
    element('h3', {}, 'Keys'),
    element('table', {}, element('thead', {}, element('tr', {}, ['Label', 'Prefix', 'Created', 'Last used', ''].map((title) => element('th', { scope: 'col' }, title)))),
      element('tbody', {}, keys.items.map((key) => element('tr', {},
        element('td', {}, key.label), element('td', {}, element('code', {}, `${key.prefix}…`)), element('td', {}, formatTime(key.created_at)),
        element('td', {}, formatTime(key.last_used_at)),
        element('td', {}, key.active && allows(cluster, 'revoke_key') ? element('button', { type: 'button', class: 'danger', onclick: () => act(
          api('DELETE', `/clusters/${id}/keys/${key.id}`), 'Key revoked', rerender) }, 'Revoke') : element('span', { class: 'badge bad' }, 'revoked')))))),
    await connectAgent(cluster, keys));
    if (allows(cluster, 'edit')) parts.push(settingsForm(cluster, rerender));
  }
  drawCharts(charts, id, range, updated).catch((error) => charts.replaceChildren(element('p', { class: 'error' }, error.message)));
  return element('section', {}, parts);
}

export async function clusters(context) {
  return context.path.includes('/') ? detail(context) : list(context);
}
