import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, upload, type Upload, type UploadProgress } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { FileDrop } from '../../components/FileDrop.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { formatBytes } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type Book } from './model.js';

/**
 * Content → Upload title: pick or drop one EPUB or PDF, watch it upload, then land on the title's
 * page to check what was read from the file. The server decides the type from the bytes, so the
 * file name's extension is not checked here.
 */
export function UploadContentPage({ customerId }: { customerId: string }) {
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const crumbs = useContentCrumbs(customerId, customer);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const inFlight = useRef<Upload<Book> | null>(null);
  const maxBytes = useResource<{ maxBookBytes: number }>('/api/meta/limits').data?.maxBookBytes;
  useTitle('Upload title');
  useEffect(() => () => inFlight.current?.abort(), []);

  // Checked here too because a server may cut an over-large upload off mid-stream, which reads as a network error.
  const problem = (f: File) => (f.size === 0 ? `“${f.name}” is empty.` : maxBytes !== undefined && f.size > maxBytes ? `“${f.name}” is ${formatBytes(f.size)}; the limit is ${formatBytes(maxBytes)}.` : null);
  const choose = (f: File | null) => {
    setFile(f);
    setFailure(null);
    setFileError(f ? problem(f) : null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    if (!file) {
      setFileError('Choose an EPUB or PDF file to upload.');
      return;
    }
    const refused = problem(file);
    if (refused) {
      setFileError(refused);
      return;
    }
    const body = new FormData();
    body.append('file', file, file.name);
    setProgress({ loaded: 0, total: file.size });
    const sending = upload<Book>(paths.api, body, setProgress);
    inFlight.current = sending;
    try {
      const book = await sending.done;
      inFlight.current = null;
      navigate(`${paths.titlePage(book.id)}?uploaded=1`);
    } catch (err) {
      inFlight.current = null;
      setProgress(null);
      if (err instanceof ApiError && err.code === 'ABORTED') return;
      if (err instanceof ApiError && err.fields.length) setFileError(err.fields.map((f) => f.message).join(' '));
      else if (err instanceof ApiError && err.status === 0) setFailure(`${err.message} If the file is very large, it may be over the server’s upload limit.`);
      else setFailure(err instanceof Error ? err.message : 'The upload failed.');
    }
  };

  const uploading = progress !== null;
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title="Upload title" subtitle="An EPUB or PDF. Title, author and cover are read from the file; you can change them afterwards." />
      <div className="upload-layout">
        <form className="card stack" onSubmit={submit} noValidate aria-labelledby="upload-title">
          <h2 id="upload-title">Book file</h2>
          {failure ? <Banner kind="error">{failure}</Banner> : null}
          <FileDrop
            name="file"
            label="EPUB or PDF"
            accept=".epub,.pdf,application/epub+zip,application/pdf"
            hint="EPUB 2 or 3, or PDF. The type is checked from the file’s content, not its name."
            prompt="Drag and drop the book file here"
            file={file}
            onFile={choose}
            error={fileError}
            disabled={uploading}
          />
          {uploading ? (
            <ProgressBar label={`Uploading ${file?.name ?? 'the file'}`} value={progress.loaded} max={progress.total || file?.size} detail={`${formatBytes(progress.loaded)} of ${formatBytes(progress.total || file?.size || 0)}`} />
          ) : null}
          <div className="form-buttons">
            {uploading ? (
              <button type="button" className="btn btn-secondary" onClick={() => inFlight.current?.abort()}>
                Cancel upload
              </button>
            ) : (
              <Link to={paths.page} className="btn btn-secondary">
                Cancel
              </Link>
            )}
            <button type="submit" className="btn btn-primary" disabled={uploading}>
              {uploading ? 'Uploading…' : 'Upload'}
            </button>
          </div>
        </form>
        <aside className="card upload-aside" aria-labelledby="upload-help-title">
          <h2 id="upload-help-title">What happens</h2>
          <ol className="help-steps">
            <li>The file is checked: an EPUB must be a valid EPUB package, a PDF a readable PDF. Anything else is refused and nothing is kept.</li>
            <li>Title and author come from the EPUB’s package or the PDF’s document properties, else from the file name. An EPUB’s cover image becomes the title’s cover.</li>
            <li>Then assign the title to classes or people, or add it to a collection.</li>
          </ol>
        </aside>
      </div>
    </div>
  );
}
