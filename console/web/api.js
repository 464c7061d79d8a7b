// The admin API from the console. Signed in, the browser holds a session
// cookie (HttpOnly: this script never sees it); every change also sends the
// CSRF token the sign-in answered, which no page of another site can know.

let csrf = '';
let me = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || '';
    this.body = body;
  }
}

export async function api(method, path, body, { raw = false, contentType } = {}) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Blob) {
      payload = body;
      headers['Content-Type'] = contentType || 'text/plain';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const type = res.headers.get('Content-Type') || '';
  const parsed = type.startsWith('application/json') ? await res.json() : await res.text();
  if (res.status === 401 && path !== '/v1/session') {
    me = null;
    window.dispatchEvent(new Event('signed-out'));
  }
  if (!res.ok) throw new ApiError(res.status, typeof parsed === 'object' ? parsed : { message: parsed });
  return raw ? { status: res.status, body: parsed } : parsed;
}

export async function signIn(token) {
  const who = await api('POST', '/v1/session', { token });
  csrf = who.csrf;
  me = who;
  return who;
}

// The session a reload finds (the cookie outlives the page), or null.
export async function resume() {
  try {
    const who = await api('GET', '/v1/session');
    csrf = who.csrf || '';
    me = who;
    return who;
  } catch {
    return null;
  }
}

export async function signOut() {
  try { await api('DELETE', '/v1/session'); } catch { /* gone already */ }
  me = null;
  csrf = '';
}

export function who() { return me; }
export function may(permission) { return Boolean(me && me.may && me.may[permission]); }
