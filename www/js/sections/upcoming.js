import { element } from '../ui.js';

/** A section whose API is not in this version yet: it says what will be here, and nothing pretends. */
export function upcoming(title, description) {
  return async () => element('section', {},
    element('h2', {}, title),
    element('div', { class: 'card' },
      element('p', {}, description),
      element('p', { class: 'muted' }, 'Not available in this version of Calcflow yet.')));
}
