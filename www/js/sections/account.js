import { api, adoptSession } from '../api.js';
import { element, field, toast } from '../ui.js';
import { meta } from '../meta.js';

const levelNames = { INFO: 'Every finished calculation', ERROR: 'Only failures (failed, not converged, lost)', NONE: 'No email' };

export async function account({ user, rerender }) {
  const [me, rules] = await Promise.all([api('GET', '/me'), meta()]);
  const name = element('input', { value: me.name, maxlength: 200 });
  const level = element('select', {}, rules.email_levels.map((value) =>
    element('option', { value, selected: value === me.email_level }, levelNames[value] ?? value)));
  const profile = element('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    try {
      adoptSession(await api('PATCH', '/me', { name: name.value, email_level: level.value }));
      toast('Saved');
      rerender();
    } catch (error) { toast(error.message, true); }
  } }, element('h3', {}, 'Profile'), element('p', { class: 'muted' }, me.email),
  field('Name', name), field('Email me about', level), element('button', { class: 'primary', type: 'submit' }, 'Save'));

  const current = element('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = element('input', { type: 'password', autocomplete: 'new-password', minlength: 10, required: true });
  const password = element('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    try {
      adoptSession(await api('PATCH', '/me', { password: next.value, current_password: current.value }));
      current.value = ''; next.value = '';
      toast('Password changed; your other sessions were signed out');
    } catch (error) { toast(error.message, true); }
  } }, element('h3', {}, 'Password'), field('Current password', current), field('New password (10 characters or more)', next),
  element('button', { class: 'primary', type: 'submit' }, 'Change password'));

  return element('section', {}, element('h2', {}, 'Your account'), element('div', { class: 'grid' }, profile, password));
}
