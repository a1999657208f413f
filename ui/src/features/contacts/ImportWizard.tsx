// The import wizard: pick or drop a file → a dry run reports what would happen (counts, the detected
// column mapping, a preview and every rejected row with its line and reason, downloadable as CSV) →
// confirm → the import runs as one transaction, with upload and write progress shown.

import { Download, FileUp, RotateCcw } from 'lucide-react';
import { useRef, useState, type DragEvent } from 'react';
import { ApiError } from '../../api/client';
import type { DedupeMode, ImportReport } from '../../api/types';
import { Alert, Button, HeaderRow, Select } from '../../components/ui';
import { cn } from '../../lib/cn';
import { saveBlob } from '../../lib/download';
import { toast } from '../../store/toast';
import { importContacts } from './api';
import { IMPORT_FIELDS, REASONS, mappingFromColumns, plural, rejectedRowsCsv } from './logic';
import { Modal } from './Modal';
import { useContacts } from './store';

type Step = 'pick' | 'checking' | 'review' | 'importing' | 'done';

const DEDUPE: Array<{ value: DedupeMode; label: string; hint: string }> = [
  { value: 'skip', label: 'Skip them', hint: 'Numbers already in your contacts are left as they are.' },
  { value: 'fill', label: 'Fill empty fields', hint: 'Add what is missing (name, e-mail, notes, tags), keep the rest.' },
  { value: 'overwrite', label: 'Overwrite', hint: 'The file’s values replace the stored ones.' },
];

