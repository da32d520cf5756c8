import { dashboard } from './dashboard.js';
import { users } from './users.js';
import { account } from './account.js';
import { upcoming } from './upcoming.js';

export const sections = [
  { path: 'dashboard', title: 'Dashboard', render: dashboard },
  { path: 'analyses', title: 'Analyses', render: upcoming('Analyses', 'The catalog of analyses your clusters can run (SCF convergence, total energy, bands, forces…), with what each requires, appears here once a cluster agent has reported its capabilities.') },
  { path: 'calculations', title: 'Calculations', render: upcoming('Calculations', 'Create a calculation or a chain of steps, pick a cluster and analyses, and follow its state, progress and events here. Calculations arrive with the cluster agent protocol.') },
  { path: 'molecules', title: 'Molecules', render: upcoming('Molecules', 'Structures (xyz) and, per molecule, its calculations side by side for comparison.') },
  { path: 'models', title: 'Models', render: upcoming('Models', 'Trained models served as containers: their health, restarts and a form to ask for predictions.') },
  { path: 'clusters', title: 'Clusters', render: upcoming('Clusters', 'Each cluster with its agent online or offline, CPU, memory and disk graphs, and its API keys (admins).') },
  { path: 'logs', title: 'Logs', render: upcoming('Logs', 'Live logs of agents and calculations, filtered by cluster and level.') },
  { path: 'users', title: 'Users', render: users },
];

const hidden = [{ path: 'account', title: 'Your account', render: account }];

export function sectionNamed(path) {
  return [...sections, ...hidden].find((section) => section.path === path) ?? sections[0];
}
