// views/message.js - a page that only says something: not found, not allowed, an error.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export async function messageView(root, [title, text]) {
	root.append(
		h('h1', {}, title),
		h('p', { class: 'message' }, text),
		h('p', {}, h('a', { href: '#/cases' }, t('common.backToCases')))
	);
}
