// The business-profile form, used by onboarding (first save) and Settings → Profile (edits). The client checks
// what it can (required name, lengths) for quick feedback; the server's 400 details are shown under the same
// fields, because the server is the authority (e.g. an unknown country).

import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useForm, type Path } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { ApiError, saveProfile } from '../api/client';
import { BUSINESS_TYPES, type Profile, type ProfileInput } from '../api/types';
import { Alert, Button, Field, Input, Select, Spinner, Textarea } from '../components/ui';
import { browserTimezone, useMeta, zoneOffset, type Meta } from '../lib/meta';
import { LIMITS, profileSchema, type ProfileValues } from './profileSchema';

const BUSINESS_TYPE_LABELS: Record<(typeof BUSINESS_TYPES)[number], string> = {
  retail: 'Retail shop',
  restaurant: 'Restaurant or café',
  services: 'Services',
  ecommerce: 'Online store',
  agency: 'Agency',
  other: 'Other',
};

const FIELDS = Object.keys(profileSchema.shape) as Array<keyof ProfileValues>;

function toInput(values: ProfileValues): ProfileInput {
  // Empty optional fields are left out: the profile then simply has none.
  const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());
  return {
    businessName: values.businessName.trim(),
    industry: optional(values.industry),
    website: optional(values.website),
    description: optional(values.description),
    businessType: values.businessType === '' ? undefined : values.businessType,
    country: values.country,
    timezone: values.timezone,
  };
}

function initialValues(profile: Profile | null | undefined, meta: Meta, defaults: { country: string; timezone: string }): ProfileValues {
  if (profile) {
    return {
      businessName: profile.businessName ?? '',
      industry: profile.industry ?? '',
      website: profile.website ?? '',
      description: profile.description ?? '',
      businessType: profile.businessType ?? '',
      country: profile.country ?? '',
      timezone: profile.timezone ?? '',
    };
  }
  const codes = new Set(meta.regions.map((r) => r.code));
  const zones = new Set(meta.timezones);
  // The browser's zone is what the person's clock shows; the server's default comes from the OS it runs on.
  const browserZone = browserTimezone();
  const timezone = browserZone && zones.has(browserZone) ? browserZone : zones.has(defaults.timezone) ? defaults.timezone : '';
  return {
    businessName: '',
    industry: '',
    website: '',
    description: '',
    businessType: '',
    country: codes.has(defaults.country) ? defaults.country : '',
    timezone,
  };
}

/** Time zones grouped by their area ("Europe", "America", …) with the current UTC offset, for a usable select. */
function groupZones(zones: string[]): Array<[string, Array<{ zone: string; label: string }>]> {
  const groups = new Map<string, Array<{ zone: string; label: string }>>();
  const now = new Date();
  for (const zone of zones) {
    const slash = zone.indexOf('/');
    const area = slash > 0 ? zone.slice(0, slash) : 'Other';
    const offset = zoneOffset(zone, now);
    const label = `${zone.replace(/_/g, ' ')}${offset ? ` (${offset})` : ''}`;
    if (!groups.has(area)) groups.set(area, []);
    groups.get(area)!.push({ zone, label });
  }
  return [...groups.entries()];
}

interface ProfileFormProps {
  profile?: Profile | null;
  defaults: { country: string; timezone: string };
  submitLabel: string;
  autoFocus?: boolean;
  onSaved: (profile: Profile) => void;
  /** Shown left of the submit button. */
  secondary?: ReactNode;
}

export function ProfileForm(props: ProfileFormProps) {
  const meta = useMeta();
  if (meta.kind === 'loading') return <Spinner label="Loading countries and time zones…" />;
  if (meta.kind === 'error')
    return (
      <div className="space-y-3">
        <Alert title="Could not load countries and time zones">{meta.message}</Alert>
        <Button variant="secondary" onClick={meta.retry}>
          Try again
        </Button>
      </div>
    );
  return <ProfileFormLoaded {...props} meta={meta.meta} />;
}

