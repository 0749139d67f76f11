// The gateway's REST API with the key from sessionStorage, and small DOM helpers.
const KEY_STORAGE = 'wa-gateway.key';

export const keyStore = {
  get: () => sessionStorage.getItem(KEY_STORAGE) ?? '',
  set: (key) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body?.errors?.map((e) => e.messages.join(', ')).join('; ') || body?.error;
    super(
      body?.message ? (detail ? `${body.message}: ${detail}` : body.message) : `HTTP ${status}`,
    );
    this.status = status;
    this.body = body;
  }
}

/** Calls the API; resolves with the envelope, rejects with ApiError (message from the envelope). */
export async function api(path, { method = 'GET', body, raw = false } = {}) {
  const headers = { Authorization: `Bearer ${keyStore.get()}` };
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload });
  if (raw && response.ok) {
    return response;
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, parsed);
  }
  return parsed;
}

export const $ = (id) => document.getElementById(id);

/** Creates an element: el('td', {class: 'x'}, 'text', child). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) {
      continue;
    }
    if (name.startsWith('on')) {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child);
    }
  }
  return node;
}

export const enc = encodeURIComponent;

export function timeOf(iso) {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString();
}

export function dateTimeOf(iso) {
  if (!iso) {
    return '—';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? '—'
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Runs an async UI action, showing its error in `errorNode` and disabling `button` meanwhile. */
export async function guarded(errorNode, action, button) {
  if (errorNode) {
    errorNode.textContent = '';
  }
  if (button) {
    button.disabled = true;
  }
  try {
    return await action();
  } catch (error) {
    if (errorNode) {
      errorNode.textContent = error.message;
    }
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
    }
  }
}

/** Fetches `path` (with the key) and saves the answer as `fileName`; errors go to `errorNode`. */
export async function download(path, fileName, errorNode) {
  const response = await guarded(errorNode, () => api(path, { raw: true }));
  if (!response) {
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
