import type { KeyboardEvent } from 'react';

/**
 * Keyboard-first forms for hotline agents, who type while they listen: Enter moves to the next field
 * (as Tab does), Ctrl+Enter (⌘+Enter) submits from anywhere, and Enter keeps its usual meaning where it
 * has one — a new line in a text area, picking an option in an open dropdown (then moving on), pressing
 * a button, or confirming a Chinese IME composition.
 */

function isVisible(el: HTMLElement): boolean {
  return el.getClientRects().length > 0;
}

/** The fields Enter walks through, in page order: one per radio group, nothing disabled or hidden. */
export function fieldCandidates(root: HTMLElement): HTMLElement[] {
  const all = Array.from(root.querySelectorAll<HTMLElement>('input, textarea, button[role="switch"], [data-kb-target]'));
  const groups = new Map<Element, HTMLInputElement[]>();
  const out: HTMLElement[] = [];
  for (const el of all) {
    const input = el as HTMLInputElement;
    if (el.closest('[data-kb-skip]')) continue;
    if (input.disabled || input.type === 'hidden' || el.tabIndex < 0 || el.getAttribute('aria-hidden') === 'true') continue;
    if (!isVisible(el) && input.type !== 'radio' && input.type !== 'checkbox') continue;
    if (input.type === 'radio') {
      const group = el.closest('.ant-radio-group') ?? el;
      const list = groups.get(group);
      if (list) {
        list.push(input);
        continue;
      }
      groups.set(group, [input]);
    }
    out.push(el);
  }
  // A radio group is entered at its checked button (or its first), as Tab does.
  return out.map((el) => {
    const input = el as HTMLInputElement;
    if (input.type !== 'radio') return el;
    const group = groups.get(el.closest('.ant-radio-group') ?? el) ?? [input];
    return group.find((r) => r.checked) ?? group[0];
  });
}

export function focusNextField(root: HTMLElement, from: HTMLElement): void {
  const list = fieldCandidates(root);
  const group = from.closest('.ant-radio-group');
  const index = list.findIndex((el) => el === from || (!!group && el.closest('.ant-radio-group') === group));
  const next = index >= 0 ? list[index + 1] : undefined;
  if (next) {
    next.focus();
    if (next instanceof HTMLInputElement && (next.type === 'text' || next.type === 'tel' || next.type === '')) next.select?.();
    return;
  }
  root.querySelector<HTMLElement>('[data-kb-submit]')?.focus();
}

function isCombobox(el: HTMLElement): boolean {
  return el.getAttribute('role') === 'combobox' || !!el.closest('.ant-select, .ant-cascader');
}

/** Put on the form's wrapper as onKeyDownCapture. */
export function enterNavigation(root: () => HTMLElement | null, submit: () => void) {
  return (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== 'Enter' || e.nativeEvent.isComposing || e.keyCode === 229) return;
    const container = root();
    const el = e.target as HTMLElement;
    if (!container || !container.contains(el)) return;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      e.stopPropagation();
      submit();
      return;
    }
    if (e.shiftKey || e.altKey) return;
    if (el.tagName === 'TEXTAREA') return;
    if (el.tagName === 'BUTTON' && el.getAttribute('role') !== 'switch') return;
    if (el.tagName === 'A') return;
    if (isCombobox(el)) {
      if (el.getAttribute('aria-expanded') === 'true') {
        // Let the dropdown take the option; move on once it has closed (a cascader may open a level
        // instead). The control may re-render its input on selection, so look it up again by id.
        const id = el.id;
        const started = Date.now();
        const check = () => {
          const now = (id && document.getElementById(id)) || el;
          if (document.activeElement !== now) return;
          if (now.getAttribute('aria-expanded') !== 'true') focusNextField(container, now);
          else if (Date.now() - started < 400) setTimeout(check, 40);
        };
        setTimeout(check, 0);
        return;
      }
      e.preventDefault();
      e.stopPropagation();
      focusNextField(container, el);
      return;
    }
    // A plain field: no implicit form submit, just the next field.
    e.preventDefault();
    focusNextField(container, el);
  };
}
