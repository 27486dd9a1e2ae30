/**
 * The REST client: Bearer token, JSON, If-Match, and RFC 9457 problems as errors.
 *
 * Every path is relative to the service root, so the gadget works under any
 * deployment prefix.
 */

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors;
    this.current = problem.current;
    this.changed_by = problem.changed_by;
    this.changed_at = problem.changed_at;
    this.merged_into = problem.merged_into; // a 404 for a customer merged into another
  }
}

/** The ETag of a versioned representation, as the service writes it. */
export function etagOf(version) {
  return `"${version}"`;
}

export function createApi({ base, getToken, onUnauthorized }) {
  // `token`: try another token than the session's (a host's refresh) without ending the session.
  async function call(method, path, { body, query, ifMatch, signal, auth = true, token: tried } = {}) {
    const url = new URL(path, base);
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
    }
    const headers = { Accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = auth ? tried || getToken() : null;
    // No session (ended, or waiting for the host's new token): nothing to ask the service.
    if (auth && !token) throw new ApiError(401, { detail: 'Not signed in.' });
    if (token) headers.Authorization = `Bearer ${token}`;
    if (ifMatch) headers['If-Match'] = ifMatch;
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      throw new ApiError(0, {});
    }
    const data = await parse(response);
    if (!response.ok) {
      const error = new ApiError(response.status, data && typeof data === 'object' ? data : {});
      if (response.status === 401 && auth && token && !tried) onUnauthorized?.(error);
      throw error;
    }
    const etag = response.headers.get('ETag')
      || (data && data.version !== undefined ? etagOf(data.version) : null);
    return { data, etag, status: response.status };
  }

  const data = (method) => async (path, body, options = {}) => (
    await call(method, path, { ...options, body })
  ).data;

  return {
    call,
    get: async (path, options = {}) => (await call('GET', path, options)).data,
    post: data('POST'),
    put: data('PUT'),
    patch: data('PATCH'),
    del: async (path, options = {}) => (await call('DELETE', path, options)).data,
  };
}

async function parse(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
