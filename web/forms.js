// forms.js - labelled form fields with a hint and an error slot tied to the control through
// aria-describedby, and the placing of a server error {"error", "field"} next to its field.
import { h } from './dom.js';
import { has, t } from './i18n.js';
import { dateHint, fmtDate, parseDate, todayIso } from './format.js';

let seq = 0;

export class Form {
	constructor(idPrefix) {
		this.prefix = idPrefix || 'f' + ++seq;
		this.fields = new Map(); // name -> {control, error, hintId}
		this.summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
	}

	id(name) {
		return `${this.prefix}-${name}`;
	}

	/* A text-like input or a select (options: [{code, label}]) or a textarea. */
	field(name, labelText, opts = {}) {
		const id = this.id(name);
		const hintId = opts.hint ? id + '-hint' : null;
		let control;
		if (opts.options) {
			control = h('select', { id, name });
			if (!opts.required) control.append(h('option', { value: '' }, opts.empty || t('common.choose')));
			for (const o of opts.options) control.append(h('option', { value: o.code }, o.label));
			if (opts.value !== undefined) control.value = opts.value;
		} else if (opts.textarea) {
			control = h('textarea', { id, name, rows: opts.rows || 3 });
			if (opts.value) control.value = opts.value;
		} else {
			control = h('input', {
				id,
				name,
				type: opts.type || 'text',
				autocomplete: opts.autocomplete || 'off',
				inputmode: opts.inputmode,
				placeholder: opts.placeholder,
			});
			if (opts.value !== undefined && opts.value !== null) control.value = opts.value;
		}
		if (opts.required) control.required = true;
		const error = h('p', { id: id + '-error', class: 'field-error', hidden: true });
		if (hintId) control.setAttribute('aria-describedby', hintId);
		const wrap = h(
			'div',
			{ class: 'field' },
			h('label', { for: id }, labelText, opts.required ? h('span', { class: 'req' }, ' *') : null),
			hintId ? h('p', { id: hintId, class: 'hint' }, opts.hint) : null,
			control,
			error
		);
		this.fields.set(name, { control, error, hintId });
		return wrap;
	}

	/* A date: typed as the UI shows dates (dd/mm/yyyy in Vietnamese, format.js), with a button
	   that opens the browser's own calendar (a native date input kept out of the tab order and
	   of the accessibility tree: the text field is the control). opts.value is ISO; value()
	   gives ISO back; validate() says what was expected when the text is not a date.
	   opts.partial: YYYY-MM and YYYY are allowed (a birth date known only to the year). */
	date(name, labelText, opts = {}) {
		const wrap = this.field(name, labelText, {
			...opts,
			value: fmtDate(opts.value || ''),
			hint: opts.hint || dateHint(opts.partial),
			inputmode: 'numeric',
		});
		const f = this.fields.get(name);
		f.date = opts.partial ? 'partial' : 'full';
		const text = f.control;
		const native = h('input', { type: 'date', class: 'date-native', tabindex: '-1', 'aria-hidden': 'true' });
		const button = h('button', { type: 'button', class: 'date-pick', 'aria-label': t('date.pick'), title: t('date.pick') }, '📅');
		button.addEventListener('click', () => {
			const cur = parseDate(text.value, false);
			native.value = cur.iso && cur.iso.length === 10 ? cur.iso : todayIso();
			try {
				if (native.showPicker) native.showPicker();
				else native.focus();
			} catch (e) {
				native.focus();
			}
		});
		native.addEventListener('change', () => {
			if (native.value) text.value = fmtDate(native.value);
			text.focus();
		});
		const row = h('div', { class: 'date-row' }, text, button, native);
		wrap.insertBefore(row, f.error);
		return wrap;
	}

	/* A searchable choice: a text field with the browser's suggestion list (<datalist>), so that
	   typing a few letters of a province, a country or an organisation narrows the list (with or
	   without diacritics the server still reads it). options: [{code, label}]; value() gives the
	   code of the label chosen, else the text as typed (opts.free: that text is a valid answer,
	   e.g. an assistance provider that is not a registered organisation; otherwise the server
	   checks it and says what it expected). opts.value is a code. */
	picker(name, labelText, opts = {}) {
		const listId = this.id(name) + '-list';
		const byCode = new Map((opts.options || []).map((o) => [o.code, o.label]));
		const wrap = this.field(name, labelText, { ...opts, options: undefined, value: byCode.get(opts.value) || opts.value || '', autocomplete: 'off' });
		const f = this.fields.get(name);
		f.picker = new Map((opts.options || []).map((o) => [o.label.toLocaleLowerCase(), o.code]));
		f.control.setAttribute('list', listId);
		const list = h('datalist', { id: listId }, (opts.options || []).map((o) => h('option', { value: o.label })));
		wrap.insertBefore(list, f.error);
		return wrap;
	}

