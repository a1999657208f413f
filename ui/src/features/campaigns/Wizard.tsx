// The campaign wizard: audience → message → pacing → schedule → review. Every change asks the preview
// route again (debounced) for the live recipient count, the rendered variants, the template's errors and
// the estimated finish. Moving on to the review saves the draft (created, or replaced when editing); the
// server's field errors then show on their fields, and the wizard returns to the first step with one.
// The review sends it (now, or schedules it) or leaves it as a draft.

import { ArrowLeft, ArrowRight, Check, Loader2 } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../../api/client';
import type { Campaign, CampaignPreview, TagSummary } from '../../api/types';
import { Alert, Button, Spinner } from '../../components/ui';
import { blobToBase64 } from '../../lib/base64';
import { cn } from '../../lib/cn';
import { hrefTo, navigateTo } from '../../lib/router';
import { toast } from '../../store/toast';
import { getContact, listContacts, listTags } from '../contacts/api';
import type { Attachment } from '../inbox/Composer';
import { createCampaign, getCampaign, previewCampaign, updateCampaign } from './api';
import { AudienceStep, audienceIncomplete } from './AudienceStep';
import { defaultScheduleValue, draftOf, emptyDraft, fieldErrors, firstStepWithError, inputOf, problemText, STEP_LABELS, STEPS, type Draft, type PickedContact, type Step } from './logic';
import { MessageStep } from './MessageStep';
import { PacingStep } from './PacingStep';
import { useBusinessZone } from './parts';
import { ReviewStep, ScheduleStep } from './ScheduleReview';
import { useCampaigns } from './store';

/** Changes pause this long before the preview is asked again. */
const PREVIEW_DELAY_MS = 300;
/** Names shown for at most this many hand-picked contacts of a campaign being edited. */
const NAMED_PICKS = 100;
/** Recipients offered in the preview's "exactly as … gets it" list. */
const PREVIEW_RECIPIENTS = 50;

/** The draft keys whose change clears the server's errors on these fields. */
const FIELDS_OF: Partial<Record<keyof Draft, (field: string) => boolean>> = {
  name: (f) => f === 'name',
  targetType: (f) => ['targetType', 'targetTags', 'contactIds'].includes(f),
  targetTags: (f) => f === 'targetTags' || f === 'targetType',
  tagMode: (f) => f === 'targetType',
  excludeTags: (f) => f === 'excludeTags' || f === 'targetType',
  contacts: (f) => f === 'contactIds' || f === 'targetType',
  messageContent: (f) => f === 'messageContent',
  pacing: (f) => f.startsWith('pacing'),
  schedule: (f) => f === 'scheduledAt',
  scheduledLocal: (f) => f === 'scheduledAt',
};


async function pickedOf(campaign: Campaign): Promise<PickedContact[]> {
  const named = await Promise.all(
    campaign.contactIds.slice(0, NAMED_PICKS).map((id) =>
      getContact(id).then(
        (c) => ({ id, name: c.displayName }),
        () => ({ id, name: `Contact #${id}` }),
      ),
    ),
  );
  return [...named, ...campaign.contactIds.slice(NAMED_PICKS).map((id) => ({ id, name: `Contact #${id}` }))];
}

function Stepper({ step, reached, onGo }: { step: Step; reached: number; onGo: (step: Step) => void }) {
  return (
    <ol className="flex flex-wrap items-center gap-2" aria-label="Steps">
      {STEPS.map((s, i) => {
        const current = s === step;
        const done = i < STEPS.indexOf(step);
        return (
          <li key={s} className="flex items-center gap-2">
            {i > 0 && <span className="h-px w-6 bg-zinc-300 dark:bg-zinc-700" aria-hidden />}
            <button
              type="button"
              disabled={i > reached}
              aria-current={current ? 'step' : undefined}
              onClick={() => onGo(s)}
              className={cn(
                'inline-flex items-center gap-2 rounded-full py-1 pr-3 pl-1 text-[13px] font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50',
                current ? 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900' : 'text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
              )}
            >
              <span
                className={cn(
                  'flex size-5 items-center justify-center rounded-full text-[11px]',
                  current ? 'bg-white/20' : done ? 'bg-brand-600 text-white' : 'bg-zinc-200 dark:bg-zinc-700',
                )}
              >
                {done ? <Check className="size-3" aria-hidden /> : i + 1}
              </span>
              {STEP_LABELS[s]}
            </button>
          </li>
        );
      })}
    </ol>
  );
}

