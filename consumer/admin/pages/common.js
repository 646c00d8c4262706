// What every page of the dashboard shares: the navigation, the token, API calls, safe element building,
// times, and server-sent events read through fetch() (EventSource can't send the Authorization header).
export const tokenKey = 'kafka-harness-admin-token';

const pages = [
  ['/', 'Consumers'],
  ['/topics', 'Topics'],
  ['/groups', 'Groups'],
  ['/docs', 'API docs'],
];

/**
 * Draws what every page's HTML leaves empty: the links in <nav data-pages> (the page itself marked
 * aria-current) and the token box. Runs on import, before the page's own script, which may need both.
 */
function drawPageChrome() {
  const nav = document.querySelector('nav[data-pages]');
  if (nav) {
    pages.forEach(([href, name], index) => {
      if (index > 0) nav.append(' · ');
      nav.append(el('a', { href, text: name, 'aria-current': location.pathname === href ? 'page' : undefined }));
    });
  }
  document
    .getElementById('token-box')
    ?.replaceChildren(
      el('label', {}, 'This server needs its ADMIN_TOKEN: ', el('input', { id: 'token', type: 'password', autocomplete: 'off' })),
      ' ',
      el('button', { id: 'save-token', type: 'button', text: 'Use token' }),
    );
}

export function authHeaders(json) {
  const result = json ? { 'content-type': 'application/json' } : {};
  const token = sessionStorage.getItem(tokenKey);
  if (token) result.authorization = `Bearer ${token}`;
  return result;
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export async function api(method, path, payload) {
  const response = await fetch(path, {
    method,
    headers: authHeaders(payload !== undefined),
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  if (response.status === 401) askForToken();
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ detail: response.statusText }));
    throw new ApiError(response.status, problem.detail ?? `HTTP ${response.status}`);
  }
  return response.status === 204 ? undefined : response.json();
}

/** Shows the token box (every page has one) and reloads once a token is given. */
export function askForToken() {
  const box = document.getElementById('token-box');
  if (!box?.hidden) return;
  box.hidden = false;
  document.getElementById('save-token').addEventListener('click', () => {
    sessionStorage.setItem(tokenKey, document.getElementById('token').value);
    location.reload();
  });
}

/** An element with text only: anything from the broker (keys, headers, values) lands in textContent, never in HTML. */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') element.textContent = String(value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== undefined && child !== null) element.append(child);
  return element;
}

const pad = (value) => String(value).padStart(2, '0');
export function clock(ms) {
  const date = new Date(ms);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export const formatNumber = (value) => (value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US'));

/**
 * Reads a text/event-stream and calls onEvent(type, data) for each event; reconnects after a
 * dropped connection (the server restarted, the laptop slept) until the signal aborts.
 */
export async function streamEvents(path, onEvent, onDisconnect, signal) {
  while (!signal.aborted) {
    try {
      const response = await fetch(path, { headers: authHeaders(false), signal });
      if (response.status === 401) askForToken();
      if (!response.ok) {
        const problem = await response.json().catch(() => ({ detail: response.statusText }));
        throw new ApiError(response.status, problem.detail ?? `HTTP ${response.status}`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) onEvent(type, JSON.parse(data.join('\n')));
          end = buffer.indexOf('\n\n');
        }
      }
      onDisconnect(new Error('the server closed the stream'));
    } catch (error) {
      if (signal.aborted) return;
      onDisconnect(error);
      if (error instanceof ApiError && error.status < 500) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

drawPageChrome();