function ProfileFormLoaded({ profile, defaults, submitLabel, autoFocus, onSaved, secondary, meta }: ProfileFormProps & { meta: Meta }) {
  // Keyed on the default strings, not the object, so a parent re-render does not wipe what is being typed.
  const { country: defaultCountry, timezone: defaultTimezone } = defaults;
  const defaultValues = useMemo(
    () => initialValues(profile, meta, { country: defaultCountry, timezone: defaultTimezone }),
    [profile, meta, defaultCountry, defaultTimezone],
  );
  const {
    register,
    handleSubmit,
    setError,
    reset,
    watch,
    formState: { errors, isSubmitting, isDirty },
  } = useForm<ProfileValues>({ resolver: zodResolver(profileSchema), defaultValues, mode: 'onSubmit', reValidateMode: 'onChange' });
  const [formError, setFormError] = useState<string | null>(null);
  const zoneGroups = useMemo(() => groupZones(meta.timezones), [meta.timezones]);

  useEffect(() => reset(defaultValues), [defaultValues, reset]);

  const description = watch('description');

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await saveProfile(toInput(values));
      reset(initialValues(saved, meta, defaults));
      onSaved(saved);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setFormError(String(error));
        return;
      }
      const unplaced: string[] = [];
      let firstField = true;
      for (const detail of error.details) {
        if ((FIELDS as string[]).includes(detail.field)) {
          setError(detail.field as Path<ProfileValues>, { type: 'server', message: detail.message }, { shouldFocus: firstField });
          firstField = false;
        } else {
          unplaced.push(detail.field ? `${detail.field}: ${detail.message}` : detail.message);
        }
      }
      if (firstField || unplaced.length > 0) {
        setFormError([error.message, ...unplaced].join(' — '));
      }
    }
  });

  return (
    <form onSubmit={submit} noValidate className="@container space-y-5" aria-label="Business profile">
      {formError && <Alert title="The profile was not saved">{formError}</Alert>}

      <Field label="Business name" error={errors.businessName?.message}>
        {(p) => <Input {...p} {...register('businessName')} autoFocus={autoFocus} autoComplete="organization" placeholder="e.g. Rosa's Flowers" />}
      </Field>

      <div className="grid gap-5 @lg:grid-cols-2">
        <Field label="Business type" optional error={errors.businessType?.message}>
          {(p) => (
            <Select {...p} {...register('businessType')}>
              <option value="">Choose a type…</option>
              {BUSINESS_TYPES.map((t) => (
                <option key={t} value={t}>
                  {BUSINESS_TYPE_LABELS[t]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Industry" optional error={errors.industry?.message}>
          {(p) => <Input {...p} {...register('industry')} placeholder="e.g. Florist" />}
        </Field>
      </div>

      <Field label="Website" optional error={errors.website?.message}>
        {(p) => <Input {...p} {...register('website')} type="url" inputMode="url" autoComplete="url" placeholder="https://example.com" />}
      </Field>

      <Field
        label="Description"
        optional
        error={errors.description?.message}
        hint="What customers should know about you."
        counter={{ length: description?.length ?? 0, max: LIMITS.description }}
      >
        {(p) => <Textarea {...p} {...register('description')} rows={3} placeholder="Fresh flowers and same-day delivery in the city centre." />}
      </Field>

      <div className="grid gap-5 @lg:grid-cols-2">
        <Field label="Country" error={errors.country?.message} hint="Used for phone numbers written without a country code.">
          {(p) => (
            <Select {...p} {...register('country')}>
              <option value="">Choose a country…</option>
              {meta.regions.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.name} (+{r.callingCode})
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Time zone" error={errors.timezone?.message} hint="Campaigns are scheduled in this time zone.">
          {(p) => (
            <Select {...p} {...register('timezone')}>
              <option value="">Choose a time zone…</option>
              {zoneGroups.map(([area, zones]) => (
                <optgroup key={area} label={area}>
                  {zones.map(({ zone, label }) => (
                    <option key={zone} value={zone}>
                      {label}
                    </option>
                  ))}
                </optgroup>
              ))}
            </Select>
          )}
        </Field>
      </div>

      <div className="flex items-center justify-end gap-3 pt-1">
        {secondary}
        {profile != null && isDirty && (
          <Button variant="ghost" onClick={() => reset(defaultValues)} disabled={isSubmitting}>
            Discard changes
          </Button>
        )}
        <Button type="submit" busy={isSubmitting} disabled={profile != null && !isDirty}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
