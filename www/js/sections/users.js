import { api } from '../api.js';
import { element, field, formatTime, toast } from '../ui.js';

const roles = ['user', 'moderator', 'admin'];

async function act(promise, message, rerender) {
  try {
    await promise;
    toast(message);
    rerender();
  } catch (error) { toast(error.message, true); }
}

function createForm(rerender) {
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

function row(target, user, rerender) {
  const isSelf = target.id === user.id;
  const manages = user.role === 'admin' || (user.role === 'moderator' && target.role !== 'admin');
  const actions = [];
  if (manages && !isSelf) {
    actions.push(element('button', { type: 'button', onclick: () => act(
      api('PATCH', `/users/${target.id}`, { blocked: !target.blocked }),
      `${target.email} ${target.blocked ? 'unblocked' : 'blocked'}`, rerender) }, target.blocked ? 'Unblock' : 'Block'));
  }
  if (manages) {
    actions.push(element('button', { type: 'button', onclick: () => {
      const password = window.prompt(`New password for ${target.email} (10 characters or more)`);
      if (password) act(api('PATCH', `/users/${target.id}`, { password }), 'Password changed; their sessions ended', rerender);
    } }, 'Set password'));
  }
  let roleCell = element('span', { class: 'badge' }, target.role);
  if (user.role === 'admin' && !isSelf) {
    roleCell = element('select', { 'aria-label': `Role of ${target.email}`, onchange: (event) => act(
      api('PATCH', `/users/${target.id}`, { role: event.target.value }), `${target.email} is now ${event.target.value}`, rerender) },
    roles.map((value) => element('option', { value, selected: value === target.role }, value)));
  }
  if (user.role === 'admin' && !isSelf) {
    actions.push(element('button', { type: 'button', onclick: () => act(
      api('POST', `/users/${target.id}/revoke-sessions`), `${target.email} signed out everywhere`, rerender) }, 'Sign out everywhere'));
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
  if (user.role === 'user') {
    return element('section', {}, element('h2', {}, 'Users'),
      element('div', { class: 'card' }, element('p', {}, `You are ${user.email}, a user.`),
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
    user.role === 'admin' ? createForm(rerender) : null,
    element('table', {},
      element('thead', {}, element('tr', {}, ['Email', 'Name', 'Role', 'Status', 'Created', ''].map((title) => element('th', {}, title)))),
      element('tbody', {}, items.map((target) => row(target, user, rerender)))));
}
