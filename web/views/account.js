// views/account.js - who is signed in, for which organisation and in what role; their own password
// (POST /api/me/password: the current one required; their other sessions end); sign out.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText } from '../forms.js';

export async function accountView(root, params, query, ctx) {
	const me = await api('GET', '/me');
	const roleKey = 'role.' + me.role;
	const button = h('button', { type: 'button' }, t('account.logout'));
	const failure = h('p', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
	button.addEventListener('click', async () => {
		button.disabled = true;
		try {
			await api('POST', '/logout', {});
		} catch (err) {
			if (err.status !== 401) {
				// The session may still be open: say so rather than pretend.
				button.disabled = false;
				failure.textContent = errorText(err);
				failure.hidden = false;
				failure.focus();
				return;
			}
		}
		ctx.signedOut();
	});
	root.append(
		h('h1', {}, t('account.title')),
		h(
			'dl',
			{ class: 'fields' },
			h('dt', {}, t('account.username')),
			h('dd', {}, me.username),
			h('dt', {}, t('account.org')),
			h('dd', {}, me.org),
			h('dt', {}, t('account.role')),
			h('dd', {}, t(roleKey) === roleKey ? me.role : t(roleKey))
		),
		h('p', { class: 'hint' }, t('account.roleHint.' + me.role) === 'account.roleHint.' + me.role ? '' : t('account.roleHint.' + me.role)),
		failure,
		h('div', { class: 'actions' }, button),
		passwordForm(ctx)
	);
}

function passwordForm(ctx) {
	const form = new Form('pw');
	const el = h(
		'form',
		{ class: 'card narrow', novalidate: true, 'aria-labelledby': 'pw-title' },
		h('h2', { id: 'pw-title' }, t('password.title')),
		form.summary,
		form.field('old_password', t('password.old'), { type: 'password', required: true, autocomplete: 'current-password' }),
		form.field('new_password', t('password.new'), { type: 'password', required: true, hint: t('password.newHint'), autocomplete: 'new-password' }),
		form.field('again', t('password.again'), { type: 'password', required: true, autocomplete: 'new-password' }),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('password.submit')))
	);
	el.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		form.clearErrors();
		const old = form.control('old_password').value;
		const pw = form.control('new_password').value;
		if (!old) return form.showError(t('password.needOld'), 'old_password');
		if (pw.length < 10) return form.showError(t('error.code.password_too_short'), 'new_password');
		if (pw !== form.control('again').value) return form.showError(t('password.mismatch'), 'again');
		try {
			const r = await api('POST', '/me/password', { old_password: old, new_password: pw });
			ctx.navigate(`#/account?r=${Date.now()}`, t('password.done', { n: r.sessions_ended || 0 }));
		} catch (err) {
			form.showError(errorText(err), err.field);
		}
	});
	return el;
}
