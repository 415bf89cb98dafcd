// views/followups.js - what the organisation has to do (docs/CASEWORK.md): follow-up contacts due
// in 30 days and overdue (GET /api/followups/due), approvals waiting (GET /api/approvals; a
// supervisor approves or rejects another's request), open alerts (GET /api/alerts).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { errorText } from '../forms.js';

export async function followupsView(root, params, query, ctx) {
	const [due, aps, alerts] = await Promise.all([api('GET', '/followups/due'), api('GET', '/approvals'), api('GET', '/alerts')]);
	const status = h('p', { role: 'alert', class: 'error-summary', hidden: true });
	root.append(h('h1', {}, t('due.title')), status);
	const caseLink = (cid, text) => h('a', { href: `#/cases/${cid}/work` }, text || `C${cid}`);
	root.append(
		h('h2', {}, t('due.followups')),
		due.due.length
			? table(
					['due.case', 'work.due', 'work.monthsCol', 'work.assigned', 'work.state'],
					due.due.map((d) => [caseLink(d.case_id, d.src_case_id), d.due, String(d.months), d.assigned_to || '-', d.overdue ? h('strong', { class: 'overdue' }, t('work.overdue')) : t('work.open')])
			  )
			: h('p', { class: 'empty' }, t('due.none'))
	);
	const supervisor = ctx.me.role === 'supervisor';
	const decide = (a, decision) =>
		h(
			'button',
			{
				type: 'button',
				class: decision === 'rejected' ? 'secondary' : null,
				'aria-label': t('due.' + decision + 'Aria', { id: a.id }),
				onclick: async () => {
					try {
						await api('POST', `/approvals/${a.id}`, { decision });
						ctx.navigate(`#/followups?r=${Date.now()}`, t('due.decided', { id: a.id }));
					} catch (err) {
						status.textContent = errorText(err);
						status.hidden = false;
						status.focus();
					}
				},
			},
			t('due.' + decision)
		);
	root.append(
		h('h2', {}, t('due.approvals')),
		aps.approvals.length
			? table(
					['work.approval', 'due.case', 'work.kind', 'work.requestedBy', 'work.comment', 'inbox.col.action'],
					aps.approvals.map((a) => [
						String(a.id),
						caseLink(a.case_id),
						t('work.kind.' + a.kind),
						a.requested_by,
						a.request_comment || '',
						supervisor && a.requested_by !== ctx.me.username ? h('span', { class: 'actions' }, decide(a, 'approved'), decide(a, 'rejected')) : '',
					])
			  )
			: h('p', { class: 'empty' }, t('due.noApprovals')),
		h('h2', {}, t('due.alerts')),
		alerts.alerts.length ? table(['due.case', 'due.alert', 'due.detail'], alerts.alerts.map((a) => [caseLink(a.case_id), t('alert.' + a.kind), a.detail])) : h('p', { class: 'empty' }, t('due.noAlerts'))
	);
}

function table(cols, rows) {
	// a wide table scrolls by itself, not the page (390 px phones)
	return h(
		'div',
		{ class: 'table-scroll', tabindex: '0' },
		h(
			'table',
			{ class: 'list' },
			h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, t(c))))),
			h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v) => h('td', {}, v)))))
		)
	);
}
