// Keyboard-first forms: Enter moves to the next field, and on the last one submits. Ctrl+Enter
// submits from anywhere. Fields are the form's elements marked with data-nav, in document order,
// skipping hidden and disabled ones.

export function navFields(root: ParentNode): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>('[data-nav]')).filter((el) => {
    const input = el as HTMLInputElement;
    return !input.disabled && !el.closest('[hidden]');
  });
}

/** Handles a keydown in a form; returns true when it was consumed. */
export function handleEnter(root: ParentNode, ev: KeyboardEvent, submit: () => void): boolean {
  if (ev.key !== 'Enter') return false;
  if (ev.ctrlKey || ev.metaKey) {
    ev.preventDefault();
    submit();
    return true;
  }
  const target = ev.target as HTMLElement | null;
  if (!target || target.tagName === 'TEXTAREA' || target.tagName === 'BUTTON') return false;
  const fields = navFields(root);
  const i = fields.indexOf(target);
  if (i < 0) return false;
  ev.preventDefault();
  if (i === fields.length - 1) submit();
  else fields[i + 1].focus();
  return true;
}
