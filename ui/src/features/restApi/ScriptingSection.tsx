// Settings → REST API: the server (switch, address, docs, curl), the API keys and the webhooks. A key just
// created goes into the curl example, so it can be tried at once.

import { useState } from 'react';
import { ApiKeysCard } from './ApiKeysCard';
import { RestApiCard } from './RestApiCard';
import { WebhooksCard } from './WebhooksCard';

export function ScriptingSection() {
  const [lastKey, setLastKey] = useState<string | null>(null);
  return (
    <>
      <RestApiCard lastKey={lastKey} />
      <ApiKeysCard onCreated={setLastKey} />
      <WebhooksCard />
    </>
  );
}
