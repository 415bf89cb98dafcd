// views/account.js - who is signed in, for which organisation and in what role; sign out.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { errorText } from '../forms.js';

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
		h('div', { class: 'actions' }, button)
	);
}
