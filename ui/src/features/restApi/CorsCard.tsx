// Settings → REST API, allowed browser origins: the web pages (besides WhatsFlow's own) that may call the
// API from a browser, one a line. None by default; scripts outside a browser are not concerned. The server
// checks each origin and answers the list as browsers send them, which replaces what was typed.

import { useEffect, useState } from 'react';
import { Alert, Button, Card, CardHeader, Field, Spinner, Textarea } from '../../components/ui';
import { toast } from '../../store/toast';
import { getCors, saveCors } from './api';
import { messageOf } from './Copyable';
import { fieldMessages, originsFromText } from './logic';

export function CorsCard() {
  const [text, setText] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    getCors().then(
      (settings) => setText(settings.allowedOrigins.join('\n')),
      (e: unknown) => setLoadError(messageOf(e)),
    );
  }, []);

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFieldError(null);
    setFormError(null);
    try {
      const saved = await saveCors({ allowedOrigins: originsFromText(text ?? '') });
      setText(saved.allowedOrigins.join('\n'));
      toast(saved.allowedOrigins.length === 0 ? 'No other web page may call the API' : 'Allowed origins saved');
    } catch (e) {
      const onField = fieldMessages(e, 'allowedOrigins');
      if (onField) setFieldError(onField);
      else setFormError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <CardHeader
        title="Allowed browser origins"
        description="Web pages of your own (a dashboard, say) that may call the API from a browser. By default none may: only WhatsFlow's own pages. Scripts such as curl or Python are not concerned."
      />
      <div className="px-6 py-5">
        {loadError ? (
          <Alert title="Could not read the allowed origins">{loadError}</Alert>
        ) : text === null ? (
          <Spinner label="Loading…" />
        ) : (
          <form onSubmit={(event) => void save(event)} className="space-y-3">
            {formError && <Alert>{formError}</Alert>}
            <Field label="Origins" error={fieldError ?? undefined} hint="One a line, as scheme://host[:port], e.g. http://localhost:5173">
              {(props) => (
                <Textarea
                  {...props}
                  value={text}
                  spellCheck={false}
                  placeholder="http://localhost:5173"
                  className="font-mono text-[13px]"
                  onChange={(event) => setText(event.target.value)}
                />
              )}
            </Field>
            <Button type="submit" busy={busy}>
              Save origins
            </Button>
          </form>
        )}
      </div>
    </Card>
  );
}
