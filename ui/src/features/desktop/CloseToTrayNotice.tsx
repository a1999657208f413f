// Shown once, the first time the desktop window is closed: WhatsFlow keeps running in the tray (customers'
// messages still arrive, campaigns keep sending) and quits from the tray's menu. "OK" closes the window.

import { useEffect, useState } from 'react';
import { closeWindow, onCloseToTray } from '../../api/desktop';
import { Button } from '../../components/ui';
import { Modal } from '../contacts/Modal';

export function CloseToTrayNotice() {
  const [open, setOpen] = useState(false);
  useEffect(() => onCloseToTray(() => setOpen(true)), []);

  const close = () => {
    setOpen(false);
    void closeWindow();
  };

  return (
    <Modal
      open={open}
      title="WhatsFlow keeps running in the tray"
      onClose={close}
      footer={<Button onClick={close}>OK, close the window</Button>}
    >
      <div className="space-y-2 text-sm text-zinc-600 dark:text-zinc-300" data-testid="close-to-tray-notice">
        <p>Closing the window does not stop WhatsFlow: messages from your customers still arrive and campaigns keep sending.</p>
        <p>Open the window again from the WhatsFlow icon in the tray. To stop WhatsFlow, choose “Quit WhatsFlow” in that icon's menu.</p>
      </div>
    </Modal>
  );
}
