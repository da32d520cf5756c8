import { dashboard } from './dashboard.js';
import { analyses } from './analyses.js';
import { calculations } from './calculations.js';
import { molecules } from './molecules.js';
import { clusters } from './clusters.js';
import { logs } from './logs.js';
import { users } from './users.js';
import { account } from './account.js';
import { models } from './models.js';

export const sections = [
  { path: 'dashboard', title: 'Dashboard', render: dashboard },
  { path: 'analyses', title: 'Analyses', render: analyses },
  { path: 'calculations', title: 'Calculations', render: calculations },
  { path: 'molecules', title: 'Molecules', render: molecules },
  { path: 'models', title: 'Models', render: models },
  { path: 'clusters', title: 'Clusters', render: clusters },
  { path: 'logs', title: 'Logs', render: logs },
  { path: 'users', title: 'Users', render: users },
];

const hidden = [{ path: 'account', title: 'Your account', render: account }];

export function sectionNamed(path) {
  return [...sections, ...hidden].find((section) => section.path === path) ?? sections[0];
}
