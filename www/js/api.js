// The API client: the access token lives only in memory; the refresh token is an HttpOnly cookie
// that only /api/v1/auth ever receives, so a page reload signs in again through refresh().

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message ?? `the server answered ${status}`);
    this.status = status;
    this.code = error.code ?? 'unknown';
    this.field = error.field;
  }
}

let accessToken = null;
// Whether this browser holds a session (the refresh cookie itself is HttpOnly and path-bound, so
// scripts cannot see it): without one, a page load shows the login without a refresh that would fail.
const sessionMarker = 'calcflow.session';
let refreshing = null;
const listeners = new Set();

export function onSessionChange(listener) { listeners.add(listener); }
function announce(user) { for (const listener of listeners) listener(user); }

async function parse(response) {
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  const body = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

function remember(session) {
  accessToken = session.access_token;
  localStorage.setItem(sessionMarker, '1');
  announce(session.user);
  return session.user;
}

export async function login(email, password) {
  const response = await fetch('/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, credentials: 'same-origin',
    body: JSON.stringify({ email, password }),
  });
  return remember(await parse(response));
}

/** A new access token from the cookie; one refresh at a time, shared by every waiting request. */
export function refresh() {
  refreshing ??= fetch('/api/v1/auth/refresh', { method: 'POST', credentials: 'same-origin' })
    .then(parse)
    .then(remember)
    .catch((error) => { accessToken = null; localStorage.removeItem(sessionMarker); announce(null); throw error; })
    .finally(() => { refreshing = null; });
  return refreshing;
}

export async function logout() {
  await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
  accessToken = null;
  localStorage.removeItem(sessionMarker);
  announce(null);
}

/** True when this browser signed in before and has not signed out: a refresh may then succeed. */
export function mayHaveSession() { return localStorage.getItem(sessionMarker) === '1'; }

/** Calls /api/v1 with the access token, refreshing it once on a 401. `raw` returns the Response itself. */
export async function api(method, path, body, { raw = false } = {}) {
  const send = () => fetch(`/api/v1${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let response = await send();
  if (response.status === 401 && !path.startsWith('/auth/')) {
    await refresh();
    response = await send();
  }
  if (raw) {
    if (!response.ok) await parse(response);
    return response;
  }
  return parse(response);
}

/** The current access token, for streams that read the response as it arrives. */
export function currentToken() { return accessToken; }

/** Keeps the session when a response carries a new one (a changed password). */
export function adoptSession(session) {
  if (session?.access_token) remember(session);
}
