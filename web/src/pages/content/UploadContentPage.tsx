import type { FormEvent } from 'react';
import { Banner } from '../../components/Banner.js';
import { FileDrop } from '../../components/FileDrop.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { UploadControls } from '../../components/UploadControls.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { fileProblem, useFileUpload } from '../../hooks/useFileUpload.js';
import { navigate } from '../../router.js';
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
  const maxBytes = useResource<{ maxBookBytes: number }>('/api/meta/limits').data?.maxBookBytes;
  // The server decides the type from the bytes: only emptiness and size are checked here.
  const sender = useFileUpload<Book>({ check: (f) => fileProblem(f, maxBytes), missing: 'Choose an EPUB or PDF file to upload.' });
  useTitle('Upload title');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const book = await sender.send(paths.api);
    if (book) navigate(`${paths.titlePage(book.id)}?uploaded=1`);
  };

  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title="Upload title" subtitle="An EPUB or PDF. Title, author and cover are read from the file; you can change them afterwards." />
      <div className="upload-layout">
        <form className="card stack" onSubmit={submit} noValidate aria-labelledby="upload-title">
          <h2 id="upload-title">Book file</h2>
          {sender.failure ? <Banner kind="error">{sender.failure}</Banner> : null}
          <FileDrop
            name="file"
            label="EPUB or PDF"
            accept=".epub,.pdf,application/epub+zip,application/pdf"
            hint="EPUB 2 or 3, or PDF. The type is checked from the file’s content, not its name."
            prompt="Drag and drop the book file here"
            file={sender.file}
            onFile={sender.choose}
            error={sender.fileError}
            disabled={sender.uploading}
          />
          <UploadControls file={sender.file} progress={sender.progress} onCancelUpload={sender.cancel} cancelTo={paths.page} submitLabel="Upload" />
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
