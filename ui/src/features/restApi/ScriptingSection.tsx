// Settings → REST API: the server (switch, address, docs, curl), the API keys, the webhooks and the
// browser origins allowed to call the API. A key just created goes into the curl example, so it can be
// tried at once.

import { useState } from 'react';
import { ApiKeysCard } from './ApiKeysCard';
import { CorsCard } from './CorsCard';
import { RestApiCard } from './RestApiCard';
import { WebhooksCard } from './WebhooksCard';

export function ScriptingSection() {
  const [lastKey, setLastKey] = useState<string | null>(null);
  return (
    <>
      <RestApiCard lastKey={lastKey} />
      <ApiKeysCard onCreated={setLastKey} />
      <WebhooksCard />
      <CorsCard />
    </>
  );
}