export function Wizard({ editId }: { editId: number | null }) {
  const zone = useBusinessZone();
  const put = useCampaigns((s) => s.put);
  const act = useCampaigns((s) => s.act);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(editId === null);
  const [saved, setSaved] = useState<Campaign | null>(null);
  const [step, setStep] = useState<Step>('audience');
  const [reached, setReached] = useState(editId === null ? 0 : STEPS.length - 1);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'save' | 'send' | null>(null);
  const [media, setMedia] = useState<Attachment | null>(null);
  const [tags, setTags] = useState<TagSummary[]>([]);
  const [preview, setPreview] = useState<CampaignPreview | null>(null);
  const [previewErrors, setPreviewErrors] = useState<Record<string, string>>({});
  /** A change has not been previewed yet: what the preview shows may be a step behind. */
  const [previewStale, setPreviewStale] = useState(false);
  const [fieldKeys, setFieldKeys] = useState<string[]>([]);
  const [previewContactId, setPreviewContactId] = useState<number | null>(null);
  const [recipientOptions, setRecipientOptions] = useState<PickedContact[]>([]);
  const top = useRef<HTMLDivElement>(null);

  useEffect(() => {
    listTags().then(setTags, () => setTags([]));
  }, []);

  useEffect(() => {
    if (editId === null) return;
    let live = true;
    (async () => {
      try {
        const campaign = await getCampaign(editId);
        const picked = campaign.targetType === 'custom' ? await pickedOf(campaign) : [];
        if (!live) return;
        setDraft(draftOf(campaign, picked));
        setSaved(campaign);
        if (campaign.status !== 'draft' && campaign.status !== 'scheduled') setLoadError(`This campaign is ${campaign.status}: only a draft or a scheduled campaign can be edited.`);
      } catch (error) {
        if (live) setLoadError(problemText(error));
      } finally {
        if (live) setLoaded(true);
      }
    })();
    return () => {
      live = false;
    };
  }, [editId]);

  // Media object URLs are released when replaced or when the wizard closes.
  useEffect(() => () => {
    if (media?.preview) URL.revokeObjectURL(media.preview);
  }, [media]);

  const update = useCallback((patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    const cleared = (Object.keys(patch) as Array<keyof Draft>).map((k) => FIELDS_OF[k]).filter(Boolean) as Array<(f: string) => boolean>;
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([field]) => !cleared.some((clears) => clears(field)))));
  }, []);

  // What the preview depends on (not the name, nor the media file).
  const previewKey = useMemo(() => {
    return JSON.stringify({ ...inputOf(draft), name: '', contactId: previewContactId ?? undefined });
  }, [draft, previewContactId]);

  useEffect(() => {
    if (!loaded) return;
    let live = true;
    setPreviewStale(true);
    const timer = setTimeout(() => {
      previewCampaign({ ...JSON.parse(previewKey), variants: 5 }).then(
        (answer) => {
          if (!live) return;
          setPreview(answer);
          setPreviewStale(false);
          setPreviewErrors({});
          if (answer.fieldKeys) setFieldKeys(answer.fieldKeys);
        },
        (error: unknown) => {
          if (!live) return;
          setPreviewStale(false);
          if (error instanceof ApiError && error.details.length > 0) setPreviewErrors(fieldErrors(error.details));
          else setPreviewErrors({ preview: problemText(error) });
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [previewKey, loaded]);

  // The recipients the message preview can be shown for: the audience's first contacts.
  const audienceKey = JSON.stringify([draft.targetType, draft.targetTags, draft.tagMode, draft.contacts]);
  useEffect(() => {
    if (draft.targetType === 'custom') {
      setRecipientOptions(draft.contacts.slice(0, PREVIEW_RECIPIENTS));
      return;
    }
    if (audienceIncomplete(draft)) {
      setRecipientOptions([]);
      return;
    }
    let live = true;
    const filter = draft.targetType === 'tags' ? { tags: draft.targetTags, tagMode: draft.tagMode, optedOut: false } : { optedOut: false };
    listContacts(filter, { sort: 'name', order: 'asc', limit: PREVIEW_RECIPIENTS }).then(
      (page) => live && setRecipientOptions(page.data.map((c) => ({ id: c.id, name: c.displayName }))),
      () => live && setRecipientOptions([]),
    );
    return () => {
      live = false;
    };
  }, [audienceKey]);

  const shownErrors = { ...errors, ...previewErrors };
  const go = (next: Step) => {
    setStep(next);
    setReached((r) => Math.max(r, STEPS.indexOf(next)));
    top.current?.scrollIntoView({ block: 'start' });
  };

  const showFailure = (error: unknown) => {
    if (error instanceof ApiError && error.details.length > 0) {
      const found = fieldErrors(error.details);
      setErrors(found);
      setFormError(error.status === 409 ? error.message : null);
      const where = firstStepWithError(found);
      if (where && where !== 'review') go(where);
      else setFormError(error.message);
    } else {
      setFormError(problemText(error));
    }
  };

  /** Saves the draft (creating it the first time) and shows the review. */
  const save = async () => {
    setBusy('save');
    setFormError(null);
    try {
      const input = inputOf(draft);
      if (media) input.media = { data: await blobToBase64(media.file), mimetype: media.file.type || 'application/octet-stream', filename: media.file.name };
      else if (saved?.media && !draft.keptMedia) input.removeMedia = true;
      const campaign = saved ? await updateCampaign(saved.id, input) : await createCampaign(input);
      setSaved(campaign);
      put(campaign);
      setErrors({});
      go('review');
    } catch (error) {
      showFailure(error);
    } finally {
      setBusy(null);
    }
  };

  const send = async () => {
    if (!saved) return;
    setBusy('send');
    setFormError(null);
    try {
      const started = await act(saved.id, 'send');
      toast(started.status === 'scheduled' ? `“${started.name}” is scheduled` : `“${started.name}” is sending`);
      navigateTo('campaigns', started.id);
    } catch (error) {
      showFailure(error);
    } finally {
      setBusy(null);
    }
  };

  const next = () => {
    const at = STEPS.indexOf(step);
    const following = STEPS[at + 1];
    if (following === 'review') void save();
    else if (following) go(following);
  };

  if (!loaded) {
    return (
      <div className="p-6">
        <Spinner label="Loading the campaign…" />
      </div>
    );
  }
  if (loadError) {
    return (
      <div className="space-y-4 p-6">
        <Alert>{loadError}</Alert>
        <a href={hrefTo('campaigns')} className="text-sm text-brand-700 hover:underline dark:text-brand-400">
          Back to campaigns
        </a>
      </div>
    );
  }

  const mediaName = media?.file.name ?? draft.keptMedia?.filename ?? draft.keptMedia?.mimetype ?? null;
  const alreadyScheduled = saved?.status === 'scheduled';
  return (
    <div ref={top} className="flex min-h-full flex-col">
      <div className="flex items-center justify-between gap-4 border-b border-zinc-200 px-6 py-3 dark:border-zinc-800">
        <Stepper step={step} reached={reached} onGo={(s) => (s === 'review' && step !== 'review' ? void save() : go(s))} />
        {previewStale && preview && (
          <span className="inline-flex items-center gap-1.5 text-xs text-zinc-500" role="status">
            <Loader2 className="size-3.5 animate-spin" aria-hidden /> Updating the preview…
          </span>
        )}
      </div>
      <div className="flex-1 space-y-4 px-6 py-6" data-testid={`wizard-${step}`}>
        {formError && <Alert>{formError}</Alert>}
        {shownErrors.preview && <Alert>{`The preview is unavailable: ${shownErrors.preview}`}</Alert>}
        {step === 'audience' && <AudienceStep draft={draft} update={update} tags={tags} errors={shownErrors} preview={preview} />}
        {step === 'message' && (
          <MessageStep
            draft={draft}
            update={update}
            errors={shownErrors}
            fieldKeys={fieldKeys}
            media={media}
            onMedia={setMedia}
            onRemoveMedia={() => {
              setMedia(null);
              update({ keptMedia: null });
            }}
            preview={preview}
            previewContactId={previewContactId}
            recipients={recipientOptions}
            onPickRecipient={setPreviewContactId}
          />
        )}
        {step === 'pacing' && <PacingStep pacing={draft.pacing} onChange={(pacing) => update({ pacing })} errors={shownErrors} preview={preview} zone={zone} scheduled={draft.schedule === 'later'} />}
        {step === 'schedule' && <ScheduleStep draft={draft} update={update} errors={shownErrors} zone={zone} defaultLocal={defaultScheduleValue(new Date(), zone)} />}
        {step === 'review' && <ReviewStep draft={draft} preview={preview} tags={tags} zone={zone} mediaName={mediaName} scheduledAt={saved?.scheduledAt ?? null} />}
      </div>
      <div className="sticky bottom-0 flex items-center justify-between gap-2 border-t border-zinc-200 bg-white/95 px-6 py-3 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/95">
        <div>
          {step !== 'audience' && (
            <Button variant="secondary" icon={<ArrowLeft className="size-4" aria-hidden />} onClick={() => go(STEPS[STEPS.indexOf(step) - 1]!)} disabled={busy !== null}>
              Back
            </Button>
          )}
        </div>
        <div className="flex gap-2">
          {step === 'review' ? (
            <>
              <Button
                variant="secondary"
                disabled={busy !== null}
                onClick={() => {
                  toast(alreadyScheduled ? 'Changes saved' : 'Saved as a draft');
                  navigateTo('campaigns');
                }}
              >
                {alreadyScheduled ? 'Done' : 'Keep as draft'}
              </Button>
              {!alreadyScheduled && (
                <Button busy={busy === 'send'} onClick={() => void send()}>
                  {draft.schedule === 'later' ? 'Schedule campaign' : 'Send now'}
                </Button>
              )}
            </>
          ) : (
            <Button busy={busy === 'save'} onClick={next}>
              {STEPS[STEPS.indexOf(step) + 1] === 'review' ? 'Save and review' : 'Next'}
              <ArrowRight className="size-4" aria-hidden />
            </Button>
          )}
        </div>
      </div>
    </div>
  );
}
