// Keyboard shortcuts of the builder: undo/redo, copy/paste, delete, save. Keys typed into a form
// field stay with the field.
import { onBeforeUnmount, onMounted } from 'vue';

export interface BuilderKeys {
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  remove(): void;
  save(): void;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function useBuilderKeys(keys: BuilderKeys): void {
  function onKey(e: KeyboardEvent) {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 's') {
      e.preventDefault();
      keys.save();
      return;
    }
    if (typing(e.target)) return;
    if (mod && key === 'z') {
      e.preventDefault();
      if (e.shiftKey) keys.redo();
      else keys.undo();
    } else if (mod && key === 'y') {
      e.preventDefault();
      keys.redo();
    } else if (mod && key === 'c') {
      keys.copy();
    } else if (mod && key === 'v') {
      e.preventDefault();
      keys.paste();
    } else if (key === 'delete' || key === 'backspace') {
      e.preventDefault();
      keys.remove();
    }
  }
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
