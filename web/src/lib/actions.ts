// Small Svelte actions shared by popovers and menus.

import type { Action } from 'svelte/action';

/** Calls `handler` on a pointer-down outside the node (closing popovers). */
export const clickOutside: Action<HTMLElement, () => void> = (node, handler) => {
  let current = handler;
  const onDown = (event: PointerEvent) => {
    if (!node.contains(event.target as Node)) current?.();
  };
  document.addEventListener('pointerdown', onDown, true);
  return {
    update(next) {
      current = next;
    },
    destroy() {
      document.removeEventListener('pointerdown', onDown, true);
    },
  };
};

/** Arrow-key focus movement between the node's `[data-menu-item]` descendants. */
export function moveFocus(container: HTMLElement | null, event: KeyboardEvent): void {
  if (!container) return;
  const items = Array.from(container.querySelectorAll<HTMLElement>('[data-menu-item]')).filter(
    (el) => !el.hasAttribute('disabled'),
  );
  if (items.length === 0) return;
  const index = items.indexOf(document.activeElement as HTMLElement);
  let next = -1;
  if (event.key === 'ArrowDown') next = index < 0 ? 0 : (index + 1) % items.length;
  else if (event.key === 'ArrowUp') next = index < 0 ? items.length - 1 : (index - 1 + items.length) % items.length;
  else if (event.key === 'Home') next = 0;
  else if (event.key === 'End') next = items.length - 1;
  if (next >= 0) {
    event.preventDefault();
    items[next].focus();
  }
}

/** Save `text` as a file download (backup codes, data export). */
export function downloadText(filename: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Copy to the clipboard; falls back to a hidden textarea where the async API is missing. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}
