// Small DOM helpers: elements are built with textContent, never innerHTML, so no data is ever markup.

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let toastTimer;
export function toast(message, bad = false) {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.classList.toggle('bad', bad);
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 4000);
}

export function formatTime(rfc3339) {
  if (!rfc3339) return '—';
  return new Date(rfc3339).toLocaleString();
}

export function field(label, input) {
  return element('label', {}, label, input);
}

export function emptyState(title, text) {
  return element('div', { class: 'card' }, element('h3', {}, title), element('p', { class: 'muted' }, text));
}

/** Runs an API call for a button: its message (or the API's error) as a toast, then the page again. */
export async function act(promise, message, rerender) {
  try {
    const result = await promise;
    if (message) toast(message);
    rerender();
    return result;
  } catch (error) { toast(error.message, true); return null; }
}
