// views/login.js - sign in with username and password (POST /api/login).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText } from '../forms.js';

export async function loginView(root, params, query, ctx) {
	const form = new Form('login');
	const button = h('button', { type: 'submit' }, t('login.submit'));
	const el = h(
		'form',
		{ class: 'card narrow', novalidate: true },
		form.summary,
		form.field('username', t('login.username'), { autocomplete: 'username', required: true }),
		form.field('password', t('login.password'), { type: 'password', autocomplete: 'current-password', required: true }),
		h('div', { class: 'actions' }, button)
	);
	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		form.clearErrors();
		const username = form.value('username');
		const password = form.control('password').value;
		if (!username) return form.showError(t('login.needUsername'), 'username');
		if (!password) return form.showError(t('login.needPassword'), 'password');
		button.disabled = true;
		try {
			const me = await api('POST', '/login', { username, password });
			ctx.signedIn(me);
		} catch (err) {
			button.disabled = false;
			form.control('password').value = '';
			if (err.status === 401) form.showError(t('login.wrong'));
			else if (err.status === 429) form.showError(t('login.tooMany'));
			else form.showError(errorText(err), err.field);
		}
	});
	root.append(h('h1', {}, t('login.title')), h('p', { class: 'lead' }, t('login.lead')), el);
}
