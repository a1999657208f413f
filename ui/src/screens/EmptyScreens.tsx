// The main screens whose features are still to come: each explains what will appear there and how to get it.

import { Contact, Megaphone, MessagesSquare } from 'lucide-react';
import { EmptyState, Page } from '../components/Page';
import { useAppStore } from '../store/app';

function useConnected(): boolean {
  const view = useAppStore((s) => s.whatsapp);
  return view.kind === 'status' && view.status.state === 'connected';
}

export function InboxScreen() {
  const connected = useConnected();
  return (
    <Page title="Inbox">
      {connected ? (
        <EmptyState icon={MessagesSquare} title="No conversations yet">
          Messages from your customers will appear here as soon as they write to your WhatsApp number.
        </EmptyState>
      ) : (
        <EmptyState icon={MessagesSquare} title="No conversations yet — connect WhatsApp to start">
          Once your business number is linked, every chat with your customers shows up here, with replies, read ticks and
          search.
        </EmptyState>
      )}
    </Page>
  );
}

export function ContactsScreen() {
  return (
    <Page title="Contacts">
      <EmptyState icon={Contact} title="No contacts yet">
        People who message you are added here automatically. You will also be able to import a list from a spreadsheet (CSV)
        or your phone's address book (vCard), and sort contacts with tags.
      </EmptyState>
    </Page>
  );
}

export function CampaignsScreen() {
  return (
    <Page title="Campaigns">
      <EmptyState icon={Megaphone} title="No campaigns yet">
        A campaign sends one message to a group of contacts — say, everyone tagged “regulars” — at a safe, human pace, and
        shows who received, read and replied.
      </EmptyState>
    </Page>
  );
}
