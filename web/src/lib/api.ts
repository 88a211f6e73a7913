// The one place the portal talks to the server: authentication (API key or session cookie
// with its CSRF token), JSON, and errors shaped as the API shapes them.

export type Auth =
  | { kind: 'key'; key: string; user: string }
  | { kind: 'session'; csrf: string; user: string; roles: string[]; tenants: string[] };

let current: Auth | null = null;
const tenantKey = 'vigil.tenant';

/** tenant is the tenant the portal acts in (X-Vigil-Tenant); empty for the principal's default. */
export function getTenant(): string {
  return sessionStorage.getItem(tenantKey) ?? '';
}

export function setTenant(t: string): void {
  if (t) sessionStorage.setItem(tenantKey, t);
  else sessionStorage.removeItem(tenantKey);
}
let onUnauthorized: (() => void) | null = null;

export function setAuth(a: Auth | null): void {
  current = a;
}

export function getAuth(): Auth | null {
  return current;
}

/** setUnauthorizedHandler is called when the server answers 401: the sign-in has expired. */
export function setUnauthorizedHandler(f: (() => void) | null): void {
  onUnauthorized = f;
}

/** Diagnostic is one compiler diagnostic of runHuntingQuery: start and end are byte offsets. */
export interface Diagnostic {
  line: number;
  column: number;
  start: number;
  end: number;
  message: string;
  severity: string;
}

/** ApiError is an error answer: the API's code and message, and a query's diagnostics. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly diagnostics: Diagnostic[];
  constructor(status: number, code: string, message: string, diagnostics: Diagnostic[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.diagnostics = diagnostics;
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; diagnostics?: Diagnostic[] };
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** rawBody is sent as it is (a YAML rule, a STIX bundle), with contentType. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** noAuthRedirect keeps a 401 from signing the user out (for the sign-in calls). */
  noAuthRedirect?: boolean;
}

/** send makes the request and reads the answer's text; an error answer throws ApiError. */
async function send(path: string, opts: RequestOptions, accept: string): Promise<{ res: Response; text: string; data: unknown }> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: accept, ...opts.headers };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.rawBody !== undefined) headers['Content-Type'] = opts.contentType ?? 'text/plain';
  if (current?.kind === 'key') headers.Authorization = `Bearer ${current.key}`;
  const tenant = getTenant();
  if (tenant) headers['X-Vigil-Tenant'] = tenant;
  if (current?.kind === 'session' && method !== 'GET') headers['X-CSRF-Token'] = current.csrf;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.rawBody ?? (opts.body === undefined ? null : JSON.stringify(opts.body)),
      credentials: 'same-origin',
      signal: opts.signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  const text = await res.text();
  let data: unknown = null;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.noAuthRedirect) onUnauthorized?.();
    const err = (data as ErrorBody | null)?.error;
    throw new ApiError(res.status, err?.code ?? `http${res.status}`, err?.message ?? `${res.status} ${res.statusText}`, err?.diagnostics ?? []);
  }
  return { res, text, data };
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  return (await send(path, opts, 'application/json')).data as T;
}

/** TextAnswer is a document the API answers as it is (a rule's YAML source), not as JSON. */
export interface TextAnswer {
  text: string;
  contentType: string;
  etag: string;
}

/** apiText fetches a document as text, with its content type and ETag. */
export async function apiText(path: string, opts: RequestOptions = {}): Promise<TextAnswer> {
  const { res, text } = await send(path, opts, '*/*');
  return { text, contentType: res.headers.get('Content-Type') ?? '', etag: res.headers.get('ETag') ?? '' };
}

/** errorText is what an error says to a person. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.status === 0 ? e.message : `${e.message} (${e.code}, HTTP ${e.status})`;
  if (e instanceof Error) return e.message;
  return String(e);
}
