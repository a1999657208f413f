// A <dialog> element shown as a modal while a flag is true: the browser then keeps focus inside, makes
// the page behind inert and turns Escape into a `cancel` event.

import { useEffect, useRef } from 'react';

/** The ref to put on a <dialog>; it opens as a modal when `open` becomes true and closes when false. */
export function useModalDialog(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}
