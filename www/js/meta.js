// GET /api/v1/meta, once per session: the states, roles, engines, limits and collection actions that
// pages need. Pages never keep their own copy of the API's rules.
import { api, onSessionChange } from './api.js';

let pending = null;
onSessionChange(() => { pending = null; });

export function meta() {
  pending ??= api('GET', '/meta').catch((error) => { pending = null; throw error; });
  return pending;
}

/** True when the API lists `action` for this resource (or, without one, for the signed-in role). */
export function allows(resourceOrMeta, action) {
  return (resourceOrMeta?.allowed_actions ?? []).includes(action);
}
