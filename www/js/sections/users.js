import { api } from '../api.js';
import { allows, meta } from '../meta.js';
import { act, element, field, formatTime, toast } from '../ui.js';


function createForm(roles, rerender) {
  const email = element('input', { type: 'email', required: true });
  const name = element('input', {});
  const role = element('select', {}, roles.map((value) => element('option', { value }, value)));
  const password = element('input', { type: 'password', minlength: 10, required: true, autocomplete: 'new-password' });
  return element('form', { class: 'card', onsubmit: (event) => {
    event.preventDefault();
    act(api('POST', '/users', { email: email.value, name: name.value, role: role.value, password: password.value }),
      `Added ${email.value}`, rerender);
  } }, element('h3', {}, 'Add a user'),
  element('div', { class: 'form-row' }, field('Email', email), field('Name', name), field('Role', role),
    field('Password', password), element('button', { class: 'primary', type: 'submit' }, 'Add')));
}

// Every button is one the API listed in the account's allowed_actions.
function row(target, user, roles, rerender) {
  const isSelf = target.id === user.id;
  const actions = [];
  for (const [action, label, blocked] of [['block', 'Block', true], ['unblock', 'Unblock', false]]) {
    if (!allows(target, action)) continue;
    actions.push(element('button', { type: 'button', onclick: () => act(
      api('PATCH', `/users/${target.id}`, { blocked }), `${target.email} ${blocked ? 'blocked' : 'unblocked'}`, rerender) }, label));
  }
  if (allows(target, 'set_password') && !isSelf) {
    actions.push(element('button', { type: 'button', onclick: () => {
      const password = window.prompt(`New password for ${target.email} (10 characters or more)`);
      if (password) act(api('PATCH', `/users/${target.id}`, { password }), 'Password changed; their sessions ended', rerender);
    } }, 'Set password'));
  }
  let roleCell = element('span', { class: 'badge' }, target.role);
  if (allows(target, 'change_role')) {
    roleCell = element('select', { 'aria-label': `Role of ${target.email}`, onchange: (event) => act(
      api('PATCH', `/users/${target.id}`, { role: event.target.value }), `${target.email} is now ${event.target.value}`, rerender) },
    roles.map((value) => element('option', { value, selected: value === target.role }, value)));
  }
  if (allows(target, 'revoke_sessions') && !isSelf) {
    actions.push(element('button', { type: 'button', onclick: () => act(
      api('POST', `/users/${target.id}/revoke-sessions`), `${target.email} signed out everywhere`, rerender) }, 'Sign out everywhere'));
  }
  if (allows(target, 'delete')) {
    actions.push(element('button', { type: 'button', class: 'danger', onclick: () => {
      if (window.confirm(`Delete ${target.email}? Their calculations stay.`)) {
        act(api('DELETE', `/users/${target.id}`), `${target.email} deleted`, rerender);
      }
    } }, 'Delete'));
  }
  return element('tr', {},
    element('td', {}, target.email, isSelf ? element('span', { class: 'muted' }, ' (you)') : null),
    element('td', {}, target.name),
    element('td', {}, roleCell),
    element('td', {}, element('span', { class: `badge ${target.blocked ? 'bad' : 'ok'}` }, target.blocked ? 'blocked' : 'active')),
    element('td', {}, formatTime(target.created_at)),
    element('td', {}, element('div', { class: 'actions' }, actions)));
}

export async function users({ user, rerender }) {
  const rules = await meta();
  if (!allows(rules, 'list_users')) {
    return element('section', {}, element('h2', {}, 'Users'),
      element('div', { class: 'card' }, element('p', {}, `You are ${user.email}, a ${user.role}.`),
        element('p', { class: 'muted' }, 'Moderators and admins manage accounts here. Your own settings are under '),
        element('a', { href: '#/account' }, 'Your account')));
  }
  const items = [];
  let cursor = null;
  do {
    const page = await api('GET', `/users?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return element('section', {},
    element('div', { class: 'toolbar' }, element('h2', {}, 'Users'), element('span', { class: 'muted' }, `${items.length} accounts`)),
    allows(rules, 'create_user') ? createForm(rules.roles, rerender) : null,
    element('table', {},
      element('thead', {}, element('tr', {}, ['Email', 'Name', 'Role', 'Status', 'Created', ''].map((title) => element('th', {}, title)))),
      element('tbody', {}, items.map((target) => row(target, user, rules.roles, rerender)))));
}
