// views/accounts.js - administrators manage accounts (GET/POST/PATCH /api/accounts,
// POST /api/accounts/{id}/unlock): create one, disable or enable it, end a lockout of failed
// logins, reset its password. The server refuses what an administrator may not do (a role the
// system does not have, disabling the last administrator or oneself) and the page says why.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText } from '../forms.js';
import { fmtDate } from '../format.js';

const ROLE_KEYS = { caseworker: 'role.caseworker', supervisor: 'role.supervisor', analyst: 'role.analyst', auditor: 'role.auditor', admin: 'role.admin' };

function roleLabel(role) {
	const k = ROLE_KEYS[role];
	return k && t(k) !== k ? t(k) : role;
}

export async function accountsView(root, params, query, ctx) {
	root.append(h('h1', {}, t('accounts.title')));
	if (!ctx.me || ctx.me.role !== 'admin') {
		root.append(h('p', { class: 'message' }, t('error.forbidden')));
		return;
	}
	const [data, orgData] = await Promise.all([api('GET', '/accounts'), api('GET', '/orgs').catch(() => ({ orgs: [] }))]);
	const reload = (msg) => ctx.navigate(`#/admin/accounts?r=${Date.now()}`, msg);
	const status = h('p', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
	const fail = (err) => {
		status.textContent = errorText(err);
		status.hidden = false;
		status.focus();
	};

	// a new account
	const form = new Form('acc');
	const orgs = (orgData.orgs || []).map((o) => ({ code: o.name, label: o.name }));
	const roles = (data.roles || Object.keys(ROLE_KEYS)).map((r) => ({ code: r, label: roleLabel(r) }));
	const create = h(
		'form',
		{ class: 'card', novalidate: true, 'aria-labelledby': 'acc-new-title' },
		h('h2', { id: 'acc-new-title' }, t('accounts.new')),
		form.summary,
		form.field('username', t('accounts.username'), { required: true, hint: t('accounts.usernameHint'), autocomplete: 'off' }),
		form.field('org', t('accounts.org'), { options: orgs, required: true, empty: t('common.choose') }),
		form.field('role', t('accounts.role'), { options: roles, required: true, empty: t('common.choose') }),
		form.field('password', t('accounts.password'), { type: 'password', required: true, hint: t('accounts.passwordHint'), autocomplete: 'new-password' }),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('accounts.create')))
	);
	// selects start on "choose": nothing is picked for the administrator
	form.control('org').value = '';
	form.control('role').value = '';
	create.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		form.clearErrors();
		for (const f of ['username', 'org', 'role', 'password']) if (!form.value(f)) return form.showError(t('accounts.need.' + f), f);
		try {
			const r = await api('POST', '/accounts', { username: form.value('username'), org: form.value('org'), role: form.value('role'), password: form.control('password').value });
			reload(t('accounts.created', { user: r.username }));
		} catch (err) {
			form.showError(errorText(err), err.field);
		}
	});

	// the accounts, each with its actions
	const accounts = data.accounts || [];
	const rows = accounts.map((a) => {
		const self = ctx.me && a.username === ctx.me.username;
		const state = a.disabled ? t('accounts.disabled') : a.locked_seconds > 0 ? t('accounts.locked', { min: Math.ceil(a.locked_seconds / 60) }) : t('accounts.active');
		const toggle = h('button', { type: 'button', class: a.disabled ? null : 'secondary', 'aria-label': t(a.disabled ? 'accounts.enableUser' : 'accounts.disableUser', { user: a.username }) }, t(a.disabled ? 'accounts.enable' : 'accounts.disable'));
		toggle.addEventListener('click', async () => {
			try {
				await api('PATCH', `/accounts/${a.id}`, { disabled: !a.disabled });
				reload(t(a.disabled ? 'accounts.enabled' : 'accounts.wasDisabled', { user: a.username }));
			} catch (err) {
				fail(err);
			}
		});
		const unlock = a.locked_seconds > 0 ? h('button', { type: 'button', 'aria-label': t('accounts.unlockUser', { user: a.username }) }, t('accounts.unlock')) : null;
		if (unlock)
			unlock.addEventListener('click', async () => {
				try {
					await api('POST', `/accounts/${a.id}/unlock`, {});
					reload(t('accounts.unlocked', { user: a.username }));
				} catch (err) {
					fail(err);
				}
			});
		// a password reset: a small form of its own, opened on demand
		const rf = new Form('reset-' + a.id);
		const reset = h(
			'form',
			{ novalidate: true },
			rf.summary,
			rf.field('password', t('accounts.newPassword', { user: a.username }), { type: 'password', hint: t('accounts.passwordHint'), autocomplete: 'new-password' }),
			h('button', { type: 'submit' }, t('accounts.reset'))
		);
		reset.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			rf.clearErrors();
			if (!rf.value('password')) return rf.showError(t('accounts.need.password'), 'password');
			try {
				await api('PATCH', `/accounts/${a.id}`, { password: rf.control('password').value });
				reload(t('accounts.wasReset', { user: a.username }));
			} catch (err) {
				rf.showError(errorText(err), err.field);
			}
		});
		return h(
			'li',
			{ class: 'account card' + (a.disabled ? ' disabled' : '') },
			h('h3', {}, a.username, self ? ' ' + t('accounts.you') : ''),
			h('dl', { class: 'fields' }, h('dt', {}, t('accounts.org')), h('dd', {}, a.org), h('dt', {}, t('accounts.role')), h('dd', {}, roleLabel(a.role)), h('dt', {}, t('accounts.state')), h('dd', {}, state), a.created_at ? [h('dt', {}, t('accounts.since')), h('dd', {}, fmtDate(a.created_at))] : null),
			h('div', { class: 'row-actions' }, self ? null : toggle, unlock),
			h('details', { class: 'add' }, h('summary', {}, t('accounts.resetTitle', { user: a.username })), reset)
		);
	});
	root.append(status, create, h('h2', {}, t('accounts.list', { n: accounts.length })), h('ul', { class: 'accounts' }, rows));
}
