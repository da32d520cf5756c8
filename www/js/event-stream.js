// Server-Sent Events over fetch (EventSource cannot send the Authorization header). One stream per
// page: leaving the page ends it, since each holds one of the server's stream threads.
import { currentToken, refresh } from './api.js';

let active = null;

/**
 * Follows `path` until the server ends it, the page goes, or `alive()` turns false. `onMessage(type,
 * data)` gets each message (type "message" when unnamed). Returns the server's end reason, if any.
 * An expired access token is refreshed and the stream resumed.
 */
export async function followEvents(path, { onMessage, alive, onStatus = () => {} }) {
  active?.abort();
  const controller = new AbortController();
  active = controller;
  window.addEventListener('hashchange', () => controller.abort(), { once: true });
  if (!currentToken()) await refresh();
  const response = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${currentToken()}` }, signal: controller.signal });
  if (!response.ok) { onStatus(`Live view unavailable (${response.status})`); return null; }
  onStatus('Live');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ended = null;
  while (alive() && !ended) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const messages = buffer.split('\n\n');
    buffer = messages.pop();
    for (const message of messages) {
      const lines = message.split('\n');
      const data = lines.find((line) => line.startsWith('data: '));
      if (!data) continue;
      const type = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message';
      if (type === 'end') { ended = JSON.parse(data.slice(6)).reason; break; }
      onMessage(type, JSON.parse(data.slice(6)));
    }
  }
  controller.abort();
  if (ended === 'token_expired' && alive() && active === controller) {
    onStatus('Reconnecting…');
    await refresh();
    return followEvents(path, { onMessage, alive, onStatus });
  }
  onStatus(ended ? `Stopped (${ended.replaceAll('_', ' ')})` : 'Stopped');
  return ended;
}
