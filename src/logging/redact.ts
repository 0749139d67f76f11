const SECRET_PARAMS = new Set(['api_key', 'apikey', 'token', 'key', 'access_token']);

/** The URL with credential query parameters replaced, so logs never carry keys. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) {
    return url;
  }
  const params = new URLSearchParams(url.slice(query + 1));
  let changed = false;
  for (const name of [...params.keys()]) {
    if (SECRET_PARAMS.has(name.toLowerCase())) {
      params.set(name, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, query)}?${params.toString()}` : url;
}
