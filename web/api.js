// api.js - the one place that talks to the server: JSON in and out, the CSRF token on every
// state-changing request, and errors as ApiError {status, message, field, code}.

let csrfToken = null;
let onUnauthorized = () => {};

export class ApiError extends Error {
	constructor(status, body) {
		super((body && body.error) || `HTTP ${status}`);
		this.status = status;
		this.field = (body && body.field) || null;
		this.code = (body && body.code) || null; // stable machine code (docs/API.md, Errors)
	}
}

export function setCsrf(token) {
	csrfToken = token || null;
}

/* Called on a 401 from anything but the login itself: the session expired. */
export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

export async function api(method, path, body) {
	const headers = { Accept: 'application/json' };
	const opts = { method, headers, credentials: 'same-origin', cache: 'no-store' };
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
	let res;
	try {
		res = await fetch('/api' + path, opts);
	} catch (e) {
		throw new ApiError(0, null);
	}
	let data = null;
	if (res.status !== 204) {
		const text = await res.text();
		try {
			data = text ? JSON.parse(text) : null;
		} catch (e) {
			data = null;
		}
	}
	if (!res.ok) {
		if (res.status === 401 && path !== '/login' && path !== '/me') onUnauthorized();
		throw new ApiError(res.status, data);
	}
	return data;
}

/* Query string from an object, leaving out empty values. */
export function qs(params) {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
	const s = u.toString();
	return s ? '?' + s : '';
}