const ACTIONS: Record<string, { label: string; className: string }> = {
  create: { label: 'New', className: 'bg-brand-100 text-brand-800 dark:bg-brand-900/40 dark:text-brand-200' },
  update: { label: 'Update', className: 'bg-sky-100 text-sky-800 dark:bg-sky-900/40 dark:text-sky-200' },
  skip: { label: 'Unchanged', className: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300' },
  reject: { label: 'Rejected', className: 'bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-200' },
};

function Count({ label, value, tone }: { label: string; value: number; tone?: 'bad' | 'good' }) {
  return (
    <div className="rounded-lg bg-zinc-50 px-3 py-2 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <div
        className={cn('text-xl font-semibold tabular-nums', tone === 'bad' && value > 0 && 'text-red-600 dark:text-red-400', tone === 'good' && 'text-brand-700 dark:text-brand-300')}
        data-testid={`count-${label.toLowerCase().split(' ')[0]}`}
      >
        {value.toLocaleString('en-US')}
      </div>
      <div className="text-xs text-zinc-500">{label}</div>
    </div>
  );
}

// The four counts of an import, shown for the dry run and again for the finished import.
function ImportCounts({ report, testId }: { report: ImportReport; testId: string }) {
  return (
    <div className="grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid={testId}>
      <Count label="New contacts" value={report.imported} tone="good" />
      <Count label="Updated" value={report.updated} />
      <Count label="Unchanged" value={report.skipped} />
      <Count label="Rejected rows" value={report.rejected} tone="bad" />
    </div>
  );
}

function Progress({ label, value }: { label: string; value: number | null }) {
  return (
    <div className="space-y-2" role="status">
      <p className="text-sm text-zinc-600 dark:text-zinc-300">{label}</p>
      <div className="h-2 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
        <div
          className={cn('h-full rounded-full bg-brand-600 transition-[width]', value === null && 'w-1/3 animate-pulse')}
          style={value === null ? undefined : { width: `${Math.round(value * 100)}%` }}
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={value === null ? undefined : Math.round(value * 100)}
        />
      </div>
    </div>
  );
}

export function ImportWizard({ open, onClose }: { open: boolean; onClose: () => void }) {
  const serverProgress = useContacts((s) => s.importProgress);
  const [step, setStep] = useState<Step>('pick');
  const [file, setFile] = useState<File | null>(null);
  const [dedupe, setDedupe] = useState<DedupeMode>('skip');
  const [report, setReport] = useState<ImportReport | null>(null);
  const [columns, setColumns] = useState<ImportReport['columns']>([]);
  const [mappingEdited, setMappingEdited] = useState(false);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [upload, setUpload] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const reset = () => {
    setStep('pick');
    setFile(null);
    setReport(null);
    setColumns([]);
    setMappingEdited(false);
    setResult(null);
    setProblem(null);
    setUpload(0);
  };
  const close = () => {
    if (step === 'checking' || step === 'importing') return;
    reset();
    onClose();
  };

  const mapping = () => (mappingEdited && report?.format === 'csv' ? mappingFromColumns(columns) : null);

  const check = async (chosen: File | null = file, mode: DedupeMode = dedupe, withMapping = mapping()) => {
    if (!chosen) return;
    setProblem(null);
    setStep('checking');
    setUpload(0);
    try {
      const dry = await importContacts({ file: chosen, dryRun: true, dedupe: mode, mapping: withMapping }, setUpload);
      setReport(dry);
      setColumns(dry.columns);
      setStep('review');
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
      setStep(report ? 'review' : 'pick');
    }
  };

  const pick = (chosen: File | undefined | null) => {
    if (!chosen) return;
    setFile(chosen);
    setMappingEdited(false);
    void check(chosen, dedupe, null);
  };

  const run = async () => {
    if (!file) return;
    setProblem(null);
    setStep('importing');
    setUpload(0);
    try {
      const done = await importContacts({ file, dryRun: false, dedupe, mapping: mapping() }, setUpload);
      setResult(done);
      setStep('done');
      toast(`${plural(done.imported, 'contact')} imported`);
    } catch (error) {
      setProblem(`Nothing was imported: ${error instanceof ApiError ? error.message : String(error)}`);
      setStep('review');
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    pick(event.dataTransfer.files?.[0]);
  };

  const busy = step === 'checking' || step === 'importing';
  const writes = report ? report.imported + report.updated : 0;
  return (
    <Modal
      open={open}
      wide
      title="Import contacts"
      description="CSV (any delimiter, Google Contacts or Outlook exports), vCard (.vcf) or a WhatsFlow JSON export."
      onClose={close}
      busy={busy}
      footer={
        step === 'review' && report ? (
          <>
            <Button variant="secondary" icon={<RotateCcw className="size-4" aria-hidden />} onClick={reset}>
              Choose another file
            </Button>
            <Button onClick={() => void run()} disabled={writes === 0} data-testid="confirm-import">
              {writes === 0 ? 'Nothing to import' : `Import ${plural(writes, 'contact')}`}
            </Button>
          </>
        ) : step === 'done' ? (
          <Button onClick={close}>Done</Button>
        ) : undefined
      }
    >
      <div className="space-y-5">
        {problem && <Alert>{problem}</Alert>}

        {(step === 'pick' || step === 'checking') && (
          <>
            <fieldset className="space-y-2">
              <legend className="text-[13px] font-medium text-zinc-700 dark:text-zinc-300">Numbers already in your contacts</legend>
              <div className="grid gap-2 sm:grid-cols-3">
                {DEDUPE.map((option) => (
                  <label
                    key={option.value}
                    className={cn(
                      'cursor-pointer rounded-lg p-3 text-sm ring-1 ring-zinc-200 dark:ring-zinc-800',
                      dedupe === option.value && 'ring-2 ring-brand-600 dark:ring-brand-500',
                    )}
                  >
                    <input type="radio" name="dedupe" value={option.value} checked={dedupe === option.value} onChange={() => setDedupe(option.value)} className="sr-only" />
                    <span className="font-medium">{option.label}</span>
                    <span className="mt-0.5 block text-xs text-zinc-500">{option.hint}</span>
                  </label>
                ))}
              </div>
            </fieldset>
            <div
              onDragOver={(e) => {
                e.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={onDrop}
              className={cn(
                'flex flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed p-10 text-center',
                dragging ? 'border-brand-500 bg-brand-50 dark:bg-brand-900/20' : 'border-zinc-300 dark:border-zinc-700',
              )}
            >
              {step === 'checking' ? (
                <Progress label={upload < 1 ? `Uploading ${file?.name ?? ''}…` : 'Checking every row…'} value={upload < 1 ? upload : null} />
              ) : (
                <>
                  <FileUp className="size-8 text-zinc-400" aria-hidden />
                  <p className="text-sm text-zinc-600 dark:text-zinc-300">Drop a file here, or</p>
                  <Button variant="secondary" onClick={() => input.current?.click()}>
                    Choose a file
                  </Button>
                  <p className="text-xs text-zinc-500">Up to 100 MB. Nothing is imported before you confirm.</p>
                </>
              )}
              <input
                ref={input}
                type="file"
                accept=".csv,.tsv,.txt,.vcf,.vcard,.json,text/csv,text/vcard,application/json"
                className="sr-only"
                aria-label="Contacts file"
                data-testid="import-file"
                onChange={(e) => {
                  pick(e.target.files?.[0]);
                  e.target.value = '';
                }}
              />
            </div>
          </>
        )}

        {step === 'review' && report && (
          <>
            <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-zinc-500">
              <span className="font-medium text-zinc-800 dark:text-zinc-200">{file?.name}</span>
              <span>{plural(report.rows, 'row')}</span>
              <span>{report.format.toUpperCase()}</span>
              <span>{report.encoding}</span>
              {report.delimiter && <span>delimiter “{report.delimiter}”</span>}
              <label className="flex items-center gap-2">
                <span>Existing numbers:</span>
                <Select
                  aria-label="Existing numbers"
                  value={dedupe}
                  onChange={(e) => {
                    const mode = e.target.value as DedupeMode;
                    setDedupe(mode);
                    void check(file, mode);
                  }}
                >
                  {DEDUPE.map((d) => (
                    <option key={d.value} value={d.value}>
                      {d.label}
                    </option>
                  ))}
                </Select>
              </label>
            </div>
            <ImportCounts report={report} testId="import-counts" />
            {report.tagsCreated.length > 0 && <p className="text-sm text-zinc-500">New tags: {report.tagsCreated.join(', ')}</p>}

            {report.format === 'csv' && columns.length > 0 && (
              <section className="space-y-2">
                <h3 className="text-sm font-semibold">Columns</h3>
                <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
                  {columns.map((column, i) => (
                    <label key={`${column.column}-${i}`} className="flex items-center gap-2 text-sm">
                      <span className="w-32 shrink-0 truncate text-zinc-600 dark:text-zinc-300" title={column.column}>
                        {column.column || `Column ${i + 1}`}
                      </span>
                      <Select
                        aria-label={`Field for column ${column.column}`}
                        value={column.field ?? ''}
                        className="flex-1"
                        onChange={(e) => {
                          setColumns(columns.map((c, j) => (j === i ? { ...c, field: e.target.value || null } : c)));
                          setMappingEdited(true);
                        }}
                      >
                        {IMPORT_FIELDS.map((f) => (
                          <option key={f.value} value={f.value}>
                            {f.label}
                          </option>
                        ))}
                        {column.field?.startsWith('field:') && <option value={column.field}>Custom: {column.field.slice(6)}</option>}
                        {column.field === 'phoneType' && <option value="phoneType">Phone kind</option>}
                      </Select>
                    </label>
                  ))}
                </div>
                {mappingEdited && (
                  <Button size="sm" variant="secondary" onClick={() => void check()}>
                    Check again with these columns
                  </Button>
                )}
              </section>
            )}

            <section className="space-y-2">
              <h3 className="text-sm font-semibold">Preview</h3>
              <div className="overflow-x-auto rounded-lg ring-1 ring-zinc-200 dark:ring-zinc-800">
                <table className="w-full text-left text-sm">
                  <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-900">
                    <HeaderRow labels={['Line', 'Action', 'Phone', 'Name', 'Tags']} cellClassName="px-3 py-2" />
                  </thead>
                  <tbody>
                    {report.preview.map((row) => (
                      <tr key={row.line} className="border-t border-zinc-100 dark:border-zinc-800">
                        <td className="px-3 py-1.5 tabular-nums text-zinc-500">{row.line}</td>
                        <td className="px-3 py-1.5">
                          <span className={cn('rounded px-1.5 py-0.5 text-xs font-medium', ACTIONS[row.action]?.className)} title={row.reason ?? undefined}>
                            {ACTIONS[row.action]?.label ?? row.action}
                          </span>
                        </td>
                        <td className="px-3 py-1.5 tabular-nums">{row.phoneNumber}</td>
                        <td className="px-3 py-1.5">{row.name}</td>
                        <td className="px-3 py-1.5 text-zinc-500">{row.tags.join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>

            {report.errors.length > 0 && (
              <section className="space-y-2" aria-label="Rejected rows">
                <div className="flex items-center justify-between gap-2">
                  <h3 className="text-sm font-semibold">
                    Rejected rows{report.errorsTruncated && ` (first ${report.errors.length.toLocaleString('en-US')} of ${report.rejected.toLocaleString('en-US')})`}
                  </h3>
                  <Button
                    size="sm"
                    variant="secondary"
                    icon={<Download className="size-4" aria-hidden />}
                    onClick={() => saveBlob(new Blob([rejectedRowsCsv(report.errors)], { type: 'text/csv' }), `rejected-rows-${file?.name ?? 'import'}.csv`)}
                  >
                    Download as CSV
                  </Button>
                </div>
                <ul className="max-h-64 divide-y divide-zinc-100 overflow-y-auto rounded-lg text-sm ring-1 ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-800" data-testid="rejected-rows">
                  {report.errors.slice(0, 2000).map((error, i) => (
                    <li key={`${error.line}-${i}`} className="flex gap-3 px-3 py-1.5">
                      <span className="w-16 shrink-0 tabular-nums text-zinc-500">Line {error.line}</span>
                      <span className="w-36 shrink-0 font-medium">{REASONS[error.code] ?? error.code}</span>
                      <span className="min-w-0 break-words text-zinc-600 dark:text-zinc-400">{error.reason}</span>
                    </li>
                  ))}
                  {report.errors.length > 2000 && <li className="px-3 py-1.5 text-zinc-500">… and {(report.errors.length - 2000).toLocaleString('en-US')} more in the CSV</li>}
                </ul>
              </section>
            )}
          </>
        )}

        {step === 'importing' && (
          <Progress
            label={
              upload < 1
                ? `Uploading ${file?.name ?? ''}…`
                : serverProgress
                  ? `Writing contacts: ${serverProgress.done.toLocaleString('en-US')} of ${serverProgress.total.toLocaleString('en-US')}`
                  : 'Writing contacts…'
            }
            value={upload < 1 ? upload : serverProgress && serverProgress.total > 0 ? serverProgress.done / serverProgress.total : null}
          />
        )}

        {step === 'done' && result && (
          <div className="space-y-4">
            <Alert tone="success" title="Import finished">
              {plural(result.imported, 'new contact')}, {result.updated.toLocaleString('en-US')} updated, {result.skipped.toLocaleString('en-US')} unchanged,{' '}
              {plural(result.rejected, 'row')} rejected.
            </Alert>
            <ImportCounts report={result} testId="import-result" />
          </div>
        )}
      </div>
    </Modal>
  );
}
