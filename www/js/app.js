import { login, logout, mayHaveSession, refresh, onSessionChange, ApiError } from './api.js';
import { element } from './ui.js';
import { sections, sectionNamed } from './sections/index.js';

const loginView = document.getElementById('login-view');
const appView = document.getElementById('app-view');
const nav = document.getElementById('nav');
const main = document.getElementById('section');
let currentUser = null;

function showLogin() {
  appView.hidden = true;
  loginView.hidden = false;
  document.getElementById('login-email').focus();
}

function showApp(user) {
  currentUser = user;
  loginView.hidden = true;
  appView.hidden = false;
  document.getElementById('account-link').textContent = `${user.name || user.email} (${user.role})`;
  nav.replaceChildren(...sections.map((section) =>
    element('a', { href: `#/${section.path}`, 'data-section': section.path }, section.title)));
  route();
}

let renderCount = 0;

async function route() {
  if (!currentUser) return;
  // A slow page must not paint over the one asked for after it.
  const render = ++renderCount;
  const path = location.hash.replace(/^#\/?/, '').split('?')[0] || 'dashboard';
  const section = sectionNamed(path.split('/')[0]);
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('active', link.dataset.section === section.path);
  document.title = `${section.title} · Calcflow`;
  main.replaceChildren(element('p', { class: 'muted' }, 'Loading…'));
  try {
    const content = await section.render({ user: currentUser, path, rerender: route });
    if (render !== renderCount) return;
    main.replaceChildren(content);
  } catch (error) {
    if (render !== renderCount || (error instanceof ApiError && error.status === 401)) return;
    main.replaceChildren(element('div', { class: 'card' }, element('h3', {}, 'This page could not load'),
      element('p', { class: 'error' }, error.message)));
  }
  main.focus();
}

onSessionChange((user) => {
  if (user) {
    const firstTime = !currentUser;
    currentUser = user;
    if (firstTime) showApp(user);
    else document.getElementById('account-link').textContent = `${user.name || user.email} (${user.role})`;
  } else {
    currentUser = null;
    showLogin();
  }
});

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const message = document.getElementById('login-error');
  const button = event.submitter;
  message.hidden = true;
  if (button) button.disabled = true;
  try {
    await login(document.getElementById('login-email').value, document.getElementById('login-password').value);
    document.getElementById('login-password').value = '';
  } catch (error) {
    message.textContent = error.message;
    message.hidden = false;
  } finally {
    if (button) button.disabled = false;
  }
});

document.getElementById('logout').addEventListener('click', () => logout());
window.addEventListener('hashchange', route);

// A reload keeps the session: the refresh cookie gives a new access token, or the login shows.
if (mayHaveSession()) refresh().catch(() => showLogin());
else showLogin();
