import i18next from 'i18next';
import { useEffect, useRef, useState } from 'react';
import { ApiError, messageOf, upload, type Upload, type UploadProgress } from '../api.js';
import { formatBytes } from '../labels.js';

/** The limits every upload checks in the browser before sending (the server checks again). */
export function fileProblem(file: File, maxBytes: number | undefined): string | null {
  if (file.size === 0) return i18next.t('ui:fileEmpty', { name: file.name });
  // Checked here because a server may cut an over-large upload off mid-stream, which reads as a network error.
  if (maxBytes !== undefined && file.size > maxBytes) return i18next.t('ui:fileTooLarge', { name: file.name, size: formatBytes(file.size), limit: formatBytes(maxBytes) });
  return null;
}

/**
 * One file picked, checked and sent with progress: the state an upload page needs (the file, its
 * inline error, a failure banner, upload progress, cancel) and the error mapping they share.
 * `check` says what is wrong with a file before it is sent; `missing` is the error for none.
 */
export function useFileUpload<T>(opts: { check: (file: File) => string | null; missing: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const inFlight = useRef<Upload<T> | null>(null);
  // Leaving the page stops an upload that has not finished.
  useEffect(() => () => inFlight.current?.abort(), []);

  const choose = (f: File | null) => {
    setFile(f);
    setFailure(null);
    setFileError(f ? opts.check(f) : null);
  };

  /** Sends the chosen file (with `fields`) to `path`; the answer, or null when it was refused, failed or cancelled. */
  const send = async (path: string, fields: Record<string, string> = {}): Promise<T | null> => {
    setFailure(null);
    if (!file) {
      setFileError(opts.missing);
      return null;
    }
    const problem = opts.check(file);
    if (problem) {
      setFileError(problem);
      return null;
    }
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    body.append('file', file, file.name);
    setProgress({ loaded: 0, total: file.size });
    const sending = upload<T>(path, body, setProgress);
    inFlight.current = sending;
    try {
      const answer = await sending.done;
      inFlight.current = null;
      return answer;
    } catch (err) {
      inFlight.current = null;
      setProgress(null);
      if (err instanceof ApiError && err.code === 'ABORTED') return null;
      if (err instanceof ApiError && err.fields.length) setFileError(err.fields.map((f) => f.message).join(' '));
      else if (err instanceof ApiError && err.status === 413) setFileError(i18next.t('ui:fileSize', { message: messageOf(err), name: file.name, size: formatBytes(file.size) }));
      else if (err instanceof ApiError && err.status === 0) setFailure(i18next.t('ui:maybeTooLarge', { message: messageOf(err) }));
      else setFailure(err instanceof Error ? messageOf(err) : i18next.t('ui:uploadFailed'));
      return null;
    }
  };

  return { file, fileError, failure, progress, uploading: progress !== null, choose, send, cancel: () => inFlight.current?.abort() };
}