	/* Checks the date fields; shows the first bad one's error. true when all are dates. */
	validate() {
		for (const [name, f] of this.fields) {
			if (!f.date) continue;
			const r = parseDate(f.control.value, f.date === 'partial');
			if (r.error) {
				this.showError(r.error, name);
				return false;
			}
		}
		return true;
	}

	checkbox(name, labelText, opts = {}) {
		const id = this.id(name);
		const control = h('input', { id, name, type: 'checkbox' });
		if (opts.checked) control.checked = true;
		const error = h('p', { id: id + '-error', class: 'field-error', hidden: true });
		this.fields.set(name, { control, error, hintId: null });
		return h('div', { class: 'field check' }, control, h('label', { for: id }, labelText), error);
	}

	/* A fieldset of checkboxes for a multi-valued picklist. */
	checkboxes(name, legend, options, opts = {}) {
		const id = this.id(name);
		const error = h('p', { id: id + '-error', class: 'field-error', hidden: true });
		const boxes = options.map((o, i) => {
			const bid = `${id}-${i}`;
			const box = h('input', { id: bid, type: 'checkbox', name, value: o.code });
			if ((opts.checked || []).includes(o.code)) box.checked = true;
			return h('div', { class: 'check' }, box, h('label', { for: bid }, o.label));
		});
		const fs = h('fieldset', { id, class: 'field boxes' }, h('legend', {}, legend), boxes, error);
		this.fields.set(name, { control: fs, error, hintId: null, group: true });
		return fs;
	}

	value(name) {
		const f = this.fields.get(name);
		if (!f) return undefined;
		if (f.group) return [...f.control.querySelectorAll('input:checked')].map((b) => b.value);
		if (f.control.type === 'checkbox') return f.control.checked;
		if (f.picker) {
			const v = f.control.value.trim();
			return f.picker.get(v.toLocaleLowerCase()) || v;
		}
		if (f.date) {
			const r = parseDate(f.control.value, f.date === 'partial');
			return r.error ? f.control.value.trim() : r.iso;
		}
		return f.control.value.trim();
	}

	control(name) {
		const f = this.fields.get(name);
		return f && f.control;
	}

	clearErrors() {
		this.summary.hidden = true;
		this.summary.textContent = '';
		for (const f of this.fields.values()) {
			f.error.hidden = true;
			f.error.textContent = '';
			f.control.removeAttribute('aria-invalid');
			if (f.hintId) f.control.setAttribute('aria-describedby', f.hintId);
			else f.control.removeAttribute('aria-describedby');
		}
	}

	/* Shows an error next to its field when the form has it (the server may name it as
	   "persons[0].prs_FirstName"), else in the summary at the top; moves focus there. */
	showError(message, field) {
		this.clearErrors();
		const f = field ? this.fields.get(fieldName(field)) : null;
		if (f) {
			f.error.textContent = message;
			f.error.hidden = false;
			f.control.setAttribute('aria-invalid', 'true');
			f.control.setAttribute('aria-describedby', [f.hintId, f.error.id].filter(Boolean).join(' '));
			const target = f.group ? f.control.querySelector('input') : f.control;
			if (target) target.focus();
			return;
		}
		this.summary.textContent = message;
		this.summary.hidden = false;
		this.summary.focus();
	}
}

/* "cases[0].persons[1].identity_documents[0].prs_IdentityNumber" -> "prs_IdentityNumber" */
export function fieldName(field) {
	const last = String(field).split(/[.:\s]/).filter(Boolean).pop() || '';
	return last.replace(/\[\d+\]$/, '');
}

/* A message for a failed request: one for the status, else the translation of the server's
   error code (web/i18n, error.code.*), else the server's own (English) words. */
export function errorText(err) {
	if (!err || err.status === 0) return t('error.network');
	if (err.status === 403 && !err.field) return t('error.forbidden');
	if (err.status === 404) return t('error.notfound');
	if (err.status >= 500) return t('error.server');
	if (err.code && has('error.code.' + err.code)) {
		// the library's validation is one code for many rules: its words say which
		if (err.code === 'invalid_value' && err.message) return `${t('error.code.invalid_value')} (${err.message})`;
		return t('error.code.' + err.code);
	}
	return err.message;
}

export function today() {
	return todayIso();
}
